"""Invariants of the engine on random small scenarios (Hypothesis).

Whatever the plan and the incidents: times of an incident are ordered, no unit is in
two incidents at once, committed personnel never exceed the force, full strength and
minutes short of need agree with the coverage events, busy crew-minutes split at the end
of the operating window as the event log says, a replication is a pure function of
(scenario, index), and two plans on one seed see the same incidents.
"""

from __future__ import annotations

from collections import defaultdict

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from sispam_sim.core.geo import make_travel
from sispam_sim.engine.incidents import generate_calls
from sispam_sim.engine.model import run_replication
from sispam_sim.errors import ScenarioError
from sispam_sim.scenario.loader import scenario_from_dict

PLACES = {"polres": {"lat": -8.1725, "lon": 113.6995}, "kpu": {"lat": -8.1650, "lon": 113.7030},
          "pos": {"lat": -8.2050, "lon": 113.6600}}
CAPS = ["response", "crowd_control"]
SETTINGS = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                           HealthCheck.filter_too_much])


def durations(low: int, high: int):
    constant = st.integers(low, high).map(lambda m: f"{m}min")
    exponential = st.integers(max(1, low), high).map(lambda m: {"dist": "exponential", "mean": f"{m}min"})
    return st.one_of(constant, exponential)


@st.composite
def unit_types(draw):
    n = draw(st.integers(1, 3))
    types = {}
    for k in range(n):
        caps = draw(st.lists(st.sampled_from(CAPS), min_size=1, max_size=2, unique=True))
        types[f"t{k}"] = {"crew": draw(st.integers(1, 10)), "speed_kmh": draw(st.integers(10, 60)),
                          "mobilise": draw(durations(0, 10)), "capabilities": caps,
                          "tier": 1 if k == 0 else draw(st.integers(1, 3))}
    return types


@st.composite
def units(draw, types):
    groups = []
    total = draw(st.integers(1, 10))
    k = 0
    while total > 0:
        count = draw(st.integers(1, total))
        group = {"id": f"g{k}", "type": draw(st.sampled_from(sorted(types))), "base": draw(st.sampled_from(sorted(PLACES)))}
        if count > 1 or draw(st.booleans()):
            group["count"] = count
        groups.append(group)
        total -= count
        k += 1
    return groups


@st.composite
def incidents(draw):
    out = []
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(["rapid_response", "station_disruption", "crowd_buildup"]))
        entry: dict = {"kind": kind, "priority": draw(st.integers(1, 3))}
        if draw(st.booleans()):
            entry["rate"] = f"{draw(st.integers(1, 8))}/h"
        else:
            entry["at"] = f"{draw(st.integers(6, 9)):02d}:{draw(st.integers(0, 59)):02d}"
        if kind == "station_disruption":
            entry["where"] = {"sites": draw(st.sampled_from(["any", {"risk": ["rawan", "sangat_rawan"]}]))}
        else:
            entry["where"] = draw(st.sampled_from([{"place": "kpu"}, {"district": "kota"}, {"sites": "any"}]))
        if kind == "crowd_buildup":
            initial = draw(st.integers(0, 60))
            entry["crowd"] = {"initial": initial, "growth": f"{draw(st.integers(1, 10))}/min",
                              "peak": initial + draw(st.integers(1, 120)), "lasts": draw(durations(0, 40))}
            entry["per_officer"] = draw(st.sampled_from([5, 10, 20]))
            if draw(st.booleans()):
                entry["escalation"] = {"below": draw(st.sampled_from([0.5, 0.8, 1.0])),
                                       "after": f"{draw(st.integers(0, 10))}min",
                                       "factor": draw(st.sampled_from([1.0, 1.3, 1.5]))}
        else:
            caps = draw(st.lists(st.sampled_from(CAPS), min_size=1, max_size=2, unique=True))
            entry["needs"] = {c: draw(st.integers(1, 12)) for c in caps}
            entry["work"] = draw(durations(1, 60))
        out.append(entry)
    return out


