"""Full strength that stays, minutes short of need, and utilisation over the operating window.

Hand-computed, like test_hand_computed.py: drive times come from handcase's own haversine.
An incident is *covered* while on-scene crew meets every need (a crowd: while controlled, as
judged at its re-assessments). ``full_strength`` is the start of the final covered stretch
(None if the run ends with the incident short); ``short_minutes`` sums the time from the call
to resolution (or the end of the run) not covered. Unit types without ``mobilise`` are ready
to roll, so a unit based where the incident is arrives at the dispatch instant.
Clock: 06:00 is minute 0, so 07:00 = 60.
"""

from __future__ import annotations

import pytest

from handcase import BASE, FAR, NEAR, START, by_label, drive, scenario
from sispam_sim.engine.model import run_replication

RESPONSE = {"crew": 4, "speed_kmh": 40, "capabilities": ["response"]}


def call(label: str, at: str, place: str, need: int, work: str, priority: int = 2) -> dict:
    return {"kind": "rapid_response", "label": label, "at": at, "where": {"place": place},
            "needs": {"response": need}, "work": work, "priority": priority}


def story(result, rec) -> list[tuple[float, str]]:
    """The coverage events of one incident, in order."""
    return [(e.time, e.action) for e in result.events
            if e.incident == rec.id and e.action in ("full_strength", "short")]


# ---------------------------------------------------------------- crowds


def test_crowd_covered_briefly_then_short_for_two_hours_gets_full_strength_after_them():
    # The KPU protest in miniature. A crowd at 07:00 (60): 100 people growing 10/min to 300
    # (peak at 80), holding 60 min; per_officer 10, no escalation. Team d (10) stands at the
    # spot: need 10 at the call, on scene 10 at 60 -> covered. At the re-assessment at 61 the
    # need is 11 > 10: short, and the only other unit, b (30 crew, mobilise 2 h, based FAR),
    # is sent at 61. It arrives at T = 61 + 120 + drive(FAR, BASE, 40): on scene 40 >= need 30
    # (the crowd is at its peak, and did not disperse uncontrolled after its hold ended at 140):
    # covered from T to the end. At T the crowd has stopped growing, so d is surplus
    # (40 - 10 >= 30) and goes home; b alone disperses it, 300 / 10 = 30 min: gone at T + 30.
    # full strength T (not 60: the crew did not stay at the need); short 61 -> T = 120 + drive.
    cc = {"crew": 10, "speed_kmh": 30, "capabilities": ["crowd_control"]}
    slow = {"crew": 30, "speed_kmh": 40, "mobilise": "2h", "capabilities": ["crowd_control"]}
    sc = scenario({"kpu": BASE, "far": FAR}, {"dalmas": cc, "brimob": slow},
                  [{"id": "d", "type": "dalmas", "base": "kpu"}, {"id": "b", "type": "brimob", "base": "far"}],
                  [{"kind": "crowd_buildup", "at": "07:00", "where": {"place": "kpu"},
                    "crowd": {"initial": 100, "growth": "10/min", "peak": 300, "lasts": "60min"},
                    "per_officer": 10}])
    result = run_replication(sc, 0)
    rec = result.incidents[0]
    arrival = 61 + 120 + drive(FAR, BASE, 40)
    assert 124 < arrival - 60 < 135    # about two hours short
    assert rec.units == ["d", "b"]
    assert rec.first_arrival == 60.0
    assert rec.full_strength == pytest.approx(arrival, abs=1e-9)
    assert rec.full_strength_time == pytest.approx(arrival - 60, abs=1e-9)
    assert rec.short_minutes == pytest.approx(arrival - 61, abs=1e-9)
    assert rec.resolved == pytest.approx(arrival + 30, abs=1e-9)
    assert story(result, rec) == [(60.0, "full_strength"), (61.0, "short"),
                                  (pytest.approx(arrival, abs=1e-9), "full_strength")]


# ---------------------------------------------------------------- rapid responses


