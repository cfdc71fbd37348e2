"""``torch.optim.Adam`` and ``AdamW`` (decoupled weight decay), with amsgrad and maximize."""
from __future__ import annotations

import numpy as np

from .. import dtypes as _dt
from ..factories import tensor as _tensor
from ..factories import zeros_like
from .optimizer import Optimizer, fma, grad_array, write


class Adam(Optimizer):
    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 amsgrad=False, *, foreach=None, maximize=False, capturable=False,
                 differentiable=False, fused=None, decoupled_weight_decay=False):
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= betas[0] < 1.0:
            raise ValueError(f"Invalid beta parameter at index 0: {betas[0]}")
        if not 0.0 <= betas[1] < 1.0:
            raise ValueError(f"Invalid beta parameter at index 1: {betas[1]}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        defaults = {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay,
                    "amsgrad": amsgrad, "maximize": maximize, "foreach": foreach,
                    "capturable": capturable, "differentiable": differentiable,
                    "fused": fused, "decoupled_weight_decay": decoupled_weight_decay}
        super().__init__(params, defaults)

    def _update(self, p, group, state):
        scalar = p._data.dtype.type          # coefficients are rounded to the dtype first
        if not state:
            # the step count is a 0-d tensor of the default dtype, as PyTorch keeps it
            step_dtype = _dt.float64 if _dt.get_default_dtype() is _dt.float64 else _dt.float32
            state["step"] = _tensor(0.0, dtype=step_dtype)
            state["exp_avg"] = zeros_like(p)
            state["exp_avg_sq"] = zeros_like(p)
            if group["amsgrad"]:
                state["max_exp_avg_sq"] = zeros_like(p)
        beta1, beta2 = group["betas"]
        lr, weight_decay = group["lr"], group["weight_decay"]
        grad = grad_array(p, group["maximize"])
        step_t, exp_avg, exp_avg_sq = state["step"], state["exp_avg"], state["exp_avg_sq"]
        write(step_t, step_t._data + 1)
        if weight_decay != 0:
            if group["decoupled_weight_decay"]:
                write(p, p._data * scalar(1 - lr * weight_decay))
            else:
                grad = fma(scalar(weight_decay), p._data, grad)
        # exp_avg.lerp_(grad, 1 - beta1): PyTorch's two-sided lerp formula
        weight = scalar(1 - beta1)
        m = exp_avg._data
        if abs(weight) < 0.5:
            write(exp_avg, fma(weight, grad - m, m))
        else:
            write(exp_avg, fma(-(grad - m), scalar(1) - weight, grad))
        # exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
        write(exp_avg_sq, exp_avg_sq._data * scalar(beta2))
        write(exp_avg_sq, fma(scalar(1 - beta2) * grad, grad, exp_avg_sq._data))
        # the bias corrections in Python floats (double precision)
        step = float(step_t._data)
        bias_correction1 = 1 - beta1 ** step
        bias_correction2 = 1 - beta2 ** step
        step_size = lr / bias_correction1
        bias_correction2_sqrt = bias_correction2 ** 0.5
        second = exp_avg_sq._data
        if group["amsgrad"]:
            write(state["max_exp_avg_sq"], np.maximum(state["max_exp_avg_sq"]._data, second))
            second = state["max_exp_avg_sq"]._data
        denom = np.sqrt(second) / scalar(bias_correction2_sqrt) + scalar(group["eps"])
        # param.addcdiv_(exp_avg, denom, value=-step_size)
        write(p, p._data + scalar(-step_size) * exp_avg._data / denom)


class AdamW(Adam):
    """Adam with decoupled weight decay (default 1e-2)."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2,
                 amsgrad=False, *, maximize=False, foreach=None, capturable=False,
                 differentiable=False, fused=None):
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, foreach=foreach,
                         maximize=maximize, capturable=capturable,
                         differentiable=differentiable, fused=fused,
                         decoupled_weight_decay=True)
