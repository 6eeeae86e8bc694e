"""Standing hamstring stretch and running lunge: a still hold per side, then the
other side (clinical-criteria.md §3.5, §3.6 and §4).

Both are judged from the side, in the image plane: the stretch happens in the
sagittal plane, which a side camera sees flat. "Forward" is where the person
faces, taken per frame from the mid-shoulders being ahead of the mid-hips (both
stretches lean the trunk forward while held).
"""

from __future__ import annotations

import numpy as np

from formcheck.exercises.base import ANGLE_MARGIN_DEG, KNEE_MARGIN_DEG, Check, Cond, Exercise, Fault, Metric
from formcheck.features import Joints, hip_flexion, knee_angle
from formcheck.geometry import joint_angle, vector_angle
from formcheck.reps import HoldParams

__all__ = ["HAMSTRING_STRETCH", "RUNNING_LUNGE", "facing", "trunk_lean", "foot_ahead", "back_curve",
           "shin_forward", "back_hip_angle", "back_foot_drop", "front_leg_angle", "knee_angle_3d",
           "knee_straightness", "hip_fold_3d", "is_stretched_leg", "legs_alike", "lean_or_raise",
           "in_plane_share", "KNEE_IN_PLANE_MIN", "KNEE_FOLDED_DEG"]

UP = np.array([0.0, -1.0])  # screen up (pixels, y down)


def _mid(b: Joints, name: str) -> np.ndarray:
    """Mean [N,2] of this side's and the other side's point, using whichever is
    visible (from the side the far shoulder or ear is often hidden)."""
    a, c = b.p(name), b.p("o_" + name)
    return np.where(np.isfinite(a) & np.isfinite(c), (a + c) / 2, np.where(np.isfinite(a), a, c))


# Below this trunk lean the shoulders are not reliably ahead of the hips, and
# the head tells the facing direction instead (nose ahead of the ears) [own].
FACING_MIN_LEAN_DEG = 20.0
# A knee bends one way only: bent, it lies ahead of its hip -> ankle line on the
# side the person faces, standing, kneeling, sitting or in a lunge's back leg.
# A knee bent under this angle on screen lies a quarter of a thigh or more off
# that line, far above the landmarks' jitter, and its side is read [own; the
# running lunge's bent front knee, RL_MAX_KNEE_DEG].
FACING_KNEE_MAX_DEG = 150.0


def _knee_facing(b: Joints) -> np.ndarray:
    """+1 where the bent knees (FACING_KNEE_MAX_DEG) point screen right, -1 left
    [N]; NaN where no knee is bent or the two disagree. Ankles paired with the
    knees (_paired)."""
    ankles = _paired(b, "ankle")
    votes = []
    for s, ankle in zip(("", "o_"), ankles):
        hip, knee = b.p(s + "hip"), b.p(s + "knee")
        u, k = ankle - hip, knee - hip
        cross = u[..., 0] * k[..., 1] - u[..., 1] * k[..., 0]  # < 0: the knee on the screen-right side of hip -> ankle
        with np.errstate(invalid="ignore"):
            bent = joint_angle(hip, knee, ankle) < FACING_KNEE_MAX_DEG
        votes.append(np.where(bent & np.isfinite(cross), -np.sign(cross), 0.0))
    total = votes[0] + votes[1]
    agree = (votes[0] * votes[1]) >= 0
    return np.where((total != 0) & agree, np.sign(total), np.nan)


def facing(b: Joints) -> np.ndarray:
    """+1 where the person faces screen right, -1 screen left [N]: where a knee is
    bent, the side it points to (the legs tell it whatever the trunk and arms do:
    a back bend with the arms overhead puts the shoulders behind the hips);
    else the shoulders ahead of the hips in a forward lean, else (an upright
    trunk) the nose ahead of the ears. NaN where not visible."""
    dx = _mid(b, "shoulder")[..., 0] - _mid(b, "hip")[..., 0]
    head = b.p("nose")[..., 0] - _mid(b, "ear")[..., 0]
    lean = trunk_lean(b)
    with np.errstate(invalid="ignore"):
        use_head = np.isfinite(head) & ~(lean > FACING_MIN_LEAN_DEG)
    d = np.where(use_head, head, dx)
    knees = _knee_facing(b)
    return np.where(np.isfinite(knees), knees, np.where(np.isfinite(d), np.sign(d), np.nan))


