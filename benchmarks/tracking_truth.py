"""Tracking one person (num_poses=1) against detecting on every frame (num_poses=2), scored against the TRUE joints.

Detect-every-frame is not ground truth. The sample clips (sample_videos/, own renders by formcheck_synth) come
from a body whose joints are known exactly: this script rebuilds each sample's scenario, skins the avatar frame by
frame (no rendering) and projects its 33 BlazePose-order landmarks through the clip's camera. Each pose mode's track
is then scored

  (a) landmarks: the leg landmarks' (hips, knees, ankles) distance to the true ones, in pixels and in torso lengths
      (the true torso: mid-shoulder to mid-hip): median, 95th percentile, and the share of frames whose worst leg
      landmark is more than 0.15 torso lengths off;
  (b) outcomes: the end-to-end checks of tests/test_e2e_samples.py (counts and sides, fault flags per rep or hold,
      running FPPA per leg within 3 deg of the rendered body's own, cadence within 2%).

Modes (see MODES): `detect` (the default, pose.DEFAULT_NUM_POSES), `track` (--fast-tracking: num_poses=1 with the
second-person check), and tracking with re-detection triggers. Tracks are cached in --cache (default
~/.cache/formcheck/tracking_truth), never in sample_videos/.

    nice -n 10 .venv/bin/python benchmarks/tracking_truth.py                      # every sample, every mode
    nice -n 10 .venv/bin/python benchmarks/tracking_truth.py --only figure_four --modes detect,track
    nice -n 10 .venv/bin/python benchmarks/tracking_truth.py --per-frame figure_four:track   # where it goes wrong
    .venv/bin/python benchmarks/tracking_truth.py --simulate-triggers bone=0.1,bone=0.15,jump=0.3   # re-detection
    .venv/bin/python benchmarks/tracking_truth.py --simulate-triggers every=10,every=3,oracle=0.1,oracle=0.05

Needs the [synth] extra (torch + anny) for the true joints (cached after the first run).
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
SAMPLES = REPO / "sample_videos"
LEG = [23, 24, 25, 26, 27, 28]
FAR = 0.15  # torso lengths: a leg landmark this far off changes a joint angle by >~10 deg [own]


def cache_dir() -> Path:
    return Path(os.environ.get("FORMCHECK_TRACKING_CACHE", Path.home() / ".cache" / "formcheck" / "tracking_truth"))


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:10]


# ---- the true landmarks ----------------------------------------------------------------------------------------


def true_pixels(movement: str, cache: Path) -> np.ndarray:
    """[N, 33, 2] pixel positions of the rendered body's own landmarks on each frame of sample_videos/<movement>.mp4."""
    clip = SAMPLES / f"{movement}.mp4"
    out = cache / f"{movement}-{_sha(clip)}.truth_px.npy"
    if out.exists():
        return np.load(out)
    from formcheck_synth.avatar import _skin, load_body, pose_bones
    from formcheck_synth.catalog import build
    from formcheck_synth.samples import SAMPLES as SCENARIOS
    from formcheck_synth.samples import _appearance

    built = build(SCENARIOS[movement])
    model = load_body(_appearance(movement))
    bones = pose_bones(model, built.motion)
    joints = np.stack([model.lm_vert @ _skin(model, bones, i) + model.lm_bone @ bones.head[i]
                       for i in range(len(built.motion.times))])
    cam = built.camera
    px = cam.project_normalized(joints) * np.array([cam.width, cam.height], float)
    cache.mkdir(parents=True, exist_ok=True)
    np.save(out, px)
    return px


# ---- pose modes -------------------------------------------------------------------------------------------------


