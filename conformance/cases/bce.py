"""binary_cross_entropy_with_logits (and plain binary_cross_entropy): value, gradient, every
reduction, weight, pos_weight, broadcasting of weight/pos_weight, extreme logits, the clamp of
the log at -100, and the dtype of the result.

The small literal inputs are those whose float32 results are known bit-for-bit.
"""
import numpy as np

from conformance import inputs, observe
from conformance.case import parametrize
from conformance.cases._common import DTYPES, NUMPY_DTYPES, grad_fn_name, leaf, tensor

LOGITS = [[0.5, -1.0, 2.0], [1.5, 0.0, -0.5]]
PROBABILITIES = [[0.2, 0.7, 0.9], [0.6, 0.5, 0.1]]
TARGETS = [[0.0, 1.0, 1.0], [1.0, 0.0, 0.0]]
WEIGHT = [1.0, 2.0, 3.0]
POS_WEIGHT = [2.0, 1.0, 0.5]


def _literals(torch, device, dtype="float32"):
    np_dtype = NUMPY_DTYPES[dtype]
    x = leaf(torch, device, np.array(LOGITS, dtype=np_dtype))
    y = tensor(torch, device, np.array(TARGETS, dtype=np_dtype))
    return x, y


def _backward_of(loss):
    """Backward with an all-ones upstream gradient, whatever the reduction."""
    (loss.sum() if loss.dim() else loss).backward()


@parametrize("dtype", DTYPES)
@parametrize("reduction", ["mean", "sum", "none"])
def case_value_and_grad(torch, device, reduction, dtype):
    x, y = _literals(torch, device, dtype)
    loss = torch.nn.functional.binary_cross_entropy_with_logits(x, y, reduction=reduction)
    _backward_of(loss)
    return {"loss": loss, "loss.grad_fn": grad_fn_name(loss), "x.grad": x.grad}


@parametrize("reduction", ["mean", "sum", "none"])
def case_weight(torch, device, reduction):
    x, y = _literals(torch, device)
    weight = tensor(torch, device, np.array(WEIGHT, dtype="float32"))
    loss = torch.nn.functional.binary_cross_entropy_with_logits(
        x, y, weight=weight, reduction=reduction)
    _backward_of(loss)
    return {"loss": loss, "x.grad": x.grad}


@parametrize("reduction", ["mean", "sum", "none"])
def case_pos_weight(torch, device, reduction):
    x, y = _literals(torch, device)
    pos_weight = tensor(torch, device, np.array(POS_WEIGHT, dtype="float32"))
    loss = torch.nn.functional.binary_cross_entropy_with_logits(
        x, y, pos_weight=pos_weight, reduction=reduction)
    _backward_of(loss)
    return {"loss": loss, "x.grad": x.grad}


@parametrize("reduction", ["mean", "sum", "none"])
def case_weight_and_pos_weight(torch, device, reduction):
    x, y = _literals(torch, device)
    weight = tensor(torch, device, np.array(WEIGHT, dtype="float32"))
    pos_weight = tensor(torch, device, np.array(POS_WEIGHT, dtype="float32"))
    loss = torch.nn.functional.binary_cross_entropy_with_logits(
        x, y, weight=weight, pos_weight=pos_weight, reduction=reduction)
    _backward_of(loss)
    return {"loss": loss, "x.grad": x.grad}


def case_weight_per_element_and_column_pos_weight(torch, device):
    x, y = _literals(torch, device)
    weight = tensor(torch, device, inputs.positive((2, 3), "bce/weight2d"))
    pos_weight = tensor(torch, device, inputs.positive((2, 1), "bce/pos_weight_col"))
    loss = torch.nn.functional.binary_cross_entropy_with_logits(
        x, y, weight=weight, pos_weight=pos_weight)
    loss.backward()
    return {"loss": loss, "x.grad": x.grad}


@parametrize("shape", [(7,), (4, 5), (2, 3, 4)], ids=["7", "4x5", "2x3x4"])
def case_random_logits_soft_targets(torch, device, shape):
    x = leaf(torch, device, inputs.randn(shape, "bce/random/x") * 3)
    y = tensor(torch, device, inputs.uniform(shape, "bce/random/y", low=0.0, high=1.0))
    loss = torch.nn.functional.binary_cross_entropy_with_logits(x, y)
    loss.backward()
    return {"loss": loss, "x.grad": x.grad}


def case_extreme_logits(torch, device):
    x = leaf(torch, device, np.array([-200.0, 200.0, -100.0, 100.0, 0.0, -30.0, 30.0],
                                            dtype="float32"))
    y = tensor(torch, device, np.array([1.0, 0.0, 0.0, 1.0, 1.0, 0.0, 1.0],
                                              dtype="float32"))
    loss = torch.nn.functional.binary_cross_entropy_with_logits(x, y, reduction="none")
    loss.sum().backward()
    return {"loss": loss, "x.grad": x.grad}


