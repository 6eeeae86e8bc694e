"""Video input and output: the one module that decodes (OpenCV) and encodes (PyAV).

Frames are BGR uint8 arrays [H, W, 3]. Reading is a generator, so a clip is
never held in memory; timestamps come from the container (presentation time),
so variable-frame-rate phone clips keep their real timing. Rotation metadata is
applied by OpenCV, so portrait phone clips come out upright.
"""

from __future__ import annotations

import os
import queue
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

# FFmpeg (inside OpenCV) prints decoder complaints from its own threads, at any moment;
# silence its log before OpenCV starts it (read once per process). Damage is reported
# through DecodeStats instead. -8 is AV_LOG_QUIET.
os.environ.setdefault("OPENCV_FFMPEG_LOGLEVEL", "-8")

import cv2  # noqa: E402
import numpy as np  # noqa: E402

from formcheck._quiet import StderrCapture, quiet_stderr
from formcheck.errors import BadVideoError
from formcheck.safe_io import atomic_path

__all__ = ["VideoInfo", "DecodeStats", "probe", "read_frames", "read_frames_from", "read_ahead", "merge_decode_stats",
           "frames_near",
           "decode_warnings", "still_image_kind", "camera_frames",
           "write_png", "capture_fps", "keyframes", "H264Writer", "MAX_VIDEO_BYTES"]

# Our own default: 2 GiB is far beyond any exercise clip; a bigger file is
# almost certainly the wrong file and would take very long to analyse.
MAX_VIDEO_BYTES = 2 * 1024**3
# Decode checks [own]: a clip may lose a frame or two at its end to the encoder (the
# declared count often includes them); more than this is a damaged or cut file.
MISSING_FRAMES_TOL = 2
MISSING_FRAMES_FRAC = 0.02
DURATION_MISMATCH_FRAC = 0.10  # frame times vs declared length [own]
GAP_FACTOR = 4.0  # a frame interval this many times the median ... [own]
GAP_MIN_S = 0.25  # ... and at least this long is a hole in the timeline [own]
SEEK_AHEAD_S = 2.0  # frames_near seeks rather than decodes when a target is further ahead [own]
# Frames decoded ahead of the pose model by read_ahead [own]: enough to ride out one slow
# frame, and a fixed amount (4 x 2.8 MB at 720p), so memory stays flat in clip length.
READ_AHEAD_FRAMES = 4

# Still-image formats that FFmpeg would open as a one-frame "video": (magic bytes at offset, name).
# GIF and WebP are left out: they may be animated (read_frames refuses any one-frame file).
_IMAGE_MAGIC = (
    (0, b"\x89PNG\r\n\x1a\n", "PNG"), (0, b"\xff\xd8\xff", "JPEG"), (0, b"BM", "BMP"),
    (0, b"II*\x00", "TIFF"), (0, b"MM\x00*", "TIFF"),
    (4, b"ftypheic", "HEIC"), (4, b"ftypheix", "HEIC"), (4, b"ftypmif1", "HEIF"), (4, b"ftypavif", "AVIF"),
)


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
    kind = still_image_kind(p)
    if kind:
        raise BadVideoError(f"{p}: this is a still image ({kind}), not a video; record a clip of the movement")
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


def still_image_kind(path: str | os.PathLike) -> str | None:
    """'PNG', 'JPEG', ... if the file is a still image (whatever its name), else None."""
    try:
        with open(path, "rb") as f:
            head = f.read(16)
    except OSError:
        return None
    for off, magic, name in _IMAGE_MAGIC:
        if head[off:off + len(magic)] == magic:
            if name == "BMP" and len(head) >= 14 and head[6:10] != b"\x00\x00\x00\x00":
                continue  # "BM" with non-zero reserved bytes is not a bitmap header
            return name
    return None


def _animated_image(path: str | os.PathLike) -> bool:
    try:
        with open(path, "rb") as f:
            head = f.read(12)
    except OSError:
        return False
    return head[:4] == b"GIF8" or head[8:12] == b"WEBP"


@dataclass
class DecodeStats:
    """What a decode saw, for the checks in `decode_warnings`."""

    declared_frames: int = 0  # the container's frame count (0 if it gives none)
    fps: float = 0.0  # the container's frame rate
    decoded: int = 0  # frames actually decoded
    repaired_times: int = 0  # frames whose presentation time was missing or went backwards
    first_t: float = 0.0
    last_t: float = 0.0
    max_gap_s: float = 0.0
    median_dt_s: float = 0.0
    decoder_messages: list[str] | None = None
    per_frame_delays: bool = False  # animated GIF/WebP: each frame has its own delay, the rate is nominal
    intervals: list[float] = field(default_factory=list, repr=False)  # between counted frames, for merging chunks