@st.composite
def scenarios(draw):
    types = draw(unit_types())
    data = {
        "version": 1, "name": "random", "seed": draw(st.integers(0, 2**31)),
        "clock": {"start": "2024-11-27 06:00", "duration": "4h", "drain": "4h"},
        "map": {"places": PLACES, "districts": {"kota": {"lat": -8.18, "lon": 113.69, "radius_km": 3}},
                "sites": {"generate": [{"district": "kota", "count": draw(st.integers(2, 8)),
                                        "risk": {"aman": 0.5, "rawan": 0.3, "sangat_rawan": 0.2}}]}},
        "forces": {"types": types, "units": draw(units(types))},
        "incidents": draw(incidents()),
        "dispatch": {"tiers": draw(st.sampled_from(["escalation", "open"])), "preempt": draw(st.booleans()),
                     "pull_guards": draw(st.booleans()),
                     "reserve": draw(st.dictionaries(st.sampled_from(CAPS), st.integers(0, 6), max_size=2))},
        "guard": {"tps": {"rawan": {"police": 2, "per_tps": 2}, "sangat_rawan": {"police": 2, "per_tps": 1}}},
    }
    return data


def assert_same_replication(a, b) -> None:
    """Two results of one replication are the same, float for float: records, events, timeline,
    crew-minutes and end (two schedules or code paths that must not change a result)."""
    assert a.incidents == b.incidents
    assert a.events == b.events
    assert a.timeline == b.timeline
    assert a.busy_crew_minutes == b.busy_crew_minutes
    assert a.drain_busy_crew_minutes == b.drain_busy_crew_minutes
    assert a.end == b.end


def load(data):
    try:
        return scenario_from_dict(data)
    except ScenarioError:
        assume(False)


ORDER = ("call", "first_dispatch", "first_arrival", "full_strength", "resolved")


def check_times(result) -> None:
    for rec in result.incidents:
        times = [getattr(rec, name) for name in ORDER]
        present = [t for t in times if t is not None]
        assert present == sorted(present), rec
        # each later step implies the earlier ones
        for k in range(2, len(times)):
            if times[k] is not None:
                assert all(t is not None for t in times[1:k]), rec
        assert rec.resolved is None or rec.resolved <= result.end + 1e-9
        assert 1 <= rec.max_level <= 3
        assert abs(sum(rec.level_minutes) - ((rec.resolved or result.end) - rec.call)) < 1e-6
        assert -1e-9 <= rec.short_minutes <= (rec.resolved or result.end) - rec.call + 1e-6, rec
        assert rec.full_strength is None or rec.full_strength >= rec.first_arrival, rec


def check_coverage(result) -> None:
    """Replay the ``full_strength`` / ``short`` events: they alternate, starting short at the
    call; short_minutes is the time not covered up to resolution (or the end), and
    full_strength the start of the last covered stretch (None when short at the end)."""
    for rec in result.incidents:
        stretch_start, covered, short = rec.call, False, 0.0
        for event in result.events:
            if event.incident != rec.id or event.action not in ("full_strength", "short"):
                continue
            assert covered == (event.action == "short"), (rec, event)
            if event.action == "full_strength":
                short += event.time - stretch_start
            stretch_start, covered = event.time, not covered
        if not covered:
            short += (rec.resolved if rec.resolved is not None else result.end) - stretch_start
        assert rec.short_minutes == pytest.approx(short, abs=1e-6), rec
        assert rec.full_strength == (stretch_start if covered else None), rec
        if rec.resolved is not None:
            assert covered, rec   # work ends covered; a crowd goes home only while controlled


def check_units_exclusive(result, unit_ids: set[str]) -> None:
    """Replay the event log: a unit is dispatched only when free, released only from its incident."""
    current: dict[str, str | None] = defaultdict(lambda: None)
    last_time = 0.0
    for event in result.events:
        assert event.time >= last_time - 1e-12, "events are in time order"
        last_time = event.time
        if not event.unit:
            continue
        assert event.unit in unit_ids
        if event.action == "dispatch":
            assert current[event.unit] is None, f"{event.unit} sent to {event.incident} while on {current[event.unit]}"
            current[event.unit] = event.incident
        elif event.action in ("release", "preempt"):
            assert current[event.unit] == event.incident, event
            current[event.unit] = None
        elif event.action == "arrive":
            assert current[event.unit] == event.incident, event
        elif event.action == "base":
            assert current[event.unit] is None, event
    for rec in result.incidents:
        assert set(rec.units) <= unit_ids


