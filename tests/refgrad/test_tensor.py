"""The Tensor API, factories and dtypes: compared with torch where both run the same code."""
from __future__ import annotations

import numpy as np
import pytest

import refgrad
from conftest import LIBS, arr, outcome, warnings_of


def both(expr, **extra):
    """Evaluate on both libraries; results as comparable plain values."""
    seen = {}
    for name, lib in LIBS.items():
        env = dict(torch=lib, np=np, F=lib.nn.functional, **{k: v(lib) for k, v in
                                                            extra.items()})
        kind, value = outcome(lambda: eval(expr, env))
        if kind == "ok" and hasattr(value, "dtype") and hasattr(value, "shape") and \
                not isinstance(value, np.ndarray):
            value = (str(value.dtype), tuple(value.shape), arr(value).tolist(),
                     value.requires_grad)
        elif kind == "ok" and not isinstance(value, (int, float, bool, str, list, tuple,
                                                     type(None))):
            value = str(value)
        seen[name] = (kind, value)
    return seen


DTYPE_EXPRESSIONS = [
    # default dtypes of factories (§9.1)
    "torch.tensor([1.0])", "torch.tensor([1])", "torch.tensor([True])", "torch.tensor(1.0)",
    "torch.tensor(1)", "torch.tensor([1, 2.0])", "torch.tensor([True, 2])", "torch.ones(2)",
    "torch.zeros(2)", "torch.empty(2).dtype", "torch.eye(2)", "torch.eye(2, 3)",
    "torch.full((2,), 1)", "torch.full((2,), 1.)", "torch.full((2,), True)", "torch.arange(3)",
    "torch.arange(3.)", "torch.arange(0, 1, 0.5)", "torch.arange(1, 7, 2)",
    "torch.linspace(0, 1, 3)", "torch.zeros_like(torch.tensor([1, 2]))",
    "torch.ones_like(torch.tensor([1, 2]), dtype=torch.float32)",
    "torch.tensor(np.array([1.0]))", "torch.from_numpy(np.array([1.0]))",
    "torch.tensor(np.array([1.0], dtype=np.float32))", "torch.tensor(np.array([1, 2]))",
    "torch.tensor(np.float64(1.0))", "torch.tensor(np.float32(1.0))",
    "torch.as_tensor([1., 2.])", "torch.tensor([np.float64(1.0)])", "torch.get_default_dtype()",
    "torch.rand(2).dtype", "torch.randn(2, 3).shape", "torch.randint(0, 5, (2,)).dtype",
    "torch.full_like(torch.ones(2), 7.)", "torch.tensor([[1, 2], [3, 4]], dtype=torch.float64)",
    # promotion (§9.2, §9.3)
    "f32 + f64", "f64 + f32", "i64 + f32", "i32 + i64", "b + i64", "b + b", "b * 1.5",
    "i64 + 1", "i64 + 1.5", "i32 + 1.5", "i64 * True", "f32 + 1", "f32 + 1.5",
    "f32 * np.float64(2.0)", "f32 + f64_0d", "f64_0d + f32", "f32_0d + f64_0d",
    "i64 + f64_0d", "i64 + f32_0d", "i32 + i64_0d", "i64 / i64", "i64 / 2", "i64 // i64",
    "i64 // 2.", "i64 % 2", "i64 ** 2", "i64 ** 0.5", "2 ** i64", "2.0 ** i64", "f32 ** i64",
    "i64 ** f32", "-i64", "torch.exp(i64)", "torch.sqrt(i64)", "torch.sigmoid(i64)",
    "torch.abs(i64)", "i64.sum()", "i32.sum()", "b.sum()", "i64.float().mean()",
    "torch.maximum(i64, f32)", "torch.where(b, i64, f32)", "torch.where(b, f32, 0.)",
    "torch.where(b, i64, 0.)", "torch.cat([i64, f32])", "torch.cat([f32, f64])",
    "torch.stack([f32, f64])", "f32 > 1", "f32 == f64", "torch.matmul(i64, i64)",
    "F.mse_loss(f32, f64)", "F.binary_cross_entropy_with_logits(f32, f64)",
    "torch.softmax(f64, 0)", "f32 * 1e300", "f32 + torch.tensor(1e300, dtype=torch.float64)",
    "torch.tensor(1.5) + torch.tensor(1e300, dtype=torch.float64)",
    "torch.tensor([1, 2]) * 2.5",
    "torch.tensor([1, 2]) + torch.tensor([0.5], dtype=torch.float64)",
    "torch.result_type(f32, 2.0)", "torch.result_type(i64, 2.0)",
    "torch.promote_types(torch.int64, torch.float32)", "f32.add_(f64)", "i64.add_(1.5)",
]

