"""Everything the app's pages show that is not Streamlit: tables, charts, sample
clips, thumbnails, and the live worker that runs on the webrtc thread.

Functions return plain values, pandas DataFrames or plotly figures, so the
pages stay thin and this module is testable without a browser. No Streamlit
import here. OpenCV is reached only through formcheck.video / formcheck.draw,
imported where needed.
"""

from __future__ import annotations

import json
import math
import queue
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from formcheck.analysis import drive_signal, side_features
from formcheck.cleaning import clean_track
from formcheck.exercises import EXERCISES, MOVEMENTS
from formcheck.exercises.base import EVENT_METRICS
from formcheck.features import SIDES, Joints
from formcheck.landmarks import Detection, PoseTrack
from formcheck.live import LiveSession, body_in_frame
from formcheck.report import validate_report

__all__ = [
    "UPLOAD_TYPES", "MAX_UPLOAD_MB", "max_upload_bytes", "check_upload", "movement_title", "live_movements",
    "SampleClip", "find_samples", "load_precomputed_report", "rep_table", "hold_table", "step_table",
    "rep_table_help", "unjudged_metrics", "fault_overview", "worst_reps", "drive_series", "drive_figure", "hold_figure", "fppa_figure", "step_figure", "step_metric", "gait_cards",
    "flagged_steps", "sessions_table", "session_label", "trend_figures", "frames_at", "skeleton_frames",
    "LiveConfig", "LiveWorker", "LiveRun", "finish_live", "analyze_recording", "CueMemory", "cue_to_speak",
    "analyze_and_save", "DEFAULT_TARGET_REPS", "PresenceWatch", "NOBODY_S", "camera_advice", "cadence_band", "cadence_figure",
]

UPLOAD_TYPES = ("mp4", "mov", "avi", "webm", "mkv", "npz")
# Keep equal to server.maxUploadSize in .streamlit/config.toml (the browser refuses
# bigger files first; this check covers uploads that reach us anyway).
MAX_UPLOAD_MB = 500
DEFAULT_TARGET_REPS = 15
GOOD_REP_SHOW_S = 1.5  # how long "Good rep" stays on the live frame [own]
MIN_LIVE_FRAMES = 15  # shorter live streams (or a late frame after stop) are not sessions [own]
FPPA_UNCERTAINTY_DEG = 8.0  # smallest detectable difference of 2D FPPA, 7.5-9° (peers.md §5.1)


def max_upload_bytes() -> int:
    from formcheck.video import MAX_VIDEO_BYTES

    return min(MAX_UPLOAD_MB * 1024**2, MAX_VIDEO_BYTES)


def check_upload(name: str, size: int) -> str | None:
    """A message saying why this upload cannot be analysed, or None if it can."""
    ext = Path(name).suffix.lower().lstrip(".")
    if ext not in UPLOAD_TYPES:
        return (f"'{name}' is not a supported file: expected a video ({', '.join(t.upper() for t in UPLOAD_TYPES[:-1])})"
                " or a formcheck pose track (.npz).")
    if size == 0:
        return f"'{name}' is empty (0 bytes)."
    if size > max_upload_bytes():
        return (f"'{name}' is {size / 1024**2:.0f} MB; the limit is {max_upload_bytes() / 1024**2:.0f} MB. "
                "Trim the clip to the exercise and try again.")
    return None


def movement_title(name: str) -> str:
    if name in EXERCISES:
        return EXERCISES[name].title
    if name == "auto":
        return "Auto-detect"
    return name.replace("_", " ").capitalize()


def recognised_label(rec: dict) -> str:
    """The report's "recognised" block as 'clamshell, 97%' (or 'none of these, 88%')."""
    what = (rec.get("movement") or "none of these").replace("_", " ")
    return f"{what}, {rec.get('confidence', 0.0):.0%}"


def live_movements() -> list[str]:
    """Movements the live coach can count (exercises; running is analysed from video)."""
    return [m for m in MOVEMENTS if m in EXERCISES]


def camera_advice(movement: str) -> list[dict]:
    """Where to put the camera for `movement`, one row per view it can be analysed
    from: {view, label, best, answers: [what that view can judge]}; best view first."""
    if movement == "running":
        from formcheck.gait import CLIP_FAULTS, STEP_FAULTS

        faults = [(f.label, f.views) for f in (*STEP_FAULTS, *CLIP_FAULTS)]
        views, best = ("back", "front", "side"), "back"
        extra = {"side": ["Knee and shin angles at contact"]}
    else:
        ex = EXERCISES[movement]
        faults = [(f.label, f.views) for f in ex.faults]
        views, best, extra = tuple(v for v in ex.views if v != "oblique"), ex.best_view, {}
        first = "Reps and range" if ex.kind == "reps" else "Hold time"
        extra = {v: [first] for v in views}
    from formcheck.views import VIEW_LABELS

    rows = []
    for v in sorted(views, key=lambda v: v != best):
        answers = [*extra.get(v, []), *(label for label, vs in faults if vs is None or v in vs)]
        rows.append({"view": v, "label": VIEW_LABELS[v], "best": v == best, "answers": answers})
    return rows


# Cadence: below 160 steps/min is flagged [own, gait.LOW_CADENCE_SPM]; a 5-10 % higher
# step rate lowered knee load (Heiderscheit 2011), so that is the band suggested above
# the runner's own rate.
def cadence_band(cadence_spm: float | None) -> dict | None:
    """{value, floor, step_up: (lo, hi), ok} for a measured cadence; None if unmeasured."""
    if cadence_spm is None or not math.isfinite(cadence_spm):
        return None
    from formcheck.gait import LOW_CADENCE_SPM

    return {"value": float(cadence_spm), "floor": LOW_CADENCE_SPM,
            "step_up": (round(cadence_spm * 1.05), round(cadence_spm * 1.10)), "ok": cadence_spm >= LOW_CADENCE_SPM}


