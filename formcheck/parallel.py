"""Both cores for one clip: overlapping time chunks tracked in worker processes,
stitched into one PoseTrack.

The clip is cut into `jobs` spans of frames. Each worker process seeks to the
start of its span minus `WARMUP_FRAMES`, runs its own pose tracker over the
warm-up and the span, and keeps only the span; the warm-up lets the tracker and
MediaPipe's landmark smoothing settle, so the kept frames match a sequential run
(tests/test_parallel.py states the tolerance). The warm-up frames are also
decoded by the previous worker, so their timestamps prove that the seek landed
on the right frame; if they disagree the clip is tracked sequentially instead.
Each worker fills the decode checks' DecodeStats for its kept span (video.py); the
merged stats equal a sequential read's on a healthy clip, and a clip they find
damaged, cut or badly timed is tracked again in one pass, so its warnings are
exactly the sequential ones.

Measured on this 2-core machine, the inference dominates (decode is ~10% of a
frame), so chunking beats a decode/inference pipeline, which can hide only the
decode; each worker (and the one-pass path) still decodes a few frames ahead in
a thread (video.read_ahead). Workers are forked after MediaPipe is imported once
(pose.preload; about 0.6 s of CPU per worker saved), or started by a forkserver
that imports it once when the caller has threads. In each worker the model loads
in a thread while the first frames are decoded (a later chunk's seek decodes from
the keyframe before its start), and a later chunk warms up over 5 frames
(WARMUP_FRAMES, WARMUP_FRAMES_TRACKING; 15 before, measured no better). benchmarks/throughput.py
prints both 1-job and all-core ratios and where an all-core run spends its time
(LAST_RUN).
"""

from __future__ import annotations

import bisect
import multiprocessing as mp
import os
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from formcheck.errors import FormCheckError, no_person_in
from formcheck.landmarks import Detection, PoseTrack, detections_to_track

if TYPE_CHECKING:  # the video adapter (OpenCV) is imported in the workers, not at import time
    from formcheck.video import DecodeStats

__all__ = ["Chunk", "plan_chunks", "default_jobs", "extract_track_parallel", "WARMUP_FRAMES", "MIN_CHUNK_FRAMES",
           "LAST_RUN", "WARMUP_FRAMES_TRACKING", "warmup_frames", "seek_frame_cost"]

# Frames a later chunk tracks before its kept span [own]: the tracker locks on in 1-3 frames. In the
# default mode (the detector on every frame) 5 give landmarks identical to one pass after the seam on
# the clamshell and running samples (own renders; 15 did too).
WARMUP_FRAMES = 5
# The same with num_poses=1 tracking (--fast-tracking) [own]. Measured on the clamshell and running
# samples (own renders) against one pass: after the seam p95 0.40/0.48 px and max 0.64/1.74 px of the
# per-frame median joint distance with 5 frames, 0.41/0.39 px and 0.68/0.72 px with 15 (test limits 4
# and 12 px); 10 fewer frames per later chunk.
WARMUP_FRAMES_TRACKING = 5
# What decoding one frame costs while a later chunk's worker seeks (OpenCV decodes from the key
# frame before the target, without converting to BGR), in tracked frames [own, measured on this
# 2-core machine on treadmill_side_male.mp4, 720x1280 H.264 with a key frame every 250 frames:
# seeking to frame 175 took 376 ms of CPU, 2.1 ms a frame, against 27 ms for a tracked frame and
# 38 ms with the detector on every frame]. Phones put a key frame every 1-2 s; files re-encoded
# by x264 (ours, many web clips) every 250 frames, where a seek can cost as much as 14 tracked frames.
SEEK_FRAME_COST = 0.056
SEEK_FRAME_COST_TRACKING = 0.08
MIN_CHUNK_FRAMES = 90  # no chunk shorter than 3 s at 30 fps [own]: below that, process start-up eats the gain
# A worker reports every 10 frames; silence this long means it is stuck [own] (a worker that neither
# reports nor dies would otherwise keep the caller waiting for ever), and the clip is tracked in one
# pass instead. Model start-up on a busy machine takes seconds, 10 frames of 4K video well under 30 s.
STALL_S = 30.0

