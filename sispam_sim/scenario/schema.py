"""Scenario format version 1: one pydantic model per block of the YAML.

The models check each value on its own (types, ranges, quantities, unknown keys);
checks that need the whole scenario (references between blocks, feasibility, load)
are in :mod:`sispam_sim.scenario.validate`. Field names are the YAML keys: this file
is the user-facing contract and must not rename anything.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal, NamedTuple, Optional, Sequence, Union

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, PrivateAttr, WithJsonSchema, field_validator, model_validator

from sispam_sim.scenario import limits
from sispam_sim.scenario.distributions import DurationDist
from sispam_sim.scenario.quantities import ClockTime, format_duration, parse_datetime, round_up
from sispam_sim.scenario.types import (
    CLOCK_JSON, RATE_JSON, Clock, Id, Latitude, Longitude, NonNegDuration, NonNegInt, PositiveDuration, PositiveInt, PositiveRate,
    Risk, RISKS,
)
from sispam_sim.scenario.metrics import INCIDENT_METRICS, KIND_ORDER, TARGET_STATS_FOR, canonical_metric

INCIDENT_KINDS = KIND_ORDER


class Strict(BaseModel):
    """Unknown keys are errors (a typo must not pass silently); parsed values are frozen."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, strict=True,
                              allow_inf_nan=False)


# ---------------------------------------------------------------- clock

def _clock_span(minutes: float) -> float:
    if minutes > limits.MAX_CLOCK_MINUTES:
        raise ValueError(f"must be at most {format_duration(limits.MAX_CLOCK_MINUTES)}, "
                         f"found {format_duration(minutes) if minutes < 1e12 else f'{minutes:g} min'}")
    return minutes


#: The incident window and the drain: durations of at most a week.
SpanLength = Annotated[PositiveDuration, AfterValidator(_clock_span)]
DrainLength = Annotated[NonNegDuration, AfterValidator(_clock_span)]


class ClockBlock(Strict):
    start: Annotated[datetime, BeforeValidator(parse_datetime),
                     WithJsonSchema({"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2} \d{1,2}:\d{2}$",
                                     "description": 'Start of the day, "YYYY-MM-DD HH:MM"'})]
    duration: SpanLength = Field(description="How long incidents arrive (at most 7d)")
    drain: DrainLength = Field(720.0, description="How long the run goes on to resolve what is left (at most 7d)")

    def minutes(self, when: ClockTime) -> float:
        """Minutes from ``start`` to a clock time written in the scenario."""
        return when.offset(self.start)


# ---------------------------------------------------------------- map

class Place(Strict):
    lat: Latitude
    lon: Longitude
    name: Optional[str] = None


class District(Strict):
    lat: Latitude
    lon: Longitude
    radius_km: float = Field(gt=0, le=500)
    name: Optional[str] = None


class SiteGenerate(Strict):
    district: Id
    count: PositiveInt = Field(le=limits.MAX_SITES)
    risk: dict[Risk, float] = Field(default_factory=lambda: {"aman": 1.0})

    @field_validator("risk")
    @classmethod
    def _probabilities(cls, risk: dict[str, float]) -> dict[str, float]:
        if not risk:
            raise ValueError("give at least one risk category with its share, e.g. {aman: 1.0}")
        if any(p < 0 for p in risk.values()):
            raise ValueError("risk shares must be >= 0")
        total = sum(risk.values())
        if abs(total - 1.0) > 1e-6:
            raise ValueError(f"risk shares must sum to 1, found {total:g}")
        return risk


class Sites(Strict):
    generate: list[SiteGenerate] = Field(default_factory=list)
    file: Optional[str] = Field(None, description="CSV with columns id,lat,lon,risk[,district]")


class Travel(Strict):
    road_factor: Optional[float] = Field(None, gt=0, le=10,
                                         description="Great-circle km x factor / unit speed (default 1.3)")
    matrix: Optional[str] = Field(None, description="CSV of minutes between place ids (rows = from)")

    @model_validator(mode="after")
    def _one_model(self) -> "Travel":
        if self.road_factor is not None and self.matrix is not None:
            raise ValueError("give either road_factor or matrix, not both")
        return self

    @property
    def factor(self) -> float:
        return 1.3 if self.road_factor is None else self.road_factor


class MapBlock(Strict):
    travel: Travel = Field(default_factory=Travel)
    places: dict[Id, Place] = Field(min_length=1)
    districts: dict[Id, District] = Field(default_factory=dict)
    sites: Sites = Field(default_factory=Sites)


# ---------------------------------------------------------------- forces

