"""The registry of incident kinds, keyed by the name a scenario writes under ``kind:``.

Each kind is one object (:class:`~sispam_sim.scenario.kinds.base.IncidentKind`) that owns what
is particular to it: its schema model and checks, its need and what it draws, its busy time for
the offered load, the metrics it has and the ones reports show for it, and its labels. Its
behaviour in a replication is the engine's side of the same name
(:mod:`sispam_sim.engine.kinds`). Everything else asks the kind: nothing outside this package
and the engine's compares kind names.

    from sispam_sim.scenario import kinds
    kinds.names()                                  # ('rapid_response', 'station_disruption', 'crowd_buildup')
    kinds.get("crowd_buildup").slots(entry)        # (['crowd_control'], [1])
    kinds.applies_to("tps_downtime", "rapid_response")   # False

A new kind (docs/model.md, "Adding an incident kind") subclasses ``IncidentKind`` (or
``WorkKind``), gives its pydantic model, and is registered with :func:`register`, which also
rebuilds the scenario schema so that ``kind: NAME`` validates.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

from sispam_sim.scenario.kinds.base import GENERAL_METRICS, KIND_NOTES, IncidentKind, WorkKind

__all__ = ["KINDS", "IncidentKind", "WorkKind", "GENERAL_METRICS", "KIND_NOTES", "register", "unregister",
           "registered", "names", "get", "applies_to", "kinds_with", "shows", "has_levels", "label", "incident_union",
           "order"]

#: name -> kind, in the order reports list kinds.
KINDS: dict[str, IncidentKind] = {}


def names() -> tuple[str, ...]:
    """The registered kinds, in the order reports list them."""
    return tuple(KINDS)


def get(name: str | None) -> IncidentKind | None:
    """The kind called ``name`` (None: not registered, e.g. a kind of a newer version in a saved run)."""
    return KINDS.get(name) if name is not None else None


def order(found) -> list[str]:
    """``found`` kind names in the registry's order; names it does not know follow, sorted."""
    found = set(found)
    return [k for k in KINDS if k in found] + sorted(found.difference(KINDS))


def applies_to(metric: str, kind: str | None) -> bool:
    """Whether ``metric`` (a canonical metric name) has values for incidents of ``kind``
    (``None``: all kinds together; a kind not registered: every metric may)."""
    found = KINDS.get(kind) if kind is not None else None
    return found is None or metric in found.metrics


def kinds_with(metric: str) -> tuple[str, ...]:
    """The registered kinds that have ``metric``."""
    return tuple(name for name, k in KINDS.items() if metric in k.metrics)


def shows(metric: str, kind: str | None) -> bool:
    """Whether a report shows ``metric`` (or note: ``levels``, ``level_minutes``) for ``kind``.
    ``None`` (all incidents together) and a kind not registered show every metric they have but
    :data:`KIND_NOTES`; a registered kind shows what it lists in ``shows``."""
    found = KINDS.get(kind) if kind is not None else None
    if found is None:
        return metric not in KIND_NOTES
    return metric in found.shows


def has_levels(kind: str | None) -> bool:
    """Whether incidents of ``kind`` have escalation levels (a day's highest level counts them)."""
    found = KINDS.get(kind) if kind is not None else None
    return found is not None and "max_level" in found.metrics


def label(kind: str, lang: str = "en", short: bool = False) -> str:
    """The kind's name in ``lang`` (its short form for narrow columns); the name itself if unknown."""
    found = KINDS.get(kind)
    if found is None:
        return kind
    table = found.labels.get(lang) or found.labels.get("en") or {}
    return table.get("short" if short else "name") or table.get("name") or kind


def incident_union():
    """The annotation of one incident entry: the registered kinds' models, told apart by ``kind``."""
    from typing import Annotated, Union

    from pydantic import Field

    models = tuple(k.model for k in KINDS.values())
    return Annotated[Union[models], Field(discriminator="kind")]   # type: ignore[valid-type]


def register(kind: IncidentKind) -> IncidentKind:
    """Add ``kind`` (replacing one of the same name) and rebuild the scenario schema with it."""
    if not getattr(kind, "name", None) or getattr(kind, "model", None) is None:
        raise TypeError("an incident kind needs a name and a model")
    KINDS[kind.name] = kind
    _rebuild()
    return kind


def unregister(name: str) -> None:
    """Remove a kind (tests) and rebuild the schema without it."""
    KINDS.pop(name, None)
    _rebuild()


@contextmanager
def registered(kind: IncidentKind) -> Iterator[IncidentKind]:
    """``kind`` registered for the ``with`` block only (a test's toy kind)."""
    before = KINDS.get(kind.name)
    register(kind)
    try:
        yield kind
    finally:
        if before is None:
            unregister(kind.name)
        else:
            register(before)


def _rebuild() -> None:
    import sys

    schema = sys.modules.get("sispam_sim.scenario.schema")
    if schema is not None and hasattr(schema, "rebuild"):   # not while the schema itself is first built
        schema.rebuild()


def _register_builtin() -> None:
    from sispam_sim.scenario.kinds.crowd_buildup import CrowdBuildupKind
    from sispam_sim.scenario.kinds.work import RapidResponseKind, StationDisruptionKind

    for kind in (RapidResponseKind(), StationDisruptionKind(), CrowdBuildupKind()):
        KINDS[kind.name] = kind


_register_builtin()
