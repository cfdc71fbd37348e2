"""Planted bug: the gradient of ``torch.sigmoid`` is 1e-3 (relative) too large.

The forward value, the grad_fn name and the graph are torch's own; only the derivative that
reaches sigmoid's input is scaled, as a slightly wrong derivative formula would be.
"""
import torch as _torch

from tests.planted.targets import _torch_proxy as _proxy

RELATIVE_ERROR = 1e-3


class Tensor(_proxy.PlantedTensor):
    pass


def sigmoid(input):
    result = _torch.sigmoid(input)
    if result.requires_grad:
        # The gradient arriving at sigmoid's output is what its backward multiplies by
        # s * (1 - s); scaling it here scales sigmoid's derivative and nothing else.
        result.register_hook(lambda grad: grad * (1 + RELATIVE_ERROR))
    return result


globals().update(_proxy.factories(Tensor))
__getattr__ = _proxy.delegate(_torch)
