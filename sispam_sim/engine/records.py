"""Flat records that one replication produces; every statistic is computed from them later.

The engine only appends to these; it never summarises. Times are minutes from
``clock.start``; ``None`` means "did not happen" (an empty CSV cell).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

from sispam_sim.scenario import kinds

#: The columns of ``incidents.csv``, in order (the output contract of DESIGN.md).
INCIDENT_COLUMNS = (
    "replication", "id", "kind", "priority", "place", "lat", "lon",
    "call", "first_dispatch", "first_arrival", "full_strength", "resolved",
    "dispatch_delay", "response_time", "full_strength_time", "resolution_time",
    "tps_downtime", "need", "max_level", "units",
    "entry", "label", "site", "level_minutes", "short_minutes",
)
#: ``incidents.csv`` of a format 1.1 scenario: six more columns, ``triggered_by`` (the id of the
#: incident that triggered it; empty for a drawn one), ``outside_units`` (units sent from outside
#: the incident's area of responsibility: mutual aid), ``unguarded`` (1: at a TPS whose guard
#: group was not standing guard at the call, 0: it was; empty: not at a guarded TPS), then of the
#: unit that reached the scene first ``first_unit`` (its id), ``mobilise_minutes`` (its dispatch to
#: leaving) and ``travel_minutes`` (leaving to arriving): the wait for it (call to its dispatch) is
#: ``response_time`` minus both. A version 1 file's keeps the columns above, byte for byte.
INCIDENT_COLUMNS_1_1 = INCIDENT_COLUMNS + ("triggered_by", "outside_units", "unguarded",
                                           "first_unit", "mobilise_minutes", "travel_minutes")


def incident_columns(version) -> tuple[str, ...]:
    """The ``incidents.csv`` columns of a scenario that says ``version``."""
    return INCIDENT_COLUMNS if float(version) < 1.1 else INCIDENT_COLUMNS_1_1


def _since(t: float | None, call: float) -> float | None:
    return None if t is None else t - call


@dataclass(slots=True)
class IncidentRecord:
    """What happened to one incident in one replication (slots: no per-record dict to allocate,
    and one object less for the garbage collector to look at in each of the many records)."""

    replication: int
    id: str                     # unique within the replication, e.g. "rapid_response-0007"
    kind: str                   # the entry's kind (scenario.kinds)
    entry: int                  # index of the incident entry in the scenario
    label: str                  # the entry's label, or its kind
    priority: int
    place: str                  # place id, district id or site id
    site: str | None            # the TPS id when the incident is at a site
    lat: float
    lon: float
    call: float
    need: int                   # peak personnel need (summed over capabilities)
    #: voting stops at its TPS from the call to resolution (its kind has ``tps_downtime``); the
    #: engine sets it from the kind, None (a record built by hand) asks the registry by ``kind``.
    #: Not a column: it decides whether the ``tps_downtime`` column has a value
    stops_voting: bool | None = None
    first_dispatch: float | None = None
    first_arrival: float | None = None
    #: the start of the final stretch with on-scene crew >= need that lasts to resolution (or,
    #: unresolved, to the end of the run); None when not covered at the end of the run
    full_strength: float | None = None
    resolved: float | None = None
    max_level: int = 1
    units: list[str] = field(default_factory=list)          # ids of every unit sent, in dispatch order
    level_minutes: list[float] = field(default_factory=lambda: [0.0, 0.0, 0.0])  # time at hijau, kuning, merah
    #: minutes from the call to resolution (or the end of the run) with on-scene crew < need
    short_minutes: float = 0.0
    #: the id of the incident that triggered it (format 1.1 ``trigger``); None for a drawn one
    triggered_by: str | None = None
    #: units sent from outside the incident's area of responsibility (format 1.1 mutual aid)
    outside_units: int = 0
    #: at a guarded TPS (a guard.tps rule for its risk): 1 when its guard group was not standing
    #: guard at the call (sent to another TPS, escorting, off duty), 0 when it was; None elsewhere
    unguarded: int | None = None
    #: when each unit of ``units`` was sent, in the same order (not a column: the findings measure
    #: a single point of failure's wait for its one unit with it)
    sent: list[float] = field(default_factory=list)
    #: the unit that reached the scene first: its id and type, when it was sent to this incident and
    #: when it left (after mobilising; a unit sent from the road leaves at once); None: none arrived
    first_unit: str | None = None
    first_unit_type: str | None = None
    first_unit_dispatch: float | None = None
    first_unit_leave: float | None = None

    @property
    def unit_wait(self) -> float | None:
        """Minutes from the call to the dispatch of the unit that arrived first (waiting for a unit)."""
        return _since(self.first_unit_dispatch, self.call)

    @property
    def mobilise_minutes(self) -> float | None:
        """Minutes the first unit on scene took from its dispatch to leaving."""
        dispatch = self.first_unit_dispatch
        return None if dispatch is None else _since(self.first_unit_leave, dispatch)

    @property
    def travel_minutes(self) -> float | None:
        """Minutes the first unit on scene drove, from leaving to arriving. With :attr:`unit_wait` and
        :attr:`mobilise_minutes` it makes up ``response_time``: the three differences telescope."""
        leave = self.first_unit_leave
        return None if leave is None else _since(self.first_arrival, leave)

    @property
    def dispatch_delay(self) -> float | None:
        return _since(self.first_dispatch, self.call)

    @property
    def response_time(self) -> float | None:
        return _since(self.first_arrival, self.call)

    @property
    def full_strength_time(self) -> float | None:
        return _since(self.full_strength, self.call)

    @property
    def resolution_time(self) -> float | None:
        return _since(self.resolved, self.call)

    @property
    def tps_downtime(self) -> float | None:
        """Voting stopped at the TPS from the call to resolution (kinds with ``tps_downtime`` only)."""
        stops = self.stops_voting
        if stops is None:
            kind = kinds.get(self.kind)
            stops = kind is not None and "tps_downtime" in kind.metrics
        return self.resolution_time if stops else None

    def as_row(self, columns: tuple[str, ...] = INCIDENT_COLUMNS) -> dict:
        """One ``incidents.csv`` row (unit ids joined by ``;``, level minutes by ``;``)."""
        row = {name: getattr(self, name) for name in columns}
        row["units"] = ";".join(self.units)
        row["level_minutes"] = ";".join(f"{m:.3f}" for m in self.level_minutes)
        return row


#: The columns of ``timeline.csv``.
TIMELINE_COLUMNS = ("replication", "time", "unit_type", "committed", "on_scene", "free")


@dataclass(slots=True)
class TimelinePoint:
    """Personnel of one unit type at one moment (sampled when it changes)."""

    replication: int
    time: float
    unit_type: str
    committed: int   # crew assigned to an incident (mobilising, travelling or on scene)
    on_scene: int
    free: int        # at base or returning (available)


#: The columns of ``events.csv``.
EVENT_COLUMNS = ("replication", "time", "unit", "incident", "action")

#: What an :class:`Event` may say. Unit actions: a unit is sent (``dispatch``), reaches the
#: incident (``arrive``), is let go (``release``: resolved, or surplus of a shrinking crowd),
#: is taken by a priority-1 incident (``preempt``: logged with the incident it leaves, followed
#: by ``dispatch`` to the new one), is back at its base (``base``). Incident actions (``unit``
#: empty): ``call``; ``full_strength``: on-scene crew covers the need (again); ``short``: an
#: incident that was covered is not any more (a unit preempted, or a crowd that outgrew its
#: crew), logged each time; ``escalate``; ``resolve``.
EVENT_ACTIONS = ("dispatch", "arrive", "release", "preempt", "base", "call", "full_strength", "short",
                 "escalate", "resolve", "on_duty", "off_duty")


class Event(NamedTuple):
    """One thing that happened, in the order it happened (``""`` where no unit or incident)."""

    time: float
    unit: str
    incident: str
    action: str


@dataclass
class ReplicationResult:
    """Everything one replication produced: flat records, no statistics."""

    replication: int
    incidents: list[IncidentRecord]
    timeline: list[TimelinePoint]
    #: crew-minutes committed to incidents (dispatch to release) per unit type, within the
    #: operating window [0, duration]
    busy_crew_minutes: dict[str, float]
    #: crew-minutes available per unit type over the same window (crew x units x duration)
    available_crew_minutes: dict[str, float]
    #: the time the replication ended (all resolved, or duration + drain); never before duration
    end: float
    #: the operating window's length, ``clock.duration`` (omitted: taken to be ``end``)
    duration: float | None = None
    #: crew-minutes committed to incidents per unit type after the window, in (duration, end]
    drain_busy_crew_minutes: dict[str, float] = field(default_factory=dict)
    #: every dispatch, arrival, release ... in time order (empty when not recorded)
    events: list[Event] = field(default_factory=list)
    #: the columns of its ``incidents.csv`` rows (:func:`incident_columns` of the scenario's version)
    incident_columns: tuple[str, ...] = INCIDENT_COLUMNS

    def __post_init__(self) -> None:
        if self.duration is None:
            self.duration = self.end
