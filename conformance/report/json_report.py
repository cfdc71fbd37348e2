"""The JSON report: building it from records, writing it atomically, loading and merging.

The format is described in :mod:`conformance.report.schema`. Records are
:class:`conformance.records.Record` objects everywhere but in the document itself, which
holds their JSON (``Record.to_json``); every reader goes back through ``Record.from_json``.
"""
from __future__ import annotations

import json
import os
import secrets
from collections.abc import Iterable
from datetime import datetime, timezone
from pathlib import Path

from conformance.records import UNEXPECTED, Record, RecordError, Status
from conformance.safe_text import json_safe_data
from conformance.report.schema import PAIRS, REPORT_KEYS, SCHEMA_VERSION, STATUSES


class ReportError(ValueError):
    """A report file that cannot be read: not JSON, another schema version, a bad record."""


def unexpected_statuses(strict: bool) -> frozenset[Status]:
    """Statuses that fail a run: diverge, timeout, crash, and fixed under --strict."""
    return UNEXPECTED | {Status.FIXED} if strict else UNEXPECTED


def as_record(record: Record | dict) -> Record:
    """``record`` as a Record; a JSON record (a dict) is read with ``Record.from_json``."""
    return record if isinstance(record, Record) else Record.from_json(record)


def records_of(report: dict) -> list[Record]:
    """The records of a report (loaded or built), typed."""
    return [Record.from_json(data) for data in report["records"]]


def _counts() -> dict:
    return {status: 0 for status in STATUSES}


def summarise(records: Iterable[Record], strict: bool = False, pairs=PAIRS) -> dict:
    total, by_pair, by_area = _counts(), {pair: _counts() for pair in pairs}, {}
    for record in records:
        status, pair, area = record.status.value, record.pair, record.area
        total[status] += 1
        by_pair.setdefault(pair, _counts())[status] += 1
        by_area.setdefault(area, {}).setdefault(pair, _counts())[status] += 1
    bad = unexpected_statuses(strict)
    return {
        "statuses": list(STATUSES),
        "total": total,
        "by_pair": by_pair,
        "by_area": {area: by_area[area] for area in sorted(by_area)},
        "unexpected": sum(total[status.value] for status in bad),
    }


def build(records: Iterable[Record | dict], lanes: dict, environment: dict,
          known_unmatched: list[str], complete: bool = True, strict: bool = False, *,
          allow_missing: bool = False, pairs=PAIRS) -> dict:
    """The report of ``records`` (Records; JSON records are accepted and checked) on
    ``pairs`` (a drift report's pairs are two torch versions')."""
    typed = sorted((as_record(record) for record in records), key=lambda r: r.id)
    environment, _ = json_safe_data(environment)    # a target's version or import error
    note = torch_note(environment)
    if note:
        environment = {**environment, "torch_note": note}
    lanes, _ = json_safe_data(lanes)
    return {
        "schema_version": SCHEMA_VERSION,
        "complete": complete,
        "strict": strict,
        "allow_missing": allow_missing,
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "environment": environment,
        "lanes": lanes,
        "pairs": list(pairs),
        "summary": summarise(typed, strict, pairs),
        "known_unmatched": sorted(known_unmatched),
        "records": [record.to_json() for record in typed],
    }


def torch_note(environment: dict) -> str:
    """"" when the reference torch (live or recorded) is the release the target follows
    (its ``__torch_version__``, e.g. "2.13" for any 2.13.x), or when either is unknown; else
    one line saying they differ."""
    follows, torch = environment.get("target_follows_torch"), environment.get("torch")
    if not isinstance(follows, str) or not isinstance(torch, str) or not follows or not torch:
        return ""
    public = torch.split("+", 1)[0]
    if public == follows or public.startswith(follows + "."):
        return ""
    return (f"{environment.get('target', 'the target')} follows torch {follows}, but the "
            f"reference torch is {torch}: a difference may be torch's own change between "
            f"the two (python -m conformance drift shows those)")


def missing_verdict(report: dict) -> str:
    """Why what the target lacks fails the run ("" when it does not): "missing" records fail
    it unless the report allows them (--allow-missing); a target that lacks everything its
    records needed (none of them ran) fails even then."""
    target_records = [r for r in report.get("records", []) if r.get("left") == "target"]
    missing = sum(r["status"] == Status.MISSING.value for r in target_records)
    if not missing:
        return ""
    if all(r["status"] in (Status.MISSING.value, Status.NOT_RUN.value) for r in target_records):
        return (f"the target provides nothing the cases need: all {missing} of its records "
                f"are missing")
    if report.get("allow_missing", False):
        return ""
    return (f"{missing} record(s) missing: the target lacks what their cases need "
            f"(--allow-missing tolerates this)")


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
    """The report at ``path``, checked: :class:`ReportError` says in one line what is wrong."""
    if Path(path).is_dir():
        raise ReportError(f"{path}: a folder, not a report file")
    try:
        with open(path, encoding="utf-8") as handle:
            report = json.load(handle)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ReportError(f"{path}: not a JSON document ({exc})") from None
    except OSError as exc:
        raise ReportError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    except RecursionError:
        raise ReportError(f"{path}: not a report (nested too deeply)") from None
    return check(report, path)


