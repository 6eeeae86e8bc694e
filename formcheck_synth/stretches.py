"""Scripted held stretches with exact truth: the standing hamstring stretch and
the running lunge, one hold per side per set (Scenario.sets holds per side).

Holds are numbered 1.. in time order across the clip; Scenario.faults {hold:
{code: magnitude}} injects faults:
- hamstring_stretch: knee_bent = stretched-knee flexion (°); back_rounded =
  spine and neck flexion (°) that replace the same amount of hip hinge (the
  trunk leans as far, the back curls); short_hold = that hold's length (s).
- running_lunge: front_knee_forward = front shin tilt past vertical (°);
  hips_high = back-hip flexion (°), the angle(shoulder, hip, back knee) being
  180 minus it; short_hold = that hold's length (s).
Each hold: move into position over up_s, hold, move back over down_s, rest_s.
"""

from __future__ import annotations

import numpy as np

from formcheck_synth.motion import Body, Pose, forward_kinematics, rot_x
from formcheck_synth.scripts import (
    Built,
    HoldTimeline,
    Scenario,
    camera_for,
    fault_per_frame,
    hold_timeline,
    view_label,
)

__all__ = ["hamstring_stretch", "running_lunge"]

_IDX = {"l": dict(hip=23, knee=25, ankle=27, heel=29, toe=31, sh=11, ear=7),
        "r": dict(hip=24, knee=26, ankle=28, heel=30, toe=32, sh=12, ear=8)}


def _plant(points: np.ndarray, root_pos: np.ndarray, idx: np.ndarray) -> np.ndarray:
    """Shift the root so that the planted point idx [N] stays where it is in frame 0
    horizontally, and the lowest foot point touches the floor (z = 0)."""
    n = len(points)
    planted = points[np.arange(n), idx]
    shift = np.zeros((n, 3))
    shift[:, :2] = planted[0, :2] - planted[:, :2]
    feet = points[:, [27, 28, 29, 30, 31, 32], 2]
    shift[:, 2] = -feet.min(axis=1)
    return root_pos + shift


def _proj(camera, p: np.ndarray) -> np.ndarray:
    """World points [...,3] -> pixels [...,2]."""
    return camera.project(p)


def _angle(a, b, c) -> float:
    u, v = a - b, c - b
    return float(np.degrees(np.arccos(np.clip(u @ v / np.linalg.norm(u) / np.linalg.norm(v), -1, 1))))


def _truth(name: str, sc: Scenario, tl: HoldTimeline, faults: tuple[str, ...], metrics) -> dict:
    holds = []
    for h in tl.holds:
        k = h["index"]
        i = int(np.argmin(np.abs(tl.times - (h["start_s"] + h["end_s"]) / 2)))
        codes = [c for c in faults if c in sc.faults.get(k, {})]
        holds.append({"side": h["side"], "start_s": h["start_s"], "end_s": h["end_s"],
                      "duration_s": h["duration_s"], "faults": codes, "metrics": metrics(i, h["side"])})
    return {"exercise": name, "reps": [], "holds": holds, "steps": [], "cadence_spm": None,
            "view": view_label(sc.camera.view)}


# ---- standing hamstring stretch ------------------------------------------------------

HS_HINGE = 45.0  # pelvis tilt forward in the stretch (°)
HS_FRONT = 25.0  # stretched leg forward of vertical (°)
HS_SUPPORT_KNEE = 40.0  # support knee bend (°), its thigh 20° forward, foot flat


