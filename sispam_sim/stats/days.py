"""Which simulated day stands for the run: the typical day and the worst day (for ``drill``).

Which day:

* ``--replication K``: day K as users count (replication K − 1 in the files);
* ``--worst``: the day with the highest p90 response time (a day with a call never reached
  ranks above every other), ties to the earliest day;
* ``--typical``: the day closest to the median day on the headline statistics: for each of the
  day's mean and p90 response time and mean resolution time, the distance to the median over
  days in units of the median absolute deviation (1 when it is 0); the day with the smallest sum
  (ties to the earliest). A day with a call never reached counts as infinitely far.
"""

from __future__ import annotations

import math
from typing import Sequence

import numpy as np

from sispam_sim.scenario.metrics import INCIDENT_METRICS
from sispam_sim.stats.intervals import PERCENTILE_METHOD
from sispam_sim.stats.summary import DaySummary

__all__ = ["day_statistics", "typical_day", "worst_day"]

#: The columns of a :class:`DaySummary` the day statistics read (both apply to every kind).
_COLUMNS = (INCIDENT_METRICS.index("response_time"), INCIDENT_METRICS.index("resolution_time"))


def day_statistics(day: DaySummary) -> tuple[float, float, float]:
    """(mean response, p90 response, mean resolution) of one day (its map-step summary); ``inf``
    where a call was never reached or resolved (such a day is no typical day)."""
    if not day.kind.size:
        return 0.0, 0.0, 0.0
    rt, res = (np.where(day.censored[:, j], math.inf, day.values[:, j]) for j in _COLUMNS)
    return (float(np.mean(rt)), float(np.percentile(rt, 90, method=PERCENTILE_METHOD)), float(np.mean(res)))


def worst_day(stats: Sequence[tuple[float, float, float]]) -> int:
    """Index of the day with the highest p90 response (ties: the earliest)."""
    return max(range(len(stats)), key=lambda d: (stats[d][1], -d))


def typical_day(stats: Sequence[tuple[float, float, float]]) -> int:
    """Index of the day closest to the median day (see the module's rule)."""
    table = np.array(stats, dtype=float)
    finite = np.isfinite(table).all(axis=1)
    if not finite.any():
        return 0
    median = np.median(table[finite], axis=0)
    mad = np.median(np.abs(table[finite] - median), axis=0)
    scale = np.where(mad > 0, mad, 1.0)
    distance = np.where(finite, (np.abs(table - median) / scale).sum(axis=1), np.inf)
    return int(np.argmin(distance))   # argmin takes the first of equal distances: the earliest day
