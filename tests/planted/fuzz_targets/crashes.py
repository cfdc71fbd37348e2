"""PyTorch whose ``log`` dereferences a null pointer (SIGSEGV) and whose ``sqrt`` ends the
process with ``os._exit(3)``: a program that uses either must be reported as "crash" (naming
its seed) and the campaign must go on with the next program in a new process."""
import ctypes
import os

import torch as _torch


def log(input, *args, **kwargs):
    ctypes.string_at(0)


def sqrt(input, *args, **kwargs):
    os._exit(3)


def __getattr__(name):
    return getattr(_torch, name)
