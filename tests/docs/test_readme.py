"""The README's promises, checked: its quick start is what CI runs, and its examples work."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _quick_start() -> list[str]:
    section = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sh\n(.*?)\n```", section, re.S)


def test_quick_start_has_the_two_commands():
    run, test = _quick_start()
    assert run == "python3 -m pip install . && sispam-sim run scenarios/jember-pilkada-2024.yaml"
    assert test == "python3 -m pip install -e '.[test]' && python3 -m pytest"


def test_ci_runs_exactly_the_readme_test_command():
    _, test = _quick_start()
    script = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert test in script.splitlines()


def test_quick_start_run_works(cli):
    # The main job as the README gives it (the reference scenario, its own 100 replications).
    result = cli("run", str(ROOT / "scenarios" / "jember-pilkada-2024.yaml"))
    assert result.code == 0, result.err
    assert "Pilkada Jember 2024" in result.out and "Targets" in result.out


def test_readme_scenario_example_is_valid(tmp_path):
    from sispam_sim.scenario.loader import load_scenario

    (example,) = [b for b in re.findall(r"```yaml\n(.*?)```", README, re.S) if b.startswith("version: 1")]
    path = tmp_path / "example.yaml"
    path.write_text(example, encoding="utf-8")
    assert load_scenario(path).warnings == ()
