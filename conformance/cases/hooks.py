"""Tensor hooks and retain_grad: call order, chaining of return values, hooks on leaves,
removal, firing once with the summed gradient, hooks during autograd.grad, execution order
across branches, retain_grad storing the post-hook gradient, and the errors hooks can cause.
"""
import numpy as np

from conformance import observe
from conformance.cases._common import leaf


def _x(torch, device, values=(1.0, 2.0, 3.0)):
    return leaf(torch, device, np.array(values, dtype="float32"))


def case_hooks_chain_in_registration_order(torch, device):
    x = _x(torch, device)
    y = x * 2
    log = []
    h1 = y.register_hook(lambda g: log.append(["h1 sees", g.tolist()]))
    y.register_hook(lambda g: (log.append(["h2 sees", g.tolist()]), g * 10)[1])
    y.register_hook(lambda g: log.append(["h3 sees", g.tolist()]))
    y.sum().backward()
    return {"handle type": type(h1).__name__, "log": log, "x.grad": x.grad}


def case_leaf_hook_changes_what_accumulates(torch, device):
    x = _x(torch, device)
    handle = x.register_hook(lambda g: g * 0 + 7)
    (x * 2).sum().backward()
    with_hook = x.grad.clone()
    handle.remove()
    x.grad = None
    (x * 2).sum().backward()
    handle.remove()  # a second remove is a no-op
    return {"with hook": with_hook, "after remove": x.grad}


def case_hook_fires_once_with_summed_gradient(torch, device):
    x = _x(torch, device, (1.0, 2.0))
    y = x * 1
    calls = []
    y.register_hook(lambda g: calls.append(["y", g.tolist()]))
    x.register_hook(lambda g: calls.append(["x", g.tolist()]))
    (y * 3 + y * 5 + x).sum().backward()
    return {"calls": calls, "x.grad": x.grad}


def case_hook_returning_none_keeps_gradient(torch, device):
    x = _x(torch, device)
    y = x.exp()
    seen = []
    y.register_hook(lambda g: seen.append(g.clone()))
    (y * y).sum().backward()
    return {"seen": seen, "x.grad": x.grad}


def case_retain_grad_stores_post_hook_gradient(torch, device):
    results = {}
    for order in ("retain_grad first", "hook first"):
        x = _x(torch, device, (1.0, 2.0))
        y = x * 1
        if order == "retain_grad first":
            y.retain_grad()
            y.register_hook(lambda g: g * 100)
        else:
            y.register_hook(lambda g: g * 100)
            y.retain_grad()
        y.sum().backward()
        results[order] = {"y.grad": y.grad, "x.grad": x.grad}
    return results


def case_retain_grad_flags(torch, device):
    x = _x(torch, device, (1.0, 2.0))
    y = x * 1
    y.retain_grad()
    y.retain_grad()
    leaf_result = observe.error(lambda: x.retain_grad())
    return {"y.retains_grad": y.retains_grad, "y.grad before backward": y.grad,
            "x.retain_grad()": leaf_result, "x.retains_grad": x.retains_grad}


def case_retain_grad_values(torch, device):
    x = _x(torch, device)
    y = x.sin()
    y.retain_grad()
    z = (y * y).sum()
    z.backward()
    return {"y.grad": y.grad, "x.grad": x.grad}


def case_hooks_fire_during_autograd_grad(torch, device):
    x = _x(torch, device, (1.0, 2.0))
    y = x * 2
    seen = []
    x.register_hook(lambda g: seen.append(["x", g.tolist()]))
    y.register_hook(lambda g: seen.append(["y", g.tolist()]))
    out = (y ** 2).sum()
    first = torch.autograd.grad(out, x, retain_graph=True)
    after_first = list(seen)
    seen.clear()
    second = torch.autograd.grad(out, y, retain_graph=True)
    return {"grad wrt x": first, "seen": after_first, "grad wrt y": second,
            "seen for y only": seen}


def case_hooks_fire_on_every_backward(torch, device):
    x = _x(torch, device, (1.0, 2.0))
    y = x * 2
    seen = []
    y.register_hook(lambda g: seen.append(g.tolist()))
    out = (y ** 2).sum()
    out.backward(retain_graph=True)
    out.backward()
    return {"seen": seen, "x.grad": x.grad}


def case_hook_order_follows_reverse_creation(torch, device):
    results = {}
    for swap in (False, True):
        a = _x(torch, device, (1.0,))
        b = _x(torch, device, (1.0,))
        order = []
        p = a * 2
        q = b * 3
        p.register_hook(lambda g: order.append("p (created first)"))
        q.register_hook(lambda g: order.append("q (created second)"))
        a.register_hook(lambda g: order.append("leaf a"))
        b.register_hook(lambda g: order.append("leaf b"))
        ((q + p) if swap else (p + q)).sum().backward()
        results["q + p" if swap else "p + q"] = order
    return results


def case_hook_changing_shape_raises(torch, device):
    x = _x(torch, device)
    y = x * 2
    y.register_hook(lambda g: torch.ones(2, device=device))
    return {"backward": observe.error(lambda: y.sum().backward())}


def case_hook_returning_non_tensor_raises(torch, device):
    x = _x(torch, device)
    y = x * 2
    y.register_hook(lambda g: 5.0)
    return {"backward": observe.error(lambda: y.sum().backward())}


def case_hook_on_tensor_without_grad_raises(torch, device):
    plain = torch.ones(3, device=device)
    return {"register_hook": observe.error(lambda: plain.register_hook(lambda g: g))}


def case_post_accumulate_grad_hook(torch, device):
    w = _x(torch, device, (1.0, 2.0))
    seen = []
    w.register_post_accumulate_grad_hook(
        lambda t: seen.append({"t is w": t is w, "t.grad": t.grad.clone()}))
    (w * 3).sum().backward()
    return {"seen": seen}


def case_node_hooks(torch, device):
    x = _x(torch, device, (1.0, 2.0))
    y = x * 5
    seen = []
    y.grad_fn.register_prehook(lambda grad_outputs: seen.append(["prehook", list(grad_outputs)]))
    y.grad_fn.register_hook(
        lambda grad_inputs, grad_outputs: seen.append(
            ["hook", list(grad_inputs), list(grad_outputs)]))
    y.sum().backward()
    return {"seen": seen, "x.grad": x.grad}


def case_node_prehook_replaces_gradient(torch, device):
    x = _x(torch, device, (1.0, 2.0))
    y = x * 5
    y.grad_fn.register_prehook(lambda grad_outputs: (grad_outputs[0] * 2,))
    y.sum().backward()
    return {"x.grad": x.grad}
