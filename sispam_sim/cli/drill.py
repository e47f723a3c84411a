"""``sispam-sim drill FILE``: one simulated day as the inject script of a field or tabletop exercise.

Which day: :mod:`sispam_sim.stats.days`, run by :func:`sispam_sim.runner.drill.drill_day` (the days ranked on
any executor, the chosen one run again with its event log); how the script reads: :mod:`sispam_sim.report.drill`.
The command writes ``inject.csv`` (the master events list) and ``inject.md`` (printable) into ``--out``, all or
nothing.
"""

from __future__ import annotations

import sys
from typing import Annotated, Optional

import typer

from sispam_sim.cli.app import EXIT_BAD_INPUT, EXIT_OK, app
from sispam_sim.cli.common import (
    AllowOutsideOpt, FileArg, JobsOpt, Lang, LangOpt, ReplicationsOpt, RunOptions, SeedOpt, SetOpt, load,
)
from sispam_sim.scenario.limits import MAX_REPLICATIONS


@app.command()
def drill(
    file: FileArg,
    out: Annotated[str, typer.Option("--out", "-o", metavar="DIR", help="Write inject.csv and inject.md here.")],
    day: Annotated[Optional[int], typer.Option(
        "--replication", metavar="K", min=1, max=MAX_REPLICATIONS,
        help="The day to script, counted from 1 as people count days (replication K-1 in the CSV files).")] = None,
    typical: Annotated[bool, typer.Option("--typical", help="Script the day closest to the median day.")] = False,
    worst: Annotated[bool, typer.Option("--worst", help="Script the day with the highest p90 response time.")] = False,
    replications: ReplicationsOpt = None,
    seed: SeedOpt = None,
    set_: SetOpt = None,
    lang: LangOpt = Lang.en,
    jobs: JobsOpt = None,
    allow_outside: AllowOutsideOpt = False,
) -> None:
    """Turn one simulated day into the inject script of an exercise: every incident at its clock time,
    place and coordinates, what the controller tells the players, and the plan's simulated response
    (units sent and from where, arrival, full strength, escalation, resolution) to score them against.

    Give exactly one of --replication K, --typical or --worst (these two choose among the scenario's
    replications, or -r N). Exit 0 when written, 2 for bad input.
    """
    from sispam_sim.report.drill import inject_csv, inject_markdown, inject_rows
    from sispam_sim.report.numbers import decimal
    from sispam_sim.runner.output import write_texts
    from sispam_sim.report.i18n import t
    from sispam_sim.runner.drill import drill_day
    from sispam_sim.runner.executors import make_executor

    if sum((day is not None, typical, worst)) != 1:
        print("sispam-sim: error: give exactly one of --replication K, --typical or --worst", file=sys.stderr)
        raise typer.Exit(EXIT_BAD_INPUT)
    if replications == "auto":
        print("sispam-sim: error: drill chooses among a fixed number of days; give -r N", file=sys.stderr)
        raise typer.Exit(EXIT_BAD_INPUT)
    options = RunOptions(replications, seed, jobs, allow_outside=allow_outside, set=tuple(set_ or ()))
    scenario = load(file, options)
    if day is not None:
        chosen = drill_day(scenario, replication=day - 1)
        why = t("drill_chosen", lang.value)
    else:
        days = options.count(scenario)
        with make_executor(jobs, None, days, scenario.size.with_replications(days).seconds) as executor:
            chosen = drill_day(scenario, choose="typical" if typical else "worst", replications=days,
                               executor=executor)
        mean, p90, _ = chosen.statistics
        why = t("drill_typical" if typical else "drill_worst", lang.value, days=days,
                mean=decimal(mean, 1, lang.value, grouping=False),
                p90="∞" if p90 == float("inf") else decimal(p90, 1, lang.value, grouping=False))
    index = chosen.index
    rows = inject_rows(chosen.result, scenario, lang.value)
    written = write_texts(out, {"inject.csv": inject_csv(rows),
                                "inject.md": inject_markdown(rows, scenario, index + 1, why, lang.value)})
    print(t("drill_done", lang.value, day=index + 1, why=why, injects=len(rows)), file=sys.stderr)
    print(t("wrote", lang.value, files=", ".join(p.name for p in written), folder=out), file=sys.stderr)
    raise typer.Exit(EXIT_OK)
