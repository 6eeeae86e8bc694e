"""Checks added for the session-28 real misses (formcheck.recognise):

- a running lunge with the hips pressed forward and down over an upright front
  shin (a low lunge, whatever the arms do) keeps its hips lower than a thigh's
  length over the floor; a pigeon pose rests them as low on a shin folded across
  the body, so a low hip counts for a lunge only with the front shin upright;
- (session 30) a donkey kick's shank turned up past vertical, tipped toward the
  head, counts as turned up (a front-oblique kicker's knee read folded to 50°).

Each rule test starts from a kit track's own evidence (via
tests.test_recognise_rules) and changes only the numbers under test.
"""

from __future__ import annotations

import pytest

from tests.test_recognise_rules import _kit_evidence, _top


def test_a_low_lunge_over_an_upright_front_shin_is_a_running_lunge_and_a_pigeon_is_not():
    ev = _kit_evidence("running_lunge")
    low = {**ev, "running_lunge.hold_hip_height": 0.72}
    assert _top({**low, "running_lunge.hold_shin_forward": 5.0}) == "running_lunge"  # hips pressed forward
    assert _top({**low, "running_lunge.hold_shin_forward": 85.0}) is None  # the front shin folded across: a pigeon
    # Resting on the floor is not a lunge whatever the shin reads.
    assert _top({**ev, "running_lunge.hold_hip_height": 0.5, "running_lunge.hold_shin_forward": 5.0}) is None


def test_a_shank_pointing_out_sideways_reads_its_elevation():
    """The turn past vertical goes on in proportion to how far forward the shank
    points, so a shank pointing out to the side reads its plain elevation (a fire
    hydrant whose foot swings out stays level) and the reading is continuous."""
    import math

    import numpy as np

    from formcheck.features import Joints
    from formcheck.landmarks import Lm
    from formcheck.recognise_evidence import shank_elevation

    w = np.zeros((1, 33, 3))  # on all fours, y down, the head toward -z (as tests.test_recognise_lookalikes_s25)
    w[0, Lm.LEFT_HIP], w[0, Lm.RIGHT_HIP] = (0.1, -0.5, 0.0), (-0.1, -0.5, 0.0)
    w[0, Lm.LEFT_SHOULDER], w[0, Lm.RIGHT_SHOULDER] = (0.1, -0.5, -0.6), (-0.1, -0.5, -0.6)
    w[0, Lm.LEFT_KNEE], w[0, Lm.RIGHT_KNEE] = (0.1, 0.0, 0.0), (-0.1, 0.0, 0.0)
    w[0, Lm.RIGHT_ANKLE] = (-0.1, 0.0, 0.4)
    a = math.radians(20.0)
    w[0, Lm.LEFT_ANKLE] = (0.1 + 0.4 * math.cos(a), -0.4 * math.sin(a), 0.0)  # out to the side, 20° up
    assert shank_elevation(Joints(w[..., :2] * 100.0, np.ones((1, 33)), w, "left"))[0] == pytest.approx(20.0, abs=1.0)



def test_seated_knee_extension_is_no_running_lunge():
    # s30: a seated knee extension on a chair (both thighs forward: the "back" hip angle read 96 deg) was taken
    # for a running lunge at 99%; a lunge's back leg reaches back from the hips (174-233 deg on real held lunges),
    # and a lunge with its hips high (the hips_high fault, under 160 deg) is still a lunge.
    ev = _kit_evidence("running_lunge")
    assert _top({**ev, "running_lunge.hold_back_hip_angle": 96.0}) is None
    assert _top({**ev, "running_lunge.hold_back_hip_angle": 140.0}) == "running_lunge"
    assert _top({**ev, "running_lunge.hold_back_hip_angle": 200.0}) == "running_lunge"
