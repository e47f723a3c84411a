"""The findings (results.json ``findings``): what, where and why a target fails, and single points of
failure, recomputed from the run's own files and by hand.

* A hand-computed day checks the waiting / mobilising / travel split, the single point of failure and
  the incident that held its unit.
* A real run of the format 1.1 doctrine scenario (10 days, ``--out``) is recomputed from
  ``incidents.csv`` and ``events.csv``: the share over the limit per district and place, the split
  over the limit (all kinds, per kind), the bottleneck unit type and the single point of failure.
* The reference scenario at 100 days finds what the README says: Tempurejo first, the one Resmob team.
* A version 1 file's CSVs keep their bytes; a district is never a place; the sentences end the
  terminal report and open the Markdown.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import math
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from rich.console import Console

from sispam_sim.report.findings import bottom_line, finding_head, print_bottom_line, sentences, split_rows
from sispam_sim.report.markdown import run_markdown
from sispam_sim.report.terminal import render_run
from sispam_sim.runner.pipeline import simulate
from sispam_sim.scenario import kinds
from sispam_sim.scenario.loader import load_scenario
from sispam_sim.scenario.metrics import canonical_metric
from sispam_sim.stats.districts import Areas
from sispam_sim.stats.findings import MIN_INCIDENTS

ROOT = Path(__file__).resolve().parents[2]
DOCTRINE = ROOT / "scenarios" / "jember-doctrine.yaml"
REFERENCE = ROOT / "scenarios" / "jember-pilkada-2024.yaml"
RAPID = ROOT / "scenarios" / "rapid-response.yaml"
#: incidents.csv writes minutes with 3 decimals: a difference of three rounded cells is off by < 1.5e-3
CSV_TOLERANCE = 2e-3

#: Base at (-8.00, 113.0); x and y 0.09 degrees of latitude apart each, due south on one meridian.
#: Great-circle km = 6371 x 0.09 x pi/180 = 10.00754; at 30 km/h and road factor 1 that is
#: 10.00754 / 30 x 60 = 20.01508 min. One car (crew 2, mobilise 4 min): the only unit with response.
HAND_YAML = """\
version: 1.1
name: split by hand
clock: {start: "2024-11-27 06:00", duration: 6h}
map:
  travel: {road_factor: 1.0}
  places:
    base: {lat: -8.00, lon: 113.0}
    x: {lat: -8.09, lon: 113.0, name: "Post [bold]X[/] | *x*"}
    y: {lat: -8.18, lon: 113.0}
forces:
  types:
    car: {crew: 2, speed_kmh: 30, mobilise: 4min, capabilities: [response]}
  units:
    - {id: car, type: car, base: base}
incidents:
  - kind: rapid_response
    label: first call
    at: "08:00"
    where: {place: x}
    needs: {response: 2}
    work: 30min
  - kind: rapid_response
    label: "second [red]call[/] | =cmd"
    at: "08:10"
    where: {place: y}
    needs: {response: 2}
    work: 30min
targets:
  response_time: {p90: 15min}
