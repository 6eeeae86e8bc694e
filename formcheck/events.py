"""From one side's landmarks to the events that count: the exercise's features
and driving angle, the stretch's position, the rule that keeps one leg's rep
when both legs seem to move at once, and why no hold was found.

Shared by offline analysis (`formcheck.analysis`), the live session and the
recogniser. Pure numpy.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import replace

import numpy as np

from formcheck.cleaning import VIS_MIN
from formcheck.clip_checks import true_runs
from formcheck.exercises import Exercise
from formcheck.features import Joints, landmark, other_side
from formcheck.reps import (
    HoldEvent,
    HoldParams,
    RepEvent,
    centred_median,
    centred_speed,
    refine_holds,
    run_holds,
    steady_position,
)
from formcheck.wording import a_movement, movements, were

__all__ = [
    # per-side signals
    "side_features", "anchor_points", "drive_signal", "position_mask",
    # reps
    "resolve_overlap", "mirrors_other_leg", "count_one_leg", "other_movement", "other_movement_note",
    "beyond_doubt", "OVERLAP_SHARE",
    # holds
    "find_holds", "carried_over", "in_place", "anchors_still", "kept_moving", "other_leg_in_hold", "unread_holds",
    "deepening_limit_dps",
    "DEEPEN_SHARE_PER_S", "explain_no_hold", "NEARER_TIP",
]


def side_features(exercise: Exercise, joints: Joints) -> dict[str, np.ndarray]:
    """Every feature of the exercise for one working side: name -> [N]."""
    return {name: np.asarray(fn(joints), float) for name, fn in exercise.features.items()}


def anchor_points(joints: Joints) -> np.ndarray:
    """[N,2,2] mid-hip and mid-shoulder (px), either side's point where only one is
    seen: the steadiest landmarks, that move whenever the body really moves."""
    out = []
    for name in ("hip", "shoulder"):
        a, b = joints.p(name), joints.p("o_" + name)
        out.append(np.where(np.isfinite(a) & np.isfinite(b), (a + b) / 2, np.where(np.isfinite(a), a, b)))
    return np.stack(out, axis=1)


def drive_signal(exercise: Exercise, feats: dict[str, np.ndarray], fast: bool = False) -> np.ndarray:
    """The driving angle [N]; NaN where this side is not the working one, except
    in a fast set (`fast`: reps coming faster than the exercise's smoothing passes,
    reps.rep_rate_hz), where the exercise's `idle_drive` is read there."""
    drive = feats[exercise.drive]
    if exercise.active is not None:
        act = feats[exercise.active]
        idle = feats[exercise.idle_drive] if fast and exercise.idle_drive is not None else np.full_like(drive, np.nan)
        with np.errstate(invalid="ignore"):
            drive = np.where(act > 0.5, drive, np.where(act <= 0.5, idle, np.nan))
    return drive


# Two reps of opposite legs overlapping by more than this share of the shorter one
# cannot both be real: one leg works while the other supports (a mirror image, or
# the support leg dragged along by the pose model) [own].
OVERLAP_SHARE = 0.25
# ... and only when their tops coincide, within this share of the shorter rep: the
# same movement seen twice peaks at once, while legs raised in turn (alternating
# leg raises) peak half a cycle apart even where one leg's lowering overlaps the
# other's lift [own].
PEAK_SHARE = 0.25


def _same_top(a: RepEvent | HoldEvent, b: RepEvent | HoldEvent) -> bool:
    """Whether two reps peak together (holds, which have no top, always do)."""
    if not isinstance(a, RepEvent) or not isinstance(b, RepEvent):
        return True
    shorter = max(1e-6, min(a.end_t - a.start_t, b.end_t - b.start_t))
    return abs(a.peak_t - b.peak_t) <= PEAK_SHARE * shorter


def _overlap(a: RepEvent | HoldEvent, b: RepEvent | HoldEvent) -> float:
    inter = min(a.end_t, b.end_t) - max(a.start_t, b.start_t)
    shorter = max(1e-6, min(a.end_t - a.start_t, b.end_t - b.start_t))
    return inter / shorter


def resolve_overlap(kept: list[tuple[str, RepEvent]], new: tuple[str, RepEvent],
                    one_leg: bool = False) -> tuple[list[tuple[str, RepEvent]], bool]:
    """Add a newly finished rep (side, event) to the kept reps, unless it overlaps
    reps of the other leg in time and peaks with them (`one_leg`, Exercise.one_leg_at_a_time:
    whenever they peak): then the side with more reps so far keeps its
    rep (ties: the larger movement). Returns (kept reps, whether `new` was kept).
    The same rule runs offline (reps in order of their end) and live."""
    side, ev = new
    clash = [k for k, (s, e) in enumerate(kept)
             if s != side and _overlap(e, ev) > OVERLAP_SHARE and (one_leg or _same_top(e, ev))]
    if not clash:
        return kept + [new], True
    rest = [kept[k] for k in range(len(kept)) if k not in clash]
    mine = sum(1 for s, _ in rest if s == side)
    theirs = sum(1 for s, _ in rest if s != side)
    if mine > theirs or (mine == theirs and ev.amplitude > max(kept[k][1].amplitude for k in clash)):
        return rest + [new], True
    return kept, False


# On all fours the pose model can read the support thigh swinging the opposite
# way to the working one: on a rendered fire hydrant filmed from the feet end
# (own randomised render, seed 2) the support thigh read 28-31° out at rest and
# 5-21° whenever the working leg was up, so its returns between two real reps
# read as reps of their own (17-22°). In angle these swings are as large as a
# real lift, but they happen near the vertical, where a thigh's turn hardly
# moves its knee: a rep is the mirror of the other leg's movement when, from
# MIRROR_REACH_S before it starts to its end, the other knee rose and fell
# clearly further than this one (knee height = cos of the thigh's angle from the
# vertical; 5th-95th percentile over the window. On that render the support
# leg's three returns between the lifts moved its knee 0.10-0.14 of the thigh's
# length against the working knee's 0.18-0.32 (1.55-3.1 times); the working
# leg's reps 0.18-0.56 against the support knee's 0.08-0.13) [own].
MIRROR_REACH_S = 1.0
# ... by at least this factor: a leg copied onto the other (a mirror image, or the
# support leg dragged along) swings as far, and its reps overlap the real ones in
# time, which resolve_overlap settles (the phantom reps above: 1.55 times or more) [own].
MIRROR_RATIO = 1.25
# Knee heights over the window are read as these percentiles, so that a frame or
# two of a misplaced knee do not make a swing [own].
MIRROR_PERCENTILES = (5.0, 95.0)


def _knee_swing(angles_deg: np.ndarray) -> float:
    """How far a knee rose and fell (share of the thigh's length) given its thigh's
    angles from the vertical [n] (°); NaN with fewer than 3 frames seen."""
    h = np.cos(np.radians(angles_deg[np.isfinite(angles_deg)]))
    if len(h) < 3:
        return math.nan
    lo, hi = np.percentile(h, MIRROR_PERCENTILES)
    return float(hi - lo)


def mirrors_other_leg(times: np.ndarray, ev: RepEvent, mine: np.ndarray, other: np.ndarray) -> bool:
    """Whether a rep of one leg is the mirror of the other leg's movement (see
    above). times [N] s; mine, other [N]: each thigh's angle from the vertical
    (°, the exercise's drive) as read, whether or not that leg was picked as the
    working one. Reads only frames up to the rep's end, so the live path decides
    as offline does; False where either leg was unseen."""
    lo = int(np.searchsorted(times, ev.start_t - MIRROR_REACH_S, side="left"))
    span = slice(lo, ev.end_i + 1)
    return bool(_knee_swing(other[span]) > MIRROR_RATIO * _knee_swing(mine[span]))


