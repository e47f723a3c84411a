"""The README's "What the doctrine changes", recomputed from a real run of
``scenarios/jember-doctrine.yaml`` (its 100 replications and seed) and of a copy whose talks
never succeed."""

from __future__ import annotations

import csv
import math
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")
SECTION = README.split("## What the doctrine changes", 1)[1].split("\n## ", 1)[0]
PROSE = re.sub(r"\s+", " ", " ".join(SECTION.split("```")[0::2]))
DOCTRINE = ROOT / "scenarios" / "jember-doctrine.yaml"
PROTEST = "protest at KPU Jember over the count"


def _incidents(tmp_path: Path, overrides=()) -> list[dict]:
    return _run(tmp_path, overrides)[1]


@pytest.fixture(scope="module")
def doctrine(tmp_path_factory) -> tuple[dict, list[dict]]:
    """The doctrine plan's run: results.json and incidents.csv rows."""
    return _run(tmp_path_factory.mktemp("doctrine"))


@pytest.fixture(scope="module")
def rows(doctrine):
    return doctrine[1]


def said(text: str) -> None:
    assert text in PROSE, f"the README should say: {text!r}"


def _days(rows, label, test=lambda r: True) -> set[str]:
    return {r["replication"] for r in rows if r["label"] == label and test(r)}


def test_the_protest_reaches_merah_and_is_never_covered_there(rows):
    protests = [r for r in rows if r["label"] == PROTEST]
    assert len(protests) == 100
    merah = _days(rows, PROTEST, lambda r: r["max_level"] == "3")
    said(f"reaches merah on {len(merah)} of the 100 days")
    need = {int(r["need"]) for r in protests if r["replication"] in merah}
    assert need == {math.ceil(math.ceil(1500 / 10) * 1.5 ** 2)} == {338}
    said("the need there is 338 personnel, more than the 200 whose band reaches merah")
    assert _days(rows, PROTEST, lambda r: r["resolved"] == "") == merah   # never covered, still there
    said(f"on each of those {len(merah)} days the protest is never brought under control")


def test_the_talks_decide_the_day(rows, tmp_path):
    hijau = _days(rows, PROTEST, lambda r: r["max_level"] == "1")
    said(f"on the other {len(hijau)} days the negotiators calm the crowd")
    assert len(hijau) + len(_days(rows, PROTEST, lambda r: r["max_level"] == "3")) == 100
    failed = _incidents(tmp_path, [f"incidents[label={PROTEST}].negotiation.success=0"])
    assert len(_days(failed, PROTEST, lambda r: r["max_level"] == "3")) == 100
    said("with talks that never succeed it reaches merah on all 100")


def test_the_storyline_follows_the_crowd(rows):
    merah = _days(rows, PROTEST, lambda r: r["max_level"] == "3")
    arson = [r for r in rows if r["label"].startswith("vehicles set on fire")]
    assert {r["replication"] for r in arson} == merah and len(arson) == len(merah)
    assert all(r["triggered_by"] for r in arson)
    said(f"the vehicles are set on fire on exactly the {len(merah)} merah days")
    hostage = [r for r in rows if r["label"].startswith("KPU chair taken hostage")]
    assert len({r["replication"] for r in hostage}) == 100
    slowest = max(float(r["response_time"]) for r in hostage)
    assert slowest <= 30
    said(f"reached within 30 minutes on every day (at most {slowest:.1f})")


# ---------------------------------------------------------------- who may answer, and when (format 1.1)

REFERENCE = ROOT / "scenarios" / "jember-pilkada-2024.yaml"
RECAP = ROOT / "scenarios" / "plans" / "jember-recap-d8.yaml"
BLOCKS = SECTION.split("```")[1::2]


