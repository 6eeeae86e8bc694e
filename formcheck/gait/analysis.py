"""`analyze_running`: a pose track of running -> the report body.

Order: clean -> the longest stretch with the whole body seen -> steps -> is it
running, at real speed? (formcheck.gait.sanity) -> per-step metrics -> rules
(formcheck.gait.rules) -> per-leg verdicts -> summary lines and advice. A clip
that is not running, or whose time is not real time, gets a sentence saying so
(or a question) and no running metrics or advice.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from formcheck.cleaning import clean_track
from formcheck.errors import NoPersonError
from formcheck.gait import rules as R
from formcheck.gait.frames import SIDES, Frames, clean_frontal, facing
from formcheck.gait.metrics import (
    FPPA_CALIBRATION,
    NO_CALIBRATION,
    FppaCalibration,
    cadence,
    frontal_metrics,
    sagittal_metrics,
)
from formcheck.gait.sanity import alternation, running_like, speed_question, swing_clearance
from formcheck.gait.steps import Stance, detect_steps, standing_baseline
from formcheck.landmarks import PoseTrack
from formcheck.results import Step, metrics_json
from formcheck.views import VIEW_LABELS, clip_view

__all__ = ["GaitOptions", "analyze_running", "GAIT_SMOOTH_HZ", "MIN_REAL_FPS", "SLOW_MOTION_QUESTION"]

# Offline low-pass for running [own]: the top of the 6-10 Hz range (clinical-criteria.md §4),
# because a stance lasts only 0.2-0.3 s.
GAIT_SMOOTH_HZ = 10.0
# Below this real frame rate a stance spans too few frames [own; clinical-criteria.md §2].
MIN_REAL_FPS = 60.0
# A cut or a lost person: the hips jump more than this many leg lengths between
# two frames, or the body's size on screen changes by more than this share [own:
# a runner moves ~0.1 leg lengths per frame at 30 fps, even with a panning camera].
CUT_JUMP_LEGS = 0.6
CUT_SCALE_CHANGE = 0.3
# Gaps in the body's visibility up to this long are bridged [own: steps on either
# side still belong to one steady run; the step detector copes with a missed step].
SEEN_GAP_S = 1.0
SLOW_MOTION_QUESTION = "This clip looks like slow motion: what speed was it filmed at?"
FAST_MOTION_QUESTION = "This clip looks sped up (a time-lapse?): what speed was it filmed at?"
# 95% band: 1.96 standard errors [normal approximation].
_Z95 = 1.96


@dataclass(frozen=True)
class GaitOptions:
    """time_scale: real seconds per video second (0.25 for 120 fps played at 30).
    baseline: "auto" finds a still standing period at the start of the clip and
    judges FPPA against it; "off" always uses the absolute limit.
    baseline_fppa_deg: a standing FPPA measured elsewhere, {"left": deg, "right": deg};
    it overrides "auto". clean: clean the track first (gaps, smoothing at smooth_hz
    real Hz, and leg labels: relabel_legs from behind or in front, else clean_track).
    min_steps_per_leg: steps a leg needs for a verdict or a left/right comparison.
    calibration: "auto" corrects FPPA for the pose model's bias on tracks from
    video (not on synthetic tracks of exact joints), "off" never; or a FppaCalibration."""

    time_scale: float = 1.0
    baseline: str = "auto"
    baseline_fppa_deg: dict[str, float] | None = None
    clean: bool = True
    smooth_hz: float = GAIT_SMOOTH_HZ
    min_steps_per_leg: int = R.MIN_STEPS_PER_LEG
    calibration: str | FppaCalibration = "auto"

    def __post_init__(self) -> None:
        if not (self.time_scale > 0 and math.isfinite(self.time_scale)):
            raise ValueError(f"time_scale: expected a positive number, got {self.time_scale!r}")
        if self.baseline not in ("auto", "off"):
            raise ValueError(f"baseline: expected 'auto' or 'off', got {self.baseline!r}")
        if not isinstance(self.calibration, FppaCalibration) and self.calibration not in ("auto", "off"):
            raise ValueError(f"calibration: expected 'auto', 'off' or a FppaCalibration, got {self.calibration!r}")


def _calibration(track: PoseTrack, option: str | FppaCalibration) -> FppaCalibration:
    if isinstance(option, FppaCalibration):
        return option
    if option == "off" or track.meta.get("synthetic"):
        return NO_CALIBRATION
    return FPPA_CALIBRATION


# ---- the stretch to analyse -------------------------------------------------------------


def seen_stretch(track: PoseTrack) -> tuple[int, int]:
    """[i0, i1) of the longest run of frames where the legs (hips to feet) are seen,
    gaps up to SEEN_GAP_S bridged, not crossing a cut (the hips jump or the body's
    size on screen changes abruptly between two seen frames)."""
    fr = Frames(track)
    pts = np.stack([fr.p(s, k) for s in SIDES for k in ("hip", "knee", "ankle")], axis=1)  # [N,6,2]
    seen = np.isfinite(pts).all(axis=(1, 2))
    idx = np.flatnonzero(seen)
    if len(idx) == 0:
        return 0, 0
    size = np.linalg.norm(pts[:, 0] - pts[:, 2], axis=-1) + np.linalg.norm(pts[:, 3] - pts[:, 5], axis=-1)
    hip = (pts[:, 0] + pts[:, 3]) / 2
    t = track.times
    breaks = []
    for a, b in zip(idx[:-1], idx[1:]):
        scale = 0.5 * (size[a] + size[b]) / 2  # one leg
        jump = np.linalg.norm(hip[b] - hip[a]) / max(scale, 1e-9)
        grow = abs(size[b] - size[a]) / max(size[a], 1e-9)
        if t[b] - t[a] > SEEN_GAP_S or jump > CUT_JUMP_LEGS * max(1, b - a) or grow > CUT_SCALE_CHANGE:
            breaks.append((a, b))
    starts = [idx[0]] + [b for _, b in breaks]
    ends = [a for a, _ in breaks] + [idx[-1]]
    k = int(np.argmax([t[e] - t[s] for s, e in zip(starts, ends)]))
    return int(starts[k]), int(ends[k]) + 1


def _crop(track: PoseTrack, i0: int, i1: int) -> PoseTrack:
    return track.replace(times=track.times[i0:i1], xy=track.xy[i0:i1], vis=track.vis[i0:i1],
                         world=track.world[i0:i1], detected=track.detected[i0:i1])


# ---- summary ----------------------------------------------------------------------------


def _med(vals: list) -> float | None:
    v = [x for x in vals if x is not None and math.isfinite(x)]
    return round(float(np.median(v)), 2) if v else None


def _count(steps: list[Step], code: str) -> int:
    return sum(1 for s in steps if any(f.code == code for f in s.faults))


def _fppa_band(vals: list[float], cal: FppaCalibration) -> list[float] | None:
    """95% band of a leg's median FPPA: the steps' own spread (standard error of
    the median, 1.25 x SD / sqrt(n)) and the bias correction's uncertainty."""
    v = np.array([x for x in vals if math.isfinite(x)])
    if len(v) < 2:
        return None
    se = math.sqrt((1.25 * float(np.std(v, ddof=1))) ** 2 / len(v) + cal.sd_deg ** 2)
    med = float(np.median(v))
    return [round(med - _Z95 * se, 1), round(med + _Z95 * se, 1)]


