"""Forces in space and time (format 1.1): areas of responsibility with mutual aid, units on duty
from, until and on request, guards as first responders and the escort, on timelines computed by
hand.

Places and drive times: tests/engine/handcase.py (06:00 is minute 0, so 07:00 is minute 60).
District "a" is a 0.5 km circle around BASE, district "b" one around FAR (~6 km away); NEAR
(~1 km from BASE) lies in neither. Unit type "q": crew 4, 40 km/h, mobilise exactly 3 min.
"""

from __future__ import annotations

import pytest

from sispam_sim.engine.model import run_replication
from tests.engine.handcase import BASE, FAR, NEAR, by_label, drive, scenario

PLACES = {"base": BASE, "near": NEAR, "far": FAR}
DISTRICTS = {"a": {**BASE, "radius_km": 0.5}, "b": {**FAR, "radius_km": 0.5}}
TYPES = {"q": {"crew": 4, "speed_kmh": 40, "mobilise": "3min", "capabilities": ["response"]}}
MOB = 3.0


def call(label, where="far", at="07:00", work="30min", priority=2, **extra):
    return {"kind": "rapid_response", "label": label, "at": at, "where": {"place": where},
            "needs": {"response": 4}, "work": work, "priority": priority, **extra}


def build(incidents, units, dispatch=None, **extra):
    """A format 1.1 hand case: handcase's places, with the districts the areas name."""
    return scenario(PLACES, TYPES, units, incidents, dispatch, version=1.1,
                    map={"travel": {"road_factor": 1.3}, "places": PLACES, "districts": DISTRICTS}, **extra)


# ---------------------------------------------------------------- areas and mutual aid

AREA_UNIT = [{"id": "qa", "type": "q", "base": "base", "area": "base"}]


@pytest.mark.parametrize("aid, expected_delay", [({"after": "10min"}, 10.0), ("immediate", 0.0)])
def test_a_call_outside_the_only_units_area_is_reached_after_the_mutual_aid_delay(aid, expected_delay):
    """qa's base lies in district a (area: base); the call at 07:00 (minute 60) is at FAR, in
    district b. With mutual_aid {after: 10min} nobody may go until 60 + 10 = 70: dispatch delay
    10, response 10 + 3 (mobilise) + drive(BASE, FAR, 40 km/h). With immediate: 0 and 3 + drive.
    Either way the one unit came from outside the incident's area: outside_units = 1."""
    sc = build([call("out")], AREA_UNIT, dispatch={"mutual_aid": aid})
    rec = by_label(run_replication(sc, 0))["out"]
    assert rec.dispatch_delay == pytest.approx(expected_delay, abs=1e-9)
    assert rec.response_time == pytest.approx(expected_delay + MOB + drive(BASE, FAR, 40), abs=1e-6)
    assert rec.outside_units == 1


def test_with_mutual_aid_never_a_call_outside_every_area_is_never_reached_and_stays_censored(tmp_path):
    """mutual_aid: never: qa never leaves district a, the call at FAR (district b) waits to the end of
    the run: no dispatch, no arrival (censored), unresolved; a call inside a is served as usual
    (response 3 + drive(BASE, BASE) = 3)."""
    sc = build([call("out"), call("in", where="base", at="08:00")], AREA_UNIT, dispatch={"mutual_aid": "never"})
    recs = by_label(run_replication(sc, 0))
    out, inside = recs["out"], recs["in"]
    assert out.first_dispatch is None and out.response_time is None and out.resolved is None
    assert inside.response_time == pytest.approx(MOB, abs=1e-9) and inside.outside_units == 0


