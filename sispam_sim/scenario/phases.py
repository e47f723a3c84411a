"""Format 1.1 phases of the day (``clock.phases``): their own checks, and every place a phase is named.

A phase is ``NAME: [FROM, UNTIL]``, from its start up to (not including) its end; phases may
touch (counting from 13:00 after voting until 13:00) but not overlap. A phase may be named
wherever a clock time may be written (:class:`~sispam_sim.scenario.quantities.PhaseRef`: a
rate profile's key, ``available.from``/``until``, ``guard.until``), and by ``guard.escort.phase``
and the keys of ``targets.by_phase``. :func:`phase_refs` finds the first kind anywhere in a parsed
scenario, so a key added later that takes a phase is checked without being listed here.
"""

from __future__ import annotations

from typing import Any, Iterator, NamedTuple

from pydantic import BaseModel

from sispam_sim.scenario.entry import RateProfile
from sispam_sim.scenario.errors import suggest
from sispam_sim.scenario.metrics import INCIDENT_METRICS, canonical_metric
from sispam_sim.scenario.quantities import _PHASE_NAME, PhaseRef

__all__ = ["Finding", "phase_refs", "findings", "target_phases"]


class Finding(NamedTuple):
    """One problem found: where (a key path; ``key``: at the key rather than its value), how bad, what."""

    path: tuple
    severity: str
    message: str
    key: bool = False


def phase_refs(value: Any, path: tuple = ()) -> Iterator[tuple[tuple, PhaseRef, bool]]:
    """``(key path, reference, at_key)`` of every phase named where a clock time may be, in a parsed
    model (``at_key``: the phase is a mapping key, a rate profile's step). Only keys written count."""
    if isinstance(value, PhaseRef):
        yield path, value, False
    elif isinstance(value, RateProfile):
        for when, _ in value.points:
            if isinstance(when, PhaseRef):
                yield path + (str(when),), when, True
    elif isinstance(value, BaseModel):
        fields = type(value).model_fields
        for name in sorted(value.model_fields_set, key=list(fields).index):
            yield from phase_refs(getattr(value, name), path + (fields[name].alias or name,))
    elif isinstance(value, (list, tuple)):
        for i, item in enumerate(value):
            yield from phase_refs(item, path + (i,))
    elif isinstance(value, dict):
        for k, item in value.items():
            yield from phase_refs(item, path + (k,))


def target_phases(spec) -> tuple[tuple[str, float, float], ...]:
    """``(name, from, until)`` in minutes of each phase a target is set for (``targets.by_phase``),
    in the order written: what the statistics split the incidents by (empty: a run without)."""
    clock = spec.clock
    return tuple((name, *clock.phase_span(name)) for name in spec.targets.by_phase if name in clock.phases)


def _span_text(first, last) -> str:
    return f"{first}-{last}"


def findings(spec, where) -> Iterator[Finding]:
    """Every problem of the phases and of the names that refer to them. ``where(path)`` gives
    ``FILE:LINE:COL`` of a value, to name a first occurrence in a message."""
    clock = spec.clock
    phases = clock.phases
    horizon = clock.duration + clock.drain
    spans: dict[str, tuple[float, float]] = {}
    for name, (first, last) in phases.items():
        path = ("clock", "phases", name)
        if not _PHASE_NAME.fullmatch(name):
            yield Finding(path, "error", f'phase name "{name}" must begin with a letter or "_" (a name that '
                                         "begins with a digit reads as a clock time where a phase is named)", True)
        start, until = clock.phase_span(name)
        if until <= start:
            yield Finding(path + (1,), "error", f'"{last}" (until) is not after "{first}" (from): phase "{name}" '
                                                "would last no time; a phase runs from its start up to its end")
            continue
        for other, (o_start, o_until) in spans.items():   # the phases written before this one
            if start < o_until and o_start < until:
                o_first, o_last = phases[other]
                yield Finding(path + (0,), "error",
                              f'phase "{name}" ({_span_text(first, last)}) overlaps phase "{other}" '
                              f"({_span_text(o_first, o_last)}, {where(('clock', 'phases', other, 0))}): phases may "
                              f'touch (one ends at "{o_last}", the next begins there) but not overlap')
                break
        spans[name] = (start, until)
        if until <= 0 or start >= horizon:
            yield Finding(path, "warning", f'phase "{name}" ({_span_text(first, last)}) lies outside the run '
                                           "(clock.start to clock.start + duration + drain): it never happens", True)
        elif start < 0 or until > horizon:
            yield Finding(path, "warning", f'phase "{name}" ({_span_text(first, last)}) reaches outside the run '
                                           "(clock.start to clock.start + duration + drain): only the part inside "
                                           "it happens", True)
    yield from _references(spec)
    yield from _rate_keys(spec)
    guard = spec.guard
    if not guard.tps:
        for key in ("until", "escort"):
            if getattr(guard, key) is not None:
                yield Finding(("guard", key), "warning", f"guard.{key} applies to the TPS guards, and guard.tps "
                                                         "sets none: it changes nothing", True)