ProgressFn = Callable[[int, int], None]


@dataclass(frozen=True)
class Chunk:
    start: int  # first frame the worker decodes and tracks (warm-up included)
    keep: int  # first frame it keeps
    stop: int | None  # first frame of the next chunk (None: to the end of the clip)


def default_jobs() -> int:
    """All the cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def warmup_frames(num_poses: int) -> int:
    """Warm-up frames of a later chunk in this mode."""
    return WARMUP_FRAMES_TRACKING if num_poses == 1 else WARMUP_FRAMES


def seek_frame_cost(num_poses: int) -> float:
    """What decoding one frame during a seek costs, in tracked frames of this mode."""
    return SEEK_FRAME_COST_TRACKING if num_poses == 1 else SEEK_FRAME_COST


def _chunk_cost(start: int, stop: int, keys: list[int] | None, seek_cost: float) -> float:
    """A worker's work in tracked frames: its frames, plus the frames its seek decodes
    from the key frame before `start` (none for the first chunk or without key frames)."""
    if not start or not keys:
        return float(stop - start)
    before = keys[max(0, bisect.bisect_right(keys, start) - 1)]
    return float(stop - start) + seek_cost * max(0, start - before)


def plan_chunks(n_frames: int, jobs: int, warmup: int = WARMUP_FRAMES,
                min_frames: int = MIN_CHUNK_FRAMES, keyframes: list[int] | None = None,
                seek_cost: float = SEEK_FRAME_COST) -> list[Chunk]:
    """One span of frames per job, each later one starting `warmup` frames early; the
    first span (which has no warm-up) is `warmup` frames longer, so every worker tracks
    the same number of frames. Fewer chunks when the clip is too short for `jobs` spans
    of `min_frames`. With the clip's `keyframes` (video.keyframes), a later chunk's seek
    is counted as work too (`seek_cost` tracked frames per frame decoded from the key
    frame before its start), and the spans are chosen so that every worker's work is
    as equal as it can be: the workers then finish together."""
    n = max(1, min(jobs, n_frames // max(min_frames, 1)))
    span = (n_frames - warmup) / n if n > 1 else n_frames
    bounds = [0] + [round(warmup + k * span) for k in range(1, n)] + [n_frames]
    if n > 1 and keyframes:
        keys = sorted(keyframes)

        def worst(b: list[int]) -> float:
            return max(_chunk_cost(max(0, a - warmup) if k else 0, b[k + 1], keys, seek_cost)
                       for k, a in enumerate(b[:-1]))

        balanced = _balanced_bounds(n_frames, n, warmup, keys, seek_cost)
        if balanced is not None and worst(balanced) < worst(bounds):
            bounds = balanced
    return [Chunk(start=max(0, a - warmup) if k else 0, keep=a, stop=bounds[k + 1] if k < n - 1 else None)
            for k, a in enumerate(bounds[:-1])]


def _balanced_bounds(n_frames: int, n: int, warmup: int, keys: list[int], seek_cost: float) -> list[int] | None:
    """Kept-span boundaries [0, b1, ..., n_frames] for `n` chunks that minimise the largest
    chunk's work (_chunk_cost, warm-up included): the smallest work limit for which
    filling chunks greedily from the start covers the clip (bisection on the limit, then
    each boundary as far on as the limit allows). None if no plan keeps every chunk longer
    than its warm-up."""
    def fill(limit: float) -> list[int] | None:
        bounds = [0]
        for k in range(n - 1):
            a = bounds[-1]
            lo, hi = a + warmup + 1, n_frames - 1  # the next boundary b: this chunk keeps [a, b)
            if lo > hi:
                return None
            start = max(0, a - warmup) if k else 0
            if _chunk_cost(start, lo, keys, seek_cost) > limit:
                return None
            while lo < hi:  # the largest b whose chunk stays within the limit
                mid = (lo + hi + 1) // 2
                if _chunk_cost(start, mid, keys, seek_cost) <= limit:
                    lo = mid
                else:
                    hi = mid - 1
            bounds.append(lo)
        last_start = bounds[-1] - warmup
        if bounds[-1] - bounds[-2] <= warmup or _chunk_cost(last_start, n_frames, keys, seek_cost) > limit:
            return None
        return bounds + [n_frames]

    lo, hi = n_frames / n, float(n_frames + seek_cost * n_frames)
    best = fill(hi)
    if best is None:
        return None
    for _ in range(40):
        mid = (lo + hi) / 2
        got = fill(mid)
        if got is None:
            lo = mid
        else:
            hi, best = mid, got
    return best


# ---- the worker -------------------------------------------------------------------------------

# Phase times (time.monotonic(), the same clock in every process on Linux) of this process's last
# chunked run, for benchmarks/throughput.py: "called", "forking", "worker K" -> {"started",
# "first_frame", "done", "frames", and the worker's CPU seconds "cpu_first" (to its first frame),
# "cpu" (in all), its second-person "checks"}, "stitched", "parent_cpu" (time.process_time() then). Empty after a run that fell back to one pass.
LAST_RUN: dict = {}

_ESTIMATORS: dict = {}  # per worker process: the model is read once, each chunk or clip gets a fresh tracker


def worker_estimator(model_path: str, num_poses: int | None = None):
    """This process's estimator for the model, restarted for a new stream."""
    from formcheck.pose import DEFAULT_NUM_POSES, MediaPipeEstimator

    key = (model_path, num_poses or DEFAULT_NUM_POSES)
    est = _ESTIMATORS.get(key)
    if est is None:
        # Its second-person checks run beside the tracking (the chunk's result is settled).
        est = _ESTIMATORS[key] = MediaPipeEstimator(model_path, num_poses=key[1], background_checks=True)
    else:
        est.restart()
    return est


