"""Shape and view rows (view, reshape, transpose, squeeze, expand, select, slices, indexing),
copies and casts (clone, to), cat and stack, and ``t[key] = value`` (CopySlices)."""
from __future__ import annotations

import math

import numpy as np

from .. import _args
from .. import dtypes as _dt
from ..dtypes import type_name
from .._dispatch import apply, view as _view
from .._legacy import LegacyTensorType, dtype_of
from ..autograd.forward_ad import STATE as _FW, propagate
from ..autograd.graph import record, sum_to
from ..tensor import Tensor, check_device, dim_index, shape_str, wrap
from ._backward import index_backward, keep_mask
from ._row import jvps, row, uses, variants

# ================================================================================ reshaping


def _shape_arg(t, shape, fname="reshape"):
    shape = _args.int_list(fname, shape, "shape" if fname == "reshape" else "size")
    size = t._data.size
    if shape.count(-1) > 1:
        raise RuntimeError("only one dimension can be inferred")
    for index, extent in enumerate(shape):
        if extent < -1:
            raise RuntimeError(f"invalid shape dimension {extent} at index {index} of shape "
                               f"{shape_str(shape)}")
    known = math.prod(s for s in shape if s != -1)
    if -1 in shape:
        if size == 0 and known == 0:
            raise RuntimeError(f"cannot reshape tensor of 0 elements into shape "
                               f"{shape_str(shape)} because the unspecified dimension size -1 "
                               "can be any value and is ambiguous")
        if known == 0 or size % known:
            raise RuntimeError(f"shape '{shape_str(shape)}' is invalid for input of size "
                               f"{size}")
        shape = tuple(size // known if s == -1 else s for s in shape)
    elif known != size:
        raise RuntimeError(f"shape '{shape_str(shape)}' is invalid for input of size {size}")
    return shape


def view(self, *shape):
    if len(shape) == 1 and isinstance(shape[0], _dt.dtype):
        raise RuntimeError("view(dtype) is not supported")
    shape = _shape_arg(self, shape, "view")
    data = self._data.view()
    try:
        data.shape = shape
    except AttributeError:
        raise RuntimeError("view size is not compatible with input tensor's size and "
                           "stride (at least one dimension spans across two contiguous "
                           "subspaces). Use .reshape(...) instead.") from None
    return _view(VIEW, self, data, {"self_sym_sizes": self._data.shape})


VIEW = row("ViewBackward0", ["self"], lambda a, shape: a.reshape(shape), entry=view,
           method="view",
           self=(uses("self_sym_sizes"), lambda g, s: g.reshape(s.self_sym_sizes)))


@variants(method="view_as")
def view_as(self, other):
    return self.view(other._data.shape)


def reshape(self, *shape):
    """A view when the strides allow one (ViewBackward0 if contiguous, else
    ReshapeAliasBackward0), otherwise a copy (UnsafeViewBackward0 over CloneBackward0)."""
    shape = _shape_arg(self, shape)
    data = self._data.view()
    try:
        data.shape = shape
    except AttributeError:
        return unsafe_view(self.clone(), shape)
    row_ = VIEW if self._data.flags.c_contiguous else RESHAPE_ALIAS
    return _view(row_, self, data, {"self_sym_sizes": self._data.shape})


# reshape of a non-contiguous tensor whose strides still allow a view
RESHAPE_ALIAS = row("ReshapeAliasBackward0", ["self"], lambda a, shape: a.reshape(shape),
                    entry=reshape, method="reshape", function="reshape",
                    self=(uses("self_sym_sizes"), lambda g, s: g.reshape(s.self_sym_sizes)))


@variants(method="reshape_as")
def reshape_as(self, other):
    return self.reshape(other._data.shape)


def unsafe_view(t, shape):
    """A reshape that copies: matmul's and reshape's own (UnsafeViewBackward0)."""
    return apply(UNSAFE_VIEW, (t,), t._dtype, {"shape": shape},
                 {"self_sym_sizes": t._data.shape})


UNSAFE_VIEW = row("UnsafeViewBackward0", ["self"], lambda a, shape: a.reshape(shape),
                  self=(uses("self_sym_sizes"), lambda g, s: g.reshape(s.self_sym_sizes)))


@variants(method="flatten", function="flatten")
def flatten(self, start_dim=0, end_dim=-1):
    ndim = self._data.ndim
    if ndim == 0:
        return self.reshape(1)
    s = dim_index(start_dim, ndim)
    e = dim_index(end_dim, ndim)
    if s > e:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    if s == e:
        return self
    shape = self._data.shape
    return self.reshape(shape[:s] + (math.prod(shape[s:e + 1]),) + shape[e + 1:])


ALIAS = row("AliasBackward0", ["self"], lambda a: a[...],
            self=(uses(), lambda g, s: g))

# =========================================================================== copies and casts

# the first .grad of a leaf under create_graph=True: a copy into a fresh tensor (self)
COPY = row("CopyBackwards", ["self", "src"], np.copy,
           src=(uses(), lambda g, s: g))


def copy_recorded(t):
    """A copy that stays differentiable (CopyBackwards): a leaf's first create_graph
    gradient."""
    return apply(COPY, (None, t), t._dtype, arrays=(t._data,))


def clone(self, *, memory_format=None):
    return apply(CLONE, (self,), self._dtype)


CLONE = row("CloneBackward0", ["self"], lambda a: a.copy(), entry=clone,
            method="clone", function="clone",
            self=(uses(), lambda g, s: g))


@variants(method="contiguous")
def contiguous(self):
    return self if self._data.flags.c_contiguous else self.clone()


def to(self, *args, **kwargs):
    dtype = _args.dtype("to", kwargs.pop("dtype", None))
    check_device(kwargs.pop("device", None))
    copy = kwargs.pop("copy", False)
    for arg in args:
        if isinstance(arg, _dt.dtype) or arg in (float, int, bool):
            dtype = _args.dtype("to", arg)
        elif isinstance(arg, Tensor):
            dtype = arg._dtype
        else:
            check_device(arg)
    if dtype is None or (dtype is self._dtype and not copy):
        return self
    return cast_to(self, dtype)


def cast_to(t, dtype):
    """A copy in ``dtype``; only a floating result stays differentiable. Not through
    ``_dispatch.apply``: an integral result records no node, and the cast is not made
    error-quiet as forwards are (its overflow warnings stay as they were)."""
    if dtype.is_floating_point:     # a float too large for a narrower float becomes inf
        with np.errstate(over="ignore"):
            out = wrap(t._data.astype(dtype.np), dtype)
    else:
        out = wrap(t._data.astype(dtype.np), dtype)
    if t._requires_grad and dtype.is_floating_point:
        record(TO_COPY, out, (t,), {"dtype": dtype})
    if _FW.token is not None and dtype.is_floating_point:
        propagate(TO_COPY, out, (t,), {"dtype": dtype})
    return out


TO_COPY = row("ToCopyBackward0", ["self"], lambda a, dtype: a.astype(dtype), entry=to,
              method="to",
              self=(uses(), lambda g, s: g))      # the cast back is shared bookkeeping


@variants(method="type")
def type_(self, dtype=None):
    if dtype is None:
        return f"torch.{self._dtype.legacy_name}"
    if isinstance(dtype, str) or isinstance(dtype, LegacyTensorType):
        dtype = dtype_of(dtype)     # 'torch.LongTensor', torch.LongTensor
    return self.to(_args.dtype("type", dtype))


@variants(method="type_as")
def type_as(self, other):
    return self.to(other._dtype)


def _cast_method(dtype):
    def method(self):
        return self.to(dtype)
    return method


for _name, _dtype in (("float", _dt.float32), ("double", _dt.float64), ("long", _dt.int64),
                      ("int", _dt.int32), ("bool", _dt.bool_), ("half", _dt.float16),
                      ("bfloat16", _dt.bfloat16)):
    variants(method=_name)(_cast_method(_dtype))

# ========================================================================= transposing

def transpose(self, dim0, dim1):
    n = self._data.ndim
    d0 = dim_index(_args.integer("transpose", "dim0", dim0, 1), n)
    d1 = dim_index(_args.integer("transpose", "dim1", dim1, 2), n)
    data = np.swapaxes(self._data, d0, d1) if n else self._data.view()
    return _view(TRANSPOSE, self, data, {"dim0": d0, "dim1": d1})


TRANSPOSE = row("TransposeBackward0", ["self"], lambda a, dim0, dim1: np.swapaxes(a, dim0, dim1),
                entry=transpose, method=("transpose", "swapaxes"),
                function=("transpose", "swapaxes"),
                self=(uses("dim0", "dim1"), lambda g, s: g.transpose(s.dim0, s.dim1)))


def t(self):
    if self._data.ndim > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is "
                           f"{self._data.ndim}D")
    return _view(T, self, self._data.T)


