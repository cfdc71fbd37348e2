"""One case family per op: forward value, dtype, shape, grad_fn name, and the VJP against a seeded
random cotangent for every differentiable input, over several shapes (broadcasting included) and
both float dtypes.

Values are drawn inside each op's domain (positive for log/sqrt/reciprocal/pow bases/divisors)
and away from kinks and ties (randn never lands on 0 or on a clamp bound); the edge cases live in
their own cases (``edges``).
"""
from conformance.case import parametrize
from conformance.cases._common import (
    DTYPES, NUMPY_DTYPES, forward_and_vjp, leaf, positive_leaf, randn_leaf, shape_id, shapes_id,
    tensor,
)
from conformance import inputs, observe

# Operand shape pairs for binary elementwise ops: equal, trailing broadcast, two-sided
# broadcast, 0-d against n-d, and a rank-3 result.
BINARY_SHAPES = [((3,), (3,)), ((2, 3), (2, 3)), ((2, 3), (3,)), ((2, 1), (1, 3)),
                 ((), (2, 3)), ((4, 1, 3), (2, 1))]
BINARY_IDS = [shapes_id(s) for s in BINARY_SHAPES]
UNARY_SHAPES = [(), (5,), (2, 3), (2, 3, 4)]
UNARY_IDS = [shape_id(s) for s in UNARY_SHAPES]
SCALAR_SHAPES = [(4,), (2, 3)]
SCALAR_IDS = [shape_id(s) for s in SCALAR_SHAPES]


def _key(name, shape_or_shapes, dtype):
    return f"ops/{name}/{shape_or_shapes}/{dtype}"


# --- binary elementwise, tensor with tensor ----------------------------------------------

@parametrize("dtype", DTYPES)
@parametrize("shapes", BINARY_SHAPES, ids=BINARY_IDS)
def case_add(torch, device, shapes, dtype):
    key = _key("add", shapes, dtype)
    a = randn_leaf(torch, device, shapes[0], key + "/a", dtype)
    b = randn_leaf(torch, device, shapes[1], key + "/b", dtype)
    return forward_and_vjp(torch, device, a + b, {"a": a, "b": b}, key, dtype)


@parametrize("dtype", DTYPES)
@parametrize("shapes", BINARY_SHAPES, ids=BINARY_IDS)
def case_add_alpha(torch, device, shapes, dtype):
    key = _key("add_alpha", shapes, dtype)
    a = randn_leaf(torch, device, shapes[0], key + "/a", dtype)
    b = randn_leaf(torch, device, shapes[1], key + "/b", dtype)
    return forward_and_vjp(torch, device, torch.add(a, b, alpha=2), {"a": a, "b": b}, key, dtype)


@parametrize("dtype", DTYPES)
@parametrize("shapes", BINARY_SHAPES, ids=BINARY_IDS)
def case_sub(torch, device, shapes, dtype):
    key = _key("sub", shapes, dtype)
    a = randn_leaf(torch, device, shapes[0], key + "/a", dtype)
    b = randn_leaf(torch, device, shapes[1], key + "/b", dtype)
    return forward_and_vjp(torch, device, a - b, {"a": a, "b": b}, key, dtype)


@parametrize("dtype", DTYPES)
@parametrize("shapes", BINARY_SHAPES, ids=BINARY_IDS)
def case_mul(torch, device, shapes, dtype):
    key = _key("mul", shapes, dtype)
    a = randn_leaf(torch, device, shapes[0], key + "/a", dtype)
    b = randn_leaf(torch, device, shapes[1], key + "/b", dtype)
    return forward_and_vjp(torch, device, a * b, {"a": a, "b": b}, key, dtype)


@parametrize("dtype", DTYPES)
@parametrize("shapes", BINARY_SHAPES, ids=BINARY_IDS)
def case_div(torch, device, shapes, dtype):
    key = _key("div", shapes, dtype)
    a = randn_leaf(torch, device, shapes[0], key + "/a", dtype)
    b = positive_leaf(torch, device, shapes[1], key + "/b", dtype)  # divisor away from 0
    return forward_and_vjp(torch, device, a / b, {"a": a, "b": b}, key, dtype)


@parametrize("dtype", DTYPES)
@parametrize("shapes", BINARY_SHAPES, ids=BINARY_IDS)
def case_pow_tensor_tensor(torch, device, shapes, dtype):
    key = _key("pow_tt", shapes, dtype)
    base = positive_leaf(torch, device, shapes[0], key + "/base", dtype)
    exponent = randn_leaf(torch, device, shapes[1], key + "/exponent", dtype)
    return forward_and_vjp(torch, device, base ** exponent,
                           {"base": base, "exponent": exponent}, key, dtype)


@parametrize("dtype", DTYPES)
@parametrize("shapes", BINARY_SHAPES, ids=BINARY_IDS)
def case_maximum(torch, device, shapes, dtype):
    key = _key("maximum", shapes, dtype)
    a = randn_leaf(torch, device, shapes[0], key + "/a", dtype)
    b = randn_leaf(torch, device, shapes[1], key + "/b", dtype)
    return forward_and_vjp(torch, device, torch.maximum(a, b), {"a": a, "b": b}, key, dtype)


@parametrize("dtype", DTYPES)
@parametrize("shapes", BINARY_SHAPES, ids=BINARY_IDS)
def case_minimum(torch, device, shapes, dtype):
    key = _key("minimum", shapes, dtype)
    a = randn_leaf(torch, device, shapes[0], key + "/a", dtype)
    b = randn_leaf(torch, device, shapes[1], key + "/b", dtype)
    return forward_and_vjp(torch, device, torch.minimum(a, b), {"a": a, "b": b}, key, dtype)


@parametrize("dtype", DTYPES)
@parametrize("shapes", [((2, 3), (2, 3), (2, 3)), ((2, 3), (2, 1), (3,)),
                        ((3,), (2, 3), ())], ids=["2x3,2x3,2x3", "2x3,2x1,3", "3,2x3,scalar"])
def case_where(torch, device, shapes, dtype):
    key = _key("where", shapes, dtype)
    condition = tensor(torch, device, inputs.randn(shapes[0], key + "/cond") > 0)
    a = randn_leaf(torch, device, shapes[1], key + "/a", dtype)
    b = randn_leaf(torch, device, shapes[2], key + "/b", dtype)
    return forward_and_vjp(torch, device, torch.where(condition, a, b), {"a": a, "b": b},
                           key, dtype)


