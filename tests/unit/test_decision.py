"""The decision table of ``compare`` (sispam_sim.stats.decision, report/decision.py): guardrails, the
honest level rows, the one recommendation, "cannot choose", and how its values print.

The hand-made plans meet one crowd at the KPU, called at 09:00: 50 people growing 10 a minute to 400,
holding 30 minutes, 1 officer per 10 people, escalating when on scene / need < 0.8 for 15 minutes
(need x 1.5 per level). Every draw is a constant, so every day is the same day. At the peak the hijau
need is ceil(400 / 10) = 40; kuning 60; merah 90. The units start at Mapolres, a drive of about
2.4 minutes away (1.2 km of road at 30 km/h), and leave at once (mobilise 0).

* **A, the baseline**: one Dalmas platoon (30, tier 1) and a Brimob company (100, tier 2).
  30 / 40 = 0.75 < 0.8: kuning after 15 minutes; Brimob comes, 130 >= 60: the crowd disperses.
  Highest level kuning on every day, nothing left unresolved.
* **late**: Brimob at tier 3. At kuning 30 / 60 = 0.5 < 0.8: merah 15 minutes later, then Brimob,
  130 >= 90: dispersed, but the highest level is merah > kuning: ruled out (``higher_level``).
* **almost**: a platoon of 35. 35 / 40 = 0.875 >= 0.8: never escalates; 35 < 40: never met, never
  disperses: 1 unresolved per day on 5 of 5 days (the baseline 0): ruled out (``unresolved``), and its
  0 % of days at kuning (A: 100 %) reads "not better", not "better".
* **two**: two platoons, 60 >= 40: met at hijau, dispersed sooner: better on headline rows, worse on
  none: kept.
"""

from __future__ import annotations

import copy

import pytest

from sispam_sim.report.decision import decision_csv, decision_rows, plan_notes, recommendation_text, value_text
from sispam_sim.runner.pipeline import simulate
from sispam_sim.scenario.loader import scenario_from_dict
from sispam_sim.stats import decision
from sispam_sim.stats.compare import Plan, compare, pairing

DAYS = 5

CROWD = {
    "version": 1,
    "name": "crowd",
    "clock": {"start": "2024-11-27 08:00", "duration": "6h", "drain": "6h"},
    "seed": 7,
    "map": {"places": {"polres": {"lat": -8.1725, "lon": 113.6995}, "kpu": {"lat": -8.1650, "lon": 113.7030}}},
    "forces": {
        "types": {
            "dalmas": {"crew": 30, "speed_kmh": 30, "mobilise": "0min", "capabilities": ["crowd_control"]},
            "brimob": {"crew": 100, "speed_kmh": 30, "mobilise": "0min", "capabilities": ["crowd_control"],
                       "tier": 2},
        },
        "units": [{"id": "dalmas", "type": "dalmas", "base": "polres"},
                  {"id": "brimob", "type": "brimob", "base": "polres"}],
    },
    "incidents": [{"kind": "crowd_buildup", "at": "09:00", "where": {"place": "kpu"},
                   "crowd": {"initial": 50, "growth": "10/min", "peak": 400, "lasts": "30min"},
                   "per_officer": 10, "escalation": {"below": 0.8, "after": "15min", "factor": 1.5}}],
    "targets": {"max_level": {"max": 2}},
}


def _variant(change) -> dict:
    data = copy.deepcopy(CROWD)
    change(data)
    return data


def _late(data):
    data["forces"]["types"]["brimob"]["tier"] = 3


def _almost(data):
    data["forces"]["types"]["dalmas"]["crew"] = 35


def _two(data):
    data["forces"]["units"][0]["count"] = 2


def _other_day(data):
    data["clock"]["drain"] = "5h"   # another clock: another day's calls, not comparable


def _plan(data: dict, base: Plan | None = None) -> Plan:
    scenario = scenario_from_dict(data)
    run = simulate(scenario, DAYS)
    return Plan(scenario.spec.name, scenario.file, scenario, run.summary, run.days,
                pairing(base.scenario, scenario) if base is not None else pairing(scenario, scenario))


