"""Elementwise ops: arithmetic (tensor with tensor, with a Python scalar), unary functions,
clamps, maximum/minimum/where, and the copies that keep a node (clone, conversions, setitem).

Case values are drawn inside each op's domain (positive for log/sqrt/reciprocal/pow bases and
divisors) and away from kinks and ties (randn never lands on 0 or on a clamp bound); the edge
cases live in their own area (``edges``).

A new elementwise function (beside its row in refgrad's table) is one :func:`unary` entry,
as cosh's below::

    unary("cosh", "CoshBackward0", ANY, (0.0, 3.0, -3.0),
          lambda lo, hi: (1.0 if lo <= 0 <= hi else min(math.cosh(lo), math.cosh(hi)),
                          max(math.cosh(lo), math.cosh(hi))),
          accept=lambda lo, hi: max(-lo, hi) <= 4.0, case_shapes=UNARY_SHAPES),

which gives the case family ``ops::cosh[<dtype>-<shape>]`` (``torch.cosh(a)``), the recipe of
refgrad's tests (``a.cosh()``, values drawn from the domain) and the fuzzer's op
(``torch.cosh({0})`` on operands whose interval ``accept`` takes, edge values 0 and +-3).
An entry with a fuzz spelling (every :func:`unary` one) joins the fuzzer's catalogue, so a
seed may then give another program than before: tests that need a program using some op search
the seeds for one (``tests/planted/test_planted.py``) instead of naming a seed.
"""
from __future__ import annotations

import math

from conformance import observe
from conformance.opdb import draws
from conformance.opdb.core import (
    SCALAR_SHAPES, SMALL_SHAPES, UNARY_SHAPES, Elementwise, Family, OpInfo, Operand, Param, Recipe,
    binary_family, fixed_family, param_family, shape_param, unary_family,
)
from conformance.opdb.domains import (
    ANY, MASK, NONZERO, OFF_STEP, POSITIVE, Domain,
)

TIES = (-1.0, 0.0, 0.0, 1.0)          # few distinct values: ties within and across tensors
PI = math.pi


# Intervals: the range of a result from its operands' ranges, as (lo, hi) pairs.

def sum_interval(a, b):
    return a[0] + b[0], a[1] + b[1]


def difference_interval(a, b):
    return a[0] - b[1], a[1] - b[0]


def product_interval(a, b):
    corners = [a[0] * b[0], a[0] * b[1], a[1] * b[0], a[1] * b[1]]
    return min(corners), max(corners)


def quotient_interval(a, b):
    return product_interval(a, (1.0 / b[1], 1.0 / b[0]))


def power_interval(a, b):
    corners = [a[0] ** b[0], a[0] ** b[1], a[1] ** b[0], a[1] ** b[1]]
    return min(corners), max(corners)


def abs_interval(lo, hi):
    if lo <= 0 <= hi:
        return 0.0, max(-lo, hi)
    return min(abs(lo), abs(hi)), max(abs(lo), abs(hi))


def sigmoid(v: float) -> float:
    return 1.0 / (1.0 + math.exp(-v)) if v > -700 else 0.0


def nonzero(lo, hi) -> bool:
    """A divisor's range: clear of 0."""
    return lo >= 0.25 or hi <= -0.25


def positive(lo, hi) -> bool:
    return lo >= 0.25


def unary(name: str, node: str, domain: Domain = ANY, edges=(0.0,), interval=None,
          saves_tensors=True, accept=None, case_shapes=None, recipe_domain=None) -> OpInfo:
    """An elementwise function ``torch.<name>(a)`` (method ``a.<name>()``): its case family,
    its recipe, and (given an ``interval``) its fuzz spelling."""
    cases = () if case_shapes is None else (
        unary_family(name, lambda torch, a: getattr(torch, name)(a), domain, case_shapes),)
    fuzz = None if interval is None else Elementwise(
        f"torch.{name}({{0}})", interval, (accept,) if accept else ())
    recipe = Recipe(node, lambda ns, a: getattr(a, name)(), draws.unary(recipe_domain or domain))
    return OpInfo(name, f"torch.{name}", saves_tensors, (domain,), edges, cases, (recipe,),
                  fuzz)


