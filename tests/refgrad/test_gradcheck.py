"""refgrad.autograd.gradcheck: verdicts and messages as torch.autograd.gradcheck gives them.

Every test runs on both backends (see ``autograd_backends``): refgrad, and real torch behind
refgrad's gradcheck code. The reference is always ``torch.autograd.gradcheck`` on torch
tensors holding the same values.
"""

from __future__ import annotations

import importlib
import inspect
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest
import torch
from torch.autograd.gradcheck import GradcheckError as TorchGradcheckError

sys.path.insert(0, str(Path(__file__).resolve().parent))
from autograd_backends import BACKENDS, make, use_backend  # noqa: E402

# the module itself (``refgrad.autograd.gradcheck`` as an attribute is the function)
gradcheck_module = importlib.import_module("refgrad.autograd.gradcheck")
GradcheckError = gradcheck_module.GradcheckError


@pytest.fixture(params=BACKENDS)
def ns(request, monkeypatch):
    return use_backend(monkeypatch, gradcheck_module, request.param)


def values(*shapes, seed=0, low=-1.0, high=1.0):
    rng = np.random.default_rng(seed)
    return [rng.uniform(low, high, shape).astype(np.float64) for shape in shapes]


def inputs_for(ns, arrays, requires_grad=True):
    return tuple(make(ns, a, requires_grad) for a in arrays)


def torch_message(func_of_ns, arrays, **kwargs) -> str:
    with pytest.raises(TorchGradcheckError) as info:
        torch.autograd.gradcheck(func_of_ns(torch), inputs_for(torch, arrays), **kwargs)
    return str(info.value)


# functions written against the torch-like namespace, so each runs on both backends
CORRECT = {
    "exp_of_product": (lambda ns: lambda a, b: (a * b).exp().sum(0), [(3, 2), (2,)]),
    "matmul_tanh": (lambda ns: lambda a, b: ns.matmul(a, b).tanh(), [(3, 4), (4, 2)]),
    "two_outputs": (lambda ns: lambda a, b: (a.sin() * b, (a - b).pow(2).sum()),
                    [(2, 3), (3,)]),
    "broadcast_div": (lambda ns: lambda a, b: a / (b * b + 1.0), [(4, 1), (3,)]),
}

# wrong analytical derivatives built from public ops: a detached factor hides a term
PLANTED = {
    # d(a * a.detach())/da is 2a numerically, a analytically
    "detached_square": (lambda ns: lambda a: a * a.detach(), [(3,)], 0, 0),
    # output 1 wrt input 1: numerically a + 1, analytically 1
    "second_output": (lambda ns: lambda a, b: (a * 2.0, a * b.detach() + b), [(2,), (2,)],
                      1, 1),
}


def test_signatures_are_torchs():
    for name in ("gradcheck", "gradgradcheck"):
        mine = inspect.signature(getattr(gradcheck_module, name)).parameters
        theirs = inspect.signature(getattr(torch.autograd, name)).parameters
        assert list(mine) == list(theirs)
        for param_name, param in theirs.items():
            assert mine[param_name].default == param.default, param_name
            assert mine[param_name].kind == param.kind, param_name


def test_error_class_is_a_runtime_error():
    assert issubclass(GradcheckError, RuntimeError)


@pytest.mark.parametrize("fast_mode", [False, True], ids=["slow", "fast"])
@pytest.mark.parametrize("name", sorted(CORRECT))
def test_correct_gradients_pass(ns, name, fast_mode):
    make_func, shapes = CORRECT[name]
    arrays = values(*shapes)
    assert torch.autograd.gradcheck(make_func(torch), inputs_for(torch, arrays),
                                    fast_mode=fast_mode)
    assert gradcheck_module.gradcheck(make_func(ns), inputs_for(ns, arrays),
                                      fast_mode=fast_mode) is True


def test_non_tensor_arguments_pass_through(ns):
    (a,) = values((3,))
    func = lambda x, scale, name: x.sigmoid() * scale  # noqa: E731
    assert gradcheck_module.gradcheck(func, (make(ns, a, True), 2.5, "label"))


