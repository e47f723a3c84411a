"""Student-t critical values without scipy, checked against printed tables and scipy."""

from __future__ import annotations

import math

import pytest

from sispam_sim.stats.tdist import t_critical, t_ppf

TABLE = {1: 12.7062, 2: 4.3027, 5: 2.5706, 9: 2.2622, 29: 2.0452, 99: 1.9842, 1000: 1.9623}


@pytest.mark.parametrize("df, expected", sorted(TABLE.items()))
def test_two_sided_95_matches_table(df, expected):
    assert t_critical(df) == pytest.approx(expected, abs=1e-3)


def test_closed_forms_for_one_and_two_degrees_of_freedom():
    assert t_ppf(0.975, 1) == pytest.approx(math.tan(math.pi * 0.475), rel=1e-14)
    assert t_ppf(0.975, 2) == pytest.approx(0.95 * math.sqrt(2 / (1 - 0.95**2)), rel=1e-14)


def test_approaches_normal_for_large_df():
    assert t_critical(10**7) == pytest.approx(1.959964, abs=1e-6)
    assert t_critical(float("inf")) == pytest.approx(1.959964, abs=1e-6)


def test_monotone_decreasing_in_df():
    values = [t_critical(df) for df in range(1, 60)]
    assert all(a > b for a, b in zip(values, values[1:]))


def test_symmetry_and_median():
    assert t_ppf(0.5, 7) == 0.0
    assert t_ppf(0.1, 7) == pytest.approx(-t_ppf(0.9, 7), rel=1e-12)


@pytest.mark.parametrize("bad", [dict(df=0), dict(df=0.5), dict(df=float("nan")), dict(df=5, confidence=1.0)])
def test_rejects_bad_arguments(bad):
    with pytest.raises(ValueError):
        t_critical(**bad)


def test_agrees_with_scipy_for_df_1_to_200():
    stats = pytest.importorskip("scipy.stats")
    for df in range(1, 201):
        assert t_critical(df) == pytest.approx(stats.t.ppf(0.975, df), rel=1e-9), df
    for df in (3, 17, 250, 5000, 200_000):
        for p in (0.9, 0.995):
            assert t_ppf(p, df) == pytest.approx(stats.t.ppf(p, df), rel=1e-9), (df, p)
