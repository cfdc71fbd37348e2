"""Recording what a case observed, on any torch-like lane.

Cases use :func:`error`, :func:`warnings` and :func:`graph` to turn behaviour that is not a
plain value (an exception, a warning, the grad_fn DAG) into records the harness can compare.
Everything here works through duck typing on the lane's objects, never by importing a target.
"""
from __future__ import annotations

import re
import warnings as _warnings
from dataclasses import dataclass, field
from typing import Any, Callable

_ADDRESS = re.compile(r"0x[0-9a-fA-F]+")


def normalise_message(text: str) -> str:
    """Object addresses vary between runs; C++ warnings end with a build path that varies too."""
    text = _ADDRESS.sub("0x…", text)
    return re.sub(r" \(Triggered internally at [^)]*\.\)", "", text)


@dataclass(frozen=True)
class Raised:
    """An exception a case expected (or did not expect) to see."""
    type: str          # the class name, e.g. "RuntimeError"; the module is dropped, since a
    message: str       # target's classes live in its own module
    base: str = ""     # the nearest builtin base class, e.g. "RuntimeError" for a subclass


def _builtin_base(exc: BaseException) -> str:
    for cls in type(exc).__mro__:
        if cls.__module__ == "builtins":
            return cls.__name__
    return "BaseException"


def raised(exc: BaseException) -> Raised:
    return Raised(type(exc).__name__, normalise_message(str(exc)), _builtin_base(exc))


class MissingFeature(AttributeError):
    """A target's namespace (or a submodule of it) lacks an attribute a case asked for.

    Raised by the target lane's namespace wrapper (:mod:`conformance.lanes`); the harness turns
    it into a "missing" record instead of a divergence, and :func:`error` lets it through.
    """

    def __init__(self, qualified_name: str, message: str):
        super().__init__(message)
        self.qualified_name = qualified_name


def error(fn: Callable[[], Any]) -> Any:
    """Call ``fn``; return what it returned, or a :class:`Raised` if it raised.

    A missing target function is not an observation of behaviour: it propagates, so that the
    whole case is reported as "missing" rather than as a diverging error.
    """
    try:
        return fn()
    except MissingFeature:
        raise
    except Exception as exc:  # noqa: BLE001 - every exception is an observation here
        return raised(exc)


@dataclass(frozen=True)
class Warned:
    category: str
    message: str


@dataclass
class WarningsSeen:
    """The result of a call and the warnings it issued, in order."""
    result: Any
    warnings: list[Warned] = field(default_factory=list)


def warnings(fn: Callable[[], Any]) -> WarningsSeen:
    """Call ``fn`` with every warning recorded (``simplefilter("always")``)."""
    with _warnings.catch_warnings(record=True) as caught:
        _warnings.simplefilter("always")
        result = error(fn)
    return WarningsSeen(
        result,
        [Warned(w.category.__name__, normalise_message(str(w.message))) for w in caught],
    )


@dataclass(frozen=True)
class GraphNode:
    id: int
    name: str                  # grad_fn class name, "AccumulateGrad", or "None"
    variable: str | None = None  # for AccumulateGrad: the name given to its leaf, or "?"


@dataclass(frozen=True)
class GraphEdge:
    src: int
    dst: int
    input_nr: int


@dataclass
class Graph:
    """The grad_fn DAG below a tensor, in ``next_functions`` order; node 0 is the root."""
    nodes: list[GraphNode]
    edges: list[GraphEdge]


