"""The Python floor of an M/M/c queue, beside bare SimPy and the engine: how far the engine is from it.

Run:  python benchmarks/bench_floor.py [--customers 20000] [--rounds 7]

Per customer, CPU time (``time.process_time``), median of interleaved rounds (each round runs every
contender once, in turn, so that a drift of the machine hits all alike), for M/M/10 and M/M/40 at
load 0.8:

* ``heapq, waits only``: a plain event loop on a heap (arrivals and completions), the servers a
  counter and the queue a deque, recording only each customer's wait: what any Python simulation of
  this queue costs at least.
* ``heapq, a record per customer``: the same, keeping one object per customer with its call,
  start, end and server (what an engine must keep to write incidents.csv).
* ``bare SimPy``: ``bench_engine.bare_mmc``, M/M/c as a SimPy user writes it (a Resource, a process
  per customer).
* ``engine as run``, ``engine as run --out``: the engine on the same queue (``bench_engine.mmc_scenario``),
  without and with the timeline and events, and for ``--out`` the CSV text of every replication
  (``replication_csv``) included: everything ``run --out`` costs but writing the bytes.

Printed: microseconds per customer and each contender's speed relative to bare SimPy
(bare time / its time: above 1 is faster than bare SimPy).
"""

from __future__ import annotations

import argparse
import heapq
import statistics
import sys
import time
from collections import deque
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_engine import MEAN_WORK, bare_mmc, mmc_scenario  # noqa: E402

from sispam_sim.runner.output import replication_csv  # noqa: E402
from sispam_sim.runner.replications import run_replications  # noqa: E402

LOAD = 0.8


def _draws(c: int, customers: int, seed: int = 2024) -> tuple[list[float], list[float]]:
    rng = np.random.default_rng(seed)
    return (rng.exponential(MEAN_WORK / (LOAD * c), customers).tolist(),
            rng.exponential(MEAN_WORK, customers).tolist())


def heap_mmc(c: int, customers: int, records: bool) -> list:
    """M/M/c FCFS on a heap of (time, kind, customer): kind 0 an arrival, 1 a completion."""
    gaps, works = _draws(c, customers)
    calls, t = [], 0.0
    for gap in gaps:
        t += gap
        calls.append(t)
    events = [(calls[0], 0, 0)]
    free, queue, out = c, deque(), []
    start = [0.0] * customers if records else None

    def begin(k: int, now: float) -> None:
        if records:
            start[k] = now
            out.append(_Record(k, calls[k], now))
        else:
            out.append(now - calls[k])
        heapq.heappush(events, (now + works[k], 1, k))

    while events:
        now, kind, k = heapq.heappop(events)
        if kind == 0:
            if k + 1 < customers:
                heapq.heappush(events, (calls[k + 1], 0, k + 1))
            if free:
                free -= 1
                begin(k, now)
            else:
                queue.append(k)
        elif queue:
            begin(queue.popleft(), now)
        else:
            free += 1
    return out


class _Record:
    __slots__ = ("index", "call", "start", "wait")

    def __init__(self, index: int, call: float, start: float):
        self.index, self.call, self.start, self.wait = index, call, start, start - call


def _engine(scenario, replications: int, out: bool):
    results = run_replications(scenario, replications, record_timeline=out, record_events=out)
    if out:
        for result in results:
            replication_csv(result)
    return results


def bench(c: int, customers: int, rounds: int) -> list[tuple[str, float]]:
    scenario, replications = mmc_scenario(c, LOAD, customers)
    n = sum(len(r.incidents) for r in _engine(scenario, replications, False))
    contenders = {
        "heapq, waits only": lambda: heap_mmc(c, n, False),
        "heapq, a record per customer": lambda: heap_mmc(c, n, True),
        "bare SimPy": lambda: bare_mmc(c, LOAD, n),
        "engine as run": lambda: _engine(scenario, replications, False),
        "engine as run --out": lambda: _engine(scenario, replications, True),
    }
    times: dict[str, list[float]] = {name: [] for name in contenders}
    for _ in range(rounds):
        for name, fn in contenders.items():
            start = time.process_time()
            value = fn()
            times[name].append(time.process_time() - start)
            del value
    return [(name, statistics.median(seconds) / n * 1e6) for name, seconds in times.items()]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args(argv)
    for c in (10, 40):
        rows = bench(c, args.customers, args.rounds)
        bare = dict(rows)["bare SimPy"]
        print(f"M/M/{c}, load {LOAD}, about {args.customers:,} customers, CPU median of {args.rounds} rounds")
        for name, us in rows:
            print(f"  {name:<30} {us:7.2f} us per customer   x bare SimPy {bare / us:5.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
