"""``torch.func``'s differentiation transforms: grad, grad_and_value, vjp, jvp, jacrev, jacfwd,
hessian, on the one engine (``autograd.grad``).

A transform call is a *level*: the differentiated arguments enter it as fresh tensors that
require grad (an alias, still in the caller's graph, when the caller tracks them), the function
runs with grad mode on (whatever the caller's mode), and the results leave the level detached
unless they depend on something the caller tracks (then they keep their graph, which is what
lets transforms nest: ``jacrev(jacrev(f))``, ``jacfwd(jacrev(f))``, ``vmap(grad(f))``).

Forward mode (``jvp``, ``jacfwd``) goes through one function, ``_forward_mode_linearize``: the
function runs under ``autograd.forward_ad.dual_level()`` on dual leaves and the products are
the outputs' tangents. Only inside another forward-mode transform (``jacfwd(jacfwd(f))``), where
the outer one holds the one dual level refgrad has, is the product the VJP of a VJP.
"""
from __future__ import annotations

import functools
import importlib
from typing import Callable

import numpy as np

from . import _pytree as pytree


def _ns():
    """The torch-like package this module belongs to, whatever name it was loaded under."""
    return importlib.import_module("..", __package__)


# ---------------------------------------------------------------------------------------------
# levels: entering, the caller's graph, leaving


def _enter(ns, value, caller_tracks: bool):
    """A tensor of the new level standing for the caller's ``value``."""
    if not isinstance(value, ns.Tensor):
        raise ValueError(f"Thing passed to transform API must be Tensor, got {type(value)}")
    if caller_tracks and value.requires_grad:
        return value.view_as(value)          # differentiable identity: keeps the caller's graph
    return _detached(ns, value).requires_grad_()


def _detached(ns, value):
    """``value.detach()`` keeping its tangent at the active dual level: a forward-mode
    transform around this level differentiates through it without tracking it."""
    forward_ad = ns.autograd.forward_ad
    detached = value.detach()
    tangent = forward_ad.tangent_of(value)
    if tangent is not None:
        forward_ad.set_tangent(detached, tangent)
    return detached


def _reaches_other_leaves(tensors, own_leaves) -> bool:
    """Does any of ``tensors`` depend on a tensor the caller tracks (a leaf that is not one of
    this level's own, reached through the graph)?"""
    own = {id(leaf) for leaf in own_leaves}
    stack, seen = [], set()
    for t in tensors:
        if t is None or not t.requires_grad:
            continue
        if t.grad_fn is None:
            if id(t) not in own:
                return True
            continue
        stack.append(t.grad_fn)
    while stack:
        node = stack.pop()
        if node is None or id(node) in seen:
            continue
        seen.add(id(node))
        variable = getattr(node, "variable", None)
        if variable is not None and type(node).__name__ == "AccumulateGrad":
            if id(variable) not in own:
                return True
            continue
        stack.extend(next_node for next_node, _ in node.next_functions)
    return False


def _leave(ns, tree, keep_graph: bool):
    """Results handed back to the caller: detached unless they are in the caller's graph."""
    if keep_graph:
        return tree
    return pytree.tree_map(lambda v: _detached(ns, v) if isinstance(v, ns.Tensor) else v, tree)


def _leave_aux(ns, aux, keep_graph: bool):
    """``has_aux``'s second value: tensors only, handed back like the results."""
    for leaf in pytree.flatten(aux)[0]:
        if not isinstance(leaf, ns.Tensor):
            raise RuntimeError(f"Expected tensors, got unsupported type {type(leaf)}")
    return _leave(ns, aux, keep_graph)


def _zeros_like(ns, tensor):
    return ns.zeros_like(tensor.detach())


def _materialize(ns, grads, refs):
    """None (the output does not depend on that input) becomes zeros, as torch.func gives."""
    return [_zeros_like(ns, ref) if g is None else g for g, ref in zip(grads, refs)]


def _grad(ns, outputs, inputs, cotangents, create_graph: bool):
    """``autograd.grad`` over the outputs that are in the graph; None for unreached inputs."""
    kept = [(o, c) for o, c in zip(outputs, cotangents)
            if o.requires_grad and c is not None]
    if not kept or not inputs:
        return [None] * len(inputs)
    return list(ns.autograd.grad([o for o, _ in kept], list(inputs), [c for _, c in kept],
                                 retain_graph=True, create_graph=create_graph,
                                 allow_unused=True))


# ---------------------------------------------------------------------------------------------
# argnums and outputs


