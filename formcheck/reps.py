"""Rep and hold detection as pure step functions over one driving signal.

`rep_step(state, t, value, params) -> (state, RepEvent | None)` and
`hold_step(state, t, value, ok, params) -> (state, HoldEvent | None)` run the same
way live (one sample per camera frame) and offline (`run_reps`, `run_holds`
loop over a whole signal). A NaN value means "not visible": the state freezes
rather than counting noise.

Rep logic (clinical-criteria.md §4): the signal is normalised to the user's own
range, p = (value - rest) / range. A movement starts when p rises above
`engage`, reaches the top above `top`, and ends when p falls back below
`release` (hysteresis: no single threshold). Movements shorter than
`min_rep_s` or longer than `max_rep_s` are rejected.

The range is calibrated from the set's repeated movements, not from the first
one: every finished movement's amplitude joins a window of recent amplitudes,
and the range is the median of the largest group of amplitudes that agree with
each other (`set_range`). Until two movements agree, movements wait (pending);
once they do, the pending movements that belong to the set are counted, and
those before the set's first repeated movement that do not match it (settling
in, a fidget) are dropped as set-up. After calibration every movement that
reaches `partial_min` of the range is a rep, a partial one below `top`. At the
end (`flush_reps`, `trim_get_up`), pending movements are counted against their
own largest amplitude, and movements after the set's last repeated one that are
far larger than the set (getting up) are dropped.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

import numpy as np

__all__ = [
    "refine_holds",
    "hold_params",
    "MIN_TARGET_WINDOWS",
    "RepParams",
    "RepState",
    "RepEvent",
    "rep_step",
    "flush_reps",
    "trim_get_up",
    "set_range",
    "run_reps",
    "rep_rate_hz",
    "rep_cutoff_hz",
    "HoldParams",
    "GuardState",
    "guard_step",
    "guard_jumps",
    "HoldState",
    "HoldEvent",
    "hold_step",
    "close_hold",
    "run_holds",
    "split_sets",
    "alternating",
    "centred_median",
    "centred_speed",
    "walk_out",
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
    # A partial rep must reach this share of the range [own]. The pose model reads small
    # clamshell openings smaller than they are: the clamshell sample's rep 3, rendered at 60%
    # of the set's range, reads 0.37 of it offline and 0.31-0.36 through the browser's video
    # (6 live runs, session 27); at 0.30 a browser run now and then lost it. 0.25 left every
    # count, hold and phantom on the 226 real clips unchanged (benchmarks/real_footage.py).
    partial_min: float = 0.25
    # Once the set's range is known, a movement must still be twice the pose model's
    # joint-angle error to be more than noise: 2 x 3.5° (MediaPipe knee angle vs IMU,
    # SD 3.5° from a good side view, Cosoli; clinical-criteria.md §2) [own: the factor 2].
    # Before calibration the floor is top x min_range_deg (the range is not known yet).
    noise_floor_deg: float = 7.0
    # Reject reps shorter than 0.8 s or longer than 10 s [own; clinical-criteria.md §4].
    min_rep_s: float = 0.8
    max_rep_s: float = 10.0
    # The range is the median of the largest group of recent movement amplitudes
    # that agree within agree_ratio (smaller / larger >= 0.7, the same share as
    # `top`, so a rep of the group is a full rep) [own]; calib_window movements
    # are kept (a set of 15 drops its set-up movements from the window) [own].
    agree_ratio: float = 0.7
    calib_window: int = 12
    # After the set's last repeated movement, a movement this many times the
    # range is getting up or moving away, not a rep [own].
    get_up_ratio: float = 1.6
    settle_s: float = 1.0  # after release, wait this long at most for the return to rest
    # After release (p < release = engage), a new rep starts only once the signal has
    # risen again by this share of the range above its lowest point since release:
    # with release and engage equal, a rebound of half a degree on the way down
    # (pose noise) started a phantom movement whose late end raised the next rep's
    # rest level (at 7.5 processed frames/s the clamshell sample's rep 3 was lost so) [own].
    rearm: float = 0.1
    lost_s: float = 2.0  # a rep in progress is abandoned after this long unseen [own]
    # Frames further apart than this are sparse (a slow machine's live loop): the first
    # one after a rep may already be on the next rep's way up, so the rep's own lowest
    # point on the way down is kept as a candidate rest level [own: 15 frames at 30/s].
    sparse_gap_s: float = 0.5
    # After the person (re)appears, let the signal settle this long before counting: the rest level is the
    # latest value (a landmark jump or a switch of working leg reads as a ramp through the smoothing) [own].
    # Except in the clip's opening warm-up (the person first seen within warm_s of its first frame), where
    # the rest is the lowest value since the first sight: a clip that starts, or fades in, with a rep
    # already rising took its rest half way up that rise, and the rep read too small for the set and was
    # dropped as settling in (a real dumbbell clamshell rose 18 -> 75° through its first 0.5 s and read 33°
    # against the set's 52-65°; a park donkey kick, seen from 11° at 0.2 s, read 7° from 80° at 0.7 s) [own].
    warm_s: float = 0.5
    stall_s: float = 3.0  # a rise that stalls below the top this long is a new rest level, not a rep [own]
    # A rep that came down from its top by at least this share of its own
    # excursion (and by the noise floor) and then rises again by the noise floor
    # has ended at that valley, even above the release level: the set's resting
    # level sits above the set-up posture (a real banded clamshell rested 10° open
    # between reps, above the closed knees it started from, and its 6 reps read as
    # one 10 s movement). The valley is the next rep's rest. None: a rep ends only
    # back near rest [own].
    valley_share: float | None = 0.5


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
    in_set: bool = True  # its amplitude agrees with the set's repeated movements

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
    amplitudes: tuple[float, ...] = ()  # amplitudes of recent movements (calibration window)
    calibrated: bool = False  # two movements agreed: the range is the set's
    pending: tuple[RepEvent, ...] = ()  # movements waiting for calibration
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
    dip: float = math.nan  # lowest value since the peak of the rep on its way up
    dip_t: float = math.nan
    dip_i: int = -1
    last_seen_t: float = math.nan
    last_v: float = math.nan  # the last value seen
    unseen: bool = False  # a not-visible sample came since last_seen_t
    warm_until: float = math.nan
    first_t: float = math.nan  # time of the first sample, seen or not (the clip's or session's start)
    opening: bool = False  # the warm-up under way is the clip's opening one (see RepParams.warm_s)
    rejected: int = 0  # too short / too long / lost
    # A movement still under way when the signal ended (see flush_reps): 1 or 0. Not a
    # rejected one: the clip or the session stopped before it could come back down.
    cut_off: int = 0
    dropped: int = 0  # movements that did not match the set (settling in, getting up)
    count: int = 0
    last_peak: float = math.nan  # top of the last movement in the calibration window, until the next one starts
    # A rise taken for a new rest level (stall_s), kept until it comes back down or times out: the "up" state
    # at the stall, or None (see _stalled_rep) [own].
    stalled: RepState | None = field(default=None, repr=False)


def _p(state: RepState, value: float, params: RepParams) -> float:
    rng = state.range if math.isfinite(state.range) else params.min_range_deg
    return (value - state.rest) / max(rng, params.min_range_deg * 0.5)


def set_range(amplitudes: tuple[float, ...] | list[float], agree_ratio: float) -> tuple[float, int]:
    """(range, support) of a set from its movement amplitudes: the median of the
    largest group of amplitudes that agree with one member (smaller / larger >=
    agree_ratio), ties going to the larger movements. (nan, 0) when empty."""
    a = np.asarray(amplitudes, float)
    if len(a) == 0:
        return math.nan, 0
    agree = np.minimum(a[:, None], a[None, :]) >= agree_ratio * np.maximum(a[:, None], a[None, :])
    support = agree.sum(axis=1)
    best = max(range(len(a)), key=lambda k: (int(support[k]), float(np.median(a[agree[k]]))))
    return float(np.median(a[agree[best]])), int(support[best])


def _agrees(amp: float, rng: float, ratio: float) -> bool:
    return min(amp, rng) >= ratio * max(amp, rng)


def _graded(ev: RepEvent, rng: float, params: RepParams) -> RepEvent:
    p = ev.amplitude / max(rng, params.min_range_deg * 0.5)
    return replace(ev, p_peak=p, partial=p < params.top, in_set=_agrees(ev.amplitude, rng, params.agree_ratio))


def _emit(state: RepState, end_t: float, end_i: int, params: RepParams) -> tuple[RepState, tuple[RepEvent, ...]]:
    """A movement ended: reject it, keep it pending until the set's range is
    known, or count it (with any pending movements that belong to the set)."""
    amp = state.peak - state.rest
    duration = end_t - state.start_t
    base = replace(state, phase="rest", trough=math.nan, trough_t=math.nan, trough_i=-1,
                   start_t=end_t, start_i=end_i, peak=math.nan, reached_top=False)
    if not _counts_if_done(state, params):
        return base, ()
    if not params.min_rep_s <= duration <= params.max_rep_s:
        # A real movement that failed the timing rules.
        return replace(base, rejected=state.rejected + 1), ()
    ev = RepEvent(start_t=state.start_t, peak_t=state.peak_t, end_t=end_t,
                  start_i=state.start_i, peak_i=state.peak_i, end_i=end_i,
                  peak_value=state.peak, rest_value=state.rest, p_peak=math.nan, partial=False)
    amps = (state.amplitudes + (amp,))[-params.calib_window:]
    rng, support = set_range(amps, params.agree_ratio)
    base = replace(base, amplitudes=amps, last_peak=state.peak)
    if not state.calibrated and support < 2:
        # Until the set's range is known, detect with the smallest movement so
        # far as the scale: the absolute minimum alone let a one-frame dip below
        # rest hold a rep open until it timed out (kit fire hydrant, REALISTIC).
        pending = state.pending + (ev,)
        scale = max(min(e.amplitude for e in pending), params.min_range_deg)
        return replace(base, pending=pending, range=scale), ()
    queue = state.pending + (ev,)
    dropped = 0
    if not state.calibrated:
        # The set starts at its first repeated movement; what came before and
        # does not match it was settling in.
        first = next((k for k, e in enumerate(queue) if _agrees(e.amplitude, rng, params.agree_ratio)), 0)
        dropped, queue = first, queue[first:]
    out = tuple(e for e in (_graded(e, rng, params) for e in queue) if e.p_peak >= params.partial_min)
    dropped += len(queue) - len(out)
    return replace(base, range=rng, calibrated=True, pending=(), count=state.count + len(out),
                   dropped=state.dropped + dropped), out


def _counts_if_done(state: RepState, params: RepParams) -> bool:
    """Whether the movement under way is large enough to count as a rep once it
    comes back down (_emit's size test; flush_reps's for a movement cut off)."""
    # Small wiggles are noise and are dropped silently. Once the set's range is known,
    # a movement counts from partial_min of it: the fixed floor of the uncalibrated
    # detector (top x min_range_deg, 10.5° for the clamshell) sat right at the size of
    # the clamshell sample's small rep 3 (10.1-10.7° measured), which was then lost or
    # kept depending on which frames the live loop happened to process.
    amp = state.peak - state.rest
    if state.calibrated:
        return amp >= max(params.partial_min * state.range, params.noise_floor_deg)
    return amp >= params.top * params.min_range_deg


def flush_reps(state: RepState, params: RepParams) -> tuple[RepState, tuple[RepEvent, ...]]:
    """End of the clip (or of a live session): finish a rep on its way down and
    count movements still pending. With no two movements agreeing, the range is
    the largest pending movement (a clip of one rep counts one).

    A movement still on its way up or at its top when the signal ends (phase up:
    it never came back below `release`), already as large as a rep, is not counted
    and not rejected either: `cut_off` says it was still going on. A rep is counted
    on its way back down, and the labels made by eye disagree on such a last rep
    (two real clips count it, two do not), so it stays out of the count [own]."""
    out: tuple[RepEvent, ...] = ()
    if state.phase == "up" and _counts_if_done(state, params):
        state = replace(state, cut_off=1)
    if state.phase == "settle":
        state, out = _emit(state, state.end_min_t, state.end_min_i, params)
    if state.pending and not state.calibrated:
        rng = max(e.amplitude for e in state.pending)
        graded = tuple(e for e in (_graded(e, rng, params) for e in state.pending) if e.p_peak >= params.partial_min)
        state = replace(state, range=rng, pending=(), count=state.count + len(graded),
                        dropped=state.dropped + len(state.pending) - len(graded))
        out = out + graded
    return state, out


def trim_get_up(events: list[RepEvent], rng: float, params: RepParams) -> tuple[list[RepEvent], int]:
    """Drop movements after the set's last repeated one that are far larger than
    the set (getting up, moving away): (kept events, number dropped)."""
    if not events or not math.isfinite(rng):
        return list(events), 0
    last = max((k for k, e in enumerate(events) if e.in_set), default=len(events) - 1)
    kept = events[:last + 1] + [e for e in events[last + 1:] if e.amplitude <= params.get_up_ratio * rng]
    return kept, len(events) - len(kept)


def _valley(state: RepState, value: float, params: RepParams) -> bool:
    """The rep went down from its top into a valley (valley_share of its own
    excursion, and the noise floor) and is rising again out of it."""
    if params.valley_share is None or not (state.reached_top and math.isfinite(state.dip)):
        return False
    drop = state.peak - state.dip
    return (drop >= max(params.noise_floor_deg, params.valley_share * (state.peak - state.rest))
            and value - state.dip >= params.noise_floor_deg)


def _split_at_valley(state: RepState, t: float, i: int, value: float,
                     params: RepParams) -> tuple[RepState, tuple[RepEvent, ...]]:
    """End the rep at its valley and start the next one rising from it."""
    ended = replace(state, phase="settle", release_t=state.dip_t, end_min=state.dip, end_min_t=state.dip_t,
                    end_min_i=state.dip_i)
    new, evs = _emit(ended, state.dip_t, state.dip_i, params)
    new = replace(new, rest=state.dip, trough=state.dip, trough_t=state.dip_t, trough_i=state.dip_i,
                  start_t=state.dip_t, start_i=state.dip_i, dip=math.nan)
    return _rising(new, t, i, value, params), evs


def _remeasure_last(state: RepState, params: RepParams) -> RepState:
    """A new movement starts: the last one's size in the calibration window becomes
    the smaller of its rise and its way down to the rest since (the trough). The
    rest level can move while a person settles in: the clamshell sample through the
    browser's video compression rested at 10.7° before its first rep and at 14°
    between reps, so its first rep rose 32° but came down 28°; calibrated on the rise
    the range read 29° instead of 26.5°, and the small rep 3 (9.5°) fell to 0.32 of
    it, at the 0.30 thresholds. Measured down to the rest it came back to, the first
    rep agrees with the others and rep 3 is 0.35 of the range. Only ever smaller, by
    at most the agreement tolerance (agree_ratio), and known only once the rest after
    the movement is over (causal: live = offline). Not at a valley (_split_at_valley):
    there the next rep rose before the signal settled, and a real banded clamshell's
    first rep, from closed knees down to the set's 10° open rest, is a rep of the set
    (remeasured at its valley it was dropped as settling in) [own]."""
    if not (state.amplitudes and math.isfinite(state.last_peak) and math.isfinite(state.trough)):
        return state
    down = state.last_peak - state.trough
    state = replace(state, last_peak=math.nan)
    # A way down much shorter than the rise is not a moved rest but a next rise that
    # began before the signal got back down (a few frames a second): kept as it was.
    if not params.agree_ratio * state.amplitudes[-1] <= down < state.amplitudes[-1]:
        return state
    amps = state.amplitudes[:-1] + (max(down, 0.0),)
    if not state.calibrated:
        return replace(state, amplitudes=amps)
    rng, _ = set_range(amps, params.agree_ratio)
    return replace(state, amplitudes=amps, range=rng)


def _rising(state: RepState, t: float, i: int, value: float, params: RepParams) -> RepState:
    """The movement is going up from this sample: its peak so far, its progress
    mark and whether it has reached the top of the range."""
    return replace(state, phase="up", peak=value, peak_t=t, peak_i=i, dip=math.nan, stalled=None,
                   progress_t=t, progress_v=value, reached_top=_p(state, value, params) >= params.top)


def _stalled_rep(state: RepState, t: float, value: float, params: RepParams) -> RepState | None:
    """A rise that stalled below the top and was taken for a new rest level, now back
    down to the rest it rose from within max_rep_s: it was a rep held at a partial top,
    not a moved rest. Returns the rep's state going down (settle, released at this
    sample), or None. The clamshell sample's small rep 3 played at half speed (as the
    browser test plays it) eased over a 12° top for 3-3.6 s; re-anchored there, the rep
    was lost, on 331 of 840 replays of the sample through VP8 at the frame sizes
    Chromium sends [own]."""
    old = state.stalled
    if old is None or t - old.start_t > params.max_rep_s or _p(old, value, params) >= params.release:
        return None
    return replace(old, phase="settle", i=state.i, last_seen_t=state.last_seen_t, last_v=state.last_v,
                   unseen=state.unseen, warm_until=state.warm_until, stalled=None,
                   release_t=t, end_min=value, end_min_t=t, end_min_i=state.i)


def _back_to_rest(state: RepState, value: float, params: RepParams) -> bool:
    """Back within end_level of this rep's own excursion (so small reps end properly too)."""
    return value <= state.rest + params.end_level * (state.peak - state.rest)


