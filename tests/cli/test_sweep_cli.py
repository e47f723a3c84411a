"""``sispam-sim sweep``: a grid of --set values on common random numbers, and --until.

The worked case: one scripted incident at the KPU needs 10 response personnel; the only units
are Sabhara cars of crew 4 at the Polres, 1 km away. Full strength is reached (about 4 minutes
after the call: 2 min mobilising + the drive) exactly when count x 4 >= 10, i.e. from
count = ceil(10 / 4) = 3; with 2 cars or fewer the need is never met and full strength is
censored. So sweeping count 6, 5, ..., 1 with --until "full_strength_time.p90 > 30min" must
stop at count=2 (the last holding: count=3), and sweeping it upwards nothing breaks.
"""

from __future__ import annotations

import csv
import io
import json

import pytest

from sispam_sim.scenario.limits import MAX_SWEEP_POINTS

SCRIPTED = """\
version: 1
name: one scripted need
clock: {start: "2024-11-27 06:00", duration: 2h, drain: 2h}
seed: 5
replications: 3
map:
  places:
    polres: {lat: -8.1725, lon: 113.6995}
    kpu: {lat: -8.1650, lon: 113.7030}
forces:
  types:
    sabhara: {crew: 4, speed_kmh: 40, mobilise: 2min, capabilities: [response]}
  units:
    - {id: patrol, type: sabhara, count: 6, base: polres}
incidents:
  - kind: rapid_response
    label: riot at KPU
    at: "07:00"
    where: {place: kpu}
    needs: {response: 10}
    work: 30min
  - kind: rapid_response
    label: 110 call
    rate: 2/h
    where: {place: kpu}
    needs: {response: 2}
    work: 10min
targets:
  full_strength: {p90: 30min}
"""
COUNT = "forces.units[patrol].count"


@pytest.fixture
def scripted(write):
    return write(SCRIPTED, "scripted.yaml")


def _json(result) -> dict:
    assert result.code == 0, result.err
    return json.loads(result.out)


def test_until_stops_at_the_first_count_that_cannot_reach_full_strength(cli, scripted):
    result = cli("sweep", scripted, "--set", f"{COUNT}=6,5,4,3,2,1", "--until", "full_strength_time.p90 > 30min",
                 "-q", "--format", "json")
    doc = _json(result)
    assert [p["settings"][COUNT] for p in doc["points"]] == ["6", "5", "4", "3", "2"]   # 1 is never run
    assert [p["until"]["broken"] for p in doc["points"]] == [False, False, False, False, True]
    assert doc["until"]["broken_at"] == {COUNT: "2"}
    assert doc["until"]["message"] == (
        f"breaks at {COUNT}=2: full_strength_time.p90 = more than 180.0 min > 30.0 min "
        f"(last holding: {COUNT}=3)")
    assert doc["points_planned"] == 6


def test_until_says_when_nothing_breaks_and_the_table_says_so_too(cli, scripted):
    result = cli("sweep", scripted, "--set", f"{COUNT}=3,4,5", "--until", "full_strength_time.p90 > 30min", "-q")
    assert result.code == 0
    assert "no point clearly breaks full_strength_time.p90 > 30min (3 of 3 points run)" in " ".join(result.out.split())


def test_fail_if_broken_makes_a_broken_condition_exit_1(cli, scripted):
    args = ("sweep", scripted, "--until", "full_strength_time.p90 > 30min", "--fail-if-broken", "-q")
    assert cli(*args, "--set", f"{COUNT}=3,2").code == 1
    assert cli(*args, "--set", f"{COUNT}=3,4").code == 0


def test_every_point_meets_the_same_incidents(cli, scripted, tmp_path):
    """Common random numbers: the 110 calls come at the same times at every point, so the response
    time of the calls (served by the same nearest car) is the same wherever the plan has cars to spare."""
    out = tmp_path / "sweep"
    doc = _json(cli("sweep", scripted, "--set", f"{COUNT}=4,5,6", "-q", "--format", "json", "--out", out))
    assert sorted(p.name for p in out.iterdir()) == ["sweep.csv", "sweep.json"]
    assert json.loads((out / "sweep.json").read_text(encoding="utf-8")) == doc
    rows = list(csv.DictReader(io.StringIO((out / "sweep.csv").read_text(encoding="utf-8"))))
    assert [row[COUNT] for row in rows] == ["4", "5", "6"]
    # and each point is the run of the scenario edited by hand, on the same replications
    for count, point in zip((4, 5, 6), doc["points"]):
        run = json.loads(cli("run", scripted, "-q", "--format", "json", "--set", f"{COUNT}={count}").out)
        assert point["metrics"]["response_time"]["p90"] == run["metrics"]["all"]["response_time"]["p90"]
        assert point["targets"][0]["value"] == run["targets"][0]["value"]


