"""docs/ci.md and .pre-commit-hooks.yaml work as written.

* The GitHub Actions workflow in docs/ci.md is a complete workflow: it runs on pull requests,
  reads only, caches pip on the file it installs from, and every ``sispam-sim`` command in its
  steps exists, takes the options written, and exits as the doc's table says when run (through
  a shell, so the globs expand as on GitHub) in a copy of this repository's scenarios: 0 for
  ``validate``, 1 for ``check`` (the bundled plan misses targets it inherits, annotated in the
  file that sets them); 0 and 0 on plans that meet their targets; 2 and 2 with a broken file.
* .pre-commit-hooks.yaml declares hooks with pre-commit's keys only, whose ``entry`` is a
  command of the installed CLI and whose ``files`` take scenarios but no other YAML; the
  pre-commit config in docs/ci.md uses those hooks, and each hook's command, given the files
  it selects, validates this repository's scenarios.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from test_docs import code_blocks

ROOT = Path(__file__).resolve().parents[2]
CI_MD = ROOT / "docs" / "ci.md"
HOOKS = ROOT / ".pre-commit-hooks.yaml"
EXIT_OK, EXIT_CHECK_FAILED, EXIT_BAD_INPUT = 0, 1, 2

#: The keys pre-commit accepts in a hook of .pre-commit-hooks.yaml (pre_commit/clientlib.py, MANIFEST_HOOK_DICT).
HOOK_KEYS = {"id", "name", "entry", "language", "alias", "files", "exclude", "types", "types_or", "exclude_types",
             "additional_dependencies", "args", "always_run", "fail_fast", "pass_filenames", "description",
             "language_version", "log_file", "minimum_pre_commit_version", "require_serial", "stages", "verbose"}
REQUIRED_HOOK_KEYS = {"id", "name", "entry", "language"}
#: Stage names since pre-commit 3.2.
STAGES = {"commit-msg", "post-checkout", "post-commit", "post-merge", "post-rewrite", "pre-commit", "pre-merge-commit",
          "pre-push", "pre-rebase", "prepare-commit-msg", "manual"}


def yaml_blocks() -> list:
    return [yaml.safe_load(block.text) for block in code_blocks(CI_MD) if block.lang == "yaml"]


def workflow() -> dict:
    found = [data for data in yaml_blocks() if isinstance(data, dict) and "jobs" in data]
    assert len(found) == 1, "docs/ci.md should show exactly one GitHub Actions workflow"
    return found[0]


def steps() -> list[dict]:
    jobs = workflow()["jobs"]
    return [step for job in jobs.values() for step in job["steps"]]


def commands() -> list[str]:
    """Every ``sispam-sim`` command the workflow's steps run, in order."""
    lines = [line.strip() for step in steps() for line in step.get("run", "").splitlines()]
    return [line for line in lines if line.startswith("sispam-sim ")]


@pytest.fixture(scope="module")
def shim(tmp_path_factory) -> dict:
    """An environment whose ``sispam-sim`` is this checkout's, run by this Python (as CI's .venv is)."""
    folder = tmp_path_factory.mktemp("bin")
    script = folder / "sispam-sim"
    script.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m sispam_sim "$@"\n', encoding="utf-8")
    script.chmod(0o755)
    return {**os.environ, "PATH": f"{folder}{os.pathsep}{os.environ.get('PATH', '')}"}


def run_in(repo: Path, command: str, env: dict) -> subprocess.CompletedProcess:
    """``command`` through bash in ``repo``, as a workflow step runs it (bash -e, globs expanded)."""
    return subprocess.run(["bash", "-e", "-c", command], cwd=repo, env=env, capture_output=True, text=True,
                          timeout=300)


def copy_scenarios(repo: Path) -> Path:
    """This repository's scenarios (without the deliberately invalid ones) in ``repo``."""
    shutil.copytree(ROOT / "scenarios", repo / "scenarios", ignore=shutil.ignore_patterns("invalid"))
    return repo


# ---------------------------------------------------------------- the workflow


def test_the_workflow_is_complete_and_reads_only():
    flow = workflow()
    triggers = flow.get("on", flow.get(True))   # PyYAML (YAML 1.1) reads the key `on` as true
    assert "pull_request" in triggers and "pull_request_target" not in triggers
    assert flow["permissions"] == {"contents": "read"}
    uses = {step["uses"].split("@")[0]: step for step in steps() if "uses" in step}
    assert uses["actions/checkout"]["with"]["persist-credentials"] is False
    python = uses["actions/setup-python"]["with"]
    assert python["cache"] == "pip"
    installs = [step["run"] for step in steps() if "pip install" in step.get("run", "")]
    assert installs == [f"python -m pip install -r {python['cache-dependency-path']}"]
    assert all(job.get("timeout-minutes") for job in flow["jobs"].values())
    assert [c.split()[1] for c in commands()] == ["validate", "check"]
    assert all("--format github" in c for c in commands())


@pytest.mark.parametrize("command", commands())
def test_each_command_and_option_exists(command, shim):
    words = command.split()
    help_text = run_in(ROOT, f"sispam-sim {words[1]} --help", shim)
    assert help_text.returncode == EXIT_OK, help_text.stderr
    for option in (w for w in words[2:] if w.startswith("--")):
        assert option in help_text.stdout, f"{option} is not an option of sispam-sim {words[1]}"


