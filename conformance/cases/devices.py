"""Device objects and what holds on every lane: ``torch.device`` parsing, printing, equality
and its errors; moving to the CPU; the default device. (What a machine without CUDA answers -
``cuda.is_available()``, the errors of ``.cuda()`` - depends on the lane's machine, so it is
checked against a CPU-only torch in refgrad's own tests.)
"""
import numpy as np

from conformance import observe
from conformance.case import parametrize
from conformance.cases._common import tensor

SPECS = ["cpu", "cpu:0", "cuda", "cuda:1", "meta", "mps"]


@parametrize("spec", SPECS)
def case_device_object(torch, device, spec):
    d = torch.device(spec)
    return {"repr": repr(d), "str": str(d), "type": d.type, "index": d.index,
            "equal to itself": d == torch.device(spec),
            "equal to its string": d == spec,
            "rebuilt": repr(torch.device(d))}


def case_device_with_index_argument(torch, device):
    return {"('cuda', 1)": repr(torch.device("cuda", 1)),
            "('cpu', 0)": repr(torch.device("cpu", 0)),
            "type=, index=": repr(torch.device(type="cuda", index=2)),
            "cuda != cuda:0": torch.device("cuda") != torch.device("cuda:0"),
            "hashable": len({torch.device("cpu"), torch.device("cpu"),
                             torch.device("cpu:0")})}


BAD_SPECS = ["foo", "CUDA", "cuda:x", "cuda:-1", "cuda:0:1"]


@parametrize("spec", BAD_SPECS)
def case_device_errors(torch, device, spec):
    return {"error": observe.error(lambda: torch.device(spec))}


def case_device_negative_index(torch, device):
    return {"error": observe.error(lambda: torch.device("cuda", -1))}


def case_to_cpu(torch, device):
    t = tensor(torch, device, np.array([1.0, 2.0], dtype="float32"))
    on_cpu = t.to("cpu")
    return {"device": str(on_cpu.device), "is_cuda": on_cpu.is_cuda, "values": on_cpu,
            "cpu()": str(t.cpu().device), "to(cpu, int64)": t.to("cpu", torch.int64),
            "to(device=cpu)": str(t.to(device=torch.device("cpu")).device),
            "is_cpu": t.cpu().is_cpu, "get_device": t.cpu().get_device()}


def case_default_device(torch, device):
    before = repr(torch.get_default_device())
    torch.set_default_device("cpu")
    try:
        made = torch.zeros(2)
        inside = repr(torch.get_default_device())
    finally:
        torch.set_default_device(None)
    return {"before": before, "inside": inside, "made on": str(made.device),
            "after": repr(torch.get_default_device())}
