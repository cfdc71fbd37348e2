"""The HTML report as rendered text: contents, escaping, self-containment, helpers."""
from __future__ import annotations

import base64
import copy
import hashlib
import math
import os
import re

import pytest

from conformance.report import html as report_html
from conformance.report.html import char_diff, layout_graph, render_html, write_html

from . import fixtures
from .fixtures import page_data, visible_text


@pytest.fixture(scope="module")
def sample():
    return fixtures.sample_report()


@pytest.fixture(scope="module")
def page(sample):
    return render_html(sample)


def test_header_shows_the_environment(page):
    text = " ".join(visible_text(page).split())
    for expected in ("Target refgrad 0.1.0", "torch 2.13.0+cpu", "CUDA no", "Commit abc1234",
                     "Date 2026-11-26T14:00:00+00:00", "Python 3.11.7", "NumPy 2.4.6"):
        assert expected in text
    # Every lane, with the reason a lane did not run.
    assert re.search(r"torch-cuda\s+not_run\s+torch\s+cuda\s+CUDA is not available", text)


def test_cuda_device_is_named_when_present(sample):
    report = copy.deepcopy(sample)
    report["environment"].update(cuda_available=True, cuda_device="NVIDIA H200")
    text = " ".join(visible_text(render_html(report)).split())
    assert "CUDA yes (NVIDIA H200)" in text


def _matrix_cell(page: str, area: str, pair: str) -> str:
    row = re.search(rf'<tr[^>]*data-area="{re.escape(area)}">(.*?)</tr>', page, re.S)
    assert row, f"no matrix row for {area}"
    cell = re.search(rf'<td class="cell" data-pair="{re.escape(pair)}">(.*?)</td>',
                     row.group(1), re.S)
    assert cell, f"no cell for {pair} in {area}"
    return " ".join(visible_text(cell.group(1)).split())


def test_summary_matrix_counts_per_area_and_pair(page):
    assert _matrix_cell(page, "errors", "target~torch-cpu") == "2 diverge 1 known"
    assert _matrix_cell(page, "accumulation", "target~torch-cpu") == "1 match"
    assert _matrix_cell(page, "accumulation", "target~torch-cuda") == "1 not_run"
    assert _matrix_cell(page, "bce", "torch-cuda~torch-cpu") == "—"
    # Counts link to the filtered table.
    assert 'href="#area=errors&amp;pair=target~torch-cpu&amp;status=diverge"' in page


def test_conformance_percentage_per_area(page):
    def percent(area):
        row = re.search(rf'data-area="{area}">(.*?)</tr>', page, re.S).group(1)
        return re.search(r'<td class="pct">.*?([0-9.]+%|—)\s*</td>', row, re.S).group(1)

    assert percent("accumulation") == "100.0%"   # one match; the not_run records don't count
    assert percent("errors") == "0.0%"           # 2 diverge + 1 known, nothing conforming
    assert percent("printing") == "100.0%"       # fixed counts as conforming
    # Overall: (3 match + 1 fixed) / (15 records - 2 not_run) = 30.77%, floored to a tenth.
    assert "conformance 30.7%" in " ".join(visible_text(page).split())


def test_percent_never_rounds_up_to_a_full_score():
    assert report_html._percent(0.99996) == "99.9%"
    assert report_html._percent(1.0) == "100.0%"
    assert report_html._percent(None) == "—"


def test_blob_carries_every_record(sample, page):
    data = page_data(page)
    assert [r["id"] for r in data["records"]] == [r["id"] for r in sample["records"]]
    assert data["statuses"] == list(fixtures.STATUSES)
    assert data["severity"][:3] == ["crash", "timeout", "diverge"]
    assert set(data["areas"]) == {r["area"] for r in sample["records"]}
    # Sources once per case, reproducers per record.
    assert data["sources"]["bce::tutorial_loss"].startswith("def case_tutorial_loss")
    tutorial = next(r for r in data["records"]
                    if r["id"] == "bce::tutorial_loss[target~torch-cpu]")
    assert tutorial["reproducer"].startswith("#!/usr/bin/env python3")
    assert tutorial["max_abs"] == 1.5
    assert tutorial["summary"].startswith("w.grad: 2 of 15 elements out of tolerance")