def cadence_figure(band: dict) -> go.Figure:
    """The measured cadence on a scale with the 160 floor and the +5-10 % band."""
    lo, hi = 120, max(200, band["step_up"][1] + 10)
    fig = go.Figure()
    fig.add_vrect(x0=lo, x1=band["floor"], fillcolor=_BAD, opacity=0.12, line_width=0,
                  annotation_text="below 160: low", annotation_position="top left")
    fig.add_vrect(x0=band["floor"], x1=hi, fillcolor=_GOOD, opacity=0.10, line_width=0,
                  annotation_text="160 or more", annotation_position="top right")
    fig.add_vrect(x0=band["step_up"][0], x1=band["step_up"][1], fillcolor="#1f77b4", opacity=0.25, line_width=0,
                  annotation_text="+5-10 %", annotation_position="bottom left")
    fig.add_trace(go.Scatter(x=[band["value"]], y=[0.5], mode="markers+text", marker={"size": 16, "color": "#111"},
                             text=[f"{band['value']:.0f}"], textposition="top center", name="your cadence",
                             hoverinfo="skip"))
    fig.update_layout(height=150, margin={"l": 10, "r": 10, "t": 30, "b": 30}, showlegend=False,
                      xaxis={"range": [lo, hi], "title": "steps per minute"}, yaxis={"visible": False, "range": [0, 1]})
    return fig


# ---- sample clips -------------------------------------------------------------------------------


@dataclass(frozen=True)
class SampleClip:
    """sample_videos/<movement>.mp4 with its sidecar <movement>.json (the truth),
    and optionally what formcheck.sample_reports precomputed: <movement>.report.json,
    .track.npz (raw pose track) and .annotated.mp4."""

    movement: str
    video: Path
    sidecar: Path | None = None
    report: Path | None = None
    track: Path | None = None
    annotated: Path | None = None

    @property
    def truth(self) -> dict:
        if self.sidecar is None:
            return {}
        try:
            return json.loads(self.sidecar.read_text())
        except (OSError, ValueError):
            return {}

    @property
    def truth_reps(self) -> int | None:
        reps = self.truth.get("reps")
        return len(reps) if isinstance(reps, list) else None

    @property
    def key(self) -> str:
        """Identifies this version of the clip (name and modification time)."""
        return f"{self.video.name}@{int(self.video.stat().st_mtime)}"


def find_samples(folder: str | Path, movements: list[str] | None = None) -> list[SampleClip]:
    """The sample clips present in `folder`, in the routine's order."""
    folder = Path(folder)
    out = []
    for m in movements if movements is not None else list(MOVEMENTS):
        video = folder / f"{m}.mp4"
        if not video.is_file():
            continue
        side = folder / f"{m}.json"
        rep, track, ann = (folder / f"{m}{suffix}" for suffix in (".report.json", ".track.npz", ".annotated.mp4"))
        out.append(SampleClip(m, video, *(p if p.is_file() else None for p in (side, rep, track, ann))))
    return out


def sample_hold_target(clip: SampleClip) -> float | None:
    """The hold target a sample clip was made for (short samples hold stretches for
    seconds, not 30 s), from its sidecar's analysis_options; None for the default."""
    if clip.sidecar is None:
        return None
    try:
        value = json.loads(clip.sidecar.read_text()).get("analysis_options", {}).get("hold_target_s")
    except (OSError, ValueError, AttributeError):
        return None
    return float(value) if isinstance(value, (int, float)) else None


def load_precomputed_report(clip: SampleClip) -> dict | None:
    """The clip's precomputed report, if it exists, is valid and was made from this
    very clip (the SHA-256 it records; a report without one must not be older than the clip)."""
    if clip.report is None:
        return None
    try:
        rep = json.loads(clip.report.read_text())
        validate_report(rep)
        made_from = (rep.get("precomputed") or {}).get("video_sha256")
        if made_from is not None:
            from formcheck.sample_reports import file_sha256

            if made_from != file_sha256(clip.video):
                return None
        elif clip.report.stat().st_mtime < clip.video.stat().st_mtime:
            return None
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None
    return rep if rep.get("exercise") == clip.movement else None


# ---- tables -------------------------------------------------------------------------------------


_SHORT = {"peak_deg": "Top (°)", "range_deg": "Range (°)", "range_share": "Share of your range",
          "up_s": "Up (s)", "down_s": "Down (s)", "min_phase_s": "Slower phase (s)", "duration_s": "Duration (s)",
          "hold_s": "Held at top (s)"}


def _metric_names(exercise: str) -> dict[str, tuple[str, str]]:
    """metric -> (short column name, full description)."""
    out = {k: (_SHORT.get(k, k), v) for k, v in EVENT_METRICS.items()}
    if exercise in EXERCISES:
        for m in EXERCISES[exercise].metrics:
            base = m.name.removesuffix("_deg").replace("_", " ").capitalize()
            unit = f" ({m.unit})" if m.unit else ""
            out[m.name] = (base + unit, (m.label or m.name) + unit)
    return out


def _clock(s: float | None) -> str:
    if s is None or not math.isfinite(s):
        return ""
    m, sec = divmod(max(0.0, float(s)), 60)
    return f"{int(m)}:{sec:04.1f}"


REP_METRICS_SHOWN = ("peak_deg", "range_deg", "up_s", "down_s", "hold_s")


def unjudged_metrics(report: dict) -> set[str]:
    """Metrics that only feed fault checks this clip could not make (its view
    cannot see them): showing their values would suggest they were judged."""
    if report["exercise"] not in EXERCISES:
        return set()
    ex = EXERCISES[report["exercise"]]
    unjudged = set(report.get("unjudged") or [])
    users: dict[str, list[str]] = {}
    for f in ex.faults:
        for c in f.when:
            users.setdefault(c.metric, []).append(f.code)
    return {m.name for m in ex.metrics if m.name in users and all(code in unjudged for code in users[m.name])}


def rep_table(report: dict) -> pd.DataFrame:
    """One row per rep: the verdict and cue first, then when, then the key
    metrics (not those of checks this view could not make)."""
    names = _metric_names(report["exercise"])
    hidden = unjudged_metrics(report)
    extra = ([m.name for m in EXERCISES[report["exercise"]].metrics if m.name not in hidden]
             if report["exercise"] in EXERCISES else [])
    rows = []
    for r in report["reps"]:
        m = r["metrics"]
        row = {"Rep": r["index"],
               "Form": ("good" if r.get("form_judged", True) else "not judged") if not r["faults"]
               else "; ".join(f["code"].replace("_", " ") for f in r["faults"]),
               "Cue": " / ".join(f["message"] for f in r["faults"]),
               "Set": r["set"], "Side": r["side"], "Start": _clock(r["start_s"]), "Top at": _clock(r["peak_s"])}
        for k in (*REP_METRICS_SHOWN, *extra):
            if k in m:
                row[names.get(k, (k, k))[0]] = round(float(m[k]), 2)
        rows.append(row)
    return pd.DataFrame(rows)


