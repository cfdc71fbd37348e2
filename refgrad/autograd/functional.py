"""Higher-level differentiation of whole functions: ``vjp``, ``jvp``, ``jacobian``, ``hessian``.

Signatures, return structures and error messages are PyTorch's (``torch.autograd.functional``):
a tensor argument gives a tensor result and a tuple gives a tuple, the Jacobian of output ``i``
with respect to input ``j`` has shape ``output_i.shape + input_j.shape``, and with
``strict=False`` an input the outputs do not depend on gets zeros.

Everything is built on ``autograd.grad``. The Jacobian is assembled row by row: row ``k`` is
the vector-Jacobian product with the ``k``-th one-hot cotangent. The Jacobian-vector product
uses the double-backward trick: ``g(u) = u^T J`` is linear in a dummy cotangent ``u``, so the
gradient of ``g(u) . v`` with respect to ``u`` is ``J v``.
"""

from __future__ import annotations

import importlib
from typing import Any, Callable

import numpy as np

__all__ = ["vjp", "jvp", "jacobian", "hessian"]


def _torch_like():
    """The torch-like namespace whose tensors and ``autograd.grad`` these functions use."""
    # the package that holds this module, whatever name it was loaded under; deferred:
    # that package imports this module while it is itself being initialised
    return importlib.import_module("..", __package__)


# ---------------------------------------------------------------------------------------------
# argument and result plumbing (PyTorch's rules)


def _as_tuple(ns, value, arg_name: str, fn_name: str) -> tuple[bool, tuple]:
    """``(was_tuple, values)``; every value must be a tensor."""
    is_tuple = isinstance(value, tuple)
    values = value if is_tuple else (value,)
    for i, element in enumerate(values):
        if not isinstance(element, ns.Tensor):
            where = (f"the value at index {i} has type {type(element)}" if is_tuple
                     else f"the given {arg_name} has type {type(element)}")
            raise TypeError(
                f"The {arg_name} given to {fn_name} must be either a Tensor or a tuple of "
                f"Tensors but {where}."
            )
    return is_tuple, values


def _unpack(result, is_tuple):
    """Undo the tupling: ``is_tuple`` is one flag, or ``(outputs_tuple, inputs_tuple)``."""
    if isinstance(is_tuple, tuple):
        outputs_tuple, inputs_tuple = is_tuple
        if not inputs_tuple:
            result = tuple(per_output[0] for per_output in result)
        if not outputs_tuple:
            result = result[0]
        return result
    return result if is_tuple else result[0]


def _prepare_inputs(ns, inputs: tuple, create_graph: bool, need_graph: bool) -> tuple:
    """Fresh tensors to differentiate with respect to.

    With ``create_graph`` an input that requires grad is aliased (not detached), so the
    results stay differentiable with respect to the caller's tensor.
    """
    prepared = []
    for inp in inputs:
        if create_graph and inp.requires_grad:
            prepared.append(_alias(inp))
        else:
            prepared.append(inp.detach().requires_grad_(need_graph))
    return tuple(prepared)


def _alias(tensor):
    """A differentiable identity of ``tensor`` that is a distinct graph node."""
    if hasattr(tensor, "view_as"):
        return tensor.view_as(tensor)
    return tensor.reshape(tuple(tensor.shape))


def _finish(values, create_graph: bool):
    """Detach the results unless the caller asked for a differentiable graph."""
    if isinstance(values, tuple):
        return tuple(_finish(v, create_graph) for v in values)
    return values if create_graph else values.detach()


def _values(tensor) -> np.ndarray:
    """A tensor's values as a NumPy array, outside the graph."""
    values = tensor.detach()
    if getattr(values, "_is_zerotensor", lambda: False)():
        # a gradient that is zero by construction (sgn's, inside abs's second derivative)
        # comes as an immutable ZeroTensor, which refuses numpy(); clone() materialises it
        values = values.clone()
    return values.numpy()


