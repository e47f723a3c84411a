"""Format 1.1 forces on hand-computed timelines: a unit type's band of crowd levels
(``max_level``, the hand-over) and the highest tier a call for help may call on (``tier``)."""

from __future__ import annotations

import pytest

from handcase import BASE, FAR, NEAR, by_label, drive
from handcase import scenario as hand_scenario
from sispam_sim.engine.model import run_replication

CROWD_CONTROL = ["crowd_control"]


def _actions(result, action: str) -> list[tuple[float, str]]:
    return [(e.time, e.unit) for e in result.events if e.action == action]


def test_a_hijau_unit_is_released_when_the_crowd_reaches_kuning_and_tier_2_covers_it():
    """Dalmas Awal (crew 10, tier 1, max_level hijau) stands at the KPU; Dalmas Lanjut (crew 30,
    tier 2) is at FAR, d = drive(BASE, FAR, 40 km/h) ~ 11.7 min away, mobilise 0.

    The crowd: 200 people from its call at 07:00 (minute 60), holding 60 min, 1 per 10 officers
    -> need 20 at hijau. Escalation below 0.8 for 15 min, factor 1.5.
      60: Awal sent and on scene (travel 0): 10 < 0.8 x 20 = 16, the timer starts.
      75: kuning (15 min below the line). Awal's band ends at hijau: it is released at 75.
          need = ceil(20 x 1.5) = 30; tier 2 opens: Lanjut is sent at 75. The timer restarts.
      75 + d: Lanjut on scene, 30 >= 0.8 x 30: the timer stops; 30 >= 30: full strength.
    Awal is never sent again (it does not go to a crowd above hijau). The crowd holds to 120 and
    disperses at 10/min while controlled: gone at 140 (Lanjut's 30 never exceed the need by a
    whole unit, so nobody is released before)."""
    d = drive(BASE, FAR, 40)
    types = {"awal": {"crew": 10, "speed_kmh": 40, "capabilities": CROWD_CONTROL, "max_level": "hijau"},
             "lanjut": {"crew": 30, "speed_kmh": 40, "capabilities": CROWD_CONTROL, "tier": 2}}
    units = [{"id": "awal", "type": "awal", "base": "kpu"}, {"id": "lanjut", "type": "lanjut", "base": "far"}]
    sc = hand_scenario({"kpu": BASE, "far": FAR}, types, units, [{
        "kind": "crowd_buildup", "label": "crowd", "at": "07:00", "where": {"place": "kpu"},
        "crowd": {"initial": 200, "growth": "10/min", "peak": 200, "lasts": "60min"}, "per_officer": 10,
        "escalation": {"below": 0.8, "after": "15min", "factor": 1.5}}], version=1.1)
    result = run_replication(sc, 0)
    rec = result.incidents[0]
    assert [t for t, _ in _actions(result, "escalate")] == [75.0]
    assert _actions(result, "dispatch") == [(60.0, "awal"), (75.0, "lanjut")]
    assert (75.0, "awal") in _actions(result, "release")
    assert rec.max_level == 2 and rec.need == 30
    assert rec.full_strength == pytest.approx(75.0 + d, abs=1e-9)
    assert rec.resolved == pytest.approx(140.0, abs=1e-6)


def test_without_a_band_the_same_unit_stays_and_counts_at_kuning():
    """The same day with Awal's max_level left at merah (a version 1 unit): at 75 it stays on
    scene and counts, Lanjut joins it: 40 on scene >= 30 from 75 + d."""
    d = drive(BASE, FAR, 40)
    types = {"awal": {"crew": 10, "speed_kmh": 40, "capabilities": CROWD_CONTROL},
             "lanjut": {"crew": 30, "speed_kmh": 40, "capabilities": CROWD_CONTROL, "tier": 2}}
    units = [{"id": "awal", "type": "awal", "base": "kpu"}, {"id": "lanjut", "type": "lanjut", "base": "far"}]
    sc = hand_scenario({"kpu": BASE, "far": FAR}, types, units, [{
        "kind": "crowd_buildup", "label": "crowd", "at": "07:00", "where": {"place": "kpu"},
        "crowd": {"initial": 200, "growth": "10/min", "peak": 200, "lasts": "60min"}, "per_officer": 10,
        "escalation": {"below": 0.8, "after": "15min", "factor": 1.5}}])
    result = run_replication(sc, 0)
    assert (75.0, "awal") not in _actions(result, "release")
    assert result.incidents[0].full_strength == pytest.approx(75.0 + d, abs=1e-9)


@pytest.mark.parametrize("tier, answered_by", [(3, "brimob-near"), (2, "resmob"), (None, "resmob")])
def test_a_hostage_call_with_tier_3_is_answered_by_the_nearest_tier_3_unit(tier, answered_by):
    """A hostage call at the KPU (07:00 = minute 60) needs 12 enforcement personnel, work 30 min.
    Resmob (crew 12, tier 1) is at FAR; two Brimob platoons (crew 30, tier 3): one at NEAR
    (~1 km), one at FAR. Mobilise 0, 40 km/h.
    - tier: 3 -> every unit may go; the earliest arrival is Brimob at NEAR:
      arrival 60 + drive(BASE, NEAR, 40) ~ 62.0, resolved 30 min later.
    - tier: 2, or no tier (level 1, as in version 1): Brimob's tier 3 stays closed; Resmob goes
      from FAR: arrival 60 + drive(BASE, FAR, 40)."""
    types = {"resmob": {"crew": 12, "speed_kmh": 40, "capabilities": ["enforcement"]},
             "brimob": {"crew": 30, "speed_kmh": 40, "capabilities": ["enforcement"], "tier": 3}}
    units = [{"id": "resmob", "type": "resmob", "base": "far"},
             {"id": "brimob-far", "type": "brimob", "base": "far"},
             {"id": "brimob-near", "type": "brimob", "base": "near"}]
    entry = {"kind": "rapid_response", "label": "hostage", "at": "07:00", "where": {"place": "kpu"},
             "needs": {"enforcement": 12}, "work": "30min", "priority": 1}
    extra = {}
    if tier is not None:
        entry["tier"], extra["version"] = tier, 1.1
    sc = hand_scenario({"kpu": BASE, "far": FAR, "near": NEAR}, types, units, [entry], **extra)
    rec = by_label(run_replication(sc, 0))["hostage"]
    assert rec.units == [answered_by]
    where = NEAR if answered_by == "brimob-near" else FAR
    assert rec.first_arrival == pytest.approx(60.0 + drive(BASE, where, 40), abs=1e-9)
    assert rec.resolved == pytest.approx(rec.first_arrival + 30.0, abs=1e-9)
