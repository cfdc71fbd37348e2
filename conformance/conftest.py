"""Makes ``pytest conformance -n auto`` a conformance run: the hooks live in
conformance.pytest_plugin (see there); this file only puts them in force for this directory."""
from conformance.pytest_plugin import (  # noqa: F401 - pytest finds hooks by name
    HOOKS,
    pytest_addoption,
    pytest_collect_file,
    pytest_collection_finish,
    pytest_configure,
    pytest_configure_node,
    pytest_handlecrashitem,
    pytest_report_teststatus,
    pytest_sessionfinish,
    pytest_terminal_summary,
    pytest_unconfigure,
    pytest_xdist_make_scheduler,
    pytest_xdist_node_collection_finished,
)

__all__ = list(HOOKS)