def check(report, where: str | os.PathLike = "report") -> dict:
    """``report`` if it has the shape schema.py describes, each record read by
    ``Record.from_json``; else :class:`ReportError` naming what is wrong."""
    if not isinstance(report, dict):
        raise ReportError(f"{where}: a report is a JSON object, not {type(report).__name__}")
    version = report.get("schema_version")
    if version != SCHEMA_VERSION:
        raise ReportError(f"{where}: schema version {version!r}, expected {SCHEMA_VERSION}")
    missing = [key for key in REPORT_KEYS if key not in report]
    if missing:
        raise ReportError(f"{where}: the report lacks {', '.join(missing)}")
    shapes = (("complete", bool), ("environment", dict), ("lanes", dict), ("summary", dict),
              ("records", list), ("strict", bool), ("allow_missing", bool),
              ("known_unmatched", list))
    for key, kind in shapes:
        if key in report and not isinstance(report[key], kind):
            raise ReportError(f"{where}: {key} is a JSON {kind.__name__}, not "
                              f"{type(report[key]).__name__}")
    seen: set[str] = set()
    for number, data in enumerate(report["records"]):
        try:
            record = Record.from_json(data)
        except (RecordError, TypeError, ValueError, KeyError) as exc:
            raise ReportError(f"{where}: record #{number}: {exc}") from None
        if record.id in seen:
            raise ReportError(f"{where}: record #{number}: id {record.id!r} appears twice")
        seen.add(record.id)
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
    records: dict[str, Record] = {}
    for report in reports:
        for record in records_of(report):
            records[record.id] = record
    lanes: dict = {}
    for report in reports:
        for name, info in report["lanes"].items():
            if name not in lanes or info.get("status") == "run":
                lanes[name] = info
    unmatched = set(reports[0].get("known_unmatched", []))
    for report in reports[1:]:
        unmatched &= set(report.get("known_unmatched", []))
    strict = any(r.get("strict", False) for r in reports)
    allow_missing = all(r.get("allow_missing", False) for r in reports)
    environment = dict(reports[0]["environment"])
    fuzz = [r["environment"]["fuzz"] for r in reports if "fuzz" in r["environment"]]
    _check_same_campaign(fuzz)
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
    return build(records.values(), lanes, environment, sorted(unmatched),
                 all(r.get("complete", False) for r in reports), strict,
                 allow_missing=allow_missing)


def _check_same_campaign(fuzz: list[dict]) -> None:
    """Fuzz shards merge only if they drew their programs alike: the same profile, base seed
    and Hypothesis version (another version draws other programs from the same seeds)."""
    for key, what in (("hypothesis", "Hypothesis versions"), ("profile", "profiles"),
                      ("seed", "base seeds")):
        values = {str(f.get(key)) for f in fuzz if f.get(key) is not None}
        if len(values) > 1:
            raise ValueError(f"cannot merge fuzz shards drawn with different {what}: "
                             f"{sorted(values)}; run every shard with the same one")


def differences(old: dict, new: dict, strict: bool | None = None) -> dict:
    """What changed between two reports: ids newly unexpected, fixed, and gone."""
    bad = unexpected_statuses(new.get("strict", False) if strict is None else strict)
    old_records = {r.id: r for r in records_of(old)}
    new_records = {r.id: r for r in records_of(new)}
    newly, fixed = [], []
    for rid, record in sorted(new_records.items()):
        before = old_records.get(rid)
        was = None if before is None else before.status
        was_bad = was in bad
        if record.status in bad and not was_bad:
            newly.append({"id": rid, "status": record.status, "was": was,
                          "reason": record.reason})
        elif was_bad and record.status not in bad:
            fixed.append({"id": rid, "status": record.status, "was": was})
        elif record.status is Status.FIXED and was is not Status.FIXED:
            fixed.append({"id": rid, "status": Status.FIXED, "was": was})
    gone = sorted(set(old_records) - set(new_records))
    return {"newly_unexpected": newly, "fixed": fixed, "gone": gone}
