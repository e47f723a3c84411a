"""Quantities a scenario writes as text: durations, clock times, rates and distributions.

Every parser takes what YAML gave (a number or a string) and returns plain numbers in
the engine's units: minutes for durations and clock offsets, events per minute for rates.
Each raises ``ValueError`` with a message that says what was expected, which the schema
turns into a located problem.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

#: Minutes per duration unit, keyed by the names the YAML uses.
DURATION_UNITS = {"d": 1440.0, "h": 60.0, "min": 1.0, "s": 1.0 / 60.0}
_SUGGEST_UNIT = {"m": "min", "mins": "min", "minute": "min", "minutes": "min", "hr": "h", "hrs": "h",
                 "hour": "h", "hours": "h", "sec": "s", "secs": "s", "second": "s", "seconds": "s",
                 "day": "d", "days": "d", "menit": "min", "jam": "h", "detik": "s", "hari": "d"}
_NUMBER = r"\d+(?:\.\d+)?|\.\d+"
_PART = re.compile(rf"\s*({_NUMBER})\s*([a-zA-Z]+)")
DURATION_EXAMPLES = '"90s", "15min", "2h", "1h30min", "1d" or a number of minutes'
#: A number written with an exponent (``1e308``, ``2.5E-3``): durations and rates written as text take
#: plain decimals only, so ``1e3min`` is refused at its number rather than read as unit ``e``.
_EXPONENT = re.compile(r"(?:\d|\.\d)[eE][+-]?\d")
NO_EXPONENT = 'write the number without an exponent (e.g. "1440min" or "1d", not "1.44e3min")'


def parse_duration(value: object) -> float:
    """``"1h30min"`` -> 90.0; a bare number (or numeric string) means minutes."""
    if isinstance(value, bool) or value is None:
        raise ValueError(f"expected a duration such as {DURATION_EXAMPLES}, found {describe(value)}")
    if isinstance(value, (int, float)):
        return _finite(float(value), value)
    if not isinstance(value, str):
        raise ValueError(f"expected a duration such as {DURATION_EXAMPLES}, found {describe(value)}")
    text = value.strip()
    if _EXPONENT.search(text):
        raise ValueError(f"cannot read duration {_quoted(value)}: {NO_EXPONENT}")
    if re.fullmatch(rf"[+-]?(?:{_NUMBER})", text):
        return _not_too_large(float(text), "duration", value)
    if text.startswith("-"):
        raise ValueError(f"duration {value!r} is negative")
    total, pos, seen = 0.0, 0, []
    while pos < len(text):
        match = _PART.match(text, pos)
        if not match:
            raise ValueError(f"cannot read duration {value!r}: expected {DURATION_EXAMPLES}")
        number, unit = match.groups()
        if unit not in DURATION_UNITS:
            hint = _SUGGEST_UNIT.get(unit.lower())
            suffix = f" (did you mean {hint!r}?)" if hint else ""
            raise ValueError(f"unknown time unit {unit!r} in {value!r}{suffix}; units are d, h, min, s")
        if unit in seen:
            raise ValueError(f"time unit {unit!r} appears twice in {value!r}")
        seen.append(unit)
        total += float(number) * DURATION_UNITS[unit]
        pos = match.end()
    if not seen:
        raise ValueError(f"cannot read duration {value!r}: expected {DURATION_EXAMPLES}")
    return _not_too_large(total, "duration", value)


def format_duration(minutes: float) -> str:
    """The shortest exact text for a whole number of seconds: ``90.0`` -> ``"1h30min"``."""
    seconds = round(minutes * 60)
    if seconds == 0:
        return "0min"
    parts = []
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60), ("s", 1)):
        count, seconds = divmod(seconds, size)
        if count:
            parts.append(f"{count}{unit}")
    return "".join(parts)


@dataclass(frozen=True)
class ClockTime:
    """A moment written as ``"HH:MM"`` on the scenario's day (up to ``"47:59"``) or a full date."""

    text: str
    day_minutes: float | None = None      # for "HH:MM": minutes after midnight of the start day
    moment: datetime | None = None        # for "YYYY-MM-DD HH:MM"

    def offset(self, start: datetime) -> float:
        """Minutes from ``start`` (negative when before it)."""
        if self.moment is not None:
            return (self.moment - start).total_seconds() / 60.0
        midnight = start.replace(hour=0, minute=0, second=0, microsecond=0)
        return (midnight + timedelta(minutes=self.day_minutes) - start).total_seconds() / 60.0

    def __str__(self) -> str:
        return self.text


_HHMM = re.compile(r"(\d{1,2}):(\d{2})")
_FULL = "%Y-%m-%d %H:%M"
CLOCK_EXAMPLES = '"HH:MM" (e.g. "13:00", up to "47:59") or "YYYY-MM-DD HH:MM"'


def parse_datetime(value: object) -> datetime:
    """``"2024-11-27 06:00"`` -> datetime (the form ``clock.start`` needs)."""
    if isinstance(value, str):
        try:
            return datetime.strptime(value.strip(), _FULL)
        except ValueError:
            pass
    raise ValueError(f'expected a date and time "YYYY-MM-DD HH:MM" (e.g. "2024-11-27 06:00"), found {describe(value)}')