OPERANDS = dict(
    f32=lambda t: t.tensor([1.0, 2.0]), f64=lambda t: t.tensor([1.0, 2.0], dtype=t.float64),
    i64=lambda t: t.tensor([1, 2]), i32=lambda t: t.tensor([1, 2], dtype=t.int32),
    b=lambda t: t.tensor([True, False]), f64_0d=lambda t: t.tensor(1.0, dtype=t.float64),
    f32_0d=lambda t: t.tensor(1.0), i64_0d=lambda t: t.tensor(1))


@pytest.mark.parametrize("expr", DTYPE_EXPRESSIONS)
def test_dtypes_and_values_match_torch(expr):
    seen = both(expr, **OPERANDS)
    if "rand" in expr:
        assert seen["refgrad"][0] == seen["torch"][0] == "ok"
        return
    assert seen["refgrad"] == seen["torch"]


def test_default_dtype_switch():
    for lib in LIBS.values():
        lib.set_default_dtype(lib.float64)
        try:
            assert lib.tensor([1.5]).dtype == lib.float64
            assert lib.randn(2).dtype == lib.float64
            assert (lib.tensor([1, 2]) * 1.5).dtype == lib.float64
        finally:
            lib.set_default_dtype(lib.float32)
        assert lib.tensor([1.5]).dtype == lib.float32


def test_dtype_objects_and_aliases():
    t = refgrad
    assert repr(t.float32) == "torch.float32" and str(t.int64) == "torch.int64"
    assert t.float is t.float32 and t.double is t.float64 and t.long is t.int64
    assert t.int is t.int32 and repr(t.bool) == "torch.bool"
    assert t.float32.is_floating_point and not t.int64.is_floating_point


def test_size_device_and_basic_properties(lib):
    a = lib.ones(2, 3)
    assert repr(a.shape) == "torch.Size([2, 3])" and a.shape == (2, 3)
    assert a.size() == a.shape and a.size(0) == 2 and a.size(-1) == 3
    assert list(a.shape) == [2, 3] and tuple(a.shape) == (2, 3)
    assert repr(lib.Size([])) == "torch.Size([])"
    assert a.dim() == a.ndim == 2 and a.numel() == 6 and len(a) == 2
    assert str(a.device) == "cpu" and a.device.type == "cpu" and not a.is_cuda
    assert a.cpu() is a and lib.is_tensor(a) and not lib.is_tensor([1])
    assert isinstance(a, lib.Tensor)


def test_conversions(lib):
    a = lib.tensor([1.5, -0.5, 2.0], requires_grad=True)
    assert a.sum().item() == 3.0 and isinstance(a.sum().item(), float)
    assert a.tolist() == [1.5, -0.5, 2.0]
    assert lib.tensor(0.1).item() == 0.10000000149011612
    assert lib.tensor(0.1, dtype=lib.float64).item() == 0.1
    assert lib.tensor([1, 2]).tolist() == [1, 2] and lib.tensor(3).tolist() == 3
    assert int(lib.tensor([7])) == 7 and float(lib.tensor(2)) == 2.0
    assert [x.item() for x in lib.tensor([1, 2, 3])] == [1, 2, 3]
    assert bool(lib.tensor([1.0])) and not bool(lib.tensor(0.0))
    assert isinstance(a.detach().numpy(), np.ndarray)
    n = a.detach().numpy()
    n[0] = 100.0
    assert a[0].item() == 100.0


def test_format_of_zero_dim_and_nd(lib):
    loss = lib.tensor([0.1, 0.2, 0.7], requires_grad=True).sum() / 3
    assert f"{loss}" == "0.3333333432674408" and f"{loss:.2f}" == "0.33"
    assert "{}".format(loss) == "0.3333333432674408"
    assert f"{lib.tensor([1.0, 2.0])}" == str(lib.tensor([1.0, 2.0]))
    kind, message = outcome(lambda: f"{lib.tensor([1.0, 2.0]):.2f}")
    assert (kind, message) == ("TypeError", "unsupported format string passed to "
                                            "Tensor.__format__")
    assert str(loss) == repr(loss)