"""
LEG = 6371.0 * 0.09 * math.pi / 180.0 / 30.0 * 60.0   # 20.01508 min from base to x, and from x to y


@pytest.fixture(scope="module")
def hand(tmp_path_factory):
    path = tmp_path_factory.mktemp("hand") / "hand.yaml"
    path.write_text(HAND_YAML, encoding="utf-8")
    scenario = load_scenario(path)
    return scenario, simulate(scenario, replications=2).document


def test_the_first_unit_is_recorded_with_its_mobilise_and_travel_minutes(hand):
    """Call A (08:00 = minute 120, at x): the car is sent at once, leaves at 124 (mobilise 4), arrives
    at 124 + 20.01508 = 144.01508; 30 min of work end at 174.01508. Call B (minute 130, at y) waits
    for the only car until then; it is sent from the road at x (no mobilisation) and drives x -> y,
    20.01508 min: wait 174.01508 - 130 = 44.01508, mobilise 0, travel 20.01508, response 64.03016."""
    from sispam_sim.engine.model import run_replication
    from sispam_sim.runner.output import incidents_csv

    scenario, _ = hand
    result = run_replication(scenario, 0)
    a, b = result.incidents
    assert (a.first_unit, a.first_unit_type) == ("car", "car")
    assert (a.unit_wait, a.mobilise_minutes, a.travel_minutes) == pytest.approx((0.0, 4.0, LEG), abs=1e-9)
    assert (b.unit_wait, b.mobilise_minutes, b.travel_minutes) == pytest.approx((24 + LEG, 0.0, LEG), abs=1e-9)
    assert b.response_time == pytest.approx(24 + 2 * LEG, abs=1e-9)
    assert b.sent == pytest.approx([154 + LEG], abs=1e-9)   # sent when A was resolved
    assert a.resolved == pytest.approx(154 + LEG, abs=1e-9)
    rows = list(csv.DictReader(io.StringIO(incidents_csv([result]))))
    assert list(rows[0])[-3:] == ["first_unit", "mobilise_minutes", "travel_minutes"]
    assert (rows[1]["first_unit"], rows[1]["mobilise_minutes"], rows[1]["travel_minutes"]) == ("car", "0", "20.015")


def test_the_split_bottleneck_and_single_point_of_a_hand_computed_day(hand):
    """Two identical days; both calls over 15 min (24.015 and 64.030). Over the limit, means over the 4
    calls: wait (0 + 44.01508) / 2 = 22.00754, mobilise (4 + 0) / 2 = 2, travel 20.01508, total 44.02262:
    mostly waiting.
    The car is first on scene for all of them: the bottleneck, share 1. Each entry's response need only
    the car can meet: two single points; B waited on both days, 44.01508 min, while the car was at A
    (sent at 120 <= B's call at 130, A resolved at 174.015 > 130). Neither place has 20 incidents: not ranked."""
    _, document = hand
    finding, = document["findings"]["targets"]
    assert (finding["metric"], finding["verdict"], finding["incidents"], finding["over_limit"]) == \
        ("response_time", "fail", 4, 4)
    over = finding["why"]["over_limit"]
    assert (over["wait"], over["mobilise"], over["travel"], over["value"]) == \
        pytest.approx((12 + LEG / 2, 2.0, LEG, 14 + 1.5 * LEG), abs=1e-9)
    assert finding["why"]["dominant"] == "wait"
    assert finding["why"]["bottleneck"]["unit_type"] == "car" and finding["why"]["bottleneck"]["share"] == 1.0
    assert finding["where"] == [] and {(a["area"], a["id"], a["incidents"]) for a in finding["areas"]} == \
        {("place", "x", 2), ("place", "y", 2)}
    first, second = document["findings"]["single_points"]
    assert (first["entry"], first["unit"], first["waited"], first["longest"]) == (0, "car", 0, None)
    assert (second["entry"], second["incidents"], second["waited"], second["days_waited"]) == (1, 2, 2, 2)
    longest = second["longest"]
    assert longest["wait"] == pytest.approx(24 + LEG, abs=1e-9)
    assert (longest["replication"], longest["censored"]) == (0, False)   # the earliest of equal days
    assert longest["held_by"]["incident"] == "rapid_response-0001"
    assert longest["held_by"]["area"]["id"] == "x"


def test_the_sentences_are_inert_and_localised(hand):
    """User text (markup, Markdown, a spreadsheet formula) stays text; Indonesian writes 44,0 not 44.0."""
    _, document = hand
    out = io.StringIO()
    console = Console(file=out, width=100, color_system=None)
    render_run(document, console, "en")
    print_bottom_line(document, console, "en")          # what `run` prints after the tables
    text = out.getvalue().rstrip()
    last = text.split("\n\n")[-1]
    assert last.startswith("Bottom line: 1 of 1 targets fail") and "[red]call[/]" in last
    assert "car is a single point of failure" in " ".join(last.split())
    markdown = run_markdown(document)
    assert markdown.index("Bottom line") < markdown.index("### Targets")
    assert "\\[red\\]call\\[/\\] \\| =cmd" in markdown and "[red]" not in markdown
    indonesian = bottom_line(document, "id")
    assert indonesian.startswith("Kesimpulan: 1 dari 1 sasaran tidak tercapai")
    assert "64,0 > 15" in indonesian and "44,0" in indonesian and "44.0" not in indonesian


@pytest.fixture(scope="module")
def doctrine(tmp_path_factory):
    out = tmp_path_factory.mktemp("doctrine") / "out"
    done = subprocess.run([sys.executable, "-m", "sispam_sim", "run", str(DOCTRINE), "-r", "10", "--out", str(out),
                           "--format", "json", "--quiet"], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    document = json.loads((out / "results.json").read_text(encoding="utf-8"))
    with open(out / "incidents.csv", encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    with open(out / "events.csv", encoding="utf-8", newline="") as fh:
        events = list(csv.DictReader(fh))
    return load_scenario(DOCTRINE), document, rows, events


def _area(scenario, row) -> tuple[str, str]:
    """Where a row lies, from the scenario alone: a TPS's district, a district entry's district, else the place."""
    site_district = {s.id: s.district for s in scenario.sites}
    if row["site"]:
        return "district", site_district[row["site"]]
    where = scenario.spec.incidents[int(row["entry"])].where
    if where.district is not None:
        return "district", row["place"]
    return "place", row["place"]


def _target_rows(scenario, rows, finding):
    """The rows a finding's target judges: its kind (or every kind with the metric) and its phase."""
    metric = canonical_metric(finding["metric"])
    span = scenario.spec.clock.phase_span(finding["phase"]) if finding.get("phase") else (-math.inf, math.inf)
    return [r for r in rows if kinds.applies_to(metric, r["kind"]) and finding["kind"] in (None, r["kind"])
            and span[0] <= float(r["call"]) < span[1]]


def _over(row, metric, limit) -> bool:
    return row[metric] == "" or float(row[metric]) > limit   # never reached the stage: over


def _incident_findings(document):
    return [f for f in document["findings"]["targets"] if f["metric"] in ("response_time", "full_strength",
                                                                          "tps_downtime")]


def test_the_share_over_the_limit_per_district_is_recomputed_from_incidents_csv(doctrine):
    """Per district or place: incidents and those over the limit, counted from incidents.csv (a TPS in its
    generated district, the KPU protest at the place kpu); a ranked one has >= 20 incidents and an interval
    above the share of all; one with fewer is never ranked."""
    scenario, document, rows, _ = doctrine
    findings = _incident_findings(document)
    assert {f["metric"] for f in findings} >= {"response_time", "tps_downtime"}
    assert any(f.get("phase") == "voting" for f in findings)
    for finding in findings:
        metric = canonical_metric(finding["metric"])
        mine = _target_rows(scenario, rows, finding)
        counted, over = Counter(), Counter()
        for row in mine:
            key = _area(scenario, row)
            counted[key] += 1
            over[key] += _over(row, metric, finding["limit"])
        assert finding["incidents"] == len(mine)
        assert finding["over_limit"] == sum(over.values())
        assert {(a["area"], a["id"]): (a["incidents"], a["over_limit"]) for a in finding["areas"]} == \
            {key: (counted[key], over[key]) for key in counted}
        overall = finding["share_over"]["value"]
        assert overall == pytest.approx(sum(over.values()) / len(mine))
        ranked = {(w["area"], w["id"]) for w in finding["where"]}
        for area in finding["areas"]:
            if area["incidents"] < MIN_INCIDENTS:
                assert "share_over" not in area and (area["area"], area["id"]) not in ranked
        for where in finding["where"]:
            key = (where["area"], where["id"])
            assert where["share_over"]["value"] == pytest.approx(over[key] / counted[key])
            assert counted[key] >= MIN_INCIDENTS and where["share_over"]["ci"][0] > overall


def test_the_wait_mobilise_travel_split_is_recomputed_from_incidents_csv(doctrine):
    """Over the limit and over all, for all kinds and per kind: wait = response - mobilise - travel per row,
    then means over the rows a unit reached. The bottleneck is the type of the most frequent first unit."""
    scenario, document, rows, _ = doctrine
    unit_type = {u.id: u.type for u in scenario.units}
    checked = 0
    for finding in _incident_findings(document):
        if canonical_metric(finding["metric"]) != "response_time":
            continue
        mine = _target_rows(scenario, rows, finding)

        def means(selected):
            reached = [r for r in selected if r["response_time"]]
            parts = [(float(r["response_time"]) - float(r["mobilise_minutes"]) - float(r["travel_minutes"]),
                      float(r["mobilise_minutes"]), float(r["travel_minutes"])) for r in reached]
            assert all(w > -CSV_TOLERANCE and m >= 0 and t >= 0 for w, m, t in parts)
            return len(reached), [sum(p[i] for p in parts) / len(parts) for i in range(3)]

        over = [r for r in mine if _over(r, "response_time", finding["limit"])]
        for selected, split in ((over, finding["why"]["over_limit"]), (mine, finding["why"]["all"])):
            n, (wait, mobilise, travel) = means(selected)
            assert split["measured"] == n
            assert (split["wait"], split["mobilise"], split["travel"]) == \
                pytest.approx((wait, mobilise, travel), abs=CSV_TOLERANCE)
            assert split["value"] == pytest.approx(split["wait"] + split["mobilise"] + split["travel"], abs=1e-9)
        for kind, entry in finding["why"]["by_kind"].items():
            of_kind = [r for r in over if r["kind"] == kind]
            assert entry["over_limit"] == len(of_kind)
            if of_kind:
                _, (wait, mobilise, travel) = means(of_kind)
                split = entry["over_limit_split"]
                assert (split["wait"], split["mobilise"], split["travel"]) == \
                    pytest.approx((wait, mobilise, travel), abs=CSV_TOLERANCE)
        first = Counter(unit_type.get(r["first_unit"], "tps_guard") for r in over if r["first_unit"])
        bottleneck = finding["why"]["bottleneck"]
        assert first[bottleneck["unit_type"]] == max(first.values()) == bottleneck["first_on_scene"]
        checked += 1
    assert checked == 2   # the run's response target and the voting phase's


def test_the_single_point_of_failure_is_recomputed_from_the_events(doctrine):
    """The ballot-box seizure needs enforcement 10 and is tier 1: only the Resmob team can give it (Brimob
    is tier 3). Its wait is the call to the Resmob's first dispatch to it (events.csv); the incident that
    held the Resmob is the one it was last sent to before the call, still open then. The hostage call is
    tier 3 in this file: Brimob may answer it too, so it is no single point; the KPU protest's
    negotiators are (one Srikandi team)."""
    scenario, document, rows, events = doctrine
    points = {(p["entry"], p["capability"]): p for p in document["findings"]["single_points"]}
    hostage = next(i for i, e in enumerate(scenario.spec.incidents) if "hostage" in (e.label or ""))
    assert (hostage, "enforcement") not in points
    assert points[(6, "negotiation")]["unit"] == "srikandi"
    point = points[(3, "enforcement")]
    assert (point["unit"], point["unit_type"]) == ("resmob", "resmob_tim")
    sent = {}
    for e in events:
        if e["unit"] == "resmob" and e["action"] == "dispatch":
            sent.setdefault((e["replication"], e["incident"]), float(e["time"]))
    resolved = {(r["replication"], r["id"]): r["resolved"] for r in rows}
    seizures = [r for r in rows if r["entry"] == "3"]
    waits = []
    for r in seizures:
        key = (r["replication"], r["id"])
        assert key in sent   # every seizure got the Resmob in these 10 days
        waits.append((sent[key] - float(r["call"]), r))
    waited = [(w, r) for w, r in waits if w > 0]
    assert (point["incidents"], point["waited"]) == (len(seizures), len(waited))
    assert point["days"] == len({r["replication"] for r in seizures})
    assert point["days_waited"] == len({r["replication"] for _, r in waited})
    assert waited, "the seed gives one seizure that waits (day 9)"
    wait, row = max(waited, key=lambda pair: (pair[0], -int(pair[1]["replication"])))
    longest = point["longest"]
    assert longest["wait"] == pytest.approx(wait, abs=CSV_TOLERANCE)
    assert (longest["replication"], longest["incident"]) == (int(row["replication"]), row["id"])
    call = float(row["call"])
    before = [(t, incident) for (day, incident), t in sent.items() if day == row["replication"] and incident != row["id"]
              and t <= call and (resolved[(day, incident)] == "" or float(resolved[(day, incident)]) > call)]
    assert longest["held_by"]["incident"] == max(before)[1]


def test_the_reference_finds_tempurejo_and_the_one_resmob_team():
    """README: 83% of Tempurejo's calls miss 15 min; Bandealit (6 TPS, a call every few days) is never
    ranked; the hostage call waited for the one Resmob team on day 75 (replication 74), 131.6 min to its
    dispatch (168.1 to arrival), while it was at a ballot-box seizure at panti-81."""
    document = simulate(load_scenario(REFERENCE), replications=100).document
    response = next(f for f in document["findings"]["targets"] if f["metric"] == "response_time")
    assert [w["id"] for w in response["where"][:3]] == ["tempurejo", "tanggul", "panti"]
    assert response["where"][0]["share_over"]["value"] == pytest.approx(43 / 52)
    assert "bandealit" not in {w["id"] for w in response["where"]}
    assert response["why"]["dominant"] == "travel"
    hostage = next(p for p in document["findings"]["single_points"] if "hostage" in p["label"])
    longest = hostage["longest"]
    assert (hostage["unit"], longest["replication"]) == ("resmob", 74)
    assert longest["wait"] == pytest.approx(131.55, abs=0.01)
    assert longest["response_time"] == pytest.approx(168.1, abs=0.05)
    assert longest["held_by"]["place"] == "panti-81" and "ballot-box" in longest["held_by"]["label"]
    assert "Tempurejo (83% of 52)" in bottom_line(document)
    assert "Tempurejo (83% dari 52)" in bottom_line(document, "id")


def test_a_version_1_file_keeps_its_csv_bytes(tmp_path):
    """The first unit's columns are format 1.1 only: a version 1 run writes the golden files' bytes."""
    out = tmp_path / "out"
    done = subprocess.run([sys.executable, "-m", "sispam_sim", "run", str(RAPID), "-r", "5", "--out", str(out),
                           "--quiet"], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    expected = json.loads((ROOT / "tests" / "golden" / "expected" / "rapid-response.files.json").read_text())
    for name, digest in expected.items():
        data = (out / name).read_bytes()
        assert hashlib.sha256(data).hexdigest() == digest["sha256"], name
    assert "first_unit" not in (out / "incidents.csv").read_text(encoding="utf-8").splitlines()[0]


def test_a_place_is_never_a_district(tmp_path):
    """The KPU office and the Pemkab are places, not kecamatan; a TPS lies in its district; an incident at a
    district centre in that district; a sites-file TPS without a district column in the circle holding it."""
    scenario = load_scenario(REFERENCE)
    areas = Areas(scenario)
    kpu_entry = next(i for i, e in enumerate(scenario.spec.incidents) if e.where.place == "kpu")
    assert areas.locate("kpu", None, kpu_entry).kind == "place"
    assert areas.district_of("kpu", None, kpu_entry) is None
    assert areas.district_of("pemkab", None, None) is None
    assert areas.district_of("tempurejo-9", "tempurejo-9", 0) == "tempurejo"
    assert areas.district_of("bandealit-2", "bandealit-2", 2) == "bandealit"


def test_every_failed_or_close_target_has_a_sentence_and_the_split_adds_up(doctrine):
    """One sentence per finding (what = the target's head) and per single point that waited; the split
    rows' parts add up to their total (minutes with one decimal: within 0.05 per part)."""
    _, document, _, _ = doctrine
    found = document["findings"]
    lines = sentences(document)
    waited = [p for p in found["single_points"] if p["longest"]]
    assert len(lines) == len(found["targets"]) + len(waited)
    for line, finding in zip(lines, found["targets"]):
        assert line.startswith(finding_head(finding))
        for row in split_rows(finding, "en"):
            *parts, total = (float(cell.replace(",", "").lstrip("≥ ")) for cell in row[2:])
            assert sum(parts) == pytest.approx(total, abs=0.05 * (len(parts) + 1))
    assert {f["verdict"] for f in found["targets"]} <= {"fail", "too_close"}
    judged = [row for row in document["targets"] if row["verdict"] in ("fail", "too_close")]
    assert [f["target"] for f in found["targets"]] == [document["targets"].index(row) for row in judged]
