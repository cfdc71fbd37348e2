"""refgrad's tensor formatting against PyTorch's own ``repr`` of the same tensor."""

from __future__ import annotations

import contextlib

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from refgrad import _printing
from refgrad._printing import format_tensor, get_printoptions, set_printoptions

HYPOTHESIS_SETTINGS = settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture(autouse=True)
def default_printing_state():
    """Every test starts and ends with default options and float32 default, on both sides."""
    torch.set_printoptions(profile="default")
    set_printoptions(profile="default")
    torch.set_default_dtype(torch.float32)
    yield
    torch.set_printoptions(profile="default")
    set_printoptions(profile="default")
    torch.set_default_dtype(torch.float32)


@contextlib.contextmanager
def both_printoptions(**options):
    """Apply the same set_printoptions call to torch and refgrad, restoring defaults after."""
    torch.set_printoptions(**options)
    set_printoptions(**options)
    try:
        yield
    finally:
        torch.set_printoptions(profile="default")
        set_printoptions(profile="default")


def dtype_name_of(tensor: torch.Tensor) -> str:
    return str(tensor.dtype).removeprefix("torch.")


def refgrad_repr(tensor: torch.Tensor) -> str:
    """format_tensor() of the values, dtype and autograd flags of a torch tensor."""
    grad_fn_name = None if tensor.grad_fn is None else type(tensor.grad_fn).__name__
    return format_tensor(
        tensor.detach().numpy(),
        dtype_name=dtype_name_of(tensor),
        requires_grad=tensor.requires_grad,
        grad_fn_name=grad_fn_name,
        default_dtype_name=dtype_name_of(torch.tensor(0.0)),
    )


def torch_repr(tensor: torch.Tensor) -> str:
    text = repr(tensor)
    # Parameters print a header line before the tensor; format_tensor covers the tensor.
    return text.removeprefix("Parameter containing:\n")


def assert_same_repr(tensor: torch.Tensor) -> None:
    expected = torch_repr(tensor)
    actual = refgrad_repr(tensor)
    assert actual == expected, f"\nrefgrad:\n{actual}\ntorch:\n{expected}"


# --- Every example of the reference document's section 8 -----------------------------------

SCALAR_EXAMPLES = [
    "torch.tensor(1.)", "torch.tensor(0.)", "torch.tensor(-0.)", "torch.tensor(3.14159265)",
    "torch.tensor(2.5)", "torch.tensor(0.1)", "torch.tensor(1/3)", "torch.tensor(-1/3)",
    "torch.tensor(0.12345)", "torch.tensor(0.00012345)", "torch.tensor(0.0001)",
    "torch.tensor(0.00010001)", "torch.tensor(1e-5)", "torch.tensor(12345.678)",
    "torch.tensor(99999.5)", "torch.tensor(1e8)", "torch.tensor(123456789.)",
    "torch.tensor(1e9)", "torch.tensor(1.5e8)", "torch.tensor(float('nan'))",
    "torch.tensor(float('inf'))", "torch.tensor(-float('inf'))", "torch.tensor(5)",
    "torch.tensor(-7)", "torch.tensor(True)", "torch.tensor(2., dtype=torch.float64)",
    "torch.tensor(2/3, dtype=torch.float64)", "torch.tensor(5, dtype=torch.int32)",
    "torch.tensor(0.5, requires_grad=True)", "torch.tensor(0.5, requires_grad=True) * 2",
    "torch.tensor([0.25, 0.5], requires_grad=True).sum()",
    "torch.tensor(1e-5, requires_grad=True).exp()",
]

