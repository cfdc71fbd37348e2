"""Parts of the HTML page that summarise records rather than show one: what the target lacks
(the names behind its missing records), and the records of lanes that did not run, which the
page counts once and hides until asked for (:mod:`conformance.report.html` renders both)."""
from __future__ import annotations

from conformance.records import Status
from conformance.report.schema import STATUSES, UNEXPECTED

MISSING = Status.MISSING.value
NOT_RUN = Status.NOT_RUN.value
# The page's "failures": the unexpected statuses and missing (a target that lacks what a case
# needs has not passed it), in the report's order of statuses.
FAILURES = tuple(s for s in STATUSES if s in UNEXPECTED or s == MISSING)
# Shown only on request: a lane that did not run says nothing about the target.
HIDDEN_BY_DEFAULT = (NOT_RUN,)


def missing_names(record: dict) -> list[str]:
    """The names a missing record's case asked the target for and did not get."""
    names = []
    for observable in record.get("observables") or ():
        for side in ("left", "right"):
            value = observable.get(side)
            if isinstance(value, dict) and value.get("type") == "missing":
                names.append(str(value.get("name") or observable.get("name") or "?"))
    return list(dict.fromkeys(names)) or [record.get("reason") or "(no name recorded)"]


def lacks(records: list[dict]) -> list[dict]:
    """One entry per missing name: how many cases need it, and one of them.

    Sorted by the number of cases, most first: the top of the list is what to add first.
    """
    cases: dict[str, dict[str, None]] = {}
    for record in records:
        if record.get("status") != MISSING:
            continue
        case = record.get("case") or record["id"].rsplit("[", 1)[0]
        for name in missing_names(record):
            cases.setdefault(name, {})[case] = None
    entries = [{"name": name, "cases": len(found), "example": next(iter(found))}
               for name, found in cases.items()]
    return sorted(entries, key=lambda e: (-e["cases"], e["name"]))


def not_run_note(records: list[dict], lanes: dict) -> dict:
    """How many records are not_run, and each lane that did not run with its reason."""
    count = sum(1 for record in records if record.get("status") == NOT_RUN)
    idle = [{"name": name, "reason": lane.get("reason") or ""}
            for name, lane in lanes.items() if lane.get("status") == NOT_RUN]
    return {"count": count, "lanes": idle}
