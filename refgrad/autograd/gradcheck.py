"""Finite-difference checks of the analytical gradients: ``gradcheck`` and ``gradgradcheck``.

The check follows PyTorch's (signature, defaults, messages): the numerical Jacobian comes from
central differences ``(f(x + eps) - f(x - eps)) / (2 eps)`` taken one input element at a time,
the analytical Jacobian from one vector-Jacobian product per output element (a one-hot
cotangent through ``autograd.grad``), and the two are compared with ``allclose``:
``|analytical - numerical| <= atol + rtol * |numerical|``. Both Jacobians are laid out as
PyTorch lays them out, ``(input.numel(), output.numel())``.

The arithmetic of the check is done in NumPy on detached copies; the function under test only
ever sees tensors of the torch-like namespace (refgrad by default), built afresh for every
perturbation, so the check never writes into the caller's tensors.
"""

from __future__ import annotations

import importlib
import warnings
from typing import Any, Callable

import numpy as np

__all__ = ["gradcheck", "gradgradcheck", "GradcheckError"]


class GradcheckError(RuntimeError):
    """Raised by :func:`gradcheck` and :func:`gradgradcheck` when a check fails."""


_FAILED_NONDET_NOTE = """\n
NOTE: If your op relies on non-deterministic operations, this failure might be expected:
call gradcheck/gradgradcheck with `nondet_tol=<tol>` as a keyword argument.
"""

_FAST_FAIL_SLOW_OK_NOTE = (
    "Fast gradcheck failed but element-wise differences are small. This means that the\n"
    "test might've passed in slow_mode! Call gradcheck/gradgradcheck with\n"
    "`fast_mode=False` as a keyword argument."
)

_UNDEFINED_GRAD_NOTE = (
    "Backwards compatibility: New undefined gradient support checking feature is enabled "
    "by default, but it may break existing callers of this function. If this is true for "
    'you, you can call this function with "check_undefined_grad=False" to disable the '
    "feature"
)


def _torch_like():
    """The torch-like namespace whose tensors and ``autograd.grad`` the checks use."""
    # the package that holds this module, whatever name it was loaded under; deferred:
    # that package imports this module while it is itself being initialised
    return importlib.import_module("..", __package__)


# ---------------------------------------------------------------------------------------------
# small helpers


def _as_tuple(x) -> tuple:
    if isinstance(x, tuple):
        return x
    if isinstance(x, list):
        return tuple(x)
    return (x,)


def _is_tensor(ns, x) -> bool:
    return isinstance(x, ns.Tensor)


def _to_numpy(tensor) -> np.ndarray:
    """A private NumPy copy of a tensor's values (never a view of its storage)."""
    values = tensor.detach()
    if getattr(values, "_is_zerotensor", lambda: False)():
        # a gradient that is zero by construction (sgn's) comes as an immutable ZeroTensor,
        # which refuses numpy(); clone() materialises its zeros, as in PyTorch
        values = values.clone()
    return np.array(values.numpy(), copy=True)


def _is_floating(array: np.ndarray) -> bool:
    return array.dtype.kind in "fc"


def _differentiable_outputs(outputs: tuple) -> tuple:
    return tuple(o for o in outputs if o.requires_grad)


def _allclose(analytical: np.ndarray, numerical: np.ndarray, rtol: float, atol: float) -> bool:
    # torch.allclose(analytical, numerical): |a - n| <= atol + rtol * |n|, NaN never close
    common = np.result_type(analytical.dtype, numerical.dtype)
    return bool(np.allclose(analytical.astype(common), numerical.astype(common),
                            rtol=rtol, atol=atol, equal_nan=False))


def _notallclose_message(ns, analytical, numerical, output_idx: int, input_idx: int,
                         mode: str = "") -> str:
    return (
        f"Jacobian {mode}mismatch for output {output_idx:d} with respect to input "
        f"{input_idx:d},\n"
        f"numerical:{ns.tensor(numerical)}\nanalytical:{ns.tensor(analytical)}\n"
    )


