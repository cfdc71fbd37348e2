"""Tensor text formatting that reproduces PyTorch's ``repr(tensor)`` on NumPy arrays.

The layout rules follow PyTorch's printer: one formatter (a common width and number style)
for the whole tensor, chosen from its finite non-zero values; nested brackets with one extra
space of indent per level; summarisation with ``...`` past ``threshold`` elements; and the
``dtype=`` / ``requires_grad=True`` / ``grad_fn=<...>`` suffixes after the values.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import ml_dtypes
import numpy as np

__all__ = ["format_tensor", "set_printoptions", "get_printoptions", "PRINT_OPTS"]


@dataclasses.dataclass
class PrintOptions:
    """Process-global printing options (PyTorch's defaults)."""

    precision: int = 4
    threshold: float = 1000
    edgeitems: int = 3
    linewidth: int = 80
    sci_mode: bool | None = None


PRINT_OPTS = PrintOptions()

# profile name -> (precision, threshold, edgeitems, linewidth)
_PROFILES: dict[str, tuple[int, float, int, int]] = {
    "default": (4, 1000, 3, 80),
    "short": (2, 1000, 2, 80),
    "full": (4, math.inf, 3, 80),
}

_NUMPY_DTYPES: dict[str, type] = {
    "float16": np.float16,
    "bfloat16": ml_dtypes.bfloat16,
    "float32": np.float32,
    "float64": np.float64,
    "int8": np.int8,
    "int16": np.int16,
    "int32": np.int32,
    "int64": np.int64,
    "uint8": np.uint8,
    "bool": np.bool_,
    "complex64": np.complex64,
    "complex128": np.complex128,
}
_FLOATING = frozenset({"float16", "bfloat16", "float32", "float64"})
_COMPLEX = frozenset({"complex64", "complex128"})

_PREFIX = "tensor("


def set_printoptions(precision=None, threshold=None, edgeitems=None, linewidth=None,
                     profile=None, sci_mode=None) -> None:
    """Set the printing options, with PyTorch's semantics.

    ``profile`` ("default", "short" or "full") resets precision, threshold, edgeitems and
    linewidth first; explicit arguments then override it. ``sci_mode`` is assigned on every
    call, so a call that does not pass it switches back to automatic scientific notation.
    """
    if profile is not None:
        if profile not in _PROFILES:
            raise ValueError(
                f"set_printoptions(): unknown profile {profile!r}; "
                f"expected one of {', '.join(repr(name) for name in _PROFILES)}"
            )
        (PRINT_OPTS.precision, PRINT_OPTS.threshold,
         PRINT_OPTS.edgeitems, PRINT_OPTS.linewidth) = _PROFILES[profile]
    if precision is not None:
        PRINT_OPTS.precision = precision
    if threshold is not None:
        PRINT_OPTS.threshold = threshold
    if edgeitems is not None:
        PRINT_OPTS.edgeitems = edgeitems
    if linewidth is not None:
        PRINT_OPTS.linewidth = linewidth
    PRINT_OPTS.sci_mode = sci_mode


def get_printoptions() -> dict[str, Any]:
    """The current options, as keyword arguments accepted by ``set_printoptions``."""
    return dataclasses.asdict(PRINT_OPTS)


class _Formatter:
    """Chooses one number style and width for every element of a (possibly summarised) array.

    Floating values: only the finite non-zero ones decide. If they are all integral the
    tensor prints in "int mode" (``3.``); scientific notation is used when the largest
    magnitude exceeds the smallest by more than 1000x, exceeds 1e8, or the smallest is
    below 1e-4 (or when ``sci_mode`` forces it).
    """

    def __init__(self, values: np.ndarray, floating: bool):
        self.floating = floating
        self.int_mode = True
        self.sci_mode = False
        self.max_width = 1
        self.precision = PRINT_OPTS.precision

        flat = values.reshape(-1)
        if not floating:
            for value in flat.tolist():
                self.max_width = max(self.max_width, len(str(value)))
            return

        finite_nonzero = flat[np.isfinite(flat) & (flat != 0)]
        if finite_nonzero.size == 0:
            return  # only zeros, nan and inf: int mode at width 1

        # The mode decision happens in float64, on the tensor's own (e.g. float32) values.
        magnitudes = np.abs(finite_nonzero).astype(np.float64)
        smallest = float(magnitudes.min())
        largest = float(magnitudes.max())
        self.int_mode = bool(np.all(finite_nonzero == np.ceil(finite_nonzero)))
        if PRINT_OPTS.sci_mode is None:
            ratio = largest / smallest if smallest > 0 else math.inf
            self.sci_mode = ratio > 1000.0 or largest > 1.0e8 or smallest < 1.0e-4
        else:
            self.sci_mode = PRINT_OPTS.sci_mode

        # Python floats are the exact widening of the stored values.
        python_values = finite_nonzero.tolist()
        if self.sci_mode:
            widths = (len(f"{v:.{self.precision}e}") for v in python_values)
        elif self.int_mode:
            widths = (len(f"{v:.0f}") + 1 for v in python_values)  # +1 for the trailing "."
        else:
            widths = (len(f"{v:.{self.precision}f}") for v in python_values)
        self.max_width = max(self.max_width, max(widths))

    def format(self, value) -> str:
        """One element, right-aligned to the common width."""
        if self.floating:
            if self.sci_mode:
                text = f"{value:{self.max_width}.{self.precision}e}"
            elif self.int_mode:
                text = f"{value:.0f}"
                if math.isfinite(value):
                    text += "."
            else:
                text = f"{value:.{self.precision}f}"
        else:
            text = str(value)
        return text.rjust(self.max_width)


class _ComplexFormatter:
    """Formats complex elements as ``real+imagj`` from one formatter per component."""

    def __init__(self, values: np.ndarray):
        self.real = _Formatter(values.real, floating=True)
        self.imag = _Formatter(values.imag, floating=True)

    def element_width(self) -> int:
        return self.real.max_width + self.imag.max_width + 1  # the "j"

    def format(self, value) -> str:
        real_text = self.real.format(value.real)
        imag_text = (self.imag.format(value.imag) + "j").lstrip()
        if imag_text[0] in "+-":
            return real_text + imag_text
        return real_text + "+" + imag_text


def _summarized_data(array: np.ndarray, edgeitems: int) -> np.ndarray:
    """The elements that a summarised print shows (first and last ``edgeitems`` per dim)."""
    if array.ndim == 0:
        return array
    if array.ndim == 1:
        if array.shape[0] > 2 * edgeitems:
            # array[-0:] is the whole array, as in PyTorch's slicing of the same expression.
            return np.concatenate((array[:edgeitems], array[-edgeitems:]))
        return array
    if not edgeitems:
        return np.empty((0,) * array.ndim, dtype=array.dtype)
    if array.shape[0] > 2 * edgeitems:
        kept = [array[i] for i in range(edgeitems)]
        kept += [array[i] for i in range(len(array) - edgeitems, len(array))]
    else:
        kept = list(array)
    return np.stack([_summarized_data(sub, edgeitems) for sub in kept])


def _vector_str(array: np.ndarray, indent: int, summarize: bool, formatter) -> str:
    if isinstance(formatter, _ComplexFormatter):
        element_length = formatter.element_width() + 2
    else:
        element_length = formatter.max_width + 2  # ", " between elements
    elements_per_line = max(1, math.floor((PRINT_OPTS.linewidth - indent) / element_length))

    edgeitems = PRINT_OPTS.edgeitems
    if summarize and not edgeitems:
        elements = ["..."]
    elif summarize and array.shape[0] > 2 * edgeitems:
        elements = ([formatter.format(v) for v in array[:edgeitems].tolist()]
                    + [" ..."]
                    + [formatter.format(v) for v in array[-edgeitems:].tolist()])
    else:
        elements = [formatter.format(v) for v in array.tolist()]

    lines = [", ".join(elements[start:start + elements_per_line])
             for start in range(0, len(elements), elements_per_line)]
    return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"


def _nested_str(array: np.ndarray, indent: int, summarize: bool, formatter) -> str:
    if array.ndim == 0:
        return formatter.format(array.item())
    if array.ndim == 1:
        return _vector_str(array, indent, summarize, formatter)

    edgeitems = PRINT_OPTS.edgeitems
    if summarize and array.shape[0] > 2 * edgeitems:
        head = range(edgeitems)
        tail = range(len(array) - edgeitems, len(array))
        slices = ([_nested_str(array[i], indent + 1, summarize, formatter) for i in head]
                  + ["..."]
                  + [_nested_str(array[i], indent + 1, summarize, formatter) for i in tail])
    else:
        slices = [_nested_str(sub, indent + 1, summarize, formatter) for sub in array]

    # Sub-blocks of an N-D tensor are separated by N-2 blank lines.
    separator = "," + "\n" * (array.ndim - 1) + " " * (indent + 1)
    return "[" + separator.join(slices) + "]"


def _values_str(array: np.ndarray, dtype_name: str, indent: int) -> str:
    summarize = array.size > PRINT_OPTS.threshold
    shown = _summarized_data(array, PRINT_OPTS.edgeitems) if summarize else array
    if dtype_name in _COMPLEX:
        formatter = _ComplexFormatter(shown)
    else:
        formatter = _Formatter(shown, floating=dtype_name in _FLOATING)
    return _nested_str(array, indent, summarize, formatter)


def _add_suffixes(text: str, suffixes: list[str], indent: int) -> str:
    """Append ``, suffix`` items, moving one onto a new line when it would pass linewidth."""
    parts = [text]
    # PyTorch's running length is the last line's length plus 2 (until a suffix wraps).
    running_length = len(text) - text.rfind("\n") + 1
    for suffix in suffixes:
        if running_length + len(suffix) + 2 > PRINT_OPTS.linewidth:
            parts.append(",\n" + " " * indent + suffix)
            running_length = indent + len(suffix)
        else:
            parts.append(", " + suffix)
            running_length += len(suffix) + 2
    parts.append(")")
    return "".join(parts)


def _check_dtype_name(name: str, argument: str) -> None:
    if name not in _NUMPY_DTYPES:
        raise ValueError(
            f"format_tensor(): unsupported {argument} {name!r}; "
            f"expected one of {', '.join(sorted(_NUMPY_DTYPES))}"
        )


def format_tensor(data: np.ndarray, *, dtype_name: str, requires_grad: bool = False,
                  grad_fn_name: str | None = None, default_dtype_name: str = "float32",
                  tangent: str | None = None) -> str:
    """``repr`` of a CPU tensor holding ``data`` with dtype ``dtype_name``, as PyTorch prints it.

    ``default_dtype_name`` is the current default floating dtype: tensors of that dtype (and
    of int64, bool and the matching complex dtype) print without a ``dtype=`` suffix.
    """
    _check_dtype_name(dtype_name, "dtype_name")
    _check_dtype_name(default_dtype_name, "default_dtype_name")
    if default_dtype_name not in _FLOATING:
        raise TypeError(
            f"format_tensor(): default_dtype_name must be a floating dtype, "
            f"got {default_dtype_name!r}"
        )
    if grad_fn_name is not None and not isinstance(grad_fn_name, str):
        raise TypeError(
            f"format_tensor(): grad_fn_name must be a str or None, "
            f"got {type(grad_fn_name).__name__}"
        )
    try:
        array = np.asarray(data)
    except Exception as error:
        raise TypeError(f"format_tensor(): data is not array-like: {error}") from error
    if array.dtype == object:
        raise TypeError("format_tensor(): data must be a numeric NumPy array, got dtype object")
    with np.errstate(invalid="ignore", over="ignore"):
        array = array.astype(_NUMPY_DTYPES[dtype_name], copy=False)

    indent = len(_PREFIX)
    default_complex = "complex128" if default_dtype_name == "float64" else "complex64"
    has_default_dtype = dtype_name in (default_dtype_name, default_complex, "int64", "bool")
    dtype_suffix = "dtype=torch." + dtype_name
    size_suffix = "size=" + str(tuple(int(n) for n in array.shape))

    suffixes = []
    if array.size == 0:
        # Nothing to infer the dtype from, so anything but the default float is named.
        if array.ndim != 1:
            suffixes.append(size_suffix)
        if dtype_name != default_dtype_name:
            suffixes.append(dtype_suffix)
        body = "[]"
    else:
        if not PRINT_OPTS.edgeitems:
            suffixes.append(size_suffix)
        if not has_default_dtype:
            suffixes.append(dtype_suffix)
        body = _values_str(array, dtype_name, indent)

    if grad_fn_name is not None:
        suffixes.append(f"grad_fn=<{grad_fn_name}>")
    elif requires_grad:
        suffixes.append("requires_grad=True")
    if tangent is not None:             # a dual tensor (forward AD): its tangent as printed
        suffixes.append(f"tangent={tangent}")

    return _add_suffixes(_PREFIX + body, suffixes, indent)
