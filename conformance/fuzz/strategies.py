"""Hypothesis strategies for autograd programs over the op catalogue (:mod:`conformance.opdb`).

The fuzzer's catalogue (:data:`OPS`) is every catalogue entry with a fuzz spelling, in the
catalogue's order: how it is spelled on a torch-like namespace, which values are valid for
each operand (its domain), which values sit at its edges (zeros, ties, large logits), and
whether its node saves tensors (so that a second backward without ``retain_graph`` raises).
The strategies build only valid programs: operands are chosen among values that fit the op (by
shape and by a tracked value interval) or made fresh inside the domain, so nothing is generated
and then filtered away.

Draws are arranged so that hypothesis shrinks towards simple programs: fewer steps (each step
and action can be dropped by lowering one draw), fewer actions, operands reused from earlier
values, scalars before tensors, domain values before edge values, the first op of
:data:`OPS` (``add``) before the others.
"""
from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
from hypothesis import strategies as st

from conformance import opdb
from conformance.fuzz.program import Action, Leaf, Program, Step
from conformance.opdb.elementwise import TIES as _TIES

# Values anywhere in a program stay within this magnitude, so float32 tolerances stay sane.
MAGNITUDE_LIMIT = 1e3
MAX_NUMEL = 48
GRID = 4096  # domain values are lo + (hi - lo) * k / GRID: exact in float32, shrink to lo

# Valid input domains (conformance.opdb.domains): the interval fresh operands are drawn from,
# and which edge values an operand's domain admits (division by an edge zero is not an edge).
DOMAINS = {domain.name: (domain.low, domain.high) for domain in opdb.DOMAINS}
_IN_DOMAIN = {domain.name: domain.admits for domain in opdb.DOMAINS}


@dataclass
class Value:
    """What the generator knows about a value while it builds a program."""
    name: str
    shape: tuple[int, ...]
    lo: float
    hi: float
    grad: bool              # requires grad
    is_leaf: bool
    sources: frozenset = frozenset()   # the grad leaves it depends on differentiably
    dtype: str = "float32"

    @property
    def numel(self) -> int:
        return math.prod(self.shape)

    @property
    def bound(self) -> float:
        return max(abs(self.lo), abs(self.hi))


@dataclass(frozen=True)
class OpSpec:
    name: str
    arity: int
    attribute: str                   # what it needs from the lane: "torch.exp", "Tensor.sum"
    saves_tensors: bool              # its node saves tensors: a 2nd backward raises
    domains: tuple[str, ...]         # valid domain of each tensor operand
    edges: tuple[float, ...]         # values at the op's edges
    build: Callable = field(repr=False, compare=False)   # (builder, spec) -> Step


# --------------------------------------------------------------------------------------------
# The builder: the state of one program while it is drawn
# --------------------------------------------------------------------------------------------


