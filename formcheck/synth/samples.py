"""The sample clips in sample_videos/: one short rendered clip per movement,
each with a ground-truth sidecar and the scenario that made it.

    python -m formcheck.synth.samples sample_videos [--only clamshell running]

needs the [synth] extra (torch + anny). Each clip is at most 20 s and 2 MB.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from pathlib import Path

import numpy as np

from formcheck.synth.catalog import SCRIPTS, build
from formcheck.synth.scripts import CameraSpec, Scenario

__all__ = ["SAMPLES", "APPEARANCES", "generate", "sidecar", "MAX_SECONDS", "MAX_BYTES"]

MAX_SECONDS = 20.0
MAX_BYTES = 2 * 1024 * 1024
TRUTH_SCHEMA = "formcheck.truth/1"

# One scenario per movement: a few reps (or a hold per side) with faults on
# known reps, filmed from the view that can see them, short enough for a sample.
SAMPLES: dict[str, Scenario] = {
    "clamshell": Scenario(
        "clamshell", reps=4, sides=("right",), up_s=1.8, top_s=0.3, down_s=1.8, rest_s=0.5, lead_s=1.0,
        range_deg=55.0, faults={2: {"feet_apart": 0.15}, 4: {"too_fast": 0.6}},
        camera=CameraSpec(view="front", distance=2.2, elevation=0.5)),
}

# Which body and clothes each sample uses (index into APPEARANCES), so the set
# shows different people.
APPEARANCES: dict[str, dict] = {
    "clamshell": {"phenotype": {"sex": 1.0, "age_years": 34, "height_m": 1.66, "weight": 0.5},
                  "shirt_bgr": (150, 90, 40), "shorts_bgr": (40, 40, 40)},
}


def _appearance(movement: str):
    from formcheck.synth.avatar import Appearance, Phenotype

    spec = dict(APPEARANCES.get(movement, {}))
    pheno = Phenotype(**spec.pop("phenotype", {}))
    return Appearance(phenotype=pheno, **spec)


def _jsonable(x):
    if isinstance(x, dict):
        return {str(k): _jsonable(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_jsonable(v) for v in x]
    if isinstance(x, np.ndarray):
        return _jsonable(x.tolist())
    if isinstance(x, (np.floating, float)):
        return round(float(x), 4)
    if isinstance(x, np.integer):
        return int(x)
    return x


def sidecar(movement: str, sc: Scenario, truth: dict, appearance) -> dict:
    """The ground-truth document written next to a clip."""
    return {
        "schema": TRUTH_SCHEMA,
        "movement": movement,
        "generator": "formcheck.synth (anny avatar, painter's-algorithm renderer)",
        "regenerate": f"python -m formcheck.synth.samples sample_videos --only {movement}",
        "scenario": _jsonable(asdict(sc)),
        "appearance": _jsonable(asdict(appearance)),
        **_jsonable(truth),
    }


def generate(movement: str, out_dir: Path, sc: Scenario | None = None) -> tuple[Path, Path]:
    """Render one sample clip and write <movement>.mp4 and <movement>.json."""
    from formcheck.synth.avatar import render_video

    sc = sc or SAMPLES[movement]
    built = build(sc)
    if built.motion.times[-1] > MAX_SECONDS:
        raise ValueError(f"{movement}: the scenario lasts {built.motion.times[-1]:.1f} s, over {MAX_SECONDS:.0f} s")
    out_dir.mkdir(parents=True, exist_ok=True)
    video = out_dir / f"{movement}.mp4"
    appearance = _appearance(movement)
    render_video(built.motion, built.camera, video, appearance, fps=sc.camera.fps)
    side = out_dir / f"{movement}.json"
    tmp = side.with_name(side.name + ".part")
    tmp.write_text(json.dumps(sidecar(movement, sc, built.truth, appearance), indent=1))
    tmp.replace(side)
    size = video.stat().st_size
    if size > MAX_BYTES:
        raise ValueError(f"{movement}: {size / 1e6:.1f} MB is over the 2 MB sample limit")
    return video, side


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Render the sample clips with ground truth.")
    ap.add_argument("out", type=Path, nargs="?", default=Path("sample_videos"))
    ap.add_argument("--only", nargs="*", default=None, help="movements to render (default: all)")
    args = ap.parse_args(argv)
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
