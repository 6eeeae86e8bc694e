"""Which movement is this? An explainable recogniser over a pose track.

Pure functions over numpy arrays; no OpenCV, MediaPipe or Streamlit. Three
kinds of evidence, each a few numbers a person can check:

1. **Posture**: how the body lies relative to gravity. The model's metric 3D
   landmarks follow the camera's axes (x right, y down, z away), and a camera
   set up as the tips say stands level, so image-down is gravity. From them,
   per frame: the trunk's tilt from upright, whether the left-right line points
   up (side-lying), whether the chest faces the ceiling (lying on the back) or
   the floor (on all fours, in a plank), and whether knees and hands are under
   the hips and shoulders (on all fours).
2. **What moves and how**: each exercise's own driving signal
   (`analysis.drive_signal`) run through its own rep or hold engine, so a
   clamshell is "the clamshell's knee opening repeats"; and for running, the
   two ankles alternating up and down at a running cadence, or, at any playback
   speed, the hips lowest at midstance while the legs take turns.
3. **Shape checks** that tell look-alikes apart: the working knee stays bent at
   the top of a donkey kick (straight in a bird dog, which also reaches one arm
   forward while a kick or a hydrant keeps both hands down) and of a clamshell, whose
   feet stay together (a side-lying leg raise lifts a straight leg); a kick
   turns the shank up at the top where a hydrant keeps it level, and each lift
   is read from its own view (filmed end-on, a hydrant carries the knee out
   sideways on screen, a kick lifts it into the depth), and only where the body
   reads on all fours through it (head-on, the model loses the posture); a kick or
   a hydrant lifts and lowers along one line (leg circles loop); a runner's
   stance knee bends (butt kicks in place stand on a straight leg), the
   swing thigh stays below horizontal (high knees: read in 3D over the strides
   and on screen at each step's peak, whichever way the camera looks) and the
   heel stays off the buttock (butt kicks); a straight
   leg raise keeps one knee straight throughout (a bridge lifts the hips on two
   bent knees) and the hips on the floor (a single-leg bridge lifts them under
   a straight leg held up), a squat bends both knees together, a lunge keeps the hips
   a thigh's length over the floor (a pigeon pose rests them on it) and steps one
   foot ahead (a side lunge steps out sideways), a hamstring stretch folds the hips
   (lying on the back it raises one leg: two legs raised together keep the knees
   side by side).

The numbers are computed in `formcheck.recognise_evidence`; this module weighs
them. Each movement's score is the product of soft memberships (`_ramp`) of those
numbers, every one of them named in `Recognition.evidence`. Scores become
shares with a "none of these" score that rises when no movement fits well.
Recognition works on a whole clip and on the first seconds of a live stream:
it only needs one rep, or a few seconds of a held stretch or of running. A
person seen for under SEEN_MIN_S gets no confident answer, and a note says so.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from formcheck.exercises import MOVEMENTS
from formcheck.landmarks import PoseTrack
from formcheck.recognise_evidence import RECOGNISE_HOLD_S, clip_features, posture_features, side_lying_on_screen
from formcheck.report import recognised_text
from formcheck.wording import a_movement

__all__ = ["Recognition", "a_movement", "recognise", "posture_features", "side_lying_on_screen", "clip_features", "movement_scores",
           "mismatch", "doubt", "shows_body_of", "seated_hip_angle", "body_position_missed", "hands_planted", "CONFIDENT", "NONE_LABEL", "movement_title"]

NONE_LABEL = "none of these"
# A recognition at or above this share is acted on: the clip is analysed as the
# recognised movement (auto), or a chosen movement that disagrees is not graded.
# Below it the app asks the user to choose [own default; docs/accuracy.md,
# "Recognition", gives the margin on renders].
CONFIDENT = 0.7
# How strongly "none of these" competes: its score is NONE_PRIOR x (1 - best fit).
# With a best fit of 0.5 the clip is still recognised (shares 0.5 vs 0.25) [own].
NONE_PRIOR = 0.5
MIN_SCORE = 0.02  # floor of a membership, so one bad number lowers a score but does not zero it [own]


def movement_title(name: str | None) -> str:
    """'fire_hydrant' -> 'fire hydrant'; None -> 'none of these'."""
    return NONE_LABEL if name is None else name.replace("_", " ")


@dataclass(frozen=True)
class Recognition:
    """movement: the best fit, or None for none of the 8; confidence: its share
    (0..1); alternatives: the other candidates with their shares, best first
    (None for "none of these"); evidence: the clip numbers the scores came from;
    scores: each movement's fit before normalising (0..1); note: set when the
    person was not seen well enough to tell (no answer is then confident)."""

    movement: str | None
    confidence: float
    alternatives: list[tuple[str | None, float]]
    evidence: dict[str, float] = field(default_factory=dict)
    scores: dict[str, float] = field(default_factory=dict)
    note: str | None = None

    @property
    def confident(self) -> bool:
        return self.confidence >= CONFIDENT

    def share(self, movement: str | None) -> float:
        if movement == self.movement:
            return self.confidence
        return dict(self.alternatives).get(movement, 0.0)

    def to_report(self) -> dict:
        """The report's "recognised" block (docs/report.md)."""
        out = {"movement": self.movement, "confidence": round(self.confidence, 3),
               "alternatives": [[m, round(p, 3)] for m, p in self.alternatives if p >= 0.005][:4]}
        if self.note:
            out["note"] = self.note
        return out

    def label(self) -> str:
        """'clamshell, 97%' or 'none of these, 88%' (and the note, if any)."""
        return recognised_text({"movement": self.movement, "confidence": self.confidence, "note": self.note})


def _ramp(x: float, lo: float, hi: float) -> float:
    """Soft membership: MIN_SCORE at or below lo, 1 at or above hi (lo > hi flips
    it: 1 at or below hi). NaN counts as no evidence (MIN_SCORE)."""
    if x is None or not math.isfinite(x):
        return MIN_SCORE
    if lo > hi:
        return _ramp(-x, -lo, -hi)
    f = (x - lo) / (hi - lo)
    return float(min(1.0, max(MIN_SCORE, f)))


def _ramp_seen(x: float, lo: float, hi: float) -> float:
    """_ramp where the number was measured; 1 (no evidence against) where it was not."""
    return _ramp(x, lo, hi) if x is not None and math.isfinite(x) else 1.0


# ---- scores --------------------------------------------------------------------------

