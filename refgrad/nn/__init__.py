"""``torch.nn``: only ``functional`` (reachable as ``refgrad.nn.functional``) and Parameter."""
from . import functional
from ..tensor import Tensor as _Tensor


class Parameter(_Tensor):
    """A leaf that requires grad (``nn.Parameter(t)``); shares ``t``'s storage."""

    __slots__ = ()

    def __new__(cls, data=None, requires_grad=True):
        from ..factories import empty
        source = data if data is not None else empty(0)
        t = _Tensor.__new__(cls)
        for slot in _Tensor.__slots__[:-1]:
            setattr(t, slot, getattr(source.detach(), slot))
        t._requires_grad = requires_grad
        return t

    def __init__(self, data=None, requires_grad=True):
        pass

    def __repr__(self):
        return "Parameter containing:\n" + super().__repr__()


__all__ = ["functional", "Parameter"]
