"""Beginner training loops, written as the public tutorials write them, run unchanged with
``import refgrad as torch`` and print what torch prints.

The programs (``programs/``): ``linear_regression.py`` (nn.Linear + MSELoss + SGD, after the
well-known pytorch-tutorial), ``two_layer_net_autograd.py`` (tensors and autograd, a manual
update under no_grad) and ``two_layer_net_optim.py`` (nn.Sequential + Adam), both from
"Learning PyTorch with Examples", and ``mlp_classifier.py`` (an nn.Module MLP trained with SGD momentum and then Adam
in the "Learn the Basics" loop, CrossEntropyLoss, train/eval, accuracy).

Inputs and initial weights are fed identically (``training_runner.py``). refgrad runs in a
fresh interpreter that never loads torch; torch runs in this process with the same seeded
sources patched in for the test's duration. The printed text must be identical once numbers
are set aside, and every number must agree at the printed precision: the same text, or within
a relative 1e-3 (absolute 1e-6 for losses trained down to nothing). Matmuls and sums round
differently from torch's kernels, so the last printed digit of a long run may differ; how many
numbers print identically is reported.
"""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import torch

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[2]
PROGRAMS = sorted((HERE / "programs").glob("*.py"))
SEED = 0
NUMBER = re.compile(r"-?\d+\.?\d*(?:e[-+]?\d+)?")
ADDRESS = re.compile(r"0x[0-9a-fA-F]+")

sys.path.insert(0, str(HERE))
import training_runner  # noqa: E402
import tutorial_runner  # noqa: E402  (training_runner put its folder on the path)


def _start_refgrad() -> subprocess.Popen:
    env = dict(os.environ, OMP_NUM_THREADS="1", MKL_NUM_THREADS="1",
               OPENBLAS_NUM_THREADS="1", PYTHONIOENCODING="utf-8")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    return subprocess.Popen(
        [sys.executable, str(HERE / "training_runner.py"), "refgrad", str(SEED),
         *map(str, PROGRAMS)], cwd=REPO, env=env, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True, encoding="utf-8")


def _run_torch(monkeypatch) -> dict:
    # the runner replaces these on the module; monkeypatch puts torch's own back afterwards
    for owner, name in [(torch, "randn"), (torch, "rand"), (torch.nn.init, "uniform_"),
                        (torch.nn.init, "kaiming_uniform_")]:
        monkeypatch.setattr(owner, name, getattr(owner, name))
    return {program.name: tutorial_runner.run_cells(
        "torch", SEED, [program.read_text(encoding="utf-8")],
        prepare=training_runner.feed_seeded_inputs)[0] for program in PROGRAMS}


@pytest.fixture(scope="module")
def printed():
    proc = _start_refgrad()     # runs while torch's side runs here
    with pytest.MonkeyPatch.context() as monkeypatch:
        torch_printed = _run_torch(monkeypatch)
    out, err = proc.communicate(timeout=600)
    assert proc.returncode == 0, f"refgrad run failed:\n{err}"
    refgrad_run = json.loads(out)
    assert refgrad_run["torch_loaded"] is False
    return torch_printed, refgrad_run["printed"]


def _skeleton(text: str) -> str:
    return NUMBER.sub("#", ADDRESS.sub("0x…", text))


def _close(a: str, b: str) -> bool:
    x, y = float(a), float(b)
    return a == b or abs(x - y) <= 1e-6 + 1e-3 * abs(y)


def test_the_programs_are_there():
    assert {p.name for p in PROGRAMS} == {
        "linear_regression.py", "two_layer_net_autograd.py", "two_layer_net_optim.py",
        "mlp_classifier.py"}


@pytest.mark.parametrize("program", [p.name for p in PROGRAMS])
def test_refgrad_prints_what_torch_prints(printed, program):
    expected, actual = printed[0][program], printed[1][program]
    assert "!!" not in expected, expected
    assert _skeleton(actual) == _skeleton(expected), f"torch:\n{expected}\nrefgrad:\n{actual}"
    pairs = list(zip(NUMBER.findall(expected), NUMBER.findall(actual)))
    assert pairs
    far = [(e, a) for e, a in pairs if not _close(a, e)]
    assert not far, f"numbers beyond the printed precision (torch, refgrad): {far}"
    identical = sum(e == a for e, a in pairs)
    print(f"{program}: {identical}/{len(pairs)} printed numbers identical")


def test_the_comparison_notices_a_different_number():
    assert _close("0.2006", "0.2006") and _close("1.03616", "1.03623")
    assert not _close("0.2006", "0.2106")
    assert _skeleton("Epoch [5/60], Loss: 1.9870") == _skeleton("Epoch [5/60], Loss: 2.0")
    assert _skeleton("Loss: 1.9870") != _skeleton("Loss 1.9870")
