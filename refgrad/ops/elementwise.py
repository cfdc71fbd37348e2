"""Elementwise rows: arithmetic, unary functions, clamp, where - and the elementwise ops that
record no node (comparisons, logical ops, rounded division).

A row that names its variants and has no ``entry`` is called through the dispatcher's
generated entry (``_dispatch.unary`` or ``_dispatch.binary``, by its number of inputs);
adding such an op is this one row.
"""
from __future__ import annotations

import numbers

import numpy as np

from .. import _args
from .. import dtypes as _dt
from .._dispatch import apply, binary, unary, with_scalar
from ..tensor import (Tensor, as_operand, as_tensor_operand, broadcast_error, scalar_tensor,
                      wrap)
from ._backward import (SIGMOID_BACKWARD, TANH_BACKWARD, THRESHOLD_BACKWARD,
                        mul_scalar, pointwise_backward, zero_tensor_like, zeros_like)
from ._numpy import (_cos, _cosh, _exp, _expm1, _log, _log1p, _log_sigmoid, _pow, _sigmoid,
                     _sin, _sinh, _tanh, _where)
from ._row import INT_TO_FLOAT, elementwise_jvps, row, uses, variants

# =================================================================== elementwise arithmetic


def _check_alpha(self, other, alpha):
    if isinstance(alpha, float) and not _dt.result_type(self, other).is_floating_point:
        raise RuntimeError("For integral input tensors, argument alpha must not be a floating "
                           "point number.")


def check_bool_subtraction(self, other):
    other_dtype = _dt.scalar_dtype(other) if not isinstance(other, Tensor) else other._dtype
    if self._dtype is _dt.bool_ and other_dtype is _dt.bool_:
        raise RuntimeError("Subtraction, the `-` operator, with two bool tensors is not "
                           "supported. Use the `^` or `logical_xor()` operator instead.")
    if _dt.bool_ in (self._dtype, other_dtype):
        raise RuntimeError("Subtraction, the `-` operator, with a bool tensor is not supported. "
                           "If you are trying to invert a mask, use the `~` or `logical_not()` "
                           "operator instead.")


def add(self, other, *, alpha=1):
    if alpha != 1:
        _check_alpha(self, other, alpha)
        return binary(ADD, self, other, {"alpha": alpha})
    return binary(ADD, self, other)


def sub(self, other, *, alpha=1):
    if isinstance(other, (Tensor, numbers.Number)):
        check_bool_subtraction(self, other)
    if alpha != 1:
        _check_alpha(self, other, alpha)
        return binary(SUB, self, other, {"alpha": alpha})
    return binary(SUB, self, other)


ADD = row("AddBackward0", ["self", "other"], lambda a, b, alpha=1: a + b * alpha if alpha != 1
          else a + b, params={"alpha": 1}, entry=add,
          method="add", operators=("__add__", "__radd__"),
          self=(uses(), lambda g, s: g),
          other=(uses("alpha"), lambda g, s: g if s.alpha == 1 else g * s.alpha))

SUB = row("SubBackward0", ["self", "other"], lambda a, b, alpha=1: a - b * alpha if alpha != 1
          else a - b, params={"alpha": 1}, entry=sub,
          method=("sub", "subtract"), function=("sub", "subtract"), operators="__sub__",
          self=(uses(), lambda g, s: g),
          other=(uses("alpha"), lambda g, s: -g if s.alpha == 1 else -g * s.alpha))


def rsub(self, other, *, alpha=1):
    """``other - self * alpha``."""
    other = as_operand(other)
    check_bool_subtraction(self, other)
    if isinstance(other, Tensor):
        return binary(RSUB_TENSOR, self, other, {"alpha": alpha} if alpha != 1 else None)
    return with_scalar(RSUB, self, other, {"alpha": alpha})


# `1 - a`: the python scalar is a parameter, not an input, so one next function only
RSUB = row("RsubBackward1", ["self"], lambda a, other, alpha=1: other - a * alpha,
           scalar="other", entry=rsub, method="rsub", function="rsub",
           self=(uses("alpha"), lambda g, s: -g if s.alpha == 1 else -g * s.alpha))

