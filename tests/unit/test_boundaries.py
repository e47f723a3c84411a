"""``map.boundaries`` (format 1.1): district shapes read from a GeoJSON file, safely.

The contract: a valid FeatureCollection gives each district its polygons (matched by
``properties.district``, ``.id``, ``.name`` or the feature's ``id``, any case, against district ids
and names); every problem exits 2 from ``validate`` located at the file, the line and column of the
feature (or of the bad JSON) and the key inside the file; the size is bounded before the file is
read, features and positions while it is read.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sispam_sim.scenario import boundaries as boundaries_module
from sispam_sim.scenario.boundaries import BoundariesFileError, read_boundaries
from tests.conftest import MINIMAL_YAML, variant

#: MINIMAL_YAML with two districts and the boundaries key (format 1.1).
SCENARIO = variant(
    ("version: 1\n", "version: 1.1\n"),
    ("    polres: {lat: -8.1725, lon: 113.6995}\n",
     "    polres: {lat: -8.1725, lon: 113.6995}\n"
     "  districts:\n"
     "    kaliwates: {lat: -8.185, lon: 113.667, radius_km: 2.8, name: Kec. Kaliwates}\n"
     "    sumbersari: {lat: -8.183, lon: 113.723, radius_km: 3.4}\n"
     "  boundaries: shapes.geojson\n"),
)


def square(lon: float, lat: float, half: float = 0.02) -> list:
    """A closed ring: a square of side 2 x ``half`` degrees around (lon, lat), counter-clockwise."""
    return [[lon - half, lat - half], [lon + half, lat - half], [lon + half, lat + half], [lon - half, lat + half],
            [lon - half, lat - half]]


def feature(properties: dict | None, geometry: dict | None, **extra) -> dict:
    return {"type": "Feature", "properties": properties, "geometry": geometry, **extra}


def polygon(*rings) -> dict:
    return {"type": "Polygon", "coordinates": list(rings)}


def collection(*features) -> dict:
    return {"type": "FeatureCollection", "features": list(features)}


def good() -> dict:
    """Kaliwates by its name (any case) as a polygon with a hole; Sumbersari by its id as a MultiPolygon."""
    hole = square(113.667, -8.185, 0.005)[::-1]
    return collection(
        feature({"name": "KEC. KALIWATES"}, polygon(square(113.667, -8.185), hole)),
        feature({"district": "sumbersari"}, {"type": "MultiPolygon", "coordinates": [
            [square(113.723, -8.183)], [square(113.76, -8.20, 0.005)]]}),
    )


def one_feature_per_line(data: dict) -> str:
    """The collection written with feature k on line k + 2 (line 1 opens the collection)."""
    lines = ['{"type": "FeatureCollection", "features": [']
    lines += [json.dumps(f) + ("," if k < len(data["features"]) - 1 else "") for k, f in enumerate(data["features"])]
    lines.append("]}")
    return "\n".join(lines) + "\n"


@pytest.fixture
def scenario(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)

    def _write(shapes: dict | str | bytes, text: str = SCENARIO) -> Path:
        (tmp_path / "s.yaml").write_text(text, encoding="utf-8")
        target = tmp_path / "shapes.geojson"
        if isinstance(shapes, bytes):
            target.write_bytes(shapes)
        else:
            target.write_text(shapes if isinstance(shapes, str) else one_feature_per_line(shapes), encoding="utf-8")
        return tmp_path / "s.yaml"
    return _write


def _problems(cli, path) -> tuple[int, list[dict]]:
    result = cli("validate", path, "--format", "json")
    return result.code, json.loads(result.out)


def test_shapes_are_matched_to_districts_and_kept_on_the_scenario(scenario):
    from sispam_sim.scenario.loader import load_scenario

    loaded = load_scenario(scenario(good()))
    shapes = loaded.boundaries.shapes
    assert set(shapes) == {"kaliwates", "sumbersari"}
    assert len(shapes["kaliwates"]) == 1 and len(shapes["kaliwates"][0]) == 2        # outer ring and its hole
    assert len(shapes["sumbersari"]) == 2                                          # two polygons
    assert shapes["sumbersari"][1][0][0] == pytest.approx((113.755, -8.205))     # (lon, lat), as written
    assert any(name.endswith("shapes.geojson") for name, _ in loaded.inputs)      # traced like the sites CSV
    assert not loaded.warnings


def test_validate_accepts_the_file(cli, scenario):
    code, problems = _problems(cli, scenario(good()))
    assert code == 0 and [p for p in problems if p["severity"] == "error"] == []


def test_a_version_1_file_is_told_to_say_1_1(cli, scenario):
    code, problems = _problems(cli, scenario(good(), SCENARIO.replace("version: 1.1\n", "version: 1\n")))
    (error,) = [p for p in problems if p["severity"] == "error"]
    assert code == 2 and error["path"] == "map.boundaries" and "version: 1.1" in error["message"]
    assert (error["line"], error["col"]) == (10, 15)


def test_a_feature_matches_by_its_own_id_and_the_order_of_the_properties(tmp_path):
    """``properties.district`` is tried before ``.name``: "sumbersari" wins over a name that is kaliwates's."""
    path = tmp_path / "s.geojson"
    path.write_text(json.dumps(collection(
        feature({"district": "Sumbersari", "name": "Kec. Kaliwates"}, polygon(square(113.723, -8.183))),
        feature(None, polygon(square(113.667, -8.185)), id="KALIWATES"),
    )), encoding="utf-8")
    shapes, findings = read_boundaries(path, {"kaliwates": ("Kec. Kaliwates",), "sumbersari": (None,)})
    assert set(shapes.shapes) == {"kaliwates", "sumbersari"}
    assert shapes.shapes["sumbersari"][0][0][0] == pytest.approx((113.703, -8.203)) and findings == []


