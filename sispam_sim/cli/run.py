"""``sispam-sim run``: play a scenario day many times and summarise how the force was used."""

from __future__ import annotations

import sys
from typing import Annotated, Optional

import typer

from sispam_sim.cli.app import EXIT_OK, app, invocation
from sispam_sim.cli.common import (
    DEFAULT_MAX_REPLICATIONS, AllowOutsideOpt, ClusterOpt, FileArg, Format, JobsOpt, Lang, LangOpt,
    MaxReplicationsOpt, PrecisionOpt, QuietOpt, ReplicationsOpt, RunOptions, SeedOpt, SetOpt, execute, format_option,
    load,
)

RunFormatOpt = format_option(
    Format.table, Format.json, Format.markdown,
    help="table (a summary for people), json (results.json on stdout) or markdown (the targets and headline tables, "
         "to paste into a briefing).")


@app.command()
def run(
    file: FileArg,
    replications: ReplicationsOpt = None,
    seed: SeedOpt = None,
    out: Annotated[Optional[str], typer.Option(
        "--out", "-o", metavar="DIR",
        help="Write results.json, incidents.csv, timeline.csv, events.csv and report.html (the briefing) here.")] = None,
    output: RunFormatOpt = Format.table,
    lang: LangOpt = Lang.en,
    jobs: JobsOpt = None,
    cluster: ClusterOpt = None,
    precision: PrecisionOpt = None,
    max_replications: MaxReplicationsOpt = DEFAULT_MAX_REPLICATIONS,
    allow_outside: AllowOutsideOpt = False,
    quiet: QuietOpt = False,
    set_: SetOpt = None,
) -> None:
    """Run a scenario: play its day many times and report response times, targets and load.

    Exit 0 when the run completed (targets are reported, not enforced), 2 for bad input,
    130 when interrupted (nothing is written then).
    """
    from sispam_sim.runner.output import results_json

    options = RunOptions(replications, seed, jobs, cluster, precision, max_replications, allow_outside, quiet,
                         tuple(set_ or ()))
    scenario = load(file, options)
    result = execute(scenario, options, out, invocation, lang=lang.value)
    if output is Format.json:
        sys.stdout.write(results_json(result.document))
    elif output is Format.markdown:
        from sispam_sim.report.markdown import run_markdown

        sys.stdout.write(run_markdown(result.document, lang.value, scenario))
    else:
        from rich.console import Console

        from sispam_sim.report.findings import print_bottom_line
        from sispam_sim.report.terminal import render_run

        console = Console()
        render_run(result.document, console, lang=lang.value, scenario=scenario)
        print_bottom_line(result.document, console, lang.value)
    raise typer.Exit(EXIT_OK)
