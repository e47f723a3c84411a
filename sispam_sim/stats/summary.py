"""Statistics of a run as map and reduce: one small summary per day, then any set of them pooled.

* **Map** — :func:`summarise_day` turns one replication's records into a
  :class:`DaySummary`: per incident kind, one value per incident and metric (with a
  censored flag), the day's counts, unit crew-minutes and its slowest incidents. It holds
  no event log and no timeline, so it is cheap to send between processes.
* **Reduce** — an :class:`Accumulator` takes day summaries one at a time, in any order, and
  keeps them as a few growing arrays (a few KiB per day: memory stays small however many
  days a run has); :meth:`Accumulator.summary` pools them into the ``metrics``, ``units``,
  ``targets`` and ``slowest`` sections of ``results.json`` (DESIGN.md, "Results") at any
  time. :func:`aggregate` does both for a list of day summaries.

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
import math
from array import array
from dataclasses import dataclass
from typing import Any, Mapping, Sequence

import numpy as np

from sispam_sim.engine.records import ReplicationResult
from sispam_sim.stats.intervals import (
    mean_ci, quantiles, ratio_ci, wilson_ci, woodruff_ci,
)
from sispam_sim.scenario import kinds as kind_registry
from sispam_sim.scenario.metrics import INCIDENT_METRICS, PERCENTILES, applies_to, canonical_metric
from sispam_sim.stats import findings as findings_mod
from sispam_sim.stats.targets import evaluate_targets

__all__ = ["DaySummary", "Accumulator", "Pooled", "summarise_day", "aggregate", "SLOWEST", "LEVELS"]

#: How many of the slowest incidents a summary keeps (per day, and for the run).
SLOWEST = 5
#: Escalation levels whose share of days is reported (level 1, hijau, is every crowd's start).
LEVELS = (2, 3)
#: Column of each incident metric in a day's ``values`` and ``censored`` arrays.
COLUMN = {metric: i for i, metric in enumerate(INCIDENT_METRICS)}
#: Day parts kept before the accumulator joins them into one array (fewer small arrays in memory).
_JOIN_EVERY = 256

#: The record field each incident metric measures from the call ("short_minutes" is a duration itself).
_STAGE = {
    "response_time": "first_arrival",
    "dispatch_delay": "first_dispatch",
    "full_strength_time": "full_strength",
    "resolution_time": "resolved",
    "tps_downtime": "resolved",
}


@dataclass
class DaySummary:
    """What the statistics need of one replication (one simulated day), in a few arrays.

    Row i of ``values`` and ``censored`` is the day's incident i, column j the metric
    ``INCIDENT_METRICS[j]``: the value in minutes (for a censored incident, the lower bound
    ``end − call``; NaN where the metric does not apply to the incident's kind) and whether
    the stage was not reached by the end of the run.
    """

    replication: int
    kinds: tuple[str, ...]           # the kinds of this day; ``kind`` holds indices into it
    kind: np.ndarray                 # per incident (int16)
    values: np.ndarray               # (incidents, metrics) float64
    censored: np.ndarray             # (incidents, metrics) bool
    #: per kind with crowds: (highest level, crowds, minutes at hijau, kuning, merah summed over them)
    crowds: dict[str, tuple]
    #: per unit type: crew-minutes (busy in the operating window, busy after it, available in it)
    units: dict[str, tuple[float, float, float]]
    #: the day's slowest responses, worst first (see :func:`_rank`)
    slowest: list[dict]
    #: format 1.1 phases that targets are set for (``targets.by_phase``), and per incident the index
    #: into them of the phase it was called in (-1: none); None when no target names a phase
    phases: tuple[str, ...] = ()
    phase: np.ndarray | None = None
    #: what the findings keep of the day (:mod:`~sispam_sim.stats.findings`); None when not asked for
    findings: findings_mod.FindingsDay | None = None


def _rank(response_time: float | None, replication: int, incident: str) -> tuple:
    """Never reached first, then the longest response; ties by day and id (reproducible)."""
    return (response_time is not None, -(response_time or 0.0), replication, incident)


def _slow_key(row: Mapping[str, Any]) -> tuple:
    return _rank(row["response_time"], row["replication"], row["id"])


def summarise_day(result: ReplicationResult, place_names: Mapping[str, str] | None = None,
                  phases: Sequence[tuple[str, float, float]] = (),
                  findings: findings_mod.FindingsPlan | None = None) -> DaySummary:
    """The map step: one replication's records -> a :class:`DaySummary`.

    ``place_names`` maps place and district ids to the names a report shows (sites keep
    their TPS id). ``phases`` are the ``(name, from, until)`` (minutes) of the phases targets are
    set for: each incident is marked with the phase it was called in (``from <= call < until``).
    ``findings`` (the scenario's :class:`~sispam_sim.stats.findings.FindingsPlan`) adds what the
    findings need of the day.
    """
    names = place_names or {}
    records = result.incidents
    kinds = tuple(dict.fromkeys(r.kind for r in records))
    code = {kind: i for i, kind in enumerate(kinds)}
    n = len(records)
    values = np.full((n, len(INCIDENT_METRICS)), np.nan)
    censored = np.zeros((n, len(INCIDENT_METRICS)), dtype=bool)
    kind = np.array([code[r.kind] for r in records], dtype=np.int16)
    if n:
        call = np.array([r.call for r in records], dtype=float)
        unresolved = np.array([r.resolved is None for r in records], dtype=bool)
        for metric, j in COLUMN.items():
            if metric == "short_minutes":
                values[:, j] = [r.short_minutes for r in records]
                censored[:, j] = unresolved
            else:
                stage = _STAGE[metric]
                at = np.array([np.nan if (t := getattr(r, stage)) is None else t for r in records], dtype=float)
                censored[:, j] = np.isnan(at)
                values[:, j] = np.where(censored[:, j], result.end, at) - call
            for k, name in enumerate(kinds):
                if not applies_to(metric, name):
                    values[kind == k, j] = np.nan
                    censored[kind == k, j] = False
    crowds: dict[str, tuple] = {}
    for name in kinds:
        crowd = [r for r in records if r.kind == name] if kind_registry.has_levels(name) else []
        if crowd:
            crowds[name] = (max(r.max_level for r in crowd), len(crowd),
                            *(float(sum(r.level_minutes[i] for r in crowd)) for i in range(3)))
    types = dict.fromkeys((*result.available_crew_minutes, *result.busy_crew_minutes))
    units = {t: (float(result.busy_crew_minutes.get(t, 0.0)), float(result.drain_busy_crew_minutes.get(t, 0.0)),
                 float(result.available_crew_minutes.get(t, 0.0))) for t in types}
    slowest = [_slow_row(r, names) for r in heapq.nsmallest(
        SLOWEST, records, key=lambda r: _rank(r.response_time, r.replication, r.id))]
    day = DaySummary(result.replication, kinds, kind, values, censored, crowds, units, slowest)
    if phases:
        calls = np.array([r.call for r in records], dtype=float)
        day.phases = tuple(name for name, _, _ in phases)
        day.phase = np.full(n, -1, dtype=np.int16)
        for code, (_, start, until) in enumerate(phases):
            day.phase[(calls >= start) & (calls < until)] = code
    if findings is not None:
        day.findings = findings_mod.day_findings(result, findings)
    return day


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

    Keeps only what the statistics need: the values ranked ascending with censored incidents
    as ``inf`` (above every finite value) and the day of each, per-day sums and counts, and
    (only when some are censored) the sorted lower bounds.
    """

    def __init__(self, values: np.ndarray, censored: np.ndarray, day_of: np.ndarray, days: int):
        self.days = days
        self.n = int(values.size)
        self.n_censored = int(censored.sum())
        ranked = np.where(censored, np.inf, values)
        order = np.argsort(ranked, kind="stable")
        self.ranked_day = day_of[order]
        ranked.sort(kind="stable")   # in place: the same order as ``order``
        self.ranked = ranked
        del order
        self._day_sum = np.bincount(day_of, weights=values, minlength=days)   # lower bounds for censored
        self._day_n = np.bincount(day_of, minlength=days).astype(float)
        self._max = float(values.max()) if self.n else None
        self._bounds = np.sort(values) if self.n_censored else None

    @property
    def day_sums(self) -> np.ndarray:
        """Per day, the sum of the values (censored incidents at their lower bound)."""
        return self._day_sum

    @property
    def day_counts(self) -> np.ndarray:
        """Per day, the incidents counted (float)."""
        return self._day_n

    def mean(self) -> dict:
        value, ci = ratio_ci(self._day_sum, self._day_n, bounds=(0.0, math.inf))   # minutes are never negative
        return {"value": value, "ci": ci, "lower_bound": self.n_censored > 0}

    def percentile(self, stat: str) -> dict:
        share = PERCENTILES[stat] / 100.0
        estimate = float(quantiles(self.ranked, share))
        ci = woodruff_ci(self.ranked, self.ranked_day, self.days, share, estimate)
        censored = not np.isfinite(estimate)
        if censored:   # the percentile of the lower bounds: the true one is more than this
            estimate = float(quantiles(self._bounds, share))
        if ci is not None:
            ci = [_finite(ci[0]), _finite(ci[1])]
        return {"value": estimate, "ci": ci, "censored": censored}

    def maximum(self) -> dict:
        return {"value": self._max, "censored": self.n_censored > 0}

    def share_within(self, limit: float) -> dict:
        """Incidents at or under ``limit`` (a censored one never is), over all incidents."""
        at_or_under = int(np.searchsorted(self.ranked, limit, side="right"))   # ranked ascending: a prefix
        within = np.bincount(self.ranked_day[:at_or_under], minlength=self.days).astype(float)
        value, ci = ratio_ci(within, self._day_n, bounds=(0.0, 1.0))
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


def _per_day_entry(per_day: Sequence[float]) -> dict:
    """Mean over days of a count or crew-minutes (never negative, so neither is the interval)."""
    value, ci = mean_ci(per_day)
    return {"value": value, "ci": None if ci is None else [max(0.0, ci[0]), ci[1]]}


class Accumulator:
    """The reduce step, one day at a time: what every statistic needs, kept as growing arrays.

    Days may come in any order and from anywhere (a worker, a cluster node, another run's
    batch); :meth:`summary` orders them by replication first, so the result does not depend
    on the order they arrived in.
    """

    def __init__(self) -> None:
        self.replications: list[int] = []
        self.kinds: list[str] = []                  # global kind codes
        self._code: dict[str, int] = {}
        # (day, kind, values, censored) of each day, joined every _JOIN_EVERY days into one chunk
        self._parts: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = []
        self._chunks: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = []
        # the phase of each incident (global codes into ``phases``, -1 none), beside each part and chunk;
        # None where no day of it had phases (a run without per-phase targets keeps none)
        self.phases: list[str] = []
        self._phase_parts: list[np.ndarray | None] = []
        self._phase_chunks: list[np.ndarray | None] = []
        # per crowd kind and per unit type, one column of figures per day (0 on a day without it)
        self._crowds: dict[str, tuple[array, ...]] = {}
        self._units: dict[str, tuple[array, ...]] = {}
        self._slowest: list[dict] = []
        # the findings' columns, joined into chunks with the parts above (stats/findings.py)
        self._findings = findings_mod.FindingsStore()

    def __len__(self) -> int:
        return len(self.replications)

    def add(self, day: DaySummary) -> None:
        d = len(self.replications)
        self.replications.append(day.replication)
        for name in day.kinds:
            if name not in self._code:
                self._code[name] = len(self.kinds)
                self.kinds.append(name)
        codes = np.array([self._code[name] for name in day.kinds], dtype=np.int16)
        n = day.kind.size
        self._parts.append((np.full(n, d, dtype=np.int32), codes[day.kind] if n else day.kind,
                            day.values, day.censored))
        self._phase_parts.append(self._phase_codes(day))
        self._findings.add(day.findings, day.replication)
        if len(self._parts) >= _JOIN_EVERY:
            self._flush()
        _append_day(self._crowds, day.crowds, d, 5)
        _append_day(self._units, day.units, d, 3)
        self._slowest = heapq.nsmallest(SLOWEST, (*self._slowest, *day.slowest), key=_slow_key)

    def _phase_codes(self, day: DaySummary) -> np.ndarray | None:
        if day.phase is None:
            return None
        for name in day.phases:
            if name not in self.phases:
                self.phases.append(name)
        codes = np.array([self.phases.index(name) for name in day.phases] + [-1], dtype=np.int16)
        return codes[day.phase]   # -1 (no phase) picks the appended -1

    def _flush(self) -> None:
        """Join the parts so far into one chunk (and their phases into the chunk's phases)."""
        if not self._parts:
            return
        phases = None
        if any(p is not None for p in self._phase_parts):
            phases = np.concatenate([np.full(part[0].size, -1, dtype=np.int16) if p is None else p
                                     for part, p in zip(self._parts, self._phase_parts)])
        self._chunks.append(self._joined())
        self._phase_chunks.append(phases)
        self._findings.flush()
        self._parts, self._phase_parts = [], []

    def _joined(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        if not self._parts:
            return (np.empty(0, np.int32), np.empty(0, np.int16), np.empty((0, len(INCIDENT_METRICS))),
                    np.empty((0, len(INCIDENT_METRICS)), bool))
        return tuple(np.concatenate(column) for column in zip(*self._parts))   # type: ignore[return-value]

    def pooled(self, metric: str) -> tuple[np.ndarray, int]:
        """One metric's finite values over every incident of every day so far, and how many were
        censored (what a report's CDF is drawn from: ``comparison.html``)."""
        j = COLUMN[metric]
        chunks = [*self._chunks, self._joined()]
        values = np.concatenate([c[2][:, j] for c in chunks])
        censored = np.concatenate([c[3][:, j] for c in chunks])
        return values[~censored & ~np.isnan(values)], int(censored.sum())

    def summary(self, targets: Sequence[Any] = (), findings: findings_mod.FindingsPlan | None = None) -> dict:
        """``{"metrics", "units", "targets", "slowest"}`` over the days added so far.

        ``targets`` are the scenario's target rows (``Targets.rows()``: kind, metric, stat,
        limit in minutes or a count), judged by :func:`sispam_sim.stats.targets.evaluate_targets`.
        With ``findings`` (the plan the days were summarised with) it adds ``"findings"``
        (:func:`sispam_sim.stats.findings.build`) when every day has them.
        """
        if not self.replications:
            raise ValueError("a summary needs at least one day")
        tables = _Tables(self)
        metrics: dict[str, Any] = {"all": {}, "by_kind": {}}
        rows: list[dict | None] = [None] * len(targets)
        for kind in (None, *tables.kind_order):
            # each block's pooled data is used for its targets, then let go: one block in memory at a time
            mine = [i for i, target in enumerate(targets) if target.kind == kind and _phase(target) is None]
            wanted = {(kind, canonical_metric(targets[i].metric)) for i in mine}
            block, pooled, series = tables.block(kind, wanted)
            if kind is None:
                metrics["all"] = block
            else:
                metrics["by_kind"][kind] = block
            judged = evaluate_targets(metrics, {kind: pooled}, [targets[i] for i in mine],
                                      {(kind, name): values for name, values in series.items()})
            for i, row in zip(mine, judged):
                rows[i] = row
            del pooled
        for phase in dict.fromkeys(p for target in targets if (p := _phase(target)) is not None):
            # format 1.1 ``by_phase``: the incidents of every kind called in the phase
            mine = [i for i, target in enumerate(targets) if _phase(target) == phase]
            pooled = tables.phase_pooled(phase, {canonical_metric(targets[i].metric) for i in mine})
            for i, row in zip(mine, evaluate_targets(metrics, {None: pooled}, [targets[i] for i in mine])):
                rows[i] = row
            del pooled
        left = [i for i, row in enumerate(rows) if row is None]   # kinds no day had: nothing to judge
        for i, row in zip(left, evaluate_targets(metrics, {}, [targets[i] for i in left])):
            rows[i] = row
        out = {
            "metrics": metrics,
            "units": tables.units(),
            "targets": rows,
            "slowest": list(self._slowest),
        }
        if findings is not None:
            found = findings_mod.build(tables, self._findings, rows, out["units"], findings)
            if found is not None:
                out["findings"] = found
        return out

    def resamplable(self) -> dict[str | None, tuple[dict[str, Pooled], dict[str, list]]]:
        """Per kind (``None``: all kinds), what a comparison resamples day by day: the
        :class:`Pooled` data of every incident metric and the per-day values of the day metrics
        (``unresolved``, ``max_level``), days in replication order."""
        if not self.replications:
            raise ValueError("nothing to resample without a day")
        tables = _Tables(self)
        everything = {(kind, metric) for kind in (None, *tables.kind_order) for metric in INCIDENT_METRICS}
        out = {}
        for kind in (None, *tables.kind_order):
            _, pooled, series = tables.block(kind, everything)
            out[kind] = (pooled, series)
        return out


class _Tables:
    """The accumulated days as flat arrays, days numbered in replication order."""

    def __init__(self, acc: Accumulator):
        order = np.argsort(np.array(acc.replications), kind="stable")
        rank = np.empty(order.size, dtype=np.int32)
        rank[order] = np.arange(order.size, dtype=np.int32)
        acc._flush()
        self.days = len(acc.replications)
        # per chunk, never joined into one copy of everything: (day in replication order, kind, values, censored)
        self.chunks = [(rank[day], kind, values, censored) for day, kind, values, censored in acc._chunks]
        self.kinds = acc.kinds
        self.phases, self.phase_chunks = acc.phases, acc._phase_chunks
        self.crowds = {k: tuple(np.frombuffer(c, dtype=float)[order] for c in cols) for k, cols in acc._crowds.items()}
        self.unit_columns = {t: tuple(np.frombuffer(c, dtype=float)[order] for c in cols)
                             for t, cols in acc._units.items()}
        self.kind_order = kind_registry.order(acc.kinds)

    def per_day(self, masks: list[np.ndarray]) -> np.ndarray:
        return sum((np.bincount(c[0][m], minlength=self.days) for c, m in zip(self.chunks, masks)),
                   np.zeros(self.days, dtype=np.int64))

    def rows(self, masks: list[np.ndarray], column: int, field: int) -> np.ndarray:
        """One column of the rows ``masks`` selects, over all chunks (``field`` 0 day, 2 values, 3 censored)."""
        parts = [(c[field][m] if field < 2 else c[field][m, column]) for c, m in zip(self.chunks, masks)]
        return np.concatenate(parts) if parts else np.empty(0)

    def phase_pooled(self, phase: str, metrics: set) -> dict[str, Pooled]:
        """The pooled data of ``metrics`` (incident metrics) over the incidents of every kind called in
        ``phase``; none for a phase no day marked (no incident was called in it)."""
        if phase not in self.phases:
            return {}
        code = self.phases.index(phase)
        masks = [np.zeros(c[1].size, dtype=bool) if p is None else p == code
                 for c, p in zip(self.chunks, self.phase_chunks)]
        pooled = {}
        for metric in metrics:
            if metric not in COLUMN:
                continue
            j = COLUMN[metric]
            rows = [m & ~np.isnan(c[2][:, j]) for c, m in zip(self.chunks, masks)]
            pooled[metric] = Pooled(self.rows(rows, j, 2), self.rows(rows, j, 3).astype(bool),
                                    self.rows(rows, j, 0).astype(np.int32), self.days)
        return pooled

    def block(self, kind: str | None, wanted: set) -> tuple[dict, dict[str, Pooled], dict[str, list]]:
        """The metrics of the incidents of ``kind`` (``None``: all kinds, with every metric even
        when no incident has it), the pooled data behind the ``wanted`` (kind, metric) pairs, and
        the per-day values of the day metrics."""
        kinds = self.kind_order if kind is None else [kind]
        codes = [self.kinds.index(k) for k in kinds]
        masks = [np.isin(c[1], codes) for c in self.chunks]
        reached = [m & ~c[3][:, COLUMN["response_time"]] for c, m in zip(self.chunks, masks)]
        resolved = [m & ~c[3][:, COLUMN["resolution_time"]] for c, m in zip(self.chunks, masks)]
        called = self.per_day(masks).tolist()
        resolved_per_day = self.per_day(resolved).tolist()
        unresolved = [c - r for c, r in zip(called, resolved_per_day)]
        block: dict[str, Any] = {
            "incidents": {
                "called": sum(called),
                "reached": sum(int(m.sum()) for m in reached),
                "resolved": sum(resolved_per_day),
                "days": self.days,
                "per_day": _per_day_entry(called),
                "worst_day": max(called),
            },
        }
        pooled: dict[str, Pooled] = {}
        for metric, j in COLUMN.items():
            if kind is not None and not applies_to(metric, kind):
                continue
            rows = [m & ~np.isnan(c[2][:, j]) for c, m in zip(self.chunks, masks)]
            p = Pooled(self.rows(rows, j, 2), self.rows(rows, j, 3).astype(bool), self.rows(rows, j, 0).astype(np.int32),
                       self.days)
            block[metric] = p.block()
            if (kind, metric) in wanted:
                pooled[metric] = p
        block["unresolved"] = {"days": self.days, "per_day": _per_day_entry(unresolved), "worst_day": max(unresolved)}
        crowds = [self.crowds[k] for k in kinds if k in self.crowds]   # per kind: level, crowds, minutes x 3
        levels = np.max([c[0] for c in crowds], axis=0).astype(int).tolist() if crowds else [0] * self.days
        crowd_days = [lv for lv in levels if lv > 0]
        if crowd_days:
            block["max_level"] = {"days": len(crowd_days), "per_day": _per_day_entry(crowd_days),
                                  "worst_day": max(crowd_days)}
            block["levels"] = {}
            for level in LEVELS:
                reached_level = sum(1 for lv in levels if lv >= level)
                value, ci = wilson_ci(reached_level, self.days)
                block["levels"][str(level)] = {"days": reached_level, "share_of_days": {"value": value, "ci": ci}}
            count = np.sum([c[1] for c in crowds], axis=0)
            block["level_minutes"] = {}
            for index in range(3):
                minutes = np.sum([c[2 + index] for c in crowds], axis=0)
                value, ci = ratio_ci(minutes, count)
                block["level_minutes"][str(index + 1)] = {"value": value, "ci": ci}
        return block, pooled, {"unresolved": unresolved, "max_level": levels}

    def units(self) -> dict:
        """Utilisation per unit type = busy ÷ available crew-minutes in the operating window, over all days."""
        by_type: dict[str, dict] = {}
        for unit_type in sorted(self.unit_columns):
            busy, drain, available = self.unit_columns[unit_type]
            value, ci = ratio_ci(busy, available, bounds=(0.0, 1.0))
            by_type[unit_type] = {
                "utilisation": {"value": value, "ci": ci},
                "busy_crew_minutes_per_day": _per_day_entry(busy.tolist()),
                "drain_busy_crew_minutes_per_day": _per_day_entry(drain.tolist()),
            }
        return {"by_type": by_type}


def _phase(target: Any) -> str | None:
    """The phase a target is judged in (format 1.1 ``by_phase``), or None."""
    return getattr(target, "phase", None)


def _append_day(store: dict[str, tuple[array, ...]], figures: Mapping[str, tuple], day: int, width: int) -> None:
    """Append day ``day``'s figures per key to ``store``'s columns; a key absent that day gets zeros."""
    for key, values in figures.items():
        if key not in store:
            store[key] = tuple(array("d", bytes(8 * day)) for _ in range(width))
        for column, value in zip(store[key], values):
            column.append(value)
    for columns in store.values():
        for column in columns:
            if len(column) <= day:
                column.append(0.0)


def aggregate(days: Sequence[DaySummary], targets: Sequence[Any] = ()) -> dict:
    """The reduce step over a list of day summaries: ``{"metrics", "units", "targets", "slowest"}``."""
    if not days:
        raise ValueError("aggregate needs at least one day")
    acc = Accumulator()
    for day in days:
        acc.add(day)
    return acc.summary(targets)
