"""Live coaching with the exercise left on "auto": recognise it from the stream's
first seconds, then count it.

`AutoLiveSession` keeps every frame's detection while it does not yet know the
movement, and runs the recogniser (formcheck.recognise) on what it has every
second of stream time. Once the same movement comes out confident on two checks
in a row it locks: a `LiveSession` for that movement is made and every buffered
frame is replayed through it, so reps done before the lock are counted, not
lost. Until then the overlay says "Recognising...". Running is not coached live
(it is analysed from a video), so it is never locked.

The recogniser can run on the caller's thread (deterministic: a video file
played as the camera) or on a background thread (a webcam: the frame loop never
waits for it). No OpenCV, MediaPipe or Streamlit here.
"""

from __future__ import annotations

import threading
from bisect import bisect_left
from collections.abc import Callable, Sequence

from formcheck.exercises import EXERCISES, MOVEMENTS
from formcheck.landmarks import Detection, PoseTrack, detections_to_track
from formcheck.live import LiveSession, LiveUpdate
from formcheck.recognise import Recognition, recognise
from formcheck.results import Hold, Rep

__all__ = ["AutoLiveSession", "LIVE_CANDIDATES", "RECOGNISE_EVERY_S", "RECOGNISE_WINDOW_S", "LOCK_AGREE"]

# The movements the live coach can count (running is analysed from video).
LIVE_CANDIDATES = tuple(m for m in MOVEMENTS if m in EXERCISES)
RECOGNISE_EVERY_S = 1.0  # how often, in stream time, the recogniser looks again until it locks [own]
# The recogniser sees at most the last 20 s, so a check costs the same however
# long the person takes to start (one slow rep, 2 s up, 3-4 s held, 2 s down, or a
# stretch held 5 s, fits with room to spare) [own].
RECOGNISE_WINDOW_S = 20.0
LOCK_AGREE = 2  # the same confident answer on this many checks in a row locks it [own]


class AutoLiveSession:
    """A live set whose movement is recognised from the stream. Offers what the
    live worker uses of a LiveSession (push, reps, holds, times, ready, finish,
    recorded_track) and, once locked, hands everything to the movement's own
    LiveSession. Feed it from one thread."""

    def __init__(self, side: str = "auto", hold_target_s: float | None = None, width: int = 640,
                 height: int = 480, *, background: bool = False,
                 candidates: Sequence[str] = LIVE_CANDIDATES,
                 recognise_fn: Callable[[PoseTrack], Recognition] = recognise):
        self.side = side
        self.hold_target_s = hold_target_s
        self.width, self.height = width, height
        self.background = background
        self.candidates = tuple(candidates)
        self._recognise = recognise_fn
        self._times: list[float] = []  # the frames seen before the lock (the session keeps them after)
        self._raw: list[Detection | None] = []
        self._last_update: LiveUpdate | None = None
        self.session: LiveSession | None = None
        self.recognition: Recognition | None = None  # the latest answer
        self.locked_at: float | None = None  # stream time of the lock
        self.checks = 0
        self._next_check: float | None = None
        self._agree: tuple[str | None, int] = (None, 0)
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._result: Recognition | None = None
        self.error: BaseException | None = None  # a failed background check, kept for the owner

    # -- what the live worker reads ---------------------------------------------

    @property
    def movement(self) -> str | None:
        """The locked movement, or None while recognising."""
        return self.session.exercise.name if self.session is not None else None

    @property
    def exercise(self):
        return self.session.exercise if self.session is not None else None

    @property
    def times(self) -> list[float]:
        return self.session.times if self.session is not None else self._times

    @property
    def reps(self) -> list[Rep]:
        return self.session.reps if self.session is not None else []

    @property
    def holds(self) -> list[Hold]:
        return self.session.holds if self.session is not None else []

    @property
    def ready(self) -> bool:
        return self.session.ready if self.session is not None else False

    def status(self) -> str:
        """'Recognising...' or 'Recognised: clamshell, 97%'."""
        if self.session is None or self.recognition is None:
            return "Recognising..."
        return f"Recognised: {self.recognition.label()}"

    # -- frames -------------------------------------------------------------------

    def push(self, t: float, det: Detection | None) -> LiveUpdate:
        if self.session is not None:
            return self.session.push(t, det)
        self._times.append(t)
        self._raw.append(det)
        self._take_result()
        if self.session is None:
            if self._next_check is None:
                self._next_check = t + RECOGNISE_EVERY_S
            if t >= self._next_check and self._thread is None:
                self._next_check = t + RECOGNISE_EVERY_S
                self._check(self._window())
                self._take_result()
        if self.session is not None:  # locked on this frame: every buffered frame was replayed
            return self._last_update
        return LiveUpdate(t=t, visible=det is not None, ready=False, rep_count=0, set_number=1, set_reps=0,
                          side=None, cue=None, last_rep=None, hold_s=None)

    def _window(self) -> PoseTrack:
        start = self._times[-1] - RECOGNISE_WINDOW_S
        i = bisect_left(self._times, start)
        times = self._times[i:]
        fps = (len(times) - 1) / (times[-1] - times[0]) if len(times) > 1 and times[-1] > times[0] else 30.0
        return detections_to_track(times, self._raw[i:], self.width, self.height, fps, "live")

    def _check(self, track: PoseTrack) -> None:
        if not track.detected.any():
            return
        if not self.background:
            self._result = self._recognise(track)
            return

        def run() -> None:
            try:
                rec = self._recognise(track)
            except Exception as e:  # noqa: BLE001 - kept for the owner; recognition is tried again
                self.error = e
                rec = None
            with self._lock:
                self._result = rec
                self._thread = None

        with self._lock:
            self._thread = threading.Thread(target=run, name="formcheck-recognise", daemon=True)
            self._thread.start()

    def _take_result(self) -> None:
        with self._lock:
            rec, self._result = self._result, None
        if rec is None:
            return
        self.checks += 1
        self.recognition = rec
        name = rec.movement if rec.confident and rec.movement in self.candidates else None
        prev, n = self._agree
        self._agree = (name, n + 1 if name is not None and name == prev else 1 if name is not None else 0)
        if name is not None and self._agree[1] >= LOCK_AGREE:
            self._lock_on(name)

    def _lock_on(self, movement: str) -> None:
        """Start counting `movement`, replaying every frame seen so far."""
        session = LiveSession(movement, self.side, self.hold_target_s, width=self.width, height=self.height)
        upd = None
        for t, det in zip(self._times, self._raw):
            upd = session.push(t, det)
        self.session = session
        self.locked_at = self._times[-1]
        self._last_update = upd
        self._times, self._raw = [], []

    def wait(self, timeout: float = 30.0) -> None:
        """Wait for a background check in flight (tests, and before saving)."""
        thread = self._thread
        if thread is not None:
            thread.join(timeout)

    # -- the end of the set ---------------------------------------------------------

    def warnings(self) -> list[str]:
        """The locked session's notes beside its count (LiveSession.warnings); none before the lock."""
        return self.session.warnings() if self.session is not None else []

    def finish(self) -> None:
        if self.session is not None:
            self.session.finish()

    def recorded_track(self) -> PoseTrack:
        """Everything seen so far as a raw PoseTrack (for saving and offline review)."""
        if self.session is not None:
            return self.session.recorded_track()
        if not self._times:
            raise ValueError("nothing was recorded")
        t = self._times
        fps = (len(t) - 1) / (t[-1] - t[0]) if len(t) > 1 and t[-1] > t[0] else 30.0
        return detections_to_track(list(t), self._raw, self.width, self.height, fps, "live")
