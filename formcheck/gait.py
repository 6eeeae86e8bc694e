"""Running gait from a pose track: steps, knee and pelvis metrics per step, faults
and a plain-language summary (clinical-criteria.md §1, §2, §5).

Pure numpy; no OpenCV, MediaPipe or Streamlit. `analyze_running` returns the
same report body as `analysis.analyze_track` (steps instead of reps) plus
"gait" (summary numbers, per-leg verdicts, summary lines) and "advice".

What each camera view gives (a metric the view cannot give is absent):
- from behind or in front: knee valgus (FPPA) per stance, contralateral pelvic
  drop (an estimate), crossover (heel across the midline at contact) and step width;
- from the side: overstride (heel ahead of the hip at contact), shin angle at
  contact, knee flexion at contact and midstance, trunk lean;
- any view: step timing, contact time and cadence.

Times: the track's timestamps are video time; real time = video time x
`GaitOptions.time_scale` (0.25 for 120 fps slow motion played at 30 fps).
Step times in the report (contact_s, midstance_s, toe_off_s) are video time,
so a player can seek to them; durations, rates and filters are in real time.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from formcheck.cleaning import (
    VIS_MIN,
    apply_permutation,
    clean_track,
    gate_visibility,
    interpolate_gaps,
    smooth_zero_phase,
)
from formcheck.errors import NoPersonError
from formcheck.geometry import fppa, joint_angle
from formcheck.landmarks import Lm, PoseTrack
from formcheck.views import VIEW_LABELS, clip_view

__all__ = [
    "GaitOptions",
    "GaitFault",
    "Step",
    "STEP_FAULTS",
    "analyze_running",
    "detect_steps",
    "standing_baseline",
    "relabel_legs",
    "FPPA_ABS_DEG",
    "FPPA_OVER_BASELINE_DEG",
    "PELVIC_DROP_DEG",
    "OVERSTRIDE_RATIO",
    "TIBIA_DEG",
    "LOW_CADENCE_SPM",
    "MIN_STEPS_PER_LEG",
]

# ---- thresholds (clinical-criteria.md §1; [own] = our default, to tune on pilot data) ----

# FPPA at midstance: >15° absolute or >10° above the runner's standing baseline
# [own ≈ SDD 7.5-8.9° (Munro 2012) + estimator error; clinical-criteria.md 1.2 table].
FPPA_ABS_DEG = 15.0
FPPA_OVER_BASELINE_DEG = 10.0
# A leg whose median is within this of the limit is "borderline" [own ≈ SEM 2.7-3.0°, Munro 2012].
FPPA_BORDERLINE_DEG = 3.0
# Contralateral pelvic drop >8° [own; CPD linked to injury, Bramah 2018; MP hips are not PSIS].
PELVIC_DROP_DEG = 8.0
# Crossover: the heel lands across the body midline (heel x vs mid-hip x) [Souza 2016 rule].
CROSSOVER_OFFSET = 0.0
# Overstride: heel ahead of the hip at contact >0.15 leg lengths [own]; shin (knee->ankle)
# leaning >10° forward at contact [own; Souza judges overstride from tibia alignment].
OVERSTRIDE_RATIO = 0.15
TIBIA_DEG = 10.0
# Cadence <160 steps/min -> suggest +5-10% [160: own; +5/+10%: Heiderscheit 2011].
LOW_CADENCE_SPM = 160.0
# Average at least 7 steps per leg before judging it [Dingenen 2018].
MIN_STEPS_PER_LEG = 7
# Left-right FPPA difference worth mentioning [own ≈ SDD 7.5-8.9°, Munro 2012].
ASYMMETRY_DEG = 8.0
# Offline low-pass for running [own]: the top of the 6-10 Hz range (clinical-criteria.md §4),
# because a stance lasts only 0.2-0.3 s.
GAIT_SMOOTH_HZ = 10.0
# Below this real frame rate a stance spans too few frames [own; clinical-criteria.md §2].
MIN_REAL_FPS = 60.0
# A still standing period of at least this long at the start is the runner's baseline [own].
BASELINE_MIN_S = 1.0
# Pelvic tilt is low-passed at 4 Hz before its peak per stance is read [own]: the
# two hip points are close together on screen, so frame noise tilts the line a lot,
# while the tilt itself swings once per stride (~1.4 Hz at 170 steps/min).
PELVIS_SMOOTH_HZ = 4.0
# From the side, the foot has landed when it moves back at this share of the ground's
# speed under the body [own: a landing foot is still slightly slower than the belt].
GROUND_SPEED_SHARE = 0.85
# Cadences the step detector looks for (steps/min) [own: walking-jog to sprint].
CADENCE_RANGE_SPM = (100.0, 240.0)
# FPPA and pelvic drop are read over a window around midstance, 35% of the stance
# either side [own]: it still catches a peak BlazePose shows ~2 frames late at 60 fps
# (clinical-criteria.md §5) and leaves out the swing leg's projections at the ends.
MIDSTANCE_WINDOW = 0.35

FRONTAL = ("front", "back")
SAGITTAL = ("side",)


@dataclass(frozen=True)
class GaitOptions:
    """time_scale: real seconds per video second (0.25 for 120 fps played at 30).
    baseline: "auto" finds a still standing period at the start of the clip and
    judges FPPA against it; "off" always uses the absolute limit.
    baseline_fppa_deg: a standing FPPA measured elsewhere, {"left": deg, "right": deg};
    it overrides "auto". clean: clean the track first (gaps, smoothing at smooth_hz
    real Hz, and leg labels: relabel_legs from behind or in front, else clean_track).
    min_steps_per_leg: steps a leg needs for a verdict."""

    time_scale: float = 1.0
    baseline: str = "auto"
    baseline_fppa_deg: dict[str, float] | None = None
    clean: bool = True
    smooth_hz: float = GAIT_SMOOTH_HZ
    min_steps_per_leg: int = MIN_STEPS_PER_LEG

    def __post_init__(self) -> None:
        if not (self.time_scale > 0 and math.isfinite(self.time_scale)):
            raise ValueError(f"time_scale: expected a positive number, got {self.time_scale!r}")
        if self.baseline not in ("auto", "off"):
            raise ValueError(f"baseline: expected 'auto' or 'off', got {self.baseline!r}")


@dataclass(frozen=True)
class GaitFault:
    """A per-step fault: flagged when any condition `(metric, op, limit)` holds.
    `when_baseline` replaces `when` if the runner's standing baseline is known."""

    code: str
    when: tuple[tuple[str, str, float], ...]
    views: tuple[str, ...]
    cue: str
    label: str
    source: str
    when_baseline: tuple[tuple[str, str, float], ...] | None = None
    severity: str = "warn"


