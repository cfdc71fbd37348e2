"""Every row of refgrad's derivative table, verified twice with hypothesis-drawn inputs.

1. Against refgrad's own float64 ``gradcheck`` (central differences; no torch involved).
2. Against torch: the same recipe, inputs and cotangent, in float32 or float64; the forward
   values and the input gradients must agree.

The recipes live in the op catalogue (``conformance.opdb``: one per table row, inputs drawn by
hypothesis from the catalogue's domains); a table row without one fails the coverage test (and
its own parametrised cases). A planted wrong derivative -- one row's VJP scaled by 1.001 --
must make both checks fail, and both pass again once it is restored.
"""

from __future__ import annotations

import importlib
import os

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

import refgrad
from conformance.opdb import RECIPES
from refgrad import ops

gradcheck_module = importlib.import_module("refgrad.autograd.gradcheck")

ROW_NAMES = sorted(ops.ROWS)
SETTINGS = settings(
    max_examples=int(os.environ.get("REFGRAD_VJP_EXAMPLES", "8")),
    deadline=None,
    derandomize=os.environ.get("REFGRAD_VJP_EXAMPLES") is None,  # CI: the same examples
    # no "explain" phase: it reruns failing examples many times over for little gain here
    phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink],
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                           HealthCheck.function_scoped_fixture],
)
# float64 central differences with eps=1e-6 are good to ~1e-9 here; 1e-5 still sees 1.001
GRADCHECK_TOLERANCE = {"eps": 1e-6, "atol": 1e-7, "rtol": 1e-5}
# refgrad against torch, per dtype: (rtol, atol)
TORCH_TOLERANCE = {np.float32: (1e-4, 1e-5), np.float64: (1e-9, 1e-11)}
DTYPES = st.sampled_from([np.float32, np.float64])


# ---------------------------------------------------------------------------------------------
# the two checks; each returns None or a description of the disagreement


def node_names(output) -> set[str]:
    """Names of every node reachable from ``output.grad_fn``."""
    names, seen, stack = set(), set(), [output.grad_fn]
    while stack:
        fn = stack.pop()
        if fn is None or id(fn) in seen:
            continue
        seen.add(id(fn))
        name = type(fn).__name__
        # torch's nodes without a class of their own print by name() (as torch prints them)
        names.add(fn.name().rsplit("::", 1)[-1] if name == "CppFunction" else name)
        stack.extend(next_fn for next_fn, _ in fn.next_functions)
    return names


def make_inputs(ns, arrays, dtype):
    """Float arrays become leaves requiring grad (in ``dtype``); others plain tensors."""
    return tuple(
        ns.tensor(a.astype(dtype), requires_grad=True) if a.dtype.kind == "f"
        else ns.tensor(a)
        for a in arrays
    )


def cast_params(params: dict, dtype) -> dict:
    return {k: v.astype(dtype) if isinstance(v, np.ndarray) and v.dtype.kind == "f" else v
            for k, v in params.items()}


def build(ns, recipe, arrays, params, dtype):
    inputs = make_inputs(ns, arrays, dtype)
    output = recipe.build(ns, *inputs, **cast_params(params, dtype))
    # the table's names are torch's: the recipe must reach the node on both libraries
    assert recipe.node in node_names(output), (
        f"the {recipe.node} recipe does not reach that node on {ns.__name__}: "
        f"{sorted(node_names(output))}")
    return inputs, output


def gradcheck_disagreement(recipe, arrays, params) -> str | None:
    inputs, _ = build(refgrad, recipe, arrays, params, np.float64)
    params64 = cast_params(params, np.float64)
    try:
        gradcheck_module.gradcheck(lambda *xs: recipe.build(refgrad, *xs, **params64), inputs,
                                   **GRADCHECK_TOLERANCE)
    except gradcheck_module.GradcheckError as exc:
        return str(exc)
    return None


def gradients(ns, recipe, arrays, params, dtype, cotangent_seed):
    """The forward values, and per input ``None`` or ``(values, is a ZeroTensor)``."""
    inputs, output = build(ns, recipe, arrays, params, dtype)
    out_values = output.detach().numpy()
    rng = np.random.default_rng(cotangent_seed)
    cotangent = ns.tensor(rng.uniform(-1, 1, out_values.shape).astype(out_values.dtype))
    leaves = [x for x in inputs if x.requires_grad]
    grads = ns.autograd.grad(output, leaves, cotangent, allow_unused=True)
    return out_values.copy(), [None if g is None else gradient_values(g) for g in grads]


def gradient_values(grad) -> tuple[np.ndarray, bool]:
    """A gradient's values, and whether it is a ZeroTensor.

    Some gradients are zero by construction (sgn's): torch returns them as an immutable
    ZeroTensor, which refuses numpy(). Its zeros are read through clone(), and the kind is
    kept, so that refgrad must give a ZeroTensor exactly where torch does.
    """
    values = grad.detach()
    if values._is_zerotensor():
        return values.clone().numpy().copy(), True
    return values.numpy().copy(), False


