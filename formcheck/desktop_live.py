"""Desktop live mode: the webcam (or a video file) read with OpenCV, the same
live engine, overlay, counter and cues as the app, shown in an OpenCV window,
and the session saved to the same history.

The window itself is `video.PreviewWindow` (cv2 stays in the video adapter). Without a display (no
$DISPLAY / $WAYLAND_DISPLAY on Linux) or with `window=False` it runs headless;
a webcam without a display is refused, since nobody could see the coaching.
"""

from __future__ import annotations

import itertools
import os
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from formcheck._quiet import quiet_stderr
from formcheck.errors import BadVideoError, NoPersonError
from formcheck.exercises import EXERCISES
from formcheck.ui.live_worker import AUTO_LIVE, MIN_LIVE_FRAMES, LiveConfig, LiveWorker, default_estimator
from formcheck.ui.saving import finish_live

__all__ = ["LiveResult", "run_live", "has_display", "parse_camera"]

WINDOW = "formcheck live (q or Esc to stop)"


def has_display() -> bool:
    if sys.platform.startswith("linux"):
        return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    return True


def parse_camera(value: str) -> int | Path:
    """'0', '1'... is a webcam index; anything else a video file."""
    return int(value) if value.strip().isdigit() else Path(value)


@dataclass(frozen=True)
class LiveResult:
    session_id: int | None  # None: nothing saved (nobody was seen)
    frames: int
    live_reps: int
    holds: int
    windowed: bool
    message: str


def _frames(camera: int | Path) -> Iterator[tuple[float | None, np.ndarray]]:
    from formcheck.video import camera_frames, read_frames

    if isinstance(camera, int):
        yield from camera_frames(camera)
    else:
        yield from read_frames(camera)


def run_live(exercise: str, camera: int | Path, history, *, side: str = "auto", hold_target_s: float | None = None,
             window: bool = True, max_seconds: float | None = None, screenshot: Path | None = None,
             estimator_factory: Callable[[], object] = default_estimator,
             say: Callable[[str], None] = print) -> LiveResult:
    """Coach one set live. Stops at the end of a file, on q/Esc in the window,
    after `max_seconds` of stream time, or on Ctrl-C; then saves the session.
    `screenshot` writes the last frame shown (annotated) as a PNG."""
    from formcheck.exercises import get_exercise

    auto = exercise == AUTO_LIVE
    ex = None if auto else get_exercise(exercise)
    windowed = window and has_display()
    frames = _frames(camera)
    first = next(frames, None)  # a missing camera or file fails here, before any window opens
    if first is None:
        raise BadVideoError(f"{camera}: no frames")
    if isinstance(camera, int) and not windowed:
        frames.close()
        raise BadVideoError("a webcam needs a window to coach you, and there is no display here "
                            "(use --camera FILE to analyse a recording headless)")
    # A file played as the camera is processed frame by frame, so recognition runs
    # in line (deterministic); a webcam's frames must not wait for it.
    worker = LiveWorker(LiveConfig(exercise, side, hold_target_s, ex.target_reps if ex else None),
                        estimator_factory, recognise_in_background=isinstance(camera, int))
    view = None
    if windowed:
        from formcheck.video import PreviewWindow

        view = PreviewWindow(WINDOW, first[1])
    last_reps, last_cue, last_out, said_recognised = 0, None, None, False
    t_start = time.monotonic()
    try:
        for t, frame in itertools.chain([first], frames):
            out, info = worker.process(frame, t)
            last_out = out
            if info is None:
                break
            if auto and not said_recognised and info["exercise"] is not None:
                said_recognised = True
                done = info["rep_count"] if info["exercise"] in EXERCISES and EXERCISES[info["exercise"]].kind == "reps" \
                    else len(worker.session.holds)
                say(f"{info['t']:6.1f} s  {info['recognised']}: counting it ({done} done before this, recounted)")
            if info["rep_count"] > last_reps:
                last_reps = info["rep_count"]
                cue = info["cue"] or "counted"  # the rep's own line: a fault, "Good rep" or what was not judged
                say(f"{info['t']:6.1f} s  Rep {info['set_reps']} / {info['target']} · set {info['set_number']} · "
                    f"{info['side'] or 'any'} side · {cue}")
            elif info["cue_is_fault"] and info["cue"] != last_cue:
                say(f"{info['t']:6.1f} s  {info['cue']}")
            last_cue = info["cue"] if info["cue_is_fault"] else None
            if view is not None and not view.show(out):
                break
            elapsed = info["t"] if t is not None else time.monotonic() - t_start
            if max_seconds is not None and elapsed >= max_seconds:
                break
    except KeyboardInterrupt:
        pass
    finally:
        if view is not None:
            view.close()
        frames.close()
        with quiet_stderr():  # MediaPipe logs its shutdown on stderr
            worker.close()
    if screenshot is not None and last_out is not None:
        from formcheck.video import write_png

        write_png(screenshot, last_out)
    holds = len(worker.session.holds) if worker.session else 0
    if worker.frames < MIN_LIVE_FRAMES or worker.detected == 0:
        return LiveResult(None, worker.frames, 0, 0, windowed,
                          "Nothing saved: nobody was in view." if worker.frames else "Nothing saved: no frames.")
    try:
        sid = finish_live(worker, history)
    except NoPersonError as e:
        return LiveResult(None, worker.frames, last_reps, holds, windowed,
                          f"Recording kept in {history.recordings_dir} but not analysed: {e}")
    s = history.get_session(sid)
    name = s["report"]["exercise"]
    kind = get_exercise(name).kind if name in EXERCISES else None
    if kind is None:  # auto, and the whole recording is none of the movements
        return LiveResult(sid, worker.frames, last_reps, holds, windowed,
                          f"Saved as session #{sid}: not recognised as any movement formcheck knows, so nothing "
                          "was graded.")
    what = f"{s['rep_count']} reps" if kind == "reps" else f"{s['hold_count']} holds"
    if auto:
        what = f"{name.replace('_', ' ')}, {what}"
    return LiveResult(sid, worker.frames, last_reps, holds, windowed,
                      f"Saved as session #{sid}: {what} in the full analysis ({last_reps} counted live).")
