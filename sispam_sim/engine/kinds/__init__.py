"""What each incident kind does in a replication: a :class:`Behaviour` registered by ``kind``.

The replication (:mod:`~sispam_sim.engine.model`) does what every incident shares: it draws
the calls, sends units, moves them, counts crew and crew-minutes, queues an incident short of
crew and releases units at resolution. What differs between kinds happens in a few hooks of
the incident's behaviour, as a SimPy resource overrides ``_do_put``/``_do_get`` rather than the
core branching on its type:

=====================================  ==========================================================
hook                                   called
=====================================  ==========================================================
``on_call(rep, inc, now)``             at the call, after it is logged; default: dispatch
``on_arrive(rep, inc, unit, now)``     a unit reached the scene (after the crew counts and log)
``on_preempted(rep, inc, unit, now)``  a unit was just taken from it by preemption (its crew
                                       counts changed, ``preempt`` logged; before the taker gets it)
``on_unit_lost(rep, inc)``             in an event after a unit was preempted; default: dispatch
``before_serve(rep, inc)``             before the waiting queue is served, for each incident in
                                       ``rep.watchers`` (an incident whose need moves by itself)
=====================================  ==========================================================

An incident is resolved only by its own behaviour, which calls ``rep.resolve(inc)`` (the work
ends, the crowd is gone): what resolution means for the kind beyond releasing the units, it
does there. So there is no resolution hook, and none for a release (the behaviour releases
what it lets go, and the replication releases everything at resolution): each would be a call
on the path of every incident that no built-in kind needs.

``arrive_by_event`` (class attribute): a unit that is already at the place when sent still
arrives through a SimPy event (after what is already scheduled at that moment) instead of at
once. The order of events at one moment is part of the results.

The behaviours use the replication only through its public operations: ``rep.env``,
``rep.units``, ``rep.dispatcher``, ``rep.incidents``, ``rep.watchers``, ``rep.dispatch(inc)``,
``rep.queue(inc)``, ``rep.resolve(inc)``, ``rep.detach(inc, unit, action)``,
``rep.release(unit)``, ``rep.serve_waiting()`` and ``rep.log(now, unit, inc, action)``; and, for
a draw of its own keyed like the incidents' (a crowd's negotiation), ``rep.spec.seed`` and
``rep.replication``.

The registry is keyed by the names of the scenario's kinds (:mod:`sispam_sim.scenario.kinds`),
which say what a planner writes and what it means; a kind registered there needs a behaviour
here before a replication can run it (:func:`behaviour` says so otherwise)::

    from sispam_sim.engine import kinds
    kinds.behaviour("crowd_buildup")            # CrowdBehaviour()
    with kinds.registered("toy", ToyBehaviour()):
        ...                                     # a test's own kind
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import ClassVar, Iterator

__all__ = ["Behaviour", "BEHAVIOURS", "NoBehaviour", "register", "unregister", "registered", "behaviour"]


class Behaviour:
    """A kind's engine hooks. The defaults are those of an incident with a fixed need: send
    units at the call and again when one is taken away; nothing else."""

    #: A unit already at the place when sent arrives through an event, never at once.
    arrive_by_event: ClassVar[bool] = False
    #: Its incidents have escalation levels, so unit types' bands (format 1.1 ``max_level``) apply.
    has_levels: ClassVar[bool] = False

    def on_call(self, rep, inc, now: float) -> None:
        rep.dispatch(inc)

    def on_arrive(self, rep, inc, unit: int, now: float) -> None:
        pass

    def on_preempted(self, rep, inc, unit: int, now: float) -> None:
        pass

    def on_unit_lost(self, rep, inc) -> None:
        rep.dispatch(inc)

    def before_serve(self, rep, inc) -> None:
        pass

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class NoBehaviour(LookupError):
    """An incident kind without an engine behaviour."""


#: kind name -> its behaviour (one instance, shared by every replication: it keeps no state
#: of its own; an incident's state is on the incident).
BEHAVIOURS: dict[str, Behaviour] = {}


def register(name: str, behaviour: Behaviour) -> Behaviour:
    """Make ``behaviour`` the engine side of kind ``name`` (replacing one of the same name)."""
    if not isinstance(behaviour, Behaviour):
        raise TypeError(f"the behaviour of incident kind {name!r} must be a sispam_sim.engine.kinds.Behaviour, "
                        f"found {type(behaviour).__name__}")
    BEHAVIOURS[name] = behaviour
    return behaviour


def unregister(name: str) -> None:
    BEHAVIOURS.pop(name, None)


def behaviour(name: str) -> Behaviour:
    """The behaviour of kind ``name``; :class:`NoBehaviour` if none is registered."""
    found = BEHAVIOURS.get(name)
    if found is None:
        known = ", ".join(BEHAVIOURS) or "none"
        raise NoBehaviour(f"incident kind {name!r} has no engine behaviour (registered: {known}); register one with "
                          f"sispam_sim.engine.kinds.register({name!r}, behaviour)")
    return found


@contextmanager
def registered(name: str, behaviour: Behaviour) -> Iterator[Behaviour]:
    """``behaviour`` registered for kind ``name`` for the ``with`` block only (a test's toy kind)."""
    before = BEHAVIOURS.get(name)
    register(name, behaviour)
    try:
        yield behaviour
    finally:
        if before is None:
            unregister(name)
        else:
            BEHAVIOURS[name] = before


def _register_builtin() -> None:
    from sispam_sim.engine.kinds.crowd_buildup import CrowdBehaviour
    from sispam_sim.engine.kinds.work import WorkBehaviour

    work = WorkBehaviour()
    for name, found in (("rapid_response", work), ("station_disruption", work), ("crowd_buildup", CrowdBehaviour())):
        BEHAVIOURS[name] = found


_register_builtin()