def test_on_this_repositorys_scenarios(tmp_path, shim):
    repo = copy_scenarios(tmp_path)
    validate, check = commands()
    result = run_in(repo, validate, shim)
    assert result.returncode == EXIT_OK, result.stdout + result.stderr
    assert "::error" not in result.stdout
    # Plan B misses targets it takes from the reference scenario: annotated there, at the limit's line.
    result = run_in(repo, check, shim)
    assert result.returncode == EXIT_CHECK_FAILED, result.stdout + result.stderr
    errors = [line for line in result.stdout.splitlines() if line.startswith("::error ")]
    assert errors and all(line.startswith("::error file=scenarios/jember-pilkada-2024.yaml,line=") for line in errors)
    assert "scenarios/plans/jember-more-qrt.yaml: " in result.stdout
    assert "Traceback" not in result.stderr


PASSING_PLAN = """\
version: 1
extends: ../town.yaml
name: Town patrols, plan B
forces:
  units:
    - {id: patrol, type: sabhara, count: 3, base: polres}
targets:
  response_time: {p90: 1h}
"""


def test_on_plans_that_meet_their_targets_and_on_a_broken_file(tmp_path, shim):
    from conftest import MINIMAL_YAML

    (tmp_path / "scenarios" / "plans").mkdir(parents=True)
    (tmp_path / "scenarios" / "town.yaml").write_text(MINIMAL_YAML + "replications: 5\n", encoding="utf-8")
    (tmp_path / "scenarios" / "plans" / "b.yaml").write_text(PASSING_PLAN, encoding="utf-8")
    validate, check = commands()
    for command in (validate, check):
        result = run_in(tmp_path, command, shim)
        assert result.returncode == EXIT_OK, command + "\n" + result.stdout + result.stderr
    (tmp_path / "scenarios" / "town.yaml").write_text(MINIMAL_YAML.replace("crew: 4", "crew: four"), encoding="utf-8")
    for command in (validate, check):
        result = run_in(tmp_path, command, shim)
        assert result.returncode == EXIT_BAD_INPUT, command + "\n" + result.stdout + result.stderr
        assert result.stdout.startswith("::error file=scenarios/town.yaml,line=9,")
        assert "Traceback" not in result.stderr


def test_the_exit_codes_table_matches_the_cli():
    from sispam_sim.cli.app import EXIT_BAD_INPUT as BAD, EXIT_CHECK_FAILED as FAILED, EXIT_INTERRUPTED, EXIT_OK as OK

    text = CI_MD.read_text(encoding="utf-8")
    for code in (OK, FAILED, BAD, EXIT_INTERRUPTED):
        assert re.search(rf"^\| {code} \|", text, re.M), f"exit code {code} is not in docs/ci.md's table"


# ---------------------------------------------------------------- pre-commit


def hooks() -> list[dict]:
    return yaml.safe_load(HOOKS.read_text(encoding="utf-8"))


def test_hooks_use_pre_commits_keys_only():
    ids = [hook["id"] for hook in hooks()]
    assert ids == ["sispam-sim-validate", "sispam-sim-check"]
    for hook in hooks():
        assert REQUIRED_HOOK_KEYS <= set(hook) <= HOOK_KEYS, hook["id"]
        assert hook["language"] == "python"   # pre-commit installs this repository, which provides the command
        assert set(hook.get("stages", [])) <= STAGES, hook["id"]
        assert set(hook.get("types", [])) == {"yaml"}
    check = hooks()[1]
    assert "pre-commit" not in check["stages"]   # it simulates: not on every commit


@pytest.mark.parametrize("hook", hooks(), ids=lambda h: h["id"])
def test_hook_entry_is_a_command_of_the_cli(hook, shim):
    words = hook["entry"].split()
    assert words[0] == "sispam-sim"
    result = run_in(ROOT, f"{hook['entry']} --help", shim)
    assert result.returncode == EXIT_OK, result.stderr


@pytest.mark.parametrize("hook", hooks(), ids=lambda h: h["id"])
def test_hook_files_take_scenarios_and_no_other_yaml(hook):
    files = re.compile(hook["files"])
    for path in ("scenarios/jember.yaml", "scenarios/plans/b.yml", "scenarios/kecamatan/silo.yaml"):
        assert files.search(path), path
    for path in (".pre-commit-config.yaml", ".github/workflows/scenarios.yml", "docs/scenarios/x.yaml",
                 "scenarios/tps.csv", "scenarios.yaml"):
        assert not files.search(path), path


def test_validate_hook_passes_on_this_repositorys_scenarios(shim):
    hook = hooks()[0]
    files = re.compile(hook["files"])
    tracked = [p.relative_to(ROOT).as_posix() for p in (ROOT / "scenarios").rglob("*.yaml")]
    chosen = [p for p in tracked if files.search(p) and not p.startswith("scenarios/invalid/")]
    assert "scenarios/plans/jember-more-qrt.yaml" in chosen
    result = run_in(ROOT, " ".join([hook["entry"], *chosen]), shim)
    assert result.returncode == EXIT_OK, result.stdout + result.stderr


def test_pre_commit_config_examples_use_the_hooks():
    ids = {hook["id"] for hook in hooks()}
    configs = [data for data in yaml_blocks() if isinstance(data, dict) and "repos" in data]
    assert len(configs) == 2
    remote, local = configs
    assert {hook["id"] for repo in remote["repos"] for hook in repo["hooks"]} == ids
    for repo in remote["repos"]:
        for hook in repo["hooks"]:
            assert set(hook) <= HOOK_KEYS
            if "files" in hook:
                assert re.compile(hook["files"]).search("scenarios/plans/b.yaml")
    (local_hook,) = local["repos"][0]["hooks"]
    declared = next(hook for hook in hooks() if hook["id"] == local_hook["id"])
    assert (local_hook["entry"], local_hook["files"]) == (declared["entry"], declared["files"])
