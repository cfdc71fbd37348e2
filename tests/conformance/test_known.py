"""The known-divergences file: format, matching, known / fixed / unmatched."""
import pytest

from conformance import known
from conformance.records import Record, Status


def write(tmp_path, text):
    path = tmp_path / "known.toml"
    path.write_text(text)
    return path


def record(case, pair="target~torch-cpu", status="diverge"):
    return Record.for_id(f"{case}[{pair}]", status=status)


ENTRIES = '''
[[divergence]]
target = "refgrad"
pair = "target~torch-cpu"
case = "ops::add[2x3]"
reason = "rounds differently"

[[divergence]]
target = "refgrad*"
pair = "target~*"
case = "printing::*"
reason = "sci mode switch differs"

[[divergence]]
target = "refgrad"
pair = "target~torch-cpu"
case = "gone::case"
reason = "no such case any more"

[[divergence]]
target = "othertarget"
pair = "*"
case = "*"
reason = "another target's entry"
'''


def test_checked_in_file_loads():
    assert isinstance(known.load(), list)


def test_known_fixed_and_unmatched(tmp_path):
    entries = known.load(write(tmp_path, ENTRIES))
    assert len(entries) == 4
    records = [
        record("ops::add[2x3]"),                                   # known
        record("ops::add[2x3]", pair="torch-cuda~torch-cpu"),      # other pair: untouched
        record("ops::add[2x3x4]"),                                 # brackets are literal
        record("printing::sci", pair="target~torch-cuda", status="match"),   # fixed
        record("printing::long", status="timeout"),                # known, was timeout
        record("printing::wide", status="missing"),                # matched, stays missing
    ]
    unmatched = known.apply(records, entries, "refgrad")
    assert [r.status for r in records] == ["known", "diverge", "diverge", "fixed", "known",
                                           "missing"]
    assert records[0].reason == "rounds differently"
    assert records[4].reason == "sci mode switch differs (was timeout)"
    assert "remove the entry" in records[3].reason
    assert unmatched == ["refgrad target~torch-cpu gone::case"]   # othertarget's is not ours


def test_fixed_mentions_strict(tmp_path):
    entries = known.load(write(tmp_path, ENTRIES))
    records = [record("ops::add[2x3]", status="match")]
    known.apply(records, entries, "refgrad", strict=True)
    assert records[0].status is Status.FIXED and "--strict" in records[0].reason


def test_json_records_are_marked_in_place(tmp_path):
    entries = known.load(write(tmp_path, ENTRIES))
    data = [record("ops::add[2x3]").to_json(), record("ops::sub").to_json()]
    known.apply(data, entries, "refgrad")
    assert [(r["status"], r["reason"]) for r in data] == [
        ("known", "rounds differently"), ("diverge", "")]
    assert all(type(r["status"]) is str for r in data)      # still plain JSON


@pytest.mark.parametrize("text, message", [
    ("[[divergence]]\ntarget='a'\npair='b'\ncase='c'\n", "lacks \\['reason'\\]"),
    ("[[divergence]]\ntarget='a'\npair='b'\ncase='c'\nreason='r'\nextra=1\n", "unknown key"),
    ("[[divergence]]\ntarget='a'\npair='b'\ncase='c'\nreason=''\n", "non-empty string"),
    ("[[entry]]\ntarget='a'\n", "unknown top-level key"),
    ("[[divergence]\n", "not valid TOML"),
])
def test_bad_files_are_clear_errors(tmp_path, text, message):
    with pytest.raises(ValueError, match=message):
        known.load(write(tmp_path, text))


def test_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        known.load(tmp_path / "nope.toml")


def test_unmatched_is_judged_against_every_case_and_pair(tmp_path):
    entries = known.load(write(tmp_path, ENTRIES))
    ids = ["ops::add[2x3]", "printing::sci"]
    assert known.unmatched(entries, "refgrad", ids, ["target~torch-cpu"]) == [
        "refgrad target~torch-cpu gone::case"]
    # an entry for a pair this run did not list is unmatched too
    assert "refgrad* target~* printing::*" in known.unmatched(entries, "refgrad", ids,
                                                             ["torch-cuda~torch-cpu"])


RANGED = '''
[[divergence]]
target = "refgrad"
pair = "target~torch-cpu"
case = "errors::grad_*"
torch = ">=2.14"
reason = "torch 2.14 rewords the autograd.grad error"

[[divergence]]
target = "refgrad"
pair = "target~torch-cpu"
case = "errors::grad_*"
torch = ">=2.11,<2.13"
reason = "torch 2.11 and 2.12 raise another type"
'''


@pytest.mark.parametrize("version, reason", [
    ("2.14.1+cu130", "torch 2.14 rewords the autograd.grad error"),
    ("2.15.0", "torch 2.14 rewords the autograd.grad error"),
    ("2.12.0+cpu", "torch 2.11 and 2.12 raise another type"),
    ("2.13.0+cpu", None),           # between the two ranges: neither applies
    (None, None),                   # an unknown torch: no ranged entry applies
])
def test_an_entry_holds_for_its_torch_range_only(tmp_path, version, reason):
    entries = known.load(write(tmp_path, RANGED))
    assert [e.torch for e in entries] == [">=2.14", ">=2.11,<2.13"]
    records = [record("errors::grad_on_leaf")]
    unmatched = known.apply(records, entries, "refgrad", torch_version=version)
    assert unmatched == []      # the entry out of range is not this run's to match
    if reason is None:
        assert records[0].status is Status.DIVERGE
    else:
        assert (records[0].status, records[0].reason) == (Status.KNOWN, reason)


def test_unmatched_leaves_out_entries_of_other_torch_versions(tmp_path):
    entries = known.load(write(tmp_path, RANGED))
    assert known.unmatched(entries, "refgrad", ["ops::add"], ["target~torch-cpu"],
                           "2.13.0") == []
    assert known.unmatched(entries, "refgrad", ["ops::add"], ["target~torch-cpu"],
                           "2.14.1") == ["refgrad target~torch-cpu errors::grad_* "
                                         "(torch >=2.14)"]


@pytest.mark.parametrize("value, message", [
    ('"2.14"', "torch = '2.14' is not a version range"),
    ('">= two"', "is not a version range"),
    ('""', "is not a version range"),
    ('214', "torch must be a string"),
])
def test_a_bad_torch_range_is_a_clear_error_when_read(tmp_path, value, message):
    text = f'''[[divergence]]
target = "refgrad"
pair = "*"
case = "*"
torch = {value}
reason = "r"
'''
    with pytest.raises(ValueError, match=message) as caught:
        known.load(write(tmp_path, text))
    assert "[[divergence]] #1" in str(caught.value)
