"""refgrad.nn against torch.nn: registration and traversal, printing, zero_grad, state dicts,
hooks, initialisation, F.linear's graph, errors."""
from __future__ import annotations

import math

import numpy as np
import pytest
import torch

import refgrad
from conftest import LIBS, arr, close, outcome, tree


def _net(lib):
    nn = lib.nn

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.body = nn.Sequential(nn.Linear(2, 3), nn.ReLU(inplace=True),
                                      nn.Sequential(nn.Softplus(beta=2), nn.Identity()))
            self.head = nn.Linear(3, 1, bias=False)
            self.scale = nn.Parameter(lib.ones(1))
            self.register_buffer("count", lib.zeros(1))
            self.register_buffer("scratch", lib.zeros(1), persistent=False)
            self.loss = nn.CrossEntropyLoss(label_smoothing=0.1)

        def forward(self, x):
            return self.head(self.body(x)) * self.scale

    return Net()


def _copy_weights(source, target):
    """torch module -> refgrad module with the same structure: the same numbers."""
    target.load_state_dict({k: refgrad.tensor(v.numpy()) for k, v in source.state_dict().items()})


def test_registration_and_traversal_as_torch():
    ours, theirs = _net(refgrad), _net(torch)
    for method in ("named_parameters", "named_buffers", "named_children", "named_modules"):
        assert [n for n, _ in getattr(ours, method)()] == \
            [n for n, _ in getattr(theirs, method)()], method
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert all(type(p) is refgrad.nn.Parameter for p in ours.parameters())
    assert len(list(ours.modules())) == len(list(theirs.modules())) == 9


def test_module_tree_prints_as_torch():
    assert repr(_net(refgrad)) == repr(_net(torch))
    for make in (lambda nn: nn.Flatten(0, 2), lambda nn: nn.MSELoss(reduction="sum"),
                 lambda nn: nn.BCEWithLogitsLoss(), lambda nn: nn.Sequential(),
                 lambda nn: nn.Linear(4, 5, bias=False), lambda nn: nn.Module()):
        assert repr(make(refgrad.nn)) == repr(make(torch.nn))


def test_parameter_prints_as_torch():
    data = np.array([[0.5, -1.25], [3.0, 2.0]], np.float32)
    for requires_grad in (True, False):
        ours = refgrad.nn.Parameter(refgrad.tensor(data), requires_grad)
        theirs = torch.nn.Parameter(torch.tensor(data), requires_grad)
        assert repr(ours) == repr(theirs) and str(ours) == str(theirs)
        assert f"{ours}" == f"{theirs}"
    ours = refgrad.nn.Parameter(refgrad.tensor(data))
    assert ours.is_leaf and ours.grad_fn is None
    assert type(ours * 2) is refgrad.Tensor and type(ours.detach()) is refgrad.Tensor


@pytest.mark.parametrize("name", ["refgrad", "torch"])
def test_zero_grad_sets_none_by_default_or_zeros_in_place(name):
    lib = LIBS[name]
    model = lib.nn.Linear(3, 2)
    model(lib.ones(1, 3)).sum().backward()
    grad = model.weight.grad
    model.zero_grad(set_to_none=False)
    assert model.weight.grad is grad and not grad.any()
    model.zero_grad()
    assert model.weight.grad is None and model.bias.grad is None


def test_state_dict_errors_and_results_as_torch():
    def attempts(lib):
        layer = lib.nn.Linear(3, 2)
        w, b = lib.zeros(2, 3), lib.zeros(2)
        return [outcome(lambda: layer.load_state_dict({"weight": w})),
                outcome(lambda: layer.load_state_dict({"weight": w, "bias": b, "x": b})),
                outcome(lambda: layer.load_state_dict({"weight": lib.zeros(4, 3), "bias": b})),
                repr(layer.load_state_dict({"weight": w}, strict=False)),
                repr(layer.load_state_dict({"weight": w, "bias": b}))]
    assert attempts(refgrad) == attempts(torch)


def test_load_state_dict_copies_into_the_same_parameters():
    source, target = torch.nn.Linear(3, 2), refgrad.nn.Linear(3, 2)
    weight = target.weight
    _copy_weights(source, target)
    assert target.weight is weight and weight.requires_grad
    assert close(target.weight, source.weight, 0, 0) and close(target.bias, source.bias, 0, 0)
    x = np.arange(6, dtype=np.float32).reshape(2, 3)
    assert close(target(refgrad.tensor(x)), source(torch.tensor(x)), 1e-6, 1e-6)


def test_forward_hooks():
    layer = refgrad.nn.Linear(2, 2)
    calls = []
    pre = layer.register_forward_pre_hook(lambda m, args: (args[0] * 0,))
    post = layer.register_forward_hook(lambda m, args, out: calls.append(arr(args[0])))
    out = layer(refgrad.ones(1, 2))
    assert close(out, layer.bias.reshape(1, 2)) and not calls[0].any()
    pre.remove()
    post.remove()
    pre.remove()                            # idempotent
    assert close(layer(refgrad.zeros(1, 2)), layer.bias.reshape(1, 2)) and len(calls) == 1


