"""The one executor: the same isolated child runs cases and fuzz programs, and says why a
lane has no observations (missing, timeout, crash) in a typed LaneResult."""
import pytest

from conformance.case import collect
from conformance.case_work import CaseWork
from conformance.execute import UNCAUGHT, Isolated
from conformance.lane_result import LaneResult
from conformance.fuzz.oracle import ProgramWork
from conformance.fuzz.program import Action, Leaf, Program, Step
from conformance.records import Status

SAMPLES = "tests.conformance.sample_cases"


@pytest.fixture(scope="module")
def executor():
    made = Isolated("torch", want_cuda=False, timeout_s=30.0)
    yield made
    made.stop()


def _program(expr: str) -> Program:
    x = Leaf("x0", (2,), (0.5, 1.5), "float64", True)
    return Program("float64", (x, Step("v0", "op", expr, ("x0",))),
                   (Action("backward", root="v0", gradient=None),))


def test_one_child_runs_a_case_and_a_program(executor):
    case = next(c for c in collect(SAMPLES) if c.id == "behaviour::graph")
    case_results = executor.observe(CaseWork(case))
    pid = executor.process.pid
    program_results = executor.observe(ProgramWork(1, _program("{0}.sum()")))
    assert executor.process.pid == pid                  # the same child, no restart
    assert set(case_results) == set(program_results) == {"target", "torch-cpu"}
    for result in (*case_results.values(), *program_results.values()):
        assert isinstance(result, LaneResult) and result.failure is None
        assert result.observations and UNCAUGHT not in result.observations
    assert program_results["target"].observations["a0 x0.grad"]["values"] == [1.0, 1.0]


def test_a_program_using_a_method_the_target_lacks_is_missing(executor):
    results = executor.observe(ProgramWork(2, _program("{0}.no_such_method_xyz()")))
    target = results["target"]
    assert target.failure == Status.MISSING and target.missing == "Tensor.no_such_method_xyz"
    assert target.reason == "torch lacks Tensor.no_such_method_xyz"
    # the reference lane observes the same AttributeError as a behaviour, not as missing
    assert results["torch-cpu"].failure is None


def test_work_the_child_cannot_rebuild_is_a_crash_not_a_hang(executor):
    case = next(c for c in collect(SAMPLES) if c.id == "behaviour::graph")
    work = CaseWork(case, package="tests.conformance.sample_faults")   # not there
    results = executor.observe(work)
    assert {r.failure for r in results.values()} == {Status.CRASH}
    assert "no case behaviour::graph" in results["target"].reason
    assert executor.observe(CaseWork(case))["target"].failure is None   # the child goes on


def _environment_from(path):
    import json
    import subprocess
    import sys
    code = ("import json; from conformance.execute import environment; "
            "print(json.dumps(environment(target='torch')))")
    done = subprocess.run([sys.executable, "-c", code], cwd=path, capture_output=True,
                          text=True, timeout=300,
                          env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(path),
                               "OMP_NUM_THREADS": "1"})
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_the_report_names_the_harness_commit_never_the_repository_around_it(tmp_path):
    """Installed inside someone's repository (a virtualenv in their project), the harness
    does not report their HEAD as its commit; from its own checkout it reports its own."""
    import shutil
    import subprocess
    from pathlib import Path

    import conformance
    from conformance.execute import harness_commit

    root = Path(conformance.__file__).resolve().parents[1]
    theirs = tmp_path / "their-project"
    site = theirs / ".venv" / "lib" / "site-packages"
    for package in ("conformance", "refgrad"):
        shutil.copytree(root / package, site / package,
                        ignore=shutil.ignore_patterns("__pycache__"))
    git = ["git", "-c", "user.name=u", "-c", "user.email=u@example.com"]
    subprocess.run([*git, "init", "-q"], cwd=theirs, check=True)
    subprocess.run([*git, "add", "-A"], cwd=theirs, check=True)
    subprocess.run([*git, "commit", "-qm", "theirs"], cwd=theirs, check=True)
    installed = _environment_from(site)
    assert installed["commit"] is None
    assert installed["harness_version"] == conformance.__version__
    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=root,
                          capture_output=True, text=True)
    if head.returncode == 0:                 # run from a checkout (not an unpacked sdist)
        assert harness_commit() == head.stdout.strip()
