"""``conformance run`` under hostile targets, bad input, signals and concurrent runs: nothing
lost, nothing passed by mistake, every usage problem found before any case runs."""
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conformance.__main__ import main
from conformance.report import json_report

ROOT = Path(__file__).resolve().parents[2]
FAULTS = "tests.conformance.sample_faults"
SAMPLES = "tests.conformance.sample_cases"
TARGETS = "tests.conformance.sample_targets"


def environ(**extra) -> dict:
    return {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONPATH": str(ROOT),
            "PYTHONUNBUFFERED": "1", **extra}


def cli(*args, cwd=ROOT, timeout=300, **env):
    return subprocess.run([sys.executable, "-m", "conformance", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=timeout, env=environ(**env))


def page_title(path: Path) -> str:
    text = path.read_text(encoding="utf-8")
    return text.split("<title>", 1)[1].split("</title>", 1)[0]


# ---------------------------------------------------------------- 1: two runs, one --json path

def test_concurrent_runs_on_one_json_path_keep_their_own_verdicts(tmp_path):
    """The verdict and the page come from each run's own result, not from the shared file."""
    shared = tmp_path / "shared.json"
    runs = {}
    for name, target in (("crashes", f"{TARGETS}.segfaults_in_cases"), ("torch", "torch")):
        log = open(tmp_path / f"{name}.log", "w")
        runs[name] = (subprocess.Popen(
            [sys.executable, "-m", "conformance", "run", "--target", target, "--cases", FAULTS,
             "-k", "fine", "-n", "0", "--json", str(shared), "--html",
             str(tmp_path / f"{name}.html")],
            cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, env=environ()), log)
    codes = {name: process.wait(timeout=300) for name, (process, _) in runs.items()}
    for _, log in runs.values():
        log.close()
    logs = {name: (tmp_path / f"{name}.log").read_text() for name in runs}
    assert codes == {"crashes": 1, "torch": 0}, logs
    assert "segfaults_in_cases" in page_title(tmp_path / "crashes.html")
    assert "Conformance: torch against" in page_title(tmp_path / "torch.html")
    assert json_report.load(shared)["complete"]          # whole, whichever run wrote last
    assert "1 crash" in logs["crashes"] and "1 crash" not in logs["torch"]
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]     # no temp files


# ---------------------------------------------------------------- 2: Ctrl-C at any moment

@pytest.mark.parametrize("delay_s", [None, 0.0, 1.5])
def test_ctrl_c_to_the_process_group_of_a_two_worker_run_leaves_a_report(tmp_path, delay_s):
    """A terminal's Ctrl-C reaches the controller, the xdist workers and the case processes
    alike, and people press it more than once: the report is still written, incomplete."""
    path = tmp_path / "interrupted.json"
    log = tmp_path / "out.txt"
    with open(log, "w") as handle:
        process = subprocess.Popen(
            [sys.executable, "-m", "conformance", "run", "--target", "torch", "--cases",
             FAULTS, "--json", str(path), "-n", "2", "-k", "fine or sleeps"],
            cwd=ROOT, stdout=handle, stderr=subprocess.STDOUT, start_new_session=True,
            env=environ(SAMPLE_SLEEP_S="120"))
        # None: as soon as pytest has started its workers, before they have collected;
        # else once the first item passed ("fine") and "sleeps" runs, and delay_s later
        wanted = (lambda text: "workers" in text) if delay_s is None else \
            (lambda text: "." in text.partition("workers")[2])
        deadline = time.monotonic() + 180
        while not wanted(log.read_text()) and time.monotonic() < deadline \
                and process.poll() is None:
            time.sleep(0.1)
        time.sleep(delay_s or 0.0)
        for _ in range(3):          # Ctrl-C, then again while the run winds down
            os.killpg(process.pid, signal.SIGINT)
            time.sleep(0.3)
        code = process.wait(timeout=120)
    output = log.read_text()
    assert code == 2, output
    report = json_report.load(path)
    assert report["complete"] is False
    # A worker interpreter hit while it starts prints its own traceback (execnet's
    # bootstrap, before any of the harness runs there); none may come from the harness.
    frames = [line for line in output.splitlines() if line.strip().startswith("File ")]
    assert not [line for line in frames if "conformance" in line], output
    if delay_s is not None:
        assert "Traceback" not in output, output
    assert not list(tmp_path.glob(".*.tmp"))


# ---------------------------------------------------------------- 3: outputs checked first

