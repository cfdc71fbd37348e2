"""Text a target produced, made safe to write: to a JSON (UTF-8) report, and to a terminal.

A target's messages, reprs and tracebacks are arbitrary Python strings. Two kinds of
character break the harness's outputs:

- lone surrogates (``'\\ud800'``): a Python ``str`` may hold them, UTF-8 cannot encode them,
  so one of them in any message used to stop the whole report from being written.
  :func:`json_safe` writes each as the visible escape ``\\ud800`` (six characters);
- control characters, ANSI (``ESC [ ... m``) and OSC (``ESC ] ... BEL``) escape sequences:
  printed raw, they recolour, clear or retitle the user's terminal. :func:`terminal_safe`
  shows each as a visible escape (``\\x1b``, ``\\x07``), keeping newlines and tabs.

:func:`json_safe_data` applies :func:`json_safe` to every string (keys too) of plain JSON
data and says whether anything changed; records whose text was changed are marked
``"sanitised": true`` (:meth:`conformance.records.Record.to_json`).
"""
from __future__ import annotations

import json
import re
from typing import Any

_SURROGATE = re.compile("[\ud800-\udfff]")
# C0 controls but tab and newline, DEL, C1 controls (0x9b is a one-byte CSI), and the
# bidirectional overrides that reorder what a terminal shows.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _escape(match: re.Match) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def json_safe(text: str) -> str:
    """``text`` with each lone surrogate written as its escape (``\\ud800``): encodable."""
    return _SURROGATE.sub(_escape, text)


def terminal_safe(text: str) -> str:
    """``text`` with control characters and escape sequences shown, not obeyed: each
    becomes its visible escape (ESC is ``\\x1b``); newlines and tabs stay. Lone surrogates
    are escaped too, so the result can be printed to any UTF-8 stream."""
    return json_safe(_CONTROL.sub(_escape, text))


def json_safe_data(data: Any) -> tuple[Any, bool]:
    """(``data`` with :func:`json_safe` applied to every string and key, changed?).

    ``data`` itself is returned, untouched, when nothing needed a change (the common case
    costs one ``json.dumps``, not a walk in Python)."""
    try:
        text = json.dumps(data, ensure_ascii=False)
    except (TypeError, ValueError):
        text = None         # not plain JSON: walk it, so that the strings are still safe
    if text is not None and not _SURROGATE.search(text):
        return data, False
    changed = [False]

    def walk(value: Any) -> Any:
        if isinstance(value, str):
            safe = json_safe(value)
            if safe != value:
                changed[0] = True
            return safe
        if isinstance(value, dict):
            return {walk(key): walk(item) for key, item in value.items()}
        if isinstance(value, (list, tuple)):
            return [walk(item) for item in value]
        return value

    safe = walk(data)
    return (safe, True) if changed[0] else (data, False)
