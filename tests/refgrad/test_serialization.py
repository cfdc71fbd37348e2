"""torch.save/torch.load in refgrad's own format: round trips of tensors (every dtype), state
dicts and nested containers through paths and file objects; weights_only; map_location."""
import collections
import io
import pickle
import re

import numpy as np
import pytest

import refgrad
from refgrad import serialization


def _round_trip(obj, **load_kwargs):
    buffer = io.BytesIO()
    refgrad.save(obj, buffer)
    buffer.seek(0)
    return refgrad.load(buffer, **load_kwargs)


@pytest.mark.parametrize("dtype", ["float32", "float64", "float16", "bfloat16", "int64",
                                   "int32", "bool"])
@pytest.mark.parametrize("shape", [(), (0,), (3,), (2, 3)])
def test_tensor_round_trip(dtype, shape):
    data = (np.arange(int(np.prod(shape))).reshape(shape) % 3).astype("float64") - 0.75
    t = refgrad.tensor(data).to(getattr(refgrad, dtype))
    back = _round_trip(t)
    assert back.dtype is t.dtype and back.shape == t.shape
    assert np.array_equal(np.asarray(back.double().numpy()), np.asarray(t.double().numpy()))
    assert back.is_leaf and not back.requires_grad


def test_non_contiguous_and_requires_grad():
    t = refgrad.arange(6.0).reshape(2, 3).t()
    back = _round_trip(t)
    assert back.tolist() == t.tolist()
    leaf = refgrad.ones(2, requires_grad=True)
    assert _round_trip(leaf).requires_grad


def test_state_dict_to_a_path(tmp_path):
    refgrad.manual_seed(0)
    state = collections.OrderedDict(weight=refgrad.randn(2, 3), bias=refgrad.zeros(3),
                                    steps=refgrad.tensor(4))
    path = tmp_path / "model.pt"
    refgrad.save(state, path)
    back = refgrad.load(str(path), map_location="cpu")
    assert type(back) is collections.OrderedDict and list(back) == list(state)
    for name in state:
        assert back[name].equal(state[name]) and back[name] is not state[name]


def test_identity_and_plain_data_survive():
    x = refgrad.ones(2)
    back = _round_trip({"a": x, "b": x, "size": refgrad.Size([2, 3]),
                        "dtype": refgrad.bfloat16, "device": refgrad.device("cpu"),
                        "other": [1, 2.5, "s", None, (True,), {3}, b"raw"]})
    assert back["a"] is back["b"]
    assert back["size"] == refgrad.Size([2, 3]) and repr(back["size"]) == "torch.Size([2, 3])"
    assert back["dtype"] is refgrad.bfloat16 and back["device"] == refgrad.device("cpu")
    assert back["other"] == [1, 2.5, "s", None, (True,), {3}, b"raw"]


class Custom:
    def __init__(self):
        self.value = refgrad.ones(1)


def test_weights_only_refuses_unknown_globals():
    buffer = io.BytesIO()
    refgrad.save(Custom(), buffer)
    buffer.seek(0)
    name = f"{Custom.__module__}.Custom"
    with pytest.raises(pickle.UnpicklingError, match=re.escape(
            f"Unsupported global: GLOBAL {name} was not an allowed global")):
        refgrad.load(buffer)
    buffer.seek(0)
    assert refgrad.load(buffer, weights_only=False).value.tolist() == [1.0]
    buffer.seek(0)
    with serialization.safe_globals([Custom]):
        assert isinstance(refgrad.load(buffer), Custom)
    assert Custom not in serialization.get_safe_globals()


def test_map_location_cuda_and_foreign_files():
    buffer = io.BytesIO()
    refgrad.save(refgrad.ones(1), buffer)
    buffer.seek(0)
    with pytest.raises(RuntimeError, match="torch.cuda.is_available\\(\\) is False"):
        refgrad.load(buffer, map_location="cuda")
    with pytest.raises(RuntimeError, match="not a file written by refgrad.save"):
        refgrad.load(io.BytesIO(b"PK\x03\x04 a zip from elsewhere"))
