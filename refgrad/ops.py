"""The derivative table: one row per backward node PyTorch records.

Each row names the node (``MulBackward0``), its forward inputs, the NumPy forward, and one VJP
per input: ``(uses, fn)`` where ``uses`` lists the saved values the VJP reads (input names,
``"result"``, extra saved tensors, or op parameters) and ``fn(grad, s)`` returns the input's
gradient, written with Tensor operations so that ``create_graph=True`` differentiates them
again. ``s.<name>`` reads a saved value. A node saves exactly the tensors that the VJPs of its
grad-requiring inputs use - that is what makes a second ``backward()`` raise or not.

What every op shares (summing a gradient back over broadcast dimensions, casting it to the
input's dtype, freeing, version checks, accumulation) lives in ``refgrad.autograd``, never
here. This module imports NumPy and the graph only: tensors come in through the VJP
arguments, so the table never imports ``tensor.py``; ``tensor.py`` dispatches into it.

``ROWS`` maps each node name to its :class:`Row`.
"""
from __future__ import annotations

import numpy as np

from .autograd.graph import node_class, sum_to

ROWS: dict = {}


class Row:
    """One op: its node name, inputs, NumPy forward, and VJP per input."""

    __slots__ = ("name", "input_names", "forward", "_vjps", "saved_names", "cls", "variadic",
                 "doc", "params", "positions", "saves", "saves_any", "vjp_fns")

    def __init__(self, name, inputs, forward, vjps, variadic=False, doc="", params=None):
        self.name = name
        self.params = params or {}   # op parameters with their defaults (alpha=1 ...)
        self.input_names = tuple(inputs)
        self.positions = {name: i for i, name in enumerate(self.input_names)}
        self.forward = forward
        self.vjps = tuple(vjps[k] if vjps.get(k) else ((), None) for k in self.input_names)
        self.variadic = variadic    # cat / stack: one VJP for every input, fn(g, s, index)
        self.doc = doc
        self.cls = node_class(name, self)

    @property
    def vjps(self):
        """``(uses, fn)`` per input."""
        return self._vjps

    @vjps.setter
    def vjps(self, vjps):
        self._vjps = vjps = tuple(vjps)
        self.saved_names = tuple(sorted({u for uses, _ in vjps for u in uses}))
        # worked out once for record() and Node.apply: per input, what its VJP saves beyond
        # the op's parameters (those are always in the node's context), and the VJP itself
        self.saves = tuple(tuple(u for u in uses if u not in self.params) for uses, _ in vjps)
        self.saves_any = any(self.saves)
        self.vjp_fns = tuple(fn for _, fn in vjps)

    def __repr__(self) -> str:
        return f"Row({self.name})"


def row(name, inputs, forward, variadic=False, doc="", params=None, **vjps):
    """Add a row: ``row("ExpBackward0", ["self"], _exp, self=(uses("result"), fn))``."""
    r = Row(name, inputs, forward, vjps, variadic=variadic, doc=doc, params=params)
    ROWS[name] = r
    return r


def uses(*names):
    return tuple(names)


# ------------------------------------------------------------------------ helpers (numpy)

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
    shifted = x - _max_reduce(x, axis=dim, keepdims=True)
    e = _exp(shifted)
    return e * (1 / _sum_reduce(e, axis=dim, keepdims=True))    # PyTorch multiplies by 1/sum


def _log_softmax(x, dim):
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


# =================================================================== elementwise arithmetic

ADD = row("AddBackward0", ["self", "other"], lambda a, b, alpha=1: a + b * alpha if alpha != 1
          else a + b, params={"alpha": 1},
          self=(uses(), lambda g, s: g),
          other=(uses("alpha"), lambda g, s: g if s.alpha == 1 else g * s.alpha))

SUB = row("SubBackward0", ["self", "other"], lambda a, b, alpha=1: a - b * alpha if alpha != 1
          else a - b, params={"alpha": 1},
          self=(uses(), lambda g, s: g),
          other=(uses("alpha"), lambda g, s: -g if s.alpha == 1 else -g * s.alpha))

# `1 - a`: the python scalar is a parameter, not an input, so one next function only
RSUB = row("RsubBackward1", ["self"], lambda a, other, alpha=1: other - a * alpha,
           self=(uses("alpha"), lambda g, s: -g if s.alpha == 1 else -g * s.alpha))

