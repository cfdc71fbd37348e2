"""Torch version drift: the kinds of change, two references compared, and planted drift (a
proxy torch with one renamed node and one reworded error) found exactly where it is."""
from __future__ import annotations

import fnmatch
import importlib
import json

import pytest
import torch

from conformance import drift, reference
from conformance.__main__ import main
from conformance.case import collect
from conformance.case_work import CaseWork
from conformance.execute import InProcess
from conformance.lanes import Lane
from conformance.observe import change_kind

SUBSET = ("ops::exp[*]", "ops::log[*]", "graph::unary[*]", "errors::cat_size_mismatch",
          "errors::stack_size_mismatch", "ops::cat[*]")
RENAMED = ("ops::exp[*]", "graph::unary[exp]")          # ExpBackward0 -> ExpBackward
REWORDED = ("errors::cat_size_mismatch",)                # "Sizes of tensors must match"


def _selected(case_id: str) -> bool:
    return any(fnmatch.fnmatchcase(case_id, glob.replace("[", "[[]"))
               for glob in SUBSET)


def record_reference(path, torch_module) -> reference.Reference:
    """A reference of the SUBSET's cases with ``torch_module`` as the torch-cpu lane."""
    lanes = {"target": Lane("target", "torch", torch_module, "cpu", "not_run", "unused"),
             "torch-cpu": Lane("torch-cpu", "torch", torch_module, "cpu"),
             "torch-cuda": Lane("torch-cuda", "torch", torch_module, "cuda", "not_run",
                                "not recorded in this test")}
    executor = InProcess(lanes)
    cases = collect()
    results = {case.id: executor.observe(CaseWork(case), ["torch-cpu"])
               for case in cases if _selected(case.id)}
    assert len(results) > 10
    ref = reference.record(results, executor.lane_info, reference.torch_environment(lanes),
                           catalogue_entry=reference.catalogue(cases=cases))
    reference.write(path, ref)
    return reference.read(path)


@pytest.fixture(scope="module")
def references(tmp_path_factory):
    folder = tmp_path_factory.mktemp("refs")
    proxy = importlib.import_module("tests.planted.targets.drifted_torch")
    return (record_reference(folder / "drifted.ref.json.gz", proxy),
            record_reference(folder / "torch.ref.json.gz", torch))


def _matches(case_id: str, globs) -> bool:
    return any(fnmatch.fnmatchcase(case_id, g.replace("[", "[[]")) for g in globs)


def test_planted_drift_is_found_exactly(references):
    drifted, real = references
    document = drift.report(drifted, real, ("drifted", "torch"))
    records = document["records"]
    changed = {r["case"]: r for r in records if r["status"] == "diverge"}
    # every record is on the one CPU pair, named after the versions (the same here)
    version = torch.__version__.split("+")[0]
    assert document["pairs"] == [f"torch-{version}@A~torch-{version}@B"]
    assert {r["status"] for r in records} == {"match", "diverge"}
    assert set(changed) == {r["case"] for r in records
                            if _matches(r["case"], RENAMED + REWORDED)}
    assert any(_matches(case, ("ops::exp[*]",)) for case in changed)
    for case, record in changed.items():
        kinds = {o["change"] for o in record["observables"] if o["status"] == "diverge"}
        expected = "error-message" if _matches(case, REWORDED) else "node-name"
        assert kinds == {expected}, (case, record["reason"])
        assert expected in record["reason"]
    found = document["drift"]
    assert found["kinds"] == ["node-name", "error-message"]
    assert found["records"]["error-message"] == 1
    (item,) = found["items"]["error-message"]
    assert item["case"] == "errors::cat_size_mismatch" and item["observable"] == "error"
    assert all(i["case"] in changed for i in found["items"]["node-name"])
    assert drift.exit_code(document) == 1


def test_the_same_torch_twice_changes_nothing(references):
    _, real = references
    document = drift.report(real, real, ("a", "b"))
    assert {r["status"] for r in document["records"]} == {"match"}
    assert document["drift"]["kinds"] == [] and drift.exit_code(document) == 0


def test_references_of_different_catalogues_are_refused(references, tmp_path):
    drifted, real = references
    data = json.loads(json.dumps(real.data))
    data["catalogue"]["hash"] = "0" * 64
    reference.write(tmp_path / "other.ref.json.gz", data)
    other = reference.read(tmp_path / "other.ref.json.gz")
    with pytest.raises(drift.DriftError, match="different case catalogues.*record both from "
                                               "the same checkout"):
        drift.report(drifted, other, ("a", "b"))


def test_cli_writes_the_report_and_the_page(references, tmp_path, capsys):
    drifted, real = references
    out = tmp_path / "drift.json"
    code = main(["drift", drifted.path, real.path, "--json", str(out)])
    assert code == 1
    printed = capsys.readouterr().out
    assert "node-name:" in printed and "error-message: 1 observable(s) in 1 record(s)" in printed
    document = json.loads(out.read_text())
    assert document["drift"]["a"]["from"] == drifted.path
    page = (tmp_path / "drift.html").read_text()
    assert "What changed" in page and "error-message" in page
    assert main(["drift", real.path, real.path, "--json", str(out), "--no-html"]) == 0


