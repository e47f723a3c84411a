"""The paired comparison of plans (sispam_sim.stats.compare): pairing, exact self-comparison,
verdicts in the right direction, the gain from pairing, Holm, censored flags, --fail-if-worse names."""

from __future__ import annotations

import numpy as np
import pytest

from sispam_sim.runner.pipeline import simulate
from sispam_sim.scenario.loader import scenario_from_dict
from sispam_sim.stats import compare as cmp
from sispam_sim.stats.compare import Plan, compare, pairing, parse_check, worse_on
from tests.conftest import minimal_scenario

REPLICATIONS = 30


def _busy(patrols: int, **changes) -> dict:
    """A town with queues: 4/h calls of 40 min work needing one 4-person patrol, spread over a district."""
    data = minimal_scenario()
    data["map"]["districts"] = {"kota": {"lat": -8.17, "lon": 113.70, "radius_km": 4}}
    data["map"]["sites"] = {"generate": [{"district": "kota", "count": 40, "risk": {"aman": 1.0}}]}
    data["forces"]["units"][0]["count"] = patrols
    data["incidents"][0].update({"rate": "4/h", "where": {"sites": "any"}, "work": {"dist": "exponential",
                                                                                    "mean": "40min"}})
    data["targets"] = {"response_time": {"p90": "15min"}}
    data.update(changes)
    return data


def _plan(data: dict, base=None, name: str | None = None) -> Plan:
    scenario = scenario_from_dict(data)
    run = simulate(scenario, REPLICATIONS)
    return Plan(name or scenario.spec.name, scenario.file, scenario, run.summary, run.days,
                pairing(base.scenario, scenario) if base is not None else cmp.Pairing())


@pytest.fixture(scope="module")
def plans():
    base = _plan(_busy(4), name="base")
    more = _plan(_busy(8), base, "more")
    fewer = _plan(_busy(3), base, "fewer")
    return base, more, fewer


def _entries(plan: dict):
    for kind, table in ((None, plan["differences"]), *plan["by_kind"].items()):
        for metric, stats in table.items():
            for stat, entry in stats.items():
                yield kind, metric, stat, entry


def test_a_plan_compared_with_itself_differs_by_exactly_nothing(plans):
    base = plans[0]
    document = compare(base, [Plan("same", base.file, base.scenario, base.summary, base.days, pairing(base.scenario,
                                                                                                     base.scenario))])
    assert document["paired"]
    entries = list(_entries(document["plans"][0]))
    assert len(entries) > 30
    for kind, metric, stat, entry in entries:
        assert entry["value"] == 0 and entry["ci"] == [0.0, 0.0], (kind, metric, stat)
        assert entry["verdict"] == "no difference" and entry["p_value"] == 1.0


def test_more_patrols_are_better_and_fewer_worse_on_p90_response(plans):
    base, more, fewer = plans
    document = compare(base, [more])
    p90 = document["plans"][0]["differences"]["response_time"]["p90"]
    assert p90["verdict"] == "better" and p90["ci"][1] < 0 and p90["value"] < 0
    assert p90["base"] == base.summary["metrics"]["all"]["response_time"]["p90"]["value"]
    document = compare(base, [fewer])
    p90 = document["plans"][0]["differences"]["response_time"]["p90"]
    assert p90["verdict"] == "worse" and p90["ci"][0] > 0
    assert worse_on(document, (None, "response_time", "p90")) == ["fewer"]
    assert worse_on(compare(base, [more]), (None, "response_time", "p90")) == []


def test_pairing_narrows_the_interval(plans):
    base = plans[0]
    faster = _busy(4)   # the same patrols, a little faster: both plans queue on the same busy days
    faster["forces"]["types"]["sabhara"]["speed_kmh"] = 55
    heads = {(h["metric"], h["stat"]): h for h in compare(base, [_plan(faster, base)])["plans"][0]["headline"]}
    for key in (("response_time", "p90"), ("response_time", "mean")):
        head = heads[key]
        paired = head["paired_ci"][1] - head["paired_ci"][0]
        unpaired = head["unpaired_ci"][1] - head["unpaired_ci"][0]
        assert paired < unpaired and head["narrower"] == pytest.approx(1 - paired / unpaired)


