"""The live coach's worker: one pose estimator and LiveSession per webrtc
stream, run on the stream's thread (or a newest-frame loop), and what the page
keeps between reruns (LiveRun). No Streamlit here: the pages poll `LiveRun.drain`."""

from __future__ import annotations

import math
import queue
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from formcheck.exercises import EXERCISES
from formcheck.landmarks import Detection, PoseTrack
from formcheck.live import LiveSession, StreamClock, body_in_frame
from formcheck.live_auto import AutoLiveSession
from formcheck.overlay_text import hold_counter, rep_counter, rep_sub
from formcheck.report import rep_cue

__all__ = ["LiveConfig", "LiveWorker", "LiveRun", "PresenceWatch", "WarmEstimator", "default_estimator",
           "MIN_LIVE_FRAMES", "NOBODY_S", "AUTO_LIVE"]


AUTO_LIVE = "auto"  # LiveConfig.exercise: recognise the movement from the stream (formcheck.live_auto)
GOOD_REP_SHOW_S = 1.5  # how long a fault-free rep's line ("Good rep", or what was not judged) stays [own]
MIN_LIVE_FRAMES = 15  # shorter live streams (or a late frame after stop) are not sessions [own]


@dataclass(frozen=True)
class LiveConfig:
    exercise: str = "clamshell"
    side: str = "auto"
    hold_target_s: float | None = None
    target_reps: int | None = None  # reps per set; None: the exercise's own (Exercise.target_reps)

    @property
    def target(self) -> int | None:
        """Reps per set to count towards."""
        ex = EXERCISES.get(self.exercise)
        return self.target_reps or (ex.target_reps if ex is not None else None)


def default_estimator():
    from formcheck.models import resolve_model
    from formcheck.pose import MediaPipeEstimator

    return MediaPipeEstimator(resolve_model("full"))


class WarmEstimator:
    """A pose estimator made ahead of time, on a background thread, while no stream runs.

    Importing MediaPipe holds the GIL for 1-10 s (more on a loaded machine); done at a
    stream's first frame it stalled the WebRTC receiver, which shares the server's event
    loop, and the browser's bandwidth estimate fell to 30-50 kbit/s (blurred frames for
    the rest of the stream). `prepare()` (the page, before START) makes one; `take()` (the
    stream's first frame) hands it over, or makes a fresh one."""

    def __init__(self, factory: Callable[[], object] = default_estimator):
        self._factory = factory
        self._lock = threading.Lock()
        self._spare: object | None = None
        self._thread: threading.Thread | None = None

    def prepare(self) -> None:
        with self._lock:
            if self._spare is not None or (self._thread is not None and self._thread.is_alive()):
                return
            self._thread = threading.Thread(target=self._make, name="formcheck-warm-pose", daemon=True)
            self._thread.start()

    def _make(self) -> None:
        try:
            import formcheck.draw  # noqa: F401 - the first frame's other import (cv2 drawing)

            est = self._factory()
        except Exception:  # noqa: BLE001 - take() makes one again and reports its error there
            return
        with self._lock:
            self._spare = est

    def take(self):
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join()
        with self._lock:
            est, self._spare = self._spare, None
        return est if est is not None else self._factory()


