"""pytest-xdist: the options and partial-file folder a worker gets, a scheduler that keeps a
case's items on one worker, and the crash record of a case that killed its worker."""
from __future__ import annotations

import pytest

from conformance.records import Record, Status
from conformance.report.schema import PAIRS
from conformance.pytest_plugin.session import record_id, session_of


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node) -> None:
    """What a worker needs of the controller's session: its options and where partials go."""
    session = session_of(node.config)
    node.workerinput["conformance_options"] = session.options.to_workerinput()
    node.workerinput["conformance_partials"] = session.partial_dir


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log):
    """Group a case's items on one worker, so that its lanes run once."""
    if config.getvalue("dist") not in ("load", "loadscope", "loadgroup"):
        return None
    from xdist.scheduler import LoadScopeScheduling

    class CaseScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return nodeid.rsplit("[", 1)[0]     # drop the "[pair]" suffix: the case

        def remove_node(self, node):
            # LoadScope re-queues a dead worker's unfinished items, the one that killed it
            # included. The case that killed it is recorded as a crash on every pair
            # (pytest_handlecrashitem) instead of being run again, which would only kill the
            # next worker too.
            crashitem = super().remove_node(node)
            if crashitem:
                scope = self._split_scope(crashitem)
                unit = self.workqueue.get(scope, {})
                for nodeid in unit:
                    unit[nodeid] = True
                if unit:
                    del self.workqueue[scope]
            return crashitem

    return CaseScheduling(config, log)


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_node_collection_finished(node, ids) -> None:
    session = session_of(node.config)
    session.expected.update(record_id(nodeid) for nodeid in ids if "::" in nodeid)


@pytest.hookimpl(optionalhook=True)
def pytest_handlecrashitem(crashitem: str, report, sched) -> None:
    """A worker died while running ``crashitem`` (the case process shields workers from
    cases; this is what is left): record it as a crash and let the run go on."""
    session = session_of(report.node.config) if hasattr(report, "node") else None
    if session is None or "::" not in crashitem:
        return
    case_id = record_id(crashitem).rsplit("[", 1)[0]
    reason = f"worker {report.node.gateway.id} died while running the case"
    for pair in PAIRS:      # the case is not run again (see CaseScheduling.remove_node)
        crashed = Record.for_id(f"{case_id}[{pair}]", status=Status.CRASH, reason=reason)
        session.crashed[crashed.id] = crashed
