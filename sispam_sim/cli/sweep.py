"""``sispam-sim sweep FILE --set KEY.PATH=v1,v2,...``: run a scenario at every point of a grid of values.

Every point of the grid is loaded and checked before the first one runs (a bad value is exit 2
and nothing runs); then each runs on the same seed and replication indices (common random
numbers) through one executor, and the headline statistics of every point are printed (table,
json or csv) and, with ``--out``, written as sweep.csv and sweep.json. ``--until`` stops a
one-dimensional sweep at the first point that clearly breaks its condition (its 95% interval wholly
beyond the limit), runs past points too close to call and brackets the break. The computing is
:mod:`sispam_sim.runner.sweep`; the rendering :mod:`sispam_sim.report.sweep`.
"""

from __future__ import annotations

import shlex
import sys
from pathlib import Path
from typing import Annotated, List, Optional

import typer

from sispam_sim.cli.app import EXIT_BAD_INPUT, EXIT_CHECK_FAILED, EXIT_OK, app, invocation
from sispam_sim.cli.common import (
    AllowOutsideOpt, ClusterOpt, FileArg, Format, JobsOpt, Lang, LangOpt, QuietOpt, ReplicationsOpt, SeedOpt,
    _Progress, format_option,
)
from sispam_sim.errors import UsageError


SweepFormatOpt = format_option(
    Format.table, Format.json, Format.csv,
    help="table (for people), json (sweep.json on stdout) or csv (sweep.csv on stdout).")


def _axes(texts: List[str]):
    """The fixed overrides (one value) and the axes (several values) of the ``--set`` options."""
    from sispam_sim.errors import OVERRIDE_FILE, Problem, ScenarioError
    from sispam_sim.runner.sweep import Axis
    from sispam_sim.scenario.overrides import split_override, split_values

    fixed, axes, problems = [], [], []
    for text in texts:
        parts = split_override(text)
        values = split_values(parts[1]) if parts is not None else [text]
        if parts is None or len(values) == 1:
            fixed.append(text)   # read (and refused, if need be) as an override
        elif "" in values:
            problems.append(Problem(OVERRIDE_FILE, None, None, text, "an empty value between commas (write null "
                                                                     "for null; quote a value that holds a comma)"))
        else:
            axes.append(Axis(parts[0], tuple(values)))
    if problems:
        raise ScenarioError(problems)
    return fixed, axes


def _load_points(file: Path, points, fixed, seed, allow_outside):
    """Load every point (all problems of all points at once: exit 2, nothing runs); the first point's scenario."""
    from sispam_sim.cli.app import print_problems
    from sispam_sim.errors import ScenarioError
    from sispam_sim.scenario.loader import load_scenario

    first, problems, warnings, bad = None, {}, {}, 0
    for point in points:
        try:
            scenario = load_scenario(file, seed=seed, allow_outside=allow_outside,
                                     overrides=(*fixed, *point.overrides))
        except ScenarioError as err:
            bad += 1
            problems.update(dict.fromkeys(err.problems))
            continue
        warnings.update(dict.fromkeys(scenario.warnings))
        first = first or scenario
    if problems:
        print_problems(problems)
        print(f"sispam-sim: {bad} of {len(points)} sweep point(s) invalid: nothing was run", file=sys.stderr)
        raise typer.Exit(EXIT_BAD_INPUT)
    print_problems(warnings)
    return first


