"""Loss rows PyTorch computes in one kernel (BCE with logits, BCE, MSE, NLL) and their
``torch.nn.functional`` entries; ``cross_entropy`` composes them in ``refgrad.nn.functional``.

Reduction codes as PyTorch saves them: none=0, mean=1, sum=2.
"""
from __future__ import annotations

import warnings

import numpy as np

from .. import dtypes as _dt
from .._dispatch import apply, cast
from ..tensor import Tensor, broadcast_error
from ._backward import mul_scalar, nll_backward
from ._numpy import _log, _log1p, _log_sigmoid, _mean, _reduce
from ._row import jvps, row, through_vjp, uses

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


# ==================================================================================== rows


def _bce_logits_forward(x, y, weight=None, pos_weight=None, reduction=1):
    # (1 - y) * x - log_weight * logsigmoid(x): exact for large |x|; logsigmoid is taken in
    # the input's dtype, the rest promotes with the target's (as PyTorch computes it)
    log_sigmoid = _log_sigmoid(x)
    if pos_weight is not None:
        log_sigmoid = log_sigmoid * ((pos_weight - 1) * y + 1)
    loss = (1 - y) * x - log_sigmoid
    if weight is not None:
        loss = loss * weight
    return _reduce(loss, reduction)


def _bce_logits_input_vjp(g, s):
    if s.pos_weight is not None:
        t = s.pos_weight * s.target
        grad = (t + 1 - s.target) * s.self.sigmoid() - t
    else:
        grad = s.self.sigmoid() - s.target
    if s.weight is not None:
        grad = grad * s.weight
    grad = grad * g
    return grad / s.self._data.size if s.reduction == 1 else grad


def _bce_logits_target_vjp(g, s):
    if s.pos_weight is not None:
        grad = (-s.self).log_sigmoid() - s.self.log_sigmoid() * s.pos_weight
    else:
        grad = -s.self
    if s.weight is not None:
        grad = grad * s.weight
    grad = grad * g
    return grad / s.target._data.size if s.reduction == 1 else grad


BCE_WITH_LOGITS = row(
    "BinaryCrossEntropyWithLogitsBackward0", ["self", "target"], _bce_logits_forward,
    self=(uses("self", "target", "weight", "pos_weight", "reduction"), _bce_logits_input_vjp),
    target=(uses("self", "target", "weight", "pos_weight", "reduction"),
            _bce_logits_target_vjp))


def _mse_forward(x, y, reduction=1):
    d = x - y
    return _reduce(d * d, reduction)


def _mse_vjp(sign):
    def vjp(g, s):
        norm = 2.0 / s.self._data.size if s.reduction == 1 else 2.0
        grad = (s.self - s.target) * g
        grad = mul_scalar(grad, norm)
        return grad if sign > 0 else -grad
    return vjp


MSE = row("MseLossBackward0", ["self", "target"], _mse_forward,
          self=(uses("self", "target", "reduction"), _mse_vjp(1)),
          target=(uses("self", "target", "reduction"), _mse_vjp(-1)))


def _bce_forward(p, y, weight=None, reduction=1):
    log_p = np.maximum(_log(p), -100)
    log_1p = np.maximum(_log1p(-p), -100)
    loss = -(y * log_p + (1 - y) * log_1p)
    if weight is not None:
        loss = loss * weight
    return _reduce(loss.astype(p.dtype, copy=False), reduction)


def _bce_input_vjp(g, s):
    denominator = ((1 - s.self) * s.self).clamp(min=1e-12)
    grad = g * (s.self - s.target) / denominator
    if s.weight is not None:
        grad = grad * s.weight
    return grad / s.self._data.size if s.reduction == 1 else grad


def _bce_target_vjp(g, s):
    grad = g * ((-s.self).log1p().clamp(min=-100) - s.self.log().clamp(min=-100))
    if s.weight is not None:
        grad = grad * s.weight
    return grad / s.target._data.size if s.reduction == 1 else grad


BCE = row("BinaryCrossEntropyBackward0", ["self", "target"], _bce_forward,
          self=(uses("self", "target", "weight", "reduction"), _bce_input_vjp),
          target=(uses("self", "target", "weight", "reduction"), _bce_target_vjp))


def _nll_forward(logp, target, weight=None, reduction=1, ignore_index=-100):
    n = logp.shape[0]
    picked_target = np.where(target == ignore_index, 0, target)
    w = weight[picked_target] if weight is not None else np.ones(n, logp.dtype)
    w = np.where(target == ignore_index, 0, w).astype(logp.dtype)
    picked = logp[np.arange(n), picked_target]
    losses = -(picked * w)
    if reduction == 0:
        return losses.astype(logp.dtype)
    if reduction == 2:
        return np.asarray(losses.sum(), logp.dtype)
    return np.asarray(losses.sum() / w.sum(), logp.dtype)


