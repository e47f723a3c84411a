"""``sispam-sim compare``: exit codes, formats, --fail-if-worse, --out, pairing messages, labels."""

from __future__ import annotations

import csv
import json

import pytest

from tests.conftest import minimal_scenario


def _town(patrols: int, seed: int = 1) -> dict:
    data = minimal_scenario()
    data["seed"] = seed
    data["forces"]["units"][0]["count"] = patrols
    data["incidents"][0].update({"rate": "3/h", "work": {"dist": "exponential", "mean": "40min"}})
    data["targets"] = {"response_time": {"p90": "10min"}}
    return data


@pytest.fixture
def files(write):
    return {"base": write(_town(2), "base.yaml"), "more": write(_town(5), "more.yaml"),
            "fewer": write(_town(1), "fewer.yaml")}


def test_json_names_metrics_and_stats_as_results_json(cli, files):
    result = cli("compare", files["base"], files["more"], "-r", "20", "-q", "--format", "json")
    assert result.code == 0, result.err
    document = json.loads(result.out)
    assert document["baseline"] == {"name": "minimal", "file": str(files["base"])}
    plan = document["plans"][0]
    assert plan["file"] == str(files["more"]) and plan["paired"]
    p90 = plan["differences"]["response_time"]["p90"]
    assert set(p90) >= {"value", "ci", "verdict"} and p90["verdict"] == "better" and p90["ci"][1] < 0
    assert set(plan["by_kind"]) == {"rapid_response"} and document["correction"] is None
    assert document["manifest"]["replications"] == 20


def test_self_comparison_prints_no_difference(cli, files):
    result = cli("compare", files["base"], files["base"], "-r", "10", "-q")
    assert result.code == 0, result.err
    assert "worse" not in result.out and "better │" not in result.out and "Paired" in result.out
    document = json.loads(cli("compare", files["base"], files["base"], "-r", "10", "-q", "-f", "json").out)
    entries = [e for table in document["plans"][0]["differences"].values() for e in table.values()]
    assert entries and all(e["value"] == 0 and e["ci"] == [0, 0] and e["verdict"] == "no difference"
                           for e in entries)


def test_fail_if_worse_exits_1_only_when_a_plan_is_significantly_worse(cli, files):
    worse = cli("compare", files["base"], files["fewer"], "-r", "20", "-q", "--fail-if-worse", "response_time.p90")
    assert worse.code == 1 and "significantly worse than the baseline on response_time.p90" in worse.err
    better = cli("compare", files["base"], files["more"], "-r", "20", "-q",
                 "--fail-if-worse", "rapid_response.response_time.p90", "--fail-if-worse", "response_time.mean")
    assert better.code == 0, better.err


def test_holm_is_said_with_more_than_one_plan(cli, files):
    result = cli("compare", files["base"], files["more"], files["fewer"], "-r", "20", "-q", "-f", "json")
    document = json.loads(result.out)
    assert document["correction"]["method"] == "holm" and document["correction"]["comparisons"] == 2
    assert [p["differences"]["response_time"]["p90"]["verdict"] for p in document["plans"]] == ["better", "worse"]
    table = cli("compare", files["base"], files["more"], files["fewer"], "-r", "20", "-q")
    assert "Holm" in table.out


def test_bad_fail_if_worse_name_exits_2_with_a_suggestion_before_running(cli, files):
    result = cli("compare", files["base"], files["more"], "--fail-if-worse", "respons_time.p90")
    assert result.code == 2 and 'did you mean "response_time"' in result.err and "Traceback" not in result.err


def test_bad_plan_files_exit_2(cli, files, write):
    bad = write("version: 1\nname: x\n", "bad.yaml")
    result = cli("compare", files["base"], bad, "-q")
    assert result.code == 2 and "bad.yaml" in result.err and "nothing was run" in result.err
    missing = cli("compare", files["base"], files["base"].parent / "nope.yaml", "-q")
    assert missing.code == 2 and "Traceback" not in missing.err
    alone = cli("compare", files["base"], "-q")
    assert alone.code == 2
    auto = cli("compare", files["base"], files["more"], "-r", "auto")
    assert auto.code == 2 and "fixed number" in auto.err


