"""The dispatcher: which units go to an incident, and for which of its needs.

One decision looks at every unit at once with numpy: mask the units that are free,
have a capability the incident is short of, are of an open tier and are not held in
reserve; compute their expected arrival (mean mobilise + travel from where they are
now; a unit already on the road needs no mobilisation); let the policy order them;
then walk that order, giving each unit's whole crew to the one capability it has with
the largest remaining shortfall, until every shortfall is covered or the candidates
run out (partial dispatch: the rest follows as units free up).

The dispatcher decides only; :mod:`sispam_sim.engine.model` carries the decision out.

Few units (at most :attr:`Dispatcher.few` eligible for a decision), none of them on the
road, and a policy whose order of any candidates is their order in one ranking
(``Policy.ranks``, as ``nearest``'s is): the eligible units of a location are then ranked once,
with the policy itself, and each decision walks that ranking in plain Python, skipping units
that are not free. The walk takes the same units, for the same needs, with the same travel as
the numpy path, ties included (``tests/property/test_dispatch_paths.py`` runs both): on a
force of ten units the fixed cost of a few numpy calls is most of a decision.

Rules the product design leaves open (docs/model.md explains each):

* reserve — for an incident of priority > 1, a unit with a reserved capability ``c``
  may be taken only if the free ``c`` crew after taking it stays >= ``reserve[c]``.
* tiers — a unit of tier k answers only incidents at level >= k (``tiers: open``: any); a call
  for help with ``tier: T`` (format 1.1) answers as if at level T.
* bands — a unit type with ``max_level: L`` (format 1.1) is not sent to an incident with levels
  (a crowd) above L. A decision's *gate* packs both: ``tier level + 4 x band level`` (band 0:
  no band applies), so a version 1 scenario's gate is its level and its caches are today's.
* preempt — when a priority-1 incident is still short after taking free units, it
  takes units committed to lower-priority incidents (priority > 1): from the
  lowest-priority incident first, then the latest-called, then the unit arriving
  earliest. Units en route and units on scene are both taken.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from sispam_sim.engine.units import MOBILISING


class Pick(NamedTuple):
    """One unit to send (the hot path builds plain tuples in this layout)."""

    unit: int
    slot: int          # the incident's need slot the unit's crew counts toward
    travel: float      # minutes from where the unit is now to the incident
    preempted: bool    # taken from another incident


#: Cached per-location travel vectors hold at most this many floats in all.
_CACHE_FLOATS = 4_000_000


class Dispatcher:
    #: Up to this many eligible units (capable and of an open tier, free or not) a decision may
    #: walk a ranking in plain Python (see the module's docstring); 0: numpy always.
    few = 64

    def __init__(self, units, travel, policy, caps, dispatch, inc_priority: np.ndarray, inc_call: np.ndarray,
                 eligible: dict | None = None, inc_tier: list[int] | None = None,
                 inc_banded: list[bool] | None = None):
        self.units, self.travel, self.policy = units, travel, policy
        # format 1.1: areas of responsibility; on-request units (their delay makes the ranking
        # change over the day: no fixed ranking); duty rules (units that come and go)
        self.areas = units.has_area
        self.requests = units.has_request
        self.duty = units.duty_rules
        self.ranks = getattr(policy, "ranks", False) and self.few > 0 and not self.requests
        # (a reserve on a capability no unit has holds nothing back)
        self.reserve = [(caps.bit[c], n) for c, n in dispatch.reserve.items()
                        if n > 0 and c in caps.bit and caps.bit[c] < len(units.has_cap)]
        self.has_reserve = bool(self.reserve)
        self.tiers_open = dispatch.tiers == "open"
        self.preempt = dispatch.preempt
        self.inc_priority, self.inc_call = inc_priority, inc_call
        # format 1.1: per incident its tier (None: all 1) and whether unit bands apply (None: no
        # unit type has a max_level below merah)
        self.inc_tier = inc_tier if inc_tier and max(inc_tier) > 1 else None
        self._bands = min(units.max_level_list, default=3) < 3
        self.inc_banded = inc_banded if inc_banded and self._bands else None
        self.gated = self.inc_tier is not None or self.inc_banded is not None
        self.check_reach = getattr(travel, "uses_matrix", False)   # a matrix may leave pairs unreachable
        # (bits, level) -> mask: static columns only, so a scenario's replications may share it
        self._eligible: dict[tuple[int, int], np.ndarray] = {} if eligible is None else eligible
        self._from_base: dict[tuple, tuple[np.ndarray, np.ndarray]] = {}
        self._cache_size = max(16, _CACHE_FLOATS // max(1, units.n))
        # (lat, lon, node, bits, level) -> (eligible units in the policy's order, their travel),
        # or None when too many units are eligible
        self._rankings: dict[tuple, tuple[list[int], list[float]] | None] = {}

    def add_incident(self, priority: int, call: float, tier: int, banded: bool) -> None:
        """An incident made during the run (format 1.1 ``trigger``) takes the next index: the
        per-incident columns grow by its priority, call time, tier and whether bands apply."""
        n = len(self.inc_priority)
        self.inc_priority = np.append(self.inc_priority, np.int64(priority))
        self.inc_call = np.append(self.inc_call, float(call))
        if self.inc_tier is not None:
            self.inc_tier.append(tier)
        elif tier > 1:
            self.inc_tier = [1] * n + [tier]
        if self._bands:
            if self.inc_banded is None:
                self.inc_banded = [False] * n
            self.inc_banded.append(banded)
        self.gated = self.inc_tier is not None or self.inc_banded is not None

    def from_base(self, location) -> tuple[np.ndarray, np.ndarray]:
        """(travel, expected arrival = mean mobilise + travel) from every unit's base to ``location``.

        Cached by where the location is (latitude, longitude, matrix node), not by its id: a
        place and a district may share an id and lie apart. Incidents at one point share the vectors.
        """
        where = (location.lat, location.lon, location.node)
        hit = self._from_base.get(where)
        if hit is None:
            u = self.units
            per_point = self.travel.minutes(u.point_lat, u.point_lon, u.point_node, 1.0, location)
            travel = per_point[u.base_point]
            if self.travel.per_speed:
                travel = travel / u.speed
            hit = (travel, travel + u.mob_mean)
            if len(self._from_base) >= self._cache_size:
                self._from_base.pop(next(iter(self._from_base)))
            self._from_base[where] = hit
        return hit

    def gate(self, inc) -> int:
        """The level an incident's decision is made at: its level, raised to its tier (format 1.1),
        plus 4 x its level when unit bands apply (a crowd, with a max_level below merah somewhere)."""
        if not self.gated:
            return inc.level
        level = inc.level
        if self.inc_tier is not None and self.inc_tier[inc.index] > level:
            level = self.inc_tier[inc.index]
        if self.inc_banded is not None and self.inc_banded[inc.index]:
            level += 4 * inc.level
        return level

    def _key(self, gate: int) -> int:
        return gate if not self.tiers_open else gate - gate % 4   # open tiers: only the band matters

    def eligible(self, bits: int, level: int) -> np.ndarray:
        """Units that have one of the capabilities ``bits`` and may answer at ``level`` (a gate:
        :meth:`gate`; a plain level 1-3 when no band applies) (cached)."""
        key = (bits, self._key(level))
        mask = self._eligible.get(key)
        if mask is None:
            u = self.units
            mask = (u.capmask & bits) != 0
            if not self.tiers_open:
                mask &= u.tier <= level % 4
            if level >= 4:
                mask &= u.max_level >= level // 4
            self._eligible[key] = mask
        return mask

    def select(self, inc, now: float) -> list[Pick]:
        """The units to send to ``inc`` now (possibly none)."""
        u = self.units
        need, assigned, caps = inc.need, inc.assigned, inc.caps
        if len(need) == 1:   # the common case, without the loop
            gap = need[0] - assigned[0]
            if gap <= 0:
                return []
            short, bits, any_free = [gap], 1 << caps[0], u.free_cap[caps[0]] > 0
        else:
            short = [n - a for n, a in zip(need, assigned)]
            bits, any_free = 0, False
            for slot, gap in enumerate(short):
                if gap > 0:
                    bits |= 1 << caps[slot]
                    any_free = any_free or u.free_cap[caps[slot]] > 0
            if not bits:
                return []
        picks: list[Pick] = []
        gate = inc.level if not self.gated else self.gate(inc)
        if any_free and self.ranks and not u.n_returning:
            location = inc.call.location
            level = self._key(gate)
            key = (location.lat, location.lon, location.node, bits, level)
            if self.areas:
                key += (inc.district, inc.aid)
            ranking = self._rankings.get(key, False)
            if ranking is False:
                ranking = self._rank(bits, gate, location, key, inc)
            if ranking is not None:
                picks = self._walk(inc, ranking, short, inc.priority != 1 and self.has_reserve)
                any_free = False   # decided
        if any_free:
            # (the cache lookups of eligible() and from_base() are inlined: once per decision)
            mask = self._eligible.get((bits, self._key(gate)))
            mask = u.avail & (mask if mask is not None else self.eligible(bits, gate))
            guarded = inc.priority != 1 and self.has_reserve
            if guarded:
                for bit, keep in self.reserve:
                    mask &= ~(u.has_cap[bit] & (u.crew > u.free_cap[bit] - keep))
            if not self.areas:
                picks = self._numpy(inc, now, mask, short, guarded, None)
            else:   # the area's units first; then, once mutual aid is open, the others
                inside = u.area_mask(inc.district)
                used = [0] * len(self.reserve) if guarded else None
                picks = self._numpy(inc, now, mask & inside, short, guarded, used)
                if inc.aid and max(short) > 0:
                    picks += self._numpy(inc, now, mask & ~inside, short, guarded, used)
        if self.preempt and inc.priority == 1 and max(short) > 0:
            picks += self._preempt(inc, now, short)
        return picks

    def _numpy(self, inc, now: float, mask: np.ndarray, short, guarded: bool, used) -> list[Pick]:
        """The greedy over the units of ``mask`` (free, eligible), with travel from where they are."""
        u = self.units
        cand = mask.nonzero()[0]
        if not cand.size:
            return []
        location = inc.call.location
        base_travel, base_est = (self._from_base.get((location.lat, location.lon, location.node))
                                 or self.from_base(location))
        est = base_est[cand]
        if self.requests:   # an on-request unit not yet requested: its delay comes first
            est = est + u.request_extra[cand]
        travel, per_candidate = base_travel, False
        if u.n_returning:
            returning = u.returning[cand]
            if returning.any():
                moving = cand[returning]
                lat, lon, node = u.positions(moving, now)
                on_road = self.travel.minutes(lat, lon, node, u.speed[moving], inc.call.location)
                travel, per_candidate = base_travel[cand], True
                travel[returning] = on_road
                est[returning] = on_road
        if self.check_reach:
            reachable = np.isfinite(est)
            if not reachable.all():
                if not per_candidate:
                    travel, per_candidate = base_travel[cand], True
                cand, est, travel = cand[reachable], est[reachable], travel[reachable]
        if not cand.size:
            return []
        return self._greedy(inc, cand, est, travel, per_candidate, short, guarded, used)

    def _rank(self, bits: int, level: int, location, key: tuple, inc=None) -> tuple[list[int], list[float]] | None:
        """The units eligible for (``bits``, ``level``) that can reach ``location``, in the policy's
        order with every one of them a candidate from its base, and their travel (cached under
        ``key``); None when more than :attr:`few` are eligible. With areas (format 1.1), the units of
        the incident's area come first, then (mutual aid open) the others, each in the policy's order."""
        eligible = self.eligible(bits, level)
        parts = [eligible]
        if self.areas:
            inside = self.units.area_mask(inc.district)
            parts = [eligible & inside] + ([eligible & ~inside] if inc.aid else [])
        ranking = None
        if sum(int(np.count_nonzero(p)) for p in parts) <= self.few:
            travel, est_all = self.from_base(location)
            units = []
            for part in parts:
                rows = part.nonzero()[0]
                est = est_all[rows]
                if self.check_reach:
                    reachable = np.isfinite(est)
                    rows, est = rows[reachable], est[reachable]
                order = self.policy.order(rows, est, rows.size).tolist() if rows.size > 1 else list(range(rows.size))
                units += rows[order].tolist()
            ranking = (units, travel[units].tolist())
        if len(self._rankings) >= self._cache_size:
            self._rankings.pop(next(iter(self._rankings)))
        self._rankings[key] = ranking
        return ranking

    def _walk(self, inc, ranking: tuple[list[int], list[float]], short, guarded) -> list[Pick]:
        """:meth:`_greedy` over a ranking (:meth:`_rank`): the free units in its order.

        The same picks as the numpy path: the candidates are the ranked units that are free (a
        policy with ``ranks`` orders them as the ranking does, and its best *k* are the first
        *k*); a unit the reserve holds back is refused here as there (with nothing yet taken,
        the greedy's reserve test is the candidate mask's)."""
        units, travel = ranking
        u = self.units
        avail, crew_list = u.avail_list, u.crew_list
        picks: list[Pick] = []
        if len(short) == 1 and not guarded:   # the common case: one need, no reserve to keep
            gap = short[0]
            for unit, minutes in zip(units, travel):
                if avail[unit]:
                    gap -= crew_list[unit]
                    picks.append((unit, 0, minutes, False))   # a Pick
                    if gap <= 0:
                        break
            short[0] = gap
            return picks
        single = len(short) == 1
        used = [0] * len(self.reserve) if guarded else None
        for unit, minutes in zip(units, travel):
            if not avail[unit]:
                continue
            crew, mask = crew_list[unit], u.capmask_list[unit]
            slot = 0 if single else largest_gap(inc.caps, short, mask)
            if slot < 0 or (guarded and not self._reserve_allows(mask, crew, used)):
                continue
            short[slot] -= crew
            picks.append((unit, slot, minutes, False))   # a Pick
            if (short[0] if single else max(short)) <= 0:
                break
        return picks

    def _reserve_allows(self, mask: int, crew: int, used: list[int]) -> bool:
        """Whether a unit (capabilities ``mask``, ``crew``) may go when ``used`` crew per reserved
        capability is already taken by this decision; if so, count it in ``used``."""
        free_cap = self.units.free_cap
        for r, (bit, keep) in enumerate(self.reserve):
            if (mask >> bit) & 1 and free_cap[bit] - used[r] - crew < keep:
                return False
        for r, (bit, _) in enumerate(self.reserve):
            if (mask >> bit) & 1:
                used[r] += crew
        return True

    def _greedy(self, inc, cand, est, travel, per_candidate: bool, short, guarded, used=None) -> list[Pick]:
        """Walk the policy's order; ``travel`` is per candidate, or per unit row (all at base);
        ``used``: crew per reserved capability already taken by this decision (None: none yet)."""
        u = self.units
        single = len(short) == 1          # every candidate has the one capability
        want = short[0] if single else sum(g for g in short if g > 0)   # > 0: something is short
        k = -(-want // u.min_crew)
        if k > cand.size:
            k = cand.size
        # one candidate: the only order there is, whatever the policy
        order = self.policy.order(cand, est, k).tolist() if cand.size > 1 else [0]
        picks: list[Pick] = []
        if guarded and used is None:
            used = [0] * len(self.reserve)
        seen = None
        while True:
            for pos in order:
                if seen is not None and pos in seen:
                    continue
                unit = int(cand[pos])
                crew, mask = u.crew_list[unit], u.capmask_list[unit]
                slot = 0 if single else largest_gap(inc.caps, short, mask)
                if slot < 0:
                    continue
                if guarded and not self._reserve_allows(mask, crew, used):
                    continue
                short[slot] -= crew
                picks.append((unit, slot, float(travel[pos if per_candidate else unit]), False))   # a Pick
                if (short[0] if single else max(short)) <= 0:
                    return picks
            if seen is not None or len(order) >= cand.size:
                return picks
            seen = set(order)
            order = self.policy.order(cand, est, cand.size).tolist()

    def _preempt(self, inc, now: float, short: list[int]) -> list[Pick]:
        u = self.units
        bits = 0
        for slot, gap in enumerate(short):
            if gap > 0:
                bits |= 1 << inc.caps[slot]
        mask = (~u.avail) & (u.incident >= 0) & ((u.capmask & bits) != 0)
        if self.duty:   # past its until: finishes its incident, is sent nowhere else (format 1.1)
            mask &= ~np.array(u.expired, dtype=bool)
        if self.areas and not inc.aid:
            mask &= u.area_mask(inc.district)
        gate = self.gate(inc)
        if not self.tiers_open:
            mask &= u.tier <= gate % 4
        if gate >= 4:
            mask &= u.max_level >= gate // 4
        cand = mask.nonzero()[0]
        if not cand.size:
            return []
        victim = u.incident[cand]
        prio = self.inc_priority[victim]
        keep = prio > 1
        cand, victim, prio = cand[keep], victim[keep], prio[keep]
        if not cand.size:
            return []
        lat, lon, node = u.positions(cand, now)
        travel = self.travel.minutes(lat, lon, node, u.speed[cand], inc.call.location)
        rows = cand.tolist()
        left = np.array([max(u.t0[i] - now, 0.0) if u.state[i] == MOBILISING else 0.0 for i in rows])
        est = travel + left
        order = np.lexsort((cand, est, -self.inc_call[victim], -prio))
        picks: list[Pick] = []
        for pos in order.tolist():
            if not math.isfinite(est[pos]):
                continue
            unit = int(cand[pos])
            slot = largest_gap(inc.caps, short, u.capmask_list[unit])
            if slot < 0:
                continue
            short[slot] -= u.crew_list[unit]
            picks.append(Pick(unit, slot, float(travel[pos]), True))
            if max(short) <= 0:
                break
        return picks


def largest_gap(caps: list[int], short: list[int], mask: int) -> int:
    """The slot with the largest positive shortfall among the unit's capabilities (-1: none)."""
    best, slot = 0, -1
    for s, gap in enumerate(short):
        if gap > best and (mask >> caps[s]) & 1:
            best, slot = gap, s
    return slot
