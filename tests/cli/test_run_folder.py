"""A run's --out folder read back by report and replay: it stands alone, and what it holds is checked.

results.json names the scenario relative to the folder (so ``report`` gives the same bytes from any
working folder), refuses a scenario path outside the folder's parent tree unless --allow-outside,
records each CSV's rows and sha256 (a damaged, cut or foreign file is an error naming it), and is
read within bounds (depth, size, an object).
"""

from __future__ import annotations

import hashlib
import json
import shutil
import warnings
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCENARIO = ROOT / "scenarios" / "crowd-buildup.yaml"
CSVS = ("incidents.csv", "timeline.csv", "events.csv")


def _run(cli, folder: Path, *extra: str) -> Path:
    shutil.copy(SCENARIO, folder / SCENARIO.name)
    out = folder / "out"
    result = cli("run", folder / SCENARIO.name, "-r", "3", "-q", "--out", out, "--format", "json", *extra)
    assert result.code == 0, result.err
    return out


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    """A run of crowd-buildup.yaml (3 days): ``tmp/crowd-buildup.yaml`` and ``tmp/out``."""
    from sispam_sim.cli.app import main

    folder = tmp_path_factory.mktemp("folder")
    shutil.copy(SCENARIO, folder / SCENARIO.name)
    with pytest.raises(SystemExit) as info:
        main(["run", str(folder / SCENARIO.name), "-r", "3", "-q", "--out", str(folder / "out"), "--format", "json"])
    assert info.value.code == 0
    return folder / "out"


@pytest.fixture
def copy(saved, tmp_path) -> Path:
    """A fresh copy of the saved run, its scenario beside it, to damage."""
    shutil.copytree(saved.parent, tmp_path / "copy")
    return tmp_path / "copy" / "out"


def _results(out: Path) -> dict:
    return json.loads((out / "results.json").read_text(encoding="utf-8"))


def _edit_results(out: Path, change) -> None:
    results = _results(out)
    change(results)
    (out / "results.json").write_text(json.dumps(results), encoding="utf-8")


# ------------------------------------------------------------------ A: a folder that stands alone

def test_results_name_the_scenario_relative_to_the_folder(saved):
    scenario = _results(saved)["scenario"]
    assert scenario["file"] == "../crowd-buildup.yaml"
    assert [entry["file"] for entry in scenario["inputs"]] == ["../crowd-buildup.yaml"]
    assert scenario["sha256"] == hashlib.sha256(SCENARIO.read_bytes()).hexdigest()


def test_report_gives_the_same_bytes_from_any_working_folder(cli, tmp_path, monkeypatch):
    (tmp_path / "plan").mkdir()
    shutil.copy(SCENARIO, tmp_path / "plan" / SCENARIO.name)
    monkeypatch.chdir(tmp_path / "plan")   # run with the scenario named relative to where it started
    assert cli("run", SCENARIO.name, "-r", "2", "-q", "--out", "out").code == 0
    copy = tmp_path / "plan" / "out"
    pages = []
    for cwd in (tmp_path, copy):
        monkeypatch.chdir(cwd)
        result = cli("report", copy)
        assert result.code == 0, result.err
        pages.append((copy / "report.html").read_bytes())
    assert pages[0] == pages[1]
    page = pages[0].decode("utf-8")
    assert "is not there any more" not in page and "Kantor KPU Jember" in page   # the map has the places


@pytest.mark.parametrize("name", ["/etc/passwd", "../../../../../../../../etc/passwd"])
@pytest.mark.parametrize("command", [("report",), ("replay", "--worst", "1")])
def test_a_scenario_path_outside_the_folder_tree_is_refused(cli, copy, name, command):
    _edit_results(copy, lambda r: r["scenario"].update(file=name))
    result = cli(command[0], copy, *command[1:])
    assert result.code == 2
    assert "results.json" in result.err and "scenario.file" in result.err and "--allow-outside" in result.err
    assert "Traceback" not in result.err


