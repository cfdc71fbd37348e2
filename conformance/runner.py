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
from conformance.execute import (DEFAULT_MEMORY_LIMIT, DEFAULT_TIMEOUT_S, InProcess,
                                 Isolated, LaneResult, environment)
from conformance.pair_records import records_for
from conformance.records import Status
from conformance.report import json_report

__all__ = ["DEFAULT_MEMORY_LIMIT", "DEFAULT_TIMEOUT_S", "CaseServer", "environment", "run",
           "run_case"]


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

    Cases travel to the child by id and are collected there from their own package. When the
    child cannot start (the target fails to import there), each case gets crash records
    with that one line as their reason, instead of an error per item."""

    def __init__(self, target: str, packages: Iterable[str] = (), want_cuda: bool = True,
                 timeout_s: float = DEFAULT_TIMEOUT_S,
                 memory_limit: int | None = DEFAULT_MEMORY_LIMIT,
                 lane_options: dict | None = None):
        super().__init__(target, want_cuda, timeout_s, memory_limit, lane_options)

    def ensure_started(self) -> None:
        try:
            super().ensure_started()
        except RuntimeError:
            if not self.lane_info:
                self.lane_info, self.environment = self._lanes_here()

    def _lanes_here(self) -> tuple[dict, dict]:
        """Lane descriptions and environment from this process, for a child that did not
        start: which lanes would have run, and the error that stopped them."""
        try:
            made = lanes_module.make_lanes(self.target, self.want_cuda, **self.lane_options)
            info = {name: lane.describe() for name, lane in made.items()}
            env = environment(made)
        except Exception as exc:  # noqa: BLE001 - the target does not import here either
            info = {name: {"status": "run", "module": module, "device": device}
                    for name, module, device in (("target", self.target, "cpu"),
                                                 ("torch-cpu", "torch", "cpu"),
                                                 ("torch-cuda", "torch", "cuda"))}
            env = {"target": self.target, "error": f"{type(exc).__name__}: {exc}"}
        return info, {**env, "error": self.start_error}

    def lane_results(self, case: Case) -> dict[str, LaneResult]:
        """Each running lane's result for ``case`` (``conformance record`` keeps these)."""
        self.ensure_started()               # the child says what lanes run
        if self.start_error is not None:
            return {name: LaneResult(failure=Status.CRASH, reason=self.start_error)
                    for name, info in self.lane_info.items() if info["status"] == "run"}
        return self.observe(CaseWork(case))

    def run_case(self, case: Case) -> list[dict]:
        work = CaseWork(case)
        results = self.lane_results(case)
        records = records_for(work, self.lane_info, results, self.target)
        return [record.to_json() for record in records]


# ---------------------------------------------------------------------- many cases, no pytest

def run(target: str | None = None, cases: list[Case] | None = None,
        lanes: dict[str, lanes_module.Lane] | None = None, known=None,
        timeout_s: float = DEFAULT_TIMEOUT_S, strict: bool = False, *,
        package: str = "conformance.cases", isolate: bool = False, want_cuda: bool = True,
        json_path: str | None = None, command: str | None = None,
        memory_limit: int | None = DEFAULT_MEMORY_LIMIT,
        references: tuple[str, ...] = ()) -> dict:
    """Run ``cases`` (default: every case of ``package``) and return the report (schema.py).

    In this process by default (a hang is stopped by SIGALRM when called from the main
    thread; a case that kills the process takes the caller with it). ``isolate=True`` runs the
    cases in a child process instead, where a hang is killed and a crash is survived; those
    cases must then be importable by their module (collected from a package), and the child
    may map ``memory_limit`` bytes beyond what it holds once started (None: no limit).

    ``references``: reference files whose recorded torch lanes replace torch's
    (conformance.reference); torch is then not imported.

    Ctrl-C stops the run: the report so far is marked incomplete, written to ``json_path`` if
    given, and the KeyboardInterrupt is re-raised with the report as its ``report`` attribute.
    """
    lanes_module.pin_threads()
    entries = known_divergences.resolve(known)
    if lanes is None:
        lanes = lanes_module.make_lanes(lanes_module.resolve_target(target), want_cuda,
                                        references=tuple(references))
    target = lanes["target"].module_name
    cases = collect(package) if cases is None else list(cases)
    records: list[dict] = []
    complete = True
    server = None
    if isolate:
        server = CaseServer(target, (), want_cuda, timeout_s, memory_limit,
                            {"references": tuple(references)} if references else None)
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
    env = environment(lanes, command=command)
    unmatched = known_divergences.apply(records, entries, target, strict, env.get("torch"))
    for entry_id in unmatched if complete else ():
        _warnings.warn(f"known-divergence entry matches no case: {entry_id}", UserWarning,
                       stacklevel=2)
    report = json_report.build(
        records, {name: lane.describe() for name, lane in lanes.items()},
        env, unmatched if complete else [], complete, strict)
    if json_path is not None:
        json_report.write(report, json_path)
    if interrupted is not None:
        interrupted.report = report
        raise interrupted
    return report
