"""The everyday tensor API around autograd: vector norms and their gradients, var/std with a
correction, isinf/isnan/isfinite, movedim, keepdims= as an alias, out= (values, resizing, and
the errors when grad is involved), type_as and the new_* factories, float16/bfloat16 values,
promotion and printing, linspace/arange values, and save/load round trips.
"""
import io

import numpy as np

from conformance import inputs, observe
from conformance.case import parametrize
from conformance.cases._common import forward_and_vjp, leaf, randn_leaf, tensor

INF, NAN = float("inf"), float("nan")

# ------------------------------------------------------------------------------- norms

NORMS = {
    "norm()": lambda torch, x: x.norm(),
    "norm(p=1)": lambda torch, x: x.norm(p=1),
    "norm(p=3, dim=1)": lambda torch, x: x.norm(p=3, dim=1),
    "norm(p=inf, dim=0)": lambda torch, x: x.norm(p=INF, dim=0),
    "norm(p=0.5)": lambda torch, x: x.norm(p=0.5),
    "norm(p='fro', keepdim)": lambda torch, x: x.norm(p="fro", dim=(0, 1), keepdim=True),
    "torch.norm(x, 2, 1)": lambda torch, x: torch.norm(x, 2, 1),
    "vector_norm()": lambda torch, x: torch.linalg.vector_norm(x),
    "vector_norm(ord=1.5, dim=-1, keepdim)": lambda torch, x: torch.linalg.vector_norm(
        x, ord=1.5, dim=-1, keepdim=True),
    "vector_norm(ord=-inf, dim=1)": lambda torch, x: torch.linalg.vector_norm(x, -INF, 1),
}


@parametrize("dtype", ["float32", "float64"])
@parametrize("expression", list(NORMS))
def case_norm(torch, device, expression, dtype):
    x = randn_leaf(torch, device, (3, 4), "norm/x", dtype)
    return forward_and_vjp(torch, device, NORMS[expression](torch, x), {"x": x},
                           f"norm/{expression}", dtype)


def case_norm_of_zero_vector_has_zero_gradient(torch, device):
    x = leaf(torch, device, np.zeros(3, dtype="float32"))
    n = x.norm()
    n.backward()
    return {"norm": n, "x.grad": x.grad}


def case_norm_of_integers_raises(torch, device):
    t = tensor(torch, device, np.array([3, 4]))
    return {"norm": observe.error(lambda: t.norm()),
            "vector_norm": observe.error(lambda: torch.linalg.vector_norm(t))}


# ------------------------------------------------------------------------------ var/std

MOMENTS = {
    "var()": lambda x: x.var(),
    "var(0)": lambda x: x.var(0),
    "var(1, unbiased=False)": lambda x: x.var(1, unbiased=False),
    "var(dim=(0, 1), correction=2)": lambda x: x.var(dim=(0, 1), correction=2),
    "std()": lambda x: x.std(),
    "std(dim=1, keepdim=True)": lambda x: x.std(dim=1, keepdim=True),
    "std(correction=0)": lambda x: x.std(correction=0),
    "std(0, True, True)": lambda x: x.std(0, True, True),
}


@parametrize("dtype", ["float32", "float64"])
@parametrize("expression", list(MOMENTS))
def case_var_std(torch, device, expression, dtype):
    x = randn_leaf(torch, device, (3, 4), "moments/x", dtype)
    return forward_and_vjp(torch, device, MOMENTS[expression](x), {"x": x},
                           f"moments/{expression}", dtype)


def case_var_without_enough_elements(torch, device):
    x = tensor(torch, device, np.array([2.0], dtype="float32"))
    return {"var": observe.warnings(lambda: x.var()),
            "std(correction=0)": observe.warnings(lambda: x.std(correction=0)),
            "var of ints": observe.error(lambda: tensor(torch, device, np.array([1, 2])).var())}


# --------------------------------------------------------------------------- predicates

def case_isinf_isnan_isfinite(torch, device):
    f = tensor(torch, device, np.array([1.0, INF, -INF, NAN, 0.0], dtype="float32"))
    i = tensor(torch, device, np.array([1, -2, 0]))
    observed = {}
    for name in ("isinf", "isnan", "isfinite"):
        observed[name] = getattr(torch, name)(f)
        observed[f"t.{name}()"] = getattr(f, name)()
        observed[f"{name}(int)"] = getattr(torch, name)(i)
    return observed


# ----------------------------------------------------------------------------- movedim

MOVES = {
    "movedim(0, 2)": lambda torch, x: x.movedim(0, 2),
    "movedim((0, 1), (2, 0))": lambda torch, x: torch.movedim(x, (0, 1), (2, 0)),
    "moveaxis(-1, 0)": lambda torch, x: torch.moveaxis(x, -1, 0),
}


@parametrize("expression", list(MOVES))
def case_movedim(torch, device, expression):
    x = randn_leaf(torch, device, (2, 3, 4), "movedim/x")
    return forward_and_vjp(torch, device, MOVES[expression](torch, x), {"x": x},
                           f"movedim/{expression}", "float32")


