"""From a pose track to the report body of an exercise clip: the orchestration.

`analyze_track` cleans the track, keeps the exerciser (`formcheck.clip_checks`),
finds each side's reps or holds (`formcheck.reps`, `formcheck.events`), grades
them (`formcheck.judging`) into result records (`formcheck.results`), numbers
the sets and writes the warnings. Pure numpy; no OpenCV, MediaPipe or Streamlit.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass

import numpy as np

from formcheck.cleaning import SMOOTH_HZ_SLOW, clean_track_perm
from formcheck.clip_checks import (
    FLICKER_COVERAGE,
    MAX_LOSSES_PER_MIN,
    MIN_COVERAGE,
    TWO_PEOPLE,
    clip_warnings,
    losses_per_min,
    main_person,
    two_people_seen,
    unseen_in_set,
)
from formcheck.errors import NoPersonError
from formcheck.events import (
    anchor_points,
    beyond_doubt,
    carried_over,
    count_one_leg,
    drive_signal,
    explain_no_hold,
    find_holds,
    in_place,
    other_leg_in_hold,
    other_movement,
    other_movement_note,
    position_mask,
    resolve_overlap,
    side_features,
    unread_holds,
)
from formcheck.exercises import Exercise
from formcheck.exercises.base import EVENT_METRICS
from formcheck.features import SIDES, Joints, other_side
from formcheck.judging import (
    drive_gap,
    event_metrics,
    evidence_from,
    evidence_gaps,
    hold_record,
    judge,
    rep_record,
    timing_gaps,
)
from formcheck.landmarks import PoseTrack
from formcheck.reps import (
    HoldEvent,
    HoldParams,
    RepEvent,
    guard_jumps,
    hold_params,
    rep_cutoff_hz,
    rep_rate_hz,
    run_reps,
    split_sets,
)
from formcheck.results import FaultHit, Hold, Rep
from formcheck.views import (
    ON_BACK_NOTE,
    ON_BACK_UNREAD,
    VIEW_LABELS,
    clip_view,
    lying_on_back,
    view_label,
    view_words,
)
from formcheck.wording import count, movements, were

# drive_signal, position_mask and side_features are also the recogniser's and the UI's way in.
__all__ = ["AnalysisOptions", "analyze_track", "drive_signal", "position_mask", "side_features"]


@dataclass(frozen=True)
class AnalysisOptions:
    side: str = "auto"  # auto | left | right
    hold_target_s: float | None = None  # overrides the exercise's hold target
    clean: bool = True
    # Analysed for the reason beside a confident "this is not that movement" (pipeline.refusal):
    # a missed hold is explained without coaching the stretch (events.explain_no_hold).
    refused: bool = False


# The routine's sets per movement, said beside a short set's count (routine.Step.sets; a test keeps them equal).
ROUTINE_SETS = 3


def _sides(options: AnalysisOptions) -> tuple[str, ...]:
    if options.side in ("left", "right"):
        return (options.side,)
    if options.side != "auto":
        raise ValueError(f"side: expected auto, left or right, got {options.side!r}")
    return SIDES


def _best_view(exercise: Exercise) -> str:
    return view_label(exercise.best_view, exercise.all_fours) if exercise.best_view in VIEW_LABELS else ""


def _view_warnings(exercise: Exercise, view: str | None, unjudged: set[str], on_back: bool = False) -> list[str]:
    warnings = []
    if view is None:
        warnings.append("Could not tell the camera view; faults that need a particular view were not judged.")
    elif view not in exercise.views and view_words(view, on_back) == ON_BACK_UNREAD:
        seen = view_label(view).split(" (")[0]
        warnings.append(f"{ON_BACK_NOTE}, your body read as seen {seen}, where no camera can be. {exercise.camera_tip}")
    elif view not in exercise.views:
        warnings.append(
            f"This clip looks filmed {view_label(view, exercise.all_fours)}, which cannot see a {exercise.title.lower()} well. "
            f"{exercise.camera_tip}")
    # One note per view to film from (and reason), naming every check it would make (not one note per check).
    by_where: dict[tuple[str, str], list[str]] = {}
    for f in exercise.faults:
        if f.code in unjudged and f.views is not None and view is not None and view not in f.views:
            where = " or ".join(view_label(v, exercise.all_fours) for v in f.views
                                if v in VIEW_LABELS and v != "oblique")
            by_where.setdefault((where, f.view_why), []).append(f"'{f.code}' ({f.label.lower()})")
    for (where, why), checks in by_where.items():
        one = len(checks) == 1
        named = checks[0] if one else f"{', '.join(checks[:-1])} and {checks[-1]}"
        reason = f"this view cannot see {'it' if one else 'them'}" if not why else why
        warnings.append(f"{named} {'was' if one else 'were'} not checked: {reason}. "
                        f"Film {where} to check {'it' if one else 'them'}.")
    return warnings


# A count is doubted when the driving angle's landmarks could not be trusted on
# more than this share of the counted reps [own: most of them]. From the head end
# on all fours the chest hides the hips and thighs: own randomised fire hydrant
# renders counted 8 and 7 reps for 5 there, every rep with its hips hidden.
COUNT_DOUBT_SHARE = 0.5


def unjudged_note(code: str, label: str, whys: list[str], total: int, what: str) -> str:
    """The note for a check left unjudged on some reps or holds (`whys`: its reason on
    each, in order; `total`: how many reps or holds there were). Said once here, so a
    rep's line can point to it instead of repeating it: "'knee_angle' (knee angle
    drifts from 90°) was not judged on any of the 4 reps: <why>." The reason quoted is
    the first one's; when the others differ it says so."""
    n = len(whys)
    where = (f"on the {what}" if total == 1 else f"on any of the {total} {what}s" if n >= total
             else f"on {n} of the {total} {what}s")
    same = all(w == whys[0] for w in whys)
    why = f": {whys[0]}" if same else f"; on the first of them {whys[0]}"
    return f"'{code}' ({label.lower()}) was not judged {where}{why}."


