"""Frame-by-frame coaching: the same engine as offline analysis, one frame at a time.

`LiveSession.push(t, detection)` filters the landmarks (One Euro), computes the
exercise's features for that frame, advances the very same rep/hold step
functions as `analysis.analyze_track`, and grades each finished rep with the
same `judging.event_metrics` and `judging.judge`. It returns a small `LiveUpdate` for the UI.
Counting waits until the whole body has been in frame for a moment.
No OpenCV, MediaPipe or Streamlit here.
"""

from __future__ import annotations

import bisect
import math
from collections import Counter, deque
from dataclasses import dataclass, field, replace

import numpy as np

from formcheck import judging
from formcheck.cleaning import (
    ONE_EURO_WORLD,
    VIS_MIN,
    OneEuro,
    OneEuroState,
    carry_forward,
    clean_track_perm,
    one_euro_step,
    swap_step,
)
from formcheck.clip_checks import JUMP_SCALE, JUMP_TORSOS
from formcheck.events import (
    CANDIDATE_SHARE,
    MIRROR_REACH_S,
    anchor_points,
    beyond_doubt,
    drive_signal,
    find_holds,
    mirrors_other_leg,
    other_movement,
    other_movement_note,
    position_mask,
    resolve_overlap,
    side_features,
    unread_holds,
)
from formcheck.exercises import get_exercise
from formcheck.features import SIDES, Joints, other_side
from formcheck.judging import Evidence, event_metrics, evidence_gaps, hold_record, judge, rep_record, timing_gaps
from formcheck.landmarks import Detection, Lm, PoseTrack, detections_to_track
from formcheck.reps import (
    GuardState,
    HoldEvent,
    HoldState,
    RepEvent,
    RepState,
    close_hold,
    flush_reps,
    guard_step,
    hold_params,
    hold_step,
    rep_step,
    split_sets,
    trim_get_up,
)
from formcheck.results import FaultHit, Hold, Rep
from formcheck.views import frame_views

__all__ = ["LiveSession", "LiveUpdate", "StreamClock", "body_in_frame", "READY_S"]

# The joints that must be in frame before counting starts.
_KEY = [Lm.LEFT_SHOULDER, Lm.RIGHT_SHOULDER, Lm.LEFT_HIP, Lm.RIGHT_HIP, Lm.LEFT_KNEE, Lm.RIGHT_KNEE,
        Lm.LEFT_ANKLE, Lm.RIGHT_ANKLE]
PIXEL_FILTER = OneEuro()
READY_S = 1.0  # whole body in view this long before counting starts [own]
# The camera view live is the most common per-frame view of the last VIEW_WINDOW_S
# seconds (3 s: 90 frames at 30 fps, 15 at 5 fps; a window in frames grew to 18 s
# at the 5 fps a loaded browser path processes) [own].
VIEW_WINDOW_S = 3.0
# Someone else in view for this long is taken as the person having moved [own].
OTHER_ADOPT_S = 10.0
# When the hold engine closes a hold, the holds are found as offline
# (events.find_holds: re-timed ends, the slow sinking in, split where the body
# left the position and came back, short breaks merged) over the history of the
# last HOLD_LOOKBACK_S, which is everything offline would read before that
# frame for any hold of a few minutes or less; a bound keeps each close's cost
# flat over a long session [own].
HOLD_LOOKBACK_S = 120.0
# Still periods whose stretch position cannot be read (events.unread_holds) are
# looked for this often over the same history, and recorded once they ended
# (more than max_gap_s before the newest frame) [own].
UNREAD_EVERY_S = 1.0
# A cue (a rep's fault, or why a movement was not counted) stays on screen this long [own].
CUE_SHOW_S = 2.5


