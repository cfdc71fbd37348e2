"""refgrad.autograd.functional: values, structures and errors as torch.autograd.functional's.

Each test runs on both backends (see ``autograd_backends``); the reference is always
``torch.autograd.functional`` on torch tensors holding the same values.
"""

from __future__ import annotations

import importlib
import inspect
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
import torch.autograd.functional as torch_functional

sys.path.insert(0, str(Path(__file__).resolve().parent))
from autograd_backends import (  # noqa: E402
    BACKENDS, assert_same_structure_and_values, flags, make, to_numpy, use_backend,
)

functional = importlib.import_module("refgrad.autograd.functional")


@pytest.fixture(params=BACKENDS)
def ns(request, monkeypatch):
    return use_backend(monkeypatch, functional, request.param)


RNG = np.random.default_rng(7)
A = RNG.uniform(-1, 1, (3, 2))
B = RNG.uniform(-1, 1, (2,))
A32 = A.astype(np.float32)

# functions written against the torch-like namespace
FUNCS = {
    "single": lambda ns: lambda a: a.sin() * 3.0,
    "reduce": lambda ns: lambda a: (a * a).sum(0),
    "two_in": lambda ns: lambda a, b: (a * b).exp().sum(0),
    "two_in_two_out": lambda ns: lambda a, b: ((a * b).exp().sum(0), (a ** 2).sum()),
    "matmul": lambda ns: lambda a, b: ns.matmul(a, b).tanh(),
    "unused_input": lambda ns: lambda a, b: a * 2.0,
}

# (function, input arrays, tuple-of-inputs?)
CALLS = {
    "single": ("single", [A], False),
    "single_in_tuple": ("single", [A], True),
    "reduce": ("reduce", [A], False),
    "float32": ("single", [A32], False),
    "two_in": ("two_in", [A, B], True),
    "two_in_two_out": ("two_in_two_out", [A, B], True),
    "matmul": ("matmul", [A, B], True),
    "unused_input": ("unused_input", [A, B], True),
}


def build(ns, call_name, requires_grad=False):
    func_name, arrays, as_tuple = CALLS[call_name]
    tensors = tuple(make(ns, a, requires_grad) for a in arrays)
    return FUNCS[func_name](ns), (tensors if as_tuple else tensors[0])


def run_both(ns, call_name, tool, extra_args=lambda namespace: (), **kwargs):
    """``tool`` of refgrad's functional on ``ns``, and of torch's on torch, same values.

    ``extra_args(namespace)`` gives further positional arguments (``v``) for each side.
    """
    mine_func, mine_inputs = build(ns, call_name)
    ref_func, ref_inputs = build(torch, call_name)
    mine = getattr(functional, tool)(mine_func, mine_inputs, *extra_args(ns), **kwargs)
    theirs = getattr(torch_functional, tool)(ref_func, ref_inputs, *extra_args(torch),
                                             **kwargs)
    return mine, theirs


def test_signatures_are_torchs():
    for name in ("jacobian", "vjp", "jvp", "hessian"):
        mine = inspect.signature(getattr(functional, name)).parameters
        theirs = inspect.signature(getattr(torch_functional, name)).parameters
        assert [(p.name, p.default) for p in mine.values()] == \
               [(p.name, p.default) for p in theirs.values()]


@pytest.mark.parametrize("create_graph", [False, True])
@pytest.mark.parametrize("call_name", sorted(CALLS))
def test_jacobian_matches_torch(ns, call_name, create_graph):
    mine, theirs = run_both(ns, call_name, "jacobian", create_graph=create_graph)
    assert_same_structure_and_values(to_numpy(mine), to_numpy(theirs), rtol=1e-6, atol=1e-7)
    assert flags(mine) == flags(theirs)


@pytest.mark.parametrize("call_name", ["single", "two_in", "two_in_two_out"])
def test_jacobian_vectorize_and_forward_mode_give_the_same_values(ns, call_name):
    mine, theirs = run_both(ns, call_name, "jacobian", vectorize=True)
    assert_same_structure_and_values(to_numpy(mine), to_numpy(theirs), rtol=1e-6, atol=1e-7)
    mine, theirs = run_both(ns, call_name, "jacobian", vectorize=True,
                            strategy="forward-mode")
    assert_same_structure_and_values(to_numpy(mine), to_numpy(theirs), rtol=1e-6, atol=1e-7)


