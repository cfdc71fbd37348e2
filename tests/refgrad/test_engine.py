"""The backward engine: accumulation, freeing, retain_graph, create_graph, inputs=,
autograd.grad and hooks. Each scenario runs on refgrad and on torch and the observations
(values, errors, warnings) must be equal."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from conftest import LIBS, arr, outcome, warnings_of


def observe(value):
    """Tensors -> (shape, dtype, values, requires_grad, grad_fn name); recursively."""
    if hasattr(value, "grad_fn") and hasattr(value, "dtype"):
        fn = value.grad_fn
        return ("T", tuple(value.shape), str(value.dtype), arr(value).tolist(),
                value.requires_grad, type(fn).__name__ if fn is not None else None)
    if isinstance(value, (list, tuple)):
        return [observe(v) for v in value]
    return value


def compare(scenario):
    seen = {name: observe(scenario(lib)) for name, lib in LIBS.items()}
    assert seen["refgrad"] == seen["torch"]


def run(fn):
    kind, value = outcome(fn)
    return value if kind == "ok" else (kind, value)


SECOND_BACKWARD = [
    "a", "a+b", "a-b", "a*b", "a/b", "-a", "a+1", "a-1", "1-a", "a*2", "2*a", "a/2", "2/a",
    "a+c", "a*c", "c*a", "a**2", "a**1", "a**0", "2**a", "p**a", "torch.exp(a)", "torch.log(p)",
    "torch.sin(a)", "torch.tanh(a)", "torch.sigmoid(a)", "torch.relu(a)", "torch.abs(a)",
    "torch.sqrt(p)", "torch.clamp(a, min=0)", "torch.maximum(a, b)",
    "torch.where(a > 0, a, b)", "a.sum()", "a.sum(0)", "a.mean()", "a.mean(0)", "a.max()",
    "a.max(1).values", "a.min()", "a.amax(1)", "a.reshape(3, 2)", "a.view(6)", "a.T", "a.t()",
    "a.transpose(0, 1)", "a.unsqueeze(0)", "a.unsqueeze(0).squeeze()", "a.T.reshape(6)",
    "a.expand(4, 2, 3)", "a[0]", "a[:, 1]", "a[0:1]", "a[[0, 1]]", "a[a > 0]", "a.clone()",
    "a.double()", "torch.cat([a, b])", "torch.stack([a, b])", "v @ v", "v @ B", "A @ v",
    "A @ B", "bA @ bB", "bA @ B", "A @ B.detach()", "torch.softmax(a, 1)",
    "torch.log_softmax(a, 1)", "F.mse_loss(a, b)", "F.binary_cross_entropy(q, y)",
    "F.binary_cross_entropy_with_logits(a, y)",
    "F.binary_cross_entropy_with_logits(a, y, pos_weight=torch.ones(3))",
    "F.cross_entropy(a, cls)",
]


@pytest.mark.parametrize("expr", SECOND_BACKWARD)
def test_second_backward_raises_exactly_when_a_tensor_was_saved(expr):
    rng = np.random.default_rng(0)

    def scenario(lib):
        def t(*shape, positive=False, grad=True):
            data = rng.random(shape) + 0.5 if positive else rng.standard_normal(shape)
            return lib.tensor(data.astype(np.float32), requires_grad=grad)
        names = dict(torch=lib, F=lib.nn.functional, a=t(2, 3), b=t(2, 3),
                     p=t(2, 3, positive=True), c=t(2, 3, grad=False), A=t(2, 3), B=t(3, 4),
                     v=t(3), bA=t(5, 2, 3), bB=t(5, 3, 4),
                     y=lib.tensor([[0., 1., 1.], [1., 0., 0.]]), cls=lib.tensor([2, 0]),
                     q=lib.tensor([[.2, .7, .9], [.6, .5, .1]], requires_grad=True))
        leaves = [names[k] for k in ("a", "b", "p", "A", "B", "v", "bA", "bB", "q")]
        out = eval(expr, names).sum()
        out.backward()
        first = [None if x.grad is None else arr(x.grad).copy() for x in leaves]
        second = run(out.backward)
        doubled = all(g is None or np.allclose(arr(x.grad), 2 * g)
                      for g, x in zip(first, leaves))
        return [second, doubled]
    compare(scenario)


def test_backward_twice_message_and_partial_accumulation():
    def scenario(lib):
        a = lib.ones(3, requires_grad=True)
        b = lib.ones(3, requires_grad=True)
        out = (a * 2).sum() + b.sum()
        out.backward()
        failed = run(out.backward)
        a2 = lib.ones(3, requires_grad=True)
        b2 = lib.ones(3, requires_grad=True)
        out2 = b2.sum() + (a2 * 2).sum()
        out2.backward()
        failed2 = run(out2.backward)
        return [failed, a.grad, b.grad, failed2, a2.grad, b2.grad]
    compare(scenario)


def test_freed_graph_reused_from_a_new_root():
    def scenario(lib):
        a = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
        e = a.exp()
        e.sum().backward()
        reuse = run(lambda: e.mean().backward())
        saved = run(lambda: e.grad_fn._saved_result)
        a.grad = None
        s = a + 1
        s.sum().backward()
        s.mean().backward()
        return [reuse, saved, a.grad]
    compare(scenario)


def test_implicit_and_explicit_gradient_checks():
    def scenario(lib):
        a = lib.tensor([1.0, -2.0, 3.0], requires_grad=True)
        y = a * 2
        s = (a * 2).sum()
        results = [run(y.backward), run((a.reshape(1, 3) * 2).backward)]
        for g in [lib.ones(2), lib.ones(1), lib.ones(1, 3), lib.ones(3, 1)]:
            results.append(run(lambda: y.backward(g, retain_graph=True)))
        results.append(run(lambda: y.backward([1.0, 1.0, 1.0], retain_graph=True)))
        results.append(run(lambda: y.backward(2.0, retain_graph=True)))
        results.append(run(lambda: s.backward(lib.ones(1), retain_graph=True)))
        results.append(run(lambda: s.backward(lib.tensor(2.0), retain_graph=True)))
        results.append(a.grad)
        a.grad = None
        results.append(run(lambda: (a[:1] * 2).backward()))      # one element: implicit ok
        results.append(a.grad)
        for g in [lib.ones(3, dtype=lib.float64), lib.tensor([1, 2, 3]),
                  lib.tensor([True, False, True])]:
            a.grad = None
            y.backward(g, retain_graph=True)
            results.append(a.grad)
        return results
    compare(scenario)


def test_backward_on_tensors_that_do_not_require_grad():
    def scenario(lib):
        a = lib.tensor([1.0, 2.0], requires_grad=True)
        with lib.no_grad():
            z = (a * 2).sum()
        return [run(lambda: lib.ones(3).sum().backward()),
                run(lambda: lib.ones(3).backward(lib.ones(3))), run(z.backward),
                run(lambda: a.detach().sum().backward())]
    compare(scenario)


def test_grad_is_created_then_accumulated_in_place():
    def scenario(lib):
        w = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
        before = w.grad
        y = (w * w).sum()
        y.backward(retain_graph=True)
        g1 = w.grad
        y.backward(retain_graph=True)
        same_object = w.grad is g1
        w.grad.zero_()
        still_same = w.grad is g1
        y.backward()
        third = w.grad
        w.grad = None
        (w * 3).sum().backward()
        return [before, g1, same_object, still_same, third, w.grad, w.grad is not g1,
                w.grad.requires_grad, w.grad.is_leaf, w.grad.grad_fn]
    compare(scenario)


def test_leaf_used_many_times_and_broadcast_reduction():
    def scenario(lib):
        w = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
        out = []
        for f in [lambda: (w * w + w).sum(), lambda: (w + w).sum(),
                  lambda: w.sum() + (w ** 2).sum() + w[0] * 10, lambda: w @ w,
                  lambda: lib.stack([w, w, w]).sum()]:
            w.grad = None
            f().backward()
            out.append(w.grad)
        a = lib.ones(2, 3, requires_grad=True)
        b = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
        b1 = lib.ones(1, 3, requires_grad=True)
        s = lib.tensor(2.0, requires_grad=True)
        (a * b * b1 * s).sum().backward()
        out += [a.grad, b.grad, b1.grad, s.grad]
        x32 = lib.tensor([1.0, 2.0], requires_grad=True)
        x64 = lib.tensor([3.0, 4.0], dtype=lib.float64, requires_grad=True)
        r = x32 * x64
        r.sum().backward()
        out += [r, x32.grad, x64.grad]
        c = lib.tensor([1.0, 2.0], requires_grad=True)
        d = c.double() * 2
        d.sum().backward()
        out += [d, c.grad]
        return out
    compare(scenario)


def test_gradient_argument_and_leaf_backward():
    def scenario(lib):
        x = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
        (x * 2).backward(lib.tensor([1.0, 0.1, 0.01]))
        out = [x.grad]
        x.grad = None
        (x * 2).sum().backward(lib.tensor(3.0))
        out.append(x.grad)
        x.grad = None
        g = lib.tensor([5.0, 6.0, 7.0])
        x.backward(g)
        out += [x.grad, x.grad is g]
        s = lib.tensor(3.0, requires_grad=True)
        s.backward()
        out.append(s.grad)
        return out
    compare(scenario)


def test_create_graph_grads_and_warning():
    import refgrad.autograd.engine as engine
    engine._warned_create_graph[0] = False

    def scenario(lib):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        (x ** 3).sum().backward(create_graph=True)
        first = x.grad
        (x ** 3).sum().backward(create_graph=True)
        return [arr(first).tolist(), first.requires_grad, arr(x.grad).tolist(),
                x.grad is first, x.grad.grad_fn is not None]
    compare(scenario)
    engine._warned_create_graph[0] = False
    import refgrad
    x = refgrad.tensor([1.0], requires_grad=True)
    seen = warnings_of(lambda: [(x * x).sum().backward(create_graph=True) for _ in range(3)])
    assert len(seen) == 1 and seen[0][0] == "UserWarning"
    assert seen[0][1].startswith("Using backward() with create_graph=True will create a ")


def test_retain_grad_and_inputs_argument():
    def scenario(lib):
        a = lib.tensor([1.0, 2.0], requires_grad=True)
        y = a * 3
        y.retain_grad()
        z = (y ** 2).sum()
        z.backward(retain_graph=True)
        out = [y.grad, a.grad, y.retains_grad]
        first = y.grad
        z.backward()
        out += [y.grad, a.grad, y.grad is first]
        c = lib.tensor([1.0, 2.0])
        (a * c).sum().backward()
        out.append(c.grad)
        a = lib.tensor([1.0, 2.0], requires_grad=True)
        b = lib.tensor([3.0, 4.0], requires_grad=True)
        (a * b).sum().backward(inputs=[a], retain_graph=True)
        out += [a.grad, b.grad]
        y = a * 2
        (y * b).sum().backward(inputs=[y])
        out += [y.grad, a.grad]
        out.append(run(lambda: (a * 2).sum().backward(inputs=[lib.ones(2)])))
        out.append(run(lambda: (a * 2).sum().backward(inputs=[b])))
        out.append(b.grad)
        out.append(run(lambda: (a * 2).sum().backward(inputs=[])))
        out.append(run(lambda: lib.ones(3).retain_grad()))
        out.append(run(a.retain_grad))
        out.append(a.retains_grad)
        return out
    compare(scenario)


def test_autograd_grad():
    def scenario(lib):
        x = lib.tensor(2.0, requires_grad=True)
        y = x ** 3
        out = [lib.autograd.grad(y, x), x.grad, run(lambda: lib.autograd.grad(y, x))]
        y = x ** 3
        out += [lib.autograd.grad(y, [x], retain_graph=True),
                lib.autograd.grad(y, (x,), retain_graph=True), lib.autograd.grad([y], [x])]
        a = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
        b = lib.tensor([4.0, 5.0, 6.0], requires_grad=True)
        h = a * b
        o = h.sum()
        out.append(lib.autograd.grad(o, [a, b, h], retain_graph=True))
        out.append(lib.autograd.grad([h.sum(), (a ** 2).sum()], a, retain_graph=True))
        out.append(run(lambda: lib.autograd.grad(h, a)))
        out.append(lib.autograd.grad(h, a, grad_outputs=lib.tensor([1.0, 0.0, 2.0]),
                                     retain_graph=True))
        out.append(lib.autograd.grad([h, h.sum()], a,
                                     grad_outputs=[lib.ones(3), lib.tensor(10.0)],
                                     retain_graph=True))
        out.append(lib.autograd.grad([h, h.sum()], a, grad_outputs=[lib.ones(3), None],
                                     retain_graph=True))
        out.append(run(lambda: lib.autograd.grad(h, a, grad_outputs=lib.ones(2))))
        out += [a.grad, b.grad]
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        z = lib.tensor([3.0, 4.0], requires_grad=True)
        y = (x * 2).sum()
        g = lib.autograd.grad
        out += [run(lambda: g(y, [x, z], retain_graph=True)),
                g(y, [x, z], allow_unused=True, retain_graph=True),
                g(y, [x, z], allow_unused=True, materialize_grads=True, retain_graph=True),
                run(lambda: g(y, [x, lib.ones(2)], retain_graph=True)),
                run(lambda: g(lib.ones(2).sum(), [x])),
                run(lambda: g(y, [], retain_graph=True)),
                run(lambda: g(y, [x], allow_unused=False, materialize_grads=True)),
                run(lambda: g(y, [x * 1], retain_graph=True)),
                run(lambda: g(y, [x.detach()], retain_graph=True))]
        return out
    compare(scenario)


def test_higher_order_derivatives():
    def scenario(lib):
        x = lib.tensor(2.0, requires_grad=True)
        y = x ** 3
        (g1,) = lib.autograd.grad(y, x, create_graph=True)
        (g2,) = lib.autograd.grad(g1, x, create_graph=True)
        (g3,) = lib.autograd.grad(g2, x, create_graph=True)
        (g4,) = lib.autograd.grad(g3, x, create_graph=True)
        v = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
        g = lib.autograd.grad((v ** 3).sum(), v, create_graph=True)[0]
        gg = lib.autograd.grad(g.sum(), v)[0]
        plain = lib.autograd.grad((v ** 3).sum(), v)[0]
        w = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
        lib.autograd.grad((w ** 3).sum(), w, create_graph=True)[0].sum().backward()
        s = lib.tensor(0.5, requires_grad=True)
        d1 = lib.autograd.grad(lib.sigmoid(s), s, create_graph=True)[0]
        d2 = lib.autograd.grad(d1, s)[0]
        return [arr(t).tolist() for t in (g1, g2, g3, g4, g, gg, plain, w.grad, d1)] + [
            g.requires_grad, gg.requires_grad, plain.requires_grad, plain.grad_fn is None,
            round(float(d2), 6), x.grad]
    compare(scenario)


def test_hessian_vector_product():
    def scenario(lib):
        x = lib.tensor([0.5, -1.0, 2.0], requires_grad=True)
        v = lib.tensor([1.0, 0.5, -0.25])
        f = (x.exp() * x.sin()).sum() + (x ** 2).sum() * x.sum()
        (g,) = lib.autograd.grad(f, x, create_graph=True)
        (hv,) = lib.autograd.grad((g * v).sum(), x)
        return np.round(arr(hv), 5).tolist()
    compare(scenario)


def test_functional_backward():
    def scenario(lib):
        a = lib.tensor([1.0, 2.0], requires_grad=True)
        lib.autograd.backward([(a * 2).sum(), (a * 3).sum()])
        out = [a.grad]
        a.grad = None
        lib.autograd.backward(a * 2, grad_tensors=lib.tensor([1.0, 10.0]))
        out.append(a.grad)
        a.grad = None
        lib.autograd.backward([a * 2, a * 3], [lib.ones(2), lib.ones(2)])
        out.append(a.grad)
        return out
    compare(scenario)


def test_backward_inside_no_grad_and_inference_mode():
    def scenario(lib):
        a = lib.tensor([1.0, -2.0, 3.0], requires_grad=True)
        loss = (a ** 2).sum()
        with lib.no_grad():
            loss.backward()
        out = [a.grad]
        a.grad = None
        loss = (a ** 2).sum()
        with lib.inference_mode():
            out.append(run(loss.backward))
        out.append(a.grad)
        return out
    compare(scenario)


# ------------------------------------------------------------------------------------ hooks

def test_hooks_chain_in_registration_order():
    def scenario(lib):
        x = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
        y = x * 2
        log = []
        y.register_hook(lambda g: log.append(("h1", arr(g).tolist())))
        y.register_hook(lambda g: (log.append(("h2", arr(g).tolist())), g * 10)[1])
        y.register_hook(lambda g: log.append(("h3", arr(g).tolist())))
        y.sum().backward()
        return [log, x.grad]
    compare(scenario)


def test_leaf_hook_and_handle_removal():
    def scenario(lib):
        x = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
        h = x.register_hook(lambda g: g * 0 + 7)
        (x * 2).sum().backward()
        out = [x.grad, type(h).__name__]
        h.remove()
        x.grad = None
        (x * 2).sum().backward()
        h.remove()
        out.append(x.grad)
        return out
    compare(scenario)


def test_hook_fires_once_with_summed_gradient_and_retain_grad_is_post_hook():
    def scenario(lib):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = x * 1
        calls = []
        y.register_hook(lambda g: calls.append(arr(g).tolist()))
        x.register_hook(lambda g: calls.append(("leaf", arr(g).tolist())))
        (y * 3 + y * 5 + x).sum().backward()
        out = [calls, x.grad]
        for before in (True, False):
            x = lib.tensor([1.0, 2.0], requires_grad=True)
            y = x * 1
            if before:
                y.retain_grad()
            y.register_hook(lambda g: g * 100)
            if not before:
                y.retain_grad()
            y.sum().backward()
            out += [y.grad, x.grad]
        return out
    compare(scenario)


def test_hook_errors():
    def scenario(lib):
        out = []
        for hook in [lambda g: lib.ones(2), lambda g: 5.0, lambda g: g.double()]:
            x = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
            y = x * 2
            y.register_hook(hook)
            out.append(run(lambda: y.sum().backward()))
        out.append(run(lambda: lib.ones(3).register_hook(lambda g: g)))
        return out
    compare(scenario)


def test_hooks_during_autograd_grad_and_order_across_branches():
    def scenario(lib):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = x * 2
        seen = []
        x.register_hook(lambda g: seen.append(("x", arr(g).tolist())))
        y.register_hook(lambda g: seen.append(("y", arr(g).tolist())))
        out = (y ** 2).sum()
        r1 = lib.autograd.grad(out, x, retain_graph=True)
        s1 = list(seen)
        seen.clear()
        r2 = lib.autograd.grad(out, y, retain_graph=True)
        s2 = list(seen)
        orders = []
        for swap in (False, True):
            a = lib.tensor([1.0], requires_grad=True)
            b = lib.tensor([1.0], requires_grad=True)
            order = []
            p = a * 2
            q = b * 3
            p.register_hook(lambda g: order.append("p"))
            q.register_hook(lambda g: order.append("q"))
            a.register_hook(lambda g: order.append("a"))
            b.register_hook(lambda g: order.append("b"))
            ((q + p) if swap else (p + q)).sum().backward()
            orders.append(order)
        return [r1, s1, r2, s2, orders]
    compare(scenario)


def test_post_accumulate_and_node_hooks():
    def scenario(lib):
        w = lib.tensor([1.0, 2.0], requires_grad=True)
        seen = []
        w.register_post_accumulate_grad_hook(lambda t: seen.append((t is w, arr(t.grad))))
        (w * 3).sum().backward()
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = x * 5
        y.grad_fn.register_prehook(lambda go: seen.append(("pre", observe(list(go)))))
        y.grad_fn.register_hook(lambda gi, go: seen.append(("post", observe(list(gi)))))
        y.sum().backward()
        return [[(s[0], arr(s[1]).tolist()) if s[0] is True else s for s in seen], x.grad]
    compare(scenario)


def test_tutorial_smoke():
    """The seed tutorial's flow, same inputs on both sides: same prints, same gradients."""
    import re
    rng = np.random.default_rng(0)
    w0 = rng.standard_normal((5, 3)).astype(np.float32)
    b0 = rng.standard_normal(3).astype(np.float32)

    def scenario(torch):
        out = []
        x = torch.ones(5)
        y = torch.zeros(3)
        w = torch.tensor(w0, requires_grad=True)
        b = torch.tensor(b0, requires_grad=True)
        z = torch.matmul(x, w) + b
        loss = torch.nn.functional.binary_cross_entropy_with_logits(z, y)
        out += [str(loss), str(z.grad_fn), str(loss.grad_fn)]
        loss.backward()
        out += [str(w.grad), str(b.grad), arr(w.grad).tolist(), arr(b.grad).tolist()]
        z = torch.matmul(x, w) + b
        out.append(z.requires_grad)
        with torch.no_grad():
            z = torch.matmul(x, w) + b
        out += [z.requires_grad, (torch.matmul(x, w) + b).detach().requires_grad]
        inp = torch.eye(5, requires_grad=True)
        res = (inp + 1).pow(2)
        res.backward(torch.ones_like(inp), retain_graph=True)
        out.append(str(inp.grad))
        res.backward(torch.ones_like(inp), retain_graph=True)
        out.append(str(inp.grad))
        inp.grad.zero_()
        res.backward(torch.ones_like(inp), retain_graph=True)
        out.append(str(inp.grad))
        return [re.sub(r"0x[0-9a-f]+", "0x?", o) if isinstance(o, str) else o for o in out]
    assert scenario(LIBS["refgrad"]) == scenario(LIBS["torch"])


