"""Running cases on lanes and turning what they observed into report records.

- :func:`observe_lane` runs one case on one lane, in this process, and returns plain data.
- :func:`build_records` compares the lanes' observations, one record per lane pair.
- :func:`run_case` is both, in this process; :class:`CaseServer` does the same in a child
  process that can be killed when a case hangs (``timeout``) and replaced when a case kills it
  (``crash``); the pytest plugin and ``run(isolate=True)`` use it.
- :func:`run` runs many cases without pytest and returns the whole report (schema.py).
"""
from __future__ import annotations

import multiprocessing
import os
import signal
import sys
import threading
import time
import traceback
import warnings as _warnings
from typing import Any, Iterable

from conformance import known as known_divergences
from conformance import lanes as lanes_module
from conformance.case import Case, collect
from conformance.compare import compare_observations, record_status
from conformance.observe import MissingFeature, raised, to_plain, truncate_plain
from conformance.report import json_report
from conformance.report.schema import PAIRS

DEFAULT_TIMEOUT_S = 60.0
HARD_KILL_GRACE_S = 5.0       # a child that ignores its own alarm is killed up to this much later
SERVER_START_TIMEOUT_S = 300.0
UNCAUGHT = "uncaught exception"


class CaseTimeout(BaseException):
    """Raised by the alarm inside a case that ran too long (not an Exception: observe.error
    must not swallow it)."""


# ----------------------------------------------------------------------- one lane, in process

def _flatten(name: str, value: Any, out: dict) -> None:
    """Containers that hold tensors or records become one observable per element."""
    from conformance.observe import _contains_records

    if isinstance(value, (list, tuple)) and _contains_records(value):
        for i, item in enumerate(value):
            _flatten(f"{name}[{i}]", item, out)
    elif isinstance(value, dict) and _contains_records(value):
        for key, item in value.items():
            _flatten(f"{name}[{key}]", item, out)
    else:
        out[name] = value


def _missing_name(exc: AttributeError, case: Case) -> str | None:
    """An AttributeError raised by the case's own code on a target object (``x.retain_grad``
    on a tensor class without it) names a missing method; one raised inside the target is a
    bug in the target and stays an error."""
    if isinstance(exc, MissingFeature):
        return exc.qualified_name
    name = getattr(exc, "name", None)
    obj = getattr(exc, "obj", None)
    if name is None or obj is None:
        return None
    tb = exc.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    case_file = case.func.__code__.co_filename
    if tb is None or tb.tb_frame.f_code.co_filename != case_file:
        return None
    owner = obj.__name__ if isinstance(obj, type) else type(obj).__name__
    return f"{owner}.{name}"


class _Alarm:
    """A per-lane time limit through SIGALRM, where this thread can have one."""

    def __init__(self, seconds: float | None):
        self.seconds = seconds
        self.armed = False

    def __enter__(self):
        usable = (self.seconds and hasattr(signal, "setitimer")
                  and threading.current_thread() is threading.main_thread())
        if usable:
            self.previous = signal.signal(signal.SIGALRM, self._fire)
            signal.setitimer(signal.ITIMER_REAL, self.seconds)
            self.armed = True
        return self

    def _fire(self, signum, frame):
        raise CaseTimeout(f"the case ran longer than {self.seconds:g} s")

    def __exit__(self, *exc):
        if self.armed:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, self.previous)
        return False


