"""The one comparison helper: two lanes' plain observations (see :func:`observe.to_plain`) in,
one OBSERVABLE per name out (the report's format, :mod:`conformance.report.schema`).

Tolerance policy, stated once (:data:`TOLERANCES`): the defaults of
``torch.testing.assert_close`` for the dtype the two sides share. An element is within
tolerance when ``|left - right| <= atol + rtol * |right|`` (the right side is the reference);
NaN equals NaN in the same position; an infinity equals only the same infinity. Integer and
bool tensors are exact. Python floats compare like float64 (they are doubles; assert_close
does the same), Python ints and bools exactly, and a Python int never equals a Python float.

Labels: "exact" (every element equal), "close" (not equal, all within tolerance), "diverge".
A dtype or shape difference diverges whatever the values; so do differing ``requires_grad``,
``is_leaf`` or ``grad_fn`` names. The device is shown, not compared (the target runs on the CPU
while torch-cuda runs on CUDA). Errors compare class name and message (addresses normalised),
warnings their category, message and order, graphs their nodes and edges, text exactly.
"""
from __future__ import annotations

from typing import Any

import numpy as np

# dtype name -> (rtol, atol): torch.testing.assert_close's defaults.
TOLERANCES: dict[str, tuple[float, float]] = {
    "float16": (1e-3, 1e-5),
    "bfloat16": (1.6e-2, 1e-5),
    "float32": (1.3e-6, 1e-5),
    "float64": (1e-7, 1e-7),
    "complex32": (1e-3, 1e-5),
    "complex64": (1.3e-6, 1e-5),
    "complex128": (1e-7, 1e-7),
}
EXACT = (0.0, 0.0)
PYTHON_FLOAT = "float64"      # Python floats are doubles
MISMATCH_LIMIT = 200           # out-of-tolerance indices kept per observable

_NUMPY_DTYPES = {"bfloat16": np.float32, "complex32": np.complex64}


def tolerance(dtype: str) -> tuple[float, float]:
    """(rtol, atol) for a dtype written as "torch.float32", "numpy.float32" or "float32"."""
    return TOLERANCES.get(dtype.rsplit(".", 1)[-1], EXACT)


def _kind(plain: dict) -> str:
    kind = plain.get("type")
    if kind == "value":
        pytype = plain.get("pytype", "")
        if pytype in ("bool", "int", "float", "complex") or pytype.startswith("numpy."):
            return "scalar"
        if pytype == "str":
            return "text"
        return "value"
    return kind if kind in ("tensor", "error", "warnings", "graph") else "value"


def _observable(name: str, kind: str, status: str, left: Any, right: Any, detail: str = "",
                **extra: Any) -> dict:
    return {"name": name, "kind": kind, "status": status, "left": left, "right": right,
            "detail": detail, **extra}


def _describe(plain: dict | None) -> str:
    if plain is None:
        return "nothing"
    kind = plain.get("type")
    if kind == "tensor":
        return f"a {plain['dtype']} tensor of shape {plain['shape']}"
    if kind == "error":
        return f"{plain['class']}: {_clip(plain['message'])}"
    if kind == "missing":
        return f"missing {plain['name']}"
    if kind == "value":
        return f"{plain.get('pytype', 'value')} {_clip(plain.get('repr', ''))}"
    return kind or "?"


def _clip(text: str, width: int = 80) -> str:
    text = text.replace("\n", "\\n")
    return text if len(text) <= width else text[: width - 1] + "…"


def compare_values(name: str, left: dict | None, right: dict | None) -> dict:
    """Compare one observable; ``None`` on a side means the lane did not report it."""
    if left is None or right is None:
        present = right if left is None else left
        side = "right" if left is None else "left"
        return _observable(name, _kind(present), "diverge", left, right,
                           f"only the {side} lane reported {name!r} ({_describe(present)})")
    left_kind, right_kind = _kind(left), _kind(right)
    if left_kind != right_kind:
        return _observable(name, right_kind, "diverge", left, right,
                           f"{_describe(left)} vs {_describe(right)}")
    compare = _COMPARERS[right_kind]
    return compare(name, left, right)


def compare_observations(left: dict[str, dict], right: dict[str, dict]) -> list[dict]:
    """Every observable of either side, in the right side's order then the left's extras."""
    names = list(right) + [n for n in left if n not in right]
    return [compare_values(n, left.get(n), right.get(n)) for n in names]


def record_status(observables: list[dict]) -> str:
    return "diverge" if any(o["status"] == "diverge" for o in observables) else "match"


