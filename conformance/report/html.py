"""The HTML diff report: one self-contained page rendered from the JSON report alone.

The page is a Jinja2 template (autoescaped) with inline CSS and JavaScript and no external
URL, so it works offline and from ``file://``. The header (environment, lanes, the summary
matrix area x lane pair) is rendered here; the records travel as one JSON blob in a
``<script type="application/json">`` element and the page's script builds the results table
and each case's side-by-side view from it with DOM APIs (``textContent``, never
``innerHTML``), which keeps a 5,000-record report fast to open and filter.

Work that is easier in Python than in the browser is done here, into that blob:

- character-level diffs of text that differs (messages, reprs, warnings), via difflib;
- a layered layout of every autograd graph (longest path from the root) and which nodes
  differ from the other lane's graph, matched by their path from the root.

Everything that comes from a case reaches the page either through autoescaped template
variables or inside the JSON blob, where ``<``, ``>`` and ``&`` are written as ``\\u003c``
etc., so no text from a case can close the script element or start markup.
"""
from __future__ import annotations

import base64
import difflib
import functools
import hashlib
import json
import math
import os
from collections import deque
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from conformance.records import Status
from conformance.report import page_parts
from conformance.report.json_report import write_text_atomically
from conformance.report.schema import PAIRS, SCHEMA_VERSION, STATUSES, UNEXPECTED

TEMPLATES = Path(__file__).with_name("templates")

# Statuses in the order a reviewer wants them: the unexpected ones first.
SEVERITY = tuple(status.value for status in (
    Status.CRASH, Status.TIMEOUT, Status.DIVERGE, Status.MISSING, Status.KNOWN, Status.FIXED,
    Status.MATCH, Status.NOT_RUN))     # not_run last: a lane that did not run
# Records whose status counts as conforming when computing an area's percentage; not_run
# records are left out of the denominator (the lane never ran), everything else counts
# against it (a known divergence is documented, but it is still a divergence).
CONFORMING = (Status.MATCH.value, Status.FIXED.value)

# Records whose table line names the worst observable rather than only the reason.
_EXPLAINED = frozenset({Status.DIVERGE, Status.KNOWN, Status.FIXED})

# Text diffs: character-level below this many characters in total; above it the texts are
# compared line by line first and only small changed blocks get a character-level pass.
CHAR_DIFF_LIMIT = 4000
# Equal runs this short between two changes are folded into the change: a diff of
# "float" against "double" reads better as one replaced word than as scattered letters.
SHORT_EQUAL = 2
# Below this similarity (difflib's ratio, 0 to 1) two texts are shown as wholly different.
UNRELATED_RATIO = 0.3

# Graph layout, in SVG user units.
NODE_HEIGHT = 26
LAYER_GAP = 34
NODE_GAP = 14
CHAR_WIDTH = 7.0
NODE_PADDING = 16
MIN_NODE_WIDTH = 60


# --------------------------------------------------------------------------------------------
# Public API


def render_html(report: dict) -> str:
    """The report page for ``report`` (a dict in the format of :mod:`schema`), as a string."""
    _check_report(report)
    view = _page_view(report)
    template = _environment().get_template("report.html.j2")
    return template.render(**view)


def write_html(report: dict, path: str | os.PathLike) -> None:
    """Render ``report`` and write it to ``path`` atomically (a temp file, then os.replace)."""
    write_text_atomically(path, render_html(report))


# --------------------------------------------------------------------------------------------
# Input checks


def _check_report(report: Any) -> None:
    if not isinstance(report, dict):
        raise TypeError(f"render_html() expects the JSON report as a dict, got "
                        f"{type(report).__name__}")
    version = report.get("schema_version")
    if version != SCHEMA_VERSION:
        raise ValueError(f"unsupported report schema_version {version!r}; this renderer reads "
                         f"version {SCHEMA_VERSION}")
    records = report.get("records")
    if not isinstance(records, list):
        raise ValueError("the report has no 'records' list")
    for index, record in enumerate(records):
        if not isinstance(record, dict):
            raise ValueError(f"record {index} is a {type(record).__name__}, not an object")
        for key in ("id", "status", "pair"):
            if key not in record:
                raise ValueError(f"record {index} ({record.get('id', '?')}) has no {key!r}")
        if record["status"] not in STATUSES:
            raise ValueError(f"record {record['id']!r} has unknown status "
                             f"{record['status']!r}; expected one of {', '.join(STATUSES)}")


