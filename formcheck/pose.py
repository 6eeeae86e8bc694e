"""The pose estimator adapter: the only module that imports MediaPipe.

`Estimator` is a protocol: `detect(frame_bgr, t_s) -> Detection | None`.
`MediaPipeEstimator` wraps the Tasks `PoseLandmarker` in VIDEO mode (tracking
across frames, timestamps in ms from the container). `ReplayEstimator` replays
a recorded PoseTrack, so most tests need neither a model nor a video.
`extract_track` streams a video through an estimator into one PoseTrack.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Protocol

import numpy as np

from formcheck._quiet import quiet_stderr as _quiet_stderr
from formcheck.errors import BadVideoError, ModelError, NoPersonError
from formcheck.landmarks import Detection, PoseTrack, detections_to_track
from formcheck.video import DecodeStats, decode_warnings, probe, read_frames

__all__ = ["Detection", "Estimator", "MediaPipeEstimator", "ReplayEstimator", "extract_track", "detections_to_track"]


class Estimator(Protocol):
    def detect(self, frame_bgr: np.ndarray, t_s: float) -> Detection | None: ...

    def close(self) -> None: ...


def _area(xy: np.ndarray) -> float:
    lo, hi = np.nanmin(xy, axis=0), np.nanmax(xy, axis=0)
    return float(np.prod(hi - lo))


class MediaPipeEstimator:
    """MediaPipe Tasks PoseLandmarker in VIDEO mode. Looks for up to two people
    and keeps the larger one (so a second person in view is noticed, not followed)."""

    def __init__(self, model_path: str | os.PathLike, num_poses: int = 2, min_confidence: float = 0.5):
        # Keep MediaPipe's C++ start-up chatter off the user's terminal.
        os.environ.setdefault("GLOG_minloglevel", "2")
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
        try:
            from mediapipe.tasks.python import BaseOptions, vision
        except ImportError as e:  # pragma: no cover - mediapipe is a hard dependency
            raise ModelError(f"mediapipe is not installed ({e})") from None
        self._mp = __import__("mediapipe")
        opts = vision.PoseLandmarkerOptions(
            base_options=BaseOptions(model_asset_path=str(model_path)),
            running_mode=vision.RunningMode.VIDEO,
            num_poses=num_poses,
            min_pose_detection_confidence=min_confidence,
            min_pose_presence_confidence=min_confidence,
            min_tracking_confidence=min_confidence,
        )
        try:
            with _quiet_stderr():
                self._lm = vision.PoseLandmarker.create_from_options(opts)
        except (RuntimeError, ValueError) as e:
            raise ModelError(f"could not load the pose model {model_path}: {e}") from None
        self._last_ms = -1
        self._warm = False

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
        if not res.pose_landmarks:
            return None
        people = []
        for lms, wl in zip(res.pose_landmarks, res.pose_world_landmarks):
            xy = np.array([[p.x, p.y] for p in lms], float)
            vis = np.array([p.visibility if p.visibility is not None else 1.0 for p in lms], float)
            world = np.array([[p.x, p.y, p.z] for p in wl], float)
            people.append((xy, vis, world))
        xy, vis, world = max(people, key=lambda p: _area(p[0]))
        return Detection(xy, vis, world, n_people=len(people))

    def close(self) -> None:
        lm, self._lm = getattr(self, "_lm", None), None
        if lm is not None:
            with _quiet_stderr():  # some MediaPipe builds log an INFO line per accelerator on close
                lm.close()

    def __enter__(self) -> MediaPipeEstimator:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __del__(self) -> None:  # close explicitly; this only avoids a noisy interpreter shutdown
        try:
            self.close()
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
                  stride: int = 1, progress: ProgressFn | None = None,
                  on_frame: Callable[[int, float, np.ndarray, Detection | None], None] | None = None) -> PoseTrack:
    """Stream a video through the pose estimator into a raw PoseTrack.

    Frames are decoded and inferred one at a time, so memory does not grow with
    the clip's length; only the landmarks are kept. `progress(done, total)` is
    called per processed frame; `on_frame(i, t, frame, detection)` lets a caller
    (e.g. the annotated-video writer) see each frame as it passes.
    Raises BadVideoError for unreadable input and NoPersonError if no frame has a person.
    """
    info = probe(path)
    own = estimator is None
    if own:
        from formcheck.models import resolve_model

        estimator = MediaPipeEstimator(resolve_model(model))
    times: list[float] = []
    dets: list[Detection | None] = []
    total = max(1, info.frames // stride)
    stats = DecodeStats()
    try:
        for i, (t, frame) in enumerate(read_frames(path, stride=stride, stats=stats)):
            d = estimator.detect(frame, t)
            times.append(t)
            dets.append(d)
            if on_frame is not None:
                on_frame(i, t, frame, d)
            if progress is not None:
                progress(i + 1, total)
    finally:
        if own:
            estimator.close()
    h, w = info.height, info.width
    track = detections_to_track(times, dets, w, h, info.fps / stride, str(path))
    problems = decode_warnings(stats)
    if problems:  # carried with the track (and its .npz) into every report made from it
        track.meta["decode_warnings"] = problems
    if not track.detected.any():
        if problems:  # blame the damaged file, not the person
            raise BadVideoError(f"{path}: no person was found, and the video looks damaged: {problems[0]}")
        raise NoPersonError(f"{path}: no person was found in any of its {len(times)} frames "
                            "(is the whole body in view and lit?)")
    return track
