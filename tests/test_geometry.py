"""Geometry: property tests (invariance to rotation, translation and scale;
range 0..180) and exact values on known shapes."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from formcheck.geometry import (
    fppa,
    joint_angle,
    line_tilt,
    normalized_distance,
    segment_angle_to_horizontal,
    segment_angle_to_vertical,
    signed_angle_2d,
)

coord = st.floats(-100, 100, allow_nan=False, allow_infinity=False)
pt2 = st.tuples(coord, coord).map(np.array)


def _rot2(deg):
    a = np.radians(deg)
    return np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]])


def _far(a, b, c, eps=1e-3):
    return np.linalg.norm(a - b) > eps and np.linalg.norm(c - b) > eps


@settings(max_examples=200, deadline=None)
@given(pt2, pt2, pt2, st.floats(0, 360), pt2, st.floats(0.01, 100))
def test_joint_angle_invariant_and_in_range(a, b, c, rot, shift, scale):
    if not _far(a, b, c):
        return
    ang = joint_angle(a, b, c)
    assert 0.0 <= ang <= 180.0
    r = _rot2(rot)
    moved = joint_angle(scale * (r @ a) + shift, scale * (r @ b) + shift, scale * (r @ c) + shift)
    assert moved == pytest.approx(ang, abs=1e-6 * max(1.0, 1 / scale))


@settings(max_examples=100, deadline=None)
@given(st.lists(st.floats(-50, 50), min_size=9, max_size=9), st.floats(0.1, 10))
def test_joint_angle_3d_invariant_to_scale_and_translation(v, scale):
    a, b, c = np.array(v[:3]), np.array(v[3:6]), np.array(v[6:])
    if not _far(a, b, c):
        return
    shift = np.array([3.0, -2.0, 7.0])
    assert joint_angle(a * scale + shift, b * scale + shift, c * scale + shift) == pytest.approx(
        joint_angle(a, b, c), abs=1e-6)


@pytest.mark.parametrize("c, expected", [((1, 0), 180.0), ((0, 1), 90.0), ((-1, 1), 45.0), ((-1, 0), 0.0)])
def test_joint_angle_known_values(c, expected):
    assert joint_angle(np.array([-1.0, 0]), np.zeros(2), np.array(c, float)) == pytest.approx(expected, abs=1e-9)


def test_joint_angle_vectorised_over_frames():
    n = 50
    t = np.linspace(0, 170, n)
    a = np.tile([0.0, -1.0], (n, 1))
    c = np.stack([np.sin(np.radians(t)), -np.cos(np.radians(t))], axis=1) * 2
    got = joint_angle(a, np.zeros((n, 2)), c)
    np.testing.assert_allclose(got, t, atol=1e-9)


def test_nan_in_nan_out():
    assert np.isnan(joint_angle(np.array([np.nan, 0]), np.zeros(2), np.array([1.0, 0])))


def test_segment_angles():
    p = np.zeros(2)
    assert segment_angle_to_vertical(p, np.array([0.0, 5])) == pytest.approx(0)
    assert segment_angle_to_vertical(p, np.array([0.0, -5])) == pytest.approx(0)  # direction ignored
    assert segment_angle_to_vertical(p, np.array([1.0, 1])) == pytest.approx(45)
    assert segment_angle_to_horizontal(p, np.array([3.0, 0])) == pytest.approx(0)
    assert segment_angle_to_vertical(np.zeros(3), np.array([0, 0, 2.0])) == pytest.approx(0)


@settings(max_examples=100, deadline=None)
@given(pt2, pt2, st.floats(0.1, 50))
def test_segment_angle_range_and_scale(p, q, scale):
    if np.linalg.norm(p - q) < 1e-3:
        return
    v = segment_angle_to_vertical(p, q)
    assert 0 <= v <= 90
    assert segment_angle_to_vertical(p * scale, q * scale) == pytest.approx(v, abs=1e-6)


def test_signed_angle_and_tilt():
    assert signed_angle_2d(np.array([1.0, 0]), np.array([0.0, 1])) == pytest.approx(90)  # clockwise on screen
    assert line_tilt(np.zeros(2), np.array([1.0, 1])) == pytest.approx(45)
    assert line_tilt(np.array([1.0, 1]), np.zeros(2)) == pytest.approx(45)  # direction-free


@pytest.mark.parametrize("knee_dx, expected_sign", [(+0.1, 1), (-0.1, -1)])
def test_fppa_sign_is_valgus_toward_midline(knee_dx, expected_sign):
    # Right leg seen from behind: hip at x=-0.1 of a midline at 0, knee moves toward (+) or away (-).
    hip, ankle = np.array([-0.1, 0.0]), np.array([-0.1, 1.0])
    knee = np.array([-0.1 + knee_dx, 0.5])
    val = fppa(hip, knee, ankle, midline_x=0.0)
    dev = np.degrees(np.arctan2(abs(knee_dx), 0.5)) * 2
    assert np.sign(val) == expected_sign
    assert abs(val) == pytest.approx(dev, abs=1e-6)


def test_fppa_invariant_under_mirror():
    hip, knee, ankle = np.array([0.4, 0.2]), np.array([0.45, 0.5]), np.array([0.4, 0.8])
    mirrored = [np.array([1 - p[0], p[1]]) for p in (hip, knee, ankle)]
    assert fppa(hip, knee, ankle, 0.5) == pytest.approx(fppa(*mirrored, 0.5))


def test_normalized_distance():
    assert normalized_distance(np.zeros(2), np.array([3.0, 4]), np.zeros(2), np.array([0, 10.0])) == pytest.approx(0.5)
