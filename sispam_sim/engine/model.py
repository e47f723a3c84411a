"""Build the SimPy model of a scenario and run one replication: :func:`run_replication`.

``run_replication(scenario, k)`` is a pure function of the loaded scenario and the
replication index: every random draw comes from streams keyed by (seed, k, ...), so
replication k is the same alone, in a process pool or on a cluster.

The run: all calls are drawn first (:mod:`~sispam_sim.engine.incidents`); incidents
arrive during ``clock.duration``; the run then goes on until every incident is resolved,
but never stops before ``duration`` (so utilisation always covers the whole day) and
never after ``duration + drain`` (what is left stays unresolved: ``resolved`` empty).
Events are plain SimPy timeouts with callbacks, each call scheduling the next. What is
particular to an incident kind (when work starts, how a crowd grows and ticks) is in its
behaviour's hooks (:mod:`~sispam_sim.engine.kinds`); the replication calls them and offers
the behaviours a few public operations (:class:`_Replication`).

Model choices that DESIGN.md leaves open (docs/model.md explains each at length):

* Earliest arrival — ranked by the *mean* mobilise time of a unit's type plus travel
  from where it is now (ties: the unit declared first). The mobilise time actually
  taken is drawn when the unit is sent, from that unit's own stream. A unit on the road
  (driving back, or taken by preemption after leaving) does not mobilise again; one
  preempted while still mobilising keeps its departure time.
* Capabilities — a unit's whole crew counts toward one need of the incident: the
  capability it has with the largest remaining shortfall (the first listed on a tie).
* Partial dispatch — an incident short of crew waits in a queue ordered by priority,
  then call time; whenever units free up, the queue is served in that order (growing
  crowds first bring their need up to that moment, so one that has outgrown its crew queues).
* Reserve — an incident of priority > 1 may take a unit with a reserved capability c
  only if the free c crew after taking it stays >= reserve[c] (a unit counts for every
  capability it has).
* Preemption (``preempt: true``) — a priority-1 incident still short after taking free
  units takes units committed to incidents of priority > 1: lowest priority first, then
  latest called, then earliest arrival; en route or on scene alike. The victim's need
  is unmet again (it queues again); its work *pauses* (time worked is kept) and resumes
  when its need is met on scene again.
* Work starts when every need is met by crew on scene. At resolution all units are
  released; a released unit is available at once, from where it is, while it drives back.
* Crowds — need(t) = ceil(ceil(crowd(t) / per_officer) x factor^(level-1)): the product
  is rounded up again, float noise below 1e-9 is ignored first, and the need is at least
  1 while the crowd exists. Re-assessment, escalation and surplus release: see
  engine/kinds/crowd_buildup.py.
* Guards — without ``pull_guards`` TPS guards are static: a "tps_guard" timeline row
  with all their police committed, and no utilisation. With it, each guard group
  (``per_tps`` TPS of one risk category) is a unit of type "tps_guard" standing at its
  first TPS: crew = police, capability "response", tier 1, 20 km/h, mobilise 0.
* Full strength — the start of the final stretch in which on-scene crew covers every need,
  lasting to resolution (or to the end of the run; None if the run ends with the incident
  short). ``short_minutes`` sums the stretches short of need from the call. A rapid response
  or disruption is covered exactly while it works (from the moment every need is met on
  scene until a preemption leaves one unmet); a crowd while it is controlled, as judged at
  its re-assessments. Each gain logs ``full_strength``, each loss ``short``.
* Utilisation — busy crew-minutes run from dispatch to release (mobilising, driving out,
  on scene; the drive home is available time), split at ``duration``: within the operating
  window [0, duration] (``busy_crew_minutes``, beside available crew-minutes = crew x units
  x duration) and after it, in the drain (``drain_busy_crew_minutes``).
* Travel matrix — a unit on the road is taken to be at the node it left (geo.py).
* Records — ``call`` is the simulation clock at the call: the drawn time, up to float
  rounding of the chained delays (< 1e-12 min). Of the first unit on scene the record keeps when
  it was (last) sent to the incident and when it left: the response splits into waiting for it,
  its mobilisation (an on-request unit's delay included) and its travel (``IncidentRecord.unit_wait``,
  ``mobilise_minutes``, ``travel_minutes``); each unit sent has its dispatch time in ``sent``.
* Triggers (format 1.1) — when its condition happens to a triggering incident (a crowd reaches
  kuning or merah: :meth:`_Replication.level_changed`; it is resolved; it is still open
  ``unresolved_after`` its call), the triggered entry's draws decide at once whether it fires and
  with what delay, place and work (``TriggerPlan.decide``); the new incident is made at its call,
  ``delay`` later (also after ``duration``, in the drain; not after the end of the run), takes the
  next index and its kind's next number, and counts in ``remaining`` from the decision on, so the
  run never ends while one is pending.

* Areas of responsibility (format 1.1 ``area``) — a unit with an area is a candidate first only
  for incidents in its districts (scenario/areas.py says where a point lies); the area's units
  are taken first, in the policy's order, and once mutual aid is open (``immediate``: at once;
  ``{after: D}``: D after the call; ``never``) the others for what is still short, in the same
  order. A unit without an area is in every area. ``outside_units`` counts the units sent from
  outside the incident's area. Preemption keeps to the area until mutual aid opens.
* Duty (format 1.1 ``available``, ``on_request``) — a unit is on duty, at its base, from
  ``from``; at ``until`` an available unit goes off duty at once (one driving home goes on home,
  unavailable), a committed one finishes its incident first; no unit is sent after its
  ``until``, preemption included. Calls wait in the queue while no eligible unit is on duty and
  are served in its order when one comes. An on-request unit is a candidate from the start,
  ranked by the mean of its delay + mobilise + travel; the first time it is sent its delay
  (drawn once, from its own stream keyed by its id) comes before its mobilisation; from then on
  it is an ordinary unit. Utilisation counts on-duty crew-minutes only.
* Guards on the move (format 1.1 ``guard.respond``, ``until``, ``escort``) — when they respond,
  escort with ``after_escort: response`` or are pulled, the guard groups are rows of the unit
  table standing at their first TPS. A group stands guard there (counted as committed in the
  timeline, not available to the dispatcher unless pulled); for an entry in ``respond`` at one
  of its TPS it is sent first, from its post at 20 km/h, when it is standing guard at the call,
  and walks back to its post after the work; from the dispatch until it is back, the TPS of its
  group are unguarded. At ``until`` the guard ends; during the escort phase the groups escort
  (those on an incident join once released) and after it they are mobile response units at
  their posts (or off duty). ``unguarded`` records, at a call at a guarded TPS, whether its
  group was standing guard.

Nothing here touches process-wide state: pausing the garbage collector around a replication
is the runner's choice (:mod:`sispam_sim.runner.replications`).
"""

