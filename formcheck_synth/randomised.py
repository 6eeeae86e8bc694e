"""Randomised avatar renders: one seed -> one clip's conditions, drawn and recorded.

`draw(movement, seed)` picks, deterministically from the seed, everything a
home video varies in: the body (sex, age, height, build, proportions), skin,
hair and clothing colours and cut, the floor and wall (colour and texture),
the light (direction, ambient share, exposure, tint), the camera (view within
the movement's valid ones, yaw off it, height, distance, resolution, 24/30/60
fps, motion blur, JPEG and H.264 compression) and which faults are injected on
which rep or hold (a clear magnitude, truth "fault", or a subtle one well
inside the limit, truth "no fault"). numpy only: drawing needs neither torch
nor a pose model.

`render(conditions, cache_dir)` renders the clip with the anny avatar (torch +
anny, the [synth] extra) and writes `<key>.mp4` next to `<key>.json`, the truth
(reps or holds with their fault codes) and the conditions that made it, plus
`<key>.joints.npy` (the avatar's exact joints, for the perfect-landmark
analysis). Both are cached by key (movement, seed and CACHE_VERSION).

    python -m formcheck_synth.randomised clamshell 7 --out /tmp/rr     # one clip
"""

from __future__ import annotations

import argparse
import json
import os
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import numpy as np

from formcheck_synth.scripts import CameraSpec, Scenario

__all__ = ["MOVEMENTS", "Plan", "Conditions", "draw", "scenario_for", "appearance_for", "key_for", "render",
           "DEFAULT_CACHE", "CACHE_VERSION", "TEMPO_CODES"]

CACHE_VERSION = 1  # bump when the renderer, the scripts or draw() change what a seed's clip looks like
DEFAULT_CACHE = Path.home() / ".cache" / "formcheck" / "randomised"
TEMPO_CODES = ("too_fast",)  # the tempo rule: not injected here and not graded (issue 10)


@dataclass(frozen=True)
class Plan:
    """How one movement is randomised.

    base: a short scenario without faults (a set of a few reps, or two holds).
    views: the camera views the movement is filmed from at home (keys of
      camera.VIEW_DIRECTIONS in the body's frame; the accuracy benchmark's views).
    sweep: fault code -> (clear, subtle) magnitudes in the script's units (the
      same as benchmarks/accuracy.py: clear well past the checker's limit, subtle
      well inside it).
    unit: "reps" or "holds"; clean_first: units before the first fault slot.
    distance: the base camera distance (m), scaled by 0.85..1.25 per clip.
    elevation: (low, high) camera height above the body's centre (m).
    hold_target_s: the user's hold target passed to the analysis.
    """

    base: Scenario
    views: tuple[str, ...]
    sweep: dict[str, tuple[float, float]]
    unit: str = "reps"
    clean_first: int = 2
    distance: float = 2.6
    elevation: tuple[float, float] = (0.15, 1.0)
    hold_target_s: float | None = None


# Short sets (a brisk 1.5 s per phase, well above the 1 s tempo limit) and two
# holds of 7 s against a 6 s target: enough for every rule, cheap to render.
_REP = dict(up_s=1.5, top_s=0.3, down_s=1.5, rest_s=0.4, lead_s=1.0)
_HOLD = dict(sets=2, hold_s=7.0, up_s=1.3, down_s=1.3, rest_s=0.5, lead_s=0.6)