def other_movement(exercise: Exercise, metrics: dict[str, float], tracked: dict[str, float]) -> bool:
    """Whether a finished rep meets one of the exercise's not_a_rep conditions (another
    movement: not counted, offline or live).

    Each is read on `tracked`, the rep's metrics from the landmarks as tracked (left and right
    repaired, not low-passed; its median over the top), or on `metrics` (smoothed) where those
    landmarks were not seen. The low-pass averages the pose model's brief misplacements of a
    limb over a second: a real supine straight leg raise (s30), its resting foot flat, had the
    resting ankle put on the raised knee on 1-3 frames at a time as the raised leg passed the
    bent resting knee; as tracked the other leg's share read 0.05-0.3 with those frames at
    0.5-0.93, median 0.18 over the top, but 0.5-0.97 for a second once low-passed (median 0.58),
    and the one full raise of the clip was dropped as both legs moving together [own]."""
    for c in exercise.not_a_rep:
        value = tracked.get(c.metric, math.nan)
        if c.holds(value if math.isfinite(value) else metrics.get(c.metric, math.nan)):
            return True
    return False


# The driving angle read beyond the furthest the movement goes (Exercise.drive_max_deg)
# for this long in all is the pose model misplacing the limb, not a moment of it passing
# through: real near misses analysed as a straight leg raise read past 135° for up to
# 0.7 s (a knee pulled in, a rolling twist), an own render whose raised leg the model
# lost for 13 s; no real straight leg raise got there [own].
BEYOND_DOUBT_S = 1.0


def beyond_doubt(exercise: Exercise, times: np.ndarray, drives: list[np.ndarray]) -> str | None:
    """A warning that the count may be wrong because the driving angle (drives: [N] per
    side, NaN unseen) read beyond exercise.drive_max_deg for BEYOND_DOUBT_S or more, or None."""
    if exercise.drive_max_deg is None or len(times) < 2 or not drives:
        return None
    with np.errstate(invalid="ignore"):
        beyond = np.any([d > exercise.drive_max_deg for d in drives], axis=0)
    seconds = float(beyond.sum() * np.median(np.diff(times)))
    if seconds < BEYOND_DOUBT_S:
        return None
    top = max(float(np.nanmax(d)) for d in drives if np.isfinite(d).any())
    return (f"The rep count may be wrong: for {seconds:.0f} s the pose model read your leg at up to {top:.0f}°, "
            f"past the {exercise.drive_max_deg:.0f}° no {exercise.title.lower()} reaches, so it was misplacing "
            "your legs: reps may be missed or made up, and form faults were not judged.")


def other_movement_note(exercise: Exercise, n: int) -> str:
    """What the user is told of `n` movements left out by other_movement (the report's
    warning, and live the cue of one just left out when n is 0: "Not counted: ...")."""
    what = f"{exercise.other_movement or 'another movement'}, not a {exercise.title.lower()}"
    if n == 0:
        return f"Not counted: that was {what}."
    return f"{movements(n)} {what}, and {were(n)} not counted."


def count_one_leg(exercise: Exercise, times: np.ndarray, found: list[tuple[str, RepEvent]],
                  drives: dict[str, np.ndarray]) -> tuple[list[tuple[str, RepEvent]], int, int]:
    """The reps that count among each side's reps `found` (side, event), in order of
    their end: those that mirror the other leg's movement (mirrors_other_leg, where
    one leg works while the other supports) or lose an overlap with the other
    leg's reps (resolve_overlap) are left out. drives: side -> [N] that side's
    drive as read, working side or not. Returns (kept, mirrored, overlapping).
    The live path applies the same two rules to each rep as it ends."""
    kept: list[tuple[str, RepEvent]] = []
    mirrored = 0
    for side, ev in sorted(found, key=lambda x: x[1].end_t):
        other = other_side(side)
        if exercise.one_leg_at_a_time and other in drives and mirrors_other_leg(times, ev, drives[side], drives[other]):
            mirrored += 1
            continue
        kept, _ = resolve_overlap(kept, (side, ev), exercise.one_leg_at_a_time)
    return kept, mirrored, len(found) - len(kept) - mirrored


def position_mask(exercise: Exercise, feats: dict[str, np.ndarray], drive: np.ndarray) -> np.ndarray:
    """Per frame [N] bool: the stretch's position is there for this side (every
    position check passes)."""
    if exercise.position:
        ok = np.ones(len(drive), bool)
        for c in exercise.position:
            ok &= c.passes(feats[c.feature])
        return ok
    if exercise.in_position:
        with np.errstate(invalid="ignore"):
            return feats[exercise.in_position] > 0.5
    return np.isfinite(drive)


def other_leg_in_hold(exercise: Exercise, feats: dict[str, np.ndarray], other_feats: dict[str, np.ndarray],
                      start_i: int, end_i: int, share: float = 0.5) -> str:
    """What the other leg did during a hold (frames start_i..end_i): "both" where
    the hold stretched both legs at once (on at least `share` of its frames
    neither leg stood out as the stretched one, exercise.both_legs, and the other
    leg passed every position check that says something to the user, those that
    are not only a pick of the stretched side); "unseen" where the other leg's
    position could not be read on at least `share` of its frames (side-on, the
    far leg hidden behind the near one); else "one", and always for a stretch
    that cannot take both legs at once [own: half the hold]."""
    span = slice(start_i, end_i + 1)
    checks = [c for c in exercise.position if c.says]
    if exercise.both_legs is None or not checks or end_i < start_i:  # a stretch of one side only
        return "one"
    seen = np.ones(end_i + 1 - start_i, bool)
    passed = np.ones_like(seen)
    for c in checks:
        values = other_feats[c.feature][span]
        seen &= np.isfinite(values)
        passed &= c.passes(values)
    if seen.mean() < share:
        return "unseen"
    with np.errstate(invalid="ignore"):
        alike = feats[exercise.both_legs][span] > 0.5
    return "both" if alike.mean() >= share and passed.mean() >= share else "one"


def _still_mask(times: np.ndarray, drive: np.ndarray, params) -> np.ndarray:
    """Frames [N] where the driving angle (median over the last smooth_s) moves
    slower than the hold detector's speed limit."""
    speed = _drive_speed(times, drive, params)
    with np.errstate(invalid="ignore"):
        return np.isfinite(speed) & (speed <= params.max_speed_dps)


def _drive_speed(times: np.ndarray, drive: np.ndarray, params) -> np.ndarray:
    """Speed (°/s) [N] of the driving angle's median over the last smooth_s, over
    the last speed_s (as the hold detector measures it); NaN where unseen."""
    n = len(times)
    sm = np.full(n, np.nan)
    lo = 0
    for i in range(n):
        while times[i] - times[lo] >= params.smooth_s:
            lo += 1
        w = drive[lo:i + 1]
        w = w[np.isfinite(w)]
        if len(w) and np.isfinite(drive[i]):
            sm[i] = np.median(w)
    back = np.searchsorted(times, times - params.speed_s, side="left")
    with np.errstate(invalid="ignore", divide="ignore"):
        dt = times - times[back]
        speed = np.where(dt > 0, np.abs(sm - sm[back]) / np.where(dt > 0, dt, 1.0), 0.0)
        return np.where(np.isfinite(sm), speed, np.nan)


