"""Crowds (crowd_buildup): how a crowd grows, holds and disperses, and how it is managed.

:class:`Crowd` is the arithmetic of one crowd's size (no SimPy, no units); an incident's
``state`` holds it from the call. :class:`CrowdBehaviour` re-assesses the crowd through the
replication's public operations (:mod:`sispam_sim.engine.kinds`).

A crowd is re-assessed every whole minute after its call, whenever a unit arrives or is
taken away, and exactly when it peaks, stops holding or is gone and when an escalation
timer runs out. A whole-minute tick that would change nothing (the same need, no timer,
nothing to send or release) costs no SimPy event when it comes before every other scheduled
event: :meth:`CrowdBehaviour.schedule_tick` skips to the first tick that can change
something, with the same results as re-assessing at each (``CrowdBehaviour.every_tick``;
tests/property/test_crowd_schedule.py). Each re-assessment, in order:

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
queue is served (:meth:`CrowdBehaviour.before_serve`), so a crowd that has outgrown its crew
since its last re-assessment keeps its place in the queue.

A crowd with a negotiation stage (format 1.1 ``negotiation``: :class:`Talks`) has one more need
slot per negotiation capability after slot 0, the crowd control, sent at the call with it. Its
re-assessment first runs the talks' timer (:meth:`CrowdBehaviour.negotiate`): it starts when
every negotiation need is met on scene and stops when one is not; when it has run ``for``, the
talks end with the draw made at the call: success (draw < ``success``) stops the crowd's growth
and starts its dispersal at once (:meth:`Crowd.settle`; it still disperses only while
controlled) and the negotiators stay until resolution; failure changes nothing for the crowd and
the negotiators are released at once (they stand back). Either way no negotiator is sent again.
Negotiators never count toward the crowd control (slot 0), are never released as its surplus,
and the crowd's need, full strength and minutes short are those of slot 0 alone.
"""

from __future__ import annotations

import math

from simpy.events import Timeout

from sispam_sim.core import rng as rngmod
from sispam_sim.engine.kinds import Behaviour
from sispam_sim.engine.units import ON_SCENE
from sispam_sim.scenario.quantities import round_up

__all__ = ["Crowd", "Talks", "CrowdBehaviour", "NEGOTIATION"]

#: The purpose of the stream the negotiations' outcomes are drawn from, per (seed, replication,
#: entry): one uniform per call of the entry, in call order (core.rng).
NEGOTIATION = rngmod.NEGOTIATION


class Talks:
    """A crowd's negotiation stage: its need slots, the timer and the outcome.

    ``since`` is the start of the current stretch with every negotiation need met on scene (None:
    not met); ``outcome`` is None until the talks end, then True (success) or False.
    """

    __slots__ = ("slots", "length", "success", "draw", "since", "outcome")

    def __init__(self, slots: range, length: float, success: float, draw: float):
        self.slots, self.length, self.success, self.draw = slots, float(length), float(success), draw
        self.since: float | None = None
        self.outcome: bool | None = None

    def met(self, inc) -> bool:
        """Every negotiation need is met by crew on scene."""
        on, need = inc.on_scene, inc.need
        return all(on[s] >= need[s] for s in self.slots)

    def short(self, inc) -> bool:
        """Open talks with a negotiation need not covered by the crew assigned (some to send)."""
        assigned, need = inc.assigned, inc.need
        return self.outcome is None and any(assigned[s] < need[s] for s in self.slots)

    def due(self, now: float) -> bool:
        """The timer has run ``for`` by ``now``."""
        return self.since is not None and now >= self.since + self.length - 1e-9