@pytest.fixture(scope="module")
def plans() -> dict[str, Plan]:
    base = _plan(CROWD)
    out = {"base": base}
    for name, change in (("late", _late), ("almost", _almost), ("two", _two), ("other", _other_day)):
        out[name] = _plan(_variant(change), base)
    out["same"] = _plan(copy.deepcopy(CROWD), base)   # the baseline again, under the same name
    return out


def _decide(plans: dict[str, Plan], *names: str) -> dict:
    return compare(plans["base"], [plans[name] for name in names])


def _row(document: dict, kind: str) -> dict:
    return next(row for row in document["decision"]["rows"] if row["row"] == kind)


def test_the_decision_is_first_in_the_document_and_names_every_plan_by_index_and_letter(plans):
    document = _decide(plans, "late", "almost", "two")
    assert list(document)[:5] == ["baseline", "paired", "replications", "seed", "decision"]
    table = document["decision"]
    assert [(p["index"], p["letter"], p["baseline"]) for p in table["plans"]] == [
        (0, "A", True), (1, "B", False), (2, "C", False), (3, "D", False)]
    assert [row["row"] for row in table["rows"]] == ["target", "unresolved", "highest_level"]
    assert all(len(row["cells"]) == 4 for row in table["rows"])
    # each plan's call-outs are its own run's findings: late fails its max_level target, the baseline none
    assert table["plans"][0]["callouts"] == []
    late = [c for c in table["plans"][1]["callouts"] if c["from"] == "targets"]
    assert [(c["finding"]["metric"], c["finding"]["verdict"]) for c in late] == [("max_level", "fail")]


def test_a_plan_that_never_disperses_the_crowd_is_ruled_out_and_its_fewer_kuning_days_are_not_better(plans):
    """almost: 35 >= 0.8 x 40 = 32, never escalates; 35 < 40, never disperses: 1 open per day, 5 of 5 days."""
    document = _decide(plans, "almost")
    almost = document["decision"]["plans"][1]
    assert almost["status"] == "ruled_out" and almost["reasons"] == ["unresolved"]
    unresolved = _row(document, "unresolved")["cells"]
    assert unresolved[0]["value"] == 0 and unresolved[0]["days"] == 0
    assert unresolved[1]["value"] == 1.0 and (unresolved[1]["days"], unresolved[1]["of"]) == (DAYS, DAYS)
    assert unresolved[1]["kinds"] == {"crowd_buildup": 1.0} and unresolved[1]["difference"] == "worse"
    level = _row(document, "highest_level")["cells"]
    assert (level[0]["level"], level[1]["level"]) == (2, 1)   # kuning against hijau
    assert level[0]["days"]["2"]["value"] == 1.0 and level[1]["days"]["2"]["value"] == 0.0
    kuning = document["plans"][0]["by_kind"]["crowd_buildup"]["levels"]["2"]
    assert kuning["value"] == -1.0 and kuning["verdict"] == "not better"
    assert (kuning["was"], kuning["because"]) == ("better", "unresolved")
    assert document["plans"][0]["differences"]["levels"]["2"]["verdict"] == "not better"   # all incidents too
    assert level[1]["difference"] == {"2": "not better", "3": "no difference", "highest": "not better"}
    recommendation = document["decision"]["recommendation"]
    assert recommendation["outcome"] == "keep" and recommendation["plan"] == 0
    assert recommendation["why"] == ["only_baseline"]
    assert "B (crowd) is ruled out" in " ".join(note for _, note in plan_notes(document, "en"))


def test_a_plan_that_lets_a_crowd_reach_merah_is_ruled_out(plans):
    """late: at kuning 30 / 60 = 0.5 < 0.8, merah 15 min later; the highest level 3 > the baseline's 2."""
    document = _decide(plans, "late")
    late = document["decision"]["plans"][1]
    assert late["status"] == "ruled_out" and late["reasons"] == ["higher_level"]
    assert _row(document, "unresolved")["cells"][1]["value"] == 0   # dispersed all the same
    assert _row(document, "highest_level")["cells"][1]["level"] == 3
    target = _row(document, "target")
    assert (target["metric"], [c["verdict"] for c in target["cells"]]) == ("max_level", ["pass", "fail"])
    assert target["cells"][1]["difference"] == "worse"
    assert document["decision"]["recommendation"]["plan"] == 0


