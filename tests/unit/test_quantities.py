"""Durations, clock times, rates and distributions: parsed values and exact messages."""

from __future__ import annotations

import math
from datetime import datetime

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter, ValidationError

from conftest import MINIMAL_YAML
from sispam_sim.errors import ScenarioError
from sispam_sim.scenario.distributions import (
    DISTRIBUTIONS, Constant, DurationDist, Exponential, Lognormal, Normal, Triangular, Uniform,
)
from sispam_sim.scenario.loader import load_scenario
from sispam_sim.scenario.quantities import (
    ClockTime, format_duration, parse_clock, parse_datetime, parse_duration, parse_rate,
)

EXAMPLES = '"90s", "15min", "2h", "1h30min", "1d" or a number of minutes'
CLOCK = 'expected a clock time "HH:MM" (e.g. "13:00", up to "47:59") or "YYYY-MM-DD HH:MM"'
RATES = '"6/h", "0.5/h", "120/d" or "2/min"'


# ------------------------------------------------------------------ durations

@pytest.mark.parametrize("text, minutes", [
    ("90s", 1.5),
    ("15min", 15.0),
    ("2h", 120.0),
    ("1h30min", 90.0),
    ("1d", 1440.0),
    (30, 30.0),
    (2.5, 2.5),
    ("30", 30.0),
    ("0.5h", 30.0),
    (".5h", 30.0),
    ("0", 0.0),
    (" 1h 30min ", 90.0),
    ("1d2h3min30s", 1440 + 120 + 3 + 0.5),
])
def test_duration_parses_to_minutes(text, minutes):
    assert parse_duration(text) == pytest.approx(minutes, abs=1e-12)
    assert isinstance(parse_duration(text), float)


@pytest.mark.parametrize("value, message", [
    ("15m", "unknown time unit 'm' in '15m' (did you mean 'min'?); units are d, h, min, s"),
    ("2hours", "unknown time unit 'hours' in '2hours' (did you mean 'h'?); units are d, h, min, s"),
    ("5 menit", "unknown time unit 'menit' in '5 menit' (did you mean 'min'?); units are d, h, min, s"),
    ("3w", "unknown time unit 'w' in '3w'; units are d, h, min, s"),
    ("abc", f"cannot read duration 'abc': expected {EXAMPLES}"),
    ("", f"cannot read duration '': expected {EXAMPLES}"),
    ("1h30", f"cannot read duration '1h30': expected {EXAMPLES}"),
    ("-5min", "duration '-5min' is negative"),
    ("1h1h", "time unit 'h' appears twice in '1h1h'"),
    (None, f"expected a duration such as {EXAMPLES}, found nothing (null)"),
    (True, f"expected a duration such as {EXAMPLES}, found a boolean (true)"),
    ([15], f"expected a duration such as {EXAMPLES}, found a list"),
    ({"h": 1}, f"expected a duration such as {EXAMPLES}, found a mapping"),
    (float("nan"), "expected a finite number, found nan"),
    (float("inf"), "expected a finite number, found inf"),
])
def test_duration_errors_say_what_was_expected(value, message):
    with pytest.raises(ValueError) as info:
        parse_duration(value)
    assert str(info.value) == message


@pytest.mark.parametrize("minutes, text", [
    (0, "0min"), (0.5, "30s"), (1.5, "1min30s"), (90, "1h30min"), (1440, "1d"),
    (1441 + 1 / 60, "1d1min1s"), (14400, "10d"),
])
def test_format_duration(minutes, text):
    assert format_duration(minutes) == text


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=0, max_value=10 * 86400))
def test_duration_round_trip(seconds):
    minutes = seconds / 60
    assert parse_duration(format_duration(minutes)) == pytest.approx(minutes, abs=1e-9)


# ------------------------------------------------------------------ clock times

START = datetime(2024, 11, 27, 6, 0)


@pytest.mark.parametrize("text, day_minutes, offset", [
    ("13:00", 780.0, 420.0),
    ("06:00", 360.0, 0.0),
    ("6:05", 365.0, 5.0),
    ("00:00", 0.0, -360.0),
    ("25:30", 1530.0, 1170.0),   # 01:30 the next day
    ("47:59", 2879.0, 2519.0),
])
def test_clock_hhmm_is_on_the_scenario_day(text, day_minutes, offset):
    clock = parse_clock(text)
    assert clock.day_minutes == day_minutes
    assert clock.moment is None
    assert clock.offset(START) == offset
    assert str(clock) == text


def test_clock_offset_follows_the_start_time():
    # "13:00" is 13h after midnight of whatever day the scenario starts on.
    assert parse_clock("13:00").offset(datetime(2024, 11, 27, 12, 30)) == 30.0
    assert parse_clock("13:00").offset(datetime(2024, 1, 1, 0, 0)) == 780.0


def test_clock_full_date():
    clock = parse_clock("2024-11-28 01:00")
    assert clock.moment == datetime(2024, 11, 28, 1, 0)
    assert clock.day_minutes is None
    assert clock.offset(START) == 19 * 60
    assert parse_clock("2024-11-27 05:00").offset(START) == -60.0
    assert isinstance(parse_clock(clock), ClockTime)


