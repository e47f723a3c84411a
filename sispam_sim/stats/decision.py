"""The decision table of a comparison: which plan to keep, which are ruled out, and why.

:func:`decide` reads what :func:`sispam_sim.stats.compare.compare` has computed (the differences
with their verdicts, the targets of every plan) and each plan's own run (its summary and its
per-day counts) and forms, as plain data, the table a briefing opens with (docs/model.md,
"Decision table"):

* **Rows** (plans are the columns, the baseline first): every target (value, whether it lies
  among censored incidents, verdict ``pass`` / ``too_close`` / ``fail`` / ``untested``, and the
  verdict of the paired difference on the statistic it judges); unresolved incidents per day
  (value, 95 % interval, on how many days, which kinds); the highest crowd level reached and the
  share of days reaching kuning and merah; the headline rows better and worse than the baseline.
* **Guardrails.** A plan is *ruled out*, whatever its other rows, when it

  - ``unresolved``: leaves incidents unresolved (:func:`leaves_unresolved`): its unresolved
    incidents per day (all incidents) read ``worse`` than the baseline's (the paired difference's
    interval lies above 0, after Holm), or the baseline resolves every incident on every day and
    the plan's own 95 % interval of unresolved per day lies above 0;
  - ``higher_level``: raises the highest level: on some day a crowd reaches a level above the
    highest any crowd reached under the baseline on any day.

  A plan that meets other incidents (it differs from the baseline in ``clock`` or in the randomly
  drawn ``incidents``) is *not comparable* (``other_incidents``): its differences are those of
  another day, not of the plan. The baseline is never ruled out (the guardrails are relative to it).
* **One recommendation** (:func:`recommend`), never a ruled-out or not comparable plan: a plan is
  *better* when at least one headline row reads ``better``, none reads ``worse`` (or ``not
  better``) and no target verdict is below the baseline's (pass > too close > fail); of the better
  plans the one passing the most targets is kept, and two that tie cannot be chosen between. With
  no better plan the baseline is kept when every other candidate is worse; when some differ on no
  headline row (``no_difference``) or are better on some and worse on others (``trade_off``) the
  data cannot choose between them and the baseline.

Plans are named by index (0: the baseline) and letter (A, B, ...), never by name alone: two
plans may share a name.
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence

__all__ = ["RULED_OUT", "STATUSES", "OUTCOMES", "RULE", "decide", "recommend", "leaves_unresolved", "letter",
           "TARGET_ORDER"]

#: Reason codes of a plan ruled out by a guardrail, and of one that meets other incidents.
RULED_OUT = ("unresolved", "higher_level")
NOT_COMPARABLE = ("other_incidents",)
#: A plan's status in the decision table.
STATUSES = ("kept", "candidate", "ruled_out", "not_comparable")
#: The recommendation: keep one plan, or the data cannot choose.
OUTCOMES = ("keep", "cannot_choose")
#: Target verdicts from best to worst (``untested`` judges nothing and is never compared).
TARGET_ORDER = {"pass": 2, "too_close": 1, "fail": 0}
#: Pairing keys that make a plan meet other incidents than the baseline's.
_OTHER_DAY = ("clock", "incidents")

RULE = {
    "unresolved": "ruled out when its unresolved incidents per day (all incidents) read worse than the baseline's "
                  "(the paired difference's 95% interval lies above 0, after Holm), or when the baseline resolves "
                  "every incident on every day and the plan's own 95% interval of unresolved per day lies above 0",
    "higher_level": "ruled out when on some day a crowd reaches a level above the highest the baseline reached on "
                    "any day",
    "other_incidents": "not comparable when it differs from the baseline in clock or in the randomly drawn "
                       "incidents: its differences are another day's",
    "keep": "never a ruled-out or not comparable plan; better = at least one headline row better, none worse or not "
            "better, no target verdict below the baseline's; of the better plans the one passing most targets "
            "(a tie: cannot choose); with none better, the baseline when every other candidate is worse, else "
            "cannot choose (no difference, or a trade-off)",
    "not_better": "a level row (days reaching a level, highest level) that would read better reads not better in a "
                  "block whose incidents the plan leaves unresolved: a crowd that is never dispersed never escalates",
}


def letter(index: int) -> str:
    """A for the baseline (index 0), B, C, ... for the plans (as every output of compare names them)."""
    return chr(ord("A") + index) if index < 26 else f"P{index}"


def _interval_low(entry: Mapping[str, Any]) -> float:
    """The lower end of a ``{"value", "ci"}`` entry's interval (its value without one: a single day)."""
    ci = entry.get("ci")
    low = ci[0] if ci else None
    return float(entry["value"] if low is None else low)


