"""``torch.func`` in refgrad (``refgrad.func``): the "Jacobians, Hessians, hvp, vhp, and more:
composing function transforms" tutorial (``function_programs/jacobians_hessians.py``) runs
unchanged with ``import refgrad as torch`` and prints what torch prints, and the behaviours the
conformance area (``conformance/cases/func.py``) does not reach agree with torch side by side.

The tutorial's benchmarking (``torch.utils.benchmark.Timer`` and the timing comparisons) is
replaced by one call of each timed statement, and a few closing prints show what the tutorial
only asserts. Random inputs are fed identically by ``nn/training_runner.py``. Its Hessians of a
512-input layer by ``jacfwd(jacfwd)`` and ``jacrev(jacrev)`` are loops of hundreds of thousands
of small backward passes in refgrad (vmap is a loop), hence the slow mark.
"""
from __future__ import annotations

import functools
import importlib
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

import refgrad

HERE = Path(__file__).resolve().parent
PROGRAM = HERE / "function_programs" / "jacobians_hessians.py"
SEED = 0

sys.path.insert(0, str(HERE / "nn"))
import training_runner  # noqa: E402


@pytest.mark.slow
def test_jacobians_hessians_tutorial_prints_what_torch_prints():
    torch_printed, refgrad_printed = training_runner.printed_side_by_side([PROGRAM], SEED)
    torch_text, refgrad_text = torch_printed[PROGRAM.name], refgrad_printed[PROGRAM.name]
    assert "Error" not in torch_text, torch_text
    assert "Error" not in refgrad_text, refgrad_text
    assert training_runner.skeleton(refgrad_text) == training_runner.skeleton(torch_text)
    pairs, far = training_runner.far_numbers(torch_text, refgrad_text)
    assert pairs and not far, far


# ------------------------------------------------------------ the namespace


def test_func_is_reachable_as_torch_reaches_it():
    assert importlib.import_module("refgrad.func") is refgrad.func
    assert refgrad.vmap is refgrad.func.vmap
    assert set(refgrad.func.__all__) <= set(torch.func.__all__)
    code = "import refgrad.func as f, sys; print(callable(f.jacrev), 'torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=HERE.parents[1], check=True).stdout
    assert out.split() == ["True", "False"]


# ------------------------------------------------------------ side by side with torch


def _both(make):
    return make(torch), make(refgrad)


def _close(a, b):
    np.testing.assert_allclose(np.asarray(b.detach().numpy()), a.detach().numpy(),
                               rtol=1e-5, atol=1e-6)


def _arrays(*shapes, seed=0):
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(s).astype(np.float32) for s in shapes]


def test_vmap_rows_have_the_bits_of_the_batched_product():
    """vmap is a loop over the batch; the tutorial asserts that vmap(jacrev) and the
    summed-batch jacrev agree to allclose's 1e-5, which near tanh's saturation needs the same
    bits: a row's matrix product alone must equal its row of the batched product."""
    w, b, x = _arrays((33, 31), (33,), (64, 31), seed=3)
    W, B, X = refgrad.tensor(w), refgrad.tensor(b), refgrad.tensor(x)

    def predict(weight, bias, inp):
        return refgrad.nn.functional.linear(inp, weight, bias).tanh()
    rows = refgrad.func.vmap(predict, in_dims=(None, None, 0))(W, B, X)
    assert np.array_equal(rows.numpy(), predict(W, B, X).numpy())


def test_jvp_of_function_closing_over_a_tracked_tensor():
    """Results leave a transform detached unless they depend on what the caller tracks, a
    closed-over tensor included."""
    x, c, v = _arrays((3,), (3,), (3,), seed=2)

    def run(ns):
        tracked = ns.tensor(c, requires_grad=True)
        out, tangent = ns.func.jvp(lambda a: (a * tracked).exp(), (ns.tensor(x),),
                                   (ns.tensor(v),))
        tangent.sum().backward()
        return [out.requires_grad, tangent.requires_grad, tracked.grad]
    t, r = _both(run)
    assert t[:2] == r[:2]
    _close(t[2], r[2])


def test_grad_of_grad_through_a_closure():
    """The inner grad's argument is untracked; the outer one's dependence is a closure."""
    (x,) = _arrays((3,), seed=4)

    def run(ns):
        g = ns.func.grad
        return g(lambda a: g(lambda b: (a * b ** 2).sum())(ns.ones(3)).sum())(ns.tensor(x))
    _close(*_both(run))


def test_jvp_and_jacfwd_take_a_custom_functions_jvp_not_its_backward():
    """jvp and jacfwd are forward mode: a custom Function's ``jvp`` makes their products and
    its ``backward`` is never called (here it refuses), as in torch.func."""
    x, v = _arrays((3,), (3,), seed=5)

    def run(ns):
        class Cube(ns.autograd.Function):
            generate_vmap_rule = True       # torch's jacfwd is a vmap of jvp

            @staticmethod
            def forward(a):
                return a ** 3

            @staticmethod
            def setup_context(ctx, inputs, output):
                ctx.save_for_forward(inputs[0])

            @staticmethod
            def backward(ctx, grad):
                raise RuntimeError("forward mode must not call backward")

            @staticmethod
            def jvp(ctx, tangent):
                (a,) = ctx.saved_tensors
                return 3 * a ** 2 * tangent
        out, product = ns.func.jvp(Cube.apply, (ns.tensor(x),), (ns.tensor(v),))
        return [out, product, ns.func.jacfwd(lambda a: Cube.apply(a).sin())(ns.tensor(x))]
    for a, b in zip(*_both(run)):
        _close(a, b)


def test_forward_mode_transforms_nest_with_the_others():
    """jvp and jacfwd on dual leaves compose: forward over reverse (hessian, jvp of grad),
    forward over forward, reverse over forward, and vmap around and inside jvp."""
    x, v, w = _arrays((4,), (4,), (2, 4), seed=6)

    def f(ns, a):
        return (a.sin() * a[[1, 2, 3, 0]]).sum() + (a @ a).tanh()

    def run(ns):
        fn, X, V, W = ns.func, ns.tensor(x), ns.tensor(v), ns.tensor(w)
        g = functools.partial(f, ns)
        return [fn.hessian(g)(X), fn.jacfwd(fn.jacfwd(g))(X), fn.jacrev(fn.jacfwd(g))(X),
                fn.jvp(fn.grad(g), (X,), (V,))[1],
                fn.grad(lambda a: fn.jvp(g, (a,), (V,))[1])(X),
                fn.vmap(lambda t: fn.jvp(fn.grad(g), (X,), (t,))[1])(W),
                fn.jvp(fn.vmap(fn.grad(g)), (W,), (W * 2,))[1]]
    for a, b in zip(*_both(run)):
        _close(a, b)
