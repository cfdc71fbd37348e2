"""The one executor: the same isolated child runs cases and fuzz programs, and says why a
lane has no observations (missing, timeout, crash) in a typed LaneResult."""
import pytest

from conformance.case import collect
from conformance.case_work import CaseWork
from conformance.execute import UNCAUGHT, Isolated, LaneResult
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
