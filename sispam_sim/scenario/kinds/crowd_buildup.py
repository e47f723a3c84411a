"""A crowd that grows, holds and disperses only while controlled, and may escalate
(``crowd_buildup``): its need follows its size (the engine's side: :mod:`sispam_sim.engine.kinds`)."""

from __future__ import annotations

import math
from typing import Annotated, Literal, Optional

from pydantic import Field, model_validator

from sispam_sim.scenario import limits
from sispam_sim.scenario.distributions import DurationDist
from sispam_sim.scenario.entry import IncidentBase, Strict
from sispam_sim.scenario.kinds.base import GENERAL_METRICS, IncidentKind
from sispam_sim.scenario.quantities import round_up
from sispam_sim.scenario.types import MAX_LEVEL, Id, NonNegDuration, NonNegInt, PositiveInt, PositiveRate
from sispam_sim.scenario.versions import since

__all__ = ["Crowd", "Escalation", "Negotiation", "CrowdBuildup", "CrowdBuildupKind", "MAX_LEVEL"]


class Crowd(Strict):
    initial: NonNegInt = Field(le=limits.MAX_CROWD, description="Persons at the call")
    growth: PositiveRate = Field(description='Persons per time while growing (and dispersing), e.g. "20/min"')
    peak: PositiveInt = Field(le=limits.MAX_CROWD)
    lasts: DurationDist = Field(description="How long the crowd holds at its peak")

    @model_validator(mode="after")
    def _peak_above_initial(self) -> "Crowd":
        if self.peak < self.initial:
            raise ValueError(f"peak ({self.peak}) must be >= initial ({self.initial})")
        return self


class Escalation(Strict):
    below: float = Field(gt=0, le=1, description="Escalate when on-scene / need stays below this")
    after: NonNegDuration = Field(description="... for this long without a break")
    factor: float = Field(ge=1, le=limits.MAX_ESCALATION_FACTOR, description="Need multiplies by this at each level")


class Negotiation(Strict):
    """Format 1.1: negotiators sent at the call beside the crowd control; once their need has been
    met on scene for ``for`` without a break, the crowd stops growing and starts to disperse with
    probability ``success`` (docs/model.md, "Negotiation")."""

    needs: dict[Id, Annotated[PositiveInt, Field(le=limits.MAX_NEED)]] = Field(
        min_length=1, description="Negotiation personnel per capability (a need of their own: they do not "
                                  "count toward the crowd control)")
    for_: NonNegDuration = Field(alias="for", description="How long the negotiators must be on scene, "
                                                          "without a break, before the talks end")
    success: float = Field(ge=0, le=1, description="The probability that the talks succeed: the crowd then stops "
                                                   "growing and disperses while controlled")


class CrowdBuildup(IncidentBase):
    """A crowd that grows, holds and disperses only while controlled; it may escalate."""

    kind: Literal["crowd_buildup"]
    crowd: Crowd
    per_officer: float = Field(ge=limits.MIN_PER_OFFICER, le=limits.MAX_PER_OFFICER,
                               description="Persons in the crowd per crowd_control officer")
    escalation: Optional[Escalation] = None
    capability: Id = Field("crowd_control", description="The capability that controls the crowd")
    negotiation: Optional[Negotiation] = Field(None, json_schema_extra=since("1.1"),
                                               description="Format 1.1: a negotiation stage (needs, for, success)")

    @model_validator(mode="after")
    def _negotiators_apart(self) -> "CrowdBuildup":
        if self.negotiation is not None and self.capability in self.negotiation.needs:
            raise ValueError(f'negotiation.needs.{self.capability}: the negotiators are a need of their own and '
                             f'never count toward the crowd control; give them a capability other than the '
                             f'crowd\'s ("{self.capability}"), e.g. negotiation')
        return self

    def need_at_peak(self, level: int = 1) -> int:
        """ceil(ceil(peak / per_officer) x factor^(level - 1)), as the engine computes need."""
        factor = self.escalation.factor if self.escalation else 1.0
        return round_up(round_up(self.crowd.peak / self.per_officer) * factor ** (level - 1))




class CrowdBuildupKind(IncidentKind):
    name = "crowd_buildup"
    model = CrowdBuildup
    metrics = GENERAL_METRICS | {"max_level"}
    shows = IncidentKind.shows | {"short_minutes", "levels", "level_minutes"}
    labels = {"en": {"name": "Crowd build-up", "short": "Crowd"},
              "id": {"name": "Penumpukan massa", "short": "Massa"}}
    can_escalate = True

    def max_level(self, entry) -> int:
        return MAX_LEVEL if entry.escalation else 1

    def feasibility(self, entry):
        # the capability is written once; the need grows with the crowd up to its peak
        yield entry.capability, entry.need_at_peak(1), ("capability",), ("crowd", "peak")
        if entry.negotiation is not None:
            for capability, need in entry.negotiation.needs.items():
                path = ("negotiation", "needs", capability)
                yield capability, need, path, path

    def slots(self, entry):
        # slot 0 is the crowd control (its need follows the crowd); the negotiators' slots follow it
        capabilities, need = [entry.capability], [1]
        if entry.negotiation is not None:
            capabilities += list(entry.negotiation.needs)
            need += list(entry.negotiation.needs.values())
        return capabilities, need

    def work_draw(self, entry):
        return entry.crowd.lasts

    def offered_busy(self, entry):
        crowd = entry.crowd
        rise = (crowd.peak - crowd.initial) / crowd.growth
        fall = crowd.peak / crowd.growth
        needs = {entry.capability: math.ceil(crowd.peak / entry.per_officer)}
        if entry.negotiation is not None:   # counted for the crowd's whole time: at most that long on scene
            needs.update(entry.negotiation.needs)
        return rise + crowd.lasts.mean + fall, needs

    def inject(self, entry, label: str, place: str):
        crowd = entry.crowd
        return "drill_crowd", {"label": label, "place": place, "initial": crowd.initial,
                               "growth": f"{crowd.growth:g}", "peak": crowd.peak}

    def need_text(self, entry, need: int):
        return "drill_crowd_need", {"need": need, "per": f"{entry.per_officer:g}", "capability": entry.capability}

    def need_curve(self, entry, call: float, stop: float, resolved: float | None, escalations: list[float]):
        # about one point a minute from the call; the dispersal before resolution is drawn as steady
        c, esc = entry.crowd, entry.escalation
        factor = esc.factor if esc else 1.0
        disperse = float(c.peak) / float(c.growth)
        xs, ys = [], []
        steps = max(int((stop - call) // 1) + 1, 2)
        for k in range(steps + 1):
            at = min(call + k * (stop - call) / steps, stop)
            size = min(float(c.peak), float(c.initial) + float(c.growth) * (at - call))
            if resolved is not None and at > resolved - disperse and at - call > disperse:
                size = min(size, float(c.growth) * (resolved - at))
            level = 1 + sum(1 for x in escalations if x <= at)
            base = max(1, math.ceil(size / float(entry.per_officer) - 1e-9))
            xs.append(at)
            ys.append(max(1, math.ceil(base * factor ** (level - 1) - 1e-9)) if size > 0 else 0)
        return xs, ys
