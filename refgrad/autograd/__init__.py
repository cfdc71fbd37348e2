"""``torch.autograd``: backward, grad, grad mode, anomaly mode, the graph's node types (and
saved-tensor hooks, in ``graph``), the finite-difference checks and the whole-function
derivatives (``functional``)."""
from . import anomaly_mode, forward_ad, function, functional, graph
from .anomaly_mode import detect_anomaly, set_detect_anomaly
from .engine import backward, grad
from .function import Function
from .grad_mode import (enable_grad, inference_mode, is_grad_enabled,
                        is_inference_mode_enabled, no_grad, set_grad_enabled)
from .gradcheck import gradcheck, gradgradcheck
from .graph import Node

__all__ = ["backward", "grad", "no_grad", "enable_grad", "set_grad_enabled",
           "inference_mode", "is_grad_enabled", "is_inference_mode_enabled", "graph", "Node",
           "gradcheck", "gradgradcheck", "functional", "Function", "function",
           "anomaly_mode", "detect_anomaly", "set_detect_anomaly", "forward_ad"]
