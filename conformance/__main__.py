"""``python -m conformance`` (or the ``conformance`` script): run, record, html, compare,
merge, reproducer, fuzz.

    python -m conformance run [--target MODULE] [--json PATH] [--html PATH] [-n N]
                              [--cases PACKAGE] [--known PATH [--known-only]] [--timeout S]
                              [--import-timeout S] [--strict] [--allow-missing] [--no-cuda]
                              [-k EXPR] [--reference FILE... | --torch-python PATH]
                              [-- PYTEST ARGS...]
    python -m conformance record [--out PATH] [-n N] [--cases PACKAGE] [--timeout S]
                                 [--no-cuda] [-k EXPR] [-- PYTEST ARGS...]
    python -m conformance html REPORT.json [-o OUT.html]
    python -m conformance compare OLD.json NEW.json
    python -m conformance merge A.json B.json ... -o OUT.json [--html OUT.html]
    python -m conformance reproducer REPORT.json RECORD_ID
    python -m conformance drift A B [--json PATH] [--html PATH | --no-html] [-k EXPR]
                                    [--no-cuda] [--keep-references FOLDER] [--exit-zero]
                                    (A, B: reference files or python:PATH interpreters)
    python -m conformance fuzz ...            (see python -m conformance fuzz --help)

``run`` checks everything it can before any case runs: its arguments, that the reports can
be written, the known-divergences file, and that the target imports (in a child process, under
``--import-timeout``, so a target that hangs or crashes at import is one line, exit 2). The
verdict and the HTML page come from the run's own result in memory, never from the report
file, which another run may be writing at the same time.
"""
from __future__ import annotations

import argparse
import json
import os
import shlex
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

import conformance
from conformance import extras

if __name__ == "__main__" and extras.missing_dependencies():
    # python -m conformance without the harness's extra: name it, as the console script does
    sys.exit(extras.refuse_without(extras.missing_dependencies()))

from conformance.pytest_plugin.options import (
    DEFAULT_CASES,
    DEFAULT_JSON,
    PARTIAL_JSON,
    RunOptions,
    check_outputs,
    check_writable,
    positive_seconds,
)
from conformance.records import Record
from conformance.report import json_report, write_html

DEFAULT_IMPORT_TIMEOUT_S = 60.0
DEFAULT_DRIFT_JSON = os.path.join("reports", "drift.json")
MAX_WORKERS = 256
EXIT_CODES = """exit codes:
  0  nothing unexpected happened (compare: nothing newly diverged)
  1  a record diverged, timed out or crashed; records are missing (features the target
     lacks) without --allow-missing; under --strict a known divergence is fixed;
     compare: something newly diverged; drift: something changed between the two torches
  2  usage error (bad arguments, an unwritable output path, a bad known-divergences file
     or report, a target that cannot be imported, a reference file that cannot be read or
     was recorded for other cases), an interrupted (incomplete) run, or a run that could
     not produce its report (record: its reference)
"""


def program_name() -> str:
    """"conformance" when run as the installed script, else "python -m conformance"."""
    name = os.path.basename(sys.argv[0]) if sys.argv and sys.argv[0] else ""
    if name.startswith("conformance") and not name.endswith(".py"):
        return "conformance"
    return "python -m conformance"


def worker_count(text: str) -> int | str:
    """An argparse type for -n: 0..256, or "auto"/"logical" (pytest-xdist's words)."""
    if text in ("auto", "logical"):
        return text
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"takes a number of workers (0 to {MAX_WORKERS}) or 'auto', not {text!r}") from None
    if not 0 <= value <= MAX_WORKERS:
        raise argparse.ArgumentTypeError(
            f"takes a number of workers from 0 to {MAX_WORKERS} or 'auto', not {text!r}")
    return value


