"""Fire hydrant on synthetic-kit tracks with exact truth.

Tolerances: rep count exact; the flagged (rep, fault) pairs equal the truth on
clean tracks (precision = recall = 1.0) and reach >= 0.9 precision and recall
with realistic noise, dropouts and leg swaps (kit.REALISTIC) over three seeds.
"""

from pathlib import Path

import numpy as np
import pytest

from formcheck.analysis import AnalysisOptions, analyze_track
from formcheck.events import MIRROR_REACH_S, count_one_leg, drive_signal, mirrors_other_leg
from formcheck.exercises import get_exercise
from formcheck.live import LiveSession
from formcheck.reps import run_reps
from formcheck_synth.catalog import build
from formcheck_synth.kit import track_from_motion
from formcheck_synth.scripts import CameraSpec, Scenario
from tests.helpers import CLEAN, analyze_scenario, flagged, precision_recall, realistic, truth_flags

EX = get_exercise("fire_hydrant")
# Relative short_range only from rep 4 (the range calibrates on the first 3 full reps).
FAULTS = {2: {"hip_drop": 20.0}, 4: {"knee_angle": -35.0}, 5: {"short_range": 0.6}, 7: {"knee_angle": 30.0}}
LIFT = 55.0  # thigh abduction from vertical at the top
# From the head end the chest hides the hips: hip_drop and short_range are left
# unjudged with the reason (judging._hips_hidden_gap), even on these exact tracks.
SEEN = {"feet_end": {"hip_drop", "short_range"}, "side": {"knee_angle"}, "head_end": set()}
HIDDEN = {"head_end": {"hip_drop", "short_range"}}
CAM = {"side": "right", "feet_end": "feet_end", "head_end": "head_end"}


def run(view="feet_end", defects=CLEAN, side="right", reps=8, faults=FAULTS, **kw):
    sc = Scenario("fire_hydrant", reps=reps, sides=(side,), faults=faults, camera=CameraSpec(view=CAM[view]),
                  range_deg=LIFT, **kw)
    return analyze_scenario(sc, defects)


@pytest.mark.parametrize("view", ["feet_end", "side", "head_end"])
@pytest.mark.parametrize("side", ["right", "left"])
def test_clean_tracks_exact(view, side):
    truth, rep = run(view=view, side=side)
    assert rep["view"] == view
    assert len(rep["reps"]) == len(truth["reps"]) == 8
    assert {r["side"] for r in rep["reps"]} == {side}
    # Filmed from the right, the left leg is the far one: its knee is not judged.
    far = view == "side" and side == "left"
    assert flagged(rep["reps"]) == truth_flags(truth, SEEN[view] - ({"knee_angle"} if far else set()))
    abstain = HIDDEN.get(view, set()) | ({"knee_angle"} if far else set())
    for code in abstain:
        assert all(code in r["unjudged"] for r in rep["reps"])
    if view == "head_end":
        assert "between the camera and your hips" in rep["unjudged_reasons"]["hip_drop"]
    if far:
        assert "far one from the camera" in rep["unjudged_reasons"]["knee_angle"]


# From the side the lifted knee passes in front of the other one on screen, where
# the track clean-up's left/right swap fix can hold the wrong labels for up to a
# second; the exercise's features undo crossed knees (see quadruped.legs).
@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("view", ["feet_end", "side"])
def test_realistic_defects(view, seed):
    truth, rep = run(view=view, defects=realistic(seed))
    assert len(rep["reps"]) == 8
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
        # Abduction from the support thigh, on a clean track: within 2° of the truth.
        assert got["metrics"]["peak_deg"] == pytest.approx(want["metrics"]["lift_deg"], abs=2.0)
        assert got["metrics"]["knee_angle_deg"] == pytest.approx(want["metrics"]["knee_angle_deg"], abs=2.0)


def test_hip_drop_magnitude():
    truth, rep = run(faults={2: {"hip_drop": 15.0}, 3: {"hip_drop": 6.0}})
    # Seen from behind and a little above, the hip line shows most of the pelvis roll.
    assert rep["reps"][1]["metrics"]["hip_drop_deg"] == pytest.approx(15.0, abs=3.0)
    assert rep["reps"][2]["metrics"]["hip_drop_deg"] < 8.0
    assert {c for _, c in flagged(rep["reps"])} == {"hip_drop"}


def test_two_sides_two_sets():
    sc = Scenario("fire_hydrant", reps=3, sets=2, sides=("left", "right"), camera=CameraSpec(view="feet_end"),
                  range_deg=LIFT)
    b = build(sc)
    tr = track_from_motion(b.motion, b.camera)
    rep = analyze_track(tr, EX)
    assert [r["side"] for r in rep["reps"]] == ["left"] * 6 + ["right"] * 6
    assert [r["set"] for r in rep["reps"]] == [1] * 3 + [2] * 3 + [3] * 3 + [4] * 3
    assert flagged(rep["reps"]) == set()
    assert len(analyze_track(tr, EX, AnalysisOptions(side="right"))["reps"]) == 6


def test_absolute_height_flags_a_low_lift_from_the_first_rep():
    sc = Scenario("fire_hydrant", reps=3, camera=CameraSpec(view="feet_end"), range_deg=25.0)
    b = build(sc)
    rep = analyze_track(track_from_motion(b.motion, b.camera), EX)
    assert flagged(rep["reps"]) == {(k, "short_range") for k in (1, 2, 3)} == truth_flags(b.truth, {"short_range"})


