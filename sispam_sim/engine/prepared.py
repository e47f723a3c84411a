"""What a scenario's replications share, built once: :func:`prepare` returns a :class:`Prepared`.

Every replication of a scenario starts from the same fixed data: the travel model, the
capability bits, the static columns of the unit table (type, crew, speed, tier, bases,
guard groups), each incident entry's capability slots and needs, its rate profile and the
sites its ``where.sites`` filter selects. Building these is most of a replication's set-up
(on a province of 60,000 TPS, filtering the sites of each entry was 94% of a replication),
so :func:`prepare` builds them once per scenario and caches the result for the scenario
object's lifetime; :func:`~sispam_sim.engine.model.run_replication` looks it up.

A :class:`Prepared` is never written after it is built (a replication copies what it
mutates), so replication k stays a pure function of (scenario, k). It can be pickled, so an
executor may send it to its workers once (``prepared.run(k)`` there); a worker that receives
only the scenario builds it once, on its first replication.
"""

from __future__ import annotations

import weakref

from typing import NamedTuple

from sispam_sim.core.geo import make_travel
from sispam_sim.core.policies import get_policy
from sispam_sim.engine import kinds as behaviours
from sispam_sim.engine.incidents import CallPlan
from sispam_sim.engine.kinds import Behaviour
from sispam_sim.engine.records import incident_columns
from sispam_sim.engine.units import Capabilities, UnitTable
from sispam_sim.scenario import kinds
from sispam_sim.scenario.areas import district_at


class EntryPrep(NamedTuple):
    """What a replication needs of one incident entry, fixed for the scenario."""

    spec: object            # the entry as written (its kind's model)
    slots: list[int]        # capability bit per need slot
    need: list[int]         # personnel per slot at the call (a replication copies it)
    total: int              # the need summed over slots (the record's ``need`` at the call)
    label: str              # the entry's label, or its kind
    behaviour: Behaviour    # its kind's engine hooks (engine.kinds)
    stops_voting: bool      # its kind has ``tps_downtime`` (voting stops at its TPS until resolved)


class Prepared:
    """The fixed, immutable part of a scenario's replications.

    Attributes: ``spec`` (the scenario's format-v1 spec; a Prepared holds no reference to the
    loaded scenario itself, so the cache below does not keep it alive), ``travel``, ``caps`` (capability names <-> bits), ``units`` (the unit table every
    replication copies with :meth:`UnitTable.fresh`), ``entries`` (per incident entry, an :class:`EntryPrep`: its spec,
    capability bit per need slot, need per slot, total need, label), ``calls`` (the
    :class:`~sispam_sim.engine.incidents.CallPlan` that draws a replication's calls, and holds per
    entry the format 1.1 triggers of its incidents: ``calls.triggers``), ``columns`` (the
    ``incidents.csv`` columns of the scenario's format version),
    ``policy`` and ``eligible`` (the dispatcher's masks of units by capability set and level,
    filled as replications ask for them: pure functions of the static columns).
    """

    def __init__(self, scenario):
        spec = scenario.spec
        self.spec = spec
        self.travel = make_travel(scenario)
        # the order of the capability bits is part of the model (see Dispatcher.reserve): unit
        # types first, then guards, then the incident entries, as a replication always did
        self.caps = Capabilities([])
        self.units = UnitTable(scenario, self.caps, self.travel, 0)
        self.entries = []
        for entry in spec.incidents:
            kind = kinds.get(entry.kind)
            capabilities, need = kind.slots(entry)
            slots = [self.caps.add(c) for c in capabilities]
            self.entries.append(EntryPrep(entry, slots, list(need), sum(need), entry.label or entry.kind,
                                          behaviours.behaviour(entry.kind), "tps_downtime" in kind.metrics))
        self.calls = CallPlan(scenario, self.travel)
        self.columns = incident_columns(spec.version)
        self.policy = get_policy(spec.dispatch.policy)
        self.eligible: dict = {}
        # format 1.1: the entries the guards answer first, the TPS whose guarding is recorded, and
        # each location's district (areas of responsibility), filled as incidents ask
        ids = {entry.id: i for i, entry in enumerate(spec.incidents) if entry.id is not None}
        respond = spec.guard.respond
        self.respond = frozenset(ids[name] for name in respond.incidents if name in ids) if respond else frozenset()
        self.guard_sites = None
        if float(spec.version) >= 1.1 and spec.guard.tps:
            self.guard_sites = frozenset(site.id for site in scenario.sites if site.risk in spec.guard.tps)
        self._districts = spec.map.districts
        self._site_district = ({site.id: site.district for site in scenario.sites if site.district}
                               if self.units.has_area else {})
        self._district_of: dict = {}

    def district_of(self, location) -> str | None:
        """The district ``location`` lies in (:mod:`sispam_sim.scenario.areas`): a TPS's own, a
        district's centre that district, otherwise the circle that holds it (None: outside all)."""
        key = (location.key, location.site, location.lat, location.lon)
        found = self._district_of.get(key, False)
        if found is False:
            found = self._site_district.get(location.site) if location.site is not None else None
            if found is None:
                d = self._districts.get(location.key)
                if d is not None and (d.lat, d.lon) == (location.lat, location.lon):
                    found = location.key
                else:
                    found = district_at(self._districts, location.lat, location.lon)
            if len(self._district_of) < 100_000:
                self._district_of[key] = found
        return found

    def run(self, replication: int, *, record_timeline: bool = True, record_events: bool = True):
        """Replication ``replication`` of the scenario (as :func:`~sispam_sim.engine.model.run_replication`)."""
        from sispam_sim.engine.model import _Replication

        return _Replication(self, replication, record_timeline, record_events).run()


#: Prepared scenarios by ``id(scenario)``, each entry dropped when its scenario is freed
#: (so an id is never reused while its entry lives). Kept beside the scenario rather than
#: on it: the loaded scenario is frozen, and pickles without it.
_CACHE: dict[int, Prepared] = {}


def prepare(scenario) -> Prepared:
    """The :class:`Prepared` of ``scenario``, built on first use and kept while the scenario lives."""
    key = id(scenario)
    prepared = _CACHE.get(key)
    if prepared is not None:
        return prepared
    prepared = Prepared(scenario)
    try:
        weakref.finalize(scenario, _CACHE.pop, key, None)
    except TypeError:   # an object without weak references: not cached
        return prepared
    _CACHE[key] = prepared
    return prepared
