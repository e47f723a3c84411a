"""Too close to call: the verdict when a target's 95% interval holds its limit, and what
``--replications auto`` asks for to settle it."""

from __future__ import annotations

import math

import pytest

from sispam_sim.runner.pipeline import too_close_factors
from sispam_sim.stats.targets import _too_close, all_met


def _row(value, ci, verdict, limit=15.0, **extra):
    return {"kind": None, "metric": "response_time", "stat": "mean", "limit": limit, "value": value, "ci": ci,
            "verdict": verdict, **extra}


@pytest.mark.parametrize("value, ci, verdict, expected", [
    (14.0, [13.0, 14.9], "pass", ("pass", None)),             # wholly under: a pass
    (14.0, [13.0, 15.5], "pass", ("too_close", "pass")),      # reaches over the limit
    (16.0, [15.2, 17.0], "fail", ("fail", None)),             # wholly over: a fail
    (16.0, [14.8, 17.0], "fail", ("too_close", "fail")),      # reaches under it
    (16.0, [15.0, 17.0], "fail", ("too_close", "fail")),      # the limit itself is inside
    (16.0, None, "fail", ("fail", None)),                     # no interval (one day): the point decides
])
def test_the_interval_decides_whether_the_point_can_be_trusted(value, ci, verdict, expected):
    row = _too_close(_row(value, ci, verdict))
    assert (row["verdict"], row.get("leaning")) == expected


def test_a_verdict_resting_on_censored_incidents_is_never_too_close():
    row = _too_close(_row(16.0, [14.0, None], "fail", value_censored=True))
    assert row["verdict"] == "fail" and "leaning" not in row


def test_too_close_is_not_met():
    assert not all_met([_row(14.0, [13.0, 15.5], "too_close", leaning="pass")])


def test_auto_replications_ask_the_interval_to_shrink_off_the_limit():
    """Value 16, interval [14.8, 17.2]: half-width 1.2, distance to the limit 1.0, so the interval
    must get 1.2 times narrower (about 1.44 times the days); at the limit itself, no number will do."""
    summary = {"targets": [_row(16.0, [14.8, 17.2], "too_close", leaning="fail"),
                           _row(15.0, [14.0, 16.0], "too_close", leaning="pass"),
                           _row(10.0, [9.0, 11.0], "pass")]}
    (name, factor), (_, at_limit) = too_close_factors(summary)
    assert name == "response_time mean" and factor == pytest.approx(1.2)
    assert math.isinf(at_limit)