def decode_warnings(s: DecodeStats) -> list[str]:
    """Plain-language warnings when a decode does not match what the file declares:
    the file ends early, frames are missing, its timing is broken or the decoder
    reported damage. Empty for a healthy clip."""
    out = []
    fps = s.fps if s.fps > 0 else 30.0
    missing = s.declared_frames - s.decoded
    if s.declared_frames > 0 and missing > max(MISSING_FRAMES_TOL, MISSING_FRAMES_FRAC * s.declared_frames):
        out.append(f"The video ends early: only {s.decoded} of the {s.declared_frames} frames it declares could be "
                   f"decoded ({s.decoded / fps:.1f} s of {s.declared_frames / fps:.1f} s). The file may be cut short "
                   "or damaged; anything after that point is not analysed.")
    elif s.declared_frames > 0 and -missing > max(MISSING_FRAMES_TOL, MISSING_FRAMES_FRAC * s.declared_frames):
        out.append(f"The video declares {s.declared_frames} frames but {s.decoded} were decoded; its header may be "
                   "damaged, so its timing may be unreliable.")
    span = s.last_t - s.first_t + 1.0 / fps
    expected = s.decoded / fps
    if s.decoded > 1 and not s.per_frame_delays and abs(span - expected) > DURATION_MISMATCH_FRAC * expected:
        out.append(f"The frame times in the video ({span:.1f} s) disagree with its frame rate ({fps:.3g} fps, "
                   f"{expected:.1f} s for {s.decoded} frames); durations, hold times and cadence may be wrong.")
    if s.repaired_times:
        out.append(f"{s.repaired_times} frame(s) had a missing or out-of-order time stamp; their times were "
                   "estimated from the frame rate.")
    if s.median_dt_s > 0 and s.max_gap_s > max(GAP_FACTOR * s.median_dt_s, GAP_MIN_S):
        out.append(f"The video has a hole of {s.max_gap_s:.2f} s between two frames; movement in it is not seen.")
    msgs = s.decoder_messages or []
    if msgs:
        out.append(f"The video decoder reported {len(msgs)} problem(s) (e.g. \"{_short(msgs[0])}\"); the file may be "
                   "damaged and some frames may be wrong.")
    return out


def _short(msg: str, n: int = 80) -> str:
    msg = msg.split("] ", 1)[-1].strip()
    return msg if len(msg) <= n else msg[: n - 3] + "..."


def probe(path: str | os.PathLike) -> VideoInfo:
    """Basic facts about a clip, checking that at least one frame decodes."""
    cap = _open(path)
    try:
        with quiet_stderr():
            ok, frame = cap.read()
        if not ok or frame is None:
            raise BadVideoError(f"{path}: no video frame could be decoded (the file is corrupt or has no video)")
        fps = float(cap.get(cv2.CAP_PROP_FPS) or 0.0)
        fps = fps if np.isfinite(fps) and 0 < fps <= 1000 else 30.0
        frames = float(cap.get(cv2.CAP_PROP_FRAME_COUNT) or 0)
        frames = int(frames) if np.isfinite(frames) and 0 < frames < 1e9 else 1
        if frames <= 1:
            with quiet_stderr():
                more, _ = cap.read()
            if not more:
                raise BadVideoError(f"{path}: the file holds a single picture: a still image, not a video; "
                                    "record a clip of the movement")
        h, w = frame.shape[:2]
        return VideoInfo(str(path), fps, max(frames, 1), w, h)
    finally:
        cap.release()


def read_frames(path: str | os.PathLike, stride: int = 1,
                stats: DecodeStats | None = None) -> Iterator[tuple[float, np.ndarray]]:
    """Yield (time_s, frame_bgr) for every `stride`-th decoded frame.

    Times are container presentation times. Raises BadVideoError if nothing decodes.
    `stats`, if given, is filled as the clip is read (see `decode_warnings`); the
    decoder's own complaints are collected there instead of reaching the terminal.
    """
    if stride < 1:
        raise ValueError(f"stride must be >= 1, got {stride}")
    stats = stats if stats is not None else DecodeStats()
    for i, t, frame in _decode(path, 0, None, stats):
        if i % stride == 0:
            yield t, frame
    if stats.decoded == 0:
        raise BadVideoError(f"{path}: no video frame could be decoded (the file is corrupt or has no video)")
    if stats.decoded == 1 and stats.declared_frames <= 1:
        raise BadVideoError(f"{path}: the file holds a single picture: a still image, not a video; "
                            "record a clip of the movement")