def _unseen(check, side: str, vis: np.ndarray | None, a: int, b: int) -> list[tuple[str, float]]:
    """The landmarks a position check reads that the pose model hardly saw over
    frames a:b (median visibility at or below cleaning.VIS_MIN), with that
    visibility: the check failed for want of them, not for the body's position."""
    if vis is None or not check.needs:
        return []
    out = []
    for name in check.needs:
        lm = landmark(name, side)
        v = float(np.median(vis[a:b, int(lm)]))
        if v <= VIS_MIN:
            out.append((lm.name.lower().replace("_", " ").replace("foot index", "toes"), v))
    return out


# Without a still period, a driving angle unread in at least half of the clip on
# every side means the tool could not see the hold, not that the person moved [own].
UNSEEN_DRIVE_SHARE = 0.5


# The re-filming advice of a position check whose landmarks the pose model could not see.
NEARER_TIP = "(film with that leg nearer the camera)"


# A feature read from the model's 3D (world) landmarks ends so; it reads from any camera view.
IN_3D = "_3d"


def explain_no_hold(exercise: Exercise, sides: dict[str, tuple[dict[str, np.ndarray], np.ndarray]],
                    times: np.ndarray, vis: np.ndarray | None = None, params: HoldParams | None = None,
                    refused: bool = False, anchors: np.ndarray | None = None, view_unfit: bool = False) -> str:
    """Why no hold was found, in the user's terms. sides: side -> (features, drive).

    The stretch the person tried is taken as the longest still period of the
    clip; over it, the side whose leg is picked as the stretched one is checked,
    and each position check that failed is named with its median value there and
    the limit ('your right knee stayed bent: 125°...'); where the landmarks a
    check reads were hardly seen (vis [N,33], optional), it names them and how
    badly they were seen instead of a position verdict. Without a still period of
    min_hold_s: the person never held still long enough. params: the hold finder's
    (reps.hold_params), else the exercise's. anchors [N,2,2] (anchor_points): with
    them, a still driving angle over a body that kept moving is said to be that.
    view_unfit: the clip was filmed from a view the stretch cannot be analysed from
    (not in exercise.views); a position check read on screen that failed there is
    read along the camera's line of sight, so it is left out, and with none read in
    3D (IN_3D) left the position is said to be unreadable, with no verdict or
    number (s37: front-view split squats were told "your front knee stayed
    straight: 171°" at the bottom of a 90° lunge).

    refused: said beside a confident "this is not that stretch" (pipeline.refusal),
    so nothing coaches the stretch (no camera set-up tip, no "hold the stretch
    still"), and a position check the camera could not see is said as such, its
    re-filming advice only for the case that it was the stretch (s34: a child's
    pose, 100% not a running lunge, was told to film "with that leg nearer the
    camera"; alternating lunges were given the lunge's set-up tips)."""
    params = params or exercise.hold
    tip = "" if refused else f" {exercise.camera_tip}"
    if params is None:
        raise ValueError(f"{exercise.name} is not a held stretch")
    best: tuple | None = None
    moving: list[float] = []  # per side: median speed while in position
    for side, (feats, drive) in sides.items():
        inpos = position_mask(exercise, feats, drive)
        median_speed = _speed_in_position(times, drive, inpos, params)
        if median_speed is not None:
            moving.append(median_speed)
        tried = _longest_still(exercise, side, feats, drive, inpos, times, vis, params)
        if tried is not None and (best is None or tried[0] < best[0]):
            best = tried
    unseen = [float(np.mean(~np.isfinite(drive))) for _, drive in sides.values()]
    if unseen and min(unseen) >= UNSEEN_DRIVE_SHARE and (best is None or best[2] < params.min_hold_s):
        return (f"No held stretch detected: the pose model could not read your "
                f"{exercise.drive.replace('_', ' ')} angle steadily in {min(unseen):.0%} of the clip (the "
                "landmarks were not seen, or jumped about while your trunk stayed still), so no hold could be "
                f"timed and nothing was judged.{tip}")
    angle = exercise.drive.replace('_', ' ')
    clip_s = float(times[-1] - times[0]) if len(times) else 0.0
    longest = best[2] if best is not None else 0.0
    if (longest < params.min_hold_s and clip_s >= params.min_hold_s + 0.5 and moving
            and min(moving) < params.max_speed_dps):
        # Still at the median yet never for min_hold_s at a stretch: the reading jumped, or the
        # person moved between short pauses; the numbers cannot tell which (s31: a forward fold
        # hung still 5.6 s on a drifting phone read a median 14°/s against 15°/s and was told to
        # hold without moving; s33: single-leg deadlifts on a fixed camera, 13°/s, were then
        # told the camera was to blame).
        return (f"No held stretch detected: no still period of {params.min_hold_s:.0f} s was read (longest: "
                f"{longest:.1f} s). Your {angle} angle read still most of the time in the stretch position (a "
                f"median {min(moving):.0f}°/s; still means under {params.max_speed_dps:.0f}°/s), but never for "
                f"{params.min_hold_s:.0f} s at a stretch: either you moved between short pauses, or the reading "
                f"kept jumping (a moving camera or landmarks hard to see do that)."
                + ("" if refused else f" Hold the stretch still for {params.min_hold_s:.0f} s or more.{tip}"))
    if best is None:
        speed = (f": in the stretch position your {angle} angle moved at a median "
                 f"{min(moving):.0f}°/s (still means under {params.max_speed_dps:.0f}°/s)" if moving else
                 f": your {angle} angle never stayed under {params.max_speed_dps:.0f}°/s")
        return f"No held stretch detected: you were not seen holding still at any point{speed}."
    _, side, dur, share, failing, flicker, _ = best
    if dur < params.min_hold_s and clip_s < params.min_hold_s + 0.5:
        # Still for (nearly) the whole clip: the clip is the limit, not the person (s30: two
        # 2.8-2.9 s loops of held stretches were told to "hold the stretch without moving").
        return (f"No held stretch detected: the clip is only {clip_s:.1f} s long, and a stretch must be seen held "
                f"still for {params.min_hold_s:.0f} s. Film the whole hold.")
    if dur < params.min_hold_s:
        speed = (f"; in the stretch position your {angle} angle moved at a median "
                 f"{min(moving):.0f}°/s, where still means under {params.max_speed_dps:.0f}°/s" if moving else "")
        return (f"No held stretch detected: you never held still for {params.min_hold_s:.0f} s "
                f"(longest: {dur:.1f} s{speed})." + ("" if refused else " Hold the stretch without moving."))
    # A body that kept moving is the first reason, before any position check read over it (s36:
    # forward lunges, a lunge every 1.7 s, were told "your right foot never stepped forward").
    restless = _kept_moving_note(exercise, sides[side][0], times, anchors, best[6], params, refused)
    if restless:
        return restless
    if failing and view_unfit:
        # Checks read on screen are no evidence from such a view; those read from the 3D landmarks are.
        failing = [f for f in failing if f[0].feature.endswith(IN_3D)]
        if not failing:
            a = best[6][0]
            return (f"No held stretch detected: where your {angle} angle read still longest ({dur:.0f} s from "
                    f"{times[a]:.1f} s), the stretch position could not be read from this camera view (how your "
                    "legs and hips are placed lies along the camera's line of sight), so nothing about it was "
                    "judged.")
    if failing:
        blind = any(unseen for _, _, unseen in failing)
        # Said of the longest still period, not the clip (s33: squats forced as a running lunge read
        # "your front knee stayed straight: 175°" from the standing pause between squats).
        a = best[6][0]
        head = (f"the movement did not match {a_movement(exercise.name)}, and its position could not be "
                "checked either: " if refused and blind else "")
        return (f"No held stretch detected: {head}where your {angle} angle read still longest ({dur:.0f} s from "
                f"{times[a]:.1f} s), " + "; ".join(_failed_checks(exercise, side, failing, refused)) + ".")
    why = ""
    picks = [c for c in exercise.position if c.says is None]
    a, b = best[6]
    pick_fail = max((float(np.mean(~c.passes(sides[side][0][c.feature][a:b]))) for c in picks), default=0.0)
    if pick_fail > 0 and (flicker is None or pick_fail > flicker[1]):
        why = (f": in {pick_fail:.0%} of it your {side} leg was not the one in the stretch (the check "
               f"'{picks[0].feature}' picks the leg by its knee, fold and foot), so the two legs' readings kept "
               "swapping")
    elif flicker is not None:
        c, fail_share, v, unseen = flicker
        if unseen:
            names = ", ".join(f"{n} (visibility {vv:.1f})" for n, vv in unseen)
            why = (f": the check '{c.feature}' failed in {fail_share:.0%} of it, and the pose model could hardly "
                   f"see your {names} there")
        elif math.isfinite(v):
            why = f": in {fail_share:.0%} of it " + c.say(side, v)
    return (f"No held stretch detected: you held still for {dur:.0f} s, but were in the stretch position for "
            f"only {share:.0%} of that time{why}.")


