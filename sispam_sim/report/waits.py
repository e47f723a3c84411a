"""Why an incident waited, and where each unit sent to it came from, as far as a run's files tell.

From one day's movements (:mod:`.movements`) and the scenario's dispatch rules:

* **where a unit came from**: its base, *redirected* on its way back from another incident (released
  at a time), or *preempted* (taken from another incident by a priority-1 call);
* **why an incident waited**: at its call, the units sent there did not cover its need (or none was
  sent). For each capability still short, every unit that has it, and what kept it from this call at
  that moment: committed to another incident (which, where, since when), its tier not open at the
  incident's level, its band (format 1.1 ``max_level``) below the crowd's level, outside its area
  before mutual aid opened, off duty, standing guard, unreachable, or held back by the reserve (the
  free crew of the capability would fall below the number kept for priority-1 incidents). A unit none
  of these rules explains is said to be free, with nothing added: the files say no more.

Plain data out (:meth:`Wait.as_dict` for JSON); :func:`wait_lines` and :func:`origin_text` put it in
words (plain text: every renderer makes it inert).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any, Mapping, Sequence

from sispam_sim.engine.dispatcher import largest_gap
from sispam_sim.engine.prepared import prepare
from sispam_sim.report import glossary, numbers
from sispam_sim.report.i18n import t
from sispam_sim.report.movements import DayMoves, Dispatch, incident_location, site_coordinates
from sispam_sim.scenario import kinds

__all__ = ["UnitReason", "Shortfall", "Wait", "Waits", "why_waited", "waited", "wait_lines", "origin_text",
           "Words", "REASONS"]

#: Why a unit with a capability an incident was short of did not go at its call.
REASONS = ("sent", "busy", "off_duty", "guard", "tier", "band", "area", "unreachable", "reserve", "free")


@dataclass(frozen=True)
class UnitReason:
    """One unit with a capability the incident was short of, and what it was doing at the call."""

    unit: str
    type: str
    reason: str                     # one of REASONS
    #: minutes the dispatcher would expect it to take from its base (mean mobilise + travel; None: no way
    #: there): the order in which it looks at units, nearest first
    eta: float | None = None
    incident: str | None = None     # busy: the incident it was committed to
    state: str | None = None        # busy: mobilising, travelling, redirected or on_scene
    since: float | None = None      # busy: when it was sent there
    tier: int | None = None         # tier: the unit's tier; band: the last level it counts at
    level: int | None = None        # tier / band: the incident's level (tier: as the gate counts it)
    free: int | None = None         # reserve: free crew of the capability before taking it
    keep: int | None = None         # reserve: the crew kept for priority-1 incidents
    aid_after: float | None = None  # area: minutes after the call mutual aid opens (inf: never)


@dataclass(frozen=True)
class Shortfall:
    """A capability the incident was short of once the units sent at its call were counted."""

    capability: str
    need: int
    sent: int                       # crew sent at the call toward it
    units: list[UnitReason] = field(default_factory=list)


@dataclass(frozen=True)
class Wait:
    """An incident that waited: its call, when a first unit was sent and when its need (as at the
    call) was covered by units sent (None: never), and what was short at the call."""

    incident: str
    call: float
    first_dispatch: float | None
    covered: float | None
    short: list[Shortfall]

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _sent_toward(slots: Sequence[int], need: Sequence[int], dispatches: Sequence[Dispatch], table,
                 row_of: Mapping[str, int]) -> tuple[list[int], list[int], list[tuple[float, list[int]]]]:
    """Walk the incident's dispatches as the engine counts crew toward its need slots (largest gap
    first): what is short after each dispatch time. Returns (short after the call's dispatches, crew
    sent toward each slot at the call, [(time, short after it)] for later dispatch times)."""
    short, sent_at_call, after = list(need), [0] * len(need), []
    call = dispatches[0].time if dispatches else None
    for d in dispatches:
        r = row_of.get(d.unit)
        if r is None:
            continue
        slot = largest_gap(list(slots), short, table.capmask_list[r])
        if slot >= 0:
            short[slot] -= table.crew_list[r]
            if d.time == call:
                sent_at_call[slot] += table.crew_list[r]
        after.append((d.time, list(short)))
    return short, sent_at_call, after


class Waits:
    """The dispatch rules of one scenario, to tell which incidents of a day waited and why (built once
    per day: the unit table's lookups are made here, not per incident)."""

    def __init__(self, scenario):
        self.scenario = scenario
        self.prepared = prepare(scenario)
        self.table = self.prepared.units
        self.row_of = {uid: r for r, uid in enumerate(self.table.ids)}
        self.sites = site_coordinates(scenario)
        self.type_names = [info.name for info in self.table.types]
        caps = self.caps = self.prepared.caps.names
        dispatch = self.prepared.spec.dispatch
        self.reserve = {caps.index(c): n for c, n in dispatch.reserve.items() if n > 0 and c in caps}

    def span(self, row: Mapping[str, Any], dispatches: Sequence[Dispatch]):
        """None when the units sent at the incident's call covered its need then; else (its entry, the
        crew short per slot after the call's dispatches, the crew sent per slot at the call, when the
        units sent covered the need at the call: None for never)."""
        entry = self.prepared.entries[int(row["entry"])]
        call = float(row["call"])
        at_call = [d for d in dispatches if d.time == call]
        short, sent, _ = _sent_toward(entry.slots, entry.need, at_call, self.table, self.row_of)
        if max(short, default=0) <= 0:
            return None
        _, _, after = _sent_toward(entry.slots, entry.need, list(dispatches), self.table, self.row_of)
        covered = next((time for time, left in after if max(left) <= 0), None)
        return entry, short, sent, covered

    def explain(self, moves: DayMoves, row: Mapping[str, Any], dispatches: Sequence[Dispatch] | None = None
                ) -> Wait | None:
        """What kept the units from the incident of ``row`` at its call (None: it did not wait). ``moves``
        must hold the units' status at that call (``day_moves(..., status_at=[its id])``); ``dispatches``:
        the incident's own (default: found in ``moves``)."""
        incident = str(row["id"])
        if dispatches is None:
            dispatches = [d for d in moves.dispatches if d.incident == incident]
        span = self.span(row, dispatches)
        if span is None:
            return None
        entry, short, sent, covered = span
        status = moves.status.get(incident)
        if status is None:
            raise ValueError(f"no unit status at the call of {incident}: ask day_moves for it (status_at)")
        table, prepared, spec = self.table, self.prepared, self.prepared.spec
        call = float(row["call"])
        at_call = {d.unit for d in dispatches if d.time == call}
        level = moves.level_at(incident, call)
        has_levels = kinds.has_levels(row.get("kind"))
        gate = max(level, getattr(entry.spec, "tier", 1))
        location = incident_location(self.scenario, row, prepared.travel, self.sites)
        district = prepared.district_of(location) if table.has_area else None
        aid_open = spec.dispatch.aid_after <= 0.0
        guarded = int(row.get("priority") or 1) != 1 and bool(self.reserve)

        def available(uid: str, r: int) -> bool:
            s = status[uid]
            return s.on_duty and not s.committed and not (table.is_guard[r] and not table.guards_pulled)

        free_cap = {bit: sum(table.crew_list[r] for r, uid in enumerate(table.ids)
                             if (table.capmask_list[r] >> bit) & 1 and available(uid, r)) for bit in self.reserve}

        def held(r: int) -> tuple[int, int] | None:   # the reserve a unit's crew would break: (bit, keep)
            return next(((b, keep) for b, keep in self.reserve.items() if (table.capmask_list[r] >> b) & 1
                         and free_cap[b] - table.crew_list[r] < keep), None) if guarded else None

        shortfalls = []
        for slot, gap in enumerate(short):
            if gap <= 0:
                continue
            bit = entry.slots[slot]
            reasons = []
            for r, uid in enumerate(table.ids):
                if not (table.capmask_list[r] >> bit) & 1:
                    continue
                s, kind = status[uid], self.type_names[table.type_list[r]]
                travel = _travel_from_base(prepared, r, location)
                if uid in at_call:
                    reason = UnitReason(uid, kind, "sent")
                elif s.committed:
                    reason = UnitReason(uid, kind, "busy", incident=s.incident, state=s.state, since=s.since)
                elif not s.on_duty:
                    reason = UnitReason(uid, kind, "off_duty")
                elif table.is_guard[r] and not table.guards_pulled:
                    reason = UnitReason(uid, kind, "guard")
                elif spec.dispatch.tiers != "open" and int(table.tier[r]) > gate:
                    reason = UnitReason(uid, kind, "tier", tier=int(table.tier[r]), level=gate)
                elif has_levels and table.max_level_list[r] < level:
                    reason = UnitReason(uid, kind, "band", tier=int(table.max_level_list[r]), level=level)
                elif table.area[r] is not None and district not in table.area[r] and not aid_open:
                    reason = UnitReason(uid, kind, "area", aid_after=spec.dispatch.aid_after)
                elif not math.isfinite(travel):
                    reason = UnitReason(uid, kind, "unreachable")
                elif (kept := held(r)) is not None:
                    reason = UnitReason(uid, kind, "reserve", free=free_cap[kept[0]], keep=kept[1])
                else:
                    reason = UnitReason(uid, kind, "free")
                reasons.append(_with_eta(reason, float(table.mob_mean[r]) + travel))
            reasons.sort(key=lambda x: (math.inf if x.eta is None else x.eta, self.row_of[x.unit]))
            shortfalls.append(Shortfall(self.caps[bit], entry.need[slot], sent[slot], reasons))
        first = min((d.time for d in dispatches), default=None)
        return Wait(incident, call, first, covered, shortfalls)


def waited(scenario, row: Mapping[str, Any], dispatches: Sequence[Dispatch]) -> bool:
    """Whether the incident of ``row`` waited: nothing was sent at its call, or what was sent then did
    not cover its need at the call (the rest followed later, or never). (Many incidents: :class:`Waits`.)"""
    return Waits(scenario).span(row, dispatches) is not None


def why_waited(scenario, moves: DayMoves, row: Mapping[str, Any]) -> Wait | None:
    """What kept the units from the incident of ``row`` at its call (None: it did not wait): :meth:`Waits.explain`."""
    return Waits(scenario).explain(moves, row)


def _with_eta(reason: UnitReason, eta: float) -> UnitReason:
    return UnitReason(**{**asdict(reason), "eta": round(eta, 3) if math.isfinite(eta) else None})


def _travel_from_base(prepared, r: int, location) -> float:
    """Minutes from unit ``r``'s base to ``location`` (inf: a travel matrix has no way there)."""
    u = prepared.units
    lat, lon, node = u.base_at[r]
    return prepared.travel.minutes_one(lat, lon, node, u.speed_list[r], location.lat, location.lon, location.node)


# ---------------------------------------------------------------------------------------------- words

class Words:
    """How a day's ids read in ``lang``: incidents (label and place), units (type), clock times."""

    def __init__(self, scenario, rows: Mapping[str, Mapping[str, Any]], lang: str = "en"):
        self.scenario, self.rows, self.lang = scenario, rows, lang
        self.start = scenario.spec.clock.start
        self.places = glossary.place_names(scenario, lang)
        self.bases = {u.id: self.places.get(u.base, u.base) for u in scenario.units}

    def clock(self, minute: float | None) -> str:
        return numbers.clock_at(self.start, minute, self.lang) if minute is not None else ""

    def minutes(self, value: float) -> str:
        return numbers.decimal(value, 1, self.lang)

    def incident(self, incident: str | None) -> tuple[str, str, str]:
        """(id, label, place) of an incident of the day, as a reader reads them."""
        row = self.rows.get(incident or "")
        if row is None:
            return incident or "?", "", ""
        entry = row.get("entry")
        label = glossary.incident_label(self.scenario, row.get("label") or None, row.get("kind") or "", self.lang,
                                        int(entry) if entry not in (None, "") else None)
        return str(row["id"]), label, self.places.get(row.get("place") or "", row.get("place") or "")

    def unit(self, unit: str, unit_type: str) -> str:
        return f"{unit} ({glossary.unit_type(self.scenario, unit_type, self.lang)})"


def origin_text(dispatch: Dispatch, words: Words) -> str:
    """Where a dispatched unit came from, in words."""
    lang = words.lang
    if dispatch.how == "base":
        return t("from_base", lang, base=words.bases.get(dispatch.unit, "?"))
    incident, label, place = words.incident(dispatch.left)
    if dispatch.how == "redirected":
        return t("from_redirected", lang, incident=incident, label=label, place=place,
                 at=words.clock(dispatch.released))
    return t("from_preempted", lang, incident=incident, label=label, place=place)


def _reason_text(reason: UnitReason, capability: str, words: Words) -> str:
    lang, unit = words.lang, words.unit(reason.unit, reason.type)
    if reason.reason == "busy":
        incident, label, place = words.incident(reason.incident)
        return t("wait_busy", lang, unit=unit, state=t(f"day_state_{reason.state}", lang), incident=incident,
                 label=label, place=place, since=words.clock(reason.since))
    if reason.reason in ("tier", "band"):
        return t(f"wait_{reason.reason}", lang, unit=unit, tier=reason.tier, level=glossary.level(reason.level, lang),
                 opens=glossary.level(reason.tier, lang))
    if reason.reason == "area":
        after = reason.aid_after
        return (t("wait_area_never", lang, unit=unit) if not math.isfinite(after) else
                t("wait_area", lang, unit=unit, after=words.minutes(after)))
    if reason.reason == "reserve":
        return t("wait_reserve", lang, unit=unit, free=reason.free, keep=reason.keep, capability=capability)
    return t(f"wait_{reason.reason}", lang, unit=unit)


#: Units named one by one per capability short (the nearest first); the others are counted by reason.
SHOWN = 6


def wait_lines(wait: Wait, words: Words) -> list[str]:
    """The wait in sentences: how long, then per capability short at the call the units with it (the
    :data:`SHOWN` nearest by name, the others counted) and what kept each."""
    lang = words.lang
    lines = []
    if wait.first_dispatch is None:
        lines.append(t("wait_never", lang, call=words.clock(wait.call)))
    elif wait.first_dispatch > wait.call:
        lines.append(t("wait_first", lang, minutes=words.minutes(wait.first_dispatch - wait.call),
                       call=words.clock(wait.call), at=words.clock(wait.first_dispatch)))
    if wait.covered is None:
        lines.append(t("wait_never_covered", lang))
    elif wait.covered > wait.call and wait.covered != wait.first_dispatch:
        lines.append(t("wait_covered", lang, minutes=words.minutes(wait.covered - wait.call),
                       at=words.clock(wait.covered)))
    for short in wait.short:
        capability = glossary.capability(short.capability, lang)
        lines.append(t("wait_short", lang, capability=capability, missing=short.need - short.sent, need=short.need))
        if not short.units:
            lines.append("  " + t("wait_no_units", lang, capability=capability))
        lines += ["  " + _reason_text(r, capability, words) for r in short.units[:SHOWN]]
        rest = short.units[SHOWN:]
        if rest:
            counts = {}
            for r in rest:
                counts[r.reason] = counts.get(r.reason, 0) + 1
            lines.append("  " + t("wait_more", lang, n=len(rest), reasons=", ".join(
                f"{t(f'reason_{reason}', lang)} {n}" for reason, n in sorted(counts.items(), key=lambda kv: -kv[1]))))
    return lines
