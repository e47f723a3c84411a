"""Skipping crowd ticks that change nothing changes nothing (Hypothesis).

A crowd was re-assessed at every whole minute after its call; now a tick is skipped when it
comes before every other scheduled event and would change nothing but the crowd's size
(engine/kinds/crowd_buildup.py, CrowdBehaviour.schedule_tick; CrowdBehaviour.every_tick keeps the
tick-by-tick reference). On random scenarios (scripted calls on whole minutes,
constant and random durations, escalation, tiers, reserve, preemption, guards pulled) both
schedules must give the same records, events, timeline and crew-minutes, float for float.
"""

from __future__ import annotations

from hypothesis import assume, given

from sispam_sim.engine.kinds.crowd_buildup import CrowdBehaviour
from sispam_sim.engine.model import run_replication
from test_invariants import SETTINGS, assert_same_replication, load, scenarios


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


def test_the_jember_day_is_the_same_with_both_schedules():
    from pathlib import Path

    from sispam_sim.scenario.loader import load_scenario

    sc = load_scenario(Path(__file__).resolve().parents[2] / "scenarios" / "jember-pilkada-2024.yaml")
    for replication in range(3):
        every, skipping = both_schedules(sc, replication)
        assert (skipping.incidents, skipping.events, skipping.timeline) == (every.incidents, every.events,
                                                                          every.timeline)
