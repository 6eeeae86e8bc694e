"""Progress over weeks from the store: counts and fault rates per movement,
each fault per camera view (like with like), left against right, and running FPPA per leg."""

from __future__ import annotations

import json
import statistics
from collections import defaultdict
from datetime import date
from typing import TYPE_CHECKING

from formcheck.history.db import session_filter, week_start
from formcheck.history.rows import gait_leg_fppa

if TYPE_CHECKING:
    from formcheck.history.store import History

__all__ = ["trends"]


def trends(history: History, exercise: str | None = None, include_samples: bool = False, *,
           since: str | date | None = None, until: str | date | None = None) -> dict:
    """Progress over weeks (weeks start on Monday, UTC).

    weekly: [{week, exercise, sessions, reps, holds, steps, events, faulted, fault_rate, clean_rate}]
    fppa:   [{week, leg, fppa_median_deg, fppa_mean_deg, steps, sessions}] from running
            sessions (per-step metrics.fppa_deg; the gait block's per-leg value where
            a session has no per-step FPPA)
    sessions: [{id, created_at, week, exercise, reps, fault_rate, pain}] for per-session charts
    """
    where, vals = session_filter("s.", exercise, None, include_samples, since, until)
    # Left out: sessions the user excluded, and ones that were not graded (the
    # clip was another movement, or none of them): no progress either way.
    cond = " AND ".join(["1=1", "s.excluded=0", "COALESCE(json_extract(s.report, '$.graded'), 1) != 0"] + where)
    with history.connect() as conn:
        sess = [dict(r) for r in conn.execute(
            f"SELECT s.id, s.created_at, s.exercise, s.rep_count, s.hold_count, s.step_count, s.faulted_count, "
            f"s.pain, s.view, s.report FROM sessions s WHERE {cond} ORDER BY s.created_at, s.id", vals)]
        evs = [dict(r) for r in conn.execute(
            f"SELECT e.session_id, e.side, e.fault_codes, e.n_faults FROM events e JOIN sessions s "
            f"ON s.id=e.session_id WHERE {cond}", vals)]
        steps = [dict(r) for r in conn.execute(
            f"SELECT e.session_id, e.side, e.fppa_deg FROM events e JOIN sessions s ON s.id=e.session_id "
            f"WHERE {cond} AND e.kind='step' AND e.fppa_deg IS NOT NULL", vals)]
        no_step_fppa = [r for r in sess if r["step_count"] and not any(x["session_id"] == r["id"] for x in steps)]
        gait_rows = []
        for r in no_step_fppa:
            rep = json.loads(conn.execute("SELECT report FROM sessions WHERE id=?", (r["id"],)).fetchone()[0])
            for leg, v in gait_leg_fppa(rep.get("gait")).items():
                gait_rows.append({"session_id": r["id"], "side": leg, "fppa_deg": v})

    weekly: dict[tuple[str, str], dict] = {}
    per_session = []
    week_of = {}
    for r in sess:
        wk = week_start(r["created_at"])
        week_of[r["id"]] = wk
        n = r["rep_count"] + r["hold_count"] + r["step_count"]
        w = weekly.setdefault((wk, r["exercise"]), {"week": wk, "exercise": r["exercise"], "sessions": 0,
                                                     "reps": 0, "holds": 0, "steps": 0, "events": 0,
                                                     "faulted": 0})
        w["sessions"] += 1
        w["reps"] += r["rep_count"]
        w["holds"] += r["hold_count"]
        w["steps"] += r["step_count"]
        w["events"] += n
        w["faulted"] += r["faulted_count"]
        per_session.append({"id": r["id"], "created_at": r["created_at"], "week": wk, "exercise": r["exercise"],
                            "reps": r["rep_count"], "fault_rate": r["faulted_count"] / n if n else None,
                            "pain": r["pain"]})
    for w in weekly.values():
        w["fault_rate"] = w["faulted"] / w["events"] if w["events"] else None
        w["clean_rate"] = 1 - w["fault_rate"] if w["fault_rate"] is not None else None
    by_fault, balance = _fault_and_side_trends(sess, evs, week_of)

    by_leg: dict[tuple[str, str], list[float]] = defaultdict(list)
    leg_sessions: dict[tuple[str, str], set[int]] = defaultdict(set)
    for x in steps + gait_rows:
        if x["side"] is None:
            continue
        key = (week_of[x["session_id"]], x["side"])
        by_leg[key].append(float(x["fppa_deg"]))
        leg_sessions[key].add(x["session_id"])
    fppa = [{"week": wk, "leg": leg, "fppa_median_deg": statistics.median(v), "fppa_mean_deg": statistics.fmean(v),
             "steps": len(v), "sessions": len(leg_sessions[(wk, leg)])}
            for (wk, leg), v in sorted(by_leg.items())]
    return {"weekly": sorted(weekly.values(), key=lambda w: (w["week"], w["exercise"])), "fppa": fppa,
            "sessions": per_session, "by_fault": by_fault, "balance": balance}


def _judged_codes(exercise: str, report: dict, seen: set[str]) -> set[str]:
    """The fault codes a session's analysis could judge (its view saw them)."""
    from formcheck.exercises import EXERCISES

    unjudged = set(report.get("unjudged") or [])
    if exercise in EXERCISES:
        codes = {f.code for f in EXERCISES[exercise].faults}
    else:  # running: the codes its steps were checked for
        codes = set(report.get("checked") or []) | seen
    return (codes - unjudged) | seen


def _fault_and_side_trends(sess: list[dict], evs: list[dict], week_of: dict[int, str]) -> tuple[list[dict], list[dict]]:
    """Like with like: the weekly rate of each fault code per movement and camera
    view, counted only over sessions whose view could judge that code; and per
    movement and side (leg), the events and the share with a fault."""
    per_session: dict[int, list[dict]] = defaultdict(list)
    for e in evs:
        per_session[e["session_id"]].append(e)
    faults: dict[tuple, dict] = {}
    sides: dict[tuple, dict] = {}
    for s in sess:
        rows = per_session.get(s["id"], [])
        if not rows:
            continue
        wk, view = week_of[s["id"]], s.get("view") or "unknown"
        seen = {c for e in rows for c in (e["fault_codes"] or "").split(",") if c}
        for code in _judged_codes(s["exercise"], json.loads(s["report"]), seen):
            f = faults.setdefault((wk, s["exercise"], view, code), {
                "week": wk, "exercise": s["exercise"], "view": view, "code": code, "events": 0, "with_fault": 0,
                "sessions": 0})
            f["sessions"] += 1
            f["events"] += len(rows)
            f["with_fault"] += sum(1 for e in rows if code in (e["fault_codes"] or "").split(","))
        for e in rows:
            if e["side"] not in ("left", "right"):
                continue
            b = sides.setdefault((wk, s["exercise"], e["side"]), {
                "week": wk, "exercise": s["exercise"], "side": e["side"], "events": 0, "faulted": 0})
            b["events"] += 1
            b["faulted"] += int(e["n_faults"] > 0)
    for f in faults.values():
        f["rate"] = f["with_fault"] / f["events"]
    for b in sides.values():
        b["fault_rate"] = b["faulted"] / b["events"]
    return (sorted(faults.values(), key=lambda f: (f["exercise"], f["code"], f["view"], f["week"])),
            sorted(sides.values(), key=lambda b: (b["exercise"], b["week"], b["side"])))
