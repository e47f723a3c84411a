"""The engine against numbers worked out by hand, one mechanism at a time.

Distances are computed here with an independent haversine, so a wrong radius, a
degrees/radians slip or a forgotten road factor in the engine shows up as a number.
"""

from __future__ import annotations

import math

import pytest

from sispam_sim.engine.model import run_replication
from handcase import BASE, FAR, NEAR, START, by_label, drive, km, scenario
from sispam_sim.scenario.loader import scenario_from_dict


def call(label: str, at: str, place: str, need: int, work: str, priority: int = 2, cap: str = "response") -> dict:
    return {"kind": "rapid_response", "label": label, "at": at, "where": {"place": place},
            "needs": {cap: need}, "work": work, "priority": priority}


SABHARA = {"crew": 4, "speed_kmh": 40, "mobilise": "3min", "capabilities": ["response"]}


def test_one_unit_one_call_response_time_is_mobilise_plus_drive():
    sc = scenario({"base": BASE, "far": FAR}, {"sabhara": SABHARA},
                  [{"id": "p", "type": "sabhara", "base": "base"}],
                  [call("a", "08:00", "far", 4, "30min")])
    rec = run_replication(sc, 0).incidents[0]
    travel = drive(BASE, FAR, 40)
    assert 5.0 < km(BASE, FAR) < 7.0
    assert rec.call == 120.0
    assert rec.dispatch_delay == 0.0
    assert rec.response_time == pytest.approx(3.0 + travel, abs=1e-9)
    assert rec.full_strength_time == pytest.approx(3.0 + travel, abs=1e-9)
    assert rec.resolution_time == pytest.approx(3.0 + travel + 30.0, abs=1e-9)
    assert rec.units == ["p"]
    assert rec.tps_downtime is None


def test_station_disruption_downtime_is_response_plus_work():
    sc = scenario_from_dict({
        "version": 1, "name": "tps", "seed": 11, "clock": {"start": START, "duration": "12h"},
        "map": {"places": {"base": BASE}, "districts": {"d": {**BASE, "radius_km": 4}},
                "sites": {"generate": [{"district": "d", "count": 1, "risk": {"sangat_rawan": 1.0}}]}},
        "forces": {"types": {"sabhara": SABHARA}, "units": [{"id": "p", "type": "sabhara", "base": "base"}]},
        "incidents": [{"kind": "station_disruption", "at": "09:00", "where": {"sites": {"risk": ["sangat_rawan"]}},
                       "needs": {"response": 4}, "work": "45min"}],
    })
    site = sc.sites[0]
    rec = run_replication(sc, 0).incidents[0]
    response = 3.0 + drive(BASE, {"lat": site.lat, "lon": site.lon}, 40)
    assert rec.site == site.id and rec.place == site.id
    assert rec.response_time == pytest.approx(response, abs=1e-9)
    assert rec.tps_downtime == pytest.approx(response + 45.0, abs=1e-9)


def test_partial_dispatch_full_strength_waits_for_the_far_unit():
    fast = {"crew": 4, "speed_kmh": 40, "mobilise": "2min", "capabilities": ["response"]}
    sc = scenario({"base": BASE, "near": NEAR, "far": FAR}, {"sabhara": fast},
                  [{"id": "n", "type": "sabhara", "base": "near"}, {"id": "f", "type": "sabhara", "base": "far"}],
                  [call("a", "08:00", "base", 8, "20min")])
    rec = run_replication(sc, 0).incidents[0]
    t_near, t_far = 2 + drive(NEAR, BASE, 40), 2 + drive(FAR, BASE, 40)
    assert t_near < t_far
    assert rec.units == ["n", "f"]
    assert rec.need == 8
    assert rec.response_time == pytest.approx(t_near, abs=1e-9)
    assert rec.full_strength_time == pytest.approx(t_far, abs=1e-9)
    assert rec.resolution_time == pytest.approx(t_far + 20, abs=1e-9)


def test_partial_dispatch_rest_follows_when_a_unit_frees_up():
    # One 4-crew unit, need 8: it goes at once; the need is never covered, the incident
    # stays unresolved (resolved empty) and the run stops at duration + drain.
    instant = {"crew": 4, "speed_kmh": 40, "capabilities": ["response"]}
    sc = scenario({"base": BASE}, {"s": instant}, [{"id": "p", "type": "s", "base": "base"}],
                  [call("a", "08:00", "base", 8, "20min")])
    result = run_replication(sc, 0)
    rec = result.incidents[0]
    assert rec.first_dispatch == 120.0 and rec.first_arrival == 120.0
    assert rec.full_strength is None and rec.resolved is None
    assert result.end == 720.0 + 720.0


