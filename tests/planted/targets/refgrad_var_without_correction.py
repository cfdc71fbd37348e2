"""Planted bug in refgrad: var and std ignore the correction (always the population variance,
as if ``correction=0``), a classic slip between Bessel's and the plain mean of squares."""
from tests.planted.targets import _refgrad_copy

_copy = _refgrad_copy.load_copy(__name__ + "_copy")
_statistics = _refgrad_copy.submodule(_copy, "ops.statistics")
_refgrad_copy.replace(_statistics, "_correction", lambda name, unbiased, correction: 0.0)


def __getattr__(name):
    return getattr(_copy, name)
