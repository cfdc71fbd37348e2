"""Gradient values at edge cases: kinks (relu, abs, clamp bounds), ties (max/min/maximum),
non-differentiable points of sqrt/pow/log, saturation of sigmoid/tanh/exp/softmax, and nan/inf
propagation. Inputs are exact literals chosen to land on those points.
"""
import numpy as np

from conformance.case import parametrize
from conformance.cases._common import leaf, tensor

NAN, INF = float("nan"), float("inf")


def _grad_of(torch, device, f, values):
    """Value and gradient of ``f`` at ``values`` (an all-ones upstream gradient)."""
    x = leaf(torch, device, np.array(values, dtype="float32"))
    out = f(torch, x)
    (out.sum() if out.dim() else out).backward()
    return {"value": out, "x.grad": x.grad}


# Each point's name says what it probes; the function and where it is evaluated.
POINTS = {
    "relu at -1,0,1": (lambda torch, x: torch.relu(x), [-1.0, 0.0, 1.0]),
    "abs at -1,0,1": (lambda torch, x: torch.abs(x), [-1.0, 0.0, 1.0]),
    "sqrt at 0,1": (lambda torch, x: torch.sqrt(x), [0.0, 1.0]),
    "x**0.5 at 0,1": (lambda torch, x: x ** 0.5, [0.0, 1.0]),
    "x**2 at 0,-1": (lambda torch, x: x ** 2, [0.0, -1.0]),
    "x**0 at 0,2": (lambda torch, x: x ** 0, [0.0, 2.0]),
    "x**1 at 0,2": (lambda torch, x: x ** 1, [0.0, 2.0]),
    "x**-1 at 0,2": (lambda torch, x: x ** -1, [0.0, 2.0]),
    "log at 0,1": (lambda torch, x: torch.log(x), [0.0, 1.0]),
    "log at -1": (lambda torch, x: torch.log(x), [-1.0]),
    "1/x at 0": (lambda torch, x: 1 / x, [0.0]),
    "reciprocal at 0": (lambda torch, x: torch.reciprocal(x), [0.0]),
    "max() ties": (lambda torch, x: x.max(), [1.0, 3.0, 3.0]),
    "min() ties": (lambda torch, x: x.min(), [2.0, 2.0, 5.0]),
    "max(dim) ties": (lambda torch, x: x.max(dim=0).values, [1.0, 3.0, 3.0]),
    "max(dim=1) ties 2d": (lambda torch, x: x.max(dim=1).values, [[3.0, 3.0], [1.0, 2.0]]),
    "min(dim) ties": (lambda torch, x: x.min(dim=0).values, [2.0, 2.0, 5.0]),
    "maximum with ones ties": (lambda torch, x: torch.maximum(x, torch.ones_like(x)),
                               [0.0, 1.0, 2.0]),
    "minimum with ones ties": (lambda torch, x: torch.minimum(x, torch.ones_like(x)),
                               [0.0, 1.0, 2.0]),
    "clamp(0,1) at bounds": (lambda torch, x: x.clamp(0, 1), [-1.0, 0.0, 0.5, 1.0, 2.0]),
    "clamp(min=0) at 0": (lambda torch, x: x.clamp(min=0), [0.0]),
    "clamp(max=0) at 0": (lambda torch, x: torch.clamp(x, max=0.0), [0.0, 1.0]),
    "where(x>0, x, 0)": (lambda torch, x: torch.where(x > 0, x, torch.zeros_like(x)),
                         [-1.0, 0.0, 1.0]),
    "where leaks nan from sqrt": (
        lambda torch, x: torch.where(x > 0, x.sqrt(), torch.zeros_like(x)), [-1.0, 0.0, 1.0]),
    "sigmoid saturation": (lambda torch, x: torch.sigmoid(x), [-100.0, -20.0, 0.0, 20.0, 100.0]),
    "tanh saturation": (lambda torch, x: torch.tanh(x), [-100.0, 0.0, 100.0]),
    "exp overflow": (lambda torch, x: torch.exp(x), [88.0, 89.0, -104.0]),
    "softmax large": (lambda torch, x: torch.softmax(x, 0), [1000.0, 0.0, -1000.0]),
    "log_softmax large": (lambda torch, x: torch.log_softmax(x, 0), [1000.0, 0.0, -1000.0]),
    "log(sigmoid) underflow": (lambda torch, x: torch.log(torch.sigmoid(x)),
                               [-100.0, 0.0, 100.0]),
    "nan through mul": (lambda torch, x: x * 2, [NAN, 1.0]),
    "nan through sum": (lambda torch, x: x, [NAN, 1.0]),
    "inf times zero": (lambda torch, x: x * 0, [INF, 1.0]),
    "exp(-inf)": (lambda torch, x: torch.exp(-x), [INF, 1.0]),
    "times inf": (lambda torch, x: x * INF, [1.0, 2.0]),
    "zero times sqrt at 0": (lambda torch, x: x.sqrt() * 0, [0.0, 1.0]),
    "relu of nan": (lambda torch, x: torch.relu(x), [NAN, -1.0, 1.0]),
    "abs of -0": (lambda torch, x: torch.abs(x), [-0.0, 0.0]),
}


@parametrize("point", list(POINTS))
def case_gradient_at(torch, device, point):
    f, values = POINTS[point]
    return _grad_of(torch, device, f, values)


def case_maximum_ties_between_two_leaves(torch, device):
    y = leaf(torch, device, np.array([1.0, 1.0], dtype="float32"))
    z = leaf(torch, device, np.array([1.0, 0.0], dtype="float32"))
    torch.maximum(y, z).sum().backward()
    return {"y.grad": y.grad, "z.grad": z.grad}


def case_max_dim_ties_indices(torch, device):
    x = tensor(torch, device, np.array([1.0, 3.0, 3.0], dtype="float32"))
    result = x.max(dim=0)
    return {"values": result.values, "indices": result.indices}


def case_softmax_row_gradient(torch, device):
    x = leaf(torch, device, np.array([1000.0, 0.0, -1000.0], dtype="float32"))
    s = torch.softmax(x, 0)
    s[0].backward()
    return {"x.grad": x.grad}


def case_empty_reductions(torch, device):
    empty = tensor(torch, device, np.zeros(0, dtype="float32"))
    e = leaf(torch, device, np.zeros(0, dtype="float32"))
    e.mean().backward()
    return {"mean of empty": empty.mean(), "sum of empty": empty.sum(),
            "grad of empty mean": e.grad}


def case_bce_with_logits_zero_logit(torch, device):
    x = leaf(torch, device, np.zeros(4, dtype="float32"))
    y = tensor(torch, device, np.array([0.0, 1.0, 0.5, 1.0], dtype="float32"))
    loss = torch.nn.functional.binary_cross_entropy_with_logits(x, y)
    loss.backward()
    return {"loss": loss, "x.grad": x.grad}
