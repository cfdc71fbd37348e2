"""Layer ops: ``addmm`` and ``nn.functional.linear`` (AddmmBackward0 for a matrix with a bias,
views around it for other ranks), ``softplus``."""
from __future__ import annotations

from hypothesis import strategies as st

from conformance.opdb import draws
from conformance.opdb.core import OpInfo, Operand, Param, fixed_family, param_family
from conformance.opdb.core import Recipe, shape_id
from conformance.opdb.domains import ANY

# softplus' kink where beta * x meets the threshold: the drawn values keep away from it
SOFTPLUS_SETTINGS = [(1.0, 20.0), (2.0, 1.0), (0.5, 0.25)]
SOFTPLUS_DOMAIN = ANY.away_from(*(t / b for b, t in SOFTPLUS_SETTINGS))
LINEAR_SHAPES = [(3,), (2, 3), (2, 2, 3)]


def _addmm_draw(data):
    """bias (n,), (m, n) or (1, n); mat1 (m, k); mat2 (k, n); beta and alpha."""
    m, k, n = (data.draw(st.integers(1, 3)) for _ in range(3))
    bias_shape = data.draw(st.sampled_from([(n,), (m, n), (1, n)]))
    params = {"beta": data.draw(st.sampled_from([1, 0.5])),
              "alpha": data.draw(st.sampled_from([1, 2.0]))}
    return ([draws.array(data, bias_shape), draws.array(data, (m, k)),
             draws.array(data, (k, n))], params)


def _softplus_draw(data):
    beta, threshold = data.draw(st.sampled_from(SOFTPLUS_SETTINGS))
    shape = data.draw(draws.shapes())
    return ([draws.array(data, shape, SOFTPLUS_DOMAIN)],
            {"beta": beta, "threshold": threshold})


def _linear_operands(shape):
    return (Operand("input", shape, suffix="/x"), Operand("weight", (4, 3), suffix="/w"),
            Operand("bias", (4,), suffix="/b"))


OPS = (
    OpInfo("addmm", "torch.addmm", True, cases=(
        fixed_family("addmm", lambda torch, b, m1, m2: torch.addmm(b, m1, m2),
                     (Operand("bias", (4,), suffix="/b"), Operand("mat1", (2, 3), suffix="/m1"),
                      Operand("mat2", (3, 4), suffix="/m2"))),
        fixed_family("addmm_scaled",
                     lambda torch, b, m1, m2: torch.addmm(b, m1, m2, beta=0.5, alpha=2.0),
                     (Operand("bias", (2, 4), suffix="/b"), Operand("mat1", (2, 3), suffix="/m1"),
                      Operand("mat2", (3, 4), suffix="/m2"))),
    ), recipes=(Recipe("AddmmBackward0", lambda ns, b, m1, m2, beta, alpha:
                       ns.addmm(b, m1, m2, beta=beta, alpha=alpha), _addmm_draw),)),
    OpInfo("linear", "torch.nn.functional.linear", True, cases=(
        param_family("linear", lambda torch, x, w, b, shape:
                     torch.nn.functional.linear(x, w, b), _linear_operands,
                     Param("shape", LINEAR_SHAPES, [shape_id(s) for s in LINEAR_SHAPES])),
        fixed_family("linear_no_bias",
                     lambda torch, x, w: torch.nn.functional.linear(x, w),
                     (Operand("input", (2, 3), suffix="/x"),
                      Operand("weight", (4, 3), suffix="/w"))),
    )),
    OpInfo("softplus", "torch.nn.functional.softplus", True, (SOFTPLUS_DOMAIN,), cases=(
        param_family("softplus", lambda torch, a, setting: torch.nn.functional.softplus(
            a * 10, beta=setting[0], threshold=setting[1]), (Operand("a", (3, 4)),),
            Param("setting", SOFTPLUS_SETTINGS, ["beta1-t20", "beta2-t1", "beta0.5-t0.25"])),
    ), recipes=(Recipe("SoftplusBackward0", lambda ns, a, beta, threshold:
                       ns.nn.functional.softplus(a, beta=beta, threshold=threshold),
                       _softplus_draw),)),
)