def _kept_moving_note(exercise: Exercise, feats: dict[str, np.ndarray], times: np.ndarray,
                      anchors: np.ndarray | None, span: tuple[int, int], params: HoldParams,
                      refused: bool) -> str | None:
    """The no-hold note for a still driving angle over frames span [a, b) while the
    body kept moving (kept_moving: repeated movement such as split squats); None
    when it did not, or when the exercise names no other angle held too."""
    if anchors is None or not exercise.held_too:
        return None
    a, b = span
    ev = HoldEvent(float(times[a]), float(times[b - 1]), a, b - 1, math.nan)
    still = anchors_still(times, anchors, params)
    if not kept_moving(times, still, tuple(feats[k] for k in exercise.held_too), ev, params):
        return None
    names = " and ".join(k.replace("_", " ") for k in exercise.held_too)
    coach = "" if refused else f" Hold the position still for {params.min_hold_s:.0f} s or more."
    return (f"No held stretch detected: your body kept moving. Where your {exercise.drive.replace('_', ' ')} "
            f"angle read still longest ({ev.duration_s:.0f} s from {ev.start_t:.1f} s), your hips and shoulders "
            f"were still for only {float(still[a:b].mean()):.0%} of it, and your {names} never stayed within "
            f"{params.band_deg:.0f}° for {CANDIDATE_SHARE * params.min_hold_s:.1f} s: that is repeated movement "
            f"(such as split squats), not a held stretch.{coach}")


def _speed_in_position(times: np.ndarray, drive: np.ndarray, inpos: np.ndarray, params: HoldParams) -> float | None:
    """The driving angle's median speed (°/s) over the frames in the stretch
    position (inpos [N] bool); None when it was never read there."""
    sp = _drive_speed(times, drive, params)[inpos]
    sp = sp[np.isfinite(sp)]
    return float(np.median(sp)) if len(sp) else None


def _longest_still(exercise: Exercise, side: str, feats: dict[str, np.ndarray], drive: np.ndarray,
                   inpos: np.ndarray, times: np.ndarray, vis: np.ndarray | None, params: HoldParams) -> tuple | None:
    """The stretch this side tried, taken as its longest still period [a, b):
    (ranking key, side, seconds, share of it in position (inpos), the position checks its
    medians failed as (check, median, unseen landmarks), the check failing most
    often (_flickering), (a, b)); None when the side was never still."""
    runs = true_runs(_still_mask(times, drive, params))
    if not runs:
        return None
    a, b = max(runs, key=lambda r: times[r[1] - 1] - times[r[0]])
    dur = float(times[b - 1] - times[a])
    pick = np.ones(b - a, bool)
    for c in exercise.position:
        if c.says is None:
            pick &= c.passes(feats[c.feature][a:b])
    failing = []
    for c in exercise.position:
        if c.says is None:
            continue
        v = feats[c.feature][a:b]
        v = v[np.isfinite(v)]
        val = float(np.median(v)) if len(v) else math.nan
        if not (math.isfinite(val) and c.passes(np.array([val]))[0]):
            failing.append((c, val, _unseen(c, side, vis, a, b)))
    key = (-dur, -round(float(pick.mean()), 1), len(failing))
    return (key, side, dur, float(inpos[a:b].mean()), failing, _flickering(exercise, feats, side, vis, a, b), (a, b))


def _failed_checks(exercise: Exercise, side: str, failing: list, refused: bool) -> list[str]:
    """The position checks a still period failed, in words: the checks whose
    landmarks were unseen in one sentence, each landmark once (s34: a child's pose
    read the same ankle and "cannot tell whether you were in position" twice),
    then each other check with its value and limit."""
    parts = []
    blind = [(c, unseen) for c, _, unseen in failing if unseen]
    if blind:
        seen_names = dict(n for _, unseen in blind for n in unseen)
        names = ", ".join(f"{n} (visibility {vv:.1f})" for n, vv in seen_names.items())
        checks = " and ".join(f"'{c.feature}'" for c, _ in blind)
        nearer = (f"(if it was {a_movement(exercise.name)}, film with that leg nearer the camera)" if refused
                  else NEARER_TIP)
        parts.append(f"the pose model could not see your {names}; above {VIS_MIN:.1f} is needed to "
                     f"check {checks}, so this camera angle cannot tell whether you were in position {nearer}")
    for c, v, unseen in failing:
        if unseen:
            continue
        if math.isfinite(v):
            parts.append(c.say(side, v))
        else:
            parts.append(f"your {side} side could not be measured for '{c.feature}' (its landmarks were not seen, "
                         "or the limb pointed at the camera)")
    return parts


def _flickering(exercise: Exercise, feats: dict[str, np.ndarray], side: str, vis: np.ndarray | None,
                a: int, b: int) -> tuple | None:
    """Over frames a:b, the position check (one the user can act on) that failed
    most often: (check, share of frames it failed, its median over those frames,
    landmarks hardly seen); None when every such check passed throughout."""
    worst = None
    for c in exercise.position:
        if c.says is None:
            continue
        v = feats[c.feature][a:b]
        fail = ~c.passes(v)
        if not fail.any():
            continue
        bad = v[fail & np.isfinite(v)]
        val = float(np.median(bad)) if len(bad) else math.nan
        if worst is None or fail.mean() > worst[1]:
            worst = (c, float(fail.mean()), val, _unseen(c, side, vis, a, b))
    return worst


# ---- holds that slowly deepen ------------------------------------------------------------

