"""Torch's lanes from another interpreter: ``run --torch-python PATH`` and drift's
``python:PATH`` sides record a reference there and replay it (here the other interpreter is
this one, which is enough to show the mechanism; tox -e drift uses a second virtualenv)."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from conformance import torch_python
from conformance.__main__ import main

ROOT = torch_python.checkout_root()
SUBSET = "cat_size_mismatch or stack_size_mismatch or bce_target_size"


def _conformance(*args: str, cwd) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": ROOT, "OMP_NUM_THREADS": "1"}
    return subprocess.run([sys.executable, "-m", "conformance", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=600)


def _statuses(path) -> dict:
    report = json.loads(path.read_text())
    return {r["id"]: r["status"] for r in report["records"]}, report


def test_run_with_torch_python_gives_the_live_run_s_statuses(tmp_path):
    live = _conformance("run", "-k", SUBSET, "-n", "0", "--no-html",
                        "--json", str(tmp_path / "live.json"), cwd=tmp_path)
    assert live.returncode == 0, live.stderr
    other = _conformance("run", "--torch-python", sys.executable, "-k", SUBSET, "-n", "0",
                         "--no-html", "--json", str(tmp_path / "other.json"), cwd=tmp_path)
    assert other.returncode == 0, other.stderr
    assert f"recording torch's lanes with {sys.executable}" in other.stderr
    live_statuses, _ = _statuses(tmp_path / "live.json")
    other_statuses, report = _statuses(tmp_path / "other.json")
    assert len(live_statuses) >= 9 and other_statuses == live_statuses
    # the torch lanes were replayed from the file recorded in the other interpreter
    assert report["environment"]["reference"]["torch-cpu"]["file"] == "torch-python.ref.json.gz"


def test_drift_records_python_sides_and_keeps_them(tmp_path):
    kept = tmp_path / "refs"
    done = _conformance("drift", f"python:{sys.executable}", f"python:{sys.executable}",
                        "-k", SUBSET, "--no-cuda", "--keep-references", str(kept),
                        "--json", str(tmp_path / "drift.json"), "--no-html", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    statuses, report = _statuses(tmp_path / "drift.json")
    assert len(statuses) == 3 and set(statuses.values()) == {"match"}
    assert sorted(os.listdir(kept)) == ["a.ref.json.gz", "b.ref.json.gz"]
    assert report["drift"]["a"]["from"] == f"python:{sys.executable}"


@pytest.mark.parametrize("argv", [
    ["run", "--torch-python", "/no/such/python", "--json", "{tmp}/r.json"],
    ["drift", "python:/no/such/python", "python:/no/such/either", "--json", "{tmp}/d.json"],
])
def test_a_missing_interpreter_is_one_line_before_anything_runs(argv, tmp_path, capsys):
    assert main([a.replace("{tmp}", str(tmp_path)) for a in argv]) == 2
    err = capsys.readouterr().err
    assert "/no/such/python: no such interpreter" in err and "recording" not in err
    assert not list(tmp_path.iterdir())


def test_torch_python_and_reference_exclude_each_other(capsys):
    with pytest.raises(SystemExit) as exited:
        main(["run", "--torch-python", sys.executable, "--reference", "x.ref.json.gz"])
    assert exited.value.code == 2
    assert "not allowed with --reference" in capsys.readouterr().err


def test_record_command_carries_the_selection():
    command = torch_python.record_command("/py", "/o.ref.json.gz", keyword="exp",
                                          want_cuda=False, workers=0, cases="my.cases")
    assert command == ["/py", "-m", "conformance", "record", "--out", "/o.ref.json.gz", "-q",
                       "--cases", "my.cases", "-k", "exp", "--no-cuda", "-n", "0"]
