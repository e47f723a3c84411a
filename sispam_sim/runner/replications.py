"""Run many replications of one scenario: a map of :func:`run_replication` over indices.

Each replication is a pure function of (scenario, index), so the order and the place
they run in do not matter; this module runs them one after another. A process pool or a
Dask cluster only has to map the same function over the same indices.
"""

from __future__ import annotations

from typing import Sequence

from sispam_sim.engine.model import run_replication
from sispam_sim.engine.records import ReplicationResult
from sispam_sim.scenario.loader import LoadedScenario

__all__ = ["replication_indices", "run_replications"]


def replication_indices(replications: int | Sequence[int]) -> list[int]:
    """``5`` -> ``[0, 1, 2, 3, 4]``; a sequence of indices is kept as given."""
    if isinstance(replications, int):
        if replications < 0:
            raise ValueError(f"replications must be >= 0, found {replications}")
        return list(range(replications))
    return [int(k) for k in replications]


def run_replications(scenario: LoadedScenario, replications: int | Sequence[int], *,
                     record_timeline: bool = True, record_events: bool = True) -> list[ReplicationResult]:
    """Run replications (a count, or explicit indices) in order.

    To run under another seed, load the scenario with it (``load_scenario(path, seed=...)``):
    generated sites move with the seed, and the loader checks them again.
    """
    return [run_replication(scenario, k, record_timeline=record_timeline, record_events=record_events)
            for k in replication_indices(replications)]
