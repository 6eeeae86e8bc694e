"""Bad input, as a careful user and a security reviewer would try it: every case gives
exit 2 and exactly one line on stderr, never touches the input, never leaves a half
file; damaged clips are warned about or refused, never silently misreported."""

from __future__ import annotations

import hashlib
import json
import random
import signal
import struct
from pathlib import Path

import numpy as np
import pytest

from formcheck.cli import main
from formcheck_synth.catalog import build
from formcheck_synth.kit import REALISTIC, track_from_motion
from formcheck_synth.scripts import CameraSpec, Scenario
from tests.helpers import write_test_video

REPO = Path(__file__).resolve().parent.parent
CLAM = REPO / "sample_videos" / "clamshell.mp4"
PNG_1PX = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                        "1f15c4890000000d49444154789c6360000002000100e221bc330000000049454e44ae426082")


HANG_S = 300  # seconds one fuzzed clip may take before it counts as a hang


def visible_lines(err: str) -> list[str]:
    """The lines a terminal shows: a carriage return overwrites (the progress bar erases itself)."""
    return [ln.rsplit("\r", 1)[-1] for ln in err.split("\n") if ln.rsplit("\r", 1)[-1].strip()]


# Streamlit's bare-mode notices ("missing ScriptRunContext ...", "Warning: to view a Streamlit
# app on a browser, use Streamlit in a file and run it with the following command: streamlit
# run ..."): the app tests earlier in the same run leave Streamlit state behind that may log them
# on the shared stderr while a CLI test runs. The CLI never imports Streamlit, so they are not its
# output.
def _streamlit_notice(line: str) -> bool:
    return "streamlit" in line.lower() or "run it with the following command" in line


def cli_lines(err: str) -> str:
    """`err` without Streamlit's bare-mode notice lines left by other tests."""
    return "\n".join(ln for ln in err.split("\n") if not _streamlit_notice(ln))


