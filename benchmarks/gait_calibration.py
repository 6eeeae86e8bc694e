"""Fit the FPPA correction on rendered runners (benchmarks/gait_renders.py FIT set).

The pose model places its hip points closer together than the hip joint centres
(on the FIT renders 0.24-0.27 leg lengths apart from behind and 0.27-0.30 in
front, against the joints' 0.30-0.37), which reads a caving knee low. The
correction moves them apart to the joints' width before FPPA is read:

1. `hip_width_legs`: the median, over the FIT clips, of the rendered body's own
   hip joint width on screen over its leg length on screen (perfect landmarks).
   Not fitted to the pose model's FPPA errors.
2. `spread`: the pose model also reads the two knees' angles closer to each
   other than they are, more so from in front than from behind. With the hips
   apart, the true left-right difference of the legs' median FPPA ≈ spread x the
   read difference (least squares through 0 over the FIT clips of one view:
   `spread` from behind, `spread_front` in front); each step is moved away from
   the two legs' mean by it.
3. The per-leg error left (median over a leg's steps of corrected - true),
   leave-one-clip-out (spread refitted without the clip, within its view), against the camera
   yaw the clip's own landmarks show (`frames.camera_yaw_deg`): `sd_deg` and
   `sd_per_yaw` of error² ≈ sd_deg² + (sd_per_yaw x yaw)², least squares on the
   squares; they set each leg's band.

    nice -n 10 .venv/bin/python benchmarks/gait_calibration.py [--fast-tracking]

(--fast-tracking: on tracks made with num_poses=1, benchmarks/gait_renders.py --fast-tracking.)

Prints the FppaCalibration to put in formcheck/gait/metrics.py and the
validation figures quoted in docs/gait.md.
"""

from __future__ import annotations

import math
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import gait_renders as G  # noqa: E402

from formcheck.gait import GaitOptions, analyze_running  # noqa: E402
from formcheck.gait.frames import Frames  # noqa: E402
from formcheck.gait.metrics import FPPA_CALIBRATION, FppaCalibration  # noqa: E402
from formcheck.landmarks import PoseTrack  # noqa: E402


def true_hip_width(clip: G.RunClip) -> float:
    """The rendered body's hip joint width over its leg length, on screen."""
    return Frames(G.perfect_track(G.render(clip))).hip_width_legs()


def leg_medians(clip: G.RunClip, cal: FppaCalibration,
                fast_tracking: bool = False) -> tuple[dict[str, tuple[float, float, float]], float]:
    """({side: (median fppa_deg, median fppa_raw_deg, median true)}, camera yaw read from the clip)."""
    r = G.render(clip, fast_tracking=fast_tracking)
    rep = analyze_running(PoseTrack.load_npz(r["track"]), GaitOptions(calibration=cal))
    pairs = G.match_steps(r["truth"]["steps"], rep["steps"])
    out = {}
    for side in ("left", "right"):
        mine = [(d["metrics"]["fppa_deg"], d["metrics"]["fppa_raw_deg"], s["fppa_deg"]) for s, d in pairs
                if s["side"] == side]
        if mine:
            out[side] = tuple(float(np.median([m[k] for m in mine])) for k in range(3))
    return out, rep["gait"]["camera_yaw_deg"]


def thigh_over_shank(clip: G.RunClip, fast_tracking: bool = False) -> float:
    """The clip's median thigh length over shank length on screen, from the pose
    model's landmarks: a camera looking down from in front sees the thigh of a bent
    knee longer and the shank shorter (1.14-1.23 on FIT cameras 0-9° down, 1.48 at
    16-18° down), so it tells how steeply the camera looks down."""
    tr = PoseTrack.load_npz(G.render(clip, fast_tracking=fast_tracking)["track"])
    p = tr.xy * np.array([tr.width, tr.height])
    seg = lambda i, j: np.linalg.norm(p[:, i] - p[:, j], axis=1)  # noqa: E731
    return float(np.nanmedian((seg(23, 25) + seg(24, 26)) / (seg(25, 27) + seg(26, 28))))


