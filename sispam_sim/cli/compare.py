"""``sispam-sim compare BASE PLAN...``: run plans on the same replications and compare them with the first.

Every file is loaded and checked first (with ``--seed`` applied to all, and whatever
overrides :func:`~sispam_sim.cli.common.load` applies), and every ``--fail-if-worse`` name
too: a bad file or name stops the command before anything runs (exit 2). Then
:func:`sispam_sim.runner.compare.compare_plans` runs each plan on the baseline's number of
replications (or ``-r N``), the same indices, each on the executor the options choose (with
its progress line), and compares them; :mod:`sispam_sim.report.compare` renders the result.
"""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path
from typing import Annotated, List, Optional

import typer

from sispam_sim.cli.app import EXIT_BAD_INPUT, EXIT_CHECK_FAILED, EXIT_OK, app, invocation
from sispam_sim.cli.common import (
    AllowOutsideOpt, ClusterOpt, Format, JobsOpt, Lang, LangOpt, QuietOpt, RunOptions, SetOpt,
    execute, format_option, load_all, parse_replications,
)
from sispam_sim.errors import printable
from sispam_sim.scenario.limits import MAX_COMPARE_PLANS, MAX_SEED, MAX_SWEEP_REPLICATIONS


CompareFormatOpt = format_option(
    Format.table, Format.json, Format.markdown,
    help="table (for people), json (the comparison on stdout) or markdown (the decision table and the headline "
         "differences, for a briefing).")


@app.command()
def compare(
    files: Annotated[List[Path], typer.Argument(
        help="The baseline scenario, then one or more plans to compare with it.", show_default=False,
        metavar="BASE PLAN...")],
    replications: Annotated[Optional[str], typer.Option(
        "--replications", "-r", metavar="N", callback=parse_replications,
        help="Replications of every plan, the same indices for all (default: the baseline's).")] = None,
    seed: Annotated[Optional[int], typer.Option(
        "--seed", "-s", min=0, max=MAX_SEED, help="Override every plan's seed.")] = None,
    set_: SetOpt = None,
    fail_if_worse: Annotated[Optional[List[str]], typer.Option(
        "--fail-if-worse", metavar="METRIC.STAT",
        help="Exit 1 when a plan is significantly worse than the baseline on this statistic (after Holm's "
             "correction): METRIC.STAT for all incidents (response_time.p90, unresolved.per_day, levels.3), "
             "KIND.METRIC.STAT or by_kind.KIND.METRIC.STAT for one kind. Repeatable.")] = None,
    out: Annotated[Optional[str], typer.Option(
        "--out", "-o", metavar="DIR",
        help="Write comparison.json, comparison.csv, decision.csv and comparison.html (the briefing) here.")] = None,
    output: CompareFormatOpt = Format.table,
    detail: Annotated[bool, typer.Option(
        "--detail", help="Show every statistic of every metric: the headline rows (the planned tests) first, "
                         "then the others apart, each tested alone (about one in twenty reads better or worse "
                         "by chance).")] = False,
    lang: LangOpt = Lang.en,
    jobs: JobsOpt = None,
    cluster: ClusterOpt = None,
    allow_outside: AllowOutsideOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """Compare plans with a baseline on the same incidents: differences, 95% intervals, verdicts.

    Every plan runs the same replications (the baseline's number, or -r N) with the same seed
    (the files', or --seed for all); --set applies to every plan. Plans that share the baseline's
    clock, seed, map and randomly drawn calls are paired (common random numbers), however they
    meet them; otherwise the differing keys are named and the plans are compared as independent.
    Intervals are corrected for few days (see docs/model.md); below 20 days every output warns.
    Exit 0 when done, 1 when --fail-if-worse finds a plan significantly worse, 2 for bad input
    (nothing runs then), 130 when interrupted.
    """
    from rich.console import Console

    from sispam_sim.report.compare import render_comparison, write_comparison
    from sispam_sim.runner.compare import compare_plans
    from sispam_sim.runner.output import claimed_out_dir, results_json
    from sispam_sim.report.i18n import t
    from sispam_sim.stats.compare import parse_check, worse_on

    if len(files) < 2:
        raise typer.BadParameter("give a baseline and at least one plan to compare with it", param_hint="'FILE'")
    if replications == "auto":
        raise typer.BadParameter("compare runs a fixed number of replications; give a number",
                                 param_hint="'--replications'")
    options = RunOptions(replications, seed, jobs, cluster, None, allow_outside=allow_outside, quiet=quiet,
                         set=tuple(set_ or ()))
    scenarios = load_all(files, options)   # every bad file reported, then exit 2
    kinds = sorted({entry.kind for s in scenarios for entry in s.spec.incidents})
    checks = []
    for name in fail_if_worse or []:
        try:
            checks.append(parse_check(name, kinds))
        except ValueError as err:
            print(f"sispam-sim: error: --fail-if-worse {err}", file=sys.stderr)
            raise typer.Exit(EXIT_BAD_INPUT) from None
    count = options.count(scenarios[0])
    if len(files) - 1 > MAX_COMPARE_PLANS or len(files) * count > MAX_SWEEP_REPLICATIONS:
        print(f"sispam-sim: error: compare takes at most {MAX_COMPARE_PLANS} plans besides the baseline and "
              f"{MAX_SWEEP_REPLICATIONS:,} replications in all; found {len(files) - 1} plan(s) x {count:,}",
              file=sys.stderr)
        raise typer.Exit(EXIT_BAD_INPUT)

    def run_plan(scenario, n: int):   # on the executor --jobs/--cluster choose, with a progress line
        return execute(scenario, dataclasses.replace(options, replications=str(n)), None, invocation,
                       label="Comparing")

    # --out is checked and held before the runs: a typo must not cost them, and a second run
    # into the same folder is refused before either has done any work
    with claimed_out_dir(out):
        comparison = compare_plans(scenarios, count, run_plan=run_plan, planned=checks)
        document = comparison.document
        if out is not None:
            from sispam_sim.report.html import build_comparison

            html = build_comparison(document, comparison.responses(), lang=lang.value)
            written = write_comparison(out, document, html)
            print(t("wrote", lang.value, files=", ".join(p.name for p in written), folder=out), file=sys.stderr)
    if output is Format.json:
        sys.stdout.write(results_json(document))
    elif output is Format.markdown:
        from sispam_sim.report.markdown import compare_markdown

        sys.stdout.write(compare_markdown(document, lang.value))
    else:
        render_comparison(document, Console(), lang=lang.value, detail=detail)
    worse = [(name, plan) for name, check in zip(fail_if_worse or [], checks) for plan in worse_on(document, check)]
    for name, plan in worse:
        print(f"sispam-sim: {printable(plan)} is significantly worse than the baseline on {name}", file=sys.stderr)
    raise typer.Exit(EXIT_CHECK_FAILED if worse else EXIT_OK)


