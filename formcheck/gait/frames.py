"""Per-frame points of a running track (pixels, by side and name) and the
whole-clip repair of left/right leg labels for views from behind or in front."""

from __future__ import annotations

import math

import numpy as np

from formcheck.cleaning import VIS_MIN, apply_permutation, gate_visibility, interpolate_gaps, smooth_zero_phase
from formcheck.gait.signals import local_trend
from formcheck.geometry import fppa
from formcheck.landmarks import SIDES, Lm, PoseTrack

IDX = {
    "left": dict(hip=Lm.LEFT_HIP, knee=Lm.LEFT_KNEE, ankle=Lm.LEFT_ANKLE, heel=Lm.LEFT_HEEL, toe=Lm.LEFT_FOOT_INDEX,
                 sh=Lm.LEFT_SHOULDER),
    "right": dict(hip=Lm.RIGHT_HIP, knee=Lm.RIGHT_KNEE, ankle=Lm.RIGHT_ANKLE, heel=Lm.RIGHT_HEEL,
                  toe=Lm.RIGHT_FOOT_INDEX, sh=Lm.RIGHT_SHOULDER),
}


def _pt(px: np.ndarray, vis: np.ndarray, lm: Lm) -> np.ndarray:
    return np.where((vis[:, int(lm)] > VIS_MIN)[:, None], px[:, int(lm)], np.nan)


class Frames:
    """Gated pixel points of one track, by side and name ([N,2], NaN where unseen)."""

    def __init__(self, track: PoseTrack):
        self.px, self.vis = track.px, track.vis
        self.t = track.times

    def p(self, side: str, name: str) -> np.ndarray:
        return _pt(self.px, self.vis, IDX[side][name])

    def mid(self, name: str) -> np.ndarray:
        return (self.p("left", name) + self.p("right", name)) / 2

    def leg_px(self) -> float:
        """Median thigh + shank length on screen (pixels), both legs."""
        vals = []
        for s in SIDES:
            leg = (np.linalg.norm(self.p(s, "hip") - self.p(s, "knee"), axis=-1)
                   + np.linalg.norm(self.p(s, "knee") - self.p(s, "ankle"), axis=-1))
            vals.append(leg[np.isfinite(leg)])
        v = np.concatenate(vals)
        return float(np.median(v)) if len(v) else math.nan

    def leg_scale(self, window_s: float = 3.0) -> np.ndarray:
        """Leg length on screen per frame [N] (pixels): thigh + shank, both legs'
        mean, running median over `window_s` (long enough to ignore the legs' swing and
        landmark noise, short enough to follow a runner nearing the camera); the
        clip's median where unseen. Divides
        image distances so that a runner coming toward or going away from the
        camera keeps the same numbers."""
        per = []
        for s in SIDES:
            per.append(np.linalg.norm(self.p(s, "hip") - self.p(s, "knee"), axis=-1)
                       + np.linalg.norm(self.p(s, "knee") - self.p(s, "ankle"), axis=-1))
        both = np.stack(per)
        n = np.isfinite(both).sum(axis=0)
        leg = np.where(n > 0, np.nansum(both, axis=0) / np.maximum(n, 1), np.nan)
        whole = self.leg_px()
        if len(self.t) < 2 or not math.isfinite(whole):
            return np.full(len(self.t), whole)
        dt = float(np.median(np.diff(self.t)))
        half = max(1, int(round(0.5 * window_s / dt)))
        out = np.array([np.nanmedian(leg[max(0, i - half):i + half + 1])
                        if np.isfinite(leg[max(0, i - half):i + half + 1]).any() else whole
                        for i in range(len(leg))])
        return out

    def pelvis_bounce(self, trend_s: float = 1.5) -> np.ndarray:
        """Mid-hip image height [N] in leg lengths (per-frame scale), minus its own
        moving average over `trend_s` (a camera that tilts, pans or a runner who
        nears the camera moves the whole body on screen; the bounce stays)."""
        y = self.mid("hip")[:, 1] / self.leg_scale()
        ok = np.isfinite(y)
        if ok.sum() < 2:
            return y
        yf = np.interp(self.t, self.t[ok], y[ok])
        return np.where(ok, yf - local_trend(self.t, yf, trend_s), np.nan)

    def foot_low_y(self, side: str) -> np.ndarray:
        """Image y of the lowest foot point (heel or toe) [N], pixels, y down."""
        return np.fmax(self.p(side, "heel")[:, 1], self.p(side, "toe")[:, 1])

    def hip_width_legs(self) -> float:
        """The clip's median hip width on screen (across, pixels) over the leg length
        on screen (thigh + shank, both legs' mean), frame by frame; NaN unseen."""
        width = np.abs(self.p("left", "hip")[:, 0] - self.p("right", "hip")[:, 0])
        per = [np.linalg.norm(self.p(s, "hip") - self.p(s, "knee"), axis=-1)
               + np.linalg.norm(self.p(s, "knee") - self.p(s, "ankle"), axis=-1) for s in SIDES]
        r = width / ((per[0] + per[1]) / 2)
        r = r[np.isfinite(r)]
        return float(np.median(r)) if len(r) else math.nan

    def fppa(self, side: str, hip_scale: float = 1.0) -> np.ndarray:
        """FPPA [N] of one leg (degrees, + = knee in), with the hip points moved
        apart across the image by `hip_scale` about their midpoint (1: as seen)."""
        mid = self.mid("hip")[:, 0]
        hip = self.p(side, "hip").copy()
        hip[:, 0] = mid + (hip[:, 0] - mid) * hip_scale
        return fppa(hip, self.p(side, "knee"), self.p(side, "ankle"), mid)


