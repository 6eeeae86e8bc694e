"""Scripted movements that are NOT one of formcheck's eight, for the recogniser's
"none of these" tests: near misses that share a posture or a motion with one of
them.

- squat: standing, both knees and hips bend together and straighten (vs running,
  the hamstring stretch);
- bird_dog: on all fours, one leg reaches straight back while the opposite arm
  reaches forward, sides alternating (vs the donkey kick and the fire hydrant);
- walking_lunge: step forward into a lunge, back knee toward the floor, then
  bring the back foot through into the next lunge, sides alternating, moving
  forward (vs running and the running lunge);
- standing: standing still, swaying a little (vs everything).

Each takes a `Scenario` like the scripts in `formcheck_synth.catalog` (reps,
tempo, camera, height) and returns a `Built` whose truth says
exercise = the near miss and movement = None. No faults are scripted.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import numpy as np

from formcheck.landmarks import PoseTrack
from formcheck_synth.kit import REALISTIC, track_from_motion
from formcheck_synth.motion import Body, Pose, forward_kinematics, rot_x
from formcheck_synth.quadruped import KNEE_Z, quadruped_base
from formcheck_synth.scripts import Built, CameraSpec, Scenario, camera_for, rep_timeline, view_label
from formcheck_synth.stretches import _plant

__all__ = ["OTHERS", "squat", "bird_dog", "walking_lunge", "standing", "KIT", "NEAR", "HEIGHTS", "kit_track", "cases"]

_ANGLES = ("hip_flex", "hip_abd", "hip_rot", "knee_flex", "ankle_dorsi", "sh_flex", "sh_abd", "elbow_flex")


def _zeros(n: int) -> dict[str, np.ndarray]:
    return {f"{j}_{s}": np.zeros(n) for j in _ANGLES for s in "lr"}


def _truth(name: str, sc: Scenario, reps: list[dict]) -> dict:
    return {"exercise": name, "movement": None, "reps": reps, "holds": [], "steps": [], "cadence_spm": None,
            "view": view_label(sc.camera.view)}


def _standing_camera(sc: Scenario, body: Body, y: float = 0.0):
    return camera_for(sc.camera, np.eye(3), np.array([0.0, y, 0.5 * body.height]))


def squat(sc: Scenario) -> Built:
    """Standing, feet hip width apart; sit back and down until the thighs are
    about level (hips 90°, knees 100°, shins 30° forward, pelvis 40° forward),
    arms reaching forward; stand up."""
    tl = rep_timeline(sc)
    n, p = len(tl.times), tl.phase
    body = Body(height=sc.height_m)
    ang = _zeros(n)
    tilt = 40.0 * p
    for s in "lr":
        ang[f"hip_flex_{s}"] = 90.0 * p + tilt
        ang[f"knee_flex_{s}"] = 120.0 * p
        ang[f"ankle_dorsi_{s}"] = 30.0 * p
        ang[f"sh_flex_{s}"] = 80.0 * p
    root_rot = rot_x(tilt)
    pts = forward_kinematics(tl.times, Pose(n, ang, root_rot, np.zeros((n, 3))), body).points
    root = _plant(pts, np.zeros((n, 3)), np.full(n, 27))
    motion = forward_kinematics(tl.times, Pose(n, ang, root_rot, root), body)
    return Built(motion, _standing_camera(sc, body), _truth("squat", sc, tl.reps))


def bird_dog(sc: Scenario) -> Built:
    """On all fours; one leg straightens back to level while the opposite arm
    reaches forward to level; back to all fours; the other pair. Scenario.sides
    is ignored: sides alternate every rep, starting with the right leg."""
    tl = rep_timeline(sc)
    n, p = len(tl.times), tl.phase
    body = Body(height=sc.height_m)
    alpha, hip_z = quadruped_base(body)
    flat = 90.0 - alpha
    ang = _zeros(n)
    ang["neck_flex"] = np.full(n, -10.0)
    for s in "lr":
        ang[f"hip_flex_{s}"][:] = flat
        ang[f"knee_flex_{s}"][:] = 90.0
        ang[f"ankle_dorsi_{s}"][:] = -60.0
        ang[f"sh_flex_{s}"][:] = flat
        ang[f"sh_abd_{s}"][:] = -8.0
    leg = np.where(tl.rep % 2 == 1, "r", "l")
    for s, o in (("r", "l"), ("l", "r")):
        m = leg == s
        # The leg: from hanging (hip flexion = flat) to level behind (flat - 90), knee straight.
        ang[f"hip_flex_{s}"][m] = flat - 90.0 * p[m]
        ang[f"knee_flex_{s}"][m] = 90.0 * (1 - p[m])
        ang[f"ankle_dorsi_{s}"][m] = -60.0 + 30.0 * p[m]
        # The opposite arm: from hanging to level in front.
        ang[f"sh_flex_{o}"][m] = flat + 90.0 * p[m]
    sh = np.array([0.0, -body.torso * np.cos(np.radians(alpha)), hip_z + body.torso * np.sin(np.radians(alpha))])
    trunk = np.array([0.0, -np.cos(np.radians(alpha)), np.sin(np.radians(alpha))])
    root = np.tile(sh - body.torso * trunk, (n, 1))
    root_rot = np.broadcast_to(rot_x(90.0 - alpha), (n, 3, 3)).copy()
    motion = forward_kinematics(tl.times, Pose(n, ang, root_rot, root), body)
    camera = camera_for(sc.camera, rot_x(90.0 - alpha), np.array([0.0, -0.3, 0.35 + 0 * KNEE_Z]))
    reps = [{**r, "side": "right" if r["index"] % 2 == 1 else "left"} for r in tl.reps]
    return Built(motion, camera, _truth("bird_dog", sc, reps))


LUNGE_STEP_M = 0.3  # forward travel per lunge (m), short enough to stay in frame [own]


def walking_lunge(sc: Scenario) -> Built:
    """Standing; step one foot forward and sink until the front thigh is near
    level and the back knee nearly touches the floor; rise and bring the back foot
    through; the next lunge leads with the other leg; the body moves forward a
    step each lunge. Scenario.sides is ignored: sides alternate."""
    tl = rep_timeline(sc)
    n, p = len(tl.times), tl.phase
    body = Body(height=sc.height_m)
    ang = _zeros(n)
    front = np.where(tl.rep % 2 == 1, "r", "l")
    for s, o in (("r", "l"), ("l", "r")):
        m = front == s
        ang[f"hip_flex_{s}"][m] = 80.0 * p[m]
        ang[f"knee_flex_{s}"][m] = 90.0 * p[m]
        ang[f"ankle_dorsi_{s}"][m] = 10.0 * p[m]
        ang[f"hip_flex_{o}"][m] = -15.0 * p[m]
        ang[f"knee_flex_{o}"][m] = 95.0 * p[m]
        ang[f"ankle_dorsi_{o}"][m] = -40.0 * p[m]
        ang[f"sh_flex_{o}"][m] = 25.0 * p[m]  # arms swing a little, opposite the legs
        ang[f"sh_flex_{s}"][m] = -15.0 * p[m]
    pts = forward_kinematics(tl.times, Pose(n, ang, None, np.zeros((n, 3))), body).points
    back = np.where(front == "r", 31, 32)  # the back foot's toes stay put
    root = _plant(pts, np.zeros((n, 3)), back)
    # Forward travel: each lunge ends a step further on (the body faces -y).
    done = np.array([np.sum([r["end_s"] <= t for r in tl.reps]) for t in tl.times], float)
    cur = np.where(tl.rep > 0, p, 0.0) * 0.5
    root[:, 1] -= LUNGE_STEP_M * (done + cur)
    motion = forward_kinematics(tl.times, Pose(n, ang, None, root), body)
    travel = LUNGE_STEP_M * len(tl.reps)
    camera = _standing_camera(sc, body, y=-travel / 2)
    reps = [{**r, "side": "right" if r["index"] % 2 == 1 else "left"} for r in tl.reps]
    return Built(motion, camera, _truth("walking_lunge", sc, reps))


def standing(sc: Scenario) -> Built:
    """Standing still for Scenario.hold_s seconds, swaying a little (a 2° sway of
    the whole body at 0.3 Hz, the arms hanging)."""
    times = np.arange(0.0, sc.lead_s + sc.hold_s, 1.0 / sc.camera.fps)
    n = len(times)
    body = Body(height=sc.height_m)
    ang = _zeros(n)
    sway = 2.0 * np.sin(2 * np.pi * 0.3 * times)
    for s in "lr":
        ang[f"ankle_dorsi_{s}"] = sway
    root_rot = rot_x(sway)
    pts = forward_kinematics(times, Pose(n, ang, root_rot, np.zeros((n, 3))), body).points
    root = _plant(pts, np.zeros((n, 3)), np.full(n, 27))
    motion = forward_kinematics(times, Pose(n, ang, root_rot, root), body)
    return Built(motion, _standing_camera(sc, body), _truth("standing", sc, []))


OTHERS: dict[str, Callable[[Scenario], Built]] = {
    "squat": squat,
    "bird_dog": bird_dog,
    "walking_lunge": walking_lunge,
    "standing": standing,
}


# ---- recognition test set ------------------------------------------------------------------------
# Every movement and every near miss, filmed by 3 bodies x 3 views (the kit's
# skeleton scaled to each height); used by tests/test_recognise.py and
# benchmarks/recognition.py.

HEIGHTS = {"short 1.55 m": 1.55, "mid 1.75 m": 1.75, "tall 1.92 m": 1.92}

# Scenario per movement: short clips (2-3 reps or holds) in the views the camera
# tips allow (and one they do not, for the stretches), as benchmarks/accuracy.py.
KIT: dict[str, tuple[Scenario, tuple[str, ...]]] = {
    "clamshell": (Scenario("clamshell", reps=4, range_deg=50.0, camera=CameraSpec(distance=2.2)),
                  ("front", "back", "front_left")),
    "donkey_kick": (Scenario("donkey_kick", reps=4, range_deg=85.0), ("left", "right", "back_left")),
    "fire_hydrant": (Scenario("fire_hydrant", reps=4, range_deg=50.0), ("feet_end", "head_end", "back_left")),
    "straight_leg_raise": (Scenario("straight_leg_raise", reps=3, up_s=1.8, top_s=3.5, down_s=1.8),
                           ("left", "right", "front_left")),
    "hamstring_stretch": (Scenario("hamstring_stretch", sides=("left", "right"), hold_s=8.0, up_s=1.5,
                                   down_s=1.5, camera=CameraSpec(distance=2.8)), ("left", "right", "front_left")),
    "running_lunge": (Scenario("running_lunge", sides=("left", "right"), hold_s=8.0, up_s=1.2, down_s=1.2),
                      ("left", "right", "front_left")),
    "figure_four": (Scenario("figure_four", sides=("right", "left"), hold_s=8.0, up_s=1.2, down_s=1.2,
                             camera=CameraSpec(elevation=1.0)), ("left", "right", "front_left")),
    "running": (Scenario("running", reps=24, sides=("left",), lead_s=1.0,
                         camera=CameraSpec(distance=3.0, elevation=0.15)), ("front", "back", "left")),
}
NEAR: dict[str, tuple[Scenario, tuple[str, ...]]] = {
    "squat": (Scenario("squat", reps=4, up_s=1.5, top_s=0.3, down_s=1.5, camera=CameraSpec(distance=3.0)),
              ("front", "left", "front_left")),
    "bird_dog": (Scenario("bird_dog", reps=4, up_s=1.5, top_s=1.0, down_s=1.5), ("left", "feet_end", "back_left")),
    "walking_lunge": (Scenario("walking_lunge", reps=4, up_s=1.2, top_s=0.3, down_s=1.2,
                               camera=CameraSpec(distance=3.5)), ("left", "front", "front_left")),
    "standing": (Scenario("standing", hold_s=10.0, camera=CameraSpec(distance=3.0)), ("front", "left", "back")),
}


def kit_track(sc: Scenario, view: str, height: float, seed: int) -> PoseTrack:
    """A scenario filmed from `view` with a body `height` m tall, as a kit track
    with realistic defects (noise, dropouts, swaps; `seed` varies them)."""
    from formcheck_synth.catalog import build

    sc = replace(sc, camera=replace(sc.camera, view=view), height_m=height)
    built = OTHERS[sc.exercise](sc) if sc.exercise in OTHERS else build(sc)
    return track_from_motion(built.motion, built.camera, replace(REALISTIC, seed=seed))


def cases(table: dict) -> list[tuple[str, str, Scenario, str, float, int]]:
    """(movement, 'body, view', scenario, view, height, seed) for every body and
    view of every scenario in KIT or NEAR."""
    out, seed = [], 0
    for name, (sc, views) in table.items():
        for body, h in HEIGHTS.items():
            for v in views:
                seed += 1
                out.append((name, f"{body}, {v}", sc, v, h, seed))
    return out