@pytest.mark.parametrize("flag", ["--json", "--html"])
def test_unwritable_output_is_refused_before_any_case_runs(tmp_path, capsys, flag):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    bad = blocker / "report.out"                   # its parent is a file: cannot be made
    other = {"--json": ["--html", str(tmp_path / "r.html")],
             "--html": ["--json", str(tmp_path / "r.json")]}[flag]
    code = main(["run", "--target", "torch", "--cases", FAULTS, "-k", "sleeps", flag, str(bad),
                 *other])
    out, err = capsys.readouterr()
    assert code == 2
    assert err == f"conformance run: {flag} {bad} cannot be written ({blocker} is a file, " \
                  f"not a folder)\n"
    assert out == "" and not (tmp_path / "r.json").exists()


def test_a_report_path_that_is_a_folder_is_refused(tmp_path, capsys):
    code = main(["run", "--target", "torch", "--cases", FAULTS, "--json", str(tmp_path)])
    assert code == 2
    assert capsys.readouterr().err == f"conformance run: --json {tmp_path} is a folder, " \
                                      f"not a file\n"


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_a_read_only_folder_is_refused(tmp_path, capsys):
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        code = main(["run", "--target", "torch", "--cases", FAULTS, "--json",
                     str(folder / "new" / "r.json")])
    finally:
        folder.chmod(0o755)
    assert code == 2 and f"cannot be written ({folder} is not writable)" in \
        capsys.readouterr().err


def test_a_folder_the_system_says_is_not_writable_is_refused(tmp_path, capsys, monkeypatch):
    """As root the test above is skipped: here the permission check itself says no, as it
    does for a read-only folder or file system."""
    monkeypatch.setattr(os, "access", lambda path, mode: False)
    code = main(["run", "--target", "torch", "--cases", FAULTS, "--json",
                 str(tmp_path / "r.json")])
    assert code == 2
    assert capsys.readouterr().err == (f"conformance run: --json {tmp_path / 'r.json'} cannot "
                                       f"be written ({tmp_path} is not writable)\n")


def test_a_missing_parent_folder_is_fine_and_nothing_is_made(tmp_path):
    from conformance.pytest_plugin.options import check_writable

    check_writable(tmp_path / "new" / "deeper" / "r.json")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("content, message", [
    ("[[divergence]]\ntarget = 'x'\n", "lacks ['case', 'pair', 'reason']"),
    ("not toml = = =", "not valid TOML"),
    ("divergence = 3", "divergence must be an array"),
    ("divergence = [1]", "[[divergence]] #1 is not a table"),
])
def test_a_bad_known_file_is_one_line_before_any_case_runs(tmp_path, capsys, content, message):
    known = tmp_path / "known.toml"
    known.write_text(content)
    json_path = tmp_path / "r.json"
    code = main(["run", "--target", "torch", "--cases", FAULTS, "--known", str(known),
                 "--json", str(json_path)])
    err = capsys.readouterr().err
    assert code == 2 and message in err and err.count("\n") == 1, err
    assert err.startswith("conformance run: ")
    assert not json_path.exists()


def test_a_missing_or_folder_known_file_is_one_line(tmp_path, capsys):
    assert main(["run", "--known", str(tmp_path / "nope.toml"), "--json",
                 str(tmp_path / "r.json")]) == 2
    assert capsys.readouterr().err == (f"conformance run: known-divergences file "
                                       f"{tmp_path / 'nope.toml'} does not exist\n")
    assert main(["run", "--known", str(tmp_path), "--json", str(tmp_path / "r.json")]) == 2
    assert "cannot be read (Is a directory)" in capsys.readouterr().err


# ---------------------------------------------------------------- 4: argparse validation

@pytest.mark.parametrize("args, message", [
    (["--timeout", "nan"], "argument --timeout: must be a finite number of seconds above 0"),
    (["--timeout", "inf"], "argument --timeout: must be a finite number of seconds above 0"),
    (["--timeout", "-1"], "argument --timeout: must be a finite number of seconds above 0"),
    (["--timeout", "0"], "argument --timeout: must be a finite number of seconds above 0"),
    (["--timeout", "soon"], "argument --timeout: not a number of seconds: 'soon'"),
    (["--import-timeout", "0"], "argument --import-timeout: must be a finite number"),
    (["-n", "-1"], "argument -n: takes a number of workers from 0 to 256 or 'auto'"),
    (["-n", "257"], "argument -n: takes a number of workers from 0 to 256 or 'auto'"),
    (["-n", "many"], "argument -n: takes a number of workers (0 to 256) or 'auto'"),
    (["--target", ""], "argument --target: needs a module name, not an empty string"),
    (["--target", ".foo"], "argument --target: takes an absolute module name, not the "
                           "relative '.foo'"),
    (["--target", "a b"], "argument --target: not a module name: 'a b'"),
    (["--json", "same.out", "--html", "same.out"],
     "argument --html: the same path as --json (same.out)"),
    (["--json", "r.html"], "argument --json: the page would go to r.html too; give --html "
                           "PATH or --no-html"),
    (["--known-only"], "argument --known-only: needs --known PATH"),
    (["--html", "x.html", "--no-html"], "argument --no-html: not allowed with --html"),
])
def test_bad_values_are_refused_in_argparse_style(capsys, args, message):
    with pytest.raises(SystemExit) as exit_info:
        main(["run", *args])
    err = capsys.readouterr().err
    assert exit_info.value.code == 2
    assert err.startswith("usage: ") and f"run: error: {message}" in err, err


