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

from formcheck.cleaning import VIS_MIN, clean_track
from formcheck.clip_checks import TWO_PEOPLE, two_people_seen
from formcheck.errors import NoPersonError
from formcheck.gait import rules as R
from formcheck.gait.frames import SIDES, Frames, camera_yaw_deg, clean_frontal, facing, near_leg
from formcheck.gait.metrics import (
    FPPA_CALIBRATION,
    FPPA_CALIBRATION_ONE_POSE,
    NO_CALIBRATION,
    FppaCalibration,
    cadence,
    frontal_metrics,
    sagittal_metrics,
    spread_legs,
)
from formcheck.gait.sanity import (
    MIN_COVERAGE,
    NO_REGULAR_STEPS,
    alternation,
    running_like,
    speed_question,
    swing_clearance,
    too_little,
)
from formcheck.gait.steps import REACH_METHOD, Stance, alternate_step_times, detect_steps, standing_baseline
from formcheck.gait.summary import (
    PELVIC_DROP_NOTE,
    advice_lines,
    leg_summary,
    median_of,
    run_warnings,
    speed_sentence,
    summary_lines,
)
from formcheck.landmarks import Lm, PoseTrack, other_side
from formcheck.results import Step, metrics_json
from formcheck.views import clip_view, frame_views

__all__ = ["GaitOptions", "analyze_running", "seen_stretch", "trunk_cuts", "GAIT_SMOOTH_HZ"]

# Offline low-pass for running [own]: the top of the 6-10 Hz range (clinical-criteria.md §4),
# because a stance lasts only 0.2-0.3 s.
GAIT_SMOOTH_HZ = 10.0
# A cut or a lost person: the hips jump more than this many leg lengths between
# two frames, or the body's size on screen changes by more than this share [own:
# a runner moves ~0.1 leg lengths per frame at 30 fps, even with a panning camera].
CUT_JUMP_LEGS = 0.6
CUT_SCALE_CHANGE = 0.3
# ... and a change of the legs' size between two frames in a row is a cut only where their
# running median over CUT_WINDOW frames changes by this share too [own: half of
# CUT_SCALE_CHANGE; a median keeps a cut's step whole, while the legs' hip-to-ankle size slips
# 30-52% for a frame or two where the pose model loses a runner's legs seen from the side:
# run_indoor_track_side_pan_cuts_darth (real, tuned on) at 1.3, 3.1 and 5.5 s, within one shot
# (looked at), which split its longest shot; its change at 2.2 s, just after a cross-fade,
# stays (median change 0.24) and still splits; the slip at 5.5 s reads 0.13].
CUT_SCALE_KEPT = 0.5 * CUT_SCALE_CHANGE
# A cut between two shots of the same runner framed alike (a tracking shot, run_road_front_bellamy):
# the trunk (mid-shoulder and mid-hip, labels play no part) lands away from where its own
# motion on either side of the two frames puts it by more than this many trunk lengths, or the
# trunk's length on screen changes by more than this (log ratio) beyond its change on either
# side [own: on the real running clips without a cut (benchmarks/real_footage_clips.json) the
# largest are 0.28 and 0.42 (a runner 20% of the frame high); bellamy's four cuts 0.53-0.83
# and, at the one where the legs are lost, a length change of 0.52].
CUT_TRUNK_JUMP = 0.5
CUT_TRUNK_GROWTH = 0.45
# ... and the trunk must stay moved: the median over CUT_WINDOW frames after against
# the CUT_WINDOW before, beyond their steady motion, shifts by more than
# CUT_LEVEL_SHIFT trunk lengths (or log length) [own: bellamy's cuts 0.32-1.02; the
# 0.42 above, hip points lost for two frames, 0.16].
CUT_WINDOW = 5
CUT_LEVEL_SHIFT = 0.25
# ... and the jump is one frame's: a shot change moves the trunk between two frames, while a
# hand-held camera jerked along moves it over a few frames in a row. A jump within a lone run
# of 2 to CUT_JERK_FRAMES frames that each jump off their own motion by more than
# CUT_SHAKE_JUMP trunk lengths (`_jerks`) is the camera, not a cut [own: bellamy's four cuts
# have 0.02-0.14 on the frames either side; a jerk of the panning camera on
# run_indoor_track_side_pan_cuts_darth (real, tuned on; frames 164-166 at 5.5 s, looked at:
# the same shot, the background jumps) has 1.24, 0.70 and 0.34 in a row and a level shift of
# 0.29, which CUT_LEVEL_SHIFT alone called a cut].
CUT_SHAKE_JUMP = 0.25
CUT_JERK_FRAMES = 3
# A cross-fade between two shots blends two runners: the pose model finds nobody for a frame
# or two, then the runner is somewhere else. Gaps of up to this many frames with nobody found
# are closed before the jump is measured, so the jump across them counts [own: darth's two
# cross-fades at 1.8 and 6.7 s each lose the runner for 2 frames, then the hips land 1.2-1.6
# trunk lengths away].
CUT_GAP_FRAMES = 5
# A cut between two shots of a tracking camera that keeps the runner framed alike (the trunk
# lands where it was): the body's shape jumps instead, the runner being at another point of
# the stride. The points shoulders to ankles (hands too, not the feet), each taken relative to the mid-hip, jump off their
# own motion (median over the points, in trunk lengths) by more than CUT_POSE_JUMP at one
# frame, and by more than CUT_POSE_ALONE times as much as at either frame beside it (a point
# lost for one frame jumps off and back, two frames in a row; a fast stride raises the frames
# around). [own: run_grass_side_paces_arh (real, tuned on; five shots of a panning camera,
# runner framed alike) reads 0.35, 0.25, 0.31 and 0.63 at its four cuts, 2.3-7x the frames
# beside them; its trunk moves 0.15, 0.05, 0.63 and 0.33 there, so the trunk rules found one
# only. On the other real running clips the largest single-frame value this alone-ratio lets
# through, outside clips with cuts or two people, is 0.20; a sprinting shot reads up to 0.30 on
# frames next to each other.]
CUT_POSE_JUMP = 0.2
CUT_POSE_ALONE = 2.0
POSE_POINTS = tuple(range(int(Lm.LEFT_SHOULDER), int(Lm.RIGHT_ANKLE) + 1))
# ... unless it is a video's catch-up: a clip filmed at a low or uneven rate and stored at 30 or
# 50 fps repeats frames, and the frame after a repeat carries two or three frames' motion at
# once, alone between still frames. A jump with a repeated frame beside it (`repeated_frames`:
# the body's points move less than REPEAT_SHARE of their median motion over CUT_WINDOW frames
# either side) is a cut only if the torso jumps too: the shoulders, each relative to the mid-hip,
# off their own motion by more than CUT_POSE_TORSO trunk lengths (mean over the shoulders seen).
# A cut changes the camera's angle or distance, so the torso's size, tilt and turn on screen
# change with the limbs; a catch-up moves the limbs along their way, the torso barely.
# [own: nm_high_knees_darebee_amila (real, s27, tuned on): about one frame in three repeated
# (median move 0.001-0.010 trunk lengths against 0.08-0.58), pumping arms and knees jump
# 0.28-0.54 at 1.3, 1.8 and 2.8 s, each next to a repeated frame, with the torso at 0.07-0.08;
# the true cuts the body's shape alone finds, arh's at 2.07, 6.83 and 17.47 s, read 0.19-0.22
# (no repeated frame there), bellamy's 0.29-0.71, a zoom (nm_high_knees_wahoo) 0.64. A jump cut
# with no repeated frames (two shots of one fixed camera, tests/test_gait.py) needs no torso.]
REPEAT_SHARE = 0.25
CUT_POSE_TORSO = 0.12
TORSO_POINTS = (int(Lm.LEFT_SHOULDER), int(Lm.RIGHT_SHOULDER))
# Gaps in the body's visibility up to this long are bridged [own: steps on either
# side still belong to one steady run; the step detector copes with a missed step].
SEEN_GAP_S = 1.0


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
    # A track made with num_poses=1 (--fast-tracking) has its own correction and wider bands.
    if (track.meta.get("pose_mode") or {}).get("num_poses") == 1:
        return FPPA_CALIBRATION_ONE_POSE
    return FPPA_CALIBRATION


