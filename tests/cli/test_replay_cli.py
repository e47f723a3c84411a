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


# ------------------------------------------------------------------ where units came from, why a call waited

DAYS = ROOT / "tests" / "report" / "scenarios"   # tiny days computed by hand (see the files' comments)


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    """The runs of the one-unit and the preemption day (each one replication)."""
    from sispam_sim.cli.app import main

    folders = {}
    for name in ("day-one-unit", "day-preempt"):
        out = tmp_path_factory.mktemp(name) / "out"
        with pytest.raises(SystemExit) as info:
            main(["run", str(DAYS / f"{name}.yaml"), "--out", str(out), "--quiet", "--format", "json"])
        assert info.value.code == 0
        folders[name] = out
    return folders


def test_replay_names_a_redirection(cli, tiny, monkeypatch):
    """u1 is released from the first call at B at 116.683 (06:00 + 116.683 min = 07:56) and is sent to the
    second call at 125 (08:05) from the road: redirected, no mobilisation, 8.317 min of driving."""
    monkeypatch.setenv("COLUMNS", "300")   # one line per row: the words are not cut by the table
    out = tiny["day-one-unit"]
    data = json.loads(cli("replay", out, "--incident", "rapid_response-0002", "--format", "json").out)
    (sent,) = [e for e in data["events"] if e["action"] == "dispatch"]
    assert sent["from"] == {"how": "redirected", "incident": "rapid_response-0001", "label": "first call",
                            "place": "Place B", "released": 116.683}
    assert (sent["mobilise"], sent["travel"]) == (0.0, pytest.approx(8.317, abs=1e-3))
    first = json.loads(cli("replay", out, "--incident", "rapid_response-0001", "--format", "json").out)
    assert [e["from"]["how"] for e in first["events"] if e["action"] == "dispatch"] == ["base"]
    assert first["wait"] is None and first["why"] == []
    table = cli("replay", out, "--incident", "rapid_response-0002")
    assert table.code == 0, table.err
    text = table.out
    assert "redirected from rapid_response-0001" in text and "released 07:56" in text
    assert "from Base A" not in text   # it did not come from its base


def test_replay_says_why_a_call_waited(cli, tiny, monkeypatch):
    """The third call (08:00) waits 41.7 min: u1 is travelling to the first call (sent 07:45), u2 is of tier
    2 (kuning) and the call is at hijau; u1 comes when released at B at 08:41, 0 min away."""
    monkeypatch.setenv("COLUMNS", "300")
    out = tiny["day-preempt"]
    result = cli("replay", out, "--incident", "rapid_response-0003", "--format", "json")
    assert result.code == 0, result.err
    data = json.loads(result.out)
    (short,) = data["wait"]["short"]
    assert short["capability"] == "response" and short["need"] == 4
    assert [(u["unit"], u["reason"], u["incident"]) for u in short["units"]] == [
        ("u1", "busy", "rapid_response-0001"), ("u2", "tier", None)]
    assert data["wait"]["first_dispatch"] == pytest.approx(161.683, abs=1e-3)
    urgent = json.loads(cli("replay", out, "--incident", "rapid_response-0002", "--format", "json").out)
    assert [e["from"] for e in urgent["events"] if e["action"] == "dispatch"] == [
        {"how": "preempted", "incident": "rapid_response-0001", "label": "first call", "place": "Place B",
         "released": None}]
    table = cli("replay", out, "--incident", "rapid_response-0003")
    text = table.out
    assert "Why it waited" in text and "Waited 41.7 min" in text and "tier 2" in text
    indonesian = cli("replay", out, "--incident", "rapid_response-0003", "--lang", "id").out
    assert "Mengapa menunggu" in indonesian and "41,7 mnt" in indonesian and "lapis 2" in indonesian


def test_html_writes_the_page_of_a_day(cli, tiny, tmp_path):
    out = tiny["day-preempt"]
    result = cli("replay", out, "--replication", "1", "--html", tmp_path / "day.html")
    assert result.code == 0, result.err
    page = (tmp_path / "day.html").read_text(encoding="utf-8")
    assert "<h2>Day 1</h2>" in page and "Who waited, and why" in page and "third call" in page
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".partial")]


@pytest.mark.parametrize("args, message", [
    (["--replication", "2"], "--replication 2 is out of range: the run has days 1 to 1"),
    (["--incident", "rapid_response-0001"], "--html FILE writes a whole day"),
    (["--worst", "2"], "--html FILE writes a whole day"),
])
def test_html_bad_input_exits_2(cli, tiny, tmp_path, args, message):
    result = cli("replay", tiny["day-preempt"], "--html", tmp_path / "day.html", *args)
    assert result.code == 2 and message in result.err
    assert not (tmp_path / "day.html").exists()


def test_html_into_a_missing_folder_exits_2(cli, tiny, tmp_path):
    result = cli("replay", tiny["day-preempt"], "--html", tmp_path / "nowhere" / "day.html")
    assert result.code == 2 and "--html: cannot write" in result.err and "does not exist" in result.err


@pytest.mark.slow
def test_the_readme_excerpt_is_the_reference_hostage_call(cli, tmp_path, monkeypatch):
    """The README's day 75 of the reference: the one Resmob team comes to the hostage call redirected from a
    ballot-box seizure at panti-81, and the call waited because it was busy there and Brimob's tier was shut."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("hostage call on day 75", 1)[1]
    excerpt = section.split("```text\n", 1)[1].split("```", 1)[0].splitlines()
    out = tmp_path / "out"
    assert cli("run", ROOT / "scenarios" / "jember-pilkada-2024.yaml", "--out", out, "--quiet").code == 0
    args = ("replay", out, "--incident", "rapid_response-0023", "--replication", "75")
    data = json.loads(cli(*args, "--format", "json").out)
    (sent,) = [e for e in data["events"] if e["action"] == "dispatch"]
    assert sent["from"]["how"] == "redirected" and sent["from"]["place"] == "panti-81"
    assert sent["from_text"] in excerpt[0] and sent["clock"] == excerpt[0].split(" |")[0]
    monkeypatch.setenv("COLUMNS", "300")
    lines = [line.strip() for line in cli(*args).out.splitlines()]
    assert all(line.strip() in lines for line in excerpt[1:]), excerpt
