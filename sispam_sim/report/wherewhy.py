"""report.html's where and why: what a run's ``incidents.csv`` says about places, and the findings'
split of the response, as plain data for the templates.

* :class:`RunIncidents` reads ``incidents.csv`` once, in a stream, and keeps it compactly: response
  times per kind and per area (a district, or a named place such as the KPU office: never a
  kecamatan, :class:`~sispam_sim.stats.districts.Areas`), per area the calls over the response
  limit and the TPS stopped longer than the downtime limit, per TPS its aggregates, the day
  statistics of :mod:`sispam_sim.stats.days` (the typical and the worst day, one rule for every
  output) and the first days' incidents for a map drawn without the scenario.
* :func:`why_section`: the findings' waiting / mobilising / travel split of the calls over the
  response limit, as a chart (all of them, per kind, per district that stands out; all calls last).
* :func:`maps_section`: the operational maps (the share of calls over the response limit by
  district; the share of TPS disruptions over the downtime limit), on a scale that changes at the
  target (:func:`~sispam_sim.report.charts.district_map`).
* :func:`districts_section`: the districts ranked by that share (or by p90 response without a
  target), only those with as many incidents as the findings ask of an area; the named places apart.
* :func:`slowest_tps`: the ten TPS whose calls waited longest.

Every name is in the reader's language (format 1.1 ``name_id``), every number as it writes it.
"""

from __future__ import annotations

import csv
import math
import re
from array import array
from pathlib import Path
from typing import Any, Mapping, NamedTuple, Sequence

from sispam_sim.report import glossary, numbers
from sispam_sim.report.cells import DASH, cell, figure, minutes, table
from sispam_sim.report.i18n import t
from sispam_sim.scenario import kinds
from sispam_sim.scenario.metrics import canonical_metric

__all__ = ["RunIncidents", "Area", "rows", "responses", "pooled_percentile", "map_target", "quantile", "why_section",
           "maps_section", "districts_section", "slowest_tps", "MAP_POINTS", "MAP_MIN_INCIDENTS"]

#: Incidents the map drawn without the scenario shows at most: those of the first days, until this
#: many (a map of every incident of thousands of days is a solid smear, and its SVG would weigh megabytes).
MAP_POINTS = 3000
#: The fewest incidents a district needs to be filled by its share on a map (fewer: grey, "too few to
#: judge"). Lower than the findings' rule for naming an area (``min_incidents``, 20): the map shows
#: the pattern, the sentences and the ranked table only what stands out.
MAP_MIN_INCIDENTS = 5
_NAN = float("nan")
_QUANTILE = re.compile(r"p(\d{1,2}(?:\.\d+)?)")
#: An id as the scenario format writes one (a district's key): shown in words when nobody named it.
_IDENTIFIER = re.compile(r"[a-z0-9][a-z0-9_\-]*")