# A person settling into a stretch keeps deepening it for a second or two (a real
# standing fold: trunk lean 122 -> 152° over 1.8 s, then still), which the hold
# engine's stillness limit (reps.HoldParams.max_speed_dps) reads as movement, so
# such a hold started late or, shorter than min_hold_s, was lost. Moving between
# positions crosses most of the stretch's range within a second or two
# (40-60°/s over a 120-150° fold); sinking into one takes a small share of it
# per second. A hold is extended back over frames in position where the angle
# approaches the held value slower than DEEPEN_SHARE_PER_S of the stretch's range
# per second: the range from the clip's rest value (its 5th percentile on the far
# side of the hold) to the held value [own: 0.2 of a 120-150° fold is 24-30°/s,
# above the 15-24°/s people sink at and below the 40-60°/s of moving into or out
# of a stretch; clinical-criteria.md §4].
DEEPEN_SHARE_PER_S = 0.2
# Still periods this much shorter than min_hold_s are kept as candidates: with
# the deepening before them they may prove a hold [own: half of min_hold_s].
CANDIDATE_SHARE = 0.5


def _rest(values: np.ndarray, held: float) -> float:
    """The clip's rest value on the far side of a held value: its 5th percentile
    when the hold is high, its 95th when low; NaN when nothing is read."""
    v = values[np.isfinite(values)]
    if not len(v) or not math.isfinite(held):
        return math.nan
    return float(np.percentile(v, 5)) if held >= float(np.median(v)) else float(np.percentile(v, 95))


def deepening_limit_dps(values: np.ndarray, held: float) -> float:
    """The speed (°/s) below which approaching the held value `held` is sinking
    into the stretch, not moving into it: DEEPEN_SHARE_PER_S of the range from
    the clip's rest value to `held`; NaN when the range cannot be read."""
    return DEEPEN_SHARE_PER_S * abs(held - _rest(values, held))


def _deepened_start(times: np.ndarray, values: np.ndarray, steady: np.ndarray, speed: np.ndarray,
                    ev: HoldEvent) -> int:
    """The first index of the slow approach to ev's value just before it (see
    DEEPEN_SHARE_PER_S): frames in position, slower than the limit, on the rest
    side of the held value (coming back from deeper is easing off, not sinking in)."""
    limit = deepening_limit_dps(values, ev.value)
    if not (math.isfinite(limit) and limit > 0):
        return ev.start_i
    toward = np.sign(ev.value - _rest(values, ev.value))
    a = ev.start_i
    while a - 1 >= 0:
        j = a - 1
        v = values[j]
        if not (steady[j] and math.isfinite(v) and math.isfinite(speed[j]) and speed[j] <= limit
                and np.sign(ev.value - v) in (0.0, toward)):
            break
        a = j
    return a


# ---- one position held twice ---------------------------------------------------------------

# The hold engine keeps a hold going while the driving angle drifts slower than
# its settling limit, and offline two holds a short break apart are joined (a
# fidget, a camera cut, lost tracking). A person who leaves the position with
# the whole body and comes back to it has held it twice: a real half-kneeling
# lunge held with the hips forward, pushed back for 2 s and held forward again
# (hips 0.5 torso lengths back, the front-leg angle 152 -> 136 -> 148°) read as
# one 16 s hold. A hold is split where, between two parts each still for at
# least smooth_s (the mid-hip and mid-shoulder moving under
# HoldParams.anchor_still torso lengths over speed_s, the bound under which the
# landmark guard calls a change the pose model's), they moved at least
# SPLIT_MOVE torso lengths away from where the part before held them, came back
# within anchor_still of it, and the driving angle left the held value by at
# least SPLIT_DRIVE_SHARE of band_deg on the way, i.e. out of the hold's band (a
# camera pan moves the anchors, not the angle; a real half-kneeling stretch
# rocked forward and back 0.6 torso lengths with the front-leg angle within 6°,
# one labelled hold). Moving on to a new position (a fold that comes half-way up and
# stays there, sinking into a stretch) does not come back, and stays one hold
# [own: 0.2 torso lengths is a step of the hips, above the 0.15 trusted as
# still]. Parts shorter than min_hold_s are not holds. A break no longer than
# HoldParams.max_gap_s (the interruption a hold tolerates anywhere) splits
# nothing: a 70 s standing fold whose trunk rose a little and sank back within
# 0.8 s was reported as two holds that each "reached" the target (s33).
SPLIT_MOVE = 0.2
SPLIT_DRIVE_SHARE = 1.0


def _median_point(points: np.ndarray) -> np.ndarray:
    """[2,2] median of anchor points [n,2,2] over the frames where they are seen."""
    ok = np.isfinite(points).all(axis=(1, 2))
    return np.median(points[ok], axis=0) if ok.any() else np.full((2, 2), np.nan)


def _left_and_back(times: np.ndarray, values: np.ndarray, anchors: np.ndarray, before: tuple[int, int],
                   after: tuple[int, int], params: HoldParams) -> bool:
    """Whether, between the held parts `before` and `after` (index runs [s, e)),
    the body left the position and came back to it (see SPLIT_MOVE)."""
    (s0, e0), (s1, e1) = before, after
    held = _median_point(anchors[s0:e0])
    torso = float(np.linalg.norm(held[1] - held[0]))
    if not (math.isfinite(torso) and torso > 0 and s1 > e0):
        return False
    away = np.linalg.norm(anchors[e0:s1] - held, axis=-1).max(axis=-1)
    away = away[np.isfinite(away)]
    back = np.linalg.norm(_median_point(anchors[s1:e1]) - held, axis=-1).max()
    ref = values[s0:e0]
    ref, mid = ref[np.isfinite(ref)], values[e0:s1]
    mid = mid[np.isfinite(mid)]
    if not (len(away) and len(ref) and len(mid) and math.isfinite(back)):
        return False
    return bool(away.max() >= SPLIT_MOVE * torso and back < params.anchor_still * torso
                and np.max(np.abs(mid - np.median(ref))) >= SPLIT_DRIVE_SHARE * params.band_deg)


def _split_at_returns(times: np.ndarray, values: np.ndarray, anchors: np.ndarray, ev: HoldEvent,
                      params: HoldParams, body_still: np.ndarray | None = None) -> list[HoldEvent]:
    """ev cut where the body left the position and came back (see SPLIT_MOVE):
    the part before ends at its last still frame, the part after starts at its
    first. body_still: anchors_still over the whole clip, when the caller has it."""
    a, b = ev.start_i, ev.end_i
    if body_still is None:
        body_still = anchors_still(times, anchors, params)
    still = body_still[a:b + 1]
    held = [(a + s, a + e) for s, e in true_runs(still) if times[a + e - 1] - times[a + s] >= params.smooth_s]
    spans, start, k = [], a, 0
    while k < len(held) - 1:
        before = held[k]
        # The next held part back where `before` held the body (parts held
        # elsewhere in between, such as a pause with the hips back, are the move).
        nxt = next((m for m in range(k + 1, len(held)) if _left_and_back(times, values, anchors, before, held[m],
                                                                           params)
                    and times[held[m][0]] - times[before[1] - 1] > params.max_gap_s), None)
        if nxt is None:
            k += 1
            continue
        spans.append((start, before[1] - 1))
        start, k = held[nxt][0], nxt
    if not spans:
        return [ev]
    spans.append((start, b))
    return [HoldEvent(float(times[s]), float(times[e]), int(s), int(e), _held_value(values, s, e, ev.value))
            for s, e in spans if e > s]


