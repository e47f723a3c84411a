"""Read ``map.boundaries`` (format 1.1): the district shapes of the report's map, from a GeoJSON file.

The file is a GeoJSON FeatureCollection (RFC 7946) of ``Polygon`` and ``MultiPolygon`` features in
longitude, latitude (WGS 84). Each feature names its district by the first of
``properties.district``, ``properties.id``, ``properties.name`` and the feature's own ``id`` that
equals, ignoring case and surrounding spaces, a district id or a district's ``name`` (or
``name_id``) in ``map.districts``. Several features of one district (an island beside the
mainland) are drawn together. The shapes are drawn only: TPS placement, travel and the areas of
responsibility keep the districts' centres and circles.

The file is read as safely as the sites CSV: its size is bounded before it is read, features and
positions are counted while they are read, and every problem names the file, the line and column
of the feature (or of the bad JSON), and the key inside the file (``features[3].geometry.
coordinates[0][2]``). A feature that names no district, and a district with no feature, are
warnings: the map draws that district as its circle and says so.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Mapping, NamedTuple, Sequence

from sispam_sim.errors import Problem, quote
from sispam_sim.scenario.limits import MAX_BOUNDARY_BYTES, MAX_BOUNDARY_FEATURES, MAX_BOUNDARY_POSITIONS

__all__ = ["MATCH_KEYS", "Boundaries", "BoundariesFileError", "read_boundaries", "check_boundaries"]

#: The members of ``properties`` that name a feature's district, in the order they are tried
#: (then the feature's own ``id``).
MATCH_KEYS = ("district", "id", "name")
#: Districts named in one warning at most (the rest are counted).
SHOWN = 5

Ring = tuple[tuple[float, float], ...]   # (lon, lat) positions, closed: the last equals the first
Shape = tuple[Ring, ...]                 # one polygon: its outer ring, then its holes


@dataclass(frozen=True)
class Boundaries:
    """District shapes read from ``map.boundaries``: district id -> its polygons."""

    file: str
    shapes: Mapping[str, tuple[Shape, ...]]

    def rings(self) -> Iterable[Ring]:
        for polygons in self.shapes.values():
            for polygon in polygons:
                yield from polygon


class BoundariesFileError(ValueError):
    """A problem in the GeoJSON file: at ``line``:``col`` (1-based), at the key path ``where`` inside it."""

    def __init__(self, line: int, col: int, where: str, message: str):
        self.line, self.col, self.where = line, col, where
        super().__init__(f"{where}: {message}" if where else message)


class Finding(NamedTuple):
    """A warning about the file, located like an error."""

    line: int
    col: int
    message: str


# ---------------------------------------------------------------------------------------- the JSON

_SPACE = re.compile(r"[ \t\n\r]*")


def _no_duplicates(pairs: Sequence[tuple[str, Any]]) -> dict:
    seen: dict[str, Any] = {}
    for key, value in pairs:
        if key in seen:
            raise ValueError(f"key {quote(key, chr(34))} appears twice in one object")
        seen[key] = value
    return seen


def _no_constant(name: str) -> float:
    raise ValueError(f"{name} is not a JSON number (RFC 8259): write a finite number")


class _Text:
    """The file's text, read value by value so that each feature keeps its line and column."""

    def __init__(self, text: str):
        self.text = text
        self.decoder = json.JSONDecoder(object_pairs_hook=_no_duplicates, parse_constant=_no_constant)

    def position(self, index: int) -> tuple[int, int]:
        line = self.text.count("\n", 0, index) + 1
        return line, index - (self.text.rfind("\n", 0, index) + 1) + 1

    def fail(self, index: int, where: str, message: str) -> BoundariesFileError:
        return BoundariesFileError(*self.position(index), where, message)

    def skip(self, index: int) -> int:
        return _SPACE.match(self.text, index).end()

    def char(self, index: int) -> str:
        return self.text[index] if index < len(self.text) else ""

    def value(self, index: int, where: str) -> tuple[Any, int]:
        try:
            return self.decoder.raw_decode(self.text, index)
        except json.JSONDecodeError as exc:
            raise BoundariesFileError(exc.lineno, exc.colno, where, f"not valid JSON: {exc.msg}") from None
        except RecursionError:
            raise self.fail(index, where, "arrays or objects nested too deeply (GeoJSON needs at most 6 "
                                          "levels)") from None
        except ValueError as exc:   # a duplicate key or NaN, from the hooks
            raise self.fail(index, where, str(exc)) from None

    def expect(self, index: int, chars: str, where: str, what: str) -> int:
        index = self.skip(index)
        if self.char(index) not in chars or not self.char(index):
            found = quote(self.text[index:index + 20]) if index < len(self.text) else "the end of the file"
            raise self.fail(index, where, f"expected {what}, found {found}")
        return index


