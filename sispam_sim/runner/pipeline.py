"""The library pipeline every command is a thin layer over: simulate -> summarise -> document.

    from sispam_sim.scenario.loader import load_scenario
    from sispam_sim.runner.pipeline import simulate

    run = simulate(load_scenario("scenarios/jember-pilkada-2024.yaml"), replications=20)
    run.document["targets"]            # what results.json holds
    run.summary["metrics"]["all"]["response_time"]["p90"]

Each replication is summarised as soon as it ends (the map step,
:func:`~sispam_sim.stats.summary.summarise_day`) and its records are dropped unless the
caller asks to keep them (``keep_records``, for writing the CSVs); the day summaries are
pooled at the end (the reduce step, :func:`~sispam_sim.stats.summary.aggregate`).
"""

from __future__ import annotations

import platform
from dataclasses import dataclass
from typing import Callable, Sequence

from sispam_sim.engine.records import ReplicationResult
from sispam_sim.runner.replications import replication_indices, run_replications
from sispam_sim.scenario.loader import LoadedScenario
from sispam_sim.stats.intervals import CONFIDENCE, PERCENTILE_METHOD
from sispam_sim.stats.summary import DaySummary, aggregate, summarise_day

__all__ = ["RunOutput", "simulate", "manifest", "place_names", "scenario_info", "STATISTICS_METHOD"]

#: How the statistics were computed, stated in every results.json (docs/model.md, "Statistics").
STATISTICS_METHOD = {
    "over": "incidents of all replications pooled",
    "percentile_method": f"numpy {PERCENTILE_METHOD}",
    "confidence": CONFIDENCE,
    "intervals": "replications as independent days: ratio estimator over days with Student-t (means, shares); "
                 "Woodruff's method (percentiles); Wilson score (shares of days)",
    "censored": "not reached by the end of the run: counted, ranked above every finite value",
}


@dataclass
class RunOutput:
    """What :func:`simulate` returns."""

    scenario: LoadedScenario
    days: list[DaySummary]
    summary: dict          # metrics, units, targets, slowest
    document: dict         # the results.json document
    #: every replication's records, in index order, when ``keep_records`` was asked; else empty
    records: list[ReplicationResult]


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


def manifest(scenario: LoadedScenario, replications: int, command: str | None = None) -> dict:
    """How the results were made: versions (numpy does not promise identical draws across
    releases), seed, replications, executor, and the statistics' method."""
    import numpy
    import simpy

    from sispam_sim import __version__

    return {
        "sispam_sim": __version__,
        "seed": scenario.spec.seed,
        "replications": replications,
        "python": platform.python_version(),
        "numpy": numpy.__version__,
        "simpy": simpy.__version__,
        "executor": "serial",
        "workers": 1,
        "command": command,
        "statistics": STATISTICS_METHOD,
    }


def simulate(scenario: LoadedScenario, replications: int | Sequence[int] | None = None, *,
             keep_records: bool = False, command: str | None = None,
             progress: Callable[[int], None] | None = None) -> RunOutput:
    """Run ``replications`` (default: the scenario's; a count or explicit indices) and summarise them.

    ``keep_records`` keeps every replication's records, timeline and event log (needed to
    write the CSVs); without it each replication is reduced to its :class:`DaySummary` at
    once. ``progress`` is called with the number of replications done after each one.
    """
    indices = replication_indices(scenario.spec.replications if replications is None else replications)
    names = place_names(scenario)
    days: list[DaySummary] = []
    records: list[ReplicationResult] = []
    for k in indices:   # one at a time: only the day summaries are kept unless records are asked for
        result = run_replications(scenario, [k], record_timeline=keep_records, record_events=keep_records)[0]
        days.append(summarise_day(result, names))
        if keep_records:
            records.append(result)
        if progress is not None:
            progress(len(days))
    summary = aggregate(days, scenario.spec.targets.rows())
    document = {
        "scenario": scenario_info(scenario),
        "manifest": manifest(scenario, len(indices), command),
        "metrics": summary["metrics"],
        "units": summary["units"],
        "targets": summary["targets"],
        "slowest": summary["slowest"],
    }
    return RunOutput(scenario=scenario, days=days, summary=summary, document=document, records=records)