def test_waiting_incidents_are_served_by_priority_then_call_time():
    # Everything at the base: travel 0, mobilise 0. The only unit works on x until 08:00;
    # y (priority 2, 07:10) and z (priority 1, 07:20) wait; z goes first.
    instant = {"crew": 4, "speed_kmh": 40, "capabilities": ["response"]}
    sc = scenario({"base": BASE}, {"s": instant}, [{"id": "p", "type": "s", "base": "base"}],
                  [call("x", "07:00", "base", 4, "60min"), call("y", "07:10", "base", 4, "30min"),
                   call("z", "07:20", "base", 4, "30min", priority=1), call("w", "07:25", "base", 4, "10min")])
    rec = by_label(run_replication(sc, 0))
    assert rec["x"].resolved == 120.0
    assert rec["z"].first_dispatch == 120.0 and rec["z"].resolved == 150.0
    assert rec["y"].first_dispatch == 150.0 and rec["y"].resolved == 180.0
    assert rec["w"].first_dispatch == 180.0 and rec["w"].dispatch_delay == 180.0 - 85.0


def test_reserve_holds_units_back_from_priority_2_but_not_priority_1():
    # Two 4-crew units, reserve 4 response personnel for priority 1.
    # a (p2, 07:00) takes one unit: 4 free remain >= 4. b (p2, 07:05) may not take the
    # last one (0 < 4): it waits. c (p1, 07:10) takes it at once. When a ends (07:40) one
    # unit is free but taking it would again leave 0: b still waits, until c ends (08:10).
    instant = {"crew": 4, "speed_kmh": 40, "capabilities": ["response"]}
    sc = scenario({"base": BASE}, {"s": instant}, [{"id": "p", "type": "s", "count": 2, "base": "base"}],
                  [call("a", "07:00", "base", 4, "40min"), call("b", "07:05", "base", 4, "10min"),
                   call("c", "07:10", "base", 4, "60min", priority=1)],
                  dispatch={"reserve": {"response": 4}})
    rec = by_label(run_replication(sc, 0))
    assert rec["a"].first_dispatch == 60.0
    assert rec["c"].first_dispatch == 70.0 and rec["c"].units == ["p-2"]
    assert rec["b"].first_dispatch == 130.0
    no_reserve = scenario({"base": BASE}, {"s": instant}, [{"id": "p", "type": "s", "count": 2, "base": "base"}],
                          [call("a", "07:00", "base", 4, "40min"), call("b", "07:05", "base", 4, "10min"),
                           call("c", "07:10", "base", 4, "60min", priority=1)])
    plain = by_label(run_replication(no_reserve, 0))
    assert plain["b"].first_dispatch == 65.0
    assert plain["c"].first_dispatch == 75.0   # waits for b to finish


def test_tier_2_unit_answers_level_1_incidents_only_when_tiers_are_open():
    types = {"sabhara": {"crew": 4, "speed_kmh": 40, "capabilities": ["response"]},
             "brimob": {"crew": 30, "speed_kmh": 40, "capabilities": ["response"], "tier": 2}}
    units = [{"id": "far-patrol", "type": "sabhara", "base": "far"}, {"id": "brimob", "type": "brimob", "base": "base"}]
    incidents = [call("a", "08:00", "base", 4, "10min")]
    closed = run_replication(scenario({"base": BASE, "far": FAR}, types, units, incidents), 0).incidents[0]
    assert closed.units == ["far-patrol"]
    assert closed.response_time == pytest.approx(drive(FAR, BASE, 40), abs=1e-9)
    opened = run_replication(scenario({"base": BASE, "far": FAR}, types, units, incidents,
                                      dispatch={"tiers": "open"}), 0).incidents[0]
    assert opened.units == ["brimob"]
    assert opened.response_time == 0.0


def _crowd(escalation: dict | None = None, peak: int = 300, lasts: str = "60min") -> dict:
    entry = {"kind": "crowd_buildup", "at": "07:00", "where": {"place": "kpu"},
             "crowd": {"initial": 100, "growth": "10/min", "peak": peak, "lasts": lasts}, "per_officer": 10}
    if escalation:
        entry["escalation"] = escalation
    return entry


CC = {"crew": 10, "speed_kmh": 30, "capabilities": ["crowd_control"]}


