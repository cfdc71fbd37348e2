"""``torch.accelerator`` (PyTorch 2.13) with no accelerator: ``is_available()`` is False,
``current_accelerator()`` None, ``device_count()`` 0; everything that would touch a device
raises PyTorch's RuntimeError."""
from __future__ import annotations

import warnings

from ._devices import NO_ACCELERATOR

__all__ = ["is_available", "current_accelerator", "device_count", "current_device_index",
           "set_device_index", "synchronize", "empty_cache", "memory_allocated",
           "device_index"]


def is_available() -> bool:
    return False


def current_accelerator(check_available: bool = False):
    return None


def device_count() -> int:
    return 0


def _none_available(*args, **kwargs):
    raise RuntimeError(NO_ACCELERATOR)


current_device_index = set_device_index = synchronize = empty_cache = _none_available
memory_allocated = memory_reserved = max_memory_allocated = max_memory_reserved = (
    _none_available)
memory_stats = reset_peak_memory_stats = get_memory_info = _none_available
current_stream = set_stream = get_device_capability = _none_available


def current_device_idx():
    warnings.warn("Use `current_device_index` instead.", FutureWarning, stacklevel=2)
    return current_device_index()


def set_device_idx(device):
    warnings.warn("Use `set_device_index` instead.", FutureWarning, stacklevel=2)
    return set_device_index(device)


class device_index:
    """``with torch.accelerator.device_index(i):``: with no accelerator, a context that only
    ``None`` may enter."""

    def __init__(self, device, /):
        self.idx = device

    def __enter__(self):
        if self.idx is not None:
            _none_available()
        return self

    def __exit__(self, *exc):
        return False
