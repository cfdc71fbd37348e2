"""The one executor: runs a piece of work (a case, a fuzz program) on the lanes.

A :class:`Work` knows how to observe itself on one lane; :func:`observe_lane` does that in
this process under a time limit (SIGALRM) and turns what happened into a :class:`LaneResult`:
the observations, or why there are none (``missing``, ``timeout``, ``crash``).

Two executors with one interface (``lane_info``, ``observe(work, lanes)``, ``stop()``):

- :class:`InProcess` runs the work here, on lanes made here (a hang is stopped by the alarm
  when called from the main thread; a crash takes the caller with it);
- :class:`Isolated` runs it in a child process that is killed when the work hangs past its
  alarm (``timeout``) and replaced when the work kills it (``crash``), so the run goes on.
  The child has a memory limit (RLIMIT_AS, ``memory_limit``); running out of it is a
  ``crash`` record saying "out of memory", and the child is replaced after that, after a
  soft timeout, and when its memory grew past half the limit. Ctrl-C is the parent's: the
  child ignores SIGINT and the parent's KeyboardInterrupt propagates to whoever drives the run.

Whatever the target does, the lane result says what happened: an attribute missing on the
target (its namespace, a tensor-like, an object of its package) is ``missing``; one missing on
anything else the target handed back is a wrong type (a divergence naming what came back);
an exception that ends a thread the work started is observed, not printed.

Cases become work in :mod:`conformance.case_work`, fuzz programs in
:mod:`conformance.fuzz.oracle`; records are built from the lane results by
:mod:`conformance.pair_records`.
"""
from __future__ import annotations

import multiprocessing
import os
import pickle
import re
import signal
import sys
import threading
import time
import traceback
import warnings as _warnings
from typing import Protocol

from conformance import lanes as lanes_module
from conformance.lane_result import LaneResult
from conformance.observe import MissingFeature, is_tensor_like, raised, to_plain
from conformance.records import Status

DEFAULT_TIMEOUT_S = 60.0
DEFAULT_MEMORY_LIMIT = 4 << 30   # bytes of address space a case process may add (RLIMIT_AS)
MEMORY_LIMIT_ENV = "CONFORMANCE_MEMORY_LIMIT"   # set in the case process: its limit, shown
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



# ----------------------------------------------------------------------- one lane, in process

def missing_name(exc: BaseException, code_file: str, target: str | None = None) -> str | None:
    """The missing feature ``exc`` names, if it names one: a :class:`MissingFeature` from
    the target's namespace, or an AttributeError raised by the work's own code on a target
    object: a tensor-like (``x.retain_grad`` on a tensor class without it), or an object or
    class of the target's own package (``target``). One raised inside the target is a bug in
    the target and stays an error; one raised on any other object (a list where a tensor
    was due) is a wrong type (:func:`wrong_type`)."""
    if isinstance(exc, MissingFeature):
        return exc.qualified_name
    found = _attribute_error_in(exc, code_file)
    if found is None:
        return None
    obj, name, _ = found
    if not _is_target_object(obj, target):
        return None
    owner = obj.__name__ if isinstance(obj, type) else type(obj).__name__
    return f"{owner}.{name}"


def wrong_type(exc: BaseException, code_file: str, target: str | None) -> str | None:
    """What the target returned instead of what the work needed, when ``exc`` is an
    AttributeError the work's own code hit on an object that is neither a tensor-like nor
    the target's (a ``list`` from ``x.sum()``): "target returned the wrong type: x.sum()
    returned list [6.0] (which has no attribute 'backward')"."""
    if isinstance(exc, MissingFeature):
        return None
    found = _attribute_error_in(exc, code_file)
    if found is None or _is_target_object(found[0], target):
        return None
    obj, name, expression = found
    what = f"{expression} returned" if expression else "the work got"
    return (f"target returned the wrong type: {what} {type(obj).__name__} "
            f"{_clipped_repr(obj)} (which has no attribute {name!r})")


def _attribute_error_in(exc: BaseException, code_file: str):
    """(object, attribute, expression that gave the object or "") of an AttributeError
    raised by the work's own code (its last frame in ``code_file``), else None."""
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
    return obj, name, _receiver_text(tb, name)


