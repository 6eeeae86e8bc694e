"""Cleaning: gap filling, swap repair, smoothing, One Euro, on tracks with known truth."""

import numpy as np
import pytest

from formcheck.cleaning import (
    OneEuro,
    apply_permutation,
    clean_track,
    interpolate_gaps,
    one_euro_step,
    smooth_zero_phase,
    swap_permutations,
)
from formcheck.landmarks import Lm
from formcheck_synth.catalog import build
from formcheck_synth.kit import Defects, track_from_motion
from formcheck_synth.scripts import CameraSpec, Scenario


def test_interpolate_short_gaps_only():
    t = np.arange(20) / 10.0  # 10 fps
    x = np.arange(20, dtype=float)
    x[3:5] = np.nan  # 0.3 s between valid samples: filled
    x[10:15] = np.nan  # 0.6 s: left alone
    out = interpolate_gaps(x, t, max_gap_s=0.3)
    np.testing.assert_allclose(out[3:5], [3, 4])
    assert np.isnan(out[10:15]).all()


def test_smoothing_has_no_lag_and_removes_noise():
    t = np.arange(0, 10, 1 / 30)
    clean = 30 * np.sin(2 * np.pi * 0.3 * t)
    noisy = clean + np.random.default_rng(0).normal(0, 3, len(t))
    out = smooth_zero_phase(noisy, t, 3.0)
    assert np.std(out - clean) < 0.5 * np.std(noisy - clean)
    # Zero phase: the peak does not move (within one frame).
    assert abs(np.argmax(out[:100]) - np.argmax(clean[:100])) <= 1


def test_smoothing_ignores_missing_samples():
    t = np.arange(60) / 30
    x = np.full(60, 5.0)
    x[20:23] = np.nan
    out = smooth_zero_phase(x, t, 3.0)
    np.testing.assert_allclose(out[np.isfinite(out)], 5.0)


def test_one_euro_smooths_at_rest_and_follows_motion():
    rng = np.random.default_rng(1)
    st = None
    p = OneEuro()
    outs = []
    for i in range(120):
        t = i / 30
        truth = 100.0 if i < 60 else 100.0 + 200 * (t - 2.0)
        st = one_euro_step(st, t, np.array([truth + rng.normal(0, 2)]), p)
        outs.append(st.x[0])
    rest = np.array(outs[20:60])
    assert np.std(rest) < 1.0  # jitter of 2 px reduced
    lag = (100 + 200 * (119 / 30 - 2.0)) - outs[-1]
    assert 0 <= lag < 25  # under 1/8 s of lag at 200 px/s


def test_swap_repair_restores_labels_exactly():
    sc = Scenario("clamshell", reps=3, camera=CameraSpec(view="feet_end"))
    b = build(sc)
    truth = track_from_motion(b.motion, b.camera)
    swapped = track_from_motion(b.motion, b.camera, Defects(swap_rate=0.05, seed=7))
    assert swapped.meta["swapped_frames"] > 0
    px = swapped.px
    fixed = apply_permutation(px, swap_permutations(px))
    legs = [int(Lm.LEFT_KNEE), int(Lm.RIGHT_KNEE), int(Lm.LEFT_ANKLE), int(Lm.RIGHT_ANKLE)]
    np.testing.assert_allclose(fixed[:, legs], truth.px[:, legs], atol=1e-6)


def test_clean_track_keeps_detected_mask_and_fills_dropouts():
    sc = Scenario("clamshell", reps=3)
    b = build(sc)
    tr = track_from_motion(b.motion, b.camera, Defects(dropout_rate=0.03, seed=2))
    c = clean_track(tr)
    np.testing.assert_array_equal(c.detected, tr.detected)  # coverage is the model's, not ours
    assert np.isfinite(c.xy[~tr.detected]).mean() > 0.9  # short dropouts interpolated
    assert c.meta["swaps_repaired"] == 0


@pytest.mark.parametrize("seed", [0, 1])
def test_clean_track_error_is_small_with_noise(seed):
    sc = Scenario("clamshell", reps=3)
    b = build(sc)
    truth = track_from_motion(b.motion, b.camera)
    noisy = track_from_motion(b.motion, b.camera, Defects(noise_px=2.0, seed=seed))
    c = clean_track(noisy, cutoff_hz=3.0)
    err = np.linalg.norm(c.px - truth.px, axis=-1)
    assert np.nanmedian(err) < 1.2  # px, from 2 px of jitter per axis


def test_revert_long_swaps_needs_segment_length_evidence():
    """A long repaired knee swap is undone when the swapped labels fit the median
    thigh lengths no better, and kept when they clearly do; short ones stay."""
    from formcheck.cleaning import revert_long_swaps
    from formcheck.landmarks import Lm

    n = 200  # the swapped run is a minority of the clip, as real swaps are
    xy = np.zeros((n, 33, 2))
    lh, rh, lk, rk = int(Lm.LEFT_HIP), int(Lm.RIGHT_HIP), int(Lm.LEFT_KNEE), int(Lm.RIGHT_KNEE)
    xy[:, lh], xy[:, rh] = (0.0, 0.0), (100.0, 0.0)
    xy[:, lk], xy[:, rk] = (0.0, 80.0), (100.0, 80.0)  # each knee 80 px below its own hip
    perm = np.tile(np.arange(33), (n, 1))
    perm[10:50, lk], perm[10:50, rk] = rk, lk  # a 40-frame "repair" the raw labels do not need
    perm[52:54, lk], perm[52:54, rk] = rk, lk  # a 2-frame one
    out = revert_long_swaps(xy, perm, max_frames=30)
    assert (out[10:50, lk] == lk).all() and (out[52:54, lk] == rk).all()
    # Raw labels really swapped for those 40 frames: the repair is backed and kept.
    xy2 = xy.copy()
    xy2[10:50, lk], xy2[10:50, rk] = xy[10:50, rk], xy[10:50, lk]
    out2 = revert_long_swaps(xy2, perm, max_frames=30)
    assert (out2[10:50, lk] == rk).all()


def test_revert_long_swaps_with_a_landmark_never_seen_warns_nothing():
    """A knee never seen in the clip (all NaN, as a tracked side-lying body can give):
    no RuntimeWarning (pytest turns warnings into errors), and the swapped run is undone."""
    from formcheck.cleaning import revert_long_swaps
    from formcheck.landmarks import Lm

    n = 40
    xy = np.random.default_rng(0).normal(size=(n, 33, 2))
    xy[:, Lm.LEFT_KNEE] = np.nan
    perm = np.tile(np.arange(33), (n, 1))
    perm[5:35, Lm.LEFT_KNEE], perm[5:35, Lm.RIGHT_KNEE] = Lm.RIGHT_KNEE, Lm.LEFT_KNEE
    out = revert_long_swaps(xy, perm, max_frames=10)
    assert (out[:, Lm.LEFT_KNEE] == Lm.LEFT_KNEE).all() and (out[:, Lm.RIGHT_KNEE] == Lm.RIGHT_KNEE).all()