T = row("TBackward0", ["self"], lambda a: a.T, entry=t, method="t", function="t",
        self=(uses(), lambda g, s: g.t()))


def permute(self, *dims):
    dims = _args.int_list("permute", dims, "dims")
    n = self._data.ndim
    if len(dims) == n:
        dims = tuple(dim_index(d, n) for d in dims)
        if len(set(dims)) != n:
            raise RuntimeError("permute(): duplicate dims are not allowed.")
    if sorted(dims) != list(range(n)):
        raise RuntimeError("permute(sparse_coo): number of dimensions in the tensor input "
                           "does not match the length of the desired ordering of "
                           "dimensions i.e. input.dim() = "
                           f"{n} is not equal to len(dims) = {len(dims)}")
    return _view(PERMUTE, self, np.transpose(self._data, dims), {"dims": dims})


PERMUTE = row("PermuteBackward0", ["self"], lambda a, dims: np.transpose(a, dims),
              entry=permute, method="permute", function="permute",
              self=(uses("dims"), lambda g, s: g.permute(tuple(np.argsort(s.dims).tolist()))))

# =================================================================== squeeze and unsqueeze


def squeeze(self, dim=None, *more_dims):
    if more_dims:
        dim = (dim, *more_dims)          # squeeze(0, 1): the dims as varargs
    sizes = {"self_sym_sizes": self._data.shape}
    if dim is None:
        return _view(SQUEEZE, self, np.squeeze(self._data), sizes)
    n = self._data.ndim
    if isinstance(dim, int):
        d = dim_index(dim, n)
        data = np.squeeze(self._data, d) if n and self._data.shape[d] == 1 else \
            self._data.view()
        return _view(SQUEEZE_DIM, self, data, {"dim": d, **sizes})
    ds = _args.dim_list(_args.int_list("squeeze", dim, "dim", varargs=False), n, dim_index)
    drop = tuple(x for x in ds if n and self._data.shape[x] == 1)
    return _view(SQUEEZE_DIMS, self, np.squeeze(self._data, drop), {"dim": ds, **sizes})