class LiveWorker:
    """One live stream: its own pose estimator (VIDEO mode needs increasing
    timestamps) and LiveSession. `process` runs on the webrtc worker thread;
    `close`/`recorded_track` may be called from the script thread (locked)."""

    def __init__(self, config: LiveConfig, estimator_factory: Callable[[], object] = default_estimator,
                 recognise_in_background: bool = True):
        self.config = config
        self._factory = estimator_factory
        self.estimator = None
        self.session: LiveSession | AutoLiveSession | None = None
        self.lock = threading.Lock()
        self.closed = False
        self.frames = 0
        self.detected = 0
        self.started = time.time()
        self._clock = StreamClock()
        self._latency: deque[float] = deque(maxlen=120)
        self._stamps: deque[float] = deque(maxlen=60)
        self.latency_all: list[float] = []
        self._good_until = -1.0
        self._done_cue: tuple[str, bool | None] = ("", None)  # the last fault-free rep's line (report.rep_cue)
        self._reps_seen = 0
        self.stashed: Path | None = None  # where the recording was saved once the stream ended
        self.drawing: tuple | None = None  # (px, vis, Overlay) of the newest processed frame
        self.loop = None  # NewestFrameLoop, when frames are submitted rather than processed in line
        # exercise "auto": run the recogniser off the frame thread (a webcam), or in line (a file played as the camera)
        self.recognise_in_background = recognise_in_background

    @property
    def exercise(self) -> str | None:
        """The movement being counted: the chosen one, or the recognised one once
        an "auto" stream has locked (None before)."""
        if self.config.exercise != AUTO_LIVE:
            return self.config.exercise
        return self.session.movement if isinstance(self.session, AutoLiveSession) else None

    @property
    def recognised(self) -> str | None:
        """'Recognising...' / 'Recognised: clamshell, 97%' for an "auto" stream, else None."""
        return self.session.status() if isinstance(self.session, AutoLiveSession) else None

    def _target_reps(self) -> int | None:
        """Reps per set: the config's, or (auto) the recognised exercise's own once locked."""
        name = self.exercise
        if self.config.exercise == AUTO_LIVE:
            return self.config.target_reps or (EXERCISES[name].target_reps if name in EXERCISES else None)
        return self.config.target

    def _time(self, t: float | None) -> float:
        """Seconds since the stream's first frame, strictly increasing (live.StreamClock)."""
        return self._clock(t, time.monotonic())

    def process(self, img_bgr: np.ndarray, t: float | None = None,
                draw: bool = True) -> tuple[np.ndarray | None, dict | None]:
        """Detect, count and draw one frame; returns (frame to show, update dict).
        With draw=False only the overlay is kept (in `drawing`) and no frame is returned."""
        from formcheck.draw import Overlay, annotate

        start = time.perf_counter()
        with self.lock:
            if self.closed:
                return img_bgr, None
            h, w = img_bgr.shape[:2]
            if self.session is None:
                self.estimator = self._factory()
                c = self.config
                if c.exercise == AUTO_LIVE:  # recognised from the first seconds (formcheck.live_auto)
                    self.session = AutoLiveSession(c.side, c.hold_target_s, width=w, height=h,
                                                   background=self.recognise_in_background)
                else:
                    self.session = LiveSession(c.exercise, c.side, c.hold_target_s, width=w, height=h)
            ts = self._time(t)
            det: Detection | None = self.estimator.detect(img_bgr, ts)
            upd = self.session.push(ts, det)
            self.frames += 1
            self.detected += det is not None
            name = self.config.exercise  # a held stretch's far leg may hide
            hold = name in EXERCISES and EXERCISES[name].kind == "hold"
            in_frame = det is not None and body_in_frame(det.xy, det.vis, one_leg=hold)
        counter, sub, cue, good = self._texts(upd, in_frame, ts)
        px = det.xy * [w, h] if det is not None else None
        # On the frame the counter turns green for a good rep; the cue band is kept for what to change.
        self.drawing = (px, det.vis if det is not None else None,
                        Overlay(counter=counter, sub=sub, cue="" if good else cue, good=good))
        out = annotate(img_bgr, *self.drawing) if draw else None
        now = time.perf_counter()
        ms = (now - start) * 1000.0
        self._latency.append(ms)
        self.latency_all.append(ms)
        self._stamps.append(now)
        fps = (len(self._stamps) - 1) / (self._stamps[-1] - self._stamps[0]) if len(self._stamps) > 2 else 0.0
        info = {"t": round(ts, 3), "visible": upd.visible, "in_frame": in_frame, "ready": upd.ready,
                "rep_count": upd.rep_count, "set_number": upd.set_number, "set_reps": upd.set_reps,
                "target": self._target_reps(), "side": upd.side, "hold_s": upd.hold_s, "view": upd.view,
                "cue": cue or None, "cue_is_fault": good is False and bool(cue),
                "cue_kind": None if not cue else "fault" if good is False else "good" if good else "setup",
                "counter": counter, "exercise": self.exercise, "recognised": self.recognised,
                "latency_ms": round(ms, 1), "latency_median_ms": round(float(np.median(self._latency)), 1),
                "fps": round(fps, 1), "frames": self.frames,
                "dropped": self.loop.dropped if self.loop is not None else 0}
        if self.loop is not None:  # the newest-frame loop's own rate and latency (arrival -> overlay)
            info["fps"] = round(self.loop.fps(), 1)
            if self.loop.latency_ms:
                info["latency_median_ms"] = round(float(np.median(self.loop.latency_ms[-120:])), 1)
        return out, info

    def submit(self, img_bgr: np.ndarray, t: float | None, publish: Callable[[dict], None]) -> None:
        """Hand a frame to this stream's newest-frame loop (formcheck.live_loop): never
        blocks; a frame still waiting when a newer one arrives is dropped and counted."""
        if self.loop is None:
            from formcheck.live_loop import NewestFrameLoop

            def handle(frame: np.ndarray, ft: float | None) -> None:
                _, info = self.process(frame, ft, draw=False)
                if info is not None:
                    publish(info)

            self.loop = NewestFrameLoop(handle)
        self.loop.submit(img_bgr, t)

    def draw(self, img_bgr: np.ndarray) -> np.ndarray:
        """The frame with the newest processed frame's skeleton, counter and cue."""
        from formcheck.draw import annotate

        drawing = self.drawing
        return annotate(img_bgr, *drawing) if drawing is not None else img_bgr.copy()

    def _texts(self, upd, in_frame: bool, t: float) -> tuple[str, str, str, bool | None]:
        """(counter, sub line, one short cue, colour) for the frame."""
        name = self.exercise
        if name is None:  # "auto", not recognised yet
            cue = ("Start your exercise: one rep, or get into the stretch and hold it" if in_frame
                   else "Move so your whole body is in view" if upd.visible
                   else "Nobody in view: step into the picture")
            return "Recognising...", "counting starts once the movement is recognised", cue, None
        kind = EXERCISES[name].kind
        if not upd.ready:
            cue = ("Hold still: getting ready" if in_frame else "Move so your whole body is in view" if upd.visible
                   else "Nobody in view: step into the picture")
            return "Get into position", "counting starts when your whole body is in view", cue, None
        if kind == "hold":
            target = self.config.hold_target_s or EXERCISES[name].hold_target_s
            held = upd.hold_s or 0.0
            counter = hold_counter(held, target) if upd.hold_s is not None else "Get into the stretch"
            sub = self._with_recognised(f"{len(self.session.holds)} holds done")
            if upd.cue:
                return counter, sub, upd.cue, False
            return counter, sub, "", (held >= target) or None
        counter = rep_counter(upd.set_reps, self._target_reps())
        sub = self._with_recognised(rep_sub(upd.set_number, upd.side, upd.rep_count))
        if upd.rep_count > self._reps_seen:
            self._reps_seen = upd.rep_count
            if upd.last_rep is not None and not upd.last_rep.faults:
                self._done_cue = rep_cue(upd.last_rep.to_json(), name)
                self._good_until = t + GOOD_REP_SHOW_S
        if upd.cue:
            return counter, sub, upd.cue, False
        if t <= self._good_until:
            return counter, sub, *self._done_cue
        return counter, sub, "", None

    def _with_recognised(self, sub: str) -> str:
        rec = self.recognised
        return f"{rec} - {sub}" if rec else sub

    def recorded_track(self) -> PoseTrack | None:
        """The raw track, its meta naming the movement counted: the chosen one, the
        recognised one for "auto", or "auto" if the stream ended before it was
        recognised (the offline analysis then recognises the whole recording)."""
        with self.lock:
            if self.session is None or not self.session.times:
                return None
            name = self.exercise
            if name in EXERCISES and EXERCISES[name].kind == "hold":
                self.session.finish()
            tr = self.session.recorded_track()
        return tr.replace(meta={**tr.meta, "exercise": name or AUTO_LIVE, "side": self.config.side,
                                "hold_target_s": self.config.hold_target_s, "live_reps": len(self.session.reps)})

    def stats(self) -> dict:
        lat = np.asarray(self.latency_all or [math.nan])
        span = self.session.times[-1] - self.session.times[0] if self.session and len(self.session.times) > 1 else 0
        out = {"frames": self.frames, "live_rep_count": len(self.session.reps) if self.session else 0,
               "live_warnings": self.session.warnings() if self.session else [],
               "latency_median_ms": round(float(np.median(lat)), 1),
               "latency_p95_ms": round(float(np.percentile(lat, 95)), 1),
               "fps": round((self.frames - 1) / span, 1) if span > 0 else 0.0}
        if self.loop is not None:  # arrival -> overlay, and the frames dropped to keep up
            ls = self.loop.stats()
            out.update(submitted=ls["submitted"], dropped=ls["dropped"], latency_median_ms=ls["latency_p50_ms"],
                       latency_p95_ms=ls["latency_p95_ms"])
        return out

    def close(self) -> None:
        loop = self.loop
        if loop is not None:
            loop.close()  # finish the frame in hand first; the one waiting (if any) is dropped
        with self.lock:
            self.closed = True
            est, self.estimator = self.estimator, None
        if est is not None and hasattr(est, "close"):
            est.close()


