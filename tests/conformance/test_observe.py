"""Lane values as plain report data (observe.to_plain) and missing target functions."""
import json

import numpy as np
import pytest
import torch

from conformance import observe
from conformance.observe import MissingFeature, to_plain, truncate_plain


def test_tensor_value_records_every_field_and_survives_json():
    leaf = torch.tensor([1.0, float("nan"), float("-inf")], requires_grad=True)
    plain = to_plain(leaf * 2)
    assert plain["dtype"] == "torch.float32" and plain["shape"] == [3]
    assert plain["device"] == "cpu"
    flags = (plain["requires_grad"], plain["is_leaf"], plain["grad_fn"])
    assert flags == (True, False, "MulBackward0")
    assert plain["values"] == [2.0, "nan", "-inf"]
    assert plain["stats"] == {"min": 2.0, "max": 2.0, "mean": 2.0, "nan": 1, "inf": 1}
    json.dumps(plain, allow_nan=False)


def test_bfloat16_and_integer_tensors_are_read():
    assert to_plain(torch.tensor([1.5], dtype=torch.bfloat16))["values"] == [1.5]
    assert to_plain(torch.tensor([[1, 2]]))["values"] == [[1, 2]]
    assert to_plain(torch.tensor(True))["values"] is True


def test_big_tensors_are_truncated_for_the_report_only():
    big = torch.arange(20_000, dtype=torch.float32)
    full = to_plain(big, truncate=False)
    assert len(full["values"]) == 20_000 and not full["truncated"]
    short = truncate_plain(full)
    assert short["truncated"] and short["values"] == list(map(float, range(1000)))
    assert to_plain(big)["values"] == short["values"]
    assert to_plain(big.reshape(200, 100))["values"][:3] == [0.0, 1.0, 2.0]


def test_records_and_scalars():
    err = to_plain(observe.error(lambda: int("x")))
    assert err == {"type": "error", "class": "ValueError", "base": "ValueError",
                   "message": "invalid literal for int() with base 10: 'x'"}
    assert to_plain(1.0)["pytype"] == "float" and to_plain(1)["pytype"] == "int"
    assert to_plain(float("inf"))["value"] == "inf"
    assert to_plain(np.float32(1.5))["pytype"] == "numpy.float32"
    assert to_plain(torch.Size([2, 3]))["value"] == [2, 3]
    node = to_plain((torch.ones(1, requires_grad=True) * 2).grad_fn)
    assert node["value"] is None and node["repr"] == "<MulBackward0 object at 0x…>"
    mixed = to_plain((torch.ones(1), 2))
    assert mixed["items"][0]["type"] == "tensor" and mixed["items"][1]["value"] == 2


def test_missing_feature_is_not_swallowed_by_error():
    def lacks():
        raise MissingFeature("target.linalg", "module 'target' has no attribute 'linalg'")

    with pytest.raises(MissingFeature):
        observe.error(lacks)
    with pytest.raises(MissingFeature):
        observe.warnings(lacks)
    assert to_plain(MissingFeature("target.x", "no x")) == {"type": "missing", "name": "target.x"}
    # an ordinary AttributeError is an observation like any other
    assert isinstance(observe.error(lambda: torch.ones(1).no_such_method), observe.Raised)
