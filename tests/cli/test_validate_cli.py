"""``sispam-sim validate`` and ``schema``: exit codes, output formats, hostile files, no tracebacks."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

from conftest import MINIMAL_YAML, minimal_scenario
from sispam_sim import __version__

WARN_YAML = MINIMAL_YAML.replace("rate: 1/h", "rate: 1.8/h").replace("work: 30min", "work: 1h")
WARNING = "response: offered load 7.2 of 8 personnel (90%) — expect queues"
BAD_YAML = MINIMAL_YAML.replace("crew: 4", "crew: 0")
EXIT_OK, EXIT_BAD_INPUT = 0, 2
#: The run size validate prints for MINIMAL_YAML (1/h over 12h, 100 replications by default).
SIZE = ("run size: about 12.0 incidents per replication (expected) x 100 replications = 1,200 incidents "
        "(under 1 s on one core at 0.5 ms per incident)")


def info(path) -> str:
    return f"{path}: info: {SIZE}\n"


@pytest.fixture
def files(write):
    """ok.yaml (valid, no warning), warn.yaml (one load warning), bad.yaml (crew 0)."""
    return {"ok": write(MINIMAL_YAML, "ok.yaml"), "warn": write(WARN_YAML, "warn.yaml"),
            "bad": write(BAD_YAML, "bad.yaml")}


# ------------------------------------------------------------------ exit codes and text output

def test_valid_file_exits_0(cli, files):
    result = cli("validate", files["ok"])
    assert (result.code, result.out) == (EXIT_OK, "")
    assert result.err == info(files["ok"]) + "1 file(s) checked: valid (0 error(s), 0 warning(s))\n"


def test_warnings_alone_exit_0(cli, files):
    result = cli("validate", files["warn"])
    assert result.code == EXIT_OK
    assert result.out == f"{files['warn']}:13:3: warning: incidents: {WARNING}\n"
    assert result.err == (info(files["warn"]).replace("12.0", "21.6").replace("1,200", "2,160").replace("under 1 s", "1 s")
                          + "1 file(s) checked: valid (0 error(s), 1 warning(s))\n")


def test_strict_makes_warnings_fail(cli, files):
    result = cli("validate", "--strict", files["warn"])
    assert result.code == EXIT_BAD_INPUT
    assert result.out == f"{files['warn']}:13:3: warning: incidents: {WARNING}\n"
    assert result.err.endswith("1 file(s) checked: invalid (0 error(s), 1 warning(s), warnings fail with --strict)\n")


def test_strict_valid_file_still_exits_0(cli, files):
    assert cli("validate", "--strict", files["ok"]).code == EXIT_OK


def test_invalid_file_exits_2(cli, files):
    result = cli("validate", files["bad"])
    assert result.code == EXIT_BAD_INPUT
    assert result.out == f"{files['bad']}:9:21: error: forces.types.sabhara.crew: must be > 0, found 0\n"
    assert result.err == "1 file(s) checked: invalid (1 error(s), 0 warning(s)) in 1 file(s)\n"


def test_several_files_report_every_problem_in_order(cli, files, tmp_path):
    missing = tmp_path / "missing.yaml"
    result = cli("validate", files["bad"], files["ok"], missing, files["warn"])
    assert result.code == EXIT_BAD_INPUT
    assert result.out.splitlines() == [
        f"{files['bad']}:9:21: error: forces.types.sabhara.crew: must be > 0, found 0",
        f"{missing}: error: file not found",
        f"{files['warn']}:13:3: warning: incidents: {WARNING}",
    ]
    assert result.err.splitlines()[-1] == "4 file(s) checked: invalid (2 error(s), 1 warning(s)) in 2 file(s)"
    assert [line.split(": info:")[0] for line in result.err.splitlines()[:-1]] == [str(files["ok"]), str(files["warn"])]


# ------------------------------------------------------------------ machine-readable formats

def test_json_format(cli, files):
    result = cli("validate", "--format", "json", files["bad"], files["warn"])
    assert result.code == EXIT_BAD_INPUT
    assert result.err == ""
    printed = json.loads(result.out)
    assert printed[:2] == [
        {"file": str(files["bad"]), "line": 9, "col": 21, "path": "forces.types.sabhara.crew",
         "severity": "error", "message": "must be > 0, found 0"},
        {"file": str(files["warn"]), "line": 13, "col": 3, "path": "incidents",
         "severity": "warning", "message": WARNING},
    ]
    assert [(p["file"], p["severity"]) for p in printed[2:]] == [(str(files["warn"]), "info")]


def test_json_format_valid_file_has_only_its_run_size(cli, files):
    result = cli("validate", "-f", "json", files["ok"])
    assert (result.code, json.loads(result.out)) == (EXIT_OK, [
        {"file": str(files["ok"]), "line": None, "col": None, "path": "", "severity": "info", "message": SIZE,
         "run_size": {"incidents_per_replication": 12.0, "replications": 100, "incidents_total": 1200.0,
                      "seconds_estimate": 0.6, "seconds_per_incident": 0.0005}}])


def test_json_format_unlocated_problem_has_null_line(cli, tmp_path):
    result = cli("validate", "--format", "json", tmp_path / "missing.yaml")
    assert json.loads(result.out) == [{"file": str(tmp_path / "missing.yaml"), "line": None, "col": None,
                                       "path": "", "severity": "error", "message": "file not found"}]


def test_github_format(cli, files):
    result = cli("validate", "--format", "github", files["bad"], files["warn"])
    assert result.code == EXIT_BAD_INPUT
    assert result.out.splitlines() == [
        f"::error file={files['bad']},line=9,col=21::forces.types.sabhara.crew: must be > 0, found 0",
        f"::warning file={files['warn']},line=13,col=3::incidents: "
        "response: offered load 7.2 of 8 personnel (90%25) — expect queues",
    ]


def test_github_format_escapes_the_file_property(cli, tmp_path):
    odd = tmp_path / "a,b:c.yaml"
    result = cli("validate", "--format", "github", odd)
    escaped = str(odd).replace(":", "%3A").replace(",", "%2C")
    assert result.out == f"::error file={escaped}::file not found\n"


# ------------------------------------------------------------------ hostile and broken files

def _laughs() -> str:
    lines = ["a: &a [1, 1, 1, 1, 1, 1, 1, 1, 1]"]
    for prev, name in zip("abcdefgh", "bcdefghi"):
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 9) + "]")
    return "\n".join(lines) + "\n"


HOSTILE = {
    "empty": (b"", "{f}: error: the file is empty: expected a scenario mapping (version: 1, name: ...)"),
    "comments-only": (b"# nothing here\n",
                      "{f}: error: the file is empty: expected a scenario mapping (version: 1, name: ...)"),
    "bare-string": (b"just a string\n", "{f}:1:1: error: expected a mapping at the top level, found a string"),
    "list": (b"- version: 1\n", "{f}:1:1: error: expected a mapping at the top level, found a list"),
    "non-utf8": (b'version: 1\nname: "\xff"\n', "{f}:2:8: error: not valid UTF-8 (byte 0xff at line 2, col 8)"),
    "python-tag": (b'version: 1\nname: !!python/object/apply:os.system ["echo pwned"]\n',
                   "{f}:2:7: error: name: tag !!python/object/apply:os.system is not allowed "
                   "(only plain YAML: mappings, lists, strings, numbers, booleans)"),
    "billion-laughs": (_laughs().encode(),
                       "{f}:6:20: error: document expands to more than 200,000 nodes through aliases (alias bomb?)"),
    "deep-flow": (("x: " + "[" * 10_000 + "]" * 10_000 + "\n").encode(),
                  "{f}:1:68: error: nesting deeper than 64 levels"),
    "deep-mapping": (("x: " + "{a: " * 10_000 + "1" + "}" * 10_000 + "\n").encode(),
                     "{f}:1:256: error: nesting deeper than 64 levels"),
    "deep-block": (("x:\n  " + "- " * 10_000 + "1\n").encode(), "{f}:2:129: error: nesting deeper than 64 levels"),
    "bad-yaml": (b"version: 1\nname: [unclosed\n",
                 "{f}:3:1: error: invalid YAML: expected ',' or ']', but got '<stream end>' "
                 "(while parsing a flow sequence at line 2)"),
    "duplicate-key": (MINIMAL_YAML.replace("name: minimal", "name: minimal\nname: again").encode(),
                      '{f}:3:1: error: name: duplicate key "name" (first defined at line 2)'),
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_file_gives_one_located_message(cli, write, name):
    content, expected = HOSTILE[name]
    path = write(content, f"{name}.yaml")
    result = cli("validate", path)
    assert result.code == EXIT_BAD_INPUT
    assert result.out.splitlines() == [expected.format(f=path)]
    assert "Traceback" not in result.err


def test_missing_file(cli, tmp_path):
    result = cli("validate", tmp_path / "nope.yaml")
    assert result.code == EXIT_BAD_INPUT
    assert result.out == f"{tmp_path / 'nope.yaml'}: error: file not found\n"


def test_directory(cli, tmp_path):
    (tmp_path / "dir.yaml").mkdir()
    result = cli("validate", tmp_path / "dir.yaml")
    assert result.code == EXIT_BAD_INPUT
    assert result.out == f"{tmp_path / 'dir.yaml'}: error: is a directory, expected a YAML file\n"


# ------------------------------------------------------------------ the real console script

def _script() -> list[str]:
    found = shutil.which("sispam-sim")
    return [found] if found else [sys.executable, "-m", "sispam_sim"]


def test_console_script_exit_codes_and_no_traceback(files, tmp_path):
    laughs = tmp_path / "laughs.yaml"
    laughs.write_text(_laughs())
    ok = subprocess.run([*_script(), "validate", str(files["ok"])], capture_output=True, text=True, timeout=60)
    assert (ok.returncode, ok.stdout) == (EXIT_OK, "")
    bad = subprocess.run([*_script(), "validate", str(files["bad"]), str(laughs), str(tmp_path / "missing.yaml")],
                         capture_output=True, text=True, timeout=60)
    assert bad.returncode == EXIT_BAD_INPUT
    assert bad.stdout.splitlines() == [
        f"{files['bad']}:9:21: error: forces.types.sabhara.crew: must be > 0, found 0",
        f"{laughs}:6:20: error: document expands to more than 200,000 nodes through aliases (alias bomb?)",
        f"{tmp_path / 'missing.yaml'}: error: file not found",
    ]
    assert "Traceback" not in bad.stderr


def test_console_script_usage_error_has_no_traceback():
    result = subprocess.run([*_script(), "frobnicate"], capture_output=True, text=True, timeout=60)
    assert "Traceback" not in result.stderr
    assert result.returncode == EXIT_BAD_INPUT


# ------------------------------------------------------------------ version, help, usage errors

def test_version(cli):
    result = cli("--version")
    assert (result.code, result.out) == (EXIT_OK, f"sispam-sim {__version__}\n")


def test_help_lists_the_commands(cli):
    result = cli("--help")
    assert result.code == EXIT_OK
    assert "Usage: sispam-sim" in result.out
    for command in ("validate", "schema"):
        assert command in result.out


def test_validate_help_documents_the_formats(cli):
    result = cli("validate", "--help")
    assert result.code == EXIT_OK
    for word in ("--strict", "--format", "json", "github"):
        assert word in result.out


USAGE_BUG = ("typer 0.29 (installed) vendors click as typer._click: app.main catches click.exceptions.UsageError, "
             "so usage errors escape the error boundary as a traceback")


def test_no_arguments_shows_help(cli):
    result = cli()
    assert result.code in (EXIT_OK, EXIT_BAD_INPUT)
    assert "Usage: sispam-sim" in result.out + result.err
    assert "validate" in result.out + result.err


def test_unknown_command_exits_2(cli):
    result = cli("frobnicate")
    assert result.code == EXIT_BAD_INPUT
    assert "No such command 'frobnicate'" in result.err


def test_validate_without_files_exits_2(cli):
    result = cli("validate")
    assert result.code == EXIT_BAD_INPUT
    assert "Missing" in result.err


def test_unknown_format_exits_2(cli, files):
    result = cli("validate", "--format", "xml", files["ok"])
    assert result.code == EXIT_BAD_INPUT
    assert "xml" in result.err


# ------------------------------------------------------------------ schema

@pytest.fixture
def schema(cli) -> dict:
    result = cli("schema")
    assert result.code == EXIT_OK
    return json.loads(result.out)


def test_schema_is_valid_json_schema(schema):
    jsonschema = pytest.importorskip("jsonschema")
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert {"version", "name", "clock", "map", "forces", "incidents"} <= set(schema["else"]["required"])
    assert schema["if"] == {"required": ["extends"]}  # a plan that extends a base is partial on its own


def test_minimal_scenario_validates_against_the_schema(schema):
    jsonschema = pytest.importorskip("jsonschema")
    validator = jsonschema.Draft202012Validator(schema)
    assert list(validator.iter_errors(minimal_scenario())) == []
    full = minimal_scenario()
    full["extends"] = "base.yaml"
    full["incidents"][0]["work"] = {"dist": "lognormal", "mean": "40min", "sd": "15min"}
    full["incidents"][0]["rate"] = {"06:00": "2/h", "13:00": "10/h"}
    full["dispatch"] = {"policy": "nearest", "tiers": "open"}
    full["targets"] = {"response_time": {"p90": "15min"}, "max_level": {"max": 2}}
    assert list(validator.iter_errors(full)) == []


@pytest.mark.parametrize("mutate, expected", [
    (lambda d: d["forces"]["types"]["sabhara"].update(sped_kmh=4),
     "Additional properties are not allowed ('sped_kmh' was unexpected)"),
    (lambda d: d.update(incidnts=[]), "Additional properties are not allowed ('incidnts' was unexpected)"),
])
def test_typo_fails_the_schema(schema, mutate, expected):
    jsonschema = pytest.importorskip("jsonschema")
    data = minimal_scenario()
    mutate(data)
    assert [e.message for e in jsonschema.Draft202012Validator(schema).iter_errors(data)] == [expected]


@pytest.mark.parametrize("field, value", [
    ("work", "15m"), ("work", "-5min"), ("rate", "6"), ("rate", "6/x"),
])
def test_schema_patterns_reject_bad_quantities(schema, field, value):
    jsonschema = pytest.importorskip("jsonschema")
    data = minimal_scenario()
    data["incidents"][0][field] = value
    assert list(jsonschema.Draft202012Validator(schema).iter_errors(data)) != []


def test_module_entry_point(files):
    result = subprocess.run([sys.executable, "-m", "sispam_sim", "validate", str(files["ok"])],
                            capture_output=True, text=True, timeout=60, env={**os.environ})
    assert result.returncode == EXIT_OK, result.stderr
