"""``torch.autograd``: backward, grad, grad mode, and the graph's node types."""
from . import graph
from .engine import backward, grad
from .grad_mode import (enable_grad, inference_mode, is_grad_enabled,
                        is_inference_mode_enabled, no_grad, set_grad_enabled)
from .graph import Node

# gradcheck and functional are written against the public API above; a broken or missing
# one must not break importing the rest of the package.
try:
    from .gradcheck import gradcheck, gradgradcheck
except Exception:  # noqa: BLE001  # pragma: no cover
    pass

try:
    from . import functional
except Exception:  # noqa: BLE001  # pragma: no cover
    pass

__all__ = ["backward", "grad", "no_grad", "enable_grad", "set_grad_enabled",
           "inference_mode", "is_grad_enabled", "is_inference_mode_enabled", "graph", "Node"]