@pytest.mark.parametrize("value, message", [
    ("48:00", "clock time '48:00' is out of range: hours 0-47, minutes 0-59"),
    ("12:60", "clock time '12:60' is out of range: hours 0-47, minutes 0-59"),
    ("1300", f"{CLOCK}, found '1300'"),
    ("13:00:00", f"{CLOCK}, found '13:00:00'"),
    ("2024-11-27", f"{CLOCK}, found '2024-11-27'"),
    ("2024-13-01 10:00", f"{CLOCK}, found '2024-13-01 10:00'"),
    ("2024-11-27T13:00", f"{CLOCK}, found '2024-11-27T13:00'"),
    (None, f"{CLOCK}, found nothing (null)"),
    (["13:00"], f"{CLOCK}, found a list"),
])
def test_clock_errors(value, message):
    with pytest.raises(ValueError) as info:
        parse_clock(value)
    assert str(info.value) == message


def test_number_as_clock_time_says_what_is_expected():
    with pytest.raises(ValueError) as info:
        parse_clock(1300)
    assert str(info.value) == f"{CLOCK}, found 1300"


def test_datetime_for_clock_start():
    assert parse_datetime("2024-11-27 06:00") == START
    with pytest.raises(ValueError) as info:
        parse_datetime("06:00")
    assert str(info.value) == ('expected a date and time "YYYY-MM-DD HH:MM" (e.g. "2024-11-27 06:00"), '
                               "found '06:00'")


# ------------------------------------------------------------------ rates

@pytest.mark.parametrize("text, per_minute", [
    ("6/h", 0.1),
    ("120/d", 120 / 1440),
    ("2/min", 2.0),
    ("0.5/h", 0.5 / 60),
    ("3/2h", 3 / 120),
    ("6 / h", 0.1),
    ("1/90s", 1 / 1.5),
    ("0/h", 0.0),
])
def test_rate_parses_to_events_per_minute(text, per_minute):
    assert parse_rate(text) == pytest.approx(per_minute, rel=1e-12)


@pytest.mark.parametrize("value, message", [
    ("6", f"expected a rate such as {RATES}, found '6'"),
    (6, f"expected a rate such as {RATES}, found 6"),
    (None, f"expected a rate such as {RATES}, found nothing (null)"),
    ("6/x", f"cannot read rate '6/x': cannot read duration 'x': expected {EXAMPLES}"),
    ("a/h", f"cannot read rate 'a/h': expected {RATES}"),
    ("-6/h", f"cannot read rate '-6/h': expected {RATES}"),
    ("6/0h", "rate '6/0h' divides by a zero duration"),
    ("6/-1h", "cannot read rate '6/-1h': duration '-1h' is negative"),
])
def test_rate_errors(value, message):
    with pytest.raises(ValueError) as info:
        parse_rate(value)
    assert str(info.value) == message


# ------------------------------------------------------------------ distributions

DIST = TypeAdapter(DurationDist)


def dist(value):
    return DIST.validate_python(value)


def test_registry_names_match_the_yaml():
    assert set(DISTRIBUTIONS) == {"constant", "exponential", "lognormal", "uniform", "triangular", "normal"}


def test_constant_from_a_plain_duration():
    d = dist("15min")
    assert isinstance(d, Constant) and d.mean == 15.0
    assert d.sample(np.random.default_rng(0)) == 15.0
    assert dist(30).mean == 30.0


@pytest.mark.parametrize("spec, cls, mean", [
    ({"dist": "exponential", "mean": "30min"}, Exponential, 30.0),
    ({"dist": "lognormal", "mean": "40min", "sd": "15min"}, Lognormal, 40.0),
    ({"dist": "uniform", "low": "10min", "high": "20min"}, Uniform, 15.0),
    ({"dist": "triangular", "low": 5, "mode": 10, "high": 30}, Triangular, 15.0),
])
def test_mean_is_exact(spec, cls, mean):
    d = dist(spec)
    assert isinstance(d, cls)
    assert d.mean == pytest.approx(mean, rel=1e-12)


def test_lognormal_mean_and_sd_are_of_the_variable_itself():
    d = dist({"dist": "lognormal", "mean": "40min", "sd": "15min"})
    rng = np.random.default_rng(20241127)
    x = np.array([d.sample(rng) for _ in range(40_000)])
    assert x.mean() == pytest.approx(40.0, rel=0.01)
    assert x.std() == pytest.approx(15.0, rel=0.03)


@pytest.mark.parametrize("spec", [
    {"dist": "normal", "mean": "10min", "sd": "8min"},                # truncated at 0
    {"dist": "normal", "mean": -10, "sd": "8min", "min": "2min"},     # mostly truncated
    {"dist": "normal", "mean": "30min", "sd": "5min", "min": "25min"},
])
def test_truncated_normal_mean_matches_monte_carlo(spec):
    d = dist(spec)
    assert isinstance(d, Normal)
    a = (d.min - d.mean_) / d.sd
    phi = math.exp(-a * a / 2) / math.sqrt(2 * math.pi)
    big_phi = 0.5 * (1 + math.erf(a / math.sqrt(2)))
    assert d.mean == pytest.approx(d.mean_ + d.sd * phi / (1 - big_phi), rel=1e-9)
    rng = np.random.default_rng(12345)
    x = np.array([d.sample(rng) for _ in range(40_000)])
    assert x.mean() == pytest.approx(d.mean, rel=0.01)
    assert x.min() >= d.min


