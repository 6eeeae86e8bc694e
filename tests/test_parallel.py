"""formcheck.parallel: a clip tracked in overlapping chunks by worker processes.

The plan and the stitching are pure and tested on numbers. End to end, on sample
clips (own renders): the chunked track has the same frames and timestamps as the
sequential one, and its analysis the same reps, holds, steps, sides and fault
codes. Landmarks are identical before the first seam; after it the second
worker's tracker took a different path into the same person, and BlazePose's
landmarks depend on its crop, so they may differ by the model's own jitter:
tolerance 95th percentile of the per-frame median joint distance <= 0.5% of the
image diagonal (4 px at 640x480) and no frame over 1.5% (12 px) [own]. Measured:
in the default mode (the detector runs on every frame while one person is in
view) 0.0 px on clamshell; with num_poses=1 tracking (--fast-tracking) p95
0.4-0.5 px, max 0.8 px on clamshell, hamstring stretch and running.
"""

from pathlib import Path

import numpy as np
import pytest

from formcheck.landmarks import Detection
from formcheck.parallel import WARMUP_FRAMES, Chunk, SeekMismatch, plan_chunks, stitch

SAMPLES = Path(__file__).resolve().parent.parent / "sample_videos"


def test_plan_chunks_cover_every_frame_once():
    for n, jobs in [(360, 2), (513, 2), (1000, 3), (1000, 4), (91, 2), (10, 4)]:
        chunks = plan_chunks(n, jobs)
        keep = [c.keep for c in chunks] + [n]
        assert keep[0] == 0 and all(a < b for a, b in zip(keep, keep[1:]))
        for c, nxt in zip(chunks, chunks[1:]):
            assert c.stop == nxt.keep
            assert nxt.start == max(0, nxt.keep - WARMUP_FRAMES)
        assert chunks[-1].stop is None


def test_plan_chunks_short_clip_is_one_chunk():
    assert plan_chunks(150, 2) == [Chunk(0, 0, None)]
    assert len(plan_chunks(180, 2)) == 2
    assert len(plan_chunks(10_000, 2)) == 2


def _det(v: float) -> Detection:
    return Detection(np.full((33, 2), v), np.ones(33), np.zeros((33, 3)))


def _res(idx, fps=30.0, shift=0.0):
    return list(idx), [i / fps + shift for i in idx], [_det(i) for i in idx]


def test_plan_chunks_balances_a_later_chunks_seek():
    """A later chunk's worker first decodes from the key frame before its start: that work
    is counted, so it keeps fewer frames and both workers finish together."""
    from formcheck.parallel import _chunk_cost

    even = plan_chunks(360, 2, warmup=5)
    assert [(c.start, c.keep, c.stop) for c in even] == [(0, 0, 182), (177, 182, None)]
    chunks = plan_chunks(360, 2, warmup=5, keyframes=[0, 250], seek_cost=0.08)
    assert [(c.start, c.keep, c.stop) for c in chunks] == [(0, 0, 190), (185, 190, None)]
    # work in tracked frames: 190 each (the second: 175 frames + 185 x 0.08 of seeking), against 182 and 197.2
    costs = [_chunk_cost(c.start, c.stop or 360, [0, 250], 0.08) for c in chunks]
    assert costs == pytest.approx([190.0, 189.8])
    assert _chunk_cost(177, 360, [0, 250], 0.08) == pytest.approx(197.16)
    # a later chunk that starts on a key frame seeks for free
    assert _chunk_cost(250, 400, [0, 250], 0.08) == 150.0
    # no key frame table (not MP4, or every frame a key frame): the even plan
    assert plan_chunks(360, 2, warmup=5, keyframes=None) == even


