"""Running, in words: per-leg summaries and verdicts, the summary lines, the
advice, the warnings, and the question asked when a clip's speed looks wrong.
Read from the steps (formcheck.results.Step) and the gait block that
`formcheck.gait.analysis` builds. Pure numpy.
"""

from __future__ import annotations

import math

import numpy as np

from formcheck.gait import rules as R
from formcheck.gait.frames import SIDES
from formcheck.results import Step
from formcheck.views import VIEW_LABELS
from formcheck.wording import count

__all__ = ["median_of", "leg_summary", "summary_lines", "advice_lines", "speed_sentence", "run_warnings", "MIN_REAL_FPS",
           "SLOW_MOTION_QUESTION", "SLOW_OR_NOT_RUNNING", "FAST_MOTION_QUESTION", "PELVIC_DROP_NOTE"]

# Below this real frame rate a stance spans too few frames [own; clinical-criteria.md §2].
MIN_REAL_FPS = 60.0
SLOW_MOTION_QUESTION = "This clip looks like slow motion: what speed was it filmed at?"
# Said instead when the only evidence is a step rhythm between walking's and running's: a drill
# (butt kicks, high knees over mini hurdles) filmed in real time gives the same slow rhythm.
SLOW_OR_NOT_RUNNING = "These steps are slower than running: is this slow motion, or not running steps?"
# A rhythm this slow in video time is no one's real step rate, drill or walk, so only slow
# motion explains it [own: half of running's lowest cadence; the 2x factor cannot reach running's
# range below it, and the real drills of session 25 read 80-115 steps/min].
SURE_SLOW_SPM = R.RUNNING_CADENCE_SPM[0] / 2
# A slow rhythm from fewer steps than this may be steps missed, not slow motion [own: about 4
# strides; s30's real-time track runner, filmed by a camera circling him, had 5 steps found in the
# 5.9 s analysed (56 a minute, 176 counted by eye); of the 31 other runners in the cache, the 6 asked
# about slow motion from fewer than 8 steps include 1 real-time clip, the 4 asked from 8 or more none
# labelled real time].
FEW_STEPS_FOR_SLOW = 8
SLOW_OR_MISSED = "Few steps were found, and slower than running: is this slow motion, or were steps missed?"
# The note on pelvic drop in a runner's words (the measurement behind it: rules.UNMEASURED).
PELVIC_DROP_NOTE = ("Pelvic drop (the hip sagging on the side of the leg in the air) was not checked: from video, "
                    "the pose model's hip points barely move with the pelvis, so a drop can be neither seen nor "
                    "ruled out.")
FAST_MOTION_QUESTION = "This clip looks sped up (a time-lapse?): what speed was it filmed at?"
# Camera yaw above which the report warns [own: the FPPA error on rendered runners
# grew past ~8° off the line (docs/gait.md); the estimate itself is +-5°].
YAW_WARN_DEG = 10.0
# 95% band: 1.96 standard errors [normal approximation].
_Z95 = 1.96


def median_of(vals: list) -> float | None:
    """Median of the finite values, to 0.01; None without any."""
    v = [x for x in vals if x is not None and math.isfinite(x)]
    return round(float(np.median(v)), 2) if v else None


def _count(steps: list[Step], code: str) -> int:
    return sum(1 for s in steps if any(f.code == code for f in s.faults))


def _fppa_band(vals: list[float], sd_deg: float) -> list[float] | None:
    """95% band of a leg's median FPPA: the steps' own spread (standard error of
    the median, 1.25 x SD / sqrt(n)) and the per-leg error the correction leaves
    (`sd_deg`: FppaCalibration.sd_at the clip's camera yaw)."""
    v = np.array([x for x in vals if math.isfinite(x)])
    if len(v) < 2:
        return None
    se = math.sqrt((1.25 * float(np.std(v, ddof=1))) ** 2 / len(v) + sd_deg ** 2)
    med = float(np.median(v))
    return [round(med - _Z95 * se, 1), round(med + _Z95 * se, 1)]


