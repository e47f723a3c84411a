"""Statistics of a run as map and reduce: one small summary per day, then any set of them pooled.

* **Map** — :func:`summarise_day` turns one replication's records into a
  :class:`DaySummary`: per incident kind, one value per incident and metric (with a
  censored flag), the day's counts, unit crew-minutes and its slowest incidents. It holds
  no event log and no timeline, so it is cheap to send between processes.
* **Reduce** — :func:`aggregate` pools any set of day summaries into the ``metrics``,
  ``units`` and ``targets`` sections of ``results.json`` (DESIGN.md, "Results").

What the numbers mean (docs/model.md, "Statistics", says the same for planners):

* Statistics are over **incidents**: ``mean`` is the mean per incident over all
  incidents of all days; ``p50`` .. ``p99`` are percentiles of all incidents of all days
  pooled (numpy's ``inverted_cdf``: the smallest value with at least p % of incidents at
  or under it); ``max`` is the slowest incident of the run. A target's ``share_within``
  is the share of incidents at or under its limit.
* **Nothing is dropped.** An incident that did not reach a stage by the end of the run
  is *censored* for the metrics that need that stage: it counts in ``n`` and in every
  denominator, ranks above every finite value, and its value is known only to exceed
  the time it waited until the run ended (``end − call``). A percentile that lands on
  censored incidents is reported with ``censored: true`` and as value the percentile of
  those lower bounds (so the true percentile is more than that); a mean with censored
  incidents uses their lower bounds and is flagged ``lower_bound``.
* Intervals treat days (replications) as independent: :mod:`sispam_sim.stats.intervals`.
* Per-day figures have their own names: ``per_day`` (mean over days) and ``worst_day``.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping, Sequence

import numpy as np

from sispam_sim.engine.records import ReplicationResult
from sispam_sim.stats.intervals import (
    PERCENTILE_METHOD, mean_ci, quantiles, ratio_ci, wilson_ci, woodruff_ci,
)
from sispam_sim.stats.metrics import INCIDENT_METRICS, KIND_ORDER, PERCENTILES, applies_to
from sispam_sim.stats.targets import evaluate_targets

__all__ = ["DaySummary", "KindDay", "Pooled", "summarise_day", "aggregate", "SLOWEST", "LEVELS"]

#: How many of the slowest incidents a summary keeps (per day, and for the run).
SLOWEST = 5
#: Escalation levels whose share of days is reported (level 1, hijau, is every crowd's start).
LEVELS = (2, 3)

#: The record field each incident metric measures from the call ("short_minutes" is a duration itself).
_STAGE = {
    "response_time": "first_arrival",
    "dispatch_delay": "first_dispatch",
    "full_strength_time": "full_strength",
    "resolution_time": "resolved",
    "tps_downtime": "resolved",
}


@dataclass
class KindDay:
    """One day's incidents of one kind: counts, and per metric a value and a censored flag per incident."""

    called: int = 0
    reached: int = 0
    resolved: int = 0
    #: the highest level any crowd of this kind reached that day (0: no crowd)
    max_level: int = 0
    crowds: int = 0
    level_minutes: list[float] = field(default_factory=lambda: [0.0, 0.0, 0.0])
    #: metric -> per incident, the value (for a censored incident: the lower bound ``end − call``)
    values: dict[str, np.ndarray] = field(default_factory=dict)
    #: metric -> per incident, whether the stage was not reached by the end of the run
    censored: dict[str, np.ndarray] = field(default_factory=dict)


@dataclass
class DaySummary:
    """What the statistics need of one replication (one simulated day)."""

    replication: int
    kinds: dict[str, KindDay]
    #: per unit type: crew-minutes busy in the operating window, after it (drain), and available in it
    busy: dict[str, float]
    drain_busy: dict[str, float]
    available: dict[str, float]
    #: the day's slowest responses, worst first (see :func:`_slow_key`)
    slowest: list[dict]


def _rank(response_time: float | None, replication: int, incident: str) -> tuple:
    """Never reached first, then the longest response; ties by day and id (reproducible)."""
    return (response_time is not None, -(response_time or 0.0), replication, incident)


def _slow_key(row: Mapping[str, Any]) -> tuple:
    return _rank(row["response_time"], row["replication"], row["id"])


