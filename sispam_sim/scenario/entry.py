"""What every block of the scenario format shares, and what every incident entry shares.

:class:`Strict` is the base of every block's model (unknown keys are errors, values frozen);
:class:`IncidentBase` is the base of each incident kind's model (label, rate or at, where,
priority), which the kinds (:mod:`sispam_sim.scenario.kinds`) extend. Format 1.1 adds an entry
``id`` and :class:`Trigger` (an incident caused by another: instead of ``rate`` or ``at``), with
``where: {at: trigger}`` or ``{near: trigger, within_km: R}``.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, Optional, Sequence, Union

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, WithJsonSchema, model_validator

from sispam_sim.scenario import limits
from sispam_sim.scenario.distributions import DurationDist
from sispam_sim.scenario.quantities import ClockTime, PhaseRef
from sispam_sim.scenario.types import CLOCK_JSON, PHASE_NAME_JSON, RATE_JSON, Clock, Id, NonNegDuration, PositiveInt, Risk, RISKS
from sispam_sim.scenario.versions import since

__all__ = ["Strict", "NonEmptyText", "SiteFilter", "Where", "RateProfile", "Rates", "IncidentBase", "Trigger",
           "UnresolvedAfter", "TRIGGER_LEVELS", "MAX_NEAR_KM"]

#: ``trigger.when`` names that are crowd levels, and the level each means.
TRIGGER_LEVELS = {"kuning": 2, "merah": 3}
#: The largest ``where.within_km`` of a ``near: trigger`` place.
MAX_NEAR_KM = 100.0


class Strict(BaseModel):
    """Unknown keys are errors (a typo must not pass silently); parsed values are frozen."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, strict=True,
                              allow_inf_nan=False)


#: A name written for people (format 1.1 ``name`` of a unit type, ``name_id`` / ``label_id``: the
#: Indonesian shown with ``--lang id`` where the English is shown otherwise): not empty.
NonEmptyText = Annotated[str, Field(min_length=1)]


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
    at: Optional[Literal["trigger"]] = Field(None, json_schema_extra=since("1.1"),
                                             description="Format 1.1: at the place of the triggering incident")
    near: Optional[Literal["trigger"]] = Field(None, json_schema_extra=since("1.1"),
                                               description="Format 1.1: a point drawn uniformly within within_km "
                                                           "of the triggering incident's place")
    within_km: Optional[float] = Field(None, gt=0, le=MAX_NEAR_KM, json_schema_extra=since("1.1"),
                                       description="Format 1.1: the radius of near: trigger, in km")

    @model_validator(mode="after")
    def _exactly_one(self) -> "Where":
        given = [key for key in ("place", "district", "sites", "at", "near") if getattr(self, key) is not None]
        if len(given) != 1:
            found = "none" if not given else " and ".join(given)
            raise ValueError(f"give exactly one of place, district, sites, at: trigger or near: trigger; "
                             f"found {found}")
        if self.near is not None and self.within_km is None:
            raise ValueError("near: trigger needs within_km (the radius in km), e.g. {near: trigger, within_km: 2}")
        if self.within_km is not None and self.near is None:
            raise ValueError("within_km goes with near: trigger only")
        return self

    @property
    def from_trigger(self) -> bool:
        """Placed from the triggering incident's place (format 1.1 ``at``/``near: trigger``)."""
        return self.at is not None or self.near is not None

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
    """A rate that is constant or piecewise constant over the day (``{"06:00": 2/h, "13:00": 10/h}``).

    Format 1.1: a key may name a phase of ``clock.phases`` (``{voting: 0.82/h, counting: 0.63/h}``):
    that rate from the phase's start, and 0 from its end unless another key begins exactly there
    (a key written at that minute wins over the implied 0)."""

    model_config = ConfigDict(frozen=True)
    #: in the order written; a constant rate has none
    points: tuple[tuple[Union[ClockTime, PhaseRef], float], ...]
    constant: Optional[float] = None

    @property
    def names_phases(self) -> bool:
        """Whether a key names a phase (format 1.1)."""
        return any(isinstance(when, PhaseRef) for when, _ in self.points)

    def steps(self, clock) -> list[tuple[float, float]]:
        """``[(from_minute, per_minute), ...]`` sorted on ``clock`` (a ClockBlock); the rate before the first step is 0.

        With phase keys, each phase's end adds a step to 0 unless a key begins at that minute; two
        keys at one minute are refused by ``validate`` (here the one written last holds)."""
        if self.constant is not None:
            return [(0.0, self.constant)]
        if not self.names_phases:   # format 1 profiles, exactly as they always were
            return sorted((clock.minutes(t), r) for t, r in self.points)
        written = {clock.minutes(t): r for t, r in self.points}
        ends = {clock.minutes(t, end=True): 0.0 for t, _ in self.points if isinstance(t, PhaseRef)}
        return sorted({**ends, **written}.items())

    def same_minute(self, clock) -> list[tuple[str, str]]:
        """Pairs of keys (as written) that begin a step at the same minute on ``clock``: the
        earlier written first. A phase key that ``clock`` does not define is left out."""
        first: dict[float, str] = {}
        pairs = []
        for when, _ in self.points:
            if isinstance(when, PhaseRef) and when.name not in clock.phases:
                continue
            minute = clock.minutes(when)
            if minute in first:
                pairs.append((first[minute], str(when)))
            else:
                first[minute] = str(when)
        return pairs


