"""Random bad arguments to refgrad's factories and ops: only torch's exception types come out.

Each example is run on torch and on refgrad with the same arguments; either both succeed or
both raise the same exception class (messages are compared by the misuse catalogue).
"""
from __future__ import annotations

import warnings

import numpy as np
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import refgrad

BAD_INTS = st.one_of(st.integers(-3, 4), st.sampled_from([2 ** 63, -2 ** 63 - 1, 2 ** 70]))
VALUES = st.one_of(BAD_INTS, st.floats(-3, 3), st.sampled_from(["3", "a", None, True, False]),
                   st.lists(st.integers(-2, 3), max_size=3))
SIZES = st.one_of(VALUES, st.lists(VALUES, max_size=3).map(tuple))
DTYPES = st.sampled_from(["float32", "float", 1, float, int, bool, None, "torch.float32"])
FACTORIES = st.sampled_from(["ones", "zeros", "empty", "rand", "randn"])
REDUCTIONS = st.sampled_from(["sum", "mean", "amax", "amin", "argmax", "argmin", "softmax",
                              "log_softmax", "max", "min", "any", "all"])
VIEWS = st.sampled_from(["unsqueeze", "squeeze", "transpose", "reshape", "view", "flatten",
                         "permute"])
SETTINGS = settings(max_examples=150, deadline=None, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.too_slow])


def _outcome(fn):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            fn()
        except Exception as exc:  # noqa: BLE001 - the class is what is compared
            return type(exc).__name__
    return "ok"


def _same_outcome(make):
    expected = _outcome(lambda: make(torch))
    got = _outcome(lambda: make(refgrad))
    assert got == expected


def _tensor(namespace, shape=(2, 3)):
    return namespace.tensor(np.arange(np.prod(shape), dtype=np.float32).reshape(shape))


@SETTINGS
@given(FACTORIES, SIZES)
def test_factory_sizes(name, size):
    args = size if isinstance(size, tuple) else (size,)
    _same_outcome(lambda ns: getattr(ns, name)(*args))


@SETTINGS
@given(st.sampled_from(["ones", "zeros", "full", "eye", "tensor", "arange"]), DTYPES,
       st.sampled_from([True, False, "yes", 1, None]))
def test_factory_dtype_and_requires_grad(name, dtype, requires_grad):
    args = {"ones": (2,), "zeros": (2,), "full": ((2,), 1.5), "eye": (2,),
            "tensor": ([1.0, 2.0],), "arange": (3,)}[name]

    def make(ns):
        kwargs = {"dtype": dtype}
        if requires_grad is not None or name == "tensor":
            kwargs["requires_grad"] = requires_grad
        return getattr(ns, name)(*args, **kwargs)

    _same_outcome(make)


@SETTINGS
@given(VALUES, VALUES, st.one_of(VALUES, st.floats(allow_nan=True, allow_infinity=True)))
def test_arange_bounds(start, end, step):
    if any(isinstance(v, list) for v in (start, end, step)):
        return
    _same_outcome(lambda ns: ns.arange(start, end, step))


@SETTINGS
@given(REDUCTIONS, st.one_of(VALUES, st.lists(st.integers(-3, 3), max_size=3).map(tuple)),
       st.sampled_from([(2, 3), (0,), (2, 0), ()]))
def test_reduction_dims(name, dim, shape):
    _same_outcome(lambda ns: getattr(_tensor(ns, shape), name)(dim))


@SETTINGS
@given(VIEWS, st.lists(BAD_INTS, min_size=1, max_size=3))
def test_view_dims(name, dims):
    _same_outcome(lambda ns: getattr(_tensor(ns), name)(*dims))