def summarise_day(result: ReplicationResult, place_names: Mapping[str, str] | None = None) -> DaySummary:
    """The map step: one replication's records -> a :class:`DaySummary`.

    ``place_names`` maps place and district ids to the names a report shows (sites keep
    their TPS id).
    """
    names = place_names or {}
    end = result.end
    grouped: dict[str, list] = {}
    for rec in result.incidents:
        grouped.setdefault(rec.kind, []).append(rec)
    kinds: dict[str, KindDay] = {}
    for kind, records in grouped.items():
        day = KindDay(called=len(records))
        call = np.array([r.call for r in records], dtype=float)
        for metric in INCIDENT_METRICS:
            if not applies_to(metric, kind):
                continue
            if metric == "short_minutes":
                value = np.array([r.short_minutes for r in records], dtype=float)
                censored = np.array([r.resolved is None for r in records], dtype=bool)
            else:
                stage = _STAGE[metric]
                at = np.array([np.nan if (t := getattr(r, stage)) is None else t for r in records], dtype=float)
                censored = np.isnan(at)
                value = np.where(censored, end, at) - call
            day.values[metric] = value
            day.censored[metric] = censored
        day.reached = int((~day.censored["response_time"]).sum())
        day.resolved = int((~day.censored["resolution_time"]).sum())
        crowd = [r for r in records if r.kind == "crowd_buildup"]
        if crowd:
            day.crowds = len(crowd)
            day.max_level = max(r.max_level for r in crowd)
            day.level_minutes = [float(sum(r.level_minutes[k] for r in crowd)) for k in range(3)]
        kinds[kind] = day
    slowest = [_slow_row(r, names) for r in heapq.nsmallest(
        SLOWEST, result.incidents, key=lambda r: _rank(r.response_time, r.replication, r.id))]
    return DaySummary(
        replication=result.replication, kinds=kinds,
        busy=dict(result.busy_crew_minutes), drain_busy=dict(result.drain_busy_crew_minutes),
        available=dict(result.available_crew_minutes), slowest=slowest,
    )


def _slow_row(rec, names: Mapping[str, str]) -> dict:
    return {
        "replication": rec.replication, "id": rec.id, "kind": rec.kind, "label": rec.label,
        "place": names.get(rec.place, rec.place),
        "response_time": rec.response_time, "full_strength_time": rec.full_strength_time,
        "resolution_time": rec.resolution_time,
    }


# ---------------------------------------------------------------- reduce


class Pooled:
    """One metric over a set of incidents of a set of days, sorted once for every statistic.

    ``values`` hold lower bounds for censored incidents; ``ranked`` the same with censored
    incidents as ``inf`` (above every finite value), ascending, with ``day_of`` the day index
    of each.
    """

    def __init__(self, values: np.ndarray, censored: np.ndarray, day_of: np.ndarray, days: int):
        self.days = days
        self.n = int(values.size)
        self.values, self.censored, self.day_of = values, censored, day_of
        ranked = np.where(censored, np.inf, values)
        order = np.argsort(ranked, kind="stable")
        self.ranked, self.ranked_day = ranked[order], day_of[order]
        self.n_censored = int(censored.sum())

    def per_day(self, weights: np.ndarray) -> np.ndarray:
        return np.bincount(self.day_of, weights=weights, minlength=self.days)

    def counts(self) -> np.ndarray:
        return np.bincount(self.day_of, minlength=self.days).astype(float)

    def mean(self) -> dict:
        value, ci = ratio_ci(self.per_day(self.values), self.counts())
        return {"value": value, "ci": ci, "lower_bound": self.n_censored > 0}

    def percentile(self, stat: str) -> dict:
        share = PERCENTILES[stat] / 100.0
        estimate = float(quantiles(self.ranked, share))
        ci = woodruff_ci(self.ranked, self.ranked_day, self.days, share, estimate)
        censored = not np.isfinite(estimate)
        if censored:   # the percentile of the lower bounds: the true one is more than this
            estimate = float(np.percentile(self.values, 100.0 * share, method=PERCENTILE_METHOD))
        if ci is not None:
            ci = [_finite(ci[0]), _finite(ci[1])]
        return {"value": estimate, "ci": ci, "censored": censored}

    def maximum(self) -> dict:
        return {"value": float(self.values.max()), "censored": self.n_censored > 0}

    def share_within(self, limit: float) -> dict:
        within = (~self.censored & (self.values <= limit)).astype(float)
        value, ci = ratio_ci(self.per_day(within), self.counts(), bounds=(0.0, 1.0))
        return {"value": value, "ci": ci}

    def block(self) -> dict:
        if self.n == 0:
            return {"n": 0, "censored": 0}
        out: dict[str, Any] = {"n": self.n, "censored": self.n_censored, "mean": self.mean()}
        for stat in PERCENTILES:
            out[stat] = self.percentile(stat)
        out["max"] = self.maximum()
        return out


def _finite(x: float) -> float | None:
    """An interval end among censored incidents is unbounded above: ``None`` in JSON."""
    return float(x) if np.isfinite(x) else None


def _pool(days: Sequence[DaySummary], kinds: Sequence[str], metric: str) -> Pooled:
    values, censored, day_of = [], [], []
    for d, day in enumerate(days):
        for kind in kinds:
            k = day.kinds.get(kind)
            if k is not None and metric in k.values:
                values.append(k.values[metric])
                censored.append(k.censored[metric])
                day_of.append(np.full(k.values[metric].size, d, dtype=np.intp))
    if not values:
        return Pooled(np.empty(0), np.empty(0, dtype=bool), np.empty(0, dtype=np.intp), len(days))
    return Pooled(np.concatenate(values), np.concatenate(censored), np.concatenate(day_of), len(days))


