"""grad_fn class names and the whole ``next_functions`` graph below a result.

Every case returns ``observe.graph(result, <named leaves>)``: node names in
``next_functions`` order, input numbers, shared nodes once, ``None`` for inputs that do not
require grad (python scalars and plain tensors), and ``AccumulateGrad`` nodes told apart by
the leaf they hold.
"""
from conformance import inputs, observe
from conformance.case import parametrize
from conformance.cases._common import grad_fn_name, leaf, next_names, positive_leaf, tensor


def _leaves(torch, device):
    """a, b (2, 3) random; p (2, 3) positive; c (2, 3) without requires_grad."""
    a = leaf(torch, device, inputs.randn((2, 3), "graph/a"))
    b = leaf(torch, device, inputs.randn((2, 3), "graph/b"))
    p = positive_leaf(torch, device, (2, 3), "graph/p")
    c = tensor(torch, device, inputs.randn((2, 3), "graph/c"))
    return a, b, p, c


# Each expression's name is the code it runs; a, b, p require grad, c does not.
ELEMENTWISE = {
    "a+b": lambda torch, a, b, p, c: a + b,
    "a-b": lambda torch, a, b, p, c: a - b,
    "a*b": lambda torch, a, b, p, c: a * b,
    "a/b": lambda torch, a, b, p, c: a / b,
    "-a": lambda torch, a, b, p, c: -a,
    "a**2": lambda torch, a, b, p, c: a ** 2,
    "p**0.5": lambda torch, a, b, p, c: p ** 0.5,
    "p**a": lambda torch, a, b, p, c: p ** a,
    "2**a": lambda torch, a, b, p, c: 2 ** a,
    "a+1": lambda torch, a, b, p, c: a + 1,
    "1+a": lambda torch, a, b, p, c: 1 + a,
    "a.add(1)": lambda torch, a, b, p, c: a.add(1),
    "torch.add(a,b,alpha=2)": lambda torch, a, b, p, c: torch.add(a, b, alpha=2),
    "a-1": lambda torch, a, b, p, c: a - 1,
    "1-a": lambda torch, a, b, p, c: 1 - a,
    "torch.rsub(a,1)": lambda torch, a, b, p, c: torch.rsub(a, 1),
    "a*2": lambda torch, a, b, p, c: a * 2,
    "2*a": lambda torch, a, b, p, c: 2 * a,
    "a/2": lambda torch, a, b, p, c: a / 2,
    "2/p": lambda torch, a, b, p, c: 2 / p,
    "a+c": lambda torch, a, b, p, c: a + c,
    "c+a": lambda torch, a, b, p, c: c + a,
    "a*c": lambda torch, a, b, p, c: a * c,
    "c*a": lambda torch, a, b, p, c: c * a,
    "c/p": lambda torch, a, b, p, c: c / p,
    "c-a": lambda torch, a, b, p, c: c - a,
    "a*a": lambda torch, a, b, p, c: a * a,
    "a*b+a": lambda torch, a, b, p, c: a * b + a,
}


@parametrize("expression", list(ELEMENTWISE))
def case_elementwise(torch, device, expression):
    a, b, p, c = _leaves(torch, device)
    out = ELEMENTWISE[expression](torch, a, b, p, c)
    return {"grad_fn": grad_fn_name(out), "graph": observe.graph(out, a=a, b=b, p=p)}


UNARY = {
    "exp": lambda torch, a, p: torch.exp(a),
    "a.exp()": lambda torch, a, p: a.exp(),
    "log": lambda torch, a, p: torch.log(p),
    "sin": lambda torch, a, p: torch.sin(a),
    "cos": lambda torch, a, p: torch.cos(a),
    "tanh": lambda torch, a, p: torch.tanh(a),
    "sigmoid": lambda torch, a, p: torch.sigmoid(a),
    "relu": lambda torch, a, p: torch.relu(a),
    "F.relu": lambda torch, a, p: torch.nn.functional.relu(a),
    "abs": lambda torch, a, p: torch.abs(a),
    "sqrt": lambda torch, a, p: torch.sqrt(p),
    "reciprocal": lambda torch, a, p: torch.reciprocal(p),
    "clamp(min=0)": lambda torch, a, p: torch.clamp(a, min=0),
    "clamp(-1,1)": lambda torch, a, p: torch.clamp(a, -1, 1),
    "maximum": lambda torch, a, p: torch.maximum(a, p),
    "minimum": lambda torch, a, p: torch.minimum(a, p),
    "where": lambda torch, a, p: torch.where(a > 0, a, p),
    "softmax": lambda torch, a, p: torch.softmax(a, 1),
    "log_softmax": lambda torch, a, p: torch.log_softmax(a, 1),
    "log(softmax)": lambda torch, a, p: torch.log(torch.softmax(a, 1)),
}