def _leg_summary(steps: list[Step], side: str, view: str | None, min_steps: int, fppa_limit: float,
                 fppa_metric: str, cal: FppaCalibration, other_median: float | None) -> dict:
    mine = [s for s in steps if s.side == side]
    out: dict = {"steps": len(mine), "stance_s_median": _med([s.metrics.get("stance_s") for s in mine])}
    if view in R.FRONTAL:
        vals = [s.metrics[fppa_metric] for s in mine if fppa_metric in s.metrics]
        fp = [s.metrics["fppa_deg"] for s in mine if "fppa_deg" in s.metrics]
        flagged = _count(mine, "knee_valgus")
        med = _med(vals)
        own = _med(fp)
        verdict = None
        enough = len(vals) >= min_steps and med is not None
        over_other = (round(own - other_median, 2)
                      if enough and own is not None and other_median is not None else None)
        if enough:
            share = flagged / len(vals)
            if med > fppa_limit or (over_other is not None and over_other > R.FPPA_OVER_OTHER_LEG_DEG):
                verdict = "knee_valgus"
            elif med > fppa_limit - R.FPPA_BORDERLINE_DEG or share >= 0.3:
                verdict = "borderline"
            else:
                verdict = "ok"
        out.update({
            "fppa_median_deg": own, "fppa_peak_deg": round(max(fp), 2) if fp else None,
            "fppa_band_deg": _fppa_band(fp, cal) if enough else None,
            "fppa_judged_deg": med, "fppa_limit_deg": fppa_limit, "fppa_metric": fppa_metric,
            "fppa_over_other_leg_deg": over_other,
            "valgus_steps": flagged, "valgus_share": round(flagged / len(vals), 3) if vals else None,
            "verdict": verdict,
            # Not measurable from pose landmarks (rules.UNMEASURED): no count, a sentence.
            "pelvic_drop_steps": None,
            "pelvic_drop": R.UNMEASURED["pelvic_drop"].split(":")[0],
            "crossover_steps": _count(mine, "crossover"),
            "heel_offset_median": _med([s.metrics.get("heel_offset") for s in mine]),
        })
    if view in R.SAGITTAL:
        out.update({
            "overstride_median": _med([s.metrics.get("overstride") for s in mine]),
            "tibia_angle_median_deg": _med([s.metrics.get("tibia_angle_deg") for s in mine]),
            "knee_flex_contact_median_deg": _med([s.metrics.get("knee_flex_contact_deg") for s in mine]),
            "knee_flex_mid_median_deg": _med([s.metrics.get("knee_flex_mid_deg") for s in mine]),
            "overstride_steps": _count(mine, "overstride"),
        })
    return out


