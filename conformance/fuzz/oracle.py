"""The oracle: a program as work for the executor, what of it is compared, and the
tie-breaker.

A :class:`ProgramWork` runs its program on a lane (in the executor's child process) with
:func:`observer`, which turns every value and every exception into plain data at once;
records are built by :mod:`conformance.pair_records` with compare.py, the harness's one
comparison helper (:func:`comparable` says what a reference cannot share with torch).
When two lanes disagree on a gradient, float64 central finite differences on torch's CPU say
which side is right (:func:`finite_difference_verdict`).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

from conformance.compare import compare_arrays, decode_values, tolerance
from conformance.execute import missing_name
from conformance.fuzz.program import (PRELUDE, PROGRAM_FILE, Action, Leaf, Program,
                                      compile_program)
from conformance.observe import raised, to_plain
from conformance.records import Record

AREA = "fuzz"


def record_id(seed: int, pair: str) -> str:
    return f"{AREA}::seed-{seed}[{pair}]"


def observer(lane_name: str) -> Callable[[Any], dict]:
    """What a program on ``lane_name`` passes each value and each outcome through: plain
    data, an exception as an error; on the target, a feature it lacks as "missing" (the
    executor's rule: an AttributeError raised by the program's own code on a target object,
    or the target namespace's MissingFeature)."""
    def observe(value: Any) -> dict:
        if isinstance(value, BaseException):
            if lane_name == "target":
                lacking = missing_name(value, PROGRAM_FILE)
                if lacking is not None:
                    return {"type": "missing", "name": lacking}
            return to_plain(raised(value))
        return to_plain(value, truncate=False)
    return observe


@dataclass
class ProgramWork:
    """One program of a campaign as work for :mod:`conformance.execute`."""
    seed: int
    program: Program
    code_file: str = PROGRAM_FILE
    _compiled: Callable | None = field(default=None, repr=False, compare=False)

    def observe(self, lane) -> dict[str, dict]:
        if self._compiled is None:
            self._compiled = compile_program(self.program)
        return self._compiled(lane.namespace, lane.device, observer(lane.name))

    def __getstate__(self):
        return {"seed": self.seed, "program": self.program, "code_file": self.code_file,
                "_compiled": None}

    def record(self, pair: str) -> Record:
        program = self.program
        return Record.for_case(f"{AREA}::seed-{self.seed}", AREA, f"seed-{self.seed}", "",
                               pair, source=program.source(),
                               fuzz={"seed": self.seed, "summary": program.summary(),
                                     "ops": program.op_count})

    def comparable(self, observations: dict[str, dict]) -> dict[str, dict]:
        return comparable(observations)

    def reproducer(self, record: Record, target: str, notes: str = "") -> str:
        from conformance import reproduce
        return reproduce.for_program(PRELUDE + "\n\n" + self.program.source(),
                                     self.program.summary(), target, record, notes)


def _is_first_order_of_second(label: str) -> bool:
    """Labels like "a1 dv0/dx0": the create_graph gradient inside a second-order action."""
    head, _, rest = label.partition(" ")
    return head[1:].isdigit() and rest.startswith("d") and "/d" in rest and " " not in rest


def comparable(observed: dict) -> dict:
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
            # the two sides of a tuple's item may agree (compare.py's tolerances)
            if compare_arrays(lvalue, rvalue, *tolerance(str(rvalue.dtype)))["status"] \
                    != "diverge":
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

