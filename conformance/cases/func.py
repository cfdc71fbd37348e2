"""``torch.func``: grad and grad_and_value (argnums, has_aux, containers, grad mode), vjp, jvp,
jacrev and jacfwd (argnums, several outputs, has_aux), hessian, their compositions
(jacrev(jacrev), jacfwd(jacrev), vmap(grad), vmap(jacrev), vmap(vjp_fn), hvp), vmap's in_dims
and out_dims (negative, None, nested, containers, keyword arguments, nesting) and randomness,
functional_call on a small nn module (tuple of dicts, buffers, strict, tied weights,
per-sample gradients), and the errors each transform raises for misuse.

vmap runs as a batched kernel in torch and may run as a loop elsewhere: the cases observe
values, shapes and requires_grad of vmap's outputs, not their grad_fn names.
"""
import collections

import numpy as np

from conformance import inputs, observe
from conformance.cases._common import flags, tensor


_Pair = collections.namedtuple("_Pair", "w b")


def _randn(torch, device, shape, key):
    return tensor(torch, device, inputs.randn(shape, "func/" + key))


def _f_scalar(x):
    return (x.sin() * x).sum()


def _predict(weight, bias, x):
    return (x @ weight.t() + bias).tanh()


def _linear_inputs(torch, device, n_out=3, n_in=4):
    return (_randn(torch, device, (n_out, n_in), "weight"), _randn(torch, device, (n_out,), "b"),
            _randn(torch, device, (n_in,), "x"))


# ---------------------------------------------------------------------------- grad


def case_grad_of_scalar_function(torch, device):
    x = _randn(torch, device, (2, 3), "x")
    g = torch.func.grad(_f_scalar)(x)
    return {"grad": g, "flags": flags(g), "x untouched": flags(x)}


def case_grad_argnums(torch, device):
    x, y = _randn(torch, device, (3,), "x"), _randn(torch, device, (3,), "y")

    def f(a, b):
        return (a * b.exp()).sum()
    return {"argnums=1": torch.func.grad(f, argnums=1)(x, y),
            "argnums=(0, 1)": torch.func.grad(f, argnums=(0, 1))(x, y),
            "argnums=-2": torch.func.grad(f, argnums=-2)(x, y),
            "argnums=(1,)": torch.func.grad(f, argnums=(1,))(x, y)}


def case_grad_has_aux_and_grad_and_value(torch, device):
    x = _randn(torch, device, (3,), "x")

    def f(a):
        y = a.exp()
        return y.sum(), {"y": y, "twice": (y * 2,)}
    g, aux = torch.func.grad(f, has_aux=True)(x)
    (g2, value) = torch.func.grad_and_value(lambda a: (a ** 3).sum())(x)
    (g3, (value3, aux3)) = torch.func.grad_and_value(f, has_aux=True)(x)
    return {"grad": g, "aux": aux, "aux flags": flags(aux["y"]), "g2": g2, "value": value,
            "value flags": flags(value), "g3": g3, "value3": value3, "aux3": aux3}


def case_grad_of_container_arguments(torch, device):
    params = {"w": _randn(torch, device, (2, 3), "w"), "b": _randn(torch, device, (2,), "b")}
    x = _randn(torch, device, (3,), "x")

    def loss(p, inp):
        return ((p["w"] @ inp + p["b"]) ** 2).sum()

    def loss_pair(pair, inp):
        return (pair[0] @ inp * pair[1][0]).sum()
    pair = _Pair(params["w"], params["b"])
    return {"dict": torch.func.grad(loss)(params, x),
            "nested tuple": torch.func.grad(loss_pair)((params["w"], [params["b"]]), x),
            "namedtuple": list(torch.func.grad(lambda p: (p.w @ x * p.b).sum())(pair)),
            "namedtuple type": type(torch.func.grad(lambda p: p.b.sum())(pair)).__name__}


def case_grad_of_unused_input_is_zero(torch, device):
    x, y = _randn(torch, device, (3,), "x"), _randn(torch, device, (2,), "y")
    return {"unused": torch.func.grad(lambda a, b: (a * 2).sum(), argnums=1)(x, y),
            "constant": torch.func.grad(lambda a: torch.ones(()) * 3)(x)}