def _held_value(values: np.ndarray, s: int, e: int, default: float) -> float:
    v = values[s:e + 1]
    v = v[np.isfinite(v)]
    return float(np.median(v)) if len(v) else default


# ---- the rest of the position held too ------------------------------------------------

# The driving angle can stay within its band while the body moves into the
# stretch: a half-kneeling hip-flexor stretch entered from upright kneeling kept
# its front-leg angle at 125-131° while the hips shifted forward and the front
# knee bent 124 -> 53° (real, s26); another held its hips back 1 s, then shifted
# them forward (front knee 77 -> 50°, the driving angle 140 -> 150°, the band's
# width), and both set-ups were counted into the hold. An exercise names the
# other angles of its position that a hold holds too (Exercise.held_too). Within
# a hold, such an angle (its median over smooth_s centred on each frame) is held
# at the centre of the band_deg-wide window holding most of the hold's frames,
# where it stays within band_deg in one run (bridging gaps up to max_gap_s) of at
# least CANDIDATE_SHARE of min_hold_s, still (max_speed_dps) on min_still_share
# of it as a hold is. The hold's part before that run is a set-up, and the hold
# starts with the run, when the body was elsewhere there, not only a limb's
# landmarks: the median mid-hip or mid-shoulder over it at least SPLIT_MOVE
# torso lengths from where the run holds them (a knee landmark thrown about
# under a still trunk is the model, see HoldParams.anchor_still), and the angle
# nowhere stays within a band_deg-wide range for CANDIDATE_SHARE of min_hold_s
# there (a second held position, such as the same hold seen across a camera cut,
# is the hold engine's call; the hips shifting forward bent a front knee at
# 14°/s, under the still limit, so stillness alone does not tell). An angle that
# leaves the band and comes back within the hold (a stretch rocked forward and
# back through it, one labelled hold) leaves the hold as found [own: the hold's
# own band and speed limits, clinical-criteria.md §4]. The end is cut the same
# way only where the angle leaves at least as fast as LEAVE_SPEED_DPS: the
# driving angle can stay in its band while the person comes out of the stretch
# (a real low lunge, s28: the hips came back and the front knee opened 74 ->
# 147° in 1.3 s, the trunk-to-front-leg angle within 10° throughout, and the
# hold ran 1.5 s on to the foot stepping back). Easing out slowly is still the
# hold (a couch stretch labelled held while easing out: the knee 48 -> 82° at
# 21°/s), and so is a knee landmark thrown about under a still trunk (a real
# lizard lunge: the trunk did not move).
# People sink into a stretch at 15-24°/s and move into or out of one at
# 40-60°/s (HoldParams.drift_speed_dps); leaving the held angle faster than the
# middle of the two is moving out [own].
LEAVE_SPEED_DPS = 30.0


def _moved_into(times: np.ndarray, values: np.ndarray, anchors: np.ndarray, part: tuple[int, int],
                run: tuple[int, int], params: HoldParams) -> bool:
    """Whether frames `part` [s, e) are a movement into or out of the position
    that frames `run` [s, e) hold (see above)."""
    s, e = part
    if e - s < 2 or _longest_level(times[s:e], centred_median(times[s:e], values[s:e], params.smooth_s),
                                   params.band_deg) >= CANDIDATE_SHARE * params.min_hold_s:
        return False
    held = _median_point(anchors[run[0]:run[1]])
    torso = float(np.linalg.norm(held[1] - held[0]))
    away = np.linalg.norm(_median_point(anchors[s:e]) - held, axis=-1).max()
    return bool(math.isfinite(torso) and torso > 0 and math.isfinite(away) and away >= SPLIT_MOVE * torso)


def _longest_level(times: np.ndarray, values: np.ndarray, width: float) -> float:
    """The longest time (s) over which `values` [N], where read, stay within a
    range `width` wide. A window [i, j] slides over the values read, its highest
    and lowest kept in monotonic deques (indices whose values fall, resp. rise,
    front to back), so each value enters and leaves once: linear in N."""
    best = 0.0
    ok = np.flatnonzero(np.isfinite(values))
    t, v = times[ok], values[ok]
    high: deque[int] = deque()
    low: deque[int] = deque()

    def push(k: int) -> None:
        while high and v[high[-1]] <= v[k]:
            high.pop()
        high.append(k)
        while low and v[low[-1]] >= v[k]:
            low.pop()
        low.append(k)

    j = -1
    for i in range(len(v)):
        for q in (high, low):
            while q and q[0] < i:
                q.popleft()
        if j < i:
            j = i
            push(j)
        while j + 1 < len(v) and max(v[high[0]], v[j + 1]) - min(v[low[0]], v[j + 1]) <= width:
            j += 1
            push(j)
        best = max(best, float(t[j] - t[i]))
    return best


def _held_too(times: np.ndarray, values: np.ndarray, anchors: np.ndarray, ev: HoldEvent,
              params: HoldParams) -> HoldEvent:
    """ev started where the run in which `values` [N] (another angle of the
    position, °) is held begins, when what came before it was a set-up, and
    ended where that run ends, when what came after it was moving out (see
    above); anchors [N,2,2] (anchor_points)."""
    a, b = ev.start_i, ev.end_i + 1
    seg_t = times[a:b]
    med = centred_median(seg_t, values[a:b], params.smooth_s)
    seen = np.sort(med[np.isfinite(med)])
    if not len(seen):
        return ev
    # The value held: the centre of the band_deg-wide window holding most frames.
    half = params.band_deg / 2
    near = np.searchsorted(seen, seen + half, side="right") - np.searchsorted(seen, seen - half, side="left")
    held = float(seen[int(np.argmax(near))])
    with np.errstate(invalid="ignore"):
        good = np.abs(med - held) <= params.band_deg
        still = centred_speed(seg_t, values[a:b], params) <= params.max_speed_dps
    runs = true_runs(_bridged(seg_t, good, params.max_gap_s))
    if len(runs) != 1:
        return ev
    s, e = runs[0]
    if seg_t[e - 1] - seg_t[s] < CANDIDATE_SHARE * params.min_hold_s or still[s:e].mean() < params.min_still_share:
        return ev
    run = (a + s, a + e)
    start = a + s if s > 0 and _moved_into(times, values, anchors, (a, a + s), run, params) else a
    end = a + e - 1 if a + e < b and _moved_out(times, values, anchors, (a + e, b), run, held, params) else ev.end_i
    if (start, end) == (a, ev.end_i):
        return ev
    return HoldEvent(float(times[start]), float(times[end]), start, end, ev.value)


def _moved_out(times: np.ndarray, values: np.ndarray, anchors: np.ndarray, part: tuple[int, int],
               run: tuple[int, int], held: float, params: HoldParams) -> bool:
    """Whether frames `part` [s, e), after the run `run` [s, e) in which another
    angle of the position (`values` [N], °) is held at `held`, are the body
    moving out of the position (see LEAVE_SPEED_DPS): the angle's median at the
    part's end is taken against the held value at the run's last frame, so that
    a short part (a clip ending while the person comes out: a real half-kneeling
    stretch's knee 54 -> 112° in 0.9 s, s26) is not read slower than it moved,
    as a median over only its own frames reads it (22°/s there)."""
    s, e = part
    if not _moved_into(times, values, anchors, part, run, params):
        return False
    med = centred_median(times[s:e], values[s:e], params.smooth_s)
    ok = np.flatnonzero(np.isfinite(med))
    if not len(ok):
        return False
    dt = float(times[s + ok[-1]] - times[run[1] - 1])
    return dt > 0 and abs(float(med[ok[-1]]) - held) / dt >= LEAVE_SPEED_DPS


