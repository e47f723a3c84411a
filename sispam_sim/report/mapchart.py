"""The operational map: districts filled by the share of incidents over a limit, bases by kind.

One map answers "where does it fail": each district is filled by the share of its incidents over
the limit (calls not reached within the response limit; TPS stopped longer than the downtime
limit) on a scale in two parts that breaks at the target's share (a p90 target allows 10% over
the limit): within the target pale greens, over it oranges to dark red, hatched, so the break
shows on a projector and in greyscale print. A district with too few incidents to judge is grey.

District shapes come from ``map.boundaries`` (:mod:`sispam_sim.scenario.boundaries`) when the
scenario gives them; otherwise each district is the cell of the points nearer to its centre than
to any other (Voronoi, clipped to the map's box), and the map says it is approximate. Bases have
one symbol per kind (:data:`~sispam_sim.report.organisations.BASE_KINDS`); labels are placed
greedily around their anchors (:func:`~sispam_sim.report.geometry.place_labels`): districts over
the target first, then the bases, then the other districts; what cannot be placed without
overlapping is left out, and the figure and its ``<desc>`` say which.
"""

from __future__ import annotations

import math
import textwrap
from typing import Mapping, NamedTuple, Sequence

from sispam_sim.report.chartbase import STYLE, hatch_colour, percent, plain, svg
from sispam_sim.report.geometry import (Box, Label, circle, place_labels, polygon_area, project, simplify,
                                        voronoi_cells)
from sispam_sim.report.i18n import t
from sispam_sim.report.organisations import BASE_KINDS

import matplotlib  # noqa: E402  (chartbase selected the Agg backend)
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.colors import ListedColormap, Normalize, to_hex, to_rgb  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.patches import Patch, PathPatch, Rectangle  # noqa: E402
from matplotlib.path import Path  # noqa: E402

__all__ = ["district_map", "draw_map", "share_colour", "is_over", "WITHIN", "OVER", "FEW_COLOUR", "NONE_COLOUR"]

#: The two parts of the scale: (at 0, at the target) and (just over the target, at 100%). Lightness
#: falls all the way and drops at the break (L* 98 -> 84 | 67 -> 25).
WITHIN = ("#f7fcf5", "#a1d99b")
OVER = ("#fc8d59", "#7f0000")
FEW_COLOUR = "#cfcfcf"     # fewer incidents than ``min_n``: too few to judge
NONE_COLOUR = "#f2f2f2"    # no incident at all
OVER_HATCH = "////"
#: A share counts as over the target only beyond this: 1/10 over a p90's 1 - 0.9 = 0.09999999999999998.
TOLERANCE = 1e-9
KM_PER_DEGREE = 6371.0 * math.pi / 180.0


def is_over(share: float, target: float) -> bool:
    """Whether a share over the limit breaks the target (a share equal to the target meets it)."""
    return share > target + TOLERANCE


def _mix(a: str, b: str, f: float) -> str:
    ra, rb = to_rgb(a), to_rgb(b)
    f = min(max(f, 0.0), 1.0)
    return to_hex(tuple(x + (y - x) * f for x, y in zip(ra, rb)))


def share_colour(share: float | None, target: float) -> str:
    """The fill for a share over the limit: :data:`WITHIN` from 0 up to the target (included),
    :data:`OVER` from just over it up to 1; ``None`` (no incident) is :data:`NONE_COLOUR`."""
    if share is None:
        return NONE_COLOUR
    if not is_over(share, target):
        return _mix(*WITHIN, share / target if target > 0 else 0.0)
    return _mix(*OVER, (share - target) / (1 - target) if target < 1 else 1.0)


class MapLayout(NamedTuple):
    """What :func:`draw_map` drew: the figure, the labels placed (text, artist), the labels left out
    and the notes written under the map."""

    figure: object
    labels: list
    dropped: list[str]
    notes: list[str]