class _Builder:
    def __init__(self, draw, dtype: str, edges: bool):
        self.draw = draw
        self.dtype = dtype
        self.edges = edges
        self.nodes: list = []
        self.pool: list[Value] = []     # float values usable as operands, oldest first
        self.counts = {"x": 0, "c": 0, "v": 0}

    def save(self) -> tuple:
        return len(self.nodes), len(self.pool), dict(self.counts)

    def restore(self, saved: tuple) -> None:
        """Forget what was built since :meth:`save` (a dropped step or action)."""
        nodes, pool, counts = saved
        del self.nodes[nodes:]
        del self.pool[pool:]
        self.counts = counts

    def _name(self, prefix: str) -> str:
        name = f"{prefix}{self.counts[prefix]}"
        self.counts[prefix] += 1
        return name

    # -- leaves ----------------------------------------------------------------------------

    def values(self, shape, domain: str, edges: tuple[float, ...] = ()) -> list[float]:
        """Values for a fresh operand: inside the domain, or (edge programs) at the edges."""
        numel = math.prod(shape)
        lo, hi = DOMAINS[domain]
        edges = tuple(v for v in edges if _IN_DOMAIN[domain](v))
        out = []
        for i in range(numel):
            # Edge programs put the first element, and most others, on the op's edges.
            if self.edges and edges and (i == 0 or self.draw(st.integers(0, 3)) != 0):
                out.append(self.draw(st.sampled_from(edges)))
            else:
                out.append(lo + (hi - lo) * self.draw(st.integers(0, GRID)) / GRID)
        if domain == "nonzero":
            sign = self.draw(st.sampled_from([1.0, -1.0]))
            out = [sign * v for v in out]
        return out

    def leaf(self, shape, domain="any", edges=(), requires_grad=None, pooled=True,
             dtype=None) -> Value:
        if requires_grad is None:
            # The program's first leaf requires grad; later ones mostly do.
            requires_grad = (not any(v.grad for v in self.pool)
                             or self.draw(st.integers(0, 4)) != 4)
        if dtype is None:
            # Now and then an operand of the other float dtype: promotion, and gradients
            # that must come back in each leaf's own dtype.
            other = "float64" if self.dtype == "float32" else "float32"
            dtype = other if self.draw(st.integers(0, 7)) == 7 else self.dtype
        flat = self.values(shape, domain, edges)
        name = self._name("x" if requires_grad else "c")
        self.nodes.append(Leaf(name, tuple(shape), tuple(flat), dtype, requires_grad))
        value = Value(name, tuple(shape), min(flat, default=0.0), max(flat, default=0.0),
                      requires_grad, True, frozenset([name]) if requires_grad else frozenset(),
                      dtype)
        if pooled:
            self.pool.append(value)
        return value

    def constant(self, shape, domain="any", edges=(), dtype=None) -> Value:
        """A constant that is not an operand candidate (gradients, weights, targets), in
        ``dtype`` (the program's by default)."""
        return self.leaf(shape, domain, edges, requires_grad=False, pooled=False,
                         dtype=dtype or self.dtype)

    def mask(self, shape) -> str:
        flat = tuple(self.draw(st.booleans()) for _ in range(math.prod(shape)))
        name = self._name("c")
        self.nodes.append(Leaf(name, tuple(shape), flat, "bool", False))
        return name

    # -- operands --------------------------------------------------------------------------

    def operand(self, spec: OpSpec, position: int, accept: Callable[[Value], bool],
                fresh_shape: Callable[[], tuple], dtype: str | None = None) -> Value:
        """An operand that fits: a value already in the program, or fresh. ``dtype``
        restricts it to one dtype (ops that do not promote).

        Values are counted from the program's start, so that dropping a step after the
        operand (while shrinking) leaves the reference alone."""
        candidates = [v for v in self.pool if accept(v) and dtype in (None, v.dtype)]
        if candidates and self.draw(st.integers(0, 3)) != 3:
            return candidates[self.draw(st.integers(0, len(candidates) - 1))]
        return self.leaf(fresh_shape(), spec.domains[position], spec.edges, dtype=dtype)

    def shape(self, min_rank=0, max_rank=3) -> tuple[int, ...]:
        rank = self.draw(st.integers(min_rank, max_rank))
        top = 4 if rank <= 2 else 3
        return tuple(self.draw(st.integers(1, top)) for _ in range(rank))

    def broadcast_partner(self, shape) -> tuple[int, ...]:
        """A shape that broadcasts with ``shape``: the same, a suffix, some dims set to 1,
        or one more leading dim."""
        mode = self.draw(st.integers(0, 3))
        if mode == 0 or not shape and mode != 3:
            return tuple(shape)
        if mode == 1:
            return tuple(shape[self.draw(st.integers(1, len(shape))):])
        if mode == 2:
            return tuple(1 if self.draw(st.booleans()) else d for d in shape)
        if len(shape) < 3 and math.prod(shape) * 2 <= MAX_NUMEL:
            return (2,) + tuple(shape)
        return tuple(shape)

    def dim(self, rank: int) -> int:
        """A dimension index, negative as often as positive."""
        d = self.draw(st.integers(0, rank - 1))
        return d - rank if self.draw(st.booleans()) else d

    def add_step(self, spec: OpSpec, expr: str, args: list[Value], shape, lo, hi,
                 grad_possible: bool = True) -> Value:
        no_grad = self.draw(st.integers(0, 9)) == 9
        grad = grad_possible and not no_grad and any(a.grad for a in args)
        name = self._name("v")
        self.nodes.append(Step(name, spec.name, expr, tuple(a.name for a in args), no_grad))
        sources = frozenset().union(*(a.sources for a in args)) if grad else frozenset()
        # float64 wins type promotion between the two float dtypes, but a 0-d tensor only
        # takes part when every operand is 0-d (torch's promotion rule for dimensions)
        floats = [a for a in args if a.dtype in ("float32", "float64")]
        ranked = [a for a in floats if a.shape] or floats
        dtype = "float64" if any(a.dtype == "float64" for a in ranked) else "float32"
        value = Value(name, tuple(shape), float(lo), float(hi), grad, False, sources, dtype)
        self.pool.append(value)
        return value


