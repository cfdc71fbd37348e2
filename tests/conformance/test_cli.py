"""python -m conformance: run (wrapping pytest and pytest-xdist), compare, merge, reproducer,
exit codes, worker counts that agree, faults that do not stop the run, Ctrl-C."""
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conformance.__main__ import exit_code, main
from conformance.report import json_report

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = "tests.conformance.sample_cases"
FAULTS = "tests.conformance.sample_faults"
SKEWED = "tests.conformance.sample_targets.skewed"


def cli(*args, env=None, timeout=300):
    full_env = {**os.environ, "OMP_NUM_THREADS": "1", **(env or {})}
    return subprocess.run([sys.executable, "-m", "conformance", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=timeout, env=full_env)


def run_samples(tmp_path, name, target, workers):
    path = tmp_path / f"{name}.json"
    done = cli("run", "--target", target, "--cases", SAMPLES, "--json", str(path), "-n",
               str(workers), "-q")
    return done, path


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("cli")
    return {
        "skewed-0": run_samples(tmp, "skewed-0", SKEWED, 0),
        "skewed-2": run_samples(tmp, "skewed-2", SKEWED, 2),
        "torch-0": run_samples(tmp, "torch-0", "torch", 0),
    }


def comparable(report):
    """Records without their timings: what must not depend on the number of workers."""
    return [{k: v for k, v in r.items() if k != "duration_s"} for r in report["records"]]


def test_exit_codes_follow_the_report(runs):
    skewed, _ = runs["skewed-0"]
    assert skewed.returncode == 1, skewed.stdout + skewed.stderr
    control, path = runs["torch-0"]
    assert control.returncode == 0, control.stdout + control.stderr
    report = json_report.load(path)
    assert report["summary"]["unexpected"] == 0 and report["summary"]["total"]["match"] > 10
    assert report["lanes"]["torch-cuda"]["status"] == "not_run"
    assert report["environment"]["command"] == (
        f"python -m conformance run --target torch --cases {SAMPLES} --json {path} -n 0 -q")


def test_zero_and_two_workers_give_identical_records(runs):
    (_, zero_path), (two, two_path) = runs["skewed-0"], runs["skewed-2"]
    assert two.returncode == 1, two.stdout + two.stderr
    a, b = json_report.load(zero_path), json_report.load(two_path)
    assert a["complete"] and b["complete"]
    assert comparable(a) == comparable(b)
    assert a["summary"] == b["summary"] and a["lanes"] == b["lanes"]


def test_plain_pytest_entry_writes_the_same_records(runs, tmp_path):
    """``pytest conformance --conformance-*`` (conformance/conftest.py), with xdist."""
    path, page = tmp_path / "plain.json", tmp_path / "plain.html"
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "conformance", "-p", "no:cacheprovider", "-n", "2",
         "-q", "--conformance-target", SKEWED, "--conformance-cases", SAMPLES,
         "--conformance-json", str(path), "--conformance-html", str(page)],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
        env={**os.environ, "OMP_NUM_THREADS": "1"})
    assert done.returncode == 1, done.stdout + done.stderr
    assert f"JSON report: {path}, HTML report: {page}" in done.stdout
    plain, cli_run = json_report.load(path), json_report.load(runs["skewed-0"][1])
    assert comparable(plain) == comparable(cli_run) and plain["complete"]
    assert plain["environment"]["command"].startswith("pytest conformance ")
    assert page.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_the_plugin_module_holds_every_hook_and_the_conftest_only_registers_it():
    import conformance.conftest as conftest
    import conformance.pytest_plugin as plugin
    from conformance.pytest_plugin import items, options, scheduling, session

    hooks = {name for module in (items, options, scheduling, session)
             for name in vars(module) if name.startswith("pytest_")}
    assert hooks == {name for name in vars(plugin) if name.startswith("pytest_")}
    assert hooks == set(plugin.HOOKS)
    assert {name for name in vars(conftest) if name.startswith("pytest_")} == {
        "pytest_addoption"}


MALFORMED = [
    ("not-json.json", "{", "not a JSON document"),
    ("list.json", "[]", "a report is a JSON object, not list"),
    ("no-status.json", {"id": "a::b[target~torch-cpu]", "case": "a::b", "area": "a",
                        "name": "b", "param_id": "", "pair": "target~torch-cpu",
                        "left": "target", "right": "torch-cpu"}, "lacks status"),
    ("odd-status.json", {"id": "a::b[target~torch-cpu]", "case": "a::b", "area": "a",
                         "name": "b", "param_id": "", "pair": "target~torch-cpu",
                         "left": "target", "right": "torch-cpu", "status": "passed"},
     "unknown status 'passed'"),
]


@pytest.mark.parametrize("name, content, message", MALFORMED,
                         ids=[name for name, _, _ in MALFORMED])
def test_malformed_reports_are_one_line_usage_errors(runs, tmp_path, capsys, name, content,
                                                     message):
    """html, compare, merge and reproducer say what is wrong in one line and exit 2."""
    good = str(runs["torch-0"][1])
    bad = tmp_path / name
    if isinstance(content, dict):       # a good report with one malformed record
        report = json_report.load(good)
        report["records"][0] = content
        content = json_report.dumps(report)
    bad.write_text(content)
    for args in (("html", str(bad), "-o", str(tmp_path / "out.html")),
                 ("compare", good, str(bad)), ("compare", str(bad), good),
                 ("merge", good, str(bad), "-o", str(tmp_path / "out.json")),
                 ("reproducer", str(bad), "a::b[target~torch-cpu]")):
        code = main(list(args))
        out, err = capsys.readouterr()
        assert code == 2, (args, out + err)
        assert err.startswith(f"conformance {args[0]}: {bad}: "), err
        assert message in err and err.count("\n") == 1, err
    assert not (tmp_path / "out.html").exists() and not (tmp_path / "out.json").exists()


