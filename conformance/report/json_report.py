"""The JSON report: building it from records, writing it atomically, loading and merging.

The format is described in :mod:`conformance.report.schema`.
"""
from __future__ import annotations

import json
import os
import secrets
from datetime import datetime, timezone
from pathlib import Path

from conformance.report.schema import PAIRS, SCHEMA_VERSION, STATUSES, UNEXPECTED


def unexpected_statuses(strict: bool) -> tuple[str, ...]:
    """Statuses that fail a run: diverge, timeout, crash, and fixed under --strict."""
    return UNEXPECTED + (("fixed",) if strict else ())


def _counts() -> dict:
    return {status: 0 for status in STATUSES}


def summarise(records: list[dict], strict: bool = False) -> dict:
    total, by_pair, by_area = _counts(), {pair: _counts() for pair in PAIRS}, {}
    for record in records:
        status, pair, area = record["status"], record["pair"], record["area"]
        total[status] += 1
        by_pair.setdefault(pair, _counts())[status] += 1
        by_area.setdefault(area, {}).setdefault(pair, _counts())[status] += 1
    bad = unexpected_statuses(strict)
    return {
        "statuses": list(STATUSES),
        "total": total,
        "by_pair": by_pair,
        "by_area": {area: by_area[area] for area in sorted(by_area)},
        "unexpected": sum(total[status] for status in bad),
    }


def build(records: list[dict], lanes: dict, environment: dict, known_unmatched: list[str],
          complete: bool = True, strict: bool = False) -> dict:
    records = sorted(records, key=lambda r: r["id"])
    return {
        "schema_version": SCHEMA_VERSION,
        "complete": complete,
        "strict": strict,
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "environment": environment,
        "lanes": lanes,
        "pairs": list(PAIRS),
        "summary": summarise(records, strict),
        "known_unmatched": sorted(known_unmatched),
        "records": records,
    }


def dumps(report: dict) -> str:
    # allow_nan=False: a NaN that escaped to_plain is a bug, and browsers reject NaN in JSON
    return json.dumps(report, indent=1, allow_nan=False, ensure_ascii=False) + "\n"


def write(report: dict, path: str | os.PathLike) -> Path:
    """Write ``report`` to ``path`` atomically (see :func:`write_text_atomically`)."""
    return write_text_atomically(path, dumps(report))


def write_text_atomically(path: str | os.PathLike, text: str) -> Path:
    """Write ``text`` to a temporary file beside ``path``, then os.replace it into place, so a
    reader (or a run killed mid-write) never sees half a file. The temporary name is opened
    with "x" rather than made by mkstemp, whose files are private (0600): a report is meant to
    be read by others and gets the umask's usual permissions."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.parent / f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp"
    try:
        with open(temp, "x", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
    except BaseException:
        try:
            os.unlink(temp)
        except FileNotFoundError:
            pass
        raise
    return path


def load(path: str | os.PathLike) -> dict:
    with open(path, encoding="utf-8") as handle:
        report = json.load(handle)
    version = report.get("schema_version")
    if version != SCHEMA_VERSION:
        raise ValueError(f"{path}: schema version {version!r}, expected {SCHEMA_VERSION}")
    return report


def merge(reports: list[dict]) -> dict:
    """One report from several (xdist partials, fuzzer shards) of the same target.

    Records are keyed by id (a later report's record replaces an earlier one with the same
    id); the result is complete only if every part was; an unmatched known entry stays
    unmatched only if it matched nothing in every part; lanes count as run if any part ran
    them.
    """
    if not reports:
        raise ValueError("merge needs at least one report")
    targets = {r["environment"].get("target") for r in reports}
    if len(targets) > 1:
        raise ValueError(f"cannot merge reports of different targets: {sorted(targets)}")
    versions = {r.get("schema_version") for r in reports}
    if versions != {SCHEMA_VERSION}:
        raise ValueError(f"cannot merge schema versions {sorted(map(str, versions))}")
    records: dict[str, dict] = {}
    for report in reports:
        for record in report["records"]:
            records[record["id"]] = record
    lanes: dict = {}
    for report in reports:
        for name, info in report["lanes"].items():
            if name not in lanes or info.get("status") == "run":
                lanes[name] = info
    unmatched = set(reports[0].get("known_unmatched", []))
    for report in reports[1:]:
        unmatched &= set(report.get("known_unmatched", []))
    strict = any(r.get("strict", False) for r in reports)
    environment = dict(reports[0]["environment"])
    fuzz = [r["environment"]["fuzz"] for r in reports if "fuzz" in r["environment"]]
    if fuzz:
        environment["fuzz"] = {
            **fuzz[0],
            "shard": ",".join(str(f.get("shard")) for f in fuzz),
            "programs": sum(int(f.get("programs") or 0) for f in fuzz),
        }
    if any(r["environment"].get("cuda_available") for r in reports):
        cuda = next(r["environment"] for r in reports if r["environment"].get("cuda_available"))
        environment["cuda_available"] = True
        environment["cuda_device"] = cuda.get("cuda_device")
    return build(list(records.values()), lanes, environment, sorted(unmatched),
                 all(r.get("complete", False) for r in reports), strict)


def differences(old: dict, new: dict, strict: bool | None = None) -> dict:
    """What changed between two reports: ids newly unexpected, fixed, and gone."""
    bad = set(unexpected_statuses(new.get("strict", False) if strict is None else strict))
    old_records = {r["id"]: r for r in old["records"]}
    new_records = {r["id"]: r for r in new["records"]}
    newly, fixed = [], []
    for rid, record in sorted(new_records.items()):
        before = old_records.get(rid)
        was_bad = before is not None and before["status"] in bad
        if record["status"] in bad and not was_bad:
            newly.append({"id": rid, "status": record["status"],
                          "was": None if before is None else before["status"],
                          "reason": record.get("reason", "")})
        elif was_bad and record["status"] not in bad:
            fixed.append({"id": rid, "status": record["status"], "was": before["status"]})
        elif record["status"] == "fixed" and (before is None or before["status"] != "fixed"):
            fixed.append({"id": rid, "status": "fixed",
                          "was": None if before is None else before["status"]})
    gone = sorted(set(old_records) - set(new_records))
    return {"newly_unexpected": newly, "fixed": fixed, "gone": gone}