# ---- the stretch to analyse -------------------------------------------------------------


def _off_own_motion(p: np.ndarray) -> np.ndarray:
    """[N] for a series p [N,D]: how far p[i] - p[i-1] is from the step before it and
    from the step after it, the smaller of the two (a cut between i-1 and i moves p
    once; one noisy frame, or a steady pan, is matched by one side); NaN where
    p[i-1] or p[i] is unseen, and a missing side counts as no motion."""
    n = len(p)
    out = np.full(n, np.nan)
    if n < 2:
        return out
    d = p[1:] - p[:-1]  # d[i-1] = p[i] - p[i-1]
    zero = np.zeros_like(d[:1])
    before = np.concatenate([zero, d[:-1]])
    after = np.concatenate([d[1:], zero])
    before = np.where(np.isfinite(before), before, 0.0)
    after = np.where(np.isfinite(after), after, 0.0)
    off = np.minimum(np.linalg.norm(d - before, axis=-1), np.linalg.norm(d - after, axis=-1))
    out[1:] = np.where(np.isfinite(d).all(axis=-1), off, np.nan)
    return out


def _level_shift(p: np.ndarray, i: int, k: int = CUT_WINDOW) -> float:
    """How far the median of p [N,D] over the k frames from i moves from its median
    over the k frames before i, beyond k times the median frame-to-frame motion over
    both (NaN when fewer than 3 frames on a side are seen). A cut moves the level for
    good; a point lost for a frame or two comes back and leaves the medians alone."""
    b, a = p[max(0, i - k):i], p[i:i + k]
    if np.isfinite(b).all(axis=-1).sum() < 3 or np.isfinite(a).all(axis=-1).sum() < 3:
        return math.nan
    v = np.nanmedian(np.diff(np.concatenate([b, a]), axis=0), axis=0)
    return float(np.linalg.norm(np.nanmedian(a, axis=0) - np.nanmedian(b, axis=0) - len(b) * v))