# `torch.rsub(a, b)` with a tensor b: b - a * alpha
RSUB_TENSOR = row("RsubBackward0", ["self", "other"], lambda a, b, alpha=1: b - a * alpha
                  if alpha != 1 else b - a, params={"alpha": 1},
                  self=(uses("alpha"), lambda g, s: -g if s.alpha == 1 else -g * s.alpha),
                  other=(uses(), lambda g, s: g))

MUL = row("MulBackward0", ["self", "other"], np.multiply,
          self=(uses("other"), lambda g, s: g * s.other),
          other=(uses("self"), lambda g, s: g * s.self))

# tensor * python scalar as PyTorch's C++ formulas spell it (inside VJPs): MulBackward1
MUL_SCALAR = row("MulBackward1", ["self"], lambda a, other: a * other,
                 self=(uses("other"), lambda g, s: g._mul_scalar(s.other)))

DIV = row("DivBackward0", ["self", "other"], np.true_divide,
          self=(uses("other"), lambda g, s: g / s.other),
          other=(uses("self", "other"), lambda g, s: -g * ((s.self / s.other) / s.other)))

NEG = row("NegBackward0", ["self"], np.negative,
          self=(uses(), lambda g, s: -g))


def _pow_scalar_vjp(g, s):
    if s.exponent == 0:
        return s.self._zeros_like()
    return g * s.self.pow(s.exponent - 1)._mul_scalar(s.exponent)


def _pow_scalar(a, exponent):
    # PyTorch's kernel special-cases these exponents; others go through pow()
    e = float(exponent)
    if a.dtype.kind == "f":
        if e == 2:
            return a * a
        if e == 3:
            return a * a * a
        if e == 0.5:
            return np.sqrt(a)
        if e == -0.5:
            return 1 / np.sqrt(a)
        if e == -1:
            return 1 / a
        if e == -2:
            return 1 / (a * a)
        return _pow(a, np.asarray(exponent, a.dtype))
    return np.power(a, exponent)


POW_SCALAR = row("PowBackward0", ["self"], _pow_scalar,
                 doc="tensor ** python number",
                 self=(uses("self", "exponent"), _pow_scalar_vjp))


def _pow_base_vjp(g, s):
    # d/da a**b = b * a**(b-1), 0 where b == 0 (so 0**0 does not give nan)
    grad = g * (s.exponent * s.self.pow(s.exponent - 1))
    return grad.where(s.exponent != 0, 0.0)


def _pow_exponent_vjp(g, s):
    # d/db a**b = a**b * log(a), 0 where a == 0 and b >= 0
    grad = g * (s.result * s.self.log())
    return grad.where((s.self != 0) | (s.exponent < 0), 0.0)


POW_TENSOR = row("PowBackward1", ["self", "exponent"], lambda a, b: _pow(a, b),
                 doc="tensor ** tensor",
                 self=(uses("self", "exponent"), _pow_base_vjp),
                 exponent=(uses("self", "exponent", "result"), _pow_exponent_vjp))

POW_BASE = row("PowBackward2", ["exponent"], lambda e, base: _pow(base, e),
               doc="python number ** tensor",
               exponent=(uses("result", "base"),
                         lambda g, s: g * (s.result * float(np.log(s.base)))
                         if s.base != 0 else g * (s.result * 0.0)))

RECIPROCAL = row("ReciprocalBackward0", ["self"], lambda a: np.reciprocal(a),
                 self=(uses("result"), lambda g, s: -g * (s.result * s.result)))


def _maximum_vjp(pick):
    # ties split the gradient: half to each side
    def vjp(g, s):
        mine = s.self if pick == 0 else s.other
        theirs = s.other if pick == 0 else s.self
        half = (g / 2).where(mine == theirs, g)
        return half.where(mine >= theirs, 0.0)
    return vjp


def _minimum_vjp(pick):
    def vjp(g, s):
        mine = s.self if pick == 0 else s.other
        theirs = s.other if pick == 0 else s.self
        half = (g / 2).where(mine == theirs, g)
        return half.where(mine <= theirs, 0.0)
    return vjp


