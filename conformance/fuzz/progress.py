"""A campaign's progress on stderr: programs run, divergences found, shrinking.

Work reports events through :func:`emit`, wherever it runs: in the campaign's own process
they go straight to the :class:`Progress`, in a worker process through a queue
(:func:`worker_init`) that the campaign's process drains. A :class:`Progress` prints a line
whenever its interval has passed, from a ticker thread, so a line comes at least every
``interval`` seconds even while one program hangs or one divergence is being shrunk.
"""
from __future__ import annotations

import queue as queue_module
import sys
import threading
import time

DEFAULT_INTERVAL_S = 2.0

_sink = None          # where emit() sends events in this process (a Progress or a queue)


def emit(event: str, **data) -> None:
    """Report ``event`` (``ran``, ``shrinking``, ``candidate``, ``shrunk``) to the campaign."""
    sink = _sink
    if sink is None:
        return
    try:
        sink.put((event, data))
    except (OSError, ValueError):     # a queue closed under a finishing worker
        pass


def worker_init(queue) -> None:
    """Pool initializer: this worker's events go to ``queue``."""
    global _sink
    _sink = queue


class Progress:
    """Counts and the shrinking in progress; one line on ``stream`` per ``interval``."""

    def __init__(self, total: int, stream=None, interval: float = DEFAULT_INTERVAL_S,
                 enabled: bool = True):
        self.total = total
        self.stream = sys.stderr if stream is None else stream
        self.interval = interval
        self.enabled = enabled
        self.ran = 0
        self.counts: dict[str, int] = {}           # status -> programs with that status
        self.shrinks = 0                            # divergences to shrink
        self.shrunk = 0
        self.shrinking: dict[int, dict] = {}        # seed -> {"from", "best", "candidates"}
        self.queue = None                           # the workers' queue, when there are any
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._start = time.monotonic()

    # ------------------------------------------------------------------ events

    def put(self, item: tuple[str, dict]) -> None:
        event, data = item
        with self._lock:
            if event == "ran":
                self.ran += 1
                status = data["status"]
                self.counts[status] = self.counts.get(status, 0) + 1
            elif event == "shrinking":
                self.shrinking[data["seed"]] = {"from": data["ops"], "best": data["ops"],
                                                "candidates": 0}
            elif event == "candidate":
                state = self.shrinking.setdefault(
                    data["seed"], {"from": data["best"], "best": data["best"],
                                   "candidates": 0})
                state["candidates"] += 1
                state["best"] = min(state["best"], data["best"])
            elif event == "shrunk":
                self.shrinking.pop(data["seed"], None)
                self.shrunk += 1

    def start_shrinking(self, count: int) -> None:
        with self._lock:
            self.shrinks = count
        self.line()

    # ------------------------------------------------------------------ output

    def summary(self) -> str:
        with self._lock:
            seconds = time.monotonic() - self._start
            found = ", ".join(f"{n} {status}" for status, n in sorted(self.counts.items())
                              if status != "match")
            text = (f"conformance fuzz: {self.ran}/{self.total} programs run, "
                    f"{found or 'no divergence'}")
            if self.shrinks:
                text += f"; shrinking {self.shrunk}/{self.shrinks} done"
                for seed, state in sorted(self.shrinking.items()):
                    text += (f"; seed {seed}: {state['candidates']} candidates, "
                             f"{state['from']} -> {state['best']} ops")
            return f"{text} ({seconds:.0f} s)"

    def line(self) -> None:
        if self.enabled:
            print(self.summary(), file=self.stream, flush=True)

    def _drain(self, timeout: float) -> None:
        if self.queue is None:
            self._stop.wait(timeout)
            return
        deadline = time.monotonic() + timeout
        while not self._stop.is_set():
            left = deadline - time.monotonic()
            if left <= 0:
                return
            try:
                self.put(self.queue.get(timeout=min(left, 0.2)))
            except queue_module.Empty:
                continue
            except (EOFError, OSError, ValueError):
                self._stop.wait(left)
                return

    def _tick(self) -> None:
        while not self._stop.is_set():
            self._drain(self.interval)
            if not self._stop.is_set():
                self.line()

    def __enter__(self) -> "Progress":
        global _sink
        _sink = self
        self._thread = threading.Thread(target=self._tick, name="fuzz-progress",
                                        daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        global _sink
        self._stop.set()
        if self._thread is not None:
            self._thread.join(5)
        if self.queue is not None:          # events still queued by finished workers
            while True:
                try:
                    self.put(self.queue.get_nowait())
                except (queue_module.Empty, EOFError, OSError, ValueError):
                    break
        _sink = None
        if exc[0] is None:
            self.line()