def leaves_unresolved(base: Mapping[str, Any], plan: Mapping[str, Any], difference: Mapping[str, Any] | None) -> bool:
    """Whether a plan's summary block (``metrics.all`` or one kind's) leaves incidents unresolved that
    the baseline's resolves: the paired difference of unresolved per day reads ``worse``, or the baseline
    left none on any day and the plan's 95 % interval of unresolved per day lies above 0."""
    mine = plan.get("unresolved") or {}
    if not mine:
        return False
    if difference is not None and difference.get("verdict") == "worse":
        return True
    theirs = base.get("unresolved") or {}
    return not theirs.get("worst_day") and _interval_low(mine["per_day"]) > 0


def _highest(block: Mapping[str, Any]) -> int:
    """The highest crowd level reached on any day (0: no crowd)."""
    return int((block.get("max_level") or {}).get("worst_day") or 0)


def _entry(block: Mapping[str, Any], metric: str, stat: str) -> Mapping[str, Any] | None:
    return (block.get(metric) or {}).get(stat)


def _target_difference(plan: Mapping[str, Any], row: Mapping[str, Any]) -> str | None:
    """The verdict of the paired difference on the statistic a target judges (None: not compared)."""
    from sispam_sim.scenario.metrics import canonical_metric

    if row.get("phase") is not None:
        return None
    block = plan["differences"] if row["kind"] is None else plan["by_kind"].get(row["kind"], {})
    metric, stat = canonical_metric(row["metric"]), row["stat"]
    if metric in ("max_level", "unresolved"):
        stat = {"max": "worst_day", "mean": "per_day"}.get(stat, stat)
    entry = _entry(block, metric, stat)
    return entry.get("verdict") if entry else None


def _headline_counts(plan: Mapping[str, Any]) -> dict[str, Any]:
    """How many headline rows (all incidents and every kind) read better, worse and not better, and
    which (``on``: verdict -> ``[kind, metric, stat]`` rows, kind None for all incidents)."""
    counts: dict[str, Any] = {"better": 0, "worse": 0, "not better": 0}
    on: dict[str, list] = {verdict: [] for verdict in counts}
    for kind, block in ((None, plan["differences"]), *plan["by_kind"].items()):
        for metric, stats in block.items():
            for stat, entry in stats.items():
                if entry.get("row", "headline") == "headline" and entry["verdict"] in counts:
                    counts[entry["verdict"]] += 1
                    on[entry["verdict"]].append([kind, metric, stat])
    return {**counts, "on": on}


def _unresolved_cell(summary: Mapping[str, Any], series: Mapping[Any, Mapping[str, Sequence[float]]],
                     difference: Mapping[str, Any] | None) -> dict:
    block = summary["metrics"]["all"]
    per_day = (block.get("unresolved") or {}).get("per_day") or {"value": 0.0, "ci": None}
    daily = (series.get(None) or {}).get("unresolved") or []
    by_kind = {kind: b["unresolved"]["per_day"]["value"] for kind, b in summary["metrics"]["by_kind"].items()
               if (b.get("unresolved") or {}).get("worst_day")}
    return {"value": per_day["value"], "ci": per_day.get("ci"), "days": sum(1 for n in daily if n > 0),
            "of": len(daily), "kinds": by_kind, "difference": difference.get("verdict") if difference else None}


