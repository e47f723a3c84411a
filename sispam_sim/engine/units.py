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
import zlib

import numpy as np

from sispam_sim.core import rng as rngmod
from sispam_sim.core.geo import Location
from sispam_sim.scenario.sites import GUARD_TYPE, guard_groups, guards_by_risk

# Unit states. A dispatched unit is stored as MOBILISING until it arrives; whether it is
# still mobilising or already driving is ``t < t0`` (see :meth:`UnitTable.phase`), so no
# event is spent on leaving base.
AT_BASE, MOBILISING, TRAVELLING, ON_SCENE, RETURNING = range(5)
STATE_NAMES = ("at_base", "mobilising", "travelling", "on_scene", "returning")

#: TPS guard groups, when ``dispatch.pull_guards`` makes them dispatchable units (type GUARD_TYPE).
GUARD_SPEED_KMH = 20.0          # on foot or by motorbike through village roads
GUARD_CAPABILITY = "response"


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
        for unit in scenario.units:
            base = places[unit.base]
            rows.append((unit.id, type_of[unit.type], _located(travel, unit.base, base.lat, base.lon),
                         self.types[type_of[unit.type]].crew))
        self.guard_police = 0
        if not spec.dispatch.pull_guards:   # static guards: only how many police they hold
            self.guard_police = sum(police for _, _, police in guards_by_risk(scenario.sites, spec.guard).values())
        elif guards := guard_groups(scenario.sites, spec.guard):
            type_of[GUARD_TYPE] = len(self.types)   # a reserved name: validation refuses it as a unit type
            self.types.append(_TypeInfo(GUARD_TYPE, guards[0][1], GUARD_SPEED_KMH, 1,
                                        [caps.add(GUARD_CAPABILITY)], None))
            for gid, police, site in guards:
                rows.append((gid, type_of[GUARD_TYPE], _located(travel, site.id, site.lat, site.lon), police))
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

    # ------------------------------------------------------------ availability

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
