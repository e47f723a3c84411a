"""A crowd's ``negotiation`` (format 1.1) as the user writes it: the version it needs, its rules and
its capability references, each located (file, line, column, key path), and what the kind tells the
engine (its need slots) and the planner (feasibility, offered load)."""

from __future__ import annotations

import json

import pytest

from sispam_sim.scenario import kinds
from sispam_sim.scenario.versions import SINCE

#: Line 20 is ``negotiation:``; 21 its needs, 22 ``for``, 23 ``success``.
TEXT = """\
version: 1.1
name: talks
clock: {start: "2024-11-27 06:00", duration: 12h}
map:
  places:
    kpu: {lat: -8.1725, lon: 113.6995}
forces:
  types:
    dalmas: {crew: 30, speed_kmh: 35, capabilities: [crowd_control]}
    nego: {crew: 4, speed_kmh: 40, capabilities: [negotiation]}
  units:
    - {id: d, type: dalmas, count: 2, base: kpu}
    - {id: n, type: nego, base: kpu}
incidents:
  - kind: crowd_buildup
    at: "08:00"
    where: {place: kpu}
    crowd: {initial: 100, growth: 20/min, peak: 500, lasts: 1h}
    per_officer: 10
    negotiation:
      needs: {negotiation: 4}
      for: 30min
      success: 0.4
"""


def _text(*replacements: tuple[str, str]) -> str:
    text = TEXT
    for old, new in replacements:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    return text


def _problems(cli, write, tmp_path, monkeypatch, text: str):
    monkeypatch.chdir(tmp_path)
    write(text, "s.yaml")
    result = cli("validate", "s.yaml", "--format", "json")
    return result.code, json.loads(result.out)


def test_a_negotiation_is_valid_in_a_version_1_1_file(cli, write, tmp_path, monkeypatch):
    code, problems = _problems(cli, write, tmp_path, monkeypatch, TEXT)
    assert code == 0, problems
    assert [p for p in problems if p["severity"] != "info"] == []


def test_a_negotiation_in_a_version_1_file_is_located_and_names_the_version(cli, write, tmp_path, monkeypatch):
    code, problems = _problems(cli, write, tmp_path, monkeypatch, _text(("version: 1.1", "version: 1")))
    assert code == 2
    (problem,) = [p for p in problems if p["severity"] == "error"]
    assert problem["path"] == "incidents[0].negotiation" and problem["line"] in (20, 21)
    assert "version: 1.1" in problem["message"]


@pytest.mark.parametrize("old, new, path, line, word", [
    ("needs: {negotiation: 4}", "needs: {negotation: 4}", "incidents[0].negotiation.needs.negotation", 21,
     'did you mean "negotiation"'),
    ("success: 0.4", "success: 1.5", "incidents[0].negotiation.success", 23, "<= 1"),
    ("success: 0.4", "success: -0.1", "incidents[0].negotiation.success", 23, ">= 0"),
    ("for: 30min", "for: -5min", "incidents[0].negotiation.for", 22, "negative"),
    ("needs: {negotiation: 4}", "needs: {}", "incidents[0].negotiation.needs", 21, "at least 1"),
    ("      success: 0.4\n", "", "incidents[0].negotiation", None, "missing required key \"success\""),
])
def test_each_rule_of_a_negotiation_is_located(cli, write, tmp_path, monkeypatch, old, new, path, line, word):
    code, problems = _problems(cli, write, tmp_path, monkeypatch, _text((old, new)))
    assert code == 2
    (problem,) = [p for p in problems if p["severity"] == "error"]
    assert problem["path"] == path
    if line is not None:
        assert problem["line"] == line
    assert word in problem["message"]


def test_negotiators_need_a_capability_of_their_own(cli, write, tmp_path, monkeypatch):
    code, problems = _problems(cli, write, tmp_path, monkeypatch,
                               _text(("needs: {negotiation: 4}", "needs: {crowd_control: 4}")))
    assert code == 2
    (problem,) = [p for p in problems if p["severity"] == "error"]
    assert problem["path"] == "incidents[0]" and "negotiation.needs.crowd_control" in problem["message"]


def test_more_negotiators_than_the_force_has_is_a_located_warning(cli, write, tmp_path, monkeypatch):
    code, problems = _problems(cli, write, tmp_path, monkeypatch,
                               _text(("needs: {negotiation: 4}", "needs: {negotiation: 9}")))
    assert code == 0
    (problem,) = [p for p in problems if p["severity"] == "warning"]
    assert (problem["path"], problem["line"]) == ("incidents[0].negotiation.needs.negotiation", 21)
    assert "9 negotiation" in problem["message"] and "has 4" in problem["message"]


def test_success_may_be_written_as_a_whole_number(write):
    from sispam_sim.scenario.loader import load_scenario

    for written in ("0", "1"):
        spec = load_scenario(write(_text(("success: 0.4", f"success: {written}")))).spec
        assert spec.incidents[0].negotiation.success == float(written)


def test_the_kind_gives_the_negotiators_slots_after_the_crowd_control(write):
    from sispam_sim.scenario.loader import load_scenario

    text = _text(("needs: {negotiation: 4}", "needs: {negotiation: 4, response: 2}"),
                 ("capabilities: [negotiation]", "capabilities: [negotiation, response]"))
    entry = load_scenario(write(text)).spec.incidents[0]
    kind = kinds.get("crowd_buildup")
    assert kind.slots(entry) == (["crowd_control", "negotiation", "response"], [1, 4, 2])
    rows = [(cap, need, path) for cap, need, path, _ in kind.feasibility(entry)]
    assert rows == [("crowd_control", 50, ("capability",)), ("negotiation", 4, ("negotiation", "needs", "negotiation")),
                    ("response", 2, ("negotiation", "needs", "response"))]
    busy, needs = kind.offered_busy(entry)
    assert needs == {"crowd_control": 50, "negotiation": 4, "response": 2}
    # without negotiation: one slot, as in a version 1 file
    plain = load_scenario(write(_text(("version: 1.1", "version: 1"), ("    negotiation:\n      needs: {negotiation: 4}\n"
                                                                        "      for: 30min\n      success: 0.4\n", "")))
                          ).spec.incidents[0]
    assert kind.slots(plain) == (["crowd_control"], [1])
    assert kind.offered_busy(plain) == (busy, {"crowd_control": 50})


def test_the_json_schema_marks_negotiation_as_format_1_1(cli):
    schema = json.loads(cli("schema").out)
    crowd = next(d for name, d in schema["$defs"].items() if name == "CrowdBuildup")
    assert crowd["properties"]["negotiation"][SINCE] == "1.1"
    talks = schema["$defs"]["Negotiation"]
    assert set(talks["properties"]) == {"needs", "for", "success"}
    assert set(talks["required"]) == {"needs", "for", "success"}
