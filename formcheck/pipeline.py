"""Glue from files to reports: the functions the CLI and the app both call.

video or .npz -> PoseTrack -> analysis (exercise or running) -> report, and
optionally an annotated H.264 video.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from formcheck import gait
from formcheck.analysis import AnalysisOptions, analyze_track
from formcheck.cleaning import SMOOTH_HZ, clean_track
from formcheck.clip_checks import MIN_FPS_REPS, SMALL_PERSON, person_extent, two_people_seen
from formcheck.draw import Overlay, annotate
from formcheck.errors import BadVideoError, NoPersonError
from formcheck.events import drive_signal, side_features
from formcheck.exercises import EXERCISES, MOVEMENTS, get_exercise
from formcheck.features import Joints, landmark
from formcheck.landmarks import PoseTrack
from formcheck.overlay_text import hold_counter, rep_counter, rep_sub
from formcheck.recognise import (
    HANDS_REACH,
    LUNGE_BACK_HIP_OPEN,
    SEEN_MIN_S,
    Recognition,
    a_movement,
    body_position_missed,
    doubt,
    hands_planted,
    mismatch,
    nearest_named,
    recognise,
    seated_hip_angle,
)
from formcheck.report import NOT_ONE_OF_THEM, finish_report, rep_cue
from formcheck.video import H264Writer, read_frames
from formcheck.views import VIEW_LABELS, clip_view, lying_on_back, on_back_unread, view_label

__all__ = ["AUTO", "UNRECOGNISED", "Options", "refusal", "available_movements", "load_track", "analyze", "analyze_file", "write_annotated_video",
           "frame_overlays"]

ProgressFn = Callable[[int, int], None]
AUTO = "auto"  # --exercise auto: analyse the clip as the movement the recogniser sees
UNRECOGNISED = "unrecognised"  # the report's exercise when a clip is none of the movements
CUE_SHOW_S = 2.5  # how long a rep's cue stays on screen after the rep [own]
MIN_ANALYSIS_FRAMES = 15  # half a second at 30 fps; fewer cannot hold a rep and break the filters [own]


@dataclass(frozen=True)
class Options:
    side: str = "auto"
    model: str = "full"
    stride: int = 1
    hold_target_s: float | None = None
    time_scale: float = 1.0  # running: real time = video time x time_scale (slow-motion clips)
    # Recognise the movement and refuse to grade a clip as one it is not (the
    # report's "recognised" block). Off only for tests of a checker in isolation.
    recognise: bool = True
    jobs: int = 1  # worker processes for the pose model (formcheck.parallel); 0 = all cores
    fast_tracking: bool = False  # track one person (num_poses=1): faster, less accurate (pose.DEFAULT_NUM_POSES)


def available_movements() -> list[str]:
    """Movements this installation can analyse, in the routine's order."""
    return list(MOVEMENTS)


def check_movement(name: str) -> None:
    if name == AUTO:
        return
    if name == "running":
        return
    get_exercise(name)


def load_track(path: str | os.PathLike, model: str = "full", stride: int = 1,
               progress: ProgressFn | None = None, jobs: int = 1, fast_tracking: bool = False) -> PoseTrack:
    """A saved .npz track, or a video run through the pose model (over `jobs`
    worker processes if more than 1; 0 = all cores)."""
    p = Path(path)
    if p.suffix.lower() == ".npz":
        if not p.exists():
            raise BadVideoError(f"{p}: no such file")
        return PoseTrack.load_npz(p)
    from formcheck.video import capture_fps

    num_poses = 1 if fast_tracking else None
    if jobs != 1:
        from formcheck.parallel import extract_track_parallel

        track = extract_track_parallel(p, jobs or None, model=model, stride=stride, progress=progress,
                                       num_poses=num_poses)
    else:
        from formcheck.pose import DEFAULT_NUM_POSES, extract_track

        track = extract_track(p, model=model, stride=stride, progress=progress,
                              num_poses=num_poses or DEFAULT_NUM_POSES)
    capture = capture_fps(p)  # a phone's slow-motion tag, for running's sanity check
    if capture is not None:
        track.meta["capture_fps"] = capture
    return track


