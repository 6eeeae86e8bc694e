"""Look-alike checks added for the session-27 real misses (formcheck.recognise,
formcheck.recognise_evidence):

- high knees on the spot are not running: each step drives the thigh up to
  level or past it, where a runner's swings 45-65° forward (`thigh_peaks`,
  read on screen from the knees' drop below the hips, so it holds from the
  front, the side or at an angle, and across a zoom);
- lying on the back, both legs raised together (a lying two-leg raise) are not
  a hamstring stretch even where the model mixes up which leg is which: the
  knees stay side by side (`knee_gap_on_screen`);
- on all fours, a lift is read for its shape only where the body reads on all
  fours through it (a head-on view where the model loses the posture draws a
  looping, barely travelling knee path).

Each rule test starts from a kit track's own evidence (via
tests.test_recognise_rules) and changes only the numbers under test.
Tolerances: thigh angles to 2°; the top-1 movement exactly.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from formcheck.cleaning import SMOOTH_HZ, clean_track
from formcheck.landmarks import Lm
from formcheck.recognise_evidence import _rep_evidence, knee_gap_on_screen, thigh_peaks
from formcheck_synth.others import KIT, cases, kit_track
from tests.test_recognise_rules import _kit_evidence, _top

FPS = 30.0


def _stepping(peak_deg: float, seconds: float = 4.0, step_hz: float = 2.8, width: float = 1.0,
              zoom_at_s: float | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Times [N] and image points [N,33,2] of a person stepping on the spot, seen
    upright: the trunk 100 px, thighs 80 px; the legs take turns lifting the
    thigh from hanging to peak_deg and back, one step every 1/step_hz s. width
    scales the image horizontally (a turn of the camera about the person changes
    the sideways spread, not the drops); from zoom_at_s on the picture is 1.6x
    larger (a cut to a close-up)."""
    t = np.arange(0.0, seconds, 1.0 / FPS)
    px = np.full((len(t), 33, 2), np.nan)
    phase = (t * step_hz) % 2.0  # 0-1: the left leg's step, 1-2: the right's
    lift = np.sin(np.pi * (phase % 1.0)) * math.radians(peak_deg)
    for hip, knee, x, mine in ((Lm.LEFT_HIP, Lm.LEFT_KNEE, 90.0, phase < 1.0),
                               (Lm.RIGHT_HIP, Lm.RIGHT_KNEE, 110.0, phase >= 1.0)):
        a = np.where(mine, lift, 0.0)
        px[:, hip] = np.stack([np.full_like(t, x), np.full_like(t, 200.0)], axis=1)
        px[:, knee] = np.stack([x + width * 80.0 * np.sin(a), 200.0 + 80.0 * np.cos(a)], axis=1)
    px[:, Lm.LEFT_SHOULDER] = (85.0, 100.0)
    px[:, Lm.RIGHT_SHOULDER] = (115.0, 100.0)
    if zoom_at_s is not None:
        px[t >= zoom_at_s] *= 1.6
    return t, px


@pytest.mark.parametrize("peak", [55.0, 95.0])
@pytest.mark.parametrize("width", [1.0, 0.2], ids=["side", "front"])
def test_thigh_peaks_read_how_high_each_step_lifts_the_thigh(peak, width):
    t, px = _stepping(peak, width=width)
    r = thigh_peaks(t, px, np.ones(len(t), bool))
    assert r["thigh_peak"] == pytest.approx(peak, abs=2.0)
    assert r["thigh_peaks"] >= 10


def test_thigh_peaks_hold_across_a_cut_to_a_close_up():
    t, px = _stepping(95.0, zoom_at_s=2.0)
    assert thigh_peaks(t, px, np.ones(len(t), bool))["thigh_peak"] == pytest.approx(95.0, abs=2.0)


