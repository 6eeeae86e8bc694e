"""What the live coach says aloud: each counted rep once, and each new fault cue once."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["CueMemory", "cue_to_speak"]


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
