"""Recorded references: torch's lanes written to a file, read back instead of a live torch.

``python -m conformance record`` runs the cases on torch's lanes only and writes what each lane
showed per case (:class:`conformance.lane_result.LaneResult`) to a reference file;
``python -m conformance run --reference FILE`` then replays those lanes, so a target can be
checked in a process where torch is not installed. This module is the only reader and writer
of the file, and it never imports torch.

The file is gzip-compressed JSON (``.ref.json.gz``), written deterministically (sorted keys,
except inside observations, whose order is observed; fixed separators, gzip mtime 0, no
timings, no absolute paths) so that the same torch gives the same bytes::

    {"format": "conformance-reference", "format_version": 1,
     "environment": {"torch": "2.13.0+cpu", "torch_build": {...}, "cuda_device": null,
                     "cpu_capability": "AVX512", "numpy": ..., "python": ..., "platform": ...,
                     "harness_version": ...},
     "catalogue": {"package": "conformance.cases", "hash": "<sha256>", "cases": 1650},
     "lanes": {"torch-cpu": {<Lane.describe()>}, "torch-cuda": {...}},
     "results": {"<case id>": {"torch-cpu": <LaneResult JSON>, "torch-cuda": ...}},
     "fuzz": optional, the same shape as "results" keyed by program id}

A reference may hold a subset of the catalogue's cases (``record -k``); a case it lacks is
reported per record when replayed. A reference for another catalogue (another hash) is
refused as a whole: :func:`check_catalogue`.
"""
from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import re
import zlib
from dataclasses import dataclass, field
from typing import Any, Iterable

from conformance.lane_result import LaneResult

FORMAT = "conformance-reference"
FORMAT_VERSION = 1
SUFFIX = ".ref.json.gz"
TORCH_LANES = ("torch-cpu", "torch-cuda")
TOP_KEYS = ("format", "format_version", "environment", "catalogue", "lanes", "results")
LANE_STATUSES = ("run", "not_run")


class ReferenceError(ValueError):
    """A reference file that cannot be used: the message names the file and what is wrong."""


# --------------------------------------------------------------------------- the catalogue

def catalogue_hash(package: str = "conformance.cases", cases: Iterable | None = None) -> str:
    """sha256 of the sorted case ids of ``package`` and each case's source: a reference is
    valid for the catalogue it was recorded with, and only for that one."""
    from conformance.case import collect
    cases = collect(package) if cases is None else cases
    sources: dict[Any, str] = {}        # one family function stands for many cases
    digest = hashlib.sha256()
    for case in sorted(cases, key=lambda c: c.id):
        func = case.func
        if func not in sources:
            sources[func] = case.source_or_none or ""
        for text in (case.id, sources[func]):
            data = text.encode("utf-8", "surrogatepass")
            digest.update(len(data).to_bytes(8, "big") + data)   # length-prefixed: no mixups
    return digest.hexdigest()


def catalogue(package: str = "conformance.cases", cases: list | None = None) -> dict:
    """The "catalogue" entry for ``package`` (every case of it, whatever was recorded)."""
    from conformance.case import collect
    cases = collect(package) if cases is None else list(cases)
    return {"package": package, "hash": catalogue_hash(package, cases), "cases": len(cases)}


# ---------------------------------------------------------------------------- environment

def torch_environment(lanes: dict | None = None) -> dict:
    """Torch's side of the environment: version and build, the CUDA device when the CUDA lane
    runs, the CPU capability, NumPy, Python, the platform and the harness version (imports
    torch: called where torch's lanes were made)."""
    import platform

    import numpy
    import torch

    import conformance

    cuda_device = None
    if lanes is not None and lanes.get("torch-cuda") is not None \
            and lanes["torch-cuda"].status == "run":
        try:
            cuda_device = torch.cuda.get_device_name(0)
        except Exception:  # noqa: BLE001 - the name is informative only
            cuda_device = None
    try:
        capability = torch.backends.cpu.get_cpu_capability()
    except Exception:  # noqa: BLE001 - older torch
        capability = None
    version = getattr(torch, "version", None)
    build = {"cuda": getattr(version, "cuda", None), "hip": getattr(version, "hip", None),
             "debug": bool(getattr(version, "debug", False)),
             "git_version": getattr(version, "git_version", None)}
    return {"torch": torch.__version__, "torch_build": build, "cuda_device": cuda_device,
            "cpu_capability": capability, "numpy": numpy.__version__,
            "python": platform.python_version(), "platform": platform.platform(),
            "harness_version": conformance.__version__}


# --------------------------------------------------------------------------- build, write