def _decode(path: str | os.PathLike, start: int, stop: int | None, stats: DecodeStats,
            keep: int | None = None) -> Iterator[tuple[int, float, np.ndarray]]:
    """(index, time_s, frame) from frame `start` (a seek if > 0) up to `stop`, filling
    `stats` for the frames from `keep` (default `start`) on. The one decode loop behind
    read_frames and read_frames_from, so both apply the same timestamp rules and checks.
    A missing or repeated presentation time is repaired from the frame rate and counted."""
    keep = start if keep is None else keep
    cap = _open(path)
    capture = StderrCapture()
    intervals: list[float] = []
    try:
        raw_fps = float(cap.get(cv2.CAP_PROP_FPS) or 0.0)
        fps = raw_fps if np.isfinite(raw_fps) and 0 < raw_fps <= 1000 else 30.0
        declared = cap.get(cv2.CAP_PROP_FRAME_COUNT)
        stats.declared_frames = int(declared) if np.isfinite(declared) and 0 < declared < 1e9 else 0
        stats.fps = fps
        stats.per_frame_delays = _animated_image(path)
        if start > 0:
            with capture.active():
                cap.set(cv2.CAP_PROP_POS_FRAMES, start)
        i, last_t = start, -1.0
        while stop is None or i < stop:
            with capture.active():
                ok, frame = cap.read()
            if not ok or frame is None:
                break
            t = float(cap.get(cv2.CAP_PROP_POS_MSEC)) / 1000.0
            counted = i >= keep
            if not np.isfinite(t) or t <= last_t:  # missing or repeated pts
                if i > start and counted:
                    stats.repaired_times += 1
                t = last_t + 1.0 / fps if last_t >= 0 else i / fps
            if counted:
                if stats.decoded == 0:
                    stats.first_t = t
                if i > start:
                    intervals.append(t - last_t)
                stats.decoded += 1
                stats.last_t = t
            last_t = t
            yield i, t, frame
            i += 1
    finally:
        cap.release()
        stats.decoder_messages = capture.lines()
        stats.intervals = intervals
        if intervals:
            stats.max_gap_s = float(max(intervals))
            stats.median_dt_s = float(np.median(intervals))


def merge_decode_stats(parts: list[DecodeStats]) -> DecodeStats:
    """One clip's DecodeStats from those of consecutive chunks of it (formcheck.parallel),
    each counting only its own frames: what a sequential read_frames would have filled in."""
    seen = [p for p in parts if p.decoded > 0]
    intervals = [d for p in parts for d in p.intervals]
    first = parts[0] if parts else DecodeStats()
    return DecodeStats(
        declared_frames=first.declared_frames, fps=first.fps, decoded=sum(p.decoded for p in parts),
        repaired_times=sum(p.repaired_times for p in parts),
        first_t=seen[0].first_t if seen else 0.0, last_t=seen[-1].last_t if seen else 0.0,
        max_gap_s=float(max(intervals)) if intervals else 0.0,
        median_dt_s=float(np.median(intervals)) if intervals else 0.0,
        decoder_messages=[m for p in parts for m in (p.decoder_messages or [])],
        per_frame_delays=any(p.per_frame_delays for p in parts), intervals=intervals)