# Hips over the floor in a lunge (kneeling: about 1.3 thigh lengths over the back
# knee; a lizard, hands down: 1.1; standing: 1.8) and in a pigeon pose (0.3-0.6):
# measured on the real clips in docs/accuracy.md "Recognition" [own].
LUNGE_HIPS_LOW, LUNGE_HIPS_UP = 0.7, 0.95
# ... unless the front shin stands upright over its foot, the lunge's own shape
# (clinical-criteria.md 3.6: knee over ankle): pressing the hips forward and down,
# as the running lunge's hips_high cue asks, slants the back thigh, and at 45°
# from vertical the hips are cos 45° = 0.71 thigh lengths over the back knee (a
# real low lunge held 23 s with the arms moving overhead read 0.71-0.78). A pigeon
# pose folds the front shin across the body, flat on the floor: the front shin
# from vertical (running_lunge.hold_shin_forward) reads 78-97° on the real pigeons
# and knee-to-chest holds, -3-30° on the real lunges. With the shin upright the
# hips may come down to LUNGE_HIPS_PRESSED; a real pigeon whose shin read upright
# over the whole clip (19°) sat at 0.55, the other pigeons at 0.36-0.64 [own:
# thresholds between those readings; the arms play no part in a lunge].
LUNGE_HIPS_PRESSED = 0.6
LUNGE_SHIN_UPRIGHT, LUNGE_SHIN_ACROSS = 45.0, 60.0
# A lunge's back leg reaches back from the hips: the angle shoulder-hip-back knee
# (running_lunge.hold_back_hip_angle, 180 with the back leg in line with the trunk)
# read 174-233° on the 8 real held lunges recognised or labelled (a lizard, hands
# down and hips piked, 124°), 85-135° on real squats; sitting on a chair with both
# thighs forward reads about 90° (s30: a seated knee extension read 96° and was
# taken for a running lunge at 99%). A lunge with its hips high (the hips_high
# fault, under 160°) is still a lunge, so the ramp sits below it [own].
LUNGE_BACK_HIP_SEATED, LUNGE_BACK_HIP_OPEN = 100.0, 125.0
# A hamstring stretch folds the hips: the median trunk-to-thigh angle over the
# stretch is 30-62° on the real standing and seated folds, 110° on the kit's
# standing hinge, 90° lying with the leg raised; sitting up in a pigeon pose
# leaves it at 126° (the position check itself only asks for under 140°). The
# margin to the pigeon is small and was set looking at it [own].
HS_FOLDED, HS_NOT_FOLDED = 115.0, 125.0
# Lying on the back, a hamstring stretch raises one leg (the other rests on the
# floor, or bends, or stays lower up a wall); both straight legs raised alike is
# a double-leg raise, an abdominal exercise (a real one read hold_legs_alike 1.0
# over its in-position frames, lying on the back in 0.94 of them; the real
# supine stretches 0.0). Seated and standing folds keep both legs alike, so this
# applies only to a body lying on its back [own thresholds: the posture
# memberships' own ends].
HS_LYING_ONE, HS_LYING_BOTH = 0.2, 0.5
# The same, where the model mixes up which leg is which (it read one leg of a
# real lying two-leg raise bent and apart at the ankle, legs_alike 0): both legs
# raised together keep the knees side by side. The knees' gap on screen over the
# in-position frames (recognise_evidence.knee_gap_on_screen, leg lengths): real
# double-leg and two-leg raises 0.02-0.15; the real supine hamstring stretches
# 0.42 (the other knee bent, foot down, beside a leg up a wall) and 0.98 (the
# other leg on the floor) [own thresholds between the two].
HS_KNEES_TOGETHER, HS_KNEES_APART = 0.2, 0.3
# A running lunge is held: still for 5 s, with nothing under 4 s counted (the
# static lunge's dips, done as reps, were still for 3.9 s at most with the hold
# engine's 1 s median stillness; the held real lunges 5.6-16 s, the kit's 7.5 s
# within a stream's first 10 s) [own].
LUNGE_HELD_S = 5.0
LUNGE_STILL_MIN_S = 4.0
# A knee path that loops (recognise_evidence.knee_loop): lifts and lowers read
# 0.00-0.06 (kit tracks over 3 bodies x 3 views, the renders, a real donkey kick
# and bird dog), real hydrant circles 0.19 [own].
LOOP_LINE, LOOP_CIRCLE = 0.09, 0.14
# A hamstring stretch reaches the hands toward the feet, or leaves them on the
# hips or a thigh; a downward dog (or a plank) has them on the floor a body's
# length away. Across the floor from the mid-wrist to the nearer ankle, in leg
# lengths: kit folds 0.06-0.22, real folds 0.09-0.95, a real downward dog 1.47 [own].
HANDS_REACH, HANDS_AWAY = 1.1, 1.3
# The stance knee's flexion in running strides (median over the stride frames):
# running stance flexes the knee to 40-45° at midstance (Novacheck 1998), and the
# real runs read 19-32° over their stride frames; butt kicks in place stand on a
# straight leg and read 12° [own thresholds between the two].
STANCE_FLEX_STRAIGHT, STANCE_FLEX_RUN = 13.0, 17.0
# The swing thigh's height in running strides (recognise_evidence: hip flexion,
# 90th percentile over the stride frames): running swings it to 45-65°
# (Novacheck 1998) and the real runs read 25-76° (82° on a slow-motion
# treadmill runner's first 10 s), the kit's 74-77°; high knees lift it to
# horizontal and read 100-124° on real clips, a high-knee drill over mini hurdles
# 88° [own thresholds between the two, a narrow margin; 84-92° until that drill].
THIGH_RUN, THIGH_HIGH_KNEES = 82.0, 88.0
# Running strides (recognise_evidence: one knee bent past the swing fold, the
# other near straight) in under STRIDES_NONE of the frames are no evidence of
# running, and in STRIDES_PLAIN or more are plain [own]. Under STRIDES_NONE the
# few stride frames are no evidence against it either: a runner filmed from in
# front (real, s31: 2% stride frames, the depth of the thigh barely resolved)
# read a swing thigh of 92° over them, a high-knee drill's, while its thigh on
# screen (thigh_peak) came up 30°, a runner's.
STRIDES_NONE, STRIDES_PLAIN = 0.04, 0.1
# The same drill read on screen, whichever way the camera looks at the runner
# (recognise_evidence.thigh_peaks: how far the thigh comes up from hanging on each
# step, the median over the steps' peaks, °): the hip-flexion number above needs
# strides the model's depth resolves, and a front-oblique high-knees clip showed
# none. Running swings the thigh 45-65° forward (Novacheck 1998): the real runs
# read 26-71° (71 on a side-on treadmill runner's first 10 s; front, back, side,
# slow motion, treadmill, track and road), the kit's 61-74°, the running sample
# 60°; high knees drive the thigh to level or past it: real high knees 92-122°
# (front, front-oblique, side), a standing knee lift 109°. A high-knee drill over
# mini hurdles reads 63-79° [own thresholds between the two].
THIGH_PEAK_RUN, THIGH_PEAK_HIGH_KNEES = 78.0, 86.0
# The swing knee's fold (knee_flex_p90, the more bent knee's 90th percentile over
# the clip): running swing folds it to 90-130° (Novacheck 1998), and the real
# runs read 57-128°, the kit's 123-131°; butt kicks bring the heel to the
# buttock, the knee folded as far as it goes: 148° on a real drill [own
# thresholds between the two].
SWING_FOLD_RUN, SWING_FOLD_BUTT_KICK = 136.0, 144.0
# A straight leg raise keeps the working knee straight through the whole set
# (clinical-criteria.md 3.4 flags an extension lag over 10°), so one knee
# or the other is near straight in nearly every frame: the less bent knee's 90th
# percentile reads 3-8° on the kit, 12-38° on the real raises. A glute bridge
# (and a single-leg bridge between its lifts, a ball squeeze, a hip thrust)
# keeps both knees bent about 90° on the floor: 119-127° on the real bridges
# read from the pose model [own thresholds between the two].
SLR_ONE_STRAIGHT, SLR_BOTH_BENT = 75.0, 100.0
# A straight leg raise lifts one leg from the floor while the other stays down
# (clinical-criteria.md 3.4: lying on the back, the other knee bent, its foot
# flat). Leg scissors and double-leg raises hold both legs up: each "lift" starts
# from a leg already raised and the lower leg stays up. The drive's median rest
# level at the start of the reps (°, straight_leg_raise.rest): real raises
# 4.8-9.9, real leg scissors 68.5; the lower leg's elevation at the tops
# (top_low_leg_raise, °): real raises 4.8-10, real scissors 36 [own thresholds
# between the two].
SLR_REST_FLOOR, SLR_REST_UP = 30.0, 45.0
SLR_LOW_DOWN, SLR_LOW_UP = 25.0, 40.0
# Flutter kicks flick both straight legs a little off the floor in turn, each up
# and down in about a second; a straight leg raise lifts to thigh level (35-50°
# hip flexion, clinical-criteria.md 3.4) and lowers slowly. Only a raise both
# small and quick counts against, so a weak lift done slowly is still a raise:
# the best side's median rep range (°) and duration (s, start to end, read on the
# recogniser's smoothed drive). Real flutter kicks: 12.9-15.4° and 1.4-1.5 s;
# real raises 46-92° (1.3-7.0 s) [own thresholds].
SLR_KICK_RANGE, SLR_RAISE_RANGE = 18.0, 25.0
SLR_KICK_S, SLR_RAISE_S = 2.0, 2.5
# A running lunge steps one foot ahead (the sagittal plane); a side lunge steps
# out sideways (the frontal plane), feet apart along the hip line. Median |cos|
# between the feet's line and the hips' line while in position
# (recognise_evidence.step_across): real running lunges 0.50-0.75 (the model's
# depth blurs a split stance seen from the side), a real side lunge 0.97,
# squat stances 0.97-1.0 [own thresholds between the two].
STEP_SPLIT, STEP_SIDEWAYS = 0.85, 0.95
# On all fours both hands stay down through a donkey kick or a fire hydrant (the
# higher hand's drop below the shoulders, 10th percentile over the tipped-forward
# frames: 0.90-0.98 on the kit, the samples and the real kicks and hydrants); a
# bird dog reaches one arm forward to shoulder height (real bird dogs -0.5-0.43,
# a bird-dog row 0.32) [own thresholds between the two]. Read over the
# movement's own reps where they were read (recognise_evidence: reps_hand_drop),
# since a bird dog reaches with each lift: a real dumbbell kicker raised a hand
# to -0.68 placing the weight behind his knee in his first 10 s, and kept both
# down through his kicks (0.89); the real kicks and hydrants read 0.67-0.97
# over their reps. One real bird dog (nm_bird_dog_phone_polybag) read both hands
# down over the spans the kick's drive took for reps (0.75; 0.51 over its clip):
# its other checks still refuse it (every fit under 0.01).
HAND_RAISED, HANDS_DOWN = 0.5, 0.75
# A donkey kick or a fire hydrant starts each lift from the thigh hanging under
# the hip (the drive near 0°): the real kicks, the samples and the machine
# kickback start at -32 to +21° (the drive's median rest level over the reps).
# Crawl-position step throughs swing the thigh from under the chest, knee by
# the hands (-89°), to behind the body: the same back-and-up travel, from a
# rest no kick starts from [own thresholds, between the two].
REST_FORWARD, REST_UNDER = -60.0, -45.0
# Which way the lift turns the shank on all fours (recognise_evidence.
# shank_elevation, median at the tops of the reps, ° above level): a donkey
# kick turns the sole to the ceiling (clinical-criteria.md 3.2), a fire hydrant
# turns the thigh out about the body's long axis and the shank stays level
# (§3.3). Real donkey kicks read 59-77°, the sample's 58°, the kit's 76-78°;
# real fire hydrants 14-30°, the sample's -25°, the kit's -10 to 9° (real
# hydrant circles 36°) [own thresholds between the two]. A shank turned up past
# vertical counts on (shank_elevation): a front-oblique kicker whose knee the
# model folds to 50° reads 150-162° at the tops, 24° by elevation alone; with it
# the real kicks read 63-95° (a dumbbell kick 43°), the hydrants, circles and
# bird dogs as before (session 30).
SHANK_LEVEL, SHANK_UP = 35.0, 50.0
# The thigh's travel on screen (recognise_evidence.thigh_swing) tells a kick's
# back from a hydrant's out only where the other axis is nearly end-on: both
# are horizontal, so on screen both move the knee sideways. Trusted from the
# used axis's in-plane share SWING_SQUARE up, not at all under SWING_OBLIQUE:
# the real side-view kicks read 0.99-1.0 and the kit's oblique views 0.95,
# where the travel told them apart; two real front-oblique fire hydrants read
# 0.85, their thigh's outward travel read as 0.45-0.62 thigh lengths back [own].
SWING_OBLIQUE, SWING_SQUARE = 0.88, 0.94
# Filmed end-on (from behind or the head end), the knee's sideways travel on
# screen (recognise_evidence.knee_out_on_screen, hip widths, 95th percentile
# over the median) tells a hydrant's out from a kick's back, where the model's
# 3D places the lifted knee poorly: the kit's end-on hydrants read 1.24-1.32,
# its end-on donkey kicks and bird dogs 0.17-0.24, a real banded fire hydrant
# from behind 0.54 (its 3D out travel 0.08: the model drops the lifted knee
# back beside the hip at the tops) [own thresholds between the two]. End-on:
# the hip line over the trunk on screen, the kit's end-on views 0.96-1.23, the
# real one 0.77; side and oblique views 0.06-0.3 [own].
KNEE_OUT_BACK, KNEE_OUT_SIDE = 0.3, 0.45
HIPS_ACROSS_SIDE, HIPS_ACROSS_END = 0.45, 0.6
# A clamshell lies on one side: the real clamshells, the sample and the kit's
# read 0.0 of their frames lying on the back, where supine bridges and kick-outs
# filmed at an angle read side-lying on screen in 0.34-0.80 and on the back in
# 0.73-0.89 [own thresholds between the two].
SIDE_SUPINE_OK, SIDE_NOT_SUPINE = 0.2, 0.5
# A clamshell bends both knees (clinical-criteria.md 3.1: knees about 90±20°):
# the straighter knee's flexion at the tops of the reps (top_knees_bent) reads
# 55-89° on the real clamshells. A side-lying leg lift keeps the lifted leg
# straight, whether the top leg (abduction) or the bottom one (adduction, the top
# foot on the floor in front): 12-14° on the real ones [own thresholds between].
CLAM_KNEES_STRAIGHT, CLAM_KNEES_BENT = 25.0, 40.0
# And a clamshell lies with the lower hip on the floor; a side plank (on a
# forearm or a hand, legs straight or the lower knee down) lifts it: the lower
# hip over the lowest knee or foot on screen at the tops of the reps
# (recognise_evidence.hips_up_on_screen), in torso lengths: real clamshells
# 0.00-0.19 filmed with a level camera, the kit's 0.00-0.14; a real clamshell
# propped on a forearm and filmed hand-held, the camera rolled about 15° with
# the feet nearer to it, 0.45; a real side plank with side crunches 0.36. The
# screen cannot tell those two apart, so only a hip well off the floor counts
# here [own: over the propped clamshell]; the side plank with crunches is told
# by its feet (CLAM_FEET_*).
CLAM_HIPS_DOWN, CLAM_HIPS_UP = 0.5, 0.6
# A clamshell keeps the feet together (clinical-criteria.md 3.1): the ankles'
# gap at the tops of the reps (clamshell.feet_gap, shank lengths) reads
# 0.15-0.36 on the real clamshells (the kit's 0.02-0.05); a side-lying straight
# leg raise parts them by about 2, a real side plank with side crunches (the top
# knee driven to the chest) by 0.93 [own thresholds between the two].
CLAM_FEET_TOGETHER, CLAM_FEET_APART = 0.6, 0.8
# A straight leg raise keeps the hips on the floor; a bridge (on two feet or
# one, the other leg held up) lifts them over the shoulders: the hips' height
# over the shoulders along gravity (recognise_evidence.hip_lift, 90th percentile
# over the frames lying face up, thigh lengths) reads -0.27-0.18 on the real
# straight leg raises, 0.42-0.47 on real glute bridges, 0.49-0.69 on real
# single-leg bridges [own thresholds between the two].
SLR_HIPS_DOWN, SLR_HIPS_UP = 0.25, 0.4
# A straight leg raise is active: the hip's own muscles lift the straight leg
# (clinical-criteria.md 3.4), the arms rest on the floor. A leg hug, a knee to
# chest or a hamstring stretch lying down pulls the leg with the hands, which
# then rise off the floor with it. The higher wrist's height over the shoulders
# lying face up (recognise_evidence: face_up_hand_drop_p10, arm lengths, negative
# above them): the real straight leg raises -0.21-0.07; real dynamic leg hugs
# -0.66, knee hugs and a knee to chest -0.69 and -0.76, a supine hamstring
# stretch holding the leg -0.82 [own thresholds between the two; hands resting
# on the belly sit about a third of an arm up].
SLR_HANDS_DOWN, SLR_HANDS_HOLD = -0.4, -0.55
# Steps at a running cadence move the ankles and knees apart and together by
# 0.05-0.12 leg lengths at least (the cadence's own memberships, movement_scores);
# under 0.03 the band holds only the landmarks' jitter [own: the cadence's
# lower end, and 0.02 under it].
STEP_AMP_STEPS, STEP_AMP_JITTER = 0.05, 0.03
# Running strides seen per second that convince on a clip too short for 4 turns
# (see movement_scores, "Running") [own].
STRIDE_RATE_LOW, STRIDE_RATE_UP = 0.3, 0.6
# A runner filmed from the front or from behind (recognise_evidence.hip_bounce):
# the model's depth flattens the knees there (a runner seen from behind read 20°
# of knee flexion at most), so the strides above go unseen; the body's bounce at
# the step rate still shows. Share of the hips' image height power in the
# running band: real front and back runs 0.54-0.86, real walkers 0.05-0.22,
# people standing 0.13-0.14 [own thresholds between the two]; its range 0.05-0.17
# leg lengths on those runs (a flight phase lifts the hips 5-10 cm, Novacheck
# 1998). Shoulders across the image (view_across): side views 0.04-0.3, front
# and back views 0.45-0.9 [own].
# Seen well enough to tell: the person found with hips and knees inside the
# frame for 2 s in all (recognise_evidence.seen_seconds). One rep of any of the
# eight takes 1.5-4 s, a hold needs 3 s still, four running steps take about
# 1.5 s; under that the recogniser cannot rule a movement in or out, so no answer
# is confident: a movement's fit is capped at SEEN_BRIEF_FIT (a share of 0.67 at
# most against "none of these") and "none of these" at a share of
# SEEN_BRIEF_NONE, with a note that the clip was not seen well enough [own].
SEEN_MIN_S = 2.0
# A clip held still in position from start to end (recognise_evidence.held_share,
# the longest hold over the clip's length): the real 2.8-2.9 s loops of a held
# kneeling lunge and hamstring stretch are held over all of it; the hold engine's
# warm-up (its 1 s median and 0.5 s speed) re-timed to the still frames leaves
# some of the ends out [own: a tenth of the clip, HELD_WHOLE_SHARE; none under
# HELD_WHOLE_PART].
HELD_WHOLE_PART, HELD_WHOLE_SHARE = 0.8, 0.9
HELD_WHOLE_UNTIL_S = 4.0  # RECOGNISE_HOLD_S and the hold engine's 1 s median [own]
SEEN_BRIEF_FIT = 0.5
SEEN_BRIEF_NONE = 0.5
# The hips low at midstance while the legs take turns (recognise_evidence.
# stride_phase), at any playback speed: real runs 0.40-0.78 (seven of twelve
# runners; the others read 0.1-0.3 or negative and are seen by their strides or
# bounce), real walkers, skipping, butt kicks and high knees -0.2-0.10 [own
# thresholds between the two]. Three turns of the legs at least. On its own it
# makes a fit of PHASE_FIT, no more than strides without a running cadence.
PHASE_LOW, PHASE_UP = 0.2, 0.35
PHASE_TURNS_LOW, PHASE_TURNS_UP = 2.0, 3.0
PHASE_FIT = 0.7
# The other way round, seen side-on: a walker vaults over a straight stance leg,
# the body highest at midstance (an inverted pendulum; a runner's is lowest
# there and bounces off it: Novacheck 1998, Cavagna 1977), so a clearly negative
# stride_phase correlation is walking. Side views only (view_across under
# ACROSS_SIDE, fully; none from ACROSS_FRONT), where the model reads the knees
# and the hip height well, over PHASE_TURNS_UP turns of the legs at least: real
# side-view runs read -0.05 to 0.50 over the whole clip and their first 10 s;
# a real brisk walker filmed side-on from a travelling camera -0.22 (-0.35 in its
# first 10 s; s31: read running at 74% from its strides alone). Front and back
# views read runners as low as -0.21 and are left out [own thresholds, between].
WALK_PHASE, WALK_PHASE_UP = -0.2, -0.1
BOUNCE_LOW, BOUNCE_UP = 0.3, 0.5
BOUNCE_AMP_LOW, BOUNCE_AMP_UP = 0.03, 0.06
ACROSS_SIDE, ACROSS_FRONT = 0.4, 0.55
# A runner filmed from in front folds the swing knee where the model sees it: the
# real front-view runs read knee_flex_p90 58-111° (jogging on the spot 69°), as
# running's swing fold of 90-130° (Novacheck 1998) would have it; from behind the
# model reads the same knees nearly straight (20-49° on the real back-view runs),
# so the fold is asked for only of a body facing the camera (views.frame_views
# "front" on FACING_UP of the frames or more; none asked under FACING_LOW). A
# jump-rope skip, feet alternating under a bouncing body, bends the knees 30°
# (real, s21: read running at 99% without this) [own thresholds, between].
FACING_LOW, FACING_UP = 0.5, 0.8
FRONT_FOLD_HOP, FRONT_FOLD_RUN = 40.0, 52.0


