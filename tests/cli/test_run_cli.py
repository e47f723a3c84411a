"""``sispam-sim run``: the summary table, the results.json contract, --out files, bad input.

Most tests run the command in-process (the ``cli`` fixture); one runs the real console
script to prove that a run exits 0 without a traceback. The end-to-end numbers at the
bottom are worked out by hand with an independent haversine, so they check the whole
chain scenario -> engine -> statistics -> JSON, not just the shape of the output.
"""

from __future__ import annotations

import csv
import hashlib
import json
import math
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import MINIMAL_YAML, minimal_scenario
# the places (BASE is the minimal scenario's polres) and the independent haversine of the engine's
# hand-computed tests
from tests.engine.handcase import BASE, FAR, km as haversine_km

EXIT_OK, EXIT_BAD_INPUT = 0, 2
SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
RAPID = SCENARIOS / "rapid-response.yaml"
RAPID_NAME = "Rapid response in Jember town — voting day"

INCIDENT_HEADER = ("replication,id,kind,priority,place,lat,lon,call,first_dispatch,first_arrival,"
                   "full_strength,resolved,dispatch_delay,response_time,full_strength_time,"
                   "resolution_time,tps_downtime,need,max_level,units")
TIMELINE_HEADER = "replication,time,unit_type,committed,on_scene,free"
#: derived column -> the time stamp it is measured to (from ``call``)
DERIVED = {"dispatch_delay": "first_dispatch", "response_time": "first_arrival",
           "full_strength_time": "full_strength", "resolution_time": "resolved"}
#: CSV cells carry 3 decimals: each of stamp, call and derived is off by <= 5e-4.
CSV_TOLERANCE = 1.5e-3 + 1e-9


def run_json(cli, *args) -> dict:
    result = cli("run", *args, "--format", "json")
    assert result.code == EXIT_OK, result.err
    return json.loads(result.out)


def read_csv(path: Path) -> list[dict]:
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def num(cell: str) -> float | None:
    return None if cell == "" else float(cell)


@pytest.fixture
def small(write):
    """The minimal scenario with 3 replications by default (fast: a 12 h day at 1 call/h)."""
    data = minimal_scenario()
    data["seed"] = 7
    data["replications"] = 3
    return write(data, "small.yaml")


# ------------------------------------------------------------------ the terminal summary

def test_table_summary_in_english(cli):
    result = cli("run", RAPID, "-r", "3")
    assert result.code == EXIT_OK, result.err
    out = result.out
    assert f"Simulation results: {RAPID_NAME}" in out
    assert "Replications: 3 · Seed: 110" in out
    for label in ("Rapid response", "Response time", "Dispatch delay", "Resolution time", "mean [95% CI]",
                  "Targets", "PASS", "FAIL", "Busiest unit types", "Slowest responses"):
        assert label in out, label
    # The scenario's response target (p90 <= 10 min) fails: reported, not enforced -> exit 0.
    assert "1 of 3 targets failed" in out
    assert "Traceback" not in result.err


def test_table_summary_in_indonesian(cli):
    result = cli("run", RAPID, "-r", "3", "--lang", "id")
    assert result.code == EXIT_OK, result.err
    out = result.out
    assert f"Hasil simulasi: {RAPID_NAME}" in out
    assert "Replikasi: 3 · Benih acak: 110" in out
    for label in ("Respons cepat", "Waktu tanggap", "Tunda pemberangkatan", "Waktu penyelesaian",
                  "rata-rata [selang 95%]", "Sasaran", "LULUS", "GAGAL", "1 dari 3 sasaran tidak tercapai",
                  "Jenis satuan tersibuk", "Waktu tanggap terlama"):
        assert label in out, label
    for english in ("PASS", "FAIL", "Response time", "Targets", "Simulation results", "targets failed"):
        assert english not in out, english


def test_table_says_when_a_scenario_has_no_targets(cli, small):
    result = cli("run", small, "-r", "2")
    assert result.code == EXIT_OK
    assert "No targets set" in result.out
    assert "Simulation results: minimal" in result.out


def test_table_and_json_agree(cli, small):
    doc = run_json(cli, small, "-r", "2")
    table = cli("run", small, "-r", "2").out
    rt = doc["metrics"]["by_kind"]["rapid_response"]["response_time"]
    assert f"{rt['p90']['value']:.1f}" in table
    assert f"{rt['mean']['value']:.1f} [{rt['mean']['ci'][0]:.1f}–{rt['mean']['ci'][1]:.1f}]" in table


