"""The pose estimator adapter: the only module that imports MediaPipe.

`Estimator` is a protocol: `detect(frame_bgr, t_s) -> Detection | None`.
`MediaPipeEstimator` wraps the Tasks `PoseLandmarker` in VIDEO mode (tracking
across frames, timestamps in ms from the container) following one person, and
checks for a second person now and then with a separate IMAGE-mode pass. `ReplayEstimator` replays
a recorded PoseTrack, so most tests need neither a model nor a video.
`extract_track` streams a video through an estimator into one PoseTrack.
"""

from __future__ import annotations

import atexit
import math
import os
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path
from typing import Protocol

import numpy as np

from formcheck._quiet import quiet_stderr as _quiet_stderr
from formcheck.errors import BadVideoError, ModelError, no_person_in
from formcheck.landmarks import Detection, PoseTrack, detections_to_track
from formcheck.video import DecodeStats, decode_warnings, probe, read_ahead, read_frames

__all__ = ["Detection", "Estimator", "MediaPipeEstimator", "ReplayEstimator", "extract_track", "detections_to_track",
           "preload", "PRELOAD_MODULES", "pose_mode", "describe_pose_mode"]

# What a process that starts pose workers imports once for all of them (preload).
PRELOAD_MODULES = ("mediapipe.tasks.python.vision",)


def preload() -> None:
    """Import MediaPipe's task runtime now (about 0.8 s of CPU on this machine): a
    process about to fork pose workers calls this, so each worker inherits the
    imported modules instead of importing them again."""
    import importlib

    os.environ.setdefault("GLOG_minloglevel", "2")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    for name in PRELOAD_MODULES:
        importlib.import_module(name)


class Estimator(Protocol):
    def detect(self, frame_bgr: np.ndarray, t_s: float) -> Detection | None: ...

    def close(self) -> None: ...


def _area(xy: np.ndarray) -> float:
    lo, hi = np.nanmin(xy, axis=0), np.nanmax(xy, axis=0)
    return float(np.prod(hi - lo))


# How often the second-person check runs (seconds of video) [own]. One check (an
# IMAGE-mode pass: person detector + up to two landmark passes) costs about 1.7
# tracked frames, so every 2 s at 30 fps adds ~3% to the inference time. People
# walk into view over seconds, and the warning needs 10% of frames, so this is fine-grained enough.
PEOPLE_CHECK_EVERY_S = 2.0
PEOPLE_CHECK_MAX_SIDE = 640  # the check runs on a copy no larger than this [own]

