"""The evidence the recogniser (formcheck.recognise) weighs: numbers a person can
check, computed from a pose track. Pure functions over numpy arrays; no OpenCV,
MediaPipe or Streamlit.

- posture against gravity, per frame (`posture_features`, `side_lying_on_screen`,
  `hip_height`);
- what moves and how: each exercise's own driving signal through its own rep or
  hold engine (`clip_features` with `_rep_evidence`, `_hold_evidence`), running
  strides and cadence (`step_rhythm`), the body's bounce (`hip_bounce`), the
  hips low at midstance while the legs take turns (`stride_phase`), which way a
  thigh swings on all fours (`thigh_swing`);
- how long the person was seen with hips and knees in the frame (`seen_seconds`);
- `clip_features`: every number for one clip, by name (the report's
  `Recognition.evidence`).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from dataclasses import replace

import numpy as np

from formcheck.analysis import drive_signal, position_mask, side_features
from formcheck.cleaning import SMOOTH_HZ, clean_track
from formcheck.clip_checks import true_runs
from formcheck.events import anchor_points, anchors_still, kept_moving
from formcheck.exercises import EXERCISES, Exercise
from formcheck.exercises.quadruped import body_frame, legs
from formcheck.features import SIDES, Joints
from formcheck.geometry import vector_angle
from formcheck.landmarks import Lm, PoseTrack
from formcheck.reps import HoldEvent, HoldParams, centred_median, run_holds, run_reps
from formcheck.views import frame_views

__all__ = ["posture_features", "side_lying_on_screen", "hip_height", "step_rhythm", "thigh_swing", "rep_swings", "knee_out_on_screen", "knee_loop", "hip_lift", "low_leg_raise", "knees_bent", "knee_gap_on_screen", "hips_up_on_screen", "hands_to_feet",
           "step_across", "hip_bounce", "drive_cycles", "higher_hand_drop", "seen_seconds", "stride_phase", "thigh_peaks", "shank_elevation",
           "hip_flexion_signed",
           "clip_features", "UP"]


# ---- posture (per frame) ------------------------------------------------------------

UP = np.array([0.0, -1.0, 0.0])  # world landmarks: y down, so up is -y


def _unit(v: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        return v / np.linalg.norm(v, axis=-1, keepdims=True)


def _pt(world: np.ndarray, lm: Lm) -> np.ndarray:
    return world[:, int(lm)]


def _mid(world: np.ndarray, a: Lm, b: Lm) -> np.ndarray:
    return (_pt(world, a) + _pt(world, b)) / 2


def posture_features(world: np.ndarray) -> dict[str, np.ndarray]:
    """Per-frame posture numbers [N] from metric landmarks world [N,33,3] (y down):

    tilt: trunk (mid-hip -> mid-shoulder) from upright, 0..180 (°);
    side_up: |cos| of the left-right line (hips and shoulders) against gravity,
      1 lying on one side;
    chest_up: the chest's facing direction against up, +1 lying on the back,
      -1 facing the floor (on all fours, in a plank);
    knees_under: the lower knee below the hips along gravity, in thigh lengths
      (1 with a thigh hanging straight down, as on all fours while the other
      leg lifts; less in a plank);
    hands_under: the lower wrist below the shoulders along gravity, in arm
      lengths (a bird dog or a wave lifts one hand, the other stays down);
    feet_under: ankles below the hips along gravity, in leg lengths;
    knee_l, knee_r: 3D knee angles (°), 180 straight;
    ankle_gap: ankle height difference (left minus right, along gravity) in leg
      lengths: its size rises with every running step;
    hip_flex_l, hip_flex_r: hip flexion (°), 180 - angle(mid-shoulder, hip,
      knee): 0 standing tall, 90 with the thigh square to the trunk.
    """
    w = world
    lh, rh = _pt(w, Lm.LEFT_HIP), _pt(w, Lm.RIGHT_HIP)
    ls, rs = _pt(w, Lm.LEFT_SHOULDER), _pt(w, Lm.RIGHT_SHOULDER)
    mh, ms = (lh + rh) / 2, (ls + rs) / 2
    trunk = _unit(ms - mh)
    lr = _unit((lh - rh) + (ls - rs))
    chest = _unit(np.cross(lr, trunk))
    with np.errstate(invalid="ignore"):
        tilt = np.degrees(np.arccos(np.clip(trunk @ UP, -1, 1)))
    down = -UP
    lk, rk = _pt(w, Lm.LEFT_KNEE), _pt(w, Lm.RIGHT_KNEE)
    la, ra = _pt(w, Lm.LEFT_ANKLE), _pt(w, Lm.RIGHT_ANKLE)
    lw, rw = _pt(w, Lm.LEFT_WRIST), _pt(w, Lm.RIGHT_WRIST)
    thigh = (np.linalg.norm(lk - lh, axis=-1) + np.linalg.norm(rk - rh, axis=-1)) / 2
    shank = (np.linalg.norm(la - lk, axis=-1) + np.linalg.norm(ra - rk, axis=-1)) / 2
    arm = (np.linalg.norm(lw - ls, axis=-1) + np.linalg.norm(rw - rs, axis=-1)) / 2
    leg = thigh + shank

    def knee_angle(h, k, a):
        u, v = _unit(h - k), _unit(a - k)
        return np.degrees(np.arccos(np.clip(np.sum(u * v, axis=-1), -1, 1)))

    with np.errstate(invalid="ignore", divide="ignore"):
        return {
            "tilt": tilt,
            "side_up": np.abs(lr @ UP),
            "chest_up": chest @ UP,
            "knees_under": np.fmax((lk - mh) @ down, (rk - mh) @ down) / thigh,
            "hands_under": np.fmax((lw - ms) @ down, (rw - ms) @ down) / arm,
            "feet_under": (((la + ra) / 2 - mh) @ down) / leg,
            "knee_l": knee_angle(lh, lk, la),
            "knee_r": knee_angle(rh, rk, ra),
            "ankle_gap": ((la - ra) @ down) / leg,
            "hip_flex_l": 180.0 - knee_angle(ms, lh, lk),
            "hip_flex_r": 180.0 - knee_angle(ms, rh, rk),
        }


def side_lying_on_screen(px: np.ndarray) -> np.ndarray:
    """Per frame [N] bool, from image points px [N,33,2]: lying on one side, seen
    from the front or the back: the trunk within 35° of horizontal on screen and
    the hips stacked, their line within 35° of vertical and at least a quarter of
    the trunk's length (seen side-on, an all-fours or supine body shows a short
    hip line, one hip behind the other) [own defaults]."""
    lh, rh = px[:, Lm.LEFT_HIP], px[:, Lm.RIGHT_HIP]
    ms = (px[:, Lm.LEFT_SHOULDER] + px[:, Lm.RIGHT_SHOULDER]) / 2
    trunk = ms - (lh + rh) / 2
    hips = lh - rh
    with np.errstate(invalid="ignore", divide="ignore"):
        flat = np.abs(trunk[:, 1]) < np.tan(np.radians(35.0)) * np.abs(trunk[:, 0])
        stacked = np.abs(hips[:, 0]) < np.tan(np.radians(35.0)) * np.abs(hips[:, 1])
        wide = np.linalg.norm(hips, axis=-1) > 0.25 * np.linalg.norm(trunk, axis=-1)
    return flat & stacked & wide


def _share(mask: np.ndarray, valid: np.ndarray) -> float:
    n = int(valid.sum())
    return float((mask & valid).sum() / n) if n else math.nan


def _pct(x: np.ndarray, q: float) -> float:
    x = x[np.isfinite(x)]
    return float(np.percentile(x, q)) if len(x) else math.nan


# ---- clip evidence ----------------------------------------------------------------------

# Posture classes per frame, from the numbers above [own defaults, checked on the
# renders and kit tracks in docs/accuracy.md "Recognition"]:
UPRIGHT_TILT = 35.0  # trunk within 35° of upright: standing or running
LYING_TILT = 60.0  # trunk past 60° from upright: lying, on all fours or in a plank
FOURS_TILT = 50.0  # on all fours the trunk slopes up to the shoulders: 60-80° from upright on renders
SIDE_UP = 0.6  # left-right line within ~50° of vertical: on one side
# The model's 3D landmarks pull a lying body part way upright (a real side-lying
# clamshell read 55° of trunk tilt), so on one side needs only 50° of it [own].
SIDE_LYING_TILT = 50.0
CHEST = 0.5  # chest facing up (supine) or down (all fours) within 60°
UNDER = 0.5  # a knee or the hands below hips or shoulders by half a segment: supported on them
# Lying face up, with the model's roll allowed for: filmed at floor level from
# the feet end at an angle, a real supine straight leg raise read rolled half
# onto its side (median chest 0.49 up, left-right line 0.62; supine in 0.24 of
# its frames). Face up: the chest within 72° of up and the left-right line
# within 53° of level. The real side-lying clips (clamshells, a side plank, a
# side-lying leg raise) read chest -0.38-0.09 and left-right line 0.89-0.99
# (face up in none of their frames), that straight leg raise 0.84 [own].
FACE_UP_CHEST, FACE_UP_SIDE = 0.3, 0.8
# On all fours the feet lie at knee height, about half a leg below the hips;
# standing (and hinging forward) they are a whole leg below.
FEET_OFF_FLOOR = 0.8
FOURS_KNEE_FLEX = 45.0  # on all fours both knees bend well past 45° (about 90°)

# Running: the feet take turns in the air. The height of the higher ankle over
# the lower one, |ankle_gap|, rises once per step whichever leg swings (and
# whatever left/right label the pose model gives each leg), so its main
# frequency is the cadence. Running cadences lie around 150-190 steps a minute
# (Heiderscheit 2011); the band, 132-234 steps a minute, is widened for slow
# jogs and sprints and stays above walking (100-125) and any lunge or squat [own].
STEP_HZ = (2.2, 3.9)
# A running stride: the swing knee bends past 80° (running swing-phase knee
# flexion is 90-130°, walking about 60-70°: Novacheck 1998) while the stance knee
# stays under 45° (peak stance flexion in running is about 40-45°: Novacheck 1998).
SWING_KNEE_FLEX = 80.0
STANCE_KNEE_FLEX = 45.0
# A still stretch of 3 s is enough to recognise a held stretch (the hold engine's
# own minimum is 5 s; a live stream is recognised in its first seconds) [own].
RECOGNISE_HOLD_S = 3.0
# A held stretch keeps the stretched leg where it is. The hamstring stretch's
# driving signal is the trunk's lean, which lying on the back says nothing about:
# a supine body pulling one straight leg up and then the other (dynamic leg hugs)
# keeps the trunk still while the legs move. A hold counts only where the
# stretched leg's hip fold spreads (10th to 90th percentile) under HELD_LEG_SPREAD:
# real held stretches (standing, seated, lying with a leg up a wall) read 2-15°,
# real dynamic leg hugs 52° [own threshold between the two].
HELD_LEG_FEATURE = {"hamstring_stretch": "hip_fold_3d"}
# A clip that is all one hold (a looping GIF of a held stretch, 2.8-2.9 s on
# the real ones) cannot show 3 s still: its holds are looked for from this long
# up (the recogniser's shortest clip it will tell, recognise.SEEN_MIN_S), and
# `held_share` says how much of the clip the longest one covers [own].
WHOLE_CLIP_HOLD_MIN_S = 2.0
HELD_LEG_SPREAD = 25.0
# A held lunge keeps the hips at one height; lunges done as reps (split squats,
# dips) lower the hips toward the floor and raise them again every second or
# two, while the front-leg angle the hold engine watches can stay in its band
# (s31: dynamic split-stance lunges held "still" 7.5 s by the hold engine, read
# running lunge 100%). Over a hold, the mid-hip's height on screen (its 0.5 s
# centred median, 90th minus 10th percentile, in torso lengths on screen) moved
# 0.03-0.28 on the real held lunges (kneeling, half-kneeling, couch, crescent,
# lizard) and 0.43-0.94 on real lunge reps, side lunges, a lunge with a twist,
# a sumo squat and the dips; a lunge that moves the hips by HELD_HIPS_SPREAD is
# not held [own: between the two].
HELD_HIPS_SPREAD = 0.35
HELD_HIPS = ("running_lunge",)
# A hamstring stretch flexes the hip: the stretched thigh lies forward of the
# trunk, on the chest's side (standing, seated or lying with the leg raised).
# The checker's fold test (hip_fold_3d, the angle trunk-hip-knee) is unsigned,
# so a lunge's back leg under a back bend passes it: the thigh behind the trunk,
# the hip extended (s31: a kneeling low lunge whose arms swept into a back bend
# read as two hamstring holds on alternating sides). Frames whose stretched
# thigh lies behind the trunk's frontal plane (`hip_flexion_signed` under 0) are
# not in the stretch's position for the recogniser: over their in-position
# frames the real hamstring stretches (14 clips: standing, seated, kneeling,
# lying) read the thigh behind in none; the low lunge's back-bend side in 68%
# [own: the sign itself, from the definition].
FLEXED_HIP = ("hamstring_stretch",)


def _band(times: np.ndarray, x: np.ndarray, band: tuple[float, float]) -> tuple[float, float]:
    """(share of the power of x [N] between 0.3 and 6 Hz that lies in `band`,
    5-95% range of x band-passed to `band`), resampled at 30 Hz."""
    ok = np.isfinite(x)
    if ok.sum() < 16 or times[ok][-1] - times[ok][0] < 1.5:
        return 0.0, 0.0
    t = np.arange(times[ok][0], times[ok][-1], 1.0 / 30.0)
    y = np.interp(t, times[ok], x[ok])
    y = (y - y.mean()) * np.hanning(len(y))
    spec = np.fft.rfft(y)
    freqs = np.fft.rfftfreq(len(y), 1.0 / 30.0)
    whole = (freqs >= 0.3) & (freqs <= 6.0)
    inside = (freqs >= band[0]) & (freqs <= band[1])
    power = np.abs(spec) ** 2
    if power[whole].sum() <= 0:
        return 0.0, 0.0
    passed = np.fft.irfft(np.where(inside, spec, 0), len(y))
    core = passed[len(y) // 8: len(y) - len(y) // 8]  # away from the window's tapered ends
    rng = float(np.percentile(core, 95) - np.percentile(core, 5)) if len(core) else 0.0
    return float(power[inside].sum() / power[whole].sum()), rng


def step_rhythm(times: np.ndarray, px: np.ndarray) -> dict[str, float]:
    """How strongly the legs move at a running cadence, from image points px
    [N,33,2] (pixels, hidden points included): for each left/right gap that opens
    and closes once per step whichever leg leads (and whatever left/right label
    the pose model gives each leg): ankle heights, ankle and knee separations
    across the image, wrist separation (the arms swing with the legs), the share
    of its power in STEP_HZ and its band-passed range in leg lengths. Returns the
    best signal's share and range."""
    leg = np.nanmedian(np.linalg.norm(px[:, Lm.LEFT_HIP] - px[:, Lm.LEFT_KNEE], axis=-1)
                       + np.linalg.norm(px[:, Lm.LEFT_KNEE] - px[:, Lm.LEFT_ANKLE], axis=-1))
    if not np.isfinite(leg) or leg <= 0:
        return {"step_band": 0.0, "step_amp": 0.0}
    gaps = [np.abs(px[:, Lm.LEFT_ANKLE, 1] - px[:, Lm.RIGHT_ANKLE, 1]),
            np.abs(px[:, Lm.LEFT_ANKLE, 0] - px[:, Lm.RIGHT_ANKLE, 0]),
            np.abs(px[:, Lm.LEFT_KNEE, 0] - px[:, Lm.RIGHT_KNEE, 0]),
            np.abs(px[:, Lm.LEFT_WRIST, 0] - px[:, Lm.RIGHT_WRIST, 0])]
    best = (0.0, 0.0)
    for g in gaps:
        share, rng = _band(times, g / leg, STEP_HZ)
        if min(share / 0.4, rng / 0.12) > min(best[0] / 0.4, best[1] / 0.12):
            best = (share, rng)
    return {"step_band": best[0], "step_amp": best[1]}


