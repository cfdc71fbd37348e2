"""``torch.func.functional_call``: call a module with some of its parameters and buffers
replaced by given tensors, for the duration of the call.

The replacement is a swap of entries in the owning modules' ``_parameters`` / ``_buffers``
tables (the given tensors need not be Parameters), undone in a ``finally``. With
``tie_weights`` a replaced parameter or buffer that the module holds under several names is
replaced under all of them.
"""
from __future__ import annotations

from contextlib import contextmanager


def _merge(parameter_and_buffer_dicts) -> dict:
    if isinstance(parameter_and_buffer_dicts, dict):
        return dict(parameter_and_buffer_dicts)
    if not isinstance(parameter_and_buffer_dicts, (list, tuple)):
        raise ValueError("Expected parameter_and_buffer_dicts to be a dict, or a list/tuple of "
                         f"dicts, but got {type(parameter_and_buffer_dicts)}")
    merged: dict = {}
    seen: dict = {}
    for mapping in parameter_and_buffer_dicts:
        for key in mapping:
            seen[key] = seen.get(key, 0) + 1
        merged.update(mapping)
    repeated = [key for key, count in seen.items() if count > 1]
    if repeated:
        raise ValueError(f"{repeated} appeared in multiple dictionaries; behavior of functional "
                         "call is ambiguous")
    return merged


def _owner(module, name: str):
    """``(submodule, attribute)`` for a dotted name; None when the path does not exist."""
    *path, attribute = name.split(".")
    for part in path:
        module = module._modules.get(part)
        if module is None:
            return None
    return module, attribute


@contextmanager
def _reparametrized(module, replacements: dict, tie_weights: bool, strict: bool):
    named = {}
    for table in ("_parameters", "_buffers"):
        for prefix, sub in module.named_modules(remove_duplicate=False):
            for attr, value in getattr(sub, table).items():
                if value is not None:
                    named[f"{prefix}.{attr}" if prefix else attr] = value
    if strict:
        unexpected = [key for key in replacements if key not in named]
        missing = [key for key in named if key not in replacements]
        lines = []
        if unexpected:
            lines.append("Unexpected key(s): " + ", ".join(repr(k) for k in unexpected) + ".")
        if missing:
            lines.append("Missing key(s): " + ", ".join(repr(k) for k in missing) + ".")
        if lines:
            raise RuntimeError(f"Error(s) in reparametrizing for {type(module).__name__}:\n\t"
                               + "\n\t".join(lines))
    replacements = dict(replacements)
    if tie_weights:
        by_identity = {id(named[key]): value for key, value in replacements.items()
                       if key in named}
        for key, original in named.items():
            if key not in replacements and id(original) in by_identity:
                replacements[key] = by_identity[id(original)]
    undo = []
    try:
        for key, value in replacements.items():
            found = _owner(module, key)
            if found is None or key not in named:
                continue                 # not a parameter or buffer of the module: ignored
            sub, attribute = found
            table = sub._parameters if attribute in sub._parameters else sub._buffers
            undo.append((table, attribute, table[attribute]))
            table[attribute] = value
        yield
    finally:
        for table, attribute, original in reversed(undo):
            table[attribute] = original


def functional_call(module, parameter_and_buffer_dicts, args=None, kwargs=None, *,
                    tie_weights: bool = True, strict: bool = False):
    """``module(*args, **kwargs)`` with the named parameters and buffers replaced."""
    replacements = _merge(parameter_and_buffer_dicts)
    if args is None:
        args = ()
    elif not isinstance(args, tuple):
        args = (args,)
    with _reparametrized(module, replacements, tie_weights, strict):
        return module(*args, **(kwargs or {}))


__all__ = ["functional_call"]
