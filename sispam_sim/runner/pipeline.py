"""The library pipeline every command is a thin layer over: simulate -> summarise -> document.

    from sispam_sim.scenario.loader import load_scenario
    from sispam_sim.runner.pipeline import simulate

    run = simulate(load_scenario("scenarios/jember-pilkada-2024.yaml"), replications=20)
    run.document["targets"]            # what results.json holds
    run.summary["metrics"]["all"]["response_time"]["p90"]

Replications run on an executor (:mod:`~sispam_sim.runner.executors`: serial, a process
pool, a Dask cluster). Each is summarised where it ran (the map step,
:func:`~sispam_sim.stats.summary.summarise_day`); its records become CSV rows there too when
an :class:`~sispam_sim.runner.output.OutputWriter` is given, and are streamed to disk in
replication order. Only the day summaries are kept, and pooled at the end (the reduce step,
:func:`~sispam_sim.stats.summary.aggregate`). :func:`simulate_to_precision` adds batches of
replications until the targeted statistics are as precise as asked.
"""

from __future__ import annotations

import platform
from dataclasses import dataclass
import math
from typing import Callable, Sequence

from sispam_sim.runner.executors import Executor, Job, Serial
from sispam_sim.runner.replications import replication_indices
from sispam_sim.scenario.loader import LoadedScenario
from sispam_sim.stats.findings import FindingsPlan
from sispam_sim.stats.intervals import CONFIDENCE, PERCENTILE_METHOD
from sispam_sim.stats.summary import Accumulator, DaySummary

__all__ = ["RunOutput", "simulate", "simulate_to_precision", "relative_half_widths", "manifest", "place_names",
           "scenario_info", "STATISTICS_METHOD"]

#: How the statistics were computed, stated in every results.json (docs/model.md, "Statistics").
STATISTICS_METHOD = {
    "over": "incidents of all replications pooled",
    "percentile_method": f"numpy {PERCENTILE_METHOD}",
    "confidence": CONFIDENCE,
    "intervals": "replications as independent days: ratio estimator over days with a studentised day bootstrap "
                 "(bootstrap-t, 2000 resamples, never narrower than Student-t; Student-t below 5 or above 1000 days) "
                 "for means and shares; Woodruff's method with the same studentisation (percentiles); Wilson score "
                 "(shares of days)",
    "censored": "not reached by the end of the run: counted, ranked above every finite value",
}


@dataclass
class RunOutput:
    """What :func:`simulate` returns."""

    scenario: LoadedScenario
    replications: int
    summary: dict          # metrics, units, targets, slowest
    document: dict         # the results.json document
    #: with --replications auto: the precision asked, how many replications it took and why it stopped
    precision: dict | None = None
    #: the pooled day summaries behind ``summary`` (what ``compare`` resamples)
    days: Accumulator | None = None


def place_names(scenario: LoadedScenario) -> dict[str, str]:
    """Place and district id -> the name a report shows (the id when no name is given)."""
    spec = scenario.spec
    names = {pid: p.name or pid for pid, p in spec.map.places.items()}
    names.update({did: d.name or did for did, d in spec.map.districts.items()})
    return names


def scenario_info(scenario: LoadedScenario) -> dict:
    """The ``scenario`` section of results.json: name, file, and every input file's digest."""
    return {"name": scenario.spec.name, "file": scenario.file, "sha256": scenario.sha256,
            "inputs": [{"file": name, "sha256": digest} for name, digest in scenario.inputs]}


def manifest(scenario: LoadedScenario, replications: int, command: str | None = None,
             executor: Executor | None = None) -> dict:
    """How the results were made: versions (numpy does not promise identical draws across
    releases), seed, replications, executor and workers, and the statistics' method."""
    import numpy
    import simpy

    from sispam_sim import __version__

    executor = executor or Serial()
    return {
        "sispam_sim": __version__,
        "seed": scenario.spec.seed,
        "replications": replications,
        "python": platform.python_version(),
        "numpy": numpy.__version__,
        "simpy": simpy.__version__,
        "executor": executor.name,
        "workers": executor.workers,
        "command": command,
        "statistics": STATISTICS_METHOD,
        # --set KEY.PATH=VALUE, as written and in order: what was changed on top of the files
        # whose digests the scenario section holds (only when there were any)
        **({"overrides": list(scenario.overrides)} if scenario.overrides else {}),
    }


class _Run:
    """Replications of one scenario on one executor, summarised and streamed as they finish."""

    def __init__(self, scenario: LoadedScenario, executor: Executor | None, writer, progress, total: int | None,
                 on_day: Callable[[DaySummary], None] | None = None):
        self.scenario, self.writer, self.progress, self.on_day = scenario, writer, progress, on_day
        self.executor = executor or Serial()
        self.findings = FindingsPlan.of(scenario)
        self.job = Job(scenario, place_names(scenario), writer is not None, self.findings)
        self.days = Accumulator()
        self.total = total

    def play(self, indices: Sequence[int]) -> None:
        for done in self.executor.run(self.job, indices):
            self.days.add(done.day)
            if self.on_day is not None:
                self.on_day(done.day)
            if self.writer is not None:
                self.writer.add(done.csv)
            if self.progress is not None:
                self.progress(len(self.days), self.total)

    def summary(self) -> dict:
        return self.days.summary(self.scenario.spec.targets.rows(), findings=self.findings)

    def output(self, command: str | None, precision: dict | None = None) -> RunOutput:
        summary = self.summary()
        document = {
            "scenario": scenario_info(self.scenario),
            "manifest": manifest(self.scenario, len(self.days), command, self.executor),
            "metrics": summary["metrics"],
            "units": summary["units"],
            "targets": summary["targets"],
            **({"findings": summary["findings"]} if "findings" in summary else {}),
            "slowest": summary["slowest"],
        }
        if precision is not None:
            document["manifest"]["precision"] = precision
        return RunOutput(self.scenario, len(self.days), summary, document, precision, self.days)