def _fits(lo: float, hi: float) -> bool:
    return -MAGNITUDE_LIMIT <= lo <= hi <= MAGNITUDE_LIMIT


def _broadcast(a, b):
    try:
        shape = np.broadcast_shapes(a, b)
    except ValueError:
        return None
    return shape if math.prod(shape) <= MAX_NUMEL else None


# --------------------------------------------------------------------------------------------
# Op builders
# --------------------------------------------------------------------------------------------


def _accepts(form: opdb.Elementwise, position: int) -> Callable[[Value], bool]:
    accept = form.accepts[position] if position < len(form.accepts) else None
    return (lambda v: True) if accept is None else (lambda v: accept(v.lo, v.hi))


def _unary(form: opdb.Elementwise):
    accept = _accepts(form, 0)

    def build(b: _Builder, spec: OpSpec):
        x = b.operand(spec, 0, accept, b.shape)
        lo, hi = form.interval(x.lo, x.hi)
        return b.add_step(spec, form.expr, [x], x.shape, lo, hi)
    return build


def _positive(v: Value) -> bool:
    return opdb.elementwise.positive(v.lo, v.hi)


def _binary(form: opdb.Elementwise):
    """``form.expr`` with two tensor operands that broadcast; ``form.scalar_exprs`` are the
    forms with a Python number: (expr with ``{0}`` and ``{s}``, the numbers to use)."""
    expr, scalar_exprs = form.expr, form.scalar_exprs
    first_ok, second_ok = _accepts(form, 0), _accepts(form, 1)

    def interval(x: Value, y: Value) -> tuple[float, float]:
        return form.interval((x.lo, x.hi), (y.lo, y.hi))

    def build(b: _Builder, spec: OpSpec):
        x = b.operand(spec, 0, first_ok, b.shape)
        if scalar_exprs and b.draw(st.integers(0, 4)) == 4:
            form, scalars = b.draw(st.sampled_from(scalar_exprs))
            s = b.draw(st.sampled_from(scalars))
            const = Value(repr(s), (), s, s, False, True, dtype="python")
            lo, hi = interval(const, x) if form.startswith("{s}") else interval(x, const)
            return b.add_step(spec, form.replace("{s}", repr(s)), [x], x.shape, lo, hi)

        def accept(v):
            return (second_ok(v) and _broadcast(x.shape, v.shape) is not None
                    and _fits(*interval(x, v)))
        y = b.operand(spec, 1, accept, lambda: b.broadcast_partner(x.shape))
        lo, hi = interval(x, y)   # a fresh partner may pass the limit a little: accepted
        return b.add_step(spec, expr, [x, y], _broadcast(x.shape, y.shape), lo, hi)
    return build


