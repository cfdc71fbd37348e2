"""refgrad's answers to misuse, against torch's on the same snippet.

The misuse catalogue (conformance/cases/misuse.py) compares type and message in the
conformance run; here: the snippets it compares by exception type only (torch lists its C++
overloads there), the snippets the issue named, and the share of the catalogue that is exact.
"""
from __future__ import annotations

import warnings

import pytest
import torch

import refgrad
from conformance import compare, observe
from conformance.cases import misuse


def _observe(namespace, source):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return misuse._run(namespace, "cpu", [source])[source]


@pytest.mark.parametrize("source", misuse.TYPE_ONLY)
def test_type_only_snippets_raise_torchs_exception_type(source):
    expected, got = _observe(torch, source), _observe(refgrad, source)
    assert isinstance(expected, observe.Raised)
    assert isinstance(got, observe.Raised), got
    assert got.type == expected.type, (got, expected)


# Named in the issue: silently accepted, NumPy or Python internals leaking, or misleading.
ISSUE_SNIPPETS = [
    "torch.autograd.grad([w.sum(), (w * 2).sum()], w, grad_outputs=[torch.tensor(1.)])",
    "i // 0", "i % 0",
    "F.binary_cross_entropy(torch.tensor([float('nan')]), torch.tensor([1.0]))",
    "torch.ones('3')", "torch.cat(x)", "torch.where(i, x, x)", "torch.arange(10, 0, 1)",
    "torch.tensor([1.0], requires_grad='yes')", "F.binary_cross_entropy_with_logits(i, i)",
    "F.mse_loss(i, i)", "torch.ones(2, dtype='float32')", "torch.tensor(2**70)",
    "torch.ones(-1)", "torch.zeros(2, -1)", "torch.eye(-1)", "torch.randn(-1)",
    "e.max(dim=0)", "e.argmax()", "x.sum(dim=(0, 0))", "torch.manual_seed(-1)", "x[0, 3]",
    "x[1.5]", "torch.arange(0, float('inf'))", "x.sum(dtype='float')",
]


def _exact(source) -> bool:
    expected, got = _observe(torch, source), _observe(refgrad, source)
    result = compare.compare_values(source, observe.to_plain(got, truncate=False),
                                    observe.to_plain(expected, truncate=False))
    return result["status"] != "diverge"


@pytest.mark.parametrize("source", [s for s in ISSUE_SNIPPETS if s not in misuse.TYPE_ONLY])
def test_issue_snippet_is_torch_exact(source):
    assert _exact(source)


def test_no_issue_snippet_is_left_among_the_known_differences():
    assert set(ISSUE_SNIPPETS) & set(misuse.REFGRAD_DIFFERS) == set()
    assert set(ISSUE_SNIPPETS) <= {s for group in misuse.GROUPS.values() for s in group}


@pytest.mark.parametrize("source", ["torch.tensor(np.array([1, 2], dtype=np.uint8))",
                                    "torch.tensor(np.array([1], dtype=np.uint16))",
                                    "torch.tensor(np.array([1], dtype=np.int8))",
                                    "torch.from_numpy(np.array([1], dtype=np.uint8))"])
def test_numpy_arrays_of_dtypes_refgrad_lacks_are_a_clear_type_error(source):
    got = _observe(refgrad, source)
    assert isinstance(got, observe.Raised) and got.type == "TypeError", got
    assert got.message.startswith("can't convert np.ndarray of type numpy.")


@pytest.mark.parametrize("source", ["torch.tensor(np.array([1.0, 2.5], dtype=np.float16))",
                                    "torch.from_numpy(np.array([1.0], dtype=np.float16))"])
def test_numpy_float16_arrays_become_float16_tensors_as_in_torch(source):
    assert _exact(source)


def test_catalogue_is_broad_and_its_lists_name_real_snippets():
    snippets = {s for group in misuse.GROUPS.values() for s in group}
    assert len(snippets) >= 500
    listed = set(misuse.TYPE_ONLY) | set(misuse.LEFT_OUT) | set(misuse.REFGRAD_DIFFERS)
    assert listed <= snippets
