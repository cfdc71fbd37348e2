"""The one op path (refgrad._dispatch) and the variants bound from the rows (refgrad._variants):
every row declares a promotion policy and an empty forward-mode slot per input, every declared
variant is bound, promotion follows torch, and a new elementwise op is one row."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import refgrad
from refgrad import _variants
from refgrad.ops import _row
from refgrad.ops._numpy import _via_float64
from conftest import arr, close


def test_every_row_declares_a_policy_and_a_jvp_per_input():
    for name, row in refgrad.ops.ROWS.items():
        assert row.promotion in (_row.PROMOTE, _row.INT_TO_FLOAT), name
        assert len(row.jvps) == len(row.input_names), name
        # forward mode: a formula wherever there is a VJP (test_jvp.py checks their values)
        assert all(jvp is not None for jvp, vjp in zip(row.jvps, row.vjp_fns)
                   if vjp is not None), name
        assert row.scalar is None or row.scalar not in row.input_names, name


def test_a_python_number_is_an_input_or_a_node_parameter_as_the_row_says():
    x = refgrad.tensor([1.0, 2.0], requires_grad=True)
    assert refgrad.ops.ADD.scalar is None and len((x + 1).grad_fn.next_functions) == 2
    assert refgrad.ops.RSUB.scalar == "other" and len((1 - x).grad_fn.next_functions) == 1
    assert (x ** 3).grad_fn._saved_exponent == 3


def test_every_declared_variant_is_bound():
    for entry, methods, functions, inplace, operators in refgrad.ops.VARIANTS:
        for name in methods + inplace + operators:
            assert callable(getattr(refgrad.Tensor, name)), name
        for name in functions:
            assert callable(getattr(refgrad, name)), name


PROMOTIONS = [
    "torch.tensor([1, 2]).exp()", "torch.tensor([1, 2]) / torch.tensor([2, 2])",
    "torch.tensor([1, 2]) / 2", "torch.tensor([1, 2]) * 2.5", "-torch.tensor([1, 2])",
    "torch.tensor([1., 2.]) * 2", "torch.tensor([1., 2.], dtype=torch.float64) + 1.5",
    "torch.tensor([1., 2.]) + torch.tensor(3., dtype=torch.float64)",
    "torch.tensor([1, 2]) + torch.tensor(3.)", "torch.tensor([True]) + 1",
    "1 - torch.tensor([1, 2])", "2 ** torch.tensor([1., 2.])", "torch.tensor([3, 4]) ** 2",
    "torch.tensor([-1, 2]).relu()", "torch.tensor([1, 2]).sigmoid()",
    "torch.tensor([1, 2]).clamp(min=2)", "torch.tensor([1., 2.]).softmax(0)",
]


@pytest.mark.parametrize("expr", PROMOTIONS)
def test_promotion_follows_torch(expr):
    got, want = (eval(expr, {"torch": lib}) for lib in (refgrad, torch))
    assert str(got.dtype) == str(want.dtype)
    assert close(got, want)


def test_a_new_elementwise_op_is_one_row(monkeypatch):
    """One ``row(...)`` with its VJP and variants: bound, promoted, recorded, differentiated."""
    monkeypatch.setattr(_row, "ROWS", dict(_row.ROWS))     # the real table stays as it is
    monkeypatch.setattr(_row, "VARIANTS", [])
    monkeypatch.setattr(_variants, "FUNCTIONS", {})
    uses = _row.uses
    _row.row("TestCoshBackward0", ["self"], _via_float64(np.cosh),
             promotion=_row.INT_TO_FLOAT, method="test_cosh", function="test_cosh",
             self=(uses("self"), lambda g, s: g * ((s.self.exp() - (-s.self).exp()) / 2)))
    _variants.bind(_row.VARIANTS)
    try:
        x = refgrad.tensor([0.5, -1.0, 2.0], requires_grad=True)
        y = x.test_cosh()
        assert type(y.grad_fn).__name__ == "TestCoshBackward0"
        y.sum().backward()
        t = torch.tensor([0.5, -1.0, 2.0], requires_grad=True)
        torch.cosh(t).sum().backward()
        assert close(y.detach(), t.detach().cosh()) and close(x.grad, t.grad)
        assert _variants.FUNCTIONS["test_cosh"](refgrad.tensor([1, 2])).dtype is refgrad.float32
        assert arr(refgrad.tensor([0.0]).test_cosh()).tolist() == [1.0]
    finally:
        del refgrad.Tensor.test_cosh


def test_functions_call_the_method_of_their_first_argument():
    x = refgrad.tensor([1.0, 4.0])
    for name in ("exp", "sqrt", "neg", "sum", "t", "clone"):
        assert close(getattr(refgrad, name)(x), getattr(x, name)())
    assert refgrad.add(1, x).grad_fn is None and close(refgrad.add(1, x), x + 1)


def test_a_cast_that_overflows_is_silent_as_in_torch():
    """float32 + a float64 1e300: the operand cast overflows to inf without NumPy's warning."""
    import warnings
    import refgrad
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = refgrad.ones(2) + refgrad.tensor(1e300, dtype=refgrad.float64)
        half = refgrad.tensor([60000.0]).to(refgrad.float16) * 2
        big_int = refgrad.tensor([60000.0]).to(refgrad.float16) + 70000   # an int, too
    assert out.dtype is refgrad.float32 and out.isinf().all().item()
    assert half.isinf().all().item() and big_int.isinf().all().item()
