"""Anomaly mode: ``detect_anomaly`` / ``set_detect_anomaly`` and the flags they set (global, not
per thread), the warning ``detect_anomaly`` gives when made, and what a backward does in
anomaly mode: a failing node warns "Error detected in <Node>." with the forward call's
traceback (or that none was recorded) before the error goes on, and for a node made by a
backward with ``create_graph`` the node that induced it; a NaN gradient raises with
``check_nan``, and the version-counter error's hint changes.

Tracebacks name files and lines that differ between lanes, so a warning is observed as its
category, its first line, and whether the forward line of the case appears in it.
"""
import threading

import numpy as np

from conformance import observe
from conformance.cases._common import leaf


def _x(torch, device, values=(1.0, 4.0)):
    return leaf(torch, device, np.array(values, dtype="float32"))


def _flags(torch):
    return [torch.is_anomaly_enabled(), torch.is_anomaly_check_nan_enabled()]


def _anomaly_backward(fn, forward_text):
    """Run ``fn`` recording warnings: its result (or error) and each warning as
    ``[category, first line of text, forward_text appears in it]``."""
    seen = observe.warnings(fn)
    return {"result": seen.result,
            "warnings": [[w.category, w.message.strip().split("\n")[0],
                          forward_text in w.message] for w in seen.warnings]}


def case_flags_through_the_context_managers(torch, device):
    autograd = torch.autograd
    states = {"before": _flags(torch)}
    with autograd.set_detect_anomaly(True):
        states["set_detect_anomaly(True)"] = _flags(torch)
        with autograd.set_detect_anomaly(False):
            states["nested False"] = _flags(torch)
        states["back"] = _flags(torch)
    states["after"] = _flags(torch)
    with autograd.set_detect_anomaly(True, check_nan=False):
        states["check_nan=False"] = _flags(torch)
    autograd.set_detect_anomaly(True)
    states["as a function"] = _flags(torch)
    autograd.set_detect_anomaly(False)
    states["switched off"] = _flags(torch)
    torch.set_anomaly_enabled(True, False)
    states["set_anomaly_enabled"] = _flags(torch)
    torch.set_anomaly_enabled(False)
    states["end"] = _flags(torch)
    return states


def case_detect_anomaly_warns_when_made(torch, device):
    states = {}

    def run():
        manager = torch.autograd.detect_anomaly()
        states["made"] = _flags(torch)
        with manager:
            states["inside"] = _flags(torch)
        with torch.autograd.detect_anomaly(check_nan=False):
            states["check_nan=False"] = _flags(torch)
        states["after"] = _flags(torch)
    seen = observe.warnings(run)
    return {"warnings": seen.warnings, "states": states}


def case_set_detect_anomaly_does_not_warn(torch, device):
    def run():
        with torch.autograd.set_detect_anomaly(True):
            pass
    return {"warnings": observe.warnings(run).warnings}


def case_detect_anomaly_is_not_a_decorator(torch, device):
    def run():
        return torch.autograd.detect_anomaly()(lambda: 1)
    return {"call": observe.warnings(run).result, "flags": _flags(torch)}


def case_anomaly_mode_is_global(torch, device):
    seen = []
    with torch.autograd.set_detect_anomaly(True):
        worker = threading.Thread(target=lambda: seen.append(_flags(torch)))
        worker.start()
        worker.join()
    return {"in another thread": seen}


def case_nan_from_sqrt_of_negative(torch, device):
    x = _x(torch, device, (-1.0, 4.0))
    with torch.autograd.set_detect_anomaly(True):
        y = x.sqrt()  # forward: sqrt
        result = _anomaly_backward(lambda: y.sum().backward(), "y = x.sqrt()  # forward: sqrt")
    return {**result, "x.grad": x.grad}


def case_nan_in_the_second_output(torch, device):
    d = _x(torch, device, (0.0, 1.0))
    with torch.autograd.set_detect_anomaly(True):
        q = d / d  # forward: div
        result = _anomaly_backward(lambda: q.sum().backward(), "q = d / d  # forward: div")
    return result


def case_nan_from_a_nan_operand(torch, device):
    x = _x(torch, device)
    with torch.autograd.set_detect_anomaly(True):
        y = x * float("nan")  # forward: times nan
        result = _anomaly_backward(lambda: y.sum().backward(), "# forward: times nan")
    return result