class Crowd:
    """A crowd's size over time: grows to its peak, holds, disperses only while controlled.

    The size is integrated lazily: :meth:`advance` brings it to ``now`` assuming the
    control state (``controlled``) has not changed since the last call, which the behaviour
    guarantees by advancing before every change of need, level or control.
    """

    __slots__ = ("initial", "growth", "peak", "per_officer", "below", "after", "factor",
                 "call", "peak_time", "hold_end", "size", "t", "controlled", "below_since", "tick_token",
                 "busy_token", "talks", "need_size", "need_level", "need_value")

    def __init__(self, spec, call: float, lasts: float, talks: Talks | None = None):
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
        self.busy_token = -1   # the tick already found to change something (CrowdBehaviour.schedule_tick)
        self.talks = talks     # its negotiation stage (None: none, as in a version 1 file)
        self.need_size, self.need_level, self.need_value = math.nan, 0, 0   # need()'s last answer

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

    def settle(self, now: float) -> None:
        """Talks succeeded at ``now`` (the size brought to ``now``): the crowd stops growing and
        starts to disperse, as after ``lasts`` (only while controlled). Already dispersing: no change."""
        if now < self.hold_end:
            self.hold_end = now
            if now < self.peak_time:
                self.peak_time = now

    @property
    def gone(self) -> bool:
        return self.t >= self.hold_end and self.size <= 0.0

    def need(self, level: int) -> int:
        """ceil(ceil(crowd / per_officer) x factor^(level-1)), at least 1 while the crowd is there.
        Remembered for the last (size, level) asked: a tick found idle or busy asks it again."""
        size = self.size
        if size == self.need_size and level == self.need_level:
            return self.need_value
        base = round_up(size / self.per_officer)
        if level == 1 or self.factor == 1.0:   # x 1.0: an int below 2**53 rounds up to itself
            need = base if base > 1 else 1
        else:
            need = max(1, round_up(base * self.factor ** (level - 1)))
        self.need_size, self.need_level, self.need_value = size, level, need
        return need

    def next_change(self, now: float, level: int) -> float:
        """The next moment to re-assess: the next whole minute after the call, or sooner
        when the crowd peaks, stops holding, is gone, or an escalation or negotiation timer runs out."""
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
        talks = self.talks
        if talks is not None and talks.since is not None and talks.outcome is None:
            deadline = talks.since + talks.length
            if deadline > now:
                out = min(out, deadline)
        return out


