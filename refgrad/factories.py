"""Creating tensors: from data, filled, ranges, random (refgrad's own generator)."""
from __future__ import annotations

import math
import numbers
import warnings

import numpy as np

from . import _args, _ranges
from . import dtypes as _dt
from .tensor import Tensor, check_device
from .tensor import wrap as _wrap

COPY_CONSTRUCT_WARNING = (
    "To copy construct from a tensor, it is recommended to use sourceTensor.detach().clone() "
    "or sourceTensor.detach().clone().requires_grad_(True), rather than "
    "torch.tensor(sourceTensor).")
FACTORY_REQUIRES_GRAD = "Only Tensors of floating point and complex dtype can require gradients"


def _finish(t, requires_grad, fname=None):
    if fname is not None and requires_grad is not None:
        _args.boolean(fname, "requires_grad", requires_grad)
    if requires_grad:
        if not t._dtype.is_floating_point:
            raise RuntimeError(FACTORY_REQUIRES_GRAD)
        t._requires_grad = True
    return t


def _size(size, fname="size"):
    return _args.size(fname, size)


# ---------------------------------------------------------------------------- from data

def _nested(data, depth, shape, flat, kinds, scalar_depth=None):
    """Walk nested sequences: check they are rectangular, collect values and their kinds.

    ``scalar_depth`` (a one-item list) holds the depth of the first scalar met, which fixes
    the number of dims; PyTorch's messages for data that breaks the pattern depend on it.
    """
    if scalar_depth is None:
        scalar_depth = [None]
    if isinstance(data, Tensor):
        if data._data.ndim == 0:
            flat.append(data._scalar(lambda v: v))
            kinds.add(data._dtype)
            scalar_depth[0] = depth if scalar_depth[0] is None else scalar_depth[0]
            return
        if depth > 0 and data._data.size != 1:
            if data._dtype.is_floating_point:
                raise ValueError("only one element tensors can be converted to Python scalars")
            raise TypeError("only integer tensors of a single element can be converted to an "
                            "index")
        data = data.tolist() if not data._requires_grad else data._data.tolist()
    if isinstance(data, np.ndarray):
        kinds.add(_exact_numpy_dtype(data.dtype))
        data = data.tolist()
    if isinstance(data, (list, tuple)):
        if scalar_depth[0] is not None and depth >= scalar_depth[0]:
            first = flat[0] if flat else None
            if isinstance(first, float):
                raise TypeError(f"must be real number, not {type(data).__name__}")
            raise TypeError(f"'{type(data).__name__}' object cannot be interpreted as an "
                            "integer")
        if depth == len(shape):
            shape.append(len(data))
        elif shape[depth] != len(data):
            raise ValueError(f"expected sequence of length {shape[depth]} at dim {depth} "
                             f"(got {len(data)})")
        for item in data:
            _nested(item, depth + 1, shape, flat, kinds, scalar_depth)
        return
    if isinstance(data, str):
        if depth > 0 and scalar_depth[0] is None:
            raise ValueError("too many dimensions 'str'")
        raise TypeError("new(): invalid data type 'str'")
    if depth < len(shape):
        raise TypeError("not a sequence")
    scalar_depth[0] = depth if scalar_depth[0] is None else scalar_depth[0]
    if isinstance(data, np.generic):
        kinds.add(_exact_numpy_dtype(data.dtype))
        flat.append(data.item())
        return
    if isinstance(data, bool):
        kinds.add(_dt.bool_)
    elif isinstance(data, numbers.Integral):
        kinds.add(_dt.int64)
    elif isinstance(data, numbers.Real):
        kinds.add(_dt.get_default_dtype())
    elif isinstance(data, numbers.Number):
        raise TypeError(f"new(): invalid data type '{type(data).__name__}'")
    else:
        raise RuntimeError(f"Could not infer dtype of {type(data).__name__}")
    flat.append(data)


