"""Units as a structure of arrays: what every unit is, where it is, what it is doing.

One row per unit (teams from ``forces.units`` after ``count`` expansion, then TPS guard
groups when ``dispatch.pull_guards`` is true). Static columns (type, crew, speed, tier,
capability bitmask, base) never change; dynamic columns (state, assigned incident, the
current leg of movement) change at events. The dispatcher reads whole columns with
numpy, so a dispatch decision costs a few array operations however many units there are.

Movement is one leg per unit: it leaves ``from`` at ``t0`` and reaches ``to`` at ``t1``
(``from`` = ``to`` when it stands still). Before ``t0`` it is at ``from`` (mobilising),
after ``t1`` at ``to``; in between its position is interpolated linearly (great-circle
mode) or taken as the ``from`` node (matrix mode, see :mod:`sispam_sim.core.geo`).
"""

from __future__ import annotations

import copy
import math
import zlib

import numpy as np

from sispam_sim.core import rng as rngmod
from sispam_sim.core.geo import Location
from sispam_sim.scenario.areas import unit_area
from sispam_sim.scenario.sites import (GUARD_CAPABILITY, GUARD_SPEED_KMH, GUARD_TYPE, guard_groups, guard_members,
                                       guards_as_units, guards_by_risk)

# Unit states. A dispatched unit is stored as MOBILISING until it arrives; whether it is
# still mobilising or already driving is ``t < t0`` (see :meth:`UnitTable.phase`), so no
# event is spent on leaving base.
AT_BASE, MOBILISING, TRAVELLING, ON_SCENE, RETURNING = range(5)
STATE_NAMES = ("at_base", "mobilising", "travelling", "on_scene", "returning")
#: Duty (format 1.1): on duty, off duty, or posted (a guard group standing guard or escorting).
ON, OFF, POSTED = range(3)



class Capabilities:
    """Capability names <-> bit numbers (at most 63 distinct capabilities)."""

    def __init__(self, names):
        self.names: list[str] = []
        self.bit: dict[str, int] = {}
        for name in names:
            self.add(name)

    def add(self, name: str) -> int:
        if name not in self.bit:
            if len(self.names) >= 63:
                raise ValueError("at most 63 distinct capabilities are supported")
            self.bit[name] = len(self.names)
            self.names.append(name)
        return self.bit[name]

    def mask(self, names) -> int:
        out = 0
        for name in names:
            out |= 1 << self.add(name)
        return out


class _TypeInfo:
    __slots__ = ("name", "crew", "speed", "tier", "caps", "mobilise", "mob_mean", "mob_const", "max_level")

    def __init__(self, name, crew, speed, tier, caps, mobilise, max_level=3):
        self.name, self.crew, self.speed, self.tier, self.caps = name, crew, speed, tier, caps
        self.max_level = max_level                    # the last crowd level its crew counts at
        self.mobilise = mobilise                      # a distribution; None: ready to roll
        self.mob_mean = float(mobilise.mean) if mobilise is not None else 0.0
        constant = mobilise is None or mobilise.dist == "constant"
        self.mob_const = self.mob_mean if constant else None   # None: drawn at each dispatch