# ------------------------------------------------------------------ --format json (results.json)

def test_json_is_one_document_with_the_contract_keys(cli):
    result = cli("run", RAPID, "-r", "3", "--format", "json")
    assert result.code == EXIT_OK
    # json.loads rejects trailing data, so this proves stdout is exactly one document.
    doc = json.loads(result.out)
    assert result.out.endswith("}\n")
    assert list(doc) == ["scenario", "manifest", "metrics", "units", "targets", "findings", "slowest"]
    assert set(doc["findings"]) == {"rule", "targets", "single_points"}

    assert doc["scenario"]["name"] == RAPID_NAME
    assert doc["scenario"]["file"] == str(RAPID)
    assert doc["scenario"]["sha256"] == hashlib.sha256(RAPID.read_bytes()).hexdigest()

    manifest = doc["manifest"]
    assert set(manifest) == {"sispam_sim", "seed", "replications", "python", "numpy", "simpy", "executor",
                             "workers", "command", "statistics"}
    import numpy
    import simpy
    assert (manifest["numpy"], manifest["simpy"]) == (numpy.__version__, simpy.__version__)
    assert (manifest["executor"], manifest["workers"]) == ("serial", 1)
    assert manifest["statistics"]["percentile_method"] == "numpy inverted_cdf"
    from sispam_sim import __version__
    assert manifest["sispam_sim"] == __version__
    assert (manifest["seed"], manifest["replications"]) == (110, 3)
    assert manifest["python"].count(".") == 2
    assert manifest["command"].startswith("sispam-sim ")

    rt = doc["metrics"]["all"]["response_time"]
    incidents = doc["metrics"]["all"]["incidents"]
    assert rt["n"] == incidents["called"] > 3 and incidents["days"] == 3   # n counts incidents, not days
    for stat in ("mean", "p50", "p90", "p95", "p99"):
        entry = rt[stat]
        assert set(entry) >= {"value", "ci"}
        lo, hi = entry["ci"]
        assert lo <= entry["value"] <= hi
    assert rt["p50"]["value"] <= rt["p90"]["value"] <= rt["p95"]["value"] <= rt["p99"]["value"] <= rt["max"]["value"]
    for metric in ("response_time", "dispatch_delay", "full_strength_time", "resolution_time",
                   "tps_downtime", "short_minutes", "unresolved"):
        assert metric in doc["metrics"]["all"], metric
    assert list(doc["metrics"]["by_kind"]) == ["rapid_response"]
    assert set(doc["units"]["by_type"]) == {"polsek_qrt", "sabhara_patrol"}
    for unit in doc["units"]["by_type"].values():
        assert 0 <= unit["utilisation"]["value"] <= 1

    assert [(t["metric"], t["stat"], t["limit"]) for t in doc["targets"]] == [
        ("response_time", "p90", 10.0), ("dispatch_delay", "p90", 5.0), ("resolution_time", "p90", 90.0)]
    for target in doc["targets"]:
        assert set(target) >= {"kind", "metric", "stat", "limit", "value", "ci", "share_within", "n", "verdict"}
        side = target.get("leaning", target["verdict"])   # too close to call keeps the point's side
        assert target["verdict"] in ("pass", "fail", "too_close")
        assert side == ("pass" if target["value"] <= target["limit"] else "fail")
        assert target["value"] == doc["metrics"]["all"][target["metric"]][target["stat"]]["value"]
        share = int(target["stat"][1:]) / 100
        assert (side == "pass") == (target["share_within"]["value"] >= share)


def test_json_stdout_stays_clean_when_the_scenario_has_warnings(cli, write):
    warn = write(MINIMAL_YAML.replace("rate: 1/h", "rate: 1.8/h").replace("work: 30min", "work: 1h"))
    result = cli("run", warn, "-r", "2", "--format", "json")
    assert result.code == EXIT_OK
    assert "warning" in result.err and "offered load" in result.err
    assert json.loads(result.out)["manifest"]["replications"] == 2


def test_default_replications_and_seed_come_from_the_scenario(cli, small):
    doc = run_json(cli, small)
    assert (doc["manifest"]["seed"], doc["manifest"]["replications"]) == (7, 3)
    assert doc["metrics"]["all"]["incidents"]["days"] == 3


