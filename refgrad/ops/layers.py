"""Layer rows: ``addmm`` (what ``nn.Linear`` records for a matrix input with a bias) and
``softplus``; ``torch.nn.functional.linear`` composes them with views as PyTorch does."""
from __future__ import annotations

import numpy as np


from .._dispatch import apply, unary
from ..tensor import as_tensor_operand
from ._numpy import _log1p, _matmul
from ._row import elementwise_jvps, jvps, row, uses, variants
from .linalg import matmul

# ------------------------------------------------------------------------------------ addmm


def _addmm_forward(bias, mat1, mat2, beta=1, alpha=1):
    # beta * bias + alpha * (mat1 @ mat2); PyTorch skips the products by 1 (and bias at 0)
    product = _matmul(mat1, mat2)
    if alpha != 1:
        product = product * np.asarray(alpha, product.dtype)
    if beta == 0:
        return product
    if beta != 1:
        bias = bias * np.asarray(beta, bias.dtype)
    return product + bias


def _scaled(t, factor):
    return t if factor == 1 else t * factor


ADDMM = row(
    "AddmmBackward0", ["self", "mat1", "mat2"], _addmm_forward, params={"beta": 1, "alpha": 1},
    # the bias gradient is summed back to its (broadcast) shape by the engine
    self=(uses("beta"), lambda g, s: _scaled(g, s.beta)),
    mat1=(uses("mat2", "alpha"), lambda g, s: _scaled(g.mm(s.mat2.t()), s.alpha)),
    mat2=(uses("mat1", "alpha"), lambda g, s: _scaled(s.mat1.t().mm(g), s.alpha)))


@variants(method="addmm", function="addmm")
def addmm(self, mat1, mat2, *, beta=1, alpha=1):
    """``beta * self + alpha * (mat1 @ mat2)``, ``self`` broadcast to the product's shape."""
    mat1, mat2 = as_tensor_operand(mat1), as_tensor_operand(mat2)
    if mat1._data.ndim != 2:
        raise RuntimeError("mat1 must be a matrix, got "
                           f"{mat1._data.ndim}-D tensor")
    if mat2._data.ndim != 2:
        raise RuntimeError("mat2 must be a matrix, got "
                           f"{mat2._data.ndim}-D tensor")
    if mat1._dtype is not mat2._dtype:
        raise RuntimeError(f"mat1 and mat2 must have the same dtype, but got "
                           f"{mat1._dtype.dot_name} and {mat2._dtype.dot_name}")
    if self._dtype is not mat2._dtype:
        raise RuntimeError(f"self and mat2 must have the same dtype, but got "
                           f"{self._dtype.dot_name} and {mat2._dtype.dot_name}")
    (n, k), (k2, m) = mat1._data.shape, mat2._data.shape
    if k != k2:
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({n}x{k} and "
                           f"{k2}x{m})")
    self.detach().expand(n, m)      # PyTorch's message when the bias does not broadcast
    return apply(ADDMM, (self, mat1, mat2), mat1._dtype, {"beta": beta, "alpha": alpha})


def linear(input, weight, bias=None):
    """``input @ weight.T + bias`` with PyTorch's graph: AddmmBackward0 for a matrix with a
    bias; any other rank with a bias goes through a (-1, in_features) view of a contiguous
    input and a view back; without a bias it is matmul."""
    weight_t = weight.t()
    if bias is None:
        return matmul(input, weight_t)
    if input._data.ndim == 2:
        return addmm(bias, input, weight_t)
    if input._data.ndim >= 1 and input.is_contiguous():
        flat = input.view(-1, input._data.shape[-1])
        out = addmm(bias, flat, weight_t)
        return out.view(*input._data.shape[:-1], out._data.shape[-1])
    return matmul(input, weight_t) + bias


# --------------------------------------------------------------------------------- softplus


def _softplus_forward(x, beta=1.0, threshold=20.0):
    # log(1 + exp(beta * x)) / beta, linear where beta * x exceeds the threshold
    scaled = x * np.asarray(beta, x.dtype)
    soft = _log1p(np.exp(scaled)) / np.asarray(beta, x.dtype)
    return np.where(scaled > threshold, x, soft).astype(x.dtype, copy=False)


def _softplus_vjp(g, s):
    scaled = s.self * s.beta
    return g.where(scaled > s.threshold, g * scaled.sigmoid())


SOFTPLUS = row("SoftplusBackward0", ["self"], _softplus_forward,
               params={"beta": 1.0, "threshold": 20.0},
               self=(uses("self", "beta", "threshold"), _softplus_vjp))


def softplus(input, beta=1.0, threshold=20.0):
    if not input._dtype.is_floating_point:
        raise NotImplementedError(f'"softplus_cpu" not implemented for '
                                  f"'{input._dtype.dot_name}'")
    return unary(SOFTPLUS, input, {"beta": beta, "threshold": threshold})


__all__ = ["ADDMM", "SOFTPLUS", "addmm", "linear", "softplus"]


# ------------------------------------------------------------------------- forward mode

# beta * self + alpha * mat1 @ mat2: linear in self, bilinear in (mat1, mat2)
jvps(ADDMM, self=lambda t, s: _scaled(t, s.beta),
     mat1=lambda t, s: _scaled(t.mm(s.mat2), s.alpha),
     mat2=lambda t, s: _scaled(s.mat1.mm(t), s.alpha))
elementwise_jvps(SOFTPLUS)
