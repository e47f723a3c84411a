"""The report's charts: matplotlib figures rendered to inline SVG with alt text.

Imported only when a report is written (``report.html``, ``comparison.html``): matplotlib
takes a good part of a second to import, and ``validate`` or ``run`` without ``--out`` must
not pay for it. The Agg backend is selected before pyplot is touched (no display needed).
Every chart is a pure function of plain data (lists of numbers) and returns one ``<svg>``
element carrying ``role="img"``, an ``aria-label`` and ``<title>``/``<desc>`` for screen readers
and for anyone reading the file. The SVG is deterministic (fixed hash salt, no date), so a
report rebuilt from the same files is byte-identical.
"""

from __future__ import annotations

import html
import io
import math
import re
from typing import Mapping, Sequence

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

__all__ = ["cdf_chart", "personnel_chart", "map_chart", "escalation_chart", "RISK_COLOURS", "LEVEL_COLOURS"]

#: Colours a projector shows apart (and that survive greyscale print by lightness).
RISK_COLOURS = {"aman": "#9aa5b1", "rawan": "#f0a030", "sangat_rawan": "#d62728"}
LEVEL_COLOURS = {1: "#d8f0d8", 2: "#fff1b8", 3: "#ffd0d0"}
SERIES = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf")

_STYLE = {
    "svg.fonttype": "none",          # text stays text: smaller, selectable, scales on a projector
    "svg.hashsalt": "sispam-sim",    # stable element ids: the same report, byte for byte
    "font.size": 10,
    "font.family": "sans-serif",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "legend.frameon": False,
}


_DECIMALS = re.compile(r"(\d\.\d)\d+")


def _svg(fig, title: str, desc: str) -> str:
    """The figure as one accessible ``<svg>`` element (no XML prolog, no fixed pixel size)."""
    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight", metadata={"Date": None, "Creator": None})
    plt.close(fig)
    text = buf.getvalue()
    text = text[text.index("<svg"):]
    text = re.sub(r"<metadata>.*?</metadata>", "", text, flags=re.S)   # an RDF block naming purl.org: not needed
    text = _DECIMALS.sub(r"\1", text)   # a tenth of a point is finer than any screen: a third of the bytes
    head_end = text.index(">") + 1
    head = text[:head_end]
    head = re.sub(r'\s(width|height)="[^"]*"', "", head, count=2)
    label = html.escape(title, quote=True)
    head = head[:-1] + f' role="img" aria-label="{label}" preserveAspectRatio="xMidYMid meet">'
    return (head + f"<title>{html.escape(title)}</title><desc>{html.escape(desc)}</desc>"
            + text[head_end:].strip() + "\n")


def _figure(width: float, height: float, **kwargs):
    with plt.rc_context(_STYLE):
        return plt.subplots(figsize=(width, height), **kwargs)


#: Steps a CDF curve is drawn with at most: finer than a projector shows, and the SVG stays small
#: however many incidents a run has.
CDF_STEPS = 2000


def cdf_chart(series: Sequence[Mapping], limit: float | None, quantile: float | None, band: Sequence[float] | None,
              xlabel: str, ylabel: str, title: str, desc: str, censored_note: str) -> str:
    """Empirical CDFs of response times: each series ``{"label", "values" (finite), "n" (all, censored
    included)}``. The curve stops below 1 by the censored share; ``limit`` draws the target line,
    ``band`` the target's interval, ``quantile`` the share the target asks for."""
    with plt.rc_context(_STYLE):
        fig, ax = plt.subplots(figsize=(7.5, 3.6))
        top = 1.0
        for i, s in enumerate(series):
            values = sorted(s["values"])
            n = max(int(s["n"]), 1)
            xs = [0.0, *values]
            ys = [0.0, *((k + 1) / n for k in range(len(values)))]
            if len(xs) > CDF_STEPS + 1:   # thousands of days: keep the picture, not every step
                keep = sorted({round(i * (len(xs) - 1) / CDF_STEPS) for i in range(CDF_STEPS + 1)})
                xs, ys = [xs[i] for i in keep], [ys[i] for i in keep]
            ax.step(xs, ys, where="post", color=SERIES[i % len(SERIES)], lw=2, label=s["label"])
            share = len(values) / n
            if share < 1:
                ax.annotate(censored_note.format(share=f"{share:.0%}"), (xs[-1], share), xytext=(4, -12),
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
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
        ax.yaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0))
        if len(series) > 1:
            ax.legend(loc="lower right")
        return _svg(fig, title, desc)


