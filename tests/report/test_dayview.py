"""replay.html: a day to watch. The movements are the engine's (checked by hand on tiny days and against every
recorded arrival of whole days), the days are the drill's, the page holds everything it shows and escapes
every text a scenario's author wrote."""

from __future__ import annotations

import csv
import json
import re
import shutil
from pathlib import Path

import pytest

from conftest import minimal_scenario, write_scenario

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent / "scenarios"
ONE_UNIT, PREEMPT = HERE / "day-one-unit.yaml", HERE / "day-preempt.yaml"
#: A to B: 0.1 degree of a meridian, R x 0.1 x pi/180 = 11.11949 km, x 1.3 road = 14.45534 km, at 40 km/h
LEG = 6371.0 * 0.1 * 3.141592653589793 / 180 * 1.3 / 40 * 60   # = 21.68301 min


def _run(cli, scenario: Path, out: Path, *args) -> Path:
    result = cli("run", scenario, "--out", out, "--quiet", "--format", "json", *args)
    assert result.code == 0, result.err
    return out


def _read(path: Path) -> list[dict]:
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _day(folder: Path, replication: int = 0, scenario=None):
    """(scenario, incidents rows by id, events) of one day of a saved run (the scenario: the one it names)."""
    from sispam_sim.report.html import load_run_scenario

    if scenario is None:
        results = json.loads((folder / "results.json").read_text(encoding="utf-8"))
        scenario, why = load_run_scenario(results, folder)
        assert scenario is not None, why
    rows = {r["id"]: r for r in _read(folder / "incidents.csv") if r["replication"] == str(replication)}
    events = [(float(e["time"]), e["unit"], e["incident"], e["action"]) for e in _read(folder / "events.csv")
              if e["replication"] == str(replication)]
    return scenario, rows, events


def _moves_in_memory(path: Path, **kwargs):
    """The day played from the engine's own events (full precision), not from the CSV files."""
    from sispam_sim.report.movements import day_moves
    from sispam_sim.runner.replications import run_one
    from sispam_sim.scenario.loader import load_scenario

    scenario = load_scenario(path, with_warnings=False)
    result = run_one(scenario, 0, record_timeline=False, record_events=True)
    rows = {r.id: r.as_row() for r in result.incidents}   # what incidents.csv holds, unrounded
    return scenario, rows, day_moves(scenario, 0, rows, result.events, result.end, **kwargs)


def _spans(segments):
    return [(s.state, round(s.start, 3), round(s.end, 3), s.incident) for s in segments]


def test_one_unit_moves_as_computed_by_hand():
    """Base A (-8.0, 113.0), place B (-7.9, 113.0): 11.11949 km x 1.3 / 40 km/h = 21.68301 min (the leg).

    First call 60: mobilise 5 (60-65), drive 21.683 (65-86.683), work 30 (-116.683), drive back. Second call
    125: 8.317 min into the way back, at lat -7.9 - 0.1 x 8.317/21.683 = -7.938357, redirected without
    mobilising, 8.317 min back to B (133.317), work 30 (163.317), back at A at 185.000; the day ends at its
    duration, 240 (4 h)."""
    _, _, moves = _moves_in_memory(ONE_UNIT)
    first, second = "rapid_response-0001", "rapid_response-0002"
    assert _spans(moves.segments["u1"]) == [
        ("at_base", 0.0, 60.0, ""), ("mobilising", 60.0, 65.0, first), ("travelling", 65.0, 86.683, first),
        ("on_scene", 86.683, 116.683, first), ("returning", 116.683, 125.0, first),
        ("redirected", 125.0, 133.317, second), ("on_scene", 133.317, 163.317, second),
        ("returning", 163.317, 185.0, second), ("at_base", 185.0, 240.0, "")]
    turn = moves.segments["u1"][4]   # where the way back ends: 8.317 of 21.683 min from B towards A
    assert (turn.lat1, turn.lon1) == (pytest.approx(-7.9 - 0.1 * (125 - (65 + LEG + 30)) / LEG, abs=1e-9),
                                      pytest.approx(113.0))
    assert turn.lat1 == pytest.approx(-7.938357, abs=1e-6)
    sent = [(d.incident, d.how, d.left, d.mobilise, d.travel, d.arrives) for d in moves.dispatches]
    assert sent == [(first, "base", None, 5.0, pytest.approx(LEG, abs=1e-9), pytest.approx(65 + LEG, abs=1e-9)),
                    (second, "redirected", first, 0.0, pytest.approx(125 - (65 + LEG + 30), abs=1e-9),
                     pytest.approx(133.31699, abs=1e-5))]
    assert moves.arrival_gap < 1e-9   # every arrival the engine logged is the one the rules give