# `torch.rsub(a, b)` with a tensor b: b - a * alpha
RSUB_TENSOR = row("RsubBackward0", ["self", "other"], lambda a, b, alpha=1: b - a * alpha
                  if alpha != 1 else b - a, params={"alpha": 1},
                  self=(uses("alpha"), lambda g, s: -g if s.alpha == 1 else -g * s.alpha),
                  other=(uses(), lambda g, s: g))


@variants(operators="__rsub__")
def _rsub_operator(self, other):
    other = as_operand(other)
    if isinstance(other, Tensor):
        return other.sub(self)
    return self.rsub(other)


MUL = row("MulBackward0", ["self", "other"], np.multiply,
          method=("mul", "multiply"), function="multiply", operators=("__mul__", "__rmul__"),
          self=(uses("other"), lambda g, s: g * s.other),
          other=(uses("self"), lambda g, s: g * s.self))


def div(self, other, *, rounding_mode=None):
    if rounding_mode is not None:
        return _rounded_div(self, other, rounding_mode)
    return binary(DIV, self, other)


DIV = row("DivBackward0", ["self", "other"], np.true_divide, promotion=INT_TO_FLOAT,
          entry=div, method=("div", "divide", "true_divide"),
          function=("div", "divide", "true_divide"), operators="__truediv__",
          self=(uses("other"), lambda g, s: g / s.other),
          other=(uses("self", "other"), lambda g, s: -g * ((s.self / s.other) / s.other)))


@variants(operators="__rtruediv__")
def _rtruediv(self, other):
    other = as_operand(other)
    if isinstance(other, Tensor):
        return other.div(self)
    return self.reciprocal() * other      # PyTorch: MulBackward0 over ReciprocalBackward0


def _check_integer_division(self, other):
    """Integer division by zero is an error in PyTorch (floating division gives inf/nan)."""
    o = other._data if isinstance(other, Tensor) else other
    if not _dt.result_type(self, other).is_floating_point and np.any(np.asarray(o) == 0):
        raise RuntimeError("ZeroDivisionError")


def _rounded_div(self, other, mode):
    other = as_operand(other)
    _check_integer_division(self, other)
    o = other._data if isinstance(other, Tensor) else other
    with np.errstate(all="ignore"):
        q = np.floor_divide(self._data, o) if mode == "floor" else np.trunc(
            np.true_divide(self._data, o))
    dt = _dt.result_type(self, other)
    return wrap(np.asarray(q).astype(dt.np), dt)


@variants(operators="__floordiv__")
def _floordiv(self, other):
    return _rounded_div(self, other, "floor")


@variants(operators="__rfloordiv__")
def _rfloordiv(self, other):
    return _rounded_div(as_tensor_operand(other), self, "floor")


@variants(operators="__mod__")
def _mod(self, other):
    other = as_operand(other)
    _check_integer_division(self, other)
    o = other._data if isinstance(other, Tensor) else other
    dt = _dt.result_type(self, other)
    with np.errstate(all="ignore"):
        return wrap(np.asarray(np.mod(self._data, o)).astype(dt.np), dt)


def neg(self):
    if self._dtype is _dt.bool_:
        raise RuntimeError("Negation, the `-` operator, on a bool tensor is not supported. "
                           "If you are trying to invert a mask, use the `~` or "
                           "`logical_not()` operator instead.")
    return unary(NEG, self)


NEG = row("NegBackward0", ["self"], np.negative, entry=neg,
          method=("neg", "negative"), function=("neg", "negative", "neg_"), inplace="neg_",
          operators="__neg__",
          self=(uses(), lambda g, s: -g))

RECIPROCAL = row("ReciprocalBackward0", ["self"], lambda a: np.reciprocal(a),
                 promotion=INT_TO_FLOAT, method="reciprocal", function="reciprocal",
                 self=(uses("result"), lambda g, s: -g * (s.result * s.result)))

# ==================================================================================== powers


def _pow_scalar_vjp(g, s):
    if s.exponent == 0:
        return zeros_like(s.self)
    return g * mul_scalar(s.self.pow(s.exponent - 1), s.exponent)


def _pow_scalar(a, exponent):
    # PyTorch's kernel special-cases these exponents; others go through pow()
    e = float(exponent)
    if a.dtype.kind == "f":
        if e == 2:
            return a * a
        if e == 3:
            return a * a * a
        if e == 0.5:
            return np.sqrt(a)
        if e == -0.5:
            return 1 / np.sqrt(a)
        if e == -1:
            return 1 / a
        if e == -2:
            return 1 / (a * a)
        return _pow(a, np.asarray(exponent, a.dtype))
    return np.power(a, exponent)


