"""Hostile and broken targets: a wrong type is a divergence naming what came back, a missing
attribute hit in a thread is missing, a target's text reaches neither the JSON report nor the
terminal raw, a target that fails to import in the case process gives one-line crash records,
and the case process has a memory limit and is replaced when it should be."""
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from conformance import lanes, runner
from conformance.case import Case, collect
from conformance.case_work import CaseWork
from conformance.execute import Isolated
from conformance.records import Status
from conformance.report import json_report

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = "tests.conformance.sample_cases"
HOSTILE = "tests.conformance.sample_hostile"
TARGETS = "tests.conformance.sample_targets"


def sample(case_id, package=SAMPLES):
    return next(c for c in collect(package) if c.id == case_id)


def target_record(case, target):
    made = lanes.make_lanes(f"{TARGETS}.{target}", want_cuda=False)
    return runner.run_case(case, made)[0]           # target~torch-cpu


# ------------------------------------------------------------------------- wrong types

def test_a_list_from_sum_is_a_divergence_naming_what_came_back():
    record = target_record(sample("values::exp_and_grad[float32]"), "list_sum")
    assert record["status"] == "diverge", record["reason"]
    assert record["reason"].startswith(
        "target returned the wrong type: y.sum() returned list [")
    assert "(which has no attribute 'backward')" in record["reason"]
    assert record["reproducer"]


def _case_walks_next_functions(torch, device):
    x = torch.ones(2, requires_grad=True)
    y = x * 2
    return {"next": [type(fn).__name__ for fn, _ in y.grad_fn.next_functions]}


def test_a_str_grad_fn_is_a_divergence_naming_what_came_back():
    record = target_record(Case("local", "next_functions", _case_walks_next_functions),
                           "str_grad_fn")
    assert record["status"] == "diverge"
    assert record["reason"].startswith("target returned the wrong type: y.grad_fn returned "
                                       "str '")
    assert "(which has no attribute 'next_functions')" in record["reason"]


def _case_asks_a_dtype_for_too_much(torch, device):
    return {"x": torch.float32.no_such_attribute_xyz}


def test_an_attribute_absent_on_a_target_class_is_still_missing():
    """torch.dtype is the target's own class (target torch): missing, not a wrong type."""
    case = Case("local", "dtype_attribute", _case_asks_a_dtype_for_too_much)
    record = runner.run_case(case, lanes.make_lanes("torch", want_cuda=False))[0]
    assert record["status"] == "missing"
    assert record["reason"] == "torch lacks dtype.no_such_attribute_xyz"


# ------------------------------------------------------------------------------ threads

def test_a_missing_attribute_hit_in_a_thread_is_missing(capfd):
    case = sample("grad_mode::grad_mode_is_thread_local", "conformance.cases")
    record = target_record(case, "no_set_grad_enabled")
    target = f"{TARGETS}.no_set_grad_enabled"
    assert record["status"] == "missing", record["reason"]
    assert record["reason"].startswith(f"{target} lacks {target}.set_grad_enabled")
    assert "Traceback" not in capfd.readouterr().err


def _case_thread_raises(torch, device):
    import threading

    def worker():
        raise ValueError("from the thread")

    thread = threading.Thread(target=worker)
    thread.start()
    thread.join()
    return {"ones": torch.ones(2)}


def test_an_error_in_a_thread_is_observed_not_printed(capfd):
    case = Case("local", "thread_raises", _case_thread_raises)
    record = runner.run_case(case, lanes.make_lanes("torch", want_cuda=False))[0]
    assert record["status"] == "match"          # both lanes saw the same error
    names = [o["name"] for o in record["observables"]]
    assert "uncaught exception in a thread" in names
    thread = record["observables"][names.index("uncaught exception in a thread")]
    assert thread["left"]["message"] == "from the thread"
    assert "Traceback" not in capfd.readouterr().err


# ------------------------------------------------------------- text from a hostile target

def cli(*args, timeout=300):
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    return subprocess.run([sys.executable, "-m", "conformance", *args], cwd=ROOT,
                          capture_output=True, timeout=timeout, env=env)


def test_surrogates_and_escape_sequences_from_a_target(tmp_path):
    """The run's JSON and HTML are written and valid; the terminal gets no raw escape."""
    json_path, html_path = tmp_path / "r.json", tmp_path / "r.html"
    done = cli("run", "--target", f"{TARGETS}.noisy", "--cases", SAMPLES, "-k",
               "exp_and_grad", "-n", "0", "--json", str(json_path), "--html", str(html_path))
    out = done.stdout.decode("utf-8") + done.stderr.decode("utf-8")
    assert done.returncode == 1, out
    for raw in ("\x1b", "\x07"):
        assert raw not in out
    assert "\\x1b]0;pwned\\x07" in out             # shown, not obeyed
    report = json_report.load(json_path)
    noisy = report["records"][0]
    assert noisy["status"] == "diverge" and noisy["sanitised"] is True
    text = json.dumps(noisy, ensure_ascii=False)
    assert "exp failed \\\\ud800 \\u001b[31mred" in text
    assert report["environment"]["target_version"] == "0.0.1\\udcff"
    page = html_path.read_bytes().decode("utf-8")
    assert "pwned" in page and "\x1b" not in page


# -------------------------------------------------------- a target broken in the child