@parametrize("expression", list(UNARY))
def case_unary(torch, device, expression):
    a, b, p, c = _leaves(torch, device)
    out = UNARY[expression](torch, a, p)
    return {"grad_fn": grad_fn_name(out), "graph": observe.graph(out, a=a, p=p)}


REDUCTIONS = {
    "a.sum()": lambda torch, a: a.sum(),
    "torch.sum(a)": lambda torch, a: torch.sum(a),
    "a.sum(0)": lambda torch, a: a.sum(0),
    "a.sum(1,keepdim)": lambda torch, a: a.sum(1, keepdim=True),
    "a.sum(-1)": lambda torch, a: a.sum(dim=-1),
    "a.mean()": lambda torch, a: a.mean(),
    "a.mean(0)": lambda torch, a: a.mean(0),
    "a.max()": lambda torch, a: a.max(),
    "a.max(1).values": lambda torch, a: a.max(dim=1).values,
    "a.max(1)[0]": lambda torch, a: a.max(1)[0],
    "a.min()": lambda torch, a: a.min(),
    "a.min(0).values": lambda torch, a: a.min(0).values,
}


@parametrize("expression", list(REDUCTIONS))
def case_reduction(torch, device, expression):
    a, b, p, c = _leaves(torch, device)
    out = REDUCTIONS[expression](torch, a)
    return {"grad_fn": grad_fn_name(out), "graph": observe.graph(out, a=a)}


SHAPE_OPS = {
    "a.reshape(3,2)": lambda a, a1: a.reshape(3, 2),
    "a.reshape(-1)": lambda a, a1: a.reshape(-1),
    "a.view(6)": lambda a, a1: a.view(6),
    "a.T": lambda a, a1: a.T,
    "a.t()": lambda a, a1: a.t(),
    "a.transpose(0,1)": lambda a, a1: a.transpose(0, 1),
    "a.permute(1,0)": lambda a, a1: a.permute(1, 0),
    "a.unsqueeze(0)": lambda a, a1: a.unsqueeze(0),
    "a[None]": lambda a, a1: a[None],
    "a1.squeeze()": lambda a, a1: a1.squeeze(),
    "a1.squeeze(0)": lambda a, a1: a1.squeeze(0),
    "a.T.reshape(6)": lambda a, a1: a.T.reshape(6),
    "a.expand(4,2,3)": lambda a, a1: a.expand(4, 2, 3),
    "a1.expand(2,3)": lambda a, a1: a1.expand(2, 3),
    "a[0]": lambda a, a1: a[0],
    "a[:,1]": lambda a, a1: a[:, 1],
    "a[0,1]": lambda a, a1: a[0, 1],
    "a[-1]": lambda a, a1: a[-1],
    "a[0:1]": lambda a, a1: a[0:1],
    "a[:,::2]": lambda a, a1: a[:, ::2],
    "a[:]": lambda a, a1: a[:],
    "a[[0,1]]": lambda a, a1: a[[0, 1]],
    "a[a>0]": lambda a, a1: a[a > 0],
    "a.clone()": lambda a, a1: a.clone(),
    "a.double()": lambda a, a1: a.double(),
}


@parametrize("expression", list(SHAPE_OPS))
def case_shape_op(torch, device, expression):
    a, b, p, c = _leaves(torch, device)
    a1 = leaf(torch, device, inputs.randn((1, 3), "graph/a1"))
    out = SHAPE_OPS[expression](a, a1)
    return {"grad_fn": grad_fn_name(out), "graph": observe.graph(out, a=a, a1=a1)}