# Offline analysis looks for two people on every frame (num_poses=2), which runs
# the person detector on every frame. Neither mode is ground truth: against the sample
# clips' TRUE joints (own renders, benchmarks/tracking_truth.py, docs/accuracy.md) tracking's
# leg landmarks are as close on the whole (median 6.3 px against 7.0, p95 15.6 against 14.3
# over the 8 samples) but go wrong in stretches that decide outcomes (the lying leg raise's
# far leg during a hold; the runner's right-knee FPPA 4.8 deg low against 2.2), so its
# end-to-end checks fail on 4 of 8 samples; re-detecting where the tracked pose looks
# implausible (a 3D leg bone's length off its median, a jump), simulated against the
# truth, leaves three failing (the run passes only with the detector on 35% of its frames,
# about detection's cost). The measurements against detect-every-frame follow. Tracking one person (num_poses=1: the
# landmarker crops each frame around the last frame's landmarks and runs its
# detector only when it loses the person) is ~1.5x faster, but its crops give other
# landmarks. On the eight sample clips (own renders) that turned 4 clips' end-to-end
# checks wrong (tests/test_e2e_samples.py): figure-four ankle-to-knee 0.34 instead
# of 0.59 (truth 0.56), a fire-hydrant rep and its hip drop missed, an extra
# short-range flag on the leg raise, running FPPA of the right leg 13.2 deg instead of
# 15.8 (truth 18.1). It is the crop, not a lost track or smoothing: the person is
# never lost, and after a restart (a fresh detection) the tracked landmarks leave
# the detector's by 20-90 px at the knee and ankle within one frame and settle on
# the tracker's own. Re-detecting more often does not close the gap (figure-four
# sample, leg landmarks against detecting on every frame, median / p95): tracking
# 25 / 73 px; a fresh tracker whenever a leg segment's length (> 0.25 torso),
# the legs' mean visibility (> 0.2) or the body's box (> 0.25 torso) jumps between
# frames 25 / 90 px (19 re-detections); every 10th frame 23 / 92 px; every 3rd
# 6.6 / 92 px at about detection's cost; min_tracking_confidence 0.9-1.0 changes
# nothing (fire-hydrant sample: identical landmarks; benchmarks/redetect.py). On real footage (the 39 clips of benchmarks/real_footage.py,
# tracked both ways, re-scored with the analysis at 0073b95) tracking is not better:
# counts within +-1 on 4 of 4 clips and holds within 1 s 5 of 11 either way,
# treadmill cadence 168.3 both (168.9 counted by eye), cadence error on the 2 other
# scored runs -1.8%/-0.4% (detecting -1.6%/-0.4%); it flags 2 of 13 visibly fine
# reps or holds (detecting: 4 of 12) but finds 1 of the 2 real straight-leg-raise
# reps (detecting: 2 of 2) and reports 16 phantom reps/holds/steps in the near
# misses (detecting: 8; a bird dog as donkey kick and hydrant 11 against 0).
# Re-seeding does not last (session 22, benchmarks/tracking_truth.py, own renders): on the frame a fresh
# tracker starts, its landmarks are the detector's (median 0.0 px apart on the leg raise and figure-four
# samples), but 1, 2, 3 frames later the figure-four's leg landmarks are 7.5, 17.3, 22.4 px from the
# detector's again (plain tracking: 25.4 px), and the leg raise's back at the tracker's own as fast. Run for
# real, a re-seed every 10th frame, or an IMAGE-mode detection every 10th frame that re-seeds where a leg
# landmark is > 0.15 torso off it, leaves all four failing samples failing (the hydrant then counts 5 reps
# for 4; running FPPA right -3.8/-4.7 deg), and one every 5th frame (> 0.1 torso) the leg raise. Swapping
# the detector's landmarks in (the most any re-seeding gives) on every 2nd frame still fails 3 of the 4;
# even an oracle that swaps them in wherever the two are > 0.03 torso apart fails the leg raise while
# detecting on 68% of its frames, and the hydrant needs 99% (--simulate-triggers every=N,oracle=X). A
# detection beside the tracker costs ~1.4 tracked frames and a fresh tracker ~5 (CPU, 39.5 and 154 ms
# against 28.9 ms, load 14), so past ~26% of frames it costs more than detecting on every frame: no
# tracking mode reaches the default's 8/8 at the tracker's speed through MediaPipe's Tasks API, whose
# landmark model takes its crop either from the detector or from the last frame's landmarks.
# Switching to detection only where the two disagree would not pay: leg landmarks
# (hip, knee, ankle) are more than 0.15 torso lengths apart on >= 30% of the frames
# of 17 of those 39 clips. The render failures cannot be fixed without loosening
# the sample checks, so detecting stays the default; tracking is fast_tracking /
# --fast-tracking, and is what the bare-loop "single-stream limit" in
# benchmarks/throughput.py measures.
DEFAULT_NUM_POSES = 2

# Every landmarker made here is held in _OPEN until it is closed explicitly. MediaPipe's
# Tasks objects close through a one-thread executor (its SerialDispatcher). A landmarker
# left only in a reference cycle would be closed by the garbage collector: the collector
# first clears the executor's weak reference, so its worker thread quits, and then the
# landmarker's __del__ asks that executor to close it and waits forever, on whichever
# thread ran the collection (pytest's final collection hung a CI run for 70 min; in the
# app it would freeze a page). Held here, a landmarker is never cyclic garbage; one that
# is never closed lives until the process ends (_let_go_at_exit).
_OPEN: set = set()
_OPEN_LOCK = threading.Lock()
_OPEN_EXIT_HOOK: list[bool] = []  # [True] once _let_go_at_exit is registered


