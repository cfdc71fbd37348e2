"""Torch version drift: what two torch releases (or two builds) do differently, case by case.

``python -m conformance drift A B`` reads two references (:mod:`conformance.reference`), or
records them on the fly in other interpreters (``python:PATH``, see
:mod:`conformance.torch_python`), and compares each case's observables lane by lane: A's
torch-cpu against B's torch-cpu, and the CUDA lanes when either side ran one. The records are
the harness's own (:mod:`conformance.pair_records`, compared by :mod:`conformance.compare`) on
pairs named after the two torch versions ("torch-2.13.0~torch-2.14.1"); the report is the
usual JSON and HTML report, with a ``"drift"`` section that groups every observable that
changed by its kind (:func:`conformance.observe.change_kind`): node names, graph structure,
exception types, error messages, warnings, printing, values, presence.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from conformance.execute import harness_commit
from conformance.lane_result import LaneResult
from conformance.observe import CHANGE_KINDS, change_kind
from conformance.pair_records import records_for
from conformance.records import Record, Status, split_id
from conformance.reference import TORCH_LANES, Reference
from conformance.report import json_report

CUDA_SUFFIX = "-cuda"
# A drift record's statuses: "diverge" says something changed; lane failures stay theirs.
CHANGED = Status.DIVERGE


class DriftError(ValueError):
    """Two references that cannot be compared (different case catalogues)."""


def check_same_catalogue(a: Reference, b: Reference) -> None:
    """Refuse references recorded for different case catalogues, naming both."""
    if a.catalogue_hash == b.catalogue_hash and a.catalogue["package"] == b.catalogue["package"]:
        return
    raise DriftError(
        f"{a.path} and {b.path} were recorded for different case catalogues "
        f"({a.catalogue['package']} {a.catalogue_hash[:16]}, {a.catalogue.get('cases')} "
        f"cases; {b.catalogue['package']} {b.catalogue_hash[:16]}, "
        f"{b.catalogue.get('cases')} cases): record both from the same checkout of the "
        f"harness")


def labels(a: Reference, b: Reference) -> tuple[str, str]:
    """Lane names for the two sides: "torch-2.13.0" and "torch-2.14.1" (the local build
    suffix dropped unless it is all that differs; "@A"/"@B" added when even that is equal)."""
    versions = [a.torch_version, b.torch_version]
    public = [v.split("+", 1)[0] for v in versions]
    if public[0] != public[1] or versions[0] == versions[1]:
        versions = public
    names = [f"torch-{v}".replace("~", "-").replace("[", "(").replace("]", ")")
             for v in versions]
    if names[0] == names[1]:
        names = [f"{names[0]}@A", f"{names[1]}@B"]
    return names[0], names[1]


@dataclass
class _CaseById:
    """A case as drift knows it: its id (from the references) and its source when this
    harness has the same case."""
    case_id: str
    source: str | None
    code_file: str = ""

    def record(self, pair: str) -> Record:
        _, area, name, param_id, _ = split_id(f"{self.case_id}[{pair}]")
        return Record.for_case(self.case_id, area, name, param_id, pair, source=self.source)

    def comparable(self, observations: dict[str, dict]) -> dict[str, dict]:
        return observations

    def observe(self, lane):          # the lanes were recorded: nothing runs here
        raise NotImplementedError("a drift case is compared from references only")


def _sources(package: str) -> dict[str, str]:
    """Each case's source, from this harness's own catalogue (empty when it has none)."""
    try:
        from conformance.case import collect
        cases = collect(package)
    except Exception:  # noqa: BLE001 - sources are shown, not needed
        return {}
    sources = {case.id: case.source_or_none for case in cases}
    return {case_id: text for case_id, text in sources.items() if text is not None}


def lane_pairs(a: Reference, b: Reference, left: str, right: str) -> list[tuple[str, str, str]]:
    """(reference lane, left lane name, right lane name) for each torch lane either side
    ran: the CPU lane always, the CUDA lane when one of them has it."""
    pairs = []
    for lane in TORCH_LANES:
        ran = [ref.lanes.get(lane, {}).get("status") == "run" for ref in (a, b)]
        if lane == "torch-cpu" or any(ran):
            suffix = CUDA_SUFFIX if lane == "torch-cuda" else ""
            pairs.append((lane, left + suffix, right + suffix))
    return pairs


def _lane_info(ref: Reference, lane: str) -> dict:
    info = dict(ref.lanes.get(lane) or {"status": "not_run", "module": "torch",
                                        "reason": f"{ref.name} has no {lane} lane"})
    info["reference"] = ref.source()         # {"file", "torch"}, as a replayed lane says
    return info


def compare(a: Reference, b: Reference) -> tuple[list[Record], dict, list[str]]:
    """Every case of either reference on each compared lane: (records, lanes, pairs)."""
    check_same_catalogue(a, b)
    left, right = labels(a, b)
    pairs = lane_pairs(a, b, left, right)
    lanes: dict[str, dict] = {}
    for lane, left_name, right_name in pairs:
        lanes[left_name] = _lane_info(a, lane)
        lanes[right_name] = _lane_info(b, lane)
    sources = _sources(a.catalogue["package"])
    records: list[Record] = []
    for case_id in sorted(set(a.case_ids) | set(b.case_ids)):
        work = _CaseById(case_id, sources.get(case_id))
        results: dict[str, LaneResult] = {}
        for lane, left_name, right_name in pairs:
            for ref, name in ((a, left_name), (b, right_name)):
                result = ref.lane_result(case_id, lane)
                if result is not None:
                    results[name] = result
        info = {name: _present(lanes[name], name in results, case_id) for name in lanes}
        records += records_for(work, info, results, target="torch",
                               pairs=[f"{ln}~{rn}" for _, ln, rn in pairs],
                               with_reproducers=False)
    for record in records:
        _mark_changes(record)
        if record.status is Status.MATCH:
            _unchanged(record)
    return records, lanes, [f"{ln}~{rn}" for _, ln, rn in pairs]


def _unchanged(record: Record) -> None:
    """A record both torches agree on keeps no observables, graphs or source: a drift report
    is about what changed, and 1,500 unchanged cases would otherwise make it 10 times the
    size."""
    kept = len(record.observables)
    record.observables, record.graphs, record.source = [], {}, None
    record.reason = f"unchanged ({kept} observable{'s' if kept != 1 else ''} equal)"


def _present(info: dict, present: bool, case_id: str) -> dict:
    """A lane's info for one case: not run when its reference lacks the case."""
    if present or info.get("status") != "run":
        return info
    return {**info, "status": "not_run",
            "reason": f"{info['reference']['file']} has no result for {case_id}"}


