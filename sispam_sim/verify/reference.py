"""Run the reference cases (``cases/*.yaml``) and judge each against theory (:mod:`.theory`).

Each case is an ordinary scenario file shipped with the package. The theoretical value is
computed from the loaded scenario (units, rates, work, places, speeds), never from the
engine's records; the simulated value is the mean over replications of the per-replication
statistic, with its 95% Student-t interval (replications taken as independent).

The rule, for every case:

* PASS when the theoretical value lies inside the 95% interval, **and** the interval is
  narrow enough to mean something: its half-width is at most ``max_rel_half`` of the
  theoretical value (a case says how much; an interval wider than that would pass
  almost anything).
* Deterministic cases (one call, nothing random) have an interval of zero width: the
  simulated value must equal the arithmetic to within 1e-6 minutes.

Work is split into (case, replication) tasks, run on an executor of :mod:`sispam_sim.runner.executors`
(serially, or a pool of ``jobs`` worker processes), the slowest first.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from sispam_sim.verify import theory

CASES_DIR = Path(__file__).resolve().parent / "cases"
EXACT_TOLERANCE = 1e-6   # minutes


@dataclass(frozen=True)
class Case:
    id: str
    file: str                  # in cases/
    kind: str                  # mmc | priority | travel | tps | crowd
    replications: int
    quick_replications: int
    duration: str = ""         # clock.duration override ("" keeps the file's)
    quick_duration: str = ""
    max_rel_half: float = 0.0  # 0: an exact case
    quick_max_rel_half: float = 0.0   # --quick: fewer replications, a wider interval allowed
    quick_file: str = ""       # a smaller case for --quick


CASES = (
    Case("mmc-1", "mmc-1-050.yaml", "mmc", 24, 12, "7d", "3d", 0.15, 0.35),
    Case("mmc-3", "mmc-3-070.yaml", "mmc", 24, 12, "7d", "3d", 0.15, 0.35),
    Case("mmc-5", "mmc-5-080.yaml", "mmc", 24, 12, "7d", "3d", 0.20, 0.35),
    # c = 850 at load 0.95: the wait is short (~0.02 min) and very variable from day to day;
    # --quick checks c = 200 at load 0.90 instead, and allows a half-width of 60% (it still tells
    # a wait 2.5 times too long or too short)
    Case("mmc-large", "mmc-850-095.yaml", "mmc", 12, 10, "1d", "1d", 0.35, 0.6, quick_file="mmc-200-090.yaml"),
    Case("priority", "priority-3-080.yaml", "priority", 24, 12, "7d", "3d", 0.25, 0.4),
    Case("travel", "travel.yaml", "travel", 1, 1),
    Case("tps", "tps-downtime.yaml", "tps", 1, 1),
    Case("crowd", "crowd-escalation.yaml", "crowd", 1, 1),
)


#: What each kind of case is checked against (i18n keys; the formulas are in :mod:`.theory`).
METHODS = {
    "mmc": "verify_erlang_c",            # M/M/c wait in queue, FCFS
    "priority": "verify_cobham",         # non-preemptive priority M/M/c, per class
    "travel": "verify_by_hand",          # mobilise + haversine km x road factor / speed
    "tps": "verify_by_hand",             # the same, plus the work on scene
    "crowd": "verify_by_hand",           # the crowd's growth against the crew on scene
}


@dataclass(frozen=True)
class Row:
    """One judged line: a case's statistic against its theoretical value (minutes)."""

    case: str
    file: str
    label: str                 # i18n key of what is measured
    detail: str                # e.g. "c=850, load 0.95" or "priority 2"
    theory: float
    value: float
    low: float
    high: float
    replications: int
    max_rel_half: float
    method: str = ""           # i18n key of the theory it is checked against (METHODS)

    @property
    def inside(self) -> bool:
        if self.max_rel_half == 0:
            return abs(self.value - self.theory) <= EXACT_TOLERANCE
        return self.low <= self.theory <= self.high

    @property
    def narrow(self) -> bool:
        return self.max_rel_half == 0 or (self.high - self.low) / 2 <= self.max_rel_half * self.theory

    @property
    def passed(self) -> bool:
        return self.inside and self.narrow

    def as_dict(self) -> dict:
        return {"case": self.case, "file": self.file, "measure": self.label, "detail": self.detail,
                "method": self.method, "theory": self.theory, "value": self.value, "low": self.low, "high": self.high,
                "replications": self.replications, "max_rel_half": self.max_rel_half,
                "inside": self.inside, "narrow": self.narrow, "result": "pass" if self.passed else "fail"}


def _file(case: Case, quick: bool) -> str:
    return case.quick_file if quick and case.quick_file else case.file


def _duration(case: Case, quick: bool) -> str:
    return case.quick_duration if quick else case.duration


@lru_cache(maxsize=None)
def load(file: str, duration: str):
    from sispam_sim.scenario.loader import load_scenario

    overrides = [f"clock.duration={duration}"] if duration else []
    return load_scenario(CASES_DIR / file, with_warnings=False, overrides=overrides)


