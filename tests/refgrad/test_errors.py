"""Misuse raises PyTorch's exception type with PyTorch's message (compared live with torch).

Each expression is evaluated on refgrad and on torch with the same names bound; the
exception class name and full message (or the result) must be equal.
"""
from __future__ import annotations

import numpy as np
import pytest

from conftest import LIBS, outcome, warnings_of


def names(lib):
    o = lib.ones
    return dict(torch=lib, F=lib.nn.functional, o=o, np=np,
                a=lib.tensor([1.5, -0.5, 2.0], requires_grad=True),
                z=lib.tensor([0.5, -1.0, 2.0], requires_grad=True),
                q=lib.tensor([0.2, 0.5, 0.9], requires_grad=True),
                x=lib.tensor([[0.5, -1.0, 2.0], [1.5, 0.0, -0.5]], requires_grad=True))


def result_of(lib, expr):
    kind, value = outcome(lambda: eval(expr, names(lib)))
    if kind == "ok":
        return ("ok", tuple(value.shape) if hasattr(value, "shape") else value)
    return (kind, value)


ERRORS = [
    # matmul family (§4.8)
    "o(2,3) @ o(4,5)", "o(2,3) @ o(2,3)", "o(3) @ o(4)", "o(2,3) @ o(4)", "o(4) @ o(2,3)",
    "o(5,2,3) @ o(5,4,5)", "o(5,2,3) @ o(4,3,2)", "o(5,2,3) @ o(4,5)",
    "torch.tensor(1.) @ o(3)", "o(3) @ torch.tensor(2.)", "torch.mm(o(3), o(3,2))",
    "torch.mm(o(2,3), o(4,5))", "torch.mv(o(2,3), o(4))", "torch.dot(o(3), o(2,3))",
    "torch.dot(o(3), o(4))", "torch.bmm(o(2,3), o(3,2))", "torch.bmm(o(2,2,3), o(3,3,2))",
    "o(2,3) @ o(3,2, dtype=torch.float64)", "o(2,3) @ o(3,2, dtype=torch.long)",
    "torch.dot(o(3), o(3, dtype=torch.float64))",
    # broadcasting and shapes (§4.9)
    "o(3) + o(4)", "o(2,3) + o(2)", "o(2,3) * o(3,2)", "o(4,1,3) - o(2,4)", "o(2,3) / o(2,3,2)",
    "o(3).add_(o(2,3))", "o(2,3) + o(3)", "o(2,1) + o(1,3)", "torch.maximum(o(3), o(2))",
    "torch.cat([o(2,3), o(2,4)])", "torch.stack([o(2), o(3)])", "o(6).view(4, -1)",
    "o(2,3).view(3)", "o(2,3).T.view(6)", "o(2,3).reshape(4)",
    # conversions (§4.10)
    "a.numpy()", "(a * 2).numpy()", "np.asarray(a)", "a.item()", "a.sum().item()",
    "float(a)", "a.tolist()",
    # requires_grad on integers (§4.4)
    "torch.tensor([1, 2, 3], requires_grad=True)",
    "torch.ones(3, dtype=torch.long, requires_grad=True)",
    "torch.arange(3).requires_grad_()", "torch.tensor([True], requires_grad=True)",
    "torch.tensor([1, 2], dtype=torch.int32).requires_grad_(False)",
    # in-place on leaves (§4.5)
    "a.add_(1)", "a.__iadd__(1)", "a.mul_(2)", "a.zero_()", "a.copy_(o(3))",
    "a.__setitem__(0, 5.)", "a[0].mul_(2)", "a.view(3).add_(1)", "torch.relu_(a)",
    "F.relu(a, inplace=True)", "a.requires_grad_(False)",
    # loss arguments (§4.12)
    "F.binary_cross_entropy_with_logits(z, torch.zeros(2))",
    "F.binary_cross_entropy_with_logits(z, torch.zeros(1, 3))",
    "F.binary_cross_entropy_with_logits(z.view(3, 1), torch.zeros(3))",
    "F.binary_cross_entropy_with_logits(z, torch.tensor([0, 1, 0]))",
    "F.binary_cross_entropy_with_logits(z, torch.zeros(3, dtype=torch.float64)).dtype",
    "F.binary_cross_entropy_with_logits(z, torch.zeros(3), pos_weight=torch.ones(2))",
    "F.binary_cross_entropy_with_logits(z, torch.zeros(3), weight=torch.ones(2))",
    "F.binary_cross_entropy_with_logits(z, torch.zeros(3), reduction='avg')",
    "F.binary_cross_entropy(q, torch.zeros(2))", "F.binary_cross_entropy(q, torch.zeros(1, 3))",
    "F.binary_cross_entropy(q * 2, torch.zeros(3))",
    "F.binary_cross_entropy(q, torch.tensor([0, 1, 0]))",
    "F.binary_cross_entropy(q, torch.tensor([0., 2., -1.]))",
    "F.mse_loss(z, torch.zeros(2))", "F.mse_loss(z, torch.zeros(3, 1))",
    "F.cross_entropy(x, torch.tensor([0, 1, 2]))", "F.cross_entropy(x, torch.tensor([0, 3]))",
    "F.cross_entropy(x, torch.tensor([0., 1.]))",
    "F.cross_entropy(x, torch.tensor([0, 1], dtype=torch.int32))",
    "F.cross_entropy(x, torch.tensor([[0., 1.]]))",
    # miscellaneous (§4.16)
    "setattr(a * 2, 'requires_grad', False)", "(a * 2).requires_grad_(False)",
    "(a * 2).requires_grad_(True)",
    "torch.tensor([1., 2.], requires_grad=True) @ torch.tensor([[1.]])",
    "a.view(-1, -1)", "torch.tensor([1, 2]).mean()", "torch.ones(2, 3).sum(2)",
    "torch.ones(2, 3)[2]", "torch.ones(2, 3)[:, 3]", "torch.ones(2, 3).squeeze(2)",
    "torch.ones(2, 3).transpose(0, 2)", "torch.ones(2, 3).expand(3, 3)",
    "torch.ones(2, 3).expand(2)", "torch.ones(2, 3).max(dim=2)",
    "torch.softmax(torch.ones(2, 3), 2)", "torch.tensor([1, 2]) ** -1",
    "torch.tensor([1, 2]).add_(1.5)", "torch.tensor([[1., 2.], [3.]])",
    "torch.randn(2, 3, requires_grad=True).backward(torch.ones(2, 3), inputs=[])",
    "torch.set_default_dtype(torch.int64)", "torch.set_grad_enabled('yes')",
    "bool(torch.ones(2))", "torch.ones(2, 3).grad", "torch.tensor(2.5).item()",
    # .grad assignment (§4.11)
    "setattr(a, 'grad', torch.ones(2))", "setattr(a, 'grad', torch.ones(3, dtype=torch.float64))",
    "setattr(a, 'grad', [1., 2., 3.])", "setattr(a, 'grad', torch.ones(3))",
]