MOVEMENTS: dict[str, Plan] = {
    "clamshell": Plan(Scenario("clamshell", reps=5, range_deg=55.0, **_REP), ("front", "back", "feet_end"),
                      {"feet_apart": (0.15, 0.02), "pelvis_roll": (25.0, 5.0), "short_range": (0.55, 0.9)},
                      distance=2.2),
    "donkey_kick": Plan(Scenario("donkey_kick", reps=5, range_deg=88.0, **_REP), ("left", "feet_end", "back_left"),
                        {"knee_angle": (-35.0, -8.0), "back_arch": (16.0, 3.0), "knee_flare": (25.0, 4.0),
                         "short_range": (0.5, 0.9)}),
    "fire_hydrant": Plan(Scenario("fire_hydrant", reps=5, range_deg=55.0, **_REP), ("feet_end", "right", "head_end"),
                         {"hip_drop": (20.0, 3.0), "knee_angle": (-35.0, -8.0), "short_range": (0.5, 0.9)}),
    "straight_leg_raise": Plan(
        Scenario("straight_leg_raise", reps=4, up_s=1.6, top_s=3.5, down_s=1.6, rest_s=0.6, lead_s=1.0),
        ("right", "left", "feet_end"),
        {"knee_bent": (25.0, 4.0), "short_hold": (1.0, 4.0), "short_range": (0.5, 0.9)}),
    "hamstring_stretch": Plan(
        Scenario("hamstring_stretch", sides=("left",), **_HOLD), ("left", "right", "front_left"),
        {"knee_bent": (30.0, 4.0), "back_rounded": (60.0, 10.0), "short_hold": (4.5, 8.0)},
        unit="holds", clean_first=0, distance=2.8, elevation=(0.15, 0.9), hold_target_s=6.0),
    "running_lunge": Plan(
        Scenario("running_lunge", sides=("left",), **_HOLD), ("left", "right", "front_left"),
        {"front_knee_forward": (30.0, 5.0), "hips_high": (35.0, 5.0), "short_hold": (4.5, 8.0)},
        unit="holds", clean_first=0, elevation=(0.1, 0.8), hold_target_s=6.0),
    # Figure-four: the camera high (0.4 m side-on missed holds, benchmarks/accuracy.py).
    "figure_four": Plan(
        Scenario("figure_four", sides=("right",), **_HOLD), ("right", "left", "feet_end"),
        {"ankle_off_knee": (0.2, 0.03), "thigh_not_pulled": (60.0, 95.0), "short_hold": (4.5, 8.0)},
        unit="holds", clean_first=0, elevation=(0.7, 1.3), hold_target_s=6.0),
    # Running: 12 steps, every right step caving in clearly or subtly (FPPA limit: baseline + 10°).
    "running": Plan(Scenario("running", reps=12, sides=("left",), lead_s=2.0), ("front", "back", "left"),
                    {"knee_valgus": (20.0, 6.0)}, unit="steps", clean_first=0, distance=3.0,
                    elevation=(0.05, 0.4)),
}

FPS_CHOICES = (24.0, 30.0, 60.0)
SIZES = ((480, 360), (640, 360), (640, 480))
COMPRESSION = {"light": (20, None), "medium": (28, None), "heavy": (33, 40)}  # x264 crf, JPEG quality
FLOORS = ("plain", "tiles", "planks", "speckle")
WALLS = ("plain", "stripes", "speckle", "panels")
# Skin tones (BGR), light to dark, picked by eye from the Fitzpatrick range.
SKINS = ((180, 200, 235), (150, 180, 220), (120, 155, 200), (95, 125, 170), (70, 95, 135), (45, 60, 90))
HAIRS = ((20, 25, 30), (30, 45, 70), (60, 90, 140), (150, 170, 190), (40, 40, 40))


