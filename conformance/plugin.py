"""The pytest plugin behind ``pytest conformance -n auto`` and ``python -m conformance run``.

One test item per case and lane pair, with the id ``<package>::<area>::<case>[<pair>]`` (for
example ``conformance.cases::bce::weight[mean][target~torch-cpu]``). A case's lanes run once:
its three items go to one xdist worker (a scheduler that groups items by case) and the first
of them runs the case in the worker's case process (:class:`conformance.runner.CaseServer`),
which the others read from a cache. That process is killed when a case hangs (timeout) and
replaced when a case kills it (crash), so the run always goes on.

Item outcomes: a record with an unexpected status (diverge, timeout, crash, fixed under
``--conformance-strict``) fails with the observables that differ; known is xfailed, missing
and not_run are skipped (with the reason); match passes.

Each worker appends its records to its own partial file (JSON lines); the controller (or the
only process, with ``-n 0``) merges them into the report at the end of the session, also after
Ctrl-C (then marked incomplete), and writes it atomically.
"""
from __future__ import annotations

import json
import os
import shutil
import tempfile
import warnings
from pathlib import Path

import pytest

from conformance import known as known_divergences
from conformance import lanes as lanes_module
from conformance.case import collect
from conformance.report import json_report
from conformance.report.schema import PAIRS

DEFAULT_JSON = os.path.join("reports", "conformance.json")
DEFAULT_CASES = "conformance.cases"
_STATE = pytest.StashKey["ConformanceState"]()
_PACKAGE_INIT = Path(__file__).with_name("__init__.py")


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("conformance", "differential conformance run")
    group.addoption("--conformance-target", default=None, metavar="MODULE",
                    help="the torch-like module under test (default: $CONFORMANCE_TARGET, "
                         "else refgrad)")
    group.addoption("--conformance-cases", default=DEFAULT_CASES, metavar="PACKAGE",
                    help="the package whose area modules hold the cases")
    group.addoption("--conformance-json", default=DEFAULT_JSON, metavar="PATH",
                    help=f"where the JSON report goes (default {DEFAULT_JSON})")
    group.addoption("--conformance-html", default=None, metavar="PATH",
                    help="also render the report as an HTML page here")
    group.addoption("--conformance-known", default=None, metavar="PATH",
                    help="known-divergences file (default: the checked-in one)")
    group.addoption("--conformance-timeout", default=None, type=float, metavar="SECONDS",
                    help="per-case, per-lane time limit (default 60)")
    group.addoption("--conformance-strict", action="store_true", default=False,
                    help="a known divergence that now matches (fixed) fails the run")
    group.addoption("--conformance-no-cuda", action="store_true", default=False,
                    help="do not run the torch-cuda lane even when CUDA is available")


class ConformanceState:
    """What one pytest process (controller, worker, or both with -n 0) keeps for the run."""

    def __init__(self, config: pytest.Config):
        from conformance.runner import DEFAULT_TIMEOUT_S

        opt = config.option
        self.config = config
        self.target = lanes_module.resolve_target(opt.conformance_target)
        self.package = opt.conformance_cases
        self.json_path = opt.conformance_json
        self.html_path = opt.conformance_html
        self.known_path = opt.conformance_known
        self.timeout_s = opt.conformance_timeout or DEFAULT_TIMEOUT_S
        self.strict = opt.conformance_strict
        self.want_cuda = not opt.conformance_no_cuda
        workerinput = getattr(config, "workerinput", None)
        self.is_worker = workerinput is not None
        self.worker_id = workerinput["workerid"] if workerinput else "main"
        if workerinput is not None and "conformance_partials" in workerinput:
            self.partial_dir = workerinput["conformance_partials"]
        else:
            self.partial_dir = tempfile.mkdtemp(prefix="conformance-partials-")
        self.server = None
        self.cache: dict[str, dict[str, dict]] = {}
        self._entries = None
        self._partial = None
        self.expected: set[str] = set()
        self.crashed: dict[str, dict] = {}
        self.report: dict | None = None

    @property
    def entries(self):
        if self._entries is None:
            self._entries = known_divergences.resolve(self.known_path)
        return self._entries

    # ---- in the process that runs items
    def record_for(self, case, pair: str) -> dict:
        records = self.cache.get(case.id)
        if records is None or pair not in records:
            if self.server is None:
                from conformance.runner import CaseServer
                self.server = CaseServer(self.target, [self.package], self.want_cuda,
                                         self.timeout_s)
                self.server.ensure_started()
                self.write_partial({"kind": "environment",
                                    "environment": self.server.environment,
                                    "lanes": self.server.lane_info})
            fresh = self.server.run_case(case)
            known_divergences.apply(fresh, self.entries, self.target, self.strict)
            records = self.cache[case.id] = {r["pair"]: r for r in fresh}
        record = records.pop(pair)
        if not records:
            del self.cache[case.id]
        return record

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
    def read_partials(self) -> tuple[dict[str, dict], dict | None, dict | None]:
        records: dict[str, dict] = {}
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
                else:
                    records[line["id"]] = line
        return records, environment, lanes

    def _own_environment(self) -> tuple[dict, dict]:
        """The environment when no worker reported one (nothing ran, or nothing could)."""
        from conformance.runner import environment as make_environment
        try:
            made = lanes_module.make_lanes(self.target, self.want_cuda)
        except ImportError as exc:
            lanes = {"target": {"status": "not_run", "module": self.target, "device": "cpu",
                                "reason": str(exc)}}
            return {"target": self.target, "error": str(exc)}, lanes
        return make_environment(made), {name: lane.describe() for name, lane in made.items()}

    def finish(self, interrupted: bool) -> dict:
        records, environment, lanes = self.read_partials()
        for record_id, record in self.crashed.items():
            records.setdefault(record_id, record)
        if environment is None or lanes is None:
            environment, lanes = self._own_environment()
        environment = {**environment, "command": _command(self.config)}
        complete = not interrupted and self.expected <= set(records)
        record_list = list(records.values())
        known_divergences.apply(record_list, self.entries, self.target, self.strict)
        # Unmatched against every case of the package, not only those selected (-k) or run;
        # the checked-in file describes the checked-in cases, not another package's.
        unmatched = [] if self.known_path is None and self.package != DEFAULT_CASES else \
            known_divergences.unmatched(self.entries, self.target,
                                        (case.id for case in collect(self.package)), PAIRS)
        report = json_report.build(record_list, lanes, environment,
                                   unmatched if complete else [], complete, self.strict)
        json_report.write(report, self.json_path)
        if self.html_path:
            write_html(report, self.html_path)
        shutil.rmtree(self.partial_dir, ignore_errors=True)
        self.report = report
        return report


