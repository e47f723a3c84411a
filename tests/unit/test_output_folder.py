"""One writer per ``--out`` folder, stale partial files, and CSV cells safe to open in a spreadsheet.

Two runs into one folder used to mix silently (the first run's results.json beside the second
one's incidents.csv); a killed run left its partial files behind for ever; a place named
``=HYPERLINK(...)`` opened as a formula. These tests use real processes where the behaviour is
between processes.
"""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from sispam_sim.runner.output import from_spreadsheet_safe, spreadsheet_safe
from sispam_sim.runner.lock import LOCK_NAME, claim, remove_stale_partials
from tests.conftest import minimal_scenario, write_scenario

REPO = Path(__file__).resolve().parents[2]
JEMBER = REPO / "scenarios" / "jember-pilkada-2024.yaml"
RAPID = REPO / "scenarios" / "rapid-response.yaml"


def _cli(*args, cwd=REPO) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "sispam_sim", *map(str, args)], cwd=cwd,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _hidden(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


def test_two_runs_into_one_folder_started_together_one_is_refused_before_writing(tmp_path):
    """Both start at once; the one that locks the folder first runs, the other exits 2 at once.

    The folder then holds one consistent run: results.json's scenario and replications match
    incidents.csv (the bug: 60 replications of one scenario beside 600 of the other)."""
    out = tmp_path / "out"
    first = _cli("run", JEMBER, "-r", "60", "--out", out, "-q", "--jobs", "1")
    second = _cli("run", RAPID, "-r", "600", "--out", out, "-q", "--jobs", "1")
    results = [(p, *p.communicate(timeout=300)) for p in (first, second)]
    codes = sorted(p.returncode for p, _, _ in results)
    assert codes == [0, 2], [(p.returncode, err) for p, _, err in results]
    loser_err = next(err for p, _, err in results if p.returncode == 2)
    assert "being written by another run" in loser_err and "pid " in loser_err and str(out) in loser_err
    assert "Traceback" not in loser_err
    winner = RAPID if first.returncode == 2 else JEMBER
    document = json.loads((out / "results.json").read_text(encoding="utf-8"))
    with open(out / "incidents.csv", newline="", encoding="utf-8") as fh:
        days = {row["replication"] for row in csv.DictReader(fh)}
    assert len(days) == document["manifest"]["replications"] == (60 if winner == JEMBER else 600)
    assert Path(document["scenario"]["file"]).name == winner.name
    assert _hidden(out) == []   # no lock file and no partial file left


def test_a_held_folder_refuses_a_run_at_once_naming_the_holder(tmp_path):
    out = tmp_path / "held"
    out.mkdir()
    with claim(out):
        proc = _cli("run", RAPID, "-r", "5", "--out", out, "-q")
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 2
        assert f"pid {os.getpid()}" in err and "another --out" in err
        assert sorted(p.name for p in out.iterdir()) == [LOCK_NAME]   # nothing written by the refused run
    assert list(out.iterdir()) == []   # the holder leaves the folder as it found it


@pytest.mark.parametrize("command", [
    ("compare", RAPID, RAPID, "-r", "2"),
    ("sweep", RAPID, "--set", "forces.units[patrol].count=5,6", "-r", "2"),
])
def test_compare_and_sweep_are_refused_too(tmp_path, command):
    out = tmp_path / "held"
    out.mkdir()
    with claim(out):
        proc = _cli(*command, "--out", out, "-q")
        _, err = proc.communicate(timeout=120)
    assert proc.returncode == 2 and "being written by another run" in err


def test_claim_is_reentrant_in_one_process_and_released_at_the_end(tmp_path):
    with claim(tmp_path):
        with claim(tmp_path):
            assert (tmp_path / LOCK_NAME).exists()
        assert (tmp_path / LOCK_NAME).exists()   # the outer claim still holds it
    assert not (tmp_path / LOCK_NAME).exists()


def test_a_killed_runs_lock_and_partial_files_are_taken_over_and_removed(tmp_path):
    """What a SIGKILL leaves: a lock file nobody holds, and partial files of both naming schemes.
    The next run takes the folder over, removes them, and keeps what is not its own."""
    out = tmp_path / "out"
    out.mkdir()
    (out / LOCK_NAME).write_text(json.dumps({"pid": 999999, "started": 0}), encoding="utf-8")
    stale = [".incidents.csv.partial", ".results.json.4242-0badcafe.partial", ".report.html.17-deadbeef.partial",
             ".sispam-sim-write-check.abc123"]
    for name in stale:
        (out / name).write_text("x" * 1000, encoding="utf-8")
    (out / ".notes").write_text("mine", encoding="utf-8")
    (out / "notes.partial").write_text("mine too", encoding="utf-8")
    proc = _cli("run", RAPID, "-r", "3", "--out", out, "-q")
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    assert _hidden(out) == [".notes"]
    assert (out / "notes.partial").exists() and (out / "results.json").exists()


def test_replay_removes_stale_partials_only_when_no_run_writes_the_folder(tmp_path):
    from sispam_sim.runner.lock import tidy_if_idle

    out = tmp_path / "out"
    out.mkdir()
    tidy = [sys.executable, "-c", f"from sispam_sim.runner.lock import tidy_if_idle; tidy_if_idle({str(out)!r})"]
    with claim(out):   # a live run holds the folder: partial files stay, whoever's they are
        (out / ".events.csv.1-00000000.partial").write_text("x", encoding="utf-8")
        subprocess.run(tidy, cwd=REPO, check=True, timeout=60)
        assert (out / ".events.csv.1-00000000.partial").exists()
    subprocess.run(tidy, cwd=REPO, check=True, timeout=60)
    assert _hidden(out) == []
    tidy_if_idle(tmp_path / "missing")   # nothing to tidy, nothing said


def test_remove_stale_partials_spares_this_processes_own_files(tmp_path):
    from sispam_sim.runner.lock import partial_name

    mine = tmp_path / partial_name("results.json")
    mine.write_text("in progress", encoding="utf-8")
    (tmp_path / ".results.json.partial").write_text("dead", encoding="utf-8")
    assert remove_stale_partials(tmp_path) == [".results.json.partial"]
    assert mine.exists()


# --- CSV cells safe to open in a spreadsheet ------------------------------------------------------

FORMULAS = ['=HYPERLINK("http://example.test","click")', "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A9)",
            "\tTAB", "\rCR", "'quoted"]


@pytest.mark.parametrize("text", FORMULAS)
def test_a_text_a_spreadsheet_would_run_gets_a_leading_quote_and_comes_back(text):
    cell = spreadsheet_safe(text)
    assert cell == "'" + text
    assert from_spreadsheet_safe(cell) == text


@pytest.mark.parametrize("text", ["-3.5", "+2", "12", "1e-3", "kaliwates", "", "a=b"])
def test_numbers_and_plain_text_are_untouched(text):
    assert spreadsheet_safe(text) == text == from_spreadsheet_safe(text)


def _hostile_scenario(tmp_path: Path) -> Path:
    data = minimal_scenario()
    data["map"]["places"]["polres"]["name"] = FORMULAS[0]
    data["map"]["places"]["pos"] = {"lat": -8.17, "lon": 113.70, "name": FORMULAS[3]}
    data["incidents"][0]["label"] = FORMULAS[1]
    data["incidents"].append({"kind": "rapid_response", "label": FORMULAS[2], "at": "08:00",
                              "where": {"place": "pos"}, "needs": {"response": 4}, "work": "10min"})
    data["incidents"].append({"kind": "rapid_response", "label": FORMULAS[4], "at": "09:00",
                              "where": {"place": "pos"}, "needs": {"response": 4}, "work": "10min"})
    return write_scenario(tmp_path, data)


def _cells(path: Path) -> list[str]:
    with open(path, newline="", encoding="utf-8") as fh:
        return [cell for row in csv.reader(fh) for cell in row]


def _assert_safe(path: Path) -> list[str]:
    """No cell of ``path`` starts a formula; returns the cells as their text (quote removed)."""
    cells = _cells(path)
    unsafe = [c for c in cells if c[:1] in "=+-@\t\r" and spreadsheet_safe(c) != c]
    assert unsafe == [], f"{path.name}: {unsafe[:5]}"
    return [from_spreadsheet_safe(c) for c in cells]


def test_run_out_writes_no_formula_and_every_name_round_trips(tmp_path, cli):
    scenario = _hostile_scenario(tmp_path)
    out = tmp_path / "out"
    result = cli("run", scenario, "-r", "2", "--out", out, "-q")
    assert result.code in (0, 1), result.err
    texts = {}
    for name in ("incidents.csv", "timeline.csv", "events.csv", "targets.csv", "headline.csv"):
        texts[name] = _assert_safe(out / name)
    incidents = texts["incidents.csv"]
    for label in FORMULAS[1], FORMULAS[2], FORMULAS[4]:
        assert label in incidents   # the label comes back exactly, once the quote is taken off
    raw = (out / "incidents.csv").read_text(encoding="utf-8")
    assert "'-2+3" in raw and "'+cmd" in raw


def test_drill_inject_csv_writes_no_formula_and_names_round_trip(tmp_path, cli):
    scenario = _hostile_scenario(tmp_path)
    out = tmp_path / "drill"
    result = cli("drill", scenario, "--out", out, "-r", "2", "--worst")
    assert result.code == 0, result.err
    cells = _assert_safe(out / "inject.csv")
    assert FORMULAS[2] in cells and FORMULAS[4] in cells
    assert any(FORMULAS[3] in cell for cell in cells)   # the place's name


def test_compare_and_sweep_csvs_write_no_formula(tmp_path, cli):
    scenario = _hostile_scenario(tmp_path)
    data = minimal_scenario()
    data["name"] = "=cmd|' /C calc'!A0"
    plan = write_scenario(tmp_path, data, "plan.yaml")
    result = cli("compare", scenario, plan, "-r", "2", "--out", tmp_path / "cmp", "-q")
    assert result.code == 0, result.err
    cells = _assert_safe(tmp_path / "cmp" / "comparison.csv")
    assert data["name"] in cells
    result = cli("sweep", scenario, "--set", "incidents[0].label=+a,-b", "-r", "2", "--out", tmp_path / "sw", "-q")
    assert result.code == 0, result.err
    assert {"+a", "-b"} <= set(_assert_safe(tmp_path / "sw" / "sweep.csv"))