def rep_table_help(report: dict) -> dict[str, str]:
    """Column name -> what it measures, for the rep table's column tooltips."""
    out = {short: full for short, full in _metric_names(report["exercise"]).values()}
    out.update({"Start": "when the rep started (min:s)", "Top at": "when the top was reached (min:s)",
                "Form": "faults found in this rep", "Cue": "what to change next time"})
    return out


def hold_table(report: dict) -> pd.DataFrame:
    rows = []
    for k, h in enumerate(report["holds"], 1):
        rows.append({"Hold": k, "Side": h["side"], "Start": _clock(h["start_s"]), "Held (s)": round(h["duration_s"], 1),
                     "Target (s)": h.get("target_s"),
                     "Form": ("good" if h.get("form_judged", True) else "not judged") if not h["faults"]
                     else "; ".join(f["code"].replace("_", " ") for f in h["faults"]),
                     "Cue": " / ".join(f["message"] for f in h["faults"])})
    return pd.DataFrame(rows)


STEP_METRICS = ("fppa_deg", "pelvic_drop_deg", "heel_offset", "overstride", "tibia_angle_deg",
                "knee_flex_contact_deg", "knee_flex_mid_deg", "trunk_lean_deg", "stance_s")


def _step_metric_name(key: str) -> str:
    if key == "fppa_deg":
        return "FPPA (°)"
    unit = " (°)" if key.endswith("_deg") else " (s)" if key.endswith("_s") else ""
    return key.removesuffix("_deg").removesuffix("_s").replace("_", " ").capitalize() + unit


def step_table(report: dict) -> pd.DataFrame:
    """One row per running step: leg, contact time, the metrics this view gives, flags."""
    present = [k for k in STEP_METRICS if any(k in s.get("metrics", {}) for s in report["steps"])]
    rows = []
    for k, s in enumerate(report["steps"], 1):
        m = s.get("metrics", {})
        row = {"Step": s.get("index", k), "Leg": s["side"], "Contact": _clock(s["contact_s"])}
        for key in present:
            row[_step_metric_name(key)] = round(float(m[key]), 2) if key in m else None
        row["Flag"] = "; ".join(f["message"] for f in s["faults"])
        rows.append(row)
    return pd.DataFrame(rows)


def step_metric(report: dict) -> str | None:
    """The per-step metric to chart: FPPA when the view gives it, else the first one present."""
    for key in STEP_METRICS:
        if any(key in s.get("metrics", {}) for s in report["steps"]):
            return key
    return None


def fault_overview(report: dict) -> pd.DataFrame:
    """Each fault seen: how often and what to do about it."""
    cues: dict[str, str] = {}
    for ev in report["reps"] + report["holds"] + report["steps"]:
        for f in ev["faults"]:
            cues.setdefault(f["code"], f["message"])
    counts = report["summary"]["fault_counts"]
    rows = [{"Fault": c.replace("_", " "), "Times": n, "What to do": cues.get(c, "")}
            for c, n in sorted(counts.items(), key=lambda kv: -kv[1])]
    return pd.DataFrame(rows, columns=["Fault", "Times", "What to do"])


def worst_reps(report: dict, n: int = 3) -> list[dict]:
    """The reps most worth looking at: most faults first, then the smallest."""
    bad = [r for r in report["reps"] if r["faults"]]
    bad.sort(key=lambda r: (-len(r["faults"]), -sum(f["severity"] == "error" for f in r["faults"]),
                            r["metrics"].get("range_share", 1.0), r["index"]))
    return bad[:n]


def flagged_steps(report: dict, n: int = 6) -> list[dict]:
    """Flagged steps, the clearest first (largest value over its limit), with their number."""
    def excess(s: dict) -> float:
        r = [abs(f["value"] / f["limit"]) for f in s["faults"] if f.get("value") is not None and f.get("limit")]
        return max(r, default=0.0)

    steps = [dict(s, number=s.get("index", k)) for k, s in enumerate(report["steps"], 1) if s["faults"]]
    steps.sort(key=lambda s: (-len(s["faults"]), -excess(s), s["number"]))
    return steps[:n]


def gait_cards(report: dict) -> list[dict]:
    """One card per leg in plain words: {leg, lines, steps, flagged, fppa_median_deg}.
    Uses the gait block's summary lines where they name a leg."""
    gait = report.get("gait") or {}
    lines = [str(x) for x in gait.get("summary_lines", [])]
    cards = []
    for leg in SIDES:
        steps = [s for s in report["steps"] if s.get("side") == leg]
        fppa = [s["metrics"]["fppa_deg"] for s in steps if s.get("metrics", {}).get("fppa_deg") is not None]
        own = [x for x in lines if leg in x.lower()]
        if not steps and not own:
            continue
        med = float(np.median(fppa)) if fppa else None
        flagged = sum(1 for s in steps if s["faults"])
        words = list(own)
        if not own:
            if med is not None:
                words.append(f"Typical knee angle seen from the front (FPPA): {med:.0f}° "
                             f"(±{FPPA_UNCERTAINTY_DEG:.0f}° measurement uncertainty).")
            words.append(f"{flagged} of {len(steps)} steps flagged." if steps else "No steps measured.")
        unmeasured = (gait.get("legs", {}).get(leg) or {}).get("pelvic_drop")
        if unmeasured:  # said on each leg's card, never as a count of 0
            words.append(unmeasured[0].upper() + unmeasured[1:] + ".")
        cards.append({"leg": leg, "lines": words, "steps": len(steps), "flagged": flagged, "fppa_median_deg": med})
    general = [x for x in lines if not any(leg in x.lower() for leg in SIDES) and not x.startswith("Pelvic drop")]
    if general:
        cards.append({"leg": "both", "lines": general, "steps": len(report["steps"]),
                      "flagged": sum(1 for s in report["steps"] if s["faults"]), "fppa_median_deg": None})
    return cards


def sessions_table(rows: list[dict]) -> pd.DataFrame:
    out = []
    for s in rows:
        n = s["rep_count"] + s["hold_count"] + s["step_count"]
        out.append({"ID": s["id"], "When": _local(s["created_at"]), "Exercise": movement_title(s["exercise"]),
                    "From": s["source_kind"], "Reps": s["rep_count"], "Holds": s["hold_count"],
                    "Steps": s["step_count"], "Good form": f"{s['clean_count']}/{n}" if n else "",
                    "Pain": s["pain"], "Notes": s["notes"] or "", "In trends": "no" if s.get("excluded") else "yes"})
    return pd.DataFrame(out, columns=["ID", "When", "Exercise", "From", "Reps", "Holds", "Steps", "Good form", "Pain",
                                      "Notes", "In trends"])


