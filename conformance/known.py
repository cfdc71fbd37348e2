"""The checked-in list of expected divergences (``known_divergences.toml``): loading it,
matching records against it, and reporting what became fixed or matches nothing.

The file's format is described at its top. Case patterns are ``fnmatch`` globs in which ``[``
and ``]`` stand for themselves (case ids use brackets for parameters), so ``ops::add[*]``
matches every parametrisation of ``ops::add`` and an id without ``*`` or ``?`` matches exactly.

An entry may name the torch versions it holds for (``torch = ">=2.14"``, ``"<2.14"``,
``">=2.11,<2.14"``, ``"==2.13.*"``: PEP 440 specifiers, compared with the reference torch's
version, a local suffix such as ``+cpu`` ignored): outside that range it does not apply, and
a run whose torch version is unknown applies no ranged entry. A range that is not a valid
specifier is an error naming the entry when the file is read.
"""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion, Version

from conformance.records import Record, Status

DEFAULT_PATH = Path(__file__).with_name("known_divergences.toml")
_KEYS = {"target", "pair", "case", "reason"}
_OPTIONAL = {"torch"}
# Statuses a known entry turns into known.
COVERED = frozenset({Status.DIVERGE, Status.TIMEOUT, Status.CRASH})


@dataclass(frozen=True)
class KnownDivergence:
    target: str
    pair: str
    case: str
    reason: str
    torch: str | None = None       # the torch versions the entry holds for, e.g. ">=2.14"

    @property
    def id(self) -> str:
        scope = f" (torch {self.torch})" if self.torch else ""
        return f"{self.target} {self.pair} {self.case}{scope}"

    @cached_property
    def _patterns(self) -> tuple[re.Pattern, re.Pattern, re.Pattern]:
        return _glob(self.target), _glob(self.pair), _glob(self.case)

    def applies_to(self, target: str, torch_version: str | None = None) -> bool:
        """Whether the entry is about ``target`` with the reference torch ``torch_version``
        (an entry without a range holds for every version, even an unknown one)."""
        return bool(self._patterns[0].fullmatch(target)) and self.holds_for(torch_version)

    def holds_for(self, torch_version: str | None) -> bool:
        if self.torch is None:
            return True
        if torch_version is None:
            return False
        try:
            version = Version(torch_version)
        except InvalidVersion:
            return False
        return version_range(self.torch).contains(version, prereleases=True)

    def matches(self, target: str, pair: str, case_id: str) -> bool:
        t, p, c = self._patterns
        return bool(t.fullmatch(target) and p.fullmatch(pair) and c.fullmatch(case_id))


def version_range(text: str) -> SpecifierSet:
    """A torch version range (``">=2.14"``); ValueError saying what a range looks like."""
    try:
        if not text.strip():
            raise InvalidSpecifier(text)
        return SpecifierSet(text)
    except InvalidSpecifier:
        raise ValueError(f"torch = {text!r} is not a version range; write one like "
                         f"\">=2.14\", \"<2.14\", \">=2.11,<2.14\" or \"==2.13.*\"") from None


def _glob(pattern: str) -> re.Pattern:
    """``*`` and ``?`` are wildcards; every other character, brackets included, is literal."""
    return re.compile("".join(".*" if ch == "*" else "." if ch == "?" else re.escape(ch)
                              for ch in pattern))


