"""Planted bug in refgrad's custom Functions: ``ctx.saved_tensors`` hands back tensors that
were modified in place since they were saved, without the version-counter error (the error
after the graph was freed stays)."""
from tests.planted.targets import _refgrad_copy

_copy = _refgrad_copy.load_copy(__name__ + "_copy")
_function = _refgrad_copy.submodule(_copy, "autograd.function")
_graph = _refgrad_copy.submodule(_copy, "autograd.graph")


def _unchecked(saved, nr, node):
    if saved is None:
        return None
    if saved.tensor is None:
        raise RuntimeError(_graph.BACKWARD_TWICE)
    if saved.is_output:
        t = saved.tensor._as_output_of(node)
        if nr and t._grad_fn is node:
            t._output_nr = nr
        return t
    return saved.tensor


def _saved_tensors(ctx):
    if ctx._saved_list is None:
        return tuple(ctx.to_save)
    return tuple(_unchecked(saved, nr, ctx) for saved, nr in ctx._saved_list)


_refgrad_copy.replace(_function.BackwardCFunction, "saved_tensors", property(_saved_tensors))


def __getattr__(name):
    return getattr(_copy, name)
