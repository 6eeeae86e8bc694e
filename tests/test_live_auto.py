"""Live coaching with the exercise on "auto" (formcheck.live_auto): recognised from
the stream's first seconds, then counted, with the reps done before the lock
recounted from the buffered frames. Kit tracks (synthetic skeleton with noise,
dropouts and left/right swaps; no pose model) fed frame by frame, as the desktop
and web live modes feed them."""

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from formcheck.history import History
from formcheck.landmarks import Detection, PoseTrack
from formcheck.live_auto import LOCK_AGREE, RECOGNISE_EVERY_S, AutoLiveSession
from formcheck.pose import ReplayEstimator
from formcheck.ui.live_worker import AUTO_LIVE, LiveConfig, LiveRun
from formcheck.ui.saving import finish_live
from formcheck_synth.catalog import build
from formcheck_synth.others import KIT, NEAR, kit_track


def detections(track: PoseTrack):
    for i, t in enumerate(track.times):
        det = (Detection(track.xy[i], track.vis[i], track.world[i]) if track.detected[i] else None)
        yield float(t), det


def feed(session: AutoLiveSession, track: PoseTrack) -> list:
    return [session.push(t, det) for t, det in detections(track)]


@pytest.fixture(scope="module")
def clam():
    """Kit clamshell: 4 reps, seen from the front, mid body."""
    sc = KIT["clamshell"][0]
    truth = build(replace(sc, camera=replace(sc.camera, view="front"))).truth
    return truth, kit_track(sc, "front", 1.75, seed=11)


def test_recognises_then_counts_every_rep_including_those_before_the_lock(clam):
    truth, track = clam
    s = AutoLiveSession(width=track.width, height=track.height)
    updates = feed(s, track)
    assert s.movement == "clamshell" and s.status().startswith("Recognised: clamshell, ")
    assert s.recognition.confidence >= 0.7
    # Two agreeing checks a second apart at the earliest; and before the end of the set.
    assert LOCK_AGREE * RECOGNISE_EVERY_S <= s.locked_at < track.times[-1] - 2.0
    before = [u for u, t in zip(updates, track.times) if t < s.locked_at]
    assert before and all(u.rep_count == 0 and not u.ready for u in before)  # nothing counted while recognising
    reps_at_lock = next(u.rep_count for u, t in zip(updates, track.times) if t >= s.locked_at)
    assert reps_at_lock >= 1  # reps done before the lock were recounted at once
    s.finish()
    assert len(s.reps) == len(truth["reps"]) == 4
    assert len(s.recorded_track()) == len(track)  # every frame kept, from before the lock too


def test_a_held_stretch_is_recognised_and_its_holds_timed():
    sc, views = KIT["hamstring_stretch"]
    track = kit_track(sc, views[0], 1.75, seed=5)
    s = AutoLiveSession(width=track.width, height=track.height)
    feed(s, track)
    s.finish()
    assert s.movement == "hamstring_stretch"
    assert len(s.holds) == 2  # both sides' holds, the first one begun before the lock


@pytest.mark.parametrize("name", ["squat", "walking_lunge", "standing"])
def test_a_near_miss_is_never_locked(name):
    sc, views = NEAR[name]
    track = kit_track(sc, views[0], 1.75, seed=3)
    track = track.slice(0, int(np.searchsorted(track.times, 12.0)))  # a live stream's first 12 s
    s = AutoLiveSession(width=track.width, height=track.height)
    updates = feed(s, track)
    assert s.movement is None and s.status() == "Recognising..." and s.checks >= 8
    assert all(u.rep_count == 0 for u in updates) and s.reps == [] and s.holds == []
    assert len(s.recorded_track()) == len(track)


def test_running_is_not_locked_live():
    """Running is analysed from a video, not coached live: a confident "running" never locks."""
    sc, views = KIT["running"]
    track = kit_track(sc, "left", 1.75, seed=2)
    s = AutoLiveSession(width=track.width, height=track.height)
    feed(s, track)
    assert s.recognition is not None and s.recognition.movement == "running"
    assert s.movement is None


def test_background_recognition_gives_the_same_count(clam):
    """The webcam path: checks run on a background thread while frames keep coming."""
    truth, track = clam
    s = AutoLiveSession(width=track.width, height=track.height, background=True)
    for t, det in detections(track):
        s.push(t, det)
        s.wait()  # a real stream keeps going; waiting here makes the test repeatable
    s.finish()
    assert s.movement == "clamshell" and len(s.reps) == len(truth["reps"])


# ---- the web live page's worker ---------------------------------------------------------------


def test_web_live_worker_on_auto_says_recognising_then_counts_and_saves_the_movement(clam):
    truth, track = clam
    run = LiveRun(estimator_factory=lambda: ReplayEstimator(track))
    run.config = LiveConfig(AUTO_LIVE, "auto")
    blank = np.zeros((track.height, track.width, 3), np.uint8)
    infos = []
    for t in track.times:
        run.on_frame(blank, float(t) + 1000.0)  # webrtc pts do not start at 0
        worker = run._current
        worker.session.wait()  # the background check in flight, as above
        infos += run.drain()
    first, last = infos[0], infos[-1]
    assert first["recognised"] == "Recognising..." and first["exercise"] is None
    assert first["counter"] == "Recognising..."
    assert last["exercise"] == "clamshell" and last["recognised"].startswith("Recognised: clamshell, ")
    assert last["rep_count"] == 4 and last["counter"] == "Rep 4 / 15"

    hist = History()
    run.stash = hist.stash_recording
    run.on_ended()
    (worker,) = run.take_finished(stream_playing=False)
    sid = finish_live(worker, hist)
    s = hist.get_session(sid)
    assert s["exercise"] == "clamshell" and s["rep_count"] == 4 and s["source_name"] == "Live clamshell"
    assert PoseTrack.load_npz(s["track_path"]).meta["exercise"] == "clamshell"


def test_web_live_stream_stopped_before_recognition_is_recognised_offline():
    """A stream that ends while still "Recognising..." is saved, and the offline
    analysis recognises the whole recording (here: nothing it knows)."""
    sc, views = NEAR["squat"]
    track = kit_track(sc, views[0], 1.75, seed=4)
    track = track.slice(0, int(np.searchsorted(track.times, 8.0)))  # stopped after 8 s
    run = LiveRun(estimator_factory=lambda: ReplayEstimator(track))
    run.config = LiveConfig(AUTO_LIVE, "auto")
    blank = np.zeros((track.height, track.width, 3), np.uint8)
    for t in track.times:
        run.on_frame(blank, float(t))
        run._current.session.wait()
    hist = History()
    run.stash = hist.stash_recording
    run.on_ended()
    (worker,) = run.take_finished(stream_playing=False)
    assert PoseTrack.load_npz(worker.stashed).meta["exercise"] == "auto"
    s = hist.get_session(finish_live(worker, hist))
    assert s["exercise"] == "unrecognised" and s["report"]["graded"] is False and s["rep_count"] == 0


def test_live_page_offers_auto_detect():
    at = AppTest.from_file(str(Path(__file__).resolve().parent.parent / "app.py"), default_timeout=60).run()
    at.switch_page("app_pages/live.py").run()
    assert not at.exception, at.exception
    box = at.selectbox(key="live_exercise")
    assert box.options[0] == "Auto-detect" and box.value == "clamshell"
    assert not any("Recognising..." in m.value for m in at.markdown)
    box.set_value("auto").run()
    assert not at.exception and any("Recognising..." in m.value for m in at.markdown)
    assert len(at.number_input) == 0  # no hold target until a stretch is recognised