def _build_pow(b: _Builder, spec: OpSpec):
    exponent = b.draw(st.sampled_from([2.0, 3.0, 0.5, -1.0, 1.5, -0.5, 1.0, 0.0]))
    integral = float(exponent).is_integer() and exponent >= 0

    def accept(v):
        if not integral and not _positive(v):
            return False
        lo, hi = _pow_scalar_iv(v, exponent)
        return _fits(lo, hi)
    x = b.operand(spec, 0 if integral else 1, accept, b.shape)
    lo, hi = _pow_scalar_iv(x, exponent)
    return b.add_step(spec, "{0} ** " + repr(exponent), [x], x.shape, lo, hi)


def _pow_scalar_iv(v: Value, p: float):
    if p == 0.0:
        return 1.0, 1.0
    if v.lo <= 0 <= v.hi:
        if p == 2.0:
            return 0.0, v.bound ** 2
        return -(v.bound ** p), v.bound ** p
    corners = [v.lo ** p, v.hi ** p]
    if v.lo < 0:  # integral powers of negatives: stay conservative
        return -(v.bound ** p), v.bound ** p
    return min(corners), max(corners)


def _build_pow_tensor(b: _Builder, spec: OpSpec):
    base = b.operand(spec, 0, lambda v: _positive(v) and v.hi <= 4.0, b.shape)

    def accept(v):
        return (v.bound <= 2.0 and _broadcast(base.shape, v.shape) is not None)
    exponent = b.operand(spec, 1, accept, lambda: b.broadcast_partner(base.shape))
    if _broadcast(base.shape, exponent.shape) is None or exponent.bound > 2.0:
        exponent = b.leaf(base.shape, "any")
    lo, hi = opdb.elementwise.power_interval((base.lo, base.hi), (exponent.lo, exponent.hi))
    return b.add_step(spec, "torch.pow({0}, {1})", [base, exponent],
                      _broadcast(base.shape, exponent.shape), lo, hi)


def _build_clamp(b: _Builder, spec: OpSpec):
    x = b.operand(spec, 0, lambda v: True, b.shape)
    lo_bound = b.draw(st.sampled_from([None, -1.0, -0.5, 0.0, 0.5]))
    hi_bound = b.draw(st.sampled_from([None, 1.0, 0.5, 0.0]))
    if lo_bound is not None and hi_bound is not None and hi_bound < lo_bound:
        hi_bound = None
    if lo_bound is None and hi_bound is None:
        lo_bound = 0.0
    args = "".join(f", {k}={v!r}" for k, v in (("min", lo_bound), ("max", hi_bound))
                   if v is not None)
    lo = x.lo if lo_bound is None else max(x.lo, lo_bound)
    hi = x.hi if hi_bound is None else min(x.hi, hi_bound)
    lo = min(lo, hi_bound) if hi_bound is not None else lo
    hi = max(hi, lo_bound) if lo_bound is not None else hi
    return b.add_step(spec, "torch.clamp({0}" + args + ")", [x], x.shape, lo, hi)


def _build_where(b: _Builder, spec: OpSpec):
    x = b.operand(spec, 0, lambda v: True, b.shape)
    y = b.operand(spec, 1, lambda v: _broadcast(x.shape, v.shape) is not None,
                  lambda: b.broadcast_partner(x.shape))
    shape = _broadcast(x.shape, y.shape)
    if shape is None:
        y, shape = x, x.shape
    mask = b.mask(shape if b.draw(st.booleans()) else x.shape)
    mask_value = Value(mask, (), 0, 0, False, True, dtype="bool")
    return b.add_step(spec, "torch.where({0}, {1}, {2})", [mask_value, x, y], shape,
                      min(x.lo, y.lo), max(x.hi, y.hi))


def _reduction(method: str, is_sum: bool = False, picks: bool = False):
    def build(b: _Builder, spec: OpSpec):
        x = b.operand(spec, 0, lambda v: True, b.shape)
        if x.shape and b.draw(st.booleans()):
            dim = b.dim(len(x.shape))
            keepdim = b.draw(st.booleans())
            shape = list(x.shape)
            if keepdim:
                shape[dim] = 1
            else:
                del shape[dim]
            n = x.shape[dim]
            suffix = "[0]" if picks else ""
            expr = f"{{0}}.{method}(dim={dim}, keepdim={keepdim}){suffix}"
        else:
            n, shape = x.numel, ()
            expr = f"{{0}}.{method}()"
        lo, hi = x.lo, x.hi
        if is_sum:
            lo, hi = min(x.lo * n, x.lo), max(x.hi * n, x.hi)
        return b.add_step(spec, expr, [x], shape, lo, hi)
    return build


