"""The skeleton kit's conventions, checked with numbers."""

import numpy as np
import pytest

from formcheck_synth.motion import Pose, forward_kinematics


def _pts(**angles):
    return forward_kinematics(np.arange(1), Pose(1, {k: np.array([v], float) for k, v in angles.items()})).points[0]


def test_neutral_faces_minus_y_left_is_plus_x():
    p = _pts()
    assert p[23, 0] > 0 > p[24, 0]  # left hip on +x
    assert p[0, 1] < 0  # nose forward (-y)
    assert p[25, 2] < p[23, 2] and p[27, 2] < p[25, 2]  # knee below hip, ankle below knee


@pytest.mark.parametrize("name, joint, axis, sign", [
    ("hip_flex_l", 25, 1, -1),  # knee forward
    ("spine_flex", 11, 1, -1),  # shoulders forward: a forward bend
    ("sh_flex_l", 13, 1, -1),  # elbow forward
    ("hip_abd_l", 25, 0, +1),  # left knee out to +x
    ("hip_abd_r", 26, 0, -1),  # right knee out to -x
    ("spine_bend", 0, 0, +1),  # bend toward the person's left
])
def test_positive_angles_move_the_right_way(name, joint, axis, sign):
    moved = _pts(**{name: 30.0})[joint] - _pts()[joint]
    assert np.sign(moved[axis]) == sign


def test_knee_flexion_swings_the_shank_back():
    p = _pts(knee_flex_l=90.0)
    assert p[27, 1] > p[25, 1] + 0.3  # ankle behind the knee
