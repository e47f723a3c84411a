"""The formulas the engine is checked against, written out independently of the engine.

Used by ``sispam-sim verify`` and by ``tests/theory/``: one implementation of each.

* Erlang B by its recurrence, B(0) = 1, B(k) = a B(k-1) / (k + a B(k-1)): no factorial and
  no power of a, so it is stable for c in the thousands; then Erlang C from B,
  C = c B / (c - a (1 - B)).
* M/M/c wait in queue (FCFS): Wq = C(c, a) / (c mu - lambda), a = lambda / mu.
* Its whole distribution (FCFS): P(W > t) = C(c, a) exp(-(c mu - lambda) t), the tail that tells
  the queue's discipline (the mean is the same under any order that keeps units busy).
* Non-preemptive priority M/M/c (Cobham), classes 1 (first) to K:
  Wq_k = C(c, a) / (c mu) / ((1 - sigma_{k-1}) (1 - sigma_k)), sigma_k = sum_{i<=k} lambda_i / (c mu).
* Travel: great-circle km (haversine, R = 6371.0 km) x road factor / speed (km/h) x 60.
"""

from __future__ import annotations

import math

EARTH_RADIUS_KM = 6371.0


def erlang_b(c: int, a: float) -> float:
    """Blocking probability of M/M/c/c with offered load ``a`` (the stable recurrence)."""
    b = 1.0
    for k in range(1, c + 1):
        b = a * b / (k + a * b)
    return b


def erlang_c(c: int, a: float) -> float:
    """Probability that a call waits in M/M/c with offered load a = lambda / mu (< c)."""
    if not 0 <= a < c:
        raise ValueError(f"Erlang C needs 0 <= a < c (a stable queue); got c={c}, a={a}")
    b = erlang_b(c, a)
    return c * b / (c - a * (1 - b))


def mmc_wait(c: int, lam: float, mu: float) -> float:
    """Mean wait in queue of M/M/c, FCFS."""
    return erlang_c(c, lam / mu) / (c * mu - lam)


def mmc_wait_tail(c: int, lam: float, mu: float, t: float) -> float:
    """P(W > t): the share of calls that wait longer than ``t`` in M/M/c, FCFS.

    A call waits at all with probability C(c, a) (Erlang C, a = lambda / mu). While all c units
    are busy they finish work at rate c mu, and a waiting call is served once the calls ahead of
    it have gone; with first come, first served the wait of a call that waits is then exponential
    with rate c mu - lambda, so

        P(W > t) = C(c, a) exp(-(c mu - lambda) t),  t >= 0

    (its mean is :func:`mmc_wait`). Any order that keeps units busy (last come first served,
    random) has the same mean wait but another distribution: under LCFS the calls that wait long
    are fewer at a moderate ``t`` and far more at a large one.
    """
    if t < 0:
        raise ValueError(f"a wait is never negative; got t={t}")
    return erlang_c(c, lam / mu) * math.exp(-(c * mu - lam) * t)


def cobham_waits(c: int, rates: list[float], mu: float) -> list[float]:
    """Mean wait in queue of each class (priority 1 first) of the non-preemptive priority M/M/c."""
    base = erlang_c(c, sum(rates) / mu) / (c * mu)
    waits, sigma = [], 0.0
    for lam in rates:
        before, sigma = sigma, sigma + lam / (c * mu)
        waits.append(base / ((1 - before) * (1 - sigma)))
    return waits


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(h))


def drive_minutes(km: float, road_factor: float, speed_kmh: float) -> float:
    return km * road_factor / speed_kmh * 60.0


def crowd_escalation_minute(initial: float, growth: float, peak: float, per_officer: float, on_scene: int,
                            below: float, after: float) -> float:
    """Minutes from the call to the first escalation (hijau -> kuning), by hand.

    The crowd is re-assessed at each whole minute t: need = ceil(min(peak, initial + growth t)
    / per_officer). The timer starts at the first t with on_scene / need < below and the level
    rises ``after`` minutes later (the need only grows here, so the timer is never broken).
    """
    t = 0
    while on_scene / math.ceil(min(peak, initial + growth * t) / per_officer) >= below:
        if initial + growth * t >= peak:
            return math.inf          # never short enough: no escalation
        t += 1
    return t + after
