"""Plotting is imported only when a report is written: validate and run without --out stay fast.

matplotlib costs about 0.4 s to import (benchmarks/README.md, "Start-up"); a CI job that
validates scenarios, or a planner's quick run, must not pay it.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PROBE = """
import contextlib, io, sys
from sispam_sim.cli.app import main
with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
    try:
        main(sys.argv[1:])
    except SystemExit:
        pass
print(sorted(m for m in ("matplotlib", "dask", "distributed") if m in sys.modules))
"""


@pytest.mark.parametrize("args", [
    ["validate", "scenarios/rapid-response.yaml"],
    ["run", "scenarios/rapid-response.yaml", "-r", "2", "--quiet"],
    ["run", "scenarios/rapid-response.yaml", "-r", "2", "--quiet", "--format", "json"],
    ["check", "scenarios/rapid-response.yaml", "-r", "2", "--quiet"],
])
def test_no_plotting_or_cluster_library_is_imported_without_a_report(args):
    result = subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True, text=True, cwd=ROOT,
                            timeout=120)
    assert result.stdout.strip().splitlines()[-1] == "[]", result.stderr