@dataclass(frozen=True)
class Conditions:
    """Everything one randomised clip varies, as drawn from its seed (all JSON-able)."""

    movement: str
    seed: int
    view: str
    yaw_deg: float
    distance_m: float
    elevation_m: float
    fps: float
    width: int
    height: int
    phenotype: dict
    skin_bgr: tuple[int, int, int]
    hair_bgr: tuple[int, int, int]
    shirt_bgr: tuple[int, int, int]
    shorts_bgr: tuple[int, int, int]
    shoe_bgr: tuple[int, int, int]
    sleeve: float
    legwear: float
    floor_bgr: tuple[int, int, int]
    floor_texture: str
    background_bgr: tuple[int, int, int]
    wall_texture: str
    mat_bgr: tuple[int, int, int] | None
    light_dir: tuple[float, float, float]
    ambient: float
    exposure: float
    tint_bgr: tuple[float, float, float]
    motion_blur: float
    compression: str
    faults: dict  # unit number (str) -> {code: magnitude}
    subtle: tuple  # (unit number, code) injected inside the limit: truth "no fault"

    # -- bins for the per-condition tables --
    @property
    def height_bin(self) -> str:
        lo, hi = MOVEMENTS[self.movement].elevation
        third = (hi - lo) / 3.0
        return "low" if self.elevation_m < lo + third else "high" if self.elevation_m > hi - third else "mid"

    @property
    def yaw_bin(self) -> str:
        a = abs(self.yaw_deg)
        return "0-8°" if a < 8 else "8-16°" if a < 16 else "16-25°"

    @property
    def blur_bin(self) -> str:
        return "none" if self.motion_blur == 0 else "some" if self.motion_blur < 0.5 else "strong"

    @property
    def lighting_bin(self) -> str:
        return "dim" if self.exposure < 0.8 else "bright" if self.exposure > 1.15 else "normal"


def _colour(rng: np.random.Generator, lo: int = 20, hi: int = 235) -> tuple[int, int, int]:
    return tuple(int(x) for x in rng.integers(lo, hi, 3))


def draw(movement: str, seed: int) -> Conditions:
    """The conditions of clip `seed` of `movement` (deterministic in both)."""
    if movement not in MOVEMENTS:
        raise KeyError(f"no randomised plan for {movement!r}; have {sorted(MOVEMENTS)}")
    plan = MOVEMENTS[movement]
    rng = np.random.default_rng([seed, sum(map(ord, movement))])
    sex = float(rng.uniform(0.0, 1.0))
    height = float(np.clip(rng.normal(1.77 - 0.13 * sex, 0.07), 1.5, 1.98))
    phenotype = {"sex": round(sex, 3), "age_years": round(float(rng.uniform(18, 72)), 1),
                 "muscle": round(float(rng.uniform(0.25, 0.8)), 3), "weight": round(float(rng.uniform(0.25, 0.8)), 3),
                 "height_m": round(height, 3), "proportions": round(float(rng.uniform(0.3, 0.7)), 3)}
    view = str(rng.choice(plan.views))
    yaw = float(rng.uniform(-25.0, 25.0))
    distance = plan.distance * float(rng.uniform(0.85, 1.25))
    elevation = float(rng.uniform(*plan.elevation))
    fps = float(rng.choice(FPS_CHOICES, p=(0.35, 0.4, 0.25)))
    width, height_px = SIZES[int(rng.integers(len(SIZES)))]
    az = float(rng.uniform(0, 2 * np.pi))
    up = float(rng.uniform(0.4, 0.95))
    light = (round(np.cos(az) * np.sqrt(1 - up * up), 3), round(np.sin(az) * np.sqrt(1 - up * up), 3), round(up, 3))
    warm = float(rng.uniform(-0.12, 0.12))
    blur = 0.0 if rng.random() < 0.4 else round(float(rng.uniform(0.2, 0.9)), 2)
    # Faults: every unit after the clean ones is a slot; each code goes into one
    # slot (clear or subtle at random) while slots last, the others stay clean.
    n_units = plan.base.reps * len(plan.base.sides) * plan.base.sets if plan.unit != "holds" \
        else plan.base.sets * len(plan.base.sides)
    faults: dict[str, dict[str, float]] = {}
    subtle = []
    if plan.unit == "steps":
        for k in range(2, n_units + 1, 2):  # right steps, clear or subtle; left steps normal
            clear = bool(rng.random() < 0.6)
            faults[str(k)] = {"knee_valgus": plan.sweep["knee_valgus"][0 if clear else 1]}
    else:
        slots = list(range(plan.clean_first + 1, n_units + 1))
        codes = list(plan.sweep)
        rng.shuffle(codes)
        for k, code in zip(slots, codes):
            if rng.random() < 0.2:
                continue  # a clean slot now and then
            clear = bool(rng.random() < 0.65)
            faults[str(k)] = {code: plan.sweep[code][0 if clear else 1]}
            if not clear:
                subtle.append((k, code))
    return Conditions(
        movement=movement, seed=int(seed), view=view, yaw_deg=round(yaw, 2), distance_m=round(distance, 3),
        elevation_m=round(elevation, 3), fps=fps, width=width, height=height_px, phenotype=phenotype,
        skin_bgr=SKINS[int(rng.integers(len(SKINS)))], hair_bgr=HAIRS[int(rng.integers(len(HAIRS)))],
        shirt_bgr=_colour(rng), shorts_bgr=_colour(rng, 15, 200), shoe_bgr=_colour(rng, 30, 250),
        sleeve=round(float(rng.uniform(0.0, 1.0)), 2), legwear=round(float(rng.uniform(0.4, 2.0)), 2),
        floor_bgr=_colour(rng, 60, 210), floor_texture=str(rng.choice(FLOORS)),
        background_bgr=_colour(rng, 90, 240), wall_texture=str(rng.choice(WALLS)),
        mat_bgr=None if rng.random() < 0.3 else _colour(rng, 30, 200),
        light_dir=light, ambient=round(float(rng.uniform(0.25, 0.6)), 3),
        exposure=round(float(rng.uniform(0.55, 1.35)), 3),
        tint_bgr=(round(1.0 - warm, 3), 1.0, round(1.0 + warm, 3)), motion_blur=blur,
        compression=str(rng.choice(list(COMPRESSION), p=(0.35, 0.4, 0.25))),
        faults=faults, subtle=tuple(subtle))