def _zeros_like(ns, tensor, requires_grad: bool = False):
    array = np.zeros(tuple(tensor.shape), dtype=_values(tensor).dtype)
    return ns.tensor(array, requires_grad=requires_grad)


def _validate_v(v: tuple, other: tuple, other_is_tuple: bool) -> None:
    if len(other) != len(v):
        if other_is_tuple:
            raise RuntimeError(
                f"v is a tuple of invalid length: should be {len(other)} but got {len(v)}."
            )
        raise RuntimeError("The given v should contain a single Tensor.")
    for idx, (v_el, other_el) in enumerate(zip(v, other)):
        if tuple(v_el.shape) != tuple(other_el.shape):
            prefix = f"Entry {idx} in " if other_is_tuple else ""
            raise RuntimeError(
                f"{prefix}v has invalid size: should be {other_el.shape} but got {v_el.shape}."
            )


def _check_requires_grad(values: tuple, kind: str, strict: bool) -> None:
    if not strict:
        return
    for i, value in enumerate(values):
        if value is None:
            raise RuntimeError(
                f"The output of the user-provided function is independent of input {i}."
                " This is not allowed in strict mode."
            )
        if not value.requires_grad:
            if kind == "grad_inputs":
                raise RuntimeError(
                    f"The gradient with respect to input {i} is independent of the inputs of "
                    "the user-provided function. This is not allowed in strict mode."
                )
            if kind == "jacobian":
                raise RuntimeError(
                    "While computing the hessian, found that the jacobian of the user-provided"
                    f" function with respect to input {i} is independent of the input. This is"
                    " not allowed in strict mode. You should ensure that your function is twice"
                    " differentiable and that the jacobian depends on the inputs (this would be"
                    " violated by a linear function for example)."
                )
            raise RuntimeError(
                f"Output {i} of the user-provided function does not require gradients."
                " The outputs must be computed in a differentiable manner from the input"
                " when running in strict mode."
            )


def _grad(ns, outputs: tuple, inputs: tuple, grad_outputs=None, create_graph=False,
          retain_graph=None) -> tuple:
    """``autograd.grad`` over the outputs that require grad; all None when none does."""
    if grad_outputs is None:
        grad_outputs = (None,) * len(outputs)
    kept_outputs, kept_grads = [], []
    for out, grad_out in zip(outputs, grad_outputs):
        if out is not None and out.requires_grad:
            kept_outputs.append(out)
            kept_grads.append(grad_out)
    if not kept_outputs:
        return (None,) * len(inputs)
    return tuple(ns.autograd.grad(kept_outputs, list(inputs), kept_grads,
                                  retain_graph=retain_graph, create_graph=create_graph,
                                  allow_unused=True))


_STRICT_NONE_MESSAGES = {
    "back": "The output of the user-provided function is independent of input {i}. "
            "This is not allowed in strict mode.",
    "back_trick": "The gradient with respect to the input is independent of entry {i} in the "
                  "grad_outputs when using the double backward trick to compute forward mode "
                  "gradients. This is not allowed in strict mode.",
}


def _fill_in_zeros(ns, grads: tuple, refs: tuple, strict: bool, create_graph: bool,
                   stage: str) -> tuple:
    filled = []
    for i, grad in enumerate(grads):
        if grad is None:
            if strict:
                raise RuntimeError(_STRICT_NONE_MESSAGES[stage].format(i=i))
            grad = _zeros_like(ns, refs[i])
        elif strict and create_graph and not grad.requires_grad:
            raise RuntimeError(
                "The jacobian of the user-provided function is independent of "
                f"input {i}. This is not allowed in strict mode when create_graph=True."
            )
        filled.append(grad)
    return tuple(filled)


# ---------------------------------------------------------------------------------------------
# vjp and jvp