def _collection(text: _Text) -> tuple[dict[str, Any], list[tuple[int, Any]]]:
    """The top-level members of the FeatureCollection, and its features with their offsets.

    The top-level object is scanned member by member, and the ``features`` array element by
    element, so that each feature is counted before the next is read and keeps its position."""
    shape = 'a GeoJSON FeatureCollection: {"type": "FeatureCollection", "features": [...]}'
    index = text.expect(0, "{", "", shape) + 1
    members: dict[str, Any] = {}
    features: list[tuple[int, Any]] = []
    index = text.skip(index)
    if text.char(index) == "}":
        index += 1
    else:
        while True:
            index = text.expect(index, '"', "", "a member name in double quotes")
            key, index = text.value(index, "")
            if key in members:
                raise text.fail(index, key, "appears twice at the top of the file")
            index = text.expect(index, ":", key, '":"') + 1
            index = text.skip(index)
            if key == "features" and text.char(index) == "[":
                members[key] = features
                index = _features(text, index + 1, features)
            else:
                members[key], index = text.value(index, key)
            index = text.expect(index, ",}", key, '"," or "}"')
            index += 1
            if text.text[index - 1] == "}":
                break
    end = text.skip(index)
    if end < len(text.text):
        raise text.fail(end, "", "more text after the FeatureCollection: a file holds one GeoJSON object")
    return members, features


def _features(text: _Text, index: int, features: list[tuple[int, Any]]) -> int:
    index = text.skip(index)
    if text.char(index) == "]":
        return index + 1
    while True:
        where = f"features[{len(features)}]"
        if len(features) >= MAX_BOUNDARY_FEATURES:
            raise text.fail(index, where, f"more than {MAX_BOUNDARY_FEATURES:,} features: keep the districts of "
                                          "the scenario (a regency's kecamatan) in the file")
        start = text.skip(index)
        value, index = text.value(start, where)
        features.append((start, value))
        index = text.expect(index, ",]", where, '"," or "]"') + 1
        if text.text[index - 1] == "]":
            return index
        index = text.skip(index)


# ---------------------------------------------------------------------------------------- geometry

class _Counter:
    """Positions read so far, over all features: bounded by MAX_BOUNDARY_POSITIONS."""

    def __init__(self) -> None:
        self.positions = 0


def _position(value: Any, where: str) -> tuple[float, float]:
    if not isinstance(value, list) or len(value) < 2:
        raise ValueError(where, f"expected a position [lon, lat], found {_shown(value)}")
    lon, lat = value[0], value[1]
    for v in value:
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
            raise ValueError(where, f"a position holds numbers [lon, lat], found {_shown(value)}")
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        swapped = " (longitude first: [lon, lat])" if -90 <= lon <= 90 and -180 <= lat <= 180 else ""
        raise ValueError(where, f"position out of range: lon {lon:g} (-180..180), lat {lat:g} (-90..90){swapped}")
    return float(lon), float(lat)


def _ring(value: Any, where: str, count: _Counter) -> Ring:
    if not isinstance(value, list):
        raise ValueError(where, f"expected a linear ring (a list of positions), found {_shown(value)}")
    count.positions += len(value)
    if count.positions > MAX_BOUNDARY_POSITIONS:
        raise ValueError(where, f"more than {MAX_BOUNDARY_POSITIONS:,} positions in the file: simplify the "
                                "shapes (e.g. mapshaper -simplify 10%) before you name the file")
    ring = tuple(_position(p, f"{where}[{k}]") for k, p in enumerate(value))
    if len(ring) < 4:
        raise ValueError(where, f"a linear ring has at least 4 positions (RFC 7946 3.1.6), found {len(ring)}")
    if ring[0] != ring[-1]:
        raise ValueError(where, "the ring is not closed: its last position must equal its first (RFC 7946 3.1.6)")
    if _area(ring) == 0:
        raise ValueError(where, "the ring encloses no area (all its positions lie on a line)")
    return ring


def _area(ring: Ring) -> float:
    return 0.5 * abs(sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(ring, ring[1:])))


def _polygon(value: Any, where: str, count: _Counter) -> Shape:
    if not isinstance(value, list) or not value:
        raise ValueError(where, f"expected a polygon (a list of linear rings: the outer one, then its holes), "
                                f"found {_shown(value)}")
    return tuple(_ring(r, f"{where}[{k}]", count) for k, r in enumerate(value))