MAXIMUM = row("MaximumBackward0", ["self", "other"], np.maximum,
              self=(uses("self", "other"), _maximum_vjp(0)),
              other=(uses("self", "other"), _maximum_vjp(1)))

MINIMUM = row("MinimumBackward0", ["self", "other"], np.minimum,
              self=(uses("self", "other"), _minimum_vjp(0)),
              other=(uses("self", "other"), _minimum_vjp(1)))

WHERE = row("WhereBackward0", ["self", "other"],
            lambda a, b, condition: _where(condition, a, b),
            self=(uses("condition"), lambda g, s: g.where(s.condition, 0.0)),
            other=(uses("condition"), lambda g, s: g._zeros_like().where(s.condition, g)))

# ========================================================================= unary functions

EXP = row("ExpBackward0", ["self"], _exp,
          self=(uses("result"), lambda g, s: g * s.result))

LOG = row("LogBackward0", ["self"], _log,
          self=(uses("self"), lambda g, s: g / s.self))

LOG1P = row("Log1PBackward0", ["self"], _log1p,
            self=(uses("self"), lambda g, s: g / (s.self + 1)))

EXPM1 = row("Expm1Backward0", ["self"], _expm1,
            self=(uses("result"), lambda g, s: g * (s.result + 1)))

SQRT = row("SqrtBackward0", ["self"], np.sqrt,
           self=(uses("result"), lambda g, s: g / (s.result * 2)))

ABS = row("AbsBackward0", ["self"], np.abs,
          self=(uses("self"), lambda g, s: g * s.self.sgn()))

# sgn's gradient is zero; PyTorch returns it as an immutable "ZeroTensor"
SGN = row("SgnBackward0", ["self"], np.sign,
          self=(uses(), lambda g, s: g._zero_tensor_like(g._data.shape)))

SIGN = row("SignBackward0", ["self"], np.sign,
           self=(uses(), lambda g, s: g._zeros_like()))

FLOOR = row("FloorBackward0", ["self"], np.floor,
            self=(uses(), lambda g, s: g._zeros_like()))

ROUND = row("RoundBackward0", ["self"], np.round,
            self=(uses(), lambda g, s: g._zeros_like()))

SIN = row("SinBackward0", ["self"], _sin,
          self=(uses("self"), lambda g, s: g * s.self.cos()))

COS = row("CosBackward0", ["self"], _cos,
          self=(uses("self"), lambda g, s: g * -s.self.sin()))

def _one_minus_square(y):
    # 1 - y*y with one rounding (PyTorch's kernel uses a fused multiply-add)
    if y.dtype == np.float32:
        wide = y.astype(np.float64)
        return (1 - wide * wide).astype(np.float32)
    return 1 - y * y


TANH = row("TanhBackward0", ["self"], _tanh,
           self=(uses("result"), lambda g, s: g._pointwise_backward(TANH_BACKWARD, s.result)))

# the VJP of tanh is itself a node, so that second derivatives have PyTorch's names
TANH_BACKWARD = row(
    "TanhBackwardBackward0", ["grad_output", "output"],
    lambda g, y: g * _one_minus_square(y),
    grad_output=(uses("output"), lambda g, s: g._pointwise_backward(TANH_BACKWARD, s.output)),
    output=(uses("grad_output", "output"), lambda g, s: g * s.grad_output * s.output * -2))

SIGMOID = row("SigmoidBackward0", ["self"], _sigmoid,
              self=(uses("result"),
                    lambda g, s: g._pointwise_backward(SIGMOID_BACKWARD, s.result)))

SIGMOID_BACKWARD = row(
    "SigmoidBackwardBackward0", ["grad_output", "output"],
    lambda g, y: g * ((1 - y) * y),
    grad_output=(uses("output"),
                 lambda g, s: g._pointwise_backward(SIGMOID_BACKWARD, s.output)),
    output=(uses("grad_output", "output"),
            lambda g, s: g * s.grad_output * (1 - s.output * 2)))

LOG_SIGMOID = row("LogSigmoidBackward0", ["self"], _log_sigmoid,
                  self=(uses("self"), lambda g, s: g * (-s.self).sigmoid()))

RELU = row("ReluBackward0", ["self"], lambda a: np.maximum(a, 0).astype(a.dtype, copy=False),
           self=(uses("result"), lambda g, s: g._pointwise_backward(THRESHOLD_BACKWARD,
                                                                     s.result)))

