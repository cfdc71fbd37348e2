"""Differential fuzzing of autograd programs: generate, run on every lane, compare, shrink.

A *program* is a small DAG of ops on leaf tensors (some requiring grad, some constants)
followed by autograd *actions* (backward, ``autograd.grad``, second-order gradients,
``grad.zero_()``, ...). Every program is a pure function of ``(profile, seed)``: the seed
drives hypothesis's generator (:mod:`conformance.strategies`), so ``--replay SEED`` rebuilds
the same program. A program is rendered once as Python source (:meth:`Program.source`); the
same source runs on every lane, goes into the report, and makes the standalone reproducer.

When a program diverges, hypothesis shrinks it to the smallest program that still diverges
the same way, and :func:`write_reproducer` writes that program as a script which runs it on
torch and on the target and prints both. When the divergence is in a gradient, float64
central finite differences say which side is right (:func:`finite_difference_verdict`).
"""
from __future__ import annotations

import argparse
import os
import random
import sys
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Callable

import numpy as np

# --------------------------------------------------------------------------------------------
# Program representation
# --------------------------------------------------------------------------------------------


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
    op: str                  # catalogue name (conformance.strategies.OPS)
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
    code = compile(PRELUDE + "\n\n" + program.source(), "<fuzz program>", "exec")
    exec(code, namespace)  # noqa: S102 - the source is generated here, from literals
    return namespace["program"]


# --------------------------------------------------------------------------------------------
# Profiles and generation
# --------------------------------------------------------------------------------------------

PROFILE_ENV = "CONFORMANCE_FUZZ_PROFILE"
AREA = "fuzz"


@dataclass(frozen=True)
class Profile:
    name: str
    programs: int            # programs in a campaign (before sharding)
    max_steps: int
    max_actions: int
    derandomize: bool        # campaign seeds start at 0 instead of a random base
    shrinks: int             # divergences shrunk per campaign (the rest keep their program)
    shrink_seconds: float    # time allowed to shrink one divergence


PROFILES = {
    "ci": Profile("ci", 300, 5, 3, True, 4, 15.0),
    "dev": Profile("dev", 2000, 6, 4, False, 12, 40.0),
    "thorough": Profile("thorough", 20000, 8, 5, False, 40, 60.0),
}


def profile_named(name: str | None) -> Profile:
    name = name or os.environ.get(PROFILE_ENV) or "ci"
    try:
        return PROFILES[name]
    except KeyError:
        raise ValueError(f"unknown fuzz profile {name!r}; choose one of "
                         f"{', '.join(PROFILES)} (--profile or ${PROFILE_ENV})") from None


def program_strategy(profile: Profile):
    from conformance import strategies
    return strategies.programs(max_steps=profile.max_steps, max_actions=profile.max_actions)


def generate(profile: Profile, seed: int) -> tuple[Program, tuple]:
    """The program of ``seed`` under ``profile``, and the choices that drew it (for shrinking).

    Hypothesis draws from a generator seeded by the profile's name and the seed alone, so
    the same pair always gives the same program.
    """
    from hypothesis.errors import StopTest
    from hypothesis.internal.conjecture.data import ConjectureData

    strategy = program_strategy(profile)
    for attempt in range(8):
        data = ConjectureData(random=random.Random(f"{profile.name}:{seed}:{attempt}"))
        try:
            program = data.draw(strategy)
        except StopTest:       # ran past hypothesis's size limit: draw again from a new stream
            continue
        data.freeze()
        return program, tuple(data.choices)
    raise RuntimeError(f"seed {seed}: no program within hypothesis's size limit")


# --------------------------------------------------------------------------------------------
# Running a program on a lane, comparing lanes
# --------------------------------------------------------------------------------------------

_TENSOR_METHOD_MISSING = "'Tensor' object has no attribute '"


def _observer(lane_name: str):
    from conformance import observe as obs_mod

    def observe(value):
        if isinstance(value, obs_mod.MissingFeature):
            return obs_mod.to_plain(value)
        if isinstance(value, BaseException):
            text = str(value)
            if (lane_name == "target" and isinstance(value, AttributeError)
                    and text.startswith(_TENSOR_METHOD_MISSING)):
                # A method the target's tensors lack is a missing feature, not a behaviour
                # (an AttributeError from inside the target's own code is a behaviour).
                attribute = text[len(_TENSOR_METHOD_MISSING):].split("'")[0]
                return {"type": "missing", "name": f"Tensor.{attribute}"}
            return obs_mod.to_plain(obs_mod.raised(value))
        return obs_mod.to_plain(value)
    return observe


def run_on_lane(program_fn: Callable, lane) -> tuple[dict, float]:
    """The program's observations on one lane as plain data, and the seconds it took."""
    import warnings

    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        observed = program_fn(lane.namespace, lane.device, _observer(lane.name))
    return observed, time.perf_counter() - start


def _pairs(lanes: dict) -> list[tuple[str, str]]:
    from conformance.report import schema
    return [tuple(p.split("~")) for p in schema.PAIRS
            if all(name in lanes for name in p.split("~"))]


