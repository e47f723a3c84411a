"""No input crashes, hangs or lies (issue 6, part 4): each case gives one exact, located
message and exit 2 (or a warning where the input is legal but unwise), with no traceback,
in bounded time: every bound is checked before anything is materialised.

Line numbers refer to ``conftest.MINIMAL_YAML`` (see tests/unit/test_error_paths.py).
"""

from __future__ import annotations

import json
import time

import pytest

from conftest import MINIMAL_YAML, variant
from sispam_sim.scenario.loader import load_scenario

EXIT_OK, EXIT_BAD_INPUT = 0, 2


@pytest.fixture
def validate(cli, write, tmp_path, monkeypatch):
    """``validate(text, {name: content}, *args)`` -> (exit code, stdout lines, stderr), run from ``tmp_path``."""
    monkeypatch.chdir(tmp_path)

    def _run(content, files=None, *args, seconds: float = 5.0):
        write(content, "s.yaml")
        for name, data in (files or {}).items():
            write(data, name)
        started = time.perf_counter()
        result = cli("validate", "s.yaml", *args)
        assert time.perf_counter() - started < seconds, "the check must fail before materialising the input"
        assert "Traceback" not in result.err
        return result.code, result.out.splitlines(), result.err
    return _run


def fails_with(validate, content, files=None, *args, seconds: float = 5.0) -> list[str]:
    code, lines, _ = validate(content, files, *args, seconds=seconds)
    assert code == EXIT_BAD_INPUT
    return lines


def warns(validate, content) -> list[str]:
    code, lines, _ = validate(content)
    assert code == EXIT_OK
    return lines


# ------------------------------------------------------------------ numbers beyond what the engine can hold

@pytest.mark.parametrize("old, new, expected", [
    ("crew: 4", "crew: 10000000000000000000",
     "s.yaml:9:21: error: forces.types.sabhara.crew: must be <= 10000, found 10000000000000000000"),
    ("work: 30min", "work: 30min\n    priority: 10000000000000000000",
     "s.yaml:18:15: error: incidents[0].priority: must be <= 1000, found 10000000000000000000"),
    ("needs: {response: 4}", "needs: {response: 10000000000000000000}",
     "s.yaml:16:23: error: incidents[0].needs.response: must be <= 1000000, found 10000000000000000000"),
    ("speed_kmh: 45", "speed_kmh: 1.0e-320",
     "s.yaml:9:35: error: forces.types.sabhara.speed_kmh: must be >= 0.001, found 1e-320"),
    ("name: minimal", "name: minimal\nseed: " + "7" * 5000,
     "s.yaml:3:7: error: seed: a number of 5,000 digits is too large (at most 100 digits)"),
    ("name: minimal", f"name: minimal\nseed: {2**63}",
     "s.yaml:3:7: error: seed: must be <= 9223372036854775807, found 9223372036854775808"),
    ("name: minimal", "name: minimal\nreplications: 1000000000",
     "s.yaml:3:15: error: replications: must be <= 100000, found 1000000000"),
    ("duration: 12h", "duration: 10000d",
     "s.yaml:3:46: error: clock.duration: must be at most 7d, found 10000d"),
    ("duration: 12h", "duration: 12h, drain: 8d",
     "s.yaml:3:58: error: clock.drain: must be at most 7d, found 8d"),
    ("work: 30min", "work: " + "9" * 400 + "min",
     "s.yaml:17:11: error: incidents[0].work: duration '9999999999999999999999999999999999999999…' "
     "(403 characters) is too large to hold"),
    ("count: 2,", "count: 100000000,",
     "s.yaml:11:42: error: forces.units[0].count: must be <= 20000, found 100000000"),
])
def test_numbers_too_large(validate, old, new, expected):
    assert fails_with(validate, variant((old, new))) == [expected]


