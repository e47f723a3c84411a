"""Judge a scenario's ``targets:`` against the summary of a run.

This module is deliberately import-light (no numpy, no rich): the scenario schema
imports :data:`TARGET_METRICS` and :data:`TARGET_STATS` to validate names, and
loading a scenario must stay cheap.

How a target is judged
----------------------
* ``mean``, ``p50``, ``p90``, ``p95``: the statistic is computed per replication
  (e.g. the 90th percentile of that day's response times) and averaged across
  replications. **The point estimate is judged** (``pass = value <= limit``); the
  95 % confidence interval is reported beside it so a reader can see how close the
  call is, but it does not decide pass/fail. Judging the interval instead would
  make a plan "fail" merely because too few replications were run.
* ``max``: the **worst replication** — the largest value seen in any replication
  (for times: the slowest single incident of the whole run; for ``unresolved``:
  the worst day's count; for ``max_level``: the highest level any crowd reached).
  There is no interval (``ci`` is ``None``). ``pass = value <= limit``.
* If no replication had an incident the metric applies to (``n == 0``, e.g. no
  station disruption in any replication), there is nothing to violate the target:
  ``value`` is ``None``, ``pass`` is ``True`` and ``note`` is ``"no incidents"``.

``full_strength`` is accepted as an alias of ``full_strength_time``; the output
keeps the name the user wrote, so a target row can be traced back to the file.
"""

from __future__ import annotations

from typing import Any, Mapping

__all__ = [
    "TARGET_METRICS",
    "TARGET_STATS",
    "TARGET_STATS_FOR",
    "METRIC_ALIASES",
    "canonical_metric",
    "evaluate_targets",
]

from sispam_sim.stats.metrics import (  # noqa: E402  (the one table of metrics)
    METRIC_ALIASES, TARGET_METRICS, TARGET_STATS, TARGET_STATS_FOR, TIME_METRICS, canonical_metric,
)


def _judge(metric: str, stat: str, limit: float, block: Mapping[str, Any]) -> dict:
    row: dict[str, Any] = {"metric": metric, "stat": stat, "limit": limit}
    if not block or block.get("n", 0) == 0:
        return {**row, "value": None, "ci": None, "pass": True, "note": "no incidents"}
    if stat == "max":
        # Timing blocks keep the worst replication under "worst" ("max" there is the
        # across-replication mean of per-replication maxima); count blocks under "max".
        entry = block["worst"] if "worst" in block else block["max"]
        value, ci = entry["value"], None
    else:
        entry = block[stat]
        value, ci = entry["value"], entry["ci"]
    if value is None:
        return {**row, "value": None, "ci": None, "pass": True, "note": "no incidents"}
    return {**row, "value": value, "ci": ci, "pass": bool(value <= limit)}


def evaluate_targets(
    metrics_all: Mapping[str, Mapping[str, Any]],
    targets: Mapping[str, Mapping[str, float]] | None,
) -> list[dict]:
    """One result row per (metric, stat) in ``targets``, in the order written.

    ``metrics_all`` is the ``metrics["all"]`` section of a summary. ``targets`` maps
    a metric name to ``{stat: limit}``, limits already in minutes (times) or counts.
    Unknown names raise :class:`ValueError`: the scenario validator should have
    rejected them with a file location long before a run.
    """
    rows: list[dict] = []
    for metric, stats in (targets or {}).items():
        if metric not in TARGET_METRICS:
            raise ValueError(f"unknown target metric {metric!r}; expected one of {', '.join(TARGET_METRICS)}")
        allowed = TARGET_STATS_FOR[metric]
        block = metrics_all.get(canonical_metric(metric), {})
        for stat, limit in stats.items():
            if stat not in allowed:
                raise ValueError(f"target {metric}.{stat}: expected one of {', '.join(allowed)}")
            rows.append(_judge(metric, stat, limit if isinstance(limit, int) else float(limit), block))
    return rows