class Retracker:
    """num_poses=1 tracking, with a fresh tracker (so a fresh person detection on the next frame) whenever
    `trigger(prev_xy, xy, vis)` says so, or every `every` frames. The frame is then run again through the fresh
    tracker, so the returned landmarks come from the detector's crop."""

    def __init__(self, trigger=None, every: int | None = None, people_check_s: float | None = 2.0):
        from formcheck.models import resolve_model
        from formcheck.pose import MediaPipeEstimator

        self.est = MediaPipeEstimator(resolve_model("full"), num_poses=1, people_check_s=people_check_s)
        self.trigger, self.every = trigger, every
        self.prev = None
        self.n = 0
        self.fresh = 0

    @property
    def mode(self) -> dict:
        return self.est.mode

    def _refresh(self) -> None:
        from formcheck.pose import _close_landmarker

        est = self.est
        old, est._lm = est._lm, None
        _close_landmarker(old)
        est._lm = est._landmarker(est._vision.RunningMode.VIDEO, 1)
        self.fresh += 1

    def detect(self, frame, t):
        d = self.est.detect(frame, t)
        self.n += 1
        due = self.every is not None and self.n % self.every == 0
        if d is not None and not due and self.trigger is not None and self.prev is not None:
            due = self.trigger(self.prev, d)
        if due:
            d = self._reseed(frame, t, d)
        self.prev = d
        return d

    def _reseed(self, frame, t, d):
        """A fresh tracker run on this frame again (its first frame is a detection); the
        tracked result `d` is kept if the fresh one finds nobody."""
        self._refresh()
        d2 = self.est.detect(frame, t + 0.0005)
        return d2 if d2 is not None else d

    def close(self):
        self.est.close()


class CheckedTracker(Retracker):
    """num_poses=1 tracking checked every `every` frames by a detection on a second (IMAGE-mode, num_poses=1)
    landmarker: where the detection's leg landmarks are more than `tol` torso lengths from the tracked ones, the
    tracker is re-seeded (a fresh tracker, whose first frame is a fresh detection) and the detection is returned.
    Cost per frame: 1 + (one IMAGE pass, ~1.37 tracked frames) / every + (a restart, ~5 tracked frames) * re-seeds."""

    def __init__(self, every: int, tol: float):
        super().__init__()
        self.check_every, self.tol = every, tol
        self._image = None
        self.checks = 0

    def _detect_image(self, frame):
        import cv2

        est = self.est
        if self._image is None:
            self._image = est._landmarker(est._vision.RunningMode.IMAGE, 1)
        rgb = cv2.cvtColor(frame, cv2.COLOR_BGR2RGB)
        res = self._image.detect(est._mp.Image(image_format=est._mp.ImageFormat.SRGB, data=rgb))
        self.checks += 1
        if not res.pose_landmarks:
            return None
        return np.array([[p.x, p.y] for p in res.pose_landmarks[0]], float)

    def detect(self, frame, t):
        d = self.est.detect(frame, t)
        self.n += 1
        if d is not None and self.n % self.check_every == 0:
            ref = self._detect_image(frame)
            if ref is not None:
                size = np.array([frame.shape[1], frame.shape[0]], float)
                off = np.linalg.norm((d.xy[LEG] - ref[LEG]) * size, axis=1).max() / _torso(ref * size)
                if off > self.tol:
                    d = self._reseed(frame, t, d)
        self.prev = d
        return d

    def close(self):
        from formcheck.pose import _close_landmarker

        if self._image is not None:
            _close_landmarker(self._image)
            self._image = None
        super().close()


def _torso(xy: np.ndarray) -> float:
    return float(np.linalg.norm((xy[11] + xy[12]) / 2 - (xy[23] + xy[24]) / 2)) + 1e-9


def jump_trigger(prev, cur) -> bool:
    """benchmarks/redetect.py's `jump`: a leg segment's length, the legs' visibility or the body's box jumps."""
    def feats(d):
        xy = d.xy
        tor = _torso(xy)
        segs = np.array([np.linalg.norm(xy[a] - xy[b]) for a, b in ((23, 25), (25, 27), (24, 26), (26, 28))]) / tor
        return segs, (xy.max(0) - xy.min(0)) / tor, float(np.mean(d.vis[LEG]))
    (sa, ba, va), (sb, bb, vb) = feats(prev), feats(cur)
    return bool(np.any(np.abs(sb - sa) > 0.25) or abs(vb - va) > 0.2 or np.any(np.abs(bb - ba) > 0.25))


def make_estimator(mode: str):
    from formcheck.models import resolve_model
    from formcheck.pose import MediaPipeEstimator

    if mode == "detect":
        return MediaPipeEstimator(resolve_model("full"), num_poses=2)
    if mode == "track":
        return MediaPipeEstimator(resolve_model("full"), num_poses=1)
    if mode == "jump":
        return Retracker(trigger=jump_trigger)
    if mode.startswith("every"):
        return Retracker(every=int(mode[5:]))
    if mode.startswith("check"):  # check<N>x<tol>: an IMAGE-mode detection every N frames, re-seed beyond tol torso
        every, tol = mode[5:].split("x")
        return CheckedTracker(int(every), float(tol))
    raise SystemExit(f"unknown mode {mode}")