def _check_inputs(ns, inputs: tuple) -> None:
    any_requires_grad = False
    for idx, inp in enumerate(inputs):
        if _is_tensor(ns, inp) and inp.requires_grad:
            if inp.dtype not in (ns.float64, getattr(ns, "complex128", ns.float64)):
                warnings.warn(
                    f"Input #{idx} requires gradient and "
                    "is not a double precision floating point or complex. "
                    "This check will likely fail if all the inputs are "
                    "not of double precision floating point or complex. ",
                    stacklevel=4,
                )
            any_requires_grad = True
    if not any_requires_grad:
        raise ValueError(
            "gradcheck expects at least one input tensor to require gradient, "
            "but none of them have requires_grad=True."
        )


def _check_same_dtype_and_shape(out_a, out_b, eps: float, index=None) -> None:
    # perturbing an input must not change what kind of output func returns
    on_index = f"on index {index} " if index is not None else ""
    if out_a.shape != out_b.shape:
        raise AssertionError(
            "Expected `func` to return outputs with the same shape"
            f" when inputs are perturbed {on_index}by {eps}, but got:"
            f" shapes {out_a.shape} and {out_b.shape}."
        )
    if out_a.dtype != out_b.dtype:
        raise AssertionError(
            "Expected `func` to return outputs with the same dtype"
            f" when inputs are perturbed {on_index}by {eps}, but got:"
            f" dtypes {out_a.dtype} and {out_b.dtype}."
        )


# ---------------------------------------------------------------------------------------------
# numerical side


class _Perturber:
    """Calls ``func`` with one input replaced by a perturbed copy of its values."""

    def __init__(self, ns, func: Callable, inputs: tuple):
        self.ns = ns
        self.func = func
        self.inputs = inputs

    def outputs_at(self, input_idx: int, values: np.ndarray) -> tuple[np.ndarray, ...]:
        original = self.inputs[input_idx]
        replaced = self.ns.tensor(values, requires_grad=original.requires_grad)
        args = list(self.inputs)
        args[input_idx] = replaced
        return tuple(_to_numpy(o) for o in _as_tuple(self.func(*args)))

    def central_difference(self, input_idx: int, direction: np.ndarray, eps: float,
                           index=None) -> tuple[np.ndarray, ...]:
        """``(f(x + eps*d) - f(x - eps*d)) / (2 eps)`` for every output, flattened."""
        base = _to_numpy(self.inputs[input_idx])
        # the perturbed values are rounded to the input's dtype, as an in-place write would be
        below = (base - eps * direction).astype(base.dtype)
        above = (base + eps * direction).astype(base.dtype)
        outs_below = self.outputs_at(input_idx, below)
        outs_above = self.outputs_at(input_idx, above)
        columns = []
        for out_below, out_above in zip(outs_below, outs_above):
            _check_same_dtype_and_shape(out_below, out_above, eps, index)
            if _is_floating(out_above):
                column = (out_above - out_below) / (2 * eps)
                columns.append(column.astype(out_above.dtype, copy=False).reshape(-1))
            else:
                columns.append(np.zeros(out_above.size, dtype=np.float64))
        return tuple(columns)


def _numerical_jacobians(ns, func, inputs, func_out, eps) -> list[list[np.ndarray]]:
    """``jac[i][j]``: d output j / d input i (every output, differentiable or not)."""
    perturber = _Perturber(ns, func, inputs)
    out_arrays = [_to_numpy(o) for o in func_out]
    jacobians = []
    for input_idx, inp in enumerate(inputs):
        if not (_is_tensor(ns, inp) and inp.requires_grad):
            continue
        base = _to_numpy(inp)
        per_output = [
            np.zeros((base.size, out.size),
                     dtype=out.dtype if _is_floating(out) else np.float64)
            for out in out_arrays
        ]
        direction = np.zeros(base.shape, dtype=base.dtype)
        for flat_idx in range(base.size):
            direction.reshape(-1)[flat_idx] = 1
            index = tuple(int(i) for i in np.unravel_index(flat_idx, base.shape))
            columns = perturber.central_difference(input_idx, direction, eps, index)
            direction.reshape(-1)[flat_idx] = 0
            for jac, column in zip(per_output, columns):
                jac[flat_idx, :] = column
        jacobians.append(per_output)
    return jacobians


