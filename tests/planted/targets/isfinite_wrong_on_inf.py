"""Planted bug: ``isfinite`` is "not nan", so an infinity counts as finite (function and
method alike); isinf and isnan stay torch's own."""
import torch as _torch

from tests.planted.targets import _torch_proxy as _proxy


def isfinite(input):
    return ~_torch.isnan(input)


class Tensor(_proxy.PlantedTensor):
    def isfinite(self):
        return isfinite(self)


globals().update(_proxy.factories(Tensor))
__getattr__ = _proxy.delegate(_torch)
