"""Rep and hold detection as pure step functions over one driving signal.

`rep_step(state, t, value, params) -> (state, RepEvent | None)` and
`hold_step(state, t, value, ok, params) -> (state, HoldEvent | None)` run the same
way live (one sample per camera frame) and offline (`run_reps`, `run_holds`
loop over a whole signal). A NaN value means "not visible": the state freezes
rather than counting noise.

Rep logic (clinical-criteria.md §4): the signal is normalised to the user's own
range, p = (value - rest) / range, calibrated on their first full reps. A rep
starts when p rises above `engage`, reaches the top above `top`, and is
counted when p falls back below `release` (hysteresis: no single threshold).
A movement that never reaches `top` but peaks above `partial_min` is a partial
rep. Reps shorter than `min_rep_s` or longer than `max_rep_s` are rejected.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

import numpy as np

__all__ = [
    "RepParams",
    "RepState",
    "RepEvent",
    "rep_step",
    "run_reps",
    "HoldParams",
    "HoldState",
    "HoldEvent",
    "hold_step",
    "close_hold",
    "run_holds",
    "split_sets",
]


@dataclass(frozen=True)
class RepParams:
    min_range_deg: float = 15.0  # smallest movement that can be a rep [own]
    # Enter the top above 0.7 of the calibrated range, count on return below 0.3
    # [own; clinical-criteria.md §4, after MediaPipe's enter/exit hysteresis].
    engage: float = 0.3
    top: float = 0.7
    release: float = 0.3
    rest_level: float = 0.1  # p at which a rep's start time is taken [own]
    end_level: float = 0.1  # a rep ends back within 10% of its own excursion from rest [own]
    partial_min: float = 0.35  # a partial rep must reach this share of the range [own]
    # Reject reps shorter than 0.8 s or longer than 10 s [own; clinical-criteria.md §4].
    min_rep_s: float = 0.8
    max_rep_s: float = 10.0
    calib_reps: int = 3  # full reps whose median amplitude sets the range [own]
    settle_s: float = 1.0  # after release, wait this long at most for the return to rest
    lost_s: float = 2.0  # a rep in progress is abandoned after this long unseen [own]
    warm_s: float = 0.5  # after the person (re)appears, let the signal settle this long before counting [own]
    stall_s: float = 3.0  # a rise that stalls below the top this long is a new rest level, not a rep [own]


@dataclass(frozen=True)
class RepEvent:
    start_t: float
    peak_t: float
    end_t: float
    start_i: int
    peak_i: int
    end_i: int
    peak_value: float
    rest_value: float
    p_peak: float  # peak as a share of the calibrated range
    partial: bool

    @property
    def amplitude(self) -> float:
        return self.peak_value - self.rest_value

    @property
    def duration_s(self) -> float:
        return self.end_t - self.start_t


@dataclass(frozen=True)
class RepState:
    phase: str = "rest"  # rest | up | settle
    i: int = -1
    rest: float = math.nan  # calibrated rest value
    range: float = math.nan  # calibrated range (amplitude of a full rep)
    amplitudes: tuple[float, ...] = ()  # amplitudes of calibration reps
    trough: float = math.nan  # lowest value since the last rep
    trough_t: float = math.nan
    trough_i: int = -1
    start_t: float = math.nan  # last time at rest level
    start_i: int = -1
    peak: float = math.nan
    peak_t: float = math.nan
    peak_i: int = -1
    reached_top: bool = False
    progress_t: float = math.nan  # last time the rise made real progress (>= 10% of min range)
    progress_v: float = math.nan
    release_t: float = math.nan
    end_min: float = math.nan
    end_min_t: float = math.nan
    end_min_i: int = -1
    last_seen_t: float = math.nan
    warm_until: float = math.nan
    rejected: int = 0  # too short / too long / lost
    count: int = 0


def _p(state: RepState, value: float, params: RepParams) -> float:
    rng = state.range if math.isfinite(state.range) else params.min_range_deg
    return (value - state.rest) / max(rng, params.min_range_deg * 0.5)


def _emit(state: RepState, end_t: float, end_i: int, params: RepParams) -> tuple[RepState, RepEvent | None]:
    p_peak = _p(state, state.peak, params)
    duration = end_t - state.start_t
    big_enough = state.reached_top or p_peak >= params.partial_min
    valid = big_enough and params.min_rep_s <= duration <= params.max_rep_s
    ev = None
    amplitudes = state.amplitudes
    rng = state.range
    if valid:
        ev = RepEvent(
            start_t=state.start_t, peak_t=state.peak_t, end_t=end_t,
            start_i=state.start_i, peak_i=state.peak_i, end_i=end_i,
            peak_value=state.peak, rest_value=state.rest, p_peak=p_peak, partial=not state.reached_top,
        )
        if state.reached_top and len(amplitudes) < params.calib_reps:
            amplitudes = amplitudes + (state.peak - state.rest,)
            rng = float(np.median(amplitudes))
    new = replace(
        state, phase="rest", amplitudes=amplitudes, range=rng,
        trough=math.nan, trough_t=math.nan, trough_i=-1,
        start_t=end_t, start_i=end_i, peak=math.nan, reached_top=False,
        # Only real movements that failed the timing rules count as rejected;
        # small wiggles are noise and are dropped silently.
        rejected=state.rejected + (1 if big_enough and not valid else 0), count=state.count + (1 if valid else 0),
    )
    return new, ev


def _back_to_rest(state: RepState, value: float, params: RepParams) -> bool:
    """Back within end_level of this rep's own excursion (so small reps end properly too)."""
    return value <= state.rest + params.end_level * (state.peak - state.rest)


