"""Hand-built JSON reports in the format of conformance/report/schema.py.

``sample_report()`` is a small run with one record of every status and every kind of value
(1-D, 2-D, 0-D and truncated tensors, errors, warnings, graphs that differ, reprs, a missing
name), plus one record whose name, message and repr try to inject markup.
``many_records_report(n)`` repeats those shapes to ``n`` records for the speed measurement.
"""
from __future__ import annotations

import copy
import html
import json
import math
import re

from conformance.report.schema import PAIRS, SCHEMA_VERSION, STATUSES, UNEXPECTED

HOSTILE_SCRIPT = "<script>window.__injected = 1; alert(1)</script>"
HOSTILE_IMG = '<img src=x onerror="window.__injected = 2; alert(2)">'


# --------------------------------------------------------------------------------------------
# Values


def tensor(values, shape, *, dtype="torch.float32", requires_grad=False, is_leaf=True,
           grad_fn=None, device="cpu", truncated=False, stats=None):
    flat = list(_flatten(values))
    numbers = [v for v in flat if isinstance(v, (int, float))]
    return {
        "type": "tensor", "dtype": dtype, "shape": list(shape), "device": device,
        "requires_grad": requires_grad, "is_leaf": is_leaf, "grad_fn": grad_fn,
        "values": values, "truncated": truncated,
        "stats": stats or {
            "min": min(numbers, default=0.0), "max": max(numbers, default=0.0),
            "mean": sum(numbers) / len(numbers) if numbers else 0.0,
            "nan": sum(1 for v in flat if v == "nan"),
            "inf": sum(1 for v in flat if v in ("inf", "-inf")),
        },
    }


def _flatten(values):
    if isinstance(values, list):
        for v in values:
            yield from _flatten(v)
    else:
        yield values


def error(cls, message, base=None):
    return {"type": "error", "class": cls, "base": base or cls, "message": message}


def value(repr_text, plain=None):
    return {"type": "value", "repr": repr_text, "value": plain}


def warnings(*items, result=None):
    return {"type": "warnings", "result": result or value("None"),
            "warnings": [{"category": c, "message": m} for c, m in items]}


def graph(nodes, edges):
    """nodes: [(name, variable)], edges: [(src, dst, input_nr)]; node 0 is the root."""
    return {"type": "graph",
            "nodes": [{"id": i, "name": n, "variable": v} for i, (n, v) in enumerate(nodes)],
            "edges": [{"src": s, "dst": d, "input_nr": nr} for s, d, nr in edges]}


# The tutorial's graph: loss = bce_with_logits(x @ w + b, y).
TUTORIAL_GRAPH = graph(
    [("BinaryCrossEntropyWithLogitsBackward0", None), ("AddBackward0", None),
     ("None", None), ("SqueezeBackward4", None), ("AccumulateGrad", "b"),
     ("MmBackward0", None), ("None", None), ("AccumulateGrad", "w")],
    [(0, 1, 0), (0, 2, 0), (1, 3, 0), (1, 4, 0), (3, 5, 0), (5, 6, 0), (5, 7, 0)],
)
# The same computation where the target skipped the squeeze and named matmul differently.
TARGET_GRAPH = graph(
    [("BinaryCrossEntropyWithLogitsBackward0", None), ("AddBackward0", None),
     ("None", None), ("MatmulBackward0", None), ("AccumulateGrad", "b"),
     ("None", None), ("AccumulateGrad", "w")],
    [(0, 1, 0), (0, 2, 0), (1, 3, 0), (1, 4, 0), (3, 5, 0), (3, 6, 0)],
)


def observable(name, kind, status, left, right, detail="", **tensor_fields):
    obs = {"name": name, "kind": kind, "status": status, "left": left, "right": right,
           "detail": detail}
    obs.update(tensor_fields)
    return obs


# --------------------------------------------------------------------------------------------
# Records


def record(case, pair, status, observables=(), *, reason="", reproducer=None,
           graphs=None, duration=0.0012, sanitised=False):
    area, _, rest = case.partition("::")
    name, _, param = rest.partition("[")
    left, right = pair.split("~")
    extra = {"sanitised": True} if sanitised else {}
    return {
        **extra,
        "id": f"{case}[{pair}]", "case": case, "area": area, "name": name,
        "param_id": param.rstrip("]"), "pair": pair, "left": left, "right": right,
        "status": status, "reason": reason, "duration_s": duration,
        "observables": list(observables),
        "graphs": graphs or {},
        "source": f"def case_{name}(torch, device):\n    ...  # {case}\n",
        "reproducer": reproducer if status == "match" else (
            reproducer or f"#!/usr/bin/env python3\n# reproduces {case} on {pair}\n"
                          f"import torch\nprint('{name}')\n"),
    }