def test_a_target_failing_to_import_in_the_case_process_gives_one_line_crashes():
    server = runner.CaseServer(f"{TARGETS}.import_fails_in_case_process", want_cuda=False)
    try:
        for case in collect(SAMPLES)[:2]:
            records = server.run_case(case)
            ran = [r for r in records if r["status"] != "not_run"]
            assert [r["status"] for r in ran] == ["crash"]
            reason = ran[0]["reason"]
            assert reason.startswith("the case process could not start: ImportError: ")
            assert reason.endswith("(no module named 'only_in_the_parent' (sample: fails in "
                                   "the case process only)); name an importable torch-like "
                                   "module with --target or CONFORMANCE_TARGET")
            assert "\n" not in reason and reason.count("could not start") == 1
        assert "Traceback" in server.start_details       # kept, apart from the records
        assert server.environment["error"] == reason
    finally:
        server.stop()


def test_the_run_prints_a_line_per_item_not_a_traceback(tmp_path):
    path = tmp_path / "r.json"
    done = cli("run", "--target", f"{TARGETS}.import_fails_in_case_process", "--cases",
               SAMPLES, "-n", "0", "-q", "--json", str(path))
    out = done.stdout.decode() + done.stderr.decode()
    assert done.returncode == 1, out
    statuses = {r["status"] for r in json_report.load(path)["records"]}
    assert statuses == {"crash", "not_run"}
    assert out.count("Traceback") == 0 and len(out) < 40 * 1024, out[-3000:]


# ----------------------------------------------------------------------- memory, recycling

@pytest.fixture
def limited():
    made = Isolated("torch", want_cuda=False, timeout_s=30.0, memory_limit=256 << 20)
    yield made
    made.stop()


def test_a_case_past_the_memory_limit_is_an_out_of_memory_crash(limited):
    results = limited.observe(CaseWork(sample("memory::fine", HOSTILE)))
    assert results["target"].failure is None
    pid = limited.process.pid
    for name in ("allocates_too_much", "catches_its_memory_error"):
        results = limited.observe(CaseWork(sample(f"memory::{name}", HOSTILE)))
        target = results["target"]
        assert target.failure == Status.CRASH, (name, target)
        assert target.reason.startswith("target: out of memory (the case process may use "
                                        f"{256 << 20} more bytes): MemoryError")
        assert results["torch-cpu"].failure is None     # ran in a fresh process
        assert limited.process.pid != pid
        pid = limited.process.pid


def test_a_process_that_grew_is_replaced_and_one_that_did_not_is_kept():
    made = Isolated("torch", want_cuda=False, timeout_s=30.0, memory_limit=512 << 20)
    try:
        made.observe(CaseWork(sample("memory::fine", HOSTILE)))
        pid = made.process.pid
        made.observe(CaseWork(sample("memory::fine", HOSTILE)))
        assert made.process.pid == pid
        made.observe(CaseWork(sample("memory::leaks", HOSTILE)))   # 100 MiB: kept
        assert made.process is not None and made.process.pid == pid
        leaks = 1
        while made.process is not None and leaks < 5:       # past 256 MiB: replaced
            results = made.observe(CaseWork(sample("memory::leaks", HOSTILE)))
            assert results["target"].failure is None
            leaks += 1
        assert made.process is None and leaks >= 3
        made.observe(CaseWork(sample("memory::fine", HOSTILE)))
        assert made.process.pid != pid
    finally:
        made.stop()


def test_the_process_is_replaced_after_a_soft_timeout(monkeypatch):
    monkeypatch.setenv("SAMPLE_SLEEP_S", "30")
    made = Isolated("torch", want_cuda=False, timeout_s=0.5)
    try:
        results = made.observe(CaseWork(sample("faults::sleeps",
                                               "tests.conformance.sample_faults")))
        assert {r.failure for r in results.values()} == {Status.TIMEOUT}
        assert all("longer than 0.5 s" in r.reason for r in results.values())   # the alarm
        assert made.process is None
    finally:
        made.stop()


def test_the_runner_passes_the_memory_limit_on(tmp_path):
    no_known = tmp_path / "none.toml"
    no_known.write_text("")
    cases = [sample("memory::allocates_too_much", HOSTILE), sample("memory::fine", HOSTILE)]
    report = runner.run("torch", cases, want_cuda=False, isolate=True,
                        memory_limit=256 << 20, known=no_known)
    status = {r["id"]: (r["status"], r["reason"]) for r in report["records"]}
    crash = status["memory::allocates_too_much[target~torch-cpu]"]
    assert crash[0] == "crash" and "out of memory" in crash[1]
    assert status["memory::fine[target~torch-cpu]"][0] == "match"


def _case_asks_for_more_than_any_machine(torch, device):
    from conformance import observe
    return {"ones": observe.error(lambda: torch.ones(10**14, device=device)),
            "numpy": observe.error(lambda: np.ones(10**14))}


def test_a_request_no_machine_could_meet_is_an_observation_not_a_crash():
    """A case about the error for an impossible size (a misuse check) still compares it."""
    case = Case("local", "impossible_size", _case_asks_for_more_than_any_machine)
    record = runner.run_case(case, lanes.make_lanes("torch", want_cuda=False))[0]
    assert record["status"] == "match", record["reason"]
    errors = {o["name"]: o["left"] for o in record["observables"]}
    assert errors["ones"]["type"] == errors["numpy"]["type"] == "error"


def _case_uses_a_missing_grad(torch, device):
    x = torch.ones(2, requires_grad=True)
    return {"zeroed": x.grad.zero_()}           # no backward yet: None on every lane


def test_the_same_error_on_both_lanes_is_not_a_wrong_type():
    case = Case("local", "grad_is_none", _case_uses_a_missing_grad)
    record = runner.run_case(case, lanes.make_lanes("torch", want_cuda=False))[0]
    assert record["status"] == "match", record["reason"]