CROWD = variant(("  - kind: rapid_response\n    rate: 1/h\n    where: {place: polres}\n    needs: {response: 4}\n"
                 "    work: 30min\n",
                 '  - kind: crowd_buildup\n    at: "13:00"\n    where: {place: polres}\n'
                 "    crowd: {initial: 10, growth: 1/min, peak: 40, lasts: 1h}\n    per_officer: 10\n"
                 "    capability: response\n    escalation: {below: 0.8, after: 15min, factor: 1.5}\n"))


@pytest.mark.parametrize("old, new, expected", [
    ("factor: 1.5", "factor: 1.0e308",
     "s.yaml:19:52: error: incidents[0].escalation.factor: must be <= 10, found 1e+308"),
    ("per_officer: 10", "per_officer: 1.0e-300",
     "s.yaml:17:18: error: incidents[0].per_officer: must be >= 0.01, found 1e-300"),
    ("peak: 40", "peak: 100000000000",
     "s.yaml:16:47: error: incidents[0].crowd.peak: must be <= 10000000, found 100000000000"),
])
def test_crowd_numbers_too_large(validate, old, new, expected):
    assert validate(CROWD)[0] == EXIT_OK
    assert fails_with(validate, variant((old, new), text=CROWD)) == [expected]


# ------------------------------------------------------------------ sizes that exhaust the machine

GENERATED = variant(
    ("map:\n", "map:\n  districts:\n    a: {lat: -8.17, lon: 113.70, radius_km: 2}\n    b: {lat: -8.2, lon: 113.6, radius_km: 2}\n"
               "  sites:\n    generate:\n      - {district: a, count: 10}\n      - {district: b, count: 10}\n"),
    ("where: {place: polres}", "where: {sites: any}"))


def test_generated_sites_are_counted_before_they_are_placed(validate):
    assert validate(GENERATED)[0] == EXIT_OK
    assert fails_with(validate, GENERATED.replace("count: 10}", "count: 100000000}", 1)) == [
        "s.yaml:10:30: error: map.sites.generate[0].count: must be <= 250000, found 100000000"]
    assert fails_with(validate, GENERATED.replace("count: 10}", "count: 200000}")) == [
        "s.yaml:11:30: error: map.sites.generate[1].count: 400,000 generated TPS (entries 0 to 1): a scenario "
        "holds at most 250,000 TPS"]


def test_units_are_counted_before_they_are_made(validate):
    text = variant(("    - {id: patrol, type: sabhara, count: 2, base: polres}\n",
                    "    - {id: patrol, type: sabhara, count: 15000, base: polres}\n"
                    "    - {id: reserve, type: sabhara, count: 15000, base: polres}\n"))
    assert fails_with(validate, text) == [
        "s.yaml:11:5: error: forces.units: 30,000 units: a scenario holds at most 20,000 units"]


def test_a_mapping_of_250k_keys_is_refused_at_once(validate):
    text = MINIMAL_YAML + "description:\n" + "".join(f"  k{i}: 1\n" for i in range(250_000))
    assert fails_with(validate, text) == [
        "s.yaml:99994:12: error: more than 100,000 lines and commas: too large for a scenario "
        "(each value needs its own line or a comma)"]


def test_a_one_line_mapping_of_250k_keys_is_refused_at_once(validate):
    text = MINIMAL_YAML + "description: {" + ", ".join(f"k{i}: 1" for i in range(250_000)) + "}\n"
    lines = fails_with(validate, text)
    assert len(lines) == 1 and lines[0].startswith("s.yaml:18:")
    assert lines[0].endswith(": error: more than 100,000 lines and commas: too large for a scenario "
                             "(each value needs its own line or a comma)")


SITES_FILE = variant(("map:\n", "map:\n  sites: {file: tps.csv}\n"), ("where: {place: polres}", "where: {sites: any}"))