def test_inputs_not_requiring_grad_are_not_perturbed(ns):
    a, b = values((3,), (3,))
    seen = []

    def func(x, y):
        seen.append(y.detach().numpy().copy())
        return x * y

    assert gradcheck_module.gradcheck(func, (make(ns, a, True), make(ns, b, False)))
    assert all(np.array_equal(s, b) for s in seen)
    assert len(seen) > 2 * a.size  # every perturbation called func


@pytest.mark.parametrize("name", sorted(PLANTED))
def test_planted_wrong_derivative_fails_with_torchs_message(ns, name):
    make_func, shapes, out_idx, in_idx = PLANTED[name]
    arrays = values(*shapes)
    with pytest.raises(GradcheckError) as info:
        gradcheck_module.gradcheck(make_func(ns), inputs_for(ns, arrays))
    message = str(info.value)
    assert message.startswith(
        f"Jacobian mismatch for output {out_idx} with respect to input {in_idx},\nnumerical:")
    assert message == torch_message(make_func, arrays)


@pytest.mark.parametrize("name", sorted(PLANTED))
def test_planted_wrong_derivative_returns_false_without_raising(ns, name):
    make_func, shapes, _, _ = PLANTED[name]
    assert gradcheck_module.gradcheck(make_func(ns), inputs_for(ns, values(*shapes)),
                                      raise_exception=False) is False


@pytest.mark.parametrize("name", sorted(PLANTED))
def test_planted_wrong_derivative_fails_in_fast_mode(ns, name):
    make_func, shapes, out_idx, in_idx = PLANTED[name]
    with pytest.raises(GradcheckError) as info:
        gradcheck_module.gradcheck(make_func(ns), inputs_for(ns, values(*shapes)),
                                   fast_mode=True)
    message = str(info.value)
    assert message.startswith(
        f"Jacobian mismatch for output {out_idx} with respect to input {in_idx},\n")
    assert "computed \nin fast mode" in message
    assert "The max per-element difference (slow mode) is:" in message


def test_small_relative_error_passes_within_rtol_and_fails_below(ns):
    # a * (1 + 1e-4 * a.detach()) has derivative 1 + 2e-4 a, analytical 1 + 1e-4 a
    (a,) = values((4,), low=0.5, high=1.0)
    func = lambda x: x * (1.0 + 1e-4 * x.detach())  # noqa: E731
    assert gradcheck_module.gradcheck(func, inputs_for(ns, [a]))
    assert not gradcheck_module.gradcheck(func, inputs_for(ns, [a]), rtol=1e-6, atol=1e-8,
                                          raise_exception=False)


def test_float32_input_warns_like_torch(ns):
    a = np.linspace(-1, 1, 3).astype(np.float32)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        gradcheck_module.gradcheck(lambda x: x * 2.0, (make(ns, a, True),), eps=1e-3,
                                   atol=1e-3)
    messages = [str(w.message) for w in caught if issubclass(w.category, UserWarning)]
    assert messages == [
        "Input #0 requires gradient and is not a double precision floating point or "
        "complex. This check will likely fail if all the inputs are not of double "
        "precision floating point or complex. "
    ]
    assert caught[0].filename == __file__  # attributed to the caller


def test_no_input_requiring_grad_is_a_value_error(ns):
    (a,) = values((2,))
    with pytest.raises(ValueError, match="gradcheck expects at least one input tensor to "
                       "require gradient, but none of them have requires_grad=True."):
        gradcheck_module.gradcheck(lambda x: x * 2.0, (make(ns, a, False),))


def test_non_reentrant_backward_is_reported_and_tolerated_by_nondet_tol(ns):
    (a,) = values((3,))
    rng = np.random.default_rng(1)

    def noisy(x):
        y = x * 3.0
        # a relative jitter: zero cotangents stay zero
        y.register_hook(lambda g: g * make(ns, 1 + rng.normal(0, 1e-9, tuple(g.shape))))
        return y

    with pytest.raises(GradcheckError, match="Backward is not reentrant"):
        gradcheck_module.gradcheck(noisy, inputs_for(ns, [a]))
    assert gradcheck_module.gradcheck(noisy, inputs_for(ns, [a]), nondet_tol=1e-6)


