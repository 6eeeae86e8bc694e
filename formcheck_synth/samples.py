"""The sample clips in sample_videos/: one short rendered clip per movement,
each with a ground-truth sidecar and the scenario that made it.

    python -m formcheck_synth.samples sample_videos [--only clamshell running]

needs the [synth] extra (torch + anny). Each clip is at most 20 s and 2 MB.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from pathlib import Path

import numpy as np

from formcheck_synth.catalog import SCRIPTS, build
from formcheck_synth.scripts import CameraSpec, Scenario

__all__ = ["SAMPLES", "SAMPLE_OPTIONS", "APPEARANCES", "generate", "sidecar", "MAX_SECONDS", "MAX_BYTES"]

MAX_SECONDS = 20.0
MAX_BYTES = 2 * 1024 * 1024
TRUTH_SCHEMA = "formcheck.truth/1"

# One scenario per movement: a few reps (or a hold per side) with faults on
# known reps, filmed from the view that can see them, short enough for a sample.
SAMPLES: dict[str, Scenario] = {
    "clamshell": Scenario(
        "clamshell", reps=4, sides=("right",), up_s=1.8, top_s=0.3, down_s=1.8, rest_s=0.5, lead_s=1.0,
        range_deg=55.0, faults={3: {"short_range": 0.6}, 4: {"too_fast": 0.6}},
        camera=CameraSpec(view="front", distance=2.2, elevation=0.5)),
    # Treadmill running filmed from the front at 60 fps, 2 s standing first (the
    # FPPA baseline), then 20 steps from the left foot; every right step caves in.
    # From the front: on rendered runners BlazePose reads FPPA within about 2°
    # there, but under-reads a caving knee by about 9° from behind (docs/accuracy.md).
    "running": Scenario(
        "running", reps=20, sides=("left",), lead_s=2.0,
        faults={k: {"knee_valgus": 16.0} for k in range(2, 21, 2)},
        camera=CameraSpec(view="front", distance=3.0, elevation=0.15, fps=60.0)),
    # On all fours, the working leg nearer the camera: the donkey kick side-on
    # (knee angle, range), the fire hydrant from behind (hip drop, range).
    "donkey_kick": Scenario(
        "donkey_kick", reps=4, sides=("right",), up_s=1.5, top_s=0.4, down_s=1.5, rest_s=0.5, lead_s=1.0,
        range_deg=88.0, faults={2: {"knee_angle": -35.0}, 4: {"short_range": 0.5}},
        camera=CameraSpec(view="right", distance=2.6, elevation=0.4)),
    "fire_hydrant": Scenario(
        "fire_hydrant", reps=4, sides=("right",), up_s=1.5, top_s=0.4, down_s=1.5, rest_s=0.5, lead_s=1.0,
        range_deg=55.0, faults={2: {"hip_drop": 15.0}, 4: {"short_range": 0.45}},
        camera=CameraSpec(view="feet_end", distance=2.6, elevation=0.5)),
    # Lying on the back, side-on; the straight leg raise holds 3.5 s at the top.
    "straight_leg_raise": Scenario(
        "straight_leg_raise", reps=2, sides=("right",), up_s=1.8, top_s=3.5, down_s=1.8, rest_s=0.8, lead_s=1.0,
        faults={2: {"knee_bent": 25.0}}, camera=CameraSpec(view="right", distance=2.6, elevation=0.4)),
    # Figure-four: the crossed leg nearer the camera and the camera raised to 1 m
    # above the hips (side-on at 0.4 m the model missed a hold and mislabelled the
    # legs), two holds of that side, the second with the ankle off the knee.
    "figure_four": Scenario(
        "figure_four", sides=("right", "right"), hold_s=6.0, up_s=1.2, down_s=1.2, rest_s=0.6, lead_s=0.8,
        faults={2: {"ankle_off_knee": 0.2}}, camera=CameraSpec(view="right", distance=2.6, elevation=1.0)),
    # Stretches: the stretched leg nearer the camera (from the side the model loses
    # the far leg), two short holds of that side, the second one faulted.
    "hamstring_stretch": Scenario(
        "hamstring_stretch", sides=("left",), sets=2, hold_s=6.0, up_s=1.5, down_s=1.5, rest_s=0.5, lead_s=0.6,
        faults={2: {"knee_bent": 30.0}}, camera=CameraSpec(view="left", distance=2.8, elevation=0.4)),
    "running_lunge": Scenario(
        "running_lunge", sides=("left",), sets=2, hold_s=6.5, up_s=1.2, down_s=1.2, rest_s=0.5, lead_s=0.6,
        faults={2: {"hips_high": 35.0}}, camera=CameraSpec(view="left", distance=2.6, elevation=0.3)),
}

# Analysis options a sample needs (written into its sidecar as "analysis_options"
# and passed by the end-to-end tests): short samples hold stretches for a few
# seconds, so they set the user's hold target to match.
SAMPLE_OPTIONS: dict[str, dict] = {
    "hamstring_stretch": {"hold_target_s": 4.0},
    "running_lunge": {"hold_target_s": 4.0},
    "figure_four": {"hold_target_s": 5.0},
}

# Which body and clothes each sample uses (index into APPEARANCES), so the set
# shows different people.
APPEARANCES: dict[str, dict] = {
    "clamshell": {"phenotype": {"sex": 1.0, "age_years": 34, "height_m": 1.66, "weight": 0.5},
                  "shirt_bgr": (150, 90, 40), "shorts_bgr": (40, 40, 40)},
    "running": {"phenotype": {"sex": 1.0, "age_years": 40, "height_m": 1.62, "weight": 0.6},
                "shirt_bgr": (60, 140, 60), "shorts_bgr": (90, 40, 40)},
}


def _appearance(movement: str):
    from formcheck_synth.avatar import Appearance, Phenotype

    spec = dict(APPEARANCES.get(movement, {}))
    pheno = Phenotype(**spec.pop("phenotype", {}))
    return Appearance(phenotype=pheno, **spec)


def _jsonable(x, digits: int | None = 4):
    """x as plain JSON types; floats rounded to `digits` (None: kept whole)."""
    if isinstance(x, dict):
        return {str(k): _jsonable(v, digits) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_jsonable(v, digits) for v in x]
    if isinstance(x, np.ndarray):
        return _jsonable(x.tolist(), digits)
    if isinstance(x, (np.floating, float)):
        return float(x) if digits is None else round(float(x), digits)
    if isinstance(x, np.integer):
        return int(x)
    return x


def sidecar(movement: str, sc: Scenario, truth: dict, appearance) -> dict:
    """The ground-truth document written next to a clip."""
    return {
        "schema": TRUTH_SCHEMA,
        "movement": movement,
        "generator": "formcheck_synth (anny avatar, painter's-algorithm renderer)",
        "regenerate": f"python -m formcheck_synth.samples sample_videos --only {movement}",
        "scenario": _jsonable(asdict(sc)),
        "analysis_options": dict(SAMPLE_OPTIONS.get(movement, {})),
        "appearance": _jsonable(asdict(appearance)),
        **_jsonable(truth),
    }


def perfect_landmarks(movement: str, built, joints: np.ndarray) -> dict:
    """formcheck's own analysis of the rendered body's exact joints (the avatar's
    skeleton, projected by the same camera): the angles a perfect pose model
    would give. The avatar's proportions differ from the scripted skeleton's, so
    angle truth for this clip comes from here; counts and fault codes come from
    the scenario."""
    from formcheck.pipeline import Options, analyze
    from formcheck_synth.kit import track_from_points

    rep = analyze(track_from_points(built.motion.times, joints, built.camera), movement,
                  Options(**SAMPLE_OPTIONS.get(movement, {})))
    out = {"view": rep["view"],
           "reps": [{"index": r["index"], "side": r["side"], "peak_s": r["peak_s"], "metrics": r["metrics"]}
                    for r in rep["reps"]],
           "holds": [{"side": h["side"], "start_s": h["start_s"], "metrics": h["metrics"]} for h in rep["holds"]],
           "steps": [{"side": st["side"], "contact_s": st["contact_s"], "metrics": st["metrics"]} for st in rep["steps"]]}
    if "gait" in rep:
        out["gait"] = {"cadence_spm": rep["gait"].get("cadence_spm"),
                       "fppa_median_deg": {s: rep["gait"]["legs"].get(s, {}).get("fppa_median_deg")
                                           for s in ("left", "right")}}
    return out


def generate(movement: str, out_dir: Path, sc: Scenario | None = None) -> tuple[Path, Path]:
    """Render one sample clip and write <movement>.mp4 and <movement>.json."""
    from formcheck_synth.avatar import render_video

    sc = sc or SAMPLES[movement]
    built = build(sc)
    if built.motion.times[-1] > MAX_SECONDS:
        raise ValueError(f"{movement}: the scenario lasts {built.motion.times[-1]:.1f} s, over {MAX_SECONDS:.0f} s")
    out_dir.mkdir(parents=True, exist_ok=True)
    video = out_dir / f"{movement}.mp4"
    appearance = _appearance(movement)
    joints = render_video(built.motion, built.camera, video, appearance, fps=sc.camera.fps)
    side = out_dir / f"{movement}.json"
    tmp = side.with_name(side.name + ".part")
    doc = sidecar(movement, sc, built.truth, appearance)
    doc["perfect_landmarks"] = _jsonable(perfect_landmarks(movement, built, joints))
    tmp.write_text(json.dumps(doc, indent=1))
    tmp.replace(side)
    size = video.stat().st_size
    if size > MAX_BYTES:
        raise ValueError(f"{movement}: {size / 1e6:.1f} MB is over the 2 MB sample limit")
    return video, side


def contact_sheet(clips_dir: Path, out_png: Path, per_clip: int = 4, width: int = 320) -> Path:
    """Tile a few frames of every sample clip (one row per movement) into a PNG."""
    import cv2

    from formcheck.video import probe, read_frames

    rows = []
    for video in sorted(p for p in clips_dir.glob("*.mp4") if "." not in p.stem):  # not the .annotated.mp4
        n = probe(video).frames
        picks = {int(n * (k + 0.5) / per_clip) for k in range(per_clip)}
        frames = [f for i, (_t, f) in enumerate(read_frames(video)) if i in picks]
        tiles = [cv2.resize(f, (width, int(f.shape[0] * width / f.shape[1]))) for f in frames]
        h = max(t.shape[0] for t in tiles)
        tiles = [cv2.copyMakeBorder(t, 0, h - t.shape[0], 0, 0, cv2.BORDER_CONSTANT) for t in tiles]
        row = np.hstack(tiles)
        cv2.putText(row, video.stem, (8, 24), cv2.FONT_HERSHEY_SIMPLEX, 0.7, (0, 0, 0), 4, cv2.LINE_AA)
        cv2.putText(row, video.stem, (8, 24), cv2.FONT_HERSHEY_SIMPLEX, 0.7, (255, 255, 255), 2, cv2.LINE_AA)
        rows.append(row)
    w = max(r.shape[1] for r in rows)
    sheet = np.vstack([cv2.copyMakeBorder(r, 0, 4, 0, w - r.shape[1], cv2.BORDER_CONSTANT) for r in rows])
    out_png.parent.mkdir(parents=True, exist_ok=True)
    cv2.imwrite(str(out_png), sheet)
    return out_png


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Render the sample clips with ground truth.")
    ap.add_argument("out", type=Path, nargs="?", default=Path("sample_videos"))
    ap.add_argument("--only", nargs="*", default=None, help="movements to render (default: all)")
    ap.add_argument("--contact-sheet", type=Path, default=None, metavar="PNG",
                    help="only tile frames of the clips already in OUT into this PNG")
    args = ap.parse_args(argv)
    if args.contact_sheet is not None:
        print(contact_sheet(args.out, args.contact_sheet))
        return 0
    names = args.only or [m for m in SAMPLES if m in SCRIPTS]
    for name in names:
        if name not in SAMPLES:
            print(f"no sample scenario for {name!r}", file=sys.stderr)
            return 2
        video, side = generate(name, args.out)
        print(f"{name}: {video} ({video.stat().st_size / 1e6:.2f} MB), {side}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