def vjp(func: Callable[..., Any], inputs, v=None, create_graph: bool = False,
        strict: bool = False):
    """``(func(inputs), v^T J)``: the vector-Jacobian product at ``inputs``.

    ``v`` has the outputs' shapes; it may be omitted when ``func`` returns a single
    one-element tensor. The products have the inputs' shapes.
    """
    ns = _torch_like()
    with ns.enable_grad():
        inputs_tuple, inputs = _as_tuple(ns, inputs, "inputs", "vjp")
        inputs = _prepare_inputs(ns, inputs, create_graph, need_graph=True)
        outputs_tuple, outputs = _as_tuple(ns, func(*inputs),
                                           "outputs of the user-provided function", "vjp")
        _check_requires_grad(outputs, "outputs", strict)
        if v is not None:
            _, v = _as_tuple(ns, v, "v", "vjp")
            v = _prepare_inputs(ns, v, create_graph, need_graph=False)
            _validate_v(v, outputs, outputs_tuple)
        elif len(outputs) != 1 or outputs[0].numel() != 1:
            raise RuntimeError(
                "The vector v can only be None if the user-provided function returns "
                "a single Tensor with a single element."
            )
    grad_enabled = True if create_graph else ns.is_grad_enabled()
    with ns.set_grad_enabled(grad_enabled):
        grads = _grad(ns, outputs, inputs, v, create_graph=create_graph)
        products = _fill_in_zeros(ns, grads, inputs, strict, create_graph, "back")
    return (_unpack(_finish(outputs, create_graph), outputs_tuple),
            _unpack(_finish(products, create_graph), inputs_tuple))


def jvp(func: Callable[..., Any], inputs, v=None, create_graph: bool = False,
        strict: bool = False):
    """``(func(inputs), J v)``: the Jacobian-vector product at ``inputs``.

    ``v`` has the inputs' shapes; it may be omitted when the input is a single one-element
    tensor. The products have the outputs' shapes. Computed by the double-backward trick.
    """
    ns = _torch_like()
    with ns.enable_grad():
        inputs_tuple, inputs = _as_tuple(ns, inputs, "inputs", "jvp")
        inputs = _prepare_inputs(ns, inputs, create_graph, need_graph=True)
        if v is not None:
            _, v = _as_tuple(ns, v, "v", "jvp")
            v = _prepare_inputs(ns, v, create_graph, need_graph=False)
            _validate_v(v, inputs, inputs_tuple)
        elif len(inputs) != 1 or inputs[0].numel() != 1:
            raise RuntimeError(
                "The vector v can only be None if the input to the user-provided function "
                "is a single Tensor with a single element."
            )
        outputs_tuple, outputs = _as_tuple(ns, func(*inputs),
                                           "outputs of the user-provided function", "jvp")
        _check_requires_grad(outputs, "outputs", strict)
        # g(u) = u^T J, differentiable in the dummy cotangent u (its value does not matter)
        dummy_cotangents = tuple(_zeros_like(ns, out, requires_grad=True) for out in outputs)
        grad_inputs = _grad(ns, outputs, inputs, dummy_cotangents, create_graph=True)
        _check_requires_grad(grad_inputs, "grad_inputs", strict)

    # d/du (u^T J v) = J v
    with ns.set_grad_enabled(True if create_graph else ns.is_grad_enabled()):
        grads = _grad(ns, grad_inputs, dummy_cotangents, v, create_graph=create_graph)
        products = _fill_in_zeros(ns, grads, outputs, strict, create_graph, "back_trick")
    return (_unpack(_finish(outputs, create_graph), outputs_tuple),
            _unpack(_finish(products, create_graph), outputs_tuple))


# ---------------------------------------------------------------------------------------------
# jacobian and hessian


def _one_hot(ns, output, k: int):
    array = np.zeros(tuple(output.shape), dtype=_values(output).dtype)
    array.reshape(-1)[k] = 1
    return ns.tensor(array)


