"""Legacy spellings still found in tutorials: ``autograd.Variable`` (a plain Tensor now),
``torch.FloatTensor``/``DoubleTensor``/``LongTensor`` constructors and ``isinstance`` checks,
``.data`` (a detached alias with its own version counter) and ``type('torch.LongTensor')``.
These tensors are made on the CPU on every lane, as the legacy constructors make them.
"""
import numpy as np

from conformance import observe
from conformance.case import parametrize
from conformance.cases._common import flags, leaf, tensor


def case_variable_is_a_tensor(torch, device):
    Variable = torch.autograd.Variable
    x = leaf(torch, device, np.array([1.0, 2.0], dtype="float32"))
    y = x * 2
    v = Variable(y)
    w = Variable(tensor(torch, device, np.array([3.0], dtype="float32")), requires_grad=True)
    return {"Variable(y)": flags(v), "values": v, "not the same object": v is not y,
            "shares the version counter": v._version == y._version,
            "requires_grad=True": flags(w), "isinstance": isinstance(x, Variable),
            "volatile": observe.warnings(lambda: Variable(x.detach(), volatile=True)),
            "from a list": observe.error(lambda: Variable([1, 2])),
            "ints with grad": observe.error(lambda: Variable(
                tensor(torch, device, np.array([1, 2])), requires_grad=True))}


def case_variable_backward(torch, device):
    Variable = torch.autograd.Variable
    x = Variable(tensor(torch, device, np.array([1.0, 2.0, 3.0], dtype="float32")),
                 requires_grad=True)
    y = (x * x).sum()
    y.backward()
    return {"y": y, "x.grad": x.grad, "grad_fn": type(y.grad_fn).__name__}


LEGACY = {
    "FloatTensor(2, 3).shape": lambda torch: tuple(torch.FloatTensor(2, 3).shape),
    "FloatTensor([1, 2])": lambda torch: torch.FloatTensor([1, 2]),
    "FloatTensor([[1, 2], [3, 4]])": lambda torch: torch.FloatTensor([[1, 2], [3, 4]]),
    "DoubleTensor([1.5])": lambda torch: torch.DoubleTensor([1.5]),
    "LongTensor([1.7, -2.7])": lambda torch: torch.LongTensor([1.7, -2.7]),
    "LongTensor(3).shape": lambda torch: tuple(torch.LongTensor(3).shape),
    "IntTensor([1])": lambda torch: torch.IntTensor([1]),
    "BoolTensor([1, 0])": lambda torch: torch.BoolTensor([1, 0]),
    "FloatTensor()": lambda torch: torch.FloatTensor(),
    "FloatTensor(np.array)": lambda torch: torch.FloatTensor(np.array([1, 2])),
    "FloatTensor(Size)": lambda torch: tuple(torch.FloatTensor(torch.Size([2, 3])).shape),
    "FloatTensor(2.5)": lambda torch: torch.FloatTensor(2.5),
    "FloatTensor(long tensor)": lambda torch: torch.FloatTensor(
        torch.LongTensor([1, 2])),
    "FloatTensor ragged": lambda torch: torch.FloatTensor([[1, 2], [3]]),
}


@parametrize("expression", list(LEGACY))
def case_legacy_constructor(torch, device, expression):
    made = observe.error(lambda: LEGACY[expression](torch))
    observed = {"made": made}
    if hasattr(made, "dtype"):
        observed["dtype"] = str(made.dtype)
        observed["type()"] = made.type()
    return observed


def case_legacy_isinstance_and_type(torch, device):
    f = torch.FloatTensor([1.0, 2.0])
    i = torch.LongTensor([1, 2])
    return {"f is FloatTensor": isinstance(f, torch.FloatTensor),
            "i is FloatTensor": isinstance(i, torch.FloatTensor),
            "i is LongTensor": isinstance(i, torch.LongTensor),
            "f.type(LongTensor)": f.type(torch.LongTensor),
            "f.type('torch.DoubleTensor')": f.type("torch.DoubleTensor"),
            "f.type(int64)": f.type(torch.int64),
            "bad name": observe.error(lambda: f.type("float"))}


def case_data_is_a_detached_alias(torch, device):
    x = leaf(torch, device, np.array([1.0, 2.0], dtype="float32"))
    d = x.data
    before = x._version
    d.add_(1)
    y = x * 3
    return {"x.data": flags(d), "x after data.add_(1)": x,
            "x version unchanged": x._version == before, "data version": d._version,
            "y.data": flags(y.data)}


def case_data_assignment(torch, device):
    x = leaf(torch, device, np.array([1.0, 2.0], dtype="float32"))
    x.data = tensor(torch, device, np.array([5.0, 6.0, 7.0], dtype="float64"))

    def to_ints():
        z = leaf(torch, device, np.array([1.0], dtype="float32"))
        z.data = tensor(torch, device, np.array([1, 2]))

    def to_list():
        z = tensor(torch, device, np.array([1.0], dtype="float32"))
        z.data = [1]

    return {"x": x, "flags": flags(x), "dtype": str(x.dtype),
            "int data on a leaf that requires grad": observe.error(to_ints),
            "non-tensor": observe.error(to_list)}
