"""observe.graph on nodes whose Python wrappers live only while referenced (as torch's do)."""
import weakref

from conformance import observe


class _CoreNode:
    """The engine-side node: holds its inputs, has no stable Python identity of its own."""

    def __init__(self, name, inputs):
        self.name = name
        self.inputs = inputs


class _Wrapper:
    """A node as seen from Python: built on access, cached only while someone holds it."""
    _cache = weakref.WeakValueDictionary()

    def __init__(self, core):
        self.core = core

    @classmethod
    def of(cls, core):
        wrapper = cls._cache.get(id(core))
        if wrapper is None:
            wrapper = cls(core)
            cls._cache[id(core)] = wrapper
        return wrapper

    @property
    def next_functions(self):
        return tuple((None if c is None else _Wrapper.of(c), 0) for c in self.core.inputs)


def test_a_long_chain_of_transient_wrappers_is_walked_without_false_cycles():
    core = _CoreNode("Leaf", [])
    for _ in range(40):
        core = _CoreNode("Mul", [core, None])
    walked = observe.graph(_Wrapper.of(core))
    assert len([n for n in walked.nodes if n.name != "None"]) == 41
    # A chain has no back edge: every edge goes to a node discovered after its source.
    assert all(edge.dst > edge.src for edge in walked.edges)


def test_a_shared_node_is_one_node():
    shared = _CoreNode("Shared", [])
    top = _CoreNode("Add", [_CoreNode("Left", [shared]), _CoreNode("Right", [shared])])
    walked = observe.graph(_Wrapper.of(top))
    assert [n.name for n in walked.nodes].count("_Wrapper") == 4
    assert len(walked.edges) == 4


def test_a_torch_zero_tensor_is_read_by_value():
    """Double backward through abs hands out torch's immutable ZeroTensor, which has no
    numpy(); its values are still observed (as zeros), its flags from the tensor itself."""
    torch = __import__("torch")
    x = torch.tensor([1.0, -2.0], requires_grad=True)
    (g,) = torch.autograd.grad(x.abs().sum(), x, create_graph=True)
    (gg,) = torch.autograd.grad(g.sum(), x, create_graph=True)
    assert gg._is_zerotensor()
    plain = observe.to_plain(gg)
    assert plain["values"] == [0.0, 0.0]
    assert plain["dtype"] == "torch.float32" and plain["shape"] == [2]
