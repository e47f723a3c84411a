"""``sispam-sim verify``: the reference cases pass, a broken engine makes the right case fail, and a
correct engine seldom fails (the suite-wide 5% rule, seen over seeds)."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from sispam_sim.cli.app import main
from sispam_sim.core import geo
from sispam_sim.scenario.limits import MAX_SEED
from sispam_sim.verify import theory
from sispam_sim.verify.reference import (CASES, CASES_DIR, SUITE_FALSE_FAIL, case_seed, interval, per_check_level,
                                         rule, verify)

EXACT = [case for case in CASES if case.kind in ("travel", "tps", "crowd")]
BY_ID = {case.id: case for case in CASES}


def run_cli(capsys, *args) -> tuple[int, str]:
    with pytest.raises(SystemExit) as exc:
        main(["verify", *args])
    return exc.value.code, capsys.readouterr().out


def test_quick_verify_passes(capsys):
    code, out = run_cli(capsys, "--quick", "--format", "json", "--jobs", "2")
    document = json.loads(out)
    assert code == 0, [c for c in document["checks"] if c["result"] != "pass"]
    assert document["verdict"] == "pass" and document["seed"] is None
    cases = {c["case"] for c in document["checks"]}
    assert cases == {case.id for case in CASES}
    large = next(c for c in document["checks"] if c["case"] == "mmc-large")
    assert large["detail"].startswith("c=200")      # --quick keeps a large-c case
    # the rule is stated, and every random check was judged at its level
    stochastic = [c for c in document["checks"] if c["max_rel_half"] > 0]
    assert document["rule"] == {"method": "bonferroni", "suite_false_fail": 0.05, "stochastic_checks": 8,
                                "per_check_level": pytest.approx(1 - 0.05 / 8),
                                "interval": "studentised bootstrap of the ratio over replications"}
    assert len(stochastic) == 8 and all(c["level"] == pytest.approx(0.99375) for c in stochastic)
    assert all(c["warmup_minutes"] > 0 for c in stochastic)
    assert {c["measure"] for c in stochastic} == {"verify_wait", "verify_waits_over", "verify_waits"}


def test_the_table_states_the_rule_within_80_columns(monkeypatch, capsys):
    monkeypatch.setenv("COLUMNS", "80")
    import sispam_sim.verify.reference as reference

    monkeypatch.setattr(reference, "CASES", (BY_ID["mmc-3"], *EXACT))
    code, out = run_cli(capsys, "--quick", "--jobs", "1", "--seed", "5")
    assert code == 0, out
    table = [line for line in out.splitlines() if line[:1] in "┏┃┡│└"]
    assert table and all(len(line) <= 80 for line in table)
    assert "[97.5% CI]" in out                       # 2 random checks: 1 - 5%/2
    assert "Bonferroni: 2 random checks" in out and "at 97.5% = 1 - 5%/2" in out
    assert "Warm-up" in out and "12h of 7d (mmc-3)" in out
    assert "Seed 5:" in out
    assert "Share waiting" in out and "> 15 min" in out      # one cell, wrapped at 80 columns


def _slower_travel(monkeypatch):
    for name in ("minutes", "minutes_one"):
        original = getattr(geo.GreatCircleTravel, name)
        monkeypatch.setattr(geo.GreatCircleTravel, name,
                            lambda self, *a, _f=original, **k: _f(self, *a, **k) * 1.5)


def test_travel_half_again_too_slow_fails_the_travel_and_tps_cases(monkeypatch, capsys):
    _slower_travel(monkeypatch)
    results = {row.case: row.passed for row in verify(quick=True, jobs=1, cases=EXACT)}
    assert results == {"travel": False, "tps": False, "crowd": True}


def _last_come_first_served(monkeypatch):
    """The dispatcher's waiting queue, sorted by (priority, call time, index), served newest call first."""
    from bisect import insort

    from sispam_sim.engine import model

    def queue(self, inc):
        short = not inc.resolved and (inc.need[0] > inc.assigned[0] if len(inc.need) == 1 else inc.short())
        key = (inc.priority, -inc.call.time, inc.index)
        if short and not inc.waiting:
            insort(self.waiting, key)
            inc.waiting = True
        elif not short and inc.waiting:
            self.waiting.remove(key)
            inc.waiting = False

    monkeypatch.setattr(model._Replication, "queue", queue)


