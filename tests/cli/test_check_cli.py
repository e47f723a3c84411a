"""``sispam-sim check``: exit codes, the failing target named and located, too close to call, formats, bad input.

The scenarios are small and their numbers known: one sabhara unit, one scripted call at
08:00 about 6 km away (response ``EXPECTED_RESPONSE`` ≈ 16.0 min, resolution 30 min later,
the same every day, so every interval is a single point and nothing is borderline), or the
minimal scenario with a random work time where an interval is wide.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import MINIMAL_YAML
from test_run_cli import EXPECTED_RESPONSE, WORK, one_call_scenario

EXIT_OK, EXIT_CHECK_FAILED, EXIT_BAD_INPUT = 0, 1, 2
PASS_LIMIT = math.ceil(EXPECTED_RESPONSE)        # 17 min: passes
FAIL_LIMIT = math.floor(EXPECTED_RESPONSE) - 5   # 11 min: fails by about 5 min


def with_targets(targets: str, **incident) -> str:
    """The one-call scenario as YAML text, with ``targets`` (YAML lines) appended."""
    import yaml

    text = yaml.safe_dump(one_call_scenario(**incident), sort_keys=False)
    return text + targets


def where(text: str, needle: str) -> tuple[int, int]:
    """1-based (line, col) of ``needle``, which is in ``text`` once."""
    assert text.count(needle) == 1, needle
    start = text.index(needle)
    line = text.count("\n", 0, start) + 1
    return line, start - (text.rfind("\n", 0, start) + 1) + 1


@pytest.fixture
def passing(write):
    text = with_targets(f"targets:\n  response_time: {{p90: {PASS_LIMIT}min}}\n  resolution_time: {{mean: 1h}}\n")
    return write(text, "passing.yaml"), text


@pytest.fixture
def failing(write):
    text = with_targets(f"targets:\n  resolution_time: {{mean: 1h}}\n  response_time: {{p90: {FAIL_LIMIT}min}}\n")
    return write(text, "failing.yaml"), text


# ------------------------------------------------------------------ exit codes


def test_all_targets_pass_exits_0(cli, passing):
    path, _ = passing
    result = cli("check", path, "-r", "3")
    assert result.code == EXIT_OK, result.out + result.err
    assert f"{path}: all 2 targets passed" in result.out
    assert "check passed: 1 file(s), 2 target(s)" in result.out
    assert "error" not in result.out and "Traceback" not in result.err


def test_a_failing_target_exits_1_and_is_named_at_its_line(cli, failing):
    path, text = failing
    result = cli("check", path, "-r", "3")
    assert result.code == EXIT_CHECK_FAILED
    line, col = where(text, f"{FAIL_LIMIT}min")
    margin = FAIL_LIMIT - EXPECTED_RESPONSE
    expected = (f"{path}:{line}:{col}: error: targets.response_time.p90: Response time p90 ≤ {FAIL_LIMIT}.0 min: "
                f"FAIL — value {EXPECTED_RESPONSE:.1f} min, 0.0% within the limit, margin {margin:.1f} min")
    assert expected in result.out.splitlines()
    assert f"{path}: 1 of 2 targets did not pass" in result.out
    assert "check failed: 1 of 1 file(s)" in result.out


def test_an_untested_target_exits_1(cli, write):
    text = with_targets(f"targets:\n  response_time: {{p90: {PASS_LIMIT}min}}\n  tps_downtime: {{p95: 1h}}\n")
    path = write(text)
    result = cli("check", path, "-r", "2")
    assert result.code == EXIT_CHECK_FAILED
    line, col = where(text, "1h}")
    assert (f"{path}:{line}:{col}: error: targets.tps_downtime.p95: TPS downtime p95 ≤ 60.0 min: NOT TESTED — "
            "nothing to judge (no incidents)") in result.out.splitlines()
    assert "NOT TESTED" in result.out
    assert "never tested: no incident entry of kind station_disruption" in result.err   # validate's warning


def test_a_censored_percentile_fails_and_says_why(cli, write):
    # Need 8, one crew of 4: never at full strength, so the percentile lies among censored incidents.
    path = write(with_targets("targets:\n  full_strength: {p50: 1d}\n", needs={"response": 8}))
    result = cli("check", path, "-r", "2", "--format", "json")
    assert result.code == EXIT_CHECK_FAILED
    row = json.loads(result.out)["files"][0]["targets"][0]
    assert (row["result"], row["value_censored"]) == ("fail", True)   # censored: never too close
    table = cli("check", path, "-r", "2").out
    assert "the percentile lies among censored incidents" in table
    assert "margin < " in table   # the value is a lower bound, so the margin is an upper bound


def test_no_targets_fails_unless_allowed(cli, write):
    path = write(MINIMAL_YAML)
    result = cli("check", path)
    assert result.code == EXIT_CHECK_FAILED
    assert (f"{path}: error: targets: the scenario sets no targets: nothing to check "
            "(pass --allow-no-targets to let a scenario without targets pass)") in result.out.splitlines()
    assert "Checking" not in result.err   # nothing was run
    allowed = cli("check", path, "--allow-no-targets")
    assert allowed.code == EXIT_OK
    assert f"{path}: warning: targets: the scenario sets no targets: nothing to check" in allowed.out


# ------------------------------------------------------------------ too close to call


@pytest.fixture
def borderline_file(write):
    """The minimal scenario with a random work time and a resolution target inside its 95% interval."""
    from sispam_sim.runner.pipeline import simulate
    from sispam_sim.scenario.loader import load_scenario

    text = MINIMAL_YAML.replace("work: 30min", "work: {dist: lognormal, mean: 30min, sd: 15min}")
    text += "seed: 5\nreplications: 6\n"
    mean = simulate(load_scenario(write(text)), 6).document["metrics"]["all"]["resolution_time"]["mean"]
    limit = round((mean["value"] + mean["ci"][1]) / 2, 3)   # above the value, below the interval's top
    assert mean["value"] < limit < mean["ci"][1]
    text += f"targets:\n  resolution_time: {{mean: {limit}}}\n"
    return write(text), limit, where(text, str(limit))


def test_too_close_passes_without_strict_and_says_so(cli, borderline_file):
    path, _, (line, col) = borderline_file
    result = cli("check", path)
    assert result.code == EXIT_OK, result.out
    assert "TOO CLOSE" in result.out and "leans PASS" in result.out
    assert f"{path}:{line}:{col}: warning: targets.resolution_time.mean: " in result.out
    assert "1 of 1 target(s) too close to call" in result.out
    assert result.out.splitlines()[-1].startswith("check passed") and "too close to call" in result.out.splitlines()[-1]


def test_too_close_fails_with_strict(cli, borderline_file):
    path, _, _ = borderline_file
    result = cli("check", path, "--strict")
    assert result.code == EXIT_CHECK_FAILED
    assert "TOO CLOSE (too close fails with --strict)" in result.out
    assert f"{path}: 1 of 1 targets did not pass" in result.out


def test_a_point_over_the_limit_with_the_limit_in_its_interval_is_too_close_not_a_fail(cli, write):
    """The resolution mean of 6 days, with the limit set between the interval's bottom and the value:
    the point fails, but the data cannot say so (exit 0, leaning fail); --strict fails it."""
    from sispam_sim.runner.pipeline import simulate
    from sispam_sim.scenario.loader import load_scenario

    text = MINIMAL_YAML.replace("work: 30min", "work: {dist: lognormal, mean: 30min, sd: 15min}")
    text += "seed: 5\nreplications: 6\n"
    mean = simulate(load_scenario(write(text)), 6).document["metrics"]["all"]["resolution_time"]["mean"]
    limit = round((mean["value"] + mean["ci"][0]) / 2, 3)
    assert mean["ci"][0] < limit < mean["value"]
    path = write(text + f"targets:\n  resolution_time: {{mean: {limit}}}\n")
    result = cli("check", path, "--format", "json")
    assert result.code == EXIT_OK, result.out
    row = json.loads(result.out)["files"][0]["targets"][0]
    assert (row["verdict"], row["leaning"], row["passes"]) == ("too_close", "fail", True)
    assert cli("check", path, "--strict").code == EXIT_CHECK_FAILED
    assert "leans FAIL" in cli("check", path).out


def test_too_close_annotations(cli, borderline_file):
    path, _, (line, col) = borderline_file
    plain_run = cli("check", path, "--format", "github")
    assert plain_run.out.startswith(f"::warning file={path},line={line},col={col}::targets.resolution_time.mean: ")
    strict = cli("check", path, "--format", "github", "--strict")
    assert strict.out.startswith(f"::error file={path},line={line},col={col}::")
    assert strict.code == EXIT_CHECK_FAILED


def test_a_pass_with_single_point_intervals_is_not_too_close(cli, passing):
    path, _ = passing
    assert cli("check", path, "-r", "3", "--strict").code == EXIT_OK


# ------------------------------------------------------------------ --format github


def test_github_annotation_at_the_line_and_column_of_a_by_kind_limit(cli, write):
    text = with_targets(f"targets:\n  by_kind:\n    rapid_response:\n      resolution_time: {{p90: 2h}}\n"
                        f"      response_time: {{p50: {FAIL_LIMIT}min, p90: {PASS_LIMIT}min}}\n")
    path = write(text)
    result = cli("check", path, "-r", "2", "--format", "github")
    assert result.code == EXIT_CHECK_FAILED
    line, col = where(text, f"{FAIL_LIMIT}min")
    annotations = [a for a in result.out.splitlines() if a.startswith("::")]
    assert annotations == [
        f"::error file={path},line={line},col={col}::targets.by_kind.rapid_response.response_time.p50: "
        f"Rapid response: Response time p50 ≤ {FAIL_LIMIT}.0 min: FAIL — value {EXPECTED_RESPONSE:.1f} min, "
        f"0.0%25 within the limit, margin {FAIL_LIMIT - EXPECTED_RESPONSE:.1f} min"]
    assert f"{path}: 1 of 3 targets did not pass" in result.out   # a plain line for the log


def test_github_annotation_names_the_base_file_that_holds_the_target(cli, write, tmp_path, monkeypatch):
    # As in CI: run from the repository's root, with paths relative to it (what GitHub expects).
    monkeypatch.chdir(tmp_path)
    base_text = with_targets(f"targets:\n  response_time: {{p90: {FAIL_LIMIT}min}}\n")
    write(base_text, "base.yaml")
    plan_text = "version: 1\nextends: ../base.yaml\nname: plan B\ntargets:\n  resolution_time: {mean: 10min}\n"
    write(plan_text, "plans/plan.yaml")
    result = cli("check", "plans/plan.yaml", "-r", "2", "--format", "github")
    assert result.code == EXIT_CHECK_FAILED, result.err
    line, col = where(base_text, f"{FAIL_LIMIT}min")
    annotations = [a for a in result.out.splitlines() if a.startswith("::")]
    assert len(annotations) == 2
    assert annotations[0].startswith(f"::error file=base.yaml,line={line},col={col}::targets.response_time.p90: ")
    line, col = where(plan_text, "10min")
    assert annotations[1].startswith(f"::error file=plans/plan.yaml,line={line},col={col}::targets.resolution_time.mean: ")


def test_github_escapes_the_file_name(cli, write, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(with_targets(f"targets:\n  response_time: {{p90: {FAIL_LIMIT}min}}\n"), "a,b:c%.yaml")
    result = cli("check", "a,b:c%.yaml", "-r", "2", "--format", "github")
    assert result.out.startswith("::error file=a%2Cb%3Ac%25.yaml,line=")


def test_the_table_prints_what_the_user_wrote_as_plain_text(cli, write):
    text = with_targets(f"targets:\n  response_time: {{p90: {PASS_LIMIT}min}}\n").replace(
        "name: minimal", 'name: "[bold]Kaliwates[/x] \\e[31m"')
    result = cli("check", write(text), "-r", "2")
    assert result.code == EXIT_OK, result.err
    assert "[bold]Kaliwates[/x] \\x1b[31m" in result.out
    assert "\x1b" not in result.out


# ------------------------------------------------------------------ several files, json, languages


def test_several_files_one_failing(cli, passing, failing):
    (good, _), (bad, _) = passing, failing
    result = cli("check", good, bad, "-r", "2")
    assert result.code == EXIT_CHECK_FAILED
    assert f"{good}: all 2 targets passed" in result.out
    assert f"{bad}: 1 of 2 targets did not pass" in result.out
    assert "check failed: 1 of 2 file(s)" in result.out
    assert cli("check", good, good, "-r", "2").out.count("all 2 targets passed") == 1   # each file once


def test_json_is_one_document_for_all_files(cli, passing, failing):
    (good, _), (bad, bad_text) = passing, failing
    result = cli("check", good, bad, "-r", "2", "--format", "json")
    assert result.code == EXIT_CHECK_FAILED
    doc = json.loads(result.out)
    assert (doc["verdict"], doc["strict"], doc["allow_no_targets"]) == ("fail", False, False)
    assert [(f["file"], f["verdict"]) for f in doc["files"]] == [(str(good), "pass"), (str(bad), "fail")]
    entry = doc["files"][1]
    assert (entry["scenario"], entry["replications"], entry["seed"]) == ("minimal", 2, 3)
    assert entry["counts"] == {"pass": 1, "too_close": 0, "fail": 1, "untested": 0}
    row = entry["targets"][1]
    line, col = where(bad_text, f"{FAIL_LIMIT}min")
    assert {k: row[k] for k in ("target", "file", "line", "col", "kind", "metric", "stat", "limit", "verdict",
                                "result", "passes")} == {
        "target": "targets.response_time.p90", "file": str(bad), "line": line, "col": col, "kind": None,
        "metric": "response_time", "stat": "p90", "limit": FAIL_LIMIT, "verdict": "fail", "result": "fail",
        "passes": False}
    assert row["value"] == pytest.approx(EXPECTED_RESPONSE, abs=1e-6)
    assert row["margin"] == pytest.approx(FAIL_LIMIT - EXPECTED_RESPONSE, abs=1e-6)
    assert entry["targets"][0]["value"] == pytest.approx(EXPECTED_RESPONSE + WORK, abs=1e-6)


def test_indonesian_labels(cli, failing):
    path, _ = failing
    result = cli("check", path, "-r", "2", "--lang", "id")
    assert result.code == EXIT_CHECK_FAILED
    for label in ("Pemeriksaan", "Sasaran", "Batas", "Selisih", "GAGAL",
                  "LULUS", "1 dari 2 sasaran tidak tercapai", "pemeriksaan gagal: 1 dari 1 berkas"):
        assert label in result.out, label
    for english in ("PASS", "FAIL", "Margin", "targets did not pass", "check failed"):
        assert english not in result.out, english


# ------------------------------------------------------------------ bad input


def test_a_bad_file_exits_2_and_runs_nothing(cli, passing, write):
    good, _ = passing
    bad = write(MINIMAL_YAML.replace("crew: 4", "crew: 0"), "bad.yaml")
    result = cli("check", good, bad, "--format", "json")
    assert result.code == EXIT_BAD_INPUT
    assert result.out == ""
    assert f"{bad}:9:" in result.err and "crew" in result.err
    assert "1 of 2 file(s) invalid: nothing was run" in result.err
    github = cli("check", good, bad, "--format", "github")
    assert github.code == EXIT_BAD_INPUT
    assert github.out.startswith(f"::error file={bad},line=9,")


@pytest.mark.parametrize("args, words", [
    (["missing.yaml"], ["missing.yaml", "file not found"]),
    (["-r", "0"], ["--replications"]),
    (["--format", "xml"], ["xml"]),
    (["--lang", "fr"], ["fr"]),
])
def test_bad_input_exits_2_without_a_traceback(cli, passing, args, words):
    path, _ = passing
    result = cli("check", *(args if args[0] == "missing.yaml" else [path, *args]))
    assert result.code == EXIT_BAD_INPUT
    for word in words:
        assert word in result.err
    assert "Traceback" not in result.err


def test_console_script_exit_codes(passing, failing, tmp_path):
    # The console script of this Python's environment (CI's .venv), not whichever is first on PATH.
    script = Path(sys.executable).parent / "sispam-sim"
    command = [str(script)] if script.exists() else [sys.executable, "-m", "sispam_sim"]
    for (path, _), code in ((passing, EXIT_OK), (failing, EXIT_CHECK_FAILED)):
        proc = subprocess.run([*command, "check", str(path), "-r", "2", "--format", "github"],
                              capture_output=True, text=True, timeout=120)
        assert proc.returncode == code, proc.stderr
        assert "Traceback" not in proc.stderr


# ------------------------------------------------------------------ run's options (sispam_sim/cli/common.py)


def test_replications_auto_stops_at_the_precision_asked(cli, borderline_file):
    path, _, _ = borderline_file
    result = cli("check", path, "-r", "auto", "--precision", "20%", "--max-replications", "50", "--format", "json",
                 "--quiet")
    assert result.code in (EXIT_OK, EXIT_CHECK_FAILED), result.err
    entry = json.loads(result.out)["files"][0]
    assert 2 <= entry["replications"] <= 50


def test_jobs_do_not_change_the_verdicts(cli, failing):
    path, _ = failing
    one, two = (json.loads(cli("check", path, "-r", "4", "--jobs", jobs, "--format", "json", "--quiet").out)
                for jobs in ("1", "2"))
    assert [f["targets"] for f in one["files"]] == [f["targets"] for f in two["files"]]


def test_precision_without_auto_is_bad_usage(cli, passing):
    path, _ = passing
    result = cli("check", path, "--precision", "5%")
    assert result.code == EXIT_BAD_INPUT
    assert "--precision goes with --replications auto" in result.err