def test_not_run_is_last_hidden_by_default_and_counted_once(page):
    data = page_data(page)
    assert data["severity"][-1] == "not_run" and data["hidden"] == ["not_run"]
    assert data["failures"] == ["diverge", "missing", "timeout", "crash"]
    text = " ".join(visible_text(page).split())
    assert ("2 not_run records (torch-cuda did not run: CUDA is not available) say nothing "
            "about the target") in text
    assert text.count("not_run records") == 1


def test_what_the_target_lacks_lists_each_missing_name_once(sample):
    text = " ".join(visible_text(render_html(sample)).split())
    assert "What the target lacks 1 name" in text
    assert "torch.linalg.norm 1 ops::linalg_norm" in text
    more = copy.deepcopy(sample)
    extra = copy.deepcopy(next(r for r in more["records"] if r["status"] == "missing"))
    extra.update(id="ops::other[target~torch-cpu]", case="ops::other", name="other")
    more["records"].append(extra)
    plain = {k: v for k, v in extra.items() if k != "observables"}
    plain.update(id="hooks::x[target~torch-cpu]", case="hooks::x", reason="needs nn")
    more["records"].append(plain)
    lacks = report_html.page_parts.lacks(more["records"])
    assert lacks == [
        {"name": "torch.linalg.norm", "cases": 2, "example": "ops::linalg_norm"},
        {"name": "needs nn", "cases": 1, "example": "hooks::x"}]
    assert 'href="#status=missing&amp;q=torch.linalg.norm"' in render_html(more)


def test_a_report_without_missing_or_not_run_has_neither_part(sample):
    clean = copy.deepcopy(sample)
    clean["records"] = [r for r in clean["records"]
                        if r["status"] not in ("missing", "not_run")]
    page = render_html(clean)
    assert "What the target lacks" not in page and 'id="toggle-not-run"' not in page


def test_observables_mismatching_first(page):
    data = page_data(page)
    tutorial = next(r for r in data["records"] if r["case"] == "bce::tutorial_loss")
    statuses = [o["status"] for o in tutorial["observables"]]
    assert statuses == sorted(statuses, key={"diverge": 0, "close": 1, "exact": 2}.get)
    assert [o["name"] for o in tutorial["observables"]][:4] == [
        "w.grad", "b.grad", "loss.grad_fn", "repr(z)"]


def test_text_observables_carry_a_character_diff(page):
    data = page_data(page)
    tutorial = next(r for r in data["records"] if r["case"] == "bce::tutorial_loss")
    repr_obs = next(o for o in tutorial["observables"] if o["name"] == "repr(z)")
    left_text = "tensor([ 1.3755, -0.6023, -4.8127], grad_fn=<AddBackward>)"
    assert repr_obs["diff"]["left"] == [[0, left_text]]      # nothing only on the left
    assert [t for c, t in repr_obs["diff"]["right"] if c] == ["0"]
    exact = next(o for o in tutorial["observables"] if o["name"] == "z.requires_grad")
    assert "diff" not in exact


def test_graphs_are_laid_out_with_the_differing_nodes_flagged(page):
    data = page_data(page)
    tutorial = next(r for r in data["records"] if r["case"] == "bce::tutorial_loss")
    layouts = tutorial["graphs"]["loss.grad_fn"]
    left = {n["name"]: n for n in layouts["left"]["nodes"]}
    right = {n["name"]: n for n in layouts["right"]["nodes"]}
    assert left["MatmulBackward0"]["differs"] and right["SqueezeBackward4"]["differs"]
    assert right["MmBackward0"]["differs"]
    assert not left["AddBackward0"]["differs"] and not right["AddBackward0"]["differs"]
    assert not left["AccumulateGrad"]["differs"] or left["AccumulateGrad"]["variable"] == "w"
    # A graph observable does not repeat the raw graph: the layout is drawn from "graphs".
    obs = next(o for o in tutorial["observables"] if o["name"] == "loss.grad_fn")
    assert obs["left"] == {"type": "graph"} and obs["graph"] == "loss.grad_fn"
    assert tutorial["extra_graphs"] == []
    same = next(r for r in data["records"] if r["case"] == "graph::shared_node")
    assert not any(n["differs"] for n in same["graphs"]["y.grad_fn"]["left"]["nodes"])


def test_case_text_is_escaped(page):
    data = page_data(page)
    hostile = next(r for r in data["records"] if r["case"].startswith("errors::hostile"))
    assert fixtures.HOSTILE_SCRIPT in hostile["id"]          # the data is intact...
    assert hostile["reason"].startswith("</script>")
    assert fixtures.HOSTILE_SCRIPT not in page               # ...but never raw in the page
    assert fixtures.HOSTILE_IMG not in page
    assert "<img" not in page
    assert page.count("<script") == 3                        # two blobs and the page's script
    assert "</script><!--" not in page


