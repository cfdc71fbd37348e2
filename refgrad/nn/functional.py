"""Layers, losses and activations (``torch.nn.functional``).

Losses that PyTorch computes in one kernel have their own row in the derivative table and
their entry beside it (``refgrad.ops.losses``); ``cross_entropy`` with class indices is
``nll_loss(log_softmax(x))`` as in PyTorch, composed here.
"""
from __future__ import annotations

import warnings

import numpy as np

from .. import dtypes as _dt
from ..ops.layers import linear, softplus
from ..ops.losses import (_legacy_reduction, _reduction_code, binary_cross_entropy,
                         binary_cross_entropy_with_logits, mse_loss, nll_loss)

__all__ = ["linear", "one_hot", "softplus", "relu", "sigmoid", "tanh", "logsigmoid", "softmax",
           "log_softmax", "binary_cross_entropy_with_logits", "binary_cross_entropy", "mse_loss", "nll_loss",
           "cross_entropy"]

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


def one_hot(tensor, num_classes=-1):
    """Class indices (int64) -> int64 rows with a single 1, one more dimension at the end."""
    from ..tensor import wrap
    if tensor._dtype is not _dt.int64:
        raise RuntimeError("one_hot is only applicable to index tensor of type LongTensor.")
    indices = tensor._data
    if indices.size and indices.min() < 0:
        raise RuntimeError("Class values must be non-negative.")
    if num_classes == -1:
        if indices.size == 0:
            raise RuntimeError("Can not infer total number of classes from empty tensor.")
        num_classes = int(indices.max()) + 1
    elif indices.size and indices.max() >= num_classes:
        raise RuntimeError("Class values must be smaller than num_classes.")
    out = (indices[..., None] == np.arange(num_classes)).astype(np.int64)
    return wrap(out, _dt.int64)


# -------------------------------------------------------------------------------------- losses

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
        # PyTorch's smoothing term: -sum(log p * weight) per sample, zero where ignored,
        # a mean normalised as nll_loss normalises (by the targets' weights)
        classes = input.shape[class_dim]
        per_class = logp
        if weight is not None:
            shape = [1] * input.dim()
            shape[class_dim] = weight.shape[0]
            per_class = logp * weight.view(shape)
        keep = target != ignore_index
        smooth = (-per_class.sum(class_dim)).where(keep, 0.0)
        code = _reduction_code(reduction)
        if code == 1:
            if weight is not None:
                smooth = smooth.sum() / weight[target[keep]].sum()
            else:
                smooth = smooth.sum() / keep.sum()
        elif code == 2:
            smooth = smooth.sum()
        loss = (1 - label_smoothing) * loss + smooth * (label_smoothing / classes)
    return loss
