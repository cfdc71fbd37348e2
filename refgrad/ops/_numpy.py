"""NumPy forwards the rows share: PyTorch's rounding for float32 transcendentals, a fast
masked ``where``, softmax, mean and the loss reductions."""
from __future__ import annotations

import numpy as np

_FLOAT32 = np.dtype(np.float32)     # a dtype compares faster with a dtype than with a type


def _via_float64(fn):
    """Transcendental functions of float32 arrays computed in float64 and rounded once:
    NumPy's own float32 kernels are less accurate than PyTorch's and round differently."""
    def precise(x, *args):
        if x.dtype == _FLOAT32:
            wide = x.astype(np.float64)
            if wide.ndim:           # an array: in place, one allocation less
                return fn(wide, *args, out=wide).astype(np.float32)
            return fn(wide, *args).astype(np.float32)
        return fn(x, *args)
    precise.__name__ = getattr(fn, "__name__", "precise")
    return precise


def _matmul(a, b):
    """a @ b with the right operand laid out row by row: NumPy then takes the same kernel for
    one row of ``a`` as for many, so a row's product has the same bits alone (vmap's loop
    over a batch) as inside the batched product (a transposed right operand would send a
    single row down a matrix-vector kernel that sums in another order)."""
    return np.matmul(a, np.ascontiguousarray(b))


def _pow(a, b):
    """a ** b for arrays (either may be 0-d): float32 through float64, rounded once."""
    a, b = np.asarray(a), np.asarray(b)
    if a.dtype == np.float32 and b.dtype == np.float32:
        return np.power(a.astype(np.float64), b.astype(np.float64)).astype(np.float32)
    return np.power(a, b)


_exp = _via_float64(np.exp)
_log = _via_float64(np.log)
_log1p = _via_float64(np.log1p)
_expm1 = _via_float64(np.expm1)
_tanh = _via_float64(np.tanh)
_sin = _via_float64(np.sin)
_cos = _via_float64(np.cos)
_sinh = _via_float64(np.sinh)
_cosh = _via_float64(np.cosh)


def _where(condition, a, b):
    """np.where, with a fast path for ``b == 0`` (every masked VJP): NumPy's where is an order
    of magnitude slower than a multiply. Falls back when a product could differ (inf/nan)."""
    if b.ndim == 0 and b == 0 and condition.shape == a.shape and a.dtype.kind == "f":
        out = a * condition
        out += 0                # -0.0 from masked-out negatives becomes 0.0, as np.where gives
        if np.isfinite(out).all():
            return out
    return np.where(condition, a, b)


def _sigmoid(x):
    # PyTorch's formula, bit for bit; exp(-x) may overflow to inf, giving 0 as it should
    one = x.dtype.type(1)
    return one / (one + _exp(-x))


def _log_sigmoid(x):
    return np.minimum(x, 0) - _log1p(_exp(-np.abs(x)))


# (ndarray.max and .sum are these reductions behind a slower Python wrapper)
_max_reduce = np.maximum.reduce
_sum_reduce = np.add.reduce


def _softmax(x, dim):
    if x.size == 0:
        return x.copy()
    dim = dim if x.ndim else None        # a 0-d tensor's only dim is itself
    shifted = x - _max_reduce(x, axis=dim, keepdims=True)
    e = _exp(shifted)
    return e * (1 / _sum_reduce(e, axis=dim, keepdims=True))    # PyTorch multiplies by 1/sum


def _log_softmax(x, dim):
    if x.size == 0:
        return x.copy()
    dim = dim if x.ndim else None
    shifted = x - _max_reduce(x, axis=dim, keepdims=True)
    return shifted - _log(_sum_reduce(_exp(shifted), axis=dim, keepdims=True))


def _mean(a, axis=None, keepdims=False):
    # what ndarray.mean computes (a pairwise sum, then one division), without its overhead
    count = a.size if axis is None else int(np.prod([a.shape[d] for d in axis]))
    total = np.add.reduce(a, axis=axis, keepdims=keepdims)
    return np.asarray(total / a.dtype.type(count), a.dtype)   # (forwards run error-quiet)


def _reduce(loss, reduction):
    if reduction == 1:
        return _mean(loss)
    if reduction == 2:
        return np.asarray(np.add.reduce(loss, axis=None), loss.dtype)
    return loss