def _statistics(case_kind: str, file: str, duration: str, replication: int) -> list[float]:
    """The per-replication statistic(s) of a case: one task, run in any process."""
    from sispam_sim.runner.replications import run_one

    scenario = load(file, duration)
    records = run_one(scenario, replication, record_timeline=False, record_events=False).incidents
    if case_kind == "mmc":
        return [float(np.mean([r.dispatch_delay for r in records]))]
    if case_kind == "priority":
        return [float(np.mean([r.dispatch_delay for r in records if r.priority == k])) for k in (1, 2)]
    (rec,) = records
    if case_kind == "travel":
        return [rec.response_time]
    if case_kind == "tps":
        return [rec.tps_downtime]
    # crowd: minutes from the call to kuning (time at hijau before the first escalation)
    return [rec.level_minutes[0] if rec.max_level >= 2 else math.inf]


def _theory(case: Case, file: str, duration: str) -> list[tuple[str, str, float]]:
    """(label, detail, theoretical value) per statistic, from the loaded scenario only."""
    from sispam_sim.scenario.offered_load import mean_rate

    scenario = load(file, duration)
    spec = scenario.spec
    if case.kind in ("mmc", "priority"):
        c = len(scenario.units)
        mu = 1.0 / spec.incidents[0].work.mean
        rates = [mean_rate(entry, spec.clock) for entry in spec.incidents]
        load_ = sum(rates) / (c * mu)
        if case.kind == "mmc":
            return [("verify_wait", f"c={c}, load {load_:.2f}", theory.mmc_wait(c, rates[0], mu))]
        return [("verify_wait", f"c={c}, load {load_:.2f}, priority {k + 1}", w)
                for k, w in enumerate(theory.cobham_waits(c, rates, mu))]
    entry = spec.incidents[0]
    if case.kind == "crowd":
        on_scene = sum(spec.forces.types[u.type].crew for u in scenario.units)
        crowd, esc = entry.crowd, entry.escalation
        t = theory.crowd_escalation_minute(crowd.initial, crowd.growth, crowd.peak, entry.per_officer, on_scene,
                                           esc.below, esc.after)
        return [("verify_kuning", f"{on_scene} on scene", t)]
    (unit,) = scenario.units
    kind = spec.forces.types[unit.type]
    base = spec.map.places[unit.base]
    dest = scenario.sites[0] if case.kind == "tps" else spec.map.places[entry.where.place]
    km = theory.haversine_km(base.lat, base.lon, dest.lat, dest.lon)
    response = kind.mobilise.mean + theory.drive_minutes(km, spec.map.travel.road_factor, kind.speed_kmh)
    if case.kind == "travel":
        return [("verify_response", f"{km:.3f} km", response)]
    return [("verify_downtime", f"{km:.3f} km", response + entry.work.mean)]


@dataclass(frozen=True)
class _Tasks:
    """The (case kind, file, duration, replication) tasks of a verification, as an executor's job:
    ``run(indices)`` gives the statistics of those tasks."""

    tasks: tuple[tuple[str, str, str, int], ...]

    def run(self, indices) -> list[list[float]]:
        return [_statistics(*self.tasks[i]) for i in indices]


def interval(values: list[float], level: float = 0.95) -> tuple[float, float, float]:
    """Mean and Student-t interval of replication means (zero width for one value)."""
    from sispam_sim.stats.tdist import t_ppf

    x = np.asarray(values, dtype=float)
    mean = float(x.mean())
    if len(x) < 2:
        return mean, mean, mean
    half = float(t_ppf(0.5 + level / 2, len(x) - 1) * x.std(ddof=1) / math.sqrt(len(x)))
    return mean, mean - half, mean + half


def verify(quick: bool = False, jobs: int | None = 1, cases=None) -> list[Row]:
    """Run every case (``quick``: fewer, shorter replications) and judge it; one row per statistic.

    ``jobs`` worker processes share the tasks (``None``: the usable cores; 1: here, one after another).
    """
    from sispam_sim.runner.executors import make_executor, usable_cores

    cases = CASES if cases is None else cases
    tasks, spans = [], []
    for case in cases:
        n = case.quick_replications if quick else case.replications
        start = len(tasks)
        tasks += [(case.kind, _file(case, quick), _duration(case, quick), k) for k in range(n)]
        spans.append((start, len(tasks)))
    # the slowest tasks first, so that no worker is left with a long one at the end
    order = sorted(range(len(tasks)), key=lambda i: tasks[i][0] != "mmc" or tasks[i][1] != _file(CASES[3], quick))
    with make_executor(usable_cores() if jobs is None else jobs, None, len(tasks), 0.0) as executor:
        done = dict(zip(order, executor.run(_Tasks(tuple(tasks)), order)))
    results = [done[i] for i in range(len(tasks))]
    rows = []
    for case, (start, end) in zip(cases, spans):
        file, duration = _file(case, quick), _duration(case, quick)
        for j, (label, detail, expected) in enumerate(_theory(case, file, duration)):
            mean, low, high = interval([r[j] for r in results[start:end]])
            rows.append(Row(case.id, file, label, detail, expected, mean, low, high, end - start,
                            case.quick_max_rel_half if quick else case.max_rel_half, METHODS[case.kind]))
    return rows