def binary(name: str, node: str, interval, edges=(0.0,), draw=None,
           saves_tensors=True) -> OpInfo:
    """An elementwise function ``torch.<name>(a, b)`` of two broadcasting tensors: its case
    family, its recipe (``draw``: how hypothesis draws its operands) and its fuzz spelling."""
    return OpInfo(name, f"torch.{name}", saves_tensors, (ANY, ANY), edges,
                  (binary_family(name, lambda torch, a, b: getattr(torch, name)(a, b)),),
                  (Recipe(node, lambda ns, a, b: getattr(ns, name)(a, b),
                          draw or draws.binary()),),
                  Elementwise(f"torch.{name}({{0}}, {{1}})", interval))


def _set_row(torch, a, v):
    out = a.clone()
    out[1] = v * 2
    return out


def _set_element(torch, a):
    out = a * 1
    out[0] = 10.0
    return out


def _copy_slices(ns, a, b, start):
    out = a * 1.5
    out[start:] = b
    return out


def _sgn_gradient_is_immutable(result, observed, a):
    # sgn's gradient is zero everywhere: torch gives it as an immutable ZeroTensor
    return {"vjp a.add_(1)": observe.error(lambda: observed["vjp a"].add_(1)),
            "vjp a.clone().add_(1)": observe.error(lambda: observed["vjp a"].clone().add_(1))}


CONVERSIONS = {"double()": lambda torch, a: a.double(),
               "to(float64)": lambda torch, a: a.to(torch.float64),
               "float() of float64": lambda torch, a: a.float(),
               "to(float32) of float64": lambda torch, a: a.to(torch.float32)}


def _conversion_dtypes(conversion):
    source = "float64" if "of float64" in conversion else "float32"
    return source, "float32" if source == "float64" else "float64"