def _matmul_partner_shapes(shape):
    """The right operand's shapes that fit a left operand of ``shape`` (k = inner dim)."""
    k = shape[-1]
    if len(shape) == 1:
        return [(k,), (k, 1), (k, 2), (k, 3)]
    if len(shape) == 2:
        return [(k,), (k, 1), (k, 2), (k, 3)]
    return [(k, 2), (k, 3), (shape[0], k, 2)]


def _build_matmul(b: _Builder, spec: OpSpec):
    x = b.operand(spec, 0, lambda v: 1 <= len(v.shape) <= 3, lambda: b.shape(1, 3))
    fits = _matmul_partner_shapes(x.shape)
    k = x.shape[-1]

    def accept(v):
        return v.shape in fits and _fits(-k * x.bound * v.bound, k * x.bound * v.bound)
    y = b.operand(spec, 1, accept, lambda: b.draw(st.sampled_from(fits)), dtype=x.dtype)
    if not accept(y):
        y = b.leaf(fits[0], "any", dtype=x.dtype)
    out = np.matmul(np.zeros(x.shape), np.zeros(y.shape)).shape
    bound = k * x.bound * y.bound
    form = b.draw(st.sampled_from(["{0} @ {1}", "torch.matmul({0}, {1})"]))
    return b.add_step(spec, form, [x, y], out, -bound, bound)


def _build_transpose(b: _Builder, spec: OpSpec):
    x = b.operand(spec, 0, lambda v: len(v.shape) >= 2, lambda: b.shape(2, 3))
    rank = len(x.shape)
    if rank == 2 and b.draw(st.booleans()):
        return b.add_step(spec, "{0}.t()", [x], x.shape[::-1], x.lo, x.hi)
    d0 = b.dim(rank)
    d1 = b.dim(rank)
    shape = list(x.shape)
    shape[d0], shape[d1] = shape[d1], shape[d0]
    return b.add_step(spec, f"{{0}}.transpose({d0}, {d1})", [x], shape, x.lo, x.hi)


def _factorisations(n: int) -> list[tuple[int, ...]]:
    out = [()] if n == 1 else []
    for rank in (1, 2, 3):
        for dims in itertools.product(range(1, n + 1), repeat=rank):
            if math.prod(dims) == n:
                out.append(dims)
    return out


def _build_reshape(b: _Builder, spec: OpSpec):
    x = b.operand(spec, 0, lambda v: v.numel <= 24, b.shape)
    shapes = _factorisations(x.numel)
    shape = b.draw(st.sampled_from(shapes))
    if shape and b.draw(st.integers(0, 3)) == 3:
        spelled = list(shape)
        spelled[b.draw(st.integers(0, len(shape) - 1))] = -1   # let reshape infer one dim
        return b.add_step(spec, f"{{0}}.reshape({tuple(spelled)!r})", [x], shape, x.lo, x.hi)
    return b.add_step(spec, f"{{0}}.reshape({shape!r})", [x], shape, x.lo, x.hi)


def _build_squeeze(b: _Builder, spec: OpSpec):
    def fresh():
        shape = list(b.shape(1, 3))
        shape[b.draw(st.integers(0, len(shape) - 1))] = 1
        return tuple(shape)
    x = b.operand(spec, 0, lambda v: 1 in v.shape, fresh)
    if b.draw(st.booleans()):
        return b.add_step(spec, "{0}.squeeze()", [x], tuple(d for d in x.shape if d != 1),
                          x.lo, x.hi)
    ones = [i for i, d in enumerate(x.shape) if d == 1]
    dim = b.draw(st.sampled_from(ones))
    shape = x.shape[:dim] + x.shape[dim + 1:]
    return b.add_step(spec, f"{{0}}.squeeze({dim})", [x], shape, x.lo, x.hi)


