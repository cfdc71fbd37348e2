"""Reproducers: standalone scripts that rebuild a case's inputs and print both lanes."""
import subprocess
import sys
from pathlib import Path

import pytest

from conformance import lanes, reproduce, runner
from conformance.case import Case, collect
from conformance.records import Record

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = "tests.conformance.sample_cases"


def record_for(case, status="diverge"):
    return Record.for_case(case.id, case.area, case.name, case.param_id, "target~torch-cpu",
                           status=status, reason="differs: y")


def run_script(text, tmp_path):
    script = tmp_path / "repro.py"
    script.write_text(text)
    return subprocess.run([sys.executable, str(script)], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)


@pytest.mark.parametrize("case_id", ["behaviour::graph",
                                     "values::parametrised_by_functions[double]",
                                     "values::exp_and_grad[float16]"])
def test_reproducer_runs_on_both_lanes(case_id, tmp_path):
    case = next(c for c in collect(SAMPLES) if c.id == case_id)
    text = reproduce.for_case(case, "torch", record_for(case))
    assert "@parametrize" not in text and "\n__name__ =" not in text
    compile(text, "repro.py", "exec")
    out = run_script(text, tmp_path)
    assert out.returncode == 0, out.stderr
    assert out.stdout.count("=== ") == 2
    assert "=== target: torch on cpu" in out.stdout and "=== torch-cpu: torch on cpu" in out.stdout


def test_function_parameters_come_from_the_case_module(tmp_path):
    case_id = "values::parametrised_by_functions[increment]"
    case = next(c for c in collect(SAMPLES) if c.id == case_id)
    text = reproduce.for_case(case, "torch", record_for(case))
    assert "expand('values'" in text and "c.param_id == 'increment'" in text
    out = run_script(text, tmp_path)
    assert out.returncode == 0 and "grad_fn: 'AddBackward0'" in out.stdout, out.stdout + out.stderr


def _case_calls_a_missing_method(torch, device):
    return {"y": torch.ones(2).no_such_method_xyz()}


def test_a_tensor_method_the_target_lacks_is_missing():
    case = Case("local", "missing_method", _case_calls_a_missing_method)
    records = runner.run_case(case, lanes.make_lanes("torch", want_cuda=False))
    first = records[0]
    assert first["status"] == "missing"
    assert first["reason"] == "torch lacks Tensor.no_such_method_xyz"
    assert first["reproducer"] and "def _case_calls_a_missing_method" in first["reproducer"]


NOISY = "tests.conformance.sample_targets.noisy"


def test_values_are_printed_at_full_precision_and_a_divergence_exits_1(tmp_path):
    case = next(c for c in collect(SAMPLES) if c.id == "values::exp_and_grad[float64]")
    text = reproduce.for_case(case, "tests.conformance.sample_targets.skewed",
                              record_for(case))
    out = run_script(text, tmp_path)
    assert out.returncode == 1, out.stdout + out.stderr
    torch_lane = out.stdout.split("=== torch-cpu")[1]
    values = torch_lane.split("values at full precision: ")[1].splitlines()[0]
    import numpy as np
    from conformance import inputs
    expected = np.exp(inputs.randn((2, 3), "exp", np.float64))
    assert repr(float(expected[0, 0])) in values       # every digit, not 4 decimals


def test_a_targets_escape_sequences_are_shown_not_sent(tmp_path):
    case = next(c for c in collect(SAMPLES) if c.id == "values::exp_and_grad[float32]")
    out = run_script(reproduce.for_case(case, NOISY, record_for(case)), tmp_path)
    assert out.returncode == 1, out.stdout + out.stderr
    assert "\x1b" not in out.stdout and "\x07" not in out.stdout
    assert "raised RuntimeError: exp failed \\ud800 \\x1b[31mred" in out.stdout
    assert f"=== target: {NOISY} on cpu" in out.stdout
    assert "project root" not in text_of(case)


def text_of(case):
    return reproduce.for_case(case, NOISY, record_for(case))