OPS = (
    OpInfo("add", "Tensor.__add__", False, (ANY, ANY), (0.0,), cases=(
        binary_family("add", lambda torch, a, b: a + b),
        binary_family("add_alpha", lambda torch, a, b: torch.add(a, b, alpha=2)),
        unary_family("add_scalar", lambda torch, a: a + 1.5, shapes=SCALAR_SHAPES),
        unary_family("radd_scalar", lambda torch, a: 2 + a, shapes=SCALAR_SHAPES),
    ), recipes=(Recipe("AddBackward0", lambda ns, a, b: a + b, draws.binary()),),
        fuzz=Elementwise("{0} + {1}", sum_interval,
                         scalar_exprs=(("{0} + {s}", (1.0, -2.5)), ("{s} + {0}", (0.5,))))),
    OpInfo("mul", "Tensor.__mul__", True, (ANY, ANY), TIES, cases=(
        binary_family("mul", lambda torch, a, b: a * b),
        unary_family("mul_scalar", lambda torch, a: a * 2.5, shapes=SCALAR_SHAPES),
        unary_family("rmul_scalar", lambda torch, a: 3 * a, shapes=SCALAR_SHAPES),
    ), recipes=(Recipe("MulBackward0", lambda ns, a, b: a * b, draws.binary()),), fuzz=Elementwise("{0} * {1}", product_interval,
                        scalar_exprs=(("{0} * {s}", (2.0, -0.5)), ("{s} * {0}", (3.0,))))),
    OpInfo("sub", "Tensor.__sub__", False, (ANY, ANY), (0.0,), cases=(
        binary_family("sub", lambda torch, a, b: a - b),
        unary_family("sub_scalar", lambda torch, a: a - 1, shapes=SCALAR_SHAPES),
        unary_family("rsub_scalar", lambda torch, a: 1 - a, shapes=SCALAR_SHAPES),
        Family("rsub_function", lambda torch, a, b: torch.rsub(a, b),
               lambda shape: (Operand("a", shape, suffix="/a"), Operand("b", shape, suffix="/b")),
               "ops/rsub_function/{shape}/{dtype}", (shape_param(SCALAR_SHAPES),)),
    ), recipes=(
        Recipe("SubBackward0", lambda ns, a, b: a - b, draws.binary()),
        Recipe("RsubBackward1", lambda ns, a: 1.5 - a, draws.unary()),
        Recipe("RsubBackward0", lambda ns, a, b: ns.rsub(a, b), draws.binary()),  # b - a
    ), fuzz=Elementwise("{0} - {1}", difference_interval,
                        scalar_exprs=(("{0} - {s}", (1.0,)), ("{s} - {0}", (1.0, 0.5))))),
    OpInfo("div", "Tensor.__truediv__", True, (ANY, NONZERO), (0.0, 1.0), cases=(
        # the divisor's seeded values are positive: away from 0
        binary_family("div", lambda torch, a, b: a / b, (ANY, POSITIVE)),
        unary_family("div_scalar", lambda torch, a: a / 4, shapes=SCALAR_SHAPES),
        unary_family("rdiv_scalar", lambda torch, a: 2 / a, POSITIVE, SCALAR_SHAPES),
    ), recipes=(Recipe("DivBackward0", lambda ns, a, b: a / b, draws.binary(ANY, NONZERO)),),
        fuzz=Elementwise("{0} / {1}", quotient_interval, (None, nonzero),
                         scalar_exprs=(("{0} / {s}", (2.0, -4.0)),))),
    OpInfo("neg", "Tensor.__neg__", False, (ANY,), (0.0,), cases=(
        unary_family("neg", lambda torch, a: -a),
        unary_family("neg_method", lambda torch, a: a.neg()),
    ), recipes=(Recipe("NegBackward0", lambda ns, a: -a, draws.unary()),),
        fuzz=Elementwise("-{0}", lambda lo, hi: (-hi, -lo))),
    # a tensor to a Python power; the exponent's domain is for non-integral powers
    OpInfo("pow", "Tensor.__pow__", True, (ANY, POSITIVE), (0.0, 1.0, -1.0), arity=1, cases=(
        param_family("pow_tensor_scalar", lambda torch, a, exponent: a ** exponent,
                     (Operand("a", (2, 3), POSITIVE),),
                     Param("exponent", [2, 3, 0.5, -1, 1, 0]), key="pow_ts"),
        unary_family("pow_method", lambda torch, a: a.pow(2), shapes=SCALAR_SHAPES),
        param_family("pow_scalar_tensor", lambda torch, exponent, base: base ** exponent,
                     (Operand("exponent", (2, 3)),), Param("base", [2, 0.5]), key="pow_st"),
    ), recipes=(
        Recipe("PowBackward0", lambda ns, a: a ** 2.5, draws.unary(POSITIVE)),
        Recipe("PowBackward2", lambda ns, a: 2.0 ** a, draws.unary()),
    ), fuzz=True),
    OpInfo("pow_tensor", "torch.pow", True, (POSITIVE, ANY), (1.0, 0.5, 2.0), cases=(
        binary_family("pow_tensor_tensor", lambda torch, base, exponent: base ** exponent,
                      (POSITIVE, ANY), ("base", "exponent"), key="pow_tt"),
    ), recipes=(
        Recipe("PowBackward1", lambda ns, a, b: a ** b, draws.binary(POSITIVE, ANY)),
    ), fuzz=True),
    unary("exp", "ExpBackward0", ANY, (-20.0, 0.0, 3.0),
          lambda lo, hi: (math.exp(lo), math.exp(hi)), accept=lambda lo, hi: hi <= 4.0,
          case_shapes=UNARY_SHAPES),
    unary("log", "LogBackward0", POSITIVE, (0.001, 1.0, 50.0),
          lambda lo, hi: (math.log(lo), math.log(hi)), accept=positive,
          case_shapes=UNARY_SHAPES),
    unary("sqrt", "SqrtBackward0", POSITIVE, (0.0001, 1.0, 4.0),
          lambda lo, hi: (math.sqrt(lo), math.sqrt(hi)), accept=positive,
          case_shapes=UNARY_SHAPES),
    # gradcheck stays off abs's kink at 0; the fuzzer puts values on it
    unary("abs", "AbsBackward0", ANY, (0.0, -1.0, 1.0), abs_interval,
          case_shapes=UNARY_SHAPES, recipe_domain=NONZERO),
    unary("sin", "SinBackward0", ANY, (0.0, PI / 2, -PI), lambda lo, hi: (-1.0, 1.0),
          case_shapes=UNARY_SHAPES),
    unary("cos", "CosBackward0", ANY, (0.0, PI / 2, -PI), lambda lo, hi: (-1.0, 1.0),
          case_shapes=UNARY_SHAPES),
    unary("tanh", "TanhBackward0", ANY, (0.0, 20.0, -20.0),
          lambda lo, hi: (math.tanh(lo), math.tanh(hi)), case_shapes=UNARY_SHAPES),
    unary("sigmoid", "SigmoidBackward0", ANY, (0.0, 30.0, -30.0),
          lambda lo, hi: (sigmoid(lo), sigmoid(hi)), case_shapes=UNARY_SHAPES),
    OpInfo("relu", "torch.relu", True, (ANY,), (0.0, -1.0, 1.0), cases=(
        unary_family("relu", lambda torch, a: torch.relu(a)),
        unary_family("functional_relu", lambda torch, a: torch.nn.functional.relu(a),
                     shapes=SMALL_SHAPES, key="F.relu"),
    ), recipes=(
        Recipe("ReluBackward0", lambda ns, a: ns.nn.functional.relu(a), draws.unary(NONZERO)),
    ), fuzz=Elementwise("torch.relu({0})", lambda lo, hi: (max(lo, 0.0), max(hi, 0.0)))),
    OpInfo("clamp", "torch.clamp", True, (ANY,), (-1.0, -0.5, 0.0, 0.5, 1.0), cases=(
        param_family("clamp", lambda torch, a, bounds: torch.clamp(a, min=bounds[0],
                                                                   max=bounds[1]),
                     (Operand("a", (3, 4)),),
                     Param("bounds", [(-0.5, 0.5), (0.0, None), (None, 0.25)],
                           ["min-max", "min", "max"])),
        fixed_family("clamp_method_positional", lambda torch, a: a.clamp(-1, 1),
                     (Operand("a", (2, 5)),), key="clamp_method"),
        Family("clamp_one_sided_method",
               lambda torch, a, bound: a.clamp_min(0.25) if bound == "min" else
               a.clamp_max(-0.25),
               (Operand("a", (2, 5)),), "ops/clamp_{bound}//{dtype}",
               (Param("bound", ["min", "max"]),)),
    ), recipes=(
        Recipe("ClampBackward1", lambda ns, a: a.clamp(-0.5, 0.5),
               draws.unary(ANY.away_from(-0.5, 0.5))),
        Recipe("ClampMinBackward0", lambda ns, a: a.clamp_min(-0.5),
               draws.unary(ANY.away_from(-0.5))),
        Recipe("ClampMaxBackward0", lambda ns, a: a.clamp_max(0.5),
               draws.unary(ANY.away_from(0.5))),
    ), fuzz=True),
    # no ties in refgrad's tests: the gradient goes to one side, chosen by value
    binary("maximum", "MaximumBackward0", lambda a, b: (max(a[0], b[0]), max(a[1], b[1])),
           TIES, draws.distinct_pair),
    binary("minimum", "MinimumBackward0", lambda a, b: (min(a[0], b[0]), min(a[1], b[1])),
           TIES, draws.distinct_pair),
    OpInfo("where", "torch.where", True, (ANY, ANY), (0.0,), arity=3, cases=(
        Family("where", lambda torch, condition, a, b: torch.where(condition, a, b),
               lambda shapes: (Operand("condition", shapes[0], MASK, "/cond", grad=False),
                               Operand("a", shapes[1], suffix="/a"),
                               Operand("b", shapes[2], suffix="/b")),
               "ops/where/{shapes}/{dtype}",
               (Param("shapes", [((2, 3), (2, 3), (2, 3)), ((2, 3), (2, 1), (3,)),
                                 ((3,), (2, 3), ())],
                      ["2x3,2x3,2x3", "2x3,2x1,3", "3,2x3,scalar"]),)),
    ), recipes=(Recipe("WhereBackward0",
                       lambda ns, a, b, condition: ns.where(ns.tensor(condition), a, b),
                       draws.where),), fuzz=True),
    # --- not in the fuzzer's catalogue -----------------------------------------------------
    unary("reciprocal", "ReciprocalBackward0", POSITIVE, case_shapes=UNARY_SHAPES,
          recipe_domain=NONZERO),
    unary("sinh", "SinhBackward0", ANY, (0.0, 3.0, -3.0),
          lambda lo, hi: (math.sinh(lo), math.sinh(hi)),
          accept=lambda lo, hi: max(-lo, hi) <= 4.0, case_shapes=UNARY_SHAPES),
    unary("cosh", "CoshBackward0", ANY, (0.0, 3.0, -3.0),
          lambda lo, hi: (1.0 if lo <= 0 <= hi else min(math.cosh(lo), math.cosh(hi)),
                          max(math.cosh(lo), math.cosh(hi))),
          accept=lambda lo, hi: max(-lo, hi) <= 4.0, case_shapes=UNARY_SHAPES),
    OpInfo("sgn", "torch.sgn", False, (NONZERO,), (0.0,), cases=(
        unary_family("sgn", lambda torch, a: torch.sgn(a), also=_sgn_gradient_is_immutable),
        Family("sgn_method", lambda torch, a: a.sgn(), (Operand("a", (2, 3)),),
               "ops/sgn_method/(2, 3)/{dtype}"),
    ), recipes=(
        # sgn's gradient is zero everywhere; both libraries return it as an immutable
        # ZeroTensor, which refuses numpy(): refgrad's test reads it through clone() and
        # checks that refgrad gives a ZeroTensor where torch does
        Recipe("SgnBackward0", lambda ns, a: a.sgn(), draws.unary(NONZERO)),
    )),
    unary("expm1", "Expm1Backward0", case_shapes=SMALL_SHAPES),
    unary("log1p", "Log1PBackward0", POSITIVE, case_shapes=SMALL_SHAPES),
    OpInfo("logsigmoid", "torch.nn.functional.logsigmoid", True, cases=(
        unary_family("logsigmoid", lambda torch, a: torch.nn.functional.logsigmoid(a),
                     shapes=SMALL_SHAPES),
    ), recipes=(Recipe("LogSigmoidBackward0", lambda ns, a: ns.nn.functional.logsigmoid(a),
                       draws.unary()),)),
    # piecewise-constant ops stay in the graph with a zero gradient; inputs avoid .5 ties
    OpInfo("floor_round_sign", "torch.floor", False, (OFF_STEP,), cases=(
        Family("zero_gradient_ops", lambda torch, a, op: getattr(torch, op)(a),
               (Operand("a", (2, 3), OFF_STEP),), "ops/zero_gradient/{op}/{dtype}",
               (Param("op", ["floor", "round", "sign"]),)),
    ), recipes=(
        Recipe("FloorBackward0", lambda ns, a: a.floor(), draws.unary(OFF_STEP)),
        Recipe("RoundBackward0", lambda ns, a: a.round(), draws.unary(OFF_STEP)),
        Recipe("SignBackward0", lambda ns, a: a.sign(), draws.unary(NONZERO)),
    )),
    unary("clone", "CloneBackward0", saves_tensors=False, case_shapes=SMALL_SHAPES),
    OpInfo("to", "Tensor.to", False, cases=(
        Family("dtype_conversion", lambda torch, a, conversion: CONVERSIONS[conversion](torch, a),
               (Operand("a", (2, 3)),), "ops/conversion/{conversion}/{dtype}",
               (Param("conversion", list(CONVERSIONS)),), dtyped=False,
               dtypes=_conversion_dtypes,
               also=lambda result, observed, a: {
                   "vjp dtype follows the input": str(observed["vjp a"].dtype)}),
    ), recipes=(
        # float32 -> float64 is exact; a float64 input is copied without a cast
        Recipe("ToCopyBackward0", lambda ns, a: a.to(ns.float64) if a.dtype == ns.float32
               else a.to(ns.float64, copy=True), draws.unary()),
    )),
    OpInfo("alias", "Tensor.__getitem__", False, cases=(
        fixed_family("alias_ellipsis", lambda torch, a: a[...], (Operand("a", (2, 3)),),
                     key="alias", also=lambda result, observed, a: {"a[...] is a": result is a}),
    ), recipes=(Recipe("AliasBackward0", lambda ns, a: a[...], draws.unary()),)),
    OpInfo("setitem", "Tensor.__setitem__", False, cases=(
        fixed_family("setitem_on_non_leaf", _set_row,
                     (Operand("a", (2, 3), suffix="/a"), Operand("v", (3,), suffix="/v")),
                     key="setitem"),
        fixed_family("setitem_scalar_on_non_leaf", _set_element, (Operand("a", (4,)),),
                     key="setitem_scalar"),
    ), recipes=(Recipe("CopySlices", _copy_slices, draws.copy_slices),)),
)
