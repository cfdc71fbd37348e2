"""The backward pass: an iterative walk over the graph, no recursion.

1. Count, for every node reachable from the roots, how many edges lead into it
   (:func:`_count_dependencies`).
2. Start with the roots' gradients; a node is *ready* when all its incoming edges delivered.
3. Run ready nodes highest sequence number first (the most recently created first, with
   ``AccumulateGrad`` at once), as PyTorch does (a heap in :func:`run`). Running a node: tensor
   hooks on its output gradient and ``retain_grad`` (:func:`_run_tensor_hooks`), then the
   node's pre-hooks, VJPs and hooks (:func:`_run_node`); the results are summed into the
   buffers of the nodes below.
4. ``AccumulateGrad`` adds into the leaf's ``.grad`` (:func:`_accumulate`: a copy on the first
   backward, in place afterwards; out of place with ``create_graph``), or, for
   ``autograd.grad``, hands the gradient back instead (:func:`_capture`).
5. Without ``retain_graph`` each node frees its saved tensors after it ran.
6. In anomaly mode (``anomaly_mode.py``) a node that fails warns with its forward call's stack
   first, and a NaN in what it returns is a failure (``check_nan``).

When only some ``inputs`` are wanted, the walk is pruned to nodes that lead to them.
The VJPs run with grad mode set to ``create_graph`` and NumPy's floating-point errors quiet.
"""
from __future__ import annotations

import itertools
import warnings
from heapq import heappop, heappush

import numpy as np

from . import grad_mode, numpy_errors
from .anomaly_mode import ANOMALY, run_checked
from .graph import AccumulateGrad, accumulator

_STATE = grad_mode.STATE
_ZEROS = itertools.repeat(0)     # the output numbers of edges that all lead to output 0

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


def _check_lists(outputs, grads, inputs=()):
    """PyTorch's checks of what autograd.grad/backward were given, before any work."""
    for out in outputs:
        if not hasattr(out, "_data"):
            raise AssertionError("Expected output to be a torch.Tensor")
    for t in inputs:
        if not hasattr(t, "_data"):
            raise RuntimeError("all inputs have to be Tensors or GradientEdges, but got "
                               f"{type(t).__name__}")


def _check_flags(*flags):
    """``retain_graph``/``create_graph`` reach C++ as bools: a string is refused there."""
    for flag in flags:
        if flag is not None and not isinstance(flag, (bool, int, np.bool_)):
            raise TypeError(f"'{type(flag).__name__}' object cannot be interpreted as an "
                            "integer")


def _make_grads(outputs, grads):
    """The root gradients: implicit ones for one-element outputs, else checked by shape.
    PyTorch pairs outputs with gradients (extra gradients are dropped) and then refuses to
    run with fewer gradients than outputs."""
    result = []
    for i, out in enumerate(outputs):
        if grads and i >= len(grads):
            raise RuntimeError(f"got {len(outputs)} tensors and {len(grads)} gradients")
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
    _check_lists(outputs, grads)
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
    _check_flags(retain_graph, create_graph)
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
    _check_lists(outs, grads, ins)
    if retain_graph is None:
        retain_graph = create_graph
    root_grads = _make_grads(outs, grads)
    _check_outputs(outs)
    _check_flags(retain_graph, create_graph)
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


# ------------------------------------------------------------------------------ the walk

def run(outputs, root_grads, retain_graph, create_graph, inputs, accumulate):
    """Walk the graph below ``outputs``. With ``inputs``, only their gradients are
    produced: accumulated into ``.grad`` (``accumulate``) or returned in a list."""
    buffers = {}            # node -> the gradient of its output, summed over what arrived
    for out, g in zip(outputs, root_grads):
        if g is not None:
            _deliver(buffers, _input_node(out), out._output_nr, g)
    dependencies = _count_dependencies(buffers)
    wanted = needed = None
    results = []
    if inputs is not None:
        wanted = {}         # node -> the positions in ``inputs`` whose gradient it gives
        for i, t in enumerate(inputs):
            wanted.setdefault(_input_node(t), []).append((i, t._output_nr))
        needed = _nodes_leading_to(dependencies, wanted)
        results = [None] * len(inputs)
    # the ready nodes, a heap: the most recently created first (AccumulateGrad before any),
    # equal sequence numbers (AccumulateGrad nodes) in arrival order
    ready = []
    arrival = itertools.count()
    for node in buffers:
        if dependencies[node] == 0:
            heappush(ready, (-node.sequence_nr, next(arrival), node))

    anomaly = ANOMALY.enabled                 # anomaly mode: each node run checked
    previous_mode = _STATE.enabled
    _STATE.enabled = bool(create_graph)       # the VJPs record a graph only for create_graph
    try:
        with numpy_errors.quiet():
            while ready:
                node = heappop(ready)[2]
                grad = buffers.pop(node, None)
                if needed is not None and node not in needed:
                    continue
                is_leaf = type(node) is AccumulateGrad
                if grad is not None and node.num_outputs == 1 and (
                        node._retain is not None
                        or (node.variable._hooks if is_leaf else node._pre_hooks)):
                    grad = _run_tensor_hooks(node, grad)
                if wanted is not None and node in wanted:
                    if grad is not None:
                        _capture(node, grad, wanted[node], results, accumulate, create_graph)
                    if is_leaf or not any(n in needed for n in node.next_nodes):
                        continue
                elif is_leaf:
                    if grad is not None:
                        _accumulate(node, grad, create_graph)
                    continue
                grads = (run_checked(_run_node, node, grad, retain_graph) if anomaly
                         else _run_node(node, grad, retain_graph))
                for below, g, nr in zip(node.next_nodes, grads, node._input_nrs or _ZEROS):
                    if below is None:
                        continue
                    if g is not None:
                        if below.num_outputs == 1:
                            buffers[below] = (_add_grads(buffers[below], g) if below in buffers
                                              else g)
                        else:
                            _deliver(buffers, below, nr, g)
                    dependencies[below] -= 1
                    if dependencies[below] == 0:
                        heappush(ready, (-below.sequence_nr, next(arrival), below))
    finally:
        _STATE.enabled = previous_mode
    return results


