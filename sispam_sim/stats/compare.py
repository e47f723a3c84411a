"""Compare plans with a baseline on the same replications: differences, 95% intervals, verdicts.

docs/model.md ("Comparing plans") says the same for planners. In short:

* **Pairing.** Two plans that share the clock, the seed, the map (places, districts,
  travel, the sites themselves) and the incident entries meet the same calls at the same
  places with the same work on every replication (common random numbers):
  :func:`pairing` says whether they do, and which keys and incident entries differ when not.
* **Day bootstrap.** Days are the independent units (as for every interval of a run). Each of
  ``BOOTSTRAP`` resamples draws R days with replacement, as a weight per day (how often the
  day was drawn); every statistic of the summary is recomputed under those weights. Paired
  plans share the weights (the same days for both), so a day that is slow for both plans
  cancels in the difference; unpaired plans each get their own.
* **Intervals that hold at few days.** The plain 2.5th–97.5th percentiles of the resampled
  differences covered a true gain in only 83 % of runs of 10 congested days: R resampled days
  spread like the days with divisor R (not R − 1), 95 % of the normal is narrower than 95 % of
  Student's t, and skewed days lean. Two intervals are therefore formed and, on each side, the
  wider taken: (a) the resampled differences widened about the observed one by
  :func:`small_sample_factor` (1.22 at 10 days, 1.06 at 40), for every statistic; (b) for means,
  shares and percentiles, a bootstrap-t on the days' linearised influences (a percentile's
  density read off Woodruff's interval), never narrower than Student's t. The p-value is the
  larger of the two, so that with one plan "the interval excludes 0" and ``p < 0.05`` are the
  same thing. ``tests/theory/test_intervals.py`` checks 92–98 % coverage of a paired
  difference at 10 and 40 days; ``tests/theory/test_compare_rates.py`` that plans equal in
  distribution are called better or worse at about 5 % per headline row.
* **Fast.** A pooled percentile under day weights is a weighted percentile of the pooled
  values, sorted once: cumulative weights are computed only at √n block ends (one matrix
  product for all resamples), then inside the one block where the percentile lies. Means
  and shares are ratios of two matrix-vector products. Nothing is re-sorted per resample.
* **Verdicts.** Every compared statistic is better when lower (minutes, downtime, minutes
  short, unresolved incidents, crowd levels). ``better`` / ``worse`` when the difference is
  significant, ``no difference`` otherwise; with several plans, Holm's step-down correction
  over the plans, per statistic (each row of the table is one family). A level row that would read
  ``better`` reads ``not better`` where the plan leaves the crowd unresolved (:func:`_honest_levels`):
  a crowd never dispersed need never escalate. The comparison opens with its ``decision``
  (:mod:`sispam_sim.stats.decision`): guardrails, and the plan to keep. Headline rows
  (:data:`HEADLINE_ROWS`, and what ``--fail-if-worse`` names) are the planned tests; every other
  row is marked ``detail``: tested alone, so of N such rows about N/20 read better or worse by
  chance, and the document says so (``rows``). Below :data:`FEW_DAYS` days it warns.
* **Censored incidents** rank above every finite value, as in the summary. A difference is
  flagged ``censored`` when either plan's value lies among them (or is a mean's lower
  bound); a mean's difference then only gets the verdict its bounds can prove.

Everything is deterministic: the resampling weights come from a fixed seed stream derived
from the baseline's seed.
"""

from __future__ import annotations

import difflib
import math
from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

import numpy as np

from sispam_sim.scenario import kinds
from sispam_sim.scenario.metrics import DAY_METRICS, INCIDENT_METRICS, INCIDENT_STATS, PERCENTILES, applies_to, \
    canonical_metric
from sispam_sim.stats.decision import decide, leaves_unresolved
from sispam_sim.stats.summary import LEVELS

__all__ = ["BOOTSTRAP", "ALPHA", "VERDICTS", "METHOD", "HEADLINE_ROWS", "FEW_DAYS", "Pairing", "Plan", "pairing",
           "compare", "headline_row", "parse_check", "worse_on", "small_sample_factor", "STATS_OF"]

#: Bootstrap resamples. With ALPHA 0.05 the interval ends are order statistics 50 and 1,951.
BOOTSTRAP = 2000
ALPHA = 0.05
#: "not better": a level row that would read better in a block the plan leaves unresolved (see _honest_levels).
VERDICTS = ("better", "worse", "no difference", "not better")
#: Seed stream of the resampling weights (mixed with the baseline's seed): "comp".
_STREAM = 0x636F6D70
#: Day metrics compared, with their statistics as results.json names them.
DAY_STATS = ("per_day", "worst_day")
#: Metric -> the statistics compared for it.
STATS_OF: dict[str, tuple[str, ...]] = {
    **{m: INCIDENT_STATS for m in INCIDENT_METRICS},
    **{m: DAY_STATS for m in DAY_METRICS},
    "levels": tuple(str(level) for level in LEVELS),
}
#: The rows of each block (all incidents, then each kind) that a briefing asks of a plan: shown by
#: default, and each a planned test at 5 % (with Holm over the plans). Every other row is
#: "detail": shown with ``--detail``, each tested alone, so among many some read better or worse
#: by chance. A statistic named by ``--fail-if-worse`` is planned too.
HEADLINE_ROWS = (
    ("response_time", "mean"), ("response_time", "p90"), ("full_strength_time", "p90"),
    ("resolution_time", "mean"), ("tps_downtime", "p95"), ("short_minutes", "mean"),
    ("unresolved", "per_day"), ("levels", "2"), ("levels", "3"),
)
#: Below this many days a comparison warns on every output: its intervals rest on few days, and a
#: rare bad day is often among none of them.
FEW_DAYS = 20
#: Target-style names accepted for day statistics (``unresolved.mean`` is ``unresolved.per_day``).
_DAY_ALIASES = {"mean": "per_day", "max": "worst_day"}

