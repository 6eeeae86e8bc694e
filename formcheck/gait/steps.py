"""Steps of a cleaned running track: the step rhythm, midstance, stance leg,
contact and toe-off (docs/gait.md "Method"), and the standing baseline."""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np

from formcheck.gait.frames import SIDES, Frames, facing
from formcheck.gait.rules import FRONTAL, RUNNING_CADENCE_SPM, SAGITTAL, SPRINT_CADENCE_MAX_SPM
from formcheck.gait.signals import fill, gauss_smooth, noise_sd, peaks, refine, step_period
from formcheck.landmarks import PoseTrack, other_side

__all__ = ["Stance", "detect_steps", "standing_baseline", "alternate_step_times", "GROUND_SPEED_SHARE", "BASELINE_MIN_S"]

# From the side, the foot has landed when it moves back at this share of the ground's
# speed under the body [own: a landing foot is still slightly slower than the belt].
GROUND_SPEED_SHARE = 0.85
# From the side, the pelvis' rhythm gives way to the feet's when the feet agree with each
# other within FEET_AGREE and the pelvis is off the step and the stride by more than
# PELVIS_OFF [own: on run_grass_side_paces_arh (real, tuned on) the pelvis reads 0.18 s and
# 1.03 s on its two sprint shots, where the forward-most heel reads 0.311 and 0.255 s and the
# feet's height difference 0.624 and 0.514 s a stride (0.4% and 0.8% apart; by eye 9 and 8
# frames a step); on its three slower shots all three agree within 10%].
FEET_AGREE = 0.08
PELVIS_OFF = 0.15
# ... and midstance comes this share of a step period after the heel's furthest reach [own: a
# sprint stance lasts about 0.3 of a step period and the foot lands just after the reach].
REACH_TO_MID = 0.2
# ... and the heel's reach also gives the midstances when the pelvis keeps the period but its
# lows are fewer than this share of the steps the period makes in the clip [own:
# run_grass_side_paces_arh's third shot (real, tuned on): 7 lows in 4.7 s at 0.315 s a step].
PELVIS_LOWS_MIN = 0.75
# A still standing period of at least this long at the start is the runner's baseline [own].
BASELINE_MIN_S = 1.0


@dataclass(frozen=True)
class Stance:
    """One stance: side and real times (s) of initial contact, midstance, toe-off."""

    side: str
    contact: float
    toe_off: float
    mid: float | None = None  # the pelvis' lowest point, if known
    estimated: bool = False  # contact and toe-off from the leg's usual timing, not seen

    @property
    def midstance(self) -> float:
        if self.mid is not None and self.contact < self.mid < self.toe_off:
            return self.mid
        return 0.5 * (self.contact + self.toe_off)

    @property
    def stance(self) -> float:
        return self.toe_off - self.contact



def alternate_step_times(steps: list[Stance], min_pairs: int = 3) -> tuple[float, float]:
    """The median time from a left landing to the next right one, and from a right
    landing to the next left one (s). Only consecutive landings of alternating legs
    less than 1.5 typical steps apart are paired, a typical step being half the
    median time between one foot's landings (a missed step is not a long one). NaN
    with fewer than `min_pairs` pairs of either kind."""
    ts = sorted((s.contact, s.side) for s in steps)
    strides = [t1 - t0 for side in ("left", "right")
               for t0, t1 in itertools.pairwise([t for t, sd in ts if sd == side])]
    step = float(np.median(strides)) / 2 if strides else math.nan
    kinds = [[t1 - t0 for (t0, a), (t1, b) in itertools.pairwise(ts) if (a, b) == pair and t1 - t0 < 1.5 * step]
             for pair in (("left", "right"), ("right", "left"))]
    if min(len(k) for k in kinds) < min_pairs:
        return math.nan, math.nan
    lr, rl = (float(np.median(k)) for k in kinds)
    return lr, rl


