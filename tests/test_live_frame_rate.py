"""The live counter at the frame rates the browser path really processes.

In the browser the pose model runs on the newest frame only (formcheck.live_loop), so
on a loaded machine `LiveSession` sees 4-8 frames a second, unevenly spaced, not 30.
These tests replay the clamshell sample's recorded track (own render, real pose model)
as the fake camera plays it in tests/test_browser_routine.py (LEAD_S of the first frame,
then the clip) and hand the live session only the frames a slower loop would take.
Expected at every rate: the sample's 4 reps, rep 3 the deliberately small one, flagged
short_range with its cue. No pose model, no video: the track is the sample's .npz.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from formcheck.landmarks import Detection, PoseTrack
from formcheck.live import LiveSession

SAMPLES = Path(__file__).resolve().parent.parent / "sample_videos"
LEAD_S = 4.0  # as tests/test_browser.py LEAD_S: the person at rest before the clip starts
SHORT_CUE = "Open your knee further"


def _camera(slow: int = 1):
    track = PoseTrack.load_npz(SAMPLES / "clamshell.track.npz")
    truth = json.loads((SAMPLES / "clamshell.json").read_text())
    lead = int(round(LEAD_S * track.fps))
    frames = [0] * lead + list(range(len(track.times)))  # index into the track, one per camera frame
    frames = [i for i in frames for _ in range(slow)]  # each frame `slow` times: the person moves slower
    times = np.arange(len(frames)) / track.fps
    return track, truth, frames, times


@pytest.fixture(scope="module")
def clam():
    return _camera()


def _replay(track: PoseTrack, frames: list[int], times: np.ndarray, picked) -> tuple[LiveSession, list]:
    """Feed the camera frames `picked` (indices into frames/times) to a live session;
    returns it (finished) and the cues it showed, as (reps counted, cue)."""
    s = LiveSession("clamshell", width=track.width, height=track.height)
    cues = []
    for k in picked:
        i = frames[k]
        det = Detection(track.xy[i], track.vis[i], track.world[i]) if track.detected[i] else None
        upd = s.push(float(times[k]), det)
        if upd.cue:
            cues.append((upd.rep_count, upd.cue))
    s.finish()
    return s, cues


def _newest_frame_loop(times: np.ndarray, fps: float, seed: int) -> list[int]:
    """The frames a newest-frame loop takes when each frame costs 1/fps on average,
    uniformly 0.5-1.5 times that: the newest camera frame when the worker is free."""
    rng = np.random.default_rng(seed)
    picked, t = [], 0.0
    while t <= times[-1]:
        picked.append(int(np.searchsorted(times, t, side="right")) - 1)
        t += rng.uniform(0.5, 1.5) / fps
    return picked


def _check(s: LiveSession, cues: list, truth: dict, what: str, slow: int = 1, peak_tol_s: float = 0.5) -> None:
    assert len(s.reps) == len(truth["reps"]) == 4, f"{what}: {len(s.reps)} reps"
    third = s.reps[2]
    assert third.partial, f"{what}: rep 3 not partial"
    assert [f.code for f in third.faults][:1] == ["short_range"], f"{what}: {third.faults}"
    # The cue is on screen once rep 3 is counted, i.e. with the count at 3.
    assert any(n == 3 and cue.startswith(SHORT_CUE) for n, cue in cues), f"{what}: {cues}"
    # Where the reps are: each counted rep's peak within peak_tol_s of the truth's (the lead shifts it).
    peaks = [r.peak_s - LEAD_S * slow for r in s.reps]
    assert np.allclose(peaks, [r["peak_s"] * slow for r in truth["reps"]], atol=peak_tol_s * slow), (what, peaks)


@pytest.mark.parametrize("stride", [1, 2, 3, 4, 6, 8])
def test_every_nth_frame_counts_all_four_reps_with_the_cue_on_rep_3(clam, stride):
    """30 frames/s down to 3.75 (every 8th frame), at every phase of the stride."""
    track, truth, frames, times = clam
    for offset in range(min(stride, 3)):
        s, cues = _replay(track, frames, times, range(offset, len(frames), stride))
        _check(s, cues, truth, f"every {stride}th frame from {offset}")


@pytest.mark.parametrize("fps", [10.0, 7.5, 5.0, 4.0, 3.0])
def test_an_uneven_newest_frame_loop_counts_all_four_reps(clam, fps):
    """Frames taken by a loop whose per-frame time varies 0.5-1.5x around 1/fps
    (the browser path processed 4.8 frames/s on this machine under load), 10 seeds."""
    track, truth, frames, times = clam
    for seed in range(10):
        s, cues = _replay(track, frames, times, _newest_frame_loop(times, fps, seed))
        _check(s, cues, truth, f"{fps} frames/s, seed {seed}")


@pytest.mark.parametrize("fps", [2.0, 1.5])
def test_the_browser_tests_half_speed_clip_counts_all_four_reps_at_two_frames_per_second(fps):
    """tests/test_browser_routine.py plays the clip at half speed (each frame twice), so that
    a machine too loaded to process more than 1.5-2 frames a second still sees every rep."""
    track, truth, frames, times = _camera(slow=2)
    for seed in range(5):
        s, cues = _replay(track, frames, times, _newest_frame_loop(times, fps, seed))
        _check(s, cues, truth, f"half speed, {fps} frames/s, seed {seed}", slow=2)


def test_counting_starts_at_a_few_frames_per_second(clam):
    """The 'whole body in view for READY_S' check spans READY_S at any rate: at 3.75
    frames/s it used to trim its window below 0.9 s and never start counting."""
    track, _, frames, times = clam
    s = LiveSession("clamshell", width=track.width, height=track.height)
    for k in range(0, int(3.0 * track.fps), 8):
        upd = s.push(float(times[k]), Detection(track.xy[0], track.vis[0], track.world[0]))
    assert upd.ready


def test_the_view_window_is_in_seconds(clam):
    """The live camera view is the majority of the last 3 s, at any frame rate."""
    track, _, _, _ = clam
    s = LiveSession("clamshell", width=track.width, height=track.height)
    det = Detection(track.xy[0], track.vis[0], track.world[0])
    for k in range(10):  # 10 frames at 2 frames/s: the view seen
        s.push(k * 0.5, det)
    assert s.view() == "front"
    for k in range(10, 18):  # then 4 s with nobody: the view is no longer known
        s.push(k * 0.5, None)
    assert s.view() is None


def test_a_gap_is_not_time_in_view(clam):
    """Two frames 2.6 s apart (the pose model loading after the first) are not 'a second
    in view': counting starts only after READY_S of frames that follow each other."""
    track, _, _, _ = clam
    s = LiveSession("clamshell", width=track.width, height=track.height)
    det = Detection(track.xy[0], track.vis[0], track.world[0])
    assert not s.push(0.0, det).ready
    assert not s.push(2.6, det).ready
    assert not s.push(3.2, det).ready
    assert s.push(3.6, det).ready