# --------------------------------------------------------------------------------------------
# The page's view model


@functools.lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["percent"] = _percent
    return env


def _percent(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{math.floor(value * 1000) / 10:.1f}%"  # floor: 99.96% must not read 100.0%


def _page_view(report: dict) -> dict:
    records = report["records"]
    environment = report.get("environment") or {}
    lanes = report.get("lanes") or {}
    pairs = list(report.get("pairs") or _unique(r["pair"] for r in records) or PAIRS)
    statuses = list((report.get("summary") or {}).get("statuses") or STATUSES)
    summary = _summary(report, records, pairs, statuses)

    script = _read_template_file("report.js")
    if "</script" in script.lower():
        raise RuntimeError("report.js must not contain '</script': it is inlined in the page")
    script_hash = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()

    data = {
        "statuses": statuses,
        "severity": [s for s in SEVERITY if s in statuses] + [
            s for s in statuses if s not in SEVERITY],
        "failures": [s for s in page_parts.FAILURES if s in statuses],
        "hidden": [s for s in page_parts.HIDDEN_BY_DEFAULT if s in statuses],
        "pairs": pairs,
        "areas": summary["areas"],
        "lanes": {name: _lane_label(name, lane) for name, lane in lanes.items()},
    }
    index, details = [], []
    for record in records:
        row, detail = _record_view(record)
        index.append(row)
        details.append(detail)
    data["records"] = index
    found = report.get("drift")
    title = (f"Torch drift: {found['a']['label']} against {found['b']['label']}" if found
             else f"Conformance: {environment.get('target', '?')} against PyTorch")
    return {
        "title": title,
        "torch_note": environment.get("torch_note") or "",
        "drift": page_parts.drift_view(found) if found else None,
        "environment": _environment_rows(report, environment),
        "complete": bool(report.get("complete", True)),
        "reference_warning": environment.get("reference_warning"),
        "lanes": _lane_rows(lanes),
        "summary": summary,
        "statuses": statuses,
        "pairs": pairs,
        "known_unmatched": list(report.get("known_unmatched") or []),
        "lacks": page_parts.lacks(records),
        "not_run": page_parts.not_run_note(records, lanes),
        "record_count": len(records),
        "data_json": _script_json(data),
        "details_json": _script_json({"records": details, "sources": _sources(records)}),
        "script": Markup(script),
        "style": Markup(_read_template_file("report.css")),
        "script_hash": script_hash,
    }


def _read_template_file(name: str) -> str:
    return (TEMPLATES / name).read_text(encoding="utf-8")


def _unique(items) -> list:
    return list(dict.fromkeys(items))


def _script_json(data: Any) -> Markup:
    """JSON that is safe inside <script type="application/json">, and that JSON.parse reads."""
    try:
        text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    except ValueError:  # a NaN or infinity as a float: JSON.parse would reject the bare word
        text = json.dumps(_finite(data), ensure_ascii=False, separators=(",", ":"),
                          allow_nan=False)
    text = text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")
    return Markup(text)


def _finite(value: Any) -> Any:
    """``value`` with non-finite floats written as the schema writes them: "nan", "inf"."""
    if isinstance(value, float) and not math.isfinite(value):
        return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(v) for v in value]
    return value


