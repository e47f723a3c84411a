"""Whole-scenario checks (validate.py): references, feasibility, files, personnel and load.

Each case changes one thing in a small valid scenario written as YAML text and asserts
every located problem line. Files the scenario names (sites CSV, travel matrix) are
written next to it; paths in the output are shown relative to that directory.
"""

from __future__ import annotations

import os

import pytest

from conftest import MINIMAL_YAML
from sispam_sim.errors import ScenarioError
from sispam_sim.scenario.loader import load_scenario

BASE = """\
version: 1
name: cross
clock: {start: "2024-11-27 06:00", duration: 12h}
map:
  places:
    polres: {lat: -8.1725, lon: 113.6995}
    kpu: {lat: -8.1650, lon: 113.7030}
  districts:
    kaliwates: {lat: -8.183, lon: 113.676, radius_km: 3}
  sites:
    generate:
      - {district: kaliwates, count: 10, risk: {aman: 1.0}}
forces:
  types:
    sabhara: {crew: 4, speed_kmh: 45, capabilities: [response]}
    dalmas: {crew: 30, speed_kmh: 35, capabilities: [crowd_control]}
  units:
    - {id: patrol, type: sabhara, count: 2, base: polres}
    - {id: dalmas, type: dalmas, base: polres}
incidents:
  - kind: rapid_response
    rate: 1/h
    where: {sites: any}
    needs: {response: 4}
    work: 30min
  - kind: crowd_buildup
    at: "13:00"
    where: {place: kpu}
    crowd: {initial: 100, growth: 20/min, peak: 200, lasts: 1h}
    per_officer: 10
dispatch: {policy: nearest}
"""
# line numbers used below: 12 generate entry, 15 sabhara, 16 dalmas, 18-19 units,
# 21 first incident (23 where, 24 needs), 26 crowd incident (27 at, 28 where), 31 dispatch


def edit(text: str, *replacements: tuple[str, str]) -> str:
    for old, new in replacements:
        assert text.count(old) == 1, f"{old!r} is not in the text exactly once"
        text = text.replace(old, new)
    return text


def base(*replacements: tuple[str, str]) -> str:
    return edit(BASE, *replacements)


def _shown(problem, directory: str) -> str:
    return problem.format().replace(directory + os.sep, "")


def problems(write, text: str, files: dict[str, str | bytes] | None = None) -> list[str]:
    """Every problem line of a scenario that must fail, paths relative to its directory."""
    path = write(text)
    for name, content in (files or {}).items():
        write(content, name)
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    return [_shown(p, str(path.parent)) for p in info.value.problems]


def warnings(write, text: str, files: dict[str, str | bytes] | None = None) -> list[str]:
    """Every warning line of a scenario that must load."""
    path = write(text)
    for name, content in (files or {}).items():
        write(content, name)
    return [_shown(p, str(path.parent)) for p in load_scenario(path).warnings]


def test_base_is_valid_without_warnings(write):
    scenario = load_scenario(write(BASE))
    assert scenario.warnings == ()
    assert [u.id for u in scenario.units] == ["patrol-1", "patrol-2", "dalmas"]
    assert [s.id for s in scenario.sites][:3] == ["kaliwates-1", "kaliwates-2", "kaliwates-3"]


# ------------------------------------------------------------------ references

def test_unknown_unit_type_with_suggestion(write):
    lines = problems(write, base(("{id: patrol, type: sabhara,", "{id: patrol, type: sabara,")))
    assert lines[0] == ('s.yaml:18:26: error: forces.units[0].type: unknown unit type "sabara" '
                        '(did you mean "sabhara"?); forces.types has: dalmas, sabhara')


def test_unknown_unit_type_is_the_only_problem(write):
    assert problems(write, base(("{id: patrol, type: sabhara,", "{id: patrol, type: sabara,"))) == [
        's.yaml:18:26: error: forces.units[0].type: unknown unit type "sabara" '
        '(did you mean "sabhara"?); forces.types has: dalmas, sabhara']