def graph(tensor_or_node: Any, **leaves: Any) -> Graph:
    """Walk ``grad_fn.next_functions`` from a tensor (or a node) down to the leaves.

    ``leaves`` names the leaf tensors so that ``AccumulateGrad`` nodes can be told apart by
    the tensor they hold (``.variable is leaf``). Shared nodes appear once (a DAG, not a tree);
    ``(None, 0)`` entries become their own "None" nodes, one per occurrence.
    """
    root = getattr(tensor_or_node, "grad_fn", tensor_or_node)
    nodes: list[GraphNode] = []
    edges: list[GraphEdge] = []
    ids: dict[int, int] = {}
    # Node objects are keyed by id(); keep every one alive for the whole walk. torch builds a
    # node's Python wrapper on access and may drop it once unreferenced, after which its id()
    # can be reused by a different node (seen with torch 2.11: walks that looped back).
    alive: list[Any] = []

    def node_id(fn: Any) -> int:
        if fn is not None and id(fn) in ids:
            return ids[id(fn)]
        new = len(nodes)
        if fn is None:
            nodes.append(GraphNode(new, "None"))
            return new
        name = type(fn).__name__
        variable = None
        if name == "AccumulateGrad":
            held = getattr(fn, "variable", None)
            variable = next((k for k, v in leaves.items() if v is held), "?")
        nodes.append(GraphNode(new, name, variable))
        ids[id(fn)] = new
        alive.append(fn)
        return new

    if root is None:
        return Graph([GraphNode(0, "None")], [])
    stack = [root]
    node_id(root)
    visited: set[int] = set()
    while stack:  # iterative: deep graphs must not hit the recursion limit
        fn = stack.pop()
        if id(fn) in visited:
            continue
        visited.add(id(fn))
        src = ids[id(fn)]
        for nxt, input_nr in getattr(fn, "next_functions", ()):
            seen_before = nxt is not None and id(nxt) in ids
            dst = node_id(nxt)
            edges.append(GraphEdge(src, dst, int(input_nr)))
            if nxt is not None and not seen_before:
                stack.append(nxt)
    return Graph(nodes, edges)


# --------------------------------------------------------------------------------------------
# Lane values as plain data (the report's VALUE, schema.py)
# --------------------------------------------------------------------------------------------

# A tensor with more elements than this keeps only its first TRUNCATE_KEEP values in a report.
TRUNCATE_ABOVE = 10_000
TRUNCATE_KEEP = 1_000
_JSON_SCALARS = (bool, int, float, str, type(None))


def is_tensor_like(value: Any) -> bool:
    """Duck typing: anything with ``detach``, ``dtype`` and ``shape`` is a lane tensor."""
    return all(hasattr(value, name) for name in ("detach", "dtype", "shape"))


def json_float(x: float) -> float | str:
    """JSON has no NaN or infinity: they travel as the strings "nan", "inf", "-inf"."""
    if x != x:
        return "nan"
    if x in (float("inf"), float("-inf")):
        return "inf" if x > 0 else "-inf"
    return x


def tensor_to_numpy(t: Any):
    """A lane tensor's values as a NumPy array, whatever the lane (CUDA, bfloat16, no numpy())."""
    import numpy as np

    base = t.detach() if hasattr(t, "detach") else t
    for attempt in (
        lambda: base.cpu().numpy(),
        lambda: base.numpy(),
        lambda: base.cpu().float().numpy(),       # bfloat16 has no NumPy dtype: widen exactly
        lambda: base.clone().cpu().numpy(),       # torch's ZeroTensor: a copy materialises it
        lambda: np.asarray(base.tolist()),
    ):
        try:
            return np.asarray(attempt())
        except Exception:  # noqa: BLE001 - try the next way of reading the values
            continue
    raise TypeError(f"cannot read the values of {type(t).__name__}")


def _values_to_json(arr) -> Any:
    import numpy as np

    if arr.dtype.kind == "c":
        pairs = np.stack([arr.real, arr.imag], axis=-1)
        return _values_to_json(pairs)
    if arr.dtype.kind == "f":
        out = arr.astype(np.float64)
        if np.isfinite(out).all():
            return out.tolist()
        return _json_floats(out.tolist())
    return arr.tolist()


def _json_floats(values: Any) -> Any:
    if isinstance(values, list):
        return [_json_floats(v) for v in values]
    return json_float(values)


def _stats(arr) -> dict:
    import numpy as np

    if arr.dtype.kind == "c":
        arr = np.abs(arr)
    if arr.size == 0 or arr.dtype.kind not in "biuf":
        return {"min": None, "max": None, "mean": None, "nan": 0, "inf": 0}
    values = arr.astype(np.float64)
    finite = values[np.isfinite(values)]
    return {
        "min": json_float(float(finite.min())) if finite.size else None,
        "max": json_float(float(finite.max())) if finite.size else None,
        "mean": json_float(float(finite.mean())) if finite.size else None,
        "nan": int(np.isnan(values).sum()),
        "inf": int(np.isinf(values).sum()),
    }