def case_nan_root_gradient(torch, device):
    x = _x(torch, device)
    with torch.autograd.set_detect_anomaly(True):
        s = x.sum()  # forward: sum
        nan = torch.tensor(float("nan"), device=device)
        result = _anomaly_backward(lambda: s.backward(nan), "s = x.sum()  # forward: sum")
    return result


def case_nan_through_autograd_grad(torch, device):
    x = _x(torch, device, (-1.0, 4.0))
    with torch.autograd.set_detect_anomaly(True):
        y = x.sqrt().sum()  # forward: grad
        result = _anomaly_backward(lambda: torch.autograd.grad(y, x), "# forward: grad")
    return result


def case_nan_in_the_forward_only_is_fine(torch, device):
    x = leaf(torch, device, np.array([float("nan"), 1.0], dtype="float32"))
    with torch.autograd.set_detect_anomaly(True):
        y = x * 3
        result = _anomaly_backward(lambda: y.sum().backward(), "y = x * 3")
    return {**result, "x.grad": x.grad}


def case_check_nan_off(torch, device):
    d = _x(torch, device, (0.0, 1.0))
    with torch.autograd.set_detect_anomaly(True, check_nan=False):
        q = d / d
        result = _anomaly_backward(lambda: q.sum().backward(), "q = d / d")
    return {**result, "d.grad": d.grad}


def case_anomaly_off_lets_nan_through(torch, device):
    x = _x(torch, device, (-1.0, 4.0))
    result = _anomaly_backward(lambda: x.sqrt().sum().backward(), "x.sqrt()")
    return {**result, "x.grad": x.grad}


def case_no_anomaly_no_warning(torch, device):
    x = _x(torch, device)
    with torch.autograd.set_detect_anomaly(True):
        y = (x.exp() * x).sum()
        result = _anomaly_backward(lambda: y.backward(), "x.exp()")
    return {**result, "x.grad": x.grad}


def case_error_in_a_custom_backward(torch, device):
    class Failing(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x.clone()

        @staticmethod
        def backward(ctx, grad):
            raise ValueError("Some error in backward")

    x = _x(torch, device)
    with torch.autograd.set_detect_anomaly(True):
        y = Failing.apply(x)  # forward: custom
        result = _anomaly_backward(lambda: y.sum().backward(), "y = Failing.apply(x)")
    return result


def case_version_error_hint(torch, device):
    x = _x(torch, device)
    with torch.autograd.set_detect_anomaly(True):
        e = x.exp()  # forward: exp
        with torch.no_grad():
            e.add_(1)
        result = _anomaly_backward(lambda: e.sum().backward(), "e = x.exp()  # forward: exp")
    return result


def case_node_made_before_anomaly_mode(torch, device):
    x = _x(torch, device)
    e = x.exp()
    e.sum().backward()
    with torch.autograd.set_detect_anomaly(True):
        result = _anomaly_backward(lambda: e.sum().backward(), "e = x.exp()")
    return result


def case_traceback_lists_the_callers(torch, device):
    def inner(t):
        return t.sqrt()  # forward: inner

    def outer(t):
        return inner(t) * 2  # forward: outer

    x = _x(torch, device, (-1.0, 4.0))
    with torch.autograd.set_detect_anomaly(True):
        y = outer(x).sum()
        seen = observe.warnings(lambda: y.backward())
    (warning,) = seen.warnings
    text = warning.message
    lines = [text.index(marker) if marker in text else None
             for marker in ("return inner(t) * 2  # forward: outer",
                            "return t.sqrt()  # forward: inner")]
    return {"error": seen.result, "head": text.split("\n")[0],
            "outer before inner": None not in lines and lines[0] < lines[1]}


def case_error_in_a_double_backward_names_the_inducing_node(torch, device):
    class Second(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x.clone()

        @staticmethod
        def backward(ctx, grad):
            raise ValueError("second order fails")

    class First(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x.clone()

        @staticmethod
        def backward(ctx, grad):
            (x,) = ctx.saved_tensors
            return Second.apply(x) * grad  # made in backward

    x = _x(torch, device)
    with torch.autograd.set_detect_anomaly(True):
        y = First.apply(x).sum()  # forward: first
        (g,) = torch.autograd.grad(y, x, create_graph=True)
        made = _anomaly_backward(lambda: g.sum().backward(), "return Second.apply(x) * grad")
    again = First.apply(x).sum()
    (g2,) = torch.autograd.grad(again, x, create_graph=True)
    with torch.autograd.set_detect_anomaly(True):
        later = _anomaly_backward(lambda: g2.sum().backward(), "# forward: first")
    return {"made in backward": made, "graph made before anomaly mode": later}