@pytest.mark.parametrize("value, expected", [
    ("polre", 's.yaml:18:51: error: forces.units[0].base: unknown base "polre" (did you mean "polres"?); '
              "map.places has: kpu, polres"),
    ("zzz", 's.yaml:18:51: error: forces.units[0].base: unknown base "zzz"; map.places has: kpu, polres'),
])
def test_unknown_base(write, value, expected):
    assert problems(write, base(("count: 2, base: polres}", f"count: 2, base: {value}}}"))) == [expected]


def test_unknown_place(write):
    assert problems(write, base(("where: {place: kpu}", "where: {place: kpuu}"))) == [
        's.yaml:28:20: error: incidents[1].where.place: unknown place "kpuu" (did you mean "kpu"?); '
        "map.places has: kpu, polres"]


def test_unknown_district(write):
    assert problems(write, base(("where: {place: kpu}", "where: {district: kaliwate}"))) == [
        's.yaml:28:23: error: incidents[1].where.district: unknown district "kaliwate" '
        '(did you mean "kaliwates"?); map.districts has: kaliwates']


def test_generate_in_unknown_district(write):
    lines = problems(write, base(("{district: kaliwates, count", "{district: sumbersari, count")))
    assert lines[0] == ('s.yaml:12:20: error: map.sites.generate[0].district: unknown district "sumbersari"; '
                        "map.districts has: kaliwates")


def test_generate_in_unknown_district_is_the_only_problem(write):
    assert len(problems(write, base(("{district: kaliwates, count", "{district: sumbersari, count")))) == 1


def test_duplicate_unit_ids_after_count_expansion(write):
    text = base(("    - {id: dalmas, type: dalmas, base: polres}",
                 "    - {id: dalmas, type: dalmas, base: polres}\n    - {id: patrol-2, type: sabhara, base: polres}"))
    assert problems(write, text) == [
        's.yaml:20:12: error: forces.units[2].id: duplicate unit id "patrol-2" (also made by forces.units[0], '
        'id "patrol" with count 2, s.yaml:18:12); give each group its own id']


def test_same_group_id_twice(write):
    text = base(("    - {id: dalmas, type: dalmas, base: polres}",
                 "    - {id: dalmas, type: dalmas, base: polres}\n    - {id: dalmas, type: dalmas, base: kpu}"))
    assert problems(write, text) == [
        's.yaml:20:12: error: forces.units[2].id: duplicate unit id "dalmas" (first written at '
        "forces.units[1].id, s.yaml:19:12); give each group its own id"]


# ------------------------------------------------------------------ capabilities and tiers

def test_capability_no_unit_has(write):
    assert problems(write, base(("needs: {response: 4}", "needs: {respons: 4}"))) == [
        's.yaml:24:22: error: incidents[0].needs.respons: no unit type has capability "respons" '
        '(did you mean "response"?); capabilities are: crowd_control, response']


def test_crowd_capability_no_unit_has(write):
    text = base(("    per_officer: 10\n", "    per_officer: 10\n    capability: riot\n"))
    assert problems(write, text) == [
        's.yaml:31:17: error: incidents[1].capability: no unit type has capability "riot"; '
        "capabilities are: crowd_control, response"]


def test_capability_only_at_tier_2_for_a_rapid_response(write):
    text = base(("capabilities: [response]}", "capabilities: [response], tier: 2}"))
    assert problems(write, text) == [
        "s.yaml:15:71: warning: forces.types.sabhara.tier: unit type sabhara (tier 2) is never dispatched: "
        "no incident escalates beyond level 1; add escalation to a crowd_buildup or set dispatch.tiers: open",
        's.yaml:24:23: error: incidents[0].needs.response: only units of tier > 1 have capability "response", '
        "and a rapid_response incident never goes past level 1; set dispatch.tiers: open or give a tier-1 "
        "unit type the capability",
    ]


