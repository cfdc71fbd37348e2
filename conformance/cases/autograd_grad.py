"""torch.autograd.grad: the returned tuple, .grad left untouched, several inputs and outputs,
grad_outputs, non-leaf inputs, unused inputs (allow_unused, materialize_grads), inputs that do
not require grad, and higher-order derivatives with create_graph=True.
"""
import numpy as np

from conformance import inputs, observe
from conformance.cases._common import flags, grad_fn_name, leaf, tensor


def case_returns_a_tuple_and_leaves_grad_alone(torch, device):
    x = leaf(torch, device, np.array(2.0, dtype="float32"))
    result = torch.autograd.grad(x ** 3, x)
    return {"type": type(result).__name__, "result": result, "x.grad": x.grad,
            "result[0] flags": flags(result[0])}


def case_inputs_as_list_or_tuple(torch, device):
    x = leaf(torch, device, np.array(2.0, dtype="float32"))
    y = x ** 3
    return {"[x]": torch.autograd.grad(y, [x], retain_graph=True),
            "(x,)": torch.autograd.grad(y, (x,), retain_graph=True),
            "[y], [x]": torch.autograd.grad([y], [x])}


def case_several_inputs(torch, device):
    a = leaf(torch, device, np.array([1.0, 2.0, 3.0], dtype="float32"))
    b = leaf(torch, device, np.array([4.0, 5.0, 6.0], dtype="float32"))
    h = a * b
    ga, gb, gh = torch.autograd.grad(h.sum(), [a, b, h])
    return {"d/da": ga, "d/db": gb, "d/dh (non-leaf input)": gh, "a.grad": a.grad}


def case_several_outputs_are_summed(torch, device):
    a = leaf(torch, device, np.array([1.0, 2.0, 3.0], dtype="float32"))
    h = a * 2
    return {"grad": torch.autograd.grad([h.sum(), (a ** 2).sum()], a)}


def case_grad_outputs(torch, device):
    a = leaf(torch, device, np.array([1.0, 2.0, 3.0], dtype="float32"))
    b = leaf(torch, device, np.array([4.0, 5.0, 6.0], dtype="float32"))
    h = a * b
    weights = tensor(torch, device, np.array([1.0, 0.0, 2.0], dtype="float32"))
    ones = torch.ones(3, device=device)
    ten = tensor(torch, device, np.array(10.0, dtype="float32"))
    return {
        "ones": torch.autograd.grad(h, a, grad_outputs=ones, retain_graph=True),
        "weights": torch.autograd.grad(h, a, grad_outputs=weights, retain_graph=True),
        "two outputs": torch.autograd.grad([h, h.sum()], a, grad_outputs=[ones, ten],
                                           retain_graph=True),
        "None for the scalar": torch.autograd.grad([h, h.sum()], a, grad_outputs=[ones, None],
                                                   retain_graph=True),
        "missing for non-scalar": observe.error(lambda: torch.autograd.grad(h, a)),
    }


def case_random_grad_outputs(torch, device):
    x = leaf(torch, device, inputs.randn((3, 4), "agrad/random/x"))
    w = leaf(torch, device, inputs.randn((4,), "agrad/random/w"))
    out = torch.sigmoid(x * w).sum(1)
    v = tensor(torch, device, inputs.randn((3,), "agrad/random/v"))
    gx, gw = torch.autograd.grad(out, (x, w), v)
    return {"d/dx": gx, "d/dw": gw}


def case_grad_outputs_wrong_shape(torch, device):
    a = leaf(torch, device, np.array([1.0, 2.0, 3.0], dtype="float32"))
    h = a * 2
    return {"error": observe.error(
        lambda: torch.autograd.grad(h, a, grad_outputs=torch.ones(2, device=device)))}


def case_unused_input(torch, device):
    x = leaf(torch, device, np.array([1.0, 2.0], dtype="float32"))
    z = leaf(torch, device, np.array([3.0, 4.0], dtype="float32"))
    y = (x * 2).sum()
    return {
        "default": observe.error(lambda: torch.autograd.grad(y, [x, z], retain_graph=True)),
        "allow_unused": torch.autograd.grad(y, [x, z], allow_unused=True, retain_graph=True),
        "materialize_grads": torch.autograd.grad(y, [x, z], allow_unused=True,
                                                 materialize_grads=True, retain_graph=True),
    }