def test_crowd_whose_need_is_always_covered_never_escalates():
    # 30 officers on the spot from the call; the need peaks at ceil(200/10) = 20.
    # Growth 100 -> 200 takes 10 min, holds 30 min, disperses 200/10 = 20 min: gone at +60.
    types = {"dalmas": {"crew": 30, "speed_kmh": 30, "capabilities": ["crowd_control"]}}
    sc = scenario({"kpu": BASE}, types, [{"id": "d", "type": "dalmas", "base": "kpu"}],
                  [_crowd({"below": 0.8, "after": "5min", "factor": 1.5}, peak=200, lasts="30min")])
    rec = run_replication(sc, 0).incidents[0]
    assert rec.max_level == 1
    assert rec.need == 20
    assert rec.full_strength == 60.0
    assert rec.resolved == pytest.approx(60.0 + 60.0, abs=1e-9)
    assert rec.level_minutes == pytest.approx([60.0, 0.0, 0.0])


def test_crowd_that_outgrows_its_team_escalates_as_the_arithmetic_says():
    # One team of 10 on the spot; factor 1.3. need(t) = ceil(ceil((100 + 10 t) / 10) x 1.3^(level-1)):
    #   t=0: 10 (10/10 = 1.0 ok); t=1: 11 (10/11 = 0.909 >= 0.9 ok);
    #   t=2: 12 (0.833 < 0.9): the timer starts; 5 min later, t=7: level 2,
    #   need = ceil(17 x 1.3) = ceil(22.1) = 23, still below: the timer restarts;
    #   t=12: level 3, need = ceil(22 x 1.69) = ceil(37.18) = 38.
    #   Peak 250 at t=15: need = ceil(25 x 1.69) = ceil(42.25) = 43.
    sc = scenario({"kpu": BASE}, {"dalmas": CC}, [{"id": "d", "type": "dalmas", "base": "kpu"}],
                  [_crowd({"below": 0.9, "after": "5min", "factor": 1.3}, peak=250)])
    result = run_replication(sc, 0)
    rec = result.incidents[0]
    assert rec.max_level == 3
    assert rec.need == 43
    escalations = [e.time for e in result.events if e.action == "escalate"]
    assert escalations == [67.0, 72.0]
    # 10 on scene >= need 10 at the call, short from t=1 to the end of the run (1440): never
    # covered at the end, so no full strength
    assert rec.full_strength is None
    assert rec.short_minutes == pytest.approx(1440.0 - 61.0, abs=1e-9)
    assert [e.time for e in result.events if e.action in ("full_strength", "short")] == [60.0, 61.0]
    assert rec.resolved is None                 # never controlled at its peak: never disperses
    assert rec.level_minutes[:2] == pytest.approx([7.0, 5.0])


def test_crowd_escalation_opens_the_next_tier_which_covers_it():
    # As above, but a tier-2 team of 60 waits at the spot. At t=7 level 2 opens it: on
    # scene 70 >= 23. Peak at t=15: need at level 2 = ceil(25 x 1.3) = ceil(32.5) = 33; the
    # crowd stops growing, so the tier-1 team (10) is now surplus (70 - 10 >= 33) and is
    # released. It holds 60 min, then disperses 250 / 10 = 25 min under control: gone at t=100.
    types = {"dalmas": CC, "brimob": {"crew": 60, "speed_kmh": 30, "capabilities": ["crowd_control"], "tier": 2}}
    sc = scenario({"kpu": BASE}, types,
                  [{"id": "d", "type": "dalmas", "base": "kpu"}, {"id": "b", "type": "brimob", "base": "kpu"}],
                  [_crowd({"below": 0.9, "after": "5min", "factor": 1.3}, peak=250)])
    result = run_replication(sc, 0)
    rec = result.incidents[0]
    assert rec.max_level == 2
    assert rec.need == 33
    assert rec.units == ["d", "b"]
    assert [(e.time, e.unit) for e in result.events if e.action == "release"][0] == (75.0, "d")
    assert rec.resolved == pytest.approx(160.0, abs=1e-9)
    assert rec.level_minutes == pytest.approx([7.0, 93.0, 0.0])


