"""The graph: nodes, saved values, and the bookkeeping every op shares.

A node is the backward of one forward op. Its class carries PyTorch's name (``AddBackward0``)
and the op's row of the derivative table (``refgrad.ops``); the instance holds

* ``next_functions`` - one ``(node, 0)`` edge per forward input, ``(None, 0)`` for inputs that
  need no gradient, ``AccumulateGrad`` for leaves;
* the saved values its VJPs need (tensors are checked against their version counter when
  unpacked, and freed after a backward without ``retain_graph``);
* plain parameters of the op (``alpha``, ``dim`` ...) and each input's shape and dtype, so that
  a gradient can be summed back over broadcast dimensions and cast to the input's dtype.

Nodes never hold their output tensor: a saved result is kept as (array, version counter) and
re-wrapped on unpack, so dropping the output frees the whole graph without the cycle collector.
"""
from __future__ import annotations

import itertools
import re
import weakref

import numpy as np

from . import grad_mode

_STATE = grad_mode.STATE
_sequence = itertools.count()
_NONE_EDGE = (None, 0)
_new_object = object.__new__
_ACCUMULATE_SEQ = 1 << 62       # AccumulateGrad runs as soon as it is ready, like PyTorch's

BACKWARD_TWICE = (
    "Trying to backward through the graph a second time (or directly access saved tensors "
    "after they have already been freed). Saved intermediate values of the graph are freed "
    "when you call .backward() or autograd.grad(). Specify retain_graph=True if you need to "
    "backward through the graph a second time or if you need to access saved tensors after "
    "calling backward.")

INFERENCE_SAVED = (
    "Inference tensors cannot be saved for backward. Please do not use Tensors created in "
    "inference mode in computation tracked by autograd. To work around this, you can make a "
    "clone to get a normal tensor and use it in autograd, or use `torch.no_grad()` instead of "
    "`torch.inference_mode()`.")


class RemovableHandle:
    """What ``register_hook`` returns; ``remove()`` is idempotent."""

    __slots__ = ("_hooks", "_hook")

    def __init__(self, hooks: list, hook) -> None:
        self._hooks = hooks
        self._hook = hook

    def remove(self) -> None:
        hooks = self._hooks
        for i, h in enumerate(hooks):
            if h is self._hook:
                del hooks[i]
                return


