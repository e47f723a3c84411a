"""``--set KEY.PATH=VALUE``: an override changes exactly what it says, is checked like the file,
and a problem it causes is located at the override (``--set ...: error: ...``), exit 2.

An override applied to a file must give the same scenario as the file edited by hand: the
tests load both and compare the validated scenario, its units and its sites.
"""

from __future__ import annotations

import copy
import json

import pytest

from conftest import minimal_scenario, write_scenario
from sispam_sim.errors import ScenarioError
from sispam_sim.scenario.limits import MAX_OVERRIDES
from sispam_sim.scenario.loader import load_scenario
from sispam_sim.scenario.overrides import split_values


def _scenario() -> dict:
    """The minimal scenario with a second unit group, a profile, a scripted event and targets."""
    data = minimal_scenario()
    data["forces"]["types"]["dalmas"] = {"crew": 30, "speed_kmh": 35, "capabilities": ["crowd_control"]}
    data["forces"]["units"].append({"id": "dalmas-lanjut", "type": "dalmas", "base": "polres", "count": 3})
    data["incidents"][0]["label"] = "110 call"
    data["incidents"].append({"kind": "rapid_response", "label": "TPS dispute, town", "where": {"place": "polres"},
                              "rate": {"07:00": "0.27/h", "13:00": "0.2/h", "17:00": "0/h"},
                              "needs": {"response": 4}, "work": "40min"})
    data["incidents"].append({"kind": "rapid_response", "label": "protest at KPU Jember over the count",
                              "at": "13:00", "where": {"place": "polres"}, "needs": {"response": 8},
                              "work": "1h"})
    data["dispatch"] = {"reserve": {"crowd_control": 30}}
    data["targets"] = {"response_time": {"p90": "15min"}}
    return data


@pytest.fixture
def scenario_file(tmp_path):
    return write_scenario(tmp_path, _scenario())


def _same(a, b) -> None:
    assert a.spec == b.spec
    assert a.units == b.units and a.sites == b.sites


def _edited(tmp_path, edit) -> object:
    data = copy.deepcopy(_scenario())
    edit(data)
    return load_scenario(write_scenario(tmp_path, data, "edited.yaml"))


def _problems(path, *overrides) -> list[str]:
    with pytest.raises(ScenarioError) as info:
        load_scenario(path, overrides=overrides)
    return [p.format() for p in info.value.problems]


# ---------------------------------------------------------------- an override changes exactly what it says


@pytest.mark.parametrize("override, edit", [
    ("dispatch.reserve.crowd_control=60", lambda d: d["dispatch"]["reserve"].update(crowd_control=60)),
    ("clock.drain=0h", lambda d: d["clock"].update(drain="0h")),
    ("forces.units[dalmas-lanjut].count=2", lambda d: d["forces"]["units"][1].update(count=2)),
    ("incidents[0].rate=4/h", lambda d: d["incidents"][0].update(rate="4/h")),
    ("incidents[label=protest at KPU Jember over the count].at=17:00", lambda d: d["incidents"][2].update(at="17:00")),
    ("incidents[label='TPS dispute, town'].work=25min", lambda d: d["incidents"][1].update(work="25min")),
    ("incidents[kind=rapid_response].priority=2", lambda d: [i.update(priority=2) for i in d["incidents"]]),
    ("incidents[*].needs={response: 4}", lambda d: [i.update(needs={"response": 4}) for i in d["incidents"]]),
    ('incidents[0].rate={"06:00": 2/h, "13:00": 4/h}',
     lambda d: d["incidents"][0].update(rate={"06:00": "2/h", "13:00": "4/h"})),
    ("forces.types[*].speed_kmh=30", lambda d: [t.update(speed_kmh=30) for t in d["forces"]["types"].values()]),
    ("targets.response_time.p90=20min", lambda d: d["targets"]["response_time"].update(p90="20min")),
    ("dispatch.tiers=open", lambda d: d["dispatch"].update(tiers="open")),
    ("guard.tps.aman={police: 2, per_tps: 8}", lambda d: d.update(guard={"tps": {"aman": {"police": 2, "per_tps": 8}}})),
])
def test_an_override_is_the_file_edited_by_hand(scenario_file, tmp_path, override, edit):
    loaded = load_scenario(scenario_file, overrides=[override])
    _same(loaded, _edited(tmp_path, edit))
    assert loaded.overrides == (override,)
    assert loaded.sha256 == load_scenario(scenario_file).sha256   # the digest is the file's