def _environment_rows(report: dict, env: dict) -> list[tuple[str, str]]:
    target = env.get("target", "?")
    if env.get("target_version"):
        target = f"{target} {env['target_version']}"
    if env.get("target_follows_torch"):
        target = f"{target} (follows torch {env['target_follows_torch']})"
    cuda = "yes" if env.get("cuda_available") else "no"
    if env.get("cuda_device"):
        cuda = f"{cuda} ({env['cuda_device']})"
    rows = [
        ("Target", target),
        ("torch", env.get("torch") or "—"),
        ("CUDA", cuda),
        ("Python", env.get("python") or "—"),
        ("NumPy", env.get("numpy") or "—"),
        ("Platform", env.get("platform") or "—"),
        ("Commit", env.get("commit") or "—"),
        ("Date", report.get("created") or "—"),
        ("Command", env.get("command") or "—"),
    ]
    fuzz = env.get("fuzz")
    if fuzz:
        rows.append(("Fuzz", ", ".join(f"{k}={v}" for k, v in fuzz.items())))
    reference = env.get("reference")
    if reference:       # run --reference: torch's lanes came from files, not a live torch
        rows.append(("Reference", "; ".join(f"{lane}: {_reference_text(source)}"
                                            for lane, source in reference.items())))
        rows.append(("torch installed", env.get("torch_installed") or "none"))
    if env.get("reference_warning"):
        rows.append(("Reference warning", env["reference_warning"]))
    known = {"target", "target_version", "cuda_available", "cuda_device", "torch", "python",
             "numpy", "platform", "commit", "command", "fuzz", "reference", "torch_installed",
             "reference_warning", "torch_note", "target_follows_torch"}
    rows.extend((key, _plain(value)) for key, value in env.items() if key not in known)
    return rows


def _plain(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, default=str)


def _lane_label(name: str, lane: dict) -> str:
    """How a lane is named in column headings: ``target (refgrad, cpu)``."""
    bits = [b for b in (lane.get("module"), lane.get("device")) if b]
    return f"{name} ({', '.join(bits)})" if bits else name


def _lane_rows(lanes: dict) -> list[dict]:
    rows = []
    for name, lane in lanes.items():
        extra = {k: v for k, v in lane.items() if k not in ("status", "module", "device",
                                                            "reason", "reference")}
        notes = [f"{k}: {_plain(v)}" for k, v in extra.items()]
        if lane.get("reference"):
            notes.insert(0, f"replayed from {_reference_text(lane['reference'])}")
        rows.append({
            "name": name,
            "status": lane.get("status", "?"),
            "module": lane.get("module") or "—",
            "device": lane.get("device") or "—",
            "reason": lane.get("reason") or "",
            "extra": ", ".join(notes),
        })
    return rows


# --------------------------------------------------------------------------------------------
# Summary matrix


def _zero_counts(statuses) -> dict:
    return {status: 0 for status in statuses}


def _conformance(counts: dict) -> float | None:
    ran = sum(n for status, n in counts.items() if status != Status.NOT_RUN)
    if ran == 0:
        return None
    return sum(counts.get(status, 0) for status in CONFORMING) / ran


def _summary(report: dict, records: list, pairs: list, statuses: list) -> dict:
    """Counts per area x pair (from the report's summary, or from the records if absent)."""
    given = report.get("summary") or {}
    by_area = given.get("by_area")
    if not by_area:
        by_area = {}
        for record in records:
            area = record.get("area") or record["id"].split("::", 1)[0]
            cell = by_area.setdefault(area, {}).setdefault(record["pair"],
                                                           _zero_counts(statuses))
            cell[record["status"]] = cell.get(record["status"], 0) + 1
    by_pair = given.get("by_pair") or {}
    total = given.get("total") or {}
    if not by_pair or not total:
        by_pair = {pair: _zero_counts(statuses) for pair in pairs}
        total = _zero_counts(statuses)
        for area_cells in by_area.values():
            for pair, counts in area_cells.items():
                for status, n in counts.items():
                    by_pair.setdefault(pair, _zero_counts(statuses))[status] = (
                        by_pair[pair].get(status, 0) + n)
                    total[status] = total.get(status, 0) + n

    rows = []
    for area in sorted(by_area):
        cells = by_area[area]
        area_counts = _zero_counts(statuses)
        row_cells = []
        for pair in pairs:
            counts = cells.get(pair) or {}
            for status, n in counts.items():
                area_counts[status] = area_counts.get(status, 0) + n
            row_cells.append({"pair": pair, "counts": _ordered_counts(counts, statuses),
                              "conformance": _conformance(counts),
                              "total": sum(counts.values())})
        rows.append({"area": area, "cells": row_cells, "conformance": _conformance(area_counts),
                     "unexpected": sum(area_counts.get(s, 0) for s in UNEXPECTED)})
    totals = [{"pair": pair, "counts": _ordered_counts(by_pair.get(pair) or {}, statuses),
               "conformance": _conformance(by_pair.get(pair) or {}),
               "total": sum((by_pair.get(pair) or {}).values())} for pair in pairs]
    unexpected = given.get("unexpected")
    if unexpected is None:
        unexpected = sum(total.get(s, 0) for s in UNEXPECTED)
    return {
        "areas": [row["area"] for row in rows],
        "rows": rows,
        "totals": totals,
        "total": _ordered_counts(total, statuses),
        "conformance": _conformance(total),
        "unexpected": unexpected,
    }