def _missing_name(plain_obs: dict) -> str | None:
    for value in plain_obs.values():
        if value.get("type") == "missing":
            return value["name"]
    return None


def _is_first_order_of_second(label: str) -> bool:
    """Labels like "a1 dv0/dx0": the create_graph gradient inside a second-order action."""
    head, _, rest = label.partition(" ")
    return head[1:].isdigit() and rest.startswith("d") and "/d" in rest and " " not in rest


def _without_double_backward_names(observed: dict) -> dict:
    """The gradient computed with create_graph=True is compared by value, requires_grad and
    is_leaf, but not by its grad_fn's name: that names the node of torch's own derivative
    formula (SoftmaxBackwardDataBackward0, ...), which a reference composing its derivatives
    from ordinary ops cannot share. Everything else compares in full."""
    out = dict(observed)
    for label, value in observed.items():
        if _is_first_order_of_second(label) and value.get("type") == "tensor":
            out[label] = {**value, "grad_fn": None if value.get("grad_fn") is None
                          else "(a derivative node)"}
    return out


def compare_program(left: dict, right: dict) -> tuple[str, str, list[dict]]:
    """(status, reason, observables) for one lane pair's observations of a program."""
    from conformance import compare

    missing = _missing_name(left) or _missing_name(right)
    observables = compare.compare_observations(_without_double_backward_names(left),
                                               _without_double_backward_names(right))
    if missing:
        return "missing", f"the lane lacks {missing}", observables
    status = compare.record_status(observables)
    reason = ""
    if status == "diverge":
        first = next(o for o in observables if o["status"] == "diverge")
        reason = f"{first['name']}: {first['detail']}"
    return status, reason, observables


def divergence_category(observables: list[dict]) -> str | None:
    """What kind of observable diverges first: what shrinking must keep diverging."""
    first = next((o for o in observables if o["status"] == "diverge"), None)
    if first is None:
        return None
    name = first["name"]
    error = "error" in (str((first.get("left") or {}).get("type")),
                        str((first.get("right") or {}).get("type")))
    if name.startswith("a") and name.endswith(".grad"):
        kind = "grad"
    elif name.startswith("a") and " d" in name and "/d" in name:
        kind = "second-order grad"
    elif name.startswith("a"):
        kind = "action"
    else:
        kind = "forward"
    return kind + (" error" if error else "")


# --------------------------------------------------------------------------------------------
# The tie-breaker: float64 central finite differences
# --------------------------------------------------------------------------------------------

FD_STEP = 1e-6
FD_STEP_NESTED = 1e-4
FD_RTOL, FD_ATOL = 1e-3, 1e-4     # loose: float32 sides against a float64 estimate


def _forward64(torch, program: Program, overrides: dict, frozen: dict) -> dict:
    """Every value of the program in float64 on torch's CPU, without autograd; ``frozen``
    values (outputs of no_grad steps and detach) are reused, as autograd treats them."""
    env: dict[str, Any] = {"torch": torch, "np": np, "device": "cpu"}
    with torch.no_grad():
        for node in program.nodes:
            if isinstance(node, Leaf):
                array = overrides.get(node.name, node.array)
                if node.dtype != "bool":
                    array = np.asarray(array, dtype=np.float64)
                env[node.name] = torch.tensor(array)
            elif node.name in frozen:
                env[node.name] = frozen[node.name]
            else:
                env[node.name] = eval(node.expression(), env)  # noqa: S307 - generated here
    return env


def _functional(torch, program: Program, root: str, gradient: str | None, frozen: dict):
    """F(leaf values) = sum(gradient * root), the scalar whose gradient an action computes."""
    def value(overrides: dict) -> float:
        env = _forward64(torch, program, overrides, frozen)
        out = env[root]
        if gradient is not None:
            out = out * env[gradient]
        return float(out.sum())
    return value


def _central_gradient(fn: Callable[[dict], float], program: Program, leaf: str,
                      base: dict, step: float) -> np.ndarray:
    x = np.asarray(base.get(leaf, program.node(leaf).array), dtype=np.float64)
    grad = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        h = step * max(1.0, abs(float(x[index])))
        plus, minus = x.copy(), x.copy()
        plus[index] += h
        minus[index] -= h
        grad[index] = (fn({**base, leaf: plus}) - fn({**base, leaf: minus})) / (2 * h)
    return grad


def _frozen_values(torch, program: Program) -> dict:
    env = _forward64(torch, program, {}, {})
    frozen: dict = {}
    for step in program.steps:
        if step.no_grad or step.op == "detach":
            frozen[step.name] = env[step.name]
    return frozen