def _check_argnums(argnums, num_args: int) -> tuple[int, ...]:
    """The positional indices to differentiate, validated like torch.func."""
    if isinstance(argnums, bool) or not isinstance(argnums, (int, tuple)):
        raise RuntimeError(f"argnums must be int or Tuple[int, ...], got: {type(argnums)}")
    items = (argnums,) if isinstance(argnums, int) else argnums
    if not items:
        raise RuntimeError("argnums must be non-empty")
    for argnum in items:
        if not isinstance(argnum, int) or isinstance(argnum, bool):
            raise RuntimeError(f"argnum must be int, got: {type(argnum)}")
        if not -num_args <= argnum < num_args:
            raise RuntimeError(f"Got argnum={argnum}, but only {num_args} positional inputs")
    if len(set(items)) != len(items):
        raise RuntimeError(f"argnums elements must be unique, got {argnums}")
    return tuple(a % num_args for a in items)


def _argnums_tree(args, argnums):
    """What is differentiated: the argument itself (int argnums) or a tuple of them."""
    return args[argnums] if isinstance(argnums, int) else tuple(args[a] for a in argnums)


def _with_argnums(args, argnums, new_tree) -> tuple:
    """``args`` with the differentiated positions replaced by ``new_tree``'s entries."""
    args = list(args)
    positions = (argnums,) if isinstance(argnums, int) else argnums
    values = (new_tree,) if isinstance(argnums, int) else new_tree
    for position, value in zip(positions, values):
        args[position] = value
    return tuple(args)


def _split_aux(output, has_aux: bool, api: str):
    if not has_aux:
        return output, None
    if not (isinstance(output, tuple) and len(output) == 2):
        raise RuntimeError(f"{api}: output of function f should be a tuple: (output, aux) "
                           "if has_aux is True")
    return output


def _only_tensors(ns, tree, api: str, call: str):
    leaves, spec = pytree.flatten(tree)
    for leaf in leaves:
        if not isinstance(leaf, ns.Tensor):
            raise RuntimeError(f"{api}: expected {call} to return only tensors, got "
                               f"unsupported type {type(leaf)}")
    return leaves, spec


# ---------------------------------------------------------------------------------------------
# vjp, grad, grad_and_value


class _Level:
    """One call of the function with its differentiated leaves entered as fresh tensors."""

    def __init__(self, ns, func, primals_tree, call_with, run_now: bool = True):
        self.ns = ns
        self.caller_tracks = ns.is_grad_enabled()
        leaves, self.primal_spec = pytree.flatten(primals_tree)

        def run(entered_leaves):
            """The function of the differentiated leaves (a forward-mode step may rerun it)."""
            return func(*call_with(pytree.unflatten(entered_leaves, self.primal_spec)))
        self.run = run
        with ns.enable_grad():
            self.leaves = [_enter(ns, leaf, self.caller_tracks) for leaf in leaves]
            # (jvp's forward-mode step makes the one run itself, on dual leaves)
            self.raw_output = run(self.leaves) if run_now else None

    def keeps_graph(self, tensors) -> bool:
        return self.caller_tracks and _reaches_other_leaves(tensors, self.leaves)


def vjp(func: Callable, *primals, has_aux: bool = False):
    """``(func(*primals), vjp_fn)``; ``vjp_fn(cotangents)`` is a tuple, one entry per primal."""
    ns = _ns()
    level = _Level(ns, func, primals, lambda entered: entered)
    output, aux = _split_aux(level.raw_output, has_aux, "vjp(f, *primals)")
    out_leaves, out_spec = _only_tensors(ns, output, "vjp(f, *primals)", "f(*primals)")
    keep = level.keeps_graph(out_leaves)

    def vjp_fn(cotangents, retain_graph: bool = True, create_graph=None):
        ct_leaves, ct_spec = pytree.flatten(cotangents)
        if ct_spec != out_spec:
            raise RuntimeError(
                "Expected pytree structure of cotangents to be the same as pytree structure "
                f"of outputs to the function. cotangents: {ct_spec.pprint()}, primal output: "
                f"{out_spec.pprint()}")
        # create_graph=False asks for results outside any graph; the graph is kept only
        # where the caller tracks something the products depend on
        tracks = create_graph is not False and ns.is_grad_enabled() and (keep or any(
            isinstance(c, ns.Tensor) and c.requires_grad for c in ct_leaves))
        with ns.enable_grad():
            grads = _grad(ns, out_leaves, level.leaves, ct_leaves, create_graph=tracks)
        grads = _materialize(ns, grads, level.leaves)
        return _leave(ns, pytree.unflatten(grads, level.primal_spec), tracks)

    result = (_leave(ns, output, keep), vjp_fn)
    return result + (_leave_aux(ns, aux, keep),) if has_aux else result


