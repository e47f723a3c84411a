"""Incidents with a fixed need and an amount of work on scene (rapid_response, station_disruption).

The work (drawn at the call: ``inc.work_left``) starts once every need is met by crew on
scene, and ends ``work_left`` minutes later with the incident's resolution. A preemption that
leaves a need unmet on scene pauses it: the time worked is kept, and the rest resumes when
the need is met on scene again. The incident is covered exactly while it works.
"""

from __future__ import annotations

from simpy.events import Timeout   # called directly: env.timeout adds a bound-method hop

from sispam_sim.engine.kinds import Behaviour

__all__ = ["WorkBehaviour"]


class WorkBehaviour(Behaviour):
    """Dispatch at the call (the default); work while every need is met on scene."""

    def on_arrive(self, rep, inc, unit: int, now: float) -> None:
        # the work starts (or resumes) once every need is met on scene
        if inc.working or (inc.on_scene[0] < inc.need[0] if len(inc.need) == 1 else not inc.met_on_scene()):
            return
        inc.working, inc.work_start = True, now
        token = inc.work_token = inc.work_token + 1
        inc.covered(now)
        rep.log(now, None, inc, "full_strength")
        Timeout(rep.env, inc.work_left, (rep, inc, token)).callbacks.append(self.on_work_end)

    def on_preempted(self, rep, inc, unit: int, now: float) -> None:
        if inc.working and not inc.met_on_scene():   # a need unmet on scene: the work pauses
            inc.work_left -= now - inc.work_start
            inc.working = False
            inc.work_token += 1
            inc.uncovered(now)
            rep.log(now, None, inc, "short")

    def on_work_end(self, event) -> None:
        """The work's Timeout: resolve, unless a pause (or the resolution) made it stale."""
        rep, inc, token = event.value
        if inc.resolved or token != inc.work_token:
            return
        rep.resolve(inc)
