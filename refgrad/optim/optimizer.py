"""``torch.optim.Optimizer``: parameter groups, per-parameter state, ``zero_grad``, state
dicts and PyTorch's printing. The update rules live in the subclasses (``sgd``, ``adam``).

An update changes a parameter's array in place, records no graph and bumps the version
counter, as PyTorch's in-place update under ``no_grad`` does. It follows PyTorch's CPU
arithmetic step for step: every operation in the parameter's dtype, Python-number
coefficients rounded to that dtype first, in PyTorch's order, and a fused multiply-add
(:func:`fma`) wherever PyTorch's kernel fuses one (``add`` with ``alpha``, ``lerp``,
``addcmul``): float32 updates are PyTorch's bit for bit, float64 ones all but rarely.
"""
from __future__ import annotations

import copy
from collections import defaultdict

import numpy as np

from ..autograd.grad_mode import enable_grad, no_grad
from ..dtypes import type_name
from ..nn.module import zero_grads
from ..tensor import Tensor


# a wider type in which x * y + z is rounded once when cast back: float64 holds a float32
# product exactly; the x87 extended type (64-bit mantissa) does the same for float64
_WIDER = {np.dtype(np.float32): np.float64}
if np.finfo(np.longdouble).nmant >= 63:
    _WIDER[np.dtype(np.float64)] = np.longdouble


def fma(x, y, z):
    """``x * y + z`` with one rounding to ``z``'s dtype (PyTorch's CPU kernels fuse it)."""
    z = np.asarray(z)
    wide = _WIDER.get(z.dtype)
    if wide is None:
        return x * y + z
    result = np.multiply(x, y, dtype=wide)
    np.add(result, z, out=result, dtype=wide)
    return result.astype(z.dtype)


def write(t: Tensor, values) -> None:
    """``t``'s values become ``values`` (in ``t``'s dtype), in place: one version bump."""
    t._data[...] = values
    t._version_counter[0] += 1


def grad_array(p, maximize: bool) -> np.ndarray:
    return -p.grad._data if maximize else p.grad._data


class Optimizer:
    """Base class: holds ``param_groups`` (dicts of parameters and options, filled from
    ``defaults``) and ``state`` (per parameter)."""

    def __init__(self, params, defaults: dict):
        self.defaults = defaults
        if isinstance(params, Tensor):
            raise TypeError("params argument given to the optimizer should be an iterable of "
                            f"Tensors or dicts, but got {type_name(params.dtype)}")
        self.state = defaultdict(dict)
        self.param_groups = []
        groups = list(params)
        if len(groups) == 0:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for group in groups:
            self.add_param_group(group)

    def add_param_group(self, param_group: dict) -> None:
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group).__name__}")
        params = param_group["params"]
        if isinstance(params, Tensor):
            param_group["params"] = [params]
        elif isinstance(params, set):
            raise TypeError("optimizer parameters need to be organized in ordered collections, "
                            "but the ordering of tensors in sets will change between runs. "
                            "Please use a list instead.")
        else:
            param_group["params"] = list(params)
        for p in param_group["params"]:
            if not isinstance(p, Tensor):
                raise TypeError("optimizer can only optimize Tensors, but one of the params is "
                                f"{type(p).__module__}.{type(p).__name__}")
            if not p.is_leaf:
                raise ValueError("can't optimize a non-leaf Tensor")
        for name, default in self.defaults.items():
            param_group.setdefault(name, default)
        seen = {id(p) for group in self.param_groups for p in group["params"]}
        if any(id(p) in seen for p in param_group["params"]):
            raise ValueError("some parameters appear in more than one parameter group")
        self.param_groups.append(param_group)

    def zero_grad(self, set_to_none: bool = True) -> None:
        zero_grads((p for group in self.param_groups for p in group["params"]), set_to_none)

    def step(self, closure=None):
        """One update of every parameter with a gradient; ``closure()`` recomputes the loss
        first (with grad enabled) and its value is returned."""
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        with no_grad():
            for group in self.param_groups:
                for p in group["params"]:
                    if p.grad is not None:
                        self._update(p, group, self.state[p])
        return loss

    def _update(self, p, group: dict, state: dict) -> None:
        raise NotImplementedError

    # ------------------------------------------------------------------------ state dicts
    def state_dict(self) -> dict:
        """``{"state": {index: state}, "param_groups": [options with "params": indices]}``;
        parameters are numbered in group order."""
        index = {}
        groups = []
        for group in self.param_groups:
            packed = {k: v for k, v in group.items() if k != "params"}
            for p in group["params"]:
                index.setdefault(id(p), len(index))
            packed["params"] = [index[id(p)] for p in group["params"]]
            groups.append(packed)
        state = {index[id(p)] if isinstance(p, Tensor) else p: value
                 for p, value in self.state.items()}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: dict) -> None:
        # as PyTorch: the groups are copied, the state tensors are taken as they are (a
        # tensor already of the parameter's dtype is shared with the loaded dict)
        saved_groups = copy.deepcopy(state_dict["param_groups"])
        if len(saved_groups) != len(self.param_groups):
            raise ValueError("loaded state dict has a different number of parameter groups")
        if any(len(g["params"]) != len(s["params"])
               for g, s in zip(self.param_groups, saved_groups)):
            raise ValueError("loaded state dict contains a parameter group that doesn't match "
                             "the size of optimizer's group")
        by_index = {i: p for s, g in zip(saved_groups, self.param_groups)
                    for i, p in zip(s["params"], g["params"])}
        self.state = defaultdict(dict)
        for key, value in state_dict["state"].items():
            if key in by_index:
                p = by_index[key]
                self.state[p] = {name: _cast_state(name, v, p) for name, v in value.items()}
            else:
                self.state[key] = value
        self.param_groups = [{**s, "params": g["params"]}
                             for g, s in zip(self.param_groups, saved_groups)]

    def __getstate__(self):
        return {"defaults": self.defaults, "state": self.state,
                "param_groups": self.param_groups}

    def __setstate__(self, state):
        self.__dict__.update(state)

    def __repr__(self) -> str:
        text = type(self).__name__ + " ("
        for i, group in enumerate(self.param_groups):
            text += f"\nParameter Group {i}\n"
            for key in sorted(group):
                if key != "params":
                    text += f"    {key}: {group[key]}\n"
        return text + ")"


def _cast_state(name, value, p):
    # "step" keeps its own dtype; the moments follow the parameter's floating dtype
    if name != "step" and isinstance(value, Tensor) and p.is_floating_point() \
            and value.is_floating_point():
        return value.to(p.dtype)
    return value
