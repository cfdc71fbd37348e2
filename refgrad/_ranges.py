"""The values of ``arange`` and ``linspace``, element for element as PyTorch's CPU kernels
compute them, so that every float32 and float64 element is PyTorch's to the last bit.

``linspace``: ``step = (end - start) / (steps - 1)`` in the result dtype; the first half of the
elements is ``start + step * i``, the second half ``end - step * (steps - 1 - i)``, each one
fused multiply-add (one rounding).

``arange`` computes in double and writes vectors of 8 float32 (4 float64) elements: two
vectors at a time, each from a base ``start + step * i`` (rounded to the dtype) plus
``step * lane``; the elements left over one by one as ``start + step * i``. This is the
single-threaded order (below PyTorch's 32768-element grain size, where it splits the work).

float16 and bfloat16 follow the same orders in their own arithmetic (linspace: every operation
rounded to 16 bits; arange: float32 arithmetic, 16 elements per vector, bfloat16's
lanes without a fused multiply-add).
"""
from __future__ import annotations

import math

import numpy as np

_SPLITTER = 134217729.0         # 2**27 + 1: Dekker's split of a double into two halves


def _split(x):
    c = _SPLITTER * x
    high = c - (c - x)
    return high, x - high


def fma(a, b, c):
    """``a * b + c`` with one rounding, in float64 arrays: the product kept exactly as two
    doubles (Dekker), the sum as two (Knuth), then rounded once."""
    a, b, c = (np.asarray(v, np.float64) for v in (a, b, c))
    with np.errstate(all="ignore"):
        product = a * b
        a_hi, a_lo = _split(a)
        b_hi, b_lo = _split(b)
        product_err = ((a_hi * b_hi - product) + a_hi * b_lo + a_lo * b_hi) + a_lo * b_lo
        total = product + c
        virtual = total - product
        total_err = (product - (total - virtual)) + (c - virtual)
        fused = total + (total_err + product_err)
    return np.where(np.isfinite(total), fused, total)      # inf stays inf


def _round(values, dt, via=None):
    """float64 ``values`` rounded to ``dt`` (through float32 first when ``via`` says so)."""
    with np.errstate(over="ignore", invalid="ignore"):
        return values.astype(via).astype(dt) if via is not None else values.astype(dt)


def _linspace_16bit(start, end, steps, dt):
    # c10::Half / c10::BFloat16 arithmetic: each operation in float32, rounded to 16 bits
    f32 = np.float32
    with np.errstate(over="ignore", invalid="ignore"):
        return _linspace_16bit_quiet(start, end, steps, dt, f32)


def _linspace_16bit_quiet(start, end, steps, dt, f32):
    s, e = dt.type(start), dt.type(end)
    step = dt.type(f32(dt.type(f32(e) - f32(s))) / f32(dt.type(steps - 1)))
    i = np.arange(steps)
    half = steps // 2
    counts = np.concatenate([i[:half], (steps - 1) - i[half:]]).astype(dt)
    products = (f32(step) * counts.astype(f32)).astype(dt).astype(f32)
    values = np.concatenate([f32(s) + products[:half], f32(e) - products[half:]])
    return values.astype(dt)


def linspace_values(start, end, steps: int, np_dtype) -> np.ndarray:
    dt = np.dtype(np_dtype)
    if steps == 0:
        return np.empty((0,), dt)
    if steps == 1:
        return _round(np.array([float(start)]), dt)
    if dt.itemsize == 2 and dt.kind != "i":
        return _linspace_16bit(start, end, steps, dt)
    if dt.kind in "iub":
        start, end = float(int(start)), float(int(end))
        step = (end - start) / (steps - 1)
    else:
        work = dt.type
        start, end = work(start), work(end)
        step = work((end - start) / work(steps - 1))
    i = np.arange(steps, dtype=np.float64)
    half = steps // 2
    from_start = fma(step, i[:half], start)
    from_end = fma(-np.float64(step), (steps - 1) - i[half:], end)
    values = np.concatenate([from_start, from_end])
    if dt.kind in "iub":
        return np.trunc(values).astype(dt)
    return _round(values, dt)


def arange_values(start, step, count: int, np_dtype) -> np.ndarray:
    dt = np.dtype(np_dtype)
    if dt.kind in "iub":
        return (start + step * np.arange(count, dtype=np.float64)).astype(dt)
    if dt.itemsize == 2:            # float32 arithmetic, 16 elements per vector
        start, step = float(np.float32(start)), float(np.float32(step))
        via, width = np.float32, 16
    else:                           # double arithmetic, 256-bit vectors
        start, step = float(start), float(step)
        via, width = None, 32 // dt.itemsize
    out = np.empty(count, dt)
    vectorised = (count // (2 * width)) * 2 * width
    if vectorised:
        bases = np.arange(0, vectorised, width, dtype=np.float64)
        base = _round(fma(step, bases, start), dt, via).astype(np.float64)
        lanes = np.arange(width, dtype=np.float64)
        if dt.name == "bfloat16":       # its vectors multiply, round, then add
            f32 = np.float32
            in_lanes = f32(base[:, None]) + f32(step) * lanes[None, :].astype(f32)
            out[:vectorised] = in_lanes.astype(dt).ravel()
        else:
            out[:vectorised] = _round(fma(step, lanes[None, :], base[:, None]), dt, via).ravel()
    rest = np.arange(vectorised, count, dtype=np.float64)
    out[vectorised:] = _round(fma(step, rest, start), dt, via)
    return out


def arange_count(start, end, step) -> int:
    return max(math.ceil((float(end) - float(start)) / float(step)), 0)
