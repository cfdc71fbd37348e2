"""Planted bugs in refgrad's nn and optim (private copies of refgrad, one function broken):
each makes the nn / optim cases that check the broken behaviour diverge, on the observables
named, and leaves the named neighbours matching; the unplanted copy matches on all of them."""
from __future__ import annotations

import pytest

from tests.planted.test_planted import (REFGRAD_BASE, TARGETS, Planted, _diverging, _ids,
                                        _records)

ADAM_CASES = ("optim::steps_with_given_gradients[*-Adam]",
              "optim::steps_with_given_gradients[*-Adam-decay-amsgrad]",
              "optim::steps_with_given_gradients[*-Adam-betas-maximize]",
              "optim::steps_with_given_gradients[*-AdamW]",
              "optim::steps_with_given_gradients[*-AdamW-amsgrad]")

PLANTED = [
    Planted(
        "refgrad_zero_grad_zeros",
        subset=("nn::zero_grad", "optim::zero_grad", "optim::training_a_linear_model[*]",
                "optim::closure"),
        must_diverge={"nn::zero_grad": {"after zero_grad()"},
                      "optim::zero_grad": {"after zero_grad()"}},
        must_match=("optim::training_a_linear_model[*]", "optim::closure"),
        unchanged={"nn::zero_grad": {"zeroed", "same object"},
                   "optim::zero_grad": {"zeroed", "same object"}},
        base=REFGRAD_BASE,
    ),
    Planted(
        "refgrad_adam_no_bias_correction",
        subset=("optim::steps_with_given_gradients[*]", "optim::training_a_linear_model[*]"),
        must_diverge={**{case: {"p after step 1", "p after step 5"} for case in ADAM_CASES},
                      "optim::training_a_linear_model[Adam]": {"weight", "bias"},
                      "optim::training_a_linear_model[AdamW]": {"weight", "bias"}},
        must_match=("optim::steps_with_given_gradients[*-SGD*]",
                    "optim::training_a_linear_model[SGD-momentum]"),
        unchanged={case: {"version"} for case in ADAM_CASES},
        base=REFGRAD_BASE,
    ),
    Planted(
        "refgrad_linear_skips_bias",
        subset=("nn::linear_*", "nn::mlp_forward_backward[*]", "nn::activation_modules[*]",
                "optim::training_a_linear_model[*]"),
        must_diverge={"nn::linear_forward_backward[*]": {"bias.grad", "graph(y)"},
                      "nn::mlp_forward_backward[*]": {"0.bias.grad", "2.bias.grad"},
                      "optim::training_a_linear_model[*]": {"bias"}},
        must_match=("nn::linear_without_bias", "nn::activation_modules[*]"),
        unchanged={"nn::linear_forward_backward[*]": {"y", "x.grad", "weight.grad"},
                   "nn::mlp_forward_backward[*]": {"loss", "0.weight.grad"}},
        base=REFGRAD_BASE,
    ),
]


@pytest.mark.parametrize("planted", PLANTED, ids=[p.bug for p in PLANTED])
def test_planted_bug_makes_the_expected_cases_diverge(planted):
    records = _records(f"{TARGETS}.{planted.bug}", planted.subset)
    for pattern, observables in planted.must_diverge.items():
        for case_id in _ids(records, pattern):
            record = records[case_id]
            assert record["status"] == "diverge", (case_id, record["status"], record["reason"])
            missing = observables - _diverging(record)
            assert not missing, f"{case_id}: {sorted(missing)} should diverge, " \
                                f"got {sorted(_diverging(record))}"
    for pattern, observables in planted.unchanged.items():
        for case_id in _ids(records, pattern):
            assert not observables & _diverging(records[case_id]), case_id


@pytest.mark.parametrize("planted", PLANTED, ids=[p.bug for p in PLANTED])
def test_planted_bug_leaves_other_cases_alone(planted):
    records = _records(f"{TARGETS}.{planted.bug}", planted.subset)
    for pattern in planted.must_match:
        for case_id in _ids(records, pattern):
            assert records[case_id]["status"] == "match", (case_id, records[case_id]["reason"])


@pytest.mark.parametrize("planted", PLANTED, ids=[p.bug for p in PLANTED])
def test_unplanted_base_matches_where_the_bug_diverges(planted):
    records = _records(planted.base, planted.subset)
    for pattern in (*planted.must_diverge, *planted.must_match):
        for case_id in _ids(records, pattern):
            assert records[case_id]["status"] == "match", (case_id, records[case_id]["reason"])
