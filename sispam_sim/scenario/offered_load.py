"""Offered load per capability: a planner's estimate before any run.

offered load = sum over incident entries of arrival rate x expected busy time x crew
needed, in personnel; compared with the personnel that can serve that capability.
Busy time = mean mobilise + travel out and back (from the nearest base with such units)
+ mean work; for a crowd, the time it takes to grow, hold and disperse at full strength.
"""

from __future__ import annotations

import math

import numpy as np

from sispam_sim.scenario import kinds

_SAMPLE = 200  # locations sampled per entry for the travel estimate


def mean_rate(incident, clock, spec=None, _seen: frozenset = frozenset()) -> float:
    """Average arrivals per minute over the incident window (a scripted event: 1 per window).

    A triggered entry (format 1.1 ``trigger``) at most its probability x its triggering entry's
    rate (as if the condition always happened: an upper bound); 0 without ``spec`` to look it up."""
    trigger = getattr(incident, "trigger", None)
    if trigger is not None:
        parent = next((x for x in spec.incidents if x.id == trigger.incident), None) if spec is not None else None
        if parent is None or trigger.incident in _seen:   # unknown, or a cycle (validate reports both)
            return 0.0
        return trigger.probability * mean_rate(parent, clock, spec, _seen | {trigger.incident})
    if incident.at is not None:
        return 1.0 / clock.duration
    steps = incident.rate.steps(clock) + [(clock.duration, 0.0)]
    total = 0.0
    for (start, rate), (end, _) in zip(steps, steps[1:]):
        lo, hi = max(0.0, start), min(clock.duration, end)
        if hi > lo:
            total += rate * (hi - lo)
    return total / clock.duration


def _locations(parts, incident) -> np.ndarray:
    spec, where = parts.spec, incident.where
    if where.place is not None:
        p = spec.map.places[where.place]
        return np.array([[p.lat, p.lon]])
    if where.district is not None:
        d = spec.map.districts[where.district]
        return np.array([[d.lat, d.lon]])
    sites = where.select_sites(parts.sites)
    step = max(1, len(sites) // _SAMPLE)
    return np.array([[s.lat, s.lon] for s in sites[::step]])


def _travel(parts, capability: str, locations: np.ndarray) -> float:
    """Mean one-way minutes from the nearest base holding a unit with the capability."""
    from sispam_sim.core.geo import great_circle_km

    spec = parts.spec
    if spec.map.travel.matrix is not None or len(locations) == 0:
        return 0.0  # the matrix is checked for gaps, not averaged here
    fastest: dict[str, float] = {}  # base -> fastest speed of a capable unit there
    for unit in parts.units:
        utype = spec.forces.types.get(unit.type)
        if utype is not None and capability in utype.capabilities:
            fastest[unit.base] = max(fastest.get(unit.base, 0.0), utype.speed_kmh)
    best = np.full(len(locations), np.inf)
    for base_id, speed in fastest.items():  # one distance vector per base, not per unit
        base = spec.map.places[base_id]
        km = great_circle_km(locations[:, 0], locations[:, 1], base.lat, base.lon)
        best = np.minimum(best, km * spec.map.travel.factor / speed * 60.0)
    return float(np.mean(best)) if np.isfinite(best).all() else 0.0


def _mobilise(parts, capability: str) -> float:
    types = [t for t in parts.spec.forces.types.values() if capability in t.capabilities]
    return sum(t.mobilise.mean for t in types) / len(types) if types else 0.0


def offered_load(parts) -> dict[str, float]:
    """``{capability: offered load in personnel}`` (the validator compares it with the force)."""
    spec = parts.spec
    load: dict[str, float] = {}
    for incident in spec.incidents:
        rate = mean_rate(incident, spec.clock, spec)
        locations = _locations(parts, incident)
        busy, needs = kinds.get(incident.kind).offered_busy(incident)
        for capability, need in needs.items():
            travel = _travel(parts, capability, locations)
            total_busy = _mobilise(parts, capability) + 2 * travel + busy
            load[capability] = load.get(capability, 0.0) + rate * total_busy * need
    return load
