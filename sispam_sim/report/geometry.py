"""Plane geometry for the report's maps: a flat projection, Voronoi cells, and labels that do not collide.

Pure functions of coordinates (no matplotlib), so that each is tested on its own:

* :func:`project`: longitude and latitude to a plane where a kilometre east is as long as a
  kilometre north (equirectangular at the map's mean latitude: over a regency, ~70 km, the
  error is far below a line's width);
* :func:`voronoi_cells`: the cell of each district centre (the points nearer to it than to any
  other centre), clipped to the map's box, by half-plane clipping; the cells cover the box and
  each holds its centre;
* :func:`place_labels`: greedy placement of text boxes around their anchors, in the order given
  (the most important first), never over another label or an obstacle; what cannot be placed is
  left out and reported.
"""

from __future__ import annotations

import math
from typing import NamedTuple, Sequence

Point = tuple[float, float]
Polygon = list[Point]

__all__ = ["Box", "project", "clip", "voronoi_cells", "polygon_area", "contains", "circle", "simplify",
           "place_labels", "OFFSETS", "Label", "Placed"]


class Box(NamedTuple):
    """An axis-aligned rectangle ``x0 <= x <= x1``, ``y0 <= y <= y1``."""

    x0: float
    y0: float
    x1: float
    y1: float

    def overlaps(self, other: "Box") -> bool:
        return self.x0 < other.x1 and other.x0 < self.x1 and self.y0 < other.y1 and other.y0 < self.y1

    def inside(self, other: "Box") -> bool:
        return other.x0 <= self.x0 and self.x1 <= other.x1 and other.y0 <= self.y0 and self.y1 <= other.y1

    def polygon(self) -> Polygon:
        return [(self.x0, self.y0), (self.x1, self.y0), (self.x1, self.y1), (self.x0, self.y1)]


def project(lat: float, lon: float, lat0: float) -> Point:
    """(x, y) in degrees of latitude: ``x = lon cos(lat0)``, ``y = lat``."""
    return lon * math.cos(math.radians(lat0)), lat


def clip(polygon: Polygon, a: float, b: float, c: float) -> Polygon:
    """The part of a convex or concave ``polygon`` where ``a x + b y <= c`` (Sutherland-Hodgman)."""
    out: Polygon = []
    n = len(polygon)
    for i in range(n):
        p, q = polygon[i], polygon[(i + 1) % n]
        fp, fq = a * p[0] + b * p[1] - c, a * q[0] + b * q[1] - c
        if fp <= 0:
            out.append(p)
        if (fp < 0 < fq) or (fq < 0 < fp):
            t = fp / (fp - fq)
            out.append((p[0] + t * (q[0] - p[0]), p[1] + t * (q[1] - p[1])))
    return out


def voronoi_cells(points: Sequence[Point], box: Box) -> list[Polygon]:
    """The Voronoi cell of each point, clipped to ``box`` (points outside the box get the part of
    their cell inside it, possibly empty). Each cell is the box cut by the half-plane nearer to its
    point than to each other point; the others are taken nearest first, and once every vertex of the
    cell is nearer to its point than half the distance to the next one, no farther point can cut
    it. Two points at the same place share one cell (the first keeps it, the second is given the
    same polygon)."""
    cells: list[Polygon] = []
    for i, (px, py) in enumerate(points):
        others = sorted((((qx - px) ** 2 + (qy - py) ** 2), j) for j, (qx, qy) in enumerate(points) if j != i)
        cell = box.polygon()
        for d2, j in others:
            if d2 == 0:
                continue   # the same place: the same cell
            reach = max(((x - px) ** 2 + (y - py) ** 2 for x, y in cell), default=0.0)
            if d2 > 4 * reach:   # the bisector lies beyond the farthest vertex: it cuts nothing, nor do later ones
                break
            qx, qy = points[j]
            # nearer to p than to q:  2 (q - p) . x <= |q|^2 - |p|^2
            cell = clip(cell, 2 * (qx - px), 2 * (qy - py), qx * qx + qy * qy - px * px - py * py)
            if not cell:
                break
        cells.append(cell)
    return cells