def rep_step(state: RepState, t: float, value: float, params: RepParams) -> tuple[RepState, tuple[RepEvent, ...]]:
    """Advance the rep state machine by one sample (time s, signal value in degrees)."""
    i = state.i + 1
    if not math.isfinite(state.first_t):
        state = replace(state, first_t=t)
    if not math.isfinite(value):
        state = replace(state, i=i, unseen=True)
        if state.phase == "settle" and t - state.release_t > params.settle_s:
            # Back down past release when the person went out of view (a cut to another
            # shot): the rep is over, timed out as if seen, not lost. A real fire hydrant
            # came down from 54° to 11° (rest 5°) and the shot cut 0.8 s later; abandoned
            # after lost_s, it went uncounted [own].
            return _emit(state, state.end_min_t, state.end_min_i, params)
        if state.phase != "rest" and math.isfinite(state.last_seen_t) and t - state.last_seen_t > params.lost_s:
            # The person was out of view too long: abandon the rep in progress.
            state = replace(state, phase="rest", peak=math.nan, reached_top=False, rejected=state.rejected + 1,
                            trough=math.nan, start_t=math.nan, stalled=None)
        return state, ()
    if not math.isfinite(state.last_seen_t) or (state.unseen and t - state.last_seen_t > params.lost_s):
        # First sight, or back after a long absence: settle before counting. A long gap
        # between frames in which the person was never missed (a slow machine processing
        # few frames) is not an absence: the rep in progress goes on.
        if state.phase != "rest":
            state = replace(state, phase="rest", peak=math.nan, reached_top=False, rejected=state.rejected + 1)
        opening = not math.isfinite(state.last_seen_t) and t - state.first_t <= params.warm_s
        state = replace(state, warm_until=t + params.warm_s, stalled=None, opening=opening,
                        trough=math.nan if opening else state.trough)
    sparse = not state.unseen and t - state.last_seen_t > params.sparse_gap_s  # no frame between, not unseen
    state = replace(state, i=i, last_seen_t=t, unseen=False)
    prev_v, state = state.last_v, replace(state, last_v=value)
    if state.phase == "rest" and t < state.warm_until:
        if state.opening and math.isfinite(state.trough) and value > state.trough:
            return state, ()
        return replace(state, rest=value, trough=value, trough_t=t, trough_i=i, start_t=t, start_i=i), ()
    if state.phase == "rest" and state.stalled is not None:
        back = _stalled_rep(state, t, value, params)
        if back is not None:
            return _emit(back, t, i, params) if _back_to_rest(back, value, params) else (back, ())
        if t - state.stalled.start_t > params.max_rep_s:
            state = replace(state, stalled=None)
    if state.phase == "rest":
        if not math.isfinite(state.trough) and sparse and math.isfinite(state.end_min):
            state = replace(state, trough=state.end_min, trough_t=state.end_min_t, trough_i=state.end_min_i)
        if not math.isfinite(state.trough) or value <= state.trough:
            state = replace(state, trough=value, trough_t=t, trough_i=i)
        # The rest level is the lowest point since the last rep (it follows drift).
        state = replace(state, rest=state.trough)
        p = _p(state, value, params)
        stale = t - state.trough_t > 0.5 * params.max_rep_s and not value > prev_v
        if p <= params.rest_level or not math.isfinite(state.start_t) or stale:
            # Resting a little above a low point older than half the longest rep (a live
            # stream's first seconds read lower), the next rep starts at the last frame that
            # did not rise, not at the last frame near that old low point: timed from there
            # it lasted too long and was rejected [own].
            state = replace(state, start_t=t, start_i=i)
        if p > params.engage:
            state = _remeasure_last(state, params)
            p = _p(state, value, params)
        if p > params.engage:
            state = _rising(state, t, i, value, params)
        return state, ()
    if state.phase == "up":
        if value > state.peak:
            state = replace(state, peak=value, peak_t=t, peak_i=i, dip=math.nan)
        elif not math.isfinite(state.dip) or value < state.dip:
            state = replace(state, dip=value, dip_t=t, dip_i=i)
        if _valley(state, value, params):
            return _split_at_valley(state, t, i, value, params)
        if value >= state.progress_v + 0.1 * params.min_range_deg:
            state = replace(state, progress_t=t, progress_v=value)
        p = _p(state, value, params)
        if p >= params.top:
            state = replace(state, reached_top=True)
        if p < params.release and sparse:
            # Back down in the first frame after a gap (a slow machine): the movement ends
            # here, even when the gap is longer than stall_s (checked first, it turned a small
            # rep seen at 2-3 frames/s into a new rest level). Dense frames keep the order below.
            state = replace(state, phase="settle", release_t=t, end_min=value, end_min_t=t, end_min_i=i)
            if _back_to_rest(state, value, params):
                return _emit(state, t, i, params)
            return state, ()
        if not state.reached_top and t - state.progress_t > params.stall_s:
            # The baseline moved (the person shifted position): re-anchor rest here, unless
            # it comes back down to the old rest in time (_stalled_rep).
            return replace(state, phase="rest", peak=math.nan, reached_top=False, stalled=state,
                           trough=value, trough_t=t, trough_i=i, rest=value, start_t=t, start_i=i), ()
        if t - state.start_t > params.max_rep_s:
            # Stuck at the top (a hold, or the person stopped): not a rep.
            return replace(state, phase="rest", peak=math.nan, reached_top=False, rejected=state.rejected + 1,
                           trough=value, trough_t=t, trough_i=i, start_t=t, start_i=i), ()
        if p < params.release:
            state = replace(state, phase="settle", release_t=t, end_min=value, end_min_t=t, end_min_i=i)
            if _back_to_rest(state, value, params):
                return _emit(state, t, i, params)
        return state, ()
    # settle: wait for the return to rest to time the end of the rep.
    p = _p(state, value, params)
    if value < state.end_min:
        state = replace(state, end_min=value, end_min_t=t, end_min_i=i)
    if _back_to_rest(state, value, params):
        return _emit(state, t, i, params)
    rising = p > params.engage and _p(state, value, params) - _p(state, state.end_min, params) >= params.rearm
    if not rising and value > state.peak:
        # Past the movement's peak again without having come down by `rearm`: the
        # release was noise on a rep that had only just engaged, not its end, and the
        # rep goes on from its own start and rest. Through the browser the clamshell
        # sample's small rep 3 (about 11° of a 30° range) rose past the engage level by
        # 0.3° for one frame, fell 0.4° under release, then went on up for a second;
        # timed out here it ended at its first frame above engage and measured 0.302 of
        # the range against partial_min 0.30, kept or lost by the compression noise
        # (VP8 at 1000 kbit/s; 0.36-0.37 at 150 and 400). Measured to its real peak it
        # reads 0.37-0.40 at all three rates [own].
        return _rising(state, t, i, value, params), ()
    if rising or t - state.release_t > params.settle_s:
        new, evs = _emit(state, state.end_min_t, state.end_min_i, params)
        if rising:  # already going up again
            new = _rising(new, t, i, value, params)
        return new, evs
    return state, ()