BAD_RING = square(113.667, -8.185)[:-1]   # not closed


@pytest.mark.parametrize("features, line, key, word", [
    ([feature({"district": "kaliwates"}, polygon(BAD_RING))], 2, "features[0].geometry.coordinates[0]", "closed"),
    ([feature({"district": "kaliwates"}, polygon(square(113.667, -8.185))),
      feature({"district": "sumbersari"}, polygon([[113.7, -8.1], [200, -8.2], [113.8, -8.3], [113.7, -8.1]]))],
     3, "features[1].geometry.coordinates[0][1]", "out of range"),
    ([feature({"district": "kaliwates"}, {"type": "Point", "coordinates": [113.6, -8.1]})],
     2, "features[0].geometry.type", "Polygon or MultiPolygon"),
    ([feature({"district": "kaliwates"}, None)], 2, "features[0].geometry", "no geometry"),
    ([feature({"district": "kaliwates"}, polygon([[113.6, -8.1], [113.7, -8.1], [113.8, -8.1], [113.6, -8.1]]))],
     2, "features[0].geometry.coordinates[0]", "no area"),
    ([feature({"district": "kaliwates"}, polygon([[113.6, -8.1], ["113.7", -8.2], [113.8, -8.1], [113.6, -8.1]]))],
     2, "features[0].geometry.coordinates[0][1]", "numbers"),
    ([{"type": "Fixture"}], 2, "features[0].type", "Feature"),
    ([feature("kaliwates", polygon(square(113.667, -8.185)))], 2, "features[0].properties", "object"),
])
def test_a_bad_feature_is_located_at_its_line_and_key(cli, scenario, features, line, key, word):
    code, problems = _problems(cli, scenario(collection(*features)))
    (error,) = [p for p in problems if p["severity"] == "error"]
    assert code == 2
    assert error["file"].endswith("shapes.geojson") and (error["line"], error["col"]) == (line, 1)
    assert error["path"] == "map.boundaries" and error["message"].startswith(key + ":") and word in error["message"]


@pytest.mark.parametrize("text, line, col, word", [
    # line 3 is '  {"type": "Feature",, }': columns 3-20 hold {"type": "Feature", the commas 21 and 22
    ('{"type": "FeatureCollection",\n "features": [\n  {"type": "Feature",, }\n]}', 3, 22, "not valid JSON"),
    ('{"type": "FeatureCollection", "features": [\n{"type": "Feature", "type": "Feature"}\n]}', 2, 1, "twice"),
    ('{"type": "FeatureCollection", "features": [\n{"type": "Feature", "geometry": {"type": "Polygon", '
     '"coordinates": [[[NaN, 1]]]}}\n]}', 2, 1, "NaN"),
    ('{"type": "FeatureCollection", "features": [\n' + "[" * 5000 + "]" * 5000 + "\n]}", 2, 1, "nested"),
    ('{"type": "FeatureCollection", "features": []}\n{"again": 1}', 2, 1, "more text"),
    ('[1, 2]', 1, 1, "FeatureCollection"),
    ('{"type": "Topology", "features": []}', 1, 1, "FeatureCollection"),
    ('{"type": "FeatureCollection"}', 1, 1, "features"),
])
def test_bad_json_is_located(cli, scenario, text, line, col, word):
    code, problems = _problems(cli, scenario(text))
    (error,) = [p for p in problems if p["severity"] == "error"]
    assert code == 2 and error["file"].endswith("shapes.geojson")
    assert (error["line"], error["col"]) == (line, col) and word in error["message"]


def test_not_utf8_is_located(cli, scenario):
    code, problems = _problems(cli, scenario(b'{"type": "FeatureCollection",\n "features": [\xff]}'))
    (error,) = [p for p in problems if p["severity"] == "error"]
    assert code == 2 and (error["line"], error["col"]) == (2, 15) and "UTF-8" in error["message"]


def test_a_huge_file_is_refused_before_it_is_read(tmp_path, monkeypatch):
    """A sparse file one byte over the bound: refused from its size alone (reading it would fail the test)."""
    path = tmp_path / "huge.geojson"
    with path.open("wb") as handle:
        handle.truncate(boundaries_module.MAX_BOUNDARY_BYTES + 1)

    def no_reading(self):
        raise AssertionError("the file was read")

    monkeypatch.setattr(Path, "read_bytes", no_reading)
    with pytest.raises(BoundariesFileError) as info:
        read_boundaries(path, {"kaliwates": ()})
    assert (info.value.line, info.value.col) == (1, 1) and "larger than 16 MiB" in str(info.value)


