"""The tables and cards of a report: reps, holds, steps, faults, running legs,
cadence and the saved sessions, as pandas DataFrames and plain dicts."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from formcheck.exercises import EXERCISES
from formcheck.exercises.base import EVENT_METRICS
from formcheck.features import SIDES
from formcheck.report import form_verdict, hold_side
from formcheck.ui.labels import local_time, movement_title

__all__ = ["rep_table", "rep_table_help", "hold_table", "step_table", "step_metric", "step_metric_name",
           "unjudged_metrics", "fault_overview", "worst_reps", "flagged_steps", "gait_cards", "sessions_table",
           "cadence_band", "FPPA_UNCERTAINTY_DEG", "STEP_METRICS", "REP_METRICS_SHOWN"]


FPPA_UNCERTAINTY_DEG = 8.0  # smallest detectable difference of 2D FPPA, 7.5-9° (peers.md §5.1)
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
               "Form": form_verdict(r, report["exercise"], short=True) if not r["faults"]
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
        rows.append({"Hold": k, "Side": hold_side(h), "Start": _clock(h["start_s"]), "Held (s)": round(h["duration_s"], 1),
                     "Target (s)": h.get("target_s"),
                     "Form": form_verdict(h, report["exercise"], short=True) if not h["faults"]
                     else "; ".join(f["code"].replace("_", " ") for f in h["faults"]),
                     "Cue": " / ".join(f["message"] for f in h["faults"])})
    return pd.DataFrame(rows)


# The side view's first is the shin's lean at contact: it decides an overstride (gait.rules), the
# heel's distance ahead of the hip only confirms it, so it is the one charted.
STEP_METRICS = ("fppa_deg", "pelvic_drop_deg", "heel_offset", "tibia_angle_deg", "overstride",
                "knee_flex_contact_deg", "knee_flex_mid_deg", "trunk_lean_deg", "stance_s")


def step_metric_name(key: str) -> str:
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
            row[step_metric_name(key)] = round(float(m[key]), 2) if key in m else None
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


def _without_leg_name(line: str, leg: str) -> str:
    """A summary line that starts by naming the card's own leg ("Left: 10 steps.") without that name, which the card's
    heading already gives; lines where the name is the subject ("Left knee stays in line") are kept whole."""
    prefix = f"{leg.capitalize()}: "
    if not line.startswith(prefix):
        return line
    rest = line[len(prefix):]
    return rest[:1].upper() + rest[1:]


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
        words = [_without_leg_name(x, leg) for x in own]
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
        out.append({"ID": s["id"], "When": local_time(s["created_at"]), "Exercise": movement_title(s["exercise"]),
                    "From": s["source_kind"], "Reps": s["rep_count"], "Holds": s["hold_count"],
                    "Steps": s["step_count"], "Good form": f"{s['clean_count']}/{n}" if n else "",
                    "Pain": s["pain"], "Notes": s["notes"] or "", "In trends": "no" if s.get("excluded") else "yes"})
    return pd.DataFrame(out, columns=["ID", "When", "Exercise", "From", "Reps", "Holds", "Steps", "Good form", "Pain",
                                      "Notes", "In trends"])


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