def find_holds(times: np.ndarray, drive: np.ndarray, raw_drive: np.ndarray, in_position: np.ndarray,
               params: HoldParams, anchors: np.ndarray | None = None,
               held_too: tuple[np.ndarray, ...] = ()) -> list[HoldEvent]:
    """Offline holds of one side: found by the hold engine on the guarded angle
    `drive` (as live), timed on the angle as read (`raw_drive`), each started
    where the person began sinking slowly into it (DEEPEN_SHARE_PER_S), and, with
    the hips and shoulders given (anchors [N,2,2], anchor_points), split where
    the whole body left the position and came back to it (SPLIT_MOVE); cut to
    where the other angles of the position (`held_too`, [N] each,
    Exercise.held_too) were held too; holds shorter than min_hold_s after that
    are dropped."""
    short = replace(params, min_hold_s=CANDIDATE_SHARE * params.min_hold_s)
    cands = refine_holds(times, raw_drive, in_position, run_holds(times, drive, in_position, short), short)
    if not cands:
        return []
    speed = centred_speed(times, raw_drive, params)
    steady = steady_position(times, in_position, params)
    body_still = anchors_still(times, anchors, params) if anchors is not None else None
    out: list[HoldEvent] = []
    for ev in cands:
        a = _deepened_start(times, raw_drive, steady, speed, ev)
        if out and a <= out[-1].end_i:
            a = max(a, out[-1].end_i + 1)
        h = HoldEvent(float(times[a]), ev.end_t, int(a), ev.end_i, ev.value)
        parts = [h] if anchors is None else _split_at_returns(times, raw_drive, anchors, h, params, body_still)
        if anchors is not None:
            for values in held_too:
                parts = [_held_too(times, values, anchors, p, params) for p in parts]
        out += [p for p in parts if p.duration_s >= params.min_hold_s
                and (body_still is None or not held_too or not kept_moving(times, body_still, held_too, p, params))]
    return out


# A body that keeps moving is not holding a stretch, even with the driving angle
# in its band: seven split squats with the arms overhead (real, s35, side view)
# kept the trunk-to-front-leg angle in its band for 10 s while the hips rose and
# sank with each rep and the front knee swung 55-127°; their hips and shoulders
# were still (anchors_still) on 19% of that time and the knee stayed within
# band_deg for 0.8 s at most. A hold is dropped where the hips and shoulders were
# still on under MOVING_STILL_SHARE of its frames and none of the other angles of
# the position (Exercise.held_too) stayed within band_deg for CANDIDATE_SHARE of
# min_hold_s. Measured on the real running-lunge holds found (8, labelled): still
# on 48-100% of their frames, the knee level for 1.5-18.7 s (a lizard lunge's knee
# landmark thrown about under a still trunk: 79% still, 1.5 s); squats forced as
# a running lunge (2 clips): 4% and 21%, 0.8 and 0.9 s [own].
MOVING_STILL_SHARE = 1 / 3


def kept_moving(times: np.ndarray, body_still: np.ndarray, held_too: tuple[np.ndarray, ...], ev: HoldEvent,
                params: HoldParams) -> bool:
    """Whether the hold ev is repeated movement rather than a held stretch (see
    MOVING_STILL_SHARE); body_still [N] bool (anchors_still), held_too [N] each."""
    a, b = ev.start_i, ev.end_i + 1
    if not held_too or body_still[a:b].mean() >= MOVING_STILL_SHARE:
        return False
    seg = times[a:b]
    level = [_longest_level(seg, centred_median(seg, v[a:b], params.smooth_s), params.band_deg) for v in held_too]
    return max(level) < CANDIDATE_SHARE * params.min_hold_s


# The pose model can hand the stretched leg to the other leg in the middle of a hold
# while the person keeps still: in a real seated single-leg hamstring stretch (s34,
# both knees read straight) the stretched_leg pick flipped from the right leg to the
# left at 6.5 s of an 8 s hold, and the hold ended there, 1.5 s early. The other
# side in position and still (in_place) right after the hold ends (within max_gap_s),
# where this side is no longer, with its driving angle within band_deg of the
# hold's, carries the same hold on, through gaps of up to max_gap_s [own: the hold
# engine's own tolerances]. Not where the other side has a hold of its own there.
def carried_over(times: np.ndarray, ev: HoldEvent, mine: np.ndarray, other: np.ndarray,
                 other_drive: np.ndarray, params: HoldParams) -> HoldEvent:
    """The hold `ev` of one side, its end carried on over the frames where only the
    other side is in place (`mine`, `other`: [N] bool, in position and still;
    `other_drive`: the other side's driving angle [N])."""
    last, k = ev.end_i, ev.end_i + 1
    with np.errstate(invalid="ignore"):
        takes_over = other & ~mine & (np.abs(other_drive - ev.value) <= params.band_deg)
    while k < len(times) and times[k] - times[last] <= params.max_gap_s:
        if takes_over[k]:
            last = k
        k += 1
    return ev if last == ev.end_i else replace(ev, end_i=int(last), end_t=float(times[last]))


def in_place(times: np.ndarray, drive: np.ndarray, in_position: np.ndarray, params: HoldParams) -> np.ndarray:
    """[N] bool: in the stretch's position (by the hold engine's majority vote) and still."""
    return steady_position(times, in_position, params) & _still_mask(times, drive, params)


# ---- still, but the position cannot be read ----------------------------------------------

# A person who keeps still with the landmarks the stretch's position is read from
# out of the pose model's sight (a seated figure-four's crossed ankle pointing at
# the camera: visibility 0.0) may well be holding the stretch; the tool cannot
# tell. Such a still period is reported as a hold whose position was not checked
# and whose form is not judged, with the landmarks named, instead of a silent
# miss. Still: the mid-hip and mid-shoulder move less than HoldParams.anchor_still
# torso lengths over speed_s (the bound the landmark-jump guard trusts) in a
# position_share majority of the smooth_s around each frame; unread: no side
# passes every position check, and on some side a check's landmarks are unseen
# (visibility at or below cleaning.VIS_MIN) or its value is unread while every
# check that can be read there passes [own].


# At least this share of an unread hold's frames must be unread: a still period
# the model reads in position throughout, where the hold engine found no hold,
# keeps the engine's verdict (a real supine figure-four's still, in-position
# 3 s before its hold read 0% unread; its two holds 64% and 75%) [own].
UNREAD_SHARE = 1 / 3


