"""95 % intervals that treat replications as independent days.

Incidents of one simulated day are not independent (one slow afternoon delays every
call after it), so an interval computed as if every incident were an independent draw
would be far too narrow. Days *are* independent. Every pooled statistic is therefore a
**ratio of sums over days**, and its interval comes from the spread of those day totals
(the linearisation, or "ratio estimator", interval of survey sampling, with the days as
clusters; Cochran, *Sampling Techniques*, 3rd ed., §6.4 and §11.4):

* a **mean per incident** is ``Σ_d S_d / Σ_d n_d`` (S_d: the day's sum, n_d: its
  incidents); a **share of incidents** (within a limit) is the same with S_d a count;
* its standard error is ``sqrt(Σ_d z_d² / (R (R − 1))) / n̄`` with
  ``z_d = S_d − r · n_d`` and ``n̄ = Σ_d n_d / R``; the interval is ``r ± t(R − 1) · se``;
* a **percentile** ``Q(p)`` takes Woodruff's interval (Woodruff 1952, *JASA* 47): the
  share of incidents at or under ``Q(p)`` gets the ratio interval above, ``p ± t · se``,
  and the interval of the percentile is ``[Q(p − t·se), Q(p + t·se)]``, read off the same
  pooled sample;
* a **share of days** (a day that reached kuning) is a binomial proportion over
  independent days: Wilson's score interval, which stays honest at 0 and R days.

Nothing here is random, so a run is reproducible without a seed for the intervals, and
each interval costs one pass over the data (a bootstrap would cost a thousand).
``tests/theory/test_intervals.py`` checks that the intervals cover a known answer in
92–98 % of independent runs.
"""

from __future__ import annotations

import math

import numpy as np

from sispam_sim.stats.tdist import t_critical

__all__ = ["CONFIDENCE", "PERCENTILE_METHOD", "mean_ci", "ratio_ci", "quantiles", "woodruff_ci", "wilson_ci"]

CONFIDENCE = 0.95
#: numpy's percentile method: the smallest value with at least p % of incidents at or under it,
#: so "p90 <= 15 min" holds exactly when at least 90 % of incidents took 15 min or less.
PERCENTILE_METHOD = "inverted_cdf"


def mean_ci(values, confidence: float = CONFIDENCE) -> tuple[float, list[float] | None]:
    """Mean of per-day ``values`` and its Student-t interval (``None`` with fewer than two days)."""
    arr = np.asarray(values, dtype=float)
    if arr.size == 0:
        raise ValueError("mean_ci needs at least one value")
    mean = float(arr.mean())
    if arr.size < 2:
        return mean, None
    half = t_critical(arr.size - 1, confidence) * float(arr.std(ddof=1)) / math.sqrt(arr.size)
    return mean, [mean - half, mean + half]


def _ratio_se(num: np.ndarray, den: np.ndarray, ratio: float) -> float:
    days = num.size
    z = num - ratio * den
    return math.sqrt(float(np.dot(z, z)) / (days * (days - 1))) / (float(den.sum()) / days)


def ratio_ci(num, den, confidence: float = CONFIDENCE, bounds: tuple[float, float] | None = None
             ) -> tuple[float | None, list[float] | None]:
    """``Σ num / Σ den`` over days and its interval; ``(None, None)`` when ``Σ den`` is 0.

    ``num`` and ``den`` hold one value per day, days with no incident included (their
    zeros count). ``bounds`` clips the interval (``(0, 1)`` for a share).
    """
    num, den = np.asarray(num, dtype=float), np.asarray(den, dtype=float)
    total = float(den.sum())
    if total <= 0:
        return None, None
    ratio = float(num.sum()) / total
    if num.size < 2:
        return ratio, None
    half = t_critical(num.size - 1, confidence) * _ratio_se(num, den, ratio)
    lo, hi = ratio - half, ratio + half
    if bounds is not None:
        lo, hi = max(bounds[0], lo), min(bounds[1], hi)
    return ratio, [lo, hi]


def quantiles(sorted_values: np.ndarray, shares) -> np.ndarray:
    """``PERCENTILE_METHOD`` quantiles of an ascending array at ``shares`` (0..1), clipped to [0, 1].

    The smallest value with at least ``share`` of the sample at or under it: the value at
    rank ``ceil(n · share)`` (1-based), the first for a share of 0. Equal to
    ``numpy.percentile(values, 100 * share, method="inverted_cdf")``.
    """
    return np.percentile(sorted_values, np.clip(np.asarray(shares, dtype=float), 0.0, 1.0) * 100.0,
                         method=PERCENTILE_METHOD)


def woodruff_ci(sorted_values: np.ndarray, day_of: np.ndarray, days: int, share: float, estimate: float,
                confidence: float = CONFIDENCE) -> list[float] | None:
    """Woodruff's interval for the ``share`` quantile ``estimate`` of a pooled sample.

    ``sorted_values`` ascending (censored incidents as ``inf``), ``day_of`` the day index of
    each value in the same order, ``days`` the number of days (some may have no value).
    Returns ``[lo, hi]``; an end that lies among censored incidents is ``inf``.
    """
    if days < 2:
        return None
    at_or_under = int(np.searchsorted(sorted_values, estimate, side="right"))   # ascending: a prefix
    within = np.bincount(day_of[:at_or_under], minlength=days).astype(float)
    per_day = np.bincount(day_of, minlength=days).astype(float)
    ratio = float(within.sum()) / float(per_day.sum())
    half = t_critical(days - 1, confidence) * _ratio_se(within, per_day, ratio)
    lo, hi = quantiles(sorted_values, [share - half, share + half])
    return [float(lo), float(hi)]


def wilson_ci(successes: int, trials: int, confidence: float = CONFIDENCE) -> tuple[float | None, list[float] | None]:
    """A binomial share and Wilson's score interval (``(None, None)`` with no trial)."""
    if trials <= 0:
        return None, None
    from statistics import NormalDist

    z = NormalDist().inv_cdf(0.5 + confidence / 2)
    p = successes / trials
    denom = 1 + z * z / trials
    centre = (p + z * z / (2 * trials)) / denom
    half = z * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials)) / denom
    return p, [max(0.0, centre - half), min(1.0, centre + half)]