def test_plan_chunks_with_keyframes_cover_every_frame_once():
    rng = np.random.default_rng(3)
    for _ in range(200):
        n, jobs = int(rng.integers(90, 3000)), int(rng.integers(1, 6))
        keys = sorted({0, *rng.integers(0, n, int(rng.integers(0, 7))).tolist()})
        chunks = plan_chunks(n, jobs, warmup=5, keyframes=keys, seek_cost=float(rng.choice([0.05, 0.08, 0.5])))
        kept = []
        for k, c in enumerate(chunks):
            stop = n if c.stop is None else c.stop
            assert c.keep - c.start == (5 if k else 0) and c.keep < stop
            kept += range(c.keep, stop)
        assert kept == list(range(n))
        assert len(chunks) == len(plan_chunks(n, jobs, warmup=5))


def test_keyframes_are_read_from_the_mp4_sync_table(tmp_path):
    from formcheck.video import H264Writer, keyframes

    clip = tmp_path / "k.mp4"
    with H264Writer(clip, 30.0) as w:
        for i in range(300):
            w.write(np.full((64, 64, 3), i % 256, np.uint8))
    got = keyframes(clip)
    assert got is not None and got[0] == 0 and len(got) >= 2  # x264 puts one every 250 frames at most
    assert all(b - a <= 250 for a, b in zip(got, got[1:]))
    bad = tmp_path / "x.mp4"
    bad.write_bytes(b"\x00\x00\x00\x08free" + b"junk" * 10)
    assert keyframes(bad) is None and keyframes(tmp_path / "missing.mp4") is None


def test_stitch_keeps_each_frame_once_in_order():
    chunks = plan_chunks(200, 2, warmup=5, min_frames=50)
    a, b = chunks
    res = [_res(range(a.start, a.stop)), _res(range(b.start, 200))]
    times, dets = stitch(chunks, res)
    assert len(times) == 200 and np.allclose(times, np.arange(200) / 30)
    assert [d.xy[0, 0] for d in dets] == list(range(200))


def test_stitch_refuses_a_seek_that_landed_elsewhere():
    chunks = plan_chunks(200, 2, warmup=5, min_frames=50)
    a, b = chunks
    # the second worker's frames are one frame late: its warm-up timestamps disagree with the first's
    with pytest.raises(SeekMismatch):
        stitch(chunks, [_res(range(a.start, a.stop)), _res(range(b.start, 200), shift=1 / 30)])


def test_pose_mode_says_how_the_landmarker_ran(tmp_path):
    from formcheck.landmarks import PoseTrack
    from formcheck.pose import describe_pose_mode, pose_mode
    from formcheck.report import finish_report

    assert pose_mode(2) == {"num_poses": 2, "person_detector": "every_frame", "people_check_every_s": None}
    assert pose_mode(2, 2.0)["people_check_every_s"] is None  # the check runs only when one person is tracked
    assert pose_mode(1, 2.0) == {"num_poses": 1, "person_detector": "on_tracking_loss", "people_check_every_s": 2.0}
    assert pose_mode(1, None)["people_check_every_s"] is None
    track = PoseTrack.empty_like(np.arange(10) / 30, 640, 480, 30.0, "x.mp4")
    body = {"exercise": "clamshell", "reps": [], "holds": [], "steps": [], "warnings": []}
    assert "pose_mode" not in finish_report(body, track)["source"]  # a track saved before the mode was recorded
    track.meta["pose_mode"] = {**pose_mode(1, 2.0), "chunks": 2}
    assert finish_report(body, track)["source"]["pose_mode"] == {**pose_mode(1, 2.0), "chunks": 2}
    assert describe_pose_mode({**pose_mode(1, 2.0), "chunks": 2}) == (
        "one person tracked from frame to frame (--fast-tracking), a second person looked for every 2 s, "
        "on 2 worker processes")
    assert describe_pose_mode(pose_mode(2)) == "the person looked for on every frame"
    track.save_npz(tmp_path / "t.npz")  # kept with the saved track, for gait and the history
    assert PoseTrack.load_npz(tmp_path / "t.npz").meta["pose_mode"] == track.meta["pose_mode"]


@pytest.mark.e2e
@pytest.mark.parametrize("name,num_poses", [("clamshell", 2), ("hamstring_stretch", 2), ("running", 2),
                                            ("running", 1)])
