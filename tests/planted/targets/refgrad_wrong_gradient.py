"""Planted bug in refgrad's derivative table: sigmoid's VJP is 1e-3 (relative) too large."""
from tests.planted.targets import _refgrad_copy

RELATIVE_ERROR = 1e-3

_copy = _refgrad_copy.load_copy(__name__ + "_copy")
_ops = _refgrad_copy.submodule(_copy, "ops")
_row = _ops.ROWS["SigmoidBackward0"]
((_uses, _vjp),) = _row.vjps
_refgrad_copy.replace(_row, "vjps",
                      ((_uses, lambda g, s: _vjp(g, s) * (1 + RELATIVE_ERROR)),))


def __getattr__(name):
    return getattr(_copy, name)