def test_train_eval_requires_grad_and_dtype():
    model = _net(refgrad)
    assert model.eval() is model and not any(m.training for m in model.modules())
    assert all(m.training for m in model.train().modules())
    model.requires_grad_(False)
    assert not any(p.requires_grad for p in model.parameters())
    model.double()
    assert {str(p.dtype) for p in model.parameters()} == {"torch.float64"}
    assert isinstance(model.head.weight, refgrad.nn.Parameter)


def test_module_errors_as_torch():
    def errors(lib):
        nn = lib.nn

        class NoInit(nn.Module):
            def __init__(self):
                self.w = nn.Parameter(lib.zeros(1))

        class NoForward(nn.Module):
            pass

        layer = nn.Linear(2, 2)
        return [outcome(NoInit), outcome(lambda: NoForward()(1)),
                outcome(lambda: setattr(layer, "weight", lib.zeros(2, 2))),
                outcome(lambda: layer.missing), outcome(lambda: layer.train(1)),
                outcome(lambda: layer(lib.zeros(3, 5))),
                outcome(lambda: layer(lib.zeros(3, 2, dtype=lib.float64))),
                outcome(lambda: nn.Sequential(nn.ReLU())[2]),
                outcome(lambda: nn.init.xavier_uniform_(lib.zeros(3)))]
    assert errors(refgrad) == errors(torch)


@pytest.mark.parametrize("shape", [(3,), (2, 3), (2, 2, 3)])
@pytest.mark.parametrize("bias", [True, False])
def test_linear_graph_as_torch(shape, bias):
    def graph(lib):
        x = lib.ones(*shape, requires_grad=True)
        w = lib.ones(4, 3, requires_grad=True)
        b = lib.ones(4, requires_grad=True) if bias else None
        return tree(lib.nn.functional.linear(x, w, b), x=x, w=w, b=b)
    assert graph(refgrad) == graph(torch)


def test_linear_initialisation_follows_torchs_formulas():
    refgrad.manual_seed(3)
    layer = refgrad.nn.Linear(400, 300)
    bound = 1 / math.sqrt(400)            # kaiming_uniform_(a=sqrt(5)) gives 1/sqrt(fan_in)
    weight, bias = arr(layer.weight), arr(layer.bias)
    assert np.abs(weight).max() <= bound and np.abs(weight).max() > 0.99 * bound
    assert np.abs(bias).max() <= bound and np.abs(bias).max() > 0.95 * bound
    assert abs(weight.std() - bound / math.sqrt(3)) < 0.02 * bound
    refgrad.manual_seed(3)
    assert close(refgrad.nn.Linear(400, 300).weight, layer.weight, 0, 0)


def test_init_functions():
    init, t = refgrad.nn.init, refgrad.empty(500, 200)
    assert init.constant_(t, 0.5) is t and (arr(t) == 0.5).all()
    assert not arr(init.zeros_(t)).any() and (arr(init.ones_(t)) == 1).all()
    version = t._version
    bound = math.sqrt(6 / 700)
    assert np.abs(arr(init.xavier_uniform_(t))).max() <= bound and t._version > version
    assert abs(arr(init.kaiming_normal_(t, nonlinearity="relu")).std()
               - math.sqrt(2 / 200)) < 0.03 * math.sqrt(2 / 200)
    assert abs(arr(init.xavier_normal_(t, gain=2)).std() - 2 * math.sqrt(2 / 700)) < 0.003
    assert abs(arr(init.normal_(t, 1.0, 0.5)).mean() - 1.0) < 0.01
    for args in [("linear",), ("tanh",), ("relu",), ("leaky_relu",), ("leaky_relu", 0.2),
                 ("selu",), ("sigmoid",)]:
        assert init.calculate_gain(*args) == torch.nn.init.calculate_gain(*args)
    p = refgrad.nn.Parameter(refgrad.zeros(2, 2))
    init.uniform_(p, -1, 1)                 # in place on a leaf that requires grad: no graph
    assert p.grad_fn is None and p.requires_grad


def test_one_hot_and_softplus_as_torch():
    classes = np.array([[0, 3], [2, 1]], np.int64)
    for num_classes in (-1, 4, 6):
        assert (arr(refgrad.nn.functional.one_hot(refgrad.tensor(classes), num_classes))
                == arr(torch.nn.functional.one_hot(torch.tensor(classes), num_classes))).all()
    x = np.linspace(-30, 30, 13).astype(np.float32)
    for beta, threshold in [(1, 20), (2, 3), (0.5, 1)]:
        ours = refgrad.nn.Softplus(beta, threshold)(refgrad.tensor(x))
        theirs = torch.nn.Softplus(beta, threshold)(torch.tensor(x))
        assert close(ours, theirs, 1.3e-6, 1e-5)