def default_workers() -> int | str:
    """0 (no xdist) on a machine with at most 2 CPUs, where workers only add start-up and
    contention; else "auto"."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:      # not on Linux
        cpus = os.cpu_count() or 1
    return 0 if cpus <= 2 else "auto"


def module_name(text: str) -> str:
    """An argparse type for --target: an absolute, dotted module name."""
    if not text:
        raise argparse.ArgumentTypeError("needs a module name, not an empty string")
    if text.startswith("."):
        raise argparse.ArgumentTypeError(
            f"takes an absolute module name, not the relative {text!r}")
    if not all(part.isidentifier() for part in text.split(".")):
        raise argparse.ArgumentTypeError(f"not a module name: {text!r}")
    return text


def _parser() -> argparse.ArgumentParser:
    prog = program_name()
    formatter = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(prog=prog, epilog=EXIT_CODES, formatter_class=formatter,
                                     description=(
        "Differential conformance harness: runs every case on a target torch-like module\n"
        "and on torch (CPU, and CUDA when available), and reports what differs."))
    parser.add_argument("--version", action="version",
                        version=f"%(prog)s {conformance.__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND",
                                help="what to do (each command has its own --help)")

    def command(name: str, help: str, **kwargs) -> argparse.ArgumentParser:
        return sub.add_parser(name, help=help, description=help[:1].upper() + help[1:] + ".",
                              epilog=EXIT_CODES, formatter_class=formatter, **kwargs)

    run = command("run", "run the cases on a target and on torch (wraps pytest-xdist)")
    run.add_argument("--target", metavar="MODULE", default=None, type=module_name,
                     help="the module under test (default: $CONFORMANCE_TARGET, else refgrad)")
    run.add_argument("--json", metavar="PATH", default=None,
                     help=f"JSON report path (default {DEFAULT_JSON}, or {PARTIAL_JSON} for "
                          f"a partial run: -k, --cases, or a selection among the pytest args)")
    run.add_argument("--html", metavar="PATH", default=None,
                     help="HTML page path (default: beside the JSON report, with .html)")
    run.add_argument("--no-html", action="store_true", help="write no HTML page")
    run.add_argument("-n", dest="workers", default=None, type=worker_count, metavar="N",
                     help=f"pytest-xdist workers: 0 (none) to {MAX_WORKERS}, or 'auto' "
                          f"(default: 0 on a machine with at most 2 CPUs, else auto)")
    run.add_argument("--cases", metavar="PACKAGE", default=DEFAULT_CASES, type=module_name,
                     help=f"the package holding the cases (default {DEFAULT_CASES})")
    run.add_argument("--known", metavar="PATH", default=None,
                     help="a known-divergences file, added to the checked-in one")
    run.add_argument("--known-only", action="store_true",
                     help="use the --known file's entries only, not the checked-in ones")
    run.add_argument("--timeout", metavar="SECONDS", type=positive_seconds, default=None,
                     help="per-case, per-lane time limit (default 60)")
    run.add_argument("--import-timeout", metavar="SECONDS", type=positive_seconds,
                     default=DEFAULT_IMPORT_TIMEOUT_S,
                     help=f"time limit for importing the target, checked in a child process "
                          f"before the run (default {DEFAULT_IMPORT_TIMEOUT_S:g})")
    run.add_argument("--strict", action="store_true",
                     help="known divergences that now match (fixed) fail the run")
    run.add_argument("--allow-missing", action="store_true",
                     help="records of features the target lacks (missing) do not fail the "
                          "run; a target that lacks everything still fails")
    run.add_argument("--no-cuda", action="store_true", help="skip the torch-cuda lane")
    run.add_argument("-k", dest="keyword", default=None, metavar="EXPR",
                     help="only the items whose id matches this pytest -k expression")
    run.add_argument("-q", "--quiet", action="store_true", help="less pytest output")
    run.add_argument("--torch-python", metavar="PATH", default=None,
                     help="torch's lanes from another interpreter (a virtualenv's python with "
                          "torch): recorded there first ('PATH -m conformance record'), then "
                          "replayed as with --reference")
    run.add_argument("--reference", metavar="FILE", nargs="+", action="extend", default=[],
                     help="torch's lanes from these reference files (written by 'record': a "
                          "CPU file, optionally a CUDA file) instead of a live torch, which "
                          "is then never imported")
    run.add_argument("pytest_args", nargs="*", metavar="PYTEST_ARG",
                     help="after --: passed to pytest as they are")

    record = command("record", "run the cases on torch's lanes only and write a reference "
                               "file that 'run --reference' replays without torch")
    record.add_argument("--out", metavar="PATH", default=None,
                        help="the reference file (default reports/torch-<version>-<cpu|cuda>"
                             ".ref.json.gz)")
    record.add_argument("-n", dest="workers", default=None, type=worker_count, metavar="N",
                        help="pytest-xdist workers, as for run")
    record.add_argument("--cases", metavar="PACKAGE", default=DEFAULT_CASES, type=module_name,
                        help=f"the package holding the cases (default {DEFAULT_CASES})")
    record.add_argument("--timeout", metavar="SECONDS", type=positive_seconds, default=None,
                        help="per-case, per-lane time limit (default 60)")
    record.add_argument("--no-cuda", action="store_true", help="skip the torch-cuda lane")
    record.add_argument("-k", dest="keyword", default=None, metavar="EXPR",
                        help="only the cases whose item id matches this pytest -k expression "
                             "(the reference then lacks the others)")
    record.add_argument("-q", "--quiet", action="store_true", help="less pytest output")
    record.add_argument("pytest_args", nargs="*", metavar="PYTEST_ARG",
                        help="after --: passed to pytest as they are")

    html = command("html", "render a JSON report as an HTML page")
    html.add_argument("report", metavar="REPORT", help="the JSON report to render")
    html.add_argument("-o", "--output", default=None,
                      help="HTML path (default: the report's path with .html)")

    compare = command("compare", "say what newly diverged and what was fixed")
    compare.add_argument("old", metavar="OLD", help="the earlier JSON report")
    compare.add_argument("new", metavar="NEW", help="the later JSON report")

    merge = command("merge", "merge reports (shards) of one target into one")
    merge.add_argument("reports", nargs="+", metavar="REPORT", help="the JSON reports")
    merge.add_argument("-o", "--output", required=True, help="the merged JSON report's path")
    merge.add_argument("--html", default=None, help="also write the merged HTML page")

    repro = command("reproducer", "print a record's reproducer script")
    repro.add_argument("report", metavar="REPORT", help="the JSON report holding the record")
    repro.add_argument("record_id", metavar="RECORD_ID",
                       help="the record's id, e.g. 'ops::exp[target~torch-cpu]'")

    drift = command("drift", "what changed between two torch versions: compare two "
                             "references, or record them now in two interpreters")
    drift.add_argument("a", metavar="A", help="the earlier side: a reference file "
                       "(conformance record) or python:PATH, an interpreter with torch")
    drift.add_argument("b", metavar="B", help="the later side, likewise")
    drift.add_argument("--json", metavar="PATH", default=DEFAULT_DRIFT_JSON,
                       help=f"JSON report path (default {DEFAULT_DRIFT_JSON})")
    drift.add_argument("--html", metavar="PATH", default=None,
                       help="HTML page path (default: beside the JSON report, with .html)")
    drift.add_argument("--no-html", action="store_true", help="write no HTML page")
    drift.add_argument("-k", dest="keyword", default=None, metavar="EXPR",
                       help="record only the cases matching this -k expression "
                            "(python:PATH sides only)")
    drift.add_argument("--no-cuda", action="store_true",
                       help="record no torch-cuda lane (python:PATH sides only)")
    drift.add_argument("--keep-references", metavar="FOLDER", default=None,
                       help="write the references recorded for python:PATH sides into this "
                            "folder (default: a temporary one, removed afterwards)")
    drift.add_argument("--exit-zero", action="store_true",
                       help="exit 0 when the comparison is made, whatever changed (for a job "
                            "that only writes the report); errors still exit 2")

    sub.add_parser("fuzz", help="the property-based fuzzer (its own options follow)",
                   add_help=False)
    parser.run_parser = run         # for the errors only seen after parsing
    parser.drift_parser = drift
    return parser


def _check_run_args(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """What argparse cannot check alone; then the defaults that depend on other values."""
    run_parser = parser.run_parser
    if args.known_only and not args.known:
        run_parser.error("argument --known-only: needs --known PATH")
    if args.torch_python and args.reference:
        run_parser.error("argument --torch-python: not allowed with --reference")
    if args.html and args.no_html:
        run_parser.error("argument --no-html: not allowed with --html")
    if args.workers is None:
        args.workers = default_workers()
    args.partial = is_partial(args)
    if args.json is None:
        args.json = PARTIAL_JSON if args.partial else DEFAULT_JSON
    if args.html and os.path.abspath(args.html) == os.path.abspath(args.json):
        run_parser.error(f"argument --html: the same path as --json ({args.json})")
    if args.html is None and not args.no_html:
        args.html = str(Path(args.json).with_suffix(".html"))
        if os.path.abspath(args.html) == os.path.abspath(args.json):
            run_parser.error(f"argument --json: the page would go to {args.json} too; "
                             f"give --html PATH or --no-html")


_SELECTING = ("-k", "-m", "--deselect", "-x", "--exitfirst", "--maxfail", "--lf",
              "--last-failed", "--sw", "--stepwise", "--co", "--collect-only")


def is_partial(args: argparse.Namespace) -> bool:
    """A run of a subset: its report must not replace the full run's."""
    if args.keyword or args.cases != DEFAULT_CASES:
        return True
    return any(not arg.startswith("-") or arg.split("=")[0] in _SELECTING
               for arg in args.pytest_args)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "fuzz":
        return _fuzz(argv[1:])
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command == "run":
        _check_run_args(parser, args)
    args.command_line = f"{parser.prog} " + shlex.join(argv)
    if args.command == "record" and args.workers is None:
        args.workers = default_workers()
    if args.command == "drift":
        _check_drift_args(parser, args)
    handlers = {"run": _run, "record": _record, "html": _html, "compare": _compare,
                "merge": _merge, "reproducer": _reproducer, "drift": _drift}
    try:
        return handlers[args.command](args)
    except (OSError, ValueError, ImportError) as exc:     # a report's ReportError included
        print(f"conformance {args.command}: {exc}", file=sys.stderr)
        return 2