def _stack(ns, rows: list, shape: tuple, like, create_graph: bool):
    """Stack Jacobian rows into ``shape``; stays in the graph only when asked to."""
    if create_graph:
        if not rows:
            return _zeros_like(ns, ns.tensor(np.zeros(shape,
                                                      _values(like).dtype)))
        return ns.stack(rows, 0).reshape(shape)
    dtype = _values(like).dtype
    if not rows:
        return ns.tensor(np.zeros(shape, dtype=dtype))
    array = np.stack([_values(row) for row in rows]).astype(dtype, copy=False)
    return ns.tensor(array.reshape(shape))


def _reverse_jacobian(ns, outputs, inputs, strict, create_graph) -> tuple:
    """``jac[i][j]`` = d output i / d input j, one VJP per output element."""
    jacobian = []
    for i, out in enumerate(outputs):
        rows: list[list] = [[] for _ in inputs]
        for k in range(out.numel()):
            grads = _grad(ns, (out,), inputs, (_one_hot(ns, out, k),), retain_graph=True,
                          create_graph=create_graph)
            for j, (grad, inp) in enumerate(zip(grads, inputs)):
                if grad is None:
                    if strict:
                        raise RuntimeError(
                            f"Output {i} of the user-provided function is independent of "
                            f"input {j}. This is not allowed in strict mode."
                        )
                    grad = _zeros_like(ns, inp)
                elif strict and create_graph and not grad.requires_grad:
                    raise RuntimeError(
                        "The jacobian of the user-provided function is independent of "
                        f"input {i}. This is not allowed in strict mode when create_graph=True."
                    )
                rows[j].append(grad)
        jacobian.append(tuple(
            _stack(ns, rows[j], tuple(out.shape) + tuple(inp.shape), inp, create_graph)
            for j, inp in enumerate(inputs)
        ))
    return tuple(jacobian)


def _forward_jacobian(ns, func, inputs, outputs) -> list:
    """``jac[i][j]`` column by column: one JVP per input element (double-backward trick)."""
    columns: list[list[list]] = [[[] for _ in inputs] for _ in outputs]
    for j, inp in enumerate(inputs):
        for k in range(inp.numel()):
            tangents = tuple(_one_hot(ns, x, k) if idx == j else _zeros_like(ns, x)
                             for idx, x in enumerate(inputs))
            _, products = jvp(func, inputs, tangents)
            for i, product in enumerate(_as_plain_tuple(products)):
                columns[i][j].append(_values(product))
    jacobian = []
    for i, out in enumerate(outputs):
        per_input = []
        for j, inp in enumerate(inputs):
            shape = tuple(out.shape) + tuple(inp.shape)
            cols = columns[i][j]
            array = (np.stack(cols, axis=-1) if cols
                     else np.zeros(shape, dtype=_values(out).dtype))
            per_input.append(ns.tensor(array.reshape(shape)))
        jacobian.append(per_input)
    # lists, not tuples: PyTorch's forward-mode Jacobian comes back as nested lists
    return jacobian


def _as_plain_tuple(value) -> tuple:
    return value if isinstance(value, tuple) else (value,)


