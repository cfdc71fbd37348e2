"""Dtypes: factory defaults and type promotion by category and dimensionality (a Python scalar or
a 0-d tensor matters only when it is of a higher category), integer division, integer sums,
and gradients that follow the leaf's dtype across mixed-dtype graphs.
"""
import numpy as np

from conformance import observe
from conformance.case import parametrize
from conformance.cases._common import leaf, tensor


def _operands(torch, device):
    t = {
        "f32": np.array([1.0, 2.0], dtype="float32"),
        "f64": np.array([1.0, 2.0], dtype="float64"),
        "i64": np.array([1, 2], dtype="int64"),
        "i32": np.array([1, 2], dtype="int32"),
        "b": np.array([True, False]),
        "f64_0d": np.array(1.0, dtype="float64"),
        "f32_0d": np.array(1.0, dtype="float32"),
        "i64_0d": np.array(1, dtype="int64"),
    }
    return {name: tensor(torch, device, array) for name, array in t.items()}


# Each expression's name is its code over the operands above.
BINARY = {
    "f32 + f64": lambda torch, t: t["f32"] + t["f64"],
    "f64 + f32": lambda torch, t: t["f64"] + t["f32"],
    "i64 + f32": lambda torch, t: t["i64"] + t["f32"],
    "i32 + i64": lambda torch, t: t["i32"] + t["i64"],
    "b + i64": lambda torch, t: t["b"] + t["i64"],
    "b + b": lambda torch, t: t["b"] + t["b"],
    "b * 1.5": lambda torch, t: t["b"] * 1.5,
    "i64 + 1": lambda torch, t: t["i64"] + 1,
    "i64 + 1.5": lambda torch, t: t["i64"] + 1.5,
    "i32 + 1.5": lambda torch, t: t["i32"] + 1.5,
    "i64 * True": lambda torch, t: t["i64"] * True,
    "f32 + 1": lambda torch, t: t["f32"] + 1,
    "f32 + 1.5": lambda torch, t: t["f32"] + 1.5,
    "f32 * 1e300": lambda torch, t: t["f32"] * 1e300,
    "f32 + f64_0d": lambda torch, t: t["f32"] + t["f64_0d"],
    "f64_0d + f32": lambda torch, t: t["f64_0d"] + t["f32"],
    "f32_0d + f64_0d": lambda torch, t: t["f32_0d"] + t["f64_0d"],
    "i64 + f64_0d": lambda torch, t: t["i64"] + t["f64_0d"],
    "i64 + f32_0d": lambda torch, t: t["i64"] + t["f32_0d"],
    "i32 + i64_0d": lambda torch, t: t["i32"] + t["i64_0d"],
    "i64 / i64": lambda torch, t: t["i64"] / t["i64"],
    "i64 / 2": lambda torch, t: t["i64"] / 2,
    "i64 ** 2": lambda torch, t: t["i64"] ** 2,
    "i64 ** 0.5": lambda torch, t: t["i64"] ** 0.5,
    "2 ** i64": lambda torch, t: 2 ** t["i64"],
    "2.0 ** i64": lambda torch, t: 2.0 ** t["i64"],
    "f32 ** i64": lambda torch, t: t["f32"] ** t["i64"],
    "-i64": lambda torch, t: -t["i64"],
    "1 - i64": lambda torch, t: 1 - t["i64"],
    "i64 - 0.5": lambda torch, t: t["i64"] - 0.5,
    "maximum(i64, f32)": lambda torch, t: torch.maximum(t["i64"], t["f32"]),
    "where(b, i64, f32)": lambda torch, t: torch.where(t["b"], t["i64"], t["f32"]),
    "cat([i64, f32])": lambda torch, t: torch.cat([t["i64"], t["f32"]]),
    "cat([f32, f64])": lambda torch, t: torch.cat([t["f32"], t["f64"]]),
    "stack([f32, f64])": lambda torch, t: torch.stack([t["f32"], t["f64"]]),
    "f32 > 1": lambda torch, t: t["f32"] > 1,
    "f32 == f64": lambda torch, t: t["f32"] == t["f64"],
}


@parametrize("expression", list(BINARY))
def case_binary(torch, device, expression):
    result = BINARY[expression](torch, _operands(torch, device))
    return {"dtype": str(result.dtype), "value": result}


UNARY = {
    "exp(i64)": lambda torch, t: torch.exp(t["i64"]),
    "sqrt(i64)": lambda torch, t: torch.sqrt(t["i64"]),
    "sigmoid(i64)": lambda torch, t: torch.sigmoid(t["i64"]),
    "abs(i64)": lambda torch, t: torch.abs(t["i64"]),
    "i64.sum()": lambda torch, t: t["i64"].sum(),
    "i32.sum()": lambda torch, t: t["i32"].sum(),
    "b.sum()": lambda torch, t: t["b"].sum(),
    "f64.sum()": lambda torch, t: t["f64"].sum(),
    "i64.float().mean()": lambda torch, t: t["i64"].float().mean(),
    "softmax(f64, 0)": lambda torch, t: torch.softmax(t["f64"], 0),
    "i64.max()": lambda torch, t: t["i64"].max(),
    "f32.double()": lambda torch, t: t["f32"].double(),
    "i64.float()": lambda torch, t: t["i64"].float(),
    "f64.float()": lambda torch, t: t["f64"].float(),
    "f32.long()": lambda torch, t: t["f32"].long(),
}


