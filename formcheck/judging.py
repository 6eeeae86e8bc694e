"""Grading one rep or hold: its metrics, the faults it shows, and whether the
landmarks each fault reads were seen well enough to judge it.

Offline analysis (`formcheck.analysis`) and the live session (`formcheck.live`)
call the same `event_metrics`, `evidence_gaps` and `judge`, and build the
result records (`formcheck.results`) only in `rep_record` and `hold_record`,
so live and offline agree. Pure numpy.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np

from formcheck.cleaning import VIS_MIN, apply_permutation, gate_visibility
from formcheck.exercises import Exercise
from formcheck.exercises.base import Cond, Fault
from formcheck.features import landmark, other_side
from formcheck.landmarks import PoseTrack
from formcheck.reps import HoldEvent, RepEvent
from formcheck.results import FaultHit, Hold, Rep, metrics_json

__all__ = [
    "event_metrics",
    "judge",
    "form_judged",
    "rep_record",
    "hold_record",
    "Evidence",
    "evidence_from",
    "evidence_gaps",
    "drive_gap",
    "timing_gaps",
    "REP_HOLD_MAX_SPEED",
]

PRE_REST_S = 0.5  # window before a rep used as its rest reference [own]


def _nanstat(x: np.ndarray, how: str) -> float:
    x = x[np.isfinite(x)]
    if len(x) == 0:
        return math.nan
    if how == "median":
        return float(np.median(x))
    return float(np.max(x) if how == "max" else np.min(x))


def _top_slice(drive: np.ndarray, start: int, end: int, rest: float, peak: float) -> np.ndarray:
    """Indices of a rep's top phase: drive within the top quarter of its excursion."""
    idx = np.arange(start, end + 1)
    seg = drive[start:end + 1]
    thr = rest + 0.75 * (peak - rest)
    top = idx[np.isfinite(seg) & (seg >= thr)]
    return top if len(top) else np.array([int(np.argmax(np.nan_to_num(seg, nan=-np.inf))) + start])


# Lift and lowering are timed between 20% and 80% of each rep's own excursion and
# scaled to the full excursion (/0.6): robust to noise at rest and on a flat top
# (10-90% gave false 'rushed' reps on rendered clamshells, docs/accuracy.md), and
# exact for a steady movement [own].
PHASE_LO, PHASE_HI = 0.2, 0.8
PHASE_LOOKBACK_S = 3.0


def _phase_times(times: np.ndarray, drive: np.ndarray, ev: RepEvent) -> tuple[float, float]:
    """(lift s, lowering s) of one rep, timed on its own excursion, so that a small
    rep is not mistaken for a rushed one."""
    amp = ev.peak_value - ev.rest_value
    lo, hi = ev.rest_value + PHASE_LO * amp, ev.rest_value + PHASE_HI * amp
    # Look back up to PHASE_LOOKBACK_S before the engine's start: a small rep leaves
    # its own 10% level before it crosses the calibrated start level.
    s = int(np.searchsorted(times, times[ev.start_i] - PHASE_LOOKBACK_S))
    e = min(ev.end_i, len(drive) - 1)
    seg = drive[s:e + 1]
    t = times[s:e + 1]
    ok = np.isfinite(seg)
    above = np.flatnonzero(ok & (seg >= hi) & (np.arange(s, e + 1) >= ev.start_i))
    if len(above) == 0:
        return float(ev.peak_t - ev.start_t), float(ev.end_t - ev.peak_t)
    first_hi, last_hi = above[0], above[-1]
    below_before = np.flatnonzero(ok[:first_hi] & (seg[:first_hi] <= lo))
    below_after = np.flatnonzero(ok[last_hi:] & (seg[last_hi:] <= lo))
    t_lo_up = t[below_before[-1]] if len(below_before) else t[0]
    t_lo_down = t[last_hi + below_after[0]] if len(below_after) else t[-1]
    scale = 1.0 / (PHASE_HI - PHASE_LO)
    return float((t[first_hi] - t_lo_up) * scale), float((t_lo_down - t[last_hi]) * scale)


