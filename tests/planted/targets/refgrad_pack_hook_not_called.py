"""Planted bug in refgrad's saved tensors: the pack hook of ``saved_tensors_hooks`` (and of
``register_hooks``) is never called; the tensor stays saved as it is, so the unpack hook never
runs either."""
from tests.planted.targets import _refgrad_copy

_copy = _refgrad_copy.load_copy(__name__ + "_copy")
_graph = _refgrad_copy.submodule(_copy, "autograd.graph")


def _pack_ignored(saved, pack_hook, unpack_hook, original):
    return None                                         # the bug: the hooks are dropped


_refgrad_copy.replace(_graph.SavedTensor, "pack", _pack_ignored)


def __getattr__(name):
    return getattr(_copy, name)