def test_replications_and_seed_options_are_in_the_manifest(cli, small):
    doc = run_json(cli, small, "--replications", "5", "--seed", "42")
    assert (doc["manifest"]["seed"], doc["manifest"]["replications"]) == (42, 5)
    assert doc["metrics"]["all"]["incidents"]["days"] == 5
    short = run_json(cli, small, "-r", "5", "-s", "42")
    assert short["metrics"] == doc["metrics"]


def test_same_seed_gives_identical_results(cli, small):
    first = run_json(cli, small, "-r", "4", "-s", "11")
    second = run_json(cli, small, "-r", "4", "-s", "11")
    assert first == second


def test_seed_option_equal_to_the_scenario_seed_changes_nothing(cli, small):
    assert run_json(cli, small, "-r", "3")["metrics"] == run_json(cli, small, "-r", "3", "-s", "7")["metrics"]


def test_different_seed_gives_different_results(cli, small):
    a = run_json(cli, small, "-r", "4", "-s", "11")
    b = run_json(cli, small, "-r", "4", "-s", "12")
    assert a["metrics"]["all"]["response_time"] != b["metrics"]["all"]["response_time"]
    assert a["metrics"]["all"]["incidents"] != b["metrics"]["all"]["incidents"]


def test_more_replications_extend_the_same_stream(cli, small):
    # Replication k is a pure function of (scenario, k): the first 2 of 4 are the 2 of a 2-run.
    two = cli("run", small, "-r", "2", "--out", Path(small).parent / "two")
    four = cli("run", small, "-r", "4", "--out", Path(small).parent / "four")
    assert two.code == four.code == EXIT_OK
    rows2 = (Path(small).parent / "two" / "incidents.csv").read_text().splitlines()
    rows4 = (Path(small).parent / "four" / "incidents.csv").read_text().splitlines()
    assert rows4[:len(rows2)] == rows2
    assert len(rows4) > len(rows2)


def test_manifest_command_is_the_command_that_ran(cli, small):
    doc = run_json(cli, small, "-r", "1")
    assert doc["manifest"]["command"] == f"sispam-sim run {small} -r 1 --format json"


def test_a_day_without_incidents_reports_nothing_and_tests_no_time_target(cli, write):
    data = minimal_scenario()
    data["incidents"][0]["rate"] = "1/1000h"
    data["targets"] = {"response_time": {"p90": "10min"}, "unresolved": {"max": 0}}
    path = write(data)
    result = cli("run", path, "-r", "2", "--format", "json")
    assert result.code == EXIT_OK
    assert "NaN" not in result.out and "Infinity" not in result.out
    doc = json.loads(result.out)
    assert doc["metrics"]["by_kind"] == {}
    assert doc["metrics"]["all"]["response_time"] == {"n": 0, "censored": 0}
    assert doc["metrics"]["all"]["incidents"]["per_day"] == {"value": 0.0, "ci": [0.0, 0.0]}
    assert doc["targets"][0] == {"kind": None, "metric": "response_time", "stat": "p90", "limit": 10.0, "n": 0,
                                 "verdict": "untested", "reason": "no incidents"}
    # no day left an incident unresolved: that target was tested, and passed
    assert doc["targets"][1]["verdict"] == "pass" and doc["targets"][1]["value"] == 0
    table = cli("run", path, "-r", "2")
    assert table.code == EXIT_OK
    assert "NOT TESTED" in table.out and "1 of 2 targets not tested" in table.out
    assert "All targets met" not in table.out


# ------------------------------------------------------------------ --out DIR