def anchors_still(times: np.ndarray, anchors: np.ndarray, params: HoldParams) -> np.ndarray:
    """[N] bool: the mid-hip and mid-shoulder moved under anchor_still torso
    lengths over the speed_s centred on each frame."""
    n = len(times)
    a = np.clip(np.searchsorted(times, times - params.speed_s / 2, side="left"), 0, n - 1)
    b = np.clip(np.searchsorted(times, times + params.speed_s / 2, side="right") - 1, 0, n - 1)
    torso = np.linalg.norm(anchors[:, 1] - anchors[:, 0], axis=-1)
    moved = np.linalg.norm(anchors[b] - anchors[a], axis=-1).max(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.isfinite(moved) & (moved < params.anchor_still * np.fmax(torso[a], torso[b]))


def _side_unread(exercise: Exercise, feats: dict[str, np.ndarray], side: str, vis: np.ndarray) -> np.ndarray:
    """[N] bool: some position check of this side cannot be read (its landmarks
    unseen, or its value NaN) while every check that can be read passes."""
    unread = np.zeros(len(vis), bool)
    failed = np.zeros(len(vis), bool)
    for c in exercise.position:
        bad = ~np.isfinite(feats[c.feature])
        for name in c.needs:
            bad |= vis[:, int(landmark(name, side))] <= VIS_MIN
        unread |= bad
        failed |= ~bad & ~c.passes(feats[c.feature])
        if c.feature in exercise.unread_reads:
            failed |= bad  # Exercise.unread_reads: must be read
    return unread & ~failed


def _bridged(times: np.ndarray, mask: np.ndarray, max_gap_s: float, values: np.ndarray | None = None,
             band: float = math.inf) -> np.ndarray:
    """mask [N] with runs of False shorter than max_gap_s between two True runs
    filled in (a check that reads out of position for a moment, as the hold
    engine's gaps); with `values` [N], only where their medians over max_gap_s
    / 2 either side of the gap are within `band` of each other."""
    out = mask.copy()
    runs = true_runs(mask)
    for (_, e0), (s1, _) in zip(runs, runs[1:]):
        if times[s1] - times[e0 - 1] > max_gap_s:
            continue
        if values is not None:
            w = max_gap_s / 2
            before = values[(times >= times[e0 - 1] - w) & (times <= times[e0 - 1])]
            after = values[(times >= times[s1]) & (times <= times[s1] + w)]
            before, after = before[np.isfinite(before)], after[np.isfinite(after)]
            if len(before) and len(after) and abs(float(np.median(after)) - float(np.median(before))) > band:
                continue
        out[e0:s1] = True
    return out


def _drive_still_runs(times: np.ndarray, drive: np.ndarray | None, a: int, b: int,
                      params: HoldParams) -> list[tuple[int, int]]:
    """The parts [s, e) of frames a:b where the driving angle, where read, is
    still (centred_speed under max_speed_dps). The hips and shoulders stay put
    while a limb moves into the stretch (pulling the supporting thigh in, 76 ->
    112° in a second on a real supine figure-four, trunk still). A moment of
    movement after which the angle is back within band_deg of where it was,
    shorter than max_gap_s, is floor-pose jitter and bridged, as the hold engine
    bridges it [own]."""
    if drive is None:
        return [(a, b)]
    seg_t, seg_v = times[a:b], drive[a:b]
    with np.errstate(invalid="ignore"):
        still = ~(centred_speed(seg_t, seg_v, params) > params.max_speed_dps)
    still = _bridged(seg_t, still, params.max_gap_s, seg_v, params.band_deg)
    return [(a + s, a + e) for s, e in true_runs(still)]


def _held_alike(values: np.ndarray | None, before: tuple[int, int], after: tuple[int, int], band: float) -> bool:
    """Whether the medians of `values` [N] over the index runs [s, e) `before` and
    `after` are within `band` of each other; True where either is unread."""
    if values is None:
        return True
    meds = []
    for s, e in (before, after):
        v = values[s:e]
        v = v[np.isfinite(v)]
        if not len(v):
            return True
        meds.append(float(np.median(v)))
    return abs(meds[1] - meds[0]) <= band


def unread_holds(exercise: Exercise, times: np.ndarray, vis: np.ndarray, anchors: np.ndarray,
                 sides: dict[str, dict[str, np.ndarray]], found: list[tuple[float, float]],
                 params: HoldParams | None = None) -> list[tuple[str, HoldEvent, list[tuple[str, float]]]]:
    """Still periods of at least min_hold_s, outside the holds `found` ((start,
    end) s), where the stretch position could not be read (see above): (side,
    span, [(landmark unseen, median visibility)]) each, the side being the one
    whose checks were unread longest, then whose own landmarks were unseen. sides: side -> features; vis [N,33];
    anchors [N,2,2] (anchor_points). params: the hold finder's (reps.hold_params: a user target
    under min_hold_s shortens it), else the exercise's."""
    params = params or exercise.hold
    if params is None or not exercise.position:
        return []
    inpos = np.zeros(len(times), bool)
    unread, side_pos = {}, {}
    for side, feats in sides.items():
        side_pos[side] = position_mask(exercise, feats, np.zeros(len(times)))
        inpos |= side_pos[side]
        unread[side] = _side_unread(exercise, feats, side, vis)
    any_unread = np.logical_or.reduce(list(unread.values()))
    # Frames seen in position count with the unread ones: a still period the model
    # reads now in position, now unread (a far leg flickering in and out of sight)
    # was never seen out of position (at least UNREAD_SHARE of it unread).
    still = anchors_still(times, anchors, params)
    mask = steady_position(times, still & (any_unread | inpos), params)
    for s, e in found:
        mask &= ~((times >= s) & (times <= e))
    parts: list[tuple[str, int, int]] = []
    for a0, b0 in true_runs(mask):
        # The side seen in the stretch position longest, then the side unread
        # longest; between equals, the one whose own landmarks are unseen (the
        # crossed leg's ankle, not the other leg's seen from this side; unseen on
        # at least UNREAD_SHARE of the frames, as a far leg flickers).
        side = max(unread, key=lambda k: (round(float(side_pos[k][a0:b0].mean()), 2),
                                          round(float(unread[k][a0:b0].mean()), 1), sum(
            not n.startswith("o_") and float(np.mean(vis[a0:b0, int(landmark(n, k))] <= VIS_MIN)) >= UNREAD_SHARE
            for c in exercise.position for n in c.needs)))
        drive = sides[side].get(exercise.drive)
        for a, b in _drive_still_runs(times, drive, a0, b0, params):
            # Parts of one side a moment apart with the body still in between (a
            # check read out of position for under max_gap_s, as the hold engine
            # bridges) are one; the hips or shoulders moving in between is the
            # body moving (a real double-leg raise's hips between lifts), and so
            # is the driving angle held more than band_deg apart in the two parts
            # (a real supine figure-four uncrossing with the hips still: the
            # supporting thigh held at 105-113° in the hold, 61-72° after; as the
            # hold engine, which bridges a gap only back within its band).
            if parts and parts[-1][0] == side and times[a] - times[parts[-1][2] - 1] <= params.max_gap_s \
                    and still[parts[-1][2]:a].all() and _held_alike(drive, parts[-1][1:], (a, b), params.band_deg):
                a = parts.pop()[1]
            parts.append((side, a, b))
    out = []
    for side, a, b in parts:
        if times[b - 1] - times[a] < params.min_hold_s or float(np.mean(any_unread[a:b] & ~inpos[a:b])) < UNREAD_SHARE:
            continue
        seen: list[tuple[str, float]] = []
        for c in exercise.position:
            for n in c.needs:
                col = vis[a:b, int(landmark(n, side))]
                name = landmark(n, side).name.lower().replace("_", " ").replace("foot index", "toes")
                if float(np.mean(col <= VIS_MIN)) >= UNREAD_SHARE and name not in [x for x, _ in seen]:
                    # its visibility over the hold: the median where always unseen, else the mean
                    v = float(np.median(col)) if float(np.median(col)) <= VIS_MIN else float(np.mean(col))
                    seen.append((name, v))
        out.append((side, HoldEvent(float(times[a]), float(times[b - 1]), int(a), int(b - 1), math.nan), seen))
    return out