def trunk_lean(b: Joints) -> np.ndarray:
    """Trunk (mid-hip -> mid-shoulder) from vertical on screen, 0..180 (°)."""
    trunk = _mid(b, "shoulder") - _mid(b, "hip")
    return vector_angle(trunk, np.broadcast_to(UP, trunk.shape))


def _paired(b: Joints, name: str) -> tuple[np.ndarray, np.ndarray]:
    """(this, other) foot point [N,2], re-paired with the knees: where the other
    ankle lies nearer this knee than this ankle does (a left/right swap of the
    feet alone, common when the legs overlap from the side), the feet swap."""
    k, ok = b.p("knee"), b.p("o_knee")
    a, oa = b.p("ankle"), b.p("o_ankle")
    d = lambda u, v: np.linalg.norm(u - v, axis=-1)  # noqa: E731
    crossed = (d(k, oa) + d(ok, a)) < (d(k, a) + d(ok, oa))
    p, op = b.p(name), b.p("o_" + name)
    return np.where(crossed[..., None], op, p), np.where(crossed[..., None], p, op)


def foot_ahead(b: Joints) -> np.ndarray:
    """How far this foot is ahead of the other one, along the facing direction,
    in this side's shank lengths [N] (negative: behind): the median over ankle,
    heel and toe, feet paired with the knees (see _paired). Where this knee is
    unseen, the other shank measures the gap (the two are as long): a lunge's
    far front knee is often lost side-on while both feet are seen (own randomised
    render, seed 2: front knee visibility 0.26, feet 2.3 shanks apart)."""
    shank = np.linalg.norm(b.p("knee") - b.p("ankle"), axis=-1)
    shank = np.where(np.isfinite(shank), shank, np.linalg.norm(b.p("o_knee") - b.p("o_ankle"), axis=-1))
    gaps = []
    for n in ("ankle", "heel", "toe"):
        p, op = _paired(b, n)
        gaps.append(p[..., 0] - op[..., 0])
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.median(np.stack(gaps), axis=0) * facing(b) / shank


def back_curve(b: Joints) -> np.ndarray:
    """Angle between the trunk line (mid-hip -> mid-shoulder) and the neck line
    (mid-shoulder -> mid-ear), 0..180 (°). A flat back hinging at the hips keeps
    the head in line with the trunk (about 0); a rounding back curls the upper
    back and head down toward the legs. No spine landmarks exist, so this is a
    proxy (clinical-criteria.md 3.5 calls its own proxy weak too)."""
    sh = _mid(b, "shoulder")
    return vector_angle(sh - _mid(b, "hip"), _mid(b, "ear") - sh)


def shin_forward(b: Joints) -> np.ndarray:
    """This shin (ankle -> knee) from vertical on screen, signed (°): positive with
    the knee ahead of the ankle in the facing direction."""
    d = b.p("knee") - b.p("ankle")
    return np.degrees(np.arctan2(d[..., 0] * facing(b), -d[..., 1]))


def back_hip_angle(b: Joints) -> np.ndarray:
    """angle(shoulder, hip, other knee) on screen (°): 180 with the back leg in
    line with the trunk, smaller as the hips pike up (the back knee ahead of the
    trunk line, the hip flexed), larger than 180 with the hips pressed forward
    past that line (the back knee behind it, the hip extended: 360 minus the
    angle). The unsigned angle read a real upright half-kneeling stretch, the
    hips pressed well forward and the back thigh slanting back, as 136-149°,
    a pike (s26). The side of the line is taken from the facing direction;
    unsigned where that is unknown."""
    hip, sh, knee = b.p("o_hip"), _mid(b, "shoulder"), b.p("o_knee")
    angle = joint_angle(sh, hip, knee)
    u, k = sh - hip, knee - hip
    cross = u[..., 0] * k[..., 1] - u[..., 1] * k[..., 0]  # < 0: knee behind the trunk line, facing screen right
    with np.errstate(invalid="ignore"):
        behind = cross * facing(b) < 0
    return np.where(behind, 360.0 - angle, angle)


