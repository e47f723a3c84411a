"""``targets``: per-kind targets (``by_kind``), p99, ``Targets.rows()`` and the warnings of validate."""

from __future__ import annotations

import pytest

from conftest import MINIMAL_YAML
from sispam_sim.errors import ScenarioError
from sispam_sim.scenario.loader import load_scenario
from sispam_sim.scenario.schema import TargetSpec

EXIT_OK, EXIT_BAD_INPUT = 0, 2


def with_targets(block: str) -> str:
    return MINIMAL_YAML + "targets:\n" + block


def problems(write, text: str) -> list[str]:
    try:
        scenario = load_scenario(write(text))
    except ScenarioError as err:
        return [p.format().split("/")[-1] for p in err.problems]
    return [p.format().split("/")[-1] for p in scenario.warnings]


def test_rows_in_the_order_written_with_their_key_paths(write):
    text = with_targets("  tps_downtime: {p95: 60min}\n  response_time: {p90: 15min, p99: 40min}\n"
                        "  unresolved: {mean: 0.5, max: 2.0}\n"
                        "  by_kind:\n    rapid_response: {full_strength: {p50: 1h}}\n")
    targets = load_scenario(write(text), with_warnings=False).spec.targets
    assert targets.rows() == [
        TargetSpec(None, "tps_downtime", "p95", 60.0, ("targets", "tps_downtime", "p95")),
        TargetSpec(None, "response_time", "p90", 15.0, ("targets", "response_time", "p90")),
        TargetSpec(None, "response_time", "p99", 40.0, ("targets", "response_time", "p99")),
        TargetSpec(None, "unresolved", "mean", 0.5, ("targets", "unresolved", "mean")),
        TargetSpec(None, "unresolved", "max", 2, ("targets", "unresolved", "max")),
        TargetSpec("rapid_response", "full_strength", "p50", 60.0,
                   ("targets", "by_kind", "rapid_response", "full_strength", "p50")),
    ]
    assert isinstance(targets.rows()[4].limit, int)


def test_by_kind_rows_follow_the_top_level(write):
    text = with_targets("  by_kind:\n    rapid_response: {short_minutes: {p99: 10min}, response_time: {mean: 5}}\n"
                        "  response_time: {p90: 15min}\n")
    rows = load_scenario(write(text)).spec.targets.rows()
    assert rows == [
        TargetSpec(None, "response_time", "p90", 15.0, ("targets", "response_time", "p90")),
        TargetSpec("rapid_response", "short_minutes", "p99", 10.0,
                   ("targets", "by_kind", "rapid_response", "short_minutes", "p99")),
        TargetSpec("rapid_response", "response_time", "mean", 5.0,
                   ("targets", "by_kind", "rapid_response", "response_time", "mean")),
    ]


def test_the_seed_override_keeps_the_rows(write):
    text = with_targets("  response_time: {p90: 15min}\n  dispatch_delay: {p50: 1min}\n")
    spec = load_scenario(write(text), seed=7).spec
    assert [row.metric for row in spec.targets.rows()] == ["response_time", "dispatch_delay"]


@pytest.mark.parametrize("block, expected", [
    ("  by_kind:\n    station_disrupton: {response_time: {p90: 20min}}\n",
     "s.yaml:20:5: error: targets.by_kind.station_disrupton: expected 'rapid_response', 'station_disruption' or "
     "'crowd_buildup', found \"station_disrupton\" (did you mean \"station_disruption\"?)"),
    ("  by_kind:\n    rapid_response: {respons_time: {p90: 20min}}\n",
     's.yaml:20:22: error: targets.by_kind.rapid_response.respons_time: unknown key "respons_time" '
     '(did you mean "response_time"?)'),
    ("  by_kind:\n    rapid_response: {response_time: {p98: 20min}}\n",
     "s.yaml:20:38: error: targets.by_kind.rapid_response.response_time.p98: expected 'mean', 'p50', 'p90', "
     "'p95', 'p99' or 'max', found \"p98\" (did you mean \"p99\"?)"),
    ("  by_kind:\n    rapid_response: {max_level: {p90: 2}}\n",
     "s.yaml:20:34: error: targets.by_kind.rapid_response.max_level.p90: expected 'mean' or 'max', found \"p90\""),
    ("  by_kind:\n    rapid_response: {tps_downtime: {p95: 45min}}\n",
     "s.yaml:20:22: error: targets.by_kind.rapid_response.tps_downtime: tps_downtime exists only for "
     "station_disruption incidents, not for rapid_response: put it under by_kind.station_disruption or at the "
     "top level of targets"),
    ("  by_kind:\n    rapid_response: {max_level: {max: 2, mean: 1}}\n",
     "s.yaml:20:22: error: targets.by_kind.rapid_response.max_level: max_level exists only for crowd_buildup "
     "incidents, not for rapid_response: put it under by_kind.crowd_buildup or at the top level of targets"),
])
def test_by_kind_is_validated_like_the_top_level(write, block, expected):
    assert problems(write, with_targets(block)) == [expected]


@pytest.mark.parametrize("block, expected", [
    ("  by_kind:\n    station_disruption: {tps_downtime: {p95: 45min}, response_time: {p90: 20min}}\n",
     "s.yaml:20:5: warning: targets.by_kind.station_disruption: never tested: no incident entry of kind "
     "station_disruption"),
    ("  tps_downtime: {p95: 45min, p50: 10min}\n",
     "s.yaml:19:3: warning: targets.tps_downtime: never tested: no incident entry of kind station_disruption"),
    ("  max_level: {max: 2}\n",
     "s.yaml:19:3: warning: targets.max_level: never tested: no incident entry of kind crowd_buildup"),
    ("  response_time: {max: 1h}\n",
     "s.yaml:19:24: warning: targets.response_time.max: max is the slowest incident of the whole run: it grows "
     "with the number of replications, so the verdict depends on how long you ran; use p99 (99% of incidents "
     "within the limit)"),
])
def test_targets_that_cannot_be_judged_or_mislead_warn(write, block, expected):
    assert problems(write, with_targets(block)) == [expected]


def test_day_metric_max_and_p99_do_not_warn(write):
    assert problems(write, with_targets("  unresolved: {max: 1}\n  response_time: {p99: 1h}\n"
                                        "  by_kind:\n    rapid_response: {resolution_time: {p99: 2h}}\n")) == []