class Node:
    """Base of every backward node; one subclass per PyTorch name."""

    __slots__ = ("next_functions", "_seq", "_saved", "_ctx", "_meta", "__dict__",
                 "__weakref__")
    row = None                  # the op's row in the derivative table
    # rarely set, so class-level defaults (an instance only stores them once they are set)
    _freed = False              # saved tensors were released after a backward
    _pre_hooks = None           # tensor hooks of the output (registration order)
    _retain = None              # weak reference to the output that retains its grad
    _hooks = None               # node hooks: fn(grad_inputs, grad_outputs)
    _node_pre_hooks = None      # node pre-hooks: fn(grad_outputs)

    def name(self) -> str:
        return type(self).__name__

    def __repr__(self) -> str:
        return f"<{type(self).__name__} object at {hex(id(self))}>"

    @property
    def metadata(self) -> dict:
        return {}

    # ---- saved values ------------------------------------------------------------------
    def _unpack(self) -> dict:
        """Saved values by name, tensors checked against their version counters."""
        saved = self._saved
        if saved is None:
            if self._freed:
                raise RuntimeError(BACKWARD_TWICE)
            return self._ctx
        values = dict(self._ctx)
        for key, item in saved.items():
            # an input held as is and not modified since: no call needed
            if item[0] == 1 and item[2][0] == item[3]:
                values[key] = item[1]
            else:
                values[key] = _unpack_one(self, item)
        return values

    def __getattr__(self, attr: str):
        # _saved_self, _saved_other, _saved_alpha ... like PyTorch's nodes (not a hot path)
        if attr.startswith("_saved_"):
            key = attr[7:]
            saved = object.__getattribute__(self, "_saved")
            if saved is not None and key in saved:
                return _unpack_one(self, saved[key])
            if key in self._ctx:
                return self._ctx[key]
            if self._freed and key in type(self).row.saved_names:
                raise RuntimeError(BACKWARD_TWICE)
            if key in type(self).row.saved_names:
                return None
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{attr}'")

    # ---- hooks -------------------------------------------------------------------------
    def register_hook(self, fn) -> RemovableHandle:
        """``fn(grad_inputs, grad_outputs)`` after the node ran; may return new grad_inputs."""
        if self._hooks is None:
            self._hooks = []
        self._hooks.append(fn)
        return RemovableHandle(self._hooks, fn)

    def register_prehook(self, fn) -> RemovableHandle:
        """``fn(grad_outputs)`` before the node runs; may return new grad_outputs."""
        if self._node_pre_hooks is None:
            self._node_pre_hooks = []
        self._node_pre_hooks.append(fn)
        return RemovableHandle(self._node_pre_hooks, fn)

    # ---- running -----------------------------------------------------------------------
    def apply(self, grad):
        """Input gradients for one output gradient: the row's VJPs plus shared bookkeeping."""
        row = type(self).row
        saved = _Saved(self._unpack())
        grads = []
        if row.variadic:        # cat / stack: one VJP for every input, told which one
            shared = row.vjp_fns[0]
            calls = [(lambda g, s, i=i: shared(g, s, i)) for i in range(len(self._meta))]
        else:
            calls = row.vjp_fns
        for (nxt, _), vjp, meta in zip(self.next_functions, calls, self._meta):
            if nxt is None or vjp is None:
                grads.append(None)
                continue
            g = vjp(grad, saved)
            if g is not None:
                shape, dt = meta
                if g._data.shape != shape:
                    g = sum_to(g, shape)
                if g._dtype is not dt:
                    g = g.to(dt)
            grads.append(g)
        return grads

    def __call__(self, *grad_outputs):
        grads = self.apply(grad_outputs[0])
        return tuple(grads) if len(grads) != 1 else (grads[0],)

    def _release(self) -> None:
        if self._saved is not None:
            self._saved = None
            self._freed = True


class _Saved:
    """Attribute access to a node's unpacked values inside a VJP: ``s.self``, ``s.alpha``."""

    __slots__ = ("__dict__",)

    def __init__(self, values: dict) -> None:
        self.__dict__ = values


def node_class(name: str, row) -> type:
    """A real class per PyTorch node name, so ``type(fn).__name__`` reads right."""
    return type(name, (Node,), {"__slots__": (), "row": row, "__module__": __name__})


class AccumulateGrad(Node):
    """The sink of a leaf: adds the incoming gradient into ``variable.grad``."""

    __slots__ = ("variable",)

    def __init__(self, variable) -> None:
        self.variable = variable
        self.next_functions = ()
        self._seq = _ACCUMULATE_SEQ
        self._saved = None
        self._ctx = {}
        self._meta = ()

    def name(self) -> str:
        return "torch::autograd::AccumulateGrad"

    def apply(self, grad):
        return []

    def __call__(self, *grad_outputs):
        return ()


def accumulator(tensor) -> AccumulateGrad:
    """The leaf's AccumulateGrad node: one object while any graph holds it (held weakly)."""
    ref = tensor._acc
    node = ref() if ref is not None else None
    if node is None:
        node = AccumulateGrad(tensor)
        tensor._acc = weakref.ref(node)
    return node


# -------------------------------------------------------------------------- saved tensors

def _unpack_one(node, item):
    kind, value, version_counter, version, source = item
    if version_counter[0] != version:
        if kind == 2:
            source = node
        name = type(source).__name__ if source is not None else None
        raise RuntimeError(_version_message(value, version_counter[0], version, name))
    if kind == 1:                       # an input (or extra) tensor, held as is
        return value
    return value._as_output_of(node)    # kind 2: the node's own result, re-wrapped


def _forward_name(node_name: str) -> str:
    return re.sub(r"Backward\d*$", "", node_name)


