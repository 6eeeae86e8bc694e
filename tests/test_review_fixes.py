"""The review fixes of issue 15 that need no browser: the drawn counter in step
with the reps, the rep table's column order and hidden unjudged metrics, camera
advice per view, the cadence band, and "nobody in view" on the live path."""

import numpy as np
import pytest

from formcheck.history import History
from formcheck.overlay_text import hold_counter, rep_counter
from formcheck.pipeline import analyze, frame_overlays
from formcheck.pose import ReplayEstimator
from formcheck.ui.figures import cadence_figure
from formcheck.ui.labels import camera_advice
from formcheck.ui.live_worker import NOBODY_S, LiveRun, PresenceWatch
from formcheck.ui.tables import cadence_band, rep_table
from formcheck_synth.catalog import build
from formcheck_synth.kit import track_from_motion
from formcheck_synth.scripts import CameraSpec, Scenario


@pytest.fixture(scope="module")
def clam_report():
    # Filmed from behind: feet apart is judged there (not from the front), pelvis roll is not.
    b = build(Scenario("clamshell", reps=5, faults={2: {"feet_apart": 0.15}}, camera=CameraSpec(view="back")))
    track = track_from_motion(b.motion, b.camera)
    return analyze(track, "clamshell"), track


def test_drawn_counter_reads_the_rep_it_is_in(clam_report):
    report, _ = clam_report
    reps = report["reps"]
    assert len(reps) == 5
    times = np.array([r["peak_s"] for r in reps])
    ovs = frame_overlays(report, times)
    assert [o.counter for o in ovs] == [f"Rep {k} / 15" for k in range(1, 6)]  # Exercise.target_reps
    assert ovs[1].cue == "Keep your feet glued together" and ovs[1].good is False  # rep 2's own verdict
    # Rep 3 has no fault, but pelvis roll cannot be judged from behind: not "Good rep", and not green.
    assert ovs[2].cue == "No fault seen (3 of 4 checks made)" and ovs[2].good is None
    before = frame_overlays(report, np.array([reps[2]["start_s"] - 0.01, (reps[2]["start_s"] + reps[2]["peak_s"]) / 2]))
    assert before[0].counter == "Rep 2 / 15" and before[1].counter == "Rep 3 / 15"
    assert before[1].cue == ""  # rep 3's verdict only once its top is reached


def test_counter_target_is_the_exercises_own_offline_and_live(clam_report, monkeypatch):
    """One overlay text for the annotated video and the live coach, counting towards
    Exercise.target_reps (no constant of its own)."""
    import dataclasses

    from formcheck import exercises
    from formcheck.ui.live_worker import LiveConfig

    report, _ = clam_report
    monkeypatch.setitem(exercises.EXERCISES, "clamshell",
                        dataclasses.replace(exercises.EXERCISES["clamshell"], target_reps=12))
    (ov,) = frame_overlays(report, np.array([report["reps"][0]["peak_s"]]))
    assert ov.counter == "Rep 1 / 12" and ov.sub == f"Set 1 - {report['reps'][0]['side']} side - total 1"
    assert LiveConfig("clamshell").target == 12 and LiveConfig("clamshell", target_reps=8).target == 8
    assert hold_counter(12.4, 30) == "Hold   12 s / 30" and rep_counter(3, None) == "Rep 3"


def test_rep_table_puts_form_and_cue_first_and_hides_unjudged_metrics(clam_report):
    report, _ = clam_report
    assert "pelvis_roll" in report["unjudged"]  # a view from behind cannot see it
    table = rep_table(report)
    assert list(table.columns[:3]) == ["Rep", "Form", "Cue"]
    assert not any(c.lower().startswith("pelvis roll") for c in table.columns), list(table.columns)
    assert any(c.lower().startswith("feet gap") for c in table.columns), list(table.columns)
    assert table.loc[1, "Form"] == "feet apart"
    assert table.loc[0, "Form"] == "3 checks passed, 1 could not be made (pelvis rolls back)"
    seen = dict(report, unjudged=[])
    assert any(c.lower().startswith("pelvis roll") for c in rep_table(seen).columns)


def test_camera_advice_says_which_view_answers_which_question():
    running = {r["view"]: r for r in camera_advice("running")}
    assert "Knee caves in (dynamic valgus)" in running["back"]["answers"]
    assert "Knee caves in (dynamic valgus)" not in running["side"]["answers"]
    assert "Overstriding" in running["side"]["answers"] and running["back"]["best"]
    clam = camera_advice("clamshell")
    assert clam[0]["best"]
    by_view = {r["view"]: r["answers"] for r in clam}
    assert "Pelvis rolls back" in by_view["feet_end"] and "Pelvis rolls back" not in by_view["back"]
    assert "Feet come apart at the top" in by_view["back"] and "Feet come apart at the top" not in by_view["front"]


def test_cadence_band():
    assert cadence_band(None) is None
    low = cadence_band(150.0)
    assert not low["ok"] and low["floor"] == 160 and low["step_up"] == (158, 165)
    assert cadence_band(172.0)["ok"]
    assert len(cadence_figure(low).data) == 1


def test_presence_watch_says_nobody_after_two_seconds():
    w = PresenceWatch()
    for k in range(70):  # 30 fps, nobody
        w.update({"t": k / 30, "visible": False})
        if w.nobody:
            break
    assert w.nobody and w.unseen_s == pytest.approx(NOBODY_S, abs=0.04)
    w.update({"t": 2.5, "visible": True})
    assert not w.nobody
    w.update({"t": 0.1, "visible": False})  # a new stream starts over
    assert w.unseen_s == 0.0


def test_a_live_stream_with_nobody_is_not_saved(clam_report):
    _, track = clam_report
    empty = track.replace(detected=np.zeros(len(track), bool))
    hist = History()
    run = LiveRun(estimator_factory=lambda: ReplayEstimator(empty), stash=hist.stash_recording)
    blank = np.zeros((track.height, track.width, 3), np.uint8)
    infos = []
    for t in track.times[:90]:
        run.on_frame(blank, float(t))
        infos += run.drain()
    assert infos[-1]["visible"] is False and "Nobody in view" in infos[-1]["cue"]
    run.on_ended()
    assert run.take_finished(stream_playing=False) == [] and run.nobody_streams == 1
    assert hist.pending_recordings() == [] and hist.list_sessions() == []


def test_warm_estimator_is_made_before_the_stream_and_handed_over_once():
    """The live page makes the pose model before START (importing MediaPipe at the first
    frame stalled the WebRTC receiver); the first frame takes that one, the next stream a
    fresh one unless the page prepared another."""
    import threading

    from formcheck.ui.live_worker import WarmEstimator

    made: list[str] = []

    def factory():
        made.append(threading.current_thread().name)
        return object()

    warm = WarmEstimator(factory)
    warm.prepare()
    warm.prepare()  # already under way: not a second one
    first = warm.take()
    assert made == ["formcheck-warm-pose"]
    second = warm.take()  # none prepared: made here, in the caller's thread
    assert second is not first and made == ["formcheck-warm-pose", threading.current_thread().name]
