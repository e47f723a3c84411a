"""Replications: pure functions of (scenario, index); seed overrides move the sites."""

from __future__ import annotations

import pytest

from sispam_sim.engine.model import run_replication
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
