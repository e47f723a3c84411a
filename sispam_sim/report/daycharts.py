"""report.html's charts of the day, as plain data for the templates: the response-time curves per
incident kind, the personnel over the day by unit type, and the crowds' escalation on the typical
and the worst day.

The two days are those of :mod:`sispam_sim.stats.days` (the one rule ``drill`` and ``replay.html``
use: the typical day closest to the median day, the worst day the highest p90 response), so the
report's crowd panels show the days the room can watch in ``replay.html``, which the section links
to. ``timeline.csv`` is read one day at a time and ``events.csv`` once: memory does not grow with
the number of days. Clock times, numbers and names are in the reader's language.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any, Mapping, Sequence

from sispam_sim.report import glossary
from sispam_sim.report.cells import figure, minutes
from sispam_sim.report.i18n import t
from sispam_sim.report.wherewhy import RunIncidents, quantile, responses, rows
from sispam_sim.scenario import kinds

__all__ = ["response_charts", "personnel", "escalation", "unit_names", "unit_type_name", "clock_hours", "replay_links",
           "VOTING", "COUNTING", "REPLAY"]

#: The windows marked on the personnel chart without the scenario's own phases, as clock hours.
VOTING = (7.0, 13.0)
COUNTING = (13.0, 19.0)
#: The day page written beside report.html (``run --out``, ``report DIR``); its sections are
#: ``day-0`` (the typical day) and ``day-1`` (the worst day).
REPLAY = "replay.html"


def _float(text: str | None) -> float | None:
    return float(text) if text not in ("", None) else None


def clock_hours(scenario) -> float:
    """The clock hour the run starts at (0 without the scenario: hours from the start)."""
    if scenario is None:
        return 0.0
    start = scenario.spec.clock.start
    return start.hour + start.minute / 60


def unit_names(scenario, lang: str) -> dict[str, str]:
    """Every unit type of the scenario (and the TPS guards) -> its name in ``lang``: the scenario's own
    (format 1.1 ``name`` / ``name_id``), the program's for the TPS guards, else its id as a name that
    keeps the abbreviations (``dalmas_lanjut_ssk`` -> "Dalmas Lanjut SSK")."""
    from sispam_sim.report.organisations import unit_name
    from sispam_sim.scenario.sites import GUARD_TYPE

    names = {GUARD_TYPE: glossary.UNIT_TYPES[GUARD_TYPE][lang]}
    if scenario is not None:
        for name, found in scenario.spec.forces.types.items():
            names[name] = glossary.scenario_text(found, "name", lang) or unit_name(name)
    return names


def unit_type_name(names: Mapping[str, str], type_id: str) -> str:
    """One unit type's name from :func:`unit_names` (a type the scenario does not hold: its id as a name)."""
    from sispam_sim.report.organisations import unit_name

    return names.get(type_id) or unit_name(type_id)


# ---------------------------------------------------------------------------------------------- response

def response_charts(results: Mapping[str, Any], incidents: RunIncidents, lang: str) -> dict:
    """All incidents first (against the overall target), then one chart per kind (against its own)."""
    from sispam_sim.report import charts

    by_kind = {kind: responses(values) for kind, values in incidents.by_kind.items()}
    targets = results.get("targets", [])
    by_kind = {None: [v for vs in by_kind.values() for v in vs], **{k: by_kind[k] for k in kinds.order(by_kind)}}
    shown = []
    for kind, values_all in by_kind.items():
        values = [v for v in values_all if v is not None]
        censored = len(values_all) - len(values)
        target = next((r for r in targets if r["metric"] == "response_time" and r.get("kind") == kind
                       and r.get("phase") is None), None)   # a phase's target is not the whole day's
        name = t("all_kinds", lang) if kind is None else kinds.label(kind, lang)
        limit = f" {t('target', lang)}: {t(target['stat'], lang)} ≤ {minutes(target['limit'], lang)}." \
            if target else ""
        desc = t("html_response_desc", lang, kind=name, n=len(values_all), censored=censored) + limit
        svg = charts.cdf_chart([{"label": name, "values": values, "n": len(values_all)}],
                               target["limit"] if target else None, quantile(target["stat"]) if target else None,
                               target.get("ci") if target else None, t("html_minutes_from_call", lang),
                               t("html_share_reached", lang), f"{t('response_time', lang)}: {name}", desc,
                               t("html_censored_curve", lang), lang=lang)
        shown.append({"heading": name, "figure": figure(svg, desc)})
    return {"heading": t("html_response", lang), "note": t("html_response_note", lang), "charts": shown}


# ---------------------------------------------------------------------------------------------- personnel

_COLUMNS = ("committed", "on_scene", "free")