def _grid(rows, cols, scale=1.0, offset=0.0):
    return [[round(offset + scale * (r * cols + c) / 7.0, 6) for c in range(cols)]
            for r in range(rows)]


def _records() -> list[dict]:
    target_cpu, target_cuda, cuda_cpu = PAIRS
    w_grad_left = _grid(5, 3)
    w_grad_right = copy.deepcopy(w_grad_left)
    w_grad_right[1][2] += 0.25     # two elements far out of tolerance
    w_grad_right[4][0] -= 1.5
    w_grad_right[0][0] += 2e-7     # one inside it
    big_left = [round(math.sin(i / 10.0), 6) for i in range(1000)]
    big_right = list(big_left)
    big_right[17] += 0.5
    b_grad = [0.1227, -0.5663, 0.3731]

    records = [
        record("accumulation::zero_grad", target_cpu, "match", [
            observable("w.grad", "tensor", "exact",
                       tensor(w_grad_left, [5, 3]), tensor(w_grad_left, [5, 3])),
        ]),
        record("accumulation::zero_grad", target_cuda, "not_run",
               reason="lane torch-cuda did not run: CUDA is not available"),
        record("accumulation::zero_grad", cuda_cpu, "not_run",
               reason="lane torch-cuda did not run: CUDA is not available"),
        record("bce::tutorial_loss", target_cpu, "diverge", [
            observable("loss", "tensor", "close",
                       tensor(0.6819, [], requires_grad=True, is_leaf=False,
                              grad_fn="BinaryCrossEntropyWithLogitsBackward0"),
                       tensor(0.68190002, [], requires_grad=True, is_leaf=False,
                              grad_fn="BinaryCrossEntropyWithLogitsBackward0"),
                       "within tolerance", max_abs=2e-8, max_rel=2.9e-8, where=[],
                       atol=1e-5, rtol=1.3e-6, mismatch=[]),
            observable("w.grad", "tensor", "diverge",
                       tensor(w_grad_left, [5, 3], requires_grad=False),
                       tensor(w_grad_right, [5, 3], requires_grad=False),
                       "2 of 15 elements out of tolerance; max abs error 1.5 at [4, 0]",
                       max_abs=1.5, max_rel=1.0, where=[4, 0], atol=1e-5, rtol=1.3e-6,
                       mismatch=[[1, 2], [4, 0]]),
            observable("b.grad", "tensor", "diverge",
                       tensor(b_grad, [3]), tensor([0.1227, -0.5663, 0.3831], [3]),
                       "1 of 3 elements out of tolerance; max abs error 0.01 at [2]",
                       max_abs=0.01, max_rel=0.0261, where=[2], atol=1e-5, rtol=1.3e-6,
                       mismatch=[[2]]),
            observable("loss.grad_fn", "graph", "diverge", TARGET_GRAPH, TUTORIAL_GRAPH,
                       "node 3: MatmulBackward0 against SqueezeBackward4"),
            observable("repr(z)", "text", "diverge",
                       value("tensor([ 1.3755, -0.6023, -4.8127], grad_fn=<AddBackward>)"),
                       value("tensor([ 1.3755, -0.6023, -4.8127], grad_fn=<AddBackward0>)"),
                       "text differs at character 56"),
            observable("z.requires_grad", "value", "exact", value("True", True),
                       value("True", True)),
        ], graphs={"target": {"loss.grad_fn": TARGET_GRAPH},
                   "torch-cpu": {"loss.grad_fn": TUTORIAL_GRAPH}}),
        record("bce::big_batch", target_cpu, "diverge", [
            observable("input.grad", "tensor", "diverge",
                       tensor(big_left, [100, 200], truncated=True,
                              stats={"min": -1.0, "max": 1.0, "mean": 0.0012, "nan": 0,
                                     "inf": 0}),
                       tensor(big_right, [100, 200], truncated=True,
                              stats={"min": -1.0, "max": 1.0, "mean": 0.0013, "nan": 0,
                                     "inf": 0}),
                       "1 of 20000 elements out of tolerance; max abs error 0.5 at [0, 17]",
                       max_abs=0.5, max_rel=0.3, where=[0, 17], atol=1e-5, rtol=1.3e-6,
                       mismatch=[[0, 17]]),
        ]),
        record("errors::backward_twice", target_cpu, "diverge", [
            observable("second backward", "error", "diverge",
                       error("RuntimeError", "Trying to backward through the graph twice."),
                       error("RuntimeError", "Trying to backward through the graph a second "
                             "time (or directly access saved tensors after they have already "
                             "been freed). Saved intermediate values of the graph are freed "
                             "when you call .backward() or autograd.grad(). Specify "
                             "retain_graph=True if you need to backward through the graph a "
                             "second time or if you need to access saved tensors after "
                             "calling backward."),
                       "message differs"),
        ]),
        record("errors::non_scalar_backward", target_cpu, "known", [
            observable("backward()", "error", "diverge",
                       error("ValueError", "grad can be implicitly created only for scalar "
                             "outputs", base="ValueError"),
                       error("RuntimeError", "grad can be implicitly created only for scalar "
                             "outputs"),
                       "class ValueError against RuntimeError"),
        ], reason="refgrad raises ValueError here; documented in known_divergences.toml"),
        record("grad_mode::nonleaf_grad_warning", target_cpu, "diverge", [
            observable("z.grad", "warnings", "diverge",
                       warnings(result=value("None")),
                       warnings(("UserWarning", "The .grad attribute of a Tensor that is not "
                                 "a leaf Tensor is being accessed. Its .grad attribute won't be "
                                 "populated during autograd.backward()."),
                                result=value("None")),
                       "0 warnings against 1"),
        ]),
        record("printing::repr_float64", target_cpu, "fixed", [
            observable("repr(x)", "text", "exact",
                       value("tensor([1.0000, 2.5000], dtype=torch.float64)"),
                       value("tensor([1.0000, 2.5000], dtype=torch.float64)")),
        ], reason="known divergence printing::repr_float64 no longer diverges"),
        record("ops::linalg_norm", target_cpu, "missing", [
            observable("torch.linalg.norm", "value", "diverge",
                       {"type": "missing", "name": "torch.linalg.norm"},
                       value("tensor(2.2361)"), "missing on the target"),
        ], reason="torch.linalg.norm is missing on the target"),
        record("jacobian::huge", target_cpu, "timeout",
               reason="timed out after 30.0 s"),
        record("hooks::hook_raises", target_cpu, "crash",
               reason="worker crashed: Fatal Python error: Segmentation fault"),
        record("graph::shared_node", target_cpu, "match", [
            observable("y.grad_fn", "graph", "exact", TUTORIAL_GRAPH, TUTORIAL_GRAPH),
        ], graphs={"target": {"y.grad_fn": TUTORIAL_GRAPH},
                   "torch-cpu": {"y.grad_fn": TUTORIAL_GRAPH}}),
        record("detach::shares_storage[2x3]", target_cpu, "match", [
            observable("x", "tensor", "exact",
                       tensor([[1, 2, 3], [4, 5, 6]], [2, 3], dtype="torch.int64"),
                       tensor([[1, 2, 3], [4, 5, 6]], [2, 3], dtype="torch.int64")),
            observable("nan check", "tensor", "exact",
                       tensor(["nan", 1.0, "inf"], [3]), tensor(["nan", 1.0, "inf"], [3])),
        ]),
    ]
    return records


