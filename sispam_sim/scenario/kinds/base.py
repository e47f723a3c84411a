"""The interface of an incident kind: what the format, the checks, the load estimate and the
reports ask of it. The engine's behaviour of a kind is :mod:`sispam_sim.engine.kinds`."""

from __future__ import annotations

from typing import Any, ClassVar, Iterator

__all__ = ["IncidentKind", "WorkKind", "GENERAL_METRICS", "KIND_NOTES", "Feasibility"]

#: Metrics every kind has (scenario/metrics.py describes each).
GENERAL_METRICS = frozenset({"response_time", "dispatch_delay", "full_strength_time", "resolution_time",
                             "short_minutes", "unresolved"})

#: What a report shows only for a kind that lists it in ``shows``, never for all incidents together
#: (nor for a kind it does not know): minutes short of need (for a kind with a fixed need they
#: repeat the time to full strength) and the notes of escalation levels.
KIND_NOTES = frozenset({"short_minutes", "levels", "level_minutes"})

#: One row of a kind's feasibility check: (capability, personnel it needs at most at level 1,
#: key path of the capability, key path of that need), paths relative to the entry.
Feasibility = tuple[str, int, tuple, tuple]


class IncidentKind:
    """One incident kind. Subclasses set the class attributes and override what differs."""

    #: The YAML ``kind:`` value and the registry key.
    name: ClassVar[str]
    #: The pydantic model of an entry (with ``kind: Literal[name]``).
    model: ClassVar[type]
    #: The metrics with values for its incidents.
    metrics: ClassVar[frozenset[str]] = GENERAL_METRICS
    #: What reports show for it: metrics, and the notes ``levels`` and ``level_minutes``.
    shows: ClassVar[frozenset[str]] = GENERAL_METRICS - {"short_minutes"}
    #: Its name per language: ``{"en": {"name": ..., "short": ...}, "id": {...}}``.
    labels: ClassVar[dict[str, dict[str, str]]] = {}
    #: Whether its incidents can escalate at all (the validator suggests it to open tiers).
    can_escalate: ClassVar[bool] = False

    # ---------------------------------------------------------------- the format and its checks

    def max_level(self, entry: Any) -> int:
        """The highest escalation level an incident of ``entry`` can reach (tiers it can open)."""
        return 1

    def feasibility(self, entry: Any) -> Iterator[Feasibility]:
        """What the whole force must be able to give an incident of ``entry``."""
        raise NotImplementedError

    # ---------------------------------------------------------------- what the engine is told

    def slots(self, entry: Any) -> tuple[list[str], list[int]]:
        """The need at the call: capabilities and personnel per capability (one slot each)."""
        raise NotImplementedError

    def work_draw(self, entry: Any):
        """The distribution drawn once per call from the entry's WORK stream."""
        raise NotImplementedError

    # ---------------------------------------------------------------- the planner's estimate

    def offered_busy(self, entry: Any) -> tuple[float, dict[str, int]]:
        """(minutes on scene per incident, personnel per capability) for the offered load."""
        raise NotImplementedError

    # ---------------------------------------------------------------- the controllers' script

    def inject(self, entry: Any, label: str, place: str) -> tuple[str, dict[str, Any]]:
        """What the controllers read out for a call: an i18n key and its fields."""
        return "drill_call", {"label": label, "place": place}

    def need_text(self, entry: Any, need: int) -> tuple[str, dict[str, Any]] | None:
        """How the script states the need (None: the need per capability, as written)."""
        return None

    # ---------------------------------------------------------------- the briefing's charts

    def need_curve(self, entry: Any, call: float, stop: float, resolved: float | None,
                   escalations: list[float]) -> tuple[list[float], list[int]] | None:
        """The need drawn over an incident's time on the escalation chart, as (minutes, personnel)
        (None: the need recorded, flat from the call to ``stop``)."""
        return None


class WorkKind(IncidentKind):
    """A kind with a fixed need and a drawn amount of work on scene (a call for help)."""

    def feasibility(self, entry: Any) -> Iterator[Feasibility]:
        for capability, need in entry.needs.items():
            path = ("needs", capability)
            yield capability, need, path, path

    def slots(self, entry: Any) -> tuple[list[str], list[int]]:
        return list(entry.needs), list(entry.needs.values())

    def work_draw(self, entry: Any):
        return entry.work

    def offered_busy(self, entry: Any) -> tuple[float, dict[str, int]]:
        return entry.work.mean, dict(entry.needs)

    def max_level(self, entry: Any) -> int:
        """A call for help never escalates; format 1.1's ``tier`` lets it call on units up to that tier."""
        return getattr(entry, "tier", 1)
