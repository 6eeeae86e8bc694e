"""The versioned schema: `MIGRATIONS` is the ordered list, applied on open in
one transaction each; `schema_version` lists the ones applied."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass

from formcheck.history.db import HistoryError, now_iso, tx
from formcheck.history.rows import summary_columns
from formcheck.results import upgrade_events
from formcheck.safe_io import dumps_json

__all__ = ["Migration", "MIGRATIONS", "SCHEMA_VERSION", "migrate", "schema_version"]


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


def _v5(conn: sqlite3.Connection) -> None:
    # "Good form" now needs every check made (report.good_form_count): a rep with
    # no fault but a check not judged from its camera view was counted as clean.
    # Recount each stored session from its report; a row that does not read as a
    # report keeps its count.
    rows = conn.execute("SELECT id, report FROM sessions").fetchall()
    for sid, text in rows:
        try:
            clean = summary_columns(json.loads(text))["clean_count"]
        except Exception:  # noqa: BLE001 - any row that is not a readable report keeps its count
            continue
        conn.execute("UPDATE sessions SET clean_count=? WHERE id=?", (clean, sid))


MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "sessions and their reps, holds and steps", _v1),
    Migration(2, "why a set stopped", _v2),
    Migration(3, "guided routines; sessions left out of trends", _v3),
    Migration(4, "stored reports in the result records' shape", _v4),
    Migration(5, "good form counted only where every check was made", _v5),
)
SCHEMA_VERSION = MIGRATIONS[-1].version


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
    with tx(conn):
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
        with tx(conn):
            if schema_version(conn) >= m.version:  # another process got there first
                continue
            m.apply(conn)
            conn.execute("INSERT INTO schema_version(version, description, applied_at) VALUES (?, ?, ?)",
                         (m.version, m.description, now_iso()))
    return schema_version(conn)
