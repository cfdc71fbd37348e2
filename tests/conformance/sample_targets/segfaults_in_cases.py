"""torch, except that making a tensor kills the process with SIGSEGV: every case that makes
one crashes on this target. The import itself is fine."""
import torch as _torch


def tensor(*args, **kwargs):
    import ctypes
    ctypes.string_at(0)        # a null-pointer read: SIGSEGV


def __getattr__(name):
    return getattr(_torch, name)
