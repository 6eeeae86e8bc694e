"""The physiotherapist's report for a period: patient, prescribed versus done,
trend charts, a key frame per flagged fault, and every session; as printable
HTML and as PDF (fpdf2: pure Python, no browser, no network).

Charts are drawn once, as small SVGs (`svg_chart`), which go inline into the HTML
and through fpdf2's SVG support into the PDF. Key frames come from the session's
video, or are drawn from its landmarks for live sessions (no video is kept).
No Streamlit here.
"""

from __future__ import annotations

import base64
import html
import io
import math
from collections import Counter, defaultdict
from datetime import UTC, date, datetime

from formcheck.history import History
from formcheck.history.printable import REPORT_CSS

__all__ = ["collect", "to_html", "to_pdf", "svg_chart", "KEY_FRAMES_MAX"]

KEY_FRAMES_MAX = 6  # key frames in the report, one per fault code, the commonest first [own]
PALETTE = ("#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f")
SIDE_COLOURS = {"left": "#1f77b4", "right": "#ff7f0e"}


def _title(name: str) -> str:
    from formcheck.ui.labels import movement_title

    return movement_title(name)


def _code(code: str) -> str:
    return code.replace("_", " ")


# ---- collecting ---------------------------------------------------------------------------------


def collect(history: History, since: date | str, until: date | str, patient: str = "",
            key_frames: bool = True) -> dict:
    """Everything the report shows for the period (samples and sessions left out of
    trends are not included)."""
    metas = [m for m in history.list_sessions(since=since, until=until, include_samples=False) if not m["excluded"]]
    sessions = [history.get_session(m["id"]) for m in reversed(metas)]
    routines = list(reversed(history.list_routines(since=since, until=until)))
    trends = history.trends(since=since, until=until)
    frames = _key_frames(sessions) if key_frames else []
    return {"patient": patient.strip(), "since": str(since), "until": str(until),
            "generated": datetime.now(UTC).astimezone().strftime("%d %b %Y %H:%M"),
            "sessions": sessions, "routines": routines, "trends": trends, "key_frames": frames,
            "charts": charts(trends, sessions)}


def _key_frames(sessions: list[dict]) -> list[dict]:
    """One frame per flagged fault code: its clearest event (largest value over its
    limit) over the period, the commonest codes first."""
    counts: Counter[str] = Counter()
    best: dict[str, tuple[float, dict, dict, dict]] = {}
    for s in sessions:
        rep = s["report"]
        for ev in rep["reps"] + rep["holds"] + rep["steps"]:
            for f in ev["faults"]:
                counts[f["code"]] += 1
                v, lim = f.get("value"), f.get("limit")
                excess = abs(v / lim) if isinstance(v, int | float) and isinstance(lim, int | float) and lim else 0.0
                if f["code"] not in best or excess > best[f["code"]][0]:
                    best[f["code"]] = (excess, s, ev, f)
    out = []
    for code, n in counts.most_common(KEY_FRAMES_MAX):
        _, s, ev, f = best[code]
        t = ev.get("peak_s") or ev.get("contact_s") or (ev["start_s"] + ev["end_s"]) / 2
        out.append({"code": code, "times": n, "cue": f["message"], "session_id": s["id"], "exercise": s["exercise"],
                    "day": _day(s["created_at"]), "t": float(t), "side": ev.get("side"),
                    "value": f.get("value"), "limit": f.get("limit"), "png": _frame_png(s, float(t)),
                    "drawn": not s["video_path"]})
    return out


def _frame_png(s: dict, t: float) -> bytes | None:
    from PIL import Image

    from formcheck.landmarks import PoseTrack
    from formcheck.ui.thumbnails import frames_at, skeleton_frames

    try:
        if s["video_path"]:
            (img,) = frames_at(s["video_path"], [t], max_width=360)
        elif s["track_path"]:
            (img,) = skeleton_frames(PoseTrack.load_npz(s["track_path"]), [t], size=300)
        else:
            return None
    except Exception:  # noqa: BLE001 - a damaged media file costs the picture, not the report
        return None
    if img is None:
        return None
    buf = io.BytesIO()
    Image.fromarray(img).save(buf, "PNG")
    return buf.getvalue()


# ---- charts ----------------------------------------------------------------------------------------