def test_tier_2_is_fine_with_open_tiers(write):
    text = base(("capabilities: [response]}", "capabilities: [response], tier: 2}"),
                ("dispatch: {policy: nearest}", "dispatch: {policy: nearest, tiers: open}"))
    assert warnings(write, text) == []


def test_tier_2_crowd_control_is_reachable_with_escalation(write):
    text = base(("capabilities: [crowd_control]}", "capabilities: [crowd_control]}\n"
                                                   "    brimob: {crew: 30, speed_kmh: 40, capabilities: "
                                                   "[crowd_control], tier: 3}"),
                ("    per_officer: 10\n", "    per_officer: 10\n    escalation: {below: 0.8, after: 15min, factor: 1.5}\n"),
                ("    - {id: dalmas, type: dalmas, base: polres}",
                 "    - {id: dalmas, type: dalmas, base: polres}\n    - {id: brimob, type: brimob, base: polres}"))
    assert warnings(write, text) == []


def test_tier_4(write):
    text = base(("capabilities: [crowd_control]}", "capabilities: [crowd_control]}\n"
                                                   "    brimob: {crew: 30, speed_kmh: 40, capabilities: "
                                                   "[crowd_control], tier: 4}"))
    assert problems(write, text) == [
        "s.yaml:17:76: error: forces.types.brimob.tier: tier 4 can never be opened: escalation stops at "
        "level 3 (merah)"]


def test_tier_2_type_never_dispatched_is_a_warning(write):
    text = base(("capabilities: [crowd_control]}", "capabilities: [crowd_control]}\n"
                                                   "    brimob: {crew: 30, speed_kmh: 40, capabilities: "
                                                   "[crowd_control], tier: 2}"),
                ("    - {id: dalmas, type: dalmas, base: polres}",
                 "    - {id: dalmas, type: dalmas, base: polres}\n    - {id: brimob, type: brimob, base: polres}"))
    assert warnings(write, text) == [
        "s.yaml:17:76: warning: forces.types.brimob.tier: unit type brimob (tier 2) is never dispatched: "
        "no incident escalates beyond level 1; add escalation to a crowd_buildup or set dispatch.tiers: open"]


def test_need_larger_than_the_force_is_a_warning(write):
    text = base(("rate: 1/h", "rate: 0.5/h"), ("needs: {response: 4}", "needs: {response: 12}"))
    assert warnings(write, text) == [
        "s.yaml:24:23: warning: incidents[0].needs.response: needs 12 response personnel but the whole force "
        "has 8 that can answer: full strength is never reached"]


def test_crowd_need_at_peak_larger_than_the_force(write):
    # ceil(400 / 10) = 40 crowd_control personnel at the peak; one dalmas has 30: located at the peak.
    assert warnings(write, base(("peak: 200", "peak: 400"))) == [
        "s.yaml:29:49: warning: incidents[1].crowd.peak: needs 40 crowd_control personnel but the whole force "
        "has 30 that can answer: full strength is never reached"]


def test_pulled_guards_count_toward_response(write):
    guard = "guard:\n  tps:\n    aman: {police: 2, per_tps: 3}\n"   # 10 TPS -> 4 groups x 2 = 8 police
    text = base(("rate: 1/h", "rate: 0.5/h"), ("needs: {response: 4}", "needs: {response: 12}"),
                ("dispatch: {policy: nearest}", guard + "dispatch: {policy: nearest, pull_guards: true}"))
    assert warnings(write, text) == []


def test_pulled_guards_count_toward_load_capacity(write):
    guard = "guard:\n  tps:\n    aman: {police: 2, per_tps: 3}\n"   # 8 police pulled to 8 sabhara
    text = base(("needs: {response: 4}", "needs: {response: 12}"),
                ("dispatch: {policy: nearest}", guard + "dispatch: {policy: nearest, pull_guards: true}"))
    assert warnings(write, text) == []   # now: "offered load 8.4 of 8 personnel (105%)"