def _check_fits(flat, dtype, inferred):
    """Python ints beyond int64, or values beyond an explicit integer dtype: PyTorch's
    errors rather than NumPy's."""
    if dtype.is_floating_point or dtype is _dt.bool_:
        return
    info = np.iinfo(dtype.np)
    for value in flat:
        if isinstance(value, bool):
            continue
        if inferred and isinstance(value, int) and not -2 ** 63 <= value < 2 ** 63:
            raise ValueError("Overflow when unpacking long long")
        if isinstance(value, (int, float)) and not (info.min <= value <= info.max):
            raise RuntimeError(f"value cannot be converted to type {dtype.name} without "
                               "overflow")


def _exact_numpy_dtype(np_dtype):
    """The refgrad dtype of a NumPy array's dtype; PyTorch's TypeError for one refgrad does
    not have (never a silent conversion to a wider type)."""
    name = np_dtype.type.__name__
    if name not in _TORCH_NUMPY_TYPES:
        raise TypeError(f"can't convert np.ndarray of type numpy.{name}. The only supported "
                        f"types are: {', '.join(_TORCH_NUMPY_TYPES[:-1])}, and bool.")
    d = _dt.from_numpy(np_dtype)
    if d.np != np_dtype:
        raise TypeError(f"can't convert np.ndarray of type numpy.{name}. The only supported "
                        "types are: float64, float32, int64, int32, and bool.")
    return d


# the NumPy types PyTorch converts (refgrad has five of them)
_TORCH_NUMPY_TYPES = ("float64", "float32", "float16", "complex64", "complex128", "int64",
                      "int32", "int16", "int8", "uint64", "uint32", "uint16", "uint8", "bool")


def _array_from(data, dtype):
    if isinstance(data, np.ndarray):
        _exact_numpy_dtype(data.dtype)
        d = dtype or _dt.from_numpy(data.dtype)
        return np.array(data, dtype=d.np, copy=True), d
    if isinstance(data, np.generic):
        d = dtype or _dt.from_numpy(data.dtype)
        return np.array(data, dtype=d.np), d
    shape, flat, kinds = [], [], set()
    _nested(data, 0, shape, flat, kinds)
    inferred = dtype is None
    if dtype is None:
        dtype = _dt.float32 if not kinds else None
        for k in kinds:
            dtype = k if dtype is None else _promote_kind(dtype, k)
        if dtype is _dt.float32 and not kinds:
            dtype = _dt.get_default_dtype()
    _check_fits(flat, dtype, inferred)
    with np.errstate(all="ignore"):
        arr = np.array(flat, dtype=dtype.np).reshape(shape)
    return arr, dtype


def _promote_kind(a, b):
    if a.category != b.category:
        return a if a.category > b.category else b
    return _dt.promote_types(a, b)


def tensor(data, *, dtype=None, device=None, requires_grad=False, pin_memory=False):
    """A new leaf holding a copy of ``data`` (lists, numbers, NumPy arrays, tensors)."""
    check_device(device, "tensor")
    dtype = _args.dtype("tensor", dtype)
    _args.boolean("tensor", "requires_grad", requires_grad)
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
    return _wrap(array, _exact_numpy_dtype(array.dtype))


def is_tensor(obj) -> bool:
    return isinstance(obj, Tensor)


# ------------------------------------------------------------------------------- filled

def _filled(fname, size, value, dtype, requires_grad, device):
    check_device(device, fname)
    d = _args.dtype(fname, dtype) or _dt.get_default_dtype()
    shape = _size(size, fname)
    return _finish(_wrap(np.full(shape, value, d.np), d), requires_grad, fname)


def zeros(*size, dtype=None, device=None, requires_grad=False, out=None):
    return _filled("zeros", size, 0, dtype, requires_grad, device)


def ones(*size, dtype=None, device=None, requires_grad=False, out=None):
    return _filled("ones", size, 1, dtype, requires_grad, device)


def empty(*size, dtype=None, device=None, requires_grad=False, out=None):
    return _filled("empty", size, 0, dtype, requires_grad, device)


