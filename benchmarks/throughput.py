"""Throughput and memory of `formcheck analyze`, measured in one run.

1. A bare loop: OpenCV decode + MediaPipe PoseLandmarker.detect_for_video over
   the clip (the floor: nothing formcheck does can be faster than this).
2. formcheck's full analyze path (probe, decode, pose, cleaning, analysis, report).
3. The same analyze on the clip looped 4 times, to show that peak memory does
   not grow with clip length (frames are streamed, only landmarks are kept).

Each measurement runs in a fresh subprocess so peak RSS is its own. Prints
frames per second, the analyze/bare ratio (target >= 0.9) and the 4x/1x peak
memory ratio (target ~1.0).

    .venv/bin/python benchmarks/throughput.py [--clip PATH] [--movement NAME] [--repeat N]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT_CLIP = REPO.parent / "shared" / "clips" / "treadmill_side_male.mp4"

BARE = r"""
import json, resource, sys, time
import cv2, mediapipe as mp
from mediapipe.tasks.python import BaseOptions, vision
clip, model = sys.argv[1], sys.argv[2]
opts = vision.PoseLandmarkerOptions(base_options=BaseOptions(model_asset_path=model),
                                    running_mode=vision.RunningMode.VIDEO, num_poses=2)
lm = vision.PoseLandmarker.create_from_options(opts)
t0 = time.perf_counter()
cap = cv2.VideoCapture(clip)
n, last = 0, -1
while True:
    ok, frame = cap.read()
    if not ok:
        break
    ms = max(int(cap.get(cv2.CAP_PROP_POS_MSEC)), last + 1)
    last = ms
    lm.detect_for_video(mp.Image(image_format=mp.ImageFormat.SRGB, data=cv2.cvtColor(frame, cv2.COLOR_BGR2RGB)), ms)
    n += 1
cap.release()
dt = time.perf_counter() - t0
lm.close()
print(json.dumps({"frames": n, "seconds": dt, "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""

ANALYZE = r"""
import json, resource, sys, time
from formcheck.pipeline import Options, analyze_file
clip, movement = sys.argv[1], sys.argv[2]
t0 = time.perf_counter()
report = analyze_file(clip, movement, Options())
dt = time.perf_counter() - t0
print(json.dumps({"frames": report["source"]["frames"], "seconds": dt,
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def run(code: str, *args: str) -> dict:
    out = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, cwd=REPO)
    if out.returncode != 0:
        raise SystemExit(f"benchmark step failed:\n{out.stderr[-2000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def looped(clip: Path, times: int, dest: Path) -> Path:
    """The clip repeated `times` times, re-encoded (H.264)."""
    sys.path.insert(0, str(REPO))
    from formcheck.video import H264Writer, probe, read_frames

    with H264Writer(dest, probe(clip).fps) as w:
        for _ in range(times):
            for _t, frame in read_frames(clip):
                w.write(frame)
    return dest


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--clip", type=Path, default=DEFAULT_CLIP)
    ap.add_argument("--movement", default="running")
    ap.add_argument("--repeat", type=int, default=2, help="runs of each; the best is kept")
    args = ap.parse_args()
    if not args.clip.exists():
        raise SystemExit(f"clip not found: {args.clip}")
    model = str(REPO / "models" / "pose_landmarker_full.task")
    sys.path.insert(0, str(REPO))
    from formcheck.pipeline import available_movements

    movement = args.movement if args.movement in available_movements() else "clamshell"
    bare, ana = [], []
    for _ in range(args.repeat):  # interleaved, so machine load affects both alike
        bare.append(run(BARE, str(args.clip), model))
        ana.append(run(ANALYZE, str(args.clip), movement))
    b = min(bare, key=lambda r: r["seconds"])
    a = min(ana, key=lambda r: r["seconds"])
    fps_b, fps_a = b["frames"] / b["seconds"], a["frames"] / a["seconds"]
    print(f"clip: {args.clip.name}, {b['frames']} frames; movement analysed: {movement}")
    print(f"bare decode + PoseLandmarker loop : {fps_b:6.1f} frames/s  (peak RSS {b['peak_rss_mb']:.0f} MB)")
    print(f"formcheck analyze                 : {fps_a:6.1f} frames/s  (peak RSS {a['peak_rss_mb']:.0f} MB)")
    print(f"throughput ratio analyze / bare   : {fps_a / fps_b:.3f}x  (target >= 0.9)")
    with tempfile.TemporaryDirectory() as d:
        long_clip = looped(args.clip, 4, Path(d) / "looped4.mp4")
        a4 = run(ANALYZE, str(long_clip), movement)
    print(f"analyze on the clip looped 4x     : {a4['frames']} frames, peak RSS {a4['peak_rss_mb']:.0f} MB")
    print(f"peak memory ratio 4x / 1x         : {a4['peak_rss_mb'] / a['peak_rss_mb']:.3f}  (flat = streaming)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
