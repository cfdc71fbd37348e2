"""One recipe per row of refgrad's derivative table (``refgrad.ops.ROWS``).

A recipe says how public, torch-like code reaches the row's node (``build``), and how to draw
inputs inside the op's domain with hypothesis (``draw``): shapes (broadcasting included),
values away from kinks and ties, and parameters such as ``dim``. The same recipe runs on
refgrad and on torch, so the two can be compared, and on float64 copies for refgrad's own
gradcheck.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Callable

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

MAX_SIDE = 3


@dataclass(frozen=True)
class Recipe:
    node: str
    build: Callable  # build(ns, *tensors, **params) -> output tensor
    draw: Callable   # draw(data) -> (list of arrays, dict of params)


RECIPES: dict[str, Recipe] = {}


def recipe(node, draw):
    def register(build):
        RECIPES[node] = Recipe(node, build, draw)
        return build
    return register


# ---------------------------------------------------------------------------------------------
# value domains (float64 elements; the dtype is chosen later)

REAL = st.floats(-2.0, 2.0, allow_nan=False, allow_subnormal=False)
POSITIVE = st.floats(0.5, 2.0)
UNIT = st.floats(0.05, 0.95)
NONZERO = st.tuples(st.floats(0.25, 2.0), st.sampled_from([-1.0, 1.0])).map(
    lambda p: p[0] * p[1])
# floor/round: away from integers and from halves
NOT_NEAR_STEP = st.tuples(st.integers(-2, 2), st.sampled_from([0.15, 0.3, 0.65, 0.85])).map(
    lambda p: p[0] + p[1])


def away_from(*points, margin=0.05):
    return REAL.filter(lambda v: all(abs(v - p) > margin for p in points))


def shapes(min_dims=0, max_dims=3, min_side=1):
    return hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=min_side,
                            max_side=MAX_SIDE)


def array(data, shape, elements=REAL):
    # fill=nothing: every element drawn on its own, not mostly one repeated value
    return data.draw(hnp.arrays(np.float64, shape, elements=elements, fill=st.nothing()))


def distinct_array(data, shape):
    """Values at least 0.1 apart: no ties for max/min, none within finite-difference reach."""
    size = int(np.prod(shape, dtype=np.int64))
    ints = data.draw(st.lists(st.integers(-40, 40), min_size=size, max_size=size,
                              unique=True))
    return (np.array(ints, dtype=np.float64) / 10.0).reshape(shape)


def broadcast_shapes(data):
    """Two shapes that broadcast together (either may be the larger)."""
    big = data.draw(shapes())
    small = list(big[data.draw(st.integers(0, len(big))):])
    for i in range(len(small)):
        if data.draw(st.booleans()):
            small[i] = 1
    pair = [tuple(big), tuple(small)]
    if data.draw(st.booleans()):
        pair.reverse()
    return pair


def unary(elements=REAL, min_dims=0):
    def draw(data):
        return [array(data, data.draw(shapes(min_dims=min_dims)), elements)], {}
    return draw


def binary(first=REAL, second=REAL):
    def draw(data):
        a_shape, b_shape = broadcast_shapes(data)
        return [array(data, a_shape, first), array(data, b_shape, second)], {}
    return draw


def with_dim(elements=REAL, distinct=False, keepdim=True):
    """One array of >= 1 dims and a valid ``dim`` (and ``keepdim``)."""
    def draw(data):
        shape = data.draw(shapes(min_dims=1))
        values = distinct_array(data, shape) if distinct else array(data, shape, elements)
        params = {"dim": data.draw(st.integers(-len(shape), len(shape) - 1))}
        if keepdim:
            params["keepdim"] = data.draw(st.booleans())
        return [values], params
    return draw


# ---------------------------------------------------------------------------------------------
# elementwise arithmetic


@recipe("AddBackward0", binary())
def _add(ns, a, b):
    return a + b


@recipe("SubBackward0", binary())
def _sub(ns, a, b):
    return a - b


@recipe("RsubBackward1", unary())
def _rsub(ns, a):
    return 1.5 - a


@recipe("RsubBackward0", binary())
def _rsub_tensor(ns, a, b):
    return ns.rsub(a, b)  # b - a


@recipe("MulBackward0", binary())
def _mul(ns, a, b):
    return a * b


@recipe("MulBackward1", unary(POSITIVE))
def _mul_scalar_in_vjp(ns, a):
    # the first derivative of a**3, kept in the graph, multiplies by the scalar 3
    (grad,) = ns.autograd.grad(a.pow(3).sum(), (a,), create_graph=True)
    return grad


@recipe("DivBackward0", binary(REAL, NONZERO))
def _div(ns, a, b):
    return a / b


@recipe("NegBackward0", unary())
def _neg(ns, a):
    return -a


@recipe("PowBackward0", unary(POSITIVE))
def _pow_scalar(ns, a):
    return a ** 2.5


@recipe("PowBackward1", binary(POSITIVE, REAL))
def _pow_tensor(ns, a, b):
    return a ** b


@recipe("PowBackward2", unary())
def _pow_base(ns, a):
    return 2.0 ** a


@recipe("ReciprocalBackward0", unary(NONZERO))
def _reciprocal(ns, a):
    return a.reciprocal()


def _distinct_pair(data):
    """Two broadcastable arrays with no value shared anywhere: no ties between them."""
    a_shape, b_shape = broadcast_shapes(data)
    a_size = int(np.prod(a_shape, dtype=np.int64))
    values = distinct_array(data, (a_size + int(np.prod(b_shape, dtype=np.int64)),))
    return [values[:a_size].reshape(a_shape), values[a_size:].reshape(b_shape)], {}


@recipe("MaximumBackward0", _distinct_pair)
def _maximum(ns, a, b):
    return ns.maximum(a, b)


@recipe("MinimumBackward0", _distinct_pair)
def _minimum(ns, a, b):
    return ns.minimum(a, b)


def _where_draw(data):
    a_shape, b_shape = broadcast_shapes(data)
    full = np.broadcast_shapes(a_shape, b_shape)
    condition = data.draw(hnp.arrays(np.bool_, full))
    return [array(data, a_shape), array(data, b_shape)], {"condition": condition}


@recipe("WhereBackward0", _where_draw)
def _where(ns, a, b, condition):
    return ns.where(ns.tensor(condition), a, b)


# ---------------------------------------------------------------------------------------------
# unary functions


def _unary_method(node, method, elements=REAL):
    recipe(node, unary(elements))(lambda ns, a: getattr(a, method)())


_unary_method("ExpBackward0", "exp")
_unary_method("LogBackward0", "log", POSITIVE)
_unary_method("Log1PBackward0", "log1p", POSITIVE)
_unary_method("Expm1Backward0", "expm1")
_unary_method("SqrtBackward0", "sqrt", POSITIVE)
_unary_method("AbsBackward0", "abs", NONZERO)
_unary_method("SignBackward0", "sign", NONZERO)
# sgn's gradient is zero everywhere; both libraries return it as an immutable ZeroTensor,
# which refuses numpy(): test_vjp reads it through clone() and checks that refgrad gives a
# ZeroTensor where torch does (gradient_values)
_unary_method("SgnBackward0", "sgn", NONZERO)
_unary_method("FloorBackward0", "floor", NOT_NEAR_STEP)
_unary_method("RoundBackward0", "round", NOT_NEAR_STEP)
_unary_method("SinBackward0", "sin")
_unary_method("CosBackward0", "cos")
_unary_method("TanhBackward0", "tanh")
_unary_method("SigmoidBackward0", "sigmoid")
_unary_method("CloneBackward0", "clone")


@recipe("LogSigmoidBackward0", unary())
def _log_sigmoid(ns, a):
    return ns.nn.functional.logsigmoid(a)


@recipe("ReluBackward0", unary(NONZERO))
def _relu(ns, a):
    return ns.nn.functional.relu(a)


@recipe("ClampBackward1", unary(away_from(-0.5, 0.5)))
def _clamp(ns, a):
    return a.clamp(-0.5, 0.5)


@recipe("ClampMinBackward0", unary(away_from(-0.5)))
def _clamp_min(ns, a):
    return a.clamp_min(-0.5)


@recipe("ClampMaxBackward0", unary(away_from(0.5)))
def _clamp_max(ns, a):
    return a.clamp_max(0.5)


# ---------------------------------------------------------------------------------------------
# reductions


@recipe("SumBackward0", unary())
def _sum(ns, a):
    return a.sum()


@recipe("SumBackward1", with_dim())
def _sum_dim(ns, a, dim, keepdim):
    return a.sum(dim, keepdim=keepdim)


@recipe("MeanBackward0", unary())
def _mean(ns, a):
    return a.mean()


@recipe("MeanBackward1", with_dim())
def _mean_dim(ns, a, dim, keepdim):
    return a.mean(dim, keepdim=keepdim)


def _distinct_unary(data):
    return [distinct_array(data, data.draw(shapes(min_dims=0)))], {}


@recipe("MaxBackward1", _distinct_unary)
def _max_all(ns, a):
    return a.max()


@recipe("MinBackward1", _distinct_unary)
def _min_all(ns, a):
    return a.min()


@recipe("MaxBackward0", with_dim(distinct=True))
def _max_dim(ns, a, dim, keepdim):
    return a.max(dim, keepdim=keepdim)[0]


@recipe("MinBackward0", with_dim(distinct=True))
def _min_dim(ns, a, dim, keepdim):
    return a.min(dim, keepdim=keepdim)[0]


@recipe("AmaxBackward0", with_dim(distinct=True))
def _amax(ns, a, dim, keepdim):
    return a.amax(dim, keepdim=keepdim)


@recipe("AminBackward0", with_dim(distinct=True))
def _amin(ns, a, dim, keepdim):
    return a.amin(dim, keepdim=keepdim)


# ---------------------------------------------------------------------------------------------
# shapes and views


@recipe("ViewBackward0", unary(min_dims=1))
def _view(ns, a):
    return a.view(-1)


def _viewable_non_contiguous(data):
    """A transposed input (both swapped sides >= 2, so not contiguous) and a shape that
    reshape can still give as a view of it: the same shape, or with unit dims inserted."""
    rank = data.draw(st.integers(2, 3))
    shape = tuple(data.draw(st.lists(st.integers(2, MAX_SIDE), min_size=rank,
                                     max_size=rank)))
    dim0, dim1 = data.draw(st.lists(st.integers(0, rank - 1), min_size=2, max_size=2,
                                    unique=True))
    swapped = list(shape)
    swapped[dim0], swapped[dim1] = shape[dim1], shape[dim0]
    for _ in range(data.draw(st.integers(0, 2))):
        swapped.insert(data.draw(st.integers(0, len(swapped))), 1)
    if data.draw(st.booleans()):  # let reshape infer one size
        swapped[data.draw(st.integers(0, len(swapped) - 1))] = -1
    return [array(data, shape)], {"dim0": dim0, "dim1": dim1, "size": tuple(swapped)}


@recipe("ReshapeAliasBackward0", _viewable_non_contiguous)
def _reshape_alias(ns, a, dim0, dim1, size):
    return a.transpose(dim0, dim1).reshape(size)


@recipe("UnsafeViewBackward0", lambda data: (
    [array(data, (2, 2, 3)), array(data, (2, 3, 2))], {}))
def _unsafe_view(ns, a, b):
    return ns.matmul(a, b)  # 3-d @ 3-d: UnsafeView over Bmm


@recipe("AliasBackward0", unary())
def _alias(ns, a):
    return a[...]


@recipe("ToCopyBackward0", unary())
def _to_copy(ns, a):
    # float32 -> float64 is exact; a float64 input is copied without a cast
    return a.to(ns.float64) if a.dtype == ns.float32 else a.to(ns.float64, copy=True)


def _two_dims(data):
    shape = data.draw(shapes(min_dims=2))
    dims = data.draw(st.lists(st.integers(0, len(shape) - 1), min_size=2, max_size=2,
                              unique=True))
    return [array(data, shape)], {"dim0": dims[0], "dim1": dims[1]}


@recipe("TransposeBackward0", _two_dims)
def _transpose(ns, a, dim0, dim1):
    return a.transpose(dim0, dim1)


@recipe("TBackward0", lambda data: ([array(data, data.draw(shapes(2, 2)))], {}))
def _t(ns, a):
    return a.t()


def _permutation(data):
    shape = data.draw(shapes(min_dims=1))
    dims = data.draw(st.permutations(range(len(shape))))
    return [array(data, shape)], {"dims": tuple(dims)}


@recipe("PermuteBackward0", _permutation)
def _permute(ns, a, dims):
    return a.permute(*dims)


def _with_unit_dims(data):
    shape = list(data.draw(shapes(min_dims=0, max_dims=2)))
    unit = sorted(data.draw(st.lists(st.integers(0, len(shape)), min_size=1, max_size=2)))
    for offset, position in enumerate(unit):
        shape.insert(position + offset, 1)
    return [array(data, tuple(shape))], {"dims": tuple(i for i, n in enumerate(shape)
                                                       if n == 1)}


@recipe("SqueezeBackward0", _with_unit_dims)
def _squeeze(ns, a, dims):
    return a.squeeze()


@recipe("SqueezeBackward1", _with_unit_dims)
def _squeeze_dim(ns, a, dims):
    return a.squeeze(dims[0])


@recipe("SqueezeBackward2", _with_unit_dims)
def _squeeze_dims(ns, a, dims):
    return a.squeeze(dims)


@recipe("SqueezeBackward4", lambda data: _matrices("k", "kn")(data))
def _matmul_vector_matrix(ns, a, b):
    # 1-d @ 2-d: matmul squeezes its own result
    return ns.matmul(a, b)


@recipe("UnsqueezeBackward0", lambda data: (
    [array(data, data.draw(shapes()))], {"where": data.draw(st.integers(0, 3))}))
def _unsqueeze(ns, a, where):
    return a.unsqueeze(min(where, a.dim()))


def _expandable(data):
    shape = data.draw(shapes(max_dims=2))
    target = tuple(data.draw(st.integers(1, 3)) if n == 1 else n for n in shape)
    # a 0-d input needs at least one new leading dim: expand() takes a non-empty size
    lead = tuple(data.draw(st.lists(st.integers(1, 3), min_size=0 if shape else 1,
                                    max_size=1)))
    return [array(data, shape)], {"size": lead + target}


@recipe("ExpandBackward0", _expandable)
def _expand(ns, a, size):
    return a.expand(*size)


def _with_index(kind):
    def draw(data):
        shape = data.draw(shapes(min_dims=1))
        first = shape[0]
        if kind == "select":
            key = data.draw(st.integers(-first, first - 1))
        elif kind == "slice":
            start = data.draw(st.integers(0, first - 1))
            key = slice(start, None, data.draw(st.integers(1, 2)))
        else:  # advanced indexing, repeats included
            key = data.draw(st.lists(st.integers(0, first - 1), min_size=1, max_size=4))
        return [array(data, shape)], {"key": key}
    return draw


@recipe("SelectBackward0", _with_index("select"))
def _select(ns, a, key):
    return a[key]


@recipe("SliceBackward0", _with_index("slice"))
def _slice(ns, a, key):
    return a[key]


@recipe("IndexBackward0", _with_index("index"))
def _index(ns, a, key):
    return a[key]


def second_order(first):
    """The gradient of ``sum(first(a) * first(a))``, kept in the graph (create_graph=True).

    The product makes the incoming gradient depend on ``a`` too, so both inputs of a
    ``*BackwardBackward0`` node carry a gradient.
    """
    def build(ns, a, **params):
        y = first(a, **params)
        (grad,) = ns.autograd.grad((y * y).sum(), (a,), create_graph=True)
        return grad
    return build


recipe("SelectBackwardBackward0", _with_index("select"))(
    second_order(lambda a, key: a[key]))
recipe("SliceBackwardBackward0", _with_index("slice"))(
    second_order(lambda a, key: a[key]))
recipe("IndexPutImplBackward0", _with_index("index"))(
    second_order(lambda a, key: a[key]))
recipe("SigmoidBackwardBackward0", unary())(second_order(lambda a: a.sigmoid()))
recipe("TanhBackwardBackward0", unary())(second_order(lambda a: a.tanh()))
recipe("ThresholdBackwardBackward0", unary(NONZERO))(second_order(lambda a: a.relu()))


@recipe("CopyBackwards", binary())
def _grad_of_leaf_with_create_graph(ns, a, b):
    # the first .grad of a leaf under create_graph=True is a CopyBackwards node
    a.grad = None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the reference-cycle warning of create_graph
        (a * a * b).sum().backward(create_graph=True)
    grad, a.grad, b.grad = a.grad, None, None
    return grad


def _joinable(data):
    shape = data.draw(shapes(min_dims=1))
    return ([array(data, shape) for _ in range(data.draw(st.integers(1, 3)))],
            {"dim": data.draw(st.integers(-len(shape), len(shape) - 1))})


@recipe("CatBackward0", _joinable)
def _cat(ns, *tensors, dim):
    return ns.cat(tensors, dim)


@recipe("StackBackward0", _joinable)
def _stack(ns, *tensors, dim):
    return ns.stack(tensors, dim)


def _copy_slices_draw(data):
    # a strict part of the first dim: assigning the whole tensor would be a plain copy
    first = data.draw(st.integers(2, 3))
    shape = (first,) + tuple(data.draw(shapes(max_dims=2)))
    start = data.draw(st.integers(1, first - 1))
    return [array(data, shape), array(data, (first - start,) + shape[1:])], {"start": start}


@recipe("CopySlices", _copy_slices_draw)
def _copy_slices(ns, a, b, start):
    out = a * 1.5
    out[start:] = b
    return out


# ---------------------------------------------------------------------------------------------
# linear algebra


def _matrices(a_shape, b_shape):
    def draw(data):
        m, k, n = (data.draw(st.integers(1, 3)) for _ in range(3))
        sizes = {"m": m, "k": k, "n": n, "b": data.draw(st.integers(1, 2))}
        return ([array(data, tuple(sizes[c] for c in a_shape)),
                 array(data, tuple(sizes[c] for c in b_shape))], {})
    return draw


@recipe("MmBackward0", _matrices("mk", "kn"))
def _mm(ns, a, b):
    return ns.matmul(a, b)


@recipe("MvBackward0", _matrices("mk", "k"))
def _mv(ns, a, b):
    return ns.matmul(a, b)


@recipe("DotBackward0", _matrices("k", "k"))
def _dot(ns, a, b):
    return ns.matmul(a, b)


@recipe("BmmBackward0", _matrices("bmk", "bkn"))
def _bmm(ns, a, b):
    return ns.bmm(a, b)


# ---------------------------------------------------------------------------------------------
# softmax and losses


@recipe("SoftmaxBackward0", with_dim(keepdim=False))
def _softmax(ns, a, dim):
    return a.softmax(dim)


@recipe("LogSoftmaxBackward0", with_dim(keepdim=False))
def _log_softmax(ns, a, dim):
    return a.log_softmax(dim)


REDUCTIONS = st.sampled_from(["none", "mean", "sum"])


def _loss_pair(input_elements, target_elements, weighted=False):
    def draw(data):
        shape = data.draw(shapes(min_dims=1))
        arrays = [array(data, shape, input_elements), array(data, shape, target_elements)]
        params = {"reduction": data.draw(REDUCTIONS)}
        if weighted and data.draw(st.booleans()):
            params["weight"] = array(data, shape[-1:], POSITIVE)
        if weighted == "pos" and data.draw(st.booleans()):
            params["pos_weight"] = array(data, shape[-1:], POSITIVE)
        return arrays, params
    return draw


def _optional(ns, params, name):
    return ns.tensor(params[name]) if name in params else None


@recipe("BinaryCrossEntropyWithLogitsBackward0", _loss_pair(REAL, UNIT, weighted="pos"))
def _bce_with_logits(ns, x, y, reduction, **weights):
    return ns.nn.functional.binary_cross_entropy_with_logits(
        x, y, weight=_optional(ns, weights, "weight"),
        pos_weight=_optional(ns, weights, "pos_weight"), reduction=reduction)


@recipe("BinaryCrossEntropyBackward0", _loss_pair(UNIT, UNIT, weighted=True))
def _bce(ns, p, y, reduction, **weights):
    return ns.nn.functional.binary_cross_entropy(
        p, y, weight=_optional(ns, weights, "weight"), reduction=reduction)


@recipe("MseLossBackward0", _loss_pair(REAL, REAL))
def _mse(ns, x, y, reduction):
    return ns.nn.functional.mse_loss(x, y, reduction=reduction)


def _nll_draw(data):
    n, classes = data.draw(st.integers(1, 3)), data.draw(st.integers(2, 3))
    target = np.array(data.draw(st.lists(st.integers(0, classes - 1), min_size=n,
                                         max_size=n)), dtype=np.int64)
    params = {"target": target, "reduction": data.draw(REDUCTIONS)}
    if data.draw(st.booleans()):
        params["weight"] = array(data, (classes,), POSITIVE)
    return [array(data, (n, classes))], params


@recipe("NllLossBackward0", _nll_draw)
def _nll(ns, logp, target, reduction, **weights):
    return ns.nn.functional.nll_loss(logp, ns.tensor(target),
                                     weight=_optional(ns, weights, "weight"),
                                     reduction=reduction)