@parametrize("expression", list(UNARY))
def case_unary(torch, device, expression):
    result = UNARY[expression](torch, _operands(torch, device))
    return {"dtype": str(result.dtype), "value": result}


FACTORIES = {
    "tensor([1.0])": lambda torch, d: torch.tensor([1.0], device=d),
    "tensor([1])": lambda torch, d: torch.tensor([1], device=d),
    "tensor([True])": lambda torch, d: torch.tensor([True], device=d),
    "tensor(1.0)": lambda torch, d: torch.tensor(1.0, device=d),
    "tensor(1)": lambda torch, d: torch.tensor(1, device=d),
    "tensor([1, 2.0])": lambda torch, d: torch.tensor([1, 2.0], device=d),
    "tensor([True, 2])": lambda torch, d: torch.tensor([True, 2], device=d),
    "ones(2)": lambda torch, d: torch.ones(2, device=d),
    "zeros(2)": lambda torch, d: torch.zeros(2, device=d),
    "eye(2)": lambda torch, d: torch.eye(2, device=d),
    "ones_like(int)": lambda torch, d: torch.ones_like(torch.tensor([1, 2], device=d)),
    "zeros_like(f64)": lambda torch, d: torch.zeros_like(
        torch.tensor(np.array([1.0]), device=d)),
    "tensor(np float64 array)": lambda torch, d: torch.tensor(np.array([1.0]), device=d),
    "tensor(np float32 array)": lambda torch, d: torch.tensor(
        np.array([1.0], dtype=np.float32), device=d),
    "tensor(np int64 array)": lambda torch, d: torch.tensor(np.array([1, 2]), device=d),
    "tensor(np.float64 scalar)": lambda torch, d: torch.tensor(np.float64(1.0), device=d),
    "tensor(np.float32 scalar)": lambda torch, d: torch.tensor(np.float32(1.0), device=d),
    "tensor(x, dtype=float64)": lambda torch, d: torch.tensor([1.0], dtype=torch.float64,
                                                              device=d),
    "tensor(x, dtype=int32)": lambda torch, d: torch.tensor([1, 2], dtype=torch.int32,
                                                            device=d),
}


@parametrize("factory", list(FACTORIES))
def case_factory_default(torch, device, factory):
    result = FACTORIES[factory](torch, device)
    return {"dtype": str(result.dtype), "value": result}


def case_get_default_dtype(torch, device):
    return {"default": str(torch.get_default_dtype())}


def case_dtype_objects(torch, device):
    return {"str(torch.float32)": str(torch.float32), "str(torch.float64)": str(torch.float64),
            "str(torch.int64)": str(torch.int64), "str(torch.bool)": str(torch.bool),
            "float32 == float": torch.float32 == torch.float,
            "float64 == double": torch.float64 == torch.double,
            "int64 == long": torch.int64 == torch.long}


def case_grads_follow_leaf_dtype(torch, device):
    a = leaf(torch, device, np.array([1.0, 2.0], dtype="float32"))
    b = leaf(torch, device, np.array([3.0, 4.0], dtype="float64"))
    out = (a * b).sum()
    out.backward()
    return {"out": out, "a.grad": a.grad, "b.grad": b.grad}


def case_double_inserts_to_copy(torch, device):
    c = leaf(torch, device, np.array([1.0, 2.0], dtype="float32"))
    d = c.double() * 2
    d.sum().backward()
    return {"d": d, "graph(d)": observe.graph(d, c=c), "c.grad": c.grad}


def case_float64_leaf_with_float32_scalar_tensor(torch, device):
    a = leaf(torch, device, np.array([1.0, 2.0], dtype="float64"))
    s = leaf(torch, device, np.array(3.0, dtype="float32"))
    out = a * s
    out.sum().backward()
    return {"out": out, "a.grad": a.grad, "s.grad": s.grad}


def case_in_place_promotion(torch, device):
    t = _operands(torch, device)
    f32 = t["f32"].clone()
    return {
        "i64.add_(1.5)": observe.error(lambda: t["i64"].clone().add_(1.5)),
        "f32.add_(f64) keeps float32": str(f32.add_(t["f64"]).dtype),
        "i64 ** -1": observe.error(lambda: t["i64"] ** -1),
        "i64.mean()": observe.error(lambda: t["i64"].mean()),
    }
