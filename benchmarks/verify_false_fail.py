"""How often `sispam-sim verify` fails a correct engine: rerun it with many seeds and count.

Run:  python benchmarks/verify_false_fail.py [--seeds 40] [--first 1] [--quick] [--jobs 2] [--json FILE]

Each seed S runs `python -m sispam_sim verify --seed S --format json --jobs J` as a fresh process
(what a user types), which draws every case's random numbers afresh. The engine is the one in
this checkout, taken as correct, so every failed run is a false fail. Printed: the failed runs,
k of N (and the binomial 95% upper bound on the rate that k of N allows), how often each check
failed and whether by its interval (the theory outside it) or by its width, and each run's wall
time (median and slowest). verify's own rule promises a rate of at most 5% (Bonferroni).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def upper_bound(k: int, n: int, confidence: float = 0.95) -> float:
    """The one-sided Clopper-Pearson upper bound on a rate from k of n (bisection on the binomial tail)."""
    from math import comb

    def at_most_k(p: float) -> float:
        return sum(comb(n, i) * p ** i * (1 - p) ** (n - i) for i in range(k + 1))

    if k >= n:
        return 1.0
    low, high = 0.0, 1.0
    for _ in range(60):
        mid = (low + high) / 2
        if at_most_k(mid) > 1 - confidence:
            low = mid
        else:
            high = mid
    return high


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=40, help="how many seeds (default 40)")
    parser.add_argument("--first", type=int, default=1, help="the first seed (then +1, +2, ...; default 1)")
    parser.add_argument("--quick", action="store_true", help="verify --quick")
    parser.add_argument("--jobs", type=int, default=2, help="verify --jobs (default 2)")
    parser.add_argument("--json", type=Path, help="also write every run's checks here")
    args = parser.parse_args(argv)

    failures, by_check, times, runs = [], Counter(), [], []
    for seed in range(args.first, args.first + args.seeds):
        command = [sys.executable, "-m", "sispam_sim", "verify", "--seed", str(seed), "--format", "json",
                   "--jobs", str(args.jobs)] + (["--quick"] if args.quick else [])
        start = time.perf_counter()
        done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
        times.append(time.perf_counter() - start)
        if done.returncode not in (0, 1):
            sys.exit(f"verify exited {done.returncode} for seed {seed}:\n{done.stderr}")
        document = json.loads(done.stdout)
        runs.append(document)
        failed = [c for c in document["checks"] if c["result"] != "pass"]
        if failed:
            failures.append(seed)
        for check in failed:
            why = "width" if check["inside"] else "outside"
            by_check[f"{check['case']} {check['measure']} {check['detail']} ({why})"] += 1
        print(f"seed {seed:4d}: {document['verdict']:4s} {times[-1]:6.1f} s"
              + "".join(f"  [{c['case']} {c['measure']}]" for c in failed), flush=True)

    k, n = len(failures), args.seeds
    rule = runs[0]["rule"]
    print(f"\nverify{' --quick' if args.quick else ''} --jobs {args.jobs}, seeds {args.first}..{args.first + n - 1}: "
          f"{k} of {n} runs failed (rate {k / n:.1%}; 95% upper bound {upper_bound(k, n):.1%}); "
          f"rule: {rule['stochastic_checks']} checks at {rule['per_check_level']:.4%} each, "
          f"at most {rule['suite_false_fail']:.0%} suite-wide")
    for name, count in by_check.most_common():
        print(f"  {count:3d}  {name}")
    print(f"wall time per run: median {statistics.median(times):.1f} s, slowest {max(times):.1f} s")
    if args.json:
        args.json.write_text(json.dumps({"seeds": [args.first, args.first + n - 1], "quick": args.quick,
                                         "jobs": args.jobs, "failed_seeds": failures, "seconds": times,
                                         "runs": runs}, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
