"""NumPy's floating-point error handling, switched off while refgrad computes.

PyTorch never warns about overflow, division by zero or invalid values; NumPy does unless told
not to. ``quiet()`` is ``np.errstate(all="ignore")`` - NumPy's public API - entered by the
outermost caller only: the ops that run inside an already quiet block (every op of a backward
pass) check one context variable instead of entering ``np.errstate`` again (about 1.5 us each).

``call_quietly(func, ...)`` is the cheap form for one NumPy computation (an op's forward).
"""
from __future__ import annotations

import contextvars
import threading

import numpy as np

QUIET = "quiet"
_quiet = contextvars.ContextVar("refgrad_numpy_quiet", default=None)   # QUIET inside quiet()


class quiet:
    """``with quiet():`` runs its block with NumPy's floating-point errors ignored."""

    __slots__ = ("_errstate", "_token")

    def __enter__(self) -> None:
        if _quiet.get():
            self._errstate = None           # an enclosing block already made NumPy quiet
            return
        self._errstate = np.errstate(all="ignore")
        self._errstate.__enter__()
        self._token = _quiet.set(QUIET)

    def __exit__(self, *exc_info) -> None:
        if self._errstate is not None:
            _quiet.reset(self._token)
            self._errstate.__exit__(*exc_info)


def call_quietly(func, *args, **kwargs):
    """``func(*args, **kwargs)`` with NumPy's floating-point errors ignored, for one NumPy
    computation (an op's forward). Cheaper than ``quiet()`` outside a quiet block: ``func``
    runs in a context prepared once per thread inside ``quiet()`` (``contextvars.Context.run``;
    ``func`` sees that context's variables, so it should be plain NumPy arithmetic, as an op's
    forward is). Inside that context ``is_quiet()`` holds, so a nested call runs directly and
    the context is never entered twice."""
    if _quiet.get() is QUIET:
        return func(*args, **kwargs)
    try:
        context = _per_thread.context
    except AttributeError:
        context = _per_thread.context = _quiet_context()
    return context.run(func, *args, **kwargs)


def _quiet_context() -> contextvars.Context:
    with quiet():
        return contextvars.copy_context()


_per_thread = threading.local()


def is_quiet() -> bool:
    """Whether an enclosing ``quiet()`` block has NumPy's errors ignored."""
    return _quiet.get() is QUIET