@pytest.mark.parametrize("name", ["rapid-response", "station-disruption", "crowd-buildup"])
def test_out_writes_the_output_files_consistently(cli, tmp_path, name):
    out = tmp_path / "out" / "nested"           # created, parents too
    result = cli("run", SCENARIOS / f"{name}.yaml", "-r", "2", "--out", out, "--format", "json")
    assert result.code == EXIT_OK, result.err
    assert sorted(p.name for p in out.iterdir()) == ["events.csv", "headline.csv", "incidents.csv", "replay.html",
                                                     "report.html", "results.json", "targets.csv", "timeline.csv"]
    assert (f"Wrote results.json, incidents.csv, timeline.csv, events.csv, targets.csv, headline.csv, report.html, "
            f"replay.html to {out}") in result.err
    doc = json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert (out / "results.json").read_text(encoding="utf-8") == result.out

    text = (out / "incidents.csv").read_text(encoding="utf-8")
    assert text.splitlines()[0].startswith(INCIDENT_HEADER)
    rows = read_csv(out / "incidents.csv")
    incidents = doc["metrics"]["all"]["incidents"]
    assert len(rows) == incidents["called"]
    assert {r["replication"] for r in rows} == {"0", "1"}
    assert len({(r["replication"], r["id"]) for r in rows}) == len(rows)
    assert sum(1 for r in rows if r["resolved"] == "") == incidents["called"] - incidents["resolved"]
    assert sum(1 for r in rows if r["first_arrival"] != "") == incidents["reached"]
    for row in rows:
        call = float(row["call"])
        for derived, stamp in DERIVED.items():
            if row[stamp] == "":
                assert row[derived] == "", (row["id"], derived)
            else:
                assert abs(float(row[derived]) - (float(row[stamp]) - call)) <= CSV_TOLERANCE, (row["id"], derived)
        if row["kind"] == "station_disruption":
            assert row["tps_downtime"] == row["resolution_time"]
        else:
            assert row["tps_downtime"] == ""
        stamps = [num(row[s]) for s in ("call", "first_dispatch", "first_arrival", "full_strength", "resolved")]
        happened = [s for s in stamps if s is not None]
        assert happened == sorted(happened), row["id"]

    timeline = (out / "timeline.csv").read_text(encoding="utf-8")
    assert timeline.splitlines()[0] == TIMELINE_HEADER
    crew: dict[tuple[str, str], set[int]] = {}
    for point in read_csv(out / "timeline.csv"):
        assert int(point["on_scene"]) <= int(point["committed"])
        crew.setdefault((point["replication"], point["unit_type"]), set()).add(
            int(point["committed"]) + int(point["free"]))
    assert all(len(totals) == 1 for totals in crew.values()), crew
    # Static TPS guards (no pull_guards) appear in the timeline, all committed, with no utilisation.
    assert {unit_type for _, unit_type in crew} - {"tps_guard"} == set(doc["units"]["by_type"])
    for point in read_csv(out / "timeline.csv"):
        if point["unit_type"] == "tps_guard":
            assert int(point["committed"]) > 0 and point["free"] == point["on_scene"] == "0"


def test_wrote_message_keeps_paths_whole(cli, small, tmp_path):
    out = tmp_path / ("a-rather-long-directory-name-" * 3) / "out"
    result = cli("run", small, "-r", "1", "--out", out)
    assert result.code == EXIT_OK
    assert result.err.splitlines() == [
        f"Wrote results.json, incidents.csv, timeline.csv, events.csv, targets.csv, headline.csv, report.html, "
        f"replay.html to {out}"]


def test_out_pointing_at_a_file_exits_2_and_leaves_it_alone(cli, small, tmp_path):
    target = tmp_path / "results.txt"
    target.write_bytes(b"precious\n")
    before = target.stat()
    result = cli("run", small, "-r", "1", "--out", target)
    assert result.code == EXIT_BAD_INPUT
    assert result.err.strip().splitlines()[-1] == f"sispam-sim: error: --out: {target} is a file, expected a directory"
    assert result.out == ""
    assert target.read_bytes() == b"precious\n"
    assert target.stat().st_mtime_ns == before.st_mtime_ns
    assert not list(tmp_path.glob(".results*"))


def test_out_pointing_at_a_file_fails_before_running(cli, small, tmp_path, monkeypatch):
    import sispam_sim.runner.replications as replications

    def must_not_run(*args, **kwargs):
        raise AssertionError("ran the replications although --out is unusable")

    monkeypatch.setattr(replications, "run_replications", must_not_run)
    target = tmp_path / "results.txt"
    target.write_text("precious")
    assert cli("run", small, "-r", "1", "--out", target).code == EXIT_BAD_INPUT


def test_out_below_a_file_exits_2(cli, small, tmp_path):
    (tmp_path / "plain").write_text("x")
    result = cli("run", small, "-r", "1", "--out", tmp_path / "plain" / "sub")
    assert result.code == EXIT_BAD_INPUT
    assert result.err.startswith("sispam-sim: error: ")
    assert (tmp_path / "plain").read_text() == "x"


def test_an_unwritable_output_file_exits_2(cli, small, tmp_path):
    out = tmp_path / "out"
    (out / "timeline.csv").mkdir(parents=True)       # in the way of the last file written
    result = cli("run", small, "-r", "1", "--out", out)
    assert result.code == EXIT_BAD_INPUT
    assert result.err.startswith("sispam-sim: error: ") and "timeline.csv" in result.err
    assert (out / "timeline.csv").is_dir()
    assert not list(out.glob(".*.tmp"))


