"""Per-step metrics of a running track (pixels in, degrees and leg lengths out),
the cadence, and the correction of the pose model's FPPA bias."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from formcheck.gait.frames import SIDES, Frames
from formcheck.gait.signals import interp_at, window_peak
from formcheck.gait.steps import Stance
from formcheck.geometry import joint_angle
from formcheck.landmarks import other_side

__all__ = ["FppaCalibration", "FPPA_CALIBRATION", "FPPA_CALIBRATION_ONE_POSE", "NO_CALIBRATION", "MAX_HIP_SCALE", "frontal_metrics", "sagittal_metrics",
           "cadence", "MIDSTANCE_WINDOW", "spread_legs"]

# FPPA is read over a window around midstance, 35% of the stance either side [own]:
# it still catches a peak BlazePose shows ~2 frames late at 60 fps (clinical-criteria.md
# §5) and leaves out the swing leg's projections at the ends.
MIDSTANCE_WINDOW = 0.35


# The hips may be moved apart by at most this factor (or together by its inverse)
# [own: 1.6 covers the widest gap seen on rendered runners, 1.42; past it the hip
# points are lost or the view is not frontal].
MAX_HIP_SCALE = 1.6


@dataclass(frozen=True)
class FppaCalibration:
    """How FPPA read from pose-model landmarks is brought to the body's joints.

    hip_width_legs: the hip joint centres' distance apart on screen as a share of
    the leg's length on screen (thigh + shank); before FPPA is read, the pose
    model's hip points are moved apart about their midpoint to that width (it puts
    them 10-30% closer together than the joint centres, which reads a caving knee
    low). None: the points as seen. spread: each leg's median FPPA is moved away
    from the mean of the two legs' medians by this factor, its steps with it (the
    pose model draws the two knees' angles toward each other; spread_legs). slope, offset: a straight
    line applied after that (identity unless given). sd_deg, sd_per_yaw: the per-leg error left, as
    an SD of sqrt(sd_deg² + (sd_per_yaw x camera yaw°)²), which widens every
    leg's band. `fitted_on` says what (docs/gait.md, "Bias correction")."""

    hip_width_legs: float | None = None
    spread: float = 1.0
    slope: float = 1.0
    offset: float = 0.0
    sd_deg: float = 0.0
    sd_per_yaw: float = 0.0
    fitted_on: str = "none"
    # Filmed from in front the pose model draws the two knees together more than from
    # behind: its own spread and error SD there (None: the same as from behind).
    spread_front: float | None = None
    sd_deg_front: float | None = None
    sd_per_yaw_front: float | None = None

    def spread_for(self, view: str | None) -> float:
        """The spread for a clip filmed from `view` ("front" has its own when fitted)."""
        return self.spread_front if view == "front" and self.spread_front is not None else self.spread

    def __call__(self, raw: float) -> float:
        return self.offset + self.slope * raw if math.isfinite(raw) else math.nan

    def hip_scale(self, hip_width_legs_seen: float) -> float:
        """The factor moving the hip points apart for a clip whose hips are
        `hip_width_legs_seen` leg lengths apart on screen (1 when off or unseen)."""
        if self.hip_width_legs is None or not (math.isfinite(hip_width_legs_seen) and hip_width_legs_seen > 0):
            return 1.0
        return float(np.clip(self.hip_width_legs / hip_width_legs_seen, 1 / MAX_HIP_SCALE, MAX_HIP_SCALE))

    def sd_at(self, yaw_deg: float | None, view: str | None = None) -> float:
        """The per-leg error SD for a camera `yaw_deg` off the line of running
        (unknown: 15°), filmed from `view` ("front" has its own when fitted)."""
        y = 15.0 if yaw_deg is None or not math.isfinite(yaw_deg) else min(abs(yaw_deg), 30.0)
        front = view == "front"
        sd0 = self.sd_deg_front if front and self.sd_deg_front is not None else self.sd_deg
        k = self.sd_per_yaw_front if front and self.sd_per_yaw_front is not None else self.sd_per_yaw
        return math.hypot(sd0, k * y)


NO_CALIBRATION = FppaCalibration()
# Fitted by benchmarks/gait_calibration.py on rendered runners (bodies and cameras
# held out of benchmarks/accuracy.py's running clips); see docs/gait.md.
FPPA_CALIBRATION = FppaCalibration(hip_width_legs=0.338, spread=1.37, sd_deg=3.0, sd_per_yaw=0.08,
                                   spread_front=None, sd_deg_front=2.8, sd_per_yaw_front=0.0,
                                   fitted_on="16 rendered runners (benchmarks/gait_renders.py FIT: bodies M27, F41, "
                                             "F29, M36; 5 from behind, 11 in front; cameras 0.6-1.5 m high, "
                                             "3-7 m away), "
                                             "benchmarks/gait_calibration.py")


# Tracks made with num_poses=1 (`--fast-tracking`: one person followed from frame to
# frame) read FPPA differently and less steadily; fitted the same way on the same FIT
# renders tracked in that mode (`gait_calibration.py --fast-tracking`; fit6 left out:
# it reads as not running in that mode). Its wider band (SD ~6° per leg) withholds
# verdicts the default tracking can give.
FPPA_CALIBRATION_ONE_POSE = FppaCalibration(hip_width_legs=0.336, spread=1.12, sd_deg=6.1, sd_per_yaw=0.0,
                                            sd_deg_front=6.3, sd_per_yaw_front=0.0,
                                            fitted_on="9 rendered runners tracked with num_poses=1 "
                                                      "(benchmarks/gait_renders.py FIT, --fast-tracking), "
                                                      "benchmarks/gait_calibration.py --fast-tracking")


