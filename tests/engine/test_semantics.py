"""The engine against DESIGN.md and docs/model.md, one rule at a time, with hand-computed numbers.

Each test builds a small scenario where the rule decides the outcome and checks the
numbers worked out in its comments. Places: BASE, NEAR (~1 km) and FAR (~6 km); drive
times are computed here with an independent haversine (R = 6371 km, road factor 1.3).
Unit types without ``mobilise`` are ready to roll (0 min), so a unit based where the
incident is arrives at the dispatch instant. Clock: 06:00 is minute 0, so 07:00 = 60.
"""

from __future__ import annotations

import dataclasses
import functools
import math
import zlib

import numpy as np
import pytest

from sispam_sim.errors import ScenarioError

from sispam_sim.core import rng as rngmod
from sispam_sim.engine.dispatcher import Dispatcher
from sispam_sim.core.geo import Location, make_travel
from sispam_sim.engine.model import run_replication
from sispam_sim.core.policies import get_policy
from sispam_sim.engine.units import Capabilities, UnitTable
from handcase import BASE, FAR, NEAR, START, by_label, drive
from handcase import scenario as hand_scenario
from sispam_sim.scenario.loader import TravelMatrix, scenario_from_dict

scenario = functools.partial(hand_scenario, seed=9)   # the seed the numbers below were worked out for


def call(label: str, at: str, place: str, needs, work: str, priority: int = 2) -> dict:
    needs = {"response": needs} if isinstance(needs, int) else needs
    return {"kind": "rapid_response", "label": label, "at": at, "where": {"place": place},
            "needs": needs, "work": work, "priority": priority}


def crowd(at: str, place: str, initial: int, peak: int, lasts: str, priority: int = 2,
          escalation: dict | None = None) -> dict:
    entry = {"kind": "crowd_buildup", "label": "crowd", "at": at, "where": {"place": place}, "priority": priority,
             "crowd": {"initial": initial, "growth": "10/min", "peak": peak, "lasts": lasts}, "per_officer": 10}
    if escalation:
        entry["escalation"] = escalation
    return entry


def actions(result, action: str) -> list[tuple[float, str, str]]:
    return [(e.time, e.unit, e.incident) for e in result.events if e.action == action]


RESPONSE = {"crew": 4, "speed_kmh": 40, "capabilities": ["response"]}
CC = {"crew": 10, "speed_kmh": 30, "capabilities": ["crowd_control"]}


# ---------------------------------------------------------------- dispatch order


def test_many_tied_units_go_in_declaration_order():
    # 300 identical units at one base: every expected arrival is 0. Need 8 = two units of 4.
    # "nearest: earliest expected arrival, ties to the unit declared first" -> p-1, p-2.
    # (300 candidates is above the policy's partial-sort threshold, 256, and k = 2 < 300 / 4.)
    sc = scenario({"base": BASE}, {"s": RESPONSE}, [{"id": "p", "type": "s", "count": 300, "base": "base"}],
                  [call("a", "07:00", "base", 8, "10min")])
    assert run_replication(sc, 0).incidents[0].units == ["p-1", "p-2"]


def test_a_place_and_a_district_with_one_id_are_refused():
    # Once they shared one cached travel time (a unit "teleported"); now one id names one point.
    with pytest.raises(ScenarioError, match='id "kaliwates" names both a place'):
        scenario_from_dict({
            "version": 1, "name": "same id", "seed": 1, "clock": {"start": START, "duration": "12h"},
            "map": {"places": {"base": BASE, "kaliwates": FAR},
                    "districts": {"kaliwates": {**BASE, "radius_km": 2}}},
            "forces": {"types": {"s": RESPONSE}, "units": [{"id": "p", "type": "s", "base": "base"}]},
            "incidents": [call("p", "08:00", "kaliwates", 4, "10min")]})


def test_travel_from_the_bases_is_cached_by_position_not_by_id():
    # The engine's own guard, without a scenario (validation refuses a shared id):
    # two locations with one id, at BASE and at FAR: travel 0, then drive(BASE, FAR).
    sc = scenario({"base": BASE}, {"s": RESPONSE}, [{"id": "p", "type": "s", "base": "base"}],
                  [call("a", "07:00", "base", 4, "10min")])
    travel, caps = make_travel(sc), Capabilities([])
    units = UnitTable(sc, caps, travel, 0)
    dispatcher = Dispatcher(units, travel, get_policy("nearest"), caps, sc.spec.dispatch,
                            np.array([], dtype=np.int64), np.array([]))
    assert dispatcher.from_base(Location("x", BASE["lat"], BASE["lon"]))[0].tolist() == [0.0]
    far = dispatcher.from_base(Location("x", FAR["lat"], FAR["lon"]))[0].tolist()
    assert far == pytest.approx([drive(BASE, FAR, 40)], abs=1e-9)


