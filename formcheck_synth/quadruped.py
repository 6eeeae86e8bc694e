"""Scripted on-all-fours exercises: donkey kick and fire hydrant.

Base pose: hands under the shoulders (arms vertical), knees under the hips
(thighs vertical), knees bent 90° with the shins on the floor, the head in line
with the trunk. The trunk slopes up toward the head because the arms are longer
than the thighs. Neutral body faces -y; on all fours the head points to -y and
the face to the floor; the person's left stays +x.

Scenario.range_deg is the working thigh's full lift at the top, in degrees
from vertical (about 90 for a donkey kick, 45-60 for a fire hydrant).
"""

from __future__ import annotations

import numpy as np

from formcheck_synth.motion import Body, Pose, forward_kinematics, rot_x, rot_z
from formcheck_synth.scripts import Built, Scenario, camera_for, fault_per_frame, rep_timeline, view_label

__all__ = ["donkey_kick", "fire_hydrant", "quadruped_base", "KNEE_Z", "WRIST_Z"]

KNEE_Z = 0.05  # knee joint centre above the floor (m)
WRIST_Z = 0.06  # wrist above the floor with the hand flat (m)
# Absolute range limits the checkers apply (formcheck.exercises.quadruped); the
# truth flags a rep whose true top falls below them.
KICK_MIN_PEAK = 70.0
HYDRANT_MIN_PEAK = 30.0


def quadruped_base(body: Body) -> tuple[float, float]:
    """(trunk slope α in degrees, hip height in m) of the base pose: shoulders
    at wrist height + arm length, hips at knee height + thigh length."""
    sh_z = WRIST_Z + body.upperarm + body.forearm
    hip_z = KNEE_Z + body.thigh
    alpha = float(np.degrees(np.arcsin((sh_z - hip_z) / body.torso)))
    return alpha, hip_z