def _fmt(v: float | None, unit: str = "°") -> str:
    return "?" if v is None else f"{v:.0f}{unit}"


def _band(lg: dict) -> str:
    b = lg.get("fppa_band_deg")
    return f", likely {b[0]:.0f}° to {b[1]:.0f}°" if b else ""


def _summary_lines(gait: dict, view: str | None) -> list[str]:
    lines = []
    cad = gait.get("cadence_spm")
    if cad is not None:
        low = " — low (under 160)" if cad < R.LOW_CADENCE_SPM else ""
        lines.append(f"Cadence {cad:.0f} steps/min over {gait['step_count']} steps{low}.")
    legs = gait["legs"]
    for side in SIDES:
        lg = legs[side]
        name = side.capitalize()
        if view in R.FRONTAL:
            n = lg["steps"]
            judged = "above your standing baseline" if lg["fppa_metric"] == "fppa_over_baseline_deg" else "limit"
            if lg["verdict"] is None:
                lines.append(f"{name} knee: only {n} steps seen; at least {gait['min_steps_per_leg']} are needed "
                             "for a verdict.")
            elif lg["verdict"] == "knee_valgus":
                lines.append(f"{name} knee caves in on {lg['valgus_steps']} of {n} steps, peak "
                             f"{_fmt(lg['fppa_peak_deg'])} (median {_fmt(lg['fppa_median_deg'])}{_band(lg)}; "
                             f"{judged} {lg['fppa_limit_deg']:.0f}°).")
            elif lg["verdict"] == "borderline":
                lines.append(f"{name} knee: borderline, caves in on {lg['valgus_steps']} of {n} steps "
                             f"(median {_fmt(lg['fppa_median_deg'])}{_band(lg)}, peak {_fmt(lg['fppa_peak_deg'])}; "
                             f"{judged} {lg['fppa_limit_deg']:.0f}°).")
            else:
                lines.append(f"{name} knee stays in line: median {_fmt(lg['fppa_median_deg'])}{_band(lg)}, peak "
                             f"{_fmt(lg['fppa_peak_deg'])} over {n} steps.")
            if lg.get("crossover_steps"):
                lines.append(f"{name} foot lands across your midline on {lg['crossover_steps']} of {n} steps.")
        if view in R.SAGITTAL and lg["steps"]:
            lines.append(f"{name} foot lands {lg['overstride_median']:.2f} leg lengths ahead of the hip, shin "
                         f"{_fmt(lg['tibia_angle_median_deg'])} from vertical; knee bent "
                         f"{_fmt(lg['knee_flex_contact_median_deg'])} at contact and "
                         f"{_fmt(lg['knee_flex_mid_median_deg'])} at midstance."
                         if lg.get("overstride_median") is not None else f"{name}: {lg['steps']} steps.")
    if view in R.FRONTAL:
        lines.append(R.UNMEASURED["pelvic_drop"].split(":")[0].capitalize() + ".")
    asym = gait.get("asymmetry", {}).get("fppa_deg")
    if asym is not None and abs(asym) >= R.ASYMMETRY_DEG:
        worse = "left" if asym > 0 else "right"
        lines.append(f"The {worse} knee caves in {abs(asym):.0f}° more than the other (median).")
    if view in R.SAGITTAL and gait.get("trunk_lean_median_deg") is not None:
        lines.append(f"Trunk leans {gait['trunk_lean_median_deg']:.0f}° forward.")
    return lines


