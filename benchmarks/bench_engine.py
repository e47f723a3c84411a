"""How fast the engine runs: against bare SimPy on an M/M/c queue, and on the Jember day as it grows.

Run:  python benchmarks/bench_engine.py [--quick]

Everything is measured side by side in one process and reported as ratios, so the figures
to watch do not depend on the machine's speed:

1. M/M/c throughput. The engine runs an M/M/c scenario (c one-person units at one place,
   no travel, no mobilisation, one rapid_response entry needing 1, exponential work,
   Poisson calls at load rho; as a scenario may last at most 7 days, the customers come in
   replications of equal length, each at most 7 days); a bare SimPy model
   (``simpy.Resource(capacity=c)``, one process per customer, the wait of each customer
   appended to a list) serves the same number of customers at the same rates in one run. They alternate, best of --repeat each;
   customers per second and the ratio engine / bare are reported, for the engine as
   ``sispam-sim run --out`` uses it (timeline and event log recorded, for timeline.csv and
   events.csv) and as plain ``sispam-sim run`` uses it (nothing recorded that is not reported).
   Goal (issue 7): 1.0 or better on both.
2. The Jember reference day (scenarios/jember-pilkada-2024.yaml): mean time per
   replication, and how it grows with 4x and 16x the incident rate and with 10x the
   sites and units. Time per incident should stay about flat as incidents grow (linear
   cost); the fixed cost of setting up a replication shows as the difference between
   the mean per incident and the marginal cost per extra incident.

The engine runs as the runner runs it (``run_replications``: the garbage collector paused
around each replication).
"""

from __future__ import annotations

import argparse
import copy
import datetime
import math
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np
import simpy

from sispam_sim.runner.replications import run_replications
from sispam_sim.scenario.loader import load_scenario, scenario_from_dict
from sispam_sim.scenario.yamlio import load_document

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ROOT / "scenarios"
JEMBER = SCENARIOS / "jember-pilkada-2024.yaml"

SERVERS = 10          # c
LOAD = 0.8            # rho = lambda / (c mu)
MEAN_WORK = 10.0      # minutes (mu = 0.1 per minute)
WEEK = 7 * 1440.0     # the longest clock.duration a scenario may have


# ---------------------------------------------------------------- M/M/c

def mmc_scenario(c: int, rho: float, customers: int, seed: int = 2024):
    """The engine as an M/M/c queue, and how many replications of it bring about ``customers``
    calls (each replication as long as the others, at most a week)."""
    rate = rho * c / MEAN_WORK
    replications = math.ceil(customers / rate / WEEK)
    return scenario_from_dict({
        "version": 1, "name": f"M/M/{c} benchmark", "seed": seed,
        "clock": {"start": "2024-11-27 00:00", "duration": customers / rate / replications, "drain": "3d"},
        "map": {"places": {"hq": {"lat": -8.17, "lon": 113.70}}},
        "forces": {"types": {"officer": {"crew": 1, "speed_kmh": 40, "mobilise": "0min",
                                         "capabilities": ["response"]}},
                   "units": [{"id": "o", "type": "officer", "count": c, "base": "hq"}]},
        "incidents": [{"kind": "rapid_response", "rate": f"{rate!r}/min", "where": {"place": "hq"},
                       "needs": {"response": 1}, "work": {"dist": "exponential", "mean": MEAN_WORK}}],
    }), replications


def bare_mmc(c: int, rho: float, customers: int, seed: int = 2024) -> list[float]:
    """M/M/c in plain SimPy, as a user would write it: the wait of every customer."""
    rate = rho * c / MEAN_WORK
    rng = np.random.default_rng(seed)
    gaps = rng.exponential(1 / rate, customers).tolist()
    works = rng.exponential(MEAN_WORK, customers).tolist()
    env = simpy.Environment()
    officers = simpy.Resource(env, capacity=c)
    waits: list[float] = []

    def customer(work):
        called = env.now
        with officers.request() as request:
            yield request
            waits.append(env.now - called)
            yield env.timeout(work)

    def source():
        for gap, work in zip(gaps, works):
            yield env.timeout(gap)
            env.process(customer(work))

    env.process(source())
    env.run()
    return waits


def erlang_c_wait(c: int, rho: float) -> float:
    """Mean wait in queue of M/M/c (Erlang C), minutes."""
    a = rho * c
    top = a ** c / math.factorial(c) * c / (c - a)
    waiting = top / (sum(a ** k / math.factorial(k) for k in range(c)) + top)
    return waiting / (c / MEAN_WORK - a / MEAN_WORK)


def timed(fn):
    start = time.perf_counter()
    value = fn()
    return time.perf_counter() - start, value


