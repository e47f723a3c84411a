"""Format 1.1 is additive: a file that uses a key it added says ``version: 1.1``; a ``version: 1``
file that uses one is told so at that key (file, line, column, key path), and every version 1
file keeps its meaning (the golden tests hold its results byte for byte)."""

from __future__ import annotations

import json

import pytest

from sispam_sim.scenario.versions import SINCE, keys_newer_than
from tests.conftest import MINIMAL_YAML, variant

TYPE_LINE = "    sabhara: {crew: 4, speed_kmh: 45, capabilities: [response]}\n"
MAX_LEVEL = variant((TYPE_LINE, "    sabhara: {crew: 4, speed_kmh: 45, capabilities: [response], max_level: kuning}\n"))
TIER = variant(("    work: 30min\n", "    work: 30min\n    tier: 3\n"))


def _validate(cli, write, text: str):
    write(text, "s.yaml")
    return cli("validate", "s.yaml", "--format", "json")


@pytest.mark.parametrize("text, line, col, path", [
    (MAX_LEVEL, 9, 76, "forces.types.sabhara.max_level"),
    (TIER, 18, 11, "incidents[0].tier"),
])
def test_a_1_1_key_in_a_version_1_file_is_located_and_names_the_version(cli, write, tmp_path, monkeypatch,
                                                                        text, line, col, path):
    monkeypatch.chdir(tmp_path)
    result = _validate(cli, write, text)
    assert result.code == 2
    (problem,) = [p for p in json.loads(result.out) if p["severity"] == "error"]
    assert (problem["line"], problem["col"], problem["path"]) == (line, col, path)
    assert "version: 1.1" in problem["message"]


@pytest.mark.parametrize("text", [MAX_LEVEL, TIER])
def test_the_same_file_with_version_1_1_is_valid(cli, write, tmp_path, monkeypatch, text):
    monkeypatch.chdir(tmp_path)
    result = _validate(cli, write, text.replace("version: 1\n", "version: 1.1\n", 1))
    assert result.code == 0, result.out


def test_a_version_1_file_without_new_keys_has_none(cli, write, tmp_path, monkeypatch):
    from sispam_sim.scenario.loader import load_scenario

    path = write(MINIMAL_YAML, "s.yaml")
    assert list(keys_newer_than(load_scenario(path).spec, 1)) == []


@pytest.mark.parametrize("written, level", [("hijau", 1), ("kuning", 2), ("merah", 3), ("2", 2)])
def test_max_level_takes_a_name_or_a_number(write, written, level):
    from sispam_sim.scenario.loader import load_scenario

    text = MAX_LEVEL.replace("max_level: kuning", f"max_level: {written}").replace("version: 1\n", "version: 1.1\n")
    assert load_scenario(write(text, "s.yaml")).spec.forces.types["sabhara"].max_level == level


def test_a_max_level_below_the_tier_is_an_empty_band(cli, write, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    text = MAX_LEVEL.replace("max_level: kuning", "max_level: hijau, tier: 2").replace("version: 1\n", "version: 1.1\n")
    result = _validate(cli, write, text)
    assert result.code == 2
    (problem,) = [p for p in json.loads(result.out) if p["path"] == "forces.types.sabhara.max_level"]
    assert problem["severity"] == "error" and "band" in problem["message"]


def test_the_json_schema_marks_the_keys_format_1_1_added(cli):
    result = cli("schema")
    schema = json.loads(result.out)
    text = json.dumps(schema)
    assert text.count(f'"{SINCE}": "1.1"') >= 2
    assert 1.1 in schema["properties"]["version"]["enum"]
