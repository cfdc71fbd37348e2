"""The fuzz command under a hostile target (``tests/planted/fuzz_targets/hostile.py``): a
program that segfaults, calls ``os._exit`` or hangs with the alarm blocked becomes a record
(crash / timeout) naming its seed and the command that replays it, and the campaign goes on
and writes its report, in one process and split over two; Hypothesis leaves nothing in the
working folder.
"""
from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from conformance import fuzz
from conformance.fuzz.profiles import PROFILES, generate, hypothesis_version

pytest.importorskip("torch")
REPO = Path(__file__).resolve().parents[2]
HOSTILE = "tests.planted.fuzz_targets.hostile"
PAIR = "target~torch-cpu"
KILLERS = {"cos": ("crash", "killed by SIGSEGV"), "sqrt": ("crash", "exit code 3"),
           "sigmoid": ("timeout", "no answer in")}


def _ops(seed: int) -> set[str]:
    return {step.op for step in generate(PROFILES["ci"], seed)[0].steps}


def _window(length: int = 8) -> int:
    """The first ci seed from which ``length`` seeds hold a program for each way of dying
    (using that op alone of the three) and a calm one (seeds follow the catalogue, so they
    are searched)."""
    kinds = [_ops(seed) & set(KILLERS) for seed in range(200 + length)]
    for base in range(200):
        window = kinds[base:base + length]
        singles = {next(iter(k)) for k in window if len(k) == 1}
        if singles == set(KILLERS) and set() in window:
            return base
    pytest.fail("no window of ci seeds with every kind of hostile program")


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_hostile_target_gives_records_naming_seeds_and_a_report(jobs, tmp_path):
    base, length = _window(), 8
    env = {**os.environ, "PYTHONPATH": str(REPO), "OMP_NUM_THREADS": "1"}
    env.pop("HYPOTHESIS_STORAGE_DIRECTORY", None)
    run = subprocess.run(
        [sys.executable, "-m", "conformance", "fuzz", "--target", HOSTILE, "--no-cuda",
         "--no-shrink", "--seed", str(base), "--programs", str(length), "-n", str(jobs),
         "--timeout", "6", "--json", "fuzz.json", "--repro-dir", "repros"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert run.returncode == 1, run.stdout + run.stderr       # crashes are unexpected
    report = json.loads((tmp_path / "fuzz.json").read_text())
    info = report["environment"]["fuzz"]
    assert info["programs"] == length and info["jobs"] == jobs and info["tasks"] == jobs
    assert info["hypothesis"] == hypothesis_version()
    records = {r["fuzz"]["seed"]: r for r in report["records"] if r["pair"] == PAIR}
    assert sorted(records) == list(range(base, base + length))
    for seed, record in records.items():
        killers = _ops(seed) & set(KILLERS)
        if not killers:
            assert record["status"] == "match", (seed, record["reason"])
            continue
        assert record["status"] in ("crash", "timeout"), (seed, record["reason"])
        assert f"seed {seed}: " in record["reason"]
        assert record["fuzz"]["replay"] in record["reason"]
        if len(killers) == 1:
            status, why = KILLERS[killers.pop()]
            assert record["status"] == status and why in record["reason"], record["reason"]
    assert "programs run" in run.stderr                       # progress lines
    assert not (tmp_path / ".hypothesis").exists()
    if jobs == 1:
        # the replay command the record gives runs the same program, to the same end
        crash = next(r for r in records.values() if "exit code 3" in r["reason"])
        argv = shlex.split(crash["fuzz"]["replay"])
        assert argv[:4] == ["python", "-m", "conformance", "fuzz"]
        code = fuzz.main(argv[4:] + ["--no-cuda", "-q", "--json", str(tmp_path / "r.json")])
        again = json.loads((tmp_path / "r.json").read_text())
        (replayed,) = [r for r in again["records"] if r["pair"] == PAIR]
        assert code == 1 and replayed["status"] == "crash", replayed["reason"]
        assert "exit code 3" in replayed["reason"]
