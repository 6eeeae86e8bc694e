"""From a pose track to reps, holds and faults: the analysis core.

Pure functions over numpy arrays; no OpenCV, MediaPipe or Streamlit here. The
live path (`formcheck.live`) calls the same `event_metrics` and `judge` on
buffers it fills frame by frame, and the same step functions from
`formcheck.reps`, so live and offline agree.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from formcheck.cleaning import VIS_MIN, apply_permutation, clean_track_perm, gate_visibility
from formcheck.errors import NoPersonError
from formcheck.exercises import Exercise
from formcheck.exercises.base import EVENT_METRICS, Fault
from formcheck.features import SIDES, Joints, landmark
from formcheck.landmarks import PoseTrack
from formcheck.reps import HoldEvent, RepEvent, refine_holds, run_holds, run_reps, split_sets
from formcheck.results import FaultHit, Hold, Rep, metrics_json
from formcheck.views import VIEW_LABELS, clip_view

__all__ = [
    "AnalysisOptions",
    "side_features",
    "drive_signal",
    "event_metrics",
    "judge",
    "Evidence",
    "evidence_from",
    "evidence_gaps",
    "resolve_overlap",
    "form_judged",
    "position_mask",
    "explain_no_hold",
    "clip_warnings",
    "main_person",
    "analyze_track",
    "MIN_COVERAGE",
    "losses_per_min",
]

# Below this share of frames with a person the report warns that results are
# unreliable [own].
MIN_COVERAGE = 0.6
# The pose model "flickers" when it cannot follow a pose from the camera's angle:
# it loses the person many times a minute while they stay in view. Measured on
# rendered side-lying clamshells filmed from the feet end: 80-120 losses a
# minute and 57-70% coverage, with wrong counts and false faults; from the front:
# none (docs/accuracy.md). Past both limits the report warns and judges no
# faults rather than guess [own defaults].
MAX_LOSSES_PER_MIN = 30.0
FLICKER_COVERAGE = 0.85
PRE_REST_S = 0.5  # window before a rep used as its rest reference [own]


@dataclass(frozen=True)
class AnalysisOptions:
    side: str = "auto"  # auto | left | right
    hold_target_s: float | None = None  # overrides the exercise's hold target
    clean: bool = True


def side_features(exercise: Exercise, joints: Joints) -> dict[str, np.ndarray]:
    """Every feature of the exercise for one working side: name -> [N]."""
    return {name: np.asarray(fn(joints), float) for name, fn in exercise.features.items()}


def drive_signal(exercise: Exercise, feats: dict[str, np.ndarray]) -> np.ndarray:
    """The driving angle [N], NaN where this side is not the working side."""
    drive = feats[exercise.drive]
    if exercise.active is not None:
        act = feats[exercise.active]
        drive = np.where(act > 0.5, drive, np.nan)
    return drive


def _nanstat(x: np.ndarray, how: str) -> float:
    x = x[np.isfinite(x)]
    if len(x) == 0:
        return math.nan
    return float({"median": np.median, "max": np.max, "min": np.min}[how](x))


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


def _still_time(times: np.ndarray, drive: np.ndarray, idx: np.ndarray, max_speed: float) -> float:
    """Longest run of consecutive top-phase frames moving slower than max_speed (°/s)."""
    if len(idx) < 2:
        return 0.0
    t, v = times[idx], drive[idx]
    speed = np.abs(np.gradient(v, t))
    best = cur = 0.0
    for k in range(1, len(idx)):
        if idx[k] == idx[k - 1] + 1 and speed[k] <= max_speed and speed[k - 1] <= max_speed:
            cur += t[k] - t[k - 1]
            best = max(best, cur)
        else:
            cur = 0.0
    return float(best)


# A hold at the top of a rep counts while the leg moves slower than 10°/s
# [clinical-criteria.md 3.4: time with |dθ/dt| < 10°/s at top].
REP_HOLD_MAX_SPEED = 10.0


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
        if exercise.rep_hold:
            out["hold_s"] = _still_time(times, drive, top, REP_HOLD_MAX_SPEED)
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
        seen = False
        for c in f.when:
            limit = c.limit
            if c.metric == "duration_s" and exercise.kind == "hold" and hold_target_s is not None:
                limit = hold_target_s
            if c.metric == "hold_s" and exercise.rep_hold and hold_target_s is not None:
                limit = hold_target_s
            val = metrics.get(c.metric, math.nan)
            if not math.isfinite(val):
                continue
            seen = True
            if (val > limit) if c.op == ">" else (val < limit):
                faults.append(FaultHit(f.code, f.cue, f.severity, round(val, 3), limit))
                break
        if not seen:
            unjudged[f.code] = "its landmarks were not visible"
    # A fault is reported at most once per event.
    uniq = {f.code: f for f in faults}
    return list(uniq.values()), unjudged


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
                faults: list[FaultHit], unjudged: list[str]) -> Hold:
    """One graded hold as the report gives it; offline and live build holds only here."""
    return Hold(side=side, start_s=round(ev.start_t, 3), end_s=round(ev.end_t, 3), duration_s=round(ev.duration_s, 2),
                target_s=target_s, metrics=metrics_json(metrics), faults=tuple(faults), unjudged=tuple(unjudged),
                form_judged=form_judged(exercise, unjudged))


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


@dataclass(frozen=True)
class Evidence:
    """What the pose model reported, after left/right label repair, for the
    evidence checks: vis [N,33] raw visibility, swapped [N,33] True where the
    landmark's label was repaired, world [N,33,3] raw metric points (NaN unseen)."""

    vis: np.ndarray
    swapped: np.ndarray
    world: np.ndarray


