"""Helpers for the gradcheck / functional tests: run refgrad's tools on either namespace.

``refgrad.autograd.gradcheck`` and ``refgrad.autograd.functional`` reach tensors and
``autograd.grad`` through a module-level ``_torch_like()``. The tests run each tool twice:
on refgrad itself, and on real torch (``_torch_like`` patched), where the result must equal
what ``torch.autograd`` computes -- a check of the tools' own logic that does not depend on
refgrad's core.
"""

from __future__ import annotations

import importlib

import numpy as np
import torch

BACKENDS = ["refgrad", "torch"]


def namespace(name: str):
    return torch if name == "torch" else importlib.import_module("refgrad")


def use_backend(monkeypatch, module, name: str):
    """Point ``module`` (gradcheck or functional) at the backend; return its namespace."""
    ns = namespace(name)
    monkeypatch.setattr(module, "_torch_like", lambda: ns)
    return ns


def make(ns, array, requires_grad: bool = False):
    """A tensor of ``ns`` holding a copy of ``array`` (its dtype kept)."""
    return ns.tensor(np.array(array, copy=True), requires_grad=requires_grad)


def to_numpy(value):
    """Tensors -> arrays inside the same nesting of tuples and lists (types kept)."""
    if isinstance(value, (tuple, list)):
        return type(value)(to_numpy(v) for v in value)
    return np.array(value.detach().numpy(), copy=True)


def flags(value):
    """``requires_grad`` of every tensor, in the same nesting."""
    if isinstance(value, (tuple, list)):
        return type(value)(flags(v) for v in value)
    return bool(value.requires_grad)


def assert_same_structure_and_values(got, expected, rtol=1e-7, atol=1e-10):
    if isinstance(expected, (tuple, list)):
        assert type(got) is type(expected), f"{type(got).__name__} != {type(expected).__name__}"
        assert len(got) == len(expected)
        for g, e in zip(got, expected):
            assert_same_structure_and_values(g, e, rtol, atol)
        return
    assert isinstance(got, np.ndarray), type(got)
    assert got.shape == expected.shape, (got.shape, expected.shape)
    assert got.dtype == expected.dtype, (got.dtype, expected.dtype)
    np.testing.assert_allclose(got, expected, rtol=rtol, atol=atol)
