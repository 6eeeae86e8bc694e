"""End-to-end accuracy of formcheck on rendered avatars, written to docs/accuracy.md.

For every movement: several body shapes x camera views, each clip with faults
injected on known reps (or holds, or steps) at two magnitudes: a clear one well
past the checker's limit (the truth says "fault") and a subtle one well inside
it (the truth says "no fault"). Each clip is rendered with the anny avatar,
run through the real pose model (models/pose_landmarker_full.task) and
analysed; it is also analysed from the avatar's exact joints ("perfect
landmarks"), which separates the checker's own error from the pose model's.

Per movement and view the tables give: clips, pose coverage, rep/hold/step
count accuracy, fault precision and recall against the truth, the median
angle error of the real model against perfect landmarks, and a plain verdict.

    .venv/bin/python benchmarks/accuracy.py              # the full set, ~1 h on 2 cores
    .venv/bin/python benchmarks/accuracy.py --quick      # one body, one view per movement
    .venv/bin/python benchmarks/accuracy.py --only clamshell running --jobs 2
    .venv/bin/python benchmarks/accuracy.py --gait       # running: held-out rendered runners only
    .venv/bin/python benchmarks/accuracy.py --gait --set unseen   # running: the never-seen runners

Renders and pose tracks are cached (--cache, default ~/.cache/formcheck/accuracy),
keyed by the scenario and the body, so a re-run after a checker change only
re-analyses. Needs the [synth] extra (torch + anny).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from formcheck.landmarks import PoseTrack  # noqa: E402
from formcheck.pipeline import Options, analyze, load_track  # noqa: E402
from formcheck_synth.scripts import CameraSpec, Scenario  # noqa: E402

CACHE_VERSION = 1  # bump when the renderer or the scripts change what a clip looks like

# ---- what is rendered ---------------------------------------------------------------

# Three bodies that differ in sex, age, height and build (anny phenotypes),
# in different clothes.
BODIES: dict[str, dict] = {
    "F34": {"phenotype": {"sex": 1.0, "age_years": 34, "height_m": 1.64, "weight": 0.45},
            "shirt_bgr": (150, 90, 40), "shorts_bgr": (40, 40, 40)},
    "M45": {"phenotype": {"sex": 0.0, "age_years": 45, "height_m": 1.86, "weight": 0.7, "muscle": 0.6},
            "shirt_bgr": (40, 40, 160), "shorts_bgr": (60, 60, 60), "skin_bgr": (90, 120, 160)},
    "F62": {"phenotype": {"sex": 1.0, "age_years": 62, "height_m": 1.58, "weight": 0.65},
            "shirt_bgr": (70, 140, 70), "shorts_bgr": (110, 60, 40), "skin_bgr": (150, 180, 215)},
}


@dataclass(frozen=True)
class Case:
    """How to benchmark one movement.

    base: the scenario without faults (tempo, sides, hold length, camera distance).
    views: the camera views to film from (keys of synth.camera.VIEW_DIRECTIONS).
    sweep: fault code -> (clear, subtle) magnitudes in the script's own units
      (see each script's docstring). Clear is well past the checker's limit and
      subtle well inside it, so that the truth is not a coin toss.
    unit: "reps" or "holds": what the faults are numbered by.
    clean_first: units before the first fault (a rep checker calibrates its
      range on the first three full reps).
    hold_target_s: the user's hold target passed to the analysis, if any.
    """

    base: Scenario
    views: tuple[str, ...]
    sweep: dict[str, tuple[float, float]]
    unit: str = "reps"
    clean_first: int = 3
    hold_target_s: float | None = None
    fps: float = 15.0


def _cam(view: str = "front", distance: float = 2.4, elevation: float = 0.5, fps: float = 15.0) -> CameraSpec:
    return CameraSpec(view=view, distance=distance, elevation=elevation, fps=fps)


CASES: dict[str, Case] = {
    # Side-lying; limits: feet part 0.10 x shank (~4.5 cm), pelvis roll 12°,
    # 70% of own range, 1 s per phase.
    "clamshell": Case(
        Scenario("clamshell", up_s=2.0, top_s=0.3, down_s=2.0, rest_s=0.4, lead_s=1.0, range_deg=55.0,
                 camera=_cam(distance=2.2)),
        views=("front", "back", "feet_end"),
        sweep={"feet_apart": (0.15, 0.02), "pelvis_roll": (25.0, 5.0), "short_range": (0.55, 0.9),
               "too_fast": (0.5, 1.8)}),
    # On all fours; limits: knee 90 ± 15°, trunk line turn 8°, knee out 0.3 hip
    # width, 70% of own range (and a 70° / 30° floor).
    "donkey_kick": Case(
        Scenario("donkey_kick", up_s=2.0, top_s=0.4, down_s=2.0, rest_s=0.4, lead_s=1.0, range_deg=88.0,
                 camera=_cam(distance=2.6, elevation=0.4)),
        views=("left", "feet_end", "back_left"),
        sweep={"knee_angle": (-35.0, -8.0), "back_arch": (16.0, 3.0), "knee_flare": (25.0, 4.0),
               "short_range": (0.5, 0.9)}),
    "fire_hydrant": Case(
        Scenario("fire_hydrant", up_s=2.0, top_s=0.4, down_s=2.0, rest_s=0.4, lead_s=1.0, range_deg=55.0,
                 camera=_cam(distance=2.6, elevation=0.4)),
        views=("feet_end", "right", "head_end"), fps=10.0,
        sweep={"hip_drop": (20.0, 3.0), "knee_angle": (-35.0, -8.0), "short_range": (0.5, 0.9)}),
    # Stretches: three 8 s holds of the left leg against a 7 s target (short samples
    # instead of 30 s holds); limits: knee 170°, back curl 25°, shin 15°, back
    # line 160°, hold shorter than the target.
    "hamstring_stretch": Case(
        Scenario("hamstring_stretch", sides=("left",), sets=3, hold_s=8.0, up_s=1.5, down_s=1.5, rest_s=0.5,
                 lead_s=0.6, camera=_cam(distance=2.8, elevation=0.4)),
        views=("left", "right", "front_left"), unit="holds", clean_first=0, hold_target_s=7.0, fps=10.0,
        sweep={"knee_bent": (30.0, 4.0), "back_rounded": (60.0, 10.0), "short_hold": (5.5, 9.0)}),
    "running_lunge": Case(
        Scenario("running_lunge", sides=("left",), sets=3, hold_s=8.0, up_s=1.2, down_s=1.2, rest_s=0.5,
                 lead_s=0.6, camera=_cam(distance=2.6, elevation=0.3)),
        views=("left", "right", "front_left"), unit="holds", clean_first=0, hold_target_s=7.0, fps=10.0,
        sweep={"front_knee_forward": (30.0, 5.0), "hips_high": (35.0, 5.0), "short_hold": (5.5, 9.0)}),
    # Lying on the back, filmed side-on from the working side, the far side and
    # the feet; limits: knee lag 10°, top held 3 s, 70% of own range (25° floor),
    # ankle within 0.45 shank of the knee, support hip flexed 80°.
    "straight_leg_raise": Case(
        Scenario("straight_leg_raise", up_s=1.8, top_s=3.5, down_s=1.8, rest_s=0.8, lead_s=1.0,
                 camera=_cam(distance=2.6, elevation=0.4)),
        views=("right", "left", "feet_end"), fps=10.0,
        sweep={"knee_bent": (25.0, 4.0), "short_hold": (1.0, 4.0), "short_range": (0.5, 0.9)}),
    "figure_four": Case(
        Scenario("figure_four", sides=("right",), sets=3, hold_s=8.0, up_s=1.2, down_s=1.2, rest_s=0.6,
                 lead_s=0.8, camera=_cam(distance=2.6, elevation=1.0)),  # 0.4 m: holds missed (0-1 of 3)
        views=("right", "left", "feet_end"), unit="holds", clean_first=0, hold_target_s=7.0, fps=10.0,
        sweep={"ankle_off_knee": (0.2, 0.03), "thigh_not_pulled": (60.0, 95.0), "short_hold": (5.5, 9.0)}),
}


# Running is scripted by steps, and its truth is judged by the script against the
# gait thresholds from the exact geometry, so magnitudes near the limit are fine:
# FPPA limit = standing baseline + 10°; normal steps have 4°.
RUNNING_VIEWS = ("front", "back", "left")
RUNNING_FPPA = {"clear": 20.0, "subtle": 6.0, "near_above": 15.0}


def running_scenario(view: str) -> Scenario:
    steps = 16
    faults = {}
    for k in range(2, steps + 1, 2):  # right steps: clear, subtle, near the limit in turn
        faults[k] = {"knee_valgus": list(RUNNING_FPPA.values())[(k // 2) % 3]}
    return Scenario("running", reps=steps, sides=("left",), lead_s=2.0, faults=faults,
                    camera=CameraSpec(view=view, distance=3.0, elevation=0.15, fps=30.0))


# ---- one clip ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Clip:
    movement: str
    body: str
    view: str
    scenario: Scenario
    not_faults: tuple[tuple[int, str], ...] = ()  # (unit number, code) injected subtly: truth says no fault
    hold_target_s: float | None = None
    unit: str = "reps"

    @property
    def key(self) -> str:
        blob = json.dumps([CACHE_VERSION, asdict(self.scenario), BODIES[self.body]], sort_keys=True, default=str)
        return f"{self.movement}-{self.body}-{self.view}-{hashlib.sha1(blob.encode()).hexdigest()[:10]}"


def clips_for(movement: str, bodies: list[str], views: list[str] | None) -> list[Clip]:
    """Every clip of one movement: bodies x views; the clear and subtle magnitudes
    alternate between codes and swap between bodies, so each code is seen both ways."""
    if movement == "running":
        return [Clip("running", b, v, running_scenario(v), unit="steps")
                for b in bodies for v in (views or RUNNING_VIEWS) if v in RUNNING_VIEWS]
    case = CASES[movement]
    out = []
    for bi, b in enumerate(bodies):
        faults: dict[int, dict[str, float]] = {}
        subtle = []
        for ci, (code, (clear, weak)) in enumerate(case.sweep.items()):
            unit = case.clean_first + 1 + ci
            is_clear = (ci + bi) % 2 == 0
            faults[unit] = {code: clear if is_clear else weak}
            if not is_clear:
                subtle.append((unit, code))
        n_units = case.clean_first + len(case.sweep)
        for v in (views or case.views):
            if v not in case.views:
                continue
            sc = replace(case.base, faults=faults, camera=replace(case.base.camera, view=v, fps=case.fps))
            if case.unit == "reps":
                sc = replace(sc, reps=n_units)
            out.append(Clip(movement, b, v, sc, tuple(subtle), case.hold_target_s, case.unit))
    return out


def _appearance(body: str):
    from formcheck_synth.avatar import Appearance, Phenotype

    spec = dict(BODIES[body])
    return Appearance(phenotype=Phenotype(**spec.pop("phenotype")), **spec)


def _render(clip: Clip, cache: Path) -> tuple[dict, Path, float]:
    """Build the scenario, render it (cached) and return (truth, track path, render seconds)."""
    from formcheck_synth.avatar import render_video
    from formcheck_synth.catalog import build

    built = build(clip.scenario)
    video = cache / f"{clip.key}.mp4"
    joints_path = cache / f"{clip.key}.joints.npy"
    track_path = cache / f"{clip.key}.track.npz"
    render_s = 0.0
    if not (video.exists() and joints_path.exists()):
        t0 = time.perf_counter()  # the writer is atomic; the joints are saved once the video is complete
        joints = render_video(built.motion, built.camera, video, _appearance(clip.body), fps=clip.scenario.camera.fps)
        np.save(joints_path, joints)
        render_s = time.perf_counter() - t0
    if not track_path.exists():
        load_track(video).save_npz(track_path)
    return built, track_path, render_s


def _slim(report: dict) -> dict:
    keep = ("view", "side", "pose_coverage", "reps", "holds", "steps", "warnings", "unjudged", "unjudged_reasons")
    out = {k: report.get(k) for k in keep}
    if "gait" in report:
        out["cadence_spm"] = report["gait"].get("cadence_spm")
    return out


def run_clip(clip: Clip, cache: Path) -> dict:
    """Render (or reuse), analyse with the real model and with perfect landmarks."""
    from formcheck_synth.kit import track_from_points

    cache.mkdir(parents=True, exist_ok=True)
    built, track_path, render_s = _render(clip, cache)
    # The checkers' own accuracy: the movement is given, not recognised (the
    # recogniser has its own section, written by benchmarks/recognition.py).
    opts = Options(hold_target_s=clip.hold_target_s, recognise=False)
    t0 = time.perf_counter()
    real = analyze(PoseTrack.load_npz(track_path), clip.movement, opts)
    analyze_s = time.perf_counter() - t0
    joints = np.load(cache / f"{clip.key}.joints.npy")
    perfect = analyze(track_from_points(built.motion.times, joints, built.camera), clip.movement, opts)
    truth = {k: built.truth[k] for k in ("reps", "holds", "steps", "cadence_spm", "view")}
    drop = set(clip.not_faults)
    for kind in ("reps", "holds"):
        truth[kind] = [{**u, "faults": [c for c in u["faults"] if (n, c) not in drop]}
                       for n, u in enumerate(truth[kind], start=1)]
    return {"movement": clip.movement, "body": clip.body, "view": clip.view, "key": clip.key,
            "unit": clip.unit, "subtle": [list(x) for x in clip.not_faults], "fps": clip.scenario.camera.fps,
            "truth": truth, "real": _slim(real), "perfect": _slim(perfect),
            "render_s": round(render_s, 1), "analyze_s": round(analyze_s, 2)}


# ---- scoring (pure) --------------------------------------------------------------------

def _units(doc: dict, unit: str) -> list[dict]:
    return doc["steps"] if unit == "steps" else doc[unit]


def _time_of(u: dict) -> float:
    return float(u.get("contact_s", u.get("peak_s", u.get("start_s", 0.0))))


def _distance(truth_unit: dict, got_unit: dict) -> float:
    """Seconds between a true unit and a reported one. A reported rep covers the
    true peak anywhere in its span (the top of a held rep is flat, so where its
    peak falls within the hold is arbitrary: a 3.5 s top hold put reported peaks
    1.1-1.6 s from the true ones); nearer peaks win ties."""
    t, g = _time_of(truth_unit), _time_of(got_unit)
    if "peak_s" in got_unit and "start_s" in got_unit and "end_s" in got_unit and "contact_s" not in truth_unit:
        return max(0.0, got_unit["start_s"] - t, t - got_unit["end_s"]) + 1e-3 * abs(g - t)
    return abs(g - t)


def match_units(truth: list[dict], got: list[dict], tol_s: float) -> list[tuple[int | None, int | None]]:
    """Pair truth and reported units by time (nearest within tol_s, same order);
    unpaired ones come back with None on the other side."""
    pairs, used = [], set()
    for i, t in enumerate(truth):
        best, best_d = None, tol_s
        for j, g in enumerate(got):
            d = _distance(t, g)
            if j not in used and d <= best_d and (t.get("side") is None or g.get("side") == t.get("side")):
                best, best_d = j, d
        if best is not None:
            used.add(best)
        pairs.append((i, best))
    pairs += [(None, j) for j in range(len(got)) if j not in used]
    return pairs


def view_skip(doc: dict) -> set[str]:
    """Codes the clip's camera view cannot judge at all (left out everywhere). Older
    results without the reasons: the codes unjudged on every unit."""
    reasons = doc.get("unjudged_reasons")
    if reasons is not None:
        return {c for c, why in reasons.items() if why == "this camera view cannot see it"}
    units = [u for k in ("reps", "holds") for u in (doc.get(k) or [])]
    if not units:
        return set(doc.get("unjudged") or [])
    return set.intersection(*(set(u.get("unjudged") or []) for u in units))


def fault_pairs(truth: list[dict], got: list[dict], pairs, skip: set[str]) -> list[tuple[str, str]]:
    """(code, outcome) for every (unit, code) pair scored: outcome tp, fp or fn.
    Left out: codes the view cannot judge (skip) and, per unit, the codes that
    unit's report left unjudged (an abstention with its reason is not a miss)."""
    out = []
    for i, j in pairs:
        own = set(got[j].get("unjudged") or []) if j is not None else set()
        want = set(truth[i]["faults"]) - skip - own if i is not None else set()
        have = {f["code"] for f in got[j]["faults"]} - skip - own if j is not None else set()
        out += [(c, "tp") for c in want & have] + [(c, "fp") for c in have - want] + [(c, "fn") for c in want - have]
    return out


def fault_counts(truth: list[dict], got: list[dict], pairs, skip: set[str]) -> tuple[int, int, int]:
    """(true positives, false positives, false negatives) over (unit, code) pairs (fault_pairs)."""
    outcomes = [o for _, o in fault_pairs(truth, got, pairs, skip)]
    return outcomes.count("tp"), outcomes.count("fp"), outcomes.count("fn")


def angle_errors(real: list[dict], perfect: list[dict], tol_s: float) -> list[float]:
    """|real - perfect| for every *_deg metric of units paired by time."""
    out = []
    for i, j in match_units(perfect, real, tol_s):
        if i is None or j is None:
            continue
        pm, rm = perfect[i]["metrics"], real[j]["metrics"]
        out += [abs(float(rm[k]) - float(pm[k])) for k in pm
                if k.endswith("_deg") and rm.get(k) is not None and pm.get(k) is not None
                and np.isfinite(rm[k]) and np.isfinite(pm[k])]
    return out


# Warnings that tell the user a result may be off (as opposed to "Set 1: 7 of 15 reps").
CAUTIONS = ("kept losing you", "found in only", "could not tell the camera view", "looks filmed",
            "under-read", "hardly show", "too short, too long or lost from view", "more than one person")


def cautions(warnings: list[str]) -> int:
    return sum(any(c in w.lower() for c in CAUTIONS) for w in warnings)


def score(result: dict) -> dict:
    unit = result["unit"]
    tol = {"steps": 0.15, "reps": 1.0}.get(unit, 2.0)  # holds start within 2 s of the truth
    truth = _units(result["truth"], unit)
    out: dict = {"coverage": result["real"]["pose_coverage"], "n_truth": len(truth)}
    for who in ("real", "perfect"):
        got = _units(result[who], unit)
        if unit == "steps" and truth:
            lo, hi = truth[0]["contact_s"] - tol, truth[-1]["contact_s"] + tol
            got = [s for s in got if lo <= s["contact_s"] <= hi]
        pairs = match_units(truth, got, tol)
        skip = view_skip(result[who])
        codes = fault_pairs(truth, got, pairs, skip)
        outcomes = [o for _, o in codes]
        tp, fp, fn = outcomes.count("tp"), outcomes.count("fp"), outcomes.count("fn")
        abstained = sum(len(u.get("unjudged") or []) for u in got) - len(skip) * len(got)
        out[who] = {"n": len(got), "count_ok": len(got) == len(truth), "tp": tp, "fp": fp, "fn": fn,
                    "codes": codes, "abstained": abstained,
                    "unjudged": sorted(skip), "cautions": cautions(result[who].get("warnings") or [])}
    out["angle_err"] = angle_errors(_units(result["real"], unit), _units(result["perfect"], unit), tol)
    if unit == "steps" and result["truth"]["cadence_spm"] and result["real"].get("cadence_spm"):
        out["cadence_err_pct"] = 100 * abs(result["real"]["cadence_spm"] / result["truth"]["cadence_spm"] - 1)
    return out


def _pr(tp: int, fp: int, fn: int) -> tuple[str, str]:
    p = f"{tp / (tp + fp):.2f}" if tp + fp else "–"
    r = f"{tp / (tp + fn):.2f}" if tp + fn else "–"
    return p, r


def verdict(scores: list[dict]) -> str:
    cov = min(s["coverage"] for s in scores)
    if cov < 0.5:
        return f"**fails**: the pose model finds the person in as little as {cov:.0%} of frames"
    ok = sum(s["real"]["count_ok"] for s in scores)
    tp = sum(s["real"]["tp"] for s in scores)
    fp = sum(s["real"]["fp"] for s in scores)
    fn = sum(s["real"]["fn"] for s in scores)
    if ok < len(scores):
        return f"**unreliable**: count wrong on {len(scores) - ok} of {len(scores)} clips"
    if (tp + fn and tp / (tp + fn) < 0.9) or (tp + fp and tp / (tp + fp) < 0.9):
        return "**unreliable** fault flags"
    return "works"


def table(results: list[dict]) -> list[str]:
    """Markdown lines: one row per movement and view, pooled over bodies."""
    lines = ["| movement | view (judged as) | clips | pose coverage | count exact | fault precision | fault recall "
             "| same on perfect landmarks (P / R) | median angle error | verdict |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    groups: dict[tuple[str, str], list[dict]] = {}
    for r in results:
        groups.setdefault((r["movement"], r["view"]), []).append(r)
    for (mov, view), rs in groups.items():
        sc = [score(r) for r in rs]
        real = [s["real"] for s in sc]
        perf = [s["perfect"] for s in sc]
        p, rc = _pr(*(sum(x[k] for x in real) for k in ("tp", "fp", "fn")))
        pp, pr = _pr(*(sum(x[k] for x in perf) for k in ("tp", "fp", "fn")))
        errs = [e for s in sc for e in s["angle_err"]]
        err = f"{np.median(errs):.1f}° (p90 {np.percentile(errs, 90):.1f}°)" if errs else "–"
        judged = sorted({r["real"]["view"] or "unknown" for r in rs})
        unj = sorted({c for x in real for c in x["unjudged"]})
        view_txt = f"{view} ({', '.join(judged)})" + (f"; not judged: {', '.join(unj)}" if unj else "")
        cov = f"{min(s['coverage'] for s in sc):.0%}–{max(s['coverage'] for s in sc):.0%}"
        ok = f"{sum(x['count_ok'] for x in real)}/{len(sc)}"
        extra = ""
        cad = [s["cadence_err_pct"] for s in sc if "cadence_err_pct" in s]
        if cad:
            extra = f"; cadence error ≤ {max(cad):.1f}%"
        fps = f" at {rs[0].get('fps', 0):.0f} fps"
        lines.append(f"| {mov} | {view_txt} | {len(sc)}{fps} | {cov} | {ok} | {p} | {rc} | {pp} / {pr} | {err}{extra} "
                     f"| {verdict(sc)} |")
    return lines


def per_code(results: list[dict]) -> list[str]:
    """Markdown lines: fault precision and recall per movement and code, pooled over
    bodies and views (real pose model), with the abstentions counted apart."""
    lines = ["| movement | code | flags right / false / missed | precision | recall |", "|---|---|---|---|---|"]
    tally: dict[tuple[str, str], list[int]] = {}
    for r in results:
        for code, o in score(r)["real"]["codes"]:
            t = tally.setdefault((r["movement"], code), [0, 0, 0])
            t[("tp", "fp", "fn").index(o)] += 1
    for (mov, code), (tp, fp, fn) in sorted(tally.items()):
        p, rc = _pr(tp, fp, fn)
        lines.append(f"| {mov} | `{code}` | {tp} / {fp} / {fn} | {p} | {rc} |")
    return lines


def failures(results: list[dict]) -> list[str]:
    """One line per clip where the real model got a count or a flag wrong."""
    lines = []
    for r in results:
        s = score(r)
        x = s["real"]
        if x["count_ok"] and not x["fp"] and not x["fn"]:
            continue
        warned = "; the report warned about it" if x["cautions"] else "; **the report gave no caution**"
        lines.append(f"- {r['movement']}, {r['body']}, {r['view']}: {x['n']} of {s['n_truth']} {r['unit']}, "
                     f"{x['fp']} false and {x['fn']} missed flags (pose coverage {s['coverage']:.0%}){warned}")
    return lines or ["- none"]


GAIT_BEGIN = "<!-- gait-renders:begin (benchmarks/accuracy.py --gait) -->"
GAIT_END = "<!-- gait-renders:end -->"


def _gait_section(doc: str) -> str:
    """The running section of an existing docs/accuracy.md (kept when the rest is rewritten)."""
    if GAIT_BEGIN in doc and GAIT_END in doc:
        return doc[doc.index(GAIT_BEGIN):doc.index(GAIT_END) + len(GAIT_END)] + "\n"
    return ""


def _pct(x: float | None) -> str:
    return "–" if x is None else f"{x:.2f}"


def _deg(x: float | None) -> str:
    return "–" if x is None else f"{x:.1f}°"


def _gait_totals(scores: list[dict]) -> dict:
    """Per-step knee_valgus precision and recall, per-step FPPA MAE, verdicts right, bands holding the truth."""
    tp, fp, fn = (sum(s[k] for s in scores) for k in ("tp", "fp", "fn"))
    errs = [abs(e) for s in scores for e in s["fppa_errors"]]
    cov = [c for s in scores for c in s["band_covers"].values()]
    return {"prec": tp / (tp + fp) if tp + fp else None, "rec": tp / (tp + fn) if tp + fn else None,
            "mae": float(np.mean(errs)) if errs else None, "ok": sum(s["verdict_ok"] for s in scores),
            "n": len(scores), "cov": sum(cov), "legs": len(cov),
            # legs given no verdict because the reading was too uncertain (not a claim either way)
            "unjudged": sum(v == "unjudged" for s in scores for v in s["verdicts"].values()),
            # a caving knee called "ok", or a straight knee called caving: a wrong claim
            "wrong_claims": sum((v == "ok" and s["want"][side] == "knee_valgus")
                                or (v == "knee_valgus" and s["want"][side] == "ok")
                                for s in scores for side, v in s["verdicts"].items())}


# The never-seen rendered runners (gait_renders.UNSEEN, session 28): their own section, so the
# TEST figures (looked at while tuning) and these are never pooled.
UNSEEN_BEGIN = "<!-- gait-unseen:begin (benchmarks/accuracy.py --gait --set unseen) -->"
UNSEEN_END = "<!-- gait-unseen:end -->"


def gait_markdown(scores: list[dict], command: str, fast_tracking: bool = False,
                  which: str = "test") -> list[str]:
    """The running section: overall, by view and frame rate, and per clip, against the issue's targets
    (`fast_tracking`: the tracks were made with num_poses=1; `which`: the set scored, "test" or "unseen")."""
    tot = _gait_totals(scores)
    mae = tot["mae"]
    bodies = ", ".join(dict.fromkeys(s["body"] for s in scores))
    if which == "unseen":
        begin, end, title = UNSEEN_BEGIN, UNSEEN_END, "Running: knee valgus on never-seen rendered runners"
        what = ("benchmarks/gait_renders.py UNSEEN set, session 28): bodies and cameras that neither the FPPA "
                "correction's fit nor the TEST set uses, chosen and committed before the first render; the first "
                "scoring of a clip is its never-seen figure, later runs are tuned on (docs/gait.md). ")
    else:
        begin, end, title = GAIT_BEGIN, GAIT_END, "Running: knee valgus on held-out rendered runners"
        what = ("benchmarks/gait_renders.py TEST set): cameras and bodies that the FPPA correction was not fitted "
                "on (its hip joint width and its per-leg uncertainty come from bodies M27 and F41, other cameras; "
                "docs/gait.md). ")
    lines = [
        begin,
        "",
        f"## {title}",
        "",
        f"Produced by `{command}` on {time.strftime('%Y-%m-%d')}. Own renders (formcheck_synth.running through "
        f"the anny avatar, bodies {bodies}, " + what +
        "480x640 portrait, camera 0.5-1.5 m high, 3-8 m away, up to 15° off the line of running, behind and in "
        "front, 30/60/120 fps; one leg caves in on every step, the other does not. Truth: the rendered body's "
        "own joints projected by the clip's camera, FPPA read as the checker reads it. Steps matched by side and "
        "midstance (±0.12 s). "
        + ("Tracks made with --fast-tracking (num_poses=1): the FPPA correction was fitted on default tracks."
           if fast_tracking else "Tracks made with the pose model's default settings (num_poses=2)."),
        "",
        f"**Overall** ({tot['n']} clips): per-step `knee_valgus` precision {_pct(tot['prec'])}, recall "
        f"{_pct(tot['rec'])} (targets ≥ 0.9); per-step FPPA mean absolute error "
        f"{'–' if mae is None else f'{mae:.1f}°'} (target ≤ 3°); per-leg verdict right on {tot['ok']} of "
        f"{tot['n']} clips (target: all); legs left `unjudged` (reading too uncertain, no claim made): "
        f"{tot['unjudged']} of {tot['legs']}; wrong claims (a caving knee called ok or a straight one caving): "
        f"{tot['wrong_claims']}; the per-leg 95% band holds the true median on {tot['cov']} of "
        f"{tot['legs']} legs.",
        "",
        "| view, fps | clips | precision | recall | FPPA MAE | verdicts right | legs unjudged | wrong claims |",
        "|---|---|---|---|---|---|---|---|",
    ]
    groups: dict[tuple[str, float], list[dict]] = {}
    for s in scores:
        groups.setdefault((s["view"], s["fps"]), []).append(s)
    for (view, fps), grp in sorted(groups.items()):
        g = _gait_totals(grp)
        lines.append(f"| {view}, {fps:g} | {g['n']} | {_pct(g['prec'])} | {_pct(g['rec'])} | "
                     f"{_deg(g['mae'])} | {g['ok']} of {g['n']} | {g['unjudged']} | {g['wrong_claims']} |")
    lines += [
        "",
        "| clip | view, fps | camera (height, distance, yaw) | body | steps found / true | true FPPA median valgus / other | "
        "read | tp / fp / fn | FPPA MAE | verdicts (valgus leg, other) | cadence error |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for s in scores:
        v = next(k for k, w in s["want"].items() if w == "knee_valgus")
        o = "right" if v == "left" else "left"
        e = np.mean(np.abs(s["fppa_errors"])) if s["fppa_errors"] else float("nan")
        withheld = "unjudged" in s["verdicts"].values() and _gait_totals([s])["wrong_claims"] == 0
        verdict = f"{s['verdicts'][v]}, {s['verdicts'][o]}" + (
            "" if s["verdict_ok"] else " (withheld)" if withheld else " **wrong**")
        cad = "–" if s["cadence_err"] is None else f"{100 * s['cadence_err']:.1f}%"
        lines.append(f"| {s['name']} | {s['view']}, {s['fps']:g} | {s['cam_h']} m, {s['dist']} m, {s['yaw']:g}° | "
                     f"{s['body']} | {s['steps_found']} / {s['steps_true']} | {s['true_median'][v]:.0f}° / "
                     f"{s['true_median'][o]:.0f}° | {s['read_median'][v]}° / {s['read_median'][o]}° | "
                     f"{s['tp']} / {s['fp']} / {s['fn']} | {e:.1f}° | {verdict} | {cad} |")
    lines += ["", end, ""]
    return lines


def run_gait(out: Path, command: str, cached_only: bool = False, fast_tracking: bool = False,
             which: str = "test") -> int:
    """Score the held-out rendered runners (`which`: "test", or "unseen" for the never-seen
    set), print and write the set's own section into `out` (with `fast_tracking`,
    num_poses=1 tracks: printed only)."""
    import gait_renders as G

    scores = []
    for clip in G.SETS[which]:
        if cached_only and not G.cached(clip, fast_tracking=fast_tracking):
            print(f"{clip.name}: not rendered yet, left out", file=sys.stderr)
            continue
        truth, rep = G.analyse(clip, fast_tracking=fast_tracking)
        s = G.score_clip(clip, truth, rep)
        scores.append(s)
        print(f"{s['name']:>9}: steps {s['steps_found']}/{s['steps_true']} tp {s['tp']} fp {s['fp']} fn {s['fn']} "
              f"MAE {np.mean(np.abs(s['fppa_errors'])):.1f} verdicts {s['verdicts']} want {s['want']} "
              f"cadence err {s['cadence_err']}", file=sys.stderr)
    section = "\n".join(gait_markdown(scores, command, fast_tracking, which))
    if fast_tracking:
        print(section)
        return 0
    doc = out.read_text() if out.exists() else ""
    old = _gait_section(doc) if which == "test" else _kept_block(out, "gait-unseen").strip("\n") + "\n"
    old = old if old.strip() else ""
    text = doc.replace(old, section) if old else doc.rstrip("\n") + "\n\n" + section
    out.write_text(text.rstrip("\n") + "\n")  # one newline at the end, however often it is rerun
    print(section)
    return 0


def write_markdown(results: list[dict], out: Path, command: str, seconds: float) -> None:
    gait = _gait_section(out.read_text()) if out.exists() else ""
    movements = sorted({r["movement"] for r in results})
    text = [
        "# Accuracy on rendered avatars",
        "",
        f"Produced by `{command}` on {time.strftime('%Y-%m-%d')} in {seconds / 60:.0f} min "
        f"({len(results)} clips; renders and pose tracks cached). Do not edit by hand.",
        "",
        "Each clip is a scripted exercise performed by an anny avatar (formcheck_synth), rendered at 640x480 "
        "(10-15 fps for the exercises to keep the run near an hour on 2 cores; webcams give 30 fps, so "
        "timing faults here are judged on coarser data than at home; running at 30 fps) "
        f"and analysed by the real pose model (`models/pose_landmarker_full.task`). Bodies: {', '.join(BODIES)} "
        "(sex and age, see `BODIES` in benchmarks/accuracy.py). Each clip carries every fault of its movement once, "
        "on a known rep or hold: at a clear magnitude well past the limit (truth: fault) or a subtle one well "
        "inside it (truth: no fault), swapped between bodies. Running: right steps at FPPA 6°, 15° "
        "and 20° (normal 4°) against a limit of baseline + 10°; the script judges the truth from the exact geometry.",
        "",
        "- **count exact**: clips whose rep, hold or step count equals the truth.",
        "- **fault precision / recall**: over (rep, code) pairs, for the codes the view can judge; codes the view "
        "cannot see are left out and the report says so (\"not judged\").",
        "- **same on perfect landmarks**: the same analysis on the avatar's exact joints, i.e. the checker's own "
        "error without the pose model.",
        "- **median angle error**: every per-rep angle metric (`*_deg`), real model against perfect landmarks.",
        "",
        *table(results),
        "",
        "## Clips with a wrong count or flag",
        "",
        *failures(results),
        "",
        "## Fault flags per code",
        "",
        "Pooled over bodies and views (real pose model). A code a rep's report left unjudged, with its reason, "
        "is neither a right flag nor a miss there.",
        "",
        *per_code(results),
        "",
        "Movements measured: " + ", ".join(movements) + ".",
        "",
    ]
    out.write_text("\n".join(text) + ("\n" + gait if gait else "") + _kept_block(out, "gait-unseen")
                   + _real_footage_block(out)
                   + _kept_block(out, "recognition") + _kept_block(out, "randomised-renders"))


def _real_footage_block(out: Path) -> str:
    """The "Real footage" section written by benchmarks/real_footage.py, kept when this table is rewritten."""
    return _kept_block(out, "real-footage")


def _kept_block(out: Path, name: str) -> str:
    """A section another benchmark writes between <!-- name:begin ... --> and
    <!-- name:end --> (benchmarks/real_footage.py, benchmarks/recognition.py,
    benchmarks/randomised_renders.py), kept
    when this table is rewritten."""
    old = out.read_text() if out.exists() else ""
    begin, end = old.find(f"<!-- {name}:begin"), old.find(f"<!-- {name}:end -->")
    if begin < 0 or end < begin:
        return ""
    return "\n" + old[begin:end + len(f"<!-- {name}:end -->")] + "\n"


# ---- driver ---------------------------------------------------------------------------

def _job(args: tuple[Clip, Path]) -> dict:
    clip, cache = args
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    return run_clip(clip, cache)


def main(argv: list[str] | None = None) -> int:
    from formcheck_synth.catalog import SCRIPTS

    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--only", nargs="*", default=None, help="movements (default: all with a script)")
    ap.add_argument("--quick", action="store_true", help="one body and one view per movement")
    ap.add_argument("--bodies", nargs="*", default=None, help=f"bodies (default: all of {', '.join(BODIES)})")
    ap.add_argument("--views", nargs="*", default=None, help="camera views (default: each movement's own)")
    ap.add_argument("--rescore", nargs="*", type=Path, default=None,
                    help="print the per-code fault table of saved --results files (no rendering, no analysis)")
    ap.add_argument("--jobs", type=int, default=1)
    ap.add_argument("--cache", type=Path, default=Path.home() / ".cache" / "formcheck" / "accuracy")
    ap.add_argument("--out", type=Path, default=REPO / "docs" / "accuracy.md")
    ap.add_argument("--results", type=Path, default=None, help="also write every clip's result as JSON")
    ap.add_argument("--gait", action="store_true",
                    help="running only: the held-out rendered runners of benchmarks/gait_renders.py")
    ap.add_argument("--cached-only", action="store_true", help="with --gait: score only clips already rendered")
    ap.add_argument("--set", choices=("test", "unseen"), default="test",
                    help="with --gait: the held-out TEST runners, or the never-seen UNSEEN ones (session 28)")
    ap.add_argument("--fast-tracking", action="store_true",
                    help="with --gait: score num_poses=1 tracks (printed, docs/accuracy.md left alone)")
    args = ap.parse_args(argv)
    if args.gait:
        sys.path.insert(0, str(REPO / "benchmarks"))
        cmd = ("python benchmarks/accuracy.py --gait" + (" --cached-only" if args.cached_only else "")
               + (f" --set {args.set}" if args.set != "test" else ""))
        return run_gait(args.out, cmd, args.cached_only, args.fast_tracking, args.set)
    movements = args.only or [m for m in ("clamshell", "donkey_kick", "fire_hydrant", "straight_leg_raise",
                                          "hamstring_stretch", "running_lunge", "figure_four", "running")
                              if m in SCRIPTS and (m in CASES or m == "running")]
    if args.rescore is not None:
        for path in args.rescore:
            print(f"{path}:\n" + "\n".join(per_code(json.loads(path.read_text()))) + "\n")
        return 0
    bodies = args.bodies or (list(BODIES)[:1] if args.quick else list(BODIES))
    clips = []
    for m in movements:
        cs = clips_for(m, bodies, args.views)
        clips += cs[:1] if args.quick else cs
    print(f"{len(clips)} clips", file=sys.stderr)
    t0 = time.perf_counter()
    results = []
    with ProcessPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        for r in pool.map(_job, [(c, args.cache) for c in clips]):
            s = score(r)
            print(f"{r['movement']:>18} {r['body']} {r['view']:>10}: {s['real']['n']}/{s['n_truth']} "
                  f"tp {s['real']['tp']} fp {s['real']['fp']} fn {s['real']['fn']} "
                  f"coverage {s['coverage']:.0%} render {r['render_s']} s", file=sys.stderr)
            results.append(r)
    seconds = time.perf_counter() - t0
    command = "python benchmarks/accuracy.py " + " ".join(argv if argv is not None else sys.argv[1:])
    write_markdown(results, args.out, command.strip(), seconds)
    if args.results:
        args.results.write_text(json.dumps(results, indent=1, default=float))
    print(args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