def bench_mmc(customers: int, repeat: int) -> list[tuple]:
    scenario, reps = mmc_scenario(SERVERS, LOAD, customers)
    n = sum(len(r.incidents) for r in run_replications(scenario, reps, record_timeline=False, record_events=False))
    contenders = {
        "bare SimPy (Resource)": lambda: bare_mmc(SERVERS, LOAD, n),
        "engine as `run --out`": lambda: run_replications(scenario, reps),
        "engine as `run`": lambda: run_replications(scenario, reps, record_timeline=False, record_events=False),
    }
    best = dict.fromkeys(contenders, math.inf)
    waits = {}
    for _ in range(repeat):   # alternate, so drifts of the machine hit all alike
        for name, fn in contenders.items():
            seconds, value = timed(fn)
            best[name] = min(best[name], seconds)
            waits[name] = (float(np.mean([i.dispatch_delay for r in value for i in r.incidents]))
                           if name.startswith("engine") else float(np.mean(value)))
            del value   # each run starts with the previous one's memory free
    bare = best["bare SimPy (Resource)"]
    return [(name, n, seconds, n / seconds, bare / seconds, waits[name]) for name, seconds in best.items()]


# ---------------------------------------------------------------- Jember day

def _scaled_rate(rate: str, factor: float) -> str:
    count, per = rate.split("/", 1)
    return f"{float(count) * factor:.12g}/{per}"


def jember_variant(rate_factor: float = 1.0, size_factor: int = 1):
    """The Jember scenario with every incident rate x ``rate_factor`` and every generated site
    count and unit group count x ``size_factor`` (``personnel_limit`` dropped when changed)."""
    if rate_factor == 1 and size_factor == 1:
        return load_scenario(JEMBER)
    data = copy.deepcopy(load_document(JEMBER).data)
    data.pop("personnel_limit", None)
    for entry in data["incidents"]:
        rate = entry.get("rate")
        if isinstance(rate, str):
            entry["rate"] = _scaled_rate(rate, rate_factor)
        elif isinstance(rate, dict):
            entry["rate"] = {at: _scaled_rate(r, rate_factor) for at, r in rate.items()}
    if size_factor != 1:
        for group in data["map"]["sites"]["generate"]:
            group["count"] *= size_factor
        for group in data["forces"]["units"]:
            group["count"] = group.get("count", 1) * size_factor
    return scenario_from_dict(data, base_dir=SCENARIOS)


def bench_jember(replications: int, passes: int) -> list[tuple]:
    variants = {
        "1x (reference day)": jember_variant(),
        "4x incident rate": jember_variant(rate_factor=4),
        "16x incident rate": jember_variant(rate_factor=16),
        "10x sites and units": jember_variant(size_factor=10),
    }
    best = dict.fromkeys(variants, math.inf)
    incidents = {}
    for _ in range(passes):
        for name, scenario in variants.items():
            total, count = 0.0, 0
            for k in range(replications):
                seconds, (result,) = timed(lambda: run_replications(scenario, [k]))
                total += seconds
                count += len(result.incidents)
            best[name] = min(best[name], total / replications)
            incidents[name] = count / replications
    base = best["1x (reference day)"]
    rows = []
    for name, scenario in variants.items():
        seconds, n = best[name], incidents[name]
        rows.append((name, len(scenario.sites), len(scenario.units), n, seconds, seconds / n, seconds / base))
    return rows


# ---------------------------------------------------------------- report

def machine() -> str:
    return (f"Python {platform.python_version()}, numpy {np.__version__}, simpy {simpy.__version__}, "
            f"{os.cpu_count()} CPUs, {platform.machine()} {platform.system()}, "
            f"{datetime.date.today().isoformat()}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer customers, replications and repeats")
    parser.add_argument("--repeat", type=int, default=None, help="best of this many M/M/c runs (7; quick 3)")
    args = parser.parse_args()
    customers = 5_000 if args.quick else 24_000
    repeat = args.repeat or (3 if args.quick else 7)
    replications, passes = (3, 1) if args.quick else (10, 3)

    print(machine())
    print()
    print(f"M/M/{SERVERS}, rho = {LOAD}, mean work {MEAN_WORK:g} min; best of {repeat} "
          f"(Erlang C mean wait {erlang_c_wait(SERVERS, LOAD):.3f} min)")
    print(f"{'model':<28} {'customers':>9} {'best s':>8} {'per s':>9} {'x bare':>7} {'mean wait':>10}")
    for name, n, seconds, per_second, ratio, wait in bench_mmc(customers, repeat):
        print(f"{name:<28} {n:9d} {seconds:8.3f} {per_second:9.0f} {ratio:7.2f} {wait:10.3f}")
    print()

    print(f"Jember day: mean of {replications} replications, best of {passes} passes")
    print(f"{'variant':<22} {'sites':>6} {'units':>6} {'incidents':>9} {'s / rep':>8} "
          f"{'ms / incident':>13} {'x 1x':>6}")
    rows = bench_jember(replications, passes)
    for name, sites, units, n, seconds, per_incident, ratio in rows:
        print(f"{name:<22} {sites:6d} {units:6d} {n:9.1f} {seconds:8.4f} {per_incident * 1e3:13.3f} {ratio:6.2f}")
    (_, _, _, n4, s4, _, _), (_, _, _, n16, s16, _, _) = rows[1], rows[2]
    print(f"marginal cost per extra incident (4x -> 16x): {(s16 - s4) / (n16 - n4) * 1e3:.3f} ms")


if __name__ == "__main__":
    sys.exit(main())
