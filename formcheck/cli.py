"""The `formcheck` command line: analyze a clip, export its pose track, or analyse a batch of clips."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from formcheck.errors import FormCheckError
from formcheck.exercises import MOVEMENTS
from formcheck.models import MODEL_NAMES
from formcheck.options import arg_hold, arg_stride, arg_time_scale
from formcheck.pipeline import AUTO, Options, analyze_file, load_track
from formcheck.progress import ProgressBar, clips, frames
from formcheck.report import summary_text, write_json
from formcheck.safe_io import check_output

__all__ = ["main", "build_parser"]

PROGRESS_MIN_FRAMES = 300  # show a progress bar for clips longer than ~10 s at 30 fps


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
    a.add_argument("--exercise", "-e", default=AUTO, choices=(AUTO, *MOVEMENTS), metavar="NAME",
                   help=f"{AUTO} (the default: recognise the movement) or one of: " + ", ".join(MOVEMENTS))
    a.add_argument("--side", choices=("auto", "left", "right"), default="auto",
                   help="working side; auto detects it (and side switches)")
    a.add_argument("--json", dest="json_out", metavar="OUT", help="write the report as JSON")
    a.add_argument("--video", dest="video_out", metavar="OUT.mp4", help="write an annotated H.264 video")
    a.add_argument("--model", type=_model, default="full", help=f"{'|'.join(MODEL_NAMES)} or a path to a .task bundle")
    a.add_argument("--stride", type=arg_stride, default=1, help="analyse every Nth frame (faster, less precise)")
    a.add_argument("--hold", type=arg_hold, dest="hold_target", metavar="SECONDS",
                   help="hold target in seconds (stretches: 30, straight leg raise: 3)")
    a.add_argument("--time-scale", type=arg_time_scale, default=1.0, metavar="X",
                   help="running: real seconds per video second; 0.25 for 120 fps slow motion played at 30 fps")
    # All cores by default: the chunked path runs the same decode checks as the sequential
    # one and tracks a damaged clip again in one pass (formcheck.parallel).
    a.add_argument("--jobs", "-j", type=int, default=0, metavar="N",
                   help="worker processes for the pose model (default 0 = all cores; 1 = sequential)")
    a.add_argument("--fast-tracking", action="store_true",
                   help="track one person from frame to frame: ~1.5x faster, less accurate (off by default)")

    lv = sub.add_parser("live", help="coach a set live from the webcam (or a video file) in a desktop window")
    lv.add_argument("--exercise", "-e", required=True, metavar="NAME|auto",
                    help="auto (recognised from the first seconds, then counted) or one of: "
                         + ", ".join(m for m in MOVEMENTS if m != "running"))
    lv.add_argument("--camera", default="0", metavar="0|PATH",
                    help="webcam number (default 0) or a video file, played as if it were the camera")
    lv.add_argument("--side", choices=("auto", "left", "right"), default="auto")
    lv.add_argument("--hold", type=arg_hold, dest="hold_target", metavar="SECONDS", help="hold target in seconds")
    lv.add_argument("--no-window", action="store_true",
                    help="no window (a video file only): print the reps and cues, save the session")
    lv.add_argument("--max-seconds", type=float, metavar="S", help="stop after this many seconds")
    lv.add_argument("--screenshot", metavar="OUT.png", help="save the last annotated frame as a PNG")

    t = sub.add_parser("track", help="export the cleaned pose landmarks of a video (CSV or NPZ)")
    t.add_argument("video")
    t.add_argument("--out", required=True, help="output .npz (re-analysable) or .csv")
    t.add_argument("--model", type=_model, default="full")
    t.add_argument("--stride", type=arg_stride, default=1)
    t.add_argument("--jobs", "-j", type=int, default=0, metavar="N",
                   help="worker processes for the pose model (default 0 = all cores; 1 = sequential)")
    t.add_argument("--fast-tracking", action="store_true",
                   help="track one person from frame to frame: ~1.5x faster, less accurate (off by default)")

    b = sub.add_parser("batch", help="analyse many clips: a folder, a glob or a CSV manifest; a report each and "
                                     "a summary table")
    b.add_argument("source", help="folder, glob pattern (quote it) or .csv manifest (path, movement, side, "
                                  "hold_target_s, time_scale)")
    b.add_argument("--out", "-o", default="formcheck-batch", help="output folder (default: formcheck-batch)")
    b.add_argument("--exercise", "-e", default="auto", choices=("auto", *MOVEMENTS), metavar="NAME",
                   help="movement of clips the manifest does not name; auto (default): recognised from each clip")
    b.add_argument("--jobs", "-j", type=int, default=0, metavar="N",
                   help="clips analysed at once (default: all cores, or all CPUs of the Ray cluster)")
    b.add_argument("--ray", nargs="?", const="", default=None, metavar="ADDRESS",
                   help="run on Ray: a new local instance, or the cluster at ADDRESS (pip install formcheck[scale]); "
                        "put it after the source")
    b.add_argument("--model", type=_model, default="full")
    b.add_argument("--fast-tracking", action="store_true",
                   help="track one person from frame to frame: ~1.5x faster, less accurate (off by default)")
    return p


def _batch(args) -> int:
    from formcheck.batch import collect, run_batch

    items = collect(args.source, args.exercise)
    bar = ProgressBar("batch", clips)

    def progress(done: int, total: int, failed: int) -> None:
        bar(done, total, f", {failed} failed" if failed else "")

    rows = run_batch(items, args.out, jobs=args.jobs or None, model=args.model,
                     ray_address=args.ray or None, use_ray=args.ray is not None, progress=progress,
                     fast_tracking=args.fast_tracking)
    bar.end()
    ok = [r for r in rows if r["status"] == "ok"]
    bad = [r for r in rows if r["status"] != "ok"]
    print(f"{len(ok)} of {len(rows)} clips analysed -> {Path(args.out) / 'reports'}; summary: "
          f"{Path(args.out) / 'summary.csv'} and summary.parquet")
    if bad:
        print(f"{len(bad)} clip(s) could not be analysed:")
        for r in bad:
            print(f"  {r['error']}")
    return 1 if bad else 0


def _fail(msg: str) -> int:
    sys.stderr.write(f"formcheck: error: {msg}\n")
    return 2


def main(argv: list[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as e:  # usage errors (exit 2) and --help (exit 0)
        return int(e.code or 0)
    if args.command == "live":
        return _live(args)
    if getattr(args, "jobs", 0) < 0:
        return _fail(f"--jobs must be 0 (all cores) or more, got {args.jobs}")
    bar = ProgressBar("analysing" if args.command == "analyze" else "tracking", frames,
                      min_total=PROGRESS_MIN_FRAMES, every=10)
    try:
        if args.command == "batch":
            return _batch(args)
        if args.command == "analyze":
            # Outputs are checked before the slow work: never the input, never a folder, right extension.
            if args.json_out:
                check_output(args.json_out, (".json",), "--json", inputs=(args.video,))
            if args.video_out:
                check_output(args.video_out, (".mp4",), "--video", inputs=(args.video,))
            if args.json_out and args.video_out and Path(args.json_out).resolve() == Path(args.video_out).resolve():
                return _fail("--json and --video name the same file; give each its own")
            opts = Options(side=args.side, model=args.model, stride=args.stride,
                           hold_target_s=args.hold_target, time_scale=args.time_scale, jobs=args.jobs,
                           fast_tracking=args.fast_tracking)
            report = analyze_file(args.video, args.exercise, opts, video_out=args.video_out, progress=bar)
            bar.end()
            print(summary_text(report))  # printed first: a failing write below never loses the result
            if args.json_out:
                try:
                    write_json(report, args.json_out)
                except OSError as e:
                    sys.stdout.flush()
                    return _fail(f"could not write the report to {args.json_out}: {e.strerror or e}")
                print(f"\nReport written to {args.json_out}")
            if args.video_out and Path(args.video_out).exists():
                print(f"Annotated video written to {args.video_out}")
            return 0
        out = check_output(args.out, (".npz", ".csv"), "--out", inputs=(args.video,))
        track = load_track(args.video, args.model, args.stride, progress=bar, jobs=args.jobs,
                           fast_tracking=args.fast_tracking)
        bar.end()
        from formcheck.cleaning import clean_track

        clean = clean_track(track)
        if out.suffix.lower() == ".csv":
            clean.save_csv(out)
        else:
            track.save_npz(out, cleaned=clean)
        print(f"{len(track)} frames, person in {track.coverage:.0%}, {track.width}x{track.height} -> {out}")
        if isinstance(track.meta.get("pose_mode"), dict):
            from formcheck.pose import describe_pose_mode

            print(f"Pose model: {describe_pose_mode(track.meta['pose_mode'])}.")
        for w in track.meta.get("decode_warnings", []):
            print(f"Note: {w}")
        return 0
    except FormCheckError as e:
        bar.clear()
        return _fail(str(e))
    except OSError as e:  # an output that could not be written after all (disk full, removed folder)
        bar.clear()
        return _fail(f"could not write {e.filename or 'the output'}: {e.strerror or e}")
    except KeyboardInterrupt:
        bar.clear()
        return _fail("interrupted")


def _live(args) -> int:
    from formcheck.desktop_live import has_display, parse_camera, run_live
    from formcheck.exercises import EXERCISES
    from formcheck.history import History

    if args.exercise != "auto" and args.exercise not in EXERCISES:
        return _fail(f"live mode counts exercises; expected auto or one of {', '.join(EXERCISES)}, "
                     f"got {args.exercise!r}")
    if args.max_seconds is not None and args.max_seconds <= 0:
        return _fail(f"--max-seconds must be positive, got {args.max_seconds}")
    camera = parse_camera(args.camera)
    window = not args.no_window
    if window and not has_display() and not isinstance(camera, int):
        print("No display: running without a window.", file=sys.stderr)
    try:
        res = run_live(args.exercise, camera, History(), side=args.side, hold_target_s=args.hold_target,
                       window=window, max_seconds=args.max_seconds,
                       screenshot=Path(args.screenshot) if args.screenshot else None)
    except FormCheckError as e:
        return _fail(str(e))
    print(res.message)
    return 0 if res.session_id is not None else 1


if __name__ == "__main__":
    raise SystemExit(main())