def test_the_run_folder_gives_the_same_day(cli, tmp_path):
    """From events.csv (times to 3 decimals) the segments are the hand-computed ones to 0.001 min."""
    from sispam_sim.report.movements import day_end, day_moves

    scenario, rows, events = _day(_run(cli, ONE_UNIT, tmp_path / "out"))
    moves = day_moves(scenario, 0, rows, events, day_end(scenario, rows.values(), events[-1][0]))
    assert [(s, a, b) for s, a, b, _ in _spans(moves.segments["u1"])] == [
        ("at_base", 0.0, 60.0), ("mobilising", 60.0, 65.0), ("travelling", 65.0, 86.683), ("on_scene", 86.683, 116.683),
        ("returning", 116.683, 125.0), ("redirected", 125.0, 133.317), ("on_scene", 133.317, 163.317),
        ("returning", 163.317, 185.0), ("at_base", 185.0, 240.0)]
    assert moves.arrival_gap <= 1e-3


def test_preempted_unit_leaves_from_where_it_is_and_a_release_at_its_base_keeps_it_there():
    """u1 leaves A at 65 for B; at 70 (5 min into 21.683) the urgent call at the gate (A's coordinates) takes
    it: 5 min back, arrives 75, works to 105. Released at its base: at base at once, so the first call gets it
    from base, mobilising again: leaves 110, arrives 110 + 21.683 = 131.683. The third call (120) gets it
    when it is released at B at 161.683: redirected, 0 min away."""
    _, _, moves = _moves_in_memory(PREEMPT)
    first, urgent, third = (f"rapid_response-000{k}" for k in (1, 2, 3))
    sent = [(round(d.time, 3), d.incident, d.how, d.left, round(d.leaves, 3), round(d.travel, 3),
             None if d.arrives is None else round(d.arrives, 3)) for d in moves.dispatches]
    assert sent == [(60.0, first, "base", None, 65.0, 21.683, None),           # taken at 70: never arrives
                    (70.0, urgent, "preempted", first, 70.0, 5.0, 75.0),
                    (105.0, first, "base", None, 110.0, 21.683, 131.683),      # from base: mobilises again
                    (161.683, third, "redirected", first, 161.683, 0.0, 161.683)]
    spans = _spans(moves.segments["u1"])
    assert spans[:6] == [("at_base", 0.0, 60.0, ""), ("mobilising", 60.0, 65.0, first),
                         ("travelling", 65.0, 70.0, first), ("redirected", 70.0, 75.0, urgent),
                         ("on_scene", 75.0, 105.0, urgent), ("mobilising", 105.0, 110.0, first)]
    assert ("at_base", 0.0, 240.0, "") in _spans(moves.segments["u2"])   # tier 2: never sent


def test_the_wait_names_the_busy_unit_and_the_closed_tier():
    """At the third call (120) u1 is travelling to the first call (sent at 105, 07:45) and u2's tier 2 opens
    at kuning: the call waits for its first unit from 120 to 161.683 (41.7 min)."""
    from sispam_sim.report.waits import Words, wait_lines, why_waited

    scenario, result_rows, moves = _moves_in_memory(PREEMPT, status_at=["rapid_response-0003"])
    wait = why_waited(scenario, moves, result_rows["rapid_response-0003"])
    assert (wait.call, round(wait.first_dispatch, 3), round(wait.covered, 3)) == (120.0, 161.683, 161.683)
    (short,) = wait.short
    assert (short.capability, short.need, short.sent) == ("response", 4, 0)
    assert [(u.unit, u.reason, u.incident, u.state, u.since, u.tier, u.level) for u in short.units] == [
        ("u1", "busy", "rapid_response-0001", "travelling", pytest.approx(105.0), None, None),
        ("u2", "tier", None, None, None, 2, 1)]
    lines = wait_lines(wait, Words(scenario, result_rows, "en"))
    assert any("41.7 min" in line and "08:00" in line for line in lines)
    assert any(line.strip().startswith("u1 (") and "rapid_response-0001" in line and "07:45" in line for line in lines)
    indonesian = wait_lines(wait, Words(scenario, result_rows, "id"))
    assert any("41,7 mnt" in line and "08.00" in line for line in indonesian)
    assert why_waited(scenario, moves, result_rows["rapid_response-0002"]) is None   # covered at its call


@pytest.mark.slow
def test_every_recorded_arrival_of_whole_days_is_the_reconstructed_one(cli, tmp_path):
    """The doctrine scenario (format 1.1: guards first, units on request, areas, mutual aid): every arrival
    in events.csv is the reconstruction's to the file's rounding (0.0005 on each of two times: < 0.002), and
    the first unit on scene mobilised and drove what incidents.csv records of it."""
    from sispam_sim.report.movements import day_end, day_moves

    from sispam_sim.scenario.loader import load_scenario

    doctrine = ROOT / "scenarios" / "jember-doctrine.yaml"
    out = _run(cli, doctrine, tmp_path / "out", "-r", "2")
    checked = 0
    for day in range(2):
        scenario, rows, events = _day(out, day, load_scenario(doctrine, with_warnings=False))
        moves = day_moves(scenario, day, rows, events, day_end(scenario, rows.values(), events[-1][0]))
        assert moves.arrival_gap < 2e-3
        for row in rows.values():
            if row.get("first_unit"):
                leg = next(d for d in moves.dispatches if d.incident == row["id"] and d.unit == row["first_unit"]
                           and d.arrives is not None)
                assert leg.mobilise == pytest.approx(float(row["mobilise_minutes"]), abs=2e-3)
                assert leg.arrives - leg.leaves == pytest.approx(float(row["travel_minutes"]), abs=2e-3)
                checked += 1
    assert checked > 50