@dataclass(frozen=True)
class PhaseRef:
    """A phase of the day named where a clock time may be written (format 1.1 ``clock.phases``):
    its start where a moment begins something (``from``, a rate step), its end where it ends
    something (``until``)."""

    name: str

    def __str__(self) -> str:
        return self.name


_PHASE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.\-]*")


def parse_when(value: object) -> "ClockTime | PhaseRef":
    """A clock time (as :func:`parse_clock`) or the name of a phase (an id without a colon)."""
    if isinstance(value, (ClockTime, PhaseRef)):
        return value
    if isinstance(value, str) and _PHASE_NAME.fullmatch(value.strip()):
        return PhaseRef(value.strip())
    try:
        return parse_clock(value)
    except ValueError as exc:
        raise ValueError(f"{exc}, or the name of a phase of clock.phases") from None


def parse_clock(value: object) -> ClockTime:
    """``"13:00"`` or ``"2024-11-27 13:00"`` -> :class:`ClockTime`."""
    if isinstance(value, ClockTime):
        return value
    if not isinstance(value, str):
        raise ValueError(f"expected a clock time {CLOCK_EXAMPLES}, found {describe(value)}")
    text = value.strip()
    match = _HHMM.fullmatch(text)
    if match:
        hours, minutes = int(match.group(1)), int(match.group(2))
        if hours > 47 or minutes > 59:
            raise ValueError(f"clock time {value!r} is out of range: hours 0-47, minutes 0-59")
        return ClockTime(text, day_minutes=hours * 60.0 + minutes)
    try:
        return ClockTime(text, moment=datetime.strptime(text, _FULL))
    except ValueError:
        raise ValueError(f"expected a clock time {CLOCK_EXAMPLES}, found {value!r}") from None


RATE_EXAMPLES = '"6/h", "0.5/h", "120/d" or "2/min"'


def parse_rate(value: object) -> float:
    """``"6/h"`` -> 0.1 events per minute. The part after ``/`` is any duration (``"3/2h"``)."""
    if isinstance(value, str) and "/" in value:
        count_text, _, per_text = value.partition("/")
        count_text, per_text = count_text.strip(), per_text.strip()
        if _EXPONENT.search(count_text):
            raise ValueError(f'cannot read rate {_quoted(value)}: write the number without an exponent '
                             '(e.g. "1000/h", not "1e3/h")')
        if not re.fullmatch(_NUMBER, count_text):
            raise ValueError(f"cannot read rate {value!r}: expected {RATE_EXAMPLES}")
        if per_text in _SUGGEST_UNIT:
            raise ValueError(f"unknown time unit {per_text!r} in {value!r} (did you mean {_SUGGEST_UNIT[per_text]!r}?);"
                             " units are d, h, min, s")
        if per_text in DURATION_UNITS:
            per_text = "1" + per_text
        try:
            per = parse_duration(per_text)
        except ValueError as err:
            raise ValueError(f"cannot read rate {value!r}: {err}") from None
        if per <= 0:
            raise ValueError(f"rate {value!r} divides by a zero duration")
        return _not_too_large(float(count_text) / per, "rate", value)
    raise ValueError(f"expected a rate such as {RATE_EXAMPLES}, found {describe(value)}")


#: Decimals kept before rounding a need up, so that float noise (100 x 1.1 = 110.00000000000001)
#: does not add an officer.
NEED_DECIMALS = 9


def round_up(x: float) -> int:
    """Ceiling after rounding away float noise: personnel needed for a fractional need."""
    return math.ceil(round(x, NEED_DECIMALS))


def _not_too_large(number: float, what: str, text: str) -> float:
    """``number``, unless the digits written overflowed a float (``"9999...9min"`` is inf), or a
    duration is longer than MAX_DURATION_MINUTES."""
    if math.isinf(number):
        raise ValueError(f"{what} {_quoted(text)} is too large to hold")
    if what == "duration":
        _not_too_long(number, _quoted(text))
    return number


def _not_too_long(minutes: float, written: str) -> None:
    from sispam_sim.scenario.limits import MAX_DURATION_MINUTES

    if abs(minutes) > MAX_DURATION_MINUTES:
        raise ValueError(f"duration {written} is too large: at most {MAX_DURATION_MINUTES / 1440:.0f}d "
                         "(100 years; a run lasts at most 14d)")


def _finite(number: float, original: object) -> float:
    if math.isnan(number) or math.isinf(number):
        raise ValueError(f"expected a finite number, found {original!r}")
    _not_too_long(number, f"{original!r} (minutes)")
    return number


def _quoted(text: object) -> str:
    """What the user wrote, in single quotes and cut short (:func:`sispam_sim.errors.quote`)."""
    from sispam_sim.errors import quote as _quote

    return _quote(text)


def describe(value: object) -> str:
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return f"a boolean ({str(value).lower()})"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return repr(value)
