"""refgrad.optim against torch.optim: the parameters after every step from identical
parameters and gradients (float32 and float64), state dicts, param groups, printing, errors."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import refgrad
from conftest import LIBS, arr, outcome

SETTINGS = [
    ("SGD", {"lr": 0.1}),
    ("SGD", {"lr": 0.1, "momentum": 0.9}),
    ("SGD", {"lr": 0.1, "momentum": 0.9, "dampening": 0.2, "weight_decay": 0.05}),
    ("SGD", {"lr": 0.05, "momentum": 0.7, "nesterov": True, "maximize": True}),
    ("Adam", {"lr": 0.01}),
    ("Adam", {"lr": 0.01, "weight_decay": 0.1, "amsgrad": True}),
    ("Adam", {"lr": 0.03, "betas": (0.5, 0.8), "eps": 1e-4, "maximize": True}),
    ("AdamW", {"lr": 0.01}),
    ("AdamW", {"lr": 0.01, "weight_decay": 0.5, "amsgrad": True}),
]
# refgrad rounds a fused multiply-add once through a wider type: float64 holds a float32
# product exactly, so float32 is bit for bit; float64's wider type (the x87 extended one, where
# there is one) rounds the product first, so a few elements may be a unit in the last place off


def _trajectory(lib, name, options, w0, grads):
    p = lib.tensor(w0, requires_grad=True)
    optimizer = getattr(lib.optim, name)([p], **options)
    steps = []
    for g in grads:
        p.grad = lib.tensor(g)
        optimizer.step()
        steps.append(arr(p).copy())
    return np.array(steps), optimizer


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name, options", SETTINGS, ids=[f"{n}-{i}" for i, (n, _) in
                                                         enumerate(SETTINGS)])
def test_every_step_as_torch(name, options, dtype):
    rng = np.random.default_rng(7)
    w0 = rng.standard_normal((4, 5)).astype(dtype)
    grads = rng.standard_normal((25, 4, 5)).astype(dtype)
    ours, _ = _trajectory(refgrad, name, options, w0, grads)
    theirs, _ = _trajectory(torch, name, options, w0, grads)
    assert ours.dtype == theirs.dtype
    if dtype == "float32":
        np.testing.assert_array_equal(ours, theirs)     # PyTorch's numbers, bit for bit
    else:
        np.testing.assert_allclose(ours, theirs, rtol=5e-16, atol=1e-16)
        assert (ours == theirs).mean() > 0.95
    # not vacuous: the parameters moved at every step
    assert (np.diff(theirs, axis=0) != 0).any(axis=(1, 2)).all()


def test_the_step_check_notices_a_wrong_second_moment(monkeypatch):
    rng = np.random.default_rng(1)
    w0, grads = rng.standard_normal((2, 3)), rng.standard_normal((3, 2, 3))
    theirs, _ = _trajectory(torch, "Adam", {"lr": 0.1}, w0, grads)
    original = refgrad.optim.Adam._update

    def without_correction(self, p, group, state):
        group = dict(group, betas=(group["betas"][0], 0.0))   # a wrong second moment
        original(self, p, group, state)

    monkeypatch.setattr(refgrad.optim.Adam, "_update", without_correction)
    ours, _ = _trajectory(refgrad, "Adam", {"lr": 0.1}, w0, grads)
    assert not np.allclose(ours, theirs, rtol=1e-3)


@pytest.mark.parametrize("name, options", [SETTINGS[1], SETTINGS[5]], ids=["SGD", "Adam"])
def test_state_dict_as_torch(name, options):
    rng = np.random.default_rng(3)
    w0, grads = rng.standard_normal((2, 3)).astype("float32"), \
        rng.standard_normal((2, 2, 3)).astype("float32")
    _, ours = _trajectory(refgrad, name, options, w0, grads)
    _, theirs = _trajectory(torch, name, options, w0, grads)
    a, b = ours.state_dict(), theirs.state_dict()
    assert a["param_groups"] == b["param_groups"]
    assert list(a["state"]) == list(b["state"]) == [0]
    for key, value in b["state"][0].items():
        assert str(a["state"][0][key].dtype) == str(value.dtype), key
        np.testing.assert_allclose(arr(a["state"][0][key]), arr(value), rtol=2e-6, atol=1e-7)
    # a fresh optimizer takes the state over and continues as the first would
    p = refgrad.tensor(w0, requires_grad=True)
    resumed = getattr(refgrad.optim, name)([p], **options)
    resumed.load_state_dict(a)
    assert resumed.state[p].keys() == ours.state[ours.param_groups[0]["params"][0]].keys()


def test_param_groups_zero_grad_closure_and_repr():
    def run(lib):
        a = lib.ones(2, requires_grad=True)
        b = lib.ones(2, requires_grad=True)
        optimizer = lib.optim.SGD([{"params": [a]}, {"params": b, "lr": 0.5}], lr=0.1,
                                  momentum=0.5)

        def closure():
            optimizer.zero_grad()
            loss = (a * a + b * 3).sum()
            loss.backward()
            return loss

        losses = [optimizer.step(closure).item() for _ in range(3)]
        optimizer.zero_grad()
        return (losses, arr(a).tolist(), arr(b).tolist(), a.grad, repr(optimizer),
                [repr(getattr(lib.optim, n)([a])) for n in ("SGD", "Adam", "AdamW")])
    ours, theirs = run(refgrad), run(torch)
    np.testing.assert_allclose(ours[0] + ours[1] + ours[2], theirs[0] + theirs[1] + theirs[2],
                               rtol=1e-6)
    assert ours[3] is None and theirs[3] is None
    assert ours[4:] == theirs[4:]


def test_errors_as_torch():
    def errors(lib):
        p = lib.zeros(2, requires_grad=True)
        optim = lib.optim
        return [outcome(lambda: optim.SGD(p, lr=0.1)), outcome(lambda: optim.SGD([], lr=0.1)),
                outcome(lambda: optim.SGD([p], lr=-1)),
                outcome(lambda: optim.SGD([p], momentum=-1)),
                outcome(lambda: optim.SGD([p], weight_decay=-1)),
                outcome(lambda: optim.SGD([p], nesterov=True)),
                outcome(lambda: optim.Adam([p], lr=-0.1)),
                outcome(lambda: optim.Adam([p], eps=-1)),
                outcome(lambda: optim.Adam([p], betas=(0.9, 1.0))),
                outcome(lambda: optim.AdamW([p], weight_decay=-0.1)),
                outcome(lambda: optim.SGD([p * 2])),
                outcome(lambda: optim.SGD([{"params": {p}}])),
                outcome(lambda: optim.SGD([p]).load_state_dict(
                    {"state": {}, "param_groups": [{"params": [0, 1]}]}))]
    assert errors(refgrad) == errors(torch)


@pytest.mark.parametrize("name", ["refgrad", "torch"])
def test_step_bumps_the_version_and_records_no_graph(name):
    lib = LIBS[name]
    p = lib.ones(3, requires_grad=True)
    (p * 2).sum().backward()
    version = p._version
    lib.optim.Adam([p]).step()
    assert p._version > version and p.grad_fn is None and p.is_leaf
