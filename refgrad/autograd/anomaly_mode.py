"""Anomaly mode: ``detect_anomaly`` / ``set_detect_anomaly``, global like PyTorch's.

While it is on, every node recorded keeps the Python stack of the forward call that made it
(:func:`forward_stack`, refgrad's own frames left out). A backward that fails in a node then
warns "Error detected in <Node>. Traceback of forward call that caused the error:" with that
stack before the error goes on, and with ``check_nan`` a node that returns NaN in a gradient
raises "Function '<Node>' returned nan values in its <i>th output." (:func:`run_checked`).
When it is off, the cost is one flag test per recorded node and one per backward.
"""
from __future__ import annotations

import os
import sys
import traceback
import warnings

import numpy as np

_REFGRAD_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep

_ENABLED_WARNING = ("Anomaly Detection has been enabled. This mode will increase the runtime "
                    "and should only be enabled for debugging.")
_NO_FORWARD_INFO = ("No forward pass information available. Enable detect anomaly during "
                    "forward pass for more information.")


class _Anomaly:
    __slots__ = ("enabled", "check_nan", "running")

    def __init__(self) -> None:
        self.enabled = False
        self.check_nan = True
        self.running = None     # the node whose backward runs now (in anomaly mode)


ANOMALY = _Anomaly()     # one for the process: PyTorch's anomaly mode is not per thread


def is_anomaly_enabled() -> bool:
    return ANOMALY.enabled


def is_anomaly_check_nan_enabled() -> bool:
    return ANOMALY.check_nan


def set_anomaly_enabled(enabled: bool, check_nan: bool = True) -> None:
    ANOMALY.enabled = bool(enabled)
    ANOMALY.check_nan = bool(check_nan)


class detect_anomaly:
    """Context manager: anomaly mode on inside (PyTorch warns when it is made)."""

    def __init__(self, check_nan: bool = True) -> None:
        self.prev = ANOMALY.enabled
        self.check_nan = check_nan
        self.prev_check_nan = ANOMALY.check_nan
        warnings.warn(_ENABLED_WARNING, UserWarning, stacklevel=2)

    def __enter__(self) -> None:
        set_anomaly_enabled(True, self.check_nan)

    def __exit__(self, *exc) -> None:
        set_anomaly_enabled(self.prev, self.prev_check_nan)


class set_detect_anomaly:
    """``set_detect_anomaly(mode)`` takes effect at once; as a context it restores on exit."""

    def __init__(self, mode: bool, check_nan: bool = True) -> None:
        self.prev = ANOMALY.enabled
        self.prev_check_nan = ANOMALY.check_nan
        set_anomaly_enabled(mode, check_nan)

    def __enter__(self) -> None:
        pass

    def __exit__(self, *exc) -> None:
        set_anomaly_enabled(self.prev, self.prev_check_nan)


# ---------------------------------------------------------------------- recording, checking

def record_forward(node) -> None:
    """Keep on ``node`` the caller's stack as ``traceback.format_list`` lines, outermost first,
    without refgrad's own frames (PyTorch's ops add no Python frames either), and the node
    whose backward made it, if any (a graph made by ``create_graph``)."""
    frames = traceback.extract_stack(sys._getframe(1))
    node._forward_stack = traceback.format_list(
        [f for f in frames if not f.filename.startswith(_REFGRAD_DIR)])
    if ANOMALY.running is not None:
        node._anomaly_parent = ANOMALY.running


def _error_detected(node) -> str:
    name = type(node).__name__
    stack = node._forward_stack
    if stack is None:
        return f"Error detected in {name}. {_NO_FORWARD_INFO}"
    return (f"Error detected in {name}. Traceback of forward call that caused the error:\n"
            + "".join(stack))


def _induced_by(parent) -> str:
    return (f"\n\nPrevious calculation was induced by {type(parent).__name__}. Traceback of "
            "forward call that induced the previous calculation:\n"
            + "".join(parent._forward_stack or ()))


def run_checked(run_node, node, grad, retain_graph):
    """``run_node(node, grad, retain_graph)`` in anomaly mode: a failure warns with the node's
    forward stack first (then, for a node made by a backward, one warning per node whose
    backward made it); with ``check_nan`` a NaN in a returned gradient is a failure."""
    previous = ANOMALY.running
    ANOMALY.running = node
    try:
        grads = run_node(node, grad, retain_graph)
        if ANOMALY.check_nan:
            for i, g in enumerate(grads):
                if g is not None and np.isnan(g._data).any():
                    raise RuntimeError(f"Function '{type(node).__name__}' returned nan values "
                                       f"in its {i}th output.")
    except Exception:
        warnings.warn(_error_detected(node), UserWarning, stacklevel=2)
        parent = node._anomaly_parent
        while parent is not None:
            warnings.warn(_induced_by(parent), UserWarning, stacklevel=2)
            parent = parent._anomaly_parent
        raise
    finally:
        ANOMALY.running = previous
    return grads