def _receiver_text(tb, name: str) -> str:
    """The source of the expression whose attribute ``name`` was missing: the failing
    instruction's span (``y.sum().backward``) without its last ``.name``."""
    import linecache
    code = tb.tb_frame.f_code
    try:
        positions = list(code.co_positions())[tb.tb_lasti // 2]
    except (AttributeError, IndexError, ValueError):
        return ""
    line, end_line, start, end = positions
    if None in positions or line != end_line:
        return ""
    text = linecache.getline(code.co_filename, line)[start:end].strip()
    suffix = "." + name
    return text[: -len(suffix)].strip() if text.endswith(suffix) else ""


def _is_target_object(obj, target: str | None) -> bool:
    """A tensor-like, or a class or an instance of a class of the target's package."""
    if is_tensor_like(obj) and not isinstance(obj, type):
        return True
    if target is None:
        return True         # no target to tell by: every object counts as its
    cls = obj if isinstance(obj, type) else type(obj)
    root = target.partition(".")[0]
    module = getattr(cls, "__module__", None) or ""
    return module == target or module.partition(".")[0] == root


def _clipped_repr(obj, width: int = 60) -> str:
    try:
        text = repr(obj)
    except Exception as exc:  # noqa: BLE001 - a broken repr is shown as such
        text = f"<repr raised {type(exc).__name__}>"
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


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


class _ThreadErrors:
    """Collects the exceptions that end threads the work started (threading.excepthook),
    so that they are observed instead of printed to stderr."""

    def __init__(self):
        self.errors: list[BaseException] = []

    def _hook(self, args) -> None:
        if args.exc_value is not None and not isinstance(args.exc_value, SystemExit):
            self.errors.append(args.exc_value)

    def __enter__(self):
        self.previous = threading.excepthook
        threading.excepthook = self._hook
        return self

    def __exit__(self, *exc):
        threading.excepthook = self.previous
        return False


# "allocate 1.00 GiB" (NumPy), "allocate 8000000000000 bytes" (torch CPU), "allocate 7.28 TiB"
# (torch CUDA): the size of the request that failed.
_REQUEST = re.compile(r"allocate ([0-9.]+) ?(bytes|B|KiB|MiB|GiB|TiB|PiB|EiB)\b", re.I)
_UNITS = {"bytes": 1, "b": 1, "kib": 1 << 10, "mib": 1 << 20, "gib": 1 << 30, "tib": 1 << 40,
          "pib": 1 << 50, "eib": 1 << 60}


def _beyond_the_machine(message: str) -> bool:
    """Whether the failed request was larger than this machine's memory: then the error is
    the behaviour under test (``torch.ones(10**13)``), compared like any other error."""
    match = _REQUEST.search(message)
    if match is None:
        return False
    try:
        size = float(match.group(1)) * _UNITS[match.group(2).lower()]
        machine = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, KeyError):
        return False
    return size > machine


def _out_of_memory(exc: BaseException) -> bool:
    """MemoryError, torch's CPU allocator failing, or torch.OutOfMemoryError (CUDA), for a
    request the machine could have met: the case process ran out of its memory."""
    kind = isinstance(exc, MemoryError) or type(exc).__name__ == "OutOfMemoryError" or (
        isinstance(exc, RuntimeError) and "can't allocate memory" in str(exc))
    return kind and not _beyond_the_machine(str(exc))


def _observed_out_of_memory(observations: dict) -> str | None:
    """The message of an out-of-memory error the work caught and recorded, if any (one the
    machine could not have met either is an observation: see _beyond_the_machine)."""
    for value in observations.values():
        if isinstance(value, dict) and value.get("type") == "warnings":
            value = value.get("result") or {}
        if not (isinstance(value, dict) and value.get("type") == "error"):
            continue
        message = value.get("message", "")
        if (value.get("class") in ("MemoryError", "OutOfMemoryError")
                or "can't allocate memory" in message) and not _beyond_the_machine(message):
            return f"{value['class']}: {message}"
    return None


def _first_line(text: str, width: int = 300) -> str:
    line = text.strip().split("\n", 1)[0] if text.strip() else ""
    return line if len(line) <= width else line[: width - 1] + "…"


