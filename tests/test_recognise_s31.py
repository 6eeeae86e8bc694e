"""Checks added for the session-31 real misses (formcheck.recognise, session 32):

- seen side-on, a walker's hips are highest at midstance (it vaults over a
  straight stance leg), a runner's lowest: strides without a running cadence
  are not running when the hips vault (a real brisk walker read running 74%);
- a held running lunge keeps the hips at one height: lunges done as reps dip
  the hips every second or two while the front-leg angle can stay in its band
  (real split-stance lunges read running lunge 100%);
- a hamstring stretch folds the hip forward: a thigh behind the trunk (a
  lunge's back leg under a back bend) is not a stretched leg's.

Rule tests start from a kit track's own evidence (via tests.test_recognise_rules)
and change only the numbers under test.
"""

from __future__ import annotations

import numpy as np
import pytest

from formcheck.landmarks import Lm
from formcheck.recognise_evidence import HELD_HIPS_SPREAD, _hips_held, hip_flexion_signed
from tests.test_recognise_rules import _kit_evidence, _top


def test_hips_highest_at_midstance_seen_side_on_is_walking_not_running():
    ev = _kit_evidence("running")
    side = {**ev, "view_across": 0.1, "phase_turns": 6.0}
    assert _top({**side, "phase_corr": 0.3}) == "running"
    assert _top({**side, "phase_corr": -0.05}) == "running"  # real side-view runs read -0.05 and up
    assert _top({**side, "phase_corr": -0.22}) is None  # the s31 walker
    # Filmed from the front the knees read flat and the phase is not trusted (a real front runner read -0.21).
    assert _top({**side, "view_across": 0.7, "phase_corr": -0.22}) == "running"
    # Over too few turns of the legs the phase says nothing.
    assert _top({**side, "phase_turns": 1.0, "phase_corr": -0.22}) == "running"


def _hips(dip: float, seconds: float = 6.0, fps: float = 30.0) -> tuple[np.ndarray, np.ndarray]:
    """Image points [N,33,2] of a trunk one unit long whose hips move up and down
    by `dip` torso lengths every 1.5 s (a lunge dipped as reps; 0: held)."""
    times = np.arange(0.0, seconds, 1.0 / fps)
    px = np.zeros((len(times), 33, 2))
    y = 100.0 + 50.0 * dip * 0.5 * (1 - np.cos(2 * np.pi * times / 1.5))
    for lm, dx in ((Lm.LEFT_HIP, -5.0), (Lm.RIGHT_HIP, 5.0)):
        px[:, lm] = np.stack([np.full_like(y, 200.0 + dx), y], axis=-1)
    for lm, dx in ((Lm.LEFT_SHOULDER, -8.0), (Lm.RIGHT_SHOULDER, 8.0)):
        px[:, lm] = np.stack([np.full_like(y, 200.0 + dx), y - 50.0], axis=-1)
    return times, px


@pytest.mark.parametrize("dip, held", [(0.0, True), (0.2, True), (HELD_HIPS_SPREAD + 0.15, False), (0.8, False)])
def test_a_held_lunge_keeps_the_hips_at_one_height(dip, held):
    times, px = _hips(dip)
    assert _hips_held(times, px, 0, len(times) - 1) is held


def _body(thigh_forward: float) -> np.ndarray:
    """Metric landmarks [1,33,3] (y down, z away from the camera) of a body facing
    the camera, trunk upright, its left thigh turned `thigh_forward` degrees
    forward from hanging (negative: behind the trunk)."""
    w = np.zeros((1, 33, 3))
    w[0, Lm.LEFT_HIP], w[0, Lm.RIGHT_HIP] = (0.1, 0.0, 0.0), (-0.1, 0.0, 0.0)
    w[0, Lm.LEFT_SHOULDER], w[0, Lm.RIGHT_SHOULDER] = (0.15, -0.5, 0.0), (-0.15, -0.5, 0.0)
    a = np.radians(thigh_forward)
    w[0, Lm.LEFT_KNEE] = (0.1, 0.45 * np.cos(a), -0.45 * np.sin(a))  # forward = toward the camera
    w[0, Lm.RIGHT_KNEE] = (-0.1, 0.45, 0.0)
    return w


@pytest.mark.parametrize("forward", [-30.0, 0.0, 45.0, 90.0, 150.0])
def test_signed_hip_flexion_reads_a_thigh_forward_positive_and_behind_negative(forward):
    # A hamstring stretch folds the hip forward; a lunge's back leg under a back bend extends it (s31).
    assert hip_flexion_signed(_body(forward), "left")[0] == pytest.approx(forward, abs=0.5)