def case_grad_mode_around_grad(torch, device):
    x = _randn(torch, device, (3,), "x")
    with torch.no_grad():
        under_no_grad = torch.func.grad(_f_scalar)(x)
    tracked = x.clone().requires_grad_()
    g = torch.func.grad(lambda a: (a ** 3).sum())(tracked)
    g.sum().backward()
    with torch.no_grad():
        g_off = torch.func.grad(lambda a: (a ** 3).sum())(tracked)
    return {"under no_grad": under_no_grad, "no_grad flags": flags(under_no_grad),
            "tracked requires_grad": g.requires_grad, "x.grad through grad": tracked.grad,
            "tracked under no_grad": flags(g_off)}


def case_higher_order_grad(torch, device):
    x = tensor(torch, device, np.float32(0.7))

    def f(a):
        return a.sin() * a ** 2
    g = torch.func.grad
    return {"f'": g(f)(x), "f''": g(g(f))(x), "f'''": g(g(g(f)))(x),
            "mixed": g(lambda a: g(lambda b: (a * b) ** 2)(a * 3))(x)}


def case_grad_errors(torch, device):
    x = _randn(torch, device, (3,), "x")
    g = torch.func.grad
    return {
        "non-scalar": observe.error(lambda: g(lambda a: a * 2)(x)),
        "2-d one element": observe.error(lambda: g(lambda a: a.sum().reshape(1, 1))(x)),
        "not a tensor": observe.error(lambda: g(lambda a: 3.0)(x)),
        "has_aux not a pair": observe.error(lambda: g(lambda a: a.sum(), has_aux=True)(x)),
        "argnums out of range": observe.error(lambda: g(lambda a: a.sum(), argnums=1)(x)),
        "argnums empty": observe.error(lambda: g(lambda a: a.sum(), argnums=())(x)),
        "argnums repeated": observe.error(
            lambda: g(lambda a, b: a.sum(), argnums=(0, 0))(x, x)),
        "argnums float": observe.error(lambda: g(lambda a: a.sum(), argnums=0.5)(x)),
        "argnum float in tuple": observe.error(
            lambda: g(lambda a: a.sum(), argnums=(0, 0.5))(x)),
        "input not a tensor": observe.error(lambda: g(lambda a: a * 2)(3.0)),
        "integer input": observe.error(
            lambda: g(lambda a: a.sum())(tensor(torch, device, np.arange(3)))),
        "aux not tensors": observe.error(
            lambda: g(lambda a: (a.sum(), 3), has_aux=True)(x)),
        "grad_and_value non-scalar": observe.error(
            lambda: torch.func.grad_and_value(lambda a: a)(x)),
    }


# ---------------------------------------------------------------------------- vjp and jvp


def case_vjp_single_and_repeated(torch, device):
    x = _randn(torch, device, (2, 3), "x")
    out, vjp_fn = torch.func.vjp(lambda a: a.exp() * a, x)
    ct1, ct2 = _randn(torch, device, (2, 3), "ct1"), _randn(torch, device, (2, 3), "ct2")
    first = vjp_fn(ct1)
    return {"out": out, "out flags": flags(out), "vjp": first, "is tuple":
            type(first).__name__, "vjp again": vjp_fn(ct2), "vjp first again": vjp_fn(ct1)}


def case_vjp_several_primals_outputs_and_aux(torch, device):
    x, y = _randn(torch, device, (3,), "x"), _randn(torch, device, (3,), "y")

    def f(a, b):
        return {"prod": a * b, "sum": (a + b).sum()}, a.cos()
    out, vjp_fn, aux = torch.func.vjp(f, x, y, has_aux=True)
    cts = {"prod": _randn(torch, device, (3,), "ct"), "sum": tensor(torch, device,
                                                                     np.float32(2.0))}
    return {"out": out, "aux": aux, "vjp": vjp_fn(cts)}


def case_vjp_errors(torch, device):
    x = _randn(torch, device, (3,), "x")
    _, vjp_fn = torch.func.vjp(lambda a: a * 2, x)
    _, vjp_two = torch.func.vjp(lambda a, b: (a * b, a + b), x, x)
    ones = torch.ones(3, device=device)
    return {
        "wrong shape": observe.error(lambda: vjp_fn(torch.ones(4, device=device))),
        "tuple for one output": observe.error(lambda: vjp_fn((ones, ones))),
        "list for a tuple": observe.error(lambda: vjp_two([ones, ones])),
        "unpacked (the second is retain_graph)": observe.error(lambda: vjp_two(ones, ones)),
        "output not a tensor": observe.error(lambda: torch.func.vjp(lambda a: 3.0, x)),
        "has_aux not a pair": observe.error(
            lambda: torch.func.vjp(lambda a: a, x, has_aux=True)),
        "primal not a tensor": observe.error(lambda: torch.func.vjp(lambda a: a, 3.0)),
    }


