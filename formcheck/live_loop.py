"""A live loop that keeps up: always process the newest frame, drop stale ones.

Frames arrive (from the webcam) faster than the pose model may process them.
`NewestFrameLoop.submit` never blocks and never queues: it replaces the one
waiting frame, counting the one it replaced as dropped. A single worker thread
takes the newest frame, processes it, and records the latency from the frame's
arrival to the moment its overlay is ready. No OpenCV, MediaPipe or Streamlit here.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable

import numpy as np

__all__ = ["NewestFrameLoop"]


class NewestFrameLoop:
    """One worker thread running `handle(frame, t)` on the newest submitted frame."""

    def __init__(self, handle: Callable[[np.ndarray, float | None], None], name: str = "formcheck-live"):
        self._handle = handle
        self._cond = threading.Condition()
        self._pending: tuple[np.ndarray, float | None, float] | None = None
        self._stop = False
        self._busy = False
        self.submitted = 0
        self.processed = 0
        self.dropped = 0  # frames replaced by a newer one before the worker got to them
        self.latency_ms: list[float] = []  # arrival -> overlay ready, per processed frame
        self._done_at: deque[float] = deque(maxlen=60)
        self.error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def submit(self, frame: np.ndarray, t: float | None = None, arrived: float | None = None) -> None:
        """Hand over a frame (arrival time: time.perf_counter() by default). Never blocks."""
        arrived = time.perf_counter() if arrived is None else arrived
        with self._cond:
            if self._stop:
                return
            self.submitted += 1
            if self._pending is not None:
                self.dropped += 1
            self._pending = (frame, t, arrived)
            self._cond.notify()

    def _run(self) -> None:
        while True:
            with self._cond:
                while self._pending is None and not self._stop:
                    self._cond.wait()
                if self._stop:
                    return
                frame, t, arrived = self._pending
                self._pending = None
                self._busy = True
            try:
                self._handle(frame, t)
            except Exception as e:  # noqa: BLE001 - kept for the owner to report; the loop goes on
                self.error = e
            finally:
                now = time.perf_counter()
                with self._cond:
                    self._busy = False
                    self.processed += 1
                    self.latency_ms.append((now - arrived) * 1000.0)
                    self._done_at.append(now)
                    self._cond.notify_all()

    def wait_idle(self, timeout: float = 5.0) -> bool:
        """Block until the waiting frame (if any) has been processed; for tests and benchmarks."""
        end = time.monotonic() + timeout
        with self._cond:
            while (self._pending is not None or self._busy) and not self._stop:
                left = end - time.monotonic()
                if left <= 0:
                    return False
                self._cond.wait(left)
        return True

    def fps(self) -> float:
        """Processed frames per second over the last 60 processed frames."""
        d = self._done_at
        return (len(d) - 1) / (d[-1] - d[0]) if len(d) > 2 and d[-1] > d[0] else 0.0

    def stats(self) -> dict:
        lat = np.asarray(self.latency_ms or [np.nan])
        return {"submitted": self.submitted, "processed": self.processed, "dropped": self.dropped,
                "latency_p50_ms": round(float(np.percentile(lat, 50)), 1),
                "latency_p95_ms": round(float(np.percentile(lat, 95)), 1)}

    def close(self, timeout: float = 10.0) -> None:
        """Stop the worker (a frame still waiting is dropped) and wait for it to finish its current frame."""
        with self._cond:
            if self._pending is not None:
                self.dropped += 1
                self._pending = None
            self._stop = True
            self._cond.notify_all()
        if threading.current_thread() is not self._thread:
            self._thread.join(timeout)