# ---------------------------------------------------------------------------- keywords

KEEPDIMS = {
    "sum(0, keepdims=True)": lambda torch, x: x.sum(0, keepdims=True),
    "mean(dim=1, keepdims=True)": lambda torch, x: x.mean(dim=1, keepdims=True),
    "torch.sum(x, 1, keepdims=True)": lambda torch, x: torch.sum(x, 1, keepdims=True),
    "amax(0, keepdims=True)": lambda torch, x: x.amax(0, keepdims=True),
    "var(1, keepdims=True)": lambda torch, x: x.var(1, keepdims=True),
    "max(dim=1, keepdims=True).values": lambda torch, x: x.max(dim=1, keepdims=True).values,
    "vector_norm(keepdims=True)": lambda torch, x: torch.linalg.vector_norm(x, keepdims=True),
}


@parametrize("expression", list(KEEPDIMS))
def case_keepdims_alias(torch, device, expression):
    x = randn_leaf(torch, device, (2, 3), "keepdims/x")
    return forward_and_vjp(torch, device, KEEPDIMS[expression](torch, x), {"x": x},
                           f"keepdims/{expression}", "float32")


def case_out_writes_into_the_given_tensor(torch, device):
    a = tensor(torch, device, inputs.randn((2, 3), "out/a"))
    b = tensor(torch, device, inputs.randn((2, 3), "out/b"))
    out = tensor(torch, device, np.zeros((2, 3), dtype="float32"))
    version = out._version
    result = torch.add(a, b, out=out)
    wide = tensor(torch, device, np.zeros((2, 3), dtype="float64"))
    return {"returns out": result is out, "out": out, "version bumped": out._version > version,
            "into float64": torch.mul(a, b, out=wide), "wide dtype": str(wide.dtype),
            "matmul": torch.matmul(a, b.t(), out=tensor(torch, device,
                                                        np.zeros((2, 2), "float32"))),
            "sum(dim)": torch.sum(a, 1, out=tensor(torch, device, np.zeros(2, "float32"))),
            "cat": torch.cat([a, b], out=tensor(torch, device, np.zeros((4, 3), "float32")))}


def case_out_resizes_with_a_warning(torch, device):
    a = tensor(torch, device, inputs.randn((3,), "out/resize"))
    small = tensor(torch, device, np.zeros(2, dtype="float32"))
    empty = tensor(torch, device, np.zeros(0, dtype="float32"))
    return {"exp into [2]": observe.warnings(lambda: torch.exp(a, out=small)),
            "shape after": tuple(small.shape),
            "exp into [0]": observe.warnings(lambda: torch.exp(a, out=empty))}


def case_out_errors(torch, device):
    x = randn_leaf(torch, device, (3,), "out/x")
    plain = tensor(torch, device, np.ones(3, dtype="float32"))
    integers = tensor(torch, device, np.ones(3, dtype="int64"))

    def under_no_grad():
        with torch.no_grad():
            return torch.add(x, 1, out=tensor(torch, device, np.zeros(3, "float32")))

    return {
        "input requires grad": observe.error(
            lambda: torch.add(x, 1, out=tensor(torch, device, np.zeros(3, "float32")))),
        "out requires grad": observe.error(
            lambda: torch.exp(plain, out=leaf(torch, device, np.zeros(3, "float32")))),
        "cat with grad": observe.error(
            lambda: torch.cat([x, x], out=tensor(torch, device, np.zeros(6, "float32")))),
        "under no_grad": under_no_grad(),
        "float into long": observe.error(lambda: torch.exp(plain, out=integers)),
        "long into bool": observe.error(lambda: torch.add(
            integers, 1, out=tensor(torch, device, np.zeros(3, bool)))),
        "out not a tensor": observe.error(lambda: torch.add(plain, 1, out=[1])),
    }


def case_type_as_and_new_factories(torch, device):
    x = randn_leaf(torch, device, (2, 2), "new/x", "float64")
    i = tensor(torch, device, np.array([1, 2]))
    made = {
        "type_as(int)": x.type_as(i),
        "i.type_as(x)": i.type_as(x),
        "new_tensor": x.new_tensor([1, 2]),
        "new_zeros(2, 3)": x.new_zeros(2, 3),
        "new_zeros((2,))": x.new_zeros((2,)),
        "new_ones(2, dtype=int64)": x.new_ones(2, dtype=torch.int64),
        "new_full((2,), 3)": x.new_full((2,), 3),
        "i.new_full((2,), 1.5)": i.new_full((2,), 1.5),
        "new_empty(0, 2).shape": tuple(x.new_empty(0, 2).shape),
        "new_ones(2, requires_grad=True)": x.new_ones(2, requires_grad=True),
    }
    observed = {name: value for name, value in made.items()}
    observed["dtypes"] = {name: str(v.dtype) for name, v in made.items() if hasattr(v, "dtype")}
    observed["type_as grad_fn"] = type(x.type_as(i).grad_fn).__name__
    return observed


# ------------------------------------------------------------------ float16 and bfloat16

