"""Format 1.1 per-phase targets (``targets.by_phase``): judged on the incidents called in the phase,
from its start up to (not including) its end; a phase without an incident is NOT TESTED; every
output that lists targets names the phase, and results.json's row carries ``"phase"``."""

from __future__ import annotations

import json

import pytest

from sispam_sim.runner.pipeline import simulate
from sispam_sim.scenario.loader import load_scenario
from sispam_sim.scenario.schema import TargetSpec
from tests.engine.handcase import BASE, FAR, NEAR, drive

SPEED, MOBILISE = 40, 2
#: Response of the incident called at 12:59 (FAR) and of the one at 13:00 (NEAR), computed here.
VOTING_RESPONSE = MOBILISE + drive(BASE, FAR, SPEED)     # about 2 + 11.9 = 13.9 min
COUNTING_RESPONSE = MOBILISE + drive(BASE, NEAR, SPEED)  # about 2 + 2.0 = 4.0 min


def _place(p: dict) -> str:
    return f"{{lat: {p['lat']}, lon: {p['lon']}}}"


TEXT = f"""\
version: 1.1
name: phases by hand
replications: 3
clock:
  start: "2024-11-27 06:00"
  duration: 12h
  phases:
    voting: ["07:00", "13:00"]
    counting: ["13:00", "18:00"]
    escort: ["18:00", "22:00"]
map:
  travel: {{road_factor: 1.3}}
  places:
    polres: {_place(BASE)}
    far: {_place(FAR)}
    near: {_place(NEAR)}
forces:
  types:
    sabhara: {{crew: 4, speed_kmh: {SPEED}, mobilise: {MOBILISE}min, capabilities: [response]}}
  units:
    - {{id: patrol, type: sabhara, count: 2, base: polres}}
incidents:
  - kind: rapid_response
    label: last vote
    at: "12:59"
    where: {{place: far}}
    needs: {{response: 4}}
    work: 30min
  - kind: rapid_response
    label: first count
    at: "13:00"
    where: {{place: near}}
    needs: {{response: 4}}
    work: 30min
targets:
  response_time: {{p90: 20min}}
  by_phase:
    voting: {{response_time: {{p90: 20min}}}}
    counting: {{response_time: {{p90: 20min, mean: 10min}}}}
    escort: {{response_time: {{p90: 20min}}}}
"""


@pytest.fixture
def scenario_file(write):
    return write(TEXT, "phases.yaml")


def test_by_phase_rows_follow_by_kind_with_their_phase_and_key_path(scenario_file):
    rows = load_scenario(scenario_file).spec.targets.rows()
    assert rows[0] == TargetSpec(None, "response_time", "p90", 20.0, ("targets", "response_time", "p90"))
    assert rows[0].phase is None
    assert rows[1] == TargetSpec(None, "response_time", "p90", 20.0,
                                 ("targets", "by_phase", "voting", "response_time", "p90"), "voting")
    assert [row.phase for row in rows] == [None, "voting", "counting", "counting", "escort"]


def test_an_incident_at_12_59_counts_in_voting_and_one_at_13_00_in_counting(scenario_file):
    """Two sabhara units (mobilise 2 min, 40 km/h) wait at the polres. At 12:59 (minute 419) one
    leaves for FAR: response 2 + drive(polres, FAR) = 2 + km × 1.3 / 40 × 60 (about 13.9 min). At
    13:00 (minute 420, the first minute of counting) the other leaves for NEAR: 2 + drive(polres,
    NEAR) (about 4.0 min). Every day is the same (scripted calls, constant work), so over 3 days
    each phase holds 3 incidents and its p90 and mean are that one response; escort holds none."""
    run = simulate(load_scenario(scenario_file))
    rows = {(row.get("phase"), row["stat"]): row for row in run.document["targets"]}
    assert rows[None, "p90"]["n"] == 6
    voting, counting = rows["voting", "p90"], rows["counting", "p90"]
    assert (voting["n"], counting["n"]) == (3, 3)
    assert voting["value"] == pytest.approx(VOTING_RESPONSE, abs=1e-6)
    assert counting["value"] == pytest.approx(COUNTING_RESPONSE, abs=1e-6)
    assert rows["counting", "mean"]["value"] == pytest.approx(COUNTING_RESPONSE, abs=1e-6)
    assert voting["verdict"] == counting["verdict"] == "pass"