def case_unused_non_leaf_input(torch, device):
    x = leaf(torch, device, np.array([1.0, 2.0], dtype="float32"))
    y = (x * 2).sum()
    w = x * 1
    return {"error": observe.error(lambda: torch.autograd.grad(y, [w]))}


def case_input_without_requires_grad(torch, device):
    x = leaf(torch, device, np.array([1.0, 2.0], dtype="float32"))
    y = (x * 2).sum()
    plain = torch.ones(2, device=device)
    return {
        "plain tensor": observe.error(
            lambda: torch.autograd.grad(y, [x, plain], retain_graph=True)),
        "detached input": observe.error(
            lambda: torch.autograd.grad(y, [x.detach()], retain_graph=True)),
    }


def case_output_without_requires_grad(torch, device):
    x = leaf(torch, device, np.array([1.0, 2.0], dtype="float32"))
    return {"error": observe.error(
        lambda: torch.autograd.grad(torch.ones(2, device=device).sum(), [x]))}


def case_empty_inputs(torch, device):
    x = leaf(torch, device, np.array([1.0, 2.0], dtype="float32"))
    y = (x * 2).sum()
    return {"error": observe.error(lambda: torch.autograd.grad(y, []))}


def case_higher_order_cube(torch, device):
    x = leaf(torch, device, np.array(2.0, dtype="float32"))
    y = x ** 3
    (g1,) = torch.autograd.grad(y, x, create_graph=True)
    (g2,) = torch.autograd.grad(g1, x, create_graph=True)
    (g3,) = torch.autograd.grad(g2, x, create_graph=True)
    return {"first": g1, "second": g2, "third": g3,
            "first grad_fn": grad_fn_name(g1), "x.grad": x.grad}


def case_higher_order_vector(torch, device):
    x = leaf(torch, device, np.array([1.0, 2.0, 3.0], dtype="float32"))
    g = torch.autograd.grad((x ** 3).sum(), x, create_graph=True)[0]
    g2 = torch.autograd.grad(g.sum(), x)[0]
    return {"first": g, "first flags": flags(g), "second": g2, "second flags": flags(g2)}


def case_without_create_graph_result_has_no_graph(torch, device):
    x = leaf(torch, device, np.array([1.0, 2.0, 3.0], dtype="float32"))
    g = torch.autograd.grad((x ** 3).sum(), x)[0]
    return {"g": g, "flags": flags(g)}


def case_backward_through_first_order_grad(torch, device):
    x = leaf(torch, device, np.array([1.0, 2.0, 3.0], dtype="float32"))
    g = torch.autograd.grad((x ** 3).sum(), x, create_graph=True)[0]
    g.sum().backward()
    return {"x.grad": x.grad}


def case_second_derivative_of_sigmoid_and_tanh(torch, device):
    x = leaf(torch, device, inputs.randn((4,), "agrad/second/x"))
    d_sigmoid = torch.autograd.grad(torch.sigmoid(x).sum(), x, create_graph=True)[0]
    dd_sigmoid = torch.autograd.grad(d_sigmoid.sum(), x)[0]
    d_tanh = torch.autograd.grad(torch.tanh(x).sum(), x, create_graph=True)[0]
    dd_tanh = torch.autograd.grad(d_tanh.sum(), x)[0]
    return {"sigmoid'": d_sigmoid, "sigmoid''": dd_sigmoid, "tanh'": d_tanh,
            "tanh''": dd_tanh}


def case_second_derivative_of_product(torch, device):
    a = leaf(torch, device, inputs.randn((3,), "agrad/product/a"))
    b = leaf(torch, device, inputs.randn((3,), "agrad/product/b"))
    ga, gb = torch.autograd.grad((a * a * b).sum(), (a, b), create_graph=True)
    gaa, gab = torch.autograd.grad(ga.sum(), (a, b))
    return {"d/da": ga, "d/db": gb, "d2/da2": gaa, "d2/dadb": gab}