def _advice(gait: dict, steps: list[Step]) -> list[str]:
    codes = {f.code for s in steps for f in s.faults} | {f["code"] for f in gait["faults"]}
    legs = gait["legs"]
    out = []
    if any(legs[s].get("verdict") in ("knee_valgus", "borderline") for s in SIDES):
        out.append("Strengthen the hip muscles that keep your knee in line and your pelvis level: clamshells, "
                   "fire hydrants and donkey kicks, 3 sets of 15 (formcheck can check each of them). "
                   "While running, think 'knee over the middle of the foot' as you land.")
    if "crossover" in codes:
        out.append("Land with your feet a little apart, as if running along two lines rather than one.")
    cad = gait.get("cadence_spm")
    if cad is not None and cad < R.LOW_CADENCE_SPM:
        out.append(f"Raise your step rate by 5-10%: from {cad:.0f} to about {1.05 * cad:.0f}-{1.10 * cad:.0f} "
                   "steps per minute (a metronome app helps). Quicker, shorter steps lower the load on the knee "
                   "(Heiderscheit 2011).")
    if "overstride" in codes:
        out.append("Land with your foot closer under your hips; a 5-10% quicker step rate usually brings this by itself.")
    return out


def _view_warnings(view: str | None) -> list[str]:
    if view in R.FRONTAL:
        return ["Overstride, knee bend and trunk lean were not checked: they need a side view. "
                "Film from the side to check them."]
    if view in R.SAGITTAL:
        return ["Knee caving in (FPPA) and crossover were not checked: they need a view "
                f"{VIEW_LABELS['back']}. Film from behind (or in front) to check them."]
    seen = "an unknown angle" if view is None else VIEW_LABELS.get(view, view)
    return [f"The clip looks filmed from {seen}: only steps and cadence were measured. Film from behind "
            "for knee valgus and crossover, and from the side for overstride."]


def _speed_sentence(kind: str, suggest: float | None, cad: float | None, ts: float, capture: float | None,
                    play_fps: float) -> str:
    q = SLOW_MOTION_QUESTION if kind == "slow_motion" else FAST_MOTION_QUESTION
    seen = f" The steps come at {cad:.0f} per minute of video time" if cad is not None else ""
    if kind == "slow_motion" and capture:
        seen = f" The file says it was filmed at {capture:.0f} fps and plays at {play_fps:.0f} fps."
    elif cad is not None:
        lo, hi = R.RUNNING_CADENCE_SPM
        seen += f", and running is {lo:.0f}-{hi:.0f} steps per minute." if ts == 1.0 else f" with time scale {ts:g}."
    if suggest and capture:
        how = (f" If so, analyse it again with --time-scale {suggest:g} "
               "(in the app: 'Time scale (real seconds per video second)').")
    else:
        # The rhythm alone cannot tell a step from a stride on every clip: the likeliest
        # factor first, then the other usual ones.
        scales = [0.25, 0.5, 0.125]
        if suggest in scales:
            scales.remove(suggest)
            scales.insert(0, suggest)
        opts = "; ".join(f"filmed at {1 / x:g}x speed: --time-scale {x:g}" for x in scales)
        how = (f" Analyse it again with the real seconds per video second ({opts}; in the app: "
               "'Time scale (real seconds per video second)').")
    return q + seen + how + " No cadence or knee verdicts were given until then."


# ---- the analysis -----------------------------------------------------------------------


