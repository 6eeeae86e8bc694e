"""Running gait from a pose track: steps, per-step knee and foot metrics, fault
rules, per-leg verdicts and a plain-language summary (clinical-criteria.md §1,
§2, §5; method and limits in docs/gait.md).

Pure numpy; no OpenCV, MediaPipe or Streamlit. `analyze_running` returns the
same report body as `analysis.analyze_track` (steps instead of reps) plus
"gait" (sanity status, summary numbers, per-leg verdicts, summary lines) and
"advice".

Modules: `signals` (small signal tools), `frames` (points by side, leg-label
repair), `steps` (step detection, standing baseline), `metrics` (per-step
metrics, cadence, FPPA bias correction), `rules` (thresholds and Fault/Cond
rules), `sanity` (is it running, at real speed?), `summary` (per-leg verdicts, summary lines, advice,
warnings), `analysis` (the whole).

Times: the track's timestamps are video time; real time = video time x
`GaitOptions.time_scale` (0.25 for 120 fps slow motion played at 30 fps).
Step times in the report (contact_s, midstance_s, toe_off_s) are video time,
so a player can seek to them; durations, rates and filters are in real time.
"""

from formcheck.gait.analysis import GaitOptions, analyze_running
from formcheck.gait.frames import relabel_legs
from formcheck.gait.metrics import FPPA_CALIBRATION, FppaCalibration
from formcheck.gait.rules import (
    ASYMMETRY_DEG,
    BASELINE_FAULTS,
    CLIP_FAULTS,
    FPPA_ABS_DEG,
    FPPA_OVER_BASELINE_DEG,
    LOW_CADENCE_SPM,
    MIN_STEPS_PER_LEG,
    OVERSTRIDE_RATIO,
    PELVIC_DROP_DEG,
    RUNNING_CADENCE_SPM,
    STEP_FAULTS,
    TIBIA_DEG,
    UNMEASURED,
)
from formcheck.gait.steps import Stance, detect_steps, standing_baseline
from formcheck.gait.summary import SLOW_MOTION_QUESTION

__all__ = [
    "GaitOptions", "Stance", "STEP_FAULTS", "BASELINE_FAULTS", "CLIP_FAULTS", "UNMEASURED", "analyze_running",
    "detect_steps", "standing_baseline", "relabel_legs", "FppaCalibration", "FPPA_CALIBRATION",
    "SLOW_MOTION_QUESTION", "FPPA_ABS_DEG", "FPPA_OVER_BASELINE_DEG", "PELVIC_DROP_DEG", "OVERSTRIDE_RATIO",
    "TIBIA_DEG", "LOW_CADENCE_SPM", "MIN_STEPS_PER_LEG", "ASYMMETRY_DEG", "RUNNING_CADENCE_SPM",
]
