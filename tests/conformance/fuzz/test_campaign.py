"""The fuzzer end to end: executor, records, shrinking, reproducers, tie-breaker, CLI, shards."""
from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from conformance import fuzz
from conformance.execute import Isolated
from conformance.fuzz import campaign, oracle
from conformance.fuzz.oracle import ProgramWork
from conformance.fuzz.profiles import PROFILE_ENV, PROFILES, generate, profile_named
from conformance.fuzz.program import Action, Leaf, Program, Step
from conformance.fuzz.shrink import Outcome, judge
from conformance.pair_records import records_for
from conformance.records import Record
from conformance.report import json_report

torch = pytest.importorskip("torch")
REPO = Path(__file__).resolve().parents[3]
GRAD_BUG = "tests.planted.fuzz_targets.grad_bug"
ACCUMULATION_BUG = "tests.planted.fuzz_targets.accumulation_bug"
CI = PROFILES["ci"]
PAIR = "target~torch-cpu"


@pytest.fixture(scope="module")
def executors():
    """One isolated executor per target, for the module."""
    made: dict[str, Isolated] = {}

    def executor(target: str) -> Isolated:
        if target not in made:
            made[target] = Isolated(target, want_cuda=False, timeout_s=60.0)
            made[target].ensure_started()
        return made[target]
    yield executor
    for one in made.values():
        one.stop()


def _first_divergence(executor, seeds=range(0, 400), min_ops: int = 0):
    """The first seed whose program (of at least ``min_ops`` ops) diverges on
    target~torch-cpu, found without shrinking."""
    for seed in seeds:
        program, choices = generate(CI, seed)
        if program.op_count < min_ops:
            continue
        work = ProgramWork(seed, program)
        results = executor.observe(work)
        record = records_for(work, executor.lane_info, results, executor.target)[0]
        if record.status == "diverge":
            observed = {lane: r.observations for lane, r in results.items()}
            return Outcome(seed, program, choices, observed), record
    pytest.fail(f"no divergence found on {executor.target} in seeds {seeds}")


def test_torch_against_itself_matches():
    job = campaign.Job("ci", tuple(range(25)), "torch", False, True, None, None)
    try:
        result = campaign.run_job(job)
    finally:
        campaign.stop_executors()
    records, stats = result.records, result.stats
    assert stats["programs"] == 25 and stats["target"] > 0 and stats["torch-cpu"] > 0
    by_pair = {}
    for record in records:
        by_pair.setdefault(record.pair, set()).add(record.status)
    assert by_pair["target~torch-cpu"] == {"match"}
    assert by_pair["target~torch-cuda"] == {"not_run"}
    first = next(r for r in records if r.pair == "target~torch-cpu")
    assert first.id == "fuzz::seed-0[target~torch-cpu]" and first.area == "fuzz"
    assert first.observables and first.source.startswith("def program(")
    assert first.reproducer is None


@pytest.mark.parametrize("target", [GRAD_BUG, ACCUMULATION_BUG])
def test_planted_bug_is_found_shrunk_and_reproduced(target, tmp_path, executors):
    # A program of four ops or more, so that shrinking has work to do.
    executor = executors(target)
    outcome, record = _first_divergence(executor, min_ops=4)
    # A generous budget: hypothesis stops on its own once nothing smaller diverges.
    profile = dataclasses.replace(CI, shrink_seconds=90.0)
    campaign.explain_divergence(record, outcome, profile, executor, True, str(tmp_path))
    info = record.fuzz
    assert info["shrunk_ops"] <= 3 < outcome.program.op_count, info["shrunk_source"]
    ops, actions = info["shrunk_summary"].split(": ", 1)[1].split(" | ")
    if target == GRAD_BUG:
        assert "tanh" in ops.split()              # the op whose derivative is wrong survives
    else:
        # One gradient action is right on this target: the divergence needs a second one.
        assert len(actions.split()) >= 2, info["shrunk_summary"]
    # The tie-breaker sides with torch: the planted target is the wrong one.
    if info["verdict"]:
        assert "agree with torch-cpu" in info["verdict"], info["verdict"]
    script = Path(info["reproducer_path"])
    assert script.read_text() == record.reproducer
    run = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                         cwd=tmp_path, timeout=120)
    assert run.returncode == 1, run.stdout + run.stderr
    assert "!! " in run.stdout and "=== torch-cpu: torch on cpu" in run.stdout
    assert f"differ between torch and {target}" in run.stdout
    # The same script against torch itself shows no divergence.
    clean = subprocess.run([sys.executable, str(script), "torch"], capture_output=True,
                           text=True, cwd=tmp_path, timeout=120)
    assert clean.returncode == 0, clean.stdout + clean.stderr


