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
]


class FormCheckError(Exception):
    """Base class: anything the user can fix by changing the input."""


class BadVideoError(FormCheckError):
    """The file is missing, empty, too large, corrupt or not a video."""


class NoPersonError(FormCheckError):
    """No person was found in the clip (or too few frames to analyse)."""


class UnknownExerciseError(FormCheckError):
    """The movement name is not one formcheck knows or has implemented."""


class ModelError(FormCheckError):
    """The pose model is missing, invalid, or could not be downloaded."""


class TrackFormatError(FormCheckError):
    """A saved pose track (.npz) is not one formcheck wrote, or is damaged."""