def test_the_stream_clock_survives_a_timestamp_that_wraps_or_steps_back():
    """WebRTC frame times are RTP timestamps (90 kHz, 32 bits): one that steps back is
    unwrapped 2^32 / 90000 s later. The clock then follows the wall clock for that step."""
    from formcheck.live import StreamClock

    clock = StreamClock()
    wrap = 2**32 / 90000
    got = [clock(t, w) for t, w in [(10.0, 500.0), (10.033, 500.04), (10.066 + wrap, 500.07), (10.1 + wrap, 500.1),
                                     (10.0, 500.2), (13.0, 503.2), (None, 503.3)]]
    assert got == pytest.approx([0.0, 0.033, 0.063, 0.097, 0.197, 3.197, 3.297], abs=1e-3)
    assert all(b > a for a, b in zip(got, got[1:]))
    # Frames that arrive in a burst after a stall keep their own spacing.
    clock = StreamClock(5.0)
    assert [clock(t, 100.0) for t in (1.0, 1.033, 1.066)] == pytest.approx([5.0, 5.033, 5.066])


def _steps(samples, params=None):
    """Counted rep events of rep_step over (t, value) samples."""
    from formcheck.reps import RepParams, RepState, rep_step

    params = params or RepParams()
    state, events = RepState(), []
    for t, v in samples:
        state, evs = rep_step(state, t, v, params)
        events.extend(evs)
    return state, events


