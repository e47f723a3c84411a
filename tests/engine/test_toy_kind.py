"""A kind that exists only in this test runs end to end: the engine asks kinds, never names them.

The toy kind is a call for help whose crew needs only half the drawn work: on the scenario
side a :class:`~sispam_sim.scenario.kinds.WorkKind` with its own model (``kind: toy``), on the
engine side the work behaviour with the work halved at the call. Both are registered for the
test alone.

The scenario (clock 06:00 = minute 0; every unit is based at ``hq``, where the incidents
happen, so travel is 0 and a unit arrives when it has mobilised):

* units ``fast`` (crew 2, mobilise 4 min) and ``slow`` (crew 2, mobilise 10 min);
* 08:00 (minute 120) a toy incident at hq needing 4 response, work 30 min;
* 09:00 (minute 180) a rapid_response at hq needing 2 response, work 30 min.

By hand:

* toy: at 120 both units are sent (4 personnel needed, 2 each; the earliest arrival first:
  ``fast``). ``fast`` arrives at 120 + 4 = 124, ``slow`` at 120 + 10 = 130: the need is met on
  scene at 130, and the work, half of 30 = 15 min, ends at 145 with the resolution. Response
  time 4, full strength time 10, resolution time 25, short 10 minutes (120 to 130). Both
  units are released at 145 where their base is: available at once, no drive home.
* rapid_response: at 180 both units are free; it needs 2, so ``fast`` goes alone, arrives at
  184, works the whole 30 min and is resolved at 214 (resolution time 34).
"""

from __future__ import annotations

from typing import Annotated, Literal

import pytest
from pydantic import Field

from sispam_sim.engine import kinds as behaviours
from sispam_sim.engine.kinds.work import WorkBehaviour
from sispam_sim.engine.model import run_replication
from sispam_sim.scenario import kinds
from sispam_sim.scenario.distributions import DurationDist
from sispam_sim.scenario.entry import IncidentBase
from sispam_sim.scenario.loader import load_scenario
from sispam_sim.scenario.types import Id, PositiveInt


class Toy(IncidentBase):
    """The toy kind's entry: a fixed need and work on scene, as a rapid_response."""

    kind: Literal["toy"]
    needs: dict[Id, Annotated[PositiveInt, Field(le=1000)]] = Field(min_length=1)
    work: DurationDist


class ToyKind(kinds.WorkKind):
    name = "toy"
    model = Toy
    labels = {"en": {"name": "Toy call", "short": "Toy"}}


class HalfWork(WorkBehaviour):
    """The work behaviour, with half the drawn work to do."""

    def on_call(self, rep, inc, now):
        inc.work_left = inc.work_left / 2
        rep.dispatch(inc)


YAML = """\
version: 1
name: toy kind
seed: 3
clock: {start: "2024-11-27 06:00", duration: 12h, drain: 12h}
map:
  places:
    hq: {lat: -8.1725, lon: 113.6995}
forces:
  types:
    fast: {crew: 2, speed_kmh: 40, mobilise: 4min, capabilities: [response]}
    slow: {crew: 2, speed_kmh: 40, mobilise: 10min, capabilities: [response]}
  units:
    - {id: fast, type: fast, base: hq}
    - {id: slow, type: slow, base: hq}
incidents:
  - {kind: toy, label: toy call, at: "08:00", where: {place: hq}, needs: {response: 4}, work: 30min}
  - {kind: rapid_response, label: help, at: "09:00", where: {place: hq}, needs: {response: 2}, work: 30min}
"""


@pytest.fixture
def toy_yaml(tmp_path):
    path = tmp_path / "toy.yaml"
    path.write_text(YAML, encoding="utf-8")
    return path


def test_a_toy_kind_registered_in_the_test_runs_to_the_hand_computed_timeline(toy_yaml):
    with kinds.registered(ToyKind()), behaviours.registered("toy", HalfWork()):
        result = run_replication(load_scenario(toy_yaml), 0)
    toy, rapid = result.incidents
    assert (toy.id, toy.kind, toy.label, toy.need) == ("toy-0001", "toy", "toy call", 4)
    assert (toy.call, toy.first_dispatch, toy.first_arrival, toy.full_strength, toy.resolved) == (
        120.0, 120.0, 124.0, 130.0, 145.0)
    assert (toy.response_time, toy.full_strength_time, toy.resolution_time, toy.short_minutes) == (4.0, 10.0, 25.0, 10.0)
    assert toy.units == ["fast", "slow"] and toy.tps_downtime is None and toy.max_level == 1
    assert (rapid.call, rapid.first_arrival, rapid.full_strength, rapid.resolved) == (180.0, 184.0, 184.0, 214.0)
    assert rapid.units == ["fast"]
    assert [(e.time, e.unit, e.incident, e.action) for e in result.events] == [
        (120.0, "", "toy-0001", "call"),
        (120.0, "fast", "toy-0001", "dispatch"),
        (120.0, "slow", "toy-0001", "dispatch"),
        (124.0, "fast", "toy-0001", "arrive"),
        (130.0, "slow", "toy-0001", "arrive"),
        (130.0, "", "toy-0001", "full_strength"),
        (145.0, "fast", "toy-0001", "release"),
        (145.0, "slow", "toy-0001", "release"),
        (145.0, "", "toy-0001", "resolve"),
        (180.0, "", "rapid_response-0001", "call"),
        (180.0, "fast", "rapid_response-0001", "dispatch"),
        (184.0, "fast", "rapid_response-0001", "arrive"),
        (184.0, "", "rapid_response-0001", "full_strength"),
        (214.0, "fast", "rapid_response-0001", "release"),
        (214.0, "", "rapid_response-0001", "resolve"),
    ]
    # busy from dispatch to release: fast 2 x (25 + 34), slow 2 x 25 crew-minutes
    assert result.busy_crew_minutes == {"fast": 118.0, "slow": 50.0}
    assert "toy" not in kinds.names() and "toy" not in behaviours.BEHAVIOURS   # both registries restored


def test_a_kind_without_an_engine_behaviour_is_a_clear_error(toy_yaml):
    with kinds.registered(ToyKind()):
        scenario = load_scenario(toy_yaml)
        with pytest.raises(behaviours.NoBehaviour, match=r"incident kind 'toy' has no engine behaviour.*register"):
            run_replication(scenario, 0)


def test_a_behaviour_must_be_a_behaviour():
    with pytest.raises(TypeError, match="must be a sispam_sim.engine.kinds.Behaviour"):
        behaviours.register("toy", object())
    assert "toy" not in behaviours.BEHAVIOURS
