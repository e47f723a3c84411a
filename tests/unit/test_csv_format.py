"""``replication_csv`` formats a column at a time; its text must be the row-at-a-time writer's, byte for byte.

The reference below is the formatter as it was before (``csv.writer`` over one dict per row, each cell
through :func:`format_cell`), kept here as the contract: the three CSV files of the example scenarios
and of records full of hostile values (spreadsheet formulas, commas, quotes, line ends, ``None``, nan,
infinities, huge, tiny and negative numbers, ``-0.0``, ``bool`` and other types) must come out the same.
"""

from __future__ import annotations

import csv
import io
import math
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sispam_sim.engine.records import (
    EVENT_COLUMNS,
    INCIDENT_COLUMNS_1_1,
    TIMELINE_COLUMNS,
    Event,
    IncidentRecord,
    ReplicationResult,
    TimelinePoint,
)
from sispam_sim.runner.output import (
    CSV_FILES,
    INCIDENT_HEADER,
    _column,
    columns_of,
    events_csv,
    format_cell,
    incidents_csv,
    replication_csv,
    timeline_csv,
)
from sispam_sim.runner.replications import run_replications
from sispam_sim.scenario.loader import load_scenario

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
EXAMPLES = ("rapid-response", "station-disruption", "crowd-buildup", "jember-pilkada-2024")


# -- the reference: the row-at-a-time formatter ------------------------------------------------------

def reference_rows(header, rows, with_header=False) -> str:
    """Every cell as ``csv.writer`` writes it (:func:`reference_cell`), joined by commas."""
    decimals = [{"lat": 6, "lon": 6}.get(name, 3) for name in header]
    lines = [",".join(_written(name) for name in header)] if with_header else []
    lines += [",".join(reference_cell(row[name], d) for name, d in zip(header, decimals)) for row in rows]
    return "".join(line + "\n" for line in lines)


def _written(text: str) -> str:
    """``text`` as ``csv.writer`` (QUOTE_MINIMAL) writes one cell of a row of several, on CPython 3.11.9,
    3.12.3 and later: older writers leave a lone ``\r`` unquoted (gh-67044), newer ones quote it."""
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerow([text, ""])
    out = buf.getvalue()[:-2]   # the cell, without the "," and the line end
    if "\r" in text and not out.startswith('"'):
        out = '"' + text.replace('"', '""') + '"'
    return out


def reference_row_dicts(name, r):
    if name == "incidents.csv":
        return [i.as_row(r.incident_columns) for i in r.incidents]
    if name == "timeline.csv":
        return [{c: getattr(p, c) for c in TIMELINE_COLUMNS} for p in r.timeline]
    return [{"replication": r.replication, **e._asdict()} for e in r.events]


def reference_replication_csv(r: ReplicationResult) -> dict[str, str]:
    texts = {name: reference_rows(columns_of(name, r), reference_row_dicts(name, r)) for name in CSV_FILES}
    if r.incident_columns != CSV_FILES["incidents.csv"][0]:
        texts[INCIDENT_HEADER] = ",".join(r.incident_columns) + "\n"
    return texts


def assert_same(results):
    for r in results:
        assert replication_csv(r) == reference_replication_csv(r)
    for name, whole in (("incidents.csv", incidents_csv), ("timeline.csv", timeline_csv),
                        ("events.csv", events_csv)):
        rows = [row for r in results for row in reference_row_dicts(name, r)]
        assert whole(results) == reference_rows(columns_of(name, results[0] if results else None), rows,
                                                with_header=True)


# -- the example scenarios ---------------------------------------------------------------------------

@pytest.mark.parametrize("example", EXAMPLES)
def test_examples_byte_identical(example):
    results = run_replications(load_scenario(SCENARIOS / f"{example}.yaml"), 2)
    assert any(r.events for r in results) and any(r.incidents for r in results)
    assert_same(results)


def test_no_replication_and_empty_records():
    assert_same([])
    empty = ReplicationResult(replication=3, incidents=[], timeline=[], busy_crew_minutes={},
                              available_crew_minutes={}, end=1.0)
    assert replication_csv(empty) == reference_replication_csv(empty)
    assert_same([empty])


# -- hostile values ----------------------------------------------------------------------------------

