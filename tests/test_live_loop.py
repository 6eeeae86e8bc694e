"""The newest-frame live loop (formcheck.live_loop) and LiveRun's threaded mode:
stale frames are dropped and counted, never queued; the newest frame is always
processed; with time to keep up, nothing is dropped and the count equals the
in-line (unthreaded) path."""

import threading
import time

import numpy as np
import pytest

from formcheck.live_loop import NewestFrameLoop
from formcheck.pose import ReplayEstimator
from formcheck.ui.live_worker import LiveConfig, LiveRun
from formcheck_synth.catalog import build
from formcheck_synth.kit import track_from_motion
from formcheck_synth.scripts import CameraSpec, Scenario


@pytest.fixture(scope="module")
def clam():
    """A synthetic clamshell set (scripted skeleton, no model): 5 reps."""
    b = build(Scenario("clamshell", reps=5, camera=CameraSpec(view="front")))
    return b.truth, track_from_motion(b.motion, b.camera)


def test_slow_handler_drops_stale_frames_and_processes_the_newest():
    seen, in_flight, most = [], [0], [0]
    lock = threading.Lock()

    def handle(frame, t):
        with lock:
            in_flight[0] += 1
            most[0] = max(most[0], in_flight[0])
        time.sleep(0.02)
        seen.append(int(frame[0]))
        with lock:
            in_flight[0] -= 1

    loop = NewestFrameLoop(handle)
    for i in range(100):
        loop.submit(np.array([i]), i / 30)
        time.sleep(0.002)
    assert loop.wait_idle(5)
    loop.close()
    assert seen[-1] == 99  # the newest frame was processed
    assert seen == sorted(seen) and len(set(seen)) == len(seen)  # in order, each at most once
    assert loop.submitted == 100 and loop.processed == len(seen)
    assert loop.dropped == 100 - len(seen) > 50  # the rest were dropped and counted
    assert most[0] == 1  # one frame in hand at a time: nothing queues up
    st = loop.stats()
    assert st["dropped"] == loop.dropped and st["latency_p50_ms"] >= 20


def test_handler_errors_are_kept_and_the_loop_goes_on():
    def handle(frame, t):
        if frame[0] == 0:
            raise ValueError("bad frame")

    loop = NewestFrameLoop(handle)
    loop.submit(np.array([0]))
    loop.wait_idle()
    loop.submit(np.array([1]))
    loop.wait_idle()
    loop.close()
    assert isinstance(loop.error, ValueError) and loop.processed == 2


def test_threaded_live_run_counts_like_the_inline_one(clam):
    truth, track = clam
    blank = np.zeros((track.height, track.width, 3), np.uint8)

    def run_all(threaded: bool):
        run = LiveRun(estimator_factory=lambda: ReplayEstimator(track), threaded=threaded)
        run.config = LiveConfig("clamshell", "auto", None, 15)
        infos = []
        for t in track.times:
            out = run.on_frame(blank, float(t) + 1000.0)
            assert out.shape == blank.shape and out is not blank
            if threaded:
                assert run._current.loop.wait_idle(5)  # give it time to keep up: nothing is dropped
            infos += run.drain()
        (worker,) = run.take_finished(stream_playing=False)
        return infos, worker.stats()

    inline, _ = run_all(False)
    threaded, stats = run_all(True)
    assert threaded[-1]["rep_count"] == inline[-1]["rep_count"] == len(truth["reps"])
    assert stats["dropped"] == 0 and stats["frames"] == len(track) and stats["submitted"] == len(track)


def test_threaded_live_run_drops_when_frames_come_too_fast(clam):
    _, track = clam

    class Slow(ReplayEstimator):
        def detect(self, frame, t):
            time.sleep(0.01)
            return super().detect(frame, t)

    run = LiveRun(estimator_factory=lambda: Slow(track), threaded=True)
    blank = np.zeros((track.height, track.width, 3), np.uint8)
    for t in track.times[:100]:
        run.on_frame(blank, float(t))  # as fast as the caller can: far faster than 10 ms a frame
    worker = run._current
    assert worker.loop.wait_idle(5)
    run.on_ended()
    st = worker.stats()
    assert st["submitted"] == 100 and st["dropped"] > 0 and st["frames"] + st["dropped"] == 100
