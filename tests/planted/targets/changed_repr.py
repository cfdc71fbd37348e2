"""Planted bug: a leaf's repr leaves out the ``requires_grad=True`` suffix."""
import torch as _torch

from tests.planted.targets import _torch_proxy as _proxy


class Tensor(_proxy.PlantedTensor):
    def __repr__(self, *, tensor_contents=None):
        text = super().__repr__(tensor_contents=tensor_contents)
        return text.replace(",\n       requires_grad=True)", ")").replace(
            ", requires_grad=True)", ")")


globals().update(_proxy.factories(Tensor))
__getattr__ = _proxy.delegate(_torch)