def record(results: dict[str, dict], lanes: dict[str, dict], environment: dict,
           package: str = "conformance.cases", fuzz: dict[str, dict] | None = None,
           catalogue_entry: dict | None = None) -> dict:
    """The reference document: ``results`` maps a case id to {lane: LaneResult or its JSON};
    ``lanes`` are torch's lanes' descriptions (``Lane.describe()``); ``environment`` comes from
    :func:`torch_environment` (a ``command`` in it is dropped: it holds paths)."""
    lanes = {name: dict(info) for name, info in lanes.items() if name in TORCH_LANES}
    env = {key: value for key, value in environment.items() if key != "command"}
    ref = {"format": FORMAT, "format_version": FORMAT_VERSION, "environment": env,
           "catalogue": catalogue_entry or catalogue(package), "lanes": lanes,
           "results": _results_json(results)}
    if fuzz is not None:
        ref["fuzz"] = _results_json(fuzz)
    return ref


def _results_json(results: dict[str, dict]) -> dict:
    out = {}
    for work_id, by_lane in results.items():
        out[work_id] = {lane: _portable(value if isinstance(value, dict) else value.to_json())
                        for lane, value in by_lane.items() if lane in TORCH_LANES}
    return out


_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_FILE_IN_TRACEBACK = re.compile(r'File "([^"]+)"')


def _portable_path(path: str) -> str:
    """A traceback's file without the machine's folders: relative to the harness's project,
    from ``site-packages/`` on, else the file's name."""
    if not os.path.isabs(path):
        return path
    if path.startswith(_ROOT + os.sep):
        return os.path.relpath(path, _ROOT)
    head, marker, tail = path.rpartition("site-packages" + os.sep)
    if marker:
        return marker + tail
    return os.path.basename(path)


def _portable(data: dict) -> dict:
    if data.get("traceback"):
        data = dict(data)
        data["traceback"] = _FILE_IN_TRACEBACK.sub(
            lambda m: f'File "{_portable_path(m.group(1))}"', data["traceback"])
    return data


def _sorted(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _sorted(value[key]) for key in sorted(value)}
    if isinstance(value, list):
        return [_sorted(item) for item in value]
    return value


def canonical(ref: dict) -> dict:
    """``ref`` with its keys sorted everywhere except inside what a lane observed: the order
    of a case's observables and of the keys of an observed dict is itself observed (a
    ``state_dict``'s order) and compared, so it is kept as the lane gave it."""
    out = {key: _sorted(value) for key, value in ref.items()
           if key not in ("results", "fuzz")}
    for section in ("results", "fuzz"):
        if section in ref:
            out[section] = {
                work_id: {lane: {key: (entry[key] if key == "observations"
                                       else _sorted(entry[key])) for key in sorted(entry)}
                          for lane, entry in sorted(ref[section][work_id].items())}
                for work_id in sorted(ref[section])}
    return {key: out[key] for key in sorted(out)}


def dumps(ref: dict) -> bytes:
    """The file's bytes for ``ref``: the same document gives the same bytes (keys sorted as
    :func:`canonical` sorts them, fixed separators, gzip without a name or a time)."""
    text = json.dumps(canonical(ref), separators=(",", ":"), allow_nan=False,
                      ensure_ascii=True)
    buffer = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buffer, mtime=0,
                       compresslevel=9) as zipped:
        zipped.write(text.encode("ascii"))
    return buffer.getvalue()


def write(path: str | os.PathLike, ref: dict) -> None:
    """Write ``ref`` to ``path`` atomically (a temporary file beside it, then renamed)."""
    _check_document(ref, str(path))
    data = dumps(ref)
    path = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    temporary = os.path.join(folder, f".{os.path.basename(path)}.{os.getpid()}.tmp")
    try:
        with open(temporary, "wb") as handle:
            handle.write(data)
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)


def merge(parts: list[dict]) -> dict:
    """One reference from the partial references of several workers (one catalogue): the
    results of all; the lanes and environment of the first part whose CUDA lane ran, else
    of the first part."""
    if not parts:
        raise ValueError("no partial references to merge")
    hashes = {part["catalogue"]["hash"] for part in parts}
    if len(hashes) > 1:
        raise ReferenceError(f"partial references of different catalogues: "
                             f"{', '.join(sorted(hashes))}")
    chosen = next((p for p in parts
                   if p["lanes"].get("torch-cuda", {}).get("status") == "run"), parts[0])
    merged = {**chosen, "results": {}}
    fuzz: dict = {}
    for part in parts:
        merged["results"].update(part["results"])
        fuzz.update(part.get("fuzz") or {})
    if fuzz:
        merged["fuzz"] = fuzz
    return merged


# ---------------------------------------------------------------------------------- read

