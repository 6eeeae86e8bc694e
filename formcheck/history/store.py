"""The session store: save, change, list and delete sessions, routines, live
recordings and kept uploads, with the durability rules of formcheck.history."""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import shutil
import sqlite3
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path

from formcheck.history.db import (
    FILE_TROUBLE,
    HistoryError,
    HistoryUnavailable,
    bound,
    connect,
    now_iso,
    parse_time,
    session_filter,
    tx,
    unavailable,
)
from formcheck.history.export import CSV_COLUMNS, export_csv, export_json
from formcheck.history.migrations import migrate
from formcheck.history.paths import TRACK_NAME, VIDEO_NAME, default_db_path
from formcheck.history.printable import physio_report_html
from formcheck.history.rows import event_rows, summary_columns
from formcheck.history.trends import trends
from formcheck.landmarks import PoseTrack
from formcheck.report import validate_report
from formcheck.safe_io import PART_SUFFIX, atomic_path, dumps_json, private_dir

__all__ = ["History", "SOURCE_KINDS"]


SOURCE_KINDS = ("live", "upload", "sample")
STALE_STAGING_S = 24 * 3600  # staging folders of a live process older than this are removed [own]
LEGACY_STAGING_S = 600  # staging folders without a process id (older formcheck) older than this [own]
_STAGING_RE = re.compile(r"^\.staging-(\d+)-[0-9a-f]+$")
_UNSET = object()


