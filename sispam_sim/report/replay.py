"""One incident's story from a saved run: what happened, when, and who was on scene.

Built from the run's ``incidents.csv`` and ``events.csv`` alone, read as streams (a run of
thousands of days keeps only the rows of one incident). When the scenario named in
``results.json`` still loads, times are given on the clock, and units with their type, base and
crew (so the crew on scene is counted in personnel); otherwise times are minutes from the start
and units on scene are counted.
"""

from __future__ import annotations

import csv
import difflib
import heapq
import json
from datetime import timedelta
from pathlib import Path
from typing import Any, Iterator, Mapping

__all__ = ["replay", "worst", "REPLAY_INPUTS"]

REPLAY_INPUTS = ("results.json", "incidents.csv", "events.csv")


def _rows(path: Path) -> Iterator[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as fh:
        yield from csv.DictReader(fh)


def _check(folder: Path) -> None:
    from sispam_sim.report.export import require_run_files

    require_run_files(folder, REPLAY_INPUTS)


def _num(text: str) -> float | None:
    return None if text == "" else float(text)


def worst(folder: Path, n: int) -> list[dict[str, Any]]:
    """The ``n`` incidents with the longest response (never reached first) across the run."""
    _check(folder)

    def key(row):
        rt = _num(row["response_time"])
        return (rt is not None, -(rt or 0.0), int(row["replication"]), row["id"])

    picked = heapq.nsmallest(n, _rows(folder / "incidents.csv"), key=key)
    return [{"day": int(r["replication"]) + 1, "id": r["id"], "label": r["label"], "place": r["place"],
             "response_time": _num(r["response_time"])} for r in picked]


def replay(folder: Path, incident: str, day: int | None = None) -> dict[str, Any]:
    """The story of ``incident`` on ``day`` (counted from 1; default: the first day that has it).

    Raises :class:`ValueError` with a message for an unknown id or a day out of range."""
    from sispam_sim.report.html import load_run_scenario

    _check(folder)
    results = json.loads((folder / "results.json").read_text(encoding="utf-8"))
    days = int((results.get("manifest") or {}).get("replications") or 0)
    if day is not None and not 1 <= day <= max(days, 1):
        raise ValueError(f"--replication {day} is out of range: the run has days 1 to {days}")
    record, ids, on_days = None, set(), []
    for row in _rows(folder / "incidents.csv"):
        if row["id"] == incident:
            if day is None or row["replication"] == str(day - 1):
                record = row
                break
            on_days.append(int(row["replication"]) + 1)
        ids.add(row["id"])
    if record is None and on_days:
        shown = ", ".join(map(str, on_days[:10])) + (" ..." if len(on_days) > 10 else "")
        raise ValueError(f"incident {incident!r} is not on day {day}; it is on day(s) {shown}")
    if record is None:
        close = difflib.get_close_matches(incident, sorted(ids), n=3)
        hint = f" (did you mean {', '.join(close)}?)" if close else ""
        raise ValueError(f"no incident {incident!r} in {folder / 'incidents.csv'}{hint}")
    scenario, why = load_run_scenario(results, folder)
    start = scenario.spec.clock.start if scenario is not None else None
    units: dict[str, Mapping[str, Any]] = {}
    place = record["place"]
    if scenario is not None:
        names = {pid: p.name or pid for pid, p in scenario.spec.map.places.items()}
        names.update({did: d.name or did for did, d in scenario.spec.map.districts.items()})
        place = names.get(place, place)
        types = scenario.spec.forces.types
        units = {u.id: {"type": u.type, "base": names.get(u.base, u.base), "crew": types[u.type].crew}
                 for u in scenario.units}
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
            "time": event["time"], "minute": time, "since_call": round(time - call, 3),
            "clock": None if start is None else (start + timedelta(minutes=time)).strftime("%H:%M"),
            "action": action, "unit": unit, "type": info.get("type"), "base": info.get("base"),
            "on_scene": sum(on_scene.values()),
        })
    for k, event in enumerate(events):   # each dispatch: when that unit arrives here (None: it never does)
        if event["action"] == "dispatch":
            arrival = next((e for e in events[k + 1:] if e["unit"] == event["unit"]
                            and e["action"] in ("arrive", "release", "preempt")), None)
            event["arrives"] = arrival["clock"] or arrival["time"] if arrival and arrival["action"] == "arrive" else None
    return {"day": int(record["replication"]) + 1, "incident": dict(record), "place": place, "events": events,
            "crew_counted": "personnel" if units else "units", "scenario_note": why}
