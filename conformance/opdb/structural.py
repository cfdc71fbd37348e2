"""Reductions, matrix products, and the ops that move values around: views, reshapes,
indexing, joins."""
from __future__ import annotations

from conformance.opdb import draws
from conformance.opdb.core import (
    REDUCE_SHAPES, Family, OpInfo, Operand, Param, Recipe, binary_family, fixed_family,
    param_family, unary_family,
)
from conformance.opdb.domains import ANY, MASK, classes
from conformance.opdb.elementwise import TIES

MATMUL_SHAPES = [((3,), (3,)), ((3,), (3, 4)), ((2, 3), (3,)), ((2, 3), (3, 4)),
                 ((5, 2, 3), (5, 3, 4)), ((5, 2, 3), (3, 4)), ((2, 3), (5, 3, 4)),
                 ((5, 2, 3), (3,)), ((3,), (5, 3, 4)), ((2, 1, 2, 3), (5, 3, 4))]


def _primal_of_dual(ns, a):
    fwad = ns.autograd.forward_ad
    with fwad.dual_level():
        return fwad.unpack_dual(fwad.make_dual(a, a.detach() * 0.5)).primal


def _dims_param(values, ids) -> Param:
    """``(dim, keepdim)`` pairs."""
    return Param("dim_keepdim", values, ids)


def _index_observables(result, observed, a):
    return {"index": result, "index.dtype": str(result.dtype),
            "index.requires_grad": result.requires_grad}


def _argmax_family(name: str, call, dims, ids) -> Family:
    return Family(name, call, (Operand("a", (3, 4)),), f"ops/{name}/{{dim}}",
                  (Param("dim", dims, ids),), dtyped=False, vjp=False,
                  also=_index_observables)


# Indexing: a readable name for each index expression, and the expression itself.
INDEXERS = {
    "int": lambda a: a[1],
    "negative-int": lambda a: a[-1],
    "int-int": lambda a: a[0, 2],
    "chained-int": lambda a: a[0][2],
    "column": lambda a: a[:, 1],
    "slice": lambda a: a[0:2],
    "slice-columns": lambda a: a[:, 1:3],
    "step-slice": lambda a: a[:, ::2],
    "full-slice": lambda a: a[:],
    "ellipsis-int": lambda a: a[..., 1],
    "none": lambda a: a[None],
    "list": lambda a: a[[0, 2]],
    "repeated-list": lambda a: a[[1, 1, 0]],
}

