"""Format 1.1 forces in space and time: ``area``, ``available``, ``on_request``, ``mutual_aid`` and
the guard's ``groups``, ``respond``, ``until`` and ``escort``; each rule located at its key, a
``version: 1`` file refused at each such key, ``null`` removing an entry a base file sets, and
``groups: nearby`` keeping a guard pair's TPS together."""

from __future__ import annotations

import math

import pytest

from sispam_sim.errors import ScenarioError
from sispam_sim.scenario.loader import load_scenario
from sispam_sim.scenario.sites import guard_groups, guard_members

TEXT = """\
version: 1.1
name: town
clock:
  start: "2024-11-27 06:00"
  duration: 12h
  phases: {voting: ["07:00", "13:00"], escort: ["18:00", "22:00"]}
map:
  places:
    polres: {lat: -8.17, lon: 113.70}
    polsek: {lat: -8.30, lon: 113.50}
    far: {lat: -7.50, lon: 114.50}
  districts:
    kota: {lat: -8.17, lon: 113.70, radius_km: 5}
    desa: {lat: -8.30, lon: 113.50, radius_km: 5}
  sites:
    generate:
      - {district: kota, count: 10}
forces:
  types:
    sabhara: {crew: 4, speed_kmh: 45, capabilities: [response]}
  units:
    - {id: patrol, type: sabhara, count: 2, base: polres, area: base}
    - {id: qrt, type: sabhara, base: polsek, area: {districts: [desa]}, available: {from: "10:00", until: voting}}
    - {id: bko, type: sabhara, base: polres, on_request: {delay: 30min}}
guard:
  tps: {aman: {police: 2, per_tps: 5}}
  respond: {incidents: [dispute]}
  escort: {phase: escort, after_escort: off}
incidents:
  - kind: rapid_response
    id: dispute
    rate: 1/h
    where: {sites: any}
    needs: {response: 2}
    work: 30min
dispatch:
  mutual_aid: {after: 10min}
"""


def _problems(write, text: str, severity: str = "error"):
    with pytest.raises(ScenarioError) as caught:
        load_scenario(write(text, "s.yaml"))
    return [(p.line, p.col, p.path, p.message) for p in caught.value.problems if p.severity == severity]