VECTOR_EXAMPLES = [
    "torch.tensor([1., 2., 3.])", "torch.tensor([1.5, 2., 3.])", "torch.tensor([0.1, 0.2])",
    "torch.tensor([-1., 2.])", "torch.tensor([-1.5, 2.25, 10.])", "torch.tensor([1., -0.])",
    "torch.tensor([0., 0.])", "torch.tensor([-0., 0.])", "torch.tensor([100., 2.])",
    "torch.tensor([1000., 1.])", "torch.tensor([1001., 1.])", "torch.tensor([1000.5, 1.])",
    "torch.tensor([1000., 1.5])", "torch.tensor([1., 0.001])", "torch.tensor([1., 0.000999])",
    "torch.tensor([0.0001, 0.5])", "torch.tensor([0.00011, 0.05])", "torch.tensor([1e-5, 1.])",
    "torch.tensor([1e-5, 0.])", "torch.tensor([1e8, 1e8])", "torch.tensor([1e8, 2e8])",
    "torch.tensor([123456789., 1.])", "torch.tensor([1e10, 1.])",
    "torch.tensor([12345.6789, 1.5])", "torch.tensor([99999.99999, 1.])",
    "torch.tensor([0.12345, 0.00015])", "torch.tensor([float('nan'), 1.])",
    "torch.tensor([float('nan'), 1.5])",
    "torch.tensor([float('inf'), -float('inf'), float('nan')])",
    "torch.tensor([float('inf'), 1.5, -2.25])", "torch.tensor([float('nan'), 0.])",
    "torch.tensor([-float('inf'), 100.])", "torch.tensor([1e-5, float('nan')])",
    "torch.tensor([0.5, 0.25, 0.125])", "torch.tensor([2.5e-5, 1e3])",
    "torch.tensor([-1e-5, 1.])", "torch.tensor([1.00005, 2.])", "torch.tensor([0.99999, 2.])",
]

DTYPE_EXAMPLES = [
    "torch.tensor([1, 2, 3])", "torch.tensor([-1, 10, 100])",
    "torch.tensor([1, 2], dtype=torch.int32)", "torch.tensor([1, 2], dtype=torch.int16)",
    "torch.tensor([1, 2], dtype=torch.uint8)", "torch.tensor([True, False])",
    "torch.tensor([1., 2.], dtype=torch.float64)", "torch.tensor([0.1, 0.2], dtype=torch.float64)",
    "torch.tensor([1., 2.], dtype=torch.float16)",
    "torch.tensor([1., 2.], dtype=torch.float64, requires_grad=True)",
    "torch.tensor([1., 2.], dtype=torch.float64, requires_grad=True) * 2",
    "torch.tensor([1+2j, 3-1j])", "torch.tensor([1+2j], dtype=torch.complex128)",
    "torch.tensor([1.], requires_grad=True)", "torch.tensor([1.], requires_grad=True) + 0",
    "torch.tensor([1.], requires_grad=True).detach()",
    "torch.nn.Parameter(torch.tensor([1., 2.]))",
    "torch.nn.Parameter(torch.tensor([1., 2.])) * 1",
]

EMPTY_EXAMPLES = [
    "torch.tensor([])", "torch.empty(0)", "torch.empty(0, 3)", "torch.zeros(3, 0)",
    "torch.zeros(2, 0, 4)", "torch.tensor([], dtype=torch.int64)",
    "torch.zeros(0, dtype=torch.float64)", "torch.zeros(0, 3, dtype=torch.int64)",
    "torch.tensor([], requires_grad=True)", "torch.zeros(0, 3, requires_grad=True)",
    "torch.zeros(0, 3, requires_grad=True) * 2", "torch.tensor([], dtype=torch.bool)",
    "torch.ones(2, 3)[:, 3:]",
]

LAYOUT_EXAMPLES = [
    "torch.tensor([[1., 2.], [3., 4.]])", "torch.tensor([[1., -2.], [30., 4.5]])",
    "torch.tensor([[1, -2], [300, 4]])", "torch.arange(24.).reshape(2, 3, 4)",
    "torch.arange(8).reshape(2, 2, 2)", "torch.arange(16.).reshape(2, 2, 2, 2)",
    "torch.tensor([[1e-5, 1.], [2., 3.]])",
    "torch.tensor([[float('nan'), 1.], [2., float('inf')]])",
    "torch.zeros(2, 3, dtype=torch.float64)", "torch.ones(1, 1)", "torch.ones(3, 1)",
]

