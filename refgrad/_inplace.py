"""In-place ops and ``t[key] = value``: the checks PyTorch makes before writing into a
tensor (leaf, view, no_grad view, ZeroTensor, inference tensor), the version counter, and the
node an in-place op leaves behind (the out-of-place op's, rebased onto the tensor; CopySlices
for ``t[key] = value``)."""
from __future__ import annotations

import numbers

import numpy as np

from . import dtypes as _dt
from ._dispatch import ufunc_into
from ._indexing import check_index_type, numpy_key
from .autograd import forward_ad as _forward_ad
from .autograd import grad_mode as _grad_mode
from .autograd.graph import record
from .ops import COPY_SLICES
from .ops._row import variants
from .ops.elementwise import check_bool_subtraction
from .tensor import (ZERO_TENSOR_INPLACE, Tensor, as_operand, broadcast_error, scalar_tensor,
                     shape_str, wrap)

_STATE = _grad_mode.STATE
_FW = _forward_ad.STATE


def _dual(*tensors) -> bool:
    """True when a dual level is active and one of ``tensors`` has a tangent in it."""
    return _FW.token is not None and any(
        isinstance(t, Tensor) and _forward_ad.tangent_of(t) is not None for t in tensors)

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
INFERENCE_INPLACE = (
    "Inplace update to inference tensor outside InferenceMode is not allowed.You can make a "
    "clone to get a normal tensor before doing inplace update.See "
    "https://github.com/pytorch/rfcs/pull/17 for more details.")


def check_inplace(self):
    """PyTorch's refusals of an in-place change to ``self``."""
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


def inplace(self, result_fn, other=None):
    """Run ``result_fn(self_before)`` out of place, write the values into this tensor's
    storage, and take over the result's node (PyTorch rebases the grad_fn)."""
    check_inplace(self)
    if other is not None and not isinstance(other, Tensor):
        other = as_operand(other)
    if other is not None:
        dt = _dt.result_type(self, other)
        if dt.category > self._dtype.category:
            raise RuntimeError(f"result type {dt.dot_name} can't be cast to the desired "
                               f"output type {self._dtype.dot_name}")
    before = self
    if self._requires_grad and _STATE.enabled:
        before = wrap(self._data.copy(), self._dtype)  # values as they were, for saving
        before._requires_grad = True
        before._grad_fn = self._grad_fn
        before._acc = self._acc
        before._fw = self._fw
    result = result_fn(before)
    if result._dtype.category > self._dtype.category:
        raise RuntimeError(f"result type {result._dtype.dot_name} can't be cast to the desired "
                           f"output type {self._dtype.dot_name}")
    if result._data.shape != self._data.shape:
        raise RuntimeError(f"output with shape {shape_str(self._data.shape)} doesn't "
                           f"match the broadcast shape {shape_str(result._data.shape)}")
    write(self, result._data)
    if _dual(self, result):
        _take_tangent(self, result)
    if result._grad_fn is not None and _STATE.enabled:
        retain = self._grad_fn._retain if self._grad_fn is not None else None
        self._grad_fn = result._grad_fn
        self._requires_grad = True
        if retain is not None:
            self._grad_fn._retain = retain
    return self


def _take_tangent(self, result) -> None:
    # forward mode: the in-place op's tangent is the out-of-place result's (zero if none)
    tangent = _forward_ad.tangent_of(result)
    if tangent is None:
        tangent = wrap(np.zeros(self._data.shape, self._dtype.np), self._dtype)
    _forward_ad.set_tangent(self, tangent)


def write(self, values) -> None:
    if not self._data.flags.writeable:
        raise RuntimeError("unsupported operation: more than one element of the "
                           "written-to tensor refers to a single memory location. Please "
                           "clone() the tensor before performing the operation.")
    np.copyto(self._data, values, casting="unsafe")
    self._version_counter[0] += 1


def _arith_(self, ufunc, other, recorded, true_division=False):
    """In-place arithmetic; straight into the array when no graph is recorded (the
    optimizer-update path), else through :func:`inplace`."""
    if (_STATE.enabled and (self._requires_grad or getattr(other, "_requires_grad", False))
            or _FW.token is not None and _dual(self, other)):
        return inplace(self, recorded, other)
    check_inplace(self)
    other = as_operand(other)
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
            raise RuntimeError(f"output with shape {shape_str(shape)} doesn't match the "
                               f"broadcast shape {shape_str(result_shape)}")
    if not self._data.flags.writeable:
        write(self, self._data)     # raises PyTorch's error for expanded tensors
    ufunc_into(ufunc, self._data, o)
    self._version_counter[0] += 1
    return self