def pow(self, exponent):
    exponent = as_operand(exponent)
    if isinstance(exponent, Tensor):
        return binary(POW_TENSOR, self, exponent)
    dt = _dt.result_type(self, exponent)
    if not dt.is_floating_point and exponent < 0:
        raise RuntimeError("Integers to negative integer powers are not allowed.")
    return with_scalar(POW_SCALAR, self, exponent, {"exponent": exponent})


POW_SCALAR = row("PowBackward0", ["self"], _pow_scalar, doc="tensor ** python number",
                 scalar="exponent", entry=pow, method="pow", operators="__pow__",
                 self=(uses("self", "exponent"), _pow_scalar_vjp))


def _pow_base_vjp(g, s):
    # d/da a**b = b * a**(b-1), 0 where b == 0 (so 0**0 does not give nan)
    grad = g * (s.exponent * s.self.pow(s.exponent - 1))
    return grad.where(s.exponent != 0, 0.0)


def _pow_exponent_vjp(g, s):
    # d/db a**b = a**b * log(a), 0 where a == 0 and b >= 0
    grad = g * (s.result * s.self.log())
    return grad.where((s.self != 0) | (s.exponent < 0), 0.0)


POW_TENSOR = row("PowBackward1", ["self", "exponent"], lambda a, b: _pow(a, b),
                 doc="tensor ** tensor",
                 self=(uses("self", "exponent"), _pow_base_vjp),
                 exponent=(uses("self", "exponent", "result"), _pow_exponent_vjp))


@variants(operators="__rpow__")
def _rpow(self, base):
    base = as_operand(base)
    if isinstance(base, Tensor):
        return base.pow(self)
    return with_scalar(POW_BASE, self, base, {"base": base})


POW_BASE = row("PowBackward2", ["exponent"], lambda e, base: _pow(base, e),
               doc="python number ** tensor", scalar="base",
               exponent=(uses("result", "base"),
                         lambda g, s: g * (s.result * float(np.log(s.base)))
                         if s.base != 0 else g * (s.result * 0.0)))


@variants(function="pow")
def torch_pow(input, exponent):
    if isinstance(input, Tensor):
        return input.pow(exponent)
    return exponent.__rpow__(input)


@variants(method="square", function="square")
def square(self):
    return self.pow(2)


# ========================================================================= unary functions

EXP = row("ExpBackward0", ["self"], _exp, promotion=INT_TO_FLOAT,
          method="exp", function=("exp", "exp_"), inplace="exp_",
          self=(uses("result"), lambda g, s: g * s.result))

LOG = row("LogBackward0", ["self"], _log, promotion=INT_TO_FLOAT, method="log", function="log",
          self=(uses("self"), lambda g, s: g / s.self))

LOG1P = row("Log1PBackward0", ["self"], _log1p, promotion=INT_TO_FLOAT,
            method="log1p", function="log1p",
            self=(uses("self"), lambda g, s: g / (s.self + 1)))

EXPM1 = row("Expm1Backward0", ["self"], _expm1, promotion=INT_TO_FLOAT,
            method="expm1", function="expm1",
            self=(uses("result"), lambda g, s: g * (s.result + 1)))

SQRT = row("SqrtBackward0", ["self"], np.sqrt, promotion=INT_TO_FLOAT,
           method="sqrt", function="sqrt",
           self=(uses("result"), lambda g, s: g / (s.result * 2)))


@variants(method="rsqrt", function="rsqrt")
def rsqrt(self):
    return self.sqrt().reciprocal()


def _no_bool(ufunc, kernel):
    """PyTorch has no bool kernel for these: NotImplementedError, as its dispatcher says."""
    def forward(a):
        if a.dtype == np.bool_:
            raise NotImplementedError(f'"{kernel}" not implemented for \'Bool\'')
        return ufunc(a)
    return forward


def _sign(a):
    return a.copy() if a.dtype == np.bool_ else np.sign(a)


ABS = row("AbsBackward0", ["self"], _no_bool(np.abs, "abs_cpu"), method=("abs", "absolute"),
          function=("abs", "absolute"), operators="__abs__",
          self=(uses("self"), lambda g, s: g * s.self.sgn()))

