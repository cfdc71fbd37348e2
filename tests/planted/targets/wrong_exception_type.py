"""Planted bug: ``binary_cross_entropy_with_logits`` raises RuntimeError where torch raises
ValueError (same message)."""
import torch as _torch

from tests.planted.targets import _torch_proxy as _proxy


class Tensor(_proxy.PlantedTensor):
    pass


def binary_cross_entropy_with_logits(*args, **kwargs):
    try:
        return _torch.nn.functional.binary_cross_entropy_with_logits(*args, **kwargs)
    except ValueError as exc:
        raise RuntimeError(str(exc)) from None


nn = _proxy.submodule(
    __name__ + ".nn", _torch.nn,
    functional=_proxy.submodule(__name__ + ".nn.functional", _torch.nn.functional,
                                binary_cross_entropy_with_logits=binary_cross_entropy_with_logits))
globals().update(_proxy.factories(Tensor))
__getattr__ = _proxy.delegate(_torch)