# A still hold survives landmark jitter: frames moving faster than the limit for
# up to 0.3 s between still ones, with the leg staying in the top phase, do not
# break it (clinical-criteria.md 4: tolerate gaps of <= 0.3 s).
HOLD_GAP_S = 0.3


def _still_time(times: np.ndarray, drive: np.ndarray, idx: np.ndarray, max_speed: float) -> float:
    """Longest still stretch of the top phase (idx: its frames): from the first to
    the last of a run of frames moving slower than max_speed (°/s), where the run
    may skip faster frames for up to HOLD_GAP_S but not leave the top phase."""
    if len(idx) < 2:
        return 0.0
    t, v = times[idx], drive[idx]
    speed = np.abs(np.gradient(v, t))
    still = speed <= max_speed
    best = 0.0
    run_start: float | None = None
    last_still: float | None = None
    for k in range(len(idx)):
        contiguous = k > 0 and idx[k] == idx[k - 1] + 1
        if not contiguous:
            run_start = last_still = None
        if still[k]:
            if run_start is None or last_still is None or t[k] - last_still > HOLD_GAP_S + 1e-9:
                run_start = t[k]
            last_still = t[k]
            best = max(best, last_still - run_start)
    return float(best)


# A hold at the top of a rep counts while the leg moves slower than 10°/s
# [clinical-criteria.md 3.4: time with |dθ/dt| < 10°/s at top].
REP_HOLD_MAX_SPEED = 10.0
# A rep of an exercise that does not time its top (rep_hold) still says how long
# the top was held when it was held this long: as long as the shortest held
# stretch (reps.HoldParams.min_hold_s). A real fire hydrant lifted once and held
# 9 s read as a plain rep (s28); its knee wobbled out and in by 17° while held,
# so the top is timed from first reaching PHASE_HI of the rep's excursion to
# last leaving it, the leg staying above half of it in between [own].
HELD_TOP_S = 3.0


def _top_span(times: np.ndarray, drive: np.ndarray, ev: RepEvent) -> float:
    """How long (s) the rep stayed at its top (see HELD_TOP_S); 0 where it came
    half-way down in between."""
    amp = ev.peak_value - ev.rest_value
    seg, t = drive[ev.start_i:ev.end_i + 1], times[ev.start_i:ev.end_i + 1]
    with np.errstate(invalid="ignore"):
        high = np.flatnonzero(seg >= ev.rest_value + PHASE_HI * amp)
        if len(high) == 0 or np.any(seg[high[0]:high[-1] + 1] < ev.rest_value + 0.5 * amp):
            return 0.0
    return float(t[high[-1]] - t[high[0]])


def event_metrics(exercise: Exercise, feats: dict[str, np.ndarray], drive: np.ndarray, times: np.ndarray,
                  ev: RepEvent | HoldEvent, range_deg: float | None = None) -> dict[str, float]:
    """Metrics of one rep or hold: the exercise's reduced features plus the
    engine's own event metrics (see EVENT_METRICS)."""
    out: dict[str, float] = {}
    s, e = ev.start_i, ev.end_i
    if isinstance(ev, RepEvent):
        top = _top_slice(drive, s, e, ev.rest_value, ev.peak_value)
        pre = np.flatnonzero((times >= times[s] - PRE_REST_S) & (np.arange(len(times)) <= s))
        up, down = _phase_times(times, drive, ev)
        out.update(peak_deg=ev.peak_value, range_deg=ev.amplitude, range_share=ev.p_peak,
                   up_s=up, down_s=down, min_phase_s=min(up, down), duration_s=ev.duration_s)
        held = math.nan if exercise.rep_hold else _top_span(times, drive, ev)
        if exercise.rep_hold:
            out["hold_s"] = _still_time(times, drive, top, REP_HOLD_MAX_SPEED)
        elif held >= HELD_TOP_S:
            out["hold_s"] = held
    else:
        top = np.arange(s, e + 1)
        pre = top[:1]
        out.update(duration_s=ev.duration_s, drive_deg=ev.value)
    whole = np.arange(s, e + 1)
    for m in exercise.metrics:
        f = feats[m.feature]
        r = m.reduce
        if r.startswith("top_"):
            val = _nanstat(f[top], r[4:])
        elif r.startswith("rep_") or r.startswith("hold_"):
            val = _nanstat(f[whole], r.split("_", 1)[1])
        else:  # change / abs_change
            val = _nanstat(f[top], "median") - _nanstat(f[pre], "median")
            if r == "abs_change":
                val = abs(val)
        out[m.name] = val
    return {k: float(v) for k, v in out.items()}


