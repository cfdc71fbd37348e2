"""Build a target that is torch with its own Tensor subclass (see list_sum, str_grad_fn).

Factories return the subclass; torch keeps the subclass through every op on it.
"""
import torch as _torch


def module_getattr(tensor_class):
    """A module ``__getattr__``: torch's attribute, whose plain-tensor leaf results (the
    factories') come back as ``tensor_class``."""
    def convert(value):
        if isinstance(value, _torch.Tensor) and not isinstance(value, tensor_class) \
                and value.is_leaf:
            wanted = value.requires_grad
            return value.detach().as_subclass(tensor_class).requires_grad_(wanted)
        return value

    def wrap(function):
        def wrapped(*args, **kwargs):
            return convert(function(*args, **kwargs))
        return wrapped

    def __getattr__(name):
        value = getattr(_torch, name)
        if callable(value) and not isinstance(value, type) and name != "Tensor":
            return wrap(value)
        return value

    return __getattr__
