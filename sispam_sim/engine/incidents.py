"""Incidents: when and where they happen (drawn up front) and the state each one carries.

Every random draw about incidents is made here, before the simulation starts, from
streams keyed by (seed, replication, incident entry, purpose) — :mod:`rng` purposes
ARRIVALS, PLACES and WORK. Nothing here depends on a dispatch decision, so two plans
run on one seed see the same calls at the same places with the same work (common
random numbers), and replication k is the same wherever it runs.

Per entry, in this fixed order:

* ARRIVALS: a generator entry draws N ~ Poisson(Lambda), Lambda = integral of its rate
  profile over [0, duration), then N uniform points on [0, Lambda), sorted, mapped
  through the inverse cumulative rate (exact for a piecewise-constant profile: no
  thinning). A scripted entry (``at``) is one call at that clock time, no draw.
* PLACES: one integer per call picks a site among those the ``where.sites`` filter
  selects (uniformly); ``place`` and ``district`` (its centre) need no draw.
* WORK: per call, in call order, one sample of the distribution the entry's kind names
  (``IncidentKind.work_draw``: the work on scene, or how long a crowd holds at its peak).

A triggered entry (format 1.1 ``trigger``) draws nothing up front: its incidents are made during
the run, when the condition happens to a triggering incident (:class:`TriggerPlan`). Each is drawn
by :meth:`TriggerPlan.decide` from its own stream, keyed by the triggered entry and the triggering
incident's key (:attr:`Incident.key`: its entry and its number among that entry's calls, or for a
triggered one its entry before its triggering incident's key), never by a dispatch decision:
whether it fires, its delay, its place and its work are the same in every plan where the
condition happens.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from operator import attrgetter
from typing import NamedTuple

import numpy as np

from sispam_sim.core import rng as rngmod
from sispam_sim.core.geo import Location
from sispam_sim.engine.records import IncidentRecord
from sispam_sim.scenario import kinds
from sispam_sim.scenario.sites import KM_PER_DEGREE

#: The purpose of a triggered incident's stream (core.rng): keyed by the triggered entry and the
#: triggering incident, not by a purpose per draw (its draws come in a fixed order).
TRIGGERED = rngmod.TRIGGERED


class Call(NamedTuple):
    """One incident as drawn before the run: what, when, where and how long."""

    entry: int
    kind: str
    time: float
    location: Location
    draw: float          # the WORK stream's sample for it (what it means is its kind's: work on scene, a hold)


def arrival_times(steps: list[tuple[float, float]], duration: float, gen: np.random.Generator) -> np.ndarray:
    """Non-homogeneous Poisson arrivals on [0, duration) for a piecewise-constant rate.

    ``steps`` is ``[(from_minute, per_minute), ...]`` sorted; the rate before the first
    step is 0 and the last step lasts to the end.
    """
    starts, ends, rates = [], [], []
    for k, (begin, rate) in enumerate(steps):
        end = steps[k + 1][0] if k + 1 < len(steps) else math.inf
        lo, hi = max(0.0, begin), min(duration, end)
        if hi > lo and rate > 0:
            starts.append(lo)
            ends.append(hi)
            rates.append(rate)
    if not rates:
        return np.empty(0)
    start, rate = np.array(starts), np.array(rates)
    mass = rate * (np.array(ends) - start)
    cumulative = np.concatenate(([0.0], np.cumsum(mass)))
    n = gen.poisson(cumulative[-1])
    u = np.sort(gen.uniform(0.0, cumulative[-1], n))
    seg = np.clip(np.searchsorted(cumulative, u, side="right") - 1, 0, len(rates) - 1)
    times = start[seg] + (u - cumulative[seg]) / rate[seg]
    return np.minimum(times, np.array(ends)[seg])


def _locations(scenario, where, travel) -> Sequence[Location]:
    """Every location an entry's ``where`` can pick (one for a place or district; none for a place
    taken from a triggering incident)."""
    spec = scenario.spec
    if where.from_trigger:
        return ()
    matrix = getattr(travel, "uses_matrix", False)
    node = travel.node if matrix else _no_node
    if where.place is not None:
        p = spec.map.places[where.place]
        found = [Location(where.place, p.lat, p.lon, node(where.place))]
        keys = [where.place]
    elif where.district is not None:
        d = spec.map.districts[where.district]
        found = [Location(where.district, d.lat, d.lon, node(where.district))]
        keys = [where.district]
    else:
        sites = where.select_sites(scenario.sites)
        if not sites:
            raise ValueError("an incident entry's where.sites selects no site")
        found = _SiteLocations(sites, node)
        keys = (s.id for s in sites)
    if matrix:
        missing = next((key for key in keys if node(key) < 0), None)
        if missing is not None:
            raise ValueError(f'the travel matrix has no row for "{missing}", where incidents happen')
    return found


def _no_node(_key: str) -> int:
    """No travel matrix: no place has a node (a module-level function, so a plan pickles)."""
    return -1


class _SiteLocations(Sequence):
    """The sites an entry may pick, as Locations built when picked: thousands of sites, a
    few calls per replication."""

    def __init__(self, sites, node):
        self.sites, self.node = sites, node

    def __len__(self) -> int:
        return len(self.sites)

    def __getitem__(self, i: int) -> Location:
        s = self.sites[i]
        return Location(s.id, s.lat, s.lon, self.node(s.id), s.id)


class EntryPlan(NamedTuple):
    """What one incident entry draws from, fixed for the scenario (built once: :class:`CallPlan`)."""

    kind: str
    at: float | None                       # a scripted call's minute (None: a generator entry)
    steps: list[tuple[float, float]]       # a generator's rate profile (empty when scripted)
    places: Sequence[Location]             # every location it can pick (sites filtered once)
    draw: object                           # the distribution of the WORK stream (its kind's work_draw)


class TriggerPlan(NamedTuple):
    """A triggered entry (format 1.1 ``trigger``), as the incidents of its triggering entry see it."""

    entry: int                  # the triggered entry's index
    level: int | None           # fires when the triggering crowd reaches this level (kuning 2, merah 3)
    after: float | None         # ... when the triggering incident is still open this long after its call
    on_resolve: bool            # ... when the triggering incident is resolved
    probability: float
    delay: object               # a distribution of minutes from the condition to the call
    at_trigger: bool            # placed at the triggering incident's place
    within_km: float | None     # placed uniformly in this disc around it (``near: trigger``)
    places: Sequence[Location]  # otherwise: what its ``where`` picks from (as a drawn entry's)
    draw: object                # its WORK distribution (its kind's work_draw)

    def decide(self, seed: int, replication: int, parent_key: tuple, origin: Location):
        """Whether the condition, happening to the incident keyed ``parent_key`` at ``origin``,
        causes an incident: None, or ``(delay, location, work draw)``.

        From one stream, in this order: the fire (one uniform, fires when below ``probability``),
        the delay, the place (``near``: radius R*sqrt(U), bearing 2*pi*U, as sites are placed in a
        district; ``where.sites``: one integer), the work. Nothing else draws from it."""
        gen = rngmod.stream(seed, replication, self.entry, TRIGGERED, len(parent_key), *parent_key)
        if not gen.random() < self.probability:
            return None
        delay = float(self.delay.sample_many(gen, 1)[0])
        if self.at_trigger:
            location = origin
        elif self.within_km is not None:
            r = self.within_km * float(gen.random()) ** 0.5
            bearing = float(gen.random()) * 2 * math.pi
            lat = origin.lat + r * math.cos(bearing) / KM_PER_DEGREE
            lon = origin.lon + r * math.sin(bearing) / (KM_PER_DEGREE * math.cos(math.radians(origin.lat)))
            location = Location(origin.key, lat, lon)
        else:
            places = self.places
            location = places[int(gen.integers(0, len(places)))] if len(places) > 1 else places[0]
        return delay, location, float(self.draw.sample_many(gen, 1)[0])


class CallPlan:
    """The fixed part of drawing calls: per entry its rate profile, clock time and filtered
    locations. Building it filters the sites of every ``where.sites`` entry (the costly part on
    a province of 60,000 TPS); :meth:`draw` then costs only the random draws of a replication.

    ``triggers``: per entry index, the :class:`TriggerPlan` of each entry it triggers (format 1.1;
    empty tuples for a version 1 scenario)."""

    def __init__(self, scenario, travel):
        spec = scenario.spec
        self.seed, self.duration = spec.seed, spec.clock.duration
        self.entries: list[EntryPlan | None] = []
        self.triggers: list[tuple[TriggerPlan, ...]] = [()] * len(spec.incidents)
        ids = {incident.id: i for i, incident in enumerate(spec.incidents) if incident.id is not None}
        for index, incident in enumerate(spec.incidents):
            draw = kinds.get(incident.kind).work_draw(incident)
            places = _locations(scenario, incident.where, travel)
            trigger = incident.trigger
            if trigger is not None:   # made during the run, none drawn here
                self.entries.append(None)
                where = incident.where
                parent = ids[trigger.incident]
                self.triggers[parent] += (TriggerPlan(index, trigger.level, trigger.after, trigger.when == "resolved",
                                                      trigger.probability, trigger.delay, where.at is not None,
                                                      where.within_km, places, draw),)
                continue
            at = spec.clock.minutes(incident.at) if incident.at is not None else None
            steps = incident.rate.steps(spec.clock) if incident.at is None else []
            self.entries.append(EntryPlan(incident.kind, at, steps, places, draw))

    def draw(self, replication: int) -> list[Call]:
        """All calls of one replication, sorted by time (then entry, then draw order).

        A stream is built only when something is drawn from it: the draws are the same as
        with every stream built, as each purpose has its own stream."""
        seed, duration = self.seed, self.duration
        calls: list[Call] = []
        for entry, plan in enumerate(self.entries):
            if plan is None:   # a triggered entry
                continue
            if plan.at is not None:
                times = [plan.at] if 0 <= plan.at < duration else []
            else:
                gen = rngmod.stream(seed, replication, entry, rngmod.ARRIVALS)
                times = arrival_times(plan.steps, duration, gen).tolist()
            n = len(times)
            if not n:
                continue
            places = plan.places
            if len(places) > 1:
                picks = rngmod.stream(seed, replication, entry, rngmod.PLACES).integers(0, len(places), n).tolist()
            else:
                picks = [0] * n
            constant = getattr(plan.draw, "dist", None) == "constant"   # draws nothing
            drawn = plan.draw.sample_many(None if constant else rngmod.stream(seed, replication, entry, rngmod.WORK), n)
            kind = plan.kind
            for t, pick, value in zip(times, picks, drawn):
                calls.append(Call(entry, kind, float(t), places[pick], float(value)))
        calls.sort(key=attrgetter("time", "entry"))
        return calls


def generate_calls(scenario, replication: int, travel) -> list[Call]:
    """All calls of one replication, sorted by time (then entry, then draw order).

    Builds the scenario's :class:`CallPlan` each time: a replication of the engine uses the
    one of its prepared scenario (:mod:`~sispam_sim.engine.prepared`)."""
    return CallPlan(scenario, travel).draw(replication)


class Incident:
    """The live state of one incident during a replication."""

    __slots__ = ("index", "call", "record", "priority", "caps", "need", "assigned", "on_scene", "units",
                 "level", "level_since", "short_since", "waiting", "resolved",
                 "working", "work_left", "work_start", "work_token", "kind", "state", "spec", "key", "triggers",
                 "district", "aid", "guard")

    def __init__(self, index: int, call: Call, spec, record: IncidentRecord, caps: list[int], need: list[int],
                 kind, key: tuple = (), triggers: tuple = ()):
        self.index, self.call, self.spec, self.record = index, call, spec, record
        #: what keys the streams of the incidents it triggers: (entry, its number among the entry's
        #: calls); a triggered incident's: (entry,) + its triggering incident's key
        self.key = key
        self.triggers = triggers         # the TriggerPlans of the entries its entry triggers (format 1.1)
        self.kind = kind                 # its kind's Behaviour (engine.kinds): the hooks the replication calls
        self.priority = spec.priority
        self.caps = caps                 # capability bit per need slot
        self.need = need                 # personnel per slot
        self.assigned = [0] * len(caps)  # crew sent (en route or on scene) per slot
        self.on_scene = [0] * len(caps)
        self.units: list[int] = []       # unit rows assigned now, in dispatch order
        self.level, self.level_since = 1, call.time
        self.short_since: float | None = call.time   # start of the current stretch short of need; None: covered
        self.waiting = False
        self.resolved = False
        # the work on scene, for the kinds that work (engine.kinds.work): counts only while working
        self.working = False
        self.work_left = call.draw
        self.work_start = 0.0
        self.work_token = 0
        self.state = None                # what its behaviour keeps (a crowd's Crowd), from the call
        # format 1.1: the district it lies in (areas of responsibility), whether units from outside
        # its area may be sent (mutual aid open), the row of the guard group sent first (-1: none)
        self.district: str | None = None
        self.aid = True
        self.guard = -1

    def short(self) -> bool:
        need, assigned = self.need, self.assigned
        return any(need[s] > assigned[s] for s in range(len(need)))

    def met_on_scene(self) -> bool:
        need, on = self.need, self.on_scene
        return all(on[s] >= need[s] for s in range(len(need)))

    def covered(self, now: float) -> None:
        """On-scene crew covers the need from ``now`` (first time, or again after a shortfall).

        ``full_strength`` moves to the start of this stretch: it is the start of the final one
        once the incident is resolved (or the run ends with it covered)."""
        rec = self.record
        rec.short_minutes += now - self.short_since
        rec.full_strength = now
        self.short_since = None

    def uncovered(self, now: float) -> None:
        """An incident that was covered is short of its need from ``now`` (no full strength
        until it is covered again)."""
        self.short_since = now
        self.record.full_strength = None

    def set_level(self, level: int, now: float) -> None:
        self.record.level_minutes[self.level - 1] += now - self.level_since
        self.level, self.level_since = level, now
        self.record.max_level = max(self.record.max_level, level)