def polygon_area(polygon: Polygon) -> float:
    """Signed area (shoelace): positive for a counter-clockwise ring."""
    n = len(polygon)
    return 0.5 * sum(polygon[k][0] * polygon[(k + 1) % n][1] - polygon[(k + 1) % n][0] * polygon[k][1]
                     for k in range(n))


def contains(polygon: Polygon, point: Point) -> bool:
    """Whether ``point`` lies inside ``polygon`` or on its edge (ray casting, edges counted in)."""
    x, y = point
    inside = False
    n = len(polygon)
    for k in range(n):
        (x0, y0), (x1, y1) = polygon[k], polygon[(k + 1) % n]
        cross = (x1 - x0) * (y - y0) - (y1 - y0) * (x - x0)
        if abs(cross) <= 1e-12 * max(1.0, abs(x1 - x0) + abs(y1 - y0)) and \
                min(x0, x1) - 1e-12 <= x <= max(x0, x1) + 1e-12 and min(y0, y1) - 1e-12 <= y <= max(y0, y1) + 1e-12:
            return True
        if (y0 > y) != (y1 > y) and x < x0 + (y - y0) * (x1 - x0) / (y1 - y0):
            inside = not inside
    return inside


def circle(centre: Point, radius: float, steps: int = 48) -> Polygon:
    cx, cy = centre
    return [(cx + radius * math.cos(2 * math.pi * k / steps), cy + radius * math.sin(2 * math.pi * k / steps))
            for k in range(steps)]


def simplify(ring: Sequence[Point], tolerance: float) -> Polygon:
    """``ring`` without the vertices nearer than ``tolerance`` to the last one kept (radial distance;
    at least 3 vertices stay): a shape drawn at a map's scale needs no detail finer than a line."""
    if len(ring) <= 4 or tolerance <= 0:
        return list(ring)
    kept = [ring[0]]
    for p in ring[1:-1]:
        if (p[0] - kept[-1][0]) ** 2 + (p[1] - kept[-1][1]) ** 2 >= tolerance ** 2:
            kept.append(p)
    kept.append(ring[-1])
    return kept if len(kept) >= 4 else list(ring)


#: Where a label may go around its anchor, tried in this order: (dx, dy, ring) with dx, dy in units
#: of the label's half-width and half-height plus the clearance: right, left, above, below and the
#: diagonals beside the anchor (ring 0), then the same twice and three times as far (rings 1 and 2,
#: drawn with a leader line back to the anchor).
OFFSETS: tuple[tuple[float, float, int], ...] = tuple(
    (sx * r, sy * r, ring) for ring, r in enumerate((1.0, 2.2, 3.6))
    for sx, sy in ((1, 0), (-1, 0), (0, -1), (0, 1), (1, 1), (-1, 1), (1, -1), (-1, -1)))


class Label(NamedTuple):
    """A label to place: its anchor (display units), its text box size, whether it may sit centred
    on its anchor (a district name inside its cell) before it tries beside it, and the clearance to
    keep from the anchor (the half-size of a symbol drawn there)."""

    x: float
    y: float
    width: float
    height: float
    centred: bool = False
    clear: float = 0.0


class Placed(NamedTuple):
    """Where a label went: its box, and the ring of :data:`OFFSETS` (-1 centred on the anchor)."""

    box: Box
    ring: int


def place_labels(labels: Sequence[Label], bounds: Box, obstacles: Sequence[Box] = (), gap: float = 2.0
                 ) -> list[Placed | None]:
    """For each label, in order, where it goes, or None when every position around its anchor would
    overlap a label placed before it or an obstacle, or leave ``bounds``."""
    placed: list[Box] = list(obstacles)
    out: list[Placed | None] = []
    for label in labels:
        hw, hh = label.width / 2, label.height / 2
        tries = (((0.0, 0.0, -1),) if label.centred else ()) + OFFSETS
        chosen = None
        for dx, dy, ring in tries:
            cx = label.x + dx * (hw + gap + label.clear)
            cy = label.y + dy * (hh + gap + label.clear)
            box = Box(cx - hw, cy - hh, cx + hw, cy + hh)
            if box.inside(bounds) and not any(box.overlaps(other) for other in placed):
                chosen = Placed(box, ring)
                break
        out.append(chosen)
        if chosen is not None:
            placed.append(chosen.box)
    return out