def _count_doubt(exercise: Exercise, events: list, evd) -> str | None:
    """A warning that the rep count itself may be wrong, or None: the landmarks the
    driving angle is read from were not seen well on most counted reps
    (judging.drive_gap), so reps may be missed or made up."""
    gaps = [drive_gap(side, ev.start_i, ev.end_i, evd, "rep", exercise.drive_needs) for side, ev, _ in events]
    doubted = [g for g in gaps if g]
    if not gaps or len(doubted) <= COUNT_DOUBT_SHARE * len(gaps):
        return None
    reason = Counter(doubted).most_common(1)[0][0]
    return f"The rep count may be wrong: on {len(doubted)} of {len(gaps)} reps {reason}."


def _carried_over(times: np.ndarray, side_data: dict[str, tuple[dict[str, np.ndarray], np.ndarray]],
                  positions: dict[str, np.ndarray], found: list[tuple[str, RepEvent | HoldEvent]],
                  params: HoldParams) -> list[tuple[str, RepEvent | HoldEvent]]:
    """Each hold carried on where the pose model handed the stretched leg to the other
    leg at its end (events.carried_over), unless the other side has a hold there.
    positions: side -> [N] the stretch's position per frame (events.position_mask)."""
    ok = {s: in_place(times, d, positions[s], params) for s, (_, d) in side_data.items()}
    out: list[tuple[str, RepEvent | HoldEvent]] = []
    for side, ev in found:
        if isinstance(ev, HoldEvent):
            o = other_side(side)
            longer = carried_over(times, ev, ok[side], ok[o], side_data[o][1], params)
            if not any(s == o and e.start_t <= longer.end_t and e.end_t >= ev.end_t for s, e in found):
                ev = longer
        out.append((side, ev))
    return out


BEYOND_WHY = "the pose model was misplacing your legs (it read them past where a leg can go)"


# A stretch of the set longer than its median rep in which formcheck did not follow the exerciser
# (nobody found, or someone else: another camera view, a second person) may hide reps: the count may
# be short. A real fire-hydrant demonstration cut to a front view for 14 s in the middle of its set,
# read as someone else, and its 2 lifts there went uncounted with nothing said [own].
def _gap_doubt(times: np.ndarray, followed: np.ndarray, counted: list[tuple[str, RepEvent | HoldEvent]]) -> str | None:
    """A warning that the count may be short (see above), or None."""
    reps = [ev for _, ev in counted if isinstance(ev, RepEvent)]
    if not reps:
        return None
    s, e = unseen_in_set(times, followed, [(ev.start_t, ev.end_t) for ev in reps])
    if not e - s > float(np.median([ev.duration_s for ev in reps])):
        return None
    return (f"The rep count may be short: for {e - s:.0f} s in the middle of your set ({s:.0f}-{e:.0f} s) "
            "formcheck could not follow you (nobody found, someone else, or another camera view), so reps "
            "done then were not counted.")


