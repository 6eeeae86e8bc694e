"""Session history: a local SQLite store of analysed sessions and their media.

Everything stays on this machine, under one data folder:

    <data dir>/formcheck.db          sessions and their reps/holds/steps (SQLite, WAL)
    <data dir>/media/<id>/           annotated.mp4 and track.npz of session <id>
    <data dir>/recordings/           live recordings not yet analysed (kept until saved)
    <data dir>/uploads/              uploaded clips kept after a failed analysis

The data dir is $FORMCHECK_DATA_DIR, else $XDG_DATA_HOME/formcheck, else
~/.local/share/formcheck. A database at another path keeps its media beside it.

Durability: every write is one transaction (WAL, synchronous=FULL, foreign keys
on); files are written to a temporary name and moved into place, and a
session's media folder is moved in inside the transaction that creates the row.
A crash or a failed save therefore never damages or removes sessions saved
before it. Sources handed to `save_session(remove_sources=...)` are deleted only
after the commit.

The schema is versioned: `schema_version` lists the applied migrations;
`MIGRATIONS` is the ordered list, applied in one transaction each on open.
No Streamlit, OpenCV or MediaPipe here.
"""

from __future__ import annotations

import contextlib
import csv
import html
import io
import json
import math
import os
import re
import shlex
import shutil
import sqlite3
import statistics
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from formcheck.landmarks import PoseTrack
from formcheck.report import validate_report
from formcheck.results import parse_events, upgrade_events
from formcheck.safe_io import PART_SUFFIX, atomic_path, dumps_json, private_dir

__all__ = [
    "History",
    "HistoryError",
    "HistoryUnavailable",
    "Migration",
    "MIGRATIONS",
    "SCHEMA_VERSION",
    "SOURCE_KINDS",
    "data_dir",
    "default_db_path",
    "migrate",
    "connect",
    "week_start",
]

SOURCE_KINDS = ("live", "upload", "sample")
DB_NAME = "formcheck.db"
VIDEO_NAME = "annotated.mp4"
TRACK_NAME = "track.npz"
STALE_STAGING_S = 24 * 3600  # staging folders of a live process older than this are removed [own]
LEGACY_STAGING_S = 600  # staging folders without a process id (older formcheck) older than this [own]
LOCK_WAIT_S = 5.0  # how long to wait for a database another program holds locked, then say so [own]
# SQLite errors about the file itself (not about a query): reported as HistoryUnavailable.
_FILE_TROUBLE = re.compile(r"locked|busy|not a database|malformed|corrupt|unable to open|readonly|read-only|disk i/o|"
                           r"disk is full|database or disk", re.IGNORECASE)
_STAGING_RE = re.compile(r"^\.staging-(\d+)-[0-9a-f]+$")
SESSION_SCHEMA = "formcheck.session/1"
PHYSIO_MAX_ROWS = 14  # session rows that fit on one printed page with the weekly table [own]


class HistoryError(Exception):
    """The history database cannot be used (e.g. written by a newer formcheck)."""


class HistoryUnavailable(HistoryError):
    """The database is damaged, locked, newer or not a file: what is wrong, where,
    and what to do. Nothing was changed; the file is never removed or rewritten."""

    def __init__(self, path: Path, problem: str, advice: str):
        self.path, self.problem, self.advice = Path(path), problem, advice
        super().__init__(f"The history database {path} {problem}. {advice}")


def _move_aside(path: Path, suffix: str) -> str:
    return (f"move it aside to start a new, empty history (for example: mv {shlex.quote(str(path))} "
            f"{shlex.quote(str(path) + suffix)}) and reload; formcheck never deletes or changes it")


def unavailable(path: Path, e: BaseException) -> HistoryUnavailable:
    """A clear HistoryUnavailable for an SQLite or file-system error on `path`."""
    msg = str(e).lower()
    if "locked" in msg or "busy" in msg:
        return HistoryUnavailable(path, f"is in use by another program (waited {LOCK_WAIT_S:g} s for it)",
                                  "Close other formcheck windows or tools that have it open, then reload the page. "
                                  "Nothing was changed")
    if "not a database" in msg or "malformed" in msg or "corrupt" in msg:
        return HistoryUnavailable(path, f"is damaged (SQLite says: {e})",
                                  "Nothing was changed. To go on, " + _move_aside(path, ".damaged")
                                  + f" (sqlite3's .recover command may get sessions back from {path.name}.damaged)")
    if isinstance(e, HistoryError) and "schema version" in msg:
        return HistoryUnavailable(path, f"was written by a newer formcheck ({e})",
                                  "Nothing was changed. Update formcheck to open it, or " + _move_aside(path, ".newer"))
    if path.is_dir():
        return HistoryUnavailable(path, "is a folder, not a database file",
                                  "Nothing was changed. To go on, " + _move_aside(path, ".folder"))
    return HistoryUnavailable(path, f"cannot be opened ({e})",
                              "Check that its folder exists and can be written by you, or set FORMCHECK_DATA_DIR "
                              "to another folder. Nothing was changed")


