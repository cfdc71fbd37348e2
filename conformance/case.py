"""What a conformance case is, and how cases are found.

A case is a plain module-level function in ``conformance/cases/<area>.py`` named
``case_<name>(torch, device, **params)``:

- ``torch`` is the lane's torch-like namespace (refgrad, torch, or any other target module);
- ``device`` is the lane's device string (``"cpu"`` or ``"cuda"``);
- ``params`` are the values of a :func:`parametrize` declaration, if any.

The case builds its inputs from NumPy with a fixed seed (see :mod:`conformance.inputs`) and
moves them into the lane with ``torch.tensor(array, device=device, ...)``, never with the
lane's own RNG, so every lane sees the same numbers. It then runs ordinary torch code and
*returns what it observed*: a dict ``{observable name: value}`` whose values are lane tensors,
Python scalars, strings, bools, None, tuples/lists/dicts of those, or the records made by
:mod:`conformance.observe` (``error``, ``warnings``, ``graph``). The harness turns them into
plain data and compares them lane against lane with one helper (:mod:`conformance.compare`).

The area is the module's name; a case's id is ``area::name`` (plus ``[param-id]`` when
parametrised), and a record's id adds the lane pair: ``area::name[target~torch-cpu]``.
"""
from __future__ import annotations

import importlib
import inspect
import itertools
import pkgutil
from dataclasses import dataclass, field
from typing import Any, Callable

CASE_PREFIX = "case_"


def parametrize(name: str, values: list, ids: list[str] | None = None):
    """Run the case once per value of ``name``, like ``pytest.mark.parametrize``.

    Stacked declarations give the cross product. ``ids`` name the values in case ids; by
    default a value's id is ``str(value)``.
    """
    if ids is not None and len(ids) != len(values):
        raise ValueError(f"parametrize({name!r}): {len(ids)} ids for {len(values)} values")
    value_ids = list(ids) if ids is not None else [_value_id(v) for v in values]

    def mark(func):
        # Innermost declaration first, so the written order (top to bottom) reads left to right.
        func.__dict__.setdefault("conformance_params", []).insert(0, (name, values, value_ids))
        return func

    return mark


def family(instances):
    """Declare the named cases one function stands for: ``(name, params, param_id)`` per case.

    For a family whose cases are named by what they test rather than by the function (the op
    cases: one function over the op catalogue). ``params`` are passed as keyword arguments.
    """
    def mark(func):
        func.conformance_cases = list(instances)
        return func

    return mark


def _value_id(value: Any) -> str:
    if isinstance(value, (tuple, list)):
        return "x".join(str(v) for v in value) or "scalar"
    return getattr(value, "__name__", None) or str(value)


@dataclass(frozen=True)
class Case:
    area: str
    name: str
    func: Callable[..., dict]
    params: dict = field(default_factory=dict)
    param_id: str = ""

    @property
    def id(self) -> str:
        base = f"{self.area}::{self.name}"
        return f"{base}[{self.param_id}]" if self.param_id else base

    @property
    def source(self) -> str:
        """The case function's source, for reproducers and the HTML report."""
        return inspect.getsource(self.func)

    @property
    def source_or_none(self) -> str | None:
        """:attr:`source`, or None where it cannot be read (no source file at hand)."""
        try:
            return self.source
        except (OSError, TypeError):
            return None

    def run(self, torch_like, device: str) -> dict:
        return self.func(torch_like, device, **self.params)


def expand(area: str, func: Callable) -> list[Case]:
    """The cases one case function stands for: one per combination of its parameters."""
    if hasattr(func, "conformance_cases"):
        return [Case(area, name, func, params, param_id)
                for name, params, param_id in func.conformance_cases]
    name = func.__name__[len(CASE_PREFIX):]
    declared = func.__dict__.get("conformance_params", [])
    if not declared:
        return [Case(area, name, func)]
    cases = []
    for combo in itertools.product(*(list(zip(vals, ids)) for _, vals, ids in declared)):
        params = {decl[0]: value for decl, (value, _) in zip(declared, combo)}
        param_id = "-".join(value_id for _, value_id in combo)
        cases.append(Case(area, name, func, params, param_id))
    return cases


def collect(package: str = "conformance.cases") -> list[Case]:
    """Every case of every area module in ``package``, in source order, ids unique."""
    pkg = importlib.import_module(package)
    cases: list[Case] = []
    for info in sorted(pkgutil.iter_modules(pkg.__path__), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{package}.{info.name}")
        funcs = [
            f for n, f in vars(module).items()
            if n.startswith(CASE_PREFIX) and inspect.isfunction(f)
            and f.__module__ == module.__name__
        ]
        funcs.sort(key=lambda f: f.__code__.co_firstlineno)
        for func in funcs:
            cases.extend(expand(info.name, func))
    seen: set[str] = set()
    for case in cases:
        if case.id in seen:
            raise ValueError(f"duplicate conformance case id {case.id}")
        seen.add(case.id)
    return cases
