"""Polling stations (TPS) and units of a scenario, expanded to plain records.

Generated sites depend on the scenario seed alone: they stay put between replications
and between plans compared on the same seed.
"""

from __future__ import annotations

import csv
import io
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from sispam_sim.core.rng import SITES, scenario_stream
from sispam_sim.errors import quote
from sispam_sim.scenario.limits import MAX_DATA_FILE_BYTES, MAX_SITES
from sispam_sim.scenario.types import ID_PATTERN, RISKS

KM_PER_DEGREE = 6371.0 * math.pi / 180.0  # great-circle km per degree of latitude
DQ = '"'  # column names are quoted like keys in the scenario's own messages


@dataclass(frozen=True)
class Site:
    """One TPS."""

    id: str
    lat: float
    lon: float
    risk: str
    district: str | None = None


@dataclass(frozen=True)
class Unit:
    """One team after ``count`` expansion."""

    id: str
    type: str
    base: str
    group: int = -1     # its entry in forces.units (area, availability: format 1.1)


def generate_sites(seed: int, entries, districts) -> list[Site]:
    """Place ``count`` sites uniformly in each entry's district circle; risk drawn by share."""
    sites: list[Site] = []
    numbers: dict[str, int] = {}
    for index, entry in enumerate(entries):
        district = districts[entry.district]
        rng = scenario_stream(seed, SITES, index)
        # Uniform in a disc: radius ~ R*sqrt(U), bearing ~ U(0, 2*pi).
        radius = district.radius_km * (rng.random(entry.count) ** 0.5)
        bearing = rng.random(entry.count) * 2 * math.pi
        names = list(entry.risk)
        shares = [entry.risk[name] for name in names]
        risks = rng.choice(len(names), size=entry.count, p=shares)
        cos_lat = math.cos(math.radians(district.lat))
        for r, b, k in zip(radius, bearing, risks):
            numbers[entry.district] = numbers.get(entry.district, 0) + 1
            sites.append(Site(
                id=f"{entry.district}-{numbers[entry.district]}",
                lat=round(float(district.lat + r * math.cos(b) / KM_PER_DEGREE), 6),
                lon=round(float(district.lon + r * math.sin(b) / (KM_PER_DEGREE * cos_lat)), 6),
                risk=names[k],
                district=entry.district,
            ))
    return sites


class SitesFileError(ValueError):
    """A problem in a sites CSV at a line (1-based, header = line 1) and column."""

    def __init__(self, line: int, message: str, col: int = 1):
        self.line, self.col = line, col
        super().__init__(message)


def csv_rows(path: Path, error: Callable[[int, int, str], Exception], max_rows: int,
             what: str = "rows") -> list[tuple[int, list[str]]]:
    """``(line, cells)`` for each row of a UTF-8 CSV file (a BOM is dropped), the header included.

    Text that is not UTF-8, or that the csv module cannot read, raises ``error(line, col, message)``;
    so does a file larger than MAX_DATA_FILE_BYTES (before it is read) or with more than
    ``max_rows`` rows after the header (``what`` names them in the message), before the rest is read.
    """
    from sispam_sim.scenario.yamlio import NotUtf8, decode_utf8

    size = path.stat().st_size
    if size > MAX_DATA_FILE_BYTES:
        raise error(1, 1, f"the file is larger than {MAX_DATA_FILE_BYTES // 2**20} MiB ({size / 2**20:.1f} MiB)")
    try:
        text = decode_utf8(path.read_bytes())
    except NotUtf8 as exc:
        raise error(exc.line, exc.col, f"{exc}: save the file as UTF-8") from None
    reader = csv.reader(io.StringIO(text, newline=""))
    rows = []
    try:
        for row in reader:
            if len(rows) > max_rows:
                raise error(reader.line_num, 1, f"more than {max_rows:,} {what}")
            rows.append((reader.line_num, row))
    except csv.Error as exc:
        raise error(reader.line_num, 1, f"cannot read the CSV: {exc}") from None
    return rows


