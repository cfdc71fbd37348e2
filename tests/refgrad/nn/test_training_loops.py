"""Beginner training loops, written as the public tutorials write them, run unchanged with
``import refgrad as torch`` and print what torch prints.

The programs (``programs/``): ``linear_regression.py`` (nn.Linear + MSELoss + SGD, after the
well-known pytorch-tutorial), ``two_layer_net_autograd.py`` (tensors and autograd, a manual
update under no_grad) and ``two_layer_net_optim.py`` (nn.Sequential + Adam), both from
"Learning PyTorch with Examples", and ``mlp_classifier.py`` (an nn.Module MLP trained with SGD momentum and then Adam
in the "Learn the Basics" loop, CrossEntropyLoss, train/eval, accuracy).

Inputs and initial weights are fed identically (``training_runner.py``). refgrad runs in a
fresh interpreter that never loads torch; torch runs in this process with the same seeded
sources patched in for the test's duration. The printed text must be identical once numbers
are set aside, and every number must agree at the printed precision: the same text, or within
a relative 1e-3 (absolute 1e-6 for losses trained down to nothing). Matmuls and sums round
differently from torch's kernels, so the last printed digit of a long run may differ; how many
numbers print identically is reported.
"""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
PROGRAMS = sorted((HERE / "programs").glob("*.py"))
SEED = 0

sys.path.insert(0, str(HERE))
import training_runner  # noqa: E402


@pytest.fixture(scope="module")
def printed():
    return training_runner.printed_side_by_side(PROGRAMS, SEED)


def test_the_programs_are_there():
    assert {p.name for p in PROGRAMS} == {
        "linear_regression.py", "two_layer_net_autograd.py", "two_layer_net_optim.py",
        "mlp_classifier.py"}


@pytest.mark.parametrize("program", [p.name for p in PROGRAMS])
def test_refgrad_prints_what_torch_prints(printed, program):
    expected, actual = printed[0][program], printed[1][program]
    assert "!!" not in expected, expected
    assert training_runner.skeleton(actual) == training_runner.skeleton(expected), \
        f"torch:\n{expected}\nrefgrad:\n{actual}"
    pairs, far = training_runner.far_numbers(expected, actual)
    assert pairs
    assert not far, f"numbers beyond the printed precision (torch, refgrad): {far}"
    identical = sum(e == a for e, a in pairs)
    print(f"{program}: {identical}/{len(pairs)} printed numbers identical")


def test_the_comparison_notices_a_different_number():
    far_numbers, skeleton = training_runner.far_numbers, training_runner.skeleton
    assert far_numbers("0.2006 1.03616", "0.2006 1.03623") == (
        [("0.2006", "0.2006"), ("1.03616", "1.03623")], [])
    assert far_numbers("0.2006", "0.2106")[1] == [("0.2006", "0.2106")]
    assert skeleton("Epoch [5/60], Loss: 1.9870") == skeleton("Epoch [5/60], Loss: 2.0")
    assert skeleton("Loss: 1.9870") != skeleton("Loss 1.9870")
