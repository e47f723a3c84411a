"""What ``compare``, ``drill`` and ``verify`` do is library code, usable without the CLI: plans compared
from Python, the drilled day chosen on any executor, any job mapped by the executors."""

from __future__ import annotations

import math

import numpy as np
import pytest

from sispam_sim.runner.compare import compare_plans
from sispam_sim.runner.drill import drill_day
from sispam_sim.runner.executors import Pool, Serial
from sispam_sim.runner.pipeline import simulate
from sispam_sim.runner.replications import run_one
from sispam_sim.scenario.loader import scenario_from_dict
from sispam_sim.stats.days import day_statistics, typical_day, worst_day
from sispam_sim.stats.summary import summarise_day
from tests.conftest import minimal_scenario


def _busy(patrols: int) -> dict:
    data = minimal_scenario()
    data["forces"]["units"][0]["count"] = patrols
    data["incidents"][0].update({"rate": "3/h", "work": {"dist": "exponential", "mean": "40min"}})
    return data


def test_compare_plans_runs_every_plan_on_the_same_replications():
    base, fewer = scenario_from_dict(_busy(2)), scenario_from_dict(_busy(1))
    calls = []

    def run_plan(scenario, n):
        calls.append((scenario.spec.name, n))
        return simulate(scenario, n)

    comparison = compare_plans([base, fewer], 6, run_plan=run_plan)
    assert calls == [("minimal", 6), ("minimal", 6)]
    document = comparison.document
    assert document["plans"][0]["paired"]
    assert document["manifest"]["replications"] == 6 and document["manifest"]["seeds"] == [base.spec.seed] * 2
    assert [len(run.days) for run in comparison.runs] == [6, 6]
    assert [r["n"] for r in comparison.responses()] == [run.summary["metrics"]["all"]["response_time"]["n"]
                                                        for run in comparison.runs]
    assert compare_plans([base, fewer], 6).document == document   # the default runs serially, here


def test_compare_plans_needs_a_plan_besides_the_baseline():
    with pytest.raises(ValueError, match="at least one plan"):
        compare_plans([scenario_from_dict(minimal_scenario())])


def test_day_statistics_of_the_summary_are_those_of_the_records():
    scenario = scenario_from_dict(_busy(1))   # queues: some calls are never reached by the end
    unreached = 0
    for k in range(4):
        result = run_one(scenario, k, record_timeline=False, record_events=False)
        # the times as incidents.csv writes them, to 3 decimals (so a run's folder picks the same day)
        rt = [math.inf if i.response_time is None else round(i.response_time, 3) for i in result.incidents]
        res = [math.inf if i.resolution_time is None else round(i.resolution_time, 3) for i in result.incidents]
        expected = (np.mean(rt), np.percentile(rt, 90, method="inverted_cdf"), np.mean(res))
        assert day_statistics(summarise_day(result)) == expected
        unreached += math.inf in rt
    assert unreached   # the case that matters: a day with a call never reached


@pytest.mark.parametrize("choose,rule", [("typical", typical_day), ("worst", worst_day)])
def test_drill_day_picks_by_the_rule_on_any_executor(choose, rule):
    scenario = scenario_from_dict(_busy(2))
    stats = [day_statistics(summarise_day(run_one(scenario, k, record_timeline=False, record_events=False)))
             for k in range(5)]
    with Pool(2) as pool:
        pooled = drill_day(scenario, choose=choose, replications=5, executor=pool)
    serial = drill_day(scenario, choose=choose, replications=5, executor=Serial())
    assert pooled.index == serial.index == rule(stats)
    assert pooled.statistics == serial.statistics == stats[pooled.index] and pooled.days == 5
    assert pooled.result.events and pooled.result.incidents == serial.result.incidents


def test_drill_day_by_number_runs_that_day_only():
    day = drill_day(scenario_from_dict(minimal_scenario()), replication=3)
    assert (day.index, day.choose, day.statistics) == (3, None, None) and day.result.replication == 3
    with pytest.raises(ValueError):
        drill_day(scenario_from_dict(minimal_scenario()), replication=1, choose="worst")


class _Squares:
    """Not a replication: any picklable object with ``run(indices)`` is a job."""

    def run(self, indices):
        return [k * k for k in indices]


def test_executors_map_any_job_in_the_order_given():
    order = [5, 0, 3, 1, 4, 2]
    assert list(Serial().run(_Squares(), order)) == [25, 0, 9, 1, 16, 4]
    with Pool(2) as pool:
        assert list(pool.run(_Squares(), order)) == [25, 0, 9, 1, 16, 4]