def frames_near(path: str | os.PathLike, times: list[float]) -> list[np.ndarray | None]:
    """The BGR frame of `path` nearest to each of `times` (None past the end), in one
    pass: frames far from every target are only grabbed (decoded, never converted to
    BGR), so a few thumbnails from a long clip cost a fraction of read_frames. A target
    more than SEEK_AHEAD_S ahead is reached by a seek when the container allows it."""
    order = sorted(range(len(times)), key=lambda i: times[i])
    out: list[np.ndarray | None] = [None] * len(times)
    if not order:
        return out
    cap = _open(path)
    try:
        fps = float(cap.get(cv2.CAP_PROP_FPS) or 0.0)
        dt = 1.0 / fps if np.isfinite(fps) and 0 < fps <= 1000 else 1.0 / 30
        n = float(cap.get(cv2.CAP_PROP_FRAME_COUNT) or 0.0)
        end_s = n * dt if np.isfinite(n) and n > 0 else 0.0  # no seek past the end: the last frame stands in
        k, prev = 0, None  # prev: (time, frame) of the last frame retrieved
        while k < len(order):
            target = times[order[k]]
            pos = float(cap.get(cv2.CAP_PROP_POS_MSEC)) / 1000.0
            if target - pos > SEEK_AHEAD_S and target < end_s - SEEK_AHEAD_S:
                with quiet_stderr():
                    cap.set(cv2.CAP_PROP_POS_MSEC, max(0.0, (target - SEEK_AHEAD_S / 2) * 1000.0))
            with quiet_stderr():
                ok = cap.grab()
            if not ok:
                break
            t = float(cap.get(cv2.CAP_PROP_POS_MSEC)) / 1000.0
            near = min(target, end_s - 2 * dt) if end_s > 0 else target  # past the end: the last frames
            if t + 1.5 * dt < near:  # not near the target yet: skip the colour conversion
                continue
            ok, frame = cap.retrieve()
            if not ok or frame is None:
                break
            while k < len(order) and t >= times[order[k]]:
                want = times[order[k]]
                out[order[k]] = frame if prev is None or abs(t - want) <= abs(prev[0] - want) else prev[1]
                k += 1
            prev = (t, frame)
        if prev is not None:
            for i in order[k:]:
                out[i] = prev[1]
    finally:
        cap.release()
    return out


def camera_frames(index: int, width: int = 640, height: int = 480) -> Iterator[tuple[None, np.ndarray]]:
    """Frames of a webcam (device `index`) as they come; the time is left to the
    caller (None: take the clock). Raises BadVideoError if the camera cannot be opened."""
    with quiet_stderr():
        cap = cv2.VideoCapture(index)
    try:
        if not cap.isOpened():
            raise BadVideoError(f"camera {index} could not be opened: is it connected, allowed, and not in use by "
                                "another program? (--camera also takes a video file)")
        cap.set(cv2.CAP_PROP_FRAME_WIDTH, width)
        cap.set(cv2.CAP_PROP_FRAME_HEIGHT, height)
        got = False
        while True:
            ok, frame = cap.read()
            if not ok:
                if not got:
                    raise BadVideoError(f"camera {index} opened but gives no picture")
                return
            got = True
            yield None, frame
    finally:
        cap.release()


def read_frames_from(path: str | os.PathLike, start: int, stop: int | None = None,
                     stats: DecodeStats | None = None, keep: int | None = None
                     ) -> Iterator[tuple[int, float, np.ndarray]]:
    """(index, time_s, frame) from frame `start` (a seek) up to `stop`, with read_frames'
    timestamp rules and checks: `stats` counts the frames from `keep` on (the kept
    span of a chunk; formcheck.parallel merges the chunks' stats with merge_decode_stats)."""
    yield from _decode(path, start, stop, stats if stats is not None else DecodeStats(), keep)


_T = TypeVar("_T")


def read_ahead(frames: Iterator[_T], depth: int = READ_AHEAD_FRAMES) -> Iterator[_T]:
    """The items of `frames` (a decoding generator), decoded in a background thread
    at most `depth` items ahead of the caller, so decoding overlaps the caller's work
    (OpenCV and MediaPipe both release the GIL). Same items, same order, same errors
    (an exception in `frames` is raised here when its turn comes); stopping early
    (break, an error in the caller) stops and closes `frames` before returning."""
    q: queue.Queue = queue.Queue(maxsize=max(1, depth))
    stop = threading.Event()

    def offer(item) -> bool:
        while not stop.is_set():
            try:
                q.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for item in frames:
                if not offer((True, item)):
                    return
            offer((False, None))
        except BaseException as e:  # noqa: BLE001 - handed to the caller's thread and raised there
            offer((False, e))
        finally:
            close = getattr(frames, "close", None)
            if close is not None:
                close()  # runs the generator's own clean-up (e.g. releasing the capture) in this thread

    worker = threading.Thread(target=produce, name="formcheck-decode", daemon=True)
    worker.start()
    try:
        while True:
            more, item = q.get()
            if not more:
                if item is not None:
                    raise item
                return
            yield item
    finally:
        stop.set()
        worker.join()