def pytest_args(args: argparse.Namespace) -> list[str]:
    """pytest's own arguments for ``run``; the conformance options travel in the session."""
    package_dir = Path(conformance.__file__).parent
    # The harness's own ini, rootdir and confcutdir: a user's pytest configuration
    # (pyproject.toml, pytest.ini, conftest.py files above) never applies to a run.
    ini = package_dir / "pytest_plugin" / "pytest.ini"
    command = [str(package_dir), "-c", str(ini), "--rootdir", str(package_dir.parent),
               "--confcutdir", str(package_dir), "-p", "no:cacheprovider",
               "-n", str(args.workers), "-rfE"]
    if args.keyword:
        command += ["-k", args.keyword]
    if args.quiet:
        command += ["-q", "--no-header"]
    return command + list(args.pytest_args)


def run_options(args: argparse.Namespace) -> RunOptions:
    from conformance.lanes import resolve_target

    return RunOptions(target=resolve_target(args.target), cases=args.cases,
                      json_path=args.json, html_path=args.html, known_path=args.known,
                      known_only=args.known_only, timeout_s=args.timeout, strict=args.strict,
                      want_cuda=not args.no_cuda, allow_missing=args.allow_missing,
                      references=tuple(os.path.abspath(p) for p in args.reference))


def _run(args: argparse.Namespace) -> int:
    from conformance.lanes import pin_threads

    pin_threads()
    _put_working_folder_on_path()
    options = run_options(args)
    check_outputs(options)                     # ValueError: one line, exit 2, nothing run
    if args.torch_python:
        from conformance.torch_python import check_interpreter
        check_interpreter(args.torch_python)            # InterpreterError: exit 2
    else:
        check_references(options.references, options.cases)     # ReferenceError: exit 2
    try:
        problem = target_import_problem(options.target, args.import_timeout)
    except KeyboardInterrupt:
        print("conformance run: interrupted before any case ran; no report written",
              file=sys.stderr)
        return 2
    if problem:
        print(f"conformance run: {problem}", file=sys.stderr)
        return 2
    if args.torch_python:
        return _run_with_torch_python(args, options)
    return _run_pytest(args, options)


