"""A sweep: one scenario run at every point of a grid of ``--set`` values, on common random numbers.

    from sispam_sim.runner.sweep import Axis, grid, parse_condition, sweep

    points = grid([Axis("forces.units[patrol].count", ("2", "4", "6"))])
    result = sweep("plan.yaml", points, replications=50,
                   until=parse_condition("response_time.p90 > 15min"))
    result.broken_at, result.points[0].headline

Every point is the scenario with the point's overrides applied (on top of the fixed ones) and
is run through :func:`~sispam_sim.runner.pipeline.simulate` with the same seed and the same
replication indices, so every point meets the same incidents unless the overrides change the
incidents themselves (a rate, a scripted time): the differences between points are the
plan's, not the dice's. ``until`` stops a one-dimensional sweep at the first point that
breaks the condition. This module computes; :mod:`sispam_sim.report.sweep` renders.
"""

from __future__ import annotations

import itertools
import math
import re
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Sequence

from sispam_sim.runner.pipeline import RunOutput, simulate
from sispam_sim.scenario.limits import MAX_SWEEP_POINTS, MAX_SWEEP_REPLICATIONS
from sispam_sim.scenario.metrics import INCIDENT_METRICS, canonical_metric

__all__ = ["Axis", "Point", "Condition", "PointResult", "SweepResult", "grid", "parse_condition", "headline",
           "check_size", "sweep", "sweep_document", "sweep_verdict", "HEADLINE"]

#: The statistics a sweep's table shows per point, as (metric, stat) named as in results.json.
HEADLINE = (("response_time", "p90"), ("full_strength_time", "p90"), ("tps_downtime", "p95"),
            ("unresolved", "per_day"), ("max_level", "worst_day"))
_TIME_STATS = ("mean", "p50", "p90", "p95", "p99", "max")
#: Day figures a condition may name: metric -> its statistics (the first is the default).
_DAY_METRICS = {"unresolved": ("per_day", "worst_day"), "max_level": ("worst_day", "per_day"),
                "incidents": ("per_day",)}
_LEVELS = {"hijau": 1, "kuning": 2, "merah": 3}
_OPS: dict[str, Callable[[float, float], bool]] = {
    ">=": lambda a, b: a >= b, "<=": lambda a, b: a <= b, ">": lambda a, b: a > b, "<": lambda a, b: a < b}
_CONDITION = re.compile(r"\s*(?P<name>[A-Za-z_][\w.]*)\s*(?:(?P<op>>=|<=|>|<)\s*(?P<limit>.+?))?\s*")


@dataclass(frozen=True)
class Axis:
    """One ``--set KEY.PATH=v1,v2,...``: the path and its values, as written."""

    path: str
    values: tuple[str, ...]


@dataclass(frozen=True)
class Point:
    """One point of the grid: a value per axis."""

    index: int
    settings: tuple[tuple[str, str], ...]   # (path, value) per axis

    @property
    def overrides(self) -> tuple[str, ...]:
        return tuple(f"{path}={value}" for path, value in self.settings)

    @property
    def label(self) -> str:
        return ", ".join(self.overrides)


def grid(axes: Sequence[Axis]) -> list[Point]:
    """Every combination of the axes' values (the first axis varies slowest), in the order written."""
    combos = itertools.product(*[[(axis.path, value) for value in axis.values] for axis in axes])
    return [Point(i, tuple(combo)) for i, combo in enumerate(combos)]


def check_size(points: int, replications: int) -> str | None:
    """Why a grid of ``points`` x ``replications`` is too large to start, or None."""
    if points > MAX_SWEEP_POINTS:
        return f"the grid has {points:,} points; a sweep runs at most {MAX_SWEEP_POINTS:,}"
    if points * replications > MAX_SWEEP_REPLICATIONS:
        return (f"the grid has {points:,} points x {replications:,} replications = {points * replications:,} "
                f"replications; a sweep runs at most {MAX_SWEEP_REPLICATIONS:,} (fewer points or -r)")
    return None


# ---------------------------------------------------------------- --until