def _local(iso: str) -> str:
    dt = datetime.fromisoformat(iso)
    return dt.astimezone().strftime("%a %d %b %Y, %H:%M")


def session_label(s: dict) -> str:
    what = (f"{s['rep_count']} reps" if s["rep_count"] else f"{s['hold_count']} holds" if s["hold_count"]
            else f"{s['step_count']} steps" if s["step_count"] else "nothing counted")
    return f"#{s['id']} · {_local(s['created_at'])} · {movement_title(s['exercise'])} · {what} ({s['source_kind']})"


# ---- charts ---------------------------------------------------------------------------------------

_SIDE_COLOURS = {"left": "#1f77b4", "right": "#ff7f0e"}
_GOOD, _BAD = "#2ca02c", "#d62728"


def drive_series(track: PoseTrack, movement: str) -> pd.DataFrame:
    """The exercise's driving angle over time per side, as the analysis saw it
    (cleaned track): columns t_s, side, angle_deg. Empty for running."""
    if movement not in EXERCISES or len(track) == 0:
        return pd.DataFrame(columns=["t_s", "side", "angle_deg"])
    ex = EXERCISES[movement]
    clean = clean_track(track, cutoff_hz=ex.smooth_hz, long_swap_s=ex.long_swap_s)
    parts = []
    for side in SIDES:
        drive = drive_signal(ex, side_features(ex, Joints(clean.px, clean.vis, clean.world, side)))
        if np.isfinite(drive).any():
            parts.append(pd.DataFrame({"t_s": clean.times, "side": side, "angle_deg": drive}))
    if not parts:
        return pd.DataFrame(columns=["t_s", "side", "angle_deg"])
    return pd.concat(parts, ignore_index=True)


def _base_figure(title: str, y_title: str) -> go.Figure:
    fig = go.Figure()
    fig.update_layout(title=title, xaxis_title="time (s)", yaxis_title=y_title, height=360,
                      margin={"l": 50, "r": 20, "t": 50, "b": 40}, hovermode="closest",
                      legend={"orientation": "h", "y": -0.2})
    return fig


def drive_figure(series: pd.DataFrame, report: dict) -> go.Figure:
    """The driving angle over time, each rep's span shaded (green: good, red: a
    fault) and a marker at each rep's top with its faults."""
    name = movement_title(report["exercise"])
    drive_name = EXERCISES[report["exercise"]].drive.replace("_", " ") if report["exercise"] in EXERCISES else "angle"
    fig = _base_figure(f"{name}: {drive_name} over time", f"{drive_name} (°)")
    for side, part in series.groupby("side", sort=False):
        fig.add_trace(go.Scatter(x=part["t_s"], y=part["angle_deg"], mode="lines", name=f"{side} side",
                                 line={"color": _SIDE_COLOURS.get(side, "#555"), "width": 2}, connectgaps=False))
    for r in report["reps"]:
        fig.add_vrect(x0=r["start_s"], x1=r["end_s"], fillcolor=_BAD if r["faults"] else _GOOD, opacity=0.12,
                      line_width=0, layer="below")
    for kind, reps in (("good rep", [r for r in report["reps"] if not r["faults"]]),
                       ("rep with a fault", [r for r in report["reps"] if r["faults"]])):
        if not reps:
            continue
        bad = kind != "good rep"
        fig.add_trace(go.Scatter(
            x=[r["peak_s"] for r in reps], y=[r["metrics"].get("peak_deg") for r in reps], mode="markers+text",
            name=kind, text=[str(r["index"]) for r in reps], textposition="top center",
            marker={"symbol": "x" if bad else "circle", "size": 11, "color": _BAD if bad else _GOOD},
            hovertext=[f"Rep {r['index']}: " + ("; ".join(f["message"] for f in r["faults"])
                                                  or ("good form" if r.get("form_judged", True) else "form not judged"))
                       for r in reps], hoverinfo="text"))
    return fig


def hold_figure(series: pd.DataFrame, report: dict) -> go.Figure:
    """Holds on a timeline: the driving angle with each hold's span and length."""
    fig = _base_figure(f"{movement_title(report['exercise'])}: holds", "angle (°)")
    for side, part in series.groupby("side", sort=False):
        fig.add_trace(go.Scatter(x=part["t_s"], y=part["angle_deg"], mode="lines", name=f"{side} side",
                                 line={"color": _SIDE_COLOURS.get(side, "#555")}))
    for k, h in enumerate(report["holds"], 1):
        fig.add_vrect(x0=h["start_s"], x1=h["end_s"], fillcolor=_BAD if h["faults"] else _GOOD, opacity=0.15,
                      line_width=0, layer="below",
                      annotation_text=f"hold {k}: {h['duration_s']:.0f} s", annotation_position="top left")
    if series.empty:  # no track: show the holds as bars
        fig.add_trace(go.Bar(x=[(h["start_s"] + h["end_s"]) / 2 for h in report["holds"]],
                             y=[h["duration_s"] for h in report["holds"]],
                             width=[h["end_s"] - h["start_s"] for h in report["holds"]], name="held (s)",
                             marker_color=[_BAD if h["faults"] else _GOOD for h in report["holds"]]))
    return fig


def step_figure(report: dict, metric: str | None = None) -> go.Figure:
    """A per-step metric (FPPA by default, when the view gives it) per leg over
    time; flagged steps drawn as red crosses. FPPA carries its ±8° uncertainty."""
    metric = metric or step_metric(report) or "fppa_deg"
    labels = (report.get("gait") or {}).get("metric_labels", {})
    name = _step_metric_name(metric)
    title = ("Knee angle seen from the front (FPPA) at each step" if metric == "fppa_deg"
             else f"{labels.get(metric, name)} at each step")
    fig = _base_figure(title[0].upper() + title[1:], name)
    for leg in SIDES:
        steps = [s for s in report["steps"] if s.get("side") == leg and s.get("metrics", {}).get(metric) is not None]
        if not steps:
            continue
        trace = go.Scatter(
            x=[s["contact_s"] for s in steps], y=[s["metrics"][metric] for s in steps], mode="lines+markers",
            name=f"{leg} leg", line={"color": _SIDE_COLOURS[leg], "width": 1},
            marker={"symbol": ["x" if s["faults"] else "circle" for s in steps], "size": 9,
                    "color": [_BAD if s["faults"] else _SIDE_COLOURS[leg] for s in steps]},
            hovertext=[f"{leg} step at {s['contact_s']:.2f} s: {s['metrics'][metric]:.2f}"
                       + ("; " + "; ".join(f["message"] for f in s["faults"]) if s["faults"] else "") for s in steps],
            hoverinfo="text")
        if metric == "fppa_deg":
            trace.error_y = {"type": "constant", "value": FPPA_UNCERTAINTY_DEG, "thickness": 0.6, "width": 0,
                             "color": "rgba(0,0,0,0.25)"}
        fig.add_trace(trace)
    return fig


