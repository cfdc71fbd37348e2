"""Tensor repr/str text: 0-d values, int mode, fixed and scientific notation and their switch
points, nan/inf/-0., widths, integer/bool/float64 dtype suffixes, 2-D/3-D layout, empty
tensors, line wrapping, summarization past 1000 elements, requires_grad/grad_fn suffixes and
their wrapping, and the other text conversions (item, tolist, f-strings, format specs).
"""
import numpy as np

from conformance import inputs, observe
from conformance.case import parametrize
from conformance.cases._common import leaf, tensor

NAN, INF = float("nan"), float("inf")


def f32(values):
    return np.array(values, dtype="float32")


# Each value's name says what it exercises; all are float32 unless the name says otherwise.
VALUES = {
    "0d-one": f32(1.0),
    "0d-zero": f32(0.0),
    "0d-negative-zero": f32(-0.0),
    "0d-pi": f32(3.14159265),
    "0d-third": f32(1 / 3),
    "0d-negative-third": f32(-1 / 3),
    "0d-0.00012345": f32(0.00012345),
    "0d-0.0001-below-threshold": f32(0.0001),
    "0d-1e-5": f32(1e-5),
    "0d-float32-rounding": f32(12345.678),
    "0d-1e8": f32(1e8),
    "0d-123456789": f32(123456789.0),
    "0d-nan": f32(NAN),
    "0d-inf": f32(INF),
    "0d-negative-inf": f32(-INF),
    "0d-int64": np.array(5, dtype="int64"),
    "0d-bool": np.array(True),
    "0d-float64": np.array(2 / 3, dtype="float64"),
    "int-mode": f32([1.0, 2.0, 3.0]),
    "fixed": f32([1.5, 2.0, 3.0]),
    "negative-int-mode": f32([-1.0, 2.0]),
    "negative-fixed": f32([-1.5, 2.25, 10.0]),
    "negative-zero": f32([1.0, -0.0]),
    "all-zero": f32([0.0, 0.0]),
    "width-100": f32([100.0, 2.0]),
    "ratio-1000-fixed": f32([1000.0, 1.0]),
    "ratio-1001-sci": f32([1001.0, 1.0]),
    "ratio-1000-fractional": f32([1000.0, 1.5]),
    "0.001-fixed": f32([1.0, 0.001]),
    "0.000999-sci": f32([1.0, 0.000999]),
    "1e-5-and-zero": f32([1e-5, 0.0]),
    "1e8-int-mode": f32([1e8, 1e8]),
    "above-1e8-sci": f32([1e8, 2e8]),
    "nan-int-mode": f32([NAN, 1.0]),
    "nan-fixed": f32([NAN, 1.5]),
    "inf-nan": f32([INF, -INF, NAN]),
    "inf-fixed": f32([INF, 1.5, -2.25]),
    "negative-inf-int": f32([-INF, 100.0]),
    "sci-with-nan": f32([1e-5, NAN]),
    "rounding-to-4-places": f32([1.00005, 2.0]),
    "int64": np.array([-1, 10, 100], dtype="int64"),
    "int32": np.array([1, 2], dtype="int32"),
    "bool": np.array([True, False]),
    "float64": np.array([0.1, 0.2], dtype="float64"),
    "float64-int-mode": np.array([1.0, 2.0], dtype="float64"),
    "2d": f32([[1.0, -2.0], [30.0, 4.5]]),
    "2d-int-mode": f32([[1.0, 2.0], [3.0, 4.0]]),
    "2d-int64": np.array([[1, -2], [300, 4]], dtype="int64"),
    "2d-sci": f32([[1e-5, 1.0], [2.0, 3.0]]),
    "2d-nan-inf": f32([[NAN, 1.0], [2.0, INF]]),
    "2d-float64-zeros": np.zeros((2, 3), dtype="float64"),
    "column": f32([[1.0], [1.0], [1.0]]),
    "3d": np.arange(24, dtype="float32").reshape(2, 3, 4),
    "4d": np.arange(16, dtype="float32").reshape(2, 2, 2, 2),
    "empty": f32([]),
    "empty-0x3": np.zeros((0, 3), dtype="float32"),
    "empty-int64": np.array([], dtype="int64"),
    "empty-float64": np.zeros(0, dtype="float64"),
    "wrap-int-mode-30": np.arange(30, dtype="float32"),
    "wrap-int64-30": np.arange(30, dtype="int64"),
    "wrap-fixed-30": np.arange(30, dtype="float32") / np.float32(7),
    "wrap-sci-9": f32([1e-5] * 9),
    "wrap-2d-row": (np.arange(25, dtype="float32") / np.float32(3)).reshape(1, 25),
    "exactly-1000": np.arange(1000, dtype="float32"),
    "summarized-1001": np.arange(1001, dtype="float32"),
    "summarized-int64": np.arange(1001, dtype="int64"),
    "summarized-2d": np.arange(2000, dtype="float32").reshape(40, 50),
    "summarized-column": np.arange(1001, dtype="float32").reshape(1001, 1),
    "summarized-3d": np.arange(2048, dtype="float32").reshape(2, 32, 32),
    "random-2x3": inputs.randn((2, 3), "printing/random-2x3"),
}


@parametrize("value", list(VALUES))
def case_repr(torch, device, value):
    t = tensor(torch, device, VALUES[value])
    return {"repr": repr(t), "str equals repr": str(t) == repr(t)}


def case_summarization_hides_a_tiny_value(torch, device):
    values = np.full((1001,), 0.5, dtype="float32")
    values[500] = 1e-6
    return {"repr": repr(tensor(torch, device, values))}


