"""Distributions that any random duration field may take, registered by the YAML name.

Each is a small frozen pydantic model with ``sample(rng)`` (minutes, never negative)
and ``mean`` (minutes, exact), so the engine draws from it and the validator can
estimate offered load without simulating.
"""

from __future__ import annotations

import math
from statistics import NormalDist
from typing import Annotated, Any, Literal, Union

import numpy as np
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, WithJsonSchema, model_validator

from sispam_sim.scenario.quantities import parse_duration
from sispam_sim.scenario.types import DURATION_JSON, Duration, NonNegDuration, PositiveDuration

_STD_NORMAL = NormalDist()


class _Dist(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, allow_inf_nan=False)

    @property
    def mean(self) -> float:  # pragma: no cover - every subclass overrides
        raise NotImplementedError

    def sample(self, rng: np.random.Generator) -> float:  # pragma: no cover
        raise NotImplementedError

    def sample_many(self, rng: np.random.Generator, n: int) -> list[float]:
        """``n`` draws, the same numbers as ``n`` calls of :meth:`sample` (one numpy call where it can)."""
        return [self.sample(rng) for _ in range(n)]


class Constant(_Dist):
    """A fixed duration (what a plain ``30min`` means)."""

    dist: Literal["constant"] = "constant"
    value: NonNegDuration

    @property
    def mean(self) -> float:
        return self.value

    def sample(self, rng: np.random.Generator) -> float:
        return self.value

    def sample_many(self, rng: np.random.Generator, n: int) -> list[float]:
        return [self.value] * n


class Exponential(_Dist):
    dist: Literal["exponential"]
    mean_: PositiveDuration = Field(alias="mean")

    @property
    def mean(self) -> float:
        return self.mean_

    def sample(self, rng: np.random.Generator) -> float:
        return float(rng.exponential(self.mean_))

    def sample_many(self, rng: np.random.Generator, n: int) -> list[float]:
        return rng.exponential(self.mean_, n).tolist()


class Lognormal(_Dist):
    """Parameterised by the mean and sd of the variable itself, as planners estimate them."""

    dist: Literal["lognormal"]
    mean_: PositiveDuration = Field(alias="mean")
    sd: PositiveDuration

    @property
    def mean(self) -> float:
        return self.mean_

    def _params(self) -> tuple[float, float]:
        sigma2 = math.log1p((self.sd / self.mean_) ** 2)
        return math.log(self.mean_) - sigma2 / 2, math.sqrt(sigma2)

    def sample(self, rng: np.random.Generator) -> float:
        return float(rng.lognormal(*self._params()))

    def sample_many(self, rng: np.random.Generator, n: int) -> list[float]:
        return rng.lognormal(*self._params(), n).tolist()


class Uniform(_Dist):
    dist: Literal["uniform"]
    low: NonNegDuration
    high: NonNegDuration

    @model_validator(mode="after")
    def _ordered(self) -> "Uniform":
        if self.low > self.high:
            raise ValueError(f"uniform needs low <= high, found low {self.low:g}min > high {self.high:g}min")
        return self

    @property
    def mean(self) -> float:
        return (self.low + self.high) / 2

    def sample(self, rng: np.random.Generator) -> float:
        return float(rng.uniform(self.low, self.high))

    def sample_many(self, rng: np.random.Generator, n: int) -> list[float]:
        return rng.uniform(self.low, self.high, n).tolist()


class Triangular(_Dist):
    dist: Literal["triangular"]
    low: NonNegDuration
    mode: NonNegDuration
    high: NonNegDuration

    @model_validator(mode="after")
    def _ordered(self) -> "Triangular":
        if not self.low <= self.mode <= self.high:
            raise ValueError(
                f"triangular needs low <= mode <= high, found {self.low:g}, {self.mode:g}, {self.high:g} min")
        return self

    @property
    def mean(self) -> float:
        return (self.low + self.mode + self.high) / 3

    def sample(self, rng: np.random.Generator) -> float:
        if self.low == self.high:
            return self.low
        return float(rng.triangular(self.low, self.mode, self.high))


class Normal(_Dist):
    """Normal, truncated below at ``min`` (default 0) so that a duration is never negative."""

    dist: Literal["normal"]
    mean_: Duration = Field(alias="mean")  # may be negative: truncation at min makes a skewed shape
    sd: PositiveDuration
    min: NonNegDuration = 0.0

    @model_validator(mode="after")
    def _reachable(self) -> "Normal":
        if (self.min - self.mean_) / self.sd > 8:
            raise ValueError(f"normal: min {self.min:g}min is more than 8 sd above the mean {self.mean_:g}min")
        return self

    @property
    def _alpha(self) -> float:
        return (self.min - self.mean_) / self.sd

    @property
    def mean(self) -> float:
        a = self._alpha
        return self.mean_ + self.sd * _STD_NORMAL.pdf(a) / (1 - _STD_NORMAL.cdf(a))

    def sample(self, rng: np.random.Generator) -> float:
        # Inverse-CDF sampling of the truncated normal: one uniform draw, no rejection loop.
        low = _STD_NORMAL.cdf(self._alpha)
        u = low + (1 - low) * float(rng.random())
        u = min(max(u, 1e-300), 1 - 1e-16)
        return max(self.min, self.mean_ + self.sd * _STD_NORMAL.inv_cdf(u))


#: Registry of distribution names the YAML uses.
DISTRIBUTIONS: dict[str, type[_Dist]] = {
    "constant": Constant, "exponential": Exponential, "lognormal": Lognormal,
    "uniform": Uniform, "triangular": Triangular, "normal": Normal,
}


def _constant_from_scalar(value: Any) -> Any:
    """A plain duration (``30min`` or ``30``) is the constant distribution."""
    if isinstance(value, (str, int, float)) and not isinstance(value, bool):
        return {"dist": "constant", "value": parse_duration(value)}
    if not isinstance(value, dict):
        from sispam_sim.scenario.quantities import DURATION_EXAMPLES, describe

        raise ValueError(f"expected a duration such as {DURATION_EXAMPLES}, or a distribution such as "
                         f"{{dist: lognormal, mean: 40min, sd: 15min}}; found {describe(value)}")
    return value


_DIST_UNION = Annotated[
    Union[Constant, Exponential, Lognormal, Uniform, Triangular, Normal],
    Field(discriminator="dist"),
]

#: A duration field that may also take a distribution.
DurationDist = Annotated[
    _DIST_UNION,
    BeforeValidator(_constant_from_scalar),
    WithJsonSchema({
        "anyOf": [
            DURATION_JSON,
            {"type": "object", "required": ["dist"], "properties": {
                "dist": {"enum": list(DISTRIBUTIONS)}, "value": DURATION_JSON,
                "mean": DURATION_JSON, "sd": DURATION_JSON,
                "low": DURATION_JSON, "mode": DURATION_JSON,
                "high": DURATION_JSON, "min": DURATION_JSON,
            }, "additionalProperties": False},
        ],
        "description": "A duration, or {dist: exponential|lognormal|uniform|triangular|normal, ...}",
    }),
]