def rows(path: Path):
    """The rows of a CSV output, one at a time: a run of 10,000 days is read in constant memory.
    Text comes back as it was written in the scenario (a cell made spreadsheet-safe loses its quote)."""
    from sispam_sim.runner.output import from_spreadsheet_safe

    with open(path, encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            for key, value in row.items():
                if value and value[:1] == "'":
                    row[key] = from_spreadsheet_safe(value)
            yield row


def _float(text: str | None) -> float | None:
    return float(text) if text not in ("", None) else None


def quantile(stat: str) -> float | None:
    """The share a percentile target asks for: ``p90`` -> 0.9; None for any other statistic."""
    found = _QUANTILE.fullmatch(str(stat))
    return float(found.group(1)) / 100 if found else None


def map_target(targets: Sequence[Mapping[str, Any]], metric: str) -> Mapping[str, Any] | None:
    """The percentile target a map is coloured against: the first on ``metric`` for all incidents,
    else the first for one kind; never a phase's (a phase's target is not the whole day's)."""
    found = [r for r in targets or () if canonical_metric(r.get("metric", "")) == metric and r.get("phase") is None
             and quantile(r.get("stat", "")) is not None and r.get("limit") is not None]
    found.sort(key=lambda r: r.get("kind") is not None)
    return found[0] if found else None


class Area(NamedTuple):
    """Where an incident lies, as a report names it: ``kind`` "district" or "place"."""

    kind: str
    id: str
    name: str
    name_id: str | None = None

    def shown(self, lang: str) -> str:
        """Its name in ``lang`` (``name_id`` with Indonesian); a district nobody named, its id in words
        (``tempurejo`` -> "Tempurejo"), as the findings name it; a label a sites file gives, as written."""
        if lang == "id" and self.name_id:
            return self.name_id
        if self.kind == "district" and self.name == self.id and _IDENTIFIER.fullmatch(self.id):
            return glossary.in_words(self.id)
        return self.name or self.id


class _Tally:
    """One area's incidents: responses (``nan``: never reached), and per map ``[incidents, over the limit]``."""

    __slots__ = ("responses", "response", "downtime")

    def __init__(self):
        self.responses = array("d")
        self.response = [0, 0]
        self.downtime = [0, 0]


class RunIncidents:
    """What report.html needs of ``incidents.csv``, read once in a stream and kept compactly.

    ``scenario``: the run's loaded scenario (None: places are told from TPS by the ``site`` column
    alone, a TPS's district by its id's prefix); ``days``: the run's replications; ``targets``:
    results.json's, for the calls over the response limit and the TPS over the downtime limit."""

    def __init__(self, path: Path, scenario, days: int, targets: Sequence[Mapping[str, Any]]):
        from sispam_sim.stats.days import DayTally
        from sispam_sim.stats.districts import Areas

        self.path = path
        self.scenario = scenario
        self.response_target = map_target(targets, "response_time")
        self.downtime_target = map_target(targets, "tps_downtime")
        self.by_kind: dict[str, array] = {}
        self.areas: dict[tuple[str, str], Area] = {}
        self.tally: dict[tuple[str, str] | None, _Tally] = {}
        self.tps: dict[str, list] = {}            # site -> [incidents, never reached, sum of responses, slowest]
        self.tps_area: dict[str, tuple[str, str] | None] = {}
        self.points: list[dict] = []
        self.total = 0
        self.map_days = 0
        self.days = DayTally(max(days, 1))
        located = Areas(scenario) if scenario is not None else None
        last_day, map_full = None, False
        for row in rows(path):
            self.total += 1
            response = _float(row["response_time"])
            value = _NAN if response is None else response
            kind = row["kind"]
            self.by_kind.setdefault(kind, array("d")).append(value)
            key = self._locate(located, row)
            tally = self.tally.get(key)
            if tally is None:
                tally = self.tally[key] = _Tally()
            tally.responses.append(value)
            self._count(tally.response, self.response_target, "response_time", kind, response)
            self._count(tally.downtime, self.downtime_target, "tps_downtime", kind, _float(row.get("tps_downtime")))
            site = row.get("site")
            if site:
                agg = self.tps.setdefault(site, [0, 0, 0.0, -math.inf])
                self.tps_area.setdefault(site, key)
                agg[0] += 1
                if response is None:
                    agg[1] += 1
                else:
                    agg[2] += response
                    agg[3] = max(agg[3], response)
            day = int(row["replication"])
            if day < self.days.days:
                self.days.add(day, response, _float(row["resolution_time"]))
            if row["replication"] != last_day:   # the map without the scenario takes whole days, while they fit
                last_day = row["replication"]
                map_full = map_full or len(self.points) >= MAP_POINTS
                if not map_full:
                    self.map_days += 1
            if not map_full:
                self.points.append({"lat": float(row["lat"]), "lon": float(row["lon"]), "response": response})

    def _locate(self, located, row) -> tuple[str, str] | None:
        site = row.get("site") or None
        if located is None:   # no scenario: a TPS lies in the district its id starts with, the rest at a place
            key = ("district", site.rsplit("-", 1)[0]) if site and "-" in site else ("place", row.get("place", ""))
            self.areas.setdefault(key, Area(key[0], key[1], key[1]))
            return key
        entry = row.get("entry")
        found = located.locate(row.get("place", ""), site, int(entry) if entry not in ("", None) else None)
        if found is None:
            return None
        key = (found.kind, found.id)
        if key not in self.areas:
            self.areas[key] = Area(found.kind, found.id, found.name, found.name_id)
        return key

    @staticmethod
    def _count(counts: list, target, metric: str, kind: str, value: float | None) -> None:
        """One incident of ``target``'s (its kind, or every kind with the metric): over its limit when
        its value is, or when it never got there (censored: no value)."""
        if target is None or not kinds.applies_to(metric, kind) or target.get("kind") not in (None, kind):
            return
        counts[0] += 1
        if value is None or value > float(target["limit"]):
            counts[1] += 1

    def chosen_days(self) -> tuple[int, int] | None:
        """(typical day, worst day) by the one rule of :mod:`sispam_sim.stats.days` (replay.html's and the
        drill's); None without incidents."""
        from sispam_sim.stats.days import chosen_days

        if not self.total:
            return None
        return chosen_days(self.days.statistics())

    def crowds_of(self, day: int) -> list[dict[str, str]]:
        """The crowd incidents of one day (a second pass over the file: only those rows are kept)."""
        wanted = str(day)
        return [row for row in rows(self.path) if row["replication"] == wanted and kinds.has_levels(row["kind"])]


# ---------------------------------------------------------------------------------------------- numbers

def responses(values: array) -> list[float | None]:
    return [None if v != v else v for v in values]


def pooled_percentile(values: Sequence[float], censored: int, q: float) -> tuple[float | None, bool]:
    """The pooled percentile (numpy inverted_cdf, as the run's statistics): censored rank above all."""
    n = len(values) + censored
    if n == 0:
        return None, False
    k = max(math.ceil(q * n) - 1, 0)
    ordered = sorted(values)
    return (ordered[k], False) if k < len(ordered) else ((ordered[-1] if ordered else 0.0), True)


def _share(over: int, n: int, lang: str) -> str:
    """A share over the limit in percent with one decimal (``8.6%`` / ``8,6%``)."""
    return numbers.percent(round(100 * over / n, 1), lang) if n else DASH


def _min_incidents(results: Mapping[str, Any]) -> int:
    from sispam_sim.stats.findings import MIN_INCIDENTS

    rule = (results.get("findings") or {}).get("rule") or {}
    return int(rule.get("min_incidents") or MIN_INCIDENTS)


def _limit(value: float, lang: str) -> str:
    return numbers.count(value, lang) if float(value).is_integer() else numbers.decimal(value, 1, lang)


# ---------------------------------------------------------------------------------------------- why

def _split_row(label: str, split: Mapping[str, Any] | None) -> dict | None:
    if not split or split.get("value") is None or not split.get("measured"):
        return None
    return {"label": label, "wait": split.get("wait") or 0.0, "mobilise": split.get("mobilise") or 0.0,
            "travel": split.get("travel") or 0.0, "n": split["measured"]}


def why_section(results: Mapping[str, Any], lang: str) -> dict:
    """Where the response time goes, for each response-time target that failed or is too close: the
    mean waiting for a unit, mobilising and travel of the calls over the limit (all of them, per kind,
    per district or place the findings name), and of all calls for comparison."""
    from sispam_sim.report import charts
    from sispam_sim.report.findings import area_name, finding_head

    section = {"heading": t("html_why", lang), "note": t("html_why_note", lang), "charts": [],
               "none": t("html_why_none", lang)}
    for finding in (results.get("findings") or {}).get("targets", ()):
        if canonical_metric(finding.get("metric", "")) != "response_time":
            continue
        why = finding.get("why") or {}
        limit = _limit(finding["limit"], lang)
        over = _split_row(t("html_why_over", lang, limit=limit), why.get("over_limit"))
        if over is None:
            continue
        bars = [over]
        by_kind = why.get("by_kind") or {}
        for kind, entry in by_kind.items():
            if len(by_kind) > 1 and entry.get("over_limit"):
                bars.append(_split_row(t("html_why_over_of", lang, what=kinds.label(kind, lang), limit=limit),
                                       entry.get("over_limit_split")))
        for where in finding.get("where") or ():
            bars.append(_split_row(t("html_why_over_of", lang, what=area_name(where, lang), limit=limit),
                                   (where.get("split") or {}).get("over_limit")))
        bars.append(_split_row(t("html_why_all", lang), why.get("all")))
        bars = [b for b in bars if b is not None]
        head = finding_head(finding, lang)
        desc = t("html_why_desc", lang, target=head, n=numbers.whole(over["n"], lang), limit=limit)
        svg = charts.decomposition_chart(bars, float(finding["limit"]), lang=lang, title=head, desc=desc)
        section["charts"].append({"heading": head, "figure": figure(svg, desc, "wide")})
    return section


# ---------------------------------------------------------------------------------------------- maps

def _district_rows(incidents: RunIncidents, scenario, lang: str, which: str) -> list[dict]:
    """The scenario's districts for :func:`~sispam_sim.report.charts.district_map`: ``which`` map's
    incidents and the share of them over its limit."""
    out = []
    for did, d in scenario.spec.map.districts.items():
        tally = incidents.tally.get(("district", did))
        n, over = getattr(tally, which) if tally is not None else (0, 0)
        name = Area("district", did, d.name or did, d.name_id).shown(lang)
        out.append({"id": did, "name": name, "lat": d.lat, "lon": d.lon, "radius_km": d.radius_km, "n": n,
                    "over": over / n if n else None})
    return out


def maps_section(incidents: RunIncidents, scenario, lang: str, note: str | None) -> dict:
    """The operational maps: districts filled by the share of calls over the response limit, and by the
    share of TPS disruptions over the downtime limit; each on a scale that changes at what its
    percentile target allows (10% for a p90). Without the scenario: the incidents by coordinates."""
    from sispam_sim.report import charts
    from sispam_sim.report.organisations import map_places

    section = {"heading": t("html_maps", lang), "notes": [], "maps": []}
    if scenario is None or not scenario.spec.map.districts:
        return _points_map(section, incidents, scenario, lang, note)
    spec = scenario.spec
    places = map_places(spec, names=glossary.place_names(scenario, lang))
    shapes = scenario.boundaries.shapes if getattr(scenario, "boundaries", None) else None
    min_n = MAP_MIN_INCIDENTS
    for which, target, key in (("response", incidents.response_target, "response"),
                               ("downtime", incidents.downtime_target, "downtime")):
        if target is None:
            continue
        share = 1 - quantile(target["stat"])
        limit = _limit(float(target["limit"]), lang)
        districts = _district_rows(incidents, scenario, lang, which)
        counted = sum(d["n"] for d in districts)
        what = kinds.label(target["kind"], lang) if target.get("kind") else ""
        heading = t(f"html_map_{key}", lang, limit=limit) + (f" · {what}" if what else "")
        desc = t(f"html_map_{key}_desc", lang, limit=limit, share=numbers.percent(round(share * 100, 1), lang),
                 stat=t(target["stat"], lang), n=numbers.whole(counted, lang), min=numbers.whole(min_n, lang))
        svg = charts.district_map(districts, places, share, lang=lang, title=heading, desc=desc,
                                  metric=t(f"html_map_{key}_scale", lang, limit=limit), shapes=shapes, min_n=min_n)
        section["maps"].append({"heading": heading, "figure": figure(svg, desc)})
    if not section["maps"]:
        section["notes"].append(t("html_maps_none", lang))
    return section


def _points_map(section: dict, incidents: RunIncidents, scenario, lang: str, note: str | None) -> dict:
    """The map from coordinates alone (no scenario, or a scenario without districts): places, TPS by
    risk, and the first days' incidents coloured by response time."""
    from sispam_sim.report import charts

    districts, places, sites = [], [], []
    if scenario is not None:
        m = scenario.spec.map
        names = glossary.place_names(scenario, lang)
        places = [{"lat": p.lat, "lon": p.lon, "name": names.get(pid, pid)} for pid, p in m.places.items()]
        sites = [{"lat": s.lat, "lon": s.lon, "risk": s.risk} for s in scenario.sites]
    points = incidents.points
    legend = {"aman": t("html_tps_aman", lang), "rawan": t("html_tps_rawan", lang),
              "sangat_rawan": t("html_tps_sangat_rawan", lang), "response": t("html_response_minutes", lang),
              "never": t("html_never_reached", lang), "place": t("place", lang)}
    desc = t("html_map_desc", lang, districts=len(districts), places=len(places), sites=len(sites),
             incidents=len(points))
    svg = charts.map_chart(districts, places, sites, points, legend, t("html_map", lang), desc)
    if note:
        section["notes"].append(t("html_map_without_scenario", lang, why=note))
    if len(points) < incidents.total:
        section["notes"].append(t("html_map_sample", lang, days=incidents.map_days, shown=len(points),
                                  total=incidents.total))
    section["maps"].append({"heading": t("html_map", lang), "figure": figure(svg, desc)})
    return section


# ---------------------------------------------------------------------------------------------- tables

def _area_cells(area_name: str, tally: _Tally, lang: str, with_share: bool, rank: Any) -> tuple[list, tuple]:
    values = responses(tally.responses)
    finite = [v for v in values if v is not None]
    p90, censored = pooled_percentile(finite, len(values) - len(finite), 0.9)
    n, over = tally.response
    cells = [rank, area_name, numbers.whole(len(values), lang), numbers.whole(len(values) - len(finite), lang)]
    if with_share:
        cells.append(_share(over, n, lang))
    cells += [minutes(p90, lang, censored), minutes(sum(finite) / len(finite), lang) if finite else DASH]
    order = (over / n if with_share and n else -1.0, math.inf if censored else (p90 if p90 is not None else -1.0))
    return cells, order


def districts_section(incidents: RunIncidents, results: Mapping[str, Any], lang: str) -> dict:
    """The districts (kecamatan) ranked by the share of their calls over the response limit, then p90
    response (by p90 alone without a response target): only those with at least the findings'
    ``min_incidents`` incidents over the run; the others follow unranked. The named places (the KPU
    office, the Pemkab) are listed apart, never ranked as kecamatan."""
    target = incidents.response_target
    with_share = target is not None
    min_n = _min_incidents(results)
    ranked, few, places = [], [], []
    for key, tally in incidents.tally.items():
        if key is None:
            continue
        area = incidents.areas[key]
        name = area.shown(lang)
        cells, order = _area_cells(name, tally, lang, with_share, "")
        if area.kind == "place":
            places.append((-len(tally.responses), name, cells))
        elif len(tally.responses) >= min_n:
            ranked.append((order, name, cells))
        else:
            few.append((-len(tally.responses), name, cells))
    ranked.sort(key=lambda r: (-r[0][0], -r[0][1], r[1]))
    few.sort(key=lambda r: (r[0], r[1]))
    places.sort(key=lambda r: (r[0], r[1]))
    body = [[numbers.whole(i + 1, lang), *cells[1:]] for i, (_, _, cells) in enumerate(ranked)]
    body += [[DASH, *cells[1:]] for _, _, cells in few]
    limit = _limit(float(target["limit"]), lang) if with_share else ""
    share_header = [t("html_share_over", lang, limit=limit)] if with_share else []
    headers = ("#", t("html_district", lang), t("html_n_incidents", lang), t("html_never_reached", lang),
               *share_header, f"p90 {t('response', lang)}", t("mean", lang))
    numeric = tuple(range(2, len(headers))) + (0,)
    place_headers = (t("place", lang), *headers[2:])
    nowhere = incidents.tally.get(None)
    return {"heading": t("html_districts_by_share" if with_share else "html_districts", lang),
            "table": table(headers, body, numeric) if body else None, "none": t("html_no_districts", lang),
            "note": t("html_districts_rule", lang, min=numbers.whole(min_n, lang), ranked=len(ranked),
                      few=len(few)),
            "places_heading": t("html_places", lang),
            "places": table(place_headers, [cells[1:] for _, _, cells in places], tuple(range(1, len(place_headers))))
            if places else None,
            "places_note": t("html_places_note", lang),
            "nowhere": t("html_nowhere", lang, n=numbers.whole(len(nowhere.responses), lang)) if nowhere else ""}


def slowest_tps(incidents: RunIncidents, lang: str) -> dict:
    """The ten TPS whose calls were never reached most often, then waited longest on average."""
    ranked = []
    for site, (n, never, total, slowest) in incidents.tps.items():
        finite = n - never
        worst = math.inf if never else slowest
        ranked.append((never, total / finite if finite else math.inf, worst, site, n))
    ranked.sort(key=lambda r: (-r[0], -r[1], r[3]))
    out = []
    for never, mean, worst, site, n in ranked[:10]:
        key = incidents.tps_area.get(site)
        area = incidents.areas[key].shown(lang) if key is not None and key[0] == "district" else DASH
        out.append([cell(site, cls="id"), area, numbers.whole(n, lang), numbers.whole(never, lang),
                    minutes(mean, lang) if math.isfinite(mean) else DASH,
                    minutes(worst, lang) if math.isfinite(worst) else t("never", lang)])
    headers = ("TPS", t("html_district", lang), t("html_n_incidents", lang), t("html_never_reached", lang),
               f"{t('mean', lang)} {t('response', lang)}", t("html_slowest", lang))
    return {"heading": t("html_slowest_tps", lang), "table": table(headers, out, (2, 3, 4, 5)) if out else None,
            "none": t("html_no_tps", lang)}

