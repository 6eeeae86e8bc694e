"""Precomputed analyses of the sample clips, so a sample's review opens at once.

For each sample_videos/<movement>.mp4 (with its truth sidecar <movement>.json)
this writes, beside it:
  <movement>.report.json    the report, exactly as `formcheck analyze` (1 job) gives it
  <movement>.track.npz      the raw pose track (the review's angle chart and frames)
  <movement>.annotated.mp4  the annotated video (skeleton, counter, cues)
  <movement>.demo.mp4       a few seconds of the movement, small and muted: the demo
                            on the routine's set-up card (played looping)
The report records the SHA-256 of the clip it was made from; the app uses it only
while the clip is unchanged, and tests/test_e2e_samples.py checks that it still
equals a fresh analysis. It does not re-render the clips (that is formcheck_synth.samples).

    python -m formcheck.sample_reports sample_videos [--only clamshell running] [--demos-only]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
from pathlib import Path

__all__ = ["precompute", "write_demo", "demo_span", "demo_for", "file_sha256", "REPORT_SUFFIX", "TRACK_SUFFIX",
           "ANNOTATED_SUFFIX", "DEMO_SUFFIX"]

REPORT_SUFFIX = ".report.json"
TRACK_SUFFIX = ".track.npz"
ANNOTATED_SUFFIX = ".annotated.mp4"
DEMO_SUFFIX = ".demo.mp4"
# The demo: a quarter of the clip's pixels at 15 frames/s, H.264 at CRF 30: 10-20 KB a
# movement, so the seven demos stay near 0.1 MB in the repository [own].
DEMO_SHRINK = 2
DEMO_FPS = 15.0
DEMO_CRF = 30


def file_sha256(path: str | os.PathLike) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _options(video: Path):
    from formcheck.pipeline import Options

    side = video.with_suffix(".json")
    opts = json.loads(side.read_text()).get("analysis_options", {}) if side.exists() else {}
    return Options(**opts)


def precompute(video: str | os.PathLike) -> dict[str, Path]:
    """Analyse one sample clip (sequentially, as `analyze --jobs 1`) and write its
    report, raw track and annotated video beside it. Returns the three paths."""
    from formcheck.pipeline import analyze, load_track, write_annotated_video
    from formcheck.report import write_json

    video = Path(video)
    movement = video.stem
    options = _options(video)
    track = load_track(video, options.model, options.stride, jobs=1)
    report = analyze(track, movement, options, video.name)
    report["precomputed"] = {"video_sha256": file_sha256(video), "command": f"python -m formcheck.sample_reports "
                             f"{video.parent.name} --only {movement}"}
    base = video.with_suffix("")
    out = {"report": Path(f"{base}{REPORT_SUFFIX}"), "track": Path(f"{base}{TRACK_SUFFIX}"),
           "annotated": Path(f"{base}{ANNOTATED_SUFFIX}")}
    track.replace(source=video.name).save_npz(out["track"])
    write_annotated_video(video, track, report, out["annotated"], options.stride)
    demo = write_demo(video)
    if demo is not None:
        out["demo"] = demo
    write_json(report, out["report"])  # last: a report on disk means its track and video are there too
    return out


def demo_span(truth: dict) -> tuple[float, float] | None:
    """(start, end) seconds of the clip the demo shows: its first rep, from rest to
    rest; for a stretch, getting into the hold and the first second of it."""
    if truth.get("reps"):
        r = truth["reps"][0]
        return max(0.0, r["start_s"] - 0.3), r["end_s"] + 0.3
    if truth.get("holds"):
        h = truth["holds"][0]
        return max(0.0, h["start_s"] - 2.5), h["start_s"] + 1.5
    return None


def write_demo(video: str | os.PathLike, out: str | os.PathLike | None = None) -> Path | None:
    """Write the sample clip's demo (see DEMO_*) beside it, or to `out`. None when the
    truth sidecar names no rep or hold to show."""
    from formcheck.video import H264Writer, probe, read_frames

    video = Path(video)
    span = demo_span(json.loads(video.with_suffix(".json").read_text()))
    if span is None:
        return None
    out = Path(out) if out is not None else Path(f"{video.with_suffix('')}{DEMO_SUFFIX}")
    stride = max(1, round(probe(video).fps / DEMO_FPS))
    with H264Writer(out, probe(video).fps / stride, crf=DEMO_CRF, preset="veryslow") as w:
        for k, (t, frame) in enumerate(read_frames(video)):
            if t > span[1]:
                break
            if t >= span[0] and k % stride == 0:
                w.write(frame[::DEMO_SHRINK, ::DEMO_SHRINK])
    return out


def demo_for(folder: str | os.PathLike, movement: str) -> Path | None:
    """The movement's demo clip in the samples folder, if there is one."""
    path = Path(folder) / f"{movement}{DEMO_SUFFIX}"
    return path if path.is_file() else None


def sample_clips(folder: Path, only: list[str] | None = None) -> list[Path]:
    """The sample clips in `folder`: <movement>.mp4 with a truth sidecar."""
    from formcheck.pipeline import available_movements

    names = only or available_movements()
    return [folder / f"{m}.mp4" for m in names if (folder / f"{m}.mp4").is_file() and (folder / f"{m}.json").is_file()]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Precompute the sample clips' reports, tracks and annotated videos.")
    ap.add_argument("folder", type=Path, nargs="?", default=Path("sample_videos"))
    ap.add_argument("--only", nargs="*", default=None, help="movements (default: every sample clip present)")
    ap.add_argument("--demos-only", action="store_true", help="only the short demo clips (no pose model)")
    args = ap.parse_args(argv)
    clips = sample_clips(args.folder, args.only)
    if not clips:
        print(f"no sample clips (<movement>.mp4 with <movement>.json) in {args.folder}", file=sys.stderr)
        return 2
    if args.demos_only:
        for clip in clips:
            demo = write_demo(clip)
            print(f"{clip.stem}: " + (f"{demo.name} ({demo.stat().st_size // 1024} KB)" if demo else "no demo"))
        return 0
    for clip in clips:
        out = precompute(clip)
        rep = json.loads(out["report"].read_text())
        n = len(rep["reps"]) or len(rep["holds"]) or len(rep["steps"])
        print(f"{clip.stem}: {n} {'reps' if rep['reps'] else 'holds' if rep['holds'] else 'steps'} -> "
              + ", ".join(p.name for p in out.values()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
