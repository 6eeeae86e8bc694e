"""Running today's routine from a camera: the routine state machine driven by the
live engine, frame by frame, and the saving of the whole run as one routine.

When the stream drops mid-routine (a network hiccup, a tab switch, STOP pressed by
mistake) the run is paused, not ended: `pause` stashes each movement's recording to
disk and frees the pose models; `resume` (the stream is back) carries on from the
same movement, set and rep, with the routine's clock continuing where it stopped.

`RoutineRun.on_frame` is called on the video thread (webrtc in the app, the
OpenCV loop on the desktop): it advances the routine's clock, feeds the frame to
the live worker of the current movement (one `LiveWorker` per movement, fed
through set-up, sets and rests so its recording is continuous), turns new reps
and hold progress into routine events, and draws the routine's status on the
frame. The page (another thread) reads `latest()` and `prompts_since()` and
sends `command("ready"|"skip"|"repeat")`. No Streamlit here.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from formcheck import routine as rt
from formcheck.errors import FormCheckError
from formcheck.exercises import EXERCISES
from formcheck.landmarks import PoseTrack
from formcheck.live import StreamClock
from formcheck.overlay_text import hold_counter, rep_counter
from formcheck.ui.labels import movement_title
from formcheck.ui.live_worker import MIN_LIVE_FRAMES, NOBODY_S, LiveConfig, LiveWorker, default_estimator

__all__ = ["RoutineRun", "RoutineWorker", "SavedRoutine", "save_routine_run", "PROMPT_SHOW_S", "NOBODY_S"]

PROMPT_SHOW_S = 3.0  # a routine prompt stays on the frame this long [own]
# On resume the routine's clock moves on by this much: longer than RepParams.lost_s, so a
# rep or hold in progress when the stream dropped is not joined to what follows [own].
RESUME_GAP_S = 2.5


class RoutineWorker(LiveWorker):
    """A LiveWorker whose frame text comes from the routine (`texts` hook)."""

    def __init__(self, config: LiveConfig, factory: Callable[[], object], texts: Callable):
        super().__init__(config, factory)
        self._texts_hook = texts

    def _texts(self, upd, in_frame: bool, t: float):
        return self._texts_hook(self, upd, in_frame)

    def _time(self, t: float | None) -> float:
        return t  # the routine's clock (a StreamClock, continued across a dropped stream)

    def reopen(self) -> None:
        """After `close` (the stream dropped): take frames again with a fresh pose
        model, keeping this movement's live session (its count, its calibrated
        range, its recording)."""
        with self.lock:
            if self.closed and self.session is not None:
                self.estimator = self._factory()
                self.closed = False


@dataclass
class _Seen:
    reps: int = 0


class RoutineRun:
    """One run of a routine on one camera stream."""

    def __init__(self, routine: rt.Routine, estimator_factory: Callable[[], object] = default_estimator,
                 clock: Callable[[], float] = time.monotonic, stash: Callable[..., Path] | None = None):
        """`stash(track, name=...) -> path` writes a recording to disk (History.stash_recording):
        on pause, so that a dropped stream never loses what was done."""
        self.routine = routine
        self.stash = stash
        self.paused = False
        self.pauses = 0
        self._stashed: dict[int, Path] = {}  # id(worker) -> its recording on disk, as of the last pause
        self._stamp = time.strftime("%Y%m%dT%H%M%S")
        self._factory = estimator_factory
        self._clock = clock
        self.lock = threading.RLock()
        self.state: rt.RoutineState | None = None
        self.workers: dict[int, RoutineWorker] = {}
        self.retired: list[tuple[int, RoutineWorker]] = []  # replaced workers (a movement repeated later)
        self._seen: dict[int, _Seen] = {}
        self.prompts: list[tuple[int, float, str]] = []  # (sequence number, t, text)
        self._stream_clock = StreamClock()  # the routine's clock, from the frames' times
        self.now = 0.0
        self._last_visible_t: float | None = None
        self._first_t: float | None = None
        self._latest: dict | None = None
        self.frames = 0
        self.ended = False

    # -- time and prompts ------------------------------------------------------------------

    def _rel(self, t: float | None) -> float:
        self.now = self._stream_clock(t, self._clock())
        return self.now

    def _say(self, texts: list[str]) -> None:
        for x in texts:
            self.prompts.append((len(self.prompts) + 1, self.now, x))

    def prompts_since(self, seq: int) -> list[tuple[int, float, str]]:
        with self.lock:
            return [p for p in self.prompts if p[0] > seq]

    def _apply(self, fn, *args) -> None:
        self.state, said = fn(self.state, self.now, *args)
        self._say(said)

    # -- commands from the page ----------------------------------------------------------------

    def command(self, name: str) -> None:
        """"ready", "skip" or "repeat", applied at the stream's current time."""
        fns = {"ready": rt.ready, "skip": rt.skip, "repeat": rt.repeat}
        if name not in fns:
            raise ValueError(f"command: expected one of {sorted(fns)}, got {name!r}")
        with self.lock:
            if self.state is None:
                return
            before = self.state.current.step if self.state.current else None
            self._apply(fns[name])
            self._retire(before)

    def _retire(self, before: int | None) -> None:
        """Free the pose model of a movement once the routine has left it."""
        cur = self.state.current.step if self.state.current else None
        if before is not None and before != cur and before in self.workers:
            self.workers[before].close()

    # -- the video thread -------------------------------------------------------------------------

    def on_frame(self, img_bgr: np.ndarray, t: float | None = None) -> np.ndarray:
        from formcheck.draw import Overlay, annotate

        with self.lock:
            if self.ended or self.paused:  # a late frame after the stream stopped
                return img_bgr
            now = self._rel(t)
            self.frames += 1
            if self._first_t is None:
                self._first_t = now
            if self.state is None:
                self.state, said = rt.begin(self.routine, now)
                self._say(said)
            before = self.state.current.step if self.state.current else None
            self._apply(rt.tick)
            self._retire(before)
            if self.state.phase == "done":
                self._publish(in_frame=None, visible=None, cue=None, cue_kind=None)
                return annotate(img_bgr, None, None, Overlay(counter="Routine complete", sub=self.routine.name,
                                                             good=True))
            k = self.state.current.step
            worker = self.workers.get(k)
            if worker is None or worker.closed:
                if worker is not None:
                    self.retired.append((k, worker))
                step = self.routine.steps[k]
                ex = EXERCISES[step.movement]
                hold_target = step.hold_s if (ex.kind == "hold" or ex.rep_hold) else None
                worker = RoutineWorker(LiveConfig(step.movement, "auto", hold_target, step.reps or ex.target_reps),
                                       self._factory, self._frame_texts)
                self.workers[k] = worker
                self._seen[k] = _Seen()
            out, info = worker.process(img_bgr, now)
            if info is not None:
                if info["visible"]:
                    self._last_visible_t = now
                self._publish(in_frame=info["in_frame"], visible=info["visible"], cue=info["cue"],
                              cue_kind=info["cue_kind"], ready=info["ready"], fps=info["fps"],
                              latency_ms=info["latency_median_ms"])
            return out

    # -- a dropped stream ------------------------------------------------------------------------

    def pause(self) -> None:
        """The stream stopped before the routine was done: keep the routine where it is,
        write each movement's recording to disk (when a `stash` was given) and free
        the pose models. Frames are ignored until `resume`."""
        with self.lock:
            if self.paused or self.ended or self.state is None:
                return
            self.paused = True
            self.pauses += 1
            for w in self.workers.values():
                w.close()
        if self.stash is not None:
            try:
                self.stash_recordings(self.stash)
            except OSError:  # save_routine_run tries again
                pass

    def resume(self) -> None:
        """The stream is back: carry on from the same movement, set and rep. The next
        frame continues the routine's clock RESUME_GAP_S after the last one."""
        with self.lock:
            if not self.paused or self.ended:
                return
            self.paused = False
            self.now += RESUME_GAP_S
            self._stream_clock = StreamClock(self.now)  # a new stream: its first frame continues the clock
            self._last_visible_t = None
            self._first_t = self.now
            if self.state is not None and self.state.current is not None:
                worker = self.workers.get(self.state.current.step)
                if worker is not None:
                    worker.reopen()
            self._say([f"Welcome back: {rt.status_line(self.state, self.now)}"])

    def stash_recordings(self, stash: Callable[..., Path]) -> dict[int, Path]:
        """Write every movement's recording so far to disk (each movement always to the
        same name, so a later pause replaces it); returns id(worker) -> path."""
        for k, w, tr in self.recordings():
            self._stashed[id(w)] = stash(tr, name=f"routine-{self._stamp}-{k}-{id(w) % 100000}")
        return dict(self._stashed)

    def _frame_texts(self, worker: RoutineWorker, upd, in_frame: bool) -> tuple[str, str, str, bool | None]:
        """Called by the worker after each frame (video thread, lock held): turn the
        live engine's counts into routine events, then say what to draw."""
        k = next(i for i, w in self.workers.items() if w is worker)
        seen = self._seen[k]
        before = self.state.current.step if self.state.current else None
        while upd.rep_count > seen.reps:
            seen.reps += 1
            if self.state.phase == "work" and self.state.current.step == k:
                self._apply(rt.rep)
        if upd.hold_s is not None and self.state.phase == "work" and self.state.current.step == k:
            self._apply(rt.hold, upd.hold_s)
        self._retire(before)
        st = self.state
        fresh = [p for p in self.prompts if self.now - p[1] <= PROMPT_SHOW_S]
        prompt = fresh[-1][2] if fresh else ""
        if st.phase == "done":
            return "Routine complete", self.routine.name, prompt, True
        left = rt.seconds_left(st, self.now)
        step, cur = st.step, st.current
        if not upd.visible and self._unseen() >= NOBODY_S:
            cue = "Nobody in view: step into the picture"
        elif not upd.ready and st.phase == "work":
            cue = "Move so your whole body is in view"
        else:
            cue = upd.cue or prompt
        if st.phase == "work":
            counter = rep_counter(st.reps, step.reps) if step.kind == "reps" else hold_counter(st.held_s, step.hold_s)
            good = False if upd.cue else None
        else:
            counter = {"setup": "Get ready", "rest": "Rest", "switch": "Switch sides"}[st.phase] + f" {left:.0f} s"
            good = None
        sub = f"{step.title} - set {cur.set_no} of {step.sets} - {cur.side} side"
        return counter, sub, cue, good

    def _unseen(self) -> float:
        """Seconds since a person was last found (since the start if never)."""
        ref = self._last_visible_t if self._last_visible_t is not None else self._first_t
        return 0.0 if ref is None else self.now - ref

    def _publish(self, **extra) -> None:
        st = self.state
        left = rt.seconds_left(st, self.now)
        step = st.step
        self._latest = {
            "t": round(self.now, 2), "phase": st.phase, "status": rt.status_line(st, self.now),
            "left_s": None if left is None else round(left, 1), "slot": st.slot, "sets_logged": len(st.log),
            "movement": step.movement if step else None, "side": st.current.side if st.current else None,
            "set_no": st.current.set_no if st.current else None, "sets": step.sets if step else None,
            "reps": st.reps, "target": step.target() if step else None, "held_s": round(st.held_s, 1),
            "kind": step.kind if step else None, "unseen_s": round(self._unseen(), 1),
            "nobody": self._unseen() >= NOBODY_S, "frames": self.frames, **extra}

    def latest(self) -> dict | None:
        with self.lock:
            return dict(self._latest) if self._latest else None

    def end(self) -> None:
        """The stream stopped: close the pose models (recordings are kept)."""
        with self.lock:
            self.ended = True
            for w in self.workers.values():
                w.close()

    # -- saving ----------------------------------------------------------------------------------

    def recordings(self) -> list[tuple[int, RoutineWorker, PoseTrack]]:
        """(step index, worker, recording) for each movement where a person was seen."""
        out = []
        with self.lock:
            workers = [*self.retired, *self.workers.items()]
        for k, w in workers:
            if w.frames >= MIN_LIVE_FRAMES and w.detected > 0:
                tr = w.recorded_track()
                if tr is not None:
                    out.append((k, w, tr))
        return out


