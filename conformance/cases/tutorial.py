"""The seed tutorial (autograd with a one-layer logistic model) end to end.

``x = ones(5)``, ``y = zeros(3)``, ``w`` (5, 3) and ``b`` (3,) require grad,
``z = matmul(x, w) + b``, ``loss = binary_cross_entropy_with_logits(z, y)``; then backward,
the second backward, no_grad, detach, and the Jacobian section on ``eye``. ``w`` and ``b`` come
from NumPy instead of ``torch.randn`` so every lane sees the same numbers.
"""
from conformance import inputs, observe
from conformance.cases._common import flags, grad_fn_name, leaf


def _model(torch, device):
    x = torch.ones(5, device=device)
    y = torch.zeros(3, device=device)
    w = leaf(torch, device, inputs.randn((5, 3), "tutorial/w"))
    b = leaf(torch, device, inputs.randn((3,), "tutorial/b"))
    z = torch.matmul(x, w) + b
    loss = torch.nn.functional.binary_cross_entropy_with_logits(z, y)
    return x, y, w, b, z, loss


def case_forward(torch, device):
    x, y, w, b, z, loss = _model(torch, device)
    return {
        "z": z,
        "loss": loss,
        "loss.item()": loss.item(),
        "z.grad_fn": grad_fn_name(z),
        "loss.grad_fn": grad_fn_name(loss),
        "z.grad_fn.name()": z.grad_fn.name(),
        "str(z.grad_fn)": observe.normalise_message(str(z.grad_fn)),
        "str(loss.grad_fn)": observe.normalise_message(str(loss.grad_fn)),
        "loss.shape": tuple(loss.shape),
        "loss.dim()": loss.dim(),
        "loss.dtype": str(loss.dtype),
    }


def case_graphs(torch, device):
    x, y, w, b, z, loss = _model(torch, device)
    return {
        "graph(z)": observe.graph(z, w=w, b=b),
        "graph(loss)": observe.graph(loss, w=w, b=b),
        "loss's first next function is z.grad_fn": loss.grad_fn.next_functions[0][0] is z.grad_fn,
        "z's AccumulateGrad holds b": z.grad_fn.next_functions[1][0].variable is b,
        "AccumulateGrad.next_functions": tuple(z.grad_fn.next_functions[1][0].next_functions),
    }


def case_flags(torch, device):
    x, y, w, b, z, loss = _model(torch, device)
    return {"x": flags(x), "y": flags(y), "w": flags(w), "b": flags(b), "z": flags(z),
            "loss": flags(loss), "w.grad before backward": w.grad,
            "b.grad before backward": b.grad}


def case_backward(torch, device):
    x, y, w, b, z, loss = _model(torch, device)
    loss.backward()
    return {
        "w.grad": w.grad,
        "b.grad": b.grad,
        "b.grad.tolist()": b.grad.tolist(),
        "w.grad flags": flags(w.grad),
        "z.grad (non-leaf)": observe.warnings(lambda: z.grad),
    }


def case_second_backward_raises(torch, device):
    x, y, w, b, z, loss = _model(torch, device)
    loss.backward()
    return {"second backward": observe.error(lambda: loss.backward()), "b.grad": b.grad}


def case_retain_graph(torch, device):
    x, y, w, b, z, loss = _model(torch, device)
    loss.backward(retain_graph=True)
    first = b.grad.clone()
    loss.backward()
    return {
        "b.grad after first backward": first,
        "b.grad after second backward": b.grad,
        "w.grad after second backward": w.grad,
        "third backward": observe.error(lambda: loss.backward()),
    }


def case_no_grad(torch, device):
    x, y, w, b, z, loss = _model(torch, device)
    outside = torch.matmul(x, w) + b
    with torch.no_grad():
        inside = torch.matmul(x, w) + b
    return {"outside": flags(outside), "inside": flags(inside), "inside value": inside}


def case_detach(torch, device):
    x, y, w, b, z, loss = _model(torch, device)
    z_det = z.detach()
    return {"z_det": z_det, "z_det flags": flags(z_det), "z still": flags(z)}


def case_jacobian_eye(torch, device):
    inp = torch.eye(5, device=device, requires_grad=True)
    out = (inp + 1).pow(2)
    out.backward(torch.ones_like(inp), retain_graph=True)
    first = inp.grad.clone()
    out.backward(torch.ones_like(inp), retain_graph=True)
    second = inp.grad.clone()
    inp.grad.zero_()
    out.backward(torch.ones_like(inp), retain_graph=True)
    return {
        "out": out,
        "graph(out)": observe.graph(out, inp=inp),
        "first call": first,
        "second call": second,
        "call after zeroing gradients": inp.grad,
    }


def case_jacobian_eye_rectangular_transposed(torch, device):
    inp = torch.eye(4, 5, device=device, requires_grad=True)
    out = (inp + 1).pow(2).t()
    out.backward(torch.ones_like(out), retain_graph=True)
    first = inp.grad.clone()
    out.backward(torch.ones_like(out), retain_graph=True)
    return {
        "out": out,
        "graph(out)": observe.graph(out, inp=inp),
        "first call": first,
        "second call": inp.grad,
    }


def case_printed_output(torch, device):
    x, y, w, b, z, loss = _model(torch, device)
    printed = {"print(loss)": str(loss)}
    loss.backward()
    printed["print(w.grad)"] = str(w.grad)
    printed["print(b.grad)"] = str(b.grad)
    return printed
