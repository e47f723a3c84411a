"""Input that used to pass, or failed with a misleading message: each now gives a located problem.

Every case asserts the contract of the message, not its whole sentence: ``file:line:col``,
the key path, a keyword saying what is expected, exit code 2 and no traceback. Line numbers
refer to ``conftest.MINIMAL_YAML`` (line 1 ``version: 1``, line 3 ``clock``, line 11 the
``patrol`` group, line 14 the rate, line 17 ``work``). The last sections check the theory
named in ``verify``'s table and the plan named in ``check --format github``.
"""

from __future__ import annotations

import re

import pytest
from rich.console import Console

from conftest import MINIMAL_YAML, variant
from sispam_sim.scenario.quantities import parse_duration, parse_rate

EXIT_BAD_INPUT, EXIT_CHECK_FAILED = 2, 1
LOCATED = re.compile(r"^(?P<file>[^:]+):(?P<line>\d+):(?P<col>\d+): error: (?P<path>[^:]+): (?P<message>.*)$")


@pytest.fixture
def errors(cli, write, tmp_path, monkeypatch):
    """``errors(text, {name: content})`` -> the located error lines of ``validate s.yaml`` (exit 2)."""
    monkeypatch.chdir(tmp_path)

    def _run(content: str, files: dict[str, str] | None = None) -> list[re.Match]:
        write(content, "s.yaml")
        for name, data in (files or {}).items():
            write(data, name)
        result = cli("validate", "s.yaml")
        assert "Traceback" not in result.err + result.out
        assert result.code == EXIT_BAD_INPUT, result.out
        lines = [LOCATED.match(line) for line in result.out.splitlines() if ": error: " in line]
        assert lines and all(lines), result.out
        return lines
    return _run


def at(match: re.Match) -> tuple[str, int, int, str]:
    return match["file"], int(match["line"]), int(match["col"]), match["path"]


# ------------------------------------------------------------------ 1. a column twice in a CSV header

SITES = variant(("map:\n", "map:\n  sites: {file: tps.csv}\n"), ("where: {place: polres}", "where: {sites: any}"))


@pytest.mark.parametrize("header, col", [("id,id,lat,lon,risk", 2), ("id,lat,lon,risk,lat", 5),
                                         ("id,lat,lon,risk,district, district", 6)])
def test_sites_file_with_a_column_twice_is_located_at_the_second(errors, header, col):
    name = header.split(",")[col - 1].strip()
    cells = ",".join({"id": "T1", "lat": "-8.1", "lon": "113.7", "risk": "aman", "district": "x"}[h.strip()]
                     for h in header.split(","))
    (problem,) = errors(SITES, {"tps.csv": f"{header}\n{cells}\n"})
    assert at(problem) == ("tps.csv", 1, col, "map.sites.file")
    assert f'column "{name}" appears twice' in problem["message"]


def test_travel_matrix_with_a_place_id_twice_in_its_header_is_located_too(errors):
    text = variant(("map:\n", "map:\n  travel: {matrix: tt.csv}\n"))
    (problem,) = errors(text, {"tt.csv": "from,polres,polres\npolres,0,0\n"})
    assert at(problem) == ("tt.csv", 1, 3, "map.travel.matrix")
    assert '"polres" appears twice' in problem["message"]


# ------------------------------------------------------------------ 2. version: 1.0

@pytest.mark.parametrize("written, keyword", [("1.0", "write 1"), ("true", "a boolean"),
                                              ("2.0", "version must be 1"), ("1.2", "version must be 1")])
def test_version_written_as_a_float_or_boolean_is_refused_at_the_version(errors, written, keyword):
    (problem,) = errors(variant(("version: 1\n", f"version: {written}\n")))
    assert at(problem) == ("s.yaml", 1, 10, "version")
    assert keyword in problem["message"]


def test_version_1_0_is_refused_like_a_whole_number_key_written_as_a_float(errors):
    (version,) = errors(variant(("version: 1\n", "version: 1.0\n")))
    (crew,) = errors(variant(("crew: 4,", "crew: 4.0,")))
    assert version["message"].startswith("expected a whole number, found 1.0")
    assert crew["message"] == "expected a whole number, found 4.0"


# ------------------------------------------------------------------ 3. unit ids

UNITS = "    - {id: patrol, type: sabhara, count: 2, base: polres}\n"


def test_the_same_id_written_in_two_groups_is_refused_though_count_makes_other_ids(errors):
    text = variant((UNITS, "    - {id: dalmas-a, type: sabhara, count: 2, base: polres}\n"
                           "    - {id: dalmas-a, type: sabhara, base: polres}\n"))
    (problem,) = errors(text)
    assert at(problem) == ("s.yaml", 12, 12, "forces.units[1].id")
    assert 'duplicate unit id "dalmas-a"' in problem["message"]
    assert "forces.units[0].id, s.yaml:11:12" in problem["message"]   # where the first was written


