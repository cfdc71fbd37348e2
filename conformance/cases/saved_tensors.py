"""Saved tensors: the ``grad_fn._saved_<name>`` / ``_raw_saved_<name>`` attributes (which names,
what they hand back, their errors once the graph is freed), ``register_hooks`` on a raw saved
tensor, ``autograd.graph.saved_tensors_hooks`` (what the pack hook is given and when, what the
unpack hook's result becomes, nesting, threads, the errors), ``disable_saved_tensors_hooks``,
``save_on_cpu``, and a custom Function's ``save_for_backward`` through the same hooks.
"""
import threading

import numpy as np

from conformance import observe
from conformance.case import parametrize
from conformance.cases._common import grad_fn_name, leaf, tensor


def _a(torch, device, values=(1.0, 2.0, 3.0)):
    return leaf(torch, device, np.array(values, dtype="float32"))


def _b(torch, device, requires_grad=True):
    return tensor(torch, device, np.array([4.0, -5.0, 6.0], dtype="float32"), requires_grad)


def _hooks(torch):
    return torch.autograd.graph.saved_tensors_hooks


def _class_only(fn):
    """The exception class alone, for errors whose text is a binding's own signature dump."""
    result = observe.error(fn)
    return result.type if isinstance(result, observe.Raised) else "no error"


EXPRESSIONS = {
    "a*b": lambda t, a, b: a * b,
    "a*2": lambda t, a, b: a * 2,
    "a/b": lambda t, a, b: a / b,
    "a**2": lambda t, a, b: a ** 2,
    "a**0.5": lambda t, a, b: a ** 0.5,
    "a**b": lambda t, a, b: a ** b,
    "exp": lambda t, a, b: a.exp(),
    "sigmoid": lambda t, a, b: a.sigmoid(),
    "relu": lambda t, a, b: a.relu(),
    "sum": lambda t, a, b: a.sum(),
    "sum(0)": lambda t, a, b: a.sum(0),
    "a+b": lambda t, a, b: a.add(b, alpha=2),
    "softmax": lambda t, a, b: a.softmax(0),
    "a*b.detach()": lambda t, a, b: a * b.detach(),
}


@parametrize("expr", list(EXPRESSIONS))
def case_saved_attribute_names(torch, device, expr):
    a, b = _a(torch, device), _b(torch, device)
    fn = EXPRESSIONS[expr](torch, a, b).grad_fn
    names = sorted(n for n in dir(fn) if n.startswith(("_saved_", "_raw_saved_")))
    values = {}
    for name in names:
        value = observe.error(lambda: getattr(fn, name))
        if name.startswith("_raw_saved_"):
            value = type(value).__name__
        elif not hasattr(value, "shape"):
            value = [type(value).__name__, value]
        values[name] = value
    return {"node": type(fn).__name__, "names": names, "values": values}


def case_saved_inputs_are_the_inputs_and_the_result_is_not(torch, device):
    a, b = _a(torch, device), _b(torch, device)
    y, e = a * b, a.exp()
    result = e.grad_fn._saved_result
    return {"self is a": y.grad_fn._saved_self is a, "other is b": y.grad_fn._saved_other is b,
            "result is e": result is e, "result equals e": bool(result.equal(e)),
            "result grad_fn": grad_fn_name(result), "same node": result.grad_fn is e.grad_fn,
            "raw is raw": type(y.grad_fn._raw_saved_self).__name__,
            "raw unpack is a": y.grad_fn._raw_saved_self.unpack() is a}


def case_saved_after_backward(torch, device):
    a, b = _a(torch, device), _b(torch, device)
    y = a * b
    raw = y.grad_fn._raw_saved_self
    y.sum().backward()
    return {"_saved_self": observe.error(lambda: y.grad_fn._saved_self),
            "_saved_other": observe.error(lambda: y.grad_fn._saved_other),
            "_raw_saved_self": type(observe.error(lambda: y.grad_fn._raw_saved_self)).__name__,
            "register_hooks": observe.error(
                lambda: raw.register_hooks(lambda x: x, lambda x: x)),
            "unknown name": observe.error(lambda: y.grad_fn._saved_nothing)}