def hamstring_stretch(sc: Scenario) -> Built:
    """Standing, step the stretched leg forward (heel down, toes up), bend the
    support knee and hinge forward at the hips; hold; stand up; other side."""
    tl = hold_timeline(sc)
    n = len(tl.times)
    p = tl.phase
    body = Body(height=sc.height_m)
    bent = fault_per_frame(sc, tl.hold, "knee_bent")
    rnd = fault_per_frame(sc, tl.hold, "back_rounded")
    tilt = (HS_HINGE - rnd) * p
    lean = HS_HINGE * p
    ang = {k: np.zeros(n) for k in ("hip_flex_l", "hip_flex_r", "knee_flex_l", "knee_flex_r",
                                    "ankle_dorsi_l", "ankle_dorsi_r", "sh_flex_l", "sh_flex_r",
                                    "elbow_flex_l", "elbow_flex_r")}
    ang["spine_flex"] = rnd * p
    ang["neck_flex"] = rnd * p
    planted = np.zeros(n, int)
    for side in ("left", "right"):
        m = tl.side == side
        s, o = ("l", "r") if side == "left" else ("r", "l")
        ang[f"hip_flex_{s}"][m] = tilt[m] + (HS_FRONT + bent[m] / 2) * p[m]
        ang[f"knee_flex_{s}"][m] = bent[m] * p[m]
        ang[f"ankle_dorsi_{s}"][m] = 25.0 * p[m]
        ang[f"hip_flex_{o}"][m] = tilt[m] + 0.5 * HS_SUPPORT_KNEE * p[m]
        ang[f"knee_flex_{o}"][m] = HS_SUPPORT_KNEE * p[m]
        ang[f"ankle_dorsi_{o}"][m] = 0.5 * HS_SUPPORT_KNEE * p[m]
        planted[m] = _IDX[o]["ankle"]
    # Hands slide down the front of the thighs.
    for s in ("l", "r"):
        ang[f"sh_flex_{s}"] = 0.7 * lean
        ang[f"elbow_flex_{s}"] = 10.0 * p
    root_rot = rot_x(tilt)
    root_pos = np.zeros((n, 3))
    pose = Pose(n, ang, root_rot, root_pos)
    pts = forward_kinematics(tl.times, pose, body).points
    root_pos = _plant(pts, root_pos + [0, 0, 0], planted)
    motion = forward_kinematics(tl.times, Pose(n, ang, root_rot, root_pos), body)
    target = np.array([0.0, -0.25, 0.8 * sc.height_m / 1.75])
    camera = camera_for(sc.camera, np.eye(3), target)
    P = motion.points

    def metrics(i: int, side: str) -> dict:
        s, o = ("l", "r") if side == "left" else ("r", "l")
        hip, knee, ankle = (_proj(camera, P[i, _IDX[s][j]]) for j in ("hip", "knee", "ankle"))
        return {"knee_angle_deg": round(_angle(hip, knee, ankle), 2),
                "back_rounding_deg": float(sc.faults.get(int(tl.hold[i]), {}).get("back_rounded", 0.0))}

    truth = _truth("hamstring_stretch", sc, tl, ("knee_bent", "back_rounded", "short_hold"), metrics)
    return Built(motion, camera, truth)


# ---- running lunge -------------------------------------------------------------------

RL_PLANK_PITCH = 65.0  # body line from vertical in the plank (°): hands under shoulders
RL_FRONT_THIGH = 85.0  # front thigh from straight down, forward (°): near horizontal
RL_BACK_FLEX = 8.0  # back-hip flexion with the hips pressed down (°): angle ~172°
RL_HAND_Z = 0.08  # wrist height with the hands flat on the floor (m) [own]
RL_TOE_ANKLE_Z = 0.10  # back ankle height up on the toes (m) [own]


def _lunge_pitch(body: Body, back_flex: float) -> float:
    """Trunk pitch from vertical (°) that keeps both hands and the back toes on the
    floor for a given back-hip flexion: the back leg is straight at pitch - flex."""
    t = np.linspace(30.0, 130.0, 2001)
    leg = body.thigh + body.shank
    arm = body.upperarm + body.forearm
    shoulder_z = RL_TOE_ANKLE_Z + leg * np.cos(np.radians(t - back_flex)) + body.torso * np.cos(np.radians(t))
    return float(t[np.argmin(np.abs(shoulder_z - (RL_HAND_Z + arm)))])