# ------------------------------------------------------------------ dispatch

def test_reserve_unknown_capability(write):
    assert problems(write, base(("dispatch: {policy: nearest}", "dispatch: {reserve: {crowd: 30}}"))) == [
        's.yaml:31:29: error: dispatch.reserve.crowd: unknown capability "crowd"; '
        "capabilities are: crowd_control, response"]


def test_reserve_with_suggestion(write):
    assert problems(write, base(("dispatch: {policy: nearest}", "dispatch: {reserve: {crowd_contrl: 30}}"))) == [
        's.yaml:31:36: error: dispatch.reserve.crowd_contrl: unknown capability "crowd_contrl" '
        '(did you mean "crowd_control"?); capabilities are: crowd_control, response']


def test_reserve_larger_than_the_force(write):
    assert problems(write, base(("dispatch: {policy: nearest}", "dispatch: {reserve: {crowd_control: 60}}"))) == [
        "s.yaml:31:37: error: dispatch.reserve.crowd_control: reserve of 60 is more than the 30 crowd_control "
        "personnel the force has"]


def _policies() -> str:
    from sispam_sim.core.policies import POLICIES

    return ", ".join(sorted(POLICIES))


def test_unknown_dispatch_policy_with_suggestion(write):
    assert problems(write, base(("policy: nearest", "policy: neares"))) == [
        's.yaml:31:20: error: dispatch.policy: unknown dispatch policy "neares" (did you mean "nearest"?); '
        f"policies are: {_policies()}"]


def test_unknown_dispatch_policy(write):
    assert problems(write, base(("policy: nearest", "policy: zzz"))) == [
        f's.yaml:31:20: error: dispatch.policy: unknown dispatch policy "zzz"; policies are: {_policies()}']


# ------------------------------------------------------------------ clock

@pytest.mark.parametrize("at", ['"19:00"', '"18:00"', '"05:59"', '"2024-11-28 07:00"'])
def test_at_outside_the_window(write, at):
    assert problems(write, base(('at: "13:00"', f"at: {at}"))) == [
        f's.yaml:27:9: error: incidents[1].at: {at} is outside the incident window: '
        "2024-11-27 06:00 to 2024-11-27 18:00 (clock.start + clock.duration)"]


def test_at_on_the_next_day_inside_a_long_window(write):
    text = base(("duration: 12h", "duration: 24h"), ('at: "13:00"', 'at: "25:30"'))
    assert warnings(write, text) == []


def test_profile_key_after_the_window_is_a_warning(write):
    text = base(("rate: 1/h", 'rate: {"06:00": 1/h, "18:00": 2/h, "20:00": 2/h}'))
    assert warnings(write, text) == [
        's.yaml:22:35: warning: incidents[0].rate.18:00: "18:00" is after the incident window ends '
        "(2024-11-27 18:00): this step is never used",
        's.yaml:22:49: warning: incidents[0].rate.20:00: "20:00" is after the incident window ends '
        "(2024-11-27 18:00): this step is never used",
    ]


# ------------------------------------------------------------------ where.sites

def test_sites_with_a_risk_that_no_site_has(write):
    assert problems(write, base(("where: {sites: any}", "where: {sites: {risk: [rawan, sangat_rawan]}}"))) == [
        "s.yaml:23:20: error: incidents[0].where.sites: selects no site: no site has risk rawan, sangat_rawan"]


def test_sites_in_a_district_that_has_none(write):
    assert problems(write, base(("where: {sites: any}", "where: {sites: {district: kaliwatez}}"))) == [
        's.yaml:23:31: error: incidents[0].where.sites.district[0]: no site is in district "kaliwatez" '
        '(did you mean "kaliwates"?)']


