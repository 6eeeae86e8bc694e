"""What formcheck keeps on disk: owner-only folders and files, interrupted saves
cleaned at start-up, CSV exports that cannot run as spreadsheet formulas, and
uploads streamed to disk rather than copied in memory."""

from __future__ import annotations

import csv
import io
import os
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from formcheck.history import History, csv_cell
from formcheck.pipeline import analyze
from formcheck_synth.catalog import build
from formcheck_synth.kit import track_from_motion
from formcheck_synth.scripts import CameraSpec, Scenario


def _mode(p: Path) -> int:
    return stat.S_IMODE(p.stat().st_mode)


@pytest.fixture(scope="module")
def clam():
    b = build(Scenario("clamshell", reps=3, camera=CameraSpec(view="front")))
    track = track_from_motion(b.motion, b.camera)
    return track, analyze(track, "clamshell", source="clam.npz")


def test_data_folder_0700_and_files_0600(tmp_path, clam):
    track, report = clam
    root = tmp_path / "data"
    hist = History(root / "formcheck.db")
    video = tmp_path / "v.mp4"
    video.write_bytes(b"\x00" * 100)
    sid = hist.save_session(report, "upload", "clam.npz", video=video, track=track)
    for d in (root, hist.media_dir, hist.recordings_dir, hist.uploads_dir, root / "tmp", hist.media_dir / str(sid)):
        assert _mode(d) == 0o700, (d, oct(_mode(d)))
    s = hist.get_session(sid)
    files = [root / "formcheck.db", Path(s["video_path"]), Path(s["track_path"]),
             hist.keep_upload("clip.mp4", io.BytesIO(b"abc")), hist.stash_recording(track)]
    with hist.connect() as conn:  # the -wal and -shm files exist while a connection is open
        conn.execute("SELECT COUNT(*) FROM sessions").fetchone()
        files += [p for p in root.glob("formcheck.db-*")]
        assert len(files) == 7
        for f in files:
            assert _mode(f) == 0o600, (f, oct(_mode(f)))


def test_existing_open_folder_and_database_are_closed_on_open(tmp_path):
    root = tmp_path / "data"
    History(root / "formcheck.db")
    os.chmod(root, 0o755)
    os.chmod(root / "formcheck.db", 0o644)
    History(root / "formcheck.db")
    assert _mode(root) == 0o700 and _mode(root / "formcheck.db") == 0o600


def _dead_pid() -> int:
    p = subprocess.Popen([sys.executable, "-c", "pass"])
    p.wait()
    return p.pid


def test_interrupted_staging_is_cleaned_at_start_up(tmp_path):
    hist = History(tmp_path / "formcheck.db")
    dead = hist.media_dir / f".staging-{_dead_pid()}-0a1b2c"
    alive = hist.media_dir / f".staging-{os.getpid()}-3d4e5f"  # a save in flight in this process
    legacy_old = hist.media_dir / ".staging-6a7b8c9d"
    legacy_new = hist.media_dir / ".staging-0e0f1a2b"
    for d in (dead, alive, legacy_old, legacy_new):
        d.mkdir()
        (d / "track.npz").write_bytes(b"x")
    old = time.time() - 3600
    os.utime(legacy_old, (old, old))
    History(tmp_path / "formcheck.db")  # start-up
    assert not dead.exists() and not legacy_old.exists()
    assert alive.exists() and legacy_new.exists()


@pytest.mark.parametrize("text", ["=1+1", "+SUM(A1)", "-2+3", "@cmd", "=HYPERLINK(\"http://x\")", "\t=1", "\r=1"])
def test_csv_cells_that_would_run_as_formulas_are_neutralised(tmp_path, clam, text):
    _, report = clam
    hist = History(tmp_path / "formcheck.db")
    sid = hist.save_session(report, "upload", text, notes=text)
    rows = list(csv.DictReader(io.StringIO(hist.export_csv(sid), newline="")))
    want = "'" + text.replace("\r", "\n")
    assert rows and all(r["notes"] == want and r["source_name"] == want for r in rows)
    for r in rows:
        for v in r.values():
            assert not (v or "").startswith(("=", "+", "@")), v


def test_csv_keeps_numbers_and_plain_text():
    assert csv_cell(-5.25) == -5.25 and csv_cell(0) == 0 and csv_cell("knee pain 3/10") == "knee pain 3/10"
    assert csv_cell(None) == ""


def test_upload_is_streamed_in_chunks_not_read_whole(tmp_path):
    hist = History(tmp_path / "formcheck.db")
    sizes = []

    class Recording(io.BytesIO):
        def read(self, n=-1):
            sizes.append(n)
            return super().read(n)

        def readinto(self, b):
            sizes.append(len(b))
            return super().readinto(b)

    data = os.urandom(3 * hist.UPLOAD_CHUNK + 123)
    up = Recording(data)
    up.read(10)  # Streamlit may have read from it already: the whole file is still saved
    sizes.clear()
    path = hist.keep_upload("clip.mp4", up)
    assert path.read_bytes() == data
    assert sizes and all(0 < n <= hist.UPLOAD_CHUNK for n in sizes), sizes
    assert [p.name for p in hist.uploads_dir.iterdir()] == [path.name]  # no temporary file left


def test_every_file_writer_goes_through_safe_io():
    """One atomic writer (safe_io.atomic_path): no module renames its own temporary file into place.
    history/store.py's one os.replace moves a whole staging folder, which atomic_path does not do."""
    pkg = Path(__file__).resolve().parent.parent / "formcheck"
    own = {str(p.relative_to(pkg)): p.read_text().count("os.replace(") for p in pkg.rglob("*.py")}
    assert {k: n for k, n in own.items() if n} == {"safe_io.py": 1, "history/store.py": 1}
    assert not [str(p) for p in pkg.rglob("*.py") if '.part"' in p.read_text() and p.name != "safe_io.py"]


def test_saved_routine_and_batch_summary_are_written_whole(tmp_path, monkeypatch):
    """A failing write leaves the previous file as it was and no stray temporary file."""
    from formcheck import routine as rt
    from formcheck.batch import SUMMARY_COLUMNS, write_summary

    path = tmp_path / "routine.json"
    rt.save_routine(path, rt.SEED_ROUTINE)
    assert _mode(path) == 0o600 and rt.load_routine(path) == rt.SEED_ROUTINE
    before = path.read_bytes()
    monkeypatch.setattr(rt, "routine_to_dict", lambda r: {"steps": [object()]})  # not JSON: json.dumps raises
    with pytest.raises(TypeError):
        rt.save_routine(path, rt.SEED_ROUTINE)
    assert path.read_bytes() == before and sorted(p.name for p in tmp_path.iterdir()) == ["routine.json"]

    out = tmp_path / "batch"
    out.mkdir()
    row = dict.fromkeys(SUMMARY_COLUMNS, None) | {"path": "a.mp4", "status": "ok", "reps": 3}
    csv_path, pq_path = write_summary([row], out)
    assert csv_path.read_text().splitlines()[0] == ",".join(SUMMARY_COLUMNS)
    assert sorted(p.name for p in out.iterdir()) == ["summary.csv", "summary.parquet"]
