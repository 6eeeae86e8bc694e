"""Which way the camera looks at the body, from the landmarks alone.

The body's two axes, the left-right line (shoulders and hips) and the trunk
(mid-hip to mid-shoulder), are compared between the image and the model's
metric 3D landmarks. The axis that points at the camera is foreshortened in the
image, which tells the view; the handedness of the two axes on screen tells
front from back. This works for standing, kneeling and lying bodies alike.

Views: front, back, side, feet_end (looking along the body from the feet or,
on all fours, from behind), head_end, oblique.
"""

from __future__ import annotations

from collections import Counter

import numpy as np

from formcheck.landmarks import Lm, PoseTrack

__all__ = ["VIEWS", "VIEW_LABELS", "frame_views", "clip_view", "foreshortening"]

VIEWS = ("front", "back", "side", "feet_end", "head_end", "oblique")
VIEW_LABELS = {
    "front": "from the front (camera facing your chest)",
    "back": "from behind (camera facing your back)",
    "side": "from the side",
    "feet_end": "from the feet end (on all fours: from behind you)",
    "head_end": "from the head end",
    "oblique": "at an angle",
}

# Foreshortening ratio q = (width/trunk on screen) / (width/trunk in 3D).
# q < 0.45: the left-right axis points at the camera (within ~25°) -> side view.
# q > 2.2: the trunk points at the camera -> an end view.
# 0.75..1.35: both axes face the camera -> front or back. Between: oblique. [own]
Q_SIDE = 0.45
Q_END = 2.2
Q_FLAT = (0.75, 1.35)


def _width_trunk(pts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    ls, rs, lh, rh = (pts[:, int(j)] for j in (Lm.LEFT_SHOULDER, Lm.RIGHT_SHOULDER, Lm.LEFT_HIP, Lm.RIGHT_HIP))
    width = (np.linalg.norm(ls - rs, axis=-1) + np.linalg.norm(lh - rh, axis=-1)) / 2
    trunk = np.linalg.norm((ls + rs) / 2 - (lh + rh) / 2, axis=-1)
    return width, trunk


def foreshortening(track: PoseTrack) -> np.ndarray:
    """q per frame [N] (see module notes); NaN where not measurable."""
    w2, t2 = _width_trunk(track.px)
    w3, t3 = _width_trunk(track.world)
    with np.errstate(invalid="ignore", divide="ignore"):
        return (w2 / t2) / (w3 / t3)


def frame_views(track: PoseTrack) -> np.ndarray:
    """View label per frame [N] (object array); None where not measurable."""
    q = foreshortening(track)
    px = track.px
    up = (px[:, Lm.LEFT_SHOULDER] + px[:, Lm.RIGHT_SHOULDER] - px[:, Lm.LEFT_HIP] - px[:, Lm.RIGHT_HIP]) / 2
    lr = px[:, Lm.LEFT_SHOULDER] - px[:, Lm.RIGHT_SHOULDER] + px[:, Lm.LEFT_HIP] - px[:, Lm.RIGHT_HIP]
    # Screen handedness (y down): positive when the person's left is on the
    # right of their "up" direction, i.e. they face the camera.
    hand = up[:, 0] * lr[:, 1] - up[:, 1] * lr[:, 0]
    w = track.world
    hips_nearer = ((w[:, Lm.LEFT_HIP, 2] + w[:, Lm.RIGHT_HIP, 2]) < (w[:, Lm.LEFT_SHOULDER, 2] + w[:, Lm.RIGHT_SHOULDER, 2]))
    out = np.full(len(track), None, dtype=object)
    for i, qi in enumerate(q):
        if not track.detected[i] or not np.isfinite(qi):
            continue
        if qi < Q_SIDE:
            out[i] = "side"
        elif qi > Q_END:
            out[i] = "feet_end" if hips_nearer[i] else "head_end"
        elif Q_FLAT[0] <= qi <= Q_FLAT[1]:
            out[i] = "front" if hand[i] > 0 else "back"
        else:
            out[i] = "oblique"
    return out


def clip_view(track: PoseTrack) -> str | None:
    """The most common per-frame view, or None if no frame could be classified."""
    views = [v for v in frame_views(track) if v is not None]
    if not views:
        return None
    return Counter(views).most_common(1)[0][0]