def split_swapped(found: list[tuple[str, RepEvent | HoldEvent]], calibrated: dict[str, bool]
                  ) -> tuple[list[tuple[str, RepEvent | HoldEvent]], list[tuple[str, RepEvent | HoldEvent]]]:
    """(kept, swapped) of the reps `found` (side, event) of legs that take turns (calibrated: side ->
    whether its movements agreed with each other, reps.RepState.calibrated).

    Legs taking turns each repeat their own movement. A leg whose one movement agreed with no
    other (counted against itself, reps.flush_reps) and overlaps a rep of a leg that did repeat
    (events.resolve_overlap, whichever way their tops fell) is that rep read through a left-right
    label swap: a real single-leg raise set (s28, the other leg hovering) read its second raise
    as the right leg's for 0.5 s mid-raise, and the left leg got a 7 s "rep" over the first two
    raises peaking 0.4 s from the right's, which the same-top test let through: 4 reps of 3 [own]."""
    if not any(calibrated.values()):
        return found, []
    repeated = [(s, ev) for s, ev in found if calibrated.get(s, True) and isinstance(ev, RepEvent)]
    swapped = [x for x in found if not calibrated.get(x[0], True) and isinstance(x[1], RepEvent)
               and not resolve_overlap(repeated, x, True)[1]]  # type: ignore[arg-type]
    return [x for x in found if x not in swapped], swapped


def _unfinished(exercise: Exercise, cut_off: dict[str, int], counted: list[tuple[str, RepEvent | HoldEvent]]) -> int:
    """How many movements were still going on when the recording ended (reps.flush_reps'
    `cut_off` per side), said of the legs that did the counted reps: the working leg's
    last rep for an exercise done one leg at a time (the support leg swinging as the
    clip ends is no rep: a real loaded donkey kick's support thigh read a 14° rise
    there), any side when no rep was counted [own]."""
    if counted:
        last = max(counted, key=lambda x: x[1].end_t)[0]
        working = {last} if exercise.one_leg_at_a_time else {s for s, _ in counted}
        cut_off = {s: n for s, n in cut_off.items() if s in working}
    n = sum(cut_off.values())
    return min(1, n) if exercise.one_leg_at_a_time else n


def _no_event(exercise: Exercise) -> str:
    """'No reps detected' or 'No held stretch detected'."""
    return f"No {'reps' if exercise.kind == 'reps' else 'held stretch'} detected"


def _no_event_warning(exercise: Exercise, view: str | None = None) -> str:
    """Nothing found: camera advice only when the view is not one the movement is
    analysed from (s29, s30: a straight leg raise filmed from the side, read "side", was
    told to check that the camera sees it from the side)."""
    if view in exercise.views:
        return f"{_no_event(exercise)}: no movement matched a full {exercise.title.lower()} (see the notes above)."
    return (f"{_no_event(exercise)}. Check that the camera sees you {_best_view(exercise)} "
            f"and that you do the full movement.")


def set_rate_hz(track: PoseTrack, exercise: Exercise, options: AnalysisOptions) -> float:
    """The rep rate (Hz) of a set faster than the exercise's smoothing passes
    (fast alternating leg raises under the straight leg raise's 0.7 Hz would merge
    into one), measured on the lightly smoothed driving signal (reps.rep_rate_hz);
    NaN for a set the exercise's smoothing passes, or a hold."""
    if exercise.kind != "reps" or exercise.rep is None or exercise.smooth_hz >= SMOOTH_HZ_SLOW:
        return math.nan
    quick, _ = clean_track_perm(track, cutoff_hz=SMOOTH_HZ_SLOW, long_swap_s=exercise.long_swap_s)
    rates = [rep_rate_hz(quick.times, drive_signal(exercise, side_features(exercise, Joints(
        quick.px, quick.vis, quick.world, side))), exercise.rep.min_range_deg) for side in _sides(options)]
    rates = [r for r in rates if math.isfinite(r) and rep_cutoff_hz(exercise.smooth_hz, r, SMOOTH_HZ_SLOW)
             > exercise.smooth_hz]
    return max(rates) if rates else math.nan


