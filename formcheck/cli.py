"""The `formcheck` command line: analyze a clip, or export its pose track."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from formcheck.errors import FormCheckError
from formcheck.exercises import MOVEMENTS
from formcheck.models import MODEL_NAMES
from formcheck.pipeline import Options, analyze_file, load_track
from formcheck.report import summary_text, write_json

__all__ = ["main", "build_parser"]

PROGRESS_MIN_FRAMES = 300  # show a progress bar for clips longer than ~10 s at 30 fps


class _Bar:
    """A one-line progress bar on stderr, for long clips only."""

    def __init__(self, label: str):
        self.label = label
        self.t0 = time.monotonic()
        self.shown = False

    def __call__(self, done: int, total: int) -> None:
        if total < PROGRESS_MIN_FRAMES or (done % 10 and done != total):
            return
        frac = min(1.0, done / max(total, 1))
        el = time.monotonic() - self.t0
        eta = el / frac - el if frac > 0 else 0
        sys.stderr.write(f"\r{self.label} [{'#' * int(30 * frac):<30}] {frac:4.0%}  {done}/{total} frames, ~{eta:.0f} s left ")
        sys.stderr.flush()
        self.shown = True

    def end(self) -> None:
        if self.shown:
            sys.stderr.write("\n")


def _model(value: str) -> str:
    return value


class _Parser(argparse.ArgumentParser):
    """Usage errors as one line on stderr, exit code 2."""

    def error(self, message: str):  # type: ignore[override]
        self.exit(2, f"formcheck: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="formcheck", description="Rep-by-rep form feedback from one camera.")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)

    a = sub.add_parser("analyze", help="analyse a video (or a saved .npz track) of one movement")
    a.add_argument("video", help="video file (MP4, MOV, AVI, WEBM, MKV) or a .npz track from 'formcheck track'")
    a.add_argument("--exercise", "-e", required=True, choices=MOVEMENTS, metavar="NAME",
                   help="one of: " + ", ".join(MOVEMENTS))
    a.add_argument("--side", choices=("auto", "left", "right"), default="auto",
                   help="working side; auto detects it (and side switches)")
    a.add_argument("--json", dest="json_out", metavar="OUT", help="write the report as JSON")
    a.add_argument("--video", dest="video_out", metavar="OUT.mp4", help="write an annotated H.264 video")
    a.add_argument("--model", type=_model, default="full", help=f"{'|'.join(MODEL_NAMES)} or a path to a .task bundle")
    a.add_argument("--stride", type=int, default=1, help="analyse every Nth frame (faster, less precise)")
    a.add_argument("--hold", type=float, dest="hold_target", metavar="SECONDS",
                   help="hold target in seconds (stretches: 30, straight leg raise: 3)")
    a.add_argument("--time-scale", type=float, default=1.0, metavar="X",
                   help="running: real seconds per video second; 0.25 for 120 fps slow motion played at 30 fps")

    t = sub.add_parser("track", help="export the cleaned pose landmarks of a video (CSV or NPZ)")
    t.add_argument("video")
    t.add_argument("--out", required=True, help="output .npz (re-analysable) or .csv")
    t.add_argument("--model", type=_model, default="full")
    t.add_argument("--stride", type=int, default=1)
    return p


def _fail(msg: str) -> int:
    sys.stderr.write(f"formcheck: error: {msg}\n")
    return 2


def main(argv: list[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as e:  # usage errors (exit 2) and --help (exit 0)
        return int(e.code or 0)
    if getattr(args, "stride", 1) < 1:
        return _fail(f"--stride must be 1 or more, got {args.stride}")
    bar = _Bar("analysing" if args.command == "analyze" else "tracking")
    try:
        if args.command == "analyze":
            if args.time_scale <= 0:
                return _fail(f"--time-scale must be positive, got {args.time_scale}")
            opts = Options(side=args.side, model=args.model, stride=args.stride,
                           hold_target_s=args.hold_target, time_scale=args.time_scale)
            report = analyze_file(args.video, args.exercise, opts, video_out=args.video_out, progress=bar)
            bar.end()
            if args.json_out:
                write_json(report, args.json_out)
            print(summary_text(report))
            if args.json_out:
                print(f"\nReport written to {args.json_out}")
            if args.video_out and Path(args.video_out).exists():
                print(f"Annotated video written to {args.video_out}")
            return 0
        track = load_track(args.video, args.model, args.stride, progress=bar)
        bar.end()
        out = Path(args.out)
        from formcheck.cleaning import clean_track

        clean = clean_track(track)
        if out.suffix.lower() == ".csv":
            clean.save_csv(out)
        elif out.suffix.lower() == ".npz":
            track.save_npz(out, cleaned=clean)
        else:
            return _fail(f"--out must end in .npz or .csv, got {out.name}")
        print(f"{len(track)} frames, person in {track.coverage:.0%}, {track.width}x{track.height} -> {out}")
        return 0
    except FormCheckError as e:
        bar.end()
        return _fail(str(e))
    except KeyboardInterrupt:
        bar.end()
        return _fail("interrupted")


if __name__ == "__main__":
    raise SystemExit(main())
