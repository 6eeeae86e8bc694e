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

One job per module:

    paths       the data folder and its file names
    db          the SQLite connection, its errors, one transaction, shared SQL pieces
    migrations  the versioned schema
    rows        a report as the store's rows (events, summary columns)
    store       History: save, change, list and delete sessions, routines, recordings, uploads
    export      JSON and spreadsheet-safe CSV
    trends      progress over weeks
    printable   the one-page printable HTML report and the shared A4 page style

No Streamlit, OpenCV or MediaPipe here.
"""

from formcheck.history.db import (
    HistoryError,
    HistoryUnavailable,
    connect,
    week_start,
)
from formcheck.history.export import csv_cell
from formcheck.history.migrations import MIGRATIONS, SCHEMA_VERSION, Migration, migrate
from formcheck.history.paths import data_dir, default_db_path
from formcheck.history.store import SOURCE_KINDS, History

__all__ = [
    "History",
    "HistoryError",
    "HistoryUnavailable",
    "Migration",
    "MIGRATIONS",
    "SCHEMA_VERSION",
    "SOURCE_KINDS",
    "connect",
    "csv_cell",
    "data_dir",
    "default_db_path",
    "migrate",
    "week_start",
]