def camera_yaw_deg(track: PoseTrack) -> float:
    """How far the camera looks off the runner's line of running (degrees, 0 =
    straight behind or in front, unsigned): the shoulder line's turn away from the
    image plane in the pose model's world landmarks, median over the clip. Rough
    (about +-5° on rendered runners, where it read 2-4° at 0°, 9-26° at 10-15°);
    used to widen the FPPA band and to warn, never to correct."""
    w = track.world
    d = w[:, int(Lm.RIGHT_SHOULDER)] - w[:, int(Lm.LEFT_SHOULDER)]
    ok = np.isfinite(d).all(axis=-1)
    if ok.sum() < 5:
        return math.nan
    a = float(np.degrees(np.arctan2(np.median(d[ok, 2]), np.median(d[ok, 0]))))
    a = abs(a)  # from in front the right shoulder is on the image's left: fold 180° away
    return float(min(a, 180.0 - a))


def facing(fr: Frames) -> float:
    """+1 if the runner faces image-right (toes to the right of heels), else -1."""
    d = np.concatenate([fr.p(s, "toe")[:, 0] - fr.p(s, "heel")[:, 0] for s in SIDES])
    d = d[np.isfinite(d)]
    return 1.0 if len(d) == 0 or np.median(d) >= 0 else -1.0


# Median depth difference between the legs (the pose model's 3D landmarks, metres) under
# which neither leg is called the nearer one [own: on 18 real side-on runners the legs' hip,
# knee and ankle depths differed by 0.14-0.25, the near leg always on the side the runner's
# toes and nose showed the camera; a legs-only clip read 0.10].
NEAR_DEPTH_M = 0.05


def near_leg(track: PoseTrack) -> str | None:
    """The leg nearer the camera in a side view ("left" or "right"), from the pose
    model's depth of each leg's hip, knee and ankle over the clip; None when the two
    are not told apart (NEAR_DEPTH_M) or not seen."""
    z = {s: track.world[track.detected][:, [int(IDX[s][k]) for k in ("hip", "knee", "ankle")], 2] for s in SIDES}
    if not all(np.isfinite(v).any() for v in z.values()):
        return None
    zl, zr = (float(np.nanmedian(z[s])) for s in SIDES)
    if abs(zl - zr) < NEAR_DEPTH_M:
        return None
    return "left" if zl < zr else "right"


# ---- leg labels from behind or in front -----------------------------------------------

