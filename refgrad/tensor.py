"""Tensor: a NumPy array, autograd flags, and the Python operators.

Every differentiable method follows one pattern: promote and cast the operands, run the
row's NumPy forward (``refgrad.ops``), wrap the array, and let ``autograd.graph.record``
attach the row's node when grad mode is on and an input requires grad.
"""
from __future__ import annotations

import math
import numbers
import warnings

import numpy as np

from . import dtypes as _dt
from . import ops as _ops
from .autograd import engine as _engine
from .autograd import numpy_errors as _numpy_errors
from .autograd import grad_mode as _grad_mode
from .autograd.graph import RemovableHandle, record

_STATE = _grad_mode.STATE
_new = object.__new__
_ndarray = np.ndarray
_float32 = _dt.float32
_int64 = _dt.int64
_bool = _dt.bool_

NON_LEAF_GRAD_WARNING = (
    "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its .grad "
    "attribute won't be populated during autograd.backward(). If you indeed want the .grad "
    "field to be populated for a non-leaf Tensor, use .retain_grad() on the non-leaf Tensor. "
    "If you access the non-leaf Tensor by mistake, make sure you access the leaf Tensor "
    "instead. See github.com/pytorch/pytorch/pull/30531 for more information.")
SCALAR_CONVERSION_WARNING = (
    "Converting a tensor with requires_grad=True to a scalar may lead to unexpected behavior.\n"
    "Consider using tensor.detach() first.")
LEAF_INPLACE = "a leaf Variable that requires grad is being used in an in-place operation."
VIEW_OF_LEAF_INPLACE = ("a view of a leaf Variable that requires grad is being used in an "
                        "in-place operation.")
NO_GRAD_VIEW_INPLACE = (
    "A view was created in no_grad mode and is being modified inplace with grad mode enabled. "
    "Given that this use case is ambiguous and error-prone, it is forbidden. You can clarify "
    "your code by moving both the view and the inplace either both inside the no_grad block "
    "(if you don't want the inplace to be tracked) or both outside (if you want the inplace "
    "to be tracked).")
# PyTorch rebases the base's grad_fn here (CopySlices); refgrad refuses rather than give a
# silently wrong gradient
VIEW_OF_NON_LEAF_INPLACE = (
    "refgrad does not support in-place operations on a view of a tensor that requires grad "
    "while grad mode is on: apply the operation out of place, or to the base tensor itself "
    "(t[index] = value is supported)")
ZERO_TENSOR_INPLACE = ("ZeroTensors are immutable. Please use the materialized zero tensor "
                       "obtained using .clone() if you want a mutable tensor.")
INFERENCE_INPLACE = (
    "Inplace update to inference tensor outside InferenceMode is not allowed.You can make a "
    "clone to get a normal tensor before doing inplace update.See "
    "https://github.com/pytorch/rfcs/pull/17 for more details.")
_warned_scalar_conversion = [False]
TRANSPOSE_WARNING = (
    "The use of `x.T` on tensors of dimension other than 2 to reverse their shape is "
    "deprecated and it will throw an error in a future release. Consider `x.mT` to transpose "
    "batches of matrices or `x.permute(*torch.arange(x.ndim - 1, -1, -1))` to reverse the "
    "dimensions of a tensor.")
_warned_transpose = {"low": False, "high": False}


class Size(tuple):
    """``torch.Size([2, 3])``: a tuple of ints."""

    __slots__ = ()

    def __repr__(self) -> str:
        return f"torch.Size([{', '.join(str(s) for s in self)}])"

    __str__ = __repr__

    def numel(self) -> int:
        return math.prod(self)

    def __getitem__(self, item):
        result = tuple.__getitem__(self, item)
        return Size(result) if isinstance(item, slice) else result

    def __add__(self, other):
        return Size(tuple.__add__(self, tuple(other)))


class device:
    """Only the CPU exists here: ``device('cpu')`` (also ``'cpu:0'``)."""

    __slots__ = ("type", "index")

    def __init__(self, type="cpu", index=None):
        if isinstance(type, device):
            type, index = type.type, type.index
        name = str(type)
        if ":" in name:
            name, _, number = name.partition(":")
            index = int(number)
        if name != "cpu":
            raise RuntimeError(
                f"refgrad runs on the CPU only: device '{type}' is not available "
                "(use device='cpu')")
        self.type = "cpu"
        self.index = index

    def __repr__(self) -> str:
        if self.index is None:
            return "device(type='cpu')"
        return f"device(type='cpu', index={self.index})"

    def __str__(self) -> str:
        return "cpu" if self.index is None else f"cpu:{self.index}"

    def __eq__(self, other) -> bool:
        if isinstance(other, str):
            return other in ("cpu", str(self))
        return isinstance(other, device) and other.type == self.type

    def __hash__(self) -> int:
        return hash(self.type)


CPU = device("cpu")


def check_device(value) -> None:
    """Accept ``None``, ``'cpu'``, ``'cpu:0'``, ``device('cpu')``; refuse anything else."""
    if value is None or value is CPU or value == "cpu":
        return
    device(value)


class _ReturnType(tuple):
    """``torch.return_types.max(values=..., indices=...)``."""

    __slots__ = ()
    _name = "max"

    @property
    def values(self):
        return self[0]

    @property
    def indices(self):
        return self[1]

    def __repr__(self) -> str:
        return (f"torch.return_types.{self._name}(\nvalues={self[0]!r},\n"
                f"indices={self[1]!r})")


def _return_type(name):
    return type(name, (_ReturnType,), {"__slots__": (), "_name": name})


_RETURN_TYPES = {n: _return_type(n) for n in ("max", "min")}


# ------------------------------------------------------------------------------ wrapping

def _wrap(data, dtype, inference=None):
    """A fresh leaf around ``data`` (no copy). Only what every tensor needs is set here; the
    rarely set attributes (hooks, ``_acc``, ``_base`` ...) read their class-level defaults."""
    t = _new(Tensor)
    t._data = data
    t._dtype = dtype
    t._requires_grad = False
    t._grad_fn = None
    t._version_counter = [0]
    if (_STATE.inference if inference is None else inference):
        t._inf = True
    return t


def _from_array(data):
    if type(data) is not _ndarray:
        data = np.asarray(data)
    return _wrap(data, _dt.from_numpy(data.dtype))


def _scalar_tensor(value, dtype):
    if dtype.is_floating_point and isinstance(value, float) and abs(value) > 3.4e38:
        with np.errstate(all="ignore"):
            return _wrap(np.array(value, dtype.np), dtype, False)
    return _wrap(np.array(value, dtype.np), dtype, False)


def _shape_str(shape) -> str:
    return "[" + ", ".join(str(s) for s in shape) + "]"


def broadcast_error(sa, sb) -> RuntimeError:
    n = max(len(sa), len(sb))
    for i in range(1, n + 1):
        x = sa[-i] if i <= len(sa) else 1
        y = sb[-i] if i <= len(sb) else 1
        if x != y and x != 1 and y != 1:
            return RuntimeError(f"The size of tensor a ({x}) must match the size of tensor b "
                                f"({y}) at non-singleton dimension {n - i}")
    return RuntimeError("shapes cannot be broadcast together")


# PyTorch never warns about overflow, division by zero or invalid values; NumPy does unless
# told not to (autograd/numpy_errors.py: public np.errstate).
_call_quietly = _numpy_errors.call_quietly


def _forward(row, *arrays, **params):
    """The row's NumPy forward, silent about floating-point errors, with PyTorch's
    broadcasting message."""
    try:
        out = _call_quietly(row.forward, *arrays, **params)
    except ValueError:
        shapes = [a.shape for a in arrays if isinstance(a, _ndarray)]
        if len(shapes) >= 2:
            try:
                np.broadcast_shapes(*shapes)
            except ValueError:
                raise broadcast_error(shapes[0], shapes[1]) from None
        raise
    return out if type(out) is _ndarray else np.asarray(out)


def dim_index(dim, ndim) -> int:
    """A dim normalised to ``[0, ndim)``; PyTorch's IndexError otherwise."""
    n = ndim if ndim > 0 else 1
    if not -n <= dim < n:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], "
                         f"but got {dim})")
    return dim + n if dim < 0 else dim


def _as_operand(value):
    """Tensors stay; NumPy arrays become tensors; python numbers stay numbers."""
    if isinstance(value, Tensor):
        return value
    if isinstance(value, np.ndarray):
        return _from_array(value)
    if isinstance(value, (numbers.Number, np.generic)):
        return value
    raise TypeError(f"unsupported operand type: '{type(value).__name__}'")


def _float_dtype(dtype):
    return dtype if dtype.is_floating_point else _dt.get_default_dtype()