def data_dir() -> Path:
    """$FORMCHECK_DATA_DIR, else $XDG_DATA_HOME/formcheck, else ~/.local/share/formcheck."""
    env = os.environ.get("FORMCHECK_DATA_DIR")
    if env:
        return Path(env).expanduser()
    xdg = os.environ.get("XDG_DATA_HOME")
    return (Path(xdg).expanduser() if xdg else Path.home() / ".local" / "share") / "formcheck"


def default_db_path() -> Path:
    return data_dir() / DB_NAME


def _now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _parse_time(s: str) -> datetime:
    dt = datetime.fromisoformat(s)
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


def week_start(created_at: str) -> str:
    """The Monday (UTC) of the ISO week of an ISO timestamp, as YYYY-MM-DD."""
    d = _parse_time(created_at).astimezone(UTC).date()
    return (d - timedelta(days=d.weekday())).isoformat()


# ---- schema and migrations -------------------------------------------------------------


@dataclass(frozen=True)
class Migration:
    version: int
    description: str
    apply: Callable[[sqlite3.Connection], None]


def _v1(conn: sqlite3.Connection) -> None:
    conn.execute("""
        CREATE TABLE sessions (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            created_at TEXT NOT NULL,
            exercise TEXT NOT NULL,
            source_kind TEXT NOT NULL CHECK (source_kind IN ('live', 'upload', 'sample')),
            source_name TEXT NOT NULL DEFAULT '',
            report TEXT NOT NULL,
            rep_count INTEGER NOT NULL DEFAULT 0,
            hold_count INTEGER NOT NULL DEFAULT 0,
            step_count INTEGER NOT NULL DEFAULT 0,
            clean_count INTEGER NOT NULL DEFAULT 0,
            faulted_count INTEGER NOT NULL DEFAULT 0,
            fault_total INTEGER NOT NULL DEFAULT 0,
            fault_counts TEXT NOT NULL DEFAULT '{}',
            view TEXT,
            side TEXT,
            duration_s REAL,
            notes TEXT,
            pain INTEGER CHECK (pain IS NULL OR (pain BETWEEN 0 AND 10)),
            video_path TEXT,
            track_path TEXT
        )""")
    conn.execute("CREATE INDEX sessions_created ON sessions(created_at)")
    conn.execute("CREATE INDEX sessions_exercise ON sessions(exercise, created_at)")
    # One row per rep, hold or step: what the trends are computed from.
    conn.execute("""
        CREATE TABLE events (
            session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
            kind TEXT NOT NULL CHECK (kind IN ('rep', 'hold', 'step')),
            idx INTEGER NOT NULL,
            set_no INTEGER,
            side TEXT,
            start_s REAL,
            peak_s REAL,
            end_s REAL,
            duration_s REAL,
            fault_codes TEXT NOT NULL DEFAULT '',
            n_faults INTEGER NOT NULL DEFAULT 0,
            fppa_deg REAL,
            PRIMARY KEY (session_id, kind, idx)
        )""")


def _v2(conn: sqlite3.Connection) -> None:
    # Why a set ended (pain, fatigue, done...): cheap and clinically useful (peers.md §5.9).
    conn.execute("ALTER TABLE sessions ADD COLUMN stop_reason TEXT")


def _v3(conn: sqlite3.Connection) -> None:
    # A guided routine is one run of the programme: its plan and per-set log live here,
    # each movement's analysed part is an ordinary session pointing at it.
    conn.execute("""
        CREATE TABLE routines (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            created_at TEXT NOT NULL,
            name TEXT NOT NULL DEFAULT '',
            plan TEXT NOT NULL,
            log TEXT NOT NULL DEFAULT '[]',
            summary TEXT NOT NULL DEFAULT '[]'
        )""")
    conn.execute("ALTER TABLE sessions ADD COLUMN routine_id INTEGER REFERENCES routines(id) ON DELETE SET NULL")
    # Left out of trends (a junk recording, a test) but kept.
    conn.execute("ALTER TABLE sessions ADD COLUMN excluded INTEGER NOT NULL DEFAULT 0")
    conn.execute("CREATE INDEX sessions_routine ON sessions(routine_id)")


def _v4(conn: sqlite3.Connection) -> None:
    # Reports saved before the result records (formcheck.results) lack fields those
    # now require (a rep's unjudged list and form_judged, a step's index): bring
    # each stored report to the records' shape once, so readers read one shape.
    # A row that does not read as a report is left as it is, never dropped.
    rows = conn.execute("SELECT id, report FROM sessions").fetchall()
    for sid, text in rows:
        try:
            report = json.loads(text)
            new = upgrade_events(report)
        except (ValueError, TypeError, AttributeError):
            continue
        if new != report:
            conn.execute("UPDATE sessions SET report=? WHERE id=?", (dumps_json(new, indent=None), sid))


MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "sessions and their reps, holds and steps", _v1),
    Migration(2, "why a set stopped", _v2),
    Migration(3, "guided routines; sessions left out of trends", _v3),
    Migration(4, "stored reports in the result records' shape", _v4),
)
SCHEMA_VERSION = MIGRATIONS[-1].version


