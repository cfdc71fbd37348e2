"""The one op path: promote -> cast -> forward -> wrap -> record.

Every differentiable op reaches its row of the derivative table (``refgrad.ops``) through
this module:

1. **promote** - the result dtype, by the row's policy (``PROMOTE``: PyTorch's result type,
   where a Python number never changes a floating tensor's dtype; ``INT_TO_FLOAT``: then an
   integral result becomes the default float dtype);
2. **cast** - each operand's array to that dtype (no copy when it already has it);
3. **forward** - the row's NumPy forward, silent about floating-point errors as PyTorch is,
   with PyTorch's message when shapes do not broadcast;
4. **wrap** - the array as a fresh tensor (a view shares its base's version counter);
5. **record** - ``autograd.graph.record`` attaches the row's node when grad mode is on and
   an input requires grad.

``unary`` and ``binary`` are the path for the elementwise rows (and what a row with no entry
of its own is called through); ``apply`` is the same path for ops whose entry has already
promoted and parsed its arguments (reductions, linear algebra, losses, cat); ``view`` wraps a
view. This module never imports the table: entries hand it their row.
"""
from __future__ import annotations

import numpy as np

from . import dtypes as _dt
from .autograd import numpy_errors as _numpy_errors
from .autograd import forward_ad as _forward_ad
from .autograd import grad_mode as _grad_mode
from .autograd.graph import record
from .dtypes import INT_TO_FLOAT
from .tensor import Tensor, as_operand, broadcast_error, scalar_tensor, wrap

_ndarray = np.ndarray
_STATE = _grad_mode.STATE
_FW = _forward_ad.STATE         # forward AD: one check per op (``_FW.token is not None``)
_propagate = _forward_ad.propagate

# PyTorch never warns about overflow, division by zero or invalid values; NumPy does unless
# told not to. The one quiet-call helper lives in autograd/numpy_errors.py (public np.errstate).
call_quietly = _numpy_errors.call_quietly


_LOW_PRECISION = frozenset(d.np for d in _dt.LOW_PRECISION)
_FLOAT32 = np.dtype(np.float32)


def _widened(arrays):
    return tuple(a.astype(_FLOAT32) if type(a) is _ndarray and a.dtype in _LOW_PRECISION
                 else a for a in arrays)


def forward(row, arrays, params=None):
    """The row's NumPy forward, silent about floating-point errors, with PyTorch's
    broadcasting message. float16 and bfloat16 operands are computed in float32, as PyTorch's
    CPU kernels do; the caller rounds the result once to the op's dtype."""
    for a in arrays:
        # (itemsize first: the cheap test that rules out every other dtype)
        if type(a) is _ndarray and a.itemsize == 2 and a.dtype in _LOW_PRECISION:
            arrays = _widened(arrays)
            break
    try:
        if params:
            out = call_quietly(row.forward, *arrays, **params)
        else:
            out = call_quietly(row.forward, *arrays)
    except ValueError:
        shapes = [a.shape for a in arrays if isinstance(a, _ndarray)]
        if len(shapes) >= 2:
            try:
                np.broadcast_shapes(*shapes)
            except ValueError:
                raise broadcast_error(shapes[0], shapes[1]) from None
        raise
    return out if type(out) is _ndarray else np.asarray(out)


def converted(array, np_dtype):
    """``array`` cast to ``np_dtype``, silent as PyTorch is when a value overflows the new dtype
    (``float32`` from ``1e300`` is ``inf``, without NumPy's RuntimeWarning)."""
    return call_quietly(array.astype, np_dtype)


def ufunc_into(ufunc, target, operand):
    """``target = ufunc(target, operand)`` in place, silent about floating-point errors (the
    in-place arithmetic that records no node: an optimizer's update)."""
    call_quietly(ufunc, target, operand, out=target, casting="unsafe")


def promote(row, *operands):
    """The result dtype of ``operands`` (tensors and Python numbers) under the row's policy."""
    dt = _dt.result_type(*operands)
    if row.promotion == INT_TO_FLOAT and not dt.is_floating_point:
        return _dt.get_default_dtype()
    return dt


def cast(t, dt):
    """``t``'s array in dtype ``dt`` (itself when it has it)."""
    return t._data if t._dtype is dt else converted(t._data, dt.np)


# ------------------------------------------------------------------ the elementwise path

def unary(row, x, ctx=None):
    """``row`` applied to one tensor; ``ctx`` holds the op's parameters (``dim``, ``min``)."""
    dt = x._dtype
    if row.promotion == INT_TO_FLOAT and not dt.is_floating_point:
        dt = _dt.get_default_dtype()
    data = forward(row, (x._data if x._dtype is dt else converted(x._data, dt.np),), ctx)
    if data.dtype != dt.np:
        data = converted(data, dt.np)
    out = wrap(data, dt)
    if x._requires_grad:
        record(row, out, (x,), ctx)
    if _FW.token is not None:
        _propagate(row, out, (x,), ctx)
    return out


