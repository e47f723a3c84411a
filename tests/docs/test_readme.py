"""The README's promises, checked: its quick start works and is what CI runs, and its examples work.

The quick start's first command (create a virtual environment, install, run the reference
scenario) runs for real, as written, in a copy of the repository's installable files. The copy
lives in pytest's cache and keeps its ``.venv`` between runs, so only the first run downloads the
dependencies (about 10 s with a warm pip cache, then about 5 s). The second command runs the
test suite itself: CI runs it, exactly as written (``.ci/run``).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")
INSTALLABLE = ("README.md", "pyproject.toml", "sispam_sim", "scenarios")  # what `pip install .` and the run read


def _quick_start() -> list[str]:
    section = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sh\n(.*?)\n```", section, re.S)


def test_quick_start_has_the_two_commands():
    run, test = _quick_start()
    # Each creates (or reuses) the virtual environment .venv, so neither needs pip outside one (PEP 668).
    assert run == ("python3 -m venv .venv && .venv/bin/pip install . "
                   "&& .venv/bin/sispam-sim run scenarios/jember-pilkada-2024.yaml")
    assert test == "python3 -m venv .venv && .venv/bin/pip install -e '.[test]' && .venv/bin/python -m pytest"


def test_ci_runs_exactly_the_readme_test_command():
    _, test = _quick_start()
    script = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    commands = [line for line in script.splitlines() if line.strip() and not line.startswith("#")]
    assert commands[-1] == test, f".ci/run must end with the README's test command:\n  {test}"
    assert all(line.startswith(("set ", "cd ")) for line in commands[:-1]), (
        f".ci/run runs more than the README's test command: {commands[:-1]}")


def _copy_installable(folder: Path) -> None:
    """Put the installable files in ``folder`` afresh, keeping its .venv (the reused environment)."""
    folder.mkdir(parents=True, exist_ok=True)
    for entry in folder.iterdir():
        if entry.name != ".venv":
            shutil.rmtree(entry) if entry.is_dir() else entry.unlink()
    for name in INSTALLABLE:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, folder / name, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
        else:
            shutil.copy2(source, folder / name)


def test_quick_start_run_works(request, tmp_path):
    # The main job exactly as the README gives it (the reference scenario, its own 100 replications).
    run, _ = _quick_start()
    cache = getattr(request.config, "cache", None)  # None under -p no:cacheprovider
    folder = cache.mkdir("quick-start") if cache is not None else tmp_path / "quick-start"
    _copy_installable(folder)
    result = subprocess.run(["bash", "-c", run], cwd=folder, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, f"{run}\nfailed in {folder}:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    assert "Pilkada Jember 2024" in result.stdout and "Targets" in result.stdout


def test_readme_scenario_example_is_valid(tmp_path):
    from sispam_sim.scenario.loader import load_scenario

    (example,) = [b for b in re.findall(r"```yaml\n(.*?)```", README, re.S) if b.startswith("version: 1")]
    path = tmp_path / "example.yaml"
    path.write_text(example, encoding="utf-8")
    assert load_scenario(path).warnings == ()
