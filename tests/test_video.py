"""Video I/O: browser-playable H.264 out, container timestamps in (variable
frame rate), rotation metadata applied, annotated video written."""

from fractions import Fraction

import av
import numpy as np
import pytest

from formcheck.pipeline import analyze, write_annotated_video
from formcheck.video import DecodeStats, H264Writer, probe, read_ahead, read_frames
from formcheck_synth.catalog import build
from formcheck_synth.kit import track_from_motion
from formcheck_synth.scripts import CameraSpec, Scenario
from tests.helpers import set_mp4_rotation, write_test_video


def _codec(path):
    with av.open(str(path)) as c:
        s = c.streams.video[0]
        return s.codec_context.name, s.codec_context.pix_fmt, s.frames


def test_writer_is_h264_yuv420p(tmp_path):
    p = write_test_video(tmp_path / "a.mp4", [np.full((120, 161, 3), 50, np.uint8)] * 12)
    name, pix, frames = _codec(p)
    assert (name, pix) == ("h264", "yuv420p")
    assert frames == 12
    assert probe(p).width == 160  # odd width trimmed for yuv420p


def test_writer_leaves_no_partial_file_on_error(tmp_path):
    out = tmp_path / "x.mp4"
    with pytest.raises(RuntimeError):
        with H264Writer(out, 30) as w:
            w.write(np.zeros((64, 64, 3), np.uint8))
            raise RuntimeError("boom")
    assert list(tmp_path.iterdir()) == []


def test_variable_frame_rate_times_come_from_the_container(tmp_path):
    p = tmp_path / "vfr.mp4"
    pts_ms = [0, 33, 66, 150, 183, 400, 433, 466]
    with av.open(str(p), "w") as c:
        s = c.add_stream("libx264", rate=30)
        s.width, s.height, s.pix_fmt = 64, 64, "yuv420p"
        s.codec_context.time_base = Fraction(1, 1000)
        for k, ms in enumerate(pts_ms):
            f = av.VideoFrame.from_ndarray(np.full((64, 64, 3), k * 20, np.uint8), format="bgr24")
            f.pts, f.time_base = ms, Fraction(1, 1000)
            for pkt in s.encode(f):
                c.mux(pkt)
        for pkt in s.encode():
            c.mux(pkt)
    times = [t for t, _ in read_frames(p)]
    np.testing.assert_allclose(times, np.array(pts_ms) / 1000, atol=0.002)


def test_portrait_rotation_metadata_is_applied(tmp_path):
    frame = np.zeros((40, 80, 3), np.uint8)
    frame[:, :40] = 255  # left half white in the stored (landscape) frame
    p = write_test_video(tmp_path / "rot.mp4", [frame] * 5)
    set_mp4_rotation(p, 90)
    info = probe(p)
    assert (info.width, info.height) == (40, 80)  # upright portrait
    _, f = next(read_frames(p))
    assert f.shape[:2] == (80, 40)
    assert f[:40].mean() > 200 and f[40:].mean() < 50  # rotated 90° clockwise: white on top


def test_stride_skips_frames(tmp_path):
    p = write_test_video(tmp_path / "s.mp4", [np.full((32, 32, 3), i * 8, np.uint8) for i in range(30)])
    assert len(list(read_frames(p, stride=3))) == 10


def test_read_ahead_gives_the_same_frames_times_and_stats(tmp_path):
    p = write_test_video(tmp_path / "r.mp4", [np.full((32, 32, 3), i * 8, np.uint8) for i in range(30)])
    plain_stats, ahead_stats = DecodeStats(), DecodeStats()
    plain = list(read_frames(p, stats=plain_stats))
    ahead = list(read_ahead(read_frames(p, stats=ahead_stats), depth=2))
    assert [t for t, _ in ahead] == [t for t, _ in plain]
    assert all(np.array_equal(a, b) for (_, a), (_, b) in zip(ahead, plain))
    assert (ahead_stats.decoded, ahead_stats.last_t, ahead_stats.intervals) == \
        (plain_stats.decoded, plain_stats.last_t, plain_stats.intervals)


