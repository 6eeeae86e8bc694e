"""Scripted exercise motions with exact ground truth.

A `Scenario` describes a clip: movement, reps, tempo, sides, sets, faults with
exact magnitudes on chosen reps, the camera and the body. `build(scenario)`
returns the `Motion`, the `Camera` and the truth in the report's own terms
(reps with times and fault codes, holds, steps, per-frame true angles).
The same Motion drives the skeleton pose kit and the avatar renderer.
`formcheck_synth.catalog` maps movement names to these script functions.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from formcheck_synth.camera import VIEW_DIRECTIONS, Camera, look_at_camera
from formcheck_synth.motion import Body, Motion, Pose, forward_kinematics, rot_y, rot_z

__all__ = ["CameraSpec", "Scenario", "Built", "Timeline", "HoldTimeline", "rep_timeline", "hold_timeline",
           "camera_for", "view_label", "fault_per_frame", "clamshell"]


@dataclass(frozen=True)
class CameraSpec:
    """view: a key of camera.VIEW_DIRECTIONS, taken in the body's own frame (so
    'front' faces the chest whether the person stands or lies); distance and
    elevation in metres; elevation raises the camera along world z."""

    view: str = "front"
    distance: float = 2.6
    elevation: float = 0.4
    width: int = 640
    height: int = 480
    fps: float = 30.0
    focal_px: float | None = None


@dataclass(frozen=True)
class Scenario:
    exercise: str
    reps: int = 5  # per set
    sets: int = 1  # per side
    sides: tuple[str, ...] = ("right",)  # working sides, in order
    # The prescribed tempo: about 2 s up and 2 s down (Human Kinetics, clinical-criteria.md 3.1).
    up_s: float = 2.0
    top_s: float = 0.4
    down_s: float = 2.0
    rest_s: float = 0.8
    lead_s: float = 1.5  # still at rest before the first rep
    set_pause_s: float = 12.0
    hold_s: float = 30.0  # stretches
    range_deg: float = 40.0  # the normal movement amplitude of the driving joint
    # 1-based rep number across the whole clip -> {fault code: magnitude}
    faults: dict[int, dict[str, float]] = field(default_factory=dict)
    camera: CameraSpec = CameraSpec()
    height_m: float = 1.75
    seed: int = 0

    def fault_on(self, rep: int, code: str) -> float | None:
        return self.faults.get(rep, {}).get(code)


@dataclass(frozen=True)
class Built:
    motion: Motion
    camera: Camera
    truth: dict


@dataclass(frozen=True)
class Timeline:
    """times [N]; phase [N] 0 at rest .. 1 at the top of each rep; rep [N] the
    1-based rep number (0 between reps); side [N] object; reps: truth dicts."""

    times: np.ndarray
    phase: np.ndarray
    rep: np.ndarray
    side: np.ndarray
    reps: list[dict]


def _ease(x: np.ndarray) -> np.ndarray:
    return 0.5 - 0.5 * np.cos(np.pi * np.clip(x, 0, 1))


def view_label(view: str) -> str:
    """The view formcheck should read for a scripted camera view (CameraSpec.view)."""
    if view in ("front", "back", "feet_end", "head_end"):
        return view
    return "side" if view in ("left", "right") else "oblique"


def fault_per_frame(sc: Scenario, number: np.ndarray, code: str, default: float = 0.0) -> np.ndarray:
    """The magnitude of `code` injected on the rep (or hold) each frame belongs to
    (number [N], 0 between), `default` where none is injected."""
    mags = {k: sc.fault_on(int(k), code) for k in np.unique(number) if k}
    return np.array([default if not k or mags[k] is None else mags[k] for k in number], float)


def _lay_out(times: np.ndarray, spans: list[tuple[float, float, float, float, int, str]]
             ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per-frame (phase, number, side) of movements laid out in time.

    spans: (start, top reached, top left, end, 1-based number, side) each. phase
    eases 0 -> 1 up to the top, stays 1 there and eases back; number is the
    span's number from start to end (0 between); each frame takes the side of the
    nearest span (side switches happen in the pauses).
    """
    phase = np.zeros(len(times))
    num = np.zeros(len(times), int)
    for t0, t1, t2, t3, k, _side in spans:
        up = (times >= t0) & (times < t1)
        phase[up] = _ease((times[up] - t0) / (t1 - t0))
        phase[(times >= t1) & (times < t2)] = 1.0
        dn = (times >= t2) & (times < t3)
        phase[dn] = 1 - _ease((times[dn] - t2) / (t3 - t2))
        num[(times >= t0) & (times < t3)] = k
    mids = np.array([(sp[0] + sp[3]) / 2 for sp in spans])
    nearest = np.abs(times[:, None] - mids[None, :]).argmin(axis=1)
    side_arr = np.empty(len(times), object)
    side_arr[:] = [spans[j][5] for j in nearest]
    return phase, num, side_arr