def _clam_knees(e: dict[str, float]) -> float:
    """A clamshell's knees are bent at the tops: both of them (the straighter
    knee's flexion, CLAM_KNEES_BENT) where measured, else the top leg's knee
    angle (155° straight-ish to 135° bent). The top knee alone read 152° on a real
    clamshell whose straighter knee was flexed 55°: the top knee, pointing at the
    camera, is the one the model straightens, and both knees bent says the same
    thing with the lower knee's help."""
    both = e.get("clamshell.top_knees_bent", math.nan)
    if both is not None and math.isfinite(both):
        return _ramp(both, CLAM_KNEES_STRAIGHT, CLAM_KNEES_BENT)
    return _ramp_seen(e.get("clamshell.top_knee_angle", math.nan), 155.0, 135.0)


def _lunge_hips(e: dict[str, float]) -> float:
    """A lunge's hips stay a thigh's length over the floor (LUNGE_HIPS_*), or down to
    LUNGE_HIPS_PRESSED where the front shin stands upright (LUNGE_SHIN_*): pressed
    forward and down over a planted front foot, not resting on a folded shin."""
    hips = e.get("running_lunge.hold_hip_height", math.nan)
    shin = abs(e.get("running_lunge.hold_shin_forward", math.nan))
    if LUNGE_HIPS_LOW <= LUNGE_HIPS_PRESSED:  # (benchmarks/recognition.py's split check varies LUNGE_HIPS_LOW)
        return _ramp(hips, LUNGE_HIPS_LOW, LUNGE_HIPS_UP)
    pressed = _ramp(hips, LUNGE_HIPS_PRESSED, LUNGE_HIPS_LOW) * _ramp(shin, LUNGE_SHIN_ACROSS, LUNGE_SHIN_UPRIGHT)
    return max(_ramp(hips, LUNGE_HIPS_LOW, LUNGE_HIPS_UP), pressed)