def analyze_track(track: PoseTrack, exercise: Exercise, options: AnalysisOptions = AnalysisOptions()) -> dict:
    """Analyse one exercise clip. Returns the report body (see docs/report.md):
    view, side, reps or holds with metrics and faults, summary and warnings."""
    if len(track) == 0 or not track.detected.any():
        raise NoPersonError("no person was found in any frame of the clip")
    coverage = track.coverage
    clip_notes = clip_warnings(track, exercise)
    others = track.detected & ~main_person(track)
    track = _without(track, others)
    rate_hz = set_rate_hz(track, exercise, options) if options.clean else math.nan
    fast = math.isfinite(rate_hz)
    if options.clean:
        clean, perm = clean_track_perm(track, cutoff_hz=rep_cutoff_hz(exercise.smooth_hz, rate_hz, SMOOTH_HZ_SLOW),
                                       long_swap_s=exercise.long_swap_s)
    else:
        clean, perm = track, np.tile(np.arange(track.xy.shape[1]), (len(track), 1))
    evd = evidence_from(track, perm)
    view = clip_view(clean)
    flicker = losses_per_min(track.detected, track.times)
    unreliable = flicker > MAX_LOSSES_PER_MIN and coverage < FLICKER_COVERAGE
    warnings: list[str] = clip_notes + _person_notes(exercise, coverage, flicker if unreliable else None,
                                                     _seen_s(track.times, others), two_people_seen(clean))
    target = options.hold_target_s
    if target is None:
        target = exercise.hold_target_s if exercise.hold else None
    found: list[tuple[str, RepEvent | HoldEvent]] = []
    side_data: dict[str, tuple[dict[str, np.ndarray], np.ndarray]] = {}
    positions: dict[str, np.ndarray] = {}  # hold exercises: side -> the stretch's position per frame
    dropped = 0
    calibrated: dict[str, bool] = {}
    rejected: dict[str, int] = {}
    cut_off: dict[str, int] = {}
    # The hold finder's parameters, with a user target under min_hold_s as the shortest hold
    # (reps.hold_params): the same for finding holds, unread holds and the no-hold note.
    holding = hold_params(exercise.hold, options.hold_target_s) if exercise.hold is not None else None
    px = clean.px
    # The mid-hip and mid-shoulder (events.anchor_points) are the same read from either side.
    anchors = anchor_points(Joints(px, clean.vis, clean.world, "left")) if exercise.kind == "hold" else None
    for side in _sides(options):
        joints = Joints(px, clean.vis, clean.world, side)
        feats = side_features(exercise, joints)
        drive = raw_drive = drive_signal(exercise, feats, fast)
        if anchors is not None:
            drive = guard_jumps(clean.times, drive, anchors, exercise.hold)
        side_data[side] = (feats, drive)
        if exercise.kind == "reps":
            evs, state = run_reps(clean.times, drive, exercise.rep)
            rejected[side] = state.rejected
            dropped += state.dropped
            calibrated[side] = state.calibrated
            cut_off[side] = state.cut_off
        else:
            pos = positions[side] = position_mask(exercise, feats, drive)
            # Found on the guarded angle (as live); timed on the angle as read, which
            # offline can do: the walk-out looks ahead and bridges short jumps itself.
            # and started where the person began sinking slowly into the stretch.
            evs = find_holds(clean.times, drive, raw_drive, pos, holding, anchors,
                             tuple(feats[k] for k in exercise.held_too))
        found += [(side, ev) for ev in evs]
    if exercise.kind == "hold" and holding is not None and len(side_data) == 2:
        found = _carried_over(clean.times, side_data, positions, found, holding)
    if exercise.one_leg_at_a_time and any(calibrated.values()):
        # One leg does the set while the other supports: a leg none of whose movements
        # agreed with another (its lone movement counted against itself, reps.flush_reps)
        # did no set beside the leg that did. A real donkey-kick clip opened on a title
        # card over the still exerciser, whose support thigh read a 40° swing at 0-1.9 s
        # while the other leg went on to 13 reps [own].
        lone = [(s, ev) for s, ev in found if not calibrated.get(s, True)]
        found = [(s, ev) for s, ev in found if calibrated.get(s, True)]
        dropped += len(lone)
        # Nor are its uncounted movements the runner's: a real side-on donkey kick's support
        # leg had one, said as "1 movement was too short, too long or lost" beside 2 good kicks.
        rejected = {s: n for s, n in rejected.items() if calibrated.get(s, True)}
    swapped: list[tuple[str, RepEvent | HoldEvent]] = []
    if exercise.kind == "reps" and not exercise.one_leg_at_a_time:
        found, swapped = split_swapped(found, calibrated)
    n_rejected = sum(rejected.values())
    overlapping = mirrored = 0
    if exercise.kind == "reps":
        kept, mirrored, overlapping = count_one_leg(exercise, clean.times, found,
                                                    {s: side_data[s][0][exercise.drive] for s in side_data})
        overlapping += len(swapped)
        found = list(kept)
    unfinished = _unfinished(exercise, cut_off, found)
    events: list[tuple[str, RepEvent | HoldEvent, tuple[dict[str, float], list[FaultHit], list[str]]]] = []
    unjudged_all: dict[str, str] = {}
    unjudged_whys: dict[str, list[str]] = {}  # code -> why, per rep or hold it was not judged on
    what = "rep" if exercise.kind == "reps" else "hold"
    n_other = 0
    tracked_feats = {s: side_features(exercise, Joints(evd.px, evd.vis, evd.world, s))
                     for s in side_data} if exercise.not_a_rep and evd.px is not None else {}
    # The pose model misplacing the legs for long (events.beyond_doubt): no fault is judged, as
    # where it kept losing the person.
    beyond = (beyond_doubt(exercise, clean.times, [d for _, d in side_data.values()])
              if exercise.kind == "reps" and not unreliable else None)
    not_judged = ("the pose model kept losing you from this camera angle" if unreliable else
                  BEYOND_WHY if beyond else None)
    for side, ev in found:
        feats, drive = side_data[side]
        m = event_metrics(exercise, feats, drive, clean.times, ev)
        tracked = event_metrics(exercise, tracked_feats[side], drive, clean.times, ev) if side in tracked_feats else {}
        if other_movement(exercise, m, tracked):
            n_other += 1
            continue
        untrusted = timing_gaps(exercise, clean.times, drive, ev) | evidence_gaps(exercise.faults, side, ev.start_i,
                                                                                  ev.end_i, evd, what,
                                                                                  exercise.drive_needs)
        faults, unjudged = judge(exercise, m, view, target, untrusted)
        if not_judged:
            faults = []
            unjudged = {f.code: not_judged for f in exercise.faults}
        for code, why in unjudged.items():
            unjudged_all.setdefault(code, why)
            unjudged_whys.setdefault(code, []).append(why)
        events.append((side, ev, (m, faults, sorted(unjudged))))
    events.sort(key=lambda x: x[1].start_t)
    unread: list = []
    if exercise.kind == "hold" and exercise.position and exercise.unread_holds and not unreliable:
        # Still, but the stretch position could not be read: a hold whose position
        # was not checked and whose form is not judged, said so (events.unread_holds).
        unread = unread_holds(exercise, clean.times, clean.vis, anchors, {s: side_data[s][0] for s in side_data},
                              [(e[1].start_t, e[1].end_t) for e in events],
                              holding)
    if exercise.kind == "reps" and not unreliable:
        doubt = _count_doubt(exercise, events, evd)
        if doubt:
            warnings.append(doubt)
        gap = _gap_doubt(track.times, track.detected, [(e[0], e[1]) for e in events])
        if gap:
            warnings.append(gap)
        if beyond:
            warnings.append(beyond)
    on_back = lying_on_back(clean)
    warnings += _view_warnings(exercise, view, set(unjudged_all), on_back)
    for code, why in sorted(unjudged_all.items()):
        if why != "this camera view cannot see it" and not not_judged:
            f = exercise.fault(code)
            warnings.append(unjudged_note(code, f.label, unjudged_whys[code], len(events), what))
    side_counts = {s: sum(1 for e in events if e[0] == s) for s in SIDES}
    main_side = max(side_counts, key=side_counts.get) if events else (options.side if options.side != "auto" else None)

    reps: list[Rep] = []
    holds: list[Hold] = []
    if exercise.kind == "reps":
        sets = split_sets([e[1].start_t for e in events], [e[1].end_t for e in events],
                          [e[0] for e in events], exercise.set_pause_s)
        for k, ((side, ev, (m, faults, unjudged)), set_no) in enumerate(zip(events, sets), start=1):
            reps.append(rep_record(exercise, k, set_no, side, ev, m, faults, unjudged))
        warnings += _uncounted_notes(exercise, n_rejected, unfinished, dropped, n_other, mirrored, overlapping)
        warnings += _short_set_notes(exercise, [r.set for r in reps])
    else:
        # What the other leg did in each hold: "both", "unseen" or "one" (events.other_leg_in_hold).
        legs = [other_leg_in_hold(exercise, side_data[s][0], side_data[other_side(s)][0], ev.start_i, ev.end_i)
                if other_side(s) in side_data else None for s, ev, _ in events]
        for (side, ev, (m, faults, unjudged)), leg in zip(events, legs):
            holds.append(hold_record(exercise, side, ev, target, m, faults, unjudged, other_leg=leg or "one"))
        for side, ev, _ in unread:
            holds.append(hold_record(exercise, side, ev, target, {}, [], sorted(f.code for f in exercise.faults),
                                     position_checked=False))
        holds.sort(key=lambda h: h.start_s)
        warnings += [_unread_hold_note(exercise, side, ev, seen) for side, ev, seen in unread]
        warnings += _switch_sides_notes([h.side for h in holds], [leg for leg in legs if leg is not None],
                                        len(events), options.side == "auto")
    if not events and not unread and exercise.kind == "hold" and exercise.position:
        view_unfit = view is not None and view not in exercise.views
        warnings.append(explain_no_hold(exercise, side_data, clean.times, clean.vis, holding, options.refused,
                                        anchors, view_unfit=view_unfit))
        if view_unfit:
            warnings.append(f"Check that the camera sees you {_best_view(exercise)}.")
    elif not events and not unread and unreliable:
        # The camera advice is in the note that the pose model kept losing the person; a
        # second, different one ("check that the camera sees you from the front") read as
        # a contradiction on s29's banded clamshell filmed from the head end.
        warnings.append(f"{_no_event(exercise)}: the pose model could not follow you from this camera angle "
                        "(see the note above).")
    elif not events and not unread:
        warnings.append(_no_event_warning(exercise, view))
    return {
        "exercise": exercise.name,
        "pose_coverage": round(coverage, 4),
        "view": view,
        "lying_on_back": on_back,
        "side": main_side,
        "reps": [r.to_json() for r in reps],
        "holds": [h.to_json() for h in holds],
        "steps": [],
        "warnings": warnings,
        "unjudged": sorted(unjudged_all),
        "unjudged_reasons": dict(sorted(unjudged_all.items())),
        "event_metric_labels": {k: v for k, v in EVENT_METRICS.items()},
    }