# Suffix text and its wrapping to a new line past 80 columns.
SUFFIXES = {
    "leaf-0d": lambda torch, d: leaf(torch, d, f32(0.5)),
    "leaf-1d": lambda torch, d: leaf(torch, d, f32([1.0])),
    "leaf-float64": lambda torch, d: leaf(torch, d, np.array([1.0, 2.0])),
    "grad_fn-0d": lambda torch, d: leaf(torch, d, f32(0.5)) * 2,
    "grad_fn-sum": lambda torch, d: leaf(torch, d, f32([0.25, 0.5])).sum(),
    "grad_fn-float64": lambda torch, d: leaf(torch, d, np.array([1.0, 2.0])) * 2,
    "grad_fn-add": lambda torch, d: leaf(torch, d, f32([1.0])) + 0,
    "detached": lambda torch, d: leaf(torch, d, f32([1.0])).detach(),
    "leaf-wraps-12": lambda torch, d: leaf(torch, d, np.arange(12, dtype="float32")),
    "leaf-13": lambda torch, d: leaf(torch, d, np.arange(13, dtype="float32")),
    "leaf-20-two-lines": lambda torch, d: leaf(torch, d, np.arange(20, dtype="float32")),
    "grad_fn-wraps-11": lambda torch, d: tensor(torch, d, np.arange(11, dtype="float32"))
    * leaf(torch, d, f32(1.0)),
    "grad_fn-fits-11-ones": lambda torch, d: leaf(torch, d, f32([0.5] * 11)) * 2,
    "grad_fn-2d": lambda torch, d: leaf(torch, d, f32([[0.4033, 0.838], [-0.7193, 0.1]])) * 2,
    "grad_fn-empty": lambda torch, d: leaf(torch, d, np.zeros((0, 3), dtype="float32")) * 2,
    "leaf-empty-0x3": lambda torch, d: leaf(torch, d, np.zeros((0, 3), dtype="float32")),
    "summarized-leaf": lambda torch, d: leaf(torch, d, np.arange(1001, dtype="float32")),
    "grad_fn-sci": lambda torch, d: leaf(torch, d, f32(1e-5)).exp() * leaf(torch, d, f32(1e-5)),
    "bce-none-wraps": lambda torch, d: torch.nn.functional.binary_cross_entropy_with_logits(
        leaf(torch, d, f32([[0.5, -1.0, 2.0], [1.5, 0.0, -0.5]])),
        tensor(torch, d, f32([[0.0, 1.0, 1.0], [1.0, 0.0, 0.0]])), reduction="none"),
}


@parametrize("tensor_kind", list(SUFFIXES))
def case_repr_suffix(torch, device, tensor_kind):
    return {"repr": repr(SUFFIXES[tensor_kind](torch, device))}


def case_item_and_tolist(torch, device):
    loss = leaf(torch, device, f32([0.1, 0.2, 0.7])).sum() / 3
    return {
        "loss.item()": loss.item(),
        "tensor(0.1).item()": tensor(torch, device, f32(0.1)).item(),
        "float64 0.1 item()": tensor(torch, device, np.array(0.1)).item(),
        "tolist float": tensor(torch, device, f32([0.1, 0.5])).tolist(),
        "tolist int": tensor(torch, device, np.array([1, 2])).tolist(),
        "tolist 0d int": tensor(torch, device, np.array(3)).tolist(),
        "tolist 2d": tensor(torch, device, f32([[1.0, 2.0], [3.0, 4.0]])).tolist(),
        "type of item()": type(loss.item()).__name__,
    }


def case_format(torch, device):
    loss = leaf(torch, device, f32([0.1, 0.2, 0.7])).sum() / 3
    vector = tensor(torch, device, f32([1.0, 2.0]))
    return {
        "f-string of 0-d": f"{loss}",
        "format spec on 0-d": f"{loss:.2f}",
        "str.format of 0-d": "{}".format(loss),
        "f-string of 1-d": f"{vector}",
        "repr of 0-d": repr(loss),
    }


def case_format_spec_on_vector_raises(torch, device):
    vector = tensor(torch, device, f32([1.0, 2.0]))
    return {"format(vector, '.2f')": observe.error(lambda: format(vector, ".2f"))}


def case_size_and_dtype_text(torch, device):
    t = tensor(torch, device, np.ones((2, 3), dtype="float32"))
    return {
        "str(shape)": str(t.shape),
        "repr(shape)": repr(t.shape),
        "str(size())": str(t.size()),
        "size(0)": t.size(0),
        "tuple(shape)": tuple(t.shape),
        "shape == (2, 3)": t.shape == (2, 3),
        "str(dtype)": str(t.dtype),
        "repr(dtype)": repr(t.dtype),
        "str(0-d shape)": str(tensor(torch, device, f32(1.0)).shape),
    }


def case_grad_repr(torch, device):
    w = leaf(torch, device, f32([[1.0, 2.0], [3.0, 4.0]]))
    (w * w).sum().backward()
    return {"repr(w.grad)": repr(w.grad)}


def case_set_printoptions(torch, device):
    results = {}
    try:
        torch.set_printoptions(precision=2)
        results["precision=2"] = repr(tensor(torch, device, f32([1.12345, 2.5])))
        torch.set_printoptions(sci_mode=False)
        results["sci_mode=False"] = repr(tensor(torch, device, f32([1e-5, 1.0])))
        torch.set_printoptions(sci_mode=True)
        results["sci_mode=True"] = repr(tensor(torch, device, f32([1.5, 2.0])))
    finally:
        torch.set_printoptions(profile="default")
    results["default again"] = repr(tensor(torch, device, f32([1e-5, 1.0])))
    return results