def test_view_that_cannot_see_hip_drop_neither_reports_nor_clears_it():
    truth, rep = run(view="side")
    assert not any(f["code"] == "hip_drop" for r in rep["reps"] for f in r["faults"])
    assert {"hip_drop", "short_range"} <= set(rep["unjudged"])
    assert any("hip_drop" in w and "from behind you" in w for w in rep["warnings"])
    truth, rep = run(view="feet_end")
    assert rep["unjudged"] == ["knee_angle"]
    assert any("knee_angle" in w and "from the side" in w for w in rep["warnings"])
    assert not any(f["code"] == "knee_angle" for r in rep["reps"] for f in r["faults"])


# The pose model's reading of both thighs on an own randomised render filmed from
# the feet end (benchmarks/randomised_renders.py seed 2, a tuned seed; 5 lifts of
# the right leg, tops at 2.65, 6.35, 10.05, 13.75 and 17.45 s, the last a half
# lift): each side's hydrant_lift and working_leg features as analysis computed
# them (cleaned track, 30 fps). The support (left) thigh read 28-31° out at rest
# and swung toward the vertical whenever the right leg lifted, so its returns
# between the real reps read as reps of their own: 7 counted, 3 of them left.
THIGHS = Path(__file__).parent / "data" / "fire_hydrant_feet_end_thighs.npz"
TOPS_S = (2.65, 6.35, 10.05, 13.75, 17.45)


def _recorded_reps():
    """(times [N], features per side, each side's reps as (side, event), each side's
    drive [N]) from the recorded thighs."""
    rec = np.load(THIGHS)
    times = rec["times"].astype(float)
    feats, found, drives = {}, [], {}
    for side in ("left", "right"):
        feats[side] = {"hydrant_lift": rec[f"{side}_lift"].astype(float),
                       "working_leg": rec[f"{side}_working"].astype(float)}
        drives[side] = feats[side]["hydrant_lift"]
        events, _ = run_reps(times, drive_signal(EX, feats[side]), EX.rep)
        found += [(side, ev) for ev in events]
    return times, feats, found, drives


def test_support_leg_read_swinging_opposite_adds_no_reps():
    times, _, found, drives = _recorded_reps()
    kept, mirrored, overlapping = count_one_leg(EX, times, found, drives)
    left_out = [(side, ev) for side, ev in found if not any(ev is k for _, k in kept)]
    # Every right-leg rep counts; the left leg's returns between the lifts (tops
    # more than 0.5 s from any real top) do not, all as mirrors of the right leg.
    assert {side for side, _ in left_out} == {"left"} and mirrored == len(left_out) == 3 and overlapping == 0
    assert all(min(abs(ev.peak_t - t) for t in TOPS_S) > 0.5 for _, ev in left_out)
    assert all(side == "right" for side, ev in kept if min(abs(ev.peak_t - t) for t in TOPS_S[:4]) < 0.5)


def test_live_path_drops_the_same_mirrored_reps():
    """The live session decides each rep as it ends, from the frames seen so far:
    the same reps are mirrors as offline."""
    times, feats, found, drives = _recorded_reps()
    live = LiveSession("fire_hydrant")
    live.times = list(times)
    for side in ("left", "right"):
        live._feats[side] = {k: list(v) for k, v in feats[side].items()}
    for side, ev in found:
        other = "left" if side == "right" else "right"
        assert live._mirrored(side, ev) == mirrors_other_leg(times, ev, drives[side], drives[other])
        # Only the frames up to the rep's end are read.
        seen = slice(0, ev.end_i + 1)
        assert mirrors_other_leg(times[seen], ev, drives[side][seen], drives[other][seen]) == \
            mirrors_other_leg(times, ev, drives[side], drives[other])


def test_live_mirror_check_converts_only_its_window():
    """Each finished rep converts only the history from MIRROR_REACH_S before it to
    its end (a long session's cost stays flat): frames before that window are
    never read, so history there that is not even a number changes nothing."""
    times, feats, found, drives = _recorded_reps()
    assert found
    for side, ev in found:
        other = "left" if side == "right" else "right"
        live = LiveSession("fire_hydrant")
        live.times = list(times)
        first = int(np.searchsorted(times, ev.start_t - MIRROR_REACH_S, side="left"))
        for s in ("left", "right"):
            unread = ["not read"] * first + list(drives[s][first:])
            live._feats[s] = {"hydrant_lift": unread, "working_leg": list(feats[s]["working_leg"])}
        assert live._mirrored(side, ev) == mirrors_other_leg(times, ev, drives[side], drives[other])


@pytest.mark.parametrize("view", ["head_end", "feet_end"])
def test_count_said_to_be_doubtful_where_the_chest_hides_the_hips(view):
    """From the head end the chest hides the hips and thighs the count is read
    from (own renders counted 8 and 7 for 5 there): the report says the count may
    be wrong; from the feet end it does not."""
    _, rep = run(view=view, faults={})
    doubt = [w for w in rep["warnings"] if w.startswith("The rep count may be wrong")]
    assert len(doubt) == (1 if view == "head_end" else 0)
    if doubt:
        assert "between the camera and your hips" in doubt[0]