METHOD = {
    "difference": "plan - baseline, of each statistic as the run reports it",
    "intervals": f"bootstrap over days ({BOOTSTRAP} resamples of whole replications, seeded): the same days for "
                 "both plans when paired, independent days otherwise; on each side the wider of (a) the "
                 "2.5th-97.5th percentiles of the resampled differences widened about the observed difference "
                 "by sqrt(R/(R-1)) t(R-1)/z and (b) for means, shares and percentiles a bootstrap-t on the "
                 "days' linearised influences (a percentile's density from Woodruff's interval), never "
                 "narrower than Student's t",
    "p_value": "the larger of the two intervals' p-values: 2 x min(share of widened resampled differences <= 0, "
               "share >= 0) and the bootstrap-t's (never below Student's t's), so that p < 0.05 exactly when "
               "the interval excludes 0",
    "verdicts": "lower is better for every compared statistic; significant at 0.05; with several plans Holm's "
                "correction over the plans, per statistic",
    "rows": "headline rows (shown by default, and any named by --fail-if-worse) are planned tests at 0.05; detail "
            "rows are each tested alone, so of N detail rows about N/20 read better or worse by chance between "
            "plans that do not differ",
    "censored": "not reached or not resolved by the end of the run: ranked above every finite value; a difference "
                "whose value lies among them is flagged censored",
}


# ---------------------------------------------------------------- pairing


@dataclass(frozen=True)
class Pairing:
    """Whether a plan meets the baseline's incidents: the top-level keys and incident entries that differ."""

    keys: tuple[str, ...] = ()
    incidents: tuple[str, ...] = ()

    @property
    def paired(self) -> bool:
        return not self.keys


def _same_matrix(a, b) -> bool:
    if a is None or b is None:
        return a is b
    return a.ids == b.ids and np.array_equal(a.minutes, b.minutes, equal_nan=True)


def _clock(spec) -> tuple:
    """What of the clock draws the calls: its start, duration and drain (phases draw nothing; a
    rate keyed by a phase is compared as the rates it resolves to)."""
    return spec.clock.start, spec.clock.duration, spec.clock.drain


def _draws(spec, incident) -> tuple:
    """What a drawn entry's calls are made of: kind, rate profile (in minutes), where, the
    distribution its work stream draws and, for a crowd, the crowd itself. How the plan meets
    the calls (needs, priority, tier, label, id, per_officer, escalation, negotiation) is not."""
    crowd = getattr(incident, "crowd", None)
    return (incident.kind, tuple(incident.rate.steps(spec.clock)), incident.where.model_dump(),
            kinds.get(incident.kind).work_draw(incident), crowd.model_dump() if crowd is not None else None)


#: An entry's words in another language (format 1.1): the same entry, told in Indonesian too.
_TRANSLATIONS = {"label_id", "description_id"}


def _told(incident) -> dict:
    """An incident entry as the comparison tells entries apart: all of it but its translations."""
    return incident.model_dump(exclude=_TRANSLATIONS)


def pairing(base, plan) -> Pairing:
    """How ``plan`` (a LoadedScenario) differs from ``base`` in what draws the incidents.

    Paired when clock (start, duration, drain), seed and map are the same and the entries that
    draw calls at random (those with a ``rate``) are, index by index, the same calls (see
    :func:`_draws`): then day k holds the same random calls in both. The map is compared as
    loaded (a sites file or travel matrix named by another relative path is the same when its
    contents are). Every entry that differs at all (but in its translations, ``label_id``) is named,
    also when the plans stay paired: an entry met otherwise (``needs``, ``priority``...) or a single
    incident of the storyline (``at``, ``trigger``) told otherwise.
    """
    keys = [key for key, mine, theirs in (("clock", _clock(base.spec), _clock(plan.spec)),
                                          ("seed", base.spec.seed, plan.spec.seed)) if mine != theirs]
    files = {"sites": {"file"}, "travel": {"matrix"}}
    if (base.spec.map.model_dump(exclude=files) != plan.spec.map.model_dump(exclude=files)
            or base.sites != plan.sites or not _same_matrix(base.matrix, plan.matrix)):
        keys.append("map")
    a, b = base.spec.incidents, plan.spec.incidents
    entries = [f"incidents[{i}] ({(a[i] if i < len(a) else b[i]).kind})"
               for i in range(max(len(a), len(b))) if i >= len(a) or i >= len(b) or _told(a[i]) != _told(b[i])]
    drawn_a = {i: _draws(base.spec, e) for i, e in enumerate(a) if e.rate is not None}
    drawn_b = {i: _draws(plan.spec, e) for i, e in enumerate(b) if e.rate is not None}
    if drawn_a != drawn_b:
        keys.append("incidents")
    return Pairing(tuple(keys), tuple(entries))


