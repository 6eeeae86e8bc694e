"""Today's routine: the programme as data, its state machine, a run driven by the
live engine on a replayed track, and its saving as one routine in History."""

import sqlite3

import numpy as np
import pytest

from formcheck import routine as rt
from formcheck.history import MIGRATIONS, History, connect, migrate
from formcheck.landmarks import Detection, PoseTrack
from formcheck.pose import ReplayEstimator
from formcheck.routine_live import NOBODY_S, RoutineRun, save_routine_run
from formcheck_synth.catalog import build
from formcheck_synth.kit import track_from_motion
from formcheck_synth.scripts import CameraSpec, Scenario

TWO = rt.Routine("test", (rt.Step("clamshell", 2, reps=2, rest_s=3), rt.Step("donkey_kick", 1, reps=2)),
                 get_ready_s=2, switch_s=4)


def run_events(state, events):
    said = []
    for ev in events:
        fn, t, *args = ev
        state, p = fn(state, t, *args)
        said += p
    return state, said


# ---- the programme as data -----------------------------------------------------------------------


def test_seed_programme_is_the_brief():
    r = rt.SEED_ROUTINE
    strength = [s for s in r.steps if s.kind == "reps"]
    stretches = [s for s in r.steps if s.kind == "hold"]
    assert [s.movement for s in strength] == ["clamshell", "donkey_kick", "fire_hydrant", "straight_leg_raise"]
    assert all(s.sets == 3 and s.reps == 15 and s.sides == ("right", "left") for s in strength)
    assert r.steps[3].hold_s == 3  # the straight leg raise's pause at the top
    assert [s.movement for s in stretches] == ["hamstring_stretch", "running_lunge", "figure_four"]
    assert all(s.hold_s == 30 and s.sides == ("right", "left") for s in stretches)
    assert len(rt.slots(r)) == 4 * 3 * 2 + 3 * 2


@pytest.mark.parametrize("bad, message", [
    ({"movement": "jumping_jack"}, "unknown movement"),
    ({"movement": "clamshell", "sets": 0}, "sets must be"),
    ({"movement": "clamshell", "reps": None}, "reps per set"),
    ({"movement": "hamstring_stretch", "reps": None, "hold_s": None}, "hold must be"),
    ({"movement": "clamshell", "sides": ["up"]}, "sides must be"),
    ({"movement": "clamshell", "rest_s": -1}, "rest must be"),
])
def test_bad_steps_are_refused_with_the_reason(bad, message):
    with pytest.raises(ValueError, match=message):
        rt.routine_from_dict({"steps": [bad]})


def test_routine_round_trips_through_json(tmp_path):
    path = tmp_path / "routine.json"
    assert rt.load_routine(path) == rt.SEED_ROUTINE  # nothing saved yet
    rt.save_routine(path, TWO)
    assert rt.load_routine(path) == TWO
    path.write_text("{not json")
    assert rt.load_routine(path) == rt.SEED_ROUTINE


# ---- the state machine ---------------------------------------------------------------------------


def test_sets_rest_side_switch_next_movement_and_done():
    st, said = rt.begin(TWO, 0.0)
    assert st.phase == "setup" and said == ["Get ready: clamshell, right side"]
    assert rt.status_line(st, 0.5) == "Get ready: Clamshell · right side · starts in 2 s"
    st, _ = rt.tick(st, 1.9)
    assert st.phase == "setup"
    st, said = rt.tick(st, 2.0)
    assert st.phase == "work" and said == ["Set 1 of 2, right side: 2 reps. Go"]
    st, _ = rt.rep(st, 5.0)
    assert rt.status_line(st, 5.0) == "Clamshell · set 1 of 2 · rep 1 of 2 · right side"
    st, said = rt.rep(st, 9.0)
    assert st.phase == "rest" and said == ["Set 1 done", "Rest 3 seconds"]
    assert rt.seconds_left(st, 10.0) == pytest.approx(2.0)
    st, _ = rt.rep(st, 10.0)  # a rep while resting does not count
    assert st.reps == 0
    st, said = rt.tick(st, 12.0)
    assert st.phase == "work" and rt.status_line(st, 12) == "Clamshell · set 2 of 2 · rep 0 of 2 · right side"
    st, said = run_events(st, [(rt.rep, 14.0), (rt.rep, 17.0)])
    assert st.phase == "switch" and said[-1] == "Switch to your left side"
    assert rt.status_line(st, 18.0) == "Switch to your left side · 3 s"
    st, _ = rt.tick(st, 21.0)
    st, said = run_events(st, [(rt.rep, 23), (rt.rep, 25), (rt.tick, 28), (rt.rep, 30), (rt.rep, 32)])
    assert st.phase == "setup" and said[-1] == "Next: donkey kick"
    st, said = run_events(st, [(rt.ready, 33), (rt.rep, 35), (rt.rep, 37)])
    assert st.phase == "rest" or st.phase == "switch"  # donkey kick: right then left
    st, said = run_events(st, [(rt.tick, 41.5), (rt.rep, 43), (rt.rep, 45)])
    assert st.phase == "done" and said[-1] == "Routine complete. Well done"
    summary = rt.prescribed_vs_done(TWO, st.log)
    assert summary[0] == {**summary[0], "sets_prescribed": 4, "sets_done": 4, "reps_prescribed": 8, "reps_done": 8}
    assert summary[1]["reps_done"] == summary[1]["reps_prescribed"] == 4


