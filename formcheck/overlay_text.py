"""The words drawn on a frame: one source for the annotated video
(pipeline.frame_overlays, from a finished report), the live coach
(ui.live_worker) and the guided routine (routine_live), so they read the same.
Pure: no drawing here."""

from __future__ import annotations

__all__ = ["GOOD_REP", "REP_NOT_JUDGED", "rep_counter", "rep_sub", "hold_counter"]

GOOD_REP = "Good rep"  # only when every check of the exercise was made (report.rep_cue)
REP_NOT_JUDGED = "Rep counted: form not judged from this view"


def rep_counter(set_reps: int, target: int | None) -> str:
    """'Rep 3 / 15': reps so far in this set over the set's target (Exercise.target_reps,
    or the routine's); 'Rep 3' without a target."""
    return f"Rep {set_reps} / {target}" if target else f"Rep {set_reps}"


def rep_sub(set_no: int | None, side: str | None, total: int) -> str:
    """'Set 1 - left side - total 3', under the rep counter."""
    return f"Set {set_no} - {side or 'any'} side - total {total}"


def hold_counter(held_s: float, target_s: float | None) -> str:
    """'Hold   12 s / 30' while a hold lasts (the seconds padded so the line does not jump);
    'Hold   12 s' without a target."""
    return f"Hold {held_s:4.0f} s / {target_s:.0f}" if target_s else f"Hold {held_s:4.0f} s"