# sgn's gradient is zero; PyTorch returns it as an immutable "ZeroTensor"
SGN = row("SgnBackward0", ["self"], np.sign, method="sgn", function="sgn",
          self=(uses(), lambda g, s: zero_tensor_like(g)))

SIGN = row("SignBackward0", ["self"], _sign, method="sign", function="sign",
           self=(uses(), lambda g, s: zeros_like(g)))

FLOOR = row("FloorBackward0", ["self"], _no_bool(np.floor, "floor_vml_cpu"), method="floor",
            function="floor",
            self=(uses(), lambda g, s: zeros_like(g)))

ROUND = row("RoundBackward0", ["self"], np.round, method="round", function="round",
            self=(uses(), lambda g, s: zeros_like(g)))

SIN = row("SinBackward0", ["self"], _sin, promotion=INT_TO_FLOAT, method="sin", function="sin",
          self=(uses("self"), lambda g, s: g * s.self.cos()))

COS = row("CosBackward0", ["self"], _cos, promotion=INT_TO_FLOAT, method="cos", function="cos",
          self=(uses("self"), lambda g, s: g * -s.self.sin()))

SINH = row("SinhBackward0", ["self"], _sinh, promotion=INT_TO_FLOAT,
           method="sinh", function="sinh",
           self=(uses("self"), lambda g, s: g * s.self.cosh()))

COSH = row("CoshBackward0", ["self"], _cosh, promotion=INT_TO_FLOAT,
           method="cosh", function="cosh",
           self=(uses("self"), lambda g, s: g * s.self.sinh()))

TANH = row("TanhBackward0", ["self"], _tanh, promotion=INT_TO_FLOAT,
           method="tanh", function="tanh",
           self=(uses("result"), lambda g, s: pointwise_backward(TANH_BACKWARD, g, s.result)))

SIGMOID = row("SigmoidBackward0", ["self"], _sigmoid, promotion=INT_TO_FLOAT,
              method="sigmoid", function=("sigmoid", "sigmoid_"), inplace="sigmoid_",
              self=(uses("result"),
                    lambda g, s: pointwise_backward(SIGMOID_BACKWARD, g, s.result)))

LOG_SIGMOID = row("LogSigmoidBackward0", ["self"], _log_sigmoid, promotion=INT_TO_FLOAT,
                  method="log_sigmoid",
                  self=(uses("self"), lambda g, s: g * (-s.self).sigmoid()))

RELU = row("ReluBackward0", ["self"], lambda a: np.maximum(a, 0).astype(a.dtype, copy=False),
           method="relu", function=("relu", "relu_"), inplace="relu_",
           self=(uses("result"), lambda g, s: pointwise_backward(THRESHOLD_BACKWARD, g,
                                                                  s.result)))

# ==================================================================== clamp, max/min, where


def _clamp_forward(a, min=None, max=None):
    if min is not None:
        a = np.maximum(a, np.asarray(min, a.dtype))
    if max is not None:
        a = np.minimum(a, np.asarray(max, a.dtype))
    return a


def _clamp_vjp(g, s):
    # gradient 1 on the closed interval [min, max]
    inside = None
    if s.min is not None:
        inside = s.self >= s.min
    if s.max is not None:
        upper = s.self <= s.max
        inside = upper if inside is None else inside & upper
    return g.where(inside, 0.0)


def _full_like(t, value):
    return wrap(np.full(t._data.shape, value, t._dtype.np), t._dtype)


def clamp(self, min=None, max=None):
    bounds = [b for b in (min, max) if b is not None]
    if any(not isinstance(b, (Tensor, numbers.Number, np.generic)) for b in bounds) or \
            len({isinstance(b, Tensor) for b in bounds}) > 1:
        # PyTorch's overloads take two numbers or two tensors
        raise TypeError("clamp() received an invalid combination of arguments - got (Tensor, "
                        + ", ".join(_args.type_name(b) for b in bounds) + ")")
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    if isinstance(min, Tensor) or isinstance(max, Tensor):
        out = self
        if min is not None:
            out = out.maximum(min if isinstance(min, Tensor) else _full_like(out, min))
        if max is not None:
            out = out.minimum(max if isinstance(max, Tensor) else _full_like(out, max))
        return out
    return unary(CLAMP, self, {"min": min, "max": max})


