"""Grad mode: no_grad, enable_grad, set_grad_enabled, inference_mode; decorators, nesting,
exceptions and threads."""
from __future__ import annotations

import threading

import pytest

from conftest import LIBS, outcome


def flags(t):
    return (t.requires_grad, t.is_leaf, t.grad_fn is None)


def test_no_grad_results_and_factories(lib):
    a = lib.ones(3, requires_grad=True)
    assert lib.is_grad_enabled()
    with lib.no_grad():
        assert not lib.is_grad_enabled()
        y = a * 2
        c = lib.ones(3, requires_grad=True)
        e = a.detach().requires_grad_()
        v = a[:2]
        s = a.sum()
    assert flags(y) == (False, True, True)
    assert flags(c) == (True, True, True) and flags(e) == (True, True, True)
    assert flags(v) == (True, True, True)
    assert not s.requires_grad and lib.is_grad_enabled()
    z = y * a
    assert z.grad_fn.next_functions[0][0] is None
    assert type(z.grad_fn.next_functions[1][0]).__name__ == "AccumulateGrad"


def test_decorators_with_and_without_parentheses(lib):
    a = lib.ones(2, requires_grad=True)

    @lib.no_grad()
    def f1(x):
        return x * 2

    @lib.no_grad
    def f2(x):
        return x * 2

    @lib.enable_grad()
    def g1(x):
        return x * 2

    @lib.inference_mode()
    def h1(x):
        return x * 2

    @lib.inference_mode
    def h2(x):
        return x * 2

    assert [f(a).requires_grad for f in (f1, f2, g1, h1, h2)] == [False, False, True, False,
                                                                  False]
    with lib.no_grad():
        assert g1(a).requires_grad
    assert (f1.__name__, f2.__name__) == ("f1", "f2")

    def gen():
        yield a * 2
        yield a * 3
    assert [t.requires_grad for t in lib.no_grad()(gen)()] == [False, False]


def test_nesting_and_set_grad_enabled(lib):
    a = lib.ones(2, requires_grad=True)
    with lib.no_grad():
        with lib.enable_grad():
            y1 = a * 2
        y2 = a * 2
        with lib.set_grad_enabled(True):
            y3 = a * 2
    assert (y1.requires_grad, y2.requires_grad, y3.requires_grad) == (True, False, True)
    with lib.set_grad_enabled(False):
        assert not (a * 2).requires_grad
    assert lib.is_grad_enabled()
    r = lib.set_grad_enabled(False)
    try:
        assert not lib.is_grad_enabled() and type(r).__name__ == "set_grad_enabled"
        assert not (a * 2).requires_grad
    finally:
        lib.set_grad_enabled(True)
    with lib.no_grad():
        lib.set_grad_enabled(True)
        assert lib.is_grad_enabled()
    assert lib.is_grad_enabled()

    @lib.set_grad_enabled(False)
    def f(x):
        return x * 2
    assert lib.is_grad_enabled() and not f(a).requires_grad and lib.is_grad_enabled()


def test_set_grad_enabled_type_error():
    kinds = {name: outcome(lambda: lib.set_grad_enabled("yes")) for name, lib in LIBS.items()}
    assert kinds["refgrad"] == kinds["torch"]


def test_exception_restores_mode(lib):
    with pytest.raises(ValueError):
        with lib.no_grad():
            raise ValueError("boom")
    assert lib.is_grad_enabled()
    with pytest.raises(ValueError):
        with lib.inference_mode():
            raise ValueError("boom")
    assert lib.is_grad_enabled() and not lib.is_inference_mode_enabled()


def test_inplace_update_of_leaf_under_no_grad(lib):
    w = lib.tensor([1.0, 2.0], requires_grad=True)
    (w * 3).sum().backward()
    with lib.no_grad():
        w -= 0.1 * w.grad
    assert w.tolist() == pytest.approx([0.7, 1.7]) and w.is_leaf and w._version == 1
    with lib.no_grad():
        w.sub_(0.1 * w.grad)
    w.grad.zero_()
    (w * w).sum().backward()
    assert w.grad.tolist() == pytest.approx([0.8, 2.8])


def test_view_made_in_no_grad_then_modified_with_grad(lib):
    a = lib.ones(3, requires_grad=True)
    b = a * 1
    with lib.no_grad():
        v = b[:2]
    assert v.requires_grad and v.grad_fn is None
    kind, message = outcome(lambda: v.mul_(2))
    assert kind == "RuntimeError" and message.startswith("A view was created in no_grad mode")
    with lib.no_grad():
        v2 = b[:2]
        v2.mul_(2)
    assert b.tolist() == [2.0, 2.0, 1.0]


def test_inference_mode(lib):
    a = lib.ones(3, requires_grad=True)
    with lib.inference_mode():
        assert lib.is_inference_mode_enabled() and not lib.is_grad_enabled()
        y = a * 2
        c = lib.ones(3, requires_grad=True)
        n = lib.ones(3)
    assert not y.requires_grad and y.is_inference() and not a.is_inference()
    assert c.requires_grad and c.is_inference()
    errors = [outcome(lambda: (y * a).sum().backward()), outcome(lambda: y.add_(1)),
              outcome(lambda: n.requires_grad_())]
    assert [e[0] for e in errors] == ["RuntimeError"] * 3
    assert errors[0][1].startswith("Inference tensors cannot be saved for backward.")
    assert errors[1][1].startswith("Inplace update to inference tensor outside InferenceMode")
    assert errors[2][1] == ("Setting requires_grad=True on inference tensor outside "
                            "InferenceMode is not allowed.")
    assert not (n + 1).is_inference() and not n.clone().is_inference()
    (n.clone() * a).sum().backward()
    assert a.grad.tolist() == [1.0, 1.0, 1.0]
    with lib.inference_mode(False):
        assert not lib.is_inference_mode_enabled() and lib.is_grad_enabled()
    with lib.no_grad():
        assert not lib.ones(2).is_inference()


def test_grad_mode_is_thread_local(lib):
    a = lib.ones(2, requires_grad=True)
    seen = {}

    def worker(tag):
        seen[tag] = (lib.is_grad_enabled(), (a * 2).requires_grad)

    with lib.no_grad():
        t = threading.Thread(target=worker, args=("spawned-inside-no_grad",))
        t.start()
        t.join()
        worker("main-inside-no_grad")
    lib.set_grad_enabled(False)
    try:
        t = threading.Thread(target=worker, args=("spawned-after-global-false",))
        t.start()
        t.join()
    finally:
        lib.set_grad_enabled(True)

    def disabler():
        lib.set_grad_enabled(False)
        worker("thread-own-false")
    t = threading.Thread(target=disabler)
    t.start()
    t.join()
    worker("main-after")
    assert seen == {"spawned-inside-no_grad": (True, True), "main-inside-no_grad": (False, False),
                    "spawned-after-global-false": (True, True),
                    "thread-own-false": (False, False), "main-after": (True, True)}
