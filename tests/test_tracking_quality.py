"""When the pose model keeps losing the person (a pose it cannot follow from that
camera angle), the report warns and judges no faults instead of guessing.

Tolerances: exact counts of losses on hand-made masks; the warning appears for a
flickering track (half the frames lost in short runs) and not for kit.REALISTIC
(3% of frames lost).
"""

from dataclasses import replace

import numpy as np
import pytest

from formcheck.analysis import analyze_track
from formcheck.clip_checks import losses_per_min
from formcheck.exercises import get_exercise
from formcheck_synth.catalog import build
from formcheck_synth.kit import REALISTIC, Defects, track_from_motion
from formcheck_synth.scripts import CameraSpec, Scenario
from tests.helpers import flagged


def test_losses_per_min_counts_only_inside_presence():
    t = np.arange(0, 60.0, 0.5)  # 120 frames over 59.5 s
    d = np.ones(120, bool)
    d[:10] = d[-10:] = False  # walking in and out of frame: not losses
    assert losses_per_min(d, t) == 0.0
    d[[30, 31, 50, 70]] = False  # three losses inside
    assert losses_per_min(d, t) == pytest.approx(3 * 60 / (t[109] - t[10]))
    assert losses_per_min(np.zeros(5, bool), t[:5]) == 0.0


def _track(defects):
    # From behind, where the feet parting is judged (not from the front).
    sc = Scenario("clamshell", reps=6, faults={2: {"feet_apart": 0.12}, 5: {"too_fast": 0.5}}, range_deg=55.0,
                  camera=CameraSpec(view="back"))
    b = build(sc)
    return track_from_motion(b.motion, b.camera, defects)


def test_flickering_track_warns_and_judges_no_faults():
    ex = get_exercise("clamshell")
    tr = _track(Defects(dropout_rate=0.4, seed=3))
    assert tr.coverage < 0.7
    rep = analyze_track(tr, ex)
    assert any("kept losing you" in w for w in rep["warnings"])
    assert all(not r["faults"] for r in rep["reps"])
    assert set(rep["unjudged"]) == {f.code for f in ex.faults}


def test_realistic_dropouts_are_not_flicker():
    rep = analyze_track(_track(replace(REALISTIC, seed=2)), get_exercise("clamshell"))
    assert not any("kept losing you" in w for w in rep["warnings"])
    assert flagged(rep["reps"]) == {(2, "feet_apart"), (5, "too_fast")}


def test_no_rep_under_flicker_points_at_the_flicker_not_at_another_view():
    # s29's banded clamshell from the head end: "No reps detected. Check that the camera sees you from the front"
    # two lines after the flicker note's own camera advice ("lie on your side facing the camera, or with your
    # back to it"), which read as a contradiction.
    ex = get_exercise("clamshell")
    rep = analyze_track(_track(Defects(dropout_rate=0.95, seed=3)), ex)  # 19 frames in 20 lost: no rep left
    assert any("kept losing you" in w for w in rep["warnings"]) and not rep["reps"]
    said = [w for w in rep["warnings"] if w.startswith("No reps detected")]
    assert said == ["No reps detected: the pose model could not follow you from this camera angle (see the note above)."]