@app.command()
def sweep(
    file: FileArg,
    set_: Annotated[List[str], typer.Option(
        "--set", metavar="KEY.PATH=V1,V2,...",
        help="Values to sweep (repeatable: the grid is every combination). Commas separate values, except inside "
             "[...], {...} and quotes: --set 'incidents[0].rate={\"06:00\": 2/h, \"13:00\": 4/h},{\"06:00\": 4/h}' "
             "is two values. One value is a fixed override. incidents[*].rate=x1,x1.5,x2 sweeps a rate multiplier. "
             "Paths and values as for run --set (docs/scenario-format.md).",
        show_default=False)],
    until: Annotated[Optional[str], typer.Option(
        "--until", metavar="CONDITION",
        help='Stop a one-dimensional sweep at the first value that clearly breaks CONDITION (its 95% interval '
             'wholly beyond the limit; points whose interval holds the limit are too close to call, and the '
             'break is bracketed between the last that clearly holds and the first that clearly breaks): '
             '"[by_kind.KIND.]METRIC.STAT OP LIMIT" with OP one of > >= < <= and LIMIT a duration or number '
             '(response_time.p90 > 15min, unresolved.per_day > 0, max_level >= merah), or "targets" (any target '
             'fails).')] = None,
    fail_if_broken: Annotated[bool, typer.Option(
        "--fail-if-broken", help="Exit 1 when a point clearly breaks the --until condition (a CI gate: the plan "
                                 "must hold over the whole range; too close to call does not count).")] = False,
    replications: ReplicationsOpt = None,
    seed: SeedOpt = None,
    output: SweepFormatOpt = Format.table,
    out: Annotated[Optional[str], typer.Option(
        "--out", "-o", metavar="DIR", help="Write sweep.csv and sweep.json here (all or nothing).")] = None,
    lang: LangOpt = Lang.en,
    jobs: JobsOpt = None,
    cluster: ClusterOpt = None,
    allow_outside: AllowOutsideOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """Sweep a scenario over a grid of values and show the headline statistics of every point.

    Every point runs the same replications with the same seed (common random numbers), so the
    differences between points are the values', not chance's. Exit 0 when the sweep ran (whether
    or not --until broke), 1 with --fail-if-broken when a point broke the --until condition, 2 for
    bad input (every point is checked before any runs), 130 when interrupted (nothing is written).
    """
    from rich.console import Console

    from sispam_sim.runner.output import claimed_out_dir, write_texts
    from sispam_sim.report.i18n import t
    from sispam_sim.report.sweep import render_sweep, sweep_csv, sweep_json
    from sispam_sim.runner import sweep as sweeping
    from sispam_sim.runner.executors import make_executor

    if replications == "auto":
        raise typer.BadParameter("a sweep runs every point on the same replications: give a number (or leave "
                                 "it out for the scenario's)", param_hint="'--replications'")
    fixed, axes = _axes(set_)
    if not axes:
        raise UsageError("sweep needs a --set with several values, e.g. --set forces.units[patrol].count=2,4,6")
    condition = None
    if until is not None:
        try:
            condition = sweeping.parse_condition(until)
        except ValueError as err:
            raise UsageError(str(err)) from None
        if len(axes) > 1:
            raise UsageError(f"--until stops a one-dimensional sweep; this one has {len(axes)} swept --set "
                             "(give the others one value)")
    elif fail_if_broken:
        raise UsageError("--fail-if-broken needs --until CONDITION")
    points = sweeping.grid(axes)
    too_large = sweeping.check_size(len(points), 1 if replications is None else int(replications))
    if too_large:
        raise UsageError(too_large)
    first = _load_points(file, points, fixed, seed, allow_outside)
    count = first.spec.replications if replications is None else int(replications)
    too_large = sweeping.check_size(len(points), count)
    if too_large:
        raise UsageError(too_large)
    command = shlex.join(["sispam-sim", *invocation])

    def load(point):
        from sispam_sim.scenario.loader import load_scenario
        return load_scenario(file, seed=seed, allow_outside=allow_outside, overrides=(*fixed, *point.overrides),
                             with_warnings=False)

    total = count * len(points)
    # --out is checked and held before the runs: a typo fails at once, and so does a second run
    # into the same folder
    with claimed_out_dir(out):
        with make_executor(jobs, cluster, total, first.size.with_replications(count).seconds * len(points)) as ex, \
                _Progress(f"Sweeping {first.spec.name}", quiet) as progress:
            def point_progress(point):
                return lambda done, _: progress(point.index * count + done, total)

            result = sweeping.sweep(load, axes, points, count, executor=ex, until=condition, command=command,
                                    progress=point_progress)
        document = sweeping.sweep_document(result, fixed)
        if out is not None:
            written = write_texts(out, {"sweep.csv": sweep_csv(document), "sweep.json": sweep_json(document)})
            print(t("wrote", lang.value, files=", ".join(p.name for p in written), folder=out), file=sys.stderr)
    if output is Format.json:
        sys.stdout.write(sweep_json(document))
    elif output is Format.csv:
        sys.stdout.write(sweep_csv(document))
    else:
        render_sweep(document, Console(), lang=lang.value, loaded=first)
    broken = result.broken_at is not None
    raise typer.Exit(EXIT_CHECK_FAILED if fail_if_broken and broken else EXIT_OK)