def _opened(lm):
    with _OPEN_LOCK:
        if not _OPEN_EXIT_HOOK:
            # Registered after MediaPipe's own exit hook, so it runs before it (atexit is
            # last-in, first-out), while every module is still whole.
            atexit.register(_let_go_at_exit)
            _OPEN_EXIT_HOOK.append(True)
        _OPEN.add(lm)
    return lm


def _let_go_at_exit() -> None:
    """At interpreter exit, landmarkers never closed are let go without closing (the
    process's end frees them): closed later, during module teardown, MediaPipe's
    close fails noisily ("Exception ignored in PoseLandmarker.__del__")."""
    with _OPEN_LOCK:
        for lm in _OPEN:
            if hasattr(lm, "_handle"):  # MediaPipe's close() does nothing once its handle is gone
                lm._handle = None
        _OPEN.clear()


def _close_landmarker(lm, quiet: bool = True) -> None:
    """Close a landmarker made by MediaPipeEstimator and let it go. `quiet` keeps the
    INFO lines some MediaPipe builds log per accelerator on close off the terminal."""
    try:
        if quiet:
            with _quiet_stderr():
                lm.close()
        else:
            lm.close()
    finally:
        with _OPEN_LOCK:
            _OPEN.discard(lm)


def open_landmarkers() -> int:
    """How many landmarkers made here are not closed yet (tests, leak checks)."""
    with _OPEN_LOCK:
        return len(_OPEN)


def pose_mode(num_poses: int, people_check_s: float | None = None) -> dict:
    """How the landmarker ran, as stored in `track.meta["pose_mode"]` and the report's
    `source.pose_mode`, so a reader of a track (gait, history, a physiotherapist
    comparing sessions) can tell which mode made it: `num_poses`, where the person
    detector ran ("every_frame" with num_poses >= 2; "on_tracking_loss" when one
    person is tracked) and how often the second-person check ran (seconds of video;
    None: no separate check)."""
    tracking = num_poses == 1
    return {"num_poses": int(num_poses), "person_detector": "on_tracking_loss" if tracking else "every_frame",
            "people_check_every_s": float(people_check_s) if tracking and people_check_s is not None else None}


def describe_pose_mode(mode: dict) -> str:
    """One line for people: how the pose model ran (a pose_mode dict)."""
    if mode.get("person_detector") == "every_frame":
        text = "the person looked for on every frame"
    else:
        text = "one person tracked from frame to frame (--fast-tracking)"
        if mode.get("people_check_every_s"):
            text += f", a second person looked for every {mode['people_check_every_s']:g} s"
    if mode.get("chunks", 1) > 1:
        text += f", on {mode['chunks']} worker processes"
    return text


_MP: list = []  # [(mediapipe, vision, BaseOptions)] once imported
_MP_LOCK = threading.Lock()


def _import_on_own_thread() -> tuple:
    """Import MediaPipe's Tasks API on a short-lived thread and return (mediapipe, vision,
    BaseOptions). Its audio module keeps the exception of a failed `import sounddevice`
    (no PortAudio here) and, through that exception's traceback, every frame on the stack
    at the import: imported from an estimator's __init__, that estimator was held for
    good (never collected, its model never freed). A fresh thread's stack holds nothing of ours."""
    got: list = []

    def run() -> None:
        try:
            from mediapipe.tasks.python import BaseOptions, vision

            got.append((__import__("mediapipe"), vision, BaseOptions))
        except ImportError as e:  # pragma: no cover - mediapipe is a hard dependency
            got.append(e)

    thread = threading.Thread(target=run, name="formcheck-import-mediapipe", daemon=True)
    thread.start()
    thread.join()
    if not got or isinstance(got[0], BaseException):
        raise ModelError(f"mediapipe is not installed ({got[0] if got else 'the import did not finish'})")
    return got[0]


def _mediapipe() -> tuple:
    """(mediapipe, vision, BaseOptions), imported once (see _import_on_own_thread)."""
    with _MP_LOCK:
        if not _MP:
            _MP.append(_import_on_own_thread())
        return _MP[0]


