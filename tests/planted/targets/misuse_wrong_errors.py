"""Planted bug: the factories answer misuse in NumPy's words and types (what refgrad once did):
``ones``/``zeros`` with a negative size raise NumPy's ValueError, and ``arange`` whose step
cannot reach its end returns an empty tensor instead of raising."""
import torch as _torch

from tests.planted.targets import _torch_proxy as _proxy


class Tensor(_proxy.PlantedTensor):
    pass


globals().update(_proxy.factories(Tensor))
_ones, _zeros, _arange = ones, zeros, arange  # noqa: F821 - made by the update above


def _numpy_words(factory):
    def made(*args, **kwargs):
        try:
            return factory(*args, **kwargs)
        except RuntimeError as exc:
            if "negative dimension" in str(exc) or "non-negative" in str(exc):
                raise ValueError("negative dimensions are not allowed") from None
            raise
    return made


ones, zeros = _numpy_words(_ones), _numpy_words(_zeros)


def arange(*args, **kwargs):
    try:
        return _arange(*args, **kwargs)
    except RuntimeError as exc:
        if "inconsistent with step sign" in str(exc):
            return _torch.tensor([], dtype=_torch.int64)
        raise


__getattr__ = _proxy.delegate(_torch)
