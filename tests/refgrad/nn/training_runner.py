"""Run one beginner training program (``programs/*.py``) against a torch-like module and
report what it prints. Used by ``test_training_loops.py`` and ``test_function.py``, in a
subprocess per run:

    python tests/refgrad/nn/training_runner.py MODULE SEED PROGRAM...

``import torch`` inside the program binds MODULE (``torch`` or ``refgrad``); the program's
text is not edited. Everything random is fed from NumPy generators seeded with SEED, so both
sides see the same numbers: ``randn``, ``rand`` and ``rand_like`` (any size, dtype, device and
requires_grad), and the initialisation ``nn.Linear`` performs (``nn.init.kaiming_uniform_``
and ``nn.init.uniform_``, with PyTorch's bounds), afresh for each program. Prints a JSON
object: ``printed`` (each program's stdout by file name; an exception ends the program and is
recorded after its output) and ``torch_loaded``.

``printed_side_by_side(programs, seed)`` runs the programs on refgrad (that subprocess) and on
torch (here, at the same time) for a test; ``skeleton`` and ``far_numbers`` compare the two
texts: the same text apart from numbers, and the numbers beyond the printed precision.
"""
from __future__ import annotations

import json
import math
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import tutorial_runner  # noqa: E402


def _size(size):
    return tuple(size[0]) if len(size) == 1 and isinstance(size[0], (tuple, list)) else size


def feed_seeded_inputs(module, seed: int) -> None:
    """Replace the module's random sources by seeded NumPy draws (identical on both sides)."""
    values = np.random.default_rng(seed)
    weights = np.random.default_rng(seed + 1000)

    def drawn(draw):
        def factory(*size, dtype=None, device=None, requires_grad=False, generator=None):
            t = module.tensor(draw(_size(size)).astype(np.float32), dtype=dtype)
            return t.requires_grad_(requires_grad)
        return factory

    module.randn = drawn(values.standard_normal)
    module.rand = drawn(values.random)

    def rand_like(like, *, dtype=None, device=None, requires_grad=False):
        t = module.tensor(values.random(tuple(like.shape)).astype(np.float32),
                          dtype=dtype or like.dtype)
        return t.requires_grad_(requires_grad)

    module.rand_like = rand_like

    def uniform_(tensor, a=0.0, b=1.0, generator=None):
        with module.no_grad():
            tensor.copy_(module.tensor(weights.uniform(a, b, tuple(tensor.shape))
                                       .astype(np.float32)))
        return tensor

    def kaiming_uniform_(tensor, a=0, mode="fan_in", nonlinearity="leaky_relu",
                         generator=None):
        fan_in = tensor.shape[1] * math.prod(tensor.shape[2:])
        bound = math.sqrt(3.0) * math.sqrt(2.0 / (1 + a ** 2)) / math.sqrt(fan_in)
        return uniform_(tensor, -bound, bound)

    module.nn.init.uniform_ = uniform_
    module.nn.init.kaiming_uniform_ = kaiming_uniform_


NUMBER = re.compile(r"-?\d+\.?\d*(?:e[-+]?\d+)?")
ADDRESS = re.compile(r"0x[0-9a-fA-F]+")
REPO = Path(__file__).resolve().parents[3]


def skeleton(text: str) -> str:
    """``text`` with numbers and object addresses blanked out."""
    return NUMBER.sub("#", ADDRESS.sub("0x…", text))


def far_numbers(expected: str, actual: str) -> tuple[list, list]:
    """The printed numbers paired (torch's, refgrad's), and the pairs that differ beyond the
    printed precision (1e-3 relative, 1e-6 absolute)."""
    pairs = list(zip(NUMBER.findall(ADDRESS.sub("", expected)),
                     NUMBER.findall(ADDRESS.sub("", actual))))
    far = [(e, a) for e, a in pairs
           if e != a and abs(float(a) - float(e)) > 1e-6 + 1e-3 * abs(float(e))]
    return pairs, far


def printed_side_by_side(programs: list[Path], seed: int) -> tuple[dict, dict]:
    """What each program prints on torch and on refgrad (by file name). refgrad runs in a
    fresh interpreter that must never load torch, while torch's side runs in this process
    (torch's own functions are put back afterwards)."""
    import pytest
    import torch

    env = dict(os.environ, OMP_NUM_THREADS="1", MKL_NUM_THREADS="1",
               OPENBLAS_NUM_THREADS="1", PYTHONIOENCODING="utf-8")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    proc = subprocess.Popen([sys.executable, __file__, "refgrad", str(seed),
                             *map(str, programs)], cwd=REPO, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, encoding="utf-8")
    with pytest.MonkeyPatch.context() as monkeypatch:
        for owner, name in [(torch, "randn"), (torch, "rand"), (torch, "rand_like"),
                            (torch.nn.init, "uniform_"),
                            (torch.nn.init, "kaiming_uniform_")]:
            monkeypatch.setattr(owner, name, getattr(owner, name))
        torch_printed = {program.name: tutorial_runner.run_cells(
            "torch", seed, [program.read_text(encoding="utf-8")],
            prepare=feed_seeded_inputs)[0] for program in programs}
    out, err = proc.communicate(timeout=600)
    assert proc.returncode == 0, f"refgrad run failed:\n{err}"
    run = json.loads(out)
    assert run["torch_loaded"] is False
    return torch_printed, run["printed"]


def main(argv: list[str]) -> None:
    module_name, seed, *programs = argv
    printed = {}
    for program in programs:
        code = Path(program).read_text(encoding="utf-8")
        (printed[Path(program).name],) = tutorial_runner.run_cells(
            module_name, int(seed), [code], prepare=feed_seeded_inputs)
    sys.stdout.write(json.dumps({"printed": printed, "torch_loaded": "torch" in sys.modules}))


if __name__ == "__main__":
    main(sys.argv[1:])
