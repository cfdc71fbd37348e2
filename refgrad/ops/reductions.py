"""Reductions: sum, mean, max/min (whole, along a dim, amax/amin), softmax and log_softmax -
and the reductions that record no node (any, all, argmax, argmin)."""
from __future__ import annotations

import math

import numpy as np

from .. import _args
from .. import dtypes as _dt
from .._dispatch import apply, unary
from ..tensor import RETURN_TYPES, Tensor, dim_index, wrap
from ._backward import arange_along, unsqueeze_dims
from ._numpy import _log_softmax, _mean, _softmax
from ._row import INT_TO_FLOAT, jvps, row, through_vjp, uses, variants
from .views import expand_to


def _dims(t, dim, fname="sum"):
    """The reduced dims, wrapped, each once; none for a 0-d tensor (reducing it is a copy),
    every dim for ``()``."""
    ndim = t._data.ndim
    if _args.is_int(dim):
        dims = (dim_index(int(dim), ndim),)
    else:
        dims = _args.dim_list(_args.int_list(fname, dim, "dim", varargs=False), ndim,
                              dim_index)
    if ndim == 0:
        return ()
    return dims or tuple(range(ndim))


def _one_dim(fname, dim, ndim):
    return dim_index(_args.integer(fname, "dim", dim, 1), ndim)


# ============================================================================== sum and mean

def _sum(self, dim=None, keepdim=False, *, dtype=None):
    x = self
    dtype = _args.dtype("sum", dtype)
    _args.boolean("sum", "keepdim", keepdim)
    if dim is None and keepdim:
        dim = ()
    if dtype is not None:
        x = self.to(dtype)
    elif not self._dtype.is_floating_point:
        x = self.to(_dt.int64)
    sizes = x._data.shape
    if dim is None:
        return apply(SUM, (x,), x._dtype, None, {"self_sym_sizes": sizes})
    dims = _dims(x, dim, "sum")
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
    dtype = _args.dtype("mean", dtype)
    _args.boolean("mean", "keepdim", keepdim)
    if dim is None and keepdim:
        dim = ()
    x = self if dtype is None else self.to(dtype)
    if not x._dtype.is_floating_point:
        which = "Input" if dtype is None else "Optional"
        raise RuntimeError(f"mean(): could not infer output dtype. {which} dtype must be "
                           "either a floating point or complex dtype. Got: "
                           f"{x._dtype.dot_name}")
    sizes, numel = x._data.shape, x._data.size
    if dim is None:
        return apply(MEAN, (x,), x._dtype, None,
                     {"self_sym_sizes": sizes, "self_sym_numel": numel})
    dims = _dims(x, dim, "mean")
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
    if dim is None and keepdim:
        raise TypeError(f"{name}(): argument 'dim' (position 1) must be int, not NoneType")
    if dim is None:
        if self._data.size == 0:
            raise RuntimeError(f"{name}(): Expected reduction dim to be specified for "
                               "input.numel() == 0. Specify the reduction dim with the "
                               "'dim' argument.")
        return apply(MAX_ALL if name == "max" else MIN_ALL, (self,), self._dtype)
    d = _one_dim(name, dim, self._data.ndim)
    _args.boolean(name, "keepdim", keepdim, 2)
    _check_not_empty(self, name, d)
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


_ALL = object()     # max() over every element: no dim given (an explicit None is refused)


def _max(self, dim=_ALL, keepdim=_ALL):
    return _extreme(self, _no_dim(dim, "max", keepdim), keepdim is True, "max")


def _min(self, dim=_ALL, keepdim=_ALL):
    return _extreme(self, _no_dim(dim, "min", keepdim), keepdim is True, "min")


def _no_dim(dim, name, keepdim):
    if keepdim is not _ALL:
        _args.boolean(name, "keepdim", keepdim, 2)
    if dim is None and keepdim is not _ALL:
        raise TypeError(f"{name}(): argument 'dim' (position 1) must be int, not NoneType")
    if dim is None:
        raise TypeError(f"{name}() received an invalid combination of arguments - got "
                        "(NoneType)")
    return None if dim is _ALL else dim


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


def _check_not_empty(t, fname, dim=None):
    """PyTorch refuses to find an extreme among no elements."""
    if dim is None and t._data.size == 0:
        error = IndexError if fname.startswith("arg") else RuntimeError
        raise error(f"{fname}(): Expected reduction dim to be specified for input.numel() == 0."
                    + ("" if error is IndexError else
                       " Specify the reduction dim with the 'dim' argument."))
    if dim is not None and t._data.ndim and t._data.shape[dim] == 0:
        raise IndexError(f"{fname}(): Expected reduction dim {dim} to have non-zero size.")


