"""Triggered incidents (format 1.1 ``trigger``), on timelines computed by hand.

Places and drive times: tests/engine/handcase.py (06:00 is minute 0, so 07:00 is minute 60).
One unit "u" (crew 10, 40 km/h, no mobilisation) stands at BASE unless a test says otherwise.
"""

from __future__ import annotations

import pytest

from sispam_sim.engine.model import run_replication
from sispam_sim.errors import ScenarioError
from sispam_sim.scenario.loader import load_scenario
from tests.engine.handcase import BASE, FAR, NEAR, binomial_interval, drive, km, scenario

PLACES = {"base": BASE, "near": NEAR, "far": FAR}
TYPES = {"s": {"crew": 10, "speed_kmh": 40, "capabilities": ["response", "crowd_control"]}}
UNIT = [{"id": "u", "type": "s", "base": "base"}]


def call(label, where="near", at="07:00", work="30min", **extra):
    return {"kind": "rapid_response", "label": label, "at": at, "where": {"place": where},
            "needs": {"response": 10}, "work": work, **extra}


def triggered(label, incident, when, where=None, delay="0min", probability=None, work="30min"):
    trigger = {"incident": incident, "when": when, "delay": delay}
    if probability is not None:
        trigger["probability"] = probability
    return {"kind": "rapid_response", "label": label, "trigger": trigger, "where": where or {"at": "trigger"},
            "needs": {"response": 10}, "work": work}


def hand(incidents, types=TYPES, units=UNIT, **extra):
    return scenario(PLACES, types, units, incidents, version=1.1, **extra)


def labelled(result, label):
    return [r for r in result.incidents if r.label == label]


def test_a_trigger_at_merah_calls_exactly_its_delay_after_the_crowd_reaches_merah_on_those_days_only():
    """The crowd at NEAR is called at 07:00 (minute 60): 100 persons (peak 100, per officer 10:
    need 10). A call for help ("busy", rate 1/h only in 06:00-06:30, needing the one unit for 3 h)
    comes on some days: then the unit is still busy at 60, the crowd has 0 on scene < 0.8 x need
    from 60, so it escalates to kuning at 60 + 15 = 75 and to merah at 75 + 15 = 90 (the timer
    restarts at each level). The trigger (merah, probability 1, delay 20min) calls its incident
    at 90 + 20 = 110, at the crowd's place. On the other days the unit arrives after
    drive(BASE, NEAR) = 2.0 min, 10 >= 0.8 x 10: the crowd never escalates, nothing is triggered."""
    sc = hand([
        {"kind": "rapid_response", "label": "busy", "rate": {"06:00": "1/h", "06:30": "0/h"},
         "where": {"place": "far"}, "needs": {"response": 10}, "work": "3h"},
        {"kind": "crowd_buildup", "id": "crowd", "label": "crowd", "at": "07:00", "where": {"place": "near"},
         "crowd": {"initial": 100, "growth": "10/min", "peak": 100, "lasts": "30min"}, "per_officer": 10,
         "escalation": {"below": 0.8, "after": "15min", "factor": 1.0}},
        triggered("after merah", "crowd", "merah", delay="20min"),
    ])
    fired = quiet = 0
    for k in range(30):
        result = run_replication(sc, k)
        (crowd,) = labelled(result, "crowd")
        busy = [r for r in labelled(result, "busy") if r.call < 60]
        after = labelled(result, "after merah")
        if busy:
            fired += 1
            assert crowd.max_level == 3
            escalations = [e.time for e in result.events if e.incident == crowd.id and e.action == "escalate"]
            assert escalations == pytest.approx([75.0, 90.0], abs=1e-9)
            (inc,) = after
            assert inc.call == pytest.approx(110.0, abs=1e-9)
            assert inc.triggered_by == crowd.id
            assert (inc.place, inc.lat, inc.lon) == ("near", NEAR["lat"], NEAR["lon"])   # where: {at: trigger}
        else:
            quiet += 1
            assert crowd.max_level == 1
            assert after == []
    assert fired and quiet   # both kinds of day occur (P(no call in 30 min) = e^-0.5 = 0.61)


