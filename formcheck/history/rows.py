"""A report as the store's rows: one per rep, hold or step (the events table)
and the session's summary columns."""

from __future__ import annotations

import json
import math
from collections import Counter

from formcheck.report import good_form_count
from formcheck.results import parse_events

__all__ = ["finite", "event_rows", "summary_columns", "gait_leg_fppa"]


def finite(x) -> float | None:
    try:
        v = float(x)
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) else None


def event_rows(report: dict) -> list[dict]:
    """The rows of the events table for one (valid) report; "faults" holds the fault codes."""
    reps, holds, steps = parse_events(report)
    out = []
    for r in reps:
        out.append({"kind": "rep", "idx": r.index, "set_no": r.set, "side": r.side, "start_s": r.start_s,
                    "peak_s": r.peak_s, "end_s": r.end_s, "duration_s": finite(r.metrics.get("duration_s")),
                    "faults": [f.code for f in r.faults], "fppa_deg": None})
    for k, h in enumerate(holds, 1):
        out.append({"kind": "hold", "idx": k, "set_no": None, "side": h.side, "start_s": h.start_s,
                    "peak_s": None, "end_s": h.end_s, "duration_s": finite(h.duration_s),
                    "faults": [f.code for f in h.faults], "fppa_deg": None})
    for k, st in enumerate(steps, 1):
        out.append({"kind": "step", "idx": k, "set_no": None, "side": st.side, "start_s": st.contact_s,
                    "peak_s": None, "end_s": None, "duration_s": None, "faults": [f.code for f in st.faults],
                    "fppa_deg": finite(st.metrics.get("fppa_deg"))})
    return out


def summary_columns(report: dict) -> dict:
    evs = event_rows(report)
    faults = Counter(code for e in evs for code in e["faults"])
    faulted = sum(1 for e in evs if e["faults"])
    return {
        "rep_count": len(report.get("reps", [])),
        "hold_count": len(report.get("holds", [])),
        "step_count": len(report.get("steps", [])),
        # Good form needs evidence: a rep or hold counts only where every check was made
        # (report.good_form_count); a step, where no fault was found.
        "clean_count": good_form_count(report.get("reps", []) + report.get("holds", []), report.get("exercise", ""))
        + sum(1 for st in report.get("steps", []) if not st["faults"]),
        "faulted_count": faulted,
        "fault_total": sum(faults.values()),
        "fault_counts": json.dumps(dict(sorted(faults.items()))),
        "view": report.get("view"),
        "side": report.get("side"),
        "duration_s": finite(report.get("source", {}).get("duration_s")),
    }


def gait_leg_fppa(gait: dict | None) -> dict[str, float]:
    """Per-leg median FPPA (°) from a running report's gait block
    (gait["legs"][leg]["fppa_median_deg"], the one shape formcheck.gait has
    ever written); legs without one (a side view, too few steps) are absent."""
    legs = (gait or {}).get("legs") or {}
    out = {}
    for leg, block in legs.items():
        v = finite(block.get("fppa_median_deg"))
        if v is not None:
            out[leg] = v
    return out