def _ordered_counts(counts: dict, statuses: list) -> list[tuple[str, int]]:
    """Non-zero counts, most severe status first."""
    order = [s for s in SEVERITY if s in statuses] + [s for s in statuses if s not in SEVERITY]
    order += [s for s in counts if s not in order]
    return [(status, counts[status]) for status in order if counts.get(status)]


# --------------------------------------------------------------------------------------------
# Records


def _sources(records: list) -> dict:
    """Each case's source once (a case appears on up to three pairs)."""
    sources = {}
    for record in records:
        source = record.get("source")
        if source:
            sources.setdefault(record.get("case") or record["id"], source)
    return sources


_OBS_ORDER = {"diverge": 0, "close": 1, "exact": 2}


def _record_view(record: dict) -> tuple[dict, dict]:
    """A record as the page's script reads it: the schema's fields, plus diffs and layouts.

    Two parts: what the results table needs (parsed when the page opens), and the details
    of the expanded view (parsed the first time a case is expanded), so that opening a big
    report does not wait for every tensor's values.
    """
    left_lane, right_lane = record.get("left", "left"), record.get("right", "right")
    observables = record.get("observables") or []
    graph_values = _graph_values(record, observables, left_lane, right_lane)
    layouts = {key: _layout_pair(left, right) for key, (left, right) in graph_values.items()}

    obs_views = []
    for index, obs in enumerate(observables):
        view = {k: v for k, v in obs.items() if k not in ("left", "right")}
        view["index"] = index
        if _is_graph(obs.get("left")) or _is_graph(obs.get("right")):
            # The drawing comes from the record's layouts; the blob keeps a stub per side.
            view["kind"] = "graph"
            view["graph"] = obs.get("name", "")
            for side in ("left", "right"):
                value = obs.get(side)
                view[side] = {"type": "graph"} if _is_graph(value) else value
        else:
            view["left"] = obs.get("left")
            view["right"] = obs.get("right")
            diff = _observable_diff(obs)
            if diff is not None:
                view["diff"] = diff
        obs_views.append(view)
    obs_views.sort(key=lambda v: (_OBS_ORDER.get(v.get("status"), 0), v["index"]))

    shown = {v["graph"] for v in obs_views if v.get("graph") is not None}
    worst = next((v for v in obs_views if v.get("status") != "exact"), None)
    row = {
        "id": record["id"],
        "case": record.get("case") or record["id"].split("[", 1)[0],
        "area": record.get("area") or record["id"].split("::", 1)[0],
        "name": record.get("name", ""),
        "param_id": record.get("param_id", ""),
        "pair": record["pair"],
        "left": left_lane,
        "right": right_lane,
        "status": record["status"],
        "reason": record.get("reason") or "",
        "sanitised": bool(record.get("sanitised")),
        "duration_s": record.get("duration_s"),
        "summary": _record_summary(record, worst),
        "max_abs": _max_abs(observables),
        # What the search box looks through besides the row's own fields.
        "text": "\n".join(f"{o.get('name', '')}\n{o.get('detail', '')}" for o in observables),
    }
    detail = {
        "observables": obs_views,
        "graphs": layouts,
        "extra_graphs": [name for name in layouts if name not in shown],
        "reproducer": record.get("reproducer"),
    }
    if record.get("reference"):
        detail["reference"] = "Replayed from " + "; ".join(
            f"{lane}: {_reference_text(source)}"
            for lane, source in record["reference"].items())
    return row, detail


