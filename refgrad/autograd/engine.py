"""The backward pass: an iterative walk over the graph, no recursion.

1. Count, for every node reachable from the roots, how many edges lead into it.
2. Start with the roots' gradients; a node is *ready* when all its incoming edges delivered.
3. Run ready nodes highest sequence number first (the most recently created first, with
   ``AccumulateGrad`` at once), as PyTorch does. Running a node: tensor hooks on its output
   gradient, ``retain_grad``, then the node's VJPs; the results are summed into the buffers
   of the nodes below.
4. ``AccumulateGrad`` adds into the leaf's ``.grad`` (created on the first backward, in place
   afterwards; out of place with ``create_graph``), or, for ``autograd.grad``, hands the
   gradient back instead.
5. Without ``retain_graph`` each node frees its saved tensors after it ran.

When only some ``inputs`` are wanted, the walk is pruned to nodes that lead to them.
"""
from __future__ import annotations

import heapq
import sys
import warnings

import numpy as np

from . import grad_mode
from .graph import AccumulateGrad, accumulator

_STATE = grad_mode.STATE

# NumPy's floating-point error state: ops run with warnings off, as PyTorch never warns about
# overflow or invalid values. np.errstate costs microseconds per op; setting its context
# variable to one prepared "quiet" state costs far less.
try:
    from numpy._core._multiarray_umath import _extobj_contextvar as NP_ERRORS
    with np.errstate(all="ignore"):
        NP_QUIET = NP_ERRORS.get()
except (ImportError, AttributeError):  # pragma: no cover - other NumPy versions
    NP_ERRORS = NP_QUIET = None

_CREATE_GRAPH_WARNING = (
    "Using backward() with create_graph=True will create a reference cycle between the "
    "parameter and its gradient which can cause a memory leak. We recommend using "
    "autograd.grad when creating the graph to avoid this. If you have to use this function, "
    "make sure to reset the .grad fields of your parameters to None after use to break the "
    "cycle and avoid the leak.")
_warned_create_graph = [False]


def _as_list(value):
    """A tensor, a sequence of tensors (or None entries), or None, as a list."""
    if value is None:
        return []
    if hasattr(value, "_data"):
        return [value]
    return list(value)      # a bare float raises "'float' object is not iterable", as in torch


def _make_grads(outputs, grads):
    """The root gradients: implicit ones for one-element outputs, else checked by shape."""
    result = []
    for i, out in enumerate(outputs):
        g = grads[i] if i < len(grads) else None
        if g is None:
            if not out._requires_grad:
                result.append(None)
                continue
            if out._data.size != 1:
                raise RuntimeError("grad can be implicitly created only for scalar outputs")
            result.append(out._ones_like())
            continue
        if not hasattr(g, "_data"):
            raise TypeError(
                f"gradients can be either Tensors or None, but got {type(g).__name__}")
        if g._data.shape != out._data.shape:
            raise RuntimeError(
                f"Mismatch in shape: grad_output[{i}] has a shape of {_size(g)} and "
                f"output[{i}] has a shape of {_size(out)}.")
        if g._dtype is not out._dtype:
            g = out._new(g._data.astype(out._dtype.np))
        result.append(g)
    return result


def _size(t) -> str:
    return f"torch.Size([{', '.join(str(s) for s in t._data.shape)}])"


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False,
             inputs=None) -> None:
    """Accumulate d(tensors)/d(leaf) into every reachable leaf's ``.grad``."""
    outputs = _as_list(tensors)
    grads = _as_list(grad_tensors)
    if inputs is not None:
        inputs = _as_list(inputs)
        if not inputs:
            raise RuntimeError("`inputs` argument to `backward()` cannot be empty.")
        for t in inputs:
            t.retain_grad()         # as in PyTorch: a listed non-leaf keeps its .grad
    if create_graph and not _warned_create_graph[0]:
        _warned_create_graph[0] = True
        warnings.warn(_CREATE_GRAPH_WARNING, UserWarning, stacklevel=3)
    if retain_graph is None:
        retain_graph = create_graph
    root_grads = _make_grads(outputs, grads)      # PyTorch checks these first
    _check_outputs(outputs)
    run(outputs, root_grads, retain_graph, create_graph, inputs, accumulate=True)


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False,
         only_inputs=True, allow_unused=None, is_grads_batched=False,
         materialize_grads=False):
    """The gradients of ``outputs`` with respect to ``inputs``, as a tuple; ``.grad`` is
    never touched."""
    if is_grads_batched:
        raise NotImplementedError("refgrad's autograd.grad does not support "
                                  "is_grads_batched=True")
    if materialize_grads and allow_unused is False:
        raise ValueError("Expected allow_unused to be True or not passed when "
                         "materialize_grads=True, but got: allow_unused=False.")
    if allow_unused is None:
        allow_unused = materialize_grads
    outs = _as_list(outputs)
    ins = _as_list(inputs)
    if not ins:
        raise RuntimeError("`inputs` argument to `grad()` cannot be empty.")
    grads = _as_list(grad_outputs)
    if retain_graph is None:
        retain_graph = create_graph
    root_grads = _make_grads(outs, grads)
    _check_outputs(outs)
    for t in ins:
        if not t._requires_grad:
            raise RuntimeError("One of the differentiated Tensors does not require grad")
    result = run(outs, root_grads, retain_graph, create_graph, ins, accumulate=False)
    for i, g in enumerate(result):
        if g is None:
            if materialize_grads:
                t = ins[i]
                result[i] = t._new(np.zeros(t._data.shape, t._dtype.np))
            elif not allow_unused:
                raise RuntimeError(
                    f"The differentiated Tensor at index {i} appears to not have been used "
                    "in the graph. Set allow_unused=True if this is the desired behavior.")
    return tuple(result)


