"""The report's charts: the operational map's colour scale and cells, labels that do not collide, a
palette for 12+ unit types, clock times on time axes, and scenario text that stays text.

Values are asserted where they land in the SVG (a district's fill, a tick's words) or in the layout
matplotlib computed (label boxes), not as whole pictures."""

from __future__ import annotations

import itertools
import random
import re
import xml.etree.ElementTree as ET

import pytest

from sispam_sim.report import charts
from sispam_sim.report.chartbase import clock_text, percent
from sispam_sim.report.geometry import Box, Label, contains, place_labels, polygon_area, voronoi_cells
from sispam_sim.report.mapchart import NONE_COLOUR, OVER, WITHIN, draw_map, is_over, share_colour
from sispam_sim.report.organisations import map_places, organisation, series_styles, unit_name, unit_organisations

HOSTILE = '<script>alert(1)</script> "><img src=x onerror=alert(2)> {{ 7*7 }} $\\frac$ \x07bell'


def _fill(svg: str, district: str) -> str:
    """The fill colour of a district's cell in the map's SVG (its patch carries the id district-ID)."""
    match = re.search(rf'<g id="district-{district}">\s*<path [^>]*style="fill: (#[0-9a-f]{{6}})', svg)
    assert match, f"no cell for {district}"
    return match.group(1)


def _district(did: str, lat: float, lon: float, n: int, over: int, name: str | None = None) -> dict:
    return {"id": did, "name": name or did.title(), "lat": lat, "lon": lon, "radius_km": 3.0, "n": n,
            "over": over / n if n else None}


# ------------------------------------------------------------------------------------ the colour scale

def test_the_colour_at_below_and_above_the_target():
    """A p90 target allows 10% over the limit (target share 0.1).

    - 1 of 10 over (0.1; ``1 - 0.9`` is 0.09999999999999998 in floating point): at the target, so the
      last colour of the within part, WITHIN[1], not an orange;
    - 1 of 20 over (0.05): halfway along the within part, the mean of #f7fcf5 and #a1d99b per
      channel: (0xf7 + 0xa1) / 2 = 0xcc, (0xfc + 0xd9) / 2 = 0xea (0xea.8 rounds to 0xeb in
      matplotlib's to_hex: 234.5 -> 235), (0xf5 + 0x9b) / 2 = 0xc8;
    - 2 of 10 over (0.2): over, one ninth of the way from OVER[0] to OVER[1];
    - none over: WITHIN[0]; all over: OVER[1]; no incident: the no-data grey."""
    target = 1 - 0.9
    assert share_colour(1 / 10, target) == WITHIN[1] and not is_over(1 / 10, target)
    assert share_colour(0.05, 0.1) == "#ccebc8"
    assert share_colour(0.2, 0.1) != OVER[0] and is_over(0.2, 0.1)
    assert share_colour(0.1 + 1e-6, 0.1) == OVER[0]
    assert share_colour(0.0, 0.1) == WITHIN[0] and share_colour(1.0, 0.1) == OVER[1]
    assert share_colour(None, 0.1) == NONE_COLOUR


def test_the_map_fills_each_district_by_its_share(tmp_path):
    """Three districts of 10 calls: 1 over (at a p90's target), 0 over, 5 over; one of 3 calls (too few to
    judge, grey) and one without calls. Their fills in the SVG are the scale's; only the one over is
    hatched (one pattern)."""
    districts = [_district("at", -8.10, 113.60, 10, 1), _district("below", -8.10, 113.70, 10, 0),
                 _district("above", -8.20, 113.60, 10, 5), _district("few", -8.20, 113.70, 3, 3),
                 _district("none", -8.30, 113.65, 0, 0)]
    svg = charts.district_map(districts, [], 1 - 0.9, title="map", desc="d", metric="calls over 15 min")
    assert _fill(svg, "at") == WITHIN[1]
    assert _fill(svg, "below") == WITHIN[0]
    assert _fill(svg, "above") == share_colour(0.5, 0.1) and share_colour(0.5, 0.1) not in WITHIN
    assert _fill(svg, "few") == "#cfcfcf" and _fill(svg, "none") == NONE_COLOUR
    assert svg.count("<pattern") == 2   # the district over the target, and the over part of the colour scale
    assert "Approximate districts" in svg   # no shapes: the cells are said to be approximate


def test_the_map_draws_the_shapes_it_is_given_and_names_the_circles():
    shapes = {"a": (((
        (113.58, -8.12), (113.62, -8.12), (113.62, -8.08), (113.58, -8.08), (113.58, -8.12)),),)}
    districts = [_district("a", -8.10, 113.60, 10, 2), _district("b", -8.10, 113.70, 10, 0, "Bee")]
    svg = charts.district_map(districts, [], 0.1, title="map", desc="d", shapes=shapes)
    assert "Approximate districts" not in svg and "Drawn as circles" in svg and "Bee" in svg


