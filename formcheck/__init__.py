"""formcheck: rep-by-rep form feedback for runner's-knee rehab exercises and running, from one camera.

The public API (everything else is internal and may change):

    from formcheck import analyze_file, Options
    report = analyze_file("clamshell.mp4", "clamshell", Options(side="left"))   # or movement AUTO
    report["summary"]["rep_count"], report["reps"][0]["faults"]

    analyze_file(path, movement, options=Options(), video_out=None, progress=None) -> report dict
        a video (or a .npz track from `formcheck track`) -> the report (docs/report.md)
    analyze(track, movement, options=Options(), source=None) -> report dict   (a PoseTrack you already have)
    load_track(path, ...) -> PoseTrack        PoseTrack: a whole clip's landmarks as numpy arrays
    MOVEMENTS, AUTO                           the movement names analyze accepts
    FormCheckError and its kinds              every error meant for the user (one clear line)

Names are imported on first use, so `import formcheck` (or any submodule) stays light: the pose model,
OpenCV and the app's libraries load only when you analyse something.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# public name -> the module that owns it
_EXPORTS: dict[str, str] = {
    "analyze_file": "formcheck.pipeline",
    "analyze": "formcheck.pipeline",
    "load_track": "formcheck.pipeline",
    "Options": "formcheck.pipeline",
    "AUTO": "formcheck.pipeline",
    "MOVEMENTS": "formcheck.exercises",
    "PoseTrack": "formcheck.landmarks",
    "FormCheckError": "formcheck.errors",
    "BadVideoError": "formcheck.errors",
    "NoPersonError": "formcheck.errors",
    "UnknownExerciseError": "formcheck.errors",
    "ModelError": "formcheck.errors",
    "TrackFormatError": "formcheck.errors",
    "Rep": "formcheck.results",
    "Hold": "formcheck.results",
    "Step": "formcheck.results",
    "FaultHit": "formcheck.results",
}

__all__ = [  # the same names as _EXPORTS (tests/test_public_api.py checks), written out for linters and editors
    "__version__", "analyze_file", "analyze", "load_track", "Options", "AUTO", "MOVEMENTS", "PoseTrack",
    "FormCheckError", "BadVideoError", "NoPersonError", "UnknownExerciseError", "ModelError", "TrackFormatError",
    "Rep", "Hold", "Step", "FaultHit",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'formcheck' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # imported once
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


if TYPE_CHECKING:  # for type checkers and editors; at run time the names above load lazily
    from formcheck.errors import (
        BadVideoError,
        FormCheckError,
        ModelError,
        NoPersonError,
        TrackFormatError,
        UnknownExerciseError,
    )
    from formcheck.exercises import MOVEMENTS
    from formcheck.landmarks import PoseTrack
    from formcheck.pipeline import AUTO, Options, analyze, analyze_file, load_track
    from formcheck.results import FaultHit, Hold, Rep, Step
