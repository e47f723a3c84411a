"""Format 1.1 phases of the day (``clock.phases``): their checks, located at the key path (file, line,
column), every phase named anywhere checked against them, and rate profiles keyed by phase."""

from __future__ import annotations

import json

import pytest

from sispam_sim.errors import ScenarioError
from sispam_sim.scenario.loader import load_scenario, scenario_from_dict
from tests.conftest import MINIMAL_YAML, minimal_scenario, variant

#: MINIMAL_YAML with two touching phases: voting is line 7, counting line 8 (``"HH:MM"`` at columns 14/23
#: for voting, 16/25 for counting).
CLOCK = ('clock: {start: "2024-11-27 06:00", duration: 12h}\n',
         'clock:\n  start: "2024-11-27 06:00"\n  duration: 12h\n  phases:\n'
         '    voting: ["07:00", "13:00"]\n    counting: ["13:00", "18:00"]\n')
UNITS = "    - {id: patrol, type: sabhara, count: 2, base: polres}\n"
RATE = "    rate: 1/h\n"


def _text(*replacements: tuple[str, str], version: str = "1.1", extra: str = "") -> str:
    return variant(("version: 1\n", f"version: {version}\n"), CLOCK, *replacements) + extra


def _problems(write, text: str, severity: str = "error") -> list[tuple]:
    """(line, col, path, message) of each problem of ``severity`` (the file must fail or warn)."""
    try:
        scenario = load_scenario(write(text, "s.yaml"))
    except ScenarioError as err:
        found = err.problems
    else:
        found = scenario.warnings
    return [(p.line, p.col, p.path, p.message) for p in found if p.severity == severity]


def test_touching_phases_are_valid_with_no_problem(write):
    scenario = load_scenario(write(_text(), "s.yaml"))
    assert list(scenario.warnings) == []
    assert scenario.spec.clock.phase_span("voting") == (60.0, 420.0)


def test_a_phase_that_ends_before_it_begins_is_located_at_its_until(write):
    ((line, col, path, message),) = _problems(write, _text(('counting: ["13:00", "18:00"]',
                                                             'counting: ["18:00", "13:00"]')))
    assert (line, col, path) == (8, 25, "clock.phases.counting[1]")
    assert "not after" in message


def test_overlapping_phases_are_an_error_at_the_later_naming_the_other(write):
    ((line, col, path, message),) = _problems(write, _text(('counting: ["13:00", "18:00"]',
                                                             'counting: ["12:00", "18:00"]')))
    assert (line, col, path) == (8, 16, "clock.phases.counting[0]")
    assert '"voting"' in message and "s.yaml:7:14" in message and "overlap" in message


def test_a_phase_outside_the_run_is_a_warning(write):
    text = _text(('    counting: ["13:00", "18:00"]\n', '    counting: ["13:00", "18:00"]\n    late: ["40:00", "41:00"]\n'))
    ((line, col, path, message),) = _problems(write, text, "warning")
    assert (line, col, path) == (9, 5, "clock.phases.late")
    assert "never happens" in message


def test_a_phase_name_that_reads_as_a_number_is_refused(write):
    text = _text(('    counting: ["13:00", "18:00"]\n', '    counting: ["13:00", "18:00"]\n    2nd: ["19:00", "20:00"]\n'))
    ((line, col, path, message),) = _problems(write, text)
    assert (line, col, path) == (9, 5, "clock.phases.2nd")


GUARD_TPS = "guard:\n  tps: {aman: {police: 2, per_tps: 1}}\n"


@pytest.mark.parametrize("replacement, extra, line, col, path", [
    ((UNITS, "    - {id: patrol, type: sabhara, count: 2, base: polres, available: {from: votng}}\n"), "",
     16, 77, "forces.units[0].available.from"),
    ((UNITS, "    - {id: patrol, type: sabhara, count: 2, base: polres, available: votng}\n"), "",
     16, 70, "forces.units[0].available.from"),
    ((RATE, "    rate: {votng: 1/h}\n"), "", 19, 12, "incidents[0].rate.votng"),
    (("", ""), "targets:\n  by_phase:\n    votng: {response_time: {p90: 15min}}\n", 25, 5, "targets.by_phase.votng"),
    (("", ""), "guard:\n  until: votng\n", 24, 10, "guard.until"),
    (("", ""), "guard:\n  escort: {phase: votng}\n", 24, 19, "guard.escort.phase"),
])
def test_every_phase_named_must_exist_with_a_suggestion(write, replacement, extra, line, col, path):
    text = _text(*([replacement] if replacement[0] else []), extra=extra)
    ((found_line, found_col, found_path, message),) = _problems(write, text)
    assert (found_line, found_col, found_path) == (line, col, path)
    assert 'unknown phase "votng"' in message and 'did you mean "voting"' in message


def test_the_guard_keys_of_a_phase_without_guards_are_a_warning(write):
    ((line, col, path, message),) = _problems(write, _text(extra="guard:\n  until: counting\n"), "warning")
    assert (line, col, path) == (24, 3, "guard.until") and "guard.tps" in message


def test_a_guard_until_with_guards_is_quiet(write):
    text = _text(extra=GUARD_TPS.replace("tps:", "until: counting\n  tps:"))
    assert "guard.until" not in {path for _, _, path, _ in _problems(write, text, "warning")}