# ---------------------------------------------------------------- statistics under day weights


def _weights(days: int, seed: int, stream: int) -> np.ndarray:
    """``BOOTSTRAP`` × ``days``: how often each day is drawn in each resample (float, integer-valued)."""
    rng = np.random.default_rng(np.random.SeedSequence([seed, _STREAM, stream]))
    return rng.multinomial(days, np.full(days, 1.0 / days), size=BOOTSTRAP).astype(float)


def _weighted_percentiles(ranked: np.ndarray, ranked_day: np.ndarray, weights: np.ndarray,
                          shares: Sequence[float]) -> list[np.ndarray]:
    """Per resample, the ``inverted_cdf`` percentiles of ``ranked`` (ascending) with each value
    weighted by its day's weight: the first value at which the cumulative weight reaches
    ``share × total``. NaN in a resample without any value."""
    n = ranked.size
    resamples, days = weights.shape
    if n == 0:
        return [np.full(resamples, np.nan) for _ in shares]
    size = max(1, math.isqrt(n))
    blocks = -(-n // size)
    counts = np.zeros((blocks, days))
    np.add.at(counts, (np.arange(n) // size, ranked_day), 1.0)
    ends = weights @ np.cumsum(counts, axis=0).T           # weight up to each block's end
    total = ends[:, -1]
    layout = np.arange(blocks * size).reshape(blocks, size)
    valid = layout < n
    local_day = np.append(ranked_day, 0)[np.minimum(layout, n)]
    rows = np.arange(resamples)
    out = []
    for share in shares:
        need = share * total
        block = np.minimum((ends < need[:, None]).sum(axis=1), blocks - 1)
        before = np.where(block > 0, ends[rows, block - 1], 0.0)
        cum = before[:, None] + np.cumsum(weights[rows[:, None], local_day[block]] * valid[block], axis=1)
        index = np.minimum(block * size + (cum < need[:, None]).sum(axis=1), n - 1)
        out.append(np.where(total > 0, ranked[index], np.nan))
    return out


def _masked_max(per_day: np.ndarray, weights: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore"):
        top = np.where(weights > 0, per_day, -np.inf).max(axis=1)
    return np.where(np.isneginf(top), np.nan, top)


def _ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, num / np.where(den > 0, den, 1.0), np.nan)


@dataclass(frozen=True)
class _Linear:
    """A statistic's linearisation over days (its influence per day): ``z`` at the sample
    (one value per day) and ``boot`` under each resample's own estimate (resamples × days).
    The statistic's standard error is ``sqrt(Σ_d w_d z_d² / (R (R − 1)))`` with ``w`` the
    resample's weights (all ones at the sample), as for the intervals of a run."""

    z: np.ndarray
    boot: np.ndarray


class _Lazy:
    """A linearisation computed when first asked for (a difference that is 0 on every resample, or
    lies among censored incidents, never asks), then kept: the baseline's serves every plan."""

    def __init__(self, make, *args):
        self._make, self._args, self._value, self._done = make, args, None, False

    def get(self) -> _Linear | None:
        if not self._done:
            self._value, self._done = self._make(*self._args), True
            self._make = self._args = None
        return self._value


def _ratio_linear(num: np.ndarray, den: np.ndarray, weights: np.ndarray, boot: np.ndarray) -> _Linear | None:
    """``Σ num / Σ den``: ``z_d = (num_d − r · den_d) / mean(den)``, at the sample and per resample."""
    days = num.size
    total = float(den.sum())
    if total <= 0:
        return None
    z = (num - float(num.sum()) / total * den) / (total / days)
    mean_den = (weights @ den) / days
    with np.errstate(invalid="ignore", divide="ignore"):
        zb = (num[None, :] - boot[:, None] * den[None, :]) / mean_den[:, None]
    return _Linear(z, zb)


class _DayCounts:
    """How many of each day's values lie at or under a threshold, for many thresholds at once
    (thresholds × days). Per-day counts are summed once at block ends; only the one block a
    threshold falls in is counted value by value. The block size balances the two
    (``sqrt(n · days / thresholds)``), as :func:`_weighted_percentiles` does with √n."""

    def __init__(self, ranked: np.ndarray, ranked_day: np.ndarray, days: int, thresholds: int):
        n = ranked.size
        self.ranked, self.days, self.n = ranked, days, n
        self.size = size = max(1, min(n, math.isqrt(max(1, n * days // max(1, thresholds)))))
        self.blocks = blocks = -(-n // size)
        flat = np.bincount((np.arange(n) // size + 1) * days + ranked_day, minlength=(blocks + 1) * days)
        self.before = np.cumsum(flat.reshape(blocks + 1, days), axis=0, dtype=float)   # row j: the first j blocks
        self.day = np.append(ranked_day, 0)

    def at(self, thresholds: np.ndarray) -> np.ndarray:
        size, days, n = self.size, self.days, self.n
        at_or_under = np.searchsorted(self.ranked, thresholds, side="right")
        block = at_or_under // size
        position = block[:, None] * size + np.arange(size)
        inside = position < at_or_under[:, None]
        cells = np.arange(thresholds.size)[:, None] * days + self.day[np.minimum(position, n)]
        partial = np.bincount(cells[inside], minlength=thresholds.size * days).reshape(thresholds.size, days)
        return self.before[np.minimum(block, self.blocks)] + partial


def _percentile_linear(p, share: float, weights: np.ndarray, boot: np.ndarray, counted: _Lazy) -> _Linear | None:
    """A pooled percentile ``Q(share)``: ``z_d = (share · n_d − #{day d's values ≤ Q}) / (mean(n) · f)``
    with ``f`` the density at ``Q`` read off Woodruff's interval (Francisco and Fuller 1991):
    the share of values at or under ``Q`` moves by ``±h`` over ``Q(F ± h)``. None where ``Q`` lies
    among censored incidents or the values are flat around it (an atom: no density to divide by)."""
    from sispam_sim.stats.intervals import quantiles, ratio_se
    from sispam_sim.stats.tdist import t_critical

    days, n = p.days, p.ranked.size
    if n == 0 or days < 2:
        return None
    q = float(quantiles(p.ranked, [share])[0])
    if not math.isfinite(q):
        return None
    per_day = np.bincount(p.ranked_day, minlength=days).astype(float)
    within = np.bincount(p.ranked_day[:int(np.searchsorted(p.ranked, q, side="right"))], minlength=days).astype(float)
    f_share = float(within.sum()) / n
    h = t_critical(days - 1) * ratio_se(within, per_day, f_share)
    lo, hi = quantiles(p.ranked, [f_share - h, f_share + h])
    if not (h > 0 and math.isfinite(hi) and hi > lo):
        return None
    density = 2.0 * h / float(hi - lo)
    z = (share * per_day - within) / (n / days * density)
    counts = counted.get().at(boot)   # at each resample's own percentile, day by day
    mean_nb = (weights @ per_day) / days
    with np.errstate(invalid="ignore", divide="ignore"):
        zb = (share * per_day[None, :] - counts) / (mean_nb[:, None] * density)
    return _Linear(z, zb)


def _resampled(pooled: Mapping[str, Any], series: Mapping[str, Sequence[float]], weights: np.ndarray,
               wanted: Sequence[tuple[str, str]]) -> dict[tuple[str, str], np.ndarray]:
    """Each ``(metric, stat)`` of ``wanted`` once per resample (weights: resamples × days); under
    ``(metric, stat, "linear")`` the statistic's :class:`_Linear` (as a :class:`_Lazy`) where it
    has one (means, shares, percentiles; not a maximum)."""
    out: dict[tuple, Any] = {}
    metrics = dict.fromkeys(metric for metric, _ in wanted)
    for metric in metrics:
        stats = [stat for m, stat in wanted if m == metric]
        if metric in INCIDENT_METRICS:
            p = pooled[metric]
            if "mean" in stats:
                out[metric, "mean"] = _ratio(weights @ p.day_sums, weights @ p.day_counts)
                out[metric, "mean", "linear"] = _Lazy(_ratio_linear, p.day_sums, p.day_counts, weights,
                                                      out[metric, "mean"])
            shares = [s for s in stats if s in PERCENTILES]
            counted = _Lazy(_DayCounts, p.ranked, p.ranked_day, p.days, weights.shape[0])
            for stat, values in zip(shares, _weighted_percentiles(p.ranked, p.ranked_day, weights,
                                                                  [PERCENTILES[s] / 100.0 for s in shares])):
                out[metric, stat] = values
                out[metric, stat, "linear"] = _Lazy(_percentile_linear, p, PERCENTILES[stat] / 100.0, weights, values,
                                                    counted)
            if "max" in stats:
                top = np.full(p.days, -np.inf)
                np.maximum.at(top, p.ranked_day, p.ranked)
                out[metric, "max"] = _masked_max(top, weights)
            continue
        per_day = np.asarray(series["max_level" if metric == "levels" else metric], dtype=float)
        if metric == "levels":
            for stat in stats:
                reached = (per_day >= int(stat)).astype(float)
                out[metric, stat] = (weights @ reached) / weights.sum(axis=1)
                out[metric, stat, "linear"] = _Lazy(_ratio_linear, reached, np.ones_like(reached), weights,
                                                    out[metric, stat])
            continue
        counted = per_day > 0 if metric == "max_level" else np.ones_like(per_day, dtype=bool)
        if "per_day" in stats:
            out[metric, "per_day"] = _ratio(weights @ per_day, weights @ counted)
            out[metric, "per_day", "linear"] = _Lazy(_ratio_linear, np.where(counted, per_day, 0.0),
                                                     counted.astype(float), weights, out[metric, "per_day"])
        if "worst_day" in stats:
            out[metric, "worst_day"] = _masked_max(np.where(counted, per_day, -np.inf), weights)
    return out


# ---------------------------------------------------------------- point values from a summary block


def _point(block: Mapping[str, Any], metric: str, stat: str) -> tuple[float | None, str | None]:
    """A statistic as the run reports it, and how it is uncertain: ``"censored"`` (it lies among
    censored incidents), ``"lower_bound"`` (a mean that counts them at their wait so far) or None."""
    entry = block.get(metric) or {}
    if metric in INCIDENT_METRICS:
        if not entry.get("n"):
            return None, None
        value = entry[stat]
        if stat == "mean":
            return value["value"], "lower_bound" if value.get("lower_bound") else None
        return value["value"], "censored" if value.get("censored") else None
    if metric == "levels":
        return (entry.get(stat) or {}).get("share_of_days", {}).get("value"), None
    if not entry:
        return None, None
    return (entry["per_day"]["value"] if stat == "per_day" else entry["worst_day"]), None


def _statistics(base: Mapping[str, Any], plan: Mapping[str, Any], kind: str | None) -> list[tuple[str, str]]:
    """The ``(metric, stat)`` pairs both blocks report, in results.json's order."""
    out = []
    for metric, stats in STATS_OF.items():
        if kind is not None and metric != "levels" and not applies_to(metric, kind):
            continue
        out.extend((metric, stat) for stat in stats
                   if _point(base, metric, stat)[0] is not None and _point(plan, metric, stat)[0] is not None)
    return out


# ---------------------------------------------------------------- differences


def _interval(diff: np.ndarray) -> list[float | None]:
    ordered = np.sort(diff)
    j = int(round(BOOTSTRAP * ALPHA / 2))
    lo, hi = ordered[j - 1], ordered[BOOTSTRAP - j]
    return [float(lo) if np.isfinite(lo) else None, float(hi) if np.isfinite(hi) else None]


def _two_sided(below: float, above: float) -> float:
    return min(1.0, 2.0 * min(below, above))


def small_sample_factor(days: int) -> float:
    """How much wider than the bootstrap's spread a difference's spread is over ``days`` days:
    ``sqrt(R / (R − 1)) · t(R − 1) / z`` (a resample of R days spreads like the days with
    divisor R, not R − 1, and 95 % of Student's t lies wider than 95 % of the normal); 1.22 at
    10 days, 1.06 at 40, 1 in the limit."""
    from statistics import NormalDist

    from sispam_sim.stats.tdist import t_critical

    if days < 2:
        return 1.0
    return math.sqrt(days / (days - 1)) * t_critical(days - 1, 1 - ALPHA) / NormalDist().inv_cdf(1 - ALPHA / 2)


#: A resample's standard error is taken as at least this share of the sample's. A resample that
#: drew only calm days (or days on which the plans did the same) claims a precision no day offers;
#: its studentised difference would then be huge and one such resample in forty would stretch the
#: interval across the whole range (measured on the reference plans at 10 days).
_SE_FLOOR = 1 / 3


def _studentised(value: float, diff: np.ndarray, base: _Linear, plan: _Linear, base_w: np.ndarray,
                 plan_w: np.ndarray, paired: bool) -> tuple[list[float], float] | None:
    """The bootstrap-t interval of a difference and its p-value, never narrower (nor its p-value
    smaller) than Student's t with R − 1 degrees of freedom: ``t* = (d* − d) / se*`` over the
    resamples (``se*`` at least :data:`_SE_FLOOR` of ``se``); the interval ``[d − q_hi · se, d − q_lo · se]``;
    p from where ``d / se`` falls among the ``t*``. Paired plans share the days, so the per-day influences subtract before they are
    squared; unpaired plans add their variances. None where no standard error can be formed."""
    from sispam_sim.stats.tdist import _upper_tail, t_critical

    days = base.z.size
    scale = days * (days - 1)
    with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
        if paired:
            z = plan.z - base.z
            se = math.sqrt(float(z @ z) / scale)
            gap = plan.boot - base.boot
            se_b = np.sqrt(np.einsum("ij,ij->i", base_w, gap * gap) / scale)
        else:
            se = math.sqrt(float(base.z @ base.z + plan.z @ plan.z) / scale)
            se_b = np.sqrt((np.einsum("ij,ij->i", base_w, base.boot * base.boot)
                            + np.einsum("ij,ij->i", plan_w, plan.boot * plan.boot)) / scale)
        se_b = np.maximum(se_b, _SE_FLOOR * se)
        t_b = (diff - value) / se_b
    ok = np.isfinite(t_b) & (se_b > 0)
    if not (math.isfinite(se) and se > 0 and math.isfinite(value)) or ok.sum() < BOOTSTRAP // 2:
        return None
    t_b = t_b[ok]
    student = t_critical(days - 1, 1 - ALPHA)
    q_lo, q_hi = np.quantile(t_b, [ALPHA / 2, 1 - ALPHA / 2])
    q_lo, q_hi = min(float(q_lo), -student), max(float(q_hi), student)
    t0 = value / se
    p_boot = _two_sided(float(np.mean(t_b >= t0)), float(np.mean(t_b <= t0)))
    p_student = 2.0 * _upper_tail(abs(t0), days - 1)
    return [value - q_hi * se, value - q_lo * se], max(p_boot, p_student)


def _difference(base_value: float, base_flag: str | None, plan_value: float, plan_flag: str | None,
                base_boot: np.ndarray, plan_boot: np.ndarray, base_linear: _Lazy | None = None,
                plan_linear: _Lazy | None = None, base_w: np.ndarray | None = None,
                plan_w: np.ndarray | None = None, paired: bool = True) -> dict:
    """One statistic's difference ``plan − base`` with its 95 % interval, p-value and verdict.

    Two intervals are formed and the wider taken on each side (the larger p-value): the resampled
    differences widened by :func:`small_sample_factor` about the observed one (every statistic),
    and the bootstrap-t of :func:`_studentised` (statistics with a linearisation: means, shares,
    percentiles), which leans the way skewed days do. A difference among censored incidents keeps
    the plain percentile interval of the resampled differences."""
    with np.errstate(invalid="ignore"):
        diff = plan_boot - base_boot
    diff = np.where(np.isnan(diff), 0.0, diff)   # both censored, or neither had an incident: a tie
    value = plan_value - base_value
    days = base_w.shape[1] if base_w is not None else 0
    if math.isfinite(value) and days >= 2:
        with np.errstate(invalid="ignore"):
            spread = value + small_sample_factor(days) * (diff - value)
        spread = np.where(np.isnan(spread), value, spread)
    else:
        spread = diff
    lower, higher = int((spread <= 0).sum()), int((spread >= 0).sum())
    ci, p_value = _interval(spread), _two_sided(lower / BOOTSTRAP, higher / BOOTSTRAP)
    if (base_linear is not None and plan_linear is not None and days >= 2 and not (base_flag or plan_flag)
            and np.any(diff != value)):
        base_z, plan_z = base_linear.get(), plan_linear.get()
        studentised = None if base_z is None or plan_z is None else \
            _studentised(value, diff, base_z, plan_z, base_w, plan_w, paired)
        if studentised is not None:
            (lo, hi), p = studentised
            ci = [lo if ci[0] is None else min(ci[0], lo), hi if ci[1] is None else max(ci[1], hi)]
            p_value = max(p_value, p)
    entry = {"value": value, "ci": ci, "verdict": "no difference", "p_value": p_value,
             "direction": "lower" if higher < lower else "higher",
             "base": base_value, "plan": plan_value, "censored": bool(base_flag or plan_flag),
             "base_censored": bool(base_flag), "plan_censored": bool(plan_flag)}
    # A mean among censored incidents is a lower bound: only the direction its bound proves is allowed.
    if "lower_bound" in (base_flag, plan_flag):
        provable = {("lower_bound", None): "higher", (None, "lower_bound"): "lower"}.get((plan_flag, base_flag))
        if entry["direction"] != provable:
            entry["p_value"] = 1.0
    return entry


def _holm(entries: Sequence[dict], alpha: float = ALPHA) -> None:
    """Set each entry's verdict: Holm's step-down over the entries (one per plan), strict ``p < level``."""
    rejecting = True
    for rank, entry in enumerate(sorted(entries, key=lambda e: e["p_value"])):
        rejecting = rejecting and entry["p_value"] < alpha / (len(entries) - rank)
        entry["verdict"] = ("better" if entry["direction"] == "lower" else "worse") if rejecting else "no difference"
    for entry in entries:
        entry.pop("direction")


# ---------------------------------------------------------------- the comparison


@dataclass
class Plan:
    """One plan's run, as :func:`compare` needs it."""

    name: str
    file: str
    scenario: Any              # LoadedScenario
    summary: dict              # RunOutput.summary
    days: Any                  # RunOutput.days (an Accumulator)
    pairing: Pairing = field(default_factory=Pairing)
    name_id: str | None = None  # format 1.1: the scenario's Indonesian name, where it has one


def _headline(base: Plan) -> list[tuple[str | None, str, str]]:
    """The statistics whose paired and unpaired intervals are shown side by side: the baseline's
    targeted incident statistics (not max), and the p90 and mean response time of all incidents."""
    out = [(row["kind"], canonical_metric(row["metric"]), row["stat"]) for row in base.summary["targets"]
           if canonical_metric(row["metric"]) in INCIDENT_METRICS and row["stat"] != "max"
           and row.get("phase") is None]   # a phase's statistics are not among the compared blocks
    for extra in ((None, "response_time", "p90"), (None, "response_time", "mean")):
        if extra not in out:
            out.append(extra)
    return list(dict.fromkeys(out))


def _width(ci: Sequence[float | None]) -> float | None:
    return None if ci[0] is None or ci[1] is None else ci[1] - ci[0]


def _targets(plans: Sequence[Plan]) -> dict:
    """Each target (the union over the plans, the baseline's first) with every plan's verdict; a
    per-phase target (format 1.1) carries its ``phase``."""
    keys: dict[tuple, None] = {}
    per_plan = []
    for plan in plans:
        rows = {(r["kind"], r.get("phase"), r["metric"], r["stat"]): r for r in plan.summary["targets"]}
        keys.update(dict.fromkeys(rows))
        per_plan.append(rows)
    rows = []
    for key in keys:
        cells = [{k: r.get(k) for k in ("limit", "value", "ci", "value_censored", "lower_bound", "verdict", "leaning",
                                        "days_exceeding", "days")}
                 if (r := plan_rows.get(key)) else None for plan_rows in per_plan]
        rows.append({"kind": key[0], **({"phase": key[1]} if key[1] is not None else {}), "metric": key[2],
                     "stat": key[3], "plans": cells})
    met = [sum(1 for row in rows if row["plans"][i] and row["plans"][i]["verdict"] == "pass")
           for i in range(len(plans))]
    best = max(met, default=0)
    most = [i for i, m in enumerate(met) if m == best] if rows else []
    return {"rows": rows, "met": met, "most": [plans[i].name for i in most], "most_plans": most}


def headline_row(kind: str | None, metric: str, stat: str, planned: Sequence[tuple[str | None, str, str]] = ()) -> bool:
    """Whether a row of block ``kind`` (None: all incidents) is a headline row (see :data:`HEADLINE_ROWS`)."""
    return (kind, metric, stat) in planned or ((metric, stat) in HEADLINE_ROWS and kinds.shows(metric, kind))


def _rows(out_plans: Sequence[dict]) -> dict:
    """How many headline and detail rows the comparison has, and what a detail verdict means."""
    entries = [entry for plan in out_plans for block in (plan["differences"], *plan["by_kind"].values())
               for stats in block.values() for entry in stats.values()]
    detail = sum(1 for entry in entries if entry["row"] == "detail")
    return {"headline": len(entries) - detail, "detail": detail,
            "detail_by_chance": round(detail * ALPHA, 1)}


def _warnings(days: int) -> list[dict]:
    return [{"code": "few_days", "days": days, "fewest": FEW_DAYS}] if days < FEW_DAYS else []


def compare(base: Plan, plans: Sequence[Plan], planned: Sequence[tuple[str | None, str, str]] = ()) -> dict:
    """The comparison document (without the CLI's manifest): see docs/model.md, "Comparing plans".

    ``planned``: ``(kind, metric, stat)`` rows tested as headline rows besides :data:`HEADLINE_ROWS`
    (what ``--fail-if-worse`` names)."""
    days = len(base.days)
    if any(len(p.days) != days for p in plans):
        raise ValueError("every plan must run the same replications")
    seed = int(base.scenario.spec.seed)
    shared = _weights(days, seed, 0)
    own = [_weights(days, seed, i + 1) for i in range(len(plans))]
    resample = {id(p): p.days.resamplable() for p in (base, *plans)}
    blocks = {id(p): {None: p.summary["metrics"]["all"], **p.summary["metrics"]["by_kind"]} for p in (base, *plans)}
    kinds = [k for k in blocks[id(base)] if k is not None]
    headline = _headline(base)
    out_plans = []
    families: dict[tuple, list[dict]] = {}
    base_boot: dict[str | None, dict] = {}
    for i, plan in enumerate(plans):
        plan_weights = shared if plan.pairing.paired else own[i]
        differences: dict[str | None, dict] = {}
        heads = []
        for kind in (None, *kinds):
            if kind not in blocks[id(plan)] or kind not in resample[id(plan)]:
                continue
            b_block, p_block = blocks[id(base)][kind], blocks[id(plan)][kind]
            wanted = _statistics(b_block, p_block, kind)
            if kind not in base_boot:   # the baseline's resamples serve every plan
                base_boot[kind] = _resampled(*resample[id(base)][kind], shared, _statistics(b_block, b_block, kind))
            b_boot = base_boot[kind]
            p_pooled, p_series = resample[id(plan)][kind]
            p_boot = _resampled(p_pooled, p_series, plan_weights, wanted)
            table: dict[str, dict] = {}
            for metric, stat in wanted:
                entry = _difference(*_point(b_block, metric, stat), *_point(p_block, metric, stat),
                                    b_boot[metric, stat], p_boot[metric, stat], b_boot.get((metric, stat, "linear")),
                                    p_boot.get((metric, stat, "linear")), shared, plan_weights, plan.pairing.paired)
                entry["row"] = "headline" if headline_row(kind, metric, stat, planned) else "detail"
                table.setdefault(metric, {})[stat] = entry
                families.setdefault((kind, metric, stat), []).append(entry)
            differences[kind] = table
            wanted_heads = [(m, s) for k, m, s in headline   # a statistic both plans report (a plan
                            if k == kind and s in table.get(m, {})]   # without TPS has no downtime)
            if wanted_heads:
                apart = _resampled(p_pooled, p_series, own[i], wanted_heads)
                for metric, stat in wanted_heads:
                    paired_ci = table[metric][stat]["ci"]
                    unpaired = _difference(*_point(b_block, metric, stat), *_point(p_block, metric, stat),
                                           b_boot[metric, stat], apart[metric, stat],
                                           b_boot.get((metric, stat, "linear")), apart.get((metric, stat, "linear")),
                                           shared, own[i], False)
                    pw, uw = _width(paired_ci), _width(unpaired["ci"])
                    heads.append({"kind": kind, "metric": metric, "stat": stat, "value": table[metric][stat]["value"],
                                  "paired_ci": paired_ci if plan.pairing.paired else None,
                                  "unpaired_ci": unpaired["ci"],
                                  "narrower": (1.0 - pw / uw) if plan.pairing.paired and pw is not None and uw
                                  else None})
        out_plans.append({
            "name": plan.name, **({"name_id": plan.name_id} if plan.name_id else {}), "file": plan.file,
            "paired": plan.pairing.paired,
            "differs": {"keys": list(plan.pairing.keys), "incidents": list(plan.pairing.incidents)},
            "differences": differences.get(None, {}),
            "by_kind": {k: v for k, v in differences.items() if k is not None},
            "headline": heads,
        })
    for entries in families.values():
        _holm(entries)
    for plan, out in zip(plans, out_plans):
        _honest_levels(blocks[id(base)], blocks[id(plan)], out)
    document = {
        "baseline": {"name": base.name, **({"name_id": base.name_id} if base.name_id else {}), "file": base.file},
        "paired": all(p.pairing.paired for p in plans),
        "replications": days,
        "seed": seed,
        "correction": ({"method": "holm", "family": "per statistic: every plan against the baseline",
                        "comparisons": len(plans)} if len(plans) > 1 else None),
        "method": METHOD,
        "warnings": _warnings(days),
        "rows": _rows(out_plans),
        "plans": out_plans,
        "targets": _targets([base, *plans]),
    }
    decision = decide(document, [p.summary for p in (base, *plans)],
                      [{kind: series for kind, (_, series) in resample[id(p)].items()} for p in (base, *plans)])
    head = ("baseline", "paired", "replications", "seed")
    return {**{key: document[key] for key in head}, "decision": decision,
            **{key: value for key, value in document.items() if key not in head}}


#: The rows whose "lower" is only better when the crowd was dispersed: fewer days reaching a level,
#: a lower highest level.
_LEVEL_ROWS = ("levels", "max_level")


def _honest_levels(base_blocks: Mapping[str | None, Any], plan_blocks: Mapping[str | None, Any], out: dict) -> None:
    """A level row that reads ``better`` reads ``not better`` in a block whose incidents the plan leaves
    unresolved (:func:`~sispam_sim.stats.decision.leaves_unresolved`): a crowd that is never dispersed
    need never escalate, so fewer days at kuning is no gain there. All incidents' level rows follow the
    crowd kinds (the blocks with level rows) that are left unresolved. The verdict it had is kept
    (``was``) with the reason (``because``)."""
    def unresolved(kind: str | None, table: Mapping[str, Any]) -> bool:
        entry = (table.get("unresolved") or {}).get("per_day")
        return kind in base_blocks and kind in plan_blocks and leaves_unresolved(base_blocks[kind], plan_blocks[kind],
                                                                                  entry)

    crowds = [kind for kind, table in out["by_kind"].items() if "levels" in table and unresolved(kind, table)]
    for kind, table in ((None, out["differences"]), *out["by_kind"].items()):
        if kind not in crowds and not (kind is None and crowds):
            continue
        for metric in _LEVEL_ROWS:
            for entry in (table.get(metric) or {}).values():
                if entry["verdict"] == "better":
                    entry.update(verdict="not better", was="better", because="unresolved")


# ---------------------------------------------------------------- --fail-if-worse


def _closest(word: str, choices: Sequence[str]) -> str:
    match = difflib.get_close_matches(word, choices, n=1)
    return f' (did you mean "{match[0]}"?)' if match else f" (expected one of: {', '.join(choices)})"


def parse_check(name: str, kinds: Sequence[str]) -> tuple[str | None, str, str]:
    """``METRIC.STAT``, ``KIND.METRIC.STAT`` or ``by_kind.KIND.METRIC.STAT`` -> (kind, metric, stat).

    Raises :class:`ValueError` with a suggestion for a name that is not compared.
    """
    parts = name.split(".")
    if parts[0] == "by_kind" and len(parts) == 4:
        parts = parts[1:]
    elif parts[0] == "all" and len(parts) == 3:
        parts = parts[1:]
    if len(parts) not in (2, 3):
        raise ValueError(f'"{name}": expected METRIC.STAT, KIND.METRIC.STAT or by_kind.KIND.METRIC.STAT '
                         "(e.g. response_time.p90)")
    kind = parts[0] if len(parts) == 3 else None
    metric, stat = canonical_metric(parts[-2]), parts[-1]
    if kind is not None and kind not in kinds:
        raise ValueError(f'"{name}": no incident kind "{kind}" in these plans{_closest(kind, list(kinds))}')
    if metric not in STATS_OF:
        raise ValueError(f'"{name}": unknown metric "{metric}"{_closest(metric, list(STATS_OF))}')
    if metric in DAY_METRICS:
        stat = _DAY_ALIASES.get(stat, stat)
    if stat not in STATS_OF[metric]:
        raise ValueError(f'"{name}": {metric} has no statistic "{stat}"{_closest(stat, list(STATS_OF[metric]))}')
    if kind is not None and metric != "levels" and not applies_to(metric, kind):
        raise ValueError(f'"{name}": {metric} does not apply to {kind} incidents')
    return kind, metric, stat


def worse_on(document: Mapping[str, Any], check: tuple[str | None, str, str]) -> list[str]:
    """The plans significantly worse than the baseline on ``check`` (after Holm)."""
    kind, metric, stat = check
    out = []
    for plan in document["plans"]:
        table = plan["differences"] if kind is None else plan["by_kind"].get(kind, {})
        if (table.get(metric) or {}).get(stat, {}).get("verdict") == "worse":
            out.append(plan["name"])
    return out
