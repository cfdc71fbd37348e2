"""Forward-mode AD (``torch.autograd.forward_ad``): dual tensors through the op catalogue (the
first instance of every entry's first family, its differentiable operands made dual with
seeded tangents: the primal and the tangent of the result), make_dual / unpack_dual and their
errors, levels, printing, dual tensors that require grad (forward over reverse), in-place ops,
custom Functions with ``jvp``, ``autograd.functional.jvp`` and ``gradcheck`` with
``check_forward_ad=True``.
"""
import numpy as np

from conformance import inputs, observe, opdb
from conformance.case import family
from conformance.cases._common import NUMPY_DTYPES, grad_fn_name, leaf, tensor


def _catalogue_instances():
    """``(case name, params, param id)``: one instance per catalogue entry (its first family's
    first instance) whose family observes a VJP - the ops, not the entries that are reverse
    mode themselves (``torch.autograd.grad``)."""
    chosen = []
    for op in opdb.OPS:
        if not op.cases or not op.cases[0].vjp or op.attribute.startswith("torch.autograd"):
            continue
        spec = op.cases[0]
        params, param_id = spec.instances()[0]
        chosen.append((f"jvp_{spec.name}", {"name": spec.name, **params}, param_id))
    return chosen


@family(_catalogue_instances())
def case_op_jvp(torch, device, name, **params):
    spec = opdb.FAMILIES[name]
    dtype, _ = spec.dtype_pair(params)
    key = spec.key_for(params, dtype)
    operands = spec.operands_for(params)
    # plain tensors (no reverse mode): the tangents' own graphs are the reverse-mode cases'
    tensors = [operand.tensor(torch, device, key, dtype).detach() for operand in operands]
    fwad = torch.autograd.forward_ad
    with fwad.dual_level():
        duals = []
        for operand, t in zip(operands, tensors):
            if operand.grad and t.dtype.is_floating_point:
                array = inputs.randn(tuple(t.shape), key + "/tangent/" + operand.name,
                                     NUMPY_DTYPES[str(t.dtype).replace("torch.", "")])
                t = fwad.make_dual(t, tensor(torch, device, array))
            duals.append(t)
        out = spec.output(spec.run(torch, duals, params))
        primal, tangent = fwad.unpack_dual(out)
        return {"out": primal, "tangent": tangent, "out.grad_fn": grad_fn_name(out)}


# ------------------------------------------------------------------ make_dual / unpack_dual

def _x(torch, device):
    return tensor(torch, device, np.array([-1.5, 0.5, 2.0], dtype="float32"))


def _v(torch, device):
    return tensor(torch, device, np.array([1.0, -2.0, 0.25], dtype="float32"))


def case_make_dual_needs_a_level(torch, device):
    fwad = torch.autograd.forward_ad
    return {"make_dual": observe.error(lambda: fwad.make_dual(_x(torch, device),
                                                              _v(torch, device))),
            "unpack_dual": fwad.unpack_dual(_x(torch, device)).tangent is None}


def case_make_dual_errors(torch, device):
    fwad = torch.autograd.forward_ad
    x = _x(torch, device)
    with fwad.dual_level():
        dual = fwad.make_dual(x, _v(torch, device))
        return {
            "size": observe.error(lambda: fwad.make_dual(x, tensor(torch, device,
                                                                  np.ones(2, "float32")))),
            "integer primal": observe.error(lambda: fwad.make_dual(
                tensor(torch, device, np.array([1, 2, 3])), _v(torch, device))),
            "integer tangent": observe.error(lambda: fwad.make_dual(
                x, tensor(torch, device, np.array([1, 2, 3])))),
            "already dual": observe.error(lambda: fwad.make_dual(dual, _v(torch, device))),
            "wrong level": observe.error(lambda: fwad.make_dual(x, _v(torch, device),
                                                                level=3)),
        }


def case_levels(torch, device):
    fwad = torch.autograd.forward_ad
    observed = {"exit without a level": observe.error(fwad.exit_dual_level)}
    with fwad.dual_level() as level:
        observed["level"] = level
        observed["nested"] = observe.error(fwad.enter_dual_level)
        observed["exit another level"] = observe.error(lambda: fwad.exit_dual_level(level=2))
    observed["entered again"] = fwad.enter_dual_level()
    fwad.exit_dual_level()
    return observed


def case_unpack_dual_namedtuple(torch, device):
    fwad = torch.autograd.forward_ad
    x, v = _x(torch, device), _v(torch, device)
    with fwad.dual_level():
        dual = fwad.make_dual(x, v)
        unpacked = fwad.unpack_dual(dual)
        observed = {
            "type": type(unpacked).__name__, "fields": list(unpacked._fields),
            "primal": unpacked.primal, "tangent is v": unpacked.tangent is v,
            "primal is x": unpacked.primal is x,
            "primal shares x's storage": unpacked.primal.data_ptr() == x.data_ptr(),
            "plain tensor": list(fwad.unpack_dual(x)),
            "by index": [unpacked[0], unpacked[1]],
            "dual is a view": dual._base is x,
        }
        out = dual * 2
    observed["after the level"] = fwad.unpack_dual(out).tangent is None
    observed["dual after the level"] = fwad.unpack_dual(dual).tangent is None
    return observed