def test_allow_outside_reads_a_scenario_elsewhere(cli, tmp_path, monkeypatch):
    """Outside DIR's parent tree and the current folder's: refused, unless --allow-outside; from
    a working folder whose tree holds the scenario (the project's), it is read without it."""
    (tmp_path / "plans").mkdir()
    (tmp_path / "runs" / "today").mkdir(parents=True)
    shutil.copy(SCENARIO, tmp_path / "plans" / SCENARIO.name)
    out = tmp_path / "runs" / "today" / "out"   # ../../../plans: outside runs/today
    assert cli("run", tmp_path / "plans" / SCENARIO.name, "-r", "2", "-q", "--out", out).code == 0
    refused = cli("replay", out, "--worst", "1")
    assert refused.code == 2 and "--allow-outside" in refused.err
    allowed = cli("replay", out, "--worst", "1", "--allow-outside", "--format", "json")
    assert allowed.code == 0, allowed.err
    assert json.loads(allowed.out)[0]["place"] == "Bundaran DPRD Jember"
    monkeypatch.chdir(tmp_path)   # the project folder: plans/ and runs/ both lie in its tree
    inside = cli("replay", out, "--worst", "1", "--format", "json")
    assert inside.code == 0, inside.err
    assert json.loads(inside.out)[0]["place"] == "Bundaran DPRD Jember"


def test_a_scenario_path_that_is_not_a_regular_file_is_refused(cli, copy):
    (copy.parent / "folder.yaml").mkdir()
    _edit_results(copy, lambda r: r["scenario"].update(file="../folder.yaml"))
    result = cli("report", copy)
    assert result.code == 2 and "scenario.file" in result.err and "not a regular file" in result.err


# ------------------------------------------------------------------ B: the CSVs are the run's own

def test_results_record_each_csvs_rows_and_digest(saved):
    files = _results(saved)["files"]
    assert set(files) == set(CSVS)
    for name in CSVS:
        data = (saved / name).read_bytes()
        assert files[name] == {"rows": data.count(b"\n") - 1, "sha256": hashlib.sha256(data).hexdigest()}


@pytest.mark.parametrize("command", [("report",), ("replay", "--worst", "2"),
                                     ("replay", "--incident", "crowd_buildup-0001", "--replication", "1")])