def test_read_ahead_raises_the_decoders_error_and_stops_cleanly():
    import threading

    closed = []

    def frames(fail_at=None):
        try:
            for i in range(100):
                if i == fail_at:
                    raise ValueError(f"bad frame {i}")
                yield i
        finally:
            closed.append(threading.current_thread().name)

    with pytest.raises(ValueError, match="bad frame 5"):
        assert list(read_ahead(frames(fail_at=5))) == []
    got = []
    for i in read_ahead(frames(), depth=3):  # stopping early: the decoder is closed, its thread ended
        got.append(i)
        if i == 2:
            break
    assert got == [0, 1, 2]
    assert closed == ["formcheck-decode", "formcheck-decode"]
    # other tests in the same run may leave their own threads (Streamlit, the warm pose model)
    assert not [t for t in threading.enumerate() if t.name == "formcheck-decode"]


def test_read_ahead_keeps_the_progress_bar_out_of_the_decoder_log(tmp_path, capfd):
    """The decoder's messages are collected from descriptor 2 around each read, in the
    decode thread; the progress bar, written meanwhile from the caller's thread, must
    still reach the terminal and never land among the decoder's messages."""
    from formcheck.progress import ProgressBar

    rng = np.random.default_rng(0)  # noise: slow to decode, so the caller writes while a read is under way
    p = write_test_video(tmp_path / "b.mp4", [rng.integers(0, 256, (480, 640, 3), np.uint8) for _ in range(60)])
    stats = DecodeStats()
    with open(2, "w", closefd=False) as fd2:  # the terminal's descriptor, as sys.stderr is in the command line
        bar = ProgressBar("Tracking", stream=fd2)
        n = 0
        for _t, _frame in read_ahead(read_frames(p, stats=stats), depth=2):
            n += 1
            bar(n, 60)
        bar.end()
    assert n == 60
    assert not any("Tracking" in m for m in stats.decoder_messages or [])
    assert capfd.readouterr().err.count("Tracking") == 60


def test_annotated_video_from_a_report(tmp_path):
    b = build(Scenario("clamshell", reps=2, camera=CameraSpec(view="front", width=320, height=240)))
    tr = track_from_motion(b.motion, b.camera)
    frames = [np.full((240, 320, 3), 90, np.uint8)] * len(tr)
    src = write_test_video(tmp_path / "src.mp4", frames, fps=30)
    src_track = tr.replace(times=np.array([t for t, _ in read_frames(src)]))
    report = analyze(src_track, "clamshell")
    out = write_annotated_video(src, src_track, report, tmp_path / "ann.mp4")
    name, pix, n = _codec(out)
    assert (name, pix, n) == ("h264", "yuv420p", len(tr))
    # Something was drawn on a mid-rep frame (skeleton and counter), not on the plain source.
    mid = len(tr) // 2
    drawn = [f for i, (_, f) in enumerate(read_frames(out)) if i == mid][0]
    assert np.abs(drawn.astype(int) - 90).max() > 100


def test_frames_near_equals_a_full_decode_and_seeks_by_key_frames(tmp_path):
    """frames_near (the review's thumbnails) returns, for each time, the same pixels as
    picking the nearest frame from a full read_frames pass: before, between and after
    frames, out of order, past the end (the last frame), and after a seek (targets more
    than SEEK_AHEAD_S apart). The writer puts a key frame every 2 s."""
    from formcheck.video import SEEK_AHEAD_S, frames_near

    rng = np.random.default_rng(5)
    path = tmp_path / "noise.mp4"
    with H264Writer(path, 30) as w:
        for _ in range(300):  # 10 s: noise, so every frame differs
            w.write(rng.integers(0, 255, (48, 64, 3), dtype=np.uint8))
    decoded = list(read_frames(path))
    ts = np.array([t for t, _ in decoded])
    wanted = [7.51, 0.0, 0.02, 3.3, 9.98, 42.0, 7.5 + SEEK_AHEAD_S / 10]
    got = frames_near(path, wanted)
    for want, frame in zip(wanted, got):
        i = int(np.argmin(np.abs(ts - want)))
        assert np.array_equal(frame, decoded[i][1]), want
    with av.open(str(path)) as c:
        keys = [float(p.pts * p.time_base) for p in c.demux(video=0) if p.is_keyframe and p.pts is not None]
    assert max(np.diff(sorted(keys))) <= 2.0 + 1e-6
    assert frames_near(path, []) == []
