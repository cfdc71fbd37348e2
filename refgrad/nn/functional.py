"""Losses and activations (``torch.nn.functional``).

Losses that PyTorch computes in one kernel have their own row in the derivative table
(``BinaryCrossEntropyWithLogitsBackward0``, ``MseLossBackward0``, ...); ``cross_entropy`` with
class indices is ``nll_loss(log_softmax(x))`` as in PyTorch.
"""
from __future__ import annotations

import warnings

import numpy as np

from .. import dtypes as _dt
from .. import ops as _ops
from ..autograd.graph import record
from ..tensor import _forward, _wrap, broadcast_error

_REDUCTIONS = {"none": 0, "mean": 1, "sum": 2}


def _reduction_code(reduction) -> int:
    code = _REDUCTIONS.get(reduction)
    if code is None:
        raise ValueError(f"{reduction} is not a valid value for reduction")
    return code


def _legacy_reduction(size_average, reduce, reduction):
    if size_average is None and reduce is None:
        return reduction
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    if not reduce:
        return "none"
    return "mean" if size_average else "sum"


def _cast(t, dt):
    return t._data if t._dtype is dt else t._data.astype(dt.np)


# ------------------------------------------------------------------------------- activations

def relu(input, inplace=False):
    return input.relu_() if inplace else input.relu()


def sigmoid(input):
    return input.sigmoid()


def tanh(input):
    return input.tanh()


def logsigmoid(input):
    return input.log_sigmoid()


def _implicit_softmax_dim(ndim):
    warnings.warn("Implicit dimension choice for softmax has been deprecated. Change the call "
                  "to include dim=X as an argument.", UserWarning, stacklevel=3)
    return 0 if ndim in (0, 1, 3) else 1


def softmax(input, dim=None, _stacklevel=3, dtype=None):
    if dim is None:
        dim = _implicit_softmax_dim(input.dim())
    return input.softmax(dim, dtype=dtype)


def log_softmax(input, dim=None, _stacklevel=3, dtype=None):
    if dim is None:
        dim = _implicit_softmax_dim(input.dim())
    return input.log_softmax(dim, dtype=dtype)


# -------------------------------------------------------------------------------------- losses