def test_dispersing_crowd_releases_the_latest_arrived_team_first():
    # A crowd of 300 at its peak from the call (07:00), holding 30 min: need 30 = three teams
    # of 10, arriving in order a (on the spot), b (NEAR), c (FAR). Controlled from c's
    # arrival, it disperses from 07:30 at 10/min: at 200 (07:40) need 20 -> c goes home,
    # at 100 (07:50) need 10 -> b goes; gone at 08:00.
    sc = scenario({"kpu": BASE, "near": NEAR, "far": FAR}, {"dalmas": CC},
                  [{"id": "a", "type": "dalmas", "base": "kpu"}, {"id": "c", "type": "dalmas", "base": "far"},
                   {"id": "b", "type": "dalmas", "base": "near"}],
                  [{"kind": "crowd_buildup", "at": "07:00", "where": {"place": "kpu"},
                    "crowd": {"initial": 300, "growth": "10/min", "peak": 300, "lasts": "30min"},
                    "per_officer": 10}])
    assert 0 < drive(NEAR, BASE, 30) < drive(FAR, BASE, 30) < 30
    result = run_replication(sc, 0)
    rec = result.incidents[0]
    assert rec.full_strength == pytest.approx(60 + drive(FAR, BASE, 30), abs=1e-9)
    releases = [(e.time, e.unit) for e in result.events if e.action == "release"]
    assert releases == [(100.0, "c"), (110.0, "b"), (120.0, "a")]
    assert rec.resolved == 120.0


def test_crowd_without_control_does_not_disperse():
    # A team of 10 for a crowd that peaks at 150 (need 15): never controlled at its peak,
    # so it does not go home after `lasts`; the run ends at duration + drain unresolved.
    sc = scenario({"kpu": BASE}, {"dalmas": CC}, [{"id": "d", "type": "dalmas", "base": "kpu"}],
                  [_crowd(peak=150, lasts="10min")])
    result = run_replication(sc, 0)
    rec = result.incidents[0]
    assert rec.resolved is None and rec.need == 15
    assert rec.full_strength is None            # covered at 60 only: need 11 > 10 from 61 on
    assert rec.short_minutes == pytest.approx(1440.0 - 61.0, abs=1e-9)
    assert result.end == 1440.0
    # with a second team the crowd is controlled and disperses: 150 / 10 = 15 min after
    # the hold (peak at +5, hold to +15): gone at +30
    covered = scenario({"kpu": BASE}, {"dalmas": CC}, [{"id": "d", "type": "dalmas", "count": 2, "base": "kpu"}],
                       [_crowd(peak=150, lasts="10min")])
    assert run_replication(covered, 0).incidents[0].resolved == pytest.approx(90.0, abs=1e-9)


def test_returning_unit_is_redirected_from_its_interpolated_position():
    # Unit drives base -> a (far), works 10 min, drives back at 10 km/h (a long way home).
    # Call b comes while it is on the road: it turns around from where it is, without
    # mobilising again (its type mobilises 5 min).
    slow = {"crew": 4, "speed_kmh": 10, "mobilise": "5min", "capabilities": ["response"]}
    call_a = 60.0
    out = drive(BASE, FAR, 10)
    back_start = call_a + 5 + out + 10
    back = drive(FAR, BASE, 10)
    t_b = math.ceil(back_start) + 7
    assert t_b < back_start + back
    clock_b = f"{(360 + t_b) // 60:02d}:{(360 + t_b) % 60:02d}"
    sc = scenario({"base": BASE, "a": FAR, "b": NEAR}, {"s": slow}, [{"id": "p", "type": "s", "base": "base"}],
                  [call("a", "07:00", "a", 4, "10min"), call("b", clock_b, "b", 4, "10min")])
    rec = by_label(run_replication(sc, 0))
    assert rec["a"].resolved == pytest.approx(back_start, abs=1e-9)
    f = (t_b - back_start) / back
    here = {"lat": FAR["lat"] + f * (BASE["lat"] - FAR["lat"]), "lon": FAR["lon"] + f * (BASE["lon"] - FAR["lon"])}
    assert rec["b"].call == t_b
    assert rec["b"].response_time == pytest.approx(drive(here, NEAR, 10), abs=1e-9)
    # not the time from base (plus mobilise), nor from where it worked
    assert abs(rec["b"].response_time - (5 + drive(BASE, NEAR, 10))) > 1
    assert abs(rec["b"].response_time - drive(FAR, NEAR, 10)) > 1