def _unknown(name: str, phases) -> str:
    listed = ", ".join(sorted(phases)) if phases else 'none defined (clock.phases: {NAME: ["HH:MM", "HH:MM"]})'
    return f'unknown phase "{name}"{suggest(name, list(phases))}; clock.phases has: {listed}'


def _references(spec) -> Iterator[Finding]:
    """Every phase named exists: where a clock time may be, ``guard.escort.phase``, ``targets.by_phase``."""
    phases = spec.clock.phases
    said: set[tuple] = set()   # ``available: escort`` names the phase for both from and until: one problem
    for path, ref, at_key in phase_refs(spec):
        if at_key and spec.version == 1:   # a rate key: the version check cannot see a value
            yield Finding(path, "error", f'"{ref}" is not a clock time ("HH:MM"); a rate key that names a phase '
                                         "of clock.phases is format 1.1: write version: 1.1 at the top of the file "
                                         "(a version 1 file keeps its meaning)", True)
            continue
        shorthand = path[-1] in ("from", "until") and path[-2] == "available"
        if ref.name not in phases and (path[:-1] if shorthand else path, ref.name) not in said:
            said.add((path[:-1] if shorthand else path, ref.name))
            yield Finding(path, "error", _unknown(ref.name, phases), at_key)
    escort = spec.guard.escort
    if escort is not None and escort.phase not in phases:
        yield Finding(("guard", "escort", "phase"), "error", _unknown(escort.phase, phases))
    for name in spec.targets.by_phase:
        if name not in phases:
            yield Finding(("targets", "by_phase", name), "error", _unknown(name, phases), True)


def _rate_keys(spec) -> Iterator[Finding]:
    """Two keys of one rate profile that begin a step at the same minute: which rate holds is unclear."""
    clock = spec.clock
    for i, incident in enumerate(spec.incidents):
        rate = incident.rate
        if rate is None or rate.constant is not None or (spec.version == 1 and rate.names_phases):
            continue
        for first, second in rate.same_minute(clock):
            path = ("incidents", i, "rate", second)
            if spec.version == 1:   # format 1 took the higher rate: a version 1 file keeps its meaning
                yield Finding(path, "warning", f'"{second}" begins at the same minute as "{first}": the higher '
                                               "of the two rates holds; keep one of them", True)
            else:
                yield Finding(path, "error", f'"{second}" begins at the same minute as "{first}": keep one of them '
                                             "(a phase key begins at the phase's start)", True)


def day_metric_finding(row) -> Finding | None:
    """A day metric (``unresolved``, ``max_level``) under ``targets.by_phase``: it has no phase."""
    if row.phase is None or canonical_metric(row.metric) in INCIDENT_METRICS:
        return None
    allowed = ", ".join(INCIDENT_METRICS)
    return Finding(row.path[:-1], "error", f"{row.metric} is a figure of a whole day, not of the incidents called in a "
                                           f"phase: by_phase takes incident metrics only ({allowed})", True)
