"""Helpers for refgrad's tests: run the same code on refgrad and on torch, and describe what
happened (values, grad_fn trees, errors) as plain data that can be compared."""
from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch

import refgrad

LIBS = {"refgrad": refgrad, "torch": torch}


def tree(t_or_fn, **leaves) -> str:
    """The grad_fn graph below a tensor, one ``Name [input_nr]`` per line (iterative)."""
    root = getattr(t_or_fn, "grad_fn", t_or_fn) if not _is_node(t_or_fn) else t_or_fn
    lines = []
    stack = [(root, 0, None)]
    while stack:
        fn, depth, nr = stack.pop()
        lines.append("  " * depth + _name(fn, leaves) + ("" if nr is None else f" [{nr}]"))
        if fn is not None:
            for nxt, i in reversed(fn.next_functions):
                stack.append((nxt, depth + 1, i))
    return "\n".join(lines)


def _is_node(obj) -> bool:
    return hasattr(obj, "next_functions")


def _name(fn, leaves) -> str:
    if fn is None:
        return "None"
    name = type(fn).__name__
    if name == "AccumulateGrad":
        for key, value in leaves.items():
            if fn.variable is value:
                return f"AccumulateGrad({key})"
        return "AccumulateGrad(?)"
    return name


def outcome(fn):
    """``("ok", result)`` or ``(exception class name, message)``."""
    try:
        return ("ok", fn())
    except Exception as exc:  # noqa: BLE001 - what was raised is the observation
        return (type(exc).__name__, str(exc))


def error_of(fn):
    kind, message = outcome(fn)
    assert kind != "ok", "expected an error"
    return kind, message


def warnings_of(fn):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fn()
    return [(w.category.__name__, str(w.message).split(" (Triggered internally")[0])
            for w in caught]


def arr(t) -> np.ndarray:
    """A tensor (either library) as a NumPy array; None stays None."""
    if t is None:
        return None
    if hasattr(t, "detach"):
        t = t.detach()
        if t._is_zerotensor():          # torch's ZeroTensor refuses .numpy(); its clone does not
            t = t.clone()
        return np.array(t.numpy())
    return np.array(t)


def same(a, b) -> bool:
    """Bitwise-equal arrays (nan equal to nan), same dtype name and shape."""
    a, b = arr(a), arr(b)
    if a is None or b is None:
        return a is None and b is None
    return a.shape == b.shape and a.dtype == b.dtype and np.array_equal(a, b, equal_nan=True)


def close(a, b, rtol=1e-6, atol=1e-7) -> bool:
    a, b = arr(a), arr(b)
    if a is None or b is None:
        return a is None and b is None
    return a.shape == b.shape and np.allclose(a, b, rtol=rtol, atol=atol, equal_nan=True)


@pytest.fixture(params=["refgrad", "torch"])
def lib(request):
    """Run a test on both libraries (for behaviour that must hold on each)."""
    return LIBS[request.param]