def body_in_frame(xy: np.ndarray, vis: np.ndarray, margin: float = 0.01, one_leg: bool = False) -> bool:
    """True when shoulders, hips, knees and ankles are all visible inside the image.
    xy [33,2] normalised, vis [33]. `one_leg`: one knee and ankle will do, the
    other leg may be unseen (side-on, a held stretch's far leg hides behind the
    near one: the camera tips say so; on real side-on folds the far knee and
    ankle were seen in 0-25% of frames, and live never started counting)."""
    def seen(joints) -> bool:
        k = [int(j) for j in joints]
        p = xy[k]
        return bool(np.isfinite(p).all() and (vis[k] > VIS_MIN).all()
                    and (p >= -margin).all() and (p <= 1 + margin).all())
    if not one_leg:
        return seen(_KEY)
    return seen(_KEY[:4]) and (seen((Lm.LEFT_KNEE, Lm.LEFT_ANKLE)) or seen((Lm.RIGHT_KNEE, Lm.RIGHT_ANKLE)))


class StreamClock:
    """Seconds since a stream's first frame, from the frames' own timestamps (their
    capture times), strictly increasing, starting at `start`.

    A frame's timestamp is trusted for the step from the previous frame unless it goes
    backwards or runs ahead of the wall clock by more than MAX_AHEAD_S: then the wall
    clock's step is used. WebRTC frame times are RTP timestamps on a 90 kHz 32-bit clock;
    one that steps back is unwrapped to 2^32 / 90000 = 47722 s later (seen in the browser
    test under load: "795:51 of video" after 3 s), which would end every rep in progress
    and every rest timer at once."""

    MAX_AHEAD_S = 2.0  # [own] frames arrive in bursts after a stall, never far ahead of the wall clock

    def __init__(self, start: float = 0.0):
        self.now = start
        self._last: tuple[float, float] | None = None  # (frame time, wall time) of the last frame

    def __call__(self, t: float | None, wall: float) -> float:
        if t is None or not math.isfinite(t):
            t = wall
        if self._last is not None:
            dt, dw = t - self._last[0], wall - self._last[1]
            if dt < 0 or dt > max(dw, 0.0) + self.MAX_AHEAD_S:
                dt = max(dw, 0.0)
            self.now += max(dt, 1e-3)
        self._last = (t, wall)
        return self.now


@dataclass
class LiveUpdate:
    t: float
    visible: bool
    ready: bool  # whole body seen long enough; counting is on
    rep_count: int
    set_number: int
    set_reps: int
    side: str | None
    cue: str | None  # latest fault cue, if the last rep had one
    last_rep: Rep | None
    hold_s: float | None  # seconds held so far in the current hold
    drive: dict[str, float] = field(default_factory=dict)
    view: str | None = None


