"""Tensor: storage (a NumPy array and its dtype), autograd flags, properties, conversions and
the Python protocol (len, iter, bool, repr, pickling).

The ops are not written here: each is a row of the derivative table (``refgrad.ops``) whose
variants - ``t.exp()``, ``t.exp_()``, ``-t``, ``torch.exp(t)`` - ``refgrad._variants`` binds
onto this class, and every one of them runs through the one op path, ``refgrad._dispatch``.
In-place ops and ``t[key] = v`` live in ``refgrad._inplace``, ``t[key]`` in
``refgrad._indexing``. This module imports no op: the table and the dispatcher import it.
"""
from __future__ import annotations

import math
import numbers
import warnings

import numpy as np

from . import _args
from . import dtypes as _dt
from ._devices import CPU, NO_CUDA, check_device, device  # noqa: F401 (re-exported)
from .autograd import engine as _engine
from .autograd import forward_ad as _forward_ad
from .autograd import grad_mode as _grad_mode
from .autograd.graph import RemovableHandle

_STATE = _grad_mode.STATE
_new = object.__new__
_ndarray = np.ndarray

NON_LEAF_GRAD_WARNING = (
    "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its .grad "
    "attribute won't be populated during autograd.backward(). If you indeed want the .grad "
    "field to be populated for a non-leaf Tensor, use .retain_grad() on the non-leaf Tensor. "
    "If you access the non-leaf Tensor by mistake, make sure you access the leaf Tensor "
    "instead. See github.com/pytorch/pytorch/pull/30531 for more information.")
SCALAR_CONVERSION_WARNING = (
    "Converting a tensor with requires_grad=True to a scalar may lead to unexpected behavior.\n"
    "Consider using tensor.detach() first.")
ZERO_TENSOR_INPLACE = ("ZeroTensors are immutable. Please use the materialized zero tensor "
                       "obtained using .clone() if you want a mutable tensor.")
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


RETURN_TYPES = {n: _return_type(n) for n in ("max", "min")}


# ------------------------------------------------------------------------------ wrapping

def wrap(data, dtype, inference=None):
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


def from_array(data):
    if type(data) is not _ndarray:
        data = np.asarray(data)
    return wrap(data, _dt.from_numpy(data.dtype))


def scalar_tensor(value, dtype):
    """A Python number as a 0-d operand (PyTorch's "wrapped number": never given to the
    saved-tensor pack hooks)."""
    # a number beyond float16's range (65504) may overflow the dtype: inf, silently as in torch
    if dtype.is_floating_point and isinstance(value, (float, int)) and abs(value) > 65504.0:
        with np.errstate(all="ignore"):
            t = wrap(np.array(value, dtype.np), dtype, False)
    else:
        t = wrap(np.array(value, dtype.np), dtype, False)
    t._wrapped_number = ("bool" if isinstance(value, (bool, np.bool_)) else
                         "int64" if isinstance(value, (int, np.integer)) else
                         "complex128" if isinstance(value, complex) else "float64")
    return t


def shape_str(shape) -> str:
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


def dim_index(dim, ndim) -> int:
    """A dim normalised to ``[0, ndim)``; PyTorch's IndexError otherwise."""
    n = ndim if ndim > 0 else 1
    if not -n <= dim < n:
        if not -2 ** 63 <= dim < 2 ** 63:
            raise ValueError("Overflow when unpacking long long")
        raise IndexError(f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], "
                         f"but got {dim})")
    return dim + n if dim < 0 else dim


def as_operand(value):
    """Tensors stay; NumPy arrays become tensors; python numbers stay numbers."""
    if isinstance(value, Tensor):
        return value
    if isinstance(value, np.ndarray):
        return from_array(value)
    if isinstance(value, (numbers.Number, np.generic)):
        return value
    raise TypeError(f"unsupported operand type: '{type(value).__name__}'")


def as_tensor_operand(value):
    """A tensor (a NumPy array becomes one); PyTorch's TypeError for anything else."""
    if isinstance(value, Tensor):
        return value
    if isinstance(value, np.ndarray):
        return from_array(value)
    raise TypeError(f"expected Tensor as element 1 in argument 0, but got "
                    f"{type(value).__name__}")


