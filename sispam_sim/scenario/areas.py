"""Which district a point lies in: areas of responsibility (format 1.1 ``forces.units[].area``).

A district is a circle (``map.districts``: centre and ``radius_km``). A point lies in the
districts whose circle holds it (great-circle km, the distance sites are placed with); where
circles overlap, in the one whose centre is nearest; outside every circle, in none. A TPS from
``map.sites.generate`` lies in the district it was generated in, one from a sites file in its
``district`` column when given; an incident at a district (``where: {district: ...}``) lies in
that district. Validation and the engine both ask here, so an error about a base outside every
district and the engine's choice of units agree.
"""

from __future__ import annotations

import math

from sispam_sim.scenario.sites import KM_PER_DEGREE

__all__ = ["district_at", "unit_area"]


def district_at(districts, lat: float, lon: float) -> str | None:
    """The id of the district (``map.districts``) holding the point, or None outside every one."""
    best, best_km = None, math.inf
    for name, d in districts.items():
        dy = (lat - d.lat) * KM_PER_DEGREE
        dx = (lon - d.lon) * KM_PER_DEGREE * math.cos(math.radians((lat + d.lat) / 2))
        km = math.hypot(dx, dy)
        if km <= d.radius_km * (1 + 1e-9) and km < best_km:
            best, best_km = name, km
    return best


def unit_area(group, spec) -> frozenset[str] | None:
    """The districts a unit group answers in (None: no area, it answers anywhere); ``area: base``
    is the district its base lies in (empty when its base is outside every district: validation
    refuses that)."""
    area = group.area
    if area is None:
        return None
    if area == "base":
        base = spec.map.places.get(group.base)
        district = None if base is None else district_at(spec.map.districts, base.lat, base.lon)
        return frozenset(() if district is None else (district,))
    return frozenset(area.districts)