def test_the_same_calls_at_every_point_in_the_incident_records(cli, scripted, tmp_path):
    calls = []
    for count in (4, 6):
        out = tmp_path / f"run-{count}"
        assert cli("run", scripted, "-q", "--out", out, "--set", f"{COUNT}={count}").code == 0
        rows = list(csv.DictReader(io.StringIO((out / "incidents.csv").read_text(encoding="utf-8"))))
        calls.append([(r["replication"], r["entry"], r["call"]) for r in rows])
    assert calls[0] == calls[1] and len(calls[0]) > 3


def test_a_grid_is_every_combination_with_the_fixed_overrides_in_the_manifest(cli, scripted):
    doc = _json(cli("sweep", scripted, "--set", f"{COUNT}=3,4", "--set", "incidents[label=110 call].rate=x1,x2",
                    "--set", "clock.drain=1h", "-q", "--format", "json"))
    assert [p["settings"] for p in doc["points"]] == [
        {COUNT: a, "incidents[label=110 call].rate": b} for a in ("3", "4") for b in ("x1", "x2")]
    assert doc["manifest"]["overrides"] == ["clock.drain=1h"]
    assert doc["points"][1]["overrides"] == [f"{COUNT}=3", "incidents[label=110 call].rate=x2"]
    assert [a["path"] for a in doc["axes"]] == [COUNT, "incidents[label=110 call].rate"]


def test_values_with_commas_inside_brackets_are_one_value(cli, scripted):
    doc = _json(cli("sweep", scripted, "--set", 'incidents[1].rate={"06:00": 2/h, "07:00": 4/h},{"06:00": 1/h}',
                    "-q", "--format", "json"))
    assert [p["settings"]["incidents[1].rate"] for p in doc["points"]] == ['{"06:00": 2/h, "07:00": 4/h}',
                                                                           '{"06:00": 1/h}']


def test_csv_format_has_one_row_per_point(cli, scripted):
    result = cli("sweep", scripted, "--set", f"{COUNT}=2,3", "-q", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(result.out)))
    assert [(r[COUNT], r["full_strength_time.p90.censored"], r["targets.fail"]) for r in rows] == [
        ("2", "true", "1"), ("3", "false", "0")]


@pytest.mark.parametrize("args, message", [
    (("--set", f"{COUNT}=3,0"), f"--set {COUNT}=0: error: must be > 0, found 0"),
    (("--set", "forces.units[patrl].count=1,2"),
     '--set forces.units[patrl].count=1: error: no item of forces.units has id "patrl" (did you mean "patrol"?)'),
    (("--set", f"{COUNT}=3,,4"),
     f"--set {COUNT}=3,,4: error: an empty value between commas (write null for null; quote a value that holds a "
     "comma)"),
])
def test_a_bad_point_is_exit_2_before_anything_runs(cli, scripted, args, message):
    result = cli("sweep", scripted, *args, "-q")
    assert result.code == 2 and result.out == ""
    assert result.err.splitlines()[0] == message
    assert "Traceback" not in result.err


@pytest.mark.parametrize("args, message", [
    (("--set", f"{COUNT}=1,2", "--until", "response_time.p90 >> 15min"),
     "--until 'response_time.p90 >> 15min': cannot read duration '> 15min': expected \"90s\", \"15min\", \"2h\", "
     "\"1h30min\", \"1d\" or a number of minutes"),
    (("--set", f"{COUNT}=1,2", "--until", "speed.p90 > 1"),
     '--until \'speed.p90 > 1\': unknown metric "speed"; metrics: response_time, dispatch_delay, full_strength_time, '
     "resolution_time, tps_downtime, short_minutes, unresolved, max_level, incidents, or targets"),
    (("--set", f"{COUNT}=1,2", "--set", "clock.drain=1h,2h", "--until", "targets"),
     "--until stops a one-dimensional sweep; this one has 2 swept --set (give the others one value)"),
    (("--set", f"{COUNT}=1,2", "--fail-if-broken"), "--fail-if-broken needs --until CONDITION"),
    (("--set", f"{COUNT}=3"),
     "sweep needs a --set with several values, e.g. --set forces.units[patrol].count=2,4,6"),
    (("--set", f"{COUNT}={','.join(str(i + 1) for i in range(MAX_SWEEP_POINTS + 1))}"),
     f"the grid has {MAX_SWEEP_POINTS + 1} points; a sweep runs at most {MAX_SWEEP_POINTS}"),
    (("--set", f"{COUNT}=1,2,3", "-r", "90000"),
     "the grid has 3 points x 90,000 replications = 270,000 replications; a sweep runs at most 200,000 "
     "(fewer points or -r)"),
])
def test_bad_usage_is_exit_2_with_a_message(cli, scripted, args, message):
    result = cli("sweep", scripted, *args, "-q")
    assert (result.code, result.err.strip()) == (2, f"sispam-sim: error: {message}")