def _jerks(shaky: np.ndarray) -> np.ndarray:
    """[N] bool: the frames of a camera's jerk, from `shaky` [N] bool (the trunk jumps
    off its own motion): a run of 2 to CUT_JERK_FRAMES shaky frames in a row with
    no other shaky frame within CUT_WINDOW frames either side. A lone jump is a cut
    (or a glitch, which the level shift tells); a long or repeated run of jumps is a
    track gone wrong, left to the level shift as before."""
    out = np.zeros(len(shaky), bool)
    idx = np.flatnonzero(shaky)
    if len(idx) == 0:
        return out
    runs = np.split(idx, np.flatnonzero(np.diff(idx) > 1) + 1)
    for k, run in enumerate(runs):
        before = runs[k - 1][-1] if k > 0 else -10 ** 9
        after = runs[k + 1][0] if k + 1 < len(runs) else 10 ** 9
        if (2 <= len(run) <= CUT_JERK_FRAMES and run[0] - before > CUT_WINDOW
                and after - run[-1] > CUT_WINDOW):
            out[run] = True
    return out


def _seen_px(track: PoseTrack, points: tuple[int, ...]) -> np.ndarray:
    """[N,P,2] the image points `points`, NaN where not seen (visibility at most VIS_MIN)."""
    return np.where((track.vis > VIS_MIN)[..., None], track.px, np.nan)[:, list(points)]


def _points_off_hip(track: PoseTrack, points: tuple[int, ...]) -> np.ndarray:
    """[N,P] how far each landmark of `points`, relative to the mid-hip, jumps off its own
    motion at frame i (`_off_own_motion`), in trunk lengths (the frame before's)."""
    fr = Frames(track)
    hip = fr.mid("hip")
    trunk = np.linalg.norm(fr.mid("sh") - hip, axis=-1)
    rel = _seen_px(track, points) - hip[:, None, :]
    off = np.stack([_off_own_motion(rel[:, k]) for k in range(rel.shape[1])], axis=1)
    prev = np.concatenate([trunk[:1], trunk[:-1]])
    return off / np.where(prev > 0, prev, np.nan)[:, None]


def _pooled(off: np.ndarray, how=np.nanmedian) -> np.ndarray:
    """[N] the jumps `off` [N,P] pooled over the points seen by `how` (at least
    min(3, P) of them); NaN where too few are seen."""
    enough = np.isfinite(off).sum(axis=1) >= min(3, off.shape[1])
    out = np.full(len(off), np.nan)
    out[enough] = how(off[enough], axis=1)
    return out


def _torso_of(pose_off: np.ndarray) -> np.ndarray:
    """The shoulders' columns (TORSO_POINTS) of `_points_off_hip(track, POSE_POINTS)`."""
    return pose_off[:, [POSE_POINTS.index(k) for k in TORSO_POINTS]]


def pose_jumps(track: PoseTrack) -> np.ndarray:
    """[N] how far the body's shape jumps at frame i, in trunk lengths: the points
    shoulders, elbows, wrists, hips, knees and ankles (POSE_POINTS), each relative to the mid-hip, off their own
    motion (`_off_own_motion`), median over the points seen; NaN where unseen."""
    return _pooled(_points_off_hip(track, POSE_POINTS))


def torso_jumps(track: PoseTrack) -> np.ndarray:
    """[N] how far the torso's shape jumps at frame i: the shoulders relative to the
    mid-hip off their own motion, in trunk lengths, mean over the shoulders seen."""
    return _pooled(_points_off_hip(track, TORSO_POINTS), np.nanmean)


def repeated_frames(track: PoseTrack) -> np.ndarray:
    """[N] bool: frame i repeats frame i-1: the body's points (POSE_POINTS, in the image)
    move a median of less than REPEAT_SHARE times their median motion over the
    CUT_WINDOW frames either side. False where unseen."""
    out = np.zeros(len(track), bool)
    if len(track) < 3:
        return out
    px = _seen_px(track, POSE_POINTS)
    step = np.linalg.norm(px[1:] - px[:-1], axis=-1)
    seen = np.isfinite(step).sum(axis=1) >= 3
    move = np.full(len(track), np.nan)  # move[0] stays unseen: no frame before it
    move[1:][seen] = np.nanmedian(step[seen], axis=1)
    around = np.lib.stride_tricks.sliding_window_view(np.pad(move, CUT_WINDOW, constant_values=np.nan),
                                                      2 * CUT_WINDOW + 1)
    ok = np.isfinite(move)
    out[ok] = move[ok] < REPEAT_SHARE * np.nanmedian(around[ok], axis=1)
    return out


