import numpy as np

from conformance import inputs, observe


def case_graph(torch, device):
    a = torch.tensor(inputs.randn((2,), "g"), device=device, requires_grad=True)
    out = (a * a + a.exp()).sum()
    return {"graph": observe.graph(out, a=a), "out.grad_fn": type(out.grad_fn).__name__}


def case_matmul_error(torch, device):
    a = torch.tensor(np.ones((2, 3), np.float32), device=device)
    return {"error": observe.error(lambda: a @ a)}


def case_nonleaf_grad_warning(torch, device):
    a = torch.tensor(np.ones(2, np.float32), device=device, requires_grad=True)
    b = a * 2
    return {"b.grad": observe.warnings(lambda: b.grad)}


def case_repr(torch, device):
    a = torch.tensor([1.5, -2.0], requires_grad=True)
    return {"repr": repr(a * 2), "dtype": a.dtype, "shape": tuple(a.shape)}