@pytest.mark.parametrize("expr", ERRORS)
def test_error_type_and_message_match_torch(expr):
    got = result_of(LIBS["refgrad"], expr)
    want = result_of(LIBS["torch"], expr)
    if want[0] == "ok" and hasattr(want[1], "__module__") and "torch" in str(type(want[1])):
        want = ("ok", str(want[1]))
        got = ("ok", str(got[1]))
    assert got == want


def test_numpy_error_text():
    import refgrad
    a = refgrad.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError) as info:
        a.numpy()
    assert str(info.value) == ("Can't call numpy() on Tensor that requires grad. Use "
                               "tensor.detach().numpy() instead.")


def test_version_counter_errors():
    def scenario(lib):
        out = []

        def attempt(build):
            kind, value = outcome(build)
            out.append((kind, value))

        def exp_then_modify():
            a = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
            y = a.exp()
            y.add_(1)
            y.sum().backward()
        attempt(exp_then_modify)

        def saved_input_modified():
            a = lib.ones(2, 3, requires_grad=True)
            h = a * 1
            o = h ** 2
            h.mul_(2)
            o.sum().backward()
        attempt(saved_input_modified)

        def leaf_modified_under_no_grad():
            a = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
            o = a ** 2
            with lib.no_grad():
                a.add_(1)
            o.sum().backward()
        attempt(leaf_modified_under_no_grad)

        def float64_sigmoid():
            a = lib.tensor([1.0, 2.0, 3.0], dtype=lib.float64, requires_grad=True)
            o = a.sigmoid()
            o.mul_(1)
            o.sum().backward()
        attempt(float64_sigmoid)

        def twice():
            a = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
            y = a.exp()
            y.add_(1)
            y.add_(1)
            y.sum().backward()
        attempt(twice)

        def through_detach():
            a = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
            o = a ** 2
            a.detach().add_(1)
            o.sum().backward()
        attempt(through_detach)

        def output_through_detach():
            a = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
            y = a.exp()
            y.detach().zero_()
            y.sum().backward()
        attempt(output_through_detach)

        def unsaved_tensor_modified():
            a = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
            y = a + 1
            o = y * 2
            y.add_(1)
            o.sum().backward()
            return a.grad.tolist()
        attempt(unsaved_tensor_modified)

        def through_data():
            a = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
            o = a ** 2
            a.data.add_(1)
            o.sum().backward()
            return a.grad.tolist(), a._version
        attempt(through_data)
        return out
    assert scenario(LIBS["refgrad"]) == scenario(LIBS["torch"])


def test_warnings_match_torch():
    def scenario(lib):
        a = lib.ones(3, requires_grad=True)
        return [warnings_of(lambda: (a * 2).grad), warnings_of(lambda: lib.tensor(a)),
                warnings_of(lambda: lib.nn.functional.softmax(a)),
                warnings_of(lambda: lib.nn.functional.mse_loss(a, lib.ones(3, 1)))]
    assert scenario(LIBS["refgrad"]) == scenario(LIBS["torch"])


def test_scalar_conversion_warning_fires_once():
    import sys

    import refgrad
    sys.modules["refgrad.tensor"]._warned_scalar_conversion[0] = False
    a = refgrad.ones(3, requires_grad=True)
    seen = warnings_of(lambda: [float(a[0]), float(a[1]), float(a.sum())])
    assert seen == [("UserWarning", "Converting a tensor with requires_grad=True to a scalar "
                     "may lead to unexpected behavior.\nConsider using tensor.detach() first.")]


def test_transpose_warning_for_other_than_two_dims_fires_once_per_kind():
    import sys

    import refgrad
    sys.modules["refgrad.tensor"]._warned_transpose.update(low=False, high=False)
    seen = warnings_of(lambda: [refgrad.ones(3).T, refgrad.ones(3).T, refgrad.ones(2, 3, 4).T,
                                refgrad.ones(()).T, refgrad.ones(2, 3).T])
    assert len(seen) == 2 and all(w[1].startswith("The use of `x.T` on tensors") for w in seen)