def test_thigh_peaks_need_a_hanging_thigh_and_four_steps():
    t, px = _stepping(95.0, seconds=1.0)  # under four steps
    assert math.isnan(thigh_peaks(t, px, np.ones(len(t), bool))["thigh_peak"])
    t, px = _stepping(95.0)
    px[:, [Lm.LEFT_KNEE, Lm.RIGHT_KNEE], 1] = 200.0  # both knees at hip height: sitting
    assert math.isnan(thigh_peaks(t, px, np.ones(len(t), bool))["thigh_peak"])


def test_steps_that_lift_the_thigh_to_level_are_not_running():
    """High knees on the spot, however the model's depth reads the strides."""
    ev = _kit_evidence("running")
    assert ev["thigh_peak"] < 78.0
    assert _top(ev) == "running"
    assert _top({**ev, "thigh_peak": 92.0}) is None
    # Also when the only running evidence is the hips low at midstance (any view).
    phase_only = {**ev, "stride_share": 0.0, "step_band": 0.0, "bounce_band": 0.0, "phase_corr": 0.44,
                  "phase_turns": 13.0}
    assert _top(phase_only) == "running"
    assert _top({**phase_only, "thigh_peak": 92.0}) is None


def test_knee_gap_on_screen_in_leg_lengths():
    px = np.full((2, 33, 2), np.nan)
    px[:, Lm.LEFT_HIP], px[:, Lm.RIGHT_HIP] = (100.0, 100.0), (100.0, 100.0)
    px[:, Lm.LEFT_KNEE], px[:, Lm.LEFT_ANKLE] = (100.0, 50.0), (100.0, 0.0)  # a leg 100 px long, raised
    px[0, Lm.RIGHT_KNEE], px[0, Lm.RIGHT_ANKLE] = (110.0, 50.0), (110.0, 0.0)  # the other beside it
    px[1, Lm.RIGHT_KNEE], px[1, Lm.RIGHT_ANKLE] = (150.0, 100.0), (200.0, 100.0)  # the other on the floor
    assert knee_gap_on_screen(px) == pytest.approx([0.1, math.sqrt(0.5)], abs=0.01)


def test_both_legs_raised_together_lying_down_are_not_a_hamstring_stretch():
    """The model may read one of two raised legs bent (legs_alike 0): the knees side by side still tell."""
    ev = _kit_evidence("hamstring_stretch")
    lying = {**ev, "supine": 1.0, "hamstring_stretch.hold_legs_alike": 0.0}
    assert _top({**lying, "hamstring_stretch.hold_knee_gap": 0.9}) == "hamstring_stretch"  # the other leg down
    assert _top({**lying, "hamstring_stretch.hold_knee_gap": 0.42}) == "hamstring_stretch"  # the other knee bent
    assert _top({**lying, "hamstring_stretch.hold_knee_gap": 0.15}) is None
    # Standing and seated folds keep the knees together: not lying down, still a stretch.
    assert _top({**ev, "supine": 0.0, "hamstring_stretch.hold_knee_gap": 0.05}) == "hamstring_stretch"


def test_lifts_are_read_for_their_shape_only_where_the_body_reads_on_all_fours():
    _n, _what, sc, view, h, seed = next(c for c in cases(KIT) if c[0] == "fire_hydrant")
    clean = clean_track(kit_track(sc, view, h, seed), cutoff_hz=SMOOTH_HZ)
    whole = _rep_evidence("fire_hydrant", clean, clean.world)
    fours = _rep_evidence("fire_hydrant", clean, clean.world, np.ones(len(clean), bool))
    lost = _rep_evidence("fire_hydrant", clean, clean.world, np.zeros(len(clean), bool))
    assert whole["reps"] >= 2 and math.isfinite(whole["top_knee_angle"])
    assert fours == pytest.approx(whole, nan_ok=True)
    assert lost["reps"] == whole["reps"]  # every rep still counts
    assert math.isnan(lost["top_knee_angle"]) and math.isnan(lost["swing_back_share"])