# --- binary with a Python scalar ---------------------------------------------------------

@parametrize("dtype", DTYPES)
@parametrize("shape", SCALAR_SHAPES, ids=SCALAR_IDS)
def case_add_scalar(torch, device, shape, dtype):
    key = _key("add_scalar", shape, dtype)
    a = randn_leaf(torch, device, shape, key, dtype)
    return forward_and_vjp(torch, device, a + 1.5, {"a": a}, key, dtype)


@parametrize("dtype", DTYPES)
@parametrize("shape", SCALAR_SHAPES, ids=SCALAR_IDS)
def case_radd_scalar(torch, device, shape, dtype):
    key = _key("radd_scalar", shape, dtype)
    a = randn_leaf(torch, device, shape, key, dtype)
    return forward_and_vjp(torch, device, 2 + a, {"a": a}, key, dtype)


@parametrize("dtype", DTYPES)
@parametrize("shape", SCALAR_SHAPES, ids=SCALAR_IDS)
def case_sub_scalar(torch, device, shape, dtype):
    key = _key("sub_scalar", shape, dtype)
    a = randn_leaf(torch, device, shape, key, dtype)
    return forward_and_vjp(torch, device, a - 1, {"a": a}, key, dtype)


@parametrize("dtype", DTYPES)
@parametrize("shape", SCALAR_SHAPES, ids=SCALAR_IDS)
def case_rsub_scalar(torch, device, shape, dtype):
    key = _key("rsub_scalar", shape, dtype)
    a = randn_leaf(torch, device, shape, key, dtype)
    return forward_and_vjp(torch, device, 1 - a, {"a": a}, key, dtype)


@parametrize("dtype", DTYPES)
@parametrize("shape", SCALAR_SHAPES, ids=SCALAR_IDS)
def case_rsub_function(torch, device, shape, dtype):
    key = _key("rsub_function", shape, dtype)
    a = randn_leaf(torch, device, shape, key + "/a", dtype)
    b = randn_leaf(torch, device, shape, key + "/b", dtype)
    return forward_and_vjp(torch, device, torch.rsub(a, b), {"a": a, "b": b}, key, dtype)


@parametrize("dtype", DTYPES)
@parametrize("shape", SCALAR_SHAPES, ids=SCALAR_IDS)
def case_mul_scalar(torch, device, shape, dtype):
    key = _key("mul_scalar", shape, dtype)
    a = randn_leaf(torch, device, shape, key, dtype)
    return forward_and_vjp(torch, device, a * 2.5, {"a": a}, key, dtype)


@parametrize("dtype", DTYPES)
@parametrize("shape", SCALAR_SHAPES, ids=SCALAR_IDS)
def case_rmul_scalar(torch, device, shape, dtype):
    key = _key("rmul_scalar", shape, dtype)
    a = randn_leaf(torch, device, shape, key, dtype)
    return forward_and_vjp(torch, device, 3 * a, {"a": a}, key, dtype)


@parametrize("dtype", DTYPES)
@parametrize("shape", SCALAR_SHAPES, ids=SCALAR_IDS)
def case_div_scalar(torch, device, shape, dtype):
    key = _key("div_scalar", shape, dtype)
    a = randn_leaf(torch, device, shape, key, dtype)
    return forward_and_vjp(torch, device, a / 4, {"a": a}, key, dtype)


@parametrize("dtype", DTYPES)
@parametrize("shape", SCALAR_SHAPES, ids=SCALAR_IDS)
def case_rdiv_scalar(torch, device, shape, dtype):
    key = _key("rdiv_scalar", shape, dtype)
    a = positive_leaf(torch, device, shape, key, dtype)
    return forward_and_vjp(torch, device, 2 / a, {"a": a}, key, dtype)


@parametrize("dtype", DTYPES)
@parametrize("exponent", [2, 3, 0.5, -1, 1, 0], ids=["2", "3", "0.5", "-1", "1", "0"])
def case_pow_tensor_scalar(torch, device, exponent, dtype):
    key = _key("pow_ts", exponent, dtype)
    a = positive_leaf(torch, device, (2, 3), key, dtype)
    return forward_and_vjp(torch, device, a ** exponent, {"a": a}, key, dtype)


@parametrize("dtype", DTYPES)
@parametrize("shape", SCALAR_SHAPES, ids=SCALAR_IDS)
def case_pow_method(torch, device, shape, dtype):
    key = _key("pow_method", shape, dtype)
    a = randn_leaf(torch, device, shape, key, dtype)
    return forward_and_vjp(torch, device, a.pow(2), {"a": a}, key, dtype)


@parametrize("dtype", DTYPES)
@parametrize("base", [2, 0.5], ids=["2", "0.5"])
def case_pow_scalar_tensor(torch, device, base, dtype):
    key = _key("pow_st", base, dtype)
    exponent = randn_leaf(torch, device, (2, 3), key, dtype)
    return forward_and_vjp(torch, device, base ** exponent, {"exponent": exponent}, key, dtype)


# --- unary ---------------------------------------------------------------------------------

@parametrize("dtype", DTYPES)
@parametrize("shape", UNARY_SHAPES, ids=UNARY_IDS)
def case_neg(torch, device, shape, dtype):
    key = _key("neg", shape, dtype)
    a = randn_leaf(torch, device, shape, key, dtype)
    return forward_and_vjp(torch, device, -a, {"a": a}, key, dtype)


@parametrize("dtype", DTYPES)
@parametrize("shape", UNARY_SHAPES, ids=UNARY_IDS)
def case_neg_method(torch, device, shape, dtype):
    key = _key("neg_method", shape, dtype)
    a = randn_leaf(torch, device, shape, key, dtype)
    return forward_and_vjp(torch, device, a.neg(), {"a": a}, key, dtype)


@parametrize("dtype", DTYPES)
@parametrize("shape", UNARY_SHAPES, ids=UNARY_IDS)
def case_reciprocal(torch, device, shape, dtype):
    key = _key("reciprocal", shape, dtype)
    a = positive_leaf(torch, device, shape, key, dtype)
    return forward_and_vjp(torch, device, torch.reciprocal(a), {"a": a}, key, dtype)


@parametrize("dtype", DTYPES)
@parametrize("shape", UNARY_SHAPES, ids=UNARY_IDS)
def case_exp(torch, device, shape, dtype):
    key = _key("exp", shape, dtype)
    a = randn_leaf(torch, device, shape, key, dtype)
    return forward_and_vjp(torch, device, torch.exp(a), {"a": a}, key, dtype)


