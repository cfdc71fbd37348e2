"""The graph: nodes, saved tensors, and the bookkeeping every op shares.

A node is the backward of one forward op. Its class carries PyTorch's name (``AddBackward0``)
and the op's row of the derivative table (``refgrad.ops``); the instance holds

* ``next_nodes`` - one entry per forward input: the input's ``grad_fn``, its
  ``AccumulateGrad`` for a leaf, ``None`` for an input that needs no gradient
  (``next_functions`` pairs each with input number 0, as PyTorch prints them); kept in one
  slot per input (:func:`node_class`);
* ``saved`` - what its VJPs read, by name, as PyTorch's ``_saved_<name>`` attributes show
  it: plain parameters of the op (``alpha``, ``dim`` ...) as they are, tensors as
  :class:`SavedTensor` (checked against their version counter when unpacked, freed after a
  backward without ``retain_graph``), or what a pack hook made of them
  (``saved_tensors_hooks``, at the end of this module);
* ``input_meta`` - each input's ``(shape, dtype name)``, so that a gradient can be summed
  back over broadcast dimensions and cast to the input's dtype.

Nodes never hold their output tensor: a saved result keeps the output's array and version
counter and is re-wrapped on unpack, so dropping the output frees the whole graph by reference
counting alone.

Cost under the cycle collector: every container the collector tracks is rescanned by its
older-generation passes, so a long graph costs more per node the larger it grows (and every
container allocated brings the next pass closer). A node therefore keeps as few containers as
it can: its edges in its own slots (no tuple, no ``(node, 0)`` pairs), one ``saved`` dict
(plain values only when no tensor is saved: the collector stops following it), one
``SavedTensor`` per saved tensor, and ``input_meta`` entries of plain values shared between
nodes (:func:`_input_meta`).
"""
from __future__ import annotations

import functools
import itertools
import operator
import re
import weakref

import numpy as np

from .. import dtypes as _dt
from . import grad_mode
from .anomaly_mode import ANOMALY, record_forward

_STATE = grad_mode.STATE
_sequence = itertools.count()
_new_object = object.__new__
_DTYPES_BY_NAME = {dtype.name: dtype for dtype in _dt.ALL}
_INPUT_META: dict = {}
_ACCUMULATE_SEQUENCE_NR = 1 << 62   # AccumulateGrad runs as soon as it is ready, like PyTorch's

BACKWARD_TWICE = (
    "Trying to backward through the graph a second time (or directly access saved tensors "
    "after they have already been freed). Saved intermediate values of the graph are freed "
    "when you call .backward() or autograd.grad(). Specify retain_graph=True if you need to "
    "backward through the graph a second time or if you need to access saved tensors after "
    "calling backward.")

PACK_IN_PLACE = (
    "A saved tensor pack hook is modifying its input in place. Tensors provided as input to "
    "pack hook cannot be modified by in-place operations as this can lead to unexpected "
    "side-effects. Please open an issue if you need to perform in-place operations on the "
    "input to a pack hook.")

HOOKS_ALREADY_SET = (
    "Calling register_hooks on a saved tensor whose hooks have already been set. Hint: only "
    "one pair of hooks is allowed at a time.")

REGISTER_AFTER_FREE = (
    "Calling register_hooks on a saved tensor after it has been freed. Saved intermediate "
    "values of the graph are freed when you call .backward() or autograd.grad(). Specify "
    "retain_graph=True if you need to backward through the graph a second time or if you "
    "need to access saved variables after calling backward.")

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


# -------------------------------------------------------------------------- saved tensors