def evidence_from(track: PoseTrack, perm: np.ndarray) -> Evidence:
    """Evidence of a raw track given the cleaning's label permutation perm [N,33]."""
    return Evidence(vis=apply_permutation(track.vis, perm), swapped=perm != np.arange(perm.shape[1]),
                    world=apply_permutation(gate_visibility(track.world, track.vis), perm))


def _pretty(name: str, side: str) -> str:
    return landmark(name, side).name.lower().replace("_", " ").replace("foot index", "toes")


def _segment_lengths(world: np.ndarray, a: int, b: int) -> np.ndarray:
    return np.linalg.norm(world[:, a] - world[:, b], axis=-1)


def evidence_gaps(faults: tuple[Fault, ...], side: str, start: int, end: int, evd: Evidence,
                  what: str = "rep") -> dict[str, str]:
    """Fault code -> why its landmarks cannot be trusted over frames start..end
    (inclusive); codes whose landmarks were seen well are absent."""
    out: dict[str, str] = {}
    sl = slice(start, end + 1)
    n = max(1, end + 1 - start)
    for f in faults:
        if not f.needs:
            continue
        reason = None
        idx = {name: int(landmark(name, side)) for name in f.needs}
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
                    who = f"{(side if o == '' else ('right' if side == 'left' else 'left'))} {label}"
                    if not EVIDENCE_SEGMENT_RATIO[0] <= ratio <= EVIDENCE_SEGMENT_RATIO[1]:
                        reason = (f"the {who} read {abs(ratio - 1):.0%} {'longer' if ratio > 1 else 'shorter'} "
                                  f"than in the rest of the clip (landmarks misplaced)")
                    elif spread > EVIDENCE_SEGMENT_SPREAD:
                        reason = f"the {who}'s length changed by {spread - 1:.0%} during the {what} (landmarks misplaced)"
                    if reason:
                        break
                if reason:
                    break
        if reason is not None:
            out[f.code] = reason
    return out


# Two reps of opposite legs overlapping by more than this share of the shorter one
# cannot both be real: one leg works while the other supports (a mirror image, or
# the support leg dragged along by the pose model) [own].
OVERLAP_SHARE = 0.25


def _overlap(a: RepEvent | HoldEvent, b: RepEvent | HoldEvent) -> float:
    inter = min(a.end_t, b.end_t) - max(a.start_t, b.start_t)
    shorter = max(1e-6, min(a.end_t - a.start_t, b.end_t - b.start_t))
    return inter / shorter


def resolve_overlap(kept: list[tuple[str, RepEvent]], new: tuple[str, RepEvent]) -> tuple[list[tuple[str, RepEvent]], bool]:
    """Add a newly finished rep (side, event) to the kept reps, unless it overlaps
    reps of the other leg in time: then the side with more reps so far keeps its
    rep (ties: the larger movement). Returns (kept reps, whether `new` was kept).
    The same rule runs offline (reps in order of their end) and live."""
    side, ev = new
    clash = [k for k, (s, e) in enumerate(kept) if s != side and _overlap(e, ev) > OVERLAP_SHARE]
    if not clash:
        return kept + [new], True
    rest = [kept[k] for k in range(len(kept)) if k not in clash]
    mine = sum(1 for s, _ in rest if s == side)
    theirs = sum(1 for s, _ in rest if s != side)
    if mine > theirs or (mine == theirs and ev.amplitude > max(kept[k][1].amplitude for k in clash)):
        return rest + [new], True
    return kept, False