SQUEEZE = row("SqueezeBackward0", ["self"], lambda a: np.squeeze(a), entry=squeeze,
              method="squeeze", function="squeeze",
              self=(uses("self_sym_sizes"), lambda g, s: g.reshape(s.self_sym_sizes)))

SQUEEZE_DIM = row("SqueezeBackward1", ["self"], lambda a, dim: np.squeeze(a, dim),
                  self=(uses("dim", "self_sym_sizes"),
                        lambda g, s: g.reshape(s.self_sym_sizes)))

SQUEEZE_DIMS = row("SqueezeBackward2", ["self"], lambda a, dim: np.squeeze(a, dim),
                   self=(uses("dim", "self_sym_sizes"),
                         lambda g, s: g.reshape(s.self_sym_sizes)))


def squeeze_inplace(t, dim):
    """matmul's squeeze_ of its own result: SqueezeBackward4."""
    return _view(SQUEEZE_INPLACE, t, np.squeeze(t._data, dim),
                 {"dim": dim, "self_sym_sizes": t._data.shape})


# matmul's own squeeze of its result (an in-place squeeze_ in PyTorch)
SQUEEZE_INPLACE = row("SqueezeBackward4", ["self"], lambda a, dim: np.squeeze(a, dim),
                      self=(uses("dim", "self_sym_sizes"),
                            lambda g, s: g.unsqueeze(s.dim)))


def unsqueeze(self, dim):
    d = dim_index(_args.integer("unsqueeze", "dim", dim, 1), self._data.ndim + 1)
    shape = self._data.shape
    # inserting a size-1 dimension never needs a copy (np.expand_dims is slower)
    return _view(UNSQUEEZE, self, self._data.reshape(shape[:d] + (1,) + shape[d:]), {"dim": d})


UNSQUEEZE = row("UnsqueezeBackward0", ["self"], lambda a, dim: np.expand_dims(a, dim),
                entry=unsqueeze, method="unsqueeze", function="unsqueeze",
                self=(uses("dim"), lambda g, s: g.squeeze(s.dim)))

# ================================================================================ expanding