@parametrize("dtype", DTYPES)
@parametrize("shape", UNARY_SHAPES, ids=UNARY_IDS)
def case_log(torch, device, shape, dtype):
    key = _key("log", shape, dtype)
    a = positive_leaf(torch, device, shape, key, dtype)
    return forward_and_vjp(torch, device, torch.log(a), {"a": a}, key, dtype)


@parametrize("dtype", DTYPES)
@parametrize("shape", UNARY_SHAPES, ids=UNARY_IDS)
def case_sqrt(torch, device, shape, dtype):
    key = _key("sqrt", shape, dtype)
    a = positive_leaf(torch, device, shape, key, dtype)
    return forward_and_vjp(torch, device, torch.sqrt(a), {"a": a}, key, dtype)


@parametrize("dtype", DTYPES)
@parametrize("shape", UNARY_SHAPES, ids=UNARY_IDS)
def case_abs(torch, device, shape, dtype):
    key = _key("abs", shape, dtype)
    a = randn_leaf(torch, device, shape, key, dtype)
    return forward_and_vjp(torch, device, torch.abs(a), {"a": a}, key, dtype)


# sgn's gradient is zero everywhere: torch gives it as an immutable ZeroTensor
@parametrize("dtype", DTYPES)
@parametrize("shape", UNARY_SHAPES, ids=UNARY_IDS)
def case_sgn(torch, device, shape, dtype):
    key = _key("sgn", shape, dtype)
    a = randn_leaf(torch, device, shape, key, dtype)
    observed = forward_and_vjp(torch, device, torch.sgn(a), {"a": a}, key, dtype)
    observed["vjp a.add_(1)"] = observe.error(lambda: observed["vjp a"].add_(1))
    observed["vjp a.clone().add_(1)"] = observe.error(
        lambda: observed["vjp a"].clone().add_(1))
    return observed


@parametrize("dtype", DTYPES)
def case_sgn_method(torch, device, dtype):
    key = _key("sgn_method", (2, 3), dtype)
    a = randn_leaf(torch, device, (2, 3), key, dtype)
    return forward_and_vjp(torch, device, a.sgn(), {"a": a}, key, dtype)


@parametrize("dtype", DTYPES)
@parametrize("shape", UNARY_SHAPES, ids=UNARY_IDS)
def case_sin(torch, device, shape, dtype):
    key = _key("sin", shape, dtype)
    a = randn_leaf(torch, device, shape, key, dtype)
    return forward_and_vjp(torch, device, torch.sin(a), {"a": a}, key, dtype)


@parametrize("dtype", DTYPES)
@parametrize("shape", UNARY_SHAPES, ids=UNARY_IDS)
def case_cos(torch, device, shape, dtype):
    key = _key("cos", shape, dtype)
    a = randn_leaf(torch, device, shape, key, dtype)
    return forward_and_vjp(torch, device, torch.cos(a), {"a": a}, key, dtype)


@parametrize("dtype", DTYPES)
@parametrize("shape", UNARY_SHAPES, ids=UNARY_IDS)
def case_tanh(torch, device, shape, dtype):
    key = _key("tanh", shape, dtype)
    a = randn_leaf(torch, device, shape, key, dtype)
    return forward_and_vjp(torch, device, torch.tanh(a), {"a": a}, key, dtype)


@parametrize("dtype", DTYPES)
@parametrize("shape", UNARY_SHAPES, ids=UNARY_IDS)
def case_sigmoid(torch, device, shape, dtype):
    key = _key("sigmoid", shape, dtype)
    a = randn_leaf(torch, device, shape, key, dtype)
    return forward_and_vjp(torch, device, torch.sigmoid(a), {"a": a}, key, dtype)


@parametrize("dtype", DTYPES)
@parametrize("shape", UNARY_SHAPES, ids=UNARY_IDS)
def case_relu(torch, device, shape, dtype):
    key = _key("relu", shape, dtype)
    a = randn_leaf(torch, device, shape, key, dtype)
    return forward_and_vjp(torch, device, torch.relu(a), {"a": a}, key, dtype)


@parametrize("dtype", DTYPES)
@parametrize("shape", [(5,), (2, 3)], ids=["5", "2x3"])
def case_functional_relu(torch, device, shape, dtype):
    key = _key("F.relu", shape, dtype)
    a = randn_leaf(torch, device, shape, key, dtype)
    return forward_and_vjp(torch, device, torch.nn.functional.relu(a), {"a": a}, key, dtype)


@parametrize("dtype", DTYPES)
@parametrize("bounds", [(-0.5, 0.5), (0.0, None), (None, 0.25)],
             ids=["min-max", "min", "max"])
def case_clamp(torch, device, bounds, dtype):
    key = _key("clamp", bounds, dtype)
    a = randn_leaf(torch, device, (3, 4), key, dtype)
    low, high = bounds
    return forward_and_vjp(torch, device, torch.clamp(a, min=low, max=high), {"a": a}, key,
                           dtype)


@parametrize("dtype", DTYPES)
def case_clamp_method_positional(torch, device, dtype):
    key = _key("clamp_method", "", dtype)
    a = randn_leaf(torch, device, (2, 5), key, dtype)
    return forward_and_vjp(torch, device, a.clamp(-1, 1), {"a": a}, key, dtype)


@parametrize("dtype", DTYPES)
@parametrize("bound", ["min", "max"])
def case_clamp_one_sided_method(torch, device, bound, dtype):
    key = _key("clamp_" + bound, "", dtype)
    a = randn_leaf(torch, device, (2, 5), key, dtype)
    out = a.clamp_min(0.25) if bound == "min" else a.clamp_max(-0.25)
    return forward_and_vjp(torch, device, out, {"a": a}, key, dtype)


# Ops that torch records with their own node but that appear less often; two shapes each.
SMALL_SHAPES = [(5,), (2, 3)]
SMALL_IDS = [shape_id(s) for s in SMALL_SHAPES]


@parametrize("dtype", DTYPES)
@parametrize("shape", SMALL_SHAPES, ids=SMALL_IDS)
def case_expm1(torch, device, shape, dtype):
    key = _key("expm1", shape, dtype)
    a = randn_leaf(torch, device, shape, key, dtype)
    return forward_and_vjp(torch, device, torch.expm1(a), {"a": a}, key, dtype)


