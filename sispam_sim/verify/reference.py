"""Run the reference cases (``cases/*.yaml``) and judge each against theory (:mod:`.theory`).

Each case is an ordinary scenario file shipped with the package. The theoretical value is
computed from the loaded scenario (units, rates, work, places, speeds), never from the
engine's records; the simulated value is per call, pooled over replications (total wait over
calls counted, or calls that waited longer than t over calls counted), with an interval over
replications (replications taken as independent, calls within one are not).

The rule, for every check:

* A **stochastic check** (a queue's wait, or the share of calls that wait) passes when the theory lies
  inside the check's interval, **and** the interval is narrow enough to mean something: its
  half-width is at most ``max_rel_half`` of the theory (a case says how much; an interval wider
  than that would pass almost anything).
* **Suite-wide false-fail rate** (Bonferroni): with m stochastic checks, each interval is at level
  1 - :data:`SUITE_FALSE_FAIL` / m, so a correct engine whose random numbers are drawn afresh
  fails any of them with probability at most :data:`SUITE_FALSE_FAIL` (5%).
* The interval is that of :func:`sispam_sim.stats.intervals.ratio_ci`, the one every summary
  uses for a mean per incident: the ratio of sums over replications, with a studentised bootstrap
  over replications (never narrower than Student's t on either side). The replications are
  skewed (a few congested weeks); a symmetric t interval then misses on the high side far more
  often than its level says (measured: 200 --quick runs failed 21 times with a log-scale t
  interval, against the 10 that 5% allows), the bootstrap leans as they do.
* **Warm-up**: a replication starts with every unit free, which is not the steady state that
  Erlang C and Cobham describe; the calls that arrive in a case's first ``warmup`` minutes are
  not counted (the run still simulates them).
* **Deterministic cases** (one call, nothing random) have an interval of zero width: the
  simulated value must equal the arithmetic to within 1e-6 minutes. They are not among the m.

``seed``: every case is loaded with a seed derived from it and the case's id (independent
cases, a new draw of every random number); without it each file's own seed is used.

Work is split into tasks of one or more replications of one case, run on an executor of
:mod:`sispam_sim.runner.executors` (serially, or a pool of ``jobs`` worker processes), the
slowest first.
"""

from __future__ import annotations

import math
import zlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from sispam_sim.verify import theory

CASES_DIR = Path(__file__).resolve().parent / "cases"
EXACT_TOLERANCE = 1e-6   # minutes
#: The chance that a correct engine fails some random check of the suite, at most (Bonferroni).
SUITE_FALSE_FAIL = 0.05
#: About this many calls per task: a task of a small case runs several replications, so that
#: the long replications of the large case do not share a chunk (and a worker) with them.
TASK_CALLS = 50_000


@dataclass(frozen=True)
class Plan:
    """How a case runs (by default, or with ``--quick``)."""

    file: str                  # in cases/
    replications: int
    duration: str = ""         # clock.duration override ("" keeps the file's)
    warmup: float = 0.0        # minutes: calls that arrive earlier are not counted
    max_rel_half: float = 0.0  # the mean wait's interval: half-width at most this share of theory (0: exact)
    # (each limit: above the widest interval a correct engine gave in 4,000 resamples of 3,000
    # simulated weeks or 200 simulated days, so that the width rule almost never fails it)
    tail_max_rel_half: float = 0.0   # the same, for the share of calls that waited longer than t


@dataclass(frozen=True)
class Case:
    id: str
    kind: str                  # mmc | priority | travel | tps | crowd
    full: Plan
    quick: Plan
    mean: bool = True          # check the mean wait (mmc, priority per class)
    #: minutes t: also check the share of calls that waited longer than t against
    #: P(W > t) = C(c, a) exp(-(c mu - lambda) t) (FCFS; t = 0 is the share that waits, C itself)
    tails: tuple[float, ...] = ()

    def plan(self, quick: bool) -> Plan:
        return self.quick if quick else self.full

    @property
    def file(self) -> str:
        return self.full.file