@dataclass(frozen=True)
class Condition:
    """``--until``: ``[by_kind.KIND.]METRIC.STAT OP LIMIT``, or ``targets`` (any target fails)."""

    text: str
    metric: str                 # "targets", an incident metric, or a day metric
    stat: str | None = None
    kind: str | None = None
    op: str | None = None
    limit: float | None = None
    minutes: bool = False       # the limit and value are minutes

    @property
    def name(self) -> str:
        base = f"{self.metric}.{self.stat}" if self.stat else self.metric
        return f"by_kind.{self.kind}.{base}" if self.kind else base

    def value(self, document: Mapping[str, Any]) -> tuple[float | None, bool, list | None]:
        """The point's value of the condition's statistic, whether it is censored (a lower bound),
        and its 95% interval (None where it has none: a worst day, one day)."""
        metrics = document["metrics"]
        block = metrics["all"] if self.kind is None else metrics["by_kind"].get(self.kind)
        entry = (block or {}).get(self.metric)
        if entry is None:
            return None, False, None
        if self.metric in _DAY_METRICS:
            entry = entry.get(self.stat)
            if isinstance(entry, dict):
                return entry.get("value"), False, entry.get("ci")
            return entry, False, None
        entry = entry.get(self.stat) or {}
        return entry.get("value"), bool(entry.get("censored") or entry.get("lower_bound")), entry.get("ci")

    def judge(self, document: Mapping[str, Any]) -> dict:
        """``{"value", "ci", "censored", "state", "broken", "message"}`` at one point. ``state``:
        ``holds`` (the 95% interval lies wholly on the holding side), ``too_close`` (it holds the
        limit: the data cannot say) or ``breaks`` (wholly beyond); ``broken`` is ``state == "breaks"``.
        Without an interval the value decides. For ``targets``: breaks when a target fails, too close
        when none fails and one is too close to call."""
        if self.metric == "targets":
            failed = [row for row in document["targets"] if row["verdict"] == "fail"]
            close = [row for row in document["targets"] if row["verdict"] == "too_close"]
            names = ", ".join(f"{row['kind'] + ' ' if row['kind'] else ''}{row['metric']} {row['stat']}"
                              for row in failed)
            total = len(document["targets"])
            message = f"targets: {len(failed)} of {total} failed" + (f" ({names})" if failed else "")
            if close:
                message += f", {len(close)} too close to call"
            state = "breaks" if failed else "too_close" if close else "holds"
            return {"value": len(failed), "ci": None, "censored": False, "state": state,
                    "broken": state == "breaks", "message": message}
        value, censored, ci = self.value(document)
        if value is None:
            return {"value": None, "ci": None, "censored": False, "state": "holds", "broken": False,
                    "message": f"{self.name}: nothing to judge (no such incident at this point)"}
        # A censored statistic is known only to exceed its value: it counts as infinite.
        op = _OPS[self.op]
        point = op(math.inf if censored else value, self.limit)
        state = "breaks" if point else "holds"
        if ci and ci[0] is not None and not censored:
            lo, hi = ci[0], math.inf if ci[1] is None else ci[1]
            beyond_high = self.op in (">", ">=")      # breaking values lie above the limit
            near, far = (lo, hi) if beyond_high else (hi, lo)
            if op(near, self.limit):
                state = "breaks"        # even the interval's holding end is beyond
            elif not op(far, self.limit):
                state = "holds"         # even its breaking end holds
            else:
                state = "too_close"
        shown = self._fmt(value)
        shown = f"more than {shown}" if censored else shown
        if state == "breaks":
            message = f"{self.name} = {shown} {self.op} {self._fmt(self.limit)}"
        elif state == "too_close":
            message = (f"{self.name} = {shown}, too close to {self._fmt(self.limit)} to call "
                       f"(95% interval {self._fmt(ci[0])} to {self._fmt(ci[1]) if ci[1] is not None else '?'})")
        else:
            message = f"{self.name} = {shown}, not {self.op} {self._fmt(self.limit)}"
        return {"value": value, "ci": ci, "censored": censored, "state": state, "broken": state == "breaks",
                "message": message}

    def _fmt(self, number: float) -> str:
        return f"{number:.1f} min" if self.minutes else f"{number:g}"