def test_replications_auto_is_refused(cli, scripted):
    result = cli("sweep", scripted, "--set", f"{COUNT}=1,2", "-r", "auto")
    assert result.code == 2 and "give a number" in result.err


def test_the_table_in_indonesian(cli, scripted):
    result = cli("sweep", scripted, "--set", f"{COUNT}=2,3", "--until", "targets", "-q", "--lang", "id")
    assert result.code == 0
    assert "Uji variasi nilai" in result.out and "GAGAL" in result.out


def test_the_library_sweep_runs_every_point_on_the_same_replications(scripted):
    from sispam_sim.runner.sweep import Axis, grid, sweep
    from sispam_sim.scenario.loader import load_scenario

    axes = [Axis(COUNT, ("4", "5", "6"))]
    result = sweep(lambda point: load_scenario(scripted, overrides=point.overrides), axes, grid(axes), 4,
                   keep_runs=True)
    counts = [p.run.document["metrics"]["all"]["incidents"] for p in result.points]
    assert counts[0] == counts[1] == counts[2] and counts[0]["called"] > 4
    assert {p.run.document["manifest"]["replications"] for p in result.points} == {4}


def test_the_until_verdict_reads_in_indonesian(cli, write):
    from conftest import minimal_scenario

    path = write(minimal_scenario())
    result = cli("sweep", path, "--set", "forces.units[patrol].count=2,1", "--until", "response_time.p90 > 0min",
                 "-r", "3", "--quiet", "--lang", "id")
    assert result.code == 0, result.err
    assert "melanggar di forces.units[patrol].count=" in result.out and "breaks at" not in result.out


def test_until_brackets_a_break_whose_truth_is_at_the_limit(cli, write):
    """Calls at the Polres itself (no travel), 1/h, two patrols, lognormal work (sd 10 min): the mean
    resolution time is the mean work plus a little waiting. Against a 30-minute limit, 10 days
    (about 120 calls, an interval of about +-1.6 min, the same days at every point) cannot tell 28,
    29 or 30 minutes of work from the limit, so those points are too close to call and the sweep brackets the break between the
    clear points, 10 min (holds) and 60 min (breaks), instead of naming one value."""
    from conftest import minimal_scenario

    path = write(minimal_scenario())
    works = ["10min", "28min", "29min", "30min", "60min"]
    values = ",".join(f"{{dist: lognormal, mean: {w}, sd: 10min}}" for w in works)
    args = ("sweep", path, "--set", f"incidents[0].work={values}", "--until", "resolution_time.mean > 30min",
            "-r", "10", "--quiet")
    doc = _json(cli(*args, "--format", "json"))
    states = [p["until"]["state"] for p in doc["points"]]
    assert states == ["holds", "too_close", "too_close", "too_close", "breaks"]
    for point in doc["points"][1:4]:
        lo, hi = point["until"]["ci"]
        assert lo <= 30 <= hi and not point["until"]["broken"]
    assert doc["until"]["last_holding"] == {"incidents[0].work": "{dist: lognormal, mean: 10min, sd: 10min}"}
    assert doc["until"]["broken_at"] == {"incidents[0].work": "{dist: lognormal, mean: 60min, sd: 10min}"}
    assert len(doc["until"]["too_close"]) == 3
    message = doc["until"]["message"]
    assert message.startswith("breaks between incidents[0].work={dist: lognormal, mean: 10min, sd: 10min} and "
                              "incidents[0].work={dist: lognormal, mean: 60min, sd: 10min}")
    assert "too close to call at" in message
    table = cli(*args)
    assert table.out.count("TOO CLOSE") == 3 and "breaks between" in table.out
    rows = list(csv.DictReader(io.StringIO(cli(*args, "--format", "csv").out)))
    assert [r["until.state"] for r in rows] == states
