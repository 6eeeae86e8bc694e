"""Scripted supine exercises with exact truth: the straight leg raise (reps with a
still hold at the top) and the supine figure-four stretch (a hold per side).

Lying face up, head toward +y, the body's front toward the ceiling (z), its left
still +x: a camera in the 'left' or 'right' view films from that side.

Faults, Scenario.faults {n: {code: magnitude}} with n the rep (straight leg
raise) or the hold (figure four), numbered 1.. in time order across the clip:
- straight_leg_raise: knee_bent = knee flexion of the raised leg at the top (°);
  short_hold = length of that rep's top hold (s); short_range = share of the
  normal hip flexion reached. The normal top hold lasts Scenario.top_s (set it
  to at least the checker's hold target, 3 s by default: Scenario's own default
  0.4 s is a clamshell's brief top).
- figure_four: ankle_off_knee = how far the crossed ankle rests from its place
  on the supporting knee, slid down the supporting thigh toward the hip (m); thigh_not_pulled = the
  supporting hip's flexion in that hold (°, normally 100); short_hold = that
  hold's length (s). The normal hold lasts Scenario.hold_s.
The truth flags short_hold only where injected: a scenario's normal hold is
taken to meet the hold target the clip is analysed with.
"""

from __future__ import annotations

import numpy as np

from formcheck_synth.motion import Body, Pose, forward_kinematics, rot_x
from formcheck_synth.scripts import (
    Built,
    Scenario,
    camera_for,
    fault_per_frame,
    hold_timeline,
    rep_timeline,
    view_label,
)

__all__ = ["straight_leg_raise", "figure_four", "SUPINE"]

SUPINE = rot_x(-90.0)  # lying face up, head toward +y, left side still +x
PELVIS_HEIGHT_SUPINE = 0.10  # hip joint centres above the floor (m)
_IDX = {"l": dict(hip=23, knee=25, ankle=27, sh=11), "r": dict(hip=24, knee=26, ankle=28, sh=12)}

# Hooklying: the resting knee bent with its foot flat on the floor [own].
HOOK_HIP, HOOK_KNEE, HOOK_ANKLE = 45.0, 90.0, -45.0


