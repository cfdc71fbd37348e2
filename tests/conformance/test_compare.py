"""The comparison helper: one tolerance policy per dtype, labels, error figures, and every
kind of observable."""
import math

import numpy as np
import pytest
import torch

from conformance import observe
from conformance.compare import (TOLERANCES, compare_observations, compare_values,
                                 record_status, tolerance)
from conformance.observe import to_plain

# (torch dtype, rtol, atol): torch.testing.assert_close's documented defaults
POLICY = [
    (torch.float16, 1e-3, 1e-5),
    (torch.bfloat16, 1.6e-2, 1e-5),
    (torch.float32, 1.3e-6, 1e-5),
    (torch.float64, 1e-7, 1e-7),
]


def compare_tensors(left, right, name="x"):
    return compare_values(name, to_plain(left), to_plain(right))


@pytest.mark.parametrize("dtype, rtol, atol", POLICY, ids=lambda v: str(v))
def test_tolerance_table_is_assert_close_defaults(dtype, rtol, atol):
    assert tolerance(str(dtype)) == (rtol, atol)


# spacing of each dtype's values in [1, 2)
ULP_NEAR_ONE = {torch.float16: 2.0 ** -10, torch.bfloat16: 2.0 ** -7, torch.float32: 2.0 ** -23,
                torch.float64: 2.0 ** -52}


@pytest.mark.parametrize("dtype, rtol, atol", POLICY, ids=lambda v: str(v))
def test_just_inside_and_just_outside_tolerance(dtype, rtol, atol):
    reference_value = 1.5
    ulp = ULP_NEAR_ONE[dtype]
    steps_inside = math.floor((atol + rtol * reference_value) / ulp)
    reference = torch.full((2,), reference_value, dtype=dtype)
    inside = torch.tensor([reference_value + steps_inside * ulp,
                           reference_value - steps_inside * ulp], dtype=dtype)
    outside = torch.tensor([reference_value + (steps_inside + 1) * ulp,
                            reference_value - (steps_inside + 1) * ulp], dtype=dtype)
    assert compare_tensors(inside, reference)["status"] == "close"
    result = compare_tensors(outside, reference)
    assert result["status"] == "diverge", result["detail"]
    assert result["mismatch"] == [[0], [1]]
    assert (result["rtol"], result["atol"]) == (rtol, atol)
    # torch.testing.assert_close draws the line in the same place
    torch.testing.assert_close(inside, reference)
    with pytest.raises(AssertionError):
        torch.testing.assert_close(outside, reference)


@pytest.mark.parametrize("dtype, rtol, atol", POLICY, ids=lambda v: str(v))
def test_atol_alone_near_zero(dtype, rtol, atol):
    zero = torch.zeros(1, dtype=dtype)
    assert compare_tensors(torch.full((1,), atol * 0.5, dtype=dtype), zero)["status"] == "close"
    assert compare_tensors(torch.full((1,), atol * 2.0, dtype=dtype), zero)["status"] == "diverge"


def test_labels_exact_close_diverge_with_error_figures():
    right = torch.tensor([[1.0, 2.0], [3.0, 4.0]])
    exact = compare_tensors(right.clone(), right)
    assert exact["status"] == "exact" and exact["detail"] == "" and exact["max_abs"] == 0.0
    close = compare_tensors(right + 2e-6, right)
    assert close["status"] == "close" and close["mismatch"] == []
    assert close["detail"].startswith("within tolerance")
    off = right.clone()
    off[1, 0] += 0.5
    off[0, 1] += 0.01
    diverged = compare_tensors(off, right)
    assert diverged["status"] == "diverge"
    assert diverged["where"] == [1, 0]
    assert diverged["max_abs"] == pytest.approx(0.5)
    assert diverged["max_rel"] == pytest.approx(0.5 / 3.0)
    assert diverged["mismatch"] == [[0, 1], [1, 0]]
    assert "2 element(s) out of tolerance" in diverged["detail"]