def judge(exercise: Exercise, metrics: dict[str, float], view: str | None,
          hold_target_s: float | None = None,
          untrusted: dict[str, str] | None = None) -> tuple[list[FaultHit], dict[str, str]]:
    """Faults for one rep or hold, and the codes that could not be judged, each
    with the reason: the view cannot see it, its landmarks were not visible, or
    (`untrusted`, from evidence_gaps) they were not seen well enough."""
    faults: list[FaultHit] = []
    unjudged: dict[str, str] = {}
    untrusted = untrusted or {}
    for f in exercise.faults:
        if f.views is not None and view is not None and view not in f.views:
            unjudged[f.code] = "this camera view cannot see it"
            continue
        if f.code in untrusted:
            unjudged[f.code] = untrusted[f.code]
            continue
        misread = next((metrics[c.metric] for c in f.unread_when
                        if math.isfinite(metrics.get(c.metric, math.nan)) and c.holds(metrics[c.metric])), None)
        if misread is not None:
            unjudged[f.code] = f.unread_why.format(value=misread)
            continue
        seen = False
        unsure = None
        for c in f.when:
            val = metrics.get(c.metric, math.nan)
            if not math.isfinite(val):
                continue
            seen = True
            if c.clearly(val, hold_target_s):
                if f.confirmed(metrics):
                    faults.append(FaultHit(f.code, f.cue, f.severity, round(val, 3), c.limit_for(hold_target_s)))
                break
            if c.holds(val, hold_target_s) and unsure is None:
                unsure = _within_error(c, val, hold_target_s)
        else:
            if not seen:
                unjudged[f.code] = "its landmarks were not visible"
            elif unsure is not None:
                unjudged[f.code] = unsure
    # A fault is reported at most once per event.
    uniq = {f.code: f for f in faults}
    return list(uniq.values()), unjudged


def _within_error(c: Cond, value: float, target_s: float | None) -> str:
    """Why a value just past its limit is no evidence of the fault."""
    if c.metric.endswith("_deg"):
        unit, read = "°", f"{value:.0f}"
    elif c.metric.endswith("_s"):
        unit, read = " s", f"{value:.1f}"
    else:  # a ratio (× shank)
        unit, read = "", f"{value:.2f}"
    return (f"it read {read}{unit}, within the pose model's error (about {c.margin:g}{unit}) of the "
            f"{c.limit_for(target_s):g}{unit} limit")


def form_judged(exercise: Exercise, unjudged: dict[str, str] | list[str]) -> bool:
    """Whether any posture fault (one read from landmarks, not only from the
    timing and range of the movement) was judged: 'good form' needs one."""
    return any(f.needs and f.code not in unjudged for f in exercise.faults)


def rep_record(exercise: Exercise, index: int, set_no: int, side: str, ev: RepEvent, metrics: dict[str, float],
               faults: list[FaultHit], unjudged: list[str]) -> Rep:
    """One graded rep as the report gives it (times to 1 ms, metrics rounded);
    offline and live build reps only here."""
    return Rep(index=index, set=set_no, side=side, start_s=round(ev.start_t, 3), peak_s=round(ev.peak_t, 3),
               end_s=round(ev.end_t, 3), hold_s=round(metrics["hold_s"], 2) if "hold_s" in metrics else None,
               partial=ev.partial, metrics=metrics_json(metrics), faults=tuple(faults), unjudged=tuple(unjudged),
               form_judged=form_judged(exercise, unjudged))


