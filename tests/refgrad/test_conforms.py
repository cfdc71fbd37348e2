"""refgrad passes its own harness: the whole conformance run and the ci fuzz campaign.

These are the project's main job run as tests, so CI fails when refgrad stops conforming (or
when a known-divergence entry goes stale). The CUDA lane never runs here.
"""
import json

from conformance import fuzz, runner


def test_every_case_matches_torch_on_the_cpu():
    report = runner.run(target="refgrad", want_cuda=False)
    totals = report["summary"]["total"]
    unexpected = [r["id"] for r in report["records"]
                  if r["status"] in ("diverge", "timeout", "crash", "missing")]
    assert unexpected == []
    assert totals["match"] > 1000  # the run really ran the cases
    assert report["lanes"]["torch-cuda"]["status"] == "not_run"


def test_the_ci_fuzz_campaign_finds_nothing(tmp_path):
    out = tmp_path / "fuzz.json"
    code = fuzz.main(["--profile", "ci", "--target", "refgrad", "--no-cuda", "-n", "1",
                      "--json", str(out), "--repro-dir", str(tmp_path / "repros")])
    report = json.loads(out.read_text())
    diverged = [r["id"] for r in report["records"] if r["status"] not in ("match", "not_run")]
    assert diverged == []
    assert code == 0
    assert report["environment"]["fuzz"]["profile"] == "ci"
    assert report["summary"]["total"]["match"] >= 300