def _quadruped(sc: Scenario, kind: str) -> Built:
    def tempo(k):
        return (sc.up_s, sc.top_s, sc.down_s)

    tl = rep_timeline(sc, tempo)
    n = len(tl.times)
    body = Body(height=sc.height_m)
    alpha0, hip_z = quadruped_base(body)
    scale = fault_per_frame(sc, tl.rep, "short_range", 1.0)
    knee_d = fault_per_frame(sc, tl.rep, "knee_angle", 0.0)
    flare = fault_per_frame(sc, tl.rep, "knee_flare", 0.0)
    arch = fault_per_frame(sc, tl.rep, "back_arch", 0.0)
    drop = fault_per_frame(sc, tl.rep, "hip_drop", 0.0)
    ph = tl.phase
    # back_arch: the hips sag, turning the shoulder-hip line by `arch` degrees about
    # the shoulders, which stay over the hands.
    alpha = alpha0 + arch * ph
    sh_pos = np.array([0.0, -body.torso * np.cos(np.radians(alpha0)), hip_z + body.torso * np.sin(np.radians(alpha0))])
    trunk_dir = np.stack([np.zeros(n), -np.cos(np.radians(alpha)), np.sin(np.radians(alpha))], axis=-1)
    root_pos = sh_pos[None, :] - body.torso * trunk_dir
    # hip_drop: the pelvis rolls about the body's long axis (support side down);
    # the spine turns back so the shoulders stay level.
    roll = np.zeros(n)
    lift = sc.range_deg * scale * ph
    flat = 90.0 - alpha  # hip / shoulder flexion that makes a thigh / arm vertical
    # The support knee stays on the floor: its thigh leans forward if the hips sag.
    lean = np.degrees(np.arccos(np.clip((root_pos[:, 2] - KNEE_Z) / body.thigh, -1.0, 1.0)))
    angles = {f"{j}_{s}": np.zeros(n) for j in ("hip_flex", "hip_abd", "hip_rot", "knee_flex", "ankle_dorsi",
                                                "sh_flex", "sh_abd", "elbow_flex") for s in "lr"}
    angles.update(spine_flex=np.zeros(n), spine_rot=np.zeros(n), neck_flex=np.full(n, -10.0))
    for s in "lr":
        angles[f"hip_flex_{s}"] = flat + lean
        angles[f"knee_flex_{s}"] = np.full(n, 90.0)
        angles[f"ankle_dorsi_{s}"] = np.full(n, -60.0)
        angles[f"sh_flex_{s}"] = flat.copy()
        angles[f"sh_abd_{s}"] = np.full(n, -8.0)  # cancels FK's default 8°: hands under shoulders
    for side in set(tl.side):
        m = tl.side == side
        s = "r" if side == "right" else "l"
        sign = 1.0 if side == "right" else -1.0
        angles[f"knee_flex_{s}"][m] = 90.0 + knee_d[m] * ph[m]
        if kind == "donkey_kick":
            angles[f"hip_flex_{s}"][m] = flat[m] - lift[m]
            angles[f"hip_abd_{s}"][m] = flare[m] * ph[m]
        else:
            angles[f"hip_flex_{s}"][m] = flat[m]
            angles[f"hip_abd_{s}"][m] = lift[m]
            # Rolling the pelvis toward the support side: about +z of the pelvis
            # frame, which on all fours is the long axis (head to -y).
            roll[m] = -sign * drop[m] * ph[m]
            # The support thigh stays vertical, its knee planted.
            o = "l" if s == "r" else "r"
            angles[f"hip_abd_{o}"][m] = drop[m] * ph[m]
    root_rot = rot_x(90.0 - alpha) @ rot_z(roll)
    angles["spine_rot"] = -roll
    # Rolling about the pelvis centre lowers the support hip by about as much as
    # its tilted thigh gets shorter in height, so the support knee stays down.
    motion = forward_kinematics(tl.times, Pose(n, angles, root_rot, root_pos), body)
    target = np.array([0.0, -0.3, 0.35])
    camera = camera_for(sc.camera, rot_x(90.0 - alpha0), target)
    pts = motion.points
    idx = {"l": (23, 25, 27), "r": (24, 26, 28)}
    reps = []
    for r in tl.reps:
        k = r["index"]
        f = sc.faults.get(k, {})
        peak_i = int(np.argmin(np.abs(tl.times - r["peak_s"])))
        s = "r" if r["side"] == "right" else "l"
        hip, knee, ankle = (pts[peak_i, j] for j in idx[s])
        kv = np.degrees(np.arccos(np.dot(hip - knee, ankle - knee)
                                  / (np.linalg.norm(hip - knee) * np.linalg.norm(ankle - knee))))
        peak = sc.range_deg * (f.get("short_range") or 1.0)
        codes = [c for c in f if c in ("knee_angle", "back_arch", "knee_flare", "hip_drop", "short_range")]
        if "short_range" not in codes and peak < (KICK_MIN_PEAK if kind == "donkey_kick" else HYDRANT_MIN_PEAK):
            codes.append("short_range")
        reps.append({**r, "faults": codes, "metrics": {
            "lift_deg": round(float(peak), 2), "knee_angle_deg": round(float(kv), 2),
            "back_arch_deg": float(f.get("back_arch", 0.0)), "hip_drop_deg": float(f.get("hip_drop", 0.0)),
            "knee_flare_deg": float(f.get("knee_flare", 0.0)),
        }})
    truth = {"exercise": kind, "reps": reps, "holds": [], "steps": [], "cadence_spm": None,
             "view": view_label(sc.camera.view)}
    return Built(motion, camera, truth)


def donkey_kick(sc: Scenario) -> Built:
    """On all fours, one knee bent 90° lifts back until the thigh is level.

    Faults (magnitudes): knee_angle = degrees added to the knee's 90° flexion at
    the top (negative opens the knee); back_arch = degrees the shoulder-hip line
    turns at the top (the hips sag); knee_flare = degrees of hip abduction at the
    top; short_range = share of the full lift reached.
    """
    return _quadruped(sc, "donkey_kick")


def fire_hydrant(sc: Scenario) -> Built:
    """On all fours, one knee bent 90° lifts out to the side.

    Faults (magnitudes): hip_drop = degrees the pelvis rolls toward the support
    side at the top (the working thigh, fixed on the pelvis, rises with it); knee_angle = degrees added to the knee's 90° flexion at the
    top; short_range = share of the full lift reached.
    """
    return _quadruped(sc, "fire_hydrant")
