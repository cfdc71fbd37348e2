"""Building blocks for planted-bug targets made from real torch, without touching torch itself
(the torch lanes run in the same process).

- :func:`delegate` gives a target module (or a stand-in submodule) a module-level
  ``__getattr__`` that forwards every name it does not define to the real module, so a target
  only spells out the one function it breaks.
- :class:`PlantedTensor` is a ``torch.Tensor`` subclass that every tensor of a target becomes:
  the factories of :func:`factories` return it, and its ``__torch_function__`` turns every op
  result into the same class *in place* (no alias node in the graph, unlike
  ``Tensor.as_subclass``). A target subclasses it to break one Tensor method (``backward``,
  ``detach``, ``__repr__``) for its own tensors only. Without an override it behaves exactly
  like torch, which the clean target :mod:`tests.planted.targets.clean` proves case by case.
"""
from __future__ import annotations

import types

import torch


def delegate(real):
    """A module ``__getattr__`` that forwards names the module lacks to ``real``."""

    def __getattr__(name):
        return getattr(real, name)

    return __getattr__


def submodule(name: str, real, **replacements) -> types.ModuleType:
    """A stand-in for ``real`` (``torch.nn``, say): ``replacements``, then everything else."""
    module = types.ModuleType(name)
    module.__dict__.update(replacements)
    module.__getattr__ = delegate(real)
    return module


def _retype(value, cls):
    """Make every plain tensor in ``value`` (nested tuples/lists too) an instance of ``cls``."""
    if type(value) is torch.Tensor:
        value.__class__ = cls
    elif isinstance(value, (tuple, list)):
        for item in value:
            _retype(item, cls)
    return value


class PlantedTensor(torch.Tensor):
    """A tensor that stays of its class through every op, and prints like ``torch.Tensor``."""

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        # torch prints a subclass with its class name as the prefix ("Name([...])") and indents
        # continuation lines by the prefix's length; named "tensor", it prints as torch does.
        cls.__name__ = "tensor"

    @classmethod
    def __torch_function__(cls, func, types, args=(), kwargs=None):
        with torch._C.DisableTorchFunctionSubclass():
            result = func(*args, **(kwargs or {}))
        return _retype(result, cls)

    def __format__(self, format_spec):
        # torch.Tensor formats a 0-d tensor as its item only when its type is exactly Tensor.
        if self.dim() == 0:
            return self.item().__format__(format_spec)
        if format_spec:
            raise TypeError("unsupported format string passed to Tensor.__format__")
        return str(self)


PlantedTensor.__name__ = "tensor"

FACTORY_NAMES = ("tensor", "ones", "zeros", "eye", "full", "arange", "empty")


def factories(cls) -> dict:
    """torch's tensor factories, returning ``cls`` instances (leaves stay leaves)."""

    def wrap(name):
        real = getattr(torch, name)

        def factory(*args, **kwargs):
            return _retype(real(*args, **kwargs), cls)

        factory.__name__ = name
        return factory

    return {name: wrap(name) for name in FACTORY_NAMES}