def front_leg_angle(b: Joints) -> np.ndarray:
    """Angle between the trunk line (mid-hip -> mid-shoulder) and this leg's hip ->
    ankle line (°): about 180 in a plank, near 100 with the foot stepped forward
    under the chest. Long segments and mid-points keep it steady (~0.5° jitter)."""
    hip = _mid(b, "hip")
    return vector_angle(_mid(b, "shoulder") - hip, b.p("ankle") - b.p("hip"))


# ---- standing hamstring stretch ---------------------------------------------------------

def _mid_w(b: Joints, name: str) -> np.ndarray:
    """3D mean [N,3] of this and the other side's point, whichever is visible."""
    a, c = b.w(name), b.w("o_" + name)
    return np.where(np.isfinite(a) & np.isfinite(c), (a + c) / 2, np.where(np.isfinite(a), a, c))


def knee_angle_3d(b: Joints) -> np.ndarray:
    """angle(hip, knee, ankle) of this leg in metric 3D (°), 180 = straight: the
    same standing, seated or lying, whichever way the camera looks."""
    return joint_angle(b.w("hip"), b.w("knee"), b.w("ankle"))


# A leg pointing at the camera shows its knee end-on, and then neither reading
# of the knee is the body's: filmed from the front, a real seated stretch's
# raised shin showed 29-43% of its 3D length on screen (median 43%) while its
# knee read 95-158° in 3D and 5-126° on screen, the leg held still. The knee is
# not read where its thigh or shin shows under KNEE_IN_PLANE_MIN of its 3D length
# on screen (turned more than 53° toward or away from the camera); the stretched
# legs of the 16 real hamstring holds found side-on or obliquely showed 0.80-1.00
# (median over each hold; 0.70 and up at the 10th percentile) [own, measured on
# real footage].
KNEE_IN_PLANE_MIN = 0.6
# ... except a knee folded past a right angle in 3D: depth errors of an end-on
# segment bent those straight knees to 95° at worst, while a real pigeon pose
# filmed from the front, its front thigh end-on (0.39-0.52), read its folded knee
# at 22-36° in 3D and 19-27° on screen; such a knee is read bent (its 3D angle),
# as a knee-to-chest's is (supine.STRAIGHT_LEG_RAISE.not_a_rep) [own, measured].
KNEE_FOLDED_DEG = 90.0


def in_plane_share(b: Joints, a: str, c: str) -> np.ndarray:
    """Per frame [N], the share of segment a-c's 3D length (world landmarks, whose
    x and y axes are the image's) that lies across the camera's view: 1 flat in
    the image plane, 0 pointing at the camera."""
    d = b.w(a) - b.w(c)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.linalg.norm(d[..., :2], axis=-1) / np.linalg.norm(d, axis=-1)


def knee_straightness(b: Joints) -> np.ndarray:
    """This leg's knee angle (°, 180 = straight) as the straighter of its metric 3D
    and on-screen readings: each one alone bends a straight knee on real footage
    (the 3D one by depth noise: a crossed-leg fold read 120-148° where the screen
    read 134-164°; the screen one by foreshortening), while a really bent knee
    reads bent in both. Where the thigh or shin points toward the camera
    (KNEE_IN_PLANE_MIN), only a knee folded past a right angle in 3D is read
    (KNEE_FOLDED_DEG, its 3D angle), else NaN (not read). For the position check
    only (the knee_bent fault keeps its own reading) [own]."""
    k3 = knee_angle_3d(b)
    with np.errstate(invalid="ignore"):
        end_on = (in_plane_share(b, "hip", "knee") < KNEE_IN_PLANE_MIN) | \
            (in_plane_share(b, "knee", "ankle") < KNEE_IN_PLANE_MIN)
        folded = k3 < KNEE_FOLDED_DEG
    return np.where(end_on, np.where(folded, k3, np.nan), np.fmax(k3, knee_angle(b)))


