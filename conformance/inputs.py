"""Inputs for cases: NumPy arrays from a fixed seed, identical on every lane.

Cases call these and hand the arrays to the lane's ``torch.tensor(...)``; no lane's own random
number generator is ever used, so refgrad, torch-cpu and torch-cuda see the same numbers.
"""
from __future__ import annotations

import zlib

import numpy as np


def rng(key: str | int = 0) -> np.random.Generator:
    """A generator seeded from ``key`` (a case name, say): stable across runs and processes."""
    seed = key if isinstance(key, int) else zlib.crc32(key.encode())
    return np.random.default_rng(seed)


def randn(shape, key: str | int = 0, dtype=np.float32) -> np.ndarray:
    return rng(key).standard_normal(shape).astype(dtype)


def positive(shape, key: str | int = 0, dtype=np.float32, low=0.5, high=1.5) -> np.ndarray:
    """Values in [low, high): a safe domain for log, sqrt, reciprocal, pow bases."""
    return rng(key).uniform(low, high, shape).astype(dtype)


def uniform(shape, key: str | int = 0, dtype=np.float32, low=-1.0, high=1.0) -> np.ndarray:
    return rng(key).uniform(low, high, shape).astype(dtype)


def integers(shape, key: str | int = 0, low=0, high=10, dtype=np.int64) -> np.ndarray:
    return rng(key).integers(low, high, shape).astype(dtype)