def test_an_op_on_a_no_grad_view_saves_for_it_and_frees_on_backward():
    """A view made under no_grad requires grad but has no edge; the op on it still saves what
    that input's VJP reads, so a second backward raises as torch's does (found by fuzzing)."""
    def scenario(lib):
        x = lib.tensor([[0.5, 1.0, 2.0]], requires_grad=True)
        with lib.no_grad():
            view = x.t()
        y = view / lib.tensor([[[1.0], [0.5], [0.5]], [[1.0], [2.0], [4.0]]])
        first = outcome(lambda: y.backward(lib.ones(2, 3, 1)))
        second = outcome(lambda: y.backward(lib.ones(2, 3, 1)))
        return first[0], second[0], second[1][:50], x.grad is None

    assert scenario(LIBS["refgrad"]) == scenario(LIBS["torch"])
    assert scenario(LIBS["torch"])[1] == "RuntimeError"


def test_numpy_errors_are_quiet_through_the_public_errstate_only():
    import warnings

    from refgrad.autograd import numpy_errors
    big = np.array([3e38], np.float32)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with numpy_errors.quiet():
            assert numpy_errors.is_quiet() and np.geterr()["over"] == "ignore"
            with numpy_errors.quiet():          # nested: nothing entered again
                big * 10
            assert numpy_errors.is_quiet()
        assert not numpy_errors.is_quiet()
        # one computation, quiet, without leaving NumPy quiet for the caller
        assert numpy_errors.call_quietly(np.multiply, big, 10)[0] == np.inf
        assert numpy_errors.call_quietly(np.geterr)["over"] == "ignore"
        assert not numpy_errors.is_quiet()
    assert np.geterr()["over"] == "warn"        # the caller's state is back
    source = "".join(p.read_text() for p in Path(numpy_errors.__file__).parent.glob("*.py"))
    assert "_multiarray_umath" not in source and "getrefcount" not in source


def test_first_gradient_is_never_an_alias_of_another():
    # a + b hands the same gradient object to both edges; a hook keeps the one it saw
    refgrad = LIBS["refgrad"]
    a = refgrad.ones(3, requires_grad=True)
    b = refgrad.ones(3, requires_grad=True)
    seen = []
    b.register_hook(lambda g: seen.append(g))
    (a + b).sum().backward()
    assert a.grad is not b.grad and b.grad is not seen[0]
    (a + b).sum().backward()                    # in place into a.grad only
    assert a.grad.tolist() == [2.0] * 3 and seen[0].tolist() == [1.0] * 3