def hold_record(exercise: Exercise, side: str, ev: HoldEvent, target_s: float | None, metrics: dict[str, float],
                faults: list[FaultHit], unjudged: list[str], position_checked: bool = True,
                other_leg: str = "one") -> Hold:
    """One graded hold as the report gives it; offline and live build holds only here.
    A hold that stretched both legs at once has no other side to hold in turn: its
    faults take their cue for both legs (Fault.cue_both_legs)."""
    if other_leg == "both":
        both = {f.code: f.cue_both_legs for f in exercise.faults if f.cue_both_legs}
        faults = [replace(h, message=both.get(h.code, h.message)) for h in faults]
    return Hold(side=side, start_s=round(ev.start_t, 3), end_s=round(ev.end_t, 3), duration_s=round(ev.duration_s, 2),
                target_s=target_s, metrics=metrics_json(metrics), faults=tuple(faults), unjudged=tuple(unjudged),
                form_judged=form_judged(exercise, unjudged), position_checked=position_checked,
                other_leg=other_leg)


# ---- evidence: are a fault's landmarks seen well enough to judge it? ----------------

# A fault is judged only where each landmark it reads was seen (visibility above
# VIS_MIN) in at least 70% of the event's frames, its left/right labels needed
# repair in at most 20% of them, and the 3D segments between them kept their
# length: the event's median within 0.75-1.33 of the clip's median and the
# 90th/10th percentile ratio within the event under 1.35 (a limb whose length
# changes is being misplaced, not moved) [own defaults].
EVIDENCE_MIN_SEEN = 0.7
EVIDENCE_MAX_SWAPPED = 0.2
EVIDENCE_SEGMENT_RATIO = (0.75, 1.33)
EVIDENCE_SEGMENT_SPREAD = 1.35
_SEGMENTS = (("hip", "knee", "thigh"), ("knee", "ankle", "shank"), ("shoulder", "hip", "trunk"))


# A planar fault (an angle read on screen along hip-knee-ankle) is judged only
# where that leg's shank/thigh length ratio on screen, over the event, stays
# within 0.8-1.25 of its median over the clip: the leg lies in the image plane as
# it usually does. A leg turned 37° out of the plane shortens a segment by 20%
# (cos 37° = 0.8), which is also where a read knee angle starts to bend by more
# than the estimator's 4-8° (clinical-criteria.md §1) [own]. Measured: the real
# straight leg raise's straight knee read 20° bent while its shank read 0.70 of
# the thigh against 1.05 at rest.
EVIDENCE_PLANAR_RATIO = (0.8, 1.25)


@dataclass(frozen=True)
class Evidence:
    """What the pose model reported, after left/right label repair, for the
    evidence checks: vis [N,33] raw visibility, swapped [N,33] True where the
    landmark's label was repaired, world [N,33,3] raw metric points (NaN unseen),
    px [N,33,2] raw points on screen in pixels (NaN unseen; None: not kept)."""

    vis: np.ndarray
    swapped: np.ndarray
    world: np.ndarray
    px: np.ndarray | None = None


def evidence_from(track: PoseTrack, perm: np.ndarray) -> Evidence:
    """Evidence of a raw track given the cleaning's label permutation perm [N,33]."""
    return Evidence(vis=apply_permutation(track.vis, perm), swapped=perm != np.arange(perm.shape[1]),
                    world=apply_permutation(gate_visibility(track.world, track.vis), perm),
                    px=apply_permutation(gate_visibility(track.px, track.vis), perm))


def _pretty(name: str, side: str) -> str:
    return landmark(name, side).name.lower().replace("_", " ").replace("foot index", "toes")


def _segment_lengths(world: np.ndarray, a: int, b: int) -> np.ndarray:
    return np.linalg.norm(world[:, a] - world[:, b], axis=-1)