def cotangents(call_name):
    """v for vjp: one array per output of the call's function."""
    func = FUNCS[CALLS[call_name][0]](torch)
    _, inputs = build(torch, call_name)
    outputs = func(*inputs) if isinstance(inputs, tuple) else func(inputs)
    rng = np.random.default_rng(3)
    if isinstance(outputs, tuple):
        return tuple(rng.uniform(-1, 1, tuple(o.shape)).astype(o.numpy().dtype)
                     for o in outputs)
    return rng.uniform(-1, 1, tuple(outputs.shape)).astype(outputs.detach().numpy().dtype)


def tangents(call_name):
    arrays, as_tuple = CALLS[call_name][1], CALLS[call_name][2]
    rng = np.random.default_rng(4)
    values = tuple(rng.uniform(-1, 1, a.shape).astype(a.dtype) for a in arrays)
    return values if as_tuple else values[0]


def as_tensors(ns, value):
    if isinstance(value, tuple):
        return tuple(make(ns, v) for v in value)
    return make(ns, value)


@pytest.mark.parametrize("create_graph", [False, True])
@pytest.mark.parametrize("call_name", sorted(CALLS))
def test_vjp_matches_torch(ns, call_name, create_graph):
    v = cotangents(call_name)
    mine, theirs = run_both(ns, call_name, "vjp", lambda m: (as_tensors(m, v),),
                            create_graph=create_graph)
    assert_same_structure_and_values(to_numpy(mine), to_numpy(theirs), rtol=1e-6, atol=1e-7)
    assert flags(mine) == flags(theirs)


@pytest.mark.parametrize("create_graph", [False, True])
@pytest.mark.parametrize("call_name", sorted(CALLS))
def test_jvp_matches_torch(ns, call_name, create_graph):
    v = tangents(call_name)
    mine, theirs = run_both(ns, call_name, "jvp", lambda m: (as_tensors(m, v),),
                            create_graph=create_graph)
    assert_same_structure_and_values(to_numpy(mine), to_numpy(theirs), rtol=1e-6, atol=1e-7)
    assert flags(mine) == flags(theirs)


def test_jvp_is_the_jacobian_times_v(ns):
    func, inputs = build(ns, "matmul")
    va, vb = tangents("matmul")
    jac_a, jac_b = functional.jacobian(func, inputs)
    _, product = functional.jvp(func, inputs, (make(ns, va), make(ns, vb)))
    expected = (np.tensordot(to_numpy(jac_a), va, axes=2)
                + np.tensordot(to_numpy(jac_b), vb, axes=1))
    np.testing.assert_allclose(to_numpy(product), expected, rtol=1e-10)


def test_vjp_default_v_for_a_one_element_output(ns):
    func = lambda a: (a * a).sum()  # noqa: E731
    out, grad = functional.vjp(func, make(ns, A))
    np.testing.assert_allclose(to_numpy(grad), 2 * A)
    assert float(to_numpy(out)) == pytest.approx(float((A * A).sum()))


@pytest.mark.parametrize("create_graph", [False, True])
def test_hessian_matches_torch(ns, create_graph):
    func = lambda ns_: lambda a, b: (a.pow(3) * b).sum()  # noqa: E731
    mine = functional.hessian(func(ns), (make(ns, A), make(ns, B)), create_graph=create_graph)
    theirs = torch_functional.hessian(func(torch), (make(torch, A), make(torch, B)),
                                      create_graph=create_graph)
    assert_same_structure_and_values(to_numpy(mine), to_numpy(theirs), rtol=1e-6, atol=1e-7)
    single = functional.hessian(lambda a: a.pow(3).sum(), make(ns, A))
    np.testing.assert_allclose(to_numpy(single).reshape(6, 6), np.diag(6 * A.reshape(-1)))