class CrowdBehaviour(Behaviour):
    """Re-assess the crowd at its call, at each arrival and loss of a unit, and on its ticks."""

    arrive_by_event = True   # even a unit already there arrives in an event (the order of ties)
    has_levels = True

    #: Re-assess at every tick, as before ticks that change nothing were skipped: for the test
    #: that both schedules give the same records and events (tests/property).
    every_tick = False

    # ------------------------------------------------------------ hooks

    def on_call(self, rep, inc, now: float) -> None:
        negotiation = inc.spec.negotiation
        talks = None
        if negotiation is not None:
            talks = Talks(range(1, len(inc.need)), negotiation.for_, negotiation.success, negotiation_draw(rep, inc))
        inc.state = Crowd(inc.spec, now, inc.call.draw, talks)
        inc.record.need = inc.need[0]   # a crowd's need is its crowd control's; the negotiators' is apart
        rep.watchers.append(inc)
        self.update(rep, inc)

    def on_arrive(self, rep, inc, unit: int, now: float) -> None:
        self.update(rep, inc)

    def on_preempted(self, rep, inc, unit: int, now: float) -> None:
        inc.state.advance(now)   # with the control it had: it may change at the re-assessment

    def on_unit_lost(self, rep, inc) -> None:
        self.update(rep, inc)

    def before_serve(self, rep, inc) -> None:
        """Before the waiting queue is served: bring the need of a crowd still growing up to now.
        A crowd that has outgrown its crew since its last re-assessment is short now and joins
        the queue in its place (priority, then call time), instead of losing the freed units to
        a later or lower-priority incident until its next tick. Only the need moves (growth only
        raises it); escalation, reinforcement and release stay with re-assessment."""
        crowd = inc.state
        if crowd.t >= crowd.peak_time:
            return   # at its peak or past it: the need moves only at re-assessments
        crowd.advance(rep.env.now)
        need = crowd.need(inc.level)
        if need > inc.need[0]:
            inc.need[0] = need
            inc.record.need = max(inc.record.need, need)
            rep.queue(inc)

    # ------------------------------------------------------------ re-assessment

    def update(self, rep, inc) -> None:
        """Re-assess the crowd now (the module docstring gives the steps)."""
        now, crowd, rec = rep.env.now, inc.state, inc.record
        crowd.advance(now)
        talks = crowd.talks
        freed = talks is not None and talks.outcome is None and self.negotiate(rep, inc, now)
        if crowd.gone:
            rep.watchers.remove(inc)
            rep.resolve(inc)
            return
        need = crowd.need(inc.level)
        released = False
        if crowd.below is not None:
            # below the line: start the timer, or escalate when it has run (after 0: at once,
            # up to merah); back above the line (the loop's else): stop the timer
            while inc.on_scene[0] < crowd.below * need:
                if crowd.below_since is None:
                    crowd.below_since = now
                if inc.level >= 3 or now - crowd.below_since < crowd.after - 1e-9:
                    break
                inc.set_level(inc.level + 1, now)
                rep.log(now, None, inc, "escalate")
                rep.level_changed(inc)
                if rep.dispatcher.inc_banded is not None:
                    released = self.hand_over(rep, inc) or released
                    if talks is not None and talks.outcome is None:
                        freed = self.negotiate(rep, inc, now) or freed   # negotiators handed over: the timer stops
                need = crowd.need(inc.level)
                crowd.below_since = now
            else:
                crowd.below_since = None
        inc.need[0] = need
        rec.need = max(rec.need, need)
        short = inc.assigned[0] < need
        if short or (talks is not None and talks.short(inc)):
            rep.dispatch(inc)   # every slot short: the crowd control and, until the talks end, the negotiators
        if not short:
            if inc.assigned[0] > need and now >= crowd.peak_time:
                released = self.release_surplus(rep, inc) or released   # after a hand-over too
            rep.queue(inc)
        controlled = inc.on_scene[0] >= need
        if controlled != crowd.controlled:   # coverage gained or lost: full strength moves with it
            crowd.controlled = controlled
            if controlled:
                inc.covered(now)
                rep.log(now, None, inc, "full_strength")
            else:
                inc.uncovered(now)
                rep.log(now, None, inc, "short")
        at = crowd.next_change(now, inc.level)
        if released or freed:   # the queue is served after this: no skipping ahead (see schedule_tick)
            self.schedule_tick(rep, inc, now + (at - now), skip=False)
            rep.serve_waiting()
        else:
            self.schedule_tick(rep, inc, now + (at - now))

    def negotiate(self, rep, inc, now: float) -> bool:
        """Run the open talks' timer at a re-assessment (the size brought to ``now``); end the talks
        when it has run ``for``. True if negotiators were released (the talks failed)."""
        talks, u = inc.state.talks, rep.units
        if not talks.met(inc):
            talks.since = None   # a break: the stretch starts again when the need is met again
            return False
        if talks.since is None:
            talks.since = now
        if not talks.due(now):
            return False
        talks.outcome = talks.draw < talks.success
        for s in talks.slots:   # the talks are over: no negotiator is sent again
            inc.need[s] = 0
        if talks.outcome:
            inc.state.settle(now)   # the negotiators stay until resolution
            return False
        out = False
        for unit in [x for x in inc.units if u.slot[x] in talks.slots]:   # failed: they stand back
            rep.detach(inc, unit, "release")
            rep.release(unit)
            out = True
        return out

    def hand_over(self, rep, inc) -> bool:
        """The crowd rose above some units' band (format 1.1 ``max_level``): they are released
        from it at this minute (lapis ganti, lintas ganti), and others are sent for the need.
        True if any went."""
        u, level = rep.units, inc.level
        out = False
        for unit in [x for x in inc.units if u.max_level_list[x] < level]:
            rep.detach(inc, unit, "release")
            rep.release(unit)
            out = True
        return out

    def on_tick(self, event) -> None:
        rep, inc, token = event.value
        if inc.resolved or token != inc.state.tick_token:
            return
        now = rep.env.now
        if token == inc.state.busy_token or self.every_tick or not self.idle(rep, inc, now):
            self.update(rep, inc)
        else:   # idle: on to the next tick that can change something (the walk from ``now``)
            at, busy = self.walk(rep, inc, now, rep.env.peek())
            self.start_tick(rep, inc, at, busy)

    def schedule_tick(self, rep, inc, at: float, skip: bool = True) -> None:
        """Schedule the crowd's next re-assessment: the next tick at ``at`` or, skipping ahead,
        the first later tick that can change something.

        The ticks are those of the original schedule (every whole minute after the call, and the
        moments of next_change), at the same float times. A tick is skipped only when it comes
        before every event already scheduled (so nothing else can happen first) and would change
        nothing (:meth:`idle`, then :meth:`walk`); the skipped ones still bring the crowd's size up
        to their time, as their re-assessment did, so the dispersal's arithmetic is unchanged. The
        tick then scheduled is created after every event already in the queue, as it was when the
        tick before it created it: ties at one time are processed in the same order. Only at the
        end of an event's processing (``skip``): an event scheduled later in it could come first.
        """
        busy = False
        if skip and not self.every_tick:
            ahead = rep.env.peek()
            if at < ahead:
                if self.idle(rep, inc, at):
                    at, busy = self.walk(rep, inc, at, ahead)
                else:
                    busy = True   # known already: on_tick need not ask again
        self.start_tick(rep, inc, at, busy)

    def start_tick(self, rep, inc, at: float, busy: bool) -> None:
        """Create the crowd's next tick, at ``at`` exactly (``busy``: known to change something)."""
        crowd, env = inc.state, rep.env
        crowd.tick_token += 1
        if busy:
            crowd.busy_token = crowd.tick_token
        Timeout(env, _delay_to(env.now, at), (rep, inc, crowd.tick_token)).callbacks.append(self.on_tick)

    def walk(self, rep, inc, at: float, ahead: float) -> tuple[float, bool]:
        """From a tick at ``at`` found :meth:`idle`, the ticks that follow it before ``ahead`` (the
        next other event), as :meth:`schedule_tick` would visit them one by one with :meth:`idle`
        and :meth:`Crowd.next_change`: (the first that is not idle, True) or (the first at or after
        ``ahead``, False). The crowd's size is brought to the last tick visited before ``ahead``.

        Nothing but the clock moves before ``ahead``: what :meth:`idle` reads of the units, the
        need slots, the timers' starts and the control is as at ``at``, where it was found idle.
        What remains to look at, tick by tick, moves with the time alone: the size (gone, need),
        the escalation and negotiation timers running out, the surplus once past the peak. The
        tick times are the same floats (next_change's expressions, ``at + (next - at)``); the size
        is brought to each tick past the end of the hold (dispersal subtracts step by step), and
        before it only to the last (growth and hold are a formula of the time alone).
        """
        crowd = inc.state
        n, level = inc.need[0], inc.level
        call, initial, growth, peak = crowd.call, crowd.initial, crowd.growth, crowd.peak
        per_officer, factor = crowd.per_officer, crowd.factor
        peak_time, hold_end, controlled = crowd.peak_time, crowd.hold_end, crowd.controlled
        floor = math.floor
        # escalation: the deadline next_change moves to, and whether its running out makes a tick busy
        deadline = due = None
        if crowd.below_since is not None and level < 3:
            deadline = crowd.below_since + crowd.after
            if inc.on_scene[0] < crowd.below * n:
                due = crowd.after - 1e-9
        since = crowd.below_since
        talks = crowd.talks
        talks_deadline = talks_due = None
        if talks is not None and talks.since is not None and talks.outcome is None:
            talks_deadline = talks.since + talks.length
            talks_due = talks_deadline - 1e-9
        # surplus that release_surplus would let go once past the peak (idle's last test)
        surplus = n < inc.assigned[0] and surplus_unit(rep.units, inc, n)
        size, known = crowd.size, crowd.size   # a size whose need is n
        pending = None   # the last tick before the end of the hold, the size not yet brought to it
        busy = False
        while True:
            # next_change(at), inline
            out = call + floor(at - call + 1e-9) + 1.0
            if at < peak_time:
                out = min(out, peak_time)
            if at < hold_end:
                out = min(out, hold_end)
            elif controlled and size > 0:
                out = min(out, at + size / growth)
            if deadline is not None and deadline > at:
                out = min(out, deadline)
            if talks_deadline is not None and talks_deadline > at:
                out = min(out, talks_deadline)
            at = at + (out - at)
            if at >= ahead:
                break
            # idle(at), what moves with the time
            if at < hold_end:
                size = min(peak, initial + growth * (at - call))   # Crowd.advance
                pending = at
            else:
                if pending is not None:
                    crowd.advance(pending)
                    pending = None
                crowd.advance(at)
                size = crowd.size
                if size <= 0.0:
                    busy = True   # gone
                    break
            if size != known:
                base = round_up(size / per_officer)   # Crowd.need
                if level == 1 or factor == 1.0:
                    need = base if base > 1 else 1
                else:
                    need = max(1, round_up(base * factor ** (level - 1)))
                if need != n:
                    busy = True
                    break
                known = size
            if (due is not None and at - since >= due) or (talks_due is not None and at >= talks_due) \
                    or (surplus and at >= peak_time):
                busy = True
                break
        if pending is not None:
            crowd.advance(pending)
        return at, busy

    def idle(self, rep, inc, now: float) -> bool:
        """Would a re-assessment of the crowd at ``now`` change nothing but its size? Given that
        nothing else happened since the last one. Brings the size up to ``now``, as it would.

        Step by step as :meth:`update`: not gone, the same need, the escalation timer neither
        started, stopped nor run out, control unchanged, and nothing to send or release. A short
        crowd's dispatch finds nothing new: units come free only when released, and the waiting
        queue is served then; only with no free crew of the capability is that certain without
        asking the dispatcher, and preemption looks at busy units, so a priority-1 crowd that may
        preempt is always re-assessed.
        """
        crowd = inc.state
        crowd.advance(now)
        if crowd.t >= crowd.hold_end and crowd.size <= 0.0:
            return False
        need = crowd.need(inc.level)
        if need != inc.need[0]:
            return False
        talks = crowd.talks
        if talks is not None and talks.outcome is None:
            if (talks.since is not None) != talks.met(inc) or talks.due(now):
                return False   # the timer would start, stop or run out
            if talks.short(inc) and (any(rep.units.free_cap[inc.caps[s]] for s in talks.slots)
                                     or (rep.dispatcher.preempt and inc.priority == 1)):
                return False
        on_scene = inc.on_scene[0]
        if crowd.below is not None:
            if on_scene < crowd.below * need:
                if crowd.below_since is None or (inc.level < 3 and now - crowd.below_since >= crowd.after - 1e-9):
                    return False
            elif crowd.below_since is not None:
                return False
        if (on_scene >= need) != crowd.controlled:
            return False
        assigned = inc.assigned[0]
        if assigned < need:
            return rep.units.free_cap[inc.caps[0]] == 0 and not (rep.dispatcher.preempt and inc.priority == 1)
        if assigned > need and now >= crowd.peak_time and surplus_unit(rep.units, inc, need):
            return False
        return True

    def release_surplus(self, rep, inc) -> bool:
        """Send home units the crowd no longer needs: en route first (farthest first), then
        on scene (latest arrived first); never below the need. True if any went."""
        u, need = rep.units, inc.need[0]
        if not surplus_unit(u, inc, need):
            return False   # none goes now, and none would later in the loop (the counts only fall)
        released = False
        order = sorted(inc.units, key=lambda x: (u.state[x] == ON_SCENE, -u.t1[x], -x))
        for unit in order:
            if u.slot[unit] != 0:
                continue   # a negotiator: never crowd-control surplus
            crew = u.crew_list[unit]
            if inc.assigned[0] - crew < need:
                continue
            if u.state[unit] == ON_SCENE and inc.on_scene[0] - crew < need:
                continue
            rep.detach(inc, unit, "release")
            rep.release(unit)
            released = True
        return released


