"""The two kinds with a fixed need and work on scene: a call for help (``rapid_response``) and a
disruption that stops voting at a TPS until it is resolved (``station_disruption``)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from sispam_sim.scenario import limits
from sispam_sim.scenario.distributions import DurationDist
from sispam_sim.scenario.entry import IncidentBase
from sispam_sim.scenario.kinds.base import GENERAL_METRICS, WorkKind
from sispam_sim.scenario.types import Id, PositiveInt
from sispam_sim.scenario.versions import since

__all__ = ["RapidResponse", "StationDisruption", "RapidResponseKind", "StationDisruptionKind"]


class RapidResponse(IncidentBase):
    """A call for help (110): send units until the need is met, work on scene, go back."""

    kind: Literal["rapid_response"]
    needs: dict[Id, Annotated[PositiveInt, Field(le=limits.MAX_NEED)]] = Field(
        min_length=1, description="Personnel per capability")
    work: DurationDist
    tier: PositiveInt = Field(1, le=3, json_schema_extra=since("1.1"),
                              description="Format 1.1: the highest tier of unit it may call on (3: Brimob too); "
                                          "crowds open tiers by escalating")


class StationDisruption(RapidResponse):
    """Voting stops at a TPS from the call until the incident is resolved (TPS downtime)."""

    kind: Literal["station_disruption"]  # type: ignore[assignment]

    @model_validator(mode="after")
    def _at_a_site(self) -> "StationDisruption":
        if not self.where.selects_sites and self.where.at is None:
            raise ValueError("a station_disruption happens at a TPS: use where: {sites: ...} (or, triggered by an "
                             "incident at a TPS, where: {at: trigger})")
        return self



class RapidResponseKind(WorkKind):
    name = "rapid_response"
    model = RapidResponse
    labels = {"en": {"name": "Rapid response", "short": "Rapid"},
              "id": {"name": "Respons cepat", "short": "Respons"}}


class StationDisruptionKind(WorkKind):
    name = "station_disruption"
    model = StationDisruption
    #: voting stops at its TPS from the call to resolution: that interval is the TPS downtime
    metrics = GENERAL_METRICS | {"tps_downtime"}
    shows = WorkKind.shows | {"tps_downtime"}
    labels = {"en": {"name": "TPS disruption", "short": "TPS"},
              "id": {"name": "Gangguan TPS", "short": "TPS"}}

    def inject(self, entry, label: str, place: str):
        return "drill_disruption", {"label": label, "place": place}