def case_saved_with_retain_graph(torch, device):
    a = _a(torch, device)
    e = a.exp()
    e.sum().backward(retain_graph=True)
    after_first = e.grad_fn._saved_result
    e.sum().backward()
    return {"after first": after_first, "a.grad": a.grad,
            "after second": observe.error(lambda: e.grad_fn._saved_result)}


def case_raw_saved_register_hooks(torch, device):
    a = _a(torch, device)
    y = a * a
    log = []
    raw = y.grad_fn._raw_saved_self

    def pack(x):
        log.append(["pack", x.tolist(), x.requires_grad, grad_fn_name(x)])
        return x * 10

    def unpack(x):
        log.append(["unpack", x.tolist()])
        return x
    raw.register_hooks(pack, unpack)
    again = observe.error(lambda: raw.register_hooks(lambda x: x, lambda x: x))
    saved = y.grad_fn._saved_self
    y.sum().backward()
    return {"log": log, "again": again, "saved": saved, "a.grad": a.grad}


def case_raw_saved_register_hooks_errors(torch, device):
    a, c = _a(torch, device), _b(torch, device, requires_grad=False)
    y = a * c                           # self is not saved: a needs no grad of c
    return {"_saved_self": y.grad_fn._saved_self,
            "value None": observe.error(
                lambda: y.grad_fn._raw_saved_self.register_hooks(lambda x: x, lambda x: x)),
            "one hook": _class_only(lambda: (a * a).grad_fn._raw_saved_self.register_hooks(
                lambda x: x)),
            "no name for numbers": observe.error(lambda: (a ** 2).grad_fn._raw_saved_exponent)}


def case_hooks_pack_and_unpack_order(torch, device):
    log = []

    def pack_hook(x):
        log.append(["Packing", x.tolist(), x.requires_grad, grad_fn_name(x)])
        return x

    def unpack_hook(x):
        log.append(["Unpacking", x.tolist()])
        return x
    a = tensor(torch, device, np.ones(5, dtype="float32"), requires_grad=True)
    b = tensor(torch, device, np.ones(5, dtype="float32"), requires_grad=True) * 2
    with _hooks(torch)(pack_hook, unpack_hook):
        y = a * b
    log.append("forward done")
    y.sum().backward()
    return {"log": log, "a.grad": a.grad}


def case_hooks_see_the_saved_tensors_themselves(torch, device):
    a, c = _a(torch, device), _b(torch, device, requires_grad=False)
    seen = []
    with _hooks(torch)(lambda x: (seen.append(x), x)[1], lambda x: x):
        y = a * c                   # saves c only
        e = a.exp()                 # saves its result
        s = a * 2                   # a Python number is not given to the hooks
        q = a * a
    return {"count": len(seen), "which": [[t is c, t is e, t is a] for t in seen],
            "names": [grad_fn_name(t) for t in seen],
            "s": s, "y": y, "q": q}


def case_hooks_run_pack_under_no_grad(torch, device):
    a = _a(torch, device)
    modes = []
    pack = (lambda x: (modes.append(["pack", torch.is_grad_enabled(),
                                     (x * 1).requires_grad]), x)[1])
    unpack = (lambda x: (modes.append(["unpack", torch.is_grad_enabled()]), x)[1])
    with _hooks(torch)(pack, unpack):
        y = a.exp()
    y.grad_fn._saved_result
    y.sum().backward()
    return {"modes": modes}


def case_hooks_scale_and_unscale(torch, device):
    x = _a(torch, device)
    with _hooks(torch)(lambda t: t * 4, lambda t: t / 4):
        y = torch.pow(x, 2)
    y.sum().backward()
    return {"x.grad": x.grad, "equals 2x": bool(x.grad.equal(2 * x))}