class SavedTensor:
    """A tensor saved for backward, with the version it had when it was saved.

    ``unpack(node)`` hands it back to ``node``'s VJPs: PyTorch's error if the tensor was
    modified in place since, or if the graph was freed (``release()``). A node's own result
    (``is_output``) is kept without its ``grad_fn`` - holding the node would be a reference
    cycle - and unpacked as a fresh tensor whose ``grad_fn`` is the node.

    Under ``saved_tensors_hooks`` (or after ``register_hooks``) the tensor is not kept: ``hooks``
    holds what the pack hook returned and the unpack hook, and every unpack calls that hook
    (no version check then, as in PyTorch) and gives its result the saved tensor's place in
    the graph (:meth:`_unpack_hooked`).
    """

    __slots__ = ("tensor", "version", "grad_fn", "is_output", "hooks")

    def __init__(self, tensor, is_output: bool = False) -> None:
        self.tensor = tensor._saved_view() if is_output else tensor
        self.version = tensor._version_counter[0]
        self.grad_fn = None if is_output else tensor._grad_fn    # named in the version error
        self.is_output = is_output
        # once packed: (packed, unpack hook, requires grad, output nr, a leaf's accumulator)
        self.hooks = None

    def unpack(self, node):
        hooks = self.hooks
        if hooks is not None:
            return self._unpack_hooked(node, hooks)
        tensor = self.tensor
        if tensor is None:
            raise RuntimeError(BACKWARD_TWICE)
        now = tensor._version_counter[0]
        if now != self.version:
            source = node if self.is_output else self.grad_fn
            name = type(source).__name__ if source is not None else None
            raise RuntimeError(_version_message(tensor, now, self.version, name))
        if self.is_output:
            return tensor._as_output_of(node)
        return tensor

    def release(self) -> None:
        self.tensor = None
        self.hooks = None       # the packed object goes now (a temporary file may delete)

    def pack(self, pack_hook, unpack_hook, original) -> None:
        """Hand ``original`` (the saved tensor, or a detached alias of it) to ``pack_hook``
        under no_grad and keep what it returns instead of the tensor."""
        tensor = self.tensor
        version = tensor._version_counter[0]
        previous = _STATE.enabled
        _STATE.enabled = False
        try:
            packed = pack_hook(original)
        finally:
            _STATE.enabled = previous
        if tensor._version_counter[0] != version:
            raise RuntimeError(PACK_IN_PLACE)
        requires_grad = self.is_output or tensor._requires_grad
        leaf_acc = tensor._acc if self.grad_fn is None and requires_grad else None
        self.hooks = (packed, unpack_hook, requires_grad, tensor._output_nr, leaf_acc)
        self.tensor = None

    def _unpack_hooked(self, node, hooks):
        packed, unpack_hook, requires_grad, output_nr, leaf_acc = hooks
        data = unpack_hook(packed)
        if not hasattr(data, "_version_counter"):
            raise TypeError("Output of saved tensor unpack_hook expected to be a Tensor but got "
                            f"result of type {type(data).__name__}")
        if self.is_output:
            return data._as_output_of(node)
        if not requires_grad and not data._requires_grad:
            return data                 # nothing to place in the graph: the result as it is
        t = data.detach()               # the result's data where the saved tensor stood
        t._requires_grad = requires_grad
        if self.grad_fn is not None:
            t._grad_fn = self.grad_fn
            t._output_nr = output_nr
        elif leaf_acc is not None:
            t._acc = leaf_acc           # a saved leaf: gradients still reach the leaf
        return t