def evidence_gaps(faults: tuple[Fault, ...], side: str, start: int, end: int, evd: Evidence,
                  what: str = "rep", drive_needs: tuple[str, ...] = ()) -> dict[str, str]:
    """Fault code -> why its landmarks cannot be trusted over frames start..end
    (inclusive); codes whose landmarks were seen well are absent. A fault with no
    landmarks of its own (read from the drive's range or timing) is checked on
    the drive's landmarks, `drive_needs` (Exercise.drive_needs)."""
    out: dict[str, str] = {}
    sl = slice(start, end + 1)
    n = max(1, end + 1 - start)
    for f in faults:
        needs = f.needs or drive_needs
        if not needs:
            continue
        reason = None
        idx = {name: int(landmark(name, side)) for name in needs}
        for name, j in idx.items():
            seen = float(np.sum(evd.vis[sl, j] > VIS_MIN)) / n
            if seen < EVIDENCE_MIN_SEEN:
                reason = f"the {_pretty(name, side)} was seen in only {seen:.0%} of the {what}'s frames"
                break
        if reason is None:
            swapped = float(np.mean(evd.swapped[sl][:, list(idx.values())].any(axis=1)))
            if swapped > EVIDENCE_MAX_SWAPPED:
                reason = f"the pose model mixed up your left and right in {swapped:.0%} of the {what}'s frames"
        if reason is None:
            for o in ("", "o_"):
                for a, b, label in _SEGMENTS:
                    if o + a not in idx or o + b not in idx:
                        continue
                    length = _segment_lengths(evd.world, idx[o + a], idx[o + b])
                    here = length[sl]
                    here, whole = here[np.isfinite(here)], length[np.isfinite(length)]
                    if len(here) < 3 or len(whole) < 3:
                        continue
                    ratio = float(np.median(here) / np.median(whole))
                    p10, p90 = np.percentile(here, [10, 90])
                    spread = float(p90 / p10) if p10 > 0 else math.inf
                    leg = side if o == '' else other_side(side)
                    who, misplaced = f"{leg} {label}", f"the pose model misplaced your {leg} {a} or {b}"
                    if not EVIDENCE_SEGMENT_RATIO[0] <= ratio <= EVIDENCE_SEGMENT_RATIO[1]:
                        reason = (f"{misplaced}: your {who} read {abs(ratio - 1):.0%} "
                                  f"{'longer' if ratio > 1 else 'shorter'} than in the rest of the clip")
                    elif spread > EVIDENCE_SEGMENT_SPREAD:
                        reason = f"{misplaced}: your {who}'s length changed by {spread - 1:.0%} during the {what}"
                    if reason:
                        break
                if reason:
                    break
        if reason is None and {"hip", "o_hip"} & set(idx):
            reason = _hips_hidden_gap(start, end, evd, what)
        if reason is None and f.planar and evd.px is not None:
            reason = _planar_gap(side, start, end, evd, what)
        if reason is None and f.in_plane:
            reason = _in_plane_gap(f.in_plane, side, start, end, evd, what)
        if reason is None and f.near_leg:
            reason = _far_leg_gap(side, start, end, evd, what)
        if reason is not None:
            out[f.code] = reason
    return out


# A stand-in rule read from the driving angle's landmarks alone (Exercise.drive_needs),
# for asking whether the count itself rests on landmarks the pose model saw.
_DRIVE_ONLY = Fault("count", (), cue="", label="", source="")


def drive_gap(side: str, start: int, end: int, evd: Evidence, what: str = "rep",
              drive_needs: tuple[str, ...] = ()) -> str | None:
    """Why the landmarks of the driving angle (drive_needs) cannot be trusted over
    frames start..end, as evidence_gaps says it for a fault read from them; None
    where they were seen well or the exercise names none."""
    if not drive_needs:
        return None
    return evidence_gaps((_DRIVE_ONLY,), side, start, end, evd, what, drive_needs).get(_DRIVE_ONLY.code)


