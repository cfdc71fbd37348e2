"""The run's state: one :class:`ConformanceSession` per pytest process.

``python -m conformance run`` makes the session itself and passes it to
``pytest.main(args, plugins=[session])``; after the run, ``session.report`` (the report, as
written) and ``session.records`` (typed) are the result. Under plain pytest the session is
made from the command line. On an xdist worker it is made from what the controller sent.

In the process that runs items (a worker, or the only process with ``-n 0``) the session
keeps the case process and appends each record to its own partial file (JSON lines); the
controller merges the partial files into the report at the end of the session, also after
Ctrl-C (then marked incomplete), and writes it atomically. Its ``pytest_sessionfinish`` runs
first (tryfirst), before xdist tears its workers down, and a further Ctrl-C while the report
is written is ignored: the report survives Ctrl-C at any moment.
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import sys
import tempfile
import threading
from contextlib import contextmanager
from pathlib import Path

import pytest

from conformance import known as known_divergences
from conformance import lanes as lanes_module
from conformance.case import collect
from conformance.records import Record
from conformance.report import json_report, write_html
from conformance.report.schema import PAIRS
from conformance.pytest_plugin.options import DEFAULT_CASES, RunOptions, check_outputs

_SESSION = pytest.StashKey["ConformanceSession"]()


class ConformanceSession:
    """One conformance run as one pytest process sees it (controller, worker, or both)."""

    def __init__(self, options: RunOptions, command: str | None = None):
        self.options = options
        self.command = command          # for the report; default: the pytest command line
        self.report: dict | None = None         # after the run: the report
        self.written = False                    # ... and whether it reached its file(s)
        self.records: list[Record] = []         # ... and its records
        self.config: pytest.Config | None = None
        self.is_worker = False
        self.worker_id = "main"
        self.partial_dir = ""
        self.server = None
        self.cache: dict[str, dict[str, Record]] = {}
        self.expected: set[str] = set()         # record ids of the selected items
        self.crashed: dict[str, Record] = {}    # records of cases that killed a worker
        self._entries = None
        self._partial = None

    @classmethod
    def for_config(cls, config: pytest.Config) -> ConformanceSession:
        """The session of a process nobody handed one: a worker, or plain pytest."""
        workerinput = getattr(config, "workerinput", None)
        if workerinput is not None and "conformance_options" in workerinput:
            return cls(RunOptions.from_workerinput(workerinput["conformance_options"]))
        return cls(RunOptions.from_config(config))

    def bind(self, config: pytest.Config) -> None:
        self.config = config
        workerinput = getattr(config, "workerinput", None)
        self.is_worker = workerinput is not None
        if workerinput is not None:
            self.worker_id = workerinput["workerid"]
        if workerinput is not None and "conformance_partials" in workerinput:
            self.partial_dir = workerinput["conformance_partials"]
        else:
            self.partial_dir = tempfile.mkdtemp(prefix="conformance-partials-")

    @property
    def entries(self):
        if self._entries is None:
            opts = self.options
            self._entries = known_divergences.for_run(opts.known_path, opts.known_only)
        return self._entries

    # ---- in the process that runs items
    def record_for(self, case, pair: str) -> Record:
        records = self.cache.get(case.id)
        if records is None or pair not in records:
            server = self._case_server()
            fresh = [json_report.as_record(r) for r in server.run_case(case)]
            known_divergences.apply(fresh, self.entries, self.options.target,
                                    self.options.strict, server.environment.get("torch"))
            records = self.cache[case.id] = {r.pair: r for r in fresh}
        record = records.pop(pair)
        if not records:
            del self.cache[case.id]
        return record

    def _case_server(self):
        if self.server is None:
            from conformance.runner import DEFAULT_TIMEOUT_S, CaseServer
            opts = self.options
            self.server = CaseServer(opts.target, [opts.cases], opts.want_cuda,
                                     opts.timeout_s or DEFAULT_TIMEOUT_S,
                                     lane_options=opts.lane_options())
            self.server.ensure_started()
            self.write_partial({"kind": "environment", "environment": self.server.environment,
                                "lanes": self.server.lane_info})
        return self.server

    def record_lanes(self, case) -> dict:
        """``conformance record``: run ``case`` on torch's lanes and keep each lane's result
        in this process's partial file; the JSON of the results."""
        results = {lane: result.to_json()
                   for lane, result in self._case_server().lane_results(case).items()}
        self.write_partial({"kind": "lanes", "case": case.id, "results": results})
        return results

    def write_partial(self, line: dict) -> None:
        if self._partial is None:
            path = os.path.join(self.partial_dir, f"{self.worker_id}-{os.getpid()}.jsonl")
            self._partial = open(path, "a", encoding="utf-8")
        self._partial.write(json.dumps(line, allow_nan=False) + "\n")
        self._partial.flush()

    def close(self) -> None:
        if self.server is not None:
            self.server.stop()
            self.server = None
        if self._partial is not None:
            self._partial.close()
            self._partial = None

    # ---- in the controller
    def read_partials(self) -> tuple[dict[str, Record], dict | None, dict | None]:
        records: dict[str, Record] = {}
        self.recorded: dict[str, dict] = {}     # conformance record: case id -> lane results
        environment = lanes = None
        for path in sorted(Path(self.partial_dir).glob("*.jsonl")):
            for text in path.read_text(encoding="utf-8").splitlines():
                try:
                    line = json.loads(text)
                except json.JSONDecodeError:
                    continue     # the last line of a worker killed mid-write
                if line.get("kind") == "environment":
                    environment = environment or line["environment"]
                    if lanes is None or line["lanes"].get("torch-cuda", {}).get("status") == "run":
                        lanes = line["lanes"]
                elif line.get("kind") == "lanes":
                    self.recorded[line["case"]] = line["results"]
                else:
                    record = Record.from_json(line)
                    records[record.id] = record
        return records, environment, lanes

    def _own_environment(self) -> tuple[dict, dict]:
        """The environment when no worker reported one (nothing ran, or nothing could)."""
        from conformance.execute import environment as make_environment
        target = self.options.target
        try:
            made = lanes_module.make_lanes(target, self.options.want_cuda,
                                           **self.options.lane_options())
        except ImportError as exc:
            lanes = {"target": {"status": "not_run", "module": target, "device": "cpu",
                                "reason": str(exc)}}
            return {"target": target, "error": str(exc)}, lanes
        return make_environment(made), {name: lane.describe() for name, lane in made.items()}

    def finish(self, interrupted: bool) -> dict:
        opts = self.options
        if opts.record:
            return self.finish_reference(interrupted)
        found, environment, lanes = self.read_partials()
        for record_id, record in self.crashed.items():
            found.setdefault(record_id, record)
        if environment is None or lanes is None:
            environment, lanes = self._own_environment()
        environment = {**environment, "command": self._command()}
        complete = not interrupted and self.expected <= set(found)
        records = list(found.values())
        torch_version = environment.get("torch")
        known_divergences.apply(records, self.entries, opts.target, opts.strict, torch_version)
        unmatched = self._unmatched(torch_version) if complete else []
        report = json_report.build(records, lanes, environment, unmatched, complete,
                                   opts.strict, allow_missing=opts.allow_missing)
        # The result is the run's own, in memory: the CLI's verdict and page never come from
        # the file, which another run may be writing too.
        self.report, self.records = report, sorted(records, key=lambda r: r.id)
        try:
            json_report.write(report, opts.json_path)
            if opts.html_path:
                write_html(report, opts.html_path)
            self.written = True
        finally:
            self.remove_partials()
        return report

    def finish_reference(self, interrupted: bool) -> dict:
        """``conformance record``: the workers' lane results as one reference file at
        ``json_path``; nothing is written for an interrupted or incomplete run (a reference
        that silently lacks cases would be worse than none). ``self.report`` is a summary:
        complete, the lanes, and per lane how many cases ran, failed, timed out, crashed."""
        from conformance import reference
        opts = self.options
        _, environment, lanes = self.read_partials()
        if environment is None or lanes is None:
            environment, lanes = self._own_environment()
        for record_id in self.crashed:        # a case that killed its worker: a crash per lane
            case_id = record_id.rsplit("[", 1)[0]
            self.recorded.setdefault(case_id, {
                name: {"observations": {}, "failure": "crash",
                       "reason": f"{name}: the worker died while running the case"}
                for name in reference.TORCH_LANES if lanes.get(name, {}).get("status") == "run"})
        expected = {record_id.rsplit("[", 1)[0] for record_id in self.expected}
        complete = not interrupted and expected <= set(self.recorded)
        counts = {name: {} for name, info in lanes.items()
                  if name in reference.TORCH_LANES and info.get("status") == "run"}
        for results in self.recorded.values():
            for name, result in results.items():
                kind = result.get("failure") or "ran"
                counts.setdefault(name, {})[kind] = counts.get(name, {}).get(kind, 0) + 1
        self.report = {"complete": complete, "lanes": lanes, "counts": counts,
                       "cases": len(self.recorded), "environment": environment}
        try:
            if complete:
                ref = reference.record(self.recorded, lanes, environment, package=opts.cases)
                reference.write(opts.json_path, ref)
                self.written = True
        finally:
            self.remove_partials()
        return self.report

    def remove_partials(self) -> None:
        if not self.is_worker and self.partial_dir:
            shutil.rmtree(self.partial_dir, ignore_errors=True)

    def _unmatched(self, torch_version: str | None) -> list[str]:
        """Entries matching no case of the package, selected (-k) or not. The checked-in file
        describes the checked-in cases, so for another package only the user's file counts."""
        opts = self.options
        if opts.cases == DEFAULT_CASES:
            entries = self.entries
        elif opts.known_path is not None:
            entries = known_divergences.load(opts.known_path)
        else:
            return []
        return known_divergences.unmatched(entries, opts.target,
                                           (case.id for case in collect(opts.cases)), PAIRS,
                                           torch_version)

    def _command(self) -> str:
        return self.command or "pytest " + " ".join(
            str(a) for a in self.config.invocation_params.args)


