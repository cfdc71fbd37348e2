"""Legacy spellings still found in tutorials: ``torch.FloatTensor(2, 3)`` and its siblings
(constructors of a fixed dtype, and ``isinstance`` checks of that dtype), and
``autograd.Variable`` (which, as in PyTorch, makes a plain Tensor)."""
from __future__ import annotations

import numbers
import warnings

import numpy as np

from . import dtypes as _dt
from ._devices import device as _device
from .factories import FACTORY_REQUIRES_GRAD
from .factories import tensor as _tensor
from .tensor import Size, Tensor, wrap

VOLATILE_WARNING = ("volatile was removed and now has no effect. Use `with torch.no_grad():` "
                    "instead.")


def _options(d) -> str:
    return (f"TensorOptions(dtype={d.mm_name}, device=cpu, layout=Strided, requires_grad=false "
            "(default), pinned_memory=false (default), memory_format=(nullopt))")


class LegacyTensorType(type):
    """The class of ``torch.FloatTensor``: calling it makes a tensor of its dtype; a tensor of
    that dtype is an instance of it."""

    def __instancecheck__(cls, obj) -> bool:
        return isinstance(obj, Tensor) and obj._dtype is cls.dtype

    def __repr__(cls) -> str:
        return f"<class 'torch.{cls.__name__}'>"

    def __call__(cls, *args, device=None, size=None):
        d = cls.dtype
        if device is not None and _device(device).type != "cpu":
            raise RuntimeError("legacy constructor expects device type: cpu but device type: "
                               f"{_device(device).type} was passed")
        if size is not None:
            args = (tuple(size),)
        if not args:
            return wrap(np.empty((0,), d.np), d)
        if all(isinstance(a, numbers.Integral) and not isinstance(a, bool) for a in args):
            return wrap(np.zeros(tuple(int(a) for a in args), d.np), d)   # "uninitialised"
        if len(args) > 1:
            raise TypeError("new(): invalid combination of arguments - got "
                            f"({', '.join(type(a).__name__ for a in args)})")
        (data,) = args
        if isinstance(data, Size):
            return wrap(np.zeros(tuple(data), d.np), d)
        if isinstance(data, Tensor):
            if data._dtype is not d:
                raise TypeError(f"expected {_options(d)} (got {_options(data._dtype)})")
            return data.detach()
        if isinstance(data, numbers.Number):
            raise TypeError(f"new(): data must be a sequence (got {type(data).__name__})")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return _tensor(data, dtype=d)


def _legacy_type(name: str, dtype):
    return LegacyTensorType(name, (), {"dtype": dtype, "__module__": "torch"})


FloatTensor = _legacy_type("FloatTensor", _dt.float32)
DoubleTensor = _legacy_type("DoubleTensor", _dt.float64)
HalfTensor = _legacy_type("HalfTensor", _dt.float16)
BFloat16Tensor = _legacy_type("BFloat16Tensor", _dt.bfloat16)
LongTensor = _legacy_type("LongTensor", _dt.int64)
IntTensor = _legacy_type("IntTensor", _dt.int32)
BoolTensor = _legacy_type("BoolTensor", _dt.bool_)
LEGACY_TYPES = {t.__name__: t for t in (FloatTensor, DoubleTensor, HalfTensor, BFloat16Tensor,
                                        LongTensor, IntTensor, BoolTensor)}


def dtype_of(spec):
    """The dtype a ``Tensor.type(...)`` argument names: a dtype, a legacy class, or its name
    (``'torch.LongTensor'``)."""
    if isinstance(spec, _dt.dtype):
        return spec
    if isinstance(spec, LegacyTensorType):
        return spec.dtype
    if isinstance(spec, str):
        found = LEGACY_TYPES.get(spec[len("torch."):] if spec.startswith("torch.") else "")
        if found is not None:
            return found.dtype
        raise ValueError(f"invalid type: '{spec}'")
    raise TypeError(f"type(): argument 'dtype' must be torch.dtype, not {type(spec).__name__}")


class _VariableMeta(type):
    def __instancecheck__(cls, obj) -> bool:
        return isinstance(obj, Tensor)


class Variable(metaclass=_VariableMeta):
    """``Variable(t, requires_grad=False)``: PyTorch merged Variable into Tensor; this returns
    a new leaf Tensor sharing ``t``'s data and version counter (``t`` detached)."""

    def __new__(cls, data=None, requires_grad=False, volatile=False):
        if volatile:
            warnings.warn(VOLATILE_WARNING, UserWarning, stacklevel=2)
        if data is None:
            return wrap(np.empty((0,), _dt.get_default_dtype().np), _dt.get_default_dtype())
        if not isinstance(data, Tensor):
            raise TypeError(f"Variable data has to be a tensor, but got {type(data).__name__}")
        if requires_grad and not data._dtype.is_floating_point:
            raise RuntimeError(FACTORY_REQUIRES_GRAD)
        out = data.detach()
        out._requires_grad = bool(requires_grad)
        return out