def _tensor_plain(t: Any, truncate: bool) -> dict:
    arr = tensor_to_numpy(t)
    grad_fn = getattr(t, "grad_fn", None)
    device = getattr(t, "device", None)
    plain = {
        "type": "tensor",
        "dtype": str(t.dtype),
        "shape": [int(n) for n in t.shape],
        "device": None if device is None else str(device),
        "requires_grad": _flag(t, "requires_grad"),
        "is_leaf": _flag(t, "is_leaf"),
        "grad_fn": None if grad_fn is None else type(grad_fn).__name__,
        "truncated": False,
        "stats": _stats(arr),
    }
    return _with_values(plain, arr, truncate)


def _numpy_plain(arr, truncate: bool) -> dict:
    """A NumPy array a case returned: shown and compared like a tensor without autograd."""
    plain = {
        "type": "tensor", "dtype": f"numpy.{arr.dtype}", "shape": list(arr.shape),
        "device": None, "requires_grad": None, "is_leaf": None, "grad_fn": None,
        "truncated": False, "stats": _stats(arr),
    }
    return _with_values(plain, arr, truncate)


def _with_values(plain: dict, arr, truncate: bool) -> dict:
    """Add the values to a tensor's plain form: all of them, or the first TRUNCATE_KEEP
    (flattened) of a tensor over TRUNCATE_ABOVE elements."""
    import numpy as np

    if truncate and arr.size > TRUNCATE_ABOVE:
        plain["values"] = _values_to_json(np.ravel(arr)[:TRUNCATE_KEEP])
        plain["truncated"] = True
    else:
        plain["values"] = _values_to_json(arr)
    return plain


def _flag(t: Any, name: str) -> bool | None:
    try:
        value = getattr(t, name)
    except Exception:  # noqa: BLE001 - a target without the flag: shown as null
        return None
    return None if value is None else bool(value)


def _short_repr(value: Any) -> str:
    try:
        text = repr(value)
    except Exception as exc:  # noqa: BLE001 - a broken __repr__ is itself an observation
        text = f"<repr raised {type(exc).__name__}: {exc}>"
    return normalise_message(text)