def _graded(track: PoseTrack, movement: str, options: Options, source: str | None) -> dict:
    if movement == "running":
        body = gait.analyze_running(track, gait.GaitOptions(time_scale=options.time_scale))
    else:
        body = analyze_track(track, get_exercise(movement),
                             AnalysisOptions(side=options.side, hold_target_s=options.hold_target_s))
    return finish_report(body, track, source)


def _ungraded(track: PoseTrack, exercise: str, rec: Recognition, warning: str, source: str | None) -> dict:
    """A report that grades nothing: no reps, holds, steps or metrics of a
    movement the clip is not, and the reason first among the warnings."""
    body = {"exercise": exercise, "pose_coverage": round(track.coverage, 4), "view": clip_view(track),
            "lying_on_back": lying_on_back(track), "side": None, "reps": [], "holds": [], "steps": [], "warnings": [warning], "graded": False,
            "ungraded_reason": warning}
    if rec.movement is not None and rec.movement != exercise:
        body["mismatch"] = {"chosen": exercise, "recognised": rec.movement}
    return finish_report(body, track, source)


# A person found in at least this share of the frames leaves the framing out as the
# reason a clip was not recognised [own: 4 frames in 5; the s26 clamshell refused with
# the camera fine was seen in 100%].
COVERAGE_FINE = 0.8
def _percent(confidence: float) -> str:
    """A confidence as the report's "recognised" block says it (rounded to 3 places
    first): 0.4949 read "50%" there and "49%" in a note beside it (s27)."""
    return f"{round(confidence, 3):.0%}"


def _camera_problems(track: PoseTrack, chosen: str | None, view: str | None) -> list[str]:
    """What the camera did not give the recogniser, in words: few frames with the
    person in them, few frames a second, or a view (`view`, clip_view's) the chosen
    movement cannot be analysed from."""
    out = []
    seen = np.flatnonzero(track.detected)
    # Frames without the person only before they came into view and after they left (s35: a woman
    # walking into an empty room and out again) say nothing against the camera.
    followed = float(track.detected[seen[0]:seen[-1] + 1].mean()) if len(seen) else 0.0
    if track.coverage < COVERAGE_FINE and followed < COVERAGE_FINE:
        # s28: a man whose head alone was above the frame was "not found" in 34% of the
        # frames: the pose model needs the head in view to find a person.
        size = person_extent(track)
        # s31: a child running toward the camera, in frame throughout but small at first, was told of
        # people "out of the frame, title cards or cuts".
        why = (f", and where you were found you took up only {size:.0%} of the picture: you were probably too far "
               "away to be seen (film nearer, your whole body filling most of the frame)" if size < SMALL_PERSON
               else " (the person or their head out of the frame, title cards or cuts)")
        out.append(f"no one was found in {1 - track.coverage:.0%} of the frames{why}")
    if two_people_seen(track):
        # s31: two joggers side by side were refused with no word of the second one; the pose
        # model follows the larger person on each frame, which can jump from one to the other.
        out.append("more than one person was in view, and formcheck follows only one")
    if 0 < track.fps < MIN_FPS_REPS:
        # s29: a real treadmill runner in a 10 fps GIF was refused with "the camera saw you well".
        out.append(f"the clip has only {track.fps:.0f} frames a second, too few to follow a movement closely "
                   "(film at 30)")
    ex = EXERCISES.get(chosen or "")
    if view is None:
        out.append("the camera view could not be told")
    elif ex is not None and view not in ex.views and not on_back_unread(view, lying_on_back(track)):
        out.append(f"it was filmed {view_label(view, ex.all_fours)}, which cannot see {a_movement(chosen or '')} well")
    return out


NO_HOLD = "No held stretch detected: "


