"""``replay.html``: the typical day and the worst day of a run, to watch in a briefing room.

For each day, a map (units at their bases and on the move, incidents filled by their state and ringed
by the crowd's level) with play, pause, a speed of 1 to 60 minutes per second and a clock, and beside
it a Gantt chart of every unit over the day (at base, mobilising, travelling, redirected, on scene,
returning, off duty), then who waited and why (:mod:`.waits`). The days are chosen by the one rule of
:mod:`sispam_sim.stats.days` (the drill's), from ``incidents.csv``; the movements are the day's events
played through the engine's rules (:mod:`.movements`).

Built from the run's files alone (``results.json``, ``incidents.csv``, ``events.csv``) and the
scenario ``results.json`` names, so ``sispam-sim report DIR`` rebuilds the same bytes. One file, no
network: the page is rendered by a Jinja2 template with autoescape (``templates/day.html.j2``), its
drawing is inline SVG and its script a few lines that only move what the SVG already holds; the day's
numbers travel as JSON inside the page (``tojson``: no markup can close the script). Every text from
the scenario (names, labels, ids) is escaped by the template engine.

    from sispam_sim.report.dayview import dayview_from_dir
    html = dayview_from_dir("out")              # typical and worst day
    html = dayview_from_dir("out", days=[74])   # day 75 as people count it
"""

from __future__ import annotations

import csv
import json
import math
from collections import defaultdict
from pathlib import Path
from typing import Any, Iterator, Mapping, Sequence

from sispam_sim.report import glossary, numbers
from sispam_sim.report.i18n import t
from sispam_sim.report.movements import STATES, day_end, day_moves
from sispam_sim.report.waits import Waits, Words, wait_lines
from sispam_sim.scenario import kinds
from sispam_sim.stats.days import DayTally, chosen_days

__all__ = ["DAYVIEW_INPUTS", "build_dayview", "dayview_from_dir", "day_view", "INCIDENT_STATES"]

#: The files the page is built from, in the run's output folder.
DAYVIEW_INPUTS = ("results.json", "incidents.csv", "events.csv")
#: An incident's state on the map, in the order of its colour codes.
INCIDENT_STATES = ("waiting", "en_route", "on_scene", "full", "resolved")
#: Pixels of the map's longer side and of the Gantt chart's time axis; a Gantt row's height.
MAP_SIZE, GANTT_WIDTH, ROW = 640, 640, 9
#: Width of the Gantt's unit labels; rows at most (above it, units that never left base are counted, not drawn).
LABEL_WIDTH, MAX_ROWS = 118, 240
#: Waits explained in words per day (the longest first); the others are counted.
MAX_WAITS = 12
#: Calls drawn on a day's map at most (the first of the day): the page stays small on a province.
MAX_MAP_INCIDENTS = 1500
#: Speeds offered, in simulated minutes per second (the first is the default).
SPEEDS = (10, 1, 5, 30, 60)


