"""Planted bug in refgrad's custom Functions: ``ctx.needs_input_grad`` says True for every
argument, whether it is a tensor that requires grad or not."""
from tests.planted.targets import _refgrad_copy

_copy = _refgrad_copy.load_copy(__name__ + "_copy")
_function = _refgrad_copy.submodule(_copy, "autograd.function")


def _always_true(ctx):
    return tuple(True for _ in ctx.__dict__.get("_planted_needs", ()))


def _store(ctx, value):
    ctx.__dict__["_planted_needs"] = value


_refgrad_copy.replace(_function.BackwardCFunction, "needs_input_grad",
                      property(_always_true, _store))


def __getattr__(name):
    return getattr(_copy, name)
