"""The pytest plugin behind ``pytest conformance -n auto`` and ``python -m conformance run``.

One test item per case and lane pair. A case's lanes run once: its three items go to one
xdist worker (a scheduler that groups items by case) and the first of them runs the case in
the worker's case process (:class:`conformance.runner.CaseServer`), which the others read
from a cache. That process is killed when a case hangs (timeout) and replaced when a case
kills it (crash), so the run always goes on.

By concern:

- :mod:`.options`: the ``--conformance-*`` flags and :class:`RunOptions`;
- :mod:`.session`: :class:`ConformanceSession`, the run's state and, after it, its report;
- :mod:`.scheduling`: pytest-xdist (workers' options, grouping by case, crashed workers);
- :mod:`.items`: collecting the cases and each item's outcome.

This module is the plugin pytest loads: the ``pytest11`` entry point ``conformance``
(autoloaded, or ``-p conformance``), or ``conformance/conftest.py`` in a checkout. Its hooks
are inert unless the run is a conformance run (:func:`is_conformance_run`): the options are
added, but a plain ``pytest`` in an unrelated project gets no session, no scheduler and no
items from it.
"""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

import conformance
from conformance.pytest_plugin import items, scheduling, session
from conformance.pytest_plugin.items import CaseItem, failure_message, pytest_collection_finish
from conformance.pytest_plugin.options import RunOptions, pytest_addoption
from conformance.pytest_plugin.scheduling import pytest_handlecrashitem
from conformance.pytest_plugin.session import (
    ConformanceSession,
    pytest_sessionfinish,
    pytest_terminal_summary,
    pytest_unconfigure,
    session_of,
)

PACKAGE_DIR = Path(conformance.__file__).resolve().parent


def is_conformance_run(config: pytest.Config) -> bool:
    """Whether this pytest process runs conformance cases: the CLI handed it a session, the
    controller sent it options (an xdist worker), or its arguments reach the conformance
    package (``pytest conformance``, ``pytest --pyargs conformance``, a path inside it)."""
    if any(isinstance(p, ConformanceSession) for p in config.pluginmanager.get_plugins()):
        return True
    workerinput = getattr(config, "workerinput", None)
    if workerinput is not None:
        return "conformance_options" in workerinput
    pyargs = config.getoption("pyargs", False)
    for arg in config.args:
        name = str(arg).split("::", 1)[0]
        if pyargs and name.split(".", 1)[0] == "conformance":
            return True
        path = (config.invocation_params.dir / name).resolve()
        if path == PACKAGE_DIR or PACKAGE_DIR in path.parents:
            return True
        # a folder above the package: only a checkout, not a virtualenv's site-packages
        if path in PACKAGE_DIR.parents and "site-packages" not in \
                PACKAGE_DIR.relative_to(path).parts:
            return True
    return False


# ---- the hooks that would act in any pytest run: each first asks whether this is one
def pytest_configure(config: pytest.Config) -> None:
    if not is_conformance_run(config):
        return
    # The target may be a module in the folder pytest runs in: importable there under the
    # ``pytest`` script too, as under ``python -m pytest`` (and in the processes it starts).
    here = str(config.invocation_params.dir)
    if here not in sys.path and "" not in sys.path:
        sys.path.insert(0, here)
    session.pytest_configure(config)


def pytest_collect_file(file_path: Path, parent: pytest.Collector):
    if session_of(parent.config) is None:
        return None
    return items.pytest_collect_file(file_path, parent)


@pytest.hookimpl(tryfirst=True)
def pytest_report_teststatus(report: pytest.TestReport, config: pytest.Config):
    if session_of(config) is None:
        return None
    return session.pytest_report_teststatus(report, config)


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node) -> None:
    if session_of(node.config) is not None:
        scheduling.pytest_configure_node(node)


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log):
    if session_of(config) is None:
        return None     # the user's own tests keep xdist's scheduler
    return scheduling.pytest_xdist_make_scheduler(config, log)


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_node_collection_finished(node, ids) -> None:
    if session_of(node.config) is not None:
        scheduling.pytest_xdist_node_collection_finished(node, ids)


HOOKS = [
    "pytest_addoption", "pytest_collect_file", "pytest_collection_finish", "pytest_configure",
    "pytest_configure_node", "pytest_handlecrashitem", "pytest_report_teststatus",
    "pytest_sessionfinish",
    "pytest_terminal_summary", "pytest_unconfigure", "pytest_xdist_make_scheduler",
    "pytest_xdist_node_collection_finished",
]
__all__ = ["CaseItem", "ConformanceSession", "RunOptions", "failure_message",
           "is_conformance_run", *HOOKS]