def full(size, fill_value, *, dtype=None, device=None, requires_grad=False):
    shape = _args.int_list("full", size, varargs=False)
    fill_value = _args.number("full", "fill_value", fill_value, 2)
    if dtype is None:
        dtype = _dt.scalar_dtype(fill_value)
    return _filled("full", (shape,), fill_value, dtype, requires_grad, device)


def eye(n, m=None, *, dtype=None, device=None, requires_grad=False):
    check_device(device)
    d = _args.dtype("eye", dtype) or _dt.get_default_dtype()
    n = _args.integer("eye", "n", n, 1)
    m = n if m is None else _args.integer("eye", "m", m, 2)
    if n < 0:
        raise RuntimeError(f"n must be greater or equal to 0, got {n}")
    if m < 0:
        raise RuntimeError(f"m must be greater or equal to 0, got {m}")
    return _finish(_wrap(np.eye(n, m, dtype=d.np), d), requires_grad, "eye")


def _like(fname, t, value, dtype, requires_grad, device):
    check_device(device, fname)
    _args.tensor_arg(fname, "input", t)
    value = _args.number(fname, "fill_value", value, 2)
    d = _args.dtype(fname, dtype) or t._dtype
    return _finish(_wrap(np.full(t._data.shape, value, d.np), d), requires_grad, fname)


def zeros_like(input, *, dtype=None, device=None, requires_grad=False, memory_format=None):
    return _like("zeros_like", input, 0, dtype, requires_grad, device)


def ones_like(input, *, dtype=None, device=None, requires_grad=False, memory_format=None):
    return _like("ones_like", input, 1, dtype, requires_grad, device)


def empty_like(input, *, dtype=None, device=None, requires_grad=False, memory_format=None):
    return _like("empty_like", input, 0, dtype, requires_grad, device)


def full_like(input, fill_value, *, dtype=None, device=None, requires_grad=False,
              memory_format=None):
    return _like("full_like", input, fill_value, dtype, requires_grad, device)


# ------------------------------------------------------------------------------- ranges

_NO_END = object()     # arange(end): an explicit end=None is refused, as PyTorch does


def arange(start, end=_NO_END, step=1, *, dtype=None, device=None, requires_grad=False):
    check_device(device)
    dtype = _args.dtype("arange", dtype)
    if end is _NO_END:
        start, end = 0, _args.number("arange", "end", start, 1)
    values = tuple(_args.number("arange", name, v, pos)
                   for pos, (name, v) in enumerate(zip(("start", "end", "step"),
                                                       (start, end, step)), 1))
    if dtype is None:
        if any(isinstance(v, float) or (isinstance(v, Tensor) and v.is_floating_point())
               for v in values):
            dtype = _dt.get_default_dtype()
        else:
            dtype = _dt.int64
    start, end, step = (float(v) if isinstance(v, Tensor) else v for v in values)
    _check_range(start, end, step, dtype)
    count = _ranges.arange_count(start, end, step) if math.isfinite(step) else 0
    data = _ranges.arange_values(start, step, count, dtype.np)
    return _finish(_wrap(data, dtype), requires_grad, "arange")


def _check_range(start, end, step, dtype):
    """PyTorch's checks of an arange: a finite range, a step that can reach its end."""
    for bound in (start, end, step):
        if bound is not step and not math.isfinite(bound):
            raise RuntimeError(f"unsupported range: {_fmt_bound(start)} -> {_fmt_bound(end)}")
        if isinstance(bound, int) and bound >= 2 ** 64:
            raise OverflowError("int too big to convert")
        if isinstance(bound, int) and bound < -2 ** 63:
            raise OverflowError("can't convert negative int to unsigned")
    for bound in (start, end, step):
        if isinstance(bound, int) and bound >= 2 ** 63 and not dtype.is_floating_point:
            raise RuntimeError("value cannot be converted to type int64_t without overflow")
    if step == 0 or step != step:
        raise RuntimeError("step must be nonzero")
    if (step > 0 and end < start) or (step < 0 and end > start):
        raise RuntimeError("upper bound and lower bound inconsistent with step sign")
    if dtype is _dt.bool_:
        raise NotImplementedError('"arange_cpu" not implemented for \'Bool\'')
    if abs(end - start) / abs(step) > 2 ** 48:
        raise RuntimeError(f"Storage size calculation overflowed with sizes="
                           f"[{math.ceil((end - start) / step)}]")