def test_skip_logs_the_rest_of_the_movement_and_repeat_redoes_a_set():
    st, _ = rt.begin(TWO, 0.0)
    st, _ = run_events(st, [(rt.ready, 1), (rt.rep, 2), (rt.rep, 3)])  # set 1 done -> rest
    assert st.phase == "rest"
    st, said = rt.repeat(st, 4)  # back to set 1
    assert st.phase == "work" and st.current.set_no == 1 and said == ["Set 1 of 2, right side: 2 reps. Go"]
    st, _ = run_events(st, [(rt.rep, 5), (rt.rep, 6)])
    assert [e.set_no for e in st.log] == [1, 1]  # both attempts kept
    st, _ = run_events(st, [(rt.ready, 7), (rt.rep, 8)])  # set 2: one rep, then skip the movement
    st, said = rt.skip(st, 9)
    assert st.phase == "setup" and st.step.movement == "donkey_kick" and said == ["Skipped. Next: donkey kick"]
    skipped = [e for e in st.log if e.skipped]
    assert [(e.side, e.set_no, e.done) for e in skipped] == [("right", 2, 1.0), ("left", 1, 0.0), ("left", 2, 0.0)]
    summary = rt.prescribed_vs_done(TWO, st.log)[0]
    assert summary["sets_done"] == 1 and summary["reps_done"] == 3 and summary["skipped_sets"] == 3
    st, said = rt.skip(st, 10)
    assert st.phase == "done" and rt.status_line(st, 10) == "Routine complete"


def test_holds_complete_at_their_target_and_finish_logs_what_was_done():
    r = rt.Routine("s", (rt.Step("hamstring_stretch", 1, reps=None, hold_s=20, rest_s=0),), get_ready_s=0,
                   switch_s=5)
    st, _ = rt.begin(r, 0.0)
    st, _ = rt.tick(st, 0.0)
    st, _ = rt.hold(st, 5.0, 4.0)
    assert rt.status_line(st, 5) == "Standing hamstring stretch · set 1 of 1 · held 4 of 20 s · right side"
    st, said = rt.hold(st, 21.0, 20.0)
    assert st.phase == "switch" and said == ["Hold done", "Switch to your left side"]
    st, _ = rt.tick(st, 26.0)
    st, _ = rt.hold(st, 30.0, 12.0)
    st = rt.finish(st, 31.0)
    assert st.phase == "done"
    (row,) = rt.prescribed_vs_done(r, st.log)
    assert row["holds_done"] == 1 and row["hold_s_best"] == {"right": 20.0, "left": 12.0}


# ---- a run on a replayed track, saved as one routine ---------------------------------------------


@pytest.fixture(scope="module")
def clam_track():
    b = build(Scenario("clamshell", reps=9, camera=CameraSpec(view="front")))
    return b.truth, track_from_motion(b.motion, b.camera)