def write_html(report: dict, path: str) -> bool:
    """Render the HTML page if the renderer is installed; say so clearly if it is not."""
    try:
        from conformance.report.html import write_html as render
    except ImportError as exc:
        print(f"conformance: cannot write the HTML report ({exc}); the JSON report is "
              f"written regardless")
        return False
    render(report, path)
    return True


def _command(config: pytest.Config) -> str:
    return os.environ.get("CONFORMANCE_COMMAND") or "pytest " + " ".join(
        str(a) for a in config.invocation_params.args)


def _state(config: pytest.Config) -> ConformanceState | None:
    return config.stash.get(_STATE, None)


def pytest_configure(config: pytest.Config) -> None:
    lanes_module.pin_threads()
    config.stash[_STATE] = ConformanceState(config)


def pytest_unconfigure(config: pytest.Config) -> None:
    state = _state(config)
    if state is not None:
        state.close()


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node) -> None:
    state = _state(node.config)
    node.workerinput["conformance_partials"] = state.partial_dir


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log):
    """Group a case's items on one worker, so that its lanes run once."""
    if config.getvalue("dist") not in ("load", "loadscope", "loadgroup"):
        return None
    from xdist.scheduler import LoadScopeScheduling

    class CaseScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return nodeid.rsplit("[", 1)[0]     # drop the "[pair]" suffix: the case

        def remove_node(self, node):
            # LoadScope re-queues a dead worker's unfinished items, the one that killed it
            # included. The case that killed it is recorded as a crash on every pair
            # (pytest_handlecrashitem) instead of being run again, which would only kill the
            # next worker too.
            crashitem = super().remove_node(node)
            if crashitem:
                scope = self._split_scope(crashitem)
                unit = self.workqueue.get(scope, {})
                for nodeid in unit:
                    unit[nodeid] = True
                if unit:
                    del self.workqueue[scope]
            return crashitem

    return CaseScheduling(config, log)


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_node_collection_finished(node, ids) -> None:
    state = _state(node.config)
    state.expected.update(_record_id(nodeid) for nodeid in ids if "::" in nodeid)


@pytest.hookimpl(optionalhook=True)
def pytest_handlecrashitem(crashitem: str, report, sched) -> None:
    """A worker died while running ``crashitem`` (the case process shields workers from
    cases; this is what is left): record it as a crash and let the run go on."""
    state = _state(report.node.config) if hasattr(report, "node") else None
    if state is None or "::" not in crashitem:
        return
    case_id = _record_id(crashitem).rsplit("[", 1)[0]
    reason = f"worker {report.node.gateway.id} died while running the case"
    for pair in PAIRS:      # the case is not run again (see CaseScheduling.remove_node)
        record_id = f"{case_id}[{pair}]"
        state.crashed[record_id] = _crash_record(record_id, reason)


def _record_id(nodeid: str) -> str:
    return nodeid.split("::", 1)[1]


def _crash_record(record_id: str, reason: str) -> dict:
    case_id, _, pair = record_id[:-1].rpartition("[")
    area, _, rest = case_id.partition("::")
    name, _, param = rest.partition("[")
    left, right = pair.split("~")
    return {"id": record_id, "case": case_id, "area": area, "name": name,
            "param_id": param[:-1] if param else "", "pair": pair, "left": left,
            "right": right, "status": "crash", "reason": reason, "duration_s": 0.0,
            "observables": [], "graphs": {}, "source": None, "reproducer": None}


