"""The 95 % intervals cover a known answer in about 95 % of independent runs.

A case whose answer is known exactly: one-person units at the incident's place (no
travel), far more units than calls (no queue: 30 units, offered load 0.75), and an
exponential mobilisation time with mean 10 min. Every response time is then one
independent Exp(10) draw, so

* the mean per incident is 10 min,
* the 90th percentile is 10 ln 10 = 23.03 min,
* the share of incidents within 15 min is 1 − e^(−1.5) = 0.777.

Each of ``RUNS`` runs uses its own seed and ``DAYS`` replications, and asks whether the
run's 95 % interval contains the answer. Coverage must be within 92–98 % (the issue's
band; with 400 runs the binomial standard error at 95 % is 1.1 points). Seeds are fixed,
so the outcome is deterministic.
"""

from __future__ import annotations

import math

import pytest

from sispam_sim.runner.pipeline import simulate
from sispam_sim.scenario.loader import scenario_from_dict

RUNS = 400
DAYS = 10
MEAN = 10.0
TRUTH = {"mean": MEAN, "p90": MEAN * math.log(10.0), "share_within_15": 1.0 - math.exp(-15.0 / MEAN)}


def scenario(seed: int):
    return scenario_from_dict({
        "version": 1, "name": "known answer", "seed": seed,
        "clock": {"start": "2024-11-27 06:00", "duration": "10h", "drain": "2h"},
        "map": {"places": {"hq": {"lat": -8.17, "lon": 113.70}}},
        "forces": {"types": {"officer": {"crew": 1, "speed_kmh": 40, "capabilities": ["response"],
                                         "mobilise": {"dist": "exponential", "mean": MEAN}}},
                   "units": [{"id": "o", "type": "officer", "count": 30, "base": "hq"}]},
        "incidents": [{"kind": "rapid_response", "rate": "3/h", "where": {"place": "hq"},
                       "needs": {"response": 1}, "work": "5min"}],
        "targets": {"response_time": {"p90": "15min"}},
    })


@pytest.fixture(scope="module")
def coverage() -> dict[str, float]:
    hits = {name: 0 for name in TRUTH}
    for seed in range(1, RUNS + 1):
        summary = simulate(scenario(seed), DAYS).summary
        rt = summary["metrics"]["all"]["response_time"]
        share = summary["targets"][0]["share_within"]
        for name, ci in (("mean", rt["mean"]["ci"]), ("p90", rt["p90"]["ci"]),
                         ("share_within_15", share["ci"])):
            hits[name] += ci[0] <= TRUTH[name] <= ci[1]
    return {name: count / RUNS for name, count in hits.items()}


@pytest.mark.slow
@pytest.mark.parametrize("statistic", sorted(TRUTH))
def test_95_percent_interval_covers_the_known_answer(coverage, statistic):
    assert 0.92 <= coverage[statistic] <= 0.98, coverage


# ---------------------------------------------------------------- congested days (M/M/3, load 0.8)

CONGESTED = {"servers": 3, "work": 10.0, "load": 0.8, "hours": 8, "limit": 10.0}


def _independent_day(rng) -> list[float]:
    """One M/M/3 day written apart from the engine: Poisson calls over 8 h, exponential work, first
    come first served, each call taking the server that frees first (a heap of free times); the
    waits. The day starts empty, as the engine's do, so nothing here is steady state."""
    import heapq

    import numpy as np

    c, work, load, hours = (CONGESTED[k] for k in ("servers", "work", "load", "hours"))
    n = rng.poisson(load * c / work * hours * 60)
    calls = np.sort(rng.uniform(0, hours * 60, n))
    works = rng.exponential(work, n)
    free = [0.0] * c
    waits = []
    for call, w in zip(calls, works):
        start = max(heapq.heappop(free), call)
        waits.append(start - call)
        heapq.heappush(free, start + w)
    return waits


@pytest.fixture(scope="module")
def congested_truth() -> dict[str, float]:
    """The pooled statistics of 20,000 independent days (2.3 million calls): the mean wait per call,
    the pooled 90th percentile and the share within 10 min (about 8.55, 25.6 and 0.701; their own
    error is about a fiftieth of a 20-day interval's half-width)."""
    import numpy as np

    rng = np.random.default_rng(20241127)
    waits = np.concatenate([_independent_day(rng) for _ in range(20000)])
    return {"mean": float(waits.mean()), "p90": float(np.percentile(waits, 90, method="inverted_cdf")),
            "share_within": float(np.mean(waits <= CONGESTED["limit"]))}


def congested_scenario(seed: int):
    """The same M/M/3 day in the engine: three one-person units at the calls' place (no travel, no
    mobilisation), calls needing one of them, exponential work."""
    c, work, load, hours = (CONGESTED[k] for k in ("servers", "work", "load", "hours"))
    return scenario_from_dict({
        "version": 1, "name": "congested", "seed": seed,
        "clock": {"start": "2024-11-27 06:00", "duration": f"{hours}h", "drain": "12h"},
        "map": {"places": {"hq": {"lat": -8.17, "lon": 113.70}}},
        "forces": {"types": {"officer": {"crew": 1, "speed_kmh": 40, "capabilities": ["response"]}},
                   "units": [{"id": "o", "type": "officer", "count": c, "base": "hq"}]},
        "incidents": [{"kind": "rapid_response", "rate": f"{load * c / work * 60:.6g}/h", "where": {"place": "hq"},
                       "needs": {"response": 1}, "work": {"dist": "exponential", "mean": f"{work}min"}}],
        "targets": {"response_time": {"p90": f"{CONGESTED['limit']}min"}},
    })