def pose_cuts(track: PoseTrack) -> np.ndarray:
    """[N] bool: a cut just before frame i seen on the body's shape (`pose_jumps`): a
    jump above CUT_POSE_JUMP at frame i, CUT_POSE_ALONE times both frames beside it
    (both seen), and no other jump above CUT_POSE_JUMP within CUT_WINDOW frames; next
    to a repeated frame (`repeated_frames`: a video's catch-up) the torso must jump too
    (`torso_jumps` above CUT_POSE_TORSO)."""
    out = np.zeros(len(track), bool)
    if len(track) < 3:
        return out
    off = _points_off_hip(track, POSE_POINTS)  # the torso's points are among them: computed once
    j = _pooled(off)
    beside = np.maximum(np.concatenate([[np.nan], j[:-1]]), np.concatenate([j[1:], [np.nan]]))
    rep = repeated_frames(track)
    rep_beside = np.concatenate([[False], rep[:-1]]) | np.concatenate([rep[1:], [False]])
    with np.errstate(invalid="ignore"):
        high = np.nan_to_num(j) > CUT_POSE_JUMP
        catch_up = rep_beside & ~(np.nan_to_num(_pooled(_torso_of(off), np.nanmean)) > CUT_POSE_TORSO)
        out[:] = high & (j > CUT_POSE_ALONE * beside) & ~catch_up
    for i in np.flatnonzero(out):  # a lone jump: a track gone wrong jumps again and again
        near = high[max(0, i - CUT_WINDOW):i + CUT_WINDOW + 1]
        out[i] = near.sum() == 1
    return out


def trunk_cuts(track: PoseTrack) -> np.ndarray:
    """[N] bool: a cut between frame i-1 and frame i, seen on the trunk of the
    track as found (before smoothing, which would spread a cut over frames). Two
    things must hold: at that frame the mid-shoulder and mid-hip points jump off
    their own motion by more than CUT_TRUNK_JUMP trunk lengths (on average), or the
    trunk's length on screen changes by more than CUT_TRUNK_GROWTH (log ratio) beyond
    its change on either side; and over CUT_WINDOW frames either side the trunk's
    place or length stays moved (by CUT_LEVEL_SHIFT), so a glitch of a frame or two
    is not a cut; and the jump is not part of a camera's jerk over a few frames
    (`_jerks`). Frames where nobody was found, up to CUT_GAP_FRAMES in a row, are
    passed over (a cross-fade loses the runner for a frame or two) and the jump is
    measured across them; i is then the first frame seen again. Catches a cut between two
    shots of a runner framed alike, which the hips' jump in leg lengths
    (`seen_stretch`) misses."""
    fr = Frames(track)
    sh_all, hip_all = fr.mid("sh"), fr.mid("hip")
    trunk_all = np.linalg.norm(sh_all - hip_all, axis=-1)
    seen = np.isfinite(trunk_all) & (trunk_all > 0)
    out = np.zeros(len(track), bool)
    if seen.sum() < 3:
        return out
    # Rows kept: every seen frame, and one unseen frame standing for each gap that is
    # longer or where somebody was found (trunk points only too faint to use).
    idx = np.flatnonzero(seen)
    rows = [int(idx[0])]
    for a, b in zip(idx[:-1], idx[1:]):
        if b - a - 1 > CUT_GAP_FRAMES or track.detected[a + 1:b].any():
            rows.append(int(a) + 1)
        rows.append(int(b))
    rows_a = np.array(rows)
    sh, hip, trunk = sh_all[rows_a], hip_all[rows_a], trunk_all[rows_a]
    ok = seen[rows_a]
    scale = np.interp(np.arange(len(trunk)), np.flatnonzero(ok), trunk[ok])
    prev_scale = np.concatenate([scale[:1], scale[:-1]])
    log_len = np.log(np.where(ok, trunk, np.nan))[:, None]
    jump = (_off_own_motion(sh) + _off_own_motion(hip)) / 2 / prev_scale
    growth = _off_own_motion(log_len)
    jerk = _jerks(np.nan_to_num(jump) > CUT_SHAKE_JUMP)
    for i in np.flatnonzero(((np.nan_to_num(jump) > CUT_TRUNK_JUMP) | (np.nan_to_num(growth) > CUT_TRUNK_GROWTH))
                            & ~jerk):
        moved = (_level_shift(sh, i) + _level_shift(hip, i)) / 2 / prev_scale[i]
        out[rows_a[i]] = bool(np.nan_to_num(moved) > CUT_LEVEL_SHIFT
                              or np.nan_to_num(_level_shift(log_len, i)) > CUT_LEVEL_SHIFT)
    return out