def expected_gradient(torch, program: Program, action: Action, leaf: str,
                      second_order_part: str = "second") -> np.ndarray:
    """float64 finite-difference estimate of what ``action`` adds to (or returns for) ``leaf``.

    For second-order actions, ``second_order_part="first"`` gives the first derivative
    (``d root / d inputs[0]``) and ``"second"`` the derivative of ``sum(weight * first)``.
    """
    frozen = _frozen_values(torch, program)
    first = _functional(torch, program, action.root, action.gradient, frozen)
    if action.kind != "second_order":
        return _central_gradient(first, program, leaf, {}, FD_STEP)
    inner_leaf = action.inputs[0]
    if second_order_part == "first":
        return _central_gradient(first, program, inner_leaf, {}, FD_STEP)
    weight = program.node(action.weight).array.astype(np.float64)

    def weighted_first(overrides: dict) -> float:
        g = _central_gradient(first, program, inner_leaf, overrides, FD_STEP_NESTED)
        return float((g * weight).sum())
    return _central_gradient(weighted_first, program, leaf, {}, FD_STEP_NESTED)


def _plain_array(plain: dict | None) -> np.ndarray | None:
    from conformance.compare import decode_values

    if plain is None:
        return None
    if plain.get("type") == "tensor":
        return decode_values(plain["values"], plain["dtype"])
    if plain.get("type") == "value" and plain.get("pytype") == "NoneType":
        return None
    return None


def _fd_targets(program: Program, name: str, left: dict, right: dict):
    """For a diverging observable: (action, leaf, part, left value, right value), where the
    values are what the action contributed on each side; None when FD cannot judge it."""
    index = _action_index(program, name)
    if index is None:
        return None
    rest = name.partition(" ")[2]
    action = program.actions[index]
    if action.kind in ("zero_grad", "grad_none"):
        return None
    if rest.endswith(".grad"):
        if action.kind == "grad" or (action.kind == "second_order"
                                     and action.second == "grad"):
            return None       # autograd.grad does not touch .grad
        leaf = rest[:-len(".grad")]
        before = f"a{index - 1} {leaf}.grad"

        def contribution(observed: dict) -> np.ndarray | None:
            after = _plain_array(observed.get(name))
            if after is None:
                return None
            prior = _plain_array(observed.get(before)) if index > 0 else None
            return after if prior is None or prior.shape != after.shape else after - prior
        return action, leaf, "second", contribution(left), contribution(right)
    if rest.startswith("d") and "/d" in rest and action.kind == "second_order":
        leaf = action.inputs[0]
        return action, leaf, "first", _plain_array(left.get(name)), _plain_array(
            right.get(name))
    return None


def _action_index(program: Program, label: str) -> int | None:
    """The action an observable label belongs to ("a2 x0.grad" -> 2), if any."""
    head = label.partition(" ")[0]
    if not (head.startswith("a") and head[1:].isdigit()):
        return None
    index = int(head[1:])
    return index if index < len(program.actions) else None


def _grad_items(plain: dict | None) -> list:
    if not plain or plain.get("type") != "value" or not plain.get("items"):
        return []
    return plain["items"]


def finite_difference_verdict(torch, program: Program, observables: list[dict],
                              left_name: str, right_name: str,
                              left: dict, right: dict) -> str:
    """Which side float64 central differences agree with, for the first diverging gradient.

    ``torch`` is real PyTorch (its CPU lane) used in float64 without autograd; ``left`` and
    ``right`` are the two lanes' plain observations. Returns "" when no gradient diverges.
    """
    for obs in observables:
        if obs["status"] != "diverge":
            continue
        name = obs["name"]
        cases = []
        target = _fd_targets(program, name, left, right)
        if target is not None:
            cases.append(target)
        elif _action_index(program, name) is not None:
            # autograd.grad's tuple of gradients: one FD estimate per input
            action = program.actions[_action_index(program, name)]
            lefts, rights = _grad_items(left.get(name)), _grad_items(right.get(name))
            if action.kind in ("grad", "second_order") and lefts:
                for i, leaf in enumerate(action.inputs):
                    if i < len(lefts) and i < len(rights):
                        cases.append((action, leaf, "second", _plain_array(lefts[i]),
                                      _plain_array(rights[i])))
        for action, leaf, part, lvalue, rvalue in cases:
            if lvalue is None or rvalue is None or lvalue.shape != rvalue.shape:
                continue
            if np.allclose(lvalue, rvalue, rtol=1e-6, atol=1e-6):
                continue
            expected = expected_gradient(torch, program, action, leaf, part)
            if expected.shape != lvalue.shape:
                continue
            return _verdict(name, leaf, expected, left_name, lvalue, right_name, rvalue)
    return ""


def _verdict(name, leaf, expected, left_name, lvalue, right_name, rvalue) -> str:
    def error(value):
        with np.errstate(invalid="ignore", over="ignore"):
            scaled = np.abs(value - expected) / (FD_ATOL + FD_RTOL * np.abs(expected))
        return float(np.nan_to_num(scaled, nan=np.inf).max())
    left_err, right_err = error(lvalue), error(rvalue)
    agree = [n for n, e in ((left_name, left_err), (right_name, right_err)) if e <= 1.0]
    if len(agree) == 1:
        side = agree[0]
    elif not agree:
        side = "neither side (a non-smooth point, or both wrong)"
    else:
        side = "both sides (the difference is below what finite differences resolve)"
    return (f"finite differences (float64) for {name} (d/d{leaf}) agree with {side}; "
            f"scaled error {left_name} {left_err:.3g}, {right_name} {right_err:.3g}")


