"""formcheck's public API (formcheck/__init__.py): every name in __all__ resolves to the object its owning
module defines, importing the package stays light, and analyze_file / analyze give the report a user
would read, on a scripted clamshell track with known reps and faults."""

from __future__ import annotations

import subprocess
import sys

import pytest

import formcheck
from formcheck_synth.catalog import build
from formcheck_synth.kit import REALISTIC, track_from_motion
from formcheck_synth.scripts import CameraSpec, Scenario
from tests.helpers import flagged, truth_flags


def test_all_names_resolve_to_their_owners():
    assert set(formcheck.__all__) == {"__version__", *formcheck._EXPORTS}
    assert len(formcheck.__all__) == len(set(formcheck.__all__))
    for name, module in formcheck._EXPORTS.items():
        owner = sys.modules.get(module) or __import__(module, fromlist=[name])
        assert getattr(formcheck, name) is getattr(owner, name), name
    assert set(formcheck.__all__) <= set(dir(formcheck))


def test_unknown_name_is_an_attribute_error():
    with pytest.raises(AttributeError, match="no attribute 'analyse_file'"):
        _ = formcheck.analyse_file  # British spelling is not an alias


def test_version_is_the_installed_one():
    from importlib.metadata import version

    assert formcheck.__version__ == version("formcheck")


def test_import_is_light():
    """`import formcheck` loads no pose model, OpenCV, app or generator libraries (they load on first use)."""
    code = ("import sys, formcheck, formcheck.geometry; "
            "print(','.join(m for m in ('cv2', 'mediapipe', 'streamlit', 'av', 'torch', 'formcheck.pipeline') "
            "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == ""


def test_errors_share_one_base():
    kinds = [formcheck.BadVideoError, formcheck.NoPersonError, formcheck.UnknownExerciseError,
             formcheck.ModelError, formcheck.TrackFormatError]
    assert all(issubclass(k, formcheck.FormCheckError) for k in kinds)


def test_analyze_file_on_a_saved_track(tmp_path):
    faults = {2: {"feet_apart": 0.12}, 5: {"pelvis_roll": 20.0}}
    b = build(Scenario("clamshell", reps=6, faults=faults, camera=CameraSpec(view="feet_end"), range_deg=55.0))
    track = track_from_motion(b.motion, b.camera, REALISTIC)
    assert isinstance(track, formcheck.PoseTrack)
    path = tmp_path / "clam.npz"
    track.save_npz(path)
    report = formcheck.analyze_file(path, "clamshell", formcheck.Options())
    assert report["summary"]["rep_count"] == 6
    assert flagged(report["reps"]) == truth_flags(b.truth) == {(2, "feet_apart"), (5, "pelvis_roll")}
    again = formcheck.analyze(formcheck.load_track(path), "clamshell", formcheck.Options(), str(path))
    assert again["reps"] == report["reps"]
    assert "clamshell" in formcheck.MOVEMENTS and formcheck.AUTO not in formcheck.MOVEMENTS
    # The report's reps are the public records' JSON: each reads back as a Rep and writes the same dict.
    reps = [formcheck.Rep.from_json(r) for r in report["reps"]]
    assert [r.to_json() for r in reps] == report["reps"]
    assert {(r.index, h.code) for r in reps for h in r.faults if isinstance(h, formcheck.FaultHit)} == truth_flags(b.truth)


def test_unknown_movement_is_refused_before_any_work(tmp_path):
    with pytest.raises(formcheck.UnknownExerciseError):
        formcheck.analyze_file(tmp_path / "does_not_exist.mp4", "clamshel")
