"""Look-alike checks added for the session-24 real near misses (formcheck.recognise,
formcheck.recognise_evidence):

- a straight leg raise lifts one leg from the floor while the other stays down:
  leg scissors (each lift from a leg already up) and both legs up at the tops
  are not one, and a chosen straight leg raise is then not graded;
- a clamshell bends both knees and lies with the lower hip on the floor: a
  straight-legged side-lying lift (bottom-leg adduction) and a side plank are not
  clamshells;
- lying on the back, a hamstring stretch raises one leg: both legs up alike (a
  double-leg raise) is not one; a hold counts only where the stretched leg stays
  put (dynamic leg hugs swap legs under a still trunk);
- knee_loop reads only knee paths that span half a thigh on screen (a lift seen
  end-on is a short scribble).

Each rule test starts from a kit track's own evidence (formcheck_synth) and
changes only the numbers under test. Tolerances: the top-1 movement exactly;
angles to 1°; the hold rule on a spread either side of HELD_LEG_SPREAD.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from formcheck.landmarks import Lm
from formcheck.recognise import Recognition, _normalise, mismatch, movement_scores
from formcheck.recognise_evidence import HELD_LEG_SPREAD, _leg_held, hips_up_on_screen, knee_loop, low_leg_raise
from tests.test_recognise_rules import _kit_evidence, _top


def _rec(ev: dict[str, float]) -> Recognition:
    ranked = _normalise(movement_scores(ev))
    (top, p), rest = ranked[0], ranked[1:]
    return Recognition(top, p, rest, ev, movement_scores(ev))


@pytest.mark.parametrize("change", [
    {"straight_leg_raise.rest": 68.0},  # each lift from a leg already up (scissors)
    {"straight_leg_raise.top_low_leg_raise": 50.0},  # the other leg up at the tops
], ids=["lifts-from-a-raised-leg", "other-leg-up"])
def test_both_legs_up_is_not_a_straight_leg_raise(change):
    ev = _kit_evidence("straight_leg_raise")
    assert ev["straight_leg_raise.rest"] < 30.0
    assert ev["straight_leg_raise.top_low_leg_raise"] < 25.0
    other = {**ev, **change}
    assert _top(other) != "straight_leg_raise"
    assert mismatch(_rec(other), "straight_leg_raise") is not None  # a chosen raise is not graded


@pytest.mark.parametrize("change", [
    {"clamshell.top_knees_bent": 13.0},  # the lifted leg straight (side-lying adduction or abduction)
    {"clamshell.top_hips_up": 0.7},  # the lower hip well off the floor (a side plank)
    {"clamshell.top_feet_gap": 0.93},  # the feet apart (a side plank with crunches: the top knee to the chest)
], ids=["straight-legs", "hips-off-the-floor", "feet-apart"])
def test_a_side_lying_lift_on_straight_legs_or_a_side_plank_is_not_a_clamshell(change):
    ev = _kit_evidence("clamshell")
    assert ev["clamshell.top_knees_bent"] > 40.0
    assert ev["clamshell.top_hips_up"] < 0.25
    assert _top({**ev, **change}) is None


def test_both_legs_raised_alike_lying_down_is_not_a_hamstring_stretch():
    ev = _kit_evidence("hamstring_stretch")
    lying = {**ev, "supine": 0.94, "hamstring_stretch.hold_knee_gap": 0.9}  # the other leg down, apart
    assert _top({**lying, "hamstring_stretch.hold_legs_alike": 0.0}) == "hamstring_stretch"
    assert _top({**lying, "hamstring_stretch.hold_legs_alike": 1.0}) is None
    # Seated and standing folds keep both legs alike: not lying down, still a stretch.
    assert _top({**ev, "supine": 0.0, "hamstring_stretch.hold_legs_alike": 1.0}) == "hamstring_stretch"


def test_a_hold_counts_only_where_the_stretched_leg_stays_put():
    t = np.arange(90)
    still = {"hip_fold_3d": 90.0 + 3.0 * np.sin(t / 5.0)}
    swapping = {"hip_fold_3d": 90.0 + 30.0 * np.sign(np.sin(t / 10.0))}  # one leg up, then the other
    assert _leg_held(still, "hamstring_stretch", 0, 89)
    assert not _leg_held(swapping, "hamstring_stretch", 0, 89)
    assert _leg_held(swapping, "figure_four", 0, 89)  # no such check there
    assert HELD_LEG_SPREAD == pytest.approx(25.0)


def _lying_px(ankle_l: tuple[float, float], ankle_r: tuple[float, float]) -> np.ndarray:
    """One frame [1,33,2]: a body lying along the image x axis, shoulders at
    x = 0, hips at x = 100 (y = 200); ankles where given."""
    px = np.full((1, 33, 2), np.nan)
    px[0, Lm.LEFT_SHOULDER] = px[0, Lm.RIGHT_SHOULDER] = (0.0, 200.0)
    px[0, Lm.LEFT_HIP] = px[0, Lm.RIGHT_HIP] = (100.0, 200.0)
    px[0, Lm.LEFT_KNEE], px[0, Lm.RIGHT_KNEE] = (150.0, 200.0), (150.0, 200.0)
    px[0, Lm.LEFT_ANKLE], px[0, Lm.RIGHT_ANKLE] = ankle_l, ankle_r
    return px


def test_low_leg_raise_reads_the_lower_legs_elevation():
    one_up = _lying_px((200.0, 200.0), (100.0 + 100 * math.cos(math.radians(60)),
                                        200.0 - 100 * math.sin(math.radians(60))))
    assert low_leg_raise(one_up)[0] == pytest.approx(0.0, abs=1.0)
    both_up = _lying_px((100.0 + 100 * math.cos(math.radians(40)), 200.0 - 100 * math.sin(math.radians(40))),
                        (100.0 + 100 * math.cos(math.radians(60)), 200.0 - 100 * math.sin(math.radians(60))))
    assert low_leg_raise(both_up)[0] == pytest.approx(40.0, abs=1.0)


def test_hips_up_on_screen_in_torso_lengths():
    lying = _lying_px((200.0, 200.0), (200.0, 200.0))
    assert hips_up_on_screen(lying)[0] == pytest.approx(0.0, abs=0.01)
    plank = lying.copy()
    plank[0, [Lm.LEFT_KNEE, Lm.RIGHT_KNEE, Lm.LEFT_ANKLE, Lm.RIGHT_ANKLE], 1] = 240.0  # feet 40 px under the hips
    plank[0, [Lm.LEFT_SHOULDER, Lm.RIGHT_SHOULDER], 1] = 200.0
    assert hips_up_on_screen(plank)[0] == pytest.approx(0.4, abs=0.01)


def test_knee_loop_skips_a_path_shorter_than_half_a_thigh():
    t = np.linspace(0, 2 * np.pi, 60, endpoint=False)
    px = np.full((60, 33, 2), np.nan)
    px[:, Lm.LEFT_HIP] = 100.0
    # The knee 100 px from the hip, circling 10 px: a scribble 0.2 thigh lengths wide.
    px[:, Lm.LEFT_KNEE] = np.stack([200 + 10 * np.cos(t), 100 + 10 * np.sin(t)], axis=1)
    assert math.isnan(knee_loop(px, "left", [(0, 59)]))
    # Circling 40 px: 0.8 thigh lengths wide, read.
    px[:, Lm.LEFT_KNEE] = np.stack([200 + 40 * np.cos(t), 100 + 40 * np.sin(t)], axis=1)
    assert knee_loop(px, "left", [(0, 59)]) == pytest.approx(math.pi / 4, abs=0.02)