def test_matrix_escapes_area_names(sample):
    report = copy.deepcopy(sample)
    for rec in report["records"]:
        if rec["area"] == "ops":
            rec["area"] = "ops<b>bold</b>"
    report["summary"] = fixtures.summarise(report["records"])
    page = render_html(report)
    assert "<b>bold" not in page
    assert "ops&lt;b&gt;bold&lt;/b&gt;" in page


def test_page_is_self_contained(page):
    assert "http://" not in page and "https://" not in page
    assert "<link" not in page and "@import" not in page
    assert not re.search(r"<[a-zA-Z]+[^>]*\ssrc\s*=", page)
    # The content security policy lets only the page's own script run.
    script = re.search(r"<script>(.*?)</script>", page, re.S).group(1)
    digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
    assert f"script-src 'sha256-{digest}'" in page
    assert "default-src 'none'" in page


def test_incomplete_run_is_announced(sample):
    report = copy.deepcopy(sample)
    report["complete"] = False
    assert "This run is incomplete" in render_html(report)
    assert "This run is incomplete" not in render_html(sample)


def test_non_finite_floats_become_strings_json_parse_accepts(sample):
    report = copy.deepcopy(sample)
    obs = report["records"][0]["observables"][0]
    obs["max_rel"] = float("nan")
    obs["left"]["stats"]["max"] = float("inf")
    page = render_html(report)
    data = page_data(page)
    assert "NaN" not in re.search(r'id="report-details">(.*?)</script>', page, re.S).group(1)
    first = data["records"][0]["observables"][0]
    assert first["max_rel"] == "nan" and first["left"]["stats"]["max"] == "inf"


def test_summary_is_counted_from_records_when_absent(sample, page):
    report = copy.deepcopy(sample)
    del report["summary"]
    assert _matrix_cell(render_html(report), "errors", "target~torch-cpu") == "2 diverge 1 known"


@pytest.mark.parametrize("bad, error, message", [
    ([], TypeError, "expects the JSON report as a dict"),
    ({"schema_version": 99, "records": []}, ValueError, "unsupported report schema_version 99"),
    ({"schema_version": 1}, ValueError, "no 'records' list"),
    ({"schema_version": 1, "records": [{"id": "a::b[x]", "pair": "x"}]}, ValueError,
     "has no 'status'"),
    ({"schema_version": 1, "records": [{"id": "a::b[x]", "pair": "x", "status": "odd"}]},
     ValueError, "unknown status 'odd'"),
])
def test_bad_reports_get_a_clear_error(bad, error, message):
    with pytest.raises(error, match=re.escape(message)):
        render_html(bad)


def test_write_html_is_atomic(tmp_path, sample):
    target = tmp_path / "reports" / "conformance.html"
    write_html(sample, target)
    assert target.read_text(encoding="utf-8") == render_html(sample)
    assert os.listdir(target.parent) == ["conformance.html"]
    umask = os.umask(0)
    os.umask(umask)
    assert target.stat().st_mode & 0o777 == 0o666 & ~umask     # readable as the umask allows
    # A failed render leaves the old page in place and no temp file behind.
    before = target.read_text(encoding="utf-8")
    with pytest.raises(ValueError):
        write_html({"schema_version": 1}, target)
    assert target.read_text(encoding="utf-8") == before
    assert os.listdir(target.parent) == ["conformance.html"]


def test_char_diff_keeps_both_texts_and_marks_changes():
    left, right = "grad can be implicitly created", "grad can only be implicitly created!"
    diff = char_diff(left, right)
    assert "".join(t for _, t in diff["left"]) == left
    assert "".join(t for _, t in diff["right"]) == right
    assert [t.strip() for c, t in diff["right"] if c] == ["only", "!"]
    assert not any(c for c, _ in diff["left"])


def test_char_diff_folds_letter_noise_into_words():
    diff = char_diff("dtype=torch.float32", "dtype=torch.double")
    assert [t for c, t in diff["left"] if c] == ["float32"]
    assert [t for c, t in diff["right"] if c] == ["double"]


def test_char_diff_of_unrelated_texts_marks_them_whole():
    left = "(no warnings)"
    right = "UserWarning: The .grad attribute of a Tensor that is not a leaf"
    assert char_diff(left, right) == {"left": [[1, left]], "right": [[1, right]]}


