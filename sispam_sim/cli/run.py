"""``sispam-sim run``: play a scenario day many times and summarise how the force was used."""

from __future__ import annotations

import platform
import shlex
import sys
from contextlib import nullcontext
from enum import Enum
from pathlib import Path
from typing import Optional

import typer

from sispam_sim.cli.app import EXIT_OK, app, invocation, print_problems


class RunFormat(str, Enum):
    table = "table"
    json = "json"


class Lang(str, Enum):
    en = "en"
    id = "id"


def _manifest(seed: int, replications: int) -> dict:
    from sispam_sim import __version__

    return {
        "sispam_sim": __version__,
        "seed": seed,
        "replications": replications,
        "python": platform.python_version(),
        "command": shlex.join(["sispam-sim", *invocation]),
    }


@app.command()
def run(
    file: Path = typer.Argument(..., help="The scenario file.", show_default=False, metavar="FILE"),
    replications: Optional[int] = typer.Option(None, "--replications", "-r", min=1,
                                               help="Number of replications (default: the scenario's)."),
    seed: Optional[int] = typer.Option(None, "--seed", "-s", min=0, help="Override the scenario's seed."),
    out: Optional[Path] = typer.Option(None, "--out", "-o",
                                       help="Write results.json, incidents.csv, timeline.csv and events.csv here."),
    output: RunFormat = typer.Option(RunFormat.table, "--format", "-f",
                                     help="table (a summary for people) or json (results.json on stdout)."),
    lang: Lang = typer.Option(Lang.en, "--lang", help="Labels in English (en) or Indonesian (id)."),
) -> None:
    """Run a scenario: play its day many times and report response times, targets and load.

    Exit 0 when the run completed (targets are reported, not enforced), 2 for bad input.
    """
    from rich.console import Console

    from sispam_sim.report.export import prepare_out_dir, results_document, results_json, write_outputs
    from sispam_sim.report.terminal import render_run
    from sispam_sim.runner.replications import run_replications
    from sispam_sim.scenario.loader import load_scenario
    from sispam_sim.stats.summary import summarise, worst_incidents

    scenario = load_scenario(file, seed=seed)  # checked with the sites that seed generates
    print_problems(scenario.warnings)
    if out is not None:
        prepare_out_dir(out)  # before the run: a typo in --out must not cost a whole run
    count = replications or scenario.spec.replications
    err = Console(stderr=True)
    status = err.status(f"Running {count} replication(s) of {scenario.spec.name} ...")
    with status if err.is_terminal else nullcontext():
        # The timeline and the event log are only written with --out: without it, do not record them.
        results = run_replications(scenario, count, record_timeline=out is not None, record_events=out is not None)
    summary = summarise(results, scenario.spec.targets.limits())
    document = results_document(
        {"name": scenario.spec.name, "file": str(file), "sha256": scenario.sha256,
         "inputs": [{"file": name, "sha256": digest} for name, digest in scenario.inputs]},
        _manifest(scenario.spec.seed, count),
        summary,
    )
    if out is not None:
        written = write_outputs(out, document, results)
        print(f"Wrote {', '.join(p.name for p in written)} to {out}", file=sys.stderr)
    if output is RunFormat.json:
        sys.stdout.write(results_json(document))
    else:
        render_run(document, worst_incidents(results), Console(), lang=lang.value)
    raise typer.Exit(EXIT_OK)

