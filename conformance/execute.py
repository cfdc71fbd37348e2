"""The one executor: runs a piece of work (a case, a fuzz program) on the lanes.

A :class:`Work` knows how to observe itself on one lane; :func:`observe_lane` does that in
this process under a time limit (SIGALRM) and turns what happened into a :class:`LaneResult`:
the observations, or why there are none (``missing``, ``timeout``, ``crash``).

Two executors with one interface (``lane_info``, ``observe(work, lanes)``, ``stop()``):

- :class:`InProcess` runs the work here, on lanes made here (a hang is stopped by the alarm
  when called from the main thread; a crash takes the caller with it);
- :class:`Isolated` runs it in a child process that is killed when the work hangs past its
  alarm (``timeout``) and replaced when the work kills it (``crash``), so the run goes on.
  Ctrl-C is the parent's: the child ignores SIGINT and the parent's KeyboardInterrupt
  propagates to whoever drives the run.

Cases become work in :mod:`conformance.case_work`, fuzz programs in
:mod:`conformance.fuzz.oracle`; records are built from the lane results by
:mod:`conformance.pair_records`.
"""
from __future__ import annotations

import multiprocessing
import os
import pickle
import signal
import sys
import threading
import time
import traceback
import warnings as _warnings
from dataclasses import dataclass, field
from typing import Protocol

from conformance import lanes as lanes_module
from conformance.observe import MissingFeature, raised, to_plain
from conformance.records import Status

DEFAULT_TIMEOUT_S = 60.0
HARD_KILL_GRACE_S = 5.0       # a child that ignores its own alarm is killed up to this much later
SERVER_START_TIMEOUT_S = 300.0
UNCAUGHT = "uncaught exception"


class WorkTimeout(BaseException):
    """Raised by the alarm inside work that ran too long (not an Exception: observe.error
    and a fuzz program's own handlers must not swallow it)."""


class Work(Protocol):
    """What an executor runs: a case or a fuzz program. It is pickled to the child."""
    code_file: str      # the file of the work's own code: an AttributeError raised there on
                        # a target object names a missing feature (see missing_name)

    def observe(self, lane: lanes_module.Lane) -> dict[str, dict]:
        """Run on ``lane``: {observable name: plain value (untruncated)}."""


@dataclass
class LaneResult:
    """What one lane showed for one piece of work."""
    observations: dict = field(default_factory=dict)   # name -> plain value, untruncated
    failure: Status | None = None   # MISSING, TIMEOUT or CRASH; None when the lane ran
    reason: str = ""
    missing: str | None = None      # the missing attribute (failure MISSING)
    traceback: str | None = None    # an uncaught exception's, shortened
    duration_s: float = 0.0


# ----------------------------------------------------------------------- one lane, in process

def missing_name(exc: BaseException, code_file: str) -> str | None:
    """The missing feature ``exc`` names, if it names one: a :class:`MissingFeature` from
    the target's namespace, or an AttributeError raised by the work's own code on a target
    object (``x.retain_grad`` on a tensor class without it). One raised inside the target is
    a bug in the target and stays an error."""
    if isinstance(exc, MissingFeature):
        return exc.qualified_name
    if not isinstance(exc, AttributeError):
        return None
    name = getattr(exc, "name", None)
    obj = getattr(exc, "obj", None)
    if name is None or obj is None:
        return None
    tb = exc.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    if tb is None or tb.tb_frame.f_code.co_filename != code_file:
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
        raise WorkTimeout(f"ran longer than {self.seconds:g} s")

    def __exit__(self, *exc):
        if self.armed:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, self.previous)
        return False


def observe_lane(work: Work, lane: lanes_module.Lane,
                 timeout_s: float | None = None) -> LaneResult:
    """Run ``work`` on ``lane`` in this process, under the alarm."""
    start = time.perf_counter()
    result = LaneResult()
    is_target = lane.name == "target"
    try:
        # Warnings the work does not record itself (observe.warnings) are not observations.
        with _Alarm(timeout_s), _warnings.catch_warnings():
            _warnings.simplefilter("ignore")
            result.observations = work.observe(lane)
        lacking = [v["name"] for v in result.observations.values()
                   if v.get("type") == "missing"] if is_target else []
        if lacking:
            result.failure, result.missing = Status.MISSING, lacking[0]
            result.reason = f"{lane.module_name} lacks {lacking[0]}"
    except WorkTimeout as exc:
        result.failure, result.reason = Status.TIMEOUT, f"{lane.name}: {exc}"
    except Exception as exc:  # noqa: BLE001 - an uncaught error is compared like any value
        missing = missing_name(exc, work.code_file) if is_target else None
        if missing is not None:
            result.failure, result.missing = Status.MISSING, missing
            result.reason = f"{lane.module_name} lacks {missing}"
        else:
            result.observations = {UNCAUGHT: to_plain(raised(exc))}
            result.traceback = short_traceback(exc)
    result.duration_s = time.perf_counter() - start
    return result


def short_traceback(exc: BaseException) -> str:
    return "".join(traceback.format_exception(type(exc), exc, exc.__traceback__, limit=-6))


# ------------------------------------------------------------------------------ executors

class InProcess:
    """Runs work here, on lanes made here."""

    def __init__(self, lanes: dict[str, lanes_module.Lane],
                 timeout_s: float | None = DEFAULT_TIMEOUT_S):
        self.lanes = lanes
        self.target = lanes["target"].module_name
        self.timeout_s = timeout_s
        self.lane_info = {name: lane.describe() for name, lane in lanes.items()}

    def observe(self, work: Work, lanes: list[str] | None = None) -> dict[str, LaneResult]:
        names = _running(self.lane_info) if lanes is None else lanes
        return {name: observe_lane(work, self.lanes[name], self.timeout_s) for name in names}

    def stop(self) -> None:
        pass