class Tensor:
    """An n-dimensional array that records the operations applied to it."""

    # set on every tensor; the rest live in __dict__ once set, with the defaults below
    # (``__slots__[:-1]`` - everything but __weakref__ - is what a copy of a tensor takes)
    __slots__ = ("_data", "_dtype", "_requires_grad", "_grad_fn", "_version_counter", "__dict__",
                 "__weakref__")
    _grad = None                    # .grad of a leaf (or of a non-leaf that retains it)
    _base = None                    # the tensor a view was made of
    _hooks = None                   # tensor hooks (registration order)
    _post_hooks = None              # post-accumulate-grad hooks
    _acc = None                     # weak reference to the leaf's AccumulateGrad
    _retains = False                # retain_grad() was called
    _inf = False                    # made in inference mode
    _no_grad_view = False           # a view made under no_grad of a tensor requiring grad
    _zero_tensor = False            # an immutable ZeroTensor
    __array_ufunc__ = None          # NumPy defers to our reflected operators
    __hash__ = object.__hash__      # == is elementwise; identity hashing like PyTorch

    def __init__(self, *args, **kwargs):
        # the legacy constructor: Tensor([1, 2]) is float32, Tensor(2, 3) uninitialised
        from .factories import tensor as make
        if len(args) == 1 and not isinstance(args[0], numbers.Number):
            made = make(args[0], dtype=_dt.get_default_dtype())
        else:
            made = make(np.zeros(tuple(args), _dt.get_default_dtype().np))
        for slot in Tensor.__slots__[:-1]:
            setattr(self, slot, getattr(made, slot))

    # ------------------------------------------------------------------ internal helpers
    def _new(self, data):
        """A fresh tensor around a NumPy array (dtype from the array)."""
        return _from_array(data)

    def _copy_recorded(self):
        """A copy that stays differentiable (CopyBackwards): a leaf's first create_graph
        gradient."""
        out = _wrap(np.array(self._data, copy=True), self._dtype)
        if self._requires_grad:
            record(_ops.COPY, out, (None, self))
        return out

    def _detached_copy(self):
        t = _wrap(np.array(self._data, copy=True), self._dtype)
        t._zero_tensor = self._zero_tensor
        return t

    def _zero_tensor_like(self, shape):
        """PyTorch's efficient zero tensor: the gradient of sgn; immutable."""
        t = _wrap(np.zeros(shape, self._dtype.np), self._dtype)
        t._zero_tensor = True
        return t

    def _is_zerotensor(self) -> bool:
        return self._zero_tensor

    def _add_in_place_raw(self, data) -> None:
        if self._zero_tensor:
            raise RuntimeError(ZERO_TENSOR_INPLACE)
        if self._data.flags.writeable:
            np.add(self._data, data, out=self._data, casting="unsafe")
        else:
            self._data = self._data + data
        self._version_counter[0] += 1

    def _saved_view(self):
        """How a node keeps its own result: same array and version counter, no graph."""
        t = _wrap(self._data, self._dtype, False)
        t._version_counter = self._version_counter
        return t

    def _as_output_of(self, node):
        if not _STATE.enabled:
            return self
        t = _wrap(self._data, self._dtype, False)
        t._version_counter = self._version_counter
        t._grad_fn = node
        t._requires_grad = True
        return t

    def _ones_like(self):
        ones = np.empty(self._data.shape, self._dtype.np)
        ones.fill(1)                # np.ones, without its Python-level wrapper
        return _wrap(ones, self._dtype)

    def _expand_to(self, shape):
        """``expand`` for shapes known to be valid (inside VJPs)."""
        data = self._data
        if data.ndim == 0 and data.flags.c_contiguous:
            # a read-only zero-stride view, built directly (np.broadcast_to is slow)
            view = np.ndarray(shape, data.dtype, buffer=data, strides=(0,) * len(shape))
            view.flags.writeable = False
        else:
            view = np.broadcast_to(data, shape)
        return self._view_op(_ops.EXPAND, view, {"self_sym_sizes": data.shape})

    def _zeros_like(self):
        return _wrap(np.zeros(self._data.shape, self._dtype.np), self._dtype)

    def _mul_scalar(self, value):
        """tensor * python number recorded as MulBackward1 (the C++ spelling)."""
        out = _wrap(_forward(_ops.MUL_SCALAR, self._data, np.asarray(value, self._dtype.np)),
                    self._dtype)
        if self._requires_grad:
            record(_ops.MUL_SCALAR, out, (self,), {"other": value})
        return out

    def _arange_like_dim(self, shape, dim):
        view = [1] * len(shape)
        view[dim] = shape[dim]
        return _wrap(np.arange(shape[dim]).reshape(view), _int64)

    def _index_backward(self, shape, key, kind):
        """Zeros of ``shape`` with this gradient at ``key`` (the VJP of an indexing op)."""
        data = np.zeros(shape, self._dtype.np)
        if kind == "index":
            np.add.at(data, key, self._data)
        else:
            data[key] = self._data
        out = _wrap(data, self._dtype)
        if self._requires_grad:
            if kind == "index":
                record(_ops.INDEX_PUT, out, (None, self), {"index_key": key})
            else:
                row = _ops.SELECT_BACKWARD if kind == "select" else _ops.SLICE_BACKWARD
                record(row, out, (self,), {"index_key": key})
        return out

    def _pointwise_backward(self, row, other):
        """A VJP that is a node of its own (``row(grad, other)``), e.g. tanh's."""
        dt = self._dtype
        b = other._data if other._dtype is dt else other._data.astype(dt.np)
        out = _wrap(_forward(row, self._data, b).astype(dt.np, copy=False), dt)
        if self._requires_grad or other._requires_grad:
            record(row, out, (self, other))
        return out

    def _nll_backward(self, shape, target, weight, reduction, ignore_index):
        """The gradient of nll_loss: -weight[target] (over the total weight for 'mean') at
        each row's target column, times the incoming gradient."""
        n = shape[0]
        t = target._data
        dt = self._dtype.np
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
        coefficients = _wrap(coefficients, self._dtype)
        g = self.unsqueeze(1) if reduction == 0 else self
        return g * coefficients

    def _keep_mask(self, key):
        mask = np.ones(self._data.shape, np.bool_)
        mask[key] = False
        return _wrap(mask, _bool)

    # ----------------------------------------------------------------------- properties
    @property
    def shape(self) -> Size:
        return Size(self._data.shape)

    def size(self, dim=None):
        if dim is None:
            return Size(self._data.shape)
        return self._data.shape[dim_index(dim, self._data.ndim)]

    @property
    def dtype(self):
        return self._dtype

    @property
    def device(self):
        return CPU

    @property
    def is_cuda(self) -> bool:
        return False

    @property
    def ndim(self) -> int:
        return self._data.ndim

    def dim(self) -> int:
        return self._data.ndim

    def ndimension(self) -> int:
        return self._data.ndim

    def numel(self) -> int:
        return self._data.size

    def nelement(self) -> int:
        return self._data.size

    def element_size(self) -> int:
        return self._data.itemsize

    def is_floating_point(self) -> bool:
        return self._dtype.is_floating_point

    def is_contiguous(self) -> bool:
        return self._data.flags.c_contiguous

    def is_inference(self) -> bool:
        return self._inf

    def stride(self, dim=None):
        strides = tuple(s // self._data.itemsize for s in self._data.strides)
        return strides if dim is None else strides[dim_index(dim, self._data.ndim)]

    def data_ptr(self) -> int:
        return self._data.__array_interface__["data"][0]

    @property
    def _version(self) -> int:
        return self._version_counter[0]

    @property
    def is_leaf(self) -> bool:
        return self._grad_fn is None

    @property
    def grad_fn(self):
        return self._grad_fn

    @property
    def requires_grad(self) -> bool:
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, value) -> None:
        self._set_requires_grad(bool(value), "only Tensors of floating point and complex "
                                "dtype can require gradients")

    def requires_grad_(self, requires_grad=True):
        self._set_requires_grad(bool(requires_grad),
                                "only Tensors of floating point dtype can require gradients")
        return self

    def _set_requires_grad(self, value, dtype_message) -> None:
        if self._grad_fn is not None:
            if value:
                return
            raise RuntimeError(
                "you can only change requires_grad flags of leaf variables. If you want to "
                "use a computed variable in a subgraph that doesn't require differentiation "
                "use var_no_grad = var.detach().")
        if value and not self._dtype.is_floating_point:
            raise RuntimeError(dtype_message)
        if value and self._inf and not _STATE.inference:
            raise RuntimeError("Setting requires_grad=True on inference tensor outside "
                               "InferenceMode is not allowed.")
        self._requires_grad = value

    @property
    def grad(self):
        if self._grad_fn is not None and not self._retains:
            warnings.warn(NON_LEAF_GRAD_WARNING, UserWarning, stacklevel=2)
        return self._grad

    @grad.setter
    def grad(self, value) -> None:
        if value is not None:
            if not isinstance(value, Tensor):
                raise TypeError("assigned grad expected to be a Tensor or None but got grad "
                                f"of type {type(value).__name__}")
            if value._data.shape != self._data.shape:
                raise RuntimeError(
                    f"attempting to assign a gradient of size '{_shape_str(value.shape)}' to a "
                    f"tensor of size '{_shape_str(self.shape)}'. Please ensure that the "
                    "gradient and the tensor are the same size")
            if value._dtype is not self._dtype:
                raise RuntimeError(
                    f"attempting to assign a gradient with dtype '{value._dtype.mm_name}' to a "
                    f"tensor with grad_dtype '{self._dtype.dot_name}'. The gradient must match "
                    "the tensor's grad_dtype (defaults to the tensor's dtype). You can set the "
                    "tensor's grad_dtype attribute with a specific dtype, or None to allow any "
                    "dtype. Set grad_dtype with caution. Diverging the dtypes of a tensor and "
                    "its gradient may break downstream systems that assume they match.")
        self._grad = value

    @grad.deleter
    def grad(self) -> None:
        self._grad = None

    @property
    def retains_grad(self) -> bool:
        return self._retains

    def retain_grad(self) -> None:
        if not self._requires_grad:
            raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
        if self._grad_fn is None or self._retains:
            return
        import weakref
        self._retains = True
        self._grad_fn._retain = weakref.ref(self)

    @property
    def data(self):
        t = _wrap(self._data, self._dtype)
        return t

    @data.setter
    def data(self, value) -> None:
        self._data = value._data
        self._dtype = value._dtype

    @property
    def T(self):
        ndim = self._data.ndim
        if ndim != 2:
            site = "low" if ndim < 2 else "high"    # PyTorch warns once from each of two sites
            if not _warned_transpose[site]:
                _warned_transpose[site] = True
                warnings.warn(TRANSPOSE_WARNING, UserWarning, stacklevel=2)
        return self.permute(tuple(range(ndim - 1, -1, -1)))

    @property
    def mT(self):
        return self.transpose(-2, -1)

    # --------------------------------------------------------------------- conversions
    def item(self):
        if self._data.size != 1:
            raise RuntimeError(f"a Tensor with {self._data.size} elements cannot be converted "
                               "to Scalar")
        return self._data.reshape(()).item()

    def tolist(self):
        if self._zero_tensor:
            raise RuntimeError("tolist() shouldn't be called on a tensor with unallocated "
                               "storage")
        return self._data.tolist()

    def numpy(self, *, force=False):
        if self._zero_tensor and not force:
            raise RuntimeError(" Cannot convert a ZeroTensor to numpy. Set force=True if you "
                               "need the zero array.")
        if self._requires_grad and not force:
            raise RuntimeError("Can't call numpy() on Tensor that requires grad. Use "
                               "tensor.detach().numpy() instead.")
        return self._data

    def __array__(self, dtype=None, copy=None):
        data = self.numpy()
        return data if dtype is None else data.astype(dtype, copy=False)

    def cpu(self):
        return self

    def cuda(self, *args, **kwargs):
        raise RuntimeError("refgrad runs on the CPU only: CUDA is not available")

    def _scalar(self, kind):
        if self._data.size != 1:
            raise ValueError("only one element tensors can be converted to Python scalars")
        if self._requires_grad and not _warned_scalar_conversion[0]:
            _warned_scalar_conversion[0] = True
            warnings.warn(SCALAR_CONVERSION_WARNING, UserWarning, stacklevel=3)
        return kind(self._data.reshape(()).item())

    def __float__(self):
        return self._scalar(float)

    def __int__(self):
        return self._scalar(int)

    def __index__(self):
        if self._dtype.is_floating_point or self._data.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an "
                            "index")
        return int(self._data.reshape(()).item())

    def __bool__(self):
        if self._data.size != 1:
            raise RuntimeError("Boolean value of Tensor with more than one value is ambiguous")
        return bool(self._data.reshape(()).item())

    def __len__(self):
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._data.shape[0]

    def __iter__(self):
        if self._data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(self._data.shape[0]))

    def __contains__(self, item):
        return bool((self == item).any())

    def __reduce_ex__(self, protocol):
        return (_rebuild, (self._data, self._requires_grad))

    def __repr__(self, *, tensor_contents=None) -> str:
        leaf_rg = self._requires_grad and self._grad_fn is None
        fn_name = type(self._grad_fn).__name__ if self._grad_fn is not None else None
        try:
            from ._printing import format_tensor
        except ImportError:
            return _plain_repr(self._data, self._dtype, leaf_rg, fn_name)
        return format_tensor(self._data, dtype_name=self._dtype.name, requires_grad=leaf_rg,
                             grad_fn_name=fn_name,
                             default_dtype_name=_dt.get_default_dtype().name)

    __str__ = __repr__

    def __format__(self, spec: str) -> str:
        if self._data.ndim == 0:
            return format(self._data.item(), spec)
        if spec:
            raise TypeError("unsupported format string passed to Tensor.__format__")
        return str(self)

    # -------------------------------------------------------------------- dtype changes
    def to(self, *args, **kwargs):
        dtype = kwargs.pop("dtype", None)
        check_device(kwargs.pop("device", None))
        copy = kwargs.pop("copy", False)
        for arg in args:
            if isinstance(arg, _dt.dtype):
                dtype = arg
            elif isinstance(arg, Tensor):
                dtype = arg._dtype
            else:
                check_device(arg)
        if dtype is None or (dtype is self._dtype and not copy):
            return self
        return self._to(dtype)

    def _to(self, dtype):
        out = _wrap(self._data.astype(dtype.np), dtype)
        if self._requires_grad and dtype.is_floating_point:
            record(_ops.TO_COPY, out, (self,), {"dtype": dtype})
        return out

    def type(self, dtype=None):
        if dtype is None:
            return f"torch.{self._dtype.legacy_name}"
        return self.to(dtype)

    def type_as(self, other):
        return self.to(other._dtype)

    def float(self):
        return self.to(_float32)

    def double(self):
        return self.to(_dt.float64)

    def long(self):
        return self.to(_int64)

    def int(self):
        return self.to(_dt.int32)

    def bool(self):
        return self.to(_bool)

    # ------------------------------------------------------------------ graph handling
    def detach(self):
        t = _wrap(self._data, self._dtype)
        t._version_counter = self._version_counter   # shares storage AND the version counter
        t._inf = self._inf
        t._zero_tensor = self._zero_tensor
        return t

    def detach_(self):
        if self._base is not None and self._grad_fn is not None:
            raise RuntimeError("Can't detach views in-place. Use detach() instead.")
        self._grad_fn = None
        self._requires_grad = False
        return self

    def register_hook(self, hook) -> RemovableHandle:
        if not self._requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require "
                               "gradient")
        if self._grad_fn is None:
            if self._hooks is None:
                self._hooks = []
            hooks = self._hooks
        else:
            fn = self._grad_fn
            if fn._pre_hooks is None:
                fn._pre_hooks = []
            hooks = fn._pre_hooks
        hooks.append(hook)
        return RemovableHandle(hooks, hook)

    def register_post_accumulate_grad_hook(self, hook) -> RemovableHandle:
        if self._grad_fn is not None:
            raise RuntimeError("post accumulate grad hooks cannot be registered on non-leaf "
                               "tensors")
        if self._post_hooks is None:
            self._post_hooks = []
        self._post_hooks.append(hook)
        return RemovableHandle(self._post_hooks, hook)

    def backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None):
        _engine.backward(self, gradient, retain_graph, create_graph, inputs)

    # ---------------------------------------------------------------- elementwise maths
    def _binary(self, row, other, ctx=None):
        if type(other) is Tensor and other._dtype is self._dtype:
            return self._binary_tensors(row, other, self._dtype, ctx)
        if (type(other) is float or type(other) is int) and self._dtype.is_floating_point:
            # a python number never changes a floating tensor's dtype (result_type)
            return self._binary_tensors(row, _scalar_tensor(other, self._dtype), self._dtype,
                                        ctx)
        other = _as_operand(other)
        if isinstance(other, Tensor):
            dt = self._dtype if other._dtype is self._dtype else _dt.result_type(self, other)
        else:
            dt = _dt.result_type(self, other)
            other = _scalar_tensor(other, dt)
        return self._binary_tensors(row, other, dt, ctx)

    def _binary_tensors(self, row, other, dt, ctx=None):
        a = self._data if self._dtype is dt else self._data.astype(dt.np)
        b = other._data if other._dtype is dt else other._data.astype(dt.np)
        if ctx:
            data = _forward(row, a, b, **ctx)
        else:
            data = _forward(row, a, b)
        if data.dtype != dt.np:
            data = data.astype(dt.np)
        out = _wrap(data, dt)
        if (self._zero_tensor or other._zero_tensor) and row is _ops.MUL and data.shape == (
                self._data.shape if self._zero_tensor else other._data.shape):
            out._zero_tensor = True              # zero times anything stays an (immutable) zero
        if self._requires_grad or other._requires_grad:
            record(row, out, (self, other), ctx)
        return out

    def _unary(self, row, float_only=False, ctx=None):
        x = self
        if float_only and not self._dtype.is_floating_point:
            x = _wrap(self._data.astype(_dt.get_default_dtype().np), _dt.get_default_dtype())
        data = _forward(row, x._data, **ctx) if ctx else _forward(row, x._data)
        if data.dtype != x._dtype.np:
            data = data.astype(x._dtype.np)
        out = _wrap(data, x._dtype)
        if self._requires_grad:
            record(row, out, (self,), ctx)
        return out

    def add(self, other, *, alpha=1):
        if alpha != 1:
            return self._binary(_ops.ADD, other, {"alpha": alpha})
        return self._binary(_ops.ADD, other)

    def sub(self, other, *, alpha=1):
        if alpha != 1:
            return self._binary(_ops.SUB, other, {"alpha": alpha})
        return self._binary(_ops.SUB, other)

    subtract = sub

    def rsub(self, other, *, alpha=1):
        other = _as_operand(other)
        if isinstance(other, Tensor):
            return self._binary(_ops.RSUB_TENSOR, other, {"alpha": alpha} if alpha != 1
                                else None)
        dt = _dt.result_type(self, other)
        data = _forward(_ops.RSUB, self._data.astype(dt.np, copy=False),
                        np.asarray(other, dt.np), alpha=alpha)
        out = _wrap(data.astype(dt.np, copy=False), dt)
        if self._requires_grad:
            record(_ops.RSUB, out, (self,), {"alpha": alpha})
        return out

    def mul(self, other):
        return self._binary(_ops.MUL, other)

    multiply = mul

    def div(self, other, *, rounding_mode=None):
        if rounding_mode is not None:
            return self._rounded_div(other, rounding_mode)
        if (type(other) is float or type(other) is int) and self._dtype.is_floating_point:
            # a python number never changes a floating tensor's dtype (result_type)
            return self._binary_tensors(_ops.DIV, _scalar_tensor(other, self._dtype),
                                        self._dtype)
        other = _as_operand(other)
        dt = _dt.result_type(self, other)
        if not dt.is_floating_point:
            dt = _dt.get_default_dtype()
        if not isinstance(other, Tensor):
            other = _scalar_tensor(other, dt)
        return self._binary_tensors(_ops.DIV, other, dt)

    divide = true_divide = div

    def _rounded_div(self, other, mode):
        other = _as_operand(other)
        o = other._data if isinstance(other, Tensor) else other
        with np.errstate(all="ignore"):
            q = np.floor_divide(self._data, o) if mode == "floor" else np.trunc(
                np.true_divide(self._data, o))
        dt = _dt.result_type(self, other)
        return _wrap(np.asarray(q).astype(dt.np), dt)

    def reciprocal(self):
        return self._unary(_ops.RECIPROCAL, True)

    def neg(self):
        if self._dtype is _bool:
            raise RuntimeError("Negation, the `-` operator, on a bool tensor is not supported. "
                               "If you are trying to invert a mask, use the `~` or "
                               "`logical_not()` operator instead.")
        return self._unary(_ops.NEG)

    negative = neg

    def pow(self, exponent):
        exponent = _as_operand(exponent)
        if isinstance(exponent, Tensor):
            dt = _dt.result_type(self, exponent)
            return self._binary_tensors(_ops.POW_TENSOR, exponent, dt)
        dt = _dt.result_type(self, exponent)
        if not dt.is_floating_point and exponent < 0:
            raise RuntimeError("Integers to negative integer powers are not allowed.")
        data = _forward(_ops.POW_SCALAR, self._data.astype(dt.np, copy=False),
                        exponent=np.asarray(exponent, dt.np) if dt.is_floating_point
                        else exponent)
        out = _wrap(data.astype(dt.np, copy=False), dt)
        if self._requires_grad:
            record(_ops.POW_SCALAR, out, (self,), {"exponent": exponent})
        return out

    def square(self):
        return self.pow(2)

    def _rpow(self, base):
        dt = _dt.result_type(self, base)
        data = _forward(_ops.POW_BASE, self._data.astype(dt.np, copy=False),
                        base=np.asarray(base, dt.np))
        out = _wrap(data.astype(dt.np, copy=False), dt)
        if self._requires_grad:
            record(_ops.POW_BASE, out, (self,), {"base": base})
        return out

    def exp(self):
        return self._unary(_ops.EXP, True)

    def log(self):
        return self._unary(_ops.LOG, True)

    def log1p(self):
        return self._unary(_ops.LOG1P, True)

    def expm1(self):
        return self._unary(_ops.EXPM1, True)

    def sqrt(self):
        return self._unary(_ops.SQRT, True)

    def rsqrt(self):
        return self.sqrt().reciprocal()

    def abs(self):
        return self._unary(_ops.ABS)

    absolute = abs

    def sign(self):
        return self._unary(_ops.SIGN)

    def sgn(self):
        return self._unary(_ops.SGN)

    def floor(self):
        return self._unary(_ops.FLOOR)

    def round(self):
        return self._unary(_ops.ROUND)

    def sin(self):
        return self._unary(_ops.SIN, True)

    def cos(self):
        return self._unary(_ops.COS, True)

    def tanh(self):
        return self._unary(_ops.TANH, True)

    def sigmoid(self):
        return self._unary(_ops.SIGMOID, True)

    def log_sigmoid(self):
        return self._unary(_ops.LOG_SIGMOID, True)

    def relu(self):
        return self._unary(_ops.RELU)

    def clamp(self, min=None, max=None):
        if min is None and max is None:
            raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
        if isinstance(min, Tensor) or isinstance(max, Tensor):
            out = self
            if min is not None:
                out = out.maximum(min if isinstance(min, Tensor) else out._full_like(min))
            if max is not None:
                out = out.minimum(max if isinstance(max, Tensor) else out._full_like(max))
            return out
        return self._unary(_ops.CLAMP, ctx={"min": min, "max": max})

    clip = clamp

    def clamp_min(self, min):
        return self._unary(_ops.CLAMP_MIN, ctx={"min": min})

    def clamp_max(self, max):
        return self._unary(_ops.CLAMP_MAX, ctx={"max": max})

    def _full_like(self, value):
        return _wrap(np.full(self._data.shape, value, self._dtype.np), self._dtype)

    def maximum(self, other):
        return self._binary(_ops.MAXIMUM, other)

    def minimum(self, other):
        return self._binary(_ops.MINIMUM, other)

    def where(self, condition, other):
        """``torch.where(condition, self, other)``."""
        other = _as_operand(other)
        if not isinstance(other, Tensor):
            dt = _dt.result_type(self, other)
            other = _scalar_tensor(other, dt)
        else:
            dt = _dt.result_type(self, other)
        cond = condition._data if isinstance(condition, Tensor) else np.asarray(condition)
        a = self._data.astype(dt.np, copy=False)
        b = other._data.astype(dt.np, copy=False)
        out = _wrap(_forward(_ops.WHERE, a, b, condition=cond).astype(dt.np, copy=False), dt)
        if self._requires_grad or other._requires_grad:
            if not isinstance(condition, Tensor):
                condition = _wrap(cond, _bool)
            record(_ops.WHERE, out, (self, other), None, {"condition": condition})
        return out

    def softmax(self, dim, dtype=None):
        x = self if dtype is None else self.to(dtype)
        d = dim_index(dim, x._data.ndim)
        return x._unary(_ops.SOFTMAX, True, {"dim": d})

    def log_softmax(self, dim, dtype=None):
        x = self if dtype is None else self.to(dtype)
        d = dim_index(dim, x._data.ndim)
        return x._unary(_ops.LOG_SOFTMAX, True, {"dim": d})

    # ------------------------------------------------------------------- comparisons
    def _compare(self, other, fn):
        other = _as_operand(other)
        o = other._data if isinstance(other, Tensor) else other
        try:
            data = fn(self._data, o)
        except ValueError:
            raise broadcast_error(self._data.shape, np.shape(o)) from None
        return _wrap(np.asarray(data), _bool)

    def eq(self, other):
        return self._compare(other, np.equal)

    def ne(self, other):
        return self._compare(other, np.not_equal)

    def lt(self, other):
        return self._compare(other, np.less)

    def le(self, other):
        return self._compare(other, np.less_equal)

    def gt(self, other):
        return self._compare(other, np.greater)

    def ge(self, other):
        return self._compare(other, np.greater_equal)

    __eq__ = eq
    __ne__ = ne
    __lt__ = lt
    __le__ = le
    __gt__ = gt
    __ge__ = ge

    def equal(self, other) -> bool:
        return self._data.shape == other._data.shape and bool(
            np.array_equal(self._data, other._data))

    def allclose(self, other, rtol=1e-05, atol=1e-08, equal_nan=False) -> bool:
        return bool(np.allclose(self._data, other._data, rtol, atol, equal_nan))

    def isnan(self):
        return _wrap(np.isnan(self._data), _bool)

    def isfinite(self):
        return _wrap(np.isfinite(self._data), _bool)

    def _logical(self, other, fn):
        other = _as_operand(other)
        o = other._data if isinstance(other, Tensor) else other
        data = np.asarray(fn(self._data, o))
        return _wrap(data, _dt.from_numpy(data.dtype))

    def __and__(self, other):
        return self._logical(other, np.bitwise_and)

    def __or__(self, other):
        return self._logical(other, np.bitwise_or)

    def __xor__(self, other):
        return self._logical(other, np.bitwise_xor)

    __rand__ = __and__
    __ror__ = __or__

    def __invert__(self):
        data = np.logical_not(self._data) if self._dtype is _bool else np.invert(self._data)
        return _wrap(data, self._dtype)

    def logical_not(self):
        return _wrap(np.logical_not(self._data), _bool)

    def any(self, dim=None, keepdim=False):
        return _wrap(np.asarray(self._data.any(axis=dim, keepdims=keepdim)), _bool)

    def all(self, dim=None, keepdim=False):
        return _wrap(np.asarray(self._data.all(axis=dim, keepdims=keepdim)), _bool)

    # ----------------------------------------------------------------- python operators
    __add__ = add
    __sub__ = sub
    __mul__ = mul
    __truediv__ = div
    __neg__ = neg
    __pow__ = pow
    __abs__ = abs

    def __radd__(self, other):
        return self._binary(_ops.ADD, other)

    def __rsub__(self, other):
        other = _as_operand(other)
        if isinstance(other, Tensor):
            return other.sub(self)
        return self.rsub(other)

    def __rmul__(self, other):
        return self._binary(_ops.MUL, other)

    def __rtruediv__(self, other):
        other = _as_operand(other)
        if isinstance(other, Tensor):
            return other.div(self)
        return self.reciprocal() * other      # PyTorch: MulBackward0 over ReciprocalBackward0

    def __rpow__(self, other):
        other = _as_operand(other)
        if isinstance(other, Tensor):
            return other.pow(self)
        return self._rpow(other)

    def __floordiv__(self, other):
        return self._rounded_div(other, "floor")

    def __rfloordiv__(self, other):
        return _as_tensor_operand(other, self)._rounded_div(self, "floor")

    def __mod__(self, other):
        other = _as_operand(other)
        o = other._data if isinstance(other, Tensor) else other
        dt = _dt.result_type(self, other)
        with np.errstate(all="ignore"):
            return _wrap(np.asarray(np.mod(self._data, o)).astype(dt.np), dt)

    def __matmul__(self, other):
        return self.matmul(other)

    def __rmatmul__(self, other):
        return _as_tensor_operand(other, self).matmul(self)

    def __pos__(self):
        return self

    # ----------------------------------------------------------------------- in-place
    def _check_inplace(self):
        if self._zero_tensor:
            raise RuntimeError(ZERO_TENSOR_INPLACE)
        if _STATE.enabled:
            base = self._base
            if self._no_grad_view:
                raise RuntimeError(NO_GRAD_VIEW_INPLACE)
            if base is not None and base._requires_grad:
                if base._grad_fn is None:
                    raise RuntimeError(VIEW_OF_LEAF_INPLACE)
                raise RuntimeError(VIEW_OF_NON_LEAF_INPLACE)
            if self._requires_grad and self._grad_fn is None:
                raise RuntimeError(LEAF_INPLACE)
        if self._inf and not _STATE.inference:
            raise RuntimeError(INFERENCE_INPLACE)

    def _inplace(self, result_fn, other=None):
        """Run ``result_fn(self_before)`` out of place, write the values into this tensor's
        storage, and take over the result's node (PyTorch rebases the grad_fn)."""
        self._check_inplace()
        if other is not None and not isinstance(other, Tensor):
            other = _as_operand(other)
        if other is not None:
            dt = _dt.result_type(self, other)
            if dt.category > self._dtype.category:
                raise RuntimeError(f"result type {dt.dot_name} can't be cast to the desired "
                                   f"output type {self._dtype.dot_name}")
        before = self
        if self._requires_grad and _STATE.enabled:
            before = _wrap(self._data.copy(), self._dtype)  # values as they were, for saving
            before._requires_grad = True
            before._grad_fn = self._grad_fn
            before._acc = self._acc
        result = result_fn(before)
        if result._data.shape != self._data.shape:
            raise RuntimeError(f"output with shape {_shape_str(self._data.shape)} doesn't "
                               f"match the broadcast shape {_shape_str(result._data.shape)}")
        self._write(result._data)
        if result._grad_fn is not None and _STATE.enabled:
            retain = self._grad_fn._retain if self._grad_fn is not None else None
            self._grad_fn = result._grad_fn
            self._requires_grad = True
            if retain is not None:
                self._grad_fn._retain = retain
        return self

    def _write(self, values) -> None:
        if not self._data.flags.writeable:
            raise RuntimeError("unsupported operation: more than one element of the "
                               "written-to tensor refers to a single memory location. Please "
                               "clone() the tensor before performing the operation.")
        np.copyto(self._data, values, casting="unsafe")
        self._version_counter[0] += 1

    def _arith_(self, ufunc, other, recorded, true_division=False):
        """In-place arithmetic; straight into the array when no graph is recorded (the
        optimizer-update path), else through :meth:`_inplace`."""
        if _STATE.enabled and (self._requires_grad or getattr(other, "_requires_grad", False)):
            return self._inplace(recorded, other)
        self._check_inplace()
        other = _as_operand(other)
        dt = _dt.result_type(self, other)
        if true_division and not dt.is_floating_point:
            dt = _dt.get_default_dtype()
        if dt.category > self._dtype.category:
            raise RuntimeError(f"result type {dt.dot_name} can't be cast to the desired "
                               f"output type {self._dtype.dot_name}")
        o = other._data if isinstance(other, Tensor) else other
        shape = self._data.shape
        other_shape = np.shape(o)
        if other_shape != shape:
            try:
                result_shape = np.broadcast_shapes(shape, other_shape)
            except ValueError:
                raise broadcast_error(shape, other_shape) from None
            if result_shape != shape:
                raise RuntimeError(f"output with shape {_shape_str(shape)} doesn't match the "
                                   f"broadcast shape {_shape_str(result_shape)}")
        if not self._data.flags.writeable:
            self._write(self._data)     # raises PyTorch's error for expanded tensors
        _call_quietly(ufunc, self._data, o, out=self._data, casting="unsafe")
        self._version_counter[0] += 1
        return self

    def add_(self, other, *, alpha=1):
        if alpha != 1:
            return self._inplace(lambda t: t.add(other, alpha=alpha), other)
        return self._arith_(np.add, other, lambda t: t.add(other))

    def sub_(self, other, *, alpha=1):
        if alpha != 1:
            return self._inplace(lambda t: t.sub(other, alpha=alpha), other)
        return self._arith_(np.subtract, other, lambda t: t.sub(other))

    def mul_(self, other):
        return self._arith_(np.multiply, other, lambda t: t.mul(other))

    def div_(self, other):
        return self._arith_(np.true_divide, other, lambda t: t.div(other), True)

    def pow_(self, exponent):
        return self._inplace(lambda t: t.pow(exponent), exponent)

    def clamp_(self, min=None, max=None):
        return self._inplace(lambda t: t.clamp(min, max))

    clip_ = clamp_

    def relu_(self):
        return self._inplace(lambda t: t.relu())

    def sigmoid_(self):
        return self._inplace(lambda t: t.sigmoid())

    def exp_(self):
        return self._inplace(lambda t: t.exp())

    def neg_(self):
        return self._inplace(lambda t: t.neg())

    def zero_(self):
        return self.fill_(0)

    def fill_(self, value):
        self._check_inplace()
        if isinstance(value, Tensor):
            value = value.item()
        if self._requires_grad and _STATE.enabled:
            return self._inplace(lambda t: t * 0 + value)   # the old values get no gradient
        self._write(np.asarray(value, self._dtype.np))
        return self

    def copy_(self, src, non_blocking=False):
        self._check_inplace()
        src = _as_operand(src)
        if not isinstance(src, Tensor):
            src = _scalar_tensor(src, self._dtype)
        if (src._requires_grad or self._requires_grad) and _STATE.enabled:
            return self._inplace(lambda t: src.to(self._dtype).expand(self._data.shape).clone())
        try:
            np.broadcast_to(src._data, self._data.shape)
        except ValueError:
            raise broadcast_error(self._data.shape, src._data.shape) from None
        self._write(src._data)
        return self

    def __iadd__(self, other):
        return self.add_(other)

    def __isub__(self, other):
        return self.sub_(other)

    def __imul__(self, other):
        return self.mul_(other)

    def __itruediv__(self, other):
        return self.div_(other)

    def __setitem__(self, key, value):
        key = _numpy_key(key)
        if _STATE.enabled and self._requires_grad and self._grad_fn is None:
            raise RuntimeError(VIEW_OF_LEAF_INPLACE)
        self._check_inplace()
        value = _as_operand(value)
        if not isinstance(value, Tensor):
            value = _scalar_tensor(value, self._dtype)
        if _STATE.enabled and (self._requires_grad or value._requires_grad):
            before = _wrap(self._data.copy(), self._dtype)
            before._requires_grad = self._requires_grad
            before._grad_fn = self._grad_fn
            before._acc = self._acc
            self._data[key] = value._data
            self._version_counter[0] += 1
            out = _wrap(self._data, self._dtype)
            record(_ops.COPY_SLICES, out, (before, value), {"index_key": key})
            self._grad_fn = out._grad_fn
            self._requires_grad = True
            return
        try:
            self._data[key] = value._data
        except ValueError:
            raise RuntimeError(
                f"shape mismatch: value tensor of shape {_shape_str(value._data.shape)} cannot "
                "be broadcast to indexing result") from None
        self._version_counter[0] += 1

    # ------------------------------------------------------------------- reductions
    def _dims(self, dim):
        ndim = self._data.ndim
        if isinstance(dim, int):
            return (dim_index(dim, ndim),)
        return tuple(dim_index(d, ndim) for d in dim)

    def sum(self, dim=None, keepdim=False, *, dtype=None):
        x = self
        if dtype is not None:
            x = self.to(dtype)
        elif not self._dtype.is_floating_point:
            x = self.to(_int64)
        if dim is None or (not isinstance(dim, int) and len(dim) == 0 and False):
            out = _wrap(_forward(_ops.SUM, x._data), x._dtype)
            if x._requires_grad:
                record(_ops.SUM, out, (x,), {"self_sym_sizes": x._data.shape})
            return out
        dims = x._dims(dim)
        out = _wrap(_forward(_ops.SUM_DIM, x._data, dim=dims, keepdim=keepdim), x._dtype)
        if x._requires_grad:
            record(_ops.SUM_DIM, out, (x,), {"dim": dims, "keepdim": keepdim,
                                             "self_sym_sizes": x._data.shape})
        return out

    def mean(self, dim=None, keepdim=False, *, dtype=None):
        x = self if dtype is None else self.to(dtype)
        if not x._dtype.is_floating_point:
            raise RuntimeError("mean(): could not infer output dtype. Input dtype must be "
                               "either a floating point or complex dtype. Got: "
                               f"{x._dtype.dot_name}")
        if dim is None:
            with np.errstate(all="ignore"):
                out = _wrap(_forward(_ops.MEAN, x._data), x._dtype)
            if x._requires_grad:
                record(_ops.MEAN, out, (x,), {"self_sym_sizes": x._data.shape,
                                              "self_sym_numel": x._data.size})
            return out
        dims = x._dims(dim)
        with np.errstate(all="ignore"):
            out = _wrap(_forward(_ops.MEAN_DIM, x._data, dim=dims, keepdim=keepdim), x._dtype)
        if x._requires_grad:
            count = math.prod(x._data.shape[d] for d in dims)
            record(_ops.MEAN_DIM, out, (x,), {"dim": dims, "keepdim": keepdim, "count": count,
                                              "self_sym_sizes": x._data.shape,
                                              "self_sym_numel": x._data.size})
        return out

    def _extreme(self, dim, keepdim, name):
        if isinstance(dim, Tensor):
            return self.maximum(dim) if name == "max" else self.minimum(dim)
        if dim is None:
            if self._data.size == 0:
                raise RuntimeError(f"{name}(): Expected reduction dim to be specified for "
                                   "input.numel() == 0. Specify the reduction dim with the "
                                   "'dim' argument.")
            row = _ops.MAX_ALL if name == "max" else _ops.MIN_ALL
            out = _wrap(_forward(row, self._data), self._dtype)
            if self._requires_grad:
                record(row, out, (self,))
            return out
        d = dim_index(dim, self._data.ndim)
        pick = np.argmax if name == "max" else np.argmin
        data = self._data if self._data.ndim else self._data.reshape(1)
        indices = np.expand_dims(pick(data, axis=d), d)           # keepdim shape
        values = np.take_along_axis(data, indices, axis=d)
        if not self._data.ndim:
            indices, values = indices.reshape(()), values.reshape(())
        elif not keepdim:
            indices, values = indices.squeeze(d), values.squeeze(d)
        values_t = _wrap(values.copy(), self._dtype)
        indices_t = _wrap(indices.astype(np.int64), _int64)
        if self._requires_grad:
            row = _ops.MAX_DIM if name == "max" else _ops.MIN_DIM
            record(row, values_t, (self,), {"dim": d, "keepdim": keepdim,
                                            "self_sym_sizes": self._data.shape},
                   {"indices": indices_t})
        return _RETURN_TYPES[name]((values_t, indices_t))

    def max(self, dim=None, keepdim=False):
        return self._extreme(dim, keepdim, "max")

    def min(self, dim=None, keepdim=False):
        return self._extreme(dim, keepdim, "min")

    def amax(self, dim=(), keepdim=False):
        return self._amax(dim, keepdim, _ops.AMAX)

    def amin(self, dim=(), keepdim=False):
        return self._amax(dim, keepdim, _ops.AMIN)

    def _amax(self, dim, keepdim, row):
        dims = self._dims(dim) if dim != () else tuple(range(self._data.ndim))
        out = _wrap(_forward(row, self._data, dim=dims, keepdim=keepdim), self._dtype)
        if self._requires_grad:
            record(row, out, (self,), {"dim": dims, "keepdim": keepdim})
        return out

    def argmax(self, dim=None, keepdim=False):
        return self._arg(np.argmax, dim, keepdim)

    def argmin(self, dim=None, keepdim=False):
        return self._arg(np.argmin, dim, keepdim)

    def _arg(self, fn, dim, keepdim):
        if dim is None:
            return _wrap(np.asarray(fn(self._data), np.int64), _int64)
        d = dim_index(dim, self._data.ndim)
        return _wrap(np.asarray(fn(self._data, axis=d, keepdims=keepdim), np.int64), _int64)

    # -------------------------------------------------------------------- shape / views
    def _view_op(self, row, data, ctx=None):
        out = _wrap(data, self._dtype)
        out._version_counter = self._version_counter
        out._base = self if self._base is None else self._base
        if self._requires_grad:
            if _STATE.enabled:
                record(row, out, (self,), ctx)
            else:
                out._requires_grad = True  # a view made in no_grad of a tensor requiring grad
                out._no_grad_view = True
        return out

    def _shape_arg(self, shape):
        if len(shape) == 1 and not isinstance(shape[0], (int, np.integer)):
            shape = tuple(shape[0])
        shape = tuple(int(s) for s in shape)
        size = self._data.size
        if shape.count(-1) > 1:
            raise RuntimeError("only one dimension can be inferred")
        known = math.prod(s for s in shape if s != -1)
        if -1 in shape:
            if known == 0 or size % known:
                raise RuntimeError(f"shape '{_shape_str(shape)}' is invalid for input of size "
                                   f"{size}")
            shape = tuple(size // known if s == -1 else s for s in shape)
        elif known != size:
            raise RuntimeError(f"shape '{_shape_str(shape)}' is invalid for input of size {size}")
        return shape

    def view(self, *shape):
        if len(shape) == 1 and isinstance(shape[0], _dt.dtype):
            raise RuntimeError("view(dtype) is not supported")
        shape = self._shape_arg(shape)
        data = self._data.view()
        try:
            data.shape = shape
        except AttributeError:
            raise RuntimeError("view size is not compatible with input tensor's size and "
                               "stride (at least one dimension spans across two contiguous "
                               "subspaces). Use .reshape(...) instead.") from None
        return self._view_op(_ops.VIEW, data, {"self_sym_sizes": self._data.shape})

    def view_as(self, other):
        return self.view(other._data.shape)

    def reshape(self, *shape):
        """A view when the strides allow one (ViewBackward0 if contiguous, else
        ReshapeAliasBackward0), otherwise a copy (UnsafeViewBackward0 over CloneBackward0)."""
        shape = self._shape_arg(shape)
        data = self._data.view()
        try:
            data.shape = shape
        except AttributeError:
            return self.clone()._unsafe_view(shape)
        row = _ops.VIEW if self._data.flags.c_contiguous else _ops.RESHAPE_ALIAS
        return self._view_op(row, data, {"self_sym_sizes": self._data.shape})

    def reshape_as(self, other):
        return self.reshape(other._data.shape)

    def _unsafe_view(self, shape):
        out = _wrap(self._data.reshape(shape), self._dtype)
        if self._requires_grad:
            record(_ops.UNSAFE_VIEW, out, (self,), {"self_sym_sizes": self._data.shape})
        return out

    def flatten(self, start_dim=0, end_dim=-1):
        ndim = self._data.ndim
        if ndim == 0:
            return self.reshape(1)
        s = dim_index(start_dim, ndim)
        e = dim_index(end_dim, ndim)
        if s == e:
            return self
        shape = self._data.shape
        return self.reshape(shape[:s] + (math.prod(shape[s:e + 1]),) + shape[e + 1:])

    def contiguous(self):
        return self if self._data.flags.c_contiguous else self.clone()

    def clone(self, *, memory_format=None):
        out = _wrap(self._data.copy(), self._dtype)
        if self._requires_grad:
            record(_ops.CLONE, out, (self,))
        return out

    def transpose(self, dim0, dim1):
        n = self._data.ndim
        d0, d1 = dim_index(dim0, n), dim_index(dim1, n)
        return self._view_op(_ops.TRANSPOSE, np.swapaxes(self._data, d0, d1),
                             {"dim0": d0, "dim1": d1})

    swapaxes = transpose

    def t(self):
        if self._data.ndim > 2:
            raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is "
                               f"{self._data.ndim}D")
        return self._view_op(_ops.T, self._data.T)

    def permute(self, *dims):
        if len(dims) == 1 and not isinstance(dims[0], (int, np.integer)):
            dims = tuple(dims[0])
        n = self._data.ndim
        dims = tuple(dim_index(d, n) for d in dims)
        if sorted(dims) != list(range(n)):
            raise RuntimeError("permute(sparse_coo): number of dimensions in the tensor input "
                               "does not match the length of the desired ordering of "
                               "dimensions i.e. input.dim() = "
                               f"{n} is not equal to len(dims) = {len(dims)}")
        return self._view_op(_ops.PERMUTE, np.transpose(self._data, dims), {"dims": dims})

    def squeeze(self, dim=None):
        sizes = {"self_sym_sizes": self._data.shape}
        if dim is None:
            return self._view_op(_ops.SQUEEZE, np.squeeze(self._data), sizes)
        n = self._data.ndim
        if isinstance(dim, int):
            d = dim_index(dim, n)
            data = np.squeeze(self._data, d) if n and self._data.shape[d] == 1 else \
                self._data.view()
            return self._view_op(_ops.SQUEEZE_DIM, data, {"dim": d, **sizes})
        ds = tuple(dim_index(x, n) for x in dim)
        drop = tuple(x for x in ds if n and self._data.shape[x] == 1)
        return self._view_op(_ops.SQUEEZE_DIMS, np.squeeze(self._data, drop),
                             {"dim": ds, **sizes})

    def _squeeze_inplace(self, dim):
        """matmul's squeeze_ of its own result: SqueezeBackward4."""
        return self._view_op(_ops.SQUEEZE_INPLACE, np.squeeze(self._data, dim),
                             {"dim": dim, "self_sym_sizes": self._data.shape})

    def unsqueeze(self, dim):
        d = dim_index(dim, self._data.ndim + 1)
        shape = self._data.shape
        # inserting a size-1 dimension never needs a copy (np.expand_dims is slower)
        return self._view_op(_ops.UNSQUEEZE, self._data.reshape(shape[:d] + (1,) + shape[d:]),
                             {"dim": d})

    def expand(self, *sizes):
        if len(sizes) == 1 and not isinstance(sizes[0], (int, np.integer)):
            sizes = tuple(sizes[0])
        shape = self._data.shape
        if len(sizes) < len(shape):
            raise RuntimeError(
                f"expand(torch.{self._dtype.legacy_name}{{{_shape_str(shape)}}}, "
                f"size={_shape_str(sizes)}): the number of sizes provided ({len(sizes)}) must "
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
                    f"{_shape_str(sizes)}.  Tensor sizes: {_shape_str(shape)}")
            target.append(int(s))
        data = np.broadcast_to(self._data, tuple(target))
        return self._view_op(_ops.EXPAND, data, {"self_sym_sizes": shape})

    def expand_as(self, other):
        return self.expand(other._data.shape)

    def select(self, dim, index):
        n = self._data.ndim
        if n == 0:
            raise IndexError("select() cannot be applied to a 0-dim tensor.")
        d = dim_index(dim, n)
        size = self._data.shape[d]
        if not -size <= index < size:
            raise IndexError(f"index {index} is out of bounds for dimension {d} with size "
                             f"{size}")
        key = (slice(None),) * d + (index + size if index < 0 else index,)
        return self._view_op(_ops.SELECT, self._data[key],
                             {"self_sym_sizes": self._data.shape, "index_key": key,
                              "dim": d, "index": index})

    def narrow(self, dim, start, length):
        d = dim_index(dim, self._data.ndim)
        key = (slice(None),) * d + (slice(start, start + length),)
        return self._view_op(_ops.SLICE, self._data[key],
                             {"self_sym_sizes": self._data.shape, "index_key": key})

    def __getitem__(self, key):
        return _getitem(self, key)

    def unbind(self, dim=0):
        return tuple(self.select(dim, i) for i in range(self._data.shape[dim]))

    def split(self, split_size, dim=0):
        d = dim_index(dim, self._data.ndim)
        size = self._data.shape[d]
        if isinstance(split_size, int):
            sizes = [min(split_size, size - s) for s in range(0, size, split_size)]
        else:
            sizes = list(split_size)
        out, start = [], 0
        for s in sizes:
            out.append(self.narrow(d, start, s))
            start += s
        return tuple(out)

    def chunk(self, chunks, dim=0):
        size = self._data.shape[dim_index(dim, self._data.ndim)]
        return self.split(-(-size // chunks), dim)

    # ------------------------------------------------------------------- linear algebra
    def _mm_checks(self, other, name="mm"):
        if self._dtype is not other._dtype:
            raise RuntimeError(f"expected m1 and m2 to have the same dtype, but got: "
                               f"{self._dtype.mm_name} != {other._dtype.mm_name}")

    def mm(self, mat2):
        mat2 = _as_tensor_operand(mat2, self)
        if self._data.ndim != 2:
            raise RuntimeError("self must be a matrix")
        if mat2._data.ndim != 2:
            raise RuntimeError("mat2 must be a matrix")
        self._mm_checks(mat2)
        (n, k), (k2, m) = self._data.shape, mat2._data.shape
        if k != k2:
            raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({n}x{k} and "
                               f"{k2}x{m})")
        out = _wrap(_forward(_ops.MM, self._data, mat2._data), self._dtype)
        if self._requires_grad or mat2._requires_grad:
            record(_ops.MM, out, (self, mat2))
        return out

    def mv(self, vec):
        vec = _as_tensor_operand(vec, self)
        if self._data.ndim != 2 or vec._data.ndim != 1:
            raise RuntimeError(f"vector + matrix @ vector expected, got {vec._data.ndim}, "
                               f"{self._data.ndim}, {vec._data.ndim}")
        self._mm_checks(vec)
        n, k = self._data.shape
        if vec._data.shape[0] != k:
            raise RuntimeError(f"size mismatch, got input ({n}), mat ({n}x{k}), vec "
                               f"({vec._data.shape[0]})")
        out = _wrap(_forward(_ops.MV, self._data, vec._data), self._dtype)
        if self._requires_grad or vec._requires_grad:
            record(_ops.MV, out, (self, vec))
        return out

    def dot(self, other):
        other = _as_tensor_operand(other, self)
        if self._data.ndim != 1 or other._data.ndim != 1:
            raise RuntimeError(f"1D tensors expected, but got {self._data.ndim}D and "
                               f"{other._data.ndim}D tensors")
        if self._dtype is not other._dtype:
            raise RuntimeError(f"dot : expected both vectors to have same dtype, but found "
                               f"{self._dtype.dot_name} and {other._dtype.dot_name}")
        a, b = self._data.shape[0], other._data.shape[0]
        if a != b:
            raise RuntimeError(f"inconsistent tensor size, expected tensor [{a}] and src [{b}] "
                               f"to have the same number of elements, but got {a} and {b} "
                               "elements respectively")
        out = _wrap(_forward(_ops.DOT, self._data, other._data), self._dtype)
        if self._requires_grad or other._requires_grad:
            record(_ops.DOT, out, (self, other))
        return out

    inner = dot

    def bmm(self, mat2):
        mat2 = _as_tensor_operand(mat2, self)
        if self._data.ndim != 3:
            raise RuntimeError("batch1 must be a 3D tensor")
        if mat2._data.ndim != 3:
            raise RuntimeError("batch2 must be a 3D tensor")
        self._mm_checks(mat2)
        b, n, k = self._data.shape
        if mat2._data.shape[:2] != (b, k):
            raise RuntimeError(
                f"Expected size for first two dimensions of batch2 tensor to be: [{b}, {k}] "
                f"but got: [{mat2._data.shape[0]}, {mat2._data.shape[1]}].")
        out = _wrap(_forward(_ops.BMM, self._data, mat2._data), self._dtype)
        if self._requires_grad or mat2._requires_grad:
            record(_ops.BMM, out, (self, mat2))
        return out

    def outer(self, vec2):
        vec2 = _as_tensor_operand(vec2, self)
        return self.reshape(-1, 1) * vec2

    ger = outer

    def matmul(self, other):
        return _matmul(self, _as_tensor_operand(other, self))

    # ------------------------------------------------------------------------ factories
    def new_zeros(self, *size, dtype=None, device=None, requires_grad=False):
        return self._new_full(size, 0, dtype, requires_grad)

    def new_ones(self, *size, dtype=None, device=None, requires_grad=False):
        return self._new_full(size, 1, dtype, requires_grad)

    def new_full(self, size, fill_value, *, dtype=None, device=None, requires_grad=False):
        return self._new_full((size,), fill_value, dtype, requires_grad)

    def new_empty(self, *size, dtype=None, device=None, requires_grad=False):
        return self._new_full(size, 0, dtype, requires_grad)

    def new_tensor(self, data, dtype=None, device=None, requires_grad=False):
        from .factories import tensor as make
        return make(data, dtype=dtype or self._dtype, requires_grad=requires_grad)

    def _new_full(self, size, value, dtype, requires_grad):
        if len(size) == 1 and not isinstance(size[0], (int, np.integer)):
            size = tuple(size[0])
        dt = dtype or self._dtype
        t = _wrap(np.full(size, value, dt.np), dt)
        if requires_grad:
            t.requires_grad_()
        return t


def _rebuild(data, requires_grad):
    t = _from_array(data)
    t._requires_grad = requires_grad
    return t


def _plain_repr(data, dtype, requires_grad, grad_fn_name):
    body = np.array2string(data, separator=", ", precision=4)
    extras = []
    if dtype.name not in (_dt.get_default_dtype().name, "int64", "bool"):
        extras.append(f"dtype=torch.{dtype.name}")
    if grad_fn_name:
        extras.append(f"grad_fn=<{grad_fn_name}>")
    elif requires_grad:
        extras.append("requires_grad=True")
    return "tensor(" + ", ".join([body] + extras) + ")"


def _as_tensor_operand(value, like):
    if isinstance(value, Tensor):
        return value
    if isinstance(value, np.ndarray):
        return _from_array(value)
    raise TypeError(f"expected Tensor as element 1 in argument 0, but got "
                    f"{type(value).__name__}")


# --------------------------------------------------------------------------------- matmul

def _matmul(a, b):
    """PyTorch's matmul: decomposed by shape into dot / mv / mm / bmm and views."""
    da, db = a._data.ndim, b._data.ndim
    if da == 0 or db == 0:
        raise RuntimeError(f"both arguments to matmul need to be at least 1D, but they are "
                           f"{da}D and {db}D")
    if da == 1 and db == 1:
        return a.dot(b)
    if da == 2 and db == 1:
        return a.mv(b)
    if da == 1 and db == 2:
        return a.unsqueeze(0).mm(b)._squeeze_inplace(0)
    if da == 2 and db == 2:
        return a.mm(b)
    if (da >= 3 and db in (1, 2)) or (db >= 3 and da in (1, 2)):
        # fold the batch into the rows of one mm / mv; a batched right operand is
        # transposed first, and the result transposed back (PyTorch's node structure)
        transpose = db > da
        t1 = b.mT if transpose else a
        t2 = (a.t() if da == 2 else a) if transpose else b
        shape = t1._data.shape[:-1]
        folded = t1.reshape(math.prod(shape), t1._data.shape[-1])
        if t2._data.ndim == 2:
            shape = shape + (t2._data.shape[1],)
            out = folded.mm(t2)
        else:
            out = folded.mv(t2)
        out = out._unsafe_view(shape)
        return out.mT.contiguous() if transpose and da == 2 else out
    # batched: broadcast the batch dims, bmm, view back
    a2 = a.unsqueeze(0) if da == 1 else a
    b2 = b.unsqueeze(-1) if db == 1 else b
    batch_a, batch_b = a2._data.shape[:-2], b2._data.shape[:-2]
    try:
        batch = np.broadcast_shapes(batch_a, batch_b)
    except ValueError:
        raise broadcast_error(batch_a, batch_b) from None
    n, k = a2._data.shape[-2:]
    k2, m = b2._data.shape[-2:]
    count = math.prod(batch)
    left = a2.expand(batch + (n, k)).reshape(count, n, k)
    right = b2.expand(batch + (k2, m)).reshape(count, k2, m)
    out = left.bmm(right)._unsafe_view(batch + (n, m))
    if da == 1:
        out = out.squeeze(-2)
    if db == 1:
        out = out.squeeze(-1)
    return out


# ------------------------------------------------------------------------------- indexing

def _numpy_key(key):
    """A key with tensors turned into NumPy arrays."""
    if isinstance(key, tuple):
        return tuple(_numpy_key_item(k) for k in key)
    return _numpy_key_item(key)


def _numpy_key_item(k):
    if isinstance(k, Tensor):
        return k._data
    if isinstance(k, list):
        return np.asarray([x._data if isinstance(x, Tensor) else x for x in k])
    if isinstance(k, (np.integer,)):
        return int(k)
    return k


def _getitem(t, key):
    """Basic items become chained Select/Slice/Unsqueeze views, advanced ones one Index."""
    if isinstance(key, Tensor) and key._dtype is _bool or isinstance(key, (list, np.ndarray)):
        return _advanced(t, _numpy_key(key))
    if isinstance(key, Tensor):
        return _advanced(t, key._data)
    if key is Ellipsis:
        return t._view_op(_ops.ALIAS, t._data[...])
    if isinstance(key, slice):
        return _slice(t, 0, key, force=True)
    items = key if isinstance(key, tuple) else (key,)
    if any(k is Ellipsis for k in items):
        consumed = sum(1 for k in items if k is not None and k is not Ellipsis)
        at = next(i for i, k in enumerate(items) if k is Ellipsis)
        fill = (slice(None),) * max(t._data.ndim - consumed, 0)
        items = items[:at] + fill + tuple(k for k in items[at + 1:] if k is not Ellipsis)
    out = t
    dim = 0
    advanced = []
    recorded = False
    for k in items:
        if k is None:
            out = out.unsqueeze(dim)
            dim += 1
            recorded = True
        elif isinstance(k, (int, np.integer)) and not isinstance(k, bool):
            size = out._data.shape[dim] if dim < out._data.ndim else None
            if size is None:
                raise IndexError(f"too many indices for tensor of dimension {t._data.ndim}")
            if not -size <= k < size:
                raise IndexError(f"index {k} is out of bounds for dimension {dim} with size "
                                 f"{size}")
            out = out.select(dim, int(k))
            recorded = True
        elif isinstance(k, slice):
            if dim >= out._data.ndim:
                raise IndexError(f"too many indices for tensor of dimension {t._data.ndim}")
            new = _slice(out, dim, k, force=False)
            recorded = recorded or new is not out
            out = new
            dim += 1
        else:
            advanced.append((dim, k))
            dim += 1
    if advanced:
        full = [slice(None)] * out._data.ndim
        for d, k in advanced:
            full[d] = _numpy_key_item(k)
        return _advanced(out, tuple(full))
    if not recorded:
        return out._view_op(_ops.ALIAS, out._data[...])
    return out


def _slice(t, dim, k, force):
    size = t._data.shape[dim]
    start, stop, step = k.indices(size)
    if step <= 0:
        raise ValueError("step must be greater than zero")
    if not force and start == 0 and stop == size and step == 1:
        return t
    key = (slice(None),) * dim + (slice(start, stop, step),)
    return t._view_op(_ops.SLICE, t._data[key],
                      {"self_sym_sizes": t._data.shape, "index_key": key})


def _advanced(t, key):
    try:
        data = t._data[key]
    except IndexError as exc:
        message = str(exc)
        raise IndexError(message) from None
    out = _wrap(np.array(data, copy=True), t._dtype)
    if t._requires_grad:
        items = key if isinstance(key, tuple) else (key,)
        indices = [_from_array(np.asarray(k)) for k in items if isinstance(k, np.ndarray)]
        record(_ops.INDEX, out, (t,), {"self_sym_sizes": t._data.shape, "index_key": key},
               {"indices": indices[0] if len(indices) == 1 else _wrap(
                   np.zeros(len(indices)), _int64)})
    return out


# ===================================================== torch.<op>(input, ...) spelled as functions

def cat(tensors, dim=0):
    tensors = list(tensors)
    if not tensors:
        raise RuntimeError("torch.cat(): expected a non-empty list of Tensors")
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
    dt = _dt.result_type(*tensors) if len({t._dtype for t in tensors}) > 1 else ref._dtype
    arrays = [t._data.astype(dt.np, copy=False) for t in tensors]
    out = _wrap(_forward(_ops.CAT, *arrays, dim=d), dt)
    if any(t._requires_grad for t in tensors):
        record(_ops.CAT, out, tuple(tensors),
               {"dim": d, "sizes": [t._data.shape[d] for t in tensors]})
    return out


concat = concatenate = cat


def stack(tensors, dim=0):
    tensors = list(tensors)
    if not tensors:
        raise RuntimeError("stack expects a non-empty TensorList")
    ref = tensors[0]
    for i, t in enumerate(tensors[1:], 1):
        if t._data.shape != ref._data.shape:
            raise RuntimeError(
                f"stack expects each tensor to be equal size, but got "
                f"{_shape_str(ref._data.shape)} at entry 0 and {_shape_str(t._data.shape)} at "
                f"entry {i}")
    d = dim_index(dim, ref._data.ndim + 1)
    dt = _dt.result_type(*tensors) if len({t._dtype for t in tensors}) > 1 else ref._dtype
    arrays = [t._data.astype(dt.np, copy=False) for t in tensors]
    out = _wrap(_forward(_ops.STACK, *arrays, dim=d), dt)
    if any(t._requires_grad for t in tensors):
        record(_ops.STACK, out, tuple(tensors), {"dim": d})
    return out


def where(condition, input=None, other=None):
    if input is None and other is None:
        return tuple(_wrap(i, _int64) for i in np.nonzero(condition._data))
    if isinstance(input, Tensor):
        return input.where(condition, other)
    if isinstance(other, Tensor):
        dt = _dt.result_type(input, other)
        return _scalar_tensor(input, dt).where(condition, other)
    dt = _dt.result_type(input, other)
    return _wrap(np.where(condition._data, input, other).astype(dt.np), dt)


def torch_pow(input, exponent):
    if isinstance(input, Tensor):
        return input.pow(exponent)
    return exponent.__rpow__(input)


def torch_add(input, other, *, alpha=1):
    if isinstance(input, Tensor):
        return input.add(other, alpha=alpha)
    return other._binary(_ops.ADD, input) if alpha == 1 else other.mul(alpha).add(input)


def torch_mul(input, other):
    if isinstance(input, Tensor):
        return input.mul(other)
    return other.mul(input)


def torch_max(input, dim=None, keepdim=False):
    return input.max(dim, keepdim)


def torch_min(input, dim=None, keepdim=False):
    return input.min(dim, keepdim)


def torch_clamp(input, min=None, max=None):
    return input.clamp(min, max)


def matmul(input, other):
    return _matmul(input, _as_tensor_operand(other, input))


def numel(input) -> int:
    return input._data.size


def result_type(tensor1, tensor2):
    return _dt.result_type(tensor1, tensor2)


def _method_function(name):
    def function(input, *args, **kwargs):
        return getattr(input, name)(*args, **kwargs)
    function.__name__ = function.__qualname__ = name
    function.__doc__ = f"``torch.{name}(input, ...)``: the same as ``input.{name}(...)``."
    return function


_FUNCTION_NAMES = (
    "sub", "subtract", "multiply", "div", "divide", "true_divide", "rsub", "neg", "negative",
    "reciprocal", "exp", "log", "log1p", "expm1", "sqrt", "rsqrt", "abs", "absolute", "sign",
    "sgn",
    "floor", "round", "sin", "cos", "tanh", "sigmoid", "relu", "square", "clamp_min",
    "clamp_max", "maximum", "minimum", "softmax", "log_softmax", "sum", "mean", "amax", "amin",
    "argmax", "argmin", "mm", "mv", "dot", "inner", "bmm", "outer", "ger", "transpose",
    "swapaxes", "t", "permute", "reshape", "squeeze", "unsqueeze", "flatten", "select",
    "narrow", "unbind", "split", "chunk", "clone", "detach", "eq", "ne", "lt", "le", "gt",
    "ge", "equal", "allclose", "isnan", "isfinite", "logical_not", "any", "all", "relu_",
    "sigmoid_", "exp_", "zero_", "fill_", "neg_",
)
FUNCTIONS = {name: _method_function(name) for name in _FUNCTION_NAMES}