@contextmanager
def _tx(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """One write transaction: BEGIN IMMEDIATE .. COMMIT, rolled back on any error."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def schema_version(conn: sqlite3.Connection) -> int:
    row = conn.execute("SELECT name FROM sqlite_master WHERE type='table' AND name='schema_version'").fetchone()
    if row is None:
        return 0
    return int(conn.execute("SELECT COALESCE(MAX(version), 0) FROM schema_version").fetchone()[0])


def migrate(conn: sqlite3.Connection, migrations: tuple[Migration, ...] = MIGRATIONS) -> int:
    """Apply the migrations newer than the database, in order, each in its own
    transaction (a failed migration leaves the database at the previous version).
    Returns the resulting version."""
    versions = [m.version for m in migrations]
    if versions != sorted(set(versions)) or (versions and versions[0] != 1):
        raise ValueError(f"migrations must be numbered 1, 2, ... in order, got {versions}")
    with _tx(conn):
        conn.execute("CREATE TABLE IF NOT EXISTS schema_version ("
                     "version INTEGER PRIMARY KEY, description TEXT NOT NULL, applied_at TEXT NOT NULL)")
    current = schema_version(conn)
    latest = versions[-1] if versions else 0
    if current > latest:
        raise HistoryError(f"the history database is at schema version {current}, but this formcheck only knows "
                           f"up to version {latest}; update formcheck or use another data folder")
    for m in migrations:
        if m.version <= current:
            continue
        with _tx(conn):
            if schema_version(conn) >= m.version:  # another process got there first
                continue
            m.apply(conn)
            conn.execute("INSERT INTO schema_version(version, description, applied_at) VALUES (?, ?, ?)",
                         (m.version, m.description, _now_iso()))
    return schema_version(conn)


def connect(path: str | os.PathLike, timeout: float | None = None) -> sqlite3.Connection:
    """A connection in autocommit mode (transactions are explicit) with WAL,
    synchronous=FULL and foreign keys on."""
    timeout = LOCK_WAIT_S if timeout is None else timeout
    conn = sqlite3.connect(str(path), timeout=timeout, isolation_level=None)
    conn.row_factory = sqlite3.Row
    mode = conn.execute("PRAGMA journal_mode=WAL").fetchone()[0]
    if str(mode).lower() != "wal":
        conn.close()
        raise HistoryError(f"{path}: could not switch the database to WAL mode (got {mode!r})")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("PRAGMA foreign_keys=ON")
    return conn


# ---- reading reports ---------------------------------------------------------------------


def _finite(x) -> float | None:
    try:
        v = float(x)
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) else None


def _events(report: dict) -> list[dict]:
    """The rows of the events table for one (valid) report; "faults" holds the fault codes."""
    reps, holds, steps = parse_events(report)
    out = []
    for r in reps:
        out.append({"kind": "rep", "idx": r.index, "set_no": r.set, "side": r.side, "start_s": r.start_s,
                    "peak_s": r.peak_s, "end_s": r.end_s, "duration_s": _finite(r.metrics.get("duration_s")),
                    "faults": [f.code for f in r.faults], "fppa_deg": None})
    for k, h in enumerate(holds, 1):
        out.append({"kind": "hold", "idx": k, "set_no": None, "side": h.side, "start_s": h.start_s,
                    "peak_s": None, "end_s": h.end_s, "duration_s": _finite(h.duration_s),
                    "faults": [f.code for f in h.faults], "fppa_deg": None})
    for k, s in enumerate(steps, 1):
        out.append({"kind": "step", "idx": k, "set_no": None, "side": s.side, "start_s": s.contact_s,
                    "peak_s": None, "end_s": None, "duration_s": None, "faults": [f.code for f in s.faults],
                    "fppa_deg": _finite(s.metrics.get("fppa_deg"))})
    return out


def _summary_columns(report: dict) -> dict:
    evs = _events(report)
    faults = Counter(code for e in evs for code in e["faults"])
    faulted = sum(1 for e in evs if e["faults"])
    return {
        "rep_count": len(report.get("reps", [])),
        "hold_count": len(report.get("holds", [])),
        "step_count": len(report.get("steps", [])),
        "clean_count": len(evs) - faulted,
        "faulted_count": faulted,
        "fault_total": sum(faults.values()),
        "fault_counts": json.dumps(dict(sorted(faults.items()))),
        "view": report.get("view"),
        "side": report.get("side"),
        "duration_s": _finite(report.get("source", {}).get("duration_s")),
    }


def gait_leg_fppa(gait: dict | None) -> dict[str, float]:
    """Per-leg median FPPA (°) from a running report's gait block
    (gait["legs"][leg]["fppa_median_deg"], the one shape formcheck.gait has
    ever written); legs without one (a side view, too few steps) are absent."""
    legs = (gait or {}).get("legs") or {}
    out = {}
    for leg, block in legs.items():
        v = _finite(block.get("fppa_median_deg"))
        if v is not None:
            out[leg] = v
    return out


# ---- the store -----------------------------------------------------------------------------


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
            if type(e) in (sqlite3.OperationalError, sqlite3.DatabaseError) and _FILE_TROUBLE.search(str(e)):
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
        created_at = created_at or _now_iso()
        _parse_time(created_at)  # refuse a malformed timestamp before writing anything

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
            cols = _summary_columns(report)
            with self.connect() as conn, _tx(conn):
                cur = conn.execute(
                    "INSERT INTO sessions(created_at, exercise, source_kind, source_name, report, rep_count, "
                    "hold_count, step_count, clean_count, faulted_count, fault_total, fault_counts, view, side, "
                    "duration_s, notes, pain, stop_reason, routine_id) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                    (created_at, report["exercise"], source_kind, source_name, dumps_json(report, indent=None),
                     cols["rep_count"], cols["hold_count"], cols["step_count"], cols["clean_count"],
                     cols["faulted_count"], cols["fault_total"], cols["fault_counts"], cols["view"], cols["side"],
                     cols["duration_s"], notes, pain, stop_reason, routine_id))
                sid = int(cur.lastrowid)
                conn.executemany(
                    "INSERT INTO events(session_id, kind, idx, set_no, side, start_s, peak_s, end_s, duration_s, "
                    "fault_codes, n_faults, fppa_deg) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                    [(sid, e["kind"], e["idx"], e["set_no"], e["side"], e["start_s"], e["peak_s"], e["end_s"],
                      e["duration_s"], ",".join(e["faults"]), len(e["faults"]), e["fppa_deg"])
                     for e in _events(report)])
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
        with self.connect() as conn, _tx(conn):
            cur = conn.execute(f"UPDATE sessions SET {', '.join(sets)} WHERE id=?", (*vals, session_id))
            if cur.rowcount == 0:
                raise KeyError(f"no session {session_id}")

    def replace_report(self, session_id: int, report: dict) -> None:
        """Replace a saved session's analysis (a re-analysis, e.g. as another
        movement): its report, summary columns and events change together; its
        date, notes, pain score and media stay. KeyError if there is no such session."""
        validate_report(report)
        cols = _summary_columns(report)
        with self.connect() as conn, _tx(conn):
            cur = conn.execute(
                "UPDATE sessions SET exercise=?, report=?, rep_count=?, hold_count=?, step_count=?, clean_count=?, "
                "faulted_count=?, fault_total=?, fault_counts=?, view=?, side=?, duration_s=? WHERE id=?",
                (report["exercise"], json.dumps(report), cols["rep_count"], cols["hold_count"], cols["step_count"],
                 cols["clean_count"], cols["faulted_count"], cols["fault_total"], cols["fault_counts"], cols["view"],
                 cols["side"], cols["duration_s"], session_id))
            if cur.rowcount == 0:
                raise KeyError(f"no session {session_id}")
            conn.execute("DELETE FROM events WHERE session_id=?", (session_id,))
            conn.executemany(
                "INSERT INTO events(session_id, kind, idx, set_no, side, start_s, peak_s, end_s, duration_s, "
                "fault_codes, n_faults, fppa_deg) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                [(session_id, e["kind"], e["idx"], e["set_no"], e["side"], e["start_s"], e["peak_s"], e["end_s"],
                  e["duration_s"], ",".join(e["faults"]), len(e["faults"]), e["fppa_deg"])
                 for e in _events(report)])

    def delete_session(self, session_id: int) -> bool:
        """Delete a session, its events and its media folder. False if it did not exist."""
        with self.connect() as conn, _tx(conn):
            cur = conn.execute("DELETE FROM sessions WHERE id=?", (session_id,))
            existed = cur.rowcount > 0
        folder = self.media_dir / str(int(session_id))
        if folder.exists():
            shutil.rmtree(folder, ignore_errors=True)
        return existed

    def set_excluded(self, session_id: int, excluded: bool) -> None:
        """Leave a session out of the trends (or bring it back); it stays in the list."""
        with self.connect() as conn, _tx(conn):
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
        created_at = created_at or _now_iso()
        _parse_time(created_at)
        with self.connect() as conn, _tx(conn):
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
            vals.append(_bound(since, end=False))
        if until is not None:
            where.append("created_at<?")
            vals.append(_bound(until, end=True))
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
        where, vals = _session_filter("", exercise, source_kind, include_samples, since, until)
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

    # -- export ---------------------------------------------------------------------------------

    def export_json(self, session_id: int) -> str:
        s = self.get_session(session_id)
        if s is None:
            raise KeyError(f"no session {session_id}")
        report = s.pop("report")
        meta = {k: v for k, v in s.items() if k not in ("video_path", "track_path")}
        return dumps_json({"schema": SESSION_SCHEMA, "session": meta, "report": report})

    CSV_COLUMNS = ("session_id", "created_at", "exercise", "source_kind", "source_name", "view", "pain", "notes",
                   "kind", "index", "set", "side", "start_s", "peak_s", "end_s", "duration_s", "faults", "cues")

    def export_csv(self, session_id: int | None = None) -> str:
        """One row per rep, hold or step (a session without any gets one row),
        with every metric as a column. `session_id=None`: all sessions."""
        if session_id is None:
            ids = [s["id"] for s in reversed(self.list_sessions())]
        else:
            ids = [session_id]
        rows: list[dict] = []
        metric_cols: list[str] = []
        for sid in ids:
            s = self.get_session(sid)
            if s is None:
                raise KeyError(f"no session {sid}")
            base = {"session_id": s["id"], "created_at": s["created_at"], "exercise": s["exercise"],
                    "source_kind": s["source_kind"], "source_name": s["source_name"], "view": s["view"],
                    "pain": s["pain"], "notes": s["notes"]}
            rep = s["report"]
            items = ([("rep", r) for r in rep["reps"]] + [("hold", h) for h in rep["holds"]]
                     + [("step", st) for st in rep["steps"]])
            if not items:
                rows.append(dict(base))
            for k, (kind, ev) in enumerate(items, 1):
                row = dict(base, kind=kind, index=ev.get("index", k), set=ev.get("set"), side=ev.get("side"),
                           start_s=ev.get("start_s", ev.get("contact_s")), peak_s=ev.get("peak_s"),
                           end_s=ev.get("end_s"), duration_s=ev.get("duration_s", ev.get("metrics", {}).get("duration_s")),
                           faults=";".join(f["code"] for f in ev["faults"]),
                           cues=" | ".join(f["message"] for f in ev["faults"]))
                for m, v in ev.get("metrics", {}).items():
                    if m not in metric_cols:
                        metric_cols.append(m)
                    row[m] = v
                rows.append(row)
        buf = io.StringIO()
        w = csv.DictWriter(buf, fieldnames=[*self.CSV_COLUMNS, *metric_cols], extrasaction="ignore",
                           lineterminator="\n")
        w.writeheader()
        for r in rows:
            w.writerow({k: csv_cell(v) for k, v in r.items()})
        return buf.getvalue()

    # -- trends ---------------------------------------------------------------------------------

    def trends(self, exercise: str | None = None, include_samples: bool = False, *,
               since: str | date | None = None, until: str | date | None = None) -> dict:
        """Progress over weeks (weeks start on Monday, UTC).

        weekly: [{week, exercise, sessions, reps, holds, steps, events, faulted, fault_rate, clean_rate}]
        fppa:   [{week, leg, fppa_median_deg, fppa_mean_deg, steps, sessions}] from running
                sessions (per-step metrics.fppa_deg; the gait block's per-leg value where
                a session has no per-step FPPA)
        sessions: [{id, created_at, week, exercise, reps, fault_rate, pain}] for per-session charts
        """
        where, vals = _session_filter("s.", exercise, None, include_samples, since, until)
        # Left out: sessions the user excluded, and ones that were not graded (the
        # clip was another movement, or none of them): no progress either way.
        cond = " AND ".join(["1=1", "s.excluded=0", "COALESCE(json_extract(s.report, '$.graded'), 1) != 0"] + where)
        with self.connect() as conn:
            sess = [dict(r) for r in conn.execute(
                f"SELECT s.id, s.created_at, s.exercise, s.rep_count, s.hold_count, s.step_count, s.faulted_count, "
                f"s.pain, s.view, s.report FROM sessions s WHERE {cond} ORDER BY s.created_at, s.id", vals)]
            evs = [dict(r) for r in conn.execute(
                f"SELECT e.session_id, e.side, e.fault_codes, e.n_faults FROM events e JOIN sessions s "
                f"ON s.id=e.session_id WHERE {cond}", vals)]
            steps = [dict(r) for r in conn.execute(
                f"SELECT e.session_id, e.side, e.fppa_deg FROM events e JOIN sessions s ON s.id=e.session_id "
                f"WHERE {cond} AND e.kind='step' AND e.fppa_deg IS NOT NULL", vals)]
            no_step_fppa = [r for r in sess if r["step_count"] and not any(x["session_id"] == r["id"] for x in steps)]
            gait_rows = []
            for r in no_step_fppa:
                rep = json.loads(conn.execute("SELECT report FROM sessions WHERE id=?", (r["id"],)).fetchone()[0])
                for leg, v in gait_leg_fppa(rep.get("gait")).items():
                    gait_rows.append({"session_id": r["id"], "side": leg, "fppa_deg": v})

        weekly: dict[tuple[str, str], dict] = {}
        per_session = []
        week_of = {}
        for r in sess:
            wk = week_start(r["created_at"])
            week_of[r["id"]] = wk
            n = r["rep_count"] + r["hold_count"] + r["step_count"]
            w = weekly.setdefault((wk, r["exercise"]), {"week": wk, "exercise": r["exercise"], "sessions": 0,
                                                         "reps": 0, "holds": 0, "steps": 0, "events": 0,
                                                         "faulted": 0})
            w["sessions"] += 1
            w["reps"] += r["rep_count"]
            w["holds"] += r["hold_count"]
            w["steps"] += r["step_count"]
            w["events"] += n
            w["faulted"] += r["faulted_count"]
            per_session.append({"id": r["id"], "created_at": r["created_at"], "week": wk, "exercise": r["exercise"],
                                "reps": r["rep_count"], "fault_rate": r["faulted_count"] / n if n else None,
                                "pain": r["pain"]})
        for w in weekly.values():
            w["fault_rate"] = w["faulted"] / w["events"] if w["events"] else None
            w["clean_rate"] = 1 - w["fault_rate"] if w["fault_rate"] is not None else None
        by_fault, balance = _fault_and_side_trends(sess, evs, week_of)

        by_leg: dict[tuple[str, str], list[float]] = defaultdict(list)
        leg_sessions: dict[tuple[str, str], set[int]] = defaultdict(set)
        for x in steps + gait_rows:
            if x["side"] is None:
                continue
            key = (week_of[x["session_id"]], x["side"])
            by_leg[key].append(float(x["fppa_deg"]))
            leg_sessions[key].add(x["session_id"])
        fppa = [{"week": wk, "leg": leg, "fppa_median_deg": statistics.median(v), "fppa_mean_deg": statistics.fmean(v),
                 "steps": len(v), "sessions": len(leg_sessions[(wk, leg)])}
                for (wk, leg), v in sorted(by_leg.items())]
        return {"weekly": sorted(weekly.values(), key=lambda w: (w["week"], w["exercise"])), "fppa": fppa,
                "sessions": per_session, "by_fault": by_fault, "balance": balance}

    # -- the physiotherapist's page ---------------------------------------------------------

    def physio_report_html(self, session_id: int | None = None, *, since: str | date | None = None,
                           until: str | date | None = None, exercise: str | None = None) -> str:
        """A printable one-page HTML report: one session in detail, or every
        session (samples excluded) in a date range with weekly trends."""
        if session_id is not None:
            s = self.get_session(session_id)
            if s is None:
                raise KeyError(f"no session {session_id}")
            sessions = [s]
            title = f"Session of {_day(s['created_at'])}"
        else:
            metas = self.list_sessions(exercise, since=since, until=until, include_samples=False)
            sessions = [self.get_session(m["id"]) for m in reversed(metas)]
            span = f"{_day(sessions[0]['created_at'])} to {_day(sessions[-1]['created_at'])}" if sessions else "no sessions"
            title = f"Sessions {span}"
        trends = self.trends(exercise, since=since, until=until) if session_id is None else None
        return _physio_html(title, sessions, trends,
                            detail=session_id is not None)


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


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(v):
    """A value safe to put in a CSV a spreadsheet will open: text that a spreadsheet
    would run as a formula (=, +, -, @, tab, CR first) gets a leading apostrophe, and a
    lone CR becomes a newline (the CSV quotes newlines; a bare CR would split the row)."""
    if v is None:
        return ""
    if isinstance(v, str):
        if v.startswith(_FORMULA_START):
            v = "'" + v
        return v.replace("\r\n", "\n").replace("\r", "\n")
    return v


def _judged_codes(exercise: str, report: dict, seen: set[str]) -> set[str]:
    """The fault codes a session's analysis could judge (its view saw them)."""
    from formcheck.exercises import EXERCISES

    unjudged = set(report.get("unjudged") or [])
    if exercise in EXERCISES:
        codes = {f.code for f in EXERCISES[exercise].faults}
    else:  # running: the codes its steps were checked for
        codes = set(report.get("checked") or []) | seen
    return (codes - unjudged) | seen


