"""Fit the pose model's FPPA bias on rendered runners (benchmarks/gait_renders.py FIT set).

For every FIT clip (bodies M27 and F41, cameras not used by the TEST set), each
step's FPPA as the real pose model's landmarks show it (`fppa_raw_deg`,
calibration off) is paired with the rendered body's true FPPA. A line
true = offset + slope x read is fitted by least squares over all steps;
`sd_deg` is the spread of the per-clip, per-leg median errors left after the
fit (the part that does not average out over a clip's steps). Leave-one-clip-out
errors show how the line does on a clip it was not fitted on.

    nice -n 10 .venv/bin/python benchmarks/gait_calibration.py

Prints the FppaCalibration to put in formcheck/gait/metrics.py and the
validation figures quoted in docs/gait.md.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import gait_renders as G  # noqa: E402


def pairs_of(clip: G.RunClip) -> list[tuple[str, float, float]]:
    """(side, read, true) per matched step of one clip, calibration off."""
    truth, rep = G.analyse(clip, calibration="off")
    return [(s["side"], d["metrics"]["fppa_raw_deg"], s["fppa_deg"])
            for s, d in G.match_steps(truth["steps"], rep["steps"]) if "fppa_raw_deg" in d["metrics"]]


def fit(rows: list[tuple[str, str, float, float]]) -> tuple[float, float]:
    """(slope, offset) of true on read through the per-clip, per-leg medians."""
    pts = []
    for name in sorted({r[0] for r in rows}):
        for side in ("left", "right"):
            mine = [r for r in rows if r[0] == name and r[1] == side]
            if mine:
                pts.append((np.median([r[2] for r in mine]), np.median([r[3] for r in mine])))
    p = np.array(pts)
    slope, offset = np.polyfit(p[:, 0], p[:, 1], 1)
    return float(slope), float(offset)


def leg_medians(rows, slope, offset) -> list[float]:
    """Per clip and leg: median of (corrected - true)."""
    out = []
    for name in sorted({r[0] for r in rows}):
        for side in ("left", "right"):
            e = [offset + slope * r[2] - r[3] for r in rows if r[0] == name and r[1] == side]
            if e:
                out.append(float(np.median(e)))
    return out


def main() -> int:
    rows = []
    fit_clips = [c for c in G.FIT if G.cached(c)]
    missing = [c.name for c in G.FIT if not G.cached(c)]
    if missing:
        print(f"not rendered yet (run benchmarks/gait_renders.py --set fit): {', '.join(missing)}")
    for clip in fit_clips:
        got = pairs_of(clip)
        rows += [(clip.name, side, read, true) for side, read, true in got]
        print(f"{clip.name}: {len(got)} steps, read - true median "
              f"{np.median([r - t for _, r, t in got]):+.1f}° (true {min(t for *_, t in got):.0f}-"
              f"{max(t for *_, t in got):.0f}°)")
    slope, offset = fit(rows)
    res = leg_medians(rows, slope, offset)
    sd = float(np.sqrt(np.mean(np.square(res))))
    step_err = [abs(offset + slope * r[2] - r[3]) for r in rows]
    print(f"\nfit through the leg medians of {len(rows)} steps of {len(fit_clips)} clips: true = {offset:.2f} + {slope:.3f} x read")
    print(f"per-step MAE after the fit {np.mean(step_err):.2f}°, before {np.mean([abs(r[2] - r[3]) for r in rows]):.2f}°")
    print(f"per-leg median error after the fit: RMS {sd:.2f}° (sd_deg), worst {max(map(abs, res)):.2f}°")
    loo, loo_leg = [], []
    names = sorted({r[0] for r in rows})
    for name in names if len(names) > 1 else []:
        s, o = fit([r for r in rows if r[0] != name])
        loo += [abs(o + s * r[2] - r[3]) for r in rows if r[0] == name]
        loo_leg += [abs(m) for m in leg_medians([r for r in rows if r[0] == name], s, o)]
    if loo:
        print(f"leave-one-clip-out: per-step MAE {np.mean(loo):.2f}°, per-leg median error mean {np.mean(loo_leg):.2f}°, "
              f"worst {max(loo_leg):.2f}°")
    print(f"\nFppaCalibration(slope={slope:.3f}, offset={offset:.2f}, sd_deg={max(sd, 1.0):.1f}, "
          f'fitted_on="{len(fit_clips)} rendered runners ({", ".join(c.name for c in fit_clips)}), '
          'benchmarks/gait_calibration.py")')
    return 0


if __name__ == "__main__":
    sys.exit(main())