def _check_outputs(outputs):
    for i, out in enumerate(outputs):
        if not out._requires_grad or (out._grad_fn is None and out._no_grad_view):
            raise RuntimeError(
                f"element {i} of tensors does not require grad and does not have a grad_fn")


def _input_node(t):
    return t._grad_fn if t._grad_fn is not None else accumulator(t)


def run(outputs, root_grads, retain_graph, create_graph, inputs, accumulate):
    """Walk the graph below ``outputs``. With ``inputs``, only their gradients are
    produced: accumulated into ``.grad`` (``accumulate``) or returned in a list."""
    roots = []
    for out, g in zip(outputs, root_grads):
        if g is not None:
            roots.append((_input_node(out), g))

    # 1. dependency counts over the reachable graph (iterative); its keys are the nodes seen
    deps = {}
    stack = []
    for node, _ in roots:
        if node not in deps:
            deps[node] = 0
            stack.append(node)
    while stack:
        node = stack.pop()
        for nxt, _ in node.next_functions:
            if nxt is None:
                continue
            if nxt in deps:
                deps[nxt] += 1
            else:
                deps[nxt] = 1
                stack.append(nxt)

    captures = None
    needed = None
    if inputs is not None:
        captures = {}
        for i, t in enumerate(inputs):
            captures.setdefault(_input_node(t), []).append(i)
        needed = _nodes_leading_to(deps, captures)
    results = [None] * (len(inputs) if inputs is not None else 0)

    # 2./3. run ready nodes, most recent first
    buffers = {}
    heap = []
    tie = 0
    held = None
    for node, g in roots:
        if node in buffers:
            buffers[node] = buffers[node] + g
        else:
            buffers[node] = g
    for node in list(buffers):
        if deps[node] == 0:
            heap.append((-node._seq, tie, node))
            tie += 1
    heapq.heapify(heap)

    previous_mode = _STATE.enabled
    _STATE.enabled = bool(create_graph)
    # NumPy quiet once for the whole pass, not per VJP operation
    quiet = NP_ERRORS.set(NP_QUIET) if NP_ERRORS is not None else None
    pop, push = heapq.heappop, heapq.heappush
    ready = None        # the one ready node, while no other is: it skips the heap
    try:
        while heap or ready is not None:
            if ready is not None:
                node, ready = ready, None
            else:
                node = pop(heap)[2]
            grad = buffers.pop(node, None)
            if needed is not None and node not in needed:
                continue
            is_leaf = type(node) is AccumulateGrad
            if grad is not None and (node._retain is not None or (
                    node.variable._hooks if is_leaf else node._pre_hooks)):
                grad = _run_pre_hooks(node, grad)
            if captures is not None and node in captures:
                if grad is not None:
                    grad = _capture(node, grad, inputs, captures[node], results,
                                    accumulate, create_graph)
                if is_leaf or not any(n in needed for n, _ in node.next_functions):
                    continue
            elif is_leaf:
                if grad is not None:
                    _accumulate(node, grad, create_graph)
                continue
            edges = node.next_functions
            if grad is None:
                grads = (None,) * len(edges)
            else:
                if node._node_pre_hooks:
                    for hook in tuple(node._node_pre_hooks):
                        new = hook((grad,))
                        if new is not None:
                            grad = new[0]
                grads = node.apply(grad)
                if node._hooks:
                    for hook in tuple(node._hooks):
                        new = hook(tuple(grads), (grad,))
                        if new is not None:
                            grads = list(new)
                if not retain_graph:
                    node._release()
            for (nxt, _), g in zip(edges, grads):
                if nxt is None:
                    continue
                if g is not None:
                    held = buffers.get(nxt)
                    buffers[nxt] = g if held is None else _add_grads(held, g)
                left = deps[nxt] - 1
                deps[nxt] = left
                if left == 0:
                    if not heap and ready is None:
                        ready = nxt
                        continue
                    if ready is not None:
                        push(heap, (-ready._seq, tie, ready))
                        tie += 1
                        ready = None
                    push(heap, (-nxt._seq, tie, nxt))
                    tie += 1
            # drop this frame's references, so that a leaf can take its buffer over
            grads = g = held = None
    finally:
        if quiet is not None:
            NP_ERRORS.reset(quiet)
        _STATE.enabled = previous_mode
    return results