def svg_chart(title: str, series: dict[str, list[tuple[str, float]]], y_label: str = "",
              y_range: tuple[float, float] | None = None, colours: dict[str, str] | None = None,
              width: int = 520, height: int = 220) -> str:
    """A small line chart as SVG: `series` name -> [(category on x, y)], categories
    in order of first appearance (e.g. weeks). Points without a neighbour still show."""
    cats: list[str] = []
    for pts in series.values():
        for x, _ in pts:
            if x not in cats:
                cats.append(x)
    cats.sort()
    ys = [y for pts in series.values() for _, y in pts if y is not None and math.isfinite(y)]
    lo, hi = y_range if y_range else (min(0.0, min(ys, default=0.0)), max(ys, default=1.0) * 1.1)
    if hi <= lo:
        hi = lo + 1.0
    if not y_range:
        lo, hi = _ticks(lo, hi)[0], _ticks(lo, hi)[-1]
    left, right, top, bottom = 46, 12, 26, 44
    pw, ph = width - left - right, height - top - bottom
    legend_rows = math.ceil(len(series) / 3)
    height += 14 * legend_rows
    px = {c: left + (pw * (k + 0.5) / len(cats) if cats else 0) for k, c in enumerate(cats)}

    def py(y: float) -> float:
        return top + ph * (1 - (y - lo) / (hi - lo))

    e = html.escape
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}" font-family="Helvetica" font-size="10">',
           f'<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>',
           f'<text x="{left}" y="15" font-size="12" font-weight="bold">{e(title)}</text>']
    for y in _ticks(lo, hi):
        out.append(f'<line x1="{left}" y1="{py(y):.1f}" x2="{left + pw}" y2="{py(y):.1f}" stroke="#dddddd"/>')
        out.append(f'<text x="{left - 4}" y="{py(y) + 3:.1f}" text-anchor="end">{y:g}</text>')
    out.append(f'<text x="10" y="{top + ph / 2:.0f}" transform="rotate(-90 10 {top + ph / 2:.0f})" '
               f'text-anchor="middle">{e(y_label)}</text>')
    step = max(1, math.ceil(len(cats) / 8))
    for k, c in enumerate(cats):
        if k % step == 0:
            out.append(f'<text x="{px[c]:.1f}" y="{top + ph + 14}" text-anchor="middle">{e(c[5:] if len(c) == 10 else c)}</text>')
    for k, (name, pts) in enumerate(series.items()):
        col = (colours or {}).get(name, PALETTE[k % len(PALETTE)])
        pts = [(px[x], py(y)) for x, y in sorted(pts) if y is not None and math.isfinite(y)]
        if len(pts) > 1:
            out.append('<polyline fill="none" stroke="{}" stroke-width="2" points="{}"/>'.format(
                col, " ".join(f"{x:.1f},{y:.1f}" for x, y in pts)))
        for x, y in pts:
            out.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{col}"/>')
        lx, ly = left + (k % 3) * (pw / 3), top + ph + 30 + 14 * (k // 3)
        out.append(f'<rect x="{lx:.1f}" y="{ly - 8:.1f}" width="10" height="10" fill="{col}"/>')
        out.append(f'<text x="{lx + 14:.1f}" y="{ly:.1f}">{e(name[:34])}</text>')
    out.append("</svg>")
    return "".join(out)


def _ticks(lo: float, hi: float, n: int = 4) -> list[float]:
    """Round tick values covering lo..hi with about n steps of 1, 2, 2.5 or 5 x 10^k."""
    raw = (hi - lo) / n
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    start = math.floor(lo / step) * step
    out = [start]
    while out[-1] < hi - 1e-9:
        out.append(round(out[-1] + step, 10))
    return out


def charts(trends: dict, sessions: list[dict]) -> list[dict]:
    """[{title, svg, note}] for the period: reps per week per movement, each
    movement's faults per code and camera view, left/right balance, pain, FPPA."""
    out = []
    reps: dict[str, list] = defaultdict(list)
    for w in trends["weekly"]:
        if w["reps"]:
            reps[_title(w["exercise"])].append((w["week"], w["reps"]))
    if reps:
        out.append({"title": "Reps per week", "svg": svg_chart("Reps per week", reps, "reps"), "note": ""})
    by_ex: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    for f in trends.get("by_fault", []):
        by_ex[f["exercise"]][f"{_code(f['code'])} ({f['view'].replace('_', ' ')} view)"].append(
            (f["week"], 100 * f["rate"]))
    for ex, series in by_ex.items():
        series = {k: v for k, v in series.items() if any(y > 0 for _, y in v)} or series
        title = f"{_title(ex)}: share of reps with each fault"
        out.append({"title": title, "svg": svg_chart(title, dict(series), "% of reps", (0, 100)),
                    "note": "Each line is one fault seen from one camera view; only sessions filmed from a view that "
                            "can see that fault count."})
    bal: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    for b in trends.get("balance", []):
        bal[b["exercise"]][b["side"]].append((b["week"], 100 * b["fault_rate"]))
    for ex, sides in bal.items():
        if len(sides) < 2:
            continue
        title = f"{_title(ex)}: left versus right, share with a fault"
        out.append({"title": title, "svg": svg_chart(title, dict(sides), "% with a fault", (0, 100), SIDE_COLOURS),
                    "note": ""})
    pain = [(s["created_at"][:10], float(s["pain"])) for s in sessions if s.get("pain") is not None]
    if pain:
        out.append({"title": "Knee pain after sessions", "svg": svg_chart("Knee pain after sessions (0-10)",
                                                                          {"pain": pain}, "pain", (0, 10)), "note": ""})
    fppa: dict[str, list] = defaultdict(list)
    for f in trends.get("fppa", []):
        fppa[f["leg"]].append((f["week"], f["fppa_median_deg"]))
    if fppa:
        out.append({"title": "Running: median knee FPPA per leg",
                    "svg": svg_chart("Running: median knee FPPA per leg (deg)", dict(fppa), "FPPA", None, SIDE_COLOURS),
                    "note": "Single-camera FPPA carries about +-8 deg uncertainty."})
    return out


# ---- tables shared by both outputs -------------------------------------------------------------------


def prescribed_rows(routines: list[dict]) -> list[list[str]]:
    rows = []
    for r in routines:
        for x in r["summary"]:
            if x["kind"] == "reps":
                done = f"{x['reps_done']} / {x['reps_prescribed']} reps"
            else:
                done = ", ".join(f"{side} {v:.0f}/{x['hold_s_prescribed']:.0f} s" for side, v in x["hold_s_best"].items())
            rows.append([_day(r["created_at"]), x["title"], f"{x['sets_done']} / {x['sets_prescribed']}", done,
                         str(x["skipped_sets"]) if x["skipped_sets"] else ""])
    return rows


PRESCRIBED_HEAD = ["Date", "Movement", "Sets done / prescribed", "Done / prescribed", "Sets skipped"]
SESSION_HEAD = ["Date", "Movement", "View", "Reps", "Holds", "Steps", "Good form", "Most common faults", "Pain"]


def session_rows(sessions: list[dict]) -> list[list[str]]:
    rows = []
    for s in sessions:
        n = s["rep_count"] + s["hold_count"] + s["step_count"]
        top = ", ".join(f"{_code(c)} x{k}" for c, k in Counter(s["fault_counts"]).most_common(3)) or "none"
        rows.append([_day(s["created_at"]), _title(s["exercise"]), (s["view"] or "-").replace("_", " "),
                     str(s["rep_count"]), str(s["hold_count"]), str(s["step_count"]),
                     f"{s['clean_count']}/{n}" if n else "-", top, "-" if s["pain"] is None else str(s["pain"])])
    return rows


def _day(created_at: str) -> str:
    return datetime.fromisoformat(created_at).astimezone().strftime("%d %b %Y")


def _period(data: dict) -> str:
    def d(x: str) -> str:
        return date.fromisoformat(x[:10]).strftime("%d %b %Y")

    return f"{d(data['since'])} to {d(data['until'])}"


# ---- HTML -------------------------------------------------------------------------------------------

_CSS = REPORT_CSS + """
.charts svg { max-width: 100%; height: auto; margin: 2mm 0; }
.frames { display: flex; flex-wrap: wrap; gap: 3mm; } .frame { width: 58mm; font-size: 8.5pt; break-inside: avoid; }
.frame img { width: 100%; border: 1px solid #bbb; } .note { color: #555; font-size: 8.5pt; }
.foot { color: #666; font-size: 8pt; margin-top: 5mm; }
@media print { tr, .charts svg { break-inside: avoid; } }
"""


def _table(head: list[str], rows: list[list[str]]) -> str:
    e = html.escape
    return ("<table><tr>" + "".join(f"<th>{e(h)}</th>" for h in head) + "</tr>"
            + "".join("<tr>" + "".join(f"<td>{e(c)}</td>" for c in r) + "</tr>" for r in rows) + "</table>")


def to_html(data: dict) -> str:
    e = html.escape
    who = data["patient"] or "(no name given)"
    out = ["<!doctype html><html lang='en'><head><meta charset='utf-8'>",
           f"<title>formcheck: {e(who)}, {e(_period(data))}</title><style>{_CSS}</style></head><body>",
           "<h1>Exercise report for the physiotherapist</h1>",
           f"<div class='meta'><b>Patient:</b> {e(who)} · <b>Period:</b> {e(_period(data))} · generated "
           f"{e(data['generated'])} by formcheck from a single camera (2D pose estimation). Angles are estimates.</div>"]
    if not data["sessions"] and not data["routines"]:
        out.append("<p>No sessions were recorded in this period.</p></body></html>")
        return "".join(out)
    out.append("<h2>Prescribed versus done</h2>")
    rows = prescribed_rows(data["routines"])
    out.append(_table(PRESCRIBED_HEAD, rows) if rows else
               "<p class='note'>No guided routine was run in this period (single exercises only).</p>")
    if data["charts"]:
        out.append("<h2>Trends</h2><div class='charts'>")
        for c in data["charts"]:
            out.append(c["svg"] + (f"<div class='note'>{e(c['note'])}</div>" if c["note"] else ""))
        out.append("</div>")
    if data["key_frames"]:
        out.append("<h2>Key frame per flagged fault</h2><div class='frames'>")
        for k in data["key_frames"]:
            img = (f"<img alt='{e(k['code'])}' src='data:image/png;base64,{base64.b64encode(k['png']).decode()}'>"
                   if k["png"] else "<div class='note'>(no picture available)</div>")
            drawn = " Drawn from the landmarks (live sessions keep no video)." if k["drawn"] else ""
            out.append(f"<div class='frame'>{img}<b>{e(_code(k['code']).capitalize())}</b> ×{k['times']} · "
                       f"{e(_title(k['exercise']))}, {e(k['day'])}, {k['t']:.1f} s"
                       f"{', ' + e(k['side']) + ' side' if k['side'] else ''}.<br>{e(k['cue'])}.{e(drawn)}</div>")
        out.append("</div>")
    out.append("<h2>Sessions</h2>" + _table(SESSION_HEAD, session_rows(data["sessions"])))
    out.append("<div class='foot'>Recorded and analysed on the patient's own computer; no video or data was sent "
               "anywhere. formcheck is a training aid, not a medical device.</div></body></html>")
    return "".join(out)


# ---- PDF --------------------------------------------------------------------------------------------

_LATIN1 = str.maketrans({"–": "-", "—": "-", "‘": "'", "’": "'", "“": '"', "”": '"', "≥": ">=", "≤": "<=",
                         "±": "+-", "…": "...", "→": "->", "−": "-"})


def _t(s) -> str:
    """Text the PDF's core fonts can print (Latin-1)."""
    return str(s).translate(_LATIN1).encode("latin-1", "replace").decode("latin-1")


def to_pdf(data: dict) -> bytes:
    """The same report as an A4 PDF."""
    from fpdf import FPDF
    from fpdf.fonts import FontFace

    pdf = FPDF(format="A4")
    pdf.set_margins(14, 14, 14)
    pdf.set_auto_page_break(True, 14)
    pdf.set_title(_t(f"formcheck report {data['patient']}"))
    pdf.add_page()
    width = pdf.w - 28

    def heading(text: str) -> None:
        pdf.ln(2)
        pdf.set_font("Helvetica", "B", 12)
        pdf.cell(0, 7, _t(text), new_x="LMARGIN", new_y="NEXT")
        pdf.set_draw_color(150)
        pdf.line(14, pdf.get_y(), 14 + width, pdf.get_y())
        pdf.ln(1.5)

    def table(head: list[str], rows: list[list[str]], widths: tuple[float, ...]) -> None:
        pdf.set_font("Helvetica", size=8)
        with pdf.table(col_widths=widths, headings_style=FontFace(emphasis="BOLD", fill_color=(235, 235, 235)),
                       line_height=4.2, text_align="LEFT") as t:
            for r in [head, *rows]:
                row = t.row()
                for c in r:
                    row.cell(_t(c))

    pdf.set_font("Helvetica", "B", 16)
    pdf.cell(0, 9, "Exercise report for the physiotherapist", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=9)
    pdf.multi_cell(0, 4.5, _t(f"Patient: {data['patient'] or '(no name given)'}   Period: {_period(data)}   "
                               f"Generated {data['generated']} by formcheck from a single camera (2D pose "
                               "estimation). Angles are estimates."), new_x="LMARGIN", new_y="NEXT")
    if not data["sessions"] and not data["routines"]:
        pdf.ln(4)
        pdf.cell(0, 6, "No sessions were recorded in this period.")
        return bytes(pdf.output())
    heading("Prescribed versus done")
    rows = prescribed_rows(data["routines"])
    if rows:
        table(PRESCRIBED_HEAD, rows, (22, 42, 30, 58, 20))
    else:
        pdf.set_font("Helvetica", size=9)
        pdf.cell(0, 5, "No guided routine was run in this period (single exercises only).", new_x="LMARGIN",
                 new_y="NEXT")
    if data["charts"]:
        heading("Trends")
        for c in data["charts"]:
            w_mm = min(width, 150)
            svg = c["svg"].encode()
            h_mm = w_mm * _svg_aspect(c["svg"])
            if pdf.get_y() + h_mm > pdf.h - 20:
                pdf.add_page()
            pdf.image(io.BytesIO(svg), x=14, w=w_mm)
            if c["note"]:
                pdf.set_font("Helvetica", "I", 8)
                pdf.multi_cell(0, 4, _t(c["note"]), new_x="LMARGIN", new_y="NEXT")
            pdf.ln(1)
    if data["key_frames"]:
        heading("Key frame per flagged fault")
        col_w, gap = (width - 2 * 5) / 3, 5
        for k, kf in enumerate(data["key_frames"]):
            col = k % 3
            if col == 0:
                if pdf.get_y() + 70 > pdf.h - 14:
                    pdf.add_page()
                row_y = pdf.get_y()
            x = 14 + col * (col_w + gap)
            y = row_y
            if kf["png"]:
                info = pdf.image(io.BytesIO(kf["png"]), x=x, y=y, w=col_w)
                y += info.rendered_height + 1
            pdf.set_xy(x, y)
            pdf.set_font("Helvetica", "B", 8)
            pdf.multi_cell(col_w, 3.8, _t(f"{_code(kf['code']).capitalize()} x{kf['times']}"), new_x="LEFT",
                           new_y="NEXT")
            pdf.set_font("Helvetica", size=7.5)
            side = f", {kf['side']} side" if kf["side"] else ""
            drawn = " (drawn from landmarks)" if kf["drawn"] else ""
            pdf.multi_cell(col_w, 3.5, _t(f"{_title(kf['exercise'])}, {kf['day']}, {kf['t']:.1f} s{side}{drawn}. "
                                          f"{kf['cue']}."), new_x="LEFT", new_y="NEXT")
            if col == 2 or k == len(data["key_frames"]) - 1:
                pdf.set_xy(14, max(pdf.get_y(), y) + 3)
    heading("Sessions")
    table(SESSION_HEAD, session_rows(data["sessions"]), (20, 30, 16, 11, 11, 11, 15, 52, 11))
    pdf.ln(3)
    pdf.set_font("Helvetica", "I", 7.5)
    pdf.multi_cell(0, 3.5, "Recorded and analysed on the patient's own computer; no video or data was sent anywhere. "
                           "formcheck is a training aid, not a medical device.")
    return bytes(pdf.output())


def _svg_aspect(svg: str) -> float:
    import re

    m = re.search(r'width="(\d+)" height="(\d+)"', svg)
    return int(m.group(2)) / int(m.group(1)) if m else 0.5