def _sides(options: AnalysisOptions) -> tuple[str, ...]:
    if options.side in ("left", "right"):
        return (options.side,)
    if options.side != "auto":
        raise ValueError(f"side: expected auto, left or right, got {options.side!r}")
    return SIDES


def _view_warnings(exercise: Exercise, view: str | None, unjudged: set[str]) -> list[str]:
    warnings = []
    if view is None:
        warnings.append("Could not tell the camera view; faults that need a particular view were not judged.")
    elif view not in exercise.views:
        warnings.append(
            f"This clip looks filmed {VIEW_LABELS[view]}, which cannot see a {exercise.title.lower()} well. "
            f"{exercise.camera_tip}")
    for f in exercise.faults:
        if f.code in unjudged and f.views is not None and view is not None and view not in f.views:
            where = " or ".join(VIEW_LABELS[v] for v in f.views if v in VIEW_LABELS and v != "oblique")
            warnings.append(f"'{f.code}' ({f.label.lower()}) was not checked: this view cannot see it. "
                            f"Film {where} to check it.")
    return warnings


def losses_per_min(detected: np.ndarray, times: np.ndarray) -> float:
    """How many times a minute the person is lost between the first and the last
    frame they are found in (walking out of frame at the ends does not count)."""
    idx = np.flatnonzero(detected)
    if len(idx) < 2 or times[idx[-1]] <= times[idx[0]]:
        return 0.0
    d = np.asarray(detected[idx[0]:idx[-1] + 1], bool)
    losses = int(np.sum(d[:-1] & ~d[1:]))
    return 60.0 * losses / float(times[idx[-1]] - times[idx[0]])


# Reps need about 15 frames a second: a 1-2 s phase is then timed to within a
# frame or two and the top of a quick rep is not skipped (issue: GIFs at 1.25-3.3
# fps were analysed with no note) [own]. A still hold needs far fewer [own].
MIN_FPS_REPS = 15.0
MIN_FPS_HOLDS = 5.0
# Say so when this share of the clip has nobody in it (title cards, cuts) [own].
NO_PERSON_SHARE = 0.2


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    d = np.diff(np.concatenate([[0], np.asarray(mask, np.int8), [0]]))
    return list(zip(np.flatnonzero(d == 1), np.flatnonzero(d == -1)))


def clip_warnings(track: PoseTrack, exercise: Exercise) -> list[str]:
    """Plain warnings about the clip itself: too few frames a second for the
    movement, and long stretches with nobody in view."""
    out = []
    fps = float(track.fps) if track.fps and math.isfinite(track.fps) else math.nan
    need = MIN_FPS_REPS if exercise.kind == "reps" else MIN_FPS_HOLDS
    if math.isfinite(fps) and fps < need:
        what = "reps are timed coarsely and a quick rep can be missed" if exercise.kind == "reps" \
            else "the start and end of each hold are timed coarsely"
        out.append(f"This clip has only {fps:.1f} frames a second: {what}. Film at {need:.0f} frames a second "
                   "or more (phones and webcams record 30).")
    n = len(track)
    missing = ~np.asarray(track.detected, bool)
    if n and missing.mean() >= NO_PERSON_SHARE:
        dt = float(np.median(np.diff(track.times))) if n > 1 else 0.0
        runs = [r for r in _runs(missing) if (r[1] - r[0]) * dt >= 0.5]
        out.append(f"No person was found in {missing.mean():.0%} of the clip ({missing.sum() * dt:.0f} s"
                   + (f" in {len(runs)} stretch{'es' if len(runs) != 1 else ''}" if runs else "")
                   + ", e.g. title cards, cuts or the person out of frame); those parts were skipped.")
    return out


def _no_event_warning(exercise: Exercise) -> str:
    what = "reps" if exercise.kind == "reps" else "held stretch"
    return (f"No {what} detected. Check that the camera sees you {VIEW_LABELS.get(exercise.best_view, '')} "
            f"and that you do the full movement.")


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