def test_a_frame_back_down_after_a_long_gap_ends_the_rep():
    """On a loaded machine the frame after the top can come 2-4 s later, already back
    down: that frame ends the movement (it used to be taken as a stalled rise)."""
    rest = [(k * 0.2, 10.0) for k in range(10)]
    rep = [(2.0, 20.0), (2.5, 26.0), (2.8, 27.0)]  # a rise that stops below the top of the 15° scale
    state, _ = _steps(rest + rep + [(6.0, 10.0)])
    assert state.rejected == 0 and state.amplitudes == pytest.approx((17.0,))


def test_a_gap_between_frames_is_not_the_person_out_of_view():
    """A 2.5 s gap with the person seen on both sides is a slow machine, not an absence:
    the rep in progress goes on. With 'not visible' frames in the gap it is abandoned."""
    rest = [(k * 0.2, 10.0) for k in range(10)]
    up = [(2.0, 25.0), (2.4, 40.0)]
    seen, _ = _steps(rest + up + [(4.9, 38.0), (5.3, 10.0)])
    assert seen.rejected == 0 and seen.amplitudes == pytest.approx((30.0,))
    lost, _ = _steps(rest + up + [(3.0, float("nan")), (4.9, 38.0), (5.3, 10.0)])
    assert lost.rejected == 1 and lost.amplitudes == ()


def test_the_first_sparse_frame_after_a_rep_does_not_set_the_rest_level_mid_rise():
    """The frame after a rep's end seen 1.3 s later, already on the next rep's way up: the
    rest level is the rep's own low point, so the next rep keeps its full amplitude."""
    rest = [(k * 0.2, 10.0) for k in range(10)]
    rep1 = [(2.5, 25.0), (3.0, 40.0), (3.5, 25.0), (4.0, 10.5)]
    rep2 = [(5.3, 22.0), (5.8, 40.0), (6.3, 25.0), (6.8, 10.5)]
    state, _ = _steps(rest + rep1 + rep2)
    # rep 1 rose 30 from 10.0 and came back down 29.5 to 10.5: its way down (reps._remeasure_last)
    assert state.amplitudes == pytest.approx((29.5, 29.5))


def test_a_small_rep_held_at_its_top_is_a_rep_not_a_new_rest_level():
    """A small rep (12° of a 26° range) that eases over its top for 3.5 s stalls below the
    top longer than stall_s, so it is first taken for a moved rest level; when it comes
    back down to the rest it rose from within max_rep_s, it is a partial rep after all.
    A rise that stays up is still a new rest level (no rep)."""
    from formcheck.reps import RepParams

    fps = 15.0

    def rep(t0: float, amp: float, up_s: float, top_s: float) -> list[tuple[float, float]]:
        ts = np.arange(0.0, 2 * up_s + top_s, 1 / fps)
        v = np.where(ts < up_s, (1 - np.cos(np.pi * ts / up_s)) / 2,
                     np.where(ts < up_s + top_s, 1.0, (1 + np.cos(np.pi * (ts - up_s - top_s) / up_s)) / 2))
        return [(t0 + t, 10.0 + amp * x) for t, x in zip(ts, v)]

    def rest(t0: float, s: float) -> list[tuple[float, float]]:
        return [(t0 + k / fps, 10.0) for k in range(int(s * fps))]

    full = rest(0, 2) + rep(2, 26, 1.8, 0.3) + rest(5.9, 0.5) + rep(6.4, 26, 1.8, 0.3) + rest(10.3, 0.5)
    small = rep(10.8, 12, 1.8, 3.5) + rest(17.9, 1.5)
    state, events = _steps(full + small)
    assert len(events) == 3, [(e.start_t, e.amplitude) for e in events]
    assert events[2].partial and events[2].amplitude == pytest.approx(12.0, abs=0.5)
    assert 0.4 < events[2].p_peak < 0.5
    # Up and staying up (a shift of position): no rep, and the new level is the rest.
    shift = [(10.8 + k / fps, 10.0 + 12 * min(1.0, k / (1.8 * fps))) for k in range(int(12 * fps))]
    state, events = _steps(full + shift)
    assert len(events) == 2 and state.rest == pytest.approx(22.0, abs=0.5)
    assert RepParams().stall_s < 3.5  # the top above is held longer than a stall


