"""linspace and arange equal PyTorch's element for element, bit for bit, over a few thousand
random (start, end, steps) draws per dtype (refgrad/_ranges.py says how PyTorch computes them).
"""
import numpy as np
import pytest
import torch

import refgrad

DRAWS = 3000
FLOATS = ("float32", "float64", "float16", "bfloat16")


def _bits(t) -> np.ndarray:
    """A tensor's values as float64 (exact for every dtype here), nan made comparable."""
    return np.nan_to_num(np.asarray(t.double().numpy()), nan=1234.5)


def _draws(seed, count=DRAWS):
    rng = np.random.default_rng(seed)
    for _ in range(count):
        start, end = (rng.uniform(-100, 100, 2) * 10.0 ** rng.integers(-4, 4, 2)).tolist()
        yield start, end, rng


@pytest.mark.parametrize("dtype", FLOATS + ("int64",))
def test_linspace_equals_torch_bitwise(dtype):
    compared = 0
    for start, end, rng in _draws(1):
        steps = int(rng.integers(0, 400))
        try:
            expected = torch.linspace(start, end, steps, dtype=getattr(torch, dtype))
        except RuntimeError:        # out of the 16-bit range: PyTorch refuses the bounds
            continue
        got = refgrad.linspace(start, end, steps, dtype=getattr(refgrad, dtype))
        assert got.dtype == getattr(refgrad, dtype) and tuple(got.shape) == (steps,)
        assert np.array_equal(_bits(got), _bits(expected)), (start, end, steps)
        compared += 1
    assert compared > DRAWS // 2


@pytest.mark.parametrize("dtype", FLOATS)
def test_arange_equals_torch_bitwise(dtype):
    for start, _, rng in _draws(2, DRAWS // 3):
        step = float(rng.uniform(0.001, 3)) * (1 if rng.random() < 0.8 else -1)
        end = start + step * int(rng.integers(1, 3000)) + float(rng.uniform(-0.5, 0.5)) * step
        try:
            expected = torch.arange(start, end, step, dtype=getattr(torch, dtype))
        except RuntimeError:
            continue
        got = refgrad.arange(start, end, step, dtype=getattr(refgrad, dtype))
        assert tuple(got.shape) == tuple(expected.shape), (start, end, step)
        assert np.array_equal(_bits(got), _bits(expected)), (start, end, step)


def test_default_dtypes_and_small_cases():
    for args in [(0, 1, 5), (2, 3, 1), (2, 3, 0), (-1.5, 10, 4), (0.1, 1.7, 7)]:
        assert refgrad.linspace(*args).tolist() == torch.linspace(*args).tolist()
        assert refgrad.linspace(*args).dtype == refgrad.float32
    for args in [(5,), (1, 4), (0, 1, 0.1), (0.3, 50.0, 0.7), (10, 0, -3)]:
        got, expected = refgrad.arange(*args), torch.arange(*args)
        assert got.tolist() == expected.tolist() and str(got.dtype) == str(expected.dtype)


def test_integer_ranges():
    assert refgrad.linspace(-37.7, 120.2, 9, dtype=refgrad.int64).tolist() == \
        torch.linspace(-37.7, 120.2, 9, dtype=torch.int64).tolist()
    assert refgrad.arange(-7, 30, 4).tolist() == torch.arange(-7, 30, 4).tolist()
