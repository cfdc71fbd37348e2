# The steps of the "Hooks for autograd saved tensors" tutorial as one program: what a node
# saves, packing and unpacking, hooks that store anything (an index, a tuple, a string),
# saving to the CPU (save_on_cpu, also around one layer), and saving to a temporary folder
# with files that delete themselves once the graph is freed (DataParallel around the model).
import os
import tempfile
import uuid

import torch
import torch.nn as nn

# what a node saves
u = torch.randn(4, requires_grad=True)
v = torch.ones(4, requires_grad=True)
prod = u * v
print(prod.grad_fn._saved_self)
print(prod.grad_fn._saved_other)
print(prod.grad_fn._saved_self is u, prod.grad_fn._saved_other is v)


def square(t):
    return t * t


w = torch.randn(4, requires_grad=True)
deep = square(square(square(w)))
print(deep.grad_fn, deep.grad_fn._saved_self.grad_fn)

expd = torch.exp(u)
print(expd.grad_fn._saved_result.equal(expd), expd.grad_fn._saved_result is expd)


# packing and unpacking, announced
def announce_pack(t):
    print("pack", t)
    return t


def announce_unpack(t):
    print("unpack", t)
    return t


ones = torch.ones(4, requires_grad=True)
twos = torch.ones(4, requires_grad=True) * 2
with torch.autograd.graph.saved_tensors_hooks(announce_pack, announce_unpack):
    prod = ones * twos
print("forward over")
prod.sum().backward()
print(ones.grad)

# a scaled copy undone on unpacking
w = torch.randn(4, requires_grad=True)
with torch.autograd.graph.saved_tensors_hooks(lambda t: t * 8, lambda t: t / 8):
    sq = torch.pow(w, 2)
sq.sum().backward()
print(w.grad.equal(2 * w), w.grad)

# an index into a list
kept = []


def keep(t):
    kept.append(t)
    return len(kept) - 1


w = torch.randn(4, requires_grad=True)
with torch.autograd.graph.saved_tensors_hooks(keep, lambda i: kept[i]):
    sq = w * w
sq.sum().backward()
print(len(kept), w.grad.equal(2 * w))


# a shifted tensor with the function that shifts it back
def shift(t):
    delta = torch.randn(*t.size())
    return t - delta, lambda s: s + delta


w = torch.randn(4, requires_grad=True)
with torch.autograd.graph.saved_tensors_hooks(shift, lambda p: p[1](p[0])):
    sq = w * w
sq.sum().backward()
print(torch.allclose(w.grad, 2 * w))

# the tensor's repr, evaluated back
w = torch.randn(4, requires_grad=True)
with torch.autograd.graph.saved_tensors_hooks(repr, lambda s: eval("torch." + s)):
    sq = w * w
sq.sum().backward()
print(bool(torch.all(w.grad - 2 * w <= 1e-4)))


# to the CPU and back to the device
def to_cpu(t):
    return (t.device, t.cpu())


def back_to_device(packed):
    device, t = packed
    return t.to(device)


w = torch.randn(4, requires_grad=True)
with torch.autograd.graph.saved_tensors_hooks(to_cpu, back_to_device):
    sq = w * w
print(sq.grad_fn._saved_self.device)
sq.sum().backward()
print(torch.allclose(w.grad, 2 * w))


class Scale(nn.Module):
    def __init__(self):
        super().__init__()
        self.w = nn.Parameter(torch.randn(4))

    def forward(self, x):
        with torch.autograd.graph.save_on_cpu(pin_memory=True):
            return self.w * x


inp = torch.randn(4)
scale = Scale()
scale(inp).sum().backward()
print(scale.w.grad.equal(inp))


class OnCpu(nn.Module):
    def __init__(self, module):
        super().__init__()
        self.module = module

    def forward(self, *args, **kwargs):
        with torch.autograd.graph.save_on_cpu(pin_memory=True):
            return self.module(*args, **kwargs)


net = nn.Sequential(nn.Linear(6, 12), OnCpu(nn.Linear(12, 12)), nn.Linear(12, 3))
net(torch.randn(6)).sum().backward()
print(net[1].module.weight.grad.shape, net[1].module.bias.grad)

# to a temporary folder
folder = tempfile.TemporaryDirectory()


def to_file(t):
    name = os.path.join(folder.name, str(uuid.uuid4()))
    torch.save(t, name)
    return name


def read_and_remove(name):
    t = torch.load(name)
    os.remove(name)
    return t


w = torch.ones(4, requires_grad=True)
with torch.autograd.graph.saved_tensors_hooks(to_file, read_and_remove):
    sq = w.pow(2)
print(sq.grad_fn._saved_self)
try:
    print(sq.grad_fn._saved_self)
    print("read twice")
except FileNotFoundError:
    print("the file was gone the second time")


class TempFile:
    def __init__(self):
        self.name = os.path.join(folder.name, str(uuid.uuid4()))

    def __del__(self):
        os.remove(self.name)


BIG = 25


def pack_big_to_file(t):
    if t.numel() < BIG:
        return t
    temp = TempFile()
    torch.save(t, temp.name)
    return temp


def unpack_big(packed):
    if isinstance(packed, torch.Tensor):
        return packed
    return torch.load(packed.name)


class OnDisk(nn.Module):
    def __init__(self, module):
        super().__init__()
        self.module = module

    def forward(self, *args, **kwargs):
        with torch.autograd.graph.saved_tensors_hooks(pack_big_to_file, unpack_big):
            return self.module(*args, **kwargs)


net = nn.DataParallel(OnDisk(nn.Sequential(nn.Linear(8, 10), nn.Tanh(), nn.Linear(10, 2))))
out = net(torch.randn(3, 8)).sum()
print("files while the graph lives:", len(os.listdir(folder.name)))
out.backward()
print("files after backward:", len(os.listdir(folder.name)))
print(net.module.module[0].bias.grad)