def observe_lane(case: Case, lane: lanes_module.Lane, timeout_s: float | None = None) -> dict:
    """Run ``case`` on ``lane``: ``{"status": "ok"|"missing"|"timeout", "observations":
    {name: VALUE (untruncated)}, "reason": str, "duration_s": float}``."""
    start = time.perf_counter()
    result = {"status": "ok", "observations": {}, "reason": "", "duration_s": 0.0}
    try:
        # Warnings a case does not record itself (observe.warnings) are not observations.
        with _Alarm(timeout_s), _warnings.catch_warnings():
            _warnings.simplefilter("ignore")
            returned = case.run(lane.namespace, lane.device)
        observed: dict = {}
        if isinstance(returned, dict):
            for name, value in returned.items():
                _flatten(str(name), value, observed)
        else:
            _flatten("result", returned, observed)
        result["observations"] = {name: to_plain(v, truncate=False)
                                  for name, v in observed.items()}
    except CaseTimeout as exc:
        result.update(status="timeout", reason=f"{lane.name}: {exc}")
    except AttributeError as exc:
        missing = _missing_name(exc, case) if lane.name == "target" else None
        if missing is not None:
            result.update(status="missing", reason=f"{lane.module_name} lacks {missing}",
                          missing=missing)
        else:
            result["observations"] = {UNCAUGHT: to_plain(raised(exc))}
            result["traceback"] = _short_traceback(exc)
    except Exception as exc:  # noqa: BLE001 - an uncaught error is compared like any value
        result["observations"] = {UNCAUGHT: to_plain(raised(exc))}
        result["traceback"] = _short_traceback(exc)
    result["duration_s"] = time.perf_counter() - start
    return result


def _short_traceback(exc: BaseException) -> str:
    return "".join(traceback.format_exception(type(exc), exc, exc.__traceback__, limit=-6))


# ------------------------------------------------------------------------------- records

def _graphs(observations: dict) -> dict:
    return {name: value for name, value in observations.items() if value.get("type") == "graph"}


def build_records(case: Case, lane_info: dict[str, dict], results: dict[str, dict],
                  target: str) -> list[dict]:
    """One record per lane pair, from each lane's :func:`observe_lane` result.

    ``lane_info`` maps lane names to their report description (``Lane.describe()``); lanes
    that did not run have no entry in ``results``.
    """
    from conformance import reproducer

    records = []
    for pair in PAIRS:
        left, right = pair.split("~")
        record = {
            "id": f"{case.id}[{pair}]", "case": case.id, "area": case.area, "name": case.name,
            "param_id": case.param_id, "pair": pair, "left": left, "right": right,
            "status": "match", "reason": "", "duration_s": 0.0, "observables": [],
            "graphs": {}, "source": _source(case), "reproducer": None,
        }
        not_run = [lane for lane in (left, right) if lane_info[lane]["status"] != "run"]
        if not_run:
            lane = not_run[0]
            record.update(status="not_run",
                          reason=f"{lane} not run: {lane_info[lane].get('reason', '')}")
            records.append(record)
            continue
        lres, rres = results[left], results[right]
        record["duration_s"] = round(lres["duration_s"] + rres["duration_s"], 6)
        for status in ("crash", "timeout", "missing"):
            bad = [res for res in (lres, rres) if res["status"] == status]
            if bad:
                record.update(status=status, reason="; ".join(res["reason"] for res in bad))
                if status == "missing":
                    record["observables"] = [{
                        "name": res["missing"], "kind": "value", "status": "diverge",
                        "left": {"type": "missing", "name": res["missing"]}, "right": None,
                        "detail": res["reason"]} for res in bad if "missing" in res]
                break
        else:
            observables = compare_observations(lres["observations"], rres["observations"])
            record["status"] = record_status(observables)
            if record["status"] == "diverge":
                names = [o["name"] for o in observables if o["status"] == "diverge"]
                record["reason"] = "differs: " + ", ".join(names[:8]) + (
                    f" and {len(names) - 8} more" if len(names) > 8 else "")
            for observable in observables:
                observable["left"] = _truncated(observable["left"])
                observable["right"] = _truncated(observable["right"])
            record["observables"] = observables
            record["graphs"] = {lane: _graphs(res["observations"])
                                for lane, res in ((left, lres), (right, rres))}
            for side, res in (("left", lres), ("right", rres)):
                if "traceback" in res:
                    record.setdefault("tracebacks", {})[side] = res["traceback"]
        if record["status"] != "match":
            try:
                record["reproducer"] = reproducer.build(case, target, record)
            except Exception as exc:  # noqa: BLE001 - a record without a script beats none
                record["reproducer"] = f"# no reproducer: {type(exc).__name__}: {exc}\n"
        records.append(record)
    return records


