"""Running's thresholds and fault rules, as data.

The same `Fault` / `Cond` rules the exercises use (formcheck.exercises.base):
per-step faults over the metrics of one stance (`STEP_FAULTS`, with a
`BASELINE_FAULTS` variant used when the runner's standing baseline is known),
and clip-level faults over the whole run (`CLIP_FAULTS`). `judge` applies them;
`threshold_table` renders them for docs/gait.md. Every number carries its
source, or `[own]` for our own default (clinical-criteria.md §1, §2, §5).
"""

from __future__ import annotations

import math

from formcheck.exercises.base import Cond, Fault
from formcheck.results import FaultHit

__all__ = [
    "FRONTAL", "SAGITTAL", "ANY_VIEW", "STEP_FAULTS", "BASELINE_FAULTS", "CLIP_FAULTS", "UNMEASURED",
    "METRIC_LABELS", "judge", "rules_for", "threshold_table",
    "FPPA_ABS_DEG", "FPPA_OVER_BASELINE_DEG", "FPPA_OVER_OTHER_LEG_DEG", "FPPA_BORDERLINE_DEG",
    "FPPA_OK_NEEDS_BAND_VIEWS",
    "PELVIC_DROP_DEG", "CROSSOVER_OFFSET", "OVERSTRIDE_RATIO", "OVERSTRIDE_HABIT_SHARE", "TIBIA_DEG", "LOW_CADENCE_SPM",
    "MIN_STEPS_PER_LEG", "MIN_STEPS_CADENCE_ADVICE", "ASYMMETRY_DEG", "KNEE_SIDE_GAP_DEG", "RUNNING_CADENCE_SPM",
    "SPRINT_CADENCE_MAX_SPM",
]

FRONTAL = ("front", "back")
SAGITTAL = ("side",)
ANY_VIEW = FRONTAL + SAGITTAL + ("oblique",)

# ---- limits the rules use ---------------------------------------------------------------