def _fault_and_side_trends(sess: list[dict], evs: list[dict], week_of: dict[int, str]) -> tuple[list[dict], list[dict]]:
    """Like with like: the weekly rate of each fault code per movement and camera
    view, counted only over sessions whose view could judge that code; and per
    movement and side (leg), the events and the share with a fault."""
    per_session: dict[int, list[dict]] = defaultdict(list)
    for e in evs:
        per_session[e["session_id"]].append(e)
    faults: dict[tuple, dict] = {}
    sides: dict[tuple, dict] = {}
    for s in sess:
        rows = per_session.get(s["id"], [])
        if not rows:
            continue
        wk, view = week_of[s["id"]], s.get("view") or "unknown"
        seen = {c for e in rows for c in (e["fault_codes"] or "").split(",") if c}
        for code in _judged_codes(s["exercise"], json.loads(s["report"]), seen):
            f = faults.setdefault((wk, s["exercise"], view, code), {
                "week": wk, "exercise": s["exercise"], "view": view, "code": code, "events": 0, "with_fault": 0,
                "sessions": 0})
            f["sessions"] += 1
            f["events"] += len(rows)
            f["with_fault"] += sum(1 for e in rows if code in (e["fault_codes"] or "").split(","))
        for e in rows:
            if e["side"] not in ("left", "right"):
                continue
            b = sides.setdefault((wk, s["exercise"], e["side"]), {
                "week": wk, "exercise": s["exercise"], "side": e["side"], "events": 0, "faulted": 0})
            b["events"] += 1
            b["faulted"] += int(e["n_faults"] > 0)
    for f in faults.values():
        f["rate"] = f["with_fault"] / f["events"]
    for b in sides.values():
        b["fault_rate"] = b["faulted"] / b["events"]
    return (sorted(faults.values(), key=lambda f: (f["exercise"], f["code"], f["view"], f["week"])),
            sorted(sides.values(), key=lambda b: (b["exercise"], b["week"], b["side"])))


