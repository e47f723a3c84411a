"""One incident's story from a saved run: what happened, when, and who was on scene.

Built from the run's ``incidents.csv`` and ``events.csv`` alone, read as streams (a run of
thousands of days keeps only the rows of one incident). When the scenario named in
``results.json`` still loads, times are given on the clock, and units with their type, base and
crew (so the crew on scene is counted in personnel); otherwise times are minutes from the start
and units on scene are counted. Names (the incident's label, places, bases, unit types) are in
``lang`` where the scenario gives them (format 1.1 ``label_id`` / ``name_id``:
:mod:`~sispam_sim.report.glossary`); times and numbers stay as a machine reads them (``HH:MM``,
minutes with a decimal point), for the renderer to write in the reader's language.
"""

from __future__ import annotations

import csv
import difflib
import heapq
import re
from datetime import timedelta
from pathlib import Path
from typing import Any, Iterator, Mapping

__all__ = ["replay", "worst", "REPLAY_INPUTS"]

REPLAY_INPUTS = ("results.json", "incidents.csv", "events.csv")


def _rows(path: Path) -> Iterator[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as fh:
        yield from csv.DictReader(fh)


def _check(folder: Path, allow_outside: bool = False) -> tuple[Path, dict[str, Any], Any, str | None]:
    """The checked folder (:func:`~.runfolder.read_run`), its results, and the run's scenario
    (``None`` and why, when it is not there any more)."""
    from sispam_sim.report.runfolder import read_run
    from sispam_sim.report.html import load_run_scenario

    folder, results = read_run(folder, REPLAY_INPUTS)
    scenario, why = load_run_scenario(results, folder, allow_outside)
    return folder, results, scenario, why


def _names(scenario, lang: str = "en") -> dict[str, str]:
    """Place and district id -> name in ``lang``, as ``run`` shows them (ids without the scenario)."""
    from sispam_sim.report.glossary import place_names

    return {} if scenario is None else place_names(scenario, lang)


def _label(scenario, row: Mapping[str, str], lang: str) -> str:
    """The incident's name in ``lang``: its entry's label (``label_id``), else its kind's name."""
    from sispam_sim.report.glossary import incident_label

    label = _unescape(row.get("label") or "") or None
    entry = int(row["entry"]) if (row.get("entry") or "").isdigit() else None
    return incident_label(scenario, label, row["kind"], lang, entry=entry)


#: Columns of incidents.csv that hold text (every other column is a number, or empty).
_TEXT = frozenset({"id", "kind", "place", "units", "label", "site", "level_minutes"})
_INT = re.compile(r"-?[0-9]+\Z")


def _value(column: str, text: str) -> Any:
    """A cell of incidents.csv as JSON gives it: a number, ``None`` when empty, text otherwise."""
    if text == "":
        return None
    if column in _TEXT:
        return _unescape(text)
    if text in ("true", "false"):
        return text == "true"
    try:
        return int(text) if _INT.match(text) else float(text)
    except ValueError:
        return text


def _unescape(text: str) -> str:
    from sispam_sim.runner.output import from_spreadsheet_safe

    return from_spreadsheet_safe(text)


def _num(text: str) -> float | None:
    return None if text == "" else float(text)


def worst(folder: Path, n: int, allow_outside: bool = False, lang: str = "en") -> list[dict[str, Any]]:
    """The ``n`` incidents with the longest response (never reached first) across the run (names in ``lang``)."""
    folder, _, scenario, _ = _check(folder, allow_outside)
    names = _names(scenario, lang)

    def key(row):
        rt = _num(row["response_time"])
        return (rt is not None, -(rt or 0.0), int(row["replication"]), row["id"])

    picked = heapq.nsmallest(n, _rows(folder / "incidents.csv"), key=key)
    return [{"day": int(r["replication"]) + 1, "id": r["id"], "label": _label(scenario, r, lang),
             "place": names.get(r["place"], r["place"]), "response_time": _num(r["response_time"])}
            for r in picked]


def _days(days: list[int]) -> str:
    return ", ".join(map(str, days[:10])) + (" ..." if len(days) > 10 else "")


def replay(folder: Path, incident: str, day: int | None = None, allow_outside: bool = False,
           lang: str = "en") -> dict[str, Any]:
    """The story of ``incident`` on ``day`` (counted from 1; may be left out when the id is on one
    day only: ids restart each day), its names in ``lang``.

    Raises :class:`ValueError` with a message for an unknown id, a day out of range, or an id on
    several days and no ``day``."""
    folder, results, scenario, why = _check(folder, allow_outside)
    days = int((results.get("manifest") or {}).get("replications") or 0)
    if day is not None and not 1 <= day <= max(days, 1):
        raise ValueError(f"--replication {day} is out of range: the run has days 1 to {days}")
    record, ids, on_days = None, set(), []
    for row in _rows(folder / "incidents.csv"):
        if row["id"] == incident:
            on_days.append(int(row["replication"]) + 1)
            if day is None or row["replication"] == str(day - 1):
                record = record or row
        ids.add(row["id"])
    if day is None and len(on_days) > 1:
        raise ValueError(f"incident {incident!r} is on {len(on_days)} days ({_days(on_days)}): ids restart each "
                         f"day, so give --replication K to choose one (e.g. --replication {on_days[0]})")
    if record is None and on_days:
        raise ValueError(f"incident {incident!r} is not on day {day}; it is on day(s) {_days(on_days)}")
    if record is None:
        close = difflib.get_close_matches(incident, sorted(ids), n=3)
        hint = f" (did you mean {', '.join(close)}?)" if close else ""
        raise ValueError(f"no incident {incident!r} in {folder / 'incidents.csv'}{hint}")
    start = scenario.spec.clock.start if scenario is not None else None
    units: dict[str, Mapping[str, Any]] = {}
    names = _names(scenario, lang)
    place = names.get(record["place"], record["place"])
    if scenario is not None:
        from sispam_sim.report.glossary import unit_type

        from sispam_sim.scenario.sites import GUARD_TYPE, guard_groups

        types = scenario.spec.forces.types
        units = {u.id: {"type": u.type, "type_name": unit_type(scenario, u.type, lang),
                        "base": names.get(u.base, u.base), "crew": types[u.type].crew}
                 for u in scenario.units}
        if scenario.spec.guard.tps:   # a TPS guard group sent to an incident: from its post, with its police
            units.update({group: {"type": GUARD_TYPE, "type_name": unit_type(scenario, GUARD_TYPE, lang),
                                  "base": post.id, "crew": police}
                          for group, police, post in guard_groups(scenario.sites, scenario.spec.guard)})
    call = float(record["call"])
    on_scene: dict[str, int] = {}
    events = []
    for event in _rows(folder / "events.csv"):
        if event["replication"] != record["replication"] or event["incident"] != incident:
            continue
        time, unit, action = float(event["time"]), event["unit"], event["action"]
        if action == "arrive":
            on_scene[unit] = int(units.get(unit, {}).get("crew", 1))
        elif action in ("release", "preempt"):
            on_scene.pop(unit, None)
        info = units.get(unit, {})
        events.append({
            "time": time, "minute": time, "since_call": round(time - call, 3),
            "clock": None if start is None else (start + timedelta(minutes=time)).strftime("%H:%M"),
            "action": action, "unit": unit or None, "type": info.get("type"), "type_name": info.get("type_name"),
            "base": info.get("base"), "on_scene": sum(on_scene.values()),
        })
    for k, event in enumerate(events):   # each dispatch: when that unit arrives here (None: it never does)
        if event["action"] == "dispatch":
            arrival = next((e for e in events[k + 1:] if e["unit"] == event["unit"]
                            and e["action"] in ("arrive", "release", "preempt")), None)
            event["arrives"] = arrival["clock"] or arrival["time"] if arrival and arrival["action"] == "arrive" else None
    wait = _origins_and_wait(folder, scenario, record, events, lang) if scenario is not None else None
    return {"day": int(record["replication"]) + 1, "incident": {k: _value(k, v) for k, v in record.items()},
            "label": _label(scenario, record, lang), "place": place, "events": events,
            "crew_counted": "personnel" if units else "units", "scenario_note": why, **(wait or {})}


def _origins_and_wait(folder: Path, scenario, record: Mapping[str, str], events: list[dict[str, Any]],
                      lang: str) -> dict[str, Any]:
    """The incident's day played through the engine's movement rules (:mod:`.movements`): each dispatch
    event gets where the unit came from (``from``: base, redirected from another incident, or preempted;
    ``from_text`` in words) and its ``mobilise`` and ``travel`` minutes; ``wait`` is why the incident
    waited at its call (:mod:`.waits`; None: it did not) and ``why`` the same in sentences."""
    from sispam_sim.report.movements import day_end, day_moves
    from sispam_sim.report.waits import Words, origin_text, wait_lines, why_waited

    replication = record["replication"]
    rows = {r["id"]: {k: _unescape(v) if k in _TEXT else v for k, v in r.items()}
            for r in _rows(folder / "incidents.csv") if r["replication"] == replication}
    day = [(float(e["time"]), e["unit"], e["incident"], e["action"]) for e in _rows(folder / "events.csv")
           if e["replication"] == replication]
    moves = day_moves(scenario, int(replication), rows, day,
                      day_end(scenario, rows.values(), max((e[0] for e in day), default=0.0)),
                      status_at=[record["id"]])
    words = Words(scenario, rows, lang)
    legs = iter([d for d in moves.dispatches if d.incident == record["id"]])
    for event in events:
        if event["action"] == "dispatch":
            leg = next(legs, None)
            if leg is None or leg.unit != event["unit"]:
                continue
            left = words.incident(leg.left) if leg.left else None
            event["from"] = {"how": leg.how, "incident": leg.left, "label": left[1] if left else None,
                             "place": left[2] if left else None, "released": leg.released}
            event["from_text"] = origin_text(leg, words)
            event["mobilise"], event["travel"] = round(leg.mobilise, 3), round(leg.travel, 3)
    wait = why_waited(scenario, moves, rows[record["id"]])
    return {"wait": wait.as_dict() if wait else None, "why": wait_lines(wait, words) if wait else []}
