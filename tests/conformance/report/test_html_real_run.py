"""The HTML report of a real conformance run: real torch as the target (everything matches)
and planted-bug targets (tanh's gradient scaled by 1.25; exp's node named ExpBackward),
rendered and checked as text and in a headless Chromium."""
from __future__ import annotations

import os
import re
import tempfile
from urllib.parse import quote

import pytest

from conformance import runner
from conformance.case import collect
from conformance.report.html import render_html, write_html

from .fixtures import page_data, visible_text

PLANTED = "tests.planted.fuzz_targets.grad_bug"
GRAPH_BUG = "tests.planted.targets.wrong_grad_fn_name"
EXP_GRAPH = "graph::unary[exp][target~torch-cpu]"
TANH_2X3 = "ops::tanh[float32-2x3][target~torch-cpu]"


def _cases(*ids):
    wanted = set(ids)
    cases = [case for case in collect() if case.id in wanted]
    assert {case.id for case in cases} == wanted, "a case this test names is gone"
    return cases


@pytest.fixture(scope="module")
def planted_report():
    cases = _cases("ops::tanh[float32-2x3]", "ops::tanh[float32-5]", "tutorial::graphs",
                   "errors::backward_twice", "graph::elementwise[a*b]")
    return runner.run(target=PLANTED, cases=cases, want_cuda=False, known=[])


@pytest.fixture(scope="module")
def graph_bug_report():
    cases = _cases("graph::unary[exp]", "graph::unary[log]")
    return runner.run(target=GRAPH_BUG, cases=cases, want_cuda=False, known=[])


@pytest.fixture(scope="module")
def torch_report():
    return runner.run(target="torch", cases=_cases("tutorial::graphs", "errors::backward_twice"),
                      want_cuda=False, known=[])


def test_a_clean_run_renders_all_match(torch_report):
    page = render_html(torch_report)
    text = " ".join(visible_text(page).split())
    assert "Target torch" in text and "0 unexpected" in text
    assert "conformance 100.0%" in text
    data = page_data(page)
    assert [r["id"] for r in data["records"]] == [r["id"] for r in torch_report["records"]]
    graphs = next(r for r in data["records"] if r["id"] == "tutorial::graphs[target~torch-cpu]")
    layout = graphs["graphs"]["graph(loss)"]
    assert not any(n["differs"] for side in ("left", "right") for n in layout[side]["nodes"])
    names = [n["name"] for n in layout["left"]["nodes"]]
    assert names[0] == "BinaryCrossEntropyWithLogitsBackward0"
    assert names.count("AccumulateGrad") == 2


def test_a_planted_bug_shows_as_a_divergence(planted_report):
    page = render_html(planted_report)
    text = " ".join(visible_text(page).split())
    assert f"Target {PLANTED}" in text
    row = re.search(r'data-area="ops">(.*?)</tr>', page, re.S).group(1)
    assert "2 diverge" in " ".join(visible_text(row).split())
    data = page_data(page)
    tanh = next(r for r in data["records"] if r["id"] == TANH_2X3)
    assert tanh["status"] == "diverge"
    first = tanh["observables"][0]
    assert first["status"] == "diverge" and first["kind"] == "tensor"   # mismatching first
    assert first["mismatch"] and first["max_abs"] > 0
    assert tanh["reproducer"] and TANH_2X3.split("[target")[0] in tanh["reproducer"]
    # The unaffected cases still match.
    statuses = {r["id"]: r["status"] for r in data["records"]}
    assert statuses["errors::backward_twice[target~torch-cpu]"] == "match"


def test_a_wrongly_named_node_is_flagged_in_the_graphs(graph_bug_report):
    data = page_data(render_html(graph_bug_report))
    exp = next(r for r in data["records"] if r["id"] == EXP_GRAPH)
    assert exp["status"] == "diverge"
    layout = exp["graphs"]["graph"]
    flags = {side: {n["name"]: n["differs"] for n in layout[side]["nodes"]}
             for side in ("left", "right")}
    assert flags == {"left": {"ExpBackward": True, "AccumulateGrad": False},
                     "right": {"ExpBackward0": True, "AccumulateGrad": False}}
    log = next(r for r in data["records"] if r["id"] == "graph::unary[log][target~torch-cpu]")
    assert log["status"] == "match"
    assert not any(n["differs"] for n in log["graphs"]["graph"]["left"]["nodes"])


@pytest.mark.browser
def test_the_graph_bug_in_a_browser(browser_page, graph_bug_report, tmp_path):
    path = tmp_path / "conformance.html"
    write_html(graph_bug_report, path)
    page = browser_page
    page.goto(path.as_uri() + "#open=" + quote(EXP_GRAPH))
    page.wait_for_selector("tr.detail svg.graph")
    graphs = page.locator("tr.detail svg.graph")
    assert graphs.count() == 2
    assert graphs.nth(0).locator("g.gnode.differs text").all_text_contents() == ["ExpBackward"]
    assert graphs.nth(1).locator("g.gnode.differs text").all_text_contents() == ["ExpBackward0"]
    assert graphs.nth(1).locator("g.gnode.leaf text").all_text_contents() == [
        "AccumulateGrad(a)"]
    assert page.errors == []


@pytest.mark.browser
def test_the_planted_run_in_a_browser(browser_page, planted_report, tmp_path):
    path = tmp_path / "conformance.html"
    write_html(planted_report, path)
    page = browser_page
    page.goto(path.as_uri() + "#status=diverge")
    page.wait_for_selector("body[data-ready='1']")
    ids = page.eval_on_selector_all("#results-body tr.rec", "rs => rs.map(r => r.record.id)")
    assert sorted(ids) == sorted(r["id"] for r in planted_report["records"]
                                 if r["status"] == "diverge")
    page.goto(path.as_uri() + "#open=" + quote(TANH_2X3))
    page.wait_for_selector("tr.detail")
    first = page.locator("tr.detail tr.obs-row").first
    assert first.locator("td.oot").count() >= 2       # marked on both lanes
    assert page.locator("tr.detail tr.obs-diff-row table.heat").count() >= 1
    page.locator("tr.detail button.copy").click()
    page.wait_for_selector("tr.detail button.copy[data-copied]")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == next(r["reproducer"] for r in planted_report["records"]
                          if r["id"] == TANH_2X3)
    # A picture of the page as a reviewer meets it, with the divergence open, for review.
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=os.path.join(tempfile.gettempdir(), "report-screenshot.png"),
                    full_page=True)
    page.goto(path.as_uri() + "#open=" + quote("tutorial::graphs[target~torch-cpu]"))
    page.wait_for_selector("tr.detail svg.graph")
    assert page.locator("tr.detail svg.graph").count() >= 4    # two graphs, two lanes each
    assert page.errors == []
