"""A crowd's negotiation stage (format 1.1 ``negotiation: {needs, for, success}``) against timelines
worked out by hand (docs/model.md, "Negotiation").

The crowd of every test is called at 07:00 (minute 60) at KPU (= BASE). Crowd-control teams
(``dalmas``, 10 each) stand at KPU: sent, they arrive at once (in an event at the same minute). The
negotiators (``neg``, 5, mobilise 3 min, 30 km/h) come from FAR: they arrive at
A = 60 + 3 + drive(FAR, BASE, 30) (about 78.87), the drive computed here, not by the engine.
"""

from __future__ import annotations

import math

import pytest

from handcase import BASE, FAR, NEAR, binomial_interval, drive, scenario
from sispam_sim.core import rng
from sispam_sim.engine.kinds.crowd_buildup import NEGOTIATION, CrowdBehaviour
from sispam_sim.engine.model import run_replication

DALMAS = {"crew": 10, "speed_kmh": 30, "capabilities": ["crowd_control"]}
BRIMOB = {"crew": 30, "speed_kmh": 30, "capabilities": ["crowd_control"], "tier": 2}
NEG = {"crew": 5, "speed_kmh": 30, "mobilise": "3min", "capabilities": ["negotiation"]}
PLACES = {"kpu": BASE, "far": FAR, "near": NEAR}
ARRIVE = 60 + 3 + drive(FAR, BASE, 30)   # the negotiators on scene


def crowd(negotiation: dict | None = None, peak: int = 600, lasts: str = "30min", initial: int = 100,
          escalation: dict | None = None, **extra) -> dict:
    entry = {"kind": "crowd_buildup", "at": "07:00", "where": {"place": "kpu"},
             "crowd": {"initial": initial, "growth": "10/min", "peak": peak, "lasts": lasts}, "per_officer": 10,
             **extra}
    if escalation:
        entry["escalation"] = escalation
    if negotiation is not None:
        entry["negotiation"] = negotiation
    return entry


def talks(success: float, length: str = "20min", need: int = 5) -> dict:
    return {"needs": {"negotiation": need}, "for": length, "success": success}


def run(incident: dict, units: list, types: dict | None = None, replication: int = 0, **kw):
    sc = scenario(PLACES, types or {"dalmas": DALMAS, "neg": NEG}, units, [incident], version=1.1, **kw)
    return run_replication(sc, replication)


DALMAS_6 = {"id": "d", "type": "dalmas", "count": 6, "base": "kpu"}
NEGOTIATORS = {"id": "n", "type": "neg", "base": "far"}


def test_successful_talks_stop_the_growth_and_start_the_dispersal_for_after_the_negotiators_arrive():
    """Crowd 100 growing 10/min to 600 (need up to 60: six teams, enough) holding 30 min, talks
    of 20 min that succeed (success 1).

    The negotiators arrive at A = 60 + 3 + 15.87 = 78.87 and are met (5 >= 5) from then on, so the
    talks succeed at S = A + 20 = 98.87, while the crowd still grows (it would peak at 60 + 50 =
    110): size(S) = 100 + 10 x (S - 60) = 488.7. It stops growing and, controlled, disperses at
    10/min: gone at S + size(S) / 10 = S + 48.87 = 147.74 (without talks: peak at 110, hold to
    140, gone at 140 + 60 = 200). The recorded need is the crowd control's highest, at S:
    ceil(488.7 / 10) = 49 (not 60, and the 5 negotiators are not added). The negotiators stay
    until resolution.
    """
    result = run(crowd(talks(1)), [DALMAS_6, NEGOTIATORS])
    rec = result.incidents[0]
    settle = ARRIVE + 20
    size = 100 + 10 * (settle - 60)
    assert rec.resolved == pytest.approx(settle + size / 10, abs=1e-9)
    assert rec.need == math.ceil(size / 10) == 49
    arrivals = [e.time for e in result.events if e.unit == "n" and e.action == "arrive"]
    assert arrivals == [pytest.approx(ARRIVE, abs=1e-9)]
    dispatch = [e.time for e in result.events if e.unit == "n" and e.action == "dispatch"]
    assert dispatch == [60.0]                     # sent at the call, with the crowd control
    releases = [e.time for e in result.events if e.unit == "n" and e.action == "release"]
    assert releases == [rec.resolved]             # success: they stay until resolution
    # the crowd is never short once covered: full strength at the last team's arrival, before S
    assert rec.full_strength is not None and rec.full_strength < settle
    # without talks the crowd peaks, holds and disperses from 140
    without = run(crowd(), [DALMAS_6, NEGOTIATORS]).incidents[0]
    assert without.resolved == pytest.approx(200.0, abs=1e-9) and without.need == 60