def fppa_figure(report: dict) -> go.Figure:
    """FPPA per step per leg."""
    return step_figure(report, "fppa_deg")


def trend_figures(trends: dict) -> dict[str, go.Figure]:
    """Progress charts from History.trends(): reps per week, fault rate per
    exercise, pain per session, FPPA per leg. Only the charts with data are returned."""
    out: dict[str, go.Figure] = {}
    weekly = pd.DataFrame(trends["weekly"])
    if not weekly.empty:
        reps = weekly[weekly["reps"] > 0]
        if not reps.empty:
            fig = go.Figure()
            for ex, part in reps.groupby("exercise", sort=True):
                fig.add_trace(go.Bar(x=part["week"], y=part["reps"], name=movement_title(ex)))
            fig.update_layout(title="Reps per week", barmode="stack", xaxis_title="week starting", yaxis_title="reps",
                              height=320, margin={"l": 50, "r": 20, "t": 50, "b": 40}, xaxis_type="category")
            out["reps"] = fig
    # Like with like: one line per movement, fault and camera view, over the sessions whose
    # view could judge that fault (a side clip says nothing about valgus).
    by_fault = pd.DataFrame(trends.get("by_fault", []))
    if not by_fault.empty:
        for ex, part in by_fault.groupby("exercise", sort=True):
            fig = go.Figure()
            for (code, view), line in part.groupby(["code", "view"], sort=True):
                fig.add_trace(go.Scatter(
                    x=line["week"], y=line["rate"] * 100, mode="lines+markers",
                    name=f"{code.replace('_', ' ')} ({view.replace('_', ' ')} view)",
                    hovertext=[f"{w}: {f} of {n} with {code.replace('_', ' ')} ({s} session(s), {view} view)"
                               for w, f, n, s in zip(line["week"], line["with_fault"], line["events"],
                                                     line["sessions"])], hoverinfo="text"))
            fig.update_layout(title=f"{movement_title(ex)}: each fault, per camera view", xaxis_title="week starting",
                              yaxis_title="% of reps/steps with it", yaxis_range=[0, 100], height=340,
                              margin={"l": 50, "r": 20, "t": 50, "b": 40}, xaxis_type="category",
                              legend={"orientation": "h", "y": -0.25})
            out[f"faults_{ex}"] = fig
    balance = pd.DataFrame(trends.get("balance", []))
    if not balance.empty:
        for ex, part in balance.groupby("exercise", sort=True):
            if part["side"].nunique() < 2:
                continue
            fig = go.Figure()
            for side, line in part.groupby("side", sort=True):
                fig.add_trace(go.Bar(x=line["week"], y=line["events"], name=f"{side}: done",
                                     marker_color=_SIDE_COLOURS.get(side), opacity=0.45))
                fig.add_trace(go.Scatter(x=line["week"], y=line["fault_rate"] * 100, name=f"{side}: % with a fault",
                                         mode="lines+markers", yaxis="y2", line={"color": _SIDE_COLOURS.get(side)}))
            leg = "legs" if ex == "running" else "sides"
            fig.update_layout(title=f"{movement_title(ex)}: left and right {leg}", barmode="group",
                              xaxis_title="week starting", yaxis_title="reps/steps done", height=340,
                              yaxis2={"title": "% with a fault", "overlaying": "y", "side": "right", "range": [0, 100]},
                              margin={"l": 50, "r": 50, "t": 50, "b": 40}, xaxis_type="category",
                              legend={"orientation": "h", "y": -0.25})
            out[f"balance_{ex}"] = fig
    pain = [x for x in trends.get("sessions", []) if x.get("pain") is not None]
    if pain:
        fig = go.Figure(go.Scatter(x=[x["created_at"][:10] for x in pain], y=[x["pain"] for x in pain],
                                   mode="lines+markers", name="pain", line={"color": _BAD},
                                   hovertext=[f"#{x['id']} {movement_title(x['exercise'])}: pain {x['pain']}/10"
                                              for x in pain], hoverinfo="text"))
        fig.update_layout(title="Knee pain after each session (0-10)", xaxis_title="date", yaxis_title="pain",
                          yaxis_range=[0, 10], height=320, margin={"l": 50, "r": 20, "t": 50, "b": 40})
        out["pain"] = fig
    fppa = pd.DataFrame(trends["fppa"])
    if not fppa.empty:
        fig = go.Figure()
        for leg, part in fppa.groupby("leg", sort=True):
            fig.add_trace(go.Scatter(x=part["week"], y=part["fppa_median_deg"], mode="lines+markers",
                                     name=f"{leg} leg", line={"color": _SIDE_COLOURS.get(leg, "#555")},
                                     error_y={"type": "constant", "value": FPPA_UNCERTAINTY_DEG, "thickness": 0.8}))
        fig.update_layout(title="Running: median knee FPPA per leg", xaxis_title="week starting",
                          yaxis_title="FPPA (°)", height=320, margin={"l": 50, "r": 20, "t": 50, "b": 40},
                          xaxis_type="category")
        out["fppa"] = fig
    return out


# ---- frames for thumbnails ------------------------------------------------------------------------


def frames_at(video: str | Path, times: list[float], max_width: int = 480) -> list[np.ndarray | None]:
    """RGB frames of `video` nearest to each of `times` (one pass through the
    clip), shrunk by whole steps to at most max_width. None past the end."""
    from formcheck.video import read_frames

    order = sorted(range(len(times)), key=lambda i: times[i])
    out: list[np.ndarray | None] = [None] * len(times)
    k = 0
    prev: tuple[float, np.ndarray] | None = None
    for t, frame in read_frames(video):
        while k < len(order) and t >= times[order[k]]:
            target = times[order[k]]
            best = frame if prev is None or abs(t - target) <= abs(prev[0] - target) else prev[1]
            out[order[k]] = _rgb_small(best, max_width)
            k += 1
        if k == len(order):
            break
        prev = (t, frame)
    if prev is not None:
        for i in order[k:]:
            out[i] = _rgb_small(prev[1], max_width)
    return out