def test_each_crew_counts_toward_one_capability_and_work_waits_for_every_need():
    # needs {response: 4, enforcement: 10}. x (crew 10, response + enforcement) stands at
    # the incident; r (4, response) at NEAR; e (10, enforcement) at FAR.
    # x first (arrival 0): largest shortfall is enforcement (10 > 4) -> x covers enforcement
    # only; response is still short 4 -> r. e is not needed. Work (30 min) starts when r
    # arrives (response met on scene): full strength 60 + drive(NEAR, BASE); resolved +30.
    types = {"x": {"crew": 10, "speed_kmh": 40, "capabilities": ["response", "enforcement"]},
             "r": RESPONSE, "e": {"crew": 10, "speed_kmh": 40, "capabilities": ["enforcement"]}}
    units = [{"id": "x", "type": "x", "base": "base"}, {"id": "r", "type": "r", "base": "near"},
             {"id": "e", "type": "e", "base": "far"}]
    places = {"base": BASE, "near": NEAR, "far": FAR}
    sc = scenario(places, types, units, [call("a", "07:00", "base", {"response": 4, "enforcement": 10}, "30min")])
    rec = run_replication(sc, 0).incidents[0]
    assert rec.units == ["x", "r"]
    assert rec.need == 14
    assert rec.first_arrival == 60.0
    assert rec.full_strength == pytest.approx(60 + drive(NEAR, BASE, 40), abs=1e-9)
    assert rec.resolved == pytest.approx(60 + drive(NEAR, BASE, 40) + 30, abs=1e-9)
    # needs {response: 12, enforcement: 10}: now response is the larger shortfall (12 > 10),
    # so x counts toward response (short 2 left, r covers it) and enforcement needs e.
    # Work waits for e, the last to arrive.
    sc = scenario(places, types, units, [call("a", "07:00", "base", {"response": 12, "enforcement": 10}, "30min")])
    rec = run_replication(sc, 0).incidents[0]
    assert rec.units == ["x", "r", "e"]
    assert rec.full_strength == pytest.approx(60 + drive(FAR, BASE, 40), abs=1e-9)
    assert rec.resolved == pytest.approx(60 + drive(FAR, BASE, 40) + 30, abs=1e-9)


def test_reserve_counts_a_multi_capability_unit_for_each_capability():
    # reserve {crowd_control: 10}. b (crew 10, crowd_control + response) stands at the
    # incident; r (4, response) at FAR. A priority-2 call for 4 response may not take b:
    # free crowd_control after taking it = 10 - 10 = 0 < 10. It takes r: response time
    # drive(FAR, BASE). A priority-1 call ignores the reserve and takes b (response 0).
    types = {"b": {"crew": 10, "speed_kmh": 40, "capabilities": ["crowd_control", "response"]}, "r": RESPONSE}
    units = [{"id": "b", "type": "b", "base": "base"}, {"id": "r", "type": "r", "base": "far"}]
    places = {"base": BASE, "far": FAR}
    for priority, unit, response in ((2, "r", drive(FAR, BASE, 40)), (1, "b", 0.0)):
        sc = scenario(places, types, units, [call("a", "07:00", "base", 4, "10min", priority=priority)],
                      dispatch={"reserve": {"crowd_control": 10}})
        rec = run_replication(sc, 0).incidents[0]
        assert rec.units == [unit]
        assert rec.response_time == pytest.approx(response, abs=1e-9)


# ---------------------------------------------------------------- waiting and TPS downtime