def case_hooks_pack_to_any_object(torch, device):
    storage = []

    def pack_index(x):
        storage.append(x)
        return len(storage) - 1
    grads = {}
    for name, pack, unpack in [
            ("index", pack_index, lambda i: storage[i]),
            ("tuple", lambda x: (x - 1, lambda t: t + 1), lambda p: p[1](p[0])),
            ("dict", lambda x: {"t": x.tolist()}, lambda d: torch.tensor(d["t"], device=device))]:
        x = _a(torch, device)
        with _hooks(torch)(pack, unpack):
            y = x * x
        y.sum().backward()
        grads[name] = x.grad
    return grads


def case_hooks_unpacked_tensor_takes_the_saved_place(torch, device):
    a = _a(torch, device)
    z = a * 2
    c = _b(torch, device, requires_grad=False)
    with _hooks(torch)(lambda x: x, lambda x: x.detach()):
        leaf_saved = (a * a).grad_fn._saved_self
        nonleaf_saved = (z * z).grad_fn._saved_self
        e = a.exp()
        plain = (a * c).grad_fn._saved_other
    out_saved = e.grad_fn._saved_result

    def where(t):
        return [t.requires_grad, t.is_leaf, grad_fn_name(t)]
    return {"leaf": where(leaf_saved), "leaf is a": leaf_saved is a,
            "non-leaf": where(nonleaf_saved), "non-leaf is z": nonleaf_saved is z,
            "output": where(out_saved), "output node": out_saved.grad_fn is e.grad_fn,
            "not requiring grad": where(plain), "is c": plain is c}


def case_hooks_unpack_returning_a_non_tensor(torch, device):
    a = _a(torch, device)
    with _hooks(torch)(lambda x: "packed", lambda x: x):
        y = a * a
    return {"access": observe.error(lambda: y.grad_fn._saved_self),
            "backward": observe.error(lambda: y.sum().backward())}


def case_hooks_pack_modifying_its_input(torch, device):
    a = _a(torch, device)
    b = a * 1
    with _hooks(torch)(lambda x: x.mul_(2), lambda x: x):
        error = observe.error(lambda: b.detach() * b)
    return {"error": error, "b after": b}


def case_hooks_pack_raising(torch, device):
    a = _a(torch, device)

    def pack(x):
        raise ValueError("pack failed")
    with _hooks(torch)(pack, lambda x: x):
        error = observe.error(lambda: a * a)
    return {"error": error}


def case_hooks_nest_innermost_wins(torch, device):
    a = _a(torch, device)
    log = []

    def logging(name):
        return (lambda x: (log.append(name + " pack"), x)[1],
                lambda x: (log.append(name + " unpack"), x)[1])
    with _hooks(torch)(*logging("outer")):
        with _hooks(torch)(*logging("inner")):
            y = a * a
        z = a.exp()
    w = a.sin()
    y.sum().backward()
    z.sum().backward()
    w.sum().backward()
    return {"log": log, "a.grad": a.grad}


def case_hooks_are_per_thread(torch, device):
    a = _a(torch, device)
    packed = []
    with _hooks(torch)(lambda x: (packed.append("pack"), x)[1], lambda x: x):
        worker = threading.Thread(target=lambda: a * a)
        worker.start()
        worker.join()
        here = a * a
    return {"packed": packed, "here": here}


def case_hooks_skip_the_version_check(torch, device):
    a = _a(torch, device)
    z = a * 1
    with _hooks(torch)(lambda x: x, lambda x: x):
        y = z * z
    with torch.no_grad():
        z.add_(1)
    unhooked = z * z
    with torch.no_grad():
        z.add_(1)
    return {"hooked backward": observe.error(lambda: y.sum().backward()), "a.grad": a.grad,
            "unhooked backward": observe.error(lambda: unhooked.sum().backward())}