def run_reps(times: np.ndarray, values: np.ndarray, params: RepParams) -> tuple[list[RepEvent], RepState]:
    """Offline: the same step function over a whole signal. times, values [N]."""
    state = RepState()
    events: list[RepEvent] = []
    for t, v in zip(times, values):
        state, evs = rep_step(state, float(t), float(v), params)
        events.extend(evs)
    state, evs = flush_reps(state, params)
    events.extend(evs)
    events, n = trim_get_up(events, state.range, params)
    return events, replace(state, dropped=state.dropped + n, count=state.count - n)


# ---- rep rate: how much smoothing a set can take -----------------------------------

# The rep rate is looked for between 0.3 and 3 Hz (a rep every 0.33-3.3 s): slower
# sets are passed whole by every exercise's low-pass [own].
RATE_BAND_HZ = (0.3, 3.0)
# A rate is believed only when the set is mostly made of it: the power within
# 15% of it is at least 8% of the signal's (a fast set of 16 alternating real
# raises: 12-14%; a real set of 2 slow raises: 4-5%), and the movement at it is a
# real one, not landmark jitter: its sinusoid swings (peak to peak) at least half
# the exercise's smallest rep range [own defaults, measured on those two clips].
RATE_MIN_SHARE = 0.08
RATE_SHARE_WIDTH = 0.15
RATE_MIN_SWING = 0.5
# The low-pass keeps the rep rate's fundamental and second harmonic, so a rep's
# top stays a peak of its own and is not merged with the next one: cut-off at
# least 2.5 times the rate [own].
RATE_CUTOFF_FACTOR = 2.5


