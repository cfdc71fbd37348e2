"""Planted bug in refgrad's anomaly mode: a node that returns NaN gradients passes unchecked
(a failing node still warns with its forward traceback)."""
from tests.planted.targets import _refgrad_copy

_copy = _refgrad_copy.load_copy(__name__ + "_copy")
_engine = _refgrad_copy.submodule(_copy, "autograd.engine")
_anomaly = _refgrad_copy.submodule(_copy, "autograd.anomaly_mode")


def _run_unchecked(run_node, node, grad, retain_graph):
    try:
        return run_node(node, grad, retain_graph)       # the bug: no NaN check
    except Exception:
        _anomaly.warnings.warn(_anomaly._error_detected(node), UserWarning, stacklevel=2)
        raise


_refgrad_copy.replace(_engine, "run_checked", _run_unchecked)


def __getattr__(name):
    return getattr(_copy, name)