def test_unresolved_after_fires_only_while_the_triggering_incident_is_still_open():
    """The call at FAR (07:00, minute 60) is reached after drive(BASE, FAR) = 11.9 min and worked
    for 60 min: resolved at 60 + 11.9 + 60 = 131.9. ``unresolved_after: 30min``: still open at 90,
    so its incident is called at 90 + 5 = 95. ``unresolved_after: 2h``: 180 > 131.9, never."""
    sc = hand([
        call("far call", where="far", work="60min", id="far"),
        triggered("still open", "far", {"unresolved_after": "30min"}, delay="5min"),
        triggered("too late", "far", {"unresolved_after": "2h"}),
    ])
    result = run_replication(sc, 0)
    (far,) = labelled(result, "far call")
    assert far.resolved == pytest.approx(60 + drive(BASE, FAR, 40) + 60, abs=1e-9)
    (open_,) = labelled(result, "still open")
    assert open_.call == pytest.approx(95.0, abs=1e-9)
    assert open_.triggered_by == far.id and open_.place == "far"
    assert labelled(result, "too late") == []


def test_resolved_triggers_its_delay_after_the_resolution():
    """The call at NEAR (minute 60) is reached after d = drive(BASE, NEAR) and worked 30 min:
    resolved at 60 + d + 30; its trigger (resolved, delay 10min) calls at 60 + d + 40."""
    sc = hand([call("first", id="first"), triggered("then", "first", "resolved", delay="10min")])
    result = run_replication(sc, 0)
    (first,), (then,) = labelled(result, "first"), labelled(result, "then")
    d = drive(BASE, NEAR, 40)
    assert first.resolved == pytest.approx(60 + d + 30, abs=1e-9)
    assert then.call == pytest.approx(60 + d + 40, abs=1e-9)
    assert then.triggered_by == first.id


def test_a_chain_of_two_triggers():
    """A (NEAR, minute 60) is resolved at r_A = 60 + d + 30 (d = drive(BASE, NEAR)); B (resolved,
    10 min) is called at r_A + 10 at A's place. The unit was back at BASE at r_A + d < r_A + 10, so
    it reaches B at r_A + 10 + d (d = 2.0 min) and B is resolved at r_B = r_A + 10 + d + 30; C (triggered by B,
    resolved, 10 min) is called at r_B + 10. Ids continue the kind's numbering of the day."""
    sc = hand([call("A", id="a"),
               {**triggered("B", "a", "resolved", delay="10min"), "id": "b"},
               triggered("C", "b", "resolved", delay="10min")])
    result = run_replication(sc, 0)
    d = drive(BASE, NEAR, 40)
    (a,), (b,), (c,) = (labelled(result, x) for x in "ABC")
    r_a = 60 + d + 30
    r_b = r_a + 10 + d + 30
    assert (a.resolved, b.call, b.resolved, c.call) == pytest.approx((r_a, r_a + 10, r_b, r_b + 10), abs=1e-9)
    assert (b.triggered_by, c.triggered_by) == (a.id, b.id)
    assert [r.id for r in result.incidents] == ["rapid_response-0001", "rapid_response-0002", "rapid_response-0003"]
    assert c.resolved == pytest.approx(r_b + 10 + d + 30, abs=1e-9)   # the run waited for the pending calls


def test_a_triggered_call_may_come_in_the_drain():
    """Incidents arrive for 2 h (minutes 0-120); the call at 07:00 is resolved at 60 + d + 30 and
    its trigger's delay is 1 h: called at 150 + d, after the window, and still served."""
    sc = hand([call("first", id="first"), triggered("late", "first", "resolved", delay="1h")],
              clock={"start": "2024-11-27 06:00", "duration": "2h", "drain": "12h"})
    result = run_replication(sc, 0)
    (late,) = labelled(result, "late")
    d = drive(BASE, NEAR, 40)
    assert late.call == pytest.approx(60 + d + 30 + 60, abs=1e-9) and late.call > 120
    assert late.resolved == pytest.approx(late.call + d + 30, abs=1e-9)


