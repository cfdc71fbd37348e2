"""Devices against the CPU-only torch of this environment (what a machine without CUDA sees):
torch.cuda, torch.accelerator, .cuda()/.to('cuda')/device='cuda' errors, the default device.
"""
import pytest
import torch

import refgrad


def _outcome(fn):
    try:
        return ("value", repr(fn()))
    except Exception as exc:  # noqa: BLE001 - the exception is what is compared
        return (type(exc).__name__, str(exc))


CALLS = {
    "cuda.is_available()": lambda t: t.cuda.is_available(),
    "cuda.device_count()": lambda t: t.cuda.device_count(),
    "cuda.is_initialized()": lambda t: t.cuda.is_initialized(),
    "cuda.current_device()": lambda t: t.cuda.current_device(),
    "cuda.synchronize()": lambda t: t.cuda.synchronize(),
    "cuda.get_device_name()": lambda t: t.cuda.get_device_name(),
    "cuda.manual_seed(0)": lambda t: t.cuda.manual_seed(0),
    "cuda.manual_seed_all(0)": lambda t: t.cuda.manual_seed_all(0),
    "cuda.empty_cache()": lambda t: t.cuda.empty_cache(),
    "cuda.memory_allocated()": lambda t: t.cuda.memory_allocated(),
    "cuda.FloatTensor([1])": lambda t: t.cuda.FloatTensor([1]),
    "accelerator.is_available()": lambda t: t.accelerator.is_available(),
    "accelerator.current_accelerator()": lambda t: t.accelerator.current_accelerator(),
    "accelerator.device_count()": lambda t: t.accelerator.device_count(),
    "accelerator.current_device_index()": lambda t: t.accelerator.current_device_index(),
    "accelerator.set_device_index(0)": lambda t: t.accelerator.set_device_index(0),
    "accelerator.synchronize()": lambda t: t.accelerator.synchronize(),
    "accelerator.empty_cache()": lambda t: t.accelerator.empty_cache(),
    "ones(2).cuda()": lambda t: t.ones(2).cuda(),
    "ones(2).cuda(0)": lambda t: t.ones(2).cuda(0),
    "ones(2).to('cuda')": lambda t: t.ones(2).to("cuda"),
    "ones(2).to(device('cuda:1'))": lambda t: t.ones(2).to(t.device("cuda:1")),
    "ones(2).to(device='cuda')": lambda t: t.ones(2).to(device="cuda"),
    "tensor([1.], device='cuda')": lambda t: t.tensor([1.0], device="cuda"),
    "zeros(2, device='cuda:0')": lambda t: t.zeros(2, device="cuda:0"),
    "device(1)": lambda t: t.device(1),
    "get_default_device()": lambda t: t.get_default_device(),
    "ones(2).to('foo')": lambda t: t.ones(2).to("foo"),
    "ones(2).is_cuda": lambda t: t.ones(2).is_cuda,
    "ones(2).get_device()": lambda t: t.ones(2).get_device(),
}


@pytest.mark.parametrize("call", list(CALLS))
def test_like_torch_without_cuda(call):
    assert _outcome(lambda: CALLS[call](refgrad)) == _outcome(lambda: CALLS[call](torch))


def test_accelerator_index_context():
    with refgrad.accelerator.device_index(None):
        pass
    with pytest.raises(RuntimeError, match="none is available"):
        with refgrad.accelerator.device_index(0):
            pass


def test_default_device_cuda_fails_where_torch_does():
    for lib in (refgrad, torch):
        lib.set_default_device("cuda")
        try:
            assert _outcome(lib.get_default_device)[0] == "AssertionError"
            assert _outcome(lambda: lib.ones(2)) == ("AssertionError",
                                                     "Torch not compiled with CUDA enabled")
        finally:
            lib.set_default_device(None)
        assert repr(lib.get_default_device()) == "device(type='cpu')"
        assert lib.ones(2).device.type == "cpu"


def test_other_device_types_are_refused_clearly():
    with pytest.raises(RuntimeError, match="CPU only: device 'meta'"):
        refgrad.ones(2, device="meta")
    assert repr(refgrad.device("meta")) == "device(type='meta')"
