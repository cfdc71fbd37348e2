"""Gradient accumulation into ``.grad``: created on the first backward, accumulated in place
afterwards, ``zero_()`` and ``grad = None``, leaves used several times, broadcasting reduced back
to the leaf's shape, the leaf's dtype, ``backward(inputs=...)``.
"""
import numpy as np

from conformance import inputs, observe
from conformance.cases._common import flags, leaf, tensor


def _w(torch, device):
    return leaf(torch, device, np.array([1.0, 2.0, 3.0], dtype="float32"))


def case_grad_is_none_before_backward(torch, device):
    w = _w(torch, device)
    return {"w.grad": w.grad}


def case_accumulates_in_place(torch, device):
    w = _w(torch, device)
    y = (w * w).sum()
    y.backward(retain_graph=True)
    first = w.grad
    first_values = w.grad.clone()
    y.backward(retain_graph=True)
    return {
        "after first": first_values,
        "after second": w.grad,
        "same object": w.grad is first,
        "the first reference sees the update": first,
    }


def case_zero_keeps_the_object(torch, device):
    w = _w(torch, device)
    y = (w * w).sum()
    y.backward(retain_graph=True)
    first = w.grad
    w.grad.zero_()
    zeroed = w.grad.clone()
    y.backward()
    return {"zeroed": zeroed, "same object after zero_": w.grad is first,
            "after backward": w.grad}


def case_set_to_none_allocates_a_new_grad(torch, device):
    w = _w(torch, device)
    (w * w).sum().backward()
    first = w.grad
    w.grad = None
    (w * 3).sum().backward()
    return {"w.grad": w.grad, "new object": w.grad is not first}


def case_accumulates_across_graphs(torch, device):
    w = _w(torch, device)
    (w * 2).sum().backward()
    (w ** 2).sum().backward()
    (w.exp()).sum().backward()
    return {"w.grad": w.grad}


def case_leaf_used_several_times(torch, device):
    w = _w(torch, device)
    results = {}
    (w * w + w).sum().backward()
    results["w*w + w"] = w.grad.clone()
    w.grad = None
    (w + w).sum().backward()
    results["w + w"] = w.grad.clone()
    w.grad = None
    (w.sum() + (w ** 2).sum() + w[0] * 10).backward()
    results["three branches"] = w.grad.clone()
    w.grad = None
    (w @ w).backward()
    results["w @ w"] = w.grad.clone()
    w.grad = None
    torch.stack([w, w, w]).sum().backward()
    results["stack([w, w, w])"] = w.grad
    return results


def case_broadcast_gradients_reduce_to_leaf_shape(torch, device):
    a = leaf(torch, device, np.ones((2, 3), dtype="float32"))
    b = leaf(torch, device, np.array([1.0, 2.0, 3.0], dtype="float32"))
    b1 = leaf(torch, device, np.ones((1, 3), dtype="float32"))
    s = leaf(torch, device, np.array(2.0, dtype="float32"))
    (a * b * b1 * s).sum().backward()
    return {"a.grad": a.grad, "b.grad": b.grad, "b1.grad": b1.grad, "s.grad": s.grad,
            "shapes": [tuple(t.grad.shape) for t in (a, b, b1, s)]}


def case_broadcast_random(torch, device):
    a = leaf(torch, device, inputs.randn((4, 1, 3), "acc/bcast/a"))
    b = leaf(torch, device, inputs.randn((2, 1), "acc/bcast/b"))
    out = a * b + b
    out.backward(tensor(torch, device, inputs.randn((4, 2, 3), "acc/bcast/g")))
    return {"a.grad": a.grad, "b.grad": b.grad}


def case_grad_dtype_follows_the_leaf(torch, device):
    x32 = leaf(torch, device, np.array([1.0, 2.0], dtype="float32"))
    x64 = leaf(torch, device, np.array([3.0, 4.0], dtype="float64"))
    r = x32 * x64
    r.sum().backward()
    return {"r.dtype": str(r.dtype), "x32.grad": x32.grad, "x64.grad": x64.grad,
            "graph(r)": observe.graph(r, x32=x32, x64=x64)}


