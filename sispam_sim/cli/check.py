"""``sispam-sim check FILE...``: run each scenario and judge its targets (a CI gate).

Every file is loaded and checked first: one bad file stops the check before anything runs
(exit 2). Then each scenario with targets is run as ``run`` runs it (the same options,
executors and progress: :mod:`sispam_sim.cli.common`), and its targets are judged from the
run's results.json (:mod:`sispam_sim.report.check`). Exit 0 when every target of every file
passes (a target too close to call counts as passing, named in the summary), 1 when one fails,
is not tested, or (``--strict``) is too close to call, or when a file sets no targets (unless
``--allow-no-targets``).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, List

import typer

from sispam_sim.cli.app import EXIT_CHECK_FAILED, EXIT_OK, app, invocation
from sispam_sim.cli.common import (
    DEFAULT_MAX_REPLICATIONS, AllowOutsideOpt, ClusterOpt, Format, JobsOpt, Lang, LangOpt, MaxReplicationsOpt,
    PrecisionOpt, QuietOpt, ReplicationsOpt, RunOptions, SeedOpt, SetOpt, execute, format_option, load_all,
)
from sispam_sim.cli.validate import github_annotation, unique_files


CheckFormatOpt = format_option(
    Format.table, Format.json, Format.github, Format.markdown,
    help="table (for people), json (one document for all files), github (workflow annotations at each target's "
         "line) or markdown (the tables, for a briefing).")


@app.command()
def check(
    files: Annotated[List[Path], typer.Argument(help="Scenario files whose targets to check.", show_default=False,
                                                metavar="FILE")],
    replications: ReplicationsOpt = None,
    seed: SeedOpt = None,
    strict: Annotated[bool, typer.Option(
        "--strict", help="Targets too close to call fail too (their 95% interval holds the limit).")] = False,
    allow_no_targets: Annotated[bool, typer.Option(
        "--allow-no-targets", help="A scenario without targets passes (by default it fails: a check that checks "
                                   "nothing is not a pass).")] = False,
    output: CheckFormatOpt = Format.table,
    lang: LangOpt = Lang.en,
    jobs: JobsOpt = None,
    cluster: ClusterOpt = None,
    precision: PrecisionOpt = None,
    max_replications: MaxReplicationsOpt = DEFAULT_MAX_REPLICATIONS,
    allow_outside: AllowOutsideOpt = False,
    quiet: QuietOpt = False,
    set_: SetOpt = None,
) -> None:
    """Check scenarios' targets: run each one and judge every target it sets.

    Exit 0 when every target of every file passes or is too close to call (its 95% interval
    holds the limit; named in the summary), 1 when a target fails, is not tested (nothing to
    judge), is too close with --strict, or a file sets no targets (unless
    --allow-no-targets); 2 for bad input (nothing runs if any file is invalid); 130 when
    interrupted.
    """
    from rich.console import Console

    from sispam_sim.report.check import CheckedFile, check_document, problems, render_table, summary
    from sispam_sim.runner.output import results_json

    options = RunOptions(replications, seed, jobs, cluster, precision, max_replications, allow_outside, quiet,
                         tuple(set_ or ()))
    options.check()   # a bad combination of options fails before any file is read
    scenarios = load_all(unique_files(files), options, github=output is Format.github)
    checked = []
    for scenario in scenarios:
        rows = scenario.spec.targets.rows()
        results = execute(scenario, options, None, invocation, label="Checking").document if rows else None
        positions = [scenario.target_positions[row.path] for row in rows]
        checked.append(CheckedFile(scenario.file, scenario.spec.name, results,
                                   [(pos.file, pos.line, pos.col) for pos in positions], [row.path for row in rows],
                                   name_id=scenario.spec.name_id))
    document = check_document(checked, strict=strict, allow_no_targets=allow_no_targets)
    if output is Format.json:
        sys.stdout.write(results_json(document))
    elif output is Format.github:   # annotations on the pull request, and verdicts for the log
        for problem in problems(document, lang.value):
            print(github_annotation(problem))
        for line in summary(document, lang.value):
            print(line.plain)
    elif output is Format.markdown:
        from sispam_sim.report.markdown import check_markdown

        sys.stdout.write(check_markdown(document, lang.value))
    else:
        render_table(document, Console(), lang=lang.value)
    raise typer.Exit(EXIT_OK if document["verdict"] == "pass" else EXIT_CHECK_FAILED)