def _add_grads(a, b):
    """Sum two gradients flowing into one node (a ZeroTensor adds nothing, as in torch)."""
    if a._zero_tensor and a._data.shape == b._data.shape:
        return b
    if b._zero_tensor and a._data.shape == b._data.shape:
        return a
    return a + b


def _nodes_leading_to(nodes, targets):
    """The nodes from which some target node can be reached (targets included)."""
    parents = {}
    for node in nodes:
        for nxt, _ in node.next_functions:
            if nxt is not None:
                parents.setdefault(nxt, []).append(node)
    needed = set()
    stack = [n for n in targets if n in nodes]
    needed.update(stack)
    while stack:
        node = stack.pop()
        for parent in parents.get(node, ()):
            if parent not in needed:
                needed.add(parent)
                stack.append(parent)
    return needed


def _run_pre_hooks(node, grad):
    """Tensor hooks (registration order, each sees the last result), then retain_grad."""
    if type(node) is AccumulateGrad:
        hooks = node.variable._hooks
    else:
        hooks = node._pre_hooks
    if hooks:
        for hook in tuple(hooks):
            new = hook(grad)
            if new is not None:
                _check_hook_result(hook, grad, new)
                grad = new
    retain = node._retain
    if retain is not None:
        tensor = retain()
        if tensor is not None:
            _store_retained(tensor, grad)
    return grad


def _check_hook_result(hook, grad, new):
    name = getattr(hook, "__name__", repr(hook))
    if not hasattr(new, "_data"):
        raise TypeError(f"expected Variable, but hook returned '{type(new).__name__}'")
    if new._data.shape != grad._data.shape:
        raise RuntimeError(f"hook '{name}' has changed the size of value")
    if new._dtype is not grad._dtype:
        raise RuntimeError(
            f"hook '{name}' has changed the type of value (was torch."
            f"{grad._dtype.legacy_name} got torch.{new._dtype.legacy_name})")


def _store_retained(tensor, grad):
    """A retained non-leaf grad: accumulated out of place."""
    if tensor._grad is None:
        tensor._grad = grad if _STATE.enabled else grad._detached_copy()
    else:
        tensor._grad = tensor._grad + grad


def _capture(node, grad, inputs, indices, results, accumulate, create_graph):
    if type(node) is AccumulateGrad and accumulate:
        _accumulate(node, grad, create_graph)
        return grad
    if accumulate:
        return grad                 # a non-leaf input: retain_grad stored it already
    for i in indices:
        results[i] = grad if results[i] is None else results[i] + grad
    return grad


def _owned_by_engine_only(grad) -> bool:
    """True when ``grad`` is referenced only by the engine's frames (run's, _accumulate's,
    this one's and getrefcount's argument) and owns a writable, contiguous array that
    nothing else holds (``grad._data``, the local ``data`` and getrefcount's argument)."""
    data = grad._data
    return (sys.getrefcount(grad) <= 4 and grad._grad_fn is None and grad._base is None
            and data.base is None and data.flags.writeable and data.flags.c_contiguous
            and sys.getrefcount(data) <= 3)


def _accumulate(node, grad, create_graph):
    var = node.variable
    if grad._dtype is not var._dtype:
        grad = grad.to(var._dtype)
    held = var._grad
    if held is None:
        if create_graph:
            var._grad = grad._copy_recorded()
        elif _owned_by_engine_only(grad):
            var._grad = grad        # a fresh buffer nobody else sees: keep it, as torch does
        else:
            var._grad = grad._detached_copy()
    elif create_graph or _STATE.enabled:
        var._grad = held + grad
    else:
        held._add_in_place_raw(grad._data)
    hooks = var._post_hooks
    if hooks:
        for hook in tuple(hooks):
            hook(var)
