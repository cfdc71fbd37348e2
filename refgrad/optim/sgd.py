"""``torch.optim.SGD``: momentum, dampening, Nesterov, weight decay, maximize."""
from __future__ import annotations

from ..factories import tensor as _tensor
from .optimizer import Optimizer, fma, grad_array, write


class SGD(Optimizer):
    def __init__(self, params, lr=1e-3, momentum=0, dampening=0, weight_decay=0,
                 nesterov=False, *, maximize=False, foreach=None, differentiable=False,
                 fused=None):
        if lr < 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if momentum < 0.0:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if weight_decay < 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        defaults = {"lr": lr, "momentum": momentum, "dampening": dampening,
                    "weight_decay": weight_decay, "nesterov": nesterov, "maximize": maximize,
                    "foreach": foreach, "differentiable": differentiable, "fused": fused}
        super().__init__(params, defaults)

    def _update(self, p, group, state):
        scalar = p._data.dtype.type          # coefficients are rounded to the dtype first
        grad = grad_array(p, group["maximize"])
        if group["weight_decay"] != 0:
            grad = fma(scalar(group["weight_decay"]), p._data, grad)
        momentum = group["momentum"]
        if momentum != 0:
            buf = state.get("momentum_buffer")
            if buf is None:
                buf = state["momentum_buffer"] = _tensor(grad.copy())
            else:
                # buf = momentum * buf + (1 - dampening) * grad, as two in-place ops
                write(buf, buf._data * scalar(momentum))
                write(buf, fma(scalar(1 - group["dampening"]), grad, buf._data))
            grad = fma(scalar(momentum), buf._data, grad) if group["nesterov"] else buf._data
        write(p, fma(scalar(-group["lr"]), grad, p._data))