WRAPPING_EXAMPLES = [
    "torch.arange(30.)", "torch.arange(30)", "torch.arange(30.) / 7",
    "torch.arange(20.).requires_grad_()", "torch.arange(12.).requires_grad_()",
    "torch.arange(13.).requires_grad_()",
    "torch.arange(11.) * torch.tensor(1., requires_grad=True)",
    "torch.arange(12.) * torch.tensor(1., requires_grad=True)",
    "torch.tensor([0.5] * 11, requires_grad=True) * 2", "torch.tensor([1e-5] * 9)",
    "torch.arange(25.).reshape(1, 25) / 3",
]

SUMMARY_EXAMPLES = [
    "torch.arange(1000.)[-12:]", "torch.arange(1000.)", "torch.arange(1001.)",
    "torch.arange(1001)", "torch.arange(1001.).requires_grad_()",
    "torch.arange(2000.).reshape(40, 50)", "torch.arange(1001.).reshape(1, 1001)",
    "torch.arange(1001.).reshape(1001, 1)", "torch.arange(2048.).reshape(2, 32, 32)",
    "torch.full((1001,), 0.5).index_fill(0, torch.tensor([500]), 1e-6)",
    "torch.tensor([0.1, 0.2, 0.7], requires_grad=True).sum() / 3",
]


# --- Edge cases beyond the document ---------------------------------------------------------

# Values on the scientific-notation thresholds (1e-4 and 1e8 are exact in float64 only),
# extreme ratios that overflow float64, and float16's largest finite value.
BOUNDARY_EXAMPLES = [
    "torch.tensor(1e-4, dtype=torch.float64)",
    "torch.tensor([1e-4, 0.05], dtype=torch.float64)",
    "torch.tensor([1e-4, 0.1], dtype=torch.float64)",
    "torch.tensor(1e8, dtype=torch.float64)",
    "torch.tensor([1e8, 1e5], dtype=torch.float64)",
    "torch.tensor([1e8, 1e5 - 1])",
    "torch.tensor([0.5, 500.], dtype=torch.float64)",
    "torch.tensor([1e-300, 1e300], dtype=torch.float64)",
    "torch.tensor([5e-324, 1.], dtype=torch.float64)",
    "torch.tensor([65504., 1.], dtype=torch.float16)",
]

COMPLEX_EXAMPLES = [
    "torch.tensor(1.5-2j)", "torch.tensor([1e-5+1j, 3-0j, complex(0, -0.0)])",
    "torch.tensor([complex(float('nan'), 1), complex(1, float('inf'))])",
    "torch.tensor([[1+2j, 3.25-1j], [100j, -5]], dtype=torch.complex128)",
    "torch.arange(1500.).reshape(30, 50) * (1 - 0.5j)",
    "torch.tensor([0.5j] * 20)",
]


@pytest.mark.parametrize(
    "expression",
    SCALAR_EXAMPLES + VECTOR_EXAMPLES + DTYPE_EXAMPLES + EMPTY_EXAMPLES + LAYOUT_EXAMPLES
    + WRAPPING_EXAMPLES + SUMMARY_EXAMPLES,
)
def test_documented_example_matches_torch(expression):
    assert_same_repr(eval(expression))


@pytest.mark.parametrize("expression", COMPLEX_EXAMPLES + BOUNDARY_EXAMPLES)
def test_edge_case_matches_torch(expression):
    assert_same_repr(eval(expression))


def test_random_layout_examples_match_torch():
    torch.manual_seed(0)
    weights = torch.randn(3, 3, requires_grad=True)
    for tensor in [torch.randn(2, 3), weights, weights * 2, weights.sum(0)]:
        assert_same_repr(tensor)


