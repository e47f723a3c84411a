"""The bottom line of a run: for each target that fails or is too close to call, what, where and
why; and the single points of failure the data shows (``results.json`` ``findings``).

Built as the rest of the statistics are (:mod:`sispam_sim.stats.summary`): a **map** step per
day, :func:`day_findings`, keeps a few small columns per incident beside the day's summary
(where it lies, its entry, its highest level, the split of its response and the type of the
unit that reached it first) and the day's figures of each single point of failure; a
**reduce** step, :class:`FindingsStore`, keeps them as growing arrays in the accumulator's
chunks (about 35 bytes per incident: memory grows as the incident values do, never with the
event log); :func:`build` reads them once the targets are judged. docs/model.md, "Findings",
says the same for planners.

* **Where an incident lies**: :mod:`~sispam_sim.stats.districts` (a TPS in its district, an incident
  at a place, the KPU office, at that place: never ranked as a district).
* **Where a target fails**: the share of the target's incidents over the limit (a censored one,
  never reached, always is) per district and place. An area is ranked only with at least
  :data:`MIN_INCIDENTS` of them over the run **and** a 95 % interval of its share (days as
  clusters, :func:`~sispam_sim.stats.intervals.ratio_ci`) whose lower end lies above the share
  of all the target's incidents: an area with 1 incident in 100 days, or one no worse than the
  rest within the noise, is not named. Ranked by share, then by incidents.
* **Why**: the response of the first unit on scene splits into **waiting** (the call to that
  unit's dispatch), **mobilising** (dispatch to leaving; an on-request unit's delay counts
  here) and **travel** (leaving to arriving). A metric that runs past the first arrival adds
  ``after_arrival`` (time to full strength: the build-up; resolution and TPS downtime: the time
  on scene; minutes short of need: the shortfall after the first unit came). Means over the
  incidents over the limit and over all of them, measured where the stage was reached, per
  kind and per ranked area; the components add up to ``value``, the metric's mean over the
  same incidents. ``dominant`` is the largest component over the limit.
* **The bottleneck unit type**: the type of the unit first on scene for the most incidents over
  the limit (among those reached), with its share of them and its utilisation.
* **Day metrics**: the highest level, the crowd entries (and where) that went above the limit
  and on how many days, with the split of their minutes short of need; unresolved incidents,
  the entries (and where) left open, and how many of them were never reached.
* **Single points of failure**: :mod:`~sispam_sim.stats.single_points` (an entry's need that one
  unit alone can meet, how often its incidents waited for it, and who held it).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

import numpy as np

from sispam_sim.scenario import kinds as kind_registry
from sispam_sim.scenario.metrics import INCIDENT_METRICS, METRICS, canonical_metric
from sispam_sim.scenario.sites import GUARD_TYPE
from sispam_sim.stats.districts import Areas, area_ref
from sispam_sim.stats.intervals import CONFIDENCE, ratio_ci
from sispam_sim.stats.single_points import SinglePoint, Totals, day_figures, single_points

__all__ = ["MIN_INCIDENTS", "TOP_AREAS", "FindingsPlan", "FindingsDay", "FindingsStore", "day_findings", "build",
           "COMPONENTS"]

#: The fewest incidents of a target over the run an area needs to be ranked.
MIN_INCIDENTS = 20
#: How many ranked areas a target's finding names.
TOP_AREAS = 5
#: The parts of a response, in order (then ``after_arrival`` for a metric that runs past it).
COMPONENTS = ("wait", "mobilise", "travel")
#: The metrics whose finding splits the response alone (they end at or before the first arrival).
_RESPONSE_ONLY = ("response_time", "dispatch_delay")
_COLUMN = {metric: i for i, metric in enumerate(INCIDENT_METRICS)}


@dataclass(frozen=True)
class FindingsPlan:
    """What the findings need of a scenario, built once (:meth:`of`) and sent with the job."""

    areas: Areas
    #: per entry: (kind, label, label_id)
    entries: tuple[tuple[str, str, str | None], ...]
    #: unit type names (the TPS guards last): the codes of ``FindingsDay.first_type``
    unit_types: tuple[str, ...]
    #: per unit type: its name and Indonesian name when the scenario gives them
    unit_names: dict[str, tuple[str | None, str | None]]
    single: tuple[SinglePoint, ...]
    #: place and district id -> name (a TPS keeps its id)
    place_names: dict[str, str]
    min_incidents: int = MIN_INCIDENTS

    @classmethod
    def of(cls, scenario, min_incidents: int = MIN_INCIDENTS) -> "FindingsPlan":
        spec = scenario.spec
        names = {pid: p.name or pid for pid, p in spec.map.places.items()}
        names.update({did: d.name or did for did, d in spec.map.districts.items()})
        types = spec.forces.types
        return cls(Areas(scenario),
                   tuple((e.kind, e.label or e.kind, getattr(e, "label_id", None)) for e in spec.incidents),
                   (*types, GUARD_TYPE),
                   {name: (getattr(t, "name", None), getattr(t, "name_id", None)) for name, t in types.items()},
                   tuple(single_points(scenario)), names, min_incidents)


@dataclass
class FindingsDay:
    """One day's columns per incident (in the day's record order) and its single points' figures."""

    area: np.ndarray         # int32, -1: nowhere named
    entry: np.ndarray        # int16
    level: np.ndarray        # int8, the highest level
    split: np.ndarray        # (incidents, 3) float64: wait, mobilise, travel of the first unit (NaN: none arrived)
    first_type: np.ndarray   # int16 into FindingsPlan.unit_types (-1: none arrived)
    #: per single point (FindingsPlan.single order): (incidents, waited, sum of waits, never sent, longest)
    single: list[tuple] = field(default_factory=list)


