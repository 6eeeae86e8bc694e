"""Sanity before advice: is this a normal-speed running clip at all?

Checks, each pure over numbers the analysis already has:
- `too_little`: too few steps because the clip is short or the runner was not
  seen well enough is said as that, not as "does not look like running".
- `running_like`: running alternates a stance on one foot with the other foot
  swung well clear of the ground (a squat, a lunge or standing has both feet
  planted); a stance longer than the step (double support) is walking.
- `speed_question`: a cadence below what running looks like or above a sprint's,
  or stances far too long for running, or a phone's capture-rate tag above the
  playback rate (slow motion) means the clip's time is not real time; the report
  asks what speed the clip was filmed at instead of advising.
"""

from __future__ import annotations

import math

import numpy as np

from formcheck.gait.frames import Frames
from formcheck.gait.rules import RUNNING_CADENCE_SPM, SPRINT_CADENCE_MAX_SPM
from formcheck.gait.signals import interp_at
from formcheck.gait.steps import Stance
from formcheck.wording import count

__all__ = ["NO_REGULAR_STEPS", "too_little", "running_like", "speed_question", "swing_clearance", "alternation", "MIN_SWING_CLEARANCE", "MIN_ALTERNATION",
           "MAX_DUTY", "MAX_RUN_STANCE_S",
           "MIN_REGULAR_STEPS", "MIN_SEEN_S", "MIN_COVERAGE"]

# At midstance of one leg the other foot is in swing, clear of the ground by this
# many leg lengths at least [own: a jog lifts the swing heel 0.3-0.6 leg lengths
# above the stance foot on screen; standing, squatting or lunging feet are within 0.05].
# Why a clip with too few steps was not analysed as running (the report words it on its own).
NO_REGULAR_STEPS = "no regular running steps were found"
MIN_SWING_CLEARANCE = 0.12
# Legs taking turns: minus the correlation of the feet's (or knees') height difference
# with itself one step later [own: rendered and real running 0.6-0.95; real lunges,
# squats and walking in place 0 or below, feet and knees alike].
MIN_ALTERNATION = 0.4
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
# Fewer steps than this are not a run to judge [own].
MIN_REGULAR_STEPS = 4
# A whole leg (hip to ankle) must be in view for this long at a stretch [own: 4 steps at the slowest
# running cadence, 130 steps/min, take 1.85 s].
MIN_SEEN_S = 2.0
# The runner must be found on this share of frames at least [own: the same 60% below
# which the report already warns that steps may be missed].
MIN_COVERAGE = 0.6
# Slow-motion factors a phone writes (240, 120 or 60 fps played at 30) [own].
_FACTORS = (2, 4, 8)


def swing_clearance(fr: Frames, t: np.ndarray, steps: list[Stance], leg: float, period: float | None) -> float:
    """Median over steps of how far apart the two feet are in height around
    midstance (leg lengths, image height, each foot's lowest point; the larger
    gap within a quarter step of midstance). Either label order: from the side
    BlazePose swaps left and right. NaN if the feet are not seen."""
    gap = np.abs(fr.foot_low_y("left") - fr.foot_low_y("right")) / fr.leg_scale()
    half = 0.25 * (period or 0.0)
    vals = []
    for st in steps:
        sel = (t >= st.midstance - half) & (t <= st.midstance + half) & np.isfinite(gap)
        if sel.any():
            vals.append(float(gap[sel].max()))
        else:
            v = interp_at(t, gap, st.midstance)
            if math.isfinite(v):
                vals.append(v)
    return float(np.median(vals)) if vals else math.nan


def _turn_correlation(g: np.ndarray, t: np.ndarray, period: float) -> float:
    """Minus the correlation of a left-minus-right signal `g` [N] with itself one
    step (`period` s) later: about +1 when the legs swap every step. NaN if too
    little is seen."""
    ok = np.isfinite(g)
    if ok.sum() < 8:
        return math.nan
    dt = float(np.median(np.diff(t)))
    k = int(round(period / dt))
    g = np.interp(t, t[ok], g[ok])
    if k < 1 or k >= len(g) - 4:
        return math.nan
    a, b = g[:-k] - g[:-k].mean(), g[k:] - g[k:].mean()
    den = float(np.sqrt(np.sum(a * a) * np.sum(b * b)))
    return float(-np.sum(a * b) / den) if den > 0 else math.nan


