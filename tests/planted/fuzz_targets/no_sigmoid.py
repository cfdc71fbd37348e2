"""PyTorch without ``sigmoid``: programs that use it must be reported as "missing"."""
import torch as _torch


def __getattr__(name):
    if name == "sigmoid":
        raise AttributeError(f"module {__name__!r} has no attribute 'sigmoid'")
    return getattr(_torch, name)