def _build_unsqueeze(b: _Builder, spec: OpSpec):
    x = b.operand(spec, 0, lambda v: len(v.shape) <= 2, lambda: b.shape(0, 2))
    dim = b.draw(st.integers(-(len(x.shape) + 1), len(x.shape)))
    position = dim if dim >= 0 else dim + len(x.shape) + 1
    shape = x.shape[:position] + (1,) + x.shape[position:]
    return b.add_step(spec, f"{{0}}.unsqueeze({dim})", [x], shape, x.lo, x.hi)


def _build_expand(b: _Builder, spec: OpSpec):
    def fresh():
        return tuple(1 if b.draw(st.booleans()) else d for d in b.shape(0, 2))
    x = b.operand(spec, 0, lambda v: len(v.shape) < 3 or 1 in v.shape, fresh)
    shape = [b.draw(st.integers(1, 3)) if d == 1 else d for d in x.shape]
    if len(shape) < 3 and b.draw(st.booleans()):
        shape.insert(0, b.draw(st.integers(1, 3)))
    if math.prod(shape) > MAX_NUMEL:
        shape = list(x.shape)
    if not shape:
        shape = [b.draw(st.integers(1, 3))]
    spelled = tuple(shape)
    if len(shape) > len(x.shape) and b.draw(st.booleans()):
        # -1 keeps an existing size
        spelled = tuple(shape[:len(shape) - len(x.shape)]) + tuple(
            -1 if d == s else d for d, s in zip(shape[len(shape) - len(x.shape):], x.shape))
    sizes = ", ".join(str(d) for d in spelled)
    return b.add_step(spec, f"{{0}}.expand({sizes})", [x], tuple(shape), x.lo, x.hi)


def _build_detach(b: _Builder, spec: OpSpec):
    x = b.operand(spec, 0, lambda v: True, b.shape)
    return b.add_step(spec, "{0}.detach()", [x], x.shape, x.lo, x.hi, grad_possible=False)


def _build_softmax(log: bool):
    def build(b: _Builder, spec: OpSpec):
        x = b.operand(spec, 0, lambda v: len(v.shape) >= 1, lambda: b.shape(1, 3))
        dim = b.dim(len(x.shape))
        name = "log_softmax" if log else "softmax"
        form = b.draw(st.sampled_from([f"torch.{name}({{0}}, dim={dim})",
                                       f"torch.nn.functional.{name}({{0}}, dim={dim})"]))
        if log:
            lo, hi = x.lo - x.hi - math.log(x.shape[dim]), 0.0
        else:
            lo, hi = 0.0, 1.0
        return b.add_step(spec, form, [x], x.shape, lo, hi)
    return build


def _loss_shape(reduction: str, shape):
    return shape if reduction == "none" else ()


def _build_bce_logits(b: _Builder, spec: OpSpec):
    x = b.operand(spec, 0, lambda v: True, b.shape)
    target = b.constant(x.shape, "probability", (0.0, 1.0), dtype=x.dtype)
    reduction = b.draw(st.sampled_from(["mean", "sum", "none"]))
    extra = ""
    if x.shape and b.draw(st.integers(0, 3)) == 3:
        weight = b.constant(x.shape[-1:], "positive", dtype=x.dtype)
        extra = f", pos_weight={weight.name}"
    bound = (x.bound + 1.0) * (x.numel if reduction == "sum" else 1) * (2.0 if extra else 1.0)
    expr = ("torch.nn.functional.binary_cross_entropy_with_logits({0}, {1}, "
            f"reduction={reduction!r}{extra})")
    return b.add_step(spec, expr, [x, target], _loss_shape(reduction, x.shape), 0.0, bound)