def test_station_disruption_downtime_runs_from_the_call_through_waiting_to_resolution():
    # The only unit (mobilise 3 min) answers x at its own base at 07:00: on scene 63,
    # works 60 min -> free at 123, standing at its base. The disruption, called at 07:10
    # (70), waits; at 123 the unit mobilises again (3 min) and drives to the TPS:
    # resolved = 123 + 3 + drive(BASE, site) + 45; downtime = resolved - 70.
    sc = scenario_from_dict({
        "version": 1, "name": "tps", "seed": 11, "clock": {"start": START, "duration": "12h"},
        "map": {"places": {"base": BASE}, "districts": {"d": {**BASE, "radius_km": 4}},
                "sites": {"generate": [{"district": "d", "count": 1, "risk": {"sangat_rawan": 1.0}}]}},
        "forces": {"types": {"s": {**RESPONSE, "mobilise": "3min"}},
                   "units": [{"id": "p", "type": "s", "base": "base"}]},
        "incidents": [call("x", "07:00", "base", 4, "60min"),
                      {"kind": "station_disruption", "label": "tps", "at": "07:10",
                       "where": {"sites": {"risk": ["sangat_rawan"]}}, "needs": {"response": 4}, "work": "45min"}],
    })
    site = {"lat": sc.sites[0].lat, "lon": sc.sites[0].lon}
    rec = by_label(run_replication(sc, 0))
    assert rec["x"].resolved == 123.0
    assert rec["tps"].dispatch_delay == 123.0 - 70.0
    resolved = 123 + 3 + drive(BASE, site, 40) + 45
    assert rec["tps"].resolved == pytest.approx(resolved, abs=1e-9)
    assert rec["tps"].tps_downtime == pytest.approx(resolved - 70, abs=1e-9)
    assert rec["x"].tps_downtime is None


def test_crowd_that_outgrew_its_crew_is_served_before_a_lower_priority_incident():
    # Three teams of 10 (crowd_control + response) at the base; everything happens there.
    # x (p2, 06:50, 20.5 min) holds b-1 until 70.5. The crowd (p2, 07:00) grows 100 -> 300
    # at 10/min: need(t) = ceil((100 + 10 t) / 10). b-2 at 60 (need 10), b-3 at the 61
    # re-assessment (need 11). y (p3, 07:02) finds no free unit and waits.
    # At 70.5 b-1 frees up. The crowd is 205 then: need 21 > 20 assigned, so it is short
    # and ahead of y (priority 2 < 3): b-1 goes to the crowd, not to y.
    # The crowd peaks at 80 (need 30 = 3 teams), holds 60 min to 140, disperses: 200 at 150
    # (need 20): the latest arrived team, b-1, is released and y gets it: 150 -> 160.
    types = {"b": {"crew": 10, "speed_kmh": 40, "capabilities": ["crowd_control", "response"]}}
    sc = scenario({"base": BASE}, types, [{"id": "b", "type": "b", "count": 3, "base": "base"}],
                  [call("x", "06:50", "base", 10, "20.5min"), crowd("07:00", "base", 100, 300, "60min"),
                   call("y", "07:02", "base", 10, "10min", priority=3)])
    result = run_replication(sc, 0)
    rec = by_label(result)
    assert rec["x"].resolved == 70.5
    assert ("b-1", 70.5) in [(u, t) for t, u, i in actions(result, "dispatch") if i == rec["crowd"].id]
    assert rec["crowd"].units == ["b-2", "b-3", "b-1"]
    assert rec["y"].first_dispatch == 150.0 and rec["y"].resolved == 160.0
    assert rec["crowd"].resolved == 170.0


# ---------------------------------------------------------------- preemption


def test_preempted_victim_waits_again_behind_higher_priority_and_resumes_its_work():
    # One unit, everything at its base (travel 0, mobilise 0).
    # a (p3, 07:00, 60 min) gets p at 60. b (p2, 07:05, 20 min) waits.
    # c (p1, 07:10, 30 min) takes p from a at 70: a has worked 10 min, 50 left, and waits again.
    # c ends at 100. Waiting: b (priority 2, called 65) before a (priority 3, called 60):
    # b 100 -> 120, then a resumes its 50 min: 120 -> 170.
    # p is busy without a break from 60 to 170: 110 min x 4 crew = 440 crew-minutes.
    # a is covered 60 -> 70, short 70 -> 120, covered again from 120: full strength 120,
    # short_minutes 50 (on scene at its call: no shortfall before 60).
    sc = scenario({"base": BASE}, {"s": RESPONSE}, [{"id": "p", "type": "s", "base": "base"}],
                  [call("a", "07:00", "base", 4, "60min", priority=3), call("b", "07:05", "base", 4, "20min"),
                   call("c", "07:10", "base", 4, "30min", priority=1)], dispatch={"preempt": True})
    result = run_replication(sc, 0)
    rec = by_label(result)
    assert rec["c"].first_dispatch == 70.0 and rec["c"].resolved == 100.0
    assert rec["b"].first_dispatch == 100.0 and rec["b"].resolved == 120.0
    assert rec["a"].units == ["p", "p"]
    assert rec["a"].full_strength == 120.0 and rec["a"].short_minutes == 50.0
    assert rec["a"].resolved == 170.0
    assert actions(result, "preempt") == [(70.0, "p", rec["a"].id)]
    assert actions(result, "short") == [(70.0, "", rec["a"].id)]
    assert [t for t, _, i in actions(result, "full_strength") if i == rec["a"].id] == [60.0, 120.0]
    assert rec["c"].short_minutes == 0.0 and rec["b"].short_minutes == 35.0   # b waits 65 -> 100
    assert result.busy_crew_minutes["s"] == pytest.approx(440.0)


