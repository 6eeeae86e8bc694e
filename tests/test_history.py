"""The session store: migrations, durability, round trips, trends and the physio page."""

import csv
import io
import json
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from formcheck.history import (
    MIGRATIONS,
    SCHEMA_VERSION,
    History,
    HistoryError,
    Migration,
    connect,
    migrate,
    week_start,
)
from formcheck.history.rows import gait_leg_fppa
from formcheck.landmarks import PoseTrack
from formcheck.report import SCHEMA, summary_text
from formcheck.results import FaultHit, Hold, Rep, Step

REPO = Path(__file__).resolve().parent.parent


def fault(code, msg="cue"):
    return FaultHit(code, msg, "warn", 1.0, 0.5)


def rep(i, faults=(), set_no=1, side="right", t=None):
    t = 5.0 * i if t is None else t
    return Rep(index=i, set=set_no, side=side, start_s=t, peak_s=t + 2, end_s=t + 4, hold_s=None, partial=False,
               metrics={"peak_deg": 40.0 + i, "range_deg": 35.0, "duration_s": 4.0},
               faults=tuple(fault(c, f"fix {c}") for c in faults), unjudged=(), form_judged=True).to_json()


def step(i, side, fppa, faults=(), metrics=None):
    return Step(index=i, side=side, contact_s=0.35 * i, midstance_s=0.35 * i + 0.1, toe_off_s=0.35 * i + 0.2,
                timing_estimated=False, metrics={"fppa_deg": fppa} if metrics is None else metrics,
                faults=tuple(fault(c) for c in faults)).to_json()


def make_report(exercise="clamshell", reps=(), holds=(), steps=(), gait=None, duration=30.0):
    from collections import Counter

    evs = list(reps) + list(holds) + list(steps)
    rep = {"schema": SCHEMA, "exercise": exercise,
           "source": {"path": "x.mp4", "fps": 30.0, "frames": 900, "duration_s": duration, "width": 640, "height": 480},
           "pose_coverage": 0.98, "view": "front", "side": "right", "reps": list(reps), "holds": list(holds),
           "steps": list(steps),
           "summary": {"rep_count": len(reps), "hold_count": len(holds), "step_count": len(steps),
                       "fault_counts": dict(Counter(f["code"] for e in evs for f in e["faults"]))},
           "warnings": ["Set 1: 4 of 15 reps."]}
    if gait is not None:
        rep["gait"] = gait
    return rep


def small_track(n=30):
    rng = np.random.default_rng(0)
    return PoseTrack(times=np.arange(n) / 30.0, xy=rng.random((n, 33, 2)), vis=np.ones((n, 33)),
                     world=rng.random((n, 33, 3)), detected=np.ones(n, bool), width=640, height=480, source="t")


@pytest.fixture
def hist(tmp_path):
    return History(tmp_path / "data" / "formcheck.db")


# ---- schema -------------------------------------------------------------------------------