from __future__ import annotations

import math
from bisect import insort

import numpy as np
import simpy
from simpy.events import Timeout   # called directly on the hot path: env.timeout adds a bound-method hop

from sispam_sim.engine.dispatcher import Dispatcher
from sispam_sim.engine.duty import ForcesInTime
from sispam_sim.engine.incidents import Incident
from sispam_sim.engine.prepared import Prepared, prepare
from sispam_sim.engine.records import Event, IncidentRecord, ReplicationResult, TimelinePoint
from sispam_sim.engine.triggers import Triggers
from sispam_sim.engine.units import AT_BASE, MOBILISING, ON_SCENE
from sispam_sim.scenario.sites import GUARD_TYPE


def run_replication(scenario, replication: int, *, record_timeline: bool = True,
                    record_events: bool = True) -> ReplicationResult:
    """Simulate replication ``replication`` of a loaded scenario; return its flat records.

    ``record_timeline`` / ``record_events`` off skip ``timeline`` / ``events`` (faster for
    large batches that only need the incident records). What every replication of the
    scenario shares is built once, on the first call, and kept while the scenario lives
    (:func:`~sispam_sim.engine.prepared.prepare`). The garbage collector is left as it is:
    :func:`sispam_sim.runner.replications.run_one` pauses it around a replication.
    """
    return _Replication(prepare(scenario), replication, record_timeline, record_events).run()


