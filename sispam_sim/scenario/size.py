"""How big a run of a scenario is, estimated from the file alone (no incident is drawn).

Incidents per replication are the expected number: the integral of each entry's rate
profile over the incident window, plus one per scripted event. ``validate`` prints the
estimate and bounds it (:mod:`sispam_sim.scenario.limits`); ``run`` can use it to refuse
or warn before it starts.
"""

from __future__ import annotations

from typing import NamedTuple

from sispam_sim.scenario.limits import SECONDS_PER_INCIDENT, WARN_RUN_SECONDS, WARN_TOTAL_INCIDENTS


class RunSize(NamedTuple):
    """Expected incidents per replication, and the replications they are multiplied by."""

    per_replication: float
    replications: int

    @property
    def total(self) -> float:
        return self.per_replication * self.replications

    @property
    def seconds(self) -> float:
        """Estimated time on one core (SECONDS_PER_INCIDENT each)."""
        return self.total * SECONDS_PER_INCIDENT

    def with_replications(self, replications: int) -> "RunSize":
        """The same day played ``replications`` times (``run -r``)."""
        return self._replace(replications=replications)

    @property
    def large(self) -> bool:
        """Worth a warning: more incidents than WARN_TOTAL_INCIDENTS or longer than WARN_RUN_SECONDS."""
        return self.total > WARN_TOTAL_INCIDENTS or self.seconds > WARN_RUN_SECONDS

    def describe(self) -> str:
        """``about 33.7 incidents per replication (expected) x 100 replications = 3,370 incidents (1 s on ...)``."""
        return (f"about {_count(self.per_replication)} incidents per replication (expected) x "
                f"{self.replications:,} replications = {_count(self.total)} incidents "
                f"({_duration(self.seconds)} on one core at {SECONDS_PER_INCIDENT * 1000:g} ms per incident)")

    def as_dict(self) -> dict:
        return {"incidents_per_replication": round(self.per_replication, 3), "replications": self.replications,
                "incidents_total": round(self.total, 3), "seconds_estimate": round(self.seconds, 3),
                "seconds_per_incident": SECONDS_PER_INCIDENT}


def entry_incidents(incident, clock, spec=None) -> float:
    """Expected incidents of one ``incidents`` entry in one replication (a triggered entry: at most,
    given the scenario ``spec`` it is in)."""
    from sispam_sim.scenario.offered_load import mean_rate

    return mean_rate(incident, clock, spec) * clock.duration


def run_size(spec) -> RunSize:
    """The run size of a validated :class:`~sispam_sim.scenario.schema.Scenario`."""
    return RunSize(sum(entry_incidents(x, spec.clock, spec) for x in spec.incidents), spec.replications)


def _count(n: float) -> str:
    return f"{n:,.1f}" if n < 100 else f"{n:,.0f}"


def _duration(seconds: float) -> str:
    if seconds < 1:
        return "under 1 s"
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.0f} min"
    if seconds < 172_800:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:,.0f} d"