STEP_FAULTS: tuple[GaitFault, ...] = (
    GaitFault("knee_valgus", (("fppa_deg", ">", FPPA_ABS_DEG),), FRONTAL,
              cue="Your knee caves in as you land: keep it in line over your foot",
              label="Knee caves in (dynamic valgus)",
              source="own: >15° absolute or >10° over standing baseline (≈ SDD, Munro 2012)",
              when_baseline=(("fppa_over_baseline_deg", ">", FPPA_OVER_BASELINE_DEG),)),
    GaitFault("pelvic_drop", (("pelvic_drop_deg", ">", PELVIC_DROP_DEG),), FRONTAL,
              cue="Your opposite hip drops as you land: keep your hips level",
              label="Pelvis drops on the swing side (estimate)",
              source="own 8°; contralateral drop linked to injury (Bramah 2018)"),
    GaitFault("crossover", (("heel_offset", "<", CROSSOVER_OFFSET),), FRONTAL,
              cue="Your foot lands across your midline: land a little wider",
              label="Foot crosses the midline",
              source="heel crosses the midline (Souza 2016)"),
    GaitFault("overstride", (("overstride", ">", OVERSTRIDE_RATIO), ("tibia_angle_deg", ">", TIBIA_DEG)), SAGITTAL,
              cue="Your foot lands far ahead of you: take shorter, quicker steps",
              label="Overstriding",
              source="own: heel >0.15 leg lengths ahead of the hip, or shin >10° forward at contact"),
)

CADENCE_FAULT = GaitFault("low_cadence", (("cadence_spm", "<", LOW_CADENCE_SPM),), FRONTAL + SAGITTAL + ("oblique",),
                          cue="Your step rate is low: take 5-10% quicker, shorter steps",
                          label="Low cadence",
                          source="160 own; +5-10% step rate cut knee load (Heiderscheit 2011)")

METRIC_LABELS = {
    "fppa_deg": "knee valgus (FPPA), peak over the middle of the stance (°; + = knee in)",
    "fppa_mid_deg": "FPPA at midstance (°)",
    "fppa_over_baseline_deg": "FPPA above your standing baseline (°)",
    "pelvic_drop_deg": "pelvic drop on the swing side, estimate from the hip landmarks (°; reads low)",
    "heel_offset": "heel distance from the midline at contact (hip widths; below 0 = crossed over)",
    "overstride": "heel ahead of the hip at contact (leg lengths)",
    "tibia_angle_deg": "shin angle from vertical at contact (°; + = ankle ahead of knee)",
    "knee_flex_contact_deg": "knee bend at contact (°)",
    "knee_flex_mid_deg": "knee bend at midstance (°)",
    "trunk_lean_deg": "forward trunk lean during stance (°)",
    "stance_s": "ground contact time (s, real time)",
}

_SIDES = ("left", "right")
_IDX = {
    "left": dict(hip=Lm.LEFT_HIP, knee=Lm.LEFT_KNEE, ankle=Lm.LEFT_ANKLE, heel=Lm.LEFT_HEEL, toe=Lm.LEFT_FOOT_INDEX,
                 sh=Lm.LEFT_SHOULDER),
    "right": dict(hip=Lm.RIGHT_HIP, knee=Lm.RIGHT_KNEE, ankle=Lm.RIGHT_ANKLE, heel=Lm.RIGHT_HEEL,
                  toe=Lm.RIGHT_FOOT_INDEX, sh=Lm.RIGHT_SHOULDER),
}


# ---- small signal tools (pure; t [N] seconds, x [N]) -----------------------------------