class RawSavedTensor:
    """What ``grad_fn._raw_saved_<name>`` shows: one saved tensor of a node, with
    ``register_hooks(pack, unpack)`` and ``unpack()`` (PyTorch's ``SavedTensor``)."""

    __slots__ = ("_saved", "_node")

    def __init__(self, saved, node) -> None:
        self._saved = saved         # a SavedTensor, or None for a value saved as None
        self._node = node

    def unpack(self):
        return None if self._saved is None else self._saved.unpack(self._node)

    def register_hooks(self, pack_hook, unpack_hook) -> None:
        if not (callable(pack_hook) and callable(unpack_hook)):
            raise TypeError("register_hooks(): expects two callables, pack_hook and "
                            "unpack_hook")
        saved = self._saved
        if saved is None:
            raise RuntimeError("Calling register_hooks on a saved tensor with value None is "
                               "forbidden")
        if saved.hooks is not None:
            raise RuntimeError(HOOKS_ALREADY_SET)
        if saved.tensor is None:
            raise RuntimeError(REGISTER_AFTER_FREE)
        # the saved data without its place in the graph, as PyTorch hands it over here
        original = saved.tensor.detach() if not saved.is_output else saved.tensor
        saved.pack(pack_hook, unpack_hook, original)

    def __repr__(self) -> str:
        return f"<torch._C._autograd.SavedTensor object at {hex(id(self))}>"


RawSavedTensor.__name__ = RawSavedTensor.__qualname__ = "SavedTensor"   # as PyTorch names it


def _forward_name(node_name: str) -> str:
    return re.sub(r"Backward\d*$", "", node_name)


def _version_message(tensor, now: int, expected: int, source) -> str:
    sizes = ", ".join(str(s) for s in tensor._data.shape)
    where = f", which is output 0 of {_forward_name(source)}," if source else ""
    return ("one of the variables needed for gradient computation has been modified by an "
            f"inplace operation: [torch.{tensor._dtype.legacy_name} [{sizes}]]{where} is at "
            f"version {now}; expected version {expected} instead. Hint: "
            + (_ANOMALY_HINT if ANOMALY.enabled else _HINT))


_HINT = ("enable anomaly detection to find the operation that failed to compute its "
         "gradient, with torch.autograd.set_detect_anomaly(True, check_nan=False).")
_ANOMALY_HINT = ("the backtrace further above shows the operation that failed to compute its "
                 "gradient. The variable in question was changed in there or anywhere later. "
                 "Good luck!")


# ----------------------------------------------------------------------------------- nodes

