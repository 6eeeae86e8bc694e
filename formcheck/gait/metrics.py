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

__all__ = ["FppaCalibration", "FPPA_CALIBRATION", "NO_CALIBRATION", "frontal_metrics", "sagittal_metrics",
           "cadence", "MIDSTANCE_WINDOW"]

# FPPA is read over a window around midstance, 35% of the stance either side [own]:
# it still catches a peak BlazePose shows ~2 frames late at 60 fps (clinical-criteria.md
# §5) and leaves out the swing leg's projections at the ends.
MIDSTANCE_WINDOW = 0.35


@dataclass(frozen=True)
class FppaCalibration:
    """true FPPA ≈ offset + slope x FPPA read from pose-model landmarks (degrees),
    with `sd_deg` the spread of single steps about that line on the renders it
    was fitted on. `fitted_on` says what (docs/gait.md, "Bias correction")."""

    slope: float = 1.0
    offset: float = 0.0
    sd_deg: float = 0.0
    fitted_on: str = "none"

    def __call__(self, raw: float) -> float:
        return self.offset + self.slope * raw if math.isfinite(raw) else math.nan


NO_CALIBRATION = FppaCalibration()
# Fitted by benchmarks/gait_calibration.py on rendered runners (bodies and cameras
# held out of benchmarks/accuracy.py's running clips); see docs/gait.md.
FPPA_CALIBRATION = FppaCalibration(slope=1.365, offset=1.96, sd_deg=3.3,
                                   fitted_on="6 rendered runners (benchmarks/gait_renders.py FIT: bodies M27, F41), "
                                             "benchmarks/gait_calibration.py")


def frontal_metrics(fr: Frames, t: np.ndarray, st: Stance, base: dict | None,
                    cal: FppaCalibration = NO_CALIBRATION) -> dict[str, float]:
    """FPPA (peak over midstance +- MIDSTANCE_WINDOW of the stance, corrected by
    `cal`), FPPA over the standing baseline, heel offset from the midline at
    contact, and the heel's position for the step width, of one step."""
    s = st.side
    w0 = st.midstance - MIDSTANCE_WINDOW * st.stance
    w1 = st.midstance + MIDSTANCE_WINDOW * st.stance
    f = fr.fppa(s)
    raw = window_peak(t, f, w0, w1)
    m = {"fppa_deg": cal(raw), "fppa_raw_deg": raw, "fppa_mid_deg": cal(interp_at(t, f, st.midstance))}
    if base is not None and math.isfinite(base["fppa_deg"].get(s, math.nan)):
        # The standing FPPA is read from the same landmarks: compare raw with raw.
        m["fppa_over_baseline_deg"] = cal.slope * (raw - base["fppa_deg"][s])
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


