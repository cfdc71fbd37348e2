"""Planted bug in refgrad's Tensor: ``detach()`` copies the data (no shared storage, no shared
version counter)."""
from tests.planted.targets import _refgrad_copy

_copy = _refgrad_copy.load_copy(__name__ + "_copy")
_detach = _copy.Tensor.detach


def _detach_copy(self):
    return _detach(self).clone()


_refgrad_copy.replace(_copy.Tensor, "detach", _detach_copy)


def __getattr__(name):
    return getattr(_copy, name)