def test_the_areas_units_go_first_then_outside_units_once_aid_opens():
    """Two units: qa in area a at BASE, qb in area b at FAR. A call at FAR needing 8 (two units):
    qb (its area) goes at once: response 3 + 0; qa from outside only at 60 + 10 = 70, arriving
    at 70 + 3 + drive(BASE, FAR): full strength then, and outside_units = 1."""
    units = AREA_UNIT + [{"id": "qb", "type": "q", "base": "far_base", "area": "base"}]
    places = {**PLACES, "far_base": FAR}
    from sispam_sim.scenario.loader import scenario_from_dict

    data = {
        "version": 1.1, "name": "hand", "seed": 5,
        "clock": {"start": "2024-11-27 06:00", "duration": "12h", "drain": "12h"},
        "map": {"travel": {"road_factor": 1.3}, "places": places, "districts": DISTRICTS},
        "forces": {"types": TYPES, "units": units},
        "incidents": [{**call("two"), "needs": {"response": 8}}],
        "dispatch": {"mutual_aid": {"after": "10min"}},
    }
    rec = by_label(run_replication(scenario_from_dict(data), 0))["two"]
    assert rec.units == ["qb", "qa"]
    assert rec.response_time == pytest.approx(MOB, abs=1e-9)
    assert rec.full_strength_time == pytest.approx(10 + MOB + drive(BASE, FAR, 40), abs=1e-6)
    assert rec.outside_units == 1


# ---------------------------------------------------------------- availability

def test_a_unit_available_from_10_00_answers_a_09_00_call_after_exactly_60_minutes():
    """The call at 09:00 (minute 180) at NEAR; the only unit is on duty from 10:00 (minute 240):
    dispatch delay 240 - 180 = 60; response 60 + 3 + drive(BASE, NEAR, 40)."""
    sc = build([call("early", where="near", at="09:00")],
               [{"id": "q1", "type": "q", "base": "base", "available": {"from": "10:00"}}])
    result = run_replication(sc, 0)
    rec = by_label(result)["early"]
    assert rec.dispatch_delay == pytest.approx(60.0, abs=1e-9)
    assert rec.response_time == pytest.approx(60.0 + MOB + drive(BASE, NEAR, 40), abs=1e-6)
    assert [e.time for e in result.events if e.action == "on_duty"] == [pytest.approx(240.0)]


def test_a_unit_busy_at_its_until_finishes_that_incident_and_takes_no_other():
    """q1 is on duty until 08:00 (minute 120). Call A at 07:30 (90) at NEAR: dispatched at 90,
    arrives 90 + 3 + d (d = drive(BASE, NEAR)), works 60 min: resolved at 153 + d, after its until.
    Call B at 07:40 (100) waits; once A is resolved q1 goes off duty: B is never dispatched."""
    sc = build([call("A", where="near", at="07:30", work="60min"), call("B", where="near", at="07:40")],
               [{"id": "q1", "type": "q", "base": "base", "available": {"until": "08:00"}}])
    result = run_replication(sc, 0)
    recs = by_label(result)
    d = drive(BASE, NEAR, 40)
    assert recs["A"].resolved == pytest.approx(90 + MOB + d + 60, abs=1e-6)
    assert recs["B"].first_dispatch is None and recs["B"].resolved is None
    (off,) = [e for e in result.events if e.action == "off_duty"]
    assert off.unit == "q1" and off.time == pytest.approx(recs["A"].resolved)


def test_no_unit_on_duty_then_one_arriving_serves_the_waiting_calls_in_priority_order():
    """Nothing is on duty before 08:00 (minute 120). Z (priority 2) is called at 06:30 (30), X
    (priority 2) at 07:00 (60), Y (priority 1) at 07:30 (90), all at NEAR, 30 min of work each.
    At 120 the unit comes on duty and goes to Y first: arrives 123 + d, resolved 153 + d; then,
    sent from where it stands (no mobilisation, travel 0), Z (the earlier of the two priority 2
    calls) from 153 + d to 183 + d; then X from 183 + d to 213 + d."""
    sc = build([call("Z", where="near", at="06:30"), call("X", where="near", at="07:00"),
                call("Y", where="near", at="07:30", priority=1)],
               [{"id": "q1", "type": "q", "base": "base", "available": {"from": "08:00"}}])
    recs = by_label(run_replication(sc, 0))
    d = drive(BASE, NEAR, 40)
    assert recs["Y"].first_dispatch == pytest.approx(120.0)
    assert recs["Y"].resolved == pytest.approx(153 + d, abs=1e-6)
    assert recs["Z"].first_dispatch == pytest.approx(153 + d, abs=1e-6)
    assert recs["Z"].resolved == pytest.approx(183 + d, abs=1e-6)
    assert recs["X"].first_dispatch == pytest.approx(183 + d, abs=1e-6)
    assert recs["X"].resolved == pytest.approx(213 + d, abs=1e-6)


