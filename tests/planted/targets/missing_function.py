"""Planted bug: the target has no ``torch.maximum``."""
import torch as _torch

from tests.planted.targets import _torch_proxy as _proxy


class Tensor(_proxy.PlantedTensor):
    pass


def __getattr__(name):
    if name == "maximum":
        raise AttributeError(f"module {__name__!r} has no attribute 'maximum'")
    return getattr(_torch, name)


globals().update(_proxy.factories(Tensor))
