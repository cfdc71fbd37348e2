"""Planted bug in refgrad's custom Functions: ``ctx.saved_tensors`` hands back tensors that
were modified in place since they were saved, without the version-counter error (the error
after the graph was freed stays)."""
from tests.planted.targets import _refgrad_copy

_copy = _refgrad_copy.load_copy(__name__ + "_copy")
_function = _refgrad_copy.submodule(_copy, "autograd.function")
_graph = _refgrad_copy.submodule(_copy, "autograd.graph")


def _saved_tensors(ctx):
    if ctx._saved_list is None:
        return tuple(ctx.to_save)
    if ctx.freed:
        raise RuntimeError(_graph.BACKWARD_TWICE)
    for saved, _ in ctx._saved_list:
        if saved is not None and saved.tensor is not None:
            saved.version = saved.tensor._version_counter[0]    # the bug: whatever it is now
    return tuple(_function._unpack(saved, nr, ctx) for saved, nr in ctx._saved_list)


_refgrad_copy.replace(_function.BackwardCFunction, "saved_tensors", property(_saved_tensors))


def __getattr__(name):
    return getattr(_copy, name)
