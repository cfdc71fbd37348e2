"""PyTorch with three ways to take a fuzz campaign down, for the fuzzer's isolation tests:
``cos`` dereferences a null pointer (SIGSEGV), ``sqrt`` ends the process with
``os._exit(3)``, and ``sigmoid`` never returns, with SIGALRM blocked so that only killing
the process stops it. Each program that uses one must become a record (crash or timeout)
naming its seed, and the campaign must go on and write its report."""
import ctypes
import os
import signal
import time

import torch as _torch


def cos(input, *args, **kwargs):
    ctypes.string_at(0)


def sqrt(input, *args, **kwargs):
    os._exit(3)


def sigmoid(input, *args, **kwargs):
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})
    while True:
        time.sleep(3600)


def __getattr__(name):
    return getattr(_torch, name)