def _sha(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def small_video(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("vid")
    return write_test_video(d / "clip.mp4", [np.full((64, 64, 3), 8 * i, np.uint8) for i in range(30)])


@pytest.fixture(scope="module")
def clam_npz(tmp_path_factory) -> Path:
    b = build(Scenario("clamshell", reps=4, camera=CameraSpec(view="feet_end"), range_deg=55.0))
    path = tmp_path_factory.mktemp("npz") / "clam.npz"
    track_from_motion(b.motion, b.camera, REALISTIC).save_npz(path)
    return path


def _images(tmp: Path) -> dict[str, Path]:
    import cv2

    img = np.zeros((48, 64, 3), np.uint8)
    out = {"png": tmp / "photo.png", "jpg": tmp / "photo.jpg"}
    cv2.imwrite(str(out["png"]), img)
    cv2.imwrite(str(out["jpg"]), img)
    out["png_as_mp4"] = tmp / "photo_renamed.mp4"
    out["png_as_mp4"].write_bytes(out["png"].read_bytes())
    out["jpg_as_mov"] = tmp / "photo_renamed.mov"
    out["jpg_as_mov"].write_bytes(out["jpg"].read_bytes())
    for ext in ("gif", "webp"):  # formats that may be animated: refused when they hold one picture
        p = tmp / f"photo.{ext}"
        if cv2.imwrite(str(p), img):
            out[ext] = p
    return out


def _bad_npz(tmp: Path, clam_npz: Path) -> dict[str, Path]:
    data = clam_npz.read_bytes()
    out = {}
    out["truncated"] = tmp / "truncated.npz"
    out["truncated"].write_bytes(data[: len(data) // 2])
    out["garbage"] = tmp / "garbage.npz"
    out["garbage"].write_bytes(b"PK\x03\x04" + bytes(range(256)) * 4)
    header = json.dumps({"schema": "formcheck.track/1", "width": 640, "height": 480, "fps": 30.0})
    out["bad_shapes"] = tmp / "bad_shapes.npz"
    np.savez(out["bad_shapes"], times=np.arange(10.0), xy=np.zeros((5, 33, 2)), vis=np.zeros((10, 33)),
             world=np.zeros((10, 33, 3)), detected=np.ones(10, bool), header=np.array(header))
    bad_fps = header.replace("30.0", "NaN")
    out["nan_fps"] = tmp / "nan_fps.npz"
    np.savez(out["nan_fps"], times=np.arange(10.0), xy=np.zeros((10, 33, 2)), vis=np.zeros((10, 33)),
             world=np.zeros((10, 33, 3)), detected=np.ones(10, bool), header=np.array(bad_fps))
    return out


def _matrix(tmp: Path, video: Path, npz: Path) -> list[tuple[str, list[str], str]]:
    """(case, argv, words the one error line must contain)."""
    tmp.mkdir(parents=True, exist_ok=True)
    a = ["analyze", str(video), "-e", "clamshell"]
    an = ["analyze", str(npz), "-e", "clamshell"]
    folder = tmp / "a_folder.json"
    folder.mkdir(exist_ok=True)
    a_file = tmp / "plain.txt"
    a_file.write_text("x")
    text_mp4 = tmp / "notes.mp4"
    text_mp4.write_text("not a video\n")
    empty = tmp / "empty.mp4"
    empty.write_bytes(b"")
    cases = [
        ("hold -5", an + ["--hold", "-5"], "hold target"),
        ("hold 0", an + ["--hold", "0"], "hold target"),
        ("hold nan", an + ["--hold", "nan"], "finite"),
        ("hold inf", an + ["--hold", "inf"], "finite"),
        ("hold text", an + ["--hold", "long"], "number"),
        ("hold huge", an + ["--hold", "1e6"], "hold target"),
        ("time-scale nan", an + ["--time-scale", "nan"], "finite"),
        ("time-scale inf", an + ["--time-scale", "inf"], "finite"),
        ("time-scale 0", an + ["--time-scale", "0"], "time scale"),
        ("time-scale -1", an + ["--time-scale", "-1"], "time scale"),
        ("stride 0", an + ["--stride", "0"], "stride"),
        ("stride -3", an + ["--stride", "-3"], "stride"),
        ("stride 1.5", an + ["--stride", "1.5"], "stride"),
        ("stride 1000", an + ["--stride", "1000"], "stride"),
        ("json over input", a + ["--json", str(video)], "input file"),
        ("video over input", a + ["--video", str(video)], "input file"),
        ("json over npz input", an + ["--json", str(npz)], "input file"),
        ("json is a folder", an + ["--json", str(folder)], "is a folder"),
        ("video is a folder", a + ["--video", str(folder)], "is a folder"),
        ("json wrong extension", an + ["--json", str(tmp / "r.txt")], ".json"),
        ("video .avi", a + ["--video", str(tmp / "x.avi")], ".mp4"),
        ("json under a file", an + ["--json", str(a_file / "r.json")], "not a folder"),
        ("json and video same", a + ["--json", str(tmp / "o.json"), "--video", str(tmp / "o.json")], ".mp4"),
        ("track out .txt", ["track", str(video), "--out", str(tmp / "t.txt")], ".npz or .csv"),
        ("track out over input", ["track", str(video), "--out", str(video)], "input file"),
        ("track out folder", ["track", str(video), "--out", str(folder)], "is a folder"),
        ("missing file", ["analyze", str(tmp / "nope.mp4"), "-e", "clamshell"], "no such file"),
        ("folder as input", ["analyze", str(tmp), "-e", "clamshell"], "folder"),
        ("empty file", ["analyze", str(empty), "-e", "clamshell"], "empty"),
        ("text renamed mp4", ["analyze", str(text_mp4), "-e", "clamshell"], "not a readable video"),
        ("unknown movement", ["analyze", str(npz), "-e", "squat"], "invalid choice"),
        ("unknown model", a + ["--model", str(tmp / "nope.task")], "not found"),
    ]
    for name, p in _images(tmp).items():
        cases.append((f"image {name}", ["analyze", str(p), "-e", "clamshell"], "still image"))
    for name, p in _bad_npz(tmp, npz).items():
        cases.append((f"npz {name}", ["analyze", str(p), "-e", "clamshell"], "track"))
    return cases


def test_bad_input_matrix_one_line_exit_2_input_untouched(tmp_path, small_video, clam_npz, capfd, monkeypatch):
    """Every bad input: exit 2, exactly one line on stderr (fd level, so native libraries
    count too), nothing on stdout, no stray file, and the input unchanged. None of these
    cases may reach the pose model (they are refused before the slow work)."""
    import formcheck.pose as pose

    def no_model(*a, **k):
        raise AssertionError("the pose model was started for an input that should be refused first")

    monkeypatch.setattr(pose, "MediaPipeEstimator", no_model)
    video_sha, npz_sha = _sha(small_video), _sha(clam_npz)
    cases = _matrix(tmp_path / "m", small_video, clam_npz)
    assert len(cases) >= 40
    before = set((tmp_path / "m").rglob("*"))
    failures = []
    for name, argv, needle in cases:
        rc = main(argv)
        out, err = capfd.readouterr()
        lines = err.splitlines()
        ok = (rc == 2 and len(lines) == 1 and lines[0].startswith("formcheck: error:")
              and needle.lower() in lines[0].lower() and "Traceback" not in err and out == "")
        if not ok:
            failures.append((name, rc, err, out[:200]))
    assert not failures, failures
    assert _sha(small_video) == video_sha and _sha(clam_npz) == npz_sha
    assert set((tmp_path / "m").rglob("*")) == before  # no report, no .part file, nothing new


def test_outputs_on_a_saved_track_are_valid_strict_json(tmp_path, clam_npz, capsys):
    out = tmp_path / "deep" / "r.json"
    assert main(["analyze", str(clam_npz), "-e", "clamshell", "--json", str(out), "--hold", "3"]) == 0

    def refuse(c):
        raise ValueError(f"non-standard JSON constant {c}")

    report = json.loads(out.read_text(), parse_constant=refuse)
    assert report["summary"]["rep_count"] == 4
    assert [p.name for p in out.parent.iterdir()] == ["r.json"]


def test_json_never_contains_nan_or_infinity(tmp_path):
    from formcheck.safe_io import dumps_json

    text = dumps_json({"a": float("nan"), "b": [1.0, float("inf"), -float("inf")], "c": np.float64("nan"),
                       "d": np.float32(2.5), "e": {"f": (float("nan"),)}, "g": np.array([1.0, np.nan])})
    assert json.loads(text) == {"a": None, "b": [1.0, None, None], "c": None, "d": 2.5, "e": {"f": [None]}, "g": [1.0, None]}
    assert "NaN" not in text and "Infinity" not in text


@pytest.mark.parametrize("exc", [RuntimeError, KeyboardInterrupt])
def test_atomic_write_never_leaves_a_half_file(tmp_path, exc):
    from formcheck.safe_io import atomic_path

    dest = tmp_path / "report.json"
    dest.write_text("the previous report")
    with pytest.raises(exc), atomic_path(dest) as tmp:
        tmp.write_text("half of a new rep")
        raise exc()
    assert dest.read_text() == "the previous report"
    assert [p.name for p in tmp_path.iterdir()] == ["report.json"]


def test_video_writer_failure_leaves_nothing(tmp_path):
    from formcheck.video import H264Writer

    dest = tmp_path / "out.mp4"
    with pytest.raises(RuntimeError), H264Writer(dest, 30.0) as w:
        w.write(np.zeros((64, 64, 3), np.uint8))
        raise RuntimeError("disk full")
    assert list(tmp_path.iterdir()) == []


def test_json_write_failure_keeps_the_summary(tmp_path, clam_npz, capfd, monkeypatch):
    """The folder vanishes between the check and the write: the summary is still printed,
    the error is one line, exit 2, and no .part file stays."""
    import formcheck.cli as cli

    def boom(report, path):
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(cli, "write_json", boom)
    rc = main(["analyze", str(clam_npz), "-e", "clamshell", "--json", str(tmp_path / "r.json")])
    out, err = capfd.readouterr()
    assert rc == 2 and "4 reps" in out
    assert err.count("\n") == 1 and "could not write the report" in err
    assert list(tmp_path.iterdir()) == []


def test_track_out_checked_before_tracking(tmp_path, small_video, capsys, monkeypatch):
    import formcheck.cli as cli

    def never(*a, **k):
        raise AssertionError("tracked before checking --out")

    monkeypatch.setattr(cli, "load_track", never)
    assert main(["track", str(small_video), "--out", str(tmp_path / "t.txt")]) == 2
    assert "--out must end in .npz or .csv" in capsys.readouterr().err


# ---- damaged clips -------------------------------------------------------------------------------


def _truncate(src: Path, dest: Path, frac: float) -> Path:
    data = src.read_bytes()
    dest.write_bytes(data[: int(len(data) * frac)])
    return dest


def test_decode_that_stops_early_is_reported(tmp_path):
    from formcheck.video import DecodeStats, decode_warnings, read_frames

    rng = np.random.default_rng(1)  # noise: the frame data, not the header, is most of the file
    frames = [rng.integers(0, 255, (96, 128, 3), dtype=np.uint8) for _ in range(90)]
    good = write_test_video(tmp_path / "good.mp4", frames)
    stats = DecodeStats()
    assert len(list(read_frames(good, stats=stats))) == 90
    assert decode_warnings(stats) == []
    cut = _truncate(good, tmp_path / "cut.mp4", 0.5)
    stats = DecodeStats()
    n = len(list(read_frames(cut, stats=stats)))
    assert 10 < n < 80 and stats.declared_frames == 90
    w = decode_warnings(stats)
    assert w and w[0].startswith("The video ends early") and f"only {n} of the 90 frames" in w[0]


def test_animated_gif_is_a_clip_not_a_still_image(tmp_path):
    from PIL import Image

    from formcheck.video import DecodeStats, decode_warnings, read_frames

    frames = [Image.new("RGB", (64, 48), (10 * i, 0, 0)) for i in range(20)]
    p = tmp_path / "anim.gif"
    frames[0].save(p, save_all=True, append_images=frames[1:], duration=[50] * 10 + [80] * 10, loop=0)
    stats = DecodeStats()
    assert len(list(read_frames(p, stats=stats))) == 20
    assert decode_warnings(stats) == []  # per-frame delays are the GIF's own timing, not damage


def test_decode_warnings_cover_timing_faults():
    from formcheck.video import DecodeStats, decode_warnings

    healthy = DecodeStats(declared_frames=300, fps=30.0, decoded=300, first_t=0.0, last_t=299 / 30,
                          max_gap_s=1 / 30, median_dt_s=1 / 30, decoder_messages=[])
    assert decode_warnings(healthy) == []
    stretched = DecodeStats(**{**healthy.__dict__, "last_t": 20.8})
    assert any("frame times" in w for w in decode_warnings(stretched))
    holed = DecodeStats(**{**healthy.__dict__, "max_gap_s": 0.6})
    assert any("hole of 0.60 s" in w for w in decode_warnings(holed))
    noisy = DecodeStats(**{**healthy.__dict__, "decoder_messages": ["[h264 @ 0x1] Missing reference picture"]})
    assert any("Missing reference picture" in w for w in decode_warnings(noisy))
    repaired = DecodeStats(**{**healthy.__dict__, "repaired_times": 3})
    assert any("3 frame(s)" in w for w in decode_warnings(repaired))


class _PixelKeyed:
    """Stands in for the pose model on the fuzzed clips: a frame decoded exactly as in
    the clean clip gets the clean clip's detection (the real model is deterministic on
    identical pixels); any other frame (damaged pixels) gets none. Fast enough for 40 runs."""

    def __init__(self, table: dict):
        self.table = table

    def detect(self, frame, t_s):
        return self.table.get(hashlib.blake2b(frame.tobytes(), digest_size=16).digest())

    def close(self):
        pass


@pytest.fixture(scope="module")
def clam_keyed():
    from formcheck.models import resolve_model
    from formcheck.pose import MediaPipeEstimator
    from formcheck.video import read_frames

    table = {}
    with MediaPipeEstimator(resolve_model("full")) as est:
        for t, frame in read_frames(CLAM):
            table[hashlib.blake2b(frame.tobytes(), digest_size=16).digest()] = est.detect(frame, t)
    return table


def _moov(data: bytes) -> tuple[int, int]:
    off = 0
    while off + 8 <= len(data):
        size, typ = struct.unpack(">I4s", data[off:off + 8])
        if typ == b"moov":
            return off, size
        if size < 8:
            break
        off += size
    raise AssertionError("no moov box")


def _result(report: dict) -> tuple:
    return (report["summary"]["rep_count"], tuple(round(r["start_s"], 1) for r in report["reps"]),
            tuple(sorted(report["summary"]["fault_counts"].items())))


class _Hang(Exception):
    pass


@pytest.mark.e2e
def test_fuzzed_headers_never_crash_hang_or_silently_change_the_result(tmp_path, clam_keyed, capfd, monkeypatch):
    """40 seeded corruptions of the clamshell clip's header (moov box, 1-16 bytes each),
    analysed the CLI's default way (all cores: the clip in chunks over worker processes):
    no traceback, no hang (HANG_S per run; the chunked path tracks a damaged clip a second
    time in one pass, and gives up on a worker silent for parallel.STALL_S), one error line or a report, and a report whose reps differ from the
    clean clip's always carries a warning."""
    import formcheck.pose as pose

    monkeypatch.setattr(pose, "MediaPipeEstimator", lambda *a, **k: _PixelKeyed(clam_keyed))
    clean_out = tmp_path / "clean.json"
    assert main(["analyze", str(CLAM), "-e", "clamshell", "--json", str(clean_out)]) == 0
    capfd.readouterr()
    clean = json.loads(clean_out.read_text())
    assert clean["summary"]["rep_count"] == 4
    assert not any("video" in w.lower() and ("decod" in w or "frame" in w) for w in clean["warnings"])
    clean_warnings = set(clean["warnings"])
    src = CLAM.read_bytes()
    off, size = _moov(src)

    def alarm(*_):
        raise _Hang()

    old = signal.signal(signal.SIGALRM, alarm)
    outcomes = {"refused": 0, "same": 0, "warned": 0}
    problems = []
    try:
        for seed in range(40):
            rng = random.Random(seed)
            data = bytearray(src)
            for _ in range(rng.choice([1, 2, 4, 8, 16])):
                data[rng.randrange(off, off + size)] = rng.randrange(256)
            clip = tmp_path / f"fuzz{seed}.mp4"
            clip.write_bytes(bytes(data))
            out = tmp_path / f"fuzz{seed}.json"
            # A hang guard, not a speed check: the clean clip analyses in seconds, and only a decoder
            # stuck for minutes trips it (a loaded machine must not).
            signal.alarm(HANG_S)
            try:
                rc = main(["analyze", str(clip), "-e", "clamshell", "--json", str(out)])
            except _Hang:
                problems.append((seed, "hang"))
                capfd.readouterr()  # its half-drawn progress bar is not the next clip's output
                continue
            except BaseException as e:  # noqa: BLE001 - a traceback is exactly what must not happen
                problems.append((seed, f"raised {type(e).__name__}: {e}"))
                continue
            finally:
                signal.alarm(0)
            o, err = capfd.readouterr()
            err = cli_lines(err)
            if rc == 2:
                shown = visible_lines(err)
                if len(shown) != 1 or not shown[0].startswith("formcheck: error:"):
                    problems.append((seed, f"error not one line: {err!r}"))
                outcomes["refused"] += 1
                continue
            if rc != 0 or "Traceback" in err:
                problems.append((seed, f"rc {rc}: {err[-300:]}"))
                continue
            stray = [ln for ln in err.replace("\r", "\n").splitlines() if ln.strip() and "analysing" not in ln]
            if stray:
                problems.append((seed, f"stray stderr {stray[:2]}"))
            report = json.loads(out.read_text())
            if _result(report) == _result(clean):
                outcomes["same"] += 1
            elif set(report["warnings"]) - clean_warnings and "Note:" in o:
                outcomes["warned"] += 1
            else:
                problems.append((seed, f"silent change: {_result(report)} vs {_result(clean)}"))
    finally:
        signal.signal(signal.SIGALRM, old)
    print(f"fuzzed headers: {outcomes}")
    assert not problems, (problems, outcomes)
    assert sum(outcomes.values()) == 40 and outcomes["warned"] >= 10, outcomes


@pytest.mark.e2e
def test_clip_cut_at_half_warns_in_report_and_summary(tmp_path, capsys):
    """The case from the issue: a clip cut at 50% used to report 1 rep of 4 with no word."""
    cut = _truncate(CLAM, tmp_path / "cut.mp4", 0.5)
    out = tmp_path / "r.json"
    assert main(["analyze", str(cut), "-e", "clamshell", "--json", str(out)]) == 0
    text = capsys.readouterr().out
    report = json.loads(out.read_text())
    assert report["warnings"] and report["warnings"][0].startswith("The video ends early")
    assert "of the 513 frames" in report["warnings"][0]
    assert "Note: The video ends early" in text
