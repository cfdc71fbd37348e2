"""``torch.save``/``torch.load`` in refgrad's own file format.

A file is a short header (``MAGIC``) followed by one pickle stream. A tensor is pickled as its
dtype's name, its shape, its raw bytes (C order) and ``requires_grad`` - never as a NumPy
object - so loading it calls one function of this module. The same tensor object saved twice
in one call loads as one object; distinct tensors sharing storage (views) load as copies.

``load`` defaults to ``weights_only=True``, as PyTorch 2.6 and later do: only tensors,
parameters, dtypes, devices, ``torch.Size``, ``OrderedDict`` and plain Python containers and
scalars are rebuilt, plus what ``add_safe_globals`` allows; anything else raises PyTorch's
``UnpicklingError`` naming the global. ``weights_only=False`` unpickles anything (trusted files
only). refgrad cannot read PyTorch's own files, nor PyTorch refgrad's.
"""
from __future__ import annotations

import collections
import contextlib
import io
import os
import pickle

import numpy as np

from . import dtypes as _dt
from ._devices import device as _device
from .tensor import Size, Tensor, wrap

MAGIC = b"REFGRAD-SAVE\x01\n"
_BOLD, _PLAIN = "\x1b[1m", "\x1b[0m"

_ALLOWED = {
    ("collections", "OrderedDict"): collections.OrderedDict,
    ("builtins", "set"): set,
    ("builtins", "frozenset"): frozenset,
    ("builtins", "complex"): complex,
    ("builtins", "slice"): slice,
    ("builtins", "bytearray"): bytearray,
}
_user_safe: list = []


# ------------------------------------------------------------------------- the pieces

def _rebuild_tensor(dtype_name, shape, raw, requires_grad, kind="Tensor"):
    d = _dt._by_name(dtype_name)
    data = np.frombuffer(raw, dtype=d.np).reshape(shape).copy()
    t = wrap(data, d, False)
    if kind == "Parameter":
        from . import nn
        parameter = getattr(nn, "Parameter", None)
        if parameter is not None:
            return parameter(t, requires_grad=requires_grad)
    t._requires_grad = bool(requires_grad)
    return t


def _rebuild_dtype(name):
    return _dt._by_name(name)


def _rebuild_size(dims):
    return Size(dims)


def _rebuild_device(type_, index):
    return _device(type_, index)


for _fn in (_rebuild_tensor, _rebuild_dtype, _rebuild_size, _rebuild_device):
    _ALLOWED[(__name__, _fn.__name__)] = _fn


class _Pickler(pickle.Pickler):
    def reducer_override(self, obj):
        if isinstance(obj, Tensor):
            data = obj._data
            kind = "Parameter" if type(obj).__name__ == "Parameter" else "Tensor"
            return (_rebuild_tensor, (obj._dtype.name, tuple(data.shape), data.tobytes("C"),
                                      obj._requires_grad, kind))
        if isinstance(obj, _dt.dtype):
            return (_rebuild_dtype, (obj.name,))
        if isinstance(obj, Size):
            return (_rebuild_size, (tuple(obj),))
        if isinstance(obj, _device):
            return (_rebuild_device, (obj.type, obj.index))
        return NotImplemented


def _weights_only_error(detail: str) -> pickle.UnpicklingError:
    return pickle.UnpicklingError(
        "Weights only load failed. This file can still be loaded, to do so you have two "
        f"options, {_BOLD}do those steps only if you trust the source of the checkpoint"
        f"{_PLAIN}. \n\t(1) In PyTorch 2.6, we changed the default value of the `weights_only` "
        "argument in `torch.load` from `False` to `True`. Re-running `torch.load` with "
        "`weights_only` set to `False` will likely succeed, but it can result in arbitrary "
        "code execution. Do it only if you got the file from a trusted source.\n\t(2) "
        "Alternatively, to load with `weights_only=True` please check the recommended steps "
        f"in the following error message.\n\tWeightsUnpickler error: {detail}\n\nCheck the "
        "documentation of torch.load to learn more about types accepted by default with "
        "weights_only https://pytorch.org/docs/stable/generated/torch.load.html.")


class _WeightsUnpickler(pickle.Unpickler):
    def find_class(self, module, name):
        found = _ALLOWED.get((module, name))
        if found is not None:
            return found
        for obj in _user_safe:
            if (getattr(obj, "__module__", None), getattr(obj, "__qualname__", None)) == (
                    module, name):
                return obj
        full = f"{module}.{name}"
        raise _weights_only_error(
            f"Unsupported global: GLOBAL {full} was not an allowed global by default. Please "
            f"use `torch.serialization.add_safe_globals([{full}])` or the "
            f"`torch.serialization.safe_globals([{full}])` context manager to allowlist this "
            "global if you trust this class/function.")


# ----------------------------------------------------------------------------- the API

def _open(f, mode):
    if isinstance(f, (str, os.PathLike)):
        return open(f, mode)
    return contextlib.nullcontext(f)


def save(obj, f, pickle_module=None, pickle_protocol=2, _use_new_zipfile_serialization=True,
         _disable_byteorder_record=False) -> None:
    """Write ``obj`` (tensors, state dicts, nested containers) to a path or a binary file."""
    buffer = io.BytesIO()
    _Pickler(buffer, protocol=max(int(pickle_protocol), 4)).dump(obj)
    with _open(f, "wb") as out:
        out.write(MAGIC)
        out.write(buffer.getvalue())


def _check_map_location(map_location) -> None:
    targets = map_location.values() if isinstance(map_location, dict) else [map_location]
    for target in targets:
        if target is None or callable(target) and not isinstance(target, (str, _device)):
            continue
        if _device(target).type == "cuda":
            raise RuntimeError(
                "Attempting to deserialize object on a CUDA device but "
                "torch.cuda.is_available() is False. If you are running on a CPU-only machine, "
                "please use torch.load with map_location=torch.device('cpu') to map your "
                "storages to the CPU.")


def load(f, map_location=None, pickle_module=None, *, weights_only=None, mmap=None,
         **pickle_load_args):
    """Read what :func:`save` wrote. ``weights_only`` (default True) rebuilds only tensors and
    plain data; ``map_location`` may name the CPU (everything refgrad saves lives there)."""
    _check_map_location(map_location)
    with _open(f, "rb") as source:
        payload = source.read()
    if not payload.startswith(MAGIC):
        raise RuntimeError("refgrad.load: not a file written by refgrad.save (refgrad reads "
                           "its own format only, not PyTorch's)")
    stream = io.BytesIO(payload[len(MAGIC):])
    if weights_only is None or weights_only:
        return _WeightsUnpickler(stream, **pickle_load_args).load()
    return pickle.Unpickler(stream, **pickle_load_args).load()


def add_safe_globals(safe_globals) -> None:
    """Allow these classes/functions when loading with ``weights_only=True``."""
    _user_safe.extend(safe_globals)


def get_safe_globals() -> list:
    return list(_user_safe)


def clear_safe_globals() -> None:
    _user_safe.clear()


@contextlib.contextmanager
def safe_globals(safe_globals):
    """``with torch.serialization.safe_globals([Foo]):`` - allowed inside the block only."""
    before = list(_user_safe)
    _user_safe.extend(safe_globals)
    try:
        yield
    finally:
        _user_safe[:] = before