@parametrize("dtype", DTYPES)
@parametrize("shape", SMALL_SHAPES, ids=SMALL_IDS)
def case_log1p(torch, device, shape, dtype):
    key = _key("log1p", shape, dtype)
    a = positive_leaf(torch, device, shape, key, dtype)
    return forward_and_vjp(torch, device, torch.log1p(a), {"a": a}, key, dtype)


@parametrize("dtype", DTYPES)
@parametrize("shape", SMALL_SHAPES, ids=SMALL_IDS)
def case_logsigmoid(torch, device, shape, dtype):
    key = _key("logsigmoid", shape, dtype)
    a = randn_leaf(torch, device, shape, key, dtype)
    return forward_and_vjp(torch, device, torch.nn.functional.logsigmoid(a), {"a": a}, key,
                           dtype)


# Piecewise-constant ops stay in the graph with a zero gradient; inputs avoid .5 ties.
@parametrize("dtype", DTYPES)
@parametrize("op", ["floor", "round", "sign"])
def case_zero_gradient_ops(torch, device, op, dtype):
    key = _key("zero_gradient", op, dtype)
    a = leaf(torch, device, inputs.uniform((2, 3), key, NUMPY_DTYPES[dtype], -2.9, 2.9))
    out = {"floor": torch.floor, "round": torch.round, "sign": torch.sign}[op](a)
    return forward_and_vjp(torch, device, out, {"a": a}, key, dtype)


@parametrize("dtype", DTYPES)
@parametrize("shape", SMALL_SHAPES, ids=SMALL_IDS)
def case_clone(torch, device, shape, dtype):
    key = _key("clone", shape, dtype)
    a = randn_leaf(torch, device, shape, key, dtype)
    return forward_and_vjp(torch, device, a.clone(), {"a": a}, key, dtype)


@parametrize("conversion", ["double()", "to(float64)", "float() of float64",
                            "to(float32) of float64"])
def case_dtype_conversion(torch, device, conversion):
    source = "float64" if "of float64" in conversion else "float32"
    target = "float32" if source == "float64" else "float64"
    key = _key("conversion", conversion, source)
    a = randn_leaf(torch, device, (2, 3), key, source)
    out = {"double()": lambda: a.double(),
           "to(float64)": lambda: a.to(torch.float64),
           "float() of float64": lambda: a.float(),
           "to(float32) of float64": lambda: a.to(torch.float32)}[conversion]()
    observed = forward_and_vjp(torch, device, out, {"a": a}, key, target)
    observed["vjp dtype follows the input"] = str(observed["vjp a"].dtype)
    return observed


@parametrize("dtype", DTYPES)
def case_alias_ellipsis(torch, device, dtype):
    key = _key("alias", "", dtype)
    a = randn_leaf(torch, device, (2, 3), key, dtype)
    out = a[...]
    observed = forward_and_vjp(torch, device, out, {"a": a}, key, dtype)
    observed["a[...] is a"] = out is a
    return observed


@parametrize("dtype", DTYPES)
def case_setitem_on_non_leaf(torch, device, dtype):
    key = _key("setitem", "", dtype)
    a = randn_leaf(torch, device, (2, 3), key + "/a", dtype)
    v = randn_leaf(torch, device, (3,), key + "/v", dtype)
    out = a.clone()
    out[1] = v * 2
    return forward_and_vjp(torch, device, out, {"a": a, "v": v}, key, dtype)


@parametrize("dtype", DTYPES)
def case_setitem_scalar_on_non_leaf(torch, device, dtype):
    key = _key("setitem_scalar", "", dtype)
    a = randn_leaf(torch, device, (4,), key, dtype)
    out = a * 1
    out[0] = 10.0
    return forward_and_vjp(torch, device, out, {"a": a}, key, dtype)


# --- reductions ----------------------------------------------------------------------------

REDUCE_SHAPES = [(5,), (2, 3), (2, 3, 4)]
REDUCE_IDS = [shape_id(s) for s in REDUCE_SHAPES]


@parametrize("dtype", DTYPES)
@parametrize("shape", REDUCE_SHAPES, ids=REDUCE_IDS)
def case_sum_all(torch, device, shape, dtype):
    key = _key("sum_all", shape, dtype)
    a = randn_leaf(torch, device, shape, key, dtype)
    return forward_and_vjp(torch, device, a.sum(), {"a": a}, key, dtype)


@parametrize("dtype", DTYPES)
@parametrize("dim_keepdim", [(0, False), (1, False), (-1, False), (1, True), ((0, 2), False),
                             ((0, 1), True)],
             ids=["0", "1", "-1", "1-keepdim", "0+2", "0+1-keepdim"])
def case_sum_dim(torch, device, dim_keepdim, dtype):
    key = _key("sum_dim", dim_keepdim, dtype)
    a = randn_leaf(torch, device, (2, 3, 4), key, dtype)
    dim, keepdim = dim_keepdim
    return forward_and_vjp(torch, device, a.sum(dim, keepdim=keepdim), {"a": a}, key, dtype)


@parametrize("dtype", DTYPES)
def case_torch_sum_function(torch, device, dtype):
    key = _key("torch.sum", "", dtype)
    a = randn_leaf(torch, device, (3, 2), key, dtype)
    return forward_and_vjp(torch, device, torch.sum(a, dim=0), {"a": a}, key, dtype)


@parametrize("dtype", DTYPES)
@parametrize("shape", REDUCE_SHAPES, ids=REDUCE_IDS)
def case_mean_all(torch, device, shape, dtype):
    key = _key("mean_all", shape, dtype)
    a = randn_leaf(torch, device, shape, key, dtype)
    return forward_and_vjp(torch, device, a.mean(), {"a": a}, key, dtype)


@parametrize("dtype", DTYPES)
@parametrize("dim_keepdim", [(0, False), (1, False), (-1, True), ((0, 2), False),
                             ((1, 2), True)],
             ids=["0", "1", "-1-keepdim", "0+2", "1+2-keepdim"])
def case_mean_dim(torch, device, dim_keepdim, dtype):
    key = _key("mean_dim", dim_keepdim, dtype)
    a = randn_leaf(torch, device, (2, 3, 4), key, dtype)
    dim, keepdim = dim_keepdim
    return forward_and_vjp(torch, device, a.mean(dim=dim, keepdim=keepdim), {"a": a}, key,
                           dtype)