def _slr_other_leg_down(e: dict[str, float]) -> float:
    """A straight leg raise's lifts start from the floor and the other leg stays
    down (SLR_REST_FLOOR, SLR_LOW_DOWN); unmeasured counts as no evidence against."""
    return (_ramp_seen(e.get("straight_leg_raise.rest", math.nan), SLR_REST_UP, SLR_REST_FLOOR)
            * _ramp_seen(e.get("straight_leg_raise.top_low_leg_raise", math.nan), SLR_LOW_UP, SLR_LOW_DOWN))


def _slr_not_kicks(e: dict[str, float]) -> float:
    """1 unless the reps are both small and quick (flutter kicks: SLR_KICK_RANGE,
    SLR_KICK_S); unmeasured counts as no evidence against."""
    return max(_ramp_seen(e.get("straight_leg_raise.range", math.nan), SLR_KICK_RANGE, SLR_RAISE_RANGE),
               _ramp_seen(e.get("straight_leg_raise.rep_s", math.nan), SLR_KICK_S, SLR_RAISE_S))


def _swing_read(e: dict[str, float], name: str) -> tuple[float, float, float, float]:
    """(back travel, out travel, share of lifts read along the back axis, in-plane
    share) for the movement's own reps, each rep read from its own frames
    (recognise_evidence.rep_swings); where no rep was read, the clip's one swing
    (`thigh_swing` over every frame on all fours), its share 1 or 0 by the axis used."""
    share = e.get(f"{name}.swing_back_share", math.nan)
    if share is not None and math.isfinite(share):
        return (e.get(f"{name}.swing_back", math.nan), e.get(f"{name}.swing_out", math.nan), share,
                e.get(f"{name}.swing_in_plane", math.nan))
    back, out = e.get("swing.back_travel", math.nan), e.get("swing.out_travel", math.nan)
    share = 1.0 if math.isfinite(back) else 0.0 if math.isfinite(out) else math.nan
    return back, out, share, e.get("swing.axis_in_plane", math.nan)


