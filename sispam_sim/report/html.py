"""``report.html`` and ``comparison.html``: one self-contained briefing file each.

Built from a saved run's files alone (``results.json``, ``incidents.csv``, ``timeline.csv``,
``events.csv``) plus the scenario file that ``results.json`` names, for the map and the clock;
so ``sispam-sim report DIR`` rebuilds the same bytes from the folder. Without the scenario file
the map is drawn from the incidents' coordinates and the report says so. Nothing is fetched
when the file is viewed: styles are inline, charts are inline SVG (:mod:`.charts`), there are no
scripts, fonts or images from elsewhere. Every text that comes from a user (names, labels,
descriptions, ids) is HTML-escaped.
"""

from __future__ import annotations

import csv
import json
import math
import os
import shlex
from array import array
from collections import defaultdict
from html import escape
from pathlib import Path
from typing import Any, Mapping, Sequence

from sispam_sim.report.i18n import t
from sispam_sim.scenario import kinds

__all__ = ["build_report", "report_from_dir", "build_comparison", "REPORT_INPUTS", "VOTING", "COUNTING"]

#: The files a report is built from, in the run's output folder.
REPORT_INPUTS = ("results.json", "incidents.csv", "timeline.csv", "events.csv")
#: The windows marked on the personnel chart, as clock hours of the scenario's day.
VOTING = (7.0, 13.0)
COUNTING = (13.0, 19.0)

_CSS = """
:root{--ink:#1d2733;--muted:#52606d;--line:#d5dbe1;--fail:#b3261e;--pass:#1e7b34;--warn:#8a5a00;--close:#7b2d8e}
*{box-sizing:border-box}
body{margin:0 auto;max-width:1100px;padding:1.2rem 1.5rem;font:16px/1.45 system-ui,-apple-system,"Segoe UI",
Roboto,"Noto Sans",sans-serif;color:var(--ink);background:#fff}
h1{font-size:1.7rem;margin:.2rem 0 .4rem}h2{font-size:1.3rem;margin:2rem 0 .5rem;border-bottom:2px solid var(--line);
padding-bottom:.2rem}h3{font-size:1.05rem;margin:1.2rem 0 .3rem}
p.note,.note{color:var(--muted);font-size:.9rem}
p.warning{color:var(--warn);border-left:4px solid var(--warn);padding:.2rem .6rem;margin:.4rem 0}
table{border-collapse:collapse;width:100%;margin:.4rem 0;font-size:.95rem}
th,td{border-bottom:1px solid var(--line);padding:.3rem .5rem;text-align:left;vertical-align:top;
overflow-wrap:anywhere}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.verdict-fail{color:#fff;background:var(--fail);font-weight:700;padding:.05rem .4rem;border-radius:3px}
.verdict-pass{color:#fff;background:var(--pass);font-weight:700;padding:.05rem .4rem;border-radius:3px}
.verdict-untested,.verdict-other{color:#fff;background:var(--warn);font-weight:700;padding:.05rem .4rem;
border-radius:3px}
.verdict-too_close{color:#fff;background:var(--close);font-weight:700;padding:.05rem .4rem;border-radius:3px}
figure{margin:.6rem 0 1rem}figure svg{width:100%;max-width:860px;height:auto;display:block}
figcaption{color:var(--muted);font-size:.9rem}
.scroll{overflow-x:auto}
dl.manifest{display:grid;grid-template-columns:max-content 1fr;gap:.1rem 1rem;font-size:.9rem;margin:.4rem 0}
dl.manifest dt{color:var(--muted)}dl.manifest dd{margin:0;overflow-wrap:anywhere}
.summary{font-size:1.1rem;font-weight:600}
@media (min-width:1600px){body{max-width:1400px;font-size:18px}}
@media print{@page{size:A4;margin:14mm}body{max-width:none;padding:0;font-size:10.5pt}
h2{break-after:avoid}figure,table,tr{break-inside:avoid}section{break-inside:auto}
.verdict-fail,.verdict-pass,.verdict-untested,.verdict-too_close{-webkit-print-color-adjust:exact;print-color-adjust:exact}}
"""


# ---------------------------------------------------------------------------------------------- inputs

def _float(text: str) -> float | None:
    return float(text) if text not in ("", None) else None


