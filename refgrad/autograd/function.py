"""``torch.autograd.Function``: user-written forward and backward as a node of the graph.

A subclass of :class:`Function` gets its own node class, ``<Name>Backward``, on definition.
``apply`` makes one instance of it, hands it to ``forward`` (or ``setup_context``) as ``ctx``,
runs ``forward`` with grad mode off and, when grad mode is on and a tensor input requires
grad, makes the node the ``grad_fn`` of the outputs. The engine runs the node like any other:
:meth:`BackwardCFunction.apply` calls the user's ``backward`` with one gradient per output and
checks what comes back (count, type, shape) against the forward inputs, as PyTorch does.

A node with several outputs receives a list of gradients (one per output); the outputs carry
their position (``_output_nr``), which the edges of the nodes above them record.
"""
from __future__ import annotations

import functools
import warnings

import numpy as np

from . import forward_ad, grad_mode
from .anomaly_mode import ANOMALY, record_forward
from .graph import _DTYPES_BY_NAME, BACKWARD_TWICE, Node, RawSavedTensor, SavedTensor, _sequence
from .graph import accumulator, fit_to_input, pack_saved

_STATE = grad_mode.STATE

_NO_BACKWARD = ("You must implement either the backward or vjp method for your custom "
                "autograd.Function to use it with backward mode AD.")
_NO_JVP = ("You must implement the jvp function for custom autograd.Function to use it with "
           "forward mode AD.")
_LEAF_DIRTY = "a leaf Variable that requires grad has been used in an in-place operation."


def _is_tensor(value) -> bool:
    return hasattr(value, "_data") and hasattr(value, "_version_counter")


def _sizes(shape) -> str:
    return "[" + ", ".join(str(s) for s in shape) + "]"


def _expandable(small, big) -> bool:
    """True if an array of shape ``small`` broadcasts to shape ``big``."""
    if len(small) > len(big):
        return False
    return all(s == b or s == 1 for s, b in zip(reversed(small), reversed(big)))


# ----------------------------------------------------------------------------- the context

class FunctionCtx:
    """What ``forward``/``setup_context`` record for ``backward`` (the node itself is one)."""

    __slots__ = ()

    def save_for_backward(self, *tensors) -> None:
        for i, t in enumerate(tensors):
            if t is not None and not _is_tensor(t):
                raise TypeError("save_for_backward can only save variables, but argument "
                                f"{i} is of type {type(t).__name__}")
        self.to_save = tensors

    def save_for_forward(self, *tensors) -> None:
        """Tensors for ``jvp`` to read back as ``ctx.saved_tensors``."""
        for i, t in enumerate(tensors):
            if t is not None and not _is_tensor(t):
                raise TypeError("save_for_forward expects all arguments to be tensors; but "
                                f"got {i} argument of type {type(t).__name__}")
        self.saved_for_forward = tensors

    def mark_dirty(self, *tensors) -> None:
        self.dirty_tensors = tensors

    def mark_non_differentiable(self, *tensors) -> None:
        self.non_differentiable = tensors

    def set_materialize_grads(self, value: bool) -> None:
        self.materialize_grads = bool(value)