def rep_step(state: RepState, t: float, value: float, params: RepParams) -> tuple[RepState, RepEvent | None]:
    """Advance the rep state machine by one sample (time s, signal value in degrees)."""
    i = state.i + 1
    if not math.isfinite(value):
        state = replace(state, i=i)
        if state.phase != "rest" and math.isfinite(state.last_seen_t) and t - state.last_seen_t > params.lost_s:
            # The person was out of view too long: abandon the rep in progress.
            state = replace(state, phase="rest", peak=math.nan, reached_top=False, rejected=state.rejected + 1,
                            trough=math.nan, start_t=math.nan)
        return state, None
    if not math.isfinite(state.last_seen_t) or t - state.last_seen_t > params.lost_s:
        # First sight, or back after a long absence: settle before counting.
        if state.phase != "rest":
            state = replace(state, phase="rest", peak=math.nan, reached_top=False, rejected=state.rejected + 1)
        state = replace(state, warm_until=t + params.warm_s)
    state = replace(state, i=i, last_seen_t=t)
    if state.phase == "rest" and t < state.warm_until:
        return replace(state, rest=value, trough=value, trough_t=t, trough_i=i, start_t=t, start_i=i), None
    if state.phase == "rest":
        if not math.isfinite(state.trough) or value <= state.trough:
            state = replace(state, trough=value, trough_t=t, trough_i=i)
        # The rest level is the lowest point since the last rep (it follows drift).
        state = replace(state, rest=state.trough)
        p = _p(state, value, params)
        if p <= params.rest_level or not math.isfinite(state.start_t):
            state = replace(state, start_t=t, start_i=i)
        if p > params.engage:
            state = replace(state, phase="up", peak=value, peak_t=t, peak_i=i, reached_top=p >= params.top,
                            progress_t=t, progress_v=value)
        return state, None
    if state.phase == "up":
        if value > state.peak:
            state = replace(state, peak=value, peak_t=t, peak_i=i)
        if value >= state.progress_v + 0.1 * params.min_range_deg:
            state = replace(state, progress_t=t, progress_v=value)
        p = _p(state, value, params)
        if p >= params.top:
            state = replace(state, reached_top=True)
        if not state.reached_top and t - state.progress_t > params.stall_s:
            # The baseline moved (the person shifted position): re-anchor rest here.
            return replace(state, phase="rest", peak=math.nan, reached_top=False,
                           trough=value, trough_t=t, trough_i=i, rest=value, start_t=t, start_i=i), None
        if t - state.start_t > params.max_rep_s:
            # Stuck at the top (a hold, or the person stopped): not a rep.
            return replace(state, phase="rest", peak=math.nan, reached_top=False, rejected=state.rejected + 1,
                           trough=value, trough_t=t, trough_i=i, start_t=t, start_i=i), None
        if p < params.release:
            state = replace(state, phase="settle", release_t=t, end_min=value, end_min_t=t, end_min_i=i)
            if _back_to_rest(state, value, params):
                return _emit(state, t, i, params)
        return state, None
    # settle: wait for the return to rest to time the end of the rep.
    p = _p(state, value, params)
    if value < state.end_min:
        state = replace(state, end_min=value, end_min_t=t, end_min_i=i)
    if _back_to_rest(state, value, params):
        return _emit(state, t, i, params)
    if p > params.engage or t - state.release_t > params.settle_s:
        new, ev = _emit(state, state.end_min_t, state.end_min_i, params)
        if p > params.engage:  # already going up again
            new = replace(new, phase="up", peak=value, peak_t=t, peak_i=i, progress_t=t, progress_v=value,
                          reached_top=_p(new, value, params) >= params.top)
        return new, ev
    return state, None