@parametrize("dtype", DTYPES)
@parametrize("shape", REDUCE_SHAPES, ids=REDUCE_IDS)
def case_max_all(torch, device, shape, dtype):
    key = _key("max_all", shape, dtype)
    a = randn_leaf(torch, device, shape, key, dtype)
    return forward_and_vjp(torch, device, a.max(), {"a": a}, key, dtype)


@parametrize("dtype", DTYPES)
@parametrize("shape", REDUCE_SHAPES, ids=REDUCE_IDS)
def case_min_all(torch, device, shape, dtype):
    key = _key("min_all", shape, dtype)
    a = randn_leaf(torch, device, shape, key, dtype)
    return forward_and_vjp(torch, device, torch.min(a), {"a": a}, key, dtype)


@parametrize("dtype", DTYPES)
@parametrize("dim_keepdim", [(0, False), (1, False), (-1, True)], ids=["0", "1", "-1-keepdim"])
def case_max_dim(torch, device, dim_keepdim, dtype):
    key = _key("max_dim", dim_keepdim, dtype)
    a = randn_leaf(torch, device, (3, 4), key, dtype)
    dim, keepdim = dim_keepdim
    result = a.max(dim, keepdim=keepdim)
    observed = forward_and_vjp(torch, device, result.values, {"a": a}, key, dtype)
    observed["indices"] = result.indices
    observed["result[1] equals indices"] = result[1].tolist() == result.indices.tolist()
    return observed


@parametrize("dtype", DTYPES)
@parametrize("dim_keepdim", [(0, False), (1, True)], ids=["0", "1-keepdim"])
def case_min_dim(torch, device, dim_keepdim, dtype):
    key = _key("min_dim", dim_keepdim, dtype)
    a = randn_leaf(torch, device, (3, 4), key, dtype)
    dim, keepdim = dim_keepdim
    values, indices = torch.min(a, dim=dim, keepdim=keepdim)
    observed = forward_and_vjp(torch, device, values, {"a": a}, key, dtype)
    observed["indices"] = indices
    return observed


@parametrize("dtype", DTYPES)
@parametrize("dim", [None, 0, 1, (0, 1)], ids=["all", "0", "1", "0+1"])
def case_amax(torch, device, dim, dtype):
    key = _key("amax", dim, dtype)
    a = randn_leaf(torch, device, (3, 4), key, dtype)
    out = a.amax() if dim is None else a.amax(dim)
    return forward_and_vjp(torch, device, out, {"a": a}, key, dtype)


@parametrize("dtype", DTYPES)
@parametrize("dim", [None, 0, -1], ids=["all", "0", "-1"])
def case_amin(torch, device, dim, dtype):
    key = _key("amin", dim, dtype)
    a = randn_leaf(torch, device, (3, 4), key, dtype)
    out = torch.amin(a) if dim is None else torch.amin(a, dim=dim, keepdim=True)
    return forward_and_vjp(torch, device, out, {"a": a}, key, dtype)


@parametrize("dim", [None, 0, 1, -1], ids=["all", "0", "1", "-1"])
def case_argmax(torch, device, dim):
    a = randn_leaf(torch, device, (3, 4), f"ops/argmax/{dim}")
    index = a.argmax() if dim is None else a.argmax(dim)
    return {"index": index, "index.dtype": str(index.dtype),
            "index.requires_grad": index.requires_grad}


@parametrize("dim", [None, 0, 1], ids=["all", "0", "1"])
def case_argmin(torch, device, dim):
    a = randn_leaf(torch, device, (3, 4), f"ops/argmin/{dim}")
    index = torch.argmin(a) if dim is None else torch.argmin(a, dim=dim)
    return {"index": index, "index.dtype": str(index.dtype),
            "index.requires_grad": index.requires_grad}


def case_argmax_keepdim(torch, device):
    a = randn_leaf(torch, device, (3, 4), "ops/argmax_keepdim")
    index = a.argmax(dim=1, keepdim=True)
    return {"index": index, "index.shape": tuple(index.shape)}


# --- matrix products -----------------------------------------------------------------------

MATMUL_SHAPES = [((3,), (3,)), ((3,), (3, 4)), ((2, 3), (3,)), ((2, 3), (3, 4)),
                 ((5, 2, 3), (5, 3, 4)), ((5, 2, 3), (3, 4)), ((2, 3), (5, 3, 4)),
                 ((5, 2, 3), (3,)), ((3,), (5, 3, 4)), ((2, 1, 2, 3), (5, 3, 4))]
MATMUL_IDS = [shapes_id(s) for s in MATMUL_SHAPES]


@parametrize("dtype", DTYPES)
@parametrize("shapes", MATMUL_SHAPES, ids=MATMUL_IDS)
def case_matmul(torch, device, shapes, dtype):
    key = _key("matmul", shapes, dtype)
    a = randn_leaf(torch, device, shapes[0], key + "/a", dtype)
    b = randn_leaf(torch, device, shapes[1], key + "/b", dtype)
    return forward_and_vjp(torch, device, torch.matmul(a, b), {"a": a, "b": b}, key, dtype)


@parametrize("dtype", DTYPES)
@parametrize("shapes", [((2, 3), (3, 4)), ((3,), (3, 2))], ids=["2x3,3x4", "3,3x2"])
def case_matmul_operator(torch, device, shapes, dtype):
    key = _key("matmul_operator", shapes, dtype)
    a = randn_leaf(torch, device, shapes[0], key + "/a", dtype)
    b = randn_leaf(torch, device, shapes[1], key + "/b", dtype)
    return forward_and_vjp(torch, device, a @ b, {"a": a, "b": b}, key, dtype)


@parametrize("dtype", DTYPES)
def case_matmul_one_side_requires_grad(torch, device, dtype):
    key = _key("matmul_one_side", "", dtype)
    a = randn_leaf(torch, device, (2, 3), key + "/a", dtype)
    b = tensor(torch, device, inputs.randn((3, 4), key + "/b", NUMPY_DTYPES[dtype]))
    return forward_and_vjp(torch, device, a @ b, {"a": a}, key, dtype)


@parametrize("dtype", DTYPES)
@parametrize("shapes", [((2, 3), (3, 4)), ((1, 5), (5, 1)), ((4, 1), (1, 3))],
             ids=["2x3,3x4", "1x5,5x1", "4x1,1x3"])