@dataclass(frozen=True)
class SavedRoutine:
    routine_id: int | None  # None: nothing was saved (nobody was seen)
    session_ids: tuple[int, ...]
    failed: tuple[str, ...]  # movements whose recording is kept but could not be analysed


def save_routine_run(run: RoutineRun, history) -> SavedRoutine:
    """Save the run as one routine with its movements: each movement's recording
    is stashed first (recordings/), then analysed offline and saved as a session
    of the routine. Nothing is saved when nobody was ever seen."""
    from formcheck.pipeline import Options, analyze

    with run.lock:
        state = rt.finish(run.state, run.now) if run.state is not None else None
    tracks = run.recordings()
    if state is None or not tracks:
        for path in run._stashed.values():  # nobody was seen: nothing worth keeping
            Path(path).unlink(missing_ok=True)
        return SavedRoutine(None, (), ())
    paths = run.stash_recordings(history.stash_recording)
    stashed = [(k, w, paths[id(w)]) for k, w, _ in tracks]
    log = [asdict(e) for e in state.log]
    summary = rt.prescribed_vs_done(run.routine, state.log)
    rid = history.save_routine(run.routine.name, rt.routine_to_dict(run.routine), log, summary)
    ids, failed = [], []
    for k, worker, path in stashed:
        step = run.routine.steps[k]
        try:
            track = PoseTrack.load_npz(path)
            ex = EXERCISES[step.movement]
            hold = step.hold_s if (ex.kind == "hold" or ex.rep_hold) else None
            report = analyze(track, step.movement, Options(side="auto", hold_target_s=hold), source="live camera")
        except (FormCheckError, ValueError):
            failed.append(step.movement)
            continue
        done = next((r for r in summary if r["movement"] == step.movement), None)
        report.update({"live": worker.stats(), "routine": {"id": rid, "name": run.routine.name, "step": k,
                                                         "prescribed_vs_done": done}})
        ids.append(history.save_session(report, "live", f"Routine: {movement_title(step.movement).lower()}",
                                        track=path, remove_sources=(Path(path),), routine_id=rid))
    return SavedRoutine(rid, tuple(ids), tuple(failed))