class UnitType(Strict):
    crew: PositiveInt = Field(le=limits.MAX_CREW, description="Personnel in one unit")
    speed_kmh: float = Field(ge=limits.MIN_SPEED_KMH, le=300)
    mobilise: DurationDist = Field(default=0.0, validate_default=True,
                                   description="Dispatch to leaving base (0 = ready to roll)")
    capabilities: list[Id] = Field(min_length=1)
    tier: PositiveInt = Field(1, description="Answers only at escalation level >= tier (1 hijau, 2 kuning, 3 merah)")


class UnitGroup(Strict):
    id: Id
    type: Id
    base: Id
    count: Optional[PositiveInt] = Field(None, le=limits.MAX_UNITS, description="With count, ids are id-1 .. id-N")

    def unit_ids(self) -> list[str]:
        if self.count is None:
            return [self.id]
        return [f"{self.id}-{n}" for n in range(1, self.count + 1)]


class Forces(Strict):
    types: dict[Id, UnitType] = Field(min_length=1)
    units: list[UnitGroup] = Field(min_length=1)


# ---------------------------------------------------------------- guard

class GuardRule(Strict):
    police: PositiveInt = Field(le=limits.MAX_CREW, description="Police in one guard group")
    per_tps: PositiveInt = Field(le=limits.MAX_SITES, description="TPS one group covers")


class Guard(Strict):
    tps: dict[Risk, GuardRule] = Field(default_factory=dict)


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

    def steps(self, clock: ClockBlock) -> list[tuple[float, float]]:
        """``[(from_minute, per_minute), ...]`` sorted; the rate before the first step is 0."""
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


class RapidResponse(IncidentBase):
    """A call for help (110): send units until the need is met, work on scene, go back."""

    kind: Literal["rapid_response"]
    needs: dict[Id, Annotated[PositiveInt, Field(le=limits.MAX_NEED)]] = Field(
        min_length=1, description="Personnel per capability")
    work: DurationDist


class StationDisruption(RapidResponse):
    """Voting stops at a TPS from the call until the incident is resolved (TPS downtime)."""

    kind: Literal["station_disruption"]  # type: ignore[assignment]

    @model_validator(mode="after")
    def _at_a_site(self) -> "StationDisruption":
        if not self.where.selects_sites:
            raise ValueError("a station_disruption happens at a TPS: use where: {sites: ...}")
        return self


class Crowd(Strict):
    initial: NonNegInt = Field(le=limits.MAX_CROWD, description="Persons at the call")
    growth: PositiveRate = Field(description='Persons per time while growing (and dispersing), e.g. "20/min"')
    peak: PositiveInt = Field(le=limits.MAX_CROWD)
    lasts: DurationDist = Field(description="How long the crowd holds at its peak")

    @model_validator(mode="after")
    def _peak_above_initial(self) -> "Crowd":
        if self.peak < self.initial:
            raise ValueError(f"peak ({self.peak}) must be >= initial ({self.initial})")
        return self


class Escalation(Strict):
    below: float = Field(gt=0, le=1, description="Escalate when on-scene / need stays below this")
    after: NonNegDuration = Field(description="... for this long without a break")
    factor: float = Field(ge=1, le=limits.MAX_ESCALATION_FACTOR, description="Need multiplies by this at each level")


class CrowdBuildup(IncidentBase):
    """A crowd that grows, holds and disperses only while controlled; it may escalate."""

    kind: Literal["crowd_buildup"]
    crowd: Crowd
    per_officer: float = Field(ge=limits.MIN_PER_OFFICER, le=limits.MAX_PER_OFFICER,
                               description="Persons in the crowd per crowd_control officer")
    escalation: Optional[Escalation] = None
    capability: Id = Field("crowd_control", description="The capability that controls the crowd")

    def need_at_peak(self, level: int = 1) -> int:
        """ceil(ceil(peak / per_officer) x factor^(level - 1)), as the engine computes need."""
        factor = self.escalation.factor if self.escalation else 1.0
        return round_up(round_up(self.crowd.peak / self.per_officer) * factor ** (level - 1))


Incident = Annotated[Union[RapidResponse, StationDisruption, CrowdBuildup], Field(discriminator="kind")]


# ---------------------------------------------------------------- dispatch and targets

class Dispatch(Strict):
    policy: Id = Field("nearest", description="Dispatch policy by name (nearest = earliest arrival)")
    reserve: dict[Id, NonNegInt] = Field(default_factory=dict,
                                         description="Personnel per capability kept for priority-1 incidents")
    tiers: Literal["escalation", "open"] = "escalation"
    pull_guards: bool = False
    preempt: bool = False


