"""Running cases: a case's lanes through the executor, then its records.

- :func:`run_case` runs one case on its lanes in this process and returns its records;
  :class:`CaseServer` does the same in the executor's child process, where a hang is killed
  (``timeout``) and a death survived (``crash``); the pytest plugin uses it.
- :func:`run` runs many cases without pytest and returns the whole report (schema.py).

The executor is :mod:`conformance.execute`; records come from :mod:`conformance.pair_records`.
"""
from __future__ import annotations

import warnings as _warnings
from typing import Iterable

from conformance import known as known_divergences
from conformance import lanes as lanes_module
from conformance.case import Case, collect
from conformance.case_work import CaseWork
from conformance.execute import DEFAULT_TIMEOUT_S, InProcess, Isolated, environment
from conformance.pair_records import records_for
from conformance.report import json_report

__all__ = ["DEFAULT_TIMEOUT_S", "CaseServer", "environment", "run", "run_case"]


def run_case(case: Case, lanes: dict[str, lanes_module.Lane],
             timeout_s: float | None = DEFAULT_TIMEOUT_S) -> list[dict]:
    """Run ``case`` once on every lane that runs, in this process; one record per pair."""
    executor = InProcess(lanes, timeout_s)
    work = CaseWork(case)
    records = records_for(work, executor.lane_info, executor.observe(work),
                          lanes["target"].module_name)
    return [record.to_json() for record in records]


class CaseServer(Isolated):
    """The isolated executor running cases: :meth:`run_case` gives a case's records (JSON).

    Cases travel to the child by id and are collected there from their own package."""

    def __init__(self, target: str, packages: Iterable[str] = (), want_cuda: bool = True,
                 timeout_s: float = DEFAULT_TIMEOUT_S):
        super().__init__(target, want_cuda, timeout_s)

    def run_case(self, case: Case) -> list[dict]:
        work = CaseWork(case)
        results = self.observe(work)        # starts the child, which says what lanes run
        records = records_for(work, self.lane_info, results, self.target)
        return [record.to_json() for record in records]


# ---------------------------------------------------------------------- many cases, no pytest

def run(target: str | None = None, cases: list[Case] | None = None,
        lanes: dict[str, lanes_module.Lane] | None = None, known=None,
        timeout_s: float = DEFAULT_TIMEOUT_S, strict: bool = False, *,
        package: str = "conformance.cases", isolate: bool = False, want_cuda: bool = True,
        json_path: str | None = None, command: str | None = None) -> dict:
    """Run ``cases`` (default: every case of ``package``) and return the report (schema.py).

    In this process by default (a hang is stopped by SIGALRM when called from the main
    thread; a case that kills the process takes the caller with it). ``isolate=True`` runs the
    cases in a child process instead, where a hang is killed and a crash is survived; those
    cases must then be importable by their module (collected from a package).

    Ctrl-C stops the run: the report so far is marked incomplete, written to ``json_path`` if
    given, and the KeyboardInterrupt is re-raised with the report as its ``report`` attribute.
    """
    lanes_module.pin_threads()
    entries = known_divergences.resolve(known)
    if lanes is None:
        lanes = lanes_module.make_lanes(lanes_module.resolve_target(target), want_cuda)
    target = lanes["target"].module_name
    cases = collect(package) if cases is None else list(cases)
    records: list[dict] = []
    complete = True
    server = None
    if isolate:
        server = CaseServer(target, (), want_cuda, timeout_s)
    interrupted: KeyboardInterrupt | None = None
    try:
        for case in cases:
            if server is not None:
                records.extend(server.run_case(case))
            else:
                records.extend(run_case(case, lanes, timeout_s))
    except KeyboardInterrupt as exc:
        complete = False
        interrupted = exc
    finally:
        if server is not None:
            server.stop()
    unmatched = known_divergences.apply(records, entries, target, strict)
    for entry_id in unmatched if complete else ():
        _warnings.warn(f"known-divergence entry matches no case: {entry_id}", UserWarning,
                       stacklevel=2)
    report = json_report.build(
        records, {name: lane.describe() for name, lane in lanes.items()},
        environment(lanes, command=command), unmatched if complete else [], complete, strict)
    if json_path is not None:
        json_report.write(report, json_path)
    if interrupted is not None:
        interrupted.report = report
        raise interrupted
    return report
