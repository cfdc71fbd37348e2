"""Planted bug in refgrad's engine: accumulation into a leaf's ``.grad`` overwrites it."""
from tests.planted.targets import _refgrad_copy

_copy = _refgrad_copy.load_copy(__name__ + "_copy")
_engine = _refgrad_copy.submodule(_copy, "autograd.engine")
_accumulate = _engine._accumulate


def _overwrite(node, grad, create_graph):
    node.variable._grad = None      # forget what was there: the next line stores, never adds
    _accumulate(node, grad, create_graph)


_refgrad_copy.replace(_engine, "_accumulate", _overwrite)


def __getattr__(name):
    return getattr(_copy, name)
