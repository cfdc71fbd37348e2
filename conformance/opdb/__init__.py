"""The op catalogue (OpInfo-like): one entry per op, from which three users draw.

- The conformance run's op cases (``conformance/cases/ops.py``): one parametrised family over
  every entry's :class:`Family` s (``ops::<family name>[<param ids>]``).
- The fuzzer's op catalogue (``conformance.fuzz.strategies``): every entry with ``fuzz`` set, in
  catalogue order, with its domains, edge values, whether it saves tensors, and (elementwise
  ops) its spelling and value interval.
- refgrad's own op tests (``tests/refgrad/test_vjp.py``): one :class:`Recipe` per node of
  refgrad's derivative table, whose inputs hypothesis draws from the same domains.

An entry (:class:`OpInfo`) names the op, what it needs from a lane (``attribute``), whether its
node saves tensors, the domain of each operand and its edge values
(:mod:`conformance.opdb.domains`: the one domain encoding), its case families, its recipes
and its fuzz spelling. Adding an elementwise function is one :func:`unary` entry in
``elementwise.py``; see the module docs there.

Order matters: the fuzzer's hypothesis draws prefer earlier entries (``add`` first).
"""
from __future__ import annotations

from conformance.opdb import elementwise, layers, nn, statistics, structural
from conformance.opdb.core import (
    DTYPES, NUMPY_DTYPES, Elementwise, Family, OpInfo, Operand, Param, Recipe, shape_id,
    shapes_id,
)
from conformance.opdb.domains import DOMAINS, Domain

OPS: tuple[OpInfo, ...] = (elementwise.OPS + structural.OPS + nn.OPS + layers.OPS
                           + statistics.OPS)
OPS_BY_NAME = {op.name: op for op in OPS}
FAMILIES: dict[str, Family] = {family.name: family for op in OPS for family in op.cases}
RECIPES: dict[str, Recipe] = {recipe.node: recipe for op in OPS for recipe in op.recipes}


def case_instances() -> list[tuple[str, dict, str]]:
    """``(case name, params, param id)`` for every instance of every family, in catalogue
    order; the params name the family (``name``) so that a case can find it again."""
    return [(family.name, {"name": family.name, **params}, param_id)
            for family in FAMILIES.values() for params, param_id in family.instances()]


__all__ = ["DOMAINS", "DTYPES", "Domain", "Elementwise", "FAMILIES", "Family",
           "NUMPY_DTYPES", "OPS", "OPS_BY_NAME", "OpInfo", "Operand", "Param", "RECIPES",
           "Recipe", "case_instances", "shape_id", "shapes_id"]
