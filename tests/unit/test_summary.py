"""Summary statistics checked against numbers computed by hand.

Three replications with known times (minutes, call at 0 unless said otherwise):

rep 0: rapid_response responses 2, 4, 6, 8; one station_disruption (response 5,
       resolved at 30 -> TPS downtime 30)
rep 1: rapid_response responses 10, 20; one crowd_buildup (response 5, reached
       level 2, never at full strength, never resolved)
rep 2: rapid_response response 3; crowd_buildups with responses 7 (level 3) and
       9 (level 1); one rapid_response that was never dispatched at all

Every dispatch is 1 minute after the call; full strength 10 minutes after arrival;
resolution 30 minutes after the call (unless said otherwise).
"""

from __future__ import annotations

import json
import math
import statistics

import pytest

from sispam_sim.engine.records import IncidentRecord, ReplicationResult
from sispam_sim.stats.summary import mean_ci, summarise, worst_incidents
from sispam_sim.stats.targets import TARGET_METRICS, TARGET_STATS, evaluate_targets

T_DF1 = 12.706204736174696   # two-sided 95 % Student-t critical values
T_DF2 = 4.302652729749463


def inc(rep, n, kind, response, *, call=0.0, full=True, resolved=30.0, level=1, dispatched=True):
    arrival = None if response is None else call + response
    return IncidentRecord(
        replication=rep, id=f"{kind}-{n:04d}", kind=kind, entry=0, label=kind, priority=2,
        place="kpu", site=None, lat=-8.17, lon=113.7, call=call, need=4,
        first_dispatch=call + 1.0 if dispatched else None,
        first_arrival=arrival,
        full_strength=(arrival + 10.0) if (full and arrival is not None) else None,
        resolved=None if resolved is None else call + resolved,
        max_level=level,
    )


def rep(r, incidents, busy=None, available=None):
    return ReplicationResult(replication=r, incidents=incidents, timeline=[],
                             busy_crew_minutes=busy or {}, available_crew_minutes=available or {}, end=600.0)


def results():
    r0 = [inc(0, i, "rapid_response", v) for i, v in enumerate([2, 4, 6, 8])]
    r0.append(inc(0, 4, "station_disruption", 5))
    r1 = [inc(1, 0, "rapid_response", 10), inc(1, 1, "rapid_response", 20),
          inc(1, 2, "crowd_buildup", 5, full=False, resolved=None, level=2)]
    r2 = [inc(2, 0, "rapid_response", 3), inc(2, 1, "crowd_buildup", 7, level=3),
          inc(2, 2, "crowd_buildup", 9, level=1),
          inc(2, 3, "rapid_response", None, full=False, resolved=None, dispatched=False)]
    return [
        rep(0, r0, {"sabhara": 100.0, "brimob": 0.0}, {"sabhara": 1000.0, "brimob": 0.0, "tni": 0.0}),
        rep(1, r1, {"sabhara": 200.0, "brimob": 50.0}, {"sabhara": 1000.0, "brimob": 500.0, "tni": 0.0}),
        rep(2, r2, {"sabhara": 300.0, "brimob": 50.0}, {"sabhara": 1000.0, "brimob": 500.0, "tni": 0.0}),
    ]


def t_interval(values, t):
    m = statistics.fmean(values)
    half = t * statistics.stdev(values) / math.sqrt(len(values))
    return m, [m - half, m + half]


def assert_entry(entry, values, t=T_DF2):
    mean, ci = t_interval(values, t)
    assert entry["value"] == pytest.approx(mean, abs=1e-12)
    assert entry["ci"] == pytest.approx(ci, abs=1e-9)


# -- mean_ci ---------------------------------------------------------------

def test_mean_ci_matches_hand_formula():
    mean, (lo, hi) = mean_ci([1.0, 2.0, 6.0])
    assert mean == 3.0
    half = T_DF2 * statistics.stdev([1, 2, 6]) / math.sqrt(3)
    assert (lo, hi) == pytest.approx((3.0 - half, 3.0 + half), abs=1e-9)


def test_mean_ci_single_value_is_degenerate_and_empty_raises():
    assert mean_ci([4.5]) == (4.5, (4.5, 4.5))
    assert mean_ci([2.0, 2.0, 2.0]) == (2.0, (2.0, 2.0))
    with pytest.raises(ValueError):
        mean_ci([])


