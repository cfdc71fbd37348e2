"""Devices, honestly: ``torch.device`` can name any of PyTorch's device types, as in PyTorch,
but refgrad computes on the CPU alone. Asking for a CUDA tensor fails where and as a PyTorch
built without CUDA fails; ``set_default_device``/``get_default_device`` as PyTorch has them.
"""
from __future__ import annotations

import builtins
import re

from . import _args

NO_CUDA = "Torch not compiled with CUDA enabled"
NO_ACCELERATOR = "Cannot access accelerator device when none is available."
DEVICE_TYPES = ("cpu", "cuda", "ipu", "xpu", "mkldnn", "opengl", "opencl", "ideep", "hip", "ve",
                "fpga", "maia", "xla", "lazy", "vulkan", "mps", "meta", "hpu", "mtia",
                "privateuseone")


def _parse(text: str):
    """``'cuda:1'`` -> ``('cuda', 1)``, with PyTorch's messages: the form first, then the type."""
    if text == "":
        raise RuntimeError("Device string must not be empty")
    match = re.fullmatch(r"([a-zA-Z_]+)(?::(0|[1-9][0-9]*))?", text)
    if match is None:
        raise RuntimeError(f"Invalid device string: '{text}'")
    name, number = match.groups()
    if name not in DEVICE_TYPES:
        raise RuntimeError(f"Expected one of {', '.join(DEVICE_TYPES)} device type at start of "
                           f"device string: {text}")
    return name, None if number is None else int(number)


class device:
    """``torch.device('cpu')``, ``device('cuda', 1)``, ``device('cuda:1')``: a name for where a
    tensor lives. Any PyTorch device type can be named; refgrad's tensors live on the CPU."""

    __slots__ = ("type", "index")

    def __init__(self, type, index=None):
        if isinstance(type, device):
            type, index = type.type, type.index
        elif isinstance(type, int) and not isinstance(type, bool):
            raise RuntimeError(NO_ACCELERATOR)     # a bare index names the accelerator
        elif not isinstance(type, str):
            raise TypeError(f"device() received an invalid combination of arguments - got "
                            f"({builtins.type(type).__name__}), "
                            "but expected one of:\n * (torch.device device)\n"
                            " * (str type, int index = -1)\n")
        else:
            type, parsed = _parse(type)
            if parsed is not None:
                if index is not None:
                    raise RuntimeError("type (string) must not include an index because index "
                                       f"was passed explicitly: {type}:{parsed}")
                index = parsed
        if index is not None:
            index = _args.integer("device", "index", index, 2)
            if index < 0:
                raise RuntimeError("Device index must not be negative")
        self.type = type
        self.index = index

    def __repr__(self) -> str:
        if self.index is None:
            return f"device(type='{self.type}')"
        return f"device(type='{self.type}', index={self.index})"

    def __str__(self) -> str:
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __eq__(self, other) -> bool:
        return (isinstance(other, device) and other.type == self.type
                and other.index == self.index)

    def __hash__(self) -> int:
        return hash((self.type, self.index))

    def __reduce__(self):
        return (device, (self.type, self.index))


CPU = device("cpu")


class _Default:
    device = None           # None: the CPU


_default = _Default()


def _unavailable(d: device) -> Exception:
    if d.type == "cuda":
        return AssertionError(NO_CUDA)
    return RuntimeError(f"refgrad computes on the CPU only: device '{d}' is not available "
                        "(use device='cpu')")


def check_device(value, fname=None) -> None:
    """Accept ``None`` (the default device), ``'cpu'``, ``'cpu:0'``, ``device('cpu')``; raise
    what PyTorch without CUDA raises for ``'cuda'``, and refuse the other device types
    (``fname``: the function whose ``device=`` argument this is, for PyTorch's type error)."""
    if fname is not None:
        _args.device_arg(fname, value)
    if value is None:
        value = _default.device
        if value is None:
            return
    if value is CPU or value == "cpu":
        return
    d = value if isinstance(value, device) else device(value)
    if d.type != "cpu":
        raise _unavailable(d)


def set_default_device(value) -> None:
    """The device factories use when given none (``None``: the CPU). Naming CUDA is allowed,
    as in PyTorch; creating a tensor then fails."""
    _default.device = None if value is None else (
        value if isinstance(value, device) else device(value))


def get_default_device() -> device:
    d = _default.device
    if d is None or d.type == "cpu":
        return CPU if d is None else d
    raise _unavailable(d)
