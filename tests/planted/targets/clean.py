"""The unplanted base of the torch-made targets: real torch, every tensor a PlantedTensor,
nothing broken. It must diverge from torch nowhere; the planted targets differ from it in
exactly one place."""
import torch as _torch

from tests.planted.targets import _torch_proxy as _proxy


class Tensor(_proxy.PlantedTensor):
    pass


globals().update(_proxy.factories(Tensor))
__getattr__ = _proxy.delegate(_torch)