def test_preemption_takes_from_lowest_priority_latest_work_and_the_victim_resumes():
    # Two units at the base (travel 0). a (p3, 07:00, 60 min) and b (p2, 07:05, 60 min)
    # take one each. c (p1, 07:10, 30 min) preempts a's unit (lowest priority); a has
    # worked 10 min, pauses, gets the unit back when c ends at 07:40, works its other
    # 50 min: resolved at 08:30.
    instant = {"crew": 4, "speed_kmh": 40, "capabilities": ["response"]}
    incidents = [call("a", "07:00", "base", 4, "60min", priority=3), call("b", "07:05", "base", 4, "60min"),
                 call("c", "07:10", "base", 4, "30min", priority=1)]
    units = [{"id": "p", "type": "s", "count": 2, "base": "base"}]
    rec = by_label(run_replication(scenario({"base": BASE}, {"s": instant}, units, incidents,
                                            dispatch={"preempt": True}), 0))
    assert rec["c"].first_dispatch == 70.0 and rec["c"].units == ["p-1"]
    assert rec["c"].resolved == 100.0
    assert rec["a"].units == ["p-1", "p-1"]
    assert rec["a"].resolved == pytest.approx(150.0)
    assert rec["b"].resolved == 125.0
    plain = by_label(run_replication(scenario({"base": BASE}, {"s": instant}, units, incidents), 0))
    assert plain["c"].first_dispatch == 120.0   # waits for a to finish


def test_pulled_guards_answer_from_their_tps():
    data = {
        "version": 1, "name": "guards", "seed": 3, "clock": {"start": START, "duration": "12h"},
        "map": {"places": {"base": FAR}, "districts": {"d": {**BASE, "radius_km": 2}},
                "sites": {"generate": [{"district": "d", "count": 3, "risk": {"rawan": 1.0}}]}},
        "forces": {"types": {"sabhara": SABHARA}, "units": [{"id": "p", "type": "sabhara", "base": "base"}]},
        "guard": {"tps": {"rawan": {"police": 2, "per_tps": 2}}},
        "incidents": [{"kind": "rapid_response", "at": "08:00", "where": {"sites": "any"},
                       "needs": {"response": 2}, "work": "10min"}],
    }
    static = run_replication(scenario_from_dict(data), 0)
    assert static.incidents[0].units == ["p"]
    guard_rows = [p for p in static.timeline if p.unit_type == "tps_guard"]
    assert guard_rows and all(p.committed == 4 and p.free == 0 for p in guard_rows)   # 2 groups x 2 police
    assert "tps_guard" not in static.busy_crew_minutes
    data["dispatch"] = {"pull_guards": True}
    sc = scenario_from_dict(data)
    pulled = run_replication(sc, 0)
    rec = pulled.incidents[0]
    first = {"lat": sc.sites[0].lat, "lon": sc.sites[0].lon}
    groups = {"guard-rawan-1": first, "guard-rawan-2": {"lat": sc.sites[2].lat, "lon": sc.sites[2].lon}}
    where = {"lat": rec.lat, "lon": rec.lon}
    best = min(groups, key=lambda g: drive(groups[g], where, 20))
    assert rec.units == [best]
    assert rec.response_time == pytest.approx(drive(groups[best], where, 20), abs=1e-9)
    assert pulled.available_crew_minutes["tps_guard"] == 4 * pulled.duration == 4 * 720.0


def test_busy_and_available_crew_minutes():
    sc = scenario({"base": BASE, "far": FAR}, {"sabhara": SABHARA},
                  [{"id": "p", "type": "sabhara", "count": 2, "base": "base"}],
                  [call("a", "08:00", "far", 4, "30min")])
    result = run_replication(sc, 0)
    busy = 4 * (3 + drive(BASE, FAR, 40) + 30)   # dispatch to release; the drive home is not busy
    assert result.end == 720.0
    assert result.busy_crew_minutes["sabhara"] == pytest.approx(busy, abs=1e-9)
    assert result.available_crew_minutes["sabhara"] == 4 * 2 * 720.0


def test_travel_matrix_minutes_are_used(tmp_path):
    (tmp_path / "m.csv").write_text("from,base,far\nbase,0,17.5\nfar,19,0\n", encoding="utf-8")
    data = {
        "version": 1, "name": "matrix", "clock": {"start": START, "duration": "12h"},
        "map": {"travel": {"matrix": "m.csv"}, "places": {"base": BASE, "far": FAR}},
        "forces": {"types": {"sabhara": SABHARA}, "units": [{"id": "p", "type": "sabhara", "base": "base"}]},
        "incidents": [call("a", "08:00", "far", 4, "30min")],
    }
    result = run_replication(scenario_from_dict(data, base_dir=tmp_path), 0)
    rec = result.incidents[0]
    assert rec.response_time == 3 + 17.5
    assert result.busy_crew_minutes["sabhara"] == 4 * (3 + 17.5 + 30)
    home = [e.time for e in result.events if e.action == "base"]
    assert home == [rec.resolved + 19]
