"""The op catalogue: its families make the op cases, its domains hold what is drawn from them,
its fuzz entries make the fuzzer's catalogue, and a new elementwise op is one entry."""
from __future__ import annotations


import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conformance import opdb
from conformance.fuzz import strategies
from conformance.case import collect
from conformance.observe import MissingFeature
from conformance.opdb import draws
from conformance.opdb.domains import ANY, DOMAINS, OFF_STEP

torch = pytest.importorskip("torch")


def test_the_op_cases_are_the_catalogues_families():
    ids = [case.id for case in collect() if case.area == "ops"]
    expected = [f"ops::{name}[{param_id}]" if param_id else f"ops::{name}"
                for name, _, param_id in opdb.case_instances()]
    assert ids == expected
    assert len(set(ids)) == len(ids) >= 600
    assert {"ops::add[float32-3,3]", "ops::argmax_keepdim",
            "ops::create_graph_of[float64-abs]"} <= set(ids)


def test_names_are_unique_across_the_catalogue():
    names = [op.name for op in opdb.OPS]
    families = [family.name for op in opdb.OPS for family in op.cases]
    nodes = [recipe.node for op in opdb.OPS for recipe in op.recipes]
    for listed in (names, families, nodes):
        assert len(listed) == len(set(listed))


def test_seeded_case_values_lie_in_their_domains():
    for name, params, _ in opdb.case_instances():
        family = opdb.FAMILIES[name]
        dtype, _ = family.dtype_pair(params)
        key = family.key_for(params, dtype)
        for operand in family.operands_for(params):
            if operand.domain.kind != "float":
                continue
            values = operand.domain.seeded_array(operand.shape, key + operand.suffix,
                                                 opdb.NUMPY_DTYPES[dtype])
            assert all(operand.domain.admits(float(v)) for v in values.flat), (name, operand)


def test_fuzz_edges_are_valid_for_some_operand():
    for op in opdb.OPS:
        if op.fuzz:
            assert op.edges, op.name
            for edge in op.edges:
                assert any(d.admits(edge) for d in op.domains), (op.name, edge)


@settings(max_examples=60, deadline=None)
@given(data=st.data(), domain=st.sampled_from(DOMAINS + (ANY.away_from(-0.5, 0.5),)))
def test_hypothesis_draws_stay_in_the_domain_and_off_its_kinks(data, domain):
    value = data.draw(draws.elements(domain))
    assert domain.admits(value)
    assert domain.low <= abs(value) <= domain.high if domain.signed else \
        domain.low <= value <= domain.high
    assert all(abs(value - p) > domain.margin for p in domain.avoid)


def test_off_step_values_avoid_integers_and_halves():
    values = OFF_STEP.seeded_array((200,), "test", np.float64)
    rounded = np.round(values * 2) / 2
    # seeded case values are uniform: most sit well away from a step
    assert np.mean(np.abs(values - rounded) > 0.05) > 0.7


@pytest.mark.parametrize("op", [op for op in opdb.OPS if op.fuzz and op.recipes],
                         ids=lambda op: op.name)
@settings(max_examples=3, deadline=None)
@given(data=st.data())
def test_saves_tensors_says_whether_a_second_backward_raises_on_torch(op, data):
    recipe = op.recipes[0]
    arrays, params = recipe.draw(data)
    tensors = [torch.tensor(a, requires_grad=True) for a in arrays]
    out = recipe.build(torch, *tensors, **params)
    out.sum().backward()
    try:
        out.sum().backward()
    except RuntimeError as exc:
        assert op.saves_tensors, f"{op.name}: {exc}"
    else:
        assert not op.saves_tensors, f"{op.name}: a second backward went through"


def test_a_new_elementwise_op_is_one_entry():
    # cosh (and sinh, its derivative) came in as one entry each, besides their refgrad rows
    cosh = opdb.OPS_BY_NAME["cosh"]
    # its case family: torch.cosh over four shapes and both dtypes
    (family,) = cosh.cases
    assert [pid for _, pid in family.instances()][:2] == ["float32-scalar", "float32-5"]
    params, _ = family.instances()[2]
    (operand,) = family.operands_for(params)
    a = operand.tensor(torch, "cpu", family.key_for(params, "float32"), "float32")
    assert family.key_for(params, "float32") == "ops/cosh/(2, 3)/float32"
    assert torch.equal(family.run(torch, [a], params), torch.cosh(a))
    # its recipe for refgrad's tests, and its place in the fuzzer's catalogue
    assert cosh.nodes == ("CoshBackward0",)
    spec = strategies._spec(cosh)
    assert (spec.name, spec.arity, spec.domains, spec.saves_tensors) == (
        "cosh", 1, ("any",), True)
    assert cosh.fuzz.expr == "torch.cosh({0})" and cosh.fuzz.interval(-1.0, 2.0)[0] == 1.0


class _Tensorish:
    pass


def test_a_method_the_target_lacks_is_a_missing_feature():
    family = opdb.FAMILIES["clamp_one_sided_method"]
    with pytest.raises(MissingFeature) as raised:
        family.run(None, [_Tensorish()], {"bound": "min"})
    assert raised.value.qualified_name == "_Tensorish.clamp_min"


def test_an_attribute_error_inside_the_target_stays_an_error():
    class Broken:
        def clamp_min(self, bound):
            return self.no_such_attribute

    family = opdb.FAMILIES["clamp_one_sided_method"]
    with pytest.raises(AttributeError) as raised:
        family.run(None, [Broken()], {"bound": "min"})
    assert not isinstance(raised.value, MissingFeature)