def _still_mask(times: np.ndarray, drive: np.ndarray, params) -> np.ndarray:
    """Frames [N] where the driving angle (median over the last smooth_s) moves
    slower than the hold detector's speed limit."""
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
        return np.isfinite(sm) & np.isfinite(speed) & (speed <= params.max_speed_dps)


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


def explain_no_hold(exercise: Exercise, sides: dict[str, tuple[dict[str, np.ndarray], np.ndarray]],
                    times: np.ndarray, vis: np.ndarray | None = None) -> str:
    """Why no hold was found, in the user's terms. sides: side -> (features, drive).

    The stretch the person tried is taken as the longest still period of the
    clip; over it, the side whose leg is picked as the stretched one is checked,
    and each position check that failed is named with its median value there and
    the limit ('your right knee stayed bent: 125°...'); where the landmarks a
    check reads were hardly seen (vis [N,33], optional), it names them and how
    badly they were seen instead of a position verdict. Without a still period of
    min_hold_s: the person never held still long enough."""
    params = exercise.hold
    best: tuple | None = None
    for side, (feats, drive) in sides.items():
        still = _still_mask(times, drive, params)
        runs = _runs(still)
        if not runs:
            continue
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
        share = float(pick.mean())
        key = (-dur, -round(share, 1), len(failing))
        if best is None or key < best[0]:
            best = (key, side, dur, share, failing)
    if best is None:
        return "No held stretch detected: you were not seen holding still at any point."
    _, side, dur, share, failing = best
    if dur < params.min_hold_s:
        return (f"No held stretch detected: you never held still for {params.min_hold_s:.0f} s "
                f"(longest: {dur:.1f} s). Hold the stretch without moving.")
    if failing:
        parts = []
        for c, v, unseen in failing:
            if unseen:
                names = ", ".join(f"{n} (visibility {vv:.1f})" for n, vv in unseen)
                parts.append(f"the pose model could not see your {names}; above {VIS_MIN:.1f} is needed to "
                             f"check '{c.feature}', so this camera angle cannot tell whether you were in position "
                             "(film with that leg nearer the camera)")
            elif math.isfinite(v):
                parts.append(c.says.format(side=side, value=v, limit=c.limit))
            else:
                parts.append(f"your {side} side could not be measured for '{c.feature}' (landmarks not seen)")
        return "No held stretch detected: " + "; ".join(parts) + "."
    return (f"No held stretch detected: you held still for {dur:.0f} s, but were in the stretch position for "
            f"only {share:.0%} of that time.")


# The pose model follows one person. When the largest figure changes (a second
# person walks in, a mirror image is picked up, the video cuts), the body jumps:
# its hip centre moves more than one torso length, or its torso changes size
# by over 40%, from one frame to the next (within 0.25 s) [own]. Stretches of
# the clip between jumps are grouped by where the body is and how big; only
# the group seen longest (the exerciser) is analysed.
JUMP_TORSOS = 1.0
JUMP_SCALE = 1.4
JUMP_MAX_DT = 0.25


def _body_centre_scale(track: PoseTrack) -> tuple[np.ndarray, np.ndarray]:
    px = track.px
    hips = (px[:, 23] + px[:, 24]) / 2
    shoulders = (px[:, 11] + px[:, 12]) / 2
    return hips, np.linalg.norm(shoulders - hips, axis=-1)


