"""The report's charts: matplotlib figures rendered to inline SVG with alt text.

Imported only when a report is written (``report.html``, ``comparison.html``): matplotlib
takes a good part of a second to import, and ``validate`` or ``run`` without ``--out`` must
not pay for it. Every chart is a pure function of plain data (lists of numbers, names) and
returns one ``<svg>`` element (:func:`~sispam_sim.report.chartbase.svg`: it takes the width of
its container, carries ``role="img"``, an ``aria-label`` and ``<title>``/``<desc>``). Text from
the scenario goes through :func:`~sispam_sim.report.chartbase.plain`; matplotlib escapes it in
the SVG.

* :func:`cdf_chart`: response-time curves against a target;
* :func:`personnel_chart`: personnel over the day by unit type, grouped and coloured by
  organisation (:mod:`~sispam_sim.report.organisations`), phases shaded, clock times;
* :func:`escalation_chart`: each crowd's need against the crew on scene, levels shaded;
* :func:`decomposition_chart`: where the response time goes (waiting for a unit, mobilising,
  travel), one bar per district or kind, against the limit;
* :func:`district_map` (:mod:`~sispam_sim.report.mapchart`): districts filled by the share
  over a limit on a scale that breaks at the target; :func:`map_chart` the older map from
  coordinates alone.
"""

from __future__ import annotations

import math
from typing import Mapping, Sequence

from sispam_sim.report.chartbase import (STYLE, clock_axis, hatch_colour, number, number_axis, percent, phase_bands,
                                         plain, svg)
from sispam_sim.report.i18n import t
from sispam_sim.report.mapchart import district_map, share_colour
from sispam_sim.report.organisations import organisation, series_styles, unit_name

import matplotlib  # noqa: E402  (chartbase selected the Agg backend)
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402

__all__ = ["cdf_chart", "personnel_chart", "map_chart", "escalation_chart", "decomposition_chart", "district_map",
           "share_colour", "RISK_COLOURS", "LEVEL_COLOURS", "PART_STYLES"]

#: Colours a projector shows apart (and that survive greyscale print by lightness).
RISK_COLOURS = {"aman": "#9aa5b1", "rawan": "#f0a030", "sangat_rawan": "#d62728"}
LEVEL_COLOURS = {1: "#d8f0d8", 2: "#fff1b8", 3: "#ffd0d0"}
SERIES = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf")
_STYLE = STYLE
_svg = svg

#: Width of the charts in inches: at the 1,400 px of a report on a 1920 screen a 10-point label
#: is ~20 px, readable from the back of a briefing room; on A4 it is ~7 points.
WIDTH = 10.0


def _figure(width: float, height: float, **kwargs):
    with plt.rc_context(STYLE):
        return plt.subplots(figsize=(width, height), **kwargs)


#: Steps a CDF curve is drawn with at most: finer than a projector shows, and the SVG stays small
#: however many incidents a run has.
CDF_STEPS = 2000


