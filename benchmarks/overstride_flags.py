"""Overstride flags on side-view synthetic treadmill runs (own renders through the pose kit, no pose model).

Three overstrides are injected (heel 0.25, 0.22 and 0.28 leg lengths ahead of the hip at steps 5, 9 and 14 of 24;
the true shin then leans 12.2°, 10.5° and 14.1° forward), the runner filmed from the side at 30, 60 and 120 fps,
once clean and with the kit's REALISTIC noise at three seeds. Per run: the truth's overstride steps, the steps
formcheck flags, and the flags that are not overstrides (extra) and the overstrides not flagged (missed).
`--heel-alone` judges with the rule used before session 36 (heel ahead > 0.15 or shin > 10°) for comparison.

    python benchmarks/overstride_flags.py
    python benchmarks/overstride_flags.py --heel-alone
"""
from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

FAULTS = {5: {"overstride": 0.25}, 9: {"overstride": 0.22}, 14: {"overstride": 0.28}}


def flagged_steps(rep: dict, truth_steps: list[dict]) -> set[int]:
    """Truth indices of the steps formcheck flags (each matched to the same leg's nearest true contact)."""
    out = set()
    for s in rep["steps"]:
        if any(f["code"] == "overstride" for f in s["faults"]):
            near = min((t for t in truth_steps if t["side"] == s["side"]),
                       key=lambda t: abs(t["contact_s"] - s["contact_s"]))
            out.add(near["index"])
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--heel-alone", action="store_true", help="the rule before session 36: heel or shin")
    args = ap.parse_args(argv)
    import formcheck.gait.rules as rules
    from formcheck.exercises.base import Cond
    from formcheck.gait import analyze_running
    from formcheck_synth.kit import REALISTIC, Defects, track_from_motion
    from formcheck_synth.running import RunParams, running, treadmill_scenario

    if args.heel_alone:
        old = (Cond("overstride", ">", rules.OVERSTRIDE_RATIO), Cond("tibia_angle_deg", ">", rules.TIBIA_DEG))
        rules.STEP_FAULTS = tuple(dataclasses.replace(f, when=old, also=()) if f.code == "overstride" else f
                                  for f in rules.STEP_FAULTS)
    extra = missed = 0
    for fps in (30, 60, 120):
        built = running(treadmill_scenario("left", steps=24, fps=fps, faults=FAULTS), RunParams(cadence_spm=170.0))
        truth = {s["index"] for s in built.truth["steps"] if "overstride" in s["faults"]}
        for name, defects in [("clean", Defects())] + [(f"noisy seed {k}", dataclasses.replace(REALISTIC, seed=k))
                                                        for k in range(3)]:
            found = flagged_steps(analyze_running(track_from_motion(built.motion, built.camera, defects)),
                                  built.truth["steps"])
            extra += len(found - truth)
            missed += len(truth - found)
            print(f"{fps:3d} fps {name:13s} truth {sorted(truth)} flagged {sorted(found)} "
                  f"extra {len(found - truth)} missed {len(truth - found)}")
    print(f"all runs: {extra} extra, {missed} missed ({'heel or shin' if args.heel_alone else 'shin and heel'})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