def check_personnel(result, scenario) -> None:
    types = scenario.spec.forces.types
    force: dict[str, int] = defaultdict(int)
    for unit in scenario.units:
        force[unit.type] += types[unit.type].crew
    for point in result.timeline:
        if point.unit_type == "tps_guard":
            continue
        assert 0 <= point.on_scene <= point.committed <= force[point.unit_type], point
        assert point.committed + point.free == force[point.unit_type], point
    for name, busy in result.busy_crew_minutes.items():
        assert -1e-9 <= busy <= result.available_crew_minutes[name] + 1e-6
    assert result.duration == scenario.spec.clock.duration <= result.end


def check_busy(result, scenario, crew: dict[str, int]) -> None:
    """Busy crew-minutes from the event log (a unit is busy from a dispatch while free to its
    release, or to the end of the run), split at ``duration``, by unit type."""
    type_of = {u.id: u.type for u in scenario.units}
    duration, end = result.duration, result.end
    window: dict[str, float] = defaultdict(float)
    drain: dict[str, float] = defaultdict(float)
    since: dict[str, float] = {}
    taken: set[str] = set()   # preempted, about to be dispatched again (busy without a break)

    def add(unit: str, start: float, stop: float) -> None:
        t = type_of.get(unit, "tps_guard")
        window[t] += crew[unit] * max(0.0, min(stop, duration) - start)
        drain[t] += crew[unit] * max(0.0, stop - max(start, duration))

    for event in result.events:
        if event.action == "dispatch" and event.unit not in taken:
            since[event.unit] = event.time
        elif event.action == "preempt":
            taken.add(event.unit)
        elif event.action == "dispatch":
            taken.discard(event.unit)
        elif event.action == "release":
            add(event.unit, since.pop(event.unit), event.time)
    for unit, start in since.items():
        add(unit, start, end)
    for name in result.available_crew_minutes:
        assert result.busy_crew_minutes[name] == pytest.approx(window[name], abs=1e-6), name
        assert result.drain_busy_crew_minutes[name] == pytest.approx(drain[name], abs=1e-6), name


@SETTINGS
@given(scenarios())
def test_invariants_hold_for_random_scenarios(data):
    scenario = load(data)
    ids = {u.id for u in scenario.units}
    from sispam_sim.scenario.sites import guard_groups

    crew = {u.id: scenario.spec.forces.types[u.type].crew for u in scenario.units}
    if scenario.spec.dispatch.pull_guards:
        groups = guard_groups(scenario.sites, scenario.spec.guard)
        ids |= {gid for gid, _, _ in groups}
        crew.update({gid: police for gid, police, _ in groups})
    for replication in (0, 1):
        result = run_replication(scenario, replication)
        check_times(result)
        check_coverage(result)
        check_units_exclusive(result, ids)
        check_personnel(result, scenario)
        check_busy(result, scenario, crew)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(scenarios())
def test_same_seed_same_records(data):
    scenario = load(data)
    a, b = run_replication(scenario, 3), run_replication(scenario, 3)
    assert a.incidents == b.incidents
    assert a.events == b.events
    assert a.timeline == b.timeline
    assert a.busy_crew_minutes == b.busy_crew_minutes and a.end == b.end


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(scenarios(), st.data())
def test_two_plans_on_one_seed_see_the_same_incidents(data, more):
    plan_a = load(data)
    other = dict(data)
    other["forces"] = {"types": data["forces"]["types"], "units": more.draw(units(data["forces"]["types"]))}
    other["dispatch"] = {**data["dispatch"], "preempt": not data["dispatch"]["preempt"]}
    plan_b = load(other)
    calls_a = generate_calls(plan_a, 2, make_travel(plan_a))
    calls_b = generate_calls(plan_b, 2, make_travel(plan_b))
    assert calls_a == calls_b
    ra, rb = run_replication(plan_a, 2), run_replication(plan_b, 2)
    key = [(r.id, r.kind, r.entry, r.call, r.place, r.lat, r.lon, r.priority) for r in ra.incidents]
    assert key == [(r.id, r.kind, r.entry, r.call, r.place, r.lat, r.lon, r.priority) for r in rb.incidents]