def test_probability_half_fires_on_a_binomial_share_of_the_triggering_incidents():
    """One triggering call a day, 400 days; each fires with probability 0.5, independently: the
    count lies in the central 99.9% interval of Binomial(400, 0.5), about [167, 233]."""
    sc = hand([call("first", id="first"), triggered("maybe", "first", "resolved", probability=0.5)])
    n = 400
    fired = sum(len(labelled(run_replication(sc, k, record_timeline=False, record_events=False), "maybe"))
                for k in range(n))
    lo, hi = binomial_interval(n, 0.5)
    assert 160 < lo < hi < 240
    assert lo <= fired <= hi


def test_two_plans_get_the_same_triggered_incident_on_a_day_where_both_fire():
    """The triggered incident's fire, delay, place (near: a point within 3 km) and work come from
    its own stream, keyed by the triggering incident: a plan with other units resolves the
    triggering call at another time, and its triggered incident is the same but for the call
    time, which is the same delay after the resolution."""
    entries = [call("first", id="first", where="far"),
               triggered("near it", "first", "resolved", where={"near": "trigger", "within_km": 3},
                         delay={"dist": "exponential", "mean": "20min"}, probability=0.8,
                         work={"dist": "exponential", "mean": "40min"})]
    slow = hand(entries)
    fast = hand(entries, types={"s": {"crew": 10, "speed_kmh": 70, "capabilities": ["response"]}},
                units=[{"id": "w", "type": "s", "base": "near", "count": 2}])
    both = 0
    for k in range(20):
        a, b = run_replication(slow, k), run_replication(fast, k)
        (pa,), (pb,) = labelled(a, "first"), labelled(b, "first")
        assert pa.resolved != pytest.approx(pb.resolved)
        ta, tb = labelled(a, "near it"), labelled(b, "near it")
        assert len(ta) == len(tb)
        if not ta:
            continue
        both += 1
        (ta,), (tb,) = ta, tb
        assert (ta.lat, ta.lon) == (tb.lat, tb.lon)
        assert km({"lat": ta.lat, "lon": ta.lon}, FAR) <= 3.0 + 1e-9
        assert ta.call - pa.resolved == pytest.approx(tb.call - pb.resolved, abs=1e-9)
        assert ta.resolved - ta.full_strength == pytest.approx(tb.resolved - tb.full_strength, abs=1e-9)   # work
    assert both >= 5


YAML = """\
version: 1.1
name: triggers
clock: {start: "2024-11-27 06:00", duration: 12h}
map:
  places:
    polres: {lat: -8.1725, lon: 113.6995}
forces:
  types:
    sabhara: {crew: 4, speed_kmh: 45, capabilities: [response]}
  units:
    - {id: patrol, type: sabhara, count: 2, base: polres}
incidents:
  - kind: rapid_response
    id: root
    at: "07:00"
    where: {place: polres}
    needs: {response: 4}
    work: 30min
  - kind: rapid_response
    id: a
    trigger: {incident: b, when: resolved}
    where: {at: trigger}
    needs: {response: 4}
    work: 30min
  - kind: rapid_response
    id: b
    trigger: {incident: a, when: resolved}
    where: {at: trigger}
    needs: {response: 4}
    work: 30min
"""


def _errors(tmp_path, text):
    path = tmp_path / "s.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    return [p for p in caught.value.problems if p.severity == "error"], path


def test_a_cycle_of_triggers_is_an_error_at_a_trigger_incident_key_naming_the_cycle(tmp_path):
    """incidents[1] (a) is triggered by b and incidents[2] (b) by a: the error is at the first
    entry of the cycle's trigger.incident (line 21, column 25) and names both."""
    (problem,), path = _errors(tmp_path, YAML)
    assert (problem.file, problem.line, problem.col, problem.path) == (str(path), 21, 25,
                                                                       "incidents[1].trigger.incident")
    assert "cycle" in problem.message and '"a"' in problem.message and '"b"' in problem.message


def test_an_unknown_trigger_id_is_located_with_the_close_match(tmp_path):
    text = YAML.replace("trigger: {incident: b,", "trigger: {incident: rot,")
    text = text.replace("trigger: {incident: a,", "trigger: {incident: root,")
    (problem,), path = _errors(tmp_path, text)
    assert (problem.line, problem.col, problem.path) == (21, 25, "incidents[1].trigger.incident")
    assert '"rot"' in problem.message and 'did you mean "root"' in problem.message