# ---------------------------------------------------------------------------------------------
# analytical side


def _vjp(ns, output, diff_inputs, cotangent: np.ndarray):
    cotangent_tensor = ns.tensor(cotangent.reshape(tuple(output.shape)))
    return ns.autograd.grad(output, diff_inputs, cotangent_tensor,
                            retain_graph=True, allow_unused=True)


def _analytical_jacobian_rows(ns, output, diff_inputs, cotangents) -> list[list]:
    """``rows[i][k]``: the VJP with cotangent k, for differentiable input i (None if unused)."""
    rows: list[list] = [[] for _ in diff_inputs]
    for cotangent in cotangents:
        grads = _vjp(ns, output, diff_inputs, cotangent)
        for i, grad in enumerate(grads):
            rows[i].append(None if grad is None else grad)
    return rows


def _stack_rows(ns, rows, diff_inputs, n_rows):
    """Stack VJP rows into ``(input.numel(), n_rows)`` arrays; report size and dtype faults."""
    jacobians, sizes_ok, dtypes_ok = [], True, True
    for inp, inp_rows in zip(diff_inputs, rows):
        base = _to_numpy(inp)
        jac = np.zeros((base.size, n_rows), dtype=base.dtype)
        for k, grad in enumerate(inp_rows):
            if grad is None:
                continue
            if tuple(grad.shape) != tuple(inp.shape):
                sizes_ok = False
            elif grad.dtype != inp.dtype:
                dtypes_ok = False
            values = _to_numpy(grad).reshape(-1)
            if values.size != base.size:
                raise GradcheckError("Analytical gradient has incorrect size")
            jac[:, k] = values
        jacobians.append(jac)
    return jacobians, sizes_ok, dtypes_ok


def _analytical_jacobians(ns, output, diff_inputs, cotangents, nondet_tol,
                          check_grad_dtypes) -> list[np.ndarray]:
    # computed twice: a backward that is not reentrant gives different values
    first = _analytical_jacobian_rows(ns, output, diff_inputs, cotangents)
    second = _analytical_jacobian_rows(ns, output, diff_inputs, cotangents)
    jacobians, sizes_ok, dtypes_ok = _stack_rows(ns, first, diff_inputs, len(cotangents))
    repeats, _, _ = _stack_rows(ns, second, diff_inputs, len(cotangents))
    reentrant = all(
        a.size == 0 or np.max(np.abs(a - b)) <= nondet_tol for a, b in zip(jacobians, repeats)
    )
    if not dtypes_ok and check_grad_dtypes:
        raise GradcheckError("Gradient has dtype mismatch")
    if not sizes_ok:
        raise GradcheckError("Analytical gradient has incorrect size")
    if not reentrant:
        raise GradcheckError(
            "Backward is not reentrant, i.e., running backward with "
            "same input and grad_output multiple times gives different values, "
            "although analytical gradient matches numerical gradient."
            f"The tolerance for nondeterminism was {nondet_tol}." + _FAILED_NONDET_NOTE
        )
    return jacobians


def _one_hot_cotangents(output) -> list[np.ndarray]:
    dtype = _to_numpy(output).dtype
    numel = int(np.prod(tuple(output.shape), dtype=np.int64))
    basis = np.eye(numel, dtype=dtype)
    return [basis[k] for k in range(numel)]


# ---------------------------------------------------------------------------------------------
# the two modes