def test_out_replaces_existing_results_whole(cli, small, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "results.json").write_text('{"old": "' + "x" * 200_000 + '"}\n')
    (out / "incidents.csv").write_text("stale\n" * 50_000)
    (out / "timeline.csv").write_text("stale\n" * 50_000)
    (out / "keep.txt").write_text("not ours")
    result = cli("run", small, "-r", "2", "--out", out, "--format", "json")
    assert result.code == EXIT_OK
    assert (out / "results.json").read_text(encoding="utf-8") == result.out
    assert "stale" not in (out / "incidents.csv").read_text()
    assert "stale" not in (out / "timeline.csv").read_text()
    assert (out / "keep.txt").read_text() == "not ours"
    assert sorted(p.name for p in out.iterdir()) == ["events.csv", "headline.csv", "incidents.csv", "keep.txt",
                                                     "replay.html", "report.html", "results.json", "targets.csv",
                                                     "timeline.csv"]


# ------------------------------------------------------------------ bad input: exit 2, a message, nothing written

def test_missing_file(cli, tmp_path):
    out = tmp_path / "out"
    result = cli("run", tmp_path / "nope.yaml", "--out", out)
    assert result.code == EXIT_BAD_INPUT
    assert f"{tmp_path / 'nope.yaml'}: error: file not found" in result.err
    assert "Traceback" not in result.err
    assert not out.exists()


def test_invalid_scenario_gives_a_located_message_and_writes_nothing(cli, write, tmp_path):
    bad = write(MINIMAL_YAML.replace("crew: 4", "crew: 0"), "bad.yaml")
    out = tmp_path / "out"
    result = cli("run", bad, "--out", out)
    assert result.code == EXIT_BAD_INPUT
    assert result.err == f"{bad}:9:21: error: forces.types.sabhara.crew: must be > 0, found 0\n"
    assert result.out == ""
    assert not out.exists()


def test_invalid_scenario_leaves_a_previous_out_dir_untouched(cli, write, small, tmp_path):
    out = tmp_path / "out"
    assert cli("run", small, "-r", "1", "--out", out).code == EXIT_OK
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    bad = write(MINIMAL_YAML.replace("crew: 4", "crew: 0"), "bad.yaml")
    assert cli("run", bad, "--out", out).code == EXIT_BAD_INPUT
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


@pytest.mark.parametrize("name", ["typo-key", "unknown-unit-type", "bad-duration", "missing-sites-csv"])
def test_example_invalid_scenarios_exit_2(cli, tmp_path, name):
    result = cli("run", SCENARIOS / "invalid" / f"{name}.yaml", "--out", tmp_path / "out")
    assert result.code == EXIT_BAD_INPUT
    assert result.err.startswith(f"{SCENARIOS / 'invalid' / name}.yaml")
    assert ": error: " in result.err
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("args, words", [
    (["-r", "0"], ["--replications", "1"]),
    (["-r", "-3"], ["--replications"]),
    (["-r", "many"], ["--replications", "expected a whole number from 1 to 100,000, or auto; found 'many'"]),
    (["--precision", "5%"], ["--precision goes with --replications auto"]),
    (["-r", "auto", "--precision", "150%"], ["--precision", "expected a share such as"]),
    (["--jobs", "0"], ["--jobs"]),
    (["--seed", "-1"], ["--seed"]),
    (["--format", "xml"], ["xml"]),
    (["--lang", "fr"], ["fr"]),
    (["--frobnicate"], ["No such option", "--frobnicate"]),
])
def test_bad_options_exit_2(cli, small, tmp_path, args, words):
    result = cli("run", small, *args, "--out", tmp_path / "out")
    assert result.code == EXIT_BAD_INPUT
    for word in words:
        assert word in result.err
    assert "Traceback" not in result.err
    assert not (tmp_path / "out").exists()


def test_missing_file_argument_exits_2(cli):
    result = cli("run")
    assert result.code == EXIT_BAD_INPUT
    assert "Missing argument" in result.err


def test_directory_instead_of_a_file(cli, tmp_path):
    (tmp_path / "dir.yaml").mkdir()
    result = cli("run", tmp_path / "dir.yaml")
    assert result.code == EXIT_BAD_INPUT
    assert result.err == f"{tmp_path / 'dir.yaml'}: error: is a directory, expected a YAML file\n"