def _lift_way(e: dict[str, float], swing_needed: bool) -> tuple[float, float]:
    """(donkey kick, fire hydrant) memberships for which way the lift goes on all
    fours: the thigh's travel on screen (back or out, `thigh_swing`, read rep by
    rep over each movement's own reps, `_swing_read`), trusted as far as the view
    shows one axis alone (SWING_OBLIQUE..SWING_SQUARE), and, at each movement's
    own tops, the shank turned up or kept level (SHANK_LEVEL, SHANK_UP). Filmed
    end-on (HIPS_ACROSS_*), a knee carried out sideways on screen
    (KNEE_OUT_*) is a fire hydrant's too. An unmeasured shank counts as no
    evidence against; an unmeasured swing too unless swing_needed (the scores
    need a swing; shape checks do not)."""
    other = _ramp if swing_needed else _ramp_seen

    def way(name: str, back_lo: float, back_hi: float, out_lo: float, out_hi: float) -> float:
        back, out, share, plane = _swing_read(e, name)
        if not math.isfinite(share):
            return other(math.nan, 0.0, 1.0)
        along = ((share * _ramp(back, back_lo, back_hi) if share > 0 else 0.0)
                 + ((1.0 - share) * _ramp(out, out_lo, out_hi) if share < 1 else 0.0))
        trust = min(1.0, max(0.0, (plane - SWING_OBLIQUE) / (SWING_SQUARE - SWING_OBLIQUE))) if math.isfinite(plane) else 1.0
        return trust * along + 1.0 - trust

    kick_way = way("donkey_kick", 0.2, 0.4, 0.35, 0.15)
    hyd_way = way("fire_hydrant", 0.4, 0.2, 0.15, 0.35)
    end_on = _ramp(e.get("fours_hips_across", math.nan), HIPS_ACROSS_SIDE, HIPS_ACROSS_END)
    hyd_way = max(hyd_way, end_on * _ramp(e.get("fours_knee_out", math.nan), KNEE_OUT_BACK, KNEE_OUT_SIDE))
    return (kick_way * _ramp_seen(e.get("donkey_kick.top_shank_elevation", math.nan), SHANK_LEVEL, SHANK_UP),
            hyd_way * _ramp_seen(e.get("fire_hydrant.top_shank_elevation", math.nan), SHANK_UP, SHANK_LEVEL))


def _hands_down(e: dict[str, float], name: str) -> float:
    """Both hands down on all fours (HAND_RAISED, HANDS_DOWN), from the higher hand's
    drop below the shoulders over the movement's own reps where they were read
    (`name`.reps_hand_drop), else over the clip (fours_hand_drop_p10); unmeasured
    counts as no evidence against."""
    reps = e.get(f"{name}.reps_hand_drop", math.nan)
    drop = reps if math.isfinite(reps) else e.get("fours_hand_drop_p10", math.nan)
    return _ramp_seen(drop, HAND_RAISED, HANDS_DOWN)


def _slr_hands_down(e: dict[str, float]) -> float:
    """A straight leg raise lifts the leg with the hip's own muscles, the hands
    left on the floor (SLR_HANDS_DOWN); unmeasured counts as no evidence against."""
    return _ramp_seen(e.get("face_up_hand_drop_p10", math.nan), SLR_HANDS_HOLD, SLR_HANDS_DOWN)


def _slr_hips_down(e: dict[str, float]) -> float:
    """A straight leg raise keeps the hips on the floor (SLR_HIPS_DOWN): a bridge
    lifts them; unmeasured counts as no evidence against."""
    return _ramp_seen(e.get("face_up_hip_lift_p90", math.nan), SLR_HIPS_UP, SLR_HIPS_DOWN)


def _slr_knee_straight(e: dict[str, float], seen_only: bool = False) -> float:
    """A straight leg raise keeps one knee straight (SLR_ONE_STRAIGHT, SLR_BOTH_BENT):
    throughout the clip, or through its reps (the straighter knee's flexion over
    each rep's own frames, the median over the reps: straight_leg_raise.reps_knees_bent).
    Setting up on two bent knees, a cut to the presenter standing or lowering both
    legs at the end happen between the reps, not in them; a bridge keeps both knees
    bent through its lifts as well. seen_only: unmeasured counts as no evidence
    against (the shape checks), else as none for."""
    clip, reps = e.get("knee_flex_both_p90", math.nan), e.get("straight_leg_raise.reps_knees_bent", math.nan)
    both = float(np.fmin(clip, reps))  # the straighter reading; either alone where the other is unmeasured
    return (_ramp_seen if seen_only else _ramp)(both, SLR_BOTH_BENT, SLR_ONE_STRAIGHT)


def _held_whole_clip(e: dict[str, float], name: str) -> float:
    """A clip that is one hold from start to end (HELD_WHOLE_SHARE of it still in
    position, recognise_evidence.held_share) shows a hold for as long as it lasts:
    a looping GIF of a held stretch is shorter than the 3 s (or a lunge's 5 s) a
    hold needs within a longer clip. Only for a clip too short to show a 3 s hold
    (RECOGNISE_HOLD_S): none at SEEN_MIN_S (under which nothing is told), full at
    RECOGNISE_HOLD_S, none again from HELD_WHOLE_UNTIL_S, where a 3 s still hold
    fits with the hold engine's warm-up (so a live stream's first seconds, or a
    lunge rep's pause of up to 3.9 s, are not taken for a held clip)."""
    seconds = e.get("seconds", 0.0)
    fits = (_ramp(seconds, SEEN_MIN_S, RECOGNISE_HOLD_S) if seconds <= RECOGNISE_HOLD_S
            else _ramp(seconds, HELD_WHOLE_UNTIL_S, RECOGNISE_HOLD_S))
    return _ramp(e.get(f"{name}.held_share", 0.0), HELD_WHOLE_PART, HELD_WHOLE_SHARE) * fits


def _not_stepping(e: dict[str, float]) -> float:
    """The legs do not move at a running cadence: little of their movement lies in
    the running band (step_band), or what lies there is too small to be steps
    (step_amp under STEP_AMP_STEPS, none of it from STEP_AMP_JITTER down). In a still clip the band holds a share of
    the landmarks' jitter: a real kneeling hamstring stretch held for its whole
    2.9 s loop read 0.62 of its power in the band, at 0.03 leg lengths."""
    return max(_ramp(e["step_band"], 0.5, 0.25), _ramp(e["step_amp"], STEP_AMP_STEPS, STEP_AMP_JITTER))


def _reps_seen(e: dict, name: str) -> float:
    """One full rep of the movement's own drive is enough; two are convincing."""
    return _ramp(e[f"{name}.reps"], 0.0, 2.0) if e[f"{name}.reps"] >= 1 else MIN_SCORE


