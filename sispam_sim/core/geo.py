"""Travel: how many minutes a unit needs from where it is to where it is sent.

Two travel models, chosen by the ``map.travel`` key the YAML uses (:data:`TRAVEL_MODELS`):

* ``road_factor`` — great-circle km (haversine, R = 6371.0 km) x road factor / unit
  speed x 60. A unit on the road (driving back to base, or re-routed) is placed by
  linear interpolation of latitude and longitude between where it left and where it
  goes, which is accurate to well under 1% over the few kilometres of a city.
* ``matrix`` — minutes read from a CSV between place ids; unit speed is ignored. A unit
  on the road has no place id, so it is treated as still standing at the node it left
  (the incident it drove away from, or its base): its time to a new incident is
  ``matrix[left, new]``. The approximation overstates the time of a unit that has
  already covered part of its way back; nothing finer is attempted.

Both models take arrays of origins (all candidate units at once) and one destination,
so the dispatcher evaluates every candidate in one vectorised call.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

EARTH_RADIUS_KM = 6371.0


def great_circle_km(lat, lon, lat0: float, lon0: float):
    """Haversine distance in km from each (``lat``, ``lon``) (arrays or floats) to (``lat0``, ``lon0``)."""
    phi = np.radians(lat)
    phi0 = math.radians(lat0)
    dphi = phi - phi0
    dlam = np.radians(lon) - math.radians(lon0)
    a = np.sin(dphi / 2) ** 2 + np.cos(phi) * math.cos(phi0) * np.sin(dlam / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.minimum(a, 1.0)))


def great_circle_km_one(lat: float, lon: float, lat0: float, lon0: float) -> float:
    """:func:`great_circle_km` for one pair of points, with plain floats (no numpy overhead)."""
    phi, phi0 = math.radians(lat), math.radians(lat0)
    a = (math.sin((phi - phi0) / 2) ** 2
         + math.cos(phi) * math.cos(phi0) * math.sin(math.radians(lon - lon0) / 2) ** 2)
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(min(a, 1.0)))


@dataclass(frozen=True)
class Location:
    """Where an incident (or a base) is: coordinates, and its node in a travel matrix (-1: none)."""

    key: str
    lat: float
    lon: float
    node: int = -1
    site: str | None = None


class GreatCircleTravel:
    """Great-circle km x ``road_factor`` / speed."""

    uses_matrix = False
    per_speed = True      # minutes scale with 1 / speed

    def __init__(self, road_factor: float):
        self.factor = float(road_factor)

    def minutes(self, lat: np.ndarray, lon: np.ndarray, node: np.ndarray, speed: np.ndarray,
                dest: Location) -> np.ndarray:
        """Minutes from every origin to ``dest`` (``node`` is ignored)."""
        return great_circle_km(lat, lon, dest.lat, dest.lon) * (self.factor * 60.0) / speed

    def minutes_one(self, lat: float, lon: float, node: int, speed: float,
                    dest_lat: float, dest_lon: float, dest_node: int) -> float:
        if lat == dest_lat and lon == dest_lon:
            return 0.0
        return great_circle_km_one(lat, lon, dest_lat, dest_lon) * self.factor / speed * 60.0


class MatrixTravel:
    """Minutes from a matrix of place ids; a missing pair (NaN) is unreachable (infinite)."""

    uses_matrix = True
    per_speed = False     # the matrix gives minutes whatever the unit

    def __init__(self, matrix):
        self.ids = tuple(matrix.ids)
        self.table = np.where(np.isnan(matrix.minutes), np.inf, matrix.minutes).astype(float)
        np.fill_diagonal(self.table, 0.0)
        self._index = {pid: i for i, pid in enumerate(self.ids)}

    def node(self, key: str) -> int:
        """The row of place id ``key``, or -1 when the matrix does not have it."""
        return self._index.get(key, -1)

    def minutes(self, lat: np.ndarray, lon: np.ndarray, node: np.ndarray, speed: np.ndarray,
                dest: Location) -> np.ndarray:
        """Minutes from every origin node to ``dest.node`` (coordinates and speed are ignored)."""
        return self.table[node, dest.node]

    def minutes_one(self, lat: float, lon: float, node: int, speed: float,
                    dest_lat: float, dest_lon: float, dest_node: int) -> float:
        return float(self.table[node, dest_node])


#: Travel models by the ``map.travel`` key that selects them.
TRAVEL_MODELS = {"road_factor": GreatCircleTravel, "matrix": MatrixTravel}


def make_travel(scenario) -> GreatCircleTravel | MatrixTravel:
    """The travel model of a :class:`~sispam_sim.scenario.loader.LoadedScenario`."""
    travel = scenario.spec.map.travel
    if travel.matrix is not None:
        if scenario.matrix is None:
            raise ValueError("map.travel.matrix is set but the scenario was loaded without its matrix")
        return TRAVEL_MODELS["matrix"](scenario.matrix)
    return TRAVEL_MODELS["road_factor"](travel.factor)