def _amax(row_, t, dim, keepdim):
    fname = "amax" if row_ is AMAX else "amin"
    if dim is None:
        dim = ()
    _args.boolean(fname, "keepdim", keepdim)
    dims = _dims(t, dim, fname)
    if dim == () or dim == []:
        _check_not_empty(t, fname)
    for d in dims:
        _check_not_empty(t, fname, d)
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
    fname = fn.__name__

    def entry(self, dim=None, keepdim=False):
        _args.boolean(fname, "keepdim", keepdim)
        if dim is None:
            _check_not_empty(self, fname)
            found = np.asarray(fn(self._data), np.int64)
            return wrap(found.reshape((1,) * self._data.ndim) if keepdim else found, _dt.int64)
        d = _one_dim(fname, dim, self._data.ndim)
        _check_not_empty(self, fname, d)
        if self._data.ndim == 0:
            return wrap(np.asarray(0, np.int64), _dt.int64)
        return wrap(np.asarray(fn(self._data, axis=d, keepdims=keepdim), np.int64),
                    _dt.int64)
    return entry


variants(method="argmax", function="argmax")(_arg(np.argmax))
variants(method="argmin", function="argmin")(_arg(np.argmin))


@variants(method="any", function="any")
def _any(self, dim=None, keepdim=False):
    axis = None if dim is None else _dims(self, dim, "any")
    return wrap(np.asarray(self._data.any(axis=axis, keepdims=keepdim)), _dt.bool_)


@variants(method="all", function="all")
def _all(self, dim=None, keepdim=False):
    axis = None if dim is None else _dims(self, dim, "all")
    return wrap(np.asarray(self._data.all(axis=axis, keepdims=keepdim)), _dt.bool_)


# ==================================================================== softmax and log_softmax

def _softmax_input(self, dim, dtype, fname):
    d = _one_dim(fname, dim, self._data.ndim)
    x = self if dtype is None else self.to(_args.dtype(fname, dtype))
    if not x._dtype.is_floating_point:
        last = "lastdim_" if d == max(x._data.ndim - 1, 0) else ""
        raise NotImplementedError(f'"{fname}_{last}kernel_impl" not implemented for '
                                  f"'{x._dtype.dot_name}'")
    return x, d


def softmax(self, dim, dtype=None):
    x, d = _softmax_input(self, dim, dtype, "softmax")
    return unary(SOFTMAX, x, {"dim": d})


def log_softmax(self, dim, dtype=None):
    x, d = _softmax_input(self, dim, dtype, "log_softmax")
    return unary(LOG_SOFTMAX, x, {"dim": d})


SOFTMAX = row("SoftmaxBackward0", ["self"], _softmax, promotion=INT_TO_FLOAT,
              entry=softmax, method="softmax", function="softmax",
              self=(uses("result", "dim"),
                    lambda g, s: s.result * (g - (g * s.result).sum(s.dim, keepdim=True))))

LOG_SOFTMAX = row("LogSoftmaxBackward0", ["self"], _log_softmax, promotion=INT_TO_FLOAT,
                  entry=log_softmax, method="log_softmax",
                  function="log_softmax",
                  self=(uses("result", "dim"),
                        lambda g, s: g - s.result.exp() * g.sum(s.dim, keepdim=True)))


# ------------------------------------------------------------------------- forward mode

# sum and mean are linear: the same reduction of the tangent
jvps(SUM, self=lambda t, s: t.sum())
jvps(SUM_DIM, self=lambda t, s: t.sum(s.dim, keepdim=s.keepdim))
jvps(MEAN, self=lambda t, s: t.mean())
jvps(MEAN_DIM, self=lambda t, s: t.mean(s.dim, keepdim=s.keepdim))
# max / min: the tangent at the chosen element (split evenly among ties, as the VJPs do)
for _row_ in (MAX_ALL, MIN_ALL, MAX_DIM, MIN_DIM, AMAX, AMIN):
    jvps(_row_, self=through_vjp(_row_.vjp_fns[0]))
# softmax: y * (t - <y, t>); log_softmax: t - <softmax, t> along dim
jvps(SOFTMAX, self=lambda t, s: s.result * (t - (t * s.result).sum(s.dim, keepdim=True)))
jvps(LOG_SOFTMAX, self=lambda t, s: t - (s.result.exp() * t).sum(s.dim, keepdim=True))