# ---- the report's notes, each from the numbers it speaks of -------------------------


def _without(track: PoseTrack, others: np.ndarray) -> PoseTrack:
    """The track with the frames of someone else than the main person [N bool]
    blanked (not seen), so that only the person seen longest is analysed."""
    if not others.any():
        return track
    xy, world, vis = track.xy.copy(), track.world.copy(), track.vis.copy()
    xy[others], world[others], vis[others] = np.nan, np.nan, 0.0
    return track.replace(xy=xy, world=world, vis=vis, detected=track.detected & ~others)


def _seen_s(times: np.ndarray, frames: np.ndarray) -> float:
    """Seconds of the clip in the frames flagged [N bool], at its median frame interval."""
    return float(frames.sum() * np.median(np.diff(times))) if len(times) > 1 else 0.0


def _person_notes(exercise: Exercise, coverage: float, lost_per_min: float | None, others_s: float,
                  two_people: bool) -> list[str]:
    """Notes on how well the person was followed: found in few frames, lost again
    and again (lost_per_min, None when the model followed them), someone else in
    view for others_s seconds, or two people at once."""
    notes = []
    if coverage < MIN_COVERAGE:
        notes.append(f"A person was found in only {coverage:.0%} of frames; "
                     "results may miss reps. Keep your whole body in frame.")
    if lost_per_min is not None:
        notes.append(f"The pose model kept losing you ({lost_per_min:.0f} times a minute): it cannot follow this "
                     "position from this camera angle, so the count may be wrong and form faults were not "
                     f"judged. {exercise.camera_tip}")
    if others_s >= 1.0:
        # A pose model that keeps losing the person also finds "someone" elsewhere, one
        # person at a time (s29: a banded clamshell from the head end, one woman in view).
        what = ("a second person, a mirror image, another scene or the pose model finding you in the wrong place"
                if lost_per_min is not None else "a second person, a mirror image or another scene")
        notes.append(f"Someone else ({what}) was in view for "
                     f"{others_s:.0f} s; formcheck followed only the person seen longest.")
    elif two_people:
        notes.append(TWO_PEOPLE)
    return notes


