"""The one reproducer generator: a standalone script per record, for cases and programs.

A script holds the case's (or the fuzz program's) own source, runs it on the record's two
lanes, prints what each observed, compares the two with compare.py (the harness's helper and
tolerances), marks the observables that differ with ``!!`` and exits 1 when any does (or a lane
lacks what the work needs), 0 when they match. ``python script.py [TARGET_MODULE]`` runs it
on another target than the record's. It finds the project it came from (or the one in the
working directory) by itself. Tensors are printed with their values at full precision (the
shortest text that reads back to the same number); everything printed goes through
:func:`conformance.safe_text.terminal_safe`, since a target's text may hold escape
sequences.

For a case, the case function's source is inlined (decorators dropped), with the helpers it
uses from its own module inlined too and everything else imported by name. Parameters are
written as literals when they are; otherwise the script recovers them from the case's module.
The helpers the scripts call at run time are at the bottom of this module.
"""
from __future__ import annotations

import ast
import dis
import importlib
import inspect
import os
import textwrap
import types
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from conformance.case import Case
from conformance.execute import UNCAUGHT
from conformance.records import Record

_LANE_DEVICES = {"target": "cpu", "torch-cpu": "cpu", "torch-cuda": "cuda"}
_ROOT = str(Path(__file__).resolve().parents[1])


def _function_source(func: types.FunctionType) -> str:
    """The function's source without its decorators."""
    source = textwrap.dedent(inspect.getsource(func))
    tree = ast.parse(source)
    node = tree.body[0]
    lines = source.splitlines()
    return "\n".join(lines[node.lineno - 1:]).rstrip() + "\n"


def _global_names(code: types.CodeType) -> set[str]:
    """Names the code reads as globals (co_names also holds attribute names: not those)."""
    names = {ins.argval for ins in dis.get_instructions(code)
             if ins.opname in ("LOAD_GLOBAL", "LOAD_NAME")
             and not (ins.argval.startswith("__") and ins.argval.endswith("__"))}
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            names |= _global_names(const)
    return names


def _is_literal(value: Any) -> bool:
    try:
        return ast.literal_eval(repr(value)) == value
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return False


def _dependencies(func: types.FunctionType) -> tuple[list[str], list[str]]:
    """(import lines, inlined definitions) for the globals ``func`` uses, helpers first."""
    imports: list[str] = []
    definitions: list[str] = []
    seen: set[str] = set()
    module_name = func.__module__

    def visit(fn: types.FunctionType) -> None:
        for name in sorted(_global_names(fn.__code__)):
            if name in seen or name not in fn.__globals__:
                continue
            seen.add(name)
            value = fn.__globals__[name]
            if isinstance(value, types.ModuleType):
                alias = "" if value.__name__ == name else f" as {name}"
                if "." in value.__name__ and not alias:
                    imports.append(f"import {value.__name__}")
                else:
                    imports.append(f"import {value.__name__}{alias}")
            elif isinstance(value, types.FunctionType) and value.__module__ == module_name:
                visit(value)
                try:
                    definitions.append(_function_source(value))
                except (OSError, TypeError, SyntaxError):
                    imports.append(f"from {module_name} import {name}")
            elif _is_literal(value) and not callable(value):
                definitions.append(f"{name} = {value!r}\n")
            else:
                owner = getattr(value, "__module__", None)
                real = getattr(value, "__name__", None)
                if owner and real and owner != module_name and \
                        getattr(__import__(owner, fromlist=[real]), real, None) is value:
                    alias = "" if real == name else f" as {name}"
                    imports.append(f"from {owner} import {real}{alias}")
                else:
                    imports.append(f"from {module_name} import {name}")

    visit(func)
    return sorted(set(imports)), definitions