class Node:
    """Base of every backward node; one subclass per PyTorch name."""

    # next_nodes: one slot per input in each node class (see node_class)
    __slots__ = ("sequence_nr", "saved", "input_meta", "__dict__", "__weakref__")
    row = None                  # the op's row in the derivative table
    num_outputs = 1             # a custom Function's node may have several
    _input_nrs = None           # per edge, which output of the node below (when not all 0)
    # rarely set, so class-level defaults (an instance only stores them once they are set)
    freed = False               # saved tensors were released after a backward
    _pre_hooks = None           # tensor hooks of the output (registration order)
    _retain = None              # weak reference to the output that retains its grad
    _hooks = None               # node hooks: fn(grad_inputs, grad_outputs)
    _node_pre_hooks = None      # node pre-hooks: fn(grad_outputs)
    _forward_stack = None       # in anomaly mode: the forward call's stack (format_list)
    _anomaly_parent = None      # in anomaly mode: the node whose backward made this one

    def name(self) -> str:
        return type(self).__name__

    def __repr__(self) -> str:
        return f"<{type(self).__name__} object at {hex(id(self))}>"

    @property
    def next_functions(self) -> tuple:
        nrs = self._input_nrs or (0,) * len(self.next_nodes)
        return tuple(zip(self.next_nodes, nrs))

    @property
    def metadata(self) -> dict:
        return {}

    # ---- saved values ------------------------------------------------------------------
    def unpack_saved(self) -> dict:
        """The saved values by name, tensors unpacked."""
        values = dict(self.saved)
        for key, value in values.items():
            if type(value) is SavedTensor:
                values[key] = value.unpack(self)
        return values

    def __getattr__(self, attr: str):
        # _saved_self, _saved_other, _saved_alpha ... like PyTorch's nodes (not a hot path);
        # _raw_saved_<name> for the saved tensors among them
        if attr.startswith("_raw_saved_"):
            key = attr[11:]
            saved = object.__getattribute__(self, "saved")
            value = saved.get(key)
            row = type(self).row
            if type(value) is SavedTensor or (value is None and row is not None
                                              and key in row.saved_names
                                              and key not in row.params):
                return RawSavedTensor(value, self)
        if attr.startswith("_saved_"):
            key = attr[7:]
            saved = object.__getattribute__(self, "saved")
            if key in saved:
                value = saved[key]
                if type(value) is not SavedTensor:
                    return value
                value = value.unpack(self)
                if value._wrapped_number:           # a Python number: shown in its own type
                    return value.to(_DTYPES_BY_NAME[value._wrapped_number])
                return value
            row = type(self).row
            if row is not None and key in row.saved_names:
                if self.freed:
                    raise RuntimeError(BACKWARD_TWICE)
                return None
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{attr}'")

    def __dir__(self):
        row = type(self).row
        names = [] if row is None else [f"_saved_{n}" for n in row.saved_names]
        saved = getattr(self, "saved", {})
        names += [f"_raw_saved_{n}" for n in (row.saved_names if row is not None else ())
                  if n not in row.params and not (n in saved and
                                                  type(saved[n]) is not SavedTensor)]
        return sorted(set(super().__dir__()) | set(names))

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
        saved = _Saved(self.unpack_saved())
        if row.variadic:        # cat / stack: one VJP for every input, told which one
            shared = row.vjp_fns[0]
            vjps = [(lambda g, s, i=i: shared(g, s, i)) for i in range(len(self.input_meta))]
        else:
            vjps = row.vjp_fns
        grads = []
        for nxt, vjp, meta in zip(self.next_nodes, vjps, self.input_meta):
            if nxt is None or vjp is None:
                grads.append(None)
                continue
            g = vjp(grad, saved)
            grads.append(g if g is None else fit_to_input(g, meta))
        return grads

    def __call__(self, *grad_outputs):
        grads = self.apply(grad_outputs[0])
        return tuple(grads) if len(grads) != 1 else (grads[0],)

    def _release(self) -> None:
        """Free the saved tensors (after a backward without ``retain_graph``); a node that
        saved none never raises."""
        for value in self.saved.values():
            if type(value) is SavedTensor:
                value.release()
                self.freed = True


class _Saved:
    """Attribute access to a node's unpacked values inside a VJP: ``s.self``, ``s.alpha``."""

    __slots__ = ("__dict__",)

    def __init__(self, values: dict) -> None:
        self.__dict__ = values


def node_class(name: str, row) -> type:
    """A real class per PyTorch node name, so ``type(fn).__name__`` reads right.

    Like PyTorch's generated node structs, a node keeps its edges in fields of its own, one
    slot per forward input (``next_0``, ``next_1`` ...), which ``next_nodes`` reads as a tuple:
    one container less per node for the cycle collector. cat / stack (any number of inputs)
    keep a tuple in ``next_nodes``.
    """
    namespace = {"row": row, "__module__": __name__}
    if row.variadic:
        namespace.update(__slots__=("next_nodes",), edge_slots=None)
    else:
        slots = tuple(f"next_{i}" for i in range(len(row.input_names)))
        namespace.update(__slots__=slots, edge_slots=slots,
                         next_nodes=property(_edge_reader(slots)))
    return type(name, (Node,), namespace)


def _edge_reader(slots):
    """A function returning the values of ``slots`` of a node as a tuple."""
    if len(slots) >= 2:
        return operator.attrgetter(*slots)
    if len(slots) == 1:
        return lambda node: (node.next_0,)
    return lambda node: ()