def test_sites_district_and_risk_with_no_site(write):
    text = base(("where: {sites: any}", "where: {sites: {district: kaliwates, risk: rawan}}"))
    assert problems(write, text) == [
        "s.yaml:23:20: error: incidents[0].where.sites: selects no site: no site has risk rawan in "
        "district kaliwates"]


def test_no_sites_at_all(write):
    text = base(("  sites:\n    generate:\n      - {district: kaliwates, count: 10, risk: {aman: 1.0}}\n", ""))
    assert problems(write, text) == [
        "s.yaml:20:20: error: incidents[0].where.sites: selects no site: the scenario has no sites (map.sites)"]


# ------------------------------------------------------------------ sites file

WITH_FILE = ("      - {district: kaliwates, count: 10, risk: {aman: 1.0}}\n",
             "      - {district: kaliwates, count: 10, risk: {aman: 1.0}}\n    file: tps.csv\n")


def test_sites_file_is_read(write):
    path = write(base(WITH_FILE))
    write("id,lat,lon,risk,district\nTPS-001,-8.17,113.70,rawan,Kaliwates\nTPS-002,-8.18,113.71,aman,\n",
          "tps.csv")
    scenario = load_scenario(path)
    assert [(s.id, s.risk, s.district) for s in scenario.sites[-2:]] == [
        ("TPS-001", "rawan", "Kaliwates"), ("TPS-002", "aman", None)]


def test_sites_file_missing(write, tmp_path):
    path = write(base(WITH_FILE))
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert [p.format() for p in info.value.problems] == [
        f"{path}:13:11: error: map.sites.file: file not found: tps.csv (looked for {tmp_path / 'tps.csv'})"]


def test_sites_file_is_a_directory(write, tmp_path):
    (tmp_path / "tps.csv").mkdir()
    assert problems(write, base(WITH_FILE)) == [
        "s.yaml:13:11: error: map.sites.file: tps.csv is a directory, expected a CSV file"]


@pytest.mark.parametrize("csv, expected", [
    ("id,lat,lon,risk,kecamatan\nT1,-8.1,113.7,aman,x\n",
     "tps.csv:1:1: error: map.sites.file: unknown column(s) kecamatan; expected id,lat,lon,risk[,district]"),
    ("id,lat,risk\nT1,-8.1,aman\n",
     "tps.csv:1:1: error: map.sites.file: missing column(s) lon; expected id,lat,lon,risk[,district]"),
    ("id,lat,lon,risk\nT1,-8.1,113.7,aman\nT2,-8.1,113.7,low\n",
     "tps.csv:3:1: error: map.sites.file: risk 'low' is not one of aman, rawan, sangat_rawan"),
    ("id,lat,lon,risk\nT1,-8.1,113.7,aman\n\nT1,-8.2,113.7,aman\n",
     "tps.csv:4:1: error: map.sites.file: duplicate site id 'T1' (first on line 2)"),
    ("id,lat,lon,risk\nT1,-98.1,113.7,aman\n",
     "tps.csv:2:1: error: map.sites.file: coordinates out of range: lat -98.1 (-90..90), lon 113.7 (-180..180)"),
    ("id,lat,lon,risk\nT1,-8.1,213.7,aman\n",
     "tps.csv:2:1: error: map.sites.file: coordinates out of range: lat -8.1 (-90..90), lon 213.7 (-180..180)"),
    ("id,lat,lon,risk\nT1,x,113.7,aman\n",
     "tps.csv:2:1: error: map.sites.file: lat and lon must be numbers, found 'x', '113.7'"),
    ("id,lat,lon,risk\nT1,-8.1,113.7\n",
     "tps.csv:2:1: error: map.sites.file: expected 4 columns, found 3"),
])
def test_bad_sites_file_is_located_in_the_csv(write, csv, expected):
    assert problems(write, base(WITH_FILE), {"tps.csv": csv}) == [expected]


