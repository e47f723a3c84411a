"""The engine against queueing theory.

With one-person units all based at the incident place (travel 0, mobilise 0), one
capability, need 1, exponential work and Poisson calls, the dispatcher is an M/M/c
queue and the dispatch delay (call -> first dispatch) is the wait in queue:

* FCFS: Erlang C, Wq = C(c, a) / (c mu - lambda), a = lambda / mu.
* Two priorities, non-preemptive (Cobham):
  Wq_k = C(c, a) / (c mu) / ((1 - sigma_{k-1}) (1 - sigma_k)),  sigma_k = sum_{i<=k} lambda_i / (c mu).

The formulas are written out in sispam_sim/verify/theory.py, independently of the engine
(``sispam-sim verify`` uses the same module). Each case runs a
fixed set of long replications (seeds are fixed: the outcome is deterministic) and
checks that the formula lies in the 99% Student-t interval of the replication means,
and that the interval is narrow enough for the check to mean something.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from sispam_sim.runner.replications import run_replications
from sispam_sim.scenario.loader import scenario_from_dict
from sispam_sim.stats.tdist import t_ppf  # checked against t tables in tests/unit/test_tdist.py
from sispam_sim.verify.theory import cobham_waits, erlang_c, mmc_wait

MEAN_WORK = 10.0           # minutes: mu = 0.1 per minute
DURATION = 10_080.0        # minutes of arrivals per replication (7 days, the longest a scenario allows)
REPLICATIONS = 60


def mmc_scenario(c: int, rates: list[float], seed: int) -> object:
    """``rates``: calls per minute of each priority class (priority 1 first)."""
    return scenario_from_dict({
        "version": 1, "name": f"M/M/{c}", "seed": seed,
        "clock": {"start": "2024-11-27 00:00", "duration": DURATION, "drain": "3d"},
        "map": {"places": {"hq": {"lat": -8.17, "lon": 113.70}}},
        "forces": {"types": {"officer": {"crew": 1, "speed_kmh": 40, "capabilities": ["response"]}},
                   "units": [{"id": "o", "type": "officer", "count": c, "base": "hq"}]},
        "incidents": [{"kind": "rapid_response", "rate": f"{rate}/min", "where": {"place": "hq"},
                       "needs": {"response": 1}, "work": {"dist": "exponential", "mean": MEAN_WORK},
                       "priority": k + 1} for k, rate in enumerate(rates)],
    })


def interval(values: list[float], level: float = 0.99) -> tuple[float, float, float]:
    x = np.asarray(values)
    mean = float(x.mean())
    half = float(t_ppf(0.5 + level / 2, len(x) - 1) * x.std(ddof=1) / math.sqrt(len(x)))
    return mean, mean - half, mean + half


def mean_delays(results, priority: int | None = None) -> list[float]:
    out = []
    for r in results:
        delays = [i.dispatch_delay for i in r.incidents if priority is None or i.priority == priority]
        assert all(d is not None for d in delays), "every call is dispatched before the drain ends"
        out.append(float(np.mean(delays)))
    return out


@pytest.mark.slow
@pytest.mark.parametrize("c, rho, seed", [(1, 0.5, 101), (3, 0.7, 103), (5, 0.8, 105)])
def test_fcfs_wait_matches_erlang_c(c, rho, seed):
    mu = 1 / MEAN_WORK
    lam = rho * c * mu
    expected = mmc_wait(c, lam, mu)
    results = run_replications(mmc_scenario(c, [lam], seed), REPLICATIONS, record_timeline=False,
                               record_events=False)
    mean, low, high = interval(mean_delays(results))
    assert low <= expected <= high, f"Erlang C {expected:.3f} outside [{low:.3f}, {high:.3f}] (mean {mean:.3f})"
    assert high - low < 0.25 * expected, "interval too wide to test anything"


def test_erlang_c_formula_itself():
    # M/M/1: C = rho; M/M/2 with a = 1: C = 1/3 (textbook values)
    assert erlang_c(1, 0.5) == pytest.approx(0.5)
    assert erlang_c(2, 1.0) == pytest.approx(1 / 3)


def test_two_priorities_match_cobham():
    c, mu = 3, 1 / MEAN_WORK
    lam1, lam2 = 0.12, 0.12                   # sigma_1 = 0.4, sigma_2 = 0.8
    expected = dict(zip((1, 2), cobham_waits(c, [lam1, lam2], mu)))
    results = run_replications(mmc_scenario(c, [lam1, lam2], 203), REPLICATIONS, record_timeline=False,
                               record_events=False)
    for k in (1, 2):
        mean, low, high = interval(mean_delays(results, priority=k))
        assert low <= expected[k] <= high, (
            f"priority {k}: Cobham {expected[k]:.3f} outside [{low:.3f}, {high:.3f}] (mean {mean:.3f})")
        assert high - low < 0.3 * expected[k]
    # and the classes really differ: priority 1 waits far less than FCFS would, priority 2 more
    fcfs = mmc_wait(c, lam1 + lam2, mu)
    assert expected[1] < 0.5 * fcfs < fcfs < expected[2]