def parse_condition(text: str) -> Condition:
    """Read ``--until``; raise ``ValueError`` saying what was expected."""
    from sispam_sim.scenario.quantities import parse_duration
    from sispam_sim.scenario.kinds import names as kind_names

    expected = ('expected METRIC.STAT OP LIMIT, e.g. "response_time.p90 > 15min", "by_kind.crowd_buildup.'
                'full_strength_time.p90 >= 1h", "unresolved.per_day > 0", "max_level >= merah", or "targets"')
    match = _CONDITION.fullmatch(text)
    if match is None:
        raise ValueError(f"cannot read --until {text!r}: {expected}")
    parts = match.group("name").split(".")
    if parts == ["targets"]:
        if match.group("op"):
            raise ValueError(f'--until targets takes no comparison (it breaks when any target fails); found {text!r}')
        return Condition(text, "targets")
    if not match.group("op"):
        raise ValueError(f"cannot read --until {text!r}: {expected}")
    kind = None
    if parts[0] == "by_kind":
        if len(parts) < 3:
            raise ValueError(f"--until {text!r}: write by_kind.KIND.METRIC.STAT")
        kind, parts = parts[1], parts[2:]
        if kind not in kind_names():
            raise ValueError(f'--until {text!r}: unknown incident kind "{kind}"; kinds: {", ".join(kind_names())}')
    metric = canonical_metric(parts[0])
    stat = parts[1] if len(parts) > 1 else None
    limit_text, op = match.group("limit"), match.group("op")
    if metric in _DAY_METRICS:
        stats = _DAY_METRICS[metric]
        stat = stat or stats[0]
        if stat not in stats or len(parts) > 2:
            raise ValueError(f'--until {text!r}: {metric} takes {" or ".join(stats)}')
        number = _LEVELS.get(limit_text) if metric == "max_level" else None
        if number is None:
            try:
                number = float(limit_text)
            except ValueError:
                raise ValueError(f"--until {text!r}: expected a number after {op}, found {limit_text!r}"
                                 + (" (or hijau, kuning, merah)" if metric == "max_level" else "")) from None
        return Condition(text, metric, stat, kind, op, number)
    if metric not in INCIDENT_METRICS:
        known = ", ".join([*INCIDENT_METRICS, *_DAY_METRICS])
        raise ValueError(f'--until {text!r}: unknown metric "{parts[0]}"; metrics: {known}, or targets')
    if stat not in _TIME_STATS or len(parts) > 2:
        raise ValueError(f'--until {text!r}: {metric} takes a statistic: {", ".join(_TIME_STATS)} '
                         f"(e.g. {metric}.p90)")
    try:
        limit = parse_duration(limit_text)
    except ValueError as err:
        raise ValueError(f"--until {text!r}: {err}") from None
    return Condition(text, metric, stat, kind, op, limit, minutes=True)


# ---------------------------------------------------------------- running


def headline(document: Mapping[str, Any]) -> dict:
    """The headline statistics of one point (named as in results.json) and its target verdicts."""
    block = document["metrics"]["all"]
    metrics: dict[str, dict] = {}
    for metric, stat in HEADLINE:
        entry = (block.get(metric) or {}).get(stat)
        metrics.setdefault(metric, {})[stat] = entry
    targets = [{key: row.get(key) for key in ("kind", "metric", "stat", "limit", "value", "value_censored", "verdict")}
               | ({"phase": row["phase"]} if "phase" in row else {}) for row in document["targets"]]
    return {"metrics": metrics, "targets": targets}


@dataclass
class PointResult:
    point: Point
    headline: dict
    until: dict | None = None    # Condition.judge at this point
    run: RunOutput | None = field(default=None, repr=False)


@dataclass
class SweepResult:
    axes: tuple[Axis, ...]
    points: list[PointResult]
    planned: int                      # points in the grid
    replications: int
    until: Condition | None = None
    broken_at: int | None = None      # index in ``points`` of the first point wholly beyond ``until``
    first: dict | None = field(default=None, repr=False)   # the first point's results.json (scenario, manifest)


