"""detach(): flags, shared storage (an in-place change shows through both tensors), the shared
version counter (and the backward error it causes), detach().requires_grad_() as a new leaf.
"""
import numpy as np

from conformance import observe
from conformance.cases._common import flags, leaf


def _a(torch, device):
    return leaf(torch, device, np.array([1.0, 2.0, 3.0], dtype="float32"))


def case_flags(torch, device):
    a = _a(torch, device)
    d = a.detach()
    y = a * 2
    yd = y.detach()
    return {"a.detach()": flags(d), "(a*2).detach()": flags(yd), "value": yd,
            "a unchanged": flags(a)}


def case_shares_storage(torch, device):
    a = _a(torch, device)
    d = a.detach()
    d.zero_()
    return {"a after d.zero_()": a, "d": d}


def case_shares_storage_of_non_leaf(torch, device):
    a = _a(torch, device)
    y = a * 2
    d = y.detach()
    d.add_(1)
    return {"y after d.add_(1)": y}


def case_version_counter_is_shared(torch, device):
    a = _a(torch, device)
    d = a.detach()
    before = (a._version, d._version)
    d.mul_(2)
    return {"versions before": list(before), "versions after": [a._version, d._version]}


def case_version_counter_error_through_detach_of_leaf(torch, device):
    a = _a(torch, device)
    out = a ** 2
    a.detach().add_(1)
    return {"backward": observe.error(lambda: out.sum().backward()), "a.grad": a.grad}


def case_version_counter_error_through_detach_of_output(torch, device):
    a = _a(torch, device)
    y = a.exp()
    y.detach().zero_()
    return {"y": y, "backward": observe.error(lambda: y.sum().backward())}


def case_detached_then_requires_grad_is_a_new_leaf(torch, device):
    a = _a(torch, device)
    d = a.detach().requires_grad_()
    (d * 3).sum().backward()
    return {"d": flags(d), "d.grad": d.grad, "a.grad": a.grad}


def case_detach_breaks_the_graph(torch, device):
    a = _a(torch, device)
    out = a * a.detach()
    out.sum().backward()
    return {"a.grad": a.grad, "graph(out)": observe.graph(out, a=a)}


def case_detach_of_no_grad_tensor(torch, device):
    c = torch.tensor(np.array([1.0, 2.0], dtype="float32"), device=device)
    d = c.detach()
    return {"d": flags(d), "backward": observe.error(lambda: d.sum().backward())}


def case_detach_then_clone_does_not_share(torch, device):
    a = _a(torch, device)
    copy = a.detach().clone()
    copy.zero_()
    return {"a": a, "copy": copy, "copy flags": flags(copy)}


def case_detach_in_place(torch, device):
    a = _a(torch, device)
    y = a * 2
    result = y.detach_()
    return {"returns self": result is y, "y": flags(y)}