def pytest_collect_file(file_path: Path, parent: pytest.Collector):
    """Hang the case items on the ``conformance`` package: whatever package holds the cases."""
    if file_path == _PACKAGE_INIT:
        package = parent.config.option.conformance_cases
        return CasesCollector.from_parent(parent, path=file_path, name=package, nodeid=package)
    return None


def pytest_collection_finish(session: pytest.Session) -> None:
    state = _state(session.config)
    if state is not None and not state.is_worker:
        state.expected.update(_record_id(item.nodeid) for item in session.items
                              if isinstance(item, CaseItem))


def pytest_sessionfinish(session: pytest.Session, exitstatus) -> None:
    state = _state(session.config)
    if state is None:
        return
    state.close()
    if state.is_worker:
        return
    if not state.expected and not list(Path(state.partial_dir).glob("*.jsonl")):
        shutil.rmtree(state.partial_dir, ignore_errors=True)
        return      # a session without conformance items (e.g. collection only)
    interrupted = int(exitstatus) == int(pytest.ExitCode.INTERRUPTED)
    state.finish(interrupted)


def pytest_terminal_summary(terminalreporter, exitstatus, config: pytest.Config) -> None:
    state = _state(config)
    if state is None or state.report is None:
        return
    report = state.report
    total = report["summary"]["total"]
    counts = ", ".join(f"{total[s]} {s}" for s in report["summary"]["statuses"] if total[s])
    terminalreporter.section("conformance")
    target = report["environment"]["target"]
    terminalreporter.write_line(f"target {target}: {counts or 'no records'}")
    for name, info in report["lanes"].items():
        if info.get("status") != "run":
            terminalreporter.write_line(f"lane {name} not run: {info.get('reason', '')}")
    for entry in report["known_unmatched"]:
        terminalreporter.write_line(f"warning: known-divergence entry matches no case: {entry}",
                                    yellow=True)
    if not report["complete"]:
        terminalreporter.write_line("the run is INCOMPLETE (interrupted or records missing)",
                                    red=True)
    terminalreporter.write_line(f"JSON report: {state.json_path}"
                                + (f", HTML report: {state.html_path}" if state.html_path else ""))


class CasesCollector(pytest.File):
    def collect(self):
        cases = collect(self.name)
        areas: dict[str, list] = {}
        for case in cases:
            areas.setdefault(case.area, []).append(case)
        for area, area_cases in areas.items():
            yield AreaCollector.from_parent(self, name=area, cases=area_cases)


class AreaCollector(pytest.Collector):
    def __init__(self, *, cases, **kwargs):
        super().__init__(**kwargs)
        self.cases = cases

    def collect(self):
        for case in self.cases:
            label = case.name + (f"[{case.param_id}]" if case.param_id else "")
            for pair in PAIRS:
                yield CaseItem.from_parent(self, name=f"{label}[{pair}]", case=case, pair=pair)


class ConformanceFailure(Exception):
    pass


class CaseItem(pytest.Item):
    def __init__(self, *, case, pair, **kwargs):
        super().__init__(**kwargs)
        self.case = case
        self.pair = pair
        self.record: dict | None = None

    def runtest(self) -> None:
        state = _state(self.config)
        record = state.record_for(self.case, self.pair)
        state.write_partial(record)
        self.record = record
        status = record["status"]
        bad = json_report.unexpected_statuses(state.strict)
        if status in bad:
            raise ConformanceFailure(failure_message(record))
        if status == "known":
            pytest.xfail(f"known divergence: {record['reason']}")
        if status in ("missing", "not_run"):
            # reported at the item, not at this line
            raise pytest.skip.Exception(f"{status}: {record['reason']}",
                                        _use_item_location=True)
        if status == "fixed":
            warnings.warn(f"{record['id']}: {record['reason']}", UserWarning)

    def repr_failure(self, excinfo, style=None):
        if isinstance(excinfo.value, ConformanceFailure):
            return str(excinfo.value)
        return super().repr_failure(excinfo, style)

    def reportinfo(self):
        """Points at the case function, so that skip and failure locations name the case."""
        code = self.case.func.__code__
        return Path(code.co_filename), code.co_firstlineno - 1, f"{self.case.id}[{self.pair}]"


def failure_message(record: dict, limit: int = 10) -> str:
    """What a failed item prints: the status, the reason, and each observable that differs."""
    lines = [f"{record['id']}: {record['status']}" +
             (f" ({record['reason']})" if record.get("reason") else "")]
    differing = [o for o in record.get("observables", []) if o["status"] == "diverge"]
    for observable in differing[:limit]:
        lines.append(f"  {observable['name']} [{observable['kind']}]: {observable['detail']}")
    if len(differing) > limit:
        lines.append(f"  … and {len(differing) - limit} more")
    if record.get("tracebacks"):
        for side, text in record["tracebacks"].items():
            lines.append(f"  uncaught on the {side} lane:\n    " + text.strip().replace(
                "\n", "\n    "))
    lines.append("  (the JSON report holds both values and a reproducer script)")
    return "\n".join(lines)
