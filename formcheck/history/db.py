"""The SQLite connection and its errors, one write transaction, and the SQL
pieces the store and the trends share (timestamps, date bounds, session filters)."""

from __future__ import annotations

import os
import re
import shlex
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

__all__ = ["HistoryError", "HistoryUnavailable", "unavailable", "connect", "tx", "LOCK_WAIT_S", "FILE_TROUBLE",
           "now_iso", "parse_time", "week_start", "bound", "session_filter"]


LOCK_WAIT_S = 5.0  # how long to wait for a database another program holds locked, then say so [own]
# SQLite errors about the file itself (not about a query): reported as HistoryUnavailable.
FILE_TROUBLE = re.compile(r"locked|busy|not a database|malformed|corrupt|unable to open|readonly|read-only|disk i/o|"
                          r"disk is full|database or disk", re.IGNORECASE)


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


@contextmanager
def tx(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """One write transaction: BEGIN IMMEDIATE .. COMMIT, rolled back on any error."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def parse_time(s: str) -> datetime:
    dt = datetime.fromisoformat(s)
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


def week_start(created_at: str) -> str:
    """The Monday (UTC) of the ISO week of an ISO timestamp, as YYYY-MM-DD."""
    d = parse_time(created_at).astimezone(UTC).date()
    return (d - timedelta(days=d.weekday())).isoformat()


def bound(d: str | date, end: bool) -> str:
    """An inclusive date bound as an ISO timestamp for comparison with created_at."""
    if isinstance(d, datetime):
        return d.astimezone(UTC).isoformat(timespec="seconds")
    if isinstance(d, date):
        d = d.isoformat()
    if len(d) == 10:  # a date: the whole day is included
        day = date.fromisoformat(d) + (timedelta(days=1) if end else timedelta())
        return datetime(day.year, day.month, day.day, tzinfo=UTC).isoformat(timespec="seconds")
    return parse_time(d).astimezone(UTC).isoformat(timespec="seconds")


def session_filter(prefix: str, exercise: str | None, source_kind: str | None, include_samples: bool,
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
        vals.append(bound(since, end=False))
    if until is not None:
        where.append(f"{prefix}created_at<?")
        vals.append(bound(until, end=True))
    return where, vals
