"""NumPy's floating-point error handling, switched off while refgrad computes.

PyTorch never warns about overflow, division by zero or invalid values; NumPy does unless told
not to. ``quiet()`` is ``np.errstate(all="ignore")`` - NumPy's public API - entered by the
outermost caller only: the ops that run inside an already quiet block (every op of a backward
pass) check one context variable instead of entering ``np.errstate`` again (about 1.5 us each).

``ERROR_STATE`` / ``QUIET`` give the same thing the face of a context variable
(``get() is QUIET``, ``token = set(QUIET)``, ``reset(token)``), for callers written that way.
"""
from __future__ import annotations

import contextvars

import numpy as np

_quiet = contextvars.ContextVar("refgrad_numpy_quiet", default=False)


class quiet:
    """``with quiet():`` runs its block with NumPy's floating-point errors ignored."""

    __slots__ = ("_errstate", "_token")

    def __enter__(self) -> None:
        if _quiet.get():
            self._errstate = None           # an enclosing block already made NumPy quiet
            return
        self._errstate = np.errstate(all="ignore")
        self._errstate.__enter__()
        self._token = _quiet.set(True)

    def __exit__(self, *exc_info) -> None:
        if self._errstate is not None:
            _quiet.reset(self._token)
            self._errstate.__exit__(*exc_info)


def is_quiet() -> bool:
    """Whether an enclosing ``quiet()`` block has NumPy's errors ignored."""
    return _quiet.get()


QUIET = "quiet"


class _ErrorState:
    """``quiet()`` behind ``get`` / ``set`` / ``reset``, like a context variable."""

    __slots__ = ()

    def get(self):
        return QUIET if _quiet.get() else None

    def set(self, state):
        if state is not QUIET:
            raise ValueError("only QUIET can be set")
        block = quiet()
        block.__enter__()
        return block

    def reset(self, token) -> None:
        token.__exit__(None, None, None)


ERROR_STATE = _ErrorState()