def test_integers_and_bools_are_exact():
    ints = torch.tensor([1, 2, 3])
    assert compare_tensors(ints, ints.clone())["status"] == "exact"
    assert compare_tensors(ints + torch.tensor([0, 0, 1]), ints)["status"] == "diverge"
    flags = torch.tensor([True, False])
    assert compare_tensors(~flags, flags)["status"] == "diverge"
    assert TOLERANCES.get("int64") is None and tolerance("torch.int64") == (0.0, 0.0)


def test_nan_equals_nan_only_in_the_same_position_and_inf_only_itself():
    nan, inf = math.nan, math.inf
    assert compare_tensors(torch.tensor([nan, 1.0]), torch.tensor([nan, 1.0]))["status"] == "exact"
    moved = compare_tensors(torch.tensor([1.0, nan]), torch.tensor([nan, 1.0]))
    assert moved["status"] == "diverge" and moved["max_abs"] == "inf"
    assert compare_tensors(torch.tensor([inf]), torch.tensor([inf]))["status"] == "exact"
    assert compare_tensors(torch.tensor([-inf]), torch.tensor([inf]))["status"] == "diverge"
    assert compare_tensors(torch.tensor([1e30]), torch.tensor([inf]))["status"] == "diverge"


def test_dtype_shape_and_autograd_metadata_differences_diverge():
    a = torch.ones(3)
    dtype = compare_tensors(a.double(), a)
    assert dtype["status"] == "diverge"
    assert "dtype torch.float64 vs torch.float32" in dtype["detail"]
    shape = compare_tensors(torch.ones(1, 3), a)
    assert shape["status"] == "diverge" and "shape [1, 3] vs [3]" in shape["detail"]
    leaf = torch.ones(3, requires_grad=True)
    flags = compare_tensors(leaf * 1, leaf)
    assert flags["status"] == "diverge"
    assert "is_leaf False vs True" in flags["detail"]
    assert "grad_fn MulBackward0 vs None" in flags["detail"]


def test_python_scalars_like_float64_and_ints_exactly():
    assert compare_values("s", to_plain(1.0 + 5e-8), to_plain(1.0))["status"] == "close"
    assert compare_values("s", to_plain(1.0 + 5e-7), to_plain(1.0))["status"] == "diverge"
    assert compare_values("s", to_plain(math.nan), to_plain(math.nan))["status"] == "exact"
    assert compare_values("s", to_plain(3), to_plain(3))["status"] == "exact"
    int_vs_float = compare_values("s", to_plain(3), to_plain(3.0))
    assert int_vs_float["status"] == "diverge" and "int 3 vs float 3.0" in int_vs_float["detail"]
    assert compare_values("s", to_plain(True), to_plain(1))["status"] == "diverge"


def test_observables_on_one_side_only_diverge():
    left = {"a": to_plain(1), "extra": to_plain(2)}
    right = {"a": to_plain(1), "b": to_plain(3)}
    observables = compare_observations(left, right)
    assert [o["name"] for o in observables] == ["a", "b", "extra"]
    assert [o["status"] for o in observables] == ["exact", "diverge", "diverge"]
    assert observables[1]["left"] is None and "only the right lane" in observables[1]["detail"]
    assert record_status(observables) == "diverge"
    assert record_status(observables[:1]) == "match"


def test_errors_compare_class_and_normalised_message():
    def boom(address):
        raise RuntimeError(f"object at {address} is broken")

    first = to_plain(observe.error(lambda: boom(hex(id(object())))))
    second = to_plain(observe.error(lambda: boom("0xdeadbeef")))
    assert compare_values("e", first, second)["status"] == "exact"
    other_class = to_plain(observe.error(lambda: (_ for _ in ()).throw(ValueError("x"))))
    result = compare_values("e", other_class, to_plain(observe.error(lambda: boom("0x1"))))
    assert result["status"] == "diverge" and "class ValueError vs RuntimeError" in result["detail"]
    no_error = compare_values("e", to_plain(1), first)
    assert no_error["status"] == "diverge" and no_error["kind"] == "error"