def running_lunge(sc: Scenario) -> Built:
    """From a plank, step one foot forward beside the hand (shin upright, thigh
    near horizontal), press the hips forward and down; hold; step back; other side."""
    tl = hold_timeline(sc)
    n = len(tl.times)
    p = tl.phase
    body = Body(height=sc.height_m)
    shin = fault_per_frame(sc, tl.hold, "front_knee_forward")
    high = fault_per_frame(sc, tl.hold, "hips_high")
    back_flex = RL_BACK_FLEX + high
    plank = _lunge_pitch(body, 0.0)
    pitch_hold = np.array([_lunge_pitch(body, f) for f in back_flex])
    pitch = plank + (pitch_hold - plank) * p
    hip_z = RL_TOE_ANKLE_Z + (body.thigh + body.shank) * np.cos(np.radians(pitch - back_flex * p))
    # Front leg: shin tilted forward by `shin`, thigh angle (from straight down) such
    # that the front foot is flat on the floor below the hip.
    reach = np.clip((hip_z - body.ankle_height - body.shank * np.cos(np.radians(shin))) / body.thigh, -1, 1)
    thigh_hold = np.degrees(np.arccos(reach))
    # Swing: the foot lifts while it travels under the body.
    swing = 35.0 * np.sin(np.pi * np.clip(p, 0, 1)) * (p < 1)
    ang = {k: np.zeros(n) for k in ("hip_flex_l", "hip_flex_r", "knee_flex_l", "knee_flex_r",
                                    "ankle_dorsi_l", "ankle_dorsi_r", "hip_abd_l", "hip_abd_r")}
    planted = np.zeros(n, int)
    for side in ("left", "right"):
        m = tl.side == side
        s, o = ("l", "r") if side == "left" else ("r", "l")
        knee = (thigh_hold[m] + shin[m]) * p[m] + swing[m]
        ang[f"hip_flex_{s}"][m] = (pitch[m] + thigh_hold[m]) * p[m] + swing[m]
        ang[f"knee_flex_{s}"][m] = knee
        # Front foot flat: dorsiflexion equals the shin's forward tilt; in the
        # plank the toes are tucked under (ankle at 90°: the feet point down).
        ang[f"ankle_dorsi_{s}"][m] = shin[m] * p[m] + (1 - p[m]) * (pitch[m] - 60.0)
        ang[f"hip_abd_{s}"][m] = 12.0 * p[m]  # foot outside the hand
        ang[f"hip_flex_{o}"][m] = back_flex[m] * p[m]
        ang[f"ankle_dorsi_{o}"][m] = pitch[m] - back_flex[m] * p[m] - 90.0 + 30.0
        planted[m] = _IDX[o]["toe"]
    # Arms straight down to the floor under the shoulders.
    for s in ("l", "r"):
        ang[f"sh_flex_{s}"] = pitch.copy()
    ang["neck_flex"] = np.full(n, -20.0)  # looking a little ahead, not at the feet
    root_rot = rot_x(pitch)
    root_pos = np.zeros((n, 3))
    pts = forward_kinematics(tl.times, Pose(n, ang, root_rot, root_pos), body).points
    root_pos = _plant(pts, root_pos, planted)
    motion = forward_kinematics(tl.times, Pose(n, ang, root_rot, root_pos), body)
    target = np.array([0.0, 0.0, 0.45 * sc.height_m / 1.75]) + [0, motion.root_pos[0, 1], 0]
    camera = camera_for(sc.camera, np.eye(3), target)
    P = motion.points

    def metrics(i: int, side: str) -> dict:
        s, o = ("l", "r") if side == "left" else ("r", "l")
        knee, ankle = (_proj(camera, P[i, _IDX[s][j]]) for j in ("knee", "ankle"))
        sh = (_proj(camera, P[i, 11]) + _proj(camera, P[i, 12])) / 2
        ohip, oknee = (_proj(camera, P[i, _IDX[o][j]]) for j in ("hip", "knee"))
        d = knee - ankle
        return {"shin_from_vertical_deg": round(float(np.degrees(np.arctan2(abs(d[0]), -d[1]))), 2),
                "back_hip_angle_deg": round(_angle(sh, ohip, oknee), 2)}

    truth = _truth("running_lunge", sc, tl, ("front_knee_forward", "hips_high", "short_hold"), metrics)
    return Built(motion, camera, truth)
