"""Dispatch policies: the ``nearest`` order, and adding a policy by name."""

from __future__ import annotations

import numpy as np
import pytest

from sispam_sim.core import policies
from sispam_sim.engine.model import run_replication
from sispam_sim.scenario.loader import scenario_from_dict


def test_nearest_orders_by_arrival_then_row():
    units = np.array([2, 5, 7, 9])
    arrival = np.array([4.0, 1.0, 4.0, 0.5])
    assert policies.POLICIES["nearest"].order(units, arrival, 4).tolist() == [3, 1, 0, 2]
    assert policies.POLICIES["nearest"].order(units, arrival, 1).tolist() == [3]
    assert policies.POLICIES["nearest"].order(units[:1], arrival[:1], 1).tolist() == [0]


def test_nearest_partial_order_is_the_prefix_of_the_full_order():
    gen = np.random.default_rng(1)
    units = np.arange(5000)
    arrival = gen.integers(0, 400, 5000).astype(float)   # many ties
    nearest = policies.POLICIES["nearest"]
    full = nearest.order(units, arrival, 5000)
    part = nearest.order(units, arrival, 20)
    assert len(part) >= 20
    assert np.array_equal(arrival[part[:20]], arrival[full[:20]])
    assert np.array_equal(part[:20], full[:20])   # ties included: the same units, lowest rows first
    tied = np.zeros(400)   # all tied: the partial order must still start at the first rows
    assert nearest.order(np.arange(400), tied, 3).tolist()[:4] == [0, 1, 2, 3]
    assert list(arrival[full]) == sorted(arrival)


class LowestId:
    """The test-only second policy: always the first declared unit, wherever it is."""

    name = "lowest_id"

    def order(self, units, arrival, k):
        return np.arange(units.size)


@pytest.fixture
def lowest_id():
    policies.register(LowestId)
    yield
    del policies.POLICIES["lowest_id"]


def _scenario(policy: str):
    return scenario_from_dict({
        "version": 1, "name": "policy", "clock": {"start": "2024-11-27 06:00", "duration": "6h"},
        "map": {"places": {"far": {"lat": -8.25, "lon": 113.80}, "near": {"lat": -8.17, "lon": 113.70}}},
        "forces": {"types": {"s": {"crew": 4, "speed_kmh": 40, "capabilities": ["response"]}},
                   "units": [{"id": "far-unit", "type": "s", "base": "far"},
                             {"id": "near-unit", "type": "s", "base": "near"}]},
        "incidents": [{"kind": "rapid_response", "at": "07:00", "where": {"place": "near"},
                       "needs": {"response": 4}, "work": "10min"}],
        "dispatch": {"policy": policy},
    })


def test_a_second_policy_is_chosen_by_its_yaml_name(lowest_id):
    assert run_replication(_scenario("nearest"), 0).incidents[0].units == ["near-unit"]
    assert run_replication(_scenario("lowest_id"), 0).incidents[0].units == ["far-unit"]


def test_unknown_policy_is_a_clear_error():
    with pytest.raises(ValueError, match="unknown dispatch policy 'fastest'; policies are: nearest"):
        policies.get_policy("fastest")