class LiveRun:
    """What the Live page keeps in st.session_state: the current stream's worker,
    the finished ones waiting to be saved, and the queue of updates the page polls.
    `on_frame` and `on_ended` are called on the webrtc threads, never st.*."""

    def __init__(self, estimator_factory: Callable[[], object] = default_estimator, maxsize: int = 64,
                 stash: Callable[[PoseTrack], Path] | None = None, threaded: bool = False):
        """`stash(track) -> path` writes a finished recording to disk at once (History.stash_recording),
        so it survives even if the page never runs again. `threaded`: frames go to a newest-frame
        loop (formcheck.live_loop) and `on_frame` returns at once with the newest overlay drawn;
        otherwise each frame is processed in the caller's thread."""
        self.stash = stash
        self.threaded = threaded
        self.config = LiveConfig()
        self.updates: queue.Queue[dict] = queue.Queue(maxsize=maxsize)
        self._factory = estimator_factory
        self._lock = threading.Lock()
        self._current: LiveWorker | None = None
        self._finished: list[LiveWorker] = []
        self.nobody_streams = 0  # streams dropped because nobody was ever in view

    def on_frame(self, img_bgr: np.ndarray, t: float | None = None) -> np.ndarray:
        with self._lock:
            worker = self._current
            if worker is None:
                worker = self._current = LiveWorker(self.config, self._factory)
        if self.threaded:
            worker.submit(img_bgr, t, self._publish)
            return worker.draw(img_bgr)
        out, info = worker.process(img_bgr, t)
        if info is not None:
            self._publish(info)
        return out

    def _publish(self, info: dict) -> None:
        while True:
            try:
                self.updates.put_nowait(info)
                return
            except queue.Full:  # the page is not polling: drop the oldest update
                try:
                    self.updates.get_nowait()
                except queue.Empty:
                    pass

    def drain(self) -> list[dict]:
        out = []
        while True:
            try:
                out.append(self.updates.get_nowait())
            except queue.Empty:
                return out

    def on_ended(self) -> None:
        """The stream stopped (webrtc thread): park the worker until the page saves it."""
        with self._lock:
            worker, self._current = self._current, None
            if worker is not None:
                self._finished.append(worker)
        if worker is not None:
            worker.close()
            # A stream in which nobody was ever found is not a recording worth keeping.
            if (self.stash is not None and worker.stashed is None and worker.frames >= MIN_LIVE_FRAMES
                    and worker.detected > 0):
                track = worker.recorded_track()
                if track is not None:
                    try:
                        worker.stashed = self.stash(track)
                    except OSError:  # finish_live tries again from the page
                        worker.stashed = None

    @property
    def active(self) -> bool:
        with self._lock:
            return self._current is not None

    def take_finished(self, stream_playing: bool) -> list[LiveWorker]:
        """Workers whose stream has ended (the current one too if the stream is
        no longer playing), dropping ones too short to be a session."""
        if not stream_playing:
            self.on_ended()
        with self._lock:
            done, self._finished = self._finished, []
        self.nobody_streams += sum(1 for w in done if w.frames > 0 and w.detected == 0)
        return [w for w in done if w.frames >= MIN_LIVE_FRAMES and w.detected > 0]


NOBODY_S = 2.0  # say "nobody in view" after this long without a person (the brief: within 3 s) [own]


@dataclass
class PresenceWatch:
    """Seconds since a person was last seen, from the live updates the page polls."""

    first_t: float | None = None
    seen_t: float | None = None
    last_t: float | None = None

    def update(self, info: dict) -> None:
        t = float(info["t"])
        if self.first_t is None or (self.last_t is not None and t < self.last_t):  # a new stream
            self.first_t, self.seen_t = t, None
        self.last_t = t
        if info.get("visible"):
            self.seen_t = t

    @property
    def unseen_s(self) -> float:
        if self.last_t is None:
            return 0.0
        return self.last_t - (self.seen_t if self.seen_t is not None else self.first_t)

    @property
    def nobody(self) -> bool:
        return self.unseen_s >= NOBODY_S