def test_overrides_apply_in_order_and_a_later_one_wins(scenario_file, tmp_path):
    loaded = load_scenario(scenario_file, overrides=["forces.units[patrol].count=3", "forces.units[0].count=5"])
    _same(loaded, _edited(tmp_path, lambda d: d["forces"]["units"][0].update(count=5)))


def test_overrides_apply_after_extends_is_merged(tmp_path):
    write_scenario(tmp_path, _scenario(), "base.yaml")
    plan = write_scenario(tmp_path, "extends: base.yaml\nname: plan\n", "plan.yaml")
    loaded = load_scenario(plan, overrides=["forces.units[dalmas-lanjut].count=2"])
    assert [u.id for u in loaded.units if u.type == "dalmas"] == ["dalmas-lanjut-1", "dalmas-lanjut-2"]


# ---------------------------------------------------------------- the rate multiplier


def test_a_multiplier_scales_a_constant_rate_and_every_step_of_a_profile_and_leaves_scripted_events(
        scenario_file, tmp_path):
    loaded = load_scenario(scenario_file, overrides=["incidents[*].rate=x1.5"])

    def edit(d):
        d["incidents"][0]["rate"] = "1.5/h"
        d["incidents"][1]["rate"] = {"07:00": "0.405/h", "13:00": "0.3/h", "17:00": "0/h"}

    _same(loaded, _edited(tmp_path, edit))
    assert loaded.spec.incidents[2].at is not None and loaded.spec.incidents[2].rate is None


def test_a_multiplier_on_one_incident_changes_that_one_only(scenario_file, tmp_path):
    loaded = load_scenario(scenario_file, overrides=["incidents[0].rate=x4"])
    _same(loaded, _edited(tmp_path, lambda d: d["incidents"][0].update(rate="4/h")))


def test_a_multiplier_of_rates_per_other_units_keeps_the_unit(tmp_path):
    data = _scenario()
    data["incidents"][0]["rate"] = "120/d"
    loaded = load_scenario(write_scenario(tmp_path, data), overrides=["incidents[0].rate=x0.5"])
    assert loaded.spec.incidents[0].rate.constant == pytest.approx(60 / 1440)


def test_a_multiplier_of_a_scripted_event_alone_is_an_error(scenario_file):
    assert _problems(scenario_file, "incidents[2].rate=x2") == [
        "--set incidents[2].rate=x2: error: nothing to multiply: no item selected by incidents[2] has a rate "
        "(a scripted event, at, has none)"]


# ---------------------------------------------------------------- exact messages


@pytest.mark.parametrize("override, message", [
    ("dispatch.reserve.crowd_contrl=60",
     'unknown capability "crowd_contrl" (did you mean "crowd_control"?); capabilities are: crowd_control, response'),
    ("dispatch.reserv.crowd_control=60", 'unknown key "reserv" (did you mean "reserve"?)'),
    ("clock.dran=0h", 'unknown key "dran" (did you mean "drain"?)'),
    ("incidents[3].rate=4/h", "incidents[3]: index out of range (incidents has 3 items: 0 to 2)"),
    ("forces.units[dalmas-lanjt].count=2",
     'no item of forces.units has id "dalmas-lanjt" (did you mean "dalmas-lanjut"?)'),
    ("incidents[label=protest at KPU].at=17:00",
     'no item of incidents has label "protest at KPU"; labels: "110 call", "TPS dispute, town", '
     '"protest at KPU Jember over the count"'),
    ("forces.units[patrol].count=0", "must be > 0, found 0"),
    ("forces.units[patrol].count=two", 'expected a whole number, found "two"'),
    ("incidents[0].rate=4/hour", "unknown time unit 'hour' in '4/hour' (did you mean 'h'?); units are d, h, min, s"),
    ("clock.drain=[1h", "invalid YAML: expected ',' or ']', but got '<stream end>' "
                        "(while parsing a flow sequence at line 1)"),
    ("clock.drain=!!python/object:os.system x",
     "tag !!python/object:os.system is not allowed (only plain YAML: mappings, lists, strings, numbers, booleans)"),
    ("clock.drain=a: b", "write a list as [a, b] and a mapping as {key: value} (flow style, on one line)"),
    ("clock.start.hour=6", 'clock.start is a string, not a mapping: it has no key "hour"'),
    ("clock.drain", "expected KEY.PATH=VALUE, e.g. dispatch.reserve.crowd_control=60"),
    ("clock..drain=1h", "empty key at character 7 of the path (two dots, or a dot at the start)"),
    ("incidents[0.rate=1/h", '"[" at character 10 of the path is not closed with "]"'),
    ("clock[0]=1", 'unknown key "0"; expected one of: start, duration, drain, phases'),
    ("forces.units.patrol.count=1", 'forces.units is a list, not a mapping: it has no key "patrol"'),
])
def test_a_bad_override_is_located_at_the_override(scenario_file, override, message):
    assert _problems(scenario_file, override) == [f"--set {override}: error: {message}"]


