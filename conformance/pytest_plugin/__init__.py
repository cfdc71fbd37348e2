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

``conformance/conftest.py`` puts the hooks in force for the ``conformance`` directory.
"""
from conformance.pytest_plugin.items import (
    CaseItem,
    failure_message,
    pytest_collect_file,
    pytest_collection_finish,
)
from conformance.pytest_plugin.options import RunOptions, pytest_addoption
from conformance.pytest_plugin.scheduling import (
    pytest_configure_node,
    pytest_handlecrashitem,
    pytest_xdist_make_scheduler,
    pytest_xdist_node_collection_finished,
)
from conformance.pytest_plugin.session import (
    ConformanceSession,
    pytest_configure,
    pytest_report_teststatus,
    pytest_sessionfinish,
    pytest_terminal_summary,
    pytest_unconfigure,
)

HOOKS = [
    "pytest_addoption", "pytest_collect_file", "pytest_collection_finish", "pytest_configure",
    "pytest_configure_node", "pytest_handlecrashitem", "pytest_report_teststatus",
    "pytest_sessionfinish",
    "pytest_terminal_summary", "pytest_unconfigure", "pytest_xdist_make_scheduler",
    "pytest_xdist_node_collection_finished",
]
__all__ = ["CaseItem", "ConformanceSession", "RunOptions", "failure_message", *HOOKS]