# Exact outputs recorded from torch 2.13, so the rules are pinned even if torch changes.
GOLDEN = [
    ("torch.tensor(0.0001)", "tensor(1.0000e-04)"),
    ("torch.tensor(12345.678)", "tensor(12345.6777)"),
    ("torch.tensor(1e8)", "tensor(100000000.)"),
    ("torch.tensor([1., -0.])", "tensor([1., -0.])"),
    ("torch.tensor([1000., 1.])", "tensor([1000.,    1.])"),
    ("torch.tensor([1001., 1.])", "tensor([1.0010e+03, 1.0000e+00])"),
    ("torch.tensor([1., 0.001])", "tensor([1.0000, 0.0010])"),
    ("torch.tensor([float('nan'), 1.5])", "tensor([   nan, 1.5000])"),
    ("torch.tensor([-float('inf'), 100.])", "tensor([-inf, 100.])"),
    ("torch.tensor([1e-5, 0.])", "tensor([1.0000e-05, 0.0000e+00])"),
    ("torch.tensor([True, False])", "tensor([ True, False])"),
    ("torch.zeros(0, 3, dtype=torch.int64)", "tensor([], size=(0, 3), dtype=torch.int64)"),
    ("torch.arange(12.).requires_grad_()",
     "tensor([ 0.,  1.,  2.,  3.,  4.,  5.,  6.,  7.,  8.,  9., 10., 11.],\n"
     "       requires_grad=True)"),
    ("torch.tensor([0.5] * 11, requires_grad=True) * 2",
     "tensor([1., 1., 1., 1., 1., 1., 1., 1., 1., 1., 1.], grad_fn=<MulBackward0>)"),
    ("torch.arange(1001)", "tensor([   0,    1,    2,  ...,  998,  999, 1000])"),
    ("torch.arange(8).reshape(2, 2, 2)",
     "tensor([[[0, 1],\n         [2, 3]],\n\n        [[4, 5],\n         [6, 7]]])"),
]


@pytest.mark.parametrize(("expression", "expected"), GOLDEN)
def test_golden_output(expression, expected):
    assert refgrad_repr(eval(expression)) == expected


# --- set_printoptions ---------------------------------------------------------------------

OPTION_EXAMPLES = [
    ({"precision": 2}, "torch.tensor([1.12345, 2.5])"),
    ({"sci_mode": False}, "torch.tensor([1e-5, 1.])"),
    ({"sci_mode": False}, "torch.tensor(1e10)"),
    ({"sci_mode": True}, "torch.tensor([1.5, 2.])"),
    ({"sci_mode": True}, "torch.tensor([0., float('nan')])"),
    ({"sci_mode": True}, "torch.tensor([3, 4])"),
    ({"threshold": 5}, "torch.arange(10)"),
    ({"threshold": 5, "edgeitems": 1}, "torch.arange(24.).reshape(2, 3, 4)"),
    ({"threshold": 5, "edgeitems": 0}, "torch.arange(24.).reshape(2, 3, 4)"),
    ({"threshold": 5, "edgeitems": 0}, "torch.arange(10.) / 3"),
    ({"edgeitems": 0}, "torch.arange(4.)"),
    ({"linewidth": 40}, "torch.arange(30.) / 7"),
    ({"linewidth": 5}, "torch.arange(5.).requires_grad_()"),
    ({"profile": "short"}, "torch.randn(100, 100, generator=torch.Generator().manual_seed(1))"),
    ({"profile": "full"}, "torch.arange(1500)"),
    ({"profile": "full", "precision": 6}, "torch.tensor([1/3, 2/3])"),
    ({"precision": 0}, "torch.tensor([1e-5, 1.5])"),
]


@pytest.mark.parametrize(("options", "expression"), OPTION_EXAMPLES)
def test_printoptions_match_torch(options, expression):
    with both_printoptions(**options):
        assert get_printoptions() == torch._tensor_str.get_printoptions()
        assert_same_repr(eval(expression))