def test_mean_ci_agrees_with_scipy():
    stats = pytest.importorskip("scipy.stats")
    values = [3.1, 4.7, 2.2, 9.0, 5.5, 6.1, 4.4]
    mean, ci = mean_ci(values)
    lo, hi = stats.t.interval(0.95, len(values) - 1, loc=mean, scale=stats.sem(values))
    assert ci == pytest.approx((lo, hi), rel=1e-9)


# -- timing metrics --------------------------------------------------------

def test_response_time_all_kinds_per_replication_then_averaged():
    m = summarise(results())["metrics"]["all"]["response_time"]
    assert m["n"] == 3
    # per replication: [2,4,5,6,8], [5,10,20], [3,7,9] (the undispatched incident has no value)
    assert_entry(m["mean"], [5.0, 35 / 3, 19 / 3])
    assert_entry(m["p50"], [5.0, 10.0, 7.0])
    assert_entry(m["p90"], [7.2, 18.0, 8.6])       # numpy linear: index 0.9*(n-1)
    assert_entry(m["p95"], [7.6, 19.0, 8.8])
    assert_entry(m["max"], [8.0, 20.0, 9.0])
    assert m["worst"] == {"value": 20.0, "ci": None}


def test_by_kind_uses_only_that_kinds_incidents():
    by_kind = summarise(results())["metrics"]["by_kind"]
    assert list(by_kind) == ["rapid_response", "station_disruption", "crowd_buildup"]
    rr = by_kind["rapid_response"]["response_time"]
    assert rr["n"] == 3
    assert_entry(rr["mean"], [5.0, 15.0, 3.0])
    assert_entry(rr["p90"], [7.4, 19.0, 3.0])
    crowd = by_kind["crowd_buildup"]["response_time"]
    assert crowd["n"] == 2
    assert_entry(crowd["mean"], [5.0, 8.0], T_DF1)


def test_replication_without_station_disruption_contributes_nothing_to_downtime():
    m = summarise(results())["metrics"]
    for block in (m["all"], m["by_kind"]["station_disruption"]):
        tps = block["tps_downtime"]
        assert tps["n"] == 1
        assert tps["mean"] == {"value": 30.0, "ci": [30.0, 30.0]}
        assert tps["p95"] == {"value": 30.0, "ci": [30.0, 30.0]}
    assert m["by_kind"]["rapid_response"]["tps_downtime"]["n"] == 0
    assert m["by_kind"]["rapid_response"]["tps_downtime"]["mean"] == {"value": None, "ci": None}


def test_dispatch_delay_full_strength_and_resolution_skip_none():
    m = summarise(results())["metrics"]["all"]
    assert m["dispatch_delay"]["n"] == 3
    assert m["dispatch_delay"]["mean"] == {"value": 1.0, "ci": [1.0, 1.0]}
    # rep 1's crowd never reached full strength; rep 2's undispatched incident neither
    assert_entry(m["full_strength_time"]["mean"], [15.0, 25.0, 49 / 3])
    # resolution 30 for every resolved incident
    assert m["resolution_time"]["mean"] == {"value": 30.0, "ci": [30.0, 30.0]}


# -- counts, levels, units ------------------------------------------------

def test_unresolved_and_incident_counts_cover_every_replication():
    m = summarise(results())["metrics"]
    unresolved = m["all"]["unresolved"]
    assert unresolved["n"] == 3
    assert_entry(unresolved["mean"], [0, 1, 1])
    assert unresolved["max"] == {"value": 1, "ci": None}
    assert_entry(m["all"]["incidents"]["mean"], [5, 3, 4])
    assert m["by_kind"]["station_disruption"]["incidents"]["n"] == 3     # zeros count
    assert_entry(m["by_kind"]["station_disruption"]["incidents"]["mean"], [1, 0, 0])
    assert_entry(m["by_kind"]["crowd_buildup"]["unresolved"]["mean"], [0, 1, 0])


def test_max_level_distribution_over_replications_with_a_crowd():
    m = summarise(results())["metrics"]
    level = m["all"]["max_level"]
    assert level["n"] == 2
    assert level["distribution"] == {"1": 0.0, "2": 0.5, "3": 0.5}
    assert_entry(level["mean"], [2, 3], T_DF1)
    assert level["max"] == {"value": 3, "ci": None}
    assert m["by_kind"]["crowd_buildup"]["max_level"] == level
    assert "max_level" not in m["by_kind"]["rapid_response"]