def session_of(config: pytest.Config) -> ConformanceSession | None:
    return config.stash.get(_SESSION, None)


def record_id(nodeid: str) -> str:
    """An item's record id: its node id without the cases package."""
    return nodeid.split("::", 1)[1]


def pytest_configure(config: pytest.Config) -> None:
    lanes_module.pin_threads()
    handed = [p for p in config.pluginmanager.get_plugins()
              if isinstance(p, ConformanceSession)]
    session = handed[0] if handed else ConformanceSession.for_config(config)
    if not handed and getattr(config, "workerinput", None) is None:
        try:        # the CLI checked already; plain pytest checks here, before any case
            check_outputs(session.options)
        except ValueError as exc:
            raise pytest.UsageError(f"conformance: {exc}") from None
    session.bind(config)
    config.stash[_SESSION] = session


def pytest_unconfigure(config: pytest.Config) -> None:
    session = session_of(config)
    if session is not None:
        session.close()
        if session.command is None:     # the CLI removes them itself, after its fallback
            session.remove_partials()


@contextmanager
def sigint_held():
    """Ctrl-C inside the block is ignored: the run is ending, and what the block does (write
    the report) must not be cut short by a second Ctrl-C."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


@pytest.hookimpl(tryfirst=True)
def pytest_sessionfinish(session: pytest.Session, exitstatus) -> None:
    run = session_of(session.config)
    if run is None:
        return
    with sigint_held():
        run.close()
        if run.is_worker:
            return
        interrupted = int(exitstatus) == int(pytest.ExitCode.INTERRUPTED)
        if not interrupted and not run.expected \
                and not list(Path(run.partial_dir).glob("*.jsonl")):
            shutil.rmtree(run.partial_dir, ignore_errors=True)
            return      # a session without conformance items (e.g. collection only)
        try:
            report = run.finish(interrupted=interrupted)
        except OSError as exc:      # a full disk: said in one line, the run fails
            print(f"conformance: the report could not be written ({exc})", file=sys.stderr)
            session.exitstatus = pytest.ExitCode.INTERNAL_ERROR
            return
    if run.options.record:
        return
    if int(exitstatus) == int(pytest.ExitCode.OK) and json_report.missing_verdict(report):
        session.exitstatus = pytest.ExitCode.TESTS_FAILED     # missing features fail the run


@pytest.hookimpl(tryfirst=True)
def pytest_report_teststatus(report: pytest.TestReport, config: pytest.Config):
    """A lane that does not run (no CUDA) is one line in the summary, not one per item:
    its items are counted as "not_run" instead of listed among the skipped."""
    if report.when == "call" and report.skipped and isinstance(report.longrepr, tuple) \
            and "not_run: " in str(report.longrepr[2]):
        return "not_run", "s", "NOT_RUN"
    return None


def pytest_terminal_summary(terminalreporter, exitstatus, config: pytest.Config) -> None:
    run = session_of(config)
    if run is None or run.report is None:
        return
    report = run.report
    if run.options.record:
        terminalreporter.section("conformance record")
        for name, counts in report["counts"].items():
            text = ", ".join(f"{n} {kind}" for kind, n in sorted(counts.items()))
            terminalreporter.write_line(f"lane {name}: {text or 'nothing recorded'}")
        if not report["complete"]:
            terminalreporter.write_line("INCOMPLETE (interrupted or cases lost): no reference "
                                        "written", red=True)
        return
    total = report["summary"]["total"]
    counts = ", ".join(f"{total[s]} {s}" for s in report["summary"]["statuses"] if total[s])
    terminalreporter.section("conformance")
    target = report["environment"]["target"]
    terminalreporter.write_line(f"target {target}: {counts or 'no records'}")
    for name, info in report["lanes"].items():
        if info.get("status") != "run":
            terminalreporter.write_line(f"lane {name} not run: {info.get('reason', '')}")
    missing = json_report.missing_verdict(report)
    if missing:
        terminalreporter.write_line(f"FAILED: {missing}", red=True)
    for entry in report["known_unmatched"]:
        terminalreporter.write_line(f"warning: known-divergence entry matches no case: {entry}",
                                    yellow=True)
    if not report["complete"]:
        terminalreporter.write_line("the run is INCOMPLETE (interrupted or records missing)",
                                    red=True)
    if run.command is not None:
        return      # the CLI prints the paths last, after pytest's own closing line
    html = run.options.html_path
    terminalreporter.write_line(f"JSON report: {run.options.json_path}"
                                + (f", HTML report: {html}" if html else ""))