def test_bool_of_many_elements():
    seen = both("bool(torch.ones(2))")
    assert seen["refgrad"] == seen["torch"]


def test_same_object_conversions_and_copies(lib):
    a = lib.randn(2, 3, requires_grad=True)
    assert a.float() is a and a.to(lib.float32) is a and a.contiguous() is a
    assert a[...] is not a and a[:] is not a
    d = a.double()
    assert type(d.grad_fn).__name__ == "ToCopyBackward0" and d.dtype == lib.float64
    assert not a.long().requires_grad and (a > 0).dtype == lib.bool


def test_detach_and_data_share_storage(lib):
    a = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
    d = a.detach()
    assert d.data_ptr() == a.data_ptr() and (a._version, d._version) == (0, 0)
    d.zero_()
    assert a.tolist() == [0.0, 0.0, 0.0] and (a._version, d._version) == (1, 1)
    b = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
    b.data.add_(1)
    assert b._version == 0 and b.tolist() == [2.0, 3.0, 4.0]
    assert b.view(3).data_ptr() == b.data_ptr()
    c = b.detach().requires_grad_()
    assert c.is_leaf and c.data_ptr() == b.data_ptr()
    (c * 3).sum().backward()
    assert c.grad.tolist() == [3.0, 3.0, 3.0] and b.grad is None
    e = lib.ones(2, requires_grad=True)
    f = (e * 2).detach_()
    assert f.grad_fn is None and not f.requires_grad


def test_inplace_on_non_leaf_rebases_grad_fn(lib):
    a = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = a * 1
    assert (y._version, type(y.grad_fn).__name__) == (0, "MulBackward0")
    y.add_(1)
    assert (y._version, type(y.grad_fn).__name__) == (1, "AddBackward0")
    assert type(y.grad_fn.next_functions[0][0]).__name__ == "MulBackward0"
    y.sum().backward()
    assert a.grad.tolist() == [1.0, 1.0, 1.0]
    b = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
    z = b.clone()
    z[0] = 10.0
    assert z._version == 1 and type(z.grad_fn).__name__ == "CopySlices"
    assert type(z.grad_fn.next_functions[0][0]).__name__ == "CloneBackward0"
    z.sum().backward()
    assert b.grad.tolist() == [0.0, 1.0, 1.0]
    c = lib.tensor([-1.0, 2.0], requires_grad=True)
    r = c.clone()
    r.relu_()
    assert type(r.grad_fn).__name__ == "ReluBackward0"
    r.sum().backward()
    assert c.grad.tolist() == [0.0, 1.0]


def test_setitem_with_a_tensor_value_that_requires_grad(lib):
    base = lib.zeros(2, 3)
    v = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
    base[1] = v * 2
    (base * lib.tensor([[1.0, 1.0, 1.0], [1.0, 2.0, 3.0]])).sum().backward()
    assert v.grad.tolist() == [2.0, 4.0, 6.0]


def test_inplace_ops_and_versions(lib):
    t = lib.tensor([1.0, 2.0, 3.0])
    t.add_(1).mul_(2).sub_(1).div_(2)
    assert t.tolist() == [1.5, 2.5, 3.5] and t._version == 4
    t += 1
    t -= 1
    t *= 2
    t /= 2
    assert t.tolist() == [1.5, 2.5, 3.5] and t._version == 8
    t.clamp_(2.0, 3.0)
    assert t.tolist() == [2.0, 2.5, 3.0]
    t.fill_(4.0)
    assert t.tolist() == [4.0, 4.0, 4.0]
    t.copy_(lib.tensor([1.0, 2.0, 3.0]))
    t[0] = 9.0
    t[1:] = lib.tensor([8.0, 7.0])
    assert t.tolist() == [9.0, 8.0, 7.0] and t._version == 13
    t.zero_()
    assert t.tolist() == [0.0, 0.0, 0.0]
    v = t[1:]
    v.add_(5)
    assert t.tolist() == [0.0, 5.0, 5.0] and t._version == v._version