def test_utilisation_per_replication_skipping_zero_availability():
    units = summarise(results())["units"]["by_type"]
    assert_entry(units["sabhara"]["utilisation"], [0.1, 0.2, 0.3])
    assert_entry(units["sabhara"]["busy_crew_minutes"], [100.0, 200.0, 300.0])
    brimob = units["brimob"]
    assert brimob["n"] == 2                                  # rep 0 had none available
    assert brimob["utilisation"] == {"value": 0.1, "ci": [0.1, 0.1]}
    assert units["tni"]["utilisation"] == {"value": None, "ci": None}


def test_summary_is_strict_json():
    summary = summarise(results(), {"response_time": {"p90": 15}})
    assert json.loads(json.dumps(summary, allow_nan=False)) == summary


def test_no_replications_gives_empty_blocks():
    summary = summarise([])
    assert summary["metrics"]["all"]["response_time"]["n"] == 0
    assert summary["metrics"]["by_kind"] == {}
    assert summary["targets"] == []


# -- targets -----------------------------------------------------------------

TARGETS = {
    "response_time": {"p90": 15.0, "max": 15.0},
    "full_strength": {"mean": 10.0},
    "tps_downtime": {"p95": 60.0},
    "max_level": {"max": 2},
    "unresolved": {"mean": 1},
}


def test_targets_judge_point_estimate_and_worst_replication():
    rows = summarise(results(), TARGETS)["targets"]
    by = {(r["metric"], r["stat"]): r for r in rows}
    assert [(r["metric"], r["stat"]) for r in rows] == [
        ("response_time", "p90"), ("response_time", "max"), ("full_strength", "mean"),
        ("tps_downtime", "p95"), ("max_level", "max"), ("unresolved", "mean")]

    p90 = by["response_time", "p90"]
    assert p90["value"] == pytest.approx(33.8 / 3)
    assert p90["ci"] == pytest.approx(t_interval([7.2, 18.0, 8.6], T_DF2)[1])
    assert p90["ci"][1] > 15.0 and p90["pass"] is True       # the CI straddles; the estimate decides

    worst = by["response_time", "max"]
    assert (worst["value"], worst["ci"], worst["pass"]) == (20.0, None, False)

    full = by["full_strength", "mean"]                          # alias kept as written
    assert full["value"] == pytest.approx((15 + 25 + 49 / 3) / 3) and full["pass"] is False

    assert by["tps_downtime", "p95"]["value"] == 30.0 and by["tps_downtime", "p95"]["pass"] is True
    assert by["max_level", "max"]["value"] == 3 and by["max_level", "max"]["pass"] is False
    assert by["max_level", "max"]["limit"] == 2
    assert by["unresolved", "mean"]["value"] == pytest.approx(2 / 3)
    assert by["unresolved", "mean"]["pass"] is True
    assert all("note" not in r for r in rows)


def test_target_with_no_incidents_passes_with_a_note():
    without_station = results()[1:]
    rows = summarise(without_station, {"tps_downtime": {"p95": 60}, "full_strength_time": {"max": 1}})["targets"]
    assert rows[0] == {"metric": "tps_downtime", "stat": "p95", "limit": 60, "value": None,
                       "ci": None, "pass": True, "note": "no incidents"}
    assert rows[1]["pass"] is False and rows[1]["value"] == 30.0


def test_target_limit_equal_to_value_passes():
    rows = summarise(results(), {"response_time": {"max": 20}})["targets"]
    assert rows[0]["pass"] is True


def test_unknown_target_names_are_rejected():
    with pytest.raises(ValueError, match="unknown target metric"):
        evaluate_targets({}, {"speed": {"mean": 1}})
    with pytest.raises(ValueError, match="expected one of mean, max"):
        evaluate_targets({}, {"unresolved": {"p90": 1}})
    assert "full_strength" in TARGET_METRICS and "max" in TARGET_STATS


# -- worst incidents ------------------------------------------------------------

def test_worst_incidents_rank_never_reached_first_then_slowest():
    worst = worst_incidents(results(), n=3)
    assert [(i.replication, i.id) for i in worst] == [
        (2, "rapid_response-0003"), (1, "rapid_response-0001"), (1, "rapid_response-0000")]