def test_sites_file_not_utf8(write):
    assert problems(write, base(WITH_FILE), {"tps.csv": b"id,lat,lon,risk\nT\xff,-8.1,113.7,aman\n"}) == [
        "tps.csv:2:2: error: map.sites.file: not valid UTF-8 (byte 0xff at line 2, col 2): save the file as UTF-8"]


def test_sites_file_id_clashes_with_a_generated_id(write):
    assert problems(write, base(WITH_FILE), {"tps.csv": "id,lat,lon,risk\nkaliwates-3,-8.1,113.7,aman\n"}) == [
        's.yaml:13:11: error: map.sites.file: site id "kaliwates-3" is also a generated site id; '
        "rename it in the file"]


def test_sites_file_relative_to_the_scenario(write, tmp_path, monkeypatch):
    path = write(base(WITH_FILE), "plans/s.yaml")
    write("id,lat,lon,risk\nT1,-8.1,113.7,aman\n", "plans/tps.csv")
    monkeypatch.chdir(tmp_path)
    assert load_scenario(os.path.relpath(path, tmp_path)).sites[-1].id == "T1"


@pytest.mark.parametrize("bad_id", ["", "TPS 1"])
def test_sites_file_rejects_bad_ids(write, bad_id):
    problems(write, base(WITH_FILE), {"tps.csv": f"id,lat,lon,risk\n{bad_id},-8.1,113.7,aman\n"})


# ------------------------------------------------------------------ travel matrix

def matrix_text() -> str:
    # the rapid response goes to the place kpu too, so the needed ids are polres and kpu
    return MINIMAL_YAML.replace(
        "    polres: {lat: -8.1725, lon: 113.6995}\n",
        "    polres: {lat: -8.1725, lon: 113.6995}\n    kpu: {lat: -8.1650, lon: 113.7030}\n"
        "  travel: {matrix: tt.csv}\n").replace("where: {place: polres}", "where: {place: kpu}")


def test_matrix_is_read(write):
    path = write(matrix_text())
    write("from,polres,kpu\npolres,0,5\nkpu,6,0\n", "tt.csv")
    scenario = load_scenario(path)
    assert scenario.matrix.ids == ("polres", "kpu")
    assert scenario.matrix.minutes.tolist() == [[0.0, 5.0], [6.0, 0.0]]


@pytest.mark.parametrize("csv, expected", [
    ("from,polres,kpu\npolres,0,\nkpu,5,0\n",
     "s.yaml:8:20: error: map.travel.matrix: travel matrix tt.csv lacks 1 needed pair(s): polres -> kpu"),
    ("from,polres,kpu\npolres,0,\nkpu,,0\n",
     "s.yaml:8:20: error: map.travel.matrix: travel matrix tt.csv lacks 2 needed pair(s): kpu -> polres, "
     "polres -> kpu"),
    ("from,polres\npolres,0\n",
     "s.yaml:8:20: error: map.travel.matrix: travel matrix tt.csv has no row/column for kpu"),
    ("from,polres,kpu\npolres,0,five\nkpu,5,0\n",
     "tt.csv:2:3: error: map.travel.matrix: expected minutes (a number), found 'five'"),
    ("from,polres,kpu\npolres,0,-5\nkpu,5,0\n",
     "tt.csv:2:3: error: map.travel.matrix: minutes must be a finite number >= 0, found '-5'"),
    ("from,polres,kpu\npolres,0,5\nkpu,5,0\nxx,1,1\n",
     'tt.csv:4:1: error: map.travel.matrix: row "xx" is not a place id of the header row'),
    ("from,polres,kpu,polres\n",
     'tt.csv:1:4: error: map.travel.matrix: place id "polres" appears twice in the header row'),
    ("", "tt.csv:1:1: error: map.travel.matrix: the travel matrix is empty: expected a header row of place ids"),
])
def test_bad_matrix(write, csv, expected):
    assert problems(write, matrix_text(), {"tt.csv": csv}) == [expected]


