"""``torch.linalg``: vector norms (``vector_norm``, and ``norm`` of vectors)."""
from __future__ import annotations

from .ops.statistics import vector_norm as _vector_norm

__all__ = ["vector_norm", "norm"]


def vector_norm(x, ord=2, dim=None, keepdim=False, *, dtype=None, out=None, keepdims=None):
    """``(sum |x|**ord) ** (1/ord)`` over ``dim`` (all elements by default)."""
    if keepdims is not None:
        keepdim = keepdims
    return _vector_norm(x, ord, dim, keepdim, dtype=dtype, out=out)


def norm(x, ord=None, dim=None, keepdim=False, *, dtype=None, out=None):
    """``torch.linalg.norm`` of a vector (or over one ``dim``): :func:`vector_norm`. Matrix
    norms are not part of refgrad."""
    is_vector = (dim is None and x.dim() <= 1) or isinstance(dim, int) or (
        dim is not None and len(dim) == 1)
    if ord is None and (dim is None or is_vector):
        return vector_norm(x, 2, dim, keepdim, dtype=dtype, out=out)
    if not is_vector or isinstance(ord, str):
        raise NotImplementedError("refgrad's linalg.norm computes vector norms only; use "
                                  "linalg.vector_norm")
    return vector_norm(x, ord, dim, keepdim, dtype=dtype, out=out)
