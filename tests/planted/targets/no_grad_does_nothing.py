"""Planted bug: ``torch.no_grad`` does nothing (as a context manager and as a decorator);
results computed inside it still record a graph and grad mode stays enabled."""
import functools

import torch as _torch

from tests.planted.targets import _torch_proxy as _proxy


class Tensor(_proxy.PlantedTensor):
    pass


class no_grad:
    def __new__(cls, func=None):
        if callable(func):          # bare @no_grad
            return cls()(func)
        return super().__new__(cls)

    def __enter__(self):
        return None

    def __exit__(self, *exc):
        return False

    def __call__(self, func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with self:
                return func(*args, **kwargs)

        return wrapper


globals().update(_proxy.factories(Tensor))
__getattr__ = _proxy.delegate(_torch)
