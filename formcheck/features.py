"""Side-relative access to landmarks, and the per-frame features exercises share.

A feature is a pure function `f(b: Joints) -> [N]` over a `Joints` view of a
track for one working side. `b.p("knee")` is that side's knee in pixels
[N,2]; `b.p("o_knee")` the other side's; points whose visibility is at or
below VIS_MIN are NaN, so every feature is NaN where it cannot be seen.
Features accept a single frame too (arrays [1,33,2]), which is how the live
path uses them.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np

from formcheck.cleaning import VIS_MIN
from formcheck.geometry import joint_angle
from formcheck.landmarks import SIDES, Lm, other_side

__all__ = ["Joints", "SIDES", "other_side", "landmark", "hip_flexion", "knee_angle", "knee_flexion", "hip_line_angle"]

_NAMES = {
    "shoulder": "SHOULDER", "elbow": "ELBOW", "wrist": "WRIST", "hip": "HIP", "knee": "KNEE",
    "ankle": "ANKLE", "heel": "HEEL", "toe": "FOOT_INDEX", "ear": "EAR", "eye": "EYE", "index": "INDEX",
}


@cache  # a few dozen names and sides; looked up hundreds of times per live frame
def landmark(name: str, side: str) -> Lm:
    """'knee', 'left' -> Lm.LEFT_KNEE; 'o_knee', 'left' -> Lm.RIGHT_KNEE; 'nose' -> Lm.NOSE."""
    if name == "nose":
        return Lm.NOSE
    if name.startswith("o_"):
        name, side = name[2:], other_side(side)
    return Lm[f"{side.upper()}_{_NAMES[name]}"]


@dataclass(frozen=True)
class Joints:
    """px [N,33,2] pixel positions, vis [N,33], world [N,33,3]; side = working side."""

    px: np.ndarray
    vis: np.ndarray
    world: np.ndarray
    side: str

    def other(self) -> Joints:
        """The same landmarks read for the other side."""
        return Joints(self.px, self.vis, self.world, other_side(self.side))

    def _gated(self, arr: np.ndarray, lm: Lm) -> np.ndarray:
        pts = arr[:, int(lm)]
        return np.where((self.vis[:, int(lm)] > VIS_MIN)[:, None], pts, np.nan)

    def p(self, name: str) -> np.ndarray:
        """Image point [N,2] in pixels (y down)."""
        return self._gated(self.px, landmark(name, self.side))

    def w(self, name: str) -> np.ndarray:
        """World point [N,3] in metres."""
        return self._gated(self.world, landmark(name, self.side))

    def mid(self, name: str) -> np.ndarray:
        """Midpoint [N,2] of a left/right pair, e.g. mid('hip')."""
        return (self.p(name) + self.p("o_" + name)) / 2.0

    def scale(self) -> float:
        """A robust body scale in pixels: median shank length over the track, per side."""
        s = np.linalg.norm(self.p("knee") - self.p("ankle"), axis=-1)
        o = np.linalg.norm(self.p("o_knee") - self.p("o_ankle"), axis=-1)
        both = np.concatenate([s[np.isfinite(s)], o[np.isfinite(o)]])
        return float(np.median(both)) if len(both) else float("nan")




# ---- shared features (degrees unless stated) -----------------------------------------


def hip_flexion(b: Joints) -> np.ndarray:
    """180 - angle(shoulder, hip, knee): 0 with the thigh in line with the trunk."""
    return 180.0 - joint_angle(b.p("shoulder"), b.p("hip"), b.p("knee"))


def knee_angle(b: Joints) -> np.ndarray:
    """angle(hip, knee, ankle): 180 with the knee straight."""
    return joint_angle(b.p("hip"), b.p("knee"), b.p("ankle"))


def knee_flexion(b: Joints) -> np.ndarray:
    return 180.0 - knee_angle(b)


def hip_line_angle(b: Joints) -> np.ndarray:
    """Direction of the line from the other hip to this side's hip on screen, -180..180
    (0 = pointing right, 90 = pointing down). Use changes of it, not its value."""
    d = b.p("hip") - b.p("o_hip")
    return np.degrees(np.arctan2(d[..., 1], d[..., 0]))