def _fill(t: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Linear fill of NaNs (ends held) so correlations and peak search can run."""
    ok = np.isfinite(x)
    if ok.sum() < 2:
        return np.zeros_like(x)
    return np.interp(t, t[ok], x[ok])


def _peaks(x: np.ndarray, min_dist: int, prominence: float) -> np.ndarray:
    """Indices of local maxima of x [N] at least `min_dist` samples apart (taller
    first) that rise at least `prominence` above the lower of the two minima
    separating them from the nearest taller (or equal) sample on each side."""
    x = np.asarray(x, float)
    n = len(x)
    if n < 3:
        return np.zeros(0, int)
    cand = np.flatnonzero((x[1:-1] > x[:-2]) & (x[1:-1] >= x[2:])) + 1
    keep: list[int] = []
    for i in sorted(cand, key=lambda k: -x[k]):
        if any(abs(i - j) < min_dist for j in keep):
            continue
        lows = []
        for side in (x[:i][::-1], x[i + 1:]):
            higher = np.flatnonzero(side >= x[i])
            part = side[: higher[0]] if len(higher) else side
            lows.append(float(part.min()) if len(part) else float(x[i]))
        if x[i] - max(lows) >= prominence:
            keep.append(int(i))
    return np.array(sorted(keep), int)


def _refine(t: np.ndarray, x: np.ndarray, i: int) -> float:
    """Sub-sample time of the extremum at sample i (parabola through 3 samples)."""
    if i <= 0 or i >= len(x) - 1:
        return float(t[i])
    a, b, c = x[i - 1], x[i], x[i + 1]
    den = a - 2 * b + c
    off = 0.5 * (a - c) / den if den != 0 else 0.0
    off = float(np.clip(off, -0.5, 0.5))
    dt = (t[i + 1] - t[i - 1]) / 2
    return float(t[i] + off * dt)


def _step_period(t: np.ndarray, x: np.ndarray) -> float | None:
    """Dominant step period (s) of a signal bouncing once per step, by autocorrelation
    within CADENCE_RANGE_SPM; None if there is no clear rhythm."""
    if len(t) < 8:
        return None
    dt = float(np.median(np.diff(t)))
    y = _fill(t, x)
    y = y - np.mean(y)
    if not np.any(y):
        return None
    ac = np.correlate(y, y, "full")[len(y) - 1:]
    ac = ac / ac[0]
    lo = max(1, int(60.0 / CADENCE_RANGE_SPM[1] / dt))
    hi = min(len(ac) - 2, int(math.ceil(60.0 / CADENCE_RANGE_SPM[0] / dt)))
    if hi <= lo:
        return None
    k = lo + int(np.argmax(ac[lo:hi + 1]))
    if ac[k] < 0.2:
        return None
    return _refine(np.arange(len(ac)) * dt, ac, k) if 0 < k < len(ac) - 1 else k * dt


def _interp_at(t: np.ndarray, x: np.ndarray, tq: float) -> float:
    ok = np.isfinite(x)
    if ok.sum() < 2 or tq < t[ok][0] - 1e-9 or tq > t[ok][-1] + 1e-9:
        return math.nan
    return float(np.interp(tq, t[ok], x[ok]))


def _parabola_peak(s: np.ndarray, x: np.ndarray) -> tuple[float, float]:
    """(value, place) of the highest point over [s.min(), s.max()] of a least-squares
    parabola through (s, x), after one pass dropping a sample far off it (a label
    swap the cleaning missed, a bad landmark)."""
    a, b, c = np.polyfit(s, x, 2)
    res = x - (a * s * s + b * s + c)
    mad = float(np.median(np.abs(res - np.median(res))))
    keep = np.abs(res) <= max(3.0 * 1.4826 * mad, 2.0)
    if 4 <= keep.sum() < len(s):
        s, x = s[keep], x[keep]
        a, b, c = np.polyfit(s, x, 2)
    cand = [float(s.min()), float(s.max())]
    if a < 0:
        cand.append(float(np.clip(-b / (2 * a), s.min(), s.max())))
    vals = [a * v * v + b * v + c for v in cand]
    k = int(np.argmax(vals))
    return float(vals[k]), cand[k]


def _window_peak(t: np.ndarray, x: np.ndarray, t0: float, t1: float) -> float:
    """Peak of x over [t0, t1], read from least-squares parabolas (robust to frame
    noise; a smooth peak between frames is not missed): one through the whole
    window finds the peak, a second through the samples within 40% of the
    window around it reads its height (a parabola over the whole window
    flattens a sharp peak). Falls back to the largest sample with fewer than 4."""
    m = (t >= t0 - 1e-9) & (t <= t1 + 1e-9) & np.isfinite(x)
    if m.sum() == 0:
        return math.nan
    tt, xx = t[m], x[m]
    if len(tt) < 4:
        return float(xx.max())
    s = (tt - t0) / max(t1 - t0, 1e-9)
    value, place = _parabola_peak(s, xx)
    near = np.abs(s - place) <= 0.2 + 1e-9
    if near.sum() >= 4:
        value = _parabola_peak(s[near], xx[near])[0]
    return value


# ---- per-frame features of the cleaned track (pixels) -----------------------------------


def _pt(px: np.ndarray, vis: np.ndarray, lm: Lm) -> np.ndarray:
    return np.where((vis[:, int(lm)] > VIS_MIN)[:, None], px[:, int(lm)], np.nan)


class _Frames:
    """Gated pixel points of one track, by side and name ([N,2], NaN where unseen)."""

    def __init__(self, track: PoseTrack):
        self.px, self.vis = track.px, track.vis
        self.t = track.times

    def p(self, side: str, name: str) -> np.ndarray:
        return _pt(self.px, self.vis, _IDX[side][name])

    def mid(self, name: str) -> np.ndarray:
        return (self.p("left", name) + self.p("right", name)) / 2

    def leg_px(self) -> float:
        """Median thigh + shank length on screen (pixels), both legs."""
        vals = []
        for s in _SIDES:
            leg = (np.linalg.norm(self.p(s, "hip") - self.p(s, "knee"), axis=-1)
                   + np.linalg.norm(self.p(s, "knee") - self.p(s, "ankle"), axis=-1))
            vals.append(leg[np.isfinite(leg)])
        v = np.concatenate(vals)
        return float(np.median(v)) if len(v) else math.nan

    def foot_low_y(self, side: str) -> np.ndarray:
        """Image y of the lowest foot point (heel or toe) [N], pixels, y down."""
        return np.fmax(self.p(side, "heel")[:, 1], self.p(side, "toe")[:, 1])

    def fppa(self, side: str) -> np.ndarray:
        mid = self.mid("hip")[:, 0]
        return fppa(self.p(side, "hip"), self.p(side, "knee"), self.p(side, "ankle"), mid)

    def hip_drop(self, stance_side: str) -> np.ndarray:
        """Swing-side hip below the stance-side hip, as an angle (°) [N]."""
        other = "right" if stance_side == "left" else "left"
        d = self.p(other, "hip") - self.p(stance_side, "hip")
        return np.degrees(np.arctan2(d[:, 1], np.abs(d[:, 0])))

    def knee_flexion(self, side: str) -> np.ndarray:
        return 180.0 - joint_angle(self.p(side, "hip"), self.p(side, "knee"), self.p(side, "ankle"))


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


def _clean_frontal(track: PoseTrack, cutoff_hz: float) -> PoseTrack:
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


# ---- steps ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    """One stance: side and real times (s) of initial contact, midstance, toe-off."""

    side: str
    contact: float
    toe_off: float
    mid: float | None = None  # the pelvis' lowest point, if known
    estimated: bool = False  # contact and toe-off from the leg's usual timing, not seen

    @property
    def midstance(self) -> float:
        if self.mid is not None and self.contact < self.mid < self.toe_off:
            return self.mid
        return 0.5 * (self.contact + self.toe_off)

    @property
    def stance(self) -> float:
        return self.toe_off - self.contact


def _noise(y: np.ndarray) -> float:
    """Frame-to-frame noise (SD) of a signal [N], from its second differences (robust)."""
    d2 = np.diff(y[np.isfinite(y)], 2)
    if len(d2) < 5:
        return 0.0
    return float(1.4826 * np.median(np.abs(d2 - np.median(d2))) / math.sqrt(6.0))


def _ground_segment(t: np.ndarray, y: np.ndarray, seed: int, lo: int, hi: int, tol: float) -> tuple[int, int]:
    """The longest run of samples [i0, i1] around `seed`, within [lo, hi], that stays
    within `tol` of its own least-squares line: a foot point resting on the ground
    (a treadmill belt moves it toward or away from the camera, so its image height
    drifts along a line). Grown one sample at a time on the side that fits better."""
    if not np.isfinite(y[seed]):
        return seed, seed

    def worst(a: int, b: int) -> float:
        tt, yy = t[a:b + 1], y[a:b + 1]
        if not np.isfinite(yy).all():
            return math.inf
        if b - a < 2:
            return 0.0
        tc = tt - tt.mean()
        slope = float(np.sum(tc * (yy - yy.mean())) / np.sum(tc * tc))
        return float(np.max(np.abs(yy.mean() + slope * tc - yy)))

    i0 = i1 = seed
    while True:
        opts = []
        if i0 - 1 >= lo:
            opts.append((worst(i0 - 1, i1), i0 - 1, i1))
        if i1 + 1 <= hi:
            opts.append((worst(i0, i1 + 1), i0, i1 + 1))
        if not opts:
            break
        err, a, b = min(opts)
        if err > tol:
            break
        i0, i1 = a, b
    return i0, i1


def _ground_line(t: np.ndarray, y: np.ndarray, i0: int, i1: int) -> tuple[np.ndarray, np.ndarray]:
    """The image height of the ground under a foot point [N], from the middle half of
    a run on the ground [i0, i1] (surely on the ground, so slow departures at the
    ends do not bend it), and the residuals there.

    A point carried at constant speed along the belt projects to
    y = (p0 + p1 t) / (1 + p2 t) (a straight line seen in perspective); that model
    is fitted (linear least squares in p) with 5 samples or more, else a line.
    """
    q = max(1, (i1 - i0) // 4)
    c0, c1 = i0 + q, max(i0 + q + 1, i1 - q)
    tt, yy = t[c0:c1 + 1], y[c0:c1 + 1]
    ok = np.isfinite(yy)
    if ok.sum() < 2:
        return np.full_like(t, np.nanmean(yy) if ok.any() else np.nan), np.zeros(0)
    tt, yy = tt[ok], yy[ok]
    t0 = float(tt.mean())
    slope, icept = np.polyfit(tt - t0, yy, 1)
    line = slope * (t - t0) + icept
    if len(tt) >= 5:
        a = np.stack([np.ones_like(tt), tt - t0, -(tt - t0) * yy], axis=1)
        p, *_ = np.linalg.lstsq(a, yy, rcond=None)
        den = 1 + p[2] * (t - t0)
        span = float(np.ptp(t[max(0, i0 - len(tt)):i1 + len(tt)]))
        if abs(p[2]) * span < 0.5:  # a gentle perspective; otherwise keep the line
            line = (p[0] + p[1] * (t - t0)) / den
    fit = np.interp(tt, t, line)
    return line, yy - fit


def _ground_edges(t: np.ndarray, y: np.ndarray, i0: int, i1: int, lo: int, hi: int,
                  thr: float, persist: int) -> tuple[float, float]:
    """Times a foot point lands on and lifts off its ground line (see _ground_line).

    Walking out from the middle of the run, the point has left the ground at the
    first of `persist` samples in a row more than `thr` above the line (image y
    is down, so "above" is a smaller y); the edge is where the height crosses
    thr/2, interpolated between samples.
    """
    ground, _ = _ground_line(t, y, i0, i1)
    r = ground - y  # height above the ground line (leg lengths)
    q = max(1, (i1 - i0) // 4)
    c0, c1 = i0 + q, max(i0 + q + 1, i1 - q)
    half = 0.5 * thr

    def off(j: int) -> bool:
        return not np.isfinite(r[j]) or r[j] > thr

    def walk(i: int, step: int, stop: int) -> float:
        while (i + step - stop) * step <= 0:
            j = i + step
            run = [j + step * m for m in range(persist) if (j + step * m - stop) * step <= 0]
            if all(off(m) for m in run):
                if not np.isfinite(r[j]) or r[j] <= r[i]:
                    return float(t[i])
                w = float(np.clip((r[j] - half) / (r[j] - r[i]), 0.0, 1.0))
                return float(t[j] + w * (t[i] - t[j]))
            i = j
        return float(t[i])

    return walk(c0, -1, lo), walk(c1, 1, hi)


def _alternate(times: list[float], labels: list[str], period: float) -> tuple[list[str], int]:
    """Sides for a run of steps: they alternate (a gap of n periods counts n steps);
    the phase is the one most per-step labels agree with. Returns sides and the
    number of labels that disagreed."""
    parity, k = [], 0
    for n, tc in enumerate(times):
        if n:
            k += max(1, int(round((tc - times[n - 1]) / period)))
        parity.append(k % 2)
    votes = sum(1 if (lab == "left") == (p == 0) else -1 for lab, p in zip(labels, parity))
    first = "left" if votes >= 0 else "right"
    second = "right" if first == "left" else "left"
    sides = [first if p == 0 else second for p in parity]
    return sides, sum(1 for a, b in zip(labels, sides) if a != b)


def _smooth(t: np.ndarray, x: np.ndarray, sigma_s: float) -> np.ndarray:
    """Gaussian smoothing (zero phase) with sigma in seconds; NaNs filled first."""
    dt = float(np.median(np.diff(t)))
    sig = max(0.5, sigma_s / dt)
    k = np.exp(-0.5 * (np.arange(-int(3 * sig), int(3 * sig) + 1) / sig) ** 2)
    y = _fill(t, x)
    return np.convolve(np.pad(y, len(k) // 2, mode="edge"), k / k.sum(), mode="valid")


def _pelvis_lows(fr: _Frames, t: np.ndarray, leg: float, period: float) -> tuple[np.ndarray, np.ndarray]:
    """The pelvis' lowest points, one per step: sample indices and refined times."""
    dt = float(np.median(np.diff(t)))
    pel = _smooth(t, fr.mid("hip")[:, 1] / leg, period / 8)
    span = float(np.percentile(pel, 95) - np.percentile(pel, 5))
    idx = _peaks(pel, max(1, int(0.6 * period / dt)), max(0.01, 0.25 * span))
    return idx, np.array([_refine(t, pel, i) for i in idx])


def _robust_offsets(steps: list[Step], dt: float) -> list[Step]:
    """Per leg, contact and toe-off offsets from midstance that stray from that
    leg's median by more than max(1.5 frames, 30 ms) are replaced by the median
    (steady running repeats its timing; a stray edge is noise), and steps whose
    feet were not seen get the median offsets (marked estimated)."""
    out = list(steps)
    lim = max(1.5 * dt, 0.03)
    seen_all = [s for s in steps if not s.estimated and s.mid is not None]
    for side in _SIDES:
        seen = [s for s in seen_all if s.side == side] or seen_all
        if not seen:
            continue
        a = np.array([s.mid - s.contact for s in seen])
        b = np.array([s.toe_off - s.mid for s in seen])
        ma, mb = float(np.median(a)), float(np.median(b))
        for k, s in enumerate(steps):
            if s.side != side or s.mid is None:
                continue
            if s.estimated:
                out[k] = Step(s.side, s.mid - ma, s.mid + mb, s.mid, True)
            elif len(seen) >= 3:
                ak, bk = s.mid - s.contact, s.toe_off - s.mid
                c = s.mid - (ak if abs(ak - ma) <= lim else ma)
                e = s.mid + (bk if abs(bk - mb) <= lim else mb)
                out[k] = Step(s.side, c, e, s.mid)
    return out


def _contacts_sagittal(fr: _Frames, t: np.ndarray, leg: float, period: float, seeds: np.ndarray) -> np.ndarray:
    """Contacts seen from the side, one per midstance seed (NaN where not found),
    whatever the left/right labels (BlazePose swaps them in side views).

    The forward-most heel (relative to the hip) reaches forward before each
    contact, then moves back; the foot lands when it moves back nearly as fast
    as the ground carries a standing foot (GROUND_SPEED_SHARE of that speed,
    measured between the reach and midstance).
    """
    fwd = _facing(fr)
    hip_x = fr.mid("hip")[:, 0]
    front = _fill(t, np.fmax(*(fwd * (fr.p(s, "heel")[:, 0] - hip_x) / leg for s in _SIDES)))
    back = -np.gradient(front, t)
    out = np.full(len(seeds), np.nan)
    for n, ts in enumerate(seeds):
        w = np.flatnonzero((t >= ts - 0.8 * period) & (t <= ts))
        if len(w) < 3:
            continue
        f = w[int(np.argmax(front[w]))]
        after = np.flatnonzero((t > t[f]) & (t <= ts))
        if len(after) < 3:
            continue
        v_ground = float(np.median(back[after[len(after) // 3:]]))
        if v_ground <= 0:
            continue
        lim = GROUND_SPEED_SHARE * v_ground
        hit = after[back[after] >= lim]
        if len(hit) == 0:
            continue
        k = hit[0]
        if k - 1 >= 0 and back[k - 1] < lim < back[k]:
            out[n] = t[k - 1] + (lim - back[k - 1]) / (back[k] - back[k - 1]) * (t[k] - t[k - 1])
        else:
            out[n] = t[k]
    return out


def _steps_vertical(fr: _Frames, t: np.ndarray, leg: float, period: float,
                    view: str | None = None) -> tuple[list[Step], int]:
    """Steps from the pelvis bounce and the feet's vertical motion on screen (any view).

    Midstance: the pelvis is lowest once per step (image y of the mid-hip,
    lightly smoothed). The stance leg is the one whose heel is lower on screen
    there (the other heel is kicked up behind). Around each midstance, the heel
    and the toe of that leg are followed while they rest on the ground: on a
    treadmill the belt carries the foot toward or away from the camera, so a
    point on the ground drifts along a straight line in image height; the point
    is on the ground while it stays on that line (`_ground_segment`,
    `_ground_edges`). Contact is where the first of them lands, toe-off where the
    last one lifts. Tolerances follow the landmarks' noise, measured as the
    spread about those lines over all steps. From the side, contact comes from
    the feet's forward-backward motion instead (`_contacts_sagittal`), which is
    sharper there.
    """
    dt = float(np.median(np.diff(t)))
    seeds, seed_t = _pelvis_lows(fr, t, leg, period)
    ys = {s: {"heel": fr.p(s, "heel")[:, 1] / leg, "toe": fr.p(s, "toe")[:, 1] / leg} for s in _SIDES}
    half = max(1, int(round(0.75 * period / dt)))
    persist = max(1, int(round(0.02 / dt)))
    cands = []
    for i, ti in zip(seeds, seed_t):
        hl, hr = ys["left"]["heel"][i], ys["right"]["heel"][i]
        if not (np.isfinite(hl) or np.isfinite(hr)):
            continue
        side = "left" if np.nan_to_num(hl, nan=-9) >= np.nan_to_num(hr, nan=-9) else "right"
        cands.append((i, float(ti), side, max(0, i - half), min(len(t) - 1, i + half)))

    def segments(tol: dict[str, float]) -> list[list[tuple[np.ndarray, int, int]]]:
        out = []
        for i, _, side, lo, hi in cands:
            segs = []
            for pt in ("heel", "toe"):
                y = ys[side][pt]
                a, b = _ground_segment(t, y, i, lo, hi, tol[side])
                if b - a >= 2:
                    segs.append((y, a, b))
            out.append(segs)
        return out

    # Pass 1: a first tolerance from the signals' own frame-to-frame noise; then the
    # noise is re-measured as the spread about the ground lines, and pass 2 uses it.
    noise = {s: max(_noise(ys[s]["heel"]), _noise(ys[s]["toe"])) for s in _SIDES}
    segs = segments({s: max(0.02, 3.0 * noise[s]) for s in _SIDES})
    for side in _SIDES:
        res = [r for (_, _, sd, _, _), sg in zip(cands, segs) if sd == side for (y, a, b) in sg
               for r in _ground_line(t, y, a, b)[1]]
        if len(res) >= 6:
            noise[side] = float(np.sqrt(np.mean(np.square(res))))
    segs = segments({s: max(0.015, 3.0 * noise[s]) for s in _SIDES})
    ic_side = (_contacts_sagittal(fr, t, leg, period, np.array([c[1] for c in cands]))
               if view in SAGITTAL else np.full(len(cands), np.nan))
    raw: list[Step] = []
    for (_i, ti, side, lo, hi), sg, ic_h in zip(cands, segs, ic_side):
        thr = max(0.008, 2.5 * noise[side])
        edges = [_ground_edges(t, y, a, b, lo, hi, thr, persist) for (y, a, b) in sg]
        ok = False
        if edges:
            t0, t1 = min(e[0] for e in edges), max(e[1] for e in edges)
            # A landing the foot signal cannot place (noise, a slow heel from this
            # angle) is kept no earlier than the stance mirrored about midstance
            # allows, with some slack (the pelvis is lowest at about mid-stance).
            t0 = max(t0, 2 * ti - t1 - max(dt, 0.3 * (t1 - ti)))
            if np.isfinite(ic_h):
                t0 = float(ic_h)
            ok = 0.08 <= t1 - t0 <= 1.6 * period and t0 < ti < t1
        # The pelvis shows a step the feet do not (a foot hidden or mislabelled):
        # keep it, with its leg's usual timing filled in below.
        raw.append(Step(side, t0, t1, ti) if ok else Step(side, ti, ti, ti, estimated=True))
    if not any(not r.estimated for r in raw):
        return [], 0
    sides, disagree = _alternate([r.mid for r in raw], [r.side for r in raw], period)
    steps = [Step(sd, r.contact, r.toe_off, r.mid, r.estimated) for r, sd in zip(raw, sides)]
    # A stance cut by the start or end of the clip is not a whole step.
    seen = t[np.isfinite(fr.mid("hip")[:, 1])]
    first, last = (seen[0] + 0.5 * dt, seen[-1] - 0.5 * dt) if len(seen) else (t[0], t[-1])
    steps = [s for s in _robust_offsets(steps, dt) if s.contact > first and s.toe_off < last]
    return steps, disagree


def _facing(fr: _Frames) -> float:
    """+1 if the runner faces image-right (toes to the right of heels), else -1."""
    d = np.concatenate([fr.p(s, "toe")[:, 0] - fr.p(s, "heel")[:, 0] for s in _SIDES])
    d = d[np.isfinite(d)]
    return 1.0 if len(d) == 0 or np.median(d) >= 0 else -1.0


def detect_steps(track: PoseTrack, view: str | None) -> tuple[list[Step], float | None, dict]:
    """Steps of a cleaned track whose times are real time. Returns (steps sorted by
    contact, step period in s or None, info {"label_disagreements": n, "method": ...})."""
    fr = _Frames(track)
    t = track.times
    leg = fr.leg_px()
    info: dict = {"label_disagreements": 0, "method": None}
    if not math.isfinite(leg) or leg <= 0 or len(t) < 8:
        return [], None, info
    period = _step_period(t, fr.mid("hip")[:, 1])
    if period is None:  # no pelvis bounce: try the feet (one bounce per stride each)
        sp = _step_period(t, fr.foot_low_y("left") - fr.foot_low_y("right"))
        period = sp / 2 if sp else None
    if period is None:
        return [], None, info
    steps, disagree = _steps_vertical(fr, t, leg, period, view)
    info.update(method="pelvis bounce and vertical foot motion", label_disagreements=disagree)
    return steps, period, info


# ---- baseline ---------------------------------------------------------------------------


def standing_baseline(track: PoseTrack) -> tuple[float, float] | None:
    """(start, end) real times of a still standing period at the start of a cleaned
    track, at least BASELINE_MIN_S long, or None. Still: hips, knees and ankles
    each move less than 3% of a leg length (SD over 0.5 s) and the feet are level."""
    fr = _Frames(track)
    t = track.times
    leg = fr.leg_px()
    if not math.isfinite(leg) or len(t) < 4:
        return None
    dt = float(np.median(np.diff(t)))
    half = max(1, int(round(0.25 / dt)))
    pts = np.stack([fr.p(s, n) for s in _SIDES for n in ("hip", "knee", "ankle")], axis=1) / leg  # [N,6,2]
    n = len(t)
    still = np.zeros(n, bool)
    for i in range(n):
        w = pts[max(0, i - half):i + half + 1]
        if not np.isfinite(w).all():
            continue
        still[i] = bool(np.max(np.std(w, axis=0)) < 0.03)
    level = np.abs(fr.foot_low_y("left") - fr.foot_low_y("right")) / leg < 0.06
    ok = still & level
    first = np.flatnonzero(track.detected)
    if len(first) == 0 or not ok[first[0]]:
        return None
    i0 = first[0]
    i1 = i0
    while i1 + 1 < n and ok[i1 + 1]:
        i1 += 1
    # Leave out the last 0.25 s: the runner may already be starting to move.
    end = t[i1] - 0.25
    if end - t[i0] < BASELINE_MIN_S:
        return None
    return float(t[i0]), float(end)


# ---- per-step metrics -------------------------------------------------------------------


def _frontal_metrics(fr: _Frames, t: np.ndarray, st: Step, base: dict | None) -> dict[str, float]:
    s = st.side
    w0 = st.midstance - MIDSTANCE_WINDOW * st.stance
    w1 = st.midstance + MIDSTANCE_WINDOW * st.stance
    f = fr.fppa(s)
    m = {"fppa_deg": _window_peak(t, f, w0, w1), "fppa_mid_deg": _interp_at(t, f, st.midstance)}
    if base is not None and math.isfinite(base["fppa_deg"].get(s, math.nan)):
        m["fppa_over_baseline_deg"] = m["fppa_deg"] - base["fppa_deg"][s]
    # The hip line is short on screen, so its tilt is noisy; it is smoothed harder
    # (PELVIS_SMOOTH_HZ) than the joints before its peak is read.
    drop = smooth_zero_phase(fr.hip_drop(s), t, PELVIS_SMOOTH_HZ)
    if base is not None and math.isfinite(base.get("hip_drop_deg", {}).get(s, math.nan)):
        drop = drop - base["hip_drop_deg"][s]
    m["pelvic_drop_deg"] = _window_peak(t, drop, w0, w1)
    hip, ohip = fr.p(s, "hip")[:, 0], fr.p("right" if s == "left" else "left", "hip")[:, 0]
    mid = (hip + ohip) / 2
    width = np.abs(hip - ohip)
    outward = np.sign(hip - mid)
    sel = (t >= st.contact) & (t <= st.toe_off)
    hw = float(np.nanmedian(width[sel])) if np.isfinite(width[sel]).any() else math.nan
    heel_rel = (fr.p(s, "heel")[:, 0] - mid) * outward
    m["heel_offset"] = _interp_at(t, heel_rel, st.contact) / hw if hw and math.isfinite(hw) else math.nan
    m["heel_x_px"] = _interp_at(t, fr.p(s, "heel")[:, 0] - mid, st.contact)  # for step width
    m["hip_width_px"] = hw
    return m


def _at(t: np.ndarray, p: np.ndarray, tq: float) -> np.ndarray:
    """A point series [N,2] at time tq (linear interpolation), [2]."""
    return np.array([_interp_at(t, p[:, 0], tq), _interp_at(t, p[:, 1], tq)])


def _leg_at(fr: _Frames, t: np.ndarray, tq: float, heel: np.ndarray, shank: float) -> tuple[np.ndarray, np.ndarray]:
    """(knee, ankle) [2] of the leg whose heel is at `heel` at time tq, whatever the
    labels: the ankle nearest that heel, and the knee of the same label unless it
    is not a shank's length (+-25%) from that ankle while the other one is (in side
    views BlazePose swaps single points as well as whole legs)."""
    ankles = {x: _at(t, fr.p(x, "ankle"), tq) for x in _SIDES}
    side = min(_SIDES, key=lambda x: np.nan_to_num(np.linalg.norm(ankles[x] - heel), nan=1e9))
    ankle = ankles[side]
    knees = {x: _at(t, fr.p(x, "knee"), tq) for x in _SIDES}
    miss = {x: abs(np.nan_to_num(np.linalg.norm(knees[x] - ankle), nan=1e9) - shank) for x in _SIDES}
    other = "right" if side == "left" else "left"
    knee = knees[other] if miss[side] > 0.25 * shank and miss[other] < miss[side] else knees[side]
    return knee, ankle


def _sagittal_metrics(fr: _Frames, t: np.ndarray, st: Step, leg: float, fwd: float) -> dict[str, float]:
    """Side-view metrics of one step, from whichever foot is where the step says
    (the forward-most heel at contact, the lower heel at midstance), not from the
    left/right labels, which BlazePose mixes up in side views."""
    hip = fr.mid("hip")
    shank = float(np.nanmedian(np.concatenate(
        [np.linalg.norm(fr.p(x, "knee") - fr.p(x, "ankle"), axis=-1) for x in _SIDES])))
    heels_ic = [_at(t, fr.p(x, "heel"), st.contact) for x in _SIDES]
    hip_ic = _at(t, hip, st.contact)
    ahead = [fwd * (h[0] - hip_ic[0]) for h in heels_ic]
    out = {k: math.nan for k in ("overstride", "tibia_angle_deg", "knee_flex_contact_deg", "knee_flex_mid_deg")}
    if any(math.isfinite(v) for v in ahead):
        k = int(np.nanargmax(ahead))
        out["overstride"] = ahead[k] / leg
        knee, ankle = _leg_at(fr, t, st.contact, heels_ic[k], shank)
        sh = ankle - knee
        out["tibia_angle_deg"] = float(np.degrees(np.arctan2(fwd * sh[0], sh[1])))
        out["knee_flex_contact_deg"] = float(180.0 - joint_angle(hip_ic, knee, ankle))
    heels_ms = [_at(t, fr.p(x, "heel"), st.midstance) for x in _SIDES]
    low = [h[1] for h in heels_ms]
    if any(math.isfinite(v) for v in low):
        k = int(np.nanargmax(low))
        knee, ankle = _leg_at(fr, t, st.midstance, heels_ms[k], shank)
        out["knee_flex_mid_deg"] = float(180.0 - joint_angle(_at(t, hip, st.midstance), knee, ankle))
    trunk = fr.mid("sh") - hip
    lean = np.degrees(np.arctan2(fwd * trunk[:, 0], -trunk[:, 1]))
    sel = (t >= st.contact) & (t <= st.toe_off) & np.isfinite(lean)
    out["trunk_lean_deg"] = float(np.median(lean[sel])) if sel.any() else math.nan
    return out


def _judge(m: dict[str, float], view: str | None, has_baseline: bool) -> list[dict]:
    out = []
    for f in STEP_FAULTS:
        if view not in f.views:
            continue
        conds = f.when_baseline if (has_baseline and f.when_baseline) else f.when
        for metric, op, limit in conds:
            v = m.get(metric, math.nan)
            if not math.isfinite(v):
                continue
            if (v > limit) if op == ">" else (v < limit):
                out.append({"code": f.code, "message": f.cue, "severity": f.severity,
                            "value": round(v, 3), "limit": limit})
                break
    return out


# ---- summary ----------------------------------------------------------------------------


def _med(vals: list[float]) -> float | None:
    v = [x for x in vals if x is not None and math.isfinite(x)]
    return round(float(np.median(v)), 2) if v else None


def _leg_summary(steps: list[dict], side: str, view: str | None, min_steps: int, fppa_limit: float,
                 fppa_metric: str) -> dict:
    mine = [s for s in steps if s["side"] == side]
    out: dict = {"steps": len(mine), "stance_s_median": _med([s["metrics"].get("stance_s") for s in mine])}
    if view in FRONTAL:
        vals = [s["metrics"][fppa_metric] for s in mine if fppa_metric in s["metrics"]]
        fp = [s["metrics"]["fppa_deg"] for s in mine if "fppa_deg" in s["metrics"]]
        flagged = sum(1 for s in mine if any(f["code"] == "knee_valgus" for f in s["faults"]))
        med = _med(vals)
        verdict = None
        if len(vals) >= min_steps and med is not None:
            share = flagged / len(vals)
            if med > fppa_limit:
                verdict = "knee_valgus"
            elif med > fppa_limit - FPPA_BORDERLINE_DEG or share >= 0.3:
                verdict = "borderline"
            else:
                verdict = "ok"
        out.update({
            "fppa_median_deg": _med(fp), "fppa_peak_deg": round(max(fp), 2) if fp else None,
            "fppa_judged_deg": med, "fppa_limit_deg": fppa_limit, "fppa_metric": fppa_metric,
            "valgus_steps": flagged, "valgus_share": round(flagged / len(vals), 3) if vals else None,
            "verdict": verdict,
            "pelvic_drop_median_deg": _med([s["metrics"].get("pelvic_drop_deg") for s in mine]),
            "pelvic_drop_steps": sum(1 for s in mine if any(f["code"] == "pelvic_drop" for f in s["faults"])),
            "crossover_steps": sum(1 for s in mine if any(f["code"] == "crossover" for f in s["faults"])),
            "heel_offset_median": _med([s["metrics"].get("heel_offset") for s in mine]),
        })
    if view in SAGITTAL:
        out.update({
            "overstride_median": _med([s["metrics"].get("overstride") for s in mine]),
            "tibia_angle_median_deg": _med([s["metrics"].get("tibia_angle_deg") for s in mine]),
            "knee_flex_contact_median_deg": _med([s["metrics"].get("knee_flex_contact_deg") for s in mine]),
            "knee_flex_mid_median_deg": _med([s["metrics"].get("knee_flex_mid_deg") for s in mine]),
            "overstride_steps": sum(1 for s in mine if any(f["code"] == "overstride" for f in s["faults"])),
        })
    return out


def _cadence(steps: list[Step], period: float | None) -> float | None:
    """Steps per minute (real time) from the midstance times, which are steadier than
    contacts. An interval spanning k steps (a step missed or out of view) counts
    as k steps; intervals that fit no whole number of steps are left out."""
    if len(steps) < 4:
        return None
    tm = np.array([s.midstance for s in steps])
    iv = np.diff(tm)
    med = float(np.median(iv))
    if med <= 0:
        return None
    k = np.maximum(1, np.round(iv / med))
    good = (k <= 3) & (np.abs(iv / k - med) < 0.25 * med)
    if good.sum() < 3:
        return None
    return 60.0 * float(k[good].sum()) / float(iv[good].sum())


def _fmt(v: float | None, unit: str = "°") -> str:
    return "?" if v is None else f"{v:.0f}{unit}"


def _summary_lines(gait: dict, view: str | None) -> list[str]:
    lines = []
    cad = gait.get("cadence_spm")
    if cad is not None:
        low = " — low (under 160)" if cad < LOW_CADENCE_SPM else ""
        lines.append(f"Cadence {cad:.0f} steps/min over {gait['step_count']} steps{low}.")
    legs = gait["legs"]
    for side in _SIDES:
        lg = legs[side]
        name = side.capitalize()
        if view in FRONTAL:
            n = lg["steps"]
            judged = "above your standing baseline" if lg["fppa_metric"] == "fppa_over_baseline_deg" else "limit"
            if lg["verdict"] is None:
                lines.append(f"{name} knee: only {n} steps seen; at least {gait['min_steps_per_leg']} are needed "
                             f"for a verdict (median {_fmt(lg['fppa_median_deg'])}).")
            elif lg["verdict"] == "knee_valgus":
                lines.append(f"{name} knee caves in on {lg['valgus_steps']} of {n} steps, peak "
                             f"{_fmt(lg['fppa_peak_deg'])} (median {_fmt(lg['fppa_median_deg'])}; "
                             f"{judged} {lg['fppa_limit_deg']:.0f}°).")
            elif lg["verdict"] == "borderline":
                lines.append(f"{name} knee: borderline, caves in on {lg['valgus_steps']} of {n} steps "
                             f"(median {_fmt(lg['fppa_median_deg'])}, peak {_fmt(lg['fppa_peak_deg'])}; "
                             f"{judged} {lg['fppa_limit_deg']:.0f}°).")
            else:
                lines.append(f"{name} knee stays in line: median {_fmt(lg['fppa_median_deg'])}, peak "
                             f"{_fmt(lg['fppa_peak_deg'])} over {n} steps.")
            if lg.get("pelvic_drop_steps"):
                lines.append(f"Hip drops on the other side on {lg['pelvic_drop_steps']} of {n} {side} steps "
                             f"(estimate, median {_fmt(lg['pelvic_drop_median_deg'])}).")
            if lg.get("crossover_steps"):
                lines.append(f"{name} foot lands across your midline on {lg['crossover_steps']} of {n} steps.")
        if view in SAGITTAL and lg["steps"]:
            lines.append(f"{name} foot lands {lg['overstride_median']:.2f} leg lengths ahead of the hip, shin "
                         f"{_fmt(lg['tibia_angle_median_deg'])} from vertical; knee bent "
                         f"{_fmt(lg['knee_flex_contact_median_deg'])} at contact and "
                         f"{_fmt(lg['knee_flex_mid_median_deg'])} at midstance."
                         if lg.get("overstride_median") is not None else f"{name}: {lg['steps']} steps.")
    asym = gait.get("asymmetry", {}).get("fppa_deg")
    if asym is not None and abs(asym) >= ASYMMETRY_DEG:
        worse = "left" if asym > 0 else "right"
        lines.append(f"The {worse} knee caves in {abs(asym):.0f}° more than the other (median).")
    if view in SAGITTAL and gait.get("trunk_lean_median_deg") is not None:
        lines.append(f"Trunk leans {gait['trunk_lean_median_deg']:.0f}° forward.")
    return lines


def _advice(gait: dict, steps: list[dict], view: str | None) -> list[str]:
    codes = {f["code"] for s in steps for f in s["faults"]} | {f["code"] for f in gait["faults"]}
    legs = gait["legs"]
    out = []
    if any(legs[s].get("verdict") in ("knee_valgus", "borderline") for s in _SIDES) or "pelvic_drop" in codes:
        out.append("Strengthen the hip muscles that keep your knee in line and your pelvis level: clamshells, "
                   "fire hydrants and donkey kicks, 3 sets of 15 (formcheck can check each of them). "
                   "While running, think 'knee over the middle of the foot' as you land.")
    if "crossover" in codes:
        out.append("Land with your feet a little apart, as if running along two lines rather than one.")
    cad = gait.get("cadence_spm")
    if cad is not None and cad < LOW_CADENCE_SPM:
        out.append(f"Raise your step rate by 5-10%: from {cad:.0f} to about {1.05 * cad:.0f}-{1.10 * cad:.0f} "
                   "steps per minute (a metronome app helps). Quicker, shorter steps lower the load on the knee "
                   "(Heiderscheit 2011).")
    if "overstride" in codes:
        out.append("Land with your foot closer under your hips; a 5-10% quicker step rate usually brings this by itself.")
    return out


# ---- the analysis -----------------------------------------------------------------------


def _view_warnings(view: str | None) -> list[str]:
    if view in FRONTAL:
        return ["Overstride, knee bend and trunk lean were not checked: they need a side view. "
                "Film from the side to check them."]
    if view in SAGITTAL:
        return ["Knee caving in (FPPA), pelvic drop and crossover were not checked: they need a view "
                f"{VIEW_LABELS['back']}. Film from behind (or in front) to check them."]
    seen = "an unknown angle" if view is None else VIEW_LABELS.get(view, view)
    return [f"The clip looks filmed from {seen}: only steps and cadence were measured. Film from behind "
            "for knee valgus, pelvic drop and crossover, and from the side for overstride."]


def analyze_running(track: PoseTrack, options: GaitOptions = GaitOptions()) -> dict:
    """Analyse a running clip. Returns the report body (see module notes)."""
    if len(track) == 0 or not track.detected.any():
        raise NoPersonError("no person was found in any frame of the clip")
    ts = options.time_scale
    real = track.replace(times=track.times * ts, fps=track.fps / ts)
    coverage = track.coverage
    if not options.clean:
        clean = real
    elif clip_view(real) in FRONTAL:
        clean = _clean_frontal(real, options.smooth_hz)
    else:
        clean = clean_track(real, cutoff_hz=options.smooth_hz)
    view = clip_view(clean)
    t = clean.times
    fr = _Frames(clean)
    leg = fr.leg_px()
    warnings: list[str] = []
    if coverage < 0.6:
        warnings.append(f"A person was found in only {coverage:.0%} of frames; steps may be missed. "
                        "Keep your whole body, feet included, in frame.")

    # Baseline (frontal views only: FPPA and pelvic tilt while standing still).
    base = None
    if view in FRONTAL:
        if options.baseline_fppa_deg is not None:
            base = {"fppa_deg": {s: float(options.baseline_fppa_deg.get(s, math.nan)) for s in _SIDES},
                    "hip_drop_deg": {}, "from_s": None, "to_s": None, "source": "given"}
        elif options.baseline == "auto":
            still = standing_baseline(clean)
            if still is not None:
                sel = (t >= still[0]) & (t <= still[1])
                base = {"fppa_deg": {s: float(np.nanmedian(fr.fppa(s)[sel])) for s in _SIDES},
                        "hip_drop_deg": {s: float(np.nanmedian(fr.hip_drop(s)[sel])) for s in _SIDES},
                        "from_s": round(still[0] / ts, 3), "to_s": round(still[1] / ts, 3), "source": "standing"}

    steps_raw, period, info = detect_steps(clean, view)
    if base is not None and base.get("to_s") is not None:
        steps_raw = [s for s in steps_raw if s.contact > base["to_s"] * ts]
    fwd = _facing(fr)
    steps: list[dict] = []
    for st in steps_raw:
        m: dict[str, float] = {"stance_s": st.stance}
        if view in FRONTAL:
            m.update(_frontal_metrics(fr, t, st, base))
        elif view in SAGITTAL:
            m.update(_sagittal_metrics(fr, t, st, leg, fwd))
        faults = _judge(m, view, base is not None)
        steps.append({"side": st.side, "contact_s": round(st.contact / ts, 4),
                      "midstance_s": round(st.midstance / ts, 4), "toe_off_s": round(st.toe_off / ts, 4),
                      "timing_estimated": st.estimated, "metrics": m, "faults": faults})
    # Step width: this heel vs the other foot's previous contact, in hip widths.
    for k, s in enumerate(steps):
        m = s["metrics"]
        prev = next((p for p in reversed(steps[:k]) if p["side"] != s["side"]), None)
        if prev is not None and "heel_x_px" in m and math.isfinite(m.get("hip_width_px", math.nan)):
            m["step_width"] = abs(m["heel_x_px"] - prev["metrics"]["heel_x_px"]) / m["hip_width_px"]
    for s in steps:
        s["metrics"].pop("heel_x_px", None)
        s["metrics"].pop("hip_width_px", None)
        s["metrics"] = {k: round(v, 3) for k, v in s["metrics"].items() if v is not None and math.isfinite(v)}
    for k, s in enumerate(steps, start=1):
        s["index"] = k

    cadence = _cadence(steps_raw, period)
    fppa_metric = "fppa_over_baseline_deg" if base is not None else "fppa_deg"
    fppa_limit = FPPA_OVER_BASELINE_DEG if base is not None else FPPA_ABS_DEG
    legs = {s: _leg_summary(steps, s, view, options.min_steps_per_leg, fppa_limit, fppa_metric) for s in _SIDES}
    clip_faults = []
    if cadence is not None and cadence < LOW_CADENCE_SPM:
        clip_faults.append({"code": "low_cadence", "message": CADENCE_FAULT.cue, "severity": "warn",
                            "value": round(cadence, 1), "limit": LOW_CADENCE_SPM})
    gait: dict = {
        "time_scale": ts,
        "real_fps": round(float(real.fps), 2),
        "view": view,
        "step_method": info["method"],
        "step_count": len(steps),
        "cadence_spm": round(cadence, 1) if cadence is not None else None,
        "stance_s_median": _med([s["metrics"].get("stance_s") for s in steps]),
        "min_steps_per_leg": options.min_steps_per_leg,
        "legs": legs,
        "baseline": None if base is None else {
            "fppa_deg": {k: round(v, 2) for k, v in base["fppa_deg"].items()},
            "from_s": base["from_s"], "to_s": base["to_s"], "source": base["source"]},
        "faults": clip_faults,
        "metric_labels": METRIC_LABELS,
    }
    if view in FRONTAL:
        l_, r_ = legs["left"].get("fppa_median_deg"), legs["right"].get("fppa_median_deg")
        pl, pr = legs["left"].get("pelvic_drop_median_deg"), legs["right"].get("pelvic_drop_median_deg")
        gait["asymmetry"] = {"fppa_deg": round(l_ - r_, 2) if None not in (l_, r_) else None,
                             "pelvic_drop_deg": round(pl - pr, 2) if None not in (pl, pr) else None}
        gait["step_width_median"] = _med([s["metrics"].get("step_width") for s in steps])
    if view in SAGITTAL:
        gait["trunk_lean_median_deg"] = _med([s["metrics"].get("trunk_lean_deg") for s in steps])
    gait["summary_lines"] = _summary_lines(gait, view)

    # Warnings: what the view cannot give, measurement limits, too few steps.
    warnings += _view_warnings(view)
    if not steps:
        warnings.append("No running steps were found. Film at least 10 s of steady running with the feet in view.")
    if cadence is None and steps:
        warnings.append("Too few regular steps to measure cadence.")
    if view in FRONTAL and steps:
        for side in _SIDES:
            n = legs[side]["steps"]
            if n < options.min_steps_per_leg:
                warnings.append(f"Only {n} {side} step{'' if n == 1 else 's'}: at least {options.min_steps_per_leg} "
                                f"per leg are needed to judge a leg (Dingenen 2018), so the {side} knee got no verdict.")
        warnings.append("Video pose landmarks under-read knee valgus (by about 4° on rendered runners, more on a "
                        "knee that caves in): a knee near the limit may cave in more than shown. Compare left "
                        "with right.")
        warnings.append("Pelvic drop is an estimate from the hip landmarks, which hardly show it (a true 8° read "
                        "as about 1° on rendered runners); a low value does not rule it out.")
        if base is None:
            warnings.append("No still standing at the start of the clip: knees were judged against the general "
                            "15° limit. Stand still for 2 s before you start running to be judged against your "
                            "own baseline.")
    if view in SAGITTAL and info["label_disagreements"] > 0.25 * max(1, len(steps)):
        warnings.append("Left and right legs were hard to tell apart from the side; steps were assigned to legs "
                        "by alternation.")
    if steps and real.fps < MIN_REAL_FPS:
        warnings.append(f"The clip has {real.fps:.0f} frames per real second: a running stance spans only about "
                        f"{0.25 * real.fps:.0f} frames, so timings are ±{500 / real.fps:.0f} ms and short peaks may "
                        "be missed. Film at 60-240 fps; for a slow-motion clip, set the time scale.")

    unjudged = set()
    for f in STEP_FAULTS:
        if view not in f.views:
            unjudged.add(f.code)
    if cadence is None:
        unjudged.add("low_cadence")
    return {
        "exercise": "running",
        "pose_coverage": round(coverage, 4),
        "view": view,
        "side": None,
        "reps": [],
        "holds": [],
        "steps": steps,
        "warnings": warnings,
        "unjudged": sorted(unjudged),
        "gait": gait,
        "advice": _advice(gait, steps, view),
    }