def _ground_segment(t: np.ndarray, y: np.ndarray, seed: int, lo: int, hi: int, tol: float) -> tuple[int, int]:
    """The longest run of samples [i0, i1] around `seed`, within [lo, hi], that stays
    within `tol` of its own least-squares line: a foot point resting on the ground
    (a treadmill belt moves it toward or away from the camera, so its image height
    drifts along a line). Grown one sample at a time on the side that fits better."""
    if not np.isfinite(y[seed]):
        return seed, seed

    def worst(a: int, b: int) -> float:
        tt, yy = t[a:b + 1], y[a:b + 1]
        if not np.isfinite(yy).all():
            return math.inf
        if b - a < 2:
            return 0.0
        tc = tt - tt.mean()
        slope = float(np.sum(tc * (yy - yy.mean())) / np.sum(tc * tc))
        return float(np.max(np.abs(yy.mean() + slope * tc - yy)))

    i0 = i1 = seed
    while True:
        opts = []
        if i0 - 1 >= lo:
            opts.append((worst(i0 - 1, i1), i0 - 1, i1))
        if i1 + 1 <= hi:
            opts.append((worst(i0, i1 + 1), i0, i1 + 1))
        if not opts:
            break
        err, a, b = min(opts)
        if err > tol:
            break
        i0, i1 = a, b
    return i0, i1