def test_plain_pytest_refuses_a_bad_timeout_too():
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "conformance", "-p", "no:cacheprovider",
         "--conformance-timeout", "nan", "--co", "-q"],
        cwd=ROOT, capture_output=True, text=True, timeout=120, env=environ())
    assert done.returncode == 4, done.stdout + done.stderr
    assert "--conformance-timeout: must be a finite number of seconds above 0" in done.stderr


# ---------------------------------------------------------------- 5: target import

@pytest.mark.parametrize("module, message", [
    ("hangs_at_import", "did not finish importing within 3 s (--import-timeout)"),
    ("segfaults_at_import", "crashed at import (killed by SIGSEGV)"),
    ("raises_at_import", "raised RuntimeError at import: no GPU driver found\\x1b]0;pwned\\x07"),
])
def test_a_target_that_fails_at_import_is_one_line_and_exit_2(tmp_path, module, message):
    target = f"{TARGETS}.{module}"
    done = cli("run", "--target", target, "--import-timeout", "3", "--json",
               str(tmp_path / "r.json"), timeout=120)
    assert done.returncode == 2, done.stdout + done.stderr
    # one line; the escape sequence the target raised is shown, not sent to the terminal
    assert done.stderr == f"conformance run: conformance target {target!r} {message}\n"
    assert done.stdout == "" and not (tmp_path / "r.json").exists()


# ---------------------------------------------------------------- 6: report readers

@pytest.fixture(scope="module")
def good_report(tmp_path_factory):
    path = tmp_path_factory.mktemp("good") / "good.json"
    report = json_report.build([], {}, {"target": "torch"}, [])
    json_report.write(report, path)
    return path


@pytest.mark.parametrize("name, content, message", [
    ("list.json", "[]", "a report is a JSON object, not list"),
    ("no-records.json", {"drop": "records"}, "the report lacks records"),
    ("odd-complete.json", {"complete": "yes"}, "complete is a JSON bool, not str"),
    ("odd-summary.json", {"summary": []}, "summary is a JSON dict, not list"),
    ("deep.json", "[" * 100000 + "]" * 100000, "nested too deeply"),
])
def test_readers_refuse_wrong_shapes_in_one_line(tmp_path, capsys, good_report, name, content,
                                                 message):
    bad = tmp_path / name
    if isinstance(content, dict):
        report = json.loads(good_report.read_text())
        if "drop" in content:
            del report[content["drop"]]
        else:
            report.update(content)
        content = json.dumps(report)
    bad.write_text(content)
    for args in (("html", str(bad), "-o", str(tmp_path / "out.html")),
                 ("compare", str(good_report), str(bad)),
                 ("merge", str(good_report), str(bad), "-o", str(tmp_path / "out.json"))):
        code = main(list(args))
        out, err = capsys.readouterr()
        assert code == 2, (args, out, err)
        assert err.startswith(f"conformance {args[0]}: {bad}: ") and message in err, err
        assert err.count("\n") == 1, err
    assert sorted(p.name for p in tmp_path.iterdir()) == [name]       # nothing else written


def test_readers_refuse_a_folder_and_a_missing_file(tmp_path, capsys, good_report):
    for path, message in ((tmp_path, "a folder, not a report file"),
                          (tmp_path / "none.json", "cannot be read (No such file or directory)")):
        for args in (("html", str(path)), ("compare", str(good_report), str(path)),
                     ("merge", str(path), "-o", str(tmp_path / "m.json"))):
            assert main(list(args)) == 2
            assert capsys.readouterr().err == f"conformance {args[0]}: {path}: {message}\n"


def test_compare_refuses_an_unknown_status(tmp_path, capsys, good_report):
    report = json.loads(good_report.read_text())
    report["records"] = [{"id": "a::b[target~torch-cpu]", "case": "a::b", "area": "a",
                          "name": "b", "param_id": "", "pair": "target~torch-cpu",
                          "left": "target", "right": "torch-cpu", "status": "passed"}]
    bad = tmp_path / "odd.json"
    bad.write_text(json.dumps(report))
    assert main(["compare", str(good_report), str(bad)]) == 2
    assert "unknown status 'passed'" in capsys.readouterr().err


