"""Incident generation: Poisson arrivals over a rate profile, places, work, streams."""

from __future__ import annotations

import numpy as np
import pytest

from sispam_sim.core.geo import make_travel
from sispam_sim.engine.incidents import arrival_times, generate_calls
from sispam_sim.scenario.quantities import round_up
from sispam_sim.scenario.loader import scenario_from_dict


def test_constant_rate_gives_poisson_counts_and_uniform_times():
    gen = np.random.default_rng(7)
    counts, pooled = [], []
    for _ in range(2000):
        t = arrival_times([(0.0, 0.05)], 600.0, gen)     # mean 30 per window
        assert np.all(np.diff(t) >= 0) and np.all((0 <= t) & (t < 600))
        counts.append(t.size)
        pooled.extend(t.tolist())
    assert np.mean(counts) == pytest.approx(30, abs=0.4)   # se 0.12
    assert np.var(counts) == pytest.approx(30, rel=0.1)    # Poisson: variance = mean
    assert np.mean(pooled) == pytest.approx(300, abs=3)


def test_profile_steps_are_respected():
    # rate 0 before 60, 0.2/min on [60, 120), 0.05/min from 120 on; window [0, 300)
    steps = [(60.0, 0.2), (120.0, 0.05)]
    gen = np.random.default_rng(3)
    t = np.concatenate([arrival_times(steps, 300.0, gen) for _ in range(3000)])
    assert not np.any(t < 60)
    per_rep_first = np.sum((t >= 60) & (t < 120)) / 3000
    per_rep_second = np.sum(t >= 120) / 3000
    assert per_rep_first == pytest.approx(12, rel=0.03)      # 0.2 x 60
    assert per_rep_second == pytest.approx(9, rel=0.03)      # 0.05 x 180


def test_steps_before_the_start_and_after_the_window():
    gen = np.random.default_rng(0)
    t = arrival_times([(-120.0, 0.1), (50.0, 0.0)], 100.0, gen)
    assert np.all(t < 50)
    assert arrival_times([(200.0, 1.0)], 100.0, gen).size == 0
    assert arrival_times([(0.0, 0.0)], 100.0, gen).size == 0


def test_round_up_ignores_float_noise():
    assert 100 * 1.1 > 110                                      # 110.00000000000001
    assert round_up(100 * 1.1) == 110
    assert round_up(33.2) == 34
    assert round_up(12.0) == 12


def _data(incidents, units_count=1):
    return {
        "version": 1, "name": "calls", "seed": 99, "clock": {"start": "2024-11-27 06:00", "duration": "10h"},
        "map": {"places": {"hq": {"lat": -8.17, "lon": 113.70}},
                "districts": {"d": {"lat": -8.18, "lon": 113.69, "radius_km": 3}},
                "sites": {"generate": [{"district": "d", "count": 30,
                                        "risk": {"aman": 0.6, "rawan": 0.3, "sangat_rawan": 0.1}}]}},
        "forces": {"types": {"s": {"crew": 4, "speed_kmh": 40, "capabilities": ["response", "crowd_control"]}},
                   "units": [{"id": "u", "type": "s", "count": units_count, "base": "hq"}]},
        "incidents": incidents,
    }


RAPID = {"kind": "rapid_response", "rate": "3/h", "where": {"sites": {"risk": ["rawan", "sangat_rawan"]}},
         "needs": {"response": 4}, "work": {"dist": "lognormal", "mean": "40min", "sd": "15min"}}
SCRIPTED = {"kind": "crowd_buildup", "at": "13:00", "where": {"district": "d"},
            "crowd": {"initial": 10, "growth": "5/min", "peak": 100, "lasts": {"dist": "uniform", "low": 10, "high": 20}},
            "per_officer": 10}


def test_calls_draw_places_from_the_filter_and_scripted_times_exactly():
    sc = scenario_from_dict(_data([RAPID, SCRIPTED]))
    calls = generate_calls(sc, 0, make_travel(sc))
    risky = {s.id for s in sc.sites if s.risk != "aman"}
    rapid = [c for c in calls if c.entry == 0]
    crowd = [c for c in calls if c.entry == 1]
    assert len(rapid) > 10 and all(c.location.key in risky and c.location.site == c.location.key for c in rapid)
    assert len({c.location.key for c in rapid}) > 3
    assert [c.time for c in crowd] == [420.0]
    assert crowd[0].location.key == "d" and crowd[0].location.site is None
    assert 10 <= crowd[0].draw <= 20   # the crowd's hold (crowd.lasts), drawn from the WORK stream
    assert all(c.draw > 0 for c in rapid)   # the work on scene
    assert [c.time for c in calls] == sorted(c.time for c in calls)


def test_an_entry_draws_the_same_whatever_other_entries_and_units_exist():
    alone = scenario_from_dict(_data([RAPID]))
    with_more = scenario_from_dict(_data([RAPID, SCRIPTED], units_count=5))
    a = generate_calls(alone, 4, make_travel(alone))
    b = [c for c in generate_calls(with_more, 4, make_travel(with_more)) if c.entry == 0]
    assert a == b
    other_replication = generate_calls(alone, 5, make_travel(alone))
    assert [c.time for c in other_replication] != [c.time for c in a]