# ------------------------------------------------------------------------------------ the cells

def _box_and_points(seed: int, n: int) -> tuple[Box, list[tuple[float, float]]]:
    rng = random.Random(seed)
    box = Box(0.0, 0.0, 3.0, 2.0)
    return box, [(rng.uniform(0.1, 2.9), rng.uniform(0.1, 1.9)) for _ in range(n)]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_voronoi_cells_cover_the_box_and_hold_their_centres(seed):
    """31 centres (Jember's kecamatan count): the cells' areas sum to the box's (3 x 2 = 6), each cell
    holds its centre, and a point of the box lies in the cell of its nearest centre."""
    box, points = _box_and_points(seed, 31)
    cells = voronoi_cells(points, box)
    assert sum(abs(polygon_area(c)) for c in cells) == pytest.approx(6.0, abs=1e-9)
    assert all(contains(cell, p) for cell, p in zip(cells, points))
    rng = random.Random(seed + 100)
    for _ in range(200):
        q = (rng.uniform(0, 3), rng.uniform(0, 2))
        nearest = min(range(len(points)), key=lambda k: (points[k][0] - q[0]) ** 2 + (points[k][1] - q[1]) ** 2)
        assert contains(cells[nearest], q)


def test_two_centres_split_the_box_at_the_bisector():
    """Centres (1, 1) and (3, 1) in a 4 x 2 box: the bisector x = 2 gives each a 2 x 2 cell (area 4)."""
    cells = voronoi_cells([(1.0, 1.0), (3.0, 1.0)], Box(0, 0, 4, 2))
    assert [abs(polygon_area(c)) for c in cells] == [pytest.approx(4.0), pytest.approx(4.0)]
    assert max(x for x, _ in cells[0]) == pytest.approx(2.0) and min(x for x, _ in cells[1]) == pytest.approx(2.0)


# ------------------------------------------------------------------------------------ labels

def test_labels_are_placed_beside_a_taken_place_or_left_out():
    """Three 10 x 4 labels on one anchor (50, 50) in a 100 x 100 box, gap 2: the first goes right of it
    (centre 50 + 5 + 2 = 57), the second left (43), the third below (y 50 - 2 - 2 = 46); a label wider
    than the box fits nowhere."""
    labels = [Label(50, 50, 10, 4)] * 3 + [Label(50, 50, 120, 4)]
    spots = place_labels(labels, Box(0, 0, 100, 100))
    centres = [((s.box.x0 + s.box.x1) / 2, (s.box.y0 + s.box.y1) / 2) for s in spots[:3]]
    assert centres == [(57, 50), (43, 50), (50, 46)] and spots[3] is None


def _jember_map(lang: str = "en"):
    from sispam_sim.scenario.loader import load_scenario

    scenario = load_scenario("scenarios/jember-pilkada-2024.yaml", with_warnings=False)
    districts = [_district(did, d.lat, d.lon, 40, k % 7, d.name) for k, (did, d) in
                 enumerate(scenario.spec.map.districts.items())]
    return draw_map(districts, map_places(scenario.spec), 0.1, lang=lang, metric="calls over 15 min")


def test_the_labels_of_the_reference_map_do_not_overlap():
    """The 32 districts and the bases of the reference scenario (8 town bases within 2 km of each
    other): no two label boxes overlap, and each lies inside the map."""
    layout = _jember_map()
    layout.figure.canvas.draw()   # the label boxes are laid out at drawing time
    renderer = layout.figure.canvas.get_renderer()
    boxes = [(name, artist.get_bbox_patch().get_window_extent(renderer)) for name, artist in layout.labels]
    for (a, box_a), (b, box_b) in itertools.combinations(boxes, 2):
        assert not box_a.overlaps(box_b), (a, b)
    axes = layout.figure.axes[0].get_window_extent(renderer)
    assert all(axes.x0 - 1 <= box.x0 and box.x1 <= axes.x1 + 1 for _, box in boxes)
    assert len(layout.labels) + len(layout.dropped) == 32 + 8   # every district, every base but the Polsek


def test_labels_that_cannot_be_placed_are_named_in_the_description():
    """Thirty districts at one point: not all names fit around it (at most the 1 centred + 24 rings'
    places); those left out are counted and named in the ``<desc>`` and under the map."""
    districts = [_district(f"d{k:02d}", -8.1 + 1e-6 * k, 113.6, 10, 1, f"District number {k}") for k in range(30)]
    districts.append(_district("far", -7.9, 113.9, 10, 1))
    layout = draw_map(districts, [], 0.1)
    assert 5 <= len(layout.dropped) <= 30 and "District number 0" not in layout.dropped
    svg = charts.district_map(districts, [], 0.1, title="map", desc="the map.")
    desc = re.search(r"<desc>(.*?)</desc>", svg, re.S).group(1)
    assert f"{len(layout.dropped)} label(s) left out" in desc
    assert all(name in desc for name in layout.dropped)