def rep_timeline(sc: Scenario, tempo: Callable[[int], tuple[float, float, float]] | None = None) -> Timeline:
    """Lay out every rep of the scenario in time at the camera's frame rate.

    tempo(rep) -> (up_s, top_s, down_s) lets a fault change one rep's timing.
    """
    events: list[tuple[float, float, float, float, int, int, str]] = []
    t = sc.lead_s
    k = 0
    set_no = 0
    for side in sc.sides:
        for _s in range(sc.sets):
            set_no += 1
            for _r in range(sc.reps):
                k += 1
                up, top, down = tempo(k) if tempo else (sc.up_s, sc.top_s, sc.down_s)
                events.append((t, t + up, t + up + top, t + up + top + down, k, set_no, side))
                t += up + top + down + sc.rest_s
            t += sc.set_pause_s - sc.rest_s
    t_end = t - sc.set_pause_s + sc.rest_s + sc.lead_s
    times = np.arange(0.0, t_end, 1.0 / sc.camera.fps)
    phase, rep, side_arr = _lay_out(times, [(t0, t1, t2, t3, k, side) for t0, t1, t2, t3, k, _s, side in events])
    reps = [{"index": k, "set": set_no, "side": side, "start_s": round(t0, 3),
             "peak_s": round((t1 + t2) / 2, 3), "end_s": round(t3, 3), "faults": []}
            for (t0, t1, t2, t3, k, set_no, side) in events]
    return Timeline(times, phase, rep, side_arr, reps)


@dataclass(frozen=True)
class HoldTimeline:
    """times [N]; phase [N] 0 at rest .. 1 in position; hold [N] 1-based hold
    number while moving in, holding or moving out (0 between); side [N];
    holds: truth dicts (index, side, start_s, end_s, duration_s)."""

    times: np.ndarray
    phase: np.ndarray
    hold: np.ndarray
    side: np.ndarray
    holds: list[dict]


def hold_timeline(sc: Scenario) -> HoldTimeline:
    """Lay out the holds of a stretch scenario: sc.sets holds per entry of
    sc.sides, each moving in over up_s, held hold_s (or the seconds of a
    short_hold fault on that hold), moving out over down_s, then rest_s."""
    spans = []
    t, k = sc.lead_s, 0
    for side in sc.sides:
        for _ in range(sc.sets):
            k += 1
            dur = sc.fault_on(k, "short_hold") or sc.hold_s
            spans.append((t, t + sc.up_s, t + sc.up_s + dur, t + sc.up_s + dur + sc.down_s, k, side))
            t += sc.up_s + dur + sc.down_s + sc.rest_s
    times = np.arange(0.0, t - sc.rest_s + sc.lead_s, 1.0 / sc.camera.fps)
    phase, hold, side_arr = _lay_out(times, spans)
    holds = [{"index": k, "side": side, "start_s": round(t1, 3), "end_s": round(t2, 3),
              "duration_s": round(t2 - t1, 3)} for (_t0, t1, t2, _t3, k, side) in spans]
    return HoldTimeline(times, phase, hold, side_arr, holds)


def camera_for(spec: CameraSpec, root_rot: np.ndarray, target: np.ndarray) -> Camera:
    """A camera placed in the named view of a body whose root orientation is root_rot [3,3]."""
    d = root_rot @ np.asarray(VIEW_DIRECTIONS[spec.view], float)
    d[2] = 0.0 if np.linalg.norm(d[:2]) > 0.3 else d[2]  # keep the camera level unless looking along z
    d = d / np.linalg.norm(d)
    pos = np.asarray(target, float) + spec.distance * d + np.array([0.0, 0.0, spec.elevation])
    return look_at_camera(target, pos, spec.width, spec.height, spec.focal_px)


# ---- side-lying clamshell -----------------------------------------------------------

LIE_ON_LEFT = rot_y(90.0)  # body's left side down, head toward +x, facing -y
LIE_ON_RIGHT = rot_y(-90.0)  # right side down, head toward -x, facing -y
PELVIS_HEIGHT_SIDE_LYING = 0.17


def _closing_pose(body: Body) -> tuple[float, float]:
    """(hip adduction, hip internal rotation) in degrees of the top leg that put
    its ankle and knee onto the bottom ones in the clamshell start position (hips 45°,
    knees 90°): a small grid search over the forward kinematics."""
    abd, rot = np.meshgrid(np.linspace(0.0, 40.0, 81), np.linspace(-30.0, 30.0, 61))
    abd, rot = abd.ravel(), rot.ravel()
    n = len(abd)
    ang = {"hip_flex_l": np.full(n, 45.0), "hip_flex_r": np.full(n, 45.0),
           "knee_flex_l": np.full(n, 90.0), "knee_flex_r": np.full(n, 90.0),
           "hip_abd_r": -abd, "hip_rot_r": -rot}
    pts = forward_kinematics(np.arange(n), Pose(n, ang), body).points
    # The top leg rests on the bottom one: ankles and knees both touch.
    gap = np.linalg.norm(pts[:, 27] - pts[:, 28], axis=-1) + 0.5 * np.linalg.norm(pts[:, 25] - pts[:, 26], axis=-1)
    k = int(np.argmin(gap))
    return float(abd[k]), float(rot[k])


