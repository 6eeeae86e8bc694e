"""Treadmill running with exact ground truth, for the gait checker (`formcheck.gait`).

The runner stays in place as on a treadmill, facing -y. The legs are driven by
inverse kinematics from foot paths: in stance the foot lies on the belt and
moves backward with it (heel strike, foot flat, heel rise over the toe); in
swing the ankle follows a smooth path with a heel kick. The pelvis bounces
once per step (lowest at midstance), rotates a little with the legs and, in
stance, drops on the swing side; the trunk leans forward; the arms swing
opposite the legs. Default timing: 170 steps/min, 0.25 s stance, so about
0.1 s of flight per step.

Scenario fields, read for running:
- reps x sets: the number of steps in the clip (1-based, in time order);
- sides[0]: the leg of the first step;
- lead_s: seconds standing still before running (a standing baseline), then
  `RunParams.ramp_s` of speeding up; 0 starts the clip mid-run;
- faults: {step: {code: magnitude}}:
    knee_valgus: true FPPA (degrees) at midstance (its peak over midstance
        +- 35% of the stance, as the checker reads it), via the whole leg turned
        inward about the hip-heel axis (hip adduction with internal rotation,
        the knee falling in over a planted foot);
    pelvic_drop: contralateral pelvic drop at midstance (degrees, 3D);
    crossover: metres the heel lands past the body midline;
    overstride: heel ahead of the hip at contact, in leg lengths (thigh + shank);
  and faults[0] = {"low_cadence": steps_per_min} sets the whole clip's cadence;
- camera, height_m: as for any scenario.
Everything else (step timing, speed, normal magnitudes) is in `RunParams`,
given as the optional second argument of `running`.

Truth is in the report's terms: steps with side, contact_s, midstance_s,
toe_off_s, metrics and fault codes; cadence_spm; view. Frontal metrics (FPPA,
pelvic drop, heel offset) are measured as the checker defines them, in 2D
from the exact joints projected by the scenario's camera if it films from the
front or back, otherwise by a virtual camera behind the runner; sagittal
metrics (overstride, tibia angle) likewise with the scenario's camera if it is
a side view, otherwise a virtual camera on the runner's left. Fault codes are
those whose true value crosses the checker's limit (FPPA against the standing
baseline + 10° when lead_s >= 1 s, else 15°). Steps during the ramp from
standing are not listed; `running_from_s` says where listed steps begin.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from formcheck.geometry import fppa
from formcheck_synth.camera import Camera
from formcheck_synth.motion import Body, Motion, Pose, forward_kinematics, rot_y, rot_z
from formcheck_synth.scripts import Built, CameraSpec, Scenario, camera_for, view_label

__all__ = ["RunParams", "running", "treadmill_scenario", "STEP_FAULTS"]

STEP_FAULTS = ("knee_valgus", "pelvic_drop", "crossover", "overstride")

# Checker limits the truth's fault codes are judged with (they mirror
# formcheck.gait; kept here so the synthetic kit does not import the checker).
_FPPA_ABS = 15.0
_FPPA_OVER_BASELINE = 10.0
_PELVIC_DROP = 8.0
_OVERSTRIDE = 0.15
_TIBIA = 10.0
_LOW_CADENCE = 160.0
_BASELINE_MIN_S = 1.0  # the checker needs this much still standing for a baseline
# The checker reads FPPA and pelvic drop as their peak over midstance +- 35% of the stance.
_WINDOW = 0.35


@dataclass(frozen=True)
class RunParams:
    """Normal running; faults on chosen steps change it (see module notes).

    Angles in degrees, lengths in metres, times in seconds.
    """

    cadence_spm: float = 170.0
    stance_s: float = 0.25
    speed_mps: float = 2.3  # belt speed: a slow jog (8.3 km/h)
    overstride: float = 0.10  # heel ahead of hip at contact / (thigh + shank)
    step_width_m: float = 0.06  # heel centre to heel centre (Brindle: ~6 cm, clinical-criteria.md 1.2)
    fppa_deg: float = 4.0  # true FPPA on normal steps (peak over midstance +- 35% of the stance)
    pelvic_drop_deg: float = 3.0  # normal contralateral drop at midstance
    knee_contact_deg: float = 18.0  # knee flexion at contact (sets the pelvis height)
    bounce_m: float = 0.04  # half the pelvis' vertical travel
    pelvis_rot_deg: float = 4.0  # pelvis axial rotation amplitude
    trunk_lean_deg: float = 6.0
    arm_swing_deg: float = 35.0
    elbow_deg: float = 85.0
    foot_strike_deg: float = 12.0  # toes up at heel strike
    toe_off_deg: float = 30.0  # heel up at toe-off
    swing_lift_m: float = 0.26  # extra ankle lift in mid swing (heel kick)
    landing_mps: float = 0.8  # the foot's downward speed at touchdown
    ramp_s: float = 0.8  # from standing to full running after lead_s
    first_contact_s: float = 0.12  # with lead_s == 0: the first step's contact
    tail_s: float = 0.2  # running on after the last step's toe-off
    standing_knee_deg: float = 3.0


def _smoothstep(x: np.ndarray) -> np.ndarray:
    x = np.clip(x, 0.0, 1.0)
    return x * x * (3 - 2 * x)


def _rot_pitch(phi: np.ndarray) -> np.ndarray:
    """Foot rotation [N,3,3] for a pitch phi (toes up positive) of a foot facing -y."""
    a = np.radians(-np.asarray(phi, float))
    c, s = np.cos(a), np.sin(a)
    r = np.zeros(a.shape + (3, 3))
    r[..., 0, 0] = 1
    r[..., 1, 1], r[..., 1, 2] = c, -s
    r[..., 2, 1], r[..., 2, 2] = s, c
    return r


@dataclass(frozen=True)
class _Contacts:
    """The contacts of one leg, in time order, including virtual ones before
    and after the clip's steps so every instant lies in a stance or a swing.

    t_ic [C]; step [C] 1-based step number (0 for virtual ones); heel_u [C]
    heel ahead of the pelvis at contact (m); heel_x [C] world x of the heel;
    valgus [C] leg turn (deg, negative = knee in); drop [C] pelvic drop (deg).
    """

    t_ic: np.ndarray
    step: np.ndarray
    heel_u: np.ndarray
    heel_x: np.ndarray
    valgus: np.ndarray
    drop: np.ndarray


class _Run:
    """The running pattern as a function of time (vectorised)."""

    def __init__(self, sc: Scenario, rp: RunParams, body: Body):
        self.sc, self.rp, self.body = sc, rp, body
        cad = sc.faults.get(0, {}).get("low_cadence", rp.cadence_spm)
        self.t_step = 60.0 / cad
        self.stance = min(rp.stance_s, 0.85 * self.t_step)
        self.n_steps = max(1, sc.reps * sc.sets)
        self.first_side = sc.sides[0] if sc.sides else "right"
        self.l1, self.l2 = body.thigh, body.shank
        self.leg = self.l1 + self.l2
        if sc.lead_s > 0:
            self.t_run = sc.lead_s  # running starts (ramp begins)
            # First full step: the first contact after the ramp.
            self.t_first = sc.lead_s + rp.ramp_s + 0.5 * self.t_step
        else:
            self.t_run = -10.0
            self.t_first = rp.first_contact_s
        self.t_end = self.t_first + (self.n_steps - 1) * self.t_step + self.stance + rp.tail_s
        # Pelvis height: knee flexion at contact as asked, on a normal step.
        d_ic = np.sqrt(self.l1 ** 2 + self.l2 ** 2 + 2 * self.l1 * self.l2 * np.cos(np.radians(rp.knee_contact_deg)))
        ank_u, ank_z = self._ankle_at_contact(rp.overstride * self.leg)
        dx = rp.step_width_m / 2 - body.hip_width / 2
        z_ic = ank_z + np.sqrt(max(d_ic ** 2 - ank_u ** 2 - dx ** 2, 0.1))
        self.z0 = z_ic + rp.bounce_m * np.cos(np.pi * self.stance / self.t_step)
        d_st = np.sqrt(self.l1 ** 2 + self.l2 ** 2 + 2 * self.l1 * self.l2 * np.cos(np.radians(rp.standing_knee_deg)))
        self.z_stand = body.ankle_height + d_st
        self.contacts = {s: self._contacts(s) for s in ("left", "right")}
        # Where a step lands too far ahead for the leg to reach (overstride), the
        # pelvis dips around that contact so the knee keeps >= 8° of flexion.
        d_max = np.sqrt(self.l1 ** 2 + self.l2 ** 2 + 2 * self.l1 * self.l2 * np.cos(np.radians(8.0)))
        dip_t, dip_m = [], []
        for side in ("left", "right"):
            c = self.contacts[side]
            sign = 1.0 if side == "left" else -1.0
            for t_ic, hu, hx in zip(c.t_ic, c.heel_u, c.heel_x):
                au, az = self._ankle_at_contact(hu)
                need = az + np.sqrt(max(d_max ** 2 - au ** 2 - (hx - sign * body.hip_width / 2) ** 2, 0.1))
                dip_t.append(t_ic)
                dip_m.append(max(0.0, float(self._bounce(np.array([t_ic]))[0]) - need))
        self.dip_t, self.dip_m = np.array(dip_t), np.array(dip_m)

    # ---- steps ---------------------------------------------------------------------

    def step_side(self, k: int) -> str:
        other = "left" if self.first_side == "right" else "right"
        return self.first_side if (k - 1) % 2 == 0 else other

    def t_contact(self, k: int) -> float:
        return self.t_first + (k - 1) * self.t_step

    def _contacts(self, side: str) -> _Contacts:
        rp = self.rp
        sign = 1.0 if side == "left" else -1.0
        ks = [k for k in range(-3 - int(self.t_first / self.t_step), self.n_steps + 4) if self.step_side(k) == side]
        t_ic, step, heel_u, heel_x, valgus, drop = [], [], [], [], [], []
        for k in ks:
            f = self.sc.faults.get(k, {}) if 1 <= k <= self.n_steps else {}
            t_ic.append(self.t_contact(k))
            step.append(k if 1 <= k <= self.n_steps else 0)
            heel_u.append(f.get("overstride", rp.overstride) * self.leg)
            c = f.get("crossover")
            heel_x.append(sign * (-c if c is not None else rp.step_width_m / 2))
            valgus.append(0.0)  # solved later for the asked FPPA
            drop.append(f.get("pelvic_drop", rp.pelvic_drop_deg))
        return _Contacts(*(np.asarray(a, float) for a in (t_ic, step, heel_u, heel_x, valgus, drop)))

    # ---- foot in stance --------------------------------------------------------------

    def _pitch_stance(self, s: np.ndarray) -> np.ndarray:
        rp = self.rp
        # Heel strike rolls to foot flat by 15% of the stance; the heel rises from 55%,
        # faster and faster (push-off), so the foot leaves the ground moving up.
        return np.where(s < 0.15, rp.foot_strike_deg * (1 - _smoothstep(s / 0.15)),
                        np.where(s < 0.55, 0.0, -rp.toe_off_deg * np.clip((s - 0.55) / 0.45, 0, 1) ** 2))

    def _foot_offsets(self, phi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Heel and toe offsets from the ankle [N,3] for a foot pitch."""
        b = self.body
        r = _rot_pitch(phi)
        heel = np.einsum("nij,j->ni", r, [0.0, 0.25 * b.foot, -b.ankle_height])
        toe = np.einsum("nij,j->ni", r, [0.0, -0.75 * b.foot, -b.ankle_height])
        return heel, toe

    def _ankle_at_contact(self, heel_u: float) -> tuple[float, float]:
        heel, _ = self._foot_offsets(np.array([self.rp.foot_strike_deg]))
        return float(heel_u + heel[0, 1]), float(-heel[0, 2])  # u = -y

    def _stance_ankle(self, tau: np.ndarray, heel_u: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Ankle (u forward, z up) and foot pitch at tau s after contact [N]."""
        v = self.rp.speed_mps
        s = tau / self.stance
        phi = self._pitch_stance(s)
        heel_off, toe_off = self._foot_offsets(phi)
        heel_u_t = heel_u - v * tau
        # Heel pivot until the heel rises (s=0.55), then the toe, a foot length ahead.
        toe_u_t = heel_u_t + self.body.foot
        on_heel = s < 0.55
        # offsets are in world (x, y, z); u = -y.
        u = np.where(on_heel, heel_u_t + heel_off[:, 1], toe_u_t + toe_off[:, 1])
        z = np.where(on_heel, -heel_off[:, 2], -toe_off[:, 2])
        return u, z, phi

    # ---- the whole pattern -----------------------------------------------------------

    def weight(self, t: np.ndarray) -> np.ndarray:
        """0 standing .. 1 running."""
        return _smoothstep((t - self.t_run) / self.rp.ramp_s) if self.t_run > -5 else np.ones_like(t)

    def leg_targets(self, t: np.ndarray, side: str) -> dict[str, np.ndarray]:
        """Ankle target (world), foot pitch, leg turn and pelvic drop contribution for one leg."""
        c = self.contacts[side]
        t = np.asarray(t, float)
        i = np.clip(np.searchsorted(c.t_ic, t, side="right") - 1, 0, len(c.t_ic) - 2)
        tau = t - c.t_ic[i]
        in_stance = tau < self.stance
        su, sz, sphi = self._stance_ankle(np.clip(tau, 0, self.stance), c.heel_u[i])
        # Swing from this contact's toe-off to the next contact.
        t_sw = c.t_ic[i + 1] - c.t_ic[i] - self.stance
        sig = np.clip((tau - self.stance) / t_sw, 0.0, 1.0)
        h = 1e-4
        u0, z0, _ = self._stance_ankle(np.full_like(tau, self.stance), c.heel_u[i])
        u0b, z0b, _ = self._stance_ankle(np.full_like(tau, self.stance - h), c.heel_u[i])
        u1, z1, _ = self._stance_ankle(np.zeros_like(tau), c.heel_u[i + 1])
        u1b, z1b, _ = self._stance_ankle(np.full_like(tau, h), c.heel_u[i + 1])
        m0u, m0z = (u0 - u0b) / h * t_sw, (z0 - z0b) / h * t_sw
        m1u, m1z = (u1b - u1) / h * t_sw, ((z1b - z1) / h - self.rp.landing_mps) * t_sw
        h00, h10 = 2 * sig ** 3 - 3 * sig ** 2 + 1, sig ** 3 - 2 * sig ** 2 + sig
        h01, h11 = -2 * sig ** 3 + 3 * sig ** 2, sig ** 3 - sig ** 2
        wu = h00 * u0 + h10 * m0u + h01 * u1 + h11 * m1u
        wz = h00 * z0 + h10 * m0z + h01 * z1 + h11 * m1z + self.rp.swing_lift_m * np.sin(np.pi * sig ** 0.85) ** 2
        wphi = -self.rp.toe_off_deg + (self.rp.toe_off_deg + self.rp.foot_strike_deg) * _smoothstep(sig)
        u = np.where(in_stance, su, wu)
        z = np.where(in_stance, sz, wz)
        phi = np.where(in_stance, sphi, wphi)
        x = np.where(in_stance, c.heel_x[i], c.heel_x[i] + (c.heel_x[i + 1] - c.heel_x[i]) * _smoothstep(sig))
        s = np.clip(tau / self.stance, 0.0, 1.0)
        # Valgus and pelvic drop rise from contact to a peak at midstance and ease off by toe-off.
        bump = np.where(in_stance, np.sin(np.pi * s), 0.0)
        # Standing: the ankle under the hip, the foot flat.
        w = self.weight(t)
        sign = 1.0 if side == "left" else -1.0
        x = (1 - w) * sign * self.body.hip_width / 2 + w * x
        u = w * u
        z = (1 - w) * self.body.ankle_height + w * z
        phi = w * phi
        return {"ankle": np.stack([x, -u, z], axis=-1), "phi": phi, "valgus": w * c.valgus[i] * bump,
                "drop": w * c.drop[i] * bump, "stance": in_stance, "swing_frac": sig,
                "t_to": c.t_ic[i] + self.stance, "t_next": c.t_ic[i + 1]}

    def _bounce(self, t: np.ndarray) -> np.ndarray:
        """Pelvis height of the running pattern [N]: lowest at each midstance."""
        ph = (t - self.t_first - self.stance / 2) / self.t_step
        return self.z0 - self.rp.bounce_m * np.cos(2 * np.pi * ph)

    def pelvis(self, t: np.ndarray, legs: dict[str, dict]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Pelvis centre height [N], obliquity [N] (rot_y angle) and axial rotation [N]."""
        rp = self.rp
        w = self.weight(t)
        ph = (t - self.t_first - self.stance / 2) / self.t_step
        z = self._bounce(t)
        for t_ic, m in zip(self.dip_t, self.dip_m):
            if m > 0:
                x = np.clip((t - t_ic) / (0.6 * self.t_step), -1.0, 1.0)
                z = z - m * np.cos(0.5 * np.pi * x) ** 2
        # A contralateral drop: with the left foot down the right hip drops (rot_y < 0).
        tilt = -legs["left"]["drop"] + legs["right"]["drop"]
        # The pelvis turns toward the stance leg's side as the swing leg comes forward.
        first_left = 1.0 if self.first_side == "left" else -1.0
        axial = first_left * rp.pelvis_rot_deg * np.sin(np.pi * ph)
        return (1 - w) * self.z_stand + w * z, tilt, w * axial


def _solve_leg(hip: np.ndarray, ankle: np.ndarray, r_pelvis: np.ndarray, body: Body, side: str,
               min_knee: float = 2.0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Inverse kinematics: hip flexion, hip abduction and knee flexion [N] (deg)
    that put the ankle at `ankle` [N,3] from `hip` [N,3] (no hip rotation)."""
    l1, l2 = body.thigh, body.shank
    d = np.einsum("nji,nj->ni", r_pelvis, ankle - hip)  # into the pelvis frame
    dist = np.linalg.norm(d, axis=-1)
    max_d = np.sqrt(l1 ** 2 + l2 ** 2 + 2 * l1 * l2 * np.cos(np.radians(min_knee)))
    scale = np.minimum(1.0, max_d / dist)
    d = d * scale[:, None]
    dist = dist * scale
    cos_k = np.clip((dist ** 2 - l1 ** 2 - l2 ** 2) / (2 * l1 * l2), -1.0, 1.0)
    k = np.arccos(cos_k)
    y_l, z_l = l2 * np.sin(k), -l1 - l2 * np.cos(k)
    beta = np.arcsin(np.clip(d[:, 0] / z_l, -1.0, 1.0))
    alpha = np.arctan2(d[:, 2], d[:, 1]) - np.arctan2(np.cos(beta) * z_l, y_l)
    alpha = (alpha + np.pi) % (2 * np.pi) - np.pi
    sign = 1.0 if side == "left" else -1.0
    return np.degrees(-alpha), np.degrees(-sign * beta), np.degrees(k)


def _legs_ik(run: _Run, t: np.ndarray) -> tuple[dict, dict, dict]:
    """Leg targets, pelvis (position, rotation, obliquity) and IK angles at times t [N].

    Returns (leg targets per side, pelvis {pos, rot, tilt, axial}, angles).
    Ankle dorsiflexion here keeps the foot at its target pitch; `_pose`
    replaces it in swing.
    """
    body = run.body
    n = len(t)
    legs = {s: run.leg_targets(t, s) for s in ("left", "right")}
    z, tilt, axial = run.pelvis(t, legs)
    r_pelvis = rot_z(axial) @ rot_y(tilt)
    root_pos = np.zeros((n, 3))
    root_pos[:, 2] = z
    angles: dict[str, np.ndarray] = {}
    for side, s, sign in (("left", "l", 1.0), ("right", "r", -1.0)):
        hip = root_pos + np.einsum("nij,j->ni", r_pelvis, [sign * body.hip_width / 2, 0.0, 0.0])
        flex, abd, knee = _solve_leg(hip, legs[side]["ankle"], r_pelvis, body, side)
        angles[f"hip_flex_{s}"], angles[f"hip_abd_{s}"], angles[f"knee_flex_{s}"] = flex, abd, knee
        # Foot pitch in the world -> dorsiflexion relative to the shank (sagittal):
        # the shank's angle from vertical, ankle behind the knee positive, is knee - flex.
        angles[f"ankle_dorsi_{s}"] = knee - flex + legs[side]["phi"]
        angles[f"leg_open_{s}"] = legs[side]["valgus"]
    return legs, {"pos": root_pos, "rot": r_pelvis, "tilt": tilt, "axial": axial}, angles


def _pose(run: _Run, t: np.ndarray) -> tuple[Pose, dict]:
    """Joint angles at times t [N] for the running pattern."""
    n = len(t)
    rp = run.rp
    legs, pelvis, angles = _legs_ik(run, t)
    tilt, axial = pelvis["tilt"], pelvis["axial"]
    for side, s in (("left", "l"), ("right", "r")):
        lg = legs[side]
        swing = ~lg["stance"]
        if swing.any():
            # In swing the ankle goes from its toe-off to its contact angle
            # (relative to the shank), so the foot stays near neutral on the shank.
            d_to = _legs_ik(run, lg["t_to"][swing])[2][f"ankle_dorsi_{s}"]
            d_ic = _legs_ik(run, lg["t_next"][swing])[2][f"ankle_dorsi_{s}"]
            ss = _smoothstep(lg["swing_frac"][swing])
            w = run.weight(t[swing])
            neutral = (1 - ss) * d_to + ss * d_ic
            angles[f"ankle_dorsi_{s}"][swing] = w * neutral + (1 - w) * angles[f"ankle_dorsi_{s}"][swing]
    w = run.weight(t)
    # Arms swing opposite the legs, elbows bent; the trunk leans forward and
    # stays upright over the tilting pelvis; the head looks ahead.
    for s, o in (("l", "r"), ("r", "l")):
        angles[f"sh_flex_{s}"] = w * np.clip(0.8 * (angles[f"hip_flex_{o}"] - 10.0), -rp.arm_swing_deg, rp.arm_swing_deg)
        angles[f"elbow_flex_{s}"] = 10.0 + w * (rp.elbow_deg - 10.0)
    angles["spine_flex"] = w * rp.trunk_lean_deg
    angles["spine_bend"] = -tilt
    angles["spine_rot"] = -1.5 * axial  # the shoulders turn against the pelvis
    angles["neck_flex"] = -w * rp.trunk_lean_deg
    return Pose(n, angles, pelvis["rot"], pelvis["pos"]), legs


def _fppa_2d(camera: Camera, pts: np.ndarray, side: str) -> np.ndarray:
    """FPPA [N] as the checker defines it, from world points [N,33,3]."""
    p = camera.project(pts)
    h, k, a = (23, 25, 27) if side == "left" else (24, 26, 28)
    mid = (p[:, 23, 0] + p[:, 24, 0]) / 2
    return fppa(p[:, h], p[:, k], p[:, a], mid)


def _drop_2d(camera: Camera, pts: np.ndarray, side: str) -> np.ndarray:
    """Contralateral pelvic drop [N] (deg): the swing-side hip below the stance-side hip."""
    p = camera.project(pts)
    st, sw = (23, 24) if side == "left" else (24, 23)
    d = p[:, sw] - p[:, st]
    return np.degrees(np.arctan2(d[:, 1], np.abs(d[:, 0])))


def _heel_offset_2d(camera: Camera, pts: np.ndarray, side: str) -> np.ndarray:
    """Heel's lateral offset from the mid-hip [N], in hip widths; negative = crossed the midline."""
    p = camera.project(pts)
    hip, ohip, heel = (23, 24, 29) if side == "left" else (24, 23, 30)
    mid = (p[:, hip, 0] + p[:, ohip, 0]) / 2
    outward = np.sign(p[:, hip, 0] - mid)
    return (p[:, heel, 0] - mid) * outward / np.abs(p[:, hip, 0] - p[:, ohip, 0])


def _sagittal_2d(camera: Camera, pts: np.ndarray, side: str) -> dict[str, np.ndarray]:
    """Overstride (heel ahead of hip / leg length) and tibia angle (deg, ankle ahead
    of the knee positive) [N], as the checker defines them in a side view."""
    p = camera.project(pts)
    hip, knee, ankle, heel, toe = (23, 25, 27, 29, 31) if side == "left" else (24, 26, 28, 30, 32)
    fwd = np.sign(np.median(p[:, toe, 0] - p[:, heel, 0]))
    leg = np.linalg.norm(p[:, hip] - p[:, knee], axis=-1) + np.linalg.norm(p[:, knee] - p[:, ankle], axis=-1)
    over = fwd * (p[:, heel, 0] - p[:, hip, 0]) / leg
    sh = p[:, ankle] - p[:, knee]
    tibia = np.degrees(np.arctan2(fwd * sh[:, 0], sh[:, 1]))
    return {"overstride": over, "tibia_angle_deg": tibia}


def running(sc: Scenario, params: RunParams | None = None) -> Built:
    """Treadmill running (see module notes): Motion, Camera and truth."""
    rp = params or RunParams()
    body = Body(height=sc.height_m)
    run = _Run(sc, rp, body)
    target = np.array([0.0, 0.0, 0.85 * body.height / 1.75])
    camera = camera_for(sc.camera, np.eye(3), target)
    view = view_label(sc.camera.view)
    frontal_cam = camera if view in ("front", "back") else camera_for(replace(sc.camera, view="back"), np.eye(3), target)
    sagittal_cam = camera if view == "side" else camera_for(replace(sc.camera, view="left"), np.eye(3), target)

    # Solve every step's leg turn so that the 2D FPPA, read as the checker reads it
    # (its peak over midstance +- 35% of the stance), is as asked.
    offsets = np.linspace(-_WINDOW, _WINDOW, 15) * run.stance
    for side in ("left", "right"):
        c = run.contacts[side]
        t_mid = c.t_ic + run.stance / 2
        want = np.array([sc.faults.get(int(k), {}).get("knee_valgus", rp.fppa_deg) if k else rp.fppa_deg
                         for k in c.step])
        amp0 = np.zeros(len(want))

        def fppa_at(amp, side=side, c=c, t_mid=t_mid):
            c.valgus[:] = amp
            tq = (t_mid[:, None] + offsets[None, :]).ravel()
            pose, _ = _pose(run, tq)
            pts = forward_kinematics(tq, pose, body).points
            return _fppa_2d(frontal_cam, pts, side).reshape(len(t_mid), -1).max(axis=1)

        f0 = fppa_at(amp0)
        amp1 = amp0 - 10.0
        f1 = fppa_at(amp1)
        for _ in range(8):
            df = f1 - f0
            slope = (amp1 - amp0) / np.where(np.abs(df) > 1e-9, df, np.inf)
            amp2 = amp1 + slope * (want - f1)
            amp0, f0 = amp1, f1
            amp1, f1 = amp2, fppa_at(amp2)
            if np.max(np.abs(f1 - want)) < 1e-4:
                break
        c.valgus[:] = amp1

    times = np.arange(0.0, run.t_end, 1.0 / sc.camera.fps)
    pose, _legs = _pose(run, times)
    motion: Motion = forward_kinematics(times, pose, body)

    # ---- truth -----------------------------------------------------------------------
    def points_at(t: np.ndarray) -> np.ndarray:
        p, _ = _pose(run, np.atleast_1d(np.asarray(t, float)))
        return forward_kinematics(np.atleast_1d(t), p, body).points

    standing = sc.lead_s >= _BASELINE_MIN_S
    baseline = None
    if standing:
        pts0 = points_at(np.array([0.5 * sc.lead_s]))
        baseline = {s: round(float(_fppa_2d(frontal_cam, pts0, s)[0]), 3) for s in ("left", "right")}
    steps = []
    for k in range(1, run.n_steps + 1):
        side = run.step_side(k)
        t_ic = run.t_contact(k)
        t_ms, t_to = t_ic + run.stance / 2, t_ic + run.stance
        p_ic, p_ms = points_at(np.array([t_ic])), points_at(np.array([t_ms]))
        p_win = points_at(t_ms + offsets)
        f = sc.faults.get(k, {})
        m = {
            "fppa_deg": float(_fppa_2d(frontal_cam, p_win, side).max()),
            "fppa_mid_deg": float(_fppa_2d(frontal_cam, p_ms, side)[0]),
            "pelvic_drop_deg": float(_drop_2d(frontal_cam, p_win, side).max()),
            "pelvic_drop_3d_deg": float(f.get("pelvic_drop", rp.pelvic_drop_deg)),
            "heel_offset": float(_heel_offset_2d(frontal_cam, p_ic, side)[0]),
            **{key: float(v[0]) for key, v in _sagittal_2d(sagittal_cam, p_ic, side).items()},
        }
        limit = (baseline[side] + _FPPA_OVER_BASELINE) if baseline else _FPPA_ABS
        codes = []
        if m["fppa_deg"] > limit:
            codes.append("knee_valgus")
        if m["pelvic_drop_deg"] > _PELVIC_DROP:
            codes.append("pelvic_drop")
        if m["heel_offset"] < 0:
            codes.append("crossover")
        if m["tibia_angle_deg"] > _TIBIA and m["overstride"] > _OVERSTRIDE:
            codes.append("overstride")
        steps.append({"index": k, "side": side, "contact_s": round(t_ic, 4), "midstance_s": round(t_ms, 4),
                      "toe_off_s": round(t_to, 4), "metrics": {key: round(v, 3) for key, v in m.items()},
                      "faults": codes, "injected": sorted(f)})
    cadence = 60.0 / run.t_step
    truth = {
        "exercise": "running", "reps": [], "holds": [], "steps": steps, "view": view,
        "cadence_spm": round(cadence, 3), "stance_s": run.stance,
        "clip_faults": ["low_cadence"] if cadence < _LOW_CADENCE else [],
        "baseline_fppa_deg": baseline,
        "running_from_s": round(run.t_first - 0.5 * run.t_step, 4) if sc.lead_s > 0 else 0.0,
    }
    return Built(motion, camera, truth)


def treadmill_scenario(view: str = "back", steps: int = 24, fps: float = 60.0, **kw) -> Scenario:
    """A running scenario: `steps` steps from the left foot, filmed from `view` at
    `fps` by a 640x480 camera 3 m away at about hip height (1 m), the whole body in
    frame; no standing lead unless lead_s is given. Other keywords go to Scenario."""
    cam = CameraSpec(view=view, distance=3.0, elevation=0.15, fps=fps)
    return Scenario(exercise="running", reps=steps, sides=("left",), lead_s=kw.pop("lead_s", 0.0), camera=cam, **kw)