def seen_stretch(track: PoseTrack, cuts: np.ndarray | None = None) -> tuple[int, int]:
    """[i0, i1) of the longest run of frames where the legs (hips to feet) are seen,
    gaps up to SEEN_GAP_S bridged, not crossing a cut (the hips jump or the body's
    size on screen changes abruptly between two seen frames, or `cuts` [N] bool,
    a cut just before frame i, falls between them: `trunk_cuts`).

    The legs' size is hip to ankle, both legs. Between two frames in a row it must
    change by CUT_SCALE_CHANGE and its running median over CUT_WINDOW frames by
    CUT_SCALE_KEPT: the pose model's legs slip for a frame or two on a runner
    seen from the side, which is no cut."""
    fr = Frames(track)
    pts = np.stack([fr.p(s, k) for s in SIDES for k in ("hip", "knee", "ankle")], axis=1)  # [N,6,2]
    seen = np.isfinite(pts).all(axis=(1, 2))
    idx = np.flatnonzero(seen)
    if len(idx) == 0:
        return 0, 0
    size = np.linalg.norm(pts[:, 0] - pts[:, 2], axis=-1) + np.linalg.norm(pts[:, 3] - pts[:, 5], axis=-1)
    # The size's running median over CUT_WINDOW seen frames: a median keeps a cut's step
    # whole and drops the legs' slips of a frame or two (between two frames in a row; across
    # unseen frames the size itself decides, as a median would mix the two sides).
    steady = np.full(len(size), np.nan)
    half = CUT_WINDOW // 2
    steady[idx] = [np.median(size[idx[max(0, j - half):j + half + 1]]) for j in range(len(idx))]
    hip = (pts[:, 0] + pts[:, 3]) / 2
    t = track.times
    breaks = []
    for a, b in zip(idx[:-1], idx[1:]):
        scale = 0.5 * (size[a] + size[b]) / 2  # one leg
        jump = np.linalg.norm(hip[b] - hip[a]) / max(scale, 1e-9)
        grow = (abs(size[b] - size[a]) / max(size[a], 1e-9) > CUT_SCALE_CHANGE
                and (b - a > 1 or abs(steady[b] - steady[a]) / max(steady[a], 1e-9) > CUT_SCALE_KEPT))
        if (t[b] - t[a] > SEEN_GAP_S or jump > CUT_JUMP_LEGS * max(1, b - a) or grow
                or (cuts is not None and cuts[a + 1:b + 1].any())):
            breaks.append((a, b))
    starts = [idx[0]] + [b for _, b in breaks]
    ends = [a for a, _ in breaks] + [idx[-1]]
    k = int(np.argmax([t[e] - t[s] for s, e in zip(starts, ends)]))
    return int(starts[k]), int(ends[k]) + 1


def whole_leg_seen_s(track: PoseTrack) -> float:
    """Seconds (track time) of the longest run of frames where a whole leg (hip,
    knee and ankle) is seen, gaps up to SEEN_GAP_S bridged: from the side the far
    leg is often hidden behind the near one. Unlike `seen_stretch` it does not
    break at cuts: a squat's legs change size on screen without a cut."""
    fr = Frames(track)
    leg_seen = [np.isfinite(np.stack([fr.p(s, k) for k in ("hip", "knee", "ankle")], axis=1)).all(axis=(1, 2))
                for s in SIDES]
    t = track.times[np.logical_or(*leg_seen)]
    if len(t) == 0:
        return 0.0
    gaps = np.flatnonzero(np.diff(t) > SEEN_GAP_S)
    starts = np.concatenate([[0], gaps + 1])
    ends = np.concatenate([gaps, [len(t) - 1]])
    frame_s = 1.0 / float(track.fps) if track.fps else 0.0
    return float(np.max(t[ends] - t[starts])) + frame_s


def _stretch_sentence(t0: float, t1: float, cut_s: np.ndarray, two_people: bool = False) -> str:
    """The warning for a clip analysed on part of its length; with cuts, it says the
    step rate is that one shot's (shots are never pooled: the pace can change). With
    two people in view a "cut" may be the pose model jumping from one to the other
    (s31: two joggers side by side, one 15 s shot, "cuts found" every second)."""
    if len(cut_s) == 0:
        return (f"Only {t0:.1f}-{t1:.1f} s was analysed: the longest part of the clip with the whole body in view "
                "and no cut found.")
    # Each time once as shown (s35: cuts 0.03 s apart read "5.9, 5.9, 6.4, 6.4").
    shown = list(dict.fromkeys(f"{c:.1f}" for c in cut_s))
    at = ", ".join(shown[:6]) + (", ..." if len(shown) > 6 else "")
    which = (" or jumps of the pose model between the two people in view" if two_people else "")
    return (f"Only {t0:.1f}-{t1:.1f} s was analysed: the longest shot with the whole body in view (cuts{which} "
            f"found at {at} s). Shots are not pooled, as the pace can change from one to the next: the step rate "
            "and the other measures are this shot's.")