def test_an_expanded_id_that_clashes_with_a_written_one_names_the_group_that_made_it(errors):
    text = variant((UNITS, "    - {id: patrol, type: sabhara, count: 3, base: polres}\n"
                           "    - {id: patrol-1, type: sabhara, base: polres}\n"))
    (problem,) = errors(text)
    assert at(problem) == ("s.yaml", 12, 12, "forces.units[1].id")
    assert 'duplicate unit id "patrol-1"' in problem["message"]
    assert 'forces.units[0], id "patrol" with count 3, s.yaml:11:12' in problem["message"]


def test_a_written_id_that_a_later_count_repeats_is_refused_at_the_later_group(errors):
    text = variant((UNITS, "    - {id: patrol-2, type: sabhara, base: polres}\n" + UNITS))
    (problem,) = errors(text)
    assert at(problem) == ("s.yaml", 12, 12, "forces.units[1].id")
    assert 'duplicate unit id "patrol-2"' in problem["message"] and "s.yaml:11:12" in problem["message"]


# ------------------------------------------------------------------ 4. extends: ""

@pytest.mark.parametrize("written", ['""', "'  '"])
def test_an_empty_extends_says_the_path_is_empty(errors, written):
    (problem,) = errors(f"extends: {written}\n" + MINIMAL_YAML)
    assert at(problem) == ("s.yaml", 1, 10, "extends")
    assert "empty path" in problem["message"] and "found a string" not in problem["message"]


# ------------------------------------------------------------------ 5. exponents and huge durations

@pytest.mark.parametrize("old, new, where, keyword", [
    ("duration: 12h", "duration: 1e308d", ("s.yaml", 3, 46, "clock.duration"), "without an exponent"),
    ("work: 30min", "work: 1e3min", ("s.yaml", 17, 11, "incidents[0].work"), "without an exponent"),
    ("work: 30min", 'work: "2.5E-1h"', ("s.yaml", 17, 11, "incidents[0].work"), "without an exponent"),
    ("rate: 1/h", "rate: 1e3/h", ("s.yaml", 14, 11, "incidents[0].rate"), "without an exponent"),
    ("duration: 12h", "duration: 99999999999999999999d", ("s.yaml", 3, 46, "clock.duration"), "too large"),
    ("work: 30min", "work: 99999999999999999999d", ("s.yaml", 17, 11, "incidents[0].work"), "too large"),
    ("work: 30min", "work: 1.0e+308", ("s.yaml", 17, 11, "incidents[0].work"), "too large"),
])
def test_exponents_and_huge_durations_are_named_as_such(errors, old, new, where, keyword):
    (problem,) = errors(variant((old, new)))
    assert at(problem) == where
    assert keyword in problem["message"] and "unknown time unit" not in problem["message"]


def test_duration_parser_bounds():
    assert parse_duration("36525d") == 36525 * 1440
    assert parse_duration(1e3) == 1000.0                      # a YAML number may use any number form
    for text in ("1e308d", "1e3", "1.5e2min", "2h1e1min"):
        with pytest.raises(ValueError, match="without an exponent"):
            parse_duration(text)
    for text in ("36526d", "99999999999999999999d", "9" * 30):
        with pytest.raises(ValueError, match="too large"):
            parse_duration(text)
    with pytest.raises(ValueError, match="without an exponent"):
        parse_rate("1e3/h")
    with pytest.raises(ValueError, match="unknown time unit 'e'"):   # a unit, not a number form
        parse_duration("5e")


# ------------------------------------------------------------------ 6. generated TPS counted at the count

GENERATE = variant(
    ("map:\n", "map:\n  districts:\n    x: {lat: -8.17, lon: 113.70, radius_km: 2}\n"
               "  sites:\n    generate:\n      - {district: x, count: 200000}\n      - {district: x, count: 50001}\n"),
    ("where: {place: polres}", "where: {sites: any}"))


def test_generated_tps_beyond_the_bound_are_located_at_the_count_that_crosses_it(errors):
    (problem,) = errors(GENERATE)
    assert at(problem) == ("s.yaml", 10, 30, "map.sites.generate[1].count")
    assert "250,001 generated TPS" in problem["message"] and "250,000" in problem["message"]


def test_one_entry_of_250001_tps_is_located_at_its_count(errors):
    (problem,) = errors(GENERATE.replace("count: 200000}", "count: 250001}").replace(
        "      - {district: x, count: 50001}\n", ""))
    assert at(problem) == ("s.yaml", 9, 30, "map.sites.generate[0].count")
    assert "250000" in problem["message"]


def test_generated_tps_are_not_blamed_on_the_sites_file(errors):
    text = GENERATE.replace("  sites:\n", "  sites:\n    file: tps.csv\n")
    (problem,) = errors(text, {"tps.csv": "id,lat,lon,risk\nT1,-8.1,113.7,aman\n"})
    assert at(problem) == ("s.yaml", 11, 30, "map.sites.generate[1].count")