class PreviewWindow:
    """An OpenCV window showing frames (desktop live mode); q or Esc, or closing it, stops.

    `show(frame)` returns False once the person asked to stop."""

    def __init__(self, title: str, first_frame: np.ndarray, min_width: int = 800):
        self.title = title
        cv2.namedWindow(title, cv2.WINDOW_NORMAL | cv2.WINDOW_KEEPRATIO)
        h, w = first_frame.shape[:2]
        width = max(w, min_width)
        cv2.resizeWindow(title, width, round(width * h / w))

    def show(self, frame_bgr: np.ndarray) -> bool:
        cv2.imshow(self.title, frame_bgr)
        if (cv2.waitKey(1) & 0xFF) in (ord("q"), 27):
            return False
        return cv2.getWindowProperty(self.title, cv2.WND_PROP_VISIBLE) >= 1

    def close(self) -> None:
        cv2.destroyAllWindows()
        cv2.waitKey(1)


def write_png(path: str | os.PathLike, frame_bgr: np.ndarray) -> Path:
    """Write one BGR frame as a PNG."""
    path = Path(path)
    if not cv2.imwrite(str(path), frame_bgr):
        raise BadVideoError(f"{path}: could not write the image")
    return path


def _mp4_boxes(f, start: int, end: int) -> Iterator[tuple[bytes, int, int]]:
    """(type, payload start, payload end) of the ISO-BMFF boxes between `start` and `end`."""
    pos = start
    while pos + 8 <= end:
        f.seek(pos)
        head = f.read(16)
        if len(head) < 8:
            return
        size, kind = int.from_bytes(head[:4], "big"), head[4:8]
        body = pos + 8
        if size == 1:  # a 64-bit size follows the type
            if len(head) < 16:
                return
            size, body = int.from_bytes(head[8:16], "big"), pos + 16
        elif size == 0:  # the box runs to the end
            size = end - pos
        if size < body - pos:
            return
        yield kind, body, min(pos + size, end)
        pos += size


def keyframes(path: str | os.PathLike) -> list[int] | None:
    """0-based indices of the key frames (sync samples) of an MP4 or MOV file's first video
    track, from its 'stss' box, without decoding; None when the file is not MP4/MOV, has no
    such table (every frame is then a key frame) or cannot be read. formcheck.parallel uses it
    to balance its chunks: a seek decodes from the key frame before the target. A sample's
    index in decoding order is taken as its frame index, which holds for closed groups of
    pictures (phones, x264's default). Never raises."""
    def child(f, start: int, end: int, kind: bytes) -> tuple[int, int] | None:
        return next(((b, e) for k, b, e in _mp4_boxes(f, start, end) if k == kind), None)

    try:
        with open(path, "rb") as f:
            size = os.fstat(f.fileno()).st_size
            moov = child(f, 0, size, b"moov")
            if moov is None:
                return None
            for kind, b, e in _mp4_boxes(f, *moov):
                if kind != b"trak":
                    continue
                mdia = child(f, b, e, b"mdia")
                hdlr = mdia and child(f, *mdia, b"hdlr")
                if not hdlr:
                    continue
                f.seek(hdlr[0] + 8)  # version + flags, pre_defined, then the handler type
                if f.read(4) != b"vide":
                    continue
                minf = child(f, *mdia, b"minf")
                stbl = minf and child(f, *minf, b"stbl")
                stss = stbl and child(f, *stbl, b"stss")
                if not stss:
                    return None
                f.seek(stss[0] + 4)
                n = int.from_bytes(f.read(4), "big")
                if n <= 0 or stss[0] + 8 + 4 * n > stss[1]:
                    return None
                raw = np.frombuffer(f.read(4 * n), dtype=">u4").astype(int) - 1
                return sorted(int(i) for i in raw if i >= 0)
    except (OSError, ValueError):
        return None
    return None


def capture_fps(path: str | os.PathLike) -> float | None:
    """The frame rate a phone says it captured at, if the file carries such a tag
    (Android writes `com.android.capture.fps` in the MP4's metadata for slow
    motion; any container or stream tag ending in `capture.fps` is read), else
    None. A slow-motion clip captured at 120 fps and played at 30 fps has 120
    here and 30 as its frame rate. Never raises: unreadable metadata is None."""
    import av

    try:
        with av.open(str(path)) as c:
            tags = dict(c.metadata)
            for s in c.streams.video:
                tags.update(s.metadata)
    except (av.FFmpegError, OSError, ValueError):
        return None
    for key, value in tags.items():
        if key.lower().endswith("capture.fps"):
            try:
                fps = float(value)
            except ValueError:
                continue
            if 0 < fps < 10000:
                return fps
    return None


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
        # A key frame every 2 s [own] (x264's default is every 250 frames): seeking in the
        # review's player and picking its thumbnails (frames_near) decodes at most 2 s.
        self._stream.codec_context.gop_size = max(1, round(2 * self.fps))

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