def case_jvp(torch, device):
    x, y = _randn(torch, device, (3,), "x"), _randn(torch, device, (3,), "y")
    tx, ty = _randn(torch, device, (3,), "tx"), _randn(torch, device, (3,), "ty")
    out, tangent = torch.func.jvp(lambda a: a.exp() * a.sin(), (x,), (tx,))
    outs, tangents = torch.func.jvp(lambda a, b: (a * b, (a / b.exp()).sum()), (x, y), (tx, ty))
    out3, tangent3, aux = torch.func.jvp(lambda a: (a ** 2, a.tanh()), (x,), (tx,),
                                         has_aux=True)
    const_out, const_tangent = torch.func.jvp(lambda a: torch.ones(2, device=device), (x,),
                                              (tx,))
    return {"out": out, "tangent": tangent, "flags": flags(tangent), "outs": outs,
            "tangents": tangents, "out3": out3, "tangent3": tangent3, "aux": aux,
            "constant": const_tangent}


def case_jvp_errors(torch, device):
    x = _randn(torch, device, (3,), "x")
    j = torch.func.jvp
    return {
        "primals not a tuple": observe.error(lambda: j(lambda a: a, x, (x,))),
        "tangents not a tuple": observe.error(lambda: j(lambda a: a, (x,), x)),
        "lengths differ": observe.error(lambda: j(lambda a: a, (x,), (x, x))),
        "shapes differ": observe.error(
            lambda: j(lambda a: a, (x,), (torch.ones(4, device=device),))),
        "integer tangent": observe.error(
            lambda: j(lambda a: a, (x,), (tensor(torch, device, np.arange(3)),))),
        "output not a tensor": observe.error(lambda: j(lambda a: 3.0, (x,), (x,))),
        "no primals": observe.error(lambda: j(lambda: x, (), ())),
        "primal not a tensor": observe.error(lambda: j(lambda a: a, (3.0,), (3.0,))),
        "has_aux not a pair": observe.error(lambda: j(lambda a: a, (x,), (x,), has_aux=True)),
    }


def case_hvp_forward_over_reverse_and_reverse_over_reverse(torch, device):
    x, v = _randn(torch, device, (5,), "x"), _randn(torch, device, (5,), "v")

    def f(a):
        return a.sin().sum()
    fwd_rev = torch.func.jvp(torch.func.grad(f), (x,), (v,))[1]
    _, vjp_fn = torch.func.vjp(torch.func.grad(f), x)
    return {"jvp(grad)": fwd_rev, "vjp(grad)": vjp_fn(v)}


# ---------------------------------------------------------------------------- Jacobians


def case_jacobian_of_a_layer(torch, device, transform):
    weight, bias, x = _linear_inputs(torch, device)
    jac = getattr(torch.func, transform)
    return {"argnums=2": jac(_predict, argnums=2)(weight, bias, x),
            "argnums=(0, 1)": jac(_predict, argnums=(0, 1))(weight, bias, x),
            "flags": flags(jac(_predict)(weight, bias, x))}


case_jacobian_of_a_layer.conformance_cases = [
    ("jacobian_of_a_layer", {"transform": name}, name) for name in ("jacrev", "jacfwd")]


def case_jacobian_structures(torch, device, transform):
    x, y = _randn(torch, device, (2, 2), "x"), _randn(torch, device, (3,), "y")
    jac = getattr(torch.func, transform)

    def f(a, b):
        return {"m": a @ a, "s": (a.sum() * b).exp()}
    with_aux = jac(lambda a: (a.exp(), a.sum()), has_aux=True)(y)
    return {"outputs dict": jac(f, argnums=(0, 1))(x, y),
            "scalar in and out": jac(lambda a: a ** 3)(tensor(torch, device, np.float32(2.))),
            "container argument": jac(lambda p: p["a"] * p["b"])({"a": y, "b": y.cos()}),
            "has_aux": with_aux, "empty": jac(lambda a: a[:0] * 2)(y)}


