"""Annotated field types shared by the schema: quantities parsed from text, ids, coordinates.

Each carries its parser (a pydantic ``BeforeValidator``) and the JSON Schema an editor
sees, so a field is declared once and both validation and ``sispam-sim schema`` follow.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, BeforeValidator, Field, StringConstraints, WithJsonSchema

from sispam_sim.scenario.quantities import ClockTime, PhaseRef, parse_clock, parse_duration, parse_rate, parse_when

DURATION_PATTERN = r"^\s*(\d+(\.\d+)?|\.\d+)\s*((\d+(\.\d+)?|\.\d+)\s*(d|h|min|s)\s*)*$|^\s*((\d+(\.\d+)?|\.\d+)\s*(d|h|min|s)\s*)+$"
RATE_PATTERN = r"^\s*(\d+(\.\d+)?|\.\d+)\s*/\s*((\d+(\.\d+)?|\.\d+)?\s*(d|h|min|s)\s*)+$"
CLOCK_PATTERN = r"^(\d{1,2}:\d{2}|\d{4}-\d{2}-\d{2} \d{1,2}:\d{2})$"

DURATION_JSON = {
    "description": 'A duration: "90s", "15min", "2h", "1h30min", "1d", or a number of minutes',
    "anyOf": [{"type": "number", "minimum": 0}, {"type": "string", "pattern": DURATION_PATTERN}],
}
RATE_JSON = {"description": 'A rate: "6/h", "0.5/h", "120/d", "2/min"', "type": "string", "pattern": RATE_PATTERN}
CLOCK_JSON = {
    "description": 'A clock time "HH:MM" on the scenario day (up to "47:59") or "YYYY-MM-DD HH:MM"',
    "type": "string", "pattern": CLOCK_PATTERN,
}

#: Format 1.1: the name of a phase of ``clock.phases``, written where a clock time may be.
PHASE_NAME_JSON = {"type": "string", "pattern": r"^[A-Za-z_][A-Za-z0-9_.\-]*$",
                   "description": "The name of a phase of clock.phases"}


def _at_least(bound: float, strict: bool, what: str):
    def check(value: float) -> float:
        if value < bound or (strict and value == bound):
            raise ValueError(f"{what} must be {'>' if strict else '>='} {bound:g}, found {value:g}")
        return value
    return check


Duration = Annotated[float, BeforeValidator(parse_duration), WithJsonSchema(DURATION_JSON)]
NonNegDuration = Annotated[Duration, AfterValidator(_at_least(0, False, "a duration"))]
PositiveDuration = Annotated[Duration, AfterValidator(_at_least(0, True, "this duration"))]
#: Events (or persons) per minute, written "6/h", "120/d", "2/min".
Rate = Annotated[
    float,
    BeforeValidator(parse_rate),
    AfterValidator(_at_least(0, False, "a rate")),
    WithJsonSchema(RATE_JSON),
]
PositiveRate = Annotated[Rate, AfterValidator(_at_least(0, True, "this rate"))]
Clock = Annotated[ClockTime, BeforeValidator(parse_clock), WithJsonSchema(CLOCK_JSON)]
#: Format 1.1: a clock time or the name of a phase of ``clock.phases`` (its start or its end,
#: as the key says: ``from`` the start, ``until`` the end).
When = Annotated[object, BeforeValidator(parse_when), WithJsonSchema({"anyOf": [CLOCK_JSON, PHASE_NAME_JSON]})]

ID_PATTERN = r"^[A-Za-z0-9_][A-Za-z0-9_.\-]*$"
Id = Annotated[str, StringConstraints(pattern=ID_PATTERN, max_length=100)]
Latitude = Annotated[float, Field(ge=-90, le=90)]
Longitude = Annotated[float, Field(ge=-180, le=180)]
PositiveInt = Annotated[int, Field(gt=0, strict=True)]
NonNegInt = Annotated[int, Field(ge=0, strict=True)]
Risk = Literal["aman", "rawan", "sangat_rawan"]
RISKS: tuple[str, ...] = ("aman", "rawan", "sangat_rawan")


#: The crowd levels by name (Perkap 16/2006): 1 hijau (orderly), 2 kuning (no longer orderly),
#: 3 merah (law-breaking).
LEVEL_NAMES = {"hijau": 1, "kuning": 2, "merah": 3}
#: The highest escalation level (merah).
MAX_LEVEL = 3


def _level(value: object) -> object:
    if isinstance(value, str):
        key = value.strip().lower()
        if key in LEVEL_NAMES:
            return LEVEL_NAMES[key]
        raise ValueError(f'expected a level: hijau, kuning or merah (or 1, 2, 3), found "{value}"')
    return value


#: A crowd level, written as its name or its number.
Level = Annotated[int, BeforeValidator(_level), Field(ge=1, le=3, strict=True),
                  WithJsonSchema({"anyOf": [{"enum": list(LEVEL_NAMES)}, {"type": "integer", "minimum": 1,
                                                                           "maximum": 3}],
                                  "description": "A crowd level: hijau (1), kuning (2) or merah (3)"})]
