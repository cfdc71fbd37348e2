"""Planted bug in refgrad's graph: backward never frees a node's saved values, so a second
backward through the same graph does not raise."""
from tests.planted.targets import _refgrad_copy

_copy = _refgrad_copy.load_copy(__name__ + "_copy")
_graph = _refgrad_copy.submodule(_copy, "autograd.graph")
_refgrad_copy.replace(_graph.Node, "_release", lambda node: None)


def __getattr__(name):
    return getattr(_copy, name)