def expand(self, *sizes):
    sizes = _args.int_list("expand", sizes)
    shape = self._data.shape
    if len(sizes) < len(shape):
        raise RuntimeError(
            f"expand(torch.{self._dtype.legacy_name}{{{shape_str(shape)}}}, "
            f"size={shape_str(sizes)}): the number of sizes provided ({len(sizes)}) must "
            f"be greater or equal to the number of dimensions in the tensor ({len(shape)})")
    lead = len(sizes) - len(shape)
    target = []
    for i, s in enumerate(sizes):
        have = shape[i - lead] if i >= lead else None
        if s == -1:
            if have is None:
                raise RuntimeError(
                    f"The expanded size of the tensor (-1) isn't allowed in a leading, "
                    f"non-existing dimension {i}")
            s = have
        elif have is not None and have != 1 and have != s:
            raise RuntimeError(
                f"The expanded size of the tensor ({s}) must match the existing size "
                f"({have}) at non-singleton dimension {i}.  Target sizes: "
                f"{shape_str(sizes)}.  Tensor sizes: {shape_str(shape)}")
        target.append(int(s))
    data = np.broadcast_to(self._data, tuple(target))
    return _view(EXPAND, self, data, {"self_sym_sizes": shape})


EXPAND = row("ExpandBackward0", ["self"], lambda a, shape: np.broadcast_to(a, shape),
             entry=expand, method="expand",
             self=(uses("self_sym_sizes"), lambda g, s: sum_to(g, s.self_sym_sizes)))


def expand_to(t, shape):
    """``expand`` for shapes known to be valid (inside VJPs)."""
    data = t._data
    if data.ndim == 0 and data.flags.c_contiguous:
        # a read-only zero-stride view, built directly (np.broadcast_to is slow)
        expanded = np.ndarray(shape, data.dtype, buffer=data, strides=(0,) * len(shape))
        expanded.flags.writeable = False
    else:
        expanded = np.broadcast_to(data, shape)
    return _view(EXPAND, t, expanded, {"self_sym_sizes": data.shape})


@variants(method="expand_as")
def expand_as(self, other):
    return self.expand(other._data.shape)

# ============================================================ select, slices and indexing


def select(self, dim, index):
    n = self._data.ndim
    if n == 0:
        raise IndexError("select() cannot be applied to a 0-dim tensor.")
    d = dim_index(_args.integer("select", "dim", dim, 1), n)
    index = _args.integer("select", "index", index, 2)
    size = self._data.shape[d]
    if not -size <= index < size:
        raise IndexError(f"select(): index {index} out of range for tensor of size "
                         f"{shape_str(self._data.shape)} at dimension {d}")
    key = (slice(None),) * d + (index + size if index < 0 else index,)
    return _view(SELECT, self, self._data[key],
                 {"self_sym_sizes": self._data.shape, "index_key": key, "dim": d,
                  "index": index})


SELECT = row("SelectBackward0", ["self"], lambda a, key: a[key], entry=select,
             method="select", function="select",
             self=(uses("self_sym_sizes", "index_key"),
                   lambda g, s: index_backward(g, s.self_sym_sizes, s.index_key, "select")))


def narrow(self, dim, start, length):
    if self._data.ndim == 0:
        raise RuntimeError("narrow() cannot be applied to a 0-dim tensor.")
    d = dim_index(_args.integer("narrow", "dim", dim, 1), self._data.ndim)
    start = _args.integer("narrow", "start", start, 2)
    length = _args.integer("narrow", "length", length, 3)
    size = self._data.shape[d]
    if not -size <= start <= size:
        raise IndexError(f"start out of range (expected to be in range of [{-size}, {size}], "
                         f"but got {start})")
    start = start + size if start < 0 else start
    if length < 0:
        raise RuntimeError("narrow(): length must be non-negative.")
    if start + length > size:
        raise RuntimeError(f"start ({start}) + length ({length}) exceeds dimension size "
                           f"({size}).")
    key = (slice(None),) * d + (slice(start, start + length),)
    return _view(SLICE, self, self._data[key],
                 {"self_sym_sizes": self._data.shape, "index_key": key})


SLICE = row("SliceBackward0", ["self"], lambda a, key: a[key], entry=narrow,
            method="narrow", function="narrow",
            self=(uses("self_sym_sizes", "index_key"),
                  lambda g, s: index_backward(g, s.self_sym_sizes, s.index_key, "slice")))