def test_run_help(cli):
    result = cli("run", "--help")
    assert result.code == EXIT_OK
    for word in ("--replications", "--seed", "--out", "--format", "--lang", "json"):
        assert word in result.out


# ------------------------------------------------------------------ the real console script

def _script() -> list[str]:
    found = shutil.which("sispam-sim")
    return [found] if found else [sys.executable, "-m", "sispam_sim"]


def test_console_script_runs_without_a_traceback(small, tmp_path):
    out = tmp_path / "out"
    args = ["run", str(small), "-r", "2", "--format", "json", "--out", str(out)]
    proc = subprocess.run([*_script(), *args], capture_output=True, text=True, timeout=120)
    assert proc.returncode == EXIT_OK, proc.stderr
    assert "Traceback" not in proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["manifest"]["command"] == " ".join(["sispam-sim", *args])
    assert (out / "results.json").read_text(encoding="utf-8") == proc.stdout
    bad = subprocess.run([*_script(), "run", str(small), "--out", str(out / "results.json")],
                         capture_output=True, text=True, timeout=120)
    assert bad.returncode == EXIT_BAD_INPUT
    assert "Traceback" not in bad.stderr
    assert bad.stderr.strip().endswith("is a file, expected a directory")
    assert (out / "results.json").read_text(encoding="utf-8") == proc.stdout


def test_manifest_command_can_be_rerun_when_a_path_has_a_space(write):
    import shlex
    path = write(MINIMAL_YAML, "my scenario.yaml")
    args = ["run", str(path), "-r", "1", "--format", "json"]
    proc = subprocess.run([*_script(), *args], capture_output=True, text=True, timeout=120)
    assert proc.returncode == EXIT_OK
    assert shlex.split(json.loads(proc.stdout)["manifest"]["command"]) == ["sispam-sim", *args]


# ------------------------------------------------------------------ numbers worked out by hand

ROAD_FACTOR, SPEED, MOBILISE, WORK, CREW, DURATION = 1.4, 40.0, 3.0, 30.0, 4, 720.0


def one_call_scenario(**incident) -> dict:
    """One sabhara unit at ``polres``, one scripted call at 08:00 at ``far`` (~6 km away)."""
    data = minimal_scenario()
    data["seed"] = 3
    data["map"] = {"travel": {"road_factor": ROAD_FACTOR}, "places": {"polres": BASE, "far": FAR}}
    data["forces"]["types"]["sabhara"].update(speed_kmh=SPEED, mobilise=f"{MOBILISE:g}min")
    data["forces"]["units"] = [{"id": "patrol", "type": "sabhara", "base": "polres"}]
    data["incidents"] = [{"kind": "rapid_response", "at": "08:00", "where": {"place": "far"},
                          "needs": {"response": CREW}, "work": f"{WORK:g}min", **incident}]
    return data


EXPECTED_RESPONSE = MOBILISE + haversine_km(BASE, FAR) * ROAD_FACTOR / SPEED * 60


def test_hand_computed_distance_is_plausible():
    assert 5.0 < haversine_km(BASE, FAR) < 7.0
    assert 15.0 < EXPECTED_RESPONSE < 17.0


