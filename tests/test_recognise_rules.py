"""The recogniser's look-alike checks added for real near misses (formcheck.recognise,
formcheck.recognise_evidence):

- knee_loop: a lift and lower goes out and back along one line (near 0), a leg
  circle loops (a circle 0.785, a 4:1 ellipse 0.196);
- hands_to_feet: hands reaching to the feet read under half a leg, hands planted
  a body's length away (downward dog) over one leg;
- a clamshell whose top knee is straight and feet apart (a side-lying leg
  raise) is not a clamshell; a fire hydrant whose knee loops is not a fire
  hydrant; running strides on a straight stance knee (butt kicks) are not
  running, nor strides lifting the thigh to horizontal (high knees); a 3 s clip
  with 2 stride turns is running; a hold with the hands
  planted far from the feet is not a hamstring stretch;
- step_across: feet apart along the hip line read 1, a split stance less; a
  held lunge stepped out sideways (a side lunge) is not a running lunge; a
  supine lift with both knees bent throughout (a bridge) is not a straight leg
  raise, nor small quick lifts (flutter kicks); drive_cycles counts reps that never close to the first rest level;
  an arm reached forward on all fours (a bird dog) is not a kick or a hydrant;
- hip_bounce: hips rising and falling at 2.8 Hz read nearly all their power in
  the running band and their range in leg lengths, at 1.5 Hz (walking) almost
  none; a runner filmed from the front (knees read flat, no strides) is running
  when the body bounces at the step rate while the legs take turns, and not
  when it bounces with the legs together (skipping), nor seen from the side.

The rule tests start from a kit track's own evidence (formcheck_synth) and change
only the number under test, so each asserts that number decides.
Tolerances: loop areas to 0.01-0.02; the top-1 movement exactly.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from formcheck.landmarks import Lm
from formcheck.recognise import CONFIDENT, SEEN_MIN_S, _normalise, movement_scores, recognise
from formcheck.recognise_evidence import (
    hands_to_feet,
    hip_bounce,
    hip_lift,
    knee_loop,
    seen_seconds,
    step_across,
    stride_phase,
)
from formcheck_synth.others import KIT, cases, kit_track


def _path_px(path: np.ndarray) -> np.ndarray:
    """Image points [N,33,2] with the left hip at (100, 100) and the left knee at
    hip + path [N,2]; everything else NaN."""
    px = np.full((len(path), 33, 2), np.nan)
    px[:, Lm.LEFT_HIP] = 100.0
    px[:, Lm.LEFT_KNEE] = 100.0 + path
    return px


def test_knee_loop_line_circle_and_ellipse():
    t = np.linspace(0, 2 * np.pi, 60, endpoint=False)
    out_back = np.stack([40 * np.sin(t / 2), 20 * np.sin(t / 2)], axis=1)  # out and back along one line
    circle = np.stack([50 * np.cos(t), 50 * np.sin(t)], axis=1)
    ellipse = np.stack([80 * np.cos(t), 20 * np.sin(t)], axis=1)
    spans = [(0, 59)]
    assert knee_loop(_path_px(out_back), "left", spans) < 0.01
    assert knee_loop(_path_px(circle), "left", spans) == pytest.approx(math.pi / 4, abs=0.02)
    assert knee_loop(_path_px(ellipse), "left", spans) == pytest.approx(math.pi / 16, abs=0.01)
    assert math.isnan(knee_loop(_path_px(circle), "left", [(0, 3)]))  # too short to tell
    assert math.isnan(knee_loop(_path_px(circle), "right", spans))  # that side unseen


def _world(hip_y: float, wrist_xz: tuple[float, float], shoulder_y: float) -> np.ndarray:
    """One frame [1,33,3] (y down): hips at height -hip_y, ankles on the floor at
    x = 0 and 0.2, legs 0.9 m (thigh 0.45), wrists at floor level at wrist_xz."""
    w = np.zeros((1, 33, 3))
    for hip, knee, ankle, x in ((Lm.LEFT_HIP, Lm.LEFT_KNEE, Lm.LEFT_ANKLE, 0.0),
                                (Lm.RIGHT_HIP, Lm.RIGHT_KNEE, Lm.RIGHT_ANKLE, 0.2)):
        w[0, hip] = (x, -hip_y, 0.0)
        w[0, knee] = (x, -hip_y + 0.45, 0.0)
        w[0, ankle] = (x, -hip_y + 0.9, 0.0)
    for sh in (Lm.LEFT_SHOULDER, Lm.RIGHT_SHOULDER):
        w[0, sh] = (0.1, -shoulder_y, 0.0)
    for wr in (Lm.LEFT_WRIST, Lm.RIGHT_WRIST):
        w[0, wr] = (wrist_xz[0], -hip_y + 0.9, wrist_xz[1])
    return w


def test_hands_to_feet_and_hip_lift():
    fold = _world(hip_y=0.9, wrist_xz=(0.1, 0.15), shoulder_y=0.5)
    dog = _world(hip_y=0.9, wrist_xz=(1.4, 0.0), shoulder_y=0.5)
    assert hands_to_feet(fold)[0] == pytest.approx(math.hypot(0.1, 0.15) / 0.9, abs=0.01)  # to either ankle
    assert hands_to_feet(dog)[0] == pytest.approx(1.2 / 0.9, abs=0.01)  # to the nearer (right) ankle
    assert hip_lift(fold)[0] == pytest.approx((0.9 - 0.5) / 0.45, abs=0.01)  # shoulders below the hips
    # Side-on the far hand and leg are often unseen (s36's downward dog): the seen ones still read.
    far_hidden = dog.copy()
    far_hidden[0, [Lm.LEFT_WRIST, Lm.LEFT_KNEE, Lm.LEFT_ANKLE]] = np.nan
    assert hands_to_feet(far_hidden)[0] == pytest.approx(1.2 / 0.9, abs=0.01)
    far_hidden[0, Lm.RIGHT_WRIST] = np.nan
    assert math.isnan(hands_to_feet(far_hidden)[0])  # no hand seen


def _kit_evidence(name: str) -> dict[str, float]:
    case = next(c for c in cases(KIT) if c[0] == name)
    _n, _what, sc, view, h, seed = case
    rec = recognise(kit_track(sc, view, h, seed))
    assert rec.movement == name, rec.label()
    return dict(rec.evidence)


def _top(ev: dict[str, float]) -> str | None:
    return _normalise(movement_scores(ev))[0][0]


def test_a_straight_legged_side_lying_lift_is_not_a_clamshell():
    ev = _kit_evidence("clamshell")
    assert _top(ev) == "clamshell"
    assert _top({**ev, "clamshell.top_knee_angle": 179.0, "clamshell.top_feet_gap": 2.0}) is None


def test_a_looping_knee_is_not_a_fire_hydrant_or_a_donkey_kick():
    for name in ("fire_hydrant", "donkey_kick"):
        ev = _kit_evidence(name)
        assert ev[f"{name}.loop"] < 0.09
        assert _top({**ev, f"{name}.loop": 0.19}) is None


def test_running_strides_on_a_straight_stance_knee_are_not_running():
    ev = _kit_evidence("running")
    assert ev["stride_stance_flex"] > 17.0
    assert _top({**ev, "stride_stance_flex": 11.0}) is None


def test_a_short_clip_with_two_stride_turns_is_running():
    ev = _kit_evidence("running")
    short = {**ev, "seconds": 3.1, "stride_share": 0.11, "stride_turns": 2.0, "step_band": 0.13, "step_amp": 0.1,
             "phase_corr": math.nan}  # the stride phase tested on its own below
    assert _top(short) == "running"
    # The same two turns spread over 12 s are not enough.
    assert _top({**short, "seconds": 12.0}) is None


def test_hands_planted_far_from_the_feet_is_not_a_hamstring_stretch():
    ev = _kit_evidence("hamstring_stretch")
    assert ev["hamstring_stretch.hold_hands_to_feet"] < 1.1
    assert _top({**ev, "hamstring_stretch.hold_hands_to_feet": 1.5}) is None


def test_strides_with_the_thigh_lifted_to_horizontal_are_not_running():
    """High knees: the swing thigh comes up to horizontal (a runner's reaches 45-65°)."""
    ev = _kit_evidence("running")
    assert ev["stride_hip_flex_p90"] < 84.0
    assert _top({**ev, "stride_hip_flex_p90": 100.0}) is None


def test_step_across_sideways_and_split_stances():
    """Feet apart along the hip line read 1 (a side lunge); one foot ahead reads 0."""
    w = np.full((2, 33, 3), np.nan)
    for f in range(2):
        w[f, Lm.LEFT_HIP], w[f, Lm.RIGHT_HIP] = (0.1, -0.9, 0.0), (-0.1, -0.9, 0.0)
    w[0, Lm.LEFT_ANKLE], w[0, Lm.RIGHT_ANKLE] = (0.6, 0.0, 0.0), (-0.1, 0.0, 0.0)  # stepped out sideways
    w[1, Lm.LEFT_ANKLE], w[1, Lm.RIGHT_ANKLE] = (0.1, 0.0, -0.5), (-0.1, 0.0, 0.4)  # split stance
    across = step_across(w)
    assert across[0] == pytest.approx(1.0, abs=0.01)
    assert across[1] == pytest.approx(0.2 / math.hypot(0.2, 0.9), abs=0.01)


def test_a_sideways_step_is_not_a_running_lunge():
    ev = _kit_evidence("running_lunge")
    assert ev["running_lunge.hold_step_across"] < 0.85
    assert _top({**ev, "running_lunge.hold_step_across": 0.97}) is None


def test_both_knees_bent_throughout_is_a_bridge_not_a_straight_leg_raise():
    """A straight leg raise keeps one knee straight in nearly every frame, or at
    least through its reps (session 31: tests/test_recognise_s30.py); a bridge
    keeps both bent through the clip and its lifts."""
    ev = _kit_evidence("straight_leg_raise")
    assert ev["knee_flex_both_p90"] < 75.0 and ev["straight_leg_raise.reps_knees_bent"] < 75.0
    assert _top({**ev, "knee_flex_both_p90": 120.0, "straight_leg_raise.reps_knees_bent": 120.0}) is None


def test_small_quick_lifts_are_flutter_kicks_not_a_straight_leg_raise():
    """Flutter kicks flick each straight leg about 15° up and down in about a
    second (real: 12.9-15.4°, 1.4-1.5 s); a raise lifts to thigh level and lowers
    slowly. Only both together count against: a small lift done slowly, or a
    quick one to thigh level, is still a raise (SLR_KICK_RANGE, SLR_KICK_S)."""
    ev = _kit_evidence("straight_leg_raise")
    assert ev["straight_leg_raise.range"] > 25.0 and ev["straight_leg_raise.rep_s"] > 2.5
    kicks = {"straight_leg_raise.range": 15.4, "straight_leg_raise.rep_s": 1.45}
    assert _top({**ev, **kicks}) is None
    assert _top({**ev, **kicks, "straight_leg_raise.rep_s": 4.0}) == "straight_leg_raise"
    assert _top({**ev, **kicks, "straight_leg_raise.range": 40.0}) == "straight_leg_raise"


def test_drive_cycles_count_reps_that_never_close_to_the_first_rest_level():
    """A banded clamshell: 3 s at rest (10°) with a small fidget, then 5 openings
    to 60° that only close to 22°. Over the clip's own range that is 5 reps (the
    recogniser's fallback where the rep engine, measuring from the rest level it
    starts at, counts fewer)."""
    from formcheck.exercises import EXERCISES
    from formcheck.recognise_evidence import drive_cycles

    params = EXERCISES["clamshell"].rep
    t = np.arange(0.0, 23.0, 1 / 15)
    drive = 41.0 - 19.0 * np.cos(2 * np.pi * (t - 3.0) / 4.0)
    drive[t < 3.0] = 10.0 + 5.0 * ((t[t < 3.0] > 1.8) & (t[t < 3.0] < 2.2))
    cycles = drive_cycles(t, drive, params)
    assert len(cycles) == 5
    assert all(0.8 <= t[b] - t[a] <= 10.0 for a, b in cycles)
    assert drive_cycles(t, np.full_like(t, 30.0), params) == []  # no movement, no cycles


def test_an_arm_reached_forward_on_all_fours_is_not_a_kick_or_a_hydrant():
    """A bird dog reaches one arm forward to shoulder height; a donkey kick and a
    fire hydrant keep both hands on the floor."""
    from formcheck.recognise_evidence import higher_hand_drop

    w = np.zeros((2, 33, 3))
    for f in range(2):
        w[f, Lm.LEFT_SHOULDER], w[f, Lm.RIGHT_SHOULDER] = (0.0, -0.6, 0.1), (0.0, -0.6, -0.1)
        w[f, Lm.LEFT_WRIST], w[f, Lm.RIGHT_WRIST] = (0.0, 0.0, 0.1), (0.0, 0.0, -0.1)  # both hands down
    w[1, Lm.LEFT_WRIST] = (-0.6, -0.6, 0.1)  # left arm reached forward at shoulder height
    drop = higher_hand_drop(w)
    assert drop[0] == pytest.approx(1.0, abs=0.01)
    assert drop[1] == pytest.approx(0.0, abs=0.01)
    for name in ("donkey_kick", "fire_hydrant"):
        ev = _kit_evidence(name)
        assert ev["fours_hand_drop_p10"] > 0.75 and ev[f"{name}.reps_hand_drop"] > 0.75
        # An arm reached forward through the lifts (a bird dog) is not a kick or a hydrant.
        assert _top({**ev, "fours_hand_drop_p10": 0.1, f"{name}.reps_hand_drop": 0.1}) is None
        # Where no rep was read, the whole clip's hands decide.
        assert _top({**ev, "fours_hand_drop_p10": 0.1, f"{name}.reps_hand_drop": float("nan")}) is None
        # A hand raised outside the lifts only (s26: placing a dumbbell behind the knee) is no bird dog.
        assert _top({**ev, "fours_hand_drop_p10": -0.68}) == name


def _standing_px(times: np.ndarray, hip_dy: np.ndarray) -> np.ndarray:
    """Image points [N,33,2] of a person facing the camera, legs 200 px (hip to
    knee 100, knee to ankle 100), shoulders 80 px apart and 100 px above the
    hips, the whole body shifted down by hip_dy [N] px."""
    px = np.full((len(times), 33, 2), np.nan)
    for lm, (x, y) in {Lm.LEFT_HIP: (120, 300), Lm.RIGHT_HIP: (80, 300), Lm.LEFT_KNEE: (120, 400),
                       Lm.RIGHT_KNEE: (80, 400), Lm.LEFT_ANKLE: (120, 500), Lm.RIGHT_ANKLE: (80, 500),
                       Lm.LEFT_SHOULDER: (140, 200), Lm.RIGHT_SHOULDER: (60, 200)}.items():
        px[:, lm] = (x, y)
    px[..., 1] += hip_dy[:, None]
    return px


def test_hip_bounce_reads_a_running_step_rate_not_walking():
    t = np.arange(0, 6, 1 / 30)
    run = hip_bounce(t, _standing_px(t, 16 * np.sin(2 * np.pi * 2.8 * t)))  # 16 px = 0.08 leg, up and down
    walk = hip_bounce(t, _standing_px(t, 16 * np.sin(2 * np.pi * 1.5 * t)))
    assert run["bounce_band"] > 0.95 and walk["bounce_band"] < 0.05
    assert run["bounce_amp"] == pytest.approx(0.16 * 0.95, abs=0.02)  # 5-95% of a 0.16-leg swing
    assert run["view_across"] == pytest.approx(0.8, abs=0.01)  # shoulders 80 px, torso 100 px


def test_a_runner_seen_from_behind_bounces_with_the_legs_taking_turns():
    """The knees read flat from behind (no strides seen): the bounce decides."""
    ev = _kit_evidence("running")
    back = {**ev, "stride_share": 0.0, "stride_turns": 0.0, "knee_flex_p90": 20.0,
            "stride_stance_flex": math.nan, "stride_hip_flex_p90": math.nan,
            "step_band": 0.3, "step_amp": 0.13, "view_across": 0.67, "bounce_band": 0.54, "bounce_amp": 0.13,
            "phase_corr": -0.05, "facing_share": 0.0}  # a walker's stride phase: the bounce alone decides here
    assert _top(back) == "running"
    assert _top({**back, "step_band": 0.05}) is None  # bouncing, legs together: skipping on the spot
    assert _top({**back, "bounce_band": 0.2}) is None  # legs taking turns, no flight: walking
    assert _top({**back, "view_across": 0.15}) is None  # from the side the strides must show
    # Facing the camera the swing knee's fold shows (recognise.FRONT_FOLD_RUN): a runner's 58-111°
    # on the real front-view runs, a jump-rope skip's 30° (real, s21).
    front = {**back, "facing_share": 1.0}
    assert _top({**front, "knee_flex_p90": 70.0}) == "running"
    assert _top({**front, "knee_flex_p90": 30.0}) is None
    assert _top({**front, "knee_flex_p90": 30.0, "facing_share": 0.4}) == "running"  # mostly not facing it


def _stride_px_and_knees(times: np.ndarray, hips_low_at_midstance: bool):
    """A runner (or walker) at 0.9 steps a second (slow motion): the more bent
    knee changes sides every step; the hips (image y, down) lowest when the knees
    are most apart (running) or highest there (walking)."""
    step = np.sin(np.pi * 0.9 * times)  # one sign change per step
    apart = np.abs(step)  # 1 at midstance (one knee folded past the other), 0 between
    kl = 20.0 + 70.0 * np.clip(step, 0, None)
    kr = 20.0 + 70.0 * np.clip(-step, 0, None)
    dy = 12.0 * (apart - 0.5) * (1.0 if hips_low_at_midstance else -1.0)
    return _standing_px(times, dy), kl, kr


def test_stride_phase_reads_hips_low_at_midstance_at_any_speed():
    t = np.arange(0, 4, 1 / 30)
    up = np.ones(len(t), bool)
    run = stride_phase(t, *_stride_px_and_knees(t, True), up)
    walk = stride_phase(t, *_stride_px_and_knees(t, False), up)
    assert run["phase_corr"] == pytest.approx(1.0, abs=0.02)
    assert walk["phase_corr"] == pytest.approx(-1.0, abs=0.02)
    assert run["phase_turns"] == 3.0  # 3.6 steps in 4 s: the folded knee changes sides 3 times
    # Both knees bending together (a squat) never take turns.
    px, kl, _kr = _stride_px_and_knees(t, True)
    assert stride_phase(t, px, kl, kl, up)["phase_turns"] == 0.0
    assert math.isnan(stride_phase(t, px, kl, _kr, np.zeros(len(t), bool))["phase_corr"])  # nothing upright


def test_hips_low_at_midstance_with_the_legs_taking_turns_is_running():
    """A slow-motion runner seen from the front: no strides, no cadence, no bounce
    in the running band; the stride phase decides."""
    ev = _kit_evidence("running")
    slow = {**ev, "stride_share": 0.03, "stride_turns": 0.0, "step_band": 0.04, "step_amp": 0.04,
            "bounce_band": 0.0, "bounce_amp": 0.0, "phase_corr": 0.67, "phase_turns": 3.0}
    assert _top(slow) == "running"
    assert _top({**slow, "phase_corr": 0.05}) is None  # hips not low at midstance: walking
    assert _top({**slow, "phase_turns": 1.0}) is None  # the legs not taking turns
    assert _top({**slow, "upright": 0.0}) is None  # not standing


def _in_frame_track(seconds: float, out_from: float | None = None):
    """A kit running track cut to `seconds`; from `out_from` s on, its hips are
    moved outside the frame (the model placing a body it does not see)."""
    case = next(c for c in cases(KIT) if c[0] == "running")
    _n, _what, sc, view, h, seed = case
    tr = kit_track(sc, view, h, seed)
    n = int(np.searchsorted(tr.times, tr.times[0] + seconds))
    tr = tr.slice(0, n)
    if out_from is not None:
        xy = tr.xy.copy()
        xy[tr.times >= out_from, Lm.LEFT_HIP, 0] = -0.2
        tr = tr.replace(xy=xy)
    return tr


def test_seen_seconds_counts_frames_with_hips_and_knees_in_the_frame():
    tr = _in_frame_track(6.0)
    whole = seen_seconds(tr)
    assert whole == pytest.approx(tr.detected.sum() / tr.fps, abs=0.05)
    assert seen_seconds(_in_frame_track(6.0, out_from=1.0)) == pytest.approx(
        tr.detected[tr.times < 1.0].sum() / tr.fps, abs=0.05)


def test_a_person_seen_under_two_seconds_gets_no_confident_answer():
    rec = recognise(_in_frame_track(6.0, out_from=1.2))
    assert rec.evidence["seen_s"] < SEEN_MIN_S
    assert rec.confidence < CONFIDENT and not rec.confident
    assert rec.note and rec.note.startswith("not seen well enough")
    assert rec.to_report()["note"] == rec.note and "not seen well enough" in rec.label()
    seen = recognise(_in_frame_track(6.0))
    assert seen.note is None and "note" not in seen.to_report()


def test_a_runner_seen_for_a_second_is_running_but_not_confidently():
    """A far runner crossing the frame: strides in a good share of 0.9 s, the legs
    changing over once."""
    ev = _kit_evidence("running")
    brief = {**ev, "seconds": 0.9, "seen_s": 0.9, "stride_share": 0.29, "stride_turns": 1.0, "step_band": 0.0,
             "step_amp": 0.0, "bounce_band": 0.0, "bounce_amp": 0.0, "phase_corr": math.nan, "phase_turns": 0.0}
    top, share = _normalise(movement_scores(brief))[0]
    assert top == "running" and 0.5 < share < CONFIDENT
    assert _top({**brief, "stride_turns": 0.0}) is None  # no change of legs seen
    assert _top({**brief, "seen_s": 10.0, "seconds": 10.0}) is None  # one change in a long clip is not running


# ---- session 23: positive evidence before a chosen movement is refused ---------------------


def test_a_kick_from_under_the_chest_is_not_a_donkey_kick():
    """A donkey kick starts each lift from the thigh under the hip; crawl-position
    step throughs swing it from under the chest (the real clip's rest: -89°)."""
    ev = _kit_evidence("donkey_kick")
    assert -45.0 < ev["donkey_kick.rest"] < 45.0
    assert _top(ev) == "donkey_kick"
    assert _top({**ev, "donkey_kick.rest": -89.0}) is None
    assert _top({**ev, "donkey_kick.rest": -40.0}) == "donkey_kick"


def test_a_body_lying_on_its_back_is_not_a_clamshell():
    """A supine body filmed at an angle can look side-lying on screen (the real
    pigeon bridges: side-lying 0.80 and supine 0.84 of the frames)."""
    ev = _kit_evidence("clamshell")
    assert ev["supine"] == 0.0
    assert _top({**ev, "supine": 0.84}) is None
    assert _top({**ev, "supine": 0.15}) == "clamshell"


def _rec_of(ev: dict[str, float]):
    from formcheck.recognise import Recognition

    ranked = _normalise(movement_scores(ev))
    (top, p), rest = ranked[0], ranked[1:]
    return Recognition(top, p, rest, ev, movement_scores(ev))


def test_none_of_these_does_not_refuse_a_straight_leg_raise_it_has_no_evidence_against():
    """A single raise held at the top counts no rep, so the clip reads "none of
    these"; lying on the back with one knee straight throughout is the straight
    leg raise's own set-up, so a user who chose it is graded (with a note), not
    refused. A bridge (both knees bent) or a clip of someone standing is refused."""
    from formcheck.recognise import doubt, mismatch

    ev = {**_kit_evidence("straight_leg_raise"), "straight_leg_raise.reps": 0.0, "straight_leg_raise.range": 7.0,
          "straight_leg_raise.reps_knees_bent": math.nan}  # no rep: nothing read through the reps
    for k in [k for k in ev if k.startswith("straight_leg_raise.top_")]:
        ev[k] = math.nan
    rec = _rec_of(ev)
    assert rec.movement is None and rec.confident
    assert mismatch(rec, "straight_leg_raise") is None
    assert doubt(rec, "straight_leg_raise").startswith("formcheck could not see a straight leg raise's movement")
    # Evidence against: both knees bent throughout (a bridge), or not lying on the back.
    for against in ({"knee_flex_both_p90": 120.0}, {"supine": 0.0, "upright": 1.0}):
        other = _rec_of({**ev, **against})
        assert other.movement is None and other.confident
        assert "does not look like a straight leg raise" in mismatch(other, "straight_leg_raise")
        assert doubt(other, "straight_leg_raise") is None
    # Other movements keep the old rule: "none of these" at 70% or more refuses them.
    assert "does not look like a clamshell" in mismatch(rec, "clamshell")


def test_a_chosen_movement_with_its_shape_against_it_is_refused_below_seventy_percent():
    """A pigeon pose chosen as a running lunge: "none of these" leads at 67%, under
    the 70% overrule, but the hips rest on the floor (0.45 thigh lengths; a
    lunge keeps them 0.7-0.95 or more up), so it is not graded. Without that
    evidence against it, an unsure "none of these" leaves the choice graded."""
    from formcheck.recognise import Recognition, mismatch

    ev = _kit_evidence("running_lunge")
    unsure = Recognition(None, 0.67, [("hamstring_stretch", 0.29)], {**ev, "running_lunge.hold_hip_height": 0.45})
    assert "does not look like a running lunge" in mismatch(unsure, "running_lunge")
    assert mismatch(Recognition(None, 0.67, [("hamstring_stretch", 0.29)], ev), "running_lunge") is None
    # Seen too briefly to tell: nothing is ruled out.
    brief = Recognition(None, 0.5, [], {**ev, "running_lunge.hold_hip_height": 0.45}, note="not seen well enough")
    assert mismatch(brief, "running_lunge") is None