# ---------------------------------------------------------------------------------- tensors

def decode_values(values: Any, dtype: str) -> np.ndarray:
    """A tensor VALUE's "values" back to an array ("nan"/"inf" strings included)."""
    short = dtype.rsplit(".", 1)[-1]
    if short.startswith("complex"):
        pairs = decode_values(values, "float64")
        return pairs[..., 0] + 1j * pairs[..., 1] if pairs.size else pairs.astype(complex)
    if short == "bool":
        return np.asarray(values, dtype=bool)
    if short.startswith(("int", "uint")):
        return np.asarray(values, dtype=np.int64 if short != "uint64" else np.uint64)
    try:
        return np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError):
        return np.asarray(_strings_to_floats(values), dtype=np.float64)


def _strings_to_floats(values: Any) -> Any:
    if isinstance(values, list):
        return [_strings_to_floats(v) for v in values]
    return float(values)     # float("nan"), float("-inf") parse the JSON spellings


def _tensor_meta_differences(left: dict, right: dict) -> list[str]:
    diffs = []
    for key in ("requires_grad", "is_leaf", "grad_fn"):
        if left.get(key) != right.get(key):
            diffs.append(f"{key} {left.get(key)} vs {right.get(key)}")
    return diffs


def compare_arrays(a: np.ndarray, b: np.ndarray, rtol: float, atol: float) -> dict:
    """Elementwise comparison of same-shape arrays: label, error figures, mismatching indices."""
    a = np.asarray(a)
    b = np.asarray(b)
    if a.size == 0:
        return {"status": "exact", "max_abs": 0.0, "max_rel": 0.0, "where": None, "mismatch": []}
    if a.dtype.kind in "biu" and b.dtype.kind in "biu":
        equal = a == b
        abs_err = np.abs(a.astype(np.float64) - b.astype(np.float64))
        within = equal
    else:
        a64 = a.astype(np.complex128 if a.dtype.kind == "c" else np.float64)
        b64 = b.astype(np.complex128 if b.dtype.kind == "c" else np.float64)
        both_nan = np.isnan(a64) & np.isnan(b64)
        with np.errstate(invalid="ignore", over="ignore"):
            equal = (a64 == b64) | both_nan
            abs_err = np.abs(a64 - b64)
            # inf - inf is nan; a nan on one side only counts as an infinite error
            abs_err = np.where(equal, 0.0, np.where(np.isnan(abs_err), np.inf, abs_err))
            # a non-finite value is never "close" to anything but itself
            finite = np.isfinite(a64) & np.isfinite(b64)
            within = equal | (finite & (abs_err <= atol + rtol * np.abs(b64)))
    with np.errstate(divide="ignore", invalid="ignore"):
        magnitude = np.abs(b.astype(np.complex128 if b.dtype.kind == "c" else np.float64))
        rel_err = np.where(abs_err == 0, 0.0, abs_err / magnitude)
        rel_err = np.where(np.isnan(rel_err), np.inf, rel_err)
    worst = np.unravel_index(int(np.argmax(abs_err)), abs_err.shape) if abs_err.ndim else ()
    status = "exact" if equal.all() else ("close" if within.all() else "diverge")
    mismatch = [list(map(int, idx)) for idx in np.argwhere(~within)[:MISMATCH_LIMIT]]
    return {
        "status": status,
        "max_abs": _finite_or_text(float(abs_err.max())),
        "max_rel": _finite_or_text(float(rel_err.max())),
        "where": [int(i) for i in worst] if status != "exact" else None,
        "mismatch": mismatch,
    }


def _finite_or_text(x: float) -> float | str:
    if np.isfinite(x):
        return x
    return "nan" if np.isnan(x) else ("inf" if x > 0 else "-inf")


def _error_summary(status: str, result: dict, rtol: float, atol: float) -> str:
    count = len(result["mismatch"])
    count_text = f"{count}+" if count == MISMATCH_LIMIT else str(count)
    max_abs, max_rel = result["max_abs"], result["max_rel"]
    figures = (f"max abs error {_fmt(max_abs)} at {result['where']}, max rel {_fmt(max_rel)}")
    if status == "close":
        return f"within tolerance: {figures}"
    return f"{count_text} element(s) out of tolerance (rtol {rtol:g}, atol {atol:g}); {figures}"


def _fmt(x: float | str) -> str:
    return f"{x:.3g}" if isinstance(x, float) else str(x)