def _ring_path(rings: Sequence[Sequence[tuple[float, float]]]) -> Path:
    """One compound path; the first ring of each polygon counter-clockwise, its holes clockwise, so
    that the SVG's nonzero fill leaves the holes empty."""
    vertices, codes = [], []
    for ring, outer in rings:
        ring = list(ring[:-1]) if len(ring) > 3 and ring[0] == ring[-1] else list(ring)
        if len(ring) < 3:
            continue
        if (polygon_area(ring) > 0) != outer:
            ring.reverse()
        vertices += ring + [ring[0]]
        codes += [Path.MOVETO] + [Path.LINETO] * (len(ring) - 1) + [Path.CLOSEPOLY]
    return Path(vertices, codes) if vertices else Path([(0, 0)], [Path.MOVETO])


def _scale_km(width_km: float) -> float:
    """The longest round length at most a fifth of the map's width."""
    return max((k for k in (0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000) if k <= width_km / 5), default=0.5)


def draw_map(districts: Sequence[Mapping], places: Sequence[Mapping], target: float, *, lang: str = "en",
             metric: str = "", shapes: Mapping[str, Sequence] | None = None, min_n: int = 5) -> MapLayout:
    """The map as a matplotlib figure (:func:`district_map` takes the arguments and renders it)."""
    names = {d["id"]: plain(d.get("name") or d["id"]) for d in districts}
    points = list(districts) + list(places)
    lat0 = (sum(p["lat"] for p in points) / len(points)) if points else 0.0
    proj = {d["id"]: project(d["lat"], d["lon"], lat0) for d in districts}
    xs: list[float] = []
    ys: list[float] = []
    for d in districts:
        x, y = proj[d["id"]]
        r = float(d.get("radius_km") or 0.0) / KM_PER_DEGREE
        xs += [x - r, x + r]
        ys += [y - r, y + r]
    for p in places:
        x, y = project(p["lat"], p["lon"], lat0)
        xs.append(x)
        ys.append(y)
    shaped = {d["id"]: shapes[d["id"]] for d in districts if shapes and d["id"] in shapes}
    for polygons in shaped.values():
        for polygon in polygons:
            for lon, lat in polygon[0]:
                x, y = project(lat, lon, lat0)
                xs.append(x)
                ys.append(y)
    if not xs:
        xs, ys = [0.0, 1.0], [0.0, 1.0]
    span = max(max(xs) - min(xs), max(ys) - min(ys), 0.01)
    pad = 0.04 * span
    box = Box(min(xs) - pad, min(ys) - pad, max(xs) + pad, max(ys) + pad)

    cells: dict[str, list] = {}
    circles: list[str] = []
    if shapes is None:
        for d, cell in zip(districts, voronoi_cells([proj[d["id"]] for d in districts], box)):
            cells[d["id"]] = [(cell, True)]
    else:
        tolerance = span / 1500
        for d in districts:
            if d["id"] in shaped:
                cells[d["id"]] = [(simplify([project(lat, lon, lat0) for lon, lat in ring], tolerance), k == 0)
                                  for polygon in shaped[d["id"]] for k, ring in enumerate(polygon)]
            else:
                r = max(float(d.get("radius_km") or 1.0), 0.1) / KM_PER_DEGREE
                cells[d["id"]] = [(circle(proj[d["id"]], r), True)]
                circles.append(names[d["id"]])

    # the figure follows the map's shape: 7.8 in of map beside the scale and legend (2.2 in), under
    # it 1 in for the notes
    map_w = 7.8
    map_h = min(max(map_w * (box.y1 - box.y0) / (box.x1 - box.x0), 4.0), 9.0)
    fig_w, fig_h = 10.0, map_h + 1.3
    with plt.rc_context(STYLE):
        fig = plt.figure(figsize=(fig_w, fig_h))
        ax = fig.add_axes((0.01, 1.0 / fig_h, map_w / fig_w, map_h / fig_h))
        ax.set_axis_off()
        ax.set_xlim(box.x0, box.x1)
        ax.set_ylim(box.y0, box.y1)
        ax.set_aspect("equal", adjustable="box")
        present = set()
        for d in districts:
            n = int(d.get("n") or 0)
            over = d.get("over")
            if n == 0 or over is None:
                fill, hatched = NONE_COLOUR, False
                present.add("none")
            elif n < min_n:
                fill, hatched = FEW_COLOUR, False
                present.add("few")
            else:
                fill, hatched = share_colour(over, target), is_over(over, target)
            path = _ring_path(cells[d["id"]])
            patch = PathPatch(path, facecolor=fill, edgecolor="#ffffff", lw=1.0, zorder=1)
            patch.set_gid(f"district-{d['id']}")
            ax.add_patch(patch)
            if hatched:
                present.add("over")
                overlay = ax.add_patch(PathPatch(path, fill=False, hatch=OVER_HATCH, lw=0, zorder=2))
                hatch_colour(overlay, "#ffffff8c")
            ax.add_patch(PathPatch(path, fill=False, edgecolor="#6b6b6b", lw=0.5, zorder=2))
        kinds_present = [kind for kind in BASE_KINDS if any(p.get("kind", "landmark") == kind for p in places)]
        for rank, kind in enumerate(reversed(kinds_present)):   # the Polres last, on top of the bases near it
            marker, size, colour = BASE_KINDS[kind]
            pts = [project(p["lat"], p["lon"], lat0) for p in places if p.get("kind", "landmark") == kind]
            edge = "#333333" if kind == "landmark" else "#ffffff"
            ax.scatter([x for x, _ in pts], [y for _, y in pts], s=size, marker=marker, c=colour, edgecolors=edge,
                       linewidths=0.8, zorder=4 + rank / 100)
        # the scale bar, bottom left
        km = _scale_km((box.x1 - box.x0) * KM_PER_DEGREE)
        sx, sy = box.x0 + 0.03 * (box.x1 - box.x0), box.y0 + 0.03 * (box.y1 - box.y0)
        ax.plot([sx, sx + km / KM_PER_DEGREE], [sy, sy], color="#222222", lw=3, solid_capstyle="butt", zorder=5)
        scale = ax.text(sx, sy + 0.012 * (box.y1 - box.y0), t("chart_scale_km", lang, km=km), fontsize=8,
                        va="bottom", ha="left", zorder=5)

        ax.apply_aspect()
        renderer = fig.canvas.get_renderer()
        bounds = Box(*ax.get_window_extent(renderer).extents)
        px = fig.dpi / 72.0
        obstacles = []
        for kind in kinds_present:
            half = math.sqrt(BASE_KINDS[kind][1]) / 2 * px + 1
            for p in places:
                if p.get("kind", "landmark") == kind:
                    X, Y = ax.transData.transform(project(p["lat"], p["lon"], lat0))
                    obstacles.append(Box(X - half, Y - half, X + half, Y + half))
        scale_box = scale.get_window_extent(renderer)
        obstacles.append(Box(bounds.x0, bounds.y0, scale_box.x1 + 4, scale_box.y1 + 4))
        placed, dropped = _labels(ax, renderer, districts, places, names, target, min_n, lat0, lang, bounds,
                                  obstacles, px)
        top = (1.0 + map_h) / fig_h
        _colour_scale(fig, target, metric, lang, top)
        _legend(fig, kinds_present, present, min_n, lang, top - 0.58 * map_h / fig_h)
        notes = []
        if shapes is None and districts:
            notes.append(t("chart_cells_approximate", lang))
        if circles:
            notes.append(t("chart_circles_approximate", lang, districts=", ".join(circles)))
        if dropped:
            notes.append(t("chart_labels_dropped", lang, n=len(dropped), names=", ".join(dropped)))
        if notes:
            below = ax.get_position().y0 - 0.1 / fig_h
            fig.text(0.01, below, "\n".join(textwrap.fill(plain(n), 150) for n in notes), fontsize=8,
                     va="top", ha="left", color="#333333")
        return MapLayout(fig, placed, dropped, notes)


