"""Norms and moments: ``linalg.vector_norm`` (``Tensor.norm``, ``torch.norm``), ``var`` and
``std`` with a correction, and what records no node: ``isinf``/``isnan``/``isfinite`` and
``movedim`` (a permute)."""
from __future__ import annotations

import math
import warnings

import numpy as np

from .. import dtypes as _dt
from .._dispatch import apply
from .._keywords import call_with_out
from ..tensor import Tensor, dim_index, wrap
from ._backward import unsqueeze_dims, zeros_like
from ._row import jvps, row, through_vjp, uses, variants


def _reduced(t, dim) -> tuple:
    """The dims a reduction runs over (all of them for None or an empty list)."""
    ndim = t._data.ndim
    if dim is None or (not isinstance(dim, int) and len(dim) == 0):
        return tuple(range(ndim))
    if isinstance(dim, int):
        return (dim_index(dim, ndim),)
    return tuple(sorted(dim_index(d, ndim) for d in dim))


# ======================================================================= vector norms

def _norm_forward(a, ord, dim, keepdim):
    # in float64, rounded once to the input's dtype by the dispatcher
    x = np.abs(a.astype(np.float64))
    if ord == math.inf:
        r = x.max(axis=dim, keepdims=keepdim, initial=0.0)
    elif ord == -math.inf:
        r = x.min(axis=dim, keepdims=keepdim, initial=math.inf)
    elif ord == 0:
        r = (x != 0).sum(axis=dim, keepdims=keepdim, dtype=np.float64)
    elif ord == 1:
        r = x.sum(axis=dim, keepdims=keepdim)
    elif ord == 2:
        r = np.sqrt((x * x).sum(axis=dim, keepdims=keepdim))
    else:
        r = (x ** ord).sum(axis=dim, keepdims=keepdim) ** (1.0 / ord)
    return np.asarray(r).astype(a.dtype)


def _norm_vjp(g, s):
    """PyTorch's linalg_vector_norm_backward, case by case of the order."""
    x, p = s.self, s.ord
    g = unsqueeze_dims(g, s.dim, s.keepdim)
    norm = unsqueeze_dims(s.result, s.dim, s.keepdim)
    if p == 0:
        return zeros_like(x)
    if p == 1:
        return x.sgn() * g
    if p == 2:
        return x * (g / norm).where(norm != 0, 0.0)
    if math.isinf(p):
        # the gradient of amax(|x|): split evenly among the ties (and nans)
        mask = (x.abs() == norm) | x.isnan()
        return x.sgn() * ((g / mask.sum(s.dim, keepdim=True)) * mask)
    if p < 1:
        scaled = x.sgn() * (x.abs() ** (p - 1)).where(x != 0, 0.0)
        return scaled * g * norm ** (1 - p)
    scaled = x.sgn() * x.abs() ** (p - 1) if p < 2 else x * x.abs() ** (p - 2)
    return scaled * (g / norm ** (p - 1)).where(norm != 0, 0.0)


def vector_norm(x, ord=2, dim=None, keepdim=False, *, dtype=None, out=None):
    """``torch.linalg.vector_norm``: ``(sum |x|**ord) ** (1/ord)`` over ``dim``."""
    if out is not None:
        return call_with_out("linalg_vector_norm", vector_norm, (x, ord, dim, keepdim),
                             {"dtype": dtype}, out)
    if not x._dtype.is_floating_point:
        raise RuntimeError("linalg.vector_norm: Expected a floating point or complex tensor "
                           f"as input. Got {x._dtype.dot_name}")
    if dtype is not None:
        x = x.to(dtype)
    dims = _reduced(x, dim)
    params = {"ord": float(ord), "dim": dims, "keepdim": bool(keepdim)}
    return apply(VECTOR_NORM, (x,), x._dtype, params)


VECTOR_NORM = row("LinalgVectorNormBackward0", ["self"], _norm_forward,
                  params={"ord": 2.0, "dim": None, "keepdim": False},
                  self=(uses("self", "result", "ord", "dim", "keepdim"), _norm_vjp))


@variants(method="norm", function="norm")
def norm(self, p="fro", dim=None, keepdim=False, dtype=None):
    """``t.norm(p)``: a vector norm over ``dim`` (all elements by default); ``'fro'`` is 2."""
    if isinstance(p, str):
        if p != "fro":
            raise RuntimeError(f"refgrad's norm supports p='fro' and numeric p, got p='{p}'")
        p = 2
    if p is None:
        p = 2
    if isinstance(dim, int):
        dim = (dim,)
    return vector_norm(self, p, dim, keepdim, dtype=dtype)


# ============================================================================ var and std