# --------------------------------------------------------------------------------------------
# Campaigns: seeds -> records
# --------------------------------------------------------------------------------------------


@dataclass
class Outcome:
    """One program run on every lane: its plain observations and per-lane seconds."""
    seed: int
    program: Program
    choices: tuple
    observed: dict = field(default_factory=dict)     # lane -> {label: plain}
    seconds: dict = field(default_factory=dict)      # lane -> seconds


def run_program(program: Program, lanes: dict) -> tuple[dict, dict]:
    program_fn = compile_program(program)
    observed, seconds = {}, {}
    for name, lane in lanes.items():
        if lane.status != "run":
            continue
        observed[name], seconds[name] = run_on_lane(program_fn, lane)
    return observed, seconds


def record_id(seed: int, pair: str) -> str:
    return f"{AREA}::seed-{seed}[{pair}]"


def make_records(outcome: Outcome, lanes: dict) -> list[dict]:
    """One record per lane pair (schema.py), the pair's status and observables."""
    records = []
    source = outcome.program.source()
    for left_name, right_name in _pairs(lanes):
        pair = f"{left_name}~{right_name}"
        record = {
            "id": record_id(outcome.seed, pair),
            "case": f"{AREA}::seed-{outcome.seed}", "area": AREA,
            "name": f"seed-{outcome.seed}", "param_id": "",
            "pair": pair, "left": left_name, "right": right_name,
            "status": "not_run", "reason": "", "duration_s": 0.0,
            "observables": [], "graphs": {}, "source": source, "reproducer": None,
            "fuzz": {"seed": outcome.seed, "summary": outcome.program.summary(),
                     "ops": outcome.program.op_count},
        }
        not_run = [lanes[n] for n in (left_name, right_name) if lanes[n].status != "run"]
        if not_run:
            record["reason"] = f"{not_run[0].name}: {not_run[0].reason}"
        else:
            left, right = outcome.observed[left_name], outcome.observed[right_name]
            status, reason, observables = compare_program(left, right)
            record.update(status=status, reason=reason, observables=observables,
                          duration_s=round(outcome.seconds[left_name]
                                           + outcome.seconds[right_name], 6))
        records.append(record)
    return records


def shrink(profile: Profile, outcome: Outcome, lanes: dict, pair: str,
           category: str | None, seconds: float | None = None) -> Program:
    """The smallest program hypothesis finds that still diverges like ``outcome`` on
    ``pair`` (the same kind of observable diverges first); ``outcome.program`` if none."""
    from hypothesis import HealthCheck, Phase, Verbosity, find, settings
    from hypothesis.database import InMemoryExampleDatabase, choices_to_bytes
    from hypothesis.errors import NoSuchExample

    left_name, right_name = pair.split("~")
    pair_lanes = {left_name: lanes[left_name], right_name: lanes[right_name]}
    deadline = time.monotonic() + (profile.shrink_seconds if seconds is None else seconds)
    best: list[Program] = [outcome.program]

    def size(program: Program) -> tuple:
        return (program.op_count, len(program.actions), len(program.nodes),
                len(program.source()))

    def still_diverges(program: Program) -> bool:
        if time.monotonic() > deadline:
            raise _ShrinkTimeUp()
        observed, _ = run_program(program, pair_lanes)
        status, _, observables = compare_program(observed[left_name], observed[right_name])
        ok = status == "diverge" and divergence_category(observables) == category
        if ok and size(program) < size(best[0]):
            best[0] = program
        return ok

    # The campaign's example goes in as a previously failing one: reused, then shrunk.
    key = f"conformance-fuzz:{profile.name}:{outcome.seed}:{pair}".encode()
    database = InMemoryExampleDatabase()
    database.save(key + b".secondary", choices_to_bytes(outcome.choices))
    shrink_settings = settings(database=database, phases=[Phase.reuse, Phase.shrink],
                               max_examples=10_000, deadline=None, verbosity=Verbosity.quiet,
                               suppress_health_check=list(HealthCheck))
    try:
        return find(program_strategy(profile), still_diverges, settings=shrink_settings,
                    database_key=key)
    except NoSuchExample:
        return outcome.program
    except _ShrinkTimeUp:      # out of time: the smallest diverging program seen so far
        return best[0]


class _ShrinkTimeUp(BaseException):
    """Raised inside hypothesis's shrinker to stop it: a BaseException, so that hypothesis
    does not take it for a test failure of its own and shrink that."""


# --------------------------------------------------------------------------------------------
# Reproducers
# --------------------------------------------------------------------------------------------

