"""``stats.targets.borderline`` and ``margin``: when the 95% interval straddles a target's limit.

Rows are written by hand in the shape ``evaluate_targets`` gives them (results.json's
``targets``), so each case shows exactly which interval decides.
"""

from __future__ import annotations

import pytest

from sispam_sim.stats.targets import borderline, margin


def row(verdict="pass", stat="p90", limit=15.0, value=14.0, ci=(13.0, 14.5), share=(0.92, (0.91, 0.93)), **extra):
    out = {"kind": None, "metric": "response_time", "stat": stat, "limit": limit, "value": value,
           "ci": None if ci is None else list(ci), "verdict": verdict, **extra}
    if share is not None:
        out["share_within"] = {"value": share[0], "ci": None if share[1] is None else list(share[1])}
    return out


@pytest.mark.parametrize("case, expected", [
    (row(), False),                                            # both intervals inside the pass side
    (row(ci=(13.0, 15.0)), False),                             # touching the limit is still within it
    (row(ci=(13.0, 15.5)), True),                              # a pass whose interval reaches above the limit
    (row(ci=(13.0, None)), True),                              # ... up among censored incidents
    (row(share=(0.92, (0.89, 0.95))), True),                   # p90 passes, but the share's interval dips under 90%
    (row(share=(0.92, (0.90, 0.95))), False),                  # exactly 90% is a pass
    (row(verdict="fail", value=16.0, ci=(15.5, 17.0), share=(0.85, (0.8, 0.88))), False),
    (row(verdict="fail", value=16.0, ci=(15.0, 17.0), share=(0.85, (0.8, 0.88))), True),   # could pass
    (row(verdict="fail", value=16.0, ci=(15.5, 17.0), share=(0.85, (0.8, 0.90))), True),   # share could reach 90%
    (row(verdict="fail", value=16.0, ci=(None, None), value_censored=True), False),   # rests on censoring
    (row(verdict="fail", stat="mean", value=14.0, ci=(13.0, 16.0), share=None, lower_bound=True), False),
    (row(stat="mean", ci=(13.0, 16.0), share=(0.5, (0.0, 1.0))), True),   # a mean's share is not judged ...
    (row(stat="mean", ci=(13.0, 14.5), share=(0.5, (0.0, 1.0))), False),  # ... only its interval
    (row(stat="max", ci=None, share=(1.0, (0.9, 1.0))), False),  # max has no interval
    (row(ci=None, share=(0.92, None)), False),                 # one day: no interval at all
    (row(verdict="untested", value=None, ci=None, share=None), False),
])
def test_borderline(case, expected):
    assert borderline(case) is expected


def test_borderline_day_metric_mean():
    day = {"kind": None, "metric": "unresolved", "stat": "mean", "limit": 1, "value": 0.8, "ci": [0.5, 1.1],
           "verdict": "pass"}
    assert borderline(day)
    assert not borderline({**day, "ci": [0.5, 1.0]})


def test_max_level_without_interval_is_never_borderline():
    assert not borderline({"metric": "max_level", "stat": "max", "limit": 2, "value": 2, "ci": None,
                           "verdict": "pass", "days_exceeding": 0})


def test_margin_is_limit_minus_value():
    assert margin(row(limit=15.0, value=14.0)) == 1.0
    assert margin(row(verdict="fail", limit=15.0, value=16.5)) == -1.5
    assert margin({"metric": "max_level", "stat": "max", "limit": 2, "value": 3, "verdict": "fail"}) == -1
    assert margin(row(verdict="untested", value=None)) is None