def hostile_record() -> dict:
    """A record whose case name, messages and reprs carry markup that must stay text."""
    return record(f"errors::hostile_{HOSTILE_SCRIPT}", PAIRS[0], "diverge", [
        observable(f"name {HOSTILE_IMG}", "error", "diverge",
                   error("RuntimeError", HOSTILE_SCRIPT),
                   error("RuntimeError", HOSTILE_IMG),
                   f"message differs: {HOSTILE_SCRIPT}"),
        observable("repr", "text", "diverge", value(HOSTILE_IMG), value("tensor(1.)"),
                   "repr differs"),
        observable("plain", "text", "exact", value(HOSTILE_SCRIPT), value(HOSTILE_SCRIPT)),
    ], reason=f"</script>{HOSTILE_SCRIPT}<!--",
        reproducer=f"# {HOSTILE_SCRIPT}\nprint('{HOSTILE_IMG}')\n", sanitised=True)


# --------------------------------------------------------------------------------------------
# Reports


def summarise(records: list[dict]) -> dict:
    """The summary block of schema.py, counted from ``records``."""
    def zeros():
        return {status: 0 for status in STATUSES}

    total = zeros()
    by_pair = {pair: zeros() for pair in PAIRS}
    by_area: dict = {}
    for rec in records:
        total[rec["status"]] += 1
        by_pair.setdefault(rec["pair"], zeros())[rec["status"]] += 1
        area = by_area.setdefault(rec["area"], {pair: zeros() for pair in PAIRS})
        area.setdefault(rec["pair"], zeros())[rec["status"]] += 1
    return {"statuses": list(STATUSES), "total": total, "by_pair": by_pair,
            "by_area": by_area,
            "unexpected": sum(total[status] for status in UNEXPECTED)}


