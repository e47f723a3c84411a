"""The inject script: every incident of the day once, in time order, with the run's own times and places;
the typical and worst days are the ones the documented rule picks."""

from __future__ import annotations

import csv
import math
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]
SCENARIO = ROOT / "scenarios" / "rapid-response.yaml"
DAYS = 6


def read(path: Path) -> list[dict]:
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    from sispam_sim.cli.app import main

    out = tmp_path_factory.mktemp("run")
    with pytest.raises(SystemExit) as info:
        main(["run", str(SCENARIO), "-r", str(DAYS), "--out", str(out), "--quiet", "--format", "json"])
    assert info.value.code == 0
    return read(out / "incidents.csv")


def day_of(rows, replication):
    return sorted((r for r in rows if r["replication"] == str(replication)), key=lambda r: (float(r["call"]), r["id"]))


def test_every_incident_of_the_day_once_in_time_order_with_the_runs_times_and_places(cli, saved, tmp_path):
    result = cli("drill", SCENARIO, "--replication", "2", "--out", tmp_path)
    assert result.code == 0, result.err
    assert "Day 2 (chosen): " in result.err
    injects = read(tmp_path / "inject.csv")
    expected = day_of(saved, 1)   # day 2 is replication 1 in the files
    assert [r["incident"] for r in injects] == [r["id"] for r in expected]
    assert len({r["incident"] for r in injects}) == len(injects)
    for inject, row in zip(injects, expected):
        assert inject["minute"] == row["call"]
        assert (inject["lat"], inject["lon"]) == (row["lat"], row["lon"])
        assert inject["kind"] == row["kind"] and inject["label"] == row["label"]
    minutes = [float(r["minute"]) for r in injects]
    assert minutes == sorted(minutes)
    text = (tmp_path / "inject.md").read_text(encoding="utf-8")
    assert text.startswith("# Inject script: ") and text.count("\n| ") == len(injects) + 2   # heading, rule, rows


def _stats(rows):
    rt = [math.inf if r["response_time"] == "" else float(r["response_time"]) for r in rows]
    res = [math.inf if r["resolution_time"] == "" else float(r["resolution_time"]) for r in rows]
    return np.mean(rt), np.percentile(rt, 90, method="inverted_cdf"), np.mean(res)


def test_typical_and_worst_days_follow_the_documented_rule(cli, saved, tmp_path):
    stats = np.array([_stats(day_of(saved, d)) for d in range(DAYS)])
    median = np.median(stats, axis=0)
    mad = np.median(np.abs(stats - median), axis=0)
    distance = (np.abs(stats - median) / np.where(mad > 0, mad, 1.0)).sum(axis=1)
    typical = int(np.argmin(distance))
    worst = max(range(DAYS), key=lambda d: (stats[d][1], -d))
    for flag, day in (("--typical", typical), ("--worst", worst)):
        out = tmp_path / flag.strip("-")
        result = cli("drill", SCENARIO, flag, "-r", str(DAYS), "--out", out)
        assert result.code == 0, result.err
        assert f"Day {day + 1} (" in result.err
        assert [r["incident"] for r in read(out / "inject.csv")] == [r["id"] for r in day_of(saved, day)]


@pytest.mark.parametrize("args", [[], ["--typical", "--worst"], ["--replication", "1", "--worst"]])
def test_exactly_one_day_choice(cli, tmp_path, args):
    result = cli("drill", SCENARIO, *args, "--out", tmp_path)
    assert result.code == 2
    assert "give exactly one of --replication K, --typical or --worst" in result.err


def test_indonesian_script(cli, tmp_path):
    result = cli("drill", SCENARIO, "--replication", "1", "--out", tmp_path, "--lang", "id")
    assert result.code == 0, result.err
    text = (tmp_path / "inject.md").read_text(encoding="utf-8")
    assert text.startswith("# Naskah inject latihan: ") and "| Waktu | Lokasi (lat, lon) |" in text


def test_the_readme_excerpt_is_the_reference_typical_day(cli, tmp_path):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Running the drill", 1)[1].split("\n## ", 1)[0]
    excerpt = [line for line in section.split("```text\n", 1)[1].split("```", 1)[0].splitlines() if line.strip()]
    result = cli("drill", ROOT / "scenarios" / "jember-pilkada-2024.yaml", "--typical", "--out", tmp_path)
    assert result.code == 0, result.err
    lines = (tmp_path / "inject.md").read_text(encoding="utf-8").splitlines()
    assert excerpt and all(line in lines for line in excerpt)
    day = int(result.err.split("Day ", 1)[1].split(" ", 1)[0])
    injects = sum(1 for _ in open(tmp_path / "inject.csv", encoding="utf-8")) - 1
    assert f"Two of the {injects} injects of the reference's typical day (day {day})" in " ".join(section.split())
