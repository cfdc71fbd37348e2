"""Standalone reproducers: a short script per record that rebuilds the inputs, runs the case on
torch and on the target, and prints what each observed, side by side.

The case function's source is inlined (decorators dropped), with the helpers it uses from its
own module inlined too and everything else imported by name (``conformance.inputs`` and
``conformance.observe`` ship with the package). Parameters are written as literals when they
are; otherwise the script recovers them from the case's module.
"""
from __future__ import annotations

import ast
import dis
import inspect
import textwrap
import types
from typing import Any

from conformance.case import Case

_LANE_DEVICES = {"target": "cpu", "torch-cpu": "cpu", "torch-cuda": "cuda"}


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


def build(case: Case, target: str, record: dict) -> str:
    """The reproducer for ``record`` (a record of ``case`` with target module ``target``)."""
    func = case.func
    try:
        body = _function_source(func)
        imports, definitions = _dependencies(func)
    except (OSError, TypeError, SyntaxError):
        body = None
        imports, definitions = [], []
    left, right = record["left"], record["right"]
    modules = {"target": target, "torch-cpu": "torch", "torch-cuda": "torch"}
    if case.params and not all(_is_literal(v) for v in case.params.values()):
        params = (f"next(c.params for c in expand({case.area!r}, "
                  f"importlib.import_module({func.__module__!r}).{func.__name__}) "
                  f"if c.param_id == {case.param_id!r})")
        imports.append("from conformance.case import expand")
    else:
        params = repr(dict(case.params))
    if body is None:
        body = f"from {func.__module__} import {func.__name__}\n"
    header = (f'"""Reproducer for {record["id"]}: {record["status"]}'
              + (f" ({_one_line(record.get('reason', ''))})" if record.get("reason") else "")
              + f'.\n\nRuns {case.id} on {left} ({modules[left]}, {_LANE_DEVICES[left]}) and on '
              f'{right} ({modules[right]}, {_LANE_DEVICES[right]}) and prints both.\nRun it '
              f'from the project root: python this_file.py\n"""\n')
    lines = [
        "#!/usr/bin/env python3",
        header.rstrip("\n"),
        "import importlib",
        "import os",
        "import sys",
        "",
        'os.environ.setdefault("OMP_NUM_THREADS", "1")',
        "sys.path.insert(0, os.getcwd())",
        "",
        *imports,
        "from conformance.observe import to_plain",
        "",
        *[d.rstrip("\n") + "\n" for d in definitions],
        body.rstrip("\n"),
        "",
        "",
        f"PARAMS = {params}",
        f"LANES = [({left!r}, {modules[left]!r}, {_LANE_DEVICES[left]!r}),",
        f"         ({right!r}, {modules[right]!r}, {_LANE_DEVICES[right]!r})]",
        "",
        "",
        "def show(value):",
        "    plain = to_plain(value)",
        '    if plain["type"] == "tensor":',
        "        return (f\"{value!r}  [{plain['dtype']} {plain['shape']} \"",
        "                f\"grad_fn={plain['grad_fn']}]\")",
        '    return repr(value) if plain["type"] != "value" else plain["repr"]',
        "",
        "",
        'if __name__ == "__main__":',
        "    for lane, module_name, device in LANES:",
        '        print(f"=== {lane}: {module_name} on {device}")',
        "        namespace = importlib.import_module(module_name)",
        "        try:",
        f"            observed = {func.__name__}(namespace, device, **PARAMS)",
        "        except Exception as exc:",
        '            print(f"raised {type(exc).__name__}: {exc}")',
        "            continue",
        "        if not isinstance(observed, dict):",
        '            observed = {"result": observed}',
        "        for name, value in observed.items():",
        '            print(f"{name}: {show(value)}")',
        "",
    ]
    return "\n".join(lines)


def _one_line(text: str, width: int = 200) -> str:
    text = " ".join(text.split()).replace('"""', "'''").replace("\\", "\\\\")
    return text if len(text) <= width else text[: width - 1] + "…"
