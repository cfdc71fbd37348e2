"""End to end, as the author of another torch-like library meets the harness: a wheel built
from this repository, installed into the virtualenv of a separate project that has its own
(hostile) pytest configuration, checks a module of that project with the ``conformance``
script and with plain pytest through the ``pytest11`` entry point."""
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from conformance.report import json_report

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
# torch, except that exp is 0.1 % too large: the run must find it, and nothing else
MYMODULE = '''
import torch as _torch


def exp(x, *args, **kwargs):
    return _torch.exp(x, *args, **kwargs) * 1.001


def __getattr__(name):
    return getattr(_torch, name)
'''
# A project whose pytest configuration would break any run that read it.
PROJECT_CONFIG = '''
[project]
name = "myproject"
version = "0.0.1"

[tool.pytest.ini_options]
required_plugins = ["pytest-cov"]
addopts = "--cov=mymodule --strict-config -p no:xdist"
python_files = ["*.py"]
'''
EXP_ONLY = "ops and exp and not expand and not exp2 and not expm1"


def _check(command, cwd, env, timeout=600):
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=timeout)
    assert done.returncode == 0, f"{command}\n{done.stdout}\n{done.stderr}"
    return done


def _can_build_in_place() -> bool:
    """Whether this interpreter's setuptools builds the wheel without an isolated build env
    (saves a download); otherwise pip builds in isolation from the registry."""
    try:
        import setuptools
    except ImportError:
        return False
    return int(setuptools.__version__.split(".")[0]) >= 77


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """(project folder, its environment's bin folder, environment variables)."""
    base = tmp_path_factory.mktemp("install")
    source = base / "source"       # a copy: building writes build/ and *.egg-info
    source.mkdir()
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy(ROOT / name, source / name)
    for package in ("refgrad", "conformance"):
        shutil.copytree(ROOT / package, source / package,
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env.update(OMP_NUM_THREADS="1", PIP_DISABLE_PIP_VERSION_CHECK="1")
    wheels = base / "wheels"
    build = [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(wheels),
             str(source)]
    _check(build + (["--no-build-isolation"] if _can_build_in_place() else []), base, env)
    wheel = next(wheels.glob("refgrad-*.whl"))

    project = base / "myproject"
    project.mkdir()
    (project / "pyproject.toml").write_text(PROJECT_CONFIG)
    (project / "mymodule.py").write_text(MYMODULE)
    (project / "test_mine.py").write_text("def test_mine():\n    assert False\n")
    # the project's own virtualenv, inside it as is usual: pytest finds the project's
    # configuration above the installed harness; no system site-packages
    _check([sys.executable, "-m", "venv", "--without-pip", str(project / ".venv")], base, env)
    bin_dir = project / ".venv" / "bin"
    _check([str(bin_dir / "python"), "-m", "ensurepip", "--default-pip"], base, env)
    install = [str(bin_dir / "python"), "-m", "pip", "install", "-q",
               "--find-links", str(wheels), "-c", str(ROOT / "constraints.txt"),
               f"refgrad[conformance] @ {wheel.as_uri()}"]
    _check(install, base, env, timeout=1200)
    env["PATH"] = f"{bin_dir}{os.pathsep}{env.get('PATH', '')}"
    return project, bin_dir, env


@pytest.fixture(scope="module")
def plain_install(installed, tmp_path_factory):
    """A second environment outside any project: the wheel alone (``--no-deps``),
    its dependencies shared with the first through a .pth file; and a project folder with no
    pytest configuration and its own ``mymodule``."""
    project, bin_dir, env = installed
    base = tmp_path_factory.mktemp("plain")
    _check([sys.executable, "-m", "venv", "--without-pip", str(base / "venv")], base, env)
    plain_bin = base / "venv" / "bin"
    _check([str(plain_bin / "python"), "-m", "ensurepip", "--default-pip"], base, env)
    wheel = next((project.parent / "wheels").glob("refgrad-*.whl"))
    _check([str(plain_bin / "python"), "-m", "pip", "install", "-q", "--no-deps", str(wheel)],
           base, env)
    site = _site_packages(plain_bin)
    (Path(site) / "shared_dependencies.pth").write_text(_site_packages(bin_dir) + "\n")
    folder = base / "library"
    folder.mkdir()
    (folder / "mymodule.py").write_text(MYMODULE)
    return folder, plain_bin, env


def _site_packages(bin_dir) -> str:
    return subprocess.run([str(bin_dir / "python"), "-c",
                           "import sysconfig; print(sysconfig.get_path('purelib'))"],
                          capture_output=True, text=True, check=True).stdout.strip()


def _exp_records(path):
    report = json_report.load(path)
    assert report["environment"]["target"] == "mymodule" and report["complete"]
    records = [r for r in report["records"] if r["pair"] == "target~torch-cpu"]
    assert records and all(r["case"].startswith("ops::exp") for r in records)
    assert all(r["status"] == "diverge" for r in records), [r["status"] for r in records]
    return report


def test_the_installed_package_has_its_metadata(installed):
    project, bin_dir, env = installed
    shown = _check([str(bin_dir / "python"), "-c", textwrap.dedent("""
        import importlib.metadata as md, pathlib, conformance, refgrad
        dist = md.distribution("refgrad")
        print(dist.metadata["License-Expression"], dist.version, conformance.__version__,
              refgrad.__version__)
        print(sorted(ep.value for ep in dist.entry_points if ep.group == "pytest11"))
        for package in (conformance, refgrad):
            print((pathlib.Path(package.__file__).parent / "py.typed").is_file())
        print(any(f.name == "LICENSE" for f in dist.files))
    """)], project, env).stdout.split("\n")
    import refgrad
    version = refgrad.__version__
    assert shown[0] == f"MIT {version} {version} {version}"
    assert shown[1:5] == ["['conformance.pytest_plugin']", "True", "True", "True"]


def test_plain_pytest_in_the_project_fails_on_its_own_configuration(installed):
    """The control: the project's configuration does break a run that reads it."""
    project, bin_dir, env = installed
    done = subprocess.run([str(bin_dir / "pytest"), "-q"], cwd=project, env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode != 0 and "pytest-cov" in done.stdout + done.stderr


def test_the_script_checks_a_module_in_the_project_folder(installed):
    project, bin_dir, env = installed
    done = subprocess.run([str(bin_dir / "conformance"), "run", "--target", "mymodule",
                           "-n", "0", "-q", "-k", EXP_ONLY, "--json", "r.json"],
                          cwd=project, env=env, capture_output=True, text=True, timeout=600)
    out = done.stdout + done.stderr
    assert done.returncode == 1, out            # exp diverges
    _exp_records(project / "r.json")


def test_the_script_checks_a_module_in_a_folder_without_pytest_configuration(plain_install):
    folder, bin_dir, env = plain_install
    done = subprocess.run([str(bin_dir / "conformance"), "run", "--target", "mymodule",
                           "-n", "0", "-q", "-k", EXP_ONLY, "--json", "r.json"],
                          cwd=folder, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 1, done.stdout + done.stderr      # exp diverges
    report = _exp_records(folder / "r.json")
    assert report["environment"]["target"] == "mymodule"


@pytest.mark.parametrize("load", ["entry point", "-p conformance"])
def test_plain_pytest_checks_a_module_in_the_project_folder(installed, load):
    project, bin_dir, env = installed
    env = dict(env)
    load_args = []
    if load == "-p conformance":
        env["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
        load_args = ["-p", "conformance"]
    json_path = project / f"plain-{load_args and 'p' or 'ep'}.json"
    done = subprocess.run(
        [str(bin_dir / "pytest"), *load_args, "--pyargs", "conformance", "-q",
         "-o", "addopts=", "-o", "required_plugins=", "-o", "python_files=test_*.py",
         "-p", "no:cacheprovider", "--conformance-target", "mymodule", "-k", EXP_ONLY,
         "--conformance-json", str(json_path)],
        cwd=project, env=env, capture_output=True, text=True, timeout=600)
    out = done.stdout + done.stderr
    assert done.returncode == 1, out            # failed items: exp diverges
    assert "FAILED" in out and "ops::exp" in out, out
    _exp_records(json_path)