class MediaPipeEstimator:
    """MediaPipe Tasks PoseLandmarker in VIDEO mode.

    `num_poses=2` (the default, see DEFAULT_NUM_POSES): up to two people on every
    frame, the larger one kept, `n_people` as seen. `num_poses=1`: one person
    tracked from frame to frame, the detector runs only when the track is lost
    (~1.5x faster, less accurate on our samples); a second person is then noticed
    by a separate check, an IMAGE-mode landmarker with `num_poses=2` on the first
    frame, every `people_check_s` seconds, and on every frame where the tracked
    person is lost. Each frame's `Detection.n_people` is the latest check's count
    (so a stretch with two people in view is marked as such). `people_check_s=None`
    turns the check off.

    With `background_checks` the checks run on a thread of their own (MediaPipe
    releases the GIL while it works), so on a machine with a core to spare they
    cost the tracking loop nothing: the checker is made, and each check runs,
    while the next frames are tracked. A frame's `n_people` is then the latest
    check finished by the time the frame is returned; `settle_people` gives every
    frame of a clip the count of the latest check made at or before it, exactly
    as the in-line checks would (extract_track and the chunked path use this)."""

    def __init__(self, model_path: str | os.PathLike, num_poses: int = DEFAULT_NUM_POSES, min_confidence: float = 0.5,
                 people_check_s: float | None = PEOPLE_CHECK_EVERY_S, background_checks: bool = False):
        # Keep MediaPipe's C++ start-up chatter off the user's terminal.
        os.environ.setdefault("GLOG_minloglevel", "2")
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
        self._mp, vision, BaseOptions = _mediapipe()
        self._vision, self._base = vision, BaseOptions
        self._model_path = str(model_path)
        try:
            self._model_bytes = Path(model_path).read_bytes()  # read once; restart() reuses it
        except OSError as e:
            raise ModelError(f"could not read the pose model {model_path}: {e}") from None
        self._min_conf = min_confidence
        self.num_poses = num_poses
        self._lm = self._landmarker(vision.RunningMode.VIDEO, num_poses)
        self._checker = None  # the IMAGE-mode landmarker of the second-person check, made on first use
        self.people_check_s = people_check_s if num_poses == 1 else None
        self.checks = 0
        self.background_checks = background_checks
        self._check_pool: ThreadPoolExecutor | None = None  # one thread: checks finish in the order made
        self._pending: list[tuple[float, Future]] = []
        self.people_log: list[tuple[float, int]] = []  # (time of the checked frame, people found), in order
        self._people = 0
        self._next_check_t = -math.inf
        self._tracking = False
        self._last_ms = -1
        self._warm = False

    @property
    def mode(self) -> dict:
        """This estimator's pose_mode (see pose_mode)."""
        return pose_mode(self.num_poses, self.people_check_s)

    def _landmarker(self, mode, num_poses: int):
        vision, BaseOptions = self._vision, self._base
        opts = vision.PoseLandmarkerOptions(
            base_options=BaseOptions(model_asset_buffer=self._model_bytes),
            running_mode=mode,
            num_poses=num_poses,
            min_pose_detection_confidence=self._min_conf,
            min_pose_presence_confidence=self._min_conf,
            min_tracking_confidence=self._min_conf,
        )
        try:
            with _quiet_stderr():
                return _opened(vision.PoseLandmarker.create_from_options(opts))
        except (RuntimeError, ValueError) as e:
            raise ModelError(f"could not load the pose model {self._model_path}: {e}") from None

    def restart(self) -> None:
        """Start a new stream (another clip, or another chunk of one): a fresh
        VIDEO-mode tracker, so timestamps may start again from 0 and nothing is
        carried over from the last stream. The model bytes and the second-person
        checker are kept."""
        self._drain_checks()
        old, self._lm = self._lm, None
        if old is not None:
            _close_landmarker(old)
        self._lm = self._landmarker(self._vision.RunningMode.VIDEO, self.num_poses)
        self.people_log = []
        self._people = 0
        self._next_check_t = -math.inf
        self._tracking = False
        self._last_ms = -1
        self._warm = False

    def _count_people(self, rgb: np.ndarray) -> int:
        """How many people (0, 1, 2) one IMAGE-mode pass with num_poses=2 finds."""
        import cv2

        if self._checker is None:
            self._checker = self._landmarker(self._vision.RunningMode.IMAGE, 2)
        h, w = rgb.shape[:2]
        scale = PEOPLE_CHECK_MAX_SIDE / max(h, w)
        if scale < 1:
            rgb = cv2.resize(rgb, (max(1, round(w * scale)), max(1, round(h * scale))), interpolation=cv2.INTER_AREA)
        with _quiet_stderr():
            res = self._checker.detect(self._mp.Image(image_format=self._mp.ImageFormat.SRGB,
                                                      data=np.ascontiguousarray(rgb)))
        self.checks += 1
        return len(res.pose_landmarks)

    def _submit_check(self, rgb: np.ndarray, t_s: float) -> None:
        """Start a second-person check of this frame: on the check thread with
        background_checks (`rgb` is this frame's own array, which nothing writes to
        afterwards), else now."""
        if not self.background_checks:
            fut: Future = Future()
            fut.set_result(self._count_people(rgb))
            self._pending.append((t_s, fut))
            return
        if self._check_pool is None:
            self._check_pool = ThreadPoolExecutor(1, thread_name_prefix="formcheck-people-check")
        self._pending.append((t_s, self._check_pool.submit(self._count_people, rgb)))

    def _collect_checks(self, wait: bool = False) -> None:
        """Record the checks that have finished (all of them with `wait`), in order; the
        last one's count becomes the current one. A failed check raises here."""
        while self._pending and (wait or self._pending[0][1].done()):
            t, fut = self._pending.pop(0)
            self._people = fut.result()
            self.people_log.append((t, self._people))

    def _drain_checks(self) -> None:
        try:
            self._collect_checks(wait=True)
        finally:
            self._pending = []

    def settle_people(self, times: list[float], dets: list[Detection | None]) -> list[Detection | None]:
        """Wait for the checks still running, then give each detection of this stream
        (frames at `times`) the count of the latest check made at or before its
        frame (at least 1): the counts the checks would give had each run before its
        frame was returned. Without checks the detections are returned as they are."""
        if self.people_check_s is None:
            return dets
        self._collect_checks(wait=True)
        check_t = [t for t, _ in self.people_log]
        counts = [n for _, n in self.people_log]
        out: list[Detection | None] = []
        for t, d in zip(times, dets):
            if d is None:
                out.append(None)
                continue
            k = int(np.searchsorted(check_t, t, side="right")) - 1
            out.append(replace(d, n_people=max(1, counts[k]) if k >= 0 else 1))
        return out

    def detect(self, frame_bgr: np.ndarray, t_s: float) -> Detection | None:
        import cv2

        ms = max(int(round(t_s * 1000)), self._last_ms + 1)  # VIDEO mode needs increasing ms
        self._last_ms = ms
        rgb = cv2.cvtColor(frame_bgr, cv2.COLOR_BGR2RGB)
        img = self._mp.Image(image_format=self._mp.ImageFormat.SRGB, data=rgb)
        if self._warm:
            res = self._lm.detect_for_video(img, ms)
        else:  # the first inference prints C++ warnings; keep them off the terminal
            with _quiet_stderr():
                res = self._lm.detect_for_video(img, ms)
            self._warm = True
        found = bool(res.pose_landmarks)
        if self.people_check_s is not None:
            lost = self._tracking and not found
            if lost or t_s >= self._next_check_t:
                self._submit_check(rgb, t_s)
                self._next_check_t = t_s + self.people_check_s
            self._collect_checks()
        self._tracking = found
        if not found:
            return None
        people = []
        for lms, wl in zip(res.pose_landmarks, res.pose_world_landmarks):
            xy = np.array([[p.x, p.y] for p in lms], float)
            vis = np.array([p.visibility if p.visibility is not None else 1.0 for p in lms], float)
            world = np.array([[p.x, p.y, p.z] for p in wl], float)
            people.append((xy, vis, world))
        xy, vis, world = max(people, key=lambda p: _area(p[0]))
        n = len(people) if self.people_check_s is None else max(1, self._people)
        return Detection(xy, vis, world, n_people=n)

    def close(self, quiet: bool = True) -> None:
        pool, self._check_pool = getattr(self, "_check_pool", None), None
        if pool is not None:  # the checker may be busy: let its thread finish first
            self._pending = []
            pool.shutdown(wait=True)
        for name in ("_lm", "_checker"):
            lm = getattr(self, name, None)
            setattr(self, name, None)
            if lm is not None:
                _close_landmarker(lm, quiet)

    def __enter__(self) -> MediaPipeEstimator:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __del__(self) -> None:  # close explicitly; this frees the model of an estimator dropped unclosed
        try:  # its landmarkers are held in _OPEN, so their executors are alive and closing cannot hang
            self.close(quiet=False)
        except Exception:  # noqa: BLE001 - never raise from __del__
            pass


