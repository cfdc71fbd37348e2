"""The everyday tensor API against torch: norms/var/std (values, gradients, gradcheck),
keepdims= and out=, float16/bfloat16 (rounding, promotion, arithmetic bit for bit), legacy
constructors, Variable and .data."""
import itertools
import warnings

import numpy as np
import pytest
import torch

import refgrad

LIBS = (refgrad, torch)


def _values(t):
    return np.asarray(t.detach().double().numpy())


def _both(fn):
    """fn(lib) on refgrad and torch."""
    return [fn(lib) for lib in LIBS]


# -------------------------------------------------------------------- norms and moments

NORM_CALLS = [
    lambda lib, x: x.norm(),
    lambda lib, x: x.norm(p=1, dim=0),
    lambda lib, x: x.norm(p=float("inf"), dim=1, keepdim=True),
    lambda lib, x: x.norm(p=3),
    lambda lib, x: x.norm(p=0.7, dim=1),
    lambda lib, x: lib.linalg.vector_norm(x, ord=-2.5, dim=(0, 1)),
    lambda lib, x: x.var(), lambda lib, x: x.var(1, keepdim=True),
    lambda lib, x: x.std(0, unbiased=False), lambda lib, x: x.std(correction=2),
]


@pytest.mark.parametrize("call", range(len(NORM_CALLS)))
def test_norms_and_moments_match_torch(call):
    data = np.random.default_rng(call).standard_normal((3, 4))
    results = []
    for lib in LIBS:
        x = lib.tensor(data, requires_grad=True)
        out = NORM_CALLS[call](lib, x)
        out.sum().backward()
        results.append((out, x.grad, type(out.grad_fn).__name__))
    (out_r, grad_r, name_r), (out_t, grad_t, name_t) = results
    assert name_r == name_t
    np.testing.assert_allclose(_values(out_r), _values(out_t), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(_values(grad_r), _values(grad_t), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("call", range(len(NORM_CALLS)))
def test_norms_and_moments_pass_gradcheck(call):
    data = np.random.default_rng(10 + call).standard_normal((3, 4)) + 0.1
    x = refgrad.tensor(data, requires_grad=True)
    assert refgrad.autograd.gradcheck(lambda t: NORM_CALLS[call](refgrad, t), (x,))


def test_norm_and_var_errors_and_warning():
    for lib in LIBS:
        with pytest.raises(RuntimeError, match="Expected a floating point or complex tensor "
                                               "as input. Got Long"):
            lib.tensor([3, 4]).norm()
        with pytest.raises(RuntimeError, match="std and var only support floating point"):
            lib.tensor([1, 2]).std()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            assert np.isnan(lib.tensor([1.0]).var().item())
        assert "degrees of freedom is <= 0" in str(caught[0].message)


def test_predicates_and_movedim():
    data = [1.0, float("inf"), -float("inf"), float("nan")]
    for name in ("isinf", "isnan", "isfinite", "isposinf", "isneginf"):
        got, expected = _both(lambda lib: getattr(lib, name)(lib.tensor(data)).tolist())
        assert got == expected, name
    shapes = _both(lambda lib: tuple(lib.zeros(2, 3, 4, 5).movedim((0, -1), (-1, 1)).shape))
    assert shapes[0] == shapes[1]


# ---------------------------------------------------------------------------- keywords

@pytest.mark.parametrize("name", ["sum", "mean", "amax", "amin", "argmax", "var", "std",
                                  "any", "all", "max"])
def test_keepdims_is_keepdim(name):
    data = np.arange(6.0).reshape(2, 3)
    got, expected = _both(lambda lib: getattr(lib.tensor(data), name)(1, keepdims=True))
    if name == "max":
        got, expected = got.values, expected.values
    assert tuple(got.shape) == tuple(expected.shape) == (2, 1)
    assert got.tolist() == expected.tolist()


def test_out_matches_torch():
    def run(lib):
        a = lib.tensor([[1.0, 2.0], [3.0, 4.0]])
        out = lib.zeros(2, 2, dtype=lib.float64)
        returned = lib.mul(a, a, out=out)
        small = lib.zeros(1)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            lib.sqrt(a, out=small)
        return (returned is out, out.tolist(), str(out.dtype), small.tolist(),
                [str(w.message).split(" (Triggered")[0] for w in caught])
    got, expected = _both(run)
    assert got == expected


# ----------------------------------------------------------------- float16 and bfloat16

@pytest.mark.parametrize("dtype", ["float16", "bfloat16"])
def test_rounding_and_arithmetic_bit_for_bit(dtype):
    rng = np.random.default_rng(4)
    wide = rng.standard_normal(4000) * 10.0 ** rng.integers(-6, 5, 4000)
    rounded = _both(lambda lib: lib.tensor(wide.tolist(), dtype=getattr(lib, dtype)))
    assert np.array_equal(_values(rounded[0]), _values(rounded[1]))
    a = rng.standard_normal(3000).astype(np.float32)
    b = rng.standard_normal(3000).astype(np.float32)
    for op in (lambda x, y: x + y, lambda x, y: x * y, lambda x, y: x / y,
               lambda x, y: x.exp(), lambda x, y: x.sigmoid(), lambda x, y: x.tanh(),
               lambda x, y: x.sum(), lambda x, y: x[:64] @ y[:64], lambda x, y: x.softmax(0),
               lambda x, y: (x * 3 - y).abs().sqrt()):
        got, expected = _both(lambda lib: op(lib.tensor(a).to(getattr(lib, dtype)),
                                             lib.tensor(b).to(getattr(lib, dtype))))
        assert str(got.dtype) == str(expected.dtype)
        assert np.array_equal(_values(got), _values(expected), equal_nan=True)


def test_promotion_table():
    names = ["bool", "int32", "int64", "float16", "bfloat16", "float32", "float64"]
    for x, y in itertools.product(names, repeat=2):
        got, expected = _both(lambda lib: lib.promote_types(getattr(lib, x), getattr(lib, y)))
        assert str(got) == str(expected), (x, y)


def test_low_precision_printing():
    values = [0.1, 1 / 3, 1000.5, -2.0]
    for dtype in ("float16", "bfloat16"):
        got, expected = _both(lambda lib: repr(lib.tensor(values, dtype=getattr(lib, dtype))))
        assert got == expected
        got, expected = _both(lambda lib: repr(lib.tensor(values, dtype=getattr(lib, dtype),
                                                          requires_grad=True) * 2))
        assert got == expected
        got, expected = _both(lambda lib: lib.tensor(values).to(getattr(lib, dtype)).type())
        assert got == expected
    assert refgrad.from_numpy(np.ones(2, np.float16)).dtype is refgrad.float16


# ------------------------------------------------------------------------------ legacy

def test_legacy_constructors():
    for make in (lambda lib: lib.FloatTensor([1, 2]), lambda lib: lib.LongTensor([[1.7, 2]]),
                 lambda lib: lib.DoubleTensor(2, 3).shape, lambda lib: lib.IntTensor([3]),
                 lambda lib: lib.FloatTensor().shape, lambda lib: lib.BoolTensor([1, 0]),
                 lambda lib: lib.HalfTensor([0.1])):
        got, expected = _both(make)
        assert repr(got) == repr(expected)
    assert isinstance(refgrad.ones(2), refgrad.FloatTensor)
    assert not isinstance(refgrad.ones(2), refgrad.LongTensor)
    assert repr(refgrad.FloatTensor) == repr(torch.FloatTensor) == "<class 'torch.FloatTensor'>"
    with pytest.raises(TypeError, match="expected TensorOptions\\(dtype=float"):
        refgrad.FloatTensor(refgrad.LongTensor([1]))
    with pytest.raises(RuntimeError, match="legacy constructor expects device type: cpu"):
        refgrad.FloatTensor(2, device="cuda")


def test_variable_and_data():
    x = refgrad.ones(2, requires_grad=True)
    v = refgrad.autograd.Variable(x * 2)
    assert type(v) is refgrad.Tensor and v.is_leaf and not v.requires_grad
    assert isinstance(x, refgrad.autograd.Variable)
    from refgrad.autograd import Variable       # the tutorial spelling
    assert Variable is refgrad.autograd.Variable
    with pytest.warns(UserWarning, match="volatile was removed"):
        Variable(x.detach(), volatile=True)
    d = x.data
    d.mul_(3)
    assert x.tolist() == [3.0, 3.0] and x._version == 0 and not d.requires_grad