@dataclass
class Reference:
    """A reference as read: what the torch lanes showed, and where it came from."""
    path: str
    data: dict = field(repr=False)

    @property
    def name(self) -> str:
        """The file's name (no folders: records and reports carry it)."""
        return os.path.basename(self.path)

    @property
    def environment(self) -> dict:
        return self.data["environment"]

    @property
    def torch_version(self) -> str:
        return str(self.environment.get("torch"))

    @property
    def catalogue(self) -> dict:
        return self.data["catalogue"]

    @property
    def catalogue_hash(self) -> str:
        return self.data["catalogue"]["hash"]

    @property
    def lanes(self) -> dict[str, dict]:
        return self.data["lanes"]

    @property
    def case_ids(self) -> list[str]:
        return sorted(self.data["results"])

    def source(self) -> dict:
        """Where a replayed lane came from, as records and the report say it."""
        return {"file": self.name, "torch": self.torch_version}

    def lane_result(self, case_id: str, lane: str):
        """The recorded :class:`LaneResult` of ``case_id`` on ``lane``; None when the file
        has none (a case recorded with ``-k`` left out, a lane that did not run)."""
        return self._result(self.data["results"], case_id, lane)

    def program_result(self, program_id: str, lane: str):
        """The same for a fuzz program recorded with the reference."""
        return self._result(self.data.get("fuzz") or {}, program_id, lane)

    def _result(self, results: dict, work_id: str, lane: str) -> LaneResult | None:
        entry = results.get(work_id, {}).get(lane)
        if entry is None:
            return None
        try:
            return LaneResult.from_json(entry)
        except ValueError as exc:
            raise ReferenceError(f"{self.path}: {work_id} on {lane}: {exc}") from None


def read(path: str | os.PathLike) -> Reference:
    """Read and check a reference file; :class:`ReferenceError` names the file and the fault
    (not there, not gzip, cut short, not JSON, another format or version, a wrong shape)."""
    path = os.fspath(path)
    try:
        with gzip.open(path, "rb") as zipped:
            raw = zipped.read()
    except FileNotFoundError:
        raise ReferenceError(f"{path}: no such reference file") from None
    except gzip.BadGzipFile:
        raise ReferenceError(f"{path}: not a reference file (not gzip-compressed; a "
                             f"reference is written by 'conformance record')") from None
    except (EOFError, zlib.error) as exc:
        raise ReferenceError(f"{path}: the file is cut short or damaged ({exc})") from None
    except OSError as exc:
        raise ReferenceError(f"{path}: cannot be read ({exc})") from None
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ReferenceError(f"{path}: not JSON inside the gzip ({exc})") from None
    _check_document(data, path)
    return Reference(path, data)


def _check_document(data: Any, path: str) -> None:
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        found = data.get("format") if isinstance(data, dict) else type(data).__name__
        raise ReferenceError(f"{path}: not a conformance reference (format {found!r}, "
                             f"expected {FORMAT!r})")
    if data.get("format_version") != FORMAT_VERSION:
        raise ReferenceError(f"{path}: reference format version "
                             f"{data.get('format_version')!r}; this harness reads version "
                             f"{FORMAT_VERSION} (record the reference again)")
    lacking = [key for key in TOP_KEYS if key not in data]
    if lacking:
        raise ReferenceError(f"{path}: the reference lacks {', '.join(lacking)}")
    for key in ("environment", "catalogue", "lanes", "results"):
        if not isinstance(data[key], dict):
            raise ReferenceError(f"{path}: {key!r} is {type(data[key]).__name__}, "
                                 f"not an object")
    entry = data["catalogue"]
    if not isinstance(entry.get("hash"), str) or not isinstance(entry.get("package"), str):
        raise ReferenceError(f"{path}: the catalogue needs a package and a hash")
    for lane, info in data["lanes"].items():
        if lane not in TORCH_LANES or not isinstance(info, dict) \
                or info.get("status") not in LANE_STATUSES:
            raise ReferenceError(f"{path}: lane {lane!r} is not a torch lane with a status "
                                 f"({', '.join(LANE_STATUSES)})")
    for section in ("results", "fuzz"):
        for work_id, by_lane in (data.get(section) or {}).items():
            if not isinstance(by_lane, dict) or any(
                    lane not in data["lanes"] or not isinstance(value, dict)
                    for lane, value in by_lane.items()):
                raise ReferenceError(f"{path}: {section} of {work_id!r} are not "
                                     f"{{lane: lane result}} for the file's lanes")


def check_catalogue(reference: Reference, package: str, expected_hash: str) -> None:
    """Refuse a reference recorded for another case catalogue, naming both hashes."""
    if reference.catalogue_hash == expected_hash and reference.catalogue["package"] == package:
        return
    raise ReferenceError(
        f"{reference.path} was recorded for another case catalogue: its hash "
        f"{reference.catalogue_hash[:16]} ({reference.catalogue['package']}, "
        f"{reference.catalogue.get('cases')} cases), this harness's {expected_hash[:16]} "
        f"({package}). The cases changed since it was recorded (another harness version or "
        f"a checkout with other cases); record it again with 'conformance record'")