def track_chunk(path: str, chunk: Chunk, model_path: str, stride: int = 1,
                tick: Callable[[int], None] | None = None,
                num_poses: int | None = None) -> tuple[list[int], list[float], list[Detection | None], DecodeStats]:
    """Track one chunk: (frame indices, times, detections) of every `stride`-th frame from
    chunk.start to chunk.stop (warm-up included; the caller drops it), and the decode
    checks' DecodeStats of its kept span (chunk.keep on)."""
    from formcheck.video import DecodeStats, read_ahead, read_frames_from

    idx, times, dets = [], [], []
    stats = DecodeStats()
    frames = ((i, t, f) for i, t, f in read_frames_from(path, chunk.start, chunk.stop, stats, keep=chunk.keep)
              if i % stride == 0)
    # The model loads in a thread while the first frames are decoded (the seek to a later chunk's
    # start decodes from the keyframe before it): both take a few hundred ms, and both release the GIL.
    loading = _Loading(model_path, num_poses)
    est = None
    try:
        for i, t, frame in read_ahead(frames):
            if est is None:
                est = loading.result()
            idx.append(i)
            times.append(t)
            dets.append(est.detect(frame, t))
            if tick is not None:
                tick(1)
        if est is not None:  # the second-person checks' counts, on the frames they belong to
            dets = est.settle_people(times, dets)
    finally:
        loading.join()
    return idx, times, dets, stats


class _Loading:
    """worker_estimator(model_path, num_poses) made in a thread; result() waits for it and
    raises what it raised."""

    def __init__(self, model_path: str, num_poses: int | None):
        self._out: dict = {}

        def load() -> None:
            try:
                self._out["est"] = worker_estimator(model_path, num_poses)
            except BaseException as e:  # noqa: BLE001 - raised in the caller's thread by result()
                self._out["error"] = e

        self._thread = threading.Thread(target=load, name="formcheck-model-load", daemon=True)
        self._thread.start()

    def join(self) -> None:
        self._thread.join()

    def result(self):
        self._thread.join()
        if "error" in self._out:
            raise self._out["error"]
        return self._out["est"]