def hip_fold_3d(b: Joints) -> np.ndarray:
    """angle(mid-shoulder, hip, knee) of this leg in metric 3D (°): about 170
    standing tall, 90 sitting upright or with the leg raised lying down, less in a
    deep fold."""
    return joint_angle(_mid_w(b, "shoulder"), b.w("hip"), b.w("knee"))


def _other(fn, b: Joints) -> np.ndarray:
    return fn(b.other())


# Which leg is stretched, in order: the clearly deeper fold (20°: the leg raised
# lying down, or put up on a wall or bench) whose knee is straight enough for the
# stretch (above HS_KNEE_MIN: a knee pulled up bent is not the stretched leg), the
# clearly straighter knee (25° straighter: the other one is bent, as in a seated
# stretch with one foot tucked in), the foot a half shank ahead (a staggered
# standing stretch), else the leg nearer the camera (feet together or crossed);
# where only one leg is seen, that one [own defaults]. The raised leg comes first:
# its knee reads bent frame to frame when it points at the camera, and the
# standing leg then read straighter (a real elevated stretch: the raised knee
# read 86-180°, the standing one 158-177°, their folds 47-128° against 130-152°).
STRETCH_KNEE_MARGIN = 25.0
STRETCH_FOLD_MARGIN = 20.0
HS_FOOT_AHEAD = 0.5


def _leg_gaps(b: Joints) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """What tells the legs apart [N each]: this knee's and the other knee's 3D
    angles, this knee straighter by (dk, °), this hip folded deeper by (df, °),
    and this foot ahead by (foot_ahead, shank lengths)."""
    knee, o_knee = knee_angle_3d(b), _other(knee_angle_3d, b)
    df = _other(hip_fold_3d, b) - hip_fold_3d(b)
    return knee, o_knee, knee - o_knee, df, foot_ahead(b)


def is_stretched_leg(b: Joints) -> np.ndarray:
    """1 where this is the stretched leg of a hamstring stretch, else 0; NaN unseen."""
    knee, o_knee, dk, df, ahead = _leg_gaps(b)
    nearer = b.w("hip")[..., 2] < b.w("o_hip")[..., 2]
    straight, o_straight = knee_straightness(b), _other(knee_straightness, b)
    with np.errstate(invalid="ignore"):
        # (a raised knee that cannot be read from this view is not read bent)
        raised = (np.abs(df) > STRETCH_FOLD_MARGIN) & ~(np.where(df > 0, straight, o_straight) <= HS_KNEE_MIN)
        out = np.where(raised, df > 0,
                       np.where(np.abs(dk) > STRETCH_KNEE_MARGIN, dk > 0,
                                np.where(np.abs(df) > STRETCH_FOLD_MARGIN, df > 0,
                                         np.where(np.abs(ahead) > HS_FOOT_AHEAD, ahead > 0, nearer))))
    # The other leg hidden behind this one (side-on, feet together): this is the leg seen.
    out = np.where(np.isfinite(o_knee), out, True)
    return np.where(np.isfinite(knee), out.astype(float), np.nan)


def legs_alike(b: Joints) -> np.ndarray:
    """1 where neither leg stands out as the stretched one by is_stretched_leg's
    rules (folds within STRETCH_FOLD_MARGIN, knees within STRETCH_KNEE_MARGIN, feet
    within HS_FOOT_AHEAD of level): a two-legged forward fold, picked only by which
    leg is nearer the camera; else 0; NaN where either leg is unseen."""
    _, _, dk, df, ahead = _leg_gaps(b)
    with np.errstate(invalid="ignore"):
        alike = (np.abs(df) <= STRETCH_FOLD_MARGIN) & (np.abs(dk) <= STRETCH_KNEE_MARGIN) & (np.abs(ahead) <= HS_FOOT_AHEAD)
    seen = np.isfinite(dk) & np.isfinite(df) & np.isfinite(ahead)
    return np.where(seen, alike.astype(float), np.nan)


