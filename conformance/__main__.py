"""``python -m conformance``: run, html, compare, merge, reproducer, fuzz.

    python -m conformance run [--target MODULE] [--json PATH] [--html PATH] [-n N]
                              [--cases PACKAGE] [--known PATH] [--timeout S] [--strict]
                              [--no-cuda] [-k EXPR] [-- PYTEST ARGS...]
    python -m conformance html REPORT.json [-o OUT.html]
    python -m conformance compare OLD.json NEW.json
    python -m conformance merge A.json B.json ... -o OUT.json [--html OUT.html]
    python -m conformance reproducer REPORT.json RECORD_ID
    python -m conformance fuzz ...            (see python -m conformance fuzz --help)

Exit codes: 0 when nothing unexpected happened; 1 when a record diverged, timed out or
crashed (or, under --strict, a known divergence is fixed), and for compare when something
newly diverged; 2 for usage errors, an interrupted (incomplete) run, or a run that could not
produce its report.
"""
from __future__ import annotations

import argparse
import shlex
import sys
from pathlib import Path

import conformance
from conformance.pytest_plugin.options import DEFAULT_CASES, DEFAULT_JSON, RunOptions
from conformance.records import Record
from conformance.report import json_report, write_html


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m conformance", description=(
        "Differential conformance harness: runs every case on a target torch-like module and "
        "on torch (CPU, and CUDA when available), and reports what differs."))
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="run the cases (wraps pytest + pytest-xdist)")
    run.add_argument("--target", metavar="MODULE", default=None,
                     help="the module under test (default: $CONFORMANCE_TARGET, else refgrad)")
    run.add_argument("--json", metavar="PATH", default=DEFAULT_JSON,
                     help=f"JSON report path (default {DEFAULT_JSON})")
    run.add_argument("--html", metavar="PATH", default=None, help="also write the HTML page")
    run.add_argument("-n", dest="workers", default="auto", metavar="N",
                     help="pytest-xdist workers: a number, 'auto' (default), or 0 for none")
    run.add_argument("--cases", metavar="PACKAGE", default=DEFAULT_CASES,
                     help=f"the package holding the cases (default {DEFAULT_CASES})")
    run.add_argument("--known", metavar="PATH", default=None,
                     help="known-divergences file (default: the checked-in one)")
    run.add_argument("--timeout", metavar="SECONDS", type=float, default=None,
                     help="per-case, per-lane time limit (default 60)")
    run.add_argument("--strict", action="store_true",
                     help="known divergences that now match (fixed) fail the run")
    run.add_argument("--no-cuda", action="store_true", help="skip the torch-cuda lane")
    run.add_argument("-k", dest="keyword", default=None, metavar="EXPR",
                     help="only the items whose id matches this pytest -k expression")
    run.add_argument("-q", "--quiet", action="store_true", help="less pytest output")
    run.add_argument("pytest_args", nargs="*", help="after --: passed to pytest")

    html = sub.add_parser("html", help="render a JSON report as an HTML page")
    html.add_argument("report")
    html.add_argument("-o", "--output", default=None,
                      help="HTML path (default: the report's path with .html)")

    compare = sub.add_parser("compare", help="what newly diverged and what was fixed")
    compare.add_argument("old")
    compare.add_argument("new")

    merge = sub.add_parser("merge", help="merge reports (shards) into one")
    merge.add_argument("reports", nargs="+")
    merge.add_argument("-o", "--output", required=True)
    merge.add_argument("--html", default=None, help="also write the merged HTML page")

    repro = sub.add_parser("reproducer", help="print a record's reproducer script")
    repro.add_argument("report")
    repro.add_argument("record_id")

    sub.add_parser("fuzz", help="the property-based fuzzer (its own options follow)",
                   add_help=False)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "fuzz":
        return _fuzz(argv[1:])
    args = _parser().parse_args(argv)
    args.command_line = "python -m conformance " + shlex.join(argv)
    handlers = {"run": _run, "html": _html, "compare": _compare, "merge": _merge,
                "reproducer": _reproducer}
    try:
        return handlers[args.command](args)
    except (OSError, ValueError, ImportError) as exc:     # a report's ReportError included
        print(f"conformance {args.command}: {exc}", file=sys.stderr)
        return 2


def pytest_args(args: argparse.Namespace) -> list[str]:
    """pytest's own arguments for ``run``; the conformance options travel in the session."""
    package_dir = Path(conformance.__file__).parent
    command = [str(package_dir), "-p", "no:cacheprovider", "--rootdir", str(package_dir.parent),
               "-n", str(args.workers), "-o", "addopts=", "-rfE"]
    if args.keyword:
        command += ["-k", args.keyword]
    if args.quiet:
        command += ["-q", "--no-header"]
    return command + list(args.pytest_args)


def run_options(args: argparse.Namespace) -> RunOptions:
    from conformance.lanes import resolve_target

    return RunOptions(target=resolve_target(args.target), cases=args.cases,
                      json_path=args.json, html_path=args.html, known_path=args.known,
                      timeout_s=args.timeout, strict=args.strict, want_cuda=not args.no_cuda)


def _run(args: argparse.Namespace) -> int:
    import pytest

    from conformance.lanes import import_target, pin_threads
    from conformance.pytest_plugin import ConformanceSession

    pin_threads()
    if str(args.workers) not in ("auto", "logical") and not str(args.workers).isdigit():
        print(f"conformance run: -n takes a number or 'auto', not {args.workers!r}",
              file=sys.stderr)
        return 2
    options = run_options(args)
    import_target(options.target)      # a clear error now, not one per case
    session = ConformanceSession(options, command=args.command_line)
    code = pytest.main(pytest_args(args), plugins=[session])
    if session.report is None:
        print(f"conformance run: no report was written (pytest exit code {int(code)})",
              file=sys.stderr)
        return 2
    return exit_code(session.report)


def exit_code(report: dict) -> int:
    """2 for an incomplete run, 1 when a record is unexpected, else 0."""
    if not report.get("complete", False):
        return 2
    return 1 if report["summary"]["unexpected"] else 0


def _html(args: argparse.Namespace) -> int:
    report = json_report.load(args.report)
    output = args.output or str(Path(args.report).with_suffix(".html"))
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
    merged = json_report.merge([json_report.load(path) for path in args.reports])
    json_report.write(merged, args.output)
    print(f"wrote {args.output}: {len(merged['records'])} records")
    if args.html:
        write_html(merged, args.html)
    return 0


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
