"""PyTorch whose ``sigmoid`` never returns: a program that uses it must be reported as
"timeout" (naming its seed) and the campaign must go on with the next program."""
import time

import torch as _torch


def sigmoid(input, *args, **kwargs):
    while True:
        time.sleep(3600)


def __getattr__(name):
    return getattr(_torch, name)
