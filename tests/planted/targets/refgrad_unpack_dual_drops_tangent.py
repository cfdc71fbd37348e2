"""Planted bug in refgrad's forward mode: ``forward_ad.unpack_dual`` drops the tangent (the
primal comes back with ``tangent=None``), while the tangents are still computed."""
from tests.planted.targets import _refgrad_copy

_copy = _refgrad_copy.load_copy(__name__ + "_copy")
_forward_ad = _refgrad_copy.submodule(_copy, "autograd.forward_ad")
_unpack_dual = _forward_ad.unpack_dual


def _without_tangent(tensor, *, level=None):
    return _forward_ad.UnpackedDualTensor(_unpack_dual(tensor, level=level).primal, None)


_refgrad_copy.replace(_forward_ad, "unpack_dual", _without_tangent)


def __getattr__(name):
    return getattr(_copy, name)