def _angle(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> float:
    u, v = a - b, c - b
    return float(np.degrees(np.arccos(np.clip(u @ v / np.linalg.norm(u) / np.linalg.norm(v), -1, 1))))


def _base_angles(n: int) -> dict[str, np.ndarray]:
    ang = {f"{j}_{s}": np.zeros(n) for j in ("hip_flex", "hip_abd", "hip_rot", "knee_flex", "ankle_dorsi",
                                            "sh_flex", "sh_abd", "elbow_flex") for s in "lr"}
    for s in "lr":  # arms resting by the sides, slightly out
        ang[f"sh_abd_{s}"][:] = 15.0
        ang[f"elbow_flex_{s}"][:] = 10.0
    return ang


def _supine_motion(times: np.ndarray, ang: dict[str, np.ndarray], body: Body):
    n = len(times)
    root_rot = np.broadcast_to(SUPINE, (n, 3, 3)).copy()
    root_pos = np.tile([0.0, 0.0, PELVIS_HEIGHT_SUPINE], (n, 1))
    return forward_kinematics(times, Pose(n, ang, root_rot, root_pos), body)


def _camera(sc: Scenario, body: Body):
    # Aim at the thighs, between the hips and the knees.
    target = np.array([0.0, -0.25 * body.height / 1.75, PELVIS_HEIGHT_SUPINE + 0.1])
    return camera_for(sc.camera, SUPINE, target)


# ---- straight leg raise ------------------------------------------------------------

SLR_RAISE_DEG = 45.0
SWITCH_S = 2.0  # time to swap the resting and the working leg between sides (s)  # normal top: thigh level with the other knee (clinical-criteria.md 3.4, MSD)


def straight_leg_raise(sc: Scenario) -> Built:
    """Lying on the back, the other knee bent with its foot flat; the working leg,
    knee straight, rises to the height of the other knee, holds, and lowers slowly.
    Scenario.range_deg is ignored: the raise is SLR_RAISE_DEG unless short_range."""
    def tempo(k):
        return sc.up_s, sc.fault_on(k, "short_hold") or sc.top_s, sc.down_s

    tl = rep_timeline(sc, tempo)
    n = len(tl.times)
    body = Body(height=sc.height_m)
    per = {c: fault_per_frame(sc, tl.rep, c)
           for c in ("knee_bent", "short_range")}
    scale = np.where(per["short_range"] > 0, per["short_range"], 1.0)
    ang = _base_angles(n)
    # How bent each leg rests (1 = hooklying); a side switch bends one knee and
    # straightens the other over SWITCH_S in the set pause, not in one frame.
    win = max(1, int(round(SWITCH_S * sc.camera.fps)))
    kernel = np.ones(win) / win
    for s in "lr":
        resting = np.array([(side == "right") == (s == "l") for side in tl.side], float)
        pad = np.concatenate([np.full(win, resting[0]), resting, np.full(win, resting[-1])])
        hook = np.convolve(pad, kernel, mode="same")[win:-win]
        work = 1.0 - hook
        ang[f"hip_flex_{s}"] = HOOK_HIP * hook + work * SLR_RAISE_DEG * scale * tl.phase
        ang[f"knee_flex_{s}"] = HOOK_KNEE * hook + work * per["knee_bent"] * tl.phase
        ang[f"ankle_dorsi_{s}"] = HOOK_ANKLE * hook + 5.0 * work
    motion = _supine_motion(tl.times, ang, body)
    camera = _camera(sc, body)
    pts = motion.points
    reps = []
    for r in tl.reps:
        k = r["index"]
        f = sc.faults.get(k, {})
        hold = f.get("short_hold", sc.top_s)
        codes = [c for c in ("knee_bent", "short_hold", "short_range") if c in f]
        i = int(np.argmin(np.abs(tl.times - r["peak_s"])))
        s = "r" if r["side"] == "right" else "l"
        o = "l" if s == "r" else "r"
        j, oj = _IDX[s], _IDX[o]
        reps.append({**r, "faults": codes,
                     "metrics": {
                         "hip_flexion_deg": round(180 - _angle(pts[i, j["sh"]], pts[i, j["hip"]], pts[i, j["knee"]]), 2),
                         "knee_flexion_deg": round(180 - _angle(pts[i, j["hip"]], pts[i, j["knee"]], pts[i, j["ankle"]]), 2),
                         "other_knee_angle_deg": round(_angle(pts[i, oj["hip"]], pts[i, oj["knee"]], pts[i, oj["ankle"]]), 2),
                         "hold_s": float(hold)}})
    truth = {"exercise": "straight_leg_raise", "reps": reps, "holds": [], "steps": [], "cadence_spm": None,
             "view": view_label(sc.camera.view)}
    return Built(motion, camera, truth)


# ---- supine figure four ------------------------------------------------------------

F4_SUPPORT_HIP, F4_SUPPORT_KNEE = 100.0, 90.0  # supporting thigh pulled in (getwellen: toward the chest)
# The crossed ankle rests across the front of the supporting thigh just above the
# knee: joint centres about 10 cm apart (thigh and ankle half-thickness) [own].
F4_ANKLE_FRONT, F4_ANKLE_UP_THIGH = 0.10, 0.04


def _cross_pose(body: Body, support_hip: float, off_m: float, s: str) -> tuple[float, float, float, float]:
    """(hip flexion, abduction, external rotation, knee flexion) of crossed leg s that put its ankle
    on the supporting knee (the other leg at support_hip / F4_SUPPORT_KNEE), moved
    off_m along the supporting thigh toward the hip: a grid search over the forward kinematics in
    the standing frame (the same in the body's frame once lying)."""
    o = "l" if s == "r" else "r"
    one = Pose(1, {f"hip_flex_{o}": np.array([support_hip]), f"knee_flex_{o}": np.array([F4_SUPPORT_KNEE])})
    mo = forward_kinematics(np.zeros(1), one, body)
    p = mo.points[0]
    front = mo.rotations[f"thigh_{o}"][0] @ np.array([0.0, -1.0, 0.0])
    hip_o, knee_o = p[_IDX[o]["hip"]], p[_IDX[o]["knee"]]
    up_thigh = (hip_o - knee_o) / np.linalg.norm(hip_o - knee_o)
    target = knee_o + F4_ANKLE_FRONT * front + (F4_ANKLE_UP_THIGH + off_m) * up_thigh
    # The knee bend that makes the leg exactly long enough (law of cosines).
    d = float(np.linalg.norm(target - p[_IDX[s]["hip"]]))
    inner = np.degrees(np.arccos(np.clip((body.thigh ** 2 + body.shank ** 2 - d ** 2)
                                         / (2 * body.thigh * body.shank), -1, 1)))
    knee = 180.0 - float(inner)
    f, a, r = np.meshgrid(np.arange(30.0, 131.0, 3.0), np.arange(-10.0, 71.0, 3.0), np.arange(0.0, 101.0, 3.0))
    f, a, r = f.ravel(), a.ravel(), r.ravel()
    m = len(f)
    pose = Pose(m, {f"hip_flex_{s}": f, f"hip_abd_{s}": a, f"hip_rot_{s}": r,
                    f"knee_flex_{s}": np.full(m, knee)})
    pts = forward_kinematics(np.arange(m), pose, body).points
    err = np.linalg.norm(pts[:, _IDX[s]["ankle"]] - target, axis=-1)
    # Among the poses that reach, the one with the knee falling furthest out to
    # its own side (the '4' shape, the hip turned out).
    out = pts[:, _IDX[s]["knee"], 0] * (1.0 if s == "l" else -1.0)
    k = int(np.argmax(np.where(err < 0.02, out, -np.inf))) if (err < 0.02).any() else int(np.argmin(err))
    if err[k] > 0.03:
        raise ValueError(f"figure_four: the crossed ankle cannot reach its place ({err[k]:.3f} m off)")
    return float(f[k]), float(a[k]), float(r[k]), knee


def figure_four(sc: Scenario) -> Built:
    """Lying on the back, knees bent and feet flat; cross one ankle over the other
    knee and pull the supporting thigh toward the chest, hands behind it; hold;
    uncross; other side. The side is the crossed (stretched) leg."""
    tl = hold_timeline(sc)
    n = len(tl.times)
    p = tl.phase
    body = Body(height=sc.height_m)
    ang = _base_angles(n)
    for s in "lr":
        ang[f"hip_flex_{s}"][:], ang[f"knee_flex_{s}"][:] = HOOK_HIP, HOOK_KNEE
        ang[f"ankle_dorsi_{s}"][:] = HOOK_ANKLE
    cache: dict[tuple, tuple[float, float, float, float]] = {}
    for k in range(1, len(tl.holds) + 1):
        m = tl.hold == k
        side = tl.holds[k - 1]["side"]
        s = "r" if side == "right" else "l"
        o = "l" if s == "r" else "r"
        sup = sc.fault_on(k, "thigh_not_pulled") or F4_SUPPORT_HIP
        off = sc.fault_on(k, "ankle_off_knee") or 0.0
        key = (sup, off, s)
        if key not in cache:
            cache[key] = _cross_pose(body, sup, off, s)
        cf, ca, cr, ck = cache[key]
        pm = p[m]
        ang[f"hip_flex_{o}"][m] = HOOK_HIP + (sup - HOOK_HIP) * pm
        ang[f"knee_flex_{o}"][m] = HOOK_KNEE + (F4_SUPPORT_KNEE - HOOK_KNEE) * pm
        ang[f"ankle_dorsi_{o}"][m] = HOOK_ANKLE * (1 - pm)
        ang[f"hip_flex_{s}"][m] = HOOK_HIP + (cf - HOOK_HIP) * pm
        ang[f"hip_abd_{s}"][m] = ca * pm
        ang[f"hip_rot_{s}"][m] = cr * pm
        ang[f"knee_flex_{s}"][m] = HOOK_KNEE + (ck - HOOK_KNEE) * pm
        ang[f"ankle_dorsi_{s}"][m] = HOOK_ANKLE * (1 - pm) + 10.0 * pm
        # Hands reach behind the supporting thigh.
        for a in "lr":
            ang[f"sh_flex_{a}"][m] = 15.0 + 75.0 * pm
            ang[f"sh_abd_{a}"][m] = 15.0 * (1 - pm)
            ang[f"elbow_flex_{a}"][m] = 10.0 + 40.0 * pm
    motion = _supine_motion(tl.times, ang, body)
    camera = _camera(sc, body)
    pts = motion.points
    holds = []
    for h in tl.holds:
        k = h["index"]
        f = sc.faults.get(k, {})
        i = int(np.argmin(np.abs(tl.times - (h["start_s"] + h["end_s"]) / 2)))
        s = "r" if h["side"] == "right" else "l"
        o = "l" if s == "r" else "r"
        codes = [c for c in ("ankle_off_knee", "thigh_not_pulled", "short_hold") if c in f]
        j, oj = _IDX[s], _IDX[o]
        shank_o = float(np.linalg.norm(pts[i, oj["knee"]] - pts[i, oj["ankle"]]))
        holds.append({"side": h["side"], "start_s": h["start_s"], "end_s": h["end_s"],
                      "duration_s": h["duration_s"], "faults": codes, "metrics": {
                          "support_hip_flexion_deg": round(
                              180 - _angle(pts[i, oj["sh"]], pts[i, oj["hip"]], pts[i, oj["knee"]]), 2),
                          "ankle_to_knee_shank": round(
                              float(np.linalg.norm(pts[i, j["ankle"]] - pts[i, oj["knee"]])) / shank_o, 3)}})
    truth = {"exercise": "figure_four", "reps": [], "holds": holds, "steps": [], "cadence_spm": None,
             "view": view_label(sc.camera.view)}
    return Built(motion, camera, truth)
