"""torch.optim: SGD, Adam and AdamW update arithmetic step by step (float32 and float64) from
identical parameters and gradients, zero_grad, state dicts, parameter groups, printing and
argument errors."""
import numpy as np

from conformance import inputs, observe
from conformance.case import parametrize
from conformance.cases._common import DTYPES, NUMPY_DTYPES, tensor

STEPS = 5
SETTINGS = {
    "SGD": {"lr": 0.1},
    "SGD-momentum": {"lr": 0.1, "momentum": 0.9},
    "SGD-dampening-decay": {"lr": 0.1, "momentum": 0.9, "dampening": 0.3,
                            "weight_decay": 0.05},
    "SGD-nesterov-maximize": {"lr": 0.05, "momentum": 0.8, "nesterov": True,
                              "maximize": True},
    "Adam": {"lr": 0.01},
    "Adam-decay-amsgrad": {"lr": 0.01, "weight_decay": 0.1, "amsgrad": True},
    "Adam-betas-maximize": {"lr": 0.02, "betas": (0.5, 0.9), "eps": 1e-6, "maximize": True},
    "AdamW": {"lr": 0.01},
    "AdamW-amsgrad": {"lr": 0.01, "weight_decay": 0.3, "amsgrad": True},
}


def _optimizer(torch, name, params, **options):
    return getattr(torch.optim, name.split("-")[0])(params, **{**SETTINGS[name], **options})


def _param(torch, device, key, dtype="float32", shape=(3, 4)):
    return tensor(torch, device, inputs.randn(shape, key, NUMPY_DTYPES[dtype]),
                  requires_grad=True)


@parametrize("dtype", DTYPES)
@parametrize("setting", list(SETTINGS))
def case_steps_with_given_gradients(torch, device, setting, dtype):
    """The same gradients, fed by hand: the parameter after each step."""
    p = _param(torch, device, f"optim/{setting}/p", dtype)
    optimizer = _optimizer(torch, setting, [p])
    observed = {}
    for step in range(STEPS):
        p.grad = tensor(torch, device, inputs.randn((3, 4), f"optim/{setting}/g{step}",
                                                    NUMPY_DTYPES[dtype]))
        optimizer.step()
        observed[f"p after step {step + 1}"] = p.detach().clone()
    observed["version"] = p._version
    return observed


@parametrize("setting", ["SGD-momentum", "Adam", "AdamW"])
def case_training_a_linear_model(torch, device, setting):
    """A model trained on a quadratic loss: the loss and parameters after each step."""
    layer = torch.nn.Linear(3, 1).to(device)
    layer.load_state_dict({"weight": tensor(torch, device, inputs.randn((1, 3), "optim/w")),
                           "bias": tensor(torch, device, inputs.randn((1,), "optim/b"))})
    x = tensor(torch, device, inputs.randn((8, 3), "optim/x"))
    y = tensor(torch, device, inputs.randn((8, 1), "optim/y"))
    optimizer = _optimizer(torch, setting, layer.parameters())
    losses = []
    for _ in range(STEPS):
        optimizer.zero_grad()
        loss = torch.nn.functional.mse_loss(layer(x), y)
        loss.backward()
        optimizer.step()
        losses.append(loss.detach())
    return {"losses": losses, "weight": layer.weight, "bias": layer.bias}


def case_zero_grad(torch, device):
    p = _param(torch, device, "optim/zero")
    optimizer = torch.optim.SGD([p], lr=0.1)
    (p * p).sum().backward()
    first = p.grad
    optimizer.zero_grad(set_to_none=False)
    zeroed, same = p.grad, p.grad is first
    optimizer.zero_grad()
    return {"zeroed": zeroed, "same object": same, "after zero_grad()": p.grad}


def case_step_skips_parameters_without_grad(torch, device):
    a, b = _param(torch, device, "optim/skip/a"), _param(torch, device, "optim/skip/b")
    optimizer = torch.optim.Adam([a, b], lr=0.1)
    (a * a).sum().backward()
    optimizer.step()
    return {"a": a, "b": b, "state sizes": [len(optimizer.state[t]) for t in (a, b)]}


def case_closure(torch, device):
    p = _param(torch, device, "optim/closure")
    optimizer = torch.optim.SGD([p], lr=0.1)

    def closure():
        optimizer.zero_grad()
        loss = (p * p).sum()
        loss.backward()
        return loss

    loss = optimizer.step(closure)
    return {"loss": loss, "p": p}


@parametrize("setting", ["SGD-momentum", "Adam-decay-amsgrad"])
def case_state_dict(torch, device, setting):
    p = _param(torch, device, f"optim/state/{setting}")
    optimizer = _optimizer(torch, setting, [p])
    p.grad = tensor(torch, device, inputs.randn((3, 4), f"optim/state/{setting}/g"))
    optimizer.step()
    state = optimizer.state_dict()
    # a fresh optimizer loaded with that state: PyTorch shares the state's tensors between
    # the two, so each step advances both
    q = _param(torch, device, f"optim/state/{setting}")
    resumed = _optimizer(torch, setting, [q])
    resumed.load_state_dict(state)
    with torch.no_grad():
        q.copy_(p)
    q.grad = p.grad.clone()
    optimizer.step()
    resumed.step()
    return {"state_dict": state, "continued": p, "resumed": q}


def case_param_groups(torch, device):
    a, b = _param(torch, device, "optim/groups/a"), _param(torch, device, "optim/groups/b")
    optimizer = torch.optim.SGD([{"params": [a]}, {"params": b, "lr": 0.5}], lr=0.1,
                                momentum=0.5)
    a.grad = tensor(torch, device, np.ones((3, 4), np.float32))
    b.grad = tensor(torch, device, np.ones((3, 4), np.float32))
    optimizer.step()
    optimizer.param_groups[0]["lr"] = 0.01
    optimizer.step()
    return {"a": a, "b": b, "groups": [{k: v for k, v in g.items() if k != "params"}
                                       for g in optimizer.param_groups],
            "repr": repr(optimizer)}


def case_repr(torch, device):
    p = _param(torch, device, "optim/repr")
    return {name: repr(getattr(torch.optim, name)([p])) for name in ("SGD", "Adam", "AdamW")}


def case_errors(torch, device):
    p = _param(torch, device, "optim/errors")
    optim = torch.optim
    return {
        "tensor as params": observe.error(lambda: optim.SGD(p, lr=0.1)),
        "empty": observe.error(lambda: optim.SGD([], lr=0.1)),
        "negative lr": observe.error(lambda: optim.SGD([p], lr=-1)),
        "negative momentum": observe.error(lambda: optim.SGD([p], lr=0.1, momentum=-0.5)),
        "nesterov": observe.error(lambda: optim.SGD([p], lr=0.1, nesterov=True)),
        "beta 0": observe.error(lambda: optim.Adam([p], betas=(1.0, 0.9))),
        "beta 1": observe.error(lambda: optim.Adam([p], betas=(0.9, -0.1))),
        "eps": observe.error(lambda: optim.Adam([p], eps=-1e-8)),
        "weight decay": observe.error(lambda: optim.AdamW([p], weight_decay=-1)),
        "non-leaf": observe.error(lambda: optim.SGD([p * 2], lr=0.1)),
        "twice": observe.error(lambda: optim.SGD([{"params": [p]}, {"params": [p]}], lr=0.1)),
        "group count": observe.error(lambda: optim.SGD([p], lr=0.1).load_state_dict(
            {"state": {}, "param_groups": []})),
    }
