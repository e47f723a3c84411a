"""Named random streams: every draw comes from a stream keyed by what it is for.

``stream(seed, replication, entry, purpose)`` gives the same numbers whatever else the
run does, so two plans run on one seed see the same incidents (common random numbers),
and replication k is the same whether it runs alone, in a pool or on a cluster.
"""

from __future__ import annotations

import numpy as np

#: Purposes, fixed integers so that a stream never depends on the order of use.
SITES = 1          # site placement (seed only: not per replication)
ARRIVALS = 2       # incident call times
PLACES = 3         # which site an incident happens at
WORK = 4           # on-scene work durations (and crowd hold times)
MOBILISE = 5       # unit mobilisation times (keyed by the unit id, not by incident entry)
TRIGGERED = 6      # a triggered incident's draws (keyed by its entry and the triggering incident)
NEGOTIATION = 16   # whether a crowd's negotiation succeeds (one uniform per call of the entry)
REQUEST = 17       # an on-request unit's delay before it is ready (format 1.1; keyed by the unit id)
_SCENARIO = 0xC0FFEE  # distinguishes scenario-level streams from replication streams


def stream(seed: int, *keys: int) -> np.random.Generator:
    """A generator for ``keys`` (e.g. replication, entry, purpose) under ``seed``."""
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=tuple(keys))))


def scenario_stream(seed: int, purpose: int, entry: int = 0) -> np.random.Generator:
    """A stream that depends on the seed alone (site placement)."""
    return stream(seed, _SCENARIO, purpose, entry)