def _rgb_small(frame_bgr: np.ndarray, max_width: int) -> np.ndarray:
    step = max(1, math.ceil(frame_bgr.shape[1] / max_width))
    return np.ascontiguousarray(frame_bgr[::step, ::step, ::-1])


def skeleton_frames(track: PoseTrack, times: list[float], size: int = 360) -> list[np.ndarray | None]:
    """For sessions without video (live, .npz): the skeleton at each time, drawn
    on a dark square framed around the body (RGB, size x size). None where no
    body was seen."""
    from formcheck.draw import draw_skeleton

    clean = clean_track(track)
    out: list[np.ndarray | None] = []
    for t in times:
        i = int(np.argmin(np.abs(clean.times - t)))
        px, vis = clean.px[i], clean.vis[i]
        ok = np.isfinite(px).all(axis=1)
        if not clean.detected[i] or ok.sum() < 4:
            out.append(None)
            continue
        lo, hi = px[ok].min(axis=0), px[ok].max(axis=0)
        span = float(max(hi - lo)) * 1.25 + 1.0
        centre = (lo + hi) / 2
        scale = size / span
        canvas = np.full((size, size, 3), 28, np.uint8)
        img = draw_skeleton(canvas, (px - centre) * scale + size / 2, vis)
        out.append(np.ascontiguousarray(img[..., ::-1]))
    return out


# ---- live -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LiveConfig:
    exercise: str = "clamshell"
    side: str = "auto"
    hold_target_s: float | None = None
    target_reps: int = DEFAULT_TARGET_REPS


def default_estimator():
    from formcheck.models import resolve_model
    from formcheck.pose import MediaPipeEstimator

    return MediaPipeEstimator(resolve_model("full"))


class LiveWorker:
    """One live stream: its own pose estimator (VIDEO mode needs increasing
    timestamps) and LiveSession. `process` runs on the webrtc worker thread;
    `close`/`recorded_track` may be called from the script thread (locked)."""

    def __init__(self, config: LiveConfig, estimator_factory: Callable[[], object] = default_estimator):
        self.config = config
        self._factory = estimator_factory
        self.estimator = None
        self.session: LiveSession | None = None
        self.lock = threading.Lock()
        self.closed = False
        self.frames = 0
        self.detected = 0
        self.started = time.time()
        self._t0: float | None = None
        self._last_t = -1.0
        self._latency: deque[float] = deque(maxlen=120)
        self._stamps: deque[float] = deque(maxlen=60)
        self.latency_all: list[float] = []
        self._good_until = -1.0
        self._reps_seen = 0
        self.stashed: Path | None = None  # where the recording was saved once the stream ended
        self.drawing: tuple | None = None  # (px, vis, Overlay) of the newest processed frame
        self.loop = None  # NewestFrameLoop, when frames are submitted rather than processed in line

    def _time(self, t: float | None) -> float:
        """Seconds since the stream's first frame, strictly increasing."""
        if t is None or not math.isfinite(t):
            t = time.monotonic()
        if self._t0 is None:
            self._t0 = t
        rel = t - self._t0
        if rel <= self._last_t:
            rel = self._last_t + 1e-3
        self._last_t = rel
        return rel

    def process(self, img_bgr: np.ndarray, t: float | None = None,
                draw: bool = True) -> tuple[np.ndarray | None, dict | None]:
        """Detect, count and draw one frame; returns (frame to show, update dict).
        With draw=False only the overlay is kept (in `drawing`) and no frame is returned."""
        from formcheck.draw import Overlay, annotate

        start = time.perf_counter()
        with self.lock:
            if self.closed:
                return img_bgr, None
            h, w = img_bgr.shape[:2]
            if self.session is None:
                self.estimator = self._factory()
                c = self.config
                self.session = LiveSession(c.exercise, c.side, c.hold_target_s, width=w, height=h)
            ts = self._time(t)
            det: Detection | None = self.estimator.detect(img_bgr, ts)
            upd = self.session.push(ts, det)
            self.frames += 1
            self.detected += det is not None
            in_frame = det is not None and body_in_frame(det.xy, det.vis)
        counter, sub, cue, good = self._texts(upd, in_frame, ts)
        px = det.xy * [w, h] if det is not None else None
        # On the frame the counter turns green for a good rep; the cue band is kept for what to change.
        self.drawing = (px, det.vis if det is not None else None,
                        Overlay(counter=counter, sub=sub, cue="" if good else cue, good=good))
        out = annotate(img_bgr, *self.drawing) if draw else None
        now = time.perf_counter()
        ms = (now - start) * 1000.0
        self._latency.append(ms)
        self.latency_all.append(ms)
        self._stamps.append(now)
        fps = (len(self._stamps) - 1) / (self._stamps[-1] - self._stamps[0]) if len(self._stamps) > 2 else 0.0
        info = {"t": round(ts, 3), "visible": upd.visible, "in_frame": in_frame, "ready": upd.ready,
                "rep_count": upd.rep_count, "set_number": upd.set_number, "set_reps": upd.set_reps,
                "target": self.config.target_reps, "side": upd.side, "hold_s": upd.hold_s, "view": upd.view,
                "cue": cue or None, "cue_is_fault": good is False and bool(cue),
                "cue_kind": None if not cue else "fault" if good is False else "good" if good else "setup",
                "counter": counter,
                "latency_ms": round(ms, 1), "latency_median_ms": round(float(np.median(self._latency)), 1),
                "fps": round(fps, 1), "frames": self.frames,
                "dropped": self.loop.dropped if self.loop is not None else 0}
        if self.loop is not None:  # the newest-frame loop's own rate and latency (arrival -> overlay)
            info["fps"] = round(self.loop.fps(), 1)
            if self.loop.latency_ms:
                info["latency_median_ms"] = round(float(np.median(self.loop.latency_ms[-120:])), 1)
        return out, info

    def submit(self, img_bgr: np.ndarray, t: float | None, publish: Callable[[dict], None]) -> None:
        """Hand a frame to this stream's newest-frame loop (formcheck.live_loop): never
        blocks; a frame still waiting when a newer one arrives is dropped and counted."""
        if self.loop is None:
            from formcheck.live_loop import NewestFrameLoop

            def handle(frame: np.ndarray, ft: float | None) -> None:
                _, info = self.process(frame, ft, draw=False)
                if info is not None:
                    publish(info)

            self.loop = NewestFrameLoop(handle)
        self.loop.submit(img_bgr, t)

    def draw(self, img_bgr: np.ndarray) -> np.ndarray:
        """The frame with the newest processed frame's skeleton, counter and cue."""
        from formcheck.draw import annotate

        drawing = self.drawing
        return annotate(img_bgr, *drawing) if drawing is not None else img_bgr.copy()

    def _texts(self, upd, in_frame: bool, t: float) -> tuple[str, str, str, bool | None]:
        """(counter, sub line, one short cue, colour) for the frame."""
        kind = EXERCISES[self.config.exercise].kind
        if not upd.ready:
            cue = ("Hold still: getting ready" if in_frame else "Move so your whole body is in view" if upd.visible
                   else "Nobody in view: step into the picture")
            return "Get into position", "counting starts when your whole body is in view", cue, None
        if kind == "hold":
            target = self.config.hold_target_s or EXERCISES[self.config.exercise].hold.target_s
            held = upd.hold_s or 0.0
            counter = f"Hold {held:.0f} s / {target:.0f}" if upd.hold_s is not None else "Get into the stretch"
            sub = f"{len(self.session.holds)} holds done"
            if upd.cue:
                return counter, sub, upd.cue, False
            return counter, sub, "", (held >= target) or None
        counter = f"Rep {upd.set_reps} / {self.config.target_reps}"
        sub = f"Set {upd.set_number} - {upd.side or 'any'} side - total {upd.rep_count}"
        if upd.rep_count > self._reps_seen:
            self._reps_seen = upd.rep_count
            if upd.last_rep is not None and not upd.last_rep.faults:
                self._good_until = t + GOOD_REP_SHOW_S
        if upd.cue:
            return counter, sub, upd.cue, False
        if t <= self._good_until:
            return counter, sub, "Good rep", True
        return counter, sub, "", None

    def recorded_track(self) -> PoseTrack | None:
        with self.lock:
            if self.session is None or not self.session.times:
                return None
            if self.config.exercise in EXERCISES and EXERCISES[self.config.exercise].kind == "hold":
                self.session.finish()
            tr = self.session.recorded_track()
        return tr.replace(meta={**tr.meta, "exercise": self.config.exercise, "side": self.config.side,
                                "hold_target_s": self.config.hold_target_s, "live_reps": len(self.session.reps)})

    def stats(self) -> dict:
        lat = np.asarray(self.latency_all or [math.nan])
        span = self.session.times[-1] - self.session.times[0] if self.session and len(self.session.times) > 1 else 0
        out = {"frames": self.frames, "live_rep_count": len(self.session.reps) if self.session else 0,
               "latency_median_ms": round(float(np.median(lat)), 1),
               "latency_p95_ms": round(float(np.percentile(lat, 95)), 1),
               "fps": round((self.frames - 1) / span, 1) if span > 0 else 0.0}
        if self.loop is not None:  # arrival -> overlay, and the frames dropped to keep up
            ls = self.loop.stats()
            out.update(submitted=ls["submitted"], dropped=ls["dropped"], latency_median_ms=ls["latency_p50_ms"],
                       latency_p95_ms=ls["latency_p95_ms"])
        return out

    def close(self) -> None:
        loop = self.loop
        if loop is not None:
            loop.close()  # finish the frame in hand first; the one waiting (if any) is dropped
        with self.lock:
            self.closed = True
            est, self.estimator = self.estimator, None
        if est is not None and hasattr(est, "close"):
            est.close()


