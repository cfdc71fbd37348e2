"""The types of the op catalogue: an op (:class:`OpInfo`), its conformance case families
(:class:`Family` over :class:`Operand` s), its refgrad test recipes (:class:`Recipe`) and how the
fuzzer spells it (:class:`Elementwise`).
"""
from __future__ import annotations

import inspect
import itertools
import os
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

from conformance.observe import MissingFeature
from conformance.opdb.domains import ANY, Domain

_CATALOGUE_DIR = os.path.dirname(os.path.abspath(__file__))

DTYPES = ["float32", "float64"]
NUMPY_DTYPES = {"float32": np.float32, "float64": np.float64}


def shape_id(shape: tuple) -> str:
    """``(2, 3)`` -> ``"2x3"``, ``()`` -> ``"scalar"``: readable parameter ids."""
    return "x".join(str(n) for n in shape) if shape else "scalar"


def shapes_id(shapes: tuple) -> str:
    """Several operand shapes: ``((2, 3), (3,))`` -> ``"2x3,3"``."""
    return ",".join(shape_id(s) for s in shapes)


def call_with(fn: Callable, *args, params: dict) -> Any:
    """``fn(*args, **params)`` with only the parameters ``fn`` names (all, given ``**``)."""
    signature = inspect.signature(fn).parameters
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in signature.values()):
        return fn(*args, **params)
    return fn(*args, **{k: v for k, v in params.items() if k in signature})


# --------------------------------------------------------------------------------------------
# conformance cases


@dataclass(frozen=True)
class Operand:
    """One input of a case: a lane tensor of seeded values (key: the case's key + suffix)."""
    name: str                   # its label in the observables: "vjp a"
    shape: tuple
    domain: Domain = ANY
    suffix: str = ""
    grad: bool = True           # a leaf that requires grad; its VJP is observed
    dtype: str | None = None    # None: the case's dtype

    def tensor(self, torch, device, key: str, dtype: str):
        array = self.domain.seeded_array(self.shape, key + self.suffix,
                                         NUMPY_DTYPES[self.dtype or dtype])
        return torch.tensor(np.asarray(array), device=device, requires_grad=self.grad)


@dataclass(frozen=True)
class Param:
    """A case parameter, like ``conformance.case.parametrize``: values and their ids."""
    name: str
    values: list
    ids: list | None = None

    def value_ids(self) -> list[str]:
        return list(self.ids) if self.ids is not None else [str(v) for v in self.values]


@dataclass(frozen=True)
class Family:
    """A conformance case family: one call of the op over parametrised seeded operands.

    Each instance observes the output (value, dtype, shape, grad_fn) and its VJP for every
    operand with ``grad`` (``vjp``), and whatever ``also`` adds.
    """
    name: str                   # the case name: ops::<name>[<param ids>]
    call: Callable              # call(torch, *operand tensors, **params) -> result
    operands: Any               # a tuple of Operands, or operands(**params) -> that tuple
    key: str                    # seeded inputs' key: str.format'ed with dtype and params
    params: tuple = ()          # Params, after the dtype
    dtyped: bool = True         # a "dtype" parameter over DTYPES comes first
    dtypes: Callable | None = None   # (input dtype, VJP dtype) from the params; else dtype
    output: Callable = lambda result: result     # the tensor observed, from the result
    also: Callable | None = None     # also(result, observed, *tensors) -> more observables
    vjp: bool = True

    def instances(self) -> list[tuple[dict, str]]:
        """``(params, param id)`` per case, in parametrize's order and id format."""
        declared = ([Param("dtype", DTYPES)] if self.dtyped else []) + list(self.params)
        combos = itertools.product(*(list(zip(p.values, p.value_ids())) for p in declared))
        return [({p.name: value for p, (value, _) in zip(declared, combo)},
                 "-".join(value_id for _, value_id in combo)) for combo in combos]

    def dtype_pair(self, params: dict) -> tuple[str, str]:
        if self.dtypes is not None:
            return call_with(self.dtypes, params=params)
        dtype = params.get("dtype", "float32")
        return dtype, dtype

    def operands_for(self, params: dict) -> tuple[Operand, ...]:
        if callable(self.operands):
            return call_with(self.operands, params=params)
        return self.operands

    def key_for(self, params: dict, dtype: str) -> str:
        return self.key.format(**{**params, "dtype": dtype})

    def run(self, torch, tensors: list, params: dict):
        try:
            return call_with(self.call, torch, *tensors, params=params)
        except AttributeError as exc:
            missing = _missing_method(exc)
            if missing is None:
                raise
            raise MissingFeature(missing, str(exc)) from exc

    def more(self, result, observed: dict, tensors: list) -> dict:
        return {} if self.also is None else self.also(result, observed, *tensors)


