"""Linear algebra: mm, mv, dot, bmm rows, and matmul decomposed into them by shape (with
PyTorch's node structure)."""
from __future__ import annotations

import math

import numpy as np

from .._dispatch import apply
from ..tensor import as_tensor_operand, broadcast_error
from ._numpy import _matmul
from ._row import jvps, row, uses, variants
from .views import squeeze_inplace, unsafe_view


def _same_dtype(a, b):
    if a._dtype is not b._dtype:
        raise RuntimeError(f"expected m1 and m2 to have the same dtype, but got: "
                           f"{a._dtype.mm_name} != {b._dtype.mm_name}")


def mm(self, mat2):
    mat2 = as_tensor_operand(mat2)
    if self._data.ndim != 2:
        raise RuntimeError("self must be a matrix")
    if mat2._data.ndim != 2:
        raise RuntimeError("mat2 must be a matrix")
    _same_dtype(self, mat2)
    (n, k), (k2, m) = self._data.shape, mat2._data.shape
    if k != k2:
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({n}x{k} and "
                           f"{k2}x{m})")
    return apply(MM, (self, mat2), self._dtype)


MM = row("MmBackward0", ["self", "mat2"], _matmul, entry=mm, method="mm", function="mm",
         self=(uses("mat2"), lambda g, s: g.mm(s.mat2.t())),
         mat2=(uses("self"), lambda g, s: s.self.t().mm(g)))


def mv(self, vec):
    vec = as_tensor_operand(vec)
    if self._data.ndim != 2 or vec._data.ndim != 1:
        raise RuntimeError(f"vector + matrix @ vector expected, got 1, "
                           f"{self._data.ndim}, {vec._data.ndim}")
    _same_dtype(self, vec)
    n, k = self._data.shape
    if vec._data.shape[0] != k:
        raise RuntimeError(f"size mismatch, got input ({n}), mat ({n}x{k}), vec "
                           f"({vec._data.shape[0]})")
    return apply(MV, (self, vec), self._dtype)


MV = row("MvBackward0", ["self", "vec"], _matmul, entry=mv, method="mv", function="mv",
         self=(uses("vec"), lambda g, s: g.outer(s.vec)),
         vec=(uses("self"), lambda g, s: s.self.t().mv(g)))


def dot(self, other):
    other = as_tensor_operand(other)
    if self._data.ndim != 1 or other._data.ndim != 1:
        raise RuntimeError(f"1D tensors expected, but got {self._data.ndim}D and "
                           f"{other._data.ndim}D tensors")
    if self._dtype is not other._dtype:
        raise RuntimeError(f"dot : expected both vectors to have same dtype, but found "
                           f"{self._dtype.dot_name} and {other._dtype.dot_name}")
    a, b = self._data.shape[0], other._data.shape[0]
    if a != b:
        raise RuntimeError(f"inconsistent tensor size, expected tensor [{a}] and src [{b}] "
                           f"to have the same number of elements, but got {a} and {b} "
                           "elements respectively")
    return apply(DOT, (self, other), self._dtype)


DOT = row("DotBackward0", ["self", "tensor"], lambda a, b: np.asarray(_matmul(a, b)),
          entry=dot, method=("dot", "inner"), function=("dot", "inner"),
          self=(uses("tensor"), lambda g, s: g * s.tensor),
          tensor=(uses("self"), lambda g, s: g * s.self))


def bmm(self, mat2):
    mat2 = as_tensor_operand(mat2)
    if self._data.ndim != 3:
        raise RuntimeError("batch1 must be a 3D tensor")
    if mat2._data.ndim != 3:
        raise RuntimeError("batch2 must be a 3D tensor")
    _same_dtype(self, mat2)
    b, n, k = self._data.shape
    if mat2._data.shape[:2] != (b, k):
        raise RuntimeError(
            f"Expected size for first two dimensions of batch2 tensor to be: [{b}, {k}] "
            f"but got: [{mat2._data.shape[0]}, {mat2._data.shape[1]}].")
    return apply(BMM, (self, mat2), self._dtype)


