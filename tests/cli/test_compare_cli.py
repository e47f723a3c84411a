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
    assert sorted(p.name for p in out.iterdir()) == ["comparison.csv", "comparison.html", "comparison.json",
                                                     "decision.csv"]


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


def test_fewer_than_20_days_warn_on_every_output(cli, files, tmp_path):
    """Below compare's FEW_DAYS (20) every output says how many days it rests on; at 20 none does."""
    args = ("compare", files["base"], files["more"], "-q")
    table = cli(*args, "-r", "10")
    assert table.code == 0 and "only 10 days" in table.out and "-r 20" in table.out
    document = json.loads(cli(*args, "-r", "10", "-f", "json").out)
    assert document["warnings"] == [{"code": "few_days", "days": 10, "fewest": 20}]
    assert "only 10 days" in cli(*args, "-r", "10", "-f", "markdown").out
    assert "hanya 10 hari" in cli(*args, "-r", "10", "--lang", "id").out.lower()
    out = tmp_path / "few"
    assert cli(*args, "-r", "10", "--out", str(out)).code == 0
    assert "only 10 days" in (out / "comparison.html").read_text(encoding="utf-8")
    enough = cli(*args, "-r", "20", "-f", "json")
    assert json.loads(enough.out)["warnings"] == []
    assert "only 20 days" not in cli(*args, "-r", "20").out


def test_detail_rows_are_set_apart_with_their_family_wise_meaning(cli, files, tmp_path):
    """Headline rows are the planned tests; --detail lists the others under their own heading and
    says how many of them would read better or worse by chance (each at 5%: N/20)."""
    result = cli("compare", files["base"], files["more"], "-r", "20", "-q", "--detail")
    assert result.code == 0
    lines = result.out.splitlines()
    heading = next(i for i, line in enumerate(lines) if "More statistics" in line)
    assert heading > next(i for i, line in enumerate(lines) if "Response time p90" in line)
    assert any("Response time" in line for line in lines[heading + 1:])      # detail rows under it
    document = json.loads(cli("compare", files["base"], files["more"], "-r", "20", "-q", "-f", "json").out)
    rows = document["rows"]
    plan = document["plans"][0]
    entries = [e for block in (plan["differences"], *plan["by_kind"].values()) for t in block.values()
               for e in t.values()]
    assert rows["headline"] + rows["detail"] == len(entries)
    assert rows["detail_by_chance"] == round(rows["detail"] * 0.05, 1)
    assert plan["differences"]["response_time"]["p90"]["row"] == "headline"
    assert plan["differences"]["response_time"]["p50"]["row"] == "detail"
    assert f"{rows['detail']} rows" in " ".join(result.out.split())
    out = tmp_path / "c"
    assert cli("compare", files["base"], files["more"], "-r", "20", "-q", "--out", str(out)).code == 0
    with (out / "comparison.csv").open(encoding="utf-8") as f:
        table = list(csv.DictReader(f))
    assert {r["row"] for r in table} == {"headline", "detail"}
    assert 'id="detail"' in (out / "comparison.html").read_text(encoding="utf-8")


def test_a_fail_if_worse_statistic_is_a_headline_row(cli, files):
    """What --fail-if-worse names is a planned test: shown in the default table and marked headline."""
    args = ("compare", files["base"], files["fewer"], "-r", "20", "-q")
    plain_run = json.loads(cli(*args, "-f", "json").out)
    assert plain_run["plans"][0]["differences"]["response_time"]["p95"]["row"] == "detail"
    named = cli(*args, "-f", "json", "--fail-if-worse", "response_time.p95")
    assert json.loads(named.out)["plans"][0]["differences"]["response_time"]["p95"]["row"] == "headline"
    table = cli(*args, "--fail-if-worse", "response_time.p95")
    assert "Response time p95" in table.out and "More statistics" not in table.out


