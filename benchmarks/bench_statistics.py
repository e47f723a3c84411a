"""What the statistics cost beside the engine, on the Jember reference day.

    python benchmarks/bench_statistics.py [--replications N] [--repeat K]

Runs N replications of the reference scenario (records as plain ``run`` keeps them: no
timeline, no event log), then times the map step (``summarise_day`` for each replication) and
the reduce step (``aggregate`` over all of them, targets included), each the best of K runs,
and prints both as a share of the engine's time. Ratios, not seconds: they do not depend on
how fast the machine is.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from sispam_sim.runner.pipeline import place_names
from sispam_sim.runner.replications import run_replications
from sispam_sim.scenario.loader import load_scenario
from sispam_sim.stats.summary import aggregate, summarise_day

REFERENCE = Path(__file__).resolve().parents[1] / "scenarios" / "jember-pilkada-2024.yaml"


def best(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replications", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    scenario = load_scenario(REFERENCE)
    names, targets = place_names(scenario), scenario.spec.targets.rows()
    results = []

    def engine():
        results[:] = run_replications(scenario, args.replications, record_timeline=False, record_events=False)

    engine_s = best(engine, 2)
    days = [summarise_day(r, names) for r in results]
    map_s = best(lambda: [summarise_day(r, names) for r in results], args.repeat)
    reduce_s = best(lambda: aggregate(days, targets), args.repeat)
    incidents = sum(len(r.incidents) for r in results)
    print(f"Jember day, {args.replications} replications, {incidents:,} incidents")
    print(f"  map (summarise_day)   {map_s / engine_s:6.1%} of the engine's time")
    print(f"  reduce (aggregate)    {reduce_s / engine_s:6.1%} of the engine's time")


if __name__ == "__main__":
    main()
