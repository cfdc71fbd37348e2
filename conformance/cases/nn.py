"""torch.nn: modules built on every lane with identical weights (loaded from seeded NumPy
arrays through ``load_state_dict``), their outputs, gradients and graphs, registration and
traversal, train/eval, zero_grad, state dicts, forward hooks, printing and errors."""
import numpy as np

from conformance import inputs, observe
from conformance.case import parametrize
from conformance.cases._common import DTYPES, NUMPY_DTYPES, grad_fn_name, next_names, tensor


def _load(torch, device, module, key, dtype="float32"):
    """Give ``module`` seeded weights: the same numbers on every lane."""
    state = {name: tensor(torch, device, inputs.randn(tuple(value.shape), f"{key}/{name}",
                                                      NUMPY_DTYPES[dtype]))
             for name, value in module.state_dict().items()}
    module.load_state_dict(state)
    return module


def _mlp(torch, device, key, dtype="float32"):
    nn = torch.nn
    model = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2))
    if dtype == "float64":
        model = model.double()
    return _load(torch, device, model.to(device), key, dtype)


def _grads(module):
    return {f"{name}.grad": p.grad for name, p in module.named_parameters()}


@parametrize("dtype", DTYPES)
@parametrize("shape", [(3,), (5, 3), (2, 2, 3)], ids=["3", "5x3", "2x2x3"])
def case_linear_forward_backward(torch, device, dtype, shape):
    layer = _load(torch, device, torch.nn.Linear(3, 4).to(device), "nn/linear", dtype) \
        if dtype == "float32" else \
        _load(torch, device, torch.nn.Linear(3, 4).double().to(device), "nn/linear", dtype)
    x = tensor(torch, device, inputs.randn(shape, "nn/linear/x", NUMPY_DTYPES[dtype]),
               requires_grad=True)
    y = layer(x)
    (y * y).sum().backward()
    return {"y": y, "graph(y)": observe.graph(y, x=x, weight=layer.weight, bias=layer.bias),
            "x.grad": x.grad, **_grads(layer)}


def case_linear_without_bias(torch, device):
    layer = _load(torch, device, torch.nn.Linear(3, 2, bias=False).to(device), "nn/nobias")
    x = tensor(torch, device, inputs.randn((4, 3), "nn/nobias/x"))
    y = layer(x)
    y.sum().backward()
    return {"y": y, "grad_fn": grad_fn_name(y), "next": next_names(y), "bias": layer.bias,
            **_grads(layer)}


@parametrize("dtype", DTYPES)
def case_mlp_forward_backward(torch, device, dtype):
    model = _mlp(torch, device, "nn/mlp", dtype)
    x = tensor(torch, device, inputs.randn((5, 3), "nn/mlp/x", NUMPY_DTYPES[dtype]))
    target = tensor(torch, device, inputs.randn((5, 2), "nn/mlp/y", NUMPY_DTYPES[dtype]))
    loss = torch.nn.MSELoss()(model(x), target)
    loss.backward()
    return {"loss": loss, **_grads(model)}


@parametrize("activation", ["ReLU", "Tanh", "Sigmoid", "Softplus", "Identity"])
def case_activation_modules(torch, device, activation):
    x = tensor(torch, device, inputs.randn((2, 5), "nn/act") * 3, requires_grad=True)
    y = getattr(torch.nn, activation)()(x)
    y.backward(tensor(torch, device, inputs.randn((2, 5), "nn/act/g")))
    return {"y": y, "grad_fn": grad_fn_name(y), "x.grad": x.grad}


def case_flatten(torch, device):
    x = tensor(torch, device, inputs.randn((2, 3, 4), "nn/flatten"), requires_grad=True)
    return {"default": torch.nn.Flatten()(x).shape, "0..1": torch.nn.Flatten(0, 1)(x).shape,
            "repr": repr(torch.nn.Flatten(0, 1))}


def _logits_and_classes(torch, device):
    logits = tensor(torch, device, inputs.randn((4, 3), "nn/ce/x"), requires_grad=True)
    classes = tensor(torch, device, inputs.integers((4,), "nn/ce/t", high=3))
    return logits, classes