def observe_lane(work: Work, lane: lanes_module.Lane,
                 timeout_s: float | None = None) -> LaneResult:
    """Run ``work`` on ``lane`` in this process, under the alarm. Exceptions that end the
    work's own threads are observed too (a missing feature hit in a thread is missing)."""
    if lane.reference is not None:
        return replayed(work, lane)
    start = time.perf_counter()
    result = LaneResult()
    is_target = lane.name == "target"
    target = lane.module_name if is_target else None
    threads = _ThreadErrors()
    try:
        # Warnings the work does not record itself (observe.warnings) are not observations.
        with _Alarm(timeout_s), _warnings.catch_warnings(), threads:
            _warnings.simplefilter("ignore")
            result.observations = work.observe(lane)
        for exc in threads.errors:
            _thread_error(result, exc, work.code_file, target)
        lacking = [v["name"] for v in result.observations.values()
                   if v.get("type") == "missing"] if is_target else []
        if lacking and result.failure is None:
            result.failure, result.missing = Status.MISSING, lacking[0]
            result.reason = f"{lane.module_name} lacks {lacking[0]}"
        oom = _observed_out_of_memory(result.observations)
        if oom is not None:
            _out_of_memory_result(result, lane, oom)
    except WorkTimeout as exc:
        result.failure, result.reason = Status.TIMEOUT, f"{lane.name}: {exc}"
        result.recycle = True
    except Exception as exc:  # noqa: BLE001 - an uncaught error is compared like any value
        missing = missing_name(exc, work.code_file, target) if is_target else None
        if _out_of_memory(exc):
            _out_of_memory_result(result, lane, f"{type(exc).__name__}: {exc}")
        elif missing is not None:
            result.failure, result.missing = Status.MISSING, missing
            result.reason = f"{lane.module_name} lacks {missing}"
        else:
            result.observations = {UNCAUGHT: to_plain(raised(exc))}
            result.traceback = short_traceback(exc)
            result.wrong_type = wrong_type(exc, work.code_file, target) if is_target else None
    result.duration_s = time.perf_counter() - start
    return result


def replayed(work: Work, lane: lanes_module.Lane) -> LaneResult:
    """What ``lane`` showed for ``work`` when its reference was recorded; a work the reference
    lacks is this lane not run, saying so (never a match)."""
    ref = lane.reference
    work_id = getattr(work, "reference_id", None)
    found = None if work_id is None else ref.lane_result(work_id, lane.name)
    if found is not None:
        return found
    return LaneResult(failure=Status.NOT_RUN, reason=(
        f"{lane.name}: {work_id or 'this work'} is not in the reference {ref.name} "
        f"(torch {ref.torch_version}); record it with 'conformance record'"))


def _thread_error(result: LaneResult, exc: BaseException, code_file: str,
                  target: str | None) -> None:
    """An exception that ended one of the work's threads: missing, or observed."""
    missing = missing_name(exc, code_file, target) if target is not None else None
    if missing is not None:
        if result.failure is None:
            result.failure, result.missing = Status.MISSING, missing
            result.reason = f"{target} lacks {missing} (in a thread the work started)"
        return
    name = UNCAUGHT + " in a thread"
    if name not in result.observations:
        result.observations[name] = to_plain(raised(exc))
        result.traceback = result.traceback or short_traceback(exc)


def _out_of_memory_result(result: LaneResult, lane: lanes_module.Lane, message: str) -> None:
    limit = os.environ.get(MEMORY_LIMIT_ENV)
    within = f" (the case process may use {limit} more bytes)" if limit else ""
    result.failure = Status.CRASH
    result.reason = f"{lane.name}: out of memory{within}: {_first_line(message, 200)}"
    result.observations = {}
    result.recycle = True


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