def _personnel_means(path: Path, grid: Sequence[float], days: int) -> dict[str, dict[str, list[float]]]:
    """Per column and unit type, the mean over days of personnel at each grid time (a step function
    sampled at its changes: the last value at or before the time, 0 before the first). timeline.csv
    is read one day at a time, so memory does not grow with the number of days."""
    import numpy as np

    at = np.asarray(grid, dtype=float)
    totals: dict[str, dict[str, Any]] = {c: {} for c in _COLUMNS}

    def add(day_rows: dict[str, list]) -> None:
        for unit, points in day_rows.items():
            points.sort()   # by time, then value: of two points at one time the larger is the later
            times = np.array([p[0] for p in points])
            index = np.searchsorted(times, at, side="right") - 1
            for c, column in enumerate(_COLUMNS):
                values = np.array([p[1 + c] for p in points], dtype=float)
                step = np.where(index >= 0, values[np.maximum(index, 0)], 0.0)
                totals[column][unit] = totals[column].get(unit, 0.0) + step

    day, day_rows = None, defaultdict(list)
    for row in rows(path):
        if row["replication"] != day:
            add(day_rows)
            day, day_rows = row["replication"], defaultdict(list)
        day_rows[row["unit_type"]].append((float(row["time"]), *(int(row[c]) for c in _COLUMNS)))
    add(day_rows)
    return {column: {unit: (total / max(days, 1)).tolist() for unit, total in sorted(by_unit.items())}
            for column, by_unit in totals.items()}


def _last_time(path: Path) -> float:
    return max((float(row["time"]) for row in rows(path)), default=0.0)


def _has_duty_rules(spec) -> bool:
    """Whether units come and go over the day (format 1.1 ``available``, ``on_request``, the
    guards' ``until`` or escort)."""
    return (any(g.available is not None or g.on_request is not None for g in spec.forces.units)
            or spec.guard.until is not None or spec.guard.escort is not None)


def _windows_text(windows, lang: str) -> str:
    """``voting 07:00–13:00 and counting 13:00–19:00`` (Indonesian ``07.00``, ``dan``)."""
    from sispam_sim.report.chartbase import clock_text

    parts = [f"{name} {clock_text(a, lang)}–{clock_text(b, lang)}" for a, b, name in windows]
    if len(parts) < 2:
        return "".join(parts) or "—"
    return f"{', '.join(parts[:-1])} {t('html_and', lang)} {parts[-1]}"