def test_html_never_replaces_its_own_report(tmp_path, capsys, good_report):
    page_named = tmp_path / "r.html"
    page_named.write_text(good_report.read_text())
    assert main(["html", str(page_named)]) == 2
    assert "would replace the report" in capsys.readouterr().err
    assert json_report.load(page_named)


def test_a_failed_write_leaves_no_temporary_file(tmp_path, monkeypatch):
    def broken_replace(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError):
        json_report.write(json_report.build([], {}, {"target": "t"}, []), tmp_path / "r.json")
    assert list(tmp_path.iterdir()) == []


# ---------------------------------------------------------------- 7: --version, help

def test_version_and_help(capsys):
    import conformance

    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    assert capsys.readouterr().out == f"python -m conformance {conformance.__version__}\n"
    for command in ([], ["run"], ["html"], ["compare"], ["merge"], ["reproducer"]):
        with pytest.raises(SystemExit):
            main([*command, "--help"])
        out = capsys.readouterr().out
        assert "exit codes:" in out and "  2  usage error" in out, command
    with pytest.raises(SystemExit):
        main(["merge", "--help"])
    out = capsys.readouterr().out
    assert "REPORT" in out and "the JSON reports" in out


def test_every_positional_argument_has_help():
    from conformance.__main__ import _parser

    parser = _parser()
    subparsers = parser._subparsers._group_actions[0].choices        # argparse's own record
    for name, sub in subparsers.items():
        for action in sub._actions:
            if not action.option_strings and name != "fuzz":
                assert action.help, (name, action.dest)


def test_the_program_name_follows_how_it_was_started(tmp_path):
    """``conformance`` as the installed script, ``python -m conformance`` otherwise."""
    script = tmp_path / "conformance"
    script.write_text("import sys\nfrom conformance.__main__ import main\nsys.exit(main())\n")
    as_script = subprocess.run([sys.executable, str(script), "run", "-n", "x"],
                               capture_output=True, text=True, env=environ(), timeout=60)
    assert as_script.stderr.startswith("usage: conformance run "), as_script.stderr
    as_module = cli("run", "-n", "x")
    assert as_module.stderr.startswith("usage: python -m conformance run "), as_module.stderr


# ---------------------------------------------------------------- 8: the harness's own ini

def test_a_users_pytest_configuration_does_not_reach_the_run(tmp_path):
    """The harness installed in a virtualenv inside a project (a copy under project/.venv)
    whose own pytest configuration would break it: required_plugins, addopts, a conftest."""
    import shutil

    project = tmp_path / "project"
    site = project / ".venv" / "site-packages"
    shutil.copytree(ROOT / "conformance", site / "conformance",
                    ignore=shutil.ignore_patterns("__pycache__"))
    (project / "pyproject.toml").write_text(
        '[tool.pytest.ini_options]\nrequired_plugins = ["pytest-cov-does-not-exist"]\n'
        'addopts = "--no-such-option -p no:xdist"\n')
    (project / "conftest.py").write_text("raise RuntimeError('the user conftest ran')\n")
    (project / "mytarget.py").write_text("from torch import *\nimport torch as _t\n"
                                         "def __getattr__(name):\n"
                                         "    return getattr(_t, name)\n")
    done = cli("run", "--target", "mytarget", "--cases", FAULTS, "-k", "fine", "-n", "0",
               cwd=project, PYTHONPATH=os.pathsep.join([str(site), str(ROOT)]))
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"rootdir: {site}" in done.stdout
    assert "JSON report: reports/conformance-partial.json" in done.stdout
    assert "HTML page:   reports/conformance-partial.html" in done.stdout
    assert json_report.load(project / "reports" / "conformance-partial.json")["complete"]


# ---------------------------------------------------------------- 9: default paths

def test_default_paths_of_a_full_and_a_partial_run():
    from conformance.__main__ import _check_run_args, _parser

    def paths(*args):
        parser = _parser()
        parsed = parser.parse_args(["run", *args])
        _check_run_args(parser, parsed)
        return parsed.json, parsed.html

    assert paths() == ("reports/conformance.json", "reports/conformance.html")
    partial = ("reports/conformance-partial.json", "reports/conformance-partial.html")
    assert paths("-k", "bce") == partial
    assert paths("--cases", SAMPLES) == partial
    assert paths("--", "-m", "slow") == partial
    assert paths("--", "conformance.cases::bce") == partial
    assert paths("--", "-v") == ("reports/conformance.json", "reports/conformance.html")
    assert paths("-k", "bce", "--json", "x/mine.json") == ("x/mine.json", "x/mine.html")
    assert paths("--no-html") == ("reports/conformance.json", None)


