"""Small helpers shared by the case modules (not an area: its name starts with "_").

They only build lane tensors from seeded NumPy arrays and name what a tensor's graph looks like;
every check a case makes stays visible in the case itself.
"""
from __future__ import annotations

import numpy as np

from conformance import inputs, observe
from conformance.opdb.core import DTYPES, NUMPY_DTYPES, shape_id, shapes_id

__all__ = ["DTYPES", "NUMPY_DTYPES", "shape_id", "shapes_id", "tensor", "leaf", "randn_leaf",
           "positive_leaf", "grad_fn_name", "next_names", "flags", "forward_and_vjp"]


def tensor(torch, device, array, requires_grad=False):
    """A lane tensor holding exactly ``array`` (dtype included)."""
    return torch.tensor(np.asarray(array), device=device, requires_grad=requires_grad)


def leaf(torch, device, array):
    """A leaf that requires grad."""
    return tensor(torch, device, array, requires_grad=True)


def randn_leaf(torch, device, shape, key, dtype="float32"):
    return leaf(torch, device, inputs.randn(shape, key, NUMPY_DTYPES[dtype]))


def positive_leaf(torch, device, shape, key, dtype="float32"):
    return leaf(torch, device, inputs.positive(shape, key, NUMPY_DTYPES[dtype]))


def grad_fn_name(t) -> str | None:
    fn = getattr(t, "grad_fn", None)
    return None if fn is None else type(fn).__name__


def next_names(t) -> list:
    """One level of ``grad_fn.next_functions`` as ``[name, input_nr]`` pairs."""
    return [[None if fn is None else type(fn).__name__, int(nr)]
            for fn, nr in t.grad_fn.next_functions]


def flags(t) -> dict:
    """The autograd bookkeeping of a tensor, as one readable observable."""
    return {
        "requires_grad": bool(t.requires_grad),
        "is_leaf": bool(t.is_leaf),
        "grad_fn": grad_fn_name(t),
    }


def forward_and_vjp(torch, device, out, named_inputs: dict, key: str, dtype: str) -> dict:
    """What an op family observes: the forward value, its dtype, shape and grad_fn name, and the
    vector-Jacobian product against a seeded cotangent for every differentiable input.

    ``torch.autograd.grad(out, inputs, cotangent)``: the cotangent has the output's shape and
    the expected dtype, drawn from NumPy so that every lane uses the same numbers.
    """
    observed = {
        "out": out,
        "out.dtype": str(out.dtype),
        "out.shape": tuple(int(n) for n in out.shape),
        "out.grad_fn": grad_fn_name(out),
    }
    cotangent = tensor(torch, device, inputs.randn(observed["out.shape"], key + "/cotangent",
                                                   NUMPY_DTYPES[dtype]))
    names = list(named_inputs)
    grads = observe.error(
        lambda: torch.autograd.grad(out, [named_inputs[n] for n in names], cotangent))
    for i, name in enumerate(names):
        observed[f"vjp {name}"] = grads if isinstance(grads, observe.Raised) else grads[i]
    return observed