def case_hooks_unpack_on_every_use_and_free(torch, device):
    a = _a(torch, device)
    counts = {"unpack": 0, "deleted": 0}

    class Packed:
        def __init__(self, t):
            self.t = t

        def __del__(self):
            counts["deleted"] += 1

    def unpack(p):
        counts["unpack"] += 1
        return p.t
    with _hooks(torch)(Packed, unpack):
        y = a * a
    y.grad_fn._saved_self
    y.grad_fn._saved_other
    y.sum().backward(retain_graph=True)
    after_retained = dict(counts)
    y.sum().backward()
    return {"after retained backward": after_retained, "after last backward": dict(counts),
            "access after": observe.error(lambda: y.grad_fn._saved_self), "a.grad": a.grad}


def case_hooks_double_backward(torch, device):
    x = _a(torch, device)
    with _hooks(torch)(lambda t: t * 2, lambda t: t / 2):
        y = (x * x * x).sum()
    (g,) = torch.autograd.grad(y, x, create_graph=True)
    (gg,) = torch.autograd.grad(g.sum(), x)
    return {"first": g, "second": gg}


def case_disable_saved_tensors_hooks(torch, device):
    a = _a(torch, device)
    graph = torch.autograd.graph
    with graph.disable_saved_tensors_hooks("hooks are off here"):
        entering = observe.error(lambda: _hooks(torch)(lambda x: x, lambda x: x).__enter__())
        on_cpu = observe.error(lambda: graph.save_on_cpu().__enter__())
        y = a * a
    with _hooks(torch)(lambda x: x, lambda x: x):
        inside_hooks = observe.error(
            lambda: graph.disable_saved_tensors_hooks("not while hooks are on").__enter__())

    @graph.disable_saved_tensors_hooks("decorated")
    def decorated():
        return observe.error(lambda: _hooks(torch)(lambda x: x, lambda x: x).__enter__())
    after = []
    with _hooks(torch)(lambda x: (after.append("pack"), x)[1], lambda x: x):
        a * a
    return {"entering": entering, "save_on_cpu": on_cpu, "y": y,
            "inside hooks": inside_hooks, "decorated": decorated(), "after": after}


@parametrize("pin_memory", [False, True], ids=["pageable", "pin_memory"])
def case_save_on_cpu(torch, device, pin_memory):
    x = _a(torch, device)
    w = _b(torch, device)
    with torch.autograd.graph.save_on_cpu(pin_memory=pin_memory):
        y = w * x
        saved = y.grad_fn._saved_self
        e = x.exp()
    (y.sum() + e.sum()).backward()
    return {"saved": saved, "saved is w": saved is w, "on w's device": saved.device == w.device,
            "x.grad": x.grad, "w.grad": w.grad,
            "is saved_tensors_hooks": isinstance(torch.autograd.graph.save_on_cpu(),
                                                 torch.autograd.graph.saved_tensors_hooks)}


def case_custom_function_saved_through_hooks(torch, device):
    log = []

    class Scale(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            out = x * 3
            ctx.save_for_backward(x, out)
            return out

        @staticmethod
        def backward(ctx, g):
            x, out = ctx.saved_tensors
            log.append(["backward sees", grad_fn_name(out), out.requires_grad])
            return g * out / x

    x = _a(torch, device)
    pack = (lambda t: (log.append(["pack", t.tolist(), grad_fn_name(t)]), t)[1])
    unpack = (lambda t: (log.append(["unpack", t.tolist()]), t)[1])
    with _hooks(torch)(pack, unpack):
        y = Scale.apply(x)
    raw = y.grad_fn._raw_saved_tensors
    y.sum().backward()
    return {"log": log, "raw": [type(r).__name__ for r in raw], "x.grad": x.grad,
            "raw after": observe.error(lambda: y.grad_fn._raw_saved_tensors)}
