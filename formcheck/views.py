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

__all__ = ["VIEWS", "VIEW_LABELS", "view_label", "on_back_unread", "frame_views", "clip_view", "foreshortening", "lying_on_back", "view_words",
           "ON_BACK_UNREAD", "ON_BACK_NOTE"]

VIEWS = ("front", "back", "side", "feet_end", "head_end", "oblique")
VIEW_LABELS = {
    "front": "from the front (camera facing your chest)",
    "back": "from behind (camera facing your back)",
    "side": "from the side",
    "feet_end": "from the feet end (on all fours: from behind you)",
    "head_end": "from the head end",
    "oblique": "at an angle",
}


def view_label(view: str, all_fours: bool = False) -> str:
    """VIEW_LABELS[view], with the note on what the feet end means on all fours only
    for a movement done on all fours (a clamshell's feet end is just its feet end)."""
    label = VIEW_LABELS[view]
    return label if all_fours or view != "feet_end" else label.split(" (")[0]


# Lying on the back, "back" would mean a camera under the floor and "front" one overhead: a
# front or back reading of such a body (a camera low at the feet foreshortens the trunk) is
# not said as a place the camera could be.
ON_BACK_UNREAD = "from an angle formcheck could not read (you were lying on your back)"
ON_BACK_NOTE = "Could not tell the camera view: lying on your back"  # how the report's note starts

# A body lying on its back: the trunk (mid-hip -> mid-shoulder, metric landmarks, y down) at
# least LYING_TILT_DEG from upright and the chest facing up (its direction's cosine with up at
# least CHEST_UP) [own: a supine straight leg raise filmed from the floor at her feet read a
# median 73° and 0.49 (slr_supine_gym_floor_slayer); standing reads under 20°, on all fours or
# prone the chest faces down (-0.97 to -0.99 on real clips)].
LYING_TILT_DEG = 60.0
CHEST_UP = 0.3

# Foreshortening ratio q = (width/trunk on screen) / (width/trunk in 3D).
# q < 0.45: the left-right axis points at the camera (within ~25°) -> side view.
# q > 2.2: the trunk points at the camera -> an end view.
# 0.75..1.35: both axes face the camera -> front or back. Between: oblique. [own]
Q_SIDE = 0.45
Q_END = 2.2
Q_FLAT = (0.75, 1.35)
# A camera above the line of a horizontal trunk (on all fours, filmed from behind or from
# the head end, looking down at the back) sees the trunk longer than an end view level with
# it: q between Q_FLAT and Q_END, read "oblique". The metric landmarks still show the end
# view: the trunk points along the camera axis (depth share of the trunk vector at least
# END_DEPTH) and the left-right axis lies square to it (yaw at most END_YAW_DEG) [own:
# a real fire hydrant filmed from behind (fire_hydrant_rear_outdoor_gym2) reads a median
# depth share 0.85 and yaw 8°, and 204 of its frames were "oblique"; the fire hydrant
# sample's 192 "oblique" frames 0.9 and 2-6°; real oblique views of all-fours and prone
# movements read 0.47-0.56 and 56-60°].
END_DEPTH = 0.7
END_YAW_DEG = 20.0


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


def _end_on(world: np.ndarray) -> np.ndarray:
    """Per frame: the trunk points along the camera axis and the left-right axis is square
    to the camera, in the metric landmarks (END_DEPTH, END_YAW_DEG)."""
    ls, rs, lh, rh = (world[:, int(j)] for j in (Lm.LEFT_SHOULDER, Lm.RIGHT_SHOULDER, Lm.LEFT_HIP, Lm.RIGHT_HIP))
    trunk = (ls + rs - lh - rh) / 2
    lr = ls - rs + lh - rh
    with np.errstate(invalid="ignore", divide="ignore"):
        depth = np.abs(trunk[:, 2]) / np.linalg.norm(trunk, axis=1)
        yaw = np.degrees(np.arctan2(np.abs(lr[:, 2]), np.abs(lr[:, 0])))
    return (depth >= END_DEPTH) & (yaw <= END_YAW_DEG)


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
    end_on = _end_on(w)
    out = np.full(len(track), None, dtype=object)
    for i, qi in enumerate(q):
        if not track.detected[i] or not np.isfinite(qi):
            continue
        if qi < Q_SIDE:
            out[i] = "side"
        elif qi > Q_END or (qi > Q_FLAT[1] and end_on[i]):
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


def lying_on_back(track: PoseTrack) -> bool:
    """True when, over the frames with a person, the body lies on its back (see
    LYING_TILT_DEG). From the metric landmarks, so any camera view."""
    w = track.world[track.detected]
    if len(w) == 0:
        return False
    ls, rs, lh, rh = (w[:, int(j)] for j in (Lm.LEFT_SHOULDER, Lm.RIGHT_SHOULDER, Lm.LEFT_HIP, Lm.RIGHT_HIP))
    trunk = (ls + rs - lh - rh) / 2
    chest = np.cross((lh - rh) + (ls - rs), trunk)
    up = np.array([0.0, -1.0, 0.0])
    with np.errstate(invalid="ignore", divide="ignore"):
        upright = (trunk @ up) / np.linalg.norm(trunk, axis=-1)
        facing = (chest @ up) / np.linalg.norm(chest, axis=-1)
    tilt = float(np.degrees(np.arccos(np.clip(np.nanmedian(upright), -1, 1))))
    return tilt >= LYING_TILT_DEG and float(np.nanmedian(facing)) >= CHEST_UP


def on_back_unread(view: str | None, on_back: bool) -> bool:
    """A body lying on its back read as seen from the front or the back: no camera
    can be there (under the floor, or overhead as 'front'), so the view is not known."""
    return bool(on_back) and view in ("front", "back")


def view_words(view: str, on_back: bool = False) -> str:
    """The view in words ('from the side'); for a body lying on its back a front or
    back reading is said as a view that could not be read (ON_BACK_UNREAD)."""
    if on_back_unread(view, on_back):
        return ON_BACK_UNREAD
    return VIEW_LABELS.get(view, f"from the {view}")