def _crop(track: PoseTrack, i0: int, i1: int) -> PoseTrack:
    return track.replace(times=track.times[i0:i1], xy=track.xy[i0:i1], vis=track.vis[i0:i1],
                         world=track.world[i0:i1], detected=track.detected[i0:i1])


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
    two_people = two_people_seen(track)
    warnings: list[str] = [TWO_PEOPLE] if two_people else []
    # Cuts are found on the track as found: smoothing would spread a cut over frames.
    cuts = trunk_cuts(real) | pose_cuts(real)
    i0, i1 = seen_stretch(clean, cuts)
    # Video time: how long the clip runs, and the longest stretch with the whole body seen.
    frame_s = 1.0 / float(track.fps) if track.fps else 0.0
    clip_s = float(track.times[-1] - track.times[0]) + frame_s
    seen_s = whole_leg_seen_s(track)
    if i1 - i0 >= 8 and (i0 > 0 or i1 < len(clean)) and (i1 - i0) < 0.9 * len(clean):
        warnings.append(_stretch_sentence(clean.times[i0] / ts, clean.times[i1 - 1] / ts, real.times[cuts] / ts,
                                          two_people))
        clean = _crop(clean, i0, i1)
    view = clip_view(clean)
    t = clean.times
    fr = Frames(clean)
    leg = fr.leg_px()
    cal = _calibration(track, options.calibration)
    frontal = view in R.FRONTAL
    # The hips moved apart to the joint centres' width (FppaCalibration.hip_width_legs),
    # and how far the camera looks off the line of running (widens the FPPA band).
    hip_scale = cal.hip_scale(fr.hip_width_legs()) if frontal else 1.0
    yaw = camera_yaw_deg(clean) if frontal else math.nan

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
                base = {"fppa_deg": {s: float(np.nanmedian(fr.fppa(s, hip_scale)[sel])) for s in SIDES},
                        "from_s": round(still[0] / ts, 3), "to_s": round(still[1] / ts, 3), "source": "standing"}

    steps_raw, period, info = detect_steps(clean, view)
    reached = info["method"] == REACH_METHOD  # placed from the feet's reach: cadence only
    lr, rl = alternate_step_times(steps_raw)
    uneven = view in R.SAGITTAL and abs(lr - rl) > R.STEP_TIME_ASYM_MAX * (lr + rl) / 2
    contact_seen = not reached and not uneven
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
    little = too_little(len(steps_raw), clip_s, coverage, seen_s)
    not_running = None if little else running_like(clearance, duty, len(steps_raw), cad, alt)
    capture = track.meta.get("capture_fps")
    speed = None if little or not_running else speed_question(cad, stance_med, ts, capture, float(track.fps))
    status = little[0] if little else "not_running" if not_running else (speed[0] if speed else "running")
    if coverage < MIN_COVERAGE and not little:  # `too_little`'s sentence says it otherwise
        warnings.append(f"A person was found in only {coverage:.0%} of frames; steps may be missed. "
                        "Keep your whole body, feet included, in frame.")
    sanity = {"status": status, "clip_s": round(clip_s, 2), "whole_leg_seen_s": round(seen_s, 2),
              "swing_clearance_legs": None if not math.isfinite(clearance) else round(clearance, 3),
              "duty_factor": None if duty is None else round(duty, 3),
              "alternation": None if not math.isfinite(alt) else round(alt, 3),
              "cadence_measured_spm": None if cad is None else round(cad, 1),
              "capture_fps": capture, "suggested_time_scale": speed[1] if speed else None, "question": None}

    steps: list[Step] = []
    square_on: list[bool] = []  # from behind or in front: per step, seen square-on (seen_square_on)
    if status == "running" or status in ("slow_motion", "fast_motion"):
        if view in R.FRONTAL:
            frontal_frames = np.isin(frame_views(clean), R.FRONTAL)
            square_on = [seen_square_on(t, frontal_frames, st) for st in steps_raw]
        steps = _step_reports(steps_raw, fr, t, view, base, leg, cal, ts, options.min_steps_per_leg, hip_scale,
                              contact_seen=contact_seen, square_on=square_on or None)
    judge_ok = status == "running"
    if not judge_ok:
        steps = [s.without_faults() for s in steps]
    fppa_metric = "fppa_over_baseline_deg" if base is not None else "fppa_deg"
    fppa_limit = R.FPPA_OVER_BASELINE_DEG if base is not None else R.FPPA_ABS_DEG
    medians = {s: median_of([x.metrics.get("fppa_deg") for x in steps if x.side == s]) for s in SIDES}
    counts = {s: sum(1 for x in steps if x.side == s) for s in SIDES}
    legs = {}
    for s in SIDES:
        o = other_side(s)
        other = medians[o] if counts[o] >= options.min_steps_per_leg else None
        legs[s] = leg_summary(steps, s, view, options.min_steps_per_leg if judge_ok else 10 ** 9,
                               fppa_limit, fppa_metric, cal.sd_at(yaw, view) if cal.sd_deg else 0.0, other)
    shown_cad = cad if judge_ok else None
    advise_cad = shown_cad is not None and len(steps) >= R.MIN_STEPS_CADENCE_ADVICE
    clip_faults = R.judge({"cadence_spm": shown_cad if advise_cad else math.nan},
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
        "stance_s_median": median_of([s.metrics.get("stance_s") for s in steps]),
        "min_steps_per_leg": options.min_steps_per_leg,
        "legs": legs,
        "baseline": None if base is None else {
            "fppa_deg": {k: round(v, 2) for k, v in base["fppa_deg"].items()},
            "from_s": base["from_s"], "to_s": base["to_s"], "source": base["source"]},
        "fppa_calibration": {"hip_width_legs": cal.hip_width_legs, "hip_scale": round(hip_scale, 3),
                             "spread": cal.spread_for(view), "slope": cal.slope, "offset": cal.offset, "sd_deg": cal.sd_deg,
                             "sd_per_yaw": cal.sd_per_yaw,
                             "leg_sd_deg": round(cal.sd_at(yaw, view), 2) if cal.sd_deg else 0.0,
                             "fitted_on": cal.fitted_on},
        "camera_yaw_deg": round(yaw, 1) if math.isfinite(yaw) else None,
        "faults": [f.to_json() for f in clip_faults],
        "metric_labels": R.METRIC_LABELS,
    }
    if view in R.FRONTAL:
        both = all(counts[s] >= options.min_steps_per_leg for s in SIDES) and judge_ok
        lm, rm = legs["left"].get("fppa_median_deg"), legs["right"].get("fppa_median_deg")
        gait["asymmetry"] = {"fppa_deg": round(lm - rm, 2) if both and None not in (lm, rm) else None}
        gait["step_width_median"] = median_of([s.metrics.get("step_width") for s in steps])
    if view in R.SAGITTAL:
        gait["trunk_lean_median_deg"] = median_of([s.metrics.get("trunk_lean_deg") for s in steps])
        gait["near_leg"] = near_leg(clean)

    unjudged = {f.code for f in R.STEP_FAULTS if view not in (f.views or R.ANY_VIEW)} | set(R.UNMEASURED)
    if little:
        gait["summary_lines"] = [little[1]]
        warnings.append(little[1])
        unjudged |= {f.code for f in R.STEP_FAULTS} | {f.code for f in R.CLIP_FAULTS}
        advice = []
    elif status == "not_running":
        if not_running == NO_REGULAR_STEPS:
            # Not "does not look like running": the recogniser may well have said running; the
            # steps are what could not be read.
            sentence = ("No regular running steps could be read from the part analysed, so no running measures "
                        "were made. Film at least 10 s of steady running in one shot, the camera still and "
                        "the whole body in view.")
        else:
            sentence = (f"This movement does not look like running ({not_running}), so no running measures were "
                        "made. Film at least 10 s of steady running, the whole body in view.")
        gait["summary_lines"] = [sentence]
        warnings.append(sentence)
        unjudged |= {f.code for f in R.STEP_FAULTS} | {f.code for f in R.CLIP_FAULTS}
        advice: list[str] = []
    elif status in ("slow_motion", "fast_motion"):
        q = speed_sentence(status, sanity["suggested_time_scale"], cad, ts, capture, float(track.fps),
                           n_steps=len(steps_raw))
        sanity["question"] = q
        gait["question"] = q
        gait["summary_lines"] = [q]
        warnings.append(q)
        unjudged |= {f.code for f in R.STEP_FAULTS} | {f.code for f in R.CLIP_FAULTS}
        advice = []
    else:
        gait["summary_lines"] = summary_lines(gait, view)
        advice = advice_lines(gait, steps)
        warnings += run_warnings(gait, legs, view, steps, cad, base, info, real.fps, options.min_steps_per_leg)
        if view in R.SAGITTAL and not contact_seen and steps:
            # s26's sprint shot: contacts placed from the heel's reach read a knee bent 105°
            # "at contact" and a foot landing behind the hip with overstride flagged.
            unjudged |= {f.code for f in R.STEP_FAULTS if view in (f.views or R.ANY_VIEW)}
            warnings.append(REACH_NOTE if reached else uneven_note(len(steps_raw), lr, rl))
        turned = square_on.count(False)
        if turned:
            warnings.append(turned_note(turned, len(steps)))
        unseen = sum(1 for s in steps if s.metrics.get(LANDING_UNSEEN))
        if unseen:
            warnings.append(landing_note(unseen, len(steps)))
        if cad is None:
            unjudged.add("low_cadence")
        elif not advise_cad:
            unjudged.add("low_cadence")
            warnings.append(f"Step rate measured from {len(steps)} steps only: at least {R.MIN_STEPS_CADENCE_ADVICE} "
                            "are needed before formcheck advises on it.")
    if view in R.FRONTAL and status == "running":  # no running measure at all is said once, above
        warnings.append(PELVIC_DROP_NOTE)
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