CLAMP = row("ClampBackward1", ["self"], _clamp_forward, entry=clamp,
            method=("clamp", "clip"), inplace=("clamp_", "clip_"),
            self=(uses("self", "min", "max"), _clamp_vjp))

CLAMP_MIN = row("ClampMinBackward0", ["self"], lambda a, min: _clamp_forward(a, min=min),
                entry=lambda self, min: unary(CLAMP_MIN, self, {"min": min}),
                method="clamp_min", function="clamp_min",
                self=(uses("self", "min"), lambda g, s: g.where(s.self >= s.min, 0.0)))

CLAMP_MAX = row("ClampMaxBackward0", ["self"], lambda a, max: _clamp_forward(a, max=max),
                entry=lambda self, max: unary(CLAMP_MAX, self, {"max": max}),
                method="clamp_max", function="clamp_max",
                self=(uses("self", "max"), lambda g, s: g.where(s.self <= s.max, 0.0)))


def _maximum_vjp(pick):
    # ties split the gradient: half to each side
    def vjp(g, s):
        mine = s.self if pick == 0 else s.other
        theirs = s.other if pick == 0 else s.self
        half = (g / 2).where(mine == theirs, g)
        return half.where(mine >= theirs, 0.0)
    return vjp


def _minimum_vjp(pick):
    def vjp(g, s):
        mine = s.self if pick == 0 else s.other
        theirs = s.other if pick == 0 else s.self
        half = (g / 2).where(mine == theirs, g)
        return half.where(mine <= theirs, 0.0)
    return vjp


MAXIMUM = row("MaximumBackward0", ["self", "other"], np.maximum,
              method="maximum", function="maximum",
              self=(uses("self", "other"), _maximum_vjp(0)),
              other=(uses("self", "other"), _maximum_vjp(1)))

MINIMUM = row("MinimumBackward0", ["self", "other"], np.minimum,
              method="minimum", function="minimum",
              self=(uses("self", "other"), _minimum_vjp(0)),
              other=(uses("self", "other"), _minimum_vjp(1)))


def _broadcasts(shapes):
    try:
        np.broadcast_shapes(*shapes)
        return True
    except ValueError:
        return False


def where_method(self, condition, other):
    """``torch.where(condition, self, other)``."""
    other = as_operand(other)
    if not isinstance(other, Tensor):
        dt = _dt.result_type(self, other)
        other = scalar_tensor(other, dt)
    else:
        dt = _dt.result_type(self, other)
    if isinstance(condition, Tensor) and condition._dtype is not _dt.bool_:
        raise RuntimeError("where expected condition to be a boolean tensor, but got a tensor "
                           f"with dtype {condition._dtype.dot_name}")
    cond = condition._data if isinstance(condition, Tensor) else np.asarray(condition)
    shapes = [np.shape(cond), self._data.shape, other._data.shape]
    try:
        np.broadcast_shapes(*shapes)
    except ValueError:
        a, b = (shapes[0], shapes[1]) if _broadcasts(shapes[1:]) else shapes[1:]
        raise broadcast_error(a, b) from None
    if (self._requires_grad or other._requires_grad) and not isinstance(condition, Tensor):
        condition = wrap(cond, _dt.bool_)
    return apply(WHERE, (self, other), dt, {"condition": cond}, {}, {"condition": condition})


WHERE = row("WhereBackward0", ["self", "other"],
            lambda a, b, condition: _where(condition, a, b), entry=where_method, method="where",
            self=(uses("condition"), lambda g, s: g.where(s.condition, 0.0)),
            other=(uses("condition"), lambda g, s: zeros_like(g).where(s.condition, g)))


@variants(function="where")
def where(condition, input=None, other=None):
    if not isinstance(condition, Tensor):
        raise TypeError("where() received an invalid combination of arguments - got "
                        f"({_args.type_name(condition)}, ...)")
    if input is None and other is None:
        return tuple(wrap(i, _dt.int64) for i in np.nonzero(condition._data))
    if isinstance(input, Tensor):
        return input.where(condition, other)
    if isinstance(other, Tensor):
        dt = _dt.result_type(input, other)
        return scalar_tensor(input, dt).where(condition, other)
    dt = _dt.result_type(input, other)
    return wrap(np.where(condition._data, input, other).astype(dt.np), dt)


# ============================================================ torch.<op> with a number first