def clamshell(sc: Scenario) -> Built:
    """Side-lying, hips 45° and knees 90° bent, feet together; the top knee opens.

    Faults (magnitudes): feet_apart = how far the top foot lifts, in metres, at the top; pelvis_roll =
    degrees the pelvis rolls back at the top; short_range = share of the normal
    opening reached; too_fast = seconds per phase.
    """
    def tempo(k):
        fast = sc.fault_on(k, "too_fast")
        return (fast, 0.2, fast) if fast else (sc.up_s, sc.top_s, sc.down_s)

    tl = rep_timeline(sc, tempo)
    n = len(tl.times)
    body = Body(height=sc.height_m)
    scale = fault_per_frame(sc, tl.rep, "short_range", 1.0)
    gap = fault_per_frame(sc, tl.rep, "feet_apart")
    roll = fault_per_frame(sc, tl.rep, "pelvis_roll")
    hip_heel = np.hypot(body.thigh * 1.1, body.shank * 0.9)
    close_abd, close_rot = _closing_pose(body)
    angles = {"hip_flex_l": np.full(n, 45.0), "hip_flex_r": np.full(n, 45.0),
              "knee_flex_l": np.full(n, 90.0), "knee_flex_r": np.full(n, 90.0),
              "leg_open_l": np.zeros(n), "leg_open_r": np.zeros(n),
              "hip_abd_l": np.zeros(n), "hip_abd_r": np.zeros(n),
              "hip_rot_l": np.zeros(n), "hip_rot_r": np.zeros(n),
              "sh_flex_l": np.full(n, 70.0), "sh_flex_r": np.full(n, 20.0),
              "elbow_flex_l": np.full(n, 100.0), "elbow_flex_r": np.full(n, 60.0),
              "neck_bend": np.zeros(n)}
    root_rot = np.empty((n, 3, 3))
    for side in set(tl.side):
        m = tl.side == side
        s = "r" if side == "right" else "l"
        angles[f"leg_open_{s}"][m] = sc.range_deg * scale[m] * tl.phase[m]
        # The top leg rests on the bottom one (adducted until the ankles touch),
        # unless a feet_apart fault lifts it.
        angles[f"hip_abd_{s}"][m] = -close_abd + np.degrees(gap[m] / hip_heel) * tl.phase[m]
        angles[f"hip_rot_{s}"][m] = -close_rot
        # Lying on the other side; a pelvis roll turns the body back about its long axis.
        base = LIE_ON_LEFT if side == "right" else LIE_ON_RIGHT
        sign = 1.0 if side == "right" else -1.0
        root_rot[m] = base @ rot_z(sign * roll[m] * tl.phase[m])
        # The arm underneath supports the head.
        under = "l" if side == "right" else "r"
        top = "r" if side == "right" else "l"
        angles[f"sh_flex_{under}"][m], angles[f"elbow_flex_{under}"][m] = 160.0, 120.0
        angles[f"sh_flex_{top}"][m], angles[f"elbow_flex_{top}"][m] = 20.0, 40.0
    root_pos = np.tile([0.0, 0.0, PELVIS_HEIGHT_SIDE_LYING], (n, 1))
    motion = forward_kinematics(tl.times, Pose(n, angles, root_rot, root_pos), body)
    first = LIE_ON_LEFT if tl.side[0] == "right" else LIE_ON_RIGHT
    target = np.array([0.0, -0.15, PELVIS_HEIGHT_SIDE_LYING])
    camera = camera_for(sc.camera, first, target)
    # Truth: fault codes per rep with the same thresholds the checker uses.
    pts = motion.points
    reps = []
    for r in tl.reps:
        k = r["index"]
        codes = []
        f = sc.faults.get(k, {})
        if "feet_apart" in f:
            codes.append("feet_apart")
        if "pelvis_roll" in f:
            codes.append("pelvis_roll")
        if "short_range" in f:
            codes.append("short_range")
        if "too_fast" in f:
            codes.append("too_fast")
        peak_i = int(np.argmin(np.abs(tl.times - r["peak_s"])))
        s = "r" if r["side"] == "right" else "l"
        o = "l" if s == "r" else "r"
        idx = {"l": (23, 25, 27), "r": (24, 26, 28)}
        hip, knee, ankle = (pts[peak_i, j] for j in idx[s])
        ohip, oknee, oankle = (pts[peak_i, j] for j in idx[o])
        # The opening as the checker defines it: from the knee gap across the
        # camera's view (its x, y axes) and the thigh length.
        thigh = float(np.linalg.norm(knee - hip))
        gap = np.linalg.norm((camera.rotation @ (knee - oknee))[:2])
        opening = float(np.degrees(2 * np.arcsin(min(1.0, gap / (2 * thigh)))))
        reps.append({**r, "faults": codes, "metrics": {
            "thigh_opening_deg": round(opening, 2),
            "feet_gap": round(float(abs((camera.rotation @ (ankle - oankle))[1])) / body.shank, 4),
            "pelvis_roll_deg": float(f.get("pelvis_roll", 0.0)),
        }})
    truth = {"exercise": "clamshell", "reps": reps, "holds": [], "steps": [], "cadence_spm": None,
             "view": view_label(sc.camera.view)}
    return Built(motion, camera, truth)