def leg_summary(steps: list[Step], side: str, view: str | None, min_steps: int, fppa_limit: float,
                 fppa_metric: str, sd_deg: float, other_median: float | None) -> dict:
    mine = [s for s in steps if s.side == side]
    out: dict = {"steps": len(mine), "stance_s_median": median_of([s.metrics.get("stance_s") for s in mine])}
    if view in R.FRONTAL:
        vals = [s.metrics[fppa_metric] for s in mine if fppa_metric in s.metrics]
        fp = [s.metrics["fppa_deg"] for s in mine if "fppa_deg" in s.metrics]
        flagged = _count(mine, "knee_valgus")
        med = median_of(vals)
        own = median_of(fp)
        verdict = None
        enough = len(vals) >= min_steps and med is not None
        over_other = (round(own - other_median, 2)
                      if enough and own is not None and other_median is not None else None)
        if enough and med is not None:
            share = flagged / len(vals)
            if med > fppa_limit or (over_other is not None and over_other > R.FPPA_OVER_OTHER_LEG_DEG):
                verdict = "knee_valgus"
            elif med > fppa_limit - R.FPPA_BORDERLINE_DEG or share >= 0.3:
                verdict = "borderline"
            else:
                verdict = "ok"
        band = _fppa_band(fp, sd_deg) if enough else None
        reason = None
        if (verdict in ("ok", "borderline") and band is not None and own is not None and med is not None
                and view in R.FPPA_OK_NEEDS_BAND_VIEWS):
            # "Stays in line" or "borderline" needs evidence: the band, moved to the judged
            # measure, must stay below the limit by more than the borderline margin allows
            # (from in front a caving knee can read near or under the borderline; see the rule).
            top = med + (band[1] - own)
            if top > fppa_limit + R.FPPA_BORDERLINE_DEG:
                verdict = "unjudged"
                reason = (f"the knee's angle could not be measured closely enough from this camera (likely "
                          f"{band[0]:.0f}° to {band[1]:.0f}°, limit {fppa_limit:.0f}°)")
        out.update({
            "fppa_steps": len(vals),
            "fppa_median_deg": own, "fppa_peak_deg": round(max(fp), 2) if fp else None,
            "fppa_band_deg": band,
            "fppa_judged_deg": med, "fppa_limit_deg": fppa_limit, "fppa_metric": fppa_metric,
            "fppa_over_other_leg_deg": over_other,
            "valgus_steps": flagged, "valgus_share": round(flagged / len(vals), 3) if vals else None,
            "verdict": verdict,
            "verdict_reason": reason,
            # Not measurable from pose landmarks (rules.UNMEASURED): no count, a sentence.
            "pelvic_drop_steps": None,
            "pelvic_drop": R.UNMEASURED["pelvic_drop"].split(":")[0],
            "crossover_steps": _count(mine, "crossover"),
            "heel_offset_median": median_of([s.metrics.get("heel_offset") for s in mine]),
        })
    if view in R.SAGITTAL:
        out.update({
            "overstride_median": median_of([s.metrics.get("overstride") for s in mine]),
            "tibia_angle_median_deg": median_of([s.metrics.get("tibia_angle_deg") for s in mine]),
            "knee_flex_contact_median_deg": median_of([s.metrics.get("knee_flex_contact_deg") for s in mine]),
            "knee_flex_mid_median_deg": median_of([s.metrics.get("knee_flex_mid_deg") for s in mine]),
            "overstride_steps": _count(mine, "overstride"),
        })
    return out


def _fmt(v: float | None, unit: str = "°") -> str:
    return "?" if v is None else f"{round(v) + 0:.0f}{unit}"  # + 0: -0.2 reads "0°", not "-0°"


def _band(lg: dict) -> str:
    b = lg.get("fppa_band_deg")
    return f", likely {b[0]:.0f}° to {b[1]:.0f}°" if b else ""