def test_a_sites_file_of_a_million_rows_stops_at_the_limit(validate):
    rows = "id,lat,lon,risk\n" + "".join(f"T{i},-8.1,113.7,aman\n" for i in range(1_000_000))
    assert fails_with(validate, SITES_FILE, {"tps.csv": rows}) == [
        "tps.csv:250002:1: error: map.sites.file: more than 250,000 TPS rows: a scenario holds at most "
        "250,000 TPS, generated and listed together"]


def test_sites_file_rows_count_with_the_generated_sites(validate):
    text = variant(("  sites: {file: tps.csv}\n",
                    "  districts:\n    a: {lat: -8.17, lon: 113.70, radius_km: 2}\n"
                    "  sites:\n    file: tps.csv\n    generate: [{district: a, count: 249999}]\n"), text=SITES_FILE)
    rows = "id,lat,lon,risk\nT1,-8.1,113.7,aman\nT2,-8.1,113.7,aman\n"
    assert fails_with(validate, text, {"tps.csv": rows}, seconds=15) == [
        "tps.csv:3:1: error: map.sites.file: more than 1 TPS rows: map.sites.generate already makes 249,999 TPS, "
        "and a scenario holds at most 250,000 TPS, generated and listed together"]


def test_a_travel_matrix_too_wide_is_refused_from_its_header(validate):
    text = variant(("map:\n", "map:\n  travel: {matrix: tt.csv}\n"))
    header = "from," + ",".join(f"p{i}" for i in range(2_500)) + "\n"
    assert fails_with(validate, text, {"tt.csv": header + "p0,0\n"}) == [
        "tt.csv:1:2002: error: map.travel.matrix: more than 2,000 place ids in the header row"]


def test_a_rate_beyond_the_hard_bound_is_an_error(validate):
    assert fails_with(validate, variant(("rate: 1/h", "rate: 1000/min"))) == [
        "s.yaml:14:11: error: incidents[0].rate: about 720,000 incidents per replication expected (rates "
        "integrated over clock.duration, entries 0 to 0): at most 200,000 are allowed; check the rate's unit (/h, /d)"]


def test_a_rate_that_is_legal_but_large_warns_and_shows_the_run_size(validate):
    code, lines, err = validate(variant(("rate: 1/h", "rate: 30/min"), ("count: 2", "count: 2000")))
    assert code == EXIT_OK
    size = ("about 21,600 incidents per replication (expected) x 100 replications = 2,160,000 incidents "
            "(18 min on one core at 0.5 ms per incident)")
    assert [line for line in lines if "offered load" not in line] == [
        "s.yaml:13:3: warning: incidents: about 21,600 incidents per replication expected: a replication this "
        "large is slow and holds every incident in memory",
        "s.yaml:1:1: warning: replications: a large run: " + size + "; consider fewer replications (run -r) "
        "or a shorter clock.duration",
    ]
    assert err.startswith(f"s.yaml: info: run size: {size}\n")