def test_preempting_a_mobilising_unit_keeps_its_departure_time():
    # p mobilises 10 min. a (p2, 07:00 = 60, at FAR) sends it: it would leave base at 70.
    # c (p1, 07:04 = 64, at NEAR) takes it while it is still mobilising: it keeps its
    # departure (70) and drives BASE -> NEAR: arrives 70 + d1, d1 = drive(BASE, NEAR).
    # c works 10 min; p is released at NEAR and, driving home, is sent back to a from
    # where it is (NEAR, no mobilisation): a's first arrival = c.resolved + drive(NEAR, FAR).
    slow = {**RESPONSE, "mobilise": "10min"}
    sc = scenario({"base": BASE, "near": NEAR, "far": FAR}, {"s": slow}, [{"id": "p", "type": "s", "base": "base"}],
                  [call("a", "07:00", "far", 4, "30min"), call("c", "07:04", "near", 4, "10min", priority=1)],
                  dispatch={"preempt": True})
    result = run_replication(sc, 0)
    rec = by_label(result)
    d1 = drive(BASE, NEAR, 40)
    assert rec["c"].response_time == pytest.approx(70 + d1 - 64, abs=1e-9)
    assert rec["c"].resolved == pytest.approx(70 + d1 + 10, abs=1e-9)
    back_at_a = 70 + d1 + 10 + drive(NEAR, FAR, 40)
    assert rec["a"].first_dispatch == 60.0 and rec["a"].units == ["p", "p"]
    assert rec["a"].first_arrival == pytest.approx(back_at_a, abs=1e-9)
    assert rec["a"].resolved == pytest.approx(back_at_a + 30, abs=1e-9)
    # busy without a break from 60 (first dispatch) to a's resolution
    assert result.busy_crew_minutes["s"] == pytest.approx(4 * (back_at_a + 30 - 60), abs=1e-9)


def test_crowd_preempted_while_dispersing_stops_until_controlled_again():
    # A crowd of 300 from its call (07:00 = 60, peak = initial), holding 10 min; three teams
    # of 10 at the spot: need 30, controlled from 60. It disperses from 70 at 10/min:
    # 200 at 80 -> need 20 -> t-3 (the highest row of equal arrival times) goes home.
    # r (p1, 07:25 = 85, needs 20 crowd_control) takes the free t-3 and preempts one
    # on-scene team of the crowd (p2), the lowest row of equal arrivals: t-1.
    # The crowd (150 at 85, need 15) has 10 on scene: not controlled, it stops at 150.
    # r ends at 115; t-1 (first of the two now free) goes back to the crowd: controlled
    # again at 115, it disperses 150 / 10 = 15 min: gone at 130 (100 without the preemption).
    # Short of need 85 -> 115: full strength 115, short_minutes 30.
    units = [{"id": "t", "type": "cc", "count": 3, "base": "kpu"}]
    sc = scenario({"kpu": BASE}, {"cc": CC}, units,
                  [crowd("07:00", "kpu", 300, 300, "10min"),
                   call("r", "07:25", "kpu", {"crowd_control": 20}, "30min", priority=1)],
                  dispatch={"preempt": True})
    result = run_replication(sc, 0)
    rec = by_label(result)
    assert rec["crowd"].full_strength == 115.0 and rec["crowd"].short_minutes == pytest.approx(30.0)
    assert actions(result, "preempt") == [(85.0, "t-1", rec["crowd"].id)]
    assert actions(result, "short") == [(85.0, "", rec["crowd"].id)]
    assert rec["r"].units == ["t-3", "t-1"] and rec["r"].resolved == 115.0
    assert rec["crowd"].units == ["t-1", "t-2", "t-3", "t-1"]
    assert rec["crowd"].resolved == pytest.approx(130.0, abs=1e-9)
    assert rec["crowd"].level_minutes == pytest.approx([70.0, 0.0, 0.0])