def _labels(ax, renderer, districts, places, names, target, min_n, lat0, lang, bounds, obstacles, px):
    """Place the labels: districts over the target (the worst first), the other districts with enough
    incidents to judge (most first), the bases that are not a Polsek (a Polsek is named by its
    district), the other districts, then landmarks."""
    def judged(d):
        return int(d.get("n") or 0) >= min_n and d.get("over") is not None

    def by_n(d):
        return -int(d.get("n") or 0), d["id"]

    over = sorted((d for d in districts if judged(d) and is_over(d["over"], target)), key=lambda d: (-d["over"], d["id"]))
    ids = {d["id"] for d in over}
    within = sorted((d for d in districts if judged(d) and d["id"] not in ids), key=by_n)
    ids |= {d["id"] for d in within}
    rest = sorted((d for d in districts if d["id"] not in ids), key=by_n)
    kinds = list(BASE_KINDS)
    bases = sorted((p for p in places if p.get("kind", "landmark") not in ("polsek", "landmark")),
                   key=lambda p: (kinds.index(p["kind"]) if p["kind"] in kinds else len(kinds), p["id"]))
    landmarks = [p for p in places if p.get("kind", "landmark") == "landmark"]
    wanted = [("district", d) for d in over + within] + [("base", p) for p in bases]
    wanted += [("district", d) for d in rest] + [("base", p) for p in landmarks]
    symbols = [(ax.transData.transform(project(p["lat"], p["lon"], lat0)),
                math.sqrt(BASE_KINDS.get(p.get("kind", "landmark"), BASE_KINDS["landmark"])[1]) / 2 * px)
               for p in places]
    texts, labels = [], []
    for what, item in wanted:
        x, y = project(item["lat"], item["lon"], lat0)
        if what == "district":
            n = int(item.get("n") or 0)
            name = names[item["id"]]
            second = percent(item["over"], lang) if judged(item) else (f"n = {n}" if n else "")
            text = f"{name}\n{second}" if second else name
            style = dict(fontsize=8, fontweight="bold" if judged(item) and is_over(item["over"], target) else "normal",
                         color="#111111", linespacing=1.0)
        else:
            name = plain(item.get("name") or item["id"])
            text = name
            style = dict(fontsize=7.5, fontstyle="italic", color="#1a1a1a")
        artist = ax.text(x, y, text, ha="center", va="center", zorder=6, clip_on=False,
                         bbox=dict(boxstyle="round,pad=0.18", fc="white", ec="none", alpha=0.78), **style)
        extent = artist.get_window_extent(renderer)
        grow = 2 * 0.18 * style["fontsize"] * px
        X, Y = ax.transData.transform((x, y))
        clear = max((half for (sx, sy), half in symbols if abs(sx - X) <= 2 and abs(sy - Y) <= 2), default=0.0)
        # 8% wider than matplotlib measures it: the SVG keeps its text as text, and a browser without
        # DejaVu Sans sets it in a font of its own, a little wider or narrower
        labels.append(Label(X, Y, extent.width * 1.08 + grow, extent.height + grow,
                            centred=what == "district" and not clear, clear=clear))
        texts.append((name, artist, (X, Y)))
    spots = place_labels(labels, bounds, obstacles)
    placed, dropped = [], []
    inverse = ax.transData.inverted()
    for (name, artist, (X, Y)), spot in zip(texts, spots):
        if spot is None:
            artist.remove()
            dropped.append(name)
            continue
        box = spot.box
        artist.set_position(tuple(inverse.transform(((box.x0 + box.x1) / 2, (box.y0 + box.y1) / 2))))
        if spot.ring > 0:   # set apart from its anchor: a leader line back to it
            ex, ey = min(max(X, box.x0), box.x1), min(max(Y, box.y0), box.y1)
            (x0, y0), (x1, y1) = inverse.transform((X, Y)), inverse.transform((ex, ey))
            ax.plot([x0, x1], [y0, y1], color="#444444", lw=0.6, zorder=5)
        placed.append((name, artist))
    return placed, dropped


