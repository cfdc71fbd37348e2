"""conformance.reference: the reference file's round trip, its determinism, and the errors a
damaged, foreign or outdated file gives."""
import gzip
import json

import pytest

from conformance import lanes, reference
from conformance.case import collect
from conformance.case_work import CaseWork
from conformance.execute import InProcess
from conformance.lane_result import LaneResult
from conformance.records import Status

SAMPLES = "tests.conformance.sample_cases"


@pytest.fixture(scope="module")
def recorded():
    """A reference of the sample cases on torch-cpu, built as ``record`` builds one."""
    made = lanes.make_lanes("refgrad", want_cuda=False)
    executor = InProcess(made)
    cases = collect(SAMPLES)
    results = {case.id: executor.observe(CaseWork(case), ["torch-cpu"]) for case in cases}
    info = {name: lane.describe() for name, lane in made.items()}
    env = {**reference.torch_environment(made), "command": "/abs/python -m conformance"}
    return reference.record(results, info, env, package=SAMPLES), results


def test_lane_result_round_trip_drops_the_bookkeeping():
    result = LaneResult(observations={"x": {"type": "value", "value": 1, "pytype": "int",
                                            "repr": "1"}},
                        failure=Status.MISSING, reason="lacks it", missing="t.x",
                        duration_s=1.5, recycle=True)
    data = result.to_json()
    assert "duration_s" not in data and "recycle" not in data
    back = LaneResult.from_json(json.loads(json.dumps(data)))
    assert back.failure is Status.MISSING and back.missing == "t.x"
    assert back.observations == result.observations and back.duration_s == 0.0
    assert LaneResult.from_json({"observations": {}}) == LaneResult()


@pytest.mark.parametrize("data, message", [
    ([], "is an object"),
    ({"observations": {}, "duration_s": 1}, "unknown keys: duration_s"),
    ({"observations": {}, "failure": "broken"}, "unknown lane failure 'broken'"),
    ({"observations": {}, "reason": 3}, "are strings"),
])
def test_lane_result_from_bad_json(data, message):
    with pytest.raises(ValueError, match=message):
        LaneResult.from_json(data)


def test_round_trip(recorded, tmp_path):
    ref, results = recorded
    path = tmp_path / "torch.ref.json.gz"
    reference.write(path, ref)
    read = reference.read(path)
    assert read.name == "torch.ref.json.gz"
    assert read.catalogue_hash == reference.catalogue_hash(SAMPLES)
    assert read.catalogue["cases"] == len(results)
    assert read.lanes["torch-cuda"]["status"] == "not_run"
    assert "target" not in read.lanes and "command" not in read.environment
    assert read.environment["torch"] == read.torch_version and read.torch_version
    assert read.case_ids == sorted(results)
    for case_id, by_lane in results.items():
        got = read.lane_result(case_id, "torch-cpu")
        assert got.observations == by_lane["torch-cpu"].observations
        assert got.failure == by_lane["torch-cpu"].failure
        assert read.lane_result(case_id, "torch-cuda") is None
    assert read.lane_result("values::no_such_case", "torch-cpu") is None
    assert read.source() == {"file": "torch.ref.json.gz", "torch": read.torch_version}


def test_same_input_same_bytes(recorded, tmp_path):
    ref, _ = recorded
    first, second = tmp_path / "a.ref.json.gz", tmp_path / "b.ref.json.gz"
    reference.write(first, ref)
    reference.write(second, json.loads(json.dumps(ref)))     # another dict, other key order
    assert first.read_bytes() == second.read_bytes()
    assert reference.dumps(ref) == first.read_bytes()


def test_tracebacks_lose_the_machines_folders():
    import conformance.reference as module
    text = (f'  File "{module._ROOT}/conformance/cases/x.py", line 3, in case_x\n'
            f'  File "/opt/venv/lib/python3.11/site-packages/torch/_tensor.py", line 9\n'
            f'  File "/somewhere/else.py", line 1\n')
    data = module._portable({"observations": {}, "traceback": text})
    assert '"conformance/cases/x.py"' in data["traceback"]
    assert '"site-packages/torch/_tensor.py"' in data["traceback"]
    assert '"else.py"' in data["traceback"] and "/opt" not in data["traceback"]


def test_merge_of_partials(recorded):
    ref, _ = recorded
    ids = sorted(ref["results"])
    first = {**ref, "results": {i: ref["results"][i] for i in ids[:3]}}
    second = {**ref, "results": {i: ref["results"][i] for i in ids[3:]}}
    assert reference.merge([first, second]) == ref
    other = {**second, "catalogue": {**ref["catalogue"], "hash": "0" * 64}}
    with pytest.raises(reference.ReferenceError, match="different catalogues"):
        reference.merge([first, other])


