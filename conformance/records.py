"""The record: one case (or one fuzz program) on one lane pair, and its status.

:class:`Record` is the only constructor of records; every producer (the case runner, the
pytest plugin's crash bookkeeping, the fuzzer) builds one and turns it into JSON with
:meth:`Record.to_json`. Readers (merge, compare, the HTML page) go back with
:meth:`Record.from_json`, which checks the shape and says in one line what is wrong. The JSON
layout is described in :mod:`conformance.report.schema`.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any

from conformance.safe_text import json_safe_data


class Status(enum.StrEnum):
    """A record's verdict. A ``StrEnum``: it is its own JSON string."""
    MATCH = "match"          # every observable equal or within tolerance
    DIVERGE = "diverge"      # an observable differs
    KNOWN = "known"          # differs, and a known-divergence entry says why
    FIXED = "fixed"          # a known-divergence entry no longer differs
    MISSING = "missing"      # a lane lacks an attribute the case needs
    NOT_RUN = "not_run"      # a lane did not run (no CUDA, say)
    TIMEOUT = "timeout"      # a lane ran past its time
    CRASH = "crash"          # a lane's process died

    @property
    def unexpected(self) -> bool:
        """Statuses that make a run fail (``fixed`` too when the run is strict)."""
        return self in UNEXPECTED


UNEXPECTED = frozenset({Status.DIVERGE, Status.TIMEOUT, Status.CRASH})


class RecordError(ValueError):
    """A JSON record of the wrong shape."""


def split_id(record_id: str) -> tuple[str, str, str, str, str]:
    """``area::name[param][pair]`` -> (case id, area, name, param id, pair)."""
    if not record_id.endswith("]") or "[" not in record_id or "::" not in record_id:
        raise RecordError(f"record id {record_id!r} is not 'area::name[...][pair]'")
    case_id, _, pair = record_id[:-1].rpartition("[")
    area, _, rest = case_id.partition("::")
    name, _, param = rest.partition("[")
    return case_id, area, name, (param[:-1] if param else ""), pair


@dataclass
class Record:
    id: str
    case: str
    area: str
    name: str
    param_id: str
    pair: str
    left: str
    right: str
    status: Status = Status.MATCH
    reason: str = ""
    duration_s: float = 0.0
    observables: list = field(default_factory=list)
    graphs: dict = field(default_factory=dict)
    source: str | None = None
    reproducer: str | None = None
    tracebacks: dict | None = None       # only when a lane raised an uncaught exception
    fuzz: dict | None = None             # only on fuzz records: seed, summary, ops
    sanitised: bool = False              # text the target produced had to be made safe
    reference: dict | None = None        # replayed lanes: lane -> {"file", "torch"}

    def __post_init__(self) -> None:
        self.status = Status(self.status)

    @classmethod
    def for_case(cls, case_id: str, area: str, name: str, param_id: str, pair: str,
                 **fields: Any) -> Record:
        """A record of ``case_id`` on ``pair`` (``"left~right"``); the id is derived."""
        left, _, right = pair.partition("~")
        return cls(id=f"{case_id}[{pair}]", case=case_id, area=area, name=name,
                   param_id=param_id, pair=pair, left=left, right=right, **fields)

    @classmethod
    def for_id(cls, record_id: str, **fields: Any) -> Record:
        """A record rebuilt from its id alone (a crash noticed by the controller)."""
        case_id, area, name, param_id, pair = split_id(record_id)
        return cls.for_case(case_id, area, name, param_id, pair, **fields)

    @property
    def unexpected(self) -> bool:
        return self.status.unexpected

    def to_json(self) -> dict:
        """The record as plain JSON data (schema.py's RECORD), optional keys only when set.
        Text that UTF-8 cannot encode (a target's lone surrogates) is escaped
        (:func:`conformance.safe_text.json_safe`) and the record marked ``"sanitised"``."""
        data = {
            "id": self.id, "case": self.case, "area": self.area, "name": self.name,
            "param_id": self.param_id, "pair": self.pair, "left": self.left,
            "right": self.right, "status": str(self.status), "reason": self.reason,
            "duration_s": self.duration_s, "observables": self.observables,
            "graphs": self.graphs, "source": self.source, "reproducer": self.reproducer,
        }
        if self.tracebacks:
            data["tracebacks"] = self.tracebacks
        if self.fuzz is not None:
            data["fuzz"] = self.fuzz
        if self.reference:
            data["reference"] = self.reference
        data, changed = json_safe_data(data)
        if changed or self.sanitised:
            data["sanitised"] = True
        return data

    @classmethod
    def from_json(cls, data: Any) -> Record:
        """A record from JSON data; :class:`RecordError` names what is wrong."""
        if not isinstance(data, dict):
            raise RecordError(f"a record is a JSON object, not {type(data).__name__}")
        missing = [key for key in _REQUIRED if key not in data]
        if missing:
            raise RecordError(f"record {data.get('id', '?')!r} lacks {', '.join(missing)}")
        try:
            status = Status(data["status"])
        except ValueError:
            raise RecordError(f"record {data['id']!r} has an unknown status "
                              f"{data['status']!r}; known: "
                              f"{', '.join(s.value for s in Status)}") from None
        known = {key: data[key] for key in _FIELDS if key in data}
        known["status"] = status
        return cls(**known)


_FIELDS = tuple(Record.__dataclass_fields__)
_REQUIRED = ("id", "case", "area", "name", "param_id", "pair", "left", "right", "status")