@parametrize("dtype", ["float16", "bfloat16"])
def case_low_precision(torch, device, dtype):
    low = getattr(torch, dtype)
    values = inputs.randn((2, 3), "low/values").astype("float64") * 10
    h = tensor(torch, device, values).to(low)
    x = h.detach().requires_grad_()
    y = (x * x + 1).sigmoid().sum()
    y.backward()
    return {
        "rounded": h, "dtype": str(h.dtype),
        "h + 1.5": h + 1.5, "h + int tensor": h + tensor(torch, device, np.array([1, 2, 3])),
        "h * float32": h * tensor(torch, device, np.ones(3, "float32")),
        "h + float64 0-d": h + tensor(torch, device, np.array(2.0)),
        "exp": h.exp(), "sum": h.sum(), "mean(0)": h.mean(0),
        "softmax": h.softmax(1), "matmul": h @ h.t(),
        "y": y, "x.grad": x.grad,
        "repr": repr(h.detach().cpu()), "element_size": h.element_size(),
        "overflow": tensor(torch, device, np.array([1e6, -1e6, 1e-9])).to(low),
        "to float32": h.float(), "half()": h.float().half(), "bfloat16()": h.bfloat16(),
    }


def case_low_precision_promotion(torch, device):
    f16 = tensor(torch, device, np.array([1.5, 2.0], "float16"))
    bf16 = f16.to(torch.bfloat16)
    return {"f16 + bf16": str((f16 + bf16).dtype),
            "promote_types": str(torch.promote_types(torch.float16, torch.bfloat16)),
            "f16 + int64": str(torch.promote_types(torch.float16, torch.int64)),
            "bf16 + float64": str((bf16 + tensor(torch, device, np.ones(2))).dtype),
            "is_floating_point": [torch.float16.is_floating_point,
                                  torch.bfloat16.is_floating_point],
            "type()": [f16.type(), bf16.type()] if device == "cpu" else None,
            "half is float16": torch.half is torch.float16}


# ------------------------------------------------------------------------------ ranges

RANGES = {
    "linspace(0, 1, 7)": lambda torch, d: torch.linspace(0, 1, 7, device=d),
    "linspace(-3.7, 12.2, 33)": lambda torch, d: torch.linspace(-3.7, 12.2, 33, device=d),
    "linspace(0.1, 1.7, 9, float64)": lambda torch, d: torch.linspace(
        0.1, 1.7, 9, dtype=torch.float64, device=d),
    "linspace(2, 3, 1)": lambda torch, d: torch.linspace(2, 3, 1, device=d),
    "linspace(-37.7, 120.2, 9, int64)": lambda torch, d: torch.linspace(
        -37.7, 120.2, 9, dtype=torch.int64, device=d),
    "arange(0.3, 50, 0.7)": lambda torch, d: torch.arange(0.3, 50, 0.7, device=d),
    "arange(10, 0, -3)": lambda torch, d: torch.arange(10, 0, -3, device=d),
    "arange(-1.0, 1.0, 0.1, float64)": lambda torch, d: torch.arange(
        -1.0, 1.0, 0.1, dtype=torch.float64, device=d),
}


@parametrize("expression", list(RANGES))
def case_ranges(torch, device, expression):
    t = RANGES[expression](torch, device)
    # values compared within the dtype's tolerance: a CUDA lane's kernels may round otherwise
    return {"values": t, "dtype": str(t.dtype), "shape": tuple(t.shape)}


# ---------------------------------------------------------------------------- save/load

def _plain(torch, device, array):
    # from_numpy, not torch.tensor: a plain Tensor on every target (no subclass to unpickle)
    return torch.from_numpy(np.asarray(array)).to(device)


def case_save_load_round_trip(torch, device):
    w = _plain(torch, device, inputs.randn((2, 3), "save/w"))
    state = {"w": w, "b": _plain(torch, device, np.zeros(3)),
             "n": _plain(torch, device, np.array(7)), "step": 3, "name": "layer"}
    grad = w.clone().requires_grad_()
    buffer = io.BytesIO()
    torch.save({"state": state, "leaf": grad, "again": grad, "size": w.shape,
                "dtype": torch.float16}, buffer)
    buffer.seek(0)
    back = torch.load(buffer)
    return {"state": back["state"], "dtypes": {k: str(v.dtype) for k, v in
                                              back["state"].items() if hasattr(v, "dtype")},
            "leaf requires_grad": back["leaf"].requires_grad,
            "same object twice": back["leaf"] is back["again"],
            "size": tuple(back["size"]), "dtype": str(back["dtype"]),
            "a copy": back["state"]["w"] is not w}


class _NotAllowed:
    pass


def case_load_refuses_other_classes_by_default(torch, device):
    buffer = io.BytesIO()
    torch.save({"obj": _NotAllowed()}, buffer)
    buffer.seek(0)
    refused = observe.error(lambda: torch.load(buffer))
    buffer.seek(0)
    trusted = torch.load(buffer, weights_only=False)
    return {"weights_only default": refused,
            "weights_only=False": type(trusted["obj"]).__name__}