def _planar_gap(side: str, start: int, end: int, evd: Evidence, what: str) -> str | None:
    """Why a leg's on-screen hip-knee-ankle angle cannot be trusted over frames
    start..end (its shank/thigh proportion is off its usual), or None."""
    assert evd.px is not None
    sl = slice(start, end + 1)
    for leg in (side, other_side(side)):
        h, k, a = (int(landmark(n, leg)) for n in ("hip", "knee", "ankle"))
        with np.errstate(invalid="ignore", divide="ignore"):
            ratio = _segment_lengths(evd.px, k, a) / _segment_lengths(evd.px, h, k)
        here, whole = ratio[sl], ratio
        here, whole = here[np.isfinite(here)], whole[np.isfinite(whole)]
        if len(here) < 3 or len(whole) < 10:
            continue
        rel = float(np.median(here) / np.median(whole))
        if not EVIDENCE_PLANAR_RATIO[0] <= rel <= EVIDENCE_PLANAR_RATIO[1]:
            return (f"the {leg} shank read {abs(rel - 1):.0%} {'longer' if rel > 1 else 'shorter'} against the thigh "
                    f"than usual during the {what} (the leg was turned out of the camera's view plane, or its knee "
                    f"was misplaced), so its bend cannot be read")
    return None


# An angle read on screen at the hip or trunk (Fault.in_plane) is judged only
# where each segment it is made of lies across the camera's view: over the event,
# the median share of the segment's 3D length (world landmarks, whose x and y
# axes are the image's) that shows on screen is at least 0.8. A segment turned
# 37° toward or away from the camera keeps cos 37° = 0.8 of its length: the same
# limit as the knee's planar check above [own]. How far a turned segment bends the
# angle read depends on the pose; the real clip below read 64° for a thigh pulled
# in past 80° (its other, side-on hold read 94°), i.e. far beyond the 10° margin
# of the hip and trunk faults (clinical-criteria.md §1). Measured on real footage (benchmarks/
# real_footage.py; the first clip below was looked at while tuning): a supine
# figure-four filmed obliquely, its supporting thigh visibly pulled in but read
# at 64°, showed its trunk at 0.61; the other 8 real figure-four and running-
# lunge holds showed trunk and thigh at 0.91-1.00; of 8 hamstring-stretch holds
# one seated fold's trunk read 0.75 (its back_rounded, labelled unsure, is now
# unjudged), the others 0.87-1.00.
EVIDENCE_IN_PLANE_MIN = 0.8
_SEGMENT_NAMES = {frozenset(("shoulder", "hip")): "trunk (shoulder to hip)",
                  frozenset(("hip", "knee")): "thigh (hip to knee)",
                  frozenset(("knee", "ankle")): "shin (knee to ankle)"}


def _segment_name(a: str, b: str, side: str) -> str:
    """'left trunk (shoulder to hip)' for ('o_shoulder', 'o_hip') on the right side."""
    base = a.removeprefix("o_")
    if base == b.removeprefix("o_") and a != b:
        first = other_side(side) if a.startswith("o_") else side
        return f"{base} line ({first} {base} to {other_side(first)} {base})"
    name = _SEGMENT_NAMES.get(frozenset((base, b.removeprefix("o_"))))
    if name is None or a.startswith("o_") != b.startswith("o_"):
        return f"{_pretty(a, side)} to {_pretty(b, side)} line"
    return f"{other_side(side) if a.startswith('o_') else side} {name}"


def _in_plane_share(world: np.ndarray, a: int, b: int) -> np.ndarray:
    """Per frame, the share of segment a-b's 3D length that lies across the
    camera's view (1: flat in the image plane; 0: pointing at the camera)."""
    d = world[:, a] - world[:, b]
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.linalg.norm(d[:, :2], axis=-1) / np.linalg.norm(d, axis=-1)