def _position_missed(track: PoseTrack, ex, refused: bool) -> str | None:
    """For a held stretch: why the checker found no hold, in its own words
    (events.explain_no_hold, through the analysis with recognition off): which of
    the stretch's position checks the clip's longest still period failed, with the
    value and the limit, or that it was never held still long enough; None for a
    movement done in reps, or where the checker found a hold. refused: said beside
    a confident "not this movement", so the stretch is not coached."""
    if ex.kind != "hold" or not ex.position:
        return None
    try:
        body = analyze_track(track, ex, AnalysisOptions(refused=refused))
    except NoPersonError:
        return None
    return next((w[len(NO_HOLD):].rstrip(".") for w in body.get("warnings", []) if w.startswith(NO_HOLD)), None)


def refusal(track: PoseTrack, rec: Recognition, chosen: str | None) -> str:
    """Why a clip was not graded when it looks like none of the movements (or, for a
    chosen movement, its body position or shape does not fit it), in a runner's
    words. Camera advice only where the camera is a reason: the person found in
    few frames, or a view the movement cannot be analysed from; a clip too short to
    tell is told so, once."""
    # As the report's header says it (a 2.0 s GIF of 20 frames read "only 1.9 s long", s29).
    dur = track.duration_s
    if dur < SEEN_MIN_S:
        return (f"The clip is only {dur:.1f} s long: at least {SEEN_MIN_S:.0f} s is needed to tell the movement, "
                "so it was not graded. Film a longer clip, with a few reps or the whole hold.")
    near = nearest_named(rec.alternatives)
    nearest = f" The closest was {a_movement(near[0])} ({_percent(near[1])})." if near else ""
    if chosen is None and (rec.note or not rec.confident):
        # s38 (lead): a side-on runner whose hips and knees were seen for 0.8 s read "Recognised: could
        # not tell the movement; not seen well enough" above "This is not one of the 8 movements formcheck
        # knows (50% sure)": a reading below CONFIDENT is not a claim that it is none of them.
        head = ("formcheck could not tell which movement this is, so nothing was graded." if rec.note else
                f"formcheck is not sure which movement this is (most likely {NOT_ONE_OF_THEM}, "
                f"{_percent(rec.confidence)}), so nothing was graded.")
    elif chosen is None:
        head = f"This is {NOT_ONE_OF_THEM} ({_percent(rec.confidence)} sure), so nothing was graded."
    elif rec.movement is None and rec.confident:
        head = (f"This looks like a different movement: not {a_movement(chosen)}, and {NOT_ONE_OF_THEM} "
                f"({_percent(rec.confidence)} sure), so it was not graded.")
    else:
        head = (f"This does not look like {a_movement(chosen)}: its body position or shape does not fit one, "
                "so it was not graded.")
    view = clip_view(track)
    problems = _camera_problems(track, chosen, view)
    chosen_ex = EXERCISES.get(chosen or "")
    seated = seated_hip_angle(rec) if chosen == "running_lunge" else None
    planted = hands_planted(rec) if chosen == "hamstring_stretch" else None
    if seated is not None:
        # s30: a seated knee extension on a chair, chosen as a running lunge, was told "the camera saw you
        # well ... compare it with the tips": the recogniser's own evidence read her seated, so say so.
        missed = (f"you look seated, not in a lunge: your trunk is upright with both thighs forward of the hips "
                  f"(the back leg's hip angle read {seated:.0f}°, where a lunge's back leg reaches back from the "
                  f"hips, {LUNGE_BACK_HIP_OPEN:.0f}° or more)")
    elif planted is not None:
        # s32: a downward dog was told only that its clip was too short for a hold; the
        # recogniser's deciding reason was the hands on the floor a body's length away.
        missed = (f"your hands were on the floor {planted:.1f} leg lengths from your feet, as in a downward dog "
                  f"or a plank; a hamstring stretch reaches them toward your feet or rests them on your legs "
                  f"(under {HANDS_REACH:.1f} leg lengths)")
    else:
        refused = rec.movement is None and rec.confident
        missed = _position_missed(track, chosen_ex, refused) if chosen_ex is not None else None
        missed = missed or (body_position_missed(rec, chosen) if chosen is not None else None)
    if missed:
        # s28: a staggered-stance stretch was told to do what it did ("put the leg forward, heel
        # down, and hinge"): say which part of the stretch's position did not match, with the
        # number and the limit (or that it was not held still), before any camera advice.
        camera = f" The camera may also be why: {'; '.join(problems)}." if problems else ""
        return f"{head}{nearest} Why: {missed}.{camera}"
    if problems:
        tip = chosen_ex.camera_tip if chosen_ex is not None else "Film your whole body, from the view the tips suggest."
        return f"{head}{nearest} The camera may be why: {'; '.join(problems)}. {tip}"
    if chosen is None:
        tail = "If you know which it is" if rec.note else "If it is one of them"
        return f"{head}{nearest} {tail}, choose it and analyse the clip again."
    # "from the front (camera facing your chest)" is not where a camera stands for a body on all
    # fours, chest to the floor (s27: a fire hydrant filmed from in front and to the side).
    where = ("" if chosen_ex is not None and chosen_ex.all_fours and view in ("front", "back")
             else VIEW_LABELS.get(view or "", ""))
    return (f"{head}{nearest} The camera saw you well {where}".rstrip()
            + f", so it is the movement that did not match: if it was {a_movement(chosen)}, compare it with the tips.")