def _slow_gradcheck(ns, func, func_out, inputs, outputs, eps, rtol, atol, nondet_tol,
                    check_grad_dtypes) -> None:
    numerical = _numerical_jacobians(ns, func, inputs, func_out, eps)
    if not outputs:
        _check_no_differentiable_outputs(numerical)
        return
    diff_inputs = [x for x in inputs if _is_tensor(ns, x) and x.requires_grad]
    differentiable = [k for k, o in enumerate(func_out) if o.requires_grad]
    for out_idx, (k, output) in enumerate(zip(differentiable, outputs)):
        analytical = _analytical_jacobians(ns, output, diff_inputs, _one_hot_cotangents(output),
                                           nondet_tol, check_grad_dtypes)
        for in_idx, a in enumerate(analytical):
            n = numerical[in_idx][k]
            if not _allclose(a, n, rtol, atol):
                raise GradcheckError(_notallclose_message(ns, a, n, out_idx, in_idx))


def _forward_jacobians(ns, func, inputs, func_out) -> list[list[np.ndarray]]:
    """``jac[i][j]`` like :func:`_numerical_jacobians`, by forward mode: one one-hot tangent
    per element of each input that requires grad, the outputs' tangents as the rows."""
    fwad = ns.autograd.forward_ad
    jacobians = []
    for input_idx, inp in enumerate(inputs):
        if not (_is_tensor(ns, inp) and inp.requires_grad):
            continue
        base = _to_numpy(inp)
        per_output = [np.zeros((base.size, _to_numpy(o).size), dtype=_to_numpy(o).dtype
                               if _is_floating(_to_numpy(o)) else np.float64)
                      for o in func_out]
        for flat_idx in range(base.size):
            direction = np.zeros(base.shape, dtype=base.dtype)
            direction.reshape(-1)[flat_idx] = 1
            with fwad.dual_level():
                args = list(inputs)
                args[input_idx] = fwad.make_dual(inp, ns.tensor(direction))
                outs = _as_tuple(func(*args))
                for jac, out in zip(per_output, outs):
                    tangent = fwad.unpack_dual(out).tangent
                    if tangent is not None:
                        jac[flat_idx, :] = _to_numpy(tangent).reshape(-1)
        jacobians.append(per_output)
    return jacobians


def _check_forward_ad(ns, func, func_out, inputs, eps, rtol, atol) -> None:
    """Forward-mode Jacobians against central differences (PyTorch's check_forward_ad)."""
    numerical = _numerical_jacobians(ns, func, inputs, func_out, eps)
    forward = _forward_jacobians(ns, func, inputs, func_out)
    for in_idx, (n_per_output, a_per_output) in enumerate(zip(numerical, forward)):
        for out_idx, (n, a) in enumerate(zip(n_per_output, a_per_output)):
            if not _allclose(a, n, rtol, atol):
                raise GradcheckError(_notallclose_message(
                    ns, a, n, out_idx, in_idx, "computed with forward mode "))


def _check_no_differentiable_outputs(numerical) -> None:
    # without differentiable outputs the numerical gradient has to be zero
    for per_output in numerical:
        for jac in per_output:
            if np.any(jac != 0):
                raise GradcheckError("Numerical gradient for function expected to be zero")


def _random_unit_vector(rng: np.random.Generator, shape, dtype) -> np.ndarray:
    vec = rng.random(int(np.prod(shape, dtype=np.int64))).astype(dtype)
    norm = np.linalg.norm(vec)
    return (vec / norm if norm > 0 else vec).reshape(shape)