def grad_and_value(func: Callable, argnums=0, has_aux: bool = False) -> Callable:
    """``f -> (grad of f at args, f(args))`` for a scalar-valued ``f``."""
    api = "grad_and_value(f)(*args)"

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        ns = _ns()
        positions = _check_argnums(argnums, len(args))
        picked = positions[0] if isinstance(argnums, int) else positions
        level = _Level(ns, lambda *a: func(*a, **kwargs), _argnums_tree(args, picked),
                       lambda entered: _with_argnums(args, picked, entered))
        output, aux = _split_aux(level.raw_output, has_aux, api)
        if not isinstance(output, ns.Tensor):
            raise RuntimeError(f"{api}: Expected f(*args) to return a Tensor, got "
                               f"{type(output)}")
        if output.dim() != 0:
            raise RuntimeError(
                f"{api}: Expected f(*args) to return a scalar Tensor, got tensor with "
                f"{output.dim()} dims. Maybe you wanted to use the vjp or jacrev APIs instead?")
        keep = level.keeps_graph([output])
        with ns.enable_grad():
            grads = _grad(ns, [output], level.leaves, [ns.ones_like(output.detach())],
                          create_graph=keep)
        grads = pytree.unflatten(_materialize(ns, grads, level.leaves), level.primal_spec)
        value = _leave(ns, output, keep)
        if has_aux:
            return _leave(ns, grads, keep), (value, _leave_aux(ns, aux, keep))
        return _leave(ns, grads, keep), value

    return wrapper


def grad(func: Callable, argnums=0, has_aux: bool = False) -> Callable:
    """``f -> grad of f``: the gradient of a scalar-valued ``f`` w.r.t. ``args[argnums]``."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        gradients, value = grad_and_value(func, argnums, has_aux)(*args, **kwargs)
        return (gradients, value[1]) if has_aux else gradients

    return wrapper


# ---------------------------------------------------------------------------------------------
# forward mode


def _forward_mode_linearize(ns, level, outputs_of):
    """``jvp_fn``: tangents (one per entered leaf, None for zero) to ``(outputs, J v)``, the
    output leaves of that run and one product per output leaf.

    The forward-mode step of jvp and jacfwd, by dual numbers: each call reruns the function of
    the entered leaves under ``forward_ad.dual_level()`` with the leaves made dual with their
    tangents (keeping its output as ``level.raw_output``), and reads the outputs' tangents
    with ``unpack_dual`` (None: the output does not depend on them, a zero product). A
    transform nested inside (``jacfwd(jacrev(f))``, ``jvp(grad(f))``) enters its arguments
    with their tangents, and its backward pass, run on dual tensors, carries them through the
    VJPs (forward over reverse).
    """
    forward_ad = ns.autograd.forward_ad

    # a leaf in the caller's graph (an alias) stays in it; a fresh one is differentiated by
    # its tangent alone, so the run records no graph of it
    bases = [leaf if leaf.grad_fn is not None else leaf.detach() for leaf in level.leaves]

    def jvp_fn(tangents, create_graph: bool):
        with ns.enable_grad(), forward_ad.dual_level():
            duals = [base if t is None else forward_ad.make_dual(base, t)
                     for base, t in zip(bases, tangents)]
            level.raw_output = level.run(duals)
            outputs = outputs_of(level.raw_output)
            products = [forward_ad.unpack_dual(out).tangent for out in outputs]
        products = [p if p is None or create_graph else p.detach() for p in products]
        return outputs, _materialize(ns, products, outputs)

    return jvp_fn


def _nested_forward_mode_linearize(ns, level, out_leaves):
    """``_forward_mode_linearize`` inside another forward-mode transform (``jacfwd(jacfwd(f))``,
    ``jvp`` of ``jvp``), where the outer one holds the only dual level: the product is the VJP
    of a VJP (``g(u) = u^T J`` is linear in a dummy ``u``, so its VJP with ``v`` is ``J v``),
    whose backward ops carry the outer level's tangents."""
    with ns.enable_grad():
        dummies = [_zeros_like(ns, out).requires_grad_() for out in out_leaves]
        g = _grad(ns, out_leaves, level.leaves, dummies, create_graph=True)

    def jvp_fn(tangents, create_graph: bool):
        pairs = [(g_j, t) for g_j, t in zip(g, tangents)
                 if g_j is not None and t is not None and g_j.requires_grad]
        with ns.enable_grad():
            products = _grad(ns, [p for p, _ in pairs], dummies, [t for _, t in pairs],
                             create_graph=create_graph)
        return out_leaves, _materialize(ns, products, out_leaves)

    return jvp_fn


