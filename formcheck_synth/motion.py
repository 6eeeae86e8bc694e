"""Whole-body motion as joint angles, and forward kinematics to the 33 BlazePose points.

A `Motion` is the contract between the scripted exercises (`formcheck_synth.scripts`),
the skeleton pose kit (`formcheck_synth.kit`, numpy only) and the avatar renderer
(`formcheck_synth.avatar`, torch + anny). It holds, per frame, the world-space
rotation of every body segment relative to the neutral pose, and the position of
the pelvis centre.

Neutral pose: standing upright at the origin, facing -y, arms hanging at the
sides, palms facing the thighs, feet forward. World frame: metres, z up; the
person's left is +x.

Anatomical joint rotations (all angles in degrees):
- hip / shoulder: flexion (limb forward), abduction (limb out to the side),
  external rotation (toes / forearm turned outward), composed as
  R = R_flex @ R_abd @ R_rot in the parent segment's frame.
- knee: flexion (shank swings backward). elbow: flexion (forearm forward).
- ankle: dorsiflexion (toes up).
- leg_open_l / leg_open_r: the whole leg turned about the hip->ankle axis, knee
  outward (a clamshell opening with the feet kept together).
- spine (trunk on pelvis) and neck (head on trunk): flexion (forward),
  lateral bend (toward the person's left is positive), axial rotation (toward
  the person's left is positive).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

__all__ = [
    "SEGMENTS",
    "Body",
    "Motion",
    "Pose",
    "rot_x",
    "rot_y",
    "rot_z",
    "hip_rotation",
    "forward_kinematics",
]

SEGMENTS = (
    "pelvis", "trunk", "head",
    "thigh_l", "shank_l", "foot_l", "thigh_r", "shank_r", "foot_r",
    "upperarm_l", "forearm_l", "hand_l", "upperarm_r", "forearm_r", "hand_r",
)


def _rot(axis: int, deg: np.ndarray | float) -> np.ndarray:
    """Rotation matrices (..., 3, 3) about a world axis by `deg` degrees."""
    a = np.radians(np.asarray(deg, float))
    c, s = np.cos(a), np.sin(a)
    one, zero = np.ones_like(a), np.zeros_like(a)
    if axis == 0:
        rows = [[one, zero, zero], [zero, c, -s], [zero, s, c]]
    elif axis == 1:
        rows = [[c, zero, s], [zero, one, zero], [-s, zero, c]]
    else:
        rows = [[c, -s, zero], [s, c, zero], [zero, zero, one]]
    return np.stack([np.stack(r, axis=-1) for r in rows], axis=-2)


def rot_x(deg):
    return _rot(0, deg)


def rot_y(deg):
    return _rot(1, deg)


def rot_z(deg):
    return _rot(2, deg)


def _axis_angle(axis: np.ndarray, deg: np.ndarray) -> np.ndarray:
    """Rodrigues rotation matrices [N,3,3] about unit axes [N,3] by deg [N]."""
    a = np.radians(np.asarray(deg, float))[..., None, None]
    k = np.zeros(axis.shape[:-1] + (3, 3))
    k[..., 0, 1], k[..., 0, 2] = -axis[..., 2], axis[..., 1]
    k[..., 1, 0], k[..., 1, 2] = axis[..., 2], -axis[..., 0]
    k[..., 2, 0], k[..., 2, 1] = -axis[..., 1], axis[..., 0]
    return np.eye(3) + np.sin(a) * k + (1 - np.cos(a)) * (k @ k)


def hip_rotation(flexion, abduction, external_rotation, side: str) -> np.ndarray:
    """Local rotation (..., 3, 3) of a hip or shoulder joint.

    Flexion swings the limb forward (-y), abduction away from the midline,
    external rotation turns the front of the limb outward.
    """
    sign = 1.0 if side == "l" else -1.0
    return (
        rot_x(-np.asarray(flexion, float))
        @ rot_y(-sign * np.asarray(abduction, float))
        @ rot_z(sign * np.asarray(external_rotation, float))
    )


def trunk_rotation(flexion, lateral_bend, axial_rotation) -> np.ndarray:
    """Local rotation (..., 3, 3) of the trunk on the pelvis or the head on the trunk."""
    # The trunk and head point up, so forward flexion (toward -y) is a positive
    # turn about +x (a limb hanging down flexes with a negative one).
    return (
        rot_x(np.asarray(flexion, float))
        @ rot_y(np.asarray(lateral_bend, float))
        @ rot_z(np.asarray(axial_rotation, float))
    )


@dataclass(frozen=True)
class Body:
    """Segment lengths in metres, from body height with Winter's (2009)
    anthropometric proportions."""

    height: float = 1.75
    hip_width_ratio: float = 0.10   # hip joint centre spacing / height
    shoulder_width_ratio: float = 0.215  # acromion spacing / height

    @property
    def thigh(self) -> float:
        return 0.245 * self.height

    @property
    def shank(self) -> float:
        return 0.246 * self.height

    @property
    def foot(self) -> float:
        return 0.152 * self.height

    @property
    def ankle_height(self) -> float:
        return 0.039 * self.height

    @property
    def torso(self) -> float:
        return 0.288 * self.height

    @property
    def upperarm(self) -> float:
        return 0.186 * self.height

    @property
    def forearm(self) -> float:
        return 0.146 * self.height

    @property
    def hand(self) -> float:
        return 0.108 * self.height

    @property
    def hip_width(self) -> float:
        return self.hip_width_ratio * self.height

    @property
    def shoulder_width(self) -> float:
        return self.shoulder_width_ratio * self.height

    @property
    def neck(self) -> float:
        return 0.052 * self.height


@dataclass
class Pose:
    """Joint angles over N frames (degrees), each an array [N]; unspecified
    angles stay at zero. Root orientation is a rotation [N,3,3], root position [N,3]."""

    n: int
    angles: dict[str, np.ndarray] = field(default_factory=dict)
    root_rot: np.ndarray | None = None
    root_pos: np.ndarray | None = None

    def get(self, name: str) -> np.ndarray:
        return np.asarray(self.angles.get(name, np.zeros(self.n)), float)


@dataclass(frozen=True)
class Motion:
    """Per-frame segment rotations (world, relative to neutral) and pelvis position.

    times: [N] seconds. root_pos: [N,3] pelvis centre (mid-hip joint centres).
    rotations: segment name -> [N,3,3]. points: [N,33,3] BlazePose-order points of
    the kit's reference skeleton (world metres). angles: the joint angles that made it.
    """

    times: np.ndarray
    root_pos: np.ndarray
    rotations: dict[str, np.ndarray]
    points: np.ndarray
    angles: dict[str, np.ndarray]
    body: Body


def forward_kinematics(times: np.ndarray, pose: Pose, body: Body = Body()) -> Motion:
    """Joint angles -> segment rotations and the 33 landmark points."""
    n = pose.n
    g = pose.get
    eye = np.broadcast_to(np.eye(3), (n, 3, 3))
    r_pelvis = pose.root_rot if pose.root_rot is not None else eye.copy()
    p_pelvis = pose.root_pos if pose.root_pos is not None else np.zeros((n, 3))

    def apply(r, v):
        return np.einsum("nij,j->ni", r, np.asarray(v, float))

    rot = {"pelvis": r_pelvis}
    rot["trunk"] = r_pelvis @ trunk_rotation(g("spine_flex"), g("spine_bend"), g("spine_rot"))
    rot["head"] = rot["trunk"] @ trunk_rotation(g("neck_flex"), g("neck_bend"), g("neck_rot"))
    pts = np.zeros((n, 33, 3))
    side_idx = {
        "l": dict(hip=23, knee=25, ankle=27, heel=29, toe=31, sh=11, el=13, wr=15, pinky=17, index=19, thumb=21),
        "r": dict(hip=24, knee=26, ankle=28, heel=30, toe=32, sh=12, el=14, wr=16, pinky=18, index=20, thumb=22),
    }
    mid_sh = p_pelvis + apply(rot["trunk"], [0, 0, body.torso])
    for s, sign in (("l", 1.0), ("r", -1.0)):
        ix = side_idx[s]
        hip = p_pelvis + apply(r_pelvis, [sign * body.hip_width / 2, 0, 0])
        rt = r_pelvis @ hip_rotation(g(f"hip_flex_{s}"), g(f"hip_abd_{s}"), g(f"hip_rot_{s}"), s)
        rs = rt @ rot_x(g(f"knee_flex_{s}"))
        rf = rs @ rot_x(-g(f"ankle_dorsi_{s}"))
        open_deg = g(f"leg_open_{s}")
        if np.any(open_deg != 0):
            # Rotate the whole leg about the hip->ankle axis (a clamshell keeps the
            # feet together while the knee opens); positive lifts the knee toward
            # the person's own side (outward).
            ankle0 = hip + apply(rt, [0, 0, -body.thigh]) + apply(rs, [0, 0, -body.shank])
            axis = ankle0 - hip
            axis /= np.linalg.norm(axis, axis=-1, keepdims=True)
            r_open = _axis_angle(axis, -sign * open_deg)
            rt, rs, rf = r_open @ rt, r_open @ rs, r_open @ rf
        knee = hip + apply(rt, [0, 0, -body.thigh])
        ankle = knee + apply(rs, [0, 0, -body.shank])
        heel = ankle + apply(rf, [0, 0.25 * body.foot, -body.ankle_height])
        toe = ankle + apply(rf, [0, -0.75 * body.foot, -body.ankle_height])
        rot[f"thigh_{s}"], rot[f"shank_{s}"], rot[f"foot_{s}"] = rt, rs, rf
        pts[:, ix["hip"]], pts[:, ix["knee"]], pts[:, ix["ankle"]] = hip, knee, ankle
        pts[:, ix["heel"]], pts[:, ix["toe"]] = heel, toe

        sh = mid_sh + apply(rot["trunk"], [sign * body.shoulder_width / 2, 0, 0])
        # Arms hang with a small default abduction so they clear the trunk.
        ru = rot["trunk"] @ hip_rotation(g(f"sh_flex_{s}"), g(f"sh_abd_{s}") + 8.0, g(f"sh_rot_{s}"), s)
        rfa = ru @ rot_x(-g(f"elbow_flex_{s}"))
        el = sh + apply(ru, [0, 0, -body.upperarm])
        wr = el + apply(rfa, [0, 0, -body.forearm])
        rot[f"upperarm_{s}"], rot[f"forearm_{s}"], rot[f"hand_{s}"] = ru, rfa, rfa
        pts[:, ix["sh"]], pts[:, ix["el"]], pts[:, ix["wr"]] = sh, el, wr
        pts[:, ix["pinky"]] = wr + apply(rfa, [sign * 0.02, 0.01, -0.6 * body.hand])
        pts[:, ix["index"]] = wr + apply(rfa, [sign * 0.0, -0.02, -0.7 * body.hand])
        pts[:, ix["thumb"]] = wr + apply(rfa, [0, -0.04, -0.35 * body.hand])

    head_base = mid_sh + apply(rot["trunk"], [0, 0, body.neck])
    h = body.height
    face = {  # offsets in the head frame: x left, -y forward, z up
        0: [0, -0.055 * h, 0.05 * h],
        1: [0.012 * h, -0.05 * h, 0.062 * h], 2: [0.02 * h, -0.048 * h, 0.062 * h], 3: [0.028 * h, -0.045 * h, 0.062 * h],
        4: [-0.012 * h, -0.05 * h, 0.062 * h], 5: [-0.02 * h, -0.048 * h, 0.062 * h], 6: [-0.028 * h, -0.045 * h, 0.062 * h],
        7: [0.045 * h, -0.005 * h, 0.058 * h], 8: [-0.045 * h, -0.005 * h, 0.058 * h],
        9: [0.012 * h, -0.05 * h, 0.035 * h], 10: [-0.012 * h, -0.05 * h, 0.035 * h],
    }
    for k, off in face.items():
        pts[:, k] = head_base + apply(rot["head"], off)

    angles = {k: np.asarray(v, float) for k, v in pose.angles.items()}
    return Motion(times=np.asarray(times, float), root_pos=p_pelvis, rotations=rot, points=pts, angles=angles, body=body)
