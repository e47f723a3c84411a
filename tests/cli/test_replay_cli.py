"""replay: one incident's story from a saved run, with the same times as incidents.csv."""

from __future__ import annotations

import csv
import json
import shutil
from datetime import timedelta
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCENARIO = ROOT / "scenarios" / "crowd-buildup.yaml"


def _start():
    from sispam_sim.scenario.loader import load_scenario

    return load_scenario(SCENARIO).spec.clock.start


SCENARIO_START = _start()


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    from sispam_sim.cli.app import main

    folder = tmp_path_factory.mktemp("run")   # the scenario beside the out folder, as results.json names it
    shutil.copy(SCENARIO, folder / SCENARIO.name)
    out = folder / "out"
    with pytest.raises(SystemExit) as info:
        main(["run", str(folder / SCENARIO.name), "-r", "3", "--out", str(out), "--quiet", "--format", "json"])
    assert info.value.code == 0
    with open(out / "incidents.csv", newline="", encoding="utf-8") as fh:
        return out, list(csv.DictReader(fh))


def test_replay_shows_the_times_of_incidents_csv(cli, saved):
    out, rows = saved
    row = next(r for r in rows if r["replication"] == "1" and r["kind"] == "crowd_buildup")
    result = cli("replay", out, "--incident", row["id"], "--replication", "2", "--format", "json")
    assert result.code == 0, result.err
    data = json.loads(result.out)
    assert data["day"] == 2 and data["incident"]["id"] == row["id"]
    events = data["events"]
    first = {action: next(e["time"] for e in events if e["action"] == action)
             for action in ("call", "arrive", "resolve")}
    assert (first["call"], first["arrive"]) == (float(row["call"]), float(row["first_arrival"]))
    assert first["resolve"] == float(row["resolved"])
    last_full = [e["time"] for e in events if e["action"] == "full_strength"][-1]
    assert last_full == float(row["full_strength"])   # the start of the final covered stretch
    assert [e["minute"] for e in events] == sorted(e["minute"] for e in events)
    assert data["crew_counted"] == "personnel" and events[-1]["on_scene"] == 0
    first_dispatch = next(e for e in events if e["action"] == "dispatch")
    arrival = next(e for e in events if e["action"] == "arrive" and e["unit"] == first_dispatch["unit"])
    assert first_dispatch["arrives"] == arrival["clock"]


def test_the_table_reads_in_clock_time(cli, saved):
    out, rows = saved
    row = rows[0]
    result = cli("replay", out, "--incident", row["id"], "--replication", "1")
    assert result.code == 0, result.err
    call = SCENARIO_START + timedelta(minutes=float(row["call"]))
    assert f"Incident {row['id']}, day 1" in result.out and "arrives" in result.out
    assert f"│ {call:%H:%M} │" in result.out   # the call, on the scenario's clock
    indonesian = cli("replay", out, "--incident", row["id"], "--replication", "1", "--lang", "id")
    assert f"Kejadian {row['id']}, hari 1" in indonesian.out and "tiba" in indonesian.out


def test_worst_lists_the_slowest_as_incidents_csv_says(cli, saved):
    out, rows = saved
    result = cli("replay", out, "--worst", "2", "--format", "json")
    assert result.code == 0, result.err
    listed = json.loads(result.out)
    ranked = sorted(rows, key=lambda r: (r["response_time"] != "", -float(r["response_time"] or 0)))
    assert [(x["day"], x["id"]) for x in listed] == [(int(r["replication"]) + 1, r["id"]) for r in ranked[:2]]


@pytest.mark.parametrize("args, message", [
    (["--incident", "crowd_buildup-9999"], "no incident 'crowd_buildup-9999' in "),
    (["--incident", "crowd_buildup-0001", "--replication", "9"], "--replication 9 is out of range: the run has days 1 to 3"),
    ([], "give --incident ID, or --worst N to list incidents to pick from"),
])
def test_bad_input_exits_2(cli, saved, args, message):
    out, _ = saved
    result = cli("replay", out, *args)
    assert result.code == 2 and message in result.err


def test_a_folder_that_is_not_a_run_exits_2(cli, tmp_path):
    result = cli("replay", tmp_path, "--worst", "3")
    assert result.code == 2
    assert "lacks results.json, incidents.csv, events.csv: not the --out folder of a run" in result.err