def test_sites_file_rows_beyond_what_generate_leaves_say_how_many_are_generated(errors):
    text = GENERATE.replace("  sites:\n", "  sites:\n    file: tps.csv\n").replace(
        "count: 50001}", "count: 50000}")
    (problem,) = errors(text, {"tps.csv": "id,lat,lon,risk\nT1,-8.1,113.7,aman\n"})
    assert at(problem) == ("tps.csv", 2, 1, "map.sites.file")
    assert "map.sites.generate already makes 250,000 TPS" in problem["message"]


# ------------------------------------------------------------------ 7. verify names the theory

def test_every_verify_case_names_the_theory_it_is_checked_against():
    from sispam_sim.report.i18n import LABELS
    from sispam_sim.verify.reference import CASES, METHODS, verify

    assert {case.kind for case in CASES} <= set(METHODS)
    assert all(key in LABELS[lang] for key in METHODS.values() for lang in ("en", "id"))
    exact = [case for case in CASES if case.kind in ("travel", "tps", "crowd")]
    rows = verify(quick=True, jobs=1, cases=exact)
    assert {row.as_dict()["method"] for row in rows} == {"verify_by_hand"}


def _verify_document():
    from sispam_sim.report.verify import verify_document
    from sispam_sim.verify.reference import METHODS, Row

    rows = [Row("mmc-1", "mmc-1-050.yaml", "verify_wait", "c=1, load 0.50", 10.0, 10.6, 8.1, 13.1, 12, 0.35,
                METHODS["mmc"]),
            Row("priority", "priority-3-080.yaml", "verify_wait", "c=3, load 0.80, priority 1", 3.6, 3.57, 3.17,
                3.97, 12, 0.4, METHODS["priority"]),
            Row("travel", "travel.yaml", "verify_response", "6.104 km", 14.9, 14.9, 14.9, 14.9, 1, 0.0,
                METHODS["travel"])]
    return verify_document(rows, quick=True)


@pytest.mark.parametrize("lang, names", [("en", ["Erlang C", "Cobham", "by hand"]),
                                         ("id", ["Erlang C", "Cobham", "hitungan tangan"])])
def test_verify_table_names_each_theory_within_80_columns(lang, names):
    from sispam_sim.report.verify import render_table

    console = Console(width=80, record=True, color_system=None)
    render_table(_verify_document(), console, lang=lang)
    text = console.export_text()
    rows = [line for line in text.splitlines() if line[:1] in "┏┃┡│└"]
    assert rows and all(len(line) <= 80 for line in rows)
    body = "\n".join(rows)
    for name in names:   # a cell may wrap between words
        assert all(word in body for word in name.split()), name
    assert "Cobham" in text.split("└")[-1]      # the line under the table says what each name means


# ------------------------------------------------------------------ 8. check names the plan it judged

BASE_TARGETS = MINIMAL_YAML + "targets:\n  resolution_time: {mean: 1min}\n"   # work is 30min: always fails


def test_github_annotations_on_a_base_target_name_each_plan_checked(cli, write, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(BASE_TARGETS, "base.yaml")
    for plan in ("a", "b"):
        write(f"version: 1\nextends: ../base.yaml\nname: plan {plan}\n", f"plans/{plan}.yaml")
    result = cli("check", "plans/a.yaml", "plans/b.yaml", "-r", "2", "--format", "github")
    assert result.code == EXIT_CHECK_FAILED, result.err
    assert "Traceback" not in result.err
    annotations = [line for line in result.out.splitlines() if line.startswith("::")]
    assert len(annotations) == 2
    for annotation, plan in zip(annotations, ("plans/a.yaml", "plans/b.yaml")):
        assert annotation.startswith("::error file=base.yaml,line=19,col=27::targets.resolution_time.mean: ")
        assert f"::targets.resolution_time.mean: {plan}: " in annotation
        assert "FAIL" in annotation


def test_a_target_in_the_checked_file_itself_is_not_prefixed(cli, write, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(BASE_TARGETS, "s.yaml")
    result = cli("check", "s.yaml", "-r", "2", "--format", "github")
    (annotation,) = [line for line in result.out.splitlines() if line.startswith("::")]
    assert annotation.startswith("::error file=s.yaml,line=19,col=27::targets.resolution_time.mean: Resolution")


def test_the_table_lines_name_the_plan_too(cli, write, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(BASE_TARGETS, "base.yaml")
    write("version: 1\nextends: ../base.yaml\nname: plan a\n", "plans/a.yaml")
    result = cli("check", "plans/a.yaml", "-r", "2")
    assert result.code == EXIT_CHECK_FAILED
    assert "base.yaml:19:27: error: targets.resolution_time.mean: plans/a.yaml: " in result.out