class BackwardCFunction(Node, FunctionCtx):
    """The node of one call of a custom Function; also its ``ctx``."""

    __slots__ = ("next_nodes",)
    _forward_cls = None
    materialize_grads = True
    needs_input_grad = ()       # per forward argument: a tensor that requires grad
    to_save = ()
    dirty_tensors = ()
    non_differentiable = ()
    _saved_list = None          # (SavedTensor or None, output nr) per saved value
    saved_for_forward = ()
    _in_jvp = False             # inside the user's jvp: saved_tensors are save_for_forward's

    def __repr__(self) -> str:
        return f"<torch.autograd.function.{type(self).__name__} object at {hex(id(self))}>"

    @property
    def saved_tensors(self) -> tuple:
        if self._in_jvp:
            return tuple(self.saved_for_forward)
        if self._saved_list is None:          # inside forward / setup_context, or no graph
            return tuple(self.to_save)
        if self.freed:
            raise RuntimeError(BACKWARD_TWICE)
        return tuple(_unpack(saved, nr, self) for saved, nr in self._saved_list)

    @property
    def _raw_saved_tensors(self) -> tuple:
        if self.freed:
            raise RuntimeError(BACKWARD_TWICE)
        return tuple(RawSavedTensor(saved, self) for saved, _ in self._saved_list or ())

    def _release(self) -> None:
        if self._saved_list:
            for saved, _ in self._saved_list:
                if saved is not None:
                    saved.release()
            self.freed = True

    def apply(self, grad):
        """The user's backward on one gradient per output, checked and fitted to the inputs."""
        grads = list(grad) if self.num_outputs > 1 else [grad]
        if self.materialize_grads:
            like = next(g for g in grads if g is not None)
            for i, g in enumerate(grads):
                if g is None and self._output_meta[i] is not None:
                    shape, dtype_name = self._output_meta[i]
                    grads[i] = like._new(np.zeros(shape, _DTYPES_BY_NAME[dtype_name].np))
        cls = self._forward_cls
        backward = cls.backward
        if backward is Function.backward and cls.vjp is not Function.vjp:
            backward = cls.vjp
        result = backward(self, *grads)
        if not isinstance(result, tuple):
            result = (result,)
        expected = len(self._arg_meta)
        if len(result) != expected and not (
                len(result) > expected and all(r is None for r in result[expected:])):
            raise RuntimeError(f"function {type(self).__name__} returned an incorrect number "
                               f"of gradients (expected {expected}, got {len(result)})")
        out = []
        for i, (g, meta) in enumerate(zip(result, self._arg_meta)):
            if meta is None:                    # not a tensor input: no edge
                if g is not None:
                    raise RuntimeError(
                        f"function {type(self).__name__} returned a gradient different than "
                        f"None at position {i + 1}, but the corresponding forward input was "
                        "not a Variable")
                continue
            if g is not None and not _is_tensor(g):
                raise RuntimeError(f"expected Variable or None (got {type(g).__name__})")
            if g is not None:
                shape = meta[0]
                if g._data.shape != shape and not _expandable(shape, g._data.shape):
                    raise RuntimeError(
                        f"Function {type(self).__name__} returned an invalid gradient at "
                        f"index {i} - got {_sizes(g._data.shape)} but expected shape "
                        f"compatible with {_sizes(shape)}")
                g = fit_to_input(g, meta)
            out.append(g)
        return out

    def __call__(self, *grad_outputs):
        return tuple(self.apply(grad_outputs if self.num_outputs > 1 else grad_outputs[0]))


# ---------------------------------------------------------------------------- the Function

class Function:
    """Base of custom autograd Functions: static ``forward`` and ``backward``, called through
    ``apply``."""

    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        cls._backward_cls = type(cls.__name__ + "Backward", (BackwardCFunction,),
                                 {"__slots__": (), "_forward_cls": cls,
                                  "__module__": __name__})

    def __init__(self, *args, **kwargs) -> None:
        warnings.warn(
            f"{type(self)} should not be instantiated. Methods on autograd functions are all "
            "static, so you should invoke them on the class itself. Instantiating an autograd "
            "function will raise an error in a future version of PyTorch.",
            DeprecationWarning, stacklevel=2)

    def __call__(self, *args, **kwargs):
        raise RuntimeError(
            "Legacy autograd function with non-static forward method is deprecated. Please "
            "use new-style autograd function with static forward method. (Example: "
            "https://pytorch.org/docs/stable/autograd.html#torch.autograd.Function)")

    @staticmethod
    def forward(*args, **kwargs):
        raise NotImplementedError("You must implement the forward function for custom "
                                  "autograd.Function.")

    @staticmethod
    def setup_context(ctx, inputs, output):
        raise NotImplementedError("setup_context is not implemented.")

    @staticmethod
    def backward(ctx, *grad_outputs):
        raise NotImplementedError(_NO_BACKWARD)

    @staticmethod
    def vjp(ctx, *grad_outputs):
        raise NotImplementedError(_NO_BACKWARD)

    @staticmethod
    def jvp(ctx, *grad_inputs):
        raise NotImplementedError(_NO_JVP)

    @classmethod
    def apply(cls, *args, **kwargs):
        if cls is Function:
            raise RuntimeError("Function.apply must be called on a subclass of Function")
        ctx = object.__new__(cls._backward_cls)
        ctx.needs_input_grad = tuple(_is_tensor(a) and a._requires_grad for a in args)
        record = _STATE.enabled and not _STATE.inference and any(ctx.needs_input_grad)
        tangents = _input_tangents(args)
        previous = _STATE.enabled
        _STATE.enabled = False
        try:
            with forward_ad.suspended():    # the forward sees primals only (jvp does the rest)
                if cls.setup_context is Function.setup_context:
                    output = cls.forward(ctx, *args, **kwargs)
                else:
                    output = cls.forward(*args, **kwargs)
                    cls.setup_context(ctx, args, output)
        finally:
            _STATE.enabled = previous
        if record:
            output = _attach(ctx, args, output)
        if tangents is not None:
            _forward_tangents(cls, ctx, tangents, output)
        return output


