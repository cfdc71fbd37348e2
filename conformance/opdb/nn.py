"""Softmax, the nn.functional losses, and gradients of gradients (create_graph=True)."""
from __future__ import annotations

import warnings

from conformance import observe
from conformance.opdb import draws
from conformance.opdb.core import Family, OpInfo, Operand, Param, fixed_family, param_family
from conformance.opdb.core import Recipe
from conformance.opdb.domains import (
    ANY, LABELS, NONZERO, POSITIVE, PROBABILITY, UNIT, classes,
)
from conformance.opdb.elementwise import TIES

LOGITS = (-60.0, -20.0, 0.0, 20.0, 60.0)
REDUCTIONS = ["mean", "sum", "none"]


def _softmax_family(name: str, call, values, ids) -> Family:
    return Family(name, call, lambda shape_dim: (Operand("a", shape_dim[0]),),
                  f"ops/{name}/{{shape_dim}}/{{dtype}}", (Param("shape_dim", values, ids),))


def _reduction_family(name: str, call, operands, key: str) -> Family:
    return param_family(name, call, operands, Param("reduction", REDUCTIONS), key=key)


def _optional(ns, params, name):
    return ns.tensor(params[name]) if name in params else None


def _bce_with_logits(ns, x, y, reduction, **weights):
    return ns.nn.functional.binary_cross_entropy_with_logits(
        x, y, weight=_optional(ns, weights, "weight"),
        pos_weight=_optional(ns, weights, "pos_weight"), reduction=reduction)


def _bce(ns, p, y, reduction, **weights):
    return ns.nn.functional.binary_cross_entropy(
        p, y, weight=_optional(ns, weights, "weight"), reduction=reduction)


def _nll(ns, logp, target, reduction, **weights):
    return ns.nn.functional.nll_loss(logp, ns.tensor(target),
                                     weight=_optional(ns, weights, "weight"),
                                     reduction=reduction)


# Inputs of a loss case: the input requires grad, the target does not.
_INPUT = Operand("input", (2, 3), suffix="/x")
_PROBABILITIES = Operand("input", (2, 3), UNIT, "/q")
_CLASS_INPUTS = (Operand("input", (4, 3), suffix="/x"),
                 Operand("classes", (4,), classes(3), "/classes", grad=False))


def _second_order(first):
    """The gradient of ``sum(first(a) * first(a))``, kept in the graph (create_graph=True).

    The product makes the incoming gradient depend on ``a`` too, so both inputs of a
    ``*BackwardBackward0`` node carry a gradient.
    """
    def build(ns, a, **params):
        y = first(a, **params)
        (grad,) = ns.autograd.grad((y * y).sum(), (a,), create_graph=True)
        return grad
    return build


def _grad_of_leaf_with_create_graph(ns, a, b):
    # the first .grad of a leaf under create_graph=True is a CopyBackwards node
    a.grad = None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the reference-cycle warning of create_graph
        (a * a * b).sum().backward(create_graph=True)
    grad, a.grad, b.grad = a.grad, None, None
    return grad


# First derivatives recorded with create_graph=True, differentiated again: the nodes of the
# derivative's own graph (SelectBackwardBackward0, IndexPutImplBackward0, ...) and its VJP.
SECOND_ORDER = {
    "select": lambda torch, x: x[1] * x[1],
    "slice": lambda torch, x: (x[1:3] ** 2).sum(),
    "index": lambda torch, x: (x[[0, 2, 2]] ** 2).sum(),
    "relu": lambda torch, x: (torch.relu(x) ** 2).sum(),
    "relu-linear": lambda torch, x: torch.relu(x).sum(),
    "sigmoid": lambda torch, x: torch.sigmoid(x).sum(),
    "tanh": lambda torch, x: torch.tanh(x).sum(),
    # abs' derivative is sgn(x), whose own gradient is a ZeroTensor
    "abs": lambda torch, x: torch.abs(x).sum(),
    "abs-squared": lambda torch, x: (torch.abs(x) ** 2).sum(),
}


def _graph_of_gradient(result, observed, x):
    return {"graph(g)": observe.graph(result, x=x)}


