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
from sispam_sim.scenario.versions import since
from sispam_sim.scenario.types import (
    Level, CLOCK_JSON, RATE_JSON, Clock, Id, Latitude, Longitude, NonNegDuration, NonNegInt, PositiveDuration, PositiveInt, PositiveRate,
    Risk, RISKS, When,
)
from sispam_sim.scenario.quantities import PhaseRef
from sispam_sim.scenario import kinds
from sispam_sim.scenario.entry import (  # noqa: F401
    IncidentBase, NonEmptyText, RateProfile, Rates, SiteFilter, Strict, Where,
)
from sispam_sim.scenario.kinds import incident_union
from sispam_sim.scenario.metrics import INCIDENT_METRICS, TARGET_STATS_FOR, canonical_metric


# ---------------------------------------------------------------- clock

def _without_nulls(value: Any) -> Any:
    """``null`` for an entry removes it: a plan that ``extends`` another may drop what the base sets
    (``guard: {tps: {aman: null}}``: no guards for aman TPS; ``clock: {phases: null}``: no phases)."""
    if value is None:
        return {}
    if isinstance(value, dict):
        return {key: item for key, item in value.items() if item is not None}
    return value



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
    # Optional only so that the JSON Schema allows the null that removes an entry: validated, never None
    phases: Annotated[Optional[dict[Id, Optional[Annotated[list[Clock], Field(min_length=2, max_length=2)]]]],
                      BeforeValidator(_without_nulls)] = Field(
        default_factory=dict, max_length=limits.MAX_PHASES, json_schema_extra=since("1.1"),
        description='Format 1.1: named phases of the day, {NAME: ["HH:MM", "HH:MM"]} (from, until; they may '
                    'not overlap); rates, availability, guards and targets may name a phase')

    def minutes(self, when: "ClockTime | PhaseRef", end: bool = False) -> float:
        """Minutes from ``start`` to a clock time written in the scenario, or to the start of a
        phase it names (its end with ``end``: the moment an ``until`` names)."""
        if isinstance(when, PhaseRef):
            return self.phases[when.name][1 if end else 0].offset(self.start)
        return when.offset(self.start)

    def phase_span(self, name: str) -> tuple[float, float]:
        """(from, until) of phase ``name`` in minutes from ``start``."""
        first, last = self.phases[name]
        return first.offset(self.start), last.offset(self.start)


# ---------------------------------------------------------------- map

class Place(Strict):
    lat: Latitude
    lon: Longitude
    name: Optional[str] = None
    name_id: Optional[NonEmptyText] = Field(None, json_schema_extra=since("1.1"),
                                            description="Format 1.1: the name in Indonesian (--lang id)")


class District(Strict):
    lat: Latitude
    lon: Longitude
    radius_km: float = Field(gt=0, le=500)
    name: Optional[str] = None
    name_id: Optional[NonEmptyText] = Field(None, json_schema_extra=since("1.1"),
                                            description="Format 1.1: the name in Indonesian (--lang id)")


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
    boundaries: Optional[str] = Field(
        None, min_length=1, json_schema_extra=since("1.1"),
        description="Format 1.1: a GeoJSON FeatureCollection of the districts' shapes (Polygon or MultiPolygon), "
                    "drawn on the report's map; each feature names its district by properties.district, .id or "
                    ".name, or its id")


# ---------------------------------------------------------------- forces

class UnitType(Strict):
    name: Optional[NonEmptyText] = Field(None, json_schema_extra=since("1.1"),
                                         description="Format 1.1: the name reports show (default: the type's id "
                                                     "in words, polsek_qrt -> Polsek QRT)")
    name_id: Optional[NonEmptyText] = Field(None, json_schema_extra=since("1.1"),
                                            description="Format 1.1: the name in Indonesian (--lang id)")
    crew: PositiveInt = Field(le=limits.MAX_CREW, description="Personnel in one unit")
    speed_kmh: float = Field(ge=limits.MIN_SPEED_KMH, le=300)
    mobilise: DurationDist = Field(default=0.0, validate_default=True,
                                   description="Dispatch to leaving base (0 = ready to roll)")
    capabilities: list[Id] = Field(min_length=1)
    tier: PositiveInt = Field(1, description="Answers only at escalation level >= tier (1 hijau, 2 kuning, 3 merah)")
    max_level: Level = Field(3, json_schema_extra=since("1.1"),
                             description="Format 1.1: the highest crowd level at which its crew counts toward a "
                                         "crowd's need; above it the unit is released (hand-over) and not sent")


class AreaDistricts(Strict):
    """``area: {districts: [...]}``: the districts a unit answers in."""

    districts: list[Id] = Field(min_length=1, description="The districts (map.districts) the unit answers in")


