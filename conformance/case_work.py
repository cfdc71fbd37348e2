"""A case as work for the executor (:mod:`conformance.execute`) and as records.

A :class:`CaseWork` travels to the executor's child process by package and case id and is
looked up there, so that a case's parameters need not be picklable.
"""
from __future__ import annotations

import functools
from typing import Any

from conformance import lanes as lanes_module
from conformance.case import Case, collect
from conformance.observe import _contains_records, to_plain
from conformance.records import Record


def _flatten(name: str, value: Any, out: dict) -> None:
    if isinstance(value, (list, tuple)) and _contains_records(value):
        for i, item in enumerate(value):
            _flatten(f"{name}[{i}]", item, out)
    elif isinstance(value, dict) and _contains_records(value):
        for key, item in value.items():
            _flatten(f"{name}[{key}]", item, out)
    else:
        out[name] = value


def flatten(returned: Any) -> dict[str, Any]:
    """What a case returned, one value per observable name: containers that hold tensors or
    records become one observable per element (``grads[0]``, ``flags[requires_grad]``)."""
    observed: dict = {}
    if isinstance(returned, dict):
        for name, value in returned.items():
            _flatten(str(name), value, observed)
    else:
        _flatten("result", returned, observed)
    return observed


class CaseWork:
    def __init__(self, case: Case, package: str | None = None):
        self.case = case
        self.package = package or case.func.__module__.rpartition(".")[0]

    @property
    def reference_id(self) -> str:
        """The key of this case's lane results in a reference file (conformance.reference)."""
        return self.case.id

    @property
    def code_file(self) -> str:
        return self.case.func.__code__.co_filename

    def observe(self, lane: lanes_module.Lane) -> dict[str, dict]:
        returned = self.case.run(lane.namespace, lane.device)
        return {name: to_plain(value, truncate=False)
                for name, value in flatten(returned).items()}

    def record(self, pair: str) -> Record:
        case = self.case
        return Record.for_case(case.id, case.area, case.name, case.param_id, pair,
                               source=case.source_or_none)

    def comparable(self, observations: dict[str, dict]) -> dict[str, dict]:
        return observations

    def reproducer(self, record: Record, target: str) -> str:
        from conformance import reproduce
        return reproduce.for_case(self.case, target, record)

    def __reduce__(self):
        return _case_work, (self.package, self.case.id)


@functools.lru_cache(maxsize=None)
def _cases(package: str) -> dict[str, Case]:
    return {case.id: case for case in collect(package)}


def _case_work(package: str, case_id: str) -> CaseWork:
    """The child's side of pickling: the case of that id, collected from its package."""
    case = _cases(package).get(case_id)
    if case is None:
        raise LookupError(f"no case {case_id} in {package}")
    return CaseWork(case, package)