def _reference_text(source: Any) -> str:
    """``a.ref.json.gz (torch 2.13.0+cpu)``: a replayed lane's reference file."""
    if not isinstance(source, dict):
        return str(source)
    return f"{source.get('file', '?')} (torch {source.get('torch', '?')})"


def _record_summary(record: dict, worst: dict | None) -> str:
    """One line for the results table: what differs, or why the record has its status."""
    if worst is not None and record["status"] in _EXPLAINED:
        detail = worst.get("detail") or f"{worst.get('status')}"
        return f"{worst.get('name', '?')}: {detail}"
    if record.get("reason"):
        return record["reason"]
    if worst is not None:
        return f"{worst.get('name', '?')}: {worst.get('detail') or worst.get('status')}"
    return ""


def _max_abs(observables: list) -> float | None:
    values = [o.get("max_abs") for o in observables
              if isinstance(o.get("max_abs"), (int, float)) and o.get("status") != "exact"]
    values = [v for v in values if math.isfinite(v)] or values
    return max(values) if values else None


def _is_graph(value: Any) -> bool:
    return isinstance(value, dict) and value.get("type") == "graph"


def _graph_values(record, observables, left_lane, right_lane) -> dict:
    """Every graph of the record as {observable name: (left GRAPH, right GRAPH)}."""
    pairs: dict[str, list] = {}
    graphs = record.get("graphs") or {}
    for side, lane in ((0, left_lane), (1, right_lane)):
        for name, graph in (graphs.get(lane) or {}).items():
            if _is_graph(graph):
                pairs.setdefault(name, [None, None])[side] = graph
    for obs in observables:
        for side, key in ((0, "left"), (1, "right")):
            if _is_graph(obs.get(key)):
                slot = pairs.setdefault(obs.get("name", ""), [None, None])
                if slot[side] is None:
                    slot[side] = obs[key]
    return {name: tuple(slot) for name, slot in pairs.items()}


# --------------------------------------------------------------------------------------------
# Text diffs


def text_of(value: Any) -> str | None:
    """The text a value is compared by in a text diff, or None (tensors, graphs)."""
    if not isinstance(value, dict):
        return None if value is None else json.dumps(value)
    kind = value.get("type")
    if kind == "value":
        return str(value.get("repr", ""))
    if kind == "error":
        return f"{value.get('class', '?')}: {value.get('message', '')}"
    if kind == "warnings":
        lines = [f"{w.get('category', '?')}: {w.get('message', '')}"
                 for w in value.get("warnings") or []]
        return "\n".join(lines) if lines else "(no warnings)"
    if kind == "missing":
        return f"missing: {value.get('name', '?')}"
    return None


def _observable_diff(obs: dict) -> dict | None:
    if obs.get("status") == "exact":
        return None
    left, right = text_of(obs.get("left")), text_of(obs.get("right"))
    if left is None or right is None or left == right:
        return None
    return char_diff(left, right)


@functools.lru_cache(maxsize=4096)  # a message often recurs on every lane pair of a case
def char_diff(left: str, right: str) -> dict:
    """A character-level diff: {"left": [[changed, text], ...], "right": [...]}.

    ``changed`` is 1 for text only on that side (deleted from left / inserted on right) and 0
    for text both sides share. Joining a side's texts gives that side back unchanged.
    """
    if len(left) + len(right) <= CHAR_DIFF_LIMIT:
        opcodes = _char_opcodes(left, right)
        return _segments(left, right, opcodes)
    # Long texts: line by line, then characters inside small replaced blocks.
    left_lines = left.splitlines(keepends=True)
    right_lines = right.splitlines(keepends=True)
    matcher = difflib.SequenceMatcher(None, left_lines, right_lines, autojunk=False)
    out_left: list = []
    out_right: list = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        a, b = "".join(left_lines[i1:i2]), "".join(right_lines[j1:j2])
        if tag == "equal":
            _push(out_left, 0, a)
            _push(out_right, 0, b)
        elif tag == "replace" and len(a) + len(b) <= CHAR_DIFF_LIMIT:
            inner = _segments(a, b, _char_opcodes(a, b))
            for changed, text in inner["left"]:
                _push(out_left, changed, text)
            for changed, text in inner["right"]:
                _push(out_right, changed, text)
        else:
            _push(out_left, 1, a)
            _push(out_right, 1, b)
    return {"left": out_left, "right": out_right}


