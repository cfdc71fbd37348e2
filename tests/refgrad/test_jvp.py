"""Every row's forward-mode formula (its ``jvps``), verified three ways on hypothesis-drawn
float64 inputs and tangents, through the row's recipe in the op catalogue
(``conformance.opdb``, one per table row - the same recipes ``test_vjp.py`` uses):

1. against central finite differences: ``(f(x + eps v) - f(x - eps v)) / (2 eps)``;
2. against the row's own VJP: ``<J v, u> == <v, J^T u>`` for a random cotangent ``u``;
3. against torch's forward mode: the same recipe, inputs and tangents.

Each recipe must actually run its row's JVP (the rows' formulas are watched while it runs). A
planted wrong formula - one row's JVP scaled by 1.001 - must make the checks fail.
"""
from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

import refgrad
from conformance.opdb import RECIPES
from refgrad import ops

ROW_NAMES = sorted(ops.ROWS)
SETTINGS = settings(max_examples=4, deadline=None, derandomize=True,
                    phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink],
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.function_scoped_fixture])
EPS = 1e-6
RTOL, ATOL = 1e-5, 1e-7          # float64 central differences are good to ~1e-9 here
# inputs a recipe needs as leaves (their .grad is read), so they get no tangent: the first
# .grad of a leaf under create_graph=True (CopyBackwards) carries the other input's tangent
LEAF_INPUTS = {"CopyBackwards": (0,)}


def _inputs(ns, arrays):
    # float arrays become float64 leaves requiring grad (as in test_vjp); others plain
    return [ns.tensor(a.astype(np.float64), requires_grad=True) if a.dtype.kind == "f"
            else ns.tensor(a) for a in arrays]


def _params(params):
    return {k: v.astype(np.float64) if isinstance(v, np.ndarray) and v.dtype.kind == "f"
            else v for k, v in params.items()}


def _values(t) -> np.ndarray:
    t = t.detach()
    return (t.clone() if t._is_zerotensor() else t).numpy().astype(np.float64)


def forward_mode(ns, recipe, arrays, params, tangents):
    """The recipe's output values and the tangent of its output (zeros when it has none)."""
    fwad = ns.autograd.forward_ad
    inputs = _inputs(ns, arrays)
    with fwad.dual_level():
        duals = [fwad.make_dual(x, ns.tensor(v)) if v is not None else x
                 for x, v in zip(inputs, tangents)]
        out = recipe.build(ns, *duals, **_params(params))
        tangent = fwad.unpack_dual(out).tangent
    values = _values(out)
    return values, (np.zeros_like(values) if tangent is None else _values(tangent))


def finite_difference(recipe, arrays, params, tangents) -> np.ndarray:
    def at(sign):
        moved = [a + sign * EPS * v if v is not None else a for a, v in zip(arrays, tangents)]
        return _values(recipe.build(refgrad, *_inputs(refgrad, moved), **_params(params)))
    return (at(1) - at(-1)) / (2 * EPS)


def vjp_pairing(recipe, arrays, params, tangents, cotangent) -> float:
    """``<v, J^T u>``: the row's VJP (through autograd.grad) paired with the tangents."""
    inputs = _inputs(refgrad, arrays)
    out = recipe.build(refgrad, *inputs, **_params(params))
    leaves = [x for x, v in zip(inputs, tangents) if v is not None]
    grads = refgrad.autograd.grad(out, leaves, refgrad.tensor(cotangent), allow_unused=True)
    vs = [v for v in tangents if v is not None]
    return sum(float((_values(g) * v).sum()) for g, v in zip(grads, vs) if g is not None)


def draw_case(recipe, data):
    arrays, params = recipe.draw(data)
    seed = data.draw(st.integers(0, 2 ** 16), label="tangent seed")
    rng = np.random.default_rng(seed)
    leaves = LEAF_INPUTS.get(recipe.node, ())
    tangents = [rng.uniform(-1, 1, a.shape) if a.dtype.kind == "f" and i not in leaves
                else None for i, a in enumerate(arrays)]
    return arrays, params, tangents, rng


