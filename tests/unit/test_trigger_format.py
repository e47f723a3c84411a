"""Format 1.1 entry ids and triggers: the schema's rules, the whole-scenario checks (located at the
key), and the ``triggered_by`` column that only a version 1.1 file's incidents.csv has."""

from __future__ import annotations

import pytest

from sispam_sim.errors import ScenarioError
from sispam_sim.scenario.loader import load_scenario
from tests.conftest import MINIMAL_YAML, variant

ROOT = ("  - kind: rapid_response\n    rate: 1/h\n", "  - kind: rapid_response\n    id: root\n    rate: 1/h\n")
TRIGGERED = """\
  - kind: rapid_response
    trigger: {incident: root, when: resolved, probability: 0.5, delay: 10min}
    where: {at: trigger}
    needs: {response: 4}
    work: 30min
"""


def _text(extra: str = TRIGGERED, version: str = "1.1") -> str:
    return variant(ROOT, ("version: 1\n", f"version: {version}\n")) + extra


def _problems(write, text: str, severity: str = "error"):
    with pytest.raises(ScenarioError) as caught:
        load_scenario(write(text, "s.yaml"))
    return [(p.line, p.col, p.path, p.message) for p in caught.value.problems if p.severity == severity]


def test_a_trigger_entry_loads_with_its_defaults(write):
    spec = load_scenario(write(_text(TRIGGERED.replace(", probability: 0.5, delay: 10min", "")), "s.yaml")).spec
    trigger = spec.incidents[1].trigger
    assert (trigger.incident, trigger.when, trigger.probability, trigger.delay.mean) == ("root", "resolved", 1.0, 0.0)


def test_a_version_1_file_with_an_id_and_a_trigger_is_refused_at_each_key(write):
    problems = _problems(write, _text(version="1"))
    assert [(line, path) for line, _, path, _ in problems] == [
        (14, "incidents[0].id"), (20, "incidents[1].trigger"), (21, "incidents[1].where.at")]
    assert all("version: 1.1" in message for *_, message in problems)


def test_a_duplicate_id_is_located_and_names_the_first(write):
    text = _text(TRIGGERED.replace("  - kind: rapid_response\n", "  - kind: rapid_response\n    id: root\n"))
    ((line, col, path, message),) = _problems(write, text)
    assert (line, path) == (20, "incidents[1].id") and 'duplicate incident id "root"' in message
    assert "s.yaml:14:9" in message


@pytest.mark.parametrize("when", ["kuning", "merah"])
def test_a_level_only_for_a_kind_with_levels(write, when):
    ((line, col, path, message),) = _problems(write, _text(TRIGGERED.replace("when: resolved", f"when: {when}")))
    assert (line, path) == (20, "incidents[1].trigger.when") and "no levels" in message


def test_a_level_a_crowd_cannot_reach_is_a_warning(write):
    crowd = """\
  - kind: crowd_buildup
    id: crowd
    at: "08:00"
    where: {place: polres}
    crowd: {initial: 10, growth: 1/min, peak: 20, lasts: 10min}
    per_officer: 10
    capability: response
"""
    text = _text(crowd + TRIGGERED.replace("incident: root, when: resolved", "incident: crowd, when: kuning"))
    scenario = load_scenario(write(text, "s.yaml"))
    (problem,) = [p for p in scenario.warnings if p.path == "incidents[2].trigger.when"]
    assert problem.severity == "warning" and "never fires" in problem.message


def test_unresolved_after_is_written_as_a_mapping(write):
    text = _text(TRIGGERED.replace("when: resolved", "when: {unresolved_after: 1h}"))
    assert load_scenario(write(text, "s.yaml")).spec.incidents[1].trigger.after == 60.0
    assert _problems(write, _text(TRIGGERED.replace("when: resolved", "when: soon")))


@pytest.mark.parametrize("old, new, path, words", [
    ("trigger: {", "rate: 1/h\n    trigger: {", "incidents[1]", "not both"),
    ("where: {at: trigger}", "where: {place: polres, at: trigger}", "incidents[1].where", "exactly one"),
    ("where: {at: trigger}", "where: {near: trigger}", "incidents[1].where", "within_km"),
    ("probability: 0.5", "probability: 1.5", "incidents[1].trigger.probability", ""),
])
def test_schema_rules_of_a_trigger(write, old, new, path, words):
    problems = _problems(write, _text(TRIGGERED.replace(old, new)))
    assert [p for p in problems if p[2] == path and words in p[3]], problems


def test_a_place_from_a_trigger_needs_a_trigger(write):
    text = variant(("where: {place: polres}", "where: {at: trigger}"), ("version: 1\n", "version: 1.1\n"))
    ((line, col, path, message),) = _problems(write, text)
    assert path == "incidents[0]" and "trigger" in message


def test_a_triggered_tps_disruption_needs_a_triggering_incident_at_a_tps(write):
    text = _text(TRIGGERED.replace("kind: rapid_response", "kind: station_disruption"))
    ((line, col, path, message),) = _problems(write, text)
    assert (line, path) == (21, "incidents[1].where.at") and "TPS" in message


def test_the_run_size_counts_a_trigger_at_most_its_probability_of_the_triggering_entry(write):
    scenario = load_scenario(write(_text(), "s.yaml"))
    assert scenario.size.per_replication == pytest.approx(12 + 0.5 * 12)


def test_incidents_csv_has_triggered_by_only_in_a_version_1_1_file(write, tmp_path):
    from sispam_sim.engine.model import run_replication
    from sispam_sim.engine.records import INCIDENT_COLUMNS
    from sispam_sim.runner.output import OutputWriter, incidents_csv, replication_csv

    v1 = load_scenario(write(MINIMAL_YAML, "v1.yaml"))
    v11 = load_scenario(write(_text(), "v11.yaml"))
    assert incidents_csv([run_replication(v1, 0)]).splitlines()[0] == ",".join(INCIDENT_COLUMNS)
    results = [run_replication(v11, k) for k in range(2)]
    text = incidents_csv(results)
    assert text.splitlines()[0] == ",".join(INCIDENT_COLUMNS + ("triggered_by", "outside_units", "unguarded",
                                                                "first_unit", "mobilise_minutes", "travel_minutes"))
    triggered = [r for result in results for r in result.incidents if r.triggered_by]
    # no area and no guard rule in this file: 0 units from outside, no guarded TPS (then the first unit on scene)
    assert triggered and all(f",{r.triggered_by},0,,{r.first_unit or ''}," in text for r in triggered)
    with OutputWriter(tmp_path / "out") as writer:
        for result in results:
            writer.add(replication_csv(result))
        writer.finish({"scenario": {}})
    assert (tmp_path / "out" / "incidents.csv").read_text(encoding="utf-8") == text
