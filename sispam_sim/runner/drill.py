"""The day an exercise is scripted from (``sispam-sim drill``), run again with its event log.

    from sispam_sim.scenario.loader import load_scenario
    from sispam_sim.runner.drill import drill_day

    day = drill_day(load_scenario("scenarios/rapid-response.yaml"), choose="typical", replications=20)
    day.index, day.statistics, day.result.events

A day given by number is simply run. ``typical`` and ``worst`` run the scenario's replications (or
``replications``) through :func:`~sispam_sim.runner.pipeline.simulate` on any executor, rank the
days by the rule of :mod:`sispam_sim.stats.days`, and run the chosen one again, here, with its events.
"""

from __future__ import annotations

from dataclasses import dataclass

from sispam_sim.engine.records import ReplicationResult
from sispam_sim.runner.executors import Executor
from sispam_sim.runner.pipeline import simulate
from sispam_sim.runner.replications import run_one
from sispam_sim.scenario.loader import LoadedScenario
from sispam_sim.stats.days import day_statistics, typical_day, worst_day

__all__ = ["CHOICES", "DrillDay", "drill_day"]

#: How a day is chosen among a run's days, by the name ``drill_day(choose=...)`` takes.
CHOICES = {"typical": typical_day, "worst": worst_day}


@dataclass(frozen=True)
class DrillDay:
    """The scripted day: its replication index (day ``index + 1`` as people count) and its run."""

    index: int
    result: ReplicationResult          # with the event log
    #: ``typical`` or ``worst``; ``None`` for a day given by number (then ``days`` is 0)
    choose: str | None = None
    #: the number of days it was chosen among, and its (mean response, p90 response, mean resolution)
    days: int = 0
    statistics: tuple[float, float, float] | None = None


def drill_day(scenario: LoadedScenario, *, replication: int | None = None, choose: str | None = None,
              replications: int | None = None, executor: Executor | None = None) -> DrillDay:
    """Replication ``replication``, or the day ``choose`` picks among ``replications`` days (default:
    the scenario's), ranked on ``executor`` (default: serially); run with its event log."""
    if (replication is None) == (choose is None):
        raise ValueError("give exactly one of replication or choose")
    if choose is None:
        return DrillDay(replication, _scripted(scenario, replication))
    if choose not in CHOICES:
        raise ValueError(f"choose is one of {', '.join(CHOICES)}; found {choose!r}")
    stats: list[tuple[float, float, float]] = []   # in index order, as every executor yields them
    run = simulate(scenario, replications, executor=executor, on_day=lambda day: stats.append(day_statistics(day)))
    index = CHOICES[choose](stats)
    return DrillDay(index, _scripted(scenario, index), choose, run.replications, stats[index])


def _scripted(scenario: LoadedScenario, index: int) -> ReplicationResult:
    return run_one(scenario, index, record_timeline=False, record_events=True)