class LiveRun:
    """What the Live page keeps in st.session_state: the current stream's worker,
    the finished ones waiting to be saved, and the queue of updates the page polls.
    `on_frame` and `on_ended` are called on the webrtc threads, never st.*."""

    def __init__(self, estimator_factory: Callable[[], object] = default_estimator, maxsize: int = 64,
                 stash: Callable[[PoseTrack], Path] | None = None, threaded: bool = False):
        """`stash(track) -> path` writes a finished recording to disk at once (History.stash_recording),
        so it survives even if the page never runs again. `threaded`: frames go to a newest-frame
        loop (formcheck.live_loop) and `on_frame` returns at once with the newest overlay drawn;
        otherwise each frame is processed in the caller's thread."""
        self.stash = stash
        self.threaded = threaded
        self.config = LiveConfig()
        self.updates: queue.Queue[dict] = queue.Queue(maxsize=maxsize)
        self._factory = estimator_factory
        self._lock = threading.Lock()
        self._current: LiveWorker | None = None
        self._finished: list[LiveWorker] = []
        self.nobody_streams = 0  # streams dropped because nobody was ever in view

    def on_frame(self, img_bgr: np.ndarray, t: float | None = None) -> np.ndarray:
        with self._lock:
            worker = self._current
            if worker is None:
                worker = self._current = LiveWorker(self.config, self._factory)
        if self.threaded:
            worker.submit(img_bgr, t, self._publish)
            return worker.draw(img_bgr)
        out, info = worker.process(img_bgr, t)
        if info is not None:
            self._publish(info)
        return out

    def _publish(self, info: dict) -> None:
        while True:
            try:
                self.updates.put_nowait(info)
                return
            except queue.Full:  # the page is not polling: drop the oldest update
                try:
                    self.updates.get_nowait()
                except queue.Empty:
                    pass

    def drain(self) -> list[dict]:
        out = []
        while True:
            try:
                out.append(self.updates.get_nowait())
            except queue.Empty:
                return out

    def on_ended(self) -> None:
        """The stream stopped (webrtc thread): park the worker until the page saves it."""
        with self._lock:
            worker, self._current = self._current, None
            if worker is not None:
                self._finished.append(worker)
        if worker is not None:
            worker.close()
            # A stream in which nobody was ever found is not a recording worth keeping.
            if (self.stash is not None and worker.stashed is None and worker.frames >= MIN_LIVE_FRAMES
                    and worker.detected > 0):
                track = worker.recorded_track()
                if track is not None:
                    try:
                        worker.stashed = self.stash(track)
                    except OSError:  # finish_live tries again from the page
                        worker.stashed = None

    @property
    def active(self) -> bool:
        with self._lock:
            return self._current is not None

    def take_finished(self, stream_playing: bool) -> list[LiveWorker]:
        """Workers whose stream has ended (the current one too if the stream is
        no longer playing), dropping ones too short to be a session."""
        if not stream_playing:
            self.on_ended()
        with self._lock:
            done, self._finished = self._finished, []
        self.nobody_streams += sum(1 for w in done if w.frames > 0 and w.detected == 0)
        return [w for w in done if w.frames >= MIN_LIVE_FRAMES and w.detected > 0]


