"""Replications in parallel, and memory against the number of replications, on the Jember day.

    python benchmarks/bench_parallel.py speed [--replications N] [--repeat K]
    python benchmarks/bench_parallel.py memory [--counts 10,100,1000,10000]

``speed``: replications per second of the reference day run serially, on a process pool of
2 workers, and on a Dask ``LocalCluster`` of 2 workers (when dask is installed), one after
another in one run (best of K), each including its start-up, as ``run`` pays it. Reported as
ratios to serial: on a 2-core machine the goal for the pool is at least 1.7x.

``memory``: peak resident memory of ``sispam-sim run -r N --jobs 1`` for each N, with and
without ``--out`` (every CSV row streamed to disk), each in a fresh process; reported in MiB
and as a ratio to the smallest N. The goal is flat: memory must not grow with the number of
replications.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT / "scenarios" / "jember-pilkada-2024.yaml"

#: Runs the CLI in this process and prints its own peak memory (KiB on Linux) as the last line.
_CHILD = """
import resource, sys
from sispam_sim.cli.app import main
try:
    main(sys.argv[1:])
except SystemExit as exit:
    assert not exit.code, exit.code
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def speed(replications: int, repeat: int) -> None:
    from sispam_sim.runner.executors import Pool, Serial
    from sispam_sim.runner.pipeline import simulate
    from sispam_sim.scenario.loader import load_scenario

    scenario = load_scenario(REFERENCE)
    makers = {"serial": Serial, "pool of 2": lambda: Pool(2)}
    try:
        from sispam_sim.runner.executors import Dask
        import distributed  # noqa: F401
        makers["dask LocalCluster of 2"] = lambda: Dask("local", 2)
    except ImportError:
        print("dask is not installed: pip install 'sispam-sim[dask]' to measure the cluster too")
    best = {name: float("inf") for name in makers}
    for _ in range(repeat):   # interleaved: a busy moment hurts every contender alike
        for name, make in makers.items():
            start = time.perf_counter()
            with make() as executor:
                simulate(scenario, replications, executor=executor)
            best[name] = min(best[name], time.perf_counter() - start)
    print(f"Jember day, {replications} replications (best of {repeat}, start-up included)")
    for name, seconds in best.items():
        print(f"  {name:24s} {replications / seconds:8.1f} replications/s   {best['serial'] / seconds:5.2f}x serial")


def memory(counts: list[int]) -> None:
    print("Jember day, peak memory of `sispam-sim run -r N --jobs 1` (a fresh process each)")
    print(f"  {'N':>7s}  {'without --out':>14s}  {'with --out':>14s}")
    first: dict[str, float] = {}
    for n in counts:
        cells = []
        for label, extra in (("plain", []), ("out", ["--out"])):
            with tempfile.TemporaryDirectory() as tmp:
                args = ["run", str(REFERENCE), "-r", str(n), "--jobs", "1", "--quiet", "--format", "json"]
                if extra:
                    args += ["--out", str(Path(tmp) / "out")]
                result = subprocess.run([sys.executable, "-c", _CHILD, *args], capture_output=True, text=True,
                                        check=True)
                mib = int(result.stdout.strip().splitlines()[-1]) / 1024
            first.setdefault(label, mib)
            cells.append(f"{mib:7.1f} ({mib / first[label]:.2f}x)")
        print(f"  {n:7d}  {cells[0]:>14s}  {cells[1]:>14s}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="what", required=True)
    s = sub.add_parser("speed")
    s.add_argument("--replications", type=int, default=2000)
    s.add_argument("--repeat", type=int, default=3)
    m = sub.add_parser("memory")
    m.add_argument("--counts", default="10,100,1000,10000")
    args = parser.parse_args()
    if args.what == "speed":
        speed(args.replications, args.repeat)
    else:
        memory([int(x) for x in args.counts.split(",")])


if __name__ == "__main__":
    main()