def test_the_plan_better_on_headline_rows_and_worse_on_none_is_kept_and_never_a_ruled_out_one(plans):
    """two: the first platoon is sent for the need at the call (5); the need passes its 30 when the crowd
    passes 300, at the re-assessment of minute 26 (50 + 10 x 26 = 310, need 31): the second platoon is
    sent then and, a drive of d minutes later, 60 >= 40 holds to the end: full strength at 26 + d. A's
    30 fall below 0.8 x need once need >= 38 (crowd 380, minute 33): kuning at 33 + 15 = 48, Brimob at
    48 + d. d is the first arrival's response time (the same drive). Never kuning, so the 0 % of days at
    kuning is better here: the crowd disperses."""
    document = _decide(plans, "late", "almost", "two")
    drive = document["plans"][2]["differences"]["response_time"]["mean"]["base"]
    full = document["plans"][2]["differences"]["full_strength_time"]["p90"]
    assert (full["base"], full["plan"]) == (pytest.approx(48 + drive), pytest.approx(26 + drive))
    table = document["decision"]
    two = table["plans"][3]
    assert two["rows"]["better"] > 0 and two["rows"]["worse"] == 0 and two["rows"]["not better"] == 0
    assert [None, "full_strength_time", "p90"] in two["rows"]["on"]["better"]
    assert document["plans"][2]["by_kind"]["crowd_buildup"]["levels"]["2"]["verdict"] == "better"   # dispersed
    recommendation = table["recommendation"]
    assert recommendation == {"outcome": "keep", "plan": 3, "between": [], "why": ["better"], "cautions": [],
                              "fails": [], "too_close": []}
    assert [p["status"] for p in table["plans"]] == ["candidate", "ruled_out", "ruled_out", "kept"]
    text = recommendation_text(document, "en")
    assert text.startswith("Recommendation: keep D (crowd)") and "worse on none" in text
    assert recommendation_text(document, "id").startswith("Rekomendasi: pilih D (crowd)")


def test_the_data_cannot_choose_between_equal_plans_and_says_which_by_letter(plans):
    """The baseline against itself under the same name: no headline row differs; "A (crowd) and B (crowd)"."""
    document = _decide(plans, "same")
    recommendation = document["decision"]["recommendation"]
    assert recommendation["outcome"] == "cannot_choose" and recommendation["plan"] is None
    assert recommendation["between"] == [0, 1] and recommendation["why"] == ["no_difference"]
    assert [p["status"] for p in document["decision"]["plans"]] == ["candidate", "candidate"]
    text = recommendation_text(document, "en")
    assert "cannot choose between A (crowd) and B (crowd)" in text and "no headline row differs" in text
    assert "antara A (crowd) dan B (crowd)" in recommendation_text(document, "id")
    cells = dict((label, cells) for label, cells in decision_rows(document, "en"))
    assert [part.text for part in cells["Decision"][0]] == ["undecided"]


def test_a_plan_meeting_another_days_calls_is_not_comparable_and_never_recommended(plans):
    document = _decide(plans, "other", "same")
    other = document["decision"]["plans"][1]
    assert document["plans"][0]["differs"]["keys"] == ["clock"]
    assert other["status"] == "not_comparable" and other["reasons"] == ["other_incidents"]
    recommendation = document["decision"]["recommendation"]
    assert 1 not in recommendation["between"] and recommendation["plan"] != 1


def _hand_plans(*rows: tuple[int, int], passed: tuple[int, ...]) -> list[dict]:
    """A baseline and plans with (better, worse) headline rows, and the targets each passes of 1."""
    plans = [{"index": 0, "status": "candidate", "rows": None, "targets": {"passed": passed[0], "total": 1}}]
    for i, (better, worse) in enumerate(rows, start=1):
        plans.append({"index": i, "status": "candidate", "targets": {"passed": passed[i], "total": 1},
                      "rows": {"better": better, "worse": worse, "not better": 0}})
    return plans


def _hand_rows(verdicts: list[str]) -> list[dict]:
    return [{"row": "target", "cells": [{"verdict": v} for v in verdicts]},
            {"row": "unresolved", "cells": [{"value": 0.0, "ci": [0.0, 0.0]} for _ in verdicts]}]


