"""Planted bug: ``torch.cat``'s size-mismatch error is reworded (same class, other text)."""
import torch as _torch

from tests.planted.targets import _torch_proxy as _proxy


class Tensor(_proxy.PlantedTensor):
    pass


def cat(tensors, dim=0):
    try:
        return _torch.cat(tensors, dim)
    except RuntimeError as exc:
        raise RuntimeError(str(exc).replace("Sizes of tensors must match",
                                            "Tensor sizes must agree")) from None


globals().update(_proxy.factories(Tensor))
__getattr__ = _proxy.delegate(_torch)