def movement_scores(e: dict[str, float]) -> dict[str, float]:
    """How well the clip fits each movement, 0..1 (a product of memberships)."""
    s: dict[str, float] = {}
    lying_side = _ramp(e["side_lying"], 0.2, 0.6)
    fours = _ramp(e["all_fours"], 0.2, 0.6)
    supine = _ramp(e["supine"], 0.2, 0.6)
    supine_share = e["supine"]
    upright = _ramp(e["upright"], 0.2, 0.6)
    not_supine = _ramp(supine_share, SIDE_NOT_SUPINE, SIDE_SUPINE_OK)
    # Clamshell: on one side; the top knee opens and closes.
    # The knees stay bent and the feet together at the top: a side-lying leg raise
    # (hip abduction) lifts a straight leg and parts the feet by a leg's length
    # (real clamshells: 66-108° and 0.2-0.4 shank; a real leg raise: 179° and
    # 2 shanks) [own].
    # On one side, not on the back: a supine body seen from an angle can look
    # side-lying on screen (its hips stacked in the image), but its chest faces up.
    s["clamshell"] = (lying_side * not_supine * _reps_seen(e, "clamshell") * _ramp(e["clamshell.range"], 10.0, 20.0)
                      * _clam_knees(e) * _ramp_seen(e.get("clamshell.top_feet_gap", math.nan), CLAM_FEET_APART, CLAM_FEET_TOGETHER)
                      * _ramp_seen(e.get("clamshell.top_hips_up", math.nan), CLAM_HIPS_UP, CLAM_HIPS_DOWN))
    # On all fours, one thigh lifts back (donkey kick) or out (fire hydrant), the knee bent.
    # Which way the thigh swings (thigh_swing): along the back axis for a kick,
    # along the out axis for a hydrant; the axis the camera sees decides which
    # number is measured, and each movement travels little along the other's axis.
    # And a kick turns the shank up at the top where a hydrant keeps it level (_lift_way).
    kick_way, hyd_way = _lift_way(e, swing_needed=True)
    # Both lift and lower the thigh in one plane, so the knee goes out and back
    # along one line; leg circles loop (recognise_evidence.knee_loop).
    kick_knee = e.get("donkey_kick.top_knee_angle", math.nan)
    # Each lift starts from the thigh under the hip (REST_UNDER), not from under the chest.
    s["donkey_kick"] = (fours * _hands_down(e, "donkey_kick") * _reps_seen(e, "donkey_kick") * kick_way * _ramp(kick_knee, 150.0, 125.0)
                        * _ramp_seen(e.get("donkey_kick.loop", math.nan), LOOP_CIRCLE, LOOP_LINE)
                        * _ramp_seen(e.get("donkey_kick.rest", math.nan), REST_FORWARD, REST_UNDER))
    hyd_knee = e.get("fire_hydrant.top_knee_angle", math.nan)
    s["fire_hydrant"] = (fours * _hands_down(e, "fire_hydrant") * _reps_seen(e, "fire_hydrant") * hyd_way * _ramp(hyd_knee, 150.0, 125.0)
                         * _ramp_seen(e.get("fire_hydrant.loop", math.nan), LOOP_CIRCLE, LOOP_LINE))
    # Lying on the back, a straight leg lifts and lowers (the image reads a real
    # straight knee as bent by up to ~35°, so only a clearly bent one counts against).
    lag = e.get("straight_leg_raise.top_knee_flexion", math.nan)
    # And one leg stays straight throughout: a bridge of any kind lifts the hips
    # on two bent knees (a single-leg bridge lifts a straight leg too, but puts
    # both feet back down between lifts).
    # A straight leg raised and lowered in reps lying down: no held stretch does
    # that (the held stretches below are ruled out by it). Lying face up, with the
    # model's roll allowed for (recognise_evidence.FACE_UP_CHEST): filmed at floor
    # level from the feet end, a real raise read half rolled onto its side.
    face_up = _ramp(e.get("face_up", supine_share), 0.2, 0.6)
    legs_in_reps = (face_up * _reps_seen(e, "straight_leg_raise")
                    * _ramp(e["straight_leg_raise.range"], 10.0, 25.0) * _ramp(lag, 45.0, 25.0)
                    * _slr_knee_straight(e))
    # And the other leg stays down: each lift starts from the floor (leg scissors
    # and double-leg raises keep both legs up); and the hips stay down (a
    # single-leg bridge holds a straight leg up while the hips lift and lower).
    # And the lifts are not flutter kicks: small, quick flicks of each leg in turn.
    s["straight_leg_raise"] = (legs_in_reps * _slr_other_leg_down(e) * _slr_hips_down(e) * _slr_hands_down(e)
                               * _slr_not_kicks(e))
    # Held stretches: in position long enough, and still there.
    def held(name: str, in_position_is_enough: bool = False) -> float:
        # Still in position for 3 s (the hold engine); for the standing stretches,
        # whose in-position tests are specific, also in position at all for 6 s
        # (a real body jitters more than the engine's stillness band allows). The
        # figure-four's crossed-ankle test also passes a knee hugged to the chest.
        run = _ramp(e[f"{name}.run_s"], 3.0, 6.0) if in_position_is_enough else 0.0
        return (max(_ramp(e[f"{name}.held_s"], 1.0, 3.0), run, _held_whole_clip(e, name))
                * _ramp(e[f"{name}.in_position"], 0.1, 0.3))

    # Figure-four: lying on the back, an ankle crossed over the other knee, held.
    # A straight leg raise that rests between reps can look crossed and still
    # for a moment; its reps rule the figure-four out.
    # The supporting thigh is up (hip flexed about 90° or more); hugging one knee
    # to the chest leaves the other leg flat on the floor.
    s["figure_four"] = (supine * held("figure_four") * max(MIN_SCORE, 1.0 - legs_in_reps)
                        * _ramp(e.get("figure_four.hold_support_hip_flexion", math.nan), 45.0, 70.0))
    # Running lunge (hands down, kneeling or upright: a foot well ahead, its knee
    # bent): held, not on all fours, not lying on the back (a figure-four's legs
    # pass the same checks). Lunges done as reps rarely stay in position long
    # enough; a pigeon pose does (docs/accuracy.md lists it).
    # A lunge's hips stay a thigh's length over the floor (kneeling or on the feet);
    # a pigeon pose rests them on the floor with the front shin folded across.
    # And a running lunge is held: lunges done as reps come back up every second
    # or two, so it needs 5 s held still (or 6 s in position), not 3.
    still_from = min(LUNGE_STILL_MIN_S, LUNGE_HELD_S - 1.0)  # the split check varies LUNGE_HELD_S
    s["running_lunge"] = (max(_ramp(e["running_lunge.held_s"], still_from, LUNGE_HELD_S),
                              _ramp(e["running_lunge.run_s"], 3.0, 6.0), _held_whole_clip(e, "running_lunge"))
                          * _ramp(e["running_lunge.in_position"], 0.1, 0.3)
                          * _lunge_hips(e) * _ramp(e["all_fours"], 0.5, 0.2) * _ramp(supine_share, 0.5, 0.2)
                          * _ramp_seen(e.get("running_lunge.hold_step_across", math.nan), STEP_SIDEWAYS, STEP_SPLIT)
                          * _ramp_seen(e.get("running_lunge.hold_back_hip_angle", math.nan),
                                       LUNGE_BACK_HIP_SEATED, LUNGE_BACK_HIP_OPEN))
    # Hamstring stretch (standing, seated or lying: the checker's own position
    # checks, a straight stretched knee and the hips folded): held, not on all
    # fours, not running, the hands not planted on the floor far from the feet. A lunge's back leg and a raised straight leg pass the
    # same checks, so a running lunge or a straight leg raise rules it out.
    s["hamstring_stretch"] = (held("hamstring_stretch", True) * _ramp(e["all_fours"], 0.5, 0.2)
                              * _ramp(e.get("hamstring_stretch.hold_hip_fold_3d", math.nan), HS_NOT_FOLDED, HS_FOLDED)
                              * _not_stepping(e)
                              * _ramp_seen(e.get("hamstring_stretch.hold_hands_to_feet", math.nan),
                                           HANDS_AWAY, HANDS_REACH)
                              * max(MIN_SCORE, 1.0 - max(s["running_lunge"], legs_in_reps))
                              * max(_ramp(supine_share, HS_LYING_BOTH, HS_LYING_ONE),
                                    _ramp_seen(e.get("hamstring_stretch.hold_legs_alike", math.nan), 0.5, 0.2)
                                    * _ramp_seen(e.get("hamstring_stretch.hold_knee_gap", math.nan),
                                                 HS_KNEES_TOGETHER, HS_KNEES_APART)))
    # Running: upright, the legs taking turns in running strides, at a running
    # cadence. Either is enough on its own when strong: a slow-motion clip keeps
    # the strides but not the cadence (it scores 0.7 of a real-time one), and the
    # model sometimes mixes up which knee is which while the cadence stays plain.
    # The swing knee must bend well past walking's 60-70° either way.
    cadence = _ramp(e["step_band"], 0.2, 0.4) * _ramp(e["step_amp"], 0.05, 0.12)
    # The legs take turns: 4 turns convince on any clip; a short clip cannot show
    # that many, so 2 or more at a running rate (turns seen per second, 0.6 or
    # more; a runner takes 2.5-3 steps a second) convince too. The turns are
    # counted only in frames that show a clear stride, so the rate seen is lower
    # than the cadence; a lunge or a pigeon pose shifting its legs turns a few
    # times in many seconds (under 0.2 a second on the real clips) [own].
    turns = e["stride_turns"]
    turn_rate = turns / e["seconds"] if turns >= 2 and e["seconds"] > 0 else 0.0
    stride_frames = _ramp(e["stride_share"], STRIDES_NONE, STRIDES_PLAIN)
    strides = stride_frames * max(_ramp(turns, 1.5, 3.5), _ramp(turn_rate, STRIDE_RATE_LOW, STRIDE_RATE_UP))
    # And the stance knee bends in those strides (a drill in place stands on a
    # straight leg), and the swing thigh stays below horizontal (high knees lift
    # it there); unmeasured without strides, where the cadence alone decides.
    # A runner seen for under SEEN_MIN_S (crossing the frame far away) shows a
    # step or two: strides in a good share of the frames with the legs changing
    # over once count, at the capped fit below.
    brief = e.get("seen_s", math.inf) < SEEN_MIN_S
    brief_strides = stride_frames * _ramp(turns, 0.0, 1.0) if brief else 0.0
    side_run = (max(strides * max(0.7, cadence), cadence * _ramp(e["stride_share"], 0.0, STRIDES_NONE), brief_strides)
                * _ramp(e["knee_flex_p90"], 60.0, 75.0))
    # Seen from the front or from behind, where the knees read flat: the body
    # bounces at the step rate while the legs (or arms) take turns at it. Jumping
    # on the spot bounces without the legs taking turns; walking takes turns
    # without the bounce.
    # Facing the camera, the swing knee's fold is seen too (FRONT_FOLD).
    front_run = (_ramp(e.get("view_across", math.nan), ACROSS_SIDE, ACROSS_FRONT)
                 * _ramp(e.get("bounce_band", 0.0), BOUNCE_LOW, BOUNCE_UP)
                 * _ramp(e.get("bounce_amp", 0.0), BOUNCE_AMP_LOW, BOUNCE_AMP_UP)
                 * _ramp(e["step_band"], 0.15, 0.3) * _ramp(e["step_amp"], 0.05, 0.12)
                 * max(1.0 - _ramp(e.get("facing_share", 0.0), FACING_LOW, FACING_UP),
                       _ramp(e["knee_flex_p90"], FRONT_FOLD_HOP, FRONT_FOLD_RUN)))
    # Whatever the view or the playback speed: the hips lowest at midstance
    # while the legs take turns (a walker's are highest there).
    phase_run = (PHASE_FIT * _ramp(e.get("phase_corr", math.nan), PHASE_LOW, PHASE_UP)
                 * _ramp(e.get("phase_turns", 0.0), PHASE_TURNS_LOW, PHASE_TURNS_UP))
    # Whichever way it was seen, a drill is not running: the stance knee bends
    # (butt kicks in place stand on a straight leg), the swing thigh stays below
    # horizontal (high knees lift it there) and the heel does not reach the
    # buttock (butt kicks fold the knee all the way).
    s["running"] = _running_legs(e, upright * max(side_run, front_run, phase_run))
    if e.get("seen_s", math.inf) < SEEN_MIN_S:
        s = {m: min(v, SEEN_BRIEF_FIT) for m, v in s.items()}
    return {m: round(float(s[m]), 4) for m in MOVEMENTS}