def _vp8(src: Path, dst: Path, scale: float, kbps: int) -> None:
    """The Y4M `src` as Chromium's WebRTC sends it under load: VP8 (libvpx, realtime) at
    `kbps` and `scale` of the frame size, decoded again into a lossless file `dst`.
    libvpx's 'good' deadline, not Chromium's 'realtime': realtime adapts to the CPU time
    it gets, so its pixels differ from run to run."""
    import fractions

    import av

    with av.open(str(src)) as inp, av.open(str(dst), "w") as out:
        st = inp.streams.video[0]
        enc = av.CodecContext.create("libvpx", "w")
        enc.width = int(st.codec_context.width * scale) // 2 * 2
        enc.height = int(st.codec_context.height * scale) // 2 * 2
        enc.pix_fmt, enc.time_base, enc.bit_rate = "yuv420p", fractions.Fraction(1, 15), kbps * 1000
        enc.options = {"deadline": "good", "cpu-used": "4", "lag-in-frames": "0", "threads": "1"}
        dec = av.CodecContext.create("vp8", "r")
        ost = out.add_stream("ffv1", rate=15)
        ost.width, ost.height, ost.pix_fmt = enc.width, enc.height, "yuv420p"
        n = 0
        frames = (f.reformat(width=enc.width, height=enc.height, format="yuv420p") for f in inp.decode(video=0))
        for k, frame in enumerate([*frames, None]):
            if frame is not None:
                frame.pts, frame.time_base = k, enc.time_base
            for pkt in enc.encode(frame):
                for d in dec.decode(pkt):
                    d.pts, n = n, n + 1
                    out.mux(ost.encode(d))
        out.mux(ost.encode(None))


@pytest.fixture(scope="module")
def half_size_vp8(tmp_path_factory):
    """The browser test's half-speed camera (LEAD_S at rest, then the clamshell sample,
    15 frames/s) at half its frame size through VP8 at 300 kbit/s, tracked by the pose
    model: what the server gets when a loaded machine's Chromium scales its video down."""
    from formcheck.pose import extract_track
    from tests.test_browser import to_y4m

    d = tmp_path_factory.mktemp("vp8")
    to_y4m(SAMPLES / "clamshell.mp4", d / "clam.y4m", lead_s=LEAD_S)
    _vp8(d / "clam.y4m", d / "clam.mkv", 0.5, 300)
    return extract_track(d / "clam.mkv")


@pytest.mark.parametrize("fps", [8.0, 4.0])
def test_the_browser_tests_camera_through_a_scaled_down_vp8_stream_counts_all_four_reps(half_size_vp8, fps):
    """The browser test lost the small rep 3 about 1 run in 5. Replayed through VP8 at
    half, three-quarter and quarter size it was lost on 331 of 560 replays (0 of 280 at
    full size): played at half speed, the rep eased over its 12° top for 3-3.6 s and was
    taken for a new rest level (reps._stalled_rep). 5 seeds of an uneven newest-frame loop.
    Rep 3's top reads flat for about 3 s of this stream, so its peak time is known to
    within 0.75 s of the clip's time (1.5 s of the stream), not 0.5 s. Not at 2 frames/s:
    there a full rep's 0.6 s top can fall between two frames, rep 2 then reads 0.65 of rep 1
    (agree_ratio 0.7), and the set is not calibrated until rep 4, so all 4 reps are counted
    at once at the end, with rep 3's cue shown at count 4 (seen on 3 of 40 replays)."""
    track = half_size_vp8
    truth = json.loads((SAMPLES / "clamshell.json").read_text())
    times = np.asarray(track.times)
    frames = list(range(len(times)))
    for seed in range(5):
        s, cues = _replay(track, frames, times, _newest_frame_loop(times, fps, seed))
        _check(s, cues, truth, f"half-size VP8, {fps} frames/s, seed {seed}", slow=2, peak_tol_s=0.75)