def _colour_scale(fig, target: float, metric: str, lang: str, top: float) -> None:
    """The colour scale at the right: 0 to 100% with the break at the target marked and named."""
    height = 0.4 * (top - 0.1)
    cax = fig.add_axes((0.83, top - height - 0.08, 0.028, height))
    samples = [k / 400 for k in range(401)]
    cmap = ListedColormap([share_colour(s, target) for s in samples])
    bar = matplotlib.colorbar.Colorbar(cax, cmap=cmap, norm=Normalize(0.0, 1.0), orientation="vertical")
    over = cax.add_patch(Rectangle((0, target), 1, 1 - target, fill=False, hatch=OVER_HATCH, lw=0,
                                   transform=cax.transData))
    hatch_colour(over, "#ffffff8c")
    cax.axhline(target, color="#000000", lw=2.2)
    ticks = sorted({0.0, 1.0, target, *(v for v in (0.25, 0.5, 0.75) if abs(v - target) > 0.06)})
    bar.set_ticks(ticks)
    bar.set_ticklabels([f"{percent(v, lang)}  ◀ {t('chart_target', lang)}" if v == target else percent(v, lang)
                        for v in ticks])
    for label, v in zip(cax.get_yticklabels(), ticks):
        if v == target:
            label.set_fontweight("bold")
    cax.set_title(textwrap.fill(plain(metric), 30), fontsize=9, loc="left", pad=8)