def personnel_chart(hours: Sequence[float], panels: Sequence[tuple[str, Mapping[str, Sequence[float]]]],
                    windows: Sequence[tuple[float, float, str]], xlabel: str, title: str, desc: str) -> str:
    """Personnel over the day: one panel per quantity (committed, on scene, free), one stacked area per
    unit type; ``windows`` are ``(start hour, end hour, label)`` shaded on every panel."""
    with plt.rc_context(_STYLE):
        fig, axes = plt.subplots(len(panels), 1, figsize=(7.5, 2.0 * len(panels) + 0.6), sharex=True)
        axes = list(axes) if len(panels) > 1 else [axes]
        types = list(dict.fromkeys(t for _, by_type in panels for t in by_type))
        colour = {t: SERIES[i % len(SERIES)] for i, t in enumerate(types)}
        for ax, (name, by_type) in zip(axes, panels):
            for start, end, label in windows:
                ax.axvspan(start, end, color="#4c78a8", alpha=0.08, lw=0)
            if by_type:
                columns = list(by_type.values())
                keep = [g for g in range(len(hours))   # a step that changes nothing draws nothing: leave it out
                        if g in (0, len(hours) - 1) or any(c[g] != c[g - 1] for c in columns)]
                ax.stackplot([hours[g] for g in keep], *[[c[g] for g in keep] for c in columns], colors=[colour[t] for t in by_type],
                             labels=list(by_type), step="post", alpha=0.85, lw=0)
            ax.set_ylabel(name)
        top = axes[0]
        for start, end, label in windows:
            top.text((start + end) / 2, 1.02, label, transform=top.get_xaxis_transform(), ha="center",
                     va="bottom", fontsize=8, color="#2b4a6f")
        axes[-1].set_xlabel(xlabel)
        handles, labels = axes[-1].get_legend_handles_labels()
        if handles:
            fig.legend(handles, labels, loc="lower center", ncol=min(4, len(labels)), bbox_to_anchor=(0.5, -0.08),
                       fontsize=8)
        return _svg(fig, title, desc)


def map_chart(districts: Sequence[Mapping], places: Sequence[Mapping], sites: Sequence[Mapping],
              incidents: Sequence[Mapping], legend: Mapping[str, str], title: str, desc: str) -> str:
    """A map from coordinates alone: district circles (``lat, lon, radius_km, name``), places
    (``lat, lon, name``), TPS by risk (``lat, lon, risk``) and incidents (``lat, lon, response``:
    minutes, ``None`` when never reached). Longitude is scaled by cos(latitude): distances look right."""
    with plt.rc_context(_STYLE):
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
            ax.text(d["lon"], d["lat"] + r_lat, d["name"], ha="center", va="bottom", fontsize=6.5, color="#52606d")
        for risk, colour in RISK_COLOURS.items():
            group = [s for s in sites if s["risk"] == risk]
            if group:
                ax.scatter([s["lon"] for s in group], [s["lat"] for s in group], s=3, c=colour, lw=0,
                           label=legend.get(risk, risk), zorder=2, rasterized=True)   # thousands of dots: one image
        reached = [i for i in incidents if i["response"] is not None]
        if reached:
            dots = ax.scatter([i["lon"] for i in reached], [i["lat"] for i in reached], s=14,
                              c=[i["response"] for i in reached], cmap="plasma", ec="white", lw=0.3, zorder=3)
            bar = fig.colorbar(dots, ax=ax, shrink=0.6, pad=0.02)
            bar.set_label(legend.get("response", "response"))
        never = [i for i in incidents if i["response"] is None]
        if never:
            ax.scatter([i["lon"] for i in never], [i["lat"] for i in never], s=30, marker="x", c="black", zorder=4,
                       label=legend.get("never", "never reached"))
        if places:
            ax.scatter([p["lon"] for p in places], [p["lat"] for p in places], s=28, marker="s", c="#111111",
                       zorder=5, label=legend.get("place", "place"))
            for p in places:
                ax.annotate(p["name"], (p["lon"], p["lat"]), xytext=(4, 3), textcoords="offset points",
                            fontsize=7, zorder=6)
        ax.set_xlabel("lon")
        ax.set_ylabel("lat")
        if ax.get_legend_handles_labels()[0]:   # without the scenario and with every incident reached, none
            ax.legend(loc="upper left", fontsize=7, markerscale=2)
        ax.autoscale_view()
        return _svg(fig, title, desc)


def escalation_chart(panels: Sequence[Mapping], xlabel: str, ylabel: str, names: Mapping[str, str],
                     title: str, desc: str) -> str:
    """One small panel per crowd: background coloured by level (``levels``: ``[(start h, end h, level)]``),
    the need (``need``: ``(hours, values)``) against the crew on scene (``crew``: ``(hours, values)``)."""
    with plt.rc_context(_STYLE):
        fig, axes = plt.subplots(len(panels), 1, figsize=(7.5, 1.9 * len(panels) + 0.4), squeeze=False)
        for ax, panel in zip(axes[:, 0], panels):
            for start, end, level in panel["levels"]:
                ax.axvspan(start, end, color=LEVEL_COLOURS.get(level, "#eeeeee"), lw=0)
            hx, hy = panel["need"]
            ax.plot(hx, hy, color="#d62728", lw=1.8, label=names["need"])
            cx, cy = panel["crew"]
            ax.step(cx, cy, where="post", color="#1f77b4", lw=1.8, label=names["crew"])
            ax.set_title(panel["title"], fontsize=9, loc="left")
            ax.set_ylabel(ylabel)
            ax.set_ylim(bottom=0)
        axes[-1, 0].set_xlabel(xlabel)
        axes[0, 0].legend(loc="upper right", fontsize=8)
        fig.tight_layout()
        return _svg(fig, title, desc)