def _rows(path: Path) -> Iterator[dict[str, str]]:
    """The rows of a CSV output, text as the scenario wrote it (a spreadsheet-safe cell loses its quote)."""
    from sispam_sim.runner.output import from_spreadsheet_safe

    with open(path, encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            yield {k: from_spreadsheet_safe(v) if v[:1] == "'" else v for k, v in row.items()}


def _time(text: str) -> float | None:
    return None if text in ("", None) else float(text)


# ---------------------------------------------------------------------------------------------- the page

def build_dayview(files: Mapping[str, Path], lang: str = "en", scenario=None, folder: Path | None = None,
                  results: Mapping[str, Any] | None = None, allow_outside: bool = False,
                  days: Sequence[int] | None = None) -> str:
    """``replay.html`` from a run's files (``files``: name in :data:`DAYVIEW_INPUTS` -> path).

    ``days``: replication indices to show (default: the typical day and the worst day). ``scenario``
    is the run's loaded scenario when the caller has it; otherwise the file ``results.json`` names is
    loaded (relative to ``folder``); without it the page says why it cannot replay the day."""
    from sispam_sim.report.html import load_run_scenario

    if results is None:
        results = json.loads(Path(files["results.json"]).read_text(encoding="utf-8"))
    name = str((results.get("scenario") or {}).get("name", ""))
    note = None
    if scenario is None:
        scenario, note = load_run_scenario(results, folder, allow_outside)
    count = int((results.get("manifest") or {}).get("replications") or 0)
    if scenario is None:
        return _render(lang, name, [], t("day_no_scenario", lang, why=note))
    name = glossary.scenario_text(scenario.spec, "name", lang) or name   # format 1.1 name_id with --lang id
    incidents, events = Path(files["incidents.csv"]), Path(files["events.csv"])
    if days is None:
        chosen = _typical_and_worst(incidents, count, lang)
    else:
        chosen = [(d, t("day_chosen", lang, day=d + 1), "") for d in days]
    wanted = {str(d) for d, _, _ in chosen}
    rows: dict[str, dict[str, dict[str, str]]] = {d: {} for d in wanted}
    for row in _rows(incidents):
        if row["replication"] in wanted:
            rows[row["replication"]][row["id"]] = row
    day_events: dict[str, list[tuple]] = {d: [] for d in wanted}
    for e in _rows(events):
        if e["replication"] in wanted:
            day_events[e["replication"]].append((float(e["time"]), e["unit"], e["incident"], e["action"]))
    views = []
    for k, (day, heading, why) in enumerate(chosen):
        if heading is None:   # the worst day is the typical day
            views.append({"same": t("html_same_day", lang)})
            continue
        views.append(day_view(scenario, day, rows[str(day)], day_events[str(day)], lang, k, heading, why))
    return _render(lang, name, views, None)


def dayview_from_dir(folder: str | Path, lang: str = "en", allow_outside: bool = False,
                     days: Sequence[int] | None = None) -> str:
    """``replay.html`` rebuilt from a run's output folder, after checking it (:func:`~.runfolder.read_run`).
    ``days``: replication indices (from 0) to show instead of the typical and worst day; one out of
    range is a :class:`ValueError` that says the range."""
    from sispam_sim.report.runfolder import read_run

    folder, results = read_run(folder, DAYVIEW_INPUTS)
    count = int((results.get("manifest") or {}).get("replications") or 0)
    for d in days or ():
        if not 0 <= d < max(count, 1):
            raise ValueError(f"--replication {d + 1} is out of range: the run has days 1 to {count}")
    return build_dayview({name: folder / name for name in DAYVIEW_INPUTS}, lang=lang, folder=folder,
                         results=results, allow_outside=allow_outside, days=days)


def _typical_and_worst(incidents: Path, count: int, lang: str) -> list[tuple[int, str | None, str]]:
    """[(day, heading, why)] of the typical and the worst day (heading None: the worst is the typical)."""
    tally = DayTally(count)
    for row in _rows(incidents):
        tally.add(int(row["replication"]), _time(row["response_time"]), _time(row["resolution_time"]))
    stats = tally.statistics()
    if not stats:
        return []
    typical, worst = chosen_days(stats)

    def minutes(value: float) -> str:
        return "∞" if math.isinf(value) else numbers.decimal(value, 1, lang)

    mean, p90, _ = stats[typical]
    out = [(typical, t("html_typical_day", lang, day=typical + 1),
            t("drill_typical", lang, days=count, mean=minutes(mean), p90=minutes(p90)))]
    if worst == typical:
        out.append((worst, None, ""))
    else:
        out.append((worst, t("html_worst_day", lang, day=worst + 1),
                    t("drill_worst", lang, days=count, p90=minutes(stats[worst][1]))))
    return out


def _render(lang: str, name: str, views: list[dict], note: str | None) -> str:
    import jinja2

    env = jinja2.Environment(loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"), autoescape=True,
                             undefined=jinja2.StrictUndefined, keep_trailing_newline=True)
    labels = {key: t(key, lang) for key in (
        "day_page_title", "day_intro", "day_play", "day_pause", "day_speed", "day_clock", "day_seek", "day_map",
        "day_map_desc", "day_gantt", "day_gantt_desc", "day_units", "day_incidents", "day_level", "day_waits",
        "day_no_waits", "day_note", "html_footer")}
    labels["states"] = [(s, t(f"day_state_{s}", lang)) for s in STATES]
    labels["incident_states"] = [(s, t(f"day_inc_{s}", lang)) for s in INCIDENT_STATES]
    labels["levels"] = [(n, glossary.level(n, lang)) for n in (1, 2, 3)]
    labels["speeds"] = [(n, t("day_speed_value", lang, n=n)) for n in SPEEDS]
    return env.get_template("day.html.j2").render(lang=lang, name=name, views=views, note=note, t=labels)


# ---------------------------------------------------------------------------------------------- one day

class _Projection:
    """Latitude and longitude -> SVG pixels: longitude scaled by cos(latitude), north up, with a margin."""

    def __init__(self, points: Sequence[tuple[float, float]]):
        lats, lons = [p[0] for p in points] or [0.0], [p[1] for p in points] or [0.0]
        self.k = math.cos(math.radians((min(lats) + max(lats)) / 2))
        self.lat1, self.lon0 = max(lats), min(lons)
        span = max((max(lons) - self.lon0) * self.k, max(lats) - min(lats), 1e-6)
        self.scale = (MAP_SIZE - 40) / span
        self.width = round((max(lons) - self.lon0) * self.k * self.scale + 40, 1)
        self.height = round((self.lat1 - min(lats)) * self.scale + 40, 1)

    def __call__(self, lat: float, lon: float) -> tuple[float, float]:
        return (round(20 + (lon - self.lon0) * self.k * self.scale, 1), round(20 + (self.lat1 - lat) * self.scale, 1))


def _incident_states(events: Sequence[tuple]) -> list[list[float]]:
    """[time, code] changes of an incident's state (:data:`INCIDENT_STATES`) from its own events."""
    en_route, on_scene, full, out = set(), set(), False, []

    def state() -> int:
        if full:
            return 3
        return 2 if on_scene else (1 if en_route else 0)

    for time, unit, _, action in events:
        if action == "dispatch":
            en_route.add(unit)
        elif action == "arrive":
            en_route.discard(unit)
            on_scene.add(unit)
        elif action in ("release", "preempt"):
            en_route.discard(unit)
            on_scene.discard(unit)
        elif action == "full_strength":
            full = True
        elif action == "short":
            full = False
        if action == "resolve":
            code = 4
        elif action in ("call", "dispatch", "arrive", "release", "preempt", "full_strength", "short"):
            code = state()
        else:
            continue
        if not out or out[-1][1] != code:
            out.append([round(time, 3), code])
    return out


def _ticks(scenario, end: float, lang: str) -> list[dict[str, Any]]:
    """Clock-hour ticks every two hours (every four on a day longer than 24 h) across [0, end]."""
    start = scenario.spec.clock.start
    offset = start.hour * 60 + start.minute
    step = 240 if end > 24 * 60 else 120
    first = (-offset) % step
    return [{"x": round(LABEL_WIDTH + m / end * GANTT_WIDTH, 1), "label": numbers.clock_at(start, m, lang)}
            for m in range(int(first), int(end) + 1, step)]


def day_view(scenario, day: int, rows: Mapping[str, Mapping[str, str]], events: Sequence[tuple], lang: str,
             index: int, heading: str, why: str) -> dict[str, Any]:
    """What the template draws for one day (``index``: its place on the page, for element ids)."""
    end = day_end(scenario, rows.values(), max((e[0] for e in events), default=0.0))
    moves = day_moves(scenario, day, rows, events, end)
    rules = Waits(scenario)
    sent: dict[str, list] = defaultdict(list)
    for d in moves.dispatches:
        sent[d.incident].append(d)
    spans = []
    for row in rows.values():
        span = rules.span(row, sent[row["id"]])
        if span is not None:
            covered = span[3] if span[3] is not None else end
            spans.append((covered - float(row["call"]), row["id"]))
    spans.sort(key=lambda w: (-w[0], w[1]))
    shown = [incident for _, incident in spans[:MAX_WAITS]]
    if shown:   # again, with every unit's status at those calls
        moves = day_moves(scenario, day, rows, events, end, status_at=shown)
    words = Words(scenario, rows, lang)
    table = rules.table
    type_of = {uid: rules.type_names[table.type_list[r]] for r, uid in enumerate(table.ids)}
    project = _Projection([(s.lat0, s.lon0) for uid in moves.units for s in moves.segments[uid][:1]]
                          + [(float(r["lat"]), float(r["lon"])) for r in rows.values()])
    drawn, idle = _gantt_units(scenario, moves, type_of)
    calls = sorted(rows.values(), key=lambda r: (float(r["call"]), r["id"]))
    hidden_calls = max(len(calls) - MAX_MAP_INCIDENTS, 0)
    explained = []
    for incident in shown:
        wait = rules.explain(moves, rows[incident], sent[incident])
        ident, label, place = words.incident(incident)
        explained.append({"title": f"{words.clock(wait.call)} {label} · {place} ({ident})",
                          "lines": wait_lines(wait, words)})
    bars, tracks = _gantt_rows(moves, drawn, type_of, project, words, lang, end)
    incidents, states = _map_incidents(calls[:MAX_MAP_INCIDENTS], events, moves, project, words)
    spec = scenario.spec
    start = spec.clock.start
    return {
        "index": index, "heading": heading, "why": why,
        "map": {"width": project.width, "height": project.height,
                "districts": [{"x": project(d.lat, d.lon)[0], "y": project(d.lat, d.lon)[1],
                               "r": round(d.radius_km / 111.2 * project.scale, 1), "name": words.places.get(did, did)}
                              for did, d in spec.map.districts.items()],
                "bases": _bases(scenario, moves, drawn, project, words), "incidents": incidents,
                "units": [{"id": uid, "title": words.unit(uid, type_of.get(uid, ""))} for uid in drawn]},
        "gantt": {"width": LABEL_WIDTH + GANTT_WIDTH + 24, "height": 30 + len(drawn) * ROW, "rows": bars,
                  "ticks": _ticks(scenario, end, lang), "left": LABEL_WIDTH, "span": GANTT_WIDTH},
        "idle": " ".join(x for x in (t("day_idle", lang, n=idle) if idle else "",
                                     t("day_calls_hidden", lang, n=hidden_calls, shown=MAX_MAP_INCIDENTS)
                                     if hidden_calls else "") if x),
        "waits": explained,
        "more_waits": t("day_waits_more", lang, n=len(spans) - len(shown), day=day + 1) if len(spans) > len(shown) else "",
        "data": {"end": round(end, 3), "start": start.hour * 60 + start.minute, "sep": numbers.CLOCK_SEPARATOR[lang],
                 "units": tracks, "incidents": states, "states": list(STATES), "left": LABEL_WIDTH,
                 "span": GANTT_WIDTH, "width": LABEL_WIDTH + GANTT_WIDTH + 24},
    }


def _gantt_units(scenario, moves, type_of: Mapping[str, str]) -> tuple[list[str], int]:
    """The units drawn, by unit type (the scenario's order) then as declared, and how many are left out:
    above :data:`MAX_ROWS` units, those that never left base are counted instead of drawn, then the least busy."""
    order = {name: k for k, name in enumerate(scenario.spec.forces.types)}
    position = {uid: k for k, uid in enumerate(moves.units)}
    units = sorted(moves.units, key=lambda uid: (order.get(type_of.get(uid), len(order)), position[uid]))
    if len(units) <= MAX_ROWS:
        return units, 0

    def busy(uid: str) -> float:
        return sum(s.end - s.start for s in moves.segments[uid] if s.state not in ("at_base", "off_duty"))

    keep = set(sorted((uid for uid in units if busy(uid) > 0), key=lambda uid: (-busy(uid), position[uid]))[:MAX_ROWS])
    return [uid for uid in units if uid in keep], len(units) - len(keep)


def _gantt_rows(moves, drawn, type_of, project, words, lang: str, end: float):
    """Per unit drawn: its Gantt row (bars but at base, with their words) and its track for the map's script
    ([start, end, x0, y0, x1, y1, state code] per segment)."""
    scale = GANTT_WIDTH / end if end > 0 else 0.0
    rows, tracks = [], []
    for k, uid in enumerate(drawn):
        bars, track = [], []
        for s in moves.segments[uid]:
            code = STATES.index(s.state)
            track.append([round(s.start, 3), round(s.end, 3), *project(s.lat0, s.lon0), *project(s.lat1, s.lon1), code])
            if s.state == "at_base":
                continue
            incident, label, place = words.incident(s.incident) if s.incident else ("", "", "")
            bars.append({"x": round(LABEL_WIDTH + s.start * scale, 2), "w": round(max((s.end - s.start) * scale, 0.6), 2),
                         "code": code,
                         "title": f"{uid}: {t(f'day_state_{s.state}', lang)} {words.clock(s.start)}–{words.clock(s.end)}"
                                  + (f" · {incident} {label} · {place}" if incident else "")})
        rows.append({"id": uid, "y": 22 + k * ROW, "label": uid if len(uid) <= 17 else uid[:16] + "…",
                     "title": words.unit(uid, type_of.get(uid, "")), "bars": bars})
        tracks.append(track)
    return rows, tracks


def _map_incidents(calls, events, moves, project, words):
    """The incidents drawn on the map (where, what its tooltip says) and, for the script, each one's state
    changes and escalation times."""
    by_incident: dict[str, list[tuple]] = defaultdict(list)
    for e in events:
        if e[2]:
            by_incident[e[2]].append(e)
    drawn, states = [], []
    taken: dict[tuple, int] = {}
    for row in calls:
        x, y = project(float(row["lat"]), float(row["lon"]))
        k = taken[(x, y)] = taken.get((x, y), -1) + 1
        if k:   # calls at one place (a protest and a hostage call at the KPU): side by side, on a small ring
            angle = math.radians(60 * (k - 1))
            x, y = round(x + 14 * math.cos(angle), 1), round(y - 14 * math.sin(angle), 1)
        incident, label, place = words.incident(row["id"])
        drawn.append({"x": x, "y": y, "level": kinds.has_levels(row.get("kind")),
                      "title": f"{words.clock(float(row['call']))} {label} · {place} ({incident})"})
        states.append({"s": _incident_states(by_incident[row["id"]]),
                       "l": [round(v, 3) for v in moves.levels.get(row["id"], [])]})
    return drawn, states


def _bases(scenario, moves, drawn, project, words) -> list[dict[str, Any]]:
    """One square per point where units of the drawn set are based, naming the place and its units."""
    base_of = {u.id: u.base for u in scenario.units}
    bases: dict[tuple, dict[str, Any]] = {}
    for uid in drawn:
        first = moves.segments[uid][0]
        x, y = project(first.lat0, first.lon0)
        place = base_of.get(uid)
        entry = bases.setdefault((x, y), {"x": round(x - 3.5, 1), "y": round(y - 3.5, 1),
                                          "name": words.places.get(place, place) if place else uid, "units": []})
        entry["units"].append(uid)
    return [{**b, "units": ", ".join(b["units"])} for b in bases.values()]