def _fmt_bound(value):
    return f"{value:g}" if isinstance(value, float) else str(value)


def linspace(start, end, steps, *, dtype=None, device=None, requires_grad=False):
    check_device(device)
    d = _args.dtype("linspace", dtype) or _dt.get_default_dtype()
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)):
        raise TypeError(f"linspace(): argument 'steps' (position 3) must be int, not "
                        f"{_args.type_name(steps)}")
    steps = _args.integer("linspace", "steps", steps, 3)
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    if d is _dt.bool_:
        raise NotImplementedError('"linspace_cpu" not implemented for \'Bool\'')
    return _finish(_wrap(_ranges.linspace_values(start, end, steps, d.np), d), requires_grad)


# ------------------------------------------------------------------------------- random

class Generator:
    """refgrad's random source (its numbers differ from PyTorch's)."""

    def __init__(self, seed: int = 67280421310721) -> None:
        self.manual_seed(seed)

    def manual_seed(self, seed: int):
        seed = int(seed)
        if not -2 ** 63 <= seed < 2 ** 64:
            raise ValueError("Overflow when unpacking long long")
        self._seed = seed % 2 ** 64       # PyTorch reads the seed as an unsigned 64-bit int
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


def _random(fname, size, dtype, requires_grad, device, draw):
    check_device(device, fname)
    d = _args.dtype(fname, dtype) or _dt.get_default_dtype()
    shape = _size(size, fname)
    if not d.is_floating_point:
        kernel = "check_uniform_bounds" if fname == "rand" else "normal_kernel_cpu"
        raise NotImplementedError(f'"{kernel}" not implemented for \'{d.dot_name}\'')
    return _finish(_wrap(draw(shape).astype(d.np), d), requires_grad, fname)


def rand(*size, dtype=None, device=None, requires_grad=False, generator=None):
    rng = (generator or default_generator).rng
    return _random("rand", size, dtype, requires_grad, device, rng.random)


def randn(*size, dtype=None, device=None, requires_grad=False, generator=None):
    rng = (generator or default_generator).rng
    return _random("randn", size, dtype, requires_grad, device, rng.standard_normal)


def randint(low, high=None, size=None, *, dtype=None, device=None, requires_grad=False,
            generator=None):
    if size is None and isinstance(high, (tuple, list)):
        low, high, size = 0, low, high       # randint(high, size)
        names = (("low", None), ("high", 1), ("size", 2))
    else:
        names = (("low", 1), ("high", 2), ("size", 3))
    low = _args.integer("randint", names[0][0], low, names[0][1])
    high = _args.integer("randint", names[1][0], high, names[1][1])
    shape = _args.int_list("randint", size, varargs=False, position=names[2][1])
    _args.check_non_negative("randint", shape)
    rng = (generator or default_generator).rng
    check_device(device)
    d = _args.dtype("randint", dtype) or _dt.int64
    if low >= high:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={low} "
                           f">= to={high}")
    if d is _dt.bool_ and high > 2:
        raise RuntimeError("to - 1 is out of bounds for bool")
    return _finish(_wrap(rng.integers(low, high, size=shape).astype(d.np), d),
                   requires_grad, "randint")


def rand_like(input, *, dtype=None, device=None, requires_grad=False):
    return rand(input._data.shape, dtype=dtype or input._dtype, requires_grad=requires_grad)


def randn_like(input, *, dtype=None, device=None, requires_grad=False):
    return randn(input._data.shape, dtype=dtype or input._dtype, requires_grad=requires_grad)