def simulate(scenario: LoadedScenario, replications: int | Sequence[int] | None = None, *,
             executor: Executor | None = None, writer=None, command: str | None = None,
             progress: Callable[[int, int | None], None] | None = None,
             on_day: Callable[[DaySummary], None] | None = None) -> RunOutput:
    """Run ``replications`` (default: the scenario's; a count or explicit indices) and summarise them.

    ``executor`` runs them (default: serially, here). ``writer`` (an
    :class:`~sispam_sim.runner.output.OutputWriter`) receives each replication's CSV rows in
    index order; the caller finishes it with the document. ``progress(done, total)`` is called
    after each replication, and ``on_day(day)`` with each replication's
    :class:`~sispam_sim.stats.summary.DaySummary`, in index order (what ``drill`` ranks days by).
    """
    indices = replication_indices(scenario.spec.replications if replications is None else replications)
    run = _Run(scenario, executor, writer, progress, len(indices), on_day)
    run.play(indices)
    return run.output(command)


def relative_half_widths(summary: dict) -> list[tuple[str, float]]:
    """``(name, half-width ÷ |value|)`` of every targeted statistic with an interval.

    The half-width is the larger distance from the value to an end of its 95% interval; an
    open end (censored incidents) is ``inf``. A value of 0 (a p90 response of 0 when units wait
    at the incident's place) has no relative precision: its target's limit is the scale then.
    Without targets, the mean and p90 response time of all incidents stand in.
    """
    entries: list[tuple[str, dict]] = []
    for row in summary["targets"]:
        if row["verdict"] != "untested" and row.get("value") is not None and "ci" in row and row["ci"] is not None:
            entries.append((_target_label(row), row))
    if not summary["targets"]:
        rt = summary["metrics"]["all"].get("response_time", {})
        entries = [(f"response_time {stat}", rt[stat]) for stat in ("mean", "p90") if rt.get(stat, {}).get("ci")]
    out = []
    for name, entry in entries:
        value, (lo, hi) = entry["value"], entry["ci"]
        if lo is None or hi is None:
            out.append((name, math.inf))
            continue
        half = max(hi - value, value - lo, 0.0)
        scale = abs(value) or abs(entry.get("limit") or 0.0)
        out.append((name, half / scale if scale else (0.0 if half == 0 else math.inf)))
    return out


def simulate_to_precision(scenario: LoadedScenario, precision: float, *, max_replications: int,
                          first: int = 20, executor: Executor | None = None, writer=None,
                          command: str | None = None,
                          progress: Callable[[int, int | None], None] | None = None) -> RunOutput:
    """Add replications in batches until the 95% interval half-width of every targeted statistic
    is within ``precision`` (a fraction: 0.05 for 5%) of its value, or ``max_replications``.

    The next batch size comes from the worst statistic: a half-width shrinks as 1/√n, so
    ``n × (worst ÷ precision)²`` replications should do (plus 10%, and at least half again as
    many as before). A target too close to call (its interval holds the limit) asks for more too,
    as many as should shrink its interval off the limit, within ``max_replications``.
    ``RunOutput.precision`` says how many it took, why it stopped and which targets were still too
    close then.
    """
    if not 0 < precision < 1:
        raise ValueError(f"precision must be between 0 and 1, found {precision}")
    run = _Run(scenario, executor, writer, progress, None)
    n, target = 0, min(max_replications, max(2, first))
    while True:
        run.play(range(n, target))
        n = target
        summary = run.summary()
        widths = relative_half_widths(summary)
        worst_name, worst = max(widths, key=lambda w: w[1], default=(None, 0.0))
        close = too_close_factors(summary)
        if (worst <= precision and not close) or n >= max_replications:
            break
        wanted = n * (worst / precision) ** 2 * 1.1 if math.isfinite(worst) else 2 * n
        for _, factor in close:   # the interval must shrink by ``factor`` to leave the limit out
            wanted = max(wanted, n * factor ** 2 * 1.1 if math.isfinite(factor) else 2 * n)
        target = min(max_replications, max(math.ceil(n * 1.5), math.ceil(wanted)))
    stopped = "precision reached" if worst <= precision and not close else "max-replications reached"
    info = {"asked": precision, "replications": n, "stopped": stopped, "max_replications": max_replications,
            "worst": None if worst_name is None else {"statistic": worst_name,
                                                      "relative_half_width": worst if math.isfinite(worst) else None},
            # targets still too close to call when the budget ran out (none: every one was resolved)
            "too_close": [name for name, _ in close]}
    return run.output(command, info)


def too_close_factors(summary: dict) -> list[tuple[str, float]]:
    """``(name, half-width ÷ distance to the limit)`` of every target too close to call: how many
    times narrower its 95% interval must get to leave the limit out (``inf`` at the limit itself)."""
    out = []
    for row in summary["targets"]:
        if row["verdict"] != "too_close":
            continue
        name = _target_label(row)
        value, limit, ci = row.get("value"), row["limit"], row.get("ci")
        if value is None or not ci or ci[0] is None or ci[1] is None:
            out.append((name, math.inf))
            continue
        gap = abs(value - limit)
        half = max(ci[1] - value, value - ci[0], 0.0)
        out.append((name, half / gap if gap else math.inf))
    return out


def _target_label(row: dict) -> str:
    name = f"{row['kind'] + ': ' if row['kind'] else ''}{row['metric']} {row['stat']}"
    return name + (f" ({row['phase']})" if row.get("phase") is not None else "")
