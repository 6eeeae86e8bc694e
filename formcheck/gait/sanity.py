"""Sanity before advice: is this a normal-speed running clip at all?

Three checks, each pure over numbers the analysis already has:
- `running_like`: running alternates a stance on one foot with the other foot
  swung well clear of the ground (a squat, a lunge or standing has both feet
  planted); a stance longer than the step (double support) is walking.
- `speed_question`: a cadence outside what running looks like, or stances far
  too long for running, or a phone's capture-rate tag above the playback rate
  (slow motion) means the clip's time is not real time; the report asks what
  speed the clip was filmed at instead of advising.
"""

from __future__ import annotations

import math

import numpy as np

from formcheck.gait.frames import Frames
from formcheck.gait.rules import RUNNING_CADENCE_SPM
from formcheck.gait.signals import interp_at
from formcheck.gait.steps import Step

__all__ = ["running_like", "speed_question", "MIN_SWING_CLEARANCE", "MAX_DUTY", "MAX_RUN_STANCE_S"]

# At midstance of one leg the other foot is in swing, clear of the ground by this
# many leg lengths at least [own: a jog lifts the swing heel 0.3-0.6 leg lengths
# above the stance foot on screen; standing, squatting or lunging feet are within 0.05].
MIN_SWING_CLEARANCE = 0.12
# Stance time over step time: above this both feet are down together between
# steps (walking: about 1.2) [own: running has a flight phase, about 0.6-0.9].
MAX_DUTY = 1.0
# Longest stance running has [own: 0.2-0.3 s at a jog, clinical-criteria.md §2; a
# 2x slowed clip doubles it].
MAX_RUN_STANCE_S = 0.45
# Fewer steps per minute than this is not even walking at real speed [own: adult walking
# is about 90-130 steps/min, Tudor-Locke 2018]: the clip is slowed down, whatever its stances say
# (a panning camera or slow-motion blur makes stance times unreliable).
MIN_WALK_CADENCE_SPM = 80.0
# Slow-motion factors a phone writes (240, 120 or 60 fps played at 30) [own].
_FACTORS = (2, 4, 8)


def swing_clearance(fr: Frames, t: np.ndarray, steps: list[Step], leg: float) -> float:
    """Median over steps of how far the other foot is above the stance foot at
    midstance (leg lengths, image height; both feet's lowest points). NaN if unseen."""
    vals = []
    for st in steps:
        other = "right" if st.side == "left" else "left"
        a = interp_at(t, fr.foot_low_y(st.side), st.midstance)
        b = interp_at(t, fr.foot_low_y(other), st.midstance)
        if math.isfinite(a) and math.isfinite(b):
            vals.append((a - b) / leg)
    return float(np.median(vals)) if vals else math.nan


def running_like(clearance: float, duty: float | None, n_steps: int, cadence_spm: float | None = None) -> str | None:
    """None if the motion looks like running (or like slowed-down running: that is
    asked about by `speed_question`), else why not (one sentence)."""
    if n_steps < 4:
        return "no regular running steps were found"
    if not math.isfinite(clearance) or clearance < MIN_SWING_CLEARANCE:
        return "both feet stay on the ground; running lifts one foot well clear while the other is down"
    slowed = cadence_spm is not None and cadence_spm < MIN_WALK_CADENCE_SPM
    if duty is not None and duty > MAX_DUTY and not slowed:
        return "each foot stays down longer than a step, so both feet are down together: that is walking"
    return None


def speed_question(cadence_spm: float | None, stance_s: float | None, time_scale: float,
                   capture_fps: float | None, play_fps: float) -> tuple[str, float | None] | None:
    """(kind, suggested time scale) if the clip's time looks wrong, else None.
    kind: "slow_motion" or "fast_motion". The suggestion is the slow-motion factor
    that brings the cadence into running's range (or the one the file's capture
    rate gives), None if no single factor does."""
    lo, hi = RUNNING_CADENCE_SPM
    tagged = capture_fps is not None and time_scale == 1.0 and capture_fps > 1.5 * play_fps
    if tagged:
        return "slow_motion", round(play_fps / capture_fps, 4)
    if cadence_spm is not None and cadence_spm > hi:
        return "fast_motion", None
    slow = (cadence_spm is not None and cadence_spm < lo) or (stance_s is not None and stance_s > MAX_RUN_STANCE_S)
    if not slow:
        return None
    if cadence_spm is None:
        return "slow_motion", None
    fits = [k for k in _FACTORS if lo <= cadence_spm * k <= hi]
    return "slow_motion", (round(time_scale / fits[0], 4) if len(fits) == 1 else None)
