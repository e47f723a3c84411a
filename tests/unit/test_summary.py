"""Pooled statistics checked against numbers computed by hand.

Three days (replications), every call at minute 0, the run ends at 600 (so an incident
never reached is censored with the lower bound 600 − 0 = 600):

day 0: rapid_response responses 2, 4, 6, 8; one station_disruption (response 5,
       resolved at 30 -> TPS downtime 30)
day 1: rapid_response responses 10, 20; one crowd_buildup (response 5, reached level
       2, never at full strength, never resolved)
day 2: rapid_response response 3; crowd_buildups with responses 7 (level 3) and 9
       (level 1); one rapid_response that was never dispatched at all

Response times pooled, censored last: 2 3 4 5 5 6 7 8 9 10 20 [>600]  (n = 12).
``inverted_cdf`` percentiles: p50 = 6th value = 6, p90 = 11th = 20, p95 = 12th = censored.
"""

from __future__ import annotations

import math
from collections import namedtuple

import numpy as np
import pytest

from sispam_sim.engine.records import IncidentRecord, ReplicationResult
from sispam_sim.stats.intervals import mean_ci, ratio_ci, wilson_ci
from sispam_sim.stats.summary import aggregate, summarise_day
from sispam_sim.stats.targets import all_met

T_DF2 = 4.302652729749463   # two-sided 95 % Student-t critical value, 2 degrees of freedom
Target = namedtuple("Target", "kind metric stat limit")


def inc(rep, n, kind, response, *, call=0.0, full=True, resolved=30.0, level=1, dispatched=True, short=None):
    arrival = None if response is None else call + response
    record = IncidentRecord(
        replication=rep, id=f"{kind}-{n:04d}", kind=kind, entry=0, label=f"{kind} label", priority=2,
        place="kpu", site=None, lat=-8.17, lon=113.7, call=call, need=4,
        first_dispatch=call + 1.0 if dispatched else None,
        first_arrival=arrival,
        full_strength=(arrival + 10.0) if (full and arrival is not None) else None,
        resolved=None if resolved is None else call + resolved,
        max_level=level,
    )
    record.short_minutes = (response + 10.0 if response is not None else 600.0 - call) if short is None else short
    return record


def day(r, incidents, busy=None, available=None, drain=None):
    return ReplicationResult(replication=r, incidents=incidents, timeline=[],
                             busy_crew_minutes=busy or {}, available_crew_minutes=available or {}, end=600.0,
                             duration=480.0, drain_busy_crew_minutes=drain or {})


def results():
    d0 = [inc(0, i, "rapid_response", v) for i, v in enumerate([2, 4, 6, 8])]
    d0.append(inc(0, 4, "station_disruption", 5))
    d1 = [inc(1, 0, "rapid_response", 10), inc(1, 1, "rapid_response", 20),
          inc(1, 2, "crowd_buildup", 5, full=False, resolved=None, level=2)]
    d2 = [inc(2, 0, "rapid_response", 3), inc(2, 1, "crowd_buildup", 7, level=3),
          inc(2, 2, "crowd_buildup", 9, level=1),
          inc(2, 3, "rapid_response", None, full=False, resolved=None, dispatched=False)]
    return [
        day(0, d0, {"sabhara": 100.0}, {"sabhara": 1000.0, "tni": 0.0}, {"sabhara": 7.0}),
        day(1, d1, {"sabhara": 200.0, "brimob": 50.0}, {"sabhara": 1000.0, "brimob": 500.0}),
        day(2, d2, {"sabhara": 300.0, "brimob": 150.0}, {"sabhara": 1000.0, "brimob": 500.0}, {"brimob": 20.0}),
    ]


TARGETS = [
    Target(None, "response_time", "p90", 20.0),
    Target(None, "response_time", "p95", 1000.0),
    Target(None, "response_time", "mean", 100.0),
    Target("station_disruption", "tps_downtime", "p95", 30.0),
    Target("crowd_buildup", "response_time", "max", 10.0),
    Target(None, "max_level", "max", 2),
    Target(None, "unresolved", "mean", 1),
]


@pytest.fixture(scope="module")
def summary():
    return aggregate([summarise_day(r) for r in results()], TARGETS)


def test_counts_say_what_was_called_reached_and_resolved(summary):
    c = summary["metrics"]["all"]["incidents"]
    assert (c["called"], c["reached"], c["resolved"], c["days"], c["worst_day"]) == (12, 11, 10, 3, 5)
    assert c["per_day"]["value"] == 4.0
    lo, hi = c["per_day"]["ci"]
    half = T_DF2 * 1.0 / math.sqrt(3)   # per-day counts 5, 3, 4: sd 1
    assert (lo, hi) == pytest.approx((4.0 - half, 4.0 + half))


def test_percentiles_are_over_all_incidents_pooled(summary):
    rt = summary["metrics"]["all"]["response_time"]
    assert (rt["n"], rt["censored"]) == (12, 1)
    assert rt["p50"]["value"] == 6.0 and rt["p50"]["censored"] is False
    assert rt["p90"]["value"] == 20.0 and rt["p90"]["censored"] is False
    # the 12th value is the incident never reached: the percentile is more than its wait, 600
    assert rt["p95"] == {"value": 600.0, "ci": rt["p95"]["ci"], "censored": True}
    assert rt["max"] == {"value": 600.0, "censored": True}