def _run(tmp_path: Path, overrides=(), file: Path = DOCTRINE) -> tuple[dict, list[dict]]:
    """The run's results.json and incidents.csv rows."""
    import json

    from sispam_sim.runner.output import OutputWriter
    from sispam_sim.runner.pipeline import simulate
    from sispam_sim.scenario.loader import load_scenario

    with OutputWriter(tmp_path) as writer:
        writer.finish(simulate(load_scenario(file, overrides=tuple(overrides)), writer=writer).document)
    with open(tmp_path / "incidents.csv", newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    return json.loads((tmp_path / "results.json").read_text(encoding="utf-8")), rows


def _target(document: dict, metric: str = "response_time", stat: str = "p90", phase=None) -> dict:
    (row,) = [t for t in document["targets"] if (t["metric"], t["stat"], t.get("phase")) == (metric, stat, phase)]
    return row


def _cli(*args: str) -> int:
    from sispam_sim.cli.app import main

    with pytest.raises(SystemExit) as info:
        main(list(args))
    return info.value.code


def test_the_commands_are_the_ones_the_readme_gives():
    commands = [" ".join(b.split()) for b in BLOCKS if b.startswith("sh\n")]
    assert commands == ["sh sispam-sim run scenarios/jember-doctrine.yaml",
                        "sh sispam-sim compare scenarios/jember-pilkada-2024.yaml scenarios/jember-doctrine.yaml",
                        "sh sispam-sim sweep scenarios/jember-doctrine.yaml --set dispatch.mutual_aid.after=0min,10min,1h"]


def test_the_paired_comparison_with_the_reference(tmp_path):
    import json

    assert _cli("compare", str(REFERENCE), str(DOCTRINE), "--quiet", "--out", str(tmp_path)) == 0
    document = json.loads((tmp_path / "comparison.json").read_text(encoding="utf-8"))
    (plan,) = document["plans"]
    assert document["paired"] and plan["paired"] and plan["differs"]["keys"] == []
    assert len(plan["differs"]["incidents"]) == 4
    said("they are paired (same clock, seed and random calls), and the four entries")
    mean, p90 = (plan["differences"]["response_time"][s] for s in ("mean", "p90"))
    said(f"the mean response is {-mean['value']:.1f} minutes shorter than the reference's (paired 95% "
         f"interval {mean['ci'][0]:.2f} to {mean['ci'][1]:.2f})".replace("-", "−"))
    assert mean["ci"][1] < 0 and mean["verdict"] == "better"
    assert p90["ci"][0] < 0 < p90["ci"][1] and p90["verdict"] == "no difference"
    said(f"the p90 is {p90['value']:.1f} minutes longer, but its interval ({p90['ci'][0]:+.2f} to "
         f"{p90['ci'][1]:+.2f}) holds 0".replace("-", "−"))
    (row,) = [r for r in document["targets"]["rows"]
              if (r["metric"], r["stat"], r.get("phase")) == ("response_time", "p90", None)]
    doctrine = row["plans"][1]
    assert doctrine["verdict"] == "fail"
    said(f"{doctrine['value']:.1f} minutes, so the 15-minute target still fails")
    decision = document["decision"]
    assert decision["recommendation"]["outcome"] == "keep" and decision["recommendation"]["plan"] == 0
    status = decision["plans"][1]
    assert status["status"] == "ruled_out" and set(status["reasons"]) == {"unresolved", "higher_level"}
    unresolved = next(r for r in decision["rows"] if r["row"] == "unresolved")["cells"][1]
    said(f"leaves {unresolved['value']:.2f} incidents a day unresolved (the protest it cannot cover, on "
         f"{unresolved['days']} of the 100 days) and raises the highest level to merah")


def test_areas_cost_the_tail_and_the_guards_buy_it_back(tmp_path):
    without_areas, _ = _run(tmp_path / "areas", ["forces.units[*].area=null"])
    row = _target(without_areas)
    assert row["verdict"] == "pass"
    said(f"(`--set 'forces.units[*].area=null'`) the p90 would be {row['value']:.1f} minutes, a pass")
    without_guards, _ = _run(tmp_path / "guards", ["guard.respond=null"])
    said(f"(`--set guard.respond=null`) {_target(without_guards)['value']:.1f}.")


def test_the_guards_go_first_and_the_evening_is_unguarded(doctrine):
    document, rows = doctrine
    disputes = [r for r in rows if r["entry"] == "0"]
    first = [r for r in disputes if r["units"].split(";")[0].startswith("guard-")]
    said(f"The guards are first at {len(first)} of the {len(disputes)} disputes")
    times = sorted(float(r["response_time"]) for r in disputes)
    p50, p90 = (times[math.ceil(q * len(times)) - 1] for q in (0.5, 0.9))   # inverted_cdf, as results.json
    said(f"reach them in {p50:.1f} minutes at the median (p90 {p90:.1f})")
    voting = _target(document, phase="voting")
    assert voting["verdict"] == "fail" and voting["limit"] == 15
    said(f"90% are reached within {voting['value']:.1f} minutes, against the 15 minutes")
    seizures = [r for r in rows if r["label"] == "ballot-box seizure or logistics blockade"]
    evening = [r for r in seizures if float(r["call"]) >= 12 * 60]          # 18:00 is 12 h after 06:00
    assert evening and all(r["unguarded"] == "1" for r in evening)
    said(f"all {len(evening)} of the ballot-box seizures called after 18:00 (of {len(seizures)} in 100 days)")
    assert not [r for r in rows if "tni-kodim" in r["units"].split(";")]
    said("The TNI platoon is never asked for")


def test_reinforcement_timing_for_the_hostage_call(rows, tmp_path):
    hostage = [r for r in rows if r["label"].startswith("KPU chair taken hostage")]
    brimob = {r["replication"] for r in hostage if r["units"].split(";")[0] == "brimob-bko"}
    said(f"on {len(brimob)} of the 100 days the one Resmob team is busy")
    override = "forces.units[brimob-bko].on_request={delay: {dist: uniform, low: 4h, high: 5h}}"
    said(f"`--set '{override}'`")
    _, later = _run(tmp_path / "later", [override])
    late = [r for r in later if r["label"].startswith("KPU chair taken hostage") and r["replication"] in brimob]
    assert len(late) == len(brimob)
    said(f"those {len(brimob)} calls wait up to {max(float(r['response_time']) for r in late):.0f} minutes")


def test_the_mutual_aid_sweep(tmp_path):
    import json

    assert _cli("sweep", str(DOCTRINE), "--set", "dispatch.mutual_aid.after=0min,10min,1h", "--quiet",
                "--out", str(tmp_path)) == 0
    points = json.loads((tmp_path / "sweep.json").read_text(encoding="utf-8"))["points"]
    p90 = [p["metrics"]["response_time"]["p90"]["value"] for p in points]
    said(f"the p90 response moves from {p90[0]:.1f} to {p90[-1]:.1f} minutes between aid at once and aid after an hour")


def test_the_recap_day(tmp_path):
    document, rows = _run(tmp_path, file=RECAP)
    assert document["targets"] and all(t["verdict"] == "pass" for t in document["targets"])
    protest = [r for r in rows if r["label"].startswith("protest at KPU Jember")]
    assert len(protest) == 100 and all(r["max_level"] in ("1", "2") for r in protest)
    assert all(r["resolved"] for r in protest)
    times = sorted(float(r["full_strength_time"]) for r in protest)
    said(f"the protest of 2,500 never passes kuning and is at full strength within {times[49]:.0f} minutes at the "
         "median, and every target passes")
    assert sum(u["crew"] * u["count"] for u in _force(RECAP)) == 850
    said("all 850 personnel are mobile")


def _force(path: Path) -> list[dict]:
    """Every unit group of ``path`` as loaded: its crew and count (guards: none in the recap plan)."""
    from sispam_sim.scenario.loader import load_scenario

    spec = load_scenario(path).spec
    assert not spec.guard.tps
    return [{"crew": spec.forces.types[g.type].crew, "count": g.count or 1} for g in spec.forces.units]