@pytest.mark.parametrize("replications", [1, 3, 7])
def test_hand_computed_response_and_resolution(cli, write, tmp_path, replications):
    path = write(one_call_scenario())
    out = tmp_path / "out"
    doc = run_json(cli, path, "-r", str(replications), "--out", out)
    all_ = doc["metrics"]["all"]
    rt, res = all_["response_time"], all_["resolution_time"]
    assert rt["n"] == res["n"] == replications   # one call a day
    for stat in ("mean", "p50", "p90", "p95", "p99", "max"):
        assert rt[stat]["value"] == pytest.approx(EXPECTED_RESPONSE, abs=1e-6), stat
        if stat != "max" and replications > 1:
            assert rt[stat]["ci"] == pytest.approx([EXPECTED_RESPONSE] * 2, abs=1e-6), stat
        assert res[stat]["value"] == pytest.approx(EXPECTED_RESPONSE + WORK, abs=1e-6), stat
    assert all_["full_strength_time"]["mean"]["value"] == pytest.approx(EXPECTED_RESPONSE, abs=1e-6)
    assert all_["short_minutes"]["mean"]["value"] == pytest.approx(EXPECTED_RESPONSE, abs=1e-6)
    assert all_["dispatch_delay"]["mean"]["value"] == 0.0
    assert all_["tps_downtime"] == {"n": 0, "censored": 0}
    assert all_["unresolved"]["worst_day"] == 0
    assert all_["incidents"]["per_day"]["value"] == 1.0
    # The crew is committed from dispatch to release: response + work.
    unit = doc["units"]["by_type"]["sabhara"]
    busy = CREW * (EXPECTED_RESPONSE + WORK)
    assert unit["busy_crew_minutes_per_day"]["value"] == pytest.approx(busy, abs=1e-6)
    assert unit["utilisation"]["value"] == pytest.approx(busy / (CREW * DURATION), abs=1e-9)

    rows = read_csv(out / "incidents.csv")
    assert len(rows) == replications
    for k, row in enumerate(rows):
        assert row["replication"] == str(k)
        assert (row["kind"], row["place"], row["units"], row["need"]) == ("rapid_response", "far", "patrol", "4")
        assert float(row["call"]) == 120.0 and float(row["first_dispatch"]) == 120.0
        assert float(row["first_arrival"]) == pytest.approx(120.0 + EXPECTED_RESPONSE, abs=5e-4)
        assert float(row["resolved"]) == pytest.approx(120.0 + EXPECTED_RESPONSE + WORK, abs=5e-4)
        assert float(row["response_time"]) == pytest.approx(EXPECTED_RESPONSE, abs=5e-4)


def test_hand_computed_targets_are_judged_on_the_point_estimate(cli, write):
    data = one_call_scenario()
    data["targets"] = {"response_time": {"p90": f"{math.ceil(EXPECTED_RESPONSE)}min",
                                         "mean": f"{math.floor(EXPECTED_RESPONSE)}min"},
                       "resolution_time": {"max": "1h"}}
    result = cli("run", write(data), "-r", "2", "--format", "json")
    assert result.code == EXIT_OK          # run reports targets; it does not enforce them
    rows = {(t["metric"], t["stat"]): t for t in json.loads(result.out)["targets"]}
    assert rows[("response_time", "p90")]["verdict"] == "pass"
    assert rows[("response_time", "mean")]["verdict"] == "fail"
    assert rows[("response_time", "mean")]["value"] == pytest.approx(EXPECTED_RESPONSE, abs=1e-6)
    assert rows[("resolution_time", "max")] == {
        "kind": None, "metric": "resolution_time", "stat": "max", "limit": 60.0, "n": 2, "censored": 0,
        "value": pytest.approx(EXPECTED_RESPONSE + WORK, abs=1e-6), "ci": None, "value_censored": False,
        "share_within": {"value": 1.0, "ci": [1.0, 1.0]}, "verdict": "pass"}


def test_hand_computed_never_full_strength_leaves_cells_empty(cli, write, tmp_path):
    # Need 8 personnel, one 4-crew unit: it arrives, but full strength and resolution never come.
    path = write(one_call_scenario(needs={"response": 8}))
    out = tmp_path / "out"
    doc = run_json(cli, path, "-r", "2", "--out", out)
    all_ = doc["metrics"]["all"]
    assert all_["response_time"]["mean"]["value"] == pytest.approx(EXPECTED_RESPONSE, abs=1e-6)
    # never at full strength, never resolved: censored, counted, and the mean is only a lower bound
    end = doc["metrics"]["all"]["resolution_time"]["mean"]["value"]
    for metric in ("full_strength_time", "resolution_time", "short_minutes"):
        block = all_[metric]
        assert (block["n"], block["censored"]) == (2, 2), metric
        assert block["mean"]["lower_bound"] is True and block["p50"]["censored"] is True, metric
    assert end == pytest.approx(DURATION + 12 * 60 - 120.0)   # waited from 08:00 to the end of the drain
    assert all_["short_minutes"]["mean"]["value"] == pytest.approx(end)   # short the whole time
    assert (all_["unresolved"]["per_day"]["value"], all_["unresolved"]["worst_day"]) == (1.0, 1)
    for row in read_csv(out / "incidents.csv"):
        assert row["full_strength"] == row["resolved"] == ""
        assert row["full_strength_time"] == row["resolution_time"] == ""
        assert row["first_arrival"] != "" and row["need"] == "8"
    table = cli("run", path, "-r", "2")
    assert table.code == EXIT_OK
    assert "never" in table.out
