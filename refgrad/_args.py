"""Argument checks shared by the public API, with PyTorch's exception types and messages.

PyTorch parses the arguments of its C++ functions in one place and words every refusal the
same way ("ones(): argument 'size' (position 1) must be tuple of ints, not str"); these
helpers do the same for refgrad's factories, reductions, views and losses, so that a bad
argument never reaches NumPy (whose own errors would leak through with NumPy's words).
"""
from __future__ import annotations

import builtins
import numbers

import numpy as np

from . import dtypes as _dt

_INT64_MIN, _INT64_MAX = -2 ** 63, 2 ** 63 - 1
_PY_DTYPES = {builtins.float: _dt.float64, builtins.int: _dt.int64, builtins.bool: _dt.bool_}


def type_name(value) -> str:
    """How PyTorch names a value's type: ``int``, ``Tensor``, ``numpy.ndarray``."""
    cls = type(value)
    if cls.__module__ == "builtins" or _is_tensor(value):
        return cls.__name__
    return f"{cls.__module__.split('.')[0]}.{cls.__name__}"


def _is_tensor(value) -> bool:
    return hasattr(value, "_dtype") and hasattr(value, "_data")


def _where(name: str, position: int | None) -> str:
    return f"argument '{name}'" + ("" if position is None else f" (position {position})")


def is_int(value) -> bool:
    """An int as PyTorch's parser takes it: Python and NumPy integers, 0-d integer tensors;
    never a bool."""
    if isinstance(value, (bool, np.bool_)):
        return False
    if isinstance(value, (int, np.integer)):
        return True
    return (_is_tensor(value) and value._data.ndim == 0
            and not value._dtype.is_floating_point and value._dtype is not _dt.bool_)


def _unpack_long(fname: str, name: str, value, position: int) -> int:
    number = int(value)
    if not _INT64_MIN <= number <= _INT64_MAX:
        raise TypeError(f"{fname}(): argument '{name}' failed to unpack the object at pos "
                        f"{position} with error \"Overflow when unpacking long long\"")
    return number


def int_list(fname: str, values, name: str = "size", varargs: bool = True,
             position: int | None = 1) -> tuple[int, ...]:
    """An ``IntArrayRef`` argument: ``f(2, 3)``, ``f((2, 3))``, ``f([2, 3])`` or ``f(2)``.

    ``values`` holds the positional arguments (``varargs``) or the one value given. PyTorch
    looks at the first element to decide that a sequence is one of ints, then unpacks the rest.
    """
    if varargs:
        if len(values) == 1:
            values = values[0]
            if is_int(values):
                return (_unpack_long(fname, name, values, 1),)
        elif values and not is_int(values[0]):
            raise TypeError(f"{fname}() takes 1 positional argument but {len(values)} were "
                            "given")
    if not isinstance(values, (tuple, list)):
        raise TypeError(f"{fname}(): {_where(name, position)} must be tuple of ints, not "
                        f"{type_name(values)}")
    if values and not is_int(values[0]):
        raise TypeError(f"{fname}(): {_where(name, position)} must be tuple of ints, but "
                        f"found element of type {type_name(values[0])} at pos 0")
    for pos, item in enumerate(values, 1):
        if not is_int(item):
            raise TypeError(f"{fname}(): argument '{name}' failed to unpack the object at pos "
                            f"{pos} with error \"type must be tuple of ints,but got "
                            f"{type_name(item)}\"")
    return tuple(_unpack_long(fname, name, v, pos) for pos, v in enumerate(values, 1))


def size(fname: str, values: tuple, keyword=None) -> tuple[int, ...]:
    """A factory's size (varargs, or ``size=`` by keyword), checked for negative entries."""
    if keyword is not None:
        if values:
            raise TypeError(f"{fname}() got multiple values for argument 'size'")
        shape = int_list(fname, keyword, varargs=False, position=None)
    elif not values:
        raise TypeError(f"{fname}() received an invalid combination of arguments - got ()")
    else:
        shape = int_list(fname, values)
    check_non_negative(fname, shape)
    return shape


def check_non_negative(fname: str, shape: tuple) -> None:
    for extent in shape:
        if extent < 0:
            if fname == "zeros":
                raise RuntimeError("zeros: Dimension size must be non-negative.")
            raise RuntimeError(f"Trying to create tensor with negative dimension {extent}: "
                               f"[{', '.join(str(s) for s in shape)}]")


def integer(fname: str, name: str, value, position: int | None = None) -> int:
    """An ``int`` argument (a dim, an index, a count)."""
    if not is_int(value):
        raise TypeError(f"{fname}(): {_where(name, position)} must be int, not "
                        f"{type_name(value)}")
    number = int(value)
    if not _INT64_MIN <= number <= _INT64_MAX:
        raise ValueError("Overflow when unpacking long long")
    return number


def boolean(fname: str, name: str, value, position: int | None = None) -> bool:
    """A ``bool`` argument: a Python bool and nothing else (``requires_grad``, ``keepdim``)."""
    if not isinstance(value, bool):
        raise TypeError(f"{fname}(): {_where(name, position)} must be bool, not "
                        f"{type_name(value)}")
    return value


def number(fname: str, name: str, value, position: int | None = None):
    """A ``Number`` argument (a fill value, a range bound): Python and NumPy numbers, 0-d
    tensors."""
    if isinstance(value, (numbers.Number, np.generic)) and not isinstance(value, np.str_):
        return value
    if _is_tensor(value) and value._data.ndim == 0:
        return value.item()
    raise TypeError(f"{fname}(): {_where(name, position)} must be Number, not "
                    f"{type_name(value)}")


def tensor_arg(fname: str, name: str, value, position: int | None = 1):
    if not _is_tensor(value):
        raise TypeError(f"{fname}(): {_where(name, position)} must be Tensor, not "
                        f"{type_name(value)}")
    return value


def dtype(fname: str, value):
    """A ``dtype=`` argument: a refgrad dtype, or ``float``/``int``/``bool`` as PyTorch takes
    them; ``None`` stays ``None``."""
    if value is None or isinstance(value, _dt.dtype):
        return value
    if value in _PY_DTYPES:
        return _PY_DTYPES[value]
    raise TypeError(f"{fname}(): argument 'dtype' must be torch.dtype, not {type_name(value)}")


def dim_list(dims: tuple, ndim: int, wrap) -> tuple[int, ...]:
    """Dims wrapped into ``range(ndim)`` by ``wrap(dim, ndim)``, each at most once."""
    seen: list[int] = []
    for d in dims:
        w = wrap(d, ndim)
        if w in seen:
            raise RuntimeError(f"dim {w} appears multiple times in the list of dims")
        seen.append(w)
    return tuple(seen)


def device_arg(fname: str, value) -> None:
    """A ``device=`` argument's type: a string, a device, an index or ``None``."""
    if value is not None and not isinstance(value, (str, int)) and \
            type(value).__name__ != "device":
        raise TypeError(f"{fname}(): argument 'device' must be torch.device, not "
                        f"{type_name(value)}")