case_jacobian_structures.conformance_cases = [
    ("jacobian_structures", {"transform": name}, name) for name in ("jacrev", "jacfwd")]


def case_jacobian_errors(torch, device, transform):
    x = _randn(torch, device, (3,), "x")
    jac = getattr(torch.func, transform)
    return {"output not a tensor": observe.error(lambda: jac(lambda a: 3.0)(x)),
            "argnums out of range": observe.error(lambda: jac(lambda a: a, argnums=2)(x)),
            "has_aux not a pair": observe.error(lambda: jac(lambda a: a, has_aux=True)(x)),
            "input not a tensor": observe.error(lambda: jac(lambda a: a)(2.0))}


case_jacobian_errors.conformance_cases = [
    ("jacobian_errors", {"transform": name}, name) for name in ("jacrev", "jacfwd")]


def case_hessians_by_composition(torch, device):
    weight, bias, x = _linear_inputs(torch, device)
    f = torch.func
    return {"hessian": f.hessian(_predict, argnums=2)(weight, bias, x),
            "jacfwd(jacfwd)": f.jacfwd(f.jacfwd(_predict, argnums=2), argnums=2)(weight, bias, x),
            "jacrev(jacrev)": f.jacrev(f.jacrev(_predict, argnums=2), argnums=2)(weight, bias, x),
            "jacrev(jacfwd)": f.jacrev(f.jacfwd(_predict, argnums=2), argnums=2)(weight, bias, x),
            "scalar": f.hessian(_f_scalar)(x),
            "argnums=(0, 1)": f.hessian(lambda a, b: (a * b.exp()).sum(), argnums=(0, 1))(x, x)}


def case_jacobian_of_tracked_input_is_differentiable(torch, device):
    x = _randn(torch, device, (3,), "x").requires_grad_()
    jac = torch.func.jacrev(lambda a: a.sin() * a)(x)
    jac.sum().backward()
    return {"jac": jac, "requires_grad": jac.requires_grad, "x.grad": x.grad}


# ---------------------------------------------------------------------------- vmap


def case_vmap_in_dims(torch, device):
    a, b = _randn(torch, device, (2, 3), "a"), _randn(torch, device, (3,), "b")
    vmap = torch.func.vmap
    calls = {
        "0": lambda: vmap(lambda u: u.sum() * u)(a),
        "1": lambda: vmap(lambda u: u.sum() * u, in_dims=1)(a),
        "-1": lambda: vmap(lambda u: u.exp(), in_dims=-1)(a),
        "(0, None)": lambda: vmap(lambda u, v: u * v, in_dims=(0, None))(a, b),
        "(1, 0)": lambda: vmap(lambda u, v: u * v, in_dims=(1, 0))(a, b),
        "nested tuple": lambda: vmap(lambda p: p[0] + p[1], in_dims=((0, 1),))((a, a.t())),
        "dict": lambda: vmap(lambda d: d["u"] * 2, in_dims=({"u": 1},))({"u": a}),
        "kwargs unmapped": lambda: vmap(lambda u, scale: u * scale)(a, scale=b),
        "non-tensor unmapped": lambda: vmap(lambda u, n: u * n, in_dims=(0, None))(a, 3),
    }
    # each call observed on its own: a wrong mapping may raise (sizes that do not agree)
    return {name: observe.error(call) for name, call in calls.items()}


def case_vmap_out_dims(torch, device):
    a, c = _randn(torch, device, (2, 3), "a"), _randn(torch, device, (4,), "c")
    vmap = torch.func.vmap
    return {
        "1": vmap(lambda u: u * 2, out_dims=1)(a),
        "-1": vmap(lambda u: u * 2, out_dims=-1)(a),
        "(1, 0)": vmap(lambda u: (u, u.sum()), out_dims=(1, 0))(a),
        "unbatched output": vmap(lambda u: c)(a),
        "None for unbatched": vmap(lambda u: (u * 2, c), out_dims=(0, None))(a),
        "non-tensor with None": vmap(lambda u: (u, "text"), out_dims=(0, None))(a),
        "(1,) for one tensor": vmap(lambda u: u * 2, out_dims=(1,))(a),
    }


