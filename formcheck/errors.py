"""The small error tree. Messages say what was expected and what was received,
in words a user can act on; the CLI and the app show them as one line."""

from __future__ import annotations

__all__ = [
    "FormCheckError",
    "BadVideoError",
    "NoPersonError",
    "UnknownExerciseError",
    "ModelError",
    "TrackFormatError",
    "no_person_in",
]


class FormCheckError(Exception):
    """Base class: anything the user can fix by changing the input."""


class BadVideoError(FormCheckError):
    """The file is missing, empty, too large, corrupt or not a video."""


class NoPersonError(FormCheckError):
    """No person was found in the clip (or too few frames to analyse)."""


def no_person_in(path: object, n_frames: int) -> NoPersonError:
    """The error for a clip in none of whose decoded frames a person was found. The
    pose model finds a person by the head and shoulders (s32: a calf stretch filmed
    with the legs filling the picture and the head above it was "no person")."""
    return NoPersonError(f"{path}: no person was found in any of its {n_frames} decoded frames. The pose model "
                         "finds a person by the head and shoulders: keep your whole body in view, head included, "
                         "with enough light.")


class UnknownExerciseError(FormCheckError):
    """The movement name is not one formcheck knows or has implemented."""


class ModelError(FormCheckError):
    """The pose model is missing, invalid, or could not be downloaded."""


class TrackFormatError(FormCheckError):
    """A saved pose track (.npz) is not one formcheck wrote, or is damaged."""
