"""The one table of metrics and statistics: what the summary computes, what a target may
bound, what the terminal shows and what the translations name.

Import-light on purpose (no numpy, no rich): the scenario schema imports it to validate
target names, and loading a scenario must stay cheap.

Two families of metric:

* **Incident metrics** (minutes, one value per incident): statistics are over *all
  incidents of all replications pooled* (``mean`` per incident, percentiles ``p50`` ..
  ``p99``, ``max`` the slowest incident of the run). An incident that did not reach the
  stage by the end of the run is *censored* (DESIGN.md, "Results").
* **Day metrics** (one value per replication, i.e. per simulated day): ``unresolved``
  (incidents left open at the end of the run) and ``max_level`` (the highest crowd level
  of the day). ``mean`` is the mean over days, ``max`` the worst day.
"""

from __future__ import annotations

from typing import NamedTuple

__all__ = [
    "Metric",
    "METRICS",
    "INCIDENT_METRICS",
    "DAY_METRICS",
    "TIME_METRICS",
    "PERCENTILES",
    "INCIDENT_STATS",
    "DAY_STATS",
    "TARGET_METRICS",
    "TARGET_STATS",
    "TARGET_STATS_FOR",
    "METRIC_ALIASES",
    "canonical_metric",
    "applies_to",
]

#: Percentile statistics and the percentage each stands for.
PERCENTILES = {"p50": 50, "p90": 90, "p95": 95, "p99": 99}

#: Statistics of an incident metric, in display order.
INCIDENT_STATS = ("mean", "p50", "p90", "p95", "p99", "max")

#: Statistics of a day metric.
DAY_STATS = ("mean", "max")


class Metric(NamedTuple):
    name: str
    per: str                      # "incident" or "day"
    reached_when: str             # the stage that must happen, for the docs: "first_arrival", ...


#: Every metric, in display order.
METRICS: dict[str, Metric] = {m.name: m for m in (
    Metric("response_time", "incident", "first_arrival"),
    Metric("dispatch_delay", "incident", "first_dispatch"),
    Metric("full_strength_time", "incident", "full_strength"),
    Metric("resolution_time", "incident", "resolved"),
    Metric("tps_downtime", "incident", "resolved"),      # the kinds that stop voting have it
    Metric("short_minutes", "incident", "resolved"),
    Metric("unresolved", "day", "resolved"),
    Metric("max_level", "day", "resolved"),              # the kinds that escalate have it
)}

INCIDENT_METRICS = tuple(name for name, m in METRICS.items() if m.per == "incident")
DAY_METRICS = tuple(name for name, m in METRICS.items() if m.per == "day")
#: Incident metrics are all durations in minutes.
TIME_METRICS = INCIDENT_METRICS

#: Target name -> metric name (``full_strength`` is the name DESIGN.md's example uses).
METRIC_ALIASES = {"full_strength": "full_strength_time"}

#: Names a scenario may use under ``targets:`` (and ``targets.by_kind.KIND``).
TARGET_METRICS = (
    "response_time", "dispatch_delay", "full_strength", "full_strength_time", "resolution_time",
    "tps_downtime", "short_minutes", "max_level", "unresolved",
)

#: Every statistic a target may bound (the union over metrics).
TARGET_STATS = INCIDENT_STATS

#: Statistics that make sense per target metric.
TARGET_STATS_FOR: dict[str, tuple[str, ...]] = {
    name: (DAY_STATS if METRICS[METRIC_ALIASES.get(name, name)].per == "day" else INCIDENT_STATS)
    for name in TARGET_METRICS
}


def canonical_metric(name: str) -> str:
    """The metric a target name refers to (``full_strength`` -> ``full_strength_time``)."""
    return METRIC_ALIASES.get(name, name)


def applies_to(metric: str, kind: str | None) -> bool:
    """Whether ``metric`` has values for incidents of ``kind`` (``None``: all kinds together): the
    kind says which metrics it has (:mod:`sispam_sim.scenario.kinds`)."""
    from sispam_sim.scenario.kinds import applies_to as kind_has

    return kind_has(canonical_metric(metric), kind)
