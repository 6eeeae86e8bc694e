"""What the live analysis costs per frame, beside the pose model, over a long session.

The live loop (formcheck.live.LiveSession) keeps the whole session's history: while a
stretch is held it looks back over the last 120 s for holds (events.find_holds on each
candidate close, events.unread_holds once a second), and on each finished rep it checks
the other leg. This replays a saved pose track (no pose model in the loop) frame by
frame through `LiveSession.push`, repeated end to end until the session is long enough
for the look-back to be full, and prints the time each push takes: p50, p95, p99 and
the worst, the pushes that ran a hold search, and, measured in the same run on frames of
the clip, the pose model's own time per frame, so that the analysis is a ratio of it.
Timings are CPU-bound and share the machine: read the ratios, not the milliseconds.

    .venv/bin/python benchmarks/live_analysis.py sample_videos/hamstring_stretch.mp4 --minutes 4
    .venv/bin/python benchmarks/live_analysis.py CLIP.mp4 --track CLIP.npz --exercise figure_four
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def push_times(track, exercise: str, minutes: float, every: int) -> tuple[np.ndarray, int, int, int, float]:
    """Per-push wall time (ms) of a LiveSession fed `track` repeated to `minutes`;
    also the reps and holds it counted, the frames pushed and the session length (s)."""
    from formcheck.live import LiveSession
    from formcheck.pose import Detection

    span = float(track.times[-1] - track.times[0]) + 1.0 / track.fps
    loops = max(1, int(np.ceil(minutes * 60 / span)))
    live = LiveSession(exercise, "auto", None, width=track.width, height=track.height)
    ms = []
    for k in range(loops):
        for i in range(0, len(track), every):
            det = Detection(track.xy[i], track.vis[i], track.world[i]) if track.detected[i] else None
            t = float(track.times[i] - track.times[0]) + k * span
            t0 = time.thread_time()
            live.push(t, det)
            ms.append((time.thread_time() - t0) * 1000)
    t0 = time.thread_time()
    live.finish()
    ms.append((time.thread_time() - t0) * 1000)
    return np.array(ms), len(live.reps), len(live.holds), loops, loops * span


def pose_ms(clip: Path, frames: int) -> float:
    """Median process CPU time (ms) of the default live estimator per frame of the clip's first
    frames, after a warm-up (process time: the landmarker runs its own threads)."""
    from formcheck.ui.live_worker import default_estimator
    from formcheck.video import read_frames

    est = default_estimator()
    out = []
    for i, (t, frame) in enumerate(read_frames(str(clip))):
        if i >= frames + 5:
            break
        t0 = time.process_time()
        est.detect(frame, t)
        if i >= 5:
            out.append((time.process_time() - t0) * 1000)
    return float(np.median(out))


def main() -> int:
    from formcheck.exercises import get_exercise
    from formcheck.pipeline import load_track

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("clip", type=Path, help="the video (its pose model time is measured on it)")
    ap.add_argument("--track", type=Path, default=None, help="its saved track (.npz); default: track the clip now")
    ap.add_argument("--exercise", default=None, help="default: the clip's name if it is an exercise")
    ap.add_argument("--minutes", type=float, default=4.0, help="session length to replay (track repeated)")
    ap.add_argument("--live-fps", type=float, default=15.0,
                    help="frames/s the live loop processes (every n-th track frame is pushed)")
    ap.add_argument("--pose-frames", type=int, default=40, help="frames to time the pose model on")
    args = ap.parse_args()

    exercise = args.exercise or args.clip.stem.split(".")[0]
    get_exercise(exercise)
    track = load_track(args.track or args.clip)
    every = max(1, int(round(track.fps / args.live_fps)))
    ms, reps, holds, loops, session_s = push_times(track, exercise, args.minutes, every)
    pose = pose_ms(args.clip, args.pose_frames)
    slow = ms > 5 * np.median(ms)
    print(f"{args.clip.name} as {exercise}: {len(track)} frames at {track.fps:.0f} fps repeated {loops}x = "
          f"{session_s:.0f} s, every {every} frame(s) pushed ({len(ms) - 1} pushes, ~{track.fps / every:.0f}/s)")
    print(f"  counted                      : {reps} reps, {holds} holds")
    print(f"  analysis per push            : p50 {np.median(ms):.2f} ms, p95 {np.percentile(ms, 95):.2f}, "
          f"p99 {np.percentile(ms, 99):.2f}, worst {ms.max():.1f} (finish: {ms[-1]:.1f})")
    print(f"  pushes over 5x the median    : {int(slow.sum())} ({slow.mean():.1%}), "
          f"{ms[slow].sum() / 1000:.2f} s of {ms.sum() / 1000:.2f} s analysis in all")
    print(f"  pose model per frame (same run, median of {args.pose_frames}): {pose:.1f} ms")
    print(f"  analysis / pose model        : p50 {np.median(ms) / pose:.3f}, p95 {np.percentile(ms, 95) / pose:.3f}, "
          f"p99 {np.percentile(ms, 99) / pose:.3f}, worst {ms.max() / pose:.2f}")
    first, last = ms[: len(ms) // loops], ms[-len(ms) // loops - 1: -1]
    print(f"  first vs last pass, p95      : {np.percentile(first, 95):.2f} ms vs {np.percentile(last, 95):.2f} ms "
          f"(ratio {np.percentile(last, 95) / np.percentile(first, 95):.2f}; flat if the look-back is bounded)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