def case_grad_flags(torch, device):
    w = _w(torch, device)
    (w * 2).sum().backward()
    return {"w.grad": flags(w.grad)}


def case_backward_inputs_limits_accumulation(torch, device):
    a = leaf(torch, device, np.array([1.0, 2.0], dtype="float32"))
    b = leaf(torch, device, np.array([3.0, 4.0], dtype="float32"))
    out = (a * b).sum()
    out.backward(inputs=[a], retain_graph=True)
    return {"a.grad": a.grad, "b.grad": b.grad}


def case_backward_inputs_non_leaf(torch, device):
    a = leaf(torch, device, np.array([1.0, 2.0], dtype="float32"))
    b = leaf(torch, device, np.array([3.0, 4.0], dtype="float32"))
    y = a * 2
    (y * b).sum().backward(inputs=[y])
    return {"y.grad": observe.warnings(lambda: y.grad), "a.grad": a.grad, "b.grad": b.grad}


def case_backward_inputs_unused_leaf(torch, device):
    a = leaf(torch, device, np.array([1.0, 2.0], dtype="float32"))
    b = leaf(torch, device, np.array([3.0, 4.0], dtype="float32"))
    result = observe.error(lambda: (a * 2).sum().backward(inputs=[b]))
    return {"result": result, "a.grad": a.grad, "b.grad": b.grad}


def case_tensor_without_requires_grad_keeps_none(torch, device):
    a = leaf(torch, device, np.array([1.0, 2.0], dtype="float32"))
    c = tensor(torch, device, np.array([1.0, 2.0], dtype="float32"))
    (a * c).sum().backward()
    return {"c.grad": c.grad, "a.grad": a.grad}


def case_optimizer_style_update(torch, device):
    w = leaf(torch, device, np.array([1.0, 2.0], dtype="float32"))
    (w * 3).sum().backward()
    with torch.no_grad():
        w -= 0.1 * w.grad
    after_first = w.clone().detach()
    w.grad.zero_()
    (w * w).sum().backward()
    return {"w after update": after_first, "w": flags(w), "w.grad": w.grad}


def case_retained_non_leaf_grad_accumulates(torch, device):
    a = leaf(torch, device, np.array([1.0, 2.0], dtype="float32"))
    y = a * 3
    y.retain_grad()
    z = (y ** 2).sum()
    z.backward(retain_graph=True)
    first = y.grad.clone()
    z.backward()
    return {"y.grad first": first, "y.grad second": y.grad, "a.grad": a.grad}


def case_failed_second_backward_is_not_transactional(torch, device):
    a = leaf(torch, device, np.ones(3, dtype="float32"))
    b = leaf(torch, device, np.ones(3, dtype="float32"))
    out = (a * 2).sum() + b.sum()
    out.backward()
    error = observe.error(lambda: out.backward())
    return {"second backward": error, "a.grad": a.grad, "b.grad": b.grad}


def case_failed_second_backward_operands_swapped(torch, device):
    a = leaf(torch, device, np.ones(3, dtype="float32"))
    b = leaf(torch, device, np.ones(3, dtype="float32"))
    out = b.sum() + (a * 2).sum()
    out.backward()
    error = observe.error(lambda: out.backward())
    return {"second backward": error, "a.grad": a.grad, "b.grad": b.grad}


def case_create_graph_accumulates_out_of_place(torch, device):
    x = leaf(torch, device, np.array([1.0, 2.0], dtype="float32"))
    (x ** 3).sum().backward(create_graph=True)
    first = x.grad
    first_flags = flags(first)
    (x ** 3).sum().backward(create_graph=True)
    return {"first": first, "first flags": first_flags, "second": x.grad,
            "second flags": flags(x.grad), "same object": x.grad is first}
