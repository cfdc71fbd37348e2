"""What the rows' VJPs call beyond the public Tensor ops (PyTorch's FunctionsManual.cpp).

A VJP is written in Tensor operations so that ``create_graph=True`` differentiates it again;
where PyTorch's backward formula is an op of its own (``tanh_backward``, ``index_put``, a
tensor times a C++ scalar) the helper runs that op's row through the dispatcher, and the rows
of those backward-only nodes are defined here beside the helpers that make them.
"""
from __future__ import annotations

import numpy as np

from .. import _dispatch
from .. import dtypes as _dt
from ..tensor import wrap
from ._numpy import _where
from ._row import elementwise_jvps, jvps, row, uses


def zeros_like(t):
    """Zeros of ``t``'s shape and dtype (a gradient that is zero everywhere)."""
    return wrap(np.zeros(t._data.shape, t._dtype.np), t._dtype)


def zero_tensor_like(t):
    """PyTorch's efficient zero tensor, the gradient of sgn: immutable."""
    z = zeros_like(t)
    z._zero_tensor = True
    return z


def unsqueeze_dims(g, dims, keepdim):
    """A reduction's gradient with the reduced ``dims`` put back (unless they were kept)."""
    if not keepdim:
        for d in sorted(dims):
            g = g.unsqueeze(d)
    return g


def arange_along(shape, dim):
    """0, 1, ... along ``dim``, shaped to broadcast against ``shape``."""
    view = [1] * len(shape)
    view[dim] = shape[dim]
    return wrap(np.arange(shape[dim]).reshape(view), _dt.int64)


def keep_mask(t, key):
    """True where ``t[key] = value`` did not write."""
    mask = np.ones(t._data.shape, np.bool_)
    mask[key] = False
    return wrap(mask, _dt.bool_)


# ------------------------------------------------------------ a tensor times a C++ scalar

# tensor * python scalar as PyTorch's C++ formulas spell it (inside VJPs): MulBackward1
MUL_SCALAR = row("MulBackward1", ["self"], lambda a, other: a * other, scalar="other",
                 self=(uses("other"), lambda g, s: mul_scalar(g, s.other)))


def mul_scalar(t, value):
    """``t * value`` recorded as MulBackward1 (the Python number is a node parameter)."""
    return _dispatch.with_scalar(MUL_SCALAR, t, value, {"other": value})


# ---------------------------------------------- backward formulas that are nodes themselves

def pointwise_backward(row_, grad, other):
    """A VJP that is a node of its own, ``row_(grad, other)`` (tanh's, sigmoid's, relu's), so
    that second derivatives carry PyTorch's names."""
    return _dispatch.apply(row_, (grad, other), grad._dtype)


def _one_minus_square(y):
    # 1 - y*y with one rounding (PyTorch's kernel uses a fused multiply-add)
    if y.dtype == np.float32:
        wide = y.astype(np.float64)
        return (1 - wide * wide).astype(np.float32)
    return 1 - y * y


TANH_BACKWARD = row(
    "TanhBackwardBackward0", ["grad_output", "output"],
    lambda g, y: g * _one_minus_square(y),
    grad_output=(uses("output"), lambda g, s: pointwise_backward(TANH_BACKWARD, g, s.output)),
    output=(uses("grad_output", "output"), lambda g, s: g * s.grad_output * s.output * -2))

SIGMOID_BACKWARD = row(
    "SigmoidBackwardBackward0", ["grad_output", "output"],
    lambda g, y: g * ((1 - y) * y),
    grad_output=(uses("output"),
                 lambda g, s: pointwise_backward(SIGMOID_BACKWARD, g, s.output)),
    output=(uses("grad_output", "output"),
            lambda g, s: g * s.grad_output * (1 - s.output * 2)))

# relu's VJP: the gradient where the result is > 0 (or nan), zero where it is <= 0
THRESHOLD_BACKWARD = row(
    "ThresholdBackwardBackward0", ["grad_output", "self"],
    lambda g, y: _where(~(y <= 0), g, np.zeros((), g.dtype)),
    grad_output=(uses("self"),
                 lambda g, s: pointwise_backward(THRESHOLD_BACKWARD, g, s.self)),
    self=(uses(), lambda g, s: zeros_like(g)))


# ------------------------------------------------------------------ indexing's gradients

def _embed(grad, shape, key):
    # zeros of the input's shape with the gradient at a basic key
    out = np.zeros(shape, grad.dtype)
    out[key] = grad
    return out


def _embed_adding(grad, shape, key):
    # ... at an advanced key, where repeated indices add up (index_put with accumulate)
    out = np.zeros(shape, grad.dtype)
    np.add.at(out, key, grad)
    return out


# the gradient of an indexing op is itself differentiable: its VJP indexes again
SELECT_BACKWARD = row("SelectBackwardBackward0", ["grad_output"], _embed,
                      grad_output=(uses("index_key"), lambda g, s: g[s.index_key]))

SLICE_BACKWARD = row("SliceBackwardBackward0", ["grad_output"], _embed,
                     grad_output=(uses("index_key"), lambda g, s: g[s.index_key]))

# PyTorch puts the gradient into zeros with index_put: (zeros, values) are its inputs
INDEX_PUT = row("IndexPutImplBackward0", ["self", "values"], _embed_adding,
                values=(uses("index_key"), lambda g, s: g[s.index_key]))

_EMBEDDINGS = {"select": SELECT_BACKWARD, "slice": SLICE_BACKWARD, "index": INDEX_PUT}


def index_backward(grad, shape, key, kind):
    """Zeros of ``shape`` with ``grad`` at ``key``: the VJP of select ("select"), a slice
    ("slice") or advanced indexing ("index", where repeated indices add up)."""
    row_ = _EMBEDDINGS[kind]
    inputs = (None, grad) if row_ is INDEX_PUT else (grad,)
    return _dispatch.apply(row_, inputs, grad._dtype, {"shape": shape, "key": key},
                           {"index_key": key}, arrays=(grad._data,))


# -------------------------------------------------------------------------------- losses

def nll_backward(grad, shape, target, weight, reduction, ignore_index):
    """The gradient of nll_loss: -weight[target] (over the total weight for 'mean') at each
    row's target column, times the incoming gradient."""
    n = shape[0]
    t = target._data
    dt = grad._dtype.np
    keep = t != ignore_index
    if weight is None and keep.all():
        picked = t
        w = np.ones(n, dt)
    else:
        picked = np.where(keep, t, 0)
        w = weight._data[picked].astype(dt) if weight is not None else np.ones(n, dt)
        w[~keep] = 0
    if reduction == 1:
        w = w / w.sum(dtype=dt)
    coefficients = np.zeros(shape, dt)
    coefficients[np.arange(n), picked] = -w
    coefficients = wrap(coefficients, grad._dtype)
    g = grad.unsqueeze(1) if reduction == 0 else grad
    return g * coefficients


# ------------------------------------------------------------------------- forward mode

elementwise_jvps(MUL_SCALAR, TANH_BACKWARD, SIGMOID_BACKWARD, THRESHOLD_BACKWARD)
# putting a gradient into zeros is linear: the same embedding of the tangent
jvps(SELECT_BACKWARD, grad_output=lambda t, s: index_backward(t, s.shape, s.key, "select"))
jvps(SLICE_BACKWARD, grad_output=lambda t, s: index_backward(t, s.shape, s.key, "slice"))
jvps(INDEX_PUT, values=lambda t, s: index_backward(t, s.shape, s.key, "index"))