class Availability(Strict):
    """``available: {from: CLOCK_OR_PHASE, until: CLOCK_OR_PHASE}``: when a unit is on duty."""

    start: Optional[When] = Field(None, alias="from", description="On duty at its base from this moment "
                                                                  "(a phase: its start)")
    until: Optional[When] = Field(None, description="Off duty from this moment, once its current incident is "
                                                    "resolved (a phase: its end)")

    @model_validator(mode="after")
    def _something(self) -> "Availability":
        if self.start is None and self.until is None:
            raise ValueError("give from, until or both, e.g. {from: \"14:00\"}")
        return self


def _phase_shorthand(value: Any) -> Any:
    """``available: escort`` stands for ``{from: escort, until: escort}``."""
    if isinstance(value, str):
        return {"from": value, "until": value}
    return value


class OnRequest(Strict):
    """``on_request: {delay: ...}``: off duty until first needed, then on duty after the delay."""

    delay: DurationDist = Field(description="From the first dispatch that needs the unit to its being ready at "
                                            "its base (a duration or distribution); once, then it stays on duty")


class UnitGroup(Strict):
    id: Id
    type: Id
    base: Id
    count: Optional[PositiveInt] = Field(None, le=limits.MAX_UNITS, description="With count, ids are id-1 .. id-N")
    area: Optional[Union[Literal["base"], AreaDistricts]] = Field(
        None, json_schema_extra=since("1.1"),
        description="Format 1.1: the area of responsibility: base (the district its base lies in) or "
                    "{districts: [...]}; outside it the unit answers only as mutual aid (dispatch.mutual_aid)")
    available: Optional[Annotated[Availability, BeforeValidator(_phase_shorthand)]] = Field(
        None, json_schema_extra=since("1.1"),
        description="Format 1.1: {from: CLOCK_OR_PHASE, until: CLOCK_OR_PHASE}, or a phase name for both")
    on_request: Optional[OnRequest] = Field(None, json_schema_extra=since("1.1"),
                                            description="Format 1.1: off duty until first needed")

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


class GuardRespond(Strict):
    """``guard.respond``: the guard group of the incident's TPS goes first to these entries."""

    incidents: list[Id] = Field(min_length=1, description="Entry ids (incidents[].id) the guards answer first")
    within: Literal["group"] = Field("group", description="group: the guard group of the TPS group holding the "
                                                          "incident's TPS, from its group's base")


class GuardEscort(Strict):
    """``guard.escort``: the guards escort the ballot boxes during a phase."""

    phase: Id = Field(description="The phase (clock.phases) during which the guards escort the ballot boxes")
    after_escort: Literal["response", "off"] = Field(
        "response", description="response: back on duty as mobile response units at their group's base; off: off duty")


class Guard(Strict):
    tps: Annotated[Optional[dict[Risk, Optional[GuardRule]]], BeforeValidator(_without_nulls)] = Field(
        default_factory=dict, description="Guard rule per risk category; null removes a base's rule")
    groups: Literal["in_order", "nearby"] = Field(
        "in_order", json_schema_extra=since("1.1"),
        description="Format 1.1: how TPS are cut into guard groups: in_order (site order, posted at the first "
                    "TPS) or nearby (neighbouring TPS, posted at the one nearest their middle)")
    respond: Optional[GuardRespond] = Field(None, json_schema_extra=since("1.1"),
                                            description="Format 1.1: guards as first responders")
    until: Optional[When] = Field(None, json_schema_extra=since("1.1"),
                                  description="Format 1.1: the static guard ends at this moment (a phase: its end)")
    escort: Optional[GuardEscort] = Field(None, json_schema_extra=since("1.1"),
                                          description="Format 1.1: the guards escort the ballot boxes in a phase")


# ---------------------------------------------------------------- incidents

#: One incident entry: the model of its kind, chosen by ``kind:`` (the registry of kinds:
#: :mod:`sispam_sim.scenario.kinds`, which rebuilds this union when a kind is registered).
Incident = incident_union()


# ---------------------------------------------------------------- dispatch and targets

class MutualAid(Strict):
    after: NonNegDuration = Field(description="How long a call waits for its area's units before units from "
                                              "outside become candidates")


class Dispatch(Strict):
    policy: Id = Field("nearest", description="Dispatch policy by name (nearest = earliest arrival)")
    reserve: dict[Id, NonNegInt] = Field(default_factory=dict,
                                         description="Personnel per capability kept for priority-1 incidents")
    tiers: Literal["escalation", "open"] = "escalation"
    pull_guards: bool = False
    preempt: bool = False
    mutual_aid: Union[Literal["immediate", "never"], MutualAid] = Field(
        "immediate", json_schema_extra=since("1.1"),
        description="Format 1.1, units with an area: immediate (outside units after the area's, at once), never, "
                    "or {after: DURATION} of waiting")

    @property
    def aid_after(self) -> float:
        """Minutes a call waits before units from outside its area are candidates (inf: never)."""
        if self.mutual_aid == "immediate":
            return 0.0
        if self.mutual_aid == "never":
            return float("inf")
        return self.mutual_aid.after


