"""Running today's routine from a camera: the routine state machine driven by the
live engine, frame by frame, and the saving of the whole run as one routine.

`RoutineRun.on_frame` is called on the video thread (webrtc in the app, the
OpenCV loop on the desktop): it advances the routine's clock, feeds the frame to
the live worker of the current movement (one `LiveWorker` per movement, fed
through set-up, sets and rests so its recording is continuous), turns new reps
and hold progress into routine events, and draws the routine's status on the
frame. The page (another thread) reads `latest()` and `prompts_since()` and
sends `command("ready"|"skip"|"repeat")`. No Streamlit here.
"""

from __future__ import annotations

import math
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
from formcheck.overlay_text import hold_counter, rep_counter
from formcheck.ui.labels import movement_title
from formcheck.ui.live_worker import MIN_LIVE_FRAMES, NOBODY_S, LiveConfig, LiveWorker, default_estimator

__all__ = ["RoutineRun", "RoutineWorker", "SavedRoutine", "save_routine_run", "PROMPT_SHOW_S", "NOBODY_S"]

PROMPT_SHOW_S = 3.0  # a routine prompt stays on the frame this long [own]


class RoutineWorker(LiveWorker):
    """A LiveWorker whose frame text comes from the routine (`texts` hook)."""

    def __init__(self, config: LiveConfig, factory: Callable[[], object], texts: Callable):
        super().__init__(config, factory)
        self._texts_hook = texts

    def _texts(self, upd, in_frame: bool, t: float):
        return self._texts_hook(self, upd, in_frame)


@dataclass
class _Seen:
    reps: int = 0


class RoutineRun:
    """One run of a routine on one camera stream."""

    def __init__(self, routine: rt.Routine, estimator_factory: Callable[[], object] = default_estimator,
                 clock: Callable[[], float] = time.monotonic):
        self.routine = routine
        self._factory = estimator_factory
        self._clock = clock
        self.lock = threading.RLock()
        self.state: rt.RoutineState | None = None
        self.workers: dict[int, RoutineWorker] = {}
        self.retired: list[tuple[int, RoutineWorker]] = []  # replaced workers (a movement repeated later)
        self._seen: dict[int, _Seen] = {}
        self.prompts: list[tuple[int, float, str]] = []  # (sequence number, t, text)
        self._t0: float | None = None
        self.now = 0.0
        self._last_visible_t: float | None = None
        self._first_t: float | None = None
        self._latest: dict | None = None
        self.frames = 0
        self.ended = False

    # -- time and prompts ------------------------------------------------------------------

    def _rel(self, t: float | None) -> float:
        if t is None or not math.isfinite(t):
            t = self._clock()
        if self._t0 is None:
            self._t0 = t
        rel = max(t - self._t0, self.now)
        self.now = rel
        return rel

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
            if self.ended:  # a late frame after the stream stopped
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
        return SavedRoutine(None, (), ())
    stamp = time.strftime("%Y%m%dT%H%M%S")
    stashed = [(k, w, history.stash_recording(tr, name=f"routine-{stamp}-{n}-{k}"))
               for n, (k, w, tr) in enumerate(tracks)]
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
