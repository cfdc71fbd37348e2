"""Hypothesis draws for the catalogue's recipes (refgrad's own op tests), over the domains of
:mod:`conformance.opdb.domains`: shapes (broadcasting included), values inside an operand's
domain and away from its kinks, and parameters such as ``dim``.

A draw is ``draw(data) -> (list of float64 arrays, dict of params)``, ``data`` being
hypothesis's ``st.data()``; the dtype is chosen later by the test.
"""
from __future__ import annotations

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from conformance.opdb.domains import ANY, POSITIVE, Domain

MAX_SIDE = 3
REDUCTIONS = st.sampled_from(["none", "mean", "sum"])


def elements(domain: Domain) -> st.SearchStrategy[float]:
    """float64 values of ``domain``: in its interval, signed if it is, off its kinks."""
    values = st.floats(domain.low, domain.high, allow_nan=False, allow_subnormal=False)
    if domain.signed:
        values = st.tuples(values, st.sampled_from([-1.0, 1.0])).map(lambda p: p[0] * p[1])
    if domain.avoid:
        values = values.filter(
            lambda v: all(abs(v - p) > domain.margin for p in domain.avoid))
    return values


def shapes(min_dims=0, max_dims=3, min_side=1):
    return hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=min_side,
                            max_side=MAX_SIDE)


def array(data, shape, domain: Domain = ANY) -> np.ndarray:
    # fill=nothing: every element drawn on its own, not mostly one repeated value
    return data.draw(hnp.arrays(np.float64, shape, elements=elements(domain),
                                fill=st.nothing()))


def distinct_array(data, shape) -> np.ndarray:
    """Values at least 0.1 apart: no ties for max/min, none within finite-difference reach."""
    size = int(np.prod(shape, dtype=np.int64))
    ints = data.draw(st.lists(st.integers(-40, 40), min_size=size, max_size=size,
                              unique=True))
    return (np.array(ints, dtype=np.float64) / 10.0).reshape(shape)


def broadcast_shapes(data) -> list[tuple]:
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


# --------------------------------------------------------------------------------------------
# draws: (arrays, params)


def unary(domain: Domain = ANY, min_dims=0):
    def draw(data):
        return [array(data, data.draw(shapes(min_dims=min_dims)), domain)], {}
    return draw


def binary(first: Domain = ANY, second: Domain = ANY):
    def draw(data):
        a_shape, b_shape = broadcast_shapes(data)
        return [array(data, a_shape, first), array(data, b_shape, second)], {}
    return draw


def with_dim(domain: Domain = ANY, distinct=False, keepdim=True):
    """One array of >= 1 dims and a valid ``dim`` (and ``keepdim``)."""
    def draw(data):
        shape = data.draw(shapes(min_dims=1))
        values = distinct_array(data, shape) if distinct else array(data, shape, domain)
        params = {"dim": data.draw(st.integers(-len(shape), len(shape) - 1))}
        if keepdim:
            params["keepdim"] = data.draw(st.booleans())
        return [values], params
    return draw


def distinct_unary(data):
    return [distinct_array(data, data.draw(shapes(min_dims=0)))], {}


def distinct_pair(data):
    """Two broadcastable arrays with no value shared anywhere: no ties between them."""
    a_shape, b_shape = broadcast_shapes(data)
    a_size = int(np.prod(a_shape, dtype=np.int64))
    values = distinct_array(data, (a_size + int(np.prod(b_shape, dtype=np.int64)),))
    return [values[:a_size].reshape(a_shape), values[a_size:].reshape(b_shape)], {}


def where(data):
    a_shape, b_shape = broadcast_shapes(data)
    full = np.broadcast_shapes(a_shape, b_shape)
    condition = data.draw(hnp.arrays(np.bool_, full))
    return [array(data, a_shape), array(data, b_shape)], {"condition": condition}


def viewable_non_contiguous(data):
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