def _fast_gradcheck(ns, func, func_out, inputs, outputs, eps, rtol, atol, nondet_tol,
                    check_grad_dtypes) -> None:
    """Compare ``v^T J u`` (analytical) with ``v^T (J u)`` (finite differences along ``u``)."""
    rng = np.random.default_rng(0)  # own generator: the caller's random state is untouched
    diff_idx = [i for i, x in enumerate(inputs) if _is_tensor(ns, x) and x.requires_grad]
    diff_inputs = [inputs[i] for i in diff_idx]
    all_u = [_random_unit_vector(rng, tuple(x.shape), _to_numpy(x).dtype) for x in diff_inputs]
    all_v = [_random_unit_vector(rng, tuple(o.shape), _to_numpy(o).dtype) for o in outputs]
    perturber = _Perturber(ns, func, inputs)
    differentiable = [k for k, o in enumerate(func_out) if o.requires_grad]

    numerical_ju = [perturber.central_difference(i, u, eps) for i, u in zip(diff_idx, all_u)]
    if not outputs:
        _check_no_differentiable_outputs([[ju.reshape(-1, 1) for ju in per_input]
                                          for per_input in numerical_ju])
        return
    for out_idx, (k, output, v) in enumerate(zip(differentiable, outputs, all_v)):
        vjs = _analytical_jacobians(ns, output, diff_inputs, [v.reshape(-1)], nondet_tol,
                                    check_grad_dtypes)
        for in_idx, (vj, u) in enumerate(zip(vjs, all_u)):
            analytical = np.dot(vj[:, 0], u.reshape(-1))
            numerical = np.dot(v.reshape(-1), numerical_ju[in_idx][k])
            # atol scaled by v^T (all-ones) u, as for an element-wise comparison
            scaled_atol = atol * float(u.sum()) * float(v.sum())
            if not _allclose(np.asarray(analytical), np.asarray(numerical), rtol, scaled_atol):
                message = _notallclose_message(ns, np.asarray(analytical),
                                               np.asarray(numerical), out_idx, in_idx)
                raise GradcheckError(message + _slow_mode_report(
                    ns, func, func_out, inputs, output, k, in_idx, eps, rtol, atol))


def _slow_mode_report(ns, func, func_out, inputs, output, out_pos, in_idx, eps, rtol,
                      atol) -> str:
    diff_inputs = [x for x in inputs if _is_tensor(ns, x) and x.requires_grad]
    numerical = _numerical_jacobians(ns, func, inputs, func_out, eps)[in_idx][out_pos]
    analytical = _analytical_jacobians(ns, output, diff_inputs, _one_hot_cotangents(output),
                                       float("inf"), False)[in_idx]
    max_diff = np.max(np.abs(numerical - analytical)) if numerical.size else 0.0
    message = (
        "\nThe above quantities relating the numerical and analytical jacobians are computed \n"
        "in fast mode. Below, we recompute numerical and analytical jacobians in slow mode:\n\n"
        f"Numerical:\n {ns.tensor(numerical)}\n"
        f"Analytical:\n{ns.tensor(analytical)}\n\n"
        f"The max per-element difference (slow mode) is: {ns.tensor(max_diff)}.\n"
    )
    if _allclose(analytical, numerical, rtol, atol):
        message += _FAST_FAIL_SLOW_OK_NOTE
    return message


# ---------------------------------------------------------------------------------------------
# checks that follow the Jacobian comparison


def _test_backward_mul_by_grad_output(ns, outputs, inputs) -> None:
    """A zero cotangent must give zero gradients of the inputs' dtype and shape."""
    diff_inputs = [x for x in inputs if _is_tensor(ns, x) and x.requires_grad]
    zeros = [ns.tensor(np.zeros(tuple(o.shape), dtype=_to_numpy(o).dtype)) for o in outputs]
    grads = ns.autograd.grad(list(outputs), diff_inputs, zeros, allow_unused=True)
    for grad, inp in zip(grads, diff_inputs):
        if grad is None:
            continue
        if np.any(_to_numpy(grad) != 0):
            raise GradcheckError("backward not multiplied by grad_output")
        if grad.dtype != inp.dtype:
            raise GradcheckError("grad is incorrect type")
        if tuple(grad.shape) != tuple(inp.shape):
            raise GradcheckError("grad is incorrect size")