HOSTILE_TEXT = [
    "=HYPERLINK(\"http://x\",\"y\")", "+1+2", "-A1", "@SUM(A1)", "\tTAB", "\rCR", "'quoted", "''",
    "a,b", 'say "hi"', '"', "line\nbreak", "cr\rlf\n", ",", "", " lead", "trail ", "-3.5", "+7", "-inf",
    "-", "=", "ünï©ødé", "\u2028sep", "x\x00y", "semi;colon", "'=x",
]
HOSTILE_FLOAT = [
    0.0, -0.0, -0.0004, 0.0004, 0.0005, -0.0005, 1e-300, -1e-300, 5e-324, 1e300, -1e300, 1.7976931348623157e308,
    float("nan"), -float("nan"), float("inf"), float("-inf"), 12.5, 12.500000000001, 100.0, -100.0,
    2.0 ** 53, 1e16, 123456789.123456789, -7.9999, 0.1 + 0.2,
]
HOSTILE_OTHER = [None, True, False, 0, -1, 10 ** 30, -(10 ** 30), 3, ("tuple", 1), ["list"], object]


def incident(k, **values):
    base = dict(replication=k % 3, id=f"i-{k}", kind="rapid_response", entry=0, label="L", priority=1,
                place="p", site=None, lat=-8.17, lon=113.7, call=float(k), need=4)
    base.update(values)
    return IncidentRecord(**base)


def hostile_result(columns=INCIDENT_COLUMNS_1_1, texts=HOSTILE_TEXT) -> ReplicationResult:
    floats, others = HOSTILE_FLOAT, HOSTILE_OTHER
    records = []
    n = max(len(texts), len(floats), len(others))
    for k in range(n):
        t, f, o = texts[k % len(texts)], floats[k % len(floats)], others[k % len(others)]
        records.append(incident(
            k, id=t, kind=t, label=t, place=t, site=o if k % 2 else t, lat=f, lon=-f,
            call=f, first_dispatch=None if k % 3 == 0 else f, first_arrival=floats[-1 - k % len(floats)], resolved=f,
            full_strength=f if k % 4 else None, priority=o, need=k, max_level=True if k % 5 == 0 else k,
            units=[t, "u-1"] if k % 2 else [], level_minutes=[f if math.isfinite(f) else 0.0, -0.0, 1e-4],
            short_minutes=f, triggered_by=t if k % 3 else None, outside_units=o if k % 7 == 0 else k,
            unguarded=None if k % 2 else 1, first_unit=t, first_unit_dispatch=0.0, first_unit_leave=f))
    timeline = [TimelinePoint(replication=others[k % len(others)], time=floats[k % len(floats)],
                              unit_type=texts[k % len(texts)], committed=k, on_scene=-k, free=floats[k % len(floats)])
                for k in range(n)]
    events = [Event(time=floats[k % len(floats)], unit=texts[k % len(texts)], incident=others[k % len(others)],
                    action=texts[(k + 1) % len(texts)]) for k in range(n)]
    return ReplicationResult(replication=7, incidents=records, timeline=timeline, busy_crew_minutes={},
                             available_crew_minutes={}, end=1.0, events=events, incident_columns=columns)


def test_hostile_records_byte_identical():
    result = hostile_result()
    assert replication_csv(result) == reference_replication_csv(result)
    assert_same([result, hostile_result()])


def test_hostile_text_is_made_safe_and_quoted():
    # the contract in words, beside the byte comparison: a formula is shown as text, a comma or a line
    # end (a lone "\r" too, on every Python) keeps the cell whole, -0.0 is 0
    text = replication_csv(hostile_result(texts=HOSTILE_TEXT))["events.csv"]
    rows = list(csv.reader(io.StringIO(text)))
    assert all(len(row) == len(EVENT_COLUMNS) for row in rows)
    cells = {cell for row in rows for cell in row}
    assert "'=HYPERLINK(\"http://x\",\"y\")" in cells and "line\nbreak" in cells and "a,b" in cells
    assert "-0" not in cells and "0" in cells


@pytest.mark.parametrize("decimals", [3, 6])
def test_every_character_alone_and_inside(decimals):
    values = [chr(c) for c in range(0x3000)] + [f"a{chr(c)}b" for c in range(0x3000)]
    assert [_column(values, decimals), _column(values[:1] * 4, decimals)] == [
        [reference_cell(v, decimals) for v in values], [reference_cell(values[0], decimals)] * 4]


def reference_cell(value, decimals):
    return _written(format_cell(value, decimals))


CELL = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True, allow_infinity=True),
                 st.text(max_size=6), st.sampled_from(HOSTILE_TEXT + HOSTILE_FLOAT + HOSTILE_OTHER))


@settings(max_examples=300, deadline=None)
@given(st.lists(CELL, min_size=1, max_size=30), st.sampled_from([3, 6]))
def test_any_column_formats_as_format_cell(values, decimals):
    assert _column(values, decimals) == [reference_cell(v, decimals) for v in values]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.floats(), st.none()), min_size=1, max_size=40), st.sampled_from([3, 6]))
def test_float_columns_repeating_or_not(values, decimals):
    for column in (values, values * 3):   # distinct values, and the same ones repeated (looked up once)
        assert _column(column, decimals) == [reference_cell(v, decimals) for v in column]