def trunk_over_leg(clip: G.RunClip, fast_tracking: bool = False) -> float:
    """The clip's trunk (mid-shoulder to mid-hip) over leg length on screen, from the
    pose model's landmarks: larger the steeper the camera looks down (0.62-0.68 on FIT
    cameras 0-9° down, 0.69-0.73 at 16-19°), but also with the body's build."""
    fr = Frames(PoseTrack.load_npz(G.render(clip, fast_tracking=fast_tracking)["track"]))
    return float(np.nanmedian(np.linalg.norm(fr.mid("sh") - fr.mid("hip"), axis=-1)) / fr.leg_px())


def world_fppa_difference(clip: G.RunClip) -> float:
    """The left-right difference of the legs' median FPPA read from the pose model's
    3D world landmarks, each frame turned about the vertical so the hip line faces
    the camera (the runner's frontal plane), peak over each step's window."""
    from formcheck.geometry import fppa

    r = G.render(clip)
    tr = PoseTrack.load_npz(r["track"])
    rep = analyze_running(tr, GaitOptions())
    per: dict[str, list[float]] = {"left": [], "right": []}
    for _, d in G.match_steps(r["truth"]["steps"], rep["steps"]):
        h, k, a = (23, 25, 27) if d["side"] == "left" else (24, 26, 28)
        half = G.WINDOW * (d["toe_off_s"] - d["contact_s"])
        vals = []
        for w in tr.world[(tr.times >= d["midstance_s"] - half) & (tr.times <= d["midstance_s"] + half)]:
            if not np.isfinite(w[[h, k, a, 23, 24]]).all():
                continue
            line = w[24] - w[23]
            c, s_ = math.cos(math.atan2(line[2], line[0])), math.sin(math.atan2(line[2], line[0]))
            p = (w - (w[23] + w[24]) / 2) @ np.array([[c, 0, s_], [0, 1, 0], [-s_, 0, c]]).T
            vals.append(float(fppa(p[h, :2][None], p[k, :2][None], p[a, :2][None], np.zeros(1))[0]))
        if vals:
            per[d["side"]].append(max(vals))
    return float(np.median(per["left"]) - np.median(per["right"]))


def fit_spread_by_look_down(clips: dict[str, dict], ratio: dict[str, float], views: dict[str, str],
                            centre: float = 1.2) -> np.ndarray:
    """(a, b) of true L-R difference ≈ (a + b x (ratio - centre)) x read L-R difference,
    b only in front (from behind thigh/shank stays near 1 whatever the camera height)."""
    rows, y = [], []
    for n, m in clips.items():
        x = m["left"][0] - m["right"][0]
        z = ratio[n] - centre if views[n] == "front" else 0.0
        rows.append([x, x * z])
        y.append(m["left"][2] - m["right"][2])
    return np.linalg.lstsq(np.array(rows), np.array(y), rcond=None)[0]


def fit_spread(clips: dict[str, dict]) -> float:
    """The factor g of true L-R difference ≈ g x read L-R difference (least squares through 0)."""
    x = np.array([m["left"][0] - m["right"][0] for m in clips.values()])
    y = np.array([m["left"][2] - m["right"][2] for m in clips.values()])
    return float(np.sum(x * y) / np.sum(x * x))


def spread_errors(m: dict, g: float) -> dict[str, float]:
    """Per leg: median corrected - true, with the legs moved apart by g about their mean."""
    centre = (m["left"][0] + m["right"][0]) / 2
    return {side: centre + g * (v[0] - centre) - v[2] for side, v in m.items()}