def day_findings(result, plan: FindingsPlan) -> FindingsDay:
    """The map step: one replication's records -> its :class:`FindingsDay`."""
    records = result.incidents
    n = len(records)
    code = plan.areas.code
    type_code = {name: i for i, name in enumerate(plan.unit_types)}
    area = np.fromiter((code(r.place, r.site, r.entry) for r in records), dtype=np.int32, count=n)
    entry = np.fromiter((r.entry for r in records), dtype=np.int16, count=n)
    level = np.fromiter((r.max_level for r in records), dtype=np.int8, count=n)
    split = np.full((n, 3), np.nan)
    first_type = np.full(n, -1, dtype=np.int16)
    for i, r in enumerate(records):
        if r.first_unit_dispatch is not None and r.first_arrival is not None:
            split[i] = (r.unit_wait, r.mobilise_minutes, r.travel_minutes)
            first_type[i] = type_code.get(r.first_unit_type, -1)
    day = FindingsDay(area, entry, level, split, first_type)
    day.single = [day_figures(sp, records, result.end, lambda r: _holder(r, plan)) for sp in plan.single]
    return day


def _holder(record, plan: FindingsPlan) -> dict:
    """The incident that held a single point's unit, as results.json names it."""
    found = plan.areas.locate(record.place, record.site, record.entry)
    out = {"incident": record.id, "label": record.label, "place": plan.place_names.get(record.place, record.place),
           "area": None if found is None else area_ref(found), "call": record.call}
    label_id = plan.entries[record.entry][2] if 0 <= record.entry < len(plan.entries) else None
    if label_id:
        out["label_id"] = label_id
    return out




# ---------------------------------------------------------------- reduce


class FindingsStore:
    """The reduce step's side of the findings: each day's columns, joined into chunks exactly when
    the accumulator joins its own (:meth:`flush`), so chunk k holds the same incidents in both;
    each single point's totals over the days so far."""

    def __init__(self) -> None:
        self.complete = True      # False once a day came without findings (no plan): none are built
        self._parts: list[tuple[np.ndarray, ...]] = []   # per day: its five columns
        self.chunks: list[tuple[np.ndarray, ...]] = []
        self.single: dict[int, Totals] = {}

    def add(self, day: FindingsDay | None, replication: int) -> None:
        if day is None or not self.complete:
            self.complete = False
            self._parts, self.chunks, self.single = [], [], {}
            return
        self._parts.append((day.area, day.entry, day.level, day.split, day.first_type))
        for i, figures in enumerate(day.single):
            self.single.setdefault(i, Totals()).add(figures, replication)

    def flush(self) -> None:
        if not self._parts:
            return
        self.chunks.append(tuple(np.concatenate(column) for column in zip(*self._parts)))
        self._parts = []


# ---------------------------------------------------------------- build


