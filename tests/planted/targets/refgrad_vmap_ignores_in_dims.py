"""Planted bug in refgrad's vmap: every mapped argument is sliced along dimension 0, whatever
``in_dims`` says (the checks of in_dims still run; an unmapped argument stays unmapped)."""
from tests.planted.targets import _refgrad_copy

_copy = _refgrad_copy.load_copy(__name__ + "_copy")
_vmap = _refgrad_copy.submodule(_copy, "func._vmap")
_checked_in_dims = _vmap._flat_in_dims


def _always_dim_0(ns, name, in_dims, args):
    leaves, dims = _checked_in_dims(ns, name, in_dims, args)
    return leaves, [None if dim is None else 0 for dim in dims]


_refgrad_copy.replace(_vmap, "_flat_in_dims", _always_dim_0)


def __getattr__(name):
    return getattr(_copy, name)
