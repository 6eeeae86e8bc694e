"""The live loop in real time: a clip replayed through the live worker at its
frame rate (30 fps for the samples), as a webcam would deliver it.

Frames are handed to `LiveRun.on_frame` (threaded: the newest-frame loop the
Live page uses) on a real-time schedule with the real pose model. Prints the
processed frames per second, the latency from a frame's arrival to its overlay
being ready (p50, p95), the frames dropped to keep up (counted, never queued),
how long `on_frame` itself blocks the caller, and the live rep count against the
clip's truth. Targets (issue 13): >= 15 processed frames/s, p95 < 150 ms.
By default both modes run, one after the other: the default (num_poses=2, the
person detector on every frame) and --fast-tracking (num_poses=1).

    .venv/bin/python benchmarks/live.py [--clip sample_videos/clamshell.mp4] [--exercise NAME] [--fps 30]
                                        [--fast-tracking | --default-only]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def replay(clip: Path, exercise: str, frames: list, fps: float, fast_tracking: bool) -> tuple[dict, int]:
    """One real-time replay of `frames` through the threaded live worker; prints its figures."""
    from formcheck.live import LiveSession
    from formcheck.ui.live_worker import LiveConfig, LiveRun, LiveWorker, default_estimator

    run = LiveRun(threaded=True)
    run.config = LiveConfig(exercise)
    # Load the model before the clock starts, as the page does when the camera is switched on.
    run._current = LiveWorker(run.config)
    if fast_tracking:
        from formcheck.models import resolve_model
        from formcheck.pose import MediaPipeEstimator

        run._current.estimator = MediaPipeEstimator(resolve_model("full"), num_poses=1)
    else:
        run._current.estimator = default_estimator()
    num_poses = run._current.estimator.num_poses
    h, w = frames[0].shape[:2]
    run._current.session = LiveSession(exercise, "auto", None, width=w, height=h)
    period = 1.0 / fps
    block_ms = []
    start = time.perf_counter()
    cpu0 = time.process_time()
    for i, frame in enumerate(frames):
        due = start + i * period
        now = time.perf_counter()
        if due > now:
            time.sleep(due - now)
        t0 = time.perf_counter()
        run.on_frame(frame, i * period)
        block_ms.append((time.perf_counter() - t0) * 1000)
        run.drain()
    worker = run._current
    worker.loop.wait_idle(5)
    wall = time.perf_counter() - start
    cpu = time.process_time() - cpu0
    st = worker.stats()
    reps = len(worker.session.reps)
    run.on_ended()
    truth_file = clip.with_suffix(".json")
    truth = json.loads(truth_file.read_text()).get("reps") if truth_file.exists() else None
    load = os.getloadavg()
    mode = "--fast-tracking (num_poses=1)" if fast_tracking else f"default (num_poses={num_poses})"
    print(f"{mode}: {clip.name}, {len(frames)} frames at {fps:.0f} fps ({len(frames) / fps:.1f} s), "
          f"exercise {exercise}, {w}x{h}")
    print(f"  load average at the end      : {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} on {os.cpu_count()} cores")
    print(f"  processed frames/s           : {st['frames'] / wall:6.1f}  (target >= 15)")
    print(f"  latency arrival -> overlay   : p50 {st['latency_median_ms']:.0f} ms, p95 {st['latency_p95_ms']:.0f} ms"
          "  (target p95 < 150 ms)")
    print(f"  frames dropped to keep up    : {st['dropped']} of {st['submitted']} "
          f"({st['dropped'] / max(st['submitted'], 1):.0%}), processed {st['frames']}")
    print(f"  CPU time per processed frame : {cpu / max(st['frames'], 1) * 1000:.0f} ms (all threads, incl. drawing every "
          f"arriving frame; ~{st['frames'] / max(cpu, 1e-9):.0f} frames/s if it had a core to itself)")
    print(f"  on_frame blocks the caller   : p50 {np.median(block_ms):.1f} ms, p95 {np.percentile(block_ms, 95):.1f} ms")
    if truth is not None:
        print(f"  live rep count               : {reps} (truth {len(truth)})")
    if worker.loop.error is not None:
        print(f"  error in the live worker     : {type(worker.loop.error).__name__}: {worker.loop.error}")
        return st, 1
    return st, 0


def main() -> int:
    from formcheck.ui.labels import live_movements
    from formcheck.video import read_frames

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--clip", type=Path, default=REPO / "sample_videos" / "clamshell.mp4")
    ap.add_argument("--exercise", default=None, help="default: the clip's name if it is an exercise")
    ap.add_argument("--fps", type=float, default=30.0, help="arrival rate of frames (the webcam's rate)")
    mode = ap.add_mutually_exclusive_group()
    mode.add_argument("--fast-tracking", action="store_true", help="only num_poses=1 tracking")
    mode.add_argument("--default-only", action="store_true", help="only the default mode")
    args = ap.parse_args()
    if not args.clip.exists():
        raise SystemExit(f"clip not found: {args.clip}")
    exercise = args.exercise or (args.clip.stem if args.clip.stem in live_movements() else "clamshell")
    frames = [f for _t, f in read_frames(args.clip)]  # decoded up front: decoding is not the webcam's cost
    modes = [True] if args.fast_tracking else [False] if args.default_only else [False, True]
    code = 0
    for fast in modes:  # one after the other, never at once: each has the machine to itself
        code |= replay(args.clip, exercise, frames, args.fps, fast)[1]
    return code


if __name__ == "__main__":
    raise SystemExit(main())