def test_unpaired_plans_are_named_with_the_differing_keys(cli, files, write):
    other = _town(2, seed=9)
    other["incidents"][0]["rate"] = "2/h"
    path = write(other, "other.yaml")
    result = cli("compare", files["base"], path, "-r", "10", "-q")
    assert result.code == 0, result.err
    assert "Not paired" in result.out and "seed, incidents" in result.out
    assert "incidents[0] (rapid_response)" in result.out
    document = json.loads(cli("compare", files["base"], path, "-r", "10", "-q", "-f", "json").out)
    assert document["plans"][0]["differs"] == {"keys": ["seed", "incidents"],
                                               "incidents": ["incidents[0] (rapid_response)"]}


def test_seed_applies_to_every_plan(cli, files, write):
    other = write(_town(2, seed=9), "other.yaml")
    assert "Not paired" in cli("compare", files["base"], other, "-r", "5", "-q").out
    result = cli("compare", files["base"], other, "-r", "5", "-q", "--seed", "3", "-f", "json")
    document = json.loads(result.out)
    assert document["paired"] and document["manifest"]["seeds"] == [3, 3]


def test_out_writes_json_and_csv(cli, files, tmp_path):
    out = tmp_path / "cmp"
    result = cli("compare", files["base"], files["more"], "-r", "10", "-q", "--out", out, "--lang", "id")
    assert result.code == 0, result.err
    assert "Perbandingan rencana" in result.out and "lebih baik" in result.out
    document = json.loads((out / "comparison.json").read_text(encoding="utf-8"))
    rows = list(csv.DictReader((out / "comparison.csv").open(encoding="utf-8")))
    p90 = next(r for r in rows if r["kind"] == "" and r["metric"] == "response_time" and r["stat"] == "p90")
    assert p90["verdict"] == document["plans"][0]["differences"]["response_time"]["p90"]["verdict"] == "better"
    assert sorted(p.name for p in out.iterdir()) == ["comparison.csv", "comparison.html", "comparison.json"]


def test_interrupted_compare_leaves_no_folder(cli, files, tmp_path, monkeypatch):
    from sispam_sim.runner import pipeline

    def interrupt(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(pipeline, "simulate", interrupt)
    out = tmp_path / "new" / "cmp"
    result = cli("compare", files["base"], files["more"], "-r", "5", "-q", "--out", out)
    assert result.code == 130 and not (tmp_path / "new").exists()


def test_user_text_is_printed_plainly(cli, write):
    base = _town(2)
    base["name"] = "[bold red]plan[/] \x1b[31m"
    path = write(base, "base.yaml")
    result = cli("compare", path, path, "-r", "5", "-q")
    assert result.code == 0 and "[bold red]plan[/]" in result.out and "\x1b" not in result.out


def test_set_overrides_every_plan(cli, files):
    result = cli("compare", files["base"], files["more"], "-r", "5", "-q", "-f", "json",
                 "--set", "forces.units[patrol].count=3")
    assert result.code == 0, result.err
    p90 = json.loads(result.out)["plans"][0]["differences"]["response_time"]["p90"]
    assert p90["value"] == 0 and p90["ci"] == [0, 0]   # both plans now have the same three patrols


def test_the_table_is_one_compact_table_per_plan_headline_rows_unless_detail(cli, write):
    from conftest import minimal_scenario

    base = minimal_scenario()
    more = minimal_scenario()
    more["forces"]["units"][0]["count"] = 4
    more["name"] = "more patrols"
    paths = [write(base, "a.yaml"), write(more, "b.yaml")]
    short = cli("compare", *paths, "-r", "10", "--quiet")
    assert short.code == 0, short.err
    assert "  A  minimal" in short.out and "  B  more patrols" in short.out   # the legend
    assert "B − A: more patrols" in short.out and "B − A [95% CI]" in short.out
    assert "Response time p90" in short.out and "Response time p50" not in short.out
    assert "Headline statistics only: --detail shows every one" in short.out
    detail = cli("compare", *paths, "-r", "10", "--quiet", "--detail")
    assert "Response time p50" in detail.out and "Headline statistics only" not in detail.out


def test_compare_bounds_its_plans_and_replications_before_running(cli, write):
    from conftest import minimal_scenario

    path = write(minimal_scenario())
    many = cli("compare", *([path] * 22), "-r", "2")
    assert many.code == 2
    assert "compare takes at most 20 plans besides the baseline and 200,000 replications in all; found 21 plan(s)" \
        in many.err
    long = cli("compare", path, path, path, "-r", "100000")
    assert long.code == 2 and "found 2 plan(s) x 100,000" in long.err