def _input_tangents(args):
    """Per argument, its tangent (zeros for a tensor without one, None for a non-tensor);
    None when no dual level is active or no argument has a tangent."""
    if forward_ad.STATE.token is None:
        return None
    tangents = [forward_ad.tangent_of(a) if _is_tensor(a) else None for a in args]
    if all(t is None for t in tangents):
        return None
    return [t if t is not None or not _is_tensor(a) else
            a._new(np.zeros(a._data.shape, a._data.dtype)) for a, t in zip(args, tangents)]


def _forward_tangents(cls, ctx, tangents, output) -> None:
    """Forward mode through a custom Function: the user's ``jvp`` gives the outputs'
    tangents."""
    if cls.jvp is Function.jvp:
        raise NotImplementedError(_NO_JVP)
    ctx._in_jvp = True
    try:
        with forward_ad.suspended():
            result = cls.jvp(ctx, *tangents)
    finally:
        ctx._in_jvp = False
    outputs = output if isinstance(output, tuple) else (output,)
    results = result if isinstance(result, tuple) else (result,)
    if len(results) != len(outputs):
        raise RuntimeError("Function's jvp returned an invalid number of forward gradients "
                           f"(expected {len(outputs)} but got {len(results)})")
    for out, tangent in zip(outputs, results):
        if _is_tensor(out) and tangent is not None:
            forward_ad.set_tangent(out, tangent)


def _attach(node, args, output):
    """Make ``node`` the grad_fn of the differentiable tensor outputs and save what
    ``save_for_backward`` was given."""
    many = isinstance(output, tuple)
    outputs = list(output) if many else [output]
    dirty = node.dirty_tensors
    for t in dirty:
        t._version_counter[0] += 1      # marked dirty: one more version, as in PyTorch
        if t._grad_fn is None and t._requires_grad:
            raise RuntimeError(_LEAF_DIRTY)
    arg_ids = {id(a) for a in args if _is_tensor(a)}
    non_diff = {id(t) for t in node.non_differentiable}
    node.sequence_nr = next(_sequence)
    node.saved = {}
    node.input_meta = ()
    next_nodes, arg_meta = [], []
    for a in args:
        if not _is_tensor(a):
            arg_meta.append(None)
            continue
        arg_meta.append((a._data.shape, a._dtype.name))
        if not a._requires_grad:
            next_nodes.append(None)
        elif a._grad_fn is not None:
            next_nodes.append(a._grad_fn)
        else:
            next_nodes.append(None if a._no_grad_view else accumulator(a))
    nrs = [a._output_nr if a._grad_fn is not None else 0
           for a in args if _is_tensor(a)]
    node.next_nodes = tuple(next_nodes)
    if any(nrs):
        node._input_nrs = tuple(nrs)
    node._arg_meta = tuple(arg_meta)
    node.num_outputs = len(outputs)
    node._output_meta = []
    results = []
    for nr, out in enumerate(outputs):
        if not _is_tensor(out):
            node._output_meta.append(None)
            results.append(out)
            continue
        node._output_meta.append((out._data.shape, out._dtype.name))
        if id(out) in arg_ids and not any(out is d for d in dirty):
            out = out.detach()                  # an input returned as is: a new alias
        if id(out) in non_diff or not (out._dtype.is_floating_point
                                        or out._dtype.is_complex):
            out._requires_grad = False
            results.append(out)
            continue
        out._grad_fn = node
        out._requires_grad = True
        if nr:
            out._output_nr = nr
        results.append(out)
    outputs_by_id = {id(o): o for o in results if _is_tensor(o)}
    saved_args = node.to_save
    node._saved_list = [_save(t, node, outputs_by_id) for t in saved_args]
    node.to_save = ()
    if _STATE.saved_hooks is not None:      # save_for_backward goes through the hooks too
        for (saved, _), t in zip(node._saved_list, saved_args):
            pack_saved([saved], t)
    if ANOMALY.enabled:
        record_forward(node)
    return tuple(results) if many else results[0]


def _save(t, node, outputs_by_id):
    """A saved value as ``(SavedTensor or None, output number)``."""
    if t is None:
        return None, 0
    if id(t) in outputs_by_id and t._grad_fn is node:
        # the node's own output: kept without the node (no reference cycle)
        return SavedTensor(t, is_output=True), t._output_nr
    return SavedTensor(t), 0


def _unpack(saved, nr, node):
    if saved is None:
        return None
    t = saved.unpack(node)
    if saved.is_output and t._grad_fn is not node:
        # outside a recorded graph too, a saved output still names its node (as in PyTorch)
        t = t.detach()
        t._grad_fn = node
        t._requires_grad = True
    if nr and saved.is_output:
        t._output_nr = nr                       # output 1, 2 ... of the node
    return t


def once_differentiable(fn):
    """A backward that is not itself differentiable: it runs with grad mode off."""
    @functools.wraps(fn)
    def wrapper(ctx, *args):
        with grad_mode.no_grad():
            return fn(ctx, *args)
    return wrapper
