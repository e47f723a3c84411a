"""Judge a scenario's ``targets:`` against the pooled statistics of a run.

How a target is judged (the verdict is one of ``pass``, ``too_close``, ``fail``, ``untested``):

* **Incident metrics** (times, pooled over all incidents of all days):
  ``p50`` .. ``p99`` pass when the pooled percentile is at or under the limit, which is
  the same as "at least p % of incidents within the limit" (``share_within`` is
  reported beside it); a percentile that lands on censored incidents (not reached by the
  end of the run) fails. ``mean`` passes when the mean per incident is at or under the
  limit and no incident is censored (with censored incidents the mean is only a lower
  bound, and a lower bound under the limit proves nothing). ``max`` is the slowest
  incident of the whole run: it grows with the number of replications, so ``validate``
  suggests ``p99`` instead.
* **Day metrics**: ``unresolved`` — ``mean`` is the mean per day, ``max`` the worst day;
  ``max_level`` — ``max`` passes only when no day exceeded the level (``days_exceeding``
  says how many did), ``mean`` is the mean over days with a crowd.
* A target with nothing to judge (no incident of its kind or metric in any day; no
  crowd for ``max_level``; no incident called in its phase) is **untested**, never a pass.
* **Per phase** (format 1.1 ``targets.by_phase``, incident metrics only): the incidents of every
  kind called in the phase, from its start up to (not including) its end.

The point estimate says on which side of the limit the statistic lies, and the 95 % interval
whether the data can say so: when the interval contains the limit (:func:`borderline`; for a
percentile, also when the interval of the share within the limit contains the percentile's share)
the verdict is **too_close** ("too close to call": more days could turn it either way), and
``leaning`` keeps the side the point estimate is on (``pass`` or ``fail``). A verdict that rests on
censored incidents, and a statistic without an interval (``max``; a run of one day), is never too
close. :func:`margin` says how far the value is from the limit.
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence

from sispam_sim.scenario.metrics import METRICS, PERCENTILES, TARGET_STATS_FOR, canonical_metric

__all__ = ["VERDICTS", "evaluate_targets", "all_met", "borderline", "margin"]

VERDICTS = ("pass", "too_close", "fail", "untested")


def _incident_row(row: dict, pooled, stat: str, limit: float) -> dict:
    if pooled is None or pooled.n == 0:
        return {**row, "n": 0, "verdict": "untested", "reason": "no incidents"}
    row["n"] = pooled.n
    row["censored"] = pooled.n_censored
    if stat == "mean":
        entry = pooled.mean()
        row.update(value=entry["value"], ci=entry["ci"], lower_bound=entry["lower_bound"])
        ok = not entry["lower_bound"] and entry["value"] <= limit
        reason = "censored incidents: the mean is only a lower bound" if entry["lower_bound"] else None
    elif stat == "max":
        entry = pooled.maximum()
        row.update(value=entry["value"], ci=None, value_censored=entry["censored"])
        ok = not entry["censored"] and entry["value"] <= limit
        reason = "censored incidents: the slowest was never reached" if entry["censored"] else None
    else:
        entry = pooled.percentile(stat)
        row.update(value=entry["value"], ci=entry["ci"], value_censored=entry["censored"])
        ok = not entry["censored"] and entry["value"] <= limit
        reason = "the percentile lies among censored incidents" if entry["censored"] else None
    row["share_within"] = pooled.share_within(limit)
    row["verdict"] = "pass" if ok else "fail"
    if reason and not ok:
        row["reason"] = reason
    return _too_close(row)


def _too_close(row: dict) -> dict:
    """A judged row whose interval contains its limit becomes ``too_close``, leaning its point's way."""
    if borderline(row):
        row["leaning"] = row["verdict"]
        row["verdict"] = "too_close"
    return row


def _day_row(row: dict, block: Mapping[str, Any] | None, metric: str, stat: str, limit: float, levels) -> dict:
    if not block:
        return {**row, "verdict": "untested", "reason": "no crowd" if metric == "max_level" else "no days"}
    row["days"] = block["days"]
    if stat == "mean":
        row.update(value=block["per_day"]["value"], ci=block["per_day"]["ci"])
    else:
        row.update(value=block["worst_day"], ci=None)
        row["days_exceeding"] = sum(1 for v in levels if v > limit)
    row["verdict"] = "pass" if row["value"] <= limit else "fail"
    return _too_close(row)


