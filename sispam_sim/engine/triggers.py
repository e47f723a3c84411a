"""Triggered incidents (format 1.1 ``trigger``): the replication's handlers.

A mixin of :class:`~sispam_sim.engine.model._Replication` (the rule is in that module's
docstring, the draws in :class:`~sispam_sim.engine.incidents.TriggerPlan`).
"""

from __future__ import annotations

import math

from simpy.events import Timeout   # called directly: env.timeout adds a bound-method hop

from sispam_sim.engine.incidents import Call, Incident
from sispam_sim.engine.records import IncidentRecord

__all__ = ["Triggers"]


class Triggers:
    """What a replication does when a triggering incident's condition happens."""

    def _watch(self, inc: Incident) -> None:
        """At ``inc``'s call: a timer for each ``unresolved_after`` trigger of its entry."""
        for plan in inc.triggers:
            if plan.after is not None:
                Timeout(self.env, plan.after, (plan, inc)).callbacks.append(self._on_unresolved)

    def _on_unresolved(self, event) -> None:
        plan, inc = event.value
        if not inc.resolved:
            self._fire(plan, inc)

    def level_changed(self, inc: Incident) -> None:
        """``inc`` has just reached ``inc.level`` (its behaviour calls this when it escalates): the
        triggers of that level decide."""
        for plan in inc.triggers:
            if plan.level == inc.level:
                self._fire(plan, inc)

    def _fire(self, plan, inc: Incident) -> None:
        """The condition of ``plan`` happened to ``inc`` now (once per incident and trigger): the
        triggered entry's own stream decides whether, and then when, where and with what work, its
        incident is called. A pending call counts in ``remaining``, so the run waits for it."""
        decided = plan.decide(self.seed, self.replication, inc.key, inc.call.location)
        if decided is None:
            return
        delay, location, draw = decided
        self.remaining += 1
        Timeout(self.env, delay, (plan, inc, location, draw)).callbacks.append(self._on_triggered)

    def _on_triggered(self, event) -> None:
        """A triggered incident's call: it is made now, with the next index and its kind's next number."""
        plan, parent, location, draw = event.value
        now = self.env.now
        entry, slots, need, total, label, behaviour, stops = self.entries[plan.entry]
        kind = entry.kind
        number = self._numbers[kind] = self._numbers.get(kind, 0) + 1
        record = IncidentRecord(self.replication, f"{kind}-{number:04d}", kind, plan.entry, label, entry.priority,
                                location.key, location.site, location.lat, location.lon, now, total, stops)
        record.triggered_by = parent.record.id
        index = len(self.incidents)
        inc = Incident(index, Call(plan.entry, kind, now, location, draw), entry, record, slots, need[:], behaviour,
                       (plan.entry,) + parent.key, self.triggers[plan.entry])
        self.incidents.append(inc)
        if self.areas or self.prepared.respond:
            self._place(inc)
        self.dispatcher.add_incident(entry.priority, now, getattr(entry, "tier", 1), behaviour.has_levels)
        self.log(now, None, inc, "call")
        if self.guard_sites is not None:
            self._guarded_at_call(inc, now)
        if not inc.aid and self.aid_after < math.inf:
            Timeout(self.env, self.aid_after, inc).callbacks.append(self._on_aid)
        if inc.triggers:
            self._watch(inc)
        behaviour.on_call(self, inc, now)

