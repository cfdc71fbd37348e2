"""runner.run and run_case, without pytest: statuses, control, faults, interrupts."""
import subprocess
import sys
from pathlib import Path

import pytest

from conformance import lanes, runner
from conformance.case import collect
from conformance.report import json_report

SAMPLES = "tests.conformance.sample_cases"
FAULTS = "tests.conformance.sample_faults"
SKEWED = "tests.conformance.sample_targets.skewed"
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def sample_cases():
    return collect(SAMPLES)


@pytest.fixture
def no_known(tmp_path):
    path = tmp_path / "none.toml"
    path.write_text("")
    return path


def by_id(report):
    return {r["id"]: r for r in report["records"]}


def test_torch_as_target_matches_everywhere(sample_cases, no_known):
    """The false-positive control: torch against itself never diverges."""
    report = runner.run("torch", sample_cases, known=no_known, want_cuda=False)
    pairs = {r["pair"]: r["status"] for r in report["records"]}
    assert report["complete"] and report["summary"]["unexpected"] == 0
    target_cpu = [r for r in report["records"] if r["pair"] == "target~torch-cpu"]
    assert len(target_cpu) == len(sample_cases) >= 10
    assert {r["status"] for r in target_cpu} == {"match"}
    assert pairs["target~torch-cuda"] == pairs["torch-cuda~torch-cpu"] == "not_run"
    assert all(r["reproducer"] is None for r in target_cpu)
    assert report["lanes"]["torch-cuda"]["status"] == "not_run"
    env = report["environment"]
    assert env["target"] == "torch" and env["torch"] and env["numpy"] and env["python"]


def test_cuda_lane_is_never_passed_without_cuda(sample_cases, no_known):
    report = runner.run("torch", sample_cases[:2], known=no_known, want_cuda=False)
    cuda = [r for r in report["records"] if "torch-cuda" in r["pair"]]
    assert cuda and {r["status"] for r in cuda} == {"not_run"}
    assert all("torch-cuda not run" in r["reason"] for r in cuda)


def test_skewed_target_diverges_and_misses(sample_cases, no_known):
    report = runner.run(SKEWED, sample_cases, known=no_known, want_cuda=False)
    records = by_id(report)
    exp32 = records["values::exp_and_grad[float32][target~torch-cpu]"]
    assert exp32["status"] == "diverge" and exp32["reason"] == "differs: y, x.grad"
    y = exp32["observables"][0]
    assert y["name"] == "y" and y["status"] == "diverge"
    assert y["max_rel"] == pytest.approx(1e-3, rel=1e-2)
    sigmoid = records["behaviour::graph[target~torch-cpu]"]
    assert sigmoid["status"] == "match"
    missing = records["values::sigmoid[target~torch-cpu]"]
    assert missing["status"] == "missing"
    assert missing["reason"] == f"{SKEWED} lacks {SKEWED}.sigmoid"
    assert missing["observables"][0]["left"] == {"type": "missing", "name": f"{SKEWED}.sigmoid"}
    others = [r for r in report["records"] if r["pair"] == "target~torch-cpu"
              and r["case"] not in ("values::sigmoid",) and "exp_and_grad" not in r["case"]]
    assert {r["status"] for r in others} == {"match"}       # the rest still run, and match
    assert report["summary"]["total"]["diverge"] == 3
    assert exp32["reproducer"].startswith("#!/usr/bin/env python3")