def for_case(case: Case, target: str, record: Record) -> str:
    """The reproducer for ``record``, a record of ``case`` with target module ``target``."""
    func = case.func
    try:
        source = _function_source(func)
        imports, definitions = _dependencies(func)
    except (OSError, TypeError, SyntaxError):
        source = f"from {func.__module__} import {func.__name__}\n"
        imports, definitions = [], []
    if case.params and not all(_is_literal(v) for v in case.params.values()):
        params = (f"next(c.params for c in expand({case.area!r}, "
                  f"importlib.import_module({func.__module__!r}).{func.__name__}) "
                  f"if c.param_id == {case.param_id!r})")
        imports.append("from conformance.case import expand")
    else:
        params = repr(dict(case.params))
    subject = [*imports, "", *[d.rstrip("\n") + "\n" for d in definitions],
               source.rstrip("\n"), "", "", f"PARAMS = {params}", "", "",
               "def run(torch, device):",
               "    from conformance.case_work import flatten",
               f"    returned = {func.__name__}(torch, device, **PARAMS)",
               "    return {name: seen(value) for name, value in flatten(returned).items()}"]
    return _script(record, target, f"case {case.id}", subject, "None")


def for_program(program_source: str, summary: str, target: str, record: Record,
                notes: str = "", comparable: str = "conformance.fuzz.oracle") -> str:
    """The reproducer for ``record``, a record of a fuzz program: ``program_source`` defines
    ``program(torch, device, observe)`` (with its prelude); ``comparable`` names the module
    whose ``comparable`` function says what of the observations is compared."""
    subject = [program_source.rstrip("\n"), "", "",
               "def run(torch, device):",
               "    return program(torch, device, seen)"]
    return _script(record, target, f"the program ({summary})", subject,
                   f"importlib.import_module({comparable!r}).comparable", notes)


def _script(record: Record, target: str, what: str, subject: list[str], comparable: str,
            notes: str = "") -> str:
    left, right = record.left, record.right
    modules = {"target": target, "torch-cpu": "torch", "torch-cuda": "torch"}
    reason = f" ({_one_line(record.reason)})" if record.reason else ""
    doc = [f"Reproducer for {record.id}: {record.status}{reason}.", ""]
    if notes:
        doc += [_one_line(notes, 2000), ""]
    for lane, source in sorted((record.reference or {}).items()):
        doc += [_one_line(f"The record's {lane} lane was replayed from the reference "
                          f"{source.get('file')} (torch {source.get('torch')}); this script "
                          f"runs torch itself, so it needs torch installed (torch "
                          f"{source.get('torch')} to see what the reference saw).", 400), ""]
    doc += [f"Runs {what}",
            f"on {left} ({modules[left]}, {_LANE_DEVICES[left]}) and on "
            f"{right} ({modules[right]}, {_LANE_DEVICES[right]}), prints both,",
            "compares them with conformance.compare's tolerances, marks what differs with "
            "'!!'",
            "and exits 1 when anything does, 0 when the two match.",
            f"Usage: python this_file.py [TARGET_MODULE]   (default {target})"]
    lines = [
        "#!/usr/bin/env python3",
        '"""' + "\n".join(doc) + '\n"""',
        "import importlib",
        "import os",
        "import sys",
        "",
        'os.environ.setdefault("OMP_NUM_THREADS", "1")',
        f"for _entry in ({_ROOT!r}, os.getcwd()):",
        "    if _entry not in sys.path:",
        "        sys.path.insert(0, _entry)",
        "",
        "from conformance.reproduce import main, seen  # noqa: E402",
        "",
        *subject,
        "",
        "",
        f"TARGET = {target!r}",
        f"LANES = [({left!r}, {_lane_module(left)}, {_LANE_DEVICES[left]!r}),",
        f"         ({right!r}, {_lane_module(right)}, {_LANE_DEVICES[right]!r})]",
        "",
        'if __name__ == "__main__":',
        f"    sys.exit(main(run, LANES, sys.argv[1] if len(sys.argv) > 1 else TARGET, "
        f"{comparable}))",
        "",
    ]
    return "\n".join(lines)