def analyze_running(track: PoseTrack, options: GaitOptions = GaitOptions()) -> dict:
    """Analyse a running clip. Returns the report body (docs/gait.md, docs/report.md)."""
    if len(track) == 0 or not track.detected.any():
        raise NoPersonError("no person was found in any frame of the clip")
    ts = options.time_scale
    real = track.replace(times=track.times * ts, fps=track.fps / ts)
    coverage = track.coverage
    if not options.clean:
        clean = real
    elif clip_view(real) in R.FRONTAL:
        clean = clean_frontal(real, options.smooth_hz)
    else:
        clean = clean_track(real, cutoff_hz=options.smooth_hz)
    warnings: list[str] = []
    i0, i1 = seen_stretch(clean)
    if i1 - i0 >= 8 and (i0 > 0 or i1 < len(clean)) and (i1 - i0) < 0.9 * len(clean):
        warnings.append(f"Only {clean.times[i0] / ts:.1f}-{clean.times[i1 - 1] / ts:.1f} s was analysed: the "
                        "longest part of the clip with the whole body in view and no cut.")
        clean = _crop(clean, i0, i1)
    view = clip_view(clean)
    t = clean.times
    fr = Frames(clean)
    leg = fr.leg_px()
    cal = _calibration(track, options.calibration)
    if coverage < 0.6:
        warnings.append(f"A person was found in only {coverage:.0%} of frames; steps may be missed. "
                        "Keep your whole body, feet included, in frame.")

    # Baseline (frontal views only: FPPA while standing still).
    base = None
    if view in R.FRONTAL:
        if options.baseline_fppa_deg is not None:
            base = {"fppa_deg": {s: float(options.baseline_fppa_deg.get(s, math.nan)) for s in SIDES},
                    "from_s": None, "to_s": None, "source": "given"}
        elif options.baseline == "auto":
            still = standing_baseline(clean)
            if still is not None:
                sel = (t >= still[0]) & (t <= still[1])
                base = {"fppa_deg": {s: float(np.nanmedian(fr.fppa(s)[sel])) for s in SIDES},
                        "from_s": round(still[0] / ts, 3), "to_s": round(still[1] / ts, 3), "source": "standing"}

    steps_raw, period, info = detect_steps(clean, view)
    if base is not None and base.get("to_s") is not None:
        steps_raw = [s for s in steps_raw if s.contact > base["to_s"] * ts]
    cad = cadence(steps_raw, period)
    stance_med = float(np.median([s.stance for s in steps_raw if not s.estimated] or [math.nan]))
    stance_med = stance_med if math.isfinite(stance_med) else None
    duty = stance_med / period if stance_med is not None and period else None

    # ---- sanity before advice ----
    clearance = swing_clearance(fr, t, steps_raw, leg, period) if math.isfinite(leg) and leg > 0 else math.nan
    # Which foot is up is read from the labels, which are repaired over the whole clip
    # only from behind or in front (from the side BlazePose swaps them too often).
    alt = alternation(fr, t, period) if view in R.FRONTAL else math.nan
    not_running = running_like(clearance, duty, len(steps_raw), cad, alt)
    capture = track.meta.get("capture_fps")
    speed = None if not_running else speed_question(cad, stance_med, ts, capture, float(track.fps))
    status = "not_running" if not_running else (speed[0] if speed else "running")
    sanity = {"status": status, "swing_clearance_legs": None if not math.isfinite(clearance) else round(clearance, 3),
              "duty_factor": None if duty is None else round(duty, 3),
              "alternation": None if not math.isfinite(alt) else round(alt, 3),
              "cadence_measured_spm": None if cad is None else round(cad, 1),
              "capture_fps": capture, "suggested_time_scale": speed[1] if speed else None, "question": None}

    steps: list[Step] = []
    if status == "running" or status in ("slow_motion", "fast_motion"):
        steps = _step_reports(steps_raw, fr, t, view, base, leg, cal, ts, options.min_steps_per_leg)
    judge_ok = status == "running"
    if not judge_ok:
        steps = [s.without_faults() for s in steps]
    fppa_metric = "fppa_over_baseline_deg" if base is not None else "fppa_deg"
    fppa_limit = R.FPPA_OVER_BASELINE_DEG if base is not None else R.FPPA_ABS_DEG
    medians = {s: _med([x.metrics.get("fppa_deg") for x in steps if x.side == s]) for s in SIDES}
    counts = {s: sum(1 for x in steps if x.side == s) for s in SIDES}
    legs = {}
    for s in SIDES:
        o = "right" if s == "left" else "left"
        other = medians[o] if counts[o] >= options.min_steps_per_leg else None
        legs[s] = _leg_summary(steps, s, view, options.min_steps_per_leg if judge_ok else 10 ** 9,
                               fppa_limit, fppa_metric, cal, other)
    shown_cad = cad if judge_ok else None
    clip_faults = R.judge({"cadence_spm": shown_cad if shown_cad is not None else math.nan},
                          tuple(f for f in R.CLIP_FAULTS if view in (f.views or R.ANY_VIEW)))
    gait: dict = {
        "time_scale": ts,
        "real_fps": round(float(real.fps), 2),
        "view": view,
        "status": status,
        "sanity": sanity,
        "step_method": info["method"] if steps else None,
        "step_count": len(steps),
        "cadence_spm": round(shown_cad, 1) if shown_cad is not None else None,
        "stance_s_median": _med([s.metrics.get("stance_s") for s in steps]),
        "min_steps_per_leg": options.min_steps_per_leg,
        "legs": legs,
        "baseline": None if base is None else {
            "fppa_deg": {k: round(v, 2) for k, v in base["fppa_deg"].items()},
            "from_s": base["from_s"], "to_s": base["to_s"], "source": base["source"]},
        "fppa_calibration": {"slope": cal.slope, "offset": cal.offset, "sd_deg": cal.sd_deg,
                             "fitted_on": cal.fitted_on},
        "faults": [f.to_json() for f in clip_faults],
        "metric_labels": R.METRIC_LABELS,
    }
    if view in R.FRONTAL:
        both = all(counts[s] >= options.min_steps_per_leg for s in SIDES) and judge_ok
        lm, rm = legs["left"].get("fppa_median_deg"), legs["right"].get("fppa_median_deg")
        gait["asymmetry"] = {"fppa_deg": round(lm - rm, 2) if both and None not in (lm, rm) else None}
        gait["step_width_median"] = _med([s.metrics.get("step_width") for s in steps])
    if view in R.SAGITTAL:
        gait["trunk_lean_median_deg"] = _med([s.metrics.get("trunk_lean_deg") for s in steps])

    unjudged = {f.code for f in R.STEP_FAULTS if view not in (f.views or R.ANY_VIEW)} | set(R.UNMEASURED)
    if status == "not_running":
        sentence = (f"This clip does not look like running ({not_running}), so no running measures were made. "
                    "Film at least 10 s of steady running, the whole body in view.")
        gait["summary_lines"] = [sentence]
        warnings.append(sentence)
        unjudged |= {f.code for f in R.STEP_FAULTS} | {f.code for f in R.CLIP_FAULTS}
        advice: list[str] = []
    elif status in ("slow_motion", "fast_motion"):
        q = _speed_sentence(status, sanity["suggested_time_scale"], cad, ts, capture, float(track.fps))
        sanity["question"] = q
        gait["question"] = q
        gait["summary_lines"] = [q]
        warnings.append(q)
        unjudged |= {f.code for f in R.STEP_FAULTS} | {f.code for f in R.CLIP_FAULTS}
        advice = []
    else:
        gait["summary_lines"] = _summary_lines(gait, view)
        advice = _advice(gait, steps)
        warnings += _run_warnings(gait, legs, view, steps, cad, base, info, real.fps, options)
        if cad is None:
            unjudged.add("low_cadence")
    if view in R.FRONTAL:
        warnings.append(R.UNMEASURED["pelvic_drop"][0].upper() + R.UNMEASURED["pelvic_drop"][1:] + ".")
    return {
        "exercise": "running",
        "pose_coverage": round(coverage, 4),
        "view": view,
        "side": None,
        "reps": [],
        "holds": [],
        "steps": [s.to_json() for s in steps],
        "warnings": warnings,
        "unjudged": sorted(unjudged),
        "gait": gait,
        "advice": advice,
    }