def key_for(c: Conditions) -> str:
    return f"{c.movement}-s{c.seed:04d}-v{CACHE_VERSION}"


def scenario_for(c: Conditions) -> Scenario:
    """The scripted scenario of a clip (the camera's yaw is applied after building)."""
    plan = MOVEMENTS[c.movement]
    faults = {int(k): dict(v) for k, v in c.faults.items()}
    cam = CameraSpec(view=c.view, distance=c.distance_m, elevation=c.elevation_m, width=c.width, height=c.height,
                     fps=c.fps)
    return replace(plan.base, faults=faults, camera=cam, height_m=float(c.phenotype["height_m"]), seed=c.seed)


def appearance_for(c: Conditions):
    """The avatar's Appearance for a clip (imports the renderer module, not torch)."""
    from formcheck_synth.avatar import Appearance, Phenotype

    return Appearance(
        phenotype=Phenotype(**c.phenotype), shirt_bgr=c.shirt_bgr, shorts_bgr=c.shorts_bgr, skin_bgr=c.skin_bgr,
        shoe_bgr=c.shoe_bgr, hair_bgr=c.hair_bgr, floor_bgr=c.floor_bgr, mat_bgr=c.mat_bgr,
        background_bgr=c.background_bgr, sleeve=c.sleeve, legwear=c.legwear, light_dir=c.light_dir,
        ambient=c.ambient, supersample=1, floor_texture=c.floor_texture, wall_texture=c.wall_texture,
        texture_seed=c.seed, exposure=c.exposure, tint_bgr=c.tint_bgr, motion_blur=c.motion_blur)


def yawed(camera, spec: CameraSpec, yaw_deg: float):
    """The scripted camera turned by yaw_deg about the vertical through the point it looks at."""
    from formcheck_synth.camera import look_at_camera

    target = camera.position + camera.rotation[2] * np.hypot(spec.distance, spec.elevation)
    a = np.radians(yaw_deg)
    rz = np.array([[np.cos(a), -np.sin(a), 0.0], [np.sin(a), np.cos(a), 0.0], [0.0, 0.0, 1.0]])
    pos = target + rz @ (camera.position - target)
    return look_at_camera(target, pos, camera.width, camera.height, camera.focal_px)


