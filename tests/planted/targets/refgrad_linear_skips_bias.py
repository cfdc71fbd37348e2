"""Planted bug in refgrad's nn: ``Linear`` (``functional.linear``) adds its bias outside the
graph, so the bias never gets a gradient."""
from tests.planted.targets import _refgrad_copy

_copy = _refgrad_copy.load_copy(__name__ + "_copy")
_functional = _refgrad_copy.submodule(_copy, "nn.functional")
_linear = _functional.linear


def _linear_skipping_bias(input, weight, bias=None):
    return _linear(input, weight, None if bias is None else bias.detach())


_refgrad_copy.replace(_functional, "linear", _linear_skipping_bias)


def __getattr__(name):
    return getattr(_copy, name)
