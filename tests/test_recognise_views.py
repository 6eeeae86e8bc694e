"""Which way a lift goes on all fours, whatever the view, and a clamshell filmed
hand-held (formcheck.recognise, formcheck.recognise_evidence), from the
session-24 to 26 real fire hydrants and clamshell:

- each lift is read along the body axis its own frames show (`rep_swings`): a
  clip that cuts between a side and a front view no longer mixes the rest and
  top frames of both;
- filmed end-on (from behind or the head end), the knee carried out sideways on
  screen by half a hip width or more is a fire hydrant's, where the model's 3D
  drops the lifted knee back beside the hip (a banded hydrant filmed from
  behind read 0.08 thigh lengths of 3D out travel and 0.54 hip widths on screen);
  a kick or a bird dog lifts the knee into the depth (0.17-0.24 on the kit);
- a clamshell propped on a forearm and filmed with the camera rolled shows its
  lower hip 0.45 torso lengths over the feet on screen; a side plank with crunches
  is told from it by the feet apart.

Rule tests start from a kit track's own evidence and change only the numbers
under test; tolerances: the top-1 movement exactly, screen travel to 0.05 hip
widths.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from formcheck.landmarks import Lm
from formcheck.recognise_evidence import knee_out_on_screen
from tests.test_recognise_rules import _kit_evidence, _top


def _rear_view(n: int, knee_out: np.ndarray) -> np.ndarray:
    """Image points [n,33,2] of a body on all fours filmed from behind: hips 100 px
    apart, shoulders 100 px above them (a foreshortened trunk), knees 130 px under
    the hips; the left knee moved out (image-left here) by knee_out [n] hip widths."""
    px = np.full((n, 33, 2), np.nan)
    px[:, Lm.LEFT_HIP], px[:, Lm.RIGHT_HIP] = (250.0, 500.0), (350.0, 500.0)
    px[:, Lm.LEFT_SHOULDER], px[:, Lm.RIGHT_SHOULDER] = (240.0, 400.0), (360.0, 400.0)
    px[:, Lm.LEFT_KNEE] = np.stack([250.0 - 100.0 * knee_out, np.full(n, 630.0)], axis=-1)
    px[:, Lm.RIGHT_KNEE] = (350.0, 630.0)
    return px


def test_knee_out_on_screen_reads_the_sideways_travel_in_hip_widths():
    n = 100
    lifts = np.where(np.arange(n) % 20 < 8, 1.0, 0.0)  # out a hip width in 40% of the frames
    px = _rear_view(n, lifts)
    vis = np.ones((n, 33))
    got = knee_out_on_screen(px, vis, np.ones(n, bool))
    assert got["knee_out"] == pytest.approx(1.0, abs=0.05)
    assert got["hips_across"] == pytest.approx(1.0, abs=0.05)
    # The model's low-visibility guesses do not count: the same lifts hidden read none.
    vis[lifts > 0, Lm.LEFT_KNEE] = 0.1
    assert knee_out_on_screen(px, vis, np.ones(n, bool))["knee_out"] == pytest.approx(0.0, abs=0.05)
    # Too few frames on all fours: not read.
    assert math.isnan(knee_out_on_screen(px, vis, np.arange(n) < 5)["knee_out"])


def _hydrant_3d_lost() -> dict[str, float]:
    """The kit's end-on fire hydrant with its 3D swing read as the real one from
    behind was: the knee's out travel 0.08 thigh lengths, on every rep."""
    ev = _kit_evidence("fire_hydrant")
    assert ev["fours_hips_across"] > 0.6  # the kit case is filmed end-on
    return {**ev, "fire_hydrant.swing_out": 0.08, "fire_hydrant.swing_back": math.nan,
            "fire_hydrant.swing_back_share": 0.0, "fire_hydrant.swing_in_plane": 1.0}


@pytest.mark.parametrize(("knee_out", "hips_across", "want"), [
    (0.54, 0.77, "fire_hydrant"),  # the real banded hydrant from behind
    (0.2, 0.77, None),  # the knee lifted into the depth: a kick's or a bird dog's, not out
    (0.54, 0.1, None),  # from the side the sideways offset on screen means nothing
], ids=["out-from-behind", "straight-back-from-behind", "side-view"])
def test_filmed_end_on_a_knee_carried_out_on_screen_is_a_fire_hydrant(knee_out, hips_across, want):
    ev = {**_hydrant_3d_lost(), "fours_knee_out": knee_out, "fours_hips_across": hips_across}
    assert _top(ev) == want


def test_each_lift_is_read_from_its_own_view():
    """Over a clip that cuts between views the clip's one swing mixes the views'
    rest and top frames (a real hydrant cut side/front/side read 0.28 thigh
    lengths back); the reps read one by one decide, and the clip's swing is used
    only where no rep was read."""
    ev = {**_kit_evidence("fire_hydrant"), "fours_hips_across": 0.1, "swing.back_travel": 0.6,
          "swing.out_travel": math.nan, "swing.axis_in_plane": 0.99}
    by_rep = {"fire_hydrant.swing_back": 0.05, "fire_hydrant.swing_out": 0.5, "fire_hydrant.swing_back_share": 0.5,
              "fire_hydrant.swing_in_plane": 0.99}
    assert _top({**ev, **by_rep}) == "fire_hydrant"
    no_rep_read = {k: math.nan for k in by_rep}
    assert _top({**ev, **no_rep_read}) != "fire_hydrant"


def test_a_propped_clamshell_filmed_with_the_camera_rolled_is_still_one():
    """A real clamshell on a forearm, filmed hand-held with the camera rolled
    about 15°: the lower hip 0.45 torso lengths over the feet on screen, the feet
    0.26 shank lengths apart at the tops."""
    ev = _kit_evidence("clamshell")
    assert _top({**ev, "clamshell.top_hips_up": 0.45, "clamshell.top_feet_gap": 0.26}) == "clamshell"
    # A side plank with crunches lifts the hips about as far but parts the feet.
    assert _top({**ev, "clamshell.top_hips_up": 0.36, "clamshell.top_feet_gap": 0.93}) is None