def _char_opcodes(left: str, right: str) -> list:
    matcher = difflib.SequenceMatcher(None, left, right, autojunk=False)
    opcodes = matcher.get_opcodes()
    if matcher.ratio() < UNRELATED_RATIO:
        # Two unrelated texts share only scattered letters; marking those as common reads
        # as noise, so the whole of each side is marked instead.
        return [["replace", 0, len(left), 0, len(right)]]
    # Fold short equal runs between changes into the change around them.
    merged: list[list] = []
    for index, (tag, i1, i2, j1, j2) in enumerate(opcodes):
        short_island = (tag == "equal" and 0 < index < len(opcodes) - 1
                        and i2 - i1 <= SHORT_EQUAL)
        if short_island:
            tag = "replace"
        if merged and tag != "equal" and merged[-1][0] != "equal":
            merged[-1][2], merged[-1][4] = i2, j2
            merged[-1][0] = "replace"
        else:
            merged.append([tag, i1, i2, j1, j2])
    return merged


def _segments(left: str, right: str, opcodes) -> dict:
    out_left: list = []
    out_right: list = []
    for tag, i1, i2, j1, j2 in opcodes:
        changed = 0 if tag == "equal" else 1
        _push(out_left, changed, left[i1:i2])
        _push(out_right, changed, right[j1:j2])
    return {"left": out_left, "right": out_right}


def _push(segments: list, changed: int, text: str) -> None:
    if not text:
        return
    if segments and segments[-1][0] == changed:
        segments[-1][1] += text
    else:
        segments.append([changed, text])


# --------------------------------------------------------------------------------------------
# Autograd graph layout