class UnitTable:
    """Every unit of one replication (mutated by the model).

    Built once per scenario; :meth:`fresh` gives each replication its own dynamic columns
    beside the shared static ones."""

    def __init__(self, scenario, caps: Capabilities, travel, replication: int):
        spec = scenario.spec
        self.seed, self.replication = spec.seed, replication
        self.types: list[_TypeInfo] = []
        type_of: dict[str, int] = {}
        for name, utype in spec.forces.types.items():
            type_of[name] = len(self.types)
            self.types.append(_TypeInfo(name, utype.crew, utype.speed_kmh, utype.tier,
                                        [caps.add(c) for c in utype.capabilities], utype.mobilise,
                                        utype.max_level))
        rows = []  # (id, type index, Location of base, crew)
        places = spec.map.places
        groups = spec.forces.units
        clock = spec.clock
        self.area: list[frozenset | None] = []     # per unit: the districts it answers in (None: anywhere)
        self.on_from: list[float] = []            # on duty from (minutes; format 1.1 available.from)
        self.on_until: list[float] = []           # off duty from, once its incident is resolved
        self.request: list[object] = []           # format 1.1 on_request: the delay's distribution, or None
        for unit in scenario.units:
            base = places[unit.base]
            rows.append((unit.id, type_of[unit.type], _located(travel, unit.base, base.lat, base.lon),
                         self.types[type_of[unit.type]].crew))
            group = groups[unit.group] if 0 <= unit.group < len(groups) else None
            window = None if group is None else group.available
            self.area.append(None if group is None else unit_area(group, spec))
            self.on_from.append(clock.minutes(window.start) if window is not None and window.start is not None
                                else 0.0)
            self.on_until.append(clock.minutes(window.until, end=True) if window is not None
                                 and window.until is not None else math.inf)
            self.request.append(None if group is None or group.on_request is None else group.on_request.delay)
        self.guard_police = 0
        self.guard_rows: list[int] = []           # unit rows of the TPS guard groups (when they move)
        self.guard_of_site: dict[str, int] = {}   # TPS id -> the row of its guard group
        self.guard_until = clock.minutes(spec.guard.until, end=True) if spec.guard.until is not None else math.inf
        escort = spec.guard.escort
        self.escort = clock.phase_span(escort.phase) if escort is not None else None   # (from, until) minutes
        self.after_escort = escort.after_escort if escort is not None else None
        #: guards the general dispatcher may send (pulled): others stand guard, and go only as first responders
        self.guards_pulled = spec.dispatch.pull_guards
        if not guards_as_units(spec):   # static guards: only how many police they hold
            self.guard_police = sum(police for _, _, police in guards_by_risk(scenario.sites, spec.guard).values())
        elif guards := guard_groups(scenario.sites, spec.guard):
            type_of[GUARD_TYPE] = len(self.types)   # a reserved name: validation refuses it as a unit type
            self.types.append(_TypeInfo(GUARD_TYPE, guards[0][1], GUARD_SPEED_KMH, 1,
                                        [caps.add(GUARD_CAPABILITY)], None))
            for (gid, police, site), members in zip(guards, guard_members(scenario.sites, spec.guard)):
                row = len(rows)
                rows.append((gid, type_of[GUARD_TYPE], _located(travel, site.id, site.lat, site.lon), police))
                self.guard_rows.append(row)
                for member in members:
                    self.guard_of_site[member.id] = row
                self.area.append(None)
                self.on_from.append(0.0)
                self.on_until.append(self.guard_until)
                self.request.append(None)
        self.is_guard = [False] * len(rows)
        for row in self.guard_rows:
            self.is_guard[row] = True
        self.has_area = any(a is not None for a in self.area)
        self.has_request = any(r is not None for r in self.request)
        has_window = any(t > 0 for t in self.on_from) or any(t < math.inf for t in self.on_until)
        self.duty_rules = (self.has_request or has_window or (bool(self.guard_rows) and not self.guards_pulled)
                           or self.escort is not None)
        self._area_masks: dict = {}               # district (None: outside every one) -> units whose area holds it
        self.type_index_of = type_of
        n = len(rows)
        self.n = n
        self.ids = [r[0] for r in rows]
        self.type_list = [r[1] for r in rows]
        self.crew_list = [r[3] for r in rows]
        self.type_index = np.array(self.type_list, dtype=np.int64)
        self.crew = np.array(self.crew_list, dtype=np.int64)
        self.speed = np.array([self.types[t].speed for t in self.type_list], dtype=float)
        self.speed_list = self.speed.tolist()
        self.tier = np.array([self.types[t].tier for t in self.type_list], dtype=np.int64)
        self.max_level_list = [self.types[t].max_level for t in self.type_list]
        self.max_level = np.array(self.max_level_list, dtype=np.int64)
        self.capmask = np.array([caps.mask(caps.names[b] for b in self.types[t].caps) for t in self.type_list],
                                dtype=np.int64)
        self.mob_mean = np.array([self.types[t].mob_mean for t in self.type_list], dtype=float)
        self.mob_const = [self.types[t].mob_const for t in self.type_list]   # None: drawn per dispatch
        self.bases = [r[2] for r in rows]
        self.base_at = [(b.lat, b.lon, b.node) for b in self.bases]   # a leg's origin when leaving base
        self.base_lat = np.array([b.lat for b in self.bases], dtype=float)
        self.base_lon = np.array([b.lon for b in self.bases], dtype=float)
        self.base_node = np.array([b.node for b in self.bases], dtype=np.int64)
        # distinct base points: travel from bases is computed once per point, then spread
        points: dict[tuple, int] = {}
        self.base_point = np.array([points.setdefault((b.lat, b.lon, b.node), len(points)) for b in self.bases],
                                   dtype=np.int64)
        self.point_lat = np.array([p[0] for p in points], dtype=float)
        self.point_lon = np.array([p[1] for p in points], dtype=float)
        self.point_node = np.array([p[2] for p in points], dtype=np.int64)
        self.has_cap = [((self.capmask >> b) & 1) == 1 for b in range(len(caps.names))]
        self.min_crew = int(self.crew.min()) if n else 1
        self.capmask_list = self.capmask.tolist()
        self.cap_bits = [self.types[t].caps for t in self.type_list]   # capability bits of each unit
        self._base_lat_list, self._base_lon_list = self.base_lat.tolist(), self.base_lon.tolist()
        self._base_node_list = self.base_node.tolist()
        nt = len(self.types)
        # personnel per type and free crew per capability bit with every unit at base: the
        # starting values of the dynamic counters, computed once
        self._free0 = [0] * nt
        self.count = [0] * nt
        self._free_cap0 = [0] * 64    # per capability bit (incidents may add bits later)
        for u in range(n):
            t = self.type_list[u]
            self._free0[t] += self.crew_list[u]
            self.count[t] += 1
            for b in self.types[t].caps:
                self._free_cap0[b] += self.crew_list[u]
        self.request_mean = np.array([0.0 if r is None else float(r.mean) for r in self.request], dtype=float)
        self._duty0 = None
        if self.duty_rules:   # the duty every unit starts the day in (format 1.1), computed once
            self._reset(replication)
            for u in range(n):
                if self.request[u] is not None:
                    self.pending[u] = True
                    self.free[self.type_list[u]] -= self.crew_list[u]   # on call, not on duty: not in the timeline
                if self.on_from[u] > 0 or self.on_until[u] <= 0:
                    self.go_off(u)
                elif self.is_guard[u] and not self.guards_pulled:
                    self.post(u)   # standing guard at its TPS
            self._duty0 = (self.avail_list[:], self.n_avail, self.free_cap[:], self.committed[:], self.free[:],
                           self.duty[:], self.pending[:])
        self._reset(replication)

    def fresh(self, replication: int) -> UnitTable:
        """A table for replication ``replication``: this one's static columns (shared, never
        written), every unit at base and available. The static part is built once per scenario
        (:mod:`~sispam_sim.engine.prepared`); this costs a few list copies."""
        table = copy.copy(self)
        table._reset(replication)
        return table

    def _reset(self, replication: int) -> None:
        """The dynamic columns: every unit at base, available, on no incident."""
        n, nt = self.n, len(self.types)
        self.replication = replication
        # dynamic columns: numpy where the dispatcher masks over all units, lists where
        # only one unit at a time is read or written (cheaper per access)
        self.state = [AT_BASE] * n
        self.returning = np.zeros(n, dtype=bool)   # state == RETURNING, as a mask for the dispatcher
        self.avail = np.ones(n, dtype=bool)
        self.avail_list = [True] * n               # the same, read one unit at a time
        self.incident = np.full(n, -1, dtype=np.int64)
        self.from_lat, self.from_lon = self._base_lat_list[:], self._base_lon_list[:]
        self.to_lat, self.to_lon = self._base_lat_list[:], self._base_lon_list[:]
        self.from_node, self.to_node = self._base_node_list[:], self._base_node_list[:]
        self.t0 = [0.0] * n
        self.t1 = [0.0] * n
        self.n_returning = 0
        self.slot = [-1] * n          # which need slot of its incident the crew counts toward
        self.token = [0] * n          # bumped whenever a scheduled movement event becomes stale
        self.busy_since = [0.0] * n
        self.n_avail = n
        self.free_cap = self._free_cap0[:]   # free crew per capability bit
        self.committed = [0] * nt
        self.on_scene = [0] * nt
        self.free = self._free0[:]
        self._mobilise_rng: dict[int, np.random.Generator] = {}
        # format 1.1 duty: ON (available when not committed), OFF, or POSTED (a guard standing guard
        # or escorting: counted as committed in the timeline, not available); pending: on request,
        # not yet requested; expired: past its ``until``
        self.duty = [ON] * n
        self.pending = [False] * n
        self.expired = [False] * n
        self.on_since = self.on_from[:]
        self.off_at = [math.inf] * n
        if self._duty0 is not None:
            avail, self.n_avail, free_cap, committed, free, duty, pending = self._duty0
            self.avail_list, self.free_cap, self.committed, self.free = avail[:], free_cap[:], committed[:], free[:]
            self.avail = np.array(avail, dtype=bool)
            self.duty, self.pending = duty[:], pending[:]
            self.request_extra = self.request_mean.copy()
            self.on_since = [math.inf if pending[u] else self.on_from[u] for u in range(n)]

    # ------------------------------------------------------------ availability

    def area_mask(self, district: str | None) -> np.ndarray:
        """Units whose area holds ``district`` (None: a point outside every district), units without
        an area included (cached: static)."""
        mask = self._area_masks.get(district)
        if mask is None:
            mask = self._area_masks[district] = np.array([a is None or district in a for a in self.area], dtype=bool)
        return mask

    def _off_counts(self, u: int) -> None:
        self.avail[u] = self.avail_list[u] = False
        self.n_avail -= 1
        crew = self.crew_list[u]
        for b in self.cap_bits[u]:
            self.free_cap[b] -= crew
        if not self.pending[u]:
            self.free[self.type_list[u]] -= crew

    def _on_counts(self, u: int) -> None:
        self.avail[u] = self.avail_list[u] = True
        self.n_avail += 1
        crew = self.crew_list[u]
        for b in self.cap_bits[u]:
            self.free_cap[b] += crew
        if not self.pending[u]:
            self.free[self.type_list[u]] += crew

    def go_off(self, u: int) -> None:
        """An available unit goes off duty (format 1.1 ``available``): not available, not counted."""
        self._off_counts(u)
        self.duty[u] = OFF

    def go_on(self, u: int) -> None:
        """An off-duty unit comes on duty, available where it stands."""
        self._on_counts(u)
        self.duty[u] = ON

    def post(self, u: int) -> None:
        """An available guard group stands guard (or escorts): committed in the timeline, not available."""
        self._off_counts(u)
        self.committed[self.type_list[u]] += self.crew_list[u]
        self.duty[u] = POSTED

    def unpost(self, u: int, on: bool = True) -> None:
        """A posted guard group leaves its post: available (``on``), or off duty."""
        self.committed[self.type_list[u]] -= self.crew_list[u]
        if on:
            self._on_counts(u)
            self.duty[u] = ON
        else:
            self.duty[u] = OFF   # (while posted it was already out of the free counts)

    def requested(self, u: int, now: float) -> float:
        """An on-request unit is needed for the first time now: the delay before it is ready at its
        base (from its own stream, keyed by its id); from then on it is on duty."""
        self.pending[u] = False
        self.request_extra[u] = 0.0
        self.free[self.type_list[u]] += self.crew_list[u]
        self.on_since[u] = now
        key = zlib.crc32(self.ids[u].encode("utf-8"))
        gen = rngmod.stream(self.seed, self.replication, key, rngmod.REQUEST)
        return float(self.request[u].sample(gen))

    def take(self, u: int) -> None:
        """An available unit is committed to an incident."""
        self.avail[u] = self.avail_list[u] = False
        self.n_avail -= 1
        crew, t = self.crew_list[u], self.type_list[u]
        for b in self.cap_bits[u]:
            self.free_cap[b] -= crew
        self.committed[t] += crew
        self.free[t] -= crew

    def give_back(self, u: int) -> None:
        """A committed unit is released (available again, wherever it is)."""
        self.avail[u] = self.avail_list[u] = True
        self.n_avail += 1
        crew, t = self.crew_list[u], self.type_list[u]
        for b in self.cap_bits[u]:
            self.free_cap[b] += crew
        self.committed[t] -= crew
        self.free[t] += crew

    def start_return(self, u: int) -> None:
        """A released unit drives back to its base (available on the way)."""
        self.state[u] = RETURNING
        self.returning[u] = True
        self.n_returning += 1

    def stop_return(self, u: int, state: int) -> None:
        """A unit driving back reaches its base, or is sent again from the road."""
        self.state[u] = state
        self.returning[u] = False
        self.n_returning -= 1

    # ------------------------------------------------------------ where units are

    def positions(self, idx: np.ndarray, now: float):
        """(lat, lon, node) arrays of units ``idx`` at ``now`` (for the few units on the road)."""
        rows = idx.tolist()
        t0 = np.array([self.t0[i] for i in rows])
        t1 = np.array([self.t1[i] for i in rows])
        span = t1 - t0
        with np.errstate(divide="ignore", invalid="ignore"):
            frac = np.where(span > 0, (now - t0) / span, 1.0)
        frac = np.clip(frac, 0.0, 1.0)
        flat = np.array([self.from_lat[i] for i in rows])
        flon = np.array([self.from_lon[i] for i in rows])
        lat = flat + frac * (np.array([self.to_lat[i] for i in rows]) - flat)
        lon = flon + frac * (np.array([self.to_lon[i] for i in rows]) - flon)
        node = np.array([self.to_node[i] if now >= self.t1[i] else self.from_node[i] for i in rows], dtype=np.int64)
        return lat, lon, node

    def position_one(self, u: int, now: float) -> tuple[float, float, int]:
        """(lat, lon, node) of unit ``u`` at ``now``."""
        t0, t1 = self.t0[u], self.t1[u]
        if now >= t1:
            return self.to_lat[u], self.to_lon[u], self.to_node[u]
        if now <= t0:
            return self.from_lat[u], self.from_lon[u], self.from_node[u]
        f = (now - t0) / (t1 - t0)
        flat, flon = self.from_lat[u], self.from_lon[u]
        return flat + f * (self.to_lat[u] - flat), flon + f * (self.to_lon[u] - flon), self.from_node[u]

    def set_leg(self, u: int, origin: tuple[float, float, int], dest, t0: float, t1: float) -> None:
        """Unit ``u`` leaves ``origin`` at ``t0`` and reaches ``dest`` (a Location) at ``t1``."""
        self.from_lat[u], self.from_lon[u], self.from_node[u] = origin
        self.to_lat[u], self.to_lon[u], self.to_node[u] = dest.lat, dest.lon, dest.node
        self.t0[u] = t0
        self.t1[u] = t1

    def phase(self, u: int, now: float) -> int:
        """The state of ``u`` with MOBILISING split into MOBILISING / TRAVELLING."""
        state = self.state[u]
        if state == MOBILISING and now >= self.t0[u]:
            return TRAVELLING
        return state

    # ------------------------------------------------------------ mobilisation

    def mobilise(self, u: int) -> float:
        """A mobilisation time for unit ``u`` leaving its base now.

        Each unit has its own stream (keyed by its id, so a unit present in two plans
        draws the same sequence); a constant mobilise time draws nothing.
        """
        info = self.types[self.type_list[u]]
        if info.mob_const is not None:
            return info.mob_const
        gen = self._mobilise_rng.get(u)
        if gen is None:
            key = zlib.crc32(self.ids[u].encode("utf-8"))
            gen = self._mobilise_rng[u] = rngmod.stream(self.seed, self.replication, key, rngmod.MOBILISE)
        return float(info.mobilise.sample(gen))


def _located(travel, key: str, lat: float, lon: float) -> Location:
    node = -1
    if getattr(travel, "uses_matrix", False):
        node = travel.node(key)
        if node < 0:
            raise ValueError(f'the travel matrix has no row for "{key}", where units are based')
    return Location(key, lat, lon, node)
