"""Pure, vectorised geometry over landmark arrays.

Every function takes points as (..., 2) or (..., 3) arrays, so one frame and a
whole series use the same code. Angles are in degrees. NaN in gives NaN out.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "joint_angle",
    "vector_angle",
    "segment_angle_to_vertical",
    "segment_angle_to_horizontal",
    "signed_angle_2d",
    "fppa",
    "line_tilt",
    "normalized_distance",
]


def _unit(v: np.ndarray) -> np.ndarray:
    n = np.linalg.norm(v, axis=-1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(n > 0, v / n, np.nan)


def vector_angle(u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Unsigned angle between vectors u and v (..., 2|3) -> (...), in [0, 180]."""
    u, v = np.asarray(u, float), np.asarray(v, float)
    if u.shape[-1] == 3:
        # np.cross's own formula, written out: np.cross moves axes around, which
        # costs more than the sums on the one-frame arrays of the live path.
        u0, u1, u2, v0, v1, v2 = u[..., 0], u[..., 1], u[..., 2], v[..., 0], v[..., 1], v[..., 2]
        cross_norm = np.sqrt((u1 * v2 - u2 * v1) ** 2 + (u2 * v0 - u0 * v2) ** 2 + (u0 * v1 - u1 * v0) ** 2)
    else:
        cross_norm = np.abs(u[..., 0] * v[..., 1] - u[..., 1] * v[..., 0])
    dot = np.sum(u * v, axis=-1)
    # atan2 of |cross| and dot is accurate near 0 and 180 (unlike arccos).
    out = np.degrees(np.arctan2(cross_norm, dot))
    zero = ~(u != 0).any(axis=-1) | ~(v != 0).any(axis=-1)
    return np.where(zero, np.nan, out)


def joint_angle(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> np.ndarray:
    """Angle at vertex b between segments b->a and b->c, (..., 2|3) -> (...) in [0, 180].

    A straight limb reads 180; e.g. knee angle = joint_angle(hip, knee, ankle).
    """
    a, b, c = (np.asarray(x, float) for x in (a, b, c))
    return vector_angle(a - b, c - b)


def signed_angle_2d(u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Signed angle from u to v in the image plane, (..., 2) -> (...) in (-180, 180].

    Positive is clockwise on screen (image y points down).
    """
    u, v = np.asarray(u, float), np.asarray(v, float)
    cross = u[..., 0] * v[..., 1] - u[..., 1] * v[..., 0]
    dot = np.sum(u * v, axis=-1)
    return np.degrees(np.arctan2(cross, dot))


def segment_angle_to_vertical(p: np.ndarray, q: np.ndarray, up: np.ndarray | None = None) -> np.ndarray:
    """Unsigned angle of segment p->q from the vertical line, (..., 2|3) -> (...) in [0, 90].

    The vertical is the image y axis for 2D points, z for 3D points, unless `up` is given.
    The line's direction does not matter (a segment pointing down reads like one pointing up).
    """
    d = np.asarray(q, float) - np.asarray(p, float)
    if up is None:
        up = np.array([0.0, 1.0]) if d.shape[-1] == 2 else np.array([0.0, 0.0, 1.0])
    ang = vector_angle(d, np.broadcast_to(up, d.shape))
    return np.minimum(ang, 180.0 - ang)


def segment_angle_to_horizontal(p: np.ndarray, q: np.ndarray, up: np.ndarray | None = None) -> np.ndarray:
    """Unsigned angle of segment p->q from the horizontal, (..., 2|3) -> (...) in [0, 90]."""
    return 90.0 - segment_angle_to_vertical(p, q, up)


def line_tilt(p: np.ndarray, q: np.ndarray) -> np.ndarray:
    """Signed tilt of the image line p->q from horizontal, (..., 2) -> (...) in (-90, 90].

    Positive when q is lower on screen than p (image y grows downward). The sign
    ignores the line's direction being flipped by 180°.
    """
    d = np.asarray(q, float) - np.asarray(p, float)
    d = np.where(d[..., :1] < 0, -d, d)
    return np.degrees(np.arctan2(d[..., 1], d[..., 0]))


def fppa(hip: np.ndarray, knee: np.ndarray, ankle: np.ndarray, midline_x: np.ndarray) -> np.ndarray:
    """Frontal-plane projection angle at the knee, in degrees, (..., 2) -> (...).

    The deviation of the knee->ankle line from the continuation of the hip->knee line.
    Positive is valgus (the knee sits medial of the hip-ankle line, i.e. closer to
    the body midline `midline_x`, an x coordinate (...,)); negative is varus.
    Works from the front or the back: only the knee's side of the hip-ankle line
    relative to the midline matters.
    """
    hip, knee, ankle = (np.asarray(x, float) for x in (hip, knee, ankle))
    deviation = 180.0 - joint_angle(hip, knee, ankle)
    # Signed lateral offset of the knee from the hip->ankle line, along image x.
    ha = ankle - hip
    with np.errstate(invalid="ignore", divide="ignore"):
        tpar = np.sum((knee - hip) * ha, axis=-1) / np.sum(ha * ha, axis=-1)
    on_line_x = hip[..., 0] + tpar * ha[..., 0]
    knee_off = knee[..., 0] - on_line_x
    towards_mid = np.sign(np.asarray(midline_x, float) - on_line_x)
    sign = np.where(knee_off * towards_mid >= 0, 1.0, -1.0)
    return sign * deviation


def normalized_distance(p: np.ndarray, q: np.ndarray, seg_a: np.ndarray, seg_b: np.ndarray) -> np.ndarray:
    """|p - q| divided by the length of the reference segment seg_a->seg_b, (..., 2|3) -> (...)."""
    d = np.linalg.norm(np.asarray(p, float) - np.asarray(q, float), axis=-1)
    ref = np.linalg.norm(np.asarray(seg_a, float) - np.asarray(seg_b, float), axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(ref > 0, d / ref, np.nan)
