"""Reductions: sum, mean, max/min (whole, along a dim, amax/amin), softmax and log_softmax -
and the reductions that record no node (any, all, argmax, argmin)."""
from __future__ import annotations

import math

import numpy as np

from .. import dtypes as _dt
from .._dispatch import apply, unary
from ..tensor import RETURN_TYPES, Tensor, dim_index, wrap
from ._backward import arange_along, unsqueeze_dims
from ._numpy import _log_softmax, _mean, _softmax
from ._row import INT_TO_FLOAT, row, uses, variants
from .views import expand_to


def _dims(t, dim):
    ndim = t._data.ndim
    if isinstance(dim, int):
        return (dim_index(dim, ndim),)
    return tuple(dim_index(d, ndim) for d in dim)


# ============================================================================== sum and mean

def _sum(self, dim=None, keepdim=False, *, dtype=None):
    x = self
    if dtype is not None:
        x = self.to(dtype)
    elif not self._dtype.is_floating_point:
        x = self.to(_dt.int64)
    sizes = x._data.shape
    if dim is None:
        return apply(SUM, (x,), x._dtype, None, {"self_sym_sizes": sizes})
    dims = _dims(x, dim)
    return apply(SUM_DIM, (x,), x._dtype, {"dim": dims, "keepdim": keepdim},
                 {"dim": dims, "keepdim": keepdim, "self_sym_sizes": sizes})


SUM = row("SumBackward0", ["self"], lambda a: np.asarray(a.sum()),
          entry=_sum, method="sum", function="sum",
          self=(uses("self_sym_sizes"), lambda g, s: expand_to(g, s.self_sym_sizes)))

SUM_DIM = row("SumBackward1", ["self"],
              lambda a, dim, keepdim: np.asarray(a.sum(axis=dim, keepdims=keepdim)),
              self=(uses("dim", "keepdim", "self_sym_sizes"),
                    lambda g, s: expand_to(unsqueeze_dims(g, s.dim, s.keepdim),
                                           s.self_sym_sizes)))


def mean(self, dim=None, keepdim=False, *, dtype=None):
    x = self if dtype is None else self.to(dtype)
    if not x._dtype.is_floating_point:
        raise RuntimeError("mean(): could not infer output dtype. Input dtype must be "
                           "either a floating point or complex dtype. Got: "
                           f"{x._dtype.dot_name}")
    sizes, numel = x._data.shape, x._data.size
    if dim is None:
        return apply(MEAN, (x,), x._dtype, None,
                     {"self_sym_sizes": sizes, "self_sym_numel": numel})
    dims = _dims(x, dim)
    count = math.prod(sizes[d] for d in dims)
    return apply(MEAN_DIM, (x,), x._dtype, {"dim": dims, "keepdim": keepdim},
                 {"dim": dims, "keepdim": keepdim, "count": count, "self_sym_sizes": sizes,
                  "self_sym_numel": numel})


MEAN = row("MeanBackward0", ["self"], _mean, entry=mean, method="mean", function="mean",
           self=(uses("self_sym_sizes", "self_sym_numel"),
                 lambda g, s: expand_to(g, s.self_sym_sizes) / s.self_sym_numel))

MEAN_DIM = row("MeanBackward1", ["self"],
               lambda a, dim, keepdim: _mean(a, dim, keepdim),
               self=(uses("dim", "keepdim", "self_sym_sizes", "count"),
                     lambda g, s: expand_to(unsqueeze_dims(g, s.dim, s.keepdim),
                                            s.self_sym_sizes) / s.count))

# =================================================================================== max/min


def _evenly_to_ties(g, s):
    # full max()/min(): the gradient is split evenly among all elements equal to the result
    mask = s.self == s.result
    return (g / mask.sum()).where(mask, 0.0)


def _extreme(self, dim, keepdim, name):
    if isinstance(dim, Tensor):
        return self.maximum(dim) if name == "max" else self.minimum(dim)
    if dim is None:
        if self._data.size == 0:
            raise RuntimeError(f"{name}(): Expected reduction dim to be specified for "
                               "input.numel() == 0. Specify the reduction dim with the "
                               "'dim' argument.")
        return apply(MAX_ALL if name == "max" else MIN_ALL, (self,), self._dtype)
    d = dim_index(dim, self._data.ndim)
    pick = np.argmax if name == "max" else np.argmin
    data = self._data if self._data.ndim else self._data.reshape(1)
    indices = np.expand_dims(pick(data, axis=d), d)           # keepdim shape
    values = np.take_along_axis(data, indices, axis=d)
    if not self._data.ndim:
        indices, values = indices.reshape(()), values.reshape(())
    elif not keepdim:
        indices, values = indices.squeeze(d), values.squeeze(d)
    indices_t = wrap(indices.astype(np.int64), _dt.int64)
    # the values are found with the indices: the row's forward is this copy
    values_t = apply(MAX_DIM if name == "max" else MIN_DIM, (self,), self._dtype, None,
                     {"dim": d, "keepdim": keepdim, "self_sym_sizes": self._data.shape},
                     {"indices": indices_t}, arrays=(values,))
    return RETURN_TYPES[name]((values_t, indices_t))