def jacobian(func: Callable[..., Any], inputs, create_graph: bool = False,
             strict: bool = False, vectorize: bool = False, strategy: str = "reverse-mode"):
    """The Jacobian of ``func`` at ``inputs``.

    A single tensor in and out gives one tensor of shape ``output.shape + input.shape``; a
    tuple of inputs gives a tuple per output, and a tuple of outputs a tuple of those.
    ``vectorize`` only changes how PyTorch batches the work; the values are the same, and
    here the rows are always computed one by one. ``strategy="forward-mode"`` (with
    ``vectorize=True``, as PyTorch requires) builds the Jacobian column by column from JVPs.
    """
    ns = _torch_like()
    if strategy not in ("forward-mode", "reverse-mode"):
        raise AssertionError(
            'Expected strategy to be either "forward-mode" or "reverse-mode". Hint: If your '
            'function has more outputs than inputs, "forward-mode" tends to be more performant. '
            'Otherwise, prefer to use "reverse-mode".'
        )
    if strategy == "forward-mode":
        if create_graph:
            raise NotImplementedError(
                "torch.autograd.functional.jacobian: `create_graph=True` "
                'and `strategy="forward-mode"` are not supported together (yet). '
                "Please either set `create_graph=False` or "
                '`strategy="reverse-mode"`.'
            )
        if strict:
            raise RuntimeError(
                "torch.autograd.functional.jacobian: `strict=True` "
                'and `strategy="forward-mode"` are not supported together (yet). '
                "Please either set `strict=False` or "
                '`strategy="reverse-mode"`.'
            )
        if not vectorize:
            raise NotImplementedError(
                "Computing Jacobian using forward-AD or forward-over-reverse Hessian is"
                "only implemented for `vectorize=True`."
            )
        inputs_tuple, inputs = _as_tuple(ns, inputs, "inputs", "jacobian")
        with ns.no_grad():
            plain_inputs = tuple(x.detach() for x in inputs)
            outputs_tuple, outputs = _as_tuple(ns, func(*plain_inputs), "outputs", "jacobian")
        result = _forward_jacobian(ns, func, inputs, outputs)
        return _unpack(result, (outputs_tuple, inputs_tuple))

    with ns.enable_grad():
        inputs_tuple, inputs = _as_tuple(ns, inputs, "inputs", "jacobian")
        inputs = _prepare_inputs(ns, inputs, create_graph, need_graph=True)
        outputs_tuple, outputs = _as_tuple(ns, func(*inputs),
                                           "outputs of the user-provided function", "jacobian")
        _check_requires_grad(outputs, "outputs", strict)
        if vectorize and strict:
            raise RuntimeError(
                "torch.autograd.functional.jacobian: `strict=True` "
                "and `vectorized=True` are not supported together. "
                "Please either set `strict=False` or "
                "`vectorize=False`."
            )
        result = _reverse_jacobian(ns, outputs, inputs, strict, create_graph)
    return _unpack(_finish(result, create_graph), (outputs_tuple, inputs_tuple))


def hessian(func: Callable[..., Any], inputs, create_graph: bool = False,
            strict: bool = False, vectorize: bool = False,
            outer_jacobian_strategy: str = "reverse-mode"):
    """The Hessian of a scalar-valued ``func``: the Jacobian of its gradient.

    A single input gives one tensor of shape ``input.shape + input.shape``; a tuple of inputs
    gives a tuple of tuples, entry ``[i][j]`` of shape ``input_i.shape + input_j.shape``.
    """
    ns = _torch_like()
    is_inputs_tuple, inputs = _as_tuple(ns, inputs, "inputs", "hessian")
    if outer_jacobian_strategy not in ("forward-mode", "reverse-mode"):
        raise AssertionError(
            'Expected strategy to be either "forward-mode" or "reverse-mode".'
        )

    def gradient(*args):
        out = func(*args)
        out_is_tuple, outs = _as_tuple(ns, out, "outputs of the user-provided function",
                                       "hessian")
        _check_requires_grad(outs, "outputs", strict)
        if out_is_tuple:
            raise RuntimeError("The function given to hessian should return a single Tensor")
        if out.numel() != 1:
            raise RuntimeError(
                "The Tensor returned by the function given to hessian should contain a single "
                "element"
            )
        grads = _grad(ns, outs, args, create_graph=True)
        grads = _fill_in_zeros(ns, grads, args, strict, True, "back")
        _check_requires_grad(grads, "jacobian", strict)
        return grads

    result = jacobian(gradient, inputs, create_graph=create_graph, strict=strict,
                      vectorize=vectorize, strategy=outer_jacobian_strategy)
    return _unpack(result, (is_inputs_tuple, is_inputs_tuple))
