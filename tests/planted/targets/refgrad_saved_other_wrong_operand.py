"""Planted bug in refgrad's saved attributes: ``grad_fn._saved_other`` hands back the node's
``self`` operand (the gradients, which read the saved values directly, stay right)."""
from tests.planted.targets import _refgrad_copy

_copy = _refgrad_copy.load_copy(__name__ + "_copy")
_graph = _refgrad_copy.submodule(_copy, "autograd.graph")
_getattr = _graph.Node.__getattr__


def _wrong_operand(node, attr):
    if attr == "_saved_other":
        attr = "_saved_self"                            # the bug: the other operand
    return _getattr(node, attr)


_refgrad_copy.replace(_graph.Node, "__getattr__", _wrong_operand)


def __getattr__(name):
    return getattr(_copy, name)