# relu's VJP: the gradient where the result is > 0 (or nan), zero where it is <= 0
THRESHOLD_BACKWARD = row(
    "ThresholdBackwardBackward0", ["grad_output", "self"],
    lambda g, y: _where(~(y <= 0), g, np.zeros((), g.dtype)),
    grad_output=(uses("self"), lambda g, s: g._pointwise_backward(THRESHOLD_BACKWARD, s.self)),
    self=(uses(), lambda g, s: g._zeros_like()))


def _clamp_forward(a, min=None, max=None):
    if min is not None:
        a = np.maximum(a, np.asarray(min, a.dtype))
    if max is not None:
        a = np.minimum(a, np.asarray(max, a.dtype))
    return a


def _clamp_vjp(g, s):
    # gradient 1 on the closed interval [min, max]
    inside = None
    if s.min is not None:
        inside = s.self >= s.min
    if s.max is not None:
        upper = s.self <= s.max
        inside = upper if inside is None else inside & upper
    return g.where(inside, 0.0)


CLAMP = row("ClampBackward1", ["self"], _clamp_forward,
            self=(uses("self", "min", "max"), _clamp_vjp))

CLAMP_MIN = row("ClampMinBackward0", ["self"], lambda a, min: _clamp_forward(a, min=min),
                self=(uses("self", "min"), lambda g, s: g.where(s.self >= s.min, 0.0)))

CLAMP_MAX = row("ClampMaxBackward0", ["self"], lambda a, max: _clamp_forward(a, max=max),
                self=(uses("self", "max"), lambda g, s: g.where(s.self <= s.max, 0.0)))

# ============================================================================== reductions

SUM = row("SumBackward0", ["self"], lambda a: np.asarray(a.sum()),
          self=(uses("self_sym_sizes"), lambda g, s: g._expand_to(s.self_sym_sizes)))


def _unsqueeze_dims(g, dims, keepdim):
    if not keepdim:
        for d in sorted(dims):
            g = g.unsqueeze(d)
    return g


SUM_DIM = row("SumBackward1", ["self"],
              lambda a, dim, keepdim: np.asarray(a.sum(axis=dim, keepdims=keepdim)),
              self=(uses("dim", "keepdim", "self_sym_sizes"),
                    lambda g, s: _unsqueeze_dims(g, s.dim, s.keepdim)
                    ._expand_to(s.self_sym_sizes)))

MEAN = row("MeanBackward0", ["self"], _mean,
           self=(uses("self_sym_sizes", "self_sym_numel"),
                 lambda g, s: g._expand_to(s.self_sym_sizes) / s.self_sym_numel))

MEAN_DIM = row("MeanBackward1", ["self"],
               lambda a, dim, keepdim: _mean(a, dim, keepdim),
               self=(uses("dim", "keepdim", "self_sym_sizes", "count"),
                     lambda g, s: _unsqueeze_dims(g, s.dim, s.keepdim)
                     ._expand_to(s.self_sym_sizes) / s.count))


def _evenly_to_ties(g, s):
    # full max()/min(): the gradient is split evenly among all elements equal to the result
    mask = s.self == s.result
    return (g / mask.sum()).where(mask, 0.0)


MAX_ALL = row("MaxBackward1", ["self"], lambda a: np.asarray(a.max()),
              self=(uses("self", "result"), _evenly_to_ties))

MIN_ALL = row("MinBackward1", ["self"], lambda a: np.asarray(a.min()),
              self=(uses("self", "result"), _evenly_to_ties))


def _to_index_vjp(g, s):
    # max(dim)/min(dim): all of the gradient goes to the returned index
    g = _unsqueeze_dims(g, (s.dim,), s.keepdim)
    indices = s.indices if s.keepdim else s.indices.unsqueeze(s.dim)
    positions = indices._arange_like_dim(s.self_sym_sizes, s.dim)
    return g.expand(s.self_sym_sizes).where(positions == indices, 0.0)


MAX_DIM = row("MaxBackward0", ["self"], None,
              self=(uses("dim", "keepdim", "indices", "self_sym_sizes"), _to_index_vjp))

MIN_DIM = row("MinBackward0", ["self"], None,
              self=(uses("dim", "keepdim", "indices", "self_sym_sizes"), _to_index_vjp))