def _nll_vjp(g, s):
    return nll_backward(g, s.self_sym_sizes, s.target, s.weight, s.reduction, s.ignore_index)


NLL = row("NllLossBackward0", ["self"], _nll_forward,
          self=(uses("target", "weight", "reduction", "ignore_index", "self_sym_sizes"),
                _nll_vjp))


# ================================================================================= entries

def _has_size(target):
    """The Python losses ask ``target.size()`` first: a number has none."""
    if not isinstance(target, Tensor):
        raise AttributeError(f"'{type(target).__name__}' object has no attribute 'size'")


def _floating_only(t, kernel):
    if not t._dtype.is_floating_point:
        raise NotImplementedError(f'"{kernel}" not implemented for \'{t._dtype.dot_name}\'')


def _check_broadcast(a, b):
    try:
        np.broadcast_shapes(a._data.shape, b._data.shape)
    except ValueError:
        raise broadcast_error(a._data.shape, b._data.shape) from None


def binary_cross_entropy_with_logits(input, target, weight=None, size_average=None,
                                     reduce=None, reduction="mean", pos_weight=None):
    """mean((1 - y) * x - log_weight * logsigmoid(x)), exact for large logits."""
    _has_size(target)
    reduction = _legacy_reduction(size_average, reduce, reduction)
    if target._data.shape != input._data.shape:
        raise ValueError(f"Target size ({target.shape}) must be the same as input size "
                         f"({input.shape})")
    code = _reduction_code(reduction)
    dt = input._dtype if input._dtype is target._dtype else _dt.result_type(input, target)
    _floating_only(input, "log_sigmoid_cpu")
    if target._dtype is _dt.bool_:
        raise RuntimeError("Subtraction, the `-` operator, with two bool tensors is not "
                           "supported. Use the `^` or `logical_xor()` operator instead.")
    if not target._dtype.is_floating_point:
        raise RuntimeError(f"result type {dt.dot_name} can't be cast to the desired output "
                           f"type {target._dtype.dot_name}")
    params = {"reduction": code}
    extra = {"weight": weight, "pos_weight": pos_weight}
    if pos_weight is not None:
        _check_broadcast(pos_weight, target)
        params["pos_weight"] = pos_weight._data
    if weight is not None:
        _check_broadcast(input, weight)
        params["weight"] = weight._data
    # logsigmoid in the input's dtype, the rest promoted with the target's: no cast
    return apply(BCE_WITH_LOGITS, (input, target), dt, params, {"reduction": code}, extra,
                 arrays=(input._data, target._data))


def mse_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    _has_size(target)
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
    if not dt.is_floating_point:
        raise NotImplementedError(f'"mse_cpu" not implemented for \'{dt.dot_name}\'')
    return apply(MSE, (input, target), dt, {"reduction": code})


def binary_cross_entropy(input, target, weight=None, size_average=None, reduce=None,
                         reduction="mean"):
    _has_size(target)
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
    if not np.all((x >= 0) & (x <= 1)):         # NaN is out of range too
        raise RuntimeError("all elements of input should be between 0 and 1")
    if not np.all((y >= 0) & (y <= 1)):
        raise RuntimeError("all elements of target should be between 0 and 1")
    params = {"reduction": code}
    if weight is not None:
        weight = weight.expand(input._data.shape)
        params["weight"] = cast(weight, input._dtype)
    return apply(BCE, (input, target), input._dtype, params, {"reduction": code},
                 {"weight": weight}, arrays=(x, y))


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
    _floating_only(input, "nll_loss_out_frame")
    classes = input.shape[1]
    t = target._data
    bad = (t != ignore_index) & ((t < 0) | (t >= classes))
    if bad.any():
        raise IndexError(f"Target {int(t[bad][0])} is out of bounds.")
    w = cast(weight, input._dtype) if weight is not None else None
    return apply(NLL, (input,), input._dtype,
                 {"weight": w, "reduction": code, "ignore_index": ignore_index},
                 {"reduction": code, "ignore_index": ignore_index,
                  "self_sym_sizes": input._data.shape},
                 {"target": target, "weight": weight}, arrays=(input._data, t))


# ------------------------------------------------------------------------- forward mode

def _nll_jvp(t, s):
    # each row's loss reads only its target column: the VJP's coefficients summed per row
    weights = _nll_vjp(s.result._new(np.ones(s.result._data.shape, s.result._data.dtype)), s)
    product = weights * t
    if s.reduction == 0 and product.dim() == 2:
        return product.sum(1)
    return product.sum()


# elementwise losses, then reduced (none / mean / sum): through their VJPs
for _row_ in (MSE, BCE, BCE_WITH_LOGITS):
    jvps(_row_, **{name: through_vjp(fn) for name, fn in zip(_row_.input_names, _row_.vjp_fns)})
jvps(NLL, self=_nll_jvp)
