"""The plugin as the ``pytest11`` entry point loads it: inert in a project that does not run
conformance cases, active when the run reaches the conformance package, and registered once
when the checkout's conftest meets an already loaded plugin."""
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
SAMPLES = "tests.conformance.sample_cases"


def pytest_in(folder, *args, **env_vars):
    """pytest in a subprocess, the plugin loaded as the entry point would load it."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "OMP_NUM_THREADS": "1",
           "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1", **env_vars}
    return subprocess.run([sys.executable, "-m", "pytest", "-p", "conformance.pytest_plugin",
                           "-p", "xdist.plugin", "-p", "no:cacheprovider", *args],
                          cwd=folder, capture_output=True, text=True, timeout=300, env=env)


def test_an_unrelated_project_is_unaffected(tmp_path):
    """No session, no thread pinning, no scheduler of its own, no temporary folder."""
    project, scratch = tmp_path / "project", tmp_path / "scratch"
    project.mkdir()
    scratch.mkdir()
    (project / "test_own.py").write_text(
        "import os\n\n"
        "def test_threads_are_the_users():\n"
        "    assert os.environ['OMP_NUM_THREADS'] == '3'\n\n"
        "def test_two():\n    assert 1 + 1 == 2\n")
    done = pytest_in(project, "-n", "2", "-v", OMP_NUM_THREADS="3", TMPDIR=str(scratch))
    out = done.stdout + done.stderr
    assert done.returncode == 0, out
    assert "2 passed" in out and "LoadScheduling" in out, out
    assert "CaseScheduling" not in out and "JSON report" not in out, out
    assert not list(scratch.glob("conformance-partials-*")), list(scratch.iterdir())


def test_the_options_are_there_and_a_pyargs_run_is_a_conformance_run(tmp_path):
    done = pytest_in(tmp_path, "--help")
    assert "--conformance-target" in done.stdout, done.stdout + done.stderr
    json_path = tmp_path / "r.json"
    done = pytest_in(ROOT, "--pyargs", "conformance", "--collect-only", "-q",
                     "--conformance-cases", SAMPLES, "--conformance-json", str(json_path))
    out = done.stdout + done.stderr
    assert done.returncode == 0, out
    assert f"{SAMPLES}::values::exp_and_grad[float32][target~torch-cpu]" in out
    assert "already added" not in out and "already registered" not in out


def test_the_checkout_conftest_does_not_register_a_loaded_plugin_again(tmp_path):
    done = pytest_in(ROOT, "conformance", "--collect-only", "-q", "--conformance-cases",
                     SAMPLES, "--conformance-json", str(tmp_path / "r.json"))
    out = done.stdout + done.stderr
    assert done.returncode == 0, out
    assert f"{SAMPLES}::values::exp_and_grad[float32][torch-cuda~torch-cpu]" in out