def _run_with_torch_python(args: argparse.Namespace, options: RunOptions) -> int:
    """``run --torch-python PATH``: record torch's lanes in that interpreter into a temporary
    reference (the options that choose cases and lanes go with it), then run against it as
    ``--reference`` does."""
    import dataclasses

    from conformance import torch_python

    with tempfile.TemporaryDirectory(prefix="conformance-torch-python-") as folder:
        path = os.path.join(folder, "torch-python.ref.json.gz")
        torch_python.record(args.torch_python, path, keyword=args.keyword,
                            want_cuda=not args.no_cuda, workers=args.workers,
                            cases=options.cases)
        options = dataclasses.replace(options, references=(path,))
        check_references(options.references, options.cases)
        return _run_pytest(args, options)


def check_references(paths: tuple[str, ...], package: str) -> None:
    """Before any case runs: each reference file reads, and was recorded for this catalogue
    (conformance.reference.ReferenceError, a ValueError, otherwise)."""
    if not paths:
        return
    from conformance import reference
    # Hashed in a child process: importing the cases here, before pytest starts, would
    # import what pytest's plugins want to rewrite first (hypothesis).
    hashed = subprocess.run(
        [sys.executable, "-c", "import sys; from conformance.reference import catalogue_hash;"
                               " print(catalogue_hash(sys.argv[1]))", package],
        capture_output=True, text=True, stdin=subprocess.DEVNULL)
    if hashed.returncode != 0:
        lines = hashed.stderr.strip().splitlines() or [f"exit code {hashed.returncode}"]
        raise ValueError(f"the cases of {package} cannot be collected: {_one_line(lines[-1])}")
    expected = hashed.stdout.strip()
    for path in paths:
        reference.check_catalogue(reference.read(path), package, expected)
    from conformance.lanes import replayed_lanes
    replayed_lanes(paths)       # the files make a lane set (none adds nothing)


