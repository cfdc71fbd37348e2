"""PyTorch with a wrong derivative for tanh: the gradient flowing into tanh is scaled by 1.25.

Forward values, grad_fn names and every other op are torch's own, so only gradients through
``tanh`` diverge.
"""
import torch as _torch

PLANTED_SCALE = 1.25


def tanh(input, *args, **kwargs):
    out = _torch.tanh(input, *args, **kwargs)
    if out.requires_grad:
        out.register_hook(lambda grad: grad * PLANTED_SCALE)
    return out


def __getattr__(name):
    return getattr(_torch, name)
