"""The test items: one per case and lane pair, with the id ``<package>::<area>::<case>[<pair>]``
(for example ``conformance.cases::bce::weight[mean][target~torch-cpu]``).

Item outcomes: a record with an unexpected status (diverge, timeout, crash, fixed under
``--conformance-strict``) fails with the observables that differ; known is xfailed, missing
and not_run are skipped (with the reason); match passes.
"""
from __future__ import annotations

import warnings
from pathlib import Path

import pytest

import conformance
from conformance.case import collect
from conformance.records import Record, Status
from conformance.safe_text import terminal_safe
from conformance.report import json_report
from conformance.report.schema import PAIRS
from conformance.pytest_plugin.session import record_id, session_of

_PACKAGE_INIT = Path(conformance.__file__)
_SKIPPED = frozenset({Status.MISSING, Status.NOT_RUN})
RECORD = "record"       # the one item of a case under ``conformance record``


def pytest_collect_file(file_path: Path, parent: pytest.Collector):
    """Hang the case items on the ``conformance`` package: whatever package holds the cases."""
    if file_path == _PACKAGE_INIT:
        package = session_of(parent.config).options.cases
        return CasesCollector.from_parent(parent, path=file_path, name=package, nodeid=package)
    return None


def pytest_collection_finish(session: pytest.Session) -> None:
    run = session_of(session.config)
    if run is not None and not run.is_worker:
        run.expected.update(record_id(item.nodeid) for item in session.items
                            if isinstance(item, CaseItem))


class CasesCollector(pytest.File):
    def collect(self):
        cases = collect(self.name)
        areas: dict[str, list] = {}
        for case in cases:
            areas.setdefault(case.area, []).append(case)
        for area, area_cases in areas.items():
            yield AreaCollector.from_parent(self, name=area, cases=area_cases)


class AreaCollector(pytest.Collector):
    def __init__(self, *, cases, **kwargs):
        super().__init__(**kwargs)
        self.cases = cases

    def collect(self):
        # conformance record: one item per case, which records torch's lanes
        pairs = (RECORD,) if session_of(self.config).options.record else PAIRS
        for case in self.cases:
            label = case.name + (f"[{case.param_id}]" if case.param_id else "")
            for pair in pairs:
                yield CaseItem.from_parent(self, name=f"{label}[{pair}]", case=case, pair=pair)


class ConformanceFailure(Exception):
    pass


class CaseItem(pytest.Item):
    def __init__(self, *, case, pair, **kwargs):
        super().__init__(**kwargs)
        self.case = case
        self.pair = pair
        self.record: Record | None = None

    def runtest(self) -> None:
        session = session_of(self.config)
        if self.pair == RECORD:
            session.record_lanes(self.case)
            return
        record = session.record_for(self.case, self.pair)
        session.write_partial(record.to_json())
        self.record = record
        if record.status in json_report.unexpected_statuses(session.options.strict):
            raise ConformanceFailure(failure_message(record))
        if record.status is Status.KNOWN:
            pytest.xfail(f"known divergence: {record.reason}")
        if record.status in _SKIPPED:
            # reported at the item, not at this line
            raise pytest.skip.Exception(f"{record.status}: {record.reason}",
                                        _use_item_location=True)
        if record.status is Status.FIXED:
            warnings.warn(f"{record.id}: {record.reason}", UserWarning)

    def repr_failure(self, excinfo, style=None):
        if isinstance(excinfo.value, ConformanceFailure):
            return str(excinfo.value)
        return super().repr_failure(excinfo, style)

    def reportinfo(self):
        """Points at the case function, so that skip and failure locations name the case."""
        code = self.case.func.__code__
        return Path(code.co_filename), code.co_firstlineno - 1, f"{self.case.id}[{self.pair}]"


def failure_message(record: Record, limit: int = 10) -> str:
    """What a failed item prints: the status, the reason, and each observable that differs.
    The text comes from the target: its control and escape characters are shown, not sent
    to the terminal raw."""
    lines = [f"{record.id}: {record.status}" + (f" ({record.reason})" if record.reason else "")]
    differing = [o for o in record.observables if o["status"] == "diverge"]
    for observable in differing[:limit]:
        lines.append(f"  {observable['name']} [{observable['kind']}]: {observable['detail']}")
    if len(differing) > limit:
        lines.append(f"  … and {len(differing) - limit} more")
    for side, text in (record.tracebacks or {}).items():
        lines.append(f"  uncaught on the {side} lane:\n    " + text.strip().replace(
            "\n", "\n    "))
    lines.append("  (the JSON report holds both values and a reproducer script)")
    return terminal_safe("\n".join(lines))
