"""Video input and output: the one module that decodes (OpenCV) and encodes (PyAV).

Frames are BGR uint8 arrays [H, W, 3]. Reading is a generator, so a clip is
never held in memory; timestamps come from the container (presentation time),
so variable-frame-rate phone clips keep their real timing. Rotation metadata is
applied by OpenCV, so portrait phone clips come out upright.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from formcheck._quiet import quiet_stderr
from formcheck.errors import BadVideoError
from formcheck.safe_io import atomic_path

__all__ = ["VideoInfo", "probe", "read_frames", "H264Writer", "MAX_VIDEO_BYTES"]

# Our own default: 2 GiB is far beyond any exercise clip; a bigger file is
# almost certainly the wrong file and would take very long to analyse.
MAX_VIDEO_BYTES = 2 * 1024**3


@dataclass(frozen=True)
class VideoInfo:
    path: str
    fps: float
    frames: int
    width: int
    height: int

    @property
    def duration_s(self) -> float:
        return self.frames / self.fps if self.fps > 0 else 0.0


def _open(path: str | os.PathLike) -> cv2.VideoCapture:
    p = Path(path)
    if not p.exists():
        raise BadVideoError(f"{p}: no such file")
    if p.is_dir():
        raise BadVideoError(f"{p}: is a folder, expected a video file")
    size = p.stat().st_size
    if size == 0:
        raise BadVideoError(f"{p}: the file is empty (0 bytes)")
    if size > MAX_VIDEO_BYTES:
        raise BadVideoError(
            f"{p}: the file is {size / 1024**3:.1f} GiB; the limit is {MAX_VIDEO_BYTES / 1024**3:.0f} GiB"
            " (trim the clip to the exercise)"
        )
    with quiet_stderr():  # FFmpeg prints its own complaint about bad files
        cap = cv2.VideoCapture(str(p))
    if not cap.isOpened():
        cap.release()
        raise BadVideoError(f"{p}: not a readable video (expected MP4, MOV, AVI, WEBM or MKV)")
    cap.set(cv2.CAP_PROP_ORIENTATION_AUTO, 1)
    return cap


def probe(path: str | os.PathLike) -> VideoInfo:
    """Basic facts about a clip, checking that at least one frame decodes."""
    cap = _open(path)
    try:
        ok, frame = cap.read()
        if not ok or frame is None:
            raise BadVideoError(f"{path}: no video frame could be decoded (the file is corrupt or has no video)")
        fps = float(cap.get(cv2.CAP_PROP_FPS) or 0.0)
        frames = int(cap.get(cv2.CAP_PROP_FRAME_COUNT) or 0)
        h, w = frame.shape[:2]
        return VideoInfo(str(path), fps if fps > 0 else 30.0, max(frames, 1), w, h)
    finally:
        cap.release()


def read_frames(path: str | os.PathLike, stride: int = 1) -> Iterator[tuple[float, np.ndarray]]:
    """Yield (time_s, frame_bgr) for every `stride`-th decoded frame.

    Times are container presentation times. Raises BadVideoError if nothing decodes.
    """
    if stride < 1:
        raise ValueError(f"stride must be >= 1, got {stride}")
    cap = _open(path)
    try:
        fps = float(cap.get(cv2.CAP_PROP_FPS) or 0.0) or 30.0
        i = 0
        last_t = -1.0
        while True:
            ok, frame = cap.read()
            if not ok or frame is None:
                break
            t = float(cap.get(cv2.CAP_PROP_POS_MSEC)) / 1000.0
            if not np.isfinite(t) or t <= last_t:  # missing or repeated pts
                t = last_t + 1.0 / fps if last_t >= 0 else i / fps
            last_t = t
            if i % stride == 0:
                yield t, frame
            i += 1
        if i == 0:
            raise BadVideoError(f"{path}: no video frame could be decoded (the file is corrupt or has no video)")
    finally:
        cap.release()


class H264Writer:
    """Write BGR frames to a browser-playable H.264 MP4 (yuv420p, faststart).

    Use as a context manager; the file is written to a temporary name and moved
    into place only when complete, so a crash never leaves a half file behind.
    """

    def __init__(self, path: str | os.PathLike, fps: float, crf: int = 23, preset: str = "veryfast"):
        self.path = Path(path)
        self.fps = fps
        self.crf = crf
        self.preset = preset
        self._atomic = None  # safe_io.atomic_path context: the file appears only when complete
        self._tmp = None
        self._container = None
        self._stream = None
        self.frames = 0

    def __enter__(self) -> H264Writer:
        return self

    def _start(self, width: int, height: int) -> None:
        from fractions import Fraction

        import av

        self._atomic = atomic_path(self.path)
        self._tmp = self._atomic.__enter__()
        self._container = av.open(str(self._tmp), mode="w", format="mp4", options={"movflags": "+faststart"})
        rate = Fraction(self.fps).limit_denominator(1001)
        self._stream = self._container.add_stream("libx264", rate=rate)
        self._stream.width = width - width % 2
        self._stream.height = height - height % 2
        self._stream.pix_fmt = "yuv420p"
        self._stream.options = {"crf": str(self.crf), "preset": self.preset}

    def write(self, frame_bgr: np.ndarray) -> None:
        import av

        if self._container is None:
            self._start(frame_bgr.shape[1], frame_bgr.shape[0])
        w, h = self._stream.width, self._stream.height
        frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(frame_bgr[:h, :w]), format="bgr24")
        for packet in self._stream.encode(frame):
            self._container.mux(packet)
        self.frames += 1

    def close(self) -> None:
        if self._container is None:
            return
        try:
            for packet in self._stream.encode():
                self._container.mux(packet)
        except BaseException as e:
            self._abort(type(e), e, e.__traceback__)
            raise
        self._container.close()
        self._container = None
        atomic, self._atomic = self._atomic, None
        atomic.__exit__(None, None, None)

    def _abort(self, exc_type, exc, tb) -> None:
        if self._container is not None:
            try:
                self._container.close()
            except Exception:  # noqa: BLE001 - the file is discarded anyway
                pass
            self._container = None
        atomic, self._atomic = self._atomic, None
        if atomic is not None:
            atomic.__exit__(exc_type, exc, tb)  # removes the temporary file

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.close()
        else:
            self._abort(exc_type, exc, tb)
