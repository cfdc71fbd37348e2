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


def error(fn: Callable[[], Any]) -> Any:
    """Call ``fn``; return what it returned, or a :class:`Raised` if it raised."""
    try:
        return fn()
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
