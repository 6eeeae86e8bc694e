"""Donkey kick on synthetic-kit tracks with exact truth.

Tolerances: rep count exact; the flagged (rep, fault) pairs equal the truth on
clean tracks (precision = recall = 1.0) and reach >= 0.9 precision and recall
with realistic noise, dropouts and leg swaps (kit.REALISTIC) over three seeds.
"""

import numpy as np
import pytest

from formcheck.analysis import AnalysisOptions, analyze_track
from formcheck.exercises import get_exercise
from formcheck.exercises.quadruped import kick_working_leg, working_leg
from formcheck.features import Joints, landmark
from formcheck_synth.catalog import build
from formcheck_synth.kit import track_from_motion
from formcheck_synth.scripts import CameraSpec, Scenario
from tests.helpers import CLEAN, analyze_scenario, flagged, precision_recall, realistic, truth_flags

EX = get_exercise("donkey_kick")
# Relative short_range only from rep 4 (the range calibrates on the first 3 full reps).
FAULTS = {2: {"knee_angle": -35.0}, 4: {"back_arch": 12.0}, 5: {"knee_flare": 20.0}, 6: {"short_range": 0.5}}
LIFT = 88.0  # thigh about level with the floor at the top
SEEN = {"side": {"knee_angle", "back_arch", "short_range"}, "feet_end": {"knee_flare"}}
# Filmed from the right: the right leg is the near one. The far (left) leg's knee
# is hidden behind the near leg on real video, so its angle is not judged
# (judging: Fault.near_leg), even on these exact tracks.
CAM = {"side": "right", "feet_end": "feet_end"}
FAR_REASON = "was the far one from the camera during the rep"


def run(view="side", defects=CLEAN, side="right", reps=7, faults=FAULTS, **kw):
    sc = Scenario("donkey_kick", reps=reps, sides=(side,), faults=faults, camera=CameraSpec(view=CAM[view]),
                  range_deg=LIFT, **kw)
    return analyze_scenario(sc, defects)


@pytest.mark.parametrize("view", ["side", "feet_end"])
@pytest.mark.parametrize("side", ["right", "left"])
def test_clean_tracks_exact(view, side):
    truth, rep = run(view=view, side=side)
    assert rep["view"] == view
    assert len(rep["reps"]) == len(truth["reps"]) == 7
    assert {r["side"] for r in rep["reps"]} == {side}
    far = view == "side" and side == "left"
    assert flagged(rep["reps"]) == truth_flags(truth, SEEN[view] - ({"knee_angle"} if far else set()))
    if far:
        assert all("knee_angle" in r["unjudged"] for r in rep["reps"])
        assert FAR_REASON in rep["unjudged_reasons"]["knee_angle"]
    else:
        assert "knee_angle" not in rep["unjudged_reasons"] or view != "side"


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("view", ["side", "feet_end"])
def test_realistic_defects(view, seed):
    truth, rep = run(view=view, defects=realistic(seed))
    assert len(rep["reps"]) == 7
    p, r = precision_recall(flagged(rep["reps"]), truth_flags(truth, SEEN[view]))
    assert p >= 0.9 and r >= 0.9, (p, r, flagged(rep["reps"]))


@pytest.mark.parametrize("n", [3, 12])
def test_rep_counts_and_times(n):
    truth, rep = run(reps=n, faults={})
    assert len(rep["reps"]) == n
    assert flagged(rep["reps"]) == set()
    for got, want in zip(rep["reps"], truth["reps"]):
        assert got["start_s"] == pytest.approx(want["start_s"], abs=0.5)
        assert got["end_s"] == pytest.approx(want["end_s"], abs=0.5)
        assert got["peak_s"] == pytest.approx(want["peak_s"], abs=0.3)
        # Thigh lift from the support thigh, on a clean track: within 2° of the truth.
        assert got["metrics"]["peak_deg"] == pytest.approx(want["metrics"]["lift_deg"], abs=2.0)
        assert got["metrics"]["knee_angle_deg"] == pytest.approx(want["metrics"]["knee_angle_deg"], abs=2.0)


def test_two_sides_two_sets():
    sc = Scenario("donkey_kick", reps=3, sets=2, sides=("right", "left"), camera=CameraSpec(view="left"),
                  range_deg=LIFT)
    b = build(sc)
    tr = track_from_motion(b.motion, b.camera)
    rep = analyze_track(tr, EX)
    assert [r["side"] for r in rep["reps"]] == ["right"] * 6 + ["left"] * 6
    assert [r["set"] for r in rep["reps"]] == [1] * 3 + [2] * 3 + [3] * 3 + [4] * 3
    assert flagged(rep["reps"]) == set()
    assert len(analyze_track(tr, EX, AnalysisOptions(side="left"))["reps"]) == 6


def test_absolute_height_flags_a_low_kick_from_the_first_rep():
    sc = Scenario("donkey_kick", reps=3, camera=CameraSpec(view="left"), range_deg=55.0)
    b = build(sc)
    rep = analyze_track(track_from_motion(b.motion, b.camera), EX)
    assert flagged(rep["reps"]) == {(k, "short_range") for k in (1, 2, 3)} == truth_flags(b.truth, {"short_range"})


def test_view_that_cannot_see_knee_flare_neither_reports_nor_clears_it():
    truth, rep = run(view="side")
    assert not any(f["code"] == "knee_flare" for r in rep["reps"] for f in r["faults"])
    assert "knee_flare" in rep["unjudged"]
    assert any("knee_flare" in w and "from behind you" in w for w in rep["warnings"])
    truth, rep = run(view="feet_end")
    assert "knee_flare" not in rep["unjudged"]
    assert {"knee_angle", "back_arch", "short_range"} <= set(rep["unjudged"])
    assert any("back_arch" in w and "from the side" in w for w in rep["warnings"])


def _on_all_fours(support_out_deg: float) -> np.ndarray:
    """World points [1,33,3] (x right, y down, z away) on all fours, facing -z: the right
    thigh straight down, the left one hanging support_out_deg out to its side, neither
    lifted backward."""
    w = np.zeros((1, 33, 3))
    thigh = 0.45
    for side, x in (("right", 0.15), ("left", -0.15)):
        w[0, int(landmark("hip", side))] = (x, 0.0, 0.0)
        w[0, int(landmark("shoulder", side))] = (x, 0.0, -0.6)
    out = np.radians(support_out_deg)
    w[0, int(landmark("knee", "right"))] = (0.15, thigh, 0.0)
    w[0, int(landmark("knee", "left"))] = (-0.15 - thigh * np.sin(out), thigh * np.cos(out), 0.0)
    return w


def test_support_thigh_hanging_out_sideways_leaves_the_resting_working_leg_read():
    # Own renders (exact joints, donkey kicks seeds 2-4): the resting support thigh leaned
    # 6-9° further from the vertical than the working one, unlifted; read as the only
    # working leg, it left the working leg's rest unread and its first rep was lost.
    world = _on_all_fours(10.0)
    right, left = (Joints(world[..., :2] * 500, np.ones((1, 33)), world, s) for s in ("right", "left"))
    assert working_leg(right)[0] == 0.0  # by the angle from the vertical alone
    assert kick_working_leg(right)[0] == kick_working_leg(left)[0] == 1.0
