"""Custom autograd Functions (``torch.autograd.Function``): forward/backward and the
``setup_context`` form, the ctx (saved tensors and their errors, ``needs_input_grad``,
``mark_dirty``, ``mark_non_differentiable``, ``set_materialize_grads``), non-tensor and
several outputs, ``once_differentiable``, double backward, the node's name and edges, and the
errors for what ``backward`` returns.
"""
import numpy as np

from conformance import observe
from conformance.cases._common import grad_fn_name, leaf, next_names, tensor


def _x(torch, device, values=(-1.5, 0.5, 2.0)):
    return leaf(torch, device, np.array(values, dtype="float32"))


def _relu(torch):
    class MyReLU(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x.clamp(min=0)

        @staticmethod
        def backward(ctx, grad_output):
            x, = ctx.saved_tensors
            grad_input = grad_output.clone()
            grad_input[x < 0] = 0
            return grad_input
    return MyReLU


def _cube(torch):
    """x ** 3 with a backward written in differentiable ops (double backward works)."""
    class Cube(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x ** 3

        @staticmethod
        def backward(ctx, grad_output):
            x, = ctx.saved_tensors
            return grad_output * 3 * x ** 2
    return Cube


def case_relu_forward_backward_and_node(torch, device):
    x = _x(torch, device)
    y = _relu(torch).apply(x)
    node = {"name": grad_fn_name(y), "name()": y.grad_fn.name(), "next": next_names(y),
            "is_leaf": y.is_leaf, "requires_grad": y.requires_grad}
    (y * 2).sum().backward()
    return {"y": y, "node": node, "x.grad": x.grad}


def case_saved_tensors_freed_after_backward(torch, device):
    x = _x(torch, device)
    y = _relu(torch).apply(x)
    before = list(y.grad_fn.saved_tensors)
    y.sum().backward()
    return {"saved before": before,
            "second backward": observe.error(lambda: y.sum().backward()),
            "saved after": observe.error(lambda: y.grad_fn.saved_tensors)}


def case_retain_graph_keeps_saved_tensors(torch, device):
    x = _x(torch, device)
    y = _relu(torch).apply(x)
    y.sum().backward(retain_graph=True)
    y.sum().backward()
    return {"x.grad": x.grad}


def case_saved_input_modified_in_place(torch, device):
    x = _x(torch, device)
    z = x * 2
    y = _relu(torch).apply(z)
    with torch.no_grad():
        z.mul_(3)
    return {"z version": z._version, "backward": observe.error(lambda: y.sum().backward())}


def case_saved_output_modified_in_place(torch, device):
    seen = []

    class Exp(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            result = x.exp()
            ctx.save_for_backward(result)
            return result

        @staticmethod
        def backward(ctx, grad_output):
            result, = ctx.saved_tensors
            seen.append([grad_fn_name(result), result.requires_grad])
            return grad_output * result

    x = _x(torch, device)
    y = Exp.apply(x)
    fine = torch.autograd.grad(y.sum(), x, retain_graph=True)[0]
    y.mul_(2)
    return {"grad": fine, "after in-place": observe.error(lambda: y.sum().backward()),
            "saved output in backward": seen}


def case_needs_input_grad(torch, device):
    seen = []

    class Mul(torch.autograd.Function):
        @staticmethod
        def forward(ctx, a, b, scale):
            seen.append(list(ctx.needs_input_grad))
            ctx.save_for_backward(a, b)
            ctx.scale = scale
            return a * b * scale

        @staticmethod
        def backward(ctx, grad_output):
            a, b = ctx.saved_tensors
            seen.append(list(ctx.needs_input_grad))
            grad_a = grad_output * b * ctx.scale if ctx.needs_input_grad[0] else None
            grad_b = grad_output * a * ctx.scale if ctx.needs_input_grad[1] else None
            return grad_a, grad_b, None

    a = _x(torch, device)
    b = tensor(torch, device, np.array([2.0, 3.0, 4.0], dtype="float32"))
    out = Mul.apply(a, b, 0.5)
    out.sum().backward()
    return {"seen": seen, "a.grad": a.grad, "b.grad": b.grad, "next": next_names(out)}


def case_setup_context_form(torch, device):
    class Scale(torch.autograd.Function):
        @staticmethod
        def forward(x, k):
            return x * k

        @staticmethod
        def setup_context(ctx, inputs, output):
            x, k = inputs
            ctx.k = k
            ctx.save_for_backward(x)

        @staticmethod
        def backward(ctx, grad_output):
            return grad_output * ctx.k, None

    x = _x(torch, device)
    y = Scale.apply(x, 3.0)
    y.sum().backward()
    return {"y": y, "name": grad_fn_name(y), "x.grad": x.grad}


def case_mark_dirty_in_place_function(torch, device):
    class Double_(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            x.mul_(2)
            ctx.mark_dirty(x)
            return x

        @staticmethod
        def backward(ctx, grad_output):
            return grad_output * 2

    x = _x(torch, device)
    a = x.clone()
    b = Double_.apply(a)
    same = a is b
    b.sum().backward()
    other = _x(torch, device)
    return {"same object": same, "a": a, "name": grad_fn_name(a), "x.grad": x.grad,
            "on a leaf": observe.error(lambda: Double_.apply(other)),
            "leaf version": other._version}


def case_non_differentiable_output_and_zero_grad(torch, device):
    seen = []

    class Pick(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            index = (x > 0).long()
            ctx.mark_non_differentiable(index)
            return x * 2, index

        @staticmethod
        def backward(ctx, grad_value, grad_index):
            seen.append(grad_index)
            return grad_value * 2

    x = _x(torch, device)
    value, index = Pick.apply(x)
    value.sum().backward()
    return {"index": index, "index requires_grad": index.requires_grad,
            "index grad_fn": grad_fn_name(index), "seen": seen, "x.grad": x.grad}


def case_several_outputs_and_materialize_grads(torch, device):
    seen = {}

    def make(materialize):
        class Split(torch.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                ctx.set_materialize_grads(materialize)
                return x * 2, x * 3

            @staticmethod
            def backward(ctx, g1, g2):
                seen[materialize] = [g1, g2]
                return g1 * 2 if g2 is None else g1 * 2 + g2 * 3
        return Split

    result = {}
    for materialize in (True, False):
        x = _x(torch, device)
        a, b = make(materialize).apply(x * 1)
        edges = next_names(b * 2)
        a.sum().backward()
        result[str(materialize)] = {"same node": a.grad_fn is b.grad_fn, "edges": edges,
                                    "x.grad": x.grad}
    x = _x(torch, device)
    a, b = make(True).apply(x)
    (a * 5 + b * 7).sum().backward()
    result["both"] = x.grad
    result["seen"] = {str(k): v for k, v in seen.items()}
    return result


def case_non_tensor_inputs_and_outputs(torch, device):
    seen = []

    class Tagged(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x, k, tag):
            ctx.k = k
            return x * k, tag.upper(), len(tag)

        @staticmethod
        def backward(ctx, grad_output, grad_tag, grad_len):
            seen.append([grad_tag, grad_len])
            return grad_output * ctx.k, None, None

    x = _x(torch, device)
    y, tag, n = Tagged.apply(x, 4.0, "abc")
    y.sum().backward()
    return {"tag": tag, "n": n, "seen": seen, "x.grad": x.grad, "next": next_names(y)}


def case_double_backward(torch, device):
    x = _x(torch, device)
    y = _cube(torch).apply(x)
    g, = torch.autograd.grad(y.sum(), x, create_graph=True)
    gg, = torch.autograd.grad(g.sum(), x)
    return {"g": g, "g grad_fn": grad_fn_name(g), "gg": gg}


def case_once_differentiable(torch, device):
    class Once(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x ** 3

        @staticmethod
        @torch.autograd.function.once_differentiable
        def backward(ctx, grad_output):
            x, = ctx.saved_tensors
            return grad_output * 3 * x ** 2

    x = _x(torch, device)
    g, = torch.autograd.grad(Once.apply(x).sum(), x, create_graph=True)
    return {"g": g, "g requires_grad": g.requires_grad,
            "second order": observe.error(lambda: g.sum().backward())}


def case_no_graph_without_grad(torch, device):
    relu = _relu(torch)
    x = _x(torch, device)
    with torch.no_grad():
        a = relu.apply(x)
    b = relu.apply(tensor(torch, device, np.array([1.0, -1.0], dtype="float32")))
    return {"no_grad": [a.requires_grad, grad_fn_name(a)],
            "plain input": [b.requires_grad, grad_fn_name(b)]}


def _returning(torch, make_grad):
    class Returns(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x, k):
            return x * k

        @staticmethod
        def backward(ctx, grad_output):
            return make_grad(torch, grad_output)
    return Returns


def case_errors_of_returned_gradients(torch, device):
    makers = {
        "too few": lambda torch, g: g,
        "too many": lambda torch, g: (g, None, g),
        "extra None": lambda torch, g: (g, None, None),
        "wrong shape": lambda torch, g: (g.sum(), None),
        "not a tensor": lambda torch, g: (3, None),
        "broadcastable": lambda torch, g: (g.expand(2, 3), None),
        "other dtype": lambda torch, g: (g.double(), None),
        "for a non-tensor": lambda torch, g: (g, g),
    }
    result = {}
    for name, make in makers.items():
        x = _x(torch, device)
        fn = _returning(torch, make)

        def run():
            fn.apply(x, 2.0).sum().backward()
            return x.grad
        result[name] = observe.error(run)
    return result


def case_misuse_of_function_class(torch, device):
    relu = _relu(torch)
    x = _x(torch, device)

    class NoBackward(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

    class NoForward(torch.autograd.Function):
        pass

    return {"call an instance": observe.error(lambda: relu()(x)),
            "no backward": observe.error(lambda: NoBackward.apply(x).sum().backward()),
            "no forward": observe.error(lambda: NoForward.apply(x))}