def binary_cross_entropy_with_logits(input, target, weight=None, size_average=None,
                                     reduce=None, reduction="mean", pos_weight=None):
    """mean((1 - y) * x - log_weight * logsigmoid(x)), exact for large logits."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    if target._data.shape != input._data.shape:
        raise ValueError(f"Target size ({target.shape}) must be the same as input size "
                         f"({input.shape})")
    code = _reduction_code(reduction)
    dt = input._dtype if input._dtype is target._dtype else _dt.result_type(input, target)
    if not target._dtype.is_floating_point:
        raise RuntimeError(f"result type {dt.dot_name} can't be cast to the desired output "
                           f"type {target._dtype.dot_name}")
    params = {"reduction": code}
    extra = {"weight": weight, "pos_weight": pos_weight}
    if pos_weight is not None:
        try:
            np.broadcast_shapes(pos_weight._data.shape, target._data.shape)
        except ValueError:
            raise broadcast_error(pos_weight._data.shape, target._data.shape) from None
        params["pos_weight"] = pos_weight._data
    if weight is not None:
        try:
            np.broadcast_shapes(input._data.shape, weight._data.shape)
        except ValueError:
            raise broadcast_error(input._data.shape, weight._data.shape) from None
        params["weight"] = weight._data
    data = _forward(_ops.BCE_WITH_LOGITS, input._data, target._data, **params)
    out = _wrap(data.astype(dt.np, copy=False), dt)
    if input._requires_grad or target._requires_grad:
        record(_ops.BCE_WITH_LOGITS, out, (input, target), {"reduction": code}, extra)
    return out


def mse_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    reduction = _legacy_reduction(size_average, reduce, reduction)
    if target.shape != input.shape:
        warnings.warn(
            f"Using a target size ({target.shape}) that is different to the input size "
            f"({input.shape}). This will likely lead to incorrect results due to "
            "broadcasting. Please ensure they have the same size.", UserWarning, stacklevel=2)
        try:
            shape = np.broadcast_shapes(input._data.shape, target._data.shape)
        except ValueError:
            raise broadcast_error(input._data.shape, target._data.shape) from None
        input, target = input.expand(shape), target.expand(shape)
    code = _reduction_code(reduction)
    dt = _dt.result_type(input, target)
    data = _forward(_ops.MSE, _cast(input, dt), _cast(target, dt), reduction=code)
    out = _wrap(data.astype(dt.np, copy=False), dt)
    if input._requires_grad or target._requires_grad:
        record(_ops.MSE, out, (input, target), {"reduction": code})
    return out


def binary_cross_entropy(input, target, weight=None, size_average=None, reduce=None,
                         reduction="mean"):
    reduction = _legacy_reduction(size_average, reduce, reduction)
    if target.shape != input.shape:
        raise ValueError(
            f"Using a target size ({target.shape}) that is different to the input size "
            f"({input.shape}) is deprecated. Please ensure they have the same size.")
    code = _reduction_code(reduction)
    if target._dtype is not input._dtype:
        raise RuntimeError(f"Found dtype {target._dtype.dot_name} but expected "
                           f"{input._dtype.dot_name}")
    x, y = input._data, target._data
    if np.any((x < 0) | (x > 1)):
        raise RuntimeError("all elements of input should be between 0 and 1")
    if np.any((y < 0) | (y > 1)):
        raise RuntimeError("all elements of target should be between 0 and 1")
    params = {"reduction": code}
    if weight is not None:
        weight = weight.expand(input._data.shape)
        params["weight"] = _cast(weight, input._dtype)
    data = _forward(_ops.BCE, x, y, **params)
    out = _wrap(data.astype(input._dtype.np, copy=False), input._dtype)
    if input._requires_grad or target._requires_grad:
        record(_ops.BCE, out, (input, target), {"reduction": code}, {"weight": weight})
    return out


def nll_loss(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
             reduction="mean"):
    reduction = _legacy_reduction(size_average, reduce, reduction)
    code = _reduction_code(reduction)
    if input.dim() == 1 and target.dim() == 0:
        return nll_loss(input.unsqueeze(0), target.unsqueeze(0), weight, None, ignore_index,
                        None, reduction)
    batch = target.shape[0] if target.dim() else 1
    if input.shape[0] != batch:
        raise ValueError(f"Expected input batch_size ({input.shape[0]}) to match target "
                         f"batch_size ({batch}).")
    if target.dim() > 1 or input.dim() != 2:
        raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
    if target._dtype is not _dt.int64:
        raise RuntimeError("expected target dtype to be Long or Byte, but got "
                           f"{target._dtype.dot_name}")
    classes = input.shape[1]
    t = target._data
    bad = (t != ignore_index) & ((t < 0) | (t >= classes))
    if bad.any():
        raise IndexError(f"Target {int(t[bad][0])} is out of bounds.")
    w = _cast(weight, input._dtype) if weight is not None else None
    data = _forward(_ops.NLL, input._data, t, weight=w, reduction=code,
                    ignore_index=ignore_index)
    out = _wrap(data, input._dtype)
    if input._requires_grad:
        record(_ops.NLL, out, (input,),
               {"reduction": code, "ignore_index": ignore_index,
                "self_sym_sizes": input._data.shape},
               {"target": target, "weight": weight})
    return out


def cross_entropy(input, target, weight=None, size_average=None, ignore_index=-100,
                  reduce=None, reduction="mean", label_smoothing=0.0):
    reduction = _legacy_reduction(size_average, reduce, reduction)
    class_dim = 1 if input.dim() > 1 else 0
    logp = input.log_softmax(class_dim)
    if target.is_floating_point() and target.shape == input.shape:
        if label_smoothing > 0:
            classes = input.shape[class_dim]
            target = target * (1 - label_smoothing) + label_smoothing / classes
        per_sample = logp * target
        if weight is not None:
            per_sample = per_sample * weight
        losses = -per_sample.sum(class_dim)
        code = _reduction_code(reduction)
        if code == 1:
            return losses.sum() / (input.shape[0] if input.dim() > 1 else 1)
        return losses.sum() if code == 2 else losses
    loss = nll_loss(logp, target, weight, None, ignore_index, None, reduction)
    if label_smoothing > 0:
        classes = input.shape[class_dim]
        smooth = -logp.sum(class_dim)
        code = _reduction_code(reduction)
        if code == 1:
            smooth = smooth.mean()
        elif code == 2:
            smooth = smooth.sum()
        loss = loss * (1 - label_smoothing) + smooth * (label_smoothing / classes)
    return loss
