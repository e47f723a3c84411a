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
    from sispam_sim.runner.output import OutputWriter
    from sispam_sim.runner.pipeline import simulate
    from sispam_sim.scenario.loader import load_scenario

    scenario = load_scenario(DOCTRINE, overrides=tuple(overrides))
    with OutputWriter(tmp_path) as writer:
        writer.finish(simulate(scenario, writer=writer).document)
    with open(tmp_path / "incidents.csv", newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def rows(tmp_path_factory):
    return _incidents(tmp_path_factory.mktemp("doctrine"))


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