def _lane_module(lane: str) -> str:
    """The module a lane runs, in the script: the target is chosen when the script runs."""
    return "None" if lane == "target" else repr("torch")


def _one_line(text: str, width: int = 200) -> str:
    text = " ".join(text.split()).replace('"""', "'''").replace("\\", "\\\\")
    return text if len(text) <= width else text[: width - 1] + "…"


# ------------------------------------------------------------------ what the scripts run

@dataclass(frozen=True)
class Seen:
    """One observation in a script: the harness's plain form, and the text shown for it."""
    plain: dict
    text: str


def seen(value: Any) -> Seen:
    """Observe ``value`` now (gradients change in place later): plain data and text."""
    from conformance.observe import raised, to_plain

    if isinstance(value, BaseException) and not _is_missing(value):
        return Seen(to_plain(raised(value)), f"raised {type(value).__name__}: {value}")
    plain = to_plain(value, truncate=False)
    return Seen(plain, _show(value, plain))


def _is_missing(value: BaseException) -> bool:
    from conformance.observe import MissingFeature
    return isinstance(value, MissingFeature)


def _show(value: Any, plain: dict) -> str:
    kind = plain.get("type")
    if kind == "missing":
        return f"missing: {plain['name']}"
    if kind == "tensor":
        from conformance.observe import truncate_plain
        shown = truncate_plain(plain)
        first = " (the first values, flattened)" if shown.get("truncated") else ""
        return (f"{value!r}  [{plain['dtype']} {plain['shape']} "
                f"requires_grad={plain.get('requires_grad')} grad_fn={plain['grad_fn']}]\n"
                f"    values at full precision{first}: {shown['values']}")
    if kind == "value":
        return plain["repr"]
    return repr(value)


def _namespace(module_name: str, is_target: bool):
    from conformance.lanes import TargetNamespace
    module = importlib.import_module(module_name)
    return TargetNamespace(module) if is_target else module


def _observe(run: Callable, module_name: str, device: str, is_target: bool) -> dict:
    try:
        namespace = _namespace(module_name, is_target)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return run(namespace, device)
    except Exception as exc:  # noqa: BLE001 - what a lane raised is what it observed
        return {UNCAUGHT: seen(exc)}


def _say(text: str) -> None:
    """Print text that may come from the target: its escape sequences shown, not obeyed."""
    from conformance.safe_text import terminal_safe
    print(terminal_safe(text))


def main(run: Callable, lanes: list[tuple], target: str,
         comparable: Callable | None = None) -> int:
    """Run ``run(torch, device) -> {name: Seen}`` on both lanes, print, compare: the exit
    code (1 when an observation differs or a lane lacks what the work needs, else 0)."""
    from conformance.compare import compare_observations

    os.environ.setdefault("OMP_NUM_THREADS", "1")
    observed, modules = [], []
    for lane, module_name, device in lanes:
        module_name = module_name or target
        modules.append(module_name)
        _say(f"=== {lane}: {module_name} on {device}")
        values = _observe(run, module_name, device, lane == "target")
        for name, value in values.items():
            _say(f"{name}: {value.text}")
        observed.append({name: value.plain for name, value in values.items()})
    keep = comparable or (lambda observations: observations)
    observables = compare_observations(keep(observed[0]), keep(observed[1]))
    _say("--- compared with conformance.compare's tolerances ('!!' marks a difference)")
    differ = 0
    for observable in observables:
        bad = observable["status"] == "diverge" or any(
            (side or {}).get("type") == "missing"
            for side in (observable["left"], observable["right"]))
        differ += bad
        detail = f": {observable['detail']}" if observable.get("detail") else ""
        _say(f"{'!! ' if bad else '   '}{observable['name']} "
              f"({observable['status']}){detail}")
    left, right = modules
    _say(f"{differ} observation(s) differ between {right} and {left}")
    return 1 if differ else 0