def _compare_tensors(name: str, left: dict, right: dict) -> dict:
    rtol, atol = tolerance(right["dtype"])
    extra = {"atol": atol, "rtol": rtol}
    if left["dtype"] != right["dtype"]:
        return _observable(name, "tensor", "diverge", left, right,
                           f"dtype {left['dtype']} vs {right['dtype']}", **extra)
    if left["shape"] != right["shape"]:
        return _observable(name, "tensor", "diverge", left, right,
                           f"shape {left['shape']} vs {right['shape']}", **extra)
    result = compare_arrays(decode_values(left["values"], left["dtype"]),
                            decode_values(right["values"], right["dtype"]), rtol, atol)
    status = result.pop("status")
    details = []
    if status != "exact":
        details.append(_error_summary(status, result, rtol, atol))
    meta = _tensor_meta_differences(left, right)
    if meta:
        status = "diverge"
        details.extend(meta)
    if left.get("truncated") or right.get("truncated"):
        details.append("compared the first values only (truncated)")
    return _observable(name, "tensor", status, left, right, "; ".join(details), **result,
                       **extra)


# ------------------------------------------------------------------------- everything else

def _compare_scalars(name: str, left: dict, right: dict) -> dict:
    if left.get("pytype") != right.get("pytype"):
        return _observable(name, "scalar", "diverge", left, right,
                           f"{left.get('pytype')} {left.get('repr')} vs "
                           f"{right.get('pytype')} {right.get('repr')}")
    pytype = right["pytype"]
    if pytype in ("bool", "int"):
        same = left["value"] == right["value"]
        return _observable(name, "scalar", "exact" if same else "diverge", left, right,
                           "" if same else f"{left['repr']} vs {right['repr']}")
    dtype = pytype if pytype.startswith("numpy.") else (
        "complex128" if pytype == "complex" else PYTHON_FLOAT)
    rtol, atol = tolerance(dtype)
    a = decode_values(left["value"], "complex128" if "complex" in dtype else "float64")
    b = decode_values(right["value"], "complex128" if "complex" in dtype else "float64")
    if "complex" in dtype:
        a, b = np.asarray(a).reshape(1), np.asarray(b).reshape(1)
    if dtype.startswith("numpy.") and "float" not in dtype and "complex" not in dtype:
        rtol, atol = EXACT
    result = compare_arrays(a, b, rtol, atol)
    status = result.pop("status")
    result.pop("mismatch")
    result.pop("where")
    detail = "" if status == "exact" else (
        f"{left['repr']} vs {right['repr']}"
        + (" (within tolerance)" if status == "close" else ""))
    return _observable(name, "scalar", status, left, right, detail, atol=atol, rtol=rtol,
                       **result)


def _first_difference(a: str, b: str) -> str:
    a_lines, b_lines = a.split("\n"), b.split("\n")
    for number, (x, y) in enumerate(zip(a_lines, b_lines), start=1):
        if x != y:
            col = next((i for i, (p, q) in enumerate(zip(x, y)) if p != q), min(len(x), len(y)))
            where = f"line {number}, column {col + 1}" if len(a_lines) > 1 else f"column {col + 1}"
            return f"text differs at {where}: {_clip(x[col:], 40)!r} vs {_clip(y[col:], 40)!r}"
    return f"text has {len(a_lines)} line(s) vs {len(b_lines)}"


def _compare_text(name: str, left: dict, right: dict) -> dict:
    same = left["value"] == right["value"]
    return _observable(name, "text", "exact" if same else "diverge", left, right,
                       "" if same else _first_difference(left["value"], right["value"]))


def _compare_errors(name: str, left: dict, right: dict) -> dict:
    diffs = []
    if left["class"] != right["class"]:
        diffs.append(f"class {left['class']} vs {right['class']}")
    if left["message"] != right["message"]:
        diffs.append(f"message {_clip(left['message'])!r} vs {_clip(right['message'])!r}")
    return _observable(name, "error", "diverge" if diffs else "exact", left, right,
                       "; ".join(diffs))


def _compare_warnings(name: str, left: dict, right: dict) -> dict:
    diffs = []
    lw, rw = left["warnings"], right["warnings"]
    if len(lw) != len(rw):
        diffs.append(f"{len(lw)} warning(s) vs {len(rw)}")
    for i, (a, b) in enumerate(zip(lw, rw)):
        if a != b:
            diffs.append(f"warning {i}: {a['category']}: {_clip(a['message'], 60)!r} vs "
                         f"{b['category']}: {_clip(b['message'], 60)!r}")
            break
    result = compare_values(f"{name} (result)", left["result"], right["result"])
    status = "diverge" if diffs else result["status"]
    if result["status"] != "exact":
        diffs.append(f"result: {result['detail']}")
    return _observable(name, "warnings", status, left, right, "; ".join(diffs))