@variants(method="add_", operators="__iadd__")
def add_(self, other, *, alpha=1):
    if alpha != 1:
        return inplace(self, lambda t: t.add(other, alpha=alpha), other)
    return _arith_(self, np.add, other, lambda t: t.add(other))


@variants(method="sub_", operators="__isub__")
def sub_(self, other, *, alpha=1):
    if alpha != 1:
        return inplace(self, lambda t: t.sub(other, alpha=alpha), other)
    if isinstance(other, (Tensor, bool, int, float)):
        check_bool_subtraction(self, other)
    return _arith_(self, np.subtract, other, lambda t: t.sub(other))


@variants(method="mul_", operators="__imul__")
def mul_(self, other):
    return _arith_(self, np.multiply, other, lambda t: t.mul(other))


@variants(method="div_", operators="__itruediv__")
def div_(self, other):
    return _arith_(self, np.true_divide, other, lambda t: t.div(other), True)


@variants(method="pow_")
def pow_(self, exponent):
    return inplace(self, lambda t: t.pow(exponent), exponent)


@variants(method="zero_", function="zero_")
def zero_(self):
    return self.fill_(0)


@variants(method="fill_", function="fill_")
def fill_(self, value):
    check_inplace(self)
    if isinstance(value, Tensor):
        if value._data.ndim:
            raise RuntimeError("fill_ only supports 0-dimension value tensor but got tensor "
                               f"with {value._data.ndim} dimensions.")
        value = value.item()
    elif not isinstance(value, (numbers.Number, np.generic)):
        raise TypeError("fill_() received an invalid combination of arguments - got "
                        f"({type(value).__name__})")
    if self._requires_grad and _STATE.enabled or _dual(self):
        return inplace(self, lambda t: t * 0 + value)   # the old values get no gradient
    write(self, np.asarray(value, self._dtype.np))
    return self


@variants(method="copy_")
def copy_(self, src, non_blocking=False):
    check_inplace(self)
    if not isinstance(src, (Tensor, numbers.Number, np.ndarray, np.generic)):
        raise TypeError("copy_(): argument 'other' (position 1) must be Tensor, not "
                        f"{type(src).__name__}")
    src = as_operand(src)
    if not isinstance(src, Tensor):
        src = scalar_tensor(src, self._dtype)
    if (src._requires_grad or self._requires_grad) and _STATE.enabled or _dual(self, src):
        return inplace(self, lambda t: src.to(self._dtype).expand(self._data.shape).clone())
    try:
        np.broadcast_to(src._data, self._data.shape)
    except ValueError:
        try:
            wider = np.broadcast_shapes(self._data.shape, src._data.shape)
        except ValueError:
            raise broadcast_error(self._data.shape, src._data.shape) from None
        raise RuntimeError(f"output with shape {shape_str(self._data.shape)} doesn't match "
                           f"the broadcast shape {shape_str(wider)}") from None
    write(self, src._data)
    return self


@variants(operators="__setitem__")
def setitem(self, key, value):
    """``self[key] = value``: CopySlices when a graph is recorded."""
    for item in key if isinstance(key, tuple) else (key,):
        if not isinstance(item, (int, np.integer, slice, type(None), type(Ellipsis))):
            check_index_type(item)
    if not isinstance(value, (Tensor, numbers.Number, np.ndarray, np.generic)):
        raise TypeError(f"can't assign a {type(value).__name__} to a "
                        f"{_dt.type_name(self._dtype)}")
    key = numpy_key(key)
    if _STATE.enabled and self._requires_grad and self._grad_fn is None:
        raise RuntimeError(VIEW_OF_LEAF_INPLACE)
    check_inplace(self)
    value = as_operand(value)
    if not isinstance(value, Tensor):
        value = scalar_tensor(value, self._dtype)
    if _STATE.enabled and (self._requires_grad or value._requires_grad) or _dual(self, value):
        before = wrap(self._data.copy(), self._dtype)
        before._requires_grad = self._requires_grad
        before._grad_fn = self._grad_fn
        before._acc = self._acc
        before._fw = self._fw
        self._data[key] = value._data
        self._version_counter[0] += 1
        out = wrap(self._data, self._dtype)
        record(COPY_SLICES, out, (before, value), {"index_key": key})
        if _FW.token is not None:
            _forward_ad.propagate(COPY_SLICES, out, (before, value), {"index_key": key})
            self._fw = out._fw
        if out._grad_fn is not None:
            self._grad_fn = out._grad_fn
            self._requires_grad = True
        return
    try:
        self._data[key] = value._data
    except IndexError as exc:
        raise IndexError(str(exc).replace(" for axis ", " for dimension ")) from None
    except ValueError:
        raise RuntimeError(
            f"shape mismatch: value tensor of shape {shape_str(value._data.shape)} cannot "
            "be broadcast to indexing result") from None
    self._version_counter[0] += 1