def test_a_last_come_first_served_queue_fails_the_tail_checks_only(monkeypatch):
    """Serve the waiting calls newest first. Every unit is still busy whenever a call waits and each
    call's work is drawn the same way, so the number of calls waiting over time (and with it the
    total wait, whose share per call is the mean wait) has the same law as under FCFS: the mean-wait
    checks cannot tell, and pass. Who waits long changes: under LCFS most calls go quickly and a few
    wait very long, so at 15 min the share that waited longer is about 8% instead of Erlang C's 12.5%,
    and the tail checks fail."""
    _last_come_first_served(monkeypatch)
    rows = verify(quick=True, jobs=1, cases=[BY_ID["mmc-3"], BY_ID["mmc-5"]])
    results = {(row.case, row.label): row.passed for row in rows}
    assert results == {("mmc-3", "verify_wait"): True, ("mmc-3", "verify_waits_over"): False,
                       ("mmc-5", "verify_wait"): True, ("mmc-5", "verify_waits_over"): False}
    for row in rows:
        if row.label == "verify_waits_over":
            assert row.high < row.theory and row.value < 0.75 * row.theory   # far outside, on the low side


def test_cli_exits_1_when_a_case_fails(monkeypatch, capsys):
    import sispam_sim.verify.reference as reference

    _slower_travel(monkeypatch)
    monkeypatch.setattr(reference, "CASES", tuple(c for c in CASES if c.kind in ("travel", "tps")))
    code, out = run_cli(capsys, "--quick", "--jobs", "1")
    assert code == 1
    assert "FAIL" in out and "verify failed: 2 of 2 checks" in out


def test_seed_draws_every_case_afresh_and_goes_into_the_document(monkeypatch, capsys):
    import sispam_sim.verify.reference as reference

    monkeypatch.setattr(reference, "CASES", (BY_ID["mmc-1"], *EXACT))
    code, out = run_cli(capsys, "--quick", "--jobs", "1", "--seed", "7", "--format", "json")
    document = json.loads(out)
    assert code == 0 and document["seed"] == 7
    seeds = {c["case"]: c["seed"] for c in document["checks"]}
    assert seeds == {case: case_seed(7, case) for case in ("mmc-1", "travel", "tps", "crowd")}
    (shipped,) = [r for r in verify(quick=True, cases=[BY_ID["mmc-1"]])]
    (drawn,) = [c for c in document["checks"] if c["case"] == "mmc-1"]
    assert shipped.seed == 301 and drawn["value"] != shipped.value            # other random numbers
    (again,) = verify(quick=True, cases=[BY_ID["mmc-1"]], seed=7)
    assert again.value == drawn["value"]                                      # the same ones for one seed


def test_case_seeds_are_independent_and_valid():
    seeds = {case_seed(s, case.id) for s in range(50) for case in CASES}
    assert len(seeds) == 50 * len(CASES)
    assert all(0 <= s <= MAX_SEED for s in seeds)
    assert case_seed(MAX_SEED, "mmc-1") <= MAX_SEED


@pytest.mark.parametrize("value", ["-1", "abc", "1.5", "1e400", "99999999999999999999", ""])
def test_bad_seeds_exit_2_with_a_message(cli, value):
    result = cli("verify", "--quick", "--seed", value)
    assert result.code == 2 and "--seed" in result.err and "Traceback" not in result.err


def test_bonferroni_level_and_rule():
    assert per_check_level(8) == pytest.approx(0.99375)
    assert per_check_level(6) == pytest.approx(1 - 0.05 / 6)     # 99.17%
    rows = verify(quick=True, jobs=1, cases=EXACT)
    assert rule(rows)["stochastic_checks"] == 0                  # exact checks are not among the m
    assert SUITE_FALSE_FAIL == 0.05


def test_interval_is_the_ratio_over_replications():
    # three replications of one call each, waits 1, 2 and 3: the ratio is 2; with fewer than five
    # replications it is Student's t on the ratio's standard error, sqrt(sum z^2 / (R (R - 1))) / mean n
    # = sqrt((1 + 0 + 1) / 6) = 0.577350, times t(2 df, 97.5%) = 4.302653: half 2.484138
    value, low, high = interval([(1.0, 1.0), (2.0, 1.0), (3.0, 1.0)], 0.95)
    assert value == 2.0
    assert low == pytest.approx(2 - 2.484138, rel=1e-5) and high == pytest.approx(2 + 2.484138, rel=1e-5)
    # pooled per call, not a mean of replication means: 10 calls waiting 1 each, then 1 call waiting 4
    assert interval([(10.0, 10.0), (4.0, 1.0)], 0.95)[0] == pytest.approx(14 / 11)
    assert interval([(5.0, 1.0)], 0.95) == (5.0, 5.0, 5.0)       # one replication: an exact case
    # skewed replications (a few congested weeks): the interval leans up, and is never narrower
    # than Student's t on either side
    waits = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 1.0, 1.2, 1.5, 2.0, 3.0, 5.0, 9.0]
    value, low, high = interval([(w, 1.0) for w in waits], 0.99)
    t_half = 2.976843 * np.std(waits, ddof=1) / math.sqrt(len(waits))     # t(14 df, 99.5%)
    assert value == pytest.approx(np.mean(waits))
    assert value - low >= t_half * (1 - 1e-6) and high - value > 2 * t_half


