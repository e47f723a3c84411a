"""The crowd's walk over idle ticks is the tick-by-tick arithmetic (Hypothesis, no SimPy).

:meth:`CrowdBehaviour.walk` replaces, for the ticks after one found idle, the loop that asked
:meth:`CrowdBehaviour.idle` at each tick and stepped with ``at + (next_change(at) - at)``. On a bare
crowd (no event, no unit: a stand-in for the replication) drawn at random in growth, hold or
dispersal, with and without an escalation timer running, both must stop at the same tick (the same
float), say the same (busy or not) and leave the size and its time the same, float for float.
"""

from __future__ import annotations

import math
from types import SimpleNamespace

from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st

from sispam_sim.engine.kinds.crowd_buildup import Crowd, CrowdBehaviour

FAST = settings(max_examples=3000, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])

GROWTH = st.one_of(st.integers(1, 30).map(float), st.sampled_from([7 / 60, 13 / 60, 2.5, 0.3, 1 / 3]),
                   st.floats(0.05, 40, allow_nan=False))
PER_OFFICER = st.sampled_from([0.5, 3.0, 5.0, 7.5, 10.0, 12.5, 20.0])
FACTOR = st.sampled_from([1.0, 1.1, 1.25, 1.3, 1.5, 2.0, 3.0])
CALL = st.one_of(st.floats(0, 1, exclude_max=True), st.integers(0, 600).map(float), st.floats(0, 900))


@st.composite
def situations(draw):
    """(behaviour, replication stand-in, incident stand-in, a start found idle, the next event)."""
    initial = draw(st.integers(0, 300))
    peak = initial + draw(st.integers(0, 1500))
    escalation = None
    if draw(st.booleans()):
        escalation = SimpleNamespace(below=draw(st.sampled_from([0.5, 0.8, 1.0])),
                                     after=draw(st.sampled_from([0.0, 1.0, 1.5, 2.5, 5.0, 15.0])), factor=draw(FACTOR))
    spec = SimpleNamespace(crowd=SimpleNamespace(initial=initial, growth=draw(GROWTH), peak=max(peak, 1)),
                           per_officer=draw(PER_OFFICER), escalation=escalation)
    call = draw(CALL)
    lasts = draw(st.one_of(st.just(0.0), st.integers(0, 240).map(float), st.floats(0, 240)))
    level = draw(st.integers(1, 3))
    start = call + draw(st.one_of(st.integers(0, 400).map(float), st.floats(0, 400)))
    ahead = start + draw(st.one_of(st.integers(0, 300).map(float), st.floats(0, 300), st.just(math.inf)))
    on_scene = draw(st.integers(0, 400))
    past = draw(st.floats(0, 20))   # how long the escalation timer has run at the start
    controlled_early = draw(st.booleans())   # for the dispersal: controlled since the hold ended
    return spec, call, lasts, level, start, ahead, on_scene, past, controlled_early


def build(spec, call, lasts, level, start, on_scene, past, controlled_early):
    """A crowd brought to ``start`` through its hold end (the dispersal then incremental), its
    incident at the need of ``start``, control and escalation timer consistent with it."""
    crowd = Crowd(spec, call, lasts)
    crowd.controlled = controlled_early
    if start > crowd.hold_end:
        crowd.advance(crowd.hold_end)
    crowd.advance(start)
    need = crowd.need(level)
    crowd.controlled = on_scene >= need if start <= crowd.hold_end else crowd.controlled
    inc = SimpleNamespace(state=crowd, need=[need], level=level, on_scene=[on_scene], assigned=[on_scene],
                          units=[], caps=[0], priority=2, talks=None)
    if crowd.below is not None and on_scene < crowd.below * need:
        crowd.below_since = start - past
    rep = SimpleNamespace(units=SimpleNamespace(free_cap=[0] * 64), dispatcher=SimpleNamespace(preempt=False))
    return rep, inc


def tick_by_tick(behaviour, rep, inc, at, ahead):
    """The loop the walk replaces: idle at each tick before ``ahead``, stepping with next_change."""
    crowd = inc.state
    while True:
        at = at + (crowd.next_change(at, inc.level) - at)
        if at >= ahead:
            return at, False
        if not behaviour.idle(rep, inc, at):
            return at, True


@FAST
@given(situations())
def test_the_walk_is_the_tick_by_tick_loop(situation):
    spec, call, lasts, level, start, ahead, on_scene, past, controlled_early = situation
    behaviour = CrowdBehaviour()
    rep, inc = build(spec, call, lasts, level, start, on_scene, past, controlled_early)
    assume(inc.state.controlled == (on_scene >= inc.need[0]))   # as the re-assessment leaves it
    assume(behaviour.idle(rep, inc, start))
    rep2, inc2 = build(spec, call, lasts, level, start, on_scene, past, controlled_early)
    ahead = min(ahead, start + 2000.0)   # a bound for the reference loop's length
    walked = behaviour.walk(rep, inc, start, ahead)
    reference = tick_by_tick(behaviour, rep2, inc2, start, ahead)
    crowd = inc2.state
    phase = "growing" if start < crowd.peak_time else "holding" if start < crowd.hold_end else "dispersing"
    timer = ", timer" if crowd.below_since is not None else ""
    event(phase + (", busy" if reference[1] else ", to the next event") + timer)
    assert walked == reference
    assert (inc.state.size, inc.state.t) == (inc2.state.size, inc2.state.t)


@FAST
@given(CALL, st.integers(1, 500))
def test_the_ticks_are_the_whole_minutes_after_the_call(call, ticks):
    """Far from peak and hold end, the chain ``r + (next_change(r) - r)`` from the call visits
    ``(call + (j - 1)) + 1.0`` for j = 1, 2, ...: the whole minutes after the call."""
    spec = SimpleNamespace(crowd=SimpleNamespace(initial=0, growth=1e-6, peak=10**6), per_officer=5.0, escalation=None)
    crowd = Crowd(spec, call, 10**6)
    r = call
    for j in range(1, ticks + 1):
        r = r + (crowd.next_change(r, 1) - r)
        assert r == (call + (j - 1)) + 1.0