def _step_reports(steps_raw: list[Stance], fr: Frames, t: np.ndarray, view: str | None, base: dict | None,
                  leg: float, cal: FppaCalibration, ts: float, min_steps: int) -> list[Step]:
    """The steps as the report gives them: times (video time), metrics, faults by the rules."""
    fwd = facing(fr)
    mets: list[dict[str, float]] = []
    for st in steps_raw:
        m: dict[str, float] = {"stance_s": st.stance}
        if view in R.FRONTAL:
            m.update(frontal_metrics(fr, t, st, base, cal))
        elif view in R.SAGITTAL:
            m.update(sagittal_metrics(fr, t, st, leg, fwd))
        mets.append(m)
    sides = [st.side for st in steps_raw]
    # Against the other leg: only when it has enough steps to have a median.
    for side in SIDES:
        other = [m.get("fppa_deg", math.nan) for m, sd in zip(mets, sides) if sd != side]
        other = [v for v in other if math.isfinite(v)]
        if len(other) >= min_steps:
            ref = float(np.median(other))
            for m, sd in zip(mets, sides):
                if sd == side and math.isfinite(m.get("fppa_deg", math.nan)):
                    m["fppa_over_other_leg_deg"] = m["fppa_deg"] - ref
    # Step width: this heel vs the other foot's previous contact, in hip widths.
    for k, m in enumerate(mets):
        prev = next((p for p, sd in zip(reversed(mets[:k]), reversed(sides[:k])) if sd != sides[k]), None)
        if prev is not None and "heel_x_px" in m and math.isfinite(m.get("hip_width_px", math.nan)):
            m["step_width"] = abs(m["heel_x_px"] - prev["heel_x_px"]) / m["hip_width_px"]
    rules = R.rules_for(view, base is not None)
    steps = []
    for k, (st, m) in enumerate(zip(steps_raw, mets), start=1):
        m.pop("heel_x_px", None)
        m.pop("hip_width_px", None)
        m = metrics_json(m)
        steps.append(Step(index=k, side=st.side, contact_s=round(st.contact / ts, 4),
                          midstance_s=round(st.midstance / ts, 4), toe_off_s=round(st.toe_off / ts, 4),
                          timing_estimated=st.estimated, metrics=m, faults=tuple(R.judge(m, rules))))
    return steps


