"""A session out of the store: JSON with its metadata, and CSV with one row per
rep, hold or step, safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import io
from typing import TYPE_CHECKING

from formcheck.safe_io import dumps_json

if TYPE_CHECKING:
    from formcheck.history.store import History

__all__ = ["SESSION_SCHEMA", "CSV_COLUMNS", "csv_cell", "export_json", "export_csv"]


SESSION_SCHEMA = "formcheck.session/1"
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


def export_json(history: History, session_id: int) -> str:
    """The session with its metadata (not its media paths) and its report, as JSON."""
    s = history.get_session(session_id)
    if s is None:
        raise KeyError(f"no session {session_id}")
    report = s.pop("report")
    meta = {k: v for k, v in s.items() if k not in ("video_path", "track_path")}
    return dumps_json({"schema": SESSION_SCHEMA, "session": meta, "report": report})


CSV_COLUMNS = ("session_id", "created_at", "exercise", "source_kind", "source_name", "view", "pain", "notes",
               "kind", "index", "set", "side", "start_s", "peak_s", "end_s", "duration_s", "faults", "cues")


def export_csv(history, session_id: int | None = None) -> str:
    """One row per rep, hold or step (a session without any gets one row),
    with every metric as a column. `session_id=None`: all sessions."""
    if session_id is None:
        ids = [s["id"] for s in reversed(history.list_sessions())]
    else:
        ids = [session_id]
    rows: list[dict] = []
    metric_cols: list[str] = []
    for sid in ids:
        s = history.get_session(sid)
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
    w = csv.DictWriter(buf, fieldnames=[*CSV_COLUMNS, *metric_cols], extrasaction="ignore",
                       lineterminator="\n")
    w.writeheader()
    for r in rows:
        w.writerow({k: csv_cell(v) for k, v in r.items()})
    return buf.getvalue()
