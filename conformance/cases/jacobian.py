"""Backward of a non-scalar output with a ``gradient`` argument (the vector of the
vector-Jacobian product): scaling, accumulation, shape rules, silent dtype casts, 1-element
outputs, leaf.backward(g), and the functional torch.autograd.backward.
"""
import numpy as np

from conformance import inputs, observe
from conformance.cases._common import leaf, tensor


def _x(torch, device):
    return leaf(torch, device, np.array([1.0, 2.0, 3.0], dtype="float32"))


def case_gradient_scales(torch, device):
    x = _x(torch, device)
    (x * 2).backward(tensor(torch, device, np.array([1.0, 0.1, 0.01], dtype="float32")))
    return {"x.grad": x.grad}


def case_scalar_output_with_0d_gradient(torch, device):
    x = _x(torch, device)
    (x * 2).sum().backward(tensor(torch, device, np.array(3.0, dtype="float32")))
    return {"x.grad": x.grad}


def case_random_vector_jacobian_product(torch, device):
    x = leaf(torch, device, inputs.randn((3, 4), "jacobian/vjp/x"))
    w = leaf(torch, device, inputs.randn((4, 2), "jacobian/vjp/w"))
    out = torch.tanh(x @ w)
    v = tensor(torch, device, inputs.randn((3, 2), "jacobian/vjp/v"))
    out.backward(v)
    return {"x.grad": x.grad, "w.grad": w.grad}


def case_eye_pow_accumulates_over_calls(torch, device):
    inp = torch.eye(5, device=device, requires_grad=True)
    out = (inp + 1).pow(2)
    grads = []
    for _ in range(3):
        out.backward(torch.ones_like(inp), retain_graph=True)
        grads.append(inp.grad.clone())
    inp.grad.zero_()
    out.backward(torch.ones_like(inp))
    return {"after 1": grads[0], "after 2": grads[1], "after 3": grads[2],
            "after zero_ and one more": inp.grad}


def case_non_scalar_without_gradient_raises(torch, device):
    x = _x(torch, device)
    return {"(x*2).backward()": observe.error(lambda: (x * 2).backward()),
            "x.backward()": observe.error(lambda: x.backward())}


def case_one_element_output_needs_no_gradient(torch, device):
    x = _x(torch, device)
    (x[:1] * 2).backward()
    return {"x.grad": x.grad}


def case_gradient_shape_must_match(torch, device):
    x = _x(torch, device)
    y = x * 2
    s = (x * 2).sum()
    ones = torch.ones
    return {
        "gradient [2] for [3]": observe.error(lambda: y.backward(ones(2, device=device))),
        "gradient [1] for [3]": observe.error(lambda: y.backward(ones(1, device=device))),
        "gradient [1,3] for [3]": observe.error(lambda: y.backward(ones(1, 3, device=device))),
        "gradient [1] for []": observe.error(
            lambda: s.backward(ones(1, device=device), retain_graph=True)),
        "x.grad": x.grad,
    }


def case_gradient_dtype_is_cast(torch, device):
    x = _x(torch, device)
    y = x * 2
    results = {}
    y.backward(tensor(torch, device, np.ones(3, dtype="float64")), retain_graph=True)
    results["float64 gradient"] = x.grad.clone()
    x.grad = None
    y.backward(tensor(torch, device, np.array([1, 2, 3], dtype="int64")), retain_graph=True)
    results["int64 gradient"] = x.grad.clone()
    x.grad = None
    y.backward(tensor(torch, device, np.array([True, False, True])), retain_graph=True)
    results["bool gradient"] = x.grad
    return results


def case_gradient_wrong_type(torch, device):
    x = _x(torch, device)
    y = x * 2
    return {"list": observe.error(lambda: y.backward([1.0, 1.0, 1.0])),
            "float": observe.error(lambda: y.backward(2.0))}


def case_leaf_backward_copies_gradient(torch, device):
    x = _x(torch, device)
    g = tensor(torch, device, np.array([5.0, 6.0, 7.0], dtype="float32"))
    x.backward(g)
    return {"x.grad": x.grad, "x.grad is g": x.grad is g}


def case_zero_dim_leaf_backward(torch, device):
    s = leaf(torch, device, np.array(3.0, dtype="float32"))
    s.backward()
    return {"s.grad": s.grad}


def case_functional_backward(torch, device):
    a = leaf(torch, device, np.array([1.0, 2.0], dtype="float32"))
    torch.autograd.backward([(a * 2).sum(), (a * 3).sum()])
    first = a.grad.clone()
    a.grad = None
    torch.autograd.backward(a * 2, grad_tensors=tensor(torch, device,
                                                       np.array([1.0, 10.0], dtype="float32")))
    second = a.grad.clone()
    a.grad = None
    ones = torch.ones(2, device=device)
    torch.autograd.backward([a * 2, a * 3], [ones, ones])
    return {"two scalars": first, "grad_tensors": second, "two vectors": a.grad}


def case_matrix_output_gradient(torch, device):
    a = leaf(torch, device, inputs.randn((2, 3), "jacobian/matrix/a"))
    b = leaf(torch, device, inputs.randn((3, 2), "jacobian/matrix/b"))
    out = a @ b
    out.backward(tensor(torch, device, inputs.randn((2, 2), "jacobian/matrix/g")))
    return {"a.grad": a.grad, "b.grad": b.grad}
