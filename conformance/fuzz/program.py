"""The program model: leaves, steps and actions, and the program rendered as Python source.

A *program* is a small DAG of ops on leaf tensors (some requiring grad, some constants)
followed by autograd *actions* (backward, ``autograd.grad``, second-order gradients,
``grad.zero_()``, ...). It is rendered once as Python source (:meth:`Program.source`); the
same source runs on every lane, goes into the report, and makes the standalone reproducer.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

PROGRAM_FILE = "<fuzz program>"     # the file name the compiled programs run under


@dataclass(frozen=True)
class Leaf:
    """A tensor built from literal NumPy values: a leaf that requires grad, or a constant."""
    name: str
    shape: tuple[int, ...]
    flat: tuple          # the values, flattened (floats, or bools for masks)
    dtype: str           # "float32", "float64" or "bool"
    requires_grad: bool = False

    @property
    def array(self) -> np.ndarray:
        return np.array(self.flat, dtype=np.dtype(self.dtype)).reshape(self.shape)

    def literal(self) -> str:
        """NumPy source that rebuilds the values exactly (float repr round-trips)."""
        values = ", ".join(repr(bool(v)) if self.dtype == "bool" else repr(float(v))
                           for v in self.flat)
        np_dtype = "np.bool_" if self.dtype == "bool" else f"np.{self.dtype}"
        if not self.shape:
            return f"np.array({values}, dtype={np_dtype})"
        return f"np.array([{values}], dtype={np_dtype}).reshape({self.shape!r})"

    def statement(self) -> str:
        grad = ", requires_grad=True" if self.requires_grad else ""
        return f"torch.tensor({self.literal()}, device=device{grad})"


@dataclass(frozen=True)
class Step:
    """One op applied to earlier values: ``name = expr.format(*args)``."""
    name: str
    op: str                  # catalogue name (strategies.OPS)
    expr: str                # Python expression; ``{0}``, ``{1}`` stand for the operands
    args: tuple[str, ...]
    no_grad: bool = False    # computed inside ``torch.no_grad()``

    def expression(self) -> str:
        return self.expr.format(*self.args)


@dataclass(frozen=True)
class Action:
    """An autograd action after the forward pass.

    kind is one of:
    - ``backward``: ``root.backward(gradient=?, retain_graph=?)``
    - ``grad``: ``torch.autograd.grad(root, inputs, grad_outputs=?, retain_graph=?,
      allow_unused=?)``
    - ``second_order``: ``g = autograd.grad(root, inputs[0], grad_outputs=?,
      create_graph=True)``, then ``(g * weight).sum()`` is differentiated again, by
      ``.backward()`` (``second == "backward"``) or ``autograd.grad`` over ``inputs``
    - ``zero_grad``: ``leaf.grad.zero_()`` for ``inputs[0]`` when it has a grad
    - ``grad_none``: ``leaf.grad = None`` for ``inputs[0]``
    - ``jvp``: forward mode: the forward pass again inside a dual level on detached leaves,
      ``inputs[0]`` made dual with the tangent ``weight`` (a constant leaf of its shape); the
      tangent of ``root`` is observed
    """
    kind: str
    root: str | None = None
    gradient: str | None = None       # a constant leaf's name
    inputs: tuple[str, ...] = ()
    retain_graph: bool | None = None
    allow_unused: bool | None = None
    weight: str | None = None         # second_order: constant leaf of the input's shape
    second: str = "backward"          # second_order: "backward" or "grad"

    def describe(self) -> str:
        if self.kind == "backward":
            return (f"{self.root}.backward(gradient={self.gradient}, "
                    f"retain_graph={self.retain_graph})")
        if self.kind == "grad":
            return (f"autograd.grad({self.root}, {list(self.inputs)}, "
                    f"grad_outputs={self.gradient}, retain_graph={self.retain_graph}, "
                    f"allow_unused={self.allow_unused})")
        if self.kind == "second_order":
            return (f"second order of {self.root} in {self.inputs[0]} "
                    f"(grad_outputs={self.gradient}, weight={self.weight}), then "
                    f"{self.second} over {list(self.inputs)}")
        if self.kind == "jvp":
            return (f"forward mode: tangent of {self.root} for {self.inputs[0]} with "
                    f"tangent {self.weight}")
        if self.kind == "zero_grad":
            return f"{self.inputs[0]}.grad.zero_()"
        return f"{self.inputs[0]}.grad = None"


@dataclass(frozen=True)
class Program:
    dtype: str                            # the float dtype of the program's leaves
    nodes: tuple[Leaf | Step, ...]        # in definition order; steps refer to earlier names
    actions: tuple[Action, ...]
    edges: bool = False                   # values drawn at the ops' edges (zeros, ties, ...)

    @property
    def steps(self) -> list[Step]:
        return [n for n in self.nodes if isinstance(n, Step)]

    @property
    def leaves(self) -> list[Leaf]:
        return [n for n in self.nodes if isinstance(n, Leaf)]

    @property
    def grad_leaves(self) -> list[Leaf]:
        return [n for n in self.leaves if n.requires_grad]

    @property
    def op_count(self) -> int:
        return len(self.steps)

    def node(self, name: str) -> Leaf | Step:
        for n in self.nodes:
            if n.name == name:
                return n
        raise KeyError(name)

    def summary(self) -> str:
        ops = " ".join(s.op for s in self.steps) or "(no ops)"
        acts = " ".join(a.kind for a in self.actions)
        return f"{self.dtype}{' edges' if self.edges else ''}: {ops} | {acts}"

    def source(self) -> str:
        """The program as a function ``program(torch, device, observe) -> {label: observed}``.

        It needs :data:`PRELUDE` in scope. Each value and each action's outcome is passed
        through ``observe`` as soon as it exists (grads change in place later); a failing
        forward step ends the program, a failing action is recorded and the next one runs.
        """
        lines = [
            "def program(torch, device, observe):",
            f'    """{self.summary()}"""',
            "    obs = {}",
            "    try:",
        ]
        body: list[str] = []
        for node in self.nodes:
            if isinstance(node, Leaf):
                body.append(f"{node.name} = _step(obs, observe, {node.name!r}, "
                            f"lambda: {node.statement()})")
            else:
                label = f"{node.name} = {node.expression()}"
                call = (f"{node.name} = _step(obs, observe, {label!r}, "
                        f"lambda: {node.expression()})")
                if node.no_grad:
                    body.append("with torch.no_grad():")
                    body.append("    " + call)
                else:
                    body.append(call)
        for index, action in enumerate(self.actions):
            if action.kind == "jvp":
                body.extend(self._jvp_lines(index, action))
            else:
                body.extend(_action_lines(index, action))
            for leaf in self.grad_leaves:
                body.append(f"_observe_grad(obs, observe, 'a{index} {leaf.name}.grad', "
                            f"{leaf.name})")
        lines.extend("        " + line for line in body)
        lines.extend([
            "    except _Stop:",
            "        pass",
            "    return obs",
        ])
        return "\n".join(lines) + "\n"


    def _jvp_lines(self, index: int, action: Action) -> list[str]:
        """The forward pass rerun inside a dual level: the leaves are the function's
        parameters (one is made dual), the steps its locals."""
        names = ", ".join(leaf.name for leaf in self.leaves)
        # forward mode alone: the leaves detached (the graph of a tangent, forward over
        # reverse, names refgrad's formulas, which are not spelled as PyTorch's)
        lines = [f"def _a{index}({names}):",
                 f"    {names}, = (t.detach() for t in ({names},))",
                 "    fwad = torch.autograd.forward_ad",
                 "    with fwad.dual_level():",
                 f"        {action.inputs[0]} = fwad.make_dual({action.inputs[0]}, "
                 f"{action.weight})"]
        for step in self.steps:
            line = f"{step.name} = {step.expression()}"
            if step.no_grad:
                lines.extend(["        with torch.no_grad():", "            " + line])
            else:
                lines.append("        " + line)
        lines.append(f"        return fwad.unpack_dual({action.root}).tangent")
        label = f"a{index} {action.describe()}"
        return lines + [f"_act(obs, observe, {label!r}, lambda: _a{index}({names}))"]


def _grad_call(root: str, inputs: tuple[str, ...], gradient: str | None, **flags: Any) -> str:
    args = [root, "(" + "".join(f"{i}, " for i in inputs) + ")"]
    if gradient is not None:
        args.append(f"grad_outputs={gradient}")
    args.extend(f"{k}={v!r}" for k, v in flags.items() if v is not None)
    return f"torch.autograd.grad({', '.join(args)})"


def _action_lines(index: int, action: Action) -> list[str]:
    label = f"a{index} {action.describe()}"
    if action.kind == "backward":
        args = []
        if action.gradient is not None:
            args.append(f"gradient={action.gradient}")
        if action.retain_graph is not None:
            args.append(f"retain_graph={action.retain_graph!r}")
        call = f"{action.root}.backward({', '.join(args)})"
        return [f"_act(obs, observe, {label!r}, lambda: {call})"]
    if action.kind == "grad":
        call = _grad_call(action.root, action.inputs, action.gradient,
                          retain_graph=action.retain_graph, allow_unused=action.allow_unused)
        return [f"_act(obs, observe, {label!r}, lambda: {call})"]
    if action.kind == "second_order":
        first = _grad_call(action.root, action.inputs[:1], action.gradient,
                           retain_graph=action.retain_graph, create_graph=True)
        if action.second == "backward":
            again = f"s{index}.backward()"
        else:
            again = "return " + _grad_call(f"s{index}", action.inputs, None,
                                           allow_unused=True)
        return [
            f"def _a{index}():",
            f"    g{index} = {first}[0]",
            f"    obs['a{index} d{action.root}/d{action.inputs[0]}'] = observe(g{index})",
            f"    s{index} = (g{index} * {action.weight}).sum()",
            f"    {again}",
            f"_act(obs, observe, {label!r}, _a{index})",
        ]
    leaf = action.inputs[0]
    if action.kind == "zero_grad":
        return [f"_act(obs, observe, {label!r}, "
                f"lambda: None if {leaf}.grad is None else {leaf}.grad.zero_())"]
    if action.kind == "grad_none":
        return [f"_act(obs, observe, {label!r}, lambda: setattr({leaf}, 'grad', None))"]
    raise ValueError(f"unknown action kind {action.kind!r}")


# The helpers every rendered program runs with, on the harness's lanes and in reproducers.
PRELUDE = '''\
import numpy as np


class _Stop(Exception):
    """A forward step failed: later steps would use a value that does not exist."""


def _step(obs, observe, label, thunk):
    try:
        value = thunk()
    except Exception as exc:
        obs[label] = observe(exc)
        raise _Stop() from exc
    obs[label] = observe(value)
    return value


def _act(obs, observe, label, thunk):
    try:
        value = thunk()
    except Exception as exc:
        value = exc
    obs[label] = observe(value)


def _observe_grad(obs, observe, label, leaf):
    try:
        grad = leaf.grad
    except Exception as exc:
        grad = exc
    obs[label] = observe(grad)
'''




def compile_program(program: Program) -> Callable:
    """The program's ``program(torch, device, observe)`` function, built from its source."""
    namespace: dict[str, Any] = {}
    code = compile(PRELUDE + "\n\n" + program.source(), PROGRAM_FILE, "exec")
    exec(code, namespace)  # noqa: S102 - the source is generated here, from literals
    return namespace["program"]