def test_chunked_track_matches_sequential(name, num_poses):
    import json

    from formcheck.parallel import extract_track_parallel
    from formcheck.pipeline import Options, analyze
    from formcheck.pose import extract_track

    clip = SAMPLES / f"{name}.mp4"
    if not clip.exists():
        pytest.skip(f"{clip.name} not present")
    opts = Options(**json.loads(clip.with_suffix(".json").read_text()).get("analysis_options", {}))
    from formcheck.parallel import LAST_RUN, WARMUP_FRAMES_TRACKING, warmup_frames
    from formcheck.pose import PEOPLE_CHECK_EVERY_S, pose_mode

    seq = extract_track(clip, num_poses=num_poses)
    par = extract_track_parallel(clip, jobs=2, num_poses=num_poses)
    assert seq.meta["pose_mode"] == pose_mode(num_poses, PEOPLE_CHECK_EVERY_S)
    assert par.meta["pose_mode"] == {**pose_mode(num_poses, PEOPLE_CHECK_EVERY_S), "chunks": 2}
    assert len(par) == len(seq) and np.array_equal(par.times, seq.times)
    warmup = warmup_frames(num_poses)
    assert warmup == (WARMUP_FRAMES if num_poses == 2 else WARMUP_FRAMES_TRACKING)
    from formcheck.parallel import seek_frame_cost
    from formcheck.video import keyframes

    seam = plan_chunks(len(seq), 2, warmup=warmup, keyframes=keyframes(clip), seek_cost=seek_frame_cost(num_poses))[1].keep
    # the phase times benchmarks/throughput.py prints: each worker's frames (warm-up included), in order
    w0, w1 = LAST_RUN["worker 0"], LAST_RUN["worker 1"]
    assert (w0["frames"], w1["frames"]) == (seam, len(seq) - seam + warmup)
    for w in (w0, w1):
        assert LAST_RUN["called"] <= LAST_RUN["forking"] <= w["started"] <= w["first_frame"] <= w["done"] \
            <= LAST_RUN["stitched"]
        # the worker's CPU (throughput.py's where-the-time-goes): some before the first frame, more in all
        assert 0 < w["cpu_first"] < w["cpu"]
        # with tracking, each worker checks for a second person on its first frame and then every 2 s
        assert w["checks"] >= (1 if num_poses == 1 else 0)
    both = seq.detected & par.detected
    assert (par.detected != seq.detected).sum() <= 0.01 * len(seq)
    # before the seam: the same tracker on the same frames, bit for bit
    assert np.array_equal(np.nan_to_num(seq.px[:seam]), np.nan_to_num(par.px[:seam]))
    dist = np.linalg.norm(seq.px - par.px, axis=2)
    per_frame = np.nanmedian(np.where((seq.vis > 0.5) & (par.vis > 0.5), dist, np.nan)[both], axis=1)
    diag = float(np.hypot(seq.width, seq.height))
    after = per_frame[np.flatnonzero(both) >= seam]
    print(f"{name}: after the seam, per-frame median joint distance p50 {np.nanmedian(after):.1f} px, "
          f"p95 {np.nanpercentile(after, 95):.1f} px, max {np.nanmax(after):.1f} px (diagonal {diag:.0f} px)")
    assert np.nanpercentile(after, 95) <= 0.005 * diag
    assert np.nanmax(after) <= 0.015 * diag
    ra, rb = analyze(seq, name, opts), analyze(par, name, opts)
    for kind in ("reps", "holds", "steps"):
        assert len(ra[kind]) == len(rb[kind]), kind
        assert [e["side"] for e in ra[kind]] == [e["side"] for e in rb[kind]]
        assert [sorted(f["code"] for f in e["faults"]) for e in ra[kind]] == \
               [sorted(f["code"] for f in e["faults"]) for e in rb[kind]]