def _mark_changes(record: Record) -> None:
    """Give each changed observable its kind ("change") and say the kinds in the reason."""
    if record.status is not CHANGED:
        return
    kinds = []
    for observable in record.observables:
        if observable.get("status") == "diverge":
            observable["change"] = change_kind(observable.get("left"), observable.get("right"))
            kinds.append(f"{observable['change']} in {observable['name']!r}")
    if kinds:
        record.reason = "changed: " + "; ".join(kinds[:6]) + (
            f" and {len(kinds) - 6} more" if len(kinds) > 6 else "")


def changes(records: list[Record]) -> dict:
    """The report's "drift" grouping: for each kind (CHANGE_KINDS order, then "failure"
    for a lane that crashed or timed out on one side) the changed observables and how many
    records have one."""
    by_kind: dict[str, list[dict]] = {}
    for record in records:
        if record.status in (Status.CRASH, Status.TIMEOUT, Status.MISSING):
            by_kind.setdefault("failure", []).append(
                {"record": record.id, "case": record.case, "pair": record.pair,
                 "observable": "", "detail": record.reason})
        for observable in record.observables:
            kind = observable.get("change")
            if kind:
                by_kind.setdefault(kind, []).append(
                    {"record": record.id, "case": record.case, "pair": record.pair,
                     "observable": observable["name"], "detail": observable.get("detail", "")})
    order = [kind for kind in CHANGE_KINDS + ("failure",) if kind in by_kind]
    return {
        "kinds": order,
        "counts": {kind: len(by_kind[kind]) for kind in order},
        "records": {kind: len({item["record"] for item in by_kind[kind]}) for kind in order},
        "items": {kind: by_kind[kind] for kind in order},
    }


def _side(ref: Reference, spec: str, label: str) -> dict:
    env = ref.environment
    return {"label": label, "from": spec, "torch": ref.torch_version,
            "torch_build": env.get("torch_build"), "cuda_device": env.get("cuda_device"),
            "cpu_capability": env.get("cpu_capability"), "python": env.get("python"),
            "numpy": env.get("numpy"), "cases": len(ref.case_ids)}


def report(a: Reference, b: Reference, specs: tuple[str, str], command: str = "") -> dict:
    """The drift report (the JSON report's schema, plus "drift")."""
    records, lanes, pairs = compare(a, b)
    left, right = labels(a, b)
    environment = {
        "target": left, "target_version": a.torch_version, "torch": b.torch_version,
        "cuda_available": any(info.get("status") == "run" and info.get("device") == "cuda"
                              for info in lanes.values()),
        "cuda_device": b.environment.get("cuda_device") or a.environment.get("cuda_device"),
        "python": b.environment.get("python"), "numpy": b.environment.get("numpy"),
        "platform": b.environment.get("platform"),
        "harness_version": b.environment.get("harness_version"),
        "commit": harness_commit(),
        "catalogue": f"{a.catalogue['package']} {a.catalogue_hash[:16]} "
                     f"({a.catalogue.get('cases')} cases)",
        "command": command,
    }
    document = json_report.build(records, lanes, environment, [], True, pairs=pairs)
    counter = Counter(record.status.value for record in records)
    document["drift"] = {"a": _side(a, specs[0], left), "b": _side(b, specs[1], right),
                         "statuses": dict(sorted(counter.items())), **changes(records)}
    return document


def exit_code(document: dict) -> int:
    """Like ``compare``: 1 when something changed (or a lane failed on one side), else 0."""
    return 1 if document["summary"]["unexpected"] else 0


def read_side(spec: str, recorded: str, keyword: str | None = None,
              want_cuda: bool = True) -> Reference:
    """A side of the comparison: ``python:PATH`` is recorded now in that interpreter, into the
    file ``recorded``; anything else is a reference file."""
    from conformance import reference, torch_python

    if spec.startswith(torch_python.PREFIX):
        python = spec[len(torch_python.PREFIX):]
        torch_python.record(python, recorded, keyword=keyword, want_cuda=want_cuda)
        return reference.read(recorded)
    return reference.read(spec)
