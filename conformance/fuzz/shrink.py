"""Shrinking a diverging program: the smallest program Hypothesis finds that still diverges
the same way (the same kind of observable diverges first) on the same lane pair.

Every candidate runs through the executor like any program, so one that hangs or crashes is
a candidate that does not diverge, never a stalled or ended campaign.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field

from conformance.fuzz import progress
from conformance.fuzz.oracle import ProgramWork, divergence_category
from conformance.fuzz.profiles import Profile, minimal_example, program_strategy
from conformance.fuzz.program import Program
from conformance.pair_records import records_for
from conformance.records import Record, Status


@dataclass
class Outcome:
    """One program run on the lanes: its plain observations and per-lane seconds."""
    seed: int
    program: Program
    choices: tuple
    observed: dict = field(default_factory=dict)     # lane -> {label: plain}
    seconds: dict = field(default_factory=dict)      # lane -> seconds


def judge(work: ProgramWork, executor, pair: str, lanes: list[str] | None = None
          ) -> tuple[Record, dict]:
    """``work``'s record on ``pair`` (no reproducer) and the lane results, running
    ``lanes`` (default: the pair's two)."""
    left, right = pair.split("~")
    results = executor.observe(work, lanes or [left, right])
    (record,) = records_for(work, executor.lane_info, results, executor.target,
                            pairs=(pair,), with_reproducers=False)
    return record, results


class _ShrinkTimeUp(BaseException):
    """Raised inside hypothesis's shrinker to stop it: a BaseException, so that hypothesis
    does not take it for a test failure of its own and shrink that."""


def size(program: Program) -> tuple:
    return (program.op_count, len(program.actions), len(program.nodes), len(program.source()))


def shrink(profile: Profile, outcome: Outcome, executor, pair: str, category: str | None,
           seconds: float | None = None) -> Program:
    """The smallest program that still diverges like ``outcome`` on ``pair``;
    ``outcome.program`` if none does."""
    deadline = time.monotonic() + (profile.shrink_seconds if seconds is None else seconds)
    best: list[Program] = [outcome.program]

    def still_diverges(program: Program) -> bool:
        if time.monotonic() > deadline:
            raise _ShrinkTimeUp()
        record, _ = judge(ProgramWork(outcome.seed, program), executor, pair)
        ok = (record.status == Status.DIVERGE
              and divergence_category(record.observables) == category)
        if ok and size(program) < size(best[0]):
            best[0] = program
        progress.emit("candidate", seed=outcome.seed, best=best[0].op_count)
        return ok

    key = f"conformance-fuzz:{profile.name}:{outcome.seed}:{pair}".encode()
    try:
        found = minimal_example(program_strategy(profile), still_diverges, outcome.choices,
                                key)
    except _ShrinkTimeUp:      # out of time: the smallest diverging program seen so far
        return best[0]
    return outcome.program if found is None else found