def summary_lines(gait: dict, view: str | None) -> list[str]:
    lines = []
    cad = gait.get("cadence_spm")
    if cad is not None:
        # "low" is a judgement: only with as many steps as the step-rate advice needs.
        low = (" — low (under 160)" if cad < R.LOW_CADENCE_SPM and gait["step_count"] >= R.MIN_STEPS_CADENCE_ADVICE
               else "")
        # Not "over 21 steps": the runner may have taken more (steps not read, a window cut; s26).
        lines.append(f"Cadence {cad:.0f} steps/min, measured from the {gait['step_count']} steps that could be "
                     f"analysed{low}.")
    legs = gait["legs"]
    near = gait.get("near_leg") if view in R.SAGITTAL else None
    for side in SIDES:
        lg = legs[side]
        name = side.capitalize()
        where = "" if near is None else " (nearer the camera)" if side == near else " (far side)"
        if view in R.FRONTAL:
            n = lg.get("fppa_steps", lg["steps"])  # steps seen side-on have no knee angle (seen_square_on)
            judged = "above your standing baseline" if lg["fppa_metric"] == "fppa_over_baseline_deg" else "limit"
            if lg["verdict"] is None:
                lines.append(f"{name} knee: only {n} steps seen; at least {gait['min_steps_per_leg']} are needed "
                             "for a verdict.")
            elif lg["verdict"] == "knee_valgus":
                lines.append(f"{name} knee caves in on {lg['valgus_steps']} of {n} steps, peak "
                             f"{_fmt(lg['fppa_peak_deg'])} (median {_fmt(lg['fppa_median_deg'])}{_band(lg)}; "
                             f"{judged} {lg['fppa_limit_deg']:.0f}°).")
            elif lg["verdict"] == "unjudged":
                lines.append(f"{name} knee: not judged — {lg['verdict_reason']}. Film from straight behind or in "
                             "front to have it judged.")
            elif lg["verdict"] == "borderline":
                lines.append(f"{name} knee: borderline, caves in on {lg['valgus_steps']} of {n} steps "
                             f"(median {_fmt(lg['fppa_median_deg'])}{_band(lg)}, peak {_fmt(lg['fppa_peak_deg'])}; "
                             f"{judged} {lg['fppa_limit_deg']:.0f}°).")
            else:
                lines.append(f"{name} knee stays in line: median {_fmt(lg['fppa_median_deg'])}{_band(lg)}, peak "
                             f"{_fmt(lg['fppa_peak_deg'])} over {n} steps.")
            if lg.get("crossover_steps") and n >= gait["min_steps_per_leg"]:  # no per-leg claim from a few steps
                lines.append(f"{name} foot lands across your midline on {lg['crossover_steps']} of {n} steps.")
        if view in R.SAGITTAL and lg["steps"]:
            lines.append(f"{name} foot{where} lands {lg['overstride_median']:.2f} leg lengths ahead of the hip, shin "
                         f"{_fmt(lg['tibia_angle_median_deg'])} from vertical; knee bent "
                         f"{_fmt(lg['knee_flex_contact_median_deg'])} at contact and "
                         f"{_fmt(lg['knee_flex_mid_median_deg'])} at midstance."
                         if lg.get("overstride_median") is not None else f"{name}{where}: {lg['steps']} steps.")
    if view in R.FRONTAL:
        lines.append(R.UNMEASURED["pelvic_drop"].split(":")[0].capitalize() + ".")
    asym = gait.get("asymmetry", {}).get("fppa_deg")
    if asym is not None and abs(asym) >= R.ASYMMETRY_DEG:
        worse = "left" if asym > 0 else "right"
        lines.append(f"The {worse} knee caves in {abs(asym):.0f}° more than the other (median).")
    gap = _knee_side_gap(legs) if view in R.SAGITTAL else None
    if gap is not None:
        lines.append(f"The two knees' bend at midstance differs by {gap:.0f}°: from one side the legs hide each other "
                     "in part, and on real runners filmed side-on the legs often read 10-25° apart, so film your "
                     "other side too before taking this as a difference between your legs.")
    if view in R.SAGITTAL and gait.get("trunk_lean_median_deg") is not None:
        lines.append(f"Trunk leans {gait['trunk_lean_median_deg']:.0f}° forward.")
    return lines


def _knee_side_gap(legs: dict) -> float | None:
    """The legs' difference in median knee bend at midstance, when both were measured and it
    is at least R.KNEE_SIDE_GAP_DEG (from one side the legs hide each other in part), else None."""
    mids = [legs[s].get("knee_flex_mid_median_deg") for s in SIDES]
    if None in mids:
        return None
    gap = abs(float(mids[0]) - float(mids[1]))
    return gap if gap >= R.KNEE_SIDE_GAP_DEG else None


