"""Creating tensors: from data, filled, ranges, random (refgrad's own generator)."""
from __future__ import annotations

import math
import numbers
import warnings

import numpy as np

from . import _ranges
from . import dtypes as _dt
from .tensor import Tensor, check_device
from .tensor import wrap as _wrap

COPY_CONSTRUCT_WARNING = (
    "To copy construct from a tensor, it is recommended to use sourceTensor.detach().clone() "
    "or sourceTensor.detach().clone().requires_grad_(True), rather than "
    "torch.tensor(sourceTensor).")
FACTORY_REQUIRES_GRAD = "Only Tensors of floating point and complex dtype can require gradients"


def _finish(t, requires_grad):
    if requires_grad:
        if not t._dtype.is_floating_point:
            raise RuntimeError(FACTORY_REQUIRES_GRAD)
        t._requires_grad = True
    return t


def _size(size):
    if len(size) == 1 and not isinstance(size[0], (int, np.integer)):
        size = tuple(size[0])
    return tuple(int(s) for s in size)


# ---------------------------------------------------------------------------- from data

def _nested(data, depth, shape, flat, kinds):
    """Walk nested sequences: check they are rectangular, collect values and their kinds."""
    if isinstance(data, Tensor):
        if data._data.ndim == 0:
            flat.append(data._scalar(lambda v: v))
            kinds.add(data._dtype)
            if depth == len(shape) or depth > len(shape):
                return
            return
        data = data.tolist() if not data._requires_grad else data._data.tolist()
    if isinstance(data, np.ndarray):
        kinds.add(_dt.from_numpy(data.dtype))
        data = data.tolist()
    if isinstance(data, (list, tuple)):
        if depth == len(shape):
            shape.append(len(data))
        elif shape[depth] != len(data):
            raise ValueError(f"expected sequence of length {shape[depth]} at dim {depth} "
                             f"(got {len(data)})")
        for item in data:
            _nested(item, depth + 1, shape, flat, kinds)
        return
    if depth < len(shape):
        raise ValueError(f"expected sequence of length {shape[depth]} at dim {depth} (got "
                         f"{type(data).__name__})")
    if isinstance(data, np.generic):
        kinds.add(_dt.from_numpy(data.dtype))
        flat.append(data.item())
        return
    if isinstance(data, bool):
        kinds.add(_dt.bool_)
    elif isinstance(data, numbers.Integral):
        kinds.add(_dt.int64)
    elif isinstance(data, numbers.Real):
        kinds.add(_dt.get_default_dtype())
    else:
        raise TypeError(f"new(): invalid data type '{type(data).__name__}'")
    flat.append(data)


def _array_from(data, dtype):
    if isinstance(data, np.ndarray):
        d = dtype or _dt.from_numpy(data.dtype)
        return np.array(data, dtype=d.np, copy=True), d
    if isinstance(data, np.generic):
        d = dtype or _dt.from_numpy(data.dtype)
        return np.array(data, dtype=d.np), d
    shape, flat, kinds = [], [], set()
    _nested(data, 0, shape, flat, kinds)
    if dtype is None:
        dtype = _dt.float32 if not kinds else None
        for k in kinds:
            dtype = k if dtype is None else _promote_kind(dtype, k)
        if dtype is _dt.float32 and not kinds:
            dtype = _dt.get_default_dtype()
    with np.errstate(all="ignore"):
        arr = np.array(flat, dtype=dtype.np).reshape(shape)
    return arr, dtype


def _promote_kind(a, b):
    if a.category != b.category:
        return a if a.category > b.category else b
    return _dt.promote_types(a, b)


def tensor(data, *, dtype=None, device=None, requires_grad=False, pin_memory=False):
    """A new leaf holding a copy of ``data`` (lists, numbers, NumPy arrays, tensors)."""
    check_device(device)
    if isinstance(data, Tensor):
        warnings.warn(COPY_CONSTRUCT_WARNING, UserWarning, stacklevel=2)
        arr = np.array(data._data, dtype=(dtype or data._dtype).np, copy=True)
        return _finish(_wrap(arr, dtype or data._dtype), requires_grad)
    arr, d = _array_from(data, dtype)
    return _finish(_wrap(arr, d), requires_grad)


def legacy_constructor(self, *args, **kwargs):
    """``Tensor([1, 2])`` (the default float dtype) and ``Tensor(2, 3)`` (uninitialised):
    PyTorch's legacy constructor, bound as ``Tensor.__init__``."""
    if len(args) == 1 and not isinstance(args[0], numbers.Number):
        made = tensor(args[0], dtype=_dt.get_default_dtype())
    else:
        made = tensor(np.zeros(tuple(args), _dt.get_default_dtype().np))
    for slot in Tensor.__slots__[:-1]:
        setattr(self, slot, getattr(made, slot))


def new_tensor(self, data, dtype=None, device=None, requires_grad=False):
    """``t.new_tensor(data)``: a new leaf of ``t``'s dtype unless told otherwise."""
    return tensor(data, dtype=dtype or self._dtype, requires_grad=requires_grad)


def as_tensor(data, dtype=None, device=None):
    """No copy when possible: a tensor stays itself, a NumPy array is shared."""
    check_device(device)
    if isinstance(data, Tensor):
        return data if dtype is None or dtype is data._dtype else data.to(dtype)
    if isinstance(data, np.ndarray) and (dtype is None or dtype.np == data.dtype):
        return from_numpy(data)
    arr, d = _array_from(data, dtype)
    return _wrap(arr, d)


