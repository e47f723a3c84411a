"""Where every unit of one simulated day was, and what it was doing: the day's events played again
through the engine's own movement rules.

``events.csv`` says when a unit was dispatched, arrived, was released, taken by a priority-1 incident
(``preempt``) or was back at base. What it did in between follows from the rules of
:meth:`sispam_sim.engine.model._Replication._send` and ``release``, which this module applies again
with the engine's own pieces (the unit table of :mod:`sispam_sim.engine.units`, the travel model of
:mod:`sispam_sim.core.geo`, the dispatcher's travel from the bases):

* sent from its base, a unit mobilises, then drives straight to the incident: it leaves at the
  dispatch + its mobilise time, drawn from the unit's own stream in the order the engine drew it
  (:meth:`~sispam_sim.engine.units.UnitTable.mobilise`; an on-request unit's delay first, the first
  time), and drives the travel model's minutes from its base;
* sent while driving back (*redirected*), it leaves at once from where it is on its way back;
* taken by a priority-1 incident (*preempted*), it goes from where it is; one still mobilising keeps
  its departure time;
* released, it drives back from where it is (available on the way), or is at base at once (released
  before it left, or at an incident at its base: no ``base`` event then).

So mobilising is dispatch to leaving, and travel is the deterministic drive from where the unit was;
the arrival events.csv records ends the leg (the reconstruction's own arrival agrees with it to the
file's 3 decimals: :attr:`DayMoves.arrival_gap`, held to that by the tests).

    moves = day_moves(scenario, 6, places, events)     # places: incident id -> place, site, lat, lon
    moves.segments["resmob"], moves.dispatches[0].how, moves.status["rapid_response-0016"]["resmob"]
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping, NamedTuple, Sequence

import numpy as np

from sispam_sim.core.geo import Location
from sispam_sim.engine.prepared import prepare
from sispam_sim.engine.units import OFF

__all__ = ["STATES", "Segment", "Dispatch", "Status", "DayMoves", "day_moves", "incident_location",
           "site_coordinates", "day_end"]

#: What a unit is doing, as the day view colours it (``redirected``: driving to an incident from the
#: road, after a release or taken from another incident).
STATES = ("at_base", "mobilising", "travelling", "redirected", "on_scene", "returning", "off_duty")

#: A stretch this short is the CSV's rounding (3 decimals on each end), not something the unit did: the
#: drive of a unit based at the incident's place, for one. Not drawn.
_INSTANT = 1e-3

# the unit's situation between events (the engine's states, MOBILISING split by the clock)
_AT_BASE, _EN_ROUTE, _ON_SCENE, _RETURNING = range(4)


class Segment(NamedTuple):
    """One stretch of a unit's day: ``state`` from ``start`` to ``end`` (minutes), for ``incident`` (the one
    it serves; returning: the one it left; ``""``: none), moving straight from (lat0, lon0) to (lat1, lon1)."""

    start: float
    end: float
    state: str
    incident: str
    lat0: float
    lon0: float
    lat1: float
    lon1: float


@dataclass(frozen=True)
class Dispatch:
    """One dispatch of the day: where the unit came from and its leg to the incident."""

    time: float
    unit: str
    incident: str
    #: ``base`` (from its base), ``redirected`` (driving back from ``left``, released at ``released``)
    #: or ``preempted`` (taken from ``left``)
    how: str
    left: str | None
    released: float | None
    #: when it starts to drive (dispatch + mobilise; from the road: the dispatch), and the drive's minutes
    leaves: float
    travel: float
    #: when it reached the incident, as events.csv records it (None: it never did)
    arrives: float | None = None

    @property
    def mobilise(self) -> float:
        """Minutes from the dispatch to leaving (0 from the road; a preempted unit's mobilisation left)."""
        return self.leaves - self.time


class Status(NamedTuple):
    """What a unit was doing at an incident's call: ``state`` (of :data:`STATES`, ``travelling`` for any
    drive to an incident), the incident it was committed to (or left, returning), and since when."""

    state: str
    incident: str | None
    since: float
    #: on duty (format 1.1 availability); free to be sent as far as its state goes: at base or driving back
    on_duty: bool

    @property
    def committed(self) -> bool:
        return self.state in ("mobilising", "travelling", "redirected", "on_scene")


@dataclass
class DayMoves:
    """One day's movements: per unit id its :class:`Segment` list (in time order, covering 0 to ``end``),
    every :class:`Dispatch`, each crowd's level changes, and the units' :class:`Status` at the calls asked for."""

    units: list[str]
    segments: dict[str, list[Segment]]
    dispatches: list[Dispatch]
    levels: dict[str, list[float]]            # incident id -> the times it escalated (one level each)
    end: float
    status: dict[str, dict[str, Status]] = field(default_factory=dict)
    #: the largest difference between an arrival the reconstruction computes and the one recorded
    arrival_gap: float = 0.0

    def level_at(self, incident: str, time: float) -> int:
        """The crowd level of ``incident`` at ``time`` (1: hijau; after each escalation one more)."""
        return 1 + sum(1 for t in self.levels.get(incident, ()) if t <= time)


def incident_location(scenario, row: Mapping[str, Any], travel,
                      sites: Mapping[str, tuple[float, float]] | None = None) -> Location:
    """Where an incident of ``row`` (incidents.csv's place, site, lat, lon) was, with the scenario's own
    coordinates (the CSV rounds them to 6 decimals) and its travel-matrix node. ``sites``: TPS id ->
    (lat, lon) of the scenario's sites, when the caller has it (:func:`site_coordinates`)."""
    spec = scenario.spec
    place, site = str(row.get("place") or ""), row.get("site") or None
    lat, lon = float(row["lat"]), float(row["lon"])
    exact = None
    if site:
        exact = (sites if sites is not None else site_coordinates(scenario)).get(site)
    if exact is None:
        point = spec.map.places.get(place) or spec.map.districts.get(place)
        if point is not None and abs(point.lat - lat) < 1e-6 and abs(point.lon - lon) < 1e-6:
            exact = (point.lat, point.lon)
    node = -1
    if exact is not None:
        lat, lon = exact
        if getattr(travel, "uses_matrix", False):
            node = travel.node(site or place)
    return Location(place, lat, lon, node, site)


def site_coordinates(scenario) -> dict[str, tuple[float, float]]:
    """TPS id -> (lat, lon) as the scenario placed its sites."""
    return {s.id: (s.lat, s.lon) for s in scenario.sites}


def day_end(scenario, rows: Iterable[Mapping[str, Any]], last_event: float) -> float:
    """When the day's replication ended: once every incident was resolved, never before ``clock.duration``;
    with one unresolved, at ``duration + drain`` (as the engine stops)."""
    clock = scenario.spec.clock
    resolved = [r.get("resolved") for r in rows]
    if any(v in (None, "") for v in resolved):
        return clock.duration + clock.drain
    return max([clock.duration, last_event] + [float(v) for v in resolved])


def day_moves(scenario, replication: int, places: Mapping[str, Mapping[str, Any]],
              events: Iterable[Sequence], end: float | None = None,
              status_at: Iterable[str] = ()) -> DayMoves:
    """Play one day's ``events`` (``(time, unit, incident, action)`` in the order events.csv lists them)
    through the engine's movement rules. ``places``: incident id -> its incidents.csv row (place, site,
    lat, lon; a dict of text is fine). ``end``: when the day ended (default: its last event, or
    ``clock.duration`` if later). ``status_at``: incidents at whose call every unit's :class:`Status` is kept."""
    player = _Player(scenario, replication, places, set(status_at))
    last = 0.0
    for time, unit, incident, action in events:
        time = float(time)
        last = max(last, time)
        player.event(time, unit or "", incident or "", action)
    end = max(scenario.spec.clock.duration, last) if end is None else max(end, last)
    return player.finish(end)


class _Player:
    """The unit table of one replication, moved by the day's events as the engine moved it."""

    def __init__(self, scenario, replication: int, places, status_at: set[str]):
        prepared = prepare(scenario)
        self.scenario, self.places, self.status_at = scenario, places, status_at
        self.travel = prepared.travel
        self.table = t = prepared.units.fresh(replication)
        self.row = {uid: r for r, uid in enumerate(t.ids)}
        n = t.n
        self.state = [_AT_BASE] * n
        self.incident: list[str] = [""] * n
        self.since = [0.0] * n                 # start of the current segment (or leg)
        self.off = [t.duty[r] == OFF for r in range(n)]
        self.taken_from: list[str | None] = [None] * n    # preempted just now: the incident it left
        self.released: list[tuple[str, float] | None] = [None] * n   # returning: left what, when
        self.leg: list[Dispatch | None] = [None] * n
        self.segments: dict[str, list[Segment]] = {uid: [] for uid in t.ids}
        self.dispatches: list[Dispatch] = []
        self.open: dict[int, int] = {}         # unit row -> index in dispatches of its leg under way
        self.levels: dict[str, list[float]] = {}
        self.status: dict[str, dict[str, Status]] = {}
        self.locations: dict[str, Location] = {}
        self.sites = site_coordinates(scenario)
        self._from_base: dict[tuple, list[float]] = {}
        self.gap = 0.0

    # ------------------------------------------------------------ positions and travel

    def location(self, incident: str) -> Location:
        found = self.locations.get(incident)
        if found is None:
            found = self.locations[incident] = incident_location(self.scenario, self.places[incident], self.travel,
                                                                 self.sites)
        return found

    def from_base(self, r: int, loc: Location) -> float:
        """The dispatcher's travel from every unit's base (``Dispatcher.from_base``), for unit ``r``."""
        key = (loc.lat, loc.lon, loc.node)
        hit = self._from_base.get(key)
        if hit is None:
            u = self.table
            per_point = self.travel.minutes(u.point_lat, u.point_lon, u.point_node, 1.0, loc)
            travel = per_point[u.base_point]
            if self.travel.per_speed:
                travel = travel / u.speed
            hit = self._from_base[key] = travel.tolist()
        return float(hit[r])

    def from_road(self, r: int, now: float, loc: Location) -> float:
        """Travel from where unit ``r`` is now, as the dispatcher computes it for a unit on the road."""
        u = self.table
        rows = np.array([r])
        lat, lon, node = u.positions(rows, now)
        return float(self.travel.minutes(lat, lon, node, u.speed[rows], loc)[0])

    def here(self, r: int, now: float) -> tuple[float, float]:
        lat, lon, _ = self.table.position_one(r, now)
        return lat, lon

    # ------------------------------------------------------------ segments

    def emit(self, r: int, start: float, end: float, state: str, incident: str, a, b) -> None:
        if end - start > _INSTANT:
            self.segments[self.table.ids[r]].append(Segment(start, end, state, incident, a[0], a[1], b[0], b[1]))

    def close(self, r: int, now: float) -> None:
        """End what unit ``r`` is doing at ``now``: emit its stretch (a leg cut where it is now)."""
        u, state = self.table, self.state[r]
        if state == _EN_ROUTE:
            leg = self.leg[r]
            start, leaves = self.since[r], max(leg.leaves, self.since[r])
            origin = (u.from_lat[r], u.from_lon[r])
            if now > start and leaves > start:
                self.emit(r, start, min(leaves, now), "mobilising", leg.incident, origin, origin)
            if now > leaves:
                moving = "travelling" if leg.how == "base" else "redirected"
                self.emit(r, leaves, now, moving, leg.incident, origin, self.here(r, now))
        elif state == _ON_SCENE:
            spot = self.here(r, now)
            self.emit(r, self.since[r], now, "on_scene", self.incident[r], spot, spot)
        elif state == _RETURNING:
            self.emit(r, self.since[r], now, "returning", self.incident[r], (u.from_lat[r], u.from_lon[r]),
                      self.here(r, now))
        else:
            spot = (float(u.base_lat[r]), float(u.base_lon[r]))
            self.emit(r, self.since[r], now, "off_duty" if self.off[r] else "at_base", "", spot, spot)
        self.since[r] = now

    # ------------------------------------------------------------ events

    def event(self, now: float, unit: str, incident: str, action: str) -> None:
        if not unit:
            if action == "escalate":
                self.levels.setdefault(incident, []).append(now)
            elif action == "call" and incident in self.status_at:
                self.status[incident] = self.snapshot(now)
            return
        r = self.row.get(unit)
        if r is None:   # a unit the scenario does not have (a folder from another scenario): nothing to play
            return
        handler = getattr(self, f"_on_{action}", None)
        if handler is not None:
            handler(r, now, incident)

    def _on_dispatch(self, r: int, now: float, incident: str) -> None:
        u, loc = self.table, self.location(incident)
        state, taken = self.state[r], self.taken_from[r]
        left, released = None, None
        if taken is not None or state in (_EN_ROUTE, _ON_SCENE):   # preempted: from where it is
            how, left = "preempted", taken
            origin = u.position_one(r, now)
            leaves = max(now, u.t0[r]) if state == _EN_ROUTE else now
            travel = self.from_road(r, now, loc)
        elif state == _AT_BASE:
            how = "base"
            ready = u.requested(r, now) if u.pending[r] else 0.0   # format 1.1 on_request: once
            mob = u.mob_const[r]
            origin = u.base_at[r]
            leaves = now + ready + (mob if mob is not None else u.mobilise(r))
            travel = self.from_base(r, loc)
        else:   # driving back: sent again from the road
            how = "redirected"
            left, released = self.released[r] or (None, None)
            origin = u.position_one(r, now)
            leaves = now
            travel = self.from_road(r, now, loc)
        self.close(r, now)
        self.taken_from[r], self.released[r] = None, None
        u.set_leg(r, origin, loc, leaves, leaves + travel)
        leg = Dispatch(now, u.ids[r], incident, how, left, released, leaves, travel)
        self.leg[r] = leg
        self.open[r] = len(self.dispatches)
        self.dispatches.append(leg)
        self.state[r], self.incident[r] = _EN_ROUTE, incident

    def _on_arrive(self, r: int, now: float, incident: str) -> None:
        u = self.table
        leg = self.leg[r]
        if leg is not None:
            self.gap = max(self.gap, abs(leg.leaves + leg.travel - now))
        self.close(r, now)
        u.t1[r] = now            # the recorded arrival: from here on it stands at the incident
        if r in self.open:
            k = self.open.pop(r)
            self.dispatches[k] = _arrived(self.dispatches[k], now)
        self.state[r] = _ON_SCENE

    def _detach(self, r: int, now: float) -> None:
        self.close(r, now)
        self.open.pop(r, None)

    def _on_preempt(self, r: int, now: float, incident: str) -> None:
        self._detach(r, now)
        self.taken_from[r] = incident   # the dispatch to the taker follows

    def _on_release(self, r: int, now: float, incident: str) -> None:
        u = self.table
        self._detach(r, now)
        self.released[r] = (incident, now)
        self.incident[r] = incident
        base = u.bases[r]
        if now >= u.t1[r] and u.to_lat[r] == base.lat and u.to_lon[r] == base.lon and u.to_node[r] == base.node:
            self.state[r] = _AT_BASE   # standing at its base already
            return
        origin = u.position_one(r, now)
        back = self.travel.minutes_one(*origin, u.speed_list[r], base.lat, base.lon, base.node)
        if back <= 0:
            self.state[r] = _AT_BASE
            u.set_leg(r, u.base_at[r], base, now, now)
        else:
            self.state[r] = _RETURNING
            u.set_leg(r, origin, base, now, now + back)

    def _on_base(self, r: int, now: float, incident: str) -> None:
        self.close(r, now)
        self.state[r] = _AT_BASE
        self.released[r] = None

    def _on_off_duty(self, r: int, now: float, incident: str) -> None:
        if self.state[r] == _AT_BASE:
            self.close(r, now)
        self.off[r] = True

    def _on_on_duty(self, r: int, now: float, incident: str) -> None:
        if self.state[r] == _AT_BASE:
            self.close(r, now)
        self.off[r] = False

    # ------------------------------------------------------------ what each unit was doing

    def snapshot(self, now: float) -> dict[str, Status]:
        u, out = self.table, {}
        for r, uid in enumerate(u.ids):
            state = self.state[r]
            if state == _EN_ROUTE:
                leg = self.leg[r]
                name = "mobilising" if now < leg.leaves else ("travelling" if leg.how == "base" else "redirected")
                out[uid] = Status(name, leg.incident, leg.time, not self.off[r])
            elif state == _ON_SCENE:
                out[uid] = Status("on_scene", self.incident[r], self.leg[r].time if self.leg[r] else self.since[r],
                                  not self.off[r])
            elif state == _RETURNING:
                out[uid] = Status("returning", self.incident[r], self.since[r], not self.off[r])
            else:
                out[uid] = Status("off_duty" if self.off[r] else "at_base", None, self.since[r], not self.off[r])
        return out

    def finish(self, end: float) -> DayMoves:
        for r in range(self.table.n):
            self.close(r, end)
        return DayMoves(list(self.table.ids), self.segments, self.dispatches, self.levels, end, self.status,
                        self.gap)


def _arrived(leg: Dispatch, at: float) -> Dispatch:
    return Dispatch(leg.time, leg.unit, leg.incident, leg.how, leg.left, leg.released, leg.leaves, leg.travel, at)