def _rows(path: Path):
    """The rows of a CSV output, one at a time: a run of 10,000 days is read in constant memory.
    Text comes back as it was written in the scenario (a cell made spreadsheet-safe loses its quote)."""
    from sispam_sim.runner.output import from_spreadsheet_safe

    with open(path, encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            for key, value in row.items():
                if value[:1] == "'":
                    row[key] = from_spreadsheet_safe(value)
            yield row


#: Incidents the map draws at most: those of the first days, until this many (a map of every
#: incident of thousands of days is a solid smear, and its SVG would weigh megabytes).
MAP_POINTS = 3000
_NAN = float("nan")


class _Incidents:
    """What the report needs of incidents.csv, read once in a stream and kept compactly: response
    times per kind and per district (``nan`` for never reached), per-TPS aggregates, the crowd
    incidents, and the map's incidents of the first days."""

    def __init__(self, path: Path, sites: Mapping[str, str]):
        self.by_kind: dict[str, array] = {}
        self.by_district: dict[str, array] = {}
        self.tps: dict[str, list] = {}            # site -> [incidents, never reached, sum of responses, slowest]
        self.path = path
        self.crowd_days: dict[int, list] = {}      # day -> [highest level, minutes short summed]
        self.points: list[dict] = []
        self.total = 0
        self.map_days = 0
        last_day, map_full = None, False
        for row in _rows(path):
            self.total += 1
            response = _float(row["response_time"])
            value = _NAN if response is None else response
            self.by_kind.setdefault(row["kind"], array("d")).append(value)
            self.by_district.setdefault(_district_of(row, sites), array("d")).append(value)
            site = row.get("site")
            if site:
                agg = self.tps.setdefault(site, [0, 0, 0.0, -math.inf])
                agg[0] += 1
                if response is None:
                    agg[1] += 1
                else:
                    agg[2] += response
                    agg[3] = max(agg[3], response)
            if kinds.has_levels(row["kind"]):
                day = self.crowd_days.setdefault(int(row["replication"]), [0, 0.0])
                day[0] = max(day[0], int(row["max_level"]))
                day[1] += float(row["short_minutes"] or 0)
            if row["replication"] != last_day:   # the map takes whole days, while they fit
                last_day = row["replication"]
                map_full = map_full or len(self.points) >= MAP_POINTS
                if not map_full:
                    self.map_days += 1
            if not map_full:
                self.points.append({"lat": float(row["lat"]), "lon": float(row["lon"]), "response": response})


    def crowds_of(self, day: int) -> list[dict[str, str]]:
        """The crowd incidents of one day (a second pass over the file: only those rows are kept)."""
        wanted = str(day)
        return [row for row in _rows(self.path) if row["replication"] == wanted and kinds.has_levels(row["kind"])]


def _responses(values: array) -> list[float | None]:
    return [None if v != v else v for v in values]


def _overrides(command: str | None) -> tuple[str, ...]:
    """The ``--set`` overrides of the command that made the run (so the map is the run's map)."""
    try:
        words = shlex.split(command or "")
    except ValueError:
        return ()
    out = []
    for i, word in enumerate(words):
        if word == "--set" and i + 1 < len(words):
            out.append(words[i + 1])
        elif word.startswith("--set="):
            out.append(word[len("--set="):])
    return tuple(out)


def _scenario_path(name: str, folder: Path, allow_outside: bool, legacy: bool) -> Path | None:
    """Where the scenario ``name`` of ``folder``'s results.json is (``None``: not there any more).

    ``name`` is relative to the folder (an older results.json: to where ``run`` started, so the
    current folder is tried too). Unless ``allow_outside``, it must be relative and lie in the
    folder's parent tree or the current folder's, symlinks resolved (as the loader keeps a scenario's
    files to its folder's tree and the current folder's): a crafted results.json cannot make
    ``report`` read ``/etc/passwd``. :class:`ScenarioError` (exit 2) at ``scenario.file`` when it is refused, or is
    not a regular file of at most the loader's size.
    """
    from sispam_sim.errors import Problem, ScenarioError
    from sispam_sim.scenario.limits import MAX_BYTES

    def refuse(message: str) -> ScenarioError:
        return ScenarioError([Problem(str(folder / "results.json"), None, None, "scenario.file", message)])

    roots = (folder.resolve().parent, Path.cwd().resolve())
    if Path(name).is_absolute() and not allow_outside:
        raise refuse(f"{name} is an absolute path; a run's results.json names its scenario relative to the "
                     "folder. Pass --allow-outside to read it anyway")
    candidates = [folder / name, folder / Path(name).name] + ([Path(name)] if legacy else [])
    for path in candidates:
        if not path.exists():   # a dangling link too: the scenario was moved
            continue
        real = Path(os.path.realpath(path))
        if not allow_outside and not any(real.is_relative_to(root) for root in roots):
            raise refuse(f"{name} resolves to {real}, outside {roots[0]} (the folder that holds {folder.name}) "
                         "and outside the current folder: pass --allow-outside to read it anyway")
        if not real.is_file():
            raise refuse(f"{name} is not a regular file (a directory, device, pipe or socket), expected the "
                         "run's scenario")
        if real.stat().st_size > MAX_BYTES:
            raise refuse(f"{name} is larger than {MAX_BYTES // 2**20} MiB: not a scenario")
        return path
    return None


def load_run_scenario(results: Mapping[str, Any], folder: Path | None = None, allow_outside: bool = False):
    """The scenario named in ``results.json`` (the same seed and ``--set`` overrides), or
    ``(None, why)`` when it is not there or has changed since the run.

    Found relative to ``folder`` (:func:`_scenario_path`, which refuses a path outside the folder's
    parent tree unless ``allow_outside``); without ``folder``, relative to the current folder.
    """
    from sispam_sim.errors import ScenarioError
    from sispam_sim.scenario.loader import load_scenario

    info = results.get("scenario", {})
    name = info.get("file")
    if not name or not isinstance(name, str):
        return None, "no scenario file named in results.json"
    if folder is None:
        path = Path(name) if Path(name).is_file() else None
    else:
        path = _scenario_path(name, Path(folder), allow_outside, legacy="files" not in results)
    if path is None:
        return None, f"{name} is not there any more"
    manifest = results.get("manifest", {})
    try:   # the files it names are those the run read: their digests are checked below
        scenario = load_scenario(path, with_warnings=False, seed=manifest.get("seed"),
                                 overrides=_overrides(manifest.get("command")), allow_outside=True)
    except (ScenarioError, OSError, ValueError, TypeError):
        return None, f"{name} cannot be read as a scenario any more"
    recorded = [entry.get("sha256") for entry in info.get("inputs", []) if isinstance(entry, Mapping)]
    if (info.get("sha256") and scenario.sha256 != info["sha256"]) or \
            (recorded and recorded != [digest for _, digest in scenario.inputs]):
        return None, f"{name} has changed since the run"
    return scenario, None


# ---------------------------------------------------------------------------------------------- numbers

def _p(values: Sequence[float], censored: int, q: float) -> tuple[float | None, bool]:
    """The pooled percentile (numpy inverted_cdf, as the run's statistics): censored rank above all."""
    n = len(values) + censored
    if n == 0:
        return None, False
    k = max(math.ceil(q * n) - 1, 0)
    ordered = sorted(values)
    return (ordered[k], False) if k < len(ordered) else ((ordered[-1] if ordered else 0.0), True)


def _fmt(value: float | None, decimals: int = 1) -> str:
    return "–" if value is None else f"{value:,.{decimals}f}"


def _minutes(value: float | None, lang: str, censored: bool = False) -> str:
    if value is None:
        return "–"
    return f"{'> ' if censored else ''}{value:,.1f} {t('min', lang)}"


def _ci(ci: Sequence[float | None] | None, decimals: int = 1, scale: float = 1.0) -> str:
    if not ci or ci[0] is None or ci[1] is None:
        return ""
    return f"[{ci[0] * scale:,.{decimals}f}–{ci[1] * scale:,.{decimals}f}]"


def _clock_hours(scenario) -> float:
    if scenario is None:
        return 0.0
    start = scenario.spec.clock.start
    return start.hour + start.minute / 60


def _verdict(verdict: str, lang: str) -> str:
    cls = verdict if verdict in ("pass", "too_close", "fail", "untested") else "other"
    return f'<span class="verdict-{cls}">{escape(t(verdict, lang, default=verdict))}</span>'


def _table(headers: Sequence[str], rows: Sequence[Sequence[str]], numeric: Sequence[int] = ()) -> str:
    """A table of already-escaped cells (``numeric``: the right-aligned columns)."""
    head = "".join(f'<th{" class=num" if i in numeric else ""}>{h}</th>' for i, h in enumerate(headers))
    body = "".join("<tr>" + "".join(f'<td{" class=num" if i in numeric else ""}>{c}</td>' for i, c in enumerate(row))
                   + "</tr>" for row in rows)
    return f'<div class="scroll"><table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>'


def _figure(svg: str, caption: str) -> str:
    return f"<figure>{svg}<figcaption>{escape(caption)}</figcaption></figure>"


def _page(title: str, body: str, lang: str) -> str:
    return (f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{escape(title)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n{body}\n</body>\n</html>\n")


# ---------------------------------------------------------------------------------------------- sections

def _header(results, scenario, lang: str, scenario_note: str | None) -> str:
    info, manifest = results.get("scenario", {}), results.get("manifest", {})
    description = scenario.spec.description if scenario is not None else ""
    rows = [(t("html_scenario_file", lang), info.get("file", "")), ("sha256", info.get("sha256", "")),
            (t("replications", lang), manifest.get("replications", "")), (t("seed", lang), manifest.get("seed", "")),
            ("sispam-sim", manifest.get("sispam_sim", "")), ("Python", manifest.get("python", "")),
            ("numpy", manifest.get("numpy", "")), ("simpy", manifest.get("simpy", "")),
            (t("html_executor", lang), manifest.get("executor", "")),
            (t("html_command", lang), manifest.get("command", ""))]
    manifest_html = "".join(f"<dt>{escape(str(k))}</dt><dd>{escape(str(v))}</dd>" for k, v in rows)
    note = f'<p class="note">{escape(t("html_no_scenario", lang, why=scenario_note))}</p>' if scenario_note else ""
    desc = f"<p>{escape(description)}</p>" if description else ""
    return (f'<header id="scenario"><p class="note">{escape(t("html_report_title", lang))}</p>'
            f"<h1>{escape(str(info.get('name', '')))}</h1>{desc}{note}"
            f'<h2 id="manifest">{escape(t("html_manifest", lang))}</h2><dl class="manifest">{manifest_html}</dl></header>')


def _target_name(row, lang: str) -> str:
    kind = kinds.label(row["kind"], lang) + " · " if row.get("kind") else ""
    phase = f" {t('in_phase', lang, phase=row['phase'])}" if row.get("phase") is not None else ""
    return f"{kind}{t(row['metric'], lang, default=row['metric'])} {t(row['stat'], lang, default=row['stat'])}{phase}"


def _is_time(metric: str) -> bool:
    return metric not in ("max_level", "unresolved")


def _targets(results, lang: str) -> str:
    rows = results.get("targets", [])
    title = f'<h2 id="targets">{escape(t("title_targets", lang))}</h2>'
    if not rows:
        return f'<section>{title}<p>{escape(t("no_targets", lang))}</p></section>'
    order = {"fail": 0, "too_close": 1, "untested": 3}
    counts = {v: sum(1 for r in rows if r["verdict"] == v) for v in ("fail", "too_close", "untested")}
    parts = [t(key, lang, **{arg: counts[v], "total": len(rows)})
             for v, key, arg in (("fail", "targets_failed", "failed"), ("too_close", "targets_too_close", "close"),
                                 ("untested", "targets_untested", "untested")) if counts[v]]
    summary = "; ".join(parts) or t("targets_met", lang)
    cells = []
    for row in sorted(rows, key=lambda r: order.get(r["verdict"], 2)):
        time = _is_time(row["metric"])
        value = row.get("value")
        shown = (_minutes(value, lang, bool(row.get("value_censored"))) if time else _fmt(value, 2)) \
            if value is not None else "–"
        share = row.get("share_within") or {}
        cells.append([_verdict(row["verdict"], lang), escape(_target_name(row, lang)),
                      escape(_minutes(row["limit"], lang) if time else _fmt(row["limit"], 0)),
                      escape(shown), escape(_ci(row.get("ci"), 1 if time else 2)),
                      escape(f"{share['value']:.1%} {_ci(share.get('ci'), 1, 100)}") if share.get("value") is not None
                      else "–"])
    headers = [escape(t(k, lang)) for k in ("result", "target", "limit", "value", "html_interval", "within_limit")]
    return (f'<section>{title}<p class="summary">{escape(summary)}</p>'
            f"{_table(headers, cells, numeric=(2, 3, 4, 5))}"
            f'<p class="note">{escape(t("times_note", lang))}</p></section>')


def _response_charts(results, incidents: _Incidents, lang: str) -> str:
    from sispam_sim.report import charts

    by_kind = {kind: _responses(values) for kind, values in incidents.by_kind.items()}
    parts = [f'<section><h2 id="response">{escape(t("html_response", lang))}</h2>'
             f'<p class="note">{escape(t("html_response_note", lang))}</p>']
    targets = results.get("targets", [])
    by_kind = {None: [v for vs in by_kind.values() for v in vs], **dict(sorted(by_kind.items()))}
    for kind in by_kind:   # all incidents first (the overall target), then each kind (its own target)
        values = [v for v in by_kind[kind] if v is not None]
        censored = len(by_kind[kind]) - len(values)
        target = next((r for r in targets if r["metric"] == "response_time" and r.get("kind") == kind
                       and r.get("phase") is None), None)   # a phase's target is not the whole day's
        quantile = {"p50": .5, "p90": .9, "p95": .95, "p99": .99}.get(target["stat"]) if target else None
        name = t("all_kinds", lang) if kind is None else kinds.label(kind, lang)
        limit = f" {t('target', lang)}: {_target_name(target, lang)} ≤ {_minutes(target['limit'], lang)}." \
            if target else ""
        desc = t("html_response_desc", lang, kind=name, n=len(by_kind[kind]), censored=censored) + limit
        svg = charts.cdf_chart([{"label": name, "values": values, "n": len(by_kind[kind])}],
                               target["limit"] if target else None, quantile, target.get("ci") if target else None,
                               t("html_minutes_from_call", lang), t("html_share_reached", lang),
                               f"{t('response_time', lang)}: {name}", desc, t("html_censored_curve", lang))
        parts.append(f"<h3>{escape(name)}</h3>" + _figure(svg, desc))
    parts.append("</section>")
    return "".join(parts)


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
    for row in _rows(path):
        if row["replication"] != day:
            add(day_rows)
            day, day_rows = row["replication"], defaultdict(list)
        day_rows[row["unit_type"]].append((float(row["time"]), *(int(row[c]) for c in _COLUMNS)))
    add(day_rows)
    return {column: {unit: (total / max(days, 1)).tolist() for unit, total in sorted(by_unit.items())}
            for column, by_unit in totals.items()}


def _last_time(path: Path) -> float:
    return max((float(row["time"]) for row in _rows(path)), default=0.0)


def _personnel(timeline: Path, scenario, lang: str, days: int) -> str:
    from sispam_sim.report import charts

    start = _clock_hours(scenario)
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
    svg = charts.personnel_chart(hours, panels, windows, xlabel, t("html_personnel", lang), desc)
    return (f'<section><h2 id="personnel">{escape(t("html_personnel", lang))}</h2>'
            + _figure(svg, desc) + "</section>")


def _windows_text(windows, lang: str) -> str:
    """``voting 07:00–13:00 and counting 13:00–19:00`` (Indonesian ``07.00``, ``dan``)."""
    sep = "." if lang == "id" else ":"

    def clock(hour: float) -> str:
        minutes = round(hour * 60) % (24 * 60)
        return f"{minutes // 60:02d}{sep}{minutes % 60:02d}"

    parts = [f"{name} {clock(a)}–{clock(b)}" for a, b, name in windows]
    if len(parts) < 2:
        return "".join(parts) or "—"
    return f"{', '.join(parts[:-1])} {t('html_and', lang)} {parts[-1]}"


def _has_duty_rules(spec) -> bool:
    """Whether units come and go over the day (format 1.1 ``available``, ``on_request``, the
    guards' ``until`` or escort)."""
    return (any(g.available is not None or g.on_request is not None for g in spec.forces.units)
            or spec.guard.until is not None or spec.guard.escort is not None)


def _site_districts(scenario) -> dict[str, str]:
    if scenario is None:
        return {}
    return {s.id: s.district for s in scenario.sites if s.district}


def _district_of(row, sites: Mapping[str, str]) -> str:
    site = row.get("site") or ""
    if site in sites:
        return sites[site]
    if site and "-" in site:
        return site.rsplit("-", 1)[0]
    return row.get("place", "")


def _map(incidents: _Incidents, scenario, lang: str, note: str | None) -> str:
    from sispam_sim.report import charts

    districts, places, sites = [], [], []
    if scenario is not None:
        m = scenario.spec.map
        districts = [{"lat": d.lat, "lon": d.lon, "radius_km": d.radius_km, "name": d.name or did}
                     for did, d in m.districts.items()]
        places = [{"lat": p.lat, "lon": p.lon, "name": p.name or pid} for pid, p in m.places.items()]
        sites = [{"lat": s.lat, "lon": s.lon, "risk": s.risk} for s in scenario.sites]
    points = incidents.points
    legend = {"aman": "TPS aman", "rawan": "TPS rawan", "sangat_rawan": "TPS sangat rawan",
              "response": t("html_response_minutes", lang), "never": t("html_never_reached", lang),
              "place": t("place", lang)}
    desc = t("html_map_desc", lang, districts=len(districts), places=len(places), sites=len(sites),
             incidents=len(points))
    svg = charts.map_chart(districts, places, sites, points, legend, t("html_map", lang), desc)
    extra = f'<p class="note">{escape(t("html_map_without_scenario", lang, why=note))}</p>' if note else ""
    if len(points) < incidents.total:
        extra += (f'<p class="note">{escape(t("html_map_sample", lang, days=incidents.map_days, shown=len(points), total=incidents.total))}</p>')
    return f'<section><h2 id="map">{escape(t("html_map", lang))}</h2>{extra}' + _figure(svg, desc) + "</section>"


def _crowd_days(days: Mapping[int, Sequence]) -> tuple[int | None, int | None]:
    """(typical day, worst day) among the days with a crowd (``day -> (highest level, minutes short)``):
    the worst reaches the highest level, then has the most minutes short of need; the typical day has
    the median minutes short."""
    if not days:
        return None, None
    worst = max(days, key=lambda d: (days[d][0], days[d][1], -d))
    ordered = sorted(days, key=lambda d: (days[d][1], d))
    return ordered[(len(ordered) - 1) // 2], worst


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
    if scenario is not None and row.get("entry", "") != "":   # the kind draws the need it followed
        entry = scenario.spec.incidents[int(row["entry"])]
        kind = kinds.get(getattr(entry, "kind", None))
        escalations = [float(e["time"]) for e in events if e["action"] == "escalate"]
        curve = kind.need_curve(entry, call, stop, resolved, escalations) if kind is not None else None
        if curve is not None:
            need_x, need_y = curve
    hours = lambda xs: [start + x / 60 for x in xs]   # noqa: E731
    label = row.get("label") or row["kind"]
    title = t("html_crowd_panel", lang, day=int(row["replication"]) + 1, label=label, place=row["place"],
              level=t(f"level_{row['max_level']}", lang, default=row["max_level"]))
    return {"title": title, "levels": levels, "need": (hours(need_x), need_y), "crew": (hours(cx), cy)}


def _escalation(incidents: _Incidents, events: Path, scenario, lang: str) -> str:
    from sispam_sim.report import charts

    head = f'<section><h2 id="escalation">{escape(t("html_escalation", lang))}</h2>'
    typical, worst = _crowd_days(incidents.crowd_days)
    if worst is None:
        return head + f'<p>{escape(t("html_no_crowds", lang))}</p></section>'
    crew: dict[str, int] = {}
    if scenario is not None:
        types = scenario.spec.forces.types
        crew = {u.id: types[u.type].crew for u in scenario.units}
    by_incident: dict[tuple[int, str], list] = defaultdict(list)
    wanted = {str(typical), str(worst)}
    end = 0.0
    for e in _rows(events):   # one pass: the two days' events, and when the last day ended
        end = max(end, float(e["time"]))
        if e["replication"] in wanted and e["incident"]:
            by_incident[(int(e["replication"]), e["incident"])].append(e)
    start = _clock_hours(scenario)
    parts = [head, f'<p class="note">{escape(t("html_escalation_note", lang))}</p>']
    for day, key in ((typical, "html_typical_day"), (worst, "html_worst_day")):
        if day == typical and key == "html_worst_day":
            parts.append(f'<p>{escape(t("html_same_day", lang))}</p>')
            continue
        crowds = incidents.crowds_of(day)
        panels = [_crowd_panel(r, by_incident[(day, r["id"])], scenario, crew, start, end, lang) for r in crowds]
        heading = t(key, lang, day=day + 1)
        desc = t("html_escalation_desc", lang, crowds=len(panels), day=day + 1)
        svg = charts.escalation_chart(panels, t("html_clock_hour", lang) if scenario else t("html_hours_from_start", lang),
                                      t("html_personnel_short", lang),
                                      {"need": t("html_need", lang), "crew": t("html_crew_on_scene", lang)},
                                      heading, desc)
        parts.append(f"<h3>{escape(heading)}</h3>" + _figure(svg, desc))
    parts.append("</section>")
    return "".join(parts)


def _districts(incidents: _Incidents, scenario, lang: str) -> str:
    names = {}
    if scenario is not None:
        names = {did: d.name or did for did, d in scenario.spec.map.districts.items()}
    rows = []
    for district, recorded in incidents.by_district.items():
        values = _responses(recorded)
        finite = [v for v in values if v is not None]
        p90, cens = _p(finite, len(values) - len(finite), 0.9)
        rows.append((p90 if not cens else math.inf, district, values, finite, p90, cens))
    rows.sort(key=lambda r: (-r[0], r[1]))
    cells = [[escape(str(i + 1)), escape(names.get(d, d)), escape(str(len(v))), escape(str(len(v) - len(f))),
              escape(_minutes(p, lang, c)), escape(_minutes(sum(f) / len(f), lang) if f else "–")]
             for i, (_, d, v, f, p, c) in enumerate(rows)]
    headers = [escape(x) for x in ("#", t("html_district", lang), t("html_n_incidents", lang),
                                   t("html_never_reached", lang), f"p90 {t('response', lang)}", t("mean", lang))]
    return (f'<section><h2 id="districts">{escape(t("html_districts", lang))}</h2>'
            f"{_table(headers, cells, numeric=(0, 2, 3, 4, 5))}"
            f'<p class="note">{escape(t("html_districts_note", lang))}</p></section>')


def _slowest_tps(incidents: _Incidents, scenario, lang: str) -> str:
    sites = _site_districts(scenario)
    ranked = []
    for site, (n, never, total, slowest) in incidents.tps.items():
        finite = n - never
        worst = math.inf if never else slowest
        ranked.append((never, total / finite if finite else math.inf, worst, site, n))
    ranked.sort(key=lambda r: (-r[0], -r[1], r[3]))
    cells = [[escape(site), escape(sites.get(site, "")), escape(str(n)), escape(str(never)),
              escape(_minutes(mean, lang) if math.isfinite(mean) else "–"),
              escape(_minutes(worst, lang) if math.isfinite(worst) else t("never", lang))]
             for never, mean, worst, site, n in ranked[:10]]
    headers = [escape(x) for x in ("TPS", t("html_district", lang), t("html_n_incidents", lang),
                                   t("html_never_reached", lang), f"{t('mean', lang)} {t('response', lang)}",
                                   t("html_slowest", lang))]
    return (f'<section><h2 id="tps">{escape(t("html_slowest_tps", lang))}</h2>'
            f"{_table(headers, cells, numeric=(2, 3, 4, 5))}</section>")


def _utilisation(results, lang: str) -> str:
    by_type = results.get("units", {}).get("by_type", {})
    # a type never on duty within the day (format 1.1: on request, never requested) has no utilisation
    by_type = {name: row for name, row in by_type.items() if (row.get("utilisation") or {}).get("value") is not None}
    ordered = sorted(by_type.items(), key=lambda kv: (-kv[1]["utilisation"]["value"], kv[0]))
    cells = []
    for unit, row in ordered:
        u, busy = row["utilisation"], row.get("busy_crew_minutes_per_day", {})
        cells.append([escape(unit), escape(f"{u['value']:.1%}"), escape(_ci(u.get("ci"), 1, 100)),
                      escape(_fmt(busy.get("value"), 0)), escape(_ci(busy.get("ci"), 0))])
    headers = [escape(x) for x in (t("unit_type", lang), t("utilisation", lang), t("html_interval", lang),
                                   t("busy_crew_minutes", lang), t("html_interval", lang))]
    return (f'<section><h2 id="units">{escape(t("html_units", lang))}</h2>'
            f"{_table(headers, cells, numeric=(1, 2, 3, 4))}</section>")


# ---------------------------------------------------------------------------------------------- reports

def build_report(files: Mapping[str, Path], lang: str = "en", scenario=None, folder: Path | None = None,
                 results: Mapping[str, Any] | None = None, allow_outside: bool = False) -> str:
    """``report.html`` from a run's files (``files``: name in :data:`REPORT_INPUTS` -> path).

    ``scenario`` is the run's loaded scenario when the caller has it; otherwise the file named in
    ``results.json`` is loaded (relative to ``folder``: :func:`load_run_scenario`). ``results`` is
    the document of ``files["results.json"]`` when the caller has read it.
    """
    if results is None:
        results = json.loads(Path(files["results.json"]).read_text(encoding="utf-8"))
    note = None
    if scenario is None:
        scenario, note = load_run_scenario(results, folder, allow_outside)
    incidents = _Incidents(Path(files["incidents.csv"]), _site_districts(scenario))
    timeline, events = Path(files["timeline.csv"]), Path(files["events.csv"])
    days = int(results.get("manifest", {}).get("replications") or
               len({r["replication"] for r in _rows(timeline)}) or 1)
    body = "".join([
        _header(results, scenario, lang, note),
        _targets(results, lang),
        _response_charts(results, incidents, lang),
        _personnel(timeline, scenario, lang, days),
        _map(incidents, scenario, lang, note),
        _escalation(incidents, events, scenario, lang),
        _districts(incidents, scenario, lang),
        _slowest_tps(incidents, scenario, lang),
        _utilisation(results, lang),
        f'<footer><p class="note">{escape(t("html_footer", lang))}</p></footer>',
    ])
    return _page(f"{results.get('scenario', {}).get('name', '')} — sispam-sim", body, lang)


def report_from_dir(folder: str | Path, lang: str = "en", allow_outside: bool = False) -> str:
    """``report.html`` rebuilt from a run's output folder, after checking it (:func:`~.runfolder.read_run`:
    :class:`FileNotFoundError` naming what is missing, :class:`ScenarioError` for a damaged file)."""
    from sispam_sim.report.runfolder import read_run

    folder, results = read_run(folder, REPORT_INPUTS)
    return build_report({name: folder / name for name in REPORT_INPUTS}, lang=lang, folder=folder,
                        results=results, allow_outside=allow_outside)


def build_comparison(document: Mapping[str, Any], responses: Sequence[Mapping], lang: str = "en") -> str:
    """``comparison.html``: the plans side by side, their differences from the baseline (interval,
    verdict) and their response-time CDFs overlaid. ``responses``: per plan, baseline first,
    ``{"values": finite response times pooled over all days, "n": incidents, censored included}``."""
    from sispam_sim.report import charts
    from sispam_sim.report.compare import detail_note, warning_lines

    plans = [document["baseline"], *document["plans"]]
    names = [p["name"] for p in plans]
    letters = [chr(ord("A") + i) if i < 26 else str(i + 1) for i in range(len(plans))]
    parts = [f'<header><p class="note">{escape(t("html_report_title", lang))}</p>'
             f'<h1>{escape(t("title_compare", lang))}</h1>']
    plan_rows = [[escape(letters[i]), escape(p["name"]) + (f" ({escape(t('baseline', lang))})" if i == 0 else ""),
                  escape(p.get("file", "")),
                  escape("" if i == 0 else (t("compare_paired", lang).split(":")[0] if p.get("paired")
                                             else t("not_paired", lang)))]
                 for i, p in enumerate(plans)]
    parts.append(_table([escape(t("plan", lang)), escape(t("scenario", lang)), "", ""], plan_rows))
    manifest = document.get("manifest", {})
    parts.append(f'<p class="note">{escape(t("replications", lang))}: {escape(str(document.get("replications")))} · '
                 f'{escape(t("seed", lang))}: {escape(str(document.get("seed")))} · '
                 f'{escape(str(manifest.get("command", "")))}</p>')
    parts += [f'<p class="warning"><strong>{escape(line)}</strong></p>' for line in warning_lines(document, lang)]
    parts.append('</header>')
    # targets side by side
    rows = document.get("targets", {}).get("rows", [])
    if rows:
        cells = []
        for row in rows:
            line = [escape(_target_name(row, lang))]
            for cell in row["plans"]:
                if not cell:
                    line.append("–")
                    continue
                time = _is_time(row["metric"])
                value = _minutes(cell.get("value"), lang, bool(cell.get("value_censored"))) if time else \
                    _fmt(cell.get("value"), 2)
                line.append(f"{_verdict(cell['verdict'], lang)} {escape(value)}")
            cells.append(line)
        parts.append(f'<section><h2 id="targets">{escape(t("title_targets", lang))}</h2>'
                     + _table([escape(t("target", lang)), *(escape(x) for x in letters)], cells) + "</section>")
    # differences: the headline rows (planned tests), then every other row apart, with what it means
    cells: dict[str, list] = {"headline": [], "detail": []}
    for letter, plan in zip(letters[1:], document["plans"]):
        blocks = [(None, plan.get("differences", {}))] + sorted(plan.get("by_kind", {}).items())
        for kind, block in blocks:
            for metric, stats in block.items():
                for stat, d in stats.items():
                    name = _target_name({"kind": kind, "metric": metric, "stat": stat}, lang)
                    mark = "*" if d.get("censored") else ""
                    cells[d.get("row", "headline")].append([
                        escape(letter), escape(name), escape(_fmt(d.get("base"), 2)), escape(_fmt(d.get("plan"), 2)),
                        escape(f"{_fmt(d.get('value'), 2)}{mark}"), escape(_ci(d.get("ci"), 2)),
                        _verdict(d.get("verdict", ""), lang)])
    headers = [escape(x) for x in (t("plan", lang), t("metric", lang), t("baseline", lang), t("value", lang),
                                   t("difference", lang), t("html_interval", lang), t("verdict", lang))]
    parts.append(f'<section><h2 id="differences">{escape(t("difference", lang))}</h2>'
                 f'{_table(headers, cells["headline"], numeric=(2, 3, 4, 5))}'
                 f'<p class="note">{escape(t("compare_note", lang))} {escape(t("compare_censored", lang))}</p>'
                 "</section>")
    if cells["detail"]:
        parts.append(f'<section><h2 id="detail">{escape(t("compare_detail_rows", lang))}</h2>'
                     f'<p class="note">{escape(detail_note(len(cells["detail"]), lang))}</p>'
                     f'{_table(headers, cells["detail"], numeric=(2, 3, 4, 5))}</section>')
    # CDFs overlaid
    series = [{"label": f"{letter}: {name}", **r} for letter, name, r in zip(letters, names, responses)]
    target = next((r for r in rows if r["metric"] == "response_time" and r.get("kind") is None
                   and r.get("phase") is None), None)
    limit = target["plans"][0]["limit"] if target and target["plans"][0] else None
    quantile = {"p50": .5, "p90": .9, "p95": .95, "p99": .99}.get(target["stat"]) if target else None
    desc = t("html_compare_cdf_desc", lang, plans=len(series))
    svg = charts.cdf_chart(series, limit, quantile, None, t("html_minutes_from_call", lang),
                           t("html_share_reached", lang), t("response_time", lang), desc,
                           t("html_censored_curve", lang))
    parts.append(f'<section><h2 id="response">{escape(t("html_response", lang))}</h2>' + _figure(svg, desc)
                 + "</section>")
    parts.append(f'<footer><p class="note">{escape(t("html_footer", lang))}</p></footer>')
    return _page(t("title_compare", lang) + " — sispam-sim", "".join(parts), lang)