def read_sites_file(path: Path, max_sites: int = MAX_SITES) -> list[Site]:
    """Read ``id,lat,lon,risk[,district]``; raise :class:`SitesFileError` for the first bad row.

    ``max_sites`` bounds the rows read (the sites a scenario may still have after its
    generated ones); a longer file is refused before it is read to the end.
    """
    generated = MAX_SITES - max_sites
    rows = csv_rows(path, lambda line, col, message: SitesFileError(line, message, col), max_sites,
                    "TPS rows: " + (f"map.sites.generate already makes {generated:,} TPS, and " if generated > 0
                                    else "") + f"a scenario holds at most {MAX_SITES:,} TPS, generated and listed together")
    if not rows:
        raise SitesFileError(1, "the sites file is empty: expected a header id,lat,lon,risk[,district]")
    header = [h.strip() for h in rows[0][1]]
    for col_no, name in enumerate(header, start=1):
        first = header.index(name) + 1
        if name and first != col_no:  # col.index below would silently read the first of the two
            raise SitesFileError(1, f"column {quote(name, DQ)} appears twice in the header (columns {first} and "
                                    f"{col_no}); expected id,lat,lon,risk[,district]", col_no)
    required = ["id", "lat", "lon", "risk"]
    missing = [c for c in required if c not in header]
    if missing:
        raise SitesFileError(1, f"missing column(s) {', '.join(missing)}; expected id,lat,lon,risk[,district]")
    unknown = [c for c in header if c not in required + ["district"]]
    if unknown:
        raise SitesFileError(1, f"unknown column(s) {', '.join(quote(c, '') for c in unknown)}; "
                                "expected id,lat,lon,risk[,district]")
    col = {name: header.index(name) for name in header}
    sites, seen = [], {}
    for line, row in rows[1:]:
        if not row or all(not cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            raise SitesFileError(line, f"expected {len(header)} columns, found {len(row)}")
        cell = {name: row[i].strip() for name, i in col.items()}
        try:
            lat, lon = float(cell["lat"]), float(cell["lon"])
        except ValueError:
            raise SitesFileError(line, f"lat and lon must be numbers, found {quote(cell['lat'])}, "
                                       f"{quote(cell['lon'])}") from None
        if not (math.isfinite(lat) and math.isfinite(lon)):
            raise SitesFileError(line, f"lat and lon must be finite numbers, found {quote(cell['lat'])}, "
                                       f"{quote(cell['lon'])}")
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise SitesFileError(line, f"coordinates out of range: lat {lat:g} (-90..90), lon {lon:g} (-180..180)")
        if cell["risk"] not in RISKS:
            raise SitesFileError(line, f"risk {quote(cell['risk'])} is not one of {', '.join(RISKS)}")
        if not re.match(ID_PATTERN, cell["id"]):
            raise SitesFileError(line, f"site id {quote(cell['id'])} is not a valid id: use letters, digits, _, . and - "
                                       "(no spaces), starting with a letter, digit or _")
        if cell["id"] in seen:
            raise SitesFileError(line, f"duplicate site id {quote(cell['id'])} (first on line {seen[cell['id']]})")
        seen[cell["id"]] = line
        sites.append(Site(cell["id"], lat, lon, cell["risk"], cell.get("district") or None))
    return sites


def expand_units(forces) -> list[Unit]:
    """``{id: patrol, count: 3}`` -> patrol-1, patrol-2, patrol-3."""
    return [Unit(uid, group.type, group.base, g) for g, group in enumerate(forces.units) for uid in group.unit_ids()]


#: Unit type name of TPS guards in the timeline and, with ``dispatch.pull_guards``, of guard units.
GUARD_TYPE = "tps_guard"
#: What a guard group can give when it moves (pulled, a first responder, mobile after an escort),
#: and how fast it goes.
GUARD_CAPABILITY = "response"
GUARD_SPEED_KMH = 20.0          # on foot or by motorbike through village roads


def guards_as_units(spec) -> bool:
    """Whether the TPS guard groups are rows of the unit table (they move): pulled by dispatch, first
    responders (format 1.1 ``guard.respond``), or mobile after an escort (``guard.escort``)."""
    guard = spec.guard
    return bool(guard.tps) and (spec.dispatch.pull_guards or guard.respond is not None
                                or (guard.escort is not None and guard.escort.after_escort == "response"))


def guard_groups(sites, guard) -> list[tuple[str, int, Site]]:
    """TPS guard groups ``(id, police, post)``, ids ``guard-<risk>-<n>``.

    Sites of each risk category are cut into groups of ``per_tps`` (:func:`guard_members`); a group
    stands at its post: its first TPS (``guard.groups: in_order``, the default and version 1's) or,
    with ``nearby`` (format 1.1), the TPS nearest the middle of its group. There are
    ceil(sites / per_tps) groups per risk, as in :func:`guards_by_risk`.
    """
    out = []
    nearby = getattr(guard, "groups", "in_order") == "nearby"
    counts: dict[str, int] = {}
    for risk, members in _groups(sites, guard):
        counts[risk] = counts.get(risk, 0) + 1
        post = _middle(members) if nearby else members[0]
        out.append((f"guard-{risk}-{counts[risk]}", guard.tps[risk].police, post))
    return out


def guard_members(sites, guard) -> list[list[Site]]:
    """The TPS of each guard group, in the order of :func:`guard_groups`.

    ``in_order`` takes each risk's TPS in site order; ``nearby`` (format 1.1) orders them along a
    Hilbert curve over their coordinates, so that the ``per_tps`` TPS of a group are neighbours
    (one desa or a few) rather than spread over the kecamatan."""
    return [members for _, members in _groups(sites, guard)]


def _groups(sites, guard) -> list[tuple[str, list[Site]]]:
    nearby = getattr(guard, "groups", "in_order") == "nearby"
    out = []
    for risk, rule in guard.tps.items():
        of_risk = [s for s in sites if s.risk == risk]
        if nearby and of_risk:
            of_risk = _along_curve(of_risk)
        for k in range(0, len(of_risk), rule.per_tps):
            out.append((risk, of_risk[k:k + rule.per_tps]))
    return out


def _along_curve(sites: list[Site]) -> list[Site]:
    """``sites`` ordered by their Hilbert index on a 2^16 grid over the bounding box of all of them
    (ties: site order). Consecutive TPS along the curve are neighbours, so a run of ``per_tps`` of
    them is compact, also where it crosses from one kecamatan into the next; cutting by district
    first would send a district's last, short run across the map to the next district's TPS."""
    lat0, lat1 = min(s.lat for s in sites), max(s.lat for s in sites)
    lon0, lon1 = min(s.lon for s in sites), max(s.lon for s in sites)
    side = 1 << 16

    def cell(v: float, lo: float, hi: float) -> int:
        return 0 if hi <= lo else min(side - 1, int((v - lo) / (hi - lo) * side))

    keyed = [(_hilbert(side, cell(s.lon, lon0, lon1), cell(s.lat, lat0, lat1)), i, s) for i, s in enumerate(sites)]
    keyed.sort(key=lambda k: k[:2])
    return [k[2] for k in keyed]


def _hilbert(side: int, x: int, y: int) -> int:
    """The distance of cell (x, y) along the Hilbert curve filling a ``side`` x ``side`` grid."""
    d, s = 0, side // 2
    while s > 0:
        rx = 1 if x & s else 0
        ry = 1 if y & s else 0
        d += s * s * ((3 * rx) ^ ry)
        if ry == 0:   # rotate the quadrant
            if rx == 1:
                x, y = side - 1 - x, side - 1 - y
            x, y = y, x
        s //= 2
    return d


def _middle(members: list[Site]) -> Site:
    """The TPS of a group nearest its centre (mean latitude and longitude; ties: the first)."""
    lat = sum(s.lat for s in members) / len(members)
    lon = sum(s.lon for s in members) / len(members)
    cos = math.cos(math.radians(lat))
    return min(members, key=lambda s: (s.lat - lat) ** 2 + ((s.lon - lon) * cos) ** 2)


def guards_by_risk(sites, guard) -> dict[str, tuple[int, int, int]]:
    """Per risk category: (sites, groups, police) under ``guard.tps``; groups = ceil(sites / per_tps)."""
    counts: dict[str, int] = {}
    for site in sites:
        counts[site.risk] = counts.get(site.risk, 0) + 1
    out = {}
    for risk, rule in guard.tps.items():
        n = counts.get(risk, 0)
        groups = math.ceil(n / rule.per_tps)
        out[risk] = (n, groups, groups * rule.police)
    return out