def main(argv: list[str] | None = None) -> int:
    fast = "--fast-tracking" in (sys.argv[1:] if argv is None else argv)  # num_poses=1 tracks
    fit_clips = [c for c in G.FIT if G.cached(c, fast_tracking=fast)]
    missing = [c.name for c in G.FIT if not G.cached(c, fast_tracking=fast)]
    if missing:
        print(f"not rendered yet (run benchmarks/gait_renders.py --set fit): {', '.join(missing)}")
    widths = {c.name: true_hip_width(c) for c in fit_clips}
    c_all = float(np.median(list(widths.values())))
    print("hip joint width / leg length on screen (rendered bodies): "
          + ", ".join(f"{k} {v:.3f}" for k, v in widths.items()) + f"; median {c_all:.3f}")
    # No spread in either view while the medians are read (spread_front left at the
    # fitted value would fit the front spread on top of itself).
    cal = replace(FPPA_CALIBRATION, hip_width_legs=round(c_all, 3), spread=1.0, spread_front=None, slope=1.0,
                  offset=0.0)
    meds, yaws = {}, {}
    for clip in fit_clips:
        m, yaw = leg_medians(clip, cal, fast)
        if set(m) != {"left", "right"}:
            print(f"{clip.name}: steps of {sorted(m) or 'neither leg'} matched the truth only; left out")
            continue
        meds[clip.name], yaws[clip.name] = m, yaw
    fit_clips = [c for c in fit_clips if c.name in meds]
    g_all = fit_spread(meds)
    print(f"spread, all views (true L-R difference / read L-R difference, hips apart): {g_all:.3f}")
    # One spread for both views, or one per view: whichever has the smaller
    # leave-one-clip-out per-leg error on the FIT clips (no TEST clip is used).
    views = {c.name: c.view for c in fit_clips}
    loo_err = {
        "pooled": [abs(e) for n, m in meds.items()
                   for e in spread_errors(m, fit_spread({k: v for k, v in meds.items() if k != n})).values()],
        "per view": [abs(e) for n, m in meds.items()
                     for e in spread_errors(m, fit_spread({k: v for k, v in meds.items()
                                                           if k != n and views[k] == views[n]})).values()],
    }
    # A spread that grows with how steeply the camera looks down (front30c, held out, read
    # its caving knee low from 1.4 m high and 3.2 m away): fitted and validated the same way.
    ratio = {c.name: thigh_over_shank(c, fast) for c in fit_clips}

    def look_down_errors(n: str, m: dict) -> list[float]:
        a, b = fit_spread_by_look_down({k: v for k, v in meds.items() if k != n}, ratio, views)
        g = a + b * (ratio[n] - 1.2 if views[n] == "front" else 0.0)
        return list(spread_errors(m, g).values())

    loo_look_down = [abs(e) for n, m in meds.items() for e in look_down_errors(n, m)]
    a_all, b_all = fit_spread_by_look_down(meds, ratio, views)
    print("thigh/shank on screen: " + ", ".join(f"{n} {r:.2f}" for n, r in ratio.items()))
    print(f"spread growing with the look-down (thigh/shank), all clips: {a_all:.2f} + {b_all:.2f} x (ratio - 1.2) "
          f"in front; leave-one-clip-out per-leg MAE {np.mean(loo_look_down):.2f}° (worst "
          f"{np.max(loo_look_down):.2f}°) against one spread {np.mean(loo_err['pooled']):.2f}° (worst "
          f"{np.max(loo_err['pooled']):.2f}°): " + ("better" if np.mean(loo_look_down) < np.mean(loo_err["pooled"])
                                                    else "not better, not used"))
    # Session 23, the same for trunk/leg on screen (another look-down measure) and the
    # 3D world landmarks' own FPPA (front30c, held out, still reads its caving knee low).
    trunk = {c.name: trunk_over_leg(c, fast) for c in fit_clips}

    def trunk_errors(n: str, m: dict) -> list[float]:
        a, b = fit_spread_by_look_down({k: v for k, v in meds.items() if k != n}, trunk, views, 0.66)
        return list(spread_errors(m, a + b * (trunk[n] - 0.66 if views[n] == "front" else 0.0)).values())

    loo_trunk = [abs(e) for n, m in meds.items() for e in trunk_errors(n, m)]
    a_t, b_t = fit_spread_by_look_down(meds, trunk, views, 0.66)
    print("trunk/leg on screen: " + ", ".join(f"{n} {r:.3f}" for n, r in trunk.items()))
    print(f"spread growing with trunk/leg, all clips: {a_t:.2f} + {b_t:.2f} x (ratio - 0.66) in front; "
          f"leave-one-clip-out per-leg MAE {np.mean(loo_trunk):.2f}° (worst {np.max(loo_trunk):.2f}°) against one "
          f"spread {np.mean(loo_err['pooled']):.2f}°: not used (see docs/gait.md)")
    if not fast:
        print("left-right FPPA difference, true / read (hips apart, no spread) / from the 3D world landmarks:")
        for c in fit_clips:
            m = meds[c.name]
            print(f"  {c.name} {c.view}: {m['left'][2] - m['right'][2]:+.1f}° / {m['left'][0] - m['right'][0]:+.1f}° / "
                  f"{world_fppa_difference(c):+.1f}°")
    pooled = np.mean(loo_err["pooled"]) <= np.mean(loo_err["per view"])
    print("leave-one-clip-out per-leg MAE: " + ", ".join(f"{k} spread {np.mean(v):.2f}°" for k, v in loo_err.items())
          + f" -> {'one spread for both views' if pooled else 'a spread per view'}")
    fitted = {}
    all_rows = []
    for view in ("back", "front"):
        clips = [c for c in fit_clips if c.view == view]
        if len(clips) < 2:
            print(f"{view}: fewer than 2 fit clips; the {view} spread is the all-view one")
            fitted[view] = (g_all, None, None)
            continue
        vm = {c.name: meds[c.name] for c in clips}
        ref = meds if pooled else vm  # the clips the spread is fitted on
        g = fit_spread(ref)
        print(f"\n{view}: spread {g:.3f} from {len(ref)} clips ({', '.join(ref)})")
        rows, loo, loo_yaw = [], [], []
        for clip in clips:
            m = meds[clip.name]
            errs = spread_errors(m, g)
            errs_loo = spread_errors(m, fit_spread({k: v for k, v in ref.items() if k != clip.name}))
            for side, e in errs.items():
                rows.append((clip.name, side, e, yaws[clip.name], m[side][1] - m[side][2], m[side][0] - m[side][2]))
                loo.append(errs_loo[side])
                loo_yaw.append(yaws[clip.name])
                print(f"{clip.name} {clip.view} yaw {clip.yaw:+.0f}° (read {yaws[clip.name]:.0f}°) {side:5s} "
                      f"{'valgus' if side == clip.valgus_side else 'other '}: true {m[side][2]:5.1f}°, corrected - "
                      f"true {e:+.1f}° (leave-one-clip-out {errs_loo[side]:+.1f}°, hips apart only "
                      f"{rows[-1][5]:+.1f}°, raw {rows[-1][4]:+.1f}°)")
        e = np.array([r[2] for r in rows])
        y = np.array(loo_yaw)
        a = np.stack([np.ones_like(y), y * y], axis=1)
        # The band's SD from the leave-one-clip-out errors (a clip the spread was not fitted on).
        coef = np.linalg.lstsq(a, np.square(loo), rcond=None)[0]
        sd0 = math.sqrt(max(coef[0], 1.0))
        k = math.sqrt(max(coef[1], 0.0))
        print(f"{view}: per-leg median error on the FIT clips: corrected MAE {np.mean(np.abs(e)):.2f}° "
              f"(RMS {math.sqrt(np.mean(e * e)):.2f}°), hips apart only "
              f"{np.mean(np.abs([r[5] for r in rows])):.2f}°, raw {np.mean(np.abs([r[4] for r in rows])):.2f}°; "
              f"leave-one-clip-out (spread refitted) {np.mean(np.abs(loo)):.2f}°, worst {np.max(np.abs(loo)):.2f}°")
        print(f"{view}: error² ≈ {sd0:.2f}² + ({k:.3f} x yaw)²")
        fitted[view] = (g, sd0, k)
        all_rows += rows
    (gb, sb, kb), (gf, sf, kf) = fitted["back"], fitted["front"]
    print(f"\nFppaCalibration(hip_width_legs={c_all:.3f}, spread={gb:.2f}, sd_deg={sb:.1f}, sd_per_yaw={kb:.2f}, "
          f"spread_front={gf:.2f}, sd_deg_front={sf:.1f}, sd_per_yaw_front={kf:.2f}, "
          f'fitted_on="{len(fit_clips)} rendered runners ({", ".join(c.name for c in fit_clips)}), '
          'benchmarks/gait_calibration.py")')
    return 0


if __name__ == "__main__":
    sys.exit(main())