def finish_live(worker: LiveWorker, history) -> int:
    """Save a finished live stream: the raw track first (recordings/), then the
    offline analysis, then the session (which takes the track into media/<id>/).
    If the analysis fails the recording stays in recordings/ and the error is raised."""
    path = worker.stashed
    if path is None or not Path(path).exists():
        track = worker.recorded_track()
        if track is None:
            raise ValueError("nothing was recorded")
        path = worker.stashed = history.stash_recording(track)
    return analyze_recording(path, history, extra={"live": worker.stats()})


def analyze_recording(path: str | Path, history, exercise: str | None = None, side: str | None = None,
                      extra: dict | None = None) -> int:
    """Analyse a stashed live recording and save it as a session (the recording
    file is removed only once the session is committed)."""
    from formcheck.pipeline import Options, analyze

    track = PoseTrack.load_npz(path)
    exercise = exercise or track.meta.get("exercise") or "clamshell"
    side = side or track.meta.get("side") or "auto"
    report = analyze(track, exercise, Options(side=side, hold_target_s=track.meta.get("hold_target_s")),
                     source="live camera")
    report.update(extra or {})
    created = datetime.fromtimestamp(Path(path).stat().st_mtime).astimezone()
    return history.save_session(report, "live", f"Live {movement_title(exercise).lower()}", created_at=created,
                                track=path, remove_sources=(path,))


NOBODY_S = 2.0  # say "nobody in view" after this long without a person (the brief: within 3 s) [own]


@dataclass
class PresenceWatch:
    """Seconds since a person was last seen, from the live updates the page polls."""

    first_t: float | None = None
    seen_t: float | None = None
    last_t: float | None = None

    def update(self, info: dict) -> None:
        t = float(info["t"])
        if self.first_t is None or (self.last_t is not None and t < self.last_t):  # a new stream
            self.first_t, self.seen_t = t, None
        self.last_t = t
        if info.get("visible"):
            self.seen_t = t

    @property
    def unseen_s(self) -> float:
        if self.last_t is None:
            return 0.0
        return self.last_t - (self.seen_t if self.seen_t is not None else self.first_t)

    @property
    def nobody(self) -> bool:
        return self.unseen_s >= NOBODY_S


@dataclass
class CueMemory:
    """What the page last saw, so each rep and each new cue is spoken once."""

    reps: int = 0
    cue: str | None = None


def cue_to_speak(memory: CueMemory, info: dict | None) -> str | None:
    """What to say for this update: the rep number when a rep is counted (with
    its fault cue, if any), a new fault cue, or None."""
    if not info or not info.get("ready"):
        return None
    reps, cue = info["rep_count"], info.get("cue")
    fault = cue if info.get("cue_is_fault") else None
    new_rep, new_cue = reps > memory.reps, fault is not None and fault != memory.cue
    memory.reps, memory.cue = reps, fault
    if new_rep:
        return f"{info['set_reps']}. {fault}" if fault else str(info["set_reps"])
    return fault if new_cue else None


# ---- analysing a file --------------------------------------------------------------------------


def analyze_and_save(path: str | Path, movement: str, options, history, source_kind: str, source_name: str,
                     progress: Callable[[int, int], None] | None = None,
                     stage: Callable[[str], None] | None = None, report: dict | None = None) -> int:
    """Video or .npz -> pose track -> report -> annotated video -> saved session id.

    The same steps as pipeline.analyze_file, kept apart so the track is stored
    with the session. A precomputed `report` skips the model (sample clips). An
    annotated video that cannot be written becomes a warning, not a lost analysis.
    """
    from formcheck.pipeline import analyze, check_movement, load_track, write_annotated_video

    check_movement(movement)
    path = Path(path)
    is_video = path.suffix.lower() != ".npz"
    track = None
    if report is None:
        if stage:
            stage("Finding the body in each frame")
        track = load_track(path, options.model, options.stride, progress)
        report = analyze(track, movement, options, source_name)
    video = path if is_video and track is None else None
    tmp = history.root / "tmp" / f"{path.stem}-{time.time_ns()}.mp4"
    try:
        if is_video and track is not None:
            if stage:
                stage("Drawing the annotated video")
            try:
                video = write_annotated_video(path, track, report, tmp, options.stride)
            except Exception as e:  # noqa: BLE001 - an optional by-product; the analysis itself is kept
                report["warnings"].append(f"The annotated video could not be written ({type(e).__name__}: {e}).")
                video = None
        elif not is_video:
            report["warnings"].append("No video to show: the input is a saved pose track, not a video.")
        if stage:
            stage("Saving")
        return history.save_session(report, source_kind, source_name, video=video, track=track)
    finally:
        tmp.unlink(missing_ok=True)


# ---- correcting a saved session ---------------------------------------------------------------


def reanalyse_session(history, session_id: int, movement: str) -> dict:
    """Analyse a saved session again as `movement` (e.g. after it was saved under
    the wrong one) from its stored landmarks, and replace its report. Its date,
    notes and pain score stay. Returns the new report."""
    from formcheck.errors import FormCheckError
    from formcheck.pipeline import Options, analyze, check_movement

    check_movement(movement)
    s = history.get_session(session_id)
    if s is None:
        raise FormCheckError(f"session #{session_id} does not exist (it may have been deleted)")
    if not s["track_path"]:
        raise FormCheckError(f"session #{session_id} has no saved body landmarks, so it cannot be analysed again")
    old = s["report"]
    track = PoseTrack.load_npz(s["track_path"])
    holds = [h.get("target_s") for h in old.get("holds", []) if h.get("target_s")]
    hold = holds[0] if holds and old["exercise"] == movement else track.meta.get("hold_target_s")
    report = analyze(track, movement, Options(hold_target_s=hold), source=old["source"]["path"])
    for key in ("live",):
        if key in old:
            report[key] = old[key]
    if s["video_path"] and report["exercise"] != old["exercise"]:
        report["warnings"].append(f"The annotated video still shows the earlier analysis as "
                                  f"{movement_title(old['exercise']).lower()}; the results above are new.")
    history.replace_report(session_id, report)
    return report