def _viterbi_swaps(pts: np.ndarray, penalty: float, stay: float, max_gap: int = 3) -> np.ndarray:
    """Which frames to swap left/right for one group of points, decided over the
    whole clip at once (Viterbi) instead of frame by frame.

    pts [N,2,K,2]: the group's K points per side (0 = left, 1 = right), pixels,
    NaN where unseen. The cost of a labelling is how far each point lands from
    where its own last two positions predict (constant velocity), plus `penalty`
    per change of state, plus `stay` per swapped frame (the estimator's labels are
    right most of the time); so feet that cross quickly keep their labels, and a
    short run of swapped frames is undone. Across a gap of more than `max_gap`
    frames the points have moved too far to compare, so only `stay` decides.
    A greedy frame-by-frame repair can lock into a wrong state after a swap it
    missed; a whole-clip optimum cannot. Returns swap [N] bool.
    """
    n = len(pts)
    cand = np.stack([pts, pts[:, ::-1]])  # [2 states, N, 2 sides, K, 2]
    valid = np.flatnonzero(np.isfinite(pts).any(axis=(1, 2, 3)))
    swap = np.zeros(n, bool)
    if len(valid) < 3:
        return swap

    def miss(a: np.ndarray, b: np.ndarray) -> float:
        return float(np.nansum(np.linalg.norm(a - b, axis=-1)))

    # State (previous, current) as 2 * previous + current.
    v0, v1 = valid[0], valid[1]
    cost = np.array([miss(cand[b, v1], cand[a, v0]) + penalty * (a != b) + stay * (a + b)
                     for a in range(2) for b in range(2)])
    back = np.zeros((len(valid), 4), int)
    for m in range(2, len(valid)):
        k, j, i = valid[m - 2], valid[m - 1], valid[m]
        ratio = (i - j) / (j - k)
        new = np.full(4, np.inf)
        for b in range(2):
            for c in range(2):
                for a in range(2):
                    err = 0.0
                    if i - j <= max_gap and ratio <= 3.0:
                        pred = cand[b, j] + (cand[b, j] - cand[a, k]) * ratio
                        err = miss(cand[c, i], pred)
                    if err == 0.0 and i - j == 1:  # points unseen before: position only
                        err = miss(cand[c, i], cand[b, j])
                    tot = cost[2 * a + b] + err + penalty * (b != c) + stay * c
                    if tot < new[2 * b + c]:
                        new[2 * b + c] = tot
                        back[m, 2 * b + c] = a
        cost = new
    st = int(np.argmin(cost))
    b, c = divmod(st, 2)
    for m in range(len(valid) - 1, 0, -1):
        swap[valid[m]] = bool(c)
        a = back[m, 2 * b + c] if m >= 2 else b
        b, c = a, b
    swap[valid[0]] = bool(c)
    return swap


def relabel_legs(track: PoseTrack) -> PoseTrack:
    """Undo left/right label swaps of the legs over the whole clip (for views from
    behind or in front, where the legs stay apart on screen): the knees, and each
    foot (ankle, heel and toe together). Pure: returns a new raw track."""
    px = gate_visibility(track.xy, track.vis) * np.array([track.width, track.height], float)
    leg = np.nanmedian(np.linalg.norm(px[:, Lm.LEFT_HIP] - px[:, Lm.LEFT_KNEE], axis=-1)
                       + np.linalg.norm(px[:, Lm.LEFT_KNEE] - px[:, Lm.LEFT_ANKLE], axis=-1))
    if not np.isfinite(leg):
        return track
    penalty, stay = 0.1 * float(leg), 0.02 * float(leg)
    dt = float(np.median(np.diff(track.times))) if len(track) > 1 else 1 / 30
    max_gap = max(1, int(round(0.05 / dt)))  # frames; feet move too fast to predict further [own]
    perm = np.tile(np.arange(33), (len(track), 1))
    groups = (
        ((Lm.LEFT_KNEE,), (Lm.RIGHT_KNEE,)),
        ((Lm.LEFT_ANKLE, Lm.LEFT_HEEL, Lm.LEFT_FOOT_INDEX), (Lm.RIGHT_ANKLE, Lm.RIGHT_HEEL, Lm.RIGHT_FOOT_INDEX)),
    )
    for left, right in groups:
        pts = np.stack([px[:, list(left)], px[:, list(right)]], axis=1)
        swap = _viterbi_swaps(pts, penalty, stay, max_gap)
        for a, b in zip(left, right):
            pa, pb = perm[swap, a].copy(), perm[swap, b].copy()
            perm[swap, a], perm[swap, b] = pb, pa
    if not (perm != np.arange(33)).any():
        return track
    meta = dict(track.meta)
    meta["leg_swaps_relabelled"] = int((perm != np.arange(33)).any(axis=1).sum())
    return track.replace(xy=apply_permutation(track.xy, perm), vis=apply_permutation(track.vis, perm),
                         world=apply_permutation(track.world, perm), meta=meta)


def clean_frontal(track: PoseTrack, cutoff_hz: float) -> PoseTrack:
    """clean_track for views from behind or in front, with the leg labels made
    consistent over the whole clip (relabel_legs) instead of frame by frame:
    gate low visibility -> relabel legs -> fill short gaps -> zero-phase smoothing."""
    track = relabel_legs(track)
    scale = np.array([track.width, track.height], float)
    px = interpolate_gaps(gate_visibility(track.xy, track.vis) * scale, track.times)
    world = interpolate_gaps(gate_visibility(track.world, track.vis), track.times)
    px = smooth_zero_phase(px, track.times, cutoff_hz)
    world = smooth_zero_phase(world, track.times, cutoff_hz)
    ok = np.isfinite(px).all(axis=-1)
    vis = np.where(ok, np.maximum(track.vis, VIS_MIN + 0.01), 0.0)
    return track.replace(xy=px / scale, vis=vis, world=world, detected=track.detected & ok.any(axis=1))