BMM = row("BmmBackward0", ["self", "mat2"], _matmul, entry=bmm, method="bmm", function="bmm",
          self=(uses("mat2"), lambda g, s: g.bmm(s.mat2.transpose(1, 2))),
          mat2=(uses("self"), lambda g, s: s.self.transpose(1, 2).bmm(g)))


@variants(method=("outer", "ger"), function=("outer", "ger"))
def outer(self, vec2):
    vec2 = as_tensor_operand(vec2)
    for name, t in (("self", self), ("vec2", vec2)):
        if t._data.ndim != 1:
            raise RuntimeError(f"outer: Expected 1-D argument {name}, but got "
                               f"{t._data.ndim}-D")
    return self.reshape(-1, 1) * vec2


# ---------------------------------------------------------------------------------- matmul

@variants(method="matmul", function="matmul", operators="__matmul__")
def matmul(a, b):
    """PyTorch's matmul: decomposed by shape into dot / mv / mm / bmm and views."""
    b = as_tensor_operand(b)
    da, db = a._data.ndim, b._data.ndim
    if da == 0 or db == 0:
        raise RuntimeError(f"both arguments to matmul need to be at least 1D, but they are "
                           f"{da}D and {db}D")
    if da == 1 and db == 1:
        return a.dot(b)
    if da == 2 and db == 1:
        return a.mv(b)
    if da == 1 and db == 2:
        return squeeze_inplace(a.unsqueeze(0).mm(b), 0)
    if da == 2 and db == 2:
        return a.mm(b)
    if (da >= 3 and db in (1, 2)) or (db >= 3 and da in (1, 2)):
        # fold the batch into the rows of one mm / mv; a batched right operand is
        # transposed first, and the result transposed back (PyTorch's node structure)
        transpose = db > da
        t1 = b.mT if transpose else a
        t2 = (a.t() if da == 2 else a) if transpose else b
        shape = t1._data.shape[:-1]
        folded = t1.reshape(math.prod(shape), t1._data.shape[-1])
        if t2._data.ndim == 2:
            shape = shape + (t2._data.shape[1],)
            out = folded.mm(t2)
        else:
            out = folded.mv(t2)
        out = unsafe_view(out, shape)
        return out.mT.contiguous() if transpose and da == 2 else out
    # batched: broadcast the batch dims, bmm, view back
    a2 = a.unsqueeze(0) if da == 1 else a
    b2 = b.unsqueeze(-1) if db == 1 else b
    batch_a, batch_b = a2._data.shape[:-2], b2._data.shape[:-2]
    try:
        batch = np.broadcast_shapes(batch_a, batch_b)
    except ValueError:
        raise broadcast_error(batch_a, batch_b) from None
    n, k = a2._data.shape[-2:]
    k2, m = b2._data.shape[-2:]
    count = math.prod(batch)
    left = a2.expand(batch + (n, k)).reshape(count, n, k)
    right = b2.expand(batch + (k2, m)).reshape(count, k2, m)
    out = unsafe_view(left.bmm(right), batch + (n, m))
    if da == 1:
        out = out.squeeze(-2)
    if db == 1:
        out = out.squeeze(-1)
    return out


@variants(operators="__rmatmul__")
def _rmatmul(self, other):
    return as_tensor_operand(other).matmul(self)


# ------------------------------------------------------------------------- forward mode

# products are bilinear: d(A B) = dA B + A dB
jvps(MM, self=lambda t, s: t.mm(s.mat2), mat2=lambda t, s: s.self.mm(t))
jvps(MV, self=lambda t, s: t.mv(s.vec), vec=lambda t, s: s.self.mv(t))
jvps(DOT, self=lambda t, s: t.dot(s.tensor), tensor=lambda t, s: s.self.dot(t))
jvps(BMM, self=lambda t, s: t.bmm(s.mat2), mat2=lambda t, s: s.self.bmm(t))