def alternation(fr: Frames, t: np.ndarray, period: float | None) -> float:
    """How strongly the legs take turns: minus the correlation of the feet's height
    difference (left minus right, leg lengths) with itself one step later, or of the
    knees' height difference, whichever swaps more clearly. Running swaps which foot
    (and which knee) is up every step (about +1); a lunge, a split stance or a
    seated stretch keeps one foot up (0 or below). The knees count too because a
    camera looking down from in front loses the foot kicked up behind the stance
    leg: the pose model then draws it near the other foot, and the feet alone read
    as barely taking turns, while the knees, in front of the body, stay in view.
    NaN without a period."""
    if not period or len(t) < 8:
        return math.nan
    leg = fr.leg_scale()
    turns = [_turn_correlation((fr.foot_low_y("left") - fr.foot_low_y("right")) / leg, t, period),
             _turn_correlation((fr.p("left", "knee")[:, 1] - fr.p("right", "knee")[:, 1]) / leg, t, period)]
    turns = [x for x in turns if math.isfinite(x)]
    return max(turns) if turns else math.nan


def too_little(n_steps: int, clip_s: float, coverage: float, seen_s: float) -> tuple[str, str] | None:
    """(status, sentence) when fewer than MIN_REGULAR_STEPS steps were found and the
    clip cannot show more: "too_short" if the clip itself is under MIN_SEEN_S,
    "not_seen" if the runner was found on under MIN_COVERAGE of the frames or no
    whole leg (hip to ankle) was in view for MIN_SEEN_S at a stretch. None otherwise (then
    `running_like` decides). Times in seconds of the clip (video time)."""
    if n_steps >= MIN_REGULAR_STEPS:
        return None
    if clip_s < MIN_SEEN_S:
        # No step count here: in a clip this short a swinging leg reads as "2 steps found",
        # which tells a runner the tool saw running (s32: leg swings, a lateral swing at a rail).
        return "too_short", (f"This clip is too short to analyse running ({clip_s:.1f} s; it takes "
                             f"{MIN_SEEN_S:.0f} s at least to see 4 steps): film at least 10 s of steady "
                             "running, the whole body in view.")
    found = "no steps found" if n_steps == 0 else f"{count(n_steps, 'step')} found"
    if coverage < MIN_COVERAGE or seen_s < MIN_SEEN_S:
        whole = (f"a whole leg, hip to ankle, in view for {seen_s:.1f} s at most" if seen_s >= 0.05
                 else "never a whole leg, hip to ankle, in view")
        return "not_seen", (f"The runner was not seen well enough to analyse running (found on {coverage:.0%} of "
                            f"frames, {whole}, {found}): film at least 10 s of steady running with the whole "
                            "body, feet included, in frame.")
    return None


def running_like(clearance: float, duty: float | None, n_steps: int, cadence_spm: float | None = None,
                 alternating: float = math.nan) -> str | None:
    """None if the motion looks like running (or like slowed-down running: that is
    asked about by `speed_question`), else why not (one sentence). `alternating`
    (see `alternation`) is NaN where the labels cannot say which foot is up."""
    if n_steps < MIN_REGULAR_STEPS:
        return NO_REGULAR_STEPS
    if not math.isfinite(clearance) or clearance < MIN_SWING_CLEARANCE:
        return "both feet stay on the ground; running lifts one foot well clear while the other is down"
    if math.isfinite(alternating) and alternating < MIN_ALTERNATION:
        return "the feet do not take turns; in running one foot is up while the other is down, then they swap"
    # Walking pace only: stance times at 30 fps are rough, and nobody walks at a running cadence.
    walking_pace = cadence_spm is not None and MIN_WALK_CADENCE_SPM <= cadence_spm < RUNNING_CADENCE_SPM[0]
    if duty is not None and duty > MAX_DUTY and walking_pace:
        return "each foot stays down longer than a step, so both feet are down together: that is walking"
    return None


def speed_question(cadence_spm: float | None, stance_s: float | None, time_scale: float,
                   capture_fps: float | None, play_fps: float) -> tuple[str, float | None] | None:
    """(kind, suggested time scale) if the clip's time looks wrong, else None.
    kind: "slow_motion" or "fast_motion". The suggestion is the slow-motion factor
    that brings the cadence into running's range (or the one the file's capture
    rate gives), None if no single factor does."""
    lo, hi = RUNNING_CADENCE_SPM
    if capture_fps is not None and time_scale == 1.0 and capture_fps > 1.5 * play_fps:  # tagged slow motion
        return "slow_motion", round(play_fps / capture_fps, 4)
    if cadence_spm is not None and cadence_spm > SPRINT_CADENCE_MAX_SPM:  # 230-300: a sprint
        return "fast_motion", None
    slow = (cadence_spm is not None and cadence_spm < lo) or (stance_s is not None and stance_s > MAX_RUN_STANCE_S)
    if not slow:
        return None
    if cadence_spm is None:
        return "slow_motion", None
    fits = [k for k in _FACTORS if lo <= cadence_spm * k <= hi]
    return "slow_motion", (round(time_scale / fits[0], 4) if len(fits) == 1 else None)
