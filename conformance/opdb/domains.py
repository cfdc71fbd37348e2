"""Input domains: the one encoding of which values an operand takes, shared by the op cases,
the fuzzer and refgrad's own op tests.

A domain is named by what it is for. It says

- which values are valid at all (``admits``: log takes any positive number, an edge value such
  as 0.001 included);
- the comfortable interval fresh values are drawn from (``low``, ``high``; ``signed`` gives
  them a random sign): away from the edges, so that finite differences and float32 stay sane;
- points to keep away from (``avoid``: kinks and ties such as clamp's bounds);
- how a conformance case draws its seeded values (``seeded``): a standard normal where it is
  None, else uniform in that interval. The cases' numbers are part of their identity (the
  seeded keys of ``conformance.inputs``), so they keep their own interval.

The hypothesis strategies over a domain live in :mod:`conformance.opdb.draws`; the fuzzer reads
``low``, ``high`` and ``admits`` (:mod:`conformance.fuzz.strategies`).
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Callable

import numpy as np

from conformance import inputs


@dataclass(frozen=True)
class Domain:
    name: str
    low: float
    high: float
    admits: Callable[[float], bool] = field(default=lambda v: True, compare=False)
    signed: bool = False
    seeded: tuple[float, float] | None = None
    avoid: tuple[float, ...] = ()
    margin: float = 0.05
    kind: str = "float"       # "float"; "mask" (bool), "labels" (0./1.), "integers"

    def away_from(self, *points: float) -> Domain:
        """The same domain, ``margin`` away from ``points`` too."""
        return replace(self, avoid=self.avoid + tuple(points))

    def seeded_array(self, shape, key: str, dtype) -> np.ndarray:
        """A case's seeded values for an operand of ``shape`` (``dtype``: a NumPy float)."""
        if self.kind == "mask":
            return inputs.randn(shape, key) > 0
        if self.kind == "labels":
            return (inputs.randn(shape, key) > 0).astype(dtype)
        if self.kind == "integers":
            return inputs.integers(shape, key, high=int(self.high))
        if self.seeded is None:
            return inputs.randn(shape, key, dtype)
        return inputs.uniform(shape, key, dtype, *self.seeded)


ANY = Domain("any", -2.0, 2.0)
POSITIVE = Domain("positive", 0.5, 2.0, admits=lambda v: v > 0, seeded=(0.5, 1.5))
# divisors, kinks at 0 (abs, sign, relu): either sign, never near 0; a case's seeded values
# are the positive half
NONZERO = Domain("nonzero", 0.5, 2.0, admits=lambda v: v != 0, signed=True,
                 seeded=(0.5, 1.5))
UNIT = Domain("unit", 0.05, 0.95, admits=lambda v: 0 < v < 1, seeded=(0.05, 0.95))
PROBABILITY = Domain("probability", 0.0, 1.0, admits=lambda v: 0 <= v <= 1, seeded=(0.0, 1.0))
# floor, round, sign: away from integers and halves, where they jump
OFF_STEP = Domain("off_step", -2.9, 2.9, seeded=(-2.9, 2.9),
                  avoid=tuple(k / 2 for k in range(-6, 7)))
MASK = Domain("mask", 0.0, 1.0, kind="mask")
LABELS = Domain("labels", 0.0, 1.0, kind="labels")       # BCE targets that are 0 or 1


def classes(count: int) -> Domain:
    """Class indices (or row indices) in ``range(count)``."""
    return Domain(f"classes<{count}", 0.0, float(count), kind="integers")


DOMAINS = (ANY, POSITIVE, NONZERO, UNIT, PROBABILITY, OFF_STEP)