# ------------------------------------------------------------------------------------ palette, names

REFERENCE_TYPES = ["polsek_qrt", "sabhara_patrol", "negotiator_team", "dalmas_awal_sst", "dalmas_lanjut_ssk",
                   "brimob_phh_ssk", "resmob_tim", "tni_sst", "satpol_pp_regu", "damkar_unit", "ambulance",
                   "tps_guard"]


def _lab(colour: str) -> tuple[float, float, float]:
    """CIE L*a*b* (D65) of an sRGB colour."""
    from matplotlib.colors import to_rgb

    rgb = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in to_rgb(colour)]
    x = (0.4124 * rgb[0] + 0.3576 * rgb[1] + 0.1805 * rgb[2]) / 0.95047
    y = 0.2126 * rgb[0] + 0.7152 * rgb[1] + 0.0722 * rgb[2]
    z = (0.0193 * rgb[0] + 0.1192 * rgb[1] + 0.9505 * rgb[2]) / 1.08883
    f = [v ** (1 / 3) if v > 0.008856 else 7.787 * v + 16 / 116 for v in (x, y, z)]
    return 116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])


def test_the_palette_tells_the_reference_12_unit_types_apart():
    """12 distinct colours, any two at least 15 apart in CIE76 (about three just-noticeable steps
    of 2.3 each, five times over), grouped by organisation: the police types first, then Brimob, TNI,
    Satpol PP, fire, medical."""
    orgs = {u: organisation(u) for u in REFERENCE_TYPES}
    styles = series_styles(REFERENCE_TYPES, orgs)
    colours = [c for c, _ in styles.values()]
    assert len(set(colours)) == 12
    for a, b in itertools.combinations(colours, 2):
        assert sum((p - q) ** 2 for p, q in zip(_lab(a), _lab(b))) ** 0.5 >= 15, (a, b)
    assert [orgs[u] for u in styles] == ["police"] * 7 + ["brimob", "tni", "satpol_pp", "fire", "medical"]


def test_organisations_and_names_from_the_ids():
    assert [organisation(u) for u in ("brimob_phh_ssk", "tni_sst", "satpol_pp_regu", "damkar_unit", "ambulance",
                                      "dalmas_awal_sst")] == ["brimob", "tni", "satpol_pp", "fire", "medical", "police"]
    assert organisation("engine", ["fire"]) == "fire" and organisation("van", ["medical"]) == "medical"
    assert unit_name("dalmas_lanjut_ssk") == "Dalmas Lanjut SSK" and unit_name("tps_guard") == "TPS Guard"


def test_each_kind_of_base_has_its_symbol_in_the_reference():
    from sispam_sim.scenario.loader import load_scenario

    spec = load_scenario("scenarios/jember-pilkada-2024.yaml", with_warnings=False).spec
    kinds = {p["id"]: p["kind"] for p in map_places(spec)}
    assert (kinds["polres"], kinds["polsek_panti"], kinds["kpu"], kinds["brimob_bko"], kinds["kodim"],
            kinds["pemkab"], kinds["rsd_soebandi"], kinds["jsg"]) == (
        "polres", "polsek", "police_post", "brimob", "tni", "satpol_pp", "medical", "landmark")
    assert unit_organisations(spec)["tps_guard"] == "police"


def test_the_personnel_legend_names_types_and_organisations():
    hours = [6.0, 7.0, 8.0]
    panel = {u: [1.0, 2.0, 3.0] for u in REFERENCE_TYPES}
    svg = charts.personnel_chart(hours, [("on scene", panel)], [(6.5, 7.5, "voting")], "clock", "p", "d", lang="en")
    assert "Dalmas Lanjut SSK" in svg and "dalmas_lanjut_ssk" not in svg
    assert ">Polri<" in svg and ">Brimob<" in svg and ">voting<" in svg


# ------------------------------------------------------------------------------------ clock axes

def _ticks(svg: str) -> list[str]:
    """The words of the x tick labels (matplotlib groups each tick under <g id="xtick_N">)."""
    root = ET.fromstring(svg)
    return [text.text for group in root.iter() if re.fullmatch(r"xtick_\d+", group.get("id") or "")
            for text in group.iter() if text.tag.endswith("}text")]


