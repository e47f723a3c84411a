"""Error paths that no other test asserted: each gives one exact, located message and exit 2.

Every user-facing message of the scenario reader, schema, cross-checks, data files and CLI
is asserted somewhere in tests/ (or by a ``# expect:`` line in scenarios/invalid/); the
cases here complete that list. Scenarios are validated from their own directory, so paths
print as bare names. Line numbers refer to ``conftest.MINIMAL_YAML``:

     1 version: 1                 10   units:
     2 name: minimal              11     - {id: patrol, type: sabhara, count: 2, base: polres}
     3 clock: {start: ...}        12 incidents:
     4 map:                       13   - kind: rapid_response
     5   places:                  14     rate: 1/h
     6     polres: {lat: ...}     15     where: {place: polres}
     7 forces:                    16     needs: {response: 4}
     8   types:                   17     work: 30min
     9     sabhara: {crew: 4, ...}

The last sections check input that must simply work (CRLF, a BOM, spaces in a path) and
``run --replications 1 --lang id`` on every bundled scenario.
"""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import pytest

from conftest import MINIMAL_YAML, variant
from sispam_sim.errors import ScenarioError
from sispam_sim.scenario import yamlio
from sispam_sim.scenario.sites import generate_sites

REPO = Path(__file__).resolve().parents[2]
EXIT_OK, EXIT_BAD_INPUT = 0, 2


@pytest.fixture
def validate(cli, write, tmp_path, monkeypatch):
    """``validate(text_or_bytes, {name: content})`` -> (exit code, printed lines) for ``s.yaml``."""
    monkeypatch.chdir(tmp_path)

    def _run(content, files=None, *args):
        write(content, "s.yaml")
        for name, data in (files or {}).items():
            write(data, name)
        result = cli("validate", "s.yaml", *args)
        assert "Traceback" not in result.err
        return result.code, result.out.splitlines()
    return _run


def fails_with(validate, content, files=None) -> list[str]:
    code, lines = validate(content, files)
    assert code == EXIT_BAD_INPUT
    return lines


# ------------------------------------------------------------------ the YAML reader

def test_tab_indentation_says_to_use_spaces(validate):
    text = variant(("    polres: {lat", "\tpolres: {lat"))
    assert fails_with(validate, text) == [
        "s.yaml:6:1: error: invalid YAML: tab character (YAML allows only spaces for indentation): "
        "replace the tab with spaces"]


def test_tab_after_a_colon_gets_the_same_message(validate):
    assert fails_with(validate, variant(("name: minimal", "name:\tminimal"))) == [
        "s.yaml:2:6: error: invalid YAML: tab character (YAML allows only spaces for indentation): "
        "replace the tab with spaces"]


def test_tab_inside_a_quoted_string_is_fine(validate):
    assert validate(variant(("name: minimal", 'name: "a\tb"'))) == (EXIT_OK, [])


def test_anchor_defined_twice(validate):
    text = variant(("name: minimal", "name: &n minimal\ndescription: &n again"))
    assert fails_with(validate, text) == [
        "s.yaml:3:14: error: anchor &n is defined twice: give each anchor its own name"]


def test_tag_on_the_wrong_kind_of_node(validate):
    assert fails_with(validate, variant(("name: minimal", "name: !!int [1]"))) == [
        "s.yaml:2:7: error: name: tag !!int cannot be used on a list"]


def test_text_larger_than_the_limit():
    with pytest.raises(ScenarioError) as info:
        yamlio.load_document_text("#" * (yamlio.MAX_BYTES + 1))
    assert [p.format() for p in info.value.problems] == ["<string>: error: the text is larger than 10 MiB"]


def test_unreadable_file(validate, monkeypatch):
    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(yamlio, "open", refuse, raising=False)  # root can read a chmod 000 file
    assert fails_with(validate, MINIMAL_YAML) == ["s.yaml: error: cannot read the file: Permission denied"]


def test_too_many_extends_steps(validate):
    files = {f"b{n}.yaml": f"extends: b{n + 1}.yaml\n" for n in range(1, 25)}
    lines = fails_with(validate, "extends: b1.yaml\n", files)
    assert lines == ["b20.yaml:1:10: error: extends: more than 20 extends steps"]


def test_base_file_that_is_not_utf8(validate):
    top = "extends: base.yaml\nname: top\n"
    assert fails_with(validate, top, {"base.yaml": b'version: 1\nname: "\xff"\n'}) == [
        "base.yaml:2:8: error: not valid UTF-8 (byte 0xff at line 2, col 8)"]


# ------------------------------------------------------------------ quantities and schema

def test_rate_with_a_spelled_out_unit(validate):
    assert fails_with(validate, variant(("rate: 1/h", "rate: 6/hour"))) == [
        "s.yaml:14:11: error: incidents[0].rate: unknown time unit 'hour' in '6/hour' (did you mean 'h'?); "
        "units are d, h, min, s"]