def build(tables, store: FindingsStore, targets: Sequence[Mapping[str, Any]], units: Mapping[str, Any],
          plan: FindingsPlan) -> dict | None:
    """The ``findings`` section: one entry per target that fails or is too close to call, in the order
    of ``targets`` (the judged rows), and every single point of failure. ``tables`` is the
    accumulator's flat view (``stats.summary._Tables``), ``units`` the summary's ``units``.
    None when some day had no findings data."""
    if not store.complete or len(store.chunks) != len(tables.chunks):
        return None
    data = _Data(tables, store)
    found = []
    for index, row in enumerate(targets):
        if row.get("verdict") not in ("fail", "too_close"):
            continue
        metric = canonical_metric(row["metric"])
        if METRICS[metric].per == "incident":
            body = _incident_finding(data, row, metric, units, plan)
        elif metric == "max_level":
            body = _level_finding(data, row, plan)
        else:
            body = _unresolved_finding(data, row, plan)
        found.append({"target": index, "kind": row.get("kind"), **({"phase": row["phase"]} if row.get("phase")
                                                                   is not None else {}),
                      "metric": row["metric"], "stat": row["stat"], "limit": row["limit"],
                      "value": row.get("value"), "value_censored": bool(row.get("value_censored")),
                      "verdict": row["verdict"], **body})
    return {
        "rule": {"min_incidents": plan.min_incidents, "confidence": CONFIDENCE, "top": TOP_AREAS},
        "targets": found,
        "single_points": [_single_point(sp, store.single.get(i), plan) for i, sp in enumerate(plan.single)],
    }


class _Data:
    """The accumulated incidents as the findings read them: per chunk the summary's columns beside
    the findings' (day in replication order, kind, values, censored, phase | area, entry, level,
    split, first unit type)."""

    def __init__(self, tables, store: FindingsStore):
        self.days = tables.days
        self.kinds = tables.kinds
        self.kind_order = tables.kind_order
        self.phases = tables.phases
        self.chunks = tables.chunks
        self.phase_chunks = tables.phase_chunks
        self.extra = store.chunks

    def select(self, kind: str | None, metric: str, phase: str | None) -> dict[str, np.ndarray]:
        """The incidents a target judges (its kind, or every kind the metric applies to; its phase) as
        flat arrays: day, kind code, value and censored of ``metric``, response, area, entry, level,
        split, first type, and resolution censored."""
        j = _COLUMN[metric]
        code = self.kinds.index(kind) if kind is not None and kind in self.kinds else None
        phase_code = self.phases.index(phase) if phase is not None and phase in self.phases else None
        parts: dict[str, list[np.ndarray]] = {name: [] for name in (
            "day", "kind", "value", "censored", "response", "response_censored", "area", "entry", "level", "split",
            "first_type", "unresolved", "short")}
        for c, p, x in zip(self.chunks, self.phase_chunks, self.extra):
            mask = ~np.isnan(c[2][:, j])
            if kind is not None:
                mask &= c[1] == code if code is not None else False
            if phase is not None:
                mask &= (p == phase_code) if (p is not None and phase_code is not None) else False
            if not mask.any():
                continue
            parts["day"].append(c[0][mask])
            parts["kind"].append(c[1][mask])
            parts["value"].append(c[2][mask, j])
            parts["censored"].append(c[3][mask, j])
            parts["response"].append(c[2][mask, _COLUMN["response_time"]])
            parts["response_censored"].append(c[3][mask, _COLUMN["response_time"]])
            parts["unresolved"].append(c[3][mask, _COLUMN["resolution_time"]])
            parts["short"].append(c[2][mask, _COLUMN["short_minutes"]])
            for name, column in zip(("area", "entry", "level", "split", "first_type"), x):
                parts[name].append(column[mask])
        empty = {"split": np.empty((0, 3))}
        return {name: (np.concatenate(v) if v else empty.get(name, np.empty(0))) for name, v in parts.items()}


def _share(over: np.ndarray, day: np.ndarray, days: int) -> dict:
    """The share of incidents over the limit and its 95 % interval, days as clusters."""
    value, ci = ratio_ci(np.bincount(day[over], minlength=days), np.bincount(day, minlength=days),
                         bounds=(0.0, 1.0))
    return {"value": value, "ci": ci}


def _mean(values: np.ndarray) -> float | None:
    return float(values.mean()) if values.size else None


