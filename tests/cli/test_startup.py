"""Plotting is imported only when a report is written: validate and run without --out stay fast.

matplotlib costs about 0.4 s to import (benchmarks/README.md, "Start-up"); a CI job that
validates scenarios, or a planner's quick run, must not pay it. Nor do they pay for the other
commands (only the invoked command's module is imported) or for rich when nothing is drawn
(benchmarks/README.md, "Start-up (issue 18)"). Not timed: what is imported is the contract.
"""

from __future__ import annotations

import ast
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
print(sorted(m for m in sys.modules if m.startswith("sispam_sim.cli.") or m == "rich"))
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
    assert result.stdout.strip().splitlines()[-2] == "[]", result.stderr


def _imported(args):
    result = subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True, text=True, cwd=ROOT,
                            timeout=120)
    return ast.literal_eval(result.stdout.strip().splitlines()[-1]), result.stderr   # module names


@pytest.mark.parametrize("args, command", [
    (["validate", "scenarios/rapid-response.yaml"], "validate"),
    (["run", "scenarios/rapid-response.yaml", "-r", "2", "--quiet", "--format", "json"], "run"),
    (["--version", "run", "scenarios/rapid-response.yaml", "-r", "2", "--quiet", "--format", "json"], "run"),
])
def test_only_the_invoked_command_is_imported_and_rich_only_to_draw(args, command):
    imported, stderr = _imported(args)
    assert imported == sorted(["sispam_sim.cli.app", "sispam_sim.cli.common", f"sispam_sim.cli.{command}"]), stderr


def test_every_command_is_imported_for_the_help_and_for_a_misspelt_command():
    from sispam_sim.cli.app import COMMANDS

    for args in (["--help"], [], ["rn"]):
        imported, stderr = _imported(args)
        assert {f"sispam_sim.cli.{name}" for name in COMMANDS} <= set(imported), (args, stderr)


def test_the_commands_are_the_modules_of_the_cli_folder_listed_in_one_order():
    from sispam_sim.cli import app as app_module

    modules = {p.stem for p in (ROOT / "sispam_sim" / "cli").glob("*.py")} - {"__init__", "app", "common"}
    assert set(app_module.COMMANDS) == modules
    app_module._register(["replay"])   # one command first, as a run in this process would
    app_module._register()
    names = [info.callback.__module__.rsplit(".", 1)[1] for info in app_module.app.registered_commands]
    assert names == list(app_module.COMMANDS)