def _rel(folder: Path, name: str | None) -> str | None:
    return name if name and (folder / name).exists() else None


def _fsync_dir(path: Path) -> None:
    for p in path.iterdir():
        with open(p, "rb") as f:
            os.fsync(f.fileno())


def _bound(d: str | date, end: bool) -> str:
    """An inclusive date bound as an ISO timestamp for comparison with created_at."""
    if isinstance(d, datetime):
        return d.astimezone(UTC).isoformat(timespec="seconds")
    if isinstance(d, date):
        d = d.isoformat()
    if len(d) == 10:  # a date: the whole day is included
        day = date.fromisoformat(d) + (timedelta(days=1) if end else timedelta())
        return datetime(day.year, day.month, day.day, tzinfo=UTC).isoformat(timespec="seconds")
    return _parse_time(d).astimezone(UTC).isoformat(timespec="seconds")



def _session_filter(prefix: str, exercise: str | None, source_kind: str | None, include_samples: bool,
                    since, until) -> tuple[list[str], list]:
    """SQL conditions and values selecting sessions; `prefix` is the table alias ('s.' or '')."""
    where: list[str] = []
    vals: list = []
    if exercise:
        where.append(f"{prefix}exercise=?")
        vals.append(exercise)
    if source_kind:
        where.append(f"{prefix}source_kind=?")
        vals.append(source_kind)
    if not include_samples:
        where.append(f"{prefix}source_kind!='sample'")
    if since is not None:
        where.append(f"{prefix}created_at>=?")
        vals.append(_bound(since, end=False))
    if until is not None:
        where.append(f"{prefix}created_at<?")
        vals.append(_bound(until, end=True))
    return where, vals