def test_available_from_must_be_before_until(write):
    text = _text((UNITS, "    - {id: patrol, type: sabhara, count: 2, base: polres, "
                         "available: {from: counting, until: voting}}\n"))
    ((line, col, path, message),) = _problems(write, text)
    assert (line, path) == (16, "forces.units[0].available.until")


def test_two_rate_keys_at_one_minute_are_an_error(write):
    ((line, col, path, message),) = _problems(write, _text((RATE, '    rate: {voting: 1/h, "07:00": 2/h}\n')))
    assert (line, col, path) == (19, 25, "incidents[0].rate.07:00")
    assert '"voting"' in message


def test_a_day_metric_per_phase_is_an_error(write):
    text = _text(extra="targets:\n  by_phase:\n    voting: {unresolved: {mean: 1}, response_time: {p90: 15min}}\n")
    ((line, col, path, message),) = _problems(write, text)
    assert (line, col, path) == (25, 14, "targets.by_phase.voting.unresolved")
    assert "incident metrics only" in message


@pytest.mark.parametrize("replacement, extra, path", [
    ((RATE, "    rate: {voting: 1/h}\n"), "", "incidents[0].rate.voting"),
    (("", ""), "targets:\n  by_phase:\n    voting: {response_time: {p90: 15min}}\n", "targets.by_phase"),
])
def test_a_version_1_file_may_name_no_phase(cli, write, tmp_path, monkeypatch, replacement, extra, path):
    """Refused with exit 2, at the key, naming the version (clock.phases is refused there too)."""
    monkeypatch.chdir(tmp_path)
    write(_text(*([replacement] if replacement[0] else []), version="1", extra=extra), "s.yaml")
    result = cli("validate", "s.yaml", "--format", "json")
    assert result.code == 2
    errors = {p["path"]: p for p in json.loads(result.out) if p["severity"] == "error"}
    assert set(errors) == {"clock.phases", path}
    assert all("version: 1.1" in p["message"] for p in errors.values())


# ---------------------------------------------------------------- rate profiles by phase


def _spec(rate):
    data = minimal_scenario()
    data["version"] = 1.1
    data["clock"]["phases"] = {"voting": ["07:00", "13:00"], "counting": ["13:00", "18:00"]}
    data["incidents"][0]["rate"] = rate
    return scenario_from_dict(data)


@pytest.mark.parametrize("rate, steps", [
    # a phase: its rate from its start, 0 from its end ...
    ({"voting": "6/h"}, [(60.0, 0.1), (420.0, 0.0)]),
    # ... unless another step begins there: the next phase, or a clock key written at that minute
    ({"voting": "6/h", "counting": "3/h"}, [(60.0, 0.1), (420.0, 0.05), (720.0, 0.0)]),
    ({"voting": "6/h", "13:00": "3/h"}, [(60.0, 0.1), (420.0, 0.05)]),
    ({"06:00": "1/h", "voting": "6/h"}, [(0.0, 1 / 60), (60.0, 0.1), (420.0, 0.0)]),
])
def test_a_phase_key_is_its_rate_during_the_phase(rate, steps):
    spec = _spec(rate).spec
    found = spec.incidents[0].rate.steps(spec.clock)
    assert [t for t, _ in found] == [t for t, _ in steps]
    assert [r for _, r in found] == pytest.approx([r for _, r in steps])


def test_a_profile_by_phases_gives_the_calls_of_the_same_profile_by_clock():
    """{voting: 6/h, counting: 3/h} is {"07:00": 6/h, "13:00": 3/h, "18:00": 0/h}: the same steps, so
    the same seed draws the same calls, replication by replication."""
    from sispam_sim.runner.replications import run_one

    by_phase = _spec({"voting": "6/h", "counting": "3/h"})
    by_clock = _spec({"07:00": "6/h", "13:00": "3/h", "18:00": "0/h"})
    for k in range(3):
        calls = [[(r.call, r.place) for r in run_one(s, k, record_timeline=False, record_events=False).incidents]
                 for s in (by_phase, by_clock)]
        assert calls[0] == calls[1] and len(calls[0]) > 10
        assert all(60 <= call < 720 for call, _ in calls[0])


def test_the_number_of_phases_is_bounded_before_they_are_checked(write):
    """Each phase's overlap check looks at the phases before it: tens of thousands of phases in a
    stranger's file would run for hours, so more than MAX_PHASES is refused at clock.phases."""
    from sispam_sim.scenario.limits import MAX_PHASES

    many = ", ".join(f'p{i}: ["06:00", "06:01"]' for i in range(20000))
    text = MINIMAL_YAML.replace("version: 1\n", "version: 1.1\n").replace(
        'clock: {start: "2024-11-27 06:00", duration: 12h}', f'clock: {{start: "2024-11-27 06:00", duration: 12h, '
                                                              f"phases: {{{many}}}}}")
    with pytest.raises(ScenarioError) as caught:
        load_scenario(write(text, "s.yaml"))
    (problem,) = [p for p in caught.value.problems if p.path == "clock.phases"]
    assert str(MAX_PHASES) in problem.message and problem.line == 3