def test_the_decision_table_opens_every_output_and_the_recommendation_ends_the_terminal(cli, files):
    """More patrols (5 against 2, calls 3/h of 40 min) are faster on every headline row and worse on
    none: the one plan kept. Fewer (1 patrol for 3/h x 40 min = 2 patrols' worth of work) queues all
    day and leaves calls open at the end: ruled out. The table comes before the per-plan tables, and
    the recommendation is printed again as the last line, so that it stays on screen."""
    args = ("compare", files["base"], files["more"], files["fewer"], "-r", "20", "-q")
    document = json.loads(cli(*args, "-f", "json").out)
    recommendation = document["decision"]["recommendation"]
    assert (recommendation["outcome"], recommendation["plan"], recommendation["why"]) == ("keep", 1, ["better"])
    assert [p["status"] for p in document["decision"]["plans"]] == ["candidate", "kept", "ruled_out"]
    assert document["decision"]["plans"][2]["reasons"] == ["unresolved"]
    table = cli(*args)
    lines = table.out.splitlines()
    assert next(i for i, line in enumerate(lines) if line.startswith("Decision (minutes)")) < \
        next(i for i, line in enumerate(lines) if line.startswith("B − A:"))
    last = " ".join(table.out.strip().split("\n\n")[-1].split())
    assert last.startswith("Recommendation: keep B (minimal)")
    assert "most: " not in table.out   # the old ending by names: "most: B, B" when two plans share one
    markdown = cli(*args, "-f", "markdown").out
    assert markdown.index("### Decision (minutes)") < markdown.index("### B − A") and \
        "**Recommendation: keep B (minimal)" in markdown
    indonesian = cli(*args, "--lang", "id").out
    assert "Keputusan (menit)" in indonesian and "Rekomendasi: pilih B (minimal)" in indonesian


@pytest.fixture(scope="module")
def bundled(tmp_path_factory):
    """The reference scenario and the bundled plans B (central reserve), C (forward posts) and D (more
    QRTs) on 20 days: the terminal table, and comparison.json and the CSVs from --out."""
    import contextlib
    import io
    from pathlib import Path

    from sispam_sim.cli.app import main

    root = Path(__file__).resolve().parents[2]
    files = [root / "scenarios" / "jember-pilkada-2024.yaml",
             *(root / "scenarios" / "plans" / f"jember-{name}.yaml" for name in ("central-reserve", "forward-posts",
                                                                                "more-qrt"))]
    out = tmp_path_factory.mktemp("bundled")
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed), pytest.raises(SystemExit) as info:
        main(["compare", *map(str, files), "-r", "20", "-q", "--out", str(out)])
    assert info.value.code == 0
    return printed.getvalue(), json.loads((out / "comparison.json").read_text(encoding="utf-8")), out


def test_on_the_bundled_plans_the_plan_that_leaves_the_kpu_protest_unresolved_is_ruled_out(bundled):
    """Plan D (more QRTs) never disperses the KPU protest: 1 incident open at the end of each of the 20
    days, the baseline none. It is ruled out whatever its other rows (its p90 response is no worse),
    its 0 % of days at kuning reads "not better", and the recommendation is not D."""
    _, document, _ = bundled
    table = document["decision"]
    more_qrt = table["plans"][3]
    assert more_qrt["file"].endswith("jember-more-qrt.yaml") and more_qrt["letter"] == "D"
    assert more_qrt["status"] == "ruled_out" and "unresolved" in more_qrt["reasons"]
    unresolved = next(row for row in table["rows"] if row["row"] == "unresolved")["cells"]
    assert unresolved[0]["value"] == 0 and unresolved[3]["value"] == 1.0
    assert (unresolved[3]["days"], unresolved[3]["of"], unresolved[3]["kinds"]) == (20, 20, {"crowd_buildup": 1.0})
    kuning = document["plans"][2]["by_kind"]["crowd_buildup"]["levels"]["2"]
    assert kuning["value"] == -1.0 and kuning["verdict"] == "not better"
    recommendation = table["recommendation"]
    assert recommendation["plan"] != 3 and 3 not in recommendation["between"]
    assert all(p["status"] != "ruled_out" for p in table["plans"] if p["index"] != 3)