def _day(created_at: str) -> str:
    return _parse_time(created_at).strftime("%d %b %Y")


def _title(name: str) -> str:
    return name.replace("_", " ").capitalize()


def _esc(x) -> str:
    return html.escape("" if x is None else str(x))


# The printable reports' shared A4 page style (this report and formcheck.physio's).
REPORT_CSS = """
@page { size: A4; margin: 14mm; }
body { font: 10.5pt/1.35 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #111; max-width: 190mm;
       margin: 0 auto; }
h1 { font-size: 16pt; margin: 0 0 2mm; } h2 { font-size: 12pt; margin: 5mm 0 2mm; border-bottom: 1px solid #999; }
.meta { color: #444; font-size: 9pt; margin-bottom: 3mm; }
table { border-collapse: collapse; width: 100%; font-size: 9pt; }
th, td { border: 1px solid #bbb; padding: 1mm 1.5mm; text-align: left; vertical-align: top; }
th { background: #eee; }
"""

_CSS = REPORT_CSS + """
.num { text-align: right; } .bad { color: #a00; } .ok { color: #060; }
.warn { background: #fff4d6; border: 1px solid #e0b84c; padding: 1.5mm; margin: 1mm 0; font-size: 9pt; }
.foot { color: #666; font-size: 8pt; margin-top: 5mm; }
@media print { .warn { break-inside: avoid; } tr { break-inside: avoid; } }
"""


