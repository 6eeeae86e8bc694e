"""Fast alternating leg raises (issue 10): a set whose reps come faster than the
exercise's low-pass passes is smoothed for its own rep rate, each leg is read
while the other is up, and legs raised in turn are not taken for one movement
seen twice."""

from __future__ import annotations

import math

import numpy as np
import pytest

from formcheck.events import drive_signal, resolve_overlap
from formcheck.exercises import STRAIGHT_LEG_RAISE
from formcheck.exercises.base import KNEE_MARGIN_DEG, Cond
from formcheck.judging import judge, timing_gaps
from formcheck.reps import RATE_CUTOFF_FACTOR, RepEvent, rep_cutoff_hz, rep_rate_hz

SLR = STRAIGHT_LEG_RAISE
FPS = 30.0


def _alternating(period_s: float, n: int, amp: float = 50.0, noise: float = 1.0, seed: int = 0):
    """One leg's elevation when two legs take turns: a raise of `amp` every
    period_s (its own), down in between, with landmark jitter."""
    t = np.arange(0, 2.0 + n * period_s + 2.0, 1 / FPS)
    x = np.zeros_like(t)
    for k in range(n):
        c = 2.0 + k * period_s + period_s / 2
        x += amp * np.clip(np.cos(np.pi * (t - c) / (period_s / 2)), 0, None) * (np.abs(t - c) < period_s / 4)
    return t, x + np.random.default_rng(seed).normal(0, noise, len(t))


def _slow_set(n: int = 3, up_s: float = 2.0, hold_s: float = 4.0, rest_s: float = 3.0, amp: float = 60.0):
    """Slow straight leg raises: lift, hold, lower, rest."""
    t = np.arange(0, n * (2 * up_s + hold_s + rest_s) + 2, 1 / FPS)
    x = np.zeros_like(t)
    t0 = 1.0
    for _ in range(n):
        lift = np.clip((t - t0) / up_s, 0, 1)
        lower = np.clip((t - (t0 + up_s + hold_s)) / up_s, 0, 1)
        x += amp * (lift - lower)
        t0 += 2 * up_s + hold_s + rest_s
    return t, x + np.random.default_rng(1).normal(0, 1.0, len(t))


def test_rate_of_a_fast_alternating_set_is_measured():
    # The real banded set: each leg rises every 1.4 s (0.7 Hz).
    t, x = _alternating(1.4, 8)
    assert rep_rate_hz(t, x, SLR.rep.min_range_deg) == pytest.approx(1 / 1.4, rel=0.1)


def test_slow_sets_jitter_and_stillness_give_no_rate():
    t, x = _slow_set()
    assert math.isnan(rep_rate_hz(t, x, SLR.rep.min_range_deg))
    # Landmark jitter alone (no movement of half a rep's range) is no rate.
    t2, j = _alternating(1.4, 8, amp=3.0)
    assert math.isnan(rep_rate_hz(t2, j, SLR.rep.min_range_deg))
    still = np.full(300, 40.0)
    assert math.isnan(rep_rate_hz(np.arange(300) / FPS, still, SLR.rep.min_range_deg))
    assert math.isnan(rep_rate_hz(np.arange(5) / FPS, np.arange(5.0), 15.0))


def test_cutoff_rises_with_the_rate_only_when_needed():
    assert rep_cutoff_hz(0.7, math.nan, 3.0) == 0.7
    assert rep_cutoff_hz(0.7, 0.2, 3.0) == 0.7  # 2.5 x 0.2 = 0.5 Hz: 0.7 Hz passes it already
    assert rep_cutoff_hz(0.7, 0.72, 3.0) == pytest.approx(RATE_CUTOFF_FACTOR * 0.72)
    assert rep_cutoff_hz(0.7, 2.0, 3.0) == 3.0


def test_the_lowered_leg_is_read_only_in_a_fast_set():
    # This leg is the raised one in the first half, the other leg in the second.
    act = np.array([1.0, 1.0, 0.0, 0.0, np.nan])
    feats = {"leg_raise": np.array([60.0, 50.0, 70.0, 65.0, 40.0]),
             "own_leg_raise": np.array([60.0, 50.0, 5.0, 2.0, 40.0]), "raised_leg": act}
    slow = drive_signal(SLR, feats)
    fast = drive_signal(SLR, feats, fast=True)
    np.testing.assert_array_equal(slow[:2], [60.0, 50.0])
    assert np.isnan(slow[2:]).all()
    np.testing.assert_array_equal(fast[:4], [60.0, 50.0, 5.0, 2.0])
    assert np.isnan(fast[4])  # not visible: still nothing


def _ev(start, peak, end, amp=50.0):
    return RepEvent(start, peak, end, 0, 0, 0, 10.0 + amp, 10.0, 1.0, False)


def test_legs_raised_in_turn_are_both_counted():
    # Alternating: each leg's lowering overlaps the other's lift, but their tops
    # are half a cycle apart.
    kept = []
    seq = [("right", _ev(1.2, 2.5, 3.6)), ("left", _ev(2.6, 3.1, 3.9)), ("right", _ev(3.3, 3.8, 4.4)),
           ("left", _ev(4.0, 4.5, 5.0))]
    for item in seq:
        kept, ok = resolve_overlap(kept, item)
        assert ok
    assert [s for s, _ in kept] == ["right", "left", "right", "left"]