# ---------------------------------------------------------------- escalation and tiers


def test_escalation_to_merah_opens_tier_3_and_the_need_follows_the_factor():
    # A crowd of 210 from its call (60), holding 30 min; per_officer 10 -> base need 21.
    # The only crowd_control unit is tier 3 (crew 40, at the spot). Escalation below 0.8
    # after 5 min, factor 1.3. Nobody on scene: ratio 0 < 0.8 from the call.
    #   65: level 2, need ceil(21 x 1.3) = ceil(27.3) = 28 (tier 3 still closed)
    #   70: level 3, need ceil(21 x 1.3^2) = ceil(35.49) = 36 (not ceil(28 x 1.3) = 37);
    #       tier 3 opens, the unit arrives at once: 40 >= 36, full strength at 70.
    # Holds to 90, disperses 210 / 10 = 21 min under control: gone at 111.
    # level_minutes: 5 at hijau, 5 at kuning, 41 at merah = 111 - 60.
    types = {"brimob": {"crew": 40, "speed_kmh": 40, "capabilities": ["crowd_control"], "tier": 3}}
    sc = scenario({"kpu": BASE}, types, [{"id": "brimob", "type": "brimob", "base": "kpu"}],
                  [crowd("07:00", "kpu", 210, 210, "30min",
                         escalation={"below": 0.8, "after": "5min", "factor": 1.3})])
    result = run_replication(sc, 0)
    rec = result.incidents[0]
    assert [t for t, _, _ in actions(result, "escalate")] == [65.0, 70.0]
    assert rec.max_level == 3 and rec.need == 36
    assert rec.first_dispatch == 70.0 and rec.units == ["brimob"]
    assert rec.full_strength == 70.0
    assert rec.resolved == pytest.approx(111.0, abs=1e-9)
    assert rec.level_minutes == pytest.approx([5.0, 5.0, 41.0])


# ---------------------------------------------------------------- end of the run


def test_incidents_open_at_the_end_stay_unresolved_and_units_stay_busy():
    # duration 2h, drain 1h: the run ends at 180 at the latest. x (07:00 = 60) works 3 h: it
    # would end at 240. y (07:30 = 90) never gets the only unit.
    # x: full strength 60, resolved empty, level_minutes [180 - 60]; y: nothing, [180 - 90].
    # x is covered at the end: full strength 60 (held to the end), short 0; y is never
    # covered: full strength empty, short from its call to the end, 180 - 90 = 90.
    # busy: 4 crew x (120 - 60) = 240 in the window [0, 120] of 4 x 120 = 480 available;
    # 4 x (180 - 120) = 240 in the drain.
    sc = scenario({"base": BASE}, {"s": RESPONSE}, [{"id": "p", "type": "s", "base": "base"}],
                  [call("x", "07:00", "base", 4, "3h"), call("y", "07:30", "base", 4, "10min")],
                  clock={"start": START, "duration": "2h", "drain": "1h"})
    result = run_replication(sc, 0)
    rec = by_label(result)
    assert result.end == 180.0
    assert rec["x"].full_strength == 60.0 and rec["x"].resolved is None and rec["x"].resolution_time is None
    assert rec["y"].first_dispatch is None and rec["y"].resolved is None
    assert rec["x"].level_minutes == pytest.approx([120.0, 0.0, 0.0])
    assert rec["y"].level_minutes == pytest.approx([90.0, 0.0, 0.0])
    assert rec["x"].short_minutes == 0.0
    assert rec["y"].full_strength is None and rec["y"].short_minutes == 90.0
    assert result.duration == 120.0
    assert result.busy_crew_minutes["s"] == pytest.approx(240.0)
    assert result.drain_busy_crew_minutes["s"] == pytest.approx(240.0)
    assert result.available_crew_minutes["s"] == 480.0
    last = [p for p in result.timeline if p.unit_type == "s"][-1]
    assert (last.time, last.committed, last.on_scene, last.free) == (180.0, 4, 4, 0)


# ---------------------------------------------------------------- travel matrix


