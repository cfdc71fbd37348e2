"""Row: one op of the derivative table, and the registry of every op's call variants.

A row names the node PyTorch records (``MulBackward0``), the op's tensor inputs, its NumPy
forward, one VJP per input, and how the op is called:

* ``promotion`` - how the dispatcher (``refgrad._dispatch``) picks the result dtype from the
  operands: ``PROMOTE`` (PyTorch's result type: dimensioned tensors decide, 0-d tensors and
  Python numbers only when of a higher category; an integer tensor stays integer) or
  ``INT_TO_FLOAT`` (the same, then an integral result becomes the default float dtype);
* ``scalar`` - what a Python-number operand becomes: None, a 0-d tensor input of the node
  (``x + 1``: AddBackward0 has two inputs), or the name of the node parameter it becomes
  (``1 - x``: RsubBackward1 keeps ``other`` and has one input);
* its variants - ``method`` (``t.exp()``), ``function`` (``torch.exp(t)``), ``inplace``
  (``t.exp_()``) and ``operators`` (``__neg__`` ...). Each may be one name or a tuple of
  aliases. Rows whose ``entry`` is None get an entry generated from the policy and the number
  of inputs; ops that parse arguments (dims, shapes) give their own ``entry``.

``VARIANTS`` lists what ``refgrad._variants`` binds onto ``Tensor`` and into the torch namespace:
the rows' variants and those of the ops that record no node of their own (``rsqrt``,
comparisons, ``matmul`` ...), registered with :func:`variants`.
"""
from __future__ import annotations

import numpy as np

from ..autograd.graph import node_class
from ..dtypes import INT_TO_FLOAT, PROMOTE

ROWS: dict = {}
VARIANTS: list = []     # (entry or row, methods, functions, inplace names, operators)


def _names(value) -> tuple:
    if value is None:
        return ()
    return (value,) if isinstance(value, str) else tuple(value)


class Row:
    """One op: its node name, inputs, NumPy forward, VJP per input, promotion and variants.

    ``vjps`` holds ``(uses, fn)`` per input: ``uses`` lists the saved values the VJP reads
    (input names, ``"result"``, extra saved tensors, or op parameters) and ``fn(grad, s)``
    returns the input's gradient in Tensor operations, so ``create_graph=True`` differentiates
    it again. ``jvps`` has one slot per input for its forward-mode formula (the tangent of the
    output for a tangent of that input, ``fn(tangent, s)``: Tensor operations reading ``s`` as
    the VJPs do, plus ``s.result``; forward mode, ``refgrad.autograd.forward_ad``, sums them
    and broadcasts the sum to the result's shape). cat / stack have one ``fn(tangents, s)``.
    """

    __slots__ = ("name", "input_names", "forward", "_vjps", "saved_names", "cls", "variadic",
                 "doc", "params", "positions", "saves", "saves_any", "vjp_fns", "jvps",
                 "promotion", "scalar", "entry")

    def __init__(self, name, inputs, forward, vjps, variadic=False, doc="", params=None,
                 promotion=PROMOTE, scalar=None, entry=None, jvps=None):
        self.name = name
        self.params = params or {}   # op parameters with their defaults (alpha=1 ...)
        self.input_names = tuple(inputs)
        self.positions = {name: i for i, name in enumerate(self.input_names)}
        self.forward = forward
        self.vjps = tuple(vjps[k] if vjps.get(k) else ((), None) for k in self.input_names)
        jvps = jvps or {}
        self.jvps = tuple(jvps.get(k) for k in self.input_names)
        self.variadic = variadic    # cat / stack: one VJP for every input, fn(g, s, index)
        self.doc = doc
        self.promotion = promotion
        self.scalar = scalar        # the node parameter a Python number becomes, if any
        self.entry = entry          # the op's front end, when it is not generated
        self.cls = node_class(name, self)

    @property
    def vjps(self):
        """``(uses, fn)`` per input."""
        return self._vjps

    @vjps.setter
    def vjps(self, vjps):
        self._vjps = vjps = tuple(vjps)
        self.saved_names = tuple(sorted({u for uses, _ in vjps for u in uses}))
        # worked out once for record() and Node.apply: per input, what its VJP saves beyond
        # the op's parameters (those are always in the node's context), and the VJP itself
        self.saves = tuple(tuple(u for u in uses if u not in self.params) for uses, _ in vjps)
        self.saves_any = any(self.saves)
        self.vjp_fns = tuple(fn for _, fn in vjps)

    def __repr__(self) -> str:
        return f"Row({self.name})"


def row(name, inputs, forward, variadic=False, doc="", params=None, promotion=PROMOTE,
        scalar=None, entry=None, method=None, function=None, inplace=None, operators=None,
        jvps=None, **vjps):
    """Add a row: ``row("ExpBackward0", ["self"], _exp, self=(uses("result"), fn),
    promotion=INT_TO_FLOAT, method="exp", function="exp", inplace="exp_")``."""
    r = Row(name, inputs, forward, vjps, variadic=variadic, doc=doc, params=params,
            promotion=promotion, scalar=scalar, entry=entry, jvps=jvps)
    ROWS[name] = r
    if method or function or inplace or operators:
        VARIANTS.append((r, _names(method), _names(function), _names(inplace),
                         _names(operators)))
    return r


def variants(method=None, function=None, inplace=None, operators=None):
    """Register an op's front end under its names: ``@variants(method="rsqrt",
    function="rsqrt")`` above ``def rsqrt(self): ...``. For ops without a row of their own, or
    whose row is reached through an entry that parses arguments first."""
    def register(entry):
        VARIANTS.append((entry, _names(method), _names(function), _names(inplace),
                         _names(operators)))
        return entry
    return register


def uses(*names):
    return tuple(names)


def jvps(row_, **fns):
    """Fill ``row_``'s forward-mode slots by input name: ``jvps(MM, self=..., mat2=...)``."""
    unknown = set(fns) - set(row_.input_names)
    if unknown:
        raise TypeError(f"{row_.name} has no input {sorted(unknown)}")
    row_.jvps = tuple(fns.get(k, old) for k, old in zip(row_.input_names, row_.jvps))


def elementwise_jvps(*rows):
    """Forward mode of elementwise rows: the Jacobian is diagonal (for each input broadcast to
    the result's shape), so J t is the row's VJP applied to the tangent - the same formula,
    read as a product with the tangent instead of the incoming gradient."""
    for row_ in rows:
        row_.jvps = row_.vjp_fns


def through_vjp(vjp):
    """Forward mode of a reduction (or a loss) whose every result element depends only on the
    input elements reduced into it: ``vjp(ones)`` is each input element's partial derivative
    of its own result element, so J t sums ``vjp(ones) * t`` over the reduced dims
    (``s.dim`` / ``s.keepdim``; every dim when there is no ``dim``)."""
    def jvp(t, s):
        result = s.result
        ones = result._new(np.ones(result._data.shape, result._data.dtype))
        product = vjp(ones, s) * t
        values = s.__dict__
        dims = values.get("dim")
        keepdim = bool(values.get("keepdim", False))
        if product._data.shape == result._data.shape:
            return product
        if dims is None or dims == ():
            dims = tuple(range(product._data.ndim))
        elif isinstance(dims, int):
            dims = (dims,)
        return product.sum(tuple(dims), keepdim=keepdim)
    return jvp
