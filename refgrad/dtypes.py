"""dtype objects and PyTorch's type-promotion rules.

Seven dtypes: bool < int32 < int64 < float16, bfloat16 < float32 < float64. Promotion between
two dtypes is the larger of the two in that order, except that float16 and bfloat16 meet at
float32 (neither holds the other: float16 has more mantissa bits, bfloat16 float32's range).
bfloat16 arrays are ``ml_dtypes.bfloat16`` arrays. What makes PyTorch's rules special is
*which* operands take part, see :func:`result_type`.
"""
from __future__ import annotations

import ml_dtypes
import numpy as np

# categories: a python scalar or a 0-d tensor only matters when its category is higher
BOOL, INT, FLOAT = 0, 1, 2


class dtype:
    """A tensor element type; prints as ``torch.float32``."""

    __slots__ = ("name", "np", "rank", "category", "itemsize", "is_floating_point",
                 "is_signed", "legacy_name", "mm_name", "dot_name", "__weakref__")

    def __init__(self, name, np_type, rank, category, legacy_name, mm_name, dot_name):
        self.name = name
        self.np = np.dtype(np_type)
        self.rank = rank
        self.category = category
        self.itemsize = self.np.itemsize
        self.is_floating_point = category == FLOAT
        self.is_signed = name != "bool"
        self.legacy_name = legacy_name     # "FloatTensor", used in version-counter messages
        self.mm_name = mm_name             # "float", used in matmul dtype messages
        self.dot_name = dot_name           # "Float", used in dot / type messages

    @property
    def is_complex(self):
        return False

    def __repr__(self):
        return f"torch.{self.name}"

    def __reduce__(self):
        return (_by_name, (self.name,))


bool_ = dtype("bool", np.bool_, 0, BOOL, "BoolTensor", "bool", "Bool")
int32 = dtype("int32", np.int32, 1, INT, "IntTensor", "int", "Int")
int64 = dtype("int64", np.int64, 2, INT, "LongTensor", "long int", "Long")
float16 = dtype("float16", np.float16, 3, FLOAT, "HalfTensor", "c10::Half", "Half")
bfloat16 = dtype("bfloat16", ml_dtypes.bfloat16, 3, FLOAT, "BFloat16Tensor", "c10::BFloat16",
                 "BFloat16")
float32 = dtype("float32", np.float32, 4, FLOAT, "FloatTensor", "float", "Float")
float64 = dtype("float64", np.float64, 5, FLOAT, "DoubleTensor", "double", "Double")

ALL = (bool_, int32, int64, float16, bfloat16, float32, float64)
# the 16-bit floats: PyTorch's CPU kernels compute them in float32 and round once
LOW_PRECISION = (float16, bfloat16)
_BY_NP = {d.np: d for d in ALL}
_BY_NAME = {d.name: d for d in ALL}


def _by_name(name):
    return _BY_NAME[name]


def from_numpy(np_dtype) -> dtype:
    """The dtype of a NumPy array; other NumPy types map to the nearest of the seven."""
    found = _BY_NP.get(np_dtype)
    if found is not None:
        return found
    np_dtype = np.dtype(np_dtype)
    found = _BY_NP.get(np_dtype)
    if found is not None:
        return found
    if np_dtype.kind == "f":
        return float64 if np_dtype.itemsize > 4 else float32
    if np_dtype.kind in "iu":
        return int64 if np_dtype.itemsize >= 4 else int32
    if np_dtype.kind == "b":
        return bool_
    raise TypeError(
        f"can't convert np.ndarray of type numpy.{np_dtype.type.__name__}. The only supported "
        "types are: "
        "float64, float32, int64, int32, and bool.")


# ---------------------------------------------------------------------------- default dtype

class _Default:
    dtype = float32


_default = _Default()


def get_default_dtype() -> dtype:
    return _default.dtype


def set_default_dtype(d: dtype) -> None:
    if not isinstance(d, dtype):
        raise TypeError("invalid dtype object: only floating-point types are supported as the "
                        "default type")
    if not d.is_floating_point:
        raise TypeError("only floating-point types are supported as the default type")
    _default.dtype = d


# ------------------------------------------------------------------------------- promotion

def promote_types(a: dtype, b: dtype) -> dtype:
    for position, d in enumerate((a, b), 1):
        if not isinstance(d, dtype):
            kind = type(d)
            name = kind.__name__ if kind.__module__ == "builtins" else \
                f"{kind.__module__.split('.')[0]}.{kind.__name__}"
            raise TypeError(f"promote_types(): argument 'type{position}' (position {position}) "
                            f"must be torch.dtype, not {name}")
    if a.rank == b.rank and a is not b:     # float16 with bfloat16
        return float32
    return a if a.rank >= b.rank else b


def scalar_dtype(value) -> dtype:
    """The dtype a python scalar would have as a wrapped number."""
    if isinstance(value, (bool, np.bool_)):
        return bool_
    if isinstance(value, (int, np.integer)):
        return int64
    return _default.dtype


def _combine(higher, lower):
    # PyTorch's combine_categories: `higher` comes from the more significant operands.
    if higher is None:
        return lower
    if lower is None or higher.category == FLOAT:
        return higher
    if higher.category == BOOL or lower.category == FLOAT:
        return promote_types(higher, lower)
    return higher


def result_type(*operands) -> dtype:
    """PyTorch's result type of an elementwise op over tensors and python scalars.

    Dimensioned tensors decide; 0-d tensors, then python scalars, only count when they are of
    a higher category (bool < int < float).
    """
    dim = zero = wrapped = None
    for x in operands:
        d = getattr(x, "_dtype", None)
        if d is None:
            s = scalar_dtype(x)
            wrapped = s if wrapped is None else promote_types(wrapped, s)
        elif x._data.ndim:
            dim = d if dim is None else promote_types(dim, d)
        else:
            zero = d if zero is None else promote_types(zero, d)
    return _combine(dim, _combine(zero, wrapped))


# An op's promotion policy, declared by its row of the derivative table (refgrad.ops) and
# applied by the dispatcher (refgrad._dispatch):
PROMOTE = "promote"             # result_type of the operands: an integer tensor stays integer
INT_TO_FLOAT = "int_to_float"   # ... then an integral result becomes the default float dtype


def type_name(d: dtype) -> str:
    """``torch.FloatTensor``-style name used by several PyTorch messages."""
    return f"torch.{d.legacy_name}"