def _in_plane_gap(segments: tuple[tuple[str, str], ...], side: str, start: int, end: int, evd: Evidence,
                  what: str) -> str | None:
    """Why an angle made of these segments cannot be read on screen over frames
    start..end (one of them pointed toward or away from the camera), or None."""
    sl = slice(start, end + 1)
    for a, b in segments:
        share = _in_plane_share(evd.world[sl], int(landmark(a, side)), int(landmark(b, side)))
        share = share[np.isfinite(share)]
        if len(share) < 3:
            continue
        med = float(np.median(share))
        if med < EVIDENCE_IN_PLANE_MIN:
            # The line across the body (hip to hip): a sideways movement along it, or its
            # tilt, is read square-on from behind or in front, not at an angle.
            so = ("a movement along it or a tilt of it cannot be told from a turn toward or away from the camera "
                  "(film square-on from behind you)" if a.removeprefix("o_") == b.removeprefix("o_")
                  else "the angle it makes there is not your body's (film from the side)")
            return (f"your {_segment_name(a, b, side)} pointed toward or away from the camera during the {what}: only "
                    f"{med:.0%} of its length showed on screen, so {so}")
    return None


# A fault read along the working leg (Fault.near_leg) is judged only where that
# leg is not the far one from the camera: over the event, the median share of the
# hip line's 3D length that points away from the camera from the other hip to this
# one (world landmarks' z, the camera's depth axis) stays under 0.5, i.e. the hip
# line is turned less than 30° (sin 30° = 0.5) toward the camera with this side
# behind [own]. Past that the far knee and ankle are behind the near leg and the
# pose model guesses them. Measured on own randomised renders (benchmarks/
# randomised_renders.py, the seeds tuned on): side views read 0.80-0.99, end views
# -0.71 to +0.59 (median over the clip); a donkey kick filmed with its working leg
# far (0.90) read its 90° knee at 106-115° on every rep, the same leg filmed near
# (another seed) at 90-100°.
EVIDENCE_FAR_HIP_SHARE = 0.5


def _far_leg_gap(side: str, start: int, end: int, evd: Evidence, what: str) -> str | None:
    """Why this side's knee and ankle cannot be read over frames start..end (this
    leg was behind the other one, seen from the side), or None."""
    sl = slice(start, end + 1)
    d = evd.world[sl, int(landmark("hip", side))] - evd.world[sl, int(landmark("o_hip", side))]
    with np.errstate(invalid="ignore", divide="ignore"):
        share = d[:, 2] / np.linalg.norm(d, axis=-1)
    share = share[np.isfinite(share)]
    if len(share) < 3:
        return None
    med = float(np.median(share))
    if med < EVIDENCE_FAR_HIP_SHARE:
        return None
    return (f"your {side} leg was the far one from the camera during the {what}, behind your {other_side(side)} "
            f"leg, so the pose model had to guess its knee and ankle (turn round so that the working leg is "
            f"nearer the camera)")


# Faults (and, through Exercise.drive_needs, the range of a rep) read from the
# hips are judged only where the hips were not behind the upper body: over the
# event, the median share of the trunk's 3D length (mid-hip to mid-shoulder)
# pointing from the hips toward the camera stays under 0.7, i.e. the trunk is
# not within 45° (cos 45° = 0.71) of the camera's line of sight with the
# shoulders in front [own]. Filmed from the head end on all fours, the chest and
# head hide the hips and the pose model guesses them. Measured on own randomised
# renders (the seeds tuned on): a fire hydrant from the head end read +0.95 (its
# 55° lifts read 12-33°, 6 false short_range of 7 reps); side views -0.29 to
# +0.32, feet-end views -0.61 to -0.95 (the hips in front).
EVIDENCE_HIPS_BEHIND_SHARE = 0.7


def _mid_point(world: np.ndarray, name: str) -> np.ndarray:
    """[N,3] midpoint of the left and right landmark, either one where only one is seen."""
    a, b = world[:, int(landmark(name, "left"))], world[:, int(landmark(name, "right"))]
    return np.where(np.isfinite(a) & np.isfinite(b), (a + b) / 2, np.where(np.isfinite(a), a, b))