def load(path: str | Path | None = None) -> list[KnownDivergence]:
    """The entries of ``path`` (default: the checked-in file), validated with clear errors."""
    path = DEFAULT_PATH if path is None else Path(path)
    try:
        with open(path, "rb") as handle:
            document = tomllib.load(handle)
    except FileNotFoundError:
        raise FileNotFoundError(f"known-divergences file {path} does not exist") from None
    except OSError as exc:      # a folder, no permission
        raise ValueError(f"known-divergences file {path} cannot be read "
                         f"({exc.strerror or exc})") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ValueError(f"{path}: not valid TOML: {exc}") from None
    extra = set(document) - {"divergence"}
    if not isinstance(document.get("divergence", []), list):
        raise ValueError(f"{path}: divergence must be an array of [[divergence]] tables")
    if extra:
        raise ValueError(f"{path}: unknown top-level key(s) {sorted(extra)}; "
                         f"entries are [[divergence]] tables")
    entries = []
    for number, table in enumerate(document.get("divergence", []), start=1):
        where = f"{path}: [[divergence]] #{number}"
        if not isinstance(table, dict):
            raise ValueError(f"{where} is not a table")
        missing = _KEYS - set(table)
        unknown = set(table) - _KEYS - _OPTIONAL
        if missing:
            raise ValueError(f"{where} lacks {sorted(missing)}")
        if unknown:
            raise ValueError(f"{where} has unknown key(s) {sorted(unknown)}")
        for key in _KEYS:
            if not isinstance(table[key], str) or not table[key].strip():
                raise ValueError(f"{where}: {key} must be a non-empty string")
        torch = table.get("torch")
        if torch is not None:
            if not isinstance(torch, str):
                raise ValueError(f"{where}: torch must be a string such as \">=2.14\"")
            try:
                version_range(torch)
            except ValueError as exc:
                raise ValueError(f"{where}: {exc}") from None
        entries.append(KnownDivergence(table["target"], table["pair"], table["case"],
                                       table["reason"].strip(), torch))
    return entries


def resolve(known) -> list[KnownDivergence]:
    """``known`` as the runner accepts it: a path, None (the default file), or entries."""
    if known is None or isinstance(known, (str, Path)):
        return load(known)
    return list(known)


def for_run(path: str | Path | None = None, only: bool = False) -> list[KnownDivergence]:
    """The entries a run uses: the checked-in file's plus those of ``path`` (a user's own
    file adds to the checked-in one), or ``path``'s alone when ``only``. An entry listed in
    both counts once."""
    if only and path is None:
        raise ValueError("known entries only, but no known-divergences file was given")
    entries = [] if only else load(None)
    if path is not None:
        entries += load(path)
    return list({entry.id: entry for entry in entries}.values())


def apply(records: list[Record | dict], entries: list[KnownDivergence], target: str,
          strict: bool = False, torch_version: str | None = None) -> list[str]:
    """Mark matching records known (or fixed when they now match), in place.

    ``records`` are Records; JSON records (dicts) get the same status and reason written back.
    ``torch_version`` is the reference torch's: entries scoped to other versions are left out.
    Returns the ids of entries for this target that matched no record at all.
    """
    relevant = [e for e in entries if e.applies_to(target, torch_version)]
    used: set[str] = set()
    for record in records:
        typed = record if isinstance(record, Record) else Record.from_json(record)
        entry = next((e for e in relevant if e.matches(target, typed.pair, typed.case)), None)
        if entry is None:
            continue
        used.add(entry.id)
        _mark(typed, entry, strict)
        if typed is not record:
            record.update(status=typed.status.value, reason=typed.reason)
    return [e.id for e in relevant if e.id not in used]


def _mark(record: Record, entry: KnownDivergence, strict: bool) -> None:
    if record.status in COVERED:
        was = "" if record.status is Status.DIVERGE else f" (was {record.status})"
        record.status = Status.KNOWN
        record.reason = entry.reason + was
    elif record.status is Status.MATCH:
        record.status = Status.FIXED
        record.reason = (f"listed as a known divergence ({entry.reason}) but now matches: "
                         f"remove the entry" + (" (a failure under --strict)" if strict else ""))


def unmatched(entries: list[KnownDivergence], target: str, case_ids, pairs,
              torch_version: str | None = None) -> list[str]:
    """Ids of this target's entries (for ``torch_version``) that match none of ``case_ids``
    on any of ``pairs``."""
    case_ids, pairs = list(case_ids), list(pairs)
    return [e.id for e in entries if e.applies_to(target, torch_version)
            and not any(e.matches(target, p, c) for c in case_ids for p in pairs)]