@variants(function="add")
def torch_add(input, other, *, alpha=1):
    if not isinstance(other, (Tensor, numbers.Number, np.generic)):
        raise TypeError(f"add(): argument 'other' (position 2) must be Tensor, not "
                        f"{_args.type_name(other)}")
    if isinstance(input, Tensor):
        return input.add(other, alpha=alpha)
    return binary(ADD, other, input) if alpha == 1 else other.mul(alpha).add(input)


@variants(function="mul")
def torch_mul(input, other):
    if isinstance(input, Tensor):
        return input.mul(other)
    return other.mul(input)


@variants(function=("clamp", "clip"))
def torch_clamp(input, min=None, max=None):
    return input.clamp(min, max)


# ===================================================== comparisons and logical ops (no node)

def _compare(ufunc):
    def compare(self, other):
        other = as_operand(other)
        o = other._data if isinstance(other, Tensor) else other
        try:
            data = ufunc(self._data, o)
        except ValueError:
            raise broadcast_error(self._data.shape, np.shape(o)) from None
        return wrap(np.asarray(data), _dt.bool_)
    compare.__name__ = ufunc.__name__
    return compare


for _name, _ufunc in (("eq", np.equal), ("ne", np.not_equal), ("lt", np.less),
                      ("le", np.less_equal), ("gt", np.greater), ("ge", np.greater_equal)):
    variants(method=_name, function=_name, operators=f"__{_name}__")(_compare(_ufunc))


def _logical(ufunc, kernel):
    def logical(self, other):
        other = as_operand(other)
        dt = _dt.result_type(self, other)
        if dt.is_floating_point:
            raise NotImplementedError(f'"{kernel}_cpu" not implemented for \'{dt.dot_name}\'')
        o = other._data if isinstance(other, Tensor) else other
        data = np.asarray(ufunc(self._data, o))
        return wrap(data, _dt.from_numpy(data.dtype))
    return logical


variants(operators=("__and__", "__rand__"))(_logical(np.bitwise_and, "bitwise_and"))
variants(operators=("__or__", "__ror__"))(_logical(np.bitwise_or, "bitwise_or"))
variants(operators="__xor__")(_logical(np.bitwise_xor, "bitwise_xor"))


@variants(operators="__invert__")
def _invert(self):
    if self._dtype.is_floating_point:
        raise TypeError("~ (operator.invert) is only implemented on integer and Boolean-type "
                        "tensors")
    data = np.logical_not(self._data) if self._dtype is _dt.bool_ else np.invert(self._data)
    return wrap(data, self._dtype)


@variants(method="logical_not", function="logical_not")
def logical_not(self):
    return wrap(np.logical_not(self._data), _dt.bool_)


@variants(method="isnan", function="isnan")
def isnan(self):
    return wrap(np.isnan(self._data), _dt.bool_)


@variants(method="isfinite", function="isfinite")
def isfinite(self):
    return wrap(np.isfinite(self._data), _dt.bool_)


@variants(method="equal", function="equal")
def equal(self, other) -> bool:
    _args.tensor_arg("equal", "other", other, 2)
    return self._data.shape == other._data.shape and bool(
        np.array_equal(self._data, other._data))


@variants(method="allclose", function="allclose")
def allclose(self, other, rtol=1e-05, atol=1e-08, equal_nan=False) -> bool:
    _args.tensor_arg("allclose", "other", other, 2)
    if other._dtype is not self._dtype:
        raise RuntimeError(f"{self._dtype.dot_name} did not match {other._dtype.dot_name}")
    try:
        np.broadcast_shapes(self._data.shape, other._data.shape)
    except ValueError:
        raise broadcast_error(self._data.shape, other._data.shape) from None
    return bool(np.allclose(self._data, other._data, rtol, atol, equal_nan))


# ------------------------------------------------------------------------- forward mode

# every row here is elementwise: its JVP is its VJP read against the tangent
elementwise_jvps(ADD, SUB, RSUB, RSUB_TENSOR, MUL, DIV, NEG, RECIPROCAL, POW_SCALAR, POW_TENSOR,
                 POW_BASE, EXP, LOG, LOG1P, EXPM1, SQRT, ABS, SGN, SIGN, FLOOR, ROUND, SIN, COS,
                 SINH, COSH, TANH, SIGMOID, LOG_SIGMOID, RELU, CLAMP, CLAMP_MIN, CLAMP_MAX,
                 MAXIMUM, MINIMUM, WHERE)