def _split(sel: dict[str, np.ndarray], mask: np.ndarray, metric: str) -> dict:
    """The parts of ``metric`` over the incidents ``mask`` selects: means over those a unit reached,
    components adding up to ``value``. An incident whose stage was not reached by the end of the run
    counts with its lower bound (as the summary's means do): ``lower_bound`` says so."""
    measured = mask & ~np.isnan(sel["split"][:, 0])
    out: dict[str, Any] = {"incidents": int(mask.sum()), "measured": int(measured.sum()),
                           "lower_bound": bool((measured & sel["censored"]).any())}
    parts = sel["split"][measured]
    for i, name in enumerate(COMPONENTS):
        out[name] = _mean(parts[:, i])
    response = parts.sum(axis=1)
    if metric in _RESPONSE_ONLY:
        out["value"] = _mean(response)
    else:
        value = sel["value"][measured]
        out["after_arrival"] = _mean(value - response)
        out["value"] = _mean(value)
    return out


def _dominant(split: Mapping[str, Any]) -> str | None:
    names = [*COMPONENTS, *(("after_arrival",) if "after_arrival" in split else ())]
    values = [(split.get(name), name) for name in names if split.get(name) is not None]
    return max(values)[1] if values else None


def _kind_name(data: _Data, code: int) -> str:
    return data.kinds[code]


def _incident_finding(data: _Data, row: Mapping[str, Any], metric: str, units: Mapping[str, Any],
                      plan: FindingsPlan) -> dict:
    limit = float(row["limit"])
    sel = data.select(row.get("kind"), metric, row.get("phase"))
    over = sel["censored"] | (sel["value"] > limit)
    n = int(over.size)
    out: dict[str, Any] = {"incidents": n, "over_limit": int(over.sum()),
                           "never_reached": int((over & sel["response_censored"]).sum()),
                           "share_over": _share(over, sel["day"], data.days) if n else {"value": None, "ci": None}}
    overall = out["share_over"]["value"]
    everyone = np.ones(n, dtype=bool)
    # where: every area with its counts; the ranked ones with their interval and split
    area = sel["area"]
    by_area, ranked = [], []
    if n:
        order = np.argsort(area, kind="stable")
        codes, starts = np.unique(area[order], return_index=True)
        for code, start, stop in zip(codes.tolist(), starts.tolist(), [*starts[1:].tolist(), n]):
            if code < 0:
                out["unplaced"] = stop - start
                continue
            rows = order[start:stop]
            entry = {**area_ref(plan.areas.areas[code]), "incidents": int(rows.size),
                     "over_limit": int(over[rows].sum())}
            by_area.append(entry)
            if rows.size >= plan.min_incidents:
                share = _share(over[rows], sel["day"][rows], data.days)
                entry["share_over"] = share
                if share["ci"] is not None and overall is not None and share["ci"][0] > overall:
                    mask = np.zeros(n, dtype=bool)
                    mask[rows] = True
                    ranked.append((entry, mask))
    by_area.sort(key=lambda e: (-e["over_limit"] / e["incidents"], -e["incidents"], e["area"], e["id"]))
    ranked.sort(key=lambda pair: (-pair[0]["share_over"]["value"], -pair[0]["incidents"], pair[0]["id"]))
    out["where"] = [{**entry, "split": {"over_limit": _split(sel, mask & over, metric), "all": _split(sel, mask, metric)}}
                    for entry, mask in ranked[:TOP_AREAS]]
    out["ranked"] = len(ranked)
    out["areas"] = by_area
    # why: the split over the limit and over all, per kind, and the bottleneck unit type
    why: dict[str, Any] = {"of": "response_time" if metric in _RESPONSE_ONLY else metric,
                           "over_limit": _split(sel, over, metric), "all": _split(sel, everyone, metric)}
    why["dominant"] = _dominant(why["over_limit"])
    by_kind = {}
    for code in sorted(set(sel["kind"].tolist()), key=lambda c: data.kind_order.index(_kind_name(data, c))
                       if _kind_name(data, c) in data.kind_order else len(data.kind_order)):
        mask = sel["kind"] == code
        k = int(mask.sum())
        by_kind[_kind_name(data, code)] = {"incidents": k, "over_limit": int((over & mask).sum()),
                                           "share_over": float((over & mask).sum()) / k if k else None,
                                           "over_limit_split": _split(sel, over & mask, metric),
                                           "all_split": _split(sel, mask, metric)}
    why["by_kind"] = by_kind
    why["bottleneck"] = _bottleneck(sel, over, units, plan)
    out["why"] = why
    return out