def test_two_better_plans_passing_as_many_targets_tie_and_more_targets_break_the_tie():
    """B and C are each better (3 and 1 better rows, none worse); both pass 1 target: a tie. With C
    failing its target instead, C has a target below the baseline's pass: no longer better, B is kept."""
    tie = decision.recommend(_hand_plans((3, 0), (1, 0), passed=(1, 1, 1)), _hand_rows(["pass", "pass", "pass"]))
    assert (tie["outcome"], tie["between"], tie["why"]) == ("cannot_choose", [1, 2], ["tie"])
    kept = decision.recommend(_hand_plans((3, 0), (1, 0), passed=(1, 1, 0)), _hand_rows(["pass", "pass", "fail"]))
    assert (kept["outcome"], kept["plan"], kept["why"]) == ("keep", 1, ["better"])


def test_a_trade_off_cannot_be_chosen_and_a_plan_only_worse_leaves_the_baseline():
    trade = decision.recommend(_hand_plans((2, 1), passed=(0, 0)), _hand_rows(["fail", "fail"]))
    assert (trade["outcome"], trade["between"], trade["why"]) == ("cannot_choose", [0, 1], ["trade_off"])
    worse = decision.recommend(_hand_plans((0, 4), passed=(0, 0)), _hand_rows(["too_close", "fail"]))
    assert (worse["outcome"], worse["plan"], worse["why"]) == ("keep", 0, ["others_worse"])
    assert worse["cautions"] == ["too_close"] and worse["too_close"] == [0]


@pytest.mark.parametrize("base_worst, plan_ci, verdict, expected", [
    (0, [0.2, 1.8], "no difference", True),     # the baseline resolves all; the plan's interval lies above 0
    (0, [-0.05, 0.15], "no difference", False),  # 1 open in 20 days: 0.05 [-0.05, 0.15] holds 0
    (2, [0.4, 1.6], "worse", True),             # the baseline leaves some: the paired difference decides
    (2, [0.4, 1.6], "no difference", False),
    (0, None, "no difference", True),           # one day, its value 1.0 > 0
])
def test_leaves_unresolved_by_hand(base_worst, plan_ci, verdict, expected):
    base = {"unresolved": {"per_day": {"value": base_worst / 2, "ci": None}, "worst_day": base_worst}}
    plan = {"unresolved": {"per_day": {"value": 1.0 if plan_ci is None else sum(plan_ci) / 2, "ci": plan_ci},
                           "worst_day": 2}}
    assert decision.leaves_unresolved(base, plan, {"verdict": verdict}) is expected


@pytest.mark.parametrize("value, limit, lang, expected", [
    (15.012, 15.0, "en", "15.01"),    # 15.0 would read as the limit: one more digit
    (14.996, 15.0, "en", "14.996"),   # 15.0 and 15.00 both read as the limit
    (15.0, 15.0, "en", "15.0"),
    (15.4, 15.0, "en", "15.4"),
    (15.012, 15.0, "id", "15,01"),
])
def test_a_value_near_its_limit_prints_the_digits_that_tell_the_sides_apart(value, limit, lang, expected):
    assert value_text("response_time", value, limit=limit, lang=lang) == expected


def test_censored_values_print_as_more_than():
    assert value_text("full_strength_time", 1200.0, censored=True) == "> 1200.0"
    assert value_text("resolution_time", 76.72, lower_bound=True) == "≥ 76.7"
    assert value_text("max_level", 3) == "merah"
    assert value_text("unresolved", 1.0) == "1.00"


def test_decision_csv_keeps_numbers_with_a_censored_column(plans):
    import csv
    import io

    document = _decide(plans, "almost", "two")
    rows = list(csv.DictReader(io.StringIO(decision_csv(document))))
    unresolved = [r for r in rows if r["row"] == "unresolved"]
    assert [(r["letter"], r["value"], r["days"], r["decision"]) for r in unresolved] == [
        ("A", "0", "0", "not_kept"), ("B", "1", "5", "ruled_out"), ("C", "0", "0", "kept")]
    assert next(r for r in rows if r["letter"] == "B" and r["row"] == "unresolved")["reasons"] == "unresolved"
    kuning = next(r for r in rows if r["letter"] == "B" and r["metric"] == "levels" and r["stat"] == "2")
    assert (kuning["value"], kuning["difference"], kuning["censored"]) == ("0", "not better", "false")