def _per_day_entry(per_day: Sequence[float]) -> dict:
    """Mean over days of a count or crew-minutes (never negative, so neither is the interval)."""
    value, ci = mean_ci(per_day)
    return {"value": value, "ci": None if ci is None else [max(0.0, ci[0]), ci[1]]}


def _block(days: Sequence[DaySummary], kinds: Sequence[str] | None) -> tuple[dict, dict[str, Pooled], dict[str, list]]:
    """The metrics of the incidents of ``kinds`` (``None``: all kinds, with every metric even when
    no incident has it), the pooled data behind them, and the per-day values of the day metrics."""
    every = kinds is None
    kinds = _kinds(days) if every else kinds
    dayk = [[d.kinds[k] for k in kinds if k in d.kinds] for d in days]
    called = [sum(k.called for k in ks) for ks in dayk]
    resolved = [sum(k.resolved for k in ks) for ks in dayk]
    unresolved = [c - r for c, r in zip(called, resolved)]
    block: dict[str, Any] = {
        "incidents": {
            "called": sum(called),
            "reached": sum(k.reached for ks in dayk for k in ks),
            "resolved": sum(resolved),
            "days": len(days),
            "per_day": _per_day_entry(called),
            "worst_day": max(called),
        },
    }
    pooled: dict[str, Pooled] = {}
    for metric in INCIDENT_METRICS:
        if not every and not any(applies_to(metric, k) for k in kinds):
            continue
        pooled[metric] = p = _pool(days, kinds, metric)
        block[metric] = p.block()
    block["unresolved"] = {"days": len(days), "per_day": _per_day_entry(unresolved), "worst_day": max(unresolved)}
    levels = [max((k.max_level for k in ks), default=0) for ks in dayk]
    crowd_days = [lv for lv in levels if lv > 0]
    if crowd_days:
        block["max_level"] = {"days": len(crowd_days), "per_day": _per_day_entry(crowd_days),
                              "worst_day": max(crowd_days)}
        block["levels"] = {}
        for level in LEVELS:
            reached = sum(1 for lv in levels if lv >= level)
            value, ci = wilson_ci(reached, len(days))
            block["levels"][str(level)] = {"days": reached, "share_of_days": {"value": value, "ci": ci}}
        crowds = [sum(k.crowds for k in ks) for ks in dayk]
        block["level_minutes"] = {}
        for index in range(3):
            minutes = [sum(k.level_minutes[index] for k in ks) for ks in dayk]
            value, ci = ratio_ci(minutes, crowds)
            block["level_minutes"][str(index + 1)] = {"value": value, "ci": ci}
    return block, pooled, {"unresolved": unresolved, "max_level": levels}


def _kinds(days: Sequence[DaySummary]) -> list[str]:
    seen = {k for d in days for k in d.kinds}
    return [k for k in KIND_ORDER if k in seen] + sorted(seen.difference(KIND_ORDER))


def _units(days: Sequence[DaySummary]) -> dict:
    """Utilisation per unit type = busy ÷ available crew-minutes in the operating window, over all days."""
    types = sorted({t for d in days for t in (*d.available, *d.busy)})
    by_type: dict[str, dict] = {}
    for unit_type in types:
        busy = [d.busy.get(unit_type, 0.0) for d in days]
        drain = [d.drain_busy.get(unit_type, 0.0) for d in days]
        available = [d.available.get(unit_type, 0.0) for d in days]
        value, ci = ratio_ci(busy, available, bounds=(0.0, 1.0))
        by_type[unit_type] = {
            "utilisation": {"value": value, "ci": ci},
            "busy_crew_minutes_per_day": _per_day_entry(busy),
            "drain_busy_crew_minutes_per_day": _per_day_entry(drain),
        }
    return {"by_type": by_type}


def aggregate(days: Sequence[DaySummary], targets: Sequence[Any] = ()) -> dict:
    """The reduce step: ``{"metrics", "units", "targets", "slowest"}`` over any set of days.

    ``targets`` are the scenario's target rows (``Targets.rows()``: kind, metric, stat,
    limit in minutes or a count), judged by :func:`sispam_sim.stats.targets.evaluate_targets`.
    """
    if not days:
        raise ValueError("aggregate needs at least one day")
    days = sorted(days, key=lambda d: d.replication)
    everything, pooled_all, series = _block(days, None)
    by_kind, pooled = {}, {None: pooled_all}
    day_values = {(None, name): values for name, values in series.items()}
    for kind in _kinds(days):
        by_kind[kind], pooled[kind], series = _block(days, [kind])
        day_values.update({(kind, name): values for name, values in series.items()})
    metrics = {"all": everything, "by_kind": by_kind}
    slowest = heapq.nsmallest(SLOWEST, (row for d in days for row in d.slowest), key=_slow_key)
    return {
        "metrics": metrics,
        "units": _units(days),
        "targets": evaluate_targets(metrics, pooled, targets, day_values),
        "slowest": slowest,
    }