def _amax_vjp(g, s):
    mask = s.self == _unsqueeze_dims(s.result, s.dim, s.keepdim)
    count = mask.sum(s.dim, keepdim=True)
    return (_unsqueeze_dims(g, s.dim, s.keepdim) / count).where(mask, 0.0)


AMAX = row("AmaxBackward0", ["self"], lambda a, dim, keepdim: np.asarray(
    a.max(axis=dim, keepdims=keepdim)),
    self=(uses("self", "result", "dim", "keepdim"), _amax_vjp))

AMIN = row("AminBackward0", ["self"], lambda a, dim, keepdim: np.asarray(
    a.min(axis=dim, keepdims=keepdim)),
    self=(uses("self", "result", "dim", "keepdim"), _amax_vjp))

# =========================================================================== shape and views

VIEW = row("ViewBackward0", ["self"], lambda a, shape: a.reshape(shape),
           self=(uses("self_sym_sizes"), lambda g, s: g.reshape(s.self_sym_sizes)))

# reshape of a non-contiguous tensor whose strides still allow a view
RESHAPE_ALIAS = row("ReshapeAliasBackward0", ["self"], lambda a, shape: a.reshape(shape),
                    self=(uses("self_sym_sizes"), lambda g, s: g.reshape(s.self_sym_sizes)))

UNSAFE_VIEW = row("UnsafeViewBackward0", ["self"], lambda a, shape: a.reshape(shape),
                  self=(uses("self_sym_sizes"), lambda g, s: g.reshape(s.self_sym_sizes)))

ALIAS = row("AliasBackward0", ["self"], lambda a: a[...],
            self=(uses(), lambda g, s: g))

# the first .grad of a leaf under create_graph=True: a copy into a fresh tensor (self)
COPY = row("CopyBackwards", ["self", "src"], None,
           src=(uses(), lambda g, s: g))

CLONE = row("CloneBackward0", ["self"], lambda a: a.copy(),
            self=(uses(), lambda g, s: g))

TO_COPY = row("ToCopyBackward0", ["self"], lambda a, dtype: a.astype(dtype),
              self=(uses(), lambda g, s: g))      # the cast back is shared bookkeeping

TRANSPOSE = row("TransposeBackward0", ["self"], lambda a, dim0, dim1: np.swapaxes(a, dim0, dim1),
                self=(uses("dim0", "dim1"), lambda g, s: g.transpose(s.dim0, s.dim1)))

T = row("TBackward0", ["self"], lambda a: a.T, self=(uses(), lambda g, s: g.t()))

PERMUTE = row("PermuteBackward0", ["self"], lambda a, dims: np.transpose(a, dims),
              self=(uses("dims"), lambda g, s: g.permute(tuple(np.argsort(s.dims).tolist()))))

SQUEEZE = row("SqueezeBackward0", ["self"], lambda a: np.squeeze(a),
              self=(uses("self_sym_sizes"), lambda g, s: g.reshape(s.self_sym_sizes)))

SQUEEZE_DIM = row("SqueezeBackward1", ["self"], lambda a, dim: np.squeeze(a, dim),
                  self=(uses("dim", "self_sym_sizes"),
                        lambda g, s: g.reshape(s.self_sym_sizes)))

SQUEEZE_DIMS = row("SqueezeBackward2", ["self"], lambda a, dim: np.squeeze(a, dim),
                   self=(uses("dim", "self_sym_sizes"),
                         lambda g, s: g.reshape(s.self_sym_sizes)))

# matmul's own squeeze of its result (an in-place squeeze_ in PyTorch)
SQUEEZE_INPLACE = row("SqueezeBackward4", ["self"], lambda a, dim: np.squeeze(a, dim),
                      self=(uses("dim", "self_sym_sizes"),
                            lambda g, s: g.unsqueeze(s.dim)))

UNSQUEEZE = row("UnsqueezeBackward0", ["self"], lambda a, dim: np.expand_dims(a, dim),
                self=(uses("dim"), lambda g, s: g.squeeze(s.dim)))

EXPAND = row("ExpandBackward0", ["self"], lambda a, shape: np.broadcast_to(a, shape),
             self=(uses("self_sym_sizes"), lambda g, s: sum_to(g, s.self_sym_sizes)))


