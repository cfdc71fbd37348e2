"""refgrad: a small, readable reference autograd on NumPy that behaves like PyTorch's.

``import refgrad as torch`` runs tutorial-level autograd code and prints what PyTorch prints.
This module only re-exports.

PYTEST_DONT_REWRITE: refgrad ships in the distribution whose ``pytest11`` entry point is the
harness; pytest need not rewrite it, and must not warn when a target imported it first.
"""
from . import (accelerator, autograd, cuda, dtypes, func, linalg, nn, ops, optim,
               serialization)
from ._devices import get_default_device, set_default_device
from ._legacy import (BFloat16Tensor, BoolTensor, DoubleTensor, FloatTensor, HalfTensor,
                      IntTensor, LongTensor, Variable)
from .autograd.anomaly_mode import (is_anomaly_check_nan_enabled, is_anomaly_enabled,
                                   set_anomaly_enabled)
from .autograd.grad_mode import (enable_grad, inference_mode, is_grad_enabled,
                                 is_inference_mode_enabled, no_grad, set_grad_enabled)
from .dtypes import bool_ as bool
from .dtypes import (bfloat16, dtype, float16, float32, float64, get_default_dtype, int32,
                     int64)
from .dtypes import promote_types, set_default_dtype
from .func import vmap
from .factories import (Generator, arange, as_tensor, asarray, default_generator, empty,
                        empty_like, eye, from_numpy, full, full_like, initial_seed, is_tensor,
                        linspace, manual_seed, ones, ones_like, rand, rand_like, randint, randn,
                        randn_like, seed, tensor, zeros, zeros_like)
from ._variants import FUNCTIONS as _FUNCTIONS
from .serialization import load, save
from .tensor import Size, Tensor, device

# torch.add, torch.exp, torch.cat ...: every op's function variant (refgrad._variants)
globals().update(_FUNCTIONS)

autograd.Variable = Variable     # PyTorch's legacy spelling: it makes a plain Tensor
del Variable

float = float32
double = float64
half = float16
long = int64
int = int32

__version__ = "0.1.0"  # the one version source (pyproject reads it)
# The torch release whose behaviour refgrad follows (names, messages, printing): a conformance
# run against another torch says so, since a difference may then be torch's own change.
__torch_version__ = "2.13"


def set_printoptions(*args, **kwargs):
    from ._printing import set_printoptions as _set
    return _set(*args, **kwargs)


def get_printoptions():
    from ._printing import get_printoptions as _get
    return _get()


def is_floating_point(input) -> "bool":
    return input.is_floating_point()
