import numpy as np

from conformance import inputs
from conformance.case import parametrize

DTYPES = {"float16": np.float16, "float32": np.float32, "float64": np.float64}


@parametrize("dtype", list(DTYPES))
def case_exp_and_grad(torch, device, dtype):
    x = torch.tensor(inputs.randn((2, 3), "exp", DTYPES[dtype]), device=device,
                     requires_grad=True)
    y = torch.exp(x)
    y.sum().backward()
    return {"y": y, "x.grad": x.grad}


def case_integers_and_bools(torch, device):
    a = torch.tensor(inputs.integers((4,), "ints"), device=device)
    return {"a * 3": a * 3, "a > 4": a > 4, "sum": int((a * 3).sum().item())}


def case_grad_tuple(torch, device):
    a = torch.tensor(inputs.randn((3,), "a"), device=device, requires_grad=True)
    b = torch.tensor(inputs.randn((3,), "b"), device=device, requires_grad=True)
    out = (a * b).sum()
    return {"grads": torch.autograd.grad(out, [a, b]), "out.item": out.item()}


def case_sigmoid(torch, device):
    x = torch.tensor(inputs.uniform((5,), "sigmoid"), device=device, requires_grad=True)
    return {"sigmoid": torch.sigmoid(x)}


def case_bfloat16(torch, device):
    x = torch.tensor(inputs.randn((3,), "bf16"), device=device).to(torch.bfloat16)
    return {"x * 2": x * 2}


@parametrize("op", [lambda t: t * 2, lambda t: t + 1], ids=["double", "increment"])
def case_parametrised_by_functions(torch, device, op):
    x = torch.tensor(inputs.randn((3,), "lambda"), device=device, requires_grad=True)
    y = op(x)
    return {"y": y, "grad_fn": type(y.grad_fn).__name__}