def _build_mse(b: _Builder, spec: OpSpec):
    x = b.operand(spec, 0, lambda v: v.bound <= 30, b.shape)
    y = b.operand(spec, 1, lambda v: v.shape == x.shape and v.bound <= 30,
                  lambda: x.shape, dtype=x.dtype)
    if y.shape != x.shape:
        y = x
    reduction = b.draw(st.sampled_from(["mean", "sum", "none"]))
    bound = (x.bound + y.bound) ** 2 * (x.numel if reduction == "sum" else 1)
    expr = f"torch.nn.functional.mse_loss({{0}}, {{1}}, reduction={reduction!r})"
    return b.add_step(spec, expr, [x, y], _loss_shape(reduction, x.shape), 0.0, bound)


# The builders of the ops that are not plain elementwise functions, by catalogue name.
_BUILDERS = {
    "pow": _build_pow, "pow_tensor": _build_pow_tensor, "clamp": _build_clamp,
    "where": _build_where, "sum": _reduction("sum", is_sum=True), "mean": _reduction("mean"),
    "max": _reduction("max", picks=True), "min": _reduction("min", picks=True),
    "matmul": _build_matmul, "transpose": _build_transpose, "reshape": _build_reshape,
    "squeeze": _build_squeeze, "unsqueeze": _build_unsqueeze, "expand": _build_expand,
    "detach": _build_detach, "softmax": _build_softmax(False),
    "log_softmax": _build_softmax(True), "bce_with_logits": _build_bce_logits,
    "mse_loss": _build_mse,
}


def _spec(op: opdb.OpInfo) -> OpSpec:
    if isinstance(op.fuzz, opdb.Elementwise):
        build = (_unary if op.fuzz_arity == 1 else _binary)(op.fuzz)
    else:
        build = _BUILDERS[op.name]
    return OpSpec(op.name, op.fuzz_arity, op.attribute, op.saves_tensors,
                  tuple(d.name for d in op.domains), tuple(op.edges), build)


# The catalogue. Order matters for shrinking: hypothesis prefers earlier entries.
OPS: tuple[OpSpec, ...] = tuple(_spec(op) for op in opdb.OPS if op.fuzz)
OPS_BY_NAME = {spec.name: spec for spec in OPS}


# --------------------------------------------------------------------------------------------
# Actions
# --------------------------------------------------------------------------------------------

ACTION_KINDS = ("backward", "grad", "second_order", "zero_grad", "grad_none", "jvp")


def _root(b: _Builder) -> Value:
    """The value an action differentiates: the latest value that requires grad, usually
    (a leaf when every step was dropped)."""
    if not b.pool:
        b.leaf(b.shape(), edges=_TIES, requires_grad=True)
    steps = [v for v in b.pool if not v.is_leaf] or b.pool
    candidates = [v for v in steps if v.grad] or steps
    return candidates[-1 - b.draw(st.integers(0, len(candidates) - 1))]


def _grad_outputs(b: _Builder, root: Value, optional_for_scalar=True) -> str | None:
    """A ``gradient``/``grad_outputs`` constant: needed for non-scalar roots (and omitted
    now and then, which must raise), optional for scalars."""
    if root.shape:
        if b.draw(st.integers(0, 9)) == 9:
            return None
        return b.constant(root.shape, "any", dtype=root.dtype).name
    if optional_for_scalar and b.draw(st.integers(0, 3)) == 3:
        return b.constant((), "any", dtype=root.dtype).name
    return None