def _overstrides(leg: dict, min_steps: int) -> bool:
    """A leg whose overstride is a habit worth advice: flagged on R.OVERSTRIDE_HABIT_SHARE
    of its steps or more, over enough steps for a per-leg claim (s37: one flagged step of a
    jogger's 38 brought "land with your foot closer under your hips")."""
    n = leg.get("steps") or 0
    return n >= min_steps and (leg.get("overstride_steps") or 0) >= R.OVERSTRIDE_HABIT_SHARE * n


def advice_lines(gait: dict, steps: list[Step]) -> list[str]:
    codes = {f.code for s in steps for f in s.faults} | {f["code"] for f in gait["faults"]}
    legs = gait["legs"]
    out = []
    if any(legs[s].get("verdict") in ("knee_valgus", "borderline") for s in SIDES):
        out.append("Strengthen the hip muscles that keep your knee in line and your pelvis level: clamshells, "
                   "fire hydrants and donkey kicks, 3 sets of 15 (formcheck can check each of them). "
                   "While running, think 'knee over the middle of the foot' as you land.")
    if "crossover" in codes and any(legs[s].get("crossover_steps") and legs[s]["steps"] >= gait["min_steps_per_leg"]
                                    for s in SIDES):
        out.append("Land with your feet a little apart, as if running along two lines rather than one.")
    cad = gait.get("cadence_spm")
    if cad is not None and "low_cadence" in codes:  # judged only with enough steps (MIN_STEPS_CADENCE_ADVICE)
        # Quicker, shorter steps lower the knee's load (Heiderscheit 2011); the source stays here, not
        # in the runner's words.
        out.append(f"Raise your step rate by 5-10%: from {cad:.0f} to about {1.05 * cad:.0f}-{1.10 * cad:.0f} "
                   "steps per minute (a metronome app helps). Quicker, shorter steps lower the load on the knee.")
    if any(_overstrides(legs[s], gait["min_steps_per_leg"]) for s in SIDES):
        out.append("Land with your foot closer under your hips; a 5-10% quicker step rate usually brings this by itself.")
    return out


def _view_warnings(view: str | None) -> list[str]:
    if view in R.FRONTAL:
        return ["Overstride, knee bend and trunk lean were not checked: they need a side view. "
                "Film from the side to check them."]
    if view in R.SAGITTAL:
        return ["Knee caving in (FPPA) and crossover were not checked: they need a view "
                f"{VIEW_LABELS['back']}. Film from behind (or in front) to check them."]
    seen = "from an unknown angle" if view is None else VIEW_LABELS.get(view, f"from the {view}")
    return [f"The clip looks filmed {seen}: only steps and cadence were measured. Film from behind "
            "for knee valgus and crossover, and from the side for overstride."]


def speed_sentence(kind: str, suggest: float | None, cad: float | None, ts: float, capture: float | None,
                    play_fps: float, n_steps: int | None = None) -> str:
    q = SLOW_MOTION_QUESTION if kind == "slow_motion" else FAST_MOTION_QUESTION
    unsure = kind == "slow_motion" and not capture and cad is not None and cad >= SURE_SLOW_SPM
    few = (kind == "slow_motion" and not capture and not unsure and n_steps is not None
           and n_steps < FEW_STEPS_FOR_SLOW)
    if unsure:
        q = SLOW_OR_NOT_RUNNING
    if few:
        q = SLOW_OR_MISSED
    found = f"{n_steps} steps" if few else "steps"
    seen = f" The {found} found come at {cad:.0f} per minute of video time" if cad is not None else ""
    if kind == "slow_motion" and capture:
        seen = f" The file says it was filmed at {capture:.0f} fps and plays at {play_fps:.0f} fps."
    elif cad is not None:
        lo, hi = R.RUNNING_CADENCE_SPM
        usual = (f", and running is {lo:.0f}-{hi:.0f} steps per minute." if kind == "slow_motion"
                 else f", and even a sprint stays under {R.SPRINT_CADENCE_MAX_SPM:.0f} steps per minute.")
        seen += usual if ts == 1.0 else f" with time scale {ts:g}."
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
    if few:
        return (q + seen + " A moving camera or feet hard to see can hide steps, which "
                "slows the rhythm found. If the clip is slow motion," + how.replace(" Analyse", " analyse", 1)
                + " If not, film at least 10 s of steady running, the whole body in view. No cadence or knee "
                "verdicts were given.")
    if unsure:
        return (q + seen + " A drill (butt kicks, high knees, running on the spot) filmed at normal speed gives "
                "such a rhythm too, and its steps cannot be read as running. If the clip is slow motion,"
                + how.replace(" Analyse", " analyse", 1)
                + " If not, film at least 10 s of steady running. No cadence or knee verdicts were given.")
    if kind == "slow_motion" and not capture:
        # The rhythm alone is the evidence, and missed steps slow it too: s31's brisk walker (real speed,
        # 12 of about 30 steps found, 51 a minute) read as slowed down; stance over step time does not
        # tell them apart (1.3-1.5 on real slow-motion runners and on the walker alike, looked at in
        # session 31 on the 33 cached runners).
        return (q + seen + how + " If it was filmed at normal speed, then most steps were missed or this is not "
                "running (walking, a drill). No cadence or knee verdicts were given.")
    return q + seen + how + " No cadence or knee verdicts were given until then."


