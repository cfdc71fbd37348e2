"""Planted bug: ``Tensor.detach()`` returns a copy: no shared storage and no shared version
counter with the original (flags and values are still right)."""
import torch as _torch

from tests.planted.targets import _torch_proxy as _proxy


class Tensor(_proxy.PlantedTensor):
    def detach(self):
        return super().detach().clone()


globals().update(_proxy.factories(Tensor))
__getattr__ = _proxy.delegate(_torch)