# What a side view reads at a step's landing (sagittal_metrics), and what says the
# landing was not seen (`landing_seen`).
AT_CONTACT = ("overstride", "tibia_angle_deg", "knee_flex_contact_deg")
LANDING_UNSEEN = "landing_unseen"


def landing_seen(m: dict[str, float]) -> dict[str, float]:
    """A step's side-view metrics with the ones read at contact set to NaN, and
    LANDING_UNSEEN 1.0, when the landing leg's knee reads bent more than any runner's
    at landing (R.KNEE_AT_CONTACT_MAX_DEG): that leg or moment was not the landing."""
    if not m.get("knee_flex_contact_deg", math.nan) > R.KNEE_AT_CONTACT_MAX_DEG:
        return m
    return _landing_unseen(m)


def _landing_unseen(m: dict[str, float]) -> dict[str, float]:
    return {**m, **{k: math.nan for k in AT_CONTACT}, LANDING_UNSEEN: 1.0}


def landings_per_leg(mets: list[dict[str, float]], sides: list[str]) -> list[dict[str, float]]:
    """The steps' metrics with every step of a leg marked as not seen landing
    (`landing_seen`) when most of that leg's steps were: the same timing placed the
    rest [own: s29's front-oblique treadmill runner, 7 of its right leg's 10 steps
    read 69-100° at contact, the other 3 a knee bent 44° at contact, more than at
    its midstance]."""
    out = list(mets)
    for side in SIDES:
        mine = [k for k, sd in enumerate(sides) if sd == side]
        if mine and sum(1 for k in mine if out[k].get(LANDING_UNSEEN)) > len(mine) / 2:
            for k in mine:
                out[k] = _landing_unseen(out[k])
    return out