def _linearize(ns, level, outputs_of):
    """The forward-mode ``jvp_fn`` for this level: by dual numbers, unless a dual level is
    already active (a forward-mode transform nested in another)."""
    if ns.autograd.forward_ad.STATE.level >= 0:
        return _nested_forward_mode_linearize(ns, level, outputs_of(level.raw_output))
    return _forward_mode_linearize(ns, level, outputs_of)


def jvp(func: Callable, primals, tangents, *, strict: bool = False, has_aux: bool = False):
    """``(func(*primals), J tangents)`` (and ``aux`` with ``has_aux``)."""
    ns = _ns()
    api = "jvp(f, primals, tangents)"
    if not isinstance(primals, tuple):
        raise RuntimeError(f"{api}: Expected primals to be a tuple. E.g. it should be valid "
                           "to call f(*primals).")
    primal_leaves, primal_spec = pytree.flatten(primals)
    tangent_leaves, tangent_spec = pytree.flatten(tangents)
    if primal_spec != tangent_spec:
        raise RuntimeError(
            f"{api}: Expected primals and tangents to have the same python structure. For "
            "example, if primals is a tuple of 3 tensors, tangents also must be. Got primals "
            f"with structure {primal_spec!r} and tangents with structure {tangent_spec!r}")
    if not primal_leaves:
        raise RuntimeError(f"{api}: Expected primals to contain at least one Tensor.")
    for p, t in zip(primal_leaves, tangent_leaves):
        for value, what in ((p, "primals"), (t, "tangents")):
            if not isinstance(value, ns.Tensor):
                raise RuntimeError(f"{api}: Expected {what} to only contain Tensors, got "
                                   f"{type(value)}")
        if not t.is_floating_point():
            raise ValueError(f"Expected tangent to be floating point or complex, but got: "
                             f"{t.dtype}")
        if tuple(p.shape) != tuple(t.shape):
            raise RuntimeError(
                "Trying to set a forward gradient that has a different size than that of the "
                f"original Tensor, this is not supported. Tensor is of size {list(p.shape)} "
                f"while the given forward gradient is of size {list(t.shape)}.")
    nested = ns.autograd.forward_ad.STATE.level >= 0
    level = _Level(ns, func, primals, lambda entered: entered, run_now=nested)

    def outputs_of(raw_output):
        return _only_tensors(ns, _split_aux(raw_output, has_aux, api)[0], api, "f(*primals)")[0]
    # the products keep their graph here; they leave the level detached unless tracked
    _, products = _linearize(ns, level, outputs_of)(tangent_leaves, True)
    output, aux = _split_aux(level.raw_output, has_aux, api)
    out_leaves, out_spec = _only_tensors(ns, output, api, "f(*primals)")
    keep = level.keeps_graph(out_leaves)
    tracks = keep or (ns.is_grad_enabled() and any(t.requires_grad for t in tangent_leaves))
    result = (_leave(ns, output, keep),
              _leave(ns, pytree.unflatten(products, out_spec), tracks))
    return result + (_leave_aux(ns, aux, keep),) if has_aux else result


# ---------------------------------------------------------------------------------------------
# Jacobians


def _one_hot(ns, like, k: int):
    array = np.zeros(tuple(like.shape), dtype=like.detach().numpy().dtype)
    array.reshape(-1)[k] = 1
    return ns.tensor(array)


# A Jacobian assembled inside a graph (a transform nested in another) keeps its rows and
# the node it was assembled with: an outer jacrev sends the one-hot cotangent of an entry to
# the one row holding it instead of through the stack, where every other row would carry
# zeros through its graph. The values are the same; the work is one row's. (The assembled
# tensor is a view of the stack: an in-place change to it is refused while grad is on.)
_ROWS = "_jacobian_rows"


def _assemble(ns, pieces, shape, axis_last: bool, keep: bool, like):
    """Rows (jacrev) or columns (jacfwd) into one tensor of ``shape``."""
    if not pieces:
        return ns.zeros(shape, dtype=like.dtype)
    if keep or any(ns.autograd.forward_ad.tangent_of(p) is not None for p in pieces):
        jac = ns.stack(pieces, -1 if axis_last else 0).reshape(shape)
        if not axis_last:
            jac.__dict__[_ROWS] = (pieces, jac.grad_fn)
        return jac
    arrays = [p.detach().numpy() for p in pieces]
    return ns.tensor(np.stack(arrays, -1 if axis_last else 0).reshape(shape))


