"""The README's "Comparing plans and finding the breaking point", recomputed.

Runs the section's two commands as the README gives them (the scenario's 100 replications) and
checks that the excerpts are what they print and that every number the prose states is what the
comparison, the sweep and the plans' own incidents say.
"""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")
SECTION = README.split("## Comparing plans and finding the breaking point", 1)[1].split("\n## ", 1)[0]
PROSE = re.sub(r"\s+", " ", " ".join(SECTION.split("```")[0::2]))
BLOCKS = SECTION.split("```")[1::2]
REFERENCE = "scenarios/jember-pilkada-2024.yaml"
CENTRAL = "scenarios/plans/jember-central-reserve.yaml"
FORWARD = "scenarios/plans/jember-forward-posts.yaml"


def said(text: str) -> None:
    assert text in PROSE, f"the README should say: {text!r}"


def table_rows(block: str) -> list[str]:
    return [line.rstrip() for line in block.splitlines() if line.startswith(("│", "┃"))]


@pytest.fixture(scope="module")
def comparison(tmp_path_factory):
    from sispam_sim.cli.app import main

    out = tmp_path_factory.mktemp("compare")
    with pytest.raises(SystemExit) as info:
        main(["compare", REFERENCE, CENTRAL, FORWARD, "--quiet", "--out", str(out)])
    assert info.value.code == 0
    return json.loads((out / "comparison.json").read_text(encoding="utf-8"))


def test_the_commands_are_the_ones_the_readme_gives():
    commands = [" ".join(b.replace("\\\n", " ").split()) for b in BLOCKS if b.startswith("sh\n")]
    assert commands == [f"sh sispam-sim compare {REFERENCE} {CENTRAL} {FORWARD}",
                        "sh sispam-sim sweep scenarios/jember-pilkada-2024.yaml --set 'incidents[*].rate=x1,x2,x4,x6,x8,x10'"
                        ' --until "response_time.p90 > 20min"']


def test_the_compare_excerpt_is_what_compare_prints(cli):
    result = cli("compare", REFERENCE, CENTRAL, FORWARD, "--quiet")
    assert result.code == 0
    printed = {line.rstrip() for line in result.out.splitlines()}
    excerpt = table_rows(BLOCKS[1])
    assert len(excerpt) >= 4
    assert [line for line in excerpt if line not in printed] == []


def test_the_excerpt_opens_with_the_decision_and_its_recommendation(cli):
    result = cli("compare", REFERENCE, CENTRAL, FORWARD, "--quiet")
    printed = [line.rstrip() for line in result.out.splitlines()]
    excerpt = [line.rstrip() for line in BLOCKS[1].splitlines()[1:]]
    per_plan = "B − A: Pilkada Jember 2024 — central reserve"
    assert excerpt[0] == "Decision (minutes)" and per_plan in excerpt
    assert printed.index("Decision (minutes)") < printed.index(per_plan)      # the decision comes first
    recommendation = [line for line in excerpt if line.startswith("Recommendation:")]
    assert recommendation and recommendation[0] in printed


def test_the_decision_claims(comparison):
    decision = comparison["decision"]
    assert decision["recommendation"]["outcome"] == "keep" and decision["recommendation"]["plan"] == 2
    forward = comparison["plans"][1]
    rows = [d for block in [forward["differences"], *forward.get("by_kind", {}).values()]
            for stats in block.values() for d in stats.values() if d.get("row", "headline") == "headline"]
    better = sum(d["verdict"] == "better" for d in rows)
    assert sum(d["verdict"] == "worse" for d in rows) == 0
    said(f"here plan C is kept (better than A on {better} headline rows, worse on none)")
    targets = {(r["metric"], r["stat"]): r["plans"][2]["verdict"] for r in comparison["targets"]["rows"]
               if r.get("kind") is None and r.get("phase") is None}
    assert targets[("response_time", "p90")] == "too_close" and targets[("tps_downtime", "p95")] == "fail"
    said("its p90 response is too close to call and that it fails the TPS downtime target like the reference")


def test_the_central_reserve_claim(comparison):
    central = comparison["plans"][0]
    p90 = central["differences"]["response_time"]["p90"]
    assert p90["verdict"] == "worse"
    said(f"makes the p90 response {p90['value']:.1f} minutes slower")


def test_the_forward_posts_claims(comparison, tmp_path):
    forward = comparison["plans"][1]
    assert forward["differences"]["response_time"]["p90"]["verdict"] == "no difference"
    said("makes no difference to the p90 response of all calls")
    from sispam_sim.runner.output import OutputWriter
    from sispam_sim.runner.pipeline import simulate
    from sispam_sim.scenario.loader import load_scenario

    with OutputWriter(tmp_path) as writer:
        writer.finish(simulate(load_scenario(ROOT / FORWARD), writer=writer).document)
    with open(tmp_path / "incidents.csv", newline="", encoding="utf-8") as fh:
        hostage = [float(r["response_time"]) for r in csv.DictReader(fh) if r["label"].startswith("KPU chair taken")]
    assert len(hostage) == 100
    said(f"now waits at most {max(hostage):.0f} minutes")
    # "more than half an hour on 10 of 100 days in the reference plan" is checked in test_readme_claims.py
    said("waited more than half an hour on 10 of 100 days in the reference plan")


def test_the_pairing_claim(comparison):
    forward = comparison["plans"][1]
    head = next(h for h in forward["headline"] if h["kind"] is None and (h["metric"], h["stat"]) == ("response_time",
                                                                                                       "p90"))
    paired = head["paired_ci"][1] - head["paired_ci"][0]
    unpaired = head["unpaired_ci"][1] - head["unpaired_ci"][0]
    assert paired < unpaired
    said(f"it is {paired:.1f} minutes wide instead of {unpaired:.1f} ({head['narrower'] * 100:.0f}% narrower)")


def test_the_sweep_excerpt_and_its_breaking_point(cli):
    result = cli("sweep", REFERENCE, "--set", "incidents[*].rate=x1,x2,x4,x6,x8,x10",
                 "--until", "response_time.p90 > 20min", "--quiet")
    assert result.code == 0
    printed = [line.rstrip() for line in result.out.splitlines()]
    excerpt = [line.rstrip() for line in BLOCKS[3].splitlines()[1:] if line.strip()]   # after "text"
    assert [line for line in excerpt if line not in printed] == []
    assert any(line.startswith("breaks at incidents[*].rate=x8") for line in printed)
    said("holds its 20-minute p90 up to six times the expected incidents and breaks at eight")


def test_the_paired_interval_is_narrower_on_every_headline_statistic_of_the_example_plans(comparison):
    widths = [(h["paired_ci"][1] - h["paired_ci"][0], h["unpaired_ci"][1] - h["unpaired_ci"][0])
              for plan in comparison["plans"] for h in plan["headline"]
              if h["paired_ci"] and None not in h["paired_ci"] and None not in h["unpaired_ci"]]
    assert widths and all(p <= u for p, u in widths)
    assert np.mean([p / u for p, u in widths if u > 0]) < 0.8