def _geometry(feature: Mapping, where: str, count: _Counter) -> tuple[Shape, ...]:
    geometry = feature.get("geometry")
    where = f"{where}.geometry"
    if geometry is None:
        raise ValueError(where, "the feature has no geometry: give it a Polygon or MultiPolygon")
    if not isinstance(geometry, dict):
        raise ValueError(where, f"expected a geometry object, found {_shown(geometry)}")
    kind = geometry.get("type")
    coordinates = geometry.get("coordinates")
    if kind not in ("Polygon", "MultiPolygon"):
        raise ValueError(f"{where}.type", f"expected Polygon or MultiPolygon (a district is an area), found "
                                          f"{_shown(kind)}")
    where = f"{where}.coordinates"
    if kind == "Polygon":
        return (_polygon(coordinates, where, count),)
    if not isinstance(coordinates, list) or not coordinates:
        raise ValueError(where, f"expected a list of polygons, found {_shown(coordinates)}")
    return tuple(_polygon(p, f"{where}[{k}]", count) for k, p in enumerate(coordinates))


def _shown(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, list):
        return "a list" if value else "an empty list"
    if isinstance(value, dict):
        return "an object"
    return quote(json.dumps(value, ensure_ascii=False))


# ---------------------------------------------------------------------------------------- districts

def _key(name: str) -> str:
    return " ".join(name.split()).casefold()


def _names_of(feature: Mapping) -> list[str]:
    """What a feature may call its district: ``properties.district``, ``.id``, ``.name``, then ``id``."""
    properties = feature.get("properties") or {}
    values = [properties.get(k) for k in MATCH_KEYS] if isinstance(properties, dict) else []
    values.append(feature.get("id"))
    return [str(v) for v in values if isinstance(v, (str, int)) and not isinstance(v, bool) and str(v).strip()]


def _lookup(districts: Mapping[str, Sequence[str | None]]) -> dict[str, str]:
    """Normalised name -> district id: the ids first, so that a district's id wins over another's name."""
    table = {_key(did): did for did in districts}
    for did, names in districts.items():
        for name in names:
            if name:
                table.setdefault(_key(name), did)
    return table


def read_boundaries(path: Path, districts: Mapping[str, Sequence[str | None]],
                    centres: Mapping[str, tuple[float, float, float]] | None = None) -> tuple[Boundaries, list[Finding]]:
    """The shapes of ``path`` matched to ``districts`` (id -> its names: ``name``, ``name_id``), and
    the warnings (features that name no district, districts without a feature, a shape far from its
    district's centre: ``centres`` id -> (lat, lon, radius_km)). Raises :class:`BoundariesFileError`
    at the first problem; a file larger than MAX_BOUNDARY_BYTES is refused before it is read."""
    from sispam_sim.scenario.yamlio import NotUtf8, decode_utf8

    size = path.stat().st_size
    if size > MAX_BOUNDARY_BYTES:
        raise BoundariesFileError(1, 1, "", f"the file is larger than {MAX_BOUNDARY_BYTES // 2**20} MiB "
                                            f"({size / 2**20:.1f} MiB): simplify the shapes (e.g. mapshaper "
                                            "-simplify 10%) or keep only the scenario's districts")
    try:
        text = _Text(decode_utf8(path.read_bytes()))
    except NotUtf8 as exc:
        raise BoundariesFileError(exc.line, exc.col, "", f"{exc}: save the file as UTF-8") from None
    members, features = _collection(text)
    if members.get("type") != "FeatureCollection":
        raise BoundariesFileError(1, 1, "type", f'expected "FeatureCollection", found {_shown(members.get("type"))}')
    if not isinstance(members.get("features"), list):
        raise BoundariesFileError(1, 1, "features", "expected a list of features" if "features" in members
                                  else 'missing: a FeatureCollection lists its features in "features": [...]')
    table = _lookup(districts)
    count = _Counter()
    shapes: dict[str, list[Shape]] = {}
    first: dict[str, tuple[int, int]] = {}
    unmatched: list[tuple[int, int, str]] = []
    for k, (offset, feature) in enumerate(features):
        where = f"features[{k}]"
        line, col = text.position(offset)
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            found = _shown(feature.get("type")) if isinstance(feature, dict) else _shown(feature)
            raise BoundariesFileError(line, col, f"{where}.type" if isinstance(feature, dict) else where,
                                      f'expected a Feature ({{"type": "Feature", "properties": {{...}}, '
                                      f'"geometry": {{...}}}}), found {found}')
        properties = feature.get("properties")
        if properties is not None and not isinstance(properties, dict):
            raise BoundariesFileError(line, col, f"{where}.properties", f"expected an object or null, found "
                                                                        f"{_shown(properties)}")
        try:
            polygons = _geometry(feature, where, count)
        except ValueError as exc:
            key, message = exc.args
            raise BoundariesFileError(line, col, key, message) from None
        names = _names_of(feature)
        district = next((table[_key(n)] for n in names if _key(n) in table), None)
        if district is None:
            unmatched.append((line, col, names[0] if names else ""))
            continue
        shapes.setdefault(district, []).extend(polygons)
        first.setdefault(district, (line, col))
    findings = _findings(unmatched, districts, shapes, first, centres or {})
    return Boundaries(str(path), {d: tuple(p) for d, p in shapes.items()}), findings