REPRO_TEMPLATE = '''\
#!/usr/bin/env python3
"""Reproducer for @RECORD_ID@: @SUMMARY@

@REASON@
@VERDICT@
Runs the program below on torch (CPU) and on the target module, prints what each observed,
and exits 1 when they differ. Usage: python @FILENAME@ [TARGET_MODULE]   (default @TARGET@)
"""
import importlib
import re
import sys
import warnings
from pathlib import Path

for entry in @SEARCH_PATH_REPR@ + [str(Path.cwd())]:
    if entry not in sys.path:
        sys.path.insert(0, entry)

@PRELUDE@

@SOURCE@

TOLERANCES = {"float32": (1.3e-6, 1e-5), "float64": (1e-7, 1e-7)}


def observe(value):
    """What a lane showed, as plain Python: tensors as (meta, NumPy values), errors as text."""
    if isinstance(value, BaseException):
        message = re.sub(r"0x[0-9a-fA-F]+", "0x...", str(value))
        return ("error", type(value).__name__, message)
    if isinstance(value, (tuple, list)):
        return ("sequence", [observe(v) for v in value])
    if hasattr(value, "detach") and hasattr(value, "dtype"):
        grad_fn = getattr(value, "grad_fn", None)
        base = value.detach()
        if getattr(base, "_is_zerotensor", lambda: False)():
            base = base.clone()
        meta = (str(value.dtype), tuple(value.shape), bool(value.requires_grad),
                None if grad_fn is None else type(grad_fn).__name__)
        return ("tensor", meta, np.array(base.cpu().numpy(), dtype=np.float64, copy=True))
    return ("value", repr(value))


def same(a, b):
    if a[0] != b[0]:
        return False
    if a[0] == "tensor":
        if a[1] != b[1]:
            return False
        rtol, atol = TOLERANCES.get(a[1][0].rsplit(".", 1)[-1], (0.0, 0.0))
        return bool(np.allclose(a[2], b[2], rtol=rtol, atol=atol, equal_nan=True))
    if a[0] == "sequence":
        return len(a[1]) == len(b[1]) and all(same(x, y) for x, y in zip(a[1], b[1]))
    return a == b


def show(value):
    if value is None:
        return "(not reported)"
    if value[0] == "tensor":
        dtype, shape, requires_grad, grad_fn = value[1]
        values = np.array2string(value[2], precision=8, separator=", ")
        return (f"{values}  [{dtype}, shape {list(shape)}, requires_grad={requires_grad}"
                f", grad_fn={grad_fn}]")
    if value[0] == "sequence":
        return "(" + "; ".join(show(v) for v in value[1]) + ")"
    if value[0] == "error":
        return f"{value[1]}: {value[2]}"
    return value[1]


def run(module, device="cpu"):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return program(module, device, observe)


def main(argv):
    target_name = argv[1] if len(argv) > 1 else @TARGET_REPR@
    import torch
    target = importlib.import_module(target_name)
    reference, observed = run(torch), run(target, @DEVICE_REPR@)
    differ = 0
    for label in list(reference) + [k for k in observed if k not in reference]:
        left, right = observed.get(label), reference.get(label)
        ok = left is not None and right is not None and same(left, right)
        differ += not ok
        print(("   " if ok else "!! ") + label)
        print(f"     torch:       {show(right)}")
        print(f"     {target_name + ':':12s} {show(left)}")
    print(f"{differ} observation(s) differ between torch and {target_name}")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
'''


def reproducer(record_id_text: str, program: Program, target: str, reason: str,
               verdict: str, filename: str = "repro.py", device: str = "cpu") -> str:
    """A standalone script that runs ``program`` on torch and on ``target`` and prints both."""
    root = str(Path(__file__).resolve().parents[1])
    fields = {
        "RECORD_ID": record_id_text, "SUMMARY": program.summary(),
        "REASON": _docstring_safe(f"Divergence: {reason}" if reason else ""),
        "VERDICT": _docstring_safe(verdict), "FILENAME": filename,
        "TARGET": target, "TARGET_REPR": repr(target), "DEVICE_REPR": repr(device),
        "SEARCH_PATH_REPR": repr([root]),
        "PRELUDE": PRELUDE.rstrip(), "SOURCE": program.source().rstrip(),
    }
    text = REPRO_TEMPLATE
    for key, value in fields.items():
        text = text.replace(f"@{key}@", value)
    return text


def _docstring_safe(text: str) -> str:
    """Text that can sit inside the reproducer's triple-quoted docstring."""
    return text.replace("\\", "\\\\").replace('"""', "'''")


def write_reproducer(directory: str | Path, record_id_text: str, program: Program,
                     target: str, reason: str = "", verdict: str = "",
                     device: str = "cpu") -> Path:
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in record_id_text)
    path = directory / f"{safe}.py"
    path.write_text(reproducer(record_id_text, program, target, reason, verdict,
                               filename=str(path), device=device))
    return path


# --------------------------------------------------------------------------------------------
# Workers and the campaign
# --------------------------------------------------------------------------------------------

_LANES_CACHE: dict = {}


def _lanes_for(target: str, want_cuda: bool) -> dict:
    key = (target, want_cuda)
    if key not in _LANES_CACHE:
        from conformance import lanes as lanes_module
        lanes_module.pin_threads()
        _LANES_CACHE[key] = lanes_module.make_lanes(target, want_cuda)
    return _LANES_CACHE[key]