def _level_cell(summary: Mapping[str, Any], differences: Mapping[str, Any] | None) -> dict:
    block = summary["metrics"]["all"]
    levels = block.get("levels") or {}
    shares = {level: levels[level]["share_of_days"] for level in ("2", "3") if level in levels}
    verdicts = {}
    if differences is not None:
        verdicts = {level: e["verdict"] for level, e in (differences.get("levels") or {}).items()}
        if (worst := _entry(differences, "max_level", "worst_day")) is not None:
            verdicts["highest"] = worst["verdict"]
    return {"level": _highest(block) or None, "days": shares, "difference": verdicts}


def _callouts(summary: Mapping[str, Any]) -> list:
    """The plan's run findings (results.json ``findings``) as its call-outs, one per entry:
    ``{"from": "targets" | "single_points" | ..., "finding": entry}`` in the findings' order."""
    findings = summary.get("findings")
    if isinstance(findings, list):
        return [{"from": None, "finding": item} for item in findings]
    if not isinstance(findings, Mapping):
        return []
    return [{"from": key, "finding": item} for key, value in findings.items() if isinstance(value, list)
            for item in value]


def decide(document: Mapping[str, Any], summaries: Sequence[Mapping[str, Any]],
           series: Sequence[Mapping[Any, Mapping[str, Sequence[float]]]]) -> dict:
    """The comparison's ``decision``: the table's rows, each plan's status and the recommendation.

    ``document``: what :func:`~sispam_sim.stats.compare.compare` builds (``plans``, ``targets``);
    ``summaries``: every plan's run summary, the baseline first; ``series``: per plan, per kind
    (None: all incidents), the per-day ``unresolved`` counts (``Accumulator.resamplable``)."""
    compared = document["plans"]
    base = summaries[0]["metrics"]["all"]
    plans = []
    for index, summary in enumerate(summaries):
        plan = compared[index - 1] if index else None
        reasons: list[str] = []
        if plan is not None:
            if any(key in _OTHER_DAY for key in plan["differs"]["keys"]):
                reasons.append("other_incidents")
            if leaves_unresolved(base, summary["metrics"]["all"], _entry(plan["differences"], "unresolved", "per_day")):
                reasons.append("unresolved")
            if _highest(summary["metrics"]["all"]) > _highest(base):
                reasons.append("higher_level")
        ruled = [r for r in reasons if r in RULED_OUT]
        status = "ruled_out" if ruled else "not_comparable" if reasons else "candidate"
        passed = [row["plans"][index]["verdict"] == "pass" for row in document["targets"]["rows"]
                  if row["plans"][index]]
        plans.append({
            "index": index, "letter": letter(index), "name": (plan or document["baseline"])["name"],
            **({"name_id": (plan or document["baseline"])["name_id"]}
               if (plan or document["baseline"]).get("name_id") else {}),
            "file": (plan or document["baseline"])["file"], "baseline": plan is None, "status": status,
            "reasons": ruled or reasons, "targets": {"passed": sum(passed), "total": len(passed)},
            "rows": _headline_counts(plan) if plan is not None else None,
            "callouts": _callouts(summary),
        })
    rows = []
    for row in document["targets"]["rows"]:
        cells = []
        for index, cell in enumerate(row["plans"]):
            if cell is None:
                cells.append(None)
                continue
            cells.append({**cell, "censored": bool(cell.get("value_censored")),
                          "difference": _target_difference(compared[index - 1], row) if index else None})
        rows.append({"row": "target", "kind": row["kind"], **({"phase": row["phase"]} if "phase" in row else {}),
                     "metric": row["metric"], "stat": row["stat"], "cells": cells})
    rows.append({"row": "unresolved", "cells": [
        _unresolved_cell(summary, series[index],
                         _entry(compared[index - 1]["differences"], "unresolved", "per_day") if index else None)
        for index, summary in enumerate(summaries)]})
    rows.append({"row": "highest_level", "cells": [
        _level_cell(summary, compared[index - 1]["differences"] if index else None)
        for index, summary in enumerate(summaries)]})
    recommendation = recommend(plans, rows)
    if recommendation["outcome"] == "keep":
        plans[recommendation["plan"]]["status"] = "kept"
    return {"plans": plans, "rows": rows, "recommendation": recommendation, "rule": RULE}