OPS = (
    OpInfo("softmax", "torch.softmax", True, edges=LOGITS, cases=(
        _softmax_family("softmax", lambda torch, a, shape_dim: torch.softmax(a, shape_dim[1]),
                        [((5,), 0), ((2, 3), 1), ((2, 3), 0), ((2, 3), -1), ((2, 3, 4), 1)],
                        ["5-d0", "2x3-d1", "2x3-d0", "2x3-d-1", "2x3x4-d1"]),
        fixed_family("functional_softmax",
                     lambda torch, a: torch.nn.functional.softmax(a, dim=1),
                     (Operand("a", (3, 4)),), key="F.softmax"),
        fixed_family("softmax_method", lambda torch, a: a.softmax(-1), (Operand("a", (2, 4)),)),
    ), recipes=(Recipe("SoftmaxBackward0", lambda ns, a, dim: a.softmax(dim),
                       draws.with_dim(keepdim=False)),), fuzz=True),
    OpInfo("log_softmax", "torch.log_softmax", True, edges=LOGITS, cases=(
        _softmax_family("log_softmax",
                        lambda torch, a, shape_dim: torch.log_softmax(a, shape_dim[1]),
                        [((5,), 0), ((2, 3), 1), ((2, 3), 0), ((2, 3, 4), -1)],
                        ["5-d0", "2x3-d1", "2x3-d0", "2x3x4-d-1"]),
        fixed_family("functional_log_softmax",
                     lambda torch, a: torch.nn.functional.log_softmax(a, dim=-1),
                     (Operand("a", (3, 4)),), key="F.log_softmax"),
    ), recipes=(Recipe("LogSoftmaxBackward0", lambda ns, a, dim: a.log_softmax(dim),
                       draws.with_dim(keepdim=False)),), fuzz=True),
    OpInfo("bce_with_logits", "torch.nn.functional.binary_cross_entropy_with_logits", True,
           (ANY, PROBABILITY), LOGITS, cases=(
               _reduction_family(
                   "binary_cross_entropy_with_logits",
                   lambda torch, x, y, reduction:
                   torch.nn.functional.binary_cross_entropy_with_logits(
                       x, y, reduction=reduction),
                   (_INPUT, Operand("target", (2, 3), LABELS, "/y", grad=False)),
                   "bce_logits"),
           ), recipes=(Recipe("BinaryCrossEntropyWithLogitsBackward0", _bce_with_logits,
                              draws.loss_pair(ANY, UNIT, weighted="pos")),), fuzz=True),
    OpInfo("mse_loss", "torch.nn.functional.mse_loss", True, (ANY, ANY), TIES, cases=(
        _reduction_family("mse_loss", lambda torch, x, y, reduction:
                          torch.nn.functional.mse_loss(x, y, reduction=reduction),
                          (_INPUT, Operand("target", (2, 3), suffix="/y", grad=False)),
                          "mse_loss"),
        fixed_family("mse_loss_both_require_grad",
                     lambda torch, x, y: torch.nn.functional.mse_loss(x, y),
                     (Operand("input", (4,), suffix="/x"),
                      Operand("target", (4,), suffix="/y")), key="mse_loss_both"),
    ), recipes=(Recipe("MseLossBackward0", lambda ns, x, y, reduction:
                       ns.nn.functional.mse_loss(x, y, reduction=reduction),
                       draws.loss_pair(ANY, ANY)),), fuzz=True),
    # --- not in the fuzzer's catalogue -----------------------------------------------------
    OpInfo("binary_cross_entropy", "torch.nn.functional.binary_cross_entropy", True,
           (UNIT, PROBABILITY), cases=(
               _reduction_family(
                   "binary_cross_entropy",
                   lambda torch, q, y, reduction: torch.nn.functional.binary_cross_entropy(
                       q, y, reduction=reduction),
                   (_PROBABILITIES, Operand("target", (2, 3), PROBABILITY, "/y", grad=False)),
                   "bce"),
               fixed_family(
                   "binary_cross_entropy_weight",
                   lambda torch, q, y, weight: torch.nn.functional.binary_cross_entropy(
                       q, y, weight=weight),
                   (_PROBABILITIES, Operand("target", (2, 3), LABELS, "/y", grad=False),
                    Operand("weight", (2, 3), POSITIVE, "/w", grad=False)), key="bce_weight"),
           ), recipes=(Recipe("BinaryCrossEntropyBackward0", _bce,
                              draws.loss_pair(UNIT, UNIT, weighted=True)),)),
    OpInfo("cross_entropy", "torch.nn.functional.cross_entropy", True, cases=(
        _reduction_family("cross_entropy", lambda torch, x, target, reduction:
                          torch.nn.functional.cross_entropy(x, target, reduction=reduction),
                          _CLASS_INPUTS, "cross_entropy"),
    )),
    OpInfo("nll_loss", "torch.nn.functional.nll_loss", True, cases=(
        fixed_family("nll_loss", lambda torch, x, target: torch.nn.functional.nll_loss(
            torch.log_softmax(x, 1), target), _CLASS_INPUTS),
    ), recipes=(Recipe("NllLossBackward0", _nll, draws.nll),)),
    OpInfo("create_graph", "torch.autograd.grad", True, cases=(
        fixed_family("create_graph_of_cube", lambda torch, x: torch.autograd.grad(
            (x ** 3).sum(), x, create_graph=True)[0], (Operand("x", (3,), POSITIVE),),
            key="create_graph_cube", also=_graph_of_gradient),
        param_family("create_graph_of", lambda torch, x, function: torch.autograd.grad(
            SECOND_ORDER[function](torch, x), x, create_graph=True)[0],
            (Operand("x", (4,)),), Param("function", list(SECOND_ORDER)),
            also=_graph_of_gradient),
    ), recipes=(
        # the first derivative of a**3, kept in the graph, multiplies by the scalar 3
        Recipe("MulBackward1", lambda ns, a: ns.autograd.grad(
            a.pow(3).sum(), (a,), create_graph=True)[0], draws.unary(POSITIVE)),
        Recipe("SelectBackwardBackward0", _second_order(lambda a, key: a[key]),
               draws.with_index("select")),
        Recipe("SliceBackwardBackward0", _second_order(lambda a, key: a[key]),
               draws.with_index("slice")),
        Recipe("IndexPutImplBackward0", _second_order(lambda a, key: a[key]),
               draws.with_index("index")),
        Recipe("SigmoidBackwardBackward0", _second_order(lambda a: a.sigmoid()),
               draws.unary()),
        Recipe("TanhBackwardBackward0", _second_order(lambda a: a.tanh()), draws.unary()),
        Recipe("ThresholdBackwardBackward0", _second_order(lambda a: a.relu()),
               draws.unary(NONZERO)),
        Recipe("CopyBackwards", _grad_of_leaf_with_create_graph, draws.binary()),
    )),
)