def _test_zero_output_grads(ns, func, inputs) -> None:
    """Backward on a fresh graph must accept all-zero output gradients and return zeros.

    refgrad has no undefined (None) gradient flowing between nodes: a missing output gradient
    is a zero tensor, so this is the form PyTorch's undefined-gradient check takes here.
    """
    diff_inputs = [x for x in inputs if _is_tensor(ns, x) and x.requires_grad]
    outputs = _differentiable_outputs(_as_tuple(func(*inputs)))
    if not outputs:
        return
    zeros = [ns.tensor(np.zeros(tuple(o.shape), dtype=_to_numpy(o).dtype)) for o in outputs]
    try:
        grads = ns.autograd.grad(list(outputs), diff_inputs, zeros, allow_unused=True)
    except RuntimeError as exc:
        warnings.warn(_UNDEFINED_GRAD_NOTE, stacklevel=4)
        raise GradcheckError(
            "Expected backward function to handle undefined output grads. "
            'Please look at "Notes about undefined output gradients" in '
            '"tools/autograd/derivatives.yaml"'
        ) from exc
    for grad in grads:
        if grad is not None and np.any(_to_numpy(grad) != 0):
            warnings.warn(_UNDEFINED_GRAD_NOTE, stacklevel=4)
            raise GradcheckError(
                "Expected all input grads to be undefined or zero when all output grads are "
                'undefined or zero. Please look at "Notes about undefined output gradients" '
                'in "tools/autograd/derivatives.yaml"'
            )


# ---------------------------------------------------------------------------------------------
# public API


def gradcheck(
    func: Callable[..., Any],
    inputs: Any,
    *,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    raise_exception: bool = True,
    nondet_tol: float = 0.0,
    check_undefined_grad: bool = True,
    check_grad_dtypes: bool = False,
    check_batched_grad: bool = False,
    check_batched_forward_grad: bool = False,
    check_forward_ad: bool = False,
    check_backward_ad: bool = True,
    fast_mode: bool = False,
    masked: bool | None = None,
) -> bool:
    """Check the gradients of ``func`` at ``inputs`` against central finite differences.

    ``inputs`` is a tensor or a tuple of tensors (and other values passed through); the
    tensors with ``requires_grad=True`` are checked, ideally in float64. Returns ``True`` when
    every Jacobian matches; otherwise raises :class:`GradcheckError` (or returns ``False``
    when ``raise_exception=False``). ``check_forward_ad`` also checks the forward-mode
    Jacobians (one tangent per input element); ``check_backward_ad=False`` skips the
    backward ones. ``masked`` only concerns sparse tensors, which refgrad does not have;
    vmap-batched gradients are not part of refgrad, so asking for those checks raises
    ``NotImplementedError``.
    """
    if not (check_forward_ad or check_backward_ad):
        raise AssertionError(
            "Expected at least one of check_forward_ad or check_backward_ad to be True"
        )
    if check_batched_grad and not check_backward_ad:
        raise AssertionError(
            "Setting check_batched_grad=True requires check_backward_ad to be True"
        )
    if check_batched_forward_grad and not check_forward_ad:
        raise AssertionError(
            "Setting check_batched_forward_grad=True requires check_forward_ad to be True"
        )
    for flag, name in ((check_batched_grad, "check_batched_grad"),
                       (check_batched_forward_grad, "check_batched_forward_grad")):
        if flag:
            raise NotImplementedError(
                f"gradcheck: {name}=True needs vmap, which refgrad does "
                f"not have; call gradcheck with {name}=False"
            )
    try:
        return _gradcheck(func, inputs, eps=eps, atol=atol, rtol=rtol, nondet_tol=nondet_tol,
                          check_undefined_grad=check_undefined_grad,
                          check_grad_dtypes=check_grad_dtypes, fast_mode=fast_mode,
                          check_forward_ad=check_forward_ad,
                          check_backward_ad=check_backward_ad)
    except GradcheckError:
        if raise_exception:
            raise
        return False