def test_backward_that_ignores_a_zero_grad_output_is_caught(ns):
    (a,) = values((3,))

    def bumps_zero_grads(x):
        y = x * 3.0
        # right for every one-hot cotangent, wrong (non-zero) for an all-zero one
        y.register_hook(lambda g: g + 1.0 if float(g.abs().sum()) == 0 else g)
        return y

    with pytest.raises(GradcheckError, match="backward not multiplied by grad_output"):
        gradcheck_module.gradcheck(bumps_zero_grads, inputs_for(ns, [a]))


def test_no_differentiable_output_needs_zero_numerical_gradient(ns):
    (a,) = values((3,))
    assert gradcheck_module.gradcheck(lambda x: x.detach() * 0.0, inputs_for(ns, [a]))
    with pytest.raises(GradcheckError,
                       match="Numerical gradient for function expected to be zero"):
        gradcheck_module.gradcheck(lambda x: x.detach() * 2.0, inputs_for(ns, [a]))


def test_unsupported_modes_are_refused_clearly(ns):
    (a,) = values((2,))
    inputs = inputs_for(ns, [a])
    with pytest.raises(NotImplementedError, match="check_batched_forward_grad=True"):
        gradcheck_module.gradcheck(lambda x: x * 2.0, inputs, check_forward_ad=True,
                                   check_batched_forward_grad=True)
    with pytest.raises(AssertionError, match="Expected at least one of check_forward_ad or "
                       "check_backward_ad to be True"):
        gradcheck_module.gradcheck(lambda x: x * 2.0, inputs, check_backward_ad=False)


def test_forward_ad_check_passes_and_catches_a_wrong_jvp(ns):
    a, b = values((3,), (2, 3))
    inputs = inputs_for(ns, [a, b])
    assert gradcheck_module.gradcheck(lambda x, y: (x.sin() * y).sum(0), inputs,
                                      check_forward_ad=True)
    assert gradcheck_module.gradcheck(lambda x, y: x.exp() + y, inputs, check_forward_ad=True,
                                      check_backward_ad=False, check_undefined_grad=False)

    class WrongJvp(ns.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x.exp()

        @staticmethod
        def jvp(ctx, t):
            return t * 2

    with pytest.raises(GradcheckError, match="Jacobian computed with forward mode mismatch "
                       "for output 0 with respect to input 0"):
        gradcheck_module.gradcheck(WrongJvp.apply, inputs_for(ns, [a]), check_forward_ad=True,
                                   check_backward_ad=False, check_undefined_grad=False)


def test_gradgradcheck_forward_over_reverse(ns):
    (a,) = values((3,))
    inputs = inputs_for(ns, [a])
    assert gradcheck_module.gradgradcheck(lambda x: (x.tanh() * x.sin()).softmax(0), inputs,
                                          check_fwd_over_rev=True)
    assert gradcheck_module.gradgradcheck(lambda x: (x.exp() * x).sum(), inputs,
                                          check_fwd_over_rev=True, check_rev_over_rev=False,
                                          check_undefined_grad=False)


def test_gradgradcheck_passes_on_smooth_functions(ns):
    a, b = values((3,), (3,))
    func = lambda x, y: (x.pow(3) * y).sin()  # noqa: E731
    assert torch.autograd.gradgradcheck(func, inputs_for(torch, [a, b]))
    assert gradcheck_module.gradgradcheck(func, inputs_for(ns, [a, b]))


def test_reachable_where_torch_code_looks_for_it():
    import refgrad

    assert refgrad.autograd.gradcheck is gradcheck_module.gradcheck
    assert refgrad.autograd.gradgradcheck is gradcheck_module.gradgradcheck
    assert GradcheckError.__module__ == "refgrad.autograd.gradcheck"
    assert refgrad.autograd.functional.jacobian.__module__ == "refgrad.autograd.functional"


def test_gradgradcheck_through_a_zero_tensor_gradient(ns):
    """The second derivative of abs comes back as torch's ZeroTensor (no numpy()): read anyway."""
    (a,) = values((2, 3), seed=7)
    a = np.where(np.abs(a) < 0.1, 0.5, a)  # away from the kink
    func = lambda x: x.abs()  # noqa: E731
    assert torch.autograd.gradgradcheck(func, inputs_for(torch, [a]))
    assert gradcheck_module.gradgradcheck(func, inputs_for(ns, [a]))