def test_the_same_movement_seen_on_both_legs_is_counted_once():
    # A mirror image, or a support leg dragged along: the tops coincide.
    kept = []
    for item in [("right", _ev(0, 1.5, 3)), ("right", _ev(4, 5.5, 7)), ("left", _ev(4.1, 5.6, 7.1, 45))]:
        kept, _ = resolve_overlap(kept, item)
    assert [(s, e.start_t) for s, e in kept] == [("right", 0), ("right", 4)]


def _rep(times, drive, start_t, end_t):
    s = int(np.searchsorted(times, start_t))
    e = int(np.searchsorted(times, end_t))
    p = s + int(np.nanargmax(drive[s:e + 1]))
    return RepEvent(start_t=float(times[s]), peak_t=float(times[p]), end_t=float(times[e]), start_i=s, peak_i=p,
                    end_i=e, peak_value=float(drive[p]), rest_value=float(drive[s]), p_peak=1.0, partial=False)


def test_a_leg_lost_mid_hold_leaves_the_hold_and_the_legs_faults_unjudged():
    """The real raise read whole: up to 90° at 16 s, read at 29° for 2.2 s, up at
    82° again, lowered at 22 s."""
    t = np.arange(0, 25, 1 / FPS)
    d = np.full_like(t, 2.0)
    d[(t >= 15.5) & (t < 16.2)] = np.linspace(2, 90, int(np.sum((t >= 15.5) & (t < 16.2))))
    d[(t >= 16.2) & (t < 17.0)] = 90.0
    d[(t >= 17.0) & (t < 19.2)] = 29.0
    d[(t >= 19.2) & (t < 22.0)] = 82.0
    d[(t >= 22.0) & (t < 22.5)] = np.linspace(82, 2, int(np.sum((t >= 22.0) & (t < 22.5))))
    gaps = timing_gaps(SLR, t, d, _rep(t, d, 15.5, 22.6))
    assert set(gaps) == {"short_hold", "knee_bent"}
    assert gaps["knee_bent"].startswith("the leg read 29° in the middle of its top hold")


def test_a_hold_that_only_sags_is_still_timed():
    t = np.arange(0, 12, 1 / FPS)
    d = np.full_like(t, 2.0)
    up = (t >= 2.0) & (t < 8.0)
    d[up] = 70.0 - 10.0 * np.sin(np.linspace(0, np.pi, int(up.sum())))  # sags to 60°, back to 70°
    assert timing_gaps(SLR, t, d, _rep(t, d, 1.9, 8.5)) == {}


@pytest.mark.parametrize("name, code, metric, limit, op", [
    ("hamstring_stretch", "knee_bent", "knee_angle_deg", 170.0, "<"),
    ("running_lunge", "front_knee_forward", "shin_forward_deg", 15.0, ">"),
    ("running_lunge", "hips_high", "back_hip_angle_deg", 160.0, "<"),
    ("figure_four", "thigh_not_pulled", "support_hip_flexion_deg", 80.0, "<"),
])
def test_hold_position_faults_need_a_reading_clearly_past_the_limit(name, code, metric, limit, op):
    from formcheck.exercises import get_exercise

    ex = get_exercise(name)
    cond: Cond = next(c for f in ex.faults if f.code == code for c in f.when)
    assert cond.margin >= KNEE_MARGIN_DEG
    sign = -1.0 if op == "<" else 1.0
    near = {metric: limit + sign * (cond.margin - 1.0)}
    far = {metric: limit + sign * (cond.margin + 1.0)}
    faults, unjudged = judge(ex, near, "side")
    assert code not in {f.code for f in faults}
    assert "within the pose model's error" in unjudged[code]
    faults, unjudged = judge(ex, far, "side")
    assert code in {f.code for f in faults} and code not in unjudged


def _valleys(peaks, troughs, rest0=14.0, period=2.0):
    """A set-up rest at rest0, then reps rising to `peaks` and coming down only to
    `troughs` between them (the set rests above its set-up posture)."""
    knots_t, knots_v = [0.0, 2.0], [rest0, rest0]
    t0 = 2.0
    for k, pk in enumerate(peaks):
        knots_t += [t0 + period / 2, t0 + period]
        knots_v += [pk, troughs[k] if k < len(troughs) else rest0]
        t0 += period
    knots_t.append(t0 + 2.0)
    knots_v.append(rest0)
    t = np.arange(0, knots_t[-1], 1 / FPS)
    return t, np.interp(t, knots_t, knots_v) + np.random.default_rng(3).normal(0, 0.5, len(t))


def test_reps_resting_above_the_set_up_posture_are_counted_one_by_one():
    from formcheck.reps import RepParams, run_reps

    # The real home clamshell: closed knees at 14°, reps to 46-63°, resting 21-26° between them.
    t, x = _valleys([46, 63, 62, 63, 55, 53], [21, 25, 24, 23, 25])
    events, _ = run_reps(t, x, RepParams(max_rep_s=10.0, stall_s=3.0))
    assert len(events) == 6
    assert [round(e.peak_t) for e in events] == [3, 5, 7, 9, 11, 13]


def test_a_sag_of_less_than_half_the_excursion_does_not_split_a_rep():
    from formcheck.reps import RepParams, run_reps

    # Up to 60°, sags to 45° (a quarter of the 60° excursion from 0°), up to 60° again, down.
    t = np.arange(0, 12, 1 / FPS)
    x = np.interp(t, [0, 2, 3, 4, 5, 6, 8, 12], [0, 0, 60, 45, 60, 60, 0, 0])
    events, _ = run_reps(t, x, RepParams())
    assert len(events) == 1