def personnel(timeline: Path, scenario, lang: str, days: int) -> dict:
    """Personnel committed, on scene and free (and on duty, when units come and go) by unit type, means
    over the days, grouped and coloured by organisation, the phases of the day shaded."""
    from sispam_sim.report import charts
    from sispam_sim.report.organisations import unit_organisations

    start = clock_hours(scenario)
    end = scenario.spec.clock.duration if scenario is not None else _last_time(timeline)
    grid = [5.0 * k for k in range(int(end // 5) + 1)]
    means = _personnel_means(timeline, grid, days)
    panels = []
    if scenario is not None and _has_duty_rules(scenario.spec):
        # format 1.1 availability: the strength on duty (committed + free) comes and goes over the day
        on_duty = {u: [c + f for c, f in zip(means["committed"][u], means["free"].get(u, [0.0] * len(grid)))]
                   for u in means["committed"]}
        panels.append((t("html_on_duty", lang), {u: v for u, v in on_duty.items() if any(v)}))
    for column, key in (("committed", "html_committed"), ("on_scene", "html_on_scene"), ("free", "html_free")):
        by_type = means[column]
        if column != "free":
            by_type = {u: v for u, v in by_type.items() if any(v)}
        panels.append((t(key, lang), by_type))
    hours = [start + g / 60 for g in grid]
    windows = []
    if scenario is not None and scenario.spec.clock.phases:   # format 1.1: the scenario's own phases
        clock = scenario.spec.clock
        for name in clock.phases:
            a, b = (start + m / 60 for m in clock.phase_span(name))
            lo, hi = max(a, hours[0]), min(b, hours[-1])
            if lo < hi:
                windows.append((lo, hi, name))
    elif scenario is not None:
        for (a, b), key in ((VOTING, "html_voting"), (COUNTING, "html_counting")):
            lo, hi = max(a, hours[0]), min(b, hours[-1])
            if lo < hi:
                windows.append((lo, hi, t(key, lang)))
    xlabel = t("html_clock_hour", lang) if scenario is not None else t("html_hours_from_start", lang)
    duty = t("html_personnel_duty", lang) if len(panels) == 4 else ""
    desc = t("html_personnel_desc", lang, days=days, duty=duty, shaded=_windows_text(windows, lang))
    svg = charts.personnel_chart(hours, panels, windows, xlabel, t("html_personnel", lang), desc,
                                 lang=lang if scenario is not None else None,
                                 organisations=unit_organisations(scenario.spec) if scenario is not None else None,
                                 names=unit_names(scenario, lang))
    return {"heading": t("html_personnel", lang), "figure": figure(svg, desc, "wide")}


# ---------------------------------------------------------------------------------------------- escalation

def _crowd_panel(row, events, scenario, crew: Mapping[str, int], start: float, end: float, lang: str) -> dict:
    call, resolved = float(row["call"]), _float(row["resolved"])
    stop = resolved if resolved is not None else end
    level, levels, level_from = 1, [], call
    on_scene: dict[str, int] = {}
    cx, cy = [call], [0]
    for e in events:
        time, unit, action = float(e["time"]), e["unit"], e["action"]
        if action == "escalate":
            levels.append((start + level_from / 60, start + time / 60, level))
            level, level_from = level + 1, time
        elif action == "arrive" and unit:
            on_scene[unit] = crew.get(unit, 1)
        elif action in ("release", "preempt") and unit in on_scene:
            del on_scene[unit]
        else:
            continue
        cx.append(time)
        cy.append(sum(on_scene.values()))
    levels.append((start + level_from / 60, start + stop / 60, level))
    cx.append(stop)
    cy.append(cy[-1])
    need_x, need_y = [call, stop], [int(row["need"])] * 2
    entry = int(row["entry"]) if row.get("entry", "") != "" else None
    if scenario is not None and entry is not None:   # the kind draws the need it followed
        spec_entry = scenario.spec.incidents[entry]
        kind = kinds.get(getattr(spec_entry, "kind", None))
        escalations = [float(e["time"]) for e in events if e["action"] == "escalate"]
        curve = kind.need_curve(spec_entry, call, stop, resolved, escalations) if kind is not None else None
        if curve is not None:
            need_x, need_y = curve
    hours = lambda xs: [start + x / 60 for x in xs]   # noqa: E731
    if scenario is not None:
        label = glossary.incident_label(scenario, row.get("label") or None, row["kind"], lang, entry=entry)
        place = glossary.place_name(scenario, row["place"], lang)
    else:
        label, place = row.get("label") or kinds.label(row["kind"], lang), row["place"]
    title = t("html_crowd_panel", lang, day=int(row["replication"]) + 1, label=label, place=place,
              level=t(f"level_{row['max_level']}", lang, default=row["max_level"]))
    return {"title": title, "levels": levels, "need": (hours(need_x), need_y), "crew": (hours(cx), cy)}


def replay_links(chosen: tuple[int, int] | None, lang: str) -> dict | None:
    """The links to the day page: the typical day and (when it is another day) the worst day."""
    if chosen is None:
        return None
    typical, worst = chosen
    links = [{"href": f"{REPLAY}#day-0", "text": t("html_watch_typical", lang, day=typical + 1)}]
    if worst != typical:
        links.append({"href": f"{REPLAY}#day-1", "text": t("html_watch_worst", lang, day=worst + 1)})
    return {"lead": t("html_watch", lang), "links": links}


def escalation(incidents: RunIncidents, events: Path, scenario, lang: str) -> dict:
    """Each crowd's need against the crew on scene on the typical and the worst day (those of
    replay.html), levels shaded; a day without a crowd says so."""
    from sispam_sim.report import charts

    chosen = incidents.chosen_days()
    has_crowds = any(kinds.has_levels(kind) for kind in incidents.by_kind)
    section = {"heading": t("html_escalation", lang), "note": t("html_escalation_note", lang),
               "rule": t("html_days_rule", lang), "none": t("html_no_crowds", lang), "days": [],
               "watch": replay_links(chosen, lang)}
    if chosen is None or not has_crowds:
        return section
    typical, worst = chosen
    crew: dict[str, int] = {}
    if scenario is not None:
        types = scenario.spec.forces.types
        crew = {u.id: types[u.type].crew for u in scenario.units}
    by_incident: dict[tuple[int, str], list] = defaultdict(list)
    wanted = {str(typical), str(worst)}
    end = 0.0
    for e in rows(events):   # one pass: the two days' events, and when the last day ended
        end = max(end, float(e["time"]))
        if e["replication"] in wanted and e["incident"]:
            by_incident[(int(e["replication"]), e["incident"])].append(e)
    start = clock_hours(scenario)
    xlabel = t("html_clock_hour", lang) if scenario else t("html_hours_from_start", lang)
    for day, key in ((typical, "html_typical_day"), (worst, "html_worst_day")):
        heading = t(key, lang, day=day + 1)
        if day == typical and key == "html_worst_day":
            section["days"].append({"heading": heading, "figure": None, "text": t("html_same_day", lang)})
            continue
        panels = [_crowd_panel(r, by_incident[(day, r["id"])], scenario, crew, start, end, lang)
                  for r in incidents.crowds_of(day)]
        if not panels:
            section["days"].append({"heading": heading, "figure": None, "text": t("html_no_crowd_that_day", lang)})
            continue
        desc = t("html_escalation_desc", lang, crowds=len(panels), day=day + 1)
        svg = charts.escalation_chart(panels, xlabel, t("html_personnel_short", lang),
                                      {"need": t("html_need", lang), "crew": t("html_crew_on_scene", lang)},
                                      heading, desc, lang=lang if scenario is not None else None)
        section["days"].append({"heading": heading, "figure": figure(svg, desc), "text": ""})
    return section