def cdf_chart(series: Sequence[Mapping], limit: float | None, quantile: float | None, band: Sequence[float] | None,
              xlabel: str, ylabel: str, title: str, desc: str, censored_note: str, *, lang: str = "en") -> str:
    """Empirical CDFs of response times: each series ``{"label", "values" (finite), "n" (all, censored
    included)}``. The curve stops below 1 by the censored share (``censored_note`` names it, its
    ``{share}`` as ``lang`` writes a percentage); ``limit`` draws the target line, ``band`` the
    target's interval, ``quantile`` the share the target asks for."""
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=(WIDTH, 4.2))
        top = 1.0
        for i, s in enumerate(series):
            values = sorted(s["values"])
            n = max(int(s["n"]), 1)
            xs = [0.0, *values]
            ys = [0.0, *((k + 1) / n for k in range(len(values)))]
            if len(xs) > CDF_STEPS + 1:   # thousands of days: keep the picture, not every step
                keep = sorted({round(i * (len(xs) - 1) / CDF_STEPS) for i in range(CDF_STEPS + 1)})
                xs, ys = [xs[i] for i in keep], [ys[i] for i in keep]
            ax.step(xs, ys, where="post", color=SERIES[i % len(SERIES)], lw=2, label=plain(s["label"]),
                    ls=("-", "--", "-.", ":")[(i // len(SERIES)) % 4])
            share = len(values) / n
            if share < 1:
                ax.annotate(plain(censored_note.format(share=percent(share, lang))), (xs[-1], share), xytext=(4, -12),
                            textcoords="offset points", fontsize=8, color=SERIES[i % len(SERIES)])
            top = max(top, share)
        if band is not None and len(band) == 2 and all(math.isfinite(b) for b in band):
            ax.axvspan(band[0], band[1], color="#888888", alpha=0.18, lw=0)
        if limit is not None:
            ax.axvline(limit, color="#222222", ls="--", lw=1.5)
        if quantile is not None:
            ax.axhline(quantile, color="#222222", ls=":", lw=1)
        ax.set_ylim(0, 1.02 * top)
        ax.set_xlim(left=0)
        number_axis(ax.xaxis, lang)
        ax.set_xlabel(plain(xlabel))
        ax.set_ylabel(plain(ylabel))
        ax.yaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0))
        if len(series) > 1:
            ax.legend(loc="lower right")
        return svg(fig, title, desc)


def _legend_by_organisation(fig, styles: Mapping[str, tuple[str, str]], organisations: Mapping[str, str],
                            names: Mapping[str, str], lang: str, anchor_y: float) -> None:
    """One legend below the panels, in columns: each organisation's name in bold, then its unit types
    by name. An organisation starts a new column when it does not fit in what is left of one."""
    groups: dict[str, list[str]] = {}
    for unit in styles:
        groups.setdefault(organisations.get(unit, "other"), []).append(unit)
    if not groups:
        return
    total = sum(len(units) + 1 for units in groups.values())
    rows = max(4, math.ceil(total / 5), min(max(len(u) + 1 for u in groups.values()), 8))
    handles, labels, bold = [], [], []

    def add(handle, label: str) -> None:
        handles.append(handle)
        labels.append(label)

    for org, units in groups.items():
        used = len(handles) % rows
        if used and used + len(units) + 1 > rows:   # start the organisation in a fresh column
            for _ in range(rows - used):
                add(Patch(alpha=0), "")
        bold.append(len(handles))
        add(Patch(alpha=0), plain(t(f"org_{org}", lang, default=unit_name(org))))
        for unit in units:
            colour, hatch = styles[unit]
            add(Patch(facecolor=colour, hatch=hatch, edgecolor="white", lw=0.4), plain(names.get(unit) or unit_name(unit)))
    ncol = math.ceil(len(handles) / rows)
    while len(handles) < rows * ncol:
        add(Patch(alpha=0), "")
    legend = fig.legend(handles, labels, loc="upper center", ncol=ncol, bbox_to_anchor=(0.5, anchor_y), fontsize=9,
                        handlelength=2.2, handleheight=1.1, columnspacing=1.6)
    for k in bold:
        legend.get_texts()[k].set_fontweight("bold")


def personnel_chart(hours: Sequence[float], panels: Sequence[tuple[str, Mapping[str, Sequence[float]]]],
                    windows: Sequence[tuple[float, float, str]], xlabel: str, title: str, desc: str, *,
                    lang: str | None = None, names: Mapping[str, str] | None = None,
                    organisations: Mapping[str, str] | None = None) -> str:
    """Personnel over the day: one panel per quantity (committed, on scene, free), one stacked area per
    unit type; ``windows`` are ``(start hour, end hour, label)`` shaded on every panel.

    The unit types are grouped by organisation (``organisations``: type -> one of
    :data:`~sispam_sim.report.organisations.ORGANISATIONS`; read from the type id when not given),
    each organisation a hue, each type a shade and hatching of it, named by ``names`` (type -> name;
    ``dalmas_lanjut_ssk`` -> ``Dalmas Lanjut SSK`` when not given). With ``lang`` the hours are clock
    hours, ticked ``HH:MM`` (Indonesian ``HH.MM``); without it they are plain numbers (hours from
    the start, when the scenario is not known)."""
    names = names or {}
    types = list(dict.fromkeys(u for _, by_type in panels for u in by_type))
    orgs = {u: (organisations or {}).get(u) or organisation(u) for u in types}
    styles = series_styles(types, orgs)
    with plt.rc_context(STYLE):
        fig, axes = plt.subplots(len(panels), 1, figsize=(WIDTH, 2.1 * len(panels) + 0.8), sharex=True)
        axes = list(axes) if len(panels) > 1 else [axes]
        for ax, (name, by_type) in zip(axes, panels):
            series = [u for u in styles if u in by_type]
            top = 0.0
            if series:
                columns = [by_type[u] for u in series]
                keep = [g for g in range(len(hours))   # a step that changes nothing draws nothing: leave it out
                        if g in (0, len(hours) - 1) or any(c[g] != c[g - 1] for c in columns)]
                areas = ax.stackplot([hours[g] for g in keep], *[[c[g] for g in keep] for c in columns],
                                     colors=[styles[u][0] for u in series], step="post", lw=0)
                for area, unit in zip(areas, series):
                    area.set_hatch(styles[unit][1])
                    hatch_colour(area, "#ffffff" if _dark(styles[unit][0]) else "#333333")
                top = max((sum(c[g] for c in columns) for g in range(len(hours))), default=0.0)
            ax.set_ylim(0, max(top, 1.0) * 1.12)   # room for the phase strip above the data
            number_axis(ax.yaxis, lang or "en")
            ax.set_ylabel(plain(name))
        phase_bands(axes, windows)
        axes[-1].set_xlabel(plain(xlabel))
        if hours:
            axes[-1].set_xlim(hours[0], hours[-1])
            if lang is not None:
                clock_axis(axes[-1].xaxis, lang, hours[0], hours[-1])
        fig.tight_layout(h_pad=1.4)
        _legend_by_organisation(fig, styles, orgs, names, lang or "en", anchor_y=0.0)
        return svg(fig, title, desc)


def _dark(colour: str) -> bool:
    r, g, b = matplotlib.colors.to_rgb(colour)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b < 0.45


def map_chart(districts: Sequence[Mapping], places: Sequence[Mapping], sites: Sequence[Mapping],
              incidents: Sequence[Mapping], legend: Mapping[str, str], title: str, desc: str) -> str:
    """A map from coordinates alone: district circles (``lat, lon, radius_km, name``), places
    (``lat, lon, name``), TPS by risk (``lat, lon, risk``) and incidents (``lat, lon, response``:
    minutes, ``None`` when never reached). Longitude is scaled by cos(latitude): distances look right.
    (The operational map is :func:`district_map`.)"""
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=(7.5, 6.0))
        lats = [p["lat"] for group in (districts, places, sites, incidents) for p in group]
        lat0 = sum(lats) / len(lats) if lats else 0.0
        ax.set_aspect(1 / max(math.cos(math.radians(lat0)), 0.1))
        ax.grid(False)
        for d in districts:
            r_lat = d["radius_km"] / 111.2
            r_lon = r_lat / max(math.cos(math.radians(d["lat"])), 0.1)
            ax.add_patch(matplotlib.patches.Ellipse((d["lon"], d["lat"]), 2 * r_lon, 2 * r_lat, fill=False,
                                                    ec="#7f8c99", lw=0.8))
            ax.text(d["lon"], d["lat"] + r_lat, plain(d["name"]), ha="center", va="bottom", fontsize=6.5,
                    color="#52606d")
        for risk, colour in RISK_COLOURS.items():
            group = [s for s in sites if s["risk"] == risk]
            if group:
                ax.scatter([s["lon"] for s in group], [s["lat"] for s in group], s=3, c=colour, lw=0,
                           label=plain(legend.get(risk, risk)), zorder=2, rasterized=True)   # thousands of dots: one image
        reached = [i for i in incidents if i["response"] is not None]
        if reached:
            dots = ax.scatter([i["lon"] for i in reached], [i["lat"] for i in reached], s=14,
                              c=[i["response"] for i in reached], cmap="plasma", ec="white", lw=0.3, zorder=3)
            bar = fig.colorbar(dots, ax=ax, shrink=0.6, pad=0.02)
            bar.set_label(plain(legend.get("response", "response")))
        never = [i for i in incidents if i["response"] is None]
        if never:
            ax.scatter([i["lon"] for i in never], [i["lat"] for i in never], s=30, marker="x", c="black", zorder=4,
                       label=plain(legend.get("never", "never reached")))
        if places:
            ax.scatter([p["lon"] for p in places], [p["lat"] for p in places], s=28, marker="s", c="#111111",
                       zorder=5, label=plain(legend.get("place", "place")))
            for p in places:
                ax.annotate(plain(p["name"]), (p["lon"], p["lat"]), xytext=(4, 3), textcoords="offset points",
                            fontsize=7, zorder=6)
        ax.set_xlabel("lon")
        ax.set_ylabel("lat")
        if ax.get_legend_handles_labels()[0]:   # without the scenario and with every incident reached, none
            ax.legend(loc="upper left", fontsize=7, markerscale=2)
        ax.autoscale_view()
        return svg(fig, title, desc)