def _truncated(value: dict | None) -> dict | None:
    return None if value is None else truncate_plain(value)


def _source(case: Case) -> str | None:
    try:
        return case.source
    except (OSError, TypeError):
        return None


def run_case(case: Case, lanes: dict[str, lanes_module.Lane],
             timeout_s: float | None = DEFAULT_TIMEOUT_S) -> list[dict]:
    """Run ``case`` once on every lane that runs, in this process; one record per pair."""
    results = {name: observe_lane(case, lane, timeout_s)
               for name, lane in lanes.items() if lane.status == "run"}
    info = {name: lane.describe() for name, lane in lanes.items()}
    return build_records(case, info, results, lanes["target"].module_name)


# ------------------------------------------------------------- a child process that runs cases

def _serve(conn, target: str, packages: list[str], want_cuda: bool, timeout_s: float,
           owner_pid: int) -> None:
    """The child's loop: make the lanes once, then run the lanes of each case it is sent."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)   # Ctrl-C is the parent's to handle
    os.environ["CONFORMANCE_OWNER_PID"] = str(owner_pid)   # the process this one serves
    lanes_module.pin_threads()
    try:
        lanes = lanes_module.make_lanes(target, want_cuda)
        lanes_module.pin_threads()
        cases = {c.id: c for package in packages for c in collect(package)}
    except BaseException as exc:  # noqa: BLE001 - reported to the parent, which raises it
        conn.send(("error", f"{type(exc).__name__}: {exc}\n{_short_traceback(exc)}"))
        return
    conn.send(("ready", {name: lane.describe() for name, lane in lanes.items()},
               environment(lanes)))
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return
        if message[0] == "stop":
            return
        _, case_id, lane_names = message
        case = cases.get(case_id)
        for name in lane_names:
            conn.send(("start", name))
            if case is None:
                result = {"status": "crash", "reason": f"no case {case_id} in {packages}",
                          "observations": {}, "duration_s": 0.0}
            else:
                result = observe_lane(case, lanes[name], timeout_s)
            conn.send(("lane", name, result))
        conn.send(("done",))


def _context():
    """Children come from a fork server that has imported torch and NumPy but never touched
    CUDA (so CUDA initialises in each child, never in a forked copy), which makes replacing a
    child after a timeout or a crash quick. Where there is no fork server: spawn."""
    try:
        context = multiprocessing.get_context("forkserver")
    except ValueError:
        return multiprocessing.get_context("spawn")
    context.set_forkserver_preload(["numpy", "torch", "conformance.runner"])
    return context


class CaseServer:
    """Runs cases in a child process; a hang is killed (timeout), a death is a crash.

    The child is replaced after a timeout or a crash, so the run goes on.
    """

    def __init__(self, target: str, packages: Iterable[str], want_cuda: bool = True,
                 timeout_s: float = DEFAULT_TIMEOUT_S):
        self.target = target
        self.packages = sorted(set(packages))
        self.want_cuda = want_cuda
        self.timeout_s = timeout_s
        self.process = None
        self.conn = None
        self.lane_info: dict[str, dict] = {}
        self.environment: dict = {}
        self.start_error: str | None = None

    def start(self) -> None:
        lanes_module.pin_threads()          # inherited by the child before it imports torch
        context = _context()
        parent_conn, child_conn = context.Pipe()
        self.process = context.Process(
            target=_serve, args=(child_conn, self.target, self.packages, self.want_cuda,
                                 self.timeout_s, os.getpid()),
            daemon=True, name="conformance-cases")
        self.process.start()
        child_conn.close()
        self.conn = parent_conn
        if not self.conn.poll(SERVER_START_TIMEOUT_S):
            self.stop()
            raise RuntimeError("the case process did not start in time")
        try:
            message = self.conn.recv()
        except EOFError:
            code = self._reap()
            raise RuntimeError(f"the case process died while starting ({code})") from None
        if message[0] == "error":
            self.stop()
            raise RuntimeError(f"the case process could not start: {message[1]}")
        _, self.lane_info, self.environment = message

    def ensure_started(self) -> None:
        if self.start_error is not None:
            raise RuntimeError(self.start_error)
        if self.process is None or not self.process.is_alive():
            try:
                self.start()
            except RuntimeError as exc:
                self.start_error = str(exc)     # the next case would fail the same way
                raise

    def _reap(self) -> str:
        if self.process is None or self.process.pid is None:
            self.process = None
            return "no process"
        self.process.join(5)
        code = self.process.exitcode
        self.process = None
        if code is None:
            return "still running"
        if code < 0:
            try:
                return f"killed by {signal.Signals(-code).name}"
            except ValueError:
                return f"killed by signal {-code}"
        return f"exit code {code}"

    def _kill(self) -> None:
        if self.process is not None and self.process.is_alive():
            self.process.kill()
        self._reap()

    def stop(self) -> None:
        if self.conn is not None:
            try:
                self.conn.send(("stop",))
            except (OSError, ValueError):
                pass
        if self.process is not None and self.process.pid is not None:
            self.process.join(2)
            self._kill()
        self.process = None
        self.conn = None

    def observe(self, case: Case) -> dict[str, dict]:
        """Each running lane's :func:`observe_lane` result for ``case``."""
        self.ensure_started()
        pending = [name for name, info in self.lane_info.items() if info["status"] == "run"]
        results: dict[str, dict] = {}
        limit = self.timeout_s + min(HARD_KILL_GRACE_S, max(1.0, self.timeout_s))
        while pending:
            self.ensure_started()
            self.conn.send(("case", case.id, list(pending)))
            current = pending[0]
            while pending:
                if not self.conn.poll(limit):
                    self._kill()
                    results[current] = {
                        "status": "timeout", "observations": {}, "duration_s": limit,
                        "reason": f"{current}: no answer in {limit:g} s; the process was killed"}
                    pending.remove(current)
                    break
                try:
                    message = self.conn.recv()
                except (EOFError, OSError):
                    how = self._reap()
                    results[current] = {
                        "status": "crash", "observations": {}, "duration_s": 0.0,
                        "reason": f"{current}: the process running the case died ({how})"}
                    pending.remove(current)
                    break
                if message[0] == "start":
                    current = message[1]
                elif message[0] == "lane":
                    results[message[1]] = message[2]
                    pending.remove(message[1])
            else:
                self.conn.recv()        # the ("done",) that closes the case
        return results

    def run_case(self, case: Case) -> list[dict]:
        results = self.observe(case)
        return build_records(case, self.lane_info, results, self.target)