def _worker(k: int, path: str, chunk: Chunk, model_path: str, stride: int, num_poses: int | None, out) -> None:
    """Process entry: progress ticks as ("tick", k, n), then ("done", k, (result, phase times))
    or ("error", k, message)."""
    started, cpu0 = time.monotonic(), time.process_time()
    pending = [0]
    first = [0.0]
    cpu_first = [0.0]

    def tick(n: int) -> None:
        if not first[0]:
            first[0], cpu_first[0] = time.monotonic(), time.process_time() - cpu0
        pending[0] += n
        if pending[0] >= 10:
            out.put(("tick", k, pending[0]))
            pending[0] = 0

    try:
        res = track_chunk(path, chunk, model_path, stride, tick, num_poses)
        est = _ESTIMATORS.get((model_path, num_poses or _default_num_poses()))
        # CPU seconds of the whole worker (all its threads: decode, model, checks) up to its first
        # frame (model load, seek, first inference) and in all, and its second-person checks.
        out.put(("done", k, (res, {"started": started, "first_frame": first[0] or time.monotonic(),
                                   "done": time.monotonic(), "frames": len(res[0]),
                                   "cpu_first": cpu_first[0], "cpu": time.process_time() - cpu0,
                                   "checks": int(getattr(est, "checks", 0))})))
    except FormCheckError as e:
        out.put(("error", k, f"{type(e).__name__}:{e}"))
    except Exception as e:  # noqa: BLE001 - reported to the parent, which falls back or raises
        out.put(("error", k, f"{type(e).__name__}:{e}"))


def _default_num_poses() -> int:
    from formcheck.pose import DEFAULT_NUM_POSES

    return DEFAULT_NUM_POSES


def _context():
    """fork while this process has no other threads (fast: nothing is re-imported, and
    MediaPipe is imported once, here, before the fork); forkserver otherwise (forking a
    threaded process, e.g. the app's server, is unsafe), its server importing formcheck's
    pose and video modules and MediaPipe once for all the workers it forks."""
    from formcheck.pose import PRELOAD_MODULES, preload

    if threading.active_count() == 1 and "fork" in mp.get_all_start_methods():
        preload()
        return mp.get_context("fork")
    if "forkserver" in mp.get_all_start_methods():
        ctx = mp.get_context("forkserver")
        # Takes effect when the server starts (the first call in this process).
        ctx.set_forkserver_preload(["formcheck.parallel", "formcheck.pose", "formcheck.video", *PRELOAD_MODULES])
        return ctx
    return mp.get_context("spawn")


class SeekMismatch(RuntimeError):
    """A worker's seek did not land where the chunk plan expected."""


def stitch(chunks: list[Chunk], results: list[tuple[list[int], list[float], list[Detection | None]]]):
    """Concatenate the kept frames of each chunk in order; check each warm-up against
    the frames the previous chunk decoded (same indices, same timestamps)."""
    times: list[float] = []
    dets: list[Detection | None] = []
    seen: dict[int, float] = {}
    for c, (idx, ts, ds, *_) in zip(chunks, results):
        for i, t, d in zip(idx, ts, ds):
            if i < c.keep:
                if i in seen and abs(seen[i] - t) > 1e-6:
                    raise SeekMismatch(f"frame {i}: {t:.4f} s after the seek, {seen[i]:.4f} s before it")
                continue
            seen[i] = t
            times.append(t)
            dets.append(d)
    if any(b <= a for a, b in zip(times, times[1:])):
        raise SeekMismatch("stitched timestamps are not increasing")
    return times, dets


