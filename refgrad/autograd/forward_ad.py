"""``torch.autograd.forward_ad``: dual tensors and the forward-mode bookkeeping every op shares.

A dual tensor carries a *tangent* beside its values. While a dual level is active, every op
of the derivative table (``refgrad.ops``) that sees an input with a tangent also computes the
tangent of its result: each row has one JVP per input (``jvp(tangent, s)``: the tangent of the
output for a tangent of that input, in Tensor operations, reading the same saved values as
the VJPs through ``s``), and :func:`propagate` sums them. Inputs without a tangent count as a
zero tangent and cost nothing.

Only one level exists at a time, as in PyTorch. A tensor keeps its tangent as ``_fw``, a pair
``(level token, tangent)``: a tangent is visible only while the level it was made in is the
active one, so exiting the level forgets every tangent of that level at once. When no level is
active, the one check on the op path (``STATE.token is not None``) is all forward AD costs.
"""
from __future__ import annotations

import re
from typing import NamedTuple

import numpy as np


__all__ = ["UnpackedDualTensor", "enter_dual_level", "exit_dual_level", "make_dual",
           "unpack_dual", "dual_level"]

NOT_IMPLEMENTED = (
    "Trying to use forward AD with {} that does not support it because it has not been "
    "implemented yet.\nPlease file an issue to PyTorch at "
    "https://github.com/pytorch/pytorch/issues/new?template=feature-request.yml so that we can "
    "prioritize its implementation or submit a PR adding the implementation to "
    "derivatives.yaml")


class _State:
    """The active level: its number (-1: none) and its token (None: none, or suspended while
    a JVP formula runs, so that the formula's own ops propagate nothing)."""

    __slots__ = ("level", "token")

    def __init__(self) -> None:
        self.level = -1
        self.token = None


STATE = _State()


class _Level:
    """The identity of one entered level (a fresh object each time a level is entered)."""

    __slots__ = ("number",)

    def __init__(self, number: int) -> None:
        self.number = number


# ------------------------------------------------------------------------ levels

def enter_dual_level():
    """Enter a new forward grad level; returns its number (0: only one level exists)."""
    if STATE.level >= 0:
        raise RuntimeError("Nested forward mode AD is not supported at the moment")
    STATE.level = 0
    STATE.token = _Level(0)
    return 0


def exit_dual_level(*, level=None):
    """Exit the level: every tangent made in it is forgotten."""
    if level is None:
        level = STATE.level
    if level != STATE.level:
        raise RuntimeError("Trying to exit a forward AD level that was not the last one that "
                           "was created. This is not supported.")
    if level < 0:
        raise RuntimeError("Dual level must be a positive number.")
    STATE.level = -1
    STATE.token = None


class dual_level:
    """``with dual_level():`` - forward AD computations happen inside; also a decorator."""

    def __enter__(self):
        return enter_dual_level()

    def __exit__(self, exc_type, exc_value, traceback) -> None:
        exit_dual_level()

    def __call__(self, fn):
        def wrapper(*args, **kwargs):
            with dual_level():
                return fn(*args, **kwargs)
        wrapper.__name__ = getattr(fn, "__name__", "wrapper")
        wrapper.__doc__ = getattr(fn, "__doc__", None)
        return wrapper


# ---------------------------------------------------------------------- tangents

def tangent_of(t):
    """``t``'s tangent at the active level, or None."""
    fw = t._fw
    if fw is None or fw[0] is not STATE.token or STATE.token is None:
        return None
    return fw[1]


def set_tangent(t, tangent) -> None:
    """Give ``t`` a tangent at the active level (None removes it)."""
    t._fw = None if tangent is None else (STATE.token, tangent)


def _level_of(level, what):
    if level is None:
        level = STATE.level
    elif level != STATE.level or level < 0:
        raise RuntimeError(f"Invalid level given to {what}")
    return level


def _is_floating(t) -> bool:
    return t._dtype.is_floating_point or t._dtype.is_complex


def make_dual(tensor, tangent, *, level=None):
    """A view of ``tensor`` carrying ``tangent`` (as is when its layout matches, else a copy
    laid out as ``tensor``)."""
    level = STATE.level if level is None else level
    if level < 0:
        raise RuntimeError("Trying to create a dual Tensor for forward AD but no level exists, "
                           "make sure to enter_dual_level() first.")
    _level_of(level, "_make_dual")
    if not _is_floating(tensor):
        raise ValueError("Expected primal to be floating point or complex, but got: "
                         f"{tensor.dtype}")
    if not _is_floating(tangent):
        raise ValueError("Expected tangent to be floating point or complex, but got: "
                         f"{tangent.dtype}")
    if tangent._data.shape != tensor._data.shape:
        raise RuntimeError(
            "Trying to set a forward gradient that has a different size than that of the "
            "original Tensor, this is not supported. Tensor is of size "
            f"{_sizes(tensor._data.shape)} while the given forward gradient is of size "
            f"{_sizes(tangent._data.shape)}.")
    if tangent_of(tensor) is not None:
        raise RuntimeError("Making a dual Tensor based on a Tensor that already has a forward "
                           f"gradient at the same level {level} is not supported.")
    if _element_strides(tangent) != _element_strides(tensor):
        # another layout: the values copied into a tensor laid out as the primal
        data = np.empty_like(tensor._data, dtype=tangent._data.dtype)
        np.copyto(data, tangent._data)
        tangent = tangent._new(data)
    dual = tensor.view(tensor.shape)        # a view (ViewBackward0 when it requires grad)
    set_tangent(dual, tangent)
    return dual