def _running(lane_info: dict[str, dict]) -> list[str]:
    return [name for name, info in lane_info.items() if info["status"] == "run"]


def _serve(conn, target: str, want_cuda: bool, timeout_s: float, owner_pid: int) -> None:
    """The child's loop: make the lanes once, then run the lanes of each work it is sent."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)   # Ctrl-C is the parent's to handle
    os.environ["CONFORMANCE_OWNER_PID"] = str(owner_pid)   # the process this one serves
    lanes_module.pin_threads()
    try:
        lanes = lanes_module.make_lanes(target, want_cuda)
        lanes_module.pin_threads()
    except BaseException as exc:  # noqa: BLE001 - reported to the parent, which raises it
        conn.send(("error", f"{type(exc).__name__}: {exc}\n{short_traceback(exc)}"))
        return
    conn.send(("ready", {name: lane.describe() for name, lane in lanes.items()},
               environment(lanes)))
    while True:
        try:
            message = conn.recv_bytes()
        except (EOFError, OSError):
            return
        try:
            kind, work, lane_names = pickle.loads(message)
        except Exception as exc:  # noqa: BLE001 - work that cannot be rebuilt here
            kind, work, lane_names = "unknown", f"{type(exc).__name__}: {exc}", None
        if kind == "stop":
            return
        if kind == "unknown":
            conn.send(("unknown", work))
            continue
        for name in lane_names:
            conn.send(("start", name))
            conn.send(("lane", name, observe_lane(work, lanes[name], timeout_s)))
        conn.send(("done",))


def _context():
    """Children come from a fork server that has imported torch and NumPy but never touched
    CUDA (so CUDA initialises in each child, never in a forked copy), which makes replacing a
    child after a timeout or a crash quick. Where there is no fork server: spawn."""
    try:
        context = multiprocessing.get_context("forkserver")
    except ValueError:
        return multiprocessing.get_context("spawn")
    context.set_forkserver_preload(["numpy", "torch", "conformance.execute"])
    return context


class Isolated:
    """Runs work in a child process; a hang is killed (timeout), a death is a crash.

    The child is replaced after a timeout or a crash, so the run goes on.
    """

    def __init__(self, target: str, want_cuda: bool = True,
                 timeout_s: float = DEFAULT_TIMEOUT_S):
        self.target = target
        self.want_cuda = want_cuda
        self.timeout_s = timeout_s
        self.process = None
        self.conn = None
        self.lane_info: dict[str, dict] = {}
        self.environment: dict = {}
        self.start_error: str | None = None
        self._work: Work | None = None
        self._pending: list[str] = []

    def start(self) -> None:
        lanes_module.pin_threads()          # inherited by the child before it imports torch
        context = _context()
        parent_conn, child_conn = context.Pipe()
        self.process = context.Process(
            target=_serve, args=(child_conn, self.target, self.want_cuda, self.timeout_s,
                                 os.getpid()),
            daemon=True, name="conformance-work")
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
                self.start_error = str(exc)     # the next work would fail the same way
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
                self.conn.send_bytes(pickle.dumps(("stop", None, None)))
            except (OSError, ValueError):
                pass
        if self.process is not None and self.process.pid is not None:
            self.process.join(2)
            self._kill()
        self.process = None
        self.conn = None

    def observe(self, work: Work, lanes: list[str] | None = None) -> dict[str, LaneResult]:
        """Each lane's :class:`LaneResult` for ``work`` (default: every lane that runs)."""
        self.submit(work, lanes)
        return self.result()

    def submit(self, work: Work, lanes: list[str] | None = None) -> None:
        """Send ``work`` to the child and return at once (the caller may prepare the next
        work meanwhile); :meth:`result` waits for it. One work at a time."""
        self.ensure_started()
        self._work = work
        self._pending = _running(self.lane_info) if lanes is None else list(lanes)
        self._send()

    def _send(self) -> None:
        self.conn.send_bytes(pickle.dumps(("work", self._work, list(self._pending))))

    def result(self) -> dict[str, LaneResult]:
        """The submitted work's lane results. A lane that does not answer in time is killed
        with its process (timeout), a lane whose process dies is a crash; either way the
        child is replaced and the work's remaining lanes run in the new one."""
        pending = self._pending
        results: dict[str, LaneResult] = {}
        limit = self.timeout_s + min(HARD_KILL_GRACE_S, max(1.0, self.timeout_s))
        current = pending[0] if pending else None
        while pending:
            if not self.conn.poll(limit):
                self._kill()
                results[current] = LaneResult(
                    failure=Status.TIMEOUT, duration_s=limit,
                    reason=f"{current}: no answer in {limit:g} s; the process was killed")
                pending.remove(current)
            else:
                try:
                    message = self.conn.recv()
                except (EOFError, OSError):
                    how = self._reap()
                    results[current] = LaneResult(
                        failure=Status.CRASH,
                        reason=f"{current}: the process running the case died ({how})")
                    pending.remove(current)
                else:
                    if message[0] == "start":
                        current = message[1]
                    elif message[0] == "lane":
                        results[message[1]] = message[2]
                        pending.remove(message[1])
                        if not pending:
                            self.conn.recv()        # the ("done",) that closes the work
                    elif message[0] == "unknown":
                        for name in pending:
                            results[name] = LaneResult(failure=Status.CRASH,
                                                       reason=message[1])
                        pending.clear()
                    continue
            if pending:             # the child was replaced: the other lanes run in the new one
                self.ensure_started()
                self._send()
                current = pending[0]
        self._work = None
        return results


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
    """Versions and machine facts for the report (imports torch; CUDA only if available).
    The isolated executor's child reports it for the lanes it made."""
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