def _gzip(path, text):
    path.write_bytes(gzip.compress(text.encode()))
    return path


def test_damaged_and_foreign_files(recorded, tmp_path):
    ref, _ = recorded
    good = tmp_path / "good.ref.json.gz"
    reference.write(good, ref)
    cut = tmp_path / "cut.ref.json.gz"
    cut.write_bytes(good.read_bytes()[: len(good.read_bytes()) // 2])
    plain = tmp_path / "plain.ref.json.gz"
    plain.write_text(json.dumps(ref))
    cases = [
        (tmp_path / "absent.ref.json.gz", "no such reference file"),
        (cut, "cut short or damaged"),
        (plain, "not gzip-compressed"),
        (_gzip(tmp_path / "notjson.gz", "{nope"), "not JSON inside the gzip"),
        (_gzip(tmp_path / "report.gz", json.dumps({"schema_version": 1})),
         "not a conformance reference"),
        (_gzip(tmp_path / "v2.gz", json.dumps({**ref, "format_version": 2})),
         "format version 2; this harness reads version 1"),
        (_gzip(tmp_path / "short.gz", json.dumps({k: v for k, v in ref.items()
                                                  if k != "lanes"})), "lacks lanes"),
        (_gzip(tmp_path / "lane.gz", json.dumps({**ref, "lanes": {"target": {}}})),
         "lane 'target' is not a torch lane"),
        (_gzip(tmp_path / "results.gz", json.dumps({**ref, "results": {"a::b": []}})),
         "results of 'a::b'"),
    ]
    for path, message in cases:
        with pytest.raises(reference.ReferenceError, match=message) as caught:
            reference.read(path)
        assert str(path) in str(caught.value)


def test_a_bad_lane_result_is_named_when_read(recorded, tmp_path):
    ref, _ = recorded
    case_id = sorted(ref["results"])[0]
    broken = json.loads(json.dumps(ref))
    broken["results"][case_id]["torch-cpu"]["failure"] = "exploded"
    path = _gzip(tmp_path / "bad.ref.json.gz", json.dumps(broken))
    with pytest.raises(reference.ReferenceError, match=f"{case_id} on torch-cpu: unknown"):
        reference.read(path).lane_result(case_id, "torch-cpu")


def test_catalogue_check_names_both_hashes(recorded, tmp_path):
    ref, _ = recorded
    path = tmp_path / "r.ref.json.gz"
    reference.write(path, ref)
    read = reference.read(path)
    reference.check_catalogue(read, SAMPLES, reference.catalogue_hash(SAMPLES))
    other = "f" * 64
    with pytest.raises(reference.ReferenceError) as caught:
        reference.check_catalogue(read, SAMPLES, other)
    message = str(caught.value)
    assert read.catalogue_hash[:16] in message and other[:16] in message
    assert "record it again" in message


def test_catalogue_hash_follows_ids_and_sources():
    cases = collect(SAMPLES)
    assert reference.catalogue_hash(SAMPLES) == reference.catalogue_hash(SAMPLES, cases)
    assert reference.catalogue_hash(SAMPLES, cases[:-1]) != reference.catalogue_hash(SAMPLES)
    assert len(reference.catalogue_hash(SAMPLES)) == 64


def test_a_cpu_file_and_a_cuda_file_make_the_lane_set(recorded, tmp_path):
    from conformance.execute import environment
    ref, _ = recorded
    cpu = tmp_path / "cpu.ref.json.gz"
    reference.write(cpu, ref)
    on_gpu = json.loads(json.dumps(ref))
    on_gpu["environment"].update(torch="2.11.0+cu126", cuda_device="NVIDIA H200")
    on_gpu["lanes"]["torch-cuda"] = {"status": "run", "module": "torch", "device": "cuda"}
    for by_lane in on_gpu["results"].values():
        by_lane["torch-cuda"] = by_lane["torch-cpu"]
    cuda = tmp_path / "cuda.ref.json.gz"
    reference.write(cuda, on_gpu)

    made = lanes.replayed_lanes((str(cpu), str(cuda)))
    assert made["torch-cpu"].reference.name == "cpu.ref.json.gz"
    assert made["torch-cuda"].reference.name == "cuda.ref.json.gz"
    assert made["torch-cuda"].status == "run" and made["torch-cuda"].namespace is None
    env = environment({"target": lanes.Lane("target", "refgrad", None, "cpu"), **made})
    assert env["cuda_available"] and env["cuda_device"] == "NVIDIA H200"
    assert "different torch versions" in env["reference_warning"]
    assert lanes.replayed_lanes((str(cuda),), want_cuda=False)["torch-cuda"].status == "not_run"
    with pytest.raises(reference.ReferenceError, match="cpu.ref.json.gz adds no lane"):
        lanes.replayed_lanes((str(cpu), str(cpu)))
