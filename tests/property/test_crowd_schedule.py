"""Skipping crowd ticks that change nothing changes nothing (Hypothesis).

A crowd was re-assessed at every whole minute after its call; now a tick is skipped when it
comes before every other scheduled event and would change nothing but the crowd's size
(engine/kinds/crowd_buildup.py: CrowdBehaviour.schedule_tick, and CrowdBehaviour.walk for the
ticks after the first; CrowdBehaviour.every_tick keeps the tick-by-tick reference). On random
scenarios (scripted calls on whole minutes and Poisson calls off them, constant and random
durations, escalation, tiers, reserve, preemption, guards pulled) both schedules must give the
same records, events, timeline and crew-minutes, float for float.

The widened draw (``crowd_scenarios``) aims where the walk could slip: growth that is not a whole
number per minute, fractional ``per_officer``, more escalation factors, a crowd at its peak from
the call, no hold, escalation at once, crowds called in the first minutes of the clock (ticks near
0, where ``r + (t - r)`` may round) and scripted calls of every kind on one minute grid (ties).
"""

from __future__ import annotations

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from sispam_sim.engine.kinds.crowd_buildup import CrowdBehaviour
from sispam_sim.engine.model import run_replication
from test_invariants import SETTINGS, assert_same_replication, load, scenarios

GROWTH = ["1/min", "2/min", "5/min", "10/min", "7/h", "13/h", "2.5/min", "0.3/min", "11/min"]
PER_OFFICER = [0.5, 3, 5, 7.5, 10, 12.5, 20]
FACTOR = [1.0, 1.1, 1.25, 1.3, 1.5, 2.0, 3.0]


@st.composite
def crowd_scenarios(draw):
    """The random scenarios of test_invariants, their crowds widened, one crowd at least."""
    data = draw(scenarios())
    entries = data["incidents"]
    if not any(e["kind"] == "crowd_buildup" for e in entries):
        entries.append({"kind": "crowd_buildup", "priority": draw(st.integers(1, 3)), "at": "06:00",
                        "where": {"place": "kpu"},
                        "crowd": {"initial": 0, "growth": "1/min", "peak": 30, "lasts": "10min"},
                        "per_officer": 5})
    grid = draw(st.integers(0, 3))   # the minute of a shared grid of scripted calls
    for e in entries:
        if draw(st.booleans()):   # early calls: 06:00-06:01 scripted or Poisson in the first minutes
            if draw(st.booleans()):
                e.pop("rate", None)
                e["at"] = f"06:{draw(st.integers(0, 1)):02d}"
            else:
                e.pop("at", None)
                e["rate"] = {"06:00": f"{draw(st.integers(30, 120))}/h", "06:03": "0/h"}
        elif "at" in e and draw(st.booleans()):
            e["at"] = f"06:{grid + draw(st.integers(0, 2)):02d}"   # ties on the whole minutes
        if e["kind"] != "crowd_buildup":
            continue
        crowd = e["crowd"]
        if draw(st.booleans()):
            crowd["growth"] = draw(st.sampled_from(GROWTH))
        shape = draw(st.sampled_from(["as drawn", "at peak", "from zero", "no hold"]))
        if shape == "at peak":
            crowd["peak"] = max(1, crowd["initial"])
            crowd["initial"] = crowd["peak"]
        elif shape == "from zero":
            crowd["initial"] = 0
        elif shape == "no hold":
            crowd["lasts"] = "0min"
        if draw(st.booleans()):
            e["per_officer"] = draw(st.sampled_from(PER_OFFICER))
        if draw(st.booleans()):
            e["escalation"] = {"below": draw(st.sampled_from([0.5, 0.8, 1.0])),
                               "after": draw(st.sampled_from(["0min", "1min", "90s", "2.5min", "5min", "10min"])),
                               "factor": draw(st.sampled_from(FACTOR))}
    return data


def both_schedules(sc, replication: int):
    """(every tick re-assessed, idle ticks skipped) results of one replication."""
    CrowdBehaviour.every_tick = True
    try:
        every = run_replication(sc, replication)
    finally:
        CrowdBehaviour.every_tick = False
    return every, run_replication(sc, replication)


@SETTINGS
@given(scenarios())
def test_skipping_idle_crowd_ticks_gives_the_same_replication(data):
    assume(any(entry["kind"] == "crowd_buildup" for entry in data["incidents"]))
    sc = load(data)
    for replication in (0, 1):
        every, skipping = both_schedules(sc, replication)
        assert_same_replication(skipping, every)


@pytest.mark.slow
@settings(SETTINGS, max_examples=300)
@given(crowd_scenarios())
def test_skipping_gives_the_same_replication_on_widened_crowds(data):
    sc = load(data)
    for replication in (0, 1):
        every, skipping = both_schedules(sc, replication)
        assert_same_replication(skipping, every)


def test_the_jember_day_is_the_same_with_both_schedules():
    from pathlib import Path

    from sispam_sim.scenario.loader import load_scenario

    sc = load_scenario(Path(__file__).resolve().parents[2] / "scenarios" / "jember-pilkada-2024.yaml")
    for replication in range(3):
        every, skipping = both_schedules(sc, replication)
        assert (skipping.incidents, skipping.events, skipping.timeline) == (every.incidents, every.events,
                                                                          every.timeline)