def test_percentiles_equal_numpy_inverted_cdf_with_censored_as_infinity(summary):
    values = [2, 4, 6, 8, 5, 10, 20, 5, 3, 7, 9, math.inf]
    rt = summary["metrics"]["all"]["response_time"]
    for stat, q in (("p50", 50), ("p90", 90)):
        assert rt[stat]["value"] == np.percentile(values, q, method="inverted_cdf")
    assert np.percentile(values, 95, method="inverted_cdf") == math.inf


def test_the_mean_counts_censored_incidents_at_their_lower_bound_and_says_so(summary):
    mean = summary["metrics"]["all"]["response_time"]["mean"]
    assert mean["value"] == pytest.approx(679 / 12)   # (25 + 35 + 619) / 12
    assert mean["lower_bound"] is True
    # the ratio estimator over days, by hand: z_d = S_d - r n_d, se = sqrt(sum z^2 / (R )) / mean n
    r = 679 / 12
    z = [25 - r * 5, 35 - r * 3, 619 - r * 4]
    se = math.sqrt(sum(x * x for x in z) / 6) / 4
    assert r - T_DF2 * se < 0   # the interval would reach below 0 minutes: it stops at 0
    assert mean["ci"] == pytest.approx([0.0, r + T_DF2 * se])


def test_a_kind_block_pools_only_that_kind(summary):
    crowd = summary["metrics"]["by_kind"]["crowd_buildup"]
    assert crowd["response_time"]["n"] == 3 and crowd["response_time"]["max"]["value"] == 9.0
    assert crowd["full_strength_time"]["censored"] == 1          # day 1's crowd never at full strength
    assert crowd["resolution_time"]["censored"] == 1
    assert crowd["short_minutes"]["n"] == 3 and crowd["short_minutes"]["censored"] == 1
    station = summary["metrics"]["by_kind"]["station_disruption"]
    assert station["tps_downtime"]["n"] == 1 and station["tps_downtime"]["p50"]["value"] == 30.0
    assert "tps_downtime" not in summary["metrics"]["by_kind"]["rapid_response"]
    assert summary["metrics"]["all"]["tps_downtime"]["n"] == 1   # only station disruptions have downtime


def test_levels_are_shares_of_days_with_wilson_intervals(summary):
    levels = summary["metrics"]["all"]["levels"]
    assert levels["2"]["days"] == 2 and levels["2"]["share_of_days"]["value"] == pytest.approx(2 / 3)
    assert levels["3"]["days"] == 1
    assert summary["metrics"]["all"]["max_level"]["worst_day"] == 3
    assert summary["metrics"]["all"]["max_level"]["days"] == 2   # days with a crowd


def test_unresolved_is_a_per_day_figure(summary):
    unresolved = summary["metrics"]["all"]["unresolved"]
    assert unresolved["per_day"]["value"] == pytest.approx(2 / 3) and unresolved["worst_day"] == 1


def test_level_minutes_are_means_per_crowd(summary):
    minutes = summary["metrics"]["by_kind"]["crowd_buildup"]["level_minutes"]
    assert minutes["1"]["value"] == 0.0   # the records here carry no level minutes


def test_targets_are_judged_on_pooled_statistics(summary):
    rows = {(r["kind"], r["metric"], r["stat"]): r for r in summary["targets"]}
    p90 = rows[(None, "response_time", "p90")]
    # 20.0 <= limit, but over 3 days its 95% interval holds the limit: too close to call, leaning pass
    assert (p90["value"], p90["verdict"], p90["leaning"]) == (20.0, "too_close", "pass")
    assert p90["ci"][1] is None or p90["ci"][1] > p90["limit"] or p90["share_within"]["ci"][0] < 0.9
    assert p90["share_within"]["value"] == pytest.approx(11 / 12)   # at least 90 % within: consistent
    p95 = rows[(None, "response_time", "p95")]
    assert p95["verdict"] == "fail" and p95["value_censored"] is True
    assert p95["reason"] == "the percentile lies among censored incidents"
    mean = rows[(None, "response_time", "mean")]
    assert mean["verdict"] == "fail" and mean["lower_bound"] is True   # 56.6 <= 100, but only a lower bound
    assert rows[("station_disruption", "tps_downtime", "p95")]["verdict"] == "pass"
    assert rows[("crowd_buildup", "response_time", "max")]["value"] == 9.0
    level = rows[(None, "max_level", "max")]
    assert (level["value"], level["days_exceeding"], level["days"], level["verdict"]) == (3, 1, 2, "fail")
    unresolved = rows[(None, "unresolved", "mean")]
    # 2/3 a day against its limit, but 3 days give an interval that holds the limit
    assert (unresolved["verdict"], unresolved["leaning"]) == ("too_close", "pass")
    assert unresolved["value"] == pytest.approx(2 / 3) and unresolved["ci"][1] > unresolved["limit"]
    assert not all_met(summary["targets"])