def frontal_metrics(fr: Frames, t: np.ndarray, st: Stance, base: dict | None,
                    cal: FppaCalibration = NO_CALIBRATION, hip_scale: float = 1.0) -> dict[str, float]:
    """FPPA (peak over midstance +- MIDSTANCE_WINDOW of the stance, with the hips
    moved apart by `hip_scale` and the line of `cal`; `fppa_raw_deg` from the points
    as seen), FPPA over the standing baseline, heel offset from the midline at
    contact, and the heel's position for the step width, of one step."""
    s = st.side
    w0 = st.midstance - MIDSTANCE_WINDOW * st.stance
    w1 = st.midstance + MIDSTANCE_WINDOW * st.stance
    f = fr.fppa(s, hip_scale)
    peak = window_peak(t, f, w0, w1)
    raw = window_peak(t, fr.fppa(s), w0, w1) if hip_scale != 1.0 else peak
    m = {"fppa_deg": cal(peak), "fppa_raw_deg": raw, "fppa_mid_deg": cal(interp_at(t, f, st.midstance))}
    if base is not None and math.isfinite(base["fppa_deg"].get(s, math.nan)):
        # The standing FPPA is read from the same points (hips moved apart alike).
        m["fppa_over_baseline_deg"] = cal.slope * (peak - base["fppa_deg"][s])
    hip, ohip = fr.p(s, "hip")[:, 0], fr.p(other_side(s), "hip")[:, 0]
    mid = (hip + ohip) / 2
    width = np.abs(hip - ohip)
    outward = np.sign(hip - mid)
    sel = (t >= st.contact) & (t <= st.toe_off)
    hw = float(np.nanmedian(width[sel])) if np.isfinite(width[sel]).any() else math.nan
    heel_rel = (fr.p(s, "heel")[:, 0] - mid) * outward
    m["heel_offset"] = interp_at(t, heel_rel, st.contact) / hw if hw and math.isfinite(hw) else math.nan
    m["heel_x_px"] = interp_at(t, fr.p(s, "heel")[:, 0] - mid, st.contact)  # for step width
    m["hip_width_px"] = hw
    return m


def spread_legs(mets: list[dict[str, float]], sides: list[str], spread: float, min_steps: int) -> None:
    """Move each leg's median `fppa_deg` away from the mean of the two legs' medians
    by `spread`, and every step's `fppa_deg` and `fppa_mid_deg` of that leg (in
    place) by as much: the pose model reads the two knees closer to each other
    than they are (FppaCalibration.spread). The factor was fitted on the legs'
    medians, so a step's scatter about its leg's median is kept as read, not
    multiplied. Only when both legs have `min_steps` steps; otherwise nothing changes."""
    med = {}
    for side in SIDES:
        v = [m["fppa_deg"] for m, sd in zip(mets, sides) if sd == side and math.isfinite(m.get("fppa_deg", math.nan))]
        if len(v) < min_steps:
            return
        med[side] = float(np.median(v))
    centre = (med["left"] + med["right"]) / 2
    for m, side in zip(mets, sides):
        for k in ("fppa_deg", "fppa_mid_deg"):
            if k in m and math.isfinite(m[k]):
                m[k] = m[k] + (spread - 1) * (med[side] - centre)


def _at(t: np.ndarray, p: np.ndarray, tq: float) -> np.ndarray:
    """A point series [N,2] at time tq (linear interpolation), [2]."""
    return np.array([interp_at(t, p[:, 0], tq), interp_at(t, p[:, 1], tq)])


def _leg_at(fr: Frames, t: np.ndarray, tq: float, heel: np.ndarray, shank: float) -> tuple[np.ndarray, np.ndarray]:
    """(knee, ankle) [2] of the leg whose heel is at `heel` at time tq, whatever the
    labels: the ankle nearest that heel, and the knee of the same label unless it
    is not a shank's length (+-25%) from that ankle while the other one is (in side
    views BlazePose swaps single points as well as whole legs)."""
    ankles = {x: _at(t, fr.p(x, "ankle"), tq) for x in SIDES}
    side = min(SIDES, key=lambda x: np.nan_to_num(np.linalg.norm(ankles[x] - heel), nan=1e9))
    ankle = ankles[side]
    knees = {x: _at(t, fr.p(x, "knee"), tq) for x in SIDES}
    miss = {x: abs(np.nan_to_num(np.linalg.norm(knees[x] - ankle), nan=1e9) - shank) for x in SIDES}
    other = other_side(side)
    knee = knees[other] if miss[side] > 0.25 * shank and miss[other] < miss[side] else knees[side]
    return knee, ankle


def sagittal_metrics(fr: Frames, t: np.ndarray, st: Stance, leg: float, fwd: float) -> dict[str, float]:
    """Side-view metrics of one step, from whichever foot is where the step says
    (the forward-most heel at contact, the lower heel at midstance), not from the
    left/right labels, which BlazePose mixes up in side views."""
    hip = fr.mid("hip")
    shank = float(np.nanmedian(np.concatenate(
        [np.linalg.norm(fr.p(x, "knee") - fr.p(x, "ankle"), axis=-1) for x in SIDES])))
    heels_ic = [_at(t, fr.p(x, "heel"), st.contact) for x in SIDES]
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
    heels_ms = [_at(t, fr.p(x, "heel"), st.midstance) for x in SIDES]
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




def cadence(steps: list[Stance], period: float | None) -> float | None:
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