def truth_for(c: Conditions, built) -> dict:
    """The clip's truth: the script's units with the subtle (inside-the-limit) faults
    taken off, the analysis options, and the conditions."""
    from formcheck_synth.samples import _jsonable

    plan = MOVEMENTS[c.movement]
    drop = {(int(k), code) for k, code in c.subtle}
    units = {}
    for kind in ("reps", "holds"):
        units[kind] = [{**u, "faults": [f for f in u.get("faults", []) if (n, f) not in drop]}
                       for n, u in enumerate(built.truth.get(kind, []), start=1)]
    return {"schema": "formcheck.truth/1", "movement": c.movement, "unit": plan.unit,
            "generator": "formcheck_synth.randomised (anny avatar, painter's-algorithm renderer)",
            "regenerate": f"python -m formcheck_synth.randomised {c.movement} {c.seed}",
            "analysis_options": {"hold_target_s": plan.hold_target_s} if plan.hold_target_s else {},
            "view": built.truth.get("view"), "reps": units["reps"], "holds": units["holds"],
            "steps": built.truth.get("steps", []), "cadence_spm": built.truth.get("cadence_spm"),
            "duration_s": built.truth.get("duration_s"), "conditions": _jsonable(asdict(c), digits=None)}




def render(c: Conditions, cache_dir: Path = DEFAULT_CACHE) -> tuple[Path, Path]:
    """Render (or reuse) clip c: (video path, truth path). Needs torch + anny."""
    from formcheck_synth.avatar import render_video
    from formcheck_synth.catalog import build
    from formcheck_synth.scripts import Built

    cache_dir = Path(cache_dir)
    cache_dir.mkdir(parents=True, exist_ok=True)
    key = key_for(c)
    video, truth_path, joints_path = (cache_dir / f"{key}{ext}" for ext in (".mp4", ".json", ".joints.npy"))
    if video.exists() and truth_path.exists() and joints_path.exists():
        return video, truth_path
    sc = scenario_for(c)
    built = build(sc)
    camera = yawed(built.camera, sc.camera, c.yaw_deg)
    built = Built(built.motion, camera, built.truth)
    crf, jpeg = COMPRESSION[c.compression]
    joints = render_video(built.motion, camera, video, appearance_for(c), fps=c.fps, crf=crf, jpeg_quality=jpeg)
    np.save(joints_path, joints)
    doc = truth_for(c, built)
    doc["camera"] = {"position": camera.position.round(4).tolist(), "rotation": camera.rotation.round(6).tolist(),
                     "focal_px": camera.focal_px, "width": camera.width, "height": camera.height}
    tmp = truth_path.with_name(truth_path.name + ".part")
    tmp.write_text(json.dumps(doc, indent=1))
    tmp.replace(truth_path)  # the truth appears last: a clip is complete when its .json exists
    return video, truth_path


def camera_of(truth: dict):
    """The camera recorded in a truth file."""
    from formcheck_synth.camera import Camera

    cam = truth["camera"]
    return Camera(position=np.array(cam["position"]), rotation=np.array(cam["rotation"]),
                  focal_px=float(cam["focal_px"]), width=int(cam["width"]), height=int(cam["height"]))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Render one randomised clip with its truth.")
    ap.add_argument("movement", choices=sorted(MOVEMENTS))
    ap.add_argument("seed", type=int)
    ap.add_argument("--out", type=Path, default=Path(os.environ.get("FORMCHECK_RANDOMISED", DEFAULT_CACHE)))
    args = ap.parse_args(argv)
    video, truth = render(draw(args.movement, args.seed), args.out)
    print(f"{video}\n{truth}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