# The position of a hamstring stretch, standing (staggered, feet together or
# crossed), seated or lying: the stretched knee nearly straight (above 140°; the
# knee_bent fault judges straightness, 170°) and the hips folded (trunk to thigh
# under 140°: standing tall reads about 170) [own defaults].
HS_KNEE_MIN = 140.0
HS_FOLD_MAX = 140.0
# Sitting upright with the legs out, or standing tall, also keeps the hips at or
# under 140°; the stretch leans the trunk forward (or lies it down) at least 20°
# from upright on screen [own default; real seated clips sit at 0-12° between
# folds and lean 25-60° in them], or raises the stretched leg: its hip folded more
# than the other's by as much (STRETCH_FOLD_MARGIN, also 20°; a real seated
# stretch with the thigh hugged up, trunk upright at 8-10°, read 30-49° deeper).
HS_TRUNK_MIN = 20.0


def lean_or_raise(b: Joints) -> np.ndarray:
    """The two ways a hamstring stretch folds the hip [N] (°): the trunk's lean from
    upright on screen (trunk_lean), or, where more, how much deeper this leg's hip
    is folded than the other's in 3D (the stretched leg raised: lying, sitting or
    standing with the foot up)."""
    return np.fmax(trunk_lean(b), _other(hip_fold_3d, b) - hip_fold_3d(b))


