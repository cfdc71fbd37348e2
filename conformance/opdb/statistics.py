"""Vector norms, var and std: refgrad's rows LinalgVectorNormBackward0, VarBackward0 and
StdBackward0. Their recipes draw at least two elements along the reduced dim (var with one
element is nan) and distinct values (no ties for the inf-norm, no all-zero vector)."""
from __future__ import annotations

from hypothesis import strategies as st

from conformance.opdb import draws
from conformance.opdb.core import OpInfo, Operand, Param, Recipe, param_family

INF = float("inf")


def _reduced_dim(data):
    """A distinct-valued array of >= 1 dims, every side >= 2, a dim and keepdim."""
    shape = data.draw(draws.shapes(min_dims=1, min_side=2))
    params = {"dim": data.draw(st.integers(-len(shape), len(shape) - 1)),
              "keepdim": data.draw(st.booleans())}
    return [draws.distinct_array(data, shape)], params


def _norm(torch, a, p_dim):
    p, dim = p_dim
    return a.norm(p=p) if dim is None else a.norm(p=p, dim=dim)


def _moment(name):
    def call(torch, a, dim_correction):
        dim, correction = dim_correction
        return getattr(a, name)(dim=dim, correction=correction)
    return call


_MOMENT_PARAM = Param("dim_correction", [(None, 1), (0, 1), (1, 0), ((0, 1), 2)],
                      ["all", "0", "1-correction0", "0+1-correction2"])

OPS = (
    OpInfo("norm", "Tensor.norm", True, cases=(
        param_family("norm", _norm, (Operand("a", (3, 4)),),
                     Param("p_dim", [(2, None), (1, 0), (3, 1), (INF, 1), (0.5, None)],
                           ["2", "1-dim0", "3-dim1", "inf-dim1", "0.5"])),
    ), recipes=(Recipe("LinalgVectorNormBackward0", lambda ns, a, dim, keepdim:
                       ns.linalg.vector_norm(a, 2, dim, keepdim), _reduced_dim),)),
    OpInfo("var", "Tensor.var", True, cases=(
        param_family("var", _moment("var"), (Operand("a", (3, 4)),), _MOMENT_PARAM),
    ), recipes=(Recipe("VarBackward0", lambda ns, a, dim, keepdim: a.var(dim, keepdim=keepdim),
                       _reduced_dim),)),
    OpInfo("std", "Tensor.std", True, cases=(
        param_family("std", _moment("std"), (Operand("a", (3, 4)),), _MOMENT_PARAM),
    ), recipes=(Recipe("StdBackward0", lambda ns, a, dim, keepdim: a.std(dim, keepdim=keepdim),
                       _reduced_dim),)),
)