def report_from(records: list[dict], *, complete=True) -> dict:
    records = sorted(records, key=lambda r: r["id"])
    return {
        "schema_version": SCHEMA_VERSION,
        "complete": complete,
        "created": "2026-11-26T14:00:00+00:00",
        "environment": {
            "target": "refgrad", "target_version": "0.1.0", "python": "3.11.7",
            "numpy": "2.4.6", "torch": "2.13.0+cpu", "cuda_available": False,
            "cuda_device": None, "platform": "Linux-6.1-x86_64", "commit": "abc1234",
            "command": "python -m conformance run --json reports/conformance.json",
        },
        "lanes": {
            "target": {"status": "run", "module": "refgrad", "device": "cpu"},
            "torch-cpu": {"status": "run", "module": "torch", "device": "cpu"},
            "torch-cuda": {"status": "not_run", "reason": "CUDA is not available",
                           "module": "torch", "device": "cuda"},
        },
        "pairs": list(PAIRS),
        "summary": summarise(records),
        "known_unmatched": ["printing::gone_case"],
        "records": records,
    }


def sample_report(*, hostile: bool = True) -> dict:
    records = _records()
    if hostile:
        records.append(hostile_record())
    return report_from(records)


def many_records_report(n: int = 5000) -> dict:
    """``n`` records: the sample's records repeated under new case names and areas."""
    shapes = _records()
    areas = ["accumulation", "autograd_grad", "bce", "detach", "errors", "grad_mode", "graph",
             "hooks", "jacobian", "ops", "printing", "promotion", "retain_graph"]
    records = []
    for i in range(n):
        base = copy.deepcopy(shapes[i % len(shapes)])
        area = areas[i % len(areas)]
        case = f"{area}::case_{i // len(PAIRS):05d}"
        if base["param_id"]:
            case += f"[{base['param_id']}]"
        pair = PAIRS[i % len(PAIRS)]
        left, right = pair.split("~")
        base.update({"id": f"{case}[{pair}]", "case": case, "area": area,
                     "name": case.split("::")[1].split("[")[0], "pair": pair,
                     "left": left, "right": right})
        graphs = base["graphs"]
        if graphs:  # re-key the graphs by this record's lanes
            old = list(graphs.values())
            base["graphs"] = {left: old[0], right: old[-1]}
        records.append(base)
    return report_from(records)


# --------------------------------------------------------------------------------------------
# Reading a rendered page


def _blob(page: str, element_id: str) -> dict:
    match = re.search(rf'<script type="application/json" id="{element_id}">(.*?)</script>',
                      page, re.S)
    assert match, f"the page has no {element_id} blob"
    return json.loads(match.group(1))


def page_data(page: str) -> dict:
    """The JSON the page's script reads, parsed the way JSON.parse would: the table's rows
    (report-data) with each record's expanded-view details (report-details) merged in."""
    data = _blob(page, "report-data")
    details = _blob(page, "report-details")
    assert len(details["records"]) == len(data["records"])
    for row, detail in zip(data["records"], details["records"]):
        assert not set(row) & set(detail)
        row.update(detail)
    data["sources"] = details["sources"]
    return data


def visible_text(page: str) -> str:
    """The server-rendered text: tags dropped, entities decoded (scripts left out)."""
    page = re.sub(r"<script.*?</script>|<style.*?</style>", " ", page, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", page))