def test_factories_and_random(lib):
    lib.manual_seed(3)
    x = lib.randn(4, 5)
    lib.manual_seed(3)
    assert lib.randn(4, 5).tolist() == x.tolist()
    r = lib.rand(1000)
    assert 0.0 <= r.min().item() and r.max().item() < 1.0
    assert lib.randn_like(x).shape == x.shape and lib.rand_like(x).dtype == x.dtype
    assert lib.ones(2, 3, requires_grad=True).requires_grad
    assert lib.zeros((2, 3)).shape == (2, 3)
    assert lib.eye(3).tolist() == np.eye(3).tolist()
    assert lib.empty(2, 0).shape == (2, 0)
    n = np.array([1.0, 2.0])
    shared = lib.from_numpy(n)
    n[0] = 5.0
    assert shared[0].item() == 5.0 and lib.as_tensor(shared) is shared
    assert lib.tensor(n)[0].item() == 5.0 and lib.tensor([[1, 2], [3, 4]]).shape == (2, 2)


def test_tensor_from_tensor_warns_and_copies():
    seen = {}
    for name, lib in LIBS.items():
        a = lib.ones(2, requires_grad=True)
        w = warnings_of(lambda: lib.tensor(a))
        t = lib.tensor(a)
        t.add_(1)
        seen[name] = (w, t.requires_grad, a.tolist(), lib.stack([a[0], a[1]]).grad_fn.name())
    assert seen["refgrad"] == seen["torch"]


def test_devices():
    assert refgrad.ones(2, device="cpu").device.type == "cpu"
    assert refgrad.ones(2, device=refgrad.device("cpu")).tolist() == [1.0, 1.0]
    assert refgrad.ones(2, device="cpu:0").shape == (2,)
    # as a PyTorch built without CUDA: the device can be named, a tensor cannot live there
    with pytest.raises(AssertionError, match="^Torch not compiled with CUDA enabled$"):
        refgrad.ones(2, device="cuda")
    with pytest.raises(AssertionError, match="^Torch not compiled with CUDA enabled$"):
        refgrad.tensor([1.0], device="cuda:0")
    with pytest.raises(RuntimeError, match="CPU only"):
        refgrad.ones(2, device="meta")
    assert refgrad.ones(2).to("cpu").device.type == "cpu"


def test_indexing_values(lib):
    a = lib.tensor(np.arange(24.0).reshape(2, 3, 4).astype(np.float32))
    for key in [0, -1, (0, 1), (slice(None), 1), (Ellipsis, 2), (None, 0), [1, 0],
                (0, [2, 0]), (slice(None), slice(1, 3), 0)]:
        assert arr(a[key]).tolist() == np.arange(24.0).reshape(2, 3, 4)[key].tolist()
    mask = a > 10
    assert arr(a[mask]).tolist() == [x for x in range(11, 24)]


def test_matmul_shapes_values(lib):
    rng = np.random.default_rng(1)
    shapes = [((3,), (3,)), ((2, 3), (3,)), ((3,), (3, 4)), ((2, 3), (3, 4)),
              ((5, 2, 3), (5, 3, 4)), ((5, 2, 3), (3, 4)), ((5, 2, 3), (3,)),
              ((2,), (5, 2, 3)), ((2, 3), (5, 3, 4)), ((2, 1, 2, 3), (5, 3, 4))]
    for sa, sb in shapes:
        x, y = rng.standard_normal(sa).astype(np.float32), \
            rng.standard_normal(sb).astype(np.float32)
        got = lib.matmul(lib.tensor(x), lib.tensor(y))
        assert tuple(got.shape) == np.matmul(x, y).shape
        assert np.allclose(arr(got), np.matmul(x, y), atol=1e-5)


def test_inplace_on_a_view_of_a_non_leaf_is_refused_not_silently_wrong():
    a = refgrad.ones(3, requires_grad=True)
    y = a * 1
    with pytest.raises(RuntimeError, match="in-place operations on a view of a tensor"):
        y[0].mul_(2)
    with pytest.raises(RuntimeError, match="in-place operations on a view of a tensor"):
        y.view(3).add_(1)
    y[0] = 5.0                       # index assignment on the tensor itself is recorded
    with refgrad.no_grad():
        y[1:].add_(1)                # and nothing is recorded under no_grad
    y.sum().backward()
    assert a.grad.tolist() == [0.0, 1.0, 1.0] and y.tolist() == [5.0, 2.0, 2.0]