def _pytest_session(args: argparse.Namespace, options: RunOptions):
    """Run pytest with a conformance session; the session (its report) and pytest's code."""
    import pytest

    from conformance.pytest_plugin import ConformanceSession
    from conformance.pytest_plugin.session import sigint_held

    session = ConformanceSession(options, command=args.command_line)
    try:
        code = pytest.main(pytest_args(args), plugins=[session])
    except KeyboardInterrupt:       # outside pytest's own handling (start-up, teardown)
        code = pytest.ExitCode.INTERRUPTED
    if session.report is None and session.config is not None \
            and int(code) == int(pytest.ExitCode.INTERRUPTED):
        try:        # the plugin could not write it: what the workers left is the report
            with sigint_held():
                session.finish(interrupted=True)
        except (OSError, ValueError, KeyboardInterrupt) as exc:
            print(f"conformance {args.command}: the report could not be written ({exc})",
                  file=sys.stderr)
    session.remove_partials()
    return session, code


def _run_pytest(args: argparse.Namespace, options: RunOptions) -> int:
    session, code = _pytest_session(args, options)
    if session.report is None or not session.written:
        print(f"conformance run: no report was written (pytest exit code {int(code)})",
              file=sys.stderr)
        return 2
    print(f"JSON report: {options.json_path}")
    if options.html_path:
        print(f"HTML page:   {options.html_path}")
    return exit_code(session.report)


def default_reference_path(want_cuda: bool) -> str:
    """reports/torch-<version>-<cpu|cuda>.ref.json.gz for the torch installed here."""
    import torch

    from conformance.lanes import cuda_status
    cuda = want_cuda and cuda_status(torch)[0]
    return os.path.join("reports", f"torch-{torch.__version__.split('+')[0]}-"
                                   f"{'cuda' if cuda else 'cpu'}.ref.json.gz")


def _record(args: argparse.Namespace) -> int:
    from conformance.lanes import pin_threads, resolve_target

    pin_threads()
    _put_working_folder_on_path()
    args.partial = bool(args.keyword) or bool(args.pytest_args)
    out = args.out or default_reference_path(not args.no_cuda)
    check_writable(out, "--out")
    options = RunOptions(target=resolve_target(None), cases=args.cases, json_path=out,
                         html_path=None, timeout_s=args.timeout, want_cuda=not args.no_cuda,
                         record=True)
    session, code = _pytest_session(args, options)
    summary = session.report
    if summary is None or not session.written:
        why = "interrupted or cases lost" if summary is not None else f"pytest exit {int(code)}"
        print(f"conformance record: no reference was written ({why})", file=sys.stderr)
        return 2
    for lane, counts in summary["counts"].items():
        text = ", ".join(f"{n} {kind}" for kind, n in sorted(counts.items()))
        print(f"{lane}: {text}")
    print(f"reference: {out} ({summary['cases']} cases, torch "
          f"{summary['environment'].get('torch')})")
    return 0