def test_empty_rate_profile(validate):
    assert fails_with(validate, variant(("rate: 1/h", "rate: {}"))) == [
        's.yaml:14:11: error: incidents[0].rate: a rate profile needs at least one "HH:MM": rate entry']


def test_rate_zero_all_day_is_a_warning(validate):
    assert validate(variant(("rate: 1/h", "rate: 0/h"))) == (EXIT_OK, [
        "s.yaml:14:11: warning: incidents[0].rate: the rate is 0 all day: this entry never makes an incident"])


def test_duration_field_given_a_list(validate):
    assert fails_with(validate, variant(("work: 30min", "work: [1, 2]"))) == [
        's.yaml:17:11: error: incidents[0].work: expected a duration such as "90s", "15min", "2h", "1h30min", '
        '"1d" or a number of minutes, or a distribution such as {dist: lognormal, mean: 40min, sd: 15min}; '
        "found a list"]


def test_distribution_without_dist(validate):
    assert fails_with(validate, variant(("work: 30min", "work: {mean: 40min}"))) == [
        's.yaml:17:11: error: incidents[0].work: missing required key "dist" '
        "(one of: exponential, lognormal, uniform, triangular, normal)"]


def test_id_longer_than_100_characters(validate):
    assert fails_with(validate, variant(("id: patrol", "id: " + "p" * 101))) == [
        "s.yaml:11:12: error: forces.units[0].id: too long (at most 100 characters)"]


def test_no_incidents(validate):
    text = variant(("incidents:\n", "incidents: []\n"), text=MINIMAL_YAML.split("  - kind:")[0])
    assert fails_with(validate, text) == ["s.yaml:12:12: error: incidents: must not be empty (at least 1 item)"]


SITES = """\
  districts:
    centre: {lat: -8.17, lon: 113.70, radius_km: 2}
  sites:
    generate:
      - {district: centre, count: 1, risk: RISK}
"""


def with_generated_sites(risk: str, where: str = "{sites: any}") -> str:
    return variant(("map:\n", "map:\n" + SITES.replace("RISK", risk)), ("where: {place: polres}", f"where: {where}"))


def test_generated_sites_with_no_risk_share(validate):
    assert fails_with(validate, with_generated_sites("{}")) == [
        "s.yaml:9:44: error: map.sites.generate[0].risk: give at least one risk category with its share, "
        "e.g. {aman: 1.0}"]


# ------------------------------------------------------------------ cross-checks

def test_unknown_district_when_none_is_defined(validate):
    assert fails_with(validate, variant(("where: {place: polres}", "where: {district: centre}"))) == [
        's.yaml:15:23: error: incidents[0].where.district: unknown district "centre"; '
        "map.districts has: none defined"]


# ------------------------------------------------------------------ sites file and travel matrix

WITH_SITES_FILE = variant(("map:\n", "map:\n  sites: {file: tps.csv}\n"), ("where: {place: polres}", "where: {sites: any}"))
WITH_MATRIX = variant(("map:\n", "map:\n  travel: {matrix: tt.csv}\n"))


@pytest.mark.parametrize("csv, expected", [
    ("", "tps.csv:1:1: error: map.sites.file: the sites file is empty: expected a header id,lat,lon,risk[,district]"),
    ("id,lat,lon,risk\nT1,nan,113.7,aman\n",
     "tps.csv:2:1: error: map.sites.file: lat and lon must be finite numbers, found 'nan', '113.7'"),
    ("id,lat,lon,risk\n\nT1,-8.1,113.7,bahaya\n",  # a blank line still counts: the line is the file's own
     "tps.csv:3:1: error: map.sites.file: risk 'bahaya' is not one of aman, rawan, sangat_rawan"),
    ('id,lat,lon,risk\n"' + "x" * 140_000 + '",-8.1,113.7,aman\n',
     "tps.csv:2:1: error: map.sites.file: cannot read the CSV: field larger than field limit (131072)"),
    (b"id,lat,lon,risk\nT\xe9,-8.1,113.7,aman\n",
     "tps.csv:2:2: error: map.sites.file: not valid UTF-8 (byte 0xe9 at line 2, col 2): save the file as UTF-8"),
])
def test_bad_sites_file(validate, csv, expected):
    assert fails_with(validate, WITH_SITES_FILE, {"tps.csv": csv}) == [expected]


@pytest.mark.parametrize("csv, expected", [
    ("from\npolres,0\n", "tt.csv:1:1: error: map.travel.matrix: the header row needs place ids after the first cell"),
    ("from,polres,,kpu\n", "tt.csv:1:3: error: map.travel.matrix: empty place id in the header row"),
    ("from,polres\npolres,0\npolres,0\n", 'tt.csv:3:1: error: map.travel.matrix: row "polres" appears twice'),
    ("from,polres\npolres,0,5\n", "tt.csv:2:3: error: map.travel.matrix: more cells than the 1 place ids of the header"),
    (b"from,polres\npolres,0\n# caf\xe9\n",
     "tt.csv:3:6: error: map.travel.matrix: not valid UTF-8 (byte 0xe9 at line 3, col 6): save the file as UTF-8"),
])
def test_bad_matrix_file(validate, csv, expected):
    assert fails_with(validate, WITH_MATRIX, {"tt.csv": csv}) == [expected]