def analyze(track: PoseTrack, movement: str, options: Options = Options(), source: str | None = None) -> dict:
    """Analyse a track as `movement` (or as the recognised movement for AUTO) and
    return the full report. A clip that confidently looks like another movement,
    or like none of them, is not graded (formcheck.recognise)."""
    check_movement(movement)
    if len(track) < MIN_ANALYSIS_FRAMES:
        dur = len(track) / track.fps if track.fps > 0 else 0.0
        raise BadVideoError(f"{source or track.source}: only {len(track)} frame(s) ({dur:.1f} s) could be analysed; "
                            f"at least {MIN_ANALYSIS_FRAMES} are needed (the file may be damaged or far too short)")
    if not track.detected.any():
        raise NoPersonError("no person was found in any frame of the clip")
    rec = recognise(track) if (options.recognise or movement == AUTO) else None
    note = None
    if movement == AUTO:
        if rec.movement is None or rec.movement not in available_movements():
            report = _ungraded(track, UNRECOGNISED, rec, refusal(track, rec, None), source)
            report["recognised"] = rec.to_report()
            return report
        movement = rec.movement
        if not rec.confident:
            note = (f"formcheck is not sure this is {a_movement(movement)} ({_percent(rec.confidence)}). "
                    "If it is another movement, choose it and analyse the clip again.")
    elif rec is not None:
        warning = mismatch(rec, movement)
        if warning is not None and (rec.movement is None or not rec.confident):
            warning = refusal(track, rec, movement)  # not "this looks like another movement": said here
        if warning is not None:
            report = _ungraded(track, movement, rec, warning, source)
            report["recognised"] = rec.to_report()
            return report
        note = doubt(rec, movement)
    report = _graded(track, movement, options, source)
    if rec is not None:
        report["recognised"] = rec.to_report()
        report["graded"] = True
    if note:
        report["warnings"].insert(0, note)
    return report


def analyze_file(path: str | os.PathLike, movement: str, options: Options = Options(),
                 video_out: str | os.PathLike | None = None, progress: ProgressFn | None = None) -> dict:
    """Video or .npz -> report (and an annotated video if asked and the input is a video)."""
    check_movement(movement)  # refuse an unknown movement before any slow work
    track = load_track(path, options.model, options.stride, progress, options.jobs, options.fast_tracking)
    report = analyze(track, movement, options, str(path))
    if video_out is not None:
        if Path(path).suffix.lower() == ".npz":
            report["warnings"].append("No annotated video: the input is a saved track, not a video.")
        else:
            write_annotated_video(path, track, report, video_out, options.stride)
    return report


# ---- annotated video --------------------------------------------------------------