class ReplayEstimator:
    """Replays a PoseTrack frame by frame (by nearest time); for tests and for
    re-analysing a saved track without the model."""

    def __init__(self, track: PoseTrack):
        self.track = track

    def detect(self, frame_bgr: np.ndarray, t_s: float) -> Detection | None:
        i = int(np.argmin(np.abs(self.track.times - t_s)))
        if not self.track.detected[i]:
            return None
        return Detection(self.track.xy[i], self.track.vis[i], self.track.world[i])

    def close(self) -> None:
        pass


ProgressFn = Callable[[int, int], None]


def extract_track(path: str | os.PathLike, estimator: Estimator | None = None, model: str = "full",
                  stride: int = 1, progress: ProgressFn | None = None, num_poses: int = DEFAULT_NUM_POSES,
                  on_frame: Callable[[int, float, np.ndarray, Detection | None], None] | None = None) -> PoseTrack:
    """Stream a video through the pose estimator into a raw PoseTrack.

    Frames are decoded a few ahead in a thread (video.read_ahead) while the model
    works on the current one, so memory does not grow with the clip's length; only
    the landmarks are kept. `progress(done, total)` is
    called per processed frame; `on_frame(i, t, frame, detection)` lets a caller
    (e.g. the annotated-video writer) see each frame as it passes.
    Raises BadVideoError for unreadable input and NoPersonError if no frame has a person.
    """
    info = probe(path)
    own = estimator is None
    if own:
        from formcheck.models import resolve_model

        estimator = MediaPipeEstimator(resolve_model(model), num_poses=num_poses, background_checks=True)
    times: list[float] = []
    dets: list[Detection | None] = []
    total = max(1, info.frames // stride)
    stats = DecodeStats()
    try:
        for i, (t, frame) in enumerate(read_ahead(read_frames(path, stride=stride, stats=stats))):
            d = estimator.detect(frame, t)
            times.append(t)
            dets.append(d)
            if on_frame is not None:
                on_frame(i, t, frame, d)
            if progress is not None:
                progress(i + 1, total)
        settle = getattr(estimator, "settle_people", None)
        if settle is not None:  # the second-person checks' counts, on the frames they belong to
            dets = settle(times, dets)
    finally:
        if own:
            estimator.close()
    h, w = info.height, info.width
    track = detections_to_track(times, dets, w, h, info.fps / stride, str(path))
    mode = getattr(estimator, "mode", None)
    if isinstance(mode, dict):  # a model ran (a replayed track keeps the meta it was saved with)
        track.meta["pose_mode"] = dict(mode)
    problems = decode_warnings(stats)
    if problems:  # carried with the track (and its .npz) into every report made from it
        track.meta["decode_warnings"] = problems
    if not track.detected.any():
        if problems:  # blame the damaged file, not the person
            raise BadVideoError(f"{path}: no person was found, and the video looks damaged: {problems[0]}")
        raise no_person_in(path, len(times))
    return track
