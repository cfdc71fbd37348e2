"""A private copy of refgrad, loaded under another module name, for planted-bug targets that
break refgrad's engine (accumulation, freeing, grad mode, detach, one VJP).

refgrad's modules import each other relatively, so its package directory loads a second time
under a new name, with its own classes, tables and grad-mode state: patching the copy leaves
the refgrad that other lanes and tests use untouched.
"""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import refgrad

REFGRAD_DIR = Path(refgrad.__file__).resolve().parent


def load_copy(name: str):
    """refgrad's package, loaded afresh as ``name`` (and registered in sys.modules)."""
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(
        name, REFGRAD_DIR / "__init__.py", submodule_search_locations=[str(REFGRAD_DIR)])
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[name]
        raise
    return module


def submodule(copy, dotted: str):
    """``copy``'s submodule ``dotted`` ("autograd.engine"), which the copy has imported."""
    return sys.modules[f"{copy.__name__}.{dotted}"]


def replace(owner, attribute: str, replacement):
    """Swap one attribute of the copy, failing loudly if refgrad no longer has it."""
    if not hasattr(owner, attribute):
        raise AttributeError(f"{owner!r} has no {attribute!r} to plant a bug in: refgrad's "
                             f"internals changed, update tests/planted/targets")
    setattr(owner, attribute, replacement)
