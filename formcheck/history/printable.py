"""The one-page printable HTML report of the store (one session in detail, or a
date range with weekly trends), and the A4 page style shared with formcheck.physio."""

from __future__ import annotations

import html
from collections import Counter
from datetime import date
from typing import TYPE_CHECKING

from formcheck.history.db import now_iso, parse_time
from formcheck.history.rows import finite
from formcheck.report import FAULT_FOUND, GOOD_FORM, form_kind, form_verdict, hold_side

if TYPE_CHECKING:
    from formcheck.history.store import History

__all__ = ["REPORT_CSS", "physio_report_html"]


PHYSIO_MAX_ROWS = 14  # session rows that fit on one printed page with the weekly table [own]


def _day(created_at: str) -> str:
    return parse_time(created_at).strftime("%d %b %Y")


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
.num { text-align: right; } .bad { color: #a00; } .ok { color: #060; } .unjudged { color: #555; }
.warn { background: #fff4d6; border: 1px solid #e0b84c; padding: 1.5mm; margin: 1mm 0; font-size: 9pt; }
.foot { color: #666; font-size: 8pt; margin-top: 5mm; }
@media print { .warn { break-inside: avoid; } tr { break-inside: avoid; } }
"""


def _physio_html(title: str, sessions: list[dict], trends: dict | None, detail: bool) -> str:
    out = ["<!doctype html><html lang='en'><head><meta charset='utf-8'>",
           f"<title>formcheck — {_esc(title)}</title><style>{_CSS}</style></head><body>",
           "<h1>Exercise report for the physiotherapist</h1>",
           f"<div class='meta'>{_esc(title)} · generated {_esc(_day(now_iso()))} by formcheck from a single "
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
            verdict, cls = _verdict_cell(r, rep["exercise"])
            out.append(f"<tr><td class='num'>{r['index']}</td><td class='num'>{r['set']}</td><td>{_esc(r['side'])}</td>"
                       f"<td class='num'>{r['start_s']:.1f}</td><td class='num'>{_fmt(m.get('peak_deg'))}</td>"
                       f"<td class='num'>{_fmt(m.get('range_deg'))}</td>"
                       f"<td class='num'>{_fmt(m.get('up_s'), 1)} / {_fmt(m.get('down_s'), 1)}</td>"
                       f"<td class='{cls}'>{_esc(verdict)}</td></tr>")
        out.append("</table>")
    if rep["holds"]:
        out.append("<h2>Holds</h2><table><tr><th class='num'>#</th><th>Side</th><th class='num'>Start (s)</th>"
                   "<th class='num'>Held (s)</th><th class='num'>Target (s)</th><th>Faults</th></tr>")
        for k, h in enumerate(rep["holds"], 1):
            verdict, cls = _verdict_cell(h, rep["exercise"])
            out.append(f"<tr><td class='num'>{k}</td><td>{_esc(hold_side(h))}</td><td class='num'>{h['start_s']:.1f}</td>"
                       f"<td class='num'>{h['duration_s']:.0f}</td><td class='num'>{_fmt(h.get('target_s'), 0)}</td>"
                       f"<td class='{cls}'>{_esc(verdict)}</td></tr>")
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


def _verdict_cell(event: dict, exercise: str) -> tuple[str, str]:
    """A rep's or hold's verdict in the summary's words, and its cell class."""
    kind = form_kind(event, exercise)
    return form_verdict(event, exercise, short=True), {FAULT_FOUND: "bad", GOOD_FORM: "ok"}.get(kind, "unjudged")


def _fmt(v, nd: int = 0) -> str:
    v = finite(v)
    return "–" if v is None else f"{v:.{nd}f}"


def physio_report_html(history: History, session_id: int | None = None, *, since: str | date | None = None,
                       until: str | date | None = None, exercise: str | None = None) -> str:
    """A printable one-page HTML report: one session in detail, or every
    session (samples excluded) in a date range with weekly trends."""
    if session_id is not None:
        s = history.get_session(session_id)
        if s is None:
            raise KeyError(f"no session {session_id}")
        sessions = [s]
        title = f"Session of {_day(s['created_at'])}"
    else:
        metas = history.list_sessions(exercise, since=since, until=until, include_samples=False)
        sessions = [history.get_session(m["id"]) for m in reversed(metas)]
        span = f"{_day(sessions[0]['created_at'])} to {_day(sessions[-1]['created_at'])}" if sessions else "no sessions"
        title = f"Sessions {span}"
    trend = history.trends(exercise, since=since, until=until) if session_id is None else None
    return _physio_html(title, sessions, trend, detail=session_id is not None)