def layout_graph(graph: dict) -> dict:
    """Place a GRAPH's nodes in layers (longest path from the root, node 0) for drawing.

    Returns {"width", "height", "nodes": [{"id", "name", "variable", "x", "y", "w",
    "layer", "key"}], "edges": [{"src", "dst", "input_nr"}]} where x, y is a node's top-left
    corner and "key" names the node by its first path from the root (the positions in
    next_functions order), which is how two lanes' graphs are matched.
    """
    nodes = graph.get("nodes") or []
    edges = graph.get("edges") or []
    index_of = {node["id"]: i for i, node in enumerate(nodes)}
    children: list[list[int]] = [[] for _ in nodes]
    indegree = [0] * len(nodes)
    kept_edges = []
    for edge in edges:
        src, dst = index_of.get(edge.get("src")), index_of.get(edge.get("dst"))
        if src is None or dst is None:
            continue
        children[src].append(dst)
        indegree[dst] += 1
        kept_edges.append((src, dst, edge.get("input_nr", 0)))

    # Key: the first path (breadth first, next_functions order) from the root to the node.
    keys: list[str | None] = [None] * len(nodes)
    order: list[int] = []
    if nodes:
        keys[0] = ""
        queue = deque([0])
        while queue:
            current = queue.popleft()
            order.append(current)
            for position, child in enumerate(children[current]):
                if keys[child] is None:
                    keys[child] = f"{keys[current]}/{position}"
                    queue.append(child)
    for i in range(len(nodes)):  # nodes the root does not reach: keep them, keyed apart
        if keys[i] is None:
            keys[i] = f"!{nodes[i]['id']}"
            order.append(i)

    # Longest-path layering (Kahn's topological order); a cycle, which a real graph never
    # has, leaves nodes unplaced: they go one layer below the rest rather than failing.
    layer = [0] * len(nodes)
    remaining = list(indegree)
    ready = deque(i for i in range(len(nodes)) if remaining[i] == 0)
    placed = 0
    while ready:
        current = ready.popleft()
        placed += 1
        for child in children[current]:
            layer[child] = max(layer[child], layer[current] + 1)
            remaining[child] -= 1
            if remaining[child] == 0:
                ready.append(child)
    if placed < len(nodes):
        bottom = max(layer, default=0) + 1
        for i in range(len(nodes)):
            if remaining[i] > 0:
                layer[i] = bottom

    # Order inside a layer: discovery order, then by the mean position of each node's parents
    # (one barycentre sweep from the root down keeps most edges from crossing).
    rank = {node: r for r, node in enumerate(order)}
    layers: dict[int, list[int]] = {}
    for node in order:
        layers.setdefault(layer[node], []).append(node)
    parents: list[list[int]] = [[] for _ in nodes]
    for src, dst, _ in kept_edges:
        parents[dst].append(src)
    position = {}
    for depth in sorted(layers):
        members = layers[depth]
        if depth > 0:
            def barycentre(node, members=members):
                above = [position[p] for p in parents[node] if p in position]
                return (sum(above) / len(above) if above else len(members), rank[node])
            members.sort(key=barycentre)
        for slot, node in enumerate(members):
            position[node] = slot

    widths = [max(MIN_NODE_WIDTH, int(CHAR_WIDTH * len(_node_label(n)) + NODE_PADDING))
              for n in nodes]
    layer_widths = {d: sum(widths[n] for n in m) + NODE_GAP * (len(m) - 1)
                    for d, m in layers.items()}
    width = max(layer_widths.values(), default=0) + 2 * NODE_GAP
    placed_nodes = []
    coords = {}
    for depth in sorted(layers):
        x = NODE_GAP + (width - 2 * NODE_GAP - layer_widths[depth]) / 2
        for node in layers[depth]:
            coords[node] = (x, NODE_GAP + depth * (NODE_HEIGHT + LAYER_GAP))
            x += widths[node] + NODE_GAP
    for i, node in enumerate(nodes):
        x, y = coords[i]
        placed_nodes.append({
            "id": node["id"], "name": str(node.get("name", "?")),
            "variable": node.get("variable"), "x": round(x, 1), "y": y, "w": widths[i],
            "layer": layer[i], "key": keys[i],
            "children": [keys[c] for c in children[i]],
        })
    depth_count = max(layers, default=-1) + 1
    return {
        "width": round(width, 1),
        "height": NODE_GAP * 2 + depth_count * NODE_HEIGHT + max(depth_count - 1, 0) * LAYER_GAP,
        "node_height": NODE_HEIGHT,
        "nodes": placed_nodes,
        "edges": [{"src": s, "dst": d, "input_nr": nr} for s, d, nr in kept_edges],
    }


def _node_label(node: dict) -> str:
    name = str(node.get("name", "?"))
    variable = node.get("variable")
    return f"{name}({variable})" if variable else name


def _layout_pair(left: dict | None, right: dict | None) -> dict:
    """Both lanes' layouts, each node flagged "differs" when the other lane's graph has no
    node at the same path from the root, or one with another name, leaf or children."""
    out = {"left": layout_graph(left) if left else None,
           "right": layout_graph(right) if right else None}
    sides = [out["left"], out["right"]]
    by_key = [{n["key"]: n for n in s["nodes"]} if s else {} for s in sides]
    for this, other in ((0, 1), (1, 0)):
        if sides[this] is None:
            continue
        differing = 0
        for node in sides[this]["nodes"]:
            twin = by_key[other].get(node["key"])
            node["differs"] = (twin is None or twin["name"] != node["name"]
                               or twin["variable"] != node["variable"]
                               or twin["children"] != node["children"])
            differing += node["differs"]
        sides[this]["differing"] = differing
    for side in sides:
        if side is not None:
            for node in side["nodes"]:
                del node["children"]
    return out