def _program(steps, actions, leaves):
    return Program("float64", tuple(leaves) + tuple(steps), tuple(actions))


def test_finite_differences_match_analytic_gradients():
    x = Leaf("x0", (3,), (0.5, -1.0, 2.0), "float64", True)
    w = Leaf("c0", (3,), (1.0, 2.0, -1.0), "float64", False)
    steps = [Step("v0", "sin", "torch.sin({0})", ("x0",)),
             Step("v1", "mul", "{0} * {1}", ("v0", "x0"))]
    backward = Action("backward", root="v1", gradient="c0")
    program = _program(steps, [backward], [x, w])
    got = oracle.expected_gradient(torch, program, backward, "x0")
    xs, ws = x.array, w.array
    np.testing.assert_allclose(got, ws * (np.cos(xs) * xs + np.sin(xs)), rtol=1e-6)
    # second order: d/dx sum(weight * d(sum(x^3))/dx) = weight * 6x
    cube = Step("v2", "pow", "{0} ** 3.0", ("x0",))
    total = Step("v3", "sum", "{0}.sum()", ("v2",))
    second = Action("second_order", root="v3", inputs=("x0",), weight="c0", retain_graph=True)
    program = _program([cube, total], [second], [x, w])
    got = oracle.expected_gradient(torch, program, second, "x0", "second")
    np.testing.assert_allclose(got, ws * 6 * xs, rtol=1e-4, atol=1e-4)


def test_finite_differences_hold_detached_values_constant():
    x = Leaf("x0", (2,), (0.5, 1.5), "float64", True)
    steps = [Step("v0", "detach", "{0}.detach()", ("x0",)),
             Step("v1", "mul", "{0} * {1}", ("v0", "x0")),
             Step("v2", "sum", "{0}.sum()", ("v1",))]
    backward = Action("backward", root="v2")
    got = oracle.expected_gradient(torch, _program(steps, [backward], [x]), backward, "x0")
    np.testing.assert_allclose(got, x.array, rtol=1e-6)      # not 2x: v0 is a constant


def test_campaign_seeds_split_by_shard():
    parts = [campaign.campaign_seeds(CI, 10, 100, (i, 3))[1] for i in (1, 2, 3)]
    assert sum(parts, []) == list(range(100, 110))
    assert campaign.campaign_seeds(CI, None, None, (1, 1)) == (0, list(range(CI.programs)))
    assert campaign.parse_shard("2/8") == (2, 8)
    for bad in ("0/2", "3/2", "x"):
        with pytest.raises(Exception, match="shard"):
            campaign.parse_shard(bad)
    with pytest.raises(ValueError, match="unknown fuzz profile"):
        profile_named("nightly")