def _missing_method(exc: AttributeError) -> str | None:
    """``Tensor.clamp_min`` when the catalogue's own call asked a target object for a method
    it lacks: a missing feature, as if the case had spelled the call itself. An
    AttributeError raised inside the target is a bug in the target and stays an error."""
    if isinstance(exc, MissingFeature) or getattr(exc, "obj", None) is None:
        return None
    tb = exc.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    if tb is None or os.path.dirname(tb.tb_frame.f_code.co_filename) != _CATALOGUE_DIR:
        return None
    owner = exc.obj.__name__ if isinstance(exc.obj, type) else type(exc.obj).__name__
    return f"{owner}.{exc.name}"


# --------------------------------------------------------------------------------------------
# refgrad's op tests and the fuzzer


@dataclass(frozen=True)
class Recipe:
    """How public, torch-like code reaches one node of refgrad's table, and how hypothesis
    draws its inputs (:mod:`conformance.opdb.draws`)."""
    node: str
    build: Callable             # build(ns, *tensors, **params) -> output tensor
    draw: Callable              # draw(data) -> (list of float64 arrays, dict of params)


@dataclass(frozen=True)
class Elementwise:
    """How the fuzzer spells an elementwise op and bounds its values (intervals are
    ``(lo, hi)`` pairs)."""
    expr: str                   # "torch.exp({0})", "{0} + {1}"
    interval: Callable          # the result's interval from the operands' intervals
    accepts: tuple = ()         # per operand: accept(lo, hi) -> an operand of that range fits
    scalar_exprs: tuple = ()    # forms with a Python number: (expr with {0} and {s}, numbers)


@dataclass(frozen=True)
class OpInfo:
    """One op of the catalogue."""
    name: str
    attribute: str              # what it needs from a lane: "torch.exp", "Tensor.sum"
    saves_tensors: bool         # its node saves tensors: a second backward raises
    domains: tuple = (ANY,)     # the valid domain of each tensor operand
    edges: tuple = ()           # values at its edges: zeros, ties, large logits
    cases: tuple = ()           # Families of the conformance run (area "ops")
    recipes: tuple = ()         # Recipes: one per node of refgrad's table it records
    fuzz: Any = None            # Elementwise; True: the fuzzer has its own builder; None: not
    arity: int = field(default=0)

    @property
    def nodes(self) -> tuple[str, ...]:
        return tuple(r.node for r in self.recipes)

    @property
    def fuzz_arity(self) -> int:
        return self.arity or len(self.domains)


# --------------------------------------------------------------------------------------------
# the usual case families

# Operand shape pairs for binary elementwise ops: equal, trailing broadcast, two-sided
# broadcast, 0-d against n-d, and a rank-3 result.
BINARY_SHAPES = [((3,), (3,)), ((2, 3), (2, 3)), ((2, 3), (3,)), ((2, 1), (1, 3)),
                 ((), (2, 3)), ((4, 1, 3), (2, 1))]
UNARY_SHAPES = [(), (5,), (2, 3), (2, 3, 4)]
SCALAR_SHAPES = [(4,), (2, 3)]          # ops with a Python scalar
SMALL_SHAPES = [(5,), (2, 3)]           # ops that appear less often
REDUCE_SHAPES = [(5,), (2, 3), (2, 3, 4)]


def shape_param(shapes: list, name: str = "shape") -> Param:
    return Param(name, shapes, [shape_id(s) for s in shapes])


def shapes_param(shapes: list) -> Param:
    return Param("shapes", shapes, [shapes_id(s) for s in shapes])


def unary_family(name: str, call: Callable, domain: Domain = ANY, shapes=UNARY_SHAPES,
                 key: str | None = None, also: Callable | None = None) -> Family:
    """``call(torch, a)`` over ``shapes`` and both dtypes; ``a``'s key is the case's."""
    return Family(name, call, lambda shape: (Operand("a", shape, domain),),
                  f"ops/{key or name}/{{shape}}/{{dtype}}", (shape_param(shapes),), also=also)


def binary_family(name: str, call: Callable, domains=(ANY, ANY), names=("a", "b"),
                  shapes=BINARY_SHAPES, key: str | None = None) -> Family:
    """``call(torch, a, b)`` over operand shape pairs (broadcasting) and both dtypes."""
    def operands(shapes):
        return tuple(Operand(n, s, d, "/" + n) for n, s, d in zip(names, shapes, domains))
    return Family(name, call, operands, f"ops/{key or name}/{{shapes}}/{{dtype}}",
                  (shapes_param(shapes),))


def fixed_family(name: str, call: Callable, operands: tuple, key: str | None = None,
                 **options) -> Family:
    """``call`` on operands of fixed shapes, over both dtypes (and ``params``, if given)."""
    return Family(name, call, operands, f"ops/{key or name}//{{dtype}}", **options)


def param_family(name: str, call: Callable, operands, param: Param, key: str | None = None,
                 **options) -> Family:
    """``call`` over the values of one parameter (and both dtypes); the key names the value."""
    return Family(name, call, operands, f"ops/{key or name}/{{{param.name}}}/{{dtype}}",
                  (param,), **options)
