"""``sispam-sim verify``: run the built-in reference cases and judge the engine against theory.

The cases are scenario files shipped in ``sispam_sim/verify/cases/`` (run any of them with
``sispam-sim run``); the formulas are in :mod:`sispam_sim.verify.theory`, the runs and the
rule in :mod:`sispam_sim.verify.reference`. Exit 0 when every check passes, 1 when one fails.
"""

from __future__ import annotations

import sys
from typing import Annotated, Optional

import typer

from sispam_sim.cli.app import EXIT_CHECK_FAILED, EXIT_OK, app
from sispam_sim.cli.common import Format, JobsOpt, Lang, LangOpt, format_option
from sispam_sim.scenario.limits import MAX_SEED

VerifyFormatOpt = format_option(Format.table, Format.json,
                                help="table (for people) or json (one document with every check).")
VerifySeedOpt = Annotated[Optional[int], typer.Option(
    "--seed", "-s", min=0, max=MAX_SEED,
    help="Draw every case's random numbers afresh: each case runs on a seed derived from this one and "
         "its name (default: the seeds shipped in the case files).")]


@app.command()
def verify(
    quick: Annotated[bool, typer.Option(
        "--quick", help="Fewer replications, and c = 200 instead of 850 for the large case "
                        "(a few seconds; the default takes under a minute).")] = False,
    seed: VerifySeedOpt = None,
    output: VerifyFormatOpt = Format.table,
    lang: LangOpt = Lang.en,
    jobs: JobsOpt = None,
) -> None:
    """Check the engine against queueing theory and hand arithmetic.

    Runs the reference cases shipped with sispam-sim: M/M/c waits against Erlang C at several
    loads, and the share of calls that wait at c = 850 one-person units at load 0.95; the tail of
    the wait, P(W > 15 min) = C exp(-(c mu - lambda) 15), which only a first-come-first-served
    queue meets; the non-preemptive priority M/M/c (Cobham) per class; exact travel and TPS
    downtime arithmetic; and a crowd escalation worked out by hand. Calls in each replication's
    warm-up (it starts with every unit free) are not counted. For each check: the theory, the
    simulated mean with its interval, and PASS when the theory lies inside the interval and the
    interval is narrow enough (half-width at most a stated share of the theory; exact cases equal
    to 1e-6 min). The intervals are at the Bonferroni level 1 - 5%/m for m random checks, so a
    correct engine fails a run with probability at most 5%; --seed S draws every random number
    afresh to see it. Exit 0 when every check passes, 1 when one fails.
    """
    from rich.console import Console

    from sispam_sim.report.verify import render_table, verify_document, verify_json
    from sispam_sim.verify.reference import rule
    from sispam_sim.verify.reference import verify as run_verify

    rows = run_verify(quick=quick, jobs=jobs, seed=seed)   # jobs None: the usable cores
    document = verify_document(rows, quick, seed=seed, rule=rule(rows))
    if output is Format.json:
        sys.stdout.write(verify_json(document))
    else:
        render_table(document, Console(), lang=lang.value)
    raise typer.Exit(EXIT_OK if document["verdict"] == "pass" else EXIT_CHECK_FAILED)
