"""Planted bug in refgrad's optim: Adam (and AdamW) without the bias corrections
``1 - beta ** step`` of the two moment estimates."""
import numpy as np

from tests.planted.targets import _refgrad_copy

_copy = _refgrad_copy.load_copy(__name__ + "_copy")
_adam = _refgrad_copy.submodule(_copy, "optim.adam")
_update = _adam.Adam._update


def _uncorrected(self, p, group, state):
    # the real update, then undo its bias corrections: the step PyTorch would take with
    # bias_correction1 = bias_correction2 = 1
    before = p._data.copy()
    _update(self, p, group, state)
    second = state.get("max_exp_avg_sq", state["exp_avg_sq"])._data
    scalar = p._data.dtype.type
    if group["weight_decay"] != 0 and group["decoupled_weight_decay"]:
        before = before * scalar(1 - group["lr"] * group["weight_decay"])
    denom = np.sqrt(second) + scalar(group["eps"])
    p._data[...] = before + scalar(-group["lr"]) * state["exp_avg"]._data / denom


_refgrad_copy.replace(_adam.Adam, "_update", _uncorrected)


def __getattr__(name):
    return getattr(_copy, name)
