"""Lanes: the target by name, torch on CPU, torch on CUDA (never passed when absent)."""
import pytest
import torch

from conformance import lanes
from conformance.observe import MissingFeature

SKEWED = "tests.conformance.sample_targets.skewed"


def test_target_resolution_order(monkeypatch):
    monkeypatch.delenv(lanes.TARGET_ENV, raising=False)
    assert lanes.resolve_target(None) == "refgrad"
    monkeypatch.setenv(lanes.TARGET_ENV, "torch")
    assert lanes.resolve_target(None) == "torch"
    assert lanes.resolve_target("numpy") == "numpy"
    made = lanes.make_lanes(None)
    assert made["target"].module_name == "torch"


def test_lanes_names_devices_and_cuda_not_run(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    made = lanes.make_lanes("torch")
    assert list(made) == ["target", "torch-cpu", "torch-cuda"]
    assert [lane.device for lane in made.values()] == ["cpu", "cpu", "cuda"]
    assert made["target"].status == made["torch-cpu"].status == "run"
    cuda = made["torch-cuda"]
    assert cuda.status == "not_run" and "CUDA is not available" in cuda.reason
    assert cuda.describe()["reason"] == cuda.reason
    off = lanes.make_lanes("torch", want_cuda=False)["torch-cuda"]
    assert off.status == "not_run" and "--no-cuda" in off.reason


def test_cuda_lane_runs_when_available(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert lanes.make_lanes("torch")["torch-cuda"].status == "run"


def test_target_namespace_names_what_is_missing():
    namespace = lanes.make_lanes(SKEWED)["target"].namespace
    assert namespace.exp is not None and namespace.float32 is torch.float32
    with pytest.raises(MissingFeature) as info:
        namespace.sigmoid
    assert info.value.qualified_name == f"{SKEWED}.sigmoid"
    with pytest.raises(MissingFeature) as info:
        namespace.nn.functional.no_such_loss
    assert info.value.qualified_name == f"{SKEWED}.nn.functional.no_such_loss"
    assert isinstance(info.value, AttributeError)


def test_unimportable_target_is_a_clear_error():
    with pytest.raises(ImportError, match="conformance target 'no_such_module_xyz'"):
        lanes.make_lanes("no_such_module_xyz")


def test_pin_threads_sets_one_thread(monkeypatch):
    monkeypatch.setenv("OMP_NUM_THREADS", "8")
    lanes.pin_threads()
    import os
    assert os.environ["OMP_NUM_THREADS"] == "1" and torch.get_num_threads() == 1