def test_a_truncated_csv_is_an_error_naming_it(cli, copy, command):
    data = (copy / "incidents.csv").read_bytes()
    (copy / "incidents.csv").write_bytes(data[:len(data) // 2])   # cut mid-row
    result = cli(command[0], copy, *command[1:])
    assert result.code == 2
    assert "incidents.csv" in result.err and "results.json" in result.err and "Traceback" not in result.err


def test_a_damaged_csv_with_the_same_rows_is_an_error(cli, copy):
    text = (copy / "events.csv").read_text(encoding="utf-8")
    (copy / "events.csv").write_text(text.replace("arrive", "arrivx", 1), encoding="utf-8")
    result = cli("replay", copy, "--worst", "1")
    assert result.code == 2 and "events.csv" in result.err and "sha256" in result.err


def test_a_csv_from_another_run_is_an_error(cli, copy, tmp_path):
    other = tmp_path / "other"
    other.mkdir()
    other_out = _run(cli, other, "--seed", "7", "-r", "4")
    shutil.copy(other_out / "timeline.csv", copy / "timeline.csv")
    result = cli("report", copy)
    assert result.code == 2 and "timeline.csv" in result.err and "rows" in result.err


def test_results_of_an_older_version_without_files_are_still_read(cli, copy):
    _edit_results(copy, lambda r: r.pop("files"))
    assert cli("report", copy).code == 0
    result = cli("replay", copy, "--worst", "1")
    assert result.code == 0 and result.err == ""


# ------------------------------------------------------------------ C: results.json read within bounds

@pytest.mark.parametrize("text, words", [
    ("[" * 100_000 + "]" * 100_000, "nesting"),
    ('{"a": ' * 100_000 + "1" + "}" * 100_000, "nesting"),
    ("[1, 2]", "JSON object"),
    ('{"scenario": ', "not valid JSON"),
    ('{"files": [1]}', "files"),
])
@pytest.mark.parametrize("command", [("report",), ("replay", "--worst", "1")])
def test_a_crafted_results_json_is_a_clear_error(cli, copy, text, words, command):
    (copy / "results.json").write_text(text, encoding="utf-8")
    result = cli(command[0], copy, *command[1:])
    assert result.code == 2
    assert "results.json" in result.err and words in result.err and "Traceback" not in result.err


# ------------------------------------------------------------------ D: replay's smaller points

def test_an_id_on_several_days_needs_the_day(cli, saved):
    result = cli("replay", saved, "--incident", "crowd_buildup-0002")
    assert result.code == 2
    assert "3 days" in result.err and "--replication" in result.err
    assert cli("replay", saved, "--incident", "crowd_buildup-0002", "--replication", "3").code == 0


def test_the_worst_table_shows_day_and_id_whole(cli, saved):
    result = cli("replay", saved, "--worst", "3")
    assert result.code == 0, result.err
    assert "crowd_buildup-0002" in result.out and "--replication" in result.out


def test_replay_shows_place_names_as_run_does(cli, saved):
    listed = json.loads(cli("replay", saved, "--worst", "6", "--format", "json").out)
    assert {row["place"] for row in listed} == {"Kantor KPU Jember", "Bundaran DPRD Jember"}
    table = cli("replay", saved, "--worst", "6").out
    assert "Kantor KPU" in table and "│ kpu" not in table


def test_replay_json_gives_numbers_null_and_text(cli, saved):
    data = json.loads(cli("replay", saved, "--incident", "crowd_buildup-0001", "--replication", "1",
                          "--format", "json").out)
    record = data["incident"]
    assert isinstance(record["call"], (int, float)) and isinstance(record["response_time"], float)
    assert record["replication"] == 0 and record["tps_downtime"] is None and record["site"] is None
    assert isinstance(record["id"], str) and isinstance(record["label"], str)
    assert all(isinstance(e["time"], float) for e in data["events"])
    assert next(e for e in data["events"] if e["action"] == "call")["unit"] is None


def test_the_map_without_scenario_warns_nothing():
    from sispam_sim.report import charts

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        svg = charts.map_chart([], [], [], [{"lat": -8.1, "lon": 113.7, "response": 5.0}], {}, "map", "desc")
    assert "<svg" in svg


def test_report_without_its_scenario_warns_nothing(cli, copy):
    _edit_results(copy, lambda r: r["scenario"].update(file="../gone.yaml"))   # the map from the incidents alone
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        result = cli("report", copy)
    assert result.code == 0 and "Warning" not in result.err


@pytest.mark.parametrize("lang, word", [("en", "Wrote report.html"), ("id", "Menulis report.html")])
def test_report_says_what_it_wrote_in_the_language(cli, copy, lang, word):
    result = cli("report", copy, "--lang", lang)
    assert result.code == 0 and word in result.err


def test_drill_says_what_it_wrote_in_the_language(cli, tmp_path):
    result = cli("drill", SCENARIO, "--replication", "1", "--out", tmp_path, "--lang", "id")
    assert result.code == 0 and "Menulis inject.csv" in result.err and "Wrote" not in result.err


@pytest.mark.parametrize("command", [
    ("run", SCENARIO, "-r", "1"),
    ("compare", SCENARIO, SCENARIO, "-r", "1"),
    ("sweep", SCENARIO, "--set", "forces.units[dalmas-awal].count=1,2", "-r", "1"),
])
def test_run_compare_and_sweep_say_what_they_wrote_in_indonesian(cli, tmp_path, command):
    result = cli(*command, "-q", "--lang", "id", "--out", tmp_path / "out")
    assert result.code in (0, 1), result.err
    assert "Menulis " in result.err and "Wrote" not in result.err
