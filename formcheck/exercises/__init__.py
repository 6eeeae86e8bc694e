"""The exercise registry: a literal dict from movement name to definition.

`MOVEMENTS` lists every name formcheck knows; `EXERCISES` holds those that are
implemented. `get_exercise` refuses the rest with a clear message.
"""

from __future__ import annotations

from formcheck.errors import UnknownExerciseError
from formcheck.exercises.base import Cond, Exercise, Fault, Metric
from formcheck.exercises.clamshell import CLAMSHELL
from formcheck.exercises.quadruped import DONKEY_KICK, FIRE_HYDRANT
from formcheck.exercises.stretches import HAMSTRING_STRETCH, RUNNING_LUNGE
from formcheck.exercises.supine import FIGURE_FOUR, STRAIGHT_LEG_RAISE

__all__ = ["MOVEMENTS", "EXERCISES", "get_exercise", "Exercise", "Fault", "Metric", "Cond"]

MOVEMENTS = (
    "clamshell", "donkey_kick", "fire_hydrant", "straight_leg_raise",
    "hamstring_stretch", "running_lunge", "figure_four", "running",
)

EXERCISES: dict[str, Exercise] = {
    "clamshell": CLAMSHELL,
    "donkey_kick": DONKEY_KICK,
    "fire_hydrant": FIRE_HYDRANT,
    "straight_leg_raise": STRAIGHT_LEG_RAISE,
    "hamstring_stretch": HAMSTRING_STRETCH,
    "running_lunge": RUNNING_LUNGE,
    "figure_four": FIGURE_FOUR,
}


def get_exercise(name: str) -> Exercise:
    if name in EXERCISES:
        return EXERCISES[name]
    if name in MOVEMENTS:
        raise UnknownExerciseError(f"'{name}' is not implemented yet in this version of formcheck; "
                                   f"available: {', '.join(implemented())}")
    raise UnknownExerciseError(f"unknown movement '{name}'; expected one of: {', '.join(MOVEMENTS)}")


def implemented() -> list[str]:
    return [m for m in MOVEMENTS if m in EXERCISES]
