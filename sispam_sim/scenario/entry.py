"""What every block of the scenario format shares, and what every incident entry shares.

:class:`Strict` is the base of every block's model (unknown keys are errors, values frozen);
:class:`IncidentBase` is the base of each incident kind's model (label, rate or at, where,
priority), which the kinds (:mod:`sispam_sim.scenario.kinds`) extend.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, Optional, Sequence, Union

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, WithJsonSchema, model_validator

from sispam_sim.scenario import limits
from sispam_sim.scenario.quantities import ClockTime
from sispam_sim.scenario.types import CLOCK_JSON, RATE_JSON, Clock, Id, PositiveInt, Risk, RISKS

__all__ = ["Strict", "SiteFilter", "Where", "RateProfile", "Rates", "IncidentBase"]


class Strict(BaseModel):
    """Unknown keys are errors (a typo must not pass silently); parsed values are frozen."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, strict=True,
                              allow_inf_nan=False)


# ---------------------------------------------------------------- incidents

def _as_list(value: Any) -> Any:
    return [value] if isinstance(value, str) else value


class SiteFilter(Strict):
    """Sites by risk and/or district label; a single value may stand for a one-item list."""

    risk: Optional[Annotated[list[Risk], BeforeValidator(_as_list),
                             WithJsonSchema({"anyOf": [{"enum": list(RISKS)},
                                                       {"type": "array", "items": {"enum": list(RISKS)}}]})]] = None
    district: Optional[Annotated[list[Id], BeforeValidator(_as_list),
                                 WithJsonSchema({"anyOf": [{"type": "string"},
                                                           {"type": "array", "items": {"type": "string"}}]})]] = None


class Where(Strict):
    place: Optional[Id] = None
    district: Optional[Id] = None
    sites: Optional[Union[Literal["any"], SiteFilter]] = None

    @model_validator(mode="after")
    def _exactly_one(self) -> "Where":
        given = [key for key in ("place", "district", "sites") if getattr(self, key) is not None]
        if len(given) != 1:
            found = "none" if not given else " and ".join(given)
            raise ValueError(f"give exactly one of place, district or sites; found {found}")
        return self

    @property
    def selects_sites(self) -> bool:
        return self.sites is not None

    def select_sites(self, sites: Sequence[Any]) -> list[Any]:
        """The sites (in order) that ``sites:`` picks by risk and district; none for a place or district."""
        f = self.sites
        if f is None:
            return []
        if f == "any":
            return list(sites)
        risks = None if f.risk is None else set(f.risk)            # sets: a province lists hundreds
        districts = None if f.district is None else set(f.district)
        if districts is None:
            return [s for s in sites if s.risk in risks] if risks is not None else list(sites)
        if risks is None:
            return [s for s in sites if s.district in districts]
        return [s for s in sites if s.risk in risks and s.district in districts]


class RateProfile(BaseModel):
    """A rate that is constant or piecewise constant over the day (``{"06:00": 2/h, "13:00": 10/h}``)."""

    model_config = ConfigDict(frozen=True)
    points: tuple[tuple[ClockTime, float], ...]   # sorted by time; constant rate: one point with time None
    constant: Optional[float] = None

    def steps(self, clock) -> list[tuple[float, float]]:
        """``[(from_minute, per_minute), ...]`` sorted on ``clock`` (a ClockBlock); the rate before the first step is 0."""
        if self.constant is not None:
            return [(0.0, self.constant)]
        return sorted((clock.minutes(t), r) for t, r in self.points)


def _parse_rate_spec(value: Any) -> Any:
    from sispam_sim.scenario.quantities import parse_clock, parse_rate

    if isinstance(value, RateProfile):
        return value
    if isinstance(value, dict):
        if not value:
            raise ValueError('a rate profile needs at least one "HH:MM": rate entry')
        return RateProfile(points=tuple((parse_clock(key), parse_rate(rate)) for key, rate in value.items()))
    return RateProfile(points=(), constant=parse_rate(value))


Rates = Annotated[
    RateProfile,
    BeforeValidator(_parse_rate_spec),
    WithJsonSchema({"anyOf": [RATE_JSON,
                              {"type": "object", "additionalProperties": RATE_JSON,
                               "propertyNames": CLOCK_JSON,
                               "description": 'Piecewise-constant profile {"HH:MM": rate}'}]}),
]


class IncidentBase(Strict):
    label: Optional[str] = Field(None, description="Name shown in reports")
    rate: Optional[Rates] = Field(None, description="Poisson arrivals: a rate or a profile")
    at: Optional[Clock] = Field(None, description="A scripted event at this clock time")
    where: Where
    priority: PositiveInt = Field(2, le=limits.MAX_PRIORITY, description="1 is most urgent")

    @model_validator(mode="after")
    def _rate_or_at(self) -> "IncidentBase":
        if self.rate is not None and self.at is not None:
            raise ValueError("give either rate (a generator) or at (a scripted event), not both")
        if self.rate is None and self.at is None:
            raise ValueError("give rate (a generator, e.g. rate: 6/h) or at (a scripted event, e.g. at: \"13:00\")")
        return self


