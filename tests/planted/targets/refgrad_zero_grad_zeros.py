"""Planted bug in refgrad's nn and optim: ``zero_grad()`` zeros the gradients in place instead
of setting them to None (PyTorch's default since 2.0)."""
from tests.planted.targets import _refgrad_copy

_copy = _refgrad_copy.load_copy(__name__ + "_copy")
_module = _refgrad_copy.submodule(_copy, "nn.module").Module
_optimizer = _refgrad_copy.submodule(_copy, "optim.optimizer").Optimizer
_module_zero_grad = _module.zero_grad
_optimizer_zero_grad = _optimizer.zero_grad


def _module_zeros(self, set_to_none=False):
    _module_zero_grad(self, set_to_none=False)


def _optimizer_zeros(self, set_to_none=False):
    _optimizer_zero_grad(self, set_to_none=False)


_refgrad_copy.replace(_module, "zero_grad", _module_zeros)
_refgrad_copy.replace(_optimizer, "zero_grad", _optimizer_zeros)


def __getattr__(name):
    return getattr(_copy, name)
