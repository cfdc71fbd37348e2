"""``torch.autograd.Function`` in refgrad: the custom-Function tutorial programs run unchanged
with ``import refgrad as torch`` and print what torch prints, and the ctx, node and error
behaviours agree with torch's side by side.

The programs (``function_programs/``): ``polynomial_custom_function.py`` (the Legendre
polynomial ``LegendrePolynomial3``), ``two_layer_net_custom_relu.py`` (a two-layer net with a
custom ReLU), both from "Learning PyTorch with Examples", and ``custom_double_backward.py``
(the "Double Backward with Custom Functions" tutorial, gradcheck and gradgradcheck results
printed), ``saved_tensors_hooks.py`` (the steps of the "Hooks for autograd saved tensors"
tutorial: saved attributes, pack/unpack hooks, save_on_cpu, hooks saving to a temporary
folder) and ``forward_ad_usage.py`` (the "Forward-mode Automatic Differentiation (Beta)"
tutorial without its torch.func sections, the tangents printed). Random inputs are fed
identically by ``nn/training_runner.py``; refgrad runs in a fresh interpreter that never loads torch. The printed text must be identical once numbers and
addresses are set aside, and each number must agree within a relative 1e-3.
"""
from __future__ import annotations

import re
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest
import torch

import refgrad
from conftest import error_of

HERE = Path(__file__).resolve().parent
# the custom-Function programs; jacobians_hessians.py (torch.func) runs in test_func.py
PROGRAMS = sorted(p for p in (HERE / "function_programs").glob("*.py")
                  if p.name != "jacobians_hessians.py")
SEED = 0
ADDRESS = re.compile(r"0x[0-9a-fA-F]+")

sys.path.insert(0, str(HERE / "nn"))
import training_runner  # noqa: E402


@pytest.fixture(scope="module")
def printed():
    return training_runner.printed_side_by_side(PROGRAMS, SEED)


def test_the_programs_are_there():
    assert {p.name for p in PROGRAMS} == {"polynomial_custom_function.py", "forward_ad_usage.py",
                                          "two_layer_net_custom_relu.py",
                                          "custom_double_backward.py",
                                          "saved_tensors_hooks.py"}


@pytest.mark.parametrize("program", [p.name for p in PROGRAMS])
def test_refgrad_prints_what_torch_prints(printed, program):
    torch_text, refgrad_text = printed[0][program], printed[1][program]
    assert "Traceback" not in refgrad_text and "Error" not in refgrad_text, refgrad_text
    assert training_runner.skeleton(refgrad_text) == training_runner.skeleton(torch_text)
    pairs, far = training_runner.far_numbers(torch_text, refgrad_text)
    assert pairs and not far, far       # same skeleton: the same count of numbers


# ------------------------------------------------------------ side by side with torch

def _both(make):
    """``make(module)`` on torch and on refgrad."""
    return make(torch), make(refgrad)


def _relu(module):
    class MyReLU(module.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x.clamp(min=0)

        @staticmethod
        def backward(ctx, grad_output):
            x, = ctx.saved_tensors
            return grad_output * (x > 0)
    return MyReLU


def test_node_name_repr_and_next_functions():
    def run(module):
        x = module.tensor([-1.0, 2.0], requires_grad=True)
        y = _relu(module).apply(x * 1)
        fn = y.grad_fn
        return (type(fn).__name__, fn.name(), ADDRESS.sub("", repr(fn)), repr(y),
                [(type(n).__name__, nr) for n, nr in fn.next_functions])
    assert run(refgrad) == run(torch)


def test_second_backward_and_in_place_errors_are_torchs():
    def twice(module):
        y = _relu(module).apply(module.tensor([-1.0, 2.0], requires_grad=True))
        y.sum().backward()
        return error_of(lambda: y.sum().backward()), error_of(lambda: y.grad_fn.saved_tensors)

    def modified(module):
        z = module.tensor([-1.0, 2.0], requires_grad=True) * 2
        y = _relu(module).apply(z)
        with module.no_grad():
            z.mul_(3)
        return error_of(lambda: y.sum().backward())
    assert twice(refgrad) == twice(torch)
    assert modified(refgrad) == modified(torch)


@pytest.mark.parametrize("returned", ["too few", "too many", "wrong shape", "not a tensor",
                                      "for a non-tensor"])
def test_errors_for_what_backward_returns(returned):
    def run(module):
        class Returns(module.autograd.Function):
            @staticmethod
            def forward(ctx, x, k):
                return x * k

            @staticmethod
            def backward(ctx, g):
                return {"too few": g, "too many": (g, g, g), "wrong shape": (g.sum(), None),
                        "not a tensor": (1, None), "for a non-tensor": (g, g)}[returned]
        x = module.tensor([1.0, 2.0], requires_grad=True)
        return error_of(lambda: Returns.apply(x, 2.0).sum().backward())
    assert run(refgrad) == run(torch)


def test_several_outputs_route_each_gradient_to_its_output():
    def run(module):
        class Split(module.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                return x * 2, x * 3

            @staticmethod
            def backward(ctx, g1, g2):
                return g1 * 2 + g2 * 3
        x = module.tensor([1.0, 2.0], requires_grad=True)
        a, b = Split.apply(x * 1)
        nrs = [nr for _, nr in (b * 5).grad_fn.next_functions]
        (a * 5 + b * 7).sum().backward()
        return x.grad.tolist(), nrs, a.grad_fn is b.grad_fn
    assert run(refgrad) == run(torch) == ([31.0, 31.0], [1, 0], True)


def test_multi_output_node_refuses_hooks_clearly():
    class Split(refgrad.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2, x * 3

        @staticmethod
        def backward(ctx, g1, g2):
            return g1 * 2 + g2 * 3
    a, _ = Split.apply(refgrad.tensor([1.0], requires_grad=True))
    with pytest.raises(NotImplementedError, match="several outputs"):
        a.register_hook(lambda g: g)


def test_double_backward_matches_analytic_second_derivative():
    class Cube(refgrad.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x ** 3

        @staticmethod
        def backward(ctx, g):
            x, = ctx.saved_tensors
            return g * 3 * x ** 2
    values = np.array([-1.0, 0.5, 2.0])
    x = refgrad.tensor(values, requires_grad=True)
    g, = refgrad.autograd.grad(Cube.apply(x).sum(), x, create_graph=True)
    gg, = refgrad.autograd.grad(g.sum(), x)
    np.testing.assert_allclose(g.detach().numpy(), 3 * values ** 2)
    np.testing.assert_allclose(gg.numpy(), 6 * values)


def test_instantiating_a_function_warns_like_torch():
    def run(module):
        with warnings.catch_warnings(record=True) as seen:
            warnings.simplefilter("always")
            _relu(module)()
        return [(w.category.__name__, re.sub(r"<class '[^']*'>", "C", str(w.message)))
                for w in seen]
    assert run(refgrad) == run(torch)
