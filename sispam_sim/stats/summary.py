"""Turn the flat records of many replications into the ``metrics``/``units``/``targets``
sections of ``results.json`` (DESIGN.md, "Results").

Why per replication first
-------------------------
Incidents within one simulated day are not independent (one slow afternoon delays
everything after it), so pooling every incident of every replication and putting a
confidence interval on that pool would be far too narrow. Replications *are*
independent, so every statistic is computed **per replication** over that
replication's incidents, and the per-replication values are averaged across
replications with a 95 % Student-t interval (:func:`mean_ci`). A replication with no
value for a metric (no station disruption that day, or no incident that ever got a
unit on scene) contributes nothing to it; ``n`` counts the replications that did.

Shapes (all plain, JSON-able Python values)
-------------------------------------------
A timing block (``response_time``, ``dispatch_delay``, ``full_strength_time``,
``resolution_time``, ``tps_downtime``; minutes)::

    {"n": 97,
     "mean": {"value": 8.1, "ci": [7.9, 8.3]},   # mean of per-replication means
     "p50": {...}, "p90": {...}, "p95": {...},   # mean of per-replication percentiles
     "max": {...},                               # mean of per-replication maxima
     "worst": {"value": 41.0, "ci": None}}       # the largest value in any replication

``value`` and ``ci`` are ``None`` when ``n == 0``; ``ci == [value, value]`` when
``n == 1`` (no spread can be estimated from one replication). Percentiles use
numpy's default (linear) method.

Count blocks (``unresolved``, ``incidents``) count per replication, over *all*
replications (a day with none counts as 0)::

    {"n": 100, "mean": {"value": 0.2, "ci": [...]}, "max": {"value": 3, "ci": None}}

``max_level`` (in ``all`` and ``by_kind.crowd_buildup``) takes, per replication with a
crowd build-up, the highest level any crowd reached::

    {"n": 100, "distribution": {"1": 0.7, "2": 0.3, "3": 0.0},
     "mean": {"value": 1.3, "ci": [...]}, "max": {"value": 2, "ci": None}}

In count and level blocks ``max`` is the worst replication (no interval); in timing
blocks that role is played by ``worst``. :mod:`sispam_sim.stats.targets` reads both.
"""

from __future__ import annotations

import heapq

import math
from typing import Any, Iterable, Mapping, Sequence

import numpy as np

from sispam_sim.engine.records import IncidentRecord, ReplicationResult
from sispam_sim.stats.targets import evaluate_targets

TIME_METRICS = ("response_time", "dispatch_delay", "full_strength_time", "resolution_time", "tps_downtime")
from sispam_sim.stats.tdist import t_critical

__all__ = [
    "KIND_ORDER",
    "TIME_METRICS",
    "PER_REPLICATION_STATS",
    "mean_ci",
    "summarise",
    "worst_incidents",
]

#: Known incident kinds, in the order reports show them (unknown kinds follow, sorted).
KIND_ORDER = ("rapid_response", "station_disruption", "crowd_buildup")

#: Statistics computed per replication for each timing metric.
PER_REPLICATION_STATS = ("mean", "p50", "p90", "p95", "max")

_LEVELS = (1, 2, 3)


def mean_ci(values: Sequence[float], confidence: float = 0.95) -> tuple[float, tuple[float, float]]:
    """Mean of ``values`` and its two-sided Student-t confidence interval.

    ``mean ± t(n-1) · s / √n`` with ``s`` the sample standard deviation. With a single
    value the interval is ``(value, value)``: one replication cannot show spread, and a
    degenerate interval is more honest in a table than an invented one. Raises
    :class:`ValueError` on an empty sequence (callers report ``None`` instead).
    """
    arr = np.asarray(values, dtype=float)
    n = arr.size
    if n == 0:
        raise ValueError("mean_ci needs at least one value")
    mean = float(arr.mean())
    if n == 1:
        return mean, (mean, mean)
    half = t_critical(n - 1, confidence) * float(arr.std(ddof=1)) / math.sqrt(n)
    return mean, (mean - half, mean + half)


def _entry(values: Sequence[float]) -> dict:
    """``{"value", "ci"}`` for the across-replication mean of ``values``."""
    if len(values) == 0:
        return {"value": None, "ci": None}
    mean, (lo, hi) = mean_ci(values)
    return {"value": mean, "ci": [lo, hi]}


def _worst(values: Iterable[float]) -> dict:
    values = list(values)
    return {"value": max(values) if values else None, "ci": None}


