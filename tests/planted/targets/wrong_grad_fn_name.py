"""Planted bug: ``torch.exp`` records a node named ``ExpBackward`` instead of ``ExpBackward0``.

The value, the gradient and the graph's shape are right: exp is a custom autograd Function here,
and torch names a Function's node after the class plus "Backward". The ``Tensor.exp`` method
is torch's own, so ``a.exp()`` still records ExpBackward0.
"""
import torch as _torch

from tests.planted.targets import _torch_proxy as _proxy


class Tensor(_proxy.PlantedTensor):
    pass


class Exp(_torch.autograd.Function):
    @staticmethod
    def forward(ctx, input):
        result = input.exp()
        ctx.save_for_backward(result)
        return result

    @staticmethod
    def backward(ctx, grad):
        (result,) = ctx.saved_tensors
        return grad * result


def exp(input):
    return Exp.apply(input)


globals().update(_proxy.factories(Tensor))
__getattr__ = _proxy.delegate(_torch)
