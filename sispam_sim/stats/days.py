"""Which simulated day stands for the run: the typical day and the worst day (for ``drill``).

Which day:

* ``--replication K``: day K as users count (replication K − 1 in the files);
* ``--worst``: the day with the highest p90 response time (a day with a call never reached
  ranks above every other), ties to the earliest day;
* ``--typical``: the day closest to the median day on the headline statistics: for each of the
  day's mean and p90 response time and mean resolution time, the distance to the median over
  days in units of the median absolute deviation (1 when it is 0); the day with the smallest sum
  (ties to the earliest). A day with a call never reached counts as infinitely far.

The statistics are taken on the times as ``incidents.csv`` holds them (minutes to 3 decimals,
:data:`DECIMALS`), so a run's folder read back (:class:`DayTally`: ``replay.html``, ``report``)
picks the same days as ``drill`` does from the replications themselves: one rule, one answer.
"""

from __future__ import annotations

import math
from array import array
from typing import Sequence

import numpy as np

from sispam_sim.scenario.metrics import INCIDENT_METRICS
from sispam_sim.stats.intervals import PERCENTILE_METHOD
from sispam_sim.stats.summary import DaySummary

__all__ = ["DECIMALS", "DayTally", "chosen_days", "day_statistics", "statistics_of", "typical_day", "worst_day"]

#: The columns of a :class:`DaySummary` the day statistics read (both apply to every kind).
_COLUMNS = (INCIDENT_METRICS.index("response_time"), INCIDENT_METRICS.index("resolution_time"))


#: Decimals of the minutes in ``incidents.csv`` (:func:`sispam_sim.runner.output.format_cell`): the day
#: statistics round to them, so a day ranks the same from a replication and from its rows in the folder.
DECIMALS = 3


def statistics_of(response: Sequence[float | None], resolution: Sequence[float | None]) -> tuple[float, float, float]:
    """(mean response, p90 response, mean resolution) of one day's incidents, from their response and
    resolution times (``None``: never reached or resolved, which counts as ``inf``), each rounded to
    :data:`DECIMALS` first as incidents.csv writes it (Python's ``round``: correctly rounded, as the file's
    text is)."""
    if not len(response):
        return 0.0, 0.0, 0.0
    rt, res = (np.array([math.inf if v is None else round(float(v), DECIMALS) for v in values], dtype=float)
               for values in (response, resolution))
    return (float(np.mean(rt)), float(np.percentile(rt, 90, method=PERCENTILE_METHOD)), float(np.mean(res)))


def day_statistics(day: DaySummary) -> tuple[float, float, float]:
    """(mean response, p90 response, mean resolution) of one day (its map-step summary); ``inf``
    where a call was never reached or resolved (such a day is no typical day)."""
    if not day.kind.size:
        return 0.0, 0.0, 0.0
    rt, res = ([None if censored else value for value, censored in zip(day.values[:, j].tolist(),
                                                                         day.censored[:, j].tolist())]
               for j in _COLUMNS)
    return statistics_of(rt, res)


class DayTally:
    """The day statistics of a run's ``incidents.csv``, read one row at a time: ``add`` each incident's
    day (replication index) and times (``None``: never), then :meth:`statistics`, one per day in index
    order (a day without incidents has ``(0, 0, 0)``, as :func:`day_statistics` gives it)."""

    def __init__(self, days: int):
        self.days = days
        self._response: dict[int, array] = {}
        self._resolution: dict[int, array] = {}

    def add(self, day: int, response: float | None, resolution: float | None) -> None:
        for table, value in ((self._response, response), (self._resolution, resolution)):
            table.setdefault(day, array("d")).append(math.nan if value is None else value)

    def statistics(self) -> list[tuple[float, float, float]]:
        def values(table: dict[int, array], day: int) -> list[float | None]:
            return [None if v != v else v for v in table.get(day, ())]

        return [statistics_of(values(self._response, d), values(self._resolution, d)) for d in range(self.days)]


def chosen_days(stats: Sequence[tuple[float, float, float]]) -> tuple[int, int]:
    """(typical day, worst day) of the days' statistics, by the module's rule (indices from 0)."""
    return typical_day(stats), worst_day(stats)


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
