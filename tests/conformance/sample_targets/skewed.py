"""torch, except that exp is 0.1 % too large and sigmoid does not exist."""
import torch as _torch


def exp(x, *args, **kwargs):
    return _torch.exp(x, *args, **kwargs) * 1.001


def __getattr__(name):
    if name == "sigmoid":
        raise AttributeError(f"module {__name__!r} has no attribute 'sigmoid'")
    return getattr(_torch, name)