# reshape of a non-contiguous input: a view (ReshapeAliasBackward0 over the view's node) when
# the strides allow one, otherwise a copy (UnsafeViewBackward0 over CloneBackward0). x is
# (3, 2, 3); each name is the code it runs.
RESHAPES_OF_VIEWS = {
    "x.transpose(0,1).reshape(2,3,3)": lambda x: x.transpose(0, 1).reshape(2, 3, 3),
    "x.transpose(0,1).reshape(-1,3,3)": lambda x: x.transpose(0, 1).reshape(-1, 3, 3),
    "x.transpose(0,1).reshape(2,3,1,3)": lambda x: x.transpose(0, 1).reshape(2, 3, 1, 3),
    "x.transpose(0,1).reshape(2,9)": lambda x: x.transpose(0, 1).reshape(2, 9),
    "x.permute(2,0,1).reshape(3,6)": lambda x: x.permute(2, 0, 1).reshape(3, 6),
    "x[:,:,::2].reshape(6,2)": lambda x: x[:, :, ::2].reshape(6, 2),
    "x[:,:,::2].reshape(3,4)": lambda x: x[:, :, ::2].reshape(3, 4),
    "x.transpose(0,1).reshape(2,3,3).reshape(6,3)":
        lambda x: x.transpose(0, 1).reshape(2, 3, 3).reshape(6, 3),
}


@parametrize("expression", list(RESHAPES_OF_VIEWS))
def case_reshape_of_view(torch, device, expression):
    x = leaf(torch, device, inputs.randn((3, 2, 3), "graph/reshape_of_view/x"))
    out = RESHAPES_OF_VIEWS[expression](x)
    return {"grad_fn": grad_fn_name(out), "graph": observe.graph(out, x=x),
            "out.shape": tuple(out.shape), "out.is_contiguous()": out.is_contiguous()}


JOINS = {
    "cat([a,b])": lambda torch, a, b, c: torch.cat([a, b]),
    "cat([a,b],1)": lambda torch, a, b, c: torch.cat([a, b], 1),
    "cat([a,c])": lambda torch, a, b, c: torch.cat([a, c]),
    "cat([c,a])": lambda torch, a, b, c: torch.cat([c, a]),
    "cat((a,))": lambda torch, a, b, c: torch.cat((a,)),
    "stack([a,b])": lambda torch, a, b, c: torch.stack([a, b]),
    "stack([c,a],1)": lambda torch, a, b, c: torch.stack([c, a], 1),
    "stack([a,a])": lambda torch, a, b, c: torch.stack([a, a]),
}


@parametrize("expression", list(JOINS))
def case_join(torch, device, expression):
    a, b, p, c = _leaves(torch, device)
    out = JOINS[expression](torch, a, b, c)
    return {"grad_fn": grad_fn_name(out), "graph": observe.graph(out, a=a, b=b)}


# matmul decomposes by operand shapes; the full trees differ for every combination.
MATMUL_SHAPES = {
    "1d@1d": ((3,), (3,)),
    "1d@2d": ((3,), (3, 4)),
    "2d@1d": ((2, 3), (3,)),
    "2d@2d": ((2, 3), (3, 4)),
    "3d@3d": ((5, 2, 3), (5, 3, 4)),
    "3d@2d": ((5, 2, 3), (3, 4)),
    "2d@3d": ((2, 3), (5, 3, 4)),
    "3d@1d": ((5, 2, 3), (3,)),
    "1d@3d": ((2,), (5, 2, 3)),
    "4d@3d": ((2, 1, 2, 3), (5, 3, 4)),
}


@parametrize("combination", list(MATMUL_SHAPES))
def case_matmul(torch, device, combination):
    shape_a, shape_b = MATMUL_SHAPES[combination]
    a = leaf(torch, device, inputs.randn(shape_a, "graph/matmul/a"))
    b = leaf(torch, device, inputs.randn(shape_b, "graph/matmul/b"))
    out = torch.matmul(a, b)
    return {"out.shape": tuple(out.shape), "graph": observe.graph(out, a=a, b=b)}


def case_matmul_one_side_detached(torch, device):
    a = leaf(torch, device, inputs.randn((2, 3), "graph/mm1/a"))
    b = leaf(torch, device, inputs.randn((3, 4), "graph/mm1/b"))
    return {"a @ b.detach()": observe.graph(a @ b.detach(), a=a, b=b),
            "a.detach() @ b": observe.graph(a.detach() @ b, a=a, b=b),
            "1d x @ 2d b (x plain)": observe.graph(
                torch.matmul(tensor(torch, device, inputs.randn((2,), "graph/mm1/x")), a), a=a)}


def case_mm_mv_dot(torch, device):
    A = leaf(torch, device, inputs.randn((2, 3), "graph/mmv/A"))
    B = leaf(torch, device, inputs.randn((3, 4), "graph/mmv/B"))
    v = leaf(torch, device, inputs.randn((3,), "graph/mmv/v"))
    return {"mm": observe.graph(torch.mm(A, B), A=A, B=B),
            "mv": observe.graph(torch.mv(A, v), A=A, v=v),
            "dot": observe.graph(torch.dot(v, v), v=v),
            "A @ A.T": observe.graph(A @ A.T, A=A),
            "A.t().mm(A)": observe.graph(A.t().mm(A), A=A)}


