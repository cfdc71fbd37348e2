"""The JSON report: summary, atomic writes, load, merge, differences."""
import json
import os

import pytest

from conformance.records import Record, Status
from conformance.report import json_report
from conformance.report.schema import SCHEMA_VERSION, STATUSES


def rec(case, status, pair="target~torch-cpu", area=None):
    area = area or case.split("::")[0]
    return {"id": f"{case}[{pair}]", "case": case, "area": area, "name": case.split("::")[1],
            "param_id": "", "pair": pair, "left": pair.split("~")[0],
            "right": pair.split("~")[1], "status": status, "reason": "", "duration_s": 0.0,
            "observables": [], "graphs": {}, "source": None, "reproducer": None}


def report(records, complete=True, strict=False, unmatched=(), target="t", fuzz=None):
    environment = {"target": target, "cuda_available": False}
    if fuzz:
        environment["fuzz"] = fuzz
    return json_report.build(records, {"target": {"status": "run"}}, environment,
                             list(unmatched), complete, strict)


def test_summary_counts_every_status_per_pair_and_area():
    records = [rec(f"a::{s}", s) for s in STATUSES]
    records.append(rec("b::x", "match", "torch-cuda~torch-cpu"))
    built = report(records)
    summary = built["summary"]
    assert built["schema_version"] == SCHEMA_VERSION
    assert summary["total"] == {s: (2 if s == "match" else 1) for s in STATUSES}
    assert summary["by_pair"]["target~torch-cuda"] == {s: 0 for s in STATUSES}
    assert summary["by_area"]["b"]["torch-cuda~torch-cpu"]["match"] == 1
    assert summary["unexpected"] == 3                       # diverge, timeout, crash
    assert report(records, strict=True)["summary"]["unexpected"] == 4   # + fixed
    assert [r["id"] for r in built["records"]] == sorted(r["id"] for r in records)


def test_write_is_atomic(tmp_path, monkeypatch):
    path = tmp_path / "sub" / "report.json"
    first = report([rec("a::x", "match")])
    json_report.write(first, path)
    assert json_report.load(path) == first

    def broken_replace(src, dst):
        raise OSError("disk went away")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError):
        json_report.write(report([rec("a::y", "diverge")]), path)
    assert json_report.load(path) == first                  # the old report is intact
    assert sorted(p.name for p in path.parent.iterdir()) == ["report.json"]   # no temp left


def test_nan_never_reaches_the_file(tmp_path):
    bad = report([rec("a::x", "match")])
    bad["records"][0]["duration_s"] = float("nan")
    with pytest.raises(ValueError):
        json_report.write(bad, tmp_path / "r.json")


def test_load_rejects_other_schema_versions(tmp_path):
    path = tmp_path / "r.json"
    path.write_text(json.dumps({"schema_version": 999}))
    with pytest.raises(ValueError, match="schema version 999"):
        json_report.load(path)


def test_merge_unions_records_and_keeps_the_worst_completeness():
    one = report([rec("a::x", "match"), rec("a::y", "diverge")], unmatched=["e1", "e2"],
                 fuzz={"profile": "ci", "seed": 0, "shard": "1/2", "programs": 10})
    two = report([rec("b::z", "crash")], complete=False, unmatched=["e2"],
                 fuzz={"profile": "ci", "seed": 0, "shard": "2/2", "programs": 5})
    merged = json_report.merge([one, two])
    assert [r["id"] for r in merged["records"]] == [
        "a::x[target~torch-cpu]", "a::y[target~torch-cpu]", "b::z[target~torch-cpu]"]
    assert merged["summary"]["unexpected"] == 2
    assert merged["complete"] is False
    assert merged["known_unmatched"] == ["e2"]
    assert merged["environment"]["fuzz"]["programs"] == 15
    with pytest.raises(ValueError, match="different targets"):
        json_report.merge([one, report([], target="other")])


@pytest.mark.parametrize("key, other, what", [("hypothesis", "6.150.0", "Hypothesis versions"),
                                              ("profile", "nightly", "profiles"),
                                              ("seed", 7, "base seeds")])
def test_merge_refuses_fuzz_shards_drawn_differently(key, other, what):
    fuzz = {"profile": "ci", "seed": 0, "programs": 5, "hypothesis": "6.170.17"}
    one = report([rec("a::x", "match")], fuzz={**fuzz, "shard": "1/2"})
    two = report([rec("a::y", "match")], fuzz={**fuzz, "shard": "2/2", key: other})
    with pytest.raises(ValueError, match=f"different {what}"):
        json_report.merge([one, two])
    same = report([rec("a::y", "match")], fuzz={**fuzz, "shard": "2/2"})
    assert json_report.merge([one, same])["environment"]["fuzz"]["programs"] == 10