def _gradcheck(func, inputs, *, eps, atol, rtol, nondet_tol, check_undefined_grad,
               check_grad_dtypes, fast_mode, check_forward_ad=False,
               check_backward_ad=True) -> bool:
    ns = _torch_like()
    tupled_inputs = _as_tuple(inputs)
    _check_inputs(ns, tupled_inputs)
    func_out = _as_tuple(func(*tupled_inputs))
    for out in func_out:
        if not _is_tensor(ns, out):
            raise TypeError(
                "gradcheck: func must return a Tensor or a tuple of Tensors, "
                f"but returned {type(out).__name__}"
            )
    outputs = _differentiable_outputs(func_out)
    if check_forward_ad:
        _check_forward_ad(ns, func, func_out, tupled_inputs, eps, rtol, atol)
    if not check_backward_ad:
        return True
    check = _fast_gradcheck if fast_mode else _slow_gradcheck
    check(ns, func, func_out, tupled_inputs, outputs, eps, rtol, atol, nondet_tol,
          check_grad_dtypes)
    if any(_is_tensor(ns, x) and x.requires_grad for x in tupled_inputs) and outputs:
        _test_backward_mul_by_grad_output(ns, outputs, tupled_inputs)
        if check_undefined_grad:
            _test_zero_output_grads(ns, func, tupled_inputs)
    return True


def gradgradcheck(
    func: Callable[..., Any],
    inputs: Any,
    grad_outputs: Any = None,
    *,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    gen_non_contig_grad_outputs: bool = False,
    raise_exception: bool = True,
    nondet_tol: float = 0.0,
    check_undefined_grad: bool = True,
    check_grad_dtypes: bool = False,
    check_batched_grad: bool = False,
    check_fwd_over_rev: bool = False,
    check_rev_over_rev: bool = True,
    fast_mode: bool = False,
    masked: bool = False,
) -> bool:
    """Check second derivatives: :func:`gradcheck` of ``inputs -> autograd.grad(func(inputs))``.

    The gradients are taken with ``create_graph=True`` against ``grad_outputs`` (random values
    in [-1, 1) that require grad when not given), and both the inputs and the grad_outputs are
    perturbed. ``gen_non_contig_grad_outputs`` has no effect: refgrad's tensors are
    contiguous.
    """
    if not (check_fwd_over_rev or check_rev_over_rev):
        raise AssertionError(
            "Expected at least one of check_fwd_over_rev or check_rev_over_rev to be True"
        )
    if check_undefined_grad and not check_rev_over_rev:
        raise AssertionError(
            "Setting check_undefined_grad=True requires check_rev_over_rev to be True"
        )
    if check_batched_grad and not check_rev_over_rev:
        raise AssertionError(
            "Setting check_batched_grad=True requires check_rev_over_rev to be True"
        )
    ns = _torch_like()
    tupled_inputs = _as_tuple(inputs)
    if grad_outputs is None:
        rng = np.random.default_rng(0)
        outputs = _differentiable_outputs(_as_tuple(func(*tupled_inputs)))
        tupled_grad_outputs = tuple(
            ns.tensor(rng.uniform(-1.0, 1.0, tuple(o.shape)).astype(_to_numpy(o).dtype),
                      requires_grad=True)
            for o in outputs
        )
    else:
        tupled_grad_outputs = _as_tuple(grad_outputs)
    n_grad_outputs = len(tupled_grad_outputs)
    requires = [_is_tensor(ns, x) and x.requires_grad for x in tupled_inputs]

    def first_derivatives(*args):
        input_args = args[:-n_grad_outputs]
        grad_args = args[-n_grad_outputs:]
        outputs = _differentiable_outputs(_as_tuple(func(*input_args)))
        diff_inputs = [x for x, r in zip(input_args, requires) if r]
        grads = ns.autograd.grad(list(outputs), diff_inputs, list(grad_args),
                                 create_graph=True, allow_unused=True)
        return tuple(g for g in grads if g is not None)

    # reverse over reverse: the first derivatives' VJPs; forward over reverse: their JVPs
    return gradcheck(first_derivatives, tupled_inputs + tupled_grad_outputs, eps=eps,
                     atol=atol, rtol=rtol, raise_exception=raise_exception,
                     nondet_tol=nondet_tol, check_undefined_grad=check_undefined_grad,
                     check_grad_dtypes=check_grad_dtypes, fast_mode=fast_mode,
                     check_forward_ad=check_fwd_over_rev,
                     check_backward_ad=check_rev_over_rev)