def _version_message(tensor, now: int, expected: int, source) -> str:
    sizes = ", ".join(str(s) for s in tensor._data.shape)
    where = f", which is output 0 of {_forward_name(source)}," if source else ""
    return ("one of the variables needed for gradient computation has been modified by an "
            f"inplace operation: [torch.{tensor._dtype.legacy_name} [{sizes}]]{where} is at "
            f"version {now}; expected version {expected} instead. Hint: enable anomaly "
            "detection to find the operation that failed to compute its gradient, with "
            "torch.autograd.set_detect_anomaly(True, check_nan=False).")


# ---------------------------------------------------------------------------- recording

def record(row, out, inputs, ctx=None, extra=None):
    """Attach a node of ``row`` to ``out`` if grad mode is on and an input requires grad.

    ``inputs`` are the op's tensor inputs in the row's order (``None`` for an absent one);
    ``ctx`` holds plain parameters; ``extra`` holds tensors that are saved but are not graph
    inputs (indices, a condition, a loss target...). Returns ``out``.
    """
    state = _STATE
    if not state.enabled:
        return out
    edges = []
    meta = []
    wants = []      # per input: does it require grad (its VJP's values are saved), edge or not
    needs = False
    for t in inputs:
        if t is None:
            edges.append(_NONE_EDGE)
            meta.append(None)
            wants.append(False)
            continue
        if t._requires_grad:
            fn = t._grad_fn
            if fn is not None:
                edges.append((fn, 0))
            elif t._no_grad_view:            # a view made under no_grad: requires grad, no edge
                edges.append(_NONE_EDGE)
            else:
                edges.append((accumulator(t), 0))
            needs = True
        else:
            edges.append(_NONE_EDGE)
        wants.append(t._requires_grad)
        meta.append((t._data.shape, t._dtype))
    if not needs or state.inference:
        return out
    node = _new_object(row.cls)
    node.next_functions = edges = tuple(edges)
    node._seq = next(_sequence)
    defaults = row.params
    if ctx is None:
        ctx = dict(defaults) if defaults else {}
    elif defaults:
        for key, default in defaults.items():
            if key not in ctx:
                ctx[key] = default
    node._ctx = ctx
    node._meta = meta
    # save what the VJPs of the inputs that need a gradient will read
    saved = None
    saves = row.saves if not row.variadic else row.saves * len(edges)
    for want, uses in zip(wants, saves) if row.saves_any else ():
        if not want or not uses:
            continue
        for key in uses:
            if key in ctx or (saved is not None and key in saved):
                continue
            if saved is None:
                saved = {}
            if key == "result":
                # the node itself is the source: not stored (that would be a cycle)
                saved[key] = (2, out._saved_view(), out._version_counter,
                              out._version_counter[0], None)
                continue
            if extra is not None and key in extra:
                value = extra[key]
            else:
                value = inputs[row.positions[key]]
            if value is None or not hasattr(value, "_version_counter"):
                ctx[key] = value            # not a tensor: a plain parameter
                continue
            if value._inf and not state.inference:
                raise RuntimeError(INFERENCE_SAVED)
            saved[key] = (1, value, value._version_counter, value._version_counter[0],
                          value._grad_fn)
    node._saved = saved or None     # only tensors count: a node that saved none never raises
    out._grad_fn = node
    out._requires_grad = True
    return out


# -------------------------------------------------------------------- shared grad helpers

def sum_to(grad, shape):
    """Sum a broadcast gradient back to ``shape`` (leading dims, then size-1 dims)."""
    gshape = grad._data.shape
    lead = len(gshape) - len(shape)
    dims = list(range(lead))
    for i, size in enumerate(shape):
        if size == 1 and gshape[lead + i] != 1:
            dims.append(lead + i)
    if not _STATE.enabled:
        # no graph to record (a plain backward): straight in NumPy
        data = grad._data
        if dims:
            data = np.add.reduce(data, axis=tuple(dims), keepdims=True)
        return grad._new(data.reshape(shape))
    if dims:
        grad = grad.sum(dims, keepdim=True)
    if lead or grad._data.shape != shape:
        grad = grad.reshape(shape)
    return grad
