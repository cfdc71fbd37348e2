"""The run's options: the ``--conformance-*`` flags of plain pytest, or set by the CLI.

:class:`RunOptions` is what the rest of the plugin reads. ``python -m conformance run`` builds
one and hands it over inside a :class:`~conformance.pytest_plugin.session.ConformanceSession`;
``pytest conformance --conformance-target ...`` gets one from its flags; xdist workers get the
controller's through ``workerinput``.
"""
from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass

import pytest

from conformance import lanes as lanes_module

DEFAULT_JSON = os.path.join("reports", "conformance.json")
DEFAULT_CASES = "conformance.cases"


@dataclass(frozen=True)
class RunOptions:
    target: str                         # the module under test, resolved
    cases: str = DEFAULT_CASES          # the package whose area modules hold the cases
    json_path: str = DEFAULT_JSON
    html_path: str | None = None
    known_path: str | None = None       # None: the checked-in known-divergences file
    timeout_s: float | None = None      # None: the executor's default
    strict: bool = False
    want_cuda: bool = True

    @classmethod
    def from_config(cls, config: pytest.Config) -> RunOptions:
        opt = config.option
        return cls(target=lanes_module.resolve_target(opt.conformance_target),
                   cases=opt.conformance_cases, json_path=opt.conformance_json,
                   html_path=opt.conformance_html, known_path=opt.conformance_known,
                   timeout_s=opt.conformance_timeout, strict=opt.conformance_strict,
                   want_cuda=not opt.conformance_no_cuda)

    def to_workerinput(self) -> dict:
        """Plain values, as xdist sends them to a worker."""
        return dataclasses.asdict(self)

    @classmethod
    def from_workerinput(cls, data: dict) -> RunOptions:
        return cls(**data)


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
                    help="known-divergences file (default: the checked-in one)")
    group.addoption("--conformance-timeout", default=None, type=float, metavar="SECONDS",
                    help="per-case, per-lane time limit (default 60)")
    group.addoption("--conformance-strict", action="store_true", default=False,
                    help="a known divergence that now matches (fixed) fails the run")
    group.addoption("--conformance-no-cuda", action="store_true", default=False,
                    help="do not run the torch-cuda lane even when CUDA is available")