def landing_note(n: int, of: int) -> str:
    """Said when `n` of `of` steps' landings were not seen (`landing_seen`, `landings_per_leg`)."""
    return (f"The landing was not seen on {n} of {of} steps: there (or on most of that leg's steps) the knee read "
            f"bent more than {R.KNEE_AT_CONTACT_MAX_DEG:.0f}° at the moment found, more than any runner's knee when "
            "the foot lands, so the pose model mixed up the legs or missed the landing; overstride, shin angle and "
            "knee bend at landing were not measured on those steps.")


# Said when the steps were timed from the feet's forward reach (steps.REACH_METHOD).
REACH_NOTE = ("The steps of this shot were timed from how far each foot reached forward, not seen landing, so "
              "only steps and cadence were measured: overstride, knee bend and shin angle at landing were not.")


def uneven_note(n: int, lr: float, rl: float) -> str:
    """Said when the legs' landings were found unevenly spaced (R.STEP_TIME_ASYM_MAX)."""
    return (f"Your steps were found alternately {min(lr, rl):.2f} s and {max(lr, rl):.2f} s long; a runner's steps are "
            "nearly equal, so one leg's landings were found early or late (likely a camera at an angle to your "
            f"running, or the legs mixed up). Only the {n} steps and the cadence were measured: overstride, knee bend "
            "and shin angle at landing were not. Film square from the side, at hip height.")


def seen_square_on(t: np.ndarray, frontal: np.ndarray, st: Stance) -> bool:
    """At least half of a step's stance frames seen from behind or in front
    (`frontal`: per frame, views.frame_views in R.FRONTAL). A camera following a
    runner round a bend, or a runner turning, sees some steps side-on, where the
    knee's bend reads as a frontal-plane angle (s30's beach runner: 77-116° "FPPA"
    on the 3 side-on steps of a clip read "back")."""
    sel = (t >= st.contact) & (t <= st.toe_off)
    return bool(sel.any()) and float(np.mean(frontal[sel])) >= 0.5


def turned_note(n: int, of: int) -> str:
    """Said when `n` of `of` steps were not seen square-on (`seen_square_on`)."""
    return (f"{n} of {of} steps were seen from the side or at an angle (you or the camera turned), so their knee "
            "angle and foot placement were not measured; only the steps seen from behind or in front were.")


def _step_reports(steps_raw: list[Stance], fr: Frames, t: np.ndarray, view: str | None, base: dict | None,
                  leg: float, cal: FppaCalibration, ts: float, min_steps: int,
                  hip_scale: float = 1.0, contact_seen: bool = True,
                  square_on: list[bool] | None = None) -> list[Step]:
    """The steps as the report gives them: times (video time), metrics, faults by the rules.
    `contact_seen` False: the step times were placed from the feet's forward reach
    (steps.REACH_METHOD), so nothing read at contact or midstance from the side is measured.
    `square_on` (from behind or in front, per step): False where the step was seen side-on
    (`seen_square_on`), which gets no knee angle or foot placement."""
    fwd = facing(fr)
    mets: list[dict[str, float]] = []
    for k, st in enumerate(steps_raw):
        # Landings not seen (or not placed alike on both legs) time no contact either: only the
        # steps and the cadence are given, as the note says.
        m: dict[str, float] = {"stance_s": st.stance} if contact_seen or view not in R.SAGITTAL else {}
        if view in R.FRONTAL and (square_on is None or square_on[k]):
            m.update(frontal_metrics(fr, t, st, base, cal, hip_scale))
        elif view in R.SAGITTAL and contact_seen:
            m.update(landing_seen(sagittal_metrics(fr, t, st, leg, fwd)))
        mets.append(m)
    sides = [st.side for st in steps_raw]
    if view in R.SAGITTAL:
        mets = landings_per_leg(mets, sides)
    if view in R.FRONTAL and cal.spread_for(view) != 1.0:
        spread_legs(mets, sides, cal.spread_for(view), min_steps)
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
        if (prev is not None and "heel_x_px" in m and "heel_x_px" in prev
                and math.isfinite(m.get("hip_width_px", math.nan))):
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