def test_the_run_size_of_a_scenario(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text(variant(("rate: 1/h", 'rate: {"06:00": 2/h, "12:00": 4/h}')))
    size = load_scenario(path).size
    assert (size.per_replication, size.replications, size.total) == (36.0, 100, 3600.0)  # 6h x 2 + 6h x 4
    assert size.with_replications(10).total == 360.0


# ------------------------------------------------------------------ ids: one namespace for units, places, districts, TPS

@pytest.mark.parametrize("old, new, expected", [
    ("{id: patrol, type", "{id: polres, type",
     's.yaml:11:12: error: forces.units[0].id: unit id "polres-1" is also the id of a place; give each unit, '
     "place, district and TPS its own id"),
    ("count: 2, ", "",
     "s.yaml:11:12: error: forces.units[0].id: unit id \"patrol\" is also the id of a place; give each unit, "
     "place, district and TPS its own id"),
])
def test_a_unit_id_may_not_name_a_point(validate, old, new, expected):
    text = variant((old, new))
    if "polres-1" not in expected:
        text = variant(("    polres: {lat: -8.1725, lon: 113.6995}\n",
                        "    polres: {lat: -8.1725, lon: 113.6995}\n    patrol: {lat: -8.17, lon: 113.7}\n"),
                       text=text)
    else:
        text = variant(("    polres: {lat: -8.1725, lon: 113.6995}\n",
                        "    polres: {lat: -8.1725, lon: 113.6995}\n    polres-1: {lat: -8.17, lon: 113.7}\n"),
                       text=text)
    assert fails_with(validate, text) == [expected.replace("s.yaml:11:", "s.yaml:12:")]


def test_a_unit_id_may_not_name_a_tps(validate):
    text = variant(("{id: patrol, type", "{id: a, type"), text=GENERATED)
    assert fails_with(validate, text) == [
        's.yaml:18:12: error: forces.units[0].id: unit id "a-1" is also the id of a TPS (map.sites); give each '
        "unit, place, district and TPS its own id",
        's.yaml:18:12: error: forces.units[0].id: unit id "a-2" is also the id of a TPS (map.sites); give each '
        "unit, place, district and TPS its own id"]


# ------------------------------------------------------------------ files a scenario names

def test_a_device_is_not_a_regular_file(validate):
    text = variant(("  sites: {file: tps.csv}", "  sites: {file: /dev/zero}"), text=SITES_FILE)
    assert fails_with(validate, text, None, "--allow-outside") == [
        "s.yaml:5:17: error: map.sites.file: /dev/zero is not a regular file (a device, pipe or socket), "
        "expected a CSV file"]


def test_extends_a_device(validate):
    assert fails_with(validate, "extends: /dev/zero\n", None, "--allow-outside") == [
        "s.yaml:1:10: error: extends: /dev/zero is not a regular file (a device, pipe or socket), "
        "expected a YAML file"]


@pytest.fixture
def outside(tmp_path):
    """A sites file and a base scenario in a folder beside the scenario's (``tmp_path/other``)."""
    other = tmp_path.parent / f"{tmp_path.name}-other"
    other.mkdir()
    (other / "tps.csv").write_text("id,lat,lon,risk\nT1,-8.1,113.7,aman\n")
    (other / "base.yaml").write_text(MINIMAL_YAML)
    return other


def test_files_outside_the_scenario_folder_are_refused(validate, outside, tmp_path):
    name = f"../{outside.name}/tps.csv"
    text = variant(("{file: tps.csv}", f"{{file: {name}}}"), text=SITES_FILE)
    assert fails_with(validate, text) == [
        f"s.yaml:5:17: error: map.sites.file: {name} is outside the scenario's folder (it resolves to "
        f"{outside / 'tps.csv'}): files a scenario names must be inside {tmp_path}; pass --allow-outside to read "
        "it anyway"]
    assert validate(text, None, "--allow-outside")[0] == EXIT_OK


def test_a_symlink_out_of_the_folder_is_refused(validate, outside, tmp_path):
    (tmp_path / "tps.csv").symlink_to(outside / "tps.csv")
    assert fails_with(validate, SITES_FILE)[0].startswith(
        "s.yaml:5:17: error: map.sites.file: tps.csv is outside the scenario's folder (it resolves to ")


def test_extends_outside_is_refused_unless_allowed(validate, outside, tmp_path):
    text = f"extends: ../{outside.name}/base.yaml\n"
    assert fails_with(validate, text)[0].startswith(
        f"s.yaml:1:10: error: extends: ../{outside.name}/base.yaml is outside the scenario's folder")
    assert validate(text, None, "--allow-outside")[0] == EXIT_OK


def test_the_current_folder_counts_as_inside(cli, tmp_path, monkeypatch):
    (tmp_path / "base.yaml").write_text(MINIMAL_YAML)
    (tmp_path / "plans").mkdir()
    (tmp_path / "plans" / "plan.yaml").write_text("extends: ../base.yaml\n")
    monkeypatch.chdir(tmp_path)
    assert cli("validate", "plans/plan.yaml").code == EXIT_OK
    assert load_scenario(tmp_path / "plans" / "plan.yaml").spec.name == "minimal"


def test_a_long_bad_cell_is_quoted_by_a_short_prefix(validate):
    rows = "id,lat,lon,risk\nT1,-8.1,113.7," + "x" * 5000 + "\n"
    assert fails_with(validate, SITES_FILE, {"tps.csv": rows}) == [
        "tps.csv:2:1: error: map.sites.file: risk 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx…' (5,000 characters) "
        "is not one of aman, rawan, sangat_rawan"]


# ------------------------------------------------------------------ text the terminal interprets

HOSTILE = "\x1b[2J\r\n[bold]x[/] [/x]"
SHOWN = "\\x1b[2J\\r\\n[bold]x[/] [/x]"  # what printable() makes of it


def _hostile_scenario() -> str:
    """The name, a place id, an unknown key and a sites-file cell all hold HOSTILE."""
    quoted = json.dumps(HOSTILE)  # a YAML double-quoted string with \\e-style escapes
    return variant(("name: minimal", f"name: {quoted}"),
                   ("    polres: {lat", f"    {quoted}: {{lat: 1, lon: 1}}\n    polres: {{lat"),
                   ("map:\n", f"map:\n  {quoted}: 1\n  sites: {{file: tps.csv}}\n"))


def test_user_text_prints_as_plain_text(validate):
    rows = f"id,lat,lon,risk\nT1,-8.1,113.7,\"{HOSTILE}\"\n"
    code, lines, err = validate(_hostile_scenario(), {"tps.csv": rows})
    assert code == EXIT_BAD_INPUT
    assert lines == [
        f's.yaml:5:3: error: map.{SHOWN}: unknown key "{SHOWN}"; expected one of: travel, places, districts, sites, boundaries',
        f's.yaml:8:5: error: map.places.{SHOWN}: "{SHOWN}" is not a valid id: use letters, digits, _, . and - '
        "(no spaces), starting with a letter, digit or _",
    ]
    assert "\x1b" not in err


def test_a_csv_cell_prints_as_plain_text(validate):
    rows = f"id,lat,lon,risk\nT1,-8.1,113.7,\"{HOSTILE}\"\n"
    assert fails_with(validate, SITES_FILE, {"tps.csv": rows}) == [
        f"tps.csv:3:1: error: map.sites.file: risk '{SHOWN}' is not one of aman, rawan, sangat_rawan"]


def test_github_annotations_escape_user_text(validate):
    code, lines, _ = validate(_hostile_scenario(), None, "--format", "github")
    assert code == EXIT_BAD_INPUT
    assert all(line.startswith("::error file=s.yaml,line=") for line in lines)
    assert lines[0] == f'::error file=s.yaml,line=5,col=3::map.{SHOWN}: unknown key "{SHOWN}"; expected one of: travel, places, districts, sites, boundaries'


def test_github_escapes_percent_colon_and_comma_in_properties():
    from sispam_sim.cli.validate import github_annotation
    from sispam_sim.errors import Problem

    problem = Problem("a,b:c%\n.yaml", 1, 2, "x", "100% sure\r\n\x1b[1m")
    assert github_annotation(problem) == "::error file=a%2Cb%3Ac%25\\n.yaml,line=1,col=2::x: 100%25 sure\\r\\n\\x1b[1m"


def test_json_keeps_user_text_exact(validate):
    code, lines, _ = validate(_hostile_scenario(), None, "--format", "json")
    assert code == EXIT_BAD_INPUT
    problems = json.loads("\n".join(lines))
    assert problems[0]["path"] == f"map.{HOSTILE}"
    assert "\x1b" not in "\n".join(lines)  # JSON escapes it as \u001b