class History:
    """The session store. Cheap to create; every method opens its own short
    connection, so one History may be shared between threads."""

    def __init__(self, db_path: str | os.PathLike | None = None):
        self.db_path = Path(db_path) if db_path is not None else default_db_path()
        self.root = self.db_path.parent
        self.media_dir = self.root / "media"
        self.recordings_dir = self.root / "recordings"
        self.uploads_dir = self.root / "uploads"
        if self.db_path.is_dir():
            raise unavailable(self.db_path, IsADirectoryError(str(self.db_path)))
        try:  # owner-only: sessions are health data (docs/security.md)
            for d in (self.root, self.media_dir, self.recordings_dir, self.uploads_dir, self.root / "tmp"):
                private_dir(d)
            if not self.db_path.exists():  # created 0600 before SQLite opens it; its -wal/-shm files follow
                os.close(os.open(self.db_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
            else:
                with contextlib.suppress(OSError):  # best effort: a file we may use but do not own
                    os.chmod(self.db_path, 0o600)
        except FileExistsError:
            pass
        except OSError as e:
            raise unavailable(self.db_path, e) from None
        with self.connect() as conn:
            try:
                self.version = migrate(conn)
            except HistoryUnavailable:
                raise
            except HistoryError as e:
                raise unavailable(self.db_path, e) from None
        self._sweep()

    @contextmanager
    def connect(self) -> Iterator[sqlite3.Connection]:
        """A short connection; a damaged, locked or unreadable database raises
        HistoryUnavailable (after at most LOCK_WAIT_S of waiting for a lock)."""
        try:
            conn = connect(self.db_path)
        except (sqlite3.OperationalError, sqlite3.DatabaseError, HistoryError) as e:
            if isinstance(e, HistoryUnavailable):
                raise
            raise unavailable(self.db_path, e) from None
        try:
            yield conn
        except sqlite3.Error as e:
            if type(e) in (sqlite3.OperationalError, sqlite3.DatabaseError) and FILE_TROUBLE.search(str(e)):
                raise unavailable(self.db_path, e) from None
            raise  # anything else is a bug in formcheck, shown as such
        finally:
            conn.close()

    # -- housekeeping ------------------------------------------------------------------------

    def _sweep(self) -> None:
        """Remove what a crashed save left behind: old staging folders, and media
        folders of ids that were never committed or were deleted."""
        now = time.time()
        for p in self.media_dir.glob(".staging-*"):
            try:
                if _staging_abandoned(p, now):
                    shutil.rmtree(p, ignore_errors=True)
            except OSError:
                pass
        with self.connect() as conn:
            seq = conn.execute("SELECT seq FROM sqlite_sequence WHERE name='sessions'").fetchone()
            ids = {r[0] for r in conn.execute("SELECT id FROM sessions")}
        top = int(seq[0]) if seq else 0
        for p in self.media_dir.iterdir():
            # Only ids at or below the committed sequence: a higher one may be a save in flight.
            if p.is_dir() and p.name.isdigit() and int(p.name) <= top and int(p.name) not in ids:
                shutil.rmtree(p, ignore_errors=True)

    # -- writing ----------------------------------------------------------------------------

    def save_session(self, report: dict, source_kind: str, source_name: str = "", *,
                     created_at: str | datetime | None = None, notes: str | None = None, pain: int | None = None,
                     stop_reason: str | None = None, video: str | os.PathLike | None = None,
                     track: PoseTrack | str | os.PathLike | None = None,
                     remove_sources: tuple[str | os.PathLike, ...] = (), routine_id: int | None = None) -> int:
        """Store one analysed session and return its id.

        `video` (annotated H.264) and `track` (a PoseTrack or a .npz path) are
        copied into media/<id>/. The row, its events and its media folder appear
        together or not at all. `remove_sources` are deleted after the commit
        (e.g. the stashed live recording now stored in media/<id>/).
        """
        validate_report(report)
        if source_kind not in SOURCE_KINDS:
            raise ValueError(f"source_kind: expected one of {SOURCE_KINDS}, got {source_kind!r}")
        pain = self._check_pain(pain)
        if isinstance(created_at, datetime):
            created_at = (created_at if created_at.tzinfo else created_at.replace(tzinfo=UTC)).astimezone(UTC)
            created_at = created_at.isoformat(timespec="seconds")
        created_at = created_at or now_iso()
        parse_time(created_at)  # refuse a malformed timestamp before writing anything

        staging = self.media_dir / f".staging-{os.getpid()}-{uuid.uuid4().hex}"
        staged: dict[str, str] = {}
        final: Path | None = None
        moved = committed = False
        try:
            if video is not None or track is not None:
                staging.mkdir(mode=0o700)
                if video is not None:
                    shutil.copyfile(video, staging / VIDEO_NAME)
                    os.chmod(staging / VIDEO_NAME, 0o600)
                    staged["video_path"] = VIDEO_NAME
                if isinstance(track, PoseTrack):
                    track.save_npz(staging / TRACK_NAME, private=True)
                    staged["track_path"] = TRACK_NAME
                elif track is not None:
                    shutil.copyfile(track, staging / TRACK_NAME)
                    os.chmod(staging / TRACK_NAME, 0o600)
                    staged["track_path"] = TRACK_NAME
                _fsync_dir(staging)
            cols = summary_columns(report)
            with self.connect() as conn, tx(conn):
                cur = conn.execute(
                    "INSERT INTO sessions(created_at, exercise, source_kind, source_name, report, rep_count, "
                    "hold_count, step_count, clean_count, faulted_count, fault_total, fault_counts, view, side, "
                    "duration_s, notes, pain, stop_reason, routine_id) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                    (created_at, report["exercise"], source_kind, source_name, dumps_json(report, indent=None),
                     cols["rep_count"], cols["hold_count"], cols["step_count"], cols["clean_count"],
                     cols["faulted_count"], cols["fault_total"], cols["fault_counts"], cols["view"], cols["side"],
                     cols["duration_s"], notes, pain, stop_reason, routine_id))
                sid = int(cur.lastrowid)
                _insert_events(conn, sid, report)
                if staged:
                    final = self.media_dir / str(sid)
                    if final.exists():  # left by a save that crashed before its commit: a copy, not an original
                        shutil.rmtree(final)
                    os.replace(staging, final)
                    moved = True
                    conn.execute("UPDATE sessions SET video_path=?, track_path=? WHERE id=?",
                                 (_rel(final, staged.get("video_path")), _rel(final, staged.get("track_path")), sid))
            committed = True
        except BaseException:
            if moved and not committed and final is not None:
                shutil.rmtree(final, ignore_errors=True)
            raise
        finally:
            if staging.exists():
                shutil.rmtree(staging, ignore_errors=True)
        for src in remove_sources:
            Path(src).unlink(missing_ok=True)
        return sid

    @staticmethod
    def _check_pain(pain) -> int | None:
        if pain is None:
            return None
        if isinstance(pain, bool) or not isinstance(pain, int | float) or not 0 <= pain <= 10 or pain != int(pain):
            raise ValueError(f"pain: expected a whole number from 0 to 10 or None, got {pain!r}")
        return int(pain)

    def update_session(self, session_id: int, *, notes=_UNSET, pain=_UNSET, stop_reason=_UNSET) -> None:
        """Change the notes, pain score or stop reason of a saved session."""
        sets, vals = [], []
        if notes is not _UNSET:
            sets.append("notes=?")
            vals.append(notes)
        if pain is not _UNSET:
            sets.append("pain=?")
            vals.append(self._check_pain(pain))
        if stop_reason is not _UNSET:
            sets.append("stop_reason=?")
            vals.append(stop_reason)
        if not sets:
            return
        with self.connect() as conn, tx(conn):
            cur = conn.execute(f"UPDATE sessions SET {', '.join(sets)} WHERE id=?", (*vals, session_id))
            if cur.rowcount == 0:
                raise KeyError(f"no session {session_id}")

    def replace_report(self, session_id: int, report: dict) -> None:
        """Replace a saved session's analysis (a re-analysis, e.g. as another
        movement): its report, summary columns and events change together; its
        date, notes, pain score and media stay. KeyError if there is no such session."""
        validate_report(report)
        cols = summary_columns(report)
        with self.connect() as conn, tx(conn):
            cur = conn.execute(
                "UPDATE sessions SET exercise=?, report=?, rep_count=?, hold_count=?, step_count=?, clean_count=?, "
                "faulted_count=?, fault_total=?, fault_counts=?, view=?, side=?, duration_s=? WHERE id=?",
                (report["exercise"], json.dumps(report), cols["rep_count"], cols["hold_count"], cols["step_count"],
                 cols["clean_count"], cols["faulted_count"], cols["fault_total"], cols["fault_counts"], cols["view"],
                 cols["side"], cols["duration_s"], session_id))
            if cur.rowcount == 0:
                raise KeyError(f"no session {session_id}")
            conn.execute("DELETE FROM events WHERE session_id=?", (session_id,))
            _insert_events(conn, session_id, report)

    def delete_session(self, session_id: int) -> bool:
        """Delete a session, its events and its media folder. False if it did not exist."""
        with self.connect() as conn, tx(conn):
            cur = conn.execute("DELETE FROM sessions WHERE id=?", (session_id,))
            existed = cur.rowcount > 0
        folder = self.media_dir / str(int(session_id))
        if folder.exists():
            shutil.rmtree(folder, ignore_errors=True)
        return existed

    def set_excluded(self, session_id: int, excluded: bool) -> None:
        """Leave a session out of the trends (or bring it back); it stays in the list."""
        with self.connect() as conn, tx(conn):
            cur = conn.execute("UPDATE sessions SET excluded=? WHERE id=?", (int(bool(excluded)), session_id))
            if cur.rowcount == 0:
                raise KeyError(f"no session {session_id}")

    # -- guided routines ------------------------------------------------------------------------

    def save_routine(self, name: str, plan: dict, log: list[dict], summary: list[dict], *,
                     created_at: str | datetime | None = None) -> int:
        """Store one run of a routine (its plan, per-set log and prescribed-versus-done
        summary); its movements are saved with save_session(routine_id=...)."""
        if isinstance(created_at, datetime):
            created_at = (created_at if created_at.tzinfo else created_at.replace(tzinfo=UTC)).astimezone(UTC)
            created_at = created_at.isoformat(timespec="seconds")
        created_at = created_at or now_iso()
        parse_time(created_at)
        with self.connect() as conn, tx(conn):
            cur = conn.execute("INSERT INTO routines(created_at, name, plan, log, summary) VALUES (?,?,?,?,?)",
                               (created_at, name, json.dumps(plan), json.dumps(log), json.dumps(summary)))
            return int(cur.lastrowid)

    def _routine_row(self, row: sqlite3.Row, conn: sqlite3.Connection) -> dict:
        d = dict(row)
        for k in ("plan", "log", "summary"):
            d[k] = json.loads(d[k])
        d["sessions"] = [self._row(r, with_report=False) for r in conn.execute(
            "SELECT * FROM sessions WHERE routine_id=? ORDER BY id", (d["id"],))]
        return d

    def get_routine(self, routine_id: int) -> dict | None:
        """One routine run with its plan, log, summary and its sessions (without reports)."""
        with self.connect() as conn:
            row = conn.execute("SELECT * FROM routines WHERE id=?", (routine_id,)).fetchone()
            return self._routine_row(row, conn) if row is not None else None

    def list_routines(self, *, since: str | date | None = None, until: str | date | None = None) -> list[dict]:
        """Routine runs, newest first, each with its sessions."""
        where, vals = [], []
        if since is not None:
            where.append("created_at>=?")
            vals.append(bound(since, end=False))
        if until is not None:
            where.append("created_at<?")
            vals.append(bound(until, end=True))
        sql = "SELECT * FROM routines" + (" WHERE " + " AND ".join(where) if where else "")
        with self.connect() as conn:
            return [self._routine_row(r, conn) for r in conn.execute(sql + " ORDER BY created_at DESC, id DESC", vals)]

    # -- live recordings and kept uploads ---------------------------------------------------

    def stash_recording(self, track: PoseTrack, name: str | None = None) -> Path:
        """Write a live recording to recordings/ (atomically) before anything else
        is done with it, so a failed analysis never loses it."""
        name = name or datetime.now(UTC).strftime("live-%Y%m%dT%H%M%S%fZ")
        path = self.recordings_dir / f"{name}.npz"
        track.save_npz(path, private=True)
        return path

    def pending_recordings(self) -> list[Path]:
        return sorted(p for p in self.recordings_dir.glob("*.npz") if PART_SUFFIX not in p.name)

    UPLOAD_CHUNK = 1 << 20  # uploads are copied to disk 1 MiB at a time, never whole in memory

    def keep_upload(self, name: str, data: bytes | io.BufferedIOBase) -> Path:
        """Save an uploaded file under uploads/ (atomically, owner-only) and return its
        path. A file object is streamed in UPLOAD_CHUNK pieces from where it stands."""
        safe = "".join(c if c.isalnum() or c in "._-" else "_" for c in Path(name).name)[-80:] or "upload"
        path = self.uploads_dir / f"{datetime.now(UTC).strftime('%Y%m%dT%H%M%S')}-{uuid.uuid4().hex[:6]}-{safe}"
        with atomic_path(path, private=True) as tmp, open(tmp, "wb") as f:
            if isinstance(data, bytes | bytearray | memoryview):
                f.write(data)
            else:
                if hasattr(data, "seek"):
                    data.seek(0)
                shutil.copyfileobj(data, f, self.UPLOAD_CHUNK)
        return path

    def kept_uploads(self) -> list[Path]:
        return sorted(p for p in self.uploads_dir.iterdir()
                      if p.is_file() and PART_SUFFIX not in p.name and not p.name.startswith("."))

    # -- reading --------------------------------------------------------------------------------

    def _row(self, row: sqlite3.Row, with_report: bool) -> dict:
        d = dict(row)
        d["fault_counts"] = json.loads(d.get("fault_counts") or "{}")
        if with_report:
            d["report"] = json.loads(d["report"])
        else:
            d.pop("report", None)
        folder = self.media_dir / str(d["id"])
        for key in ("video_path", "track_path"):
            p = folder / d[key] if d.get(key) else None
            d[key] = str(p) if p is not None and p.exists() else None
        events = d["rep_count"] + d["hold_count"] + d["step_count"]
        d["fault_rate"] = d["faulted_count"] / events if events else None
        return d

    def list_sessions(self, exercise: str | None = None, source_kind: str | None = None, *,
                      since: str | date | None = None, until: str | date | None = None,
                      include_samples: bool = True, limit: int | None = None) -> list[dict]:
        """Sessions, newest first, without their full report. `since`/`until` are
        inclusive dates (or ISO timestamps)."""
        where, vals = session_filter("", exercise, source_kind, include_samples, since, until)
        sql = "SELECT * FROM sessions" + (" WHERE " + " AND ".join(where) if where else "")
        sql += " ORDER BY created_at DESC, id DESC"
        if limit:
            sql += f" LIMIT {int(limit)}"
        with self.connect() as conn:
            return [self._row(r, with_report=False) for r in conn.execute(sql, vals)]

    def get_session(self, session_id: int) -> dict | None:
        """One session with its full report and absolute media paths (None where missing)."""
        with self.connect() as conn:
            row = conn.execute("SELECT * FROM sessions WHERE id=?", (session_id,)).fetchone()
        return self._row(row, with_report=True) if row is not None else None

    def find_sample(self, source_name: str) -> int | None:
        """The id of a saved sample session of this name (to open it again, not save a copy)."""
        with self.connect() as conn:
            row = conn.execute("SELECT id FROM sessions WHERE source_kind='sample' AND source_name=? "
                               "ORDER BY id DESC LIMIT 1", (source_name,)).fetchone()
        return int(row[0]) if row else None

    # -- export, trends and the printable page (each in its own module) -----------------------

    CSV_COLUMNS = CSV_COLUMNS

    def export_json(self, session_id: int) -> str:
        """The session with its metadata as JSON (formcheck.history.export)."""
        return export_json(self, session_id)

    def export_csv(self, session_id: int | None = None) -> str:
        """One row per rep, hold or step; all sessions if `session_id` is None (formcheck.history.export)."""
        return export_csv(self, session_id)

    def trends(self, exercise: str | None = None, include_samples: bool = False, *,
               since: str | date | None = None, until: str | date | None = None) -> dict:
        """Progress over weeks (formcheck.history.trends)."""
        return trends(self, exercise, include_samples, since=since, until=until)

    def physio_report_html(self, session_id: int | None = None, *, since: str | date | None = None,
                           until: str | date | None = None, exercise: str | None = None) -> str:
        """The printable one-page HTML report (formcheck.history.printable)."""
        return physio_report_html(self, session_id, since=since, until=until, exercise=exercise)


def _insert_events(conn: sqlite3.Connection, session_id: int, report: dict) -> None:
    """The events table's rows of one session's report (inside the caller's transaction)."""
    conn.executemany(
        "INSERT INTO events(session_id, kind, idx, set_no, side, start_s, peak_s, end_s, duration_s, "
        "fault_codes, n_faults, fppa_deg) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
        [(session_id, e["kind"], e["idx"], e["set_no"], e["side"], e["start_s"], e["peak_s"], e["end_s"],
          e["duration_s"], ",".join(e["faults"]), len(e["faults"]), e["fppa_deg"])
         for e in event_rows(report)])


def _pid_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # exists, owned by someone else
        return True
    return True


def _staging_abandoned(p: Path, now: float) -> bool:
    """A staging folder whose save can no longer finish: its process is gone (or, for
    one from an older formcheck without a process id, it is older than LEGACY_STAGING_S)."""
    age = now - p.stat().st_mtime
    m = _STAGING_RE.match(p.name)
    if m is None:
        return age > LEGACY_STAGING_S
    return not _pid_alive(int(m.group(1))) or age > STALE_STAGING_S


def _rel(folder: Path, name: str | None) -> str | None:
    return name if name and (folder / name).exists() else None


def _fsync_dir(path: Path) -> None:
    for p in path.iterdir():
        with open(p, "rb") as f:
            os.fsync(f.fileno())
