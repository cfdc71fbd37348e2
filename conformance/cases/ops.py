"""The op cases: one family over the op catalogue (:mod:`conformance.opdb`).

Every instance builds its operands from seeded NumPy values inside the op's domain, calls the
op as the catalogue spells it, and observes the forward value, dtype, shape and grad_fn name,
the vector-Jacobian product against a seeded random cotangent for every operand that requires
grad, and whatever else the family names (indices, a ZeroTensor's immutability, the graph of
a gradient). Its id is ``ops::<family>[<params>]``.
"""
from conformance import opdb
from conformance.case import family
from conformance.cases._common import forward_and_vjp


@family(opdb.case_instances())
def case_op(torch, device, name, **params):
    spec = opdb.FAMILIES[name]
    dtype, vjp_dtype = spec.dtype_pair(params)
    key = spec.key_for(params, dtype)
    operands = spec.operands_for(params)
    tensors = [operand.tensor(torch, device, key, dtype) for operand in operands]
    result = spec.run(torch, tensors, params)
    observed = {}
    if spec.vjp:
        differentiable = {o.name: t for o, t in zip(operands, tensors) if o.grad}
        observed = forward_and_vjp(torch, device, spec.output(result), differentiable, key,
                                   vjp_dtype)
    observed.update(spec.more(result, observed, tensors))
    return observed