def case_tangent_of_another_layout_is_copied(torch, device):
    fwad = torch.autograd.forward_ad
    x = tensor(torch, device, inputs.randn((3, 2), "fwd/layout"))
    t = tensor(torch, device, inputs.randn((2, 3), "fwd/layout/t"))
    with fwad.dual_level():
        dual = fwad.make_dual(x, t.T)
        tangent = fwad.unpack_dual(dual).tangent
        return {"tangent": tangent, "is t.T": tangent is t.T,
                "contiguous": tangent.is_contiguous()}


def case_printing_a_dual_tensor(torch, device):
    fwad = torch.autograd.forward_ad
    x = tensor(torch, device, np.array([[1.0, 2.0], [3.0, 4.0]], dtype="float32"))
    with fwad.dual_level():
        dual = fwad.make_dual(x, tensor(torch, device,
                                        np.array([[0.5, 0.0], [-1.0, 2.0]], "float32")))
        return {"matrix": repr(dual), "scalar": repr((dual * 2).sum()),
                "double": repr(dual.double().exp()), "str": str(dual[0])}


def case_constants_and_non_differentiable_results(torch, device):
    fwad = torch.autograd.forward_ad
    x, v = _x(torch, device), _v(torch, device)
    plain = tensor(torch, device, np.array([2.0, 3.0, 4.0], dtype="float32"))
    with fwad.dual_level():
        dual = fwad.make_dual(x, v)
        return {
            "dual * plain": fwad.unpack_dual(dual * plain).tangent,
            "plain * plain": fwad.unpack_dual(plain * plain).tangent,
            "comparison": fwad.unpack_dual(dual > 0),
            "argmax": fwad.unpack_dual(dual.argmax()),
            "detach": fwad.unpack_dual(dual.detach()).tangent,
            "floor": fwad.unpack_dual(dual.floor()).tangent,
            "to float64": fwad.unpack_dual(dual.to(torch.float64)).tangent,
        }


def case_no_grad_still_propagates(torch, device):
    fwad = torch.autograd.forward_ad
    with fwad.dual_level():
        dual = fwad.make_dual(_x(torch, device), _v(torch, device))
        with torch.no_grad():
            out = dual.exp() * dual
        return {"out": fwad.unpack_dual(out)}


# ------------------------------------------------------------------ with reverse mode

def case_dual_of_a_leaf_that_requires_grad(torch, device):
    fwad = torch.autograd.forward_ad
    x = leaf(torch, device, np.array([1.0, -2.0, 0.5], dtype="float64"))
    v = tensor(torch, device, np.array([1.0, 0.5, -1.0], dtype="float64"))
    with fwad.dual_level():
        dual = fwad.make_dual(x, v)
        primal, _ = fwad.unpack_dual(dual)
        out = (dual * dual.sin()).sum()
        _, tangent = fwad.unpack_dual(out)
        printed = repr(primal)
        observed = {
            "dual.grad_fn": grad_fn_name(dual), "printed primal": printed,
            "primal node": printed.split("grad_fn=<")[1].split(">")[0],
            "out": out, "tangent": tangent, "tangent.grad_fn": grad_fn_name(tangent),
        }
        # the tangent is differentiable: its gradient is a Hessian-vector product
        (hvp,) = torch.autograd.grad(tangent, x)
        observed["hessian-vector product"] = hvp
    return observed


def case_gradient_of_a_dual_tensor(torch, device):
    fwad = torch.autograd.forward_ad
    x = leaf(torch, device, np.array([0.5, -1.0, 2.0], dtype="float64"))
    v = tensor(torch, device, np.array([1.0, 2.0, -0.5], dtype="float64"))
    with fwad.dual_level():
        dual = fwad.make_dual(x, v)
        y = (dual.tanh() * dual.sigmoid()).sum()
        (grad,) = torch.autograd.grad(y, dual, create_graph=True)
        # forward over reverse: the tangent of the gradient is H v
        return {"grad": fwad.unpack_dual(grad)}


def case_in_place_ops_on_dual_tensors(torch, device):
    fwad = torch.autograd.forward_ad
    with fwad.dual_level():
        dual = fwad.make_dual(_x(torch, device), _v(torch, device))
        y = tensor(torch, device, np.array([1.0, 2.0, 3.0], dtype="float32"))
        y.mul_(dual)
        z = tensor(torch, device, np.zeros((2, 3), dtype="float32"))
        z[1] = dual
        w = dual.clone()
        w.add_(1.0)
        w.exp_()
        c = tensor(torch, device, np.zeros(3, dtype="float32"))
        c.copy_(dual)
        return {"mul_": fwad.unpack_dual(y), "setitem": fwad.unpack_dual(z),
                "add_ then exp_": fwad.unpack_dual(w), "copy_": fwad.unpack_dual(c)}