def test_differences_lists_newly_unexpected_and_fixed():
    old = report([rec("a::x", "match"), rec("a::y", "diverge"), rec("a::gone", "match")])
    new = report([rec("a::x", "diverge"), rec("a::y", "match"), rec("a::new", "crash")])
    diff = json_report.differences(old, new)
    assert [(d["id"], d["was"]) for d in diff["newly_unexpected"]] == [
        ("a::new[target~torch-cpu]", None), ("a::x[target~torch-cpu]", "match")]
    assert [(d["id"], d["was"]) for d in diff["fixed"]] == [("a::y[target~torch-cpu]", "diverge")]
    assert diff["gone"] == ["a::gone[target~torch-cpu]"]


def test_reports_are_readable_by_others(tmp_path):
    """Atomic writes must not leave mkstemp's private 0600 mode on a report."""
    import os
    import stat

    from conformance.report import json_report

    old = os.umask(0o022)
    try:
        path = json_report.write_text_atomically(tmp_path / "r.json", "{}")
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == 0o644
    assert [p.name for p in tmp_path.iterdir()] == ["r.json"]  # no temporary left behind


def test_build_takes_records_and_writes_their_json():
    typed = Record.for_id("a::x[target~torch-cpu]", status=Status.CRASH, reason="died")
    built = report([typed, rec("a::w", "match")])
    assert [r["id"] for r in built["records"]] == ["a::w[target~torch-cpu]",
                                                   "a::x[target~torch-cpu]"]
    assert built["records"][1] == typed.to_json()
    assert built["summary"]["unexpected"] == 1
    assert json_report.records_of(built)[1] == typed


def bad_record(**changes):
    data = rec("a::x", "match")
    data.update(changes)
    return {key: value for key, value in data.items() if value is not DROP}


DROP = object()


@pytest.mark.parametrize("document, message", [
    ("{not json", "not a JSON document"),
    ("[]", "a report is a JSON object, not list"),
    (json.dumps({"schema_version": SCHEMA_VERSION}),
     "the report lacks complete, environment, lanes, summary, records"),
    ({"records": {}}, "records is a JSON list, not dict"),
    ({"records": [bad_record(status="passed")]}, "record #0: record 'a::x[target~torch-cpu]' "
                                                  "has an unknown status 'passed'"),
    ({"records": [bad_record(pair=DROP)]}, "record #0: record 'a::x[target~torch-cpu]' "
                                           "lacks pair"),
    ({"records": [bad_record(param_id=DROP)]}, "record #0: "),
    ({"records": ["a::x"]}, "record #0: a record is a JSON object, not str"),
])
def test_load_says_what_is_wrong_with_a_malformed_report(tmp_path, document, message):
    if isinstance(document, dict):
        document = json.dumps({**report([]), **document})
    path = tmp_path / "r.json"
    path.write_text(document)
    with pytest.raises(json_report.ReportError) as raised:
        json_report.load(path)
    assert str(raised.value).startswith(f"{path}: ")
    assert message in str(raised.value) and "\n" not in str(raised.value)


@pytest.mark.parametrize("follows, torch, noted", [
    ("2.13", "2.13.0+cpu", False),
    ("2.13", "2.13.1", False),
    ("2.13", "2.14.1+cu130", True),
    ("2.13", "2.1.0", True),            # 2.1 is not 2.13
    (None, "2.14.1", False),            # a target that says nothing
    ("2.13", None, False),              # no torch at all
])
def test_the_report_says_when_the_reference_torch_is_another_release(follows, torch, noted):
    environment = {"target": "refgrad", "target_follows_torch": follows, "torch": torch}
    built = json_report.build([], {}, environment, [])
    note = built["environment"].get("torch_note", "")
    assert bool(note) == noted
    if noted:
        assert note.startswith(f"refgrad follows torch {follows}, but the reference torch is "
                               f"{torch}")


def test_refgrad_states_the_torch_release_it_follows():
    import refgrad
    from conformance.execute import environment

    assert refgrad.__torch_version__ == "2.13"
    assert environment(target="refgrad")["target_follows_torch"] == "2.13"
