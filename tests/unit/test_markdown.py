"""Markdown and CSV for the command post: the same cells as the terminal, user text inert, raw numbers in CSV."""

from __future__ import annotations

import csv
import io
import json

import pytest

from conftest import minimal_scenario
from sispam_sim.report.markdown import headline_csv, md_table, md_text, run_markdown, targets_csv


def test_user_text_is_inert_in_markdown():
    assert md_text("a|b *c* _d_ [e](f) <script> # h `i` \\ j") == \
        "a\\|b \\*c\\* \\_d\\_ \\[e\\](f) \\<script\\> \\# h \\`i\\` \\\\ j"
    assert md_text("two\nlines\r\x1b[2J") == "two lines\\\\r\\\\x1b\\[2J"   # escapes shown, not acted on
    assert md_table(["x", "n"], [["a|b", "1"]], right=(1,)) == "| x | n |\n| --- | ---: |\n| a\\|b | 1 |\n"


@pytest.fixture
def run_json(cli, write):
    data = minimal_scenario()
    data["name"] = "Polres | [town] *drill*"
    data["targets"] = {"response_time": {"p90": "15min"}, "unresolved": {"max": 0}}
    path = write(data)
    result = cli("run", path, "-r", "4", "--format", "json", "--quiet")
    assert result.code == 0, result.err
    return path, json.loads(result.out)


def test_run_markdown_has_the_targets_and_a_headline_table_per_kind(cli, run_json):
    path, doc = run_json
    result = cli("run", path, "-r", "4", "--format", "markdown", "--quiet")
    assert result.code == 0, result.err
    text = result.out
    assert text == run_markdown(doc)
    assert text.startswith("## Simulation results: Polres \\| \\[town\\] \\*drill\\*\n")
    assert "| Target | Limit | Value \\[95% CI\\] | ≤ limit | Result |" in text
    p90 = doc["targets"][0]["value"]
    assert f"| Response time | p90 ≤ 15.0 | {p90:.1f}" in text
    assert "### Rapid response — " in text and "| Metric | mean \\[95% CI\\] | p50 | p90 | p95 | p99 |" in text


def test_targets_and_headline_csv_hold_the_documents_numbers(run_json):
    _, doc = run_json
    rows = list(csv.DictReader(io.StringIO(targets_csv(doc))))
    assert [(r["metric"], r["stat"], r["verdict"]) for r in rows] == [
        (t["metric"], t["stat"], t["verdict"]) for t in doc["targets"]]
    assert float(rows[0]["value"]) == pytest.approx(doc["targets"][0]["value"], abs=1e-6)
    assert float(rows[0]["share_within"]) == pytest.approx(doc["targets"][0]["share_within"]["value"], abs=1e-6)
    head = {(r["kind"], r["metric"], r["stat"]): r for r in csv.DictReader(io.StringIO(headline_csv(doc)))}
    rt = doc["metrics"]["all"]["response_time"]
    assert float(head[("all", "response_time", "p90")]["value"]) == pytest.approx(rt["p90"]["value"], abs=1e-6)
    assert head[("rapid_response", "response_time", "mean")]["incidents"] == str(rt["n"])


def test_out_writes_the_tables_as_csv_beside_the_outputs(cli, write, tmp_path):
    out = tmp_path / "out"
    result = cli("run", write(minimal_scenario()), "-r", "2", "--out", out, "--quiet")
    assert result.code == 0, result.err
    doc = json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert (out / "targets.csv").read_text(encoding="utf-8") == targets_csv(doc)
    assert (out / "headline.csv").read_text(encoding="utf-8") == headline_csv(doc)


def test_check_and_compare_speak_markdown(cli, write):
    data = minimal_scenario()
    data["targets"] = {"response_time": {"p90": "15min"}}
    path = write(data)
    check = cli("check", path, "-r", "3", "--format", "markdown", "--quiet")
    assert check.code in (0, 1), check.err
    assert "| Target | Limit | Value \\[95% CI\\] |" in check.out and check.out.rstrip().splitlines()[-1].startswith("- ")
    more = minimal_scenario()
    more["forces"]["units"][0]["count"] = 4
    compare = cli("compare", path, write(more, "b.yaml"), "-r", "3", "--format", "markdown", "--quiet")
    assert compare.code == 0, compare.err
    assert "- **A**: minimal" in compare.out and "### B − A: minimal" in compare.out
    assert "| Kind | Statistic | A | B | B − A \\[95% CI\\] | Verdict |" in compare.out