def _contains_records(value: Any) -> bool:
    if isinstance(value, dict):
        return any(_contains_records(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return any(_contains_records(v) for v in value)
    return not isinstance(value, _JSON_SCALARS)


def _json_container(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _json_container(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_container(v) for v in value]
    if isinstance(value, float):
        return json_float(value)
    return value


def to_plain(value: Any, truncate: bool = True) -> dict:
    """A lane value as a report VALUE (see :mod:`conformance.report.schema`), plain JSON.

    Tensors are read by duck typing; Python scalars keep their type name in ``"pytype"``
    (an ``int`` and a ``float`` differ); non-finite floats become "nan"/"inf"/"-inf".
    Lists, tuples and dicts of plain scalars keep their JSON ``"value"``; those holding tensors
    or records carry their elements as VALUEs in ``"items"`` (a list, or a dict for dicts).
    ``truncate=False`` keeps every value of a big tensor (the harness compares those, then
    truncates for the report with :func:`truncate_plain`).
    """
    import numpy as np

    if isinstance(value, MissingFeature):
        return {"type": "missing", "name": value.qualified_name}
    if isinstance(value, Raised):
        return {"type": "error", "class": value.type, "base": value.base,
                "message": value.message}
    if isinstance(value, WarningsSeen):
        return {"type": "warnings", "result": to_plain(value.result, truncate),
                "warnings": [{"category": w.category, "message": w.message}
                             for w in value.warnings]}
    if isinstance(value, Graph):
        return {"type": "graph",
                "nodes": [{"id": n.id, "name": n.name, "variable": n.variable}
                          for n in value.nodes],
                "edges": [{"src": e.src, "dst": e.dst, "input_nr": e.input_nr}
                          for e in value.edges]}
    if isinstance(value, np.ndarray):
        return _numpy_plain(value, truncate)
    if is_tensor_like(value) and not isinstance(value, type):
        return _tensor_plain(value, truncate)
    plain: dict = {"type": "value", "repr": _short_repr(value), "pytype": type(value).__name__}
    if isinstance(value, np.generic):
        # NumPy scalars keep their dtype, so that float32 and float64 results are told apart.
        plain["pytype"] = f"numpy.{value.dtype}"
        plain["value"] = _json_container(value.item())
    elif isinstance(value, complex):
        plain["value"] = [json_float(value.real), json_float(value.imag)]
    elif isinstance(value, _JSON_SCALARS):
        plain["value"] = _json_container(value)
    elif isinstance(value, (list, tuple, dict)):
        if _contains_records(value):
            plain["value"] = None
            if isinstance(value, dict):
                plain["items"] = {str(k): to_plain(v, truncate) for k, v in value.items()}
            else:
                plain["items"] = [to_plain(v, truncate) for v in value]
        else:
            plain["value"] = _json_container(value)
    else:
        plain["value"] = None   # an object: compared by its repr (addresses normalised)
    return plain


def truncate_plain(plain: dict) -> dict:
    """The report form of a VALUE: big tensors keep their first values only (see to_plain)."""
    import numpy as np

    kind = plain.get("type")
    if kind == "tensor" and not plain.get("truncated"):
        shape = plain.get("shape") or []
        if int(np.prod(shape)) > TRUNCATE_ABOVE:
            flat = _flatten(plain["values"])
            return {**plain, "values": flat[:TRUNCATE_KEEP], "truncated": True}
        return plain
    if kind == "warnings":
        return {**plain, "result": truncate_plain(plain["result"])}
    if kind == "value" and "items" in plain:
        items = plain["items"]
        if isinstance(items, dict):
            return {**plain, "items": {k: truncate_plain(v) for k, v in items.items()}}
        return {**plain, "items": [truncate_plain(v) for v in items]}
    return plain


def _flatten(values: Any) -> list:
    out: list = []
    stack = [values]
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(reversed(item))
        else:
            out.append(item)
    return out


# --------------------------------------------------------------------------------------------
# What changed: the kind of a difference, from the VALUE types above
# --------------------------------------------------------------------------------------------

# The kinds of change, in the order a report lists them.
CHANGE_KINDS = ("node-name", "graph-structure", "exception-type", "error-message", "warning",
                "printing", "value", "presence")
_NODE_REPR = re.compile(r"^<\w+ object at 0x…>$")
_NODE_NAME = re.compile(r"^(\w*Backward\d*|AccumulateGrad)$")     # a grad_fn's class name


def change_kind(left: dict | None, right: dict | None) -> str:
    """What differs between two plain values of one observable (:func:`to_plain`'s forms):
    a grad_fn ``node-name`` (of a tensor, a graph, a node's repr), the ``graph-structure``,
    an ``exception-type`` (also: raised on one side only), an ``error-message``, a
    ``warning``, ``printing`` (text, reprs), a ``value`` (numbers, dtypes, shapes, flags), or
    the ``presence`` of the observable itself (one side lacks it, or lacks a feature)."""
    if left is None or right is None:
        return "presence"
    kinds = (left.get("type"), right.get("type"))
    if "missing" in kinds:
        return "presence"
    if kinds == ("warnings", "warnings"):
        if left.get("warnings") != right.get("warnings"):
            return "warning"
        return change_kind(left.get("result"), right.get("result"))
    if "error" in kinds:
        if kinds != ("error", "error") or left.get("class") != right.get("class"):
            return "exception-type"
        return "error-message"
    if kinds[0] != kinds[1]:
        return "value"
    if kinds[0] == "graph":
        names = [[node.get("name") for node in side.get("nodes", ())] for side in (left, right)]
        return "node-name" if names[0] != names[1] else "graph-structure"
    if kinds[0] == "tensor":
        return "node-name" if left.get("grad_fn") != right.get("grad_fn") else "value"
    if "items" in left or "items" in right:
        return _items_change(left.get("items"), right.get("items"))
    if left.get("pytype") == right.get("pytype") == "str":
        names = [_NODE_NAME.match(str(side.get("value"))) for side in (left, right)]
        return "node-name" if all(names) else "printing"     # a case's grad_fn name, or text
    if left.get("value") is None and right.get("value") is None:
        reprs = (left.get("repr", ""), right.get("repr", ""))
        if all(_NODE_REPR.match(text) for text in reprs):
            return "node-name"          # <AddBackward0 object at 0x…>
        return "printing"               # an object compared by its repr
    return "value"


def _items_change(left, right) -> str:
    """A container's change: that of its first element that differs."""
    if not isinstance(left, type(right)) or (isinstance(left, list) and len(left) != len(right)):
        return "value"
    keys = list(right) if isinstance(right, dict) else range(len(right))
    for key in keys:
        a = left.get(key) if isinstance(left, dict) else left[key]
        b = right[key]
        if a != b:
            return change_kind(a, b)
    return "value"