# FPPA at midstance: >15° absolute or >10° above the runner's standing baseline
# [own ≈ SDD 7.5-8.9° (Munro 2012) + estimator error; clinical-criteria.md 1.2 table].
FPPA_ABS_DEG = 15.0
FPPA_OVER_BASELINE_DEG = 10.0
# A step more than this above the other leg's median FPPA [own ≈ SDD 7.5-8.9°, Munro 2012]:
# the runner's own other knee is the reference when no standing baseline was filmed.
FPPA_OVER_OTHER_LEG_DEG = 10.0
# A leg whose median is within this of the limit is "borderline" [own ≈ SEM 2.7-3.0°, Munro 2012].
FPPA_BORDERLINE_DEG = 3.0
# Views where a leg is called "ok" (stays in line) or "borderline" only if its 95% band
# stays below the limit + FPPA_BORDERLINE_DEG; otherwise it is "unjudged" [own: on the rendered FIT
# runners filmed from in front 10-15° off the line (benchmarks/gait_calibration.py fit8-
# fit10) the corrected FPPA still read a caving knee 5-7° low, near or under the
# borderline; from behind no caving knee of the FIT set read below 21°, docs/gait.md].
FPPA_OK_NEEDS_BAND_VIEWS = ("front",)
# Contralateral pelvic drop >8° [own; CPD linked to injury, Bramah 2018]. Not judged from
# pose landmarks: see UNMEASURED.
PELVIC_DROP_DEG = 8.0
# Crossover: the heel lands across the body midline (heel x vs mid-hip x) [Souza 2016 rule].
CROSSOVER_OFFSET = 0.0
# Overstride: the shin (knee->ankle) leaning >10° forward at contact [own; Souza judges
# overstride from tibia alignment; Lieberman 2015 (J Exp Biol 218:3406) ties the impact
# peak to the foot landing ahead of the knee], with the heel >0.15 leg lengths ahead of
# the hip [own]. The heel's distance alone is not the fault: every runner lands ahead of
# the hip, and real side-view runners judged fine by eye land 0.15-0.35 leg lengths
# ahead with the shin near vertical (s37's treadmill jogger: 0.15 and 0.20 by leg, shin
# -0.2° and 2.6°; docs/gait.md), where that rule alone flagged 27 of 38 steps.
OVERSTRIDE_RATIO = 0.15
TIBIA_DEG = 10.0
# Overstride advice needs it on at least half of one leg's steps (and MIN_STEPS_PER_LEG of
# them): a habit, not a stray step [own].
OVERSTRIDE_HABIT_SHARE = 0.5
# A step whose landing leg reads bent more than this at contact was not seen landing: a
# runner's knee is bent about 20° at initial contact and 40-45° at most during stance
# (Novacheck 1998, Gait Posture 7:77), so past 60° [own, that peak plus the pose model's
# error] the "landing" is the swinging leg (legs mixed up) or a landing missed. On 12 real
# side-view runners in the cache, 9 have no such step; s29's front-oblique treadmill runner
# read 7 of 20 steps at 69-100° (knee bent 80° at contact, shin 40° back), with the foot
# under the hip. Those steps' contact measures are not used.
KNEE_AT_CONTACT_MAX_DEG = 60.0
# A runner's two legs land evenly spaced in time: left-to-right and right-to-left step
# times differing by more than this share of a step mean one leg's landings were found
# early or late (a foot swinging toward or away from a camera at an angle moves on
# screen as a landing does), so nothing read at the landing is measured [own: on 9
# real-time real runners in the cache whose steps alternate the two medians differ by
# 2-20% (treadmill_side_male_shared 2%, a front-view road runner 5%, an oblique indoor
# track 20%); s29's front-oblique treadmill runner, read "side", 73% (0.21 s against
# 0.46 s at 180 steps/min, counted by eye as even 0.33 s steps), with a foot 0.41 leg
# lengths ahead and the knee bent 0-15° at its "landings": a swing leg reaching forward].
STEP_TIME_ASYM_MAX = 0.25
# Cadence <160 steps/min -> suggest +5-10% [160: own; +5/+10%: Heiderscheit 2011].
LOW_CADENCE_SPM = 160.0
# Average at least 7 steps per leg before judging it or comparing it with the other
# leg [Dingenen 2018].
MIN_STEPS_PER_LEG = 7
# Step-rate advice needs as many steps as a verdict on both legs (14, about 5 s of
# running) [own]: a few steps of a start, a stop or running on the spot are not a run.
MIN_STEPS_CADENCE_ADVICE = 2 * MIN_STEPS_PER_LEG
# Left-right FPPA difference worth mentioning [own ≈ SDD 7.5-8.9°, Munro 2012].
ASYMMETRY_DEG = 8.0
# From one side, a difference between the legs' knee bend at midstance at least this large
# is told as more likely the camera than the runner [own: on 11 real side-on runners with
# both legs measured (benchmarks/real_footage_clips.json) the two legs' medians differed by
# 1-27°, median 13°, with the nearer leg reading the larger bend on 7 of them and the far leg
# on 4: a single side view does not separate the legs to this degree].
KNEE_SIDE_GAP_DEG = 10.0
# What running usually looks like, a jog to a fast run: about 130-230 steps/min [own: below
# ~130 is walking pace for adults]. Below it the clip is asked about (slow motion?) and no
# running advice is given; the slow-motion factor suggested is the one that brings the
# cadence into this range.
RUNNING_CADENCE_SPM = (130.0, 230.0)
# Above a jog's range is a sprint, up to about 300 steps/min: high-level sprinters step at
# 4.43 ± 0.18 Hz (men) and 4.28 ± 0.17 Hz (women) at top speed, 257-266 steps/min, with no
# more than +3 SD (about 5.0 Hz) in either group [Debaere 2013, J Strength Cond Res 27:116].
# A sprint is analysed; only a cadence above this is asked about ("sped up?"): slow motion
# reads low, so a high reading is a time-lapse or steps counted twice, not a slowed clip.
SPRINT_CADENCE_MAX_SPM = 300.0

# ---- the rules ---------------------------------------------------------------------------

_VALGUS_CUE = "Your knee caves in as you land: keep it in line over your foot"
_VALGUS_LABEL = "Knee caves in (dynamic valgus)"
_OTHER_LEG = Cond("fppa_over_other_leg_deg", ">", FPPA_OVER_OTHER_LEG_DEG)

STEP_FAULTS: tuple[Fault, ...] = (
    Fault("knee_valgus", (Cond("fppa_deg", ">", FPPA_ABS_DEG), _OTHER_LEG), cue=_VALGUS_CUE, label=_VALGUS_LABEL,
          source="own: >15° absolute (≈ SDD 7.5-8.9°, Munro 2012, + estimator error), or >10° above the "
                 "other leg's median (needs 7 steps on it, Dingenen 2018)",
          views=FRONTAL),
    Fault("crossover", (Cond("heel_offset", "<", CROSSOVER_OFFSET),),
          cue="Your foot lands across your midline: land a little wider",
          label="Foot crosses the midline", source="heel crosses the midline (Souza 2016)", views=FRONTAL),
    Fault("overstride", (Cond("tibia_angle_deg", ">", TIBIA_DEG),),
          also=(Cond("overstride", ">", OVERSTRIDE_RATIO),),
          cue="Your foot lands far ahead of you: take shorter, quicker steps", label="Overstriding",
          source="own: shin >10° forward at contact with the heel >0.15 leg lengths ahead of the hip "
                 "(Souza judges overstride from tibia alignment; Lieberman 2015: impact rises with the "
                 "foot landing ahead of the knee; runners judged fine land ahead of the hip too)",
          views=SAGITTAL),
)