def test_item_ids_and_outcomes(runs):
    out = runs["skewed-0"][0].stdout
    assert f"FAILED {SAMPLES}::values::exp_and_grad[float32][target~torch-cpu]" in out
    assert "y [tensor]: 6 element(s) out of tolerance" in out
    assert "3 failed" in out and "passed" in out and "skipped" in out


def test_compare_lists_new_divergences_and_fixes(runs):
    old, new = str(runs["torch-0"][1]), str(runs["skewed-0"][1])
    worse = cli("compare", old, new)
    assert worse.returncode == 1
    assert "newly unexpected: 3" in worse.stdout
    assert "values::exp_and_grad[float16][target~torch-cpu]: diverge (was match)" in worse.stdout
    better = cli("compare", new, old)
    assert better.returncode == 0 and "fixed: 3" in better.stdout


def test_merge_and_reproducer_commands(runs, tmp_path):
    out = tmp_path / "merged.json"
    merged = cli("merge", str(runs["skewed-0"][1]), str(runs["skewed-2"][1]), "-o", str(out))
    assert merged.returncode == 0, merged.stderr
    assert comparable(json_report.load(out)) == comparable(json_report.load(runs["skewed-0"][1]))
    mixed = cli("merge", str(runs["skewed-0"][1]), str(runs["torch-0"][1]), "-o", str(out))
    assert mixed.returncode == 2 and "different targets" in mixed.stderr
    record = "values::exp_and_grad[float32][target~torch-cpu]"
    script = cli("reproducer", str(runs["skewed-0"][1]), record)
    assert script.returncode == 0 and script.stdout.startswith("#!/usr/bin/env python3")
    assert cli("reproducer", str(runs["skewed-0"][1]), "no::such").returncode == 2


def test_faults_are_reported_and_the_run_goes_on(tmp_path):
    """A hang is a timeout and os._exit a crash (the case process is replaced); a case that
    kills the xdist worker itself is a crash too (pytest_handlecrashitem; xdist replaces the
    worker and the case is not run again)."""
    path = tmp_path / "faults.json"
    done = cli("run", "--target", "torch", "--cases", FAULTS, "--json", str(path), "-n", "2",
               "--timeout", "1", "-k", "fine or exits or sleeps or kills", "-q",
               env={"SAMPLE_SLEEP_S": "30", "SAMPLE_KILL_WORKER": "1"})
    assert done.returncode == 1, done.stdout + done.stderr
    report = json_report.load(path)
    status = {r["id"]: r["status"] for r in report["records"]}
    reason = {r["id"]: r["reason"] for r in report["records"]}
    assert status["faults::sleeps[target~torch-cpu]"] == "timeout"
    assert status["faults::exits[target~torch-cpu]"] == "crash"
    assert "exit code 3" in reason["faults::exits[target~torch-cpu]"]
    assert status["faults::kills_its_worker[target~torch-cpu]"] == "crash"
    assert "died while running the case" in reason["faults::kills_its_worker[target~torch-cpu]"]
    assert "crashed while running" in done.stdout
    assert status["faults::fine[target~torch-cpu]"] == "match"
    assert report["complete"] and len(report["records"]) == 12


def test_ctrl_c_leaves_an_incomplete_report(tmp_path):
    path = tmp_path / "interrupted.json"
    log = tmp_path / "out.txt"
    env = {**os.environ, "OMP_NUM_THREADS": "1", "SAMPLE_SLEEP_S": "120",
           "PYTHONUNBUFFERED": "1"}
    with open(log, "w") as handle:
        process = subprocess.Popen(
            [sys.executable, "-m", "conformance", "run", "--target", "torch", "--cases", FAULTS,
             "--json", str(path), "-n", "0", "-k", "fine or sleeps"],
            cwd=ROOT, stdout=handle, stderr=subprocess.STDOUT, env=env)
        deadline = time.monotonic() + 120
        while ".ss" not in log.read_text() and time.monotonic() < deadline:
            time.sleep(0.2)           # until "fine" is done and "sleeps" is running
        time.sleep(0.5)
        process.send_signal(signal.SIGINT)
        code = process.wait(timeout=60)
    assert code == 2, log.read_text()
    report = json_report.load(path)
    assert report["complete"] is False
    assert [r["id"] for r in report["records"]] == [
        "faults::fine[target~torch-cpu]", "faults::fine[target~torch-cuda]",
        "faults::fine[torch-cuda~torch-cpu]"]


def test_exit_code_rules():
    def summary(unexpected, complete=True):
        return {"complete": complete, "summary": {"unexpected": unexpected}}

    assert exit_code(summary(0)) == 0
    assert exit_code(summary(2)) == 1
    assert exit_code(summary(0, complete=False)) == 2


def test_missing_html_renderer_still_leaves_the_json(monkeypatch, tmp_path, capsys):
    from conformance.report import write_html

    monkeypatch.setitem(sys.modules, "conformance.report.html", None)
    assert write_html({"records": []}, str(tmp_path / "r.html")) is False
    assert "cannot write the HTML report" in capsys.readouterr().out
    assert not (tmp_path / "r.html").exists()


def test_unknown_target_is_a_usage_error():
    done = cli("run", "--target", "no_such_module_xyz", "-q")
    assert done.returncode == 2 and "cannot be imported" in done.stderr
