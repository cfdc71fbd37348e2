"""Planted bug in refgrad's function transforms: ``argnums`` is checked, then ignored: grad,
jacrev and jacfwd always differentiate with respect to the first argument."""
from tests.planted.targets import _refgrad_copy

_copy = _refgrad_copy.load_copy(__name__ + "_copy")
_transforms = _refgrad_copy.submodule(_copy, "func._transforms")
_checked_argnums = _transforms._check_argnums


def _always_first(argnums, num_args):
    return tuple(0 for _ in _checked_argnums(argnums, num_args))


_refgrad_copy.replace(_transforms, "_check_argnums", _always_first)


def __getattr__(name):
    return getattr(_copy, name)