@pytest.mark.parametrize("linewidth", range(28, 62))
def test_running_line_length_after_a_wrapped_suffix(linewidth):
    # edgeitems=0 adds size=(3,), so three suffixes wrap one after another.
    with both_printoptions(linewidth=linewidth, edgeitems=0):
        assert_same_repr(torch.arange(3.0, dtype=torch.float64).requires_grad_())


def test_get_printoptions_defaults_and_sci_mode_reset():
    assert get_printoptions() == {
        "precision": 4, "threshold": 1000, "edgeitems": 3, "linewidth": 80, "sci_mode": None,
    }
    set_printoptions(sci_mode=True)
    assert get_printoptions()["sci_mode"] is True
    set_printoptions(precision=3)  # any call without sci_mode resets it, as in torch
    assert get_printoptions()["sci_mode"] is None
    assert get_printoptions()["precision"] == 3
    set_printoptions(profile="default")
    assert get_printoptions() == torch._tensor_str.get_printoptions()


def test_options_are_process_global():
    set_printoptions(precision=2)
    assert _printing.PRINT_OPTS.precision == 2
    assert format_tensor(np.array([1 / 3], dtype=np.float32), dtype_name="float32") == (
        "tensor([0.33])"
    )


def test_unknown_profile_is_rejected():
    with pytest.raises(ValueError, match="unknown profile 'verbose'"):
        set_printoptions(profile="verbose")
    assert get_printoptions()["precision"] == 4


# --- default dtype float64 ----------------------------------------------------------------

DEFAULT_FLOAT64_EXAMPLES = [
    "torch.tensor([1.5, 2.])", "torch.tensor([1.5, 2.], dtype=torch.float32)",
    "torch.tensor(0.1)", "torch.tensor([1, 2])", "torch.tensor([])",
    "torch.tensor([], dtype=torch.float32)", "torch.tensor([1+2j])",
    "torch.tensor([1+2j], dtype=torch.complex64)", "torch.tensor([0.1], requires_grad=True) * 3",
]


@pytest.mark.parametrize("expression", DEFAULT_FLOAT64_EXAMPLES)
def test_default_dtype_float64_matches_torch(expression):
    torch.set_default_dtype(torch.float64)
    assert_same_repr(eval(expression))


# --- bad input ----------------------------------------------------------------------------

def test_unknown_dtype_name_is_rejected():
    with pytest.raises(ValueError, match="unsupported dtype_name 'float8'"):
        format_tensor(np.zeros(2), dtype_name="float8")


def test_non_floating_default_dtype_is_rejected():
    with pytest.raises(TypeError, match="default_dtype_name must be a floating dtype"):
        format_tensor(np.zeros(2), dtype_name="float32", default_dtype_name="int64")


def test_object_data_is_rejected():
    with pytest.raises(TypeError, match="numeric NumPy array"):
        format_tensor(np.array([object()]), dtype_name="float32")


def test_data_is_shown_in_the_named_dtype():
    # float64 input printed as float32 shows float32 rounding, like torch.tensor(12345.678).
    assert format_tensor(np.array(12345.678), dtype_name="float32") == "tensor(12345.6777)"


# --- generated tensors --------------------------------------------------------------------

SPECIAL_VALUES = np.array([np.nan, np.inf, -np.inf, 0.0, -0.0])


def random_shape(rng: np.random.Generator, ndim: int, max_elements: int) -> tuple[int, ...]:
    """Up to 40 elements along a 1-D tensor (to wrap lines), up to 6 per dim otherwise;
    about one tensor in ten has an empty dim."""
    if ndim == 1:
        shape = (int(rng.integers(1, 41)),)
    else:
        shape = tuple(int(n) for n in rng.integers(1, 7, size=ndim))
    if ndim and rng.random() < 0.1:
        empty_dim = int(rng.integers(ndim))
        shape = shape[:empty_dim] + (0,) + shape[empty_dim + 1:]
    return shape if np.prod(shape, dtype=np.int64) <= max_elements else shape[:1]