# Below this frame rate an unjudged knee gets the advice to film faster [own: between the 30 fps
# phones film by default and the 60 fps most offer; at 30 fps a 0.2-0.3 s stance spans 6-9
# frames and the knee's inward peak 2-3 of them].
MIN_REAL_FPS_FOR_PEAK = 50.0


def run_warnings(gait: dict, legs: dict, view: str | None, steps: list[Step], cad: float | None,
                  base: dict | None, info: dict, real_fps: float, min_steps: int) -> list[str]:
    out = _view_warnings(view)
    if not steps:
        out.append("No running steps were found. Film at least 10 s of steady running with the feet in view.")
    if cad is None and steps:
        out.append("Too few regular steps to measure cadence.")
    if view in R.FRONTAL and steps:
        for side in SIDES:
            n = legs[side]["steps"]
            if n < min_steps:
                # The steps per leg a verdict needs: Dingenen 2018 (rules.MIN_STEPS_PER_LEG).
                out.append(f"Only {count(n, side + ' step')}: at least {min_steps} "
                           f"per leg are needed to judge a leg or compare it with the other, so the "
                           f"{side} knee got no verdict.")
        cal = gait["fppa_calibration"]
        if cal.get("hip_scale", 1.0) != 1.0 or cal["slope"] != 1.0 or cal["offset"] != 0.0:
            out.append("Video pose landmarks place the hips too close together and so under-read knee valgus; "
                       "FPPA was corrected for that (checked on computer-animated test runners, about "
                       f"±{cal.get('leg_sd_deg', cal['sd_deg']):.0f}° per leg on this clip), and each knee's band "
                       "shows how far the true value may lie.")
        unsure = [s for s in SIDES if legs[s].get("verdict") == "unjudged"]
        if unsure and real_fps < MIN_REAL_FPS_FOR_PEAK:
            out.append(f"At {real_fps:.0f} frames per second a knee's brief inward movement at midstance spans only "
                       "2-3 frames, and the pose model can read its peak low. Film at 60 frames per second if your "
                       "phone can.")
        yaw = gait.get("camera_yaw_deg")
        if yaw is not None and yaw > YAW_WARN_DEG:
            out.append(f"The camera looks about {yaw:.0f}° off your line of running: from an angle the knee's bend "
                       "mixes into the frontal-plane angle, so the knee angles are less certain (wider bands). "
                       "Film from straight behind or in front.")
        if base is None:
            out.append("No still standing at the start of the clip: knees were judged against the general "
                       "15° limit and against each other. Stand still for 2 s before you start running to be "
                       "judged against your own baseline.")
    if view in R.SAGITTAL and info["label_disagreements"] > 0.25 * max(1, len(steps)):
        out.append("Left and right legs were hard to tell apart from the side; steps were assigned to legs "
                   "by alternation.")
    if steps and real_fps < MIN_REAL_FPS:
        # s29: a runner at 25 fps read this as doubt about the step rate, which came out right to 0.1%.
        out.append(f"The clip has {real_fps:.0f} frames per real second: a running stance spans only about "
                   f"{0.25 * real_fps:.0f} frames, so landings are timed to ±{500 / real_fps:.0f} ms and a knee's "
                   "brief peak may be missed (the step rate, measured over many steps, is not affected). "
                   "Film at 60-240 fps; for a slow-motion clip, set the time scale.")
    return out
