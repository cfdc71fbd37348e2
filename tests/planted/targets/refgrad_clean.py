"""The unplanted base of the refgrad-made targets: a private copy of refgrad, nothing broken."""
from tests.planted.targets import _refgrad_copy

_copy = _refgrad_copy.load_copy(__name__ + "_copy")


def __getattr__(name):
    return getattr(_copy, name)