def _normalise(scores: dict[str, float]) -> list[tuple[str | None, float]]:
    best = max(scores.values()) if scores else 0.0
    cand: dict[str | None, float] = {m: v for m, v in scores.items()}
    cand[None] = NONE_PRIOR * (1.0 - best) + 1e-3
    total = sum(cand.values())
    return sorted(((m, v / total) for m, v in cand.items()), key=lambda x: -x[1])


def recognise(track: PoseTrack, first_s: float | None = None) -> Recognition:
    """Recognise the movement in a track (or in its first `first_s` seconds)."""
    if first_s is not None and len(track):
        n = int(np.searchsorted(track.times, track.times[0] + first_s, side="right"))
        track = track.slice(0, max(n, 1))
    if len(track) < 2 or not track.detected.any():
        return Recognition(None, 0.0, [], {"seconds": 0.0}, {m: 0.0 for m in MOVEMENTS})
    ev = clip_features(track)
    scores = movement_scores(ev)
    ranked = _normalise(scores)
    (top, p), rest = ranked[0], ranked[1:]
    note = None
    if ev["seen_s"] < SEEN_MIN_S:
        note = (f"not seen well enough: the hips and knees were in view for {ev['seen_s']:.1f} s "
                f"(at least {SEEN_MIN_S:.0f} s is needed to tell the movement)")
        if top is None:
            p = min(p, SEEN_BRIEF_NONE)
    return Recognition(top, float(p), [(m, float(q)) for m, q in rest], ev, scores, note)


# The body position a movement is done in (a share of the frames, clip_features),
# for `shows_body_of`: only where that position and the movement's shape checks
# are themselves a sign of the movement. Lying on the back with one knee straight
# throughout and no bridge is a straight leg raise's set-up; being on all fours,
# on one side, or on the back with the knees bent is as much a cat-cow, a side
# plank or a trunk rotation (real near misses that came out "none of these").
BODY_OF = {"straight_leg_raise": "supine"}
# The chosen movement's body position is shown in this share of the frames, and
# its measured shape checks together keep at least this fit [own: the memberships'
# own upper ends, 0.6, and half a fit].
BODY_SHOWN, SHAPE_KEPT = 0.6, 0.5
# Where "none of these" leads but is not confident, a chosen movement whose
# measured shape checks together fit under this is not graded either: the
# evidence is against it, not merely missing (a pigeon pose's hips rest on the
# floor, no lunge's do) [own: a tenth of a fit, two memberships failing].
SHAPE_AGAINST = 0.1


def _running_legs(e: dict[str, float], score: float) -> float:
    """`score` times running's leg checks, where measured (movement_scores and
    _shape_fit): the stance knee bends, the swing thigh stays below level (read in
    3D and on screen), the heel stays off the buttock and, seen side-on, the hips
    are not highest at midstance (`_not_vaulting`). Multiplied in that order onto
    `score`, as the two products were written out before. The two read over the
    stride frames (the stance knee, the swing thigh in 3D) count only where those
    frames are evidence of strides at all (STRIDES_NONE)."""
    strides = e.get("stride_share", 0.0) >= STRIDES_NONE
    return (score * (_ramp_seen(e.get("stride_stance_flex", math.nan), STANCE_FLEX_STRAIGHT, STANCE_FLEX_RUN)
                     * _ramp_seen(e.get("stride_hip_flex_p90", math.nan), THIGH_HIGH_KNEES, THIGH_RUN) if strides else 1.0)
            * _ramp_seen(e.get("thigh_peak", math.nan), THIGH_PEAK_HIGH_KNEES, THIGH_PEAK_RUN)
            * _ramp_seen(e.get("knee_flex_p90", math.nan), SWING_FOLD_BUTT_KICK, SWING_FOLD_RUN)
            * _not_vaulting(e))


def _not_vaulting(e: dict[str, float]) -> float:
    """1 unless a side view shows the hips highest at midstance over enough turns
    of the legs, a walker's vault (WALK_PHASE, WALK_PHASE_UP); unmeasured counts as
    no evidence against."""
    phase, across = e.get("phase_corr", math.nan), e.get("view_across", math.nan)
    if e.get("phase_turns", 0.0) < PHASE_TURNS_UP or not (math.isfinite(phase) and math.isfinite(across)):
        return 1.0
    side = _ramp(across, ACROSS_FRONT, ACROSS_SIDE)
    return (1.0 - side) + side * _ramp(phase, WALK_PHASE, WALK_PHASE_UP)


