"""The inject script of a field or tabletop exercise, from one simulated day.

Controllers feed incidents to the players at their clock times; beside each inject the script
gives what the plan does in the simulation (which units it sends, from where, when they should
arrive, when a crowd escalates if its need is not met), so the controllers can score the players
against the plan. One row per incident of the day, in call order: the master events list.

Which day:

* ``--replication K``: day K as users count (replication K − 1 in the files);
* ``--worst``: the day with the highest p90 response time (a day with a call never reached
  ranks above every other), ties to the earliest day;
* ``--typical``: the day closest to the median day on the headline statistics: for each of the
  day's mean and p90 response time and mean resolution time, the distance to the median over
  days in units of the median absolute deviation (1 when it is 0); the day with the smallest sum
  (ties to the earliest). A day with a call never reached counts as infinitely far.
"""

from __future__ import annotations

import csv
import io
import math
from datetime import timedelta
from typing import Any, Mapping, Sequence

import numpy as np

from sispam_sim.report.i18n import t
from sispam_sim.report.markdown import md_table, md_text

__all__ = ["day_statistics", "typical_day", "worst_day", "inject_rows", "inject_csv", "inject_markdown",
           "INJECT_COLUMNS"]

INJECT_COLUMNS = ("time", "minute", "incident", "kind", "label", "place", "lat", "lon", "inject", "need",
                  "units_sent", "first_arrival", "full_strength", "escalations", "resolved")


def day_statistics(result) -> tuple[float, float, float]:
    """(mean response, p90 response, mean resolution) of one day; ``inf`` where a call was never
    reached or resolved (such a day is no typical day)."""
    rt = [math.inf if i.response_time is None else i.response_time for i in result.incidents]
    res = [math.inf if i.resolution_time is None else i.resolution_time for i in result.incidents]
    if not rt:
        return 0.0, 0.0, 0.0
    return (float(np.mean(rt)), float(np.percentile(rt, 90, method="inverted_cdf")), float(np.mean(res)))


def worst_day(stats: Sequence[tuple[float, float, float]]) -> int:
    """Index of the day with the highest p90 response (ties: the earliest)."""
    return max(range(len(stats)), key=lambda d: (stats[d][1], -d))


def typical_day(stats: Sequence[tuple[float, float, float]]) -> int:
    """Index of the day closest to the median day (see the module's rule)."""
    table = np.array(stats, dtype=float)
    finite = np.isfinite(table).all(axis=1)
    if not finite.any():
        return 0
    median = np.median(table[finite], axis=0)
    mad = np.median(np.abs(table[finite] - median), axis=0)
    scale = np.where(mad > 0, mad, 1.0)
    distance = np.where(finite, (np.abs(table - median) / scale).sum(axis=1), np.inf)
    return int(np.argmin(distance))   # argmin takes the first of equal distances: the earliest day


def _clock(start, minute: float | None) -> str:
    if minute is None:
        return ""
    return (start + timedelta(minutes=minute)).strftime("%H:%M")


def _inject_text(record, spec, place: str, lang: str) -> str:
    """What the controller tells the players."""
    if record.kind == "crowd_buildup":
        crowd = spec.crowd
        return t("drill_crowd", lang, place=place, initial=crowd.initial, growth=f"{crowd.growth:g}",
                 peak=crowd.peak)
    if record.kind == "station_disruption":
        return t("drill_disruption", lang, label=record.label, place=place)
    return t("drill_call", lang, label=record.label, place=place)


def inject_rows(result, scenario, lang: str = "en") -> list[dict[str, Any]]:
    """The day's injects in call order, each with the plan's simulated response."""
    spec = scenario.spec
    start = spec.clock.start
    names = {pid: p.name or pid for pid, p in spec.map.places.items()}
    names.update({did: d.name or did for did, d in spec.map.districts.items()})
    bases = {u.id: names.get(u.base, u.base) for u in scenario.units}
    arrivals: dict[tuple[str, str], float] = {}
    escalations: dict[str, list[float]] = {}
    for event in result.events:
        if event.action == "arrive":
            arrivals.setdefault((event.incident, event.unit), event.time)
        elif event.action == "escalate":
            escalations.setdefault(event.incident, []).append(event.time)
    rows = []
    for record in sorted(result.incidents, key=lambda r: (r.call, r.id)):
        entry = spec.incidents[record.entry]
        place = names.get(record.place, record.place)
        if record.kind == "crowd_buildup":
            need = t("drill_crowd_need", lang, need=record.need, per=f"{entry.per_officer:g}", capability=entry.capability)
        else:
            need = ", ".join(f"{capability} {n}" for capability, n in entry.needs.items())
        sent = []
        for unit in dict.fromkeys(record.units):
            at = arrivals.get((record.id, unit))
            sent.append(f"{unit} ({bases.get(unit, '?')}" + (f", {_clock(start, at)})" if at is not None else ")"))
        levels = escalations.get(record.id, [])
        rows.append({
            "time": _clock(start, record.call), "minute": round(record.call, 3), "incident": record.id,
            "kind": record.kind, "label": record.label, "place": place, "lat": record.lat, "lon": record.lon,
            "inject": _inject_text(record, entry, place, lang), "need": need,
            "units_sent": "; ".join(sent) or t("never", lang),
            "first_arrival": _clock(start, record.first_arrival) or t("never", lang),
            "full_strength": _clock(start, record.full_strength) or t("never", lang),
            "escalations": "; ".join(f"{t(f'level_{k + 2}', lang)} {_clock(start, m)}" for k, m in enumerate(levels)),
            "resolved": _clock(start, record.resolved) or t("drill_open", lang),
        })
    return rows


def inject_csv(rows: Sequence[Mapping[str, Any]]) -> str:
    """``inject.csv``: the master events list, one row per inject (coordinates to 6 decimals)."""
    from sispam_sim.report.export import format_cell

    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(INJECT_COLUMNS)
    for row in rows:
        writer.writerow([format_cell(row[c], 6 if c in ("lat", "lon") else 3) for c in INJECT_COLUMNS])
    return buf.getvalue()


def inject_markdown(rows: Sequence[Mapping[str, Any]], scenario, day: int, why: str, lang: str = "en") -> str:
    """``inject.md``: a printable script for the controllers."""
    spec = scenario.spec
    head = [f"# {md_text(t('drill_title', lang))}: {md_text(spec.name)}\n",
            md_text(t("drill_day", lang, day=day, why=why, date=spec.clock.start.strftime("%Y-%m-%d"),
                      seed=spec.seed)) + "\n",
            md_text(t("drill_note", lang)) + "\n"]
    table = md_table([t(f"drill_col_{c}", lang) for c in ("time", "place", "inject", "need", "units_sent",
                                                         "first_arrival", "full_strength", "escalations",
                                                         "resolved")],
                     [[r["time"], f"{r['place']} ({r['lat']:.4f}, {r['lon']:.4f})", r["inject"], r["need"],
                       r["units_sent"], r["first_arrival"], r["full_strength"], r["escalations"], r["resolved"]]
                      for r in rows])
    return "\n".join(head) + "\n" + table
