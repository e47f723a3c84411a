"""Forces in space and time (format 1.1): the replication's handlers for areas of responsibility
with mutual aid, units that come on and go off duty, and the TPS guards as first responders, on
their post, escorting and mobile after the escort.

A mixin of :class:`~sispam_sim.engine.model._Replication`: the rules are explained in that
module's docstring; here are the events that carry them out. A version 1 scenario calls none
of them (its units are on duty all day, everywhere, and its guards static).
"""

from __future__ import annotations

import math

from simpy.events import Timeout   # called directly: env.timeout adds a bound-method hop

from sispam_sim.engine.dispatcher import largest_gap
from sispam_sim.engine.incidents import Incident
from sispam_sim.engine.units import AT_BASE, OFF, ON, POSTED

__all__ = ["ForcesInTime"]


class ForcesInTime:
    """Areas, duty and guards; the replication provides ``env``, ``units``, ``prepared``,
    ``dispatcher``, ``waiting``, ``areas``, ``aid_after``, ``guard_sites`` and its operations."""

    def _place(self, inc: Incident) -> None:
        """Where ``inc`` lies for the rules of format 1.1: its district (areas), whether mutual aid is
        open at once, and the guard group sent first (``guard.respond``)."""
        location = inc.call.location
        if self.areas:
            inc.district = self.prepared.district_of(location)
            inc.aid = self.aid_after <= 0.0
        if location.site is not None and inc.call.entry in self.prepared.respond:
            inc.guard = self.units.guard_of_site.get(location.site, -1)

    def _guarded_at_call(self, inc: Incident, now: float) -> None:
        """Record whether the guard group of ``inc``'s TPS stands guard at the call (``unguarded``)."""
        site = inc.call.location.site
        if site is None or site not in self.guard_sites:
            return
        u = self.units
        escort = u.escort
        if now >= u.guard_until or (escort is not None and now >= escort[0]):
            inc.record.unguarded = 1
            return
        g = u.guard_of_site.get(site)
        if g is None:   # static guards: on their post all the time
            inc.record.unguarded = 0
            return
        standing = u.state[g] == AT_BASE and (u.duty[g] == POSTED or (u.guards_pulled and u.avail_list[g]))
        inc.record.unguarded = 0 if standing else 1

    def _send_guard(self, inc: Incident) -> None:
        """``guard.respond``: the guard group of ``inc``'s TPS goes first, from its post, when it is
        standing guard there (not sent elsewhere, not escorting, not off duty)."""
        u, g, now = self.units, inc.guard, self.env.now
        escort = u.escort
        if u.expired[g] or u.state[g] != AT_BASE or (escort is not None and escort[0] <= now):
            return
        if u.duty[g] != POSTED and not u.avail_list[g]:
            return
        short = [n - a for n, a in zip(inc.need, inc.assigned)]
        slot = largest_gap(inc.caps, short, u.capmask_list[g])
        if slot < 0:
            return
        if u.duty[g] == POSTED:
            u.unpost(g)
        travel = float(self.dispatcher.from_base(inc.call.location)[0][g])
        self._send(inc, [(g, slot, travel, False)])

    def _on_aid(self, event) -> None:
        """``mutual_aid.after`` has passed since the call: units from outside its area may go."""
        inc = event.value
        inc.aid = True
        if not inc.resolved and inc.waiting:
            self.dispatch(inc)

    def _on_duty(self, event) -> None:
        """A unit's ``available.from``: on duty at its base; the waiting calls are served."""
        unit = event.value
        u = self.units
        if u.expired[unit] or u.duty[unit] != OFF:
            return
        u.go_on(unit)
        self._mark(u.type_list[unit], self.env.now)
        self.log(self.env.now, unit, None, "on_duty")
        if self.waiting:
            self.serve_waiting()

    def _off_duty(self, event) -> None:
        """A unit's ``until``: off duty now if it is not on an incident, else once released."""
        unit = event.value
        u, now = self.units, self.env.now
        u.expired[unit] = True
        if u.duty[unit] == POSTED:
            u.unpost(unit, on=False)
        elif u.duty[unit] == ON and u.avail_list[unit]:
            u.go_off(unit)
        else:
            return   # committed: it finishes its incident (release)
        u.off_at[unit] = now
        self._mark(u.type_list[unit], now)
        self.log(now, unit, None, "off_duty")

    def _escort_start(self, _event) -> None:
        """``guard.escort``: the guard groups leave their TPS with the ballot boxes (those on an
        incident join once released)."""
        u, now = self.units, self.env.now
        for g in u.guard_rows:
            if not u.expired[g] and u.duty[g] == ON and u.avail_list[g]:
                u.post(g)
        if u.guard_rows:
            self._mark(u.type_list[u.guard_rows[0]], now)

    def _escort_end(self, _event) -> None:
        """The escort is over: the guard groups are mobile response units at their group's base, or
        off duty (``after_escort: off``)."""
        u, now = self.units, self.env.now
        on = u.after_escort == "response"
        for g in u.guard_rows:
            if not u.expired[g] and u.duty[g] == POSTED:
                u.unpost(g, on=on)
                if not on:
                    u.off_at[g] = now
        if u.guard_rows:
            self._mark(u.type_list[u.guard_rows[0]], now)
        if on and self.waiting:
            self.serve_waiting()

    def _after_release(self, unit: int, now: float) -> None:
        """A released unit's duty: off once past its ``until``; a guard group back to its post (or
        to the escort) unless it is mobile."""
        u = self.units
        if u.expired[unit]:
            u.go_off(unit)
            u.off_at[unit] = now
            self.log(now, unit, None, "off_duty")
        elif u.is_guard[unit]:
            escort = u.escort
            if escort is not None and escort[0] <= now < escort[1]:
                u.post(unit)
            elif escort is not None and now >= escort[1]:
                if u.after_escort == "off":
                    u.go_off(unit)
                    u.off_at[unit] = now
                    self.log(now, unit, None, "off_duty")
            elif not u.guards_pulled:
                u.post(unit)   # walks back to its post, standing guard again once there

    def _static_guard_points(self, end: float) -> list[tuple[float, int]]:
        """The static TPS guards' timeline: all their police from the start, to ``guard.until``, and
        through the escort (format 1.1); none after. A version 1 scenario's: the start and the end."""
        u, police = self.units, self.units.guard_police
        escort = u.escort
        if u.guard_until == math.inf and escort is None:
            return [(0.0, police), (end, police)]

        def on(t: float) -> int:
            return police if t < u.guard_until or (escort is not None and escort[0] <= t < escort[1]) else 0

        moments = sorted({0.0, end} | {t for t in (u.guard_until, *(escort or ())) if 0.0 < t < end})
        points: list[tuple[float, int]] = []
        for t in moments:
            if not points or points[-1][1] != on(t) or t == end:
                points.append((t, on(t)))
        return points

    def _schedule_duty(self, end: float) -> None:
        """The duty events of the day: units on and off duty, the escort's start and end."""
        env, u = self.env, self.units
        for unit in range(u.n):
            if 0.0 < u.on_from[unit] < end:
                Timeout(env, u.on_from[unit], unit).callbacks.append(self._on_duty)
            if 0.0 < u.on_until[unit] < end:
                Timeout(env, u.on_until[unit], unit).callbacks.append(self._off_duty)
            elif u.on_until[unit] <= 0.0:
                u.expired[unit] = True
                u.off_at[unit] = 0.0
        if u.escort is not None and u.guard_rows:
            if u.escort[0] < end:
                env.timeout(max(0.0, u.escort[0])).callbacks.append(self._escort_start)
            if u.escort[1] < end:
                env.timeout(max(0.0, u.escort[1])).callbacks.append(self._escort_end)