def test_a_problem_of_the_item_an_override_changed_names_the_override_at_the_files_line(tmp_path):
    path = write_scenario(tmp_path, _scenario())
    (problem,) = _problems(path, "incidents[0].at=17:00")
    assert problem.endswith("error: incidents[0]: give either rate (a generator) or at (a scripted event), "
                            "not both (with --set incidents[0].at=17:00)")
    assert problem.startswith(f"{path}:")


def test_every_bad_override_is_reported_at_once(scenario_file):
    assert _problems(scenario_file, "clock.drain", "incidents[9].rate=1/h", "forces.units[x].count=1") == [
        "--set clock.drain: error: expected KEY.PATH=VALUE, e.g. dispatch.reserve.crowd_control=60"]
    assert len(_problems(scenario_file, "incidents[9].rate=1/h", "forces.units[x].count=1")) == 2


def test_overrides_are_bounded(scenario_file):
    many = [f"clock.drain={i}min" for i in range(MAX_OVERRIDES + 1)]
    assert _problems(scenario_file, *many) == [
        f"--set clock.drain={MAX_OVERRIDES}min: error: more than {MAX_OVERRIDES} overrides: put the changes in a "
        "file that extends this one"]
    assert _problems(scenario_file, "name=" + "x" * 20_000)[0].endswith(
        "error: too long (20,005 characters; at most 10,000)")


def test_a_problem_json_says_file_set_and_the_override(scenario_file, cli):
    result = cli("validate", "--format", "json", scenario_file, "--set", "forces.units[patrol].count=0")
    assert result.code == 2
    assert json.loads(result.out)[0] == {"file": "--set", "line": None, "col": None,
                                         "path": "forces.units[patrol].count=0", "severity": "error",
                                         "message": "must be > 0, found 0"}


# ---------------------------------------------------------------- on the command line


@pytest.mark.parametrize("command", ["validate", "run", "check"])
def test_every_command_that_loads_a_scenario_takes_set(scenario_file, cli, command):
    result = cli(command, scenario_file, "-q" if command != "validate" else "--strict",
                 "--set", "forces.units[patrl].count=3")
    assert (result.code, (result.out or result.err).splitlines()[0]) == (
        2, '--set forces.units[patrl].count=3: error: no item of forces.units has id "patrl" (did you mean "patrol"?)')
    assert "Traceback" not in result.err


def test_run_records_the_overrides_in_the_manifest(scenario_file, cli):
    result = cli("run", scenario_file, "-r", "2", "-q", "--format", "json",
                 "--set", "clock.drain=0h", "--set", "incidents[*].rate=x2")
    assert result.code == 0
    doc = json.loads(result.out)
    assert doc["manifest"]["overrides"] == ["clock.drain=0h", "incidents[*].rate=x2"]
    assert doc["scenario"]["sha256"] == load_scenario(scenario_file).sha256


def test_a_target_set_on_the_command_line_is_located_there_by_check(scenario_file, cli):
    result = cli("check", scenario_file, "-r", "2", "-q", "--set", "targets.resolution_time.p90=1min")
    assert result.code == 1
    assert "--set targets.resolution_time.p90: error: " in result.err + result.out


# ---------------------------------------------------------------- splitting a sweep's values


@pytest.mark.parametrize("text, values", [
    ("1,2,3", ["1", "2", "3"]),
    ("4/h, 6/h", ["4/h", "6/h"]),
    ("[a, b]", ["[a, b]"]),
    ("[a],[a, b]", ["[a]", "[a, b]"]),
    ('{"06:00": 2/h, "13:00": 4/h},{"06:00": 4/h}', ['{"06:00": 2/h, "13:00": 4/h}', '{"06:00": 4/h}']),
    ('"a, b",c', ['"a, b"', "c"]),
    ("x1,x1.5,x2", ["x1", "x1.5", "x2"]),
])
def test_sweep_values_split_at_commas_outside_brackets_and_quotes(text, values):
    assert split_values(text) == values