def _put_working_folder_on_path() -> None:
    """``python -m`` finds a target in the working folder; the installed script should too,
    and so should the worker and case processes (through PYTHONPATH)."""
    here = os.getcwd()
    if any(os.path.abspath(entry or ".") == here for entry in sys.path):
        return
    sys.path.insert(0, here)
    os.environ["PYTHONPATH"] = os.pathsep.join(
        [here] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p])


_IMPORT_PROBE = """
import importlib, json, sys
try:
    importlib.import_module(sys.argv[1])
except BaseException as exc:
    print("\\n" + sys.argv[2] + json.dumps([type(exc).__name__, str(exc),
          isinstance(exc, ImportError)]), flush=True)
    sys.exit(3)
"""


def target_import_problem(target: str, timeout_s: float) -> str:
    """"" when ``target`` imports in a child process within ``timeout_s``; else one line
    saying why not (an exception, a crash, a hang), so that the run starts only on a target
    that can be imported."""
    marker = "conformance-import-failed:"
    with tempfile.TemporaryFile() as output:
        process = subprocess.Popen([sys.executable, "-c", _IMPORT_PROBE, target, marker],
                                   stdin=subprocess.DEVNULL, stdout=output,
                                   stderr=subprocess.STDOUT, start_new_session=True)
        try:
            code = process.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            _kill_group(process)
            return (f"conformance target {target!r} did not finish importing within "
                    f"{timeout_s:g} s (--import-timeout)")
        except KeyboardInterrupt:
            _kill_group(process)
            raise
        output.seek(0)
        text = output.read().decode("utf-8", "replace")
    if code == 0:
        return ""
    if code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        return f"conformance target {target!r} crashed at import (killed by {name})"
    lines = [line for line in text.splitlines() if line.startswith(marker)]
    if not lines:
        return f"conformance target {target!r} ended its import with exit code {code}"
    kind, message, is_import_error = json.loads(lines[-1][len(marker):])
    message = _one_line(message)
    if is_import_error:
        return (f"conformance target {target!r} cannot be imported ({kind}: {message}); name "
                f"an importable torch-like module with --target or CONFORMANCE_TARGET")
    return f"conformance target {target!r} raised {kind} at import: {message}"