def test_a_phase_without_an_incident_is_untested_never_a_pass(scenario_file):
    run = simulate(load_scenario(scenario_file))
    (escort,) = [row for row in run.document["targets"] if row.get("phase") == "escort"]
    assert (escort["verdict"], escort["n"]) == ("untested", 0)


def test_results_json_rows_carry_the_phase_only_when_set(cli, scenario_file, tmp_path):
    result = cli("run", scenario_file, "--format", "json", "--out", tmp_path / "out")
    assert result.code == 0, result.err   # run reports; check is the gate
    rows = json.loads((tmp_path / "out" / "results.json").read_text())["targets"]
    assert "phase" not in rows[0]
    assert [row["phase"] for row in rows[1:]] == ["voting", "counting", "counting", "escort"]
    assert list(rows[1])[:3] == ["kind", "phase", "metric"]
    header, *lines = (tmp_path / "out" / "targets.csv").read_text().splitlines()
    assert header.startswith("kind,phase,metric") and lines[1].startswith(",voting,response_time")


def test_check_names_the_phase_in_every_format(cli, scenario_file):
    github = cli("check", scenario_file, "--format", "github")
    assert github.code == 1
    (line,) = [line for line in github.out.splitlines() if "escort" in line]
    assert "targets.by_phase.escort.response_time.p90" in line and "(escort)" in line and "NOT TESTED" in line
    document = json.loads(cli("check", scenario_file, "--format", "json").out)
    assert [row.get("phase") for row in document["files"][0]["targets"]] == [None, "voting", "counting",
                                                                             "counting", "escort"]
    table = cli("check", scenario_file, "--lang", "id").out
    assert "(fase voting)" in " ".join(table.split())
    assert "(counting)" in cli("check", scenario_file, "--format", "markdown").out


def test_the_terminal_and_html_labels_name_the_phase():
    from sispam_sim.report.html import _target_name
    from sispam_sim.report.terminal import target_name

    row = {"kind": None, "phase": "voting", "metric": "response_time", "stat": "p90"}
    assert target_name(row, "en") == "Response time (voting)"
    assert target_name(row, "id").endswith("(fase voting)")
    assert _target_name(row, "en").endswith("p90 (voting)")
    assert target_name({**row, "phase": None}, "en") == "Response time"


def test_compare_keeps_each_phase_its_own_target_row(cli, scenario_file, write):
    plan = write(TEXT.replace("count: 2, base: polres", "count: 3, base: polres"), "plan.yaml")
    document = json.loads(cli("compare", scenario_file, plan, "--format", "json").out)
    rows = document["targets"]["rows"]
    assert [row.get("phase") for row in rows] == [None, "voting", "counting", "counting", "escort"]
    assert all(head.get("kind") is None for plan in document["plans"] for head in plan["headline"])
    assert "Response time (counting)" in cli("compare", scenario_file, plan).out


def test_a_run_without_phase_targets_marks_no_phase(write):
    """A version 1 run keeps its day summaries as they were: no phase column."""
    from sispam_sim.runner.replications import run_one
    from sispam_sim.scenario.phases import target_phases
    from sispam_sim.stats.summary import summarise_day
    from tests.conftest import MINIMAL_YAML

    scenario = load_scenario(write(MINIMAL_YAML, "s.yaml"))
    assert target_phases(scenario.spec) == ()
    assert summarise_day(run_one(scenario, 0, record_timeline=False, record_events=False)).phase is None


def test_a_version_1_file_with_by_phase_is_refused_with_exit_2(cli, write):
    text = TEXT.replace("version: 1.1", "version: 1")
    result = cli("run", write(text, "v1.yaml"))
    assert result.code == 2
    assert "targets.by_phase" in result.err and "version: 1.1" in result.err