def escalation_chart(panels: Sequence[Mapping], xlabel: str, ylabel: str, names: Mapping[str, str],
                     title: str, desc: str, *, lang: str | None = None) -> str:
    """One small panel per crowd: background coloured by level (``levels``: ``[(start h, end h, level)]``),
    the need (``need``: ``(hours, values)``) against the crew on scene (``crew``: ``(hours, values)``).
    With ``lang`` the hours are clock hours, ticked ``HH:MM`` (Indonesian ``HH.MM``)."""
    with plt.rc_context(STYLE):
        fig, axes = plt.subplots(len(panels), 1, figsize=(WIDTH, 2.0 * len(panels) + 0.5), squeeze=False)
        for ax, panel in zip(axes[:, 0], panels):
            lo, hi = math.inf, -math.inf
            for start, end, level in panel["levels"]:
                ax.axvspan(start, end, color=LEVEL_COLOURS.get(level, "#eeeeee"), lw=0)
                lo, hi = min(lo, start), max(hi, end)
            hx, hy = panel["need"]
            ax.plot(hx, hy, color="#d62728", lw=1.8, label=plain(names["need"]))
            cx, cy = panel["crew"]
            ax.step(cx, cy, where="post", color="#1f77b4", lw=1.8, label=plain(names["crew"]))
            ax.set_title(plain(panel["title"]), fontsize=9, loc="left")
            ax.set_ylabel(plain(ylabel))
            ax.set_ylim(bottom=0)
            number_axis(ax.yaxis, lang or "en")
            xs = [*hx, *cx]
            if lang is not None and (xs or math.isfinite(lo)):
                clock_axis(ax.xaxis, lang, min([lo, *xs]), max([hi, *xs]))
        axes[-1, 0].set_xlabel(plain(xlabel))
        axes[0, 0].legend(loc="upper right", fontsize=8)
        fig.tight_layout()
        return svg(fig, title, desc)


