"""Run one beginner training program (``programs/*.py``) against a torch-like module and
report what it prints. Used by ``test_training_loops.py``, in a subprocess per run:

    python tests/refgrad/nn/training_runner.py MODULE SEED PROGRAM...

``import torch`` inside the program binds MODULE (``torch`` or ``refgrad``); the program's
text is not edited. Everything random is fed from NumPy generators seeded with SEED, so both
sides see the same numbers: ``randn`` and ``rand`` (any size, dtype, device and
requires_grad), and the initialisation ``nn.Linear`` performs (``nn.init.kaiming_uniform_``
and ``nn.init.uniform_``, with PyTorch's bounds), afresh for each program. Prints a JSON
object: ``printed`` (each program's stdout by file name; an exception ends the program and is
recorded after its output) and ``torch_loaded``.
"""
from __future__ import annotations

import json
import math
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
