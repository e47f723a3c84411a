"""Dispatch policies: in which order the eligible units are sent, by the name the YAML uses.

A policy sees only the candidates of one dispatch decision — unit row numbers and
their expected arrival times (mean mobilise + travel from where each unit is now) — and
returns the order to take them in. Eligibility (free, capable, tier, reserve) and how
much crew is needed are the dispatcher's business, not the policy's.

Adding a policy is a class with ``order`` and one line in :data:`POLICIES` (or the
:func:`register` decorator). This module imports numpy only: the validator reads the
names in :data:`POLICIES`.
"""

from __future__ import annotations

from typing import Protocol

import numpy as np


class Policy(Protocol):
    name: str
    #: True when the order of any candidates is their order in one ranking of all of them, and
    #: the best ``k`` are its first ``k`` (as sorting by a key does): the dispatcher may then rank
    #: a location's units once and walk that ranking. Optional (False when absent).
    ranks: bool

    def order(self, units: np.ndarray, arrival: np.ndarray, k: int) -> np.ndarray:
        """Positions into ``units``/``arrival``, best first.

        ``units`` are unit row numbers in ascending order (declaration order of the units).

        ``k`` is a hint: the dispatcher expects to take about ``k`` units, so a policy
        may order only its best ``k`` (or more). If the dispatcher runs out before the
        need is covered it asks again with ``k = len(units)``.
        """
        ...


#: Below this many candidates a full sort is as cheap as a partial one.
_PARTIAL_FROM = 256


class Nearest:
    """Earliest arrival first; ties go to the unit declared first (lower row number)."""

    name = "nearest"
    ranks = True   # by (arrival, row): any candidates in the order of all

    def order(self, units: np.ndarray, arrival: np.ndarray, k: int) -> np.ndarray:
        n = arrival.size
        if n < 2:
            return np.arange(n)
        if k == 1:
            return arrival.argmin(keepdims=True)   # the first of equal times: the lowest row
        if n > _PARTIAL_FROM and k < n // 4:
            # the k + 1 earliest and every unit tied with the last of them: argpartition alone
            # picks among equal times arbitrarily, and ties must go to the lowest row
            cut = np.partition(arrival, k)[k]
            best = np.flatnonzero(arrival <= cut)
            return best[np.lexsort((units[best], arrival[best]))]
        return np.lexsort((units, arrival))


#: Dispatch policies by name (``dispatch.policy``).
POLICIES: dict[str, Policy] = {"nearest": Nearest()}


def register(cls):
    """Class decorator: add a policy to :data:`POLICIES` under its ``name``."""
    POLICIES[cls.name] = cls()
    return cls


def get_policy(name: str) -> Policy:
    try:
        return POLICIES[name]
    except KeyError:
        raise ValueError(f"unknown dispatch policy {name!r}; policies are: {', '.join(sorted(POLICIES))}") from None