def test_cli_refuses_a_negative_jobs_count(tmp_path, capsys):
    from formcheck.cli import main

    assert main(["track", str(tmp_path / "x.mp4"), "--out", str(tmp_path / "x.npz"), "--jobs", "-1"]) == 2
    assert "--jobs must be 0 (all cores) or more, got -1" in capsys.readouterr().err


# ---- the decode checks over chunks (formcheck.video.merge_decode_stats) -------------------------------


def _noise_clip(path: Path, n: int = 240) -> Path:
    from tests.helpers import write_test_video

    rng = np.random.default_rng(3)  # noise: the frame data, not the header, is most of the file
    return write_test_video(path, [rng.integers(0, 255, (96, 128, 3), dtype=np.uint8) for _ in range(n)])


def _chunked_stats(clip: Path, n_frames: int, jobs: int = 2):
    from formcheck.video import DecodeStats, merge_decode_stats, read_frames_from

    parts = []
    for c in plan_chunks(n_frames, jobs, min_frames=30):
        s = DecodeStats()
        for _ in read_frames_from(clip, c.start, c.stop, s, keep=c.keep):
            pass
        parts.append(s)
    return merge_decode_stats(parts)


def test_chunk_decode_stats_merge_to_the_sequential_ones(tmp_path):
    """Healthy clip: the chunks' merged stats equal one sequential read's (frames, times,
    intervals); no warning either way."""
    from formcheck.video import DecodeStats, decode_warnings, read_frames

    clip = _noise_clip(tmp_path / "good.mp4")
    seq = DecodeStats()
    assert len(list(read_frames(clip, stats=seq))) == 240
    for jobs in (2, 3, 4):
        par = _chunked_stats(clip, 240, jobs)
        assert par.decoded == seq.decoded == 240 and par.declared_frames == seq.declared_frames
        assert par.first_t == seq.first_t and par.last_t == pytest.approx(seq.last_t, abs=1e-9)
        assert len(par.intervals) == len(seq.intervals) == 239
        assert np.allclose(sorted(par.intervals), sorted(seq.intervals))
        assert par.max_gap_s == pytest.approx(seq.max_gap_s) and par.median_dt_s == pytest.approx(seq.median_dt_s)
        assert par.repaired_times == seq.repaired_times == 0
        assert decode_warnings(par) == decode_warnings(seq) == []


def test_chunk_decode_stats_of_a_cut_clip_warn(tmp_path):
    """A clip cut at 60%: the chunks past the cut decode nothing, and the merged stats
    warn that the video ends early, as the sequential read does."""
    from formcheck.video import DecodeStats, decode_warnings, read_frames

    good = _noise_clip(tmp_path / "good.mp4")
    cut = tmp_path / "cut.mp4"
    data = good.read_bytes()
    cut.write_bytes(data[: int(len(data) * 0.6)])
    seq = DecodeStats()
    n = len(list(read_frames(cut, stats=seq)))
    assert 20 < n < 220
    par = _chunked_stats(cut, 240, 2)
    assert par.decoded <= seq.decoded
    w = decode_warnings(par)
    assert w and w[0].startswith("The video ends early")


@pytest.mark.e2e
def test_chunked_path_keeps_the_sequential_decode_warnings(tmp_path):
    """The sample clamshell clip cut at half, tracked with 2 jobs: the same frames and
    the same "ends early" warning as the sequential path (the chunked path notices the
    damage and tracks the clip in one pass)."""
    from formcheck.parallel import extract_track_parallel
    from formcheck.pose import extract_track

    clam = SAMPLES / "clamshell.mp4"
    if not clam.exists():
        pytest.skip("clamshell sample not present")
    cut = tmp_path / "cut.mp4"
    data = clam.read_bytes()
    cut.write_bytes(data[: len(data) // 2])
    seq = extract_track(cut)
    par = extract_track_parallel(cut, jobs=2)
    assert seq.meta["decode_warnings"][0].startswith("The video ends early")
    assert par.meta.get("decode_warnings") == seq.meta["decode_warnings"]
    assert len(par) == len(seq) and np.array_equal(par.times, seq.times)