def test_plans_that_differ_in_incidents_are_unpaired_with_the_keys_named(plans):
    base = plans[0]
    data = _busy(4, seed=7)
    data["incidents"].append({"kind": "station_disruption", "rate": "1/h", "where": {"sites": "any"},
                              "needs": {"response": 4}, "work": "20min"})
    other = _plan(data, base, "other")
    assert other.pairing.keys == ("seed", "map", "incidents")   # the seed moves the generated sites too
    assert other.pairing.incidents == ("incidents[1] (station_disruption)",)
    document = compare(base, [other])
    assert not document["paired"] and document["plans"][0]["differs"]["keys"] == ["seed", "map", "incidents"]
    assert document["plans"][0]["headline"][0]["paired_ci"] is None


def test_holm_corrects_over_the_plans_of_one_statistic():
    entries = [{"p_value": p, "direction": "lower"} for p in (0.04, 0.01, 0.03)]
    cmp._holm(entries)   # 0.01 < 0.05/3; then 0.03 >= 0.05/2 stops the step-down
    assert [e["verdict"] for e in entries] == ["no difference", "better", "no difference"]
    single = [{"p_value": 0.049, "direction": "higher"}]
    cmp._holm(single)
    assert single[0]["verdict"] == "worse"


def test_the_weighted_percentile_equals_numpy_with_unit_weights():
    rng = np.random.default_rng(3)
    values = np.sort(rng.exponential(10, 997))
    days = rng.integers(0, 20, values.size)
    weights = np.ones((3, 20))
    weights[1] = rng.integers(0, 3, 20)
    shares = [0.5, 0.9, 0.95, 0.99]
    got = cmp._weighted_percentiles(values, days, weights, shares)
    for share, row in zip(shares, got):
        assert row[0] == np.percentile(values, share * 100, method="inverted_cdf")
        repeated = np.sort(np.repeat(values, weights[1][days].astype(int)))
        assert row[1] == np.percentile(repeated, share * 100, method="inverted_cdf")


def test_a_mean_among_censored_incidents_only_gets_the_verdict_its_bound_proves():
    boot = np.linspace(1, 2, cmp.BOOTSTRAP)
    plan_higher = cmp._difference(10, None, 20, "lower_bound", boot * 0 + 10, boot + 19)
    assert plan_higher["censored"] and plan_higher["p_value"] == 0.0   # a lower bound above: surely worse
    base_censored = cmp._difference(10, "lower_bound", 20, None, boot * 0 + 10, boot + 19)
    assert base_censored["censored"] and base_censored["p_value"] == 1.0   # the base's true mean may be higher


@pytest.mark.parametrize("name, expected", [
    ("response_time.p90", (None, "response_time", "p90")),
    ("full_strength.p95", (None, "full_strength_time", "p95")),
    ("rapid_response.response_time.mean", ("rapid_response", "response_time", "mean")),
    ("by_kind.rapid_response.response_time.p99", ("rapid_response", "response_time", "p99")),
    ("unresolved.mean", (None, "unresolved", "per_day")),
    ("levels.3", (None, "levels", "3")),
])
def test_check_names(name, expected):
    assert parse_check(name, ["rapid_response"]) == expected


@pytest.mark.parametrize("name, message", [
    ("respons_time.p90", 'did you mean "response_time"'),
    ("response_time.p91", "did you mean \"p9"),
    ("rapid_respons.response_time.p90", 'did you mean "rapid_response"'),
    ("rapid_response.tps_downtime.p90", "does not apply"),
    ("p90", "expected METRIC.STAT"),
])
def test_bad_check_names_say_what_was_meant(name, message):
    with pytest.raises(ValueError, match=message):
        parse_check(name, ["rapid_response"])


def _loaded(data: dict):
    return scenario_from_dict(data)


def test_a_plan_that_meets_the_same_random_calls_otherwise_stays_paired_with_the_entries_named():
    """Needs, priority and an id change how the calls are met, not which calls come; phases in the
    clock and a rate keyed by a phase that resolves to the same minutes draw the same calls; a
    scripted incident moved is the storyline told otherwise. All stay paired, each entry named."""
    base = _busy(4)
    base["incidents"].append({"kind": "rapid_response", "at": "10:00", "where": {"sites": "any"},
                              "needs": {"response": 4}, "work": "20min"})
    plan = _busy(4, version=1.1)
    plan["clock"]["phases"] = {"day": ["06:00", "10:00"]}
    plan["incidents"][0].update({"id": "calls", "needs": {"response": 2}, "priority": 1})
    plan["incidents"].append({"kind": "rapid_response", "at": "11:00", "where": {"sites": "any"},
                              "needs": {"response": 4}, "work": "20min"})
    same = pairing(_loaded(base), _loaded(plan))
    assert same.paired and same.keys == ()
    assert same.incidents == ("incidents[0] (rapid_response)", "incidents[1] (rapid_response)")