def test_a_run_counts_sets_rests_and_switch_and_is_saved_as_one_routine(clam_track):
    truth, track = clam_track
    r = rt.Routine("two", (rt.Step("clamshell", 2, reps=2, rest_s=2), rt.Step("donkey_kick", 1, reps=2)),
                   get_ready_s=1, switch_s=1)
    run = RoutineRun(r, estimator_factory=lambda: ReplayEstimator(track))
    blank = np.zeros((track.height, track.width, 3), np.uint8)
    phases = []
    for t in track.times:
        out = run.on_frame(blank, float(t) + 500.0)
        assert out.shape == blank.shape
        info = run.latest()
        if not phases or phases[-1] != info["phase"]:
            phases.append(info["phase"])
        if info["movement"] == "donkey_kick":
            break
    texts = [p[2] for p in run.prompts_since(0)]
    assert phases[:6] == ["setup", "work", "rest", "work", "switch", "work"], phases
    assert "Switch to your left side" in texts and "Rest 2 seconds" in texts and texts[-1] == "Next: donkey kick"
    run.command("skip")  # the donkey kick is skipped
    assert run.latest()["phase"] in ("done", "work", "setup")
    hist = History()
    saved = save_routine_run(run, hist)
    assert saved.routine_id is not None and saved.failed == ()
    got = hist.get_routine(saved.routine_id)
    (clam_s,) = got["sessions"]
    assert clam_s["exercise"] == "clamshell" and clam_s["routine_id"] == saved.routine_id
    assert clam_s["rep_count"] >= 8  # the offline analysis of the recording sees every rep done
    clam_row, dk_row = got["summary"]
    assert (clam_row["sets_done"], clam_row["reps_done"], clam_row["reps_prescribed"]) == (4, 8, 8)
    assert (dk_row["sets_done"], dk_row["reps_done"], dk_row["skipped_sets"]) == (0, 0, 2)
    assert len(got["log"]) == 4 + 2
    assert hist.get_session(clam_s["id"])["report"]["routine"]["prescribed_vs_done"]["reps_done"] == 8
    assert hist.pending_recordings() == []


def test_nobody_in_frame_is_said_and_nothing_is_saved(clam_track):
    _, track = clam_track
    empty = track.replace(detected=np.zeros(len(track), bool))
    run = RoutineRun(TWO, estimator_factory=lambda: ReplayEstimator(empty))
    blank = np.zeros((track.height, track.width, 3), np.uint8)
    said_at = None
    for t in track.times[:120]:
        run.on_frame(blank, float(t))
        if said_at is None and run.latest()["nobody"]:
            said_at = float(t)
    assert said_at is not None and said_at <= 3.0 and said_at >= NOBODY_S - 0.05
    hist = History()
    saved = save_routine_run(run, hist)
    assert saved.routine_id is None and hist.list_routines() == [] and hist.list_sessions() == []
    assert hist.pending_recordings() == []


# ---- the schema change is additive -----------------------------------------------------------------


def test_migration_3_keeps_existing_sessions(tmp_path, clam_track):
    from formcheck.pipeline import analyze

    db = tmp_path / "formcheck.db"
    conn = connect(db)
    migrate(conn, MIGRATIONS[:2])
    conn.close()
    conn = connect(db)  # a version-2 store with a session in it
    conn.execute("INSERT INTO sessions(created_at, exercise, source_kind, report) VALUES (?,?,?,?)",
                 ("2026-11-01T10:00:00+00:00", "clamshell", "upload", "{}"))
    conn.close()
    hist = History(db)
    assert hist.version == len(MIGRATIONS) >= 3  # migration 3 and any later ones applied
    (row,) = sqlite3.connect(db).execute("SELECT exercise, routine_id, excluded FROM sessions").fetchall()
    assert row == ("clamshell", None, 0)
    sid = hist.save_session(analyze(clam_track[1], "clamshell"), "upload", "x")
    assert sid in [x["id"] for x in hist.trends()["sessions"]]
    hist.set_excluded(sid, True)
    assert sid not in [x["id"] for x in hist.trends()["sessions"]]
    assert hist.get_session(sid)["excluded"] == 1  # still listed, only left out of the trends
    hist.set_excluded(sid, False)
    assert sid in [x["id"] for x in hist.trends()["sessions"]]
    with pytest.raises(KeyError):
        hist.set_excluded(9999, True)


# ---- a dropped stream: pause, then carry on ----------------------------------------------------------


class _Camera:
    """The person in front of the camera: frame `at[0]` of the track, whatever the stream's time
    (a stream that restarts has new timestamps, the person has simply gone on)."""

    def __init__(self, track, at):
        self.track, self.at = track, at

    def detect(self, frame_bgr, t_s):
        i = self.at[0]
        return Detection(self.track.xy[i], self.track.vis[i], self.track.world[i]) if self.track.detected[i] else None

    def close(self):
        pass


def _run_until(run, track, at, frames, base, stop):
    blank = np.zeros((track.height, track.width, 3), np.uint8)
    for k in frames:
        at[0] = k
        run.on_frame(blank, float(track.times[k]) + base)
        if stop(run.latest()):
            return k
    return None


ONE_SET = rt.Routine("one set", (rt.Step("clamshell", 1, reps=6, rest_s=0, sides=("right",)),), get_ready_s=1)