def main_person(track: PoseTrack) -> np.ndarray:
    """Per frame [N] bool: the frame shows the person seen longest (see JUMP_*);
    frames with nobody are False."""
    det = np.asarray(track.detected, bool).copy()
    centre, scale = _body_centre_scale(track)
    ok = det & np.isfinite(centre).all(axis=1) & np.isfinite(scale) & (scale > 0)
    idx = np.flatnonzero(ok)
    if len(idx) < 2:
        return det
    seg = np.zeros(len(track), int) - 1
    cur = 0
    seg[idx[0]] = 0
    for a, b in zip(idx[:-1], idx[1:]):
        dt = track.times[b] - track.times[a]
        ratio = scale[b] / scale[a]
        jump = (np.linalg.norm(centre[b] - centre[a]) > JUMP_TORSOS * scale[a]
                or not 1 / JUMP_SCALE <= ratio <= JUMP_SCALE)
        if jump and dt <= JUMP_MAX_DT:
            cur += 1
        seg[b] = cur
    if cur == 0:
        return det
    # Group the stretches: one whose median place and size match an earlier group's joins it.
    groups: list[tuple[np.ndarray, float, list[int]]] = []
    for k in range(cur + 1):
        fr = np.flatnonzero(seg == k)
        c, sc = np.median(centre[fr], axis=0), float(np.median(scale[fr]))
        for g in groups:
            if np.linalg.norm(c - g[0]) <= JUMP_TORSOS * g[1] and 1 / JUMP_SCALE <= sc / g[1] <= JUMP_SCALE:
                g[2].append(k)
                break
        else:
            groups.append((c, sc, [k]))
    sizes = [sum(int(np.sum(seg == k)) for k in g[2]) for g in groups]
    keep = groups[int(np.argmax(sizes))][2]
    return det & np.isin(seg, keep) | (det & ~ok)