class AccumulateGrad(Node):
    """The sink of a leaf: adds the incoming gradient into ``variable.grad``."""

    __slots__ = ("variable",)
    next_nodes = ()

    def __init__(self, variable) -> None:
        self.variable = variable
        self.sequence_nr = _ACCUMULATE_SEQUENCE_NR
        self.saved = {}
        self.input_meta = ()

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
    next_nodes = []
    input_meta = []
    requires_grad = False
    output_nrs = None
    for t in inputs:
        if t is None:
            next_nodes.append(None)
            input_meta.append(None)
            continue
        if t._requires_grad:
            requires_grad = True
            if t._grad_fn is not None:
                next_nodes.append(t._grad_fn)
                if t._output_nr:                # output 1, 2 ... of a custom Function
                    output_nrs = output_nrs or {}
                    output_nrs[len(next_nodes) - 1] = t._output_nr
            elif t._no_grad_view:           # a view made under no_grad: requires grad, no edge
                next_nodes.append(None)
            else:
                next_nodes.append(accumulator(t))
        else:
            next_nodes.append(None)
        meta = (t._data.shape, t._dtype.name)
        input_meta.append(_INPUT_META.get(meta) or _shared_input_meta(meta))
    if not requires_grad or state.inference:
        return out
    node = _new_object(row.cls)
    edge_slots = row.cls.edge_slots
    if edge_slots is None:
        node.next_nodes = tuple(next_nodes)
    else:
        if len(next_nodes) != len(edge_slots):
            raise TypeError(f"{row.name} has {len(edge_slots)} inputs, got {len(next_nodes)}")
        if len(edge_slots) == 1:                    # (most nodes: no setattr call)
            node.next_0 = next_nodes[0]
        elif len(edge_slots) == 2:
            node.next_0, node.next_1 = next_nodes
        else:
            for slot, below in zip(edge_slots, next_nodes):
                setattr(node, slot, below)
    node.sequence_nr = next(_sequence)
    if output_nrs:
        node._input_nrs = tuple(output_nrs.get(i, 0) for i in range(len(next_nodes)))
    node.input_meta = tuple(input_meta)
    # what the VJPs read: the op's parameters (the row's defaults for those not given) ...
    defaults = row.params
    if ctx is None:
        saved = dict(defaults) if defaults else {}
    else:
        saved = ctx
        for key, default in defaults.items():
            if key not in saved:
                saved[key] = default
    if row.saves_any:                               # ... and the tensors
        _save_tensors(row, out, inputs, saved, extra)
    node.saved = saved
    out._grad_fn = node
    out._requires_grad = True
    if ANOMALY.enabled:
        record_forward(node)
    if state.saved_hooks is not None and row.saves_any:
        pack_saved(saved.values(), out)
    return out


def pack_saved(saved_tensors, out=None) -> None:
    """Hand each saved tensor to the innermost ``saved_tensors_hooks`` pack hook, in the order
    the node saved them: a saved output as the output itself (``out``, which has its
    ``grad_fn`` by now), never a Python number's 0-d operand."""
    pack_hook, unpack_hook = _STATE.saved_hooks
    for saved in saved_tensors:
        if type(saved) is SavedTensor and not saved.tensor._wrapped_number:
            original = out if saved.is_output and out is not None else saved.tensor
            saved.pack(pack_hook, unpack_hook, original)


def _shared_input_meta(meta: tuple) -> tuple:
    """``meta`` - a ``(shape, dtype name)`` pair - remembered, so that the nodes that see the
    same pair again share one tuple (at most 4096 pairs are remembered)."""
    if len(_INPUT_META) >= 4096:
        _INPUT_META.clear()
    _INPUT_META[meta] = meta
    return meta


def _save_tensors(row, out, inputs, saved, extra) -> None:
    """Add to ``saved`` what the VJPs of the inputs that require grad (edge or not) read."""
    saves = row.saves if not row.variadic else row.saves * len(inputs)
    for t, uses in zip(inputs, saves):
        if t is None or not t._requires_grad:
            continue
        for key in uses:
            if key in saved:
                continue
            if key == "result":
                saved[key] = SavedTensor(out, is_output=True)
                continue
            if extra is not None and key in extra:
                value = extra[key]
            else:
                value = inputs[row.positions[key]]
            if value is None or not hasattr(value, "_version_counter"):
                saved[key] = value              # not a tensor: a plain parameter
                continue
            if value._inf and not _STATE.inference:
                raise RuntimeError(INFERENCE_SAVED)
            saved[key] = SavedTensor(value)