def rep_rate_hz(times: np.ndarray, values: np.ndarray, min_swing: float) -> float:
    """The set's rep rate (Hz) from the driving signal's spectrum, or NaN when the
    strongest rate in RATE_BAND_HZ is not what the set is mostly made of, or moves
    less than RATE_MIN_SWING of `min_swing` (the smallest rep range). times,
    values [N]; NaN values are bridged."""
    ok = np.isfinite(values)
    if ok.sum() < 16:
        return math.nan
    t = times[ok]
    dt = float(np.median(np.diff(t)))
    if not dt > 0:
        return math.nan
    grid = np.arange(t[0], t[-1], dt)
    if len(grid) < 16:
        return math.nan
    x = np.interp(grid, t, values[ok])
    x = x - x.mean()
    win = np.hanning(len(x))
    spec = np.fft.rfft(x * win)
    freqs = np.fft.rfftfreq(len(x), dt)
    band = (freqs >= RATE_BAND_HZ[0]) & (freqs <= RATE_BAND_HZ[1])
    if band.sum() < 3:
        return math.nan
    power = np.abs(spec) ** 2
    k = int(np.flatnonzero(band)[np.argmax(power[band])])
    near = np.abs(freqs - freqs[k]) <= RATE_SHARE_WIDTH * freqs[k]
    share = float(power[near].sum() / power[1:].sum()) if power[1:].sum() > 0 else 0.0
    swing = 4.0 * float(np.abs(spec[k])) / float(win.sum())  # peak to peak of the sinusoid
    if swing < RATE_MIN_SWING * min_swing or share < RATE_MIN_SHARE:
        return math.nan
    return float(freqs[k])


