"""Records from lane results: one :class:`~conformance.records.Record` per lane pair.

The work (a case, a fuzz program: :mod:`conformance.execute`) says what its records are called
(:meth:`record`), what of its observations is compared (:meth:`comparable`) and how to write
its reproducer; everything else is the same for cases and programs: a lane that did not run
makes ``not_run``, a lane that failed makes ``crash`` / ``timeout`` / ``missing`` (in that
order), otherwise compare.py compares the two lanes' observations; a lane that got an object
of the wrong type from the target (``LaneResult.wrong_type``) diverges, saying so.
"""
from __future__ import annotations

from typing import Protocol

from conformance.compare import compare_observations, record_status
from conformance.execute import Work
from conformance.lane_result import LaneResult
from conformance.observe import truncate_plain
from conformance.records import Record, Status
from conformance.report.schema import PAIRS

# A record gets a reproducer when its lanes ran and differed or failed.
REPRODUCED = frozenset({Status.DIVERGE, Status.MISSING, Status.TIMEOUT, Status.CRASH})
# the first one found names it; NOT_RUN: a replayed lane whose reference lacks the work
FAILURES = (Status.NOT_RUN, Status.CRASH, Status.TIMEOUT, Status.MISSING)
REASON_NAMES = 8


class RecordedWork(Work, Protocol):
    def record(self, pair: str) -> Record:
        """A fresh record of this work on ``pair`` (id, names, source)."""

    def comparable(self, observations: dict[str, dict]) -> dict[str, dict]:
        """The observations as compared (a program blanks what lanes cannot share)."""

    def reproducer(self, record: Record, target: str) -> str:
        """The standalone script for ``record`` (conformance.reproduce)."""


def records_for(work: RecordedWork, lane_info: dict[str, dict],
                results: dict[str, LaneResult], target: str, pairs=PAIRS,
                with_reproducers: bool = True) -> list[Record]:
    """One record per lane pair, from each running lane's result. ``lane_info`` maps lane
    names to their report description (``Lane.describe()``)."""
    records = []
    for pair in pairs:
        record = work.record(pair)
        # where a replayed lane's observations came from (conformance.reference)
        sources = {lane: lane_info[lane]["reference"] for lane in (record.left, record.right)
                   if "reference" in lane_info.get(lane, {})}
        record.reference = sources or None
        _judge(work, record, lane_info, results)
        if with_reproducers and record.status in REPRODUCED:
            try:
                record.reproducer = work.reproducer(record, target)
            except Exception as exc:  # noqa: BLE001 - a record without a script beats none
                record.reproducer = f"# no reproducer: {type(exc).__name__}: {exc}\n"
        records.append(record)
    return records


def _judge(work: RecordedWork, record: Record, lane_info: dict[str, dict],
           results: dict[str, LaneResult]) -> None:
    left, right = record.left, record.right
    not_run = [lane for lane in (left, right)
               if lane_info[lane]["status"] != "run" or lane not in results]
    if not_run:
        lane = not_run[0]
        record.status = Status.NOT_RUN
        record.reason = f"{lane} not run: {lane_info[lane].get('reason', '')}"
        return
    lres, rres = results[left], results[right]
    record.duration_s = round(lres.duration_s + rres.duration_s, 6)
    for status in FAILURES:
        failed = [res for res in (lres, rres) if res.failure == status]
        if failed:
            record.status = status
            record.reason = "; ".join(dict.fromkeys(res.reason for res in failed))
            if status == Status.MISSING:
                record.observables = [{
                    "name": res.missing, "kind": "value", "status": "diverge",
                    "left": {"type": "missing", "name": res.missing}, "right": None,
                    "detail": res.reason} for res in failed if res.missing]
            return
    observables = compare_observations(work.comparable(lres.observations),
                                       work.comparable(rres.observations))
    record.status = Status(record_status(observables))
    # What came back, not the AttributeError it led to (unless the reference lane got the
    # same error: then the two agree, whatever the case expected).
    wrong = [res.wrong_type for res in (lres, rres) if res.wrong_type]
    if wrong and record.status == Status.DIVERGE:
        record.reason = "; ".join(wrong)
    elif record.status == Status.DIVERGE:
        names = [o["name"] for o in observables if o["status"] == "diverge"]
        more = len(names) - REASON_NAMES
        record.reason = "differs: " + ", ".join(names[:REASON_NAMES]) + (
            f" and {more} more" if more > 0 else "")
    for observable in observables:
        observable["left"] = _truncated(observable["left"])
        observable["right"] = _truncated(observable["right"])
    record.observables = observables
    record.graphs = {lane: _graphs(res.observations)
                     for lane, res in ((left, lres), (right, rres))}
    tracebacks = {side: res.traceback for side, res in (("left", lres), ("right", rres))
                  if res.traceback}
    record.tracebacks = tracebacks or None


def _graphs(observations: dict) -> dict:
    return {name: value for name, value in observations.items() if value.get("type") == "graph"}


def _truncated(value: dict | None) -> dict | None:
    return None if value is None else truncate_plain(value)