@pytest.mark.parametrize("lang, pattern", [("en", r"\d\d:\d\d( \+1)?"), ("id", r"\d\d\.\d\d( \+1)?")])
def test_clock_ticks_on_the_personnel_and_escalation_charts(lang, pattern):
    """06:00 to 24:00 (18 h): ticks every 2 h (18 / 2 = 9 <= 12 ticks), 06:00 first, 00:00 +1 last."""
    hours = [6.0 + k / 12 for k in range(18 * 12 + 1)]
    panel = {"sabhara": [float(k % 5) for k in range(len(hours))]}
    svg = charts.personnel_chart(hours, [("committed", panel)], [], "clock", "p", "d", lang=lang)
    ticks = _ticks(svg)
    assert ticks and all(re.fullmatch(pattern, tick) for tick in ticks), ticks
    sep = "." if lang == "id" else ":"
    assert ticks[0] == f"06{sep}00" and ticks[1] == f"08{sep}00" and ticks[-1] == f"00{sep}00 +1"
    crowd = {"title": "KPU", "levels": [(13.0, 14.5, 1), (14.5, 15.0, 2)], "need": ([13.0, 15.0], [10, 30]),
             "crew": ([13.0, 13.5, 15.0], [0, 30, 30])}
    svg = charts.escalation_chart([crowd], "clock", "personnel", {"need": "need", "crew": "crew"}, "e", "d", lang=lang)
    assert _ticks(svg) and all(re.fullmatch(pattern, tick) for tick in _ticks(svg))


def test_clock_text_by_hand():
    """13.5 h = 13:30; 24.5 h is 00:30 on the next day; 30 h = 06:00 +1; Indonesian HH.MM."""
    assert clock_text(13.5, "en") == "13:30" and clock_text(24.5, "en") == "00:30 +1"
    assert clock_text(30.0, "id") == "06.00 +1" and clock_text(7.25, "id") == "07.15"
    assert percent(0.833, "en") == "83%" and percent(0.045, "id") == "4,5%"


# ------------------------------------------------------------------------------------ decomposition

def test_the_decomposition_writes_its_parts_and_the_limit():
    """Tempurejo: 1.3 + 5.2 + 24.0 = 30.5 min over 120 calls; the travel part (24.0, wide) is written
    inside its bar, the total and n beside it, the limit above its line; Indonesian: 30,5 mnt."""
    rows = [{"label": "Tempurejo", "wait": 1.3, "mobilise": 5.2, "travel": 24.0, "n": 120}]
    svg = charts.decomposition_chart(rows, 15, title="why", desc="d")
    assert ">24.0<" in svg and "30.5 min · n = 120" in svg and "limit 15 min" in svg
    assert "waiting for a unit" in svg and "mobilising" in svg and "travel" in svg
    svg = charts.decomposition_chart(rows, 15, lang="id", title="why", desc="d")
    assert ">24,0<" in svg and "30,5 mnt · n = 120" in svg and "batas 15 mnt" in svg


# ------------------------------------------------------------------------------------ text stays text

def test_scenario_text_is_escaped_in_every_chart():
    """A district, a place, a unit type's name and a bar label holding markup, a template, a formula and a
    control character: the SVG is well-formed XML, holds no element but SVG's own, shows the text."""
    districts = [_district("a", -8.1, 113.6, 10, 5, HOSTILE), _district("b", -8.2, 113.7, 10, 0)]
    places = [{"id": "p", "name": HOSTILE, "lat": -8.15, "lon": 113.65, "kind": "polres"}]
    svgs = [
        charts.district_map(districts, places, 0.1, title=HOSTILE, desc=HOSTILE, metric=HOSTILE),
        charts.decomposition_chart([{"label": HOSTILE, "wait": 1, "mobilise": 2, "travel": 3, "n": 4}], 15,
                                   title="t", desc="d"),
        charts.personnel_chart([6.0, 7.0], [(HOSTILE, {"x": [1.0, 2.0]})], [(6.0, 6.5, HOSTILE)], HOSTILE, "t", "d",
                               lang="en", names={"x": HOSTILE}),
    ]
    for svg in svgs:
        root = ET.fromstring(svg)
        tags = {element.tag.split("}")[-1] for element in root.iter()}
        assert not tags & {"script", "img", "foreignObject", "iframe"}
        assert "<script" not in svg and "<img" not in svg and "\x07" not in svg
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in svg and "{{ 7*7 }}" in svg and "$\\frac$" in svg
    assert 'aria-label="&lt;script&gt;' in svgs[0]


def test_svg_takes_the_width_of_its_container():
    svg = charts.decomposition_chart([{"label": "a", "wait": 1, "mobilise": 1, "travel": 1, "n": 1}], None,
                                     title="t", desc="d")
    head = svg[:svg.index(">")]
    assert 'width="100%"' in head and "viewBox=" in head and "height=" not in head
