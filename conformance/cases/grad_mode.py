"""Grad mode: no_grad, enable_grad, set_grad_enabled (context, decorator and plain call),
inference_mode, nesting, restoring on exceptions, backward inside no_grad, thread-locality.
"""
import threading

import numpy as np

from conformance import observe
from conformance.cases._common import flags, leaf


def _a(torch, device):
    return leaf(torch, device, np.ones(3, dtype="float32"))


def case_no_grad_outputs_are_leaves(torch, device):
    a = _a(torch, device)
    before = torch.is_grad_enabled()
    with torch.no_grad():
        inside = torch.is_grad_enabled()
        y = a * 2
        s = a.sum()
    return {"is_grad_enabled before": before, "inside": inside,
            "after": torch.is_grad_enabled(), "y": y, "y flags": flags(y),
            "s flags": flags(s), "a flags": flags(a)}


def case_no_grad_factory_still_requires_grad(torch, device):
    with torch.no_grad():
        c = torch.tensor(np.array([1.0, 2.0], dtype="float32"), device=device,
                         requires_grad=True)
        d = torch.ones(2, device=device, requires_grad=True)
    return {"c": flags(c), "d": flags(d), "c value": c}


def case_no_grad_result_mixed_later(torch, device):
    a = _a(torch, device)
    with torch.no_grad():
        y = a * 2
    z = y * a
    return {"z": z, "z flags": flags(z), "graph(z)": observe.graph(z, a=a)}


def case_no_grad_decorator(torch, device):
    a = _a(torch, device)

    @torch.no_grad()
    def with_parentheses(x):
        return x * 2

    @torch.no_grad
    def without_parentheses(x):
        return x * 2

    return {"@no_grad()": flags(with_parentheses(a)),
            "@no_grad": flags(without_parentheses(a)),
            "name kept": without_parentheses.__name__}


def case_enable_grad_inside_no_grad(torch, device):
    a = _a(torch, device)
    with torch.no_grad():
        with torch.enable_grad():
            y1 = a * 2
        y2 = a * 2
        with torch.set_grad_enabled(True):
            y3 = a * 2
    with torch.enable_grad():
        with torch.no_grad():
            y4 = a * 2
    return {"enable_grad in no_grad": flags(y1), "no_grad": flags(y2),
            "set_grad_enabled(True) in no_grad": flags(y3), "no_grad in enable_grad": flags(y4)}


def case_enable_grad_decorator_inside_no_grad(torch, device):
    a = _a(torch, device)

    @torch.enable_grad()
    def double(x):
        return x * 2

    with torch.no_grad():
        y = double(a)
    return {"y": flags(y)}


def case_set_grad_enabled_context(torch, device):
    a = _a(torch, device)
    with torch.set_grad_enabled(False):
        inside = torch.is_grad_enabled()
        y = a * 2
    return {"inside": inside, "y": flags(y), "after": torch.is_grad_enabled()}


def case_set_grad_enabled_plain_call(torch, device):
    a = _a(torch, device)
    try:
        torch.set_grad_enabled(False)
        disabled = torch.is_grad_enabled()
        y = a * 2
    finally:
        torch.set_grad_enabled(True)
    return {"after set_grad_enabled(False)": disabled, "y": flags(y),
            "after set_grad_enabled(True)": torch.is_grad_enabled()}


def case_plain_call_inside_no_grad_is_undone_on_exit(torch, device):
    with torch.no_grad():
        torch.set_grad_enabled(True)
        inside = torch.is_grad_enabled()
    return {"inside": inside, "after": torch.is_grad_enabled()}


def case_exception_restores_mode(torch, device):
    try:
        with torch.no_grad():
            raise ValueError("boom")
    except ValueError:
        pass
    return {"after": torch.is_grad_enabled()}


def case_backward_inside_no_grad(torch, device):
    a = leaf(torch, device, np.array([1.0, -2.0, 3.0], dtype="float32"))
    loss = (a ** 2).sum()
    with torch.no_grad():
        loss.backward()
    return {"a.grad": a.grad}


def case_graph_built_in_no_grad_cannot_backward(torch, device):
    a = _a(torch, device)
    with torch.no_grad():
        loss = (a ** 2).sum()
    return {"loss": flags(loss), "backward": observe.error(lambda: loss.backward())}


def case_in_place_update_in_no_grad_keeps_leaf(torch, device):
    w = leaf(torch, device, np.array([1.0, 2.0], dtype="float32"))
    (w * 3).sum().backward()
    with torch.no_grad():
        w.sub_(0.1 * w.grad)
    return {"w": w, "w flags": flags(w)}


def case_in_place_on_leaf_outside_no_grad_raises(torch, device):
    w = leaf(torch, device, np.array([1.0, 2.0], dtype="float32"))
    return {"w.add_(1)": observe.error(lambda: w.add_(1))}


def case_inference_mode(torch, device):
    a = _a(torch, device)
    with torch.inference_mode():
        enabled = torch.is_inference_mode_enabled()
        grad_enabled = torch.is_grad_enabled()
        y = a * 2
    return {"is_inference_mode_enabled": enabled, "is_grad_enabled": grad_enabled,
            "y": y, "y flags": flags(y), "after": torch.is_grad_enabled(),
            "is_inference_mode_enabled after": torch.is_inference_mode_enabled()}


def case_inference_mode_decorator(torch, device):
    a = _a(torch, device)

    @torch.inference_mode()
    def double(x):
        return x * 2

    return {"double(a)": flags(double(a))}


def case_inference_mode_false(torch, device):
    with torch.inference_mode(False):
        inside = torch.is_grad_enabled()
    return {"is_grad_enabled in inference_mode(False)": inside}


def case_backward_inside_inference_mode(torch, device):
    a = leaf(torch, device, np.array([1.0, -2.0, 3.0], dtype="float32"))
    loss = (a ** 2).sum()
    with torch.inference_mode():
        result = observe.error(lambda: loss.backward())
    return {"backward": result, "a.grad": a.grad}


def case_grad_mode_is_thread_local(torch, device):
    a = _a(torch, device)
    seen = {}

    def worker(tag):
        seen[tag] = (torch.is_grad_enabled(), (a * 2).requires_grad)

    with torch.no_grad():
        thread = threading.Thread(target=worker, args=("spawned inside no_grad",))
        thread.start()
        thread.join()
        worker("main inside no_grad")

    def disabler():
        torch.set_grad_enabled(False)
        seen["thread after its own set_grad_enabled(False)"] = (
            torch.is_grad_enabled(), (a * 2).requires_grad)

    thread = threading.Thread(target=disabler)
    thread.start()
    thread.join()
    seen["main afterwards"] = (torch.is_grad_enabled(), (a * 2).requires_grad)
    return {name: list(value) for name, value in seen.items()}