def test_matrix_missing(write, tmp_path):
    path = write(matrix_text())
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert [p.format() for p in info.value.problems] == [
        f"{path}:8:20: error: map.travel.matrix: file not found: tt.csv (looked for {tmp_path / 'tt.csv'})"]


# ------------------------------------------------------------------ personnel_limit

GUARD = "guard:\n  tps:\n    aman: {police: 2, per_tps: 3}\n"


def test_personnel_limit_exceeded_shows_the_arithmetic(write):
    # units: 2 x 4 + 30 = 38; guards: 10 aman TPS, ceil(10/3) = 4 groups x 2 police = 8; 46 > 40
    text = base(("dispatch: {policy: nearest}", GUARD + "personnel_limit: 40\ndispatch: {policy: nearest}"))
    assert problems(write, text) == [
        "s.yaml:34:18: error: personnel_limit: 46 personnel exceed personnel_limit 40: units 38 "
        "(sabhara 8 + dalmas 30) + TPS guards 8 (aman: ceil(10/3) = 4 groups x 2 = 8) = 46 > 40"]


def test_personnel_limit_exactly_met(write):
    text = base(("dispatch: {policy: nearest}", GUARD + "personnel_limit: 46\ndispatch: {policy: nearest}"))
    assert warnings(write, text) == []


def test_personnel_limit_without_guards(write):
    text = MINIMAL_YAML.replace("name: minimal", "name: minimal\npersonnel_limit: 7")
    assert problems(write, text) == [
        "s.yaml:3:18: error: personnel_limit: 8 personnel exceed personnel_limit 7: units 8 (sabhara 8) "
        "+ TPS guards 0 (none) = 8 > 7"]


# ------------------------------------------------------------------ offered load

def load_case(rate: str, work: str) -> str:
    # One place; the units stand there (travel 0) and mobilise 0, so the offered load is
    # rate x work x need exactly: the minimal scenario needs 4 response of 8 personnel.
    return MINIMAL_YAML.replace("rate: 1/h", f"rate: {rate}").replace("work: 30min", f"work: {work}")


def test_load_warning_expect_queues(write):
    # 1.8/h = 0.03/min; 0.03 x 60 min x 4 = 7.2 personnel of 8 (90 %)
    assert warnings(write, load_case("1.8/h", "60min")) == [
        "s.yaml:13:3: warning: incidents: response: offered load 7.2 of 8 personnel (90%) — expect queues"]


def test_load_warning_over_capacity(write):
    # 3/h x 60 min x 4 = 12 personnel of 8 (150 %)
    assert warnings(write, load_case("3/h", "1h")) == [
        "s.yaml:13:3: warning: incidents: response: offered load 12.0 of 8 personnel (150%) — the force "
        "cannot keep up: queues grow through the day"]


def test_load_uses_the_mean_of_a_distribution_and_the_profile_average(write):
    # exponential mean 60min; the profile gives 1.8/h all day: the same 7.2 of 8
    text = load_case('{"06:00": 1.8/h, "12:00": 1.8/h}', "{dist: exponential, mean: 1h}")
    assert warnings(write, text) == [
        "s.yaml:13:3: warning: incidents: response: offered load 7.2 of 8 personnel (90%) — expect queues"]


def test_no_load_warning_below_85_percent(write):
    # 1.6/h x 60 x 4 = 6.4 of 8 (80 %)
    assert warnings(write, load_case("1.6/h", "60min")) == []


def test_load_is_not_estimated_when_there_are_errors(write):
    text = load_case("3/h", "1h").replace("base: polres}", "base: nowhere}")
    assert problems(write, text) == [
        's.yaml:11:51: error: forces.units[0].base: unknown base "nowhere"; map.places has: polres']


