"""Run many replications of one scenario: a map of :func:`run_one` over indices.

Each replication is a pure function of (scenario, index), so the order and the place
they run in do not matter; this module runs them one after another. A process pool or a
Dask cluster only has to map :func:`run_one` over the same indices.

The runner, not the engine, decides about process-wide state: :func:`run_one` pauses the
cyclic garbage collector while a replication runs and restores it after. A replication's
state is freed by reference counting, and full collections triggered by its many small
records would cost more than the simulation; between replications the collector runs as
usual, so a long batch still collects what cycles there are.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Sequence

from sispam_sim.engine.model import run_replication
from sispam_sim.engine.records import ReplicationResult
from sispam_sim.scenario.loader import LoadedScenario

__all__ = ["gc_paused", "replication_indices", "run_one", "run_replications"]


@contextmanager
def gc_paused() -> Iterator[None]:
    """The cyclic garbage collector off inside the block, as it was after (also on error)."""
    enabled = gc.isenabled()
    if enabled:
        gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def replication_indices(replications: int | Sequence[int]) -> list[int]:
    """``5`` -> ``[0, 1, 2, 3, 4]``; a sequence of indices is kept as given."""
    if isinstance(replications, int):
        if replications < 0:
            raise ValueError(f"replications must be >= 0, found {replications}")
        return list(range(replications))
    return [int(k) for k in replications]


def run_one(scenario: LoadedScenario, replication: int, *, record_timeline: bool = True,
            record_events: bool = True) -> ReplicationResult:
    """Replication ``replication``, with the garbage collector paused while it runs."""
    with gc_paused():
        return run_replication(scenario, replication, record_timeline=record_timeline,
                               record_events=record_events)


def run_replications(scenario: LoadedScenario, replications: int | Sequence[int], *,
                     record_timeline: bool = True, record_events: bool = True) -> list[ReplicationResult]:
    """Run replications (a count, or explicit indices) in order.

    To run under another seed, load the scenario with it (``load_scenario(path, seed=...)``):
    generated sites move with the seed, and the loader checks them again.
    """
    return [run_one(scenario, k, record_timeline=record_timeline, record_events=record_events)
            for k in replication_indices(replications)]
