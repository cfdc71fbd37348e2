"""``t[key]``: basic items become chained Select / Slice / Unsqueeze views, advanced ones
(tensors, lists, arrays, bool masks) one IndexBackward0 copy."""
from __future__ import annotations

import numpy as np

from . import dtypes as _dt
from ._dispatch import apply, view
from .ops import ALIAS, INDEX, SLICE
from .tensor import Tensor, from_array, wrap


def numpy_key(key):
    """A key with tensors turned into NumPy arrays."""
    if isinstance(key, tuple):
        return tuple(_numpy_key_item(k) for k in key)
    return _numpy_key_item(key)


def _numpy_key_item(k):
    if isinstance(k, Tensor):
        return k._data
    if isinstance(k, list):
        return np.asarray([x._data if isinstance(x, Tensor) else x for x in k])
    if isinstance(k, (np.integer,)):
        return int(k)
    return k


ZERO_DIM_INDEX = ("invalid index of a 0-dim tensor. Use `tensor.item()` in Python or "
                  "`tensor.item<T>()` in C++ to convert a 0-dim tensor to a number")


def check_index_type(k):
    """PyTorch's refusals of an index item that is not an int, slice, None, ... or a
    tensor/sequence of indices."""
    if isinstance(k, str):
        raise TypeError("new(): invalid data type 'str'")
    if isinstance(k, Tensor):
        if k._dtype.is_floating_point:
            raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
        return
    if not isinstance(k, (list, tuple, np.ndarray, bool, np.bool_)):
        raise IndexError("only integers, slices (`:`), ellipsis (`...`), None and long or byte "
                         f"Variables are valid indices (got {type(k).__name__})")


def _check_mask(t, key):
    """A bool mask must have the shape of the dims it indexes."""
    items = key if isinstance(key, tuple) else (key,)
    at = 0
    for k in items:
        if isinstance(k, np.ndarray) and k.dtype == np.bool_:
            own = t._data.shape[at:at + k.ndim]
            for j, extent in enumerate(k.shape):
                if j >= len(own) or own[j] != extent:
                    raise IndexError(f"The shape of the mask {list(k.shape)} at index {j} does "
                                     f"not match the shape of the indexed tensor "
                                     f"{list(t._data.shape)} at index {at + j}")
            at += k.ndim
        elif k is not None:
            at += 1


def getitem(t, key):
    """``t[key]``, as PyTorch records it."""
    if isinstance(key, Tensor) or not isinstance(key, (tuple, slice, int, np.integer)) \
            and key is not None and key is not Ellipsis:
        check_index_type(key)
    if isinstance(key, Tensor) and key._dtype is _dt.bool_ or isinstance(key, (list, np.ndarray)):
        return _advanced(t, numpy_key(key))
    if isinstance(key, Tensor):
        return _advanced(t, key._data)
    if key is Ellipsis:
        return view(ALIAS, t, t._data[...])
    if isinstance(key, slice):
        return _slice(t, 0, key, force=True)
    items = key if isinstance(key, tuple) else (key,)
    if any(k is Ellipsis for k in items):
        consumed = sum(1 for k in items if k is not None and k is not Ellipsis)
        at = next(i for i, k in enumerate(items) if k is Ellipsis)
        fill = (slice(None),) * max(t._data.ndim - consumed, 0)
        items = items[:at] + fill + tuple(k for k in items[at + 1:] if k is not Ellipsis)
    out = t
    dim = 0
    advanced = []
    recorded = False
    for position, k in enumerate(items):      # PyTorch's messages count every item
        if k is None:
            out = out.unsqueeze(dim)
            dim += 1
            recorded = True
        elif isinstance(k, (int, np.integer)) and not isinstance(k, bool):
            size = out._data.shape[dim] if dim < out._data.ndim else None
            if size is None and t._data.ndim == 0:
                raise IndexError(ZERO_DIM_INDEX)
            if size is None:
                raise IndexError(f"too many indices for tensor of dimension {t._data.ndim}")
            if not -size <= k < size:
                raise IndexError(f"index {k} is out of bounds for dimension {position} with "
                                 f"size {size}")
            out = out.select(dim, int(k))
            recorded = True
        elif isinstance(k, slice):
            if dim >= out._data.ndim:
                raise IndexError(f"too many indices for tensor of dimension {t._data.ndim}")
            new = _slice(out, dim, k, force=False)
            recorded = recorded or new is not out
            out = new
            dim += 1
        else:
            check_index_type(k)
            advanced.append((dim, k))
            dim += 1
    if advanced:
        full = [slice(None)] * out._data.ndim
        for d, k in advanced:
            full[d] = _numpy_key_item(k)
        return _advanced(out, tuple(full))
    if not recorded:
        return view(ALIAS, out, out._data[...])
    return out


def _slice(t, dim, k, force):
    size = t._data.shape[dim]
    start, stop, step = k.indices(size)
    if step <= 0:
        raise ValueError("step must be greater than zero")
    if not force and start == 0 and stop == size and step == 1:
        return t
    key = (slice(None),) * dim + (slice(start, stop, step),)
    return view(SLICE, t, t._data[key], {"self_sym_sizes": t._data.shape, "index_key": key})


def _advanced(t, key):
    _check_mask(t, key)
    indices = None
    if t._requires_grad:
        items = key if isinstance(key, tuple) else (key,)
        arrays = [from_array(np.asarray(k)) for k in items if isinstance(k, np.ndarray)]
        indices = arrays[0] if len(arrays) == 1 else wrap(np.zeros(len(arrays)), _dt.int64)
    try:
        return apply(INDEX, (t,), t._dtype, {"key": key},
                     {"self_sym_sizes": t._data.shape, "index_key": key}, {"indices": indices})
    except IndexError as exc:
        raise IndexError(str(exc).replace(" for axis ", " for dimension ")) from None