def _legend(fig, kinds: Sequence[str], present: set, min_n: int, lang: str, top: float) -> None:
    handles, labels = [], []
    for kind in kinds:
        marker, size, colour = BASE_KINDS[kind]
        handles.append(Line2D([], [], ls="", marker=marker, markersize=math.sqrt(size), markerfacecolor=colour,
                              markeredgecolor="#333333" if kind == "landmark" else "#ffffff"))
        labels.append(plain(t(f"base_{kind}", lang)))
    if "over" in present:
        handles.append(Patch(facecolor=OVER[0], hatch=OVER_HATCH, edgecolor="#ffffff"))
        labels.append(t("chart_over_target", lang))
    if "few" in present:
        handles.append(Patch(facecolor=FEW_COLOUR, edgecolor="#6b6b6b", lw=0.5))
        labels.append(t("chart_few_calls", lang, n=min_n))
    if "none" in present:
        handles.append(Patch(facecolor=NONE_COLOUR, edgecolor="#6b6b6b", lw=0.5))
        labels.append(t("chart_no_calls", lang))
    if handles:
        fig.legend(handles, [textwrap.fill(x, 30) for x in labels], loc="upper left", bbox_to_anchor=(0.80, top),
                   fontsize=8, handlelength=1.6, borderaxespad=0.0, labelspacing=0.7)


def district_map(districts: Sequence[Mapping], places: Sequence[Mapping], target: float, *, lang: str = "en",
                 title: str, desc: str, metric: str = "", shapes: Mapping[str, Sequence] | None = None,
                 min_n: int = 5) -> str:
    """The operational map as one ``<svg>``.

    ``districts``: ``{"id", "name", "lat", "lon", "radius_km", "n": incidents, "over": share of them
    over the limit (0..1; None when n is 0)}``. ``places``: ``{"id", "name", "lat", "lon", "kind"}``
    (:func:`~sispam_sim.report.organisations.map_places`). ``target``: the share over the limit the
    target allows (0.10 for a p90, 0.05 for a p95). ``metric``: the colour scale's title (what is
    over the limit). ``shapes``: district id -> polygons of ``(lon, lat)`` rings
    (``LoadedScenario.boundaries.shapes``), or None for approximate cells around the centres.
    ``min_n``: fewer incidents than this and a district is grey, "too few to judge". The notes
    under the map (approximate cells, labels left out) are added to ``desc``."""
    with plt.rc_context(STYLE):   # the SVG is written with the style too (text stays text)
        layout = draw_map(districts, places, target, lang=lang, metric=metric, shapes=shapes, min_n=min_n)
        return svg(layout.figure, title, " ".join([desc, *layout.notes]).strip())