def test_the_cases_are_shipped_scenario_files():
    from sispam_sim.scenario.loader import load_scenario

    files = {plan.file for case in CASES for plan in (case.full, case.quick)}
    for name in files:
        assert load_scenario(CASES_DIR / name).spec.name.startswith("verify")


def test_erlang_c_is_stable_for_thousands_of_units():
    # the textbook sum overflows a float for c around 170; the recurrence does not
    assert theory.erlang_c(1, 0.5) == pytest.approx(0.5)
    assert theory.erlang_c(2, 1.0) == pytest.approx(1 / 3)
    c850 = theory.erlang_c(850, 807.5)
    assert 0.05 < c850 < 0.15                       # Halfin-Whitt: ~0.09 at beta = 1.46
    assert 0 < theory.erlang_c(5000, 4900) < 1


def test_wait_tail_by_hand():
    # M/M/1, lambda 0.5, mu 1: C = rho = 0.5, so P(W > t) = 0.5 exp(-0.5 t)
    assert theory.mmc_wait_tail(1, 0.5, 1.0, 0.0) == pytest.approx(0.5)
    assert theory.mmc_wait_tail(1, 0.5, 1.0, 2.0) == pytest.approx(0.5 * math.exp(-1.0))
    # M/M/2, lambda 1, mu 1: C(2, 1) = 1/3 and c mu - lambda = 1, so P(W > 1) = e^-1 / 3 = 0.122626
    assert theory.mmc_wait_tail(2, 1.0, 1.0, 1.0) == pytest.approx(0.122626, rel=1e-5)
    # mmc-3: c = 3, lambda 0.21/min, mu 0.1/min, a = 2.1. Erlang B by the recurrence: B1 = 2.1 / 3.1
    # = 0.677419, B2 = 2.1 B1 / (2 + 2.1 B1) = 0.415646, B3 = 2.1 B2 / (3 + 2.1 B2) = 0.225378;
    # C = 3 B3 / (3 - 2.1 (1 - B3)) = 0.492345; P(W > 15) = C exp(-0.09 x 15) = 0.492345 x 0.259240
    assert theory.mmc_wait_tail(3, 0.21, 0.1, 15.0) == pytest.approx(0.127636, rel=1e-5)
    # the tail integrates to the mean wait (Wq = C / (c mu - lambda))
    ts = np.linspace(0.0, 400.0, 4001)
    tail = np.array([theory.mmc_wait_tail(3, 0.21, 0.1, t) for t in ts])
    area = float(np.sum((tail[1:] + tail[:-1]) / 2 * np.diff(ts)))    # the trapezoid rule
    assert area == pytest.approx(theory.mmc_wait(3, 0.21, 0.1), rel=1e-3)
    with pytest.raises(ValueError):
        theory.mmc_wait_tail(3, 0.21, 0.1, -1.0)


def test_crowd_arithmetic_by_hand():
    # 100 + 10/min, 10 per officer, 10 on scene, below 0.9 for 5 min: short from t=2, kuning at 7
    assert theory.crowd_escalation_minute(100, 10, 250, 10, 10, 0.9, 5) == 7


#: --quick runs checked for false fails: a compromise between the issue's 40 and the suite's time.
SEEDS = range(1, 17)


@pytest.mark.slow
def test_a_correct_engine_seldom_fails_quick_verify():
    """The 5% rule, seen over seeds: quick verify with 16 seeds fails at most 3 of them.

    The full verify takes ~40 s a run; its figure (40 seeds, `benchmarks/verify_false_fail.py`) is
    in benchmarks/README.md. Here --quick (~6 s a run), on 16 seeds, 1 to 16 (fixed: the outcome is
    deterministic). If the rule holds (a rate of at most 5%), 4 or more failed runs of 16 come with
    probability 0.7%; under the old rule (each of 8 random checks at 95%: a rate of 1 - 0.95^8 =
    34%), 3 or fewer come with probability 15%. So the test fails a rule as loose as the old one
    85% of the time, and a right one almost never.
    """
    failed = {}
    for seed in SEEDS:
        rows = verify(quick=True, jobs=2, seed=seed)
        bad = [f"{row.case} {row.label}" for row in rows if not row.passed]
        if bad:
            failed[seed] = bad
    assert len(failed) <= 3, failed