# ------------------------------------------------------------------ the command line

def test_file_named_twice_is_checked_once(cli, write, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(variant(("crew: 4,", "crew: 0,")), "s.yaml")
    result = cli("validate", "s.yaml", "./s.yaml", tmp_path / "s.yaml")
    assert result.code == EXIT_BAD_INPUT
    assert result.out.splitlines() == ["s.yaml:9:21: error: forces.types.sabhara.crew: must be > 0, found 0"]
    assert result.err == "1 file(s) checked: invalid (1 error(s), 0 warning(s)) in 1 file(s)\n"


def test_out_with_a_directory_where_a_file_goes_stops_before_the_run(cli, write, tmp_path):
    out = tmp_path / "out"
    (out / "results.json").mkdir(parents=True)
    result = cli("run", write(MINIMAL_YAML), "-r", "1", "--out", out)
    assert result.code == EXIT_BAD_INPUT
    assert result.err == f"sispam-sim: error: --out: cannot write results.json: {out / 'results.json'} is a directory\n"
    assert sorted(p.name for p in out.iterdir()) == ["results.json"]


def _seeds_by_risk(count: int = 40) -> dict[str, int]:
    """A seed whose one generated site is ``aman`` and one where it is ``rawan``."""
    districts = {"centre": SimpleNamespace(lat=-8.17, lon=113.70, radius_km=2)}
    entry = SimpleNamespace(district="centre", count=1, risk={"aman": 0.5, "rawan": 0.5})
    found: dict[str, int] = {}
    for seed in range(1, count):
        found.setdefault(generate_sites(seed, [entry], districts)[0].risk, seed)
    assert set(found) == {"aman", "rawan"}
    return found


def test_run_seed_checks_the_sites_that_seed_generates(cli, write, tmp_path, monkeypatch):
    # Valid under the file's seed; under --seed the one site is aman, so where.sites selects none.
    seeds = _seeds_by_risk()
    text = with_generated_sites("{aman: 0.5, rawan: 0.5}", "{sites: {risk: rawan}}")
    text = variant(("name: minimal", f"name: minimal\nseed: {seeds['rawan']}"), text=text)
    monkeypatch.chdir(tmp_path)
    write(text, "s.yaml")
    assert cli("validate", "s.yaml").code == EXIT_OK
    result = cli("run", "s.yaml", "-r", "1", "--seed", str(seeds["aman"]))
    assert result.code == EXIT_BAD_INPUT
    assert result.err == "s.yaml:21:20: error: incidents[0].where.sites: selects no site: no site has risk rawan\n"


# ------------------------------------------------------------------ input that must simply work

def test_crlf_line_endings_keep_line_numbers(validate):
    assert validate(MINIMAL_YAML.replace("\n", "\r\n").encode()) == (EXIT_OK, [])
    bad = variant(("crew: 4,", "crew: 0,")).replace("\n", "\r\n").encode()
    assert fails_with(validate, bad) == ["s.yaml:9:21: error: forces.types.sabhara.crew: must be > 0, found 0"]


def test_utf8_bom_does_not_shift_columns(validate):
    assert validate(b"\xef\xbb\xbf" + MINIMAL_YAML.encode()) == (EXIT_OK, [])
    bad = b"\xef\xbb\xbf" + variant(("version: 1", "version: 2")).encode()
    assert fails_with(validate, bad) == [
        "s.yaml:1:10: error: version: version must be 1 or 1.1 (the scenario formats this sispam-sim reads), found 2"]


def test_path_with_spaces(cli, write, tmp_path):
    path = write(MINIMAL_YAML, "my drills/day one.yaml")
    assert cli("validate", path).code == EXIT_OK
    out = tmp_path / "my results"
    result = cli("run", path, "-r", "1", "--out", out, "--format", "json")
    assert result.code == EXIT_OK
    assert (out / json.loads(result.out)["scenario"]["file"]).resolve() == path.resolve()   # relative to --out
    assert (out / "results.json").is_file()


BUNDLED = sorted((REPO / "scenarios").glob("*.yaml")) + sorted((REPO / "scenarios" / "plans").glob("*.yaml"))


@pytest.mark.parametrize("path", BUNDLED, ids=[p.stem for p in BUNDLED])
def test_one_replication_in_indonesian(cli, path):
    result = cli("run", path, "--replications", "1", "--lang", "id")
    assert result.code == EXIT_OK
    assert "Hasil simulasi" in result.out and "Replikasi: 1" in result.out
    assert "Simulation results" not in result.out
