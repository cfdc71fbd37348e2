"""Saved tensors in refgrad: the one ``SavedTensor`` with its hooks (packing instead of keeping
the tensor, unpacking into the saved tensor's place in the graph, freeing the packed object),
``_raw_saved_<name>``, the hook contexts (thread-local), and the same values and errors as
torch side by side."""
from __future__ import annotations

import threading
import weakref

import pytest
import torch

import refgrad
from conftest import error_of
from refgrad.autograd.graph import SavedTensor


def test_a_packed_tensor_is_not_kept_and_the_packed_object_goes_with_the_graph():
    a = refgrad.tensor([1.0, 2.0], requires_grad=True)
    packed = []

    class Packed:
        def __init__(self, t):
            self.t = t
            packed.append(weakref.ref(self))

    with refgrad.autograd.graph.saved_tensors_hooks(Packed, lambda p: p.t):
        y = a * a
    saved = y.grad_fn.saved["self"]
    assert type(saved) is SavedTensor and saved.tensor is None
    assert saved.hooks[0] is packed[1]() and len(packed) == 2
    y.sum().backward(retain_graph=True)
    assert all(ref() is not None for ref in packed)     # retained: still packed
    y.sum().backward()
    assert saved.hooks is None and [ref() for ref in packed] == [None, None]
    assert a.grad.tolist() == [4.0, 8.0]


def test_unpacked_leaf_keeps_its_accumulator_for_double_backward():
    x = refgrad.tensor([1.0, 2.0], requires_grad=True)
    with refgrad.autograd.graph.saved_tensors_hooks(lambda t: t * 1, lambda t: t):
        y = (x * x * x).sum()
    saved = y.grad_fn.next_functions[0][0].saved["other"].unpack(None)
    assert saved is not x and saved.is_leaf and saved.requires_grad
    (g,) = refgrad.autograd.grad(y, x, create_graph=True)
    (gg,) = refgrad.autograd.grad(g.sum(), x)
    assert g.tolist() == [3.0, 12.0] and gg.tolist() == [6.0, 12.0]


def test_python_numbers_are_not_packed_and_show_in_their_own_type():
    a = refgrad.tensor([1.0, 2.0], requires_grad=True)
    seen = []
    with refgrad.autograd.graph.saved_tensors_hooks(lambda t: (seen.append(t), t)[1],
                                                    lambda t: t):
        y = a * 2
        z = a * 2.5
    assert seen == []
    assert repr(y.grad_fn._saved_other) == "tensor(2)"
    assert repr(z.grad_fn._saved_other) == "tensor(2.5000, dtype=torch.float64)"


def test_hooks_are_per_thread_and_restored_on_exit():
    state = refgrad.autograd.grad_mode.STATE
    hooks = refgrad.autograd.graph.saved_tensors_hooks(lambda t: t, lambda t: t)
    other = []
    with hooks:
        inner = state.saved_hooks
        worker = threading.Thread(target=lambda: other.append(state.saved_hooks))
        worker.start()
        worker.join()
    assert inner == (hooks.pack_hook, hooks.unpack_hook)
    assert other == [None] and state.saved_hooks is None


def test_raw_saved_names_are_the_saved_tensors():
    a = refgrad.tensor([1.0, 2.0], requires_grad=True)
    fn = (a ** 2).grad_fn
    assert [n for n in dir(fn) if "saved" in n and n.startswith("_")] == [
        "_raw_saved_self", "_saved_exponent", "_saved_self"]
    assert type(fn._raw_saved_self).__name__ == "SavedTensor"
    with pytest.raises(AttributeError, match="has no attribute '_raw_saved_exponent'"):
        fn._raw_saved_exponent


@pytest.mark.parametrize("what", ["unpack non-tensor", "pack in place", "register twice",
                                  "register after free", "register on None", "disabled"])
def test_errors_are_torchs(what):
    def run(module):
        graph = module.autograd.graph
        a = module.tensor([1.0, 2.0], requires_grad=True)
        b = a * 1
        if what == "unpack non-tensor":
            with graph.saved_tensors_hooks(lambda t: 3, lambda t: t):
                y = a * a
            return error_of(lambda: y.sum().backward())
        if what == "pack in place":
            with graph.saved_tensors_hooks(lambda t: t.mul_(2), lambda t: t):
                return error_of(lambda: b.detach() * b)
        if what == "register twice":
            raw = (a * a).grad_fn._raw_saved_self
            raw.register_hooks(lambda t: t, lambda t: t)
            return error_of(lambda: raw.register_hooks(lambda t: t, lambda t: t))
        if what == "register after free":
            y = a * a
            raw = y.grad_fn._raw_saved_self
            y.sum().backward()
            return error_of(lambda: raw.register_hooks(lambda t: t, lambda t: t))
        if what == "register on None":
            raw = (a * module.ones(2)).grad_fn._raw_saved_self
            return error_of(lambda: raw.register_hooks(lambda t: t, lambda t: t))
        with graph.disable_saved_tensors_hooks("no hooks here"):
            return error_of(lambda: graph.save_on_cpu().__enter__())
    assert run(refgrad) == run(torch)
