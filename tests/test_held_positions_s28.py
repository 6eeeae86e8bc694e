"""What the never-seen real clips of session 28 showed about held positions
(docs/real_footage_s28.md): a low lunge's back bend flipping the facing
direction and its coming up counted into the hold, and a lift held 9 s
reported as a plain rep. Hand-placed landmarks and synthetic signals
with exact truth.

Tolerances: rep ends within 0.2 s, the held top within 0.3 s.
"""

import numpy as np
import pytest

from formcheck.events import drive_signal
from formcheck.exercises import EXERCISES
from formcheck.exercises.stretches import facing, foot_ahead
from formcheck.features import Joints
from formcheck.judging import HELD_TOP_S, event_metrics
from formcheck.landmarks import Lm
from formcheck.reps import run_reps

FPS = 30.0


def _lunge(lean_back_deg: float, front_knee_bent: bool = True) -> Joints:
    """One frame side-on, facing screen right: the right foot forward (its knee
    bent, or the leg straight out), the left knee down behind; the trunk leaning
    back by lean_back_deg from upright (a back bend, arms overhead); the nose
    level with the ears, as a head tipped back reads."""
    px = np.full((1, 33, 2), np.nan)
    hip = np.array([300.0, 300.0])
    a = np.radians(lean_back_deg)
    sh = hip + 120 * np.array([-np.sin(a), -np.cos(a)])
    for lm in (Lm.LEFT_HIP, Lm.RIGHT_HIP):
        px[0, int(lm)] = hip
    for lm in (Lm.LEFT_SHOULDER, Lm.RIGHT_SHOULDER):
        px[0, int(lm)] = sh
    px[0, int(Lm.NOSE)] = sh + (0.0, -30.0)
    px[0, int(Lm.LEFT_EAR)] = px[0, int(Lm.RIGHT_EAR)] = sh + (0.0, -30.0)
    if front_knee_bent:
        knee, ankle = hip + (90.0, 20.0), hip + (95.0, 110.0)  # thigh forward, shin upright
    else:
        knee, ankle = hip + (60.0, 70.0), hip + (120.0, 140.0)  # straight leg out in front
    px[0, int(Lm.RIGHT_KNEE)], px[0, int(Lm.RIGHT_ANKLE)] = knee, ankle
    px[0, int(Lm.LEFT_KNEE)], px[0, int(Lm.LEFT_ANKLE)] = hip + (-10.0, 110.0), hip + (-100.0, 115.0)
    for name, d in (("HEEL", (-5.0, 5.0)), ("FOOT_INDEX", (25.0, 5.0))):
        px[0, int(Lm[f"RIGHT_{name}"])] = px[0, int(Lm.RIGHT_ANKLE)] + d
        px[0, int(Lm[f"LEFT_{name}"])] = px[0, int(Lm.LEFT_ANKLE)] + d
    return Joints(px, np.ones((1, 33)), np.full((1, 33, 3), np.nan), "right")


@pytest.mark.parametrize("lean_back", [0.0, 30.0, 45.0])
def test_a_lunge_faces_where_its_bent_knees_point_whatever_the_trunk_does(lean_back):
    """A back bend puts the shoulders behind the hips; the bent knees still say
    the person faces screen right, so the front foot stays ahead (a real low
    lunge's hold was cut in three where the arms went overhead)."""
    b = _lunge(lean_back)
    assert float(facing(b)[0]) == 1.0
    assert float(foot_ahead(b)[0]) > 1.0


def test_without_a_bent_knee_the_trunk_still_tells_the_facing():
    """Legs straight (no knee reads bent under 150°): the trunk's lean decides,
    as before; leaning 30° back it reads screen left."""
    b = _lunge(30.0, front_knee_bent=False)
    px = b.px.copy()
    px[0, int(Lm.LEFT_KNEE)], px[0, int(Lm.LEFT_ANKLE)] = (300.0, 380.0), (300.0, 460.0)  # back leg straight down
    b = Joints(px, b.vis, b.world, "right")
    assert float(facing(b)[0]) == -1.0