def _check_single_output(node, what: str) -> None:
    if node.num_outputs > 1:
        raise NotImplementedError(f"refgrad does not support {what} on an output of a "
                                  "custom Function with several outputs")


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
    _output_nr = 0                  # which output of its grad_fn (a custom Function's)
    _fw = None                      # forward AD: (level token, tangent) of a dual tensor
    _wrapped_number = None          # a Python number made a 0-d operand: the dtype name
                                    # PyTorch shows it in (scalar_tensor)
    __array_ufunc__ = None          # NumPy defers to our reflected operators
    __hash__ = object.__hash__      # == is elementwise; identity hashing like PyTorch

    # __init__ (the legacy constructor Tensor([1, 2])) and new_tensor come from factories

    # ------------------------------------------------------------------ internal helpers
    def _new(self, data):
        """A fresh tensor around a NumPy array (dtype from the array)."""
        return from_array(data)

    def _detached_copy(self):
        t = wrap(np.array(self._data, copy=True), self._dtype)
        t._zero_tensor = self._zero_tensor
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
        t = wrap(self._data, self._dtype, False)
        t._version_counter = self._version_counter
        return t

    def _as_output_of(self, node):
        if not _STATE.enabled:
            return self
        t = wrap(self._data, self._dtype, False)
        t._version_counter = self._version_counter
        t._grad_fn = node
        t._requires_grad = True
        if self._fw is not None:
            t._fw = self._fw                # the result's tangent (forward over reverse)
        return t

    def _ones_like(self):
        ones = np.empty(self._data.shape, self._dtype.np)
        ones.fill(1)                # np.ones, without its Python-level wrapper
        return wrap(ones, self._dtype)

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
        _args.boolean("requires_grad_", "requires_grad", requires_grad, 1)
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
                    f"attempting to assign a gradient of size '{shape_str(value.shape)}' to a "
                    f"tensor of size '{shape_str(self.shape)}'. Please ensure that the "
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
        _check_single_output(self._grad_fn, "retain_grad")
        import weakref
        self._retains = True
        self._grad_fn._retain = weakref.ref(self)

    @property
    def data(self):
        t = wrap(self._data, self._dtype)
        return t

    @data.setter
    def data(self, value) -> None:
        if not isinstance(value, Tensor):
            raise TypeError(f"Variable data has to be a tensor, but got {type(value).__name__}")
        if self._requires_grad and not value._dtype.is_floating_point:
            raise RuntimeError("data set to a tensor that requires gradients must be floating "
                               "point or complex dtype")
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
        if self._data.ndim < 2:
            raise RuntimeError("tensor.mT is only supported on matrices or batches of "
                               f"matrices. Got {self._data.ndim}-D tensor.")
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

    def cuda(self, device=None, non_blocking=False, memory_format=None):
        if device is not None:
            raise RuntimeError("Cannot access accelerator device when none is available.")
        raise AssertionError(NO_CUDA)

    @property
    def is_cpu(self) -> bool:
        return True

    def get_device(self) -> int:
        return -1

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
            if self._data.size == 0:
                raise RuntimeError("Boolean value of Tensor with no values is ambiguous")
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

    def __pos__(self):
        return self

    def __reduce_ex__(self, protocol):
        return (_rebuild, (self._data, self._requires_grad))

    def __repr__(self, *, tensor_contents=None) -> str:
        leaf_rg = self._requires_grad and self._grad_fn is None
        fn_name = type(self._grad_fn).__name__ if self._grad_fn is not None else None
        if fn_name == "CppFunction":        # printed by name, as PyTorch prints it
            fn_name = self._grad_fn.name().rsplit("::", 1)[-1]
        try:
            from ._printing import format_tensor
        except ImportError:
            return _plain_repr(self._data, self._dtype, leaf_rg, fn_name)
        tangent = None
        if self._fw is not None:
            tangent = _forward_ad.tangent_of(self)
        return format_tensor(self._data, dtype_name=self._dtype.name, requires_grad=leaf_rg,
                             grad_fn_name=fn_name,
                             default_dtype_name=_dt.get_default_dtype().name,
                             tangent=None if tangent is None else f"{tangent}")

    __str__ = __repr__

    def __format__(self, spec: str) -> str:
        if self._data.ndim == 0:
            return format(self._data.item(), spec)
        if spec:
            raise TypeError("unsupported format string passed to Tensor.__format__")
        return str(self)

    # ------------------------------------------------------------------ graph handling
    def detach(self):
        t = wrap(self._data, self._dtype)
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
            _check_single_output(fn, "register_hook")
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

    # ------------------------------------------------------------------------ factories
    def new_zeros(self, *size, dtype=None, device=None, requires_grad=False):
        return self._new_full(size, 0, dtype, requires_grad)

    def new_ones(self, *size, dtype=None, device=None, requires_grad=False):
        return self._new_full(size, 1, dtype, requires_grad)

    def new_full(self, size, fill_value, *, dtype=None, device=None, requires_grad=False):
        return self._new_full((size,), fill_value, dtype, requires_grad)

    def new_empty(self, *size, dtype=None, device=None, requires_grad=False):
        return self._new_full(size, 0, dtype, requires_grad)

    def _new_full(self, size, value, dtype, requires_grad):
        if len(size) == 1 and not isinstance(size[0], (int, np.integer)):
            size = tuple(size[0])
        dt = dtype or self._dtype
        t = wrap(np.full(size, value, dt.np), dt)
        if requires_grad:
            t.requires_grad_()
        return t



def _rebuild(data, requires_grad):
    t = from_array(data)
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