def test_talks_of_zero_minutes_end_when_the_negotiators_arrive():
    """``for: 0``: the talks end at A itself; size(A) = 100 + 10 x 18.87 = 288.7, gone at
    A + 28.87."""
    result = run(crowd(talks(1, "0min")), [DALMAS_6, NEGOTIATORS])
    size = 100 + 10 * (ARRIVE - 60)
    assert result.incidents[0].resolved == pytest.approx(ARRIVE + size / 10, abs=1e-9)


def _crowd_part(result):
    """What the crowd's control did: the record but its units, the events and timeline but the
    negotiators', and the crowd-control crew-minutes."""
    rec = result.incidents[0]
    fields = ("call", "first_dispatch", "first_arrival", "full_strength", "resolved", "need", "max_level",
              "level_minutes", "short_minutes")
    return ({name: getattr(rec, name) for name in fields}, [u for u in rec.units if u != "n"],
            [e for e in result.events if e.unit != "n"], [p for p in result.timeline if p.unit_type != "neg"],
            {t: m for t, m in result.busy_crew_minutes.items() if t != "neg"}, result.end)


def test_failed_talks_change_nothing_for_the_crowd_and_the_negotiators_stand_back():
    """The same crowd with two teams of 10 at KPU and two tier-2 teams of 30 at NEAR, escalating
    (below 0.9 for 5 min, factor 1.3): it is short, escalates at 78, is covered by the Brimob
    teams, holds to 140 and is gone at 200. Talks of 20 min that fail (success 0) change nothing
    of it: the record (full strength, resolution, need 78, level_minutes [18, 122, 0], minutes
    short), the crowd's events, the crowd-control timeline and crew-minutes are those of the
    same scenario without negotiation. The negotiators' own events are dispatch at 60, arrive at
    A, and release at A + 20 = 98.87 (they stand back once the talks have failed), then base at
    A + 20 + 15.87 (no mobilisation on the way back)."""
    units = [{"id": "d", "type": "dalmas", "count": 2, "base": "kpu"},
             {"id": "b", "type": "brimob", "count": 2, "base": "near"}, NEGOTIATORS]
    types = {"dalmas": DALMAS, "brimob": BRIMOB, "neg": NEG}
    escalation = {"below": 0.9, "after": "5min", "factor": 1.3}
    failed = run(crowd(talks(0), escalation=escalation), units, types)
    plain = run(crowd(escalation=escalation), units, types)
    assert _crowd_part(failed) == _crowd_part(plain)
    rec = failed.incidents[0]
    assert (rec.resolved, rec.need, rec.max_level) == (200.0, 78, 2)
    assert rec.level_minutes == pytest.approx([18.0, 122.0, 0.0])
    assert rec.units == ["d-1", "n", "d-2", "b-1", "b-2"]
    own = [(e.time, e.action) for e in failed.events if e.unit == "n"]
    back = drive(FAR, BASE, 30)
    assert own == [(60.0, "dispatch"), (pytest.approx(ARRIVE, abs=1e-9), "arrive"),
                   (pytest.approx(ARRIVE + 20, abs=1e-9), "release"),
                   (pytest.approx(ARRIVE + 20 + back, abs=1e-9), "base")]
    # busy from dispatch to release: 5 crew x (3 + 15.87 + 20) minutes
    assert failed.busy_crew_minutes["neg"] == pytest.approx(5 * (ARRIVE + 20 - 60), abs=1e-9)