@dataclass(frozen=True)
class Job:
    profile: str
    seeds: tuple[int, ...]
    target: str
    want_cuda: bool
    shrink: bool              # run_job: shrink every divergence; shrink_job: the records given
    repro_dir: str | None
    known: str | None
    records: tuple = ()       # shrink_job: the diverging records to shrink


def run_job(job: Job) -> tuple[list[dict], dict]:
    """Run ``job.seeds`` in this process: (records, {lane: seconds, "programs": n}).

    Every diverging record gets the tie-breaker's verdict and a reproducer; with
    ``job.shrink`` its program is shrunk first (campaigns shrink in a second phase instead,
    one divergence of each kind: :func:`shrink_job`).
    """
    from conformance import known as known_module

    profile = profile_named(job.profile)
    lanes = _lanes_for(job.target, job.want_cuda)
    entries = known_module.resolve(job.known)
    target_module = lanes["target"].module_name
    records: list[dict] = []
    stats: dict = {"programs": 0}
    for seed in job.seeds:
        program, choices = generate(profile, seed)
        observed, seconds = run_program(program, lanes)
        for lane, spent in seconds.items():
            stats[lane] = stats.get(lane, 0.0) + spent
        stats["programs"] += 1
        outcome = Outcome(seed, program, choices, observed, seconds)
        seed_records = make_records(outcome, lanes)
        known_module.apply(seed_records, entries, target_module)
        for record in seed_records:
            if record["status"] == "diverge":
                explain_divergence(record, outcome, profile, lanes, job.shrink, job.repro_dir)
        records.extend(seed_records)
    return records, stats


def shrink_job(job: Job) -> list[dict]:
    """Shrink the programs of ``job.records`` (rebuilt from their seeds) and explain them."""
    profile = profile_named(job.profile)
    lanes = _lanes_for(job.target, job.want_cuda)
    out = []
    for record in job.records:
        seed = record["fuzz"]["seed"]
        program, choices = generate(profile, seed)
        observed, seconds = run_program(program, lanes)
        status, _, _ = compare_program(observed[record["left"]], observed[record["right"]])
        if status != "diverge":
            # Shrinking needs the divergence to come back; say so rather than pretend.
            out.append({**record, "reason": record["reason"] + (
                f"; not shrunk: {status} when run again (a flaky divergence, or the target "
                f"changed during the campaign)")})
            continue
        record = {**record, "fuzz": dict(record["fuzz"])}
        record["reason"] = record["fuzz"].get("first_reason", record["reason"])
        explain_divergence(record, Outcome(seed, program, choices, observed, seconds),
                           profile, lanes, True, job.repro_dir)
        out.append(record)
    return out


def explain_divergence(record: dict, outcome: Outcome, profile: Profile, lanes: dict,
                       shrink_it: bool, repro_dir: str | None) -> None:
    """Shrink a diverging record's program, say which side finite differences agree with,
    and attach (and write) the standalone reproducer."""
    pair, left_name, right_name = record["pair"], record["left"], record["right"]
    category = divergence_category(record["observables"])
    program = outcome.program
    if shrink_it:
        program = shrink(profile, outcome, lanes, pair, category)
    needed = {n: lanes[n] for n in (left_name, right_name, "torch-cpu")}
    observed, _ = run_program(program, needed)
    status, reason, observables = compare_program(observed[left_name], observed[right_name])
    if status != "diverge":          # cannot happen for a shrunk program; keep the original
        program, observed = outcome.program, outcome.observed
        status, reason, observables = compare_program(observed[left_name],
                                                      observed[right_name])
    verdict = ""
    try:
        verdict = finite_difference_verdict(lanes["torch-cpu"].namespace, program, observables,
                                            left_name, right_name, observed[left_name],
                                            observed[right_name])
    except Exception as exc:  # noqa: BLE001 - the tie-breaker is advice, never a crash
        verdict = f"finite differences failed: {type(exc).__name__}: {exc}"
    left_lane = lanes[left_name]
    target = left_lane.module_name
    path = None
    if repro_dir:
        path = write_reproducer(repro_dir, record["id"], program, target, reason, verdict,
                                left_lane.device)
        record["reproducer"] = path.read_text()
    else:
        record["reproducer"] = reproducer(record["id"], program, target, reason, verdict,
                                          device=left_lane.device)
    record["fuzz"].setdefault("first_reason", record["reason"])
    shrunk_note = (f"shrunk from {outcome.program.op_count} to {program.op_count} op(s)"
                   if shrink_it else f"not shrunk ({program.op_count} op(s))")
    record["reason"] = "; ".join(part for part in (
        record["reason"], shrunk_note, verdict,
        f"reproducer {path}" if path else "") if part)
    record["fuzz"].update(shrunk_ops=program.op_count, shrunk_summary=program.summary(),
                          shrunk_source=program.source(), verdict=verdict,
                          reproducer_path=None if path is None else str(path))


def campaign_seeds(profile: Profile, programs: int | None, base: int | None,
                   shard: tuple[int, int]) -> tuple[int, list[int]]:
    """(base seed, this shard's seeds): shard I of N takes the I-th contiguous slice."""
    total = profile.programs if programs is None else programs
    if base is None:
        base = 0 if profile.derandomize else random.SystemRandom().randrange(2 ** 31)
    index, count = shard
    start, stop = base + (index - 1) * total // count, base + index * total // count
    return base, list(range(start, stop))