def test_on_request_adds_its_delay_once():
    """q1 is on request with a delay of exactly 2 h. Call A at 07:00 (60) at NEAR: response
    120 (delay) + 3 + d. Resolved at 60 + 123 + d + 30; q1 drives home (d) and is at base by
    213 + 2d < 240. Call B at 10:00 (240): response 3 + d, without the delay."""
    sc = build([call("A", where="near"), call("B", where="near", at="10:00")],
               [{"id": "q1", "type": "q", "base": "base", "on_request": {"delay": "2h"}}])
    recs = by_label(run_replication(sc, 0))
    d = drive(BASE, NEAR, 40)
    assert recs["A"].response_time == pytest.approx(120 + MOB + d, abs=1e-6)
    assert recs["B"].response_time == pytest.approx(MOB + d, abs=1e-6)


def test_on_duty_crew_minutes_count_only_the_window():
    """q1 (crew 4) on duty 08:00-10:00 of a 12 h day: 4 x 120 = 480 available crew-minutes."""
    sc = build([call("A", where="near")],
               [{"id": "q1", "type": "q", "base": "base", "available": {"from": "08:00", "until": "10:00"}}])
    result = run_replication(sc, 0)
    assert result.available_crew_minutes["q"] == pytest.approx(480.0)


# ---------------------------------------------------------------- guards

def guard_scenario(incidents, guard, units=None, phases=None):
    """Three TPS in district a (one guard group: per_tps 3, police 2, standing at its first TPS)."""
    from sispam_sim.scenario.loader import scenario_from_dict

    data = {
        "version": 1.1, "name": "hand", "seed": 5,
        "clock": {"start": "2024-11-27 06:00", "duration": "12h", "drain": "12h"},
        "map": {"travel": {"road_factor": 1.3}, "places": PLACES, "districts": DISTRICTS,
                "sites": {"generate": [{"district": "a", "count": 3}]}},
        "forces": {"types": TYPES, "units": units or [{"id": "q1", "type": "q", "base": "base"}]},
        "guard": {"tps": {"aman": {"police": 2, "per_tps": 3}}, **guard},
        "incidents": incidents,
    }
    if phases:
        data["clock"]["phases"] = phases
    return scenario_from_dict(data)


def tps_call(label, at, entry_id=None, need=2, work="30min"):
    entry = {"kind": "rapid_response", "label": label, "at": at, "where": {"sites": "any"},
             "needs": {"response": need}, "work": work}
    if entry_id:
        entry["id"] = entry_id
    return entry


def test_a_guard_group_sent_to_a_dispute_leaves_its_tps_unguarded_for_exactly_the_trip_and_the_work():
    """The dispute (guard.respond) at 07:00 (60) at TPS s of the group whose post is its first TPS
    f: the guards (2 police = the need, 20 km/h, no mobilisation) go first and alone: response
    g = drive(f, s, 20), resolved at 60 + g + 30, back at f at 60 + 2g + 30. A check call at 07:10
    (70, before that) finds its TPS unguarded; one at 09:00 (180, after) finds it guarded."""
    sc = guard_scenario([tps_call("dispute", "07:00", "dispute"), tps_call("check", "07:10", need=4),
                         tps_call("later", "09:00", need=4)],
                        {"respond": {"incidents": ["dispute"]}})
    sites = {s.id: {"lat": s.lat, "lon": s.lon} for s in sc.sites}
    first = sites[sc.sites[0].id]
    for k in range(5):
        result = run_replication(sc, k)
        recs = by_label(result)
        dispute = recs["dispute"]
        g = drive(first, sites[dispute.site], 20)
        assert dispute.units == ["guard-aman-1"]
        assert dispute.response_time == pytest.approx(g, abs=1e-6)
        assert dispute.resolved == pytest.approx(60 + g + 30, abs=1e-6)
        home = [e.time for e in result.events if e.unit == "guard-aman-1" and e.action == "base"]
        if g > 0:
            assert home == [pytest.approx(60 + 2 * g + 30, abs=1e-6)]
        assert recs["check"].unguarded == 1
        assert recs["later"].unguarded == 0
        assert "guard-aman-1" not in recs["check"].units   # it is not sent to another entry's call