def torch_disagreement(recipe, arrays, params, dtype, cotangent_seed=0) -> str | None:
    mine_out, mine_grads = gradients(refgrad, recipe, arrays, params, dtype, cotangent_seed)
    ref_out, ref_grads = gradients(torch, recipe, arrays, params, dtype, cotangent_seed)
    rtol, atol = TORCH_TOLERANCE[dtype]
    pairs = [("forward", (mine_out, False), (ref_out, False))] + [
        (f"grad of input {i}", m, r) for i, (m, r) in enumerate(zip(mine_grads, ref_grads))]
    for label, mine, ref in pairs:
        if mine is None or ref is None:
            if (mine is None) != (ref is None):
                return f"{label}: refgrad {mine!r}, torch {ref!r}"
            continue
        (mine, mine_is_zero_tensor), (ref, ref_is_zero_tensor) = mine, ref
        if mine_is_zero_tensor != ref_is_zero_tensor:
            kinds = ["a ZeroTensor" if z else "a plain tensor"
                     for z in (mine_is_zero_tensor, ref_is_zero_tensor)]
            return f"{label}: refgrad gives {kinds[0]}, torch {kinds[1]}"
        if mine.shape != ref.shape or mine.dtype != ref.dtype:
            return f"{label}: refgrad {mine.dtype}{mine.shape}, torch {ref.dtype}{ref.shape}"
        if not np.allclose(mine, ref, rtol=rtol, atol=atol, equal_nan=True):
            worst = np.max(np.abs(mine - ref))
            return f"{label}: max difference {worst:.3g}\nrefgrad: {mine}\ntorch:   {ref}"
    return None


# ---------------------------------------------------------------------------------------------
# coverage


def rows_without_recipe() -> list[str]:
    return sorted(set(ops.ROWS) - set(RECIPES))


def test_every_table_row_has_a_recipe():
    missing = rows_without_recipe()
    assert not missing, f"rows of refgrad.ops.ROWS without a recipe in conformance.opdb: {missing}"


def test_every_recipe_names_a_table_row():
    stale = sorted(set(RECIPES) - set(ops.ROWS))
    assert not stale, f"recipes for rows refgrad.ops.ROWS does not have: {stale}"


def test_a_new_row_without_recipe_is_noticed(monkeypatch):
    monkeypatch.setitem(ops.ROWS, "FreshOpBackward0", ops.ROWS["ExpBackward0"])
    assert rows_without_recipe() == ["FreshOpBackward0"]


def recipe_for(node):
    if node not in RECIPES:
        pytest.fail(f"no recipe for table row {node}")
    return RECIPES[node]


# ---------------------------------------------------------------------------------------------
# every row, twice


@pytest.mark.parametrize("node", ROW_NAMES)
@SETTINGS
@given(data=st.data())
def test_vjp_agrees_with_refgrads_gradcheck(node, data):
    recipe = recipe_for(node)
    arrays, params = recipe.draw(data)
    failure = gradcheck_disagreement(recipe, arrays, params)
    assert failure is None, failure


@pytest.mark.parametrize("node", ROW_NAMES)
@SETTINGS
@given(data=st.data(), dtype=DTYPES, cotangent_seed=st.integers(0, 2**16))
def test_vjp_agrees_with_torch(node, data, dtype, cotangent_seed):
    recipe = recipe_for(node)
    arrays, params = recipe.draw(data)
    failure = torch_disagreement(recipe, arrays, params, dtype, cotangent_seed)
    assert failure is None, failure


# ---------------------------------------------------------------------------------------------
# a planted wrong derivative is caught by both checks

RNG = np.random.default_rng(11)
PLANTED = {
    "MulBackward0": ([RNG.uniform(-2, 2, (2, 3)), RNG.uniform(-2, 2, (3,))], {}),
    "ExpBackward0": ([RNG.uniform(-2, 2, (4,))], {}),
    "MmBackward0": ([RNG.uniform(-2, 2, (2, 3)), RNG.uniform(-2, 2, (3, 2))], {}),
    "SumBackward1": ([RNG.uniform(-2, 2, (2, 3))], {"dim": 1, "keepdim": False}),
    "StackBackward0": ([RNG.uniform(-2, 2, (3,)), RNG.uniform(-2, 2, (3,))], {"dim": 0}),
}


def scaled(vjp, factor):
    return lambda *args: vjp(*args) * factor


@pytest.mark.parametrize("node", sorted(PLANTED))
def test_planted_wrong_vjp_fails_both_checks(node, monkeypatch):
    recipe = recipe_for(node)
    arrays, params = PLANTED[node]
    row = ops.ROWS[node]
    with monkeypatch.context() as patch:
        patch.setattr(row, "vjps", tuple((uses, None if fn is None else scaled(fn, 1.001))
                                         for uses, fn in row.vjps))
        assert gradcheck_disagreement(recipe, arrays, params) is not None
        for dtype in (np.float32, np.float64):
            assert torch_disagreement(recipe, arrays, params, dtype) is not None
    # restored: the same inputs pass both checks
    assert gradcheck_disagreement(recipe, arrays, params) is None
    for dtype in (np.float32, np.float64):
        assert torch_disagreement(recipe, arrays, params, dtype) is None
