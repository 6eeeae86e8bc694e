"""The app with a history database that cannot be used: damaged, locked by another
program, written by a newer formcheck, or a folder where the file should be. Every
page starts, says what is wrong and what to do (with the path), and the database
is left exactly as it was (AppTest, no browser)."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

import formcheck.history.db as history_db
from formcheck.history import History, HistoryUnavailable, default_db_path

REPO = Path(__file__).resolve().parent.parent
APP = str(REPO / "app.py")
PAGES = ["app_pages/live.py", "app_pages/analyze.py", "app_pages/review.py", "app_pages/history.py"]


def _digest(p: Path) -> str:
    if p.is_dir():
        return "folder:" + ",".join(sorted(x.name for x in p.iterdir()))
    return hashlib.sha256(p.read_bytes()).hexdigest()


def _damaged(db: Path):
    db.parent.mkdir(parents=True, exist_ok=True)
    db.write_bytes(b"this is not a database, it is half of a photo\x00" * 200)


def _newer(db: Path):
    History(db)
    with sqlite3.connect(db) as c:
        c.execute("INSERT INTO schema_version(version, description, applied_at) VALUES (99, 'future', 'x')")
    with sqlite3.connect(db) as c:
        c.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # all in the main file, so its bytes can be compared


def _folder(db: Path):
    db.mkdir(parents=True)
    (db / "something.txt").write_text("a folder where the database should be")


CASES = {
    "damaged": (_damaged, ["is damaged", "mv ", ".damaged"]),
    "newer": (_newer, ["newer formcheck", "version 99", "mv ", ".newer"]),
    "folder": (_folder, ["is a folder", "mv ", ".folder"]),
}


@pytest.mark.parametrize("case", list(CASES))
def test_every_page_explains_an_unusable_database(case):
    db = default_db_path()
    make, words = CASES[case]
    make(db)
    before = _digest(db)
    for page in PAGES:
        at = AppTest.from_file(APP, default_timeout=60).run()
        at.switch_page(page).run()
        assert not at.exception, (page, at.exception)
        errors = [e.value for e in at.error]
        assert len(errors) == 1, (page, errors)
        assert str(db) in errors[0] and all(w in errors[0] for w in words), (page, errors[0])
        assert "Traceback" not in errors[0]
    assert _digest(db) == before  # never repaired, rewritten or removed


def test_locked_database_waits_a_bounded_time_and_says_so(monkeypatch):
    monkeypatch.setattr(history_db, "LOCK_WAIT_S", 0.3)
    db = default_db_path()
    History(db)
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("PRAGMA locking_mode=EXCLUSIVE")
    holder.execute("BEGIN EXCLUSIVE")
    try:
        for page in PAGES:
            at = AppTest.from_file(APP, default_timeout=60).run()
            at.switch_page(page).run()
            assert not at.exception, (page, at.exception)
            errors = [e.value for e in at.error]
            assert len(errors) == 1 and "in use by another program" in errors[0] and "waited 0.3 s" in errors[0], \
                (page, errors)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert History(db).list_sessions() == []  # usable again once the other program lets go


def test_history_unavailable_messages_are_one_line_with_the_path(tmp_path):
    db = tmp_path / "formcheck.db"
    _damaged(db)
    with pytest.raises(HistoryUnavailable) as e:
        History(db)
    msg = str(e.value)
    assert "\n" not in msg and str(db) in msg and "Nothing was changed" in msg


def _png() -> bytes:
    import cv2
    import numpy as np

    ok, buf = cv2.imencode(".png", np.zeros((48, 64, 3), np.uint8))
    return buf.tobytes()


@pytest.mark.parametrize("name, kind", [("photo_renamed.mp4", "png"), ("truncated.npz", "npz")])
def test_bad_uploads_are_refused_and_not_kept(tmp_path, name, kind):
    """A still image renamed .mp4 (a .png is not offered by the uploader at all) or a cut .npz: one clear error, no session, no
    file left in uploads/ (these used to become a 0-second session or an 'unexpected error')."""
    if kind == "png":
        data = _png()
    else:
        from formcheck_synth.catalog import build
        from formcheck_synth.kit import track_from_motion
        from formcheck_synth.scripts import CameraSpec, Scenario

        b = build(Scenario("clamshell", reps=3, camera=CameraSpec(view="front")))
        p = tmp_path / "t.npz"
        track_from_motion(b.motion, b.camera).save_npz(p)
        data = p.read_bytes()[: p.stat().st_size // 2]
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("app_pages/analyze.py").run()
    at.file_uploader(key="upload").set_value((name, data, "application/octet-stream"))
    at.run()
    at.button(key="analyze").click().run()
    assert not at.exception
    errors = [e.value for e in at.error]
    want = "still image" if kind == "png" else "pose track"
    assert len(errors) == 1 and want in errors[0], errors
    assert not at.expander  # the user's input, not a bug: no "details for a bug report"
    hist = History()
    assert hist.list_sessions() == [] and hist.kept_uploads() == []


def test_database_damaged_while_the_app_runs_is_explained():
    """The History object is cached by the app; a database that breaks after start-up
    is reported on the next page run, not as a traceback."""
    db = default_db_path()
    History(db)
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("app_pages/history.py").run()
    assert not at.exception and not at.error
    with sqlite3.connect(db) as c:
        c.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    for suffix in ("-wal", "-shm"):
        Path(str(db) + suffix).unlink(missing_ok=True)
    data = bytearray(db.read_bytes())
    data[:16] = b"garbage garbage!"  # the SQLite header
    db.write_bytes(bytes(data))
    at.run()
    assert not at.exception
    errors = [e.value for e in at.error]
    assert len(errors) == 1 and "is damaged" in errors[0] and str(db) in errors[0], errors
    assert db.read_bytes()[:16] == b"garbage garbage!"
