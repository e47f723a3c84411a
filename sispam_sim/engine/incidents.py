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
    """Every location an entry's ``where`` can pick (one for a place or district)."""
    spec = scenario.spec
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


class CallPlan:
    """The fixed part of drawing calls: per entry its rate profile, clock time and filtered
    locations. Building it filters the sites of every ``where.sites`` entry (the costly part on
    a province of 60,000 TPS); :meth:`draw` then costs only the random draws of a replication."""

    def __init__(self, scenario, travel):
        spec = scenario.spec
        self.seed, self.duration = spec.seed, spec.clock.duration
        self.entries: list[EntryPlan] = []
        for incident in spec.incidents:
            at = spec.clock.minutes(incident.at) if incident.at is not None else None
            steps = incident.rate.steps(spec.clock) if incident.at is None else []
            draw = kinds.get(incident.kind).work_draw(incident)
            self.entries.append(EntryPlan(incident.kind, at, steps, _locations(scenario, incident.where, travel), draw))

    def draw(self, replication: int) -> list[Call]:
        """All calls of one replication, sorted by time (then entry, then draw order).

        A stream is built only when something is drawn from it: the draws are the same as
        with every stream built, as each purpose has its own stream."""
        seed, duration = self.seed, self.duration
        calls: list[Call] = []
        for entry, plan in enumerate(self.entries):
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
                 "working", "work_left", "work_start", "work_token", "kind", "state", "spec")

    def __init__(self, index: int, call: Call, spec, record: IncidentRecord, caps: list[int], need: list[int],
                 kind):
        self.index, self.call, self.spec, self.record = index, call, spec, record
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