def _kill_group(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except OSError:
        process.kill()
    process.wait()


def _one_line(text: str, limit: int = 300) -> str:
    """``text`` on one line: control characters shown as escapes, cut at ``limit``."""
    shown = "".join(ch if ch.isprintable() else ch.encode("unicode_escape").decode("ascii")
                    for ch in text.strip())
    return shown if len(shown) <= limit else shown[:limit] + "…"


def exit_code(report: dict) -> int:
    """2 for an incomplete run, 1 when a record is unexpected or the target lacks what the
    cases need (json_report.missing_verdict), else 0."""
    if not report.get("complete", False):
        return 2
    if report["summary"]["unexpected"] or json_report.missing_verdict(report):
        return 1
    return 0


def _html(args: argparse.Namespace) -> int:
    report = json_report.load(args.report)
    output = args.output or str(Path(args.report).with_suffix(".html"))
    if os.path.abspath(output) == os.path.abspath(args.report):
        raise ValueError(f"{output}: the page would replace the report; give -o OUT.html")
    check_writable(output, "HTML page")
    if write_html(report, output):
        print(f"wrote {output}")
        return 0
    return 2


def _compare(args: argparse.Namespace) -> int:
    old, new = json_report.load(args.old), json_report.load(args.new)
    diff = json_report.differences(old, new)
    print(f"newly unexpected: {len(diff['newly_unexpected'])}")
    for item in diff["newly_unexpected"]:
        was = f" (was {item['was']})" if item["was"] else " (new)"
        print(f"  {item['id']}: {item['status']}{was} {item['reason']}".rstrip())
    print(f"fixed: {len(diff['fixed'])}")
    for item in diff["fixed"]:
        print(f"  {item['id']}: {item['status']} (was {item['was']})")
    if diff["gone"]:
        print(f"no longer present: {len(diff['gone'])}")
        for record_id in diff["gone"]:
            print(f"  {record_id}")
    return 1 if diff["newly_unexpected"] else 0


def _merge(args: argparse.Namespace) -> int:
    reports = [json_report.load(path) for path in args.reports]
    outputs = [args.output] + ([args.html] if args.html else [])
    if args.html and os.path.abspath(args.html) == os.path.abspath(args.output):
        raise ValueError(f"-o and --html name the same file ({args.output})")
    for output in outputs:
        check_writable(output, "output")
    merged = json_report.merge(reports)
    json_report.write(merged, args.output)
    print(f"wrote {args.output}: {len(merged['records'])} records")
    if args.html:
        write_html(merged, args.html)
    return 0


def _check_drift_args(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    from conformance.torch_python import PREFIX

    drift_parser = parser.drift_parser
    if args.html and args.no_html:
        drift_parser.error("argument --no-html: not allowed with --html")
    if args.html is None and not args.no_html:
        args.html = str(Path(args.json).with_suffix(".html"))
    if args.html and os.path.abspath(args.html) == os.path.abspath(args.json):
        drift_parser.error(f"argument --html: the same path as --json ({args.json})")
    if (args.keyword or args.no_cuda) and not any(
            side.startswith(PREFIX) for side in (args.a, args.b)):
        drift_parser.error("-k and --no-cuda choose what to record: they need a "
                           "python:PATH side")


def _drift(args: argparse.Namespace) -> int:
    from conformance import drift, torch_python

    for output in [args.json] + ([args.html] if args.html else []):
        check_writable(output, "output")
    for side in (args.a, args.b):       # both, before the first is recorded
        if side.startswith(torch_python.PREFIX):
            torch_python.check_interpreter(side[len(torch_python.PREFIX):])
    with tempfile.TemporaryDirectory(prefix="conformance-drift-") as workdir:
        if args.keep_references:
            os.makedirs(args.keep_references, exist_ok=True)
        folder = args.keep_references or workdir
        sides = [drift.read_side(spec, os.path.join(folder, f"{side}.ref.json.gz"),
                                 args.keyword, not args.no_cuda)
                 for side, spec in (("a", args.a), ("b", args.b))]
        document = drift.report(*sides, specs=(args.a, args.b), command=args.command_line)
    json_report.write(document, args.json)
    found = document["drift"]
    print(f"drift {found['a']['label']} -> {found['b']['label']}: "
          + ", ".join(f"{count} {status}" for status, count in found["statuses"].items()))
    for kind in found["kinds"]:
        print(f"  {kind}: {found['counts'][kind]} observable(s) in "
              f"{found['records'][kind]} record(s)")
    print(f"JSON report: {args.json}")
    if args.html and write_html(document, args.html):
        print(f"HTML page:   {args.html}")
    return 0 if args.exit_zero else drift.exit_code(document)


def _reproducer(args: argparse.Namespace) -> int:
    records = json_report.records_of(json_report.load(args.report))
    record: Record | None = next((r for r in records if r.id == args.record_id), None)
    if record is None:
        print(f"conformance reproducer: no record {args.record_id!r} in {args.report}",
              file=sys.stderr)
        return 2
    if not record.reproducer:
        print(f"conformance reproducer: {args.record_id} ({record.status}) has none",
              file=sys.stderr)
        return 2
    print(record.reproducer, end="")
    return 0


def _fuzz(argv: list[str]) -> int:
    try:
        from conformance.fuzz import main as fuzz_main
    except ImportError as exc:
        print(f"conformance fuzz: the fuzzer is not available ({exc})", file=sys.stderr)
        return 2
    return int(fuzz_main(argv) or 0)


if __name__ == "__main__":
    sys.exit(main())