def case_module_with_dual_parameters(torch, device):
    fwad = torch.autograd.forward_ad
    model = torch.nn.Linear(3, 2)
    with torch.no_grad():
        model.weight.copy_(tensor(torch, device, inputs.randn((2, 3), "fwd/linear/w")))
        model.bias.copy_(tensor(torch, device, inputs.randn((2,), "fwd/linear/b")))
    x = tensor(torch, device, inputs.randn((4, 3), "fwd/linear/x"))
    tangents = {"weight": tensor(torch, device, inputs.randn((2, 3), "fwd/linear/tw")),
                "bias": tensor(torch, device, inputs.randn((2,), "fwd/linear/tb"))}
    params = dict(model.named_parameters())
    with fwad.dual_level():
        for name, p in params.items():
            delattr(model, name)
            setattr(model, name, fwad.make_dual(p, tangents[name]))
        out = model(x)
        primal, tangent = fwad.unpack_dual(out)
        return {"out": primal, "tangent": tangent, "tangent.grad_fn": grad_fn_name(tangent)}


# ------------------------------------------------------------------ custom Functions

def _exp_function(torch):
    class Exp(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x, scale):
            result = torch.exp(x) * scale
            ctx.save_for_forward(result)
            ctx.save_for_backward(result)
            return result

        @staticmethod
        def jvp(ctx, x_t, scale_t):
            result, = ctx.saved_tensors
            return x_t * result

        @staticmethod
        def backward(ctx, grad):
            result, = ctx.saved_tensors
            return grad * result, None
    return Exp


def case_custom_function_jvp(torch, device):
    fwad = torch.autograd.forward_ad

    class Split(torch.autograd.Function):
        @staticmethod
        def forward(ctx, a, b):
            ctx.save_for_forward(a, b)
            return a * b, a + b

        @staticmethod
        def jvp(ctx, a_t, b_t):
            a, b = ctx.saved_tensors
            return a_t * b + a * b_t, a_t + b_t

    class Scaled(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x, k):
            ctx.k = k
            return x * k

        @staticmethod
        def jvp(ctx, x_t, k_t):
            return x_t * ctx.k

    x, v = _x(torch, device), _v(torch, device)
    plain = tensor(torch, device, np.array([2.0, 3.0, 4.0], dtype="float32"))
    with fwad.dual_level():
        dual = fwad.make_dual(x, v)
        product, total = Split.apply(dual, plain)
        return {"product": fwad.unpack_dual(product), "sum": fwad.unpack_dual(total),
                "scaled": fwad.unpack_dual(Scaled.apply(dual, 3.0)),
                "no dual input": fwad.unpack_dual(Scaled.apply(plain, 3.0)).tangent}


def case_custom_function_without_jvp(torch, device):
    fwad = torch.autograd.forward_ad

    class Double(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, grad):
            return grad * 2

    with fwad.dual_level():
        dual = fwad.make_dual(_x(torch, device), _v(torch, device))
        return {"apply": observe.error(lambda: Double.apply(dual)),
                "without dual inputs": Double.apply(_x(torch, device))}


def case_gradcheck_check_forward_ad(torch, device):
    x = leaf(torch, device, np.array([0.5, -1.0], dtype="float64"))

    class WrongJvp(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x.exp()

        @staticmethod
        def jvp(ctx, t):
            return t * 2

    gradcheck = torch.autograd.gradcheck
    only_forward = {"check_backward_ad": False, "check_undefined_grad": False,
                    "check_batched_grad": False}
    return {
        "ops": gradcheck(lambda a: (a.sin() * a).softmax(0), (x,), check_forward_ad=True),
        "Function.jvp": gradcheck(lambda a: _exp_function(torch).apply(a, 2.0), (x,),
                                  check_forward_ad=True),
        "wrong jvp": observe.error(lambda: gradcheck(WrongJvp.apply, (x,),
                                                     check_forward_ad=True, **only_forward)),
        "wrong jvp, no exception": gradcheck(WrongJvp.apply, (x,), check_forward_ad=True,
                                             raise_exception=False, **only_forward),
    }


def case_functional_jvp(torch, device):
    x = tensor(torch, device, inputs.randn((3,), "fwd/functional/x", np.float64))
    v = tensor(torch, device, inputs.randn((3,), "fwd/functional/v", np.float64))

    def f(a):
        return a.exp() * a.sin()

    return {"jvp": torch.autograd.functional.jvp(f, x, v),
            "create_graph": torch.autograd.functional.jvp(f, x, v, create_graph=True)}