def case_mm(torch, device, shapes, dtype):
    key = _key("mm", shapes, dtype)
    a = randn_leaf(torch, device, shapes[0], key + "/a", dtype)
    b = randn_leaf(torch, device, shapes[1], key + "/b", dtype)
    return forward_and_vjp(torch, device, torch.mm(a, b), {"a": a, "b": b}, key, dtype)


@parametrize("dtype", DTYPES)
@parametrize("shapes", [((2, 3), (3,)), ((1, 4), (4,))], ids=["2x3,3", "1x4,4"])
def case_mv(torch, device, shapes, dtype):
    key = _key("mv", shapes, dtype)
    a = randn_leaf(torch, device, shapes[0], key + "/a", dtype)
    v = randn_leaf(torch, device, shapes[1], key + "/v", dtype)
    return forward_and_vjp(torch, device, torch.mv(a, v), {"a": a, "v": v}, key, dtype)


@parametrize("dtype", DTYPES)
@parametrize("n", [1, 3, 7])
def case_dot(torch, device, n, dtype):
    key = _key("dot", n, dtype)
    a = randn_leaf(torch, device, (n,), key + "/a", dtype)
    b = randn_leaf(torch, device, (n,), key + "/b", dtype)
    return forward_and_vjp(torch, device, torch.dot(a, b), {"a": a, "b": b}, key, dtype)


@parametrize("dtype", DTYPES)
@parametrize("shapes", [((5, 2, 3), (5, 3, 4)), ((1, 1, 4), (1, 4, 2))],
             ids=["5x2x3,5x3x4", "1x1x4,1x4x2"])
def case_bmm(torch, device, shapes, dtype):
    key = _key("bmm", shapes, dtype)
    a = randn_leaf(torch, device, shapes[0], key + "/a", dtype)
    b = randn_leaf(torch, device, shapes[1], key + "/b", dtype)
    return forward_and_vjp(torch, device, torch.bmm(a, b), {"a": a, "b": b}, key, dtype)


# --- shape and view ops --------------------------------------------------------------------

@parametrize("dtype", DTYPES)
@parametrize("dims", [(0, 1), (1, 0), (-1, -2)], ids=["0-1", "1-0", "-1--2"])
def case_transpose(torch, device, dims, dtype):
    key = _key("transpose", dims, dtype)
    a = randn_leaf(torch, device, (2, 3), key, dtype)
    return forward_and_vjp(torch, device, a.transpose(*dims), {"a": a}, key, dtype)


@parametrize("dtype", DTYPES)
def case_transpose_3d(torch, device, dtype):
    key = _key("transpose_3d", "", dtype)
    a = randn_leaf(torch, device, (2, 3, 4), key, dtype)
    return forward_and_vjp(torch, device, torch.transpose(a, 0, 2), {"a": a}, key, dtype)


@parametrize("dtype", DTYPES)
@parametrize("shape", [(2, 3), (4,)], ids=["2x3", "4"])
def case_t(torch, device, shape, dtype):
    key = _key("t", shape, dtype)
    a = randn_leaf(torch, device, shape, key, dtype)
    return forward_and_vjp(torch, device, a.t(), {"a": a}, key, dtype)


@parametrize("dtype", DTYPES)
def case_T(torch, device, dtype):
    key = _key("T", "", dtype)
    a = randn_leaf(torch, device, (2, 3), key, dtype)
    return forward_and_vjp(torch, device, a.T, {"a": a}, key, dtype)


@parametrize("dtype", DTYPES)
@parametrize("dims", [(1, 0, 2), (2, 0, 1), (0, 1, 2)], ids=["1-0-2", "2-0-1", "identity"])
def case_permute(torch, device, dims, dtype):
    key = _key("permute", dims, dtype)
    a = randn_leaf(torch, device, (2, 3, 4), key, dtype)
    return forward_and_vjp(torch, device, a.permute(*dims), {"a": a}, key, dtype)


@parametrize("dtype", DTYPES)
@parametrize("new_shape", [(3, 2), (6,), (-1,), (1, 6), (2, -1), (2, 3)],
             ids=["3x2", "6", "-1", "1x6", "2x-1", "same"])
def case_reshape(torch, device, new_shape, dtype):
    key = _key("reshape", new_shape, dtype)
    a = randn_leaf(torch, device, (2, 3), key, dtype)
    return forward_and_vjp(torch, device, a.reshape(new_shape), {"a": a}, key, dtype)


@parametrize("dtype", DTYPES)
def case_reshape_non_contiguous(torch, device, dtype):
    key = _key("reshape_non_contiguous", "", dtype)
    a = randn_leaf(torch, device, (2, 3), key, dtype)
    return forward_and_vjp(torch, device, a.t().reshape(6), {"a": a}, key, dtype)


# reshape of a transposed (3, 2, 3) -> (2, 3, 3) input that strides still allow as a view:
# torch records ReshapeAliasBackward0 over TransposeBackward0
@parametrize("dtype", DTYPES)
@parametrize("new_shape", [(2, 3, 3), (-1, 3, 3), (2, 3, 1, 3)],
             ids=["2x3x3", "-1x3x3", "2x3x1x3"])
def case_reshape_viewable_non_contiguous(torch, device, new_shape, dtype):
    key = _key("reshape_viewable_non_contiguous", new_shape, dtype)
    a = randn_leaf(torch, device, (3, 2, 3), key, dtype)
    out = a.transpose(0, 1).reshape(new_shape)
    return forward_and_vjp(torch, device, out, {"a": a}, key, dtype)


@parametrize("dtype", DTYPES)
@parametrize("new_shape", [(3, 2), (6,), (-1, 2), (1, 2, 3)], ids=["3x2", "6", "-1x2", "1x2x3"])
def case_view(torch, device, new_shape, dtype):
    key = _key("view", new_shape, dtype)
    a = randn_leaf(torch, device, (2, 3), key, dtype)
    return forward_and_vjp(torch, device, a.view(*new_shape), {"a": a}, key, dtype)


@parametrize("dtype", DTYPES)
@parametrize("dim", [None, 0, 2, -1, (0, 2), (1,)], ids=["all", "0", "2", "-1", "0+2", "1-of-3"])
def case_squeeze(torch, device, dim, dtype):
    key = _key("squeeze", dim, dtype)
    a = randn_leaf(torch, device, (1, 3, 1), key, dtype)
    out = a.squeeze() if dim is None else a.squeeze(dim)
    return forward_and_vjp(torch, device, out, {"a": a}, key, dtype)


