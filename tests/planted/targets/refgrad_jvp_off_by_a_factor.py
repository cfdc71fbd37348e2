"""Planted bug in refgrad's forward mode: sin's JVP is off by a factor of 2 (the tangent of
``x.sin()`` is ``2 * cos(x) * t``), every other row's formula untouched."""
from tests.planted.targets import _refgrad_copy

_copy = _refgrad_copy.load_copy(__name__ + "_copy")
_sin = _refgrad_copy.submodule(_copy, "ops").ROWS["SinBackward0"]
_jvp = _sin.jvps[0]
_refgrad_copy.replace(_sin, "jvps", (lambda t, s: _jvp(t, s) * 2,))


def __getattr__(name):
    return getattr(_copy, name)