HAMSTRING_STRETCH = Exercise(
    name="hamstring_stretch",
    title="Standing hamstring stretch",
    kind="hold",
    # The trunk lean is what is held still; it is the steadiest signal (mid-points,
    # a long segment), while the hip and knee angles jitter past the hold
    # detector's 15°/s frame to frame on noisy tracks.
    drive="trunk_lean",
    features={
        "hip_hinge": hip_flexion,  # 180 - angle(shoulder, hip, knee) of the stretched leg
        "stretched_leg": is_stretched_leg,
        "knee_angle_3d": knee_angle_3d,
        "knee_straightness": knee_straightness,
        "hip_fold_3d": hip_fold_3d,
        "knee_angle": knee_angle,
        "back_curve": back_curve,
        "trunk_lean": trunk_lean,
        "lean_or_raise": lean_or_raise,
        "legs_alike": legs_alike,
    },
    position=(
        Check("stretched_leg", ">", 0.5),
        Check("knee_straightness", ">", HS_KNEE_MIN,
              "your {side} knee stayed bent: {value:.0f}°, and the stretched knee should be nearly straight "
              "(above {limit:.0f}°)", needs=("hip", "knee", "ankle")),
        Check("hip_fold_3d", "<", HS_FOLD_MAX,
              "you did not fold forward at the hips: your trunk and {side} thigh stayed at {value:.0f}° "
              "(folding brings them under {limit:.0f}°)", needs=("shoulder", "hip", "knee")),
        Check("lean_or_raise", ">", HS_TRUNK_MIN,
              # s33: the parenthesis "(the larger of the trunk's lean from vertical and how much higher ...)"
              # needed a second read.
              "your trunk stayed upright and your {side} thigh was not raised: your trunk's forward lean, or your "
              "{side} thigh's lift above the other, was only {value:.0f}° (the stretch needs one of them over "
              "{limit:.0f}°)", needs=("shoulder", "hip")),
    ),
    metrics=(
        Metric("knee_angle_deg", "knee_angle", "hold_median", label="stretched knee angle (180 = straight)"),
        Metric("back_curve_deg", "back_curve", "hold_median", label="head and upper back curled off the trunk line"),
        Metric("hip_hinge_deg", "hip_hinge", "hold_median", label="hinge between trunk and stretched thigh"),
        Metric("trunk_lean_deg", "trunk_lean", "hold_median", label="trunk lean from upright"),
    ),
    faults=(
        Fault("knee_bent", (Cond("knee_angle_deg", "<", 170.0, margin=KNEE_MARGIN_DEG),),
              cue="Keep the front knee straight, heel on the floor and toes up",
              label="Stretched knee bent",
              source="own default 170° (clinical-criteria.md 3.5: full knee extension, protocol)",
              views=("side", "oblique"), needs=("hip", "knee", "ankle")),
        Fault("back_rounded", (Cond("back_curve_deg", ">", 25.0),),
              cue="Hinge at your hips with a flat back: chest up, don't curl your head down",
              label="Back rounds instead of hinging at the hips",
              source="own default 25°, weak proxy (BlazePose puts the ears 10-15° forward of the trunk line even upright) (no spine landmarks); clinical-criteria.md 3.5: forward "
                     "pelvic tilt matters more than the stretch method (Sullivan 1992)",
              views=("side",), needs=("shoulder", "hip"), in_plane=(("shoulder", "hip"),)),
        Fault("short_hold", (Cond("duration_s", "<", 30.0, target=True),),
              cue="Hold the stretch longer: about 30 seconds each side",
              cue_both_legs="Hold the stretch longer: about 30 seconds",
              label="Hold too short",
              source="30 s (clinical-criteria.md 3.5: Bandy & Irion 1994/1997; ACSM 10-30 s); "
                     "the user's hold target replaces it"),
    ),
    views=("side", "oblique"),
    best_view="side",
    camera_tip=("Stand side-on to the camera, about 2.5 m away at hip height, with your whole body in frame; "
                "put the leg you stretch forward, heel down, and hinge forward at the hips. Stretch with that leg "
                "nearer the camera (turn around for the other side): the far leg is often hidden."),
    hold=HoldParams(),
    # A forward fold with the feet together and both knees straight stretches both
    # hamstrings (a real standing fold was told "only the left side was held;
    # switch", session 23).
    both_legs="legs_alike",
    # Filmed from the front, a raised leg's knee points at the camera and cannot
    # be read (KNEE_IN_PLANE_MIN): a still period in that position is a hold whose
    # position was not checked, said so.
    unread_holds=True,
    # The legs overlap side-on; the position checks read each knee by its label,
    # and a label repair that locked onto swapped legs for 1.1 s split a hold on a
    # kit track (seed 3); 0.5 s kept every hold whole over 6 REALISTIC clips [own, measured].
    long_swap_s=0.5,
)


# ---- running lunge -------------------------------------------------------------------


def back_foot_drop(b: Joints) -> np.ndarray:
    """How far the other (back) foot is below the mid-hip on screen, in torso
    lengths (mid-hip -> mid-shoulder) [N]; negative with the foot above the hips.
    The back ankle is paired with the back knee (see _paired)."""
    hip = _mid(b, "hip")
    torso = np.linalg.norm(_mid(b, "shoulder") - hip, axis=-1)
    _, back = _paired(b, "ankle")
    with np.errstate(invalid="ignore", divide="ignore"):
        return (back[..., 1] - hip[..., 1]) / torso

# In position: this foot ahead of the other by more than one shank and this knee
# bent (below 150°); kneeling, half-kneeling and upright lunges all count, with
# or without the hands down [own defaults].
RL_FOOT_AHEAD = 1.0
RL_MAX_KNEE_DEG = 150.0
# ... and the back foot on the floor or on a support, at most at hip height: a
# back foot lifted clearly above the hips is another pose (a real lizard lunge
# lifting its back leg into an arm balance: the back ankle 0.6-0.85 torso lengths
# above the mid-hip; a real couch stretch's back foot up on the seat read 0.0-0.1
# below it, kneeling and half-kneeling lunges 0.3-1.4 below) [own: half-way, 0.3].
RL_BACK_FOOT_MIN = -0.3


