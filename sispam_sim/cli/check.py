"""``sispam-sim check FILE...``: run each scenario and judge its targets (a CI gate).

Every file is loaded and checked first: one bad file stops the check before anything runs
(exit 2). Then each scenario with targets is run as ``run`` would run it, and its targets
are judged from the run's results.json (:mod:`sispam_sim.report.check`). Exit 0 when every
target of every file passes, 1 when one fails, is not tested, or (``--strict``) is
borderline, or when a file sets no targets (unless ``--allow-no-targets``).
"""

from __future__ import annotations

import shlex
import sys
from contextlib import nullcontext
from enum import Enum
from pathlib import Path
from typing import List, Optional

import typer

from sispam_sim.cli.app import EXIT_BAD_INPUT, EXIT_CHECK_FAILED, EXIT_INTERRUPTED, EXIT_OK, app, invocation
from sispam_sim.cli.run import Lang
from sispam_sim.cli.validate import github_annotation, unique_files
from sispam_sim.scenario.limits import MAX_REPLICATIONS, MAX_SEED


class CheckFormat(str, Enum):
    table = "table"
    json = "json"
    github = "github"


def _load_all(files: List[Path], seed: Optional[int], allow_outside: bool, output: CheckFormat) -> list:
    """Every scenario, loaded and checked; every problem of every bad file reported, then exit 2."""
    from sispam_sim.cli.app import print_problems
    from sispam_sim.errors import ScenarioError
    from sispam_sim.scenario.loader import load_scenario

    scenarios, problems = [], []
    for file in files:
        try:
            scenarios.append(load_scenario(file, seed=seed, allow_outside=allow_outside))
        except ScenarioError as err:
            problems.extend(err.problems)
    if problems:
        if output is CheckFormat.github:
            for problem in problems:
                print(github_annotation(problem))
        print_problems(problems)
        print(f"sispam-sim: {len({p.file for p in problems})} of {len(files)} file(s) invalid: nothing was run",
              file=sys.stderr)
        raise typer.Exit(EXIT_BAD_INPUT)
    for scenario in scenarios:
        print_problems(scenario.warnings)
    return scenarios


def _run(scenario, replications: Optional[int]):
    """The scenario's results.json document, with a status line on a terminal."""
    from rich.console import Console

    from sispam_sim.report.terminal import plain
    from sispam_sim.runner.pipeline import simulate

    count = replications or scenario.spec.replications
    err = Console(stderr=True)
    status = err.status(plain(f"Checking {count} replication(s) of {scenario.spec.name} ..."))
    with status if err.is_terminal else nullcontext():
        return simulate(scenario, count, command=shlex.join(["sispam-sim", *invocation])).document


@app.command()
def check(
    files: List[Path] = typer.Argument(..., help="Scenario files whose targets to check.", show_default=False,
                                       metavar="FILE"),
    replications: Optional[int] = typer.Option(None, "--replications", "-r", min=1, max=MAX_REPLICATIONS,
                                               help="Number of replications (default: each scenario's)."),
    seed: Optional[int] = typer.Option(None, "--seed", "-s", min=0, max=MAX_SEED,
                                       help="Override each scenario's seed."),
    strict: bool = typer.Option(False, "--strict",
                                help="Borderline targets fail too: a pass whose 95% interval straddles the limit."),
    allow_no_targets: bool = typer.Option(False, "--allow-no-targets",
                                          help="A scenario without targets passes (by default it fails: "
                                               "a check that checks nothing is not a pass)."),
    output: CheckFormat = typer.Option(CheckFormat.table, "--format", "-f",
                                       help="table (for people), json (one document for all files) or github "
                                            "(workflow annotations at each target's line)."),
    lang: Lang = typer.Option(Lang.en, "--lang", help="Labels in English (en) or Indonesian (id)."),
    allow_outside: bool = typer.Option(False, "--allow-outside",
                                       help="Let a scenario read files outside its own folder tree."),
) -> None:
    """Check scenarios' targets: run each one and judge every target it sets.

    Exit 0 when every target of every file passes, 1 when a target fails, is not tested
    (nothing to judge), is borderline with --strict, or a file sets no targets (unless
    --allow-no-targets); 2 for bad input (nothing runs if any file is invalid).
    """
    from rich.console import Console

    from sispam_sim.report.check import CheckedFile, check_document, problems, render_table, summary
    from sispam_sim.report.export import results_json

    scenarios = _load_all(unique_files(files), seed, allow_outside, output)
    checked = []
    try:
        for scenario in scenarios:
            rows = scenario.spec.targets.rows()
            results = _run(scenario, replications) if rows else None
            positions = [scenario.target_positions[row.path] for row in rows]
            locations = [(pos.file, pos.line, pos.col) for pos in positions]
            checked.append(CheckedFile(scenario.file, scenario.spec.name, results, locations,
                                       [row.path for row in rows]))
    except KeyboardInterrupt:
        print("sispam-sim: check interrupted", file=sys.stderr)
        raise typer.Exit(EXIT_INTERRUPTED) from None
    document = check_document(checked, strict=strict, allow_no_targets=allow_no_targets)
    if output is CheckFormat.json:
        sys.stdout.write(results_json(document))
    elif output is CheckFormat.github:   # annotations on the pull request, and verdicts for the log
        for problem in problems(document, lang.value):
            print(github_annotation(problem))
        for line in summary(document, lang.value):
            print(line.plain)
    else:
        render_table(document, Console(), lang=lang.value)
    raise typer.Exit(EXIT_OK if document["verdict"] == "pass" else EXIT_CHECK_FAILED)