TimeLimits = Optional[dict[Literal[TARGET_STATS_FOR["response_time"]], NonNegDuration]]  # type: ignore[misc]
CountLimits = Optional[dict[Literal[TARGET_STATS_FOR["unresolved"]], Annotated[float, Field(ge=0)]]]  # type: ignore[misc]


class TargetSpec(NamedTuple):
    """One target as written: ``kind`` None for all incidents; ``path`` the key path of its limit."""

    kind: str | None
    metric: str         # the name written (``full_strength`` stays ``full_strength``)
    stat: str
    limit: float | int  # minutes for time metrics; a level or count (int when whole) for day metrics
    path: tuple         # e.g. ("targets", "by_kind", "station_disruption", "tps_downtime", "p95")


class MetricTargets(Strict):
    """Limits per metric; time limits are durations, the others counts or levels."""

    response_time: TimeLimits = Field(None, description="Call to first unit on scene")
    dispatch_delay: TimeLimits = Field(None, description="Call to first dispatch")
    full_strength: TimeLimits = Field(None, description="Call to need met on scene, and staying met")
    full_strength_time: TimeLimits = Field(None, description="Same as full_strength")
    resolution_time: TimeLimits = Field(None, description="Call to resolved")
    tps_downtime: TimeLimits = Field(None, description="Voting stopped at a TPS (station_disruption)")
    short_minutes: TimeLimits = Field(None, description="Minutes between call and resolution with less crew "
                                                        "on scene than the need")
    max_level: CountLimits = Field(None, description="Highest escalation level of a day (1 hijau, 2 kuning, 3 merah)")
    unresolved: CountLimits = Field(None, description="Incidents not resolved by the end of the drain, per day")

    _order: tuple = PrivateAttr(default=())  # metric keys in the order written

    @model_validator(mode="wrap")
    @classmethod
    def _keep_order(cls, data: Any, handler: Any) -> "MetricTargets":
        model = handler(data)
        if isinstance(data, dict):
            model._order = tuple(key for key in data if key in MetricTargets.model_fields)
        return model

    def _rows(self, kind: str | None, path: tuple) -> list[TargetSpec]:
        rows = []
        for metric in self._order:
            for stat, limit in (getattr(self, metric) or {}).items():
                if canonical_metric(metric) not in INCIDENT_METRICS and float(limit).is_integer():
                    limit = int(limit)
                rows.append(TargetSpec(kind, metric, stat, limit, path + (metric, stat)))
        return rows


class Targets(MetricTargets):
    """``targets:``: limits over all incidents, and ``by_kind`` for one incident kind."""

    by_kind: dict[Literal[INCIDENT_KINDS], MetricTargets] = Field(  # type: ignore[valid-type]
        default_factory=dict, description="The same limits for the incidents of one kind")

    def rows(self) -> list[TargetSpec]:
        """Every target in the order written: the top level first, then ``by_kind`` kind by kind."""
        rows = self._rows(None, ("targets",))
        for kind, targets in self.by_kind.items():
            rows += targets._rows(kind, ("targets", "by_kind", kind))
        return rows


def _version_as_written(value: Any) -> Any:
    """``1.0`` and ``true`` equal 1 in Python: refuse them as whole-number keys refuse ``4.0``.

    Other numbers and strings go on to the format check (which names the versions it reads,
    so that a later format can add ``1.1`` there).
    """
    if isinstance(value, bool):
        raise ValueError(f"expected a whole number, found a boolean ({str(value).lower()}): write version: 1")
    if isinstance(value, float) and value == 1:
        raise ValueError(f"expected a whole number, found {value!r}: write {int(value)}, not {value!r}")
    return value


class Scenario(Strict):
    """A whole scenario file, version 1."""

    version: Annotated[Literal[1], BeforeValidator(_version_as_written)] = Field(
        description="Scenario format version; must be 1")
    name: str = Field(min_length=1)
    description: str = ""
    clock: ClockBlock
    seed: NonNegInt = Field(1, le=limits.MAX_SEED, description="Every random draw derives from this")
    replications: PositiveInt = Field(100, le=limits.MAX_REPLICATIONS,
                                      description="Default number of replications for run")
    personnel_limit: Optional[PositiveInt] = None
    map: MapBlock
    forces: Forces
    guard: Guard = Field(default_factory=Guard)
    incidents: list[Incident] = Field(min_length=1)
    dispatch: Dispatch = Field(default_factory=Dispatch)
    targets: Targets = Field(default_factory=Targets)