INDEX = row("IndexBackward0", ["self"], lambda a, key: a[key],
            self=(uses("self_sym_sizes", "index_key", "indices"),
                  lambda g, s: index_backward(g, s.self_sym_sizes, s.index_key, "index")))


@variants(method="unbind", function="unbind")
def unbind(self, dim=0):
    if self._data.ndim == 0:
        raise IndexError("Dimension specified as 0 but tensor has no dimensions")
    dim = dim_index(_args.integer("unbind", "dim", dim, 1), self._data.ndim)
    return tuple(self.select(dim, i) for i in range(self._data.shape[dim]))


@variants(method="split", function="split")
def split(self, split_size, dim=0):
    if self._data.ndim == 0:
        raise RuntimeError("split expects at least a 1-dimensional tensor")
    d = dim_index(_args.integer("split", "dim", dim, 2), self._data.ndim)
    size = self._data.shape[d]
    if _args.is_int(split_size):
        split_size = int(split_size)
        if split_size < 0:
            raise RuntimeError("split expects split_size be non-negative, but got "
                               f"split_size={split_size}")
        if split_size == 0 and size != 0:
            raise RuntimeError("split_size can only be 0 if dimension size is 0, but got "
                               f"dimension size of {size}")
        sizes = [min(split_size, size - s) for s in range(0, size, split_size or 1)]
    else:
        sizes = list(_args.int_list("split", split_size, "split_size", varargs=False))
        if sum(sizes) != size or any(s < 0 for s in sizes):
            raise RuntimeError(f"split_with_sizes expects split_sizes to sum exactly to {size} "
                               f"(input tensor's size at dimension {d}), but got "
                               f"split_sizes={shape_str(sizes)}")
    out, start = [], 0
    for s in sizes:
        out.append(self.narrow(d, start, s))
        start += s
    return tuple(out)


