"""Run the seed tutorial's code cells against a torch-like module and report what they print.

Used by ``test_tutorial.py`` in a subprocess per run (a fresh interpreter for each side):

    python tests/refgrad/tutorial_runner.py MODULE SEED CELLS_JSON

``import torch`` inside the cells binds MODULE (``torch`` or ``refgrad``); the cells' text is
not edited. ``MODULE.randn`` is replaced by a function that builds the tensor from a NumPy
generator seeded with SEED, so both sides see the same random numbers. Prints a JSON object:
``printed``, the stdout of each cell (an exception ends the cell and is recorded after its
output), and ``torch_loaded``, whether the real torch was imported during the run.

    python tests/refgrad/tutorial_runner.py --write-fixture

re-extracts the cells from ``../shared/seed/autograd-tutorial.md`` into the fixture.
"""

from __future__ import annotations

import ast
import builtins
import contextlib
import importlib
import io
import json
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
FIXTURE = HERE / "data" / "autograd_tutorial_cells.json"
TUTORIAL = HERE.parents[2] / "shared" / "seed" / "autograd-tutorial.md"

_CELL_MARKER = re.compile(r"^In \[[^\]]*\]:\n", flags=re.MULTILINE)


# ---------------------------------------------------------------------------------------------
# extracting the cells


def _looks_printed(paragraph: str) -> bool:
    """True for a paragraph of printed output rather than code.

    Output that is not Python fails to parse; output that happens to parse is made only of
    bare constants and names (``True``/``False``) or ``tensor(...)`` reprs.
    """
    try:
        tree = ast.parse(paragraph)
    except SyntaxError:
        return True
    if not tree.body:  # comments only
        return False

    def printed(stmt) -> bool:
        if not isinstance(stmt, ast.Expr):
            return False
        value = stmt.value
        if isinstance(value, (ast.Constant, ast.Name)):
            return True
        return (isinstance(value, ast.Call) and isinstance(value.func, ast.Name)
                and value.func.id == "tensor")

    return all(printed(stmt) for stmt in tree.body)


def _is_magic(line: str) -> bool:
    return line.lstrip().startswith(("%", "!"))


def extract_cells(markdown: str) -> list[dict]:
    """The code cells (IPython magics dropped) and the output recorded under each one."""
    cells = []
    for chunk in _CELL_MARKER.split(markdown)[1:]:
        paragraphs = chunk.split("\n\n")
        code: list[str] = []
        n_code = 0  # paragraphs taken as code, magic-only ones included
        for paragraph in paragraphs:
            if not paragraph.strip():
                break
            lines = [line for line in paragraph.split("\n") if not _is_magic(line)]
            if any(line.strip() for line in lines):
                if _looks_printed(paragraph):
                    break
                code.append("\n".join(lines))
            n_code += 1
        source = "\n\n".join(code).strip("\n")
        if source:
            # the notebook's output runs up to the first two blank lines in a row
            recorded = "\n\n".join(paragraphs[n_code:]).split("\n\n\n")[0].strip("\n")
            cells.append({"code": source + "\n", "recorded": recorded + "\n"})
    return cells


def write_fixture() -> None:
    cells = extract_cells(TUTORIAL.read_text(encoding="utf-8"))
    FIXTURE.parent.mkdir(exist_ok=True)
    FIXTURE.write_text(json.dumps(cells, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


# ---------------------------------------------------------------------------------------------
# running them


def _seeded_randn(module, seed: int):
    import numpy as np

    generator = np.random.default_rng(seed)

    def randn(*size, requires_grad=False, dtype=None):
        if len(size) == 1 and isinstance(size[0], (tuple, list)):
            size = tuple(size[0])
        values = generator.standard_normal(size).astype(np.float32)
        tensor = module.tensor(values, requires_grad=requires_grad)
        return tensor if dtype is None else tensor.to(dtype)

    return randn


def run_cells(module_name: str, seed: int, cells: list[str], prepare=None) -> list[str]:
    """What each cell prints; ``prepare(module, seed)``, if given, feeds the module further
    seeded inputs (after ``randn``) before the first cell runs."""
    module = importlib.import_module(module_name)
    module.randn = _seeded_randn(module, seed)
    if prepare is not None:
        prepare(module, seed)
    real_import = builtins.__import__

    def cell_import(name, globals=None, locals=None, fromlist=(), level=0):
        # ``import torch`` (and ``torch.x`` submodules) inside the cells binds the module
        if name == "torch" or name.startswith("torch."):
            name = module_name + name[len("torch"):]
        return real_import(name, globals, locals, fromlist, level)

    cell_builtins = dict(vars(builtins), __import__=cell_import)
    namespace: dict = {"__name__": "__tutorial__", "__builtins__": cell_builtins}
    printed = []
    for index, code in enumerate(cells):
        buffer = io.StringIO()
        with contextlib.redirect_stdout(buffer):
            try:
                exec(compile(code, f"<tutorial cell {index}>", "exec"), namespace)
            except Exception as exc:  # recorded, compared like any other output
                print(f"!! {type(exc).__name__}: {exc}")
        printed.append(buffer.getvalue())
    return printed


def main(argv: list[str]) -> None:
    if argv == ["--write-fixture"]:
        write_fixture()
        return
    module_name, seed, cells_path = argv
    cells = [cell["code"] for cell in json.loads(Path(cells_path).read_text(encoding="utf-8"))]
    printed = run_cells(module_name, int(seed), cells)
    sys.stdout.write(json.dumps({"printed": printed, "torch_loaded": "torch" in sys.modules}))


if __name__ == "__main__":
    main(sys.argv[1:])