def test_a_rate_or_where_that_draws_other_calls_unpairs_and_a_phase_rate_with_the_same_minutes_does_not():
    base = _busy(4)
    base["incidents"][0]["rate"] = {"06:00": "4/h", "10:00": "0/h"}
    phased = _busy(4, version=1.1)
    phased["clock"]["phases"] = {"morning": ["06:00", "10:00"]}
    phased["incidents"][0]["rate"] = {"morning": "4/h"}
    assert pairing(_loaded(base), _loaded(phased)).paired
    faster = _busy(4)
    faster["incidents"][0]["rate"] = {"06:00": "5/h", "10:00": "0/h"}
    other = pairing(_loaded(base), _loaded(faster))
    assert other.keys == ("incidents",) and other.incidents == ("incidents[0] (rapid_response)",)
    longer = _busy(4)
    longer["clock"]["drain"] = "1h"
    assert pairing(_loaded(_busy(4)), _loaded(longer)).keys == ("clock",)


def test_the_small_sample_factor_by_hand():
    """sqrt(R/(R-1)) t(R-1)/z: at 10 days sqrt(10/9) = 1.05409, t(9) = 2.26216, z = 1.95996, so
    1.05409 x 1.15419 = 1.2166; at 40 days 1.01274 x 2.02269/1.95996 = 1.0452; 1 for one day."""
    assert cmp.small_sample_factor(10) == pytest.approx(1.2166, abs=1e-4)
    assert cmp.small_sample_factor(40) == pytest.approx(1.0452, abs=1e-4)
    assert cmp.small_sample_factor(1) == 1.0


def test_a_difference_interval_is_never_narrower_than_the_widened_bootstrap():
    """The widened percentile interval (value + f (d* - value)) is a floor on each side; with a
    linearisation the bootstrap-t may only widen it, and the p-value is the larger one."""
    rng = np.random.default_rng(3)
    days = 10
    weights = cmp._weights(days, 1, 0)
    base_boot, plan_boot = rng.normal(10, 1, cmp.BOOTSTRAP), rng.normal(11, 1, cmp.BOOTSTRAP)
    plain = cmp._difference(10, None, 11, None, base_boot, plan_boot, None, None, weights, weights, True)
    spread = 1 + cmp.small_sample_factor(days) * ((plan_boot - base_boot) - 1)
    assert plain["ci"] == pytest.approx(list(np.sort(spread)[[49, 1950]]))
    z = rng.normal(0, 3, days)
    linear = cmp._Lazy(cmp._Linear, z, np.tile(z, (cmp.BOOTSTRAP, 1)))
    other = cmp._Lazy(cmp._Linear, -z, np.tile(-z, (cmp.BOOTSTRAP, 1)))
    both = cmp._difference(10, None, 11, None, base_boot, plan_boot, linear, other, weights, weights, True)
    assert both["ci"][0] <= plain["ci"][0] and both["ci"][1] >= plain["ci"][1]
    assert both["p_value"] >= plain["p_value"]


def test_an_entry_told_in_indonesian_too_is_the_same_entry():
    """``label_id`` (format 1.1) translates an entry; it neither unpairs a plan nor names the entry as
    differing. A changed ``label`` is the entry told otherwise: named, still paired."""
    base = _busy(4, version=1.1)
    base["incidents"][0]["label"] = "110 call"
    translated = _busy(4, version=1.1)
    translated["incidents"][0].update({"label": "110 call", "label_id": "laporan 110"})
    same = pairing(_loaded(base), _loaded(translated))
    assert same.paired and same.incidents == ()
    relabelled = _busy(4, version=1.1)
    relabelled["incidents"][0]["label"] = "call for help"
    other = pairing(_loaded(base), _loaded(relabelled))
    assert other.paired and other.incidents == ("incidents[0] (rapid_response)",)