def case_vmap_nested_and_differentiable(torch, device):
    a = _randn(torch, device, (2, 3, 4), "a")
    vmap = torch.func.vmap
    inner = vmap(lambda u: u.sum() * u.max(), in_dims=1)
    tracked = a.clone().requires_grad_()
    out = vmap(vmap(lambda u: (u * u).sum()))(tracked)
    out.sum().backward()
    # the output's grad_fn is left out: torch records the batched op's node, a loop a stack
    return {"vmap(vmap)": vmap(vmap(lambda u: u.sum()))(a), "in_dims 1 inside": vmap(inner)(a),
            "out": out.detach(), "requires_grad": out.requires_grad, "a.grad": tracked.grad}


def case_vmap_composed_with_transforms(torch, device):
    weight, bias, _ = _linear_inputs(torch, device)
    xs = _randn(torch, device, (5, 4), "xs")
    f = torch.func
    _, vjp_fn = f.vjp(lambda u: _predict(weight, bias, u), xs[0])
    return {
        "vmap(grad)": f.vmap(f.grad(lambda u: (u.tanh() * u).sum()))(xs),
        "vmap(jacrev)": f.vmap(f.jacrev(_predict, argnums=2), in_dims=(None, None, 0))(
            weight, bias, xs),
        "vmap(jacfwd)": f.vmap(f.jacfwd(_predict, argnums=2), in_dims=(None, None, 0))(
            weight, bias, xs),
        "vmap(vjp_fn)": f.vmap(vjp_fn)(torch.eye(3, device=device)),
        "vmap(hessian)": f.vmap(f.hessian(lambda u: u.sin().sum() * u.sum()))(xs[:2]),
        "grad(vmap)": f.grad(lambda u: f.vmap(lambda r: r.exp().sum())(u).sum())(xs),
    }


def case_vmap_errors(torch, device):
    a = _randn(torch, device, (2, 3), "a")
    vmap = torch.func.vmap

    def ident(u):
        return u
    return {
        "sizes differ": observe.error(
            lambda: vmap(lambda u, v: u + v)(torch.ones(2, device=device),
                                               torch.ones(3, device=device))),
        "in_dim too big": observe.error(lambda: vmap(ident, in_dims=2)(a)),
        "in_dim of a 0-d tensor": observe.error(
            lambda: vmap(ident)(tensor(torch, device, np.float32(1.0)))),
        "in_dims structure": observe.error(lambda: vmap(lambda u, v: u, in_dims=(0,))(a, a)),
        "in_dims float": observe.error(lambda: vmap(ident, in_dims=0.5)(a)),
        "in_dims None": observe.error(lambda: vmap(ident, in_dims=None)(a)),
        "in_dim float inside": observe.error(lambda: vmap(ident, in_dims=(0.5,))(a)),
        "nothing mapped": observe.error(lambda: vmap(ident, in_dims=(None,))(a)),
        "no inputs": observe.error(lambda: vmap(lambda: a)()),
        "non-tensor mapped": observe.error(lambda: vmap(ident)(3.0)),
        "returns non-tensor": observe.error(lambda: vmap(lambda u: 3.0)(a)),
        "out_dims structure": observe.error(
            lambda: vmap(lambda u: (u, u), out_dims=(0, 1, 0))(a)),
        "out_dim too big": observe.error(lambda: vmap(ident, out_dims=2)(a)),
        "out_dims None for batched": observe.error(lambda: vmap(ident, out_dims=None)(a)),
        "randomness value": observe.error(lambda: vmap(ident, randomness="sometimes")),
        "chunk_size 0": observe.error(lambda: vmap(ident, chunk_size=0)(a)),
        "chunk_size 1": vmap(lambda u: u * 2, chunk_size=1)(a),
        "jacrev chunk_size 0": observe.error(
            lambda: torch.func.jacrev(ident, chunk_size=0)(a)),
        "jacrev chunk_size 2": torch.func.jacrev(lambda u: u.exp(), chunk_size=2)(a),
    }