OPS = (
    OpInfo("sum", "Tensor.sum", False, edges=(0.0,), cases=(
        unary_family("sum_all", lambda torch, a: a.sum(), shapes=REDUCE_SHAPES),
        param_family("sum_dim", lambda torch, a, dim_keepdim: a.sum(
            dim_keepdim[0], keepdim=dim_keepdim[1]), (Operand("a", (2, 3, 4)),),
            _dims_param([(0, False), (1, False), (-1, False), (1, True), ((0, 2), False),
                         ((0, 1), True)],
                        ["0", "1", "-1", "1-keepdim", "0+2", "0+1-keepdim"])),
        fixed_family("torch_sum_function", lambda torch, a: torch.sum(a, dim=0),
                     (Operand("a", (3, 2)),), key="torch.sum"),
    ), recipes=(
        Recipe("SumBackward0", lambda ns, a: a.sum(), draws.unary()),
        Recipe("SumBackward1", lambda ns, a, dim, keepdim: a.sum(dim, keepdim=keepdim),
               draws.with_dim()),
    ), fuzz=True),
    OpInfo("mean", "Tensor.mean", False, edges=(0.0,), cases=(
        unary_family("mean_all", lambda torch, a: a.mean(), shapes=REDUCE_SHAPES),
        param_family("mean_dim", lambda torch, a, dim_keepdim: a.mean(
            dim=dim_keepdim[0], keepdim=dim_keepdim[1]), (Operand("a", (2, 3, 4)),),
            _dims_param([(0, False), (1, False), (-1, True), ((0, 2), False), ((1, 2), True)],
                        ["0", "1", "-1-keepdim", "0+2", "1+2-keepdim"])),
    ), recipes=(
        Recipe("MeanBackward0", lambda ns, a: a.mean(), draws.unary()),
        Recipe("MeanBackward1", lambda ns, a, dim, keepdim: a.mean(dim, keepdim=keepdim),
               draws.with_dim()),
    ), fuzz=True),
    OpInfo("max", "Tensor.max", True, edges=TIES, cases=(
        unary_family("max_all", lambda torch, a: a.max(), shapes=REDUCE_SHAPES),
        param_family("max_dim", lambda torch, a, dim_keepdim: a.max(
            dim_keepdim[0], keepdim=dim_keepdim[1]), (Operand("a", (3, 4)),),
            _dims_param([(0, False), (1, False), (-1, True)], ["0", "1", "-1-keepdim"]),
            output=lambda result: result.values,
            also=lambda result, observed, a: {
                "indices": result.indices,
                "result[1] equals indices": result[1].tolist() == result.indices.tolist()}),
    ), recipes=(
        Recipe("MaxBackward1", lambda ns, a: a.max(), draws.distinct_unary),
        Recipe("MaxBackward0", lambda ns, a, dim, keepdim: a.max(dim, keepdim=keepdim)[0],
               draws.with_dim(distinct=True)),
    ), fuzz=True),
    OpInfo("min", "Tensor.min", True, edges=TIES, cases=(
        unary_family("min_all", lambda torch, a: torch.min(a), shapes=REDUCE_SHAPES),
        param_family("min_dim", lambda torch, a, dim_keepdim: torch.min(
            a, dim=dim_keepdim[0], keepdim=dim_keepdim[1]), (Operand("a", (3, 4)),),
            _dims_param([(0, False), (1, True)], ["0", "1-keepdim"]),
            output=lambda result: result[0],
            also=lambda result, observed, a: {"indices": result[1]}),
    ), recipes=(
        Recipe("MinBackward1", lambda ns, a: a.min(), draws.distinct_unary),
        Recipe("MinBackward0", lambda ns, a, dim, keepdim: a.min(dim, keepdim=keepdim)[0],
               draws.with_dim(distinct=True)),
    ), fuzz=True),
    OpInfo("matmul", "Tensor.__matmul__", True, (ANY, ANY), (0.0, 1.0), cases=(
        binary_family("matmul", lambda torch, a, b: torch.matmul(a, b), shapes=MATMUL_SHAPES),
        binary_family("matmul_operator", lambda torch, a, b: a @ b,
                      shapes=[((2, 3), (3, 4)), ((3,), (3, 2))]),
        fixed_family("matmul_one_side_requires_grad", lambda torch, a, b: a @ b,
                     (Operand("a", (2, 3), suffix="/a"),
                      Operand("b", (3, 4), suffix="/b", grad=False)), key="matmul_one_side"),
    ), recipes=(
        Recipe("MmBackward0", lambda ns, a, b: ns.matmul(a, b), draws.matrices("mk", "kn")),
        Recipe("MvBackward0", lambda ns, a, b: ns.matmul(a, b), draws.matrices("mk", "k")),
        Recipe("DotBackward0", lambda ns, a, b: ns.matmul(a, b), draws.matrices("k", "k")),
        # 3-d @ 3-d: UnsafeView over Bmm
        Recipe("UnsafeViewBackward0", lambda ns, a, b: ns.matmul(a, b),
               draws.fixed((2, 2, 3), (2, 3, 2))),
        # 1-d @ 2-d: matmul squeezes its own result
        Recipe("SqueezeBackward4", lambda ns, a, b: ns.matmul(a, b),
               draws.matrices("k", "kn")),
    ), fuzz=True),
    OpInfo("transpose", "Tensor.transpose", False, edges=(0.0,), cases=(
        param_family("transpose", lambda torch, a, dims: a.transpose(*dims),
                     (Operand("a", (2, 3)),),
                     Param("dims", [(0, 1), (1, 0), (-1, -2)], ["0-1", "1-0", "-1--2"])),
        fixed_family("transpose_3d", lambda torch, a: torch.transpose(a, 0, 2),
                     (Operand("a", (2, 3, 4)),)),
        unary_family("t", lambda torch, a: a.t(), shapes=[(2, 3), (4,)]),
        fixed_family("T", lambda torch, a: a.T, (Operand("a", (2, 3)),)),
    ), recipes=(
        Recipe("TransposeBackward0", lambda ns, a, dim0, dim1: a.transpose(dim0, dim1),
               draws.two_dims),
        Recipe("TBackward0", lambda ns, a: a.t(), draws.matrix),
    ), fuzz=True),
    OpInfo("reshape", "Tensor.reshape", False, edges=(0.0,), cases=(
        param_family("reshape", lambda torch, a, new_shape: a.reshape(new_shape),
                     (Operand("a", (2, 3)),),
                     Param("new_shape", [(3, 2), (6,), (-1,), (1, 6), (2, -1), (2, 3)],
                           ["3x2", "6", "-1", "1x6", "2x-1", "same"])),
        fixed_family("reshape_non_contiguous", lambda torch, a: a.t().reshape(6),
                     (Operand("a", (2, 3)),)),
        # reshape of a transposed (3, 2, 3) -> (2, 3, 3) input that strides still allow as
        # a view: torch records ReshapeAliasBackward0 over TransposeBackward0
        param_family("reshape_viewable_non_contiguous",
                     lambda torch, a, new_shape: a.transpose(0, 1).reshape(new_shape),
                     (Operand("a", (3, 2, 3)),),
                     Param("new_shape", [(2, 3, 3), (-1, 3, 3), (2, 3, 1, 3)],
                           ["2x3x3", "-1x3x3", "2x3x1x3"])),
    ), recipes=(
        Recipe("ReshapeAliasBackward0",
               lambda ns, a, dim0, dim1, size: a.transpose(dim0, dim1).reshape(size),
               draws.viewable_non_contiguous),
    ), fuzz=True),
    OpInfo("squeeze", "Tensor.squeeze", False, edges=(0.0,), cases=(
        param_family("squeeze", lambda torch, a, dim: a.squeeze() if dim is None else
                     a.squeeze(dim), (Operand("a", (1, 3, 1)),),
                     Param("dim", [None, 0, 2, -1, (0, 2), (1,)],
                           ["all", "0", "2", "-1", "0+2", "1-of-3"])),
    ), recipes=(
        Recipe("SqueezeBackward0", lambda ns, a, dims: a.squeeze(), draws.with_unit_dims),
        Recipe("SqueezeBackward1", lambda ns, a, dims: a.squeeze(dims[0]),
               draws.with_unit_dims),
        Recipe("SqueezeBackward2", lambda ns, a, dims: a.squeeze(dims), draws.with_unit_dims),
    ), fuzz=True),
    OpInfo("unsqueeze", "Tensor.unsqueeze", False, edges=(0.0,), cases=(
        param_family("unsqueeze", lambda torch, a, dim: a.unsqueeze(dim),
                     (Operand("a", (2, 3)),), Param("dim", [0, 1, 2, -1])),
    ), recipes=(
        Recipe("UnsqueezeBackward0", lambda ns, a, where: a.unsqueeze(min(where, a.dim())),
               draws.unsqueezable),
    ), fuzz=True),
    OpInfo("expand", "Tensor.expand", False, edges=(0.0,), cases=(
        Family("expand", lambda torch, a, shapes: a.expand(*shapes[1]),
               lambda shapes: (Operand("a", shapes[0]),), "ops/expand/{shapes}/{dtype}",
               (Param("shapes", [((1, 3), (4, 3)), ((2, 1), (2, 5)), ((3,), (2, 3)),
                                 ((1, 3), (2, -1)), ((2, 1, 3), (4, 2, 2, 3))],
                      ["1x3-4x3", "2x1-2x5", "3-2x3", "1x3-2x-1", "2x1x3-4x2x2x3"]),)),
        fixed_family("expand_as", lambda torch, a, other: a.expand_as(other),
                     (Operand("a", (1, 3)), Operand("other", (4, 3), suffix="/other",
                                                    grad=False))),
    ), recipes=(
        Recipe("ExpandBackward0", lambda ns, a, size: a.expand(*size), draws.expandable),
    ), fuzz=True),
    OpInfo("detach", "Tensor.detach", False, edges=(0.0,), fuzz=True),
    # --- not in the fuzzer's catalogue -----------------------------------------------------
    OpInfo("amax", "Tensor.amax", True, edges=TIES, cases=(
        param_family("amax", lambda torch, a, dim: a.amax() if dim is None else a.amax(dim),
                     (Operand("a", (3, 4)),),
                     Param("dim", [None, 0, 1, (0, 1)], ["all", "0", "1", "0+1"])),
    ), recipes=(Recipe("AmaxBackward0", lambda ns, a, dim, keepdim: a.amax(
        dim, keepdim=keepdim), draws.with_dim(distinct=True)),)),
    OpInfo("amin", "torch.amin", True, edges=TIES, cases=(
        param_family("amin", lambda torch, a, dim: torch.amin(a) if dim is None else
                     torch.amin(a, dim=dim, keepdim=True), (Operand("a", (3, 4)),),
                     Param("dim", [None, 0, -1], ["all", "0", "-1"])),
    ), recipes=(Recipe("AminBackward0", lambda ns, a, dim, keepdim: a.amin(
        dim, keepdim=keepdim), draws.with_dim(distinct=True)),)),
    # no gradient: the index and its flags are what is observed
    OpInfo("argmax", "Tensor.argmax", False, cases=(
        _argmax_family("argmax", lambda torch, a, dim: a.argmax() if dim is None else
                       a.argmax(dim), [None, 0, 1, -1], ["all", "0", "1", "-1"]),
        _argmax_family("argmin", lambda torch, a, dim: torch.argmin(a) if dim is None else
                       torch.argmin(a, dim=dim), [None, 0, 1], ["all", "0", "1"]),
        Family("argmax_keepdim", lambda torch, a: a.argmax(dim=1, keepdim=True),
               (Operand("a", (3, 4)),), "ops/argmax_keepdim", dtyped=False, vjp=False,
               also=lambda result, observed, a: {"index": result,
                                                 "index.shape": tuple(result.shape)}),
    )),
    OpInfo("mm", "torch.mm", True, (ANY, ANY), cases=(
        binary_family("mm", lambda torch, a, b: torch.mm(a, b),
                      shapes=[((2, 3), (3, 4)), ((1, 5), (5, 1)), ((4, 1), (1, 3))]),
    )),
    OpInfo("mv", "torch.mv", True, (ANY, ANY), cases=(
        binary_family("mv", lambda torch, a, v: torch.mv(a, v), names=("a", "v"),
                      shapes=[((2, 3), (3,)), ((1, 4), (4,))]),
    )),
    OpInfo("dot", "torch.dot", True, (ANY, ANY), cases=(
        param_family("dot", lambda torch, a, b: torch.dot(a, b),
                     lambda n: (Operand("a", (n,), suffix="/a"), Operand("b", (n,), suffix="/b")),
                     Param("n", [1, 3, 7])),
    )),
    OpInfo("bmm", "torch.bmm", True, (ANY, ANY), cases=(
        binary_family("bmm", lambda torch, a, b: torch.bmm(a, b),
                      shapes=[((5, 2, 3), (5, 3, 4)), ((1, 1, 4), (1, 4, 2))]),
    ), recipes=(Recipe("BmmBackward0", lambda ns, a, b: ns.bmm(a, b),
                       draws.matrices("bmk", "bkn")),)),
    OpInfo("permute", "Tensor.permute", False, cases=(
        param_family("permute", lambda torch, a, dims: a.permute(*dims),
                     (Operand("a", (2, 3, 4)),),
                     Param("dims", [(1, 0, 2), (2, 0, 1), (0, 1, 2)],
                           ["1-0-2", "2-0-1", "identity"])),
    ), recipes=(Recipe("PermuteBackward0", lambda ns, a, dims: a.permute(*dims),
                       draws.permutation),)),
    OpInfo("view", "Tensor.view", False, cases=(
        param_family("view", lambda torch, a, new_shape: a.view(*new_shape),
                     (Operand("a", (2, 3)),),
                     Param("new_shape", [(3, 2), (6,), (-1, 2), (1, 2, 3)],
                           ["3x2", "6", "-1x2", "1x2x3"])),
    ), recipes=(Recipe("ViewBackward0", lambda ns, a: a.view(-1), draws.unary(min_dims=1)),)),
    # the primal of a dual tensor that requires grad: a view whose node is Identity
    OpInfo("unpack_dual", "torch.autograd.forward_ad.unpack_dual", False, recipes=(
        Recipe("Identity", lambda ns, a: _primal_of_dual(ns, a), draws.unary()),)),
    OpInfo("indexing", "Tensor.__getitem__", False, cases=(
        param_family("indexing", lambda torch, a, index: INDEXERS[index](a),
                     (Operand("a", (3, 4)),), Param("index", list(INDEXERS))),
        fixed_family("indexing_tensor_index", lambda torch, a, index: a[index],
                     (Operand("a", (3, 4)),
                      Operand("index", (5,), classes(3), "/index", grad=False)),
                     key="indexing_tensor"),
        fixed_family("indexing_bool_mask", lambda torch, a, mask: a[mask],
                     (Operand("a", (3, 4)), Operand("mask", (3, 4), MASK, "/mask", grad=False)),
                     key="indexing_mask"),
    ), recipes=(
        Recipe("SelectBackward0", lambda ns, a, key: a[key], draws.with_index("select")),
        Recipe("SliceBackward0", lambda ns, a, key: a[key], draws.with_index("slice")),
        Recipe("IndexBackward0", lambda ns, a, key: a[key], draws.with_index("index")),
    )),
    OpInfo("cat", "torch.cat", False, cases=(
        param_family("cat", lambda torch, a, b, dim: torch.cat([a, b], dim=dim),
                     (Operand("a", (2, 3), suffix="/a"), Operand("b", (2, 3), suffix="/b")),
                     Param("dim", [0, 1, -1])),
        fixed_family("cat_uneven", lambda torch, a, b, c: torch.cat((a, c, b)),
                     (Operand("a", (1, 3), suffix="/a"), Operand("b", (4, 3), suffix="/b"),
                      Operand("c", (2, 3), suffix="/c", grad=False))),
    ), recipes=(Recipe("CatBackward0", lambda ns, *tensors, dim: ns.cat(tensors, dim),
                       draws.joinable),)),
    OpInfo("stack", "torch.stack", False, cases=(
        param_family("stack", lambda torch, a, b, c, dim: torch.stack([a, b, c], dim=dim),
                     tuple(Operand(n, (2, 3), suffix="/" + n) for n in "abc"),
                     Param("dim", [0, 1, 2, -1])),
    ), recipes=(Recipe("StackBackward0", lambda ns, *tensors, dim: ns.stack(tensors, dim),
                       draws.joinable),)),
)
