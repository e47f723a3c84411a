"""Crowds: how a crowd_buildup grows, holds and disperses, and how it is managed.

:class:`Crowd` is the arithmetic of one crowd's size (no SimPy, no units).
:class:`CrowdControl` is the part of the replication that re-assesses a crowd: it is
mixed into the replication (:mod:`~sispam_sim.engine.model`) and uses its dispatch and
release operations.

A crowd is re-assessed every whole minute after its call, whenever a unit arrives or is
taken away, and exactly when it peaks, stops holding or is gone and when an escalation
timer runs out. Each re-assessment, in order:

1. bring the size to now (it disperses at ``growth`` only while controlled);
2. escalate while on-scene / need < ``below`` has lasted ``after`` (need rises by
   ``factor``, the next tier opens; the timer restarts at each level);
3. send reinforcements if assigned crew < need; once the crowd has stopped growing
   (holding or dispersing), release surplus units (units still en route first, farthest
   first; then on-scene units, latest arrived first), never letting assigned or on-scene
   crew drop below the need. While it grows, crew beyond the need is kept: the need
   catches up within minutes, and sending a unit home only to call it back would churn;
4. note whether the crowd is controlled (on-scene crew >= need). A change starts or ends a
   stretch short of need: full strength is the start of the final controlled stretch, and
   ``short_minutes`` sums the stretches not controlled (see ``Incident.covered``).

Whenever units free up, a growing crowd's need is also brought to now before the waiting
queue is served (:meth:`CrowdControl._refresh_crowd_needs`), so a crowd that has outgrown
its crew since its last re-assessment keeps its place in the queue.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from sispam_sim.scenario.quantities import round_up
from sispam_sim.engine.units import ON_SCENE

if TYPE_CHECKING:
    from sispam_sim.engine.incidents import Incident


class Crowd:
    """A crowd's size over time: grows to its peak, holds, disperses only while controlled.

    The size is integrated lazily: :meth:`advance` brings it to ``now`` assuming the
    control state (``controlled``) has not changed since the last call, which the model
    guarantees by advancing before every change of on-scene crew, need or level.
    """

    __slots__ = ("initial", "growth", "peak", "per_officer", "below", "after", "factor",
                 "call", "peak_time", "hold_end", "size", "t", "controlled", "below_since", "tick_token")

    def __init__(self, spec, call: float, lasts: float):
        c = spec.crowd
        self.initial, self.growth, self.peak = float(c.initial), float(c.growth), float(c.peak)
        self.per_officer = float(spec.per_officer)
        esc = spec.escalation
        self.below = esc.below if esc else None
        self.after = esc.after if esc else math.inf
        self.factor = esc.factor if esc else 1.0
        self.call = call
        self.peak_time = call + (self.peak - self.initial) / self.growth
        self.hold_end = self.peak_time + lasts
        self.size, self.t = self.initial, call
        self.controlled = False
        self.below_since: float | None = None
        self.tick_token = 0

    def advance(self, now: float) -> None:
        if now <= self.t:
            return
        if now <= self.hold_end:
            self.size = min(self.peak, self.initial + self.growth * (now - self.call))
        else:
            if self.t < self.hold_end:
                self.size = self.peak
            if self.controlled:
                self.size -= self.growth * (now - max(self.t, self.hold_end))
                if self.size <= 1e-9:
                    self.size = 0.0
        self.t = now

    @property
    def gone(self) -> bool:
        return self.t >= self.hold_end and self.size <= 0.0

    def need(self, level: int) -> int:
        """ceil(ceil(crowd / per_officer) x factor^(level-1)), at least 1 while the crowd is there."""
        base = round_up(self.size / self.per_officer)
        return max(1, round_up(base * self.factor ** (level - 1)))

    def next_change(self, now: float, level: int) -> float:
        """The next moment to re-assess: the next whole minute after the call, or sooner
        when the crowd peaks, stops holding, is gone, or an escalation timer runs out."""
        out = self.call + math.floor(now - self.call + 1e-9) + 1.0
        if now < self.peak_time:
            out = min(out, self.peak_time)
        if now < self.hold_end:
            out = min(out, self.hold_end)
        elif self.controlled and self.size > 0:
            out = min(out, now + self.size / self.growth)
        if self.below_since is not None and level < 3:
            deadline = self.below_since + self.after
            if deadline > now:
                out = min(out, deadline)
        return out


class CrowdControl:
    """Crowd re-assessment, mixed into the replication (needs its env, units, dispatch and release)."""

    def _crowd_update(self, inc: Incident) -> None:
        now, crowd, rec = self.env.now, inc.crowd, inc.record
        crowd.advance(now)
        if crowd.gone:
            self._resolve(inc)
            return
        need = crowd.need(inc.level)
        if crowd.below is not None:
            # below the line: start the timer, or escalate when it has run (after 0: at once,
            # up to merah); back above the line (the loop's else): stop the timer
            while inc.on_scene[0] < crowd.below * need:
                if crowd.below_since is None:
                    crowd.below_since = now
                if inc.level >= 3 or now - crowd.below_since < crowd.after - 1e-9:
                    break
                inc.set_level(inc.level + 1, now)
                self._log(now, None, inc, "escalate")
                need = crowd.need(inc.level)
                crowd.below_since = now
            else:
                crowd.below_since = None
        inc.need[0] = need
        rec.need = max(rec.need, need)
        released = False
        if inc.assigned[0] < need:
            self._dispatch(inc)
        else:
            if inc.assigned[0] > need and now >= crowd.peak_time:
                released = self._release_surplus(inc)
            self._queue(inc)
        controlled = inc.on_scene[0] >= need
        if controlled != crowd.controlled:   # coverage gained or lost: full strength moves with it
            crowd.controlled = controlled
            if controlled:
                inc.covered(now)
                self._log(now, None, inc, "full_strength")
            else:
                inc.uncovered(now)
                self._log(now, None, inc, "short")
        crowd.tick_token += 1
        at = crowd.next_change(now, inc.level)
        self.env.timeout(at - now, (inc.index, crowd.tick_token)).callbacks.append(self._on_tick)
        if released:
            self._serve_waiting()

    def _refresh_crowd_needs(self) -> None:
        """Before the waiting queue is served: bring the need of every crowd still growing up to
        now. A crowd that has outgrown its crew since its last re-assessment is short now and
        joins the queue in its place (priority, then call time), instead of losing the freed
        units to a later or lower-priority incident until its next tick. Only the need moves
        (growth only raises it); escalation, reinforcement and release stay with re-assessment."""
        now = self.env.now
        for inc in self.crowds:
            crowd = inc.crowd
            if crowd.t >= crowd.peak_time:
                continue   # at its peak or past it: the need moves only at re-assessments
            crowd.advance(now)
            need = crowd.need(inc.level)
            if need > inc.need[0]:
                inc.need[0] = need
                inc.record.need = max(inc.record.need, need)
                self._queue(inc)

    def _on_tick(self, event) -> None:
        index, token = event.value
        inc = self.incidents[index]
        if not inc.resolved and token == inc.crowd.tick_token:
            self._crowd_update(inc)

    def _release_surplus(self, inc: Incident) -> bool:
        """Send home units the crowd no longer needs: en route first (farthest first), then
        on scene (latest arrived first); never below the need. True if any went."""
        u, need = self.units, inc.need[0]
        released = False
        order = sorted(inc.units, key=lambda x: (u.state[x] == ON_SCENE, -u.t1[x], -x))
        for unit in order:
            crew = u.crew_list[unit]
            if inc.assigned[0] - crew < need:
                continue
            if u.state[unit] == ON_SCENE and inc.on_scene[0] - crew < need:
                continue
            self._detach(inc, unit, "release")
            self._release(unit)
            released = True
        return released