def _hips_hidden_gap(start: int, end: int, evd: Evidence, what: str) -> str | None:
    """Why the hips cannot be read over frames start..end (the chest and head were
    between them and the camera), or None."""
    w = evd.world[start:end + 1]
    d = _mid_point(w, "shoulder") - _mid_point(w, "hip")
    with np.errstate(invalid="ignore", divide="ignore"):
        toward = -d[:, 2] / np.linalg.norm(d, axis=-1)
    toward = toward[np.isfinite(toward)]
    if len(toward) < 3:
        return None
    med = float(np.median(toward))
    if med <= EVIDENCE_HIPS_BEHIND_SHARE:
        return None
    return (f"your chest and head were between the camera and your hips during the {what}, so the pose model had "
            f"to guess where your hips and thighs were (film from the side or from your feet end)")


# The top hold of a rep is timed only if the lift was seen: a rep that starts
# high (its rest level at a quarter of its top or more) within 3 s of the leg
# being at its top level began where the pose model lost the leg mid-hold and
# found it again, so the hold before the drop went unseen (real straight leg
# raise: a 5.7 s hold read as 1.9 s after the model read the raised leg at 29°
# for 2.4 s) [own].
HOLD_LOST_LOOKBACK_S = 3.0
HOLD_LOST_REST_SHARE = 0.25
# ... nor is a rep whose drive, between its first and last frames at the top
# (within a quarter of the range from the peak), falls below half the range and
# comes back: the pose model lost the raised leg mid-hold (the same real raise,
# once the lowered leg is read while the other one is up, is one rep whose leg
# read 29° for 2.2 s in the middle). The faults read from that leg's landmarks
# are not judged either: for those seconds they were misplaced [own].
HOLD_DROP_SHARE = 0.5


def _dropped_mid_hold(drive: np.ndarray, ev: RepEvent) -> float | None:
    """The lowest drive value between the rep's first and last frames at its top,
    if it fell below HOLD_DROP_SHARE of the range there (else None)."""
    seg = drive[ev.start_i:ev.end_i + 1]
    with np.errstate(invalid="ignore"):
        top = np.flatnonzero(seg >= ev.peak_value - 0.25 * ev.amplitude)
    if len(top) < 2 or ev.amplitude <= 0:
        return None
    mid = seg[top[0]:top[-1] + 1]
    low = float(np.nanmin(mid)) if np.isfinite(mid).any() else math.nan
    return low if low < ev.rest_value + HOLD_DROP_SHARE * ev.amplitude else None


def timing_gaps(exercise: Exercise, times: np.ndarray, drive: np.ndarray, ev: RepEvent | HoldEvent) -> dict[str, str]:
    """Fault code -> why the top hold of this rep cannot be timed; empty when it can."""
    if not isinstance(ev, RepEvent) or not exercise.rep_hold:
        return {}
    codes = [f.code for f in exercise.faults if any(c.metric == "hold_s" for c in f.when)]
    if not codes:
        return {}
    dropped = _dropped_mid_hold(drive, ev)
    if dropped is not None:
        why = (f"the leg read {dropped:.0f}° in the middle of its top hold and then was up again (the pose model "
               f"lost it mid-hold), so the hold could not be timed nor the leg's form read")
        leg = {"hip", "knee", "ankle"}
        return {f.code: why for f in exercise.faults if f.code in codes or leg & set(f.needs)}
    if not (ev.peak_value > 0 and ev.rest_value >= HOLD_LOST_REST_SHARE * ev.peak_value):
        return {}
    before = (times >= times[ev.start_i] - HOLD_LOST_LOOKBACK_S) & (np.arange(len(times)) < ev.start_i)
    top = ev.rest_value + 0.75 * ev.amplitude
    with np.errstate(invalid="ignore"):
        up = before & (drive >= top)
    if not up.any():
        return {}
    last = float(times[np.flatnonzero(up)[-1]])
    why = (f"the leg was already up {times[ev.start_i] - last:.1f} s before this rep began and read "
           f"{ev.rest_value:.0f}° in between (the pose model lost it mid-hold), so the hold could not be timed")
    return {c: why for c in codes}