def test_warnings_compare_category_message_and_result():
    import warnings

    def warn(message, category=UserWarning):
        warnings.warn(message, category)
        return 1

    same = compare_values("w", to_plain(observe.warnings(lambda: warn("a"))),
                          to_plain(observe.warnings(lambda: warn("a"))))
    assert same["status"] == "exact"
    text = compare_values("w", to_plain(observe.warnings(lambda: warn("a"))),
                          to_plain(observe.warnings(lambda: warn("b"))))
    assert text["status"] == "diverge" and "warning 0" in text["detail"]
    category = compare_values("w", to_plain(observe.warnings(lambda: warn("a", FutureWarning))),
                              to_plain(observe.warnings(lambda: warn("a"))))
    assert category["status"] == "diverge"
    silent = compare_values("w", to_plain(observe.warnings(lambda: 1)),
                            to_plain(observe.warnings(lambda: warn("a"))))
    assert silent["status"] == "diverge" and "0 warning(s) vs 1" in silent["detail"]


def test_graphs_compare_node_names_leaves_and_edges():
    a = torch.ones(2, requires_grad=True)
    b = torch.ones(2, requires_grad=True)
    graph = lambda out, **leaves: to_plain(observe.graph(out, **leaves))  # noqa: E731
    assert compare_values("g", graph(a * b, a=a, b=b), graph(a * b, a=a, b=b))["status"] == "exact"
    names = compare_values("g", graph(a + b, a=a, b=b), graph(a * b, a=a, b=b))
    assert names["status"] == "diverge" and "AddBackward0 vs MulBackward0" in names["detail"]
    swapped = compare_values("g", graph(b * a, a=a, b=b), graph(a * b, a=a, b=b))
    assert swapped["status"] == "diverge" and "AccumulateGrad(b) vs AccumulateGrad(a)" in \
        swapped["detail"]
    shared = compare_values("g", graph(a * a, a=a), graph(a * a.exp(), a=a))
    assert shared["status"] == "diverge"


def test_text_reports_where_it_differs():
    result = compare_values("r", to_plain("tensor([1., 2.])\nline"),
                            to_plain("tensor([1., 3.])\nline"))
    assert result["status"] == "diverge" and result["kind"] == "text"
    assert "line 1, column 13" in result["detail"]


def test_containers_compare_element_by_element():
    a = torch.ones(2)
    close = compare_values("t", to_plain((a + 1e-6, 2)), to_plain((a, 2)))
    assert close["status"] == "close"
    longer = compare_values("t", to_plain((a, a)), to_plain((a,)))
    assert longer["status"] == "diverge" and "t[1]" in longer["detail"]
    same = compare_values("d", to_plain({"k": [1, 2.0]}), to_plain({"k": [1, 2.0]}))
    assert same["status"] == "exact"
    int_for_float = compare_values("d", to_plain({"k": [1, 2]}), to_plain({"k": [1, 2.0]}))
    assert int_for_float["status"] == "diverge"
    # a tuple subclass (torch.Size) compares by its elements; reprs are shown, not compared
    assert compare_values("s", to_plain(torch.Size([2, 3])), to_plain((2, 3)))["status"] == "exact"


def test_objects_compare_by_repr():
    float32, float64 = to_plain(torch.float32), to_plain(torch.float64)
    assert compare_values("d", float32, to_plain(torch.float32))["status"] == "exact"
    assert compare_values("d", float32, float64)["status"] == "diverge"


def test_numpy_arrays_compare_like_tensors():
    values = np.array([1.0, 2.0], np.float32)
    assert compare_values("n", to_plain(values), to_plain(values.copy()))["status"] == "exact"
    wider = compare_values("n", to_plain(values.astype(np.float64)), to_plain(values))
    assert wider["status"] == "diverge"
