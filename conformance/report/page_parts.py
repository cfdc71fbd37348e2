"""Parts of the HTML page that summarise records rather than show one: what the target lacks
(the names behind its missing records), the records of lanes that did not run, which the
page counts once and hides until asked for, and a drift report's changes grouped by kind
(:mod:`conformance.report.html` renders them)."""
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


DRIFT_ITEMS_SHOWN = 60          # per kind; the results table has the rest
DRIFT_KIND_TITLES = {
    "node-name": "grad_fn node names", "graph-structure": "graph structure",
    "exception-type": "exception types (or raised on one side only)",
    "error-message": "error messages", "warning": "warnings", "printing": "printing and reprs",
    "value": "values, dtypes, shapes, flags", "presence": "observables present on one side",
    "failure": "a lane crashed or timed out on one side",
}


def drift_view(found: dict) -> dict:
    """A drift report's "drift" section as the page shows it: the two sides, then each kind
    of change with its count and its first items."""
    kinds = []
    for kind in found.get("kinds", []):
        items = found["items"][kind]
        kinds.append({"kind": kind, "title": DRIFT_KIND_TITLES.get(kind, kind),
                      "count": found["counts"][kind], "records": found["records"][kind],
                      "items": items[:DRIFT_ITEMS_SHOWN],
                      "more": max(0, len(items) - DRIFT_ITEMS_SHOWN)})
    return {"a": found["a"], "b": found["b"], "kinds": kinds,
            "statuses": found.get("statuses", {})}