@parametrize("reduction", ["mean", "sum", "none"])
def case_loss_modules(torch, device, reduction):
    nn = torch.nn
    logits, classes = _logits_and_classes(torch, device)
    probs = tensor(torch, device, inputs.uniform((4, 3), "nn/loss/p", low=0.05, high=0.95),
                   requires_grad=True)
    labels = tensor(torch, device, inputs.integers((4, 3), "nn/loss/y", high=2)
                    .astype(np.float32))
    losses = {
        "MSELoss": nn.MSELoss(reduction=reduction)(logits, labels),
        "BCELoss": nn.BCELoss(reduction=reduction)(probs, labels),
        "BCEWithLogitsLoss": nn.BCEWithLogitsLoss(reduction=reduction)(logits, labels),
        "CrossEntropyLoss": nn.CrossEntropyLoss(reduction=reduction)(logits, classes),
        "NLLLoss": nn.NLLLoss(reduction=reduction)(logits.log_softmax(1), classes),
    }
    total = sum(loss.sum() for loss in losses.values())
    total.backward()
    return {**losses, "logits.grad": logits.grad, "probs.grad": probs.grad}


def case_weighted_loss_modules(torch, device):
    nn = torch.nn
    logits, classes = _logits_and_classes(torch, device)
    weight = tensor(torch, device, inputs.positive((3,), "nn/ce/w"))
    ce = nn.CrossEntropyLoss(weight=weight, label_smoothing=0.1)
    loss = ce(logits, classes)
    loss.backward()
    return {"loss": loss, "logits.grad": logits.grad, "state_dict": ce.state_dict(),
            "repr": repr(ce)}


def case_softplus_module_options(torch, device):
    x = tensor(torch, device, inputs.randn((6,), "nn/softplus") * 4, requires_grad=True)
    module = torch.nn.Softplus(beta=2, threshold=3)
    y = module(x)
    y.sum().backward()
    return {"y": y, "x.grad": x.grad, "repr": repr(module)}


def case_one_hot(torch, device):
    classes = tensor(torch, device, np.array([[0, 2], [1, 3]], dtype=np.int64))
    return {"inferred": torch.nn.functional.one_hot(classes),
            "five": torch.nn.functional.one_hot(classes, 5),
            "too few classes": observe.error(
                lambda: torch.nn.functional.one_hot(classes, 3)),
            "float classes": observe.error(
                lambda: torch.nn.functional.one_hot(classes.float()))}


def case_registration_and_traversal(torch, device):
    nn = torch.nn

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.body = nn.Sequential(nn.Linear(2, 3), nn.ReLU())
            self.head = nn.Linear(3, 1)
            self.scale = nn.Parameter(torch.ones(1, device=device))
            self.register_buffer("steps", torch.zeros(1, device=device))
            self.note = "plain attribute"

        def forward(self, x):
            return self.head(self.body(x)) * self.scale

    net = Net()
    return {"named_parameters": [(n, tuple(p.shape)) for n, p in net.named_parameters()],
            "parameters are Parameters": [isinstance(p, nn.Parameter)
                                          for p in net.parameters()],
            "children": [type(m).__name__ for m in net.children()],
            "modules": [name for name, _ in net.named_modules()],
            "buffers": [name for name, _ in net.named_buffers()],
            "state_dict keys": list(net.state_dict()),
            "state_dict requires_grad": [t.requires_grad for t in net.state_dict().values()],
            "repr": repr(net),
            "missing attribute": observe.error(lambda: net.missing)}


def case_parameter(torch, device):
    data = tensor(torch, device, np.array([1.5, -2.0], dtype=np.float32))
    p = torch.nn.Parameter(data)
    frozen = torch.nn.Parameter(data, requires_grad=False)
    # a layer's own parameter, for the printing (made inside nn, from the lane's own factory)
    layer = _load(torch, device, torch.nn.Linear(2, 1).to(device), "nn/parameter")
    printed = {"repr": repr(layer.weight), "str": str(layer.weight)}
    layer.bias.requires_grad_(False)
    printed["frozen"] = repr(layer.bias)
    return {**printed, "flags": [p.requires_grad, p.is_leaf, p.grad_fn is None],
            "frozen flags": [frozen.requires_grad, frozen.is_leaf],
            "shares storage": p.data_ptr() == data.data_ptr(),
            "isinstance": [isinstance(p, torch.Tensor), isinstance(p, torch.nn.Parameter)],
            "p * 2": p * 2}