def _drive_per_frame(track: PoseTrack, movement: str) -> dict[str, np.ndarray]:
    """The exercise's driving angle per side [N] on the cleaned track (for labels)."""
    if movement not in EXERCISES:
        return {}
    ex = EXERCISES[movement]
    out = {}
    for side in ("left", "right"):
        feats = side_features(ex, Joints(track.px, track.vis, track.world, side))
        out[side] = drive_signal(ex, feats)
    return out


def frame_overlays(report: dict, times: np.ndarray, drive: dict[str, np.ndarray] | None = None) -> list[Overlay]:
    """What to draw on each frame, from the finished report (pure)."""
    drive = drive or {}
    reps, holds, steps = report["reps"], report["holds"], report["steps"]
    exercise = EXERCISES.get(report["exercise"])
    out = []
    for i, t in enumerate(times):
        counter, sub, cue, good, labels = "", "", "", None, []
        if reps:
            # The counter turns over when a rep starts, so a frame inside rep k reads "Rep k"
            # (within its set); its verdict shows from its top until the next rep starts.
            started = [r for r in reps if r["start_s"] <= t]
            ref = started[-1] if started else reps[0]
            in_set = sum(1 for r in started if r["set"] == ref["set"])
            counter = rep_counter(in_set, exercise.target_reps if exercise else None)
            sub = rep_sub(ref["set"], ref["side"], len(started))
            if started and t >= ref["peak_s"] and t - ref["end_s"] <= CUE_SHOW_S:
                cue, good = rep_cue(ref, report["exercise"])
            side = ref["side"]
            if side in drive and np.isfinite(drive[side][i]):
                labels.append((int(landmark("knee", side)), f"{drive[side][i]:.0f} deg"))
        elif holds:
            cur = next((h for h in holds if h["start_s"] <= t <= h["end_s"]), None)
            done = [h for h in holds if h["end_s"] < t]
            if cur is not None:
                held = t - cur["start_s"]
                tgt = cur.get("target_s") or (exercise.hold_target_s if exercise else None)
                counter = hold_counter(held, tgt)
                sub = f"{cur['side']} side"
                good = held >= tgt if tgt else None
            else:
                counter = f"Holds done: {len(done)}"
            if done and t - done[-1]["end_s"] <= CUE_SHOW_S and done[-1]["faults"]:
                cue, good = done[-1]["faults"][0]["message"], False
        elif steps:
            done = [s for s in steps if s["contact_s"] <= t]
            counter = f"Steps {len(done)}"
            if report.get("gait", {}).get("cadence_spm"):
                sub = f"Cadence {report['gait']['cadence_spm']:.0f} steps/min"
            if done:
                last = done[-1]
                fppa = last["metrics"].get("fppa_deg")
                if fppa is not None and t - last["contact_s"] < 0.4:
                    labels.append((int(landmark("knee", last["side"])), f"FPPA {fppa:.0f} deg"))
                if last["faults"] and t - last["contact_s"] < 0.6:
                    cue, good = last["faults"][0]["message"], False
        out.append(Overlay(counter=counter, sub=sub, cue=cue, angles=tuple(labels), good=good))
    return out


def write_annotated_video(video_path: str | os.PathLike, track: PoseTrack, report: dict,
                          out_path: str | os.PathLike, stride: int = 1) -> Path:
    """Decode the clip again and write it with skeleton, angles, counter and cues (H.264)."""
    clean = clean_track(track, cutoff_hz=SMOOTH_HZ)
    movement = report["exercise"]
    overlays = frame_overlays(report, clean.times, _drive_per_frame(clean, movement))
    px, vis = clean.px, clean.vis
    fps = track.fps
    with H264Writer(out_path, fps) as writer:
        for i, (_t, frame) in enumerate(read_frames(video_path, stride=stride)):
            if i >= len(clean):
                break
            has = bool(clean.detected[i])
            writer.write(annotate(frame, px[i] if has else None, vis[i] if has else None, overlays[i]))
    return Path(out_path)