def _correction(name, unbiased, correction) -> float:
    if unbiased is not None and correction is not None:
        raise RuntimeError(f"{name}: can't specify both unbiased and correction")
    if correction is not None:
        return float(correction)
    return 0.0 if unbiased is False else 1.0


def _moment(row_, name, self, dim, unbiased, keepdim, correction):
    if isinstance(dim, bool):           # var(False): the unbiased flag alone
        dim, unbiased = None, dim
    if not self._dtype.is_floating_point:
        raise RuntimeError("std and var only support floating point and complex dtypes")
    c = _correction(name, unbiased, correction)
    dims = _reduced(self, dim)
    count = math.prod(self._data.shape[d] for d in dims)
    if count - c <= 0:
        warnings.warn(f"{name}(): degrees of freedom is <= 0. Correction should be strictly "
                      "less than the reduction factor (input numel divided by output numel).",
                      UserWarning, stacklevel=3)
    params = {"dim": dims, "correction": c, "keepdim": bool(keepdim)}
    return apply(row_, (self,), self._dtype, params, dict(params, count=count))


def _var_forward(a, dim, correction, keepdim):
    x = a.astype(np.float64)
    deviations = x - x.mean(axis=dim, keepdims=True)
    total = (deviations * deviations).sum(axis=dim, keepdims=keepdim)
    divisor = max(math.prod(a.shape[d] for d in dim) - correction, 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.asarray(total / divisor).astype(a.dtype)


def _var_backward(g, s):
    # d var / dx = 2 (x - mean) / (N - correction)
    g = unsqueeze_dims(g, s.dim, s.keepdim)
    return (2.0 / (s.count - s.correction)) * g * (s.self - s.self.mean(s.dim, keepdim=True))


def _std_backward(g, s):
    # d std = d var / (2 std); zero where std is zero
    g = (g / (s.result * 2)).where(s.result != 0, 0.0)
    return _var_backward(g, s)


@variants(method="var", function="var")
def var(self, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """Variance over ``dim`` with ``correction`` (1, Bessel's, unless ``unbiased=False``)."""
    return _moment(VAR, "var", self, dim, unbiased, keepdim, correction)


@variants(method="std", function="std")
def std(self, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """Standard deviation: the square root of :func:`var`."""
    return _moment(STD, "std", self, dim, unbiased, keepdim, correction)


VAR = row("VarBackward0", ["self"], _var_forward,
          self=(uses("self", "dim", "correction", "keepdim", "count"), _var_backward))

STD = row("StdBackward0", ["self"],
          lambda a, dim, correction, keepdim: np.sqrt(_var_forward(a, dim, correction,
                                                                   keepdim)),
          self=(uses("self", "result", "dim", "correction", "keepdim", "count"),
                _std_backward))


# ========================================================================== predicates

def _predicate(fn):
    def entry(self):
        return wrap(np.asarray(fn(self._data)), _dt.bool_)
    return entry


variants(method="isinf", function="isinf")(_predicate(np.isinf))
variants(method="isnan", function="isnan")(_predicate(np.isnan))
variants(method="isfinite", function="isfinite")(_predicate(np.isfinite))
variants(method="isposinf", function="isposinf")(_predicate(np.isposinf))
variants(method="isneginf", function="isneginf")(_predicate(np.isneginf))


# ============================================================================== movedim

@variants(method=("movedim", "moveaxis"), function=("movedim", "moveaxis"))
def movedim(self, source, destination):
    """The dims ``source`` moved to ``destination``, the others in order: a permute."""
    if not isinstance(self, Tensor):
        raise TypeError(f"movedim(): argument 'input' must be Tensor, not "
                        f"{type(self).__name__}")
    ndim = self._data.ndim
    src = (source,) if isinstance(source, int) else tuple(source)
    dst = (destination,) if isinstance(destination, int) else tuple(destination)
    if len(src) != len(dst):
        raise RuntimeError(f"movedim: Invalid source or destination dims: source ({list(src)}"
                           f" dims) should contain the same number of dims as destination "
                           f"({list(dst)} dims)")
    src = [dim_index(d, ndim) for d in src]
    dst = [dim_index(d, ndim) for d in dst]
    order = [-1] * ndim
    for s_dim, d_dim in zip(src, dst):
        order[d_dim] = s_dim
    rest = iter(d for d in range(ndim) if d not in src)
    return self.permute([d if d >= 0 else next(rest) for d in order])


# ------------------------------------------------------------------------- forward mode

for _row_ in (VECTOR_NORM, VAR, STD):
    jvps(_row_, self=through_vjp(_row_.vjp_fns[0]))