def case_module_tree_repr(torch, device):
    nn = torch.nn
    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(inplace=True),
                          nn.Sequential(nn.Linear(4, 4, bias=False), nn.Sigmoid()),
                          nn.Softplus(), nn.Flatten(), nn.Identity())
    return {"repr": repr(model), "slice": repr(model[1:3]), "last": repr(model[-1]),
            "len": len(model), "losses": [repr(nn.MSELoss()), repr(nn.BCELoss()),
                                          repr(nn.NLLLoss()), repr(nn.Module())]}


def case_zero_grad(torch, device):
    model = _mlp(torch, device, "nn/zero_grad")
    x = tensor(torch, device, inputs.randn((2, 3), "nn/zero_grad/x"))
    model(x).sum().backward()
    first = model[0].weight.grad
    model.zero_grad(set_to_none=False)
    zeroed = model[0].weight.grad
    same_object = zeroed is first
    zeroed = zeroed.clone()         # a snapshot: the object itself takes the next backward
    model(x).sum().backward()
    model.zero_grad()
    return {"zeroed": zeroed, "same object": same_object,
            "after zero_grad()": [p.grad for p in model.parameters()]}


def case_train_eval_requires_grad(torch, device):
    model = _mlp(torch, device, "nn/modes")
    evaluated = model.eval()
    flags = {"eval returns self": evaluated is model,
             "after eval": [m.training for m in model.modules()]}
    model.train()
    flags["after train"] = [m.training for m in model.modules()]
    model.requires_grad_(False)
    flags["frozen"] = [p.requires_grad for p in model.parameters()]
    flags["bad mode"] = observe.error(lambda: model.train("yes"))
    return flags


def case_state_dict_round_trip(torch, device):
    source = _mlp(torch, device, "nn/state/a")
    target = _mlp(torch, device, "nn/state/b")
    result = target.load_state_dict(source.state_dict())
    x = tensor(torch, device, inputs.randn((2, 3), "nn/state/x"))
    return {"result": repr(result), "same output": bool((source(x) == target(x)).all()),
            "state": dict(target.state_dict())}


def case_load_state_dict_errors(torch, device):
    layer = torch.nn.Linear(3, 2).to(device)
    weight = tensor(torch, device, np.zeros((2, 3), np.float32))
    bias = tensor(torch, device, np.zeros(2, np.float32))
    wrong = tensor(torch, device, np.zeros((4, 3), np.float32))
    return {
        "missing": observe.error(lambda: layer.load_state_dict({"weight": weight})),
        "unexpected": observe.error(lambda: layer.load_state_dict(
            {"weight": weight, "bias": bias, "extra": bias})),
        "size mismatch": observe.error(lambda: layer.load_state_dict(
            {"weight": wrong, "bias": bias})),
        "not strict": repr(layer.load_state_dict({"weight": weight}, strict=False)),
    }


def case_forward_hooks(torch, device):
    model = _mlp(torch, device, "nn/hooks")
    seen = []
    pre = model[0].register_forward_pre_hook(lambda m, args: seen.append(("pre", type(m)
                                                                          .__name__)))
    post = model[0].register_forward_hook(lambda m, args, out: out * 0)
    x = tensor(torch, device, inputs.randn((2, 3), "nn/hooks/x"))
    hooked = model(x)
    pre.remove()
    post.remove()
    return {"seen": seen, "hooked": hooked, "unhooked": model(x)}


def case_module_errors(torch, device):
    nn = torch.nn

    class NoInit(nn.Module):
        def __init__(self):
            self.w = nn.Parameter(torch.zeros(1, device=device))

    class NoForward(nn.Module):
        pass

    layer = nn.Linear(2, 2).to(device)

    def assign_tensor():
        layer.weight = torch.zeros(2, 2, device=device)

    return {"no init": observe.error(NoInit),
            "no forward": observe.error(lambda: NoForward()(1)),
            "tensor as parameter": observe.error(assign_tensor),
            "wrong in_features": observe.error(
                lambda: layer(tensor(torch, device, np.zeros((3, 5), np.float32)))),
            "sequential index": observe.error(lambda: nn.Sequential(nn.ReLU())[3])}