def analyze_track(track: PoseTrack, exercise: Exercise, options: AnalysisOptions = AnalysisOptions()) -> dict:
    """Analyse one exercise clip. Returns the report body (see docs/report.md):
    view, side, reps or holds with metrics and faults, summary and warnings."""
    if len(track) == 0 or not track.detected.any():
        raise NoPersonError("no person was found in any frame of the clip")
    coverage = track.coverage
    clip_notes = clip_warnings(track, exercise)
    others = track.detected & ~main_person(track)
    if others.any():
        xy, world, vis = track.xy.copy(), track.world.copy(), track.vis.copy()
        xy[others], world[others], vis[others] = np.nan, np.nan, 0.0
        track = track.replace(xy=xy, world=world, vis=vis, detected=track.detected & ~others)
    if options.clean:
        clean, perm = clean_track_perm(track, cutoff_hz=exercise.smooth_hz, long_swap_s=exercise.long_swap_s)
    else:
        clean, perm = track, np.tile(np.arange(track.xy.shape[1]), (len(track), 1))
    evd = evidence_from(track, perm)
    view = clip_view(clean)
    warnings: list[str] = clip_notes
    if coverage < MIN_COVERAGE:
        warnings.append(f"A person was found in only {coverage:.0%} of frames; "
                        "results may miss reps. Keep your whole body in frame.")
    flicker = losses_per_min(track.detected, track.times)
    unreliable = flicker > MAX_LOSSES_PER_MIN and coverage < FLICKER_COVERAGE
    if unreliable:
        warnings.append(f"The pose model kept losing you ({flicker:.0f} times a minute): it cannot follow this "
                        "position from this camera angle, so the count may be wrong and form faults were not "
                        f"judged. {exercise.camera_tip}")
    dt_others = float(others.sum() * np.median(np.diff(track.times))) if len(track) > 1 else 0.0
    if dt_others >= 1.0:
        dt = float(np.median(np.diff(track.times)))
        warnings.append(f"Someone else (a second person, a mirror image or another scene) was in view for "
                        f"{others.sum() * dt:.0f} s; formcheck followed only the person seen longest.")
    elif clean.meta.get("multi_person_frames", 0) > 0.1 * len(track):
        warnings.append("More than one person is in the frame; formcheck followed the largest one. "
                        "Film with only the exerciser in view.")
    target = options.hold_target_s
    if target is None:
        target = exercise.hold.target_s if exercise.hold else None
    found: list[tuple[str, RepEvent | HoldEvent]] = []
    side_data: dict[str, tuple[dict[str, np.ndarray], np.ndarray]] = {}
    rejected = dropped = 0
    px = clean.px
    for side in _sides(options):
        feats = side_features(exercise, Joints(px, clean.vis, clean.world, side))
        drive = drive_signal(exercise, feats)
        side_data[side] = (feats, drive)
        if exercise.kind == "reps":
            evs, state = run_reps(clean.times, drive, exercise.rep)
            rejected += state.rejected
            dropped += state.dropped
        else:
            pos = position_mask(exercise, feats, drive)
            evs = refine_holds(clean.times, drive, pos, run_holds(clean.times, drive, pos, exercise.hold),
                               exercise.hold)
        found += [(side, ev) for ev in evs]
    overlapping = 0
    if exercise.kind == "reps":
        kept: list[tuple[str, RepEvent]] = []
        for item in sorted(found, key=lambda x: x[1].end_t):
            kept, _ = resolve_overlap(kept, item)
        overlapping = len(found) - len(kept)
        found = kept
    events: list[tuple[str, RepEvent | HoldEvent, tuple[dict[str, float], list[FaultHit], list[str]]]] = []
    unjudged_all: dict[str, str] = {}
    what = "rep" if exercise.kind == "reps" else "hold"
    other_movement = 0
    for side, ev in found:
        feats, drive = side_data[side]
        m = event_metrics(exercise, feats, drive, clean.times, ev)
        if any(c.holds(m.get(c.metric, math.nan)) for c in exercise.not_a_rep):
            other_movement += 1
            continue
        untrusted = evidence_gaps(exercise.faults, side, ev.start_i, ev.end_i, evd, what)
        faults, unjudged = judge(exercise, m, view, target, untrusted)
        if unreliable:
            faults = []
            unjudged = {f.code: "the pose model kept losing you from this camera angle" for f in exercise.faults}
        for code, why in unjudged.items():
            unjudged_all.setdefault(code, why)
        events.append((side, ev, (m, faults, sorted(unjudged))))
    events.sort(key=lambda x: x[1].start_t)
    warnings += _view_warnings(exercise, view, set(unjudged_all))
    for code, why in sorted(unjudged_all.items()):
        if why != "this camera view cannot see it" and not unreliable:
            f = exercise.fault(code)
            warnings.append(f"'{code}' ({f.label.lower()}) was not judged on every {what}: {why}.")
    side_counts = {s: sum(1 for e in events if e[0] == s) for s in SIDES}
    main_side = max(side_counts, key=side_counts.get) if events else (options.side if options.side != "auto" else None)

    reps: list[Rep] = []
    holds: list[Hold] = []
    if exercise.kind == "reps":
        sets = split_sets([e[1].start_t for e in events], [e[1].end_t for e in events],
                          [e[0] for e in events], exercise.set_pause_s)
        for k, ((side, ev, (m, faults, unjudged)), set_no) in enumerate(zip(events, sets), start=1):
            reps.append(rep_record(exercise, k, set_no, side, ev, m, faults, unjudged))
        if rejected:
            warnings.append(f"{rejected} movement(s) were too short, too long or lost from view and were not counted.")
        if dropped:
            warnings.append(f"{dropped} movement(s) did not match the size of your reps (settling in, getting up "
                            "or fidgeting before or after the set) and were not counted.")
        if other_movement:
            warnings.append(f"{other_movement} movement(s) were {exercise.other_movement or 'another movement'}, "
                            f"not a {exercise.title.lower()}, and were not counted.")
        if overlapping:
            warnings.append(f"{overlapping} movement(s) of the other leg at the same time as your reps (the support "
                            "leg, or a mirror image) were not counted.")
        for s in sorted({r.set for r in reps}):
            n = sum(1 for r in reps if r.set == s)
            if n < exercise.target_reps:
                warnings.append(f"Set {s}: {n} of {exercise.target_reps} reps.")
    else:
        for side, ev, (m, faults, unjudged) in events:
            holds.append(hold_record(exercise, side, ev, target, m, faults, unjudged))
        held_sides = {h.side for h in holds}
        if holds and len(held_sides) == 1:
            other = "right" if next(iter(held_sides)) == "left" else "left"
            if options.side == "auto":
                warnings.append(f"Only the {next(iter(held_sides))} side was held; switch and stretch the {other} side too.")
    if not events and exercise.kind == "hold" and exercise.position:
        warnings.append(explain_no_hold(exercise, side_data, clean.times, clean.vis))
        if view is not None and view not in exercise.views:
            warnings.append(f"Check that the camera sees you {VIEW_LABELS.get(exercise.best_view, '')}.")
    elif not events:
        warnings.append(_no_event_warning(exercise))
    return {
        "exercise": exercise.name,
        "pose_coverage": round(coverage, 4),
        "view": view,
        "side": main_side,
        "reps": [r.to_json() for r in reps],
        "holds": [h.to_json() for h in holds],
        "steps": [],
        "warnings": warnings,
        "unjudged": sorted(unjudged_all),
        "unjudged_reasons": dict(sorted(unjudged_all.items())),
        "event_metric_labels": {k: v for k, v in EVENT_METRICS.items()},
    }