def test_char_diff_of_long_texts_goes_line_by_line():
    lines = [f"line {i}: " + "x" * 60 for i in range(200)]
    changed = list(lines)
    changed[150] = changed[150].replace("line 150", "line 15O")
    left, right = "\n".join(lines), "\n".join(changed)
    diff = char_diff(left, right)
    assert "".join(t for _, t in diff["left"]) == left
    assert "".join(t for _, t in diff["right"]) == right
    changed_right = "".join(t for c, t in diff["right"] if c)
    assert "O" in changed_right and len(changed_right) < 10   # the one letter, not the line


def test_layout_uses_longest_path_layers():
    # 0 -> 1 -> 2 and 0 -> 2: node 2 sits below node 1, not beside it.
    g = fixtures.graph([("MulBackward0", None), ("ExpBackward0", None),
                        ("AccumulateGrad", "x")], [(0, 1, 0), (0, 2, 0), (1, 2, 0)])
    layout = layout_graph(g)
    layers = {n["name"]: n["layer"] for n in layout["nodes"]}
    assert layers == {"MulBackward0": 0, "ExpBackward0": 1, "AccumulateGrad": 2}
    ys = [n["y"] for n in layout["nodes"]]
    assert ys == sorted(ys) and len(set(ys)) == 3
    assert layout["height"] >= ys[-1] + layout["node_height"]


def test_layout_keeps_nodes_of_a_layer_apart():
    layout = layout_graph(fixtures.TUTORIAL_GRAPH)
    by_layer: dict = {}
    for node in layout["nodes"]:
        by_layer.setdefault(node["layer"], []).append(node)
    for nodes in by_layer.values():
        nodes.sort(key=lambda n: n["x"])
        for a, b in zip(nodes, nodes[1:]):
            assert a["x"] + a["w"] < b["x"]
        assert nodes[-1]["x"] + nodes[-1]["w"] <= layout["width"]
    assert {n["key"] for n in layout["nodes"]} == {"", "/0", "/1", "/0/0", "/0/1", "/0/0/0",
                                                   "/0/0/0/0", "/0/0/0/1"}


def test_layout_survives_a_malformed_graph():
    cyclic = fixtures.graph([("A", None), ("B", None)], [(0, 1, 0), (1, 0, 0)])
    layout = layout_graph(cyclic)
    assert len(layout["nodes"]) == 2
    dangling = {"type": "graph", "nodes": [{"id": 0, "name": "A", "variable": None}],
                "edges": [{"src": 0, "dst": 7, "input_nr": 0}]}
    assert layout_graph(dangling)["edges"] == []


def test_many_records_render(tmp_path):
    report = fixtures.many_records_report(600)
    write_html(report, tmp_path / "big.html")
    data = page_data((tmp_path / "big.html").read_text(encoding="utf-8"))
    assert len(data["records"]) == 600
    assert len({r["id"] for r in data["records"]}) == 600
    assert math.isclose(sum(report["summary"]["total"].values()), 600)


def test_a_minimal_report_renders():
    """Only what the schema cannot do without: a version and the records."""
    record = {"id": "ops::add[target~torch-cpu]", "status": "match", "pair": "target~torch-cpu"}
    page = render_html({"schema_version": 1, "records": [record]})
    data = page_data(page)
    assert data["records"][0]["area"] == "ops" and data["records"][0]["case"] == "ops::add"
    assert _matrix_cell(page, "ops", "target~torch-cpu") == "1 match"
    assert "conformance 100.0%" in " ".join(visible_text(page).split())
    empty = render_html({"schema_version": 1, "records": []})
    assert "0 records" in " ".join(visible_text(empty).split())


def test_a_reference_torch_of_another_release_is_a_line_on_the_page(sample):
    report = copy.deepcopy(sample)
    report["environment"].update(target_follows_torch="2.13", torch="2.14.1+cu130",
                                 torch_note="refgrad follows torch 2.13, but the reference "
                                            "torch is 2.14.1+cu130: ...")
    page = render_html(report)
    text = " ".join(visible_text(page).split())
    assert 'id="torch-note"' in page
    assert "refgrad follows torch 2.13, but the reference torch is 2.14.1+cu130" in text
    assert "Target refgrad 0.1.0 (follows torch 2.13)" in text
    assert 'id="torch-note"' not in render_html(sample)