def fixed(*shapes_):
    """Arrays of fixed shapes."""
    return lambda data: ([array(data, shape) for shape in shapes_], {})


def matrix(data):
    return [array(data, data.draw(shapes(2, 2)))], {}


def two_dims(data):
    shape = data.draw(shapes(min_dims=2))
    dims = data.draw(st.lists(st.integers(0, len(shape) - 1), min_size=2, max_size=2,
                              unique=True))
    return [array(data, shape)], {"dim0": dims[0], "dim1": dims[1]}


def permutation(data):
    shape = data.draw(shapes(min_dims=1))
    dims = data.draw(st.permutations(range(len(shape))))
    return [array(data, shape)], {"dims": tuple(dims)}


def with_unit_dims(data):
    shape = list(data.draw(shapes(min_dims=0, max_dims=2)))
    unit = sorted(data.draw(st.lists(st.integers(0, len(shape)), min_size=1, max_size=2)))
    for offset, position in enumerate(unit):
        shape.insert(position + offset, 1)
    return [array(data, tuple(shape))], {"dims": tuple(i for i, n in enumerate(shape)
                                                       if n == 1)}


def unsqueezable(data):
    return [array(data, data.draw(shapes()))], {"where": data.draw(st.integers(0, 3))}


def expandable(data):
    shape = data.draw(shapes(max_dims=2))
    target = tuple(data.draw(st.integers(1, 3)) if n == 1 else n for n in shape)
    # a 0-d input needs at least one new leading dim: expand() takes a non-empty size
    lead = tuple(data.draw(st.lists(st.integers(1, 3), min_size=0 if shape else 1,
                                    max_size=1)))
    return [array(data, shape)], {"size": lead + target}


def with_index(kind: str):
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


def joinable(data):
    shape = data.draw(shapes(min_dims=1))
    return ([array(data, shape) for _ in range(data.draw(st.integers(1, 3)))],
            {"dim": data.draw(st.integers(-len(shape), len(shape) - 1))})


def copy_slices(data):
    # a strict part of the first dim: assigning the whole tensor would be a plain copy
    first = data.draw(st.integers(2, 3))
    shape = (first,) + tuple(data.draw(shapes(max_dims=2)))
    start = data.draw(st.integers(1, first - 1))
    return [array(data, shape), array(data, (first - start,) + shape[1:])], {"start": start}


def matrices(a_shape: str, b_shape: str):
    """Two arrays whose dims are named by letters: m, k, n (1..3) and b (batch, 1..2)."""
    def draw(data):
        m, k, n = (data.draw(st.integers(1, 3)) for _ in range(3))
        sizes = {"m": m, "k": k, "n": n, "b": data.draw(st.integers(1, 2))}
        return ([array(data, tuple(sizes[c] for c in a_shape)),
                 array(data, tuple(sizes[c] for c in b_shape))], {})
    return draw


def loss_pair(input_domain: Domain, target_domain: Domain, weighted=False):
    def draw(data):
        shape = data.draw(shapes(min_dims=1))
        arrays = [array(data, shape, input_domain), array(data, shape, target_domain)]
        params = {"reduction": data.draw(REDUCTIONS)}
        if weighted and data.draw(st.booleans()):
            params["weight"] = array(data, shape[-1:], POSITIVE)
        if weighted == "pos" and data.draw(st.booleans()):
            params["pos_weight"] = array(data, shape[-1:], POSITIVE)
        return arrays, params
    return draw


def nll(data):
    n, count = data.draw(st.integers(1, 3)), data.draw(st.integers(2, 3))
    target = np.array(data.draw(st.lists(st.integers(0, count - 1), min_size=n,
                                         max_size=n)), dtype=np.int64)
    params = {"target": target, "reduction": data.draw(REDUCTIONS)}
    if data.draw(st.booleans()):
        params["weight"] = array(data, (count,), POSITIVE)
    return [array(data, (n, count))], params