def track_for(movement: str, mode: str, cache: Path):
    """The clip's raw PoseTrack in `mode` (cached)."""
    from formcheck.landmarks import PoseTrack
    from formcheck.pose import extract_track

    clip = SAMPLES / f"{movement}.mp4"
    out = cache / f"{movement}-{_sha(clip)}.{mode}.npz"
    if out.exists():
        return PoseTrack.load_npz(out), None
    est = make_estimator(mode)
    t0 = time.perf_counter()
    try:
        track = extract_track(clip, estimator=est)
    finally:
        est.close()
    wall = time.perf_counter() - t0
    track.meta["bench_mode"] = mode
    track.meta["fresh_trackers"] = int(getattr(est, "fresh", 0))
    track.meta["image_checks"] = int(getattr(est, "checks", 0))
    cache.mkdir(parents=True, exist_ok=True)
    track.save_npz(out)
    return track, wall


# ---- scoring ----------------------------------------------------------------------------------------------------


def landmark_errors(track, truth_px: np.ndarray) -> dict:
    n = min(len(track), len(truth_px))
    xy = track.xy[:n] * np.array([track.width, track.height], float)
    tr = truth_px[:n]
    ok = track.detected[:n]
    torso = np.array([_torso(t) for t in tr])
    d = np.linalg.norm(xy[:, LEG] - tr[:, LEG], axis=2)  # [n, 6]
    dt = d / torso[:, None]
    worst_t = dt.max(1)
    return {"frames": int(n), "found": float(ok.mean()),
            "median_px": float(np.median(d[ok])), "p95_px": float(np.percentile(d[ok], 95)),
            "median_torso": float(np.median(dt[ok])), "far_share": float(np.mean(dt[ok] > FAR)),
            "per_frame_worst_torso": np.where(ok, worst_t, np.nan)}


def metric_errors(report: dict, truth: dict) -> dict[str, float]:
    """Per metric, the mean absolute difference between the report's reps/holds/steps and the same ones measured
    on the rendered body's exact landmarks (the sidecar's perfect_landmarks), where the counts agree."""
    perfect = truth["perfect_landmarks"]
    diffs: dict[str, list[float]] = {}
    for kind in ("reps", "holds", "steps"):
        got, want = report[kind], perfect.get(kind, [])
        if len(got) != len(want):
            continue
        for g, w in zip(got, want):
            for k, v in w["metrics"].items():
                if k != "duration_s" and isinstance(v, (int, float)) and isinstance(g["metrics"].get(k), (int, float)):
                    diffs.setdefault(k, []).append(abs(g["metrics"][k] - v))
    return {k: round(float(np.mean(v)), 3) for k, v in diffs.items()}


def e2e_checks(movement: str, report: dict, truth: dict) -> list[str]:
    """The failures tests/test_e2e_samples.py would report for this report (empty: passes)."""
    fails = []
    skip = set(report.get("unjudged", []))
    if report["pose_coverage"] < 0.9:
        fails.append(f"coverage {report['pose_coverage']:.0%}")
    for kind in ("reps", "holds"):
        if truth[kind]:
            got_s, want_s = [e["side"] for e in report[kind]], [e["side"] for e in truth[kind]]
            if got_s != want_s:
                fails.append(f"{kind} {len(got_s)} {got_s} vs truth {len(want_s)} {want_s}")
                continue
        got = [{f["code"] for f in e["faults"]} - skip for e in report[kind]]
        want = [set(e["faults"]) - skip for e in truth[kind]]
        if got != want:
            fails.append(f"{kind} faults {[sorted(g) for g in got]} vs truth {[sorted(w) for w in want]}")
    if movement == "running":
        gait = report["gait"]
        if abs(gait["cadence_spm"] - truth["cadence_spm"]) > 0.02 * truth["cadence_spm"]:
            fails.append(f"cadence {gait['cadence_spm']} vs {truth['cadence_spm']}")
        first, last = truth["steps"][0]["contact_s"] - 0.1, truth["steps"][-1]["contact_s"] + 0.1
        got = [s for s in report["steps"] if first <= s["contact_s"] <= last]
        if len(got) != len(truth["steps"]):
            fails.append(f"steps {len(got)} vs {len(truth['steps'])}")
        else:
            for g, w in zip(got, truth["steps"]):
                if g["side"] != w["side"] or abs(g["contact_s"] - w["contact_s"]) > 0.1:
                    fails.append(f"step at {w['contact_s']}: {g['side']} {g['contact_s']}")
                    break
                if {f["code"] for f in g["faults"]} - skip != set(w["faults"]) - skip:
                    fails.append(f"step at {w['contact_s']} faults {[f['code'] for f in g['faults']]} vs {w['faults']}")
        perfect = truth["perfect_landmarks"]["gait"]["fppa_median_deg"]
        for side in ("left", "right"):
            raw = [s["metrics"]["fppa_raw_deg"] for s in report["steps"] if s["side"] == side]
            err = float(np.median(raw)) - perfect[side]
            if abs(err) > 3.0:
                fails.append(f"FPPA {side} off by {err:+.1f} deg")
    return fails