TimeLimits = Optional[dict[Literal[TARGET_STATS_FOR["response_time"]], NonNegDuration]]  # type: ignore[misc]
CountLimits = Optional[dict[Literal[TARGET_STATS_FOR["unresolved"]], Annotated[float, Field(ge=0)]]]  # type: ignore[misc]


class TargetSpec(NamedTuple):
    """One target as written: ``kind`` None for all incidents; ``path`` the key path of its limit."""

    kind: str | None
    metric: str         # the name written (``full_strength`` stays ``full_strength``)
    stat: str
    limit: float | int  # minutes for time metrics; a level or count (int when whole) for day metrics
    path: tuple         # e.g. ("targets", "by_kind", "station_disruption", "tps_downtime", "p95")
    phase: str | None = None   # format 1.1 ``by_phase``: judged on the incidents called in this phase


class MetricTargets(Strict):
    """Limits per metric; time limits are durations, the others counts or levels."""

    response_time: TimeLimits = Field(None, description="Call to first unit on scene")
    dispatch_delay: TimeLimits = Field(None, description="Call to first dispatch")
    full_strength: TimeLimits = Field(None, description="Call to need met on scene, and staying met")
    full_strength_time: TimeLimits = Field(None, description="Same as full_strength")
    resolution_time: TimeLimits = Field(None, description="Call to resolved")
    tps_downtime: TimeLimits = Field(None, description="Voting stopped at a TPS, call to resolved (the kinds "
                                                       "that stop voting)")
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

    def _rows(self, kind: str | None, path: tuple, phase: str | None = None) -> list[TargetSpec]:
        rows = []
        for metric in self._order:
            for stat, limit in (getattr(self, metric) or {}).items():
                if canonical_metric(metric) not in INCIDENT_METRICS and float(limit).is_integer():
                    limit = int(limit)
                rows.append(TargetSpec(kind, metric, stat, limit, path + (metric, stat), phase))
        return rows


class Targets(MetricTargets):
    """``targets:``: limits over all incidents, ``by_kind`` for one incident kind and (format 1.1)
    ``by_phase`` for the incidents called in one phase of the day."""

    by_kind: dict[Literal[kinds.names()], MetricTargets] = Field(  # type: ignore[valid-type]
        default_factory=dict, description="The same limits for the incidents of one kind")
    by_phase: Annotated[Optional[dict[Id, Optional[MetricTargets]]], BeforeValidator(_without_nulls)] = Field(
        default_factory=dict, json_schema_extra=since("1.1"),
        description="Format 1.1: the same limits (incident metrics only) for the incidents called in a phase of "
                    "clock.phases, from its start up to (not including) its end")

    def rows(self) -> list[TargetSpec]:
        """Every target in the order written: the top level first, then ``by_kind`` kind by kind,
        then ``by_phase`` phase by phase."""
        rows = self._rows(None, ("targets",))
        for kind, targets in self.by_kind.items():
            rows += targets._rows(kind, ("targets", "by_kind", kind))
        for phase, targets in self.by_phase.items():
            rows += targets._rows(None, ("targets", "by_phase", phase), phase)
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
    """A whole scenario file, version 1 or 1.1 (additive: sispam_sim.scenario.versions)."""

    version: Annotated[Literal[1, 1.1], BeforeValidator(_version_as_written)] = Field(
        description="Scenario format version: 1, or 1.1 for a file that uses a key format 1.1 added")
    name: str = Field(min_length=1)
    name_id: Optional[NonEmptyText] = Field(None, json_schema_extra=since("1.1"),
                                            description="Format 1.1: the name in Indonesian (--lang id)")
    description: str = ""
    description_id: Optional[str] = Field(None, json_schema_extra=since("1.1"),
                                          description="Format 1.1: the description in Indonesian (--lang id)")
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


def rebuild() -> None:
    """Make the models take the registered kinds (:func:`sispam_sim.scenario.kinds.register` calls
    this): the incident union of ``incidents`` and the kinds ``targets.by_kind`` accepts."""
    global Incident
    Incident = incident_union()
    Targets.model_fields["by_kind"].annotation = dict[Literal[kinds.names()], MetricTargets]  # type: ignore[valid-type]
    Targets.model_rebuild(force=True)
    Scenario.model_fields["incidents"].annotation = list[Incident]
    Scenario.model_rebuild(force=True)