@pytest.mark.parametrize("spec", [
    "15min",
    {"dist": "exponential", "mean": "1min"},
    {"dist": "lognormal", "mean": "1min", "sd": "5min"},
    {"dist": "uniform", "low": 0, "high": "1min"},
    {"dist": "triangular", "low": 0, "mode": 0, "high": "1min"},
    {"dist": "triangular", "low": "5min", "mode": "5min", "high": "5min"},
    {"dist": "normal", "mean": 0, "sd": "10min"},
    {"dist": "normal", "mean": -30, "sd": "10min"},
])
def test_samples_are_never_negative(spec):
    d = dist(spec)
    rng = np.random.default_rng(7)
    samples = [d.sample(rng) for _ in range(5_000)]
    assert min(samples) >= 0
    assert all(isinstance(s, float) for s in samples)


def _messages(value) -> list[tuple[tuple, str]]:
    with pytest.raises(ValidationError) as info:
        DIST.validate_python(value)
    return [(e["loc"], str((e.get("ctx") or {}).get("error", e["msg"]))) for e in info.value.errors()]


def test_triangular_order():
    assert _messages({"dist": "triangular", "low": 5, "mode": 3, "high": 10}) == [
        (("triangular",), "triangular needs low <= mode <= high, found 5, 3, 10 min")]


def test_uniform_order():
    assert _messages({"dist": "uniform", "low": "20min", "high": "10min"}) == [
        (("uniform",), "uniform needs low <= high, found low 20min > high 10min")]


def test_lognormal_sd_must_be_positive():
    assert _messages({"dist": "lognormal", "mean": "40min", "sd": 0}) == [
        (("lognormal", "sd"), "this duration must be > 0, found 0")]


def test_exponential_mean_zero():
    assert _messages({"dist": "exponential", "mean": 0}) == [
        (("exponential", "mean"), "this duration must be > 0, found 0")]


def test_normal_min_out_of_reach():
    assert _messages({"dist": "normal", "mean": "10min", "sd": "1min", "min": "20min"}) == [
        (("normal",), "normal: min 20min is more than 8 sd above the mean 10min")]


# Messages as the user sees them (located, with suggestions) are asserted through the loader.

def _located(write, work: str) -> list[str]:
    path = write(MINIMAL_YAML.replace("work: 30min", f"work: {work}"))
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    return [p.format().replace(str(path), "s.yaml") for p in info.value.problems]


def test_unknown_distribution_suggests_the_close_name(write):
    assert _located(write, "{dist: lognormale, mean: 40min, sd: 15min}") == [
        's.yaml:17:11: error: incidents[0].work: unknown distribution "lognormale" (did you mean "lognormal"?); '
        "expected one of: exponential, lognormal, uniform, triangular, normal"]


def test_unknown_key_in_a_distribution(write):
    assert _located(write, "{dist: exponential, mean: 4min, sd: 3min}") == [
        's.yaml:17:43: error: incidents[0].work.sd: unknown key "sd"; expected one of: dist, mean']
    assert _located(write, "{dist: lognormal, mean: 40min, sdev: 15min}") == [
        's.yaml:17:11: error: incidents[0].work: missing required key "sd"',
        's.yaml:17:42: error: incidents[0].work.sdev: unknown key "sdev" (did you mean "sd"?)']


def test_bad_duration_inside_a_distribution_is_located_at_the_value(write):
    assert _located(write, "{dist: uniform, low: 5m, high: 10min}") == [
        "s.yaml:17:32: error: incidents[0].work.low: unknown time unit 'm' in '5m' (did you mean 'min'?); "
        "units are d, h, min, s"]


@pytest.mark.parametrize("spec", [
    "30min",
    {"dist": "exponential", "mean": "20min"},
    {"dist": "lognormal", "mean": "40min", "sd": "15min"},
    {"dist": "uniform", "low": "10min", "high": "20min"},
    {"dist": "triangular", "low": "5min", "mode": "10min", "high": "30min"},
    {"dist": "triangular", "low": "5min", "mode": "5min", "high": "5min"},
    {"dist": "normal", "mean": "20min", "sd": "10min", "min": "5min"},
])
def test_sample_many_draws_what_single_samples_draw(spec):
    # The engine draws a whole entry's work at once; results must not depend on how.
    from pydantic import TypeAdapter

    from sispam_sim.scenario.distributions import DurationDist

    dist = TypeAdapter(DurationDist).validate_python(spec)
    one_by_one = [dist.sample(np.random.default_rng(7)) for _ in range(1)]
    rng_a, rng_b = np.random.default_rng(7), np.random.default_rng(7)
    singles = [dist.sample(rng_a) for _ in range(50)]
    assert dist.sample_many(rng_b, 50) == singles
    assert singles[0] == one_by_one[0]
