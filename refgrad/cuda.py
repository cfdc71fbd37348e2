"""``torch.cuda`` on a machine without CUDA, as a PyTorch built without CUDA answers: nothing
is available; the calls that need a GPU raise PyTorch's AssertionError, the bookkeeping calls
(seeding, emptying the cache, memory counters) quietly do nothing."""
from __future__ import annotations

from ._devices import NO_CUDA

__all__ = ["is_available", "device_count", "is_initialized", "current_device", "synchronize",
           "get_device_name", "get_device_properties", "manual_seed", "manual_seed_all",
           "empty_cache", "memory_allocated", "is_bf16_supported"]


def is_available() -> bool:
    return False


def device_count() -> int:
    return 0


def is_initialized() -> bool:
    return False


def is_bf16_supported(including_emulation: bool = True) -> bool:
    return False


def _no_cuda(*args, **kwargs):
    raise AssertionError(NO_CUDA)


current_device = synchronize = get_device_name = get_device_properties = init = _no_cuda
set_device = _no_cuda


def manual_seed(seed) -> None:
    return None


def manual_seed_all(seed) -> None:
    return None


def empty_cache() -> None:
    return None


def memory_allocated(device=None) -> int:
    return 0


def _legacy_type(name):
    class Unavailable:
        def __new__(cls, *args, **kwargs):
            raise TypeError(f"type torch.cuda.{name} not available. {NO_CUDA}.")
    Unavailable.__name__ = Unavailable.__qualname__ = name
    return Unavailable


FloatTensor = _legacy_type("FloatTensor")
DoubleTensor = _legacy_type("DoubleTensor")
LongTensor = _legacy_type("LongTensor")
IntTensor = _legacy_type("IntTensor")
BoolTensor = _legacy_type("BoolTensor")
HalfTensor = _legacy_type("HalfTensor")
