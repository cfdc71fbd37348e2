"""Sanity checks of the case catalogue itself: every area the project promises has cases, the
error catalogue is big enough, the run stays within its size budget, every case runs cleanly
on torch (CPU) and deterministically, and every node of refgrad's op table is recorded by some
case on torch (so each op has a family that can catch it diverging), by its own op catalogue
entry's cases where it is an op's node."""
from __future__ import annotations

import collections
import functools
import warnings

import pytest
import torch

from conformance import observe, opdb
from conformance.case import collect

AREAS = {"tutorial", "bce", "graph", "accumulation", "retain_graph", "grad_mode", "detach",
         "jacobian", "autograd_grad", "hooks", "promotion", "printing", "errors", "ops", "edges",
         "nn", "optim", "tensor_api", "devices", "legacy", "custom_function", "func",
         "forward_ad"}


@functools.lru_cache(maxsize=None)
def _cases():
    return tuple(collect())


@functools.lru_cache(maxsize=None)
def _torch_observations():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return {case.id: case.run(torch, "cpu") for case in _cases()}


def test_every_area_has_cases():
    counts = collections.Counter(case.area for case in _cases())
    assert AREAS <= set(counts), AREAS - set(counts)
    assert all(counts[area] >= 10 for area in AREAS), counts


def test_error_catalogue_has_at_least_40_misuse_cases():
    errors = [case for case in _cases() if case.area == "errors"]
    assert len(errors) >= 40


def test_case_count_stays_within_the_run_budget():
    assert 500 <= len(_cases()) <= 1700    # room for the autograd areas of issue 9


def test_every_case_runs_on_torch_and_observes_something():
    observations = _torch_observations()
    empty = [case_id for case_id, observed in observations.items()
             if not isinstance(observed, dict) or not observed]
    assert empty == []


def test_error_cases_observe_an_error_or_warning():
    observations = _torch_observations()
    for case in _cases():
        if case.area != "errors":
            continue
        values = list(observations[case.id].values())
        assert any(isinstance(v, (observe.Raised, observe.WarningsSeen)) or
                   (isinstance(v, list) and v and isinstance(v[0], observe.Warned))
                   for v in values), case.id


def test_cases_are_deterministic_on_torch():
    """Seeded NumPy inputs: a second run observes the same plain values."""
    sample = [case for case in _cases() if case.area in ("ops", "bce", "tutorial")][::7]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for case in sample:
            first = {k: observe.to_plain(v) for k, v in case.run(torch, "cpu").items()}
            second = {k: observe.to_plain(v) for k, v in case.run(torch, "cpu").items()}
            assert first == second, case.id


def _node_names(value, names: set) -> None:
    if isinstance(value, torch.Tensor):
        stack, visited = [value.grad_fn], set()
        while stack:
            fn = stack.pop()
            if fn is None or id(fn) in visited:
                continue
            visited.add(id(fn))
            names.add(type(fn).__name__)
            stack.extend(next_fn for next_fn, _ in fn.next_functions)
    elif isinstance(value, observe.Graph):
        names.update(node.name for node in value.nodes)
    elif isinstance(value, observe.WarningsSeen):
        _node_names(value.result, names)
    elif isinstance(value, dict):
        for item in value.values():
            _node_names(item, names)
    elif isinstance(value, (list, tuple)):
        for item in value:
            _node_names(item, names)
    elif isinstance(value, str):
        names.add(value)


def test_every_refgrad_op_row_is_recorded_by_some_case():
    refgrad_ops = pytest.importorskip("refgrad.ops")
    recorded: set = set()
    for observed in _torch_observations().values():
        _node_names(observed, recorded)
    missing = set(refgrad_ops.ROWS) - recorded
    assert missing == set(), f"refgrad ops without a conformance case: {sorted(missing)}"


# The first .grad of a leaf under create_graph=True: not an op's output, so no op case makes
# it (the accumulation area's cases do). The primal of a dual tensor (Identity): the
# forward_ad area's cases make it.
RECORDED_OUTSIDE_THE_OP_CASES = {"CopyBackwards", "Identity"}


def test_each_catalogue_entrys_nodes_are_recorded_by_its_own_cases():
    """The op catalogue against refgrad's table: each row has an entry (its recipe, see
    tests/refgrad/test_vjp.py), and the entry's own case families reach the row's node, so a
    diverging row shows up under the op it belongs to."""
    refgrad_ops = pytest.importorskip("refgrad.ops")
    observations = _torch_observations()
    by_family: dict = {}
    for case in _cases():
        if case.area == "ops":
            by_family.setdefault(case.name, []).append(observations[case.id])
    unreached = {}
    for op in opdb.OPS:
        recorded: set = set()
        for family in op.cases:
            _node_names(by_family[family.name], recorded)
        missing = set(op.nodes) - recorded - RECORDED_OUTSIDE_THE_OP_CASES
        if missing:
            unreached[op.name] = sorted(missing)
    assert unreached == {}
    assert set(refgrad_ops.ROWS) <= set(opdb.RECIPES)