def test_default_location_follows_env(tmp_path, monkeypatch):
    from formcheck.history import data_dir, default_db_path

    monkeypatch.setenv("FORMCHECK_DATA_DIR", str(tmp_path / "fc"))
    assert default_db_path() == tmp_path / "fc" / "formcheck.db"
    monkeypatch.delenv("FORMCHECK_DATA_DIR")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert data_dir() == tmp_path / "xdg" / "formcheck"
    monkeypatch.delenv("XDG_DATA_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert data_dir() == tmp_path / "home" / ".local" / "share" / "formcheck"


def test_migrations_from_empty_db(tmp_path):
    h = History(tmp_path / "h.db")
    assert h.version == SCHEMA_VERSION == len(MIGRATIONS)
    with h.connect() as c:
        rows = c.execute("SELECT version, description FROM schema_version ORDER BY version").fetchall()
        assert [r[0] for r in rows] == [m.version for m in MIGRATIONS]
        tables = {r[0] for r in c.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        assert {"sessions", "events", "schema_version"} <= tables
        cols = {r[1] for r in c.execute("PRAGMA table_info(sessions)")}
        assert {"pain", "notes", "video_path", "track_path", "report", "stop_reason"} <= cols
    # Opening again applies nothing new.
    assert History(tmp_path / "h.db").version == SCHEMA_VERSION


def test_wal_and_foreign_keys_on(hist):
    with hist.connect() as c:
        assert c.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert c.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert c.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL


def test_v1_database_is_upgraded_keeping_its_sessions(tmp_path):
    path = tmp_path / "old.db"
    conn = connect(path)
    assert migrate(conn, MIGRATIONS[:1]) == 1
    conn.execute("INSERT INTO sessions(created_at, exercise, source_kind, report) VALUES (?,?,?,?)",
                 ("2026-01-05T10:00:00+00:00", "clamshell", "upload", json.dumps(make_report(reps=[rep(1)]))))
    conn.close()
    h = History(path)
    assert h.version == SCHEMA_VERSION
    (s,) = h.list_sessions()
    assert s["exercise"] == "clamshell" and s["stop_reason"] is None


def test_good_form_is_recounted_when_a_v4_database_is_opened(tmp_path):
    """Sessions saved when a fault-free rep counted as good form whatever was not
    judged get their count redone from their report (nothing else changes)."""
    path = tmp_path / "v4.db"
    conn = connect(path)
    assert migrate(conn, MIGRATIONS[:4]) == 4
    unseen = dict(rep(2), unjudged=["pelvis_roll"])
    for report in (json.dumps(make_report(reps=[rep(1), unseen])), '{"reps": ["not a rep"]'):
        conn.execute("INSERT INTO sessions(created_at, exercise, source_kind, report, rep_count, clean_count) "
                     "VALUES (?,?,?,?,?,?)", ("2026-01-05T10:00:00+00:00", "clamshell", "upload", report, 2, 2))
    conn.commit()
    conn.close()
    h = History(path)
    assert h.version == SCHEMA_VERSION >= 5
    counts = {s["id"]: s["clean_count"] for s in h.list_sessions()}
    assert counts == {1: 1, 2: 2}  # the unreadable row keeps its count
    assert h.get_session(1)["report"]["reps"][1]["unjudged"] == ["pelvis_roll"]


def test_reports_of_older_versions_are_brought_to_the_records_shape_once(tmp_path):
    """A v3 database holding a report written before the result records (reps and
    holds without unjudged/form_judged, steps without index) reads back in the
    records' shape, and can be replaced and trended like any other."""
    path = tmp_path / "v3.db"
    conn = connect(path)
    assert migrate(conn, MIGRATIONS[:3]) == 3
    old_rep = {k: v for k, v in rep(1, ["feet_apart"]).items() if k not in ("unjudged", "form_judged")}
    old_steps = [{k: v for k, v in step(i, "left", 8.0).items() if k != "index"} for i in (1, 2)]
    for exercise, report in (("clamshell", json.dumps(make_report(reps=[old_rep]))),
                             ("running", json.dumps(make_report("running", steps=old_steps))),
                             ("clamshell", '{"reps": ["not a rep"]')):
        conn.execute("INSERT INTO sessions(created_at, exercise, source_kind, report) VALUES (?,?,?,?)",
                     ("2026-01-05T10:00:00+00:00", exercise, "upload", report))
    conn.close()
    h = History(path)
    assert h.version == SCHEMA_VERSION >= 4
    with h.connect() as c:  # a row that is no report is kept as it was
        assert c.execute("SELECT report FROM sessions WHERE id=3").fetchone()[0] == '{"reps": ["not a rep"]'
        c.execute("DELETE FROM sessions WHERE id=3")
    run, clam = h.list_sessions()
    clam, run = h.get_session(clam["id"])["report"], h.get_session(run["id"])["report"]
    r = clam["reps"][0]
    assert r["unjudged"] == [] and r["form_judged"] is True and r["faults"][0]["code"] == "feet_apart"
    assert [s["index"] for s in run["steps"]] == [1, 2]
    h.replace_report(h.list_sessions()[1]["id"], clam)  # a valid report now
    assert summary_text(dict(clam, summary=dict(clam["summary"], clean_reps=0))).count("rep  1") == 1


def test_gait_leg_fppa_reads_the_legs_medians_only():
    assert gait_leg_fppa({"legs": {"left": {"fppa_median_deg": 7.0, "fppa_limit_deg": 15.0},
                                   "right": {"fppa_median_deg": None, "fppa_limit_deg": 15.0}}}) == {"left": 7.0}
    # A side view: legs without FPPA; no gait block at all.
    assert gait_leg_fppa({"legs": {"left": {"steps": 8}, "right": {"steps": 8}}}) == {}
    assert gait_leg_fppa(None) == {}


def test_a_failing_migration_leaves_the_previous_version(tmp_path):
    def boom(conn):
        conn.execute("ALTER TABLE sessions ADD COLUMN half_done TEXT")
        raise RuntimeError("disk on fire")

    path = tmp_path / "m.db"
    History(path)
    conn = connect(path)
    with pytest.raises(RuntimeError):
        migrate(conn, MIGRATIONS + (Migration(SCHEMA_VERSION + 1, "broken", boom),))
    assert migrate(conn) == SCHEMA_VERSION
    assert "half_done" not in {r[1] for r in conn.execute("PRAGMA table_info(sessions)")}
    conn.close()


def test_newer_database_is_refused(tmp_path):
    path = tmp_path / "n.db"
    History(path)
    conn = connect(path)
    conn.execute("INSERT INTO schema_version VALUES (99, 'from the future', '2030-01-01')")
    conn.close()
    with pytest.raises(HistoryError, match="version 99"):
        History(path)


# ---- round trip -------------------------------------------------------------------------------


def test_save_list_get_export_delete_round_trip(hist, tmp_path):
    video = tmp_path / "annotated.mp4"
    video.write_bytes(b"\x00\x00\x00\x18ftypmp42 fake video")
    report = make_report(reps=[rep(1), rep(2, ["feet_apart"]), rep(3, ["feet_apart", "too_fast"])])
    sid = hist.save_session(report, "upload", "clip.mp4", notes="felt fine", pain=2, video=video, track=small_track())
    assert video.exists()  # copied, never moved

    (row,) = hist.list_sessions()
    assert row["id"] == sid and row["rep_count"] == 3 and row["clean_count"] == 1 and row["faulted_count"] == 2
    assert row["fault_counts"] == {"feet_apart": 2, "too_fast": 1} and row["fault_total"] == 3
    assert row["fault_rate"] == pytest.approx(2 / 3)
    assert row["source_kind"] == "upload" and row["pain"] == 2 and "report" not in row

    s = hist.get_session(sid)
    assert s["report"] == report
    assert Path(s["video_path"]).read_bytes() == video.read_bytes()
    assert Path(s["video_path"]).parent == hist.media_dir / str(sid)
    tr = PoseTrack.load_npz(s["track_path"])
    np.testing.assert_allclose(tr.xy, small_track().xy)

    hist.update_session(sid, pain=5, notes="knee ached on set 2", stop_reason="pain")
    s = hist.get_session(sid)
    assert (s["pain"], s["notes"], s["stop_reason"]) == (5, "knee ached on set 2", "pain")
    with pytest.raises(ValueError):
        hist.update_session(sid, pain=11)

    exported = json.loads(hist.export_json(sid))
    assert exported["report"] == report and exported["session"]["id"] == sid

    rows = list(csv.DictReader(io.StringIO(hist.export_csv(sid))))
    assert [r["index"] for r in rows] == ["1", "2", "3"]
    assert rows[2]["faults"] == "feet_apart;too_fast" and rows[1]["cues"] == "fix feet_apart"
    assert rows[0]["peak_deg"] == "41.0" and rows[0]["kind"] == "rep"

    assert hist.delete_session(sid) is True
    assert hist.get_session(sid) is None and hist.list_sessions() == []
    assert not (hist.media_dir / str(sid)).exists()
    with hist.connect() as c:
        assert c.execute("SELECT COUNT(*) FROM events").fetchone()[0] == 0  # cascaded
    assert hist.delete_session(sid) is False


def test_export_all_and_filters(hist):
    a = hist.save_session(make_report(reps=[rep(1)]), "live", "live", created_at="2026-03-02T09:00:00+00:00")
    hold = Hold(side="left", start_s=1.0, end_s=31.0, duration_s=30.0, target_s=30.0, metrics={}, faults=(),
                unjudged=(), form_judged=True).to_json()
    b = hist.save_session(make_report(holds=[hold], exercise="clamshell"),
                          "sample", "clamshell.mp4", created_at="2026-03-09T09:00:00+00:00")
    assert [s["id"] for s in hist.list_sessions()] == [b, a]
    assert [s["id"] for s in hist.list_sessions(include_samples=False)] == [a]
    assert [s["id"] for s in hist.list_sessions(since="2026-03-05")] == [b]
    assert [s["id"] for s in hist.list_sessions(until="2026-03-02")] == [a]
    rows = list(csv.DictReader(io.StringIO(hist.export_csv())))
    assert [(r["session_id"], r["kind"]) for r in rows] == [(str(a), "rep"), (str(b), "hold")]
    assert hist.find_sample("clamshell.mp4") == b and hist.find_sample("other.mp4") is None


def test_bad_input_is_refused_and_nothing_is_written(hist, tmp_path):
    with pytest.raises(ValueError):
        hist.save_session({"schema": "nope"}, "upload")
    with pytest.raises(ValueError):
        hist.save_session(make_report(), "camera")
    with pytest.raises(ValueError):
        hist.save_session(make_report(), "upload", pain=12)
    with pytest.raises(FileNotFoundError):
        hist.save_session(make_report(), "upload", video=tmp_path / "missing.mp4")
    assert hist.list_sessions() == []
    assert [p.name for p in hist.media_dir.iterdir()] == []


def test_failure_inside_the_transaction_keeps_earlier_sessions_and_leaves_no_media(hist, tmp_path, monkeypatch):
    first = hist.save_session(make_report(reps=[rep(1)]), "upload", "a", track=small_track())
    import formcheck.history.store as mod

    real = mod.os.replace

    def failing_replace(src, dst):
        if Path(dst).parent == hist.media_dir:
            raise OSError("disk full")
        return real(src, dst)

    monkeypatch.setattr(mod.os, "replace", failing_replace)
    with pytest.raises(OSError, match="disk full"):
        hist.save_session(make_report(reps=[rep(1)]), "upload", "b", track=small_track())
    monkeypatch.undo()
    assert [s["id"] for s in hist.list_sessions()] == [first]
    assert hist.get_session(first)["track_path"] is not None
    assert sorted(p.name for p in hist.media_dir.iterdir()) == [str(first)]


def test_stash_and_remove_sources_after_commit(hist):
    path = hist.stash_recording(small_track())
    assert hist.pending_recordings() == [path]
    sid = hist.save_session(make_report(reps=[rep(1)]), "live", "live", track=path, remove_sources=(path,))
    assert hist.pending_recordings() == []
    assert PoseTrack.load_npz(hist.get_session(sid)["track_path"]).times.shape == (30,)


def test_kept_uploads(hist):
    p = hist.keep_upload("../../evil name.mp4", b"abc")
    assert p.parent == hist.uploads_dir and p.read_bytes() == b"abc" and "/" not in p.name
    assert hist.kept_uploads() == [p]


# ---- trends -----------------------------------------------------------------------------------


def test_trends_over_three_weeks(hist):
    # Week of Mon 2 Mar 2026: clamshell, 4 reps, 1 with a fault.
    hist.save_session(make_report(reps=[rep(1), rep(2), rep(3, ["feet_apart"]), rep(4)]), "live", "w1",
                      created_at="2026-03-04T18:00:00+00:00", pain=4)
    # Week of 9 Mar: clamshell, 6 reps, 3 with faults (one with two).
    hist.save_session(make_report(reps=[rep(1, ["too_fast"]), rep(2), rep(3, ["feet_apart", "too_fast"]), rep(4),
                                        rep(5, ["short_range"]), rep(6)]), "upload", "w2",
                      created_at="2026-03-15T23:30:00+00:00", pain=2)
    # Week of 16 Mar: running, 4 steps per leg, FPPA known per step.
    steps = [step(1, "left", 8.0), step(2, "right", 12.0, ["knee_valgus"]), step(3, "left", 10.0),
             step(4, "right", 14.0, ["knee_valgus"]), step(5, "left", 6.0), step(6, "right", 11.0),
             step(7, "left", 9.0), step(8, "right", 13.0)]
    hist.save_session(make_report("running", steps=steps, gait={"summary_lines": ["Left knee fine."]}), "upload",
                      "w3", created_at="2026-03-16T07:00:00+00:00")
    # A demo clip is not progress.
    hist.save_session(make_report(reps=[rep(1)] * 1), "sample", "demo", created_at="2026-03-16T08:00:00+00:00")

    t = hist.trends()
    weekly = {(w["week"], w["exercise"]): w for w in t["weekly"]}
    assert set(weekly) == {("2026-03-02", "clamshell"), ("2026-03-09", "clamshell"), ("2026-03-16", "running")}
    w1, w2, w3 = weekly[("2026-03-02", "clamshell")], weekly[("2026-03-09", "clamshell")], weekly[("2026-03-16", "running")]
    assert (w1["reps"], w1["faulted"], w1["sessions"]) == (4, 1, 1)
    assert w1["fault_rate"] == pytest.approx(0.25) and w1["clean_rate"] == pytest.approx(0.75)
    assert (w2["reps"], w2["faulted"]) == (6, 3) and w2["fault_rate"] == pytest.approx(0.5)
    assert (w3["steps"], w3["faulted"], w3["reps"]) == (8, 2, 0) and w3["fault_rate"] == pytest.approx(0.25)

    fppa = {(f["week"], f["leg"]): f for f in t["fppa"]}
    assert set(fppa) == {("2026-03-16", "left"), ("2026-03-16", "right")}
    assert fppa[("2026-03-16", "left")]["fppa_median_deg"] == pytest.approx(8.5)
    assert fppa[("2026-03-16", "left")]["fppa_mean_deg"] == pytest.approx(8.25)
    assert fppa[("2026-03-16", "right")]["fppa_median_deg"] == pytest.approx(12.5)
    assert fppa[("2026-03-16", "right")]["steps"] == 4

    assert [s["pain"] for s in t["sessions"]] == [4, 2, None]
    only = hist.trends("clamshell")
    assert {w["exercise"] for w in only["weekly"]} == {"clamshell"} and only["fppa"] == []
    assert len(hist.trends(include_samples=True)["sessions"]) == 4
    assert [w["week"] for w in hist.trends(since="2026-03-09", until="2026-03-15")["weekly"]] == ["2026-03-09"]


def test_fppa_from_gait_block_when_steps_lack_it(hist):
    steps = [step(1, "left", None, metrics={})]
    gait = {"legs": {"left": {"fppa_median_deg": 7.0, "fppa_max_deg": 15.0}, "right": {"fppa_median_deg": 11.0}}}
    hist.save_session(make_report("running", steps=steps, gait=gait), "upload", "r", created_at="2026-03-18T07:00:00Z")
    fppa = {f["leg"]: f["fppa_median_deg"] for f in hist.trends()["fppa"]}
    assert fppa == {"left": 7.0, "right": 11.0}


def test_week_start_is_monday_utc():
    assert week_start("2026-03-08T23:59:00+00:00") == "2026-03-02"  # a Sunday
    assert week_start("2026-03-09T00:00:00+00:00") == "2026-03-09"
    assert week_start("2026-03-09T00:30:00+02:00") == "2026-03-02"  # still Sunday in UTC


# ---- the physio page ------------------------------------------------------------------------


def test_physio_report_is_one_printable_page_without_external_resources(hist):
    sid = hist.save_session(make_report(reps=[rep(1), rep(2, ["feet_apart"])]), "live", "<script>x</script>",
                            created_at="2026-03-04T18:00:00+00:00", pain=3, notes="<b>sore</b>")
    one = hist.physio_report_html(sid)
    assert one.startswith("<!doctype html>") and "@page" in one and "@media print" in one
    assert "Reps" in one and "fix feet_apart" in one and "Set 1: 4 of 15 reps." in one
    assert "<b>sore</b>" not in one and "&lt;b&gt;sore&lt;/b&gt;" in one
    assert "http://" not in one and "https://" not in one and "<script" not in one
    many = hist.physio_report_html(since="2026-03-01", until="2026-03-31")
    assert "Week by week" in many and "2026-03-02" in many
    assert "No sessions" in hist.physio_report_html(since="2025-01-01", until="2025-01-31")


def test_physio_report_says_good_only_where_every_check_was_made(hist):
    unseen = dict(rep(2), unjudged=["pelvis_roll"])  # filmed from the front: pelvis roll not judged
    sid = hist.save_session(make_report(reps=[rep(1), unseen, rep(3, ["feet_apart"])]), "live", "x",
                            created_at="2026-03-04T18:00:00+00:00")
    assert hist.get_session(sid)["clean_count"] == 1  # rep 2 is not good form: pelvis roll was not judged
    page = hist.physio_report_html(sid)
    assert "<td class='num'>1/3</td>" in page  # the sessions table's "Good form"
    cells = [c.split("</td>")[0] for c in page.split("<td class='")[1:] if c.startswith(("ok'", "bad'", "unjudged'"))]
    assert cells == ["ok'>good", "unjudged'>3 checks passed, 1 could not be made (pelvis rolls back)",
                     "bad'>fix feet_apart"]


def test_physio_report_for_a_busy_month_stays_one_page(hist):
    for day in range(1, 29):
        hist.save_session(make_report(reps=[rep(1)]), "live", "x", created_at=f"2026-02-{day:02d}T18:00:00+00:00")
    page = hist.physio_report_html(since="2026-02-01", until="2026-02-28")
    assert page.count("<tr>") <= 14 + 1 + 4 + 1 + 1  # 14 sessions, 4 weeks, two header rows (+ margin)
    assert "The 14 latest of 28 sessions" in page and "28 Feb 2026" in page


# ---- crash safety --------------------------------------------------------------------------------

CHILD = textwrap.dedent("""
    import json, sys, time
    sys.path.insert(0, {tests!r})
    from test_history import make_report, rep, small_track
    from formcheck.history import History

    h = History({db!r})
    for i in range(5):
        h.save_session(make_report(reps=[rep(1), rep(2, ["feet_apart"])]), "live", f"earlier {{i}}",
                       track=small_track())
    # A long write transaction, as if the app were killed in the middle of saving a big session.
    with h.connect() as conn:
        conn.execute("BEGIN IMMEDIATE")
        big = json.dumps(make_report(reps=[rep(i) for i in range(1, 400)]))
        for i in range(2000):
            conn.execute("INSERT INTO sessions(created_at, exercise, source_kind, report) VALUES "
                         "('2026-01-01T00:00:00+00:00', 'clamshell', 'live', ?)", (big,))
        (h.media_dir / "6").mkdir()
        (h.media_dir / "6" / "track.npz").write_bytes(b"half")
        print("IN-TRANSACTION", flush=True)
        time.sleep(60)
""")


def test_killing_the_app_mid_session_loses_no_earlier_session(tmp_path):
    db = tmp_path / "data" / "formcheck.db"
    code = CHILD.format(tests=str(REPO / "tests"), db=str(db))
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            cwd=REPO)
    try:
        line = proc.stdout.readline()
        assert line.strip() == "IN-TRANSACTION", proc.stderr.read()
        assert db.with_name(db.name + "-wal").exists()
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)
        proc.stdout.close()
        proc.stderr.close()
    assert proc.returncode == -signal.SIGKILL

    raw = sqlite3.connect(db)
    assert raw.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    raw.close()
    h = History(db)
    sessions = h.list_sessions()
    assert sorted(s["source_name"] for s in sessions) == [f"earlier {i}" for i in range(5)]
    for s in sessions:
        full = h.get_session(s["id"])
        assert full["rep_count"] == 2 and PoseTrack.load_npz(full["track_path"]).times.shape == (30,)
    # The half-written media folder of the uncommitted session is gone once its id is reused.
    new = h.save_session(make_report(reps=[rep(1)]), "live", "after", track=small_track())
    assert new == 6 and PoseTrack.load_npz(h.get_session(new)["track_path"]).times.shape == (30,)
    assert len(h.list_sessions()) == 6