def _max(self, dim=None, keepdim=False):
    return _extreme(self, dim, keepdim, "max")


def _min(self, dim=None, keepdim=False):
    return _extreme(self, dim, keepdim, "min")


MAX_ALL = row("MaxBackward1", ["self"], lambda a: np.asarray(a.max()),
              entry=_max, method="max", function="max",
              self=(uses("self", "result"), _evenly_to_ties))

MIN_ALL = row("MinBackward1", ["self"], lambda a: np.asarray(a.min()),
              entry=_min, method="min", function="min",
              self=(uses("self", "result"), _evenly_to_ties))


def _to_index_vjp(g, s):
    # max(dim)/min(dim): all of the gradient goes to the returned index
    g = unsqueeze_dims(g, (s.dim,), s.keepdim)
    indices = s.indices if s.keepdim else s.indices.unsqueeze(s.dim)
    positions = arange_along(s.self_sym_sizes, s.dim)
    return g.expand(s.self_sym_sizes).where(positions == indices, 0.0)


MAX_DIM = row("MaxBackward0", ["self"], np.copy,
              self=(uses("dim", "keepdim", "indices", "self_sym_sizes"), _to_index_vjp))

MIN_DIM = row("MinBackward0", ["self"], np.copy,
              self=(uses("dim", "keepdim", "indices", "self_sym_sizes"), _to_index_vjp))


def _amax_vjp(g, s):
    mask = s.self == unsqueeze_dims(s.result, s.dim, s.keepdim)
    count = mask.sum(s.dim, keepdim=True)
    return (unsqueeze_dims(g, s.dim, s.keepdim) / count).where(mask, 0.0)


def _amax(row_, t, dim, keepdim):
    dims = _dims(t, dim) if dim != () else tuple(range(t._data.ndim))
    return apply(row_, (t,), t._dtype, {"dim": dims, "keepdim": keepdim})


def amax(self, dim=(), keepdim=False):
    return _amax(AMAX, self, dim, keepdim)


def amin(self, dim=(), keepdim=False):
    return _amax(AMIN, self, dim, keepdim)


AMAX = row("AmaxBackward0", ["self"], lambda a, dim, keepdim: np.asarray(
    a.max(axis=dim, keepdims=keepdim)), entry=amax,
    method="amax", function="amax",
    self=(uses("self", "result", "dim", "keepdim"), _amax_vjp))

AMIN = row("AminBackward0", ["self"], lambda a, dim, keepdim: np.asarray(
    a.min(axis=dim, keepdims=keepdim)), entry=amin,
    method="amin", function="amin",
    self=(uses("self", "result", "dim", "keepdim"), _amax_vjp))


def _arg(fn):
    def entry(self, dim=None, keepdim=False):
        if dim is None:
            return wrap(np.asarray(fn(self._data), np.int64), _dt.int64)
        d = dim_index(dim, self._data.ndim)
        return wrap(np.asarray(fn(self._data, axis=d, keepdims=keepdim), np.int64),
                    _dt.int64)
    return entry


variants(method="argmax", function="argmax")(_arg(np.argmax))
variants(method="argmin", function="argmin")(_arg(np.argmin))


@variants(method="any", function="any")
def _any(self, dim=None, keepdim=False):
    return wrap(np.asarray(self._data.any(axis=dim, keepdims=keepdim)), _dt.bool_)


@variants(method="all", function="all")
def _all(self, dim=None, keepdim=False):
    return wrap(np.asarray(self._data.all(axis=dim, keepdims=keepdim)), _dt.bool_)


# ==================================================================== softmax and log_softmax

def softmax(self, dim, dtype=None):
    x = self if dtype is None else self.to(dtype)
    return unary(SOFTMAX, x, {"dim": dim_index(dim, x._data.ndim)})


def log_softmax(self, dim, dtype=None):
    x = self if dtype is None else self.to(dtype)
    return unary(LOG_SOFTMAX, x, {"dim": dim_index(dim, x._data.ndim)})


SOFTMAX = row("SoftmaxBackward0", ["self"], _softmax, promotion=INT_TO_FLOAT,
              entry=softmax, method="softmax", function="softmax",
              self=(uses("result", "dim"),
                    lambda g, s: s.result * (g - (g * s.result).sum(s.dim, keepdim=True))))

LOG_SOFTMAX = row("LogSoftmaxBackward0", ["self"], _log_softmax, promotion=INT_TO_FLOAT,
                  entry=log_softmax, method="log_softmax",
                  function="log_softmax",
                  self=(uses("result", "dim"),
                        lambda g, s: g - s.result.exp() * g.sum(s.dim, keepdim=True)))