def case_vmap_randomness(torch, device):
    a = _randn(torch, device, (3, 4), "a")
    vmap = torch.func.vmap

    def noisy(u):
        return u * 0 + torch.rand(4, device=device)
    same = vmap(noisy, randomness="same")(a)
    different = vmap(noisy, randomness="different")(a)
    # the numbers are each library's own; what is observed is where they repeat
    return {"error": observe.error(lambda: vmap(noisy)(a)),
            "error without drawing": vmap(lambda u: u * 2)(a),
            "same: rows equal": [bool(torch.equal(same[0], row)) for row in same],
            "different: rows differ": [bool(torch.equal(different[0], row))
                                       for row in different[1:]],
            "shape": tuple(same.shape),
            "error outside, same inside": observe.error(
                lambda: vmap(vmap(noisy, randomness="same"))(a[None])),
            "different outside, same inside": vmap(vmap(lambda u: u * 0 + torch.rand(()),
                                                        randomness="same"),
                                                   randomness="different")(a).shape}


# ---------------------------------------------------------------------------- functional_call


def _net(torch, device):
    net = torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.Tanh(), torch.nn.Linear(3, 2))
    with torch.no_grad():
        for name, p in net.named_parameters():
            p.copy_(_randn(torch, device, tuple(p.shape), "net/" + name))
    return net.to(device)


def _params(torch, device, net, key):
    return {name: _randn(torch, device, tuple(p.shape), key + "/" + name)
            for name, p in net.named_parameters()}


def case_functional_call(torch, device):
    net = _net(torch, device)
    x = _randn(torch, device, (5, 4), "x")
    params = _params(torch, device, net, "p")
    before = {name: p.detach().clone() for name, p in net.named_parameters()}
    out = torch.func.functional_call(net, params, (x,))
    split = ({k: v for k, v in params.items() if k.startswith("0.")},
             {k: v for k, v in params.items() if k.startswith("2.")})
    partial = torch.func.functional_call(net, {"2.bias": params["2.bias"]}, x)
    after = {name: bool(torch.equal(p.detach(), before[name]))
             for name, p in net.named_parameters()}
    return {"out": out, "flags": flags(out), "tuple of dicts":
            torch.func.functional_call(net, split, (x,)), "partial": partial,
            "kwargs": torch.func.functional_call(net, params, args=(), kwargs={"input": x}),
            "module unchanged": after, "module out": net(x)}


def case_functional_call_gradients(torch, device):
    net = _net(torch, device)
    params = {k: v.detach() for k, v in net.named_parameters()}
    xs, ys = _randn(torch, device, (4, 4), "xs"), _randn(torch, device, (4, 2), "ys")

    def loss(p, x, y):
        return ((torch.func.functional_call(net, p, (x,)) - y) ** 2).mean()
    per_sample = torch.func.vmap(torch.func.grad(loss), in_dims=(None, 0, 0))(params, xs, ys)
    return {"grad": torch.func.grad(loss)(params, xs, ys), "per-sample grads": per_sample,
            "module grads untouched": [p.grad is None for p in net.parameters()]}


def case_functional_call_tied_weights_and_errors(torch, device):
    class Tied(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.a = torch.nn.Linear(3, 3, bias=False)
            self.b = torch.nn.Linear(3, 3, bias=False)
            self.b.weight = self.a.weight

        def forward(self, x):
            return self.b(self.a(x))
    class Scaled(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.register_buffer("scale", torch.ones(3))

        def forward(self, x):
            return x * self.scale
    net = Tied().to(device)
    with torch.no_grad():
        net.a.weight.copy_(_randn(torch, device, (3, 3), "tied"))
    w = _randn(torch, device, (3, 3), "w")
    x = _randn(torch, device, (3,), "x")
    fc = torch.func.functional_call
    lin = torch.nn.Linear(3, 2).to(device)
    scaled = Scaled().to(device)
    return {
        "buffer": fc(scaled, {"scale": w[0]}, (x,)), "buffer after": scaled.scale,
        "tied": fc(net, {"a.weight": w}, (x,)),
        "untied": fc(net, {"a.weight": w}, (x,), tie_weights=False),
        "module itself": net(x),
        "missing, strict": observe.error(lambda: fc(lin, {"weight": torch.ones(2, 3)}, (x,),
                                                    strict=True)),
        "unexpected and missing, strict": observe.error(
            lambda: fc(lin, {"foo": w, "weight": torch.ones(2, 3)}, (x,), strict=True)),
        "repeated key": observe.error(
            lambda: fc(lin, ({"weight": torch.ones(2, 3)}, {"weight": torch.ones(2, 3)}),
                       (x,))),
        "not a dict": observe.error(lambda: fc(lin, 3, (x,))),
    }