def _physio_html(title: str, sessions: list[dict], trends: dict | None, detail: bool) -> str:
    out = ["<!doctype html><html lang='en'><head><meta charset='utf-8'>",
           f"<title>formcheck — {_esc(title)}</title><style>{_CSS}</style></head><body>",
           "<h1>Exercise report for the physiotherapist</h1>",
           f"<div class='meta'>{_esc(title)} · generated {_esc(_day(_now_iso()))} by formcheck from a single "
           "camera (2D pose estimation). Angles are estimates; frontal-plane knee angles (FPPA) carry about "
           "±8° uncertainty.</div>"]
    if not sessions:
        out.append("<p>No sessions were recorded in this period.</p></body></html>")
        return "".join(out)
    shown = sessions[-PHYSIO_MAX_ROWS:]
    if len(shown) < len(sessions):
        out.append(f"<p class='meta'>The {len(shown)} latest of {len(sessions)} sessions are listed; the weekly "
                   "table covers them all.</p>")
    out.append("<h2>Sessions</h2><table><tr><th>Date</th><th>Exercise</th><th>Side</th><th class='num'>Reps</th>"
               "<th class='num'>Good form</th><th class='num'>Holds</th><th class='num'>Steps</th>"
               "<th>Most common faults</th><th class='num'>Pain 0–10</th><th>Notes</th></tr>")
    for s in shown:
        n = s["rep_count"] + s["hold_count"] + s["step_count"]
        good = f"{s['clean_count']}/{n}" if n else "–"
        top = ", ".join(f"{_title(c)} ×{k}" for c, k in Counter(s["fault_counts"]).most_common(3)) or "none"
        notes = " ".join(x for x in (s.get("stop_reason") and f"Stopped: {s['stop_reason']}.", s.get("notes")) if x)
        out.append(f"<tr><td>{_esc(_day(s['created_at']))}</td><td>{_esc(_title(s['exercise']))}</td>"
                   f"<td>{_esc(s['side'] or '–')}</td><td class='num'>{s['rep_count']}</td>"
                   f"<td class='num'>{_esc(good)}</td><td class='num'>{s['hold_count']}</td>"
                   f"<td class='num'>{s['step_count']}</td><td>{_esc(top)}</td>"
                   f"<td class='num'>{_esc(s['pain'] if s['pain'] is not None else '–')}</td><td>{_esc(notes)}</td></tr>")
    out.append("</table>")
    if trends and trends["weekly"]:
        out.append("<h2>Week by week</h2><table><tr><th>Week of</th><th>Exercise</th><th class='num'>Sessions</th>"
                   "<th class='num'>Reps</th><th class='num'>Holds</th><th class='num'>Steps</th>"
                   "<th class='num'>With a fault</th></tr>")
        for w in trends["weekly"]:
            rate = f"{w['fault_rate']:.0%}" if w["fault_rate"] is not None else "–"
            out.append(f"<tr><td>{_esc(w['week'])}</td><td>{_esc(_title(w['exercise']))}</td>"
                       f"<td class='num'>{w['sessions']}</td><td class='num'>{w['reps']}</td>"
                       f"<td class='num'>{w['holds']}</td><td class='num'>{w['steps']}</td>"
                       f"<td class='num'>{rate}</td></tr>")
        out.append("</table>")
    if trends and trends["fppa"]:
        out.append("<h2>Running: knee frontal-plane projection angle (FPPA) per leg</h2><table><tr><th>Week of</th>"
                   "<th>Leg</th><th class='num'>Median FPPA (°)</th><th class='num'>Steps</th></tr>")
        for f in trends["fppa"]:
            out.append(f"<tr><td>{_esc(f['week'])}</td><td>{_esc(f['leg'])}</td>"
                       f"<td class='num'>{f['fppa_median_deg']:.1f}</td><td class='num'>{f['steps']}</td></tr>")
        out.append("</table>")
    if detail:
        out.extend(_session_detail(sessions[0]))
    out.append("<div class='foot'>Recorded and analysed on the patient's own computer; no video or data was sent "
               "anywhere. formcheck is a training aid, not a medical device.</div></body></html>")
    return "".join(out)