# With a standing baseline the knee is judged against it instead of the absolute limit.
BASELINE_FAULTS: dict[str, Fault] = {
    "knee_valgus": Fault("knee_valgus", (Cond("fppa_over_baseline_deg", ">", FPPA_OVER_BASELINE_DEG), _OTHER_LEG),
                         cue=_VALGUS_CUE, label=_VALGUS_LABEL + ", against the standing baseline",
                         source="own: >10° above the runner's standing FPPA (≈ SDD 7.5-8.9°, Munro 2012), or "
                                ">10° above the other leg's median",
                         views=FRONTAL),
}

CLIP_FAULTS: tuple[Fault, ...] = (
    Fault("low_cadence", (Cond("cadence_spm", "<", LOW_CADENCE_SPM),),
          cue="Your step rate is low: take 5-10% quicker, shorter steps", label="Low cadence",
          source="160 own; +5-10% step rate cut knee load (Heiderscheit 2011)", views=ANY_VIEW),
)

# Faults the clinical criteria name that pose landmarks cannot measure: code -> why.
UNMEASURED: dict[str, str] = {
    "pelvic_drop": ("pelvic drop could not be measured from this clip: the pose model's hip points are "
                    "joint centres that barely tilt with the pelvis (a true 8° drop reads about 1° on rendered "
                    f"runners), so a drop over the {PELVIC_DROP_DEG:.0f}° limit (Bramah 2018) can be neither "
                    "seen nor ruled out"),
}

METRIC_LABELS = {
    "fppa_deg": "knee valgus (FPPA), peak over the middle of the stance (°; + = knee in; corrected for the "
                "pose model's bias on video)",
    "fppa_raw_deg": "FPPA as the pose landmarks show it, before the bias correction (°)",
    "fppa_mid_deg": "FPPA at midstance (°)",
    "fppa_over_baseline_deg": "FPPA above your standing baseline (°)",
    "fppa_over_other_leg_deg": "FPPA above the other leg's median (°)",
    "heel_offset": "heel distance from the midline at contact (hip widths; below 0 = crossed over)",
    "step_width": "distance between the two feet's landing points (hip widths)",
    "overstride": "heel ahead of the hip at contact (leg lengths)",
    "tibia_angle_deg": "shin angle from vertical at contact (°; + = ankle ahead of knee)",
    "knee_flex_contact_deg": "knee bend at contact (°)",
    "knee_flex_mid_deg": "knee bend at midstance (°)",
    "landing_unseen": "1 where the landing was not seen: the knee read bent past 60° at contact, so nothing at contact was measured",
    "trunk_lean_deg": "forward trunk lean during stance (°)",
    "stance_s": "ground contact time (s, real time)",
    "cadence_spm": "steps per minute (real time)",
}


def rules_for(view: str | None, has_baseline: bool) -> tuple[Fault, ...]:
    """The per-step rules that apply in this view (baseline variants when known)."""
    out = []
    for f in STEP_FAULTS:
        if view not in (f.views or ANY_VIEW):
            continue
        out.append(BASELINE_FAULTS.get(f.code, f) if has_baseline else f)
    return tuple(out)


def judge(metrics: dict[str, float], rules: tuple[Fault, ...]) -> list[FaultHit]:
    """Faults of one step or clip: a rule fires on its first
    condition that holds, if its `also` conditions hold too; a missing or
    non-finite metric never fires."""
    out = []
    for f in rules:
        for c in f.when:
            v = metrics.get(c.metric, math.nan)
            if v is None or not math.isfinite(v):
                continue
            if c.holds(v):
                if f.confirmed(metrics):
                    out.append(FaultHit(f.code, f.cue, f.severity, round(float(v), 3), c.limit))
                break
    return out


def threshold_table() -> str:
    """Markdown table of every running rule (for docs/gait.md)."""
    rows = ["| code | scope | flagged when | views that can see it | source of the limit | cue |",
            "|---|---|---|---|---|---|"]
    entries = [(f, "step") for f in STEP_FAULTS]
    entries += [(f, "step, with a standing baseline") for f in BASELINE_FAULTS.values()]
    entries += [(f, "clip") for f in CLIP_FAULTS]
    for f, scope in entries:
        when = " or ".join(c.said() for c in f.when) + f.also_said()
        rows.append(f"| `{f.code}` | {scope} | {when} | {', '.join(f.views or ANY_VIEW)} | {f.source} | {f.cue} |")
    for code, why in UNMEASURED.items():
        rows.append(f"| `{code}` | not judged | never (listed in `unjudged`) | none | {why} | – |")
    return "\n".join(rows) + "\n"
