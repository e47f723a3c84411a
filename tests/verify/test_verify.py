"""``sispam-sim verify``: the reference cases pass, and a broken engine makes the right case fail."""

from __future__ import annotations

import json

import pytest

from sispam_sim.cli.app import main
from sispam_sim.core import geo
from sispam_sim.verify import theory
from sispam_sim.verify.reference import CASES, CASES_DIR, verify


def run_cli(capsys, *args) -> tuple[int, str]:
    with pytest.raises(SystemExit) as exc:
        main(["verify", *args])
    return exc.value.code, capsys.readouterr().out


def test_quick_verify_passes(capsys):
    code, out = run_cli(capsys, "--quick", "--format", "json", "--jobs", "2")
    document = json.loads(out)
    assert code == 0, [c for c in document["checks"] if c["result"] != "pass"]
    assert document["verdict"] == "pass"
    cases = {c["case"] for c in document["checks"]}
    assert cases == {case.id for case in CASES}
    large = next(c for c in document["checks"] if c["case"] == "mmc-large")
    assert large["detail"].startswith("c=200")      # --quick keeps a large-c case


def _slower_travel(monkeypatch):
    for name in ("minutes", "minutes_one"):
        original = getattr(geo.GreatCircleTravel, name)
        monkeypatch.setattr(geo.GreatCircleTravel, name,
                            lambda self, *a, _f=original, **k: _f(self, *a, **k) * 1.5)


def test_travel_half_again_too_slow_fails_the_travel_and_tps_cases(monkeypatch, capsys):
    _slower_travel(monkeypatch)
    exact = [case for case in CASES if case.kind in ("travel", "tps", "crowd")]
    results = {row.case: row.passed for row in verify(quick=True, jobs=1, cases=exact)}
    assert results == {"travel": False, "tps": False, "crowd": True}


def test_cli_exits_1_when_a_case_fails(monkeypatch, capsys):
    import sispam_sim.verify.reference as reference

    _slower_travel(monkeypatch)
    monkeypatch.setattr(reference, "CASES", tuple(c for c in CASES if c.kind in ("travel", "tps")))
    code, out = run_cli(capsys, "--quick", "--jobs", "1")
    assert code == 1
    assert "FAIL" in out and "verify failed: 2 of 2 checks" in out


def test_the_cases_are_shipped_scenario_files():
    from sispam_sim.scenario.loader import load_scenario

    files = {case.file for case in CASES} | {case.quick_file for case in CASES if case.quick_file}
    for name in files:
        assert load_scenario(CASES_DIR / name).spec.name.startswith("verify")


def test_erlang_c_is_stable_for_thousands_of_units():
    # the textbook sum overflows a float for c around 170; the recurrence does not
    assert theory.erlang_c(1, 0.5) == pytest.approx(0.5)
    assert theory.erlang_c(2, 1.0) == pytest.approx(1 / 3)
    c850 = theory.erlang_c(850, 807.5)
    assert 0.05 < c850 < 0.15                       # Halfin-Whitt: ~0.09 at beta = 1.46
    assert 0 < theory.erlang_c(5000, 4900) < 1


def test_crowd_arithmetic_by_hand():
    # 100 + 10/min, 10 per officer, 10 on scene, below 0.9 for 5 min: short from t=2, kuning at 7
    assert theory.crowd_escalation_minute(100, 10, 250, 10, 10, 0.9, 5) == 7