RUNNING_LUNGE = Exercise(
    name="running_lunge",
    title="Running lunge",
    kind="hold",
    # The front leg's angle to the trunk settles only once the foot is planted (the
    # back leg stays in line with the trunk all the way from the plank), so it
    # times the hold; long segments and mid-points keep it steady.
    drive="front_leg",
    features={
        "back_hip_angle": back_hip_angle,
        "front_leg": front_leg_angle,
        "foot_ahead": foot_ahead,
        "shin_forward": shin_forward,
        "knee_angle": knee_angle,
        "back_foot_drop": back_foot_drop,
    },
    position=(
        Check("foot_ahead", ">", RL_FOOT_AHEAD,
              "your {side} foot never stepped far enough forward: {value:.1f} shank lengths ahead of the other "
              "foot (a lunge needs more than {limit:.1f})", needs=("ankle", "o_ankle"),
              says_negative="your {side} foot never stepped forward: it stayed {value:.1f} shank lengths behind the "
                            "other foot (a lunge puts it more than {limit:.1f} ahead)"),
        Check("knee_angle", "<", RL_MAX_KNEE_DEG,
              "your front knee stayed straight: {value:.0f}°, and a lunge bends it below {limit:.0f}°",
              needs=("hip", "knee", "ankle")),
        Check("back_foot_drop", ">", RL_BACK_FOOT_MIN,
              "your back foot was lifted above your hips ({value:.1f} torso lengths below them; a lunge keeps it "
              "on the floor or a support, no higher than {limit:.1f})", needs=("o_knee", "o_ankle")),
    ),
    metrics=(
        Metric("shin_forward_deg", "shin_forward", "hold_median", label="front shin ahead of vertical"),
        Metric("back_hip_angle_deg", "back_hip_angle", "hold_median",
               label="angle at the hip between trunk and back leg (180 = in line, above = hips pressed past it)"),
        Metric("front_knee_angle_deg", "knee_angle", "hold_median", label="front knee angle"),
    ),
    faults=(
        Fault("front_knee_forward", (Cond("shin_forward_deg", ">", 15.0, margin=KNEE_MARGIN_DEG),),
              cue="Keep the front knee over the ankle: shin upright",
              label="Front knee drifts past the ankle",
              source="own default 15° (clinical-criteria.md 3.6: knee over ankle, activeOC)",
              views=("side",), needs=("knee", "ankle")),
        Fault("hips_high", (Cond("back_hip_angle_deg", "<", 160.0, margin=ANGLE_MARGIN_DEG),),
              cue="Press your hips forward and down, back leg long",
              label="Hips not pressed forward",
              source="own default 160° (clinical-criteria.md 3.6: back-leg angle(shoulder, hip, knee))",
              views=("side",), needs=("o_hip", "o_knee"),
              in_plane=(("o_shoulder", "o_hip"), ("o_hip", "o_knee"))),
        Fault("short_hold", (Cond("duration_s", "<", 30.0, target=True),),
              cue="Hold the lunge longer: about 30 seconds each side",
              label="Hold too short",
              source="own default 30 s within 20-30 s (clinical-criteria.md 3.6; ACSM); "
                     "the user's hold target replaces it"),
    ),
    views=("side", "oblique"),
    best_view="side",
    camera_tip=("Put the camera at your side, about 2.5 m away and low (knee to hip height), with your whole "
                "body in frame from hands to back foot. Step forward with the leg nearer the camera (turn around "
                "for the other side): the far leg is often hidden."),
    hold=HoldParams(),
    # Shifting the hips forward into the stretch bends the front knee (real
    # half-kneeling stretches: 124 -> 53° and 77 -> 50°) while the front-leg angle
    # may stay within its band: the set-up is not the hold.
    held_too=("knee_angle",),
    # Side-on, the far leg's knee is often lost while both feet are seen: a still
    # lunge stance (the front foot read more than a shank ahead, the back foot
    # down) whose front knee cannot be read is a hold whose position was not
    # checked, said so. Standing still with the legs unseen is not.
    unread_holds=True,
    unread_reads=("foot_ahead",),
)

