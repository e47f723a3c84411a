"""What `compare` costs beside the runs it compares, on the README's three Jember plans.

    python benchmarks/bench_compare.py [--replications N] [--rounds K]

Runs the reference and its two bundled plans for N replications each, then, in K interleaved
rounds, times (CPU seconds) one more run of the reference and one ``compare`` of the three
plans; prints the medians and the comparison's cost per plan as a share of one plan's run.
Ratios, not seconds: they do not depend on how fast the machine is.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from sispam_sim.runner.pipeline import simulate
from sispam_sim.scenario.loader import load_scenario
from sispam_sim.stats.compare import Plan, compare, pairing

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"
FILES = ("jember-pilkada-2024.yaml", "plans/jember-central-reserve.yaml", "plans/jember-forward-posts.yaml")


def cpu(fn) -> float:
    start = time.process_time()
    fn()
    return time.process_time() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replications", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    scenarios = [load_scenario(SCENARIOS / name) for name in FILES]
    runs = [simulate(s, args.replications) for s in scenarios]
    plans = [Plan(s.spec.name, str(name), s, r.summary, r.days, pairing(scenarios[0], s))
             for name, s, r in zip(FILES, scenarios, runs)]
    run_times, compare_times = [], []
    for _ in range(args.rounds):
        run_times.append(cpu(lambda: simulate(scenarios[0], args.replications)))
        compare_times.append(cpu(lambda: compare(plans[0], plans[1:])))
    run_s, compare_s = statistics.median(run_times), statistics.median(compare_times)
    per_plan = compare_s / (len(plans) - 1)
    print(f"{args.replications} replications, {args.rounds} rounds (CPU-second medians)")
    print(f"  one plan's run        {run_s:8.2f} s")
    print(f"  compare of {len(plans) - 1} plans    {compare_s:8.2f} s   ({per_plan:.2f} s per plan, "
          f"{per_plan / run_s:.0%} of a plan's run)")


if __name__ == "__main__":
    main()