DAY, WEEK, HOUR = "1d", "7d", 60.0
CASES = (
    # 7-day replications; the first 12 h are a warm-up (relaxation takes 2-3 h at load 0.8)
    Case("mmc-1", "mmc", Plan("mmc-1-050.yaml", 100, WEEK, 12 * HOUR, 0.2),
         Plan("mmc-1-050.yaml", 40, WEEK, 12 * HOUR, 0.4)),
    # the tail of the wait at 15 min (theory ~13%) tells the queue's order: the mean cannot
    Case("mmc-3", "mmc", Plan("mmc-3-070.yaml", 100, WEEK, 12 * HOUR, 0.2, 0.2),
         Plan("mmc-3-070.yaml", 40, WEEK, 12 * HOUR, 0.4, 0.4), tails=(15.0,)),
    Case("mmc-5", "mmc", Plan("mmc-5-080.yaml", 100, WEEK, 12 * HOUR, 0.2, 0.2),
         Plan("mmc-5-080.yaml", 40, WEEK, 12 * HOUR, 0.4, 0.4), tails=(15.0,)),
    # c = 850 at load 0.95: one-day replications after a 2 h warm-up (12 mean work times). The share
    # of calls that wait is checked (Erlang C's C itself): the day's mean wait is ruled by rare bursts
    # (day-to-day CV 65%, skewness 2), and no interval of it within a minute has its stated level.
    # --quick checks c = 200 at load 0.90 instead, on fewer days: a smoke check (its interval may be
    # wide; it still fails a share 2.5 times too high or too low).
    Case("mmc-large", "mmc", Plan("mmc-850-095.yaml", 24, DAY, 2 * HOUR, tail_max_rel_half=0.6),
         Plan("mmc-200-090.yaml", 16, DAY, 2 * HOUR, tail_max_rel_half=0.9), mean=False, tails=(0.0,)),
    Case("priority", "priority", Plan("priority-3-080.yaml", 100, WEEK, 12 * HOUR, 0.2),
         Plan("priority-3-080.yaml", 40, WEEK, 12 * HOUR, 0.5)),
    Case("travel", "travel", Plan("travel.yaml", 1), Plan("travel.yaml", 1)),
    Case("tps", "tps", Plan("tps-downtime.yaml", 1), Plan("tps-downtime.yaml", 1)),
    Case("crowd", "crowd", Plan("crowd-escalation.yaml", 1), Plan("crowd-escalation.yaml", 1)),
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
    """One judged line: a case's statistic against its theoretical value (minutes, or a share)."""

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
    level: float = 0.0         # the interval's level (0: an exact case)
    unit: str = "min"          # min | share
    threshold: float | None = None   # a share of calls that waited longer than this (minutes)
    warmup: float = 0.0        # minutes not counted at the start of each replication
    duration: float = 0.0      # minutes of calls per replication
    seed: int | None = None

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

    @property
    def stochastic(self) -> bool:
        return self.max_rel_half > 0

    def as_dict(self) -> dict:
        return {"case": self.case, "file": self.file, "measure": self.label, "detail": self.detail,
                "method": self.method, "unit": self.unit, "threshold": self.threshold,
                "theory": self.theory, "value": self.value, "low": self.low, "high": self.high,
                "level": self.level if self.stochastic else None,
                "replications": self.replications, "duration_minutes": self.duration,
                "warmup_minutes": self.warmup, "seed": self.seed, "max_rel_half": self.max_rel_half,
                "inside": self.inside, "narrow": self.narrow, "result": "pass" if self.passed else "fail"}


def per_check_level(stochastic_checks: int) -> float:
    """Bonferroni: the level of each of ``stochastic_checks`` intervals for a suite-wide
    :data:`SUITE_FALSE_FAIL`."""
    return 1 - SUITE_FALSE_FAIL / max(1, stochastic_checks)


def rule(rows) -> dict:
    """The suite-wide rule the rows were judged by (for the JSON document and the table)."""
    m = sum(row.stochastic for row in rows)
    return {"method": "bonferroni", "suite_false_fail": SUITE_FALSE_FAIL, "stochastic_checks": m,
            "per_check_level": per_check_level(m), "interval": "studentised bootstrap of the ratio over replications"}


def case_seed(seed: int, case_id: str) -> int:
    """The seed of case ``case_id`` under ``verify --seed seed``: independent of every other case's."""
    from sispam_sim.scenario.limits import MAX_SEED

    state = np.random.SeedSequence([seed, zlib.crc32(case_id.encode())]).generate_state(1, np.uint64)[0]
    return int(state) & MAX_SEED


@lru_cache(maxsize=64)
def load(file: str, duration: str, seed: int | None = None):
    from sispam_sim.scenario.loader import load_scenario

    overrides = [f"clock.duration={duration}"] if duration else []
    return load_scenario(CASES_DIR / file, with_warnings=False, seed=seed, overrides=overrides)


def _statistics(case_kind: str, file: str, duration: str, seed: int | None, warmup: float, mean: bool,
                tails: tuple[float, ...], replication: int) -> list[tuple[float, float]]:
    """The per-replication statistic(s) of a case, in the order of :func:`_theory`: each a
    (numerator, denominator) pair whose ratio, pooled over replications, is the value checked."""
    from sispam_sim.runner.replications import run_one

    scenario = load(file, duration, seed)
    records = run_one(scenario, replication, record_timeline=False, record_events=False).incidents
    if case_kind in ("mmc", "priority"):
        counted = [r for r in records if r.call >= warmup]
        waits = np.array([math.inf if r.dispatch_delay is None else r.dispatch_delay for r in counted])
        if case_kind == "priority":
            priority = np.array([r.priority for r in counted])
            return [(float(waits[priority == k].sum()), float((priority == k).sum())) for k in (1, 2)]
        n = float(len(waits))
        return ([(float(waits.sum()), n)] if mean else []) + [(float((waits > t).sum()), n) for t in tails]
    (rec,) = records
    if case_kind == "travel":
        return [(rec.response_time, 1.0)]
    if case_kind == "tps":
        return [(rec.tps_downtime, 1.0)]
    # crowd: minutes from the call to kuning (time at hijau before the first escalation)
    return [(rec.level_minutes[0] if rec.max_level >= 2 else math.inf, 1.0)]


@dataclass(frozen=True)
class _Check:
    label: str
    detail: str
    theory: float
    max_rel_half: float
    unit: str = "min"
    threshold: float | None = None


def _theory(case: Case, plan: Plan, seed: int | None) -> list[_Check]:
    """What is checked, with its theoretical value, from the loaded scenario only."""
    from sispam_sim.scenario.offered_load import mean_rate

    scenario = load(plan.file, plan.duration, seed)
    spec = scenario.spec
    if case.kind in ("mmc", "priority"):
        c = len(scenario.units)
        mu = 1.0 / spec.incidents[0].work.mean
        rates = [mean_rate(entry, spec.clock) for entry in spec.incidents]
        where = f"c={c}, load {sum(rates) / (c * mu):.2f}"
        if case.kind == "priority":
            return [_Check("verify_wait", f"{where}, priority {k + 1}", w, plan.max_rel_half)
                    for k, w in enumerate(theory.cobham_waits(c, rates, mu))]
        checks = [_Check("verify_wait", where, theory.mmc_wait(c, rates[0], mu), plan.max_rel_half)] if case.mean else []
        return checks + [_Check("verify_waits" if t == 0 else "verify_waits_over", where,
                                theory.mmc_wait_tail(c, rates[0], mu, t), plan.tail_max_rel_half, "share", t)
                         for t in case.tails]
    entry = spec.incidents[0]
    if case.kind == "crowd":
        on_scene = sum(spec.forces.types[u.type].crew for u in scenario.units)
        crowd, esc = entry.crowd, entry.escalation
        t = theory.crowd_escalation_minute(crowd.initial, crowd.growth, crowd.peak, entry.per_officer, on_scene,
                                           esc.below, esc.after)
        return [_Check("verify_kuning", f"{on_scene} on scene", t, 0.0)]
    (unit,) = scenario.units
    kind = spec.forces.types[unit.type]
    base = spec.map.places[unit.base]
    dest = scenario.sites[0] if case.kind == "tps" else spec.map.places[entry.where.place]
    km = theory.haversine_km(base.lat, base.lon, dest.lat, dest.lon)
    response = kind.mobilise.mean + theory.drive_minutes(km, spec.map.travel.road_factor, kind.speed_kmh)
    if case.kind == "travel":
        return [_Check("verify_response", f"{km:.3f} km", response, 0.0)]
    return [_Check("verify_downtime", f"{km:.3f} km", response + entry.work.mean, 0.0)]


@dataclass(frozen=True)
class _Tasks:
    """The tasks of a verification, as an executor's job: task i is (case kind, file, duration,
    seed, warm-up, mean, tails, replication indices); ``run(indices)`` gives, per task, the
    statistics of each of its replications."""

    tasks: tuple[tuple, ...]

    def run(self, indices) -> list[list[list[tuple[float, float]]]]:
        return [[_statistics(*self.tasks[i][:7], k) for k in self.tasks[i][7]] for i in indices]


def interval(pairs: list[tuple[float, float]], level: float = 0.95) -> tuple[float, float, float]:
    """The pooled ratio of ``(numerator, denominator)`` pairs, one per replication, and its interval
    at ``level``: :func:`sispam_sim.stats.intervals.ratio_ci` (a studentised bootstrap over
    replications, never narrower than Student's t); zero width for one replication."""
    from sispam_sim.stats.intervals import ratio_ci

    num = np.array([p[0] for p in pairs], dtype=float)
    den = np.array([p[1] for p in pairs], dtype=float)
    if not np.isfinite(num).all():
        return math.inf, math.inf, math.inf
    value, ci = ratio_ci(num, den, level)
    if value is None:            # no call counted at all
        return math.nan, math.nan, math.nan
    return (value, value, value) if ci is None else (value, ci[0], ci[1])


def verify(quick: bool = False, jobs: int | None = 1, cases=None, seed: int | None = None) -> list[Row]:
    """Run every case (``quick``: fewer replications, c = 200 for the large case) and judge it;
    one row per statistic, each random one at the Bonferroni level of :func:`per_check_level`.

    ``seed``: every case's random numbers drawn afresh (:func:`case_seed`); None: the files' seeds.
    ``jobs`` worker processes share the tasks (``None``: the usable cores; 1: here, one after another).
    """
    from sispam_sim.runner.executors import make_executor, usable_cores
    from sispam_sim.scenario.offered_load import mean_rate

    cases = CASES if cases is None else cases
    seeds = [None if seed is None else case_seed(seed, case.id) for case in cases]
    checks = [_theory(case, case.plan(quick), s) for case, s in zip(cases, seeds)]
    level = per_check_level(sum(check.max_rel_half > 0 for group in checks for check in group))
    tasks, cost, owner = [], [], []
    for i, (case, s) in enumerate(zip(cases, seeds)):
        plan = case.plan(quick)
        spec = load(plan.file, plan.duration, s).spec
        calls = max(1.0, sum(mean_rate(entry, spec.clock) for entry in spec.incidents) * spec.clock.duration)
        batch = max(1, int(TASK_CALLS // calls))
        for start in range(0, plan.replications, batch):
            block = tuple(range(start, min(start + batch, plan.replications)))
            tasks.append((case.kind, plan.file, plan.duration, s, plan.warmup, case.mean, case.tails, block))
            cost.append(calls * len(block))
            owner.append(i)
    # the slowest tasks first, so that no worker is left with a long one at the end
    order = sorted(range(len(tasks)), key=lambda i: -cost[i])
    with make_executor(usable_cores() if jobs is None else jobs, None, len(tasks), 0.0) as executor:
        done = dict(zip(order, executor.run(_Tasks(tuple(tasks)), order)))
    results: list[list[list[tuple[float, float]]]] = [[] for _ in cases]
    for i in range(len(tasks)):
        results[owner[i]] += done[i]
    rows = []
    for case, s, group, values in zip(cases, seeds, checks, results):
        plan = case.plan(quick)
        spec = load(plan.file, plan.duration, s).spec
        for j, check in enumerate(group):
            stochastic = check.max_rel_half > 0
            mean, low, high = interval([v[j] for v in values], level)
            rows.append(Row(case.id, plan.file, check.label, check.detail, check.theory, mean, low, high,
                            len(values), check.max_rel_half, METHODS[case.kind], level if stochastic else 0.0,
                            check.unit, check.threshold, plan.warmup if stochastic else 0.0,
                            spec.clock.duration, spec.seed))
    return rows
