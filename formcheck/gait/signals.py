"""Small pure signal tools for gait: t [N] seconds, x [N] values, NaN where unseen."""

from __future__ import annotations

import math

import numpy as np

# Cadences the step detector looks for (steps/min) [own]: wide on purpose, from a
# 4x slowed-down run (~40) to past a sprint's (rules.SPRINT_CADENCE_MAX_SPM, 300), so
# that a clip outside running's range is still measured and then asked about
# (rules.RUNNING_CADENCE_SPM) instead of dropped [was 260 until session 28: a side-view
# sprint at 280 read its stride, 140, and got the low-cadence advice].
CADENCE_RANGE_SPM = (30.0, 300.0)


def fill(t: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Linear fill of NaNs (ends held) so correlations and peak search can run."""
    ok = np.isfinite(x)
    if ok.sum() < 2:
        return np.zeros_like(x)
    return np.interp(t, t[ok], x[ok])


def peaks(x: np.ndarray, min_dist: int, prominence: float) -> np.ndarray:
    """Indices of local maxima of x [N] at least `min_dist` samples apart (taller
    first) that rise at least `prominence` above the lower of the two minima
    separating them from the nearest taller (or equal) sample on each side."""
    x = np.asarray(x, float)
    n = len(x)
    if n < 3:
        return np.zeros(0, int)
    cand = np.flatnonzero((x[1:-1] > x[:-2]) & (x[1:-1] >= x[2:])) + 1
    keep: list[int] = []
    for i in sorted(cand, key=lambda k: -x[k]):
        if any(abs(i - j) < min_dist for j in keep):
            continue
        lows = []
        for side in (x[:i][::-1], x[i + 1:]):
            higher = np.flatnonzero(side >= x[i])
            part = side[: higher[0]] if len(higher) else side
            lows.append(float(part.min()) if len(part) else float(x[i]))
        if x[i] - max(lows) >= prominence:
            keep.append(int(i))
    return np.array(sorted(keep), int)


def refine(t: np.ndarray, x: np.ndarray, i: int) -> float:
    """Sub-sample time of the extremum at sample i (parabola through 3 samples)."""
    if i <= 0 or i >= len(x) - 1:
        return float(t[i])
    a, b, c = x[i - 1], x[i], x[i + 1]
    den = a - 2 * b + c
    off = 0.5 * (a - c) / den if den != 0 else 0.0
    off = float(np.clip(off, -0.5, 0.5))
    dt = (t[i + 1] - t[i - 1]) / 2
    return float(t[i] + off * dt)


def step_period(t: np.ndarray, x: np.ndarray) -> float | None:
    """Dominant step period (s) of a signal bouncing once per step, by autocorrelation
    within CADENCE_RANGE_SPM; None if there is no clear rhythm."""
    if len(t) < 8:
        return None
    dt = float(np.median(np.diff(t)))
    y = fill(t, x)
    y = y - np.mean(y)
    if not np.any(y):
        return None
    ac = np.correlate(y, y, "full")[len(y) - 1:]
    ac = ac / ac[0]
    lo = max(1, int(60.0 / CADENCE_RANGE_SPM[1] / dt))
    hi = min(len(ac) - 2, int(math.ceil(60.0 / CADENCE_RANGE_SPM[0] / dt)))
    if hi <= lo:
        return None
    hi = min(hi, len(ac) // 2)  # a lag needs half the clip to overlap
    if hi <= lo:
        return None
    seg = ac[lo:hi + 1]
    best = float(seg.max())
    if best < 0.2:
        return None
    # The first local maximum nearly as strong as the best: a multiple of the step
    # period (the stride, two strides) correlates about as well and must not win. The
    # lags just outside the range count as neighbours, so a step at the top of the
    # range (a sprint's, a fraction of a frame past `lo`) can be the maximum.
    nb = ac[lo - 1:hi + 2]
    tops = [j for j in range(len(seg)) if nb[j + 1] >= nb[j] and nb[j + 1] >= nb[j + 2]]
    k = lo + next((j for j in tops if seg[j] >= 0.8 * best), int(np.argmax(seg)))
    return refine(np.arange(len(ac)) * dt, ac, k) if 0 < k < len(ac) - 1 else k * dt


def interp_at(t: np.ndarray, x: np.ndarray, tq: float) -> float:
    ok = np.isfinite(x)
    if ok.sum() < 2 or tq < t[ok][0] - 1e-9 or tq > t[ok][-1] + 1e-9:
        return math.nan
    return float(np.interp(tq, t[ok], x[ok]))


def _stray(s: np.ndarray, x: np.ndarray) -> int | None:
    """The one sample far off the parabola through the others (a label swap the
    cleaning missed, a bad landmark), or None: each sample's residual from a
    least-squares parabola through the rest; the worst is stray when it is more
    than 3 robust SDs of the others' residuals, and 3°, off [own]."""
    n = len(s)
    res = np.empty(n)
    for i in range(n):
        o = np.arange(n) != i
        res[i] = x[i] - np.polyval(np.polyfit(s[o], x[o], 2), s[i])
    k = int(np.argmax(np.abs(res)))
    rest = np.delete(res, k)
    mad = float(np.median(np.abs(rest - np.median(rest))))
    return k if abs(res[k]) > max(3.0 * 1.4826 * mad, 3.0) else None


def window_peak(t: np.ndarray, x: np.ndarray, t0: float, t1: float) -> float:
    """Peak of x over [t0, t1]: the highest sample, raised to the top of the
    parabola through it and its two neighbours when it is not at an end of the
    window (a sub-frame peak: at 30 fps a midstance window holds ~5 frames and
    the knee's worst angle mostly falls between two of them). With 7 samples or
    more (60 fps and up), one sample far off a parabola through the others is left
    out first; with fewer (30 fps) a stray frame cannot be told from a sharp peak
    (on the renders the top frame stands up to 10° above its neighbours), so
    left/right swaps are left to the track's cleaning.

    A least-squares parabola through the whole window (the reader before) flattens
    a sharp peak: at 30 fps it read the caving knee low
    (docs/gait.md, "Reading the peak")."""
    m = (t >= t0 - 1e-9) & (t <= t1 + 1e-9) & np.isfinite(x)
    if m.sum() == 0:
        return math.nan
    tt, xx = t[m], x[m]
    if len(xx) >= 7:
        k = _stray((tt - t0) / max(t1 - t0, 1e-9), xx)
        if k is not None:
            tt, xx = np.delete(tt, k), np.delete(xx, k)
    k = int(np.argmax(xx))
    if 0 < k < len(xx) - 1:
        a, b, c = np.polyfit(tt[k - 1:k + 2] - tt[k], xx[k - 1:k + 2], 2)
        if a < 0:  # the vertex lies between the two neighbours when the middle sample is the highest
            return float(c - b * b / (4.0 * a))
    return float(xx[k])


def noise_sd(y: np.ndarray) -> float:
    """Frame-to-frame noise (SD) of a signal [N], from its second differences (robust)."""
    d2 = np.diff(y[np.isfinite(y)], 2)
    if len(d2) < 5:
        return 0.0
    return float(1.4826 * np.median(np.abs(d2 - np.median(d2))) / math.sqrt(6.0))


def gauss_smooth(t: np.ndarray, x: np.ndarray, sigma_s: float) -> np.ndarray:
    """Gaussian smoothing (zero phase) with sigma in seconds; NaNs filled first."""
    dt = float(np.median(np.diff(t)))
    sig = max(0.5, sigma_s / dt)
    k = np.exp(-0.5 * (np.arange(-int(3 * sig), int(3 * sig) + 1) / sig) ** 2)
    y = fill(t, x)
    return np.convolve(np.pad(y, len(k) // 2, mode="edge"), k / k.sum(), mode="valid")



def local_trend(t: np.ndarray, y: np.ndarray, window_s: float) -> np.ndarray:
    """The slow part of y [N] (no NaNs): at each sample, the value of a least-squares
    line through the samples within window_s/2 either side (the window shrinks at
    the clip's ends instead of padding, so a steady drift is followed to the end)."""
    n = len(y)
    if n < 3:
        return y.copy()
    half = window_s / 2
    lo = np.searchsorted(t, t - half, side="left")
    hi = np.searchsorted(t, t + half, side="right")
    tc = t - t[0]
    c = [np.concatenate([[0.0], np.cumsum(v)]) for v in (np.ones(n), tc, tc * tc, y, tc * y)]
    s0, s1, s2, sy, sty = (ci[hi] - ci[lo] for ci in c)
    den = s0 * s2 - s1 * s1
    with np.errstate(invalid="ignore", divide="ignore"):
        slope = np.where(den > 1e-12, (s0 * sty - s1 * sy) / den, 0.0)
        icept = (sy - slope * s1) / s0
    return icept + slope * tc