def case_extreme_logits_mean(torch, device):
    x = leaf(torch, device, np.array([-1000.0, 1000.0, 88.0, -88.0], dtype="float32"))
    y = tensor(torch, device, np.array([1.0, 0.0, 0.0, 1.0], dtype="float32"))
    loss = torch.nn.functional.binary_cross_entropy_with_logits(x, y)
    loss.backward()
    return {"loss": loss, "x.grad": x.grad}


def case_extreme_logits_pos_weight(torch, device):
    x = leaf(torch, device, np.array([-200.0, 200.0, -50.0], dtype="float32"))
    y = tensor(torch, device, np.array([1.0, 0.0, 1.0], dtype="float32"))
    pos_weight = tensor(torch, device, np.array([3.0, 3.0, 0.5], dtype="float32"))
    loss = torch.nn.functional.binary_cross_entropy_with_logits(
        x, y, pos_weight=pos_weight, reduction="none")
    loss.sum().backward()
    return {"loss": loss, "x.grad": x.grad}


def case_float64_target_promotes(torch, device):
    x, _ = _literals(torch, device)
    y = tensor(torch, device, np.array(TARGETS, dtype="float64"))
    loss = torch.nn.functional.binary_cross_entropy_with_logits(x, y)
    loss.backward()
    return {"loss": loss, "loss.dtype": str(loss.dtype), "x.grad.dtype": str(x.grad.dtype),
            "x.grad": x.grad}


def case_scalar_input(torch, device):
    x = leaf(torch, device, np.array(0.75, dtype="float32"))
    y = tensor(torch, device, np.array(1.0, dtype="float32"))
    loss = torch.nn.functional.binary_cross_entropy_with_logits(x, y)
    loss.backward()
    return {"loss": loss, "x.grad": x.grad, "loss.shape": tuple(loss.shape)}


def case_target_requires_grad(torch, device):
    x, _ = _literals(torch, device)
    y = leaf(torch, device, inputs.uniform((2, 3), "bce/soft_target", low=0.0, high=1.0))
    loss = torch.nn.functional.binary_cross_entropy_with_logits(x, y)
    loss.backward()
    return {"loss": loss, "x.grad": x.grad, "y.grad": y.grad,
            "graph(loss)": observe.graph(loss, x=x, y=y)}


def case_graph_of_scaled_logits(torch, device):
    x, y = _literals(torch, device)
    loss = torch.nn.functional.binary_cross_entropy_with_logits(x * 2, y)
    return {"graph(loss)": observe.graph(loss, x=x)}


def case_second_backward_raises(torch, device):
    x, y = _literals(torch, device)
    loss = torch.nn.functional.binary_cross_entropy_with_logits(x, y)
    loss.backward()
    return {"second backward": observe.error(lambda: loss.backward())}


def case_repr(torch, device):
    x, y = _literals(torch, device)
    mean = torch.nn.functional.binary_cross_entropy_with_logits(x, y)
    none = torch.nn.functional.binary_cross_entropy_with_logits(x, y, reduction="none")
    return {"repr(mean)": repr(mean), "repr(none)": repr(none)}


# --- binary_cross_entropy on probabilities ---------------------------------------------------

@parametrize("reduction", ["mean", "sum", "none"])
def case_probabilities_value_and_grad(torch, device, reduction):
    q = leaf(torch, device, np.array(PROBABILITIES, dtype="float32"))
    y = tensor(torch, device, np.array(TARGETS, dtype="float32"))
    loss = torch.nn.functional.binary_cross_entropy(q, y, reduction=reduction)
    _backward_of(loss)
    return {"loss": loss, "loss.grad_fn": grad_fn_name(loss), "q.grad": q.grad}


def case_probabilities_weight(torch, device):
    q = leaf(torch, device, np.array(PROBABILITIES, dtype="float32"))
    y = tensor(torch, device, np.array(TARGETS, dtype="float32"))
    weight = tensor(torch, device, np.array(WEIGHT, dtype="float32"))
    loss = torch.nn.functional.binary_cross_entropy(q, y, weight=weight)
    loss.backward()
    return {"loss": loss, "q.grad": q.grad}


def case_probabilities_log_clamped_at_minus_100(torch, device):
    q = leaf(torch, device, np.array([0.0, 1.0, 1e-30, 1.0], dtype="float32"))
    y = tensor(torch, device, np.array([1.0, 0.0, 1.0, 1.0], dtype="float32"))
    loss = torch.nn.functional.binary_cross_entropy(q, y, reduction="none")
    loss.sum().backward()
    return {"loss": loss, "q.grad": q.grad}


def case_probabilities_of_saturated_sigmoid(torch, device):
    x = leaf(torch, device, np.array([-200.0, 200.0], dtype="float32"))
    y = tensor(torch, device, np.array([1.0, 0.0], dtype="float32"))
    loss = torch.nn.functional.binary_cross_entropy(torch.sigmoid(x), y, reduction="none")
    loss.sum().backward()
    return {"loss": loss, "x.grad": x.grad}