def _ground_line(t: np.ndarray, y: np.ndarray, i0: int, i1: int) -> tuple[np.ndarray, np.ndarray]:
    """The image height of the ground under a foot point [N], from the middle half of
    a run on the ground [i0, i1] (surely on the ground, so slow departures at the
    ends do not bend it), and the residuals there.

    A point carried at constant speed along the belt projects to
    y = (p0 + p1 t) / (1 + p2 t) (a straight line seen in perspective); that model
    is fitted (linear least squares in p) with 5 samples or more, else a line.
    """
    q = max(1, (i1 - i0) // 4)
    c0, c1 = i0 + q, max(i0 + q + 1, i1 - q)
    tt, yy = t[c0:c1 + 1], y[c0:c1 + 1]
    ok = np.isfinite(yy)
    if ok.sum() < 2:
        return np.full_like(t, np.nanmean(yy) if ok.any() else np.nan), np.zeros(0)
    tt, yy = tt[ok], yy[ok]
    t0 = float(tt.mean())
    slope, icept = np.polyfit(tt - t0, yy, 1)
    line = slope * (t - t0) + icept
    if len(tt) >= 5:
        a = np.stack([np.ones_like(tt), tt - t0, -(tt - t0) * yy], axis=1)
        p, *_ = np.linalg.lstsq(a, yy, rcond=None)
        den = 1 + p[2] * (t - t0)
        span = float(np.ptp(t[max(0, i0 - len(tt)):i1 + len(tt)]))
        if abs(p[2]) * span < 0.5:  # a gentle perspective; otherwise keep the line
            line = (p[0] + p[1] * (t - t0)) / den
    fit = np.interp(tt, t, line)
    return line, yy - fit


def _ground_edges(t: np.ndarray, y: np.ndarray, i0: int, i1: int, lo: int, hi: int,
                  thr: float, persist: int) -> tuple[float, float]:
    """Times a foot point lands on and lifts off its ground line (see _ground_line).

    Walking out from the middle of the run, the point has left the ground at the
    first of `persist` samples in a row more than `thr` above the line (image y
    is down, so "above" is a smaller y); the edge is where the height crosses
    thr/2, interpolated between samples.
    """
    ground, _ = _ground_line(t, y, i0, i1)
    r = ground - y  # height above the ground line (leg lengths)
    q = max(1, (i1 - i0) // 4)
    c0, c1 = i0 + q, max(i0 + q + 1, i1 - q)
    half = 0.5 * thr

    def off(j: int) -> bool:
        return not np.isfinite(r[j]) or r[j] > thr

    def walk(i: int, step: int, stop: int) -> float:
        while (i + step - stop) * step <= 0:
            j = i + step
            run = [j + step * m for m in range(persist) if (j + step * m - stop) * step <= 0]
            if all(off(m) for m in run):
                if not np.isfinite(r[j]) or r[j] <= r[i]:
                    return float(t[i])
                w = float(np.clip((r[j] - half) / (r[j] - r[i]), 0.0, 1.0))
                return float(t[j] + w * (t[i] - t[j]))
            i = j
        return float(t[i])

    return walk(c0, -1, lo), walk(c1, 1, hi)


def _alternate(times: list[float], labels: list[str], period: float) -> tuple[list[str], int]:
    """Sides for a run of steps: they alternate (a gap of n periods counts n steps);
    the phase is the one most per-step labels agree with. Returns sides and the
    number of labels that disagreed."""
    parity, k = [], 0
    for n, tc in enumerate(times):
        if n:
            k += max(1, int(round((tc - times[n - 1]) / period)))
        parity.append(k % 2)
    votes = sum(1 if (lab == "left") == (p == 0) else -1 for lab, p in zip(labels, parity))
    first = "left" if votes >= 0 else "right"
    second = other_side(first)
    sides = [first if p == 0 else second for p in parity]
    return sides, sum(1 for a, b in zip(labels, sides) if a != b)



def _pelvis_lows(fr: Frames, t: np.ndarray, leg: float, period: float) -> tuple[np.ndarray, np.ndarray]:
    """The pelvis' lowest points, one per step: sample indices and refined times."""
    dt = float(np.median(np.diff(t)))
    pel = gauss_smooth(t, fr.pelvis_bounce(), period / 8)
    span = float(np.percentile(pel, 95) - np.percentile(pel, 5))
    idx = peaks(pel, max(1, int(0.6 * period / dt)), max(0.01, 0.25 * span))
    return idx, np.array([refine(t, pel, i) for i in idx])


def _robust_offsets(steps: list[Stance], dt: float) -> list[Stance]:
    """Per leg, contact and toe-off offsets from midstance that stray from that
    leg's median by more than max(1.5 frames, 30 ms) are replaced by the median
    (steady running repeats its timing; a stray edge is noise), and steps whose
    feet were not seen get the median offsets (marked estimated)."""
    out = list(steps)
    lim = max(1.5 * dt, 0.03)
    seen_all = [s for s in steps if not s.estimated and s.mid is not None]
    for side in SIDES:
        seen = [s for s in seen_all if s.side == side] or seen_all
        if not seen:
            continue
        a = np.array([s.mid - s.contact for s in seen])
        b = np.array([s.toe_off - s.mid for s in seen])
        ma, mb = float(np.median(a)), float(np.median(b))
        for k, s in enumerate(steps):
            if s.side != side or s.mid is None:
                continue
            if s.estimated:
                out[k] = Stance(s.side, s.mid - ma, s.mid + mb, s.mid, True)
            elif len(seen) >= 3:
                ak, bk = s.mid - s.contact, s.toe_off - s.mid
                c = s.mid - (ak if abs(ak - ma) <= lim else ma)
                e = s.mid + (bk if abs(bk - mb) <= lim else mb)
                out[k] = Stance(s.side, c, e, s.mid)
    return out


def _contacts_sagittal(fr: Frames, t: np.ndarray, leg: float, period: float, seeds: np.ndarray) -> np.ndarray:
    """Contacts seen from the side, one per midstance seed (NaN where not found),
    whatever the left/right labels (BlazePose swaps them in side views).

    The forward-most heel (relative to the hip) reaches forward before each
    contact, then moves back; the foot lands when it moves back nearly as fast
    as the ground carries a standing foot (GROUND_SPEED_SHARE of that speed,
    measured between the reach and midstance).
    """
    fwd = facing(fr)
    hip_x = fr.mid("hip")[:, 0]
    front = fill(t, np.fmax(*(fwd * (fr.p(s, "heel")[:, 0] - hip_x) / leg for s in SIDES)))
    back = -np.gradient(front, t)
    out = np.full(len(seeds), np.nan)
    for n, ts in enumerate(seeds):
        w = np.flatnonzero((t >= ts - 0.8 * period) & (t <= ts))
        if len(w) < 3:
            continue
        f = w[int(np.argmax(front[w]))]
        after = np.flatnonzero((t > t[f]) & (t <= ts))
        if len(after) < 3:
            continue
        v_ground = float(np.median(back[after[len(after) // 3:]]))
        if v_ground <= 0:
            continue
        lim = GROUND_SPEED_SHARE * v_ground
        hit = after[back[after] >= lim]
        if len(hit) == 0:
            continue
        k = hit[0]
        if k - 1 >= 0 and back[k - 1] < lim < back[k]:
            out[n] = t[k - 1] + (lim - back[k - 1]) / (back[k] - back[k - 1]) * (t[k] - t[k - 1])
        else:
            out[n] = t[k]
    return out


def _reach_seeds(fr: Frames, t: np.ndarray, period: float) -> tuple[np.ndarray, np.ndarray]:
    """Midstance seeds, one per step, from the feet when the pelvis' bounce does not
    keep the step's rhythm (`_feet_period`): the forward-most heel's furthest reach
    ahead of the hips comes at about contact; midstance is taken REACH_TO_MID of a
    step period later. Sample indices and times."""
    dt = float(np.median(np.diff(t)))
    x = gauss_smooth(t, fill(t, _front_heel(fr)), period / 8)
    span = float(np.percentile(x, 95) - np.percentile(x, 5))
    idx = peaks(x, max(1, int(0.6 * period / dt)), max(0.01, 0.25 * span))
    times = np.array([refine(t, x, i) for i in idx]) + REACH_TO_MID * period
    keep = times < t[-1]
    times = times[keep]
    return np.searchsorted(t, times).clip(0, len(t) - 1), times


def _steps_vertical(fr: Frames, t: np.ndarray, leg: float, period: float,
                    view: str | None = None,
                    seeds: tuple[np.ndarray, np.ndarray] | None = None) -> tuple[list[Stance], int]:
    """Steps from the pelvis bounce and the feet's vertical motion on screen (any view).

    Midstance: the pelvis is lowest once per step (image y of the mid-hip,
    lightly smoothed). The stance leg is the one whose heel is lower on screen
    there (the other heel is kicked up behind). Around each midstance, the heel
    and the toe of that leg are followed while they rest on the ground: on a
    treadmill the belt carries the foot toward or away from the camera, so a
    point on the ground drifts along a straight line in image height; the point
    is on the ground while it stays on that line (`_ground_segment`,
    `_ground_edges`). Contact is where the first of them lands, toe-off where the
    last one lifts. Tolerances follow the landmarks' noise, measured as the
    spread about those lines over all steps. From the side, contact comes from
    the feet's forward-backward motion instead (`_contacts_sagittal`), which is
    sharper there.
    """
    dt = float(np.median(np.diff(t)))
    seeds, seed_t = _pelvis_lows(fr, t, leg, period) if seeds is None else seeds
    ys = {s: {"heel": fr.p(s, "heel")[:, 1] / leg, "toe": fr.p(s, "toe")[:, 1] / leg} for s in SIDES}
    half = max(1, int(round(0.75 * period / dt)))
    persist = max(1, int(round(0.02 / dt)))
    cands = []
    for i, ti in zip(seeds, seed_t):
        hl, hr = ys["left"]["heel"][i], ys["right"]["heel"][i]
        if not (np.isfinite(hl) or np.isfinite(hr)):
            continue
        side = "left" if np.nan_to_num(hl, nan=-9) >= np.nan_to_num(hr, nan=-9) else "right"
        cands.append((i, float(ti), side, max(0, i - half), min(len(t) - 1, i + half)))

    def segments(tol: dict[str, float]) -> list[list[tuple[np.ndarray, int, int]]]:
        out = []
        for i, _, side, lo, hi in cands:
            segs = []
            for pt in ("heel", "toe"):
                y = ys[side][pt]
                a, b = _ground_segment(t, y, i, lo, hi, tol[side])
                if b - a >= 2:
                    segs.append((y, a, b))
            out.append(segs)
        return out

    # Pass 1: a first tolerance from the signals' own frame-to-frame noise; then the
    # noise is re-measured as the spread about the ground lines, and pass 2 uses it.
    noise = {s: max(noise_sd(ys[s]["heel"]), noise_sd(ys[s]["toe"])) for s in SIDES}
    segs = segments({s: max(0.02, 3.0 * noise[s]) for s in SIDES})
    for side in SIDES:
        res = [r for (_, _, sd, _, _), sg in zip(cands, segs) if sd == side for (y, a, b) in sg
               for r in _ground_line(t, y, a, b)[1]]
        if len(res) >= 6:
            noise[side] = float(np.sqrt(np.mean(np.square(res))))
    segs = segments({s: max(0.015, 3.0 * noise[s]) for s in SIDES})
    ic_side = (_contacts_sagittal(fr, t, leg, period, np.array([c[1] for c in cands]))
               if view in SAGITTAL else np.full(len(cands), np.nan))
    raw: list[Stance] = []
    for (_i, ti, side, lo, hi), sg, ic_h in zip(cands, segs, ic_side):
        thr = max(0.008, 2.5 * noise[side])
        edges = [_ground_edges(t, y, a, b, lo, hi, thr, persist) for (y, a, b) in sg]
        ok = False
        if edges:
            t0, t1 = min(e[0] for e in edges), max(e[1] for e in edges)
            # A landing the foot signal cannot place (noise, a slow heel from this
            # angle) is kept no earlier than the stance mirrored about midstance
            # allows, with some slack (the pelvis is lowest at about mid-stance).
            t0 = max(t0, 2 * ti - t1 - max(dt, 0.3 * (t1 - ti)))
            if np.isfinite(ic_h):
                t0 = float(ic_h)
            ok = 0.08 <= t1 - t0 <= 1.6 * period and t0 < ti < t1
        # The pelvis shows a step the feet do not (a foot hidden or mislabelled):
        # keep it, with its leg's usual timing filled in below.
        raw.append(Stance(side, t0, t1, ti) if ok else Stance(side, ti, ti, ti, estimated=True))
    if not any(not r.estimated for r in raw):
        return [], 0
    sides, disagree = _alternate([r.mid for r in raw], [r.side for r in raw], period)
    steps = [Stance(sd, r.contact, r.toe_off, r.mid, r.estimated) for r, sd in zip(raw, sides)]
    # A stance cut by the start or end of the clip is not a whole step.
    seen = t[np.isfinite(fr.mid("hip")[:, 1])]
    first, last = (seen[0] + 0.5 * dt, seen[-1] - 0.5 * dt) if len(seen) else (t[0], t[-1])
    steps = [s for s in _robust_offsets(steps, dt) if s.contact > first and s.toe_off < last]
    return steps, disagree



def _front_heel(fr: Frames) -> np.ndarray:
    """How far the forward-most heel is ahead of the hips [N], in leg lengths (per
    frame), whichever label it has."""
    hip_x = fr.mid("hip")[:, 0]
    ahead = [facing(fr) * (fr.p(s, "heel")[:, 0] - hip_x) for s in SIDES]
    return np.fmax(*ahead) / fr.leg_scale()


def _feet_agree(t: np.ndarray, fr: Frames, reach: float | None) -> bool:
    """The forward-most heel's period `reach` is within FEET_AGREE of half the period
    of the feet's difference in height (a stride)."""
    if reach is None:
        return False
    stride = step_period(t, (fr.foot_low_y("left") - fr.foot_low_y("right")) / fr.leg_scale())
    return stride is not None and abs(2 * reach / stride - 1) <= FEET_AGREE


def _feet_period(t: np.ndarray, fr: Frames, period: float, reach: float | None) -> float:
    """The step period from the side when the pelvis' rhythm is not the feet's: the
    forward-most heel (`_front_heel`) repeats once per step and the two feet's
    difference in height once per stride; when those two agree (the reach within
    FEET_AGREE of half the stride) and the pelvis' period is neither the reach nor
    twice it (within PELVIS_OFF), the reach is the period. Otherwise `period`."""
    if not _feet_agree(t, fr, reach):
        return period
    assert reach is not None
    if any(abs(period / (m * reach) - 1) <= PELVIS_OFF for m in (1, 2)):
        return period
    return reach


# The step method whose midstances are placed from the heel's forward reach, not seen on the
# ground: its step times hold for the cadence, not for what happens at contact (below).
REACH_METHOD = "forward reach of the feet and vertical foot motion"


def detect_steps(track: PoseTrack, view: str | None) -> tuple[list[Stance], float | None, dict]:
    """Steps of a cleaned track whose times are real time. Returns (steps sorted by
    contact, step period in s or None, info {"label_disagreements": n, "method": ...})."""
    fr = Frames(track)
    t = track.times
    leg = fr.leg_px()
    info: dict = {"label_disagreements": 0, "method": None}
    if not math.isfinite(leg) or leg <= 0 or len(t) < 8:
        return [], None, info
    period = step_period(t, fr.pelvis_bounce())
    if period is None:  # no pelvis bounce: try the feet (one bounce per stride each)
        sp = step_period(t, (fr.foot_low_y("left") - fr.foot_low_y("right")) / fr.leg_scale())
        period = sp / 2 if sp else None
    if period is None:
        return [], None, info
    # From the side or at an angle the two legs' bounces differ, and the pelvis can
    # repeat per stride rather than per step. Each step brings a foot forward, so the
    # forward-most heel (either label) repeats once per step: if it repeats twice
    # per pelvis period, and that makes a running (or sprinting) cadence, the period was a stride.
    # From behind or in front the labels are repaired, and the difference in height
    # of the two feet repeats once per stride: a pelvis period that long is a stride.
    lo, hi = RUNNING_CADENCE_SPM[0], SPRINT_CADENCE_MAX_SPM  # a jog to a sprint
    by_feet = False
    if view in FRONTAL:
        stride = step_period(t, (fr.foot_low_y("left") - fr.foot_low_y("right")) / fr.leg_scale())
        halve = stride is not None and 0.85 <= period / stride <= 1.15
    else:
        reach = step_period(t, _front_heel(fr))
        halve = reach is not None and 1.7 <= period / reach <= 2.3
        feet = _feet_period(t, fr, period, reach)
        by_feet, period = feet != period, feet
    if halve and lo <= 120.0 / period <= hi:
        period = period / 2
    if view not in FRONTAL and not by_feet and _feet_agree(t, fr, reach):
        # The pelvis keeps the rhythm but its lows miss steps: the heel's reach may not.
        span = float(t[-1] - t[0])
        n_pelvis = len(_pelvis_lows(fr, t, leg, period)[0])
        by_feet = (n_pelvis < PELVIS_LOWS_MIN * span / period
                   and len(_reach_seeds(fr, t, period)[0]) > n_pelvis)
    if view not in FRONTAL and by_feet:
        steps, disagree = _steps_vertical(fr, t, leg, period, view, seeds=_reach_seeds(fr, t, period))
        info.update(method=REACH_METHOD, label_disagreements=disagree)
        return steps, period, info
    steps, disagree = _steps_vertical(fr, t, leg, period, view)
    info.update(method="pelvis bounce and vertical foot motion", label_disagreements=disagree)
    return steps, period, info



def standing_baseline(track: PoseTrack) -> tuple[float, float] | None:
    """(start, end) real times of a still standing period at the start of a cleaned
    track, at least BASELINE_MIN_S long, or None. Still: hips, knees and ankles
    each move less than 3% of a leg length (SD over 0.5 s) and the feet are level."""
    fr = Frames(track)
    t = track.times
    leg = fr.leg_px()
    if not math.isfinite(leg) or len(t) < 4:
        return None
    dt = float(np.median(np.diff(t)))
    half = max(1, int(round(0.25 / dt)))
    pts = np.stack([fr.p(s, n) for s in SIDES for n in ("hip", "knee", "ankle")], axis=1) / leg  # [N,6,2]
    n = len(t)
    still = np.zeros(n, bool)
    for i in range(n):
        w = pts[max(0, i - half):i + half + 1]
        if not np.isfinite(w).all():
            continue
        still[i] = bool(np.max(np.std(w, axis=0)) < 0.03)
    level = np.abs(fr.foot_low_y("left") - fr.foot_low_y("right")) / leg < 0.06
    ok = still & level
    first = np.flatnonzero(track.detected)
    if len(first) == 0 or not ok[first[0]]:
        return None
    i0 = first[0]
    i1 = i0
    while i1 + 1 < n and ok[i1 + 1]:
        i1 += 1
    # Leave out the last 0.25 s: the runner may already be starting to move.
    end = t[i1] - 0.25
    if end - t[i0] < BASELINE_MIN_S:
        return None
    return float(t[i0]), float(end)