def test_features_are_counted_while_they_are_read(tmp_path, monkeypatch):
    """At most 2 features: the third is refused at its own line (4), before it is parsed."""
    monkeypatch.setattr(boundaries_module, "MAX_BOUNDARY_FEATURES", 2)
    path = tmp_path / "s.geojson"
    many = collection(*[feature({"district": "kaliwates"}, polygon(square(113.667, -8.185)))] * 3)
    path.write_text(one_feature_per_line(many), encoding="utf-8")
    with pytest.raises(BoundariesFileError) as info:
        read_boundaries(path, {"kaliwates": ()})
    assert (info.value.line, info.value.where) == (4, "features[2]") and "more than 2 features" in str(info.value)


def test_positions_are_counted_over_the_whole_file(tmp_path, monkeypatch):
    """At most 9 positions: two squares of 5 are 10, refused at the second feature's ring."""
    monkeypatch.setattr(boundaries_module, "MAX_BOUNDARY_POSITIONS", 9)
    path = tmp_path / "s.geojson"
    two = collection(*[feature({"district": "kaliwates"}, polygon(square(113.667, -8.185)))] * 2)
    path.write_text(one_feature_per_line(two), encoding="utf-8")
    with pytest.raises(BoundariesFileError) as info:
        read_boundaries(path, {"kaliwates": ()})
    assert info.value.line == 3 and info.value.where == "features[1].geometry.coordinates[0]"
    assert "more than 9 positions" in str(info.value)


def test_unmatched_features_missing_districts_and_far_shapes_are_warnings(cli, scenario):
    """Feature 0 names no district; sumbersari has no feature; kaliwates's square lies 1 degree east of its centre."""
    data = collection(feature({"name": "Kec. Ajung"}, polygon(square(113.64, -8.24))),
                      feature({"district": "kaliwates"}, polygon(square(114.667, -8.185))))
    code, problems = _problems(cli, scenario(data))
    assert code == 0 and all(p["severity"] == "warning" for p in problems if p["path"] == "map.boundaries")
    warnings = {p["line"]: p["message"] for p in problems if p["path"] == "map.boundaries"}
    assert '"Kec. Ajung"' in warnings[2] and "name no district" in warnings[2]
    assert '"sumbersari"' in warnings[1] and "circles" in warnings[1]
    assert '"kaliwates"' in warnings[3] and "away from" in warnings[3]


@pytest.mark.parametrize("written, word", [("missing.geojson", "file not found"), ("../outside.geojson", "outside")])
def test_the_file_must_exist_inside_the_scenario_folder(cli, scenario, tmp_path, written, word):
    (tmp_path.parent / "outside.geojson").write_text(json.dumps(good()), encoding="utf-8")
    code, problems = _problems(cli, scenario(good(), SCENARIO.replace("shapes.geojson", written)))
    (error,) = [p for p in problems if p["severity"] == "error"]
    assert code == 2 and error["path"] == "map.boundaries" and word in error["message"]
    assert (error["line"], error["col"]) == (10, 15)


def test_boundaries_need_districts(cli, scenario):
    text = variant(("version: 1\n", "version: 1.1\n"),
                   ("    polres: {lat: -8.1725, lon: 113.6995}\n",
                    "    polres: {lat: -8.1725, lon: 113.6995}\n  boundaries: shapes.geojson\n"), text=MINIMAL_YAML)
    code, problems = _problems(cli, scenario(good(), text))
    (error,) = [p for p in problems if p["severity"] == "error"]
    assert code == 2 and error["path"] == "map.boundaries" and "map.districts" in error["message"]


def test_the_documented_example_reads_and_its_quoted_error_is_what_validate_says(tmp_path):
    """docs/scenario-format.md's kecamatan.geojson matches both districts of its fragment (kaliwates by
    properties.district, Sumbersari by the feature's id); without its first ring's last position it
    fails where the doc quotes: line 4 (the first feature), column 3."""
    import re

    doc = (Path(__file__).parents[2] / "docs" / "scenario-format.md").read_text(encoding="utf-8")
    text = re.search(r"<!-- file: kecamatan.geojson -->\n```json\n(.*?)```", doc, re.S).group(1)
    names = {"kaliwates": ("Kec. Kaliwates",), "sumbersari": (None,)}
    path = tmp_path / "kecamatan.geojson"
    path.write_text(text, encoding="utf-8")
    shapes, findings = read_boundaries(path, names)
    assert set(shapes.shapes) == {"kaliwates", "sumbersari"} and findings == []
    path.write_text(text.replace("[113.647, -8.165], [113.647, -8.205]]]", "[113.647, -8.165]]]"), encoding="utf-8")
    with pytest.raises(BoundariesFileError) as info:
        read_boundaries(path, names)
    quoted = re.search(r"kecamatan\.geojson:(\d+):(\d+): error: map\.boundaries: (.*)", doc)
    assert (info.value.line, info.value.col) == (int(quoted.group(1)), int(quoted.group(2)))
    assert str(info.value) == quoted.group(3)