def _target_cells(rows: Sequence[Mapping[str, Any]], index: int) -> list[str | None]:
    return [(row["cells"][index] or {}).get("verdict") for row in rows if row["row"] == "target"]


def _below(mine: Sequence[str | None], theirs: Sequence[str | None]) -> list[int]:
    """The targets (positions) on which ``mine`` has a verdict below ``theirs`` (untested: never)."""
    return [i for i, (a, b) in enumerate(zip(mine, theirs)) if a in TARGET_ORDER and b in TARGET_ORDER
            and TARGET_ORDER[a] < TARGET_ORDER[b]]


def recommend(plans: Sequence[Mapping[str, Any]], rows: Sequence[Mapping[str, Any]]) -> dict:
    """The plan to keep and why, or that the data cannot choose (see the module's docstring).

    ``outcome``: ``keep`` (``plan``: its index) or ``cannot_choose`` (``between``: the indices);
    ``why``: codes (``better``, ``most_targets``, ``others_worse``, ``only_baseline``, ``tie``,
    ``no_difference``, ``trade_off``); ``cautions``: what holds of the kept plan all the same
    (``unresolved``: it too leaves incidents unresolved; ``fails_targets``; ``too_close``: targets
    too close to call, more days could settle them); ``fails`` and ``too_close``: the positions of
    those targets among the target rows (of the kept plan, or of any plan ``between``)."""
    base_targets = _target_cells(rows, 0)
    classes: dict[int, str] = {}
    for plan in plans[1:]:
        if plan["status"] in ("ruled_out", "not_comparable"):
            continue
        counts = plan["rows"]
        worse = counts["worse"] + counts["not better"] > 0
        below = bool(_below(_target_cells(rows, plan["index"]), base_targets))   # a target judged worse
        better = counts["better"] > 0
        classes[plan["index"]] = ("trade_off" if worse or below else "better") if better else \
            "worse" if worse else "same"
    better = [i for i, c in classes.items() if c == "better"]
    if better:
        most = max(plans[i]["targets"]["passed"] for i in better)
        top = [i for i in better if plans[i]["targets"]["passed"] == most]
        if len(top) == 1:
            why = ["better"] + (["most_targets"] if len(better) > 1 else [])
            return _kept(top[0], why, plans, rows)
        return {"outcome": "cannot_choose", "plan": None, "between": top, "why": ["tie"], "cautions": [],
                "fails": [], "too_close": _with(rows, top, "too_close")}
    undecided = sorted(i for i, c in classes.items() if c in ("same", "trade_off"))
    if not undecided:
        return _kept(0, ["others_worse"] if classes else ["only_baseline"], plans, rows)
    between = [0, *undecided]
    why = ["trade_off"] if any(classes[i] == "trade_off" for i in undecided) else ["no_difference"]
    if any(classes[i] == "same" for i in undecided) and why == ["trade_off"]:
        why.append("no_difference")
    return {"outcome": "cannot_choose", "plan": None, "between": between, "why": why, "cautions": [],
            "fails": [], "too_close": _with(rows, between, "too_close")}


def _with(rows: Sequence[Mapping[str, Any]], indices: Sequence[int], verdict: str) -> list[int]:
    """The positions of the targets on which any of the plans ``indices`` has ``verdict``."""
    targets = [row for row in rows if row["row"] == "target"]
    return [i for i, row in enumerate(targets) if any((row["cells"][j] or {}).get("verdict") == verdict
                                                       for j in indices)]


def _kept(index: int, why: list[str], plans: Sequence[Mapping[str, Any]], rows: Sequence[Mapping[str, Any]]) -> dict:
    cautions = []
    unresolved = next(row for row in rows if row["row"] == "unresolved")["cells"][index]
    if _interval_low(unresolved) > 0:
        cautions.append("unresolved")
    fails, close = _with(rows, [index], "fail"), _with(rows, [index], "too_close")
    if fails:
        cautions.append("fails_targets")
    if close:
        cautions.append("too_close")
    return {"outcome": "keep", "plan": index, "between": [], "why": why, "cautions": cautions, "fails": fails,
            "too_close": close}
