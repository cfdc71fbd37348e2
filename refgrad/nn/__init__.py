"""``torch.nn``: ``Module`` and ``Parameter``, the layers, the loss modules, ``init`` and
``functional``."""
from . import functional, init
from .layers import (DataParallel, Flatten, Identity, Linear, ReLU, Sequential, Sigmoid,
                     Softplus, Tanh)
from .loss import BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, MSELoss, NLLLoss
from .module import Module, Parameter

__all__ = ["functional", "init", "Module", "Parameter", "Linear", "Sequential", "Identity",
           "Flatten", "ReLU", "Tanh", "Sigmoid", "Softplus", "MSELoss", "BCELoss",
           "BCEWithLogitsLoss", "CrossEntropyLoss", "NLLLoss", "DataParallel"]
