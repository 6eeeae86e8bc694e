"""Analyse and save: a file or a finished live stream becomes a saved session
(the track is stored with it), and a saved session can be analysed again."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from formcheck.landmarks import PoseTrack
from formcheck.ui.labels import movement_title
from formcheck.ui.live_worker import LiveWorker

__all__ = ["analyze_and_save", "finish_live", "analyze_recording", "reanalyse_session", "likeliest_other"]


def finish_live(worker: LiveWorker, history) -> int:
    """Save a finished live stream: the raw track first (recordings/), then the
    offline analysis, then the session (which takes the track into media/<id>/).
    If the analysis fails the recording stays in recordings/ and the error is raised."""
    path = worker.stashed
    if path is None or not Path(path).exists():
        track = worker.recorded_track()
        if track is None:
            raise ValueError("nothing was recorded")
        path = worker.stashed = history.stash_recording(track)
    return analyze_recording(path, history, extra={"live": worker.stats()})


def analyze_recording(path: str | Path, history, exercise: str | None = None, side: str | None = None,
                      extra: dict | None = None) -> int:
    """Analyse a stashed live recording and save it as a session (the recording
    file is removed only once the session is committed)."""
    from formcheck.pipeline import Options, analyze

    track = PoseTrack.load_npz(path)
    exercise = exercise or track.meta.get("exercise") or "clamshell"
    side = side or track.meta.get("side") or "auto"
    report = analyze(track, exercise, Options(side=side, hold_target_s=track.meta.get("hold_target_s")),
                     source="live camera")
    report.update(extra or {})
    created = datetime.fromtimestamp(Path(path).stat().st_mtime).astimezone()
    # "auto": the movement the analysis recognised (or "unrecognised")
    return history.save_session(report, "live", f"Live {movement_title(report['exercise']).lower()}",
                                created_at=created,
                                track=path, remove_sources=(path,))


def _track_on_all_cores(path: Path, options, progress: Callable[[int, int], None] | None):
    """The pose track of a video over `options.jobs` worker processes (0: all cores,
    formcheck.parallel), as the CLI does. If the workers fail for any reason other
    than the clip itself (a FormCheckError: unreadable, nobody in view, which one
    core would say too), the clip is tracked again on one core and a note says so:
    (track, note or None)."""
    from formcheck.errors import FormCheckError
    from formcheck.pipeline import load_track

    try:
        return load_track(path, options.model, options.stride, progress, options.jobs, options.fast_tracking), None
    except FormCheckError:
        raise
    except Exception as e:  # noqa: BLE001 - the one-core path below decides; the reason goes into the note
        if options.jobs == 1 or path.suffix.lower() == ".npz":
            raise
        track = load_track(path, options.model, options.stride, progress, 1, options.fast_tracking)
        return track, (f"The clip was analysed on one core because analysing it on all cores failed "
                       f"({type(e).__name__}: {e}); nothing is lost, it only took longer.")


def analyze_and_save(path: str | Path, movement: str, options, history, source_kind: str, source_name: str,
                     progress: Callable[[int, int], None] | None = None,
                     stage: Callable[[str], None] | None = None, report: dict | None = None) -> int:
    """Video or .npz -> pose track -> report -> annotated video -> saved session id.

    The same steps as pipeline.analyze_file, kept apart so the track is stored
    with the session. A precomputed `report` skips the model (sample clips). An
    annotated video that cannot be written becomes a warning, not a lost analysis.
    """
    from formcheck.pipeline import analyze, check_movement, write_annotated_video

    check_movement(movement)
    path = Path(path)
    is_video = path.suffix.lower() != ".npz"
    track = None
    if report is None:
        if stage:
            stage("Finding the body in each frame")
        track, note = _track_on_all_cores(path, options, progress)
        report = analyze(track, movement, options, source_name)
        if note:
            report["warnings"].append(note)
    video = path if is_video and track is None else None
    tmp = history.root / "tmp" / f"{path.stem}-{time.time_ns()}.mp4"
    try:
        if is_video and track is not None:
            if stage:
                stage("Drawing the annotated video")
            try:
                video = write_annotated_video(path, track, report, tmp, options.stride)
            except Exception as e:  # noqa: BLE001 - an optional by-product; the analysis itself is kept
                report["warnings"].append(f"The annotated video could not be written ({type(e).__name__}: {e}).")
                video = None
        elif not is_video:
            report["warnings"].append("No video to show: the input is a saved pose track, not a video.")
        if stage:
            stage("Saving")
        return history.save_session(report, source_kind, source_name, video=video, track=track)
    finally:
        tmp.unlink(missing_ok=True)


def likeliest_other(report: dict, choices: list[str]) -> str | None:
    """The movement of `choices` a saved session is likeliest to be instead, for the
    "Analyse again as" picker to start on: the recogniser's mismatch, then what it
    recognised, then its closest alternative where the refusal names it too
    (recognise.nearest_named: a refused clip of two joggers, running 34%). None when
    it named none of them."""
    from formcheck.recognise import nearest_named

    rec = report.get("recognised") or {}
    near = nearest_named(rec.get("alternatives") or [])
    named = [(report.get("mismatch") or {}).get("recognised"), rec.get("movement"), near[0] if near else None]
    return next((m for m in named if m in choices), None)


def reanalyse_session(history, session_id: int, movement: str) -> dict:
    """Analyse a saved session again as `movement` (e.g. after it was saved under
    the wrong one) from its stored landmarks, and replace its report. Its date,
    notes and pain score stay. Returns the new report."""
    from formcheck.errors import FormCheckError
    from formcheck.pipeline import Options, analyze, check_movement

    check_movement(movement)
    s = history.get_session(session_id)
    if s is None:
        raise FormCheckError(f"session #{session_id} does not exist (it may have been deleted)")
    if not s["track_path"]:
        raise FormCheckError(f"session #{session_id} has no saved body landmarks, so it cannot be analysed again")
    old = s["report"]
    track = PoseTrack.load_npz(s["track_path"])
    holds = [h.get("target_s") for h in old.get("holds", []) if h.get("target_s")]
    hold = holds[0] if holds and old["exercise"] == movement else track.meta.get("hold_target_s")
    report = analyze(track, movement, Options(hold_target_s=hold), source=old["source"]["path"])
    for key in ("live",):
        if key in old:
            report[key] = old[key]
    if s["video_path"] and report["exercise"] != old["exercise"]:
        report["warnings"].append(f"The annotated video still shows the earlier analysis as "
                                  f"{movement_title(old['exercise']).lower()}; the results above are new.")
    history.replace_report(session_id, report)
    return report
