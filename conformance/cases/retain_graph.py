"""A second ``backward()`` without ``retain_graph``: it raises exactly when some node on the path
saved a tensor (the full error text is compared), and otherwise simply accumulates again;
``retain_graph=True`` keeps the graph usable; reusing part of a freed graph raises too.
"""
from conformance import inputs, observe
from conformance.case import parametrize
from conformance.cases._common import grad_fn_name, leaf, positive_leaf, tensor

# Each expression's name is its code: a, b (2, 3) and p (2, 3, positive) require grad; c does
# not; A (2, 3), B (3, 4), v (3,) for products.
EXPRESSIONS = {
    "a": lambda torch, t: t["a"],
    "a+b": lambda torch, t: t["a"] + t["b"],
    "a-b": lambda torch, t: t["a"] - t["b"],
    "a*b": lambda torch, t: t["a"] * t["b"],
    "a/b": lambda torch, t: t["a"] / t["p"],
    "-a": lambda torch, t: -t["a"],
    "a+1": lambda torch, t: t["a"] + 1,
    "1-a": lambda torch, t: 1 - t["a"],
    "a*2": lambda torch, t: t["a"] * 2,
    "a/2": lambda torch, t: t["a"] / 2,
    "a+c": lambda torch, t: t["a"] + t["c"],
    "a*c": lambda torch, t: t["a"] * t["c"],
    "a**2": lambda torch, t: t["a"] ** 2,
    "2**a": lambda torch, t: 2 ** t["a"],
    "exp": lambda torch, t: torch.exp(t["a"]),
    "log": lambda torch, t: torch.log(t["p"]),
    "tanh": lambda torch, t: torch.tanh(t["a"]),
    "sigmoid": lambda torch, t: torch.sigmoid(t["a"]),
    "relu": lambda torch, t: torch.relu(t["a"]),
    "abs": lambda torch, t: torch.abs(t["a"]),
    "clamp": lambda torch, t: torch.clamp(t["a"], min=0),
    "where": lambda torch, t: torch.where(t["a"] > 0, t["a"], t["b"]),
    "sum()": lambda torch, t: t["a"].sum(),
    "sum(0)": lambda torch, t: t["a"].sum(0),
    "mean()": lambda torch, t: t["a"].mean(),
    "mean(1,keepdim)": lambda torch, t: t["a"].mean(1, keepdim=True),
    "max()": lambda torch, t: t["a"].max(),
    "max(1).values": lambda torch, t: t["a"].max(1).values,
    "reshape": lambda torch, t: t["a"].reshape(3, 2),
    "view": lambda torch, t: t["a"].view(6),
    "T": lambda torch, t: t["a"].T,
    "t()": lambda torch, t: t["a"].t(),
    "transpose": lambda torch, t: t["a"].transpose(0, 1),
    "unsqueeze-squeeze": lambda torch, t: t["a"].unsqueeze(0).squeeze(),
    "expand": lambda torch, t: t["a"].expand(4, 2, 3),
    "a[0]": lambda torch, t: t["a"][0],
    "a[0:1]": lambda torch, t: t["a"][0:1],
    "a[[0,1]]": lambda torch, t: t["a"][[0, 1]],
    "cat": lambda torch, t: torch.cat([t["a"], t["b"]]),
    "stack": lambda torch, t: torch.stack([t["a"], t["b"]]),
    "v@v": lambda torch, t: t["v"] @ t["v"],
    "A@v": lambda torch, t: t["A"] @ t["v"],
    "A@B": lambda torch, t: t["A"] @ t["B"],
    "softmax": lambda torch, t: torch.softmax(t["a"], 1),
    "log_softmax": lambda torch, t: torch.log_softmax(t["a"], 1),
    "mse_loss": lambda torch, t: torch.nn.functional.mse_loss(t["a"], t["b"]),
    "bce_with_logits": lambda torch, t: torch.nn.functional.binary_cross_entropy_with_logits(
        t["a"], t["y"]),
}


def _tensors(torch, device):
    return {
        "a": leaf(torch, device, inputs.randn((2, 3), "retain/a")),
        "b": leaf(torch, device, inputs.randn((2, 3), "retain/b")),
        "p": positive_leaf(torch, device, (2, 3), "retain/p"),
        "c": tensor(torch, device, inputs.randn((2, 3), "retain/c")),
        "y": tensor(torch, device, (inputs.randn((2, 3), "retain/y") > 0).astype("float32")),
        "A": leaf(torch, device, inputs.randn((2, 3), "retain/A")),
        "B": leaf(torch, device, inputs.randn((3, 4), "retain/B")),
        "v": leaf(torch, device, inputs.randn((3,), "retain/v")),
    }


@parametrize("expression", list(EXPRESSIONS))
def case_second_backward(torch, device, expression):
    t = _tensors(torch, device)
    out = EXPRESSIONS[expression](torch, t).sum()
    out.backward()
    first = {name: v.grad.clone() for name, v in t.items() if v.grad is not None}
    second = observe.error(lambda: out.backward())
    return {
        "grad_fn": grad_fn_name(EXPRESSIONS[expression](torch, t)),
        "first grads": first,
        "second backward": second,
        "grads after second": {name: v.grad for name, v in t.items() if v.grad is not None},
    }


@parametrize("expression", ["a*b", "exp", "A@B", "bce_with_logits", "a+b"])
def case_retain_graph_allows_repeats(torch, device, expression):
    t = _tensors(torch, device)
    out = EXPRESSIONS[expression](torch, t).sum()
    out.backward(retain_graph=True)
    out.backward(retain_graph=True)
    out.backward()
    third = {name: v.grad for name, v in t.items() if v.grad is not None}
    return {"grads after three": third, "fourth": observe.error(lambda: out.backward())}


def case_reusing_a_freed_subgraph_raises(torch, device):
    a = leaf(torch, device, inputs.randn((3,), "retain/reuse/a"))
    e = a.exp()
    e.sum().backward()
    return {"new root over freed ExpBackward0": observe.error(lambda: e.mean().backward()),
            "a.grad": a.grad}


def case_reusing_a_subgraph_without_saved_tensors(torch, device):
    a = leaf(torch, device, inputs.randn((3,), "retain/reuse2/a"))
    s = a + 1
    s.sum().backward()
    s.mean().backward()
    return {"a.grad": a.grad}


def case_autograd_grad_frees_the_graph(torch, device):
    x = leaf(torch, device, inputs.np.array(2.0, dtype="float32"))
    y = x ** 3
    first = torch.autograd.grad(y, x)
    return {"first": first, "second": observe.error(lambda: torch.autograd.grad(y, x))}


def case_autograd_grad_retain_graph(torch, device):
    x = leaf(torch, device, inputs.np.array(2.0, dtype="float32"))
    y = x ** 3
    first = torch.autograd.grad(y, x, retain_graph=True)
    second = torch.autograd.grad(y, x)
    return {"first": first, "second": second,
            "third": observe.error(lambda: torch.autograd.grad(y, x))}


def case_tutorial_model_retain_graph(torch, device):
    x = torch.ones(5, device=device)
    y = torch.zeros(3, device=device)
    w = leaf(torch, device, inputs.randn((5, 3), "retain/tutorial/w"))
    b = leaf(torch, device, inputs.randn((3,), "retain/tutorial/b"))
    loss = torch.nn.functional.binary_cross_entropy_with_logits(torch.matmul(x, w) + b, y)
    loss.backward(retain_graph=True)
    first = b.grad.clone()
    loss.backward()
    return {"b.grad after one": first, "b.grad after two": b.grad,
            "third": observe.error(lambda: loss.backward())}