# ---------------------------------------------------------------- 10: missing fails the run

def test_missing_features_fail_the_run_unless_allowed(tmp_path):
    """skewed lacks sigmoid: its sigmoid record is missing, its integer one matches."""
    common = ["run", "--target", f"{TARGETS}.skewed", "--cases", SAMPLES, "-k",
              "sigmoid or integers_and_bools", "-n", "0"]
    failing = cli(*common, "--json", str(tmp_path / "a.json"))
    assert failing.returncode == 1, failing.stdout + failing.stderr
    assert "FAILED: 1 record(s) missing" in failing.stdout
    report = json_report.load(tmp_path / "a.json")
    assert report["allow_missing"] is False and report["summary"]["total"]["missing"] == 1
    allowed = cli(*common, "--allow-missing", "--json", str(tmp_path / "b.json"))
    assert allowed.returncode == 0, allowed.stdout + allowed.stderr
    assert json_report.load(tmp_path / "b.json")["allow_missing"] is True
    # the CUDA lane is one line, its items one count, not one line each
    assert "lane torch-cuda not run: " in allowed.stdout
    assert "4 not_run" in allowed.stdout and "SKIPPED" not in allowed.stdout
    nothing = cli(*common[:6], "sigmoid", "--allow-missing", "--json", str(tmp_path / "c.json"))
    assert nothing.returncode == 1, nothing.stdout + nothing.stderr
    assert "FAILED: the target provides nothing the cases need" in nothing.stdout


def test_a_target_that_provides_nothing_fails_even_when_missing_is_allowed():
    from conformance.__main__ import exit_code

    def report(*statuses, allow=True):
        records = [{"left": "target", "status": s} for s in statuses]
        return {"complete": True, "summary": {"unexpected": 0}, "records": records,
                "allow_missing": allow}

    assert exit_code(report("missing", "missing", "not_run")) == 1
    assert exit_code(report("missing", "match")) == 0
    assert exit_code(report("missing", "match", allow=False)) == 1
    assert exit_code(report("match", "not_run", allow=False)) == 0
    assert "provides nothing" in json_report.missing_verdict(report("missing"))


# ---------------------------------------------------------------- 11: additive --known

def test_a_users_known_file_adds_to_the_shipped_one(tmp_path):
    from conformance import known

    mine = tmp_path / "mine.toml"
    mine.write_text("[[divergence]]\ntarget = 'mylib'\npair = '*'\ncase = 'ops::x'\n"
                    "reason = 'ours'\n")
    shipped = known.load(None)
    assert shipped, "the checked-in file has entries"
    both = known.for_run(mine)
    assert both == shipped + known.load(mine)
    assert known.for_run(mine, only=True) == known.load(mine)
    assert known.for_run(known.DEFAULT_PATH) == shipped          # listed twice counts once
    with pytest.raises(ValueError):
        known.for_run(None, only=True)


# ---------------------------------------------------------------- 12: worker count

def test_default_worker_count_follows_the_cpus(monkeypatch):
    from conformance import __main__ as cli_module

    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1})
    assert cli_module.default_workers() == 0
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: set(range(8)))
    assert cli_module.default_workers() == "auto"


# ---------------------------------------------------------------- a full disk at the end

FULL_DISK = """
import errno, sys, tempfile
tempfile.tempdir = sys.argv[1]
from conformance.report import json_report

def write(report, path):
    raise OSError(errno.ENOSPC, "No space left on device")

json_report.write = write
from conformance.__main__ import main
sys.exit(main(sys.argv[2:]))
"""


def test_a_report_that_cannot_be_written_at_the_end_is_exit_2_and_leaves_nothing(tmp_path):
    temp = tmp_path / "temp"
    temp.mkdir()
    done = subprocess.run(
        [sys.executable, "-c", FULL_DISK, str(temp), "run", "--target", "torch", "--cases",
         FAULTS, "-k", "fine", "-n", "0", "--json", str(tmp_path / "r.json")],
        cwd=ROOT, capture_output=True, text=True, timeout=300, env=environ())
    assert done.returncode == 2, done.stdout + done.stderr
    assert "conformance: the report could not be written ([Errno 28] No space left on " \
           "device)" in done.stderr
    assert "conformance run: no report was written" in done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    assert list(temp.iterdir()) == []           # the partial-records folder is gone
    assert sorted(p.name for p in tmp_path.iterdir()) == ["temp"]