def rep_cutoff_hz(cutoff_hz: float, rate_hz: float, ceiling_hz: float) -> float:
    """The offline low-pass cut-off for a set at `rate_hz`: the exercise's own
    `cutoff_hz`, raised (up to `ceiling_hz`) to RATE_CUTOFF_FACTOR times the rep
    rate when the reps come faster than it can pass."""
    if not math.isfinite(rate_hz):
        return cutoff_hz
    return float(min(ceiling_hz, max(cutoff_hz, RATE_CUTOFF_FACTOR * rate_hz)))


# ---- holds ------------------------------------------------------------------------


@dataclass(frozen=True)
class HoldParams:
    # A hold starts where the driving angle is within +-10° of the held position and
    # moves slower than 15°/s [own; clinical-criteria.md §4 holds: +-10°, 10-15°/s].
    band_deg: float = 10.0
    max_speed_dps: float = 15.0
    # Once held, the body may keep settling into the stretch: a hold goes on while
    # the last second's median moves slower than this, and the angle stays within
    # band_deg plus the lead such settling gives it over that median. The reference
    # moves with the person (the old one, a 3 s median, broke holds that sank
    # faster than about 7°/s). People sink into a stretch at 15-24°/s (a real
    # standing fold: trunk lean 122 -> 152° over 1.5 s) and move into or out of one
    # at 40-60°/s; 25°/s kept that fold but merged the slow pull into a real
    # figure-four and an arms-overhead set-up into the holds (2 of 22 labelled
    # real holds lost for 1 gained), so settling is allowed up to the still limit [own, measured on
    # real footage, issue 10]. Half of a hold's time must be properly still
    # (max_speed_dps), so that a slow sweep is not a hold [own].
    drift_speed_dps: float = 15.0
    min_still_share: float = 0.5
    # Tolerate short interruptions (dropouts, a fidget). 0.3 s is the literature's
    # gap for landmarks (§4); we allow 1 s of lost tracking [own].
    max_gap_s: float = 1.0
    # Shorter still periods are transitions, not holds: 3 s, so that the holds of
    # a few seconds people really do are found (issue 10: 4 s folds missed at 5 s) [own].
    min_hold_s: float = 3.0
    # Floor poses jitter: the pose model's driving angle can jump 15-35° for a few
    # frames while the person is still (a supine figure-four read 134 -> 168 ->
    # 154°). Stillness is judged on the median of the last second (causal, so live
    # and offline agree); a jump out of the band shorter than max_gap_s is a gap [own].
    smooth_s: float = 1.0
    speed_s: float = 0.5  # the speed is the median's change over this long [own]
    # The position checks flicker on real footage too: a crossed-leg fold read its
    # knee at 120-148° against a 140° check frame to frame while the person held
    # still. The position counts as there while it passed in at least this share
    # of the last smooth_s (a majority vote, causal, so live and offline agree) [own].
    position_share: float = 0.5
    # The pose model can throw a limb's landmarks about for a second or two while
    # the person is still (a real lizard lunge: the front knee and ankle jumped
    # half a thigh toward the back leg, the front-leg angle 35 -> 110 -> 30°, while
    # the hips and shoulders stayed within a few pixels). A driving angle that
    # leaves band_deg of its recent median while the hips and shoulders move less
    # than this many torso lengths over speed_s is the model, not the person, and
    # reads as unseen; a change that lasts longer than max_gap_s is real [own].
    anchor_still: float = 0.15


