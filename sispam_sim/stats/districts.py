"""Where an incident lies, as the findings and the report's map name it: a district (kecamatan) or a
named place.

* A TPS lies in its district: ``map.sites.generate``'s, a sites file's ``district`` column (a
  label, also when it is not under ``map.districts``), else the district circle that holds it
  (:func:`sispam_sim.scenario.areas.district_at`); outside every circle, nowhere.
* An incident at a district (``where: {district: ...}``) lies in that district.
* An incident at a place (``where: {place: ...}``: the KPU office, the Pemkab) lies at that
  **place**: a place is never a kecamatan, so it is never ranked as one, even when a district
  circle holds it.
* A triggered incident (format 1.1) lies where the incident it follows did: its record's place is
  that incident's TPS, district or place.

``Areas(scenario)`` is built once per scenario and is picklable (a worker receives it with the
job): :meth:`Areas.code` is what the findings' map step asks per incident, :meth:`Areas.locate`
and :meth:`Areas.district_of` what a report asks of an ``incidents.csv`` row (its ``place``,
``site`` and ``entry`` columns).
"""

from __future__ import annotations

from typing import NamedTuple

from sispam_sim.scenario.areas import district_at

__all__ = ["Area", "Areas", "area_ref"]


class Area(NamedTuple):
    """A district (kecamatan) or a named place."""

    kind: str                 # "district" or "place"
    id: str
    name: str
    name_id: str | None = None


class Areas:
    """Every district and named place of a scenario, numbered; where each incident lies."""

    def __init__(self, scenario):
        spec = scenario.spec
        self.areas: list[Area] = []
        self._code: dict[tuple[str, str], int] = {}
        districts = spec.map.districts
        for did, d in districts.items():
            self._add("district", did, d.name or did, getattr(d, "name_id", None))
        self._site: dict[str, int] = {}
        for site in scenario.sites:
            district = site.district or district_at(districts, site.lat, site.lon)
            self._site[site.id] = -1 if district is None else self._add("district", district, district)
        for pid, p in spec.map.places.items():
            self._add("place", pid, p.name or pid, getattr(p, "name_id", None))
        # per entry: how its ``where`` names the incident's place (a place id and a district id may be equal)
        self._where: list[str] = []
        for entry in spec.incidents:
            where = entry.where
            self._where.append("place" if where.place is not None else "district" if where.district is not None
                               else "site" if where.sites is not None else "any")

    def _add(self, kind: str, key: str, name: str, name_id: str | None = None) -> int:
        code = self._code.get((kind, key))
        if code is None:
            code = self._code[(kind, key)] = len(self.areas)
            self.areas.append(Area(kind, key, name, name_id))
        return code

    def code(self, place: str, site: str | None = None, entry: int | None = None) -> int:
        """The number of the area an incident lies in (its record's ``place``, ``site`` and ``entry``);
        -1 where it lies in no district and at no named place."""
        if site:
            return self._site.get(site, -1)
        how = self._where[entry] if entry is not None and 0 <= entry < len(self._where) else "any"
        if how == "place":
            return self._code.get(("place", place), -1)
        if how == "district":
            return self._code.get(("district", place), -1)
        # a triggered incident: the key of the incident it follows (a TPS, a district or a place)
        found = self._site.get(place)
        if found is not None:
            return found
        found = self._code.get(("district", place))
        return found if found is not None else self._code.get(("place", place), -1)

    def locate(self, place: str, site: str | None = None, entry: int | None = None) -> Area | None:
        """The :class:`Area` of an incident (None: in no district and at no named place)."""
        code = self.code(place, site, entry)
        return self.areas[code] if code >= 0 else None

    def district_of(self, place: str, site: str | None = None, entry: int | None = None) -> str | None:
        """The district (kecamatan) id an incident lies in; None at a named place (the KPU office, the
        Pemkab: not a kecamatan) and outside every district."""
        found = self.locate(place, site, entry)
        return found.id if found is not None and found.kind == "district" else None


def area_ref(area: Area) -> dict:
    """An area as results.json names it: ``{"area": "district" | "place", "id", "name"[, "name_id"]}``."""
    out = {"area": area.kind, "id": area.id, "name": area.name}
    if area.name_id:
        out["name_id"] = area.name_id
    return out
