"""The record type: ids, statuses, and the JSON round trip."""
import json

import pytest

from conformance.records import Record, RecordError, Status, split_id
from conformance.report import schema


def test_statuses_are_the_schema_statuses_in_order():
    assert schema.STATUSES == ("match", "diverge", "known", "fixed", "missing", "not_run",
                               "timeout", "crash")
    assert schema.UNEXPECTED == ("diverge", "timeout", "crash")
    assert Status.DIVERGE.unexpected and not Status.KNOWN.unexpected


def test_for_id_derives_every_part_of_the_id():
    record = Record.for_id("ops::add[float32-2x3][target~torch-cpu]", status="crash")
    assert (record.case, record.area, record.name, record.param_id) == (
        "ops::add[float32-2x3]", "ops", "add", "float32-2x3")
    assert (record.pair, record.left, record.right) == ("target~torch-cpu", "target",
                                                        "torch-cpu")
    assert record.status is Status.CRASH and record.unexpected


def test_json_round_trip_keeps_every_field_and_omits_unset_optionals():
    record = Record.for_case("hooks::order", "hooks", "order", "", "target~torch-cpu",
                             status=Status.DIVERGE, reason="differs: x.grad")
    data = json.loads(json.dumps(record.to_json()))
    assert data["status"] == "diverge"
    assert "tracebacks" not in data and "fuzz" not in data
    assert Record.from_json(data) == record


@pytest.mark.parametrize("data, message", [
    ([], "a record is a JSON object, not list"),
    ({"id": "a::b[x~y]"}, "lacks case, area, name, param_id, pair, left, right, status"),
    ({"id": "a::b[x~y]", "case": "a::b", "area": "a", "name": "b", "param_id": "",
      "pair": "x~y",
      "left": "x", "right": "y", "status": "passed"}, "unknown status 'passed'"),
])
def test_from_json_names_what_is_wrong(data, message):
    with pytest.raises(RecordError, match=message):
        Record.from_json(data)


def test_split_id_refuses_a_malformed_id():
    with pytest.raises(RecordError, match="is not 'area::name"):
        split_id("no-brackets")


def test_a_record_with_text_utf8_cannot_encode_is_escaped_and_marked_sanitised():
    record = Record.for_case("a::b", "a", "b", "", "target~torch-cpu", status="diverge",
                             reason="differs: \ud800", observables=[
                                 {"name": "e", "left": {"message": "bad \udfff"}}])
    data = record.to_json()
    assert data["sanitised"] is True and data["reason"] == "differs: \\ud800"
    assert data["observables"][0]["left"]["message"] == "bad \\udfff"
    json.dumps(data, ensure_ascii=False).encode("utf-8")
    again = Record.from_json(data)
    assert again.sanitised is True and again.to_json()["sanitised"] is True
    clean = Record.for_case("a::b", "a", "b", "", "target~torch-cpu", reason="fine ✓")
    assert "sanitised" not in clean.to_json()
