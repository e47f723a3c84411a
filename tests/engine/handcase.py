"""Small scenarios for hand-computed engine tests, and an independent haversine.

Places: BASE, NEAR (~1 km from BASE) and FAR (~6 km). Drive times are computed here,
not by the engine (R = 6371.0 km, road factor 1.3), so a wrong radius, a degrees/radians
slip or a forgotten road factor in the engine shows up as a number. Clock: 06:00 is
minute 0, so 07:00 is minute 60.
"""

from __future__ import annotations

import math

from sispam_sim.scenario.loader import scenario_from_dict

R = 6371.0
START = "2024-11-27 06:00"
BASE = {"lat": -8.1725, "lon": 113.6995}
NEAR = {"lat": -8.1800, "lon": 113.7050}      # ~1 km from BASE
FAR = {"lat": -8.2100, "lon": 113.7400}       # ~6 km from BASE


def km(a: dict, b: dict) -> float:
    p1, p2 = math.radians(a["lat"]), math.radians(b["lat"])
    dp, dl = p2 - p1, math.radians(b["lon"] - a["lon"])
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * R * math.asin(math.sqrt(h))


def drive(a: dict, b: dict, speed: float, factor: float = 1.3) -> float:
    """Minutes from a to b at ``speed`` km/h on roads ``factor`` times the great circle."""
    return km(a, b) * factor / speed * 60


def scenario(places: dict, types: dict, units: list, incidents: list, dispatch: dict | None = None,
             clock: dict | None = None, seed: int = 5, **extra):
    """A scenario on ``places`` with road factor 1.3, 12 h of incidents and 12 h of drain."""
    data = {
        "version": 1, "name": "hand", "seed": seed,
        "clock": clock or {"start": START, "duration": "12h", "drain": "12h"},
        "map": {"travel": {"road_factor": 1.3}, "places": places},
        "forces": {"types": types, "units": units},
        "incidents": incidents,
    }
    if dispatch:
        data["dispatch"] = dispatch
    data.update(extra)
    return scenario_from_dict(data)


def by_label(result) -> dict:
    return {r.label: r for r in result.incidents}


def binomial_interval(n: int, p: float, level: float = 0.999) -> tuple[int, int]:
    """The central interval holding at least ``level`` of Binomial(n, p)."""
    pmf = [math.comb(n, k) * p ** k * (1 - p) ** (n - k) for k in range(n + 1)]
    tail = (1 - level) / 2
    lo, acc = 0, 0.0
    while acc + pmf[lo] <= tail:
        acc += pmf[lo]
        lo += 1
    hi, acc = n, 0.0
    while acc + pmf[hi] <= tail:
        acc += pmf[hi]
        hi -= 1
    return lo, hi