def test_create_graph_results_are_differentiable_wrt_the_callers_inputs(ns):
    a = make(ns, A, requires_grad=True)
    jac = functional.jacobian(lambda x: x.pow(3), a, create_graph=True)
    (grad,) = ns.autograd.grad(jac.sum(), (a,))
    # d/da of sum_ij d(a_i^3)/da_j = d/da 3a^2 = 6a
    np.testing.assert_allclose(to_numpy(grad), 6 * A)


def test_inputs_are_not_modified_and_results_are_detached(ns):
    a = make(ns, A, requires_grad=True)
    jac = functional.jacobian(lambda x: x.exp(), a)
    assert not jac.requires_grad and jac.grad_fn is None
    assert a.grad is None
    np.testing.assert_array_equal(to_numpy(a), A)


ERROR_CALLS = {
    "strict_unused": ("jacobian", lambda ns: (FUNCS["unused_input"](ns),
                                              (make(ns, A), make(ns, B))), {"strict": True}),
    "strict_no_grad_output": ("jacobian", lambda ns: (lambda a: a.detach(), make(ns, A)),
                              {"strict": True}),
    "vjp_missing_v": ("vjp", lambda ns: (FUNCS["single"](ns), make(ns, A)), {}),
    "jvp_missing_v": ("jvp", lambda ns: (FUNCS["single"](ns), make(ns, A)), {}),
    "vjp_wrong_v_shape": ("vjp", lambda ns: (FUNCS["single"](ns), make(ns, A), make(ns, B)),
                          {}),
    "jvp_wrong_v_count": ("jvp", lambda ns: (FUNCS["two_in"](ns),
                                             (make(ns, A), make(ns, B)), (make(ns, A),)), {}),
    "jvp_v_entry_shape": ("jvp", lambda ns: (FUNCS["two_in"](ns),
                                             (make(ns, A), make(ns, B)),
                                             (make(ns, A), make(ns, A))), {}),
    "list_inputs": ("vjp", lambda ns: (FUNCS["single"](ns), [make(ns, A)], make(ns, A)), {}),
    "non_tensor_in_tuple": ("jacobian", lambda ns: (FUNCS["single"](ns), (make(ns, A), 2.0)),
                            {}),
    "bad_strategy": ("jacobian", lambda ns: (FUNCS["single"](ns), make(ns, A)),
                     {"strategy": "sideways"}),
    "forward_without_vectorize": ("jacobian", lambda ns: (FUNCS["single"](ns), make(ns, A)),
                                  {"strategy": "forward-mode"}),
    "forward_create_graph": ("jacobian", lambda ns: (FUNCS["single"](ns), make(ns, A)),
                             {"strategy": "forward-mode", "vectorize": True,
                              "create_graph": True}),
    "strict_vectorize": ("jacobian", lambda ns: (FUNCS["single"](ns), make(ns, A)),
                         {"strict": True, "vectorize": True}),
    "hessian_non_scalar": ("hessian", lambda ns: (FUNCS["single"](ns), make(ns, A)), {}),
    "hessian_tuple_output": ("hessian", lambda ns: (lambda a: (a.sum(), a.sum()),
                                                    make(ns, A)), {}),
}


def raised(call):
    try:
        call()
    except Exception as exc:  # the class and text are what is compared
        return type(exc), str(exc)
    return None, "no error"


@pytest.mark.parametrize("error_name", sorted(ERROR_CALLS))
def test_errors_match_torch(ns, error_name):
    tool, make_args, kwargs = ERROR_CALLS[error_name]
    mine = raised(lambda: getattr(functional, tool)(*make_args(ns), **kwargs))
    theirs = raised(lambda: getattr(torch_functional, tool)(*make_args(torch), **kwargs))
    assert theirs[0] is not None  # the reference case really is an error
    assert mine == theirs


def test_hessian_through_a_zero_tensor_gradient(ns):
    """abs differentiates twice through sgn, whose gradient is torch's immutable ZeroTensor."""
    mine = functional.hessian(lambda a: a.abs().sum(), make(ns, A))
    theirs = torch_functional.hessian(lambda a: a.abs().sum(), make(torch, A))
    np.testing.assert_array_equal(to_numpy(mine), np.zeros(A.shape + A.shape))
    np.testing.assert_array_equal(to_numpy(mine), to_numpy(theirs).copy())