def parse_shard(text: str) -> tuple[int, int]:
    try:
        index, count = (int(part) for part in text.split("/"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"--shard takes I/N (e.g. 2/8), not {text!r}") from None
    if not 1 <= index <= count:
        raise argparse.ArgumentTypeError(f"--shard {text}: need 1 <= I <= N")
    return index, count


def parse_jobs(text: str) -> int:
    if text == "auto":
        return os.cpu_count() or 1
    try:
        jobs = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"-n takes a number or 'auto', not {text!r}") from None
    if jobs < 1:
        raise argparse.ArgumentTypeError("-n must be at least 1")
    return jobs


CHUNK = 50   # seeds per task: workers stay short-lived and evenly loaded


def _pool_map(function, work: list, jobs: int) -> list:
    if jobs <= 1 or len(work) <= 1:
        return [function(item) for item in work]
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(min(jobs, len(work)), mp_context=context) as pool:
        return list(pool.map(function, work))


def representatives(records: list[dict], limit: int) -> list[dict]:
    """Diverging records to shrink: the first of each divergence kind, then the others in
    order, at most ``limit``."""
    # A program of one op is as small as shrinking makes it in ops: leave those out.
    diverging = [r for r in records if r["status"] == "diverge" and r["fuzz"]["ops"] > 1]
    chosen: list[dict] = []
    seen: set[str] = set()
    for record in diverging:
        kind = divergence_kinds([record])[0][1] if divergence_kinds([record]) else ""
        if kind not in seen:
            seen.add(kind)
            chosen.append(record)
    chosen += [r for r in diverging if r not in chosen]
    return chosen[:limit]


def run_campaign(profile: Profile, seeds: list[int], target: str, want_cuda: bool = True,
                 jobs: int = 1, shrink_divergences: bool = True, repro_dir: str | None = None,
                 known: str | None = None) -> tuple[list[dict], dict, float]:
    """Every seed on every lane, in ``jobs`` processes: (records, lane seconds, wall seconds).

    Then, unless told not to, up to ``profile.shrinks`` divergences (one of each kind first)
    are shrunk, in parallel, and their records and reproducers replaced by the shrunk ones.
    """
    start = time.perf_counter()
    chunks = [tuple(seeds[i:i + CHUNK]) for i in range(0, len(seeds), CHUNK)]
    work = [Job(profile.name, chunk, target, want_cuda, False, repro_dir, known)
            for chunk in chunks]
    records: list[dict] = []
    stats: dict = {}
    for part_records, part_stats in _pool_map(run_job, work, jobs):
        records.extend(part_records)
        for key, value in part_stats.items():
            stats[key] = stats.get(key, 0) + value
    stats["run_s"] = time.perf_counter() - start
    chosen = representatives(records, profile.shrinks) if shrink_divergences else []
    if chosen:
        groups = [tuple(chosen[i::jobs]) for i in range(min(jobs, len(chosen)))]
        shrink_work = [Job(profile.name, (), target, want_cuda, True, repro_dir, known, group)
                       for group in groups]
        shrunk = {r["id"]: r for part in _pool_map(shrink_job, shrink_work, jobs)
                  for r in part}
        records = [shrunk.get(r["id"], r) for r in records]
    return records, stats, time.perf_counter() - start


def _slim(records: list[dict], keep_matching: bool) -> None:
    """Large campaigns keep the observables of non-matching records only."""
    if keep_matching:
        return
    for record in records:
        if record["status"] in ("match", "not_run"):
            record["observables"] = []
            record["source"] = None