def random_values(rng: np.random.Generator, shape, dtype_name: str) -> np.ndarray:
    """Values spanning magnitudes 1e-6..1e10 in one of several printing regimes:
    integral (int mode), few decimals (rounding at the printed precision), or
    log-uniform magnitudes in a window that may or may not trigger scientific notation;
    nan, inf and signed zeros are sprinkled into a third of the float tensors."""
    low_exponent = int(rng.integers(-6, 11))
    exponent_span = int(rng.integers(0, 5))
    if dtype_name == "bool":
        return rng.random(shape) < 0.5
    if dtype_name in ("int32", "int64"):
        magnitude = 10 ** int(rng.integers(0, 10))
        return rng.integers(-magnitude, magnitude, size=shape, endpoint=True).astype(dtype_name)
    regime = rng.choice(["integral", "decimal", "magnitudes"], p=[0.25, 0.25, 0.5])
    if regime == "integral":
        values = rng.integers(-10 ** exponent_span, 10 ** exponent_span, size=shape)
        values = values.astype(np.float64)
    elif regime == "decimal":
        values = np.round(rng.normal(0, 10 ** exponent_span, size=shape), rng.integers(1, 6))
    else:
        exponents = rng.uniform(low_exponent, low_exponent + exponent_span, size=shape)
        signs = rng.choice([-1.0, 1.0], size=shape)
        values = signs * 10.0 ** exponents
    if rng.random() < 1 / 3:
        mask = rng.random(shape) < rng.choice([0.1, 0.4])
        values = np.where(mask, rng.choice(SPECIAL_VALUES, size=shape), values)
    with np.errstate(over="ignore"):
        return np.asarray(values).astype(dtype_name)


@st.composite
def generated_tensors(draw, max_elements=400):
    dtype_name = draw(st.sampled_from(
        ["float32", "float64", "float16", "int64", "int32", "bool"]))
    rng = np.random.default_rng(draw(st.integers(0, 2 ** 32 - 1)))
    ndim = int(rng.choice([0, 1, 1, 2, 2, 3]))
    values = random_values(rng, random_shape(rng, ndim, max_elements), dtype_name)
    tensor = torch.from_numpy(np.array(values))
    if tensor.is_floating_point():
        autograd = draw(st.sampled_from(["none", "leaf", "clone", "mul"]))
        if autograd != "none":
            tensor = tensor.clone().requires_grad_()
        if autograd == "clone":
            tensor = tensor.clone()
        elif autograd == "mul":
            tensor = tensor * 1  # exact: keeps nan, inf and -0.
    return tensor


@HYPOTHESIS_SETTINGS
@given(tensor=generated_tensors())
def test_generated_tensor_matches_torch(tensor):
    assert_same_repr(tensor)


@HYPOTHESIS_SETTINGS
@given(
    tensor=generated_tensors(max_elements=120),
    precision=st.integers(0, 8),
    threshold=st.sampled_from([1, 5, 20, 1000]),
    edgeitems=st.integers(0, 4),
    linewidth=st.integers(10, 120),
    sci_mode=st.sampled_from([None, None, True, False]),
)
def test_generated_tensor_with_printoptions_matches_torch(
        tensor, precision, threshold, edgeitems, linewidth, sci_mode):
    with both_printoptions(precision=precision, threshold=threshold, edgeitems=edgeitems,
                           linewidth=linewidth, sci_mode=sci_mode):
        assert_same_repr(tensor)


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    shape=st.sampled_from([(1001,), (5000,), (40, 30), (1, 2000), (2000, 1), (11, 12, 13),
                           (2, 3, 4, 50)]),
    dtype_name=st.sampled_from(["float32", "float64", "int64", "bool"]),
    seed=st.integers(0, 2 ** 32 - 1),
)
def test_summarised_tensor_matches_torch(shape, dtype_name, seed):
    rng = np.random.default_rng(seed)
    assert_same_repr(torch.from_numpy(random_values(rng, shape, dtype_name)))