def test_rapid_response_is_short_from_the_call_until_the_last_needed_unit_arrives():
    # Need 8: n (NEAR) and f (FAR), 4 each, mobilise 2 min, both sent at the call (08:00 = 120).
    # Covered when f arrives: full strength = short = 2 + drive(FAR, BASE).
    fast = {**RESPONSE, "mobilise": "2min"}
    sc = scenario({"base": BASE, "near": NEAR, "far": FAR}, {"s": fast},
                  [{"id": "n", "type": "s", "base": "near"}, {"id": "f", "type": "s", "base": "far"}],
                  [call("a", "08:00", "base", 8, "20min")])
    result = run_replication(sc, 0)
    rec = result.incidents[0]
    last = 2 + drive(FAR, BASE, 40)
    assert rec.response_time == pytest.approx(2 + drive(NEAR, BASE, 40), abs=1e-9)
    assert rec.short_minutes == rec.full_strength_time == pytest.approx(last, abs=1e-9)
    assert story(result, rec) == [(pytest.approx(120 + last, abs=1e-9), "full_strength")]


def test_preempted_victim_gets_a_later_full_strength_and_counts_the_gap_as_short():
    # One unit p at BASE; dN = drive(BASE, NEAR) at 40 km/h, no mobilisation.
    # a (priority 3, at NEAR, 07:00 = 60, work 60): p arrives 60 + dN, covered.
    # c (priority 1, at BASE, 07:30 = 90, work 20) preempts p from a's scene at 90: a is short
    # from 90, having worked 30 - dN. p drives NEAR -> BASE: c covered at 90 + dN, resolved at
    # 110 + dN; p goes back to a: a covered again at 110 + 2 dN, its remaining 30 + dN min of
    # work end at 140 + 3 dN.
    # a: full strength 110 + 2 dN; short dN (call to first arrival) + (110 + 2 dN - 90) = 20 + 3 dN.
    sc = scenario({"base": BASE, "near": NEAR}, {"s": RESPONSE}, [{"id": "p", "type": "s", "base": "base"}],
                  [call("a", "07:00", "near", 4, "60min", priority=3),
                   call("c", "07:30", "base", 4, "20min", priority=1)],
                  dispatch={"preempt": True})
    result = run_replication(sc, 0)
    rec = by_label(result)
    a, c = rec["a"], rec["c"]
    dn = drive(BASE, NEAR, 40)
    assert a.first_arrival == pytest.approx(60 + dn, abs=1e-9)
    assert a.full_strength == pytest.approx(110 + 2 * dn, abs=1e-9)
    assert a.short_minutes == pytest.approx(20 + 3 * dn, abs=1e-9)
    assert a.resolved == pytest.approx(140 + 3 * dn, abs=1e-9)
    assert c.full_strength_time == c.short_minutes == pytest.approx(dn, abs=1e-9)
    assert story(result, a) == [(pytest.approx(60 + dn, abs=1e-9), "full_strength"), (90.0, "short"),
                                (pytest.approx(110 + 2 * dn, abs=1e-9), "full_strength")]
    # the story at 90, as events.csv tells it: the unit leaves a, a is short, the unit goes to c
    at_90 = [(e.action, e.unit, e.incident) for e in result.events if e.time == 90.0]
    assert at_90 == [("call", "", c.id), ("preempt", "p", a.id), ("short", "", a.id), ("dispatch", "p", c.id)]


# ---------------------------------------------------------------- the end of the run


def test_unresolved_incidents_are_short_to_the_end_and_have_full_strength_only_if_covered_then():
    # duration 2 h, drain 1 h, so the run ends at 180. Units p and q (4 each) and team t (10) at BASE.
    # x (07:00 = 60, needs 4, works 3 h): p, covered from 60 to the end, unresolved:
    #   full strength 60, short 0.
    # y (07:30 = 90, needs 8): only q is free; on scene 4 < 8 to the end: full strength empty,
    #   short 180 - 90 = 90.
    # w (07:45 = 105, needs 4): no unit is free: nothing happens, short 180 - 105 = 75.
    # The crowd (07:00, 100 people, at its peak, holding 1 day): t on the spot, covered from 60
    #   to the end, unresolved: full strength 60, short 0.
    cc = {"crew": 10, "speed_kmh": 30, "capabilities": ["crowd_control"]}
    sc = scenario({"base": BASE}, {"s": RESPONSE, "cc": cc},
                  [{"id": "p", "type": "s", "base": "base"}, {"id": "q", "type": "s", "base": "base"},
                   {"id": "t", "type": "cc", "base": "base"}],
                  [call("x", "07:00", "base", 4, "3h"), call("y", "07:30", "base", 8, "10min"),
                   call("w", "07:45", "base", 4, "10min"),
                   {"kind": "crowd_buildup", "label": "crowd", "at": "07:00", "where": {"place": "base"},
                    "crowd": {"initial": 100, "growth": "10/min", "peak": 100, "lasts": "1d"},
                    "per_officer": 10}],
                  clock={"start": START, "duration": "2h", "drain": "1h"})
    result = run_replication(sc, 0)
    rec = by_label(result)
    assert result.end == 180.0
    assert rec["x"].units == ["p"] and rec["y"].units == ["q"] and rec["w"].units == []
    assert rec["x"].resolved is None and rec["x"].full_strength == 60.0 and rec["x"].short_minutes == 0.0
    assert rec["y"].first_arrival == 90.0 and rec["y"].full_strength is None and rec["y"].short_minutes == 90.0
    assert rec["w"].first_dispatch is None and rec["w"].full_strength is None and rec["w"].short_minutes == 75.0
    assert rec["crowd"].resolved is None and rec["crowd"].full_strength == 60.0
    assert rec["crowd"].short_minutes == 0.0