def fppa_errors(report: dict, truth: dict) -> dict:
    perfect = truth["perfect_landmarks"]["gait"]["fppa_median_deg"]
    return {side: round(float(np.median([s["metrics"]["fppa_raw_deg"] for s in report["steps"] if s["side"] == side]))
                        - perfect[side], 1) for side in ("left", "right")}


def trigger_features(track) -> tuple[np.ndarray, np.ndarray]:
    """Per frame, from the tracked pose alone (causal): the largest deviation (log ratio) of a leg bone's 3D length
    (world landmarks: thighs, shanks) from its median over the previous 300 frames (0 for the first 15), and the
    largest jump of a leg landmark since the previous frame in torso lengths."""
    w = track.world
    bones = np.stack([np.linalg.norm(w[:, a] - w[:, b], axis=-1) for a, b in ((23, 25), (24, 26), (25, 27), (26, 28))], 1)
    dev = np.zeros(len(bones))
    for i in range(15, len(bones)):
        ref = np.nanmedian(bones[max(0, i - 300):i], 0)
        dev[i] = np.nanmax(np.abs(np.log(bones[i] / ref)))
    xy = track.xy * np.array([track.width, track.height], float)
    tor = np.linalg.norm((xy[:, 11] + xy[:, 12]) / 2 - (xy[:, 23] + xy[:, 24]) / 2, axis=1)
    jump = np.r_[0.0, np.linalg.norm(np.diff(xy[:, LEG], axis=0), axis=2).max(1) / np.maximum(tor[1:], 1.0)]
    return np.nan_to_num(dev), np.nan_to_num(jump)


def simulate_triggers(movement: str, cache: Path, specs: list[tuple[str, float]]) -> None:
    """Tracking with the detector's landmarks swapped in on every frame a trigger flags (what re-detecting there would
    give at best, since the tracker settles back on its own crop within a frame), scored like the modes."""
    from formcheck.landmarks import PoseTrack
    from formcheck.pipeline import Options, analyze

    truth = json.loads((SAMPLES / f"{movement}.json").read_text())
    tpx = true_pixels(movement, cache)
    det, trk = track_for(movement, "detect", cache)[0], track_for(movement, "track", cache)[0]
    dev, jump = trigger_features(trk)
    n = min(len(det), len(trk))
    size = np.array([trk.width, trk.height], float)
    apart = np.nan_to_num(np.linalg.norm((trk.xy[:n, LEG] - det.xy[:n, LEG]) * size, axis=2).max(1)
                          / np.maximum(np.linalg.norm((det.xy[:n, 11] + det.xy[:n, 12] - det.xy[:n, 23] - det.xy[:n, 24])
                                                      * size / 2, axis=1), 1.0), nan=1.0)
    for name, thr in specs:
        if name == "every":  # the detector on every thr-th frame (a fresh tracker there gives exactly its landmarks)
            flag = np.arange(len(trk)) % int(thr) == 0
        elif name == "oracle":  # the best any trigger could do: the detector wherever the two are > thr torso apart
            flag = np.r_[apart > thr, np.zeros(len(trk) - n, bool)]
        else:
            flag = dev > thr if name == "bone" else jump > thr
        h = PoseTrack(times=trk.times, xy=np.where(flag[:, None, None], det.xy, trk.xy),
                      vis=np.where(flag[:, None], det.vis, trk.vis), world=np.where(flag[:, None, None], det.world, trk.world),
                      detected=np.where(flag, det.detected, trk.detected), width=trk.width, height=trk.height,
                      fps=trk.fps, source=trk.source, meta=dict(trk.meta))
        err = landmark_errors(h, tpx)
        fails = e2e_checks(movement, analyze(h, movement, Options(**truth.get("analysis_options", {}))), truth)
        print(f"{movement:19s} {name}>{thr:<5g} detector on {flag.mean():5.1%} of frames: leg vs truth median "
              f"{err['median_px']:5.1f} px, p95 {err['p95_px']:5.1f} px; e2e {'PASS' if not fails else 'FAIL: ' + '; '.join(fails)}",
              flush=True)