def _uncounted_notes(exercise: Exercise, rejected: int, unfinished: int, dropped: int, other: int, mirrored: int,
                     overlapping: int) -> list[str]:
    """Why movements were not counted as reps, one note per reason that applies."""
    notes = []
    if rejected:
        notes.append(f"{movements(rejected)} too short, too long or lost from view and "
                     f"{were(rejected)} not counted.")
    if unfinished:
        # Counted on the way back down, a rep cut off at its top is not a bad rep: said apart [own].
        notes.append(f"{count(unfinished, 'more movement', 'more movements')} {were(unfinished)} still "
                     f"going on when the recording ended, so {'it was' if unfinished == 1 else 'they were'} "
                     "not counted.")
    if dropped:
        notes.append(f"{movements(dropped, 'did')} not match the size of your reps (settling in, getting up "
                     f"or fidgeting before or after the set) and {were(dropped)} not counted.")
    if other:
        notes.append(other_movement_note(exercise, other))
    if mirrored:
        notes.append(f"{movements(mirrored, 'of your support leg ' + were(mirrored))} not counted: "
                     f"{'it' if mirrored == 1 else 'each'} came just as your working leg lifted, moving the "
                     f"other way, so {'it is not a rep' if mirrored == 1 else 'they are not reps'}.")
    if overlapping:
        notes.append(f"{count(overlapping, 'movement')} of the other leg at the same "
                     f"time as your reps (the support leg, or a mirror image) {were(overlapping)} not counted.")
    return notes


