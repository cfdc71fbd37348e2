"""Planted bug: a second ``backward()`` through a graph whose saved tensors were freed does not
raise; this target's ``Tensor.backward`` always keeps the graph (retain_graph=True).
"""
import torch as _torch

from tests.planted.targets import _torch_proxy as _proxy


class Tensor(_proxy.PlantedTensor):
    def backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None):
        super().backward(gradient, retain_graph=True, create_graph=create_graph, inputs=inputs)


globals().update(_proxy.factories(Tensor))
__getattr__ = _proxy.delegate(_torch)
