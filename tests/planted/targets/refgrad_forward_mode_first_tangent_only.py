"""Planted bug in refgrad's forward mode (jvp, jacfwd, hessian): the Jacobian-vector product
uses the tangent of the first differentiated input only, as if every other tangent were zero."""
from tests.planted.targets import _refgrad_copy

_copy = _refgrad_copy.load_copy(__name__ + "_copy")
_transforms = _refgrad_copy.submodule(_copy, "func._transforms")
_linearize = _transforms._forward_mode_linearize


def _first_tangent_only(ns, level, out_leaves):
    jvp_fn = _linearize(ns, level, out_leaves)

    def first_only(tangents, create_graph):
        return jvp_fn([t if i == 0 else None for i, t in enumerate(tangents)], create_graph)
    return first_only


_refgrad_copy.replace(_transforms, "_forward_mode_linearize", _first_tangent_only)


def __getattr__(name):
    return getattr(_copy, name)