def binary(row, a, b, ctx=None):
    """``row`` applied to a tensor and a tensor or Python number (``ctx``: ``alpha`` ...).

    A Python number becomes a 0-d tensor of the result dtype: an input of the node that needs
    no gradient, as in PyTorch."""
    dt = a._dtype
    if type(b) is Tensor and b._dtype is dt:
        pass                                    # the common case: nothing to promote
    elif (type(b) is float or type(b) is int) and dt.is_floating_point:
        b = scalar_tensor(b, dt)                # never changes a floating tensor's dtype
    else:
        b = as_operand(b)
        if isinstance(b, Tensor):
            if b._dtype is not dt:
                dt = _dt.result_type(a, b)
        else:
            dt = _dt.result_type(a, b)
            b = scalar_tensor(b, dt)
    if row.promotion == INT_TO_FLOAT and not dt.is_floating_point:
        dt = _dt.get_default_dtype()
    # (cast inlined: the hot path of every arithmetic op)
    data = forward(row, (a._data if a._dtype is dt else converted(a._data, dt.np),
                         b._data if b._dtype is dt else converted(b._data, dt.np)), ctx)
    if data.dtype != dt.np:
        data = converted(data, dt.np)
    out = wrap(data, dt)
    if a._zero_tensor or b._zero_tensor:
        _keep_zero_tensor(row, out, a, b)
    if a._requires_grad or b._requires_grad:
        record(row, out, (a, b), ctx)
    if _FW.token is not None:
        _propagate(row, out, (a, b), ctx)
    return out


def _keep_zero_tensor(row, out, a, b):
    # zero times anything stays an (immutable) zero tensor, as PyTorch's ZeroTensor does
    if row.name == "MulBackward0" and out._data.shape == (
            a._data.shape if a._zero_tensor else b._data.shape):
        out._zero_tensor = True


def with_scalar(row, x, value, ctx):
    """``row`` applied to a tensor and a Python number that is a parameter of the node, not an
    input (``1 - x`` is RsubBackward1, ``x ** 2`` PowBackward0): the number takes part in
    promotion and reaches the forward as the row's ``scalar`` parameter, in the result
    dtype."""
    dt = promote(row, x, value)
    params = dict(ctx)
    params[row.scalar] = np.asarray(value, dt.np)
    data = forward(row, (cast(x, dt),), params)
    out = wrap(data.astype(dt.np, copy=False), dt)
    if x._requires_grad:
        record(row, out, (x,), ctx)
    if _FW.token is not None:
        _propagate(row, out, (x,), ctx)
    return out


# ---------------------------------------------------------------------- the general path

def apply(row, inputs, dtype, params=None, ctx=None, extra=None, arrays=None):
    """``row`` applied to ``inputs`` once the entry promoted (``dtype``) and parsed the op's
    arguments: ``params`` go to the forward, ``ctx`` (``params`` when None) to the node,
    ``extra`` are tensors the node saves that are not inputs (indices, a loss target).
    ``arrays`` replaces the cast inputs for a forward that takes its operands otherwise."""
    if arrays is None:
        arrays = [t._data if t._dtype is dtype else converted(t._data, dtype.np)
                  for t in inputs]
    data = forward(row, arrays, params)
    if data.dtype != dtype.np:
        data = converted(data, dtype.np)
    out = wrap(data, dtype)
    for t in inputs:
        if t is not None and t._requires_grad:
            record(row, out, inputs, params if ctx is None else ctx, extra)
            break
    if _FW.token is not None:
        _propagate(row, out, inputs, params, ctx, extra)
    return out


def view(row, base, data, ctx=None):
    """``data`` (a view of ``base``'s array) as a view of ``base``: same version counter,
    ``_base`` set. Made under no_grad from a tensor that requires grad, it requires grad
    without an edge (and refuses in-place changes under grad mode)."""
    out = wrap(data, base._dtype)
    out._version_counter = base._version_counter
    out._base = base if base._base is None else base._base
    if base._requires_grad:
        if _STATE.enabled:
            record(row, out, (base,), ctx)
        else:
            out._requires_grad = True
            out._no_grad_view = True
    if _FW.token is not None:
        _propagate(row, out, (base,), ctx)
    return out


# -------------------------------------------------------------------- generated entries

def entry_of(row):
    """The front end of a row without one of its own: by its number of inputs."""
    if len(row.input_names) == 1:
        def entry(self):
            return unary(row, self)
    elif len(row.input_names) == 2:
        def entry(self, other):
            return binary(row, self, other)
    else:
        raise TypeError(f"{row.name}: a row of {len(row.input_names)} inputs needs an entry")
    entry.__doc__ = f"{row.name}: {row.doc or 'generated from its row'}"
    return entry
