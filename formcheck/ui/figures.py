"""The report's and the history's Plotly charts: the driving angle with each
rep, holds on a timeline, per-step metrics per leg, cadence, and the trends."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from formcheck.analysis import drive_signal, side_features
from formcheck.cleaning import clean_track
from formcheck.exercises import EXERCISES
from formcheck.features import SIDES, Joints
from formcheck.landmarks import PoseTrack
from formcheck.report import FAULT_FOUND, FORM_NOT_JUDGED, GOOD_FORM, PARTLY_JUDGED, form_kind, form_verdict
from formcheck.ui.labels import movement_title
from formcheck.ui.tables import FPPA_UNCERTAINTY_DEG, step_metric, step_metric_name

__all__ = ["drive_series", "drive_figure", "event_kind", "GOOD_KIND", "PARTLY_KIND", "FAULT_KIND", "UNJUDGED_KIND", "hold_figure", "step_figure", "fppa_figure", "trend_figures",
           "cadence_figure"]


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


# Plot classes of a rep or hold: report.form_kind's ("good form" only when every
# check was judged and none found a fault).
GOOD_KIND, PARTLY_KIND, FAULT_KIND, UNJUDGED_KIND = GOOD_FORM, PARTLY_JUDGED, FAULT_FOUND, FORM_NOT_JUDGED
event_kind = form_kind
_NOT_JUDGED = "#7f7f7f"
_KIND_STYLE = {GOOD_KIND: ("circle", _GOOD), PARTLY_KIND: ("circle-open", _NOT_JUDGED),
               FAULT_KIND: ("x", _BAD), UNJUDGED_KIND: ("circle-open", _NOT_JUDGED)}


def drive_figure(series: pd.DataFrame, report: dict) -> go.Figure:
    """The driving angle over time, each rep's span shaded (green: good form,
    red: a fault, grey: no fault seen in the checks made, or form not judged) and
    a marker at each rep's top with its faults."""
    name = movement_title(report["exercise"])
    drive_name = EXERCISES[report["exercise"]].drive.replace("_", " ") if report["exercise"] in EXERCISES else "angle"
    fig = _base_figure(f"{name}: {drive_name} over time", f"{drive_name} (°)")
    for side, part in series.groupby("side", sort=False):
        fig.add_trace(go.Scatter(x=part["t_s"], y=part["angle_deg"], mode="lines", name=f"{side} side",
                                 line={"color": _SIDE_COLOURS.get(side, "#555"), "width": 2}, connectgaps=False))
    kinds = [event_kind(r, report["exercise"]) for r in report["reps"]]
    for r, kind in zip(report["reps"], kinds):
        fig.add_vrect(x0=r["start_s"], x1=r["end_s"], fillcolor=_KIND_STYLE[kind][1], opacity=0.12,
                      line_width=0, layer="below")
    for kind in (GOOD_KIND, PARTLY_KIND, UNJUDGED_KIND, FAULT_KIND):
        reps = [r for r, k in zip(report["reps"], kinds) if k == kind]
        if not reps:
            continue
        symbol, colour = _KIND_STYLE[kind]
        fig.add_trace(go.Scatter(
            x=[r["peak_s"] for r in reps], y=[r["metrics"].get("peak_deg") for r in reps], mode="markers+text",
            name=f"rep: {kind}", text=[str(r["index"]) for r in reps], textposition="top center",
            marker={"symbol": symbol, "size": 11, "color": colour},
            hovertext=[f"Rep {r['index']}: " + ("; ".join(f["message"] for f in r["faults"])
                                                  or form_verdict(r, report["exercise"], short=True))
                       for r in reps], hoverinfo="text"))
    return fig


def hold_figure(series: pd.DataFrame, report: dict) -> go.Figure:
    """Holds on a timeline: the driving angle with each hold's span and length,
    coloured as drive_figure colours reps."""
    fig = _base_figure(f"{movement_title(report['exercise'])}: holds", "angle (°)")
    for side, part in series.groupby("side", sort=False):
        fig.add_trace(go.Scatter(x=part["t_s"], y=part["angle_deg"], mode="lines", name=f"{side} side",
                                 line={"color": _SIDE_COLOURS.get(side, "#555")}))
    colours = [_KIND_STYLE[event_kind(h, report["exercise"])][1] for h in report["holds"]]
    for k, (h, colour) in enumerate(zip(report["holds"], colours), 1):
        fig.add_vrect(x0=h["start_s"], x1=h["end_s"], fillcolor=colour, opacity=0.15,
                      line_width=0, layer="below",
                      annotation_text=f"hold {k}: {h['duration_s']:.0f} s, {event_kind(h, report['exercise'])}",
                      annotation_position="top left")
    if series.empty:  # no track: show the holds as bars
        fig.add_trace(go.Bar(x=[(h["start_s"] + h["end_s"]) / 2 for h in report["holds"]],
                             y=[h["duration_s"] for h in report["holds"]],
                             width=[h["end_s"] - h["start_s"] for h in report["holds"]], name="held (s)",
                             marker_color=colours))
    return fig


def step_figure(report: dict, metric: str | None = None) -> go.Figure:
    """A per-step metric (FPPA by default, when the view gives it) per leg over
    time; flagged steps drawn as red crosses. FPPA carries its ±8° uncertainty."""
    metric = metric or step_metric(report) or "fppa_deg"
    labels = (report.get("gait") or {}).get("metric_labels", {})
    name = step_metric_name(metric)
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