def _time_block(per_replication: Sequence[Sequence[float]]) -> dict:
    """A timing block from each replication's list of values (empty lists skipped)."""
    per_stat: dict[str, list[float]] = {s: [] for s in PER_REPLICATION_STATS}
    for values in per_replication:
        if not values:
            continue
        arr = np.asarray(values, dtype=float)
        p50, p90, p95 = np.percentile(arr, [50, 90, 95])
        per_stat["mean"].append(float(arr.mean()))
        per_stat["p50"].append(float(p50))
        per_stat["p90"].append(float(p90))
        per_stat["p95"].append(float(p95))
        per_stat["max"].append(float(arr.max()))
    block: dict[str, Any] = {"n": len(per_stat["mean"])}
    for stat in PER_REPLICATION_STATS:
        block[stat] = _entry(per_stat[stat])
    block["worst"] = _worst(per_stat["max"])
    return block


def _count_block(counts: Sequence[int]) -> dict:
    return {"n": len(counts), "mean": _entry(counts), "max": _worst(counts)}


def _level_block(levels: Sequence[int]) -> dict:
    """Highest crowd level per replication (only replications with a crowd build-up)."""
    n = len(levels)
    distribution = {str(k): (sum(1 for lv in levels if lv == k) / n if n else None) for k in _LEVELS}
    return {"n": n, "distribution": distribution, "mean": _entry(levels), "max": _worst(levels)}


def _block(results: Sequence[ReplicationResult], kind: str | None) -> dict:
    """Every metric over the incidents of one kind (``None``: all kinds)."""
    times: dict[str, list[list[float]]] = {m: [] for m in TIME_METRICS}
    unresolved: list[int] = []
    counts: list[int] = []
    levels: list[int] = []
    for result in results:
        incidents = [i for i in result.incidents if kind is None or i.kind == kind]
        for metric in TIME_METRICS:
            times[metric].append([v for v in (getattr(i, metric) for i in incidents) if v is not None])
        unresolved.append(sum(1 for i in incidents if i.resolved is None))
        counts.append(len(incidents))
        crowd = [i.max_level for i in incidents if i.kind == "crowd_buildup"]
        if crowd:
            levels.append(max(crowd))
    block: dict[str, Any] = {m: _time_block(times[m]) for m in TIME_METRICS}
    block["unresolved"] = _count_block(unresolved)
    block["incidents"] = _count_block(counts)
    if kind is None or kind == "crowd_buildup":
        block["max_level"] = _level_block(levels)
    return block


def _kinds(results: Sequence[ReplicationResult]) -> list[str]:
    seen = {i.kind for r in results for i in r.incidents}
    return [k for k in KIND_ORDER if k in seen] + sorted(seen.difference(KIND_ORDER))


def _units(results: Sequence[ReplicationResult]) -> dict:
    """Utilisation = busy / available crew-minutes, per replication, then averaged.

    A unit type with no available crew-minutes in a replication (none deployed, or a
    zero-length window) has no defined utilisation there and is skipped for it.
    """
    types = sorted({t for r in results for t in r.available_crew_minutes}
                   | {t for r in results for t in r.busy_crew_minutes})
    by_type: dict[str, dict] = {}
    for unit_type in types:
        util: list[float] = []
        busy: list[float] = []
        for r in results:
            available = r.available_crew_minutes.get(unit_type, 0.0)
            used = r.busy_crew_minutes.get(unit_type, 0.0)
            busy.append(float(used))
            if available > 0:
                util.append(float(used) / float(available))
        by_type[unit_type] = {"n": len(util), "utilisation": _entry(util), "busy_crew_minutes": _entry(busy)}
    return {"by_type": by_type}


def summarise(
    results: Sequence[ReplicationResult],
    targets: Mapping[str, Mapping[str, float]] | None = None,
) -> dict:
    """``{"metrics": ..., "units": ..., "targets": [...]}`` for ``results.json``.

    ``targets`` is the scenario's ``targets:`` mapping with limits already in minutes
    (times) or plain numbers (counts, levels); see :mod:`sispam_sim.stats.targets` for
    how each is judged.
    """
    metrics = {
        "all": _block(results, None),
        "by_kind": {kind: _block(results, kind) for kind in _kinds(results)},
    }
    return {
        "metrics": metrics,
        "units": _units(results),
        "targets": evaluate_targets(metrics["all"], targets),
    }


def worst_incidents(results: Iterable[ReplicationResult], n: int = 5) -> list[IncidentRecord]:
    """The ``n`` incidents with the longest response time across all replications.

    An incident no unit ever reached (``response_time is None``) ranks worst of all:
    it is exactly what a planner must see. Ties break by replication and id so the
    list is reproducible.
    """
    def key(i: IncidentRecord) -> tuple:
        rt = i.response_time
        return (0 if rt is None else 1, -(rt or 0.0), i.replication, i.id)

    return heapq.nsmallest(n, (i for r in results for i in r.incidents), key=key)