def extract_track_parallel(path: str | os.PathLike, jobs: int | None = None, model: str = "full",
                           stride: int = 1, progress: ProgressFn | None = None,
                           num_poses: int | None = None) -> PoseTrack:
    """Like pose.extract_track, with the clip split over `jobs` worker processes
    (None: all cores). Falls back to the sequential path for one job, a short clip,
    or a container whose frames cannot be sought exactly."""
    from formcheck.models import resolve_model
    from formcheck.pose import DEFAULT_NUM_POSES, PEOPLE_CHECK_EVERY_S, extract_track, pose_mode
    from formcheck.video import decode_warnings, keyframes, merge_decode_stats, probe

    def one_pass() -> PoseTrack:
        LAST_RUN.clear()
        return extract_track(path, model=model, stride=stride, progress=progress, num_poses=num_poses or DEFAULT_NUM_POSES)

    LAST_RUN.clear()
    LAST_RUN["called"] = time.monotonic()
    info = probe(path)
    jobs = default_jobs() if jobs is None or jobs < 1 else jobs
    mode_poses = num_poses or DEFAULT_NUM_POSES
    chunks = plan_chunks(info.frames, jobs, warmup=warmup_frames(mode_poses), keyframes=keyframes(path),
                         seek_cost=seek_frame_cost(mode_poses))
    if len(chunks) < 2:
        return one_pass()
    model_path = str(resolve_model(model))
    ctx = _context()
    out = ctx.Queue()
    procs = [ctx.Process(target=_worker, args=(k, str(path), c, model_path, stride, num_poses, out), daemon=True)
             for k, c in enumerate(chunks)]
    LAST_RUN["forking"] = time.monotonic()
    for p in procs:
        p.start()
    total = max(1, sum(((c.stop or info.frames) - c.start) for c in chunks) // stride)
    done, results, errors = 0, [None] * len(chunks), []
    pending = set(range(len(chunks)))
    heard = time.monotonic()
    try:
        while pending and not errors:
            try:
                kind, k, payload = out.get(timeout=1.0)
                heard = time.monotonic()
            except queue.Empty:
                if time.monotonic() - heard > STALL_S:  # a worker stuck (e.g. in a damaged file): give up on it
                    errors.append(f"RuntimeError:no word from the workers for {STALL_S:.0f} s")
                    break
                dead = [k for k in pending if not procs[k].is_alive()]
                if dead:  # a worker that ended without a result (e.g. killed): one last look, then give up
                    try:
                        kind, k, payload = out.get(timeout=2.0)
                    except queue.Empty:
                        errors.append(f"RuntimeError:worker {dead[0]} ended with exit code {procs[dead[0]].exitcode}")
                        break
                else:
                    continue
            if kind == "tick":
                done += payload
                if progress is not None:
                    progress(min(done, total), total)
            elif kind == "done":
                results[k], LAST_RUN[f"worker {k}"] = payload
                pending.discard(k)
            else:
                errors.append(payload)
    finally:
        for p in procs:
            if errors:
                p.terminate()
            p.join(timeout=10)
            if p.is_alive():
                p.kill()
        out.close()
    if errors:  # a worker failed (e.g. a seek into a damaged file): the one-pass path decides
        return one_pass()
    try:
        times, dets = stitch(chunks, results)
    except SeekMismatch:
        return one_pass()
    if decode_warnings(merge_decode_stats([r[3] for r in results])):
        # A damaged, cut or badly timed clip: its chunks may not line up with what the
        # container declares, so it is tracked again in one pass, which gives exactly the
        # sequential result and warnings (the cost falls only on damaged clips).
        return one_pass()
    LAST_RUN["stitched"] = time.monotonic()
    LAST_RUN["parent_cpu"] = time.process_time()  # the caller's CPU clock when stitched (see LAST_RUN)
    if progress is not None:
        progress(total, total)
    track = detections_to_track(times, dets, info.width, info.height, info.fps / stride, str(path))
    # The workers' estimators are made by worker_estimator with the default people check.
    track.meta["pose_mode"] = {**pose_mode(num_poses or DEFAULT_NUM_POSES, PEOPLE_CHECK_EVERY_S), "chunks": len(chunks)}
    if not track.detected.any():
        raise no_person_in(path, len(times))
    return track