def hip_bounce(times: np.ndarray, px: np.ndarray) -> dict[str, float]:
    """The body's bounce at a running cadence, from image points px [N,33,2]:
    the mid-hip's image height, in leg lengths, its share of power in STEP_HZ and
    its band-passed range (`_band`). A runner leaves the ground on every step
    (a flight phase), so the hips rise and fall once per step, 5-10 cm
    (Novacheck 1998) or about 0.05-0.1 leg lengths; a walker keeps a foot down
    and steps slower than the band. Seen from any side, so it still reads when
    the model's depth flattens the knees of a runner filmed from the front or
    from behind. Also: `view_across`, the median image shoulder width over
    torso length (a side view 0.04-0.3, a front or back view 0.45-0.9 on the
    real clips)."""
    nan = {"bounce_band": 0.0, "bounce_amp": 0.0, "view_across": math.nan}
    if len(px) < 2:
        return nan
    leg = np.nanmedian(np.linalg.norm(px[:, Lm.LEFT_HIP] - px[:, Lm.LEFT_KNEE], axis=-1)
                       + np.linalg.norm(px[:, Lm.LEFT_KNEE] - px[:, Lm.LEFT_ANKLE], axis=-1))
    if not np.isfinite(leg) or leg <= 0:
        return nan
    mid_hip = (px[:, Lm.LEFT_HIP] + px[:, Lm.RIGHT_HIP]) / 2
    mid_sh = (px[:, Lm.LEFT_SHOULDER] + px[:, Lm.RIGHT_SHOULDER]) / 2
    torso = np.linalg.norm(mid_sh - mid_hip, axis=-1)
    width = np.linalg.norm(px[:, Lm.LEFT_SHOULDER] - px[:, Lm.RIGHT_SHOULDER], axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        across = np.where(torso > 0, width / torso, np.nan)
    share, rng = _band(times, mid_hip[:, 1] / leg, STEP_HZ)
    return {"bounce_band": share, "bounce_amp": rng,
            "view_across": float(np.nanmedian(across)) if np.isfinite(across).any() else math.nan}


# The legs take turns when the knees' flexion differs by this much, one way then
# the other (a running stride's swing knee folds 90-130° over a 20-45° stance
# knee, Novacheck 1998; squats and lunges bend both knees together) [own].
TURN_KNEE_DIFF = 30.0


def stride_phase(times: np.ndarray, px: np.ndarray, knee_flex_l: np.ndarray, knee_flex_r: np.ndarray,
                 upright: np.ndarray) -> dict[str, float]:
    """When the hips are low in the stride, at any playback speed: over the
    upright frames, the correlation between the mid-hip's image height (pixels
    down, linear trend removed) and how far apart the knees' flexion is, and how
    many times the more bent knee changes sides by TURN_KNEE_DIFF or more.

    A runner's hips are lowest at midstance, when the swing knee folds past the
    bearing stance knee, and highest in flight (Novacheck 1998): positive. A
    walker vaults over a straight stance leg, hips highest at midstance (zero or
    negative: real walkers -0.07-0.10); a squat or lunge bends both knees
    together and does not take turns. Neither number depends on the step rate,
    so slow-motion running reads as running. From image points px [N,33,2],
    knee flexion per leg [N] (°), upright [N] bool."""
    nan = {"phase_corr": math.nan, "phase_turns": 0.0}
    diff = knee_flex_l - knee_flex_r
    hip = (px[:, Lm.LEFT_HIP, 1] + px[:, Lm.RIGHT_HIP, 1]) / 2
    ok = upright & np.isfinite(hip) & np.isfinite(diff)
    if ok.sum() < 20:
        return nan
    t, h, d = times[ok], hip[ok], np.abs(diff[ok])
    h = h - np.polyval(np.polyfit(t, h, 1), t)
    strong = np.sign(diff[ok][d > TURN_KNEE_DIFF])
    turns = float(np.sum(np.diff(strong) != 0)) if len(strong) > 1 else 0.0
    if np.std(h) <= 0 or np.std(d) <= 0:
        return {"phase_corr": math.nan, "phase_turns": turns}
    return {"phase_corr": float(np.corrcoef(h, d)[0, 1]), "phase_turns": turns}


# How high each step lifts the thigh, read on screen (`thigh_peaks`). A thigh
# counts where the other one hangs at least this share of the trunk's length
# below its hip on screen: sitting, or tucking both knees in a jump, leaves no
# hanging thigh to measure against (a hanging thigh reads about 0.8 trunk lengths) [own].
THIGH_HANG_MIN = 0.4
# A step's peak stands this much above the lowest point within THIGH_PEAK_SIDE_S
# on each side, and is the highest point within THIGH_PEAK_GAP_S of it: a running
# or high-knees step lasts 0.3-0.4 s (150-200 steps a minute), and the swing
# thigh rises 30-90° in it; the model's jitter moves it a few degrees [own].
THIGH_PEAK_RISE = 15.0
THIGH_PEAK_GAP_S = 0.2
THIGH_PEAK_SIDE_S = 0.4


def thigh_peaks(times: np.ndarray, px: np.ndarray, upright: np.ndarray) -> dict[str, float]:
    """How high the thigh comes up on each step, from image points px [N,33,2]
    at times [N] (s), over the upright frames [N] bool. Per frame, the lifted
    thigh's elevation from hanging straight down (°: 0 hanging, 90 level, over
    90 with the knee above the hip), read as arccos of the higher knee's drop
    below its hip on screen over the lower knee's drop below its own: a vertical
    drop keeps its length on screen whichever way the camera looks around the
    person, so this reads alike from the side, the front or at an angle, where
    the model's depth flattens a front-on thigh; and each frame is its own
    scale, so zooms and cuts do not matter. Returns the median over the steps'
    peaks (`thigh_peak`, NaN under 4 peaks) and the number of peaks
    (`thigh_peaks`). Running swings the thigh to 45-65° from the trunk
    (Novacheck 1998); high knees, marching and knee lifts drive it to level."""
    nan = {"thigh_peak": math.nan, "thigh_peaks": 0.0}
    ms = (px[:, Lm.LEFT_SHOULDER] + px[:, Lm.RIGHT_SHOULDER]) / 2
    mh = (px[:, Lm.LEFT_HIP] + px[:, Lm.RIGHT_HIP]) / 2
    trunk = np.linalg.norm(ms - mh, axis=-1)
    dl = px[:, Lm.LEFT_KNEE, 1] - px[:, Lm.LEFT_HIP, 1]
    dr = px[:, Lm.RIGHT_KNEE, 1] - px[:, Lm.RIGHT_HIP, 1]
    with np.errstate(invalid="ignore", divide="ignore"):
        hang = np.fmax(dl, dr)
        ok = upright & (hang >= THIGH_HANG_MIN * trunk) & np.isfinite(np.fmin(dl, dr))
        elev = np.degrees(np.arccos(np.clip(np.fmin(dl, dr) / hang, -1.0, 1.0)))
    if ok.sum() < 10 or len(times) < 2:
        return nan
    y = np.interp(np.arange(len(elev)), np.flatnonzero(ok), elev[ok])
    dt = float(np.median(np.diff(times)))
    if not dt > 0:
        return nan
    gap, side = max(1, round(THIGH_PEAK_GAP_S / dt)), max(2, round(THIGH_PEAK_SIDE_S / dt))
    peaks = [y[i] for i in np.flatnonzero(ok)
             if y[i] >= y[max(0, i - gap):i + gap + 1].max()
             and y[i] - max(y[max(0, i - side):i + 1].min(), y[i:i + side + 1].min()) >= THIGH_PEAK_RISE]
    return {"thigh_peak": float(np.median(peaks)) if len(peaks) >= 4 else math.nan, "thigh_peaks": float(len(peaks))}


# A knee path read for its loop spans at least this many thigh lengths on screen
# (the thigh as seen, the knee's median distance from its hip over the rep). A
# lift seen end-on, its travel mostly in depth (a fire hydrant filmed from the
# side), is a short scribble on screen whose jitter and a held top enclose area
# of their own: a real hydrant's side-view lifts spanned 0.41-0.42 thigh lengths
# and read 0.17-0.19, its front-view lifts 0.9-1.4 and read 0.01-0.11; real
# hydrant circles span 1.3-1.5 and read 0.33-0.41, real donkey kicks 1.1-1.3 and
# read 0.00-0.03 [own threshold between the two kinds of path].
LOOP_MIN_SPAN = 0.5


def knee_loop(px: np.ndarray, side: str, spans: list[tuple[int, int]]) -> float:
    """How much the knee's path loops, from image points px [N,33,2]: per rep
    span (start, end frame), the area the knee's path around its hip encloses
    divided by the square of its widest extent, median over the reps whose path
    spans LOOP_MIN_SPAN thigh lengths or more. A lift and lower goes out and
    back along one line (near 0); a leg circle goes out one way and back another
    (a circle reads 0.79, a 4:1 ellipse 0.2). NaN with no rep long or wide
    enough to tell."""
    hip, knee = (Lm.LEFT_HIP, Lm.LEFT_KNEE) if side == "left" else (Lm.RIGHT_HIP, Lm.RIGHT_KNEE)
    vals = []
    for a, b in spans:
        rel = px[a:b + 1, knee] - px[a:b + 1, hip]
        rel = rel[np.isfinite(rel).all(axis=1)]
        if len(rel) < 6:
            continue
        x, y = rel[:, 0], rel[:, 1]
        area = 0.5 * abs(float(np.sum(x * np.roll(y, -1) - np.roll(x, -1) * y)))
        width = float(np.max(np.linalg.norm(rel[:, None] - rel[None], axis=-1)))
        thigh = float(np.median(np.linalg.norm(rel, axis=-1)))
        if width > 0 and width >= LOOP_MIN_SPAN * thigh:
            vals.append(area / width ** 2)
    return float(np.median(vals)) if vals else math.nan


def drive_cycles(times: np.ndarray, drive: np.ndarray, params) -> list[tuple[int, int]]:
    """Repeated movements of a driving signal [N] over the clip's own range (5th to
    95th percentile), as (start, end) frame pairs: up past 70% of that range and
    back under 30% of it, each within the rep engine's min_rep_s..max_rep_s. The
    rep engine measures each rep from the rest level it starts at; a set that never
    closes back down to the first seconds' level (a band holding the knees apart,
    a fidget before the set) leaves it stuck at its first "rep" and counts none.
    Empty when the range is under the engine's min_range_deg."""
    ok = np.isfinite(drive)
    if ok.sum() < 8:
        return []
    lo, hi = np.percentile(drive[ok], 5), np.percentile(drive[ok], 95)
    rng = hi - lo
    if rng < params.min_range_deg:
        return []
    low, high = lo + params.release * rng, lo + params.top * rng
    out, start, peaked = [], None, False
    for i in np.flatnonzero(ok):
        v = drive[i]
        if v <= low:
            if start is not None and peaked and params.min_rep_s <= times[i] - times[start] <= params.max_rep_s:
                out.append((int(start), int(i)))
            start, peaked = int(i), False
        elif v >= high and start is not None:
            peaked = True
    return out


# The reps exercises done on all fours, whose lower leg `shank_elevation` reads.
QUADRUPED = ("donkey_kick", "fire_hydrant")
# A rep on all fours is read for its shape where the body reads on all fours in
# this share of its frames or more [own: a real fire hydrant filmed from the
# side, then head-on from the head end (fire_hydrant_side_front_cuts_malik): its
# side-view lifts read on all fours in 0.94-1.0 of their frames, the head-on ones
# in 0.07-0.74, where the model places the legs and hands wrongly and the knee's
# path loops (0.13-0.44) and barely travels (0.01-0.05 thigh lengths)].
REP_POSTURE_MIN = 0.8


def shank_elevation(b: Joints) -> np.ndarray:
    """Per frame [N]: how far this side's shank (knee -> ankle) is turned up from
    lying back along the floor (°), from the side's metric 3D points with the
    quadruped's left/right lower-leg fix (`quadruped.legs`); NaN where the knee
    or the ankle is not visible. On all fours the shank lies on the floor (about
    0). A donkey kick keeps the knee bent at a right angle and turns the sole to
    the ceiling (clinical-criteria.md 3.2), so at the top the shank points up; a
    fire hydrant turns the thigh out about the body's long axis, to which the
    shank lies parallel, so the shank stays about level (§3.3).

    Pointing back (or sideways) this is the shank's elevation above the
    horizontal along gravity (negative below it). A shank raised past vertical
    tips forward, toward the head, and its elevation falls again although it
    is turned further up: over the back of the knee the turn goes on, to
    180 - elevation pointing straight forward (in proportion to how far forward
    its horizontal part points, so that the reading stays continuous through a
    sideways shank). The model reads a front-oblique kicker's knee folded to
    about 50° (seen near 90°): at the tops the shank then points forward, 18-30°
    above level, and is turned up 150-162° (donkey_kick_pair_istock_afya, s28)."""
    lg = legs(b)
    shank = lg["ankle"] - lg["knee"]
    _out, _down, back = body_frame(b)
    with np.errstate(invalid="ignore", divide="ignore"):
        up = np.degrees(np.arcsin(np.clip((shank @ UP) / np.linalg.norm(shank, axis=-1), -1.0, 1.0)))
        flat = shank - (shank @ UP)[:, None] * UP
        forward = np.clip(-np.sum(flat * back, axis=-1) / np.linalg.norm(flat, axis=-1), 0.0, 1.0)
        return np.where(up > 0, up + np.nan_to_num(forward) * (180.0 - 2.0 * up), up)


# A rep span (the rep engine's, or `drive_cycles`) can start with the thigh
# already part way up (a real side-view donkey kick's spans began 40° back), so
# each rep is read with this much of the clip before and after it, where the
# knee is back at rest [own: a rep's rest between lifts is 0.5-2 s].
REP_PAD_S = 1.0


def rep_swings(world: np.ndarray, times: np.ndarray, spans: list[tuple[int, int]]) -> dict[str, float]:
    """`thigh_swing` read over each rep span (start, end frame) on its own, from
    metric landmarks world [N,33,3] (hidden points included) at times [N] (s),
    each span widened by REP_PAD_S either side: each lift is read
    along the body axis its own frames show best, so a clip that cuts between a
    side view and a front view reads every lift from its own view (over the
    whole clip the rest and top frames of different views mix). Returns the
    median travel over the reps read along the back axis (`swing_back`) and
    over those read along the out axis (`swing_out`), in thigh lengths (NaN
    where no rep was read that way), the share of reps read along the back axis
    (`swing_back_share`) and the median in-plane share of the axes used
    (`swing_in_plane`); all NaN with no rep read."""
    back, out, plane = [], [], []
    for a, b in spans:
        keep = (times >= times[a] - REP_PAD_S) & (times <= times[b] + REP_PAD_S)
        sw = thigh_swing(world[keep])
        if math.isfinite(sw["back_travel"]):
            back.append(sw["back_travel"])
        elif math.isfinite(sw["out_travel"]):
            out.append(sw["out_travel"])
        else:
            continue
        plane.append(sw["axis_in_plane"])
    n = len(back) + len(out)
    return {"swing_back": float(np.median(back)) if back else math.nan,
            "swing_out": float(np.median(out)) if out else math.nan,
            "swing_back_share": len(back) / n if n else math.nan,
            "swing_in_plane": float(np.median(plane)) if plane else math.nan}


def _rep_evidence(ex_name: str, clean: PoseTrack, seen_world: np.ndarray | None = None,
                  on_fours: np.ndarray | None = None) -> dict[str, float]:
    """The exercise's own driving signal on each side: most reps counted on one
    side, the median rep range there (°), the drive's median level at the start
    of those reps (`rest`, °), how much the knee's path loops over
    those reps (`knee_loop`), and that side's feature medians at the tops of its
    reps (for shape checks; on all fours also its shank's elevation, and, given
    seen_world [N,33,3], the thigh's swing read rep by rep: `rep_swings`). Where the repeated movements over the clip's own
    range (`drive_cycles`) are more than the rep engine's full reps on a side,
    they count instead (`cycles` 1). Given on_fours [N] bool (the frames whose
    posture reads on all fours), the shape of the reps on all fours (the knee's
    loop, the thigh's swing, the tops) is read only over the reps with at least
    REP_POSTURE_MIN of their frames on all fours, and the tops on all fours: where
    the model loses the posture (a view from the head end foreshortens the body),
    the knee's path is not the lift's, and the side is the one with most such
    reps (then most reps): alternating kicks filmed side-on show the far leg's
    lifts as often as the near one's, but the body reads on all fours around the
    near leg's (s36: far 4 reps, none on all fours in 0.8 of its frames; near 3,
    all). The count is every rep's of that side."""
    ex = EXERCISES[ex_name]
    assert ex.rep is not None, f"{ex_name} is not a reps exercise"
    loop, by_cycles, rest = math.nan, 0.0, math.nan
    tops: dict[str, float] = {}
    best_spans: list[tuple[int, int]] = []
    best_key: tuple[int, int, float] = (-1, -1, 0.0)
    # Whole-body shape at the tops of the reps, the same for every exercise.
    shape = {"hip_lift": hip_lift(clean.world), "knees_bent": knees_bent(clean.world),
             "low_leg_raise": low_leg_raise(clean.px), "hips_up": hips_up_on_screen(clean.px)}
    for side in SIDES:
        joints = Joints(clean.px, clean.vis, clean.world, side)
        feats = side_features(ex, joints)
        # This side's shank at the tops: on all fours, which way the lift turns the lower leg.
        side_shape = {"shank_elevation": shank_elevation(joints)} if ex_name in QUADRUPED else {}
        drive = drive_signal(ex, feats)
        evs, _ = run_reps(clean.times, drive, ex.rep)
        full = [e for e in evs if not e.partial]
        spans = [(e.start_i, e.end_i) for e in full]
        rng = float(np.median([e.amplitude for e in evs])) if evs else _pct(drive, 95) - _pct(drive, 5)
        rest_at = float(np.median([e.rest_value for e in full])) if full else math.nan
        top_at = [np.arange(e.start_i, e.end_i + 1)[
            np.nan_to_num(drive[e.start_i:e.end_i + 1], nan=-1e9) >= e.rest_value + 0.75 * e.amplitude] for e in evs]
        cycles = drive_cycles(clean.times, drive, ex.rep)
        counted_by_cycles = len(cycles) > len(spans)
        if counted_by_cycles:
            lo, whole = _pct(drive, 5), _pct(drive, 95) - _pct(drive, 5)
            spans, rng, rest_at = cycles, whole, lo
            top_at = [np.arange(a, b + 1)[np.nan_to_num(drive[a:b + 1], nan=-1e9) >= lo + 0.75 * whole]
                      for a, b in cycles]
        posed = spans
        if on_fours is not None and ex_name in QUADRUPED:
            posed = [(a, b) for a, b in spans if on_fours[a:b + 1].mean() >= REP_POSTURE_MIN]
        # The side with most reps seen in the posture, then most reps, then the larger range.
        key = (len(posed), len(spans), rng if math.isfinite(rng) else 0.0)
        if key > best_key:
            best_key = key
            by_cycles, rest = float(counted_by_cycles), rest_at
            spans = posed
            loop = knee_loop(clean.px, side, spans)
            best_spans = list(spans)
            idx = np.concatenate(top_at) if top_at else np.array([], int)
            if on_fours is not None and ex_name in QUADRUPED:
                idx = idx[on_fours[idx]]
            tops = {f"top_{k}": (float(np.nanmedian(v[idx])) if len(idx) and np.isfinite(v[idx]).any() else math.nan)
                    for k, v in {**feats, **shape, **side_shape}.items()}
    swings = rep_swings(seen_world, clean.times, best_spans) if ex_name in QUADRUPED and seen_world is not None else {}
    # The straighter knee's flexion through each rep (90th percentile over the rep's
    # own frames), the median over the reps: a straight leg raise keeps the lifted
    # knee straight from each lift to its lowering, whatever the body does between
    # the reps (setting up, a cut to a talking head).
    per_rep = [_pct(shape["knees_bent"][a:b + 1], 90) for a, b in best_spans]
    per_rep = [v for v in per_rep if math.isfinite(v)]
    # On all fours, the higher hand's drop below the shoulders over the reps' own
    # frames (10th percentile): a bird dog reaches an arm forward with each lift,
    # a kick or a hydrant keeps both hands down through its lifts, whatever a hand
    # does between the sets (placing a dumbbell behind the knee, a wave).
    hands = math.nan
    if ex_name in QUADRUPED and seen_world is not None and best_spans:
        in_reps = np.zeros(len(clean.times), bool)
        for a, b in best_spans:
            in_reps[a:b + 1] = True
        hands = _pct(higher_hand_drop(seen_world)[in_reps], 10)
    _, best_reps, best_range = best_key
    # How long the side's reps take, start to end (s, the median): a straight leg
    # raise lifts, holds and lowers over seconds; flutter kicks flick each leg up
    # and down in about a second.
    rep_s = float(np.median([clean.times[b] - clean.times[a] for a, b in best_spans])) if best_spans else math.nan
    return {"reps": float(best_reps), "range": best_range, "rep_s": rep_s, "loop": loop, "cycles": by_cycles, "rest": rest,
            "reps_knees_bent": float(np.median(per_rep)) if per_rep else math.nan, "reps_hand_drop": hands,
            **tops, **swings}


def _hold_evidence(ex_name: str, clean: PoseTrack, valid: np.ndarray) -> dict[str, float]:
    """The exercise's own in-position test on each side: the largest share of
    frames in position, the longest still stretch found by its hold engine (s),
    the longest run in position (s), and the side with the most frames in
    position's feature medians over them (hold_<feature>, for shape checks)."""
    ex = EXERCISES[ex_name]
    best = {"in_position": 0.0, "held_s": 0.0, "run_s": 0.0, "held_share": 0.0}
    clip_s = float(clean.times[-1] - clean.times[0]) if len(clean.times) > 1 else 0.0
    shape: dict[str, float] = {f"hold_{k}": math.nan for k in (*ex.features, "hip_height", "hands_to_feet",
                                                                 "step_across", "low_leg_raise", "knees_bent",
                                                                 "knee_gap")}
    params = ex.hold
    assert params is not None, f"{ex_name} is not a hold exercise"
    # The mid-hip and mid-shoulder, the same read from either side (events.anchor_points).
    body_still = (anchors_still(clean.times, anchor_points(Joints(clean.px, clean.vis, clean.world, "left")), params)
                  if ex.held_too else None)
    for side in SIDES:
        feats = side_features(ex, Joints(clean.px, clean.vis, clean.world, side))
        drive = drive_signal(ex, feats)
        inpos = position_mask(ex, feats, drive)
        if ex_name in FLEXED_HIP:
            with np.errstate(invalid="ignore"):
                inpos = inpos & ~(hip_flexion_signed(clean.world, side) < 0.0)
        share = _share(inpos, valid)
        evs = run_holds(clean.times, drive, inpos, replace(params, min_hold_s=WHOLE_CLIP_HOLD_MIN_S))
        # The checker's own rule: a body that kept moving held nothing (events.kept_moving).
        still_body = _body_held(ex, clean.times, body_still, feats, params)
        kept = [e.duration_s for e in evs if _leg_held(feats, ex_name, e.start_i, e.end_i)
                and (ex_name not in HELD_HIPS or _hips_held(clean.times, clean.px, e.start_i, e.end_i))
                and still_body(e)]
        held = max((d for d in kept if d >= RECOGNISE_HOLD_S), default=0.0)
        whole = max(kept, default=0.0) / clip_s if clip_s > 0 else 0.0
        run = _longest_run(clean.times, inpos, still_body)
        if share > best["in_position"] and inpos.any():
            shape = {f"hold_{k}": (float(np.nanmedian(v[inpos])) if np.isfinite(v[inpos]).any() else math.nan)
                     for k, v in feats.items()}
            shape["hold_hip_height"] = _pct(hip_height(clean.world)[inpos], 50)
            shape["hold_hands_to_feet"] = _pct(hands_to_feet(clean.world)[inpos], 50)
            shape["hold_step_across"] = _pct(step_across(clean.world)[inpos], 50)
            shape["hold_low_leg_raise"] = _pct(low_leg_raise(clean.px)[inpos], 50)
            shape["hold_knees_bent"] = _pct(knees_bent(clean.world)[inpos], 50)
            shape["hold_knee_gap"] = _pct(knee_gap_on_screen(clean.px)[inpos], 50)
        best = {"in_position": max(share, best["in_position"]), "held_s": max(held, best["held_s"]),
                "run_s": max(run, best["run_s"]), "held_share": max(whole, best["held_share"])}
    return {**best, **shape}


def _body_held(ex: Exercise, times: np.ndarray, body_still: np.ndarray | None, feats: dict[str, np.ndarray],
               params: HoldParams) -> Callable[[HoldEvent], bool]:
    """Whether the body held still over a hold or run (given as a HoldEvent): the
    checker's own rule, a body that kept moving held nothing (events.kept_moving,
    for exercises naming other angles held too; body_still [N], anchors_still);
    always True for the others."""
    if body_still is None:
        return lambda ev: True
    held_too = tuple(feats[k] for k in ex.held_too)
    return lambda ev: not kept_moving(times, body_still, held_too, ev, params)


def _leg_held(feats: dict[str, np.ndarray], ex_name: str, start: int, end: int) -> bool:
    """Whether the stretched leg stays put over frames start..end (HELD_LEG_SPREAD);
    True for exercises with no such feature, or where it is not seen."""
    key = HELD_LEG_FEATURE.get(ex_name)
    if key is None or key not in feats:
        return True
    v = feats[key][start:end + 1]
    v = v[np.isfinite(v)]
    return len(v) < 2 or float(np.percentile(v, 90) - np.percentile(v, 10)) < HELD_LEG_SPREAD


def hip_flexion_signed(world: np.ndarray, side: str) -> np.ndarray:
    """Per frame [N]: the hip's flexion on this side (°), signed, from metric
    landmarks world [N,33,3]: the thigh's direction (hip -> knee) in the trunk's
    sagittal plane, 0 hanging in line with the trunk, positive forward (on the
    chest's side: 90 seated or with the leg raised lying down, up to about 170
    in a deep fold), negative behind the trunk (the hip extended: a lunge's back
    leg, a bridge)."""
    hip, knee = (Lm.LEFT_HIP, Lm.LEFT_KNEE) if side == "left" else (Lm.RIGHT_HIP, Lm.RIGHT_KNEE)
    trunk = _unit(_mid(world, Lm.LEFT_SHOULDER, Lm.RIGHT_SHOULDER) - _mid(world, Lm.LEFT_HIP, Lm.RIGHT_HIP))
    lr = _unit((_pt(world, Lm.LEFT_HIP) - _pt(world, Lm.RIGHT_HIP))
               + (_pt(world, Lm.LEFT_SHOULDER) - _pt(world, Lm.RIGHT_SHOULDER)))
    chest = _unit(np.cross(lr, trunk))
    thigh = _unit(_pt(world, knee) - _pt(world, hip))
    return np.degrees(np.arctan2(np.sum(thigh * chest, axis=-1), -np.sum(thigh * trunk, axis=-1)))


def _hips_held(times: np.ndarray, px: np.ndarray, start: int, end: int) -> bool:
    """Whether the hips stay at one height over frames start..end (HELD_HIPS_SPREAD),
    from image points px [N,33,2] at times [N] (s); True where they are not seen."""
    span = slice(start, end + 1)
    mid = (px[span, Lm.LEFT_HIP] + px[span, Lm.RIGHT_HIP]) / 2
    trunk = (px[span, Lm.LEFT_SHOULDER] + px[span, Lm.RIGHT_SHOULDER]) / 2 - mid
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # no trunk seen: NaN
        torso = float(np.nanmedian(np.linalg.norm(trunk, axis=-1)))
    if not (math.isfinite(torso) and torso > 0):
        return True
    y = centred_median(times[span], mid[:, 1] / torso, 0.5)
    y = y[np.isfinite(y)]
    return len(y) < 2 or float(np.percentile(y, 90) - np.percentile(y, 10)) < HELD_HIPS_SPREAD


def hip_height(world: np.ndarray) -> np.ndarray:
    """Per frame [N]: the mid-hip's height above the lowest knee or ankle along
    gravity, in thigh lengths, from metric landmarks world [N,33,3]. About 1 with
    the hips over a kneeling or lunging thigh, 1.5-2 standing, under 0.7 with
    the hips down on the floor (a pigeon pose, sitting)."""
    down = -UP
    mh = _mid(world, Lm.LEFT_HIP, Lm.RIGHT_HIP)
    low = np.stack([_pt(world, j) @ down for j in (Lm.LEFT_KNEE, Lm.RIGHT_KNEE, Lm.LEFT_ANKLE, Lm.RIGHT_ANKLE)])
    thigh = (np.linalg.norm(_pt(world, Lm.LEFT_KNEE) - _pt(world, Lm.LEFT_HIP), axis=-1)
             + np.linalg.norm(_pt(world, Lm.RIGHT_KNEE) - _pt(world, Lm.RIGHT_HIP), axis=-1)) / 2
    with np.errstate(invalid="ignore", divide="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN frames stay NaN
        return (np.nanmax(low, axis=0) - mh @ down) / thigh


def knees_bent(world: np.ndarray) -> np.ndarray:
    """Per frame [N]: the straighter knee's flexion (°, 0 straight), from metric
    landmarks world [N,33,3]: both knees bent reads high (a clamshell's two
    knees at about 90°), one straight leg reads low."""
    pf = posture_features(world)
    return np.fmin(180.0 - pf["knee_l"], 180.0 - pf["knee_r"])


def hips_up_on_screen(px: np.ndarray) -> np.ndarray:
    """Per frame [N]: how far the lower hip is above the lowest knee or ankle on
    screen, in torso lengths (the clip's median mid-shoulder to mid-hip), from
    image points px [N,33,2]. Lying on one side, filmed from the front or the
    back, the lower hip rests on the floor with the knees and feet (about 0-0.2);
    a side plank lifts it off the floor. NaN where the trunk is more upright than
    level on screen: filmed from the feet or the head end the body runs along the
    camera's axis, the trunk is foreshortened and the legs lie below the hips on
    screen (a kit clamshell from the feet end read 2.05) [own]."""
    y = px[..., 1]
    trunk = (px[:, Lm.LEFT_HIP] + px[:, Lm.RIGHT_HIP]) / 2 - (px[:, Lm.LEFT_SHOULDER] + px[:, Lm.RIGHT_SHOULDER]) / 2
    across = np.abs(trunk[:, 0]) >= np.abs(trunk[:, 1])
    hip_low = np.fmax(y[:, Lm.LEFT_HIP], y[:, Lm.RIGHT_HIP])
    with np.errstate(invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN frames stay NaN
        leg_low = np.nanmax(y[:, [Lm.LEFT_KNEE, Lm.RIGHT_KNEE, Lm.LEFT_ANKLE, Lm.RIGHT_ANKLE]], axis=1)
        torso = np.nanmedian(np.linalg.norm((px[:, Lm.LEFT_SHOULDER] + px[:, Lm.RIGHT_SHOULDER]) / 2
                                            - (px[:, Lm.LEFT_HIP] + px[:, Lm.RIGHT_HIP]) / 2, axis=-1))
    if not (np.isfinite(torso) and torso > 0):
        return np.full(len(px), np.nan)
    return np.where(across, (leg_low - hip_low) / torso, np.nan)


def knee_gap_on_screen(px: np.ndarray) -> np.ndarray:
    """Per frame [N]: the distance between the knees on screen, in leg lengths
    (the clip's median hip-knee-ankle length on screen, either leg), from image
    points px [N,33,2]. Lying on the back, a double-leg raise holds the legs up
    side by side (about 0-0.15); a hamstring stretch raises one leg while the
    other lies on the floor or bends with its foot down, its knee well apart
    (0.4 and more)."""
    legs = [np.linalg.norm(px[:, h] - px[:, k], axis=-1) + np.linalg.norm(px[:, k] - px[:, a], axis=-1)
            for h, k, a in ((Lm.LEFT_HIP, Lm.LEFT_KNEE, Lm.LEFT_ANKLE), (Lm.RIGHT_HIP, Lm.RIGHT_KNEE, Lm.RIGHT_ANKLE))]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # no leg seen: NaN
        leg = float(np.nanmedian(np.concatenate(legs)))
    if not (np.isfinite(leg) and leg > 0):
        return np.full(len(px), np.nan)
    return np.linalg.norm(px[:, Lm.LEFT_KNEE] - px[:, Lm.RIGHT_KNEE], axis=-1) / leg


def low_leg_raise(px: np.ndarray) -> np.ndarray:
    """Per frame [N]: the lower leg's elevation on screen (°), from image points
    px [N,33,2]: the smaller of the two angles between the trunk line
    (mid-shoulder -> mid-hip) and the line from the mid-hip to each ankle, 0 with
    the leg along the trunk line, lying flat. A straight leg raise keeps the
    other leg down (its foot on the floor, knee bent or straight); leg scissors
    and double-leg raises hold both legs up."""
    ms = (px[:, Lm.LEFT_SHOULDER] + px[:, Lm.RIGHT_SHOULDER]) / 2
    mh = (px[:, Lm.LEFT_HIP] + px[:, Lm.RIGHT_HIP]) / 2
    trunk = mh - ms
    with np.errstate(invalid="ignore"):
        return np.fmin(vector_angle(trunk, px[:, Lm.LEFT_ANKLE] - mh), vector_angle(trunk, px[:, Lm.RIGHT_ANKLE] - mh))


def hip_lift(world: np.ndarray) -> np.ndarray:
    """Per frame [N]: how far the mid-hip is above the mid-shoulder along gravity,
    in thigh lengths, from metric landmarks world [N,33,3]. About 0 lying flat on
    the back, 0.5-1 with the hips bridged up off the floor."""
    down = -UP
    mh, ms = _mid(world, Lm.LEFT_HIP, Lm.RIGHT_HIP), _mid(world, Lm.LEFT_SHOULDER, Lm.RIGHT_SHOULDER)
    thigh = (np.linalg.norm(_pt(world, Lm.LEFT_KNEE) - _pt(world, Lm.LEFT_HIP), axis=-1)
             + np.linalg.norm(_pt(world, Lm.RIGHT_KNEE) - _pt(world, Lm.RIGHT_HIP), axis=-1)) / 2
    with np.errstate(invalid="ignore", divide="ignore"):
        return ((ms - mh) @ down) / thigh


def higher_hand_drop(world: np.ndarray) -> np.ndarray:
    """Per frame [N]: how far the higher wrist is below the mid-shoulder along
    gravity, in arm lengths, from metric landmarks world [N,33,3]. About 1 on all
    fours with both hands on the floor; about 0 with one arm reached forward at
    shoulder height (a bird dog)."""
    down = -UP
    ms = _mid(world, Lm.LEFT_SHOULDER, Lm.RIGHT_SHOULDER)
    lw, rw = _pt(world, Lm.LEFT_WRIST), _pt(world, Lm.RIGHT_WRIST)
    arm = (np.linalg.norm(lw - _pt(world, Lm.LEFT_SHOULDER), axis=-1)
           + np.linalg.norm(rw - _pt(world, Lm.RIGHT_SHOULDER), axis=-1)) / 2
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.fmin((lw - ms) @ down, (rw - ms) @ down) / arm


def hands_to_feet(world: np.ndarray) -> np.ndarray:
    """Per frame [N]: the distance across the floor (gravity taken out) from the
    mid-wrist to the nearer ankle, in leg lengths, from metric landmarks world
    [N,33,3]. A forward fold reaches the hands toward the feet (under about half
    a leg); a downward dog or a plank puts them on the floor a body's length
    away (over one leg). A wrist the model did not see is left out (side-on,
    the far hand is often hidden: s36's downward dog, its left wrist unseen in
    43% of the frames, read no distance at all over its hold)."""
    down = -UP
    lw, rw = _pt(world, Lm.LEFT_WRIST), _pt(world, Lm.RIGHT_WRIST)
    mw = np.where(np.isnan(lw), rw, np.where(np.isnan(rw), lw, (lw + rw) / 2))
    legs = [np.linalg.norm(_pt(world, knee) - _pt(world, hip), axis=-1)
            + np.linalg.norm(_pt(world, ankle) - _pt(world, knee), axis=-1)
            for hip, knee, ankle in ((Lm.LEFT_HIP, Lm.LEFT_KNEE, Lm.LEFT_ANKLE),
                                     (Lm.RIGHT_HIP, Lm.RIGHT_KNEE, Lm.RIGHT_ANKLE))]
    leg = np.where(np.isnan(legs[0]), legs[1], legs[0])  # the left leg's length, else the right's

    def across(v: np.ndarray) -> np.ndarray:
        return np.linalg.norm(v - (v @ down)[:, None] * down, axis=-1)

    with np.errstate(invalid="ignore", divide="ignore"):
        return np.fmin(across(mw - _pt(world, Lm.LEFT_ANKLE)), across(mw - _pt(world, Lm.RIGHT_ANKLE))) / leg


def step_across(world: np.ndarray) -> np.ndarray:
    """Per frame [N]: which way the feet stand apart, from metric landmarks world
    [N,33,3]: |cos| of the angle, across the floor (gravity taken out), between
    the ankle-to-ankle line and the hip-to-hip line. Near 1 with the feet apart
    sideways (a side lunge, a squat stance: a step in the frontal plane), lower
    with one foot ahead of the other (a lunge's split stance, a step in the
    sagittal plane). The model's depth is its weakest axis, so a split stance
    seen from the side reads 0.4-0.75 on real clips, not 0."""
    down = -UP

    def across(v: np.ndarray) -> np.ndarray:
        return v - (v @ down)[:, None] * down

    feet = across(_pt(world, Lm.LEFT_ANKLE) - _pt(world, Lm.RIGHT_ANKLE))
    hips = across(_pt(world, Lm.LEFT_HIP) - _pt(world, Lm.RIGHT_HIP))
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.abs(np.sum(feet * hips, axis=-1)) / (np.linalg.norm(feet, axis=-1) * np.linalg.norm(hips, axis=-1))


def seen_seconds(track: PoseTrack) -> float:
    """How long (s) the person was found with both hips and both knees inside the
    frame: the frames' own durations added up (a frame lasts the median gap
    between frames). A far runner crossing the frame, or one the model finds on
    half the frames, is seen for a second or less; a pose placed outside the
    image is the model guessing, not seeing."""
    if len(track) < 2:
        return 0.0
    p = track.px[:, [Lm.LEFT_HIP, Lm.RIGHT_HIP, Lm.LEFT_KNEE, Lm.RIGHT_KNEE]]
    with np.errstate(invalid="ignore"):
        inside = np.all((p[..., 0] >= 0) & (p[..., 0] <= track.width) & (p[..., 1] >= 0) & (p[..., 1] <= track.height),
                        axis=1)
    return float((track.detected & inside).sum() * np.median(np.diff(track.times)))


def _longest_run(times: np.ndarray, mask: np.ndarray,
                 keep: Callable[[HoldEvent], bool] = lambda ev: True) -> float:
    """The longest time (s) `mask` [N] stays true in one run, over the runs `keep`
    (given each run as a HoldEvent) keeps."""
    spans = [HoldEvent(float(times[a]), float(times[b - 1]), a, b - 1, math.nan) for a, b in true_runs(mask)]
    return max((ev.duration_s for ev in spans if keep(ev)), default=0.0)


def thigh_swing(world: np.ndarray) -> dict[str, float]:
    """Which way the working thigh swings on all fours, from metric landmarks
    world [N,33,3] (hidden points included): the knee's travel from its lowest
    to its highest place, relative to its hip, along the body's back axis and its
    out axis (both made horizontal), in thigh lengths.

    The model's depth (z) is its weakest axis, so travel is measured in the image
    plane (x, y) only, along whichever body axis lies closer to that plane: the
    back axis from the side, the out axis from the feet or head end. A donkey
    kick travels along the back axis (about sin(lift) thigh lengths), a fire
    hydrant along the out axis; each travels little along the other's axis.
    Returns back_travel, out_travel (NaN for the axis not used) and axis_in_plane
    (the in-plane share of the axis used, 0..1)."""
    nan = {"back_travel": math.nan, "out_travel": math.nan, "axis_in_plane": math.nan}
    lh, rh = _pt(world, Lm.LEFT_HIP), _pt(world, Lm.RIGHT_HIP)
    ls, rs = _pt(world, Lm.LEFT_SHOULDER), _pt(world, Lm.RIGHT_SHOULDER)
    down = -UP
    line = lh - rh
    out = _unit(line - (line @ down)[:, None] * down)
    back = np.cross(out, down)
    trunk = (lh + rh - ls - rs) / 2
    back = back * np.where(np.sum(back * trunk, axis=-1) < 0, -1.0, 1.0)[:, None]
    best = None
    for hip, knee in ((lh, _pt(world, Lm.LEFT_KNEE)), (rh, _pt(world, Lm.RIGHT_KNEE))):
        rel = knee - hip
        height = -(rel @ down)
        ok = np.isfinite(height)
        if ok.sum() < 10:
            continue
        lo, hi = np.nanpercentile(height, 30), np.nanpercentile(height, 90)
        rest, top = ok & (height <= lo), ok & (height >= hi)
        d = np.nanmedian(rel[top], axis=0) - np.nanmedian(rel[rest], axis=0)
        thigh = float(np.nanmedian(np.linalg.norm(rel[rest], axis=-1)))
        if best is None or np.linalg.norm(d) > np.linalg.norm(best[0]):
            best = (d, thigh, rest | top)
    if best is None or not np.isfinite(best[0]).all() or not best[1] > 0:
        return nan
    d, thigh, frames = best
    axes = {"back_travel": np.nanmedian(back[frames], axis=0), "out_travel": np.nanmedian(out[frames], axis=0)}
    in_plane = {k: float(np.linalg.norm(a[:2])) / max(float(np.linalg.norm(a)), 1e-9) for k, a in axes.items()}
    use = max(in_plane, key=lambda k: in_plane[k])
    a = axes[use][:2] / max(float(np.linalg.norm(axes[use][:2])), 1e-9)
    res = dict(nan)
    res[use] = abs(float(d[:2] @ a)) / thigh
    res["axis_in_plane"] = in_plane[use]
    return res


# A knee counts on screen where the model gives it this visibility or more: at the
# top of a lift filmed end-on the model often drops the knee back beside the hip
# at low visibility (a real banded fire hydrant from behind: 0.05-0.4) [own].
KNEE_SEEN_VIS = 0.5


def knee_out_on_screen(px: np.ndarray, vis: np.ndarray, frames: np.ndarray) -> dict[str, float]:
    """How far a knee moves out sideways on screen, from image points px [N,33,2],
    visibilities vis [N,33] and the frames to read [N] bool (on all fours): each
    knee's offset from its own hip along the screen hip line (outward positive),
    in the hip line's median length on screen, 95th percentile minus median over
    the frames where that knee is seen (KNEE_SEEN_VIS), the larger of the two
    knees (`knee_out`); and the hip line's median length over the trunk's on
    screen (`hips_across`). Filmed end-on (from behind or the head end) the hip
    line shows whole and the trunk is foreshortened (hips_across about 1); a
    fire hydrant then carries the knee out past its hip by a hip width or more,
    while a donkey kick or a bird dog lifts it straight back, into the depth,
    and barely moves it sideways on screen. Read from the side the hip line is
    short and the sideways offset means nothing (hips_across under 0.3)."""
    nan = {"knee_out": math.nan, "hips_across": math.nan}
    if frames.sum() < 10:
        return nan
    lh, rh = px[:, Lm.LEFT_HIP], px[:, Lm.RIGHT_HIP]
    trunk = (px[:, Lm.LEFT_SHOULDER] + px[:, Lm.RIGHT_SHOULDER] - lh - rh) / 2
    with np.errstate(invalid="ignore", divide="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        width = float(np.nanmedian(np.linalg.norm((lh - rh)[frames], axis=-1)))
        torso = float(np.nanmedian(np.linalg.norm(trunk[frames], axis=-1)))
        if not (width > 0 and torso > 0):
            return nan
        best = math.nan
        for hip, other, knee in ((Lm.LEFT_HIP, Lm.RIGHT_HIP, Lm.LEFT_KNEE), (Lm.RIGHT_HIP, Lm.LEFT_HIP, Lm.RIGHT_KNEE)):
            line = px[:, hip] - px[:, other]
            u = line / np.linalg.norm(line, axis=-1, keepdims=True)
            off = np.sum((px[:, knee] - px[:, hip]) * u, axis=-1) / width
            off = off[frames & (vis[:, knee] >= KNEE_SEEN_VIS) & np.isfinite(off)]
            if len(off) >= 10:
                travel = float(np.percentile(off, 95) - np.percentile(off, 50))
                best = travel if not math.isfinite(best) else max(best, travel)
    return {"knee_out": best, "hips_across": width / torso}


def clip_features(track: PoseTrack) -> dict[str, float]:
    """Every number the scores use, for one clip (see the module notes)."""
    clean = clean_track(track, cutoff_hz=SMOOTH_HZ)
    # Posture from every landmark the model places, hidden ones included: a limb
    # hidden behind the body is still put roughly where it is, which is all
    # "is the hand under the shoulder" needs (the checkers use visible points only).
    seen = track.replace(vis=np.where(track.detected[:, None], 1.0, np.zeros_like(track.vis)))
    seen_clean = clean_track(seen, cutoff_hz=SMOOTH_HZ)
    seen_world = seen_clean.world
    pf = posture_features(seen_world)
    valid = clean.detected & np.isfinite(pf["tilt"])
    tilt, side_up, chest = pf["tilt"], pf["side_up"], pf["chest_up"]
    knees, hands = pf["knees_under"], pf["hands_under"]
    lying = tilt > LYING_TILT
    face_up = lying & (side_up < FACE_UP_SIDE) & (chest > FACE_UP_CHEST)
    # Knee flexion (°) of each leg: on all fours both knees are bent about 90°,
    # in a plank or a lunge the back leg is straight.
    kl, kr = 180.0 - pf["knee_l"], 180.0 - pf["knee_r"]
    with np.errstate(invalid="ignore"):
        on_fours = valid & ((tilt > FOURS_TILT) & (side_up < SIDE_UP) & (chest < -CHEST) & (knees > UNDER)
                            & (hands > UNDER) & (pf["feet_under"] < FEET_OFF_FLOOR) & (np.fmin(kl, kr) > FOURS_KNEE_FLEX))
    ev: dict[str, float] = {
        "seconds": float(clean.times[valid][-1] - clean.times[valid][0]) if valid.sum() > 1 else 0.0,
        "seen_s": seen_seconds(track),
        "upright": _share(tilt < UPRIGHT_TILT, valid),
        "side_lying": _share(((tilt > SIDE_LYING_TILT) & (side_up > SIDE_UP)) | side_lying_on_screen(seen_clean.px),
                             valid),
        "supine": _share(lying & (side_up < SIDE_UP) & (chest > CHEST), valid),
        "face_up": _share(face_up, valid),
        "all_fours": _share(on_fours, valid),
        "hands_down": _share((tilt > 30.0) & (hands > UNDER) & (chest < 0.0), valid),
        "tilt_p90": _pct(tilt[valid], 90),
        "tilt_p10": _pct(tilt[valid], 10),
    }
    # Both knees bending together (a squat) or in turn (lunges, running).
    ev["knee_flex_p90"] = _pct(np.fmax(kl, kr)[valid], 90)
    ev["knee_flex_both_p90"] = _pct(np.fmin(kl, kr)[valid], 90)
    ev["knee_flex_range"] = _pct(np.fmax(kl, kr)[valid], 95) - _pct(np.fmax(kl, kr)[valid], 5)
    # Running strides: one knee deeply bent (the swing leg) while the other is
    # near straight (the stance leg), the legs taking turns. True at any playback
    # speed, so slow-motion clips of running count too.
    alt = valid & (np.fmax(kl, kr) > SWING_KNEE_FLEX) & (np.fmin(kl, kr) < STANCE_KNEE_FLEX)
    lead = np.sign(kl - kr)[alt]
    ev["stride_share"] = _share(alt, valid)
    # The stance knee in those strides: a runner lands on a bending knee and never
    # stands on a straight one (real runs: median 19-32° of flexion); butt kicks
    # and marching in place stand on a straight leg (about 12°).
    ev["stride_stance_flex"] = _pct(np.fmin(kl, kr)[alt], 50)
    # How high the swing thigh comes up in those strides: hip flexion (trunk to
    # thigh, 0 standing tall), the larger leg's, 90th percentile over the stride
    # frames. Running swings the thigh to 45-65° (Novacheck 1998); high knees lift
    # it to horizontal, 90°.
    ev["stride_hip_flex_p90"] = _pct(np.fmax(pf["hip_flex_l"], pf["hip_flex_r"])[alt], 90)
    ev["stride_turns"] = float(np.sum(np.diff(lead) != 0)) if len(lead) > 1 else 0.0
    ev.update(step_rhythm(seen_clean.times[valid], seen_clean.px[valid]))
    ev.update(hip_bounce(seen_clean.times[valid], seen_clean.px[valid]))
    # Which way the body faces: the share of frames read from the front (views.frame_views).
    ev["facing_share"] = _share(frame_views(clean) == "front", valid)
    ev.update(stride_phase(seen_clean.times, seen_clean.px, kl, kr, valid & (tilt < UPRIGHT_TILT)))
    ev.update(thigh_peaks(seen_clean.times, seen_clean.px, valid & (tilt < UPRIGHT_TILT)))
    ev["feet_under"] = _pct(pf["feet_under"][valid], 50)
    # Lying face up, how high the hips come over the shoulders: a bridge of any
    # kind lifts them (a straight leg raise keeps them on the floor).
    ev["face_up_hip_lift_p90"] = _pct(hip_lift(seen_world)[valid & face_up], 90)
    # And how high the hands come off the floor lying face up (the higher wrist's
    # drop below the shoulders, 10th percentile: negative is above them): a leg
    # hug, a knee to chest or a hamstring stretch holds the leg with the hands.
    ev["face_up_hand_drop_p10"] = _pct(higher_hand_drop(seen_world)[valid & face_up], 10)
    fours = valid & (pf["tilt"] > FOURS_TILT)
    # Both hands stay on the floor through a donkey kick or a fire hydrant; a bird
    # dog reaches one arm forward to shoulder height: the higher hand's drop below
    # the shoulders, 10th percentile over the frames with the trunk tipped forward.
    ev["fours_hand_drop_p10"] = _pct(higher_hand_drop(seen_world)[fours], 10) if fours.sum() >= 10 else math.nan
    ev.update({f"fours_{k}": v for k, v in knee_out_on_screen(clean.px, track.vis, fours).items()})
    if fours.sum() >= 10:
        ev.update({f"swing.{k}": v for k, v in thigh_swing(seen_world[fours]).items()})
    else:
        ev.update({"swing.back_travel": math.nan, "swing.out_travel": math.nan, "swing.axis_in_plane": math.nan})
    for name in ("clamshell", "donkey_kick", "fire_hydrant", "straight_leg_raise"):
        for k, v in _rep_evidence(name, clean, seen_world, on_fours).items():
            ev[f"{name}.{k}"] = v
    for name in ("hamstring_stretch", "running_lunge", "figure_four"):
        for k, v in _hold_evidence(name, clean, valid).items():
            ev[f"{name}.{k}"] = v
    return {k: (round(float(v), 4) if v is not None and math.isfinite(float(v)) else math.nan)
            for k, v in ev.items()}
