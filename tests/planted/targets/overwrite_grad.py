"""Planted bug: backward overwrites ``.grad`` instead of accumulating into it.

Every leaf made by this target forgets its gradient just before a new one arrives, so after
any backward ``leaf.grad`` holds that backward's gradient alone (and is a new tensor).
"""
import torch as _torch

from tests.planted.targets import _torch_proxy as _proxy


class Tensor(_proxy.PlantedTensor):
    pass


def _forget_previous_grad(leaf):
    def hook(grad):
        # Runs before AccumulateGrad: with .grad cleared, it stores ``grad`` instead of adding.
        leaf.grad = None

    leaf.register_hook(hook)
    return leaf


def _overwriting(factory):
    def make(*args, **kwargs):
        result = factory(*args, **kwargs)
        return _forget_previous_grad(result) if result.requires_grad else result

    make.__name__ = factory.__name__
    return make


globals().update({name: _overwriting(f) for name, f in _proxy.factories(Tensor).items()})
__getattr__ = _proxy.delegate(_torch)