def test_cli_shards_merge_and_replay(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv(PROFILE_ENV, "ci")
    paths = []
    for shard in ("1/2", "2/2"):
        path = tmp_path / f"shard{shard[0]}.json"
        code = fuzz.main(["--programs", "6", "--target", "torch", "--no-cuda", "--shard", shard,
                          "--json", str(path), "--repro-dir", str(tmp_path / "repros")])
        assert code == 0
        paths.append(path)
    reports = [json_report.load(p) for p in paths]
    assert reports[0]["environment"]["fuzz"]["seeds"] == [0, 2]
    assert reports[1]["environment"]["fuzz"]["seeds"] == [3, 5]
    merged = json_report.merge(reports)
    assert merged["environment"]["fuzz"]["programs"] == 6
    assert merged["summary"]["by_area"]["fuzz"]["target~torch-cpu"]["match"] == 6
    capsys.readouterr()
    code = fuzz.main(["--replay", "4", "--target", "torch", "--no-cuda",
                      "--json", str(tmp_path / "replay.json")])
    out = capsys.readouterr().out
    assert code == 0 and generate(CI, 4)[0].source() in out
    replay = json.loads((tmp_path / "replay.json").read_text())
    assert [r["id"] for r in replay["records"]][0].startswith("fuzz::seed-4[")


def test_cli_fails_on_a_planted_bug_and_writes_reproducers(tmp_path):
    code = fuzz.main(["--programs", "40", "--target", GRAD_BUG, "--no-cuda", "--no-shrink",
                      "--json", str(tmp_path / "bug.json"),
                      "--repro-dir", str(tmp_path / "repros")])
    report = json_report.load(tmp_path / "bug.json")
    diverging = [r for r in report["records"] if r["status"] == "diverge"]
    assert code == 1 and diverging
    assert all(r["reproducer"] and r["fuzz"]["reproducer_path"] for r in diverging)
    assert len(list((tmp_path / "repros").glob("*.py"))) == len(diverging)


def test_an_op_the_target_lacks_is_missing_not_a_crash():
    target = "tests.planted.fuzz_targets.no_sigmoid"
    seeds = [s for s in range(60) if "sigmoid" in {st.op for st in generate(CI, s)[0].steps}]
    assert seeds, "no program with sigmoid in the first 60 seeds"
    job = campaign.Job("ci", tuple(seeds[:3]), target, False, False, None, None)
    try:
        records = campaign.run_job(job).records
    finally:
        campaign.stop_executors()
    pair = [r for r in records if r.pair == "target~torch-cpu"]
    assert {r.status for r in pair} == {"missing"}
    assert all("sigmoid" in r.reason for r in pair)
    assert all(r.reproducer and "def program(" in r.reproducer for r in pair)


@pytest.mark.parametrize("action", [
    Action("backward", root="v1", gradient="c0"),
    Action("grad", root="v1", gradient="c0", inputs=("x0",)),
    Action("second_order", root="v1", gradient="c0", inputs=("x0",), weight="c1",
           retain_graph=True, second="grad"),
], ids=lambda a: a.kind)
def test_tie_breaker_sides_with_the_correct_lane(action, executors):
    x = Leaf("x0", (3,), (0.5, -0.25, 1.0), "float64", True)
    c0 = Leaf("c0", (3,), (1.0, -2.0, 0.5), "float64", False)
    c1 = Leaf("c1", (3,), (0.5, 1.0, -1.0), "float64", False)
    steps = [Step("v0", "mul", "{0} * 2.0", ("x0",)), Step("v1", "tanh", "torch.tanh({0})",
                                                            ("v0",))]
    program = _program(steps, [action], [x, c0, c1])
    record, results = judge(ProgramWork(0, program), executors(GRAD_BUG), PAIR)
    assert record.status == "diverge"
    verdict = oracle.finite_difference_verdict(torch, program, record.observables, "target",
                                               "torch-cpu", results["target"].observations,
                                               results["torch-cpu"].observations)
    assert "agree with torch-cpu;" in verdict, verdict


def _diverging(seed, ops, detail, status="diverge"):
    observable = {"name": "a0 x0.grad", "status": "diverge", "detail": detail,
                  "left": {"type": "tensor"}, "right": {"type": "tensor"}}
    return Record.for_id(oracle.record_id(seed, PAIR), status=status,
                         observables=[observable], fuzz={"ops": ops})


def test_representatives_shrink_each_kind_first_and_skip_one_op_programs():
    records = [_diverging(1, 1, "max abs error 1"), _diverging(2, 4, "max abs error 2"),
               _diverging(3, 5, "max abs error 3"), _diverging(4, 3, "dtype float32"),
               _diverging(5, 4, "x", status="match")]
    kinds = campaign.divergence_kinds([r.to_json() for r in records])
    assert [count for count, _ in kinds] == [3, 1]          # numbers blanked: two kinds
    chosen = campaign.representatives(records, 2)
    assert [r.fuzz["ops"] for r in chosen] == [4, 3]        # one of each kind, 1-op left out
    assert [r.fuzz["ops"] for r in campaign.representatives(records, 9)] == [4, 3, 5]


def test_zero_tensors_from_double_backward_are_observed_by_value():
    zero = torch._efficientzerotensor(3, dtype=torch.float64)
    plain = oracle.observer("torch-cpu")((zero, torch.ones(2)))
    first = plain["items"][0]
    assert first["values"] == [0.0, 0.0, 0.0] and first["dtype"] == "torch.float64"
    assert first["requires_grad"] is False and first["grad_fn"] is None


def test_a_divergence_that_does_not_come_back_is_not_shrunk():
    record = Record.for_id(oracle.record_id(3, PAIR), status="diverge", reason="was",
                           fuzz={"seed": 3, "ops": 2})
    job = campaign.Job("ci", (), "torch", False, True, None, None, (record,))
    try:
        (again,) = campaign.shrink_job(job)
    finally:
        campaign.stop_executors()
    assert again.reason.startswith("was; not shrunk: match when run again")
    assert "shrunk_ops" not in again.fuzz


def test_small_campaigns_are_split_across_workers():
    assert campaign.chunked(list(range(6)), 2) == [(0, 1, 2), (3, 4, 5)]
    assert campaign.chunked(list(range(3)), 8) == [(0,), (1,), (2,)]
    tasks = campaign.chunked(list(range(300)), 2)
    assert len(tasks) == 300 // campaign.CHUNK and sum(tasks, ()) == tuple(range(300))
    assert campaign.chunked([], 2) == [()]


def _dies_in_a_worker(number: int) -> int:
    import multiprocessing
    import os
    if multiprocessing.parent_process() is not None:
        os._exit(7)                 # a worker process dies: the pool is broken
    return number * 10


def test_work_of_a_dead_worker_is_done_again_here():
    assert campaign._pool_map(_dies_in_a_worker, [1, 2, 3], 2) == [10, 20, 30]


def test_ctrl_c_leaves_a_partial_report_of_the_programs_run(tmp_path):
    """Ctrl-C in a long campaign: the programs run so far are written, marked incomplete."""
    import os
    import re
    import signal
    import time

    path, log = tmp_path / "fuzz.json", tmp_path / "out.txt"
    env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONUNBUFFERED": "1"}
    with open(log, "w") as handle:
        process = subprocess.Popen(
            [sys.executable, "-m", "conformance", "fuzz", "--programs", "100000", "--no-cuda",
             "--json", str(path), "--repro-dir", str(tmp_path / "repros")],
            cwd=REPO, stdout=handle, stderr=subprocess.STDOUT, env=env)
        deadline = time.monotonic() + 600         # generous: a loaded machine starts slowly
        while (not re.search(r"[1-9]\d*/100000 programs run", log.read_text())
               and time.monotonic() < deadline):
            time.sleep(0.2)           # until the first programs have run
        process.send_signal(signal.SIGINT)
        code = process.wait(timeout=600)
    text = log.read_text()
    assert re.search(r"[1-9]\d*/100000 programs run", text), text
    assert code == 2, text
    report = json_report.load(path)
    programs = report["environment"]["fuzz"]["programs"]
    assert report["complete"] is False and report["environment"]["fuzz"]["interrupted"]
    assert 0 < programs < 100000
    assert len({r["fuzz"]["seed"] for r in report["records"]}) == programs
    assert f"interrupted after {programs} of 100000 programs" in text