def test_all_cross_check_problems_at_once(write):
    text = base(("type: sabhara, count: 2, base: polres", "type: sabhara, count: 2, base: polre"),
                ("where: {place: kpu}", "where: {place: kpuu}"),
                ("policy: nearest", "policy: neares"))
    lines = problems(write, text)
    assert [line.split(": error: ")[1].split(":")[0] for line in lines] == [
        "forces.units[0].base", "incidents[1].where.place", "dispatch.policy"]


# ------------------------------------------------------------------ TPS guards as units

GUARDS = "guard:\n  tps:\n    aman: {police: 2, per_tps: 5}\n"   # 10 aman sites: guard-aman-1, guard-aman-2


def test_guard_type_name_is_reserved(write):
    text = base(("    dalmas: {crew: 30,", "    tps_guard: {crew: 2, speed_kmh: 20, capabilities: [response]}\n"
                                          "    dalmas: {crew: 30,"))
    assert problems(write, text) == [
        's.yaml:16:16: error: forces.types.tps_guard: the unit type name "tps_guard" is reserved for the TPS '
        "guards (guard.tps); choose another name"]


def test_unit_id_clashing_with_a_pulled_guard_group(write):
    text = base(("{id: dalmas, type: dalmas, base: polres}", "{id: guard-aman-2, type: dalmas, base: polres}"),
                ("dispatch: {policy: nearest}", GUARDS + "dispatch: {policy: nearest, pull_guards: true}"))
    assert problems(write, text) == [
        's.yaml:19:12: error: forces.units[1].id: unit id "guard-aman-2" is also the id of a TPS guard group '
        "pulled by dispatch (guard-<risk>-<n>); choose another id"]


def test_same_unit_id_is_fine_when_guards_stay_at_their_tps(write):
    text = base(("{id: dalmas, type: dalmas, base: polres}", "{id: guard-aman-2, type: dalmas, base: polres}"),
                ("dispatch: {policy: nearest}", GUARDS + "dispatch: {policy: nearest}"))
    assert load_scenario(write(text)).warnings == ()


def test_matrix_needs_the_first_tps_of_each_pulled_guard_group(write):
    # The only incident is at polres; the guard groups stand at kaliwates-1 and kaliwates-6.
    text = edit(base(("where: {sites: any}", "where: {place: polres}"),
                     ("dispatch: {policy: nearest}", GUARDS + "dispatch: {policy: nearest, pull_guards: true}")),
                ("  districts:", "  travel: {matrix: tt.csv}\n  districts:"))
    text = text.replace("  - kind: crowd_buildup\n    at: \"13:00\"\n    where: {place: kpu}\n"
                        "    crowd: {initial: 100, growth: 20/min, peak: 200, lasts: 1h}\n    per_officer: 10\n", "")
    path = write(text)
    write("from,polres\npolres,0\n", "tt.csv")
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert [p.format() for p in info.value.problems] == [
        f"{path}:8:20: error: map.travel.matrix: travel matrix tt.csv has no row/column for "
        "kaliwates-1, kaliwates-6"]


def test_a_place_and_a_district_may_not_share_an_id(write):
    text = base(("    kpu: {lat: -8.1650, lon: 113.7030}\n",
                 "    kpu: {lat: -8.1650, lon: 113.7030}\n    kaliwates: {lat: -8.1, lon: 113.6}\n"))
    assert problems(write, text) == [
        's.yaml:10:16: error: map.districts.kaliwates: id "kaliwates" names both a place (map.places) and a '
        "district; give each point its own id"]


def test_a_site_may_not_share_an_id_with_a_place(write):
    text = base(("    kpu: {lat: -8.1650, lon: 113.7030}\n",
                 "    kpu: {lat: -8.1650, lon: 113.7030}\n    kaliwates-3: {lat: -8.1, lon: 113.6}\n"))
    assert problems(write, text) == [
        's.yaml:12:5: error: map.sites: site id "kaliwates-3" is also the id of a place; give each point '
        "its own id"]
