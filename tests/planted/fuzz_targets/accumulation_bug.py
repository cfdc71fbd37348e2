"""PyTorch whose leaf tensors overwrite ``.grad`` on each backward instead of accumulating.

A hook on every leaf made by ``tensor(..., requires_grad=True)`` subtracts the grad already
stored, so that the accumulated result is the new gradient alone. One backward is right; a
second one (retain_graph, or another root sharing the leaf) diverges.
"""
import torch as _torch


def tensor(data, *args, **kwargs):
    leaf = _torch.tensor(data, *args, **kwargs)
    if leaf.requires_grad:
        def overwrite(grad, leaf=leaf):
            stored = leaf.grad
            return grad if stored is None else grad - stored
        leaf.register_hook(overwrite)
    return leaf


def __getattr__(name):
    return getattr(_torch, name)