def _embed(kind):
    """The gradient of an indexing op: zeros of the input's shape with g at the index."""
    return lambda g, s: g._index_backward(s.self_sym_sizes, s.index_key, kind)


SELECT = row("SelectBackward0", ["self"], lambda a, key: a[key],
             self=(uses("self_sym_sizes", "index_key"), _embed("select")))

SLICE = row("SliceBackward0", ["self"], lambda a, key: a[key],
            self=(uses("self_sym_sizes", "index_key"), _embed("slice")))

INDEX = row("IndexBackward0", ["self"], lambda a, key: a[key],
            self=(uses("self_sym_sizes", "index_key", "indices"), _embed("index")))

# the gradient of an indexing op is itself differentiable: its VJP indexes again
SELECT_BACKWARD = row("SelectBackwardBackward0", ["grad_output"], None,
                      grad_output=(uses("index_key"), lambda g, s: g[s.index_key]))

SLICE_BACKWARD = row("SliceBackwardBackward0", ["grad_output"], None,
                     grad_output=(uses("index_key"), lambda g, s: g[s.index_key]))

# PyTorch puts the gradient into zeros with index_put: (zeros, values) are its inputs
INDEX_PUT = row("IndexPutImplBackward0", ["self", "values"], None,
                values=(uses("index_key"), lambda g, s: g[s.index_key]))


def _cat_vjp(g, s, i):
    start = sum(s.sizes[:i])
    return g.narrow(s.dim, start, s.sizes[i])


CAT = row("CatBackward0", ["tensors"], lambda *arrays, dim: np.concatenate(arrays, dim),
          variadic=True, tensors=(uses("dim", "sizes"), _cat_vjp))

STACK = row("StackBackward0", ["tensors"], lambda *arrays, dim: np.stack(arrays, dim),
            variadic=True, tensors=(uses("dim"), lambda g, s, i: g.select(s.dim, i)))


def _copy_slices_self(g, s):
    # the overwritten positions get no gradient
    return g.where(g._keep_mask(s.index_key), 0.0)


def _copy_slices_value(g, s):
    return g[s.index_key]


# `t[key] = value` on a tensor that is part of a graph
COPY_SLICES = row("CopySlices", ["self", "value"], None,
                  self=(uses("index_key"), _copy_slices_self),
                  value=(uses("index_key"), _copy_slices_value))

# ============================================================================ linear algebra

MM = row("MmBackward0", ["self", "mat2"], np.matmul,
         self=(uses("mat2"), lambda g, s: g.mm(s.mat2.t())),
         mat2=(uses("self"), lambda g, s: s.self.t().mm(g)))

MV = row("MvBackward0", ["self", "vec"], np.matmul,
         self=(uses("vec"), lambda g, s: g.outer(s.vec)),
         vec=(uses("self"), lambda g, s: s.self.t().mv(g)))

DOT = row("DotBackward0", ["self", "tensor"], lambda a, b: np.asarray(np.dot(a, b)),
          self=(uses("tensor"), lambda g, s: g * s.tensor),
          tensor=(uses("self"), lambda g, s: g * s.self))

BMM = row("BmmBackward0", ["self", "mat2"], np.matmul,
          self=(uses("mat2"), lambda g, s: g.bmm(s.mat2.transpose(1, 2))),
          mat2=(uses("self"), lambda g, s: s.self.transpose(1, 2).bmm(g)))

# ==================================================================== softmax and log_softmax

SOFTMAX = row("SoftmaxBackward0", ["self"], _softmax,
              self=(uses("result", "dim"),
                    lambda g, s: s.result * (g - (g * s.result).sum(s.dim, keepdim=True))))

LOG_SOFTMAX = row("LogSoftmaxBackward0", ["self"], _log_softmax,
                  self=(uses("result", "dim"),
                        lambda g, s: g - s.result.exp() * g.sum(s.dim, keepdim=True)))

# ==================================================================================== losses
# reduction codes as PyTorch saves them: none=0, mean=1, sum=2