def _short_set_notes(exercise: Exercise, rep_sets: list[int]) -> list[str]:
    """A note for each set (the set number of every rep) short of the routine's reps."""
    return [f"Set {s}: {count(n, 'rep')} (the usual routine is {ROUTINE_SETS} sets of {exercise.target_reps})."
            for s in sorted(set(rep_sets)) if (n := rep_sets.count(s)) < exercise.target_reps]


def _unread_hold_note(exercise: Exercise, side: str, ev: HoldEvent, seen: list[tuple[str, float]]) -> str:
    """A still period whose stretch position could not be read (events.unread_holds):
    which landmarks were unseen (seen: name, visibility), or that the leg pointed at
    the camera (a leg seen end-on, stretches.KNEE_IN_PLANE_MIN)."""
    names = (f"could not see your {', '.join(f'{n} (visibility {v:.1f})' for n, v in seen)}" if seen else
             f"could not read your {side} leg's position from this camera angle (a leg pointing toward "
             "the camera cannot be read)")
    return (f"Hold at {ev.start_t:.1f}-{ev.end_t:.1f} s: you kept still for {ev.duration_s:.0f} s, "
            f"but the pose model {names}, so whether you were in "
            f"the stretch position could not be checked and nothing was judged on it. "
            f"{exercise.camera_tip}")


def _switch_sides_notes(hold_sides: list[str], other_legs: list[str], n_checked: int, auto_side: bool) -> list[str]:
    """Whether to stretch the other side too, from the sides of the holds found and
    what the other leg did in each of the n_checked position-checked holds ("both",
    "unseen", "one"; events.other_leg_in_hold). auto_side: the side was not chosen."""
    if n_checked and len(other_legs) == n_checked and all(o == "both" for o in other_legs):
        return ["Both legs were straight and alike in the fold, so it stretched both hamstrings at "
                "once; no need to switch sides (if you crossed your legs, cross them the other way too)."]
    if not hold_sides or len(set(hold_sides)) != 1 or not auto_side:
        return []
    held = hold_sides[0]
    other = other_side(held)
    if other_legs and all(o == "unseen" for o in other_legs):
        # Side-on, the far leg hides behind the near one: a two-legged fold
        # and a stretch of one leg look the same, so neither is claimed.
        return [f"Only your {held} leg could be seen in the stretch: your {other} leg was hidden "
                f"behind it, so whether it was stretched too could not be checked. If you stretch "
                f"one leg at a time, switch and stretch the {other} side too."]
    return [f"Only the {held} side was held; switch and stretch the {other} side too."]