def test_negotiators_do_not_count_toward_the_crowd_control():
    """A crowd of 50 (need 5) from the call, holding 10 min; a negotiator team of 10 at KPU
    arrives at 60 (10 >= 5, but it is not crowd control); the only crowd-control team, at KPU,
    mobilises 30 min and arrives at 90. Talks of 2 h (they never end). The crowd is short from
    60 to 90 (short_minutes 30, full strength 90), holds to 70 but disperses only once
    controlled: 50 / 10 = 5 min from 90, gone at 95. The negotiators are released with it."""
    slow = {"crew": 10, "speed_kmh": 30, "mobilise": "30min", "capabilities": ["crowd_control"]}
    team = {"crew": 10, "speed_kmh": 30, "capabilities": ["negotiation"]}
    result = run(crowd(talks(1, "2h", need=5), initial=50, peak=50, lasts="10min"),
                 [{"id": "d", "type": "dalmas", "base": "kpu"}, {"id": "n", "type": "neg", "base": "kpu"}],
                 {"dalmas": slow, "neg": team})
    rec = result.incidents[0]
    assert rec.first_arrival == 60.0             # the negotiators: a unit on scene
    assert rec.full_strength == 90.0
    assert rec.short_minutes == pytest.approx(30.0, abs=1e-9)
    assert rec.resolved == pytest.approx(95.0, abs=1e-9)
    assert rec.need == 5
    marks = [(e.time, e.action) for e in result.events if e.unit == "" and e.action in ("full_strength", "short")]
    assert marks == [(90.0, "full_strength")]
    assert [(e.time, e.unit) for e in result.events if e.action == "release"] == [(95.0, "n"), (95.0, "d")]   # dispatch order


def test_negotiators_on_scene_are_never_released_as_crowd_control_surplus():
    """Crowd 300 from the call (need 30: three teams), holding 20 min, talks of 2 h. From 80 it
    disperses, and each team of 10 goes home as the need falls (at 90 and 100); the negotiators
    (assigned beyond the crowd-control need all along) stay until resolution at 110."""
    team = {"crew": 5, "speed_kmh": 30, "capabilities": ["negotiation"]}
    result = run(crowd(talks(0, "2h"), initial=300, peak=300, lasts="20min"),
                 [{"id": "d", "type": "dalmas", "count": 3, "base": "kpu"}, {"id": "n", "type": "neg", "base": "kpu"}],
                 {"dalmas": DALMAS, "neg": team})
    releases = [(e.time, e.unit) for e in result.events if e.action == "release"]
    assert releases == [(90.0, "d-3"), (100.0, "d-2"), (110.0, "d-1"), (110.0, "n")]


def test_a_break_in_the_negotiators_cover_restarts_the_talks():
    """A priority-1 call for help at 07:10 at KPU preempts the negotiator team (the only unit with
    ``response`` too), which was on scene from 60; it comes back when the call is resolved at
    70 + 5 = 75. Talks of 20 min (success 1) then run from 75 and succeed at 95, not at 80: the
    crowd of 100 growing to 600 has 100 + 10 x 35 = 450 at 95, gone at 95 + 45 = 140."""
    team = {"crew": 5, "speed_kmh": 30, "capabilities": ["negotiation", "response"]}
    call = {"kind": "rapid_response", "at": "07:10", "where": {"place": "kpu"}, "needs": {"response": 5},
            "work": "5min", "priority": 1}
    sc = scenario(PLACES, {"dalmas": DALMAS, "neg": team},
                  [DALMAS_6, {"id": "n", "type": "neg", "base": "kpu"}], [crowd(talks(1)), call],
                  dispatch={"preempt": True}, version=1.1)
    result = run_replication(sc, 0)
    rec = result.incidents[0]
    own = [(e.time, e.action) for e in result.events if e.unit == "n"]
    assert own[:6] == [(60.0, "dispatch"), (60.0, "arrive"), (70.0, "preempt"), (70.0, "dispatch"),
                       (70.0, "arrive"), (75.0, "release")]
    assert (75.0, "dispatch") in own and (75.0, "arrive") in own
    assert rec.resolved == pytest.approx(140.0, abs=1e-9)