def _session_detail(s: dict) -> list[str]:
    rep = s["report"]
    out = []
    for w in rep.get("warnings", []):
        out.append(f"<div class='warn'>{_esc(w)}</div>")
    if rep["reps"]:
        out.append("<h2>Reps</h2><table><tr><th class='num'>#</th><th class='num'>Set</th><th>Side</th>"
                   "<th class='num'>Start (s)</th><th class='num'>Top angle (°)</th><th class='num'>Range (°)</th>"
                   "<th class='num'>Up / down (s)</th><th>Faults</th></tr>")
        for r in rep["reps"]:
            m = r["metrics"]
            faults = "; ".join(f["message"] for f in r["faults"])
            cls = "bad" if r["faults"] else "ok"
            out.append(f"<tr><td class='num'>{r['index']}</td><td class='num'>{r['set']}</td><td>{_esc(r['side'])}</td>"
                       f"<td class='num'>{r['start_s']:.1f}</td><td class='num'>{_fmt(m.get('peak_deg'))}</td>"
                       f"<td class='num'>{_fmt(m.get('range_deg'))}</td>"
                       f"<td class='num'>{_fmt(m.get('up_s'), 1)} / {_fmt(m.get('down_s'), 1)}</td>"
                       f"<td class='{cls}'>{_esc(faults or 'good')}</td></tr>")
        out.append("</table>")
    if rep["holds"]:
        out.append("<h2>Holds</h2><table><tr><th class='num'>#</th><th>Side</th><th class='num'>Start (s)</th>"
                   "<th class='num'>Held (s)</th><th class='num'>Target (s)</th><th>Faults</th></tr>")
        for k, h in enumerate(rep["holds"], 1):
            faults = "; ".join(f["message"] for f in h["faults"])
            out.append(f"<tr><td class='num'>{k}</td><td>{_esc(h['side'])}</td><td class='num'>{h['start_s']:.1f}</td>"
                       f"<td class='num'>{h['duration_s']:.0f}</td><td class='num'>{_fmt(h.get('target_s'), 0)}</td>"
                       f"<td class='{'bad' if faults else 'ok'}'>{_esc(faults or 'good')}</td></tr>")
        out.append("</table>")
    gait = rep.get("gait") or {}
    if rep["steps"] or gait:
        out.append("<h2>Running</h2>")
        for line in gait.get("summary_lines", []):
            out.append(f"<p>{_esc(line)}</p>")
        flagged = [st for st in rep["steps"] if st["faults"]]
        out.append(f"<p>{len(rep['steps'])} steps analysed, {len(flagged)} flagged.</p>")
        for a in rep.get("advice", []):
            out.append(f"<p>Advice: {_esc(a)}</p>")
    return out


def _fmt(v, nd: int = 0) -> str:
    v = _finite(v)
    return "–" if v is None else f"{v:.{nd}f}"