def test_reproducer_runs_standalone_and_shows_both_lanes(sample_cases, no_known, tmp_path):
    exp32 = [c for c in sample_cases if c.id == "values::exp_and_grad[float32]"]
    report = runner.run(SKEWED, exp32, known=no_known, want_cuda=False)
    script = tmp_path / "repro.py"
    record = by_id(report)["values::exp_and_grad[float32][target~torch-cpu]"]
    script.write_text(record["reproducer"])
    out = subprocess.run([sys.executable, str(script)], cwd=ROOT, capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 1, out.stderr         # the skewed target diverges
    assert f"=== target: {SKEWED} on cpu" in out.stdout
    assert "=== torch-cpu: torch on cpu" in out.stdout
    assert "grad_fn=<MulBackward0>" in out.stdout and "grad_fn=<ExpBackward0>" in out.stdout
    assert "!! y (diverge)" in out.stdout and "!! x.grad (diverge)" in out.stdout
    assert f"2 observation(s) differ between torch and {SKEWED}" in out.stdout
    # The target it is given is the one it runs: torch against itself matches.
    again = subprocess.run([sys.executable, str(script), "torch"], cwd=ROOT,
                           capture_output=True, text=True, timeout=120)
    assert again.returncode == 0, again.stdout + again.stderr
    assert "=== target: torch on cpu" in again.stdout and "!! " not in again.stdout


def test_known_fixed_unmatched_and_strict(sample_cases, tmp_path):
    path = tmp_path / "known.toml"
    path.write_text(f'''
[[divergence]]
target = "{SKEWED}"
pair = "target~torch-cpu"
case = "values::exp_and_grad[*]"
reason = "exp is skewed on purpose"

[[divergence]]
target = "{SKEWED}"
pair = "target~torch-cpu"
case = "behaviour::repr"
reason = "listed but matches"

[[divergence]]
target = "{SKEWED}"
pair = "target~torch-cpu"
case = "nowhere::nothing"
reason = "matches no case"
''')
    with pytest.warns(UserWarning, match="matches no case: .*nowhere::nothing"):
        report = runner.run(SKEWED, sample_cases, known=path, want_cuda=False)
    records = by_id(report)
    assert records["values::exp_and_grad[float16][target~torch-cpu]"]["status"] == "known"
    assert records["behaviour::repr[target~torch-cpu]"]["status"] == "fixed"
    assert report["known_unmatched"] == [f"{SKEWED} target~torch-cpu nowhere::nothing"]
    assert report["summary"]["unexpected"] == 0
    with pytest.warns(UserWarning):
        strict = runner.run(SKEWED, sample_cases, known=path, want_cuda=False, strict=True)
    assert strict["strict"] and strict["summary"]["unexpected"] == 1


def test_run_case_runs_each_lane_once(sample_cases):
    calls = []
    case = sample_cases[0]

    def counting(torch, device, **params):
        calls.append(device)
        return case.func(torch, device, **params)

    made = lanes.make_lanes("torch", want_cuda=False)
    counted = type(case)(case.area, case.name, counting, case.params, case.param_id)
    records = runner.run_case(counted, made)
    assert [r["pair"] for r in records] == ["target~torch-cpu", "target~torch-cuda",
                                            "torch-cuda~torch-cpu"]
    assert calls == ["cpu", "cpu"]                      # target and torch-cpu, once each


def test_in_process_timeout(monkeypatch, no_known):
    monkeypatch.setenv("SAMPLE_SLEEP_S", "30")
    cases = [c for c in collect(FAULTS) if c.name in ("sleeps", "fine")]
    report = runner.run("torch", cases, known=no_known, timeout_s=0.3, want_cuda=False)
    records = by_id(report)
    assert records["faults::sleeps[target~torch-cpu]"]["status"] == "timeout"
    assert "longer than 0.3 s" in records["faults::sleeps[target~torch-cpu]"]["reason"]
    assert records["faults::fine[target~torch-cpu]"]["status"] == "match"


def test_isolated_run_survives_hangs_and_crashes(monkeypatch, no_known):
    """In a case process: an alarm-proof hang is killed, os._exit and a segfault are crashes,
    the rest runs."""
    monkeypatch.setenv("SAMPLE_SLEEP_S", "30")
    report = runner.run("torch", collect(FAULTS), known=no_known, timeout_s=0.5,
                        want_cuda=False, isolate=True)
    records = by_id(report)
    assert records["faults::sleeps[target~torch-cpu]"]["status"] == "timeout"
    hard = records["faults::ignores_alarm[target~torch-cpu]"]
    assert hard["status"] == "timeout" and "the process was killed" in hard["reason"]
    crash = records["faults::exits[target~torch-cpu]"]
    assert crash["status"] == "crash" and crash["reason"] == (
        "target: the process running the case died (exit code 3)")   # torch-cpu ran
    segfault = records["faults::segfaults[target~torch-cpu]"]
    assert segfault["status"] == "crash" and "killed by SIGSEGV" in segfault["reason"]
    assert records["faults::fine[target~torch-cpu]"]["status"] == "match"
    assert report["complete"] and report["summary"]["unexpected"] == 4


def test_interrupt_leaves_an_incomplete_report(sample_cases, no_known, tmp_path, monkeypatch):
    seen = []
    real = runner.run_case

    def interrupted_after_two(case, made, timeout_s=None):
        if len(seen) == 2:
            raise KeyboardInterrupt
        seen.append(case.id)
        return real(case, made, timeout_s)

    monkeypatch.setattr(runner, "run_case", interrupted_after_two)
    path = tmp_path / "r.json"
    with pytest.raises(KeyboardInterrupt) as info:
        runner.run("torch", sample_cases, known=no_known, want_cuda=False, json_path=path)
    written = json_report.load(path)
    assert written["complete"] is False and info.value.report["complete"] is False
    assert {r["case"] for r in written["records"]} == set(seen)