def _serve(conn, target: str, want_cuda: bool, timeout_s: float, owner_pid: int,
           memory_limit: int | None = None, lane_options: dict | None = None) -> None:
    """The child's loop: make the lanes once, then run the lanes of each work it is sent.
    ``lane_options`` are make_lanes's keywords (record, references)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)   # Ctrl-C is the parent's to handle
    os.environ["CONFORMANCE_OWNER_PID"] = str(owner_pid)   # the process this one serves
    lanes_module.pin_threads()
    try:
        lanes = lanes_module.make_lanes(target, want_cuda, **(lane_options or {}))
        lanes_module.pin_threads()
    except BaseException as exc:  # noqa: BLE001 - reported to the parent, which raises it
        conn.send(("error", f"{type(exc).__name__}: {_first_line(str(exc))}",
                   short_traceback(exc)))
        return
    baseline = _memory()[1]
    if memory_limit:
        _limit_address_space(memory_limit, lanes["torch-cuda"].status == "run")
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
        # Memory that stays after the work (a leak) grows the next work's baseline: past half
        # the limit, the parent replaces this process before the next work.
        grown = _memory()[1] - baseline
        conn.send(("done", bool(memory_limit) and grown > memory_limit // 2))


def _memory() -> tuple[int, int]:
    """(address space, resident set) of this process in bytes; (0, 0) where unknown."""
    try:
        with open("/proc/self/statm") as handle:
            size, resident = handle.read().split()[:2]
    except (OSError, ValueError):
        return 0, 0
    page = os.sysconf("SC_PAGE_SIZE")
    return int(size) * page, int(resident) * page


def _limit_address_space(memory_limit: int, cuda: bool) -> None:
    """Let this process map ``memory_limit`` bytes beyond what it holds now (RLIMIT_AS): an
    allocation past it fails with MemoryError (an out-of-memory record) instead of taking
    the machine's memory. Not where the CUDA lane runs: CUDA reserves address space far
    beyond any such limit (the resident-set check still replaces a process that grew)."""
    os.environ[MEMORY_LIMIT_ENV] = str(memory_limit)
    if cuda:
        return
    try:
        import resource
    except ImportError:          # not a POSIX system
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    wanted = _memory()[0] + memory_limit
    if hard != resource.RLIM_INFINITY:
        wanted = min(wanted, hard)
    if soft == resource.RLIM_INFINITY or wanted < soft:
        resource.setrlimit(resource.RLIMIT_AS, (wanted, hard))


def _context(with_torch: bool = True):
    """Children come from a fork server that has imported torch and NumPy but never touched
    CUDA (so CUDA initialises in each child, never in a forked copy), which makes replacing a
    child after a timeout or a crash quick. Where there is no fork server: spawn. Replaying
    references (``with_torch=False``), the fork server does not import torch."""
    try:
        context = multiprocessing.get_context("forkserver")
    except ValueError:
        return multiprocessing.get_context("spawn")
    preload = ["numpy", "torch", "conformance.execute"] if with_torch else \
        ["numpy", "conformance.execute"]
    context.set_forkserver_preload(preload)
    return context


class Isolated:
    """Runs work in a child process; a hang is killed (timeout), a death is a crash.

    The child is replaced after a timeout (hard or soft), a crash, running out of memory, or
    when its resident memory grew past half of ``memory_limit``, so the run goes on and no
    work inherits another's state. ``memory_limit`` (bytes, default 4 GiB; None for none) is
    what the child may map beyond what it holds once its lanes are made (RLIMIT_AS).
    """

    def __init__(self, target: str, want_cuda: bool = True,
                 timeout_s: float = DEFAULT_TIMEOUT_S,
                 memory_limit: int | None = DEFAULT_MEMORY_LIMIT,
                 lane_options: dict | None = None):
        self.target = target
        self.want_cuda = want_cuda
        self.lane_options = dict(lane_options or {})    # make_lanes's record / references
        self.timeout_s = timeout_s
        self.memory_limit = memory_limit
        self.process = None
        self.conn = None
        self.lane_info: dict[str, dict] = {}
        self.environment: dict = {}
        self.start_error: str | None = None
        self.start_details: str | None = None     # the traceback behind start_error
        self._work: Work | None = None
        self._pending: list[str] = []

    def start(self) -> None:
        lanes_module.pin_threads()          # inherited by the child before it imports torch
        context = _context(with_torch=not self.lane_options.get("references"))
        parent_conn, child_conn = context.Pipe()
        self.process = context.Process(
            target=_serve, args=(child_conn, self.target, self.want_cuda, self.timeout_s,
                                 os.getpid(), self.memory_limit, self.lane_options),
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
            self.start_details = message[2]
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
        with its process (timeout), a lane whose process dies is a crash; either way, and
        after a soft timeout or running out of memory, the child is replaced and the work's
        remaining lanes run in the new one."""
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
                        continue
                    if message[0] == "unknown":
                        for name in pending:
                            results[name] = LaneResult(failure=Status.CRASH,
                                                       reason=message[1])
                        pending.clear()
                        continue
                    lane_result = results[message[1]] = message[2]
                    pending.remove(message[1])
                    if lane_result.recycle:
                        self._kill()        # a soft timeout or out of memory: start afresh
                    elif not pending:
                        _, grown = self.conn.recv()      # the ("done", grown) closing it
                        if grown:
                            self.stop()
                    if self.process is not None:
                        continue
            if pending:             # the child was replaced: the other lanes run in the new one
                try:
                    self.ensure_started()
                except RuntimeError:
                    pass
                if self.start_error is not None or self.conn is None:
                    for name in pending:
                        results[name] = LaneResult(failure=Status.CRASH, reason=(
                            self.start_error or "the case process could not be restarted"))
                    pending.clear()
                    continue
                self._send()
                current = pending[0]
        self._work = None
        return results