def _count_dependencies(roots) -> dict:
    """For every node reachable from ``roots``: how many edges lead into it (iterative)."""
    dependencies = dict.fromkeys(roots, 0)
    stack = list(dependencies)
    while stack:
        for below in stack.pop().next_nodes:
            if below is None:
                continue
            if below in dependencies:
                dependencies[below] += 1
            else:
                dependencies[below] = 1
                stack.append(below)
    return dependencies


def _nodes_leading_to(nodes, targets) -> set:
    """The nodes from which some target node can be reached (targets included)."""
    parents = {}
    for node in nodes:
        for below in node.next_nodes:
            if below is not None:
                parents.setdefault(below, []).append(node)
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


def _deliver(buffers, node, nr, g):
    """Add ``g`` to what ``node`` has received for its output ``nr``: one gradient, or a
    list of one per output for a node with several (a custom Function's)."""
    if node.num_outputs == 1:
        buffers[node] = _add_grads(buffers[node], g) if node in buffers else g
        return
    slots = buffers.get(node)
    if slots is None:
        slots = buffers[node] = [None] * node.num_outputs
    slots[nr] = g if slots[nr] is None else _add_grads(slots[nr], g)


def _add_grads(a, b):
    """Sum two gradients flowing into one node (a ZeroTensor adds nothing, as in torch)."""
    if a._zero_tensor and a._data.shape == b._data.shape:
        return b
    if b._zero_tensor and a._data.shape == b._data.shape:
        return a
    return a + b


# ----------------------------------------------------------------------- running one node

def _run_node(node, grad, retain_graph):
    """The node's input gradients: pre-hooks, VJPs, hooks; then its saved tensors are freed
    unless ``retain_graph``. A node that received no gradient passes none on."""
    if grad is None:
        return (None,) * len(node.next_nodes)
    many = node.num_outputs > 1       # grad: a list, one per output
    if node._node_pre_hooks:
        for hook in tuple(node._node_pre_hooks):
            new = hook(tuple(grad) if many else (grad,))
            if new is not None:
                grad = list(new) if many else new[0]
    grads = node.apply(grad)
    if node._hooks:
        for hook in tuple(node._hooks):
            new = hook(tuple(grads), tuple(grad) if many else (grad,))
            if new is not None:
                grads = list(new)
    if not retain_graph:
        node._release()
    return grads


def _run_tensor_hooks(node, grad):
    """The output tensor's hooks (registration order, each sees the last result), then
    retain_grad. For a leaf, its own tensor hooks."""
    hooks = node.variable._hooks if type(node) is AccumulateGrad else node._pre_hooks
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


# ------------------------------------------------------------------- where gradients land

def _capture(node, grad, positions, results, accumulate, create_graph):
    """A gradient of one of the wanted ``inputs``: into ``.grad`` for ``backward(inputs=)``
    (a non-leaf's retain_grad stored it already), else into ``results``."""
    if accumulate:
        if type(node) is AccumulateGrad:
            _accumulate(node, grad, create_graph)
        return
    for i, nr in positions:
        g = grad[nr] if node.num_outputs > 1 else grad
        if g is not None:
            results[i] = g if results[i] is None else results[i] + g


def _accumulate(node, grad, create_graph):
    """Add ``grad`` into the leaf's ``.grad``: a copy the first time (differentiable with
    ``create_graph``), in place afterwards (out of place while a graph is recorded)."""
    var = node.variable
    if grad._dtype is not var._dtype:
        grad = grad.to(var._dtype)
    held = var._grad
    if held is None:
        var._grad = grad._copy_recorded() if create_graph else grad._detached_copy()
    elif create_graph or _STATE.enabled:
        var._grad = held + grad
    else:
        held._add_in_place_raw(grad._data)
    hooks = var._post_hooks
    if hooks:
        for hook in tuple(hooks):
            hook(var)