#: The parts of a response time, in the order they happen, with a fill and a hatching each: dark
#: to light in greyscale, and the wait (the part more units would shorten) hatched.
PART_STYLES = {"wait": ("#7f2704", "///"), "mobilise": ("#f4a259", ""), "travel": ("#5b8fc9", "")}


def decomposition_chart(rows: Sequence[Mapping], limit: float | None, *, lang: str = "en", title: str,
                        desc: str, xlabel: str | None = None) -> str:
    """Where the response time goes: one stacked horizontal bar per row ``{"label", "wait",
    "mobilise", "travel", "n"}`` (mean minutes of each part over the ``n`` incidents the row stands
    for: waiting for a unit = call to first dispatch, mobilising = dispatch to leaving base, travel
    = leaving base to first arrival), top to bottom in the order given; the bar's end (the mean
    response) and ``n`` are written beside it, and ``limit`` (minutes) is drawn as a dashed line."""
    parts = tuple(PART_STYLES)
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=(WIDTH, 0.42 * max(len(rows), 1) + 1.5))
        ax.grid(False)
        ax.grid(True, axis="x", alpha=0.3)
        ys = list(range(len(rows)))[::-1]
        ends, segments = [], []
        for y, row in zip(ys, rows):
            left = 0.0
            for part in parts:
                width = max(float(row.get(part) or 0.0), 0.0)
                colour, hatch = PART_STYLES[part]
                for bar in ax.barh(y, width, left=left, height=0.64, color=colour, hatch=hatch, edgecolor="white",
                                   lw=0.5):
                    hatch_colour(bar, "#ffffff")
                segments.append((left, width, y, part))
                left += width
            ends.append(left)
            end = t("chart_bar_end", lang, minutes=number(left, lang), n=number(int(row.get("n") or 0), lang, 0))
            ax.text(left, y, f"  {end}",
                    va="center", ha="left", fontsize=9, color="#333333")
        ax.set_yticks(ys)
        ax.set_yticklabels([plain(r["label"]) for r in rows])
        right = max([*ends, limit or 0.0, 1.0])
        ax.set_xlim(0, right * 1.28)
        for left, width, y, part in segments:   # the minutes of a part, inside it where it is wide enough
            if width >= 0.07 * right:
                ax.text(left + width / 2, y, number(width, lang), ha="center", va="center", fontsize=8.5,
                        color="#ffffff" if _dark(PART_STYLES[part][0]) else "#111111")
        if limit is not None:
            ax.axvline(limit, color="#111111", ls="--", lw=1.6, zorder=4)
            ax.text(limit, 1.0, f" {plain(t('chart_limit', lang, limit=number(limit, lang, 0)))}",
                    transform=ax.get_xaxis_transform(), ha="left", va="bottom", fontsize=9, fontweight="bold")
        number_axis(ax.xaxis, lang)
        ax.set_xlabel(plain(xlabel or t("chart_minutes_from_call", lang)))
        handles = [Patch(facecolor=PART_STYLES[p][0], hatch=PART_STYLES[p][1], edgecolor="white") for p in parts]
        ax.legend(handles, [plain(t(f"chart_{p}", lang)) for p in parts], loc="lower center", ncol=3,
                  bbox_to_anchor=(0.5, 1.06), fontsize=9)
        ax.spines["left"].set_visible(False)
        ax.tick_params(axis="y", length=0)
        fig.tight_layout()
        return svg(fig, title, desc)

