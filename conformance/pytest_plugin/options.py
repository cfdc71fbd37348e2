"""The run's options: the ``--conformance-*`` flags of plain pytest, or set by the CLI.

:class:`RunOptions` is what the rest of the plugin reads. ``python -m conformance run`` builds
one and hands it over inside a :class:`~conformance.pytest_plugin.session.ConformanceSession`;
``pytest conformance --conformance-target ...`` gets one from its flags; xdist workers get the
controller's through ``workerinput``.

:func:`check_outputs` runs before any case: an output path that cannot be written or a
known-divergences file that cannot be read is one clear error then, not a lost run later.
"""
from __future__ import annotations

import argparse
import dataclasses
import math
import os
from dataclasses import dataclass
from pathlib import Path

import pytest

from conformance import known as known_divergences
from conformance import lanes as lanes_module

DEFAULT_JSON = os.path.join("reports", "conformance.json")
PARTIAL_JSON = os.path.join("reports", "conformance-partial.json")
DEFAULT_CASES = "conformance.cases"


@dataclass(frozen=True)
class RunOptions:
    target: str                         # the module under test, resolved
    cases: str = DEFAULT_CASES          # the package whose area modules hold the cases
    json_path: str = DEFAULT_JSON
    html_path: str | None = None
    known_path: str | None = None       # added to the checked-in known-divergences file
    known_only: bool = False            # ... or used instead of it
    timeout_s: float | None = None      # None: the executor's default
    strict: bool = False
    want_cuda: bool = True
    allow_missing: bool = False         # "missing" records do not fail the run
    record: bool = False                # conformance record: torch's lanes only, written to
                                        # json_path as a reference (conformance.reference)
    references: tuple[str, ...] = ()    # run --reference: torch's lanes from these files

    def lane_options(self) -> dict:
        """make_lanes's keywords for this run (conformance.lanes)."""
        return {"record": self.record, "references": tuple(self.references)}

    @classmethod
    def from_config(cls, config: pytest.Config) -> RunOptions:
        opt = config.option
        return cls(target=lanes_module.resolve_target(opt.conformance_target),
                   cases=opt.conformance_cases, json_path=opt.conformance_json,
                   html_path=opt.conformance_html, known_path=opt.conformance_known,
                   known_only=opt.conformance_known_only,
                   timeout_s=opt.conformance_timeout, strict=opt.conformance_strict,
                   want_cuda=not opt.conformance_no_cuda,
                   allow_missing=opt.conformance_allow_missing)

    def to_workerinput(self) -> dict:
        """Plain values, as xdist sends them to a worker."""
        return dataclasses.asdict(self)

    @classmethod
    def from_workerinput(cls, data: dict) -> RunOptions:
        return cls(**{**data, "references": tuple(data.get("references", ()))})


def check_outputs(options: RunOptions) -> None:
    """Before any case runs: ValueError (one line) when a report cannot be written where it
    should go, or when the known-divergences file cannot be used.

    A missing parent folder is fine (the writer makes it); a path that is a folder, a parent
    that is a file, a read-only folder, the same path for both reports are refused.
    """
    paths = [("--json", options.json_path)]
    if options.html_path:
        paths.append(("--html", options.html_path))
    if options.html_path and _same_path(options.json_path, options.html_path):
        raise ValueError(f"--json and --html name the same file ({options.json_path})")
    if options.known_only and not options.known_path:
        raise ValueError("--known-only needs --known")
    for flag, path in paths:
        check_writable(path, flag)
    try:
        known_divergences.for_run(options.known_path, options.known_only)
    except FileNotFoundError as exc:
        raise ValueError(str(exc)) from None


def check_writable(path: str | os.PathLike, what: str = "output") -> None:
    """ValueError unless a file can be written at ``path``. Nothing is created: a missing
    parent folder is fine when the nearest folder that exists lets it be made."""
    path = Path(path)
    if path.is_dir():
        raise ValueError(f"{what} {path} is a folder, not a file")
    existing = next(p for p in path.absolute().parents if p.exists())
    if not existing.is_dir():
        raise ValueError(f"{what} {path} cannot be written ({existing} is a file, not a folder)")
    if not os.access(existing, os.W_OK | os.X_OK):       # read-only folder or file system
        raise ValueError(f"{what} {path} cannot be written ({existing} is not writable)")


def positive_seconds(text: str) -> float:
    """An argparse type: a finite number of seconds above 0 (nan, inf, 0 and -1 refused)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(
            f"must be a finite number of seconds above 0, not {text!r}")
    return value


def _same_path(a: str | os.PathLike, b: str | os.PathLike) -> bool:
    return os.path.abspath(a) == os.path.abspath(b) or (
        os.path.exists(a) and os.path.exists(b) and os.path.samefile(a, b))


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("conformance", "differential conformance run")
    group.addoption("--conformance-target", default=None, metavar="MODULE",
                    help="the torch-like module under test (default: $CONFORMANCE_TARGET, "
                         "else refgrad)")
    group.addoption("--conformance-cases", default=DEFAULT_CASES, metavar="PACKAGE",
                    help="the package whose area modules hold the cases")
    group.addoption("--conformance-json", default=DEFAULT_JSON, metavar="PATH",
                    help=f"where the JSON report goes (default {DEFAULT_JSON})")
    group.addoption("--conformance-html", default=None, metavar="PATH",
                    help="also render the report as an HTML page here")
    group.addoption("--conformance-known", default=None, metavar="PATH",
                    help="known-divergences file, added to the checked-in one")
    group.addoption("--conformance-known-only", action="store_true", default=False,
                    help="use the --conformance-known file instead of the checked-in one")
    group.addoption("--conformance-timeout", default=None, type=positive_seconds,
                    metavar="SECONDS",
                    help="per-case, per-lane time limit (default 60)")
    group.addoption("--conformance-strict", action="store_true", default=False,
                    help="a known divergence that now matches (fixed) fails the run")
    group.addoption("--conformance-no-cuda", action="store_true", default=False,
                    help="do not run the torch-cuda lane even when CUDA is available")
    group.addoption("--conformance-allow-missing", action="store_true", default=False,
                    help="records of features the target lacks (missing) do not fail the run")