def test_share_within_counts_censored_incidents_as_outside():
    days = [summarise_day(r) for r in results()]
    rows = aggregate(days, [Target(None, "response_time", "p50", 10.0)])["targets"]
    # within 10 min: day 0 all 5, day 1 two of 3 (10 and 5), day 2 three of 4 (the censored one is not)
    assert rows[0]["share_within"]["value"] == pytest.approx(10 / 12)


def test_a_percentile_target_passes_exactly_when_its_share_within_reaches_it():
    days = [summarise_day(r) for r in results()]
    for limit in (1.0, 2.0, 5.0, 6.0, 9.0, 10.0, 19.0, 20.0, 25.0):
        for stat, share in (("p50", 0.5), ("p90", 0.9)):
            row = aggregate(days, [Target(None, "response_time", stat, limit)])["targets"][0]
            # the point's side (too close to call keeps it as leaning)
            side = row.get("leaning", row["verdict"])
            assert (side == "pass") == (row["share_within"]["value"] >= share), (stat, limit)


def test_a_target_with_nothing_to_judge_is_untested_never_a_pass():
    days = [summarise_day(day(0, [inc(0, 0, "rapid_response", 4.0)]))]
    rows = aggregate(days, [Target(None, "tps_downtime", "p95", 60.0),
                            Target("crowd_buildup", "response_time", "p90", 15.0),
                            Target(None, "max_level", "max", 2)])["targets"]
    assert [r["verdict"] for r in rows] == ["untested", "untested", "untested"]
    assert not all_met(rows)
    assert not all_met([])


def test_utilisation_is_busy_over_available_crew_minutes_of_the_window(summary):
    by_type = summary["units"]["by_type"]
    assert by_type["sabhara"]["utilisation"]["value"] == pytest.approx(600 / 3000)
    assert by_type["brimob"]["utilisation"]["value"] == pytest.approx(200 / 1000)
    assert by_type["sabhara"]["drain_busy_crew_minutes_per_day"]["value"] == pytest.approx(7 / 3)
    assert by_type["tni"]["utilisation"]["value"] is None   # nothing available: undefined, not 0 %


def test_slowest_incidents_never_reached_first_then_longest(summary):
    slowest = summary["slowest"]
    assert [(s["replication"], s["response_time"]) for s in slowest] == [
        (2, None), (1, 20.0), (1, 10.0), (2, 9.0), (0, 8.0)]
    assert slowest[0]["label"] == "rapid_response label"


def test_reduce_does_not_depend_on_the_order_or_grouping_of_days():
    days = [summarise_day(r) for r in results()]
    assert aggregate(days, TARGETS) == aggregate(days[::-1], TARGETS)


def test_one_day_gives_values_without_intervals():
    summary = aggregate([summarise_day(results()[0])], TARGETS)
    rt = summary["metrics"]["all"]["response_time"]
    assert rt["mean"]["value"] == 5.0 and rt["mean"]["ci"] is None and rt["p90"]["ci"] is None


# ------------------------------------------------------------------ the interval methods by hand


def test_ratio_ci_by_hand():
    value, ci = ratio_ci([2, 4, 9], [1, 2, 3])
    r = 15 / 6
    se = math.sqrt(((2 - r) ** 2 + (4 - 2 * r) ** 2 + (9 - 3 * r) ** 2) / 6) / 2
    assert value == r and ci == pytest.approx([r - T_DF2 * se, r + T_DF2 * se])
    assert ratio_ci([0, 0], [0, 0]) == (None, None)
    assert ratio_ci([3, 3, 3], [3, 3, 3], bounds=(0, 1)) == (1.0, [1.0, 1.0])


def test_wilson_interval_known_values():
    assert wilson_ci(0, 100)[1] == pytest.approx([0.0, 0.036994], abs=1e-6)
    assert wilson_ci(100, 100)[1] == pytest.approx([0.963006, 1.0], abs=1e-6)
    assert wilson_ci(5, 10)[1] == pytest.approx([0.236593, 0.763407], abs=1e-6)
    assert wilson_ci(0, 0) == (None, None)


def test_mean_ci_needs_two_days_for_an_interval():
    assert mean_ci([3.0]) == (3.0, None)
    with pytest.raises(ValueError):
        mean_ci([])


def test_relative_half_widths_use_the_limit_when_the_value_is_zero():
    from sispam_sim.runner.pipeline import relative_half_widths

    def summary(value, ci, limit=15.0):
        return {"targets": [{"kind": None, "metric": "response_time", "stat": "p90", "limit": limit, "value": value,
                             "ci": ci, "verdict": "pass"}]}

    assert relative_half_widths(summary(10.0, [9.0, 12.0])) == [("response_time p90", 0.2)]
    assert relative_half_widths(summary(0.0, [0.0, 1.5])) == [("response_time p90", 0.1)]
    assert relative_half_widths(summary(0.0, [0.0, 0.0], limit=0.0)) == [("response_time p90", 0.0)]
    assert relative_half_widths(summary(10.0, [9.0, None])) == [("response_time p90", math.inf)]