def test_a_dropped_stream_pauses_the_routine_and_the_next_stream_carries_on_from_the_same_rep(clam_track):
    _, track = clam_track
    at = [0]
    hist = History()
    run = RoutineRun(ONE_SET, estimator_factory=lambda: _Camera(track, at), stash=hist.stash_recording)
    k = _run_until(run, track, at, range(len(track)), 100.0, lambda i: i["reps"] == 3)
    assert k is not None
    before = run.latest()
    assert before["status"] == "Clamshell · set 1 of 1 · rep 3 of 6 · right side"
    run.pause()  # the stream dropped: the recording so far is on disk at once
    assert run.paused and len(hist.pending_recordings()) == 1
    blank = np.zeros((track.height, track.width, 3), np.uint8)
    assert run.on_frame(blank, 999.0) is blank and run.latest() == before  # a late frame changes nothing
    run.resume()
    # The new stream's clock starts elsewhere (here 7000 s); the person went on 2 s meanwhile.
    phases = []
    done_at = _run_until(run, track, at, range(k + 60, len(track)), 7000.0,
                         lambda i: phases.append((i["phase"], i["reps"])) or i["phase"] == "done")
    assert done_at is not None, phases[-3:]
    assert phases[0] == ("work", 3), phases[:3]  # same set, same count: not back to the set-up card
    assert [p for p in phases if p[0] != "work"] == [("done", 0)] or phases[-1][0] == "done"
    counts = [n for ph, n in phases if ph == "work"]
    assert counts == sorted(counts) and counts[-1] == 5  # 3, 4, 5 then the 6th ends the set
    texts = [p[2] for p in run.prompts_since(0)]
    assert "Welcome back: Clamshell · set 1 of 1 · rep 3 of 6 · right side" in texts
    saved = save_routine_run(run, hist)
    got = hist.get_routine(saved.routine_id)
    (row,) = got["summary"]
    assert (row["sets_done"], row["reps_done"], row["reps_prescribed"]) == (1, 6, 6)
    (sess,) = got["sessions"]  # one recording of the movement across both streams
    rec = PoseTrack.load_npz(hist.get_session(sess["id"])["track_path"])
    gap = np.diff(rec.times).max()
    assert rec.times[-1] - rec.times[0] > track.times[done_at] - track.times[0] and 2.0 < gap < 3.0, gap
    assert sess["rep_count"] >= 5  # the offline review of it; the rep cut by the drop may not count
    assert hist.pending_recordings() == []  # the stashed recording moved into the session


@pytest.fixture
def paused_at_rep_2(clam_track):
    """(run, history): one set of clamshells paused by a dropped stream after rep 2."""
    _, track = clam_track
    at = [0]
    hist = History()
    run = RoutineRun(ONE_SET, estimator_factory=lambda: _Camera(track, at), stash=hist.stash_recording)
    assert _run_until(run, track, at, range(len(track)), 0.0, lambda i: i["reps"] == 2) is not None
    run.pause()
    return run, hist


def test_a_paused_routine_saved_without_resuming_keeps_what_was_done(paused_at_rep_2):
    run, hist = paused_at_rep_2
    saved = save_routine_run(run, hist)  # "Save and finish" on the paused routine
    (row,) = hist.get_routine(saved.routine_id)["summary"]
    assert (row["sets_done"], row["reps_done"], row["skipped_sets"]) == (0, 2, 0)
    assert hist.get_routine(saved.routine_id)["log"][0]["done"] == 2
    assert len(hist.list_sessions()) == 1 and hist.pending_recordings() == []


def test_the_routine_page_shows_a_paused_routine_and_saves_it_on_request(paused_at_rep_2):
    """AppTest (no camera): a run paused by a dropped stream is shown as paused where it
    stopped, START is offered to carry on, and "Save and finish" saves what was done."""
    from pathlib import Path

    from streamlit.testing.v1 import AppTest

    run, hist = paused_at_rep_2
    app = AppTest.from_file(str(Path(__file__).resolve().parent.parent / "app.py"), default_timeout=60)
    app.session_state["routine_holder"] = {"run": run}
    app.run()
    app.switch_page("app_pages/routine.py").run()
    assert not app.exception, app.exception
    heads = [m.value for m in app.markdown]
    assert "### Paused · Clamshell · set 1 of 1 · rep 2 of 6 · right side" in heads, heads
    assert any("carry on" in i.value for i in app.info)
    assert hist.list_routines() == [] and len(hist.pending_recordings()) == 1  # kept on disk, not yet saved
    app.button(key="rt_finish").click().run()
    assert not app.exception, app.exception
    assert any("Routine saved" in s.value for s in app.success), [s.value for s in app.success]
    (r,) = hist.list_routines()
    assert r["summary"][0]["reps_done"] == 2 and hist.pending_recordings() == []