class UnpackedDualTensor(NamedTuple):
    """What :func:`unpack_dual` returns: the primal and the tangent (None when there is
    none)."""

    primal: object
    tangent: object


def unpack_dual(tensor, *, level=None):
    """``(primal, tangent)`` of ``tensor``: the primal is a view without the tangent."""
    if level is None:
        level = STATE.level
    if level < 0:
        return UnpackedDualTensor(tensor, None)
    _level_of(level, "_unpack_dual")
    tangent = tangent_of(tensor)
    if tangent is None:
        return UnpackedDualTensor(tensor, None)
    # (Tensor._fw_primal, PyTorch's method: a view whose node is Identity)
    return UnpackedDualTensor(tensor._fw_primal(level), tangent)


def _element_strides(t) -> tuple:
    return tuple(s // t._data.itemsize for s in t._data.strides)


def _sizes(shape) -> str:
    return "[" + ", ".join(str(s) for s in shape) + "]"


# ------------------------------------------------------------------ propagation

class _Values:
    """Attribute access to what a JVP reads: ``s.self``, ``s.result``, ``s.dim``."""

    __slots__ = ("__dict__",)

    def __init__(self, values: dict) -> None:
        self.__dict__ = values


def op_name(row) -> str:
    """The op a row belongs to, as PyTorch's messages name it (``MulBackward0`` -> mul)."""
    name = re.sub(r"Backwards?\d*$", "", row.name)
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def propagate(row, out, inputs, params=None, ctx=None, extra=None) -> None:
    """Give ``out`` (the result of ``row`` on ``inputs``) the tangent its inputs' tangents
    make: the sum of the row's JVPs over the inputs that have one, broadcast to ``out``'s
    shape. Nothing when no input has a tangent."""
    token = STATE.token
    tangents = [None if t is None or t._fw is None or t._fw[0] is not token else t._fw[1]
                for t in inputs]
    if all(t is None for t in tangents):
        return
    jvps = row.jvps
    if out._grad_fn is not None and not row.variadic:
        # as PyTorch's formulas do when the result is part of a graph: an input without a
        # tangent counts as a zero tangent, so the tangent is differentiable wherever the
        # formula reads a primal that requires grad
        tangents = [_zeros_like(x) if t is None and x is not None and _is_floating(x)
                    and jvp is not None else t
                    for t, x, jvp in zip(tangents, inputs, jvps)]
    if any(t is not None and jvps[0 if row.variadic else i] is None
           for i, t in enumerate(tangents)):
        raise NotImplementedError(NOT_IMPLEMENTED.format(op_name(row)))
    values = dict(row.params)
    if params:
        values.update(params)
    if ctx:
        values.update(ctx)
    for name, t in zip(row.input_names, inputs):
        values[name] = t
    if extra:
        values.update(extra)
    values["result"] = out
    s = _Values(values)
    STATE.token = None                      # the formulas' own ops propagate nothing
    try:
        if row.variadic:                    # cat / stack: one JVP of every input's tangent
            tangents = [t if t is not None else _zeros_like(x) for t, x in zip(tangents, inputs)]
            total = jvps[0](tangents, s)
        else:
            total = None
            for t, jvp in zip(tangents, jvps):
                if t is None:
                    continue
                part = jvp(t, s)
                total = part if total is None else total + part
        if total._data.shape != out._data.shape:
            total = total.expand(out._data.shape)
    finally:
        STATE.token = token
    out._fw = (token, total)
    node = out._grad_fn
    if node is not None:
        # the node's saved copy of its result carries the tangent too, so that its VJP,
        # run inside the level (forward over reverse), sees the result as a dual tensor
        saved = node.saved.get("result")
        if saved is not None and getattr(saved, "tensor", None) is not None:
            saved.tensor._fw = out._fw


def _zeros_like(t):
    return t._new(np.zeros(t._data.shape, t._data.dtype))


def suspended():
    """A context in which ops propagate no tangent (a custom Function's forward)."""
    return _Suspended()


class _Suspended:
    __slots__ = ("token",)

    def __enter__(self):
        self.token, STATE.token = STATE.token, None

    def __exit__(self, *exc) -> None:
        STATE.token = self.token

