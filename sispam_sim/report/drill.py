"""The inject script of a field or tabletop exercise, from one simulated day.

Controllers feed incidents to the players at their clock times; beside each inject the script
gives what the plan does in the simulation (which units it sends, from where, when they should
arrive, when a crowd escalates if its need is not met), so the controllers can score the players
against the plan. One row per incident of the day, in call order: the master events list.

Which day is scripted is chosen by :mod:`sispam_sim.stats.days`.
"""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from typing import Any, Mapping, Sequence

from sispam_sim.report.i18n import t
from sispam_sim.report.markdown import md_table, md_text
from sispam_sim.scenario import kinds

__all__ = ["inject_rows", "inject_csv", "inject_markdown",
           "INJECT_COLUMNS"]

INJECT_COLUMNS = ("time", "minute", "incident", "kind", "label", "place", "lat", "lon", "inject", "need",
                  "units_sent", "first_arrival", "full_strength", "escalations", "resolved")


def _clock(start, minute: float | None) -> str:
    if minute is None:
        return ""
    return (start + timedelta(minutes=minute)).strftime("%H:%M")


def _inject_text(kind, record, entry, place: str, lang: str) -> str:
    """What the controller tells the players: the kind says which words."""
    key, fields = kind.inject(entry, record.label, place)
    return t(key, lang, **fields)


def _need_text(kind, record, entry, lang: str) -> str:
    """The need the plan meets: the kind's words, or the personnel per capability as written."""
    said = kind.need_text(entry, record.need)
    if said is not None:
        key, fields = said
        return t(key, lang, **fields)
    return ", ".join(f"{capability} {n}" for capability, n in entry.needs.items())


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
        kind = kinds.get(entry.kind)
        place = names.get(record.place, record.place)
        sent = []
        for unit in dict.fromkeys(record.units):
            at = arrivals.get((record.id, unit))
            sent.append(f"{unit} ({bases.get(unit, '?')}" + (f", {_clock(start, at)})" if at is not None else ")"))
        levels = escalations.get(record.id, [])
        rows.append({
            "time": _clock(start, record.call), "minute": round(record.call, 3), "incident": record.id,
            "kind": record.kind, "label": record.label, "place": place, "lat": record.lat, "lon": record.lon,
            "inject": _inject_text(kind, record, entry, place, lang), "need": _need_text(kind, record, entry, lang),
            "units_sent": "; ".join(sent) or t("never", lang),
            "first_arrival": _clock(start, record.first_arrival) or t("never", lang),
            "full_strength": _clock(start, record.full_strength) or t("never", lang),
            "escalations": "; ".join(f"{t(f'level_{k + 2}', lang)} {_clock(start, m)}" for k, m in enumerate(levels)),
            "resolved": _clock(start, record.resolved) or t("drill_open", lang),
        })
    return rows


def inject_csv(rows: Sequence[Mapping[str, Any]]) -> str:
    """``inject.csv``: the master events list, one row per inject (coordinates to 6 decimals)."""
    from sispam_sim.runner.output import format_cell

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