def surplus_unit(u, inc, need: int) -> bool:
    """Would :meth:`CrowdBehaviour.release_surplus` let a unit go, the need being ``need``? One
    crowd-control unit whose crew the assigned (and, on scene, the on-scene) crew can spare."""
    assigned, on_scene = inc.assigned[0], inc.on_scene[0]
    for unit in inc.units:
        if u.slot[unit] != 0:
            continue   # a negotiator: never crowd-control surplus
        crew = u.crew_list[unit]
        if assigned - crew >= need and (u.state[unit] != ON_SCENE or on_scene - crew >= need):
            return True
    return False


def negotiation_draw(rep, inc) -> float:
    """The uniform on [0, 1) that decides ``inc``'s talks: the n-th draw of the stream (seed,
    replication, entry, NEGOTIATION) for the n-th call of its entry (in call order). It depends on
    the seed, the replication and the entry alone, never on dispatch: two plans see the same
    outcome for the same call (common random numbers); the talks succeed when it is < ``success``."""
    entry = inc.call.entry
    nth = sum(1 for other in rep.incidents[:inc.index] if other.call.entry == entry)
    gen = rngmod.stream(rep.spec.seed, rep.replication, entry, NEGOTIATION)
    return float(gen.random(nth + 1)[nth])


def _delay_to(now: float, at: float) -> float:
    """The delay that SimPy adds to ``now`` to land exactly on ``at`` (``at - now`` may round)."""
    delay = at - now
    while now + delay < at:
        delay = math.nextafter(delay, math.inf)
    while now + delay > at:
        delay = math.nextafter(delay, -math.inf)
    return delay