# ---------------------------------------------------------------- utilisation


def _drain_plan(drain: str, calls: list):
    return scenario({"base": BASE, "far": FAR}, {"s": RESPONSE}, [{"id": "p", "type": "s", "base": "base"}],
                    calls, clock={"start": START, "duration": "2h", "drain": drain})


def test_utilisation_in_the_window_does_not_depend_on_the_drain_when_all_resolve_in_it():
    # One call at 07:00 (60) at FAR, work 30: p busy 60 -> 60 + dF + 30 < 120 (dispatch to
    # release). Both runs end at 120 (never before duration; all resolved).
    d_far = drive(BASE, FAR, 40)
    runs = [run_replication(_drain_plan(drain, [call("a", "07:00", "far", 4, "30min")]), 0) for drain in ("0h", "12h")]
    for result in runs:
        assert result.end == result.duration == 120.0
        assert result.busy_crew_minutes["s"] == pytest.approx(4 * (d_far + 30), abs=1e-9)
        assert result.available_crew_minutes["s"] == 4 * 120.0
        assert result.drain_busy_crew_minutes["s"] == 0.0
    assert runs[0].busy_crew_minutes == runs[1].busy_crew_minutes
    assert runs[0].available_crew_minutes == runs[1].available_crew_minutes


def test_work_that_spills_into_the_drain_is_counted_there():
    # x (07:00 = 60, at FAR, works 3 h) and y (07:30 = 90, at BASE, 10 min); one unit p.
    # Drain 0: the run ends at 120 with both open; p busy 60 -> 120: 240 crew-minutes in the
    #   window, none after.
    # Drain 12 h: x resolves at R = 60 + dF + 180 (p released at FAR); p is sent from there to y
    #   at R (no mobilisation) and is released at R + dF + 10. Busy 60 -> R, then R -> R + dF + 10:
    #   in the window [0, 120] 4 x 60 = 240 (the same as without a drain); after it
    #   4 x ((R - 120) + dF + 10), the second stretch wholly in the drain.
    calls = [call("x", "07:00", "far", 4, "3h"), call("y", "07:30", "base", 4, "10min")]
    short, long = (run_replication(_drain_plan(drain, calls), 0) for drain in ("0h", "12h"))
    d_far = drive(BASE, FAR, 40)
    release_x = 60 + d_far + 180
    assert short.end == 120.0 and short.duration == 120.0
    assert short.busy_crew_minutes["s"] == pytest.approx(240.0, abs=1e-9)
    assert short.drain_busy_crew_minutes["s"] == 0.0
    rec = by_label(long)
    assert rec["x"].resolved == pytest.approx(release_x, abs=1e-9)
    assert rec["y"].resolved == pytest.approx(release_x + d_far + 10, abs=1e-9)
    assert long.end == rec["y"].resolved and long.duration == 120.0
    assert long.busy_crew_minutes["s"] == pytest.approx(240.0, abs=1e-9)
    assert long.drain_busy_crew_minutes["s"] == pytest.approx(4 * ((release_x - 120) + d_far + 10), abs=1e-9)
    assert long.available_crew_minutes == short.available_crew_minutes == {"s": 4 * 120.0}