class _Replication(ForcesInTime, Triggers):
    """One replication: the SimPy environment, the units, the incidents and their handlers.

    What the kinds' behaviours (:mod:`~sispam_sim.engine.kinds`) may use: ``env``, ``units``,
    ``dispatcher``, ``incidents``, ``watchers`` (incidents whose ``before_serve`` runs before
    the waiting queue is served; a behaviour adds and removes its own), and the operations
    :meth:`dispatch`, :meth:`queue`, :meth:`resolve`, :meth:`detach`, :meth:`release`,
    :meth:`serve_waiting`, :meth:`log` and :meth:`level_changed` (format 1.1 triggers).
    """

    def __init__(self, prepared: Prepared, replication: int, record_timeline: bool, record_events: bool):
        spec = prepared.spec
        self.spec, self.replication, self.prepared = spec, replication, prepared
        self.record_timeline, self.record_events = record_timeline, record_events
        self.env = simpy.Environment()
        self.travel = prepared.travel
        self.caps = prepared.caps
        self.units = prepared.units.fresh(replication)
        self.columns = prepared.columns
        self.entries, self.triggers, self.seed = prepared.entries, prepared.calls.triggers, spec.seed
        self._numbers: dict[str, int] = {}   # per kind: its last incident's number
        self.incidents = self._incidents(prepared)
        self.drawn = len(self.incidents)     # the calls drawn before the run (triggered ones follow them)
        self.dispatcher = Dispatcher(
            self.units, self.travel, prepared.policy, self.caps, spec.dispatch,
            np.array([i.priority for i in self.incidents], dtype=np.int64),
            np.array([i.call.time for i in self.incidents], dtype=float), prepared.eligible,
            [getattr(i.spec, "tier", 1) for i in self.incidents], [i.kind.has_levels for i in self.incidents])
        # format 1.1: areas, duty and guards (a version 1 scenario has none of them)
        u = self.units
        self.areas, self.duty_rules = u.has_area, u.duty_rules
        self.aid_after = spec.dispatch.aid_after
        self.guard_sites = prepared.guard_sites    # TPS ids under a guard.tps rule (None: unguarded not recorded)
        if self.areas or prepared.respond:
            for inc in self.incidents:
                self._place(inc)
        self.waiting: list[tuple[int, float, int]] = []
        self.watchers: list[Incident] = []   # incidents to ask before_serve (crowds called, not resolved)
        self.remaining = len(self.incidents)
        self.duration = spec.clock.duration
        self.busy = [0.0] * len(self.units.types)         # crew-minutes busy within [0, duration]
        self.drain_busy = [0.0] * len(self.units.types)   # ... and after duration
        self.timeline: list[TimelinePoint] = []
        self.events: list[Event] = []
        self._last_point: list[TimelinePoint | None] = [None] * len(self.units.types)
        self._type_names = [info.name for info in self.units.types]
        if not record_timeline:
            self._mark = _no_mark
        if not record_events:
            self.log = _no_log

    def _incidents(self, prepared: Prepared) -> list[Incident]:
        entries = prepared.entries   # per entry: an EntryPrep (spec, slots, need, total, label, behaviour, stops)
        numbers = self._numbers
        triggers = self.triggers
        nth = [0] * len(entries)     # per entry: its calls so far (an incident's key for its triggers)
        out = []
        append = out.append
        replication = self.replication
        for index, call in enumerate(prepared.calls.draw(replication)):
            entry_index, kind, time, loc, _ = call
            entry, slots, need, total, label, behaviour, stops = entries[entry_index]
            number = numbers[kind] = numbers.get(kind, 0) + 1
            nth[entry_index] += 1
            # positional, in IncidentRecord's field order (replication .. stops_voting): once per
            # incident, and half the cost of the keyword form
            record = IncidentRecord(replication, f"{kind}-{number:04d}", kind, entry_index, label, entry.priority,
                                    loc.key, loc.site, loc.lat, loc.lon, time, total, stops)
            append(Incident(index, call, entry, record, slots, need[:], behaviour,
                            (entry_index, nth[entry_index]), triggers[entry_index]))
        return out

    # ------------------------------------------------------------ the run

    def run(self) -> ReplicationResult:
        env, clock = self.env, self.spec.clock
        self.done = env.event()
        if self.incidents:   # calls are chained: each schedules the next (a short event queue)
            env.timeout(self.incidents[0].call.time, 0).callbacks.append(self._on_call)
        env.timeout(clock.duration + clock.drain).callbacks.append(self._finish)
        if not self.incidents:
            env.timeout(clock.duration).callbacks.append(self._finish)
        u = self.units
        if self.duty_rules:   # format 1.1: units that come on and go off duty, the escort
            self._schedule_duty(clock.duration + clock.drain)
        for t in range(len(self.units.types)):
            self._mark(t, env.now)
        env.run(until=self.done)
        result = self._result(env.now)
        # Events still pending hold callbacks bound to this replication, which holds the
        # environment: a cycle that only the garbage collector could free. Dropping them lets
        # reference counting free the whole state here (SimPy has no public way to do this).
        env._queue.clear()
        return result

    def _finish(self, _event=None) -> None:
        if not self.done.triggered:
            self.done.succeed()

    def _result(self, end: float) -> ReplicationResult:
        u = self.units
        for unit in np.flatnonzero(~u.avail).tolist():
            if u.incident[unit] >= 0:   # committed at the end (not a guard standing guard, nor off duty)
                self._count_busy(u.type_list[unit], u.crew_list[unit], u.busy_since[unit], end)
        for inc in self.incidents:
            if not inc.resolved:
                inc.record.level_minutes[inc.level - 1] += end - inc.level_since
                if inc.short_since is not None:
                    inc.record.short_minutes += end - inc.short_since
        available = [0.0] * len(u.types)
        if not self.duty_rules:   # crew x duration (the product taken last, as always)
            crew = [0] * len(u.types)
            for unit in range(u.n):
                crew[u.type_list[unit]] += u.crew_list[unit]
            available = [float(c) * self.duration for c in crew]
        else:   # on-duty crew-minutes within [0, duration] (format 1.1 availability)
            for unit in range(u.n):
                on, off = max(u.on_since[unit], 0.0), min(u.off_at[unit], self.duration)
                if off > on:
                    available[u.type_list[unit]] += u.crew_list[unit] * (off - on)
        if self.record_timeline:
            for t in range(len(u.types)):
                self._mark(t, end)
            if u.guard_police:
                for time, police in self._static_guard_points(end):
                    self.timeline.append(TimelinePoint(self.replication, time, GUARD_TYPE, police, 0, 0))
        names = [info.name for info in u.types]
        return ReplicationResult(
            replication=self.replication,
            incidents=[inc.record for inc in self.incidents],
            timeline=self.timeline,
            busy_crew_minutes={names[t]: self.busy[t] for t in range(len(names))},
            available_crew_minutes={names[t]: float(available[t]) for t in range(len(names))},
            end=end,
            duration=self.duration,
            drain_busy_crew_minutes={names[t]: self.drain_busy[t] for t in range(len(names))},
            events=self.events,
            incident_columns=self.columns,
        )

    # ------------------------------------------------------------ incidents

    def _on_call(self, event) -> None:
        index = event.value
        incidents, env = self.incidents, self.env
        inc = incidents[index]
        now = env.now
        inc.record.call = inc.level_since = inc.short_since = now   # the drawn time, up to float rounding
        if index + 1 < self.drawn:
            delay = incidents[index + 1].call.time - now
            Timeout(env, delay if delay > 0.0 else 0.0, index + 1).callbacks.append(self._on_call)
        self.log(now, None, inc, "call")
        if self.guard_sites is not None:
            self._guarded_at_call(inc, now)
        if not inc.aid and self.aid_after < math.inf:   # mutual aid opens this long after the call
            Timeout(env, self.aid_after, inc).callbacks.append(self._on_aid)
        if inc.triggers:
            self._watch(inc)
        inc.kind.on_call(self, inc, now)

    def dispatch(self, inc: Incident) -> None:
        """Send what the dispatcher picks for ``inc`` now; queue it while it stays short."""
        if inc.guard >= 0 and inc.record.first_dispatch is None:
            self._send_guard(inc)
        picks = self.dispatcher.select(inc, self.env.now)
        if picks:
            self._send(inc, picks)
        self.queue(inc)

    def queue(self, inc: Incident) -> None:
        """Keep ``inc`` in the waiting queue exactly while it is short of crew."""
        short = not inc.resolved and (inc.need[0] > inc.assigned[0] if len(inc.need) == 1 else inc.short())
        if short and not inc.waiting:
            insort(self.waiting, (inc.priority, inc.call.time, inc.index))
            inc.waiting = True
        elif not short and inc.waiting:
            self.waiting.remove((inc.priority, inc.call.time, inc.index))
            inc.waiting = False

    def serve_waiting(self) -> None:
        """Units freed up: dispatch to waiting incidents by priority, then call time.

        The watchers' ``before_serve`` runs first: a growing crowd brings its need up to now, so
        one that has outgrown its crew since its last re-assessment waits in its place in the queue.
        """
        for inc in self.watchers:
            inc.kind.before_serve(self, inc)
        if not self.waiting:
            return
        # An incident that got nothing tells that every later one with the same signature
        # gets nothing either (until a unit is taken). When the force is overloaded the queue
        # is long and most of it is skipped this way, so the loop is kept lean.
        units, incidents, signature = self.units, self.incidents, self._signature
        failed: set[tuple] | None = None
        for key in list(self.waiting):
            if not units.n_avail:
                return
            inc = incidents[key[2]]
            if not inc.waiting or (failed and signature(inc) in failed):
                continue
            before = len(inc.units)
            self.dispatch(inc)
            if len(inc.units) == before:
                if failed is None:
                    failed = set()
                failed.add(signature(inc))
            elif failed:
                failed.clear()

    def _signature(self, inc: Incident) -> tuple:
        """What decides whether free units can serve ``inc``: the capabilities it is short of
        (a bit set), its level, reserve treatment (priority 1 or not) and, when a travel matrix
        may leave places unreachable, its place. A flat tuple: cheap to hash."""
        need, assigned, caps = inc.need, inc.assigned, inc.caps
        if len(need) == 1:
            short = 1 << caps[0] if need[0] > assigned[0] else 0
        else:
            short = 0
            for slot, n in enumerate(need):
                if n > assigned[slot]:
                    short |= 1 << caps[slot]
        if self.areas:   # who may go depends on where it lies and whether mutual aid is open
            return (short, inc.level, inc.priority == 1, inc.call.location.node if self.dispatcher.check_reach else 0,
                    inc.district, inc.aid)
        return short, inc.level, inc.priority == 1, inc.call.location.node if self.dispatcher.check_reach else 0

    def resolve(self, inc: Incident) -> None:
        """``inc`` is resolved now: its units are released and the waiting queue served. Only its
        behaviour resolves an incident (its work ends, a crowd is gone)."""
        now = self.env.now
        inc.record.resolved = now
        inc.resolved = True
        inc.record.level_minutes[inc.level - 1] += now - inc.level_since
        inc.level_since = now
        if inc.short_since is not None:   # (never for the built-in kinds: work ends covered, a crowd goes home controlled)
            inc.record.short_minutes += now - inc.short_since
            inc.short_since = None
        inc.working = False
        for unit in list(inc.units):
            self.detach(inc, unit, "release")
            self.release(unit)
        if inc.waiting:
            self.queue(inc)
        self.log(now, None, inc, "resolve")
        for plan in inc.triggers:
            if plan.on_resolve:
                self._fire(plan, inc)
        self.remaining -= 1
        if self.waiting:
            self.serve_waiting()
        if not self.remaining:
            duration = self.spec.clock.duration
            if now >= duration:
                self._finish()
            else:
                self.env.timeout(duration - now).callbacks.append(self._finish)

    def _on_victim(self, event) -> None:
        """An incident lost a unit to preemption: re-assess it (after the taker is served)."""
        inc = self.incidents[event.value]
        if inc.resolved:
            return
        inc.kind.on_unit_lost(self, inc)

    # ------------------------------------------------------------ units

    def _send(self, inc: Incident, picks) -> None:
        env, u = self.env, self.units
        now = env.now
        rec, location, index = inc.record, inc.call.location, inc.index
        by_event = inc.kind.arrive_by_event
        victims: list[Incident] = []
        instant: list[int] = []
        for unit, slot, travel, preempted in picks:
            state = u.state[unit]
            if preempted:
                victim = self.incidents[int(u.incident[unit])]
                self.detach(victim, unit, "preempt")
                victim.kind.on_preempted(self, victim, unit, now)
                if victim not in victims:
                    victims.append(victim)
                origin = u.position_one(unit, now)
                t0 = max(now, u.t0[unit]) if state == MOBILISING else now
            else:
                ready = u.requested(unit, now) if u.pending[unit] else 0.0   # format 1.1 on_request: once
                u.take(unit)
                u.busy_since[unit] = now
                if state == AT_BASE:
                    mob = u.mob_const[unit]
                    origin = u.base_at[unit]
                    t0 = now + ready + (mob if mob is not None else u.mobilise(unit))
                else:   # driving back: sent again from the road, no mobilisation
                    origin, t0 = u.position_one(unit, now), now
                    u.stop_return(unit, MOBILISING)
            u.state[unit] = MOBILISING
            u.incident[unit] = index
            u.slot[unit] = slot
            t1 = t0 + travel
            u.set_leg(unit, origin, location, t0, t1)
            token = u.token[unit] = u.token[unit] + 1
            inc.assigned[slot] += u.crew_list[unit]
            inc.units.append(unit)
            rec.units.append(u.ids[unit])
            rec.sent.append(now)
            if self.areas:
                area = u.area[unit]
                if area is not None and inc.district not in area:
                    rec.outside_units += 1
            self.log(now, unit, inc, "dispatch")
            self._mark(u.type_list[unit], now)
            if t1 <= now and not by_event:
                instant.append(unit)   # already there: arrives now, without an event
            else:
                Timeout(env, t1 - now, (unit, token)).callbacks.append(self._on_arrive)
        if rec.first_dispatch is None:
            rec.first_dispatch = now
        for victim in victims:
            env.timeout(0, victim.index).callbacks.append(self._on_victim)
        for unit in instant:
            self._arrive(unit, inc, now)

    def _on_arrive(self, event) -> None:
        unit, token = event.value
        u = self.units
        if token == u.token[unit]:
            self._arrive(unit, self.incidents[u.incident[unit]], self.env.now)

    def _arrive(self, unit: int, inc: Incident, now: float) -> None:
        u = self.units
        u.state[unit] = ON_SCENE
        crew, t = u.crew_list[unit], u.type_list[unit]
        inc.on_scene[u.slot[unit]] += crew
        u.on_scene[t] += crew
        self._mark(t, now)
        rec = inc.record
        if rec.first_arrival is None:
            rec.first_arrival = now
            self._first_on_scene(rec, unit, now)
        self.log(now, unit, inc, "arrive")
        inc.kind.on_arrive(self, inc, unit, now)

    def _first_on_scene(self, rec: IncidentRecord, unit: int, now: float) -> None:
        """Record the first unit on scene: its id and type, its (last) dispatch to this incident and
        when it left, so that wait + mobilise + travel make up the response (the findings' split)."""
        u = self.units
        uid = rec.first_unit = u.ids[unit]
        rec.first_unit_type = self._type_names[u.type_list[unit]]
        units = rec.units
        k = len(units) - 1
        while units[k] != uid:   # its last dispatch here (a unit taken away and sent back comes twice)
            k -= 1
        rec.first_unit_dispatch = rec.sent[k]
        leave = u.t0[unit]
        rec.first_unit_leave = leave if leave < now else now   # an instant arrival leaves and arrives now

    def detach(self, inc: Incident, unit: int, action: str) -> None:
        """``unit`` stops counting for ``inc`` (released or preempted; ``action`` is logged).

        The timeline is left to the caller, which moves the unit on at once (released, or
        sent to the preempting incident) and marks its type then: one point for both.
        """
        u, now = self.units, self.env.now
        slot, crew = u.slot[unit], u.crew_list[unit]
        inc.assigned[slot] -= crew
        inc.units.remove(unit)
        if u.state[unit] == ON_SCENE:
            inc.on_scene[slot] -= crew
            u.on_scene[u.type_list[unit]] -= crew
        self.log(now, unit, inc, action)

    def release(self, unit: int) -> None:
        """A detached unit goes back to base; it is available from this moment."""
        u, now = self.units, self.env.now
        t = u.type_list[unit]
        u.give_back(unit)
        if now <= self.duration:
            self.busy[t] += u.crew_list[unit] * (now - u.busy_since[unit])
        else:
            self._count_busy(t, u.crew_list[unit], u.busy_since[unit], now)
        u.incident[unit] = -1
        u.slot[unit] = -1
        base = u.bases[unit]
        token = u.token[unit] = u.token[unit] + 1
        if now >= u.t1[unit] and u.to_lat[unit] == base.lat and u.to_lon[unit] == base.lon \
                and u.to_node[unit] == base.node:
            u.state[unit] = AT_BASE   # standing at its base already: its last leg ended there
        else:
            origin = u.position_one(unit, now)
            back = self.travel.minutes_one(*origin, u.speed_list[unit], base.lat, base.lon, base.node)
            if back <= 0:
                u.state[unit] = AT_BASE
                u.set_leg(unit, u.base_at[unit], base, now, now)
            else:
                u.start_return(unit)
                u.set_leg(unit, origin, base, now, now + back)
                Timeout(self.env, back, (unit, token)).callbacks.append(self._on_home)
        if self.duty_rules:
            self._after_release(unit, now)
        self._mark(t, now)

    def _count_busy(self, t: int, crew: int, since: float, until: float) -> None:
        """Add a unit's busy stretch [since, until] to type ``t``, split at ``duration``."""
        duration = self.duration
        if until <= duration:
            self.busy[t] += crew * (until - since)
        elif since >= duration:
            self.drain_busy[t] += crew * (until - since)
        else:
            self.busy[t] += crew * (duration - since)
            self.drain_busy[t] += crew * (until - duration)

    def _on_home(self, event) -> None:
        unit, token = event.value
        u = self.units
        if token == u.token[unit]:
            u.stop_return(unit, AT_BASE)
            self.log(self.env.now, unit, None, "base")

    # ------------------------------------------------------------ records

    def _mark(self, t: int, now: float) -> None:
        """Record the personnel of unit type ``t`` at ``now`` (one point per type and moment)."""
        u = self.units
        last = self._last_point[t]
        if last is not None and last.time == now:
            last.committed, last.on_scene, last.free = u.committed[t], u.on_scene[t], u.free[t]
            return
        point = TimelinePoint(self.replication, now, self._type_names[t], u.committed[t], u.on_scene[t], u.free[t])
        self.timeline.append(point)
        self._last_point[t] = point

    def log(self, now: float, unit: int | None, inc: Incident | None, action: str) -> None:
        """Append an :class:`Event` (``unit`` a unit row or None, ``inc`` an incident or None)."""
        self.events.append(_new_tuple(Event, (now, "" if unit is None else self.units.ids[unit],
                                              "" if inc is None else inc.record.id, action)))


#: Builds an :class:`Event` from a tuple in C, without the namedtuple's Python-level ``__new__``
#: (the event log is the engine's most frequent allocation).
_new_tuple = tuple.__new__


def _no_mark(_t, _now) -> None:
    """Stands in for ``_mark`` when the timeline is not recorded (fixed arguments: no tuple to pack)."""


def _no_log(_now, _unit, _inc, _action) -> None:
    """Stands in for ``log`` when the events are not recorded."""
