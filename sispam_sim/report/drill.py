"""The inject script of a field or tabletop exercise, from one simulated day.

Controllers feed incidents to the players at their clock times; beside each inject the script
gives what the plan does in the simulation (which units it sends, from where, when they should
arrive, when a crowd escalates if its need is not met), so the controllers can score the players
against the plan. One row per incident of the day, in call order: the master events list.

Which day is scripted is chosen by :mod:`sispam_sim.stats.days`.

Words, names and numbers are in the script's language (``lang``): the scenario's format 1.1
``label_id`` / ``name_id`` where given, capabilities as words, ``1.500`` and ``16.30`` in
Indonesian. What a machine or a map reads stays as it is in every language: the ``time`` column
and the arrival, full-strength and resolution columns of inject.csv are ``HH:MM`` (a spreadsheet
reads them as times; inject.md writes them as the language does), and coordinates keep their
decimal point (to paste into a map).
"""

from __future__ import annotations

import csv
import io
import re
from typing import Any, Mapping, Sequence

from sispam_sim.report import glossary, numbers
from sispam_sim.report.i18n import t
from sispam_sim.report.markdown import md_table, md_text
from sispam_sim.scenario import kinds
from sispam_sim.scenario.sites import guard_groups

__all__ = ["inject_rows", "inject_csv", "inject_markdown",
           "INJECT_COLUMNS"]

INJECT_COLUMNS = ("time", "minute", "incident", "kind", "label", "place", "lat", "lon", "inject", "need",
                  "units_sent", "first_arrival", "full_strength", "escalations", "resolved")


#: A number a kind wrote as text for the script (``f"{growth:g}"``): ``0.5``, ``10``.
_NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?")


def _clock(start, minute: float | None) -> str:
    """A clock time for a machine (inject.csv): ``HH:MM``."""
    return numbers.clock_at(start, minute)


def _in_words(key: str, fields: Mapping[str, Any], lang: str) -> str:
    """A kind's words for the script (an i18n key and its fields) in ``lang``: numbers as the language
    writes them, a capability as words; the label and the place are the scenario's text, as given."""
    shown = {}
    for name, value in fields.items():
        if name in ("label", "place") or isinstance(value, bool):
            shown[name] = value
        elif name == "capability":
            shown[name] = glossary.capability(str(value), lang)
        elif isinstance(value, (int, float)):
            shown[name] = numbers.count(value, lang)
        elif isinstance(value, str) and _NUMBER.fullmatch(value):
            shown[name] = numbers.localise(value, lang)
        else:
            shown[name] = value
    return t(key, lang, **shown)


def _inject_text(kind, label: str, entry, place: str, lang: str) -> str:
    """What the controller tells the players: the kind says which words."""
    key, fields = kind.inject(entry, label, place)
    return _in_words(key, fields, lang)


def _need_text(kind, record, entry, lang: str) -> str:
    """The need the plan meets: the kind's words, or the personnel per capability as written."""
    said = kind.need_text(entry, record.need)
    if said is not None:
        key, fields = said
        return _in_words(key, fields, lang)
    return ", ".join(f"{glossary.capability(capability, lang)} {numbers.whole(n, lang)}"
                     for capability, n in entry.needs.items())


def inject_rows(result, scenario, lang: str = "en") -> list[dict[str, Any]]:
    """The day's injects in call order, each with the plan's simulated response."""
    spec = scenario.spec
    start = spec.clock.start
    names = glossary.place_names(spec, lang)
    bases = {u.id: names.get(u.base, u.base) for u in scenario.units}
    if spec.guard.tps:   # a TPS guard group sent to an incident leaves from its post, a TPS
        bases.update({group: post.id for group, _, post in guard_groups(scenario.sites, spec.guard)})
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
        label = glossary.incident_label(spec, record.label, record.kind, lang, entry=record.entry)
        sent = []
        for unit in dict.fromkeys(record.units):
            at = arrivals.get((record.id, unit))
            sent.append(f"{unit} ({bases.get(unit, '?')}"
                        + (f", {numbers.clock_at(start, at, lang)})" if at is not None else ")"))
        levels = escalations.get(record.id, [])
        rows.append({
            "time": _clock(start, record.call), "minute": round(record.call, 3), "incident": record.id,
            "kind": record.kind, "label": label, "place": place, "lat": record.lat, "lon": record.lon,
            "inject": _inject_text(kind, label, entry, place, lang), "need": _need_text(kind, record, entry, lang),
            "units_sent": "; ".join(sent) or t("never", lang),
            "first_arrival": _clock(start, record.first_arrival) or t("never", lang),
            "full_strength": _clock(start, record.full_strength) or t("never", lang),
            "escalations": "; ".join(f"{t(f'level_{k + 2}', lang)} {numbers.clock_at(start, m, lang)}"
                                     for k, m in enumerate(levels)),
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
    head = [f"# {md_text(t('drill_title', lang))}: {md_text(glossary.scenario_text(spec, 'name', lang))}\n",
            md_text(t("drill_day", lang, day=day, why=why, date=spec.clock.start.strftime("%Y-%m-%d"),
                      seed=spec.seed)) + "\n",
            md_text(t("drill_note", lang)) + "\n"]
    table = md_table([t(f"drill_col_{c}", lang) for c in ("time", "place", "inject", "need", "units_sent",
                                                         "first_arrival", "full_strength", "escalations",
                                                         "resolved")],
                     [[numbers.clock_text(r["time"], lang), f"{r['place']} ({r['lat']:.4f}, {r['lon']:.4f})",
                       r["inject"], r["need"], r["units_sent"],
                       *(numbers.clock_text(r[c], lang) for c in ("first_arrival", "full_strength")),
                       r["escalations"], numbers.clock_text(r["resolved"], lang)]
                      for r in rows])
    return "\n".join(head) + "\n" + table