@pytest.fixture(scope="module")
def rapid(tmp_path_factory):
    from sispam_sim.cli.app import main

    out = tmp_path_factory.mktemp("rapid") / "out"
    with pytest.raises(SystemExit) as info:
        main(["run", str(ROOT / "scenarios" / "rapid-response.yaml"), "-r", "6", "--out", str(out), "--quiet",
              "--format", "json"])
    assert info.value.code == 0
    return out


def _headings(page: str) -> list[str]:
    return re.findall(r"<h2>([^<]*)</h2>", page)


def test_the_days_are_the_drills(rapid):
    """The page's typical and worst day are drill's (one rule, stats/days.py), counted from 1."""
    from sispam_sim.runner.drill import drill_day
    from sispam_sim.scenario.loader import load_scenario

    scenario = load_scenario(ROOT / "scenarios" / "rapid-response.yaml", with_warnings=False)
    typical = drill_day(scenario, choose="typical", replications=6).index
    worst = drill_day(scenario, choose="worst", replications=6).index
    page = (rapid / "replay.html").read_text(encoding="utf-8")
    expected = [f"Typical day (day {typical + 1})"]
    expected += [f"Worst day (day {worst + 1})"] if worst != typical else []
    assert _headings(page) == expected


def test_the_page_holds_everything_it_shows(rapid):
    """Nothing is fetched: no address, no src, no stylesheet link, no import; every unit and incident of
    the day is drawn, and the animation's data parse as JSON."""
    page = (rapid / "replay.html").read_text(encoding="utf-8")
    for outside in ("http:", "https:", "src=", "<link", "@import", "url(", "//cdn"):
        assert outside not in page
    blocks = re.findall(r'<script type="application/json" class="daydata">(.*?)</script>', page, re.S)
    assert blocks
    data = json.loads(blocks[0])
    assert page.count('class="u s0"') >= len(data["units"]) and len(data["units"]) > 0
    assert {"end", "start", "sep", "units", "incidents", "states"} <= set(data)


def test_report_rebuilds_the_same_page(cli, rapid, tmp_path):
    copy = tmp_path / "copy"
    shutil.copytree(rapid, copy)
    (copy / "replay.html").unlink()
    result = cli("report", copy)
    assert result.code == 0, result.err
    assert "replay.html" in result.err
    assert (copy / "replay.html").read_bytes() == (rapid / "replay.html").read_bytes()


def test_indonesian_page(cli, rapid, tmp_path):
    result = cli("replay", rapid, "--html", tmp_path / "hari.html", "--lang", "id")
    assert result.code == 0, result.err
    page = (tmp_path / "hari.html").read_text(encoding="utf-8")
    assert '<html lang="id">' in page and ">Putar<" in page and "Hari tipikal (hari " in page
    data = json.loads(re.search(r'class="daydata">(.*?)</script>', page, re.S).group(1))
    assert data["sep"] == "."
    assert re.search(r'class="tl"[^>]*>0[68]\.00<', page)   # the Gantt's clock: 06.00 / 08.00


def test_hostile_text_is_escaped(cli, tmp_path):
    """Markup and template syntax in every free text of a scenario come out as text."""
    hostile = '<script>alert(1)</script>"><img src=x onerror=alert(2)>{{ 7*7 }}'
    data = minimal_scenario()
    data["name"] = hostile
    data["map"]["places"]["polres"]["name"] = hostile
    data["incidents"][0]["label"] = hostile
    path = write_scenario(tmp_path, data)
    out = _run(cli, path, tmp_path / "out", "-r", "2")
    page = (out / "replay.html").read_text(encoding="utf-8")
    assert "<script>alert" not in page and "<img" not in page and "onerror=alert(2)>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "{{ 7*7 }}" in page and "49" not in page.split("<svg")[0]
    assert page.count("<script") == page.count("</script>") == 1 + len(_headings(page))   # ours only


def test_without_the_scenario_the_page_says_why(cli, rapid, tmp_path):
    folder = tmp_path / "moved"
    shutil.copytree(rapid, folder)
    results = json.loads((folder / "results.json").read_text(encoding="utf-8"))
    results["scenario"]["file"] = "gone.yaml"
    (folder / "results.json").write_text(json.dumps(results), encoding="utf-8")
    from sispam_sim.report.dayview import build_dayview

    page = build_dayview({n: folder / n for n in ("results.json", "incidents.csv", "events.csv")}, folder=folder)
    assert "cannot be replayed without the run&#39;s scenario: gone.yaml is not there any more" in page
    assert "<svg" not in page