def _bottleneck(sel: dict[str, np.ndarray], over: np.ndarray, units: Mapping[str, Any],
                plan: FindingsPlan) -> dict | None:
    """The unit type first on scene for the most incidents over the limit (ties: declared first)."""
    first = sel["first_type"][over]
    first = first[first >= 0]
    if not first.size:
        return None
    counts = np.bincount(first, minlength=len(plan.unit_types))
    top = int(np.argmax(counts))
    name = plan.unit_types[top]
    found = {"unit_type": name, "first_on_scene": int(counts[top]), "reached": int(first.size),
             "share": float(counts[top]) / float(first.size),
             "utilisation": ((units.get("by_type") or {}).get(name) or {}).get("utilisation")}
    label, label_id = plan.unit_names.get(name, (None, None))
    if label:
        found["name"] = label
    if label_id:
        found["name_id"] = label_id
    return found


def _entry_ref(plan: FindingsPlan, entry: int) -> dict:
    kind, label, label_id = plan.entries[entry] if 0 <= entry < len(plan.entries) else (None, str(entry), None)
    out = {"entry": entry, "incident_kind": kind, "label": label}
    if label_id:
        out["label_id"] = label_id
    return out


def _by_entry_and_area(data: _Data, sel: dict[str, np.ndarray], mask: np.ndarray, plan: FindingsPlan) -> list[dict]:
    """Per (entry, area) of the incidents ``mask`` selects: how many and on how many days, most days first."""
    groups: dict[tuple[int, int], set] = {}
    counts: dict[tuple[int, int], int] = {}
    for entry, area, day in zip(sel["entry"][mask].tolist(), sel["area"][mask].tolist(), sel["day"][mask].tolist()):
        key = (entry, area)
        groups.setdefault(key, set()).add(day)
        counts[key] = counts.get(key, 0) + 1
    out = []
    for (entry, area), days in groups.items():
        item = {**_entry_ref(plan, entry), "days": len(days), "incidents": counts[(entry, area)]}
        if area >= 0:
            item["where"] = area_ref(plan.areas.areas[area])
        out.append(item)
    out.sort(key=lambda e: (-e["days"], -e["incidents"], e["entry"], (e.get("where") or {}).get("id", "")))
    return out[:TOP_AREAS]


def _level_finding(data: _Data, row: Mapping[str, Any], plan: FindingsPlan) -> dict:
    """The highest level: the crowds (entry and where) that went above the limit, and their shortfall."""
    limit = float(row["limit"])
    sel = data.select(row.get("kind"), "short_minutes", None)   # the kinds with levels have minutes short
    crowd = np.isin(sel["kind"], [i for i, k in enumerate(data.kinds) if kind_registry.has_levels(k)])
    above = crowd & (sel["level"] > limit)
    return {"incidents": int(crowd.sum()), "over_limit": int(above.sum()),
            "days_over": int(np.unique(sel["day"][above]).size), "days": data.days,
            "where": _by_entry_and_area(data, sel, above, plan),
            "why": {"of": "short_minutes", "over_limit": _split(sel, above, "short_minutes"),
                    "all": _split(sel, crowd, "short_minutes")}}


def _unresolved_finding(data: _Data, row: Mapping[str, Any], plan: FindingsPlan) -> dict:
    """Unresolved incidents: the entries (and where) left open, and how many no unit reached."""
    sel = data.select(row.get("kind"), "resolution_time", None)
    left = sel["unresolved"]
    return {"incidents": int(left.size), "over_limit": int(left.sum()),
            "days_over": int(np.unique(sel["day"][left]).size), "days": data.days,
            "where": _by_entry_and_area(data, sel, left, plan),
            "why": {"never_reached": int((left & sel["response_censored"]).sum()),
                    "reached": int((left & ~sel["response_censored"]).sum())}}


def _single_point(sp: SinglePoint, totals: Totals | None, plan: FindingsPlan) -> dict:
    out = {**_entry_ref(plan, sp.entry), "capability": sp.capability, "need": sp.need, "unit": sp.unit,
           "unit_type": sp.unit_type, **(totals or Totals()).entry()}
    label, label_id = plan.unit_names.get(sp.unit_type, (None, None))
    if label:
        out["unit_type_name"] = label
    if label_id:
        out["unit_type_name_id"] = label_id
    return out
