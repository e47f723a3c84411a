"""Compare plans with a baseline: every plan run on the same replications, then paired differences.

    from sispam_sim.scenario.loader import load_scenario
    from sispam_sim.runner.compare import compare_plans

    base, plan = (load_scenario(f) for f in ("scenarios/jember-pilkada-2024.yaml",
                                             "scenarios/plans/jember-central-reserve.yaml"))
    comparison = compare_plans([base, plan], replications=20)
    comparison.document["plans"][0]["differences"]["response_time"]["p90"]

Each plan runs the baseline's number of replications (or ``replications``), the same indices,
through ``run_plan`` (default: :func:`~sispam_sim.runner.pipeline.simulate`, serially; pass one to
run on an executor or to show progress). Plans that share the baseline's clock, seed, map and
incidents are paired (common random numbers, :func:`~sispam_sim.stats.compare.pairing`);
:func:`sispam_sim.stats.compare.compare` computes the differences. The document is what
``comparison.json`` holds; :mod:`sispam_sim.report.compare` renders it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Sequence

from sispam_sim.runner.pipeline import RunOutput, simulate
from sispam_sim.scenario.loader import LoadedScenario
from sispam_sim.stats.compare import Plan, compare, pairing

__all__ = ["ComparisonRun", "RunPlan", "compare_plans"]

#: Runs one plan: ``(scenario, replications) -> RunOutput``.
RunPlan = Callable[[LoadedScenario, int], RunOutput]


@dataclass
class ComparisonRun:
    """What :func:`compare_plans` returns: the plans (the baseline first), their runs, and the
    comparison document (with the baseline run's manifest and every plan's seed)."""

    scenarios: list[LoadedScenario]
    runs: list[RunOutput]
    document: dict

    def responses(self) -> list[dict]:
        """Every plan's response times pooled over its days, ``{"values", "n"}`` (``n`` counts the
        incidents never reached too): what the overlaid CDFs of ``comparison.html`` are drawn from."""
        out = []
        for run in self.runs:
            values, censored = run.days.pooled("response_time")
            out.append({"values": values.tolist(), "n": len(values) + censored})
        return out


def compare_plans(scenarios: Sequence[LoadedScenario], replications: int | None = None, *,
                  run_plan: RunPlan | None = None, planned: Sequence[tuple] = ()) -> ComparisonRun:
    """Run the baseline ``scenarios[0]`` and every plan after it on the same ``replications``
    (default: the baseline's), and compare each plan with the baseline.

    ``run_plan(scenario, replications)`` runs one of them, in order (default: serially, here);
    ``lambda s, n: simulate(s, n, executor=pool)`` runs them on an executor. ``planned``: the
    ``(kind, metric, stat)`` rows tested as headline rows besides the usual ones (``--fail-if-worse``).
    """
    if len(scenarios) < 2:
        raise ValueError("give a baseline and at least one plan to compare with it")
    count = scenarios[0].spec.replications if replications is None else replications
    run_plan = run_plan or (lambda scenario, n: simulate(scenario, n))
    runs = [run_plan(scenario, count) for scenario in scenarios]
    base, *plans = (Plan(s.spec.name, s.file, s, r.summary, r.days, pairing(scenarios[0], s),
                         getattr(s.spec, "name_id", None))
                    for s, r in zip(scenarios, runs))
    document = compare(base, plans, planned)
    document["manifest"] = {**runs[0].document["manifest"], "seeds": [s.spec.seed for s in scenarios]}
    return ComparisonRun(list(scenarios), runs, document)