@variants(method="chunk", function="chunk")
def chunk(self, chunks, dim=0):
    if self._data.ndim == 0:
        raise RuntimeError("chunk expects at least a 1-dimensional tensor")
    chunks = _args.integer("chunk", "chunks", chunks, 1)
    if chunks <= 0:
        raise RuntimeError(f"chunk expects `chunks` to be greater than 0, got: {chunks}")
    size = self._data.shape[dim_index(dim, self._data.ndim)]
    return self.split(-(-size // chunks), dim)


def _copy_slices_self(g, s):
    # the overwritten positions get no gradient
    return g.where(keep_mask(g, s.index_key), 0.0)


def _copy_slices_value(g, s):
    return g[s.index_key]


# `t[key] = value` on a tensor that is part of a graph (refgrad._inplace records it)
COPY_SLICES = row("CopySlices", ["self", "value"], None,
                  self=(uses("index_key"), _copy_slices_self),
                  value=(uses("index_key"), _copy_slices_value))

# ============================================================================ cat and stack


def _common_dtype(tensors):
    ref = tensors[0]._dtype
    return _dt.result_type(*tensors) if any(t._dtype is not ref for t in tensors) else ref


def _tensor_list(fname, tensors):
    """A ``tensors`` argument: a tuple or list of tensors, as PyTorch checks it."""
    if not isinstance(tensors, (tuple, list)):
        raise TypeError(f"{fname}(): argument 'tensors' (position 1) must be tuple of Tensors, "
                        f"not {_args.type_name(tensors)}")
    for i, t in enumerate(tensors):
        if not isinstance(t, Tensor):
            raise TypeError(f"expected Tensor as element {i} in argument 0, but got "
                            f"{_args.type_name(t)}")
    return list(tensors)


@variants(function=("cat", "concat", "concatenate"))
def cat(tensors, dim=0):
    tensors = _tensor_list("cat", tensors)
    dim = _args.integer("cat", "dim", dim)
    if not tensors:
        raise ValueError("torch.cat(): expected a non-empty list of Tensors")
    for i, t in enumerate(tensors):
        if t._data.ndim == 0:
            raise RuntimeError(f"zero-dimensional tensor (at position {i}) cannot be "
                               "concatenated")
    # PyTorch's legacy rule: 1-d empty tensors are skipped whatever the others' shapes
    kept = [t for t in tensors if t._data.shape != (0,)]
    if kept and len(kept) != len(tensors):
        tensors = kept
    ref = tensors[0]
    d = dim_index(dim, ref._data.ndim)
    for i, t in enumerate(tensors[1:], 1):
        if t._data.ndim != ref._data.ndim:
            raise RuntimeError(
                f"Tensors must have same number of dimensions: got {ref._data.ndim} and "
                f"{t._data.ndim}")
        for axis, (x, y) in enumerate(zip(ref._data.shape, t._data.shape)):
            if axis != d and x != y:
                raise RuntimeError(
                    f"Sizes of tensors must match except in dimension {d}. Expected size {x} "
                    f"but got size {y} for tensor number {i} in the list.")
    return apply(CAT, tuple(tensors), _common_dtype(tensors), {"dim": d},
                 {"dim": d, "sizes": [t._data.shape[d] for t in tensors]})


def _cat_vjp(g, s, i):
    start = sum(s.sizes[:i])
    return g.narrow(s.dim, start, s.sizes[i])


CAT = row("CatBackward0", ["tensors"], lambda *arrays, dim: np.concatenate(arrays, dim),
          variadic=True, tensors=(uses("dim", "sizes"), _cat_vjp))


@variants(function="stack")
def stack(tensors, dim=0):
    tensors = _tensor_list("stack", tensors)
    dim = _args.integer("stack", "dim", dim)
    if not tensors:
        raise RuntimeError("stack expects a non-empty TensorList")
    ref = tensors[0]
    for i, t in enumerate(tensors[1:], 1):
        if t._data.shape != ref._data.shape:
            raise RuntimeError(
                f"stack expects each tensor to be equal size, but got "
                f"{shape_str(ref._data.shape)} at entry 0 and {shape_str(t._data.shape)} at "
                f"entry {i}")
    d = dim_index(dim, ref._data.ndim + 1)
    return apply(STACK, tuple(tensors), _common_dtype(tensors), {"dim": d})


STACK = row("StackBackward0", ["tensors"], lambda *arrays, dim: np.stack(arrays, dim),
            variadic=True, tensors=(uses("dim"), lambda g, s, i: g.select(s.dim, i)))


# the primal of a dual tensor (forward_ad.unpack_dual): a view without the tangent


@variants(method="_fw_primal")
def fw_primal(self, level):
    token, _FW.token = _FW.token, None      # the view gets no tangent
    try:
        return _view(IDENTITY, self, self._data)
    finally:
        _FW.token = token


IDENTITY = row("Identity", ["self"], lambda a: a, self=(uses(), lambda g, s: g))
# PyTorch's node for it has no class of its own: a CppFunction named torch::autograd::Identity
IDENTITY.cls = type("CppFunction", (IDENTITY.cls,),
                    {"__slots__": (), "__module__": IDENTITY.cls.__module__,
                     "name": lambda self: "torch::autograd::Identity"})

# ------------------------------------------------------------------------- forward mode

# views and copies are linear: the same view (or copy) of the tangent


def _reshaped(t, s):
    return t.reshape(s.result._data.shape)


for _row_ in (VIEW, RESHAPE_ALIAS, UNSAFE_VIEW, SQUEEZE, SQUEEZE_DIM, SQUEEZE_DIMS,
              SQUEEZE_INPLACE):
    jvps(_row_, self=_reshaped)
jvps(ALIAS, self=lambda t, s: t[...])
jvps(IDENTITY, self=lambda t, s: t)
jvps(CLONE, self=lambda t, s: t.clone())
jvps(TO_COPY, self=lambda t, s: t.to(s.result.dtype))
jvps(COPY, self=lambda t, s: t * 0, src=lambda t, s: t.to(s.result.dtype))
jvps(TRANSPOSE, self=lambda t, s: t.transpose(s.dim0, s.dim1))
jvps(T, self=lambda t, s: t.t())
jvps(PERMUTE, self=lambda t, s: t.permute(s.dims))
jvps(UNSQUEEZE, self=lambda t, s: t.unsqueeze(s.dim))
jvps(EXPAND, self=lambda t, s: t.expand(s.result._data.shape))
for _row_ in (SELECT, SLICE, INDEX):
    jvps(_row_, self=lambda t, s: t[s.index_key])
# t[key] = value: the old tangent where nothing was written, the value's tangent at key
jvps(COPY_SLICES, self=_copy_slices_self,
     value=lambda t, s: index_backward(
         t.to(s.result.dtype).expand(s.result[s.index_key].shape), s.result._data.shape,
         s.index_key, "slice"))
jvps(CAT, tensors=lambda ts, s: cat(ts, s.dim))
jvps(STACK, tensors=lambda ts, s: stack(ts, s.dim))