def _held_lift() -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """A fire hydrant lifted once at 1.0-1.4 s, held with the knee wobbling
    between 40 and 55° until 10.0 s, lowered by 10.4 s."""
    t = np.arange(0, 14.0, 1 / FPS)
    lift = np.interp(t, [0, 1.0, 1.4, 4.0, 6.5, 9.0, 10.0, 10.4, 14.0], [0, 0, 55, 50, 40, 52, 50, 0, 0])
    return t, {"hydrant_lift": lift, "working_leg": np.ones_like(t), "knee_angle": np.full_like(t, 90.0),
               "pelvis_tilt": np.zeros_like(t)}


def test_a_lift_held_9_s_is_one_rep_that_says_it_was_held():
    hydrant = EXERCISES["fire_hydrant"]
    t, feats = _held_lift()
    drive = drive_signal(hydrant, feats)
    events, _ = run_reps(t, drive, hydrant.rep)
    assert len(events) == 1
    ev = events[0]
    assert ev.start_t == pytest.approx(1.0, abs=0.2) and ev.end_t == pytest.approx(10.4, abs=0.2)
    m = event_metrics(hydrant, feats, drive, t, ev)
    # 80% of the 55° excursion is 44°: first reached at 1.32 s, last left at 10.05 s.
    assert m["hold_s"] == pytest.approx(10.05 - 1.32, abs=0.3)


def test_a_plain_rep_says_nothing_of_a_held_top():
    hydrant = EXERCISES["fire_hydrant"]
    t = np.arange(0, 6.0, 1 / FPS)
    lift = np.interp(t, [0, 1.0, 2.0, 3.0, 6.0], [0, 0, 55, 0, 0])
    feats = {"hydrant_lift": lift, "working_leg": np.ones_like(t), "knee_angle": np.full_like(t, 90.0),
             "pelvis_tilt": np.zeros_like(t)}
    drive = drive_signal(hydrant, feats)
    events, _ = run_reps(t, drive, hydrant.rep)
    assert len(events) == 1
    assert "hold_s" not in event_metrics(hydrant, feats, drive, t, events[0])
    assert HELD_TOP_S == 3.0


def _lunge_leaving(knee_end: float, leave_s: float, hips_move_px: float) -> list:
    """A lunge held 2-20 s (front knee 65°, the trunk-to-front-leg angle 120°),
    then the front knee opening to knee_end over leave_s while the hips move
    back by hips_move_px (torso 100 px), the driving angle still in its band;
    the foot steps back 0.5 s after that (the driving angle leaves, out of
    position)."""
    from formcheck.events import find_holds

    lunge = EXERCISES["running_lunge"]
    t = np.arange(0, 26.0, 1 / FPS)
    leave_end = 20.0 + leave_s
    knee = np.interp(t, [0, 20.0, leave_end, 26.0], [65.0, 65.0, knee_end, knee_end])
    drive = np.where((t > 1.0) & (t < leave_end + 0.5), 120.0, 170.0)
    anchors = np.zeros((len(t), 2, 2))
    anchors[:, 0] = np.stack([300.0 - np.interp(t, [0, 20.0, leave_end, 26.0], [0, 0, hips_move_px, hips_move_px]),
                              np.full(len(t), 300.0)], axis=1)
    anchors[:, 1] = anchors[:, 0] + (0.0, -100.0)
    return find_holds(t, drive, drive, drive < 150.0, lunge.hold, anchors, (knee,))


def test_coming_out_of_a_lunge_with_the_driving_angle_in_its_band_ends_the_hold():
    """The hips come back and the front knee opens 65 -> 145° in 1.4 s (57°/s,
    a real low lunge coming up): the hold ends where the knee left its band,
    not where the foot stepped back."""
    holds = _lunge_leaving(145.0, 1.4, 40.0)
    assert len(holds) == 1
    assert holds[0].end_t == pytest.approx(20.1, abs=0.3)


@pytest.mark.parametrize("knee_end, leave_s, hips_px, why", [
    (100.0, 1.7, 40.0, "easing out slowly (21°/s) is still the hold"),
    (145.0, 1.4, 0.0, "the knee landmark moving under a still trunk is the model"),
])
def test_a_hold_keeps_its_end_where_the_knee_change_is_no_coming_out(knee_end, leave_s, hips_px, why):
    holds = _lunge_leaving(knee_end, leave_s, hips_px)
    assert len(holds) == 1
    assert holds[0].end_t > 20.0 + leave_s, why
