"""Words the pages show for movements and sessions: titles, the recogniser's
verdict, where to put the camera, and one line per saved session."""

from __future__ import annotations

from datetime import datetime

from formcheck.exercises import EXERCISES, MOVEMENTS
from formcheck.report import recognised_text

__all__ = ["movement_title", "recognised_label", "live_movements", "camera_advice", "session_label", "local_time"]


def movement_title(name: str) -> str:
    if name in EXERCISES:
        return EXERCISES[name].title
    if name == "auto":
        return "Auto-detect"
    return name.replace("_", " ").capitalize()


def recognised_label(rec: dict) -> str:
    """The report's "recognised" block as 'clamshell, 97%' (or 'not one of the 8 movements formcheck knows (88% sure)'),
    with its note when it has one (report.recognised_text)."""
    return recognised_text(rec)


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
        all_fours = False
        extra = {"side": ["Knee and shin angles at contact"]}
    else:
        ex = EXERCISES[movement]
        faults = [(f.label, f.views) for f in ex.faults]
        views, best, extra = tuple(v for v in ex.views if v != "oblique"), ex.best_view, {}
        all_fours = ex.all_fours
        first = "Reps and range" if ex.kind == "reps" else "Hold time"
        extra = {v: [first] for v in views}
    from formcheck.views import view_label

    rows = []
    for v in sorted(views, key=lambda v: v != best):
        answers = [*extra.get(v, []), *(label for label, vs in faults if vs is None or v in vs)]
        rows.append({"view": v, "label": view_label(v, all_fours), "best": v == best, "answers": answers})
    return rows


def local_time(iso: str) -> str:
    dt = datetime.fromisoformat(iso)
    return dt.astimezone().strftime("%a %d %b %Y, %H:%M")


def session_label(s: dict) -> str:
    what = (f"{s['rep_count']} reps" if s["rep_count"] else f"{s['hold_count']} holds" if s["hold_count"]
            else f"{s['step_count']} steps" if s["step_count"] else "nothing counted")
    return f"#{s['id']} · {local_time(s['created_at'])} · {movement_title(s['exercise'])} · {what} ({s['source_kind']})"