def run_reps(times: np.ndarray, values: np.ndarray, params: RepParams) -> tuple[list[RepEvent], RepState]:
    """Offline: the same step function over a whole signal. times, values [N]."""
    state = RepState()
    events: list[RepEvent] = []
    for t, v in zip(times, values):
        state, ev = rep_step(state, float(t), float(v), params)
        if ev is not None:
            events.append(ev)
    if state.phase == "settle":  # the clip ended on the way down
        state, ev = _emit(state, state.end_min_t, state.end_min_i, params)
        if ev is not None:
            events.append(ev)
    return events, state


# ---- holds ------------------------------------------------------------------------


@dataclass(frozen=True)
class HoldParams:
    # In band: within +-10° of the held position and moving slower than 15°/s
    # [own; clinical-criteria.md §4 holds: +-10°, 10-15°/s].
    band_deg: float = 10.0
    max_speed_dps: float = 15.0
    # Tolerate short interruptions (dropouts, a fidget). 0.3 s is the literature's
    # gap for landmarks (§4); we allow 1 s of lost tracking [own].
    max_gap_s: float = 1.0
    min_hold_s: float = 5.0  # shorter still periods are transitions, not holds [own]
    target_s: float = 30.0


@dataclass(frozen=True)
class HoldEvent:
    start_t: float
    end_t: float
    start_i: int
    end_i: int
    value: float  # median of the driving signal while held

    @property
    def duration_s(self) -> float:
        return self.end_t - self.start_t


@dataclass(frozen=True)
class HoldState:
    active: bool = False
    i: int = -1
    start_t: float = math.nan
    start_i: int = -1
    last_ok_t: float = math.nan
    last_ok_i: int = -1
    ref: float = math.nan
    values: tuple[float, ...] = field(default=(), repr=False)
    prev_t: float = math.nan
    prev_v: float = math.nan


def close_hold(state: HoldState, params: HoldParams) -> tuple[HoldState, HoldEvent | None]:
    ev = None
    if state.active and state.last_ok_t - state.start_t >= params.min_hold_s:
        ev = HoldEvent(state.start_t, state.last_ok_t, state.start_i, state.last_ok_i, float(np.median(state.values)))
    return replace(state, active=False, values=(), ref=math.nan), ev


def hold_step(state: HoldState, t: float, value: float, in_position: bool,
              params: HoldParams) -> tuple[HoldState, HoldEvent | None]:
    """Advance hold detection by one sample. `in_position` says whether the posture
    of the stretch is there (e.g. a hip hinge with one leg straight); `value` is
    the driving angle in degrees (NaN when not visible)."""
    i = state.i + 1
    speed = math.inf
    if math.isfinite(value) and math.isfinite(state.prev_v) and t > state.prev_t:
        speed = abs(value - state.prev_v) / (t - state.prev_t)
    elif math.isfinite(value) and not math.isfinite(state.prev_v):
        speed = 0.0
    state = replace(state, i=i, prev_t=t if math.isfinite(value) else state.prev_t,
                    prev_v=value if math.isfinite(value) else state.prev_v)
    ok = bool(in_position) and math.isfinite(value) and speed <= params.max_speed_dps
    if state.active and ok and abs(value - state.ref) > params.band_deg:
        ok = False
    if ok:
        if not state.active:
            return replace(state, active=True, start_t=t, start_i=i, last_ok_t=t, last_ok_i=i, ref=value,
                           values=(value,)), None
        values = state.values + (value,)
        # The reference follows the settled position over the first seconds.
        ref = float(np.median(values[-int(min(len(values), 90)):]))
        return replace(state, last_ok_t=t, last_ok_i=i, values=values, ref=ref), None
    if state.active and t - state.last_ok_t > params.max_gap_s:
        return close_hold(state, params)
    return state, None


def run_holds(times: np.ndarray, values: np.ndarray, in_position: np.ndarray,
              params: HoldParams) -> list[HoldEvent]:
    """Offline: the same hold step function over a whole signal."""
    state = HoldState()
    events: list[HoldEvent] = []
    for t, v, ok in zip(times, values, in_position):
        state, ev = hold_step(state, float(t), float(v), bool(ok), params)
        if ev is not None:
            events.append(ev)
    state, ev = close_hold(state, params)
    if ev is not None:
        events.append(ev)
    return events


def split_sets(starts: list[float], ends: list[float], sides: list[str | None], pause_s: float) -> list[int]:
    """Set number (1-based) for each rep: a new set starts after a pause longer
    than pause_s between reps, or when the working side changes."""
    sets: list[int] = []
    cur = 0
    for k, (s, side) in enumerate(zip(starts, sides)):
        if k == 0 or s - ends[k - 1] > pause_s or side != sides[k - 1]:
            cur += 1
        sets.append(cur)
    return sets