def _matrix_scenario(tmp_path, units: list, incidents: list, minutes: list[list[float]]):
    (tmp_path / "m.csv").write_text("from,base,a,b\nbase,0,10,5\na,12,0,6\nb,5,6,0\n", encoding="utf-8")
    sc = scenario_from_dict({
        "version": 1, "name": "matrix", "seed": 1, "clock": {"start": START, "duration": "12h", "drain": "2h"},
        "map": {"travel": {"matrix": "m.csv"}, "places": {"base": BASE, "a": FAR, "b": NEAR}},
        "forces": {"types": {"s": {**RESPONSE, "mobilise": "3min"}}, "units": units},
        "incidents": incidents,
    }, base_dir=tmp_path)
    # validation refuses holes between the places it knows are needed; a --seed override
    # can still bring an incident to a TPS whose pairs are empty: build that state directly
    return dataclasses.replace(sc, matrix=TravelMatrix(("base", "a", "b"), np.array(minutes, dtype=float)))


def test_matrix_incident_no_capable_unit_can_reach_waits_unresolved(tmp_path):
    # b is unreachable from everywhere (empty cells). b (p1, 07:00) never gets a unit;
    # a (p2, 07:05 = 65) does: mobilise 3 + matrix[base, a] 10 -> arrives 78, ends 88.
    # The run goes to duration + drain = 720 + 120 = 840; b's level_minutes = 840 - 60.
    nan = math.nan
    sc = _matrix_scenario(tmp_path, [{"id": "p", "type": "s", "base": "base"}],
                          [call("b", "07:00", "b", 4, "10min", priority=1), call("a", "07:05", "a", 4, "10min")],
                          [[0, 10, nan], [12, 0, nan], [nan, nan, 0]])
    result = run_replication(sc, 0)
    rec = by_label(result)
    assert rec["b"].first_dispatch is None and rec["b"].resolved is None
    assert rec["a"].response_time == 13.0 and rec["a"].resolved == 88.0
    assert result.end == 840.0
    assert rec["b"].level_minutes == pytest.approx([780.0, 0.0, 0.0])


def test_matrix_unit_driving_back_is_taken_at_the_node_it_left(tmp_path):
    # x at a (07:00): mobilise 3 + 10 -> on scene 73, ends 83, drives a -> base (12 min,
    # home at 95). y at b (07:30 = 90) takes it from the road: it counts as standing at a,
    # no mobilisation: matrix[a, b] = 6 -> response 6 (not 3 + matrix[base, b] = 8).
    sc = _matrix_scenario(tmp_path, [{"id": "p", "type": "s", "base": "base"}],
                          [call("x", "07:00", "a", 4, "10min"), call("y", "07:30", "b", 4, "10min")],
                          [[0, 10, 5], [12, 0, 6], [5, 6, 0]])
    rec = by_label(run_replication(sc, 0))
    assert rec["x"].resolved == 83.0
    assert rec["y"].response_time == 6.0


# ---------------------------------------------------------------- common random numbers


def test_mobilise_draws_follow_the_unit_id_across_plans():
    # Plan A has unit p alone; plan B declares q (far away) before p. p answers all three
    # calls at its base in both plans (expected arrival: mean mobilise 5 + 0 beats 5 + drive),
    # so each response time is p's own mobilise draw, from the stream
    # (seed, replication, crc32("p"), MOBILISE), in dispatch order.
    s = {**RESPONSE, "mobilise": {"dist": "exponential", "mean": "5min"}}
    calls = [call(f"c{k}", f"0{7 + k}:00", "base", 4, "10min") for k in range(3)]
    places = {"base": BASE, "far": FAR}
    a = scenario(places, {"s": s}, [{"id": "p", "type": "s", "base": "base"}], calls)
    b = scenario(places, {"s": s}, [{"id": "q", "type": "s", "base": "far"}, {"id": "p", "type": "s", "base": "base"}],
                 calls)
    gen = rngmod.stream(9, 4, zlib.crc32(b"p"), rngmod.MOBILISE)
    draws = [float(a.spec.forces.types["s"].mobilise.sample(gen)) for _ in range(3)]
    for plan in (a, b):
        rec = run_replication(plan, 4).incidents
        assert [r.units for r in rec] == [["p"]] * 3
        assert [r.response_time for r in rec] == pytest.approx(draws, abs=1e-9)
    assert len(set(draws)) == 3