# A hold target the user set under min_hold_s (a demonstration held 2 s, said
# so) is the hold they do: it is found once it lasts the target, and never
# under two stillness windows (MIN_TARGET_WINDOWS x smooth_s), one for the median
# the stillness is judged on to settle and one to see it still [own, derived].
# Without a target, min_hold_s stands (issue 10: demonstrations and transitions
# pause for a second or two).
MIN_TARGET_WINDOWS = 2.0


def hold_params(params: HoldParams, target_s: float | None) -> HoldParams:
    """params with min_hold_s lowered to the user's hold target where that is
    shorter (see MIN_TARGET_WINDOWS)."""
    if target_s is None or not math.isfinite(target_s) or target_s >= params.min_hold_s:
        return params
    return replace(params, min_hold_s=max(float(target_s), MIN_TARGET_WINDOWS * params.smooth_s))


@dataclass(frozen=True)
class GuardState:
    recent: tuple[tuple[float, float], ...] = ()  # (t, value) accepted over the last smooth_s
    anchors: tuple[tuple[float, np.ndarray, float], ...] = field(default=(), repr=False)  # (t, [2,2], torso)
    rejected_since: float = math.nan


def _anchor_moved(anchors: tuple[tuple[float, np.ndarray, float], ...]) -> float:
    """Largest displacement of an anchor point (mid-hip, mid-shoulder) over the
    kept history, in torso lengths; inf where it cannot be told."""
    (_, a0, _), (_, a1, torso) = anchors[0], anchors[-1]
    d = np.linalg.norm(np.asarray(a1) - np.asarray(a0), axis=-1)
    if not (np.all(np.isfinite(d)) and math.isfinite(torso) and torso > 0):
        return math.inf
    return float(d.max() / torso)


def guard_step(state: GuardState, t: float, value: float, anchors: np.ndarray,
               params: HoldParams) -> tuple[GuardState, float]:
    """One sample of the driving angle through the landmark-jump guard (see
    HoldParams.anchor_still): returns the value, or NaN where it jumped while the
    hips and shoulders stayed still. anchors: [2,2] mid-hip and mid-shoulder (px)."""
    a = np.asarray(anchors, float)
    torso = float(np.linalg.norm(a[1] - a[0])) if np.all(np.isfinite(a)) else math.nan
    hist = tuple(h for h in state.anchors if t - h[0] <= params.speed_s) + ((t, a, torso),)
    state = replace(state, anchors=hist)
    if not math.isfinite(value):
        return state, math.nan
    recent = tuple((rt, rv) for rt, rv in state.recent if t - rt < params.smooth_s)
    ref = float(np.median([rv for _, rv in recent])) if recent else math.nan
    long_change = math.isfinite(state.rejected_since) and t - state.rejected_since > params.max_gap_s
    if not math.isfinite(ref) or abs(value - ref) <= params.band_deg or long_change \
            or _anchor_moved(hist) >= params.anchor_still:
        recent = ((t, value),) if long_change else recent + ((t, value),)
        return replace(state, recent=recent, rejected_since=math.nan), value
    since = state.rejected_since if math.isfinite(state.rejected_since) else t
    return replace(state, recent=recent, rejected_since=since), math.nan


def guard_jumps(times: np.ndarray, values: np.ndarray, anchors: np.ndarray, params: HoldParams) -> np.ndarray:
    """Offline: guard_step over a whole signal. anchors [N,2,2]."""
    state = GuardState()
    out = np.full(len(values), np.nan)
    for i, (t, v) in enumerate(zip(times, values)):
        state, out[i] = guard_step(state, float(t), float(v), anchors[i], params)
    return out


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
    still_s: float = 0.0  # time held so far that was properly still (max_speed_dps)
    values: tuple[float, ...] = field(default=(), repr=False)
    prev_t: float = math.nan
    prev_v: float = math.nan
    recent: tuple[tuple[float, float], ...] = field(default=(), repr=False)  # (t, value) of the last smooth_s
    medians: tuple[tuple[float, float], ...] = field(default=(), repr=False)  # (t, median) of the last speed_s
    positions: tuple[tuple[float, bool], ...] = field(default=(), repr=False)  # (t, in position) of the last smooth_s


def _is_hold(state: HoldState, params: HoldParams) -> bool:
    held = state.last_ok_t - state.start_t
    return held >= params.min_hold_s and state.still_s >= params.min_still_share * held