def _step_key(key: Any) -> "ClockTime | PhaseRef":
    """A rate profile's key: the name of a phase (format 1.1, an id that begins with a letter), else a
    clock time (the message of a bad one is format 1's)."""
    from sispam_sim.scenario.quantities import _PHASE_NAME, parse_clock

    if isinstance(key, str) and _PHASE_NAME.fullmatch(key.strip()):
        return PhaseRef(key.strip())
    return parse_clock(key)


def _parse_rate_spec(value: Any) -> Any:
    from sispam_sim.scenario.quantities import parse_rate

    if isinstance(value, RateProfile):
        return value
    if isinstance(value, dict):
        if not value:
            raise ValueError('a rate profile needs at least one "HH:MM": rate entry')
        return RateProfile(points=tuple((_step_key(key), parse_rate(rate)) for key, rate in value.items()))
    return RateProfile(points=(), constant=parse_rate(value))


Rates = Annotated[
    RateProfile,
    BeforeValidator(_parse_rate_spec),
    WithJsonSchema({"anyOf": [RATE_JSON,
                              {"type": "object", "additionalProperties": RATE_JSON,
                               "propertyNames": {"anyOf": [CLOCK_JSON, PHASE_NAME_JSON]},
                               "description": 'Piecewise-constant profile {"HH:MM": rate}; format 1.1: a key '
                                              "may name a phase of clock.phases (that rate during the phase)"}]}),
]


class UnresolvedAfter(Strict):
    """``when: {unresolved_after: 1h}``: the triggering incident is still open this long after its call."""

    unresolved_after: NonNegDuration


class Trigger(Strict):
    """Format 1.1: an incident caused by another (``trigger:`` instead of ``rate`` or ``at``).

    When the condition ``when`` happens to an incident of the entry with id ``incident``, this entry's
    incident is called ``delay`` later with ``probability`` (decided once per triggering incident)."""

    incident: Id = Field(description="The id of the triggering entry")
    when: Union[Literal["kuning", "merah", "resolved"], UnresolvedAfter] = Field(
        description="kuning or merah (the triggering crowd reaches the level), resolved, or "
                    "{unresolved_after: DURATION} (still open that long after its call)")
    probability: float = Field(1.0, ge=0, le=1, description="The chance that the condition causes the incident")
    delay: DurationDist = Field(default=0.0, validate_default=True,
                                description="From the condition to this incident's call (a duration or distribution)")

    @property
    def level(self) -> int | None:
        """The crowd level ``when`` names (None: not a level)."""
        return TRIGGER_LEVELS.get(self.when) if isinstance(self.when, str) else None

    @property
    def after(self) -> float | None:
        """``unresolved_after``'s minutes (None: another condition)."""
        return self.when.unresolved_after if isinstance(self.when, UnresolvedAfter) else None


class IncidentBase(Strict):
    id: Optional[Id] = Field(None, json_schema_extra=since("1.1"),
                             description="Format 1.1: names the entry (a trigger names the entry that triggers it)")
    label: Optional[str] = Field(None, description="Name shown in reports")
    label_id: Optional[NonEmptyText] = Field(None, json_schema_extra=since("1.1"),
                                             description="Format 1.1: the label in Indonesian (--lang id)")
    rate: Optional[Rates] = Field(None, description="Poisson arrivals: a rate or a profile")
    at: Optional[Clock] = Field(None, description="A scripted event at this clock time")
    trigger: Optional[Trigger] = Field(None, json_schema_extra=since("1.1"),
                                       description="Format 1.1: caused by another incident (instead of rate or at)")
    where: Where
    priority: PositiveInt = Field(2, le=limits.MAX_PRIORITY, description="1 is most urgent")

    @model_validator(mode="after")
    def _rate_or_at(self) -> "IncidentBase":
        if self.rate is not None and self.at is not None:
            raise ValueError("give either rate (a generator) or at (a scripted event), not both")
        if self.trigger is not None and (self.rate is not None or self.at is not None):
            raise ValueError(f"give either {'rate' if self.rate is not None else 'at'} or trigger (an incident caused "
                             "by another), not both")
        if self.rate is None and self.at is None and self.trigger is None:
            raise ValueError("give rate (a generator, e.g. rate: 6/h) or at (a scripted event, e.g. at: \"13:00\")")
        if self.where.from_trigger and self.trigger is None:
            raise ValueError(f"where: {{{'at' if self.where.at else 'near'}: trigger}} is the place of a triggering "
                             "incident: give trigger: {incident: ID, when: ...}, or another where")
        return self


