"""Single points of failure: an incident entry's need of a capability that one unit alone can meet,
and how often its incidents waited for that unit.

* **Found from the scenario** (:func:`single_points`): the units whose type has the capability and
  may answer at the highest level the entry reaches (its format 1.1 ``tier``; merah for a crowd
  that escalates; any tier with ``dispatch.tiers: open``). Moving TPS guard groups answer
  ``response`` as many units: never a single point.
* **Measured per day** (:func:`day_figures`, the map step): per incident of the entry, the wait for
  the unit, from the call to its first dispatch to the incident (a record's ``units`` and
  ``sent``); never sent, the wait lasts to the end of the run and is censored. The day's longest
  wait names the incident that **held** the unit: the one it was last sent to before the call,
  still open at the call.
* **Summed over days** (:class:`Totals`, the reduce step): incidents, days, incidents and days that
  waited, the mean of those waits, and the longest with its day (among equal waits, the earliest
  day, whatever order the days came in).
"""

from __future__ import annotations

import math
from typing import Any, Callable, NamedTuple

from sispam_sim.scenario import kinds as kind_registry
from sispam_sim.scenario.sites import GUARD_CAPABILITY, guards_as_units

__all__ = ["SinglePoint", "single_points", "day_figures", "Totals"]

#: A wait shorter than this (minutes) is no wait: float noise of the clock.
_EPS = 1e-9


class SinglePoint(NamedTuple):
    """An entry's need of a capability that one unit alone can meet."""

    entry: int
    kind: str
    label: str
    capability: str
    need: int
    unit: str
    unit_type: str


def single_points(scenario) -> list[SinglePoint]:
    """Every (entry, capability) whose need only one unit of the force can meet (module docstring)."""
    spec = scenario.spec
    types = spec.forces.types
    open_tiers = spec.dispatch.tiers == "open"
    guards_move = guards_as_units(spec)
    found = []
    for index, entry in enumerate(spec.incidents):
        kind = kind_registry.get(entry.kind)
        if kind is None:
            continue
        level = kind.max_level(entry)
        for capability, need, _, _ in kind.feasibility(entry):
            if capability == GUARD_CAPABILITY and guards_move:
                continue
            able = [u for u in scenario.units if u.type in types and capability in types[u.type].capabilities
                    and (open_tiers or types[u.type].tier <= level)]
            if len(able) == 1:
                found.append(SinglePoint(index, entry.kind, entry.label or entry.kind, capability, int(need),
                                         able[0].id, able[0].type))
    return found


def _sent_at(record, unit: str) -> float | None:
    """When ``unit`` was first sent to ``record``'s incident (None: never)."""
    for uid, t in zip(record.units, record.sent):
        if uid == unit:
            return t
    return None


def day_figures(point: SinglePoint, records, end: float, describe: Callable[[Any], dict]) -> tuple:
    """One day of a single point: ``(incidents, waited, sum of their waits, never sent, longest)``,
    ``longest`` = ``(wait, censored, incident id, response time, holder)`` or None when none waited;
    ``describe(record)`` makes the holder's entry (the incident that held the unit, or None)."""
    incidents = waited = never = 0
    total = 0.0
    longest, longest_record = None, None
    for r in records:
        if r.entry != point.entry:
            continue
        incidents += 1
        sent = _sent_at(r, point.unit)
        censored = sent is None
        wait = (end if censored else sent) - r.call
        never += censored
        if wait > _EPS or censored:
            waited += 1
            total += wait
            if longest is None or (censored, wait) > longest:
                longest, longest_record = (censored, wait), r
    if longest_record is None:
        return incidents, waited, total, never, None
    holder = _held_by(point.unit, longest_record, records)
    return incidents, waited, total, never, (longest[1], longest[0], longest_record.id, longest_record.response_time,
                                             None if holder is None else describe(holder))


def _held_by(unit: str, waiting, records):
    """The record ``unit`` was last sent to before ``waiting``'s call, if it was still open then."""
    best, best_sent = None, -math.inf
    for r in records:
        if r is waiting or (r.resolved is not None and r.resolved <= waiting.call):
            continue
        for uid, t in zip(r.units, r.sent):
            if uid == unit and best_sent < t <= waiting.call:
                best, best_sent = r, t
    return best


class Totals:
    """A single point's figures summed over the days added so far."""

    __slots__ = ("incidents", "days", "waited", "days_waited", "wait_sum", "never_sent", "longest")

    def __init__(self) -> None:
        self.incidents = self.days = self.waited = self.days_waited = self.never_sent = 0
        self.wait_sum = 0.0
        self.longest: tuple | None = None   # (sort key, replication, day's longest)

    def add(self, figures: tuple, replication: int) -> None:
        incidents, waited, total, never, longest = figures
        self.incidents += incidents
        self.days += incidents > 0
        self.waited += waited
        self.days_waited += waited > 0
        self.wait_sum += total
        self.never_sent += never
        if longest is not None:
            key = (longest[1], longest[0], -replication)   # never sent first, then the longest, then the earliest day
            if self.longest is None or key > self.longest[0]:
                self.longest = (key, replication, longest)

    def entry(self) -> dict:
        """The figures as results.json's ``single_points`` entry holds them (beside the point itself)."""
        out: dict[str, Any] = {"incidents": self.incidents, "days": self.days, "waited": self.waited,
                               "days_waited": self.days_waited,
                               "mean_wait": self.wait_sum / self.waited if self.waited else None,
                               "never_sent": self.never_sent, "longest": None}
        if self.longest is not None:
            _, replication, (wait, censored, incident, response, held_by) = self.longest
            out["longest"] = {"wait": wait, "censored": censored, "replication": replication, "incident": incident,
                              "response_time": response, "held_by": held_by}
        return out