def test_censored_values_print_as_more_than_in_the_terminal_and_keep_a_flag_in_json_and_csv(bundled, cli):
    """D never brings the KPU protest to full strength: more than 10 % of its crowds are censored, so the
    p90 time to full strength lies among them (its value is the call-to-end-of-run time, 1200 minutes)
    and prints "> 1200.0" wherever it appears, never "1200.0" alone; the difference "> +X"."""
    printed, document, out = bundled
    entry = document["plans"][2]["by_kind"]["crowd_buildup"]["full_strength_time"]["p90"]
    assert entry["plan_censored"] and not entry["base_censored"] and entry["censored"]
    plan_value = f"{entry['plan']:.1f}"
    lines = [line for line in printed.splitlines() if plan_value in line]
    assert lines and all(f"> {plan_value}" in line for line in lines)
    assert f"> +{entry['value']:.1f}" in printed   # only the plan's side is censored: the difference is larger
    with (out / "comparison.csv").open(encoding="utf-8") as f:
        row = next(r for r in csv.DictReader(f) if r["letter"] == "D" and r["kind"] == "crowd_buildup"
                   and r["metric"] == "full_strength_time" and r["stat"] == "p90")
    assert (row["plan_censored"], row["base_censored"], float(row["value"])) == ("true", "false", entry["plan"])
    with (out / "decision.csv").open(encoding="utf-8") as f:
        decision = [r for r in csv.DictReader(f) if r["letter"] == "D"]
    assert {r["decision"] for r in decision} == {"ruled_out"}
    assert next(r for r in decision if r["row"] == "unresolved")["days"] == "20"


def test_censored_values_print_as_more_than_in_markdown(cli):
    """Markdown prints D's censored p90 time to full strength of the KPU crowd as "\\> 1200.0" (escaped)."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    args = ("compare", root / "scenarios" / "jember-pilkada-2024.yaml",
            root / "scenarios" / "plans" / "jember-more-qrt.yaml", "-r", "5", "-q")
    document = json.loads(cli(*args, "-f", "json").out)
    entry = document["plans"][0]["by_kind"]["crowd_buildup"]["full_strength_time"]["p90"]
    assert entry["plan_censored"] and not entry["base_censored"]
    markdown = cli(*args, "-f", "markdown").out
    row = next(line for line in markdown.splitlines() if line.startswith("| Crowd build-up | Time to full strength p90"))
    assert f"| \\> {entry['plan']:.1f} |" in row and f"| {entry['base']:.1f} |" in row


def test_plan_names_in_the_decision_are_plain_text_everywhere(cli, write, tmp_path):
    """A plan named like markup, a control code and a spreadsheet formula: the terminal shows the markup
    as written and no escape byte, Markdown escapes it, decision.csv starts no formula."""
    from sispam_sim.runner.output import from_spreadsheet_safe

    base = _town(2)
    hostile = _town(5)
    hostile["name"] = "=cmd|' /C calc'!A0 [bold red]x[/] \x1b[31m"
    paths = [write(base, "a.yaml"), write(hostile, "b.yaml")]
    out = tmp_path / "cmp"
    table = cli("compare", *paths, "-r", "10", "-q", "--out", out)
    assert table.code == 0, table.err
    assert "\x1b" not in table.out and "keep B (=cmd|' /C calc'!A0 [bold red]x[/] \\x1b[31m)" in \
        " ".join(table.out.split())
    markdown = cli("compare", *paths, "-r", "10", "-q", "-f", "markdown").out
    assert "\\[bold red\\]x\\[/\\]" in markdown and "\x1b" not in markdown
    with (out / "decision.csv").open(encoding="utf-8") as f:
        names = {row["letter"]: row["plan"] for row in csv.DictReader(f)}
    assert names["B"].startswith("'=") and from_spreadsheet_safe(names["B"]) == hostile["name"]