# ------------------------------------------------------------------------ the environment

def _git_commit() -> str | None:
    import subprocess
    here = os.path.dirname(os.path.abspath(__file__))
    try:
        out = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=here, timeout=10,
                             capture_output=True, text=True)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None if out.returncode == 0 else None


def environment(lanes: dict[str, lanes_module.Lane] | None = None, target: str | None = None,
                command: str | None = None) -> dict:
    """Versions and machine facts for the report (imports torch; CUDA only if available)."""
    import platform

    import numpy
    import torch

    target = lanes["target"].module_name if lanes else lanes_module.resolve_target(target)
    target_module = sys.modules.get(target)
    cuda_available = bool(lanes and lanes["torch-cuda"].status == "run")
    if lanes is None:
        cuda_available, _ = lanes_module.cuda_status(torch)
    cuda_device = None
    if cuda_available:
        try:
            cuda_device = torch.cuda.get_device_name(0)
        except Exception:  # noqa: BLE001 - the name is informative only
            cuda_device = None
    return {
        "target": target,
        "target_version": getattr(target_module, "__version__", None),
        "python": platform.python_version(),
        "numpy": numpy.__version__,
        "torch": torch.__version__,
        "cuda_available": cuda_available,
        "cuda_device": cuda_device,
        "platform": platform.platform(),
        "commit": _git_commit(),
        "command": command or " ".join([os.path.basename(sys.executable)] + sys.argv),
    }


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
        packages = {case.func.__module__.rpartition(".")[0] for case in cases}
        server = CaseServer(target, packages, want_cuda, timeout_s)
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
