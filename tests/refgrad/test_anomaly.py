"""Anomaly mode in refgrad: nothing recorded and the plain engine path while it is off; the
forward stack a node keeps while it is on (the caller's frames, none of refgrad's); the
warnings and errors of a failing backward as torch gives them."""
from __future__ import annotations

import warnings

import pytest
import torch

import refgrad
from refgrad.autograd import anomaly_mode, engine


@pytest.fixture(autouse=True)
def _anomaly_off_afterwards():
    yield
    refgrad.set_anomaly_enabled(False)


def test_off_nodes_keep_no_stack_and_the_engine_skips_the_checks(monkeypatch):
    def never(*args):
        raise AssertionError("run_checked called with anomaly mode off")
    monkeypatch.setattr(engine, "run_checked", never)
    x = refgrad.tensor([-1.0, 4.0], requires_grad=True)
    y = x.sqrt()
    assert "_forward_stack" not in y.grad_fn.__dict__ and y.grad_fn._forward_stack is None
    y.sum().backward()                              # NaN passes silently
    assert x.grad.isnan().tolist() == [True, False]


def test_on_the_stack_ends_at_the_callers_line_without_refgrads_frames():
    x = refgrad.tensor([1.0], requires_grad=True)
    with refgrad.autograd.set_detect_anomaly(True):
        y = x.exp()  # the forward line
    stack = y.grad_fn._forward_stack
    assert "y = x.exp()  # the forward line" in stack[-1]
    assert not any(anomaly_mode._REFGRAD_DIR in line for line in stack)


def _seen(module, make):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            make(module)
            error = None
        except Exception as exc:        # the type and text are what is compared
            error = (type(exc).__name__, str(exc))
    return error, [(w.category.__name__, str(w.message).split("\n")[0]) for w in caught]


def _zero_over_zero(m):
    d = m.tensor([0.0, 1.0], requires_grad=True)
    return d / d


@pytest.mark.parametrize("make", [
    lambda m: _in_anomaly(m, lambda: _zero_over_zero(m)),
    lambda m: _in_anomaly(m, lambda: m.tensor([-1.0], requires_grad=True).sqrt()),
    lambda m: _in_anomaly(m, lambda: m.tensor([1.0], requires_grad=True).exp().mul_(2)),
], ids=["nan in div", "nan in sqrt", "in-place on a saved result"])
def test_failing_backward_warns_and_raises_as_torch(make):
    error, seen = _seen(torch, make)
    assert error is not None and seen[-1][1].startswith("Error detected in ")
    assert _seen(refgrad, make) == (error, seen)


def _in_anomaly(module, forward):
    with module.autograd.detect_anomaly():
        forward().sum().backward()
