"""A proxy torch as a later release might differ: one node renamed and one error reworded.

Not a planted bug in a target: it stands in for torch itself when a reference is recorded, so
that ``conformance drift`` between it and the real torch must find exactly these two changes:
``torch.exp`` records ``ExpBackward`` (a custom Function's node) instead of ``ExpBackward0``,
and ``torch.cat``'s size-mismatch error says "Tensor sizes must agree". Both come from the
planted targets that break them one at a time.
"""
import torch as _torch

from tests.planted.targets import _torch_proxy as _proxy
from tests.planted.targets import changed_error_message as _reworded
from tests.planted.targets import wrong_grad_fn_name as _renamed

cat = _reworded.cat         # "Tensor sizes must agree"
exp = _renamed.exp          # ExpBackward


class Tensor(_proxy.PlantedTensor):
    pass


globals().update(_proxy.factories(Tensor))
__getattr__ = _proxy.delegate(_torch)
