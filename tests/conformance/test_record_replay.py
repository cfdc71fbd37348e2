"""conformance record, then run --reference: the replayed torch lanes give the statuses the
live ones give, also in a process where torch cannot be imported; a reference that lacks a
case, belongs to another catalogue or to another torch is said so."""
import json
import os
import subprocess
import sys
import textwrap
import warnings
from pathlib import Path

import pytest

from conformance import lanes, reference, runner
from conformance.case import collect
from conformance.case_work import CaseWork
from conformance.execute import InProcess
from conformance.report import write_html

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = "tests.conformance.sample_cases"
SKEWED = "tests.conformance.sample_targets.skewed"
SUBSET = "accumulation"         # a small -k subset of the real cases, for refgrad
NO_KNOWN = []                   # no known-divergence entries

# A site customisation that makes torch unimportable, as on a machine without it: any
# import of torch (in the CLI, its pytest, its case processes) fails.
NO_TORCH = textwrap.dedent("""
    import sys

    class RefuseTorch:
        def find_spec(self, name, path=None, target=None):
            if name == "torch" or name.startswith("torch."):
                raise ModuleNotFoundError(f"No module named {name!r} (refused by the test)")
            return None

    sys.meta_path.insert(0, RefuseTorch())
""")


def cli(*args, env=None, timeout=300):
    full_env = {**os.environ, "OMP_NUM_THREADS": "1", **(env or {})}
    return subprocess.run([sys.executable, "-m", "conformance", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=timeout, env=full_env)


def statuses(path):
    return {r["id"]: r["status"] for r in json.loads(Path(path).read_text())["records"]}


@pytest.fixture(scope="module")
def work(tmp_path_factory):
    return tmp_path_factory.mktemp("record")


@pytest.fixture(scope="module")
def no_torch_env(work):
    folder = work / "no_torch"
    folder.mkdir()
    (folder / "sitecustomize.py").write_text(NO_TORCH)
    path = os.pathsep.join([str(folder), str(ROOT), os.environ.get("PYTHONPATH", "")])
    return {"PYTHONPATH": path.rstrip(os.pathsep)}


@pytest.fixture(scope="module")
def refgrad_subset(work):
    """The subset recorded by the CLI, and its live statuses for refgrad (in this process)."""
    ref = work / "subset.ref.json.gz"
    done = cli("record", "-n", "0", "-q", "-k", SUBSET, "--out", str(ref))
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"reference: {ref}" in done.stdout
    cases = [case for case in collect("conformance.cases") if case.area == SUBSET]
    with warnings.catch_warnings():     # the checked-in entries of other areas match nothing
        warnings.simplefilter("ignore")
        live = runner.run("refgrad", cases, want_cuda=False)
    return ref, live


@pytest.fixture(scope="module")
def samples(work):
    """The sample cases recorded (as record does, in this process), and run live on a target
    that diverges and lacks things."""
    made = lanes.make_lanes("refgrad", want_cuda=False)
    executor = InProcess(made)
    results = {case.id: executor.observe(CaseWork(case), ["torch-cpu"])
               for case in collect(SAMPLES)}
    ref = work / "samples.ref.json.gz"
    reference.write(ref, reference.record(
        results, {name: lane.describe() for name, lane in made.items()},
        reference.torch_environment(made), package=SAMPLES))
    live = runner.run(SKEWED, collect(SAMPLES), known=NO_KNOWN, want_cuda=False)
    return ref, live


def by_id(report):
    return {r["id"]: r["status"] for r in report["records"]}


def test_record_writes_a_reference_of_torchs_lanes(refgrad_subset):
    ref, _ = refgrad_subset
    read = reference.read(ref)
    assert read.catalogue_hash == reference.catalogue_hash("conformance.cases")
    assert read.case_ids and all(i.startswith(SUBSET + "::") for i in read.case_ids)
    assert set(read.lanes) == {"torch-cpu", "torch-cuda"}
    assert read.environment["torch"] and "cpu_capability" in read.environment
    assert "command" not in read.environment


def test_replay_without_torch_gives_the_live_statuses(refgrad_subset, no_torch_env, work):
    ref, live = refgrad_subset
    refused = subprocess.run([sys.executable, "-c", "import torch"], env={
        **os.environ, **no_torch_env}, capture_output=True, text=True)
    assert refused.returncode != 0 and "refused by the test" in refused.stderr
    replay = work / "replay-no-torch.json"
    done = cli("run", "-n", "0", "-q", "-k", SUBSET, "--json", str(replay), "--reference",
               str(ref), env=no_torch_env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert statuses(replay) == by_id(live) and len(by_id(live)) >= 3 * 10
    report = json.loads(replay.read_text())
    env = report["environment"]
    source = {"file": ref.name, "torch": reference.read(ref).torch_version}
    # the CUDA lane did not run where the file was recorded: the file says so too
    assert env["reference"] == {"torch-cpu": source, "torch-cuda": source}
    assert report["lanes"]["torch-cpu"]["reference"] == source
    assert report["lanes"]["torch-cuda"]["status"] == "not_run"
    assert all(r["reference"] == {lane: source for lane in (r["left"], r["right"])
                                  if lane != "target"} for r in report["records"])
    page = replay.with_suffix(".html").read_text()
    assert f"torch-cpu: {ref.name} (torch " in page
    assert "banner warn" not in page.split("<section")[0]     # the same torch: no warning


def test_replay_gives_the_live_statuses_and_reproducers_say_torch_is_needed(samples):
    ref, live = samples
    replay = runner.run(SKEWED, collect(SAMPLES), known=NO_KNOWN, references=(str(ref),))
    assert by_id(replay) == by_id(live)
    assert {"match", "diverge", "missing", "not_run"} <= set(by_id(replay).values())
    diverged = [r for r in replay["records"]
                if r["status"] == "diverge" and r["right"] == "torch-cpu"]
    assert diverged and all("needs torch installed" in r["reproducer"] for r in diverged)


def test_a_case_the_reference_lacks_is_not_run_saying_so(samples):
    ref, _ = samples
    data = reference.read(ref).data
    dropped = sorted(data["results"])[0]
    short = ref.with_name("short.ref.json.gz")
    reference.write(short, {**data, "results": {k: v for k, v in data["results"].items()
                                                if k != dropped}})
    replay = runner.run(SKEWED, collect(SAMPLES), known=NO_KNOWN, references=(str(short),))
    lacking = [r for r in replay["records"] if r["case"] == dropped
               and r["pair"] == "target~torch-cpu"]
    assert [r["status"] for r in lacking] == ["not_run"]
    assert f"{dropped} is not in the reference short.ref.json.gz" in lacking[0]["reason"]
    others = {k: v for k, v in by_id(replay).items() if not k.startswith(dropped + "[")}
    assert others == {k: v for k, v in by_id(samples[1]).items() if k in others}


def test_a_reference_of_another_catalogue_is_refused(samples, work):
    ref, _ = samples
    done = cli("run", "-n", "0", "-q", "--no-html", "-k", SUBSET, "--json",
               str(work / "never.json"), "--reference", str(ref))
    assert done.returncode == 2
    message = done.stderr
    theirs = reference.read(ref).catalogue_hash[:16]
    ours = reference.catalogue_hash("conformance.cases")[:16]
    assert theirs in message and ours in message and "record it again" in message
    assert not (work / "never.json").exists()


def test_a_reference_of_another_torch_is_flagged(samples, work):
    ref, _ = samples
    data = reference.read(ref).data
    old = work / "old-torch.ref.json.gz"
    reference.write(old, {**data, "environment": {**data["environment"],
                                                  "torch": "2.11.0+cu126"}})
    replay = runner.run(SKEWED, collect(SAMPLES), known=NO_KNOWN, references=(str(old),))
    env = replay["environment"]
    assert "recorded with torch 2.11.0+cu126" in env["reference_warning"]
    assert env["torch"] == "2.11.0+cu126"
    page = work / "old-torch.html"
    write_html(replay, page)
    text = page.read_text()
    assert "recorded with torch 2.11.0+cu126" in text and 'class="banner warn"' in text
    same = runner.run(SKEWED, collect(SAMPLES)[:1], known=NO_KNOWN, references=(str(ref),))
    assert "reference_warning" not in same["environment"]


def test_a_damaged_reference_stops_the_run_before_any_case(work):
    bad = work / "bad.ref.json.gz"
    bad.write_bytes(b"not gzip")
    done = cli("run", "-n", "0", "-q", "-k", SUBSET, "--json", str(work / "x.json"),
               "--reference", str(bad))
    assert done.returncode == 2 and "not gzip-compressed" in done.stderr