def test_a_guard_group_is_busy_only_while_it_answers_a_call_not_while_it_stands_guard_or_is_off():
    """The dispute at 07:00 (60) as above: the guard group (2 police) is busy from its dispatch at 60
    until released at 60 + g + 30, so busy = 2 (g + 30) crew-minutes. The escort (08:00-09:00, 120-180,
    after_escort off) then ends its day at 180: on duty 0-180, available = 2 x 180 = 360. Standing
    guard, escorting and the hours off duty to the end of the run (720) are not busy: utilisation =
    2 (g + 30) / 360, never above 1 (it read (2 (g + 30) + 2 (720 - 60)) / 360, 3.8 with g = 0, when a
    group off duty at the end was counted busy again from its last dispatch to the end)."""
    sc = guard_scenario([tps_call("dispute", "07:00", "dispute")],
                        {"respond": {"incidents": ["dispute"]}, "escort": {"phase": "escort", "after_escort": "off"}},
                        phases={"escort": ["08:00", "09:00"]})
    sites = {s.id: {"lat": s.lat, "lon": s.lon} for s in sc.sites}
    first = sites[sc.sites[0].id]
    result = run_replication(sc, 0)
    dispute = by_label(result)["dispute"]
    g = drive(first, sites[dispute.site], 20)
    assert result.busy_crew_minutes["tps_guard"] == pytest.approx(2 * (g + 30), abs=1e-6)
    assert result.available_crew_minutes["tps_guard"] == pytest.approx(2 * 180, abs=1e-6)


def test_guards_until_and_the_escort_phase_leave_every_tps_unguarded_then_mobile():
    """guard.escort in phase escort 08:00-09:00 (120-180), after_escort response. A call at 08:30
    (150) needing 2 response finds its TPS unguarded, and no unit (the guards escort; there is no
    other unit): it waits until the escort ends at 180, when the guard group, mobile now, goes
    from its post f: dispatch delay 30, response 30 + drive(f, s, 20)."""
    sc = guard_scenario([tps_call("during", "08:30")], {"escort": {"phase": "escort"}},
                        units=[{"id": "q1", "type": "q", "base": "base", "available": {"until": "06:30"}}],
                        phases={"escort": ["08:00", "09:00"]})
    sites = {s.id: {"lat": s.lat, "lon": s.lon} for s in sc.sites}
    first = sites[sc.sites[0].id]
    rec = by_label(run_replication(sc, 0))["during"]
    assert rec.unguarded == 1
    assert rec.dispatch_delay == pytest.approx(30.0, abs=1e-9)
    assert rec.response_time == pytest.approx(30.0 + drive(first, sites[rec.site], 20), abs=1e-6)
    assert rec.units == ["guard-aman-1"]


def test_static_guards_drop_from_the_timeline_at_guard_until():
    """Static guards (no respond, no escort): 2 police committed from 0 to guard.until 08:00
    (120), none after; a call at 09:00 finds its TPS unguarded, one at 07:00 guarded."""
    sc = guard_scenario([tps_call("before", "07:00", need=4), tps_call("after", "09:00", need=4)],
                        {"until": "08:00"})
    result = run_replication(sc, 0)
    points = [(p.time, p.committed) for p in result.timeline if p.unit_type == "tps_guard"]
    assert points[:2] == [(0.0, 2), (120.0, 0)]
    recs = by_label(result)
    assert (recs["before"].unguarded, recs["after"].unguarded) == (0, 1)