def test_skipping_idle_ticks_gives_the_same_replication_with_talks():
    """CrowdBehaviour.every_tick re-assesses at every minute; the schedule that skips idle ticks
    must give the same records, events and timeline (the talks' deadline is a re-assessment; a
    break in the negotiators' cover restarts the timer)."""
    cases = [(crowd(talks(1)), [DALMAS_6, NEGOTIATORS]), (crowd(talks(0, "7min")), [DALMAS_6, NEGOTIATORS]),
             (crowd(talks(1, "0min"), escalation={"below": 0.9, "after": "5min", "factor": 1.3}),
              [{"id": "d", "type": "dalmas", "count": 2, "base": "kpu"}, NEGOTIATORS])]
    team = {"crew": 5, "speed_kmh": 30, "capabilities": ["negotiation", "response"]}
    call = {"kind": "rapid_response", "at": "07:10", "where": {"place": "kpu"}, "needs": {"response": 5},
            "work": "5min", "priority": 1}
    preempting = scenario(PLACES, {"dalmas": DALMAS, "neg": team}, [DALMAS_6, {"id": "n", "type": "neg", "base": "kpu"}],
                          [crowd(talks(0)), call], dispatch={"preempt": True}, version=1.1)
    for sc in [scenario(PLACES, {"dalmas": DALMAS, "neg": NEG}, units, [incident], version=1.1)
               for incident, units in cases] + [preempting]:
        CrowdBehaviour.every_tick = True
        try:
            every = run_replication(sc, 0)
        finally:
            CrowdBehaviour.every_tick = False
        skipping = run_replication(sc, 0)
        assert (skipping.incidents, skipping.events, skipping.timeline) == (every.incidents, every.events,
                                                                          every.timeline)


# ---------------------------------------------------------------- the draw

N = 400


def _succeeded(base: str, replications: range) -> list[bool]:
    """Per replication, whether the talks succeeded: talks of 0 min, ending when the negotiators
    arrive (at 60 from KPU, 60 + 2.6 from NEAR); success disperses the crowd of 100 to 130 from
    then (gone by 60 + 2.6 + 13 < 100), failure lets it grow to 600 (at 110) and hold 2 h (gone at
    290)."""
    team = {"crew": 5, "speed_kmh": 30, "capabilities": ["negotiation"]}
    sc = scenario(PLACES, {"dalmas": DALMAS, "neg": team},
                  [DALMAS_6, {"id": "n", "type": "neg", "base": base}], [crowd(talks(0.5, "0min"), lasts="2h")],
                  version=1.1, seed=11)
    out = []
    for k in replications:
        resolved = run_replication(sc, k, record_timeline=False, record_events=False).incidents[0].resolved
        assert resolved < 100 or resolved > 200
        out.append(resolved < 100)
    return out


def test_the_share_of_successful_talks_is_binomial_and_common_to_plans():
    """With success 0.5, over 400 replications the number of successes lies in the exact 99.9%
    interval of Binomial(400, 0.5) (about 167 to 233). The outcome is drawn from the entry's own
    stream, not from dispatch: a plan whose negotiators come from elsewhere (NEAR, not KPU) sees
    the same outcome in every replication (common random numbers)."""
    here = _succeeded("kpu", range(N))
    lo, hi = binomial_interval(N, 0.5)
    assert hi - lo < N / 4            # an interval narrow enough to test something
    assert lo <= sum(here) <= hi
    assert _succeeded("near", range(40)) == here[:40]


def test_the_draw_is_the_nth_uniform_of_the_entrys_stream_for_its_nth_call():
    """A generator of crowds (entry 1, beside a call for help at entry 0): its k-th call's talks
    succeed exactly when the k-th uniform of stream (seed, replication, 1, NEGOTIATION) is below
    ``success`` (one draw per call, in call order, whatever else happens)."""
    team = {"crew": 5, "speed_kmh": 30, "capabilities": ["negotiation"]}
    entry = crowd(talks(0.5, "0min"), initial=20, peak=600, lasts="2h")
    del entry["at"]
    entry["rate"] = "2/h"
    other = {"kind": "rapid_response", "rate": "1/h", "where": {"place": "kpu"}, "needs": {"crowd_control": 10},
             "work": "10min"}
    sc = scenario(PLACES, {"dalmas": DALMAS, "neg": team},
                  [{"id": "d", "type": "dalmas", "count": 80, "base": "kpu"},
                   {"id": "n", "type": "neg", "count": 40, "base": "kpu"}], [other, entry], version=1.1, seed=3)
    for k in (0, 1):
        crowds = [r for r in run_replication(sc, k).incidents if r.entry == 1]
        assert len(crowds) > 5
        draws = rng.stream(3, k, 1, NEGOTIATION).random(len(crowds))
        # success: gone within 20 / 10 = 2 min of the call; failure: grows for 58 min, holds 2 h
        assert [r.resolved - r.call < 10 for r in crowds] == [bool(u < 0.5) for u in draws]
