"""Checks that need the whole scenario: references between blocks, feasibility, load.

The schema has already checked each value on its own. Here every problem is
collected (not just the first) and located at the key path that caused it.
Load warnings give planners the offered load per capability before any run.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from sispam_sim.errors import Problem
from sispam_sim.scenario import limits
from sispam_sim.scenario.areas import district_at, unit_area
from sispam_sim.scenario.errors import suggest
from sispam_sim.scenario import kinds as kind_registry
from sispam_sim.scenario.quantities import PhaseRef
from sispam_sim.scenario.types import MAX_LEVEL
from sispam_sim.scenario.schema import Scenario
from sispam_sim.scenario.size import RunSize, entry_incidents, run_size
from sispam_sim.scenario.metrics import INCIDENT_METRICS, applies_to, canonical_metric
from sispam_sim.scenario.sites import (
    GUARD_CAPABILITY, GUARD_TYPE, Site, SitesFileError, Unit, expand_units, generate_sites, guard_groups,
    guards_as_units, guards_by_risk, read_sites_file,
)

LOAD_WARNING = 0.85


@dataclass
class Parts:
    """What the checks expand on the way: the loader builds the :class:`LoadedScenario` from it."""

    spec: Scenario
    generated_sites: list[Site] = field(default_factory=list)
    file_sites: list[Site] = field(default_factory=list)
    units: list[Unit] = field(default_factory=list)
    matrix: object = None
    data_files: list[Path] = field(default_factory=list)  # sites file and travel matrix, as read
    boundaries: object = None   # format 1.1 map.boundaries: the district shapes (scenario.boundaries)
    size: RunSize | None = None  # expected incidents, set when the scenario is valid

    @property
    def sites(self) -> list[Site]:
        return self.generated_sites + self.file_sites


class _Checker:
    def __init__(self, spec: Scenario, document):
        self.spec, self.doc = spec, document
        self.problems: list[Problem] = []
        self.parts = Parts(spec)
        # Set when a reference is broken, so that checks depending on it stay quiet
        # instead of reporting follow-on problems the user did not make.
        self.sites_incomplete = False
        self.forces_incomplete = False
        self.phases_incomplete = False   # a phase named that clock.phases does not define

    def error(self, path: tuple, message: str) -> None:
        self.problems.append(self.doc.problem(path, message))

    def warning(self, path: tuple, message: str) -> None:
        self.problems.append(self.doc.problem(path, message, "warning"))

    def known(self, path: tuple, value: str, choices, what: str, where: str) -> bool:
        if value in choices:
            return True
        listed = ", ".join(sorted(choices)) if choices else "none defined"
        self.error(path, f'unknown {what} "{value}"{suggest(value, list(choices))}; {where}: {listed}')
        return False

    # ------------------------------------------------------------ the checks

    def run(self) -> tuple[Parts, list[Problem]]:
        self.check_version()
        self.check_clock()
        self.check_phases()
        self.check_sites()
        self.check_point_ids()
        self.check_forces()
        self.check_incidents()
        self.check_triggers()
        self.check_dispatch()
        self.check_areas()
        self.check_guard_duty()
        self.check_matrix()
        self.check_boundaries()
        self.check_personnel()
        self.check_targets()
        self.check_incident_count()
        if not any(p.severity == "error" for p in self.problems):
            self.check_idle_generators()
            self.check_load()
            self.check_run_size()
        return self.parts, self.problems

    def check_version(self) -> None:
        """A key that a later format version added, in a file that says an earlier one."""
        from sispam_sim.scenario.versions import keys_newer_than

        for path, added in keys_newer_than(self.spec, self.spec.version):
            self.error(path, f'"{path[-1]}" is a format {added} key, and this file says version: '
                             f'{self.spec.version}: write version: {added} at the top of the file (a version '
                             f'{self.spec.version} file keeps its meaning)')

    def check_clock(self) -> None:
        clock = self.spec.clock
        for i, incident in enumerate(self.spec.incidents):
            if incident.at is not None:
                t = clock.minutes(incident.at)
                if not 0 <= t < clock.duration:
                    self.error(("incidents", i, "at"),
                               f'"{incident.at}" is outside the incident window: '
                               f"{_clock_text(clock, 0)} to {_clock_text(clock, clock.duration)} "
                               f"(clock.start + clock.duration)")
            elif incident.rate is not None and incident.rate.constant is None:
                for when, _ in incident.rate.points:
                    if isinstance(when, PhaseRef) and when.name not in clock.phases:
                        continue   # check_phases says so
                    if clock.minutes(when) >= clock.duration:
                        self.warning(("incidents", i, "rate", str(when)),
                                     f'"{when}" is after the incident window ends '
                                     f"({_clock_text(clock, clock.duration)}): this step is never used")

    def check_phases(self) -> None:
        """Format 1.1 ``clock.phases``: each phase lasts, none overlaps another, and every phase
        named anywhere exists (:mod:`sispam_sim.scenario.phases`)."""
        from sispam_sim.scenario.phases import findings, phase_refs

        for finding in findings(self.spec, self.where):
            self.problems.append(self.doc.problem(finding.path, finding.message, finding.severity, key=finding.key))
        phases = self.spec.clock.phases
        self.phases_incomplete = any(ref.name not in phases for _, ref, _ in phase_refs(self.spec))

    def check_sites(self) -> None:
        spec = self.spec
        districts = spec.map.districts
        entries_ok = True
        for i, entry in enumerate(spec.map.sites.generate):
            path = ("map", "sites", "generate", i, "district")
            entries_ok &= self.known(path, entry.district, districts, "district", "map.districts has")
        generated = 0
        for i, entry in enumerate(spec.map.sites.generate):  # counted before a single site is placed
            generated += entry.count
            if generated > limits.MAX_SITES:  # at the count that crosses the bound
                entries_ok = False
                self.error(("map", "sites", "generate", i, "count"),
                           f"{generated:,} generated TPS (entries 0 to {i}): a scenario holds at most "
                           f"{limits.MAX_SITES:,} TPS")
                break
        self.sites_incomplete = not entries_ok
        if entries_ok:
            self.parts.generated_sites = generate_sites(spec.seed, spec.map.sites.generate, districts)
        if spec.map.sites.file and generated <= limits.MAX_SITES:
            path = ("map", "sites", "file")
            csv_path = self.resolve(path, spec.map.sites.file)
            self.sites_incomplete |= csv_path is None
            if csv_path is not None:
                self.parts.data_files.append(csv_path)
                try:
                    self.parts.file_sites = read_sites_file(csv_path, limits.MAX_SITES - generated)
                except SitesFileError as err:
                    self.sites_incomplete = True
                    self.problems.append(Problem(str(csv_path), err.line, err.col, "map.sites.file", str(err)))
        generated = {s.id for s in self.parts.generated_sites}
        for site in self.parts.file_sites:
            if site.id in generated:
                self.error(("map", "sites", "file"),
                           f'site id "{site.id}" is also a generated site id; rename it in the file')
                break

    def check_point_ids(self) -> None:
        """A place, a district and a TPS are all points an incident or a travel matrix names by id:
        one id must name one point, or the matrix (and the reader) cannot tell them apart."""
        places, districts = self.spec.map.places, self.spec.map.districts
        for name in districts:
            if name in places:
                self.error(("map", "districts", name), f'id "{name}" names both a place (map.places) and a '
                                                       "district; give each point its own id")
        for site in self.parts.sites:
            kind = "place" if site.id in places else "district" if site.id in districts else None
            if kind:
                self.error(("map", "sites"), f'site id "{site.id}" is also the id of a {kind}; give each point '
                                             "its own id")
                break

    def check_unit_ids(self, unit_ids: dict[str, int]) -> None:
        """A unit is named by id in events, timelines and replays beside places and TPS: one id, one thing."""
        places, districts = self.spec.map.places, self.spec.map.districts
        site_ids = {site.id for site in self.parts.sites}
        for uid, i in unit_ids.items():
            kind = ("place" if uid in places else "district" if uid in districts
                    else "TPS (map.sites)" if uid in site_ids else None)
            if kind:
                self.error(("forces", "units", i, "id"), f'unit id "{uid}" is also the id of a {kind}; give each '
                                                         "unit, place, district and TPS its own id")

    def where(self, path: tuple) -> str:
        """``FILE:LINE:COL`` of the value at ``path``, to name a first occurrence in a message."""
        pos = self.doc.locate(path)
        return f"{pos.file}:{pos.line}:{pos.col}"

    def resolve(self, path: tuple, name: str) -> Path | None:
        from sispam_sim.scenario.yamlio import resolve_relative

        target = resolve_relative(self.doc, path, name)
        if not target.exists():
            self.error(path, f"file not found: {name} (looked for {target})")
            return None
        refused = self.doc.folders.refuse(target, name, "a CSV file")
        if refused is not None:
            self.error(path, refused)
            return None
        return target

    def check_forces(self) -> None:
        forces, places = self.spec.forces, self.spec.map.places
        total = sum(group.count or 1 for group in forces.units)
        if total > limits.MAX_UNITS:  # counted before a single unit id is made
            self.forces_incomplete = True
            self.error(("forces", "units"), f"{total:,} units: a scenario holds at most {limits.MAX_UNITS:,} units")
            return
        seen: dict[str, int] = {}
        written: dict[str, int] = {}  # the ids as written, before count expansion
        for i, group in enumerate(forces.units):
            if not self.known(("forces", "units", i, "type"), group.type, forces.types, "unit type",
                              "forces.types has"):
                self.forces_incomplete = True
            self.known(("forces", "units", i, "base"), group.base, places, "base", "map.places has")
            if group.id in written:  # also when count makes different ids: one id, one group
                first = written[group.id]
                self.error(("forces", "units", i, "id"),
                           f'duplicate unit id "{group.id}" (first written at forces.units[{first}].id, '
                           f"{self.where(('forces', 'units', first, 'id'))}); give each group its own id")
            else:
                written[group.id] = i
                for uid in group.unit_ids():
                    if uid in seen:
                        other = forces.units[seen[uid]]
                        self.error(("forces", "units", i, "id"),
                                   f'duplicate unit id "{uid}" (also made by forces.units[{seen[uid]}], '
                                   f'id "{other.id}"{f" with count {other.count}" if other.count else ""}, '
                                   f"{self.where(('forces', 'units', seen[uid], 'id'))}); give each group "
                                   "its own id")
                        break
                    seen[uid] = i
        self.check_unit_ids(seen)
        self.parts.units = expand_units(forces)
        if GUARD_TYPE in forces.types:
            self.error(("forces", "types", GUARD_TYPE), f'the unit type name "{GUARD_TYPE}" is reserved for the TPS '
                                                       "guards (guard.tps); choose another name")
        if guards_as_units(self.spec) and not self.sites_incomplete:
            guard_ids = {gid for gid, _, _ in guard_groups(self.parts.sites, self.spec.guard)}
            for uid, i in seen.items():
                if uid in guard_ids:
                    self.error(("forces", "units", i, "id"),
                               f'unit id "{uid}" is also the id of a TPS guard group pulled by dispatch '
                               "(guard-<risk>-<n>); choose another id")
        levels = self.reachable_level()
        for name, utype in forces.types.items():
            if utype.max_level < utype.tier <= MAX_LEVEL:
                self.error(("forces", "types", name, "max_level"),
                           f"max_level {utype.max_level} is below tier {utype.tier}: the unit would never count "
                           "toward a crowd (its band of levels is empty); raise max_level or lower tier")
            path = ("forces", "types", name, "tier")
            if utype.tier > MAX_LEVEL:
                self.error(path, f"tier {utype.tier} can never be opened: escalation stops at level "
                                 f"{MAX_LEVEL} (merah)")
            elif utype.tier > levels and self.spec.dispatch.tiers == "escalation":
                self.warning(path, f"unit type {name} (tier {utype.tier}) is never dispatched: no incident "
                                   f"escalates beyond level {levels}; add escalation to a "
                                   f"{' or '.join(k.name for k in kind_registry.KINDS.values() if k.can_escalate)} "
                                   "or set dispatch.tiers: open")

    def reachable_level(self, incident=None) -> int:
        """The highest escalation level an incident (or any incident) can reach."""
        incidents = [incident] if incident is not None else self.spec.incidents
        return max(kind_registry.get(x.kind).max_level(x) for x in incidents)

    def capable_crew(self, capability: str, level: int) -> int:
        """Personnel of unit types with ``capability`` that can answer at ``level``."""
        types = self.spec.forces.types
        open_tiers = self.spec.dispatch.tiers == "open"
        count = {name: 0 for name in types}
        for unit in self.parts.units:
            if unit.type in count:
                count[unit.type] += 1
        return sum(t.crew * count[name] for name, t in types.items()
                   if capability in t.capabilities and (open_tiers or t.tier <= level))

    def all_capabilities(self) -> set[str]:
        caps = {c for t in self.spec.forces.types.values() for c in t.capabilities}
        if self.spec.dispatch.pull_guards:
            caps.add("response")
        return caps

    def check_incidents(self) -> None:
        spec = self.spec
        capabilities = self.all_capabilities()
        site_districts = {s.district for s in self.parts.sites if s.district}
        for i, incident in enumerate(spec.incidents):
            where = incident.where
            base = ("incidents", i, "where")
            if where.place is not None:
                self.known(base + ("place",), where.place, spec.map.places, "place", "map.places has")
            if where.district is not None:
                self.known(base + ("district",), where.district, spec.map.districts, "district", "map.districts has")
            if where.sites is not None and not self.sites_incomplete:
                self.check_site_filter(i, where, site_districts)
            level = self.reachable_level(incident)
            for capability, need, cap_path, need_path in kind_registry.get(incident.kind).feasibility(incident):
                path = ("incidents", i) + cap_path
                if capability not in capabilities:
                    listed = ", ".join(sorted(capabilities))
                    self.error(path, f'no unit type has capability "{capability}"'
                                     f"{suggest(capability, list(capabilities))}; capabilities are: {listed}")
                    continue
                if self.forces_incomplete:
                    continue
                crew = self.capable_crew(capability, level) + self.guard_crew(capability)
                if crew == 0:
                    self.error(path, f'only units of tier > {level} have capability "{capability}", and a '
                                     f"{incident.kind} incident never goes past level {level}; set "
                                     "dispatch.tiers: open or give a tier-1 unit type the capability")
                    continue
                path = ("incidents", i) + need_path
                if need > crew:
                    self.warning(path, f"needs {need} {capability} personnel but the whole force has {crew} "
                                       "that can answer: full strength is never reached")

    def check_triggers(self) -> None:
        """Format 1.1 entry ids and triggers: ids unique, a trigger names an entry id, no cycle,
        a level only of a kind with levels, a triggered place that can be placed."""
        incidents = self.spec.incidents
        ids: dict[str, int] = {}
        for i, incident in enumerate(incidents):
            if incident.id is None:
                continue
            if incident.id in ids:
                first = ids[incident.id]
                self.error(("incidents", i, "id"), f'duplicate incident id "{incident.id}" (first written at '
                                                   f"incidents[{first}].id, {self.where(('incidents', first, 'id'))});"
                                                   " give each entry its own id")
            else:
                ids[incident.id] = i
        parent: dict[int, int] = {}   # entry -> the entry that triggers it
        for i, incident in enumerate(incidents):
            trigger = incident.trigger
            if trigger is None:
                continue
            path = ("incidents", i, "trigger")
            if not self.known(path + ("incident",), trigger.incident, ids, "incident id",
                              "incident entries with an id are"):
                continue
            j = parent[i] = ids[trigger.incident]
            source = incidents[j]
            level = trigger.level
            if level is not None:
                if not kind_registry.has_levels(source.kind):
                    self.error(path + ("when",), f'"{trigger.when}" is a crowd level, and incidents of '
                                                 f'"{trigger.incident}" ({source.kind}) have no levels: use resolved '
                                                 "or {unresolved_after: DURATION}")
                elif kind_registry.get(source.kind).max_level(source) < level:
                    self.warning(path + ("when",), f'"{trigger.incident}" never reaches {trigger.when} (it cannot '
                                                   f"escalate to level {level}): this trigger never fires")
            if incident.where.near is not None and self.spec.map.travel.matrix is not None:
                self.error(("incidents", i, "where", "near"), "near: trigger draws a point off the map's places, "
                                                              "which a travel matrix has no row for: use at: trigger")
        reported: set[int] = set()
        for start in sorted(parent):
            chain, i = [], start
            while i in parent and i not in chain:
                chain.append(i)
                i = parent[i]
            if i not in chain or i in reported:
                continue
            cycle = chain[chain.index(i):]
            reported.update(cycle)
            first = min(cycle)
            loop = cycle[cycle.index(first):] + cycle[:cycle.index(first)]
            names = " -> ".join(f'"{incidents[x].id}"' for x in reversed(loop + [first]))
            self.error(("incidents", first, "trigger", "incident"),
                       f"triggers form a cycle: {names} (each triggers the next, so none of them ever happens); "
                       "give one of these entries rate or at instead of trigger")
        for i, incident in enumerate(incidents):   # a TPS's downtime needs a TPS
            if (incident.where.at is not None and i in parent and not self.placed_at_site(i, parent)
                    and "tps_downtime" in kind_registry.get(incident.kind).metrics):
                self.error(("incidents", i, "where", "at"), f"a {incident.kind} happens at a TPS, and the incident "
                                                            "that triggers it is not at one: use where: {sites: ...}")

    def placed_at_site(self, i: int, parent: dict[int, int]) -> bool:
        """Whether entry ``i``'s incidents are at a TPS (following ``at: trigger`` up the chain)."""
        seen = set()
        while i not in seen:
            seen.add(i)
            where = self.spec.incidents[i].where
            if where.at is None:
                return where.selects_sites
            if i not in parent:
                return False
            i = parent[i]
        return True   # a cycle: reported already

    def check_site_filter(self, i: int, where, site_districts: set[str]) -> None:
        path, sites = ("incidents", i, "where", "sites"), where.sites
        if not self.parts.sites:
            self.error(path, "selects no site: the scenario has no sites (map.sites)")
            return
        if sites == "any":
            return
        for j, district in enumerate(sites.district or []):
            if district not in site_districts:
                self.error(path + ("district", j), f'no site is in district "{district}"'
                                                   f"{suggest(district, list(site_districts))}")
                return
        if not where.select_sites(self.parts.sites):
            parts = []
            if sites.risk:
                parts.append("risk " + ", ".join(sites.risk))
            if sites.district:
                parts.append("district " + ", ".join(sites.district))
            self.error(path, f"selects no site: no site has {' in '.join(parts)}")

    def guard_crew(self, capability: str) -> int:
        if capability != "response" or not self.spec.dispatch.pull_guards:
            return 0
        return sum(police for _, _, police in guards_by_risk(self.parts.sites, self.spec.guard).values())

    def check_dispatch(self) -> None:
        dispatch = self.spec.dispatch
        try:
            from sispam_sim.core.policies import POLICIES
            names = list(POLICIES)
        except ImportError:  # pragma: no cover - the engine ships with the package
            names = ["nearest"]
        self.known(("dispatch", "policy"), dispatch.policy, names, "dispatch policy", "policies are")
        capabilities = self.all_capabilities()
        for capability, personnel in dispatch.reserve.items():
            path = ("dispatch", "reserve", capability)
            if not self.known(path, capability, capabilities, "capability", "capabilities are"):
                continue
            total = self.capable_crew(capability, MAX_LEVEL) + self.guard_crew(capability)
            if personnel > total:
                self.error(path, f"reserve of {personnel} is more than the {total} {capability} personnel "
                                 "the force has")

    def check_areas(self) -> None:
        """Format 1.1 areas of responsibility: known districts, a base inside one for ``area: base``."""
        spec = self.spec
        districts = spec.map.districts
        any_area = False
        for i, group in enumerate(spec.forces.units):
            if group.area is None:
                continue
            any_area = True
            path = ("forces", "units", i, "area")
            if group.area == "base":
                base = spec.map.places.get(group.base)
                if base is not None and district_at(districts, base.lat, base.lon) is None:
                    self.error(path, f'area: base, and the base "{group.base}" lies outside every district of '
                                     "map.districts: give area: {districts: [...]} or a district around the base")
                continue
            for j, name in enumerate(group.area.districts):
                self.known(path + ("districts", j), name, districts, "district", "map.districts has")
        if "mutual_aid" in spec.dispatch.model_fields_set and not any_area:
            self.warning(("dispatch", "mutual_aid"), "no unit has an area (forces.units[].area): every unit "
                                                     "answers anywhere, so mutual_aid changes nothing")
        if any_area and spec.dispatch.mutual_aid == "never":
            self._check_unanswered(districts)
        for i, group in enumerate(spec.forces.units):
            window = group.available
            if window is not None and window.start is not None and window.until is not None:
                try:
                    start = spec.clock.minutes(window.start)
                    until = spec.clock.minutes(window.until, end=True)
                except KeyError:   # an unknown phase: reported by the phase check
                    continue
                if until <= start:
                    self.error(("forces", "units", i, "available", "until"),
                               f'"{window.until}" is not after "{window.start}" (from): the unit would never '
                               "be on duty")

    def _check_unanswered(self, districts) -> None:
        """With ``mutual_aid: never``, an entry at a fixed place whose district no unit's area holds
        (and no unit is without an area) would wait all day: a warning at its ``where``."""
        spec = self.spec
        areas = [unit_area(group, spec) for group in spec.forces.units]
        if any(area is None for area in areas):
            return
        held = set().union(*areas)
        for i, incident in enumerate(spec.incidents):
            where = incident.where
            if where.district is not None:
                district = where.district
            elif where.place is not None and (place := spec.map.places.get(where.place)) is not None:
                district = district_at(districts, place.lat, place.lon)
            else:
                continue
            if district not in held:
                what = f'district "{district}"' if district else "this place"
                self.warning(("incidents", i, "where"),
                             f"no unit's area holds {what} "
                             "(outside every district, or in none of forces.units[].area) and dispatch.mutual_aid "
                             "is never: no unit is ever sent to it")

    def check_guard_duty(self) -> None:
        """Format 1.1 ``guard.respond``: entry ids that exist and happen at a TPS."""
        spec = self.spec
        respond = spec.guard.respond
        if respond is None:
            return
        path = ("guard", "respond")
        if not spec.guard.tps:
            self.error(path, "guard.respond needs guard groups: give guard.tps (e.g. {aman: {police: 2, per_tps: 24}})")
            return
        ids = {incident.id: i for i, incident in enumerate(spec.incidents) if incident.id is not None}
        for j, name in enumerate(respond.incidents):
            if not self.known(path + ("incidents", j), name, ids, "incident id", "incidents[].id has"):
                continue
            entry = spec.incidents[ids[name]]
            if entry.where.sites is None and not entry.where.from_trigger:
                self.error(path + ("incidents", j), f'incident "{name}" does not happen at a TPS (where.sites): '
                                                    "the guards answer only incidents at the TPS they guard")
            elif GUARD_CAPABILITY not in kind_registry.get(entry.kind).slots(entry)[0]:
                self.warning(path + ("incidents", j), f'incident "{name}" needs no "{GUARD_CAPABILITY}" '
                                                      "personnel, the only thing the guards can give: they are never "
                                                      "sent to it")

    def check_matrix(self) -> None:
        travel = self.spec.map.travel
        if travel.matrix is None:
            return
        path = ("map", "travel", "matrix")
        csv_path = self.resolve(path, travel.matrix)
        if csv_path is None:
            return
        from sispam_sim.scenario.matrix import MatrixFileError, read_matrix

        self.parts.data_files.append(csv_path)
        try:
            matrix = read_matrix(csv_path)
        except MatrixFileError as err:
            self.problems.append(Problem(str(csv_path), err.line, err.col, "map.travel.matrix", str(err)))
            return
        self.parts.matrix = matrix
        index = matrix.index()
        bases = sorted({u.base for u in self.parts.units})
        places = set(bases)
        for incident in self.spec.incidents:
            w = incident.where
            places |= {p for p in (w.place, w.district) if p is not None}
            places |= {s.id for s in w.select_sites(self.parts.sites)}
        if self.spec.dispatch.pull_guards:  # pulled guard groups start from their first TPS
            places |= {site.id for _, _, site in guard_groups(self.parts.sites, self.spec.guard)}
        missing_ids = sorted(p for p in places if p not in index)
        if missing_ids:
            shown = ", ".join(missing_ids[:5]) + (f" and {len(missing_ids) - 5} more" if len(missing_ids) > 5 else "")
            self.error(path, f"travel matrix {travel.matrix} has no row/column for {shown}")
            return
        ids = sorted(places)
        sub = matrix.minutes[np.ix_([index[p] for p in ids], [index[p] for p in ids])]
        holes = [(ids[a], ids[b]) for a, b in zip(*np.nonzero(np.isnan(sub))) if a != b]
        if holes:
            shown = ", ".join(f"{a} -> {b}" for a, b in holes[:5])
            more = f" and {len(holes) - 5} more" if len(holes) > 5 else ""
            self.error(path, f"travel matrix {travel.matrix} lacks {len(holes)} needed pair(s): {shown}{more}")

    def check_boundaries(self) -> None:
        """Format 1.1 ``map.boundaries``: the district shapes of the report's map (:mod:`~.boundaries`)."""
        from sispam_sim.scenario.boundaries import check_boundaries

        check_boundaries(self)

    def check_idle_generators(self) -> None:
        for i, incident in enumerate(self.spec.incidents):
            rate = incident.rate
            if rate is not None and max([rate.constant or 0.0] + [r for _, r in rate.points]) == 0:
                self.warning(("incidents", i, "rate"), "the rate is 0 all day: this entry never makes an incident")

    def check_personnel(self) -> None:
        limit = self.spec.personnel_limit
        if limit is None:
            return
        types = self.spec.forces.types
        by_type: dict[str, int] = {}
        for unit in self.parts.units:
            if unit.type in types:
                by_type[unit.type] = by_type.get(unit.type, 0) + types[unit.type].crew
        units_total = sum(by_type.values())
        guards = guards_by_risk(self.parts.sites, self.spec.guard)
        guards_total = sum(police for _, _, police in guards.values())
        total = units_total + guards_total
        if total > limit:
            unit_text = " + ".join(f"{name} {n}" for name, n in by_type.items())
            guard_text = "; ".join(
                f"{risk}: ceil({n}/{self.spec.guard.tps[risk].per_tps}) = {groups} groups x "
                f"{self.spec.guard.tps[risk].police} = {police}"
                for risk, (n, groups, police) in guards.items())
            self.error(("personnel_limit",),
                       f"{total} personnel exceed personnel_limit {limit}: units {units_total} ({unit_text}) "
                       f"+ TPS guards {guards_total} ({guard_text or 'none'}) = {total} > {limit}")

    def check_load(self) -> None:
        from sispam_sim.scenario.offered_load import offered_load

        for capability, load in sorted(offered_load(self.parts).items()):
            capacity = self.capable_crew(capability, MAX_LEVEL) + self.guard_crew(capability)
            if capacity <= 0 or load / capacity < LOAD_WARNING:
                continue
            share = load / capacity
            tail = "expect queues" if share < 1 else "the force cannot keep up: queues grow through the day"
            self.warning(("incidents",), f"{capability}: offered load {load:.1f} of {capacity} personnel "
                                         f"({share:.0%}) — {tail}")


    def check_targets(self) -> None:
        """Targets that can never be judged, or whose verdict depends on how long one ran."""
        kinds = {incident.kind for incident in self.spec.incidents}
        said: set[tuple] = set()  # one problem per key, however many statistics it holds

        def once(path: tuple, message: str, severity: str) -> None:
            if path not in said:
                said.add(path)
                self.problems.append(self.doc.problem(path, message, severity, key=True))

        from sispam_sim.scenario.phases import day_metric_finding

        for row in self.spec.targets.rows():
            metric = canonical_metric(row.metric)
            finding = day_metric_finding(row)
            if finding is not None:
                once(finding.path, finding.message, finding.severity)
                continue
            if row.kind is not None and not applies_to(metric, row.kind):
                only = " and ".join(kind_registry.kinds_with(metric))
                once(row.path[:-1], f"{row.metric} exists only for {only} incidents, not for {row.kind}: "
                                    f"put it under by_kind.{only} or at the top level of targets", "error")
                continue
            wanted = {row.kind} if row.kind else set(kind_registry.kinds_with(metric))
            if not wanted & kinds:
                once(row.path[:3] if row.kind else row.path[:-1],
                     f"never tested: no incident entry of kind {' or '.join(sorted(wanted))}", "warning")
            if row.stat == "max" and metric in INCIDENT_METRICS:
                self.warning(row.path, "max is the slowest incident of the whole run: it grows with the number of "
                                       "replications, so the verdict depends on how long you ran; use p99 "
                                       "(99% of incidents within the limit)")

    def check_incident_count(self) -> None:
        """Expected incidents per replication, from the rates alone, before any is drawn."""
        clock, total = self.spec.clock, 0.0
        if self.phases_incomplete:   # a rate names an unknown phase: reported already
            return
        for i, incident in enumerate(self.spec.incidents):
            expected = entry_incidents(incident, clock, self.spec)
            total += expected
            if total > limits.MAX_INCIDENTS_PER_REPLICATION:
                self.error(("incidents", i, "rate" if incident.rate is not None else
                            "at" if incident.at is not None else "trigger"),
                           f"about {total:,.0f} incidents per replication expected (rates integrated over "
                           f"clock.duration, entries 0 to {i}): at most {limits.MAX_INCIDENTS_PER_REPLICATION:,} "
                           "are allowed; check the rate's unit (/h, /d)")
                return
        if total > limits.WARN_INCIDENTS_PER_REPLICATION:
            self.warning(("incidents",), f"about {total:,.0f} incidents per replication expected: a replication "
                                         "this large is slow and holds every incident in memory")

    def check_run_size(self) -> None:
        size = self.parts.size = run_size(self.spec)
        if size.large:
            self.warning(("replications",), f"a large run: {size.describe()}; consider fewer replications "
                                            "(run -r) or a shorter clock.duration")


def _clock_text(clock, minutes: float) -> str:
    from datetime import timedelta

    return (clock.start + timedelta(minutes=minutes)).strftime("%Y-%m-%d %H:%M")


def check_scenario(spec: Scenario, document) -> tuple[Parts, list[Problem]]:
    """Run every whole-scenario check; return the expanded parts and all problems found."""
    return _Checker(spec, document).run()