def close_hold(state: HoldState, params: HoldParams) -> tuple[HoldState, HoldEvent | None]:
    ev = None
    if state.active and _is_hold(state, params):
        ev = HoldEvent(state.start_t, state.last_ok_t, state.start_i, state.last_ok_i, float(np.median(state.values)))
    return replace(state, active=False, values=(), still_s=0.0), ev


def _median(values: list[float]) -> float:
    """Median of a non-empty list of finite floats, as np.median gives it (the
    mean of the two middle values for an even count), without numpy's per-call
    cost: hold_step runs once per frame and per side, and live re-runs it over
    a minute of frames at each hold's end (events.find_holds)."""
    s = sorted(values)
    m = len(s) // 2
    return s[m] if len(s) % 2 else (s[m - 1] + s[m]) / 2


def hold_step(state: HoldState, t: float, value: float, in_position: bool,
              params: HoldParams) -> tuple[HoldState, HoldEvent | None]:
    """Advance hold detection by one sample. `in_position` says whether the posture
    of the stretch is there (e.g. a hip hinge with one leg straight); `value` is
    the driving angle in degrees (NaN when not visible). A hold starts still
    (max_speed_dps) and goes on while the angle settles slower than drift_speed_dps."""
    i = state.i + 1
    positions = tuple(x for x in state.positions if t - x[0] < params.smooth_s) + ((t, bool(in_position)),)
    in_position = sum(p for _, p in positions) >= params.position_share * len(positions)
    seen = math.isfinite(value)
    sm = value  # the driving angle's median over the last smooth_s: its speed is the stillness
    speed = math.inf
    recent, medians = state.recent, state.medians
    if seen:
        recent = tuple(x for x in recent if t - x[0] < params.smooth_s) + ((t, value),)
        sm = _median([rv for _, rv in recent])
        # Speed over the last speed_s of the median, not frame to frame: a median of
        # noisy samples steps by a sample's noise from one frame to the next.
        past = tuple(x for x in medians if t - x[0] <= params.speed_s)
        if past and t > past[0][0]:
            speed = abs(sm - past[0][1]) / (t - past[0][0])
        elif math.isfinite(state.prev_v) and t > state.prev_t:
            # Back after a gap: the speed is taken across it, so that a hold cannot
            # jump to another angle while the angle was unseen.
            speed = abs(sm - state.prev_v) / (t - state.prev_t)
        else:
            speed = 0.0
        medians = past + ((t, sm),)
    dt = t - state.prev_t if math.isfinite(state.prev_t) else 0.0
    prev_t, prev_v = (t, sm) if seen else (state.prev_t, state.prev_v)
    # The median lags a moving angle: a hold starts only where the angle is within
    # band_deg of its median, and goes on while it is no further ahead than settling
    # at drift_speed_dps puts it (half a smoothing window) [own, derived].
    limit = params.drift_speed_dps if state.active else params.max_speed_dps
    band = params.band_deg + (params.drift_speed_dps * params.smooth_s / 2 if state.active else 0.0)
    ok = in_position and seen and speed <= limit and abs(value - sm) <= band
    # A clean step into the stretch is still at once: the raw angle over the last
    # speed_s stays within band_deg, before the median has caught up; the hold then
    # starts at the first of those frames [own].
    first: tuple[float, int, tuple[float, ...]] = (t, i, (value,))
    if not ok and not state.active and in_position and seen and t - recent[0][0] >= params.speed_s:
        last = [(rt, rv) for rt, rv in recent if t - rt <= params.speed_s]
        lv = [rv for _, rv in last]
        # (start_i counts back over seen frames; an unseen frame in between shifts it by one)
        if max(lv) - min(lv) <= params.band_deg:
            ok, first = True, (last[0][0], max(0, i - len(last) + 1), tuple(lv))
    # One new state per sample (dataclasses.replace once, not per field group).
    active, start_t, start_i = state.active, state.start_t, state.start_i
    last_ok_t, last_ok_i, values, still_s = state.last_ok_t, state.last_ok_i, state.values, state.still_s
    if ok:
        if not active:
            active, start_t, start_i, values, still_s = True, first[0], first[1], first[2], t - first[0]
        else:
            values, still_s = values + (value,), still_s + (dt if speed <= params.max_speed_dps else 0.0)
        last_ok_t, last_ok_i = t, i
    new = HoldState(active=active, i=i, start_t=start_t, start_i=start_i, last_ok_t=last_ok_t, last_ok_i=last_ok_i,
                    still_s=still_s, values=values, prev_t=prev_t, prev_v=prev_v, recent=recent, medians=medians,
                    positions=positions)
    if not ok and active and t - last_ok_t > params.max_gap_s:
        return close_hold(new, params)
    return new, None


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


# Legs taking turns within one bout of reps (no pause over pause_s) make one set,
# not a set per rep: the side changes at least ALTERNATE_MIN_RUNS - 1 times and
# its runs average ALTERNATE_MEAN_RUN reps or fewer (s36: alternating donkey
# kicks, runs 1, 1, 1, 2, 1, read as five sets of 1-2 reps). One leg's set and
# then the other's change side once [own].
ALTERNATE_MIN_RUNS = 3
ALTERNATE_MEAN_RUN = 2.0


def _side_runs(sides: list[str | None]) -> list[int]:
    """Lengths of the runs of one side in a row."""
    runs: list[int] = []
    for k, side in enumerate(sides):
        if k and side == sides[k - 1]:
            runs[-1] += 1
        else:
            runs.append(1)
    return runs


def alternating(sides: list[str | None]) -> bool:
    """The sides of a bout of reps take turns (ALTERNATE_MIN_RUNS, ALTERNATE_MEAN_RUN)."""
    runs = _side_runs(sides)
    return len(runs) >= ALTERNATE_MIN_RUNS and len(sides) / len(runs) <= ALTERNATE_MEAN_RUN