def watched_rows(monkeypatch) -> set:
    """The names of the rows whose JVPs run from now on (every row's formulas wrapped)."""
    ran = set()
    for name, row in ops.ROWS.items():
        def watch(fn, name=name):
            if fn is None:
                return None

            def jvp(*args):
                ran.add(name)
                return fn(*args)
            return jvp
        monkeypatch.setattr(row, "jvps", tuple(watch(fn) for fn in row.jvps))
    return ran


def disagreement(recipe, data, ran) -> str | None:
    arrays, params, tangents, rng = draw_case(recipe, data)
    ran.clear()
    values, jvp = forward_mode(refgrad, recipe, arrays, params, tangents)
    if recipe.node not in ran:
        return f"the recipe never ran the {recipe.node} JVP (ran {sorted(ran)})"
    numerical = finite_difference(recipe, arrays, params, tangents)
    if not np.allclose(jvp, numerical, rtol=RTOL, atol=ATOL):
        return f"JVP {jvp} against central differences {numerical}"
    cotangent = rng.uniform(-1, 1, values.shape)
    left, right = float((jvp * cotangent).sum()), vjp_pairing(recipe, arrays, params,
                                                               tangents, cotangent)
    if not np.isclose(left, right, rtol=RTOL, atol=ATOL):
        return f"<J v, u> = {left} but <v, J^T u> = {right}"
    torch_values, torch_jvp = forward_mode(torch, recipe, arrays, params, tangents)
    if not np.allclose(jvp, torch_jvp, rtol=1e-9, atol=1e-11):
        return f"JVP {jvp}, torch's {torch_jvp}"
    return None


@pytest.mark.parametrize("node", ROW_NAMES)
@SETTINGS
@given(data=st.data())
def test_jvp_agrees_with_differences_its_vjp_and_torch(node, data, monkeypatch):
    if node == "Identity":
        pytest.skip("the primal unpack_dual returns has no tangent in its level by definition; "
                    "its recipe enters a level of its own")
    if node not in RECIPES:
        pytest.fail(f"no recipe for table row {node}")
    ran = watched_rows(monkeypatch)
    failure = disagreement(RECIPES[node], data, ran)
    assert failure is None, failure


def test_every_row_with_a_vjp_has_a_jvp():
    missing = [name for name, row in ops.ROWS.items()
               if any(v is not None and j is None for v, j in zip(row.vjp_fns, row.jvps))]
    assert not missing, f"rows with a VJP but no JVP: {missing}"


@pytest.mark.parametrize("node", ["MulBackward0", "SumBackward1", "MmBackward0"])
def test_a_jvp_off_by_a_factor_is_caught(node, monkeypatch):
    row = ops.ROWS[node]
    monkeypatch.setattr(row, "jvps", tuple(
        (lambda t, s, fn=fn: fn(t, s) * 1.001) if fn is not None else None for fn in row.jvps))
    ran = watched_rows(monkeypatch)
    caught = []

    @SETTINGS
    @given(data=st.data())
    def check(data):
        caught.append(disagreement(RECIPES[node], data, ran) is not None)

    check()
    assert any(caught), "a JVP scaled by 1.001 went unnoticed"


def test_a_row_without_a_jvp_raises_torchs_error(monkeypatch):
    monkeypatch.setattr(ops.ROWS["SinBackward0"], "jvps", (None,))
    fwad = refgrad.autograd.forward_ad
    with fwad.dual_level():
        x = fwad.make_dual(refgrad.tensor([1.0, 2.0]), refgrad.tensor([1.0, 1.0]))
        with pytest.raises(NotImplementedError, match="Trying to use forward AD with sin that "
                           "does not support it because it has not been implemented yet"):
            x.sin()
