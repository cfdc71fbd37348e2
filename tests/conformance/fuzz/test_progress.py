"""Progress lines on stderr (conformance.fuzz.progress) and their place in the CLI."""
from __future__ import annotations

import io
import json
import queue
import time

import pytest

from conformance import fuzz
from conformance.fuzz import progress
from conformance.fuzz.profiles import hypothesis_version


def _wait_for(predicate, limit_s: float = 30.0) -> None:
    """Poll ``predicate`` until it holds (a generous limit: machines are shared)."""
    stop = time.monotonic() + limit_s
    while not predicate():
        assert time.monotonic() < stop, "timed out waiting"
        time.sleep(0.02)


def test_lines_count_programs_divergences_and_shrinking():
    stream = io.StringIO()
    with progress.Progress(10, stream=stream, interval=0.05) as shown:
        for status in ("match", "diverge", "match", "crash"):
            progress.emit("ran", seed=1, status=status)
        shown.start_shrinking(2)
        progress.emit("shrinking", seed=7, ops=5)
        progress.emit("candidate", seed=7, best=4)
        progress.emit("candidate", seed=7, best=3)
        _wait_for(lambda: "seed 7: 2 candidates, 5 -> 3 ops" in stream.getvalue())
        progress.emit("shrunk", seed=7, ops=3)
        lines = len(stream.getvalue().splitlines())
        # a line every interval even when nothing happens
        _wait_for(lambda: len(stream.getvalue().splitlines()) >= lines + 2)
    last = stream.getvalue().splitlines()[-1]
    assert last.startswith("conformance fuzz: 4/10 programs run, 1 crash, 1 diverge; "
                           "shrinking 1/2 done ("), last
    progress.emit("ran", seed=2, status="match")          # no campaign: goes nowhere


def test_quiet_progress_prints_nothing():
    stream = io.StringIO()
    with progress.Progress(3, stream=stream, interval=0.01, enabled=False):
        progress.emit("ran", seed=0, status="diverge")
        time.sleep(0.05)
    assert stream.getvalue() == ""


def test_worker_events_go_through_the_queue():
    events = queue.Queue()
    progress.worker_init(events)
    try:
        progress.emit("ran", seed=3, status="timeout")
    finally:
        progress.worker_init(None)
    stream = io.StringIO()
    shown = progress.Progress(5, stream=stream, interval=0.05)
    shown.queue = events
    with shown:
        _wait_for(lambda: shown.ran == 1)
    assert "1/5 programs run, 1 timeout" in stream.getvalue().splitlines()[-1]


def test_cli_progress_goes_to_stderr_and_q_silences_it(tmp_path, capsys):
    pytest.importorskip("torch")
    args = ["--programs", "2", "--target", "torch", "--no-cuda", "--repro-dir",
            str(tmp_path / "repros")]
    assert fuzz.main(args + ["--json", str(tmp_path / "a.json")]) == 0
    err = capsys.readouterr().err
    assert "conformance fuzz: 2/2 programs run, no divergence" in err
    assert fuzz.main(args + ["-q", "--json", str(tmp_path / "b.json")]) == 0
    assert "programs run" not in capsys.readouterr().err
    report = json.loads((tmp_path / "b.json").read_text())
    assert report["environment"]["fuzz"]["hypothesis"] == hypothesis_version()


def test_replay_under_another_hypothesis_is_refused(tmp_path, capsys):
    code = fuzz.main(["--replay", "4", "--profile", "ci", "--target", "torch",
                      "--hypothesis-version", "0.0.1", "--json", str(tmp_path / "r.json")])
    err = capsys.readouterr().err
    assert code == 2 and not (tmp_path / "r.json").exists()
    assert (f"drawn by Hypothesis 0.0.1, but Hypothesis {hypothesis_version()} is installed"
            in err) and "hypothesis==0.0.1" in err