asarray = as_tensor


def from_numpy(array):
    """A tensor sharing ``array``'s memory."""
    if not isinstance(array, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(array).__name__})")
    d = _dt.from_numpy(array.dtype)
    if array.dtype != d.np:
        raise TypeError(f"can't convert np.ndarray of type numpy.{array.dtype}. The only "
                        "supported types are: float64, float32, int64, int32, and bool.")
    return _wrap(array, d)


def is_tensor(obj) -> bool:
    return isinstance(obj, Tensor)


# ------------------------------------------------------------------------------- filled

def _filled(size, value, dtype, requires_grad, device):
    check_device(device)
    d = dtype or _dt.get_default_dtype()
    return _finish(_wrap(np.full(_size(size), value, d.np), d), requires_grad)


def zeros(*size, dtype=None, device=None, requires_grad=False, out=None):
    return _filled(size, 0, dtype, requires_grad, device)


def ones(*size, dtype=None, device=None, requires_grad=False, out=None):
    return _filled(size, 1, dtype, requires_grad, device)


def empty(*size, dtype=None, device=None, requires_grad=False, out=None):
    return _filled(size, 0, dtype, requires_grad, device)


def full(size, fill_value, *, dtype=None, device=None, requires_grad=False):
    if dtype is None:
        dtype = _dt.scalar_dtype(fill_value)
    return _filled((size,), fill_value, dtype, requires_grad, device)


def eye(n, m=None, *, dtype=None, device=None, requires_grad=False):
    check_device(device)
    d = dtype or _dt.get_default_dtype()
    return _finish(_wrap(np.eye(n, n if m is None else m, dtype=d.np), d), requires_grad)


def _like(t, value, dtype, requires_grad, device):
    check_device(device)
    d = dtype or t._dtype
    return _finish(_wrap(np.full(t._data.shape, value, d.np), d), requires_grad)


def zeros_like(input, *, dtype=None, device=None, requires_grad=False, memory_format=None):
    return _like(input, 0, dtype, requires_grad, device)


def ones_like(input, *, dtype=None, device=None, requires_grad=False, memory_format=None):
    return _like(input, 1, dtype, requires_grad, device)


def empty_like(input, *, dtype=None, device=None, requires_grad=False, memory_format=None):
    return _like(input, 0, dtype, requires_grad, device)


def full_like(input, fill_value, *, dtype=None, device=None, requires_grad=False,
              memory_format=None):
    return _like(input, fill_value, dtype, requires_grad, device)


# ------------------------------------------------------------------------------- ranges

def arange(start, end=None, step=1, *, dtype=None, device=None, requires_grad=False):
    check_device(device)
    if end is None:
        start, end = 0, start
    values = (start, end, step)
    if dtype is None:
        if any(isinstance(v, float) or (isinstance(v, Tensor) and v.is_floating_point())
               for v in values):
            dtype = _dt.get_default_dtype()
        else:
            dtype = _dt.int64
    start, end, step = (float(v) if isinstance(v, Tensor) else v for v in values)
    if step == 0:
        raise RuntimeError("step must be nonzero")
    data = _ranges.arange_values(start, step, _ranges.arange_count(start, end, step), dtype.np)
    return _finish(_wrap(data, dtype), requires_grad)


def linspace(start, end, steps, *, dtype=None, device=None, requires_grad=False):
    check_device(device)
    d = dtype or _dt.get_default_dtype()
    return _finish(_wrap(_ranges.linspace_values(start, end, steps, d.np), d), requires_grad)


# ------------------------------------------------------------------------------- random

class Generator:
    """refgrad's random source (its numbers differ from PyTorch's)."""

    def __init__(self, seed: int = 67280421310721) -> None:
        self.manual_seed(seed)

    def manual_seed(self, seed: int):
        self._seed = int(seed)
        self.rng = np.random.default_rng(self._seed)
        return self

    def initial_seed(self) -> int:
        return self._seed


default_generator = Generator()


def manual_seed(seed: int):
    return default_generator.manual_seed(seed)


def seed() -> int:
    s = int(np.random.SeedSequence().entropy % (2 ** 63))
    default_generator.manual_seed(s)
    return s


def initial_seed() -> int:
    return default_generator.initial_seed()


def _random(size, dtype, requires_grad, device, draw):
    check_device(device)
    d = dtype or _dt.get_default_dtype()
    return _finish(_wrap(draw(_size(size)).astype(d.np), d), requires_grad)


def rand(*size, dtype=None, device=None, requires_grad=False, generator=None):
    rng = (generator or default_generator).rng
    return _random(size, dtype, requires_grad, device, rng.random)


def randn(*size, dtype=None, device=None, requires_grad=False, generator=None):
    rng = (generator or default_generator).rng
    return _random(size, dtype, requires_grad, device, rng.standard_normal)


def randint(low, high=None, size=None, *, dtype=None, device=None, requires_grad=False,
            generator=None):
    if high is None:
        low, high = 0, low
    rng = (generator or default_generator).rng
    check_device(device)
    d = dtype or _dt.int64
    return _finish(_wrap(rng.integers(low, high, size=tuple(size)).astype(d.np), d),
                   requires_grad)


def rand_like(input, *, dtype=None, device=None, requires_grad=False):
    return rand(input._data.shape, dtype=dtype or input._dtype, requires_grad=requires_grad)


def randn_like(input, *, dtype=None, device=None, requires_grad=False):
    return randn(input._data.shape, dtype=dtype or input._dtype, requires_grad=requires_grad)