def _action(b: _Builder, kind: str, grad_leaves: list[Value]) -> Action:
    if kind in ("zero_grad", "grad_none"):
        leaf = b.draw(st.sampled_from(grad_leaves))
        return Action(kind, inputs=(leaf.name,))
    root = _root(b)
    gradient = _grad_outputs(b, root)
    retain = b.draw(st.sampled_from([None, True, False]))
    if kind == "backward":
        return Action("backward", root=root.name, gradient=gradient, retain_graph=retain)
    # The first input is one the root depends on (when there is one); the others are any,
    # so that unused inputs (allow_unused) come up too.
    used = [v for v in grad_leaves if v.name in root.sources] or grad_leaves
    first = b.draw(st.sampled_from(used))
    others = [v for v in grad_leaves if v is not first and b.draw(st.integers(0, 2)) == 2]
    inputs = tuple(v.name for v in [first] + others)
    if kind == "jvp":           # forward mode: a tangent for the first input
        tangent = b.constant(first.shape, "any", dtype=first.dtype).name
        return Action("jvp", root=root.name, inputs=(first.name,), weight=tangent)
    if kind == "grad":
        allow_unused = b.draw(st.sampled_from([None, True, False]))
        return Action("grad", root=root.name, gradient=gradient, inputs=inputs,
                      retain_graph=retain, allow_unused=allow_unused)
    weight = b.constant(first.shape, "any", dtype=first.dtype).name
    second = b.draw(st.sampled_from(["backward", "grad"]))
    return Action("second_order", root=root.name, gradient=gradient, inputs=inputs,
                  retain_graph=True, weight=weight, second=second)


# --------------------------------------------------------------------------------------------
# Public strategies
# --------------------------------------------------------------------------------------------


def dtypes() -> st.SearchStrategy[str]:
    return st.sampled_from(["float32", "float64"])


@st.composite
def programs(draw, max_steps: int = 6, max_actions: int = 4, edges: bool | None = None,
             ops: tuple[str, ...] | None = None) -> Program:
    """Autograd programs: 1..max_steps ops on fresh leaves, then 1..max_actions actions.

    ``edges`` True draws fresh operands at the ops' edges (zeros, ties, large logits), False
    inside their domains, None lets the program choose (one in four at the edges). ``ops``
    restricts the catalogue (names of :data:`OPS`).
    """
    catalogue = OPS if ops is None else tuple(OPS_BY_NAME[n] for n in ops)
    dtype = draw(dtypes())
    at_edges = draw(st.integers(0, 3)) == 3 if edges is None else edges
    b = _Builder(draw, dtype, at_edges)
    count = 0
    while count < max_steps and draw(_one_step(b, catalogue, first=count == 0)):
        count += 1

    grad_leaves = [v for v in b.pool if v.is_leaf and v.grad]
    actions: list[Action] = []
    drawn = 0
    while drawn < max_actions:
        action = draw(_one_action(b, grad_leaves, first=drawn == 0, leading=not actions))
        if action is None:
            break
        drawn += 1
        if action:
            actions.append(action)
    if not actions:       # every action was dropped: differentiate the latest value
        actions.append(_action(b, "backward", grad_leaves))
    return Program(dtype, tuple(b.nodes), tuple(actions), at_edges)


# Each step and each action has a "keep" draw that the shrinker can lower to 0, which drops
# it: its choices are still drawn (so the steps after it keep their choices), but what it
# built is rolled back. That is how a step in the middle of a program goes away; hypothesis
# does not delete a span of many choices by itself. One in ten is dropped while generating.

def _one_step(b: _Builder, catalogue, first: bool) -> st.SearchStrategy[bool]:
    @st.composite
    def step(draw) -> bool:
        if not first and draw(st.integers(0, 4)) == 0:
            return False
        keep = draw(st.integers(0, 9)) != 0
        saved = b.save()
        spec = draw(st.sampled_from(catalogue))
        spec.build(b, spec)
        if not keep:
            b.restore(saved)
        return True
    return step()


def _one_action(b: _Builder, grad_leaves: list[Value], first: bool, leading: bool):
    """``first``: the first action drawn (no "one more?" draw); ``leading``: no action kept
    yet, so it must compute gradients (zero_grad/grad_none come later)."""
    @st.composite
    def action(draw) -> Action | None | bool:
        if not first and draw(st.integers(0, 2)) == 0:
            return None
        keep = draw(st.integers(0, 9)) != 0
        saved = b.save()
        kinds = ACTION_KINDS[:3] if leading else ACTION_KINDS
        if not grad_leaves:       # nothing requires grad: backward, and its error
            kinds = ("backward",)
        made = _action(b, draw(st.sampled_from(kinds)), grad_leaves)
        if not keep:
            b.restore(saved)
            return False
        return made
    return action()
