"""Travel and unit positions."""

from __future__ import annotations

import math

import numpy as np
import pytest

from sispam_sim.core.geo import GreatCircleTravel, Location, MatrixTravel, great_circle_km, great_circle_km_one
from sispam_sim.scenario.loader import TravelMatrix


def test_great_circle_known_distances():
    # a quarter of the equator, and one degree of latitude: 2 pi R / 4 and 2 pi R / 360
    assert great_circle_km(0.0, 0.0, 0.0, 90.0) == pytest.approx(math.pi * 6371.0 / 2)
    assert great_circle_km(1.0, 113.0, 0.0, 113.0) == pytest.approx(2 * math.pi * 6371.0 / 360)
    lat = np.array([-8.17, -8.30, 10.0])
    lon = np.array([113.70, 113.50, -70.0])
    vec = great_circle_km(lat, lon, -8.2, 113.6)
    assert vec.shape == (3,)
    assert vec.tolist() == pytest.approx([great_circle_km_one(a, b, -8.2, 113.6) for a, b in zip(lat, lon)])


def test_travel_minutes_road_factor_and_speed():
    travel = GreatCircleTravel(1.5)
    dest = Location("x", 0.0, 1.0)
    km = 2 * math.pi * 6371.0 / 360
    got = travel.minutes(np.array([0.0]), np.array([0.0]), np.array([-1]), np.array([30.0]), dest)
    assert got[0] == pytest.approx(km * 1.5 / 30 * 60)
    assert travel.minutes_one(0.0, 0.0, -1, 30.0, 0.0, 1.0, -1) == pytest.approx(got[0])
    assert travel.minutes_one(0.0, 1.0, -1, 30.0, 0.0, 1.0, -1) == 0.0


def test_matrix_travel_reads_rows_as_from_and_gaps_as_unreachable():
    minutes = np.array([[0.0, 12.0, np.nan], [14.0, 0.0, 5.0], [np.nan, 6.0, np.nan]])
    travel = MatrixTravel(TravelMatrix(("a", "b", "c"), minutes))
    assert travel.node("b") == 1 and travel.node("zz") == -1
    dest = Location("b", 0, 0, travel.node("b"))
    got = travel.minutes(None, None, np.array([0, 2, 1]), None, dest)
    assert got.tolist() == [12.0, 6.0, 0.0]
    assert travel.minutes_one(0, 0, 0, 0, 0, 0, 2) == math.inf
    assert travel.minutes_one(0, 0, 2, 0, 0, 0, 2) == 0.0       # a node to itself, even if the CSV left it empty