class LiveSession:
    """One live set. Not thread-safe: feed it from one thread (the video callback)."""

    def __init__(self, exercise: str, side: str = "auto", hold_target_s: float | None = None,
                 width: int = 640, height: int = 480, filt: OneEuro = PIXEL_FILTER):
        self.exercise = get_exercise(exercise)
        self.sides = SIDES if side == "auto" else (side,)
        self.hold_target_s = hold_target_s
        self.width, self.height = width, height
        self.filt = filt
        self._fxy: OneEuroState | None = None
        self._fworld: OneEuroState | None = None
        self.times: list[float] = []
        self.raw: list[Detection | None] = []
        self._px: list[np.ndarray] = []
        self._vis: list[np.ndarray] = []
        self._world: list[np.ndarray] = []
        self._raw_world: list[np.ndarray] = []  # for the evidence checks (judging.Evidence)
        self._swapped: list[np.ndarray] = []
        self._raw_px: list[np.ndarray] = []
        self._kept: list = []  # (side, RepEvent) of the counted reps, for resolve_overlap
        # Reps kept by resolve_overlap but another movement (events.other_movement): not counted, said so.
        self._other: list[RepEvent] = []
        self._note: tuple[float, str] | None = None  # (time, text) of the last movement left out
        self._rep_ev: list[tuple[RepEvent, Rep]] = []  # the counted reps, in the order of self.reps
        self._feats: dict[str, dict[str, list[float]]] = {s: {} for s in self.sides}
        self._drive: dict[str, list[float]] = {s: [] for s in self.sides}
        self._rep_state = {s: RepState() for s in self.sides}
        self._hold_state = {s: HoldState() for s in self.sides}
        self._guard_state = {s: GuardState() for s in self.sides}
        # Per side, for the holds found as offline (_close_holds): the guarded
        # angle, the position per frame, the hips and shoulders, and the holds
        # recorded so far with their events.
        self._guarded: dict[str, list[float]] = {s: [] for s in self.sides}
        self._inpos: dict[str, list[bool]] = {s: [] for s in self.sides}
        self._anchors: dict[str, list[np.ndarray]] = {s: [] for s in self.sides}
        self._hold_ev: dict[str, list[tuple[HoldEvent, Hold]]] = {s: [] for s in self.sides}
        self._unread_t = -math.inf  # when unread holds were last looked for
        # The hold engine runs as offline's candidate pass (events.find_holds):
        # still periods of CANDIDATE_SHARE of min_hold_s may prove holds once the
        # sinking into them is counted.
        # (min_hold_s from the user's hold target where that is shorter, reps.hold_params)
        self._hold_params = hold_params(self.exercise.hold, hold_target_s) if self.exercise.hold is not None else None
        self._candidate = replace(self._hold_params, min_hold_s=CANDIDATE_SHARE * self._hold_params.min_hold_s) \
            if self._hold_params is not None else None
        self.reps: list[Rep] = []
        self.holds: list[Hold] = []
        self._last_px: np.ndarray | None = None
        self._seen: deque[tuple[float, bool]] = deque()
        self.ready = False
        self._views: list[str | None] = []
        self.unjudged: set[str] = set()
        self._person: tuple[np.ndarray, float] | None = None  # (hip centre px, torso px) followed
        self._other_since: float | None = None

    # -- helpers -----------------------------------------------------------------

    def view(self) -> str | None:
        if not self.times:
            return None
        since = self.times[-1] - VIEW_WINDOW_S
        recent = self._views[bisect.bisect_left(self.times, since):]
        vs = [v for v in recent if v is not None]
        return Counter(vs).most_common(1)[0][0] if vs else None

    def _frame_view(self, px: np.ndarray, vis: np.ndarray, world: np.ndarray) -> str | None:
        one = PoseTrack(times=np.zeros(1), xy=px[None] / [self.width, self.height], vis=vis[None],
                        world=world[None], detected=np.ones(1, bool), width=self.width, height=self.height)
        return frame_views(one)[0]

    def _same_person(self, t: float, det: Detection) -> bool:
        """Causal version of clip_checks.main_person: a detection whose body jumps
        from the person followed so far (JUMP_TORSOS, JUMP_SCALE) is someone
        else, unless the new body stays for OTHER_ADOPT_S (the person moved)."""
        px = det.xy * [self.width, self.height]
        centre = (px[int(Lm.LEFT_HIP)] + px[int(Lm.RIGHT_HIP)]) / 2
        scale = float(np.linalg.norm((px[int(Lm.LEFT_SHOULDER)] + px[int(Lm.RIGHT_SHOULDER)]) / 2 - centre))
        if not (np.isfinite(centre).all() and np.isfinite(scale) and scale > 0):
            return True
        if self._person is None:
            self._person = (centre, scale)
            return True
        c0, s0 = self._person
        same = (np.linalg.norm(centre - c0) <= JUMP_TORSOS * s0 and 1 / JUMP_SCALE <= scale / s0 <= JUMP_SCALE)
        if same:
            self._person, self._other_since = (centre, scale), None
            return True
        if self._other_since is None:
            self._other_since = t
        if t - self._other_since >= OTHER_ADOPT_S:
            self._person, self._other_since = (centre, scale), None
            return True
        return False

    def _update_ready(self, t: float) -> None:
        """Counting starts once the whole body was in frame in at least 80% of
        the frames of the last READY_S seconds [own]; it then stays on. The window
        keeps the newest frame at least READY_S old, so that it spans READY_S at any
        frame rate (trimmed to strictly less, at 3.75 frames/s it never reached 0.9 s
        and counting never started); that frame is let go when it is more than
        2 x READY_S old, so that a long gap (the model loading) does not pass for
        a second in view."""
        while len(self._seen) > 1 and t - self._seen[1][0] >= READY_S:
            self._seen.popleft()
        if self._seen and t - self._seen[0][0] > 2 * READY_S:
            self._seen.popleft()
        if not self.ready and self._seen and t - self._seen[0][0] >= READY_S * 0.9:
            share = sum(ok for _, ok in self._seen) / len(self._seen)
            self.ready = share >= 0.8

    # -- the step ------------------------------------------------------------------

    def push(self, t: float, det: Detection | None) -> LiveUpdate:
        """Feed one frame's detection (None: no person) at time t seconds."""
        if self.times and t <= self.times[-1]:
            t = self.times[-1] + 1e-3
        self.times.append(t)
        self.raw.append(det)
        if det is not None and not self._same_person(t, det):
            det = None  # someone else (a second person, a mirror image): not counted
        visible = det is not None
        if visible:
            px = det.xy * [self.width, self.height]
            px = np.where((det.vis > VIS_MIN)[:, None], px, np.nan)
            # The same left/right swap repair as offline, against the last frame.
            px, perm = swap_step(self._last_px, px)
            self._last_px = carry_forward(self._last_px, px)
            vis, world = det.vis[perm], det.world[perm]
            self._fxy = one_euro_step(self._fxy, t, px, self.filt)
            self._fworld = one_euro_step(self._fworld, t, world, ONE_EURO_WORLD)
            fpx, fworld = self._fxy.x, self._fworld.x
            self._raw_world.append(np.where((vis > VIS_MIN)[:, None], world, np.nan))
            self._swapped.append(perm != np.arange(33))
            self._raw_px.append(np.where((vis > VIS_MIN)[:, None], px, np.nan))
            self._seen.append((t, body_in_frame(det.xy, det.vis, one_leg=self.exercise.kind == "hold")))
            self._views.append(self._frame_view(fpx, vis, fworld))
        else:
            fpx = np.full((33, 2), np.nan)
            fworld = np.full((33, 3), np.nan)
            vis = np.zeros(33)
            self._raw_world.append(np.full((33, 3), np.nan))
            self._swapped.append(np.zeros(33, bool))
            self._raw_px.append(np.full((33, 2), np.nan))
            self._seen.append((t, False))
            self._views.append(None)
        self._update_ready(t)
        self._px.append(fpx)
        self._vis.append(vis)
        self._world.append(fworld)
        cue = None
        hold_s = None
        drives = {}
        ex = self.exercise
        for side in self.sides:
            joints = Joints(fpx[None], vis[None], fworld[None], side)
            feats = side_features(ex, joints)
            store = self._feats[side]
            for k, v in feats.items():
                store.setdefault(k, []).append(float(v[0]))
            d = float(drive_signal(ex, feats)[0])
            if not self.ready:
                d = math.nan  # freeze counting until the body has been seen in full
            self._drive[side].append(d)
            if math.isfinite(d):
                drives[side] = d
            if ex.kind == "reps":
                self._rep_state[side], evs = rep_step(self._rep_state[side], t, d, ex.rep)
                for ev in evs:
                    rep = self._grade_rep(side, ev)
                    # Reps released together once the set's range is known: show
                    # the cue of any of them that has a fault.
                    if rep is not None and rep.faults:
                        cue = rep.faults[0].message
            else:
                # The same landmark-jump guard as offline (analysis.analyze_track).
                anchors = anchor_points(joints)[0]
                self._guard_state[side], d = guard_step(self._guard_state[side], t, d, anchors, ex.hold)
                inpos = bool(position_mask(ex, feats, np.array([d]))[0])
                self._guarded[side].append(d)
                self._inpos[side].append(inpos)
                self._anchors[side].append(anchors)
                self._hold_state[side], hev = hold_step(self._hold_state[side], t, d, bool(inpos), self._candidate)
                st = self._hold_state[side]
                if st.active:
                    hold_s = st.last_ok_t - st.start_t
                if hev is not None:
                    for h in self._close_holds(side):
                        cue = h.faults[0].message if h.faults else None
        if ex.kind == "hold" and ex.unread_holds and self.ready and t - self._unread_t >= UNREAD_EVERY_S:
            self._unread_t = t
            self._find_unread(t - ex.hold.max_gap_s)
        last = self.reps[-1] if self.reps else (self.holds[-1] if self.holds else None)
        if cue is None and last is not None and last.faults and t - last.end_s < CUE_SHOW_S:
            cue = last.faults[0].message
        if self._note is not None and t - self._note[0] < CUE_SHOW_S and (
                cue is None or last is None or last.end_s < self._note[0]):
            cue = self._note[1]  # the newest news: a movement just left out
        set_no = self.reps[-1].set if self.reps else 1
        return LiveUpdate(
            t=t, visible=visible, ready=self.ready, rep_count=len(self.reps), set_number=set_no,
            set_reps=sum(1 for r in self.reps if r.set == set_no),
            side=last.side if last else None, cue=cue, last_rep=self.reps[-1] if self.reps else None,
            hold_s=hold_s, drive=drives, view=self.view(),
        )

    def _arrays(self, side: str):
        feats = {k: np.asarray(v, float) for k, v in self._feats[side].items()}
        return feats, np.asarray(self._drive[side], float), np.asarray(self.times, float)

    def _evidence(self) -> Evidence:
        return Evidence(vis=np.asarray(self._vis), swapped=np.asarray(self._swapped),
                        world=np.asarray(self._raw_world), px=np.asarray(self._raw_px))

    def _judge(self, side: str, ev, m: dict, target: float | None, what: str) -> tuple[list[FaultHit], list[str]]:
        untrusted = evidence_gaps(self.exercise.faults, side, ev.start_i, ev.end_i, self._evidence(), what,
                                  self.exercise.drive_needs)
        feats, drive, times = self._arrays(side)
        untrusted = timing_gaps(self.exercise, times, drive, ev) | untrusted
        faults, unjudged = judge(self.exercise, m, self.view(), target, untrusted)
        self.unjudged |= set(unjudged)
        return faults, sorted(unjudged)

    def _drop(self, events: list) -> None:
        """Take the reps of these events out of the count."""
        self._rep_ev = [(ev, rep) for ev, rep in self._rep_ev if not any(ev is g for g in events)]

    def _number(self, by_start: bool) -> None:
        """Index and set number of every counted rep, in the order kept (or by start,
        after reps left the count): sets as offline (reps.split_sets)."""
        pairs = sorted(self._rep_ev, key=lambda p: p[0].start_t) if by_start else self._rep_ev
        sets = split_sets([ev.start_t for ev, _ in pairs], [ev.end_t for ev, _ in pairs],
                          [rep.side for _, rep in pairs], self.exercise.set_pause_s)
        self._rep_ev = [(ev, rep if (rep.index, rep.set) == (k, s) else replace(rep, index=k, set=s))
                        for k, ((ev, rep), s) in enumerate(zip(pairs, sets), 1)]
        self.reps = [rep for _, rep in self._rep_ev]

    def _mirrored(self, side: str, ev) -> bool:
        """Whether a finished rep is the mirror of the other leg's movement
        (events.mirrors_other_leg, as offline). It reads from MIRROR_REACH_S
        before the rep to its end: only that window is converted, so each rep
        costs the same over a long session."""
        other = other_side(side)
        if not self.exercise.one_leg_at_a_time or other not in self._feats:
            return False
        drive = self.exercise.drive
        w = bisect.bisect_left(self.times, ev.start_t - MIRROR_REACH_S)
        end = ev.end_i + 1
        return mirrors_other_leg(np.asarray(self.times[w:end], float),
                                 replace(ev, start_i=ev.start_i - w, peak_i=ev.peak_i - w, end_i=ev.end_i - w),
                                 np.asarray(self._feats[side][drive][w:end], float),
                                 np.asarray(self._feats[other][drive][w:end], float))

    def _grade_rep(self, side: str, ev) -> Rep | None:
        """Grade a finished rep, unless it overlaps the other leg's reps and loses
        (events.resolve_overlap); a rep it displaces leaves the count."""
        if self._mirrored(side, ev):
            return None
        before = list(self._kept)
        self._kept, kept = resolve_overlap(self._kept, (side, ev), self.exercise.one_leg_at_a_time)
        if not kept:
            return None
        gone = [e for s, e in before if not any(e is e2 for _, e2 in self._kept)]
        if gone:
            self._drop(gone)
        feats, drive, times = self._arrays(side)
        m = event_metrics(self.exercise, feats, drive, times, ev)
        if self.exercise.not_a_rep and other_movement(self.exercise, m, self._tracked_metrics(side, ev, drive, times)):
            # Another movement (a knee-to-chest, both legs raised): kept for resolve_overlap as
            # offline keeps it for events.count_one_leg, but not counted.
            self._other.append(ev)
            self._note = (self.times[-1], other_movement_note(self.exercise, 0))
            if gone:
                self._number(by_start=True)
            return None
        faults, unjudged = self._judge(side, ev, m, self.hold_target_s, "rep")
        self._rep_ev.append((ev, rep_record(self.exercise, 0, 0, side, ev, m, faults, unjudged)))
        self._number(by_start=bool(gone))
        return next(rep for e, rep in self._rep_ev if e is ev)

    def _tracked_metrics(self, side: str, ev: RepEvent, drive: np.ndarray, times: np.ndarray) -> dict[str, float]:
        """The rep's metrics read on the landmarks as tracked, as offline reads them for
        events.other_movement: the raw detections with the cleaning's left/right repairs
        (cleaning.clean_track_perm, long swaps reverted as offline), not filtered. The live
        frame-to-frame repair alone (cleaning.swap_step) kept a real raise's legs swapped through
        its top (s27 gym clip, 129 of 143 frames): its knee read folded at 99° where offline read
        38°, and a real raise was left out [own]. Only the rep's frames (and the rest before it,
        PRE_REST_S) are read: once per finished rep, the same cost over a long session."""
        w = bisect.bisect_left(self.times, ev.start_t - judging.PRE_REST_S)
        end = ev.end_i + 1
        span = self.times[w:end]
        fps = (len(span) - 1) / (span[-1] - span[0]) if len(span) > 1 and span[-1] > span[0] else 30.0
        # Frames live took for someone else (no landmarks kept) are unseen here too.
        dets = [d if v.any() else None for d, v in zip(self.raw[w:end], self._vis[w:end])]
        window = detections_to_track(span, dets, self.width, self.height, fps, "live")
        _, perm = clean_track_perm(window, smooth=False, long_swap_s=self.exercise.long_swap_s)
        evd = judging.evidence_from(window, perm)
        feats = side_features(self.exercise, Joints(evd.px, evd.vis, evd.world, side))
        return event_metrics(self.exercise, feats, drive[w:end], times[w:end],
                             replace(ev, start_i=ev.start_i - w, peak_i=ev.peak_i - w, end_i=ev.end_i - w))

    def warnings(self) -> list[str]:
        """What the session says beside its count, worded as the offline report says it:
        the movements left out as another movement (events.other_movement_note), and a
        count in doubt because the legs were read past where they go (events.beyond_doubt)."""
        kept = [e for _, e in self._kept]
        n_other = sum(1 for e in self._other if any(e is k for k in kept))
        beyond = beyond_doubt(self.exercise, np.asarray(self.times, float),
                              [np.asarray(self._drive[s], float) for s in self.sides])
        return ([other_movement_note(self.exercise, n_other)] if n_other else []) + ([beyond] if beyond else [])

    def _grade_hold(self, side: str, ev) -> Hold:
        feats, drive, times = self._arrays(side)
        m = event_metrics(self.exercise, feats, drive, times, ev)
        target = self.hold_target_s or self.exercise.hold_target_s
        faults, unjudged = self._judge(side, ev, m, target, "hold")
        h = hold_record(self.exercise, side, ev, target, m, faults, unjudged)
        self.holds.append(h)
        return h

    def _lookback(self) -> tuple[int, np.ndarray]:
        """(first index, times) of the last HOLD_LOOKBACK_S of history; only that
        window is converted, so each look costs the same over a long session."""
        w = bisect.bisect_left(self.times, self.times[-1] - HOLD_LOOKBACK_S)
        return w, np.asarray(self.times[w:], float)

    def _close_holds(self, side: str) -> list[Hold]:
        """The hold engine closed a candidate on this side: find this side's holds
        as offline (events.find_holds) over the last HOLD_LOOKBACK_S and grade
        those that end after the holds already recorded; one that reaches back
        into the last recorded hold (merged over a short break, or started earlier
        by the sinking into it) replaces it. Returns the holds graded now."""
        ex = self.exercise
        w, times = self._lookback()
        found = find_holds(times, np.asarray(self._guarded[side][w:], float),
                           np.asarray(self._drive[side][w:], float), np.asarray(self._inpos[side][w:], bool),
                           self._hold_params, np.asarray(self._anchors[side][w:], float),
                           tuple(np.asarray(self._feats[side][k][w:], float) for k in ex.held_too))
        recorded = self._hold_ev[side]
        out = []
        for ev in found:
            ev = replace(ev, start_i=ev.start_i + w, end_i=ev.end_i + w)
            if recorded and ev.end_i <= recorded[-1][0].end_i:
                continue
            if recorded and ev.start_i <= recorded[-1][0].end_i:
                _, old = recorded.pop()
                self.holds = [h for h in self.holds if h is not old]
            # A hold found where an unread one was recorded replaces it (offline
            # looks for unread holds outside the holds found).
            self.holds = [h for h in self.holds if h.position_checked or h.end_s < ev.start_t
                          or h.start_s > ev.end_t]
            h = self._grade_hold(side, ev)
            recorded.append((ev, h))
            out.append(h)
        self.holds.sort(key=lambda h: h.start_s)
        return out

    def _find_unread(self, before: float) -> None:
        """Record the still periods over the last HOLD_LOOKBACK_S that ended by
        `before` (s) where the stretch position could not be read, outside the
        holds recorded (events.unread_holds): position not checked, nothing
        judged, as offline."""
        ex = self.exercise
        w, times = self._lookback()
        sides = {s: {k: np.asarray(v[w:], float) for k, v in self._feats[s].items()} for s in self.sides}
        found = [(h.start_s, h.end_s) for h in self.holds]
        target = self.hold_target_s or ex.hold_target_s
        for side, ev, _ in unread_holds(ex, times, np.asarray(self._vis[w:]),
                                        np.asarray(self._anchors[self.sides[0]][w:], float), sides, found,
                                        self._hold_params):
            if ev.end_t > before:
                continue
            ev = replace(ev, start_i=ev.start_i + w, end_i=ev.end_i + w)
            self.holds.append(hold_record(ex, side, ev, target, {}, [], sorted(f.code for f in ex.faults),
                                          position_checked=False))
        self.holds.sort(key=lambda h: h.start_s)

    def finish(self) -> None:
        """End of the session: close a hold in progress; count reps still waiting
        for the set's range and drop a final get-up movement (as offline)."""
        ex = self.exercise
        if ex.kind == "hold":
            for side in self.sides:
                self._hold_state[side], hev = close_hold(self._hold_state[side], self._candidate)
                if hev is not None:
                    self._close_holds(side)
            if ex.unread_holds and self.times:
                self._find_unread(math.inf)
            return
        # One leg did a set: the other's lone movements are not reps (as offline, analysis.analyze_track).
        set_done = ex.one_leg_at_a_time and any(self._rep_state[s].calibrated for s in self.sides)
        for side in self.sides:
            lone = set_done and not self._rep_state[side].calibrated
            self._rep_state[side], evs = flush_reps(self._rep_state[side], ex.rep)
            for ev in evs if not lone else ():
                self._grade_rep(side, ev)
            mine = sorted((e for s, e in self._kept if s == side), key=lambda e: e.start_t)
            keep, n = trim_get_up(mine, self._rep_state[side].range, ex.rep)
            if n:
                gone = [e for e in mine if not any(e is k for k in keep)]
                self._kept = [(s, e) for s, e in self._kept if not any(e is g for g in gone)]
                self._drop(gone)
                self._number(by_start=True)

    def recorded_track(self) -> PoseTrack:
        """Everything seen so far as a raw PoseTrack (for saving and offline review)."""
        if not self.times:
            raise ValueError("nothing was recorded")
        times = np.asarray(self.times, float)
        fps = (len(times) - 1) / (times[-1] - times[0]) if len(times) > 1 and times[-1] > times[0] else 30.0
        return detections_to_track(list(times), self.raw, self.width, self.height, fps, "live")