def test_cli_refusals_are_one_line_and_exit_2(references, tmp_path, capsys):
    _, real = references
    assert main(["drift", real.path, str(tmp_path / "nope.ref.json.gz"),
                 "--json", str(tmp_path / "d.json")]) == 2
    assert "no such reference file" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exited:
        main(["drift", real.path, real.path, "-k", "exp"])
    assert exited.value.code == 2
    assert "need a python:PATH side" in capsys.readouterr().err


def _tensor(grad_fn="AddBackward0", values=(1.0,)):
    return {"type": "tensor", "dtype": "torch.float32", "shape": [len(values)],
            "grad_fn": grad_fn, "values": list(values)}


def _error(cls="RuntimeError", message="boom"):
    return {"type": "error", "class": cls, "base": cls, "message": message}


def _value(pytype, repr_, value=None):
    return {"type": "value", "pytype": pytype, "repr": repr_, "value": value}


def _graph(*names):
    return {"type": "graph", "nodes": [{"id": i, "name": n, "variable": None}
                                       for i, n in enumerate(names)], "edges": []}


@pytest.mark.parametrize("left, right, kind", [
    (_tensor("ExpBackward"), _tensor("ExpBackward0"), "node-name"),
    (_tensor(values=(1.0,)), _tensor(values=(2.0,)), "value"),
    (_graph("ExpBackward0", "AccumulateGrad"), _graph("ExpBackward", "AccumulateGrad"),
     "node-name"),
    ({**_graph("A"), "edges": [{"src": 0, "dst": 0, "input_nr": 0}]}, _graph("A"),
     "graph-structure"),
    (_error("RuntimeError"), _error("ValueError"), "exception-type"),
    (_error(message="old words"), _error(message="new words"), "error-message"),
    (_error(), _tensor(), "exception-type"),          # raises on one side only
    ({"type": "warnings", "result": _value("NoneType", "None"), "warnings": []},
     {"type": "warnings", "result": _value("NoneType", "None"),
      "warnings": [{"category": "UserWarning", "message": "m"}]}, "warning"),
    ({"type": "warnings", "result": _error(message="a"), "warnings": []},
     {"type": "warnings", "result": _error(message="b"), "warnings": []}, "error-message"),
    (_value("str", "'tensor(1.)'", "tensor(1.)"), _value("str", "'tensor(1.0)'", "tensor(1.0)"),
     "printing"),
    (_value("str", "'ExpBackward0'", "ExpBackward0"), _value("str", "'ExpBackward'",
                                                             "ExpBackward"), "node-name"),
    (_value("AddBackward0", "<AddBackward0 object at 0x…>"),
     _value("AddBackward1", "<AddBackward1 object at 0x…>"), "node-name"),
    (_value("device", "device(type='cpu')"), _value("device", "device(type='cuda')"),
     "printing"),
    (_value("int", "1", 1), _value("int", "2", 2), "value"),
    ({"type": "value", "pytype": "list", "repr": "", "value": None,
      "items": [_tensor(), _error(message="x")]},
     {"type": "value", "pytype": "list", "repr": "", "value": None,
      "items": [_tensor(), _error(message="y")]}, "error-message"),
    ({"type": "missing", "name": "torch.foo"}, _value("int", "1", 1), "presence"),
    (None, _tensor(), "presence"),
])
def test_change_kind(left, right, kind):
    assert change_kind(left, right) == kind


def test_unchanged_records_keep_only_their_verdict(references):
    drifted, real = references
    document = drift.report(drifted, real, ("a", "b"))
    unchanged = [r for r in document["records"] if r["status"] == "match"]
    assert unchanged and all(r["observables"] == [] and r["graphs"] == {}
                             and r["source"] is None for r in unchanged)
    assert all(r["reason"].startswith("unchanged (") for r in unchanged)
    changed = [r for r in document["records"] if r["status"] == "diverge"]
    assert all(r["observables"] and r["source"] for r in changed)


def test_a_case_one_reference_lacks_is_not_run_saying_so(references, tmp_path):
    _, real = references
    data = json.loads(json.dumps(real.data))
    dropped = sorted(data["results"])[0]
    del data["results"][dropped]
    reference.write(tmp_path / "fewer.ref.json.gz", data)
    fewer = reference.read(tmp_path / "fewer.ref.json.gz")
    document = drift.report(real, fewer, ("a", "b"))
    (record,) = [r for r in document["records"] if r["case"] == dropped]
    assert record["status"] == "not_run"
    assert f"fewer.ref.json.gz has no result for {dropped}" in record["reason"]
    assert {r["status"] for r in document["records"] if r["case"] != dropped} == {"match"}
    side_b = f"torch-{torch.__version__.split('+')[0]}@B"
    assert record["reference"][side_b]["file"] == "fewer.ref.json.gz"
