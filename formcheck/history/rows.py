"""A report as the store's rows: one per rep, hold or step (the events table)
and the session's summary columns."""

from __future__ import annotations

import json
import math
from collections import Counter

__all__ = ["finite", "event_rows", "summary_columns", "gait_leg_fppa"]


def finite(x) -> float | None:
    try:
        v = float(x)
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) else None


def event_rows(report: dict) -> list[dict]:
    """The rows of the events table for one report."""
    out = []
    for r in report.get("reps", []):
        out.append({"kind": "rep", "idx": int(r["index"]), "set_no": r.get("set"), "side": r.get("side"),
                    "start_s": r.get("start_s"), "peak_s": r.get("peak_s"), "end_s": r.get("end_s"),
                    "duration_s": finite(r.get("metrics", {}).get("duration_s")), "faults": r.get("faults", []),
                    "fppa_deg": None})
    for k, h in enumerate(report.get("holds", []), 1):
        out.append({"kind": "hold", "idx": k, "set_no": None, "side": h.get("side"), "start_s": h.get("start_s"),
                    "peak_s": None, "end_s": h.get("end_s"), "duration_s": finite(h.get("duration_s")),
                    "faults": h.get("faults", []), "fppa_deg": None})
    for k, s in enumerate(report.get("steps", []), 1):
        out.append({"kind": "step", "idx": k, "set_no": None, "side": s.get("side"), "start_s": s.get("contact_s"),
                    "peak_s": None, "end_s": None, "duration_s": None, "faults": s.get("faults", []),
                    "fppa_deg": finite(s.get("metrics", {}).get("fppa_deg"))})
    return out


def summary_columns(report: dict) -> dict:
    evs = event_rows(report)
    faults = Counter(f["code"] for e in evs for f in e["faults"])
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
        "duration_s": finite(report.get("source", {}).get("duration_s")),
    }


def gait_leg_fppa(gait: dict | None) -> dict[str, float]:
    """Per-leg FPPA (°) from a running report's gait block, if it carries one.

    gait.py is still being written, so this reads any of the shapes
    {"legs"|"per_leg"|"sides": {leg: {...fppa...: number}}} or {"left"|"right": {...}}.
    """
    if not isinstance(gait, dict):
        return {}
    legs = None
    for key in ("legs", "per_leg", "sides"):
        if isinstance(gait.get(key), dict):
            legs = gait[key]
            break
    if legs is None:
        legs = {k: v for k, v in gait.items() if k in ("left", "right") and isinstance(v, dict)}
    out = {}
    for leg, block in legs.items():
        if not isinstance(block, dict):
            continue
        keys = sorted(k for k in block if "fppa" in k.lower())
        # Prefer a median, then a mean, then any FPPA number.
        keys.sort(key=lambda k: (0 if "median" in k else 1 if "mean" in k else 2))
        for k in keys:
            v = finite(block[k])
            if v is not None:
                out[str(leg)] = v
                break
    return out
