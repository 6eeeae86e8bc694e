"""Can a num_poses=1 tracker that re-detects now and then stand in for detecting on every frame?

For each clip, runs the pose model in several modes and compares their leg landmarks (hips, knees, ankles) with
detect-every-frame (num_poses=2, the default, pose.DEFAULT_NUM_POSES) frame by frame: median and 95th percentile of
the worst leg landmark's distance in pixels, and the share of frames where it is over 0.15 torso lengths. Modes:

    detect     num_poses=2, the person detector on every frame (the reference)
    track      num_poses=1, the detector only when the person is lost
    jump       track, plus a fresh tracker (so a fresh detection) on a frame where a leg segment's length (> 0.25
               torso), the legs' mean visibility (> 0.2) or the body's box (> 0.25 torso) jumps [own thresholds]
    everyN     track, plus a fresh tracker every N frames
    tconfX     track with the landmarker's min_tracking_confidence = X

Frames/s are printed but mean little on a shared machine. Figures in README "Speed." and pose.py.

    .venv/bin/python benchmarks/redetect.py sample_videos/figure_four.mp4 --modes detect,track,jump,every10,every3
    .venv/bin/python benchmarks/redetect.py CLIP --max-frames 300
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
LEG = [23, 24, 25, 26, 27, 28]


def _fresh(est, min_tracking: float = 0.5) -> None:
    """Replace the estimator's VIDEO-mode landmarker by a new one (its next frame runs the detector)."""
    vision = est._vision
    est._lm.close()
    est._lm = vision.PoseLandmarker.create_from_options(vision.PoseLandmarkerOptions(
        base_options=est._base(model_asset_buffer=est._model_bytes), running_mode=vision.RunningMode.VIDEO,
        num_poses=1, min_pose_detection_confidence=0.5, min_pose_presence_confidence=0.5,
        min_tracking_confidence=min_tracking))


def _features(xy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    torso = np.linalg.norm((xy[11] + xy[12]) / 2 - (xy[23] + xy[24]) / 2) + 1e-6
    segs = np.array([np.linalg.norm(xy[a] - xy[b]) for a, b in ((23, 25), (25, 27), (24, 26), (26, 28))]) / torso
    return segs, (xy.max(0) - xy.min(0)) / torso


def _jumped(a, b) -> bool:
    (sa, ba, va), (sb, bb, vb) = a, b
    return bool(np.any(np.abs(sb - sa) > 0.25) or abs(vb - va) > 0.2 or np.any(np.abs(bb - ba) > 0.25))


def run(path: str, mode: str, max_frames: int) -> tuple[list, float, int]:
    from formcheck.models import resolve_model
    from formcheck.pose import MediaPipeEstimator
    from formcheck.video import probe, read_frames

    info = probe(path)
    size = np.array([info.width, info.height], float)
    est = MediaPipeEstimator(resolve_model("full"), num_poses=2 if mode == "detect" else 1, people_check_s=None)
    if mode.startswith("tconf"):
        _fresh(est, float(mode[5:]))
    out, fresh, prev = [], 0, None
    t0 = time.perf_counter()
    for i, (t, frame) in enumerate(read_frames(path)):
        if i >= max_frames:
            break
        d = est.detect(frame, t)
        if mode.startswith("every") and i % int(mode[5:]) == int(mode[5:]) - 1:
            _fresh(est)
            fresh += 1
        elif mode == "jump" and d is not None:
            cur = (*_features(d.xy * size), float(np.mean(d.vis[LEG])))
            if prev is not None and _jumped(prev, cur):
                _fresh(est)
                fresh += 1
                d = est.detect(frame, t + 0.0005)
                cur = (*_features(d.xy * size), float(np.mean(d.vis[LEG]))) if d is not None else None
            prev = cur
        out.append(None if d is None else d.xy * size)
    fps = len(out) / (time.perf_counter() - t0)
    est.close()
    return out, fps, fresh


def compare(ref: list, xs: list) -> tuple[float, float, float]:
    """Median and p95 (px) of the worst leg landmark's distance, and the share of frames over 0.15 torso."""
    worst, far = [], 0
    for r, x in zip(ref, xs):
        if r is None or x is None:
            continue
        torso = np.linalg.norm((r[11] + r[12]) / 2 - (r[23] + r[24]) / 2) + 1e-6
        e = float(np.linalg.norm(r[LEG] - x[LEG], axis=1).max())
        worst.append(e)
        far += e > 0.15 * torso
    w = np.array(worst)
    return float(np.median(w)), float(np.percentile(w, 95)), far / max(len(w), 1)


def main() -> int:
    sys.path.insert(0, str(REPO))
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("clips", nargs="+")
    ap.add_argument("--modes", default="detect,track,jump,every10,every3")
    ap.add_argument("--max-frames", type=int, default=10**9)
    args = ap.parse_args()
    modes = args.modes.split(",")
    if modes[0] != "detect":
        modes.insert(0, "detect")
    for clip in args.clips:
        res = {m: run(clip, m, args.max_frames) for m in modes}
        for m in modes:
            xs, fps, fresh = res[m]
            med, p95, far = compare(res["detect"][0], xs)
            print(f"{Path(clip).name:36s} {m:9s} {fps:6.1f} frames/s  fresh trackers {fresh:4d}  leg landmarks vs "
                  f"detect: median {med:6.1f} px, p95 {p95:6.1f} px, over 0.15 torso {far:5.1%}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
