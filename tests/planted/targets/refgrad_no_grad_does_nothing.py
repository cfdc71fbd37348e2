"""Planted bug in refgrad's grad mode: entering ``no_grad`` leaves grad mode enabled."""
from tests.planted.targets import _refgrad_copy

_copy = _refgrad_copy.load_copy(__name__ + "_copy")
_grad_mode = _refgrad_copy.submodule(_copy, "autograd.grad_mode")


def _enter_without_disabling(self):
    self.prev = _grad_mode.STATE.enabled


_refgrad_copy.replace(_grad_mode.no_grad, "__enter__", _enter_without_disabling)


def __getattr__(name):
    return getattr(_copy, name)
