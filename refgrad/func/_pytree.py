"""The nested containers the transforms accept (tuples, namedtuples, lists, dicts of tensors
and other leaves): flattening to leaves plus a spec, and rebuilding from one.

``repr(spec)`` is PyTorch's ``TreeSpec`` text and ``spec.pprint()`` its ``treespec_pprint``
text, because the transforms' error messages quote both.
"""
from __future__ import annotations

from typing import Any, Callable


class TreeSpec:
    """The shape of a nested container: ``kind`` is tuple, list, dict or None (a leaf)."""

    __slots__ = ("kind", "keys", "children")

    def __init__(self, kind=None, keys=None, children=()):
        self.kind, self.keys, self.children = kind, keys, tuple(children)

    @property
    def is_leaf(self) -> bool:
        return self.kind is None

    @property
    def num_leaves(self) -> int:
        return 1 if self.is_leaf else sum(child.num_leaves for child in self.children)

    def __eq__(self, other) -> bool:
        return (isinstance(other, TreeSpec) and self.kind is other.kind
                and self.keys == other.keys and self.children == other.children)

    def __hash__(self) -> int:
        return hash((self.kind, tuple(self.keys or ()), self.children))

    def __repr__(self, indent: int = 0) -> str:
        if self.is_leaf:
            return "*"
        indent += 2
        parts = [child.__repr__(indent) for child in self.children]
        body = ("," + "\n" + " " * indent).join(parts)
        return f"TreeSpec({self.kind.__name__}, {self.keys}, [{body}])"

    def pprint(self) -> str:
        if self.is_leaf:
            return "*"
        inner = [child.pprint() for child in self.children]
        if self.kind is dict:
            return "{" + ", ".join(f"{k!r}: {v}" for k, v in zip(self.keys, inner)) + "}"
        if self.kind is list:
            return "[" + ", ".join(inner) + "]"
        return "(" + ", ".join(inner) + ("," if len(inner) == 1 else "") + ")"


LEAF = TreeSpec()


def flatten(tree) -> tuple[list, TreeSpec]:
    """``(leaves, spec)``, leaves in PyTorch's order (dicts in insertion order)."""
    if type(tree) in (tuple, list) or _is_namedtuple(tree):
        pairs = [flatten(child) for child in tree]
        leaves = [leaf for child_leaves, _ in pairs for leaf in child_leaves]
        return leaves, TreeSpec(type(tree), None, [spec for _, spec in pairs])
    if type(tree) is dict:
        pairs = [flatten(child) for child in tree.values()]
        leaves = [leaf for child_leaves, _ in pairs for leaf in child_leaves]
        return leaves, TreeSpec(dict, list(tree.keys()), [spec for _, spec in pairs])
    return [tree], LEAF


def _is_namedtuple(value) -> bool:
    return isinstance(value, tuple) and hasattr(type(value), "_fields")


def unflatten(leaves, spec: TreeSpec):
    """The container of shape ``spec`` holding ``leaves`` in order."""
    iterator = iter(leaves)

    def build(node: TreeSpec):
        if node.is_leaf:
            return next(iterator)
        children = [build(child) for child in node.children]
        if node.kind is dict:
            return dict(zip(node.keys, children))
        if node.kind not in (tuple, list):         # a namedtuple
            return node.kind(*children)
        return node.kind(children)

    return build(spec)


def structure(tree) -> TreeSpec:
    return flatten(tree)[1]


def tree_map(fn: Callable[[Any], Any], tree):
    leaves, spec = flatten(tree)
    return unflatten([fn(leaf) for leaf in leaves], spec)


def broadcast_prefix(prefix, tree) -> list | None:
    """``prefix`` (a tree whose leaves stand for whole subtrees of ``tree``) expanded to one
    value per leaf of ``tree``; None when the structures do not fit."""
    if type(prefix) in (tuple, list, dict):
        if type(prefix) is not type(tree) or len(prefix) != len(tree):
            return None
        if type(prefix) is dict:
            if list(prefix.keys()) != list(tree.keys()):
                return None
            pairs = zip(prefix.values(), tree.values())
        else:
            pairs = zip(prefix, tree)
        expanded: list = []
        for sub_prefix, sub_tree in pairs:
            sub = broadcast_prefix(sub_prefix, sub_tree)
            if sub is None:
                return None
            expanded.extend(sub)
        return expanded
    return [prefix] * len(flatten(tree)[0])