def _line(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def test_the_whole_fragment_loads_with_its_meaning(write):
    spec = load_scenario(write(TEXT, "s.yaml")).spec
    patrol, qrt, bko = spec.forces.units
    assert patrol.area == "base" and qrt.area.districts == ["desa"]
    assert spec.clock.minutes(qrt.available.start) == 240.0                 # 10:00 is 4 h after 06:00
    assert spec.clock.minutes(qrt.available.until, end=True) == 420.0       # the end of voting, 13:00
    assert bko.on_request.delay.mean == 30.0
    assert spec.dispatch.aid_after == 10.0
    assert spec.guard.respond.incidents == ["dispute"] and spec.guard.escort.after_escort == "off"


def test_a_version_1_file_is_refused_at_each_key_format_1_1_added(write):
    text = TEXT.replace("version: 1.1", "version: 1").replace(
        '  phases: {voting: ["07:00", "13:00"], escort: ["18:00", "22:00"]}\n', "").replace(
        "available: {from: \"10:00\", until: voting}", "available: {from: \"10:00\", until: \"13:00\"}").replace(
        "    id: dispute\n", "")
    problems = _problems(write, text)
    added = {"forces.units[0].area", "forces.units[1].area", "forces.units[1].available",
             "forces.units[2].on_request", "guard.respond", "guard.escort", "dispatch.mutual_aid"}
    located = {path: (line, message) for line, _, path, message in problems if path in added}
    assert set(located) == added
    assert all("version: 1.1" in message for _, message in located.values())
    assert located["dispatch.mutual_aid"][0] == _line(text, "mutual_aid")


@pytest.mark.parametrize("old, new, key, path, words", [
    ("area: {districts: [desa]}", "area: {districts: [dessa]}", "dessa", "forces.units[1].area.districts[0]",
     'did you mean "desa"'),
    ("polsek: {lat: -8.30, lon: 113.50}", "polsek: {lat: -7.00, lon: 112.00}", "area: base", None, None),
    ('available: {from: "10:00", until: voting}', 'available: {from: "14:00", until: voting}', "until: voting",
     "forces.units[1].available.until", "not after"),
    ("available: {from: \"10:00\", until: voting}", "available: {}", "available: {}",
     "forces.units[1].available", "from, until"),
    ("respond: {incidents: [dispute]}", "respond: {incidents: [disput]}", "respond:",
     "guard.respond.incidents[0]", 'did you mean "dispute"'),
    ("escort: {phase: escort, after_escort: off}", "escort: {phase: escort, after_escort: home}", "  escort: {",
     "guard.escort.after_escort", "response"),
    ("mutual_aid: {after: 10min}", "mutual_aid: sometimes", "mutual_aid", "dispatch.mutual_aid", "never"),
    ("on_request: {delay: 30min}", "on_request: {delay: -5min}", "on_request", "forces.units[2].on_request.delay",
     "negative"),
])
def test_each_rule_is_an_error_located_at_its_key(write, old, new, key, path, words):
    text = TEXT.replace(old, new)
    if path is None:   # the polsek moved outside every district: area: base on a unit based there
        text = text.replace("area: {districts: [desa]}", "area: base")
        key, path, words = "area: base, available", "forces.units[1].area", "outside every district"
    problems = _problems(write, text)
    mine = [(line, col, message) for line, col, where, message in problems if where == path]
    assert mine, problems
    line, col, message = mine[0]
    assert line == _line(text, key) and col > 0
    assert words in message


def test_a_respond_entry_not_at_a_tps_is_refused(write):
    text = TEXT.replace("    where: {sites: any}\n", "    where: {place: polres}\n")
    ((line, _, path, message),) = _problems(write, text)
    assert (line, path) == (_line(text, "respond:"), "guard.respond.incidents[0]") and "TPS" in message


def test_a_place_no_area_holds_is_a_warning_with_mutual_aid_never(write):
    text = TEXT.replace("mutual_aid: {after: 10min}", "mutual_aid: never").replace(
        "    where: {sites: any}\n", "    where: {sites: any}\n").replace(
        "    - {id: bko, type: sabhara, base: polres, on_request: {delay: 30min}}\n",
        "    - {id: bko, type: sabhara, base: polres, area: base, on_request: {delay: 30min}}\n").replace(
        "dispatch:\n", """\
  - kind: rapid_response
    rate: 1/h
    where: {place: far}
    needs: {response: 2}
    work: 30min
dispatch:
""")
    scenario = load_scenario(write(text, "s.yaml"))
    (problem,) = [p for p in scenario.warnings if p.path == "incidents[1].where"]
    assert problem.line == _line(text, "where: {place: far}") and "never" in problem.message


def test_null_removes_an_entry_of_the_file_it_extends(write):
    write(TEXT, "base.yaml")
    plan = """\
version: 1.1
extends: base.yaml
name: recap
clock: {phases: {escort: null}}
guard: {tps: {aman: null}, respond: null, escort: null}
"""
    spec = load_scenario(write(plan, "plan.yaml")).spec
    assert list(spec.clock.phases) == ["voting"] and spec.guard.tps == {}
    assert spec.guard.respond is None and spec.guard.escort is None


def _km(a, b) -> float:
    dy = (a.lat - b.lat) * 111.195
    dx = (a.lon - b.lon) * 111.195 * math.cos(math.radians((a.lat + b.lat) / 2))
    return math.hypot(dx, dy)


def test_nearby_groups_keep_a_guard_pairs_tps_together_on_the_reference(write):
    """On the reference's 4,040 aman TPS (24 per pair), the farthest TPS of a group from its post:
    in site order (posted at its first TPS) 12.4 km on average and 67.7 at most (a group spans a
    whole kecamatan and more); nearby
    (ordered along a Hilbert curve, posted at the TPS nearest the middle) 3.6 and 13.8, with the
    same number of groups (the figures docs/model.md quotes)."""
    from pathlib import Path

    reference = Path(__file__).resolve().parents[2] / "scenarios" / "jember-pilkada-2024.yaml"
    scenario = load_scenario(reference)
    spec = scenario.spec
    spread = {}
    for groups in ("in_order", "nearby"):
        guard = spec.guard.model_copy(update={"groups": groups, "tps": {"aman": spec.guard.tps["aman"]}})
        posts = guard_groups(scenario.sites, guard)
        members = guard_members(scenario.sites, guard)
        far = [max(_km(post, s) for s in tps) for (_, _, post), tps in zip(posts, members)]
        assert all(post in tps for (_, _, post), tps in zip(posts, members))
        spread[groups] = (len(far), round(sum(far) / len(far), 1), round(max(far), 1))
    assert spread["in_order"][0] == spread["nearby"][0] == math.ceil(4040 / 24)
    assert spread["in_order"][1:] == (12.4, 67.7) and spread["nearby"][1:] == (3.6, 13.8)