def _compare_graphs(name: str, left: dict, right: dict) -> dict:
    diffs = []
    ln, rn = left["nodes"], right["nodes"]
    for a, b in zip(ln, rn):
        if (a["name"], a.get("variable")) != (b["name"], b.get("variable")):
            diffs.append(f"node {b['id']}: {a['name']}"
                         f"{'(' + str(a.get('variable')) + ')' if a.get('variable') else ''}"
                         f" vs {b['name']}"
                         f"{'(' + str(b.get('variable')) + ')' if b.get('variable') else ''}")
            break
    if len(ln) != len(rn):
        diffs.append(f"{len(ln)} node(s) vs {len(rn)}")
    if not diffs and left["edges"] != right["edges"]:
        le = {(e["src"], e["dst"], e["input_nr"]) for e in left["edges"]}
        re_ = {(e["src"], e["dst"], e["input_nr"]) for e in right["edges"]}
        only_left, only_right = sorted(le - re_)[:3], sorted(re_ - le)[:3]
        diffs.append(f"edges differ: left only {only_left}, right only {only_right}"
                     if only_left or only_right else "edge order differs")
    return _observable(name, "graph", "diverge" if diffs else "exact", left, right,
                       "; ".join(diffs))


def _compare_other(name: str, left: dict, right: dict) -> dict:
    """Containers compare element by element; other objects by value, else by repr."""
    if left.get("type") == "missing" or right.get("type") == "missing":
        same = left == right
        return _observable(name, "value", "exact" if same else "diverge", left, right,
                           "" if same else f"{_describe(left)} vs {_describe(right)}")
    if "items" in left or "items" in right:
        return _compare_items(name, left, right)
    if left.get("value") is not None or right.get("value") is not None:
        a, b = left.get("value"), right.get("value")
        status = _close_json(a, b)
        detail = "" if status == "exact" else (
            f"{_clip(left.get('repr', ''))} vs {_clip(right.get('repr', ''))}"
            + (" (within tolerance)" if status == "close" else ""))
        return _observable(name, "value", status, left, right, detail)
    same = left.get("repr") == right.get("repr")
    return _observable(name, "value", "exact" if same else "diverge", left, right,
                       "" if same else _first_difference(left.get("repr", ""),
                                                         right.get("repr", "")))


def _close_json(a: Any, b: Any) -> str:
    """Plain JSON containers: floats within float64 tolerance count as "close"."""
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return "diverge"
        statuses = [_close_json(x, y) for x, y in zip(a, b)]
    elif isinstance(a, dict) and isinstance(b, dict):
        if list(a) != list(b):
            return "diverge"
        statuses = [_close_json(a[k], b[k]) for k in a]
    elif a == b and type(a) is type(b):
        return "exact"
    elif isinstance(a, float) and isinstance(b, float):
        rtol, atol = tolerance(PYTHON_FLOAT)
        return "close" if abs(a - b) <= atol + rtol * abs(b) else "diverge"
    else:
        return "diverge"
    if "diverge" in statuses:
        return "diverge"
    return "close" if "close" in statuses else "exact"


def _compare_items(name: str, left: dict, right: dict) -> dict:
    li, ri = left.get("items"), right.get("items")
    if li is None or ri is None or type(li) is not type(ri):
        return _observable(name, "value", "diverge", left, right,
                           f"{_describe(left)} vs {_describe(right)}")
    if isinstance(ri, dict):
        keys = list(ri) + [k for k in li if k not in ri]
        parts = [compare_values(f"{name}[{k!r}]", li.get(k), ri.get(k)) for k in keys]
    else:
        parts = [compare_values(f"{name}[{i}]", li[i] if i < len(li) else None,
                                ri[i] if i < len(ri) else None)
                 for i in range(max(len(li), len(ri)))]
    statuses = {p["status"] for p in parts}
    status = "diverge" if "diverge" in statuses else ("close" if "close" in statuses else "exact")
    detail = "; ".join(f"{p['name']}: {p['detail']}" for p in parts if p["status"] == "diverge")
    return _observable(name, "value", status, left, right, detail)


_COMPARERS = {
    "tensor": _compare_tensors,
    "scalar": _compare_scalars,
    "text": _compare_text,
    "error": _compare_errors,
    "warnings": _compare_warnings,
    "graph": _compare_graphs,
    "value": _compare_other,
}
