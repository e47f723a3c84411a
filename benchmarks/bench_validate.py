"""How long `sispam-sim validate` takes, as a ratio to Python start-up with PyYAML.

Run:  python benchmarks/bench_validate.py [--repeat 7]

Three commands are timed side by side in one run (best of --repeat wall-clock times,
each a fresh process, as a user or a CI job would start them):
  baseline   python -c "import yaml"
  jember     sispam-sim validate scenarios/jember-pilkada-2024.yaml
  50 files   sispam-sim validate <50 scenario files> (the examples, repeated)
The ratio to the baseline is the figure to watch: it does not depend on the machine's
speed, and it grows if validate picks up heavy imports (plotting, simulation set-up).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ROOT / "scenarios"


def best_time(command: list[str], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
        elapsed = time.perf_counter() - start
        if done.returncode != 0:
            sys.exit(f"benchmark command failed ({done.returncode}): {' '.join(command)}\n{done.stdout}{done.stderr}")
        best = min(best, elapsed)
    return best


def fifty_files(folder: Path) -> list[str]:
    """50 valid scenario files: the bundled examples copied round-robin (each keeps its CSVs beside it)."""
    examples = sorted(p for p in SCENARIOS.glob("*.yaml"))
    for extra in SCENARIOS.glob("*.csv"):
        shutil.copy(extra, folder / extra.name)
    files = []
    for i in range(50):
        source = examples[i % len(examples)]
        target = folder / f"{i:02d}-{source.name}"
        shutil.copy(source, target)
        files.append(str(target))
    return files


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    validate = [sys.executable, "-m", "sispam_sim", "validate"]
    with tempfile.TemporaryDirectory() as tmp:
        rows = [
            ("python -c 'import yaml'", best_time([sys.executable, "-c", "import yaml"], args.repeat)),
            ("validate jember-pilkada-2024.yaml",
             best_time(validate + [str(SCENARIOS / "jember-pilkada-2024.yaml")], args.repeat)),
            ("validate 50 files", best_time(validate + fifty_files(Path(tmp)), args.repeat)),
        ]
    base = rows[0][1]
    print(f"{'command':<36} {'best s':>8} {'x baseline':>11}")
    for name, seconds in rows:
        print(f"{name:<36} {seconds:8.3f} {seconds / base:11.1f}")


if __name__ == "__main__":
    main()