def split_sets(starts: list[float], ends: list[float], sides: list[str | None], pause_s: float) -> list[int]:
    """Set number (1-based) for each rep: a new set starts after a pause longer
    than pause_s between reps, or when the working side changes, unless the legs
    take turns through the bout (`alternating`): then the bout is one set."""
    bouts: list[list[int]] = []
    for k, s in enumerate(starts):
        if k == 0 or s - ends[k - 1] > pause_s:
            bouts.append([])
        bouts[-1].append(k)
    sets: list[int] = []
    cur = 0
    for bout in bouts:
        bout_sides = [sides[k] for k in bout]
        turns = alternating(bout_sides)
        for j, side in enumerate(bout_sides):
            if j == 0 or (not turns and side != bout_sides[j - 1]):
                cur += 1
            sets.append(cur)
    return sets


# Offline, a hold's ends are re-timed on the whole signal. The live detector
# starts a hold only once the last smooth_s + speed_s of the driving angle are
# still, so it starts about a second late and ends at its last still frame;
# a real hold starts as soon as the angle reaches the held value. Each end moves
# out, from the hold's first and last still frames (a centred median's speed:
# offline can look ahead), over frames in position whose angle is within
# band_deg of the hold's value, bridging jumps shorter than max_gap_s
# (floor-pose jitter) [own].
# Two holds of one side split by a shorter break than MERGE_GAP_S (a camera cut,
# a fidget, lost tracking), in position or unseen for most of the break, are
# one hold [own: 2 x max_gap_s].
MERGE_GAP_FACTOR = 2.0


def walk_out(times: np.ndarray, good: np.ndarray, i: int, step: int, max_gap_s: float) -> int:
    """From index i, the last index in direction `step` reached through `good`
    frames with no run of bad frames longer than max_gap_s."""
    last = i
    j = i + step
    while 0 <= j < len(times):
        if good[j]:
            last = j
        elif abs(times[j] - times[last]) > max_gap_s:
            break
        j += step
    return last


def centred_median(times: np.ndarray, values: np.ndarray, span_s: float) -> np.ndarray:
    """Offline [N] median of `values` over the span_s centred on each frame, over
    the frames read; NaN where the frame itself is unread."""
    n = len(times)
    med = np.full(n, np.nan)
    lo = np.searchsorted(times, times - span_s / 2, side="left")
    hi = np.searchsorted(times, times + span_s / 2, side="right")
    for i in range(n):
        if np.isfinite(values[i]):
            w = values[lo[i]:hi[i]]
            med[i] = np.median(w[np.isfinite(w)])
    return med


def centred_speed(times: np.ndarray, values: np.ndarray, params: HoldParams) -> np.ndarray:
    """Offline speed (°/s) [N] of the driving angle's centred median over smooth_s,
    taken over speed_s centred on each frame; NaN where the angle is unseen."""
    n = len(times)
    med = centred_median(times, values, params.smooth_s)
    a = np.clip(np.searchsorted(times, times - params.speed_s / 2, side="left"), 0, n - 1)
    b = np.clip(np.searchsorted(times, times + params.speed_s / 2, side="right") - 1, 0, n - 1)
    with np.errstate(invalid="ignore", divide="ignore"):
        dt = times[b] - times[a]
        return np.where(dt > 0, np.abs(med[b] - med[a]) / np.where(dt > 0, dt, 1.0), np.nan)


def steady_position(times: np.ndarray, in_position: np.ndarray, params: HoldParams) -> np.ndarray:
    """Offline [N] bool: the position passed in at least position_share of the
    frames within smooth_s centred on each frame (the live detector votes over the
    last smooth_s; offline can look ahead)."""
    pos = np.asarray(in_position, bool).astype(float)
    half = params.smooth_s / 2
    lo = np.searchsorted(times, times - half, side="left")
    hi = np.searchsorted(times, times + half, side="right")
    c = np.concatenate([[0.0], np.cumsum(pos)])
    share = (c[hi] - c[lo]) / np.maximum(hi - lo, 1)
    return share >= params.position_share


def refine_holds(times: np.ndarray, values: np.ndarray, in_position: np.ndarray, events: list[HoldEvent],
                 params: HoldParams) -> list[HoldEvent]:
    """Offline re-timing of holds found by run_holds (see above): ends extended
    to where the person settled into the stretch and where they left it, then
    same-side holds split by a short break merged; holds re-timed shorter than
    min_hold_s dropped. Never adds a hold."""
    out: list[HoldEvent] = []
    if not events:
        return out
    speed = centred_speed(times, values, params)
    # Still frames need the position on a majority of the second around them; the
    # ends walk out over the frames that pass it (a flicker is a short gap).
    with np.errstate(invalid="ignore"):
        still = steady_position(times, in_position, params) & (speed <= params.max_speed_dps)
    for ev in events:
        with np.errstate(invalid="ignore"):
            good = in_position & np.isfinite(values) & (np.abs(values - ev.value) <= params.band_deg)
        # Walk out from the first and last still frames: the live detector's ends
        # lag (its median looks back), so they may lie inside the movement out.
        core = ev.start_i + np.flatnonzero(still[ev.start_i:ev.end_i + 1])
        a0, b0 = (int(core[0]), int(core[-1])) if len(core) else (ev.start_i, ev.end_i)
        a = walk_out(times, good, a0, -1, params.max_gap_s)
        b = walk_out(times, good, b0, 1, params.max_gap_s)
        if out and a <= out[-1].end_i:
            a = out[-1].start_i  # the extended holds now overlap: one hold
            b = max(b, out[-1].end_i)
            out.pop()
        elif out and times[a] - out[-1].end_t <= MERGE_GAP_FACTOR * params.max_gap_s \
                and (in_position | ~np.isfinite(values))[out[-1].end_i:a + 1].mean() >= 0.5:
            a = out[-1].start_i
            out.pop()
        seg = values[a:b + 1]
        seg = seg[np.isfinite(seg)]
        out.append(HoldEvent(float(times[a]), float(times[b]), int(a), int(b),
                             float(np.median(seg)) if len(seg) else ev.value))
    # Re-timed to the still frames, a hold may prove shorter than a hold [own: min_hold_s].
    return [h for h in out if h.duration_s >= params.min_hold_s]