# ------------------------------------------------------------------------ the environment

def harness_commit() -> str | None:
    """The commit of the harness's own source, when it runs from a checkout of its project
    (the folder above ``conformance/`` is the top of a git work tree holding ``refgrad/``);
    None when installed, even inside some other repository."""
    import subprocess
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    if not os.path.isdir(os.path.join(root, "refgrad")):
        return None

    def git(*args: str) -> str | None:
        try:
            out = subprocess.run(["git", *args], cwd=root, timeout=10, capture_output=True,
                                 text=True)
        except (OSError, subprocess.SubprocessError):
            return None
        return out.stdout.strip() or None if out.returncode == 0 else None

    top = git("rev-parse", "--show-toplevel")
    if top is None or os.path.realpath(top) != os.path.realpath(root):
        return None
    return git("rev-parse", "--short", "HEAD")


def _harness_version() -> str:
    import conformance
    return conformance.__version__


def environment(lanes: dict[str, lanes_module.Lane] | None = None, target: str | None = None,
                command: str | None = None) -> dict:
    """Versions and machine facts for the report (imports torch; CUDA only if available).
    The isolated executor's child reports it for the lanes it made. Recording, it is the
    reference's environment (conformance.reference.torch_environment); replaying, torch's
    facts are the references' and torch is not imported (see replayed_environment)."""
    import platform

    import numpy

    command = command or " ".join([os.path.basename(sys.executable)] + sys.argv)
    if lanes is not None and lanes_module.recording(lanes):
        from conformance import reference
        return {**reference.torch_environment(lanes), "command": command}
    target = lanes["target"].module_name if lanes else lanes_module.resolve_target(target)
    target_module = sys.modules.get(target)
    env = {
        "target": target,
        "target_version": getattr(target_module, "__version__", None),
        "target_follows_torch": getattr(target_module, "__torch_version__", None),
        "python": platform.python_version(),
        "numpy": numpy.__version__,
        "platform": platform.platform(),
        "commit": harness_commit(),
        "harness_version": _harness_version(),
        "command": command,
    }
    if lanes is not None and any(lane.reference is not None for lane in lanes.values()):
        return {**env, **replayed_environment(lanes)}
    import torch

    cuda_available = bool(lanes and lanes["torch-cuda"].status == "run")
    if lanes is None:
        cuda_available, _ = lanes_module.cuda_status(torch)
    cuda_device = None
    if cuda_available:
        try:
            cuda_device = torch.cuda.get_device_name(0)
        except Exception:  # noqa: BLE001 - the name is informative only
            cuda_device = None
    return {**env, "torch": torch.__version__, "cuda_available": cuda_available,
            "cuda_device": cuda_device}


def replayed_environment(lanes: dict[str, lanes_module.Lane]) -> dict:
    """Torch's facts when its lanes come from reference files: the recorded torch, the files
    ("reference": lane -> {file, torch}), and "reference_warning" when the recorded torch is
    not the torch installed here (read from its metadata, not imported) or the files hold
    different torch versions."""
    import importlib.metadata

    replayed = {name: lane for name, lane in lanes.items() if lane.reference is not None}
    first = next(iter(replayed.values())).reference
    cuda = lanes["torch-cuda"]
    versions = sorted({lane.reference.torch_version for lane in replayed.values()})
    try:
        installed = importlib.metadata.version("torch")
    except importlib.metadata.PackageNotFoundError:
        installed = None
    warnings = []
    if len(versions) > 1:
        warnings.append(f"the reference files hold different torch versions: "
                        f"{', '.join(versions)}")
    others = [v for v in versions if installed and v.split("+")[0] != installed.split("+")[0]]
    if others:
        warnings.append(f"the reference was recorded with torch {', '.join(others)}; torch "
                        f"{installed} is installed here")
    env = {"torch": first.torch_version if len(versions) == 1 else " / ".join(versions),
           "cuda_available": cuda.status == "run",
           "cuda_device": (cuda.reference.environment.get("cuda_device")
                           if cuda.status == "run" else None),
           "reference": {name: lane.reference.source() for name, lane in replayed.items()},
           "torch_installed": installed}
    if warnings:
        env["reference_warning"] = "; ".join(warnings)
    return env
