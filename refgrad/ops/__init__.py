"""The derivative table: one row per backward node PyTorch records, by family.

Each row (``refgrad.ops._row.Row``) names the node (``MulBackward0``), its forward inputs, the
NumPy forward, one VJP per input (``(uses, fn)``; ``s.<name>`` reads a saved value inside
``fn(grad, s)``), one JVP per input (``jvps``: the tangent of the result for a tangent of
that input, ``fn(tangent, s)``, used by forward mode), the dtype promotion policy and the op's
call variants. A node saves exactly the tensors that the VJPs of its
grad-requiring inputs use - that is what makes a second ``backward()`` raise or not.

What every op shares (summing a gradient back over broadcast dimensions, casting it to the
input's dtype, freeing, version checks, accumulation) lives in ``refgrad.autograd``, never
here; the backward formulas rows share live in ``_backward.py``. Every op runs through
``refgrad._dispatch``; ``refgrad._variants`` binds the rows' variants onto ``Tensor``.

Families: ``elementwise`` (arithmetic, unary functions, clamp, where), ``reductions`` (sum,
mean, max/min, softmax), ``views`` (shapes, views, indexing, copies, cat/stack), ``linalg``
(mm, mv, dot, bmm, matmul), ``layers`` (addmm, softplus: nn.Linear and nn.Softplus),
``losses``, ``statistics`` (vector norms, var, std).

``ROWS`` maps each node name to its :class:`Row`.
"""
from ._backward import (INDEX_PUT, MUL_SCALAR, SELECT_BACKWARD, SIGMOID_BACKWARD,
                        SLICE_BACKWARD, TANH_BACKWARD, THRESHOLD_BACKWARD)
from ._row import INT_TO_FLOAT, PROMOTE, ROWS, VARIANTS, Row, row, uses, variants
from .elementwise import (ABS, ADD, CLAMP, CLAMP_MAX, CLAMP_MIN, COS, DIV, EXP, EXPM1, FLOOR,
                          LOG, LOG1P, LOG_SIGMOID, MAXIMUM, MINIMUM, MUL, NEG, POW_BASE,
                          POW_SCALAR, POW_TENSOR, RECIPROCAL, RELU, ROUND, RSUB, RSUB_TENSOR,
                          SGN, SIGMOID, SIGN, SIN, SQRT, SUB, TANH, WHERE)
from .layers import ADDMM, SOFTPLUS
from .linalg import BMM, DOT, MM, MV
from .losses import BCE, BCE_WITH_LOGITS, MSE, NLL
from .reductions import (AMAX, AMIN, LOG_SOFTMAX, MAX_ALL, MAX_DIM, MEAN, MEAN_DIM, MIN_ALL,
                         MIN_DIM, SOFTMAX, SUM, SUM_DIM)
from .statistics import STD, VAR, VECTOR_NORM
from .views import (ALIAS, CAT, CLONE, COPY, COPY_SLICES, EXPAND, IDENTITY, INDEX, PERMUTE,
                    RESHAPE_ALIAS, SELECT, SLICE, SQUEEZE, SQUEEZE_DIM, SQUEEZE_DIMS,
                    SQUEEZE_INPLACE, STACK, TO_COPY, TRANSPOSE, UNSAFE_VIEW, UNSQUEEZE, VIEW, T)

__all__ = [
    "Row", "ROWS", "VARIANTS", "row", "uses", "variants", "PROMOTE", "INT_TO_FLOAT",
    "INDEX_PUT", "MUL_SCALAR", "SELECT_BACKWARD", "SIGMOID_BACKWARD", "SLICE_BACKWARD",
    "TANH_BACKWARD", "THRESHOLD_BACKWARD", "ABS", "ADD", "CLAMP", "CLAMP_MAX", "CLAMP_MIN",
    "COS", "DIV", "EXP", "EXPM1", "FLOOR", "LOG", "LOG1P", "LOG_SIGMOID", "MAXIMUM", "MINIMUM",
    "MUL", "NEG", "POW_BASE", "POW_SCALAR", "POW_TENSOR", "RECIPROCAL", "RELU", "ROUND", "RSUB",
    "RSUB_TENSOR", "SGN", "SIGMOID", "SIGN", "SIN", "SQRT", "SUB", "TANH", "WHERE", "BMM", "DOT",
    "MM", "MV", "BCE", "BCE_WITH_LOGITS", "MSE", "NLL", "AMAX", "AMIN", "LOG_SOFTMAX", "MAX_ALL",
    "MAX_DIM", "MEAN", "MEAN_DIM", "MIN_ALL", "MIN_DIM", "SOFTMAX", "SUM", "SUM_DIM", "ALIAS",
    "CAT", "CLONE", "COPY", "COPY_SLICES", "EXPAND", "IDENTITY", "INDEX", "PERMUTE",
    "RESHAPE_ALIAS", "SELECT", "SLICE", "SQUEEZE", "SQUEEZE_DIM", "SQUEEZE_DIMS",
    "SQUEEZE_INPLACE", "STACK",
    "TO_COPY", "TRANSPOSE", "UNSAFE_VIEW", "UNSQUEEZE", "VIEW", "T", "STD", "VAR", "VECTOR_NORM",
]