@parametrize("dtype", DTYPES)
@parametrize("dim", [0, 1, 2, -1], ids=["0", "1", "2", "-1"])
def case_unsqueeze(torch, device, dim, dtype):
    key = _key("unsqueeze", dim, dtype)
    a = randn_leaf(torch, device, (2, 3), key, dtype)
    return forward_and_vjp(torch, device, a.unsqueeze(dim), {"a": a}, key, dtype)


@parametrize("dtype", DTYPES)
@parametrize("shapes", [((1, 3), (4, 3)), ((2, 1), (2, 5)), ((3,), (2, 3)),
                        ((1, 3), (2, -1)), ((2, 1, 3), (4, 2, 2, 3))],
             ids=["1x3-4x3", "2x1-2x5", "3-2x3", "1x3-2x-1", "2x1x3-4x2x2x3"])
def case_expand(torch, device, shapes, dtype):
    key = _key("expand", shapes, dtype)
    a = randn_leaf(torch, device, shapes[0], key, dtype)
    return forward_and_vjp(torch, device, a.expand(*shapes[1]), {"a": a}, key, dtype)


@parametrize("dtype", DTYPES)
def case_expand_as(torch, device, dtype):
    key = _key("expand_as", "", dtype)
    a = randn_leaf(torch, device, (1, 3), key, dtype)
    other = tensor(torch, device, inputs.randn((4, 3), key + "/other", NUMPY_DTYPES[dtype]))
    return forward_and_vjp(torch, device, a.expand_as(other), {"a": a}, key, dtype)


# Indexing: a readable name for each index expression, and the expression itself.
INDEXERS = {
    "int": lambda a: a[1],
    "negative-int": lambda a: a[-1],
    "int-int": lambda a: a[0, 2],
    "chained-int": lambda a: a[0][2],
    "column": lambda a: a[:, 1],
    "slice": lambda a: a[0:2],
    "slice-columns": lambda a: a[:, 1:3],
    "step-slice": lambda a: a[:, ::2],
    "full-slice": lambda a: a[:],
    "ellipsis-int": lambda a: a[..., 1],
    "none": lambda a: a[None],
    "list": lambda a: a[[0, 2]],
    "repeated-list": lambda a: a[[1, 1, 0]],
}


@parametrize("dtype", DTYPES)
@parametrize("index", list(INDEXERS))
def case_indexing(torch, device, index, dtype):
    key = _key("indexing", index, dtype)
    a = randn_leaf(torch, device, (3, 4), key, dtype)
    return forward_and_vjp(torch, device, INDEXERS[index](a), {"a": a}, key, dtype)


@parametrize("dtype", DTYPES)
def case_indexing_tensor_index(torch, device, dtype):
    key = _key("indexing_tensor", "", dtype)
    a = randn_leaf(torch, device, (3, 4), key, dtype)
    index = tensor(torch, device, inputs.integers((5,), key + "/index", high=3))
    return forward_and_vjp(torch, device, a[index], {"a": a}, key, dtype)


@parametrize("dtype", DTYPES)
def case_indexing_bool_mask(torch, device, dtype):
    key = _key("indexing_mask", "", dtype)
    a = randn_leaf(torch, device, (3, 4), key, dtype)
    mask = tensor(torch, device, inputs.randn((3, 4), key + "/mask") > 0)
    return forward_and_vjp(torch, device, a[mask], {"a": a}, key, dtype)


@parametrize("dtype", DTYPES)
@parametrize("dim", [0, 1, -1], ids=["0", "1", "-1"])
def case_cat(torch, device, dim, dtype):
    key = _key("cat", dim, dtype)
    a = randn_leaf(torch, device, (2, 3), key + "/a", dtype)
    b = randn_leaf(torch, device, (2, 3), key + "/b", dtype)
    return forward_and_vjp(torch, device, torch.cat([a, b], dim=dim), {"a": a, "b": b}, key,
                           dtype)


@parametrize("dtype", DTYPES)
def case_cat_uneven(torch, device, dtype):
    key = _key("cat_uneven", "", dtype)
    a = randn_leaf(torch, device, (1, 3), key + "/a", dtype)
    b = randn_leaf(torch, device, (4, 3), key + "/b", dtype)
    c = tensor(torch, device, inputs.randn((2, 3), key + "/c", NUMPY_DTYPES[dtype]))
    return forward_and_vjp(torch, device, torch.cat((a, c, b)), {"a": a, "b": b}, key, dtype)


@parametrize("dtype", DTYPES)
@parametrize("dim", [0, 1, 2, -1], ids=["0", "1", "2", "-1"])
def case_stack(torch, device, dim, dtype):
    key = _key("stack", dim, dtype)
    a = randn_leaf(torch, device, (2, 3), key + "/a", dtype)
    b = randn_leaf(torch, device, (2, 3), key + "/b", dtype)
    c = randn_leaf(torch, device, (2, 3), key + "/c", dtype)
    return forward_and_vjp(torch, device, torch.stack([a, b, c], dim=dim),
                           {"a": a, "b": b, "c": c}, key, dtype)


# --- softmax family ------------------------------------------------------------------------

@parametrize("dtype", DTYPES)
@parametrize("shape_dim", [((5,), 0), ((2, 3), 1), ((2, 3), 0), ((2, 3), -1), ((2, 3, 4), 1)],
             ids=["5-d0", "2x3-d1", "2x3-d0", "2x3-d-1", "2x3x4-d1"])
def case_softmax(torch, device, shape_dim, dtype):
    shape, dim = shape_dim
    key = _key("softmax", shape_dim, dtype)
    a = randn_leaf(torch, device, shape, key, dtype)
    return forward_and_vjp(torch, device, torch.softmax(a, dim), {"a": a}, key, dtype)


@parametrize("dtype", DTYPES)
@parametrize("shape_dim", [((5,), 0), ((2, 3), 1), ((2, 3), 0), ((2, 3, 4), -1)],
             ids=["5-d0", "2x3-d1", "2x3-d0", "2x3x4-d-1"])
def case_log_softmax(torch, device, shape_dim, dtype):
    shape, dim = shape_dim
    key = _key("log_softmax", shape_dim, dtype)
    a = randn_leaf(torch, device, shape, key, dtype)
    return forward_and_vjp(torch, device, torch.log_softmax(a, dim), {"a": a}, key, dtype)