def main() -> int:
    from formcheck.pipeline import Options, analyze

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--only", nargs="*", default=None, help="sample movements (default: all)")
    ap.add_argument("--modes", default="detect,track,jump,every30")
    ap.add_argument("--cache", type=Path, default=None)
    ap.add_argument("--per-frame", default=None, help="movement:mode: print the worst leg error per second")
    ap.add_argument("--simulate-triggers", default=None, metavar="bone=0.1,jump=0.3",
                    help="re-detection triggers to simulate on the --only samples (needs their detect and track tracks)")
    args = ap.parse_args()
    cache = args.cache or cache_dir()
    if args.simulate_triggers:
        specs = [(k, float(v)) for k, v in (x.split("=") for x in args.simulate_triggers.split(","))]
        for m in args.only or ["straight_leg_raise", "figure_four", "fire_hydrant", "running", "running_lunge"]:
            simulate_triggers(m, cache, specs)
        return 0
    if args.per_frame:
        movement, mode = args.per_frame.split(":")
        track, _ = track_for(movement, mode, cache)
        e = landmark_errors(track, true_pixels(movement, cache))["per_frame_worst_torso"]
        fps = track.fps
        for s in range(0, len(e), int(round(fps))):
            seg = e[s:s + int(round(fps))]
            print(f"{s / fps:5.1f} s  worst leg error {np.nanmedian(seg):5.2f} torso (max {np.nanmax(seg):5.2f})")
        return 0
    movements = args.only or sorted(p.stem for p in SAMPLES.glob("*.mp4") if p.with_suffix(".json").exists())
    modes = args.modes.split(",")
    rows = []
    for m in movements:
        truth = json.loads((SAMPLES / f"{m}.json").read_text())
        tpx = true_pixels(m, cache)
        for mode in modes:
            track, wall = track_for(m, mode, cache)
            err = landmark_errors(track, tpx)
            rep = analyze(track, m, Options(**truth.get("analysis_options", {})))
            fails = e2e_checks(m, rep, truth)
            extra = f" FPPA err {fppa_errors(rep, truth)}" if m == "running" else ""
            fresh = track.meta.get("fresh_trackers", 0)
            merr = metric_errors(rep, truth)
            rows.append((m, mode, err, fails, merr))
            print(f"{m:19s} {mode:8s} leg vs truth: median {err['median_px']:5.1f} px "
                  f"({err['median_torso']:.3f} torso), p95 {err['p95_px']:5.1f} px, >{FAR} torso {err['far_share']:5.1%}; "
                  f"fresh {fresh:3d}, image checks {track.meta.get('image_checks', 0)}; e2e {'PASS' if not fails else 'FAIL: ' + '; '.join(fails)}{extra}"
                  + (f" [{wall:.0f} s]" if wall else ""), flush=True)
            print(f"{'':28s} metrics vs perfect landmarks (mean abs): {merr}", flush=True)
    print()
    for mode in modes:
        sel = [r for r in rows if r[1] == mode]
        med = np.median([r[2]["median_px"] for r in sel])
        p95 = np.median([r[2]["p95_px"] for r in sel])
        far = np.mean([r[2]["far_share"] for r in sel])
        print(f"{mode:8s} over {len(sel)} samples: median of medians {med:5.1f} px, median p95 {p95:5.1f} px, "
              f"mean far share {far:5.1%}, e2e passes {sum(not r[3] for r in sel)}/{len(sel)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
