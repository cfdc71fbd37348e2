"""Keyword arguments PyTorch's argument parser gives many ops at once: ``keepdims=`` (NumPy's
spelling, an alias of ``keepdim=``) and ``out=`` (the result written into a given tensor).

``refgrad._variants`` wraps the ops listed here once their variants are bound.
"""
from __future__ import annotations

import functools
import warnings

import numpy as np

from .autograd import grad_mode as _grad_mode
from .tensor import Tensor, shape_str

# the reductions whose keepdim PyTorch also accepts as keepdims
KEEPDIM_OPS = ("sum", "mean", "max", "min", "amax", "amin", "argmax", "argmin", "any", "all",
               "var", "std", "logsumexp", "prod")

# the torch.<name> functions that take out=
OUT_OPS = ("add", "sub", "mul", "div", "pow", "exp", "log", "log1p", "expm1", "sqrt", "rsqrt",
           "abs", "neg", "sin", "cos", "sinh", "cosh", "tanh", "sigmoid", "reciprocal", "sign",
           "sgn", "floor", "round", "clamp", "maximum", "minimum", "where", "matmul", "mm",
           "bmm", "mv", "dot", "sum", "mean", "amax", "amin", "cat", "stack", "std", "var",
           "isinf", "isnan", "isfinite")

RESIZE_WARNING = (
    "An output with one or more elements was resized since it had shape {old}, which does not "
    "match the required output shape {new}. This behavior is deprecated, and in a future "
    "PyTorch release outputs will not be resized unless they have zero elements. You can "
    "explicitly reuse an out tensor t by resizing it, inplace, to zero elements with "
    "t.resize_(0).")


def accept_keepdims(method):
    """``method`` that also takes ``keepdims=`` for ``keepdim=``."""
    @functools.wraps(method)
    def entry(*args, **kwargs):
        if "keepdims" in kwargs:
            kwargs["keepdim"] = kwargs.pop("keepdims")
        return method(*args, **kwargs)
    return entry


def _requires_grad(value) -> bool:
    if isinstance(value, Tensor):
        return value._requires_grad
    if isinstance(value, (list, tuple)):
        return any(_requires_grad(v) for v in value)
    return False


def _can_cast(src, dst) -> bool:
    # PyTorch's canCast: no floating -> integral, and nothing but bool -> bool
    if src.is_floating_point and not dst.is_floating_point:
        return False
    return dst.name != "bool" or src.name == "bool"


def write_out(result, out) -> Tensor:
    """``result`` copied into ``out`` (resized when its shape differs), as an out= op does."""
    if not _can_cast(result._dtype, out._dtype):
        raise RuntimeError(f"result type {result._dtype.dot_name} can't be cast to the desired "
                           f"output type {out._dtype.dot_name}")
    if out._data.shape != result._data.shape:
        if out._data.size:
            warnings.warn(RESIZE_WARNING.format(old=shape_str(out._data.shape),
                                                new=shape_str(result._data.shape)),
                          UserWarning, stacklevel=3)
        out._data = result._data.astype(out._dtype.np)
    elif out._data.flags.writeable:
        np.copyto(out._data, result._data, casting="unsafe")
    else:
        out._data = result._data.astype(out._dtype.np)
    out._version_counter[0] += 1
    return out


def call_with_out(name, function, args, kwargs, out):
    """``function(*args, **kwargs)`` written into ``out``: PyTorch's error when grad mode is on
    and an argument or ``out`` requires grad (out= ops are not differentiable)."""
    if not isinstance(out, Tensor):
        raise TypeError(f"{name}(): argument 'out' must be Tensor, not {type(out).__name__}")
    if _grad_mode.STATE.enabled and (_requires_grad(out) or _requires_grad(args)
                                     or _requires_grad(tuple(kwargs.values()))):
        raise RuntimeError(f"{name}(): functions with out=... arguments don't support "
                           "automatic differentiation, but one of the arguments requires grad.")
    with _grad_mode.no_grad():
        result = function(*args, **kwargs)
    return write_out(result, out)


def accept_out(name, function):
    """``torch.<name>(..., out=t)`` for a function that returns a fresh tensor."""
    @functools.wraps(function)
    def entry(*args, out=None, **kwargs):
        if out is None:
            return function(*args, **kwargs)
        return call_with_out(name, function, args, kwargs, out)
    return entry


def install(tensor_class, functions: dict) -> None:
    """Wrap the listed methods and functions in place."""
    for name in KEEPDIM_OPS:
        if name in tensor_class.__dict__:
            setattr(tensor_class, name, accept_keepdims(tensor_class.__dict__[name]))
        if name in functions:
            functions[name] = accept_keepdims(functions[name])
    for name in OUT_OPS:
        if name in functions:
            functions[name] = accept_out(name, functions[name])