def evaluate_targets(metrics: Mapping[str, Any], pooled: Mapping[str | None, Mapping[str, Any]],
                     targets: Sequence[Any], day_values: Mapping[tuple, Sequence[float]] | None = None) -> list[dict]:
    """One result row per target, in the order written.

    ``metrics`` is the summary's ``metrics`` section, ``pooled`` maps a kind (``None``: all
    kinds) to ``{metric: Pooled}``, ``targets`` the scenario's rows (``kind``, ``metric``,
    ``stat``, ``limit`` in minutes or a count; a row with a ``phase``, format 1.1, is judged on
    the ``pooled`` data given for it and its result row carries ``"phase"``). ``day_values`` maps ``(kind, metric)`` of a
    day metric to its per-day values (for ``days_exceeding``).
    """
    rows: list[dict] = []
    for target in targets:
        kind, metric, stat, limit = target.kind, target.metric, target.stat, target.limit
        name = canonical_metric(metric)
        if name not in METRICS or stat not in TARGET_STATS_FOR.get(metric, ()):
            raise ValueError(f"unknown target {metric}.{stat}: the scenario validator should have rejected it")
        phase = getattr(target, "phase", None)
        row: dict[str, Any] = {"kind": kind, **({"phase": phase} if phase is not None else {}),
                               "metric": metric, "stat": stat, "limit": limit}
        if phase is not None and METRICS[name].per != "incident":
            raise ValueError(f"{metric} is a day metric and has no phase: the scenario validator should have "
                             "rejected it")
        if METRICS[name].per == "incident":
            rows.append(_incident_row(row, pooled.get(kind, {}).get(name), stat, limit))
        else:
            block = metrics["all"] if kind is None else metrics["by_kind"].get(kind)
            levels = (day_values or {}).get((kind, name), ())
            rows.append(_day_row(row, (block or {}).get(name), name, stat, limit, levels))
    return rows


def all_met(rows: Sequence[Mapping[str, Any]]) -> bool:
    """True only when there is at least one target and every one was tested and passed."""
    return bool(rows) and all(row["verdict"] == "pass" for row in rows)


def borderline(row: Mapping[str, Any]) -> bool:
    """True when a judged target's 95 % interval straddles its limit: more days could turn the verdict.

    Asked of the verdict the point estimate gives (``pass`` or ``fail``; a ``too_close`` row already
    is). A pass is borderline when its interval reaches above the limit, a fail when its interval
    reaches down to the limit. For a percentile target the share of incidents within the limit
    is judged too, against the percentile's share (p90: 90 %): a target is borderline when
    either interval the report shows straddles. A verdict that rests on censored incidents
    (a percentile among them, a mean that is only a lower bound), an untested target and a
    statistic without an interval (``max``; a run of one day) are never borderline.
    """
    verdict = row.get("verdict")
    if verdict == "too_close":
        return True
    if verdict not in ("pass", "fail") or row.get("value_censored") or row.get("lower_bound"):
        return False
    passed = verdict == "pass"
    if _straddles(row.get("ci"), row["limit"], passed, lower_is_better=True):
        return True
    if row.get("stat") in PERCENTILES:   # p90 <= limit passes exactly when >= 90% are within the limit
        share_ci = (row.get("share_within") or {}).get("ci")
        return _straddles(share_ci, PERCENTILES[row["stat"]] / 100.0, passed, lower_is_better=False)
    return False


def _straddles(ci: Sequence[float | None] | None, bound: float, passed: bool, lower_is_better: bool) -> bool:
    """Does ``ci`` reach into the other verdict's side of ``bound``? (None ends: among censored incidents)."""
    if not ci or ci[0] is None:   # no interval, or one wholly among censored incidents
        return False
    lo, hi = ci[0], float("inf") if ci[1] is None else ci[1]
    if lower_is_better:   # pass: value <= bound
        return hi > bound if passed else lo <= bound
    return lo < bound if passed else hi >= bound   # pass: share >= bound


def margin(row: Mapping[str, Any]) -> float | None:
    """``limit - value`` in the limit's unit (minutes, a count or a level): headroom when positive.

    None for an untested target. When the value is only a lower bound (censored incidents),
    so is the margin an upper bound: the true margin is smaller.
    """
    if row.get("verdict") == "untested" or row.get("value") is None:
        return None
    return row["limit"] - row["value"]