def _row_holding(out, k: int):
    """``(tensor, index)``: where the ``k``-th entry of ``out`` is computed."""
    assembled = out.__dict__.get(_ROWS)
    if assembled is not None:
        pieces, node = assembled
        if out.grad_fn is node:
            row_size = pieces[0].numel()
            return pieces[k // row_size], k % row_size
    return out, k


def _jacobian_tree(out_spec, primal_spec, blocks):
    """``blocks[i][j]``: output leaf i by primal leaf j, nested like torch.func: the outputs'
    structure outside, the differentiated arguments' structure inside."""
    return pytree.unflatten([pytree.unflatten(row, primal_spec) for row in blocks], out_spec)


def _jacobian_transform(func, argnums, has_aux, api, forward: bool):
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        ns = _ns()
        positions = _check_argnums(argnums, len(args))
        picked = positions[0] if isinstance(argnums, int) else positions
        if forward:     # torch's jacfwd sizes its basis before it checks the arguments
            for leaf in pytree.flatten(_argnums_tree(args, picked))[0]:
                if not isinstance(leaf, ns.Tensor):
                    raise AttributeError(f"'{type(leaf).__name__}' object has no attribute "
                                         "'numel'")
        level = _Level(ns, lambda *a: func(*a, **kwargs), _argnums_tree(args, picked),
                       lambda entered: _with_argnums(args, picked, entered))
        output, aux = _split_aux(level.raw_output, has_aux, api)
        call = "f(*primals)"
        out_leaves, out_spec = _only_tensors(ns, output, api, call)
        keep = level.keeps_graph(out_leaves)
        leaves = level.leaves
        blocks = [[None] * len(leaves) for _ in out_leaves]
        if forward:
            jvp_fn = _linearize(ns, level, lambda raw_output: _only_tensors(
                ns, _split_aux(raw_output, has_aux, api)[0], api, call)[0])
            for j, leaf in enumerate(leaves):
                columns = [[] for _ in out_leaves]
                for k in range(leaf.numel()):
                    tangents = [_one_hot(ns, leaf, k) if idx == j else None
                                for idx in range(len(leaves))]
                    for i, column in enumerate(jvp_fn(tangents, keep)[1]):
                        columns[i].append(column)
                for i, out in enumerate(out_leaves):
                    shape = tuple(out.shape) + tuple(leaf.shape)
                    blocks[i][j] = _assemble(ns, columns[i], shape, True, keep, out)
        else:
            for i, out in enumerate(out_leaves):
                rows = [[] for _ in leaves]
                for k in range(out.numel()):
                    piece, index = _row_holding(out, k)
                    with ns.enable_grad():
                        grads = _grad(ns, [piece], leaves, [_one_hot(ns, piece, index)], keep)
                    for j, g in enumerate(_materialize(ns, grads, leaves)):
                        rows[j].append(g)
                for j, leaf in enumerate(leaves):
                    shape = tuple(out.shape) + tuple(leaf.shape)
                    blocks[i][j] = _assemble(ns, rows[j], shape, False, keep, out)
        jac = _leave(ns, _jacobian_tree(out_spec, level.primal_spec, blocks), keep)
        return (jac, _leave_aux(ns, aux, keep)) if has_aux else jac

    return wrapper


def jacrev(func: Callable, argnums=0, *, has_aux: bool = False, chunk_size=None,
           _preallocate_and_copy: bool = False) -> Callable:
    """The Jacobian by reverse mode: one VJP per output element (a row of the Jacobian).

    ``chunk_size`` only changes how torch batches the rows; the values are the same."""
    if chunk_size is not None and chunk_size <= 0:
        raise ValueError("jacrev: `chunk_size` should be greater than 0.")
    return _jacobian_transform(func, argnums, has_aux, "vjp(f, *primals)", forward=False)


def jacfwd(func: Callable, argnums=0, has_aux: bool = False, *, randomness: str = "error"
           ) -> Callable:
    """The Jacobian by forward mode: one JVP per input element (a column of the Jacobian)."""
    return _jacobian_transform(func, argnums, has_aux, "jvp(f, primals, tangents)",
                               forward=True)


def hessian(func: Callable, argnums=0) -> Callable:
    """``jacfwd(jacrev(func, argnums), argnums)``, as torch.func defines it."""
    return jacfwd(jacrev(func, argnums), argnums)


__all__ = ["grad", "grad_and_value", "vjp", "jvp", "jacrev", "jacfwd", "hessian"]