@parametrize("dtype", DTYPES)
def case_functional_softmax(torch, device, dtype):
    key = _key("F.softmax", "", dtype)
    a = randn_leaf(torch, device, (3, 4), key, dtype)
    return forward_and_vjp(torch, device, torch.nn.functional.softmax(a, dim=1), {"a": a}, key,
                           dtype)


@parametrize("dtype", DTYPES)
def case_functional_log_softmax(torch, device, dtype):
    key = _key("F.log_softmax", "", dtype)
    a = randn_leaf(torch, device, (3, 4), key, dtype)
    return forward_and_vjp(torch, device, torch.nn.functional.log_softmax(a, dim=-1), {"a": a},
                           key, dtype)


@parametrize("dtype", DTYPES)
def case_softmax_method(torch, device, dtype):
    key = _key("softmax_method", "", dtype)
    a = randn_leaf(torch, device, (2, 4), key, dtype)
    return forward_and_vjp(torch, device, a.softmax(-1), {"a": a}, key, dtype)


# --- nn.functional losses ------------------------------------------------------------------

REDUCTIONS = ["mean", "sum", "none"]


@parametrize("dtype", DTYPES)
@parametrize("reduction", REDUCTIONS)
def case_mse_loss(torch, device, reduction, dtype):
    key = _key("mse_loss", reduction, dtype)
    x = randn_leaf(torch, device, (2, 3), key + "/x", dtype)
    y = tensor(torch, device, inputs.randn((2, 3), key + "/y", NUMPY_DTYPES[dtype]))
    loss = torch.nn.functional.mse_loss(x, y, reduction=reduction)
    return forward_and_vjp(torch, device, loss, {"input": x}, key, dtype)


@parametrize("dtype", DTYPES)
def case_mse_loss_both_require_grad(torch, device, dtype):
    key = _key("mse_loss_both", "", dtype)
    x = randn_leaf(torch, device, (4,), key + "/x", dtype)
    y = randn_leaf(torch, device, (4,), key + "/y", dtype)
    loss = torch.nn.functional.mse_loss(x, y)
    return forward_and_vjp(torch, device, loss, {"input": x, "target": y}, key, dtype)


@parametrize("dtype", DTYPES)
@parametrize("reduction", REDUCTIONS)
def case_binary_cross_entropy(torch, device, reduction, dtype):
    key = _key("bce", reduction, dtype)
    q = leaf(torch, device, inputs.uniform((2, 3), key + "/q", NUMPY_DTYPES[dtype], 0.05, 0.95))
    y = tensor(torch, device, inputs.uniform((2, 3), key + "/y", NUMPY_DTYPES[dtype], 0, 1))
    loss = torch.nn.functional.binary_cross_entropy(q, y, reduction=reduction)
    return forward_and_vjp(torch, device, loss, {"input": q}, key, dtype)


@parametrize("dtype", DTYPES)
def case_binary_cross_entropy_weight(torch, device, dtype):
    key = _key("bce_weight", "", dtype)
    np_dtype = NUMPY_DTYPES[dtype]
    q = leaf(torch, device, inputs.uniform((2, 3), key + "/q", np_dtype, 0.05, 0.95))
    y = tensor(torch, device, (inputs.randn((2, 3), key + "/y") > 0).astype(np_dtype))
    weight = tensor(torch, device, inputs.positive((2, 3), key + "/w", np_dtype))
    loss = torch.nn.functional.binary_cross_entropy(q, y, weight=weight)
    return forward_and_vjp(torch, device, loss, {"input": q}, key, dtype)


@parametrize("dtype", DTYPES)
@parametrize("reduction", REDUCTIONS)
def case_binary_cross_entropy_with_logits(torch, device, reduction, dtype):
    key = _key("bce_logits", reduction, dtype)
    np_dtype = NUMPY_DTYPES[dtype]
    x = randn_leaf(torch, device, (2, 3), key + "/x", dtype)
    y = tensor(torch, device, (inputs.randn((2, 3), key + "/y") > 0).astype(np_dtype))
    loss = torch.nn.functional.binary_cross_entropy_with_logits(x, y, reduction=reduction)
    return forward_and_vjp(torch, device, loss, {"input": x}, key, dtype)


@parametrize("dtype", DTYPES)
@parametrize("reduction", REDUCTIONS)
def case_cross_entropy(torch, device, reduction, dtype):
    key = _key("cross_entropy", reduction, dtype)
    x = randn_leaf(torch, device, (4, 3), key + "/x", dtype)
    classes = tensor(torch, device, inputs.integers((4,), key + "/classes", high=3))
    loss = torch.nn.functional.cross_entropy(x, classes, reduction=reduction)
    return forward_and_vjp(torch, device, loss, {"input": x}, key, dtype)


@parametrize("dtype", DTYPES)
def case_nll_loss(torch, device, dtype):
    key = _key("nll_loss", "", dtype)
    x = randn_leaf(torch, device, (4, 3), key + "/x", dtype)
    classes = tensor(torch, device, inputs.integers((4,), key + "/classes", high=3))
    log_probs = torch.log_softmax(x, 1)
    loss = torch.nn.functional.nll_loss(log_probs, classes)
    return forward_and_vjp(torch, device, loss, {"input": x}, key, dtype)


# --- gradients of gradients (create_graph=True) -----------------------------------------------

@parametrize("dtype", DTYPES)
def case_create_graph_of_cube(torch, device, dtype):
    key = _key("create_graph_cube", "", dtype)
    x = positive_leaf(torch, device, (3,), key, dtype)
    (g,) = torch.autograd.grad((x ** 3).sum(), x, create_graph=True)
    observed = forward_and_vjp(torch, device, g, {"x": x}, key, dtype)
    observed["graph(g)"] = observe.graph(g, x=x)
    return observed


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


@parametrize("dtype", DTYPES)
@parametrize("function", list(SECOND_ORDER))
def case_create_graph_of(torch, device, function, dtype):
    key = _key("create_graph_of", function, dtype)
    x = randn_leaf(torch, device, (4,), key, dtype)
    (g,) = torch.autograd.grad(SECOND_ORDER[function](torch, x), x, create_graph=True)
    observed = forward_and_vjp(torch, device, g, {"x": x}, key, dtype)
    observed["graph(g)"] = observe.graph(g, x=x)
    return observed