@pytest.mark.slow
@pytest.mark.parametrize("days, runs", [(10, 200), (40, 200)])
def test_intervals_cover_on_congested_days(congested_truth, days, runs):
    """Skewed days (a few with long queues) made the linearised t-interval miss on the optimistic side
    (about 87% at 10 days, 91% at 40, nearly every miss below the truth); the studentised day bootstrap
    (never narrower than Student's t) must cover the mean, the p90 and the share within the limit in
    92-98% of runs, each run on its own seed (measured: 92.0, 94.0, 94.5% at 10 days; 93.0, 96.0,
    95.0% at 40; the mean at 10 days is at the band's edge)."""
    hits = {name: 0 for name in congested_truth}
    for seed in range(1, runs + 1):
        summary = simulate(congested_scenario(seed), days).summary
        rt = summary["metrics"]["all"]["response_time"]
        share = summary["targets"][0]["share_within"]
        for name, ci in (("mean", rt["mean"]["ci"]), ("p90", rt["p90"]["ci"]), ("share_within", share["ci"])):
            hits[name] += ci[0] <= congested_truth[name] <= ci[1]
    coverage = {name: count / runs for name, count in hits.items()}
    assert all(0.92 <= c <= 0.98 for c in coverage.values()), coverage


# ---------------------------------------------------------------- a paired difference (c = 10 against 11)

PAIRED = {"servers": 10, "work": 10.0, "rate": 0.8, "hours": 8}   # load 0.8 with 10 units, 0.73 with 11


def _paired_day(rng) -> tuple[list[float], list[float]]:
    """One day of the same calls (Poisson, 0.8 a minute over 8 h, exponential work of 10 min) met by
    10 and by 11 one-person units, first come first served, written apart from the engine: the
    waits under each (common random numbers, as `compare` pairs plans)."""
    import heapq

    import numpy as np

    work, rate, hours = PAIRED["work"], PAIRED["rate"], PAIRED["hours"]
    n = rng.poisson(rate * hours * 60)
    calls = np.sort(rng.uniform(0, hours * 60, n))
    works = rng.exponential(work, n)
    out = []
    for c in (PAIRED["servers"], PAIRED["servers"] + 1):
        free, waits = [0.0] * c, []
        for call, w in zip(calls, works):
            start = max(heapq.heappop(free), call)
            waits.append(start - call)
            heapq.heappush(free, start + w)
        out.append(waits)
    return out[0], out[1]


@pytest.fixture(scope="module")
def paired_truth() -> dict[str, float]:
    """The differences (11 units minus 10) of the pooled mean wait and p90 over 20,000 paired days
    (7.7 million calls each): about -1.06 and -3.65 min."""
    import numpy as np

    rng = np.random.default_rng(20241209)
    days = [_paired_day(rng) for _ in range(20000)]
    a, b = (np.concatenate([d[k] for d in days]) for k in (0, 1))
    p90 = [float(np.percentile(x, 90, method="inverted_cdf")) for x in (a, b)]
    return {"mean": float(b.mean() - a.mean()), "p90": p90[1] - p90[0]}


def _compared(days: list[tuple[list[float], list[float]]], seed: int) -> dict[str, list[float]]:
    """The 95% intervals `compare` gives the paired differences of mean and p90 over these days:
    its own resampling, linearisations and interval rule (stats/compare.py), on the days' waits."""
    import numpy as np

    from sispam_sim.stats import compare as cmp
    from sispam_sim.stats.intervals import quantiles
    from sispam_sim.stats.summary import Pooled

    weights = cmp._weights(len(days), seed, 0)
    wanted = [("response_time", "mean"), ("response_time", "p90")]
    boots, points = [], []
    for k in (0, 1):
        values = np.concatenate([d[k] for d in days])
        day_of = np.concatenate([np.full(len(d[k]), i) for i, d in enumerate(days)])
        pooled = Pooled(values, np.zeros(values.size, dtype=bool), day_of, len(days))
        boots.append(cmp._resampled({"response_time": pooled}, {}, weights, wanted))
        points.append({"mean": float(values.mean()), "p90": float(quantiles(pooled.ranked, [0.9])[0])})
    out = {}
    for _, stat in wanted:
        key = ("response_time", stat)
        entry = cmp._difference(points[0][stat], None, points[1][stat], None, boots[0][key], boots[1][key],
                                boots[0].get((*key, "linear")), boots[1].get((*key, "linear")), weights, weights, True)
        out[stat] = entry["ci"]
    return out


@pytest.mark.slow
@pytest.mark.parametrize("days", [10, 40])
def test_paired_difference_covers_on_congested_days(paired_truth, days):
    """The gain of an eleventh unit at load 0.8: the percentile bootstrap of paired differences covered
    the true difference of the mean wait in 83% of 400 runs of 10 days and the p90's in 84% (93%
    and 92% at 40 days), short on the side that understates the gain. `compare` now takes the wider,
    on each side, of that interval widened by sqrt(R/(R-1)) t(R-1)/z and a bootstrap-t on the days'
    linearisations; over 200 runs each on its own seed, coverage must lie in 92-98%. The days come
    from the independent simulator above (the engine's days are checked against it by
    test_intervals_cover_on_congested_days); what is tested is compare's interval rule, exactly as
    compare applies it."""
    import numpy as np

    hits = {name: 0 for name in paired_truth}
    runs = 200
    for seed in range(1, runs + 1):
        rng = np.random.default_rng([seed, days])
        for name, (lo, hi) in _compared([_paired_day(rng) for _ in range(days)], seed).items():
            hits[name] += lo <= paired_truth[name] <= hi
    coverage = {name: count / runs for name, count in hits.items()}
    assert all(0.92 <= c <= 0.98 for c in coverage.values()), coverage