def case_losses(torch, device):
    x = leaf(torch, device, inputs.randn((2, 3), "graph/loss/x"))
    q = leaf(torch, device, inputs.uniform((2, 3), "graph/loss/q", low=0.1, high=0.9))
    y = tensor(torch, device, (inputs.randn((2, 3), "graph/loss/y") > 0).astype("float32"))
    classes = tensor(torch, device, inputs.integers((2,), "graph/loss/cls", high=3))
    F = torch.nn.functional
    return {
        "mse_loss(x,y)": observe.graph(F.mse_loss(x, y), x=x, q=q),
        "mse_loss(x,q)": observe.graph(F.mse_loss(x, q), x=x, q=q),
        "binary_cross_entropy(q,y)": observe.graph(F.binary_cross_entropy(q, y), x=x, q=q),
        "binary_cross_entropy(sigmoid(x),y)": observe.graph(
            F.binary_cross_entropy(torch.sigmoid(x), y), x=x, q=q),
        "bce_with_logits(x,y)": observe.graph(F.binary_cross_entropy_with_logits(x, y), x=x),
        "cross_entropy(x,cls)": observe.graph(F.cross_entropy(x, classes), x=x),
        "nll_loss(log_softmax(x),cls)": observe.graph(
            F.nll_loss(F.log_softmax(x, 1), classes), x=x),
    }


def case_shared_subexpression_is_one_node(torch, device):
    a = leaf(torch, device, inputs.randn((3,), "graph/shared/a"))
    h = a.exp()
    out = h * h + h
    return {"graph": observe.graph(out, a=a),
            "both MulBackward0 inputs are the same ExpBackward0":
                out.grad_fn.next_functions[0][0].next_functions[0][0]
                is out.grad_fn.next_functions[0][0].next_functions[1][0]}


def case_accumulate_grad_node_shared_across_graphs(torch, device):
    a = leaf(torch, device, inputs.randn((2,), "graph/acc/a"))
    y1 = a * 2
    y2 = a * 3
    acc1 = y1.grad_fn.next_functions[0][0]
    acc2 = y2.grad_fn.next_functions[0][0]
    return {
        "name": type(acc1).__name__,
        "same node for both graphs": acc1 is acc2,
        "variable is a": acc1.variable is a,
        "next_functions": tuple(acc1.next_functions),
    }


def case_next_functions_raw(torch, device):
    a, b, p, c = _leaves(torch, device)
    inner = a * 2 + c
    out = inner.sum()
    return {
        "out": next_names(out),
        "inner": next_names(inner),
        "out's next function is inner.grad_fn": out.grad_fn.next_functions[0][0] is inner.grad_fn,
        "grad_fn.name()": out.grad_fn.name(),
        "grad_fn is stable": out.grad_fn is out.grad_fn,
    }


def case_no_node_for_same_dtype_conversions(torch, device):
    a, b, p, c = _leaves(torch, device)
    return {
        "a.float() is a": a.float() is a,
        "a.to(torch.float32) is a": a.to(torch.float32) is a,
        "a.contiguous() is a": a.contiguous() is a,
        "a.double() grad_fn": grad_fn_name(a.double()),
        "a.detach() grad_fn": grad_fn_name(a.detach()),
    }


def case_deep_chain(torch, device):
    a = leaf(torch, device, inputs.randn((3,), "graph/deep/a"))
    out = a
    for step in range(40):
        out = out * 1.01 if step % 2 else out + 0.5
    return {"graph": observe.graph(out.sum(), a=a)}


def case_in_place_on_non_leaf_rebases_grad_fn(torch, device):
    a = leaf(torch, device, inputs.randn((3,), "graph/inplace/a"))
    y = a * 1
    before = grad_fn_name(y)
    y.add_(1)
    return {"before": before, "after": grad_fn_name(y), "graph": observe.graph(y, a=a),
            "y": y}


def case_mixed_no_grad_operand(torch, device):
    a = leaf(torch, device, inputs.randn((3,), "graph/mixed/a"))
    with torch.no_grad():
        y = a * 2
    z = y * a
    return {"graph": observe.graph(z, a=a), "z": z}
