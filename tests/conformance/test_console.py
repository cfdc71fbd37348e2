"""The installed ``conformance`` script: the extra named when the harness's dependencies are
missing, and a target module found in the current folder, as ``python -m`` finds it."""
import importlib.util
import subprocess
import sys
import textwrap
from pathlib import Path

from conformance import console

ROOT = Path(__file__).resolve().parents[2]


def test_a_missing_dependency_names_the_extra(monkeypatch, capsys):
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name in ("pytest", "torch") else real(name, *a))
    assert console.missing_dependencies() == ["pytest", "torch"]
    assert console.main(["run", "-k", "bce"]) == 2
    err = capsys.readouterr().err
    assert "pytest, torch" in err and "pip install 'refgrad[conformance]'" in err
    assert "No module named" not in err
    assert console.main(["--version"]) == 0
    assert capsys.readouterr().out.startswith("conformance 0.")


def test_a_target_in_the_current_folder_is_found(tmp_path):
    """The script as pip writes it (no cwd on sys.path), run in a folder holding the target."""
    (tmp_path / "mytarget.py").write_text("from torch import *\n")
    script = textwrap.dedent(f"""
        import sys
        sys.path = [p for p in sys.path if p not in ("", {str(tmp_path)!r})]
        sys.path.insert(0, {str(ROOT)!r})
        from conformance.console import main
        sys.argv = ["conformance", "run", "-n", "0", "-q", "--target", "mytarget",
                    "--cases", "tests.conformance.sample_cases",
                    "--json", "r.json", "-k", "exp_and_grad and float32"]
        sys.exit(main())
    """)
    done = subprocess.run([sys.executable, "-I", "-c", script], cwd=tmp_path,
                          capture_output=True, text=True, timeout=300)
    out = done.stdout + done.stderr
    assert "No module named 'mytarget'" not in out, out
    assert (tmp_path / "r.json").exists(), out
    assert done.returncode in (0, 1), out


def test_python_m_conformance_names_the_extra_too():
    """``python -m conformance`` without pytest: the same message, not 'No module named'."""
    code = textwrap.dedent("""
        import importlib.util, runpy
        real = importlib.util.find_spec
        importlib.util.find_spec = lambda name, *a: None if name == "pytest" else real(name, *a)
        runpy.run_module("conformance", run_name="__main__", alter_sys=True)
    """)
    done = subprocess.run([sys.executable, "-c", code, "run"], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 2, done.stderr
    assert "needs pytest" in done.stderr and "refgrad[conformance]" in done.stderr


def test_torch_is_needed_only_to_run_torch():
    from conformance import extras
    assert extras.needs_torch(["run", "-k", "bce"]) and extras.needs_torch(["record"])
    assert extras.needs_torch(["fuzz", "--profile", "ci"])
    assert not extras.needs_torch(["run", "--reference", "a.ref.json.gz"])
    assert not extras.needs_torch(["run", "--reference=a.ref.json.gz", "-q"])
    assert extras.needs_torch(["run", "--", "--reference"])     # a pytest argument
    assert not any(extras.needs_torch([c, "r.json"]) for c in ("html", "compare", "merge"))