def _run_warnings(gait: dict, legs: dict, view: str | None, steps: list[Step], cad: float | None,
                  base: dict | None, info: dict, real_fps: float, options: GaitOptions) -> list[str]:
    out = _view_warnings(view)
    if not steps:
        out.append("No running steps were found. Film at least 10 s of steady running with the feet in view.")
    if cad is None and steps:
        out.append("Too few regular steps to measure cadence.")
    if view in R.FRONTAL and steps:
        for side in SIDES:
            n = legs[side]["steps"]
            if n < options.min_steps_per_leg:
                out.append(f"Only {n} {side} step{'' if n == 1 else 's'}: at least {options.min_steps_per_leg} "
                           f"per leg are needed to judge a leg or compare it with the other (Dingenen 2018), so the "
                           f"{side} knee got no verdict.")
        cal = gait["fppa_calibration"]
        if cal["slope"] != 1.0 or cal["offset"] != 0.0:
            out.append("Video pose landmarks under-read knee valgus; FPPA was corrected for that bias "
                       f"(fitted on rendered runners, ±{cal['sd_deg']:.0f}° per clip), and each knee's band shows "
                       "how far the true value may lie.")
        if base is None:
            out.append("No still standing at the start of the clip: knees were judged against the general "
                       "15° limit and against each other. Stand still for 2 s before you start running to be "
                       "judged against your own baseline.")
    if view in R.SAGITTAL and info["label_disagreements"] > 0.25 * max(1, len(steps)):
        out.append("Left and right legs were hard to tell apart from the side; steps were assigned to legs "
                   "by alternation.")
    if steps and real_fps < MIN_REAL_FPS:
        out.append(f"The clip has {real_fps:.0f} frames per real second: a running stance spans only about "
                   f"{0.25 * real_fps:.0f} frames, so timings are ±{500 / real_fps:.0f} ms and short peaks may "
                   "be missed. Film at 60-240 fps; for a slow-motion clip, set the time scale.")
    return out
