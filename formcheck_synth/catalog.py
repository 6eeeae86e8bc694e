"""Movement name -> scripted motion, and `build` for any scenario."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from formcheck_synth.quadruped import donkey_kick, fire_hydrant
from formcheck_synth.running import running
from formcheck_synth.scripts import Built, Scenario, clamshell
from formcheck_synth.stretches import hamstring_stretch, running_lunge
from formcheck_synth.supine import figure_four, straight_leg_raise

__all__ = ["SCRIPTS", "build"]

SCRIPTS: dict[str, Callable[[Scenario], Built]] = {
    "clamshell": clamshell,
    "donkey_kick": donkey_kick,
    "fire_hydrant": fire_hydrant,
    "straight_leg_raise": straight_leg_raise,
    "hamstring_stretch": hamstring_stretch,
    "running_lunge": running_lunge,
    "figure_four": figure_four,
    "running": running,
}


def build(sc: Scenario) -> Built:
    """Motion, camera and truth for a scenario. The truth also carries fps,
    duration and the per-frame true joint angles under 'angles'."""
    if sc.exercise not in SCRIPTS:
        raise KeyError(f"no synthetic script for {sc.exercise!r}; have {sorted(SCRIPTS)}")
    built = SCRIPTS[sc.exercise](sc)
    truth = dict(built.truth)
    truth.setdefault("fps", sc.camera.fps)
    truth.setdefault("duration_s", float(built.motion.times[-1]) if len(built.motion.times) else 0.0)
    truth.setdefault("angles", {"t": built.motion.times.round(4).tolist(),
                                **{k: np.round(v, 2).tolist() for k, v in built.motion.angles.items()
                                   if np.ndim(v) == 1}})
    return Built(built.motion, built.camera, truth)