def _shape_fit(e: dict[str, float], movement: str) -> float:
    """The product of the movement's shape checks that were measured (those not
    measured count as no evidence against): positive evidence that it is not this
    movement, apart from reps or holds not being seen."""
    def seen(key: str, lo: float, hi: float) -> float:
        return _ramp_seen(e.get(key, math.nan), lo, hi)

    # Which way the lift goes (movement_scores): back for a kick, out for a hydrant.
    kick_way, hyd_way = _lift_way(e, swing_needed=False)
    checks = {
        "clamshell": (seen("supine", SIDE_NOT_SUPINE, SIDE_SUPINE_OK) * _clam_knees(e)
                      * seen("clamshell.top_feet_gap", CLAM_FEET_APART, CLAM_FEET_TOGETHER)
                      * seen("clamshell.top_hips_up", CLAM_HIPS_UP, CLAM_HIPS_DOWN)),
        "donkey_kick": (_hands_down(e, "donkey_kick") * kick_way * seen("donkey_kick.top_knee_angle", 150.0, 125.0)
                        * seen("donkey_kick.loop", LOOP_CIRCLE, LOOP_LINE)
                        * seen("donkey_kick.rest", REST_FORWARD, REST_UNDER)),
        "fire_hydrant": (_hands_down(e, "fire_hydrant") * hyd_way * seen("fire_hydrant.top_knee_angle", 150.0, 125.0)
                         * seen("fire_hydrant.loop", LOOP_CIRCLE, LOOP_LINE)),
        "straight_leg_raise": (seen("straight_leg_raise.top_knee_flexion", 45.0, 25.0)
                               * _slr_knee_straight(e, seen_only=True) * _slr_other_leg_down(e)
                               * _slr_hips_down(e) * _slr_hands_down(e)),
        "figure_four": seen("figure_four.hold_support_hip_flexion", 45.0, 70.0),
        "running_lunge": ((_lunge_hips(e) if math.isfinite(e.get("running_lunge.hold_hip_height", math.nan)) else 1.0)
                          * seen("all_fours", 0.5, 0.2) * seen("supine", 0.5, 0.2)
                          * seen("running_lunge.hold_step_across", STEP_SIDEWAYS, STEP_SPLIT)
                          * seen("running_lunge.hold_back_hip_angle", LUNGE_BACK_HIP_SEATED, LUNGE_BACK_HIP_OPEN)),
        "hamstring_stretch": (seen("all_fours", 0.5, 0.2)
                              * seen("hamstring_stretch.hold_hip_fold_3d", HS_NOT_FOLDED, HS_FOLDED)
                              * seen("hamstring_stretch.hold_hands_to_feet", HANDS_AWAY, HANDS_REACH)),
        "running": _running_legs(e, seen("upright", 0.2, 0.6)),
    }
    return checks[movement]


# Seated, for the refusal's words (`seated_hip_angle`): the trunk upright in most
# frames [own: the posture memberships' upper end, 0.6] with the "back" leg's hip
# angle where the running lunge's position test held under LUNGE_BACK_HIP_SEATED:
# both thighs forward of the hips, as on a chair (s30's seated knee extension read
# 96°, upright in all its frames).
SEATED_UPRIGHT = 0.6


def seated_hip_angle(rec: Recognition | None) -> float | None:
    """The back leg's hip angle (°) where the recogniser's own evidence reads the
    body seated (SEATED_UPRIGHT, LUNGE_BACK_HIP_SEATED), else None. A lunge is
    never done seated, so the refusal of a chosen running lunge can say why."""
    if rec is None or not rec.evidence:
        return None
    angle = rec.evidence.get("running_lunge.hold_back_hip_angle", math.nan)
    upright = rec.evidence.get("upright", math.nan)
    if math.isfinite(angle) and math.isfinite(upright) and upright >= SEATED_UPRIGHT and angle < LUNGE_BACK_HIP_SEATED:
        return float(angle)
    return None


# The body position each movement done in reps needs (an evidence share, clip_features),
# in words, for a refusal's "Why" (s33: a straight leg raise done reclined on a plinth was
# refused with "the camera saw you well ... compare it with the tips" and no reason).
POSITION_OF = {"clamshell": ("side_lying", "lying on your side"),
               "donkey_kick": ("all_fours", "on all fours"),
               "fire_hydrant": ("all_fours", "on all fours"),
               "straight_leg_raise": ("face_up", "lying flat on your back")}
# Under this share the position's membership is at its floor in movement_scores (the
# ramps' lower end, 0.2): the clip clearly was not done in it [own].
POSITION_ABSENT = 0.2


def body_position_missed(rec: Recognition | None, movement: str) -> str | None:
    """'formcheck saw you lying flat on your back in only 5% of the clip, and a straight
    leg raise is done that way' where the recogniser read the movement's body position (POSITION_OF)
    in under POSITION_ABSENT of the frames, else None."""
    if rec is None or not rec.evidence or movement not in POSITION_OF:
        return None
    key, words = POSITION_OF[movement]
    share = rec.evidence.get(key, math.nan)
    if key == "face_up" and not math.isfinite(share):
        share = rec.evidence.get("supine", math.nan)
    if not (math.isfinite(share) and share < POSITION_ABSENT):
        return None
    seen = f"formcheck saw you {words} in only {share:.0%} of the clip" if share >= 0.005 else \
        f"formcheck never saw you {words}"
    return f"{seen}, and {a_movement(movement)} is done that way"


def hands_planted(rec: Recognition | None) -> float | None:
    """How far (leg lengths, across the floor) the hands were from the feet where the
    recogniser's own evidence reads them planted a body's length away for a hamstring
    stretch (HANDS_AWAY: a downward dog or a plank), else None. s32: a downward dog
    chosen as a hamstring stretch was told only that its clip was 2.9 s long."""
    if rec is None or not rec.evidence:
        return None
    far = rec.evidence.get("hamstring_stretch.hold_hands_to_feet", math.nan)
    return float(far) if math.isfinite(far) and far >= HANDS_AWAY else None


def shows_body_of(rec: Recognition, movement: str) -> bool:
    """The clip shows the movement's own body position (lying on the back, on
    one side, on all fours: BODY_OF) and none of its measured shape checks goes
    against it. "None of these" then rests only on its reps or hold not being
    seen (a single raise held at the top, a drive the camera angle hides), which
    is no evidence of another movement or of none. False for movements whose
    position alone tells nothing (see BODY_OF)."""
    body = BODY_OF.get(movement)
    if body is None or not rec.evidence:
        return False
    share = rec.evidence.get(body, math.nan)
    return bool(math.isfinite(share) and share >= BODY_SHOWN and _shape_fit(rec.evidence, movement) >= SHAPE_KEPT)


# A runner-up reading named beside a refusal (and started on by the app's "Analyse
# again as" picker) when it has at least this share [own: a fifth; the s26 fire
# hydrant from behind read 36% donkey kick].
NEAREST_SHOWN = 0.2


def nearest_named(alternatives: list) -> tuple[str, float] | None:
    """The closest other movement worth naming: the first of `alternatives`
    ([movement or None, share], best first, as in Recognition or its report block)
    that is a movement with at least NEAREST_SHOWN."""
    return next(((m, p) for m, p in alternatives if m is not None and p >= NEAREST_SHOWN), None)


def doubt(rec: Recognition | None, chosen: str) -> str | None:
    """The note on a clip graded as the chosen movement although the recogniser
    reads it as none of these (see `shows_body_of`), else None."""
    if rec is None or rec.movement is not None or not rec.confident or not shows_body_of(rec, chosen):
        return None
    return (f"formcheck could not see {a_movement(chosen)}'s movement clearly ({rec.label()}), but your body "
            f"position fits it, so it was analysed as you chose: check what it found against what you did.")


def mismatch(rec: Recognition, chosen: str) -> str | None:
    """The warning when a confident recognition disagrees with the chosen
    movement, else None. "None of these" overrules a choice only with evidence
    against it: not where the clip shows the chosen movement's body position
    and shape (`shows_body_of`)."""
    if rec.movement == chosen:
        return None
    if not rec.confident:
        # Not for a person seen too briefly to tell (rec.note): nothing is ruled out then.
        if (rec.movement is not None or rec.note or not rec.evidence
                or _shape_fit(rec.evidence, chosen) >= SHAPE_AGAINST):
            return None
        return (f"This does not look like {a_movement(chosen)} (its body position or shape does not fit it; "
                f"{rec.label()}), so it was not graded. Check the camera sees your whole body from the view the tips "
                "suggest.")
    if rec.movement is None and shows_body_of(rec, chosen):
        return None
    if rec.movement is None:
        return (f"This does not look like {a_movement(chosen)}, nor like any movement formcheck knows, "
                "so it was not graded. Check the camera sees your whole body from the view the tips suggest.")
    return (f"This looks like {a_movement(rec.movement)}, not {a_movement(chosen)} "
            f"(recognised at {rec.confidence:.0%}), so it was not graded as {a_movement(chosen)}. "
            f"Analyse it as {a_movement(rec.movement)} instead.")
