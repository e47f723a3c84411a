"""``sispam-sim run``: play a scenario day many times and summarise how the force was used."""

from __future__ import annotations

import shlex
import sys
from contextlib import nullcontext
from enum import Enum
from pathlib import Path
from typing import Optional

import typer

from sispam_sim.cli.app import EXIT_INTERRUPTED, EXIT_OK, app, invocation, print_problems
from sispam_sim.scenario.limits import MAX_REPLICATIONS, MAX_SEED


class RunFormat(str, Enum):
    table = "table"
    json = "json"


class Lang(str, Enum):
    en = "en"
    id = "id"


@app.command()
def run(
    file: Path = typer.Argument(..., help="The scenario file.", show_default=False, metavar="FILE"),
    replications: Optional[int] = typer.Option(None, "--replications", "-r", min=1, max=MAX_REPLICATIONS,
                                               help="Number of replications (default: the scenario's)."),
    seed: Optional[int] = typer.Option(None, "--seed", "-s", min=0, max=MAX_SEED, help="Override the scenario's seed."),
    out: Optional[str] = typer.Option(None, "--out", "-o", metavar="DIR",
                                       help="Write results.json, incidents.csv, timeline.csv and events.csv here."),
    output: RunFormat = typer.Option(RunFormat.table, "--format", "-f",
                                     help="table (a summary for people) or json (results.json on stdout)."),
    lang: Lang = typer.Option(Lang.en, "--lang", help="Labels in English (en) or Indonesian (id)."),
    allow_outside: bool = typer.Option(False, "--allow-outside",
                                       help="Let the scenario read files outside its own folder tree."),
) -> None:
    """Run a scenario: play its day many times and report response times, targets and load.

    Exit 0 when the run completed (targets are reported, not enforced), 2 for bad input.
    """
    from rich.console import Console

    from sispam_sim.report.export import missing_ancestor, prepare_out_dir, remove_created, results_json, write_outputs
    from sispam_sim.report.terminal import plain, render_run
    from sispam_sim.runner.pipeline import simulate
    from sispam_sim.scenario.loader import load_scenario

    # checked with the sites that seed generates
    scenario = load_scenario(file, seed=seed, allow_outside=allow_outside)
    print_problems(scenario.warnings)
    created = None
    if out is not None:   # before the run: a typo in --out must not cost a whole run
        created = missing_ancestor(out)   # what prepare_out_dir makes, and an interrupted run removes
        prepare_out_dir(out)              # refuses an empty name (Path("") would be the current folder)
    count = replications or scenario.spec.replications
    err = Console(stderr=True)
    status = err.status(plain(f"Running {count} replication(s) of {scenario.spec.name} ..."))
    try:
        with status if err.is_terminal else nullcontext():
            # The timeline and the event log are only written with --out: without it, do not record them.
            result = simulate(scenario, count, keep_records=out is not None,
                              command=shlex.join(["sispam-sim", *invocation]))
        if out is not None:
            written = write_outputs(out, result.document, result.records)
            print(f"Wrote {', '.join(p.name for p in written)} to {out}", file=sys.stderr)
    except KeyboardInterrupt:
        if out is not None:
            remove_created(out, created)
        print("sispam-sim: run interrupted; nothing was written", file=sys.stderr)
        raise typer.Exit(EXIT_INTERRUPTED) from None
    if output is RunFormat.json:
        sys.stdout.write(results_json(result.document))
    else:
        render_run(result.document, Console(), lang=lang.value)
    raise typer.Exit(EXIT_OK)