def sweep(load: Callable[[Point], Any], axes: Sequence[Axis], points: Sequence[Point], replications: int, *,
          executor=None, until: Condition | None = None, command: str | None = None,
          progress: Callable[[Point], Callable[[int, int | None], None] | None] | None = None,
          keep_runs: bool = False) -> SweepResult:
    """Run every point (``load(point)`` gives its scenario) on replications ``0 .. replications-1``.

    With ``until``, stop at the first point that clearly breaks it (its interval wholly beyond the
    limit; meant for one axis): points too close to call on the way are run past, so the result
    brackets the break. ``progress(point)`` may return the progress callback of that point's run.
    """
    result = SweepResult(tuple(axes), [], len(points), replications, until)
    for point in points:
        scenario = load(point)
        run = simulate(scenario, replications, executor=executor, command=command,
                       progress=progress(point) if progress else None)
        judged = until.judge(run.document) if until is not None else None
        result.points.append(PointResult(point, headline(run.document), judged, run if keep_runs else None))
        if result.first is None:
            result.first = {"scenario": run.document["scenario"], "manifest": run.document["manifest"]}
        if judged is not None and judged["broken"]:
            result.broken_at = len(result.points) - 1
            break
    return result


def sweep_document(result: SweepResult, fixed: Sequence[str]) -> dict:
    """The sweep as one JSON document (``sweep.json``, ``--format json``): the scenario (the file's
    digests) and manifest of the runs, with ``overrides`` the fixed ``--set`` (each point lists its own)."""
    document = result.first or {"scenario": {}, "manifest": {}}
    manifest = {k: v for k, v in document["manifest"].items() if k not in ("overrides", "precision")}
    manifest["overrides"] = list(fixed)
    until = None
    if result.until is not None:
        broken = result.points[result.broken_at] if result.broken_at is not None else None
        holding = _last_holding(result)
        until = {"condition": result.until.text,
                 "broken_at": None if broken is None else dict(broken.point.settings),
                 "last_holding": None if holding is None else dict(result.points[holding].point.settings),
                 "too_close": [dict(p.point.settings) for p in result.points if p.until["state"] == "too_close"],
                 "message": sweep_verdict(result)}
    return {
        "scenario": {k: v for k, v in document["scenario"].items() if k in ("name", "file", "sha256", "inputs")},
        "manifest": manifest,
        "axes": [{"path": axis.path, "values": list(axis.values)} for axis in result.axes],
        "points_planned": result.planned,
        "until": until,
        "points": [{"point": p.point.index, "settings": dict(p.point.settings), "overrides": list(p.point.overrides),
                    **p.headline, "until": p.until} for p in result.points],
    }


def _last_holding(result: SweepResult) -> int | None:
    """Index of the last point before the break (or of all run) whose interval wholly holds."""
    end = result.broken_at if result.broken_at is not None else len(result.points)
    return next((i for i in range(end - 1, -1, -1) if result.points[i].until["state"] == "holds"), None)


def sweep_verdict(result: SweepResult) -> str | None:
    """Where the condition breaks, bracketed: ``breaks between A and B`` when points too close to
    call lie between the last that clearly holds and the first that clearly breaks, ``breaks at B``
    when none does; or that no point clearly breaks it. None without ``--until``."""
    if result.until is None:
        return None
    holding = _last_holding(result)
    close = [p.point.label for p in result.points if p.until["state"] == "too_close"]
    if result.broken_at is None:
        text = (f"no point clearly breaks {result.until.text.strip()} "
                f"({len(result.points)} of {result.planned} point{'s' if result.planned != 1 else ''} run)")
        if close:
            text += f"; too close to call at {', '.join(close)}"
        return text
    broken = result.points[result.broken_at]
    between = [p.point.label for p in result.points[(holding + 1 if holding is not None else 0):result.broken_at]]
    if between and holding is not None:
        text = (f"breaks between {result.points[holding].point.label} and {broken.point.label}: "
                f"{broken.until['message']}; too close to call at {', '.join(between)}")
    elif between:
        text = f"breaks at {broken.point.label} or before: {broken.until['message']}; too close to call at " \
               f"{', '.join(between)}"
    else:
        text = f"breaks at {broken.point.label}: {broken.until['message']}"
        if holding is not None:
            text += f" (last holding: {result.points[holding].point.label})"
    return text