# -------------------------------------------------------------------- shared grad helpers

def fit_to_input(grad, meta):
    """An input's gradient as the input is: summed back over the dimensions the op broadcast,
    cast to the input's dtype (``meta``: the input's ``(shape, dtype name)``)."""
    shape, dtype_name = meta
    if grad._data.shape != shape:
        grad = sum_to(grad, shape)
    if grad._dtype.name != dtype_name:
        grad = grad.to(_DTYPES_BY_NAME[dtype_name])
    return grad


def sum_to(grad, shape):
    """Sum a broadcast gradient back to ``shape`` (leading dims, then size-1 dims)."""
    gshape = grad._data.shape
    lead = len(gshape) - len(shape)
    dims = list(range(lead))
    for i, size in enumerate(shape):
        if size == 1 and gshape[lead + i] != 1:
            dims.append(lead + i)
    if not _STATE.enabled and grad._fw is None:
        # no graph to record (a plain backward) and no tangent to carry (a backward on dual
        # tensors, forward over reverse, goes through the ops below): straight in NumPy
        data = grad._data
        if dims:
            data = np.add.reduce(data, axis=tuple(dims), keepdims=True)
        return grad._new(data.reshape(shape))
    if dims:
        grad = grad.sum(dims, keepdim=True)
    if lead or grad._data.shape != shape:
        grad = grad.reshape(shape)
    return grad


# ---------------------------------------------------------------- saved-tensor default hooks

class saved_tensors_hooks:
    """Context manager: every tensor an op saves inside is handed to ``pack_hook``, what it
    returns is kept instead, and ``unpack_hook(packed)`` gives the tensor back each time it is
    needed. Thread-local; an inner pair replaces the outer one while it is active."""

    def __init__(self, pack_hook, unpack_hook) -> None:
        self.pack_hook = pack_hook
        self.unpack_hook = unpack_hook

    def __enter__(self) -> None:
        if _STATE.hooks_disabled is not None:
            raise RuntimeError(_STATE.hooks_disabled)
        self.__dict__.setdefault("_previous", []).append(_STATE.saved_hooks)
        _STATE.saved_hooks = (self.pack_hook, self.unpack_hook)

    def __exit__(self, *exc) -> None:
        _STATE.saved_hooks = self._previous.pop()


class save_on_cpu(saved_tensors_hooks):
    """Saved tensors go to the CPU and come back to their device when unpacked. refgrad has
    only the CPU: the hooks still run (a copy with ``pin_memory``, as PyTorch makes one)."""

    def __init__(self, pin_memory: bool = False, device_type: str = "cuda") -> None:
        def pack_to_cpu(tensor):
            if not pin_memory:
                return (tensor.device, tensor.cpu())
            return (tensor.device, tensor.detach().clone())

        def unpack_from_cpu(packed):
            device, tensor = packed
            return tensor.to(device)

        super().__init__(pack_to_cpu, unpack_from_cpu)


class disable_saved_tensors_hooks:
    """Inside, registering saved-tensor hooks raises ``RuntimeError(error_message)``; entering
    while hooks are registered raises it too."""

    def __init__(self, error_message: str) -> None:
        self.error_message = error_message
        self.previous = None

    def __enter__(self) -> None:
        if _STATE.saved_hooks is not None:
            raise RuntimeError(self.error_message)
        self.previous = _STATE.hooks_disabled
        _STATE.hooks_disabled = self.error_message

    def __exit__(self, *exc) -> None:
        _STATE.hooks_disabled = self.previous

    def __call__(self, func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with disable_saved_tensors_hooks(self.error_message):
                return func(*args, **kwargs)
        return wrapper
