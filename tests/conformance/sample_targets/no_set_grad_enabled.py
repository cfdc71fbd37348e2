"""torch without ``set_grad_enabled`` (which a case calls inside a worker thread)."""
import torch as _torch


def __getattr__(name):
    if name == "set_grad_enabled":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(_torch, name)