# --------------------------------------------------------------------------------------------
# The command line: python -m conformance fuzz ...
# --------------------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m conformance fuzz",
        description="Generate autograd programs, run them on the target and on torch, "
                    "compare, shrink each divergence and write a reproducer for it.")
    parser.add_argument("--profile", choices=sorted(PROFILES), default=None,
                        help=f"campaign size (default ${PROFILE_ENV} or ci)")
    parser.add_argument("--programs", type=int, default=None,
                        help="programs in the campaign (default: the profile's)")
    parser.add_argument("--seed", type=int, default=None,
                        help="first seed of the campaign (default 0 for ci, random otherwise)")
    parser.add_argument("--replay", type=int, default=None, metavar="SEED",
                        help="run the one program of SEED, print it and its comparison")
    parser.add_argument("--shard", type=parse_shard, default=(1, 1), metavar="I/N",
                        help="run the I-th of N slices of the campaign's seeds")
    parser.add_argument("-n", "--jobs", type=parse_jobs, default=1, metavar="N|auto",
                        help="worker processes (auto: one per CPU)")
    parser.add_argument("--target", default=None,
                        help="target module (default $CONFORMANCE_TARGET or refgrad)")
    parser.add_argument("--no-cuda", action="store_true", help="skip the torch-cuda lane")
    parser.add_argument("--no-shrink", action="store_true", help="keep programs as drawn")
    parser.add_argument("--shrinks", type=int, default=None, metavar="N",
                        help="divergences to shrink (default: the profile's)")
    parser.add_argument("--json", default="reports/fuzz.json", help="JSON report path")
    parser.add_argument("--html", default=None, help="HTML report path (optional)")
    parser.add_argument("--repro-dir", default="reports/repros",
                        help="where reproducer scripts go")
    parser.add_argument("--known", default=None, help="known-divergences file")
    parser.add_argument("--keep-matching", action="store_true",
                        help="keep matching records' observables even in big campaigns")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from conformance import lanes as lanes_module
    from conformance import runner
    from conformance.report import json_report

    lanes_module.pin_threads()
    try:
        profile = profile_named(args.profile)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.shrinks is not None:
        profile = replace(profile, shrinks=max(0, args.shrinks))
    target = lanes_module.resolve_target(args.target)
    if args.replay is not None:
        base, seeds, shard = args.replay, [args.replay], (1, 1)
    else:
        base, seeds = campaign_seeds(profile, args.programs, args.seed, args.shard)
        shard = args.shard
    jobs = min(args.jobs, max(1, len(seeds)))
    records, stats, wall = run_campaign(profile, seeds, target, not args.no_cuda, jobs,
                                        not args.no_shrink, args.repro_dir, args.known)
    lanes = _lanes_for(target, not args.no_cuda)
    if args.replay is not None:
        program, _ = generate(profile, args.replay)
        print(program.source())
    ran = [n for n, lane in lanes.items() if lane.status == "run"]
    throughput = {lane: round(len(seeds) / stats[lane], 1) for lane in ran if stats.get(lane)}
    fuzz_info = {
        "profile": profile.name, "seed": base, "shard": f"{shard[0]}/{shard[1]}",
        "programs": len(seeds), "seeds": [seeds[0], seeds[-1]] if seeds else [],
        "jobs": jobs, "wall_s": round(wall, 3),
        # running the programs (generation included), not the shrinking after it
        "run_s": round(stats.get("run_s", wall), 3),
        "programs_per_s": round(len(seeds) / stats.get("run_s", wall), 2) if wall else None,
        # per lane: programs per second of that lane's own time, in one process
        "programs_per_s_per_lane": throughput,
        "replay": args.replay,
    }
    environment = runner.environment(lanes, command="python -m conformance fuzz "
                                     + " ".join(argv if argv is not None else sys.argv[1:]))
    environment["fuzz"] = fuzz_info
    _slim(records, args.keep_matching or len(seeds) <= 1000)
    lane_info = {name: lane.describe() for name, lane in lanes.items()}
    report = json_report.build(records, lane_info, environment, [])
    json_report.write(report, args.json)
    if args.html:
        from conformance.report import html
        html.write_html(report, args.html)
    _print_summary(report, fuzz_info, args)
    return 1 if report["summary"]["unexpected"] else 0


def divergence_kinds(records: list[dict]) -> list[tuple[int, str]]:
    """Diverging records grouped by what diverges first (numbers blanked), most common first:
    a campaign's findings at a glance."""
    import re

    kinds: dict[str, int] = {}
    for record in records:
        if record["status"] != "diverge" or not record["observables"]:
            continue
        first = next((o for o in record["observables"] if o["status"] == "diverge"), None)
        if first is None:
            continue
        detail = re.sub(r"at \[[^\]]*\]", "at [..]", first["detail"])
        detail = re.sub(r"(autograd\.grad|backward)\([^)]*\)", r"\1(..)", detail)
        detail = re.sub(r"\d+(\.\d+)?(e[-+]?\d+)?", "N", detail)[:110]
        key = f"{record['pair']} {divergence_category(record['observables'])}: {detail}"
        kinds[key] = kinds.get(key, 0) + 1
    return sorted(((n, k) for k, n in kinds.items()), reverse=True)


def _print_summary(report: dict, fuzz_info: dict, args) -> None:
    total = report["summary"]["total"]
    counts = ", ".join(f"{k} {v}" for k, v in total.items() if v)
    print(f"fuzz {fuzz_info['profile']} seeds {fuzz_info['seeds']} shard {fuzz_info['shard']}: "
          f"{fuzz_info['programs']} programs run in {fuzz_info['run_s']} s with "
          f"{fuzz_info['jobs']} process(es) ({fuzz_info['programs_per_s']} programs/s; per lane, "
          f"per process: {fuzz_info['programs_per_s_per_lane']}); {fuzz_info['wall_s']} s "
          f"with shrinking; {counts}")
    for record in report["records"]:
        if record["status"] in ("diverge", "known", "missing", "crash", "timeout") and (
                record["status"] != "missing" or args.replay is not None):
            print(f"  {record['status']:8s} {record['id']}: {record['reason'][:300]}")
    kinds = divergence_kinds(report["records"])
    if kinds:
        print("divergences by kind:")
        for count, kind in kinds:
            print(f"  {count:5d}  {kind}")
    print(f"report: {args.json}")
