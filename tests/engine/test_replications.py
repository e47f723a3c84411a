"""Replications: pure functions of (scenario, index); seed overrides move the sites; the
runner, not the engine, pauses the garbage collector."""

from __future__ import annotations

import gc

import pytest

from sispam_sim.engine.model import run_replication
from sispam_sim.runner import replications
from sispam_sim.runner.replications import replication_indices, run_replications
from sispam_sim.scenario.loader import scenario_from_dict

DATA = {
    "version": 1, "name": "reps", "seed": 42, "clock": {"start": "2024-11-27 06:00", "duration": "8h"},
    "map": {"places": {"hq": {"lat": -8.17, "lon": 113.70}},
            "districts": {"d": {"lat": -8.18, "lon": 113.69, "radius_km": 3}},
            "sites": {"generate": [{"district": "d", "count": 20, "risk": {"aman": 0.7, "rawan": 0.3}}]}},
    "forces": {"types": {"s": {"crew": 4, "speed_kmh": 40, "mobilise": {"dist": "exponential", "mean": "3min"},
                               "capabilities": ["response"]}},
               "units": [{"id": "u", "type": "s", "count": 3, "base": "hq"}]},
    "incidents": [{"kind": "rapid_response", "rate": "4/h", "where": {"sites": "any"},
                   "needs": {"response": 4}, "work": {"dist": "exponential", "mean": "30min"}}],
}


def test_replication_k_is_the_same_alone_or_in_a_batch():
    sc = scenario_from_dict(DATA)
    batch = run_replications(sc, 4)
    assert [r.replication for r in batch] == [0, 1, 2, 3]
    alone = run_replications(sc, [2])[0]
    assert alone.incidents == batch[2].incidents
    assert alone.events == batch[2].events
    assert batch[0].incidents != batch[1].incidents
    assert all(r.replication == 2 for r in alone.incidents)


def test_replication_indices():
    assert replication_indices(3) == [0, 1, 2]
    assert replication_indices([5, 9]) == [5, 9]
    assert replication_indices(0) == []
    with pytest.raises(ValueError):
        replication_indices(-1)


def test_seed_override_moves_sites_and_changes_draws():
    sc = scenario_from_dict(DATA)
    moved = scenario_from_dict(DATA, seed=7)
    assert moved.spec.seed == 7 and sc.spec.seed == 42
    assert [s.id for s in moved.sites] == [s.id for s in sc.sites]
    assert [(s.lat, s.lon) for s in moved.sites] != [(s.lat, s.lon) for s in sc.sites]
    a = run_replications(moved, [0])[0]
    assert a.incidents == run_replication(scenario_from_dict({**DATA, "seed": 7}), 0).incidents
    assert a.incidents != run_replication(sc, 0).incidents


def test_records_without_timeline_or_events_are_the_same():
    sc = scenario_from_dict(DATA)
    full = run_replication(sc, 1)
    lean = run_replication(sc, 1, record_timeline=False, record_events=False)
    assert lean.incidents == full.incidents
    assert lean.timeline == [] and lean.events == []
    assert full.timeline and full.events
    assert lean.busy_crew_minutes == full.busy_crew_minutes


@pytest.fixture
def gc_state():
    """Restore the collector as the test found it."""
    enabled = gc.isenabled()
    yield
    if enabled:
        gc.enable()
    else:
        gc.disable()


def test_the_engine_leaves_the_garbage_collector_alone(gc_state, monkeypatch):
    sc = scenario_from_dict(DATA)
    seen = []
    monkeypatch.setattr(gc, "disable", lambda: seen.append("disable"))
    monkeypatch.setattr(gc, "enable", lambda: seen.append("enable"))
    run_replication(sc, 0)
    assert seen == []


@pytest.mark.parametrize("enabled", [True, False])
def test_the_runner_pauses_the_collector_around_each_replication_and_restores_it(gc_state, monkeypatch, enabled):
    sc = scenario_from_dict(DATA)
    (gc.enable if enabled else gc.disable)()
    during = []
    real = replications.run_replication

    def spy(*args, **kwargs):
        during.append(gc.isenabled())
        return real(*args, **kwargs)

    monkeypatch.setattr(replications, "run_replication", spy)
    batch = run_replications(sc, 3)
    assert len(batch) == 3 and during == [False, False, False]
    assert gc.isenabled() is enabled   # back as it was, so a long batch collects between replications


def test_a_replication_state_is_freed_by_reference_counting(gc_state):
    # Pending events hold callbacks bound to the replication, which holds the environment: unless
    # the engine drops them, every replication leaves its whole state for the collector to find.
    # What is left is SimPy's environment with its bound methods, a few objects whatever the size.
    sc = scenario_from_dict(DATA)
    gc.collect()
    gc.disable()
    result = run_replication(sc, 0)
    assert len(result.incidents) > 10
    assert gc.collect() < 20