def _listed(names: Sequence[str]) -> str:
    shown = ", ".join(quote(n, chr(34)) for n in names[:SHOWN])
    return shown + (f" and {len(names) - SHOWN} more" if len(names) > SHOWN else "")


def _findings(unmatched, districts, shapes, first, centres) -> list[Finding]:
    findings = []
    if unmatched:
        line, col, _ = unmatched[0]
        named = [n for _, _, n in unmatched if n]
        findings.append(Finding(line, col, (
            f"{len(unmatched)} feature(s) name no district of map.districts"
            + (f" ({_listed(named)})" if named else " (no properties.district, .id or .name)")
            + f": a feature names its district by properties.{', properties.'.join(MATCH_KEYS)} or its id "
              "(a district id or name, any case); these are not drawn")))
    missing = [d for d in districts if d not in shapes]
    if missing and shapes:
        findings.append(Finding(1, 1, f"{len(missing)} district(s) have no feature in the file ({_listed(missing)}): "
                                      "the map draws them as their circles"))
    elif not shapes:
        findings.append(Finding(1, 1, "no feature names a district of map.districts: the map draws the districts "
                                      "as approximate cells around their centres"))
    far = []
    for district, polygons in shapes.items():
        if district not in centres:
            continue
        lat, lon, radius_km = centres[district]
        pad_lat = radius_km / 111.2
        pad_lon = pad_lat / max(math.cos(math.radians(lat)), 0.01)
        lons = [x for polygon in polygons for x, _ in polygon[0]]
        lats = [y for polygon in polygons for _, y in polygon[0]]
        if not (min(lons) - pad_lon <= lon <= max(lons) + pad_lon and min(lats) - pad_lat <= lat <= max(lats) + pad_lat):
            far.append(district)
    if far:
        line, col = first[far[0]]
        findings.append(Finding(line, col, f"the shape of {_listed(far)} lies away from the district's centre and "
                                           "circle (map.districts): is it the right feature, in [lon, lat]?"))
    return findings


# ---------------------------------------------------------------------------------------- validate

def check_boundaries(checker) -> None:
    """Format 1.1 ``map.boundaries`` for ``validate``: the file exists inside the scenario's folders,
    reads as GeoJSON within the bounds, and its features match the districts. Problems are appended
    to ``checker.problems``; the shapes go to ``checker.parts.boundaries``."""
    from sispam_sim.scenario.yamlio import resolve_relative

    spec = checker.spec
    written = spec.map.boundaries
    if written is None:
        return
    path = ("map", "boundaries")
    if not spec.map.districts:
        checker.error(path, "the shapes are matched to map.districts, and this scenario defines none: add the "
                            "districts (id, centre, radius_km) the shapes belong to")
        return
    target = resolve_relative(checker.doc, path, written)
    if not target.exists():
        checker.error(path, f"file not found: {written} (looked for {target})")
        return
    refused = checker.doc.folders.refuse(target, written, "a GeoJSON file")
    if refused is not None:
        checker.error(path, refused)
        return
    checker.parts.data_files.append(target)
    districts = {did: (d.name, getattr(d, "name_id", None)) for did, d in spec.map.districts.items()}
    centres = {did: (d.lat, d.lon, d.radius_km) for did, d in spec.map.districts.items()}
    try:
        boundaries, findings = read_boundaries(target, districts, centres)
    except BoundariesFileError as err:
        checker.problems.append(Problem(str(target), err.line, err.col, "map.boundaries", str(err)))
        return
    for finding in findings:
        checker.problems.append(Problem(str(target), finding.line, finding.col, "map.boundaries", finding.message,
                                        "warning"))
    checker.parts.boundaries = boundaries