def _bce_logits_forward(x, y, weight=None, pos_weight=None, reduction=1):
    # (1 - y) * x - log_weight * logsigmoid(x): exact for large |x|; logsigmoid is taken in
    # the input's dtype, the rest promotes with the target's (as PyTorch computes it)
    log_sigmoid = _log_sigmoid(x)
    if pos_weight is not None:
        log_sigmoid = log_sigmoid * ((pos_weight - 1) * y + 1)
    loss = (1 - y) * x - log_sigmoid
    if weight is not None:
        loss = loss * weight
    return _reduce(loss, reduction)


def _bce_logits_input_vjp(g, s):
    if s.pos_weight is not None:
        t = s.pos_weight * s.target
        grad = (t + 1 - s.target) * s.self.sigmoid() - t
    else:
        grad = s.self.sigmoid() - s.target
    if s.weight is not None:
        grad = grad * s.weight
    grad = grad * g
    return grad / s.self._data.size if s.reduction == 1 else grad


def _bce_logits_target_vjp(g, s):
    if s.pos_weight is not None:
        grad = (-s.self).log_sigmoid() - s.self.log_sigmoid() * s.pos_weight
    else:
        grad = -s.self
    if s.weight is not None:
        grad = grad * s.weight
    grad = grad * g
    return grad / s.target._data.size if s.reduction == 1 else grad


BCE_WITH_LOGITS = row(
    "BinaryCrossEntropyWithLogitsBackward0", ["self", "target"], _bce_logits_forward,
    self=(uses("self", "target", "weight", "pos_weight", "reduction"), _bce_logits_input_vjp),
    target=(uses("self", "target", "weight", "pos_weight", "reduction"),
            _bce_logits_target_vjp))


def _mse_forward(x, y, reduction=1):
    d = x - y
    return _reduce(d * d, reduction)


def _mse_vjp(sign):
    def vjp(g, s):
        norm = 2.0 / s.self._data.size if s.reduction == 1 else 2.0
        grad = (s.self - s.target) * g
        grad = grad._mul_scalar(norm)
        return grad if sign > 0 else -grad
    return vjp


MSE = row("MseLossBackward0", ["self", "target"], _mse_forward,
          self=(uses("self", "target", "reduction"), _mse_vjp(1)),
          target=(uses("self", "target", "reduction"), _mse_vjp(-1)))


def _bce_forward(p, y, weight=None, reduction=1):
    log_p = np.maximum(_log(p), -100)
    log_1p = np.maximum(_log1p(-p), -100)
    loss = -(y * log_p + (1 - y) * log_1p)
    if weight is not None:
        loss = loss * weight
    return _reduce(loss.astype(p.dtype, copy=False), reduction)


def _bce_input_vjp(g, s):
    denominator = ((1 - s.self) * s.self).clamp(min=1e-12)
    grad = g * (s.self - s.target) / denominator
    if s.weight is not None:
        grad = grad * s.weight
    return grad / s.self._data.size if s.reduction == 1 else grad


def _bce_target_vjp(g, s):
    grad = g * ((-s.self).log1p().clamp(min=-100) - s.self.log().clamp(min=-100))
    if s.weight is not None:
        grad = grad * s.weight
    return grad / s.target._data.size if s.reduction == 1 else grad


BCE = row("BinaryCrossEntropyBackward0", ["self", "target"], _bce_forward,
          self=(uses("self", "target", "weight", "reduction"), _bce_input_vjp),
          target=(uses("self", "target", "weight", "reduction"), _bce_target_vjp))


def _nll_forward(logp, target, weight=None, reduction=1, ignore_index=-100):
    n = logp.shape[0]
    picked_target = np.where(target == ignore_index, 0, target)
    w = weight[picked_target] if weight is not None else np.ones(n, logp.dtype)
    w = np.where(target == ignore_index, 0, w).astype(logp.dtype)
    picked = logp[np.arange(n), picked_target]
    losses = -(picked * w)
    if reduction == 0:
        return losses.astype(logp.dtype)
    if reduction == 2:
        return np.asarray(losses.sum(), logp.dtype)
    return np.asarray(losses.sum() / w.sum(), logp.dtype)


def _nll_vjp(g, s):
    return g._nll_backward(s.self_sym_sizes, s.target, s.weight, s.reduction, s.ignore_index)


NLL = row("NllLossBackward0", ["self"], _nll_forward,
          self=(uses("target", "weight", "reduction", "ignore_index", "self_sym_sizes"),
                _nll_vjp))
