"""Walking a ranking of few units decides as the numpy path does (Hypothesis).

A decision over at most ``Dispatcher.few`` eligible units, none of them on the road, walks a
ranking of the location's eligible units in plain Python (``Dispatcher._walk``) instead of
masking, ordering and walking numpy arrays (``Dispatcher._greedy``). Both must pick the same
units, for the same needs, with the same travel, in the same order: on random forces (units
of one type at one base tie on arrival), random units taken, every incident of a replication
and both reserve treatments; and whole replications must give the same records, events,
timeline and crew-minutes, float for float.
"""

from __future__ import annotations

import copy

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sispam_sim.engine.dispatcher import Dispatcher
from sispam_sim.engine.model import _Replication, run_replication
from sispam_sim.engine.prepared import prepare
from test_invariants import SETTINGS, assert_same_replication, load, scenarios


def numpy_always(fn):
    """Run ``fn()`` with every decision on the numpy path."""
    few = Dispatcher.few
    Dispatcher.few = 0
    try:
        return fn()
    finally:
        Dispatcher.few = few


@SETTINGS
@given(scenarios(), st.data())
def test_walking_a_ranking_picks_what_the_numpy_path_picks(data, draw):
    sc = load(data)
    rep = _Replication(prepare(sc), 0, False, False)
    units, walking = rep.units, rep.dispatcher
    assert walking.ranks and units.n <= Dispatcher.few
    numpy = copy.copy(walking)
    numpy.ranks = False
    for unit in draw.draw(st.lists(st.integers(0, units.n - 1), unique=True), label="taken"):
        units.take(unit)
    for inc in rep.incidents:
        inc.level = draw.draw(st.integers(1, 3), label="level")
        for priority in (1, 2):   # priority 1 ignores the reserve, 2 keeps it
            inc.priority = priority
            assert walking.select(inc, 0.0) == numpy.select(inc, 0.0)


@pytest.mark.slow
@SETTINGS
@given(scenarios())
def test_a_replication_is_the_same_on_both_paths(data):
    sc = load(data)
    for replication in (0, 1):
        numpy = numpy_always(lambda: run_replication(sc, replication))
        assert_same_replication(run_replication(sc, replication), numpy)


def test_the_jember_day_is_the_same_on_both_paths():
    from pathlib import Path

    from sispam_sim.scenario.loader import load_scenario

    sc = load_scenario(Path(__file__).resolve().parents[2] / "scenarios" / "jember-pilkada-2024.yaml")
    for replication in range(3):
        numpy = numpy_always(lambda: run_replication(sc, replication))
        walking = run_replication(sc, replication)
        assert (walking.incidents, walking.events, walking.timeline) == (numpy.incidents, numpy.events,
                                                                        numpy.timeline)
